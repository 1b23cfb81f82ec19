#!/bin/sh
# cluster and dedup --method simhash: the linkage rule on hand-made SimHashes
# (nearest representative within --hamming bits, the earliest among equals,
# empty keys never merge), the dedup invariants, threads and fingerprint rows
# change nothing, bad rows, and the options it refuses.
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

# fingerprint rows with chosen SimHashes (keys are not read in this mode)
row() { printf '%s\t%s\t%s\t0000000000000%03d\tk:x\n' "$1" "$2" "${3:-10}" "${4:-0}"; }
{
    row a 0000000000000000        # a representative
    row b 0000000000000007        # 3 bits from a: joins it
    row c ff00000000000000        # 8 bits from a: a representative
    row d fe00000000000001        # 2 from c, 8 from a: joins c
    row e f000000000000000        # 4 from a and from c: alone at K 3, a (earlier) at K 4
    row f fc00000000000000        # 6 from a, 2 from c: c, the nearer, at any K
    row g 0000000000000000 0 1    # an empty key never merges
    row h 00000000000000ff        # 8 from a
    row i 0000000000000000 10 2   # 0 bits from a: similarity 1
} > "$TMP/fp"
expect "K 3: nearest representative within 3 bits" 0 "$(printf 'a\ta\t1.000\nb\ta\t0.953\nc\tc\t1.000\nd\tc\t0.969\ne\te\t1.000\nf\tc\t0.969\ng\tg\t1.000\nh\th\t1.000\ni\ta\t1.000')" -- "$H" cluster --method simhash --fingerprints "$TMP/fp"
expect "K 4: ties go to the earliest representative" 0 "$(printf 'a\ta\nb\ta\nc\tc\nd\tc\ne\ta\nf\tc\ng\tg\nh\th\ni\ta')" -- sh -c "'$H' cluster --method simhash --hamming 4 --fingerprints '$TMP/fp' | cut -f1,2"
expect "K 0: identical SimHashes only" 0 "$(printf 'a\nb\nc\nd\ne\nf\ng\nh\na')" -- sh -c "'$H' cluster --method simhash --hamming 0 --fingerprints '$TMP/fp' | cut -f2"
expect "K 7: everything within 7 bits" 0 "$(printf 'a\na\nc\nc\na\nc\ng\nh\na')" -- sh -c "'$H' cluster --method simhash --hamming 7 --fingerprints '$TMP/fp' | cut -f2"
expect "cluster jsonl" 0 '{"id":"b","cluster":"a","similarity":0.953,"measure":"simhash"}' -- sh -c "'$H' cluster --method simhash --format jsonl --fingerprints '$TMP/fp' | sed -n 2p"
expect "cluster csv" 0 'd,c,0.969' -- sh -c "'$H' cluster --method simhash --format csv --fingerprints '$TMP/fp' | sed -n 4p"

cat > "$TMP/in" <<'X'
今天天气很好，我们去公园散步吧
今天天氣很好，我們去公園散步吧！

，。
！
民间故事：水分
民间故事：水分
转发：今天天气很好，我们去公园散步吧
X
read_n=$(grep -c '' "$TMP/in")
expect "same key in two scripts: distance 0; empty keys stay apart" 0 "$(printf '1\t1\t1.000\n2\t1\t1.000\n3\t3\t1.000\n4\t4\t1.000\n5\t5\t1.000\n6\t6\t1.000\n7\t6\t1.000\n8\t8\t1.000')" -- "$H" cluster --method simhash "$TMP/in"

# dedup: kept + dropped = read, --stats, --dropped, --exit-status
"$H" dedup --method simhash --stats --dropped "$TMP/dropped" "$TMP/in" > "$TMP/kept" 2> "$TMP/err"
kept_n=$(grep -c '' "$TMP/kept"); dropped_n=$(grep -c '' "$TMP/dropped")
check "dedup: kept + dropped = read ($kept_n + $dropped_n = $read_n)" [ $((kept_n + dropped_n)) -eq "$read_n" ]
check "dedup: --stats accounts for every record" grep -q "stats: read $read_n, written $kept_n, dropped $dropped_n, invalid 0;" "$TMP/err"
expect "dedup: dropped rows name what they duplicate" 0 "$(printf '2\t1\t1.000\t今天天氣很好，我們去公園散步吧！\n7\t6\t1.000\t民间故事：水分')" -- cat "$TMP/dropped"
expect "dedup: --exit-status" 1 "$(cat "$TMP/kept")" -- "$H" dedup --method simhash --exit-status "$TMP/in"
"$H" cluster --method simhash --stats "$TMP/in" > /dev/null 2> "$TMP/cerr"
check "cluster: --stats accounts for every record" grep -q "stats: read $read_n, written $read_n, dropped 0, invalid 0;" "$TMP/cerr"

# threads and fingerprint rows change nothing
python3 -c "
import random
random.seed(5)
pool = ['今天天气很好我们去公园散步%d' % i for i in range(300)]
for i in range(5000):
    s = random.choice(pool)
    print(('转发：' if random.random() < 0.3 else '') + s)" > "$TMP/many"
for c in cluster dedup; do
    "$H" $c --method simhash --threads 1 "$TMP/many" > "$TMP/t1" 2>&1
    "$H" $c --method simhash --threads 2 "$TMP/many" > "$TMP/t2" 2>&1
    check "$c: --threads 2 gives the output of --threads 1" cmp -s "$TMP/t1" "$TMP/t2"
