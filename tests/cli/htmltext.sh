#!/bin/sh
# HTML whose text libxml2 lost without a word (issue 25): nesting deeper than
# its limit, and a NUL byte between elements.  Now every word is kept, a
# warning names file and line where the structure is flattened, --stats
# counts the record, and hostile nesting stays fast.
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

python3 - "$TMP" <<'PY'
import os, sys
d = sys.argv[1]
def w(name, s):
    open(os.path.join(d, name), 'w', encoding='utf-8').write(s)
# the reproductions of the issue
w('b300.html', '<p>前文</p>' + '<b>' * 300 + '中间' + '</b>' * 300 + '<p>后文</p>\n')
w('t100.html', '<p>前文</p>' + '<table><tr><td>' * 100 + '中间' + '</td></tr></table>' * 100 + '<p>后文</p>\n')
# the deep part starts on line 3
w('line3.html', '<html><body>\n<h1>标题</h1>\n' + '<div>' * 300 + '<p>深处</p>' + '</div>' * 300 + '\n</body></html>\n')
# same headline, different bodies, both deep: not duplicates
body = '<h1>同一个标题在这里</h1>' + '<div>' * 300
w('a.html', body + '<p>第一篇文章的正文讲的是天气很好大家去公园散步</p></div>\n')
w('b.html', body + '<p>第二篇文章说的是股市大跌投资者纷纷抛售股票</p></div>\n')
# as a JSON record: the deep part on line 2 of its text
w('deep.jsonl', '{"id":"j1","text":"<p>前文</p>\\n' + '<b>' * 300 + '中间"}\n')
# a NUL byte between two elements ended the parse
w('nul.html', '<p>前文</p>\0<p>后文</p>\n')
# hostile: 100000 levels, then end tags that match nothing
w('hostile.html', '<p>开头</p>' + '<b>' * 100000 + '深' + '</i>' * 100000 + '<p>结尾</p>\n')
PY

expect "300 nested <b>: every word" 0 "$(printf '前文\n中间\n后文')" -- "$H" normalize --input files "$TMP/b300.html"
check "300 nested <b>: a warning names file and line" \
    grep -q "^hanfold: $TMP/b300.html:1: warning: HTML nested deeper than 256 elements" "$TMP/stderr"
expect "100 nested tables: every word" 0 "$(printf '前文\n中间\n后文')" -- "$H" normalize --input files "$TMP/t100.html"
check "100 nested tables: warned" grep -q "t100.html:1: warning: HTML nested deeper" "$TMP/stderr"
expect "deep part on line 3" 0 "$(printf '标题\n深处')" -- "$H" normalize --input files "$TMP/line3.html"
check "deep part on line 3: the warning names line 3" grep -q "line3.html:3: warning: " "$TMP/stderr"
expect "--quiet: no warning" 0 "$(printf '前文\n中间\n后文')" -- "$H" normalize --quiet --input files "$TMP/b300.html"
check "--quiet: no warning" sh -c "! grep -q warning '$TMP/stderr'"

"$H" normalize --stats --input files "$TMP/b300.html" "$TMP/line3.html" "$TMP/a.html" > /dev/null 2> "$TMP/err"
check "--stats counts the records nested too deep" grep -q "html 3 (nested too deep 3, cut short 0)" "$TMP/err"

# jsonl: the record's line, and the line within its text
expect "jsonl: every word" 0 '{"id":"j1","text":"前文。中间"}' -- "$H" normalize --input jsonl "$TMP/deep.jsonl"
check "jsonl: the warning names the record and the line of its text" \
    grep -q "deep.jsonl:1: warning: HTML nested deeper than 256 elements.*(line 2 of the record's text)" "$TMP/stderr"

expect "a NUL byte between elements: every word" 0 "$(printf '前文\n后文')" -- "$H" normalize --input files "$TMP/nul.html"
check "a NUL byte: nothing to warn about" sh -c "! grep -q warning '$TMP/stderr'"
"$H" normalize --stats --input files "$TMP/nul.html" > /dev/null 2> "$TMP/err"
check "a NUL byte: --stats" grep -q "html 1 (nested too deep 0, cut short 0)" "$TMP/err"

# the issue's consequence: two pages with one headline and different deep
# bodies were dropped as duplicates at similarity 1.000
expect "different deep bodies are no duplicates" 0 "$(printf '%s\t%s\t1.000\n%s\t%s\t1.000' \
    "$TMP/a.html" "$TMP/a.html" "$TMP/b.html" "$TMP/b.html")" -- "$H" cluster --input files "$TMP/a.html" "$TMP/b.html"
"$H" dedup --stats --input files "$TMP/a.html" "$TMP/b.html" > /dev/null 2> "$TMP/err"
check "dedup keeps both, and --stats counts them" grep -q "stats: read 2, written 2, dropped 0, invalid 0; invalid byte sequences 0; html 2 (nested too deep 2, cut short 0)" "$TMP/err"
check "dedup warns once per record" sh -c "[ \$(grep -c 'warning: HTML nested deeper' '$TMP/err') -eq 2 ]"

# 100000 levels and 100000 end tags that match nothing: all the text, and
# linear time (libxml2 with its limit lifted scans its whole stack per end
# tag: 19 s for these; here a fraction of a second).
if [ -n "$SLOW_OK" ]; then
    # a page whose text node passes 10 MB: libxml2 stopped it there and said
    # "out of memory", and normalize stopped at that record
    python3 -c "import sys; sys.stdout.write('<p>' + '字' * 4000000 + '</p><p>后文</p>\n')" > "$TMP/big.html"
    printf '<p>下一篇</p>\n' > "$TMP/next.html"
    "$H" normalize --input files "$TMP/big.html" "$TMP/next.html" > "$TMP/out" 2> "$TMP/err"
    check "a 12 MB text node: status 0, no message" sh -c "[ $? -eq 0 ] && [ ! -s '$TMP/err' ]"
    check "a 12 MB text node: all of it, and the next record" sh -c "[ \$(wc -c < '$TMP/out') -eq 12000018 ] && [ \"\$(tail -n 2 '$TMP/out')\" = '$(printf '后文\n下一篇')' ]"
    start=$(date +%s)
    expect "hostile nesting: every word" 0 "$(printf '开头\n深\n结尾')" -- timeout 60 "$H" normalize --input files "$TMP/hostile.html"
    check "hostile nesting: under 10 s" [ $(( $(date +%s) - start )) -lt 10 ]
fi
done_cases
