#!/bin/sh
# The bash completion (src/cli/hanfold.bash, installed by meson install,
# issue 22): sourced into bash, it completes commands, each command's
# options (read from its --help) and the values of options.
. "$(dirname "$0")/lib.sh"
command -v bash > /dev/null || { echo "skip: no bash"; exit 77; }
bindir=$TMP/bin
mkdir "$bindir"
ln -s "$HANFOLD" "$bindir/hanfold"
# comp WORDS...: the completions of the last word, one line, sorted
comp() {
    PATH="$bindir:$PATH" bash -c '
        . "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _hanfold
        printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' sh "$SRCDIR/src/cli/hanfold.bash" "$@"
}
check "bash parses the file" bash -n "$SRCDIR/src/cli/hanfold.bash"
expect "commands" 0 "--help --version cluster dedup fingerprint index normalize report " -- comp hanfold ''
expect "commands by prefix" 0 "dedup " -- comp hanfold de
expect "hanfold-mpi has cluster and dedup" 0 "--help --version cluster dedup " -- comp hanfold-mpi ''
expect "options of dedup from its --help" 0 "--keep " -- comp hanfold dedup --ke
expect "-o and --output" 0 "--output " -- comp hanfold normalize --outp
expect "dedup's -c and --count" 0 "--count " -- comp hanfold dedup --cou
# every option of the --help of these commands is offered after --
for c in normalize fingerprint cluster dedup report; do
    got=$(comp hanfold $c --)
    for o in $("$HANFOLD" $c --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
        check "$c: $o completed" sh -c "case ' $got' in *' $o '*) exit 0;; esac; exit 1"
    done
done
expect "--input values" 0 "jsonl " -- comp hanfold dedup --input js
expect "--format of report" 0 "csv html json text " -- comp hanfold report --format ''
expect "--format of cluster" 0 "csv jsonl tsv " -- comp hanfold cluster --format ''
expect "--keep values" 0 "max: min: " -- comp hanfold dedup --keep m
expect "--stats=FORMAT" 0 "--stats=json " -- comp hanfold dedup --stats=j
expect "--to values" 0 "taiwan traditional " -- comp hanfold normalize --to t
mkdir "$TMP/files"; : > "$TMP/files/crawl-00.jsonl.gz"; : > "$TMP/files/crawl-01.jsonl.gz"
expect "file arguments" 0 "$TMP/files/crawl-00.jsonl.gz $TMP/files/crawl-01.jsonl.gz " -- comp hanfold dedup --input jsonl "$TMP/files/cr"
expect "-o FILE completes files" 0 "$TMP/files/crawl-00.jsonl.gz $TMP/files/crawl-01.jsonl.gz " -- comp hanfold dedup -o "$TMP/files/cr"
expect "--threshold takes a number: nothing" 0 " " -- comp hanfold dedup --threshold ''
expect "index subcommands" 0 "--help export import info " -- comp hanfold index ''
done_cases
