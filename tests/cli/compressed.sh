#!/bin/sh
# Compressed input: gzip (one member and several), zstd (one frame, several,
# a skippable frame), xz (one stream and several), told by magic bytes, from
# files and from stdin: every command writes byte for byte what it writes for
# the plain input.  Damage (a truncated .gz, a corrupt .zst, bytes after a
# gzip member, an unsupported format) is an error naming the file and the
# line reached in the decompressed text; the records before it are processed
# and the exit status is 2.  Empty archives are empty input.  The fixtures are
# made here with the gzip, zstd and xz commands (skipped without them).
. "$(dirname "$0")/lib.sh"
H=$HANFOLD
for c in gzip zstd xz; do
    command -v $c > /dev/null || { echo "skip: no $c command (apt-get install gzip zstd xz-utils)"; exit 77; }
done

# lines: random text, near-duplicates of earlier lines, the same sentences
# in both scripts; N lines (fewer under valgrind); big.txt, for normalize
# only, is large enough that its compressed forms fill the input buffer
# (128 KiB) several times
gen() {
    python3 - "$1" "$2" <<'PY'
import random, sys
random.seed(22)
n, path = int(sys.argv[1]), sys.argv[2]
pool = ('的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小'
        '心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现')
pairs = ['今天天氣很好，我們去公園散步吧', '今天天气很好，我们去公园散步吧！', '上半年中國AR/VR出貨23.3萬臺，同比下滑了29.1%',
         'IDC:2024 上半年中國 AR / VR 頭顯出貨 23.3 萬臺,同比下滑 29.1%', '軟體更新了，請重新啟動電腦', '软件更新了，请重新启动电脑',
         '民间故事：水分', '民间故事：水平', '產(chǎn)業(yè)數字化轉型']
lines = []
for i in range(n):
    r = random.random()
    if r < 0.1:
        lines.append(random.choice(pairs))
    elif r < 0.3 and lines:
        s = list(random.choice(lines))
        s[random.randrange(len(s))] = random.choice(pool)
        lines.append(''.join(s) + random.choice(['', '！', '。']))
    else:
        lines.append(''.join(random.choice(pool) for _ in range(random.randint(12, 40))) + str(random.randrange(100000)))
open(path, 'w', encoding='utf-8').write('\n'.join(lines) + '\n')
PY
}
n=3000
[ -n "$SLOW_OK" ] || n=600
gen $n "$TMP/p.txt"
gen $((n * 10)) "$TMP/big.txt"
awk '{ gsub(/"/, ""); printf "{\"id\":\"r%d\",\"text\":\"%s\",\"src\":\"crawl\"}\n", NR, $0 }' "$TMP/p.txt" > "$TMP/p.jsonl"

# compressed copies of FILE: FILE.gz FILE.m.gz (three members) FILE.zst
# FILE.m.zst (a skippable frame, then three frames) FILE.xz FILE.m.xz
# (three streams)
compress_all() {
    f=$1
    lines=$(wc -l < "$f")
    third=$((lines / 3 + 1))
    split -l $third "$f" "$TMP/part."
    gzip -c "$f" > "$f.gz"
    zstd -q -c "$f" > "$f.zst"
    xz -c "$f" > "$f.xz"
    : > "$f.m.gz"
    printf '\120\052\115\030\004\000\000\000skip' > "$f.m.zst"
    : > "$f.m.xz"
    for p in "$TMP"/part.*; do
        gzip -c "$p" >> "$f.m.gz"
        zstd -q -c "$p" >> "$f.m.zst"
        xz -c "$p" >> "$f.m.xz"
    done
    rm -f "$TMP"/part.*
}
compress_all "$TMP/p.txt"
compress_all "$TMP/p.jsonl"
compress_all "$TMP/big.txt"

