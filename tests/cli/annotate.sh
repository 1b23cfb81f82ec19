#!/bin/sh
# --annotate (issue 22): each JSONL record as read, with the result added as
# fields before its closing brace, for cluster (every record) and dedup
# (kept records, and --dropped).
. "$(dirname "$0")/lib.sh"
H=$HANFOLD

# 1 traditional, 2 the same in simplified with spaces before }, 3 the
# headline alone, with a "cluster" key of its own, 4 unrelated, 5 and 6
# data errors (passed through as read)
cat > "$TMP/in.jsonl" <<'EOT'
{"id":"1","text":"上半年中國AR/VR出貨23.3萬臺，同比下滑了29.1%，IDC說","meta":{"n":1.50}}
{"id":"2", "text":"上半年中国AR/VR出货23.3万台，同比下滑了29.1%，IDC说"  }
{"id":"3","text":"上半年中国AR/VR出货23.3万台","cluster":"old"}
{"id":"4","text":"今天天气很好"}
not json
{}
EOT
F=cluster,duplicate_of,similarity,measure
expect "cluster: every record, in input order; errors as read" 2 "$(cat <<'EOT'
{"id":"1","text":"上半年中國AR/VR出貨23.3萬臺，同比下滑了29.1%，IDC說","meta":{"n":1.50},"cluster":"1","duplicate_of":null,"similarity":1.000,"measure":"self"}
{"id":"2", "text":"上半年中国AR/VR出货23.3万台，同比下滑了29.1%，IDC说","cluster":"1","duplicate_of":"1","similarity":1.000,"measure":"containment"  }
{"id":"3","text":"上半年中国AR/VR出货23.3万台","cluster":"1","duplicate_of":"1","similarity":1.000,"measure":"containment"}
{"id":"4","text":"今天天气很好","cluster":"4","duplicate_of":null,"similarity":1.000,"measure":"self"}
not json
{}
EOT
)" -- "$H" cluster --input jsonl --annotate $F "$TMP/in.jsonl"
check "an existing key: replaced, with a warning naming file and line" grep -q "warning: 1 record had a key that --annotate adds (first: $TMP/in.jsonl:3: key \"cluster\")" "$TMP/stderr"
check "data errors named" grep -q "in.jsonl:5: malformed JSON" "$TMP/stderr"
expect "keys renamed; representative linkage streams" 0 "$(cat <<'EOT'
{"id":"1","text":"上半年中國AR/VR出貨23.3萬臺，同比下滑了29.1%，IDC說","meta":{"n":1.50},"c":"1","sim":1.000}
{"id":"2", "text":"上半年中国AR/VR出货23.3万台，同比下滑了29.1%，IDC说","c":"1","sim":1.000  }
{"id":"3","text":"上半年中国AR/VR出货23.3万台","cluster":"old","c":"1","sim":1.000}
EOT
)" -- sh -c "'$H' cluster --linkage representative --input jsonl --annotate cluster=c,similarity=sim '$TMP/in.jsonl' | head -n 3"
check "no existing key: no warning" sh -c "! grep -q warning '$TMP/stderr'"
expect "representative linkage names exact" 0 "exact" -- sh -c "'$H' cluster --linkage representative --input jsonl --annotate measure '$TMP/in.jsonl' 2>/dev/null | sed -n 2p | jq -r .measure"

# every record's bytes are kept: removing the added fields gives the input back
sed -n '1,2p;4,6p' "$TMP/in.jsonl" > "$TMP/want"
"$H" cluster --input jsonl --annotate $F "$TMP/in.jsonl" 2>/dev/null | sed -E 's/,"cluster":"[^"]*","duplicate_of":(null|"[^"]*"),"similarity":[0-9.]+,"measure":"[a-z]+"//' > "$TMP/back"
check "original bytes kept (less the added fields)" sh -c "sed -n '1,2p;4,6p' '$TMP/back' | cmp -s - '$TMP/want'"

