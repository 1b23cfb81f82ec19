#!/bin/sh
# Benchmark (not a test): normalize and fingerprint speed on Chinese text,
# side by side with the opencc command, in one run.
#   tests/bench/normalize.sh [HANFOLD] [MB]
# Inputs (made here, about MB megabytes each, default 30):
#   trad  ../shared/bench/zuozhuan.txt through `opencc -c s2tw`, repeated;
#   simp  the texts of ../shared/eval/sentences.jsonl and the lines of the
#         maint-guide zh-cn chapters, shuffled (fixed seed) and repeated.
# Reports, median of RUNS (default 3) runs, one thread and two, both the
# wall-clock time and the CPU time (user + system: on a shared machine the
# one-thread figures that do not depend on what else runs):
#   hanfold normalize vs opencc -c tw2s / t2s on trad (MB/s and the ratio);
#   hanfold normalize --key and hanfold fingerprint on simp and on trad
#   (MB/s; traditional text goes through script conversion first).
# It also checks that `normalize --script-only --opencc-config tw2s|t2s`
# writes exactly what the opencc command writes on the same input.
set -eu
H=${1:-build/src/hanfold}
MB=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
shared=${SHARED:-$here/../../../shared}
[ -d "$shared/eval" ] && [ -f "$shared/bench/zuozhuan.txt" ] || { echo "skip: $shared not found"; exit 77; }
command -v opencc >/dev/null || { echo "skip: no opencc command"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-nbench.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
opencc -c s2tw -i "$shared/bench/zuozhuan.txt" -o "$tmp/zz-t.txt"
python3 - "$shared" "$MB" "$tmp" <<'PY'
import glob, json, random, sys
shared, mb, tmp = sys.argv[1], float(sys.argv[2]), sys.argv[3]
want = int(mb * 1e6)
t = open(tmp + '/zz-t.txt', encoding='utf-8').read()
with open(tmp + '/trad.txt', 'w', encoding='utf-8') as f:
    n = 0
    while n < want:
        f.write(t); n += len(t.encode())
lines = [json.loads(l)['text'] for l in open(shared + '/eval/sentences.jsonl', encoding='utf-8')]
for p in sorted(glob.glob(shared + '/eval/maint-guide/*.zh-cn.txt')):
    lines += [l for l in open(p, encoding='utf-8').read().split('\n') if l.strip()]
random.seed(5)
with open(tmp + '/simp.txt', 'w', encoding='utf-8') as f:
    n = 0
    while n < want:
        random.shuffle(lines)
        for l in lines:
            f.write(l + '\n'); n += len(l.encode()) + 1
PY
for c in tw2s t2s; do
    opencc -c $c -i "$tmp/trad.txt" -o "$tmp/ref-$c.txt"
    "$H" normalize --script-only --opencc-config $c --threads 1 "$tmp/trad.txt" > "$tmp/got-$c.txt"
    cmp -s "$tmp/ref-$c.txt" "$tmp/got-$c.txt" || { echo "FAIL: normalize --script-only --opencc-config $c differs from opencc -c $c"; exit 1; }
done
python3 - "$H" "$tmp" <<'PY'
import os, resource, statistics, subprocess, sys, time
h, tmp = sys.argv[1], sys.argv[2]
runs = int(os.environ.get('RUNS', '3'))
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
def t(argv, stdin):
    ts, cs = [], []
    for _ in range(runs):
        with open(stdin, 'rb') as i, open(os.devnull, 'wb') as o:
            s, c = time.perf_counter(), cpu()
            subprocess.run(argv, stdin=i, stdout=o, check=True)
            ts.append(time.perf_counter() - s)
            cs.append(cpu() - c)
    return statistics.median(ts), statistics.median(cs)
trad, simp = tmp + '/trad.txt', tmp + '/simp.txt'
mt, ms = os.path.getsize(trad) / 1e6, os.path.getsize(simp) / 1e6
print(f'inputs: trad {mt:.1f} MB (zuozhuan s2tw, repeated), simp {ms:.1f} MB (dev-set sentences + maint-guide zh-cn, shuffled); median of {runs}')
rows = []
o = {c: t(['opencc', '-c', c], trad) for c in ('tw2s', 't2s')}
for c in o:
    rows.append((f'opencc -c {c}', 'trad', mt, o[c]))
for th in (1, 2):
    s = t([h, 'normalize', '--threads', str(th)], trad)
    rows.append((f'hanfold normalize --threads {th}', 'trad', mt, s))
    for c in o:
        rows.append((f'  ratio vs opencc -c {c}', '', None, (o[c][0] / s[0], o[c][1] / s[1])))
for th in (1, 2):
    rows.append((f'hanfold normalize --key --threads {th}', 'simp', ms, t([h, 'normalize', '--key', '--threads', str(th)], simp)))
    rows.append((f'hanfold fingerprint --threads {th}', 'simp', ms, t([h, 'fingerprint', '--threads', str(th)], simp)))
# traditional text takes the stages (script conversion first): slower
for th in (1, 2):
    rows.append((f'hanfold normalize --key --threads {th}', 'trad', mt, t([h, 'normalize', '--key', '--threads', str(th)], trad)))
    rows.append((f'hanfold fingerprint --threads {th}', 'trad', mt, t([h, 'fingerprint', '--threads', str(th)], trad)))
print(f'{"":40s} {"input":5s} {"wall":>9s} {"MB/s":>8s}  {"CPU":>9s} {"MB/s":>8s}')
for name, inp, mb, v in rows:
    if mb is None:
        print(f'{name:40s} {"":5s} {v[0]:8.1f}x {"":8s}  {v[1]:8.1f}x')
    else:
        print(f'{name:40s} {inp:5s} {v[0]:7.3f} s {mb / v[0]:8.1f}  {v[1]:7.3f} s {mb / v[1]:8.1f}')
PY
