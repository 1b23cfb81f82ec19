#!/bin/bash
# hanfold-mpi loses nothing without a message (issue 23): standard output
# that cannot be written (/dev/full, closed, a full file system) fails the
# job and stops it early; --output appears only after a job that succeeded
# (not after a read error), durably (fsync), replacing a symbolic link but
# never a device or FIFO; a stopped rank is reported by name, and rank 0
# does not spin while it waits.  Skips (77) without hanfold-mpi or mpirun.
. "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-mpi-faults.XXXXXX")
TMP=$(cd "$TMP" && pwd -P) # the fault shim compares resolved paths
trap 'rm -rf "$TMP"' EXIT
case_() { cases=$((cases + 1)); }
# records read, from --stats
read_count() { sed -n 's/.*stats: read \([0-9]*\),.*/\1/p' "$1"; }

python3 "$HERE/gen-corpus.py" 20000 > "$TMP/syn.txt"
head -n 2000 "$TMP/syn.txt" > "$TMP/head.txt"
"$HANFOLD" cluster "$TMP/head.txt" > "$TMP/want" 2>/dev/null
"$HANFOLD" dedup "$TMP/syn.txt" > "$TMP/want.dedup" 2>/dev/null
# small windows: an early stop shows in the records read
export HANFOLD_MPI_WINDOW=1000
# devices of our own where we may make them: a failing test as root must not
# replace the machine's /dev/full or /dev/stdout (elsewhere it cannot)
FULL=/dev/full
mknod "$TMP/full" c 1 7 2>/dev/null && FULL=$TMP/full
ln -s /proc/self/fd/1 "$TMP/stdout"

# ---- standard output ----------------------------------------------------------
# /dev/full: the job fails with a message after one window
case_
mpi 2 dedup --stats "$TMP/syn.txt" > /dev/full 2> "$TMP/err"
st=$?
[ "$st" != 0 ] || fail "> /dev/full: exit status 0"
grep -q "^hanfold-mpi: standard output: write error: No space left on device; stopping" "$TMP/err" ||
    fail "> /dev/full: no message: $(head -c 300 "$TMP/err")"
n=$(read_count "$TMP/err")
[ -n "$n" ] && [ "$n" -lt 20000 ] || fail "> /dev/full: did not stop early (read ${n:-?} of 20000)"
# a closed standard output, and one whose descriptor mpirun reused for a
# pipe of its own (stdin closed too)
for how in '>&-' '<&- >&-'; do
    case_
    eval "mpi 2 cluster \"\$TMP/head.txt\" $how 2> \"\$TMP/err\""
    st=$?
    [ "$st" != 0 ] || fail "$how: exit status 0"
    grep -q "^hanfold-mpi: standard output is closed" "$TMP/err" || fail "$how: no message: $(head -c 300 "$TMP/err")"
done
# a file shared with what comes before and after (the same open file: its
# offset moves on), and mpirun's messages in it too
case_
{ echo header; mpi 2 cluster "$TMP/head.txt"; echo footer; } > "$TMP/got" 2>/dev/null
{ echo header; cat "$TMP/want"; echo footer; } | cmp -s - "$TMP/got" || fail "{ ...; } > file: output differs"
case_
mpi 2 cluster "$TMP/head.txt" > "$TMP/got" 2>&1
# the message may land between two writes of rows, so inside a row: taken
# out wherever it is
python3 -c 'import re, sys; sys.stdout.write(re.sub(r"hanfold-mpi: [^\n]*\n", "", open(sys.argv[1]).read()))' \
    "$TMP/got" > "$TMP/got.rows"
cmp -s "$TMP/want" "$TMP/got.rows" ||
    fail "> file 2>&1: output differs: $(diff "$TMP/want" "$TMP/got.rows" | head -8)"
