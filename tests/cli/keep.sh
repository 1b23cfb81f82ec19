#!/bin/sh
# dedup --keep (issue 22): longest measures the text (in JSONL its field,
# not the whole line); max:FIELD / min:FIELD choose by a field's value,
# numbers and ISO 8601 dates compared as such, records without a usable
# value never chosen over one with a value, ties to the earliest.
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

long='今天天气很好，我们去公园散步吧，还要去看看湖边的花和树，顺便买一杯咖啡回家'
# u1: the longest text; u2: a shorter text, the longest line (metadata)
cat > "$TMP/m.jsonl" <<EOT
{"id":"u1","text":"${long}","ts":"2024-03-01T10:00:00+08:00","score":3}
{"id":"u2","text":"今天天气很好，我们去公园散步吧，还要去看看湖边的花和树，顺便买一杯咖啡","meta":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","ts":"2024-03-01T03:00:00Z","score":"7.5"}
{"id":"u3","text":"今天天气很好，我们去公园散步吧，还要去看看湖边的花和树，顺便买一杯咖啡回","ts":"bogus","score":null}
{"id":"o","text":"完全不同的另一条新闻：股市今天上涨","ts":"2023-01-01","score":1}
EOT
kept() { "$H" dedup --input jsonl "$@" "$TMP/m.jsonl" 2>"$TMP/err" | sed 's/^{"id":"\([^"]*\)".*/\1/' | tr '\n' ' '; }
check "the three are one cluster" [ "$(kept)" = "u1 o " ]
expect "longest: the longest text, not the longest line" 0 "u1 o " -- kept --keep longest
"$H" dedup --input jsonl --keep longest --dropped "$TMP/d.tsv" "$TMP/m.jsonl" > /dev/null
check "longest: dropped rows name u1" [ "$(cut -f1,2 "$TMP/d.tsv" | tr '\t\n' ': ')" = "u2:u1 u3:u1 " ]
# lines: the line; in characters, not bytes (a Han character is 3 bytes)
printf '今天天气很好我们去公园散步吧 abc\n今天天气很好我们去公园散步吧啊\n' > "$TMP/l.txt"
expect "longest in characters: 17 ASCII-mixed beat 15 Han" 0 "今天天气很好我们去公园散步吧 abc" -- "$H" dedup --keep longest "$TMP/l.txt"

# newest by timestamp: zones are honoured (u1 is 02:00Z, u2 03:00Z)
expect "max:ts: the newest (time zones)" 0 "u2 o " -- kept --keep max:ts
check "max:ts: a warning names the first record without a usable value" \
    grep -q "warning: 1 record without a usable value of --keep max:ts (first: .*m.jsonl:3, not a number, an ISO 8601 date or a boolean)" "$TMP/err"
expect "min:ts: the oldest" 0 "u1 o " -- kept --keep min:ts
# a number written as a string counts; null is missing
expect "max:score: the highest ('7.5' as a string)" 0 "u2 o " -- kept --keep max:score
expect "min:score: the lowest, null never chosen" 0 "u1 o " -- kept --keep min:score
check "min:score: null is absent" grep -q "m.jsonl:3, absent or null" "$TMP/err"
expect "-q: no warning" 0 "u1 o " -- kept --keep min:score -q
check "-q: stderr empty" [ ! -s "$TMP/err" ]
# a field nobody has: the first record, as --keep first
expect "max:nosuch: the first of each cluster" 0 "u1 o " -- kept --keep max:nosuch
check "max:nosuch: four records named in the warning" grep -q "warning: 4 records without" "$TMP/err"
# nested field, ties to the earliest
cat > "$TMP/n.jsonl" <<EOT
{"id":"a","text":"今天天气很好，我们去公园散步吧","meta":{"score":2}}
{"id":"b","text":"今天天气很好，我们去公园散步吧！","meta":{"score":5}}
{"id":"c","text":"今天天氣很好，我們去公園散步吧","meta":{"score":5}}
EOT
expect "max:meta.score: nested, ties to the earliest" 0 '{"id":"b","text":"今天天气很好，我们去公园散步吧！","meta":{"score":5}}' -- "$H" dedup --input jsonl --keep max:meta.score "$TMP/n.jsonl"
expect "min:meta.score" 0 '{"id":"a","text":"今天天气很好，我们去公园散步吧","meta":{"score":2}}' -- "$H" dedup --input jsonl --keep min:meta.score "$TMP/n.jsonl"
# ISO 8601 forms: date only (midnight UTC), T or space, fractions, -HHMM:
# d1 00:00Z, d2 00:59:59.5Z, d3 00:30Z
cat > "$TMP/t.jsonl" <<EOT
{"id":"d1","text":"今天天气很好，我们去公园散步吧","t":"2024-01-02"}
{"id":"d2","text":"今天天气很好，我们去公园散步吧","t":"2024-01-01 23:59:59.5-0100"}
{"id":"d3","text":"今天天气很好，我们去公园散步吧","t":"2024-01-02T00:30"}
{"id":"d4","text":"今天天气很好，我们去公园散步吧","t":"2024-02-30"}
EOT
expect "ISO 8601: newest across forms and zones" 0 "d2 " -- sh -c "'$H' dedup --input jsonl --keep max:t '$TMP/t.jsonl' 2>/dev/null | sed 's/^{\"id\":\"\([^\"]*\)\".*/\1/' | tr '\n' ' '" 
expect "ISO 8601: oldest" 0 "d1 " -- sh -c "'$H' dedup --input jsonl --keep min:t '$TMP/t.jsonl' 2>/dev/null | sed 's/^{\"id\":\"\([^\"]*\)\".*/\1/' | tr '\n' ' '"
"$H" dedup --input jsonl --keep max:t "$TMP/t.jsonl" > /dev/null 2> "$TMP/err"
check "ISO 8601: February 30 is no date" grep -q "t.jsonl:4, not a number" "$TMP/err"
# usage errors
expect "max:FIELD needs jsonl" 2 "" -- "$H" dedup --keep max:ts "$TMP/l.txt"
check "max:FIELD needs jsonl: says so" grep -q "add --input jsonl" "$TMP/stderr"
expect "max: without a field" 2 "" -- "$H" dedup --input jsonl --keep max: "$TMP/m.jsonl"
expect "unknown --keep" 2 "" -- "$H" dedup --keep newest "$TMP/l.txt"
check "unknown --keep: the choices" grep -q "expected first, longest, max:FIELD or min:FIELD" "$TMP/stderr"
expect "--keep max with --index" 2 "" -- "$H" dedup --input jsonl --keep max:ts --index "$TMP/ix" "$TMP/m.jsonl"
# stdin is spooled for the second pass
expect "max:ts from stdin" 0 "u2 o " -- sh -c "'$H' dedup --input jsonl --keep max:ts < '$TMP/m.jsonl' 2>/dev/null | sed 's/^{\"id\":\"\([^\"]*\)\".*/\1/' | tr '\n' ' '"
done_cases
