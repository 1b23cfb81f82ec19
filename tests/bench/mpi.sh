#!/bin/sh
# Benchmark (not a test): hanfold-mpi against hanfold on N synthetic
# headline-like records (default 1,000,000; 20% planted reposts), for 1 and
# 2 ranks (or the rank counts in RANKS): wall time, records/s, the time per
# stage of the slowest rank, bytes exchanged between ranks per record, peak
# memory per rank; and whether the output equals hanfold's.
#   tests/bench/mpi.sh [BUILD_DIR] [N]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=${1:-build}
N=${2:-1000000}
RANKS=${RANKS:-1 2}
H=$B/src/hanfold M=$B/src/hanfold-mpi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-bench.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
python3 "$here/gen-headlines.py" "$N" "$tmp/in.txt"
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
