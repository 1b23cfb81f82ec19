#!/bin/sh
# Benchmark (not a test): hanfold-mpi against hanfold on N synthetic
# headline-like records (default 1,000,000; 20% planted reposts), for 1 and
# 2 ranks (or the rank counts in RANKS): wall time, records/s, the time per
# stage of the slowest rank, bytes exchanged between ranks per record, peak
# memory per rank; and whether the output equals hanfold's.
#   tests/bench/mpi.sh [BUILD_DIR] [N]
set -eu
B=${1:-build}
N=${2:-1000000}
RANKS=${RANKS:-1 2}
H=$B/src/hanfold M=$B/src/hanfold-mpi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
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
echo "$N synthetic records, $(($(wc -c < "$tmp/in.txt") / 1000000)) MB; $(nproc) processors"
t0=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$tmp/rss" "$H" cluster --threads 1 "$tmp/in.txt" > "$tmp/want"
t1=$(date +%s.%N)
echo "hanfold cluster --threads 1: $(echo "$t1 - $t0" | bc) s, $(echo "$N / ($t1 - $t0)" | bc) records/s, peak $(($(cat "$tmp/rss") / 1024)) MB"
t0=$(date +%s.%N)
"$H" cluster "$tmp/in.txt" > /dev/null
t1=$(date +%s.%N)
echo "hanfold cluster ($(nproc) threads): $(echo "$t1 - $t0" | bc) s, $(echo "$N / ($t1 - $t0)" | bc) records/s"
for n in $RANKS; do
    t0=$(date +%s.%N)
    mpirun -np "$n" "$M" cluster --stats --threads 1 --output "$tmp/got" "$tmp/in.txt" 2> "$tmp/err"
    t1=$(date +%s.%N)
    echo "hanfold-mpi cluster, $n rank(s), 1 thread each: $(echo "$t1 - $t0" | bc) s, $(echo "$N / ($t1 - $t0)" | bc) records/s, output identical: $(cmp -s "$tmp/want" "$tmp/got" && echo yes || echo NO)"
    grep 'rank 0:\|other rank\|exchanged\|peak memory' "$tmp/err" | sed 's/^hanfold-mpi: stats: /    /'
done
