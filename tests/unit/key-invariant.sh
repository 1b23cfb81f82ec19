#!/bin/sh
# Exports the dictionaries of the conversion to simplified (HANFOLD_T2S,
# data/hanfold-t2s.json: HF_TO_SIMPLIFIED in src/lib/hanfold.c) to text and
# runs test_keyinvariant on every entry of them.  Its dictionaries are
# looked up beside it first (its own text one), then in OpenCC's directory.
set -eu
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$HANFOLD_T2S" > "$tmp/names" <<'PY'
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
own=$(dirname "$HANFOLD_T2S")
while read -r name; do
    if [ -f "$own/$name" ]; then
        set -- "$@" "$own/$name"
    else
        "$OPENCC_DICT" -i "$OPENCC_DATADIR/$name" -o "$tmp/$name.txt" -f ocd2 -t text > /dev/null
        set -- "$@" "$tmp/$name.txt"
    fi
done < "$tmp/names"
[ $# -ge 7 ] || { echo "not all dictionaries found for $HANFOLD_T2S"; exit 1; }
exec "$TEST_KEYINVARIANT" "$@"