grep -q '^hanfold-mpi: ' "$TMP/got" || fail "> file 2>&1: the message about invalid bytes is not there"
case_
echo old > "$TMP/app"
mpi 2 cluster "$TMP/head.txt" >> "$TMP/app" 2>/dev/null
{ echo old; cat "$TMP/want"; } | cmp -s - "$TMP/app" || fail ">> file: output differs"
# --output /dev/stdout is standard output, checked alike
case_
mpi 2 dedup --output "$TMP/stdout" "$TMP/syn.txt" > /dev/full 2> "$TMP/err"
st=$?
[ "$st" != 0 ] && grep -q "standard output: write error" "$TMP/err" || fail "--output /dev/stdout > /dev/full: status $st"
[ -L "$TMP/stdout" ] || fail "--output /dev/stdout: the link replaced"
# a pipe closed by its reader: the job stops, without a message of its own
case_
mpi 2 dedup --stats "$TMP/syn.txt" 2> "$TMP/err" | head -n 1 > "$TMP/got"
[ "$(cat "$TMP/got")" = "$(head -n 1 "$TMP/want.dedup")" ] || fail "| head: first line"
grep -q "write error:" "$TMP/err" && fail "| head: a message about the closed pipe"
n=$(read_count "$TMP/err")
[ -n "$n" ] && [ "$n" -lt 20000 ] || fail "| head: did not stop early (read ${n:-?} of 20000)"

# ---- --output ------------------------------------------------------------------
# a read error: the old file stays (an unreadable input among others, and a
# read error in the middle of a file through the fault shim)
case_
mkdir "$TMP/adir"
echo old > "$TMP/out.tsv"
mpi 2 cluster --output "$TMP/out.tsv" "$TMP/head.txt" "$TMP/adir" "$TMP/head.txt" > /dev/null 2> "$TMP/err"
st=$?
[ "$st" = 2 ] || fail "--output, a directory among the inputs: status $st"
[ "$(cat "$TMP/out.tsv")" = old ] || fail "--output, a directory among the inputs: output put in place"
grep -q "out.tsv: not written, the job did not succeed" "$TMP/err" || fail "--output after a read error: no message"
if [ -n "${FAULTINJECT:-}" ] && ! ldd "$HANFOLD_MPI" 2>/dev/null | grep -q 'lib[at]san\|libubsan'; then
    case_
    mpirun -np 2 -x LD_PRELOAD="$FAULTINJECT" -x HF_FAIL_READ_AFTER=1000000 -x HF_FAIL_READ_FILE="$TMP/syn.txt" \
        -x HANFOLD_MPI_WINDOW "$HANFOLD_MPI" cluster --output "$TMP/out.tsv" "$TMP/syn.txt" > /dev/null 2> "$TMP/err"
    st=$?
    [ "$st" = 2 ] && grep -q "syn.txt:[0-9]*: read error: Input/output error" "$TMP/err" ||
        fail "read error at 1 MB: status $st: $(head -c 300 "$TMP/err")"
    [ "$(cat "$TMP/out.tsv")" = old ] || fail "read error at 1 MB: output put in place"
else
    echo "no fault shim (or a sanitizer build): the read error in the middle of a file skipped"
fi
ls "$TMP"/out.tsv?* > /dev/null 2>&1 && fail "temporary files left behind: $(ls "$TMP"/out.tsv?*)"
# a symbolic link is replaced, its target untouched
case_
echo precious > "$TMP/target"
ln -s target "$TMP/link"
mpi 2 cluster --output "$TMP/link" "$TMP/head.txt" 2>/dev/null
st=$?
[ "$st" = 0 ] && [ -f "$TMP/link" ] && [ ! -L "$TMP/link" ] && cmp -s "$TMP/want" "$TMP/link" ||
    fail "--output over a symbolic link: status $st, not replaced by the output"
