#!/bin/sh
# The man page's EXAMPLES are tests: each ``` block holds "$ command" and the
# output it must print.  Also: every long option the program accepts is
# documented, and the page builds with scdoc when scdoc is installed.
. "$(dirname "$0")/lib.sh"
page="$SRCDIR/man/hanfold.1.scd"
bindir=$(dirname "$HANFOLD")
python3 - "$page" "$TMP" <<'PY'
import sys, os
text = open(sys.argv[1], encoding='utf-8').read()
ex = text[text.index('# EXAMPLES'):]
blocks = ex.split('```')[1::2]
for i, b in enumerate(blocks):
    lines = b.strip('\n').split('\n')
    assert lines[0].startswith('$ '), lines[0]
    open(os.path.join(sys.argv[2], 'ex%02d.cmd' % i), 'w', encoding='utf-8').write(lines[0][2:] + '\n')
    open(os.path.join(sys.argv[2], 'ex%02d.want' % i), 'w', encoding='utf-8').write('\n'.join(lines[1:]) + '\n')
PY
for cmd in "$TMP"/ex*.cmd; do
    want="${cmd%.cmd}.want"
    cases=$((cases + 1))
    got=$(PATH="$bindir:$PATH" sh "$cmd" 2>&1; echo "status $?")
    if [ "$got" != "$(cat "$want"; echo "status 0")" ]; then
        fails=$((fails + 1))
        printf 'FAIL man page example: %s\n--- got\n%s\n--- want\n%s\n' "$(cat "$cmd")" "$got" "$(cat "$want")"
    fi
done
# every option in the help texts appears in the man page
for c in normalize fingerprint cluster dedup report; do
    for opt in $("$HANFOLD" "$c" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        check "option $opt of $c documented" grep -q -- "\*$opt\*" "$page"
    done
done
if command -v scdoc >/dev/null; then
    check "scdoc builds the page" sh -c "scdoc < '$page' > '$TMP/hanfold.1'"
fi
done_cases
