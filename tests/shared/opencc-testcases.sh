#!/bin/sh
# OpenCC 1.1.6's own test cases through hanfold's script stage alone
# (normalize --script-only --opencc-config CONFIG): every <config>.in must give
# <config>.ans exactly.  Skips when ../shared/eval/opencc-1.1.6-testcases is absent.
set -u
dir="$SHARED/eval/opencc-1.1.6-testcases"
[ -d "$dir" ] || { echo "skip: $dir not found"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for in in "$dir"/*.in; do
    cfg=$(basename "$in" .in)
    "$HANFOLD" normalize --script-only --opencc-config "$cfg" < "$in" > "$tmp/out" 2> "$tmp/err"
    if cmp -s "$tmp/out" "$dir/$cfg.ans"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $cfg"; diff "$tmp/out" "$dir/$cfg.ans" | head -5; cat "$tmp/err"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
