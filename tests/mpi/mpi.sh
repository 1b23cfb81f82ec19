#!/bin/bash
# hanfold-mpi against hanfold: for N = 1, 2 and 4 ranks the output must be
# byte-identical to the single process, on the shared development sets (when
# ../shared/eval exists) and on a synthetic corpus that takes every path
# (tests/mpi/gen-corpus.py), with windows small enough that most candidate
# pairs cross ranks and windows, and with a posting cap of 3 so that the cap
# decides many pairs.  Then the job's manners: stdin, --output only on
# success, a failed rank, usage errors.  Skips (77) without hanfold-mpi or
# mpirun.
. "$(dirname "$0")/lib.sh"
EVAL=${HANFOLD_EVAL:-$HERE/../../../shared/eval}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-mpi-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# same NAME ARGS...: hanfold ARGS vs hanfold-mpi ARGS on 1, 2, 4 ranks:
# stdout, the --dropped file if any, and the exit status
same() {
    local name=$1; shift
    "$HANFOLD" "$@" > "$TMP/want" 2> "$TMP/want.err"; local ws=$?
    [ -f "$TMP/dropped" ] && mv "$TMP/dropped" "$TMP/want.dropped"
    for n in ${MPI_RANKS:-1 2 4}; do
        cases=$((cases + 1))
        mpi "$n" "$@" > "$TMP/got" 2> "$TMP/got.err"; local gs=$?
        if [ "$gs" != "$ws" ] || ! cmp -s "$TMP/want" "$TMP/got"; then
            fail "$name np=$n W=${HANFOLD_MPI_WINDOW:-default}: status $gs (want $ws), $(diff "$TMP/want" "$TMP/got" | grep -c '^>') rows differ"
            head -c 400 "$TMP/got.err"
        fi
        if [ -f "$TMP/want.dropped" ] && ! cmp -s "$TMP/want.dropped" "$TMP/dropped"; then
            fail "$name np=$n: --dropped differs"
        fi
        rm -f "$TMP/dropped"
    done
    rm -f "$TMP/want.dropped"
    # the rows are worth comparing only if they say something
    [ -s "$TMP/want" ] || fail "$name: empty output"
}

python3 "$HERE/gen-corpus.py" 20000 > "$TMP/syn.txt"
"$HANFOLD" fingerprint "$TMP/syn.txt" > "$TMP/syn.fp" 2>/dev/null
head -n 2500 "$TMP/syn.txt" > "$TMP/syn-head.txt"

