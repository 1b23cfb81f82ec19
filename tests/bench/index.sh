#!/bin/sh
# Benchmark (not a test): build an index of N records (default 1,000,000),
# then deduplicate M new records (default 100,000, a fifth of them reposts of
# stored ones) against it; time and peak memory of each step.
#   tests/bench/index.sh [HANFOLD] [N] [M]
set -eu
H=${1:-build/src/hanfold}
N=${2:-1000000}
M=${3:-100000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-bench.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
python3 - "$N" "$M" "$tmp" <<'PY'
import random, sys
n, m, tmp = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(11)
chars = [chr(c) for c in range(0x4e00, 0x4e00 + 3000)]
stored = []
with open(tmp + '/old.txt', 'w') as f:
    for i in range(n):
        s = ''.join(random.choice(chars) for _ in range(random.randint(10, 40)))
        if i % 10 == 0:
            stored.append(s)
        f.write(s + '\n')
with open(tmp + '/new.txt', 'w') as f:
    for i in range(m):
        if random.random() < 0.2:
            f.write('转发：' + random.choice(stored) + '\n')
        else:
            f.write(''.join(random.choice(chars) for _ in range(random.randint(10, 40))) + '\n')
PY
python3 - "$H" "$N" "$M" "$tmp" <<'PY'
import os, sys, time
h, n, m, tmp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def run(name, args, recs):
    t = time.time()
    pid = os.fork()
    if pid == 0:
        fd = os.open('/dev/null', os.O_WRONLY)
        os.dup2(fd, 1)
        os.execv(h, [h] + args)
    _, st, ru = os.wait4(pid, 0)
    dt = time.time() - t
    assert os.waitstatus_to_exitcode(st) in (0, 1), st
    print('%-44s %8.2f s %10.0f records/s %8.0f MB peak' % (name, dt, recs / dt, ru.ru_maxrss / 1024))
run('build the index (%d records)' % n, ['dedup', '--index', tmp + '/ix', tmp + '/old.txt'], n)
print('index file: %.0f MB' % (os.path.getsize(tmp + '/ix') / 1e6))
run('open it and dedup %d new records' % m, ['dedup', '--index', tmp + '/ix', tmp + '/new.txt'], m)
PY
