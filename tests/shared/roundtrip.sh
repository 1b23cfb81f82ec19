#!/bin/sh
# Script invariance on simplified text round-tripped through OpenCC:
# the 1000 simplified GSD sentences converted with s2t, s2tw, s2twp and
# s2hk must give the same keys as the originals (target: >= 990/1000 each;
# stock s2twp -> tw2s gives 928).  Skips without ../shared/eval or opencc.
set -u
gsd="$SHARED/eval/gsd-trad-simp.tsv"
[ -f "$gsd" ] || { echo "skip: $gsd not found"; exit 77; }
command -v opencc >/dev/null || { echo "skip: opencc command not found"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tail -n +2 "$gsd" | cut -f3 > "$tmp/simp"
"$HANFOLD" normalize --key < "$tmp/simp" > "$tmp/k0" || exit 1
status=0
for cfg in s2t s2tw s2twp s2hk; do
    opencc -c "$cfg" -i "$tmp/simp" -o "$tmp/$cfg" || exit 1
    "$HANFOLD" normalize --key < "$tmp/$cfg" > "$tmp/k-$cfg" || exit 1
    same=$(paste "$tmp/k0" "$tmp/k-$cfg" | awk -F'\t' '$1 == $2' | wc -l)
    total=$(wc -l < "$tmp/k0")
    echo "$cfg: $same/$total identical keys"
    [ "$same" -ge $((total * 99 / 100)) ] || status=1
    # readable text too: converting back must reproduce the simplified original
    "$HANFOLD" normalize < "$tmp/$cfg" > "$tmp/n-$cfg" || exit 1
    same=$(paste "$tmp/simp" "$tmp/n-$cfg" | awk -F'\t' '$1 == $2' | wc -l)
    echo "$cfg: $same/$total readable lines identical to the original (informational)"
done
exit $status
