#!/usr/bin/python3
"""Benchmark (not a test): the Python module against the program, in one run.

    PYTHONPATH=build/src/python python3 tests/bench/python.py [HANFOLD] [MB]
    meson test -C build --benchmark python

Input: the texts of ../shared/eval/reposts.jsonl (real Weibo posts) and
sentences.jsonl, line breaks inside a post made spaces, shuffled (fixed
seed) and repeated to about MB megabytes (default 20).  Median of RUNS
(default 3) runs, wall clock, default threads (one per processor):
  hanfold.fingerprint_many(texts)          MB/s
  hanfold fingerprint --input lines FILE   MB/s (the program, rows to /dev/null)
  hanfold.normalize(t) for t in texts      MB/s (one record a call)
  hanfold.fingerprint(t) for t in texts    MB/s (one record a call)
and the ratios of fingerprint_many to the others, naming the processor.
"""
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import hanfold

here = os.path.dirname(os.path.abspath(__file__))
H = sys.argv[1] if len(sys.argv) > 1 else 'build/src/hanfold'
MB = float(sys.argv[2]) if len(sys.argv) > 2 else 20
RUNS = int(os.environ.get('RUNS', '3'))
shared = os.environ.get('SHARED', os.path.join(here, '..', '..', '..', 'shared'))
if not os.path.isfile(os.path.join(shared, 'eval', 'reposts.jsonl')):
    print('skip: %s not found' % shared)
    sys.exit(77)

texts = []
for name in ('reposts.jsonl', 'sentences.jsonl'):
    with open(os.path.join(shared, 'eval', name), encoding='utf-8') as f:
        texts += [' '.join(json.loads(l)['text'].splitlines()) for l in f if l.strip()]
random.seed(5)
random.shuffle(texts)
unit = sum(len(t.encode()) + 1 for t in texts)
texts = texts * max(1, int(MB * 1e6 / unit + 0.5))
size = sum(len(t.encode()) + 1 for t in texts)


def cpu_s():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def best(f):
    """Median wall-clock and CPU (user + system, this process and its
    children) seconds: on a shared machine the CPU time is the figure that
    does not depend on what else runs."""
    ts, cs = [], []
    for _ in range(RUNS):
        t, c = time.perf_counter(), cpu_s()
        f()
        ts.append(time.perf_counter() - t)
        cs.append(cpu_s() - c)
    return statistics.median(ts), statistics.median(cs)


def cpu():
    try:
        out = subprocess.run(['lscpu'], capture_output=True, text=True).stdout
        model = next(l.split(':', 1)[1].strip() for l in out.splitlines() if l.startswith('Model name'))
    except (OSError, StopIteration):
        model = 'unknown processor'
    return '%s, %d processors online' % (model, os.cpu_count())


with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, 'in.txt')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(''.join(t + '\n' for t in texts))
    # same fingerprints first: the comparison is of the same work
    rows = subprocess.run([H, 'fingerprint', '--input', 'lines', path], capture_output=True, text=True,
                          check=True).stdout.splitlines(keepends=True)
    fps = hanfold.fingerprint_many(texts)
    same = all(fp.row(str(i + 1)) == r for i, (fp, r) in enumerate(zip(fps, rows)))
    del fps, rows

    def program():
        with open(os.devnull, 'w') as null:
            subprocess.run([H, 'fingerprint', '--input', 'lines', path], stdout=null, check=True)

    t_many = best(lambda: hanfold.fingerprint_many(texts))
    t_prog = best(program)
    t_norm = best(lambda: [hanfold.normalize(t) for t in texts])
    t_fp1 = best(lambda: [hanfold.fingerprint(t) for t in texts])

def mbs(t):
    return size / 1e6 / t


print('processor: %s; load average %.1f' % (cpu(), os.getloadavg()[0]))
print('input: %.1f MB, %d records (Weibo posts and Wikipedia sentences), median of %d runs' %
      (size / 1e6, len(texts), RUNS))
print('fingerprints identical to the program: %s' % ('yes' if same else 'NO'))
print('%-40s %12s %12s' % ('', 'wall MB/s', 'CPU MB/s'))
for name, (w, c) in [('hanfold.fingerprint_many', t_many), ('hanfold fingerprint (the program)', t_prog),
                     ('hanfold.normalize, one record a call', t_norm),
                     ('hanfold.fingerprint, one record a call', t_fp1)]:
    print('%-40s %12.1f %12.1f' % (name, mbs(w), mbs(c)))
for name, t in [('program fingerprint', t_prog), ('normalize one at a time', t_norm),
                ('fingerprint one at a time', t_fp1)]:
    print('ratio fingerprint_many / %-26s wall %.2fx, CPU %.2fx' % (name + ':', t[0] / t_many[0], t[1] / t_many[1]))
sys.exit(0 if same else 1)