[ "$(cat "$TMP/target")" = precious ] || fail "--output over a symbolic link: its target written"
# permissions of the file replaced are kept
case_
"$HANFOLD" cluster "$TMP/head.txt" > "$TMP/mode.tsv" 2>/dev/null
chmod 640 "$TMP/mode.tsv"
mpi 2 cluster --output "$TMP/mode.tsv" "$TMP/head.txt" 2>/dev/null
[ "$(stat -c %a "$TMP/mode.tsv")" = 640 ] || fail "--output: mode $(stat -c %a "$TMP/mode.tsv") instead of 640"
# a device is written in place, never replaced: a null device of our own
# (a failing test must not replace the machine's /dev/null)
if mknod "$TMP/null" c 1 3 2>/dev/null; then
    case_
    mpi 2 cluster --output "$TMP/null" "$TMP/head.txt" 2>/dev/null
    st=$?
    [ "$st" = 0 ] && [ -c "$TMP/null" ] || fail "--output to a null device: status $st, $(stat -c %F "$TMP/null")"
else
    echo "mknod not permitted: --output to a null device skipped (the FIFO case stands for it)"
fi
case_
mkfifo "$TMP/fifo"
timeout 60 cat "$TMP/fifo" > "$TMP/got" &
mpi 2 cluster --output "$TMP/fifo" "$TMP/head.txt" 2>/dev/null
st=$?
wait
[ "$st" = 0 ] && [ -p "$TMP/fifo" ] && cmp -s "$TMP/want" "$TMP/got" || fail "--output to a FIFO: status $st, $(stat -c %F "$TMP/fifo")"
# a device that fails: stopped after a window, for --output and --dropped
for args in "--output $FULL" "--dropped $FULL --output $TMP/kept"; do
    case_
    # shellcheck disable=SC2086
    mpi 2 dedup --stats $args "$TMP/syn.txt" > /dev/null 2> "$TMP/err"
    st=$?
    n=$(read_count "$TMP/err")
    [ "$st" = 2 ] && grep -q "^hanfold-mpi: $FULL: write error: No space left on device; stopping" "$TMP/err" ||
        fail "$args: status $st: $(head -c 300 "$TMP/err")"
    [ -n "$n" ] && [ "$n" -lt 20000 ] || fail "$args: did not stop early (read ${n:-?} of 20000)"
    [ -e "$TMP/kept" ] && fail "$args: --output put in place"
    [ -c "$FULL" ] || fail "$args: $FULL replaced"
