#!/bin/sh
# Differential test of the compiled-in converter (src/lib/fastcc.c) against
# libopencc, for every installed config and hanfold's own conversion to
# simplified (HANFOLD_T2S, data/hanfold-t2s.json, which libopencc loads
# from a directory with its text dictionary and OpenCC's):
#  1. fastcc-diff: both converters in one process on every corpus in
#     ../shared (eval sets, maint-guide, seed pages, OpenCC's test inputs,
#     zuozhuan), line by line and whole, then on random text made of
#     dictionary phrases and their fragments; stops at the first difference;
#  2. OpenCC 1.1.6's own test cases (<config>.in -> .ans) through
#     `hanfold normalize --script-only --opencc-config CONFIG`;
#  3. the same command on the corpora with the compiled-in converter and with
#     libopencc (--opencc-dir pointing at a copy of the data directory
#     makes hanfold fall back to libopencc): outputs must be identical.
# Skips when ../shared is absent.  FASTCC_FUZZ sets the random record count;
# under HANFOLD_WRAPPER (valgrind setup) step 1 runs on small inputs only.
set -u
[ -d "$SHARED/eval" ] || { echo "skip: $SHARED/eval not found"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
status=0

mkdir "$tmp/dicts" "$tmp/data" "$tmp/in" "$tmp/own"
for f in "$OPENCC_DATADIR"/*.ocd2; do
    "$OPENCC_DICT" -i "$f" -o "$tmp/dicts/$(basename "$f" .ocd2).txt" -f ocd2 -t text > /dev/null || exit 2
done
cp "$OPENCC_DATADIR"/*.json "$OPENCC_DATADIR"/*.ocd2 "$tmp/data/" || exit 2
cp "$HANFOLD_T2S" "$(dirname "$HANFOLD_T2S")"/hanfold-t2s-*.txt "$OPENCC_DATADIR"/*.ocd2 "$tmp/own/" || exit 2
cp "$(dirname "$HANFOLD_T2S")"/hanfold-t2s-*.txt "$tmp/dicts/" || exit 2

# plain-text views of the structured sets
python3 - "$SHARED/eval" "$tmp/in" <<'PY' || exit 2
import json, sys
src, dst = sys.argv[1:3]
with open(src + '/sentences.jsonl', encoding='utf-8') as f, \
     open(dst + '/sentences.txt', 'w', encoding='utf-8') as o:
    for line in f:
        o.write(json.loads(line)['text'] + '\n')
with open(src + '/gsd-trad-simp.tsv', encoding='utf-8') as f, \
     open(dst + '/gsd-trad.txt', 'w', encoding='utf-8') as t, \
     open(dst + '/gsd-simp.txt', 'w', encoding='utf-8') as s:
    for line in list(f)[1:]:
        cols = line.rstrip('\n').split('\t')
        t.write(cols[1] + '\n')
        s.write(cols[2] + '\n')
PY
# text in the other scripts, for the configs that read it: zuozhuan in
# traditional script, GSD in Taiwan and Hong Kong usage
if command -v opencc > /dev/null; then
    [ -f "$SHARED/bench/zuozhuan.txt" ] &&
        opencc -c s2t -i "$SHARED/bench/zuozhuan.txt" -o "$tmp/in/zuozhuan-t.txt"
    opencc -c s2twp -i "$tmp/in/gsd-simp.txt" -o "$tmp/in/gsd-twp.txt"
    opencc -c s2hk -i "$tmp/in/gsd-simp.txt" -o "$tmp/in/gsd-hk.txt"
    opencc -c t2jp -i "$tmp/in/gsd-trad.txt" -o "$tmp/in/gsd-jp.txt"
fi

set -- "$tmp"/in/*.txt "$SHARED/eval/gsd-trad-simp.tsv" "$SHARED/eval/sentences.jsonl" \
    "$SHARED/eval/seed-headlines.txt" "$SHARED"/eval/maint-guide/*.txt \
    "$SHARED"/eval/opencc-1.1.6-testcases/*.in
[ -d "$SHARED/seeds" ] && set -- "$@" "$SHARED"/seeds/*
[ -f "$SHARED/bench/zuozhuan.txt" ] && set -- "$@" "$SHARED/bench/zuozhuan.txt"

echo "1. fastcc against libopencc in one process ($# files and random text)"
if [ -n "${HANFOLD_WRAPPER:-}" ]; then
    # under memcheck (meson test --setup=valgrind): the same comparison on
    # small inputs; the full one would take hours
    for dir in "$OPENCC_DATADIR" "$tmp/own"; do
        $HANFOLD_WRAPPER "$FASTCC_DIFF" "$dir" "$tmp/dicts" --fuzz 200 \
            "$SHARED"/eval/opencc-1.1.6-testcases/*.in "$SHARED/eval/seed-headlines.txt" || exit 1
    done
else
    for dir in "$OPENCC_DATADIR" "$tmp/own"; do
        "$FASTCC_DIFF" "$dir" "$tmp/dicts" --fuzz "${FASTCC_FUZZ:-20000}" "$@" || exit 1
    done
fi

echo "2. OpenCC's test cases through hanfold normalize --script-only"
pass=0
for in in "$SHARED"/eval/opencc-1.1.6-testcases/*.in; do
    cfg=$(basename "$in" .in)
    "$HANFOLD" normalize --script-only --opencc-config "$cfg" < "$in" > "$tmp/out" || status=1
    if cmp -s "$tmp/out" "${in%.in}.ans"; then
        pass=$((pass + 1))
    else
        echo "FAIL $cfg.in"; diff "$tmp/out" "${in%.in}.ans" | head -5
        status=1
    fi
done
echo "   $pass test cases passed"

echo "3. hanfold normalize --script-only: compiled-in against libopencc"
cat "$@" > "$tmp/all.txt"
for json in "$OPENCC_DATADIR"/*.json; do
    cfg=$(basename "$json" .json)
    "$HANFOLD" normalize --script-only --opencc-config "$cfg" "$tmp/all.txt" > "$tmp/fast" || status=1
    "$HANFOLD" normalize --opencc-dir "$tmp/data" --script-only --opencc-config "$cfg" \
        "$tmp/all.txt" > "$tmp/ref" || status=1
    if ! cmp -s "$tmp/fast" "$tmp/ref"; then
        echo "FAIL $cfg: normalize output differs"; diff "$tmp/ref" "$tmp/fast" | head -6
        status=1
    fi
done
[ $status -eq 0 ] && echo "   $(wc -c < "$tmp/all.txt") bytes, identical for every config"
exit $status
