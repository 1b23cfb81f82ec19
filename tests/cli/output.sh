#!/bin/sh
# -o/--output FILE on every command (issue 22): a temporary file beside
# FILE, renamed over it when the run succeeded (exit status 0 or 1), as
# dedup --dropped is (tests/cli/outfiles.sh); a failed run leaves FILE as
# it was.
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

printf 'a b c d e f g h\na b c d e f g h\nx\n' > "$TMP/in"
mkdir "$TMP/d"
clean() { [ -z "$(ls -A "$TMP/d" | grep hanfold)" ]; }
same() { [ "$(cat "$1")" = "$2" ]; }

# every command writes there, and nothing to standard output
expect "normalize -o: no standard output" 0 "" -- "$H" normalize -o "$TMP/d/n.txt" "$TMP/in"
check "normalize -o: the file" same "$TMP/d/n.txt" "$(printf 'a b c d e f g h\na b c d e f g h\nx')"
expect "fingerprint --output=FILE" 0 "" -- "$H" fingerprint --output="$TMP/d/f.tsv" "$TMP/in"
check "fingerprint: the rows" [ "$(cut -f1 "$TMP/d/f.tsv" | tr '\n' ' ')" = "1 2 3 " ]
expect "cluster --output FILE" 0 "" -- "$H" cluster --output "$TMP/d/c.tsv" "$TMP/in"
check "cluster: the rows" same "$TMP/d/c.tsv" "$(printf '1\t1\t1.000\n2\t1\t1.000\n3\t3\t1.000')"
expect "dedup -o" 0 "" -- "$H" dedup -o "$TMP/d/u.txt" "$TMP/in"
check "dedup: the kept records" same "$TMP/d/u.txt" "$(printf 'a b c d e f g h\nx')"
expect "report -o" 0 "" -- "$H" report --format json -o "$TMP/d/r.json" "$TMP/in"
check "report: the report" grep -q '"clusters":2' "$TMP/d/r.json"
expect "dedup -oFILE (short option, attached)" 0 "" -- "$H" dedup -o"$TMP/d/u2.txt" "$TMP/in"
check "dedup -oFILE: the file" same "$TMP/d/u2.txt" "$(printf 'a b c d e f g h\nx')"
"$H" dedup --index "$TMP/ix" "$TMP/in" > /dev/null
expect "index export -o" 0 "" -- "$H" index export "$TMP/ix" -o "$TMP/d/ix.fp"
check "index export: a row per record" [ "$(wc -l < "$TMP/d/ix.fp")" = 3 ]
expect "index info --output" 0 "" -- "$H" index info --output "$TMP/d/ix.info" "$TMP/ix"
check "index info: the summary" grep -q records "$TMP/d/ix.info"
check "no temporary file left" clean

# --exit-status 1 is success: the file is put in place
"$H" dedup --exit-status -o "$TMP/d/e.txt" "$TMP/in"; st=$?
check "dedup --exit-status: status 1" [ $st = 1 ]
check "dedup --exit-status: the file is in place" same "$TMP/d/e.txt" "$(printf 'a b c d e f g h\nx')"

# a symlink at FILE is replaced, its target untouched
echo secret > "$TMP/d/victim"
ln -s victim "$TMP/d/link.txt"
"$H" dedup -o "$TMP/d/link.txt" "$TMP/in"
check "symlink: target untouched" same "$TMP/d/victim" secret
check "symlink: replaced by a regular file" sh -c "[ -f '$TMP/d/link.txt' ] && [ ! -L '$TMP/d/link.txt' ]"

# a failed run leaves the old file, says so, leaves no temporary file
printf 'old\n' > "$TMP/d/keep.txt"
chmod 640 "$TMP/d/keep.txt"
"$H" dedup -o "$TMP/d/keep.txt" "$TMP/in" "$TMP/missing" 2> "$TMP/err"; st=$?
check "unreadable input: status 2" [ $st = 2 ]
check "unreadable input: the old file is left" same "$TMP/d/keep.txt" old
check "unreadable input: names the input" grep -q "missing" "$TMP/err"
check "unreadable input: says the output was not written" grep -q "keep.txt: not written, the run did not succeed" "$TMP/err"
"$H" normalize -o "$TMP/d/none.txt" "$TMP/missing" 2> /dev/null
check "failed run: no file where there was none" [ ! -e "$TMP/d/none.txt" ]
printf '{"id":1,"text":"a"}\n{"id":2,"text":\n' > "$TMP/bad.jsonl"
"$H" dedup --input jsonl -o "$TMP/d/keep.txt" "$TMP/bad.jsonl" 2> /dev/null; st=$?
check "data error: status 2, the old file is left" sh -c "[ $st = 2 ] && [ \"\$(cat '$TMP/d/keep.txt')\" = old ]"
printf 'a\377\n' > "$TMP/inv"
"$H" normalize --strict -o "$TMP/d/keep.txt" "$TMP/inv" 2> /dev/null
check "--strict stop: the old file is left" same "$TMP/d/keep.txt" old
# with -o, --dropped goes in place with the output or not at all
printf 'olddrop\n' > "$TMP/d/drop.tsv"
"$H" dedup -o "$TMP/d/keep.txt" --dropped "$TMP/d/drop.tsv" "$TMP/in" "$TMP/missing" 2> /dev/null
check "failed run: --dropped left as it was too" same "$TMP/d/drop.tsv" olddrop
check "no temporary file left" clean
# a run that succeeds replaces the file, keeping its permissions
"$H" dedup -o "$TMP/d/keep.txt" "$TMP/in"
check "success: replaced" same "$TMP/d/keep.txt" "$(printf 'a b c d e f g h\nx')"
check "success: permissions kept" [ "$(stat -c %a "$TMP/d/keep.txt")" = 640 ]

# the output file may be the input (as sort -o): read whole, then replaced
cp "$TMP/in" "$TMP/d/self.txt"
"$H" dedup -o "$TMP/d/self.txt" "$TMP/d/self.txt"
check "-o the input itself" same "$TMP/d/self.txt" "$(printf 'a b c d e f g h\nx')"

# devices and standard output are written to directly
expect "-o /dev/stdout" 0 "$(printf 'a b c d e f g h\nx')" -- "$H" dedup -o /dev/stdout "$TMP/in"
expect "-o /dev/null" 0 "" -- "$H" dedup -o /dev/null "$TMP/in"
check "/dev/null is still a device" [ -c /dev/null ]
"$H" dedup -o /dev/full "$TMP/in" 2> "$TMP/err"; st=$?
check "-o /dev/full: status 2 and a message" sh -c "[ $st = 2 ] && grep -q 'error writing output' '$TMP/err'"

# refused before any work: a directory, a missing directory, an empty name
expect "-o a directory" 2 "" -- "$H" dedup -o "$TMP/d" "$TMP/in"
expect "-o in a missing directory" 2 "" -- "$H" normalize -o "$TMP/nodir/x" "$TMP/in"
check "missing directory: named" grep -q "nodir/x" "$TMP/stderr"
expect "-o ''" 2 "" -- "$H" dedup -o "" "$TMP/in"
# --help is not redirected
expect "--help with -o goes to standard output" 0 "$("$H" dedup --help)" -- "$H" dedup -o "$TMP/d/h.txt" --help
check "--help with -o: no file" [ ! -e "$TMP/d/h.txt" ]
check "-o in every --help" sh -c "for c in normalize fingerprint cluster dedup report; do '$H' \$c --help | grep -q -- '-o, --output FILE' || exit 1; done"
done_cases
