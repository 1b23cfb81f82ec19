#!/bin/sh
# exe_wrapper of `meson test --setup=valgrind`: compiled tests run under
# memcheck; test scripts run as they are and put memcheck on the hanfold
# program themselves (HANFOLD_WRAPPER, see tests/cli/lib.sh).
VG="valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-origins=yes"
# meson runs a script as "/bin/sh script.sh": that is a script, not a binary
case "${2:-}" in *.sh) HANFOLD_WRAPPER=$VG exec "$@" ;; esac
if [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; then
    exec $VG "$@"
fi
HANFOLD_WRAPPER=$VG exec "$@"
