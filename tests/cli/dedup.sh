#!/bin/sh
# fingerprint, cluster, dedup, report: the dedup invariants (kept + dropped =
# read, bytes unchanged, file == pipe, deterministic) and the formats.
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

cat > "$TMP/in" <<'X'
上半年中國AR/VR出貨23.3萬臺,同比下滑了 29.1%
IDC:2024 上半年中國 AR / VR 頭顯出貨 23.3 萬臺,同比下滑 29.1%
民间故事：水分
民间故事：水平
今天天气很好，我们去公园散步吧
今天天氣很好，我們去公園散步吧！

，。
！
转发：今天天气很好，我们去公园散步吧
X
printf 'no final newline, 今天天气很好，我们去公园散步吧' >> "$TMP/in"
read_n=$(grep -c '' "$TMP/in")

"$H" dedup --stats --dropped "$TMP/dropped" "$TMP/in" > "$TMP/kept" 2> "$TMP/err"
kept_n=$(grep -c '' "$TMP/kept"); dropped_n=$(grep -c '' "$TMP/dropped")
check "kept + dropped = read ($kept_n + $dropped_n = $read_n)" [ $((kept_n + dropped_n)) -eq "$read_n" ]
check "--stats accounts for every record" grep -q "stats: read $read_n, written $kept_n, dropped $dropped_n, invalid 0;" "$TMP/err"
expect "the expected records are kept" 0 "$(printf '%s\n' '上半年中國AR/VR出貨23.3萬臺,同比下滑了 29.1%' '民间故事：水分' '民间故事：水平' '今天天气很好，我们去公园散步吧' '' '，。' '！')" -- cat "$TMP/kept"
expect "dropped rows name what they duplicate" 0 "$(printf '2\t1\t0.917\tIDC:2024 上半年中國 AR / VR 頭顯出貨 23.3 萬臺,同比下滑 29.1%%\n6\t5\t1.000\t今天天氣很好，我們去公園散步吧！\n10\t5\t1.000\t转发：今天天气很好，我们去公园散步吧\n11\t5\t1.000\tno final newline, 今天天气很好，我们去公园散步吧')" -- cat "$TMP/dropped"

# kept records are byte-identical to the input lines: merging kept and
# dropped records back by id gives the input exactly
python3 - "$TMP/in" "$TMP/kept" "$TMP/dropped" > "$TMP/merged" <<'PY'
import sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')
kept = open(sys.argv[2], 'rb').read().split(b'\n')
dropped = {int(l.split(b'\t')[0]): l.split(b'\t', 3)[3] for l in open(sys.argv[3], 'rb').read().split(b'\n') if l}
out, k = [], 0
for i, l in enumerate(lines, 1):
    if i in dropped:
        out.append(dropped[i])
    else:
        out.append(kept[k]); k += 1
sys.stdout.buffer.write(b'\n'.join(out))
PY
check "kept + dropped records rebuild the input byte for byte" cmp -s "$TMP/merged" "$TMP/in"

# file and pipe give the same; runs are deterministic
"$H" dedup < "$TMP/in" > "$TMP/kept-pipe"
check "same output from a pipe" cmp -s "$TMP/kept" "$TMP/kept-pipe"
"$H" cluster "$TMP/in" > "$TMP/c1"; "$H" cluster "$TMP/in" > "$TMP/c2"
check "deterministic" cmp -s "$TMP/c1" "$TMP/c2"
# threads change nothing but speed: same output for 1 and 4 threads
python3 -c "
import random
random.seed(5)
pool = ['今天天气很好我们去公园散步%d' % i for i in range(300)]
for i in range(5000):
    s = random.choice(pool)
    print(('转发：' if random.random() < 0.3 else '') + s)" > "$TMP/many"
for c in normalize dedup cluster report fingerprint; do
    "$H" $c --threads 1 "$TMP/many" > "$TMP/t1" 2>&1
    "$H" $c --threads 4 "$TMP/many" > "$TMP/t4" 2>&1
    check "$c: --threads 4 gives the output of --threads 1" cmp -s "$TMP/t1" "$TMP/t4"
