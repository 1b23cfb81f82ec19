#!/bin/sh
# uniq habits (issue 22): dedup -c/--count (each kept record with the size
# of its cluster, as uniq -c) and -d/--repeated (only records that have
# near-duplicates, as uniq -d); -r/--recursive for directories given as
# FILEs, walked in sorted order.
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

printf 'a b c d e f g h\nx y\na b c d e f g h\n今天天气很好，我们去公园散步吧\na b c d e f g h\n今天天氣很好，我們去公園散步吧\n' > "$TMP/in"
expect "-c: counts, kept records in input order" 0 "$(printf '3\ta b c d e f g h\n1\tx y\n2\t今天天气很好，我们去公园散步吧')" -- "$H" dedup -c "$TMP/in"
expect "--count" 0 "$(printf '3\ta b c d e f g h\n1\tx y\n2\t今天天气很好，我们去公园散步吧')" -- "$H" dedup --count "$TMP/in"
expect "-d: only records with duplicates" 0 "$(printf 'a b c d e f g h\n今天天气很好，我们去公园散步吧')" -- "$H" dedup -d "$TMP/in"
expect "-cd" 0 "$(printf '3\ta b c d e f g h\n2\t今天天气很好，我们去公园散步吧')" -- "$H" dedup -cd "$TMP/in"
expect "-c from stdin (spooled)" 0 "$(printf '3\ta b c d e f g h\n1\tx y\n2\t今天天气很好，我们去公园散步吧')" -- sh -c "'$H' dedup -c < '$TMP/in'"
printf '今天天气很好，我们去公园散步吧\n今天天气很好，我们去公园散步吧啊\n' > "$TMP/l.txt"
expect "-c with --keep longest: the count goes with the kept record" 0 "$(printf '2\t今天天气很好，我们去公园散步吧啊')" -- "$H" dedup -c --keep longest "$TMP/l.txt"
"$H" dedup -d --stats --dropped "$TMP/d.tsv" "$TMP/in" > /dev/null 2> "$TMP/err"
check "-d --stats: unique records count as dropped (read = written + dropped)" grep -q "read 6, written 2, dropped 4, invalid 0" "$TMP/err"
check "-d --dropped: only the near-duplicates, not the unique records" [ "$(cut -f1,2 "$TMP/d.tsv" | tr '\t\n' ': ')" = "3:1 5:1 6:4 " ]
# invalid records are never lost: passed through, counted 1
printf '{"id":"a","text":"今天天气很好，我们去公园散步吧"}\n{"id":"b","text":"今天天气很好，我们去公园散步吧"}\nbroken\n' > "$TMP/j.jsonl"
expect "-c: an invalid record passes through, counted 1 (status 2)" 2 "$(printf '2\t{"id":"a","text":"今天天气很好，我们去公园散步吧"}\n1\tbroken')" -- "$H" dedup -c --input jsonl "$TMP/j.jsonl"
expect "-d: an invalid record still passes through" 2 "$(printf '{"id":"a","text":"今天天气很好，我们去公园散步吧"}\nbroken')" -- "$H" dedup -d --input jsonl "$TMP/j.jsonl"
expect "-c is for dedup only" 2 "" -- "$H" cluster -c "$TMP/in"
expect "-c with --index: refused" 2 "" -- "$H" dedup -c --index "$TMP/ix" "$TMP/in"
expect "-d with --method simhash: refused" 2 "" -- "$H" dedup -d --method simhash "$TMP/in"

# -r: directories, sorted, deep; symlinks inside not followed
mkdir -p "$TMP/r/b/sub" "$TMP/r/a" "$TMP/r/empty"
printf 'one\n' > "$TMP/r/b/sub/z.txt"
printf 'two\n' > "$TMP/r/a/y.txt"
printf 'three\n' > "$TMP/r/b/x.txt"
printf 'four\n' > "$TMP/r/B.txt"
ln -s "$TMP/r/a/y.txt" "$TMP/r/link.txt"
mkfifo "$TMP/r/fifo"
expect "-r: files in byte order, deep" 0 "$(printf '%s\n' "$TMP/r/B.txt" "$TMP/r/a/y.txt" "$TMP/r/b/sub/z.txt" "$TMP/r/b/x.txt")" -- sh -c "'$H' cluster -r --input files '$TMP/r' | cut -f1"
expect "--recursive, normalize: the texts in the same order" 0 "$(printf 'four\ntwo\none\nthree')" -- "$H" normalize --recursive "$TMP/r"
expect "-r: files and directories mixed, in the order given" 0 "$(printf 'x y\nfour\ntwo\none\nthree')" -- sh -c "printf 'x y\n' > '$TMP/first.txt'; '$H' normalize -r '$TMP/first.txt' '$TMP/r'"
expect "-r with a trailing slash" 0 "$TMP/r/a/y.txt" -- sh -c "'$H' cluster -r --input files '$TMP/r/a/' | cut -f1"
expect "-r: only empty directories: no records, status 0" 0 "" -- "$H" dedup -r "$TMP/r/empty"
expect "without -r a directory is an error" 2 "" -- "$H" normalize "$TMP/r"
check "without -r: names it" grep -q "$TMP/r" "$TMP/stderr"
# an unreadable directory is named, the rest processed, status 2
if [ "$(id -u)" != 0 ]; then
    mkdir "$TMP/r/c"; printf 'five\n' > "$TMP/r/c/w.txt"; chmod 000 "$TMP/r/c"
    expect "-r: an unreadable directory, the rest read" 2 "$(printf 'four\ntwo\none\nthree')" -- "$H" normalize -r "$TMP/r"
    check "-r: the unreadable directory named" grep -q "$TMP/r/c: cannot read: Permission denied" "$TMP/stderr"
    chmod 755 "$TMP/r/c"; rm -r "$TMP/r/c"
fi
printf 'five\n' > "$TMP/r/a/w.txt"; chmod 000 "$TMP/r/a/w.txt"
if ! cat "$TMP/r/a/w.txt" >/dev/null 2>&1; then
    expect "-r: an unreadable file, the rest read" 2 "$(printf 'four\ntwo\none\nthree')" -- "$H" normalize -r "$TMP/r"
    check "-r: the unreadable file named" grep -q "w.txt" "$TMP/stderr"
fi
chmod 644 "$TMP/r/a/w.txt"
check "-c, -d, -r in --help" sh -c "'$H' dedup --help | grep -q -- '-c, --count' && '$H' dedup --help | grep -q -- '-d, --repeated' && '$H' normalize --help | grep -q -- '-r, --recursive'"
done_cases
