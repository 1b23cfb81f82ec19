#!/bin/sh
# Exports the dictionaries of OpenCC's tw2s (the conversion to simplified,
# HF_TO_SIMPLIFIED in src/lib/hanfold.c) to text and runs test_keyinvariant
# on every entry of them.
set -eu
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$OPENCC_DATADIR/tw2s.json" > "$tmp/names" <<'PY'
import json, sys
def files(spec):
    if isinstance(spec, dict):
        if isinstance(spec.get('file'), str):
            yield spec['file']
        for v in spec.values():
            yield from files(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from files(v)
with open(sys.argv[1], encoding='utf-8') as f:
    print('\n'.join(sorted(set(files(json.load(f))))))
PY
set --
while read -r name; do
    "$OPENCC_DICT" -i "$OPENCC_DATADIR/$name" -o "$tmp/$name.txt" -f ocd2 -t text > /dev/null
    set -- "$@" "$tmp/$name.txt"
done < "$tmp/names"
[ $# -gt 0 ] || { echo "no dictionaries found in $OPENCC_DATADIR/tw2s.json"; exit 1; }
exec "$TEST_KEYINVARIANT" "$@"
