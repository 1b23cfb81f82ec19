#!/bin/sh
# A full TMPDIR (issue 25): dedup, cluster and report stopped mid-stream with
# status 2 and no message, and --stats read as if the input had ended.  Now
# the record where it stopped is named with what to do, and --stats says the
# run stopped early.  The disk is made full two ways, each when it can be:
# the fault injector (write/pwrite under a directory fail with ENOSPC; not
# for sanitizer or wrapper builds), and a 16 KiB tmpfs in a private mount
# namespace (root with unshare).
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

ways=
if [ -n "${FAULTINJECT:-}" ] && [ -z "${HANFOLD_WRAPPER:-}" ] &&
   ! ldd "$H" 2>/dev/null | grep -q 'lib[at]san\|libubsan'; then
    ways="shim"
fi
mkdir "$TMP/full"
if [ "$(id -u)" = 0 ] && command -v unshare > /dev/null &&
   unshare -m sh -c 'mount -t tmpfs -o size=16k tmpfs "$1"' sh "$TMP/full" 2> /dev/null; then
    ways="$ways tmpfs"
fi
if [ -z "$ways" ]; then
    echo "skip: no fault injector (sanitizer build) and no tmpfs (not root)"
    exit 77
fi

# 3000 distinct lines: what verification keeps of them passes 64 KiB, which
# with --spill-memory 1 (an expert setting: no megabyte kept in memory
# first) is written to the temporary file
python3 - "$TMP/in" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], 'w', encoding='utf-8') as f:
    for i in range(3000):
        f.write(''.join(chr(random.randint(0x4e00, 0x9fa5)) for _ in range(30)) + '\n')
PY

# full WAY CMD...: CMD with TMPDIR on a full disk, stdout to $TMP/out,
# stderr to $TMP/err, status in $TMP/st
full() {
    way=$1 prog=$2 cmd=$3; shift 3
    set -- "$prog" "$cmd" --spill-memory 1 "$@"
    case $way in
    shim)
        LD_PRELOAD="$FAULTINJECT" HF_FAIL_WRITE_UNDER="$TMP/full" TMPDIR="$TMP/full" "$@" \
            > "$TMP/out" 2> "$TMP/err"
        echo $? > "$TMP/st" ;;
    tmpfs)
        unshare -m sh -c 'd=$1; shift; mount -t tmpfs -o size=16k tmpfs "$d" || exit 99
                          TMPDIR=$d "$@"' sh "$TMP/full" "$@" > "$TMP/out" 2> "$TMP/err"
        echo $? > "$TMP/st" ;;
    esac
}

said() { grep -q "^hanfold: $TMP/in:[0-9]*: no space left for the temporary file in $TMP/full (No space left on device); stopping here (set TMPDIR to a directory on a disk with space)\$" "$TMP/err"; }
stopped() { grep -q "^hanfold: stats: read [0-9]*, .*; stopped early at $TMP/in:[0-9]*, the rest of the input not read\$" "$TMP/err"; }

for way in $ways; do
    full $way "$H" dedup --stats "$TMP/in"
    check "$way: dedup: status 2" [ "$(cat "$TMP/st")" = 2 ]
    check "$way: dedup: the record and what to do" said
    check "$way: dedup: --stats says it stopped early" stopped
    # the lines written are those --stats counts, and the input's first ones
    n=$(wc -l < "$TMP/out")
    check "$way: dedup: wrote what it counted" sh -c "[ $n -gt 0 ] && [ $n -lt 3000 ] && grep -q 'stats: read $n, written $n,' '$TMP/err' && head -n $n '$TMP/in' | cmp -s - '$TMP/out'"
    check "$way: dedup: stopped at the record after them" grep -q "$TMP/in:$((n + 1)): no space" "$TMP/err"
    printf 'old\n' > "$TMP/dropped"
    full $way "$H" dedup --dropped "$TMP/dropped" "$TMP/in"
    check "$way: dedup --dropped: the old file is left as it was" sh -c "[ \$(cat '$TMP/st') = 2 ] && [ \"\$(cat '$TMP/dropped')\" = old ]"

    full $way "$H" cluster --stats "$TMP/in"
    check "$way: cluster: status 2, the record and what to do" sh -c "[ \$(cat '$TMP/st') = 2 ] && grep -q 'no space left for the temporary file' '$TMP/err'"
    check "$way: cluster: no rows, and --stats says so" sh -c "[ ! -s '$TMP/out' ] && grep -q 'stats: read [0-9]*, written 0, .*; stopped early at ' '$TMP/err'"

    full $way "$H" cluster --linkage representative --stats "$TMP/in"
    check "$way: cluster --linkage representative: said and stopped early" sh -c "[ \$(cat '$TMP/st') = 2 ] && grep -q 'no space left for the temporary file' '$TMP/err' && grep -q 'stopped early at' '$TMP/err'"

    full $way "$H" report "$TMP/in"
    check "$way: report: status 2, said, no report" sh -c "[ \$(cat '$TMP/st') = 2 ] && grep -q 'no space left for the temporary file in' '$TMP/err' && [ ! -s '$TMP/out' ]"
done

# an index whose representatives pass 64 KiB: loading them fills TMPDIR
"$H" dedup --index "$TMP/ix" "$TMP/in" > /dev/null 2>&1
for way in $ways; do
    full $way "$H" dedup --index "$TMP/ix" "$TMP/in"
    check "$way: loading an index: status 2, said" sh -c "[ \$(cat '$TMP/st') = 2 ] && grep -q '^hanfold: $TMP/ix: loading the index: no space left for the temporary file in $TMP/full' '$TMP/err'"
done
done_cases
