#!/bin/sh
# Bad input is normal input: invalid and truncated UTF-8, NULs, GBK/Big5,
# a 50 MB line, empty input, unreadable files, malformed JSONL, a full disk,
# a closed pipe.  Each: a clear message, the rest processed, documented status.
. "$(dirname "$0")/lib.sh"
H=$HANFOLD
FFFD=$(printf '\357\277\275')

printf '好\377\376的\n第二行\n' > "$TMP/bad"
expect "invalid utf-8 replaced" 0 "$(printf '好%s%s的\n第二行' "$FFFD" "$FFFD")" -- "$H" normalize "$TMP/bad"
"$H" normalize "$TMP/bad" > /dev/null 2> "$TMP/err"
check "invalid utf-8 reported with file:line" grep -q "^hanfold: $TMP/bad:1: 2 invalid byte sequences" "$TMP/err"
printf 'ok\n好\377\nafter\n' > "$TMP/bad2"
expect "strict stops with 2, earlier records written" 2 'ok' -- "$H" normalize --strict "$TMP/bad2"
# --stats says where the run stopped, for both kinds of command
for c in normalize dedup; do
    "$H" $c --strict --stats "$TMP/bad2" > /dev/null 2> "$TMP/err"
    check "strict: $c --stats says it stopped early" grep -q "^hanfold: stats: read 1, written 1, .*; stopped early at $TMP/bad2:2, the rest of the input not read\$" "$TMP/err"
done

# --strict says what happened once: where it stopped, and no "replaced by
# U+FFFD" for bytes it did not replace
expect "strict stop message" 2 'ok' -- "$H" normalize --strict "$TMP/bad2"
check "strict: one message, naming file and line, no U+FFFD report" \
    sh -c "[ \$(wc -l < '$TMP/stderr') = 1 ] && grep -q 'bad2:2: invalid byte sequence; stopped here (--strict)' '$TMP/stderr' && ! grep -q U+FFFD '$TMP/stderr'"
for c in normalize dedup cluster; do
    # the statistics asked for are part of the result: losing them fails the run
    IN='a
' expect "$c --stats with stderr on a full device exits 2" 2 "$( [ $c = cluster ] && printf '1\t1\t1.000' || echo a)" -- \
        sh -c "'$H' $c --stats 2>/dev/full"
done
# one form for every message: getopt's too
expect "unknown option" 2 '' -- "$H" dedup --bogus
check "getopt's message begins with hanfold:" grep -q "^hanfold: unrecognized option '--bogus'" "$TMP/stderr"
# Many batches, with oversize records and a --strict stop among them, on one
# thread and on several (which read the next batch while the workers run):
# the oversize lines pass through as they are, the others are normalized
# (條 -> 条), in order; --strict writes exactly the records before the bad one.
awk 'BEGIN { for (i = 1; i <= 3000; i++) { if (i % 700 == 0) { s = ""; for (k = 0; k < 300; k++) s = s "長"; print s } else print "第" i "條" } }' > "$TMP/batches"
sed '/長/!s/條/条/' "$TMP/batches" > "$TMP/batches.want"
awk 'NR == 1500 { print "壞\377"; next } { print }' "$TMP/batches" > "$TMP/batches.bad"
sed 's/條/条/; s/長/长/g' "$TMP/batches" | head -n 1499 > "$TMP/batches.strict"
for t in 1 2 3; do
    "$H" normalize --threads $t --max-record 500 "$TMP/batches" > "$TMP/batches.out" 2> "$TMP/err"; st=$?
    check "batches, --threads $t: oversize passed through, the rest normalized, in order" \
        sh -c "[ $st = 2 ] && cmp -s '$TMP/batches.want' '$TMP/batches.out' && [ \$(grep -c 'record longer than 500 bytes' '$TMP/err') = 4 ]"
    "$H" normalize --threads $t --strict "$TMP/batches.bad" > "$TMP/batches.out" 2> /dev/null; st=$?
    check "batches, --threads $t: --strict stops at record 1500, all before it written" \
        sh -c "[ $st = 2 ] && cmp -s '$TMP/batches.strict' '$TMP/batches.out'"
done

printf '末尾\344\270' > "$TMP/trunc"
expect "truncated utf-8 at end of file" 0 "末尾$FFFD" -- "$H" normalize "$TMP/trunc"

printf 'a\000b\n' > "$TMP/nul"
expect "NUL bytes dropped, line kept" 0 'ab' -- "$H" normalize "$TMP/nul"