# re-annotating annotated output changes nothing (keys replaced in place)
"$H" cluster --input jsonl --annotate all "$TMP/in.jsonl" > "$TMP/a1" 2>/dev/null
"$H" cluster --input jsonl --annotate all "$TMP/a1" > "$TMP/a2" 2>/dev/null
check "re-annotation is idempotent, no key twice" cmp -s "$TMP/a1" "$TMP/a2"
expect "every annotated line is JSON with each key once" 0 "4" -- sh -c "grep -c '\"fingerprint\"' '$TMP/a1'"
check "duplicate keys: none" sh -c "head -n 4 '$TMP/a1' | jq -c 'keys' | grep -q 'fingerprint' && [ \$(head -n 4 '$TMP/a1' | grep -o '\"cluster\":' | wc -l) = 4 ]"

# fingerprint: the row 'hanfold fingerprint' writes, so the annotated
# corpus clusters again without the text
"$H" fingerprint --input jsonl "$TMP/in.jsonl" 2>/dev/null > "$TMP/fp"
expect "fingerprint field = fingerprint row" 0 "$(head -n 4 "$TMP/fp")" -- sh -c "head -n 4 '$TMP/a1' | jq -r .fingerprint"
expect "fingerprint rows cluster again" 0 "$(printf '1\t1\t1.000\n2\t1\t1.000\n3\t1\t1.000\n4\t4\t1.000')" -- sh -c "head -n 4 '$TMP/a1' | jq -r .fingerprint | '$H' cluster --fingerprints"

# dedup: kept records annotated on stdout, dropped ones in --dropped
expect "dedup: kept records" 2 "$(cat <<'EOT'
{"id":"1","text":"上半年中國AR/VR出貨23.3萬臺，同比下滑了29.1%，IDC說","meta":{"n":1.50},"cluster":"1","duplicate_of":null,"similarity":1.000,"measure":"self"}
{"id":"4","text":"今天天气很好","cluster":"4","duplicate_of":null,"similarity":1.000,"measure":"self"}
not json
{}
EOT
)" -- "$H" dedup --input jsonl --annotate $F --dropped "$TMP/drop" "$TMP/in.jsonl"
expect "dedup: --dropped annotated (exact, containment)" 0 "$(cat <<'EOT'
{"id":"2", "text":"上半年中国AR/VR出货23.3万台，同比下滑了29.1%，IDC说","cluster":"1","duplicate_of":"1","similarity":1.000,"measure":"exact"  }
{"id":"3","text":"上半年中国AR/VR出货23.3万台","cluster":"1","duplicate_of":"1","similarity":1.000,"measure":"containment"}
EOT
)" -- cat "$TMP/drop"
# --keep longest: the kept record is another than the cluster's first
printf '%s\n' '{"id":"a","text":"今天天气很好我们去公园散步吧"}' '{"id":"b","text":"今天天气很好我们去公园散步吧哈哈"}' > "$TMP/k.jsonl"
expect "dedup --keep longest: duplicate_of names the kept record" 0 "$(printf 'a\ta\tb\tcontainment')" -- sh -c "'$H' dedup --keep longest --input jsonl --annotate $F --dropped '$TMP/drop2' '$TMP/k.jsonl' >/dev/null; jq -r '[.id, .cluster, .duplicate_of, .measure] | @tsv' '$TMP/drop2'"
head -n 4 "$TMP/in.jsonl" > "$TMP/ok.jsonl"
expect "dedup -d with --annotate; -o, --stats" 0 '{"id":"1","cluster":"1"}' -- sh -c "'$H' dedup -d --input jsonl --annotate cluster --stats -o '$TMP/o' '$TMP/ok.jsonl' 2>'$TMP/st'; jq -c '{id, cluster}' '$TMP/o'"
check "--stats counts with --annotate" grep -q 'read 4, written 1, dropped 3, invalid 0' "$TMP/st"
expect "dedup from stdin, gzip, simhash method" 2 "$("$H" dedup --method simhash --input jsonl --annotate $F "$TMP/in.jsonl" 2>/dev/null)" -- sh -c "gzip -c '$TMP/in.jsonl' | '$H' dedup --method simhash --input jsonl --annotate $F"
expect "cluster single linkage from stdin (read twice)" 2 "$("$H" cluster --input jsonl --annotate all "$TMP/in.jsonl" 2>/dev/null)" -- sh -c "gzip -c '$TMP/in.jsonl' | '$H' cluster --input jsonl --annotate all"

