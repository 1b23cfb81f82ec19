# Helpers for the CLI case scripts: each case runs a command and compares
# stdout and the exit status; a failure prints both and the case name.
set -u
: "${HANFOLD:?HANFOLD must point at the built program}"
fails=0
cases=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hanfold-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# Under a wrapper (meson test --setup=valgrind) every run of the program goes
# through it; cases too slow under it check SLOW_OK first.
SLOW_OK=1
if [ -n "${HANFOLD_WRAPPER:-}" ]; then
    printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$HANFOLD_WRAPPER" "$HANFOLD" > "$TMP/hanfold"
    chmod +x "$TMP/hanfold"
    HANFOLD_REAL=$HANFOLD
    HANFOLD=$TMP/hanfold
    SLOW_OK=
fi

# expect NAME WANT_STATUS WANT_STDOUT -- COMMAND...   (stdin from $IN if set)
expect() {
    local name=$1 want_status=$2 want_out=$3
    shift 4
    cases=$((cases + 1))
    local out status
    if [ -n "${IN+x}" ]; then
        out=$(printf '%s' "$IN" | "$@" 2>"$TMP/stderr"); status=$?
    else
        out=$("$@" </dev/null 2>"$TMP/stderr"); status=$?
    fi
    if [ "$status" != "$want_status" ] || [ "$out" != "$want_out" ]; then
        fails=$((fails + 1))
        printf 'FAIL %s\n  command: %s\n  status %s (want %s)\n  stdout: %s\n  want:   %s\n  stderr: %s\n' \
            "$name" "$*" "$status" "$want_status" "$out" "$want_out" "$(head -c 600 "$TMP/stderr")"
    fi
}

# check NAME CONDITION-COMMAND...: the command must succeed
check() {
    local name=$1
    shift
    cases=$((cases + 1))
    if ! "$@"; then
        fails=$((fails + 1))
        printf 'FAIL %s\n  condition: %s\n' "$name" "$*"
    fi
}

done_cases() {
    echo "$cases cases, $fails failed"
    [ "$fails" -eq 0 ]
}