printf '中文测试，简体字。\n' | iconv -f UTF-8 -t GBK > "$TMP/gbk"
expect "GBK with --encoding" 0 '中文测试，简体字。' -- "$H" normalize --encoding GBK "$TMP/gbk"
python3 -c "print('今天天气很好，我们一起去公园散步，然后去图书馆看书。这是一个测试句子，用来检测字符编码。' * 3)" | iconv -f UTF-8 -t GB18030 > "$TMP/gb18030"
expect "GB18030 detected with --encoding auto" 0 "$(python3 -c "print('今天天气很好，我们一起去公园散步，然后去图书馆看书。这是一个测试句子，用来检测字符编码。' * 3)")" -- "$H" normalize --encoding auto "$TMP/gb18030"
python3 -c "print('今天天氣很好，我們一起去公園散步，然後去圖書館看書。這是一個測試句子，用來檢測字元編碼。' * 3)" | iconv -f UTF-8 -t BIG5 > "$TMP/big5"
expect "Big5 detected and converted" 0 "$(python3 -c "print('今天天气很好，我们一起去公园散步，然后去图书馆看书。这是一个测试句子，用来检测字元编码。' * 3)")" -- "$H" normalize --encoding auto "$TMP/big5"
printf '\377\376' > "$TMP/u16"; printf '中文\n第二\n' | iconv -f UTF-8 -t UTF-16LE >> "$TMP/u16"
expect "UTF-16 with BOM" 0 "$(printf '中文\n第二')" -- "$H" normalize --encoding auto "$TMP/u16"
printf '\377\376a\000\n\000b\000\n\000\000\330c\000\n\000' > "$TMP/u16bad"
"$H" normalize --encoding auto "$TMP/u16bad" > /dev/null 2> "$TMP/err"
check "UTF-16: an invalid unit is reported on its line" grep -q "^hanfold: $TMP/u16bad:3: 1 invalid byte sequence" "$TMP/err"
expect "UTF-16: --strict stops at it" 2 "$(printf 'a\nb')" -- "$H" normalize --strict --encoding auto "$TMP/u16bad"
# what the bytes prove wins over what a page says: UTF-16 in a <meta> of a
# page read as bytes means UTF-8 (HTML5); a charset that valid UTF-8 beyond
# ASCII disproves is not taken; a true one still is
printf '<html><head><meta charset="utf-16le"></head><body><p>hello 你好</p></body></html>\n' > "$TMP/m16.html"
expect "meta charset utf-16le on a UTF-8 page" 0 'hello你好' -- "$H" normalize --encoding auto --input files "$TMP/m16.html"
printf '<html><head><meta charset="utf-16"></head><body><p>hello</p></body></html>\n' > "$TMP/m16a.html"
expect "meta charset utf-16 on an ASCII page" 0 'hello' -- "$H" normalize --encoding auto --input files "$TMP/m16a.html"
printf '<html><head><meta charset="big5"></head><body><p>你好世界，今天天气很好</p></body></html>\n' > "$TMP/mb5.html"
expect "meta charset big5 on a UTF-8 page" 0 '你好世界，今天天气很好' -- "$H" normalize --encoding auto --input files "$TMP/mb5.html"
check "... and no invalid bytes reported" sh -c "! grep -q 'invalid' '$TMP/stderr'"
iconv -f UTF-8 -t BIG5 "$TMP/mb5.html" > "$TMP/mb5real.html"
expect "meta charset big5 on a Big5 page" 0 '你好世界，今天天气很好' -- "$H" normalize --encoding auto --input files "$TMP/mb5real.html"
printf '\357\273\277{"id":"x","text":"漢"}\n' > "$TMP/bom.jsonl"
expect "UTF-8 BOM before JSONL" 0 '{"id":"x","text":"汉"}' -- "$H" normalize --input jsonl "$TMP/bom.jsonl"
expect "UTF-8 BOM kept by dedup (bytes unchanged)" 0 "$(cat "$TMP/bom.jsonl")" -- "$H" dedup --input jsonl "$TMP/bom.jsonl"
python3 -c "import sys; sys.stdout.write('a' * 1500 + '\n' + 'b' * 10 + '\n' + 'c' * 1500 + '\n')" > "$TMP/mr"
"$H" normalize --max-record 1000 "$TMP/mr" > "$TMP/mr.out" 2> "$TMP/err"
check "--max-record applies to every record, wherever it falls in the buffer" sh -c "[ \$(grep -c 'record longer than 1000 bytes' '$TMP/err') = 2 ] && cmp -s '$TMP/mr' '$TMP/mr.out'"
expect "--max-record: a record of exactly the limit is fine" 0 abc -- sh -c "printf abc | '$H' normalize --max-record 3"
expect "unknown encoding" 2 '' -- "$H" normalize --encoding NO-SUCH-CHARSET "$TMP/gbk"