# same_as_plain NAME PLAIN ARGS...: the command on PLAIN.gz, .m.gz, .zst,
# .m.zst, .xz, .m.xz, as a file and on stdin, writes what it writes on PLAIN
# (stdout and exit status)
same_as_plain() {
    name=$1 plain=$2
    shift 2
    "$@" "$plain" > "$TMP/want" 2> /dev/null
    want_st=$?
    for z in gz m.gz zst m.zst xz m.xz; do
        "$@" "$plain.$z" > "$TMP/got" 2> "$TMP/err"
        st=$?
        check "$name: .$z file: same output and status ($st)" sh -c "[ $st = $want_st ] && cmp -s '$TMP/want' '$TMP/got'"
        "$@" < "$plain.$z" > "$TMP/got" 2> "$TMP/err"
        st=$?
        check "$name: .$z on stdin: same output and status ($st)" sh -c "[ $st = $want_st ] && cmp -s '$TMP/want' '$TMP/got'"
    done
}
same_as_plain "normalize" "$TMP/p.txt" "$H" normalize
same_as_plain "normalize, $((n * 10)) lines" "$TMP/big.txt" "$H" normalize
same_as_plain "normalize --key --input jsonl" "$TMP/p.jsonl" "$H" normalize --key --input jsonl
same_as_plain "fingerprint" "$TMP/p.txt" "$H" fingerprint
same_as_plain "dedup" "$TMP/p.txt" "$H" dedup
same_as_plain "dedup --input jsonl" "$TMP/p.jsonl" "$H" dedup --input jsonl
same_as_plain "dedup --keep longest (stdin spooled)" "$TMP/p.txt" "$H" dedup --keep longest
same_as_plain "cluster" "$TMP/p.jsonl" "$H" cluster --input jsonl --format tsv
# report names each record's source: the file as given, or (stdin)
report_json() {
    "$H" report --format json "$@" > "$TMP/report"
    st=$?
    sed 's/"source":"[^"]*"/"source":""/g' "$TMP/report"
    return $st
}
same_as_plain "report --format json" "$TMP/p.txt" report_json
"$H" report "$TMP/p.txt.zst" > "$TMP/got"
check "report names the compressed file as given" grep -q "p.txt.zst" "$TMP/got"

# fingerprint rows compressed: cluster --fingerprints and index import
"$H" fingerprint "$TMP/p.txt" > "$TMP/fp.tsv"
compress_all "$TMP/fp.tsv"
same_as_plain "cluster --fingerprints" "$TMP/fp.tsv" "$H" cluster --fingerprints --format tsv
"$H" index import "$TMP/a.db" "$TMP/fp.tsv" > /dev/null 2>&1
"$H" index import "$TMP/b.db" "$TMP/fp.tsv.m.zst" > /dev/null 2>&1
check "index import of .zst rows: the same index" sh -c "'$H' index export '$TMP/a.db' > '$TMP/a.out' && '$H' index export '$TMP/b.db' > '$TMP/b.out' && cmp -s '$TMP/a.out' '$TMP/b.out' && [ -s '$TMP/a.out' ]"

# --encoding auto detects the charset of the decompressed text
iconv -f UTF-8 -t GB18030 "$TMP/p.txt" > "$TMP/gb.txt"
compress_all "$TMP/gb.txt"
"$H" normalize "$TMP/p.txt" > "$TMP/want"
"$H" normalize --encoding auto "$TMP/gb.txt.xz" > "$TMP/got"
check "--encoding auto on GB18030 text in .xz" cmp -s "$TMP/want" "$TMP/got"
"$H" normalize --encoding auto < "$TMP/gb.txt.m.gz" > "$TMP/got"
check "--encoding auto on GB18030 text in .gz members, stdin" cmp -s "$TMP/want" "$TMP/got"

# --input files: each file decompressed is one record; ids are the paths given
printf '軟體更新了\n' > "$TMP/one.html"
gzip -c "$TMP/one.html" > "$TMP/one.html.gz"
expect "--input files: a .gz file is its text" 0 "$(printf '软体更新了\n软体更新了')" -- "$H" normalize --input files "$TMP/one.html" "$TMP/one.html.gz"
expect "--input files: the id is the path as given" 0 "$TMP/one.html.gz" -- sh -c "'$H' fingerprint --input files '$TMP/one.html.gz' | cut -f1"

# a pipe that gives the magic bytes one or two at a time
for z in gz zst xz; do
    "$H" normalize "$TMP/p.txt" > "$TMP/want"
    (head -c 1 "$TMP/p.txt.$z"; sleep 0.2; tail -c +2 "$TMP/p.txt.$z" | head -c 2; sleep 0.2; tail -c +4 "$TMP/p.txt.$z") | "$H" normalize > "$TMP/got"
    check "stdin: .$z magic bytes arriving in pieces" cmp -s "$TMP/want" "$TMP/got"
done

# line numbers are those of the decompressed text
l=$((n / 2 + 17))
awk -v l=$l 'NR == l { print $0 "\377"; next } { print }' "$TMP/p.txt" | zstd -q -c > "$TMP/inv.zst"
"$H" normalize "$TMP/inv.zst" > /dev/null 2> "$TMP/err"
check "an invalid byte in a .zst: reported on its line ($l)" grep -q "^hanfold: $TMP/inv.zst:$l: 1 invalid byte sequence" "$TMP/err"
"$H" normalize --strict "$TMP/inv.zst" > "$TMP/got" 2> /dev/null
st=$?
head -n $((l - 1)) "$TMP/p.txt" | "$H" normalize > "$TMP/want"
check "--strict in a .zst: stops at line $l, the lines before written" sh -c "[ $st = 2 ] && cmp -s '$TMP/want' '$TMP/got'"
l=$((n / 3 + 7))
awk -v l=$l 'NR == l { print "{broken"; next } { print }' "$TMP/p.jsonl" | gzip -c > "$TMP/bad.jsonl.gz"
"$H" dedup --input jsonl "$TMP/bad.jsonl.gz" > /dev/null 2> "$TMP/err"
check "malformed JSON in a .gz: reported on its line ($l)" grep -q "^hanfold: $TMP/bad.jsonl.gz:$l: malformed JSON" "$TMP/err"

