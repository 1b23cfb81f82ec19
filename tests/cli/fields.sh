#!/bin/sh
# --text-field and --id-field paths (issue 22): a.b is b inside object a;
# several text fields (a,b or repeated) are joined by a line break, absent
# ones left out; a backslash takes the next character as it is.
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

cat > "$TMP/n.jsonl" <<'EOT'
{"id":"a","meta":{"body":"今天天氣很好，我們去公園散步吧","id":"m1"}}
{"id":"b","meta":{"body":"今天天气很好，我们去公园散步吧"}}
{"id":"c","meta":{"body":"完全不同的另一条新闻：股市今天上涨"}}
{"id":"d","meta":{}}
{"id":"e","meta":"body"}
EOT
expect "nested text field: clusters (data errors: status 2)" 2 "$(printf 'a\ta\t1.000\nb\ta\t1.000\nc\tc\t1.000\nd\td\t1.000\ne\te\t1.000')" -- "$H" cluster --input jsonl --text-field meta.body "$TMP/n.jsonl"
check "nested: an absent field is a data error with its line" grep -q 'n.jsonl:4: no field "meta.body"' "$TMP/stderr"
check "nested: a non-object on the way is absent" grep -q 'n.jsonl:5: no field "meta.body"' "$TMP/stderr"
expect "nested: normalize writes the value back in place" 0 '{"id":"a","meta":{"body":"今天天气很好，我们去公园散步吧","id":"m1"}}' -- sh -c "head -n 1 '$TMP/n.jsonl' | '$H' normalize --input jsonl --text-field meta.body"
expect "nested id field" 0 "$(printf 'm1\tm1\t1.000\n2\tm1\t1.000')" -- sh -c "head -n 2 '$TMP/n.jsonl' | '$H' cluster --input jsonl --text-field meta.body --id-field meta.id"
# several fields: title and body
cat > "$TMP/tb.jsonl" <<'EOT'
{"id":"1","title":"上半年中國AR/VR出貨23.3萬臺","body":"同比下滑了29.1%，IDC說"}
{"id":"2","title":"上半年中国AR/VR出货23.3万台","body":"同比下滑了29.1%，IDC说"}
{"id":"3","title":"上半年中国AR/VR出货23.3万台"}
{"id":"4","title":null,"body":null}
{"id":"5","title":7,"body":"x"}
EOT
# 3 has the title alone: contained in 1, so a near-duplicate of it (but
# see the measure below)
expect "title,body joined" 2 "$(printf '1\t1\t1.000\n2\t1\t1.000\n3\t1\t1.000\n4\t4\t1.000\n5\t5\t1.000')" -- "$H" cluster --input jsonl --text-field title,body "$TMP/tb.jsonl"
check "none of the fields: a data error" grep -q 'tb.jsonl:4: none of the fields title,body' "$TMP/stderr"
check "a non-string field: a data error" grep -q 'tb.jsonl:5: non-string field "title"' "$TMP/stderr"
# ...and the 1.000 says how it was measured: 3 lacks the 18 characters of
# the body, and the share of the shorter key found in the longer is 1
# (containment), which is not an identical text
expect "similarity measure: jsonl rows" 0 "$(printf '%s\n' '{"id":"3","cluster":"1","similarity":1.000,"measure":"containment"}' '{"id":"4","cluster":"4","similarity":1.000,"measure":"self"}')" -- sh -c "'$H' cluster --format jsonl --input jsonl --text-field title,body '$TMP/tb.jsonl' | sed -n 3,4p"
expect "similarity measure: report text" 0 "    1.000 containment  3 ($TMP/tb.jsonl)  上半年中国AR/VR出货23.3万台" -- sh -c "'$H' report --input jsonl --text-field title,body '$TMP/tb.jsonl' | grep '  3 '"
expect "similarity measure: report json" 0 "containment" -- sh -c "'$H' report --format json --input jsonl --text-field title,body '$TMP/tb.jsonl' | jq -r '.groups[0].members[] | select(.id == \"3\") | .measure'"
expect "similarity measure: report csv" 0 "1,3,3,$TMP/tb.jsonl,1.000,containment,上半年中国AR/VR出货23.3万台" -- sh -c "'$H' report --format csv --input jsonl --text-field title,body '$TMP/tb.jsonl' | grep ',3,3,'"
check "similarity measure: report html" sh -c "'$H' report --format html --input jsonl --text-field title,body '$TMP/tb.jsonl' 2>/dev/null | grep -q 'similarity <b>1.000</b> (containment)'"
# identical keys, found by their key, say exact; estimated Jaccard on long
# keys says jaccard
printf '今天天气很好我们去公园散步吧\n今天天气很好，我们去公园散步吧！\n' > "$TMP/ex.txt"
expect "similarity measure: exact" 0 "$(printf '%s\n' '{"id":"1","cluster":"1","similarity":1.000,"measure":"self"}' '{"id":"2","cluster":"1","similarity":1.000,"measure":"exact"}')" -- "$H" cluster --linkage representative --format jsonl "$TMP/ex.txt"
python3 -c '
import random
random.seed(7)
cs = [chr(0x4e00 + random.randrange(2000)) for _ in range(3000)]
a = "".join(cs)
b = "".join(c for i, c in enumerate(cs) if i % 40)
print(a); print(b)' > "$TMP/long.txt"
expect "similarity measure: jaccard" 0 "jaccard" -- sh -c "'$H' cluster --format jsonl '$TMP/long.txt' | sed -n 2p | jq -r .measure"
expect "repeated --text-field is the same list" 2 "$("$H" cluster --input jsonl --text-field title,body "$TMP/tb.jsonl" 2>/dev/null)" -- "$H" cluster --input jsonl --text-field title --text-field body "$TMP/tb.jsonl"
printf '{"id":"1","title":"ab","body":"cd"}\n{"id":"2","text":"ab\\ncd"}\n{"id":"3","text":"abcd"}\n' > "$TMP/j.jsonl"
"$H" fingerprint --input jsonl --text-field title,body "$TMP/j.jsonl" 2>/dev/null | head -n 1 | cut -f4 > "$TMP/k1"
"$H" fingerprint --input jsonl "$TMP/j.jsonl" 2>/dev/null | sed -n 2p | cut -f4 > "$TMP/k2"
check "the join is a line break: the key hash of \"ab\\ncd\"" sh -c "[ -s '$TMP/k1' ] && cmp -s '$TMP/k1' '$TMP/k2'"
expect "dedup on title,body keeps lines as read" 2 "$(sed -n '1p;4,5p' "$TMP/tb.jsonl")" -- "$H" dedup --input jsonl --text-field title,body "$TMP/tb.jsonl"
expect "normalize refuses several text fields" 2 "" -- "$H" normalize --input jsonl --text-field title,body "$TMP/tb.jsonl"
check "normalize: says why" grep -q "give one --text-field" "$TMP/stderr"
# a key with a dot, escaped
printf '{"id":"x","a.b":"今天天气很好"}\n' > "$TMP/dot.jsonl"
expect "escaped dot: the key a.b" 0 '{"id":"x","a.b":"今天天气很好"}' -- "$H" normalize --input jsonl --text-field 'a\.b' "$TMP/dot.jsonl"
expect "empty key: usage error" 2 "" -- "$H" cluster --input jsonl --text-field 'a..b' "$TMP/dot.jsonl"
expect "empty list item: usage error" 2 "" -- "$H" cluster --input jsonl --text-field 'a,' "$TMP/dot.jsonl"
check "text-field paths in --help" sh -c "'$H' dedup --help | grep -q 'b inside object a'"
done_cases