if [ -n "$SLOW_OK" ]; then
python3 -c "import sys; sys.stdout.write('漢字' * (50 * 1024 * 1024 // 6) + '\n')" > "$TMP/big"
"$H" normalize "$TMP/big" > "$TMP/big.out"; st=$?
check "50 MB line: status 0" [ "$st" = 0 ]
check "50 MB line: one line out, converted" sh -c "[ \$(wc -l < '$TMP/big.out') = 1 ] && head -c 12 '$TMP/big.out' | grep -q '汉字汉字'"
check "50 MB line: size kept" [ "$(wc -c < "$TMP/big.out")" = "$(wc -c < "$TMP/big")" ]
"$H" normalize --max-record 1M "$TMP/big" > "$TMP/big.out" 2> "$TMP/err"; st=$?
check "--max-record: a longer record is a data error (2), passed through unchanged" sh -c "[ $st = 2 ] && cmp -s '$TMP/big' '$TMP/big.out'"
check "--max-record: message names file and line" grep -q "^hanfold: $TMP/big:1: record longer than 1048576 bytes" "$TMP/err"
fi

: > "$TMP/empty"
expect "empty input" 0 '' -- "$H" normalize "$TMP/empty"
expect "empty input, dedup" 0 '' -- "$H" dedup "$TMP/empty"
expect "empty input, cluster" 0 '' -- "$H" cluster "$TMP/empty"

printf '甲\n' > "$TMP/good"
expect "missing file: others processed, status 2" 2 '甲' -- "$H" normalize "$TMP/nope" "$TMP/good"
"$H" normalize "$TMP/nope" "$TMP/good" 2> "$TMP/err" > /dev/null
check "missing file named" grep -q "^hanfold: $TMP/nope: cannot open: No such file" "$TMP/err"
mkdir "$TMP/dir"
expect "directory as input" 2 '甲' -- "$H" normalize "$TMP/dir" "$TMP/good"

printf '{"id":"a","text":"漢"}\n{broken\n[1]\n{"id":"d"}\n{"id":"e","text":"語"}\n' > "$TMP/j"
expect "malformed jsonl: passed through, status 2" 2 "$(printf '{"id":"a","text":"汉"}\n{broken\n[1]\n{"id":"d"}\n{"id":"e","text":"语"}')" -- "$H" normalize --input jsonl "$TMP/j"
"$H" normalize --input jsonl "$TMP/j" 2> "$TMP/err" > /dev/null
check "malformed jsonl: file:line" grep -q "^hanfold: $TMP/j:2: malformed JSON" "$TMP/err"
check "malformed jsonl: not an object" grep -q "^hanfold: $TMP/j:3: not a JSON object" "$TMP/err"
check "malformed jsonl: no text field" grep -q "^hanfold: $TMP/j:4: no field \"text\"" "$TMP/err"
"$H" dedup --stats --input jsonl "$TMP/j" > "$TMP/out" 2> "$TMP/err"
check "malformed jsonl: dedup keeps every line" cmp -s "$TMP/out" "$TMP/j"
check "malformed jsonl: dedup accounts read = written + dropped + invalid" grep -q 'stats: read 5, written 2, dropped 0, invalid 3;' "$TMP/err"
"$H" normalize --stats --input jsonl "$TMP/j" > /dev/null 2> "$TMP/err"
check "malformed jsonl: normalize accounts read = written + invalid" grep -q 'stats: read 5, written 2, dropped 0, invalid 3;' "$TMP/err"
# a data error early in a batch whose item array then grows: the message
# must survive the move (it was read from freed memory once)
{ echo '{"id": 1, "text": '; for i in $(seq 2 300); do echo "{\"id\": $i, \"text\": \"记录$i\"}"; done; } > "$TMP/j300"
"$H" cluster --threads 1 --input jsonl "$TMP/j300" > /dev/null 2> "$TMP/err"
check "malformed jsonl early in a large batch: message intact" grep -q "^hanfold: $TMP/j300:1: malformed JSON at column" "$TMP/err"
printf 'a\t0123456789abcdef\t1\t0123456789abcdef\tk:a\ngarbage\n' > "$TMP/fpg"
"$H" dedup --stats --fingerprints "$TMP/fpg" > "$TMP/out" 2> "$TMP/err"
check "garbage fingerprint row: dedup passes it through and counts it" sh -c "cmp -s '$TMP/out' '$TMP/fpg' && grep -q 'stats: read 2, written 1, dropped 0, invalid 1;' '$TMP/err'"

if [ -w /dev/full ]; then
    expect "write error: /dev/full" 2 '' -- sh -c "'$H' normalize '$TMP/good' > /dev/full"
    "$H" normalize "$TMP/good" > /dev/full 2> "$TMP/err"
    check "write error message" grep -q '^hanfold: error writing output: No space left on device' "$TMP/err"
    expect "write error: dedup" 2 '' -- sh -c "'$H' dedup '$TMP/good' > /dev/full"
    expect "write error: help" 2 '' -- sh -c "'$H' --help > /dev/full"
