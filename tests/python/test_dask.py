"""examples/dask_dedup.py on a LocalCluster of 2 worker processes: the
clusters identical to `hanfold cluster` on the same shards, and the kept
records each cluster's first.  Skips (77) without dask.distributed or
../shared."""
import os
import subprocess
import sys
import tempfile
import time

try:
    import dask.bag  # noqa: F401
    import dask.distributed  # noqa: F401
except ImportError as e:
    print('skip: %s (apt-get install python3-dask python3-distributed)' % e)
    sys.exit(77)

HANFOLD = os.environ['HANFOLD']
EVAL = os.path.join(os.environ.get('SHARED', ''), 'eval')
EXAMPLE = os.path.join(os.environ['SRCDIR'], 'examples', 'dask_dedup.py')
if not os.path.isfile(os.path.join(EVAL, 'reposts.jsonl')):
    print('skip: no ../shared/eval')
    sys.exit(77)

status = 0
with tempfile.TemporaryDirectory() as tmp:
    # both development sets, each cut into three shards, in one run each
    for name in ('sentences.jsonl', 'reposts.jsonl'):
        with open(os.path.join(EVAL, name), encoding='utf-8') as f:
            lines = f.readlines()
        shards = []
        k = (len(lines) + 2) // 3
        for s in range(3):
            path = os.path.join(tmp, '%s.%d.jsonl' % (name, s))
            with open(path, 'w', encoding='utf-8') as f:
                f.writelines(lines[s * k:(s + 1) * k])
            shards.append(path)
        want = subprocess.run([HANFOLD, 'cluster', '--format', 'tsv', '--input', 'jsonl'] + shards,
                              capture_output=True, text=True, check=True).stdout
        t = time.time()
        p = subprocess.run([sys.executable, EXAMPLE, '--workers', '2', '--output', os.path.join(tmp, 'kept'),
                            '--clusters', os.path.join(tmp, 'clusters')] + shards, capture_output=True, text=True)
        dt = time.time() - t
        if p.returncode != 0:
            print('FAIL %s: dask_dedup.py exited %d\n%s' % (name, p.returncode, p.stderr[-3000:]))
            status = 1
            continue
        with open(os.path.join(tmp, 'clusters'), encoding='utf-8') as f:
            got = f.read()
        rows = [r.split('\t') for r in want.splitlines()]
        first = [l for l, r in zip(lines, rows) if r[0] == r[1]]
        with open(os.path.join(tmp, 'kept'), encoding='utf-8') as f:
            kept = f.readlines()
        ok = got == want and kept == first
        print('%s %s: %d records in 3 shards, %d clusters, %d kept; clusters %s hanfold cluster, '
              'kept records %s; %.1f s' % ('ok' if ok else 'FAIL', name, len(rows), len({r[1] for r in rows}),
                                           len(kept), 'identical to' if got == want else 'DIFFER from',
                                           'identical' if kept == first else 'DIFFER', dt))
        if not ok:
            status = 1
sys.exit(status)
