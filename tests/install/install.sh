#!/bin/sh
# libhanfold as its users get it: `meson install` into a scratch root, then
# the example program built from the installed header and library through
# pkg-config, run, and checked.  Also: what is installed (header, shared and
# static library, pkg-config file, programs, man pages), the private headers
# not among it, and the shared object exporting only hanfold_* functions.
set -u
. "$(dirname "$0")/../cli/lib.sh"
command -v meson >/dev/null && command -v pkg-config >/dev/null ||
    { echo "skip: meson or pkg-config not in PATH"; exit 77; }
root=$TMP/root
meson install -C "$BUILD_ROOT" --destdir "$root" --no-rebuild --quiet > "$TMP/install.log" 2>&1 ||
    { cat "$TMP/install.log"; echo "FAIL meson install"; exit 1; }
pc=$(find "$root" -name hanfold.pc | head -n 1)
check "pkg-config file installed" test -n "$pc"
[ -n "$pc" ] || { done_cases; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")" PKG_CONFIG_SYSROOT_DIR="$root"
incdir=$(PKG_CONFIG_SYSROOT_DIR= pkg-config --variable=includedir hanfold)
libdir=$(PKG_CONFIG_SYSROOT_DIR= pkg-config --variable=libdir hanfold)
check "header installed" test -f "$root$incdir/hanfold.h"
for h in buf.h stages.h fingerprint.h postings.h; do
    check "private header $h not installed" sh -c "! find '$root' -name $h | grep -q ."
done
check "shared library installed" test -f "$root$libdir/libhanfold.so.0"
check "static library installed" test -f "$root$libdir/libhanfold.a"
check "programs installed" sh -c "find '$root' -path '*/bin/hanfold' | grep -q ."
check "man page installed" sh -c "find '$root' -name hanfold.1 | grep -q ."
check "bash completion installed (bash-completion's completions dir)" sh -c "find '$root' -path '*/bash-completion/completions/hanfold' | grep -q ."
check "the shared object exports hanfold_* only" \
    sh -c "nm -D --defined-only '$root$libdir/libhanfold.so.0' | awk '\$2 ~ /^[TiDB]\$/ {print \$3}' | grep -v '^hanfold_' | grep -v '^_' | (! grep .)"
check "it exports the version function" sh -c "nm -D --defined-only '$root$libdir/libhanfold.so.0' | grep -q ' hanfold_version\$'"
# the example, as a user builds it
check "example builds against the installed library" \
    sh -c "$CC -std=c11 -Wall -Wextra -Werror -o '$TMP/cluster-lines' '$SRCDIR/examples/cluster-lines.c' \$(pkg-config --cflags --libs hanfold) 2> '$TMP/cc.err' || { cat '$TMP/cc.err'; exit 1; }"
IN='軟體更新了。
软件更新了
今天天气很好
' expect "example clusters the two scripts together" 0 "$(printf '1\t1\t软体更新了。\n2\t1\t软件更新了\n3\t3\t今天天气很好')" -- \
    env LD_LIBRARY_PATH="$root$libdir" "$TMP/cluster-lines"
check "the example ran on the installed library" \
    sh -c "LD_LIBRARY_PATH='$root$libdir' ldd '$TMP/cluster-lines' | grep -q '$root$libdir/libhanfold.so.0'"
# the Python module, when it was built (PYTHON set): installed, and
# importable from where it went (it carries the library inside)
if [ -n "${PYTHON:-}" ]; then
    mod=$(find "$root" -name 'hanfold.cpython-*.so' | head -n 1)
    check "Python module installed" test -n "$mod"
    check "the installed Python module imports and folds" sh -c "PYTHONPATH='$(dirname "${mod:-/nonexistent}")' '$PYTHON' -c 'import hanfold, sys; sys.exit(hanfold.normalize(\"軟體\") != \"软体\")'"
fi
done_cases