fi

expect "closed stdout: status 2" 2 '' -- sh -c "'$H' normalize '$TMP/good' >&-"
"$H" normalize "$TMP/good" >&- 2> "$TMP/err"
check "closed stdout: a message" grep -q '^hanfold: error writing output: Bad file descriptor' "$TMP/err"
expect "closed stdout: dedup too" 2 '' -- sh -c "'$H' dedup '$TMP/good' >&-"

seq 1 200000 > "$TMP/many"
expect "closed pipe ends quietly" 0 '1' -- sh -c "'$H' normalize '$TMP/many' 2>'$TMP/pipe-err' | head -1"
# (under valgrind, its own "==PID==" notice of the signal is not ours)
check "closed pipe: nothing on stderr" sh -c "! grep -v '^==[0-9]*==' '$TMP/pipe-err' | grep -q ."
# JSONL ids are data, passed through as written (issue 25): numbers are
# not re-rounded through a double, a NUL does not cut a string id, and a
# key given twice is a data error rather than a guess
printf '{"id":1.10,"text":"甲"}\n{"id":1.1,"text":"乙"}\n{"id":1e2,"text":"丙"}\n{"id":"nul\\u0000x","text":"丁"}\n{"id":"n2","text":"戊","text":"己"}\n' > "$TMP/ids.jsonl"
expect "JSONL ids as written" 0 "$(printf '1.10\n1.1\n1e2\nnul\\\\u0000x\n5')" -- \
    sh -c "'$H' cluster --input jsonl '$TMP/ids.jsonl' | cut -f1"
check "... the duplicate key reported with file and line" grep -q "ids.jsonl:5: malformed JSON.*duplicate object key" "$TMP/stderr"
"$H" normalize --input jsonl "$TMP/ids.jsonl" > "$TMP/ids.out" 2> /dev/null; st=$?
sed -n 5p "$TMP/ids.jsonl" > "$TMP/ids.want5"
check "... and passed through unchanged by normalize, exit 2" \
    sh -c "[ $st = 2 ] && sed -n 5p '$TMP/ids.out' | cmp -s - '$TMP/ids.want5'"
# a hint that fits what was asked: --encoding auto was already tried
printf '你好\377世界\n' > "$TMP/inv-auto"
expect "invalid bytes under --encoding auto" 0 "$(printf '你好\357\277\275世界')" -- "$H" normalize --encoding auto "$TMP/inv-auto"
check "... no hint to try --encoding auto" sh -c "grep -q 'read it as UTF-8' '$TMP/stderr' && ! grep -q 'try --encoding auto' '$TMP/stderr'"
# escape sequences in ids and file names do not reach the terminal, and a
# newline in an id forges no report line; CSV cells that would run as
# formulas are text (issue 25)
printf '{"id":"a\\u001b[31mred","text":"今天天气很好我们去公园"}\n{"id":"b\\nforged","text":"今天天气很好我们去公园"}\n{"id":"=HYPERLINK(1)","text":"今天天气很好我们去公园"}\n{"id":"-5","text":"今天天气很好我们去公园"}\n' > "$TMP/esc.jsonl"
"$H" report --input jsonl "$TMP/esc.jsonl" > "$TMP/esc.txt"
check "text report: no control character but line ends" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$TMP/esc.txt' || [ \$(LC_ALL=C tr -d '\n' < '$TMP/esc.txt' | LC_ALL=C tr -dc '[:cntrl:]' | wc -c) = 0 ]"
check "text report: the escape shown as \\x1b, the newline as \\n" sh -c "grep -q 'a\\\\x1b\\[31mred' '$TMP/esc.txt' && grep -q 'b\\\\nforged' '$TMP/esc.txt'"
check "text report: one line per member" sh -c "[ \$(grep -c '^  ' '$TMP/esc.txt') = 4 ]"
"$H" report --input jsonl --format csv "$TMP/esc.jsonl" > "$TMP/esc.csv"
check "csv: a formula cell is text" grep -q "\"'=HYPERLINK(1)\"" "$TMP/esc.csv"
check "csv: a plain negative number stays" grep -q ',-5,' "$TMP/esc.csv"
printf 'x\n' > "$TMP/t$(printf '\033')]0;pwned$(printf '\007')"
"$H" normalize --encoding bogus "$TMP/t$(printf '\033')]0;pwned$(printf '\007')" 2> "$TMP/esc.err" > /dev/null
check "messages escape the file names they quote" sh -c "grep -q 't\\\\x1b]0;pwned\\\\x07' '$TMP/esc.err' && [ \$(LC_ALL=C tr -d '\n' < '$TMP/esc.err' | LC_ALL=C tr -dc '[:cntrl:]' | wc -c) = 0 ]"
done_cases
