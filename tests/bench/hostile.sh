#!/bin/sh
# Benchmark (not a test): two loads whose cost once grew faster than the
# input (issue 25), at three sizes, with the growth of time per record.
#   tests/bench/hostile.sh [HANFOLD] [N]     (sizes N, 2N, 4N; default 25000)
# phrase: every line shares one 32-character phrase and has 8 random Han
#   characters (posts under one long hashtag or template): not duplicates,
#   but their smallest shingles are the shared ones.
# flood: 40-character lines, each the same text with 2 random characters
#   replaced: near-duplicates all, under the default single linkage and
#   under representative linkage.
# A cost that grows linearly keeps s per 1000 records flat across sizes.
set -eu
H=${1:-build/src/hanfold}
N=${2:-25000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-hostile.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
python3 - "$N" "$tmp" <<'PY'
import random, sys
n, tmp = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(25)
han = [chr(c) for c in range(0x4E00, 0x9FA5)]
phrase = ''.join(rnd.choice(han) for _ in range(32))
base = ''.join(rnd.choice(han) for _ in range(40))
for k in (1, 2, 4):
    with open('%s/phrase%d.txt' % (tmp, k), 'w', encoding='utf-8') as f:
        for _ in range(n * k):
            f.write(phrase + ''.join(rnd.choice(han) for _ in range(8)) + '\n')
    with open('%s/flood%d.txt' % (tmp, k), 'w', encoding='utf-8') as f:
        for _ in range(n * k):
            s = list(base)
            for _ in range(2):
                s[rnd.randrange(40)] = rnd.choice(han)
            f.write(''.join(s) + '\n')
PY
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) online"
python3 - "$H" "$N" "$tmp" <<'PY'
import subprocess, sys, time
h, n, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
print('%-42s %8s %8s %8s   %s' % ('load', '%d' % n, '%d' % (2 * n), '%d' % (4 * n), 's per 1000 records'))
for name, load, extra in (('phrase, cluster', 'phrase', []),
                          ('flood, cluster (single linkage)', 'flood', []),
                          ('flood, cluster --linkage representative', 'flood', ['--linkage', 'representative']),
                          ('flood, dedup', 'flood', [])):
    cmd = 'dedup' if name.endswith('dedup') else 'cluster'
    secs = []
    for k in (1, 2, 4):
        t = time.time()
        subprocess.run([h, cmd, '--threads', '1'] + extra + ['%s/%s%d.txt' % (tmp, load, k)],
                       stdout=subprocess.DEVNULL, check=True)
        secs.append(time.time() - t)
    per = ['%.3f' % (s / (n * k) * 1000) for s, k in zip(secs, (1, 2, 4))]
    print('%-42s %7.2fs %7.2fs %7.2fs   %s (x%.2f from 1 to 4)' % (name, *secs, ' '.join(per),
                                                                  secs[2] / secs[0] / 4))
PY