done
expect "exit status 1 with --exit-status" 1 "$(cat "$TMP/kept")" -- "$H" dedup --exit-status "$TMP/in"
printf 'a\nb\n' > "$TMP/nodup"
expect "exit status 0 without duplicates" 0 "$(printf 'a\nb')" -- "$H" dedup --exit-status "$TMP/nodup"

# cluster table: id, cluster id (id of the first record), similarity
expect "cluster tsv" 0 "$(printf '1\t1\t1.000\n2\t1\t0.917\n3\t3\t1.000\n4\t4\t1.000\n5\t5\t1.000\n6\t5\t1.000\n7\t7\t1.000\n8\t8\t1.000\n9\t9\t1.000\n10\t5\t1.000\n11\t5\t1.000')" -- "$H" cluster "$TMP/in"
"$H" cluster --format jsonl "$TMP/in" > "$TMP/cj"
check "cluster jsonl parses" python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$TMP/cj"
"$H" cluster --format csv "$TMP/in" > "$TMP/cc"
check "cluster csv parses" python3 -c "import csv,sys; r=list(csv.reader(open(sys.argv[1]))); assert len(r)==11 and r[1]==['2','1','0.917']" "$TMP/cc"
expect "single linkage" 0 "$(cut -f1,2 "$TMP/c1")" -- sh -c "'$H' cluster --linkage single '$TMP/in' | cut -f1,2"
expect "bad threshold" 2 '' -- "$H" cluster --threshold 1.5 "$TMP/in"
expect "bad format" 2 '' -- "$H" cluster --format xml "$TMP/in"

# --keep longest (stdin spooled)
printf '今天天气很好，我们去公园散步\n转发：今天天气很好，我们去公园散步吧\n其他\n' > "$TMP/long"
expect "keep longest" 0 "$(printf '转发：今天天气很好，我们去公园散步吧\n其他')" -- sh -c "'$H' dedup --keep longest < '$TMP/long'"

# --keep longest reads a pipe (FIFO) too
mkfifo "$TMP/fifo"
(cat "$TMP/long" > "$TMP/fifo" &)
expect "keep longest from a FIFO" 0 "$(printf '转发：今天天气很好，我们去公园散步吧\n其他')" -- "$H" dedup --keep longest "$TMP/fifo"

# fingerprints round trip: clustering rows equals clustering text
"$H" fingerprint "$TMP/in" > "$TMP/fp"
check "fingerprint rows: 16 hex digits" sh -c "cut -f2 '$TMP/fp' | grep -cxE '[0-9a-f]{16}' | grep -qx $read_n"
"$H" cluster --fingerprints "$TMP/fp" > "$TMP/cf"
check "cluster --fingerprints equals cluster on text" cmp -s "$TMP/cf" "$TMP/c1"
"$H" fingerprint --format jsonl "$TMP/in" > "$TMP/fpj"
"$H" cluster --fingerprints "$TMP/fpj" > "$TMP/cfj"
check "cluster on jsonl fingerprints equals cluster on text" cmp -s "$TMP/cfj" "$TMP/c1"
head -5 "$TMP/fp" > "$TMP/fpa"; tail -n +6 "$TMP/fp" > "$TMP/fpb"
"$H" cluster --fingerprints "$TMP/fpa" "$TMP/fpb" > "$TMP/cab"
check "shards merge: two fingerprint files equal one" cmp -s "$TMP/cab" "$TMP/c1"
printf 'garbage\n' >> "$TMP/fpb"
expect "garbage fingerprint row: status 2" 2 "$(cat "$TMP/c1")" -- "$H" cluster --fingerprints "$TMP/fpa" "$TMP/fpb"
printf '{"id":"a","text":"今天天气很好我们去公园散步"}\n{"id":"b\\tx","text":"今天天氣很好我們去公園散步"}\n' > "$TMP/ids.jsonl"
"$H" fingerprint --input jsonl "$TMP/ids.jsonl" > "$TMP/fpid"
expect "fingerprint rows keep their ids (escaped tab)" 0 "$(printf 'a\ta\t1.000\nb\\tx\ta\t1.000')" -- "$H" cluster --fingerprints "$TMP/fpid"
expect "jsonl fingerprint rows keep their ids" 0 "$(printf 'a\ta\t1.000\nb\\tx\ta\t1.000')" -- sh -c "'$H' fingerprint --format jsonl --input jsonl '$TMP/ids.jsonl' | '$H' cluster --fingerprints"
# long records go through the sketch
python3 -c "
import random; random.seed(1)
a = ''.join(chr(0x4e00 + random.randrange(3000)) for _ in range(3000))
b = a[:1500] + '插入的一段话' + a[1500:]
c = ''.join(chr(0x4e00 + random.randrange(3000)) for _ in range(3000))
print(a); print(b); print(c)" > "$TMP/longrecs"
expect "long records: sketch path" 0 "$(printf '1\t1\n2\t1\n3\t3')" -- sh -c "'$H' cluster '$TMP/longrecs' | cut -f1,2"
"$H" fingerprint "$TMP/longrecs" > "$TMP/fpl"
check "long records: fingerprint rows carry a sketch" sh -c "cut -f5 '$TMP/fpl' | grep -c '^s:' | grep -qx 3"
# an empty key is a short key (k:), wherever it comes and on any thread
# count (the first batch wrote s: for it)
printf '，，\na\n。\n' > "$TMP/empty"
for t in 1 2; do
    expect "empty keys: k:, --threads $t" 0 "$(printf 'k:\nk:a\nk:')" -- sh -c "'$H' fingerprint --threads $t '$TMP/empty' | cut -f5"
