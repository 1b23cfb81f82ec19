#!/bin/sh
# Benchmark (not a test): deduplicating and clustering repost-heavy real
# text, and how the cost grows with the input.
#   tests/bench/reposts.sh [HANFOLD] [OLD_HANFOLD] [SIZES]
# The corpus (tests/bench/gen-reposts.py): the posts of
# ../shared/eval/reposts.jsonl (real Weibo posts) reposted again with fresh
# edits, one per line, up to the largest of SIZES (default
# "100000 300000 1000000").  For each size, on one thread (--threads 1):
# dedup and cluster with HANFOLD, and dedup with OLD_HANFOLD when given (a
# previous build, side by side in the same run): seconds (median of RUNS,
# default 3; one run at a million records), MB/s, records kept, and the
# cost per record relative to the smallest size (1.0 everywhere is linear).
set -eu
H=${1:-build/src/hanfold}
OLD=${2:-}
SIZES=${3:-100000 300000 1000000}
here=$(cd "$(dirname "$0")" && pwd)
shared=${SHARED:-$here/../../../shared}
[ -f "$shared/eval/reposts.jsonl" ] || { echo "skip: $shared/eval/reposts.jsonl not found"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-rbench.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
python3 "$here/gen-reposts.py" "$shared/eval/reposts.jsonl" "$max" "$tmp/all.txt"
echo "processor: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) online"
python3 - "$H" "$OLD" "$tmp" "$SIZES" <<'PY'
import os, statistics, subprocess, sys, time
h, old, tmp, sizes = sys.argv[1], sys.argv[2], sys.argv[3], [int(x) for x in sys.argv[4].split()]
runs = int(os.environ.get('RUNS', '3'))

def run(argv, path, times):
    ts, kept = [], None
    for _ in range(times):
        t = time.time()
        p = subprocess.run(argv + ['--stats', '--threads', '1', path], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
        ts.append(time.time() - t)
        assert p.returncode == 0, (argv, p.stderr[-500:])
        st = [l for l in p.stderr.splitlines() if 'written' in l]
        if st:
            kept = int(st[-1].split('written ')[1].split(',')[0])
    return statistics.median(ts), kept

rows = []
for n in sizes:
    path = '%s/in-%d.txt' % (tmp, n)
    os.system('head -n %d %s/all.txt > %s' % (n, tmp, path))
    mb = os.path.getsize(path) / 1e6
    times = 1 if n >= 1000000 else runs
    cmds = [('dedup', [h, 'dedup']), ('cluster', [h, 'cluster'])]
    if old:
        cmds.append(('dedup (old build)', [old, 'dedup']))
    for name, argv in cmds:
        t, kept = run(argv, path, times)
        rows.append((name, n, mb, t, kept))
        print('%-20s %8d records %7.1f MB %8.2f s %7.1f MB/s %9.2f us/record  kept %s' % (
            name, n, mb, t, mb / t, t / n * 1e6, kept if kept is not None else '-'), flush=True)
print('\ncost per record, relative to %d records (1.0 = linear):' % sizes[0])
for name in dict.fromkeys(r[0] for r in rows):
    rs = [r for r in rows if r[0] == name]
    base = rs[0][3] / rs[0][1]
    print('  %-20s %s' % (name, '  '.join('%d: %.2f' % (r[1], r[3] / r[1] / base) for r in rs)))
PY