done
"$H" cluster --method simhash "$TMP/many" > "$TMP/c1"
check "the records do merge" [ "$(cut -f2 "$TMP/c1" | sort -u | wc -l)" -lt 5000 ]
"$H" fingerprint "$TMP/many" > "$TMP/fpm"
"$H" cluster --method simhash --fingerprints "$TMP/fpm" > "$TMP/cf"
check "cluster: from fingerprint rows == from text" cmp -s "$TMP/cf" "$TMP/c1"
"$H" fingerprint --format jsonl "$TMP/many" > "$TMP/fpj"
"$H" cluster --method simhash --fingerprints "$TMP/fpj" > "$TMP/cfj"
check "cluster: from jsonl fingerprint rows == from text" cmp -s "$TMP/cfj" "$TMP/c1"
head -2000 "$TMP/fpm" > "$TMP/fpa"; tail -n +2001 "$TMP/fpm" > "$TMP/fpb"
"$H" cluster --method simhash --fingerprints "$TMP/fpa" "$TMP/fpb" > "$TMP/cab"
check "cluster: two shards of rows == one" cmp -s "$TMP/cab" "$TMP/c1"
"$H" dedup --method simhash "$TMP/many" > "$TMP/d1"
"$H" dedup --method simhash --fingerprints "$TMP/fpm" > "$TMP/df"
check "dedup keeps the representatives of cluster, from text and from rows" python3 - "$TMP/many" "$TMP/d1" "$TMP/df" "$TMP/c1" <<'PY'
import sys
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')[:-1]
kept = open(sys.argv[2], encoding='utf-8').read().split('\n')[:-1]
rows = open(sys.argv[3], encoding='utf-8').read().split('\n')[:-1]
reps = [l.split('\t')[0] for l in open(sys.argv[4], encoding='utf-8').read().split('\n')[:-1] if l.split('\t')[0] == l.split('\t')[1]]
assert kept == [lines[int(i) - 1] for i in reps], 'dedup text != cluster representatives'
assert [r.split('\t')[0] for r in rows] == reps, 'dedup rows != cluster representatives'
PY

# bad rows: a garbage fingerprint row is no record (status 2); a malformed
# JSONL record is its own cluster, and dedup passes it through
{ head -3 "$TMP/fp"; echo garbage; printf 'z\tnothex\t1\t0000000000000000\tk:x\n'; tail -n +4 "$TMP/fp"; } > "$TMP/fpbad"
expect "garbage fingerprint rows: status 2, the others clustered" 2 "$("$H" cluster --method simhash --fingerprints "$TMP/fp")" -- "$H" cluster --method simhash --fingerprints "$TMP/fpbad"
"$H" cluster --method simhash --fingerprints --stats "$TMP/fpbad" > /dev/null 2> "$TMP/berr"
check "garbage rows: reported with their line" grep -q 'fpbad:4: not a fingerprint row' "$TMP/berr"
check "garbage rows: counted as invalid" grep -q 'stats: read 11, written 9, dropped 0, invalid 2;' "$TMP/berr"
# hex fields: sixteen characters with one not a digit are refused; upper
# case is a digit
row z 000000000g000000 > "$TMP/fpg"
"$H" cluster --method simhash --fingerprints "$TMP/fpg" > /dev/null 2> "$TMP/gerr"
check "hex: a letter past f among 16 characters is refused" grep -q 'fpg:1: not a fingerprint row: bad simhash (expected 16 hex digits)' "$TMP/gerr"
{ row a 0000000000000000; row d fe00000000000001; row f fc00000000000000; } > "$TMP/fpl"
{ row a 0000000000000000; row d FE00000000000001; row f FC00000000000000; } > "$TMP/fpu"
expect "hex: upper case reads as lower case" 0 "$("$H" cluster --method simhash --fingerprints "$TMP/fpl")" -- "$H" cluster --method simhash --fingerprints "$TMP/fpu"
printf '{"id":"a","text":"今天天气很好"}\nnot json\n{"id":"c","text":"今天天氣很好"}\n' > "$TMP/bad.jsonl"
expect "malformed JSONL: its own cluster, status 2" 2 "$(printf 'a\ta\t1.000\n2\t2\t1.000\nc\ta\t1.000')" -- "$H" cluster --method simhash --input jsonl -q "$TMP/bad.jsonl"
expect "malformed JSONL: dedup passes it through" 2 "$(printf '{"id":"a","text":"今天天气很好"}\nnot json')" -- "$H" dedup --method simhash --input jsonl -q "$TMP/bad.jsonl"

# what it refuses
for args in "--method simhash --hamming 8" "--method simhash --hamming -1" "--method simhash --hamming x" \
            "--hamming 3" "--method minhash" "--method simhash --threshold 0.9" \
            "--method simhash --linkage single" "--method simhash --index $TMP/ix"; do
    expect "cluster $args: usage error" 2 '' -- "$H" cluster $args "$TMP/in"
done
expect "dedup --keep longest: usage error" 2 '' -- "$H" dedup --method simhash --keep longest "$TMP/in"
expect "report: no --method" 2 '' -- "$H" report --method simhash "$TMP/in"
expect "fingerprint: no --method" 2 '' -- "$H" fingerprint --method simhash "$TMP/in"
expect "--method key is the default" 0 "$("$H" cluster "$TMP/in")" -- "$H" cluster --method key "$TMP/in"
done_cases