done
expect "long records: fingerprints give the same clusters" 0 "$(printf '1\t1\n2\t1\n3\t3')" -- sh -c "'$H' cluster --fingerprints '$TMP/fpl' | cut -f1,2"

# streaming: peak memory of dedup does not grow with the number of records
# when they are duplicates (kept records are what it keeps)
[ -n "$SLOW_OK" ] && check "dedup memory does not grow with input length" python3 - "$H" "$TMP" <<'PY'
import random, resource, subprocess, sys
h, tmp = sys.argv[1], sys.argv[2]
random.seed(2)
base = ['今天天气很好我们去公园散步吧第%d句' % i for i in range(50)]
peaks = []
for n in (60000, 300000):
    path = '%s/stream%d' % (tmp, n)
    with open(path, 'w') as f:
        for _ in range(n):
            f.write(random.choice(base) + '\n')
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run([h, 'dedup', path], stdout=subprocess.PIPE)
    assert p.returncode == 0 and p.stdout.count(b'\n') == 50
    peaks.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print('dedup peak RSS: %d KB for 60k records, %d KB for 300k' % tuple(peaks), file=sys.stderr)
sys.exit(0 if peaks[1] < peaks[0] * 1.3 + 2048 else 1)
PY

# progress line: forced with --progress, on stderr only, erased at the end;
# never on a pipe by default
mkfifo "$TMP/slow"
(seq 1 600; sleep 1.5; seq 601 1300) > "$TMP/slow" &
"$H" dedup --progress "$TMP/slow" > "$TMP/pout" 2> "$TMP/perr"
check "progress: shown on stderr with a rate" grep -q 'hanfold: [0-9]* records, [0-9.]* MB, [0-9.]* MB/s' "$TMP/perr"
check "progress: stdout untouched" [ "$(wc -l < "$TMP/pout")" = 1300 ]
"$H" dedup "$TMP/in" > /dev/null 2> "$TMP/perr2"
check "progress: off when stderr is not a terminal" [ ! -s "$TMP/perr2" ]
check "report: no colour on a pipe" sh -c "! '$H' report '$TMP/in' | grep -q \"\$(printf '\\033')\""

# report --pairs: calibration on labelled pairs
printf '1\t2\tsame\n3\t4\tdifferent\n5\t6\tsame\n5\t7\tdifferent\n1\t99\tsame\n' > "$TMP/labels"
"$H" report --pairs "$TMP/labels" "$TMP/in" > "$TMP/cal" 2> "$TMP/calerr"
check "calibration: a table per measure with the current threshold" grep -q '0.80 .* <- current' "$TMP/cal"
check "calibration: a recommendation" grep -q '^recommended: ' "$TMP/cal"
check "calibration: unknown ids reported" grep -q "labels:5: id '99' is not in the input" "$TMP/calerr"