# refusals: usage errors, exit 2, saying why
expect "not jsonl" 2 "" -- "$H" cluster --annotate cluster "$TMP/in.jsonl"
check "not jsonl: says so" grep -q -- "--annotate adds fields to JSONL records: it needs --input jsonl" "$TMP/stderr"
expect "unknown field" 2 "" -- "$H" dedup --input jsonl --annotate bogus "$TMP/in.jsonl"
check "unknown field: named" grep -q "invalid field 'bogus' for --annotate" "$TMP/stderr"
expect "two fields, one key" 2 "" -- "$H" dedup --input jsonl --annotate cluster=x,measure=x "$TMP/in.jsonl"
expect "with -c" 2 "" -- "$H" dedup -c --input jsonl --annotate cluster "$TMP/in.jsonl"
expect "with --format" 2 "" -- "$H" cluster --format jsonl --input jsonl --annotate cluster "$TMP/in.jsonl"
expect "report" 2 "" -- "$H" report --input jsonl --annotate cluster "$TMP/in.jsonl"
expect "--encoding GB18030" 2 "" -- "$H" dedup --input jsonl --encoding GB18030 --annotate cluster "$TMP/in.jsonl"

# the README's crawl example: JSONL.gz shards under a directory to annotated,
# deduplicated JSONL
mkdir -p "$TMP/crawl-2024-06"
printf '%s\n' '{"id":"u1","title":"上半年中國AR/VR出貨23.3萬臺","meta":{"body":"同比下滑了29.1%，IDC說"},"fetched_at":"2024-06-01T10:00:00Z"}' \
    '{"id":"u2","title":"小米发布新手机","meta":{"body":"售价1999元起"},"fetched_at":"2024-06-01T11:00:00Z"}' | gzip > "$TMP/crawl-2024-06/shard-000.jsonl.gz"
printf '%s\n' '{"id":"u3","title":"上半年中国AR/VR出货23.3万台","meta":{"body":"同比下滑了29.1%，IDC说"},"fetched_at":"2024-06-03T09:00:00Z"}' | gzip > "$TMP/crawl-2024-06/shard-001.jsonl.gz"
(cd "$TMP" && "$H" dedup -r --input jsonl --text-field title,meta.body \
      --keep max:fetched_at --annotate cluster,duplicate_of,similarity,measure \
      --dropped dropped.jsonl --stats=json -o crawl.dedup.jsonl \
      crawl-2024-06/ 2> stats.json)
expect "README crawl example: kept, newest copy, annotated" 0 "$(printf 'u2\tu2\t\nu3\tu1\t')" -- jq -r '[.id, .cluster, .duplicate_of // ""] | @tsv' "$TMP/crawl.dedup.jsonl"
expect "README crawl example: dropped, annotated" 0 "$(printf 'u1\tu3\texact')" -- jq -r '[.id, .duplicate_of, .measure] | @tsv' "$TMP/dropped.jsonl"
expect "README crawl example: most reposted" 0 "      1 u3" -- sh -c "jq -r .duplicate_of '$TMP/dropped.jsonl' | sort | uniq -c | sort -rn | head"
expect "README crawl example: stats" 0 "3 2 1" -- jq -r '"\(.read) \(.written) \(.dropped)"' "$TMP/stats.json"
check "README crawl example: the README says this" grep -q -- '--keep max:fetched_at --annotate cluster,duplicate_of,similarity,measure' "$SRCDIR/README"
done_cases