# damage_case NAME FILE DECOMPRESSOR MESSAGE: the complete lines that the
# decompressor itself gets out of FILE are read, exactly, and processed
# (normalize and dedup write what they write for those lines), the message
# names FILE and the line after them, the status is 2; the same on stdin
damage_case() {
    name=$1 f=$2 dec=$3 msg=$4
    k=$($dec -dc "$f" 2> /dev/null | wc -l)
    check "$name: some lines before the damage (k=$k)" [ "$k" -gt 0 ]
    head -n "$k" "$TMP/p.txt" > "$TMP/head"
    for cmd in normalize dedup; do
        "$H" $cmd "$TMP/head" > "$TMP/want"
        "$H" $cmd "$f" > "$TMP/got" 2> "$TMP/err"
        st=$?
        check "$name: $cmd: status 2, the $k lines before processed" sh -c "[ $st = 2 ] && cmp -s '$TMP/want' '$TMP/got'"
        check "$name: $cmd: message names the file and line $((k + 1))" grep -q "^hanfold: $f:$((k + 1)): $msg.*lines 1-$k were read" "$TMP/err"
        "$H" $cmd < "$f" > "$TMP/got" 2> "$TMP/err"
        st=$?
        check "$name: $cmd on stdin: status 2, the $k lines before processed" sh -c "[ $st = 2 ] && cmp -s '$TMP/want' '$TMP/got'"
        check "$name: $cmd on stdin: message names (stdin) and line $((k + 1))" grep -q "^hanfold: (stdin):$((k + 1)): $msg" "$TMP/err"
    done
}
size=$(wc -c < "$TMP/p.txt.gz")
head -c $((size / 2)) "$TMP/p.txt.gz" > "$TMP/trunc.gz"
damage_case "truncated .gz" "$TMP/trunc.gz" gzip "truncated gzip data"
size=$(wc -c < "$TMP/p.txt.m.xz")
head -c $((size * 2 / 3)) "$TMP/p.txt.m.xz" > "$TMP/trunc.xz"
damage_case "truncated .xz" "$TMP/trunc.xz" xz "truncated xz data"
size=$(wc -c < "$TMP/p.txt.m.zst")
head -c $((size - 5)) "$TMP/p.txt.m.zst" > "$TMP/trunc.zst"
damage_case "truncated .zst" "$TMP/trunc.zst" zstd "truncated zstd data"
# corrupt .zst: the second of three frames does not start with a frame's
# magic: the first frame's lines are read, exactly
python3 - "$TMP/p.txt.m.zst" "$TMP/corrupt.zst" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
frames = [i for i in range(len(b)) if b[i:i + 4] == b'\x28\xb5\x2f\xfd']
b[frames[1]] ^= 0xff
open(sys.argv[2], 'wb').write(b)
PY
damage_case "corrupt .zst (a frame's magic)" "$TMP/corrupt.zst" zstd "corrupt zstd data"
# corrupt .zst: a byte inside the third frame's blocks (libzstd finds it
# in a block or by the frame's checksum, perhaps after lines of the damaged
# frame went out): the first two frames' lines are read and processed
python3 - "$TMP/p.txt.m.zst" "$TMP/corrupt2.zst" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
third = [i for i in range(len(b)) if b[i:i + 4] == b'\x28\xb5\x2f\xfd'][2]
b[third + (len(b) - third) // 2] ^= 0x55
open(sys.argv[2], 'wb').write(b)
PY
k=$((2 * (n / 3 + 1)))
"$H" normalize "$TMP/corrupt2.zst" > "$TMP/got" 2> "$TMP/err"
st=$?
head -n $k "$TMP/p.txt" | "$H" normalize > "$TMP/want"
check "corrupt .zst (inside a block): status 2, message with file and line" sh -c "[ $st = 2 ] && grep -q '^hanfold: $TMP/corrupt2.zst:[0-9]*: corrupt zstd data (.*); lines 1-[0-9]* were read' '$TMP/err'"
check "corrupt .zst (inside a block): the $k lines of the frames before it processed" sh -c "head -n $k '$TMP/got' | cmp -s - '$TMP/want'"
# a corrupt .gz: zlib finds it, at the latest by the member's CRC-32
python3 - "$TMP/p.txt.gz" "$TMP/corrupt.gz" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[len(b) // 2] ^= 0x55
open(sys.argv[2], 'wb').write(b)
PY
"$H" normalize "$TMP/corrupt.gz" > /dev/null 2> "$TMP/err"
st=$?
check "corrupt .gz: status 2, message with file and line" sh -c "[ $st = 2 ] && grep -q '^hanfold: $TMP/corrupt.gz:[0-9]*: corrupt gzip data' '$TMP/err'"

# a damaged input does not stop the next one
head -n "$(gzip -dc "$TMP/trunc.gz" 2> /dev/null | wc -l)" "$TMP/p.txt" | cat - "$TMP/p.txt" | "$H" normalize > "$TMP/want"
"$H" normalize "$TMP/trunc.gz" "$TMP/p.txt.zst" > "$TMP/got" 2> /dev/null
st=$?
check "truncated .gz then a good .zst: the second is read whole, status 2" sh -c "[ $st = 2 ] && cmp -s '$TMP/want' '$TMP/got'"
"$H" normalize --input files "$TMP/trunc.gz" "$TMP/one.html.gz" > "$TMP/got" 2> "$TMP/err"
st=$?
check "--input files: a truncated .gz is no record, the next file is" sh -c "[ $st = 2 ] && [ \"\$(cat '$TMP/got')\" = '软体更新了' ] && grep -q '^hanfold: $TMP/trunc.gz:[0-9]*: truncated gzip data.*this file is not read' '$TMP/err'"

# bytes after the last gzip member that start no other member
cat "$TMP/p.txt.gz" > "$TMP/trail.gz"
printf 'not gzip\n' >> "$TMP/trail.gz"
"$H" normalize "$TMP/p.txt" > "$TMP/want"
"$H" normalize "$TMP/trail.gz" > "$TMP/got" 2> "$TMP/err"
st=$?
check "bytes after a gzip member: every line read, status 2" sh -c "[ $st = 2 ] && cmp -s '$TMP/want' '$TMP/got'"
check "bytes after a gzip member: said, with the line after the last" grep -q "^hanfold: $TMP/trail.gz:$((n + 1)): not gzip data after the end of a gzip member" "$TMP/err"

# formats recognized but not read, and plain text that starts like a magic
printf 'BZh91AY&SY\001\002\003' > "$TMP/x.bz2"
expect "bzip2: refused, exit 2" 2 '' -- "$H" normalize "$TMP/x.bz2"
check "bzip2: said so" grep -q "^hanfold: $TMP/x.bz2:1: bzip2-compressed input is not supported" "$TMP/stderr"
# a zstd frame whose window (2 GiB, zstd --long=31) is over libzstd's
# default limit is no damage, and the message says what to do
printf '\050\265\057\375\000\250\001\000\000' > "$TMP/bigwin.zst"
expect "zstd --long window: refused, exit 2" 2 '' -- "$H" normalize "$TMP/bigwin.zst"
check "zstd --long window: said so" grep -q "^hanfold: $TMP/bigwin.zst:1: zstd data with a window over libzstd's default limit of 128 MiB (made with zstd --long); decompress it with zstd -d --long=31" "$TMP/stderr"
expect "plain: a line starting with (" 0 '(' -- sh -c "printf '(\n' | '$H' normalize"
expect "plain: BZh9 without the rest of bzip2's magic" 0 'BZh9 text' -- sh -c "printf 'BZh9 text\n' | '$H' normalize"
expect "plain: one byte" 0 'a' -- sh -c "printf a | '$H' normalize"
expect "plain: empty" 0 '' -- sh -c "'$H' normalize < /dev/null"

# empty archives are empty input
for z in gz zst xz; do
    : | case $z in gz) gzip -c;; zst) zstd -q -c;; xz) xz -c;; esac > "$TMP/empty.$z"
    expect "empty .$z: dedup writes nothing, status 0" 0 '' -- "$H" dedup "$TMP/empty.$z"
    "$H" normalize --stats < "$TMP/empty.$z" > "$TMP/got" 2> "$TMP/err"
    st=$?
    check "empty .$z on stdin: normalize reads 0 records, status 0" sh -c "[ $st = 0 ] && [ ! -s '$TMP/got' ] && grep -q 'stats: read 0,' '$TMP/err'"
done
expect "empty .gz then a plain file" 0 "$(printf '软体更新了')" -- "$H" normalize "$TMP/empty.gz" "$TMP/one.html"

done_cases