done
# durable: the file is synced before its rename, the directory after it
if command -v strace > /dev/null; then
    case_
    mkdir "$TMP/d"
    mpirun -np 1 strace -f -qq -o "$TMP/trace" -e trace=fsync,fdatasync,rename,renameat,renameat2 \
        "$HANFOLD_MPI" cluster --output "$TMP/d/out.tsv" "$TMP/head.txt" 2>/dev/null
    awk -v f="$TMP/d/out.tsv" '
        /fsync\(|fdatasync\(/ { if (renamed) after = 1; else before = 1 }
        /rename/ && index($0, "\"" f "\"") { renamed = 1 }
        END { exit !(before && renamed && after) }' "$TMP/trace" ||
        fail "--output: no fsync before the rename and of the directory after it: $(grep -E 'sync|rename' "$TMP/trace" | head -5)"
    cmp -s "$TMP/want" "$TMP/d/out.tsv" || fail "--output under strace: output differs"
else
    echo "no strace: the fsync case skipped"
fi
# a full file system (a 256 KB tmpfs in a mount namespace of its own, where
# that is allowed): --output and standard output stop after a window, with a
# message, and leave nothing there
small() { # small SCRIPT: runs SCRIPT with $S a fresh full-able file system
    unshare -m bash -c 'mount -t tmpfs -o size=256k tmpfs "$S" || exit 99; '"$1" 2>> "$TMP/err"
}
mkdir "$TMP/small"
if unshare -m bash -c "mount -t tmpfs -o size=256k tmpfs '$TMP/small'" 2>/dev/null; then
    export S="$TMP/small" HANFOLD_MPI MPI_X="-x HANFOLD_MPI_WINDOW"
    for how in '--output "$S/out.txt"' '> "$S/out.txt"'; do
        case_
        : > "$TMP/err"
        small 'mpirun -np 2 $MPI_X "$HANFOLD_MPI" dedup --stats '"$how"' "'"$TMP"'/syn.txt"; echo "status $?" >&2; ls -A "$S" >&2'
        n=$(read_count "$TMP/err")
        grep -q "^status 2" "$TMP/err" || fail "full file system, $how: $(grep '^status' "$TMP/err")"
        grep -q "hanfold-mpi: .*: write error: No space left on device; stopping" "$TMP/err" ||
            fail "full file system, $how: no message: $(head -c 300 "$TMP/err")"
        [ -n "$n" ] && [ "$n" -lt 20000 ] || fail "full file system, $how: did not stop early (read ${n:-?} of 20000)"
        case $how in --output*) grep -q "^out.txt" "$TMP/err" && fail "full file system, $how: output left behind" ;; esac
    done
else
    echo "no tmpfs in a mount namespace here: the full file system cases skipped (/dev/full stands for them)"
fi

# ---- a stopped rank ------------------------------------------------------------
# rank 1 stopped with SIGSTOP in the middle of the job: rank 0 names it
# within seconds, does not spin while it waits, and the job ends as it
# should once the rank goes on
case_
export HANFOLD_MPI_STALL=1 HANFOLD_MPI_WINDOW=100
# ten times the corpus, so that the job is still running when the test has
# found its ranks, also on a fast machine with nothing else to do
for i in 1 2 3 4 5 6 7 8 9 10; do cat "$TMP/syn.txt"; done > "$TMP/syn10.txt"
"$HANFOLD" cluster --linkage representative "$TMP/syn10.txt" > "$TMP/want.rep" 2>/dev/null
mpirun -np 2 -x HANFOLD_MPI_STALL -x HANFOLD_MPI_WINDOW "$HANFOLD_MPI" cluster --linkage representative \
    "$TMP/syn10.txt" > "$TMP/got" 2> "$TMP/err" &
mp=$!
r0='' r1=''
for i in $(seq 200); do # rows written: every rank is in the job's loop
    [ -s "$TMP/got" ] && break
    sleep 0.05
done
for p in $(pgrep -P "$mp"); do
    grep -qz '^OMPI_COMM_WORLD_RANK=0$' "/proc/$p/environ" 2>/dev/null && r0=$p
    grep -qz '^OMPI_COMM_WORLD_RANK=1$' "/proc/$p/environ" 2>/dev/null && r1=$p
done
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
if [ -n "$r0" ] && [ -n "$r1" ] && kill -STOP "$r1"; then
    t0=$(date +%s.%N) c0=$(cpu "$r0")
    for i in $(seq 150); do
        grep -q "rank 1 has not answered" "$TMP/err" && break
        sleep 0.1
    done
    sleep 1
    t1=$(date +%s.%N) c1=$(cpu "$r0")
    kill -CONT "$r1"
    wait "$mp"
    st=$?
    grep -q "^hanfold-mpi: no progress for [0-9]* s in the window of records [0-9]* to [0-9]*; rank 1 has not answered" "$TMP/err" ||
        fail "stopped rank: not reported: $(head -c 300 "$TMP/err")"
    grep -q "^hanfold-mpi: moving again after" "$TMP/err" || fail "stopped rank: its return not reported"
    # CPU time of rank 0 while it waited, against the time (ticks of 1/100 s)
    awk -v c="$((c1 - c0))" -v t0="$t0" -v t1="$t1" 'BEGIN { exit !(c < 0.25 * (t1 - t0) * 100) }' ||
        fail "stopped rank: rank 0 used $((c1 - c0)) ticks of CPU in $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s"
    [ "$st" = 0 ] && cmp -s "$TMP/want.rep" "$TMP/got" || fail "stopped rank: status $st, or the output differs"
else
    wait "$mp"
    fail "stopped rank: ranks not found (the job ended first?)"
fi
case_
HANFOLD_MPI_STALL=soon mpi 1 cluster "$TMP/head.txt" > /dev/null 2> "$TMP/err"
st=$?
[ "$st" = 2 ] && grep -q "HANFOLD_MPI_STALL=soon: expected seconds" "$TMP/err" || fail "HANFOLD_MPI_STALL=soon: status $st"

echo "$cases cases, $fails failed"
[ "$fails" -eq 0 ]
