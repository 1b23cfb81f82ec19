#!/bin/sh
# Benchmark (not a test): records/s and peak memory of fingerprint, cluster
# and dedup on N synthetic headline-like records (default 1,000,000) with 20%
# planted reposts (a prefix added, a character dropped).
#   tests/bench/cluster.sh [HANFOLD] [N]
set -eu
H=${1:-build/src/hanfold}
N=${2:-1000000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-bench.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
python3 - "$N" "$tmp/in.txt" <<'PY'
import random, sys
n, path = int(sys.argv[1]), sys.argv[2]
random.seed(7)
chars = [chr(c) for c in range(0x4e00, 0x4e00 + 3000)]
pool = []
with open(path, 'w') as f:
    for i in range(n):
        if pool and random.random() < 0.2:
            b = list(random.choice(pool))
            if random.random() < 0.5:
                b = list('转发') + b
            if random.random() < 0.5 and len(b) > 5:
                del b[random.randrange(len(b))]
            s = ''.join(b)
        else:
            s = ''.join(random.choice(chars) for _ in range(random.randint(10, 40)))
            if len(pool) < 100000:
                pool.append(s)
            else:
                pool[random.randrange(100000)] = s
        f.write(s + '\n')
PY
python3 - "$H" "$N" "$tmp" <<'PY'
import os, resource, subprocess, sys, time
h, n, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def run(name, args, out):
    t = time.time()
    with open(out, 'wb') as o:
        pid = os.fork()
        if pid == 0:
            os.dup2(o.fileno(), 1)
            os.execv(h, [h] + args)
        _, status, ru = os.wait4(pid, 0)
    dt = time.time() - t
    assert status == 0, (name, status)
    print('%-34s %8.2f s %10.0f records/s %8.0f MB peak' % (name, dt, n / dt, ru.ru_maxrss / 1024))
size = os.path.getsize(tmp + '/in.txt') / 1e6
print('%d synthetic records, %.1f MB of text' % (n, size))
run('fingerprint (text)', ['fingerprint', tmp + '/in.txt'], tmp + '/fp')
run('cluster --fingerprints', ['cluster', '--fingerprints', tmp + '/fp'], tmp + '/c1')
run('cluster (text)', ['cluster', tmp + '/in.txt'], tmp + '/c2')
run('dedup (text, streaming)', ['dedup', tmp + '/in.txt'], tmp + '/d')
same = open(tmp + '/c1').read() == open(tmp + '/c2').read()
print('cluster from fingerprints == cluster from text:', same)
PY
