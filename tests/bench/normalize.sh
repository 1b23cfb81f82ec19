#!/bin/sh
# Benchmark (not a test): normalize and fingerprint speed on Chinese text,
# side by side with the opencc command, in one run.
#   tests/bench/normalize.sh [HANFOLD] [MB]
# Inputs (made here, about MB megabytes each, default 30):
#   trad  ../shared/bench/zuozhuan.txt through `opencc -c s2tw`, repeated;
#   web   the seed pages 000 and 002 and the maint-guide zh-tw chapters,
#         repeated: web text, short lines, a third ASCII;
#   weibo the texts of ../shared/eval/reposts.jsonl (real posts), repeated;
#   simp  the texts of ../shared/eval/sentences.jsonl and the lines of the
#         maint-guide zh-cn chapters, shuffled (fixed seed) and repeated.
# Reports, median of RUNS (default 3) runs, one thread and two, both the
# wall-clock time and the CPU time (user + system: on a shared machine the
# one-thread figures that do not depend on what else runs), and the
# processor (lscpu):
#   on trad, web and weibo: hanfold normalize vs opencc -c tw2s / t2s (MB/s
#   and the ratios) and hanfold fingerprint, and what a second thread gives;
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
def repeat(path, text):
    with open(path, 'w', encoding='utf-8') as f:
        n = 0
        while n < want:
            f.write(text); n += len(text.encode())
seeds = sorted(glob.glob(shared + '/seeds/000_*.txt')) + sorted(glob.glob(shared + '/seeds/002_*.txt'))
web = ''.join(open(p, encoding='utf-8').read() for p in seeds +
              sorted(glob.glob(shared + '/eval/maint-guide/*.zh-tw.txt')))
repeat(tmp + '/web.txt', web)
posts = [json.loads(l)['text'].replace('\n', ' ') for l in open(shared + '/eval/reposts.jsonl', encoding='utf-8')]
repeat(tmp + '/weibo.txt', '\n'.join(posts) + '\n')
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
cpu_name = next((l.split(':', 1)[1].strip() for l in subprocess.run(['lscpu'], capture_output=True, text=True).stdout.splitlines()
                 if l.startswith('Model name')), 'unknown')
print(f'processor: {cpu_name}, {os.cpu_count()} online')
print(f'inputs: trad {mt:.1f} MB (zuozhuan s2tw, repeated), web {os.path.getsize(tmp + "/web.txt") / 1e6:.1f} MB '
      f'(seeds 000, 002, maint-guide zh-tw), weibo {os.path.getsize(tmp + "/weibo.txt") / 1e6:.1f} MB (reposts.jsonl texts), '
      f'simp {ms:.1f} MB (dev-set sentences + maint-guide zh-cn, shuffled); median of {runs}')
rows = []
for name in ('trad', 'web', 'weibo'):
    path = tmp + '/' + name + '.txt'
    mb = os.path.getsize(path) / 1e6
    o = {c: t(['opencc', '-c', c], path) for c in ('tw2s', 't2s')}
    for c in o:
        rows.append((f'opencc -c {c}', name, mb, o[c]))
    one = None
    for th in (1, 2):
        s = t([h, 'normalize', '--threads', str(th)], path)
        rows.append((f'hanfold normalize --threads {th}', name, mb, s))
        for c in o:
            rows.append((f'  ratio vs opencc -c {c}', '', None, (o[c][0] / s[0], o[c][1] / s[1])))
        if th == 1:
            one = s
        else:
            rows.append(('  2 threads vs 1 (speed-up; CPU 1/2)', '', None, (one[0] / s[0], one[1] / s[1])))
    f1 = t([h, 'fingerprint', '--threads', '1'], path)
    f2 = t([h, 'fingerprint', '--threads', '2'], path)
    rows.append(('hanfold fingerprint --threads 1', name, mb, f1))
    rows.append(('hanfold fingerprint --threads 2', name, mb, f2))
    rows.append(('  2 threads vs 1 (speed-up; CPU 1/2)', '', None, (f1[0] / f2[0], f1[1] / f2[1])))
for th in (1, 2):
    rows.append((f'hanfold normalize --key --threads {th}', 'simp', ms, t([h, 'normalize', '--key', '--threads', str(th)], simp)))
    rows.append((f'hanfold fingerprint --threads {th}', 'simp', ms, t([h, 'fingerprint', '--threads', str(th)], simp)))
# traditional text takes the stages (script conversion first): slower
for th in (1, 2):
    rows.append((f'hanfold normalize --key --threads {th}', 'trad', mt, t([h, 'normalize', '--key', '--threads', str(th)], trad)))
print(f'{"":40s} {"input":5s} {"wall":>9s} {"MB/s":>8s}  {"CPU":>9s} {"MB/s":>8s}   (ratios: wall, CPU)')
for name, inp, mb, v in rows:
    if mb is None:
        print(f'{name:40s} {"":5s} {v[0]:8.1f}x {"":8s}  {v[1]:8.1f}x')
    else:
        print(f'{name:40s} {inp:5s} {v[0]:7.3f} s {mb / v[0]:8.1f}  {v[1]:7.3f} s {mb / v[1]:8.1f}')
PY
