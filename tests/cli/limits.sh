#!/bin/sh
# Limits: bounded memory or a clear message, never a crash, nothing lost.
# Skipped in sanitizer and wrapper builds (too slow there; the same code
# paths run small in badinput.sh).
. "$(dirname "$0")/lib.sh"
H=$HANFOLD
if [ -n "${HANFOLD_WRAPPER:-}" ] || ldd "$H" 2>/dev/null | grep -q 'lib[at]san\|libubsan'; then
    echo "skip: sanitizer or wrapper build"; exit 77
fi

# peak RSS (KB) of a command, stdout to a file: peak OUT CMD...
peak() {
    python3 - "$@" <<'PY'
import os, resource, sys
out = sys.argv[1]
pid = os.fork()
if pid == 0:
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 1)
    os.execv(sys.argv[2], sys.argv[2:])
_, st, ru = os.wait4(pid, 0)
print(ru.ru_maxrss, os.waitstatus_to_exitcode(st))
PY
}

# a 1 GB line: passed through unchanged with the default --max-record (256M)
python3 -c "
import sys
chunk = '漢' * (1 << 20)
for _ in range(341): sys.stdout.write(chunk)
sys.stdout.write('\n短行\n')" > "$TMP/giga"
set -- $(peak "$TMP/giga.out" "$H" normalize "$TMP/giga")
check "1 GB line: status 2 (data error)" [ "$2" = 2 ]
check "1 GB line: memory bounded (peak $1 KB < 700 MB)" [ "$1" -lt 716800 ]
check "1 GB line: passed through byte for byte" cmp -s "$TMP/giga.out" "$TMP/giga"
tail -c 7 "$TMP/giga.out" > "$TMP/tail"
check "1 GB line: the next line still normalized" sh -c "printf '短行\n' | cmp -s - '$TMP/tail'"
set -- $(peak "$TMP/giga.out" "$H" dedup "$TMP/giga")
check "1 GB line: dedup keeps it, bounded ($1 KB)" sh -c "[ $2 = 2 ] && [ $1 -lt 716800 ] && cmp -s '$TMP/giga' '$TMP/giga.out'"
rm -f "$TMP/giga" "$TMP/giga.out"

# oversize records in every mode, small
python3 -c "import sys; sys.stdout.write('a' * 300000 + '\n好\n')" > "$TMP/ov"
for mode in lines null paragraphs files; do
    "$H" normalize --input $mode --max-record 100k "$TMP/ov" > "$TMP/ov.out" 2> "$TMP/err"
    check "oversize ($mode): first 100k bytes and the rest are out unchanged" sh -c "head -c 300001 '$TMP/ov.out' | cmp -s - \"\$(printf '%s' '$TMP/ov')\" -n 300001"
    check "oversize ($mode): message" grep -q 'record longer than 102400 bytes (--max-record): passed through unprocessed' "$TMP/err"
done
expect "oversize: cluster gives it a row" 0 "$(printf '1\t1\n2\t2')" -- sh -c "'$H' cluster --max-record 100k '$TMP/ov' 2>/dev/null | cut -f1,2"

# JSON with 10000 fields, text last
python3 -c "
import json
d = {'f%d' % i: i for i in range(10000)}
d['text'] = '漢字'
print(json.dumps(d))" > "$TMP/wide.jsonl"
"$H" normalize --input jsonl "$TMP/wide.jsonl" > "$TMP/wide.out"
check "10k-field JSON: only the text changes" python3 -c "
import json, sys
a = json.loads(open(sys.argv[1]).read()); b = json.loads(open(sys.argv[2]).read())
assert b.pop('text') == '汉字' and a.pop('text') == '漢字' and a == b" "$TMP/wide.jsonl" "$TMP/wide.out"

# HTML nested 100000 levels deep
python3 -c "print('<div>' * 100000 + '深層' + '</div>' * 100000)" > "$TMP/deep.html"
expect "100k-deep HTML" 0 '' -- sh -c "'$H' normalize --input files '$TMP/deep.html' > /dev/null"

# 10 million tiny records: dedup streams them in bounded memory
python3 -c "
import sys
w = sys.stdout.write
for i in range(10000000): w('%d\n' % (i % 1000))" > "$TMP/tiny"
set -- $(peak "$TMP/tiny.out" "$H" dedup --stats "$TMP/tiny")
check "10M tiny records: dedup keeps 1000, status 0, peak $1 KB < 100 MB" sh -c "[ $2 = 0 ] && [ \$(wc -l < '$TMP/tiny.out') = 1000 ] && [ $1 -lt 102400 ]"
done_cases
