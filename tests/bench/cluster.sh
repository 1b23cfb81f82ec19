#!/bin/sh
# Benchmark (not a test): records/s and peak memory of fingerprint, cluster
# and dedup on N synthetic headline-like records (default 1,000,000) with 20%
# planted reposts (a prefix added, a character dropped); then clustering of
# N and BIG (default 10,000,000) fingerprint rows of the same kind: the key
# method, --method simhash and a brute-force SimHash scan, side by side.
#   tests/bench/cluster.sh [HANFOLD] [N] [BIG]
# BIG=0 skips the second size.  KEY_BIG=0 skips the key method at BIG (about
# 25 s and 440 MB, and again with one thread).  RUNS (default 3): runs per
# timing, the median reported.
set -eu
H=${1:-build/src/hanfold}
N=${2:-1000000}
BIG=${3:-10000000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-bench.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
M=$N; [ "$BIG" -gt "$N" ] && M=$BIG
# the records: the first N of M are the N-record set (same seed, same order)
python3 "$here/gen-headlines.py" "$M" "$tmp/all.txt"
head -n "$N" "$tmp/all.txt" > "$tmp/in.txt"
# the brute-force peer, with the machine's best flags (vectorized scan)
${CC:-cc} -O3 -march=native -o "$tmp/brute" "$here/simhash_brute.c"
python3 - "$H" "$N" "$BIG" "$tmp" <<'PY'
import os, statistics, subprocess, sys, time
h, n, big, tmp = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
runs = int(os.environ.get('RUNS', '3'))
key_big = os.environ.get('KEY_BIG', '1') != '0'

def run1(argv, out, stdin=None):
    t = time.time()
    with open(out, 'wb') as o:
        i = open(stdin, 'rb') if stdin else None
        pid = os.fork()
        if pid == 0:
            os.dup2(o.fileno(), 1)
            if i:
                os.dup2(i.fileno(), 0)
            os.execv(argv[0], argv)
        _, status, ru = os.wait4(pid, 0)
        if i:
            i.close()
    dt = time.time() - t
    assert status == 0, (argv, status)
    return dt, ru.ru_maxrss * 1024

def run(name, argv, out, recs, times=1, stdin=None):
    r = [run1(argv, out, stdin) for _ in range(times)]
    dt = statistics.median(x[0] for x in r)
    peak = max(x[1] for x in r)
    print('%-40s %8.2f s %10.0f records/s %8.0f MB peak%s' % (
        name, dt, recs / dt, peak / 1e6, '  (median of %d)' % times if times > 1 else ''))
    return dt, peak

def ids_bytes(path, reps_only):
    """What the run holds of the ids: every record's id, or the
    representatives' only (both methods stream: a representative's id is
    the cluster id of the records that join it), NUL each."""
    seen, total = set(), 0
    with open(path, 'rb') as f:
        for line in f:
            a, c = line.split(b'\t')[:2]
            if reps_only:
                if c not in seen:
                    seen.add(c)
                    total += len(c) + 1
            else:
                total += len(a) + 1
    return total, len(seen)

size = os.path.getsize(tmp + '/in.txt') / 1e6
print('%d synthetic records, %.1f MB of text' % (n, size))
run('fingerprint (text)', [h, 'fingerprint', tmp + '/in.txt'], tmp + '/fp', n)
run('cluster (text)', [h, 'cluster', tmp + '/in.txt'], tmp + '/c2', n)
run('cluster --method simhash (text)', [h, 'cluster', '--method', 'simhash', tmp + '/in.txt'], tmp + '/s2', n)
run('dedup (text, streaming)', [h, 'dedup', tmp + '/in.txt'], tmp + '/d', n)

sizes = [n] + ([big] if big > n else [])
if big > n:
    print('\nfingerprinting %d records for the second size...' % big)
    run('fingerprint (text)', [h, 'fingerprint', tmp + '/all.txt'], tmp + '/fpall', big)
    os.system('head -n %d %s/fpall > %s/fp.check' % (n, tmp, tmp))
    assert open(tmp + '/fp.check', 'rb').read() == open(tmp + '/fp', 'rb').read()
    os.remove(tmp + '/fp.check')
empty = tmp + '/empty'
open(empty, 'w').close()
_, base = run1([h, 'cluster', '--method', 'simhash', '--fingerprints', empty], tmp + '/e')
print('\n(process with no input: %.1f MB; counted in bytes/record below, not subtracted)' % (base / 1e6))
print('bytes/record = (peak RSS - the ids it holds) / records; ids = each held id + NUL:')
print('every record\'s for the key method\'s default single linkage (rows written at the end), the')
print('representatives\' for the streaming runs (their ids label the records that join them).')
table = []
for m in sizes:
    fp = tmp + '/fp' if m == n else tmp + '/fpall'
    print('\n%d fingerprint rows (%.0f MB)' % (m, os.path.getsize(fp) / 1e6))
    res = {}
    if m == n or key_big:
        # the default, single linkage, holds every record's id (rows at the end)
        t, peak = run('cluster --fingerprints (key method)', [h, 'cluster', '--fingerprints', fp],
                      tmp + '/ck', m, runs if m == n else 1)
        ib, _ = ids_bytes(tmp + '/ck', False)
        res['key'] = (t, peak, ib)
        t, peak = run('  the same, --linkage representative', [h, 'cluster', '--linkage', 'representative',
                      '--fingerprints', fp], tmp + '/ckr', m, runs if m == n else 1)
        ib, _ = ids_bytes(tmp + '/ckr', True)
        res['keyrep'] = (t, peak, ib)
        # one core: the rows are then parsed on the clustering thread too
        t1, peak1 = run('  the same, --threads 1', [h, 'cluster', '--threads', '1', '--fingerprints', fp],
                        tmp + '/ck1', m, runs if m == n else 1)
        assert open(tmp + '/ck1', 'rb').read() == open(tmp + '/ck', 'rb').read()
        res['key1'] = (t1, peak1, res['key'][2])
    else:
        print('cluster --fingerprints (key method)      skipped (KEY_BIG=0)')
    t, peak = run('cluster --method simhash --fingerprints', [h, 'cluster', '--method', 'simhash',
                  '--fingerprints', fp], tmp + '/cs', m, runs)
    ib, reps = ids_bytes(tmp + '/cs', True)
    if m == n:
        for a, b, what in (('ck', 'c2', 'key method'), ('cs', 's2', 'simhash')):
            same = open(tmp + '/' + a, 'rb').read() == open(tmp + '/' + b, 'rb').read()
            print('  %s: cluster from fingerprints == cluster from text: %s' % (what, same))
    res['simhash'] = (t, peak, ib)
    # brute force: all of N (checked against hanfold), extrapolated to BIG
    # as n^2 (the representatives grow with n)
    if m == n:
        t, peak = run('brute-force scan (vectorized C)', [tmp + '/brute', '3'], tmp + '/cb', m, 1, stdin=fp)
        same = open(tmp + '/cb', 'rb').read() == open(tmp + '/cs', 'rb').read()
        print('  brute force output == hanfold --method simhash output:', same)
        assert same
        brute_n = t
        res['brute'] = (t, peak, ib)
    else:
        t = brute_n * (m / n) ** 2
        print('%-40s %8.1f s %10.0f records/s   (extrapolated: %.2f s at %d rows x %.1f^2)' % (
            'brute-force scan (vectorized C)', t, m / t, brute_n, n, m / n))
        res['brute'] = (t, None, None)
    print('  simhash: %d representatives of %d records (%.1f%%)' % (reps, m, 100.0 * reps / m))
    for meth in ('key', 'key1', 'keyrep', 'simhash', 'brute'):
        if meth in res and res[meth][1] is not None:
            t, peak, ib = res[meth]
            print('  %-8s peak %7.1f MB - ids %6.1f MB = %6.1f bytes/record' % (
                meth, peak / 1e6, ib / 1e6, (peak - ib) / m))
    table.append((m, res))
print('\nsummary (two threads: rows parsed on one while the other clusters, unless said; ratios to --method simhash)')
print('%-12s %-30s %10s %12s %10s %8s' % ('rows', 'method', 'seconds', 'records/s', 'B/record', 'x time'))
for m, res in table:
    ts = res['simhash'][0]
    for meth, label in (('key', 'key (LCS verification)'), ('key1', 'key, --threads 1'),
                        ('keyrep', 'key, representative linkage'),
                        ('simhash', 'simhash (blocked index)'), ('brute', 'simhash brute force (1 core)')):
        if meth not in res:
            continue
        t, peak, ib = res[meth]
        bpr = '%.1f' % ((peak - ib) / m) if ib is not None else '-'
        note = '' if peak is not None else ' (extrapolated)'
        print('%-12d %-30s %10.2f %12.0f %10s %8.1f%s' % (m, label, t, m / t, bpr, t / ts, note))
PY
