#!/bin/sh
# Benchmark (not a test): reading compressed input against plain input, in
# one run.
#   tests/bench/compressed.sh [HANFOLD] [MB]
# Input (about MB megabytes, default 35): real text, the posts of
# ../shared/eval/reposts.jsonl reposted with fresh edits
# (tests/bench/gen-reposts.py), one per line; without ../shared, synthetic
# lines (said so).  Compressed here with gzip (-6, its default; Common
# Crawl's WET files are gzip), zstd (-3, its default) and xz (-6, its
# default, two threads).
# Reports, median of RUNS (default 3) runs, wall-clock and CPU time (user +
# system: on a shared machine the figure that does not depend on what else
# runs), MB/s of the text (the decompressed size) for:
#   the decompressor alone (cat, gzip -dc, zstd -dc, xz -dc > /dev/null);
#   hanfold fingerprint on one thread and on two, and hanfold dedup, on
#   the plain file and on each compressed one, and the ratio to plain.
# It checks that each command writes the same bytes for every form.
set -eu
H=${1:-build/src/hanfold}
MB=${2:-35}
here=$(cd "$(dirname "$0")" && pwd)
shared=${SHARED:-$here/../../../shared}
for c in gzip zstd xz; do
    command -v $c > /dev/null || { echo "skip: no $c command"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-zbench.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
if [ -f "$shared/eval/reposts.jsonl" ]; then
    what="reposts of real Weibo posts with fresh edits (gen-reposts.py)"
    python3 "$here/gen-reposts.py" "$shared/eval/reposts.jsonl" $((MB * 1000000 / 351)) "$tmp/in.txt"
else
    what="SYNTHETIC lines (../shared not found)"
    awk -v n=$((MB * 1000000 / 90)) 'BEGIN { srand(5); for (i = 1; i <= n; i++) printf "第%d条：今天天气很好，我们去公园散步吧，编号%d，%d\n", i, int(rand() * 100000), i % 977 }' > "$tmp/in.txt"
fi
gzip -6 -c "$tmp/in.txt" > "$tmp/in.txt.gz"
zstd -q -3 -c "$tmp/in.txt" > "$tmp/in.txt.zst"
xz -6 -T2 -c "$tmp/in.txt" > "$tmp/in.txt.xz"
echo "processor: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) online"
echo "hanfold: $("$H" --version | head -1), zlib $(python3 -c 'import zlib; print(zlib.ZLIB_RUNTIME_VERSION)'), $(zstd -V | head -1)"
python3 - "$H" "$tmp" "$what" <<'PY'
import os, resource, statistics, subprocess, sys, time
h, tmp, what = sys.argv[1], sys.argv[2], sys.argv[3]
runs = int(os.environ.get('RUNS', '3'))
plain = tmp + '/in.txt'
mb = os.path.getsize(plain) / 1e6
forms = [('plain', plain), ('gz', plain + '.gz'), ('zst', plain + '.zst'), ('xz', plain + '.xz')]
print(f'input: {mb:.1f} MB of text, {what}; compressed: ' +
      ', '.join(f'{z} {os.path.getsize(p) / 1e6:.1f} MB' for z, p in forms[1:]) + f'; median of {runs}')

def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime

def t(argv, path):
    ts, cs, out = [], [], None
    for _ in range(runs):
        s, c = time.perf_counter(), cpu()
        p = subprocess.run(argv + [path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ts.append(time.perf_counter() - s)
        cs.append(cpu() - c)
        assert p.returncode == 0, (argv, path, p.stderr[-300:])
        out = p.stdout
    return statistics.median(ts), statistics.median(cs), out

print(f'{"":34s} {"form":5s} {"wall":>8s} {"MB/s":>7s} {"x plain":>7s}  {"CPU":>8s} {"MB/s":>7s} {"x plain":>7s}')
def row(name, z, v, base):
    w, c = v[0], v[1]
    print(f'{name:34s} {z:5s} {w:6.3f} s {mb / w:7.1f} {base[0] / w:7.2f}  {c:6.3f} s {mb / c:7.1f} {base[1] / c:7.2f}')

dec = {'plain': ['cat'], 'gz': ['gzip', '-dc'], 'zst': ['zstd', '-qdc'], 'xz': ['xz', '-dc']}
base = None
for z, p in forms:
    v = t(dec[z], p)
    base = base or v
    row('decompressor alone (' + ' '.join(dec[z]) + ')', z, v, base)
for name, argv in (('hanfold fingerprint --threads 1', [h, 'fingerprint', '--threads', '1']),
                   ('hanfold fingerprint --threads 2', [h, 'fingerprint', '--threads', '2']),
                   ('hanfold dedup', [h, 'dedup'])):
    base = None
    for z, p in forms:
        v = t(argv, p)
        if base is None:
            base = v
        elif v[2] != base[2]:
            sys.exit(f'FAIL: {name} writes other bytes for the .{z} input than for the plain one')
        row(name, z, v, base)
PY
