#!/bin/sh
# Files written besides standard output (dedup --dropped), issue 25: they
# followed a symlink planted at their name and were left half written by a
# failed run.  Now a temporary file beside the target is renamed over it at
# the end of a run that finished: a symlink is replaced, not followed; a
# failed run leaves the old file; a device or FIFO is written to directly.
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

printf 'a b c d e f g h\na b c d e f g h\nx\n' > "$TMP/in"
want_dropped="$(printf '2\t1\t1.000\ta b c d e f g h')"
mkdir "$TMP/d"
# no temporary files left beside the targets
clean() { [ -z "$(ls -A "$TMP/d" | grep hanfold)" ]; }

# a symlink planted at the name, to another user's file
echo secret > "$TMP/d/victim"
ln -s victim "$TMP/d/dropped.tsv"
expect "planted symlink: the kept records" 0 "$(printf 'a b c d e f g h\nx')" -- "$H" dedup --dropped "$TMP/d/dropped.tsv" "$TMP/in"
check "planted symlink: its target is untouched" [ "$(cat "$TMP/d/victim")" = secret ]
check "planted symlink: replaced by the file" sh -c "[ -f '$TMP/d/dropped.tsv' ] && [ ! -L '$TMP/d/dropped.tsv' ] && [ \"\$(cat '$TMP/d/dropped.tsv')\" = '$want_dropped' ]"
ln -s nowhere "$TMP/d/dangling.tsv"
"$H" dedup --dropped "$TMP/d/dangling.tsv" "$TMP/in" > /dev/null 2>&1
check "dangling symlink: replaced, its target not created" sh -c "[ ! -L '$TMP/d/dangling.tsv' ] && [ ! -e '$TMP/d/nowhere' ]"
check "no temporary file left" clean

# a run that fails (standard output on a full disk) leaves the old file
printf 'old\n' > "$TMP/d/keep.tsv"
"$H" dedup --dropped "$TMP/d/keep.tsv" "$TMP/in" > /dev/full 2> "$TMP/err"
st=$?
check "failed run: status 2" [ $st = 2 ]
check "failed run: the old file is left as it was" [ "$(cat "$TMP/d/keep.tsv")" = old ]
check "failed run: says the file was not written" grep -q "keep.tsv: not written, the run did not finish" "$TMP/err"
"$H" dedup --dropped "$TMP/d/none.tsv" "$TMP/in" > /dev/full 2> /dev/null
check "failed run: no file where there was none" [ ! -e "$TMP/d/none.tsv" ]
check "failed run: no temporary file left" clean
# --strict stops the run at an invalid byte: the run failed
printf 'a\377\n' >> "$TMP/bad"; cat "$TMP/in" "$TMP/bad" > "$TMP/in.bad"
"$H" dedup --strict --dropped "$TMP/d/keep.tsv" "$TMP/in.bad" > /dev/null 2>&1
check "--strict stop: the old file is left as it was" [ "$(cat "$TMP/d/keep.tsv")" = old ]
# an --index made with other settings stops the run before it starts
"$H" dedup --index "$TMP/ix" "$TMP/in" > /dev/null 2>&1
"$H" dedup --no-html --index "$TMP/ix" --dropped "$TMP/d/keep.tsv" "$TMP/in" > /dev/null 2>&1
check "refused --index: the old file is left as it was" [ "$(cat "$TMP/d/keep.tsv")" = old ]
# a run that finishes replaces it, with its permissions
chmod 640 "$TMP/d/keep.tsv"
"$H" dedup --dropped "$TMP/d/keep.tsv" "$TMP/in" > /dev/null
check "finished run: replaced" [ "$(cat "$TMP/d/keep.tsv")" = "$want_dropped" ]
check "finished run: permissions kept" [ "$(stat -c %a "$TMP/d/keep.tsv")" = 640 ]
check "no temporary file left" clean

# not regular files: written to, never renamed over
expect "/dev/null" 0 "$(printf 'a b c d e f g h\nx')" -- "$H" dedup --dropped /dev/null "$TMP/in"
check "/dev/null is still a device" [ -c /dev/null ]
mkfifo "$TMP/d/fifo"
cat "$TMP/d/fifo" > "$TMP/fifo.out" &
"$H" dedup --dropped "$TMP/d/fifo" "$TMP/in" > /dev/null
wait
check "FIFO: read by its reader" [ "$(cat "$TMP/fifo.out")" = "$want_dropped" ]
check "FIFO: still a FIFO" [ -p "$TMP/d/fifo" ]
if command -v bash > /dev/null; then
    got=$(bash -c '"$1" dedup --dropped >(cat) "$2" > /dev/null; wait' sh "$H" "$TMP/in")
    check "process substitution (/dev/fd/N)" [ "$got" = "$want_dropped" ]
fi
expect "a directory: refused" 2 "" -- "$H" dedup --dropped "$TMP/d" "$TMP/in"
check "a directory: said" grep -q "$TMP/d: cannot open for writing: Is a directory" "$TMP/stderr"

# no write permission in the directory (not as root, which has it anyway):
# an existing file is rewritten in place, a symlink is not followed
if [ "$(id -u)" != 0 ]; then
    mkdir "$TMP/ro"
    printf 'old\n' > "$TMP/ro/f.tsv"
    ln -s "$TMP/d/victim" "$TMP/ro/l.tsv"
    chmod 555 "$TMP/ro"
    "$H" dedup --dropped "$TMP/ro/f.tsv" "$TMP/in" > /dev/null 2>&1
    check "read-only directory: the file rewritten in place" [ "$(cat "$TMP/ro/f.tsv")" = "$want_dropped" ]
    "$H" dedup --dropped "$TMP/ro/l.tsv" "$TMP/in" > /dev/null 2> "$TMP/err"
    st=$?
    check "read-only directory: a symlink is not followed" sh -c "[ $st = 2 ] && [ \"\$(cat '$TMP/d/victim')\" = secret ]"
    chmod 755 "$TMP/ro"
fi
done_cases