if [ -d "$EVAL" ]; then
    export HANFOLD_MPI_WINDOW=97
    same "dev sentences" cluster --input jsonl "$EVAL/sentences.jsonl"
    same "dev sentences dedup" dedup --input jsonl "$EVAL/sentences.jsonl"
    same "real reposts" cluster --input jsonl "$EVAL/reposts.jsonl"
    same "real reposts dedup" dedup --input jsonl --dropped "$TMP/dropped" "$EVAL/reposts.jsonl"
    same "real reposts, representative linkage" cluster --linkage representative --input jsonl "$EVAL/reposts.jsonl"
    same "real reposts, budget 2" cluster --verify-budget 2 --input jsonl "$EVAL/reposts.jsonl"
    same "maint-guide chapters" cluster --input files "$EVAL"/maint-guide/*
    same "seed headlines" cluster "$EVAL/seed-headlines.txt"
    unset HANFOLD_MPI_WINDOW
    same "dev sentences, one window" cluster --format jsonl --input jsonl "$EVAL/sentences.jsonl"
else
    echo "no $EVAL: development sets skipped"
fi

for w in 16384 997 1; do
    export HANFOLD_MPI_WINDOW=$w
    [ "$w" = 1 ] && { same "synthetic, window $w" cluster "$TMP/syn-head.txt"; continue; }
    same "synthetic cluster, window $w" cluster "$TMP/syn.txt"
    same "synthetic dedup, window $w" dedup --dropped "$TMP/dropped" "$TMP/syn.txt"
    same "synthetic fingerprints, window $w" cluster --format csv --fingerprints "$TMP/syn.fp"
    same "synthetic cap 3, window $w" cluster --posting-cap 3 "$TMP/syn.txt"
done
export HANFOLD_MPI_WINDOW=50
same "synthetic dedup cap 3, window 50" dedup --posting-cap 3 "$TMP/syn.txt"
# representative linkage (no chains: differs from the default on this corpus, checked)
same "representative linkage, window 50" cluster --linkage representative "$TMP/syn.txt"
cases=$((cases + 1))
"$HANFOLD" cluster "$TMP/syn.txt" > "$TMP/rep" 2>/dev/null
cmp -s "$TMP/want" "$TMP/rep" && fail "representative linkage gives the default's clusters: the case proves nothing"
same "representative linkage, cap 3, window 50" cluster --posting-cap 3 --linkage representative "$TMP/syn.txt"
# a verification budget of 2 decides many records (the default, 32, none here)
same "budget 2, window 50" cluster --verify-budget 2 "$TMP/syn.txt"
# identical keys beyond the posting cap: one cluster with single linkage too
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do printf '转发微博\n转发微博！\n'; done > "$TMP/same.txt"
same "identical keys over the posting cap, window 50" cluster --posting-cap 3 "$TMP/same.txt"
cases=$((cases + 1))
[ "$("$HANFOLD" cluster --posting-cap 3 "$TMP/same.txt" | cut -f2 | sort -u)" = 1 ] ||
    fail "identical keys over the posting cap are not one cluster"
same "budget 2, representative linkage, window 50" cluster --verify-budget 2 --linkage representative "$TMP/syn.txt"
same "budget 2, dedup, window 50" dedup --verify-budget 2 --dropped "$TMP/dropped" "$TMP/syn.txt"
cases=$((cases + 1))
"$HANFOLD" cluster --verify-budget 2 "$TMP/syn.txt" > "$TMP/b2" 2>/dev/null
"$HANFOLD" cluster "$TMP/syn.txt" > "$TMP/b0" 2>/dev/null
cmp -s "$TMP/b0" "$TMP/b2" && fail "a budget of 2 changes nothing: the budget cases prove nothing"
same "single linkage, cap 3, window 50" cluster --posting-cap 3 --format jsonl --linkage single "$TMP/syn.txt"
cases=$((cases + 1))
mpi 1 dedup --linkage single "$TMP/syn.txt" > /dev/null 2> "$TMP/err"
[ $? = 2 ] && grep -q "dedup compares with kept records only" "$TMP/err" || fail "dedup --linkage single: not refused as hanfold does"
same "thresholds" cluster --threshold 0.7 --min-ratio 0.3 "$TMP/syn.txt"
same "exit status" dedup --exit-status "$TMP/syn.txt"
same "traditional target" cluster --to traditional "$TMP/syn.txt"
# bad input: records over --max-record (passed through, drained at their
# place), malformed JSONL, an unreadable input among readable ones
same "oversize records, dedup" dedup --max-record 1k "$TMP/syn.txt"
same "oversize records, cluster" cluster --max-record 1k "$TMP/syn.txt"
head -n 300 "$TMP/syn.txt" | python3 "$HERE/to-jsonl.py" > "$TMP/bad.jsonl"
same "malformed jsonl, cluster" cluster --input jsonl "$TMP/bad.jsonl"
same "malformed jsonl, dedup" dedup --input jsonl "$TMP/bad.jsonl"
same "unreadable input" cluster "$TMP/syn-head.txt" "$TMP/does-not-exist" "$TMP/syn-head.txt"

# the cap really decides pairs here (or the cap cases above prove nothing)
cases=$((cases + 1))
"$HANFOLD" cluster "$TMP/syn.txt" > "$TMP/c2000" 2>/dev/null
"$HANFOLD" cluster --posting-cap 3 "$TMP/syn.txt" > "$TMP/c3" 2>/dev/null
cmp -s "$TMP/c2000" "$TMP/c3" && fail "a posting cap of 3 changes nothing on the synthetic corpus"

# stdin reaches rank 0
cases=$((cases + 1))
mpi 2 cluster < "$TMP/syn.txt" > "$TMP/got" 2>/dev/null
"$HANFOLD" cluster < "$TMP/syn.txt" > "$TMP/want" 2>/dev/null
cmp -s "$TMP/want" "$TMP/got" || fail "stdin"

# --output appears only when the job succeeded
cases=$((cases + 1))
mpi 2 cluster --output "$TMP/out.tsv" "$TMP/syn.txt" 2>/dev/null
cmp -s "$TMP/c2000" "$TMP/out.tsv" || fail "--output"
rm -f "$TMP/out.tsv"
# -o, the common option of hanfold (issue 22)
cases=$((cases + 1))
mpi 2 cluster -o "$TMP/out.tsv" "$TMP/syn.txt" 2>/dev/null
cmp -s "$TMP/c2000" "$TMP/out.tsv" || fail "-o"
rm -f "$TMP/out.tsv"
# --stats=json: one object on stderr, counts as hanfold's
cases=$((cases + 1))
mpi 2 dedup --stats=json "$TMP/syn.txt" > /dev/null 2> "$TMP/err"
"$HANFOLD" dedup --stats=json "$TMP/syn.txt" > /dev/null 2> "$TMP/err1"
python3 - "$TMP/err" "$TMP/err1" <<'PY' || fail "--stats=json"
import json, sys
m = json.loads(open(sys.argv[1]).read().strip().split('\n')[-1])
h = json.loads(open(sys.argv[2]).read().strip().split('\n')[-1])
assert m["ranks"] == 2 and "rank0_seconds" in m, m
for k in ("read", "written", "dropped", "invalid"):
    assert m[k] == h[k], (k, m[k], h[k])
PY
for r in 0 1; do
    cases=$((cases + 1))
    HANFOLD_MPI_FAIL_RANK=$r mpi 2 cluster --output "$TMP/out.tsv" "$TMP/syn.txt" > /dev/null 2> "$TMP/err"
    st=$?
    [ "$st" != 0 ] || fail "failed rank $r: exit status 0"
    grep -q "rank $r: failing on purpose" "$TMP/err" || fail "failed rank $r: no message"
    ls "$TMP"/out.tsv* > /dev/null 2>&1 && fail "failed rank $r: output left behind: $(ls "$TMP"/out.tsv*)"
done
# rank 0 itself killed with SIGKILL mid-job: no handler runs, still nothing
# is left (the output has no name until the end)
cases=$((cases + 1))
python3 "$HERE/../bench/gen-headlines.py" 300000 "$TMP/big.txt"
mpi 2 cluster --threads 1 --output "$TMP/out.tsv" "$TMP/big.txt" > /dev/null 2>&1 &
for i in $(seq 50); do
    r0=$(pgrep -f "^$HANFOLD_MPI cluster --threads 1 --output $TMP/out.tsv" | head -1)
    [ -n "$r0" ] && break
    sleep 0.1
done
sleep 0.3
[ -n "$r0" ] && kill -9 "$r0"
wait
ls "$TMP"/out.tsv* > /dev/null 2>&1 && fail "rank 0 killed: output left behind: $(ls "$TMP"/out.tsv*)"
[ -n "$r0" ] || fail "rank 0 killed: rank 0 not found"
cases=$((cases + 1))
mpi 2 cluster --strict --output "$TMP/out.tsv" "$TMP/syn.txt" > /dev/null 2> "$TMP/err"
st=$?
[ "$st" = 2 ] && grep -q "invalid byte sequence (--strict); stopping" "$TMP/err" || fail "--strict: status $st"
ls "$TMP"/out.tsv* > /dev/null 2>&1 && fail "--strict: incomplete output put in place"

# what it cannot do, it says
for args in "--index $TMP/x.db" "--keep longest" "--method simhash"; do
    cases=$((cases + 1))
    # shellcheck disable=SC2086
    mpi 1 dedup $args "$TMP/syn.txt" > /dev/null 2> "$TMP/err"
    st=$?
    [ "$st" = 2 ] && grep -q "not available in hanfold-mpi" "$TMP/err" || fail "$args: status $st: $(head -c 300 "$TMP/err")"
done
cases=$((cases + 1))
"$HANFOLD_MPI" --help | grep -q "mpirun" || fail "--help"
# every option the help names is in a man page (hanfold-mpi.1, or hanfold.1
# for the ones it shares)
for opt in $("$HANFOLD_MPI" cluster --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    cases=$((cases + 1))
    grep -q -- "\*$opt\*" "$HERE/../../man/hanfold-mpi.1.scd" "$HERE/../../man/hanfold.1.scd" ||
        fail "man pages do not describe $opt"
done

echo "$cases cases, $fails failed"
[ "$fails" -eq 0 ]
