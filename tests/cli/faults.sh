#!/bin/sh
# Fault injection: every allocation the program makes can fail (it must say so
# and exit 2, never crash), and a read error in the middle of a stream is
# reported with file and line, after the records before it were written.
# Uses tests/faults/faultinject.c through LD_PRELOAD; skipped for sanitizer
# builds and under a wrapper (the preload cannot go first there).
. "$(dirname "$0")/lib.sh"
H=$HANFOLD
if [ -n "${HANFOLD_WRAPPER:-}" ] || ldd "$H" 2>/dev/null | grep -q 'lib[at]san\|libubsan'; then
    echo "skip: sanitizer or wrapper build"; exit 77
fi
printf '上半年中國AR/VR出貨23.3萬臺\n產(chǎn)業(yè)數字化\n<p>網頁 &amp; 文字</p>\n上半年中國AR/VR出貨23.3萬臺!\n' > "$TMP/in"
printf '{"id":"a","text":"漢字"}\n{"id":"b","text":"汉字"}\nbroken\n' > "$TMP/in.jsonl"

# alloc_sweep NAME ARGS...: fail allocation 1, 2, 3... until a run makes no
# more allocations than N; every failing run must exit 2 with a message.
alloc_sweep() {
    name=$1; shift
    n=1 bad=0
    while [ $n -le 20000 ]; do
        LD_PRELOAD="$FAULTINJECT" HF_FAIL_ALLOC=$n "$H" "$@" > "$TMP/out" 2> "$TMP/err"
        st=$?
        if grep -q 'failed 0$' "$TMP/err"; then
            break
        fi
        if [ $st -ne 2 ] || ! grep -q '^hanfold: ' "$TMP/err"; then
            bad=$((bad + 1))
            [ $bad -le 3 ] && printf 'allocation %s of %s: status %s\n%s\n' "$n" "$name" "$st" "$(head -c 400 "$TMP/err")"
        fi
        n=$((n + 1))
    done
    echo "$name: $((n - 1)) allocation sites failed in turn, $bad mishandled"
    cases=$((cases + 1))
    [ $bad -eq 0 ] && [ $n -gt 1 ] || fails=$((fails + 1))
}
alloc_sweep normalize normalize "$TMP/in"
alloc_sweep "normalize --key --input jsonl" normalize --key --input jsonl "$TMP/in.jsonl"
alloc_sweep dedup dedup --dropped "$TMP/dropped" "$TMP/in"
alloc_sweep cluster cluster --linkage single "$TMP/in"
alloc_sweep report report --format json "$TMP/in"
alloc_sweep fingerprint fingerprint "$TMP/in"
alloc_sweep "dedup --keep longest" dedup --keep longest "$TMP/in"
alloc_sweep "dedup --keep max:FIELD, two text fields" dedup --input jsonl --keep max:n.x --text-field text,n.t "$TMP/in.jsonl"
gzip -c "$TMP/in" > "$TMP/in.gz"
alloc_sweep "normalize .gz" normalize "$TMP/in.gz"

# a read error after 60 bytes: the first lines are out, then status 2
seq 1 1000 > "$TMP/lines"
TMP=$(cd "$TMP" && pwd -P)  # the shim compares resolved paths
LD_PRELOAD="$FAULTINJECT" HF_FAIL_READ_AFTER=60 HF_FAIL_READ_FILE="$TMP/lines" "$H" normalize "$TMP/lines" > "$TMP/out" 2> "$TMP/err"
st=$?
check "read error: status 2" [ $st -eq 2 ]
check "read error: named with file and line" grep -q "^hanfold: $TMP/lines:[0-9]*: read error: Input/output error" "$TMP/err"
check "read error: records before it written" sh -c "head -3 '$TMP/out' | tr '\n' ' ' | grep -q '^1 2 3 '"
LD_PRELOAD="$FAULTINJECT" HF_FAIL_READ_AFTER=60 HF_FAIL_READ_FILE="$TMP/lines" "$H" dedup --stats "$TMP/lines" > "$TMP/out" 2> "$TMP/err"
check "read error in dedup: status 2 and accounted" sh -c "[ $? -eq 2 ] && grep -q 'stats: read' '$TMP/err'"
# the same in the middle of a .gz: the lines decompressed before it are
# written, the one it cut is not, and the message names the line reached
gzip -c "$TMP/lines" > "$TMP/lines.gz"
LD_PRELOAD="$FAULTINJECT" HF_FAIL_READ_AFTER=200 HF_FAIL_READ_FILE="$TMP/lines.gz" "$H" normalize "$TMP/lines.gz" > "$TMP/out" 2> "$TMP/err"
st=$?
k=$(wc -l < "$TMP/out")
check "read error in a .gz: status 2" [ $st -eq 2 ]
check "read error in a .gz: named with file and the line reached" grep -q "^hanfold: $TMP/lines.gz:$((k + 1)): read error: Input/output error; lines 1-$k were read" "$TMP/err"
check "read error in a .gz: the $k lines before it written" sh -c "[ $k -gt 10 ] && seq 1 $k | cmp -s - '$TMP/out'"
done_cases
