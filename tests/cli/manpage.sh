#!/bin/sh
# The man page's EXAMPLES are tests, as people read them: the page is
# rendered (scdoc, then groff as man(1) does) and each example block of the
# rendered text, "$ command" and the output it must print, is run; spacing
# is compared as runs of blanks (the page shows tabs as spaces).  Also:
# every long option the program accepts is documented.  Skips without
# scdoc or groff (the README's install line has both).
. "$(dirname "$0")/lib.sh"
page="$SRCDIR/man/hanfold.1.scd"
bindir=$(dirname "$HANFOLD")
command -v scdoc >/dev/null && command -v groff >/dev/null && command -v preconv >/dev/null ||
    { echo "skip: scdoc or groff not installed"; exit 77; }
check "scdoc builds the page" sh -c "scdoc < '$page' > '$TMP/hanfold.1'"
# wide lines, so that prose is not filled into the blocks' columns
preconv "$TMP/hanfold.1" | groff -man -Tutf8 -P-cbou -rLL=250n > "$TMP/rendered.txt" 2> "$TMP/groff.err"
check "groff renders the page without warnings" sh -c "[ ! -s '$TMP/groff.err' ]"
python3 - "$TMP/rendered.txt" "$TMP" <<'PY'
import os, re, sys
lines = open(sys.argv[1], encoding='utf-8').read().split('\n')
at = next(i for i, l in enumerate(lines) if l.strip() == 'EXAMPLES')
n = 0
i = at + 1
while i < len(lines) and not re.match(r'^\S', lines[i]):
    m = re.match(r'^(\s+)\$ (.*)$', lines[i])
    if not m:
        i += 1
        continue
    indent = len(m.group(1))
    cmd, out = m.group(2), []
    i += 1
    while i < len(lines) and lines[i].strip() and len(lines[i]) - len(lines[i].lstrip()) >= indent:
        out.append(lines[i][indent:])
        i += 1
    open(os.path.join(sys.argv[2], 'ex%02d.cmd' % n), 'w', encoding='utf-8').write(cmd + '\n')
    open(os.path.join(sys.argv[2], 'ex%02d.want' % n), 'w', encoding='utf-8').write('\n'.join(out) + '\n')
    n += 1
print('%d examples in the rendered page' % n)
PY
check "the rendered page has its examples" sh -c "[ \$(ls '$TMP'/ex*.cmd | wc -l) -ge 8 ]"
blanks() { tr -s ' \t' '  '; }
for cmd in "$TMP"/ex*.cmd; do
    want="${cmd%.cmd}.want"
    cases=$((cases + 1))
    got=$(PATH="$bindir:$PATH" sh "$cmd" 2>&1 | blanks; echo "status $?")
    if [ "$got" != "$(blanks < "$want"; echo "status 0")" ]; then
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
done_cases
