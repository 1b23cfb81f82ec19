#!/bin/sh
# --stats=json (one JSON object on standard error) beside the plain line,
# and --threads 0 (every processor, as zstd -T0): issue 22.
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

printf 'a b c d e f g h\na b c d e f g h\nx\n' > "$TMP/in"
# the object, parsed, and the value of one key
jget() { python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).read()); print(json.dumps(eval("o"+sys.argv[2])))' "$@"; }

"$H" dedup --stats=json "$TMP/in" > /dev/null 2> "$TMP/err"; st=$?
check "dedup --stats=json: status 0" [ $st = 0 ]
check "dedup --stats=json: one line of stderr" [ "$(wc -l < "$TMP/err")" = 1 ]
check "dedup --stats=json: read" [ "$(jget "$TMP/err" '["read"]')" = 3 ]
check "dedup --stats=json: written" [ "$(jget "$TMP/err" '["written"]')" = 2 ]
check "dedup --stats=json: dropped" [ "$(jget "$TMP/err" '["dropped"]')" = 1 ]
check "dedup --stats=json: command" [ "$(jget "$TMP/err" '["command"]')" = '"dedup"' ]
check "dedup --stats=json: not stopped" [ "$(jget "$TMP/err" '["stopped"]')" = false ]
for c in normalize fingerprint cluster report; do
    "$H" $c --stats=json "$TMP/in" > /dev/null 2> "$TMP/err"
    check "$c --stats=json: read = written + dropped + invalid" \
        [ "$(jget "$TMP/err" '["read"]')" = "$(jget "$TMP/err" '["written"]+o["dropped"]+o["invalid"]')" ]
done
echo '產(chǎn)業(yè)' | "$H" normalize --stats=json > /dev/null 2> "$TMP/err"
check "normalize --stats=json: its own counts" [ "$(jget "$TMP/err" '["pinyin_removed"]')" = 2 ]
# a run stopped early says where
printf 'a\nb\377\nc\n' > "$TMP/inv"
"$H" normalize --strict --stats=json "$TMP/inv" > /dev/null 2> "$TMP/err"
tail -n 1 "$TMP/err" > "$TMP/err.json"
check "--strict: stopped" [ "$(jget "$TMP/err.json" '["stopped"]')" = true ]
check "--strict: stopped at line 2" [ "$(jget "$TMP/err.json" '["stopped_at"]["line"]')" = 2 ]
check "--strict: the file named" [ "$(jget "$TMP/err.json" '["stopped_at"]["file"]')" = "\"$TMP/inv\"" ]
"$H" dedup --strict --stats=json "$TMP/inv" > /dev/null 2> "$TMP/err"
tail -n 1 "$TMP/err" > "$TMP/err.json"
check "dedup --strict: stopped_at line 2" [ "$(jget "$TMP/err.json" '["stopped_at"]["line"]')" = 2 ]
# plain --stats is the line it was
"$H" dedup --stats "$TMP/in" > /dev/null 2> "$TMP/err"
check "plain --stats: the text line" grep -q '^hanfold: stats: read 3, written 2, dropped 1, invalid 0;' "$TMP/err"
"$H" dedup --stats=text "$TMP/in" > /dev/null 2> "$TMP/err"
check "--stats=text: the text line" grep -q '^hanfold: stats: read 3, written 2' "$TMP/err"
# a word after --stats is a FILE, not its format
expect "--stats FILE: FILE is an input" 0 "$(printf 'a b c d e f g h\nx')" -- "$H" dedup --stats "$TMP/in"
expect "--stats=xml: usage error" 2 "" -- "$H" dedup --stats=xml "$TMP/in"
check "--stats=xml: says what is expected" grep -q "expected text or json" "$TMP/stderr"
"$H" dedup --stats=json "$TMP/in" > /dev/null 2> /dev/full; st=$?
check "--stats=json to a full stderr: status 2" [ $st = 2 ]

# --threads 0: every processor; the output does not depend on it
expect "--threads 0" 0 "$("$H" cluster --threads 1 "$TMP/in")" -- "$H" cluster --threads 0 "$TMP/in"
expect "--threads 0, normalize" 0 "$(cat "$TMP/in")" -- "$H" normalize --threads 0 "$TMP/in"
expect "--threads 257: refused" 2 "" -- "$H" dedup --threads 257 "$TMP/in"
check "--threads: the range in the message" grep -q "from 0 (all processors) to 256" "$TMP/stderr"
expect "--threads -1: refused" 2 "" -- "$H" dedup --threads -1 "$TMP/in"
check "--stats[=FORMAT] and --threads 0 in --help" sh -c "'$H' dedup --help | grep -q -- '--stats\[=FORMAT\]' && '$H' dedup --help | grep -q 'default, and 0'"
done_cases