# report
"$H" report "$TMP/in" > "$TMP/rt"
check "report text: summary" grep -q '^records 11, clusters 7, duplicate records 4, duplicate bytes' "$TMP/rt"
check "report text: largest cluster first" sh -c "grep '^cluster' '$TMP/rt' | head -1 | grep -q 'cluster 5: 4 records'"
"$H" report --format json "$TMP/in" > "$TMP/rj"
check "report json" python3 -c "
import json,sys; r=json.load(open(sys.argv[1]))
assert r['records']==11 and r['clusters']==7 and r['duplicate_records']==4, r
assert [g['size'] for g in r['groups']]==[4,2]" "$TMP/rj"
"$H" report --format csv "$TMP/in" > "$TMP/rc"
check "report csv" python3 -c "import csv,sys; r=list(csv.reader(open(sys.argv[1]))); assert r[0][0]=='cluster' and len(r)==7" "$TMP/rc"
: > "$TMP/empty"
"$H" report "$TMP/empty" "$TMP/nope" "$TMP/in" > "$TMP/rs" 2>/dev/null
check "report names each record's own input" sh -c "grep -q '^  \* 1.000 self         1 ($TMP/in)' '$TMP/rs'"
# the streaming cluster (representative linkage writes each row as it reads
# it; the verification data goes to a temporary file): the same rows when
# every entry is read back from the file, and a warning, not a failure, when
# no temporary file can be made
python3 - "$TMP/in" > "$TMP/many" <<'PY'
import random, sys
random.seed(7)
base = [l for l in open(sys.argv[1], encoding='utf-8').read().split('\n') if len(l) > 6]
for i in range(3000):
    l = random.choice(base)
    print(l if random.random() < 0.5 else '%d号：%s' % (i % 50, l[:-1]))
    print(''.join(chr(0x4e00 + random.randrange(0x5000)) for _ in range(random.randrange(8, 40))))
PY
"$H" cluster --threads 1 "$TMP/many" > "$TMP/cm1"
"$H" cluster --spill-memory 1 "$TMP/many" > "$TMP/cm2"
check "cluster: the same rows with the verification data read back from the file" cmp "$TMP/cm1" "$TMP/cm2"
"$H" fingerprint "$TMP/many" > "$TMP/mfp"
"$H" cluster --spill-memory 1 --fingerprints "$TMP/mfp" > "$TMP/cm3"
check "cluster --fingerprints (parsed on every thread): the same rows" cmp "$TMP/cm1" "$TMP/cm3"
"$H" cluster --linkage single "$TMP/many" | cut -f2 | sort -u > "$TMP/single"
check "representative clusters are no coarser than single linkage" \
    [ "$(cut -f2 "$TMP/cm1" | sort -u | wc -l)" -ge "$(wc -l < "$TMP/single")" ]
TMPDIR=/nonexistent "$H" cluster "$TMP/many" > "$TMP/cm4" 2> "$TMP/cmerr"
check "no temporary directory: the same rows" cmp "$TMP/cm1" "$TMP/cm4"
check "no temporary directory: a warning that says what to do" grep -q "cannot create a temporary file in /nonexistent.*set TMPDIR" "$TMP/cmerr"

# identical keys are one cluster whatever the posting cap (single linkage
# found them only through the index, which skips a hash this common)
for i in 1 2 3 4 5 6 7 8 9 10; do printf '转发微博\n转发微博！\n'; done > "$TMP/same"
expect "identical keys over the posting cap: one cluster" 0 1 -- sh -c "'$H' cluster --posting-cap 3 '$TMP/same' | cut -f2 | sort -u | wc -l"
expect "... and with representative linkage" 0 1 -- sh -c "'$H' cluster --posting-cap 3 --linkage representative '$TMP/same' | cut -f2 | sort -u | wc -l"
seeds="$SHARED/seeds"
if [ -d "$seeds" ]; then
    expect "seed pages: no two cluster" 0 5 -- sh -c "'$H' cluster --input files '$seeds'/* | cut -f2 | sort -u | wc -l"
fi
done_cases
