#!/bin/sh
# The programs' side of the library boundary: every source of the hanfold
# program compiles with the public header, the header-only utilities of
# src/common and its own directory on the include path, and nothing of
# src/lib (the build enforces it too; this names the file that breaks it).
set -u
. "$(dirname "$0")/../cli/lib.sh"
for f in "$SRCDIR"/src/cli/*.c; do
    check "$(basename "$f") uses no private header of the library" \
        sh -c "$CC -std=c11 -D_GNU_SOURCE -fsyntax-only -I'$SRCDIR/src/include' -I'$SRCDIR/src/common' \
               -I'$SRCDIR/src/cli' \$(pkg-config --cflags jansson sqlite3 2>/dev/null) '$f' 2> '$TMP/err' ||
               { head -3 '$TMP/err'; exit 1; }"
done
check "a source that includes one is refused" \
    sh -c "printf '#include \"stages.h\"\n' > '$TMP/bad.c' && ! $CC -fsyntax-only -I'$SRCDIR/src/include' -I'$SRCDIR/src/common' '$TMP/bad.c' 2>/dev/null"
done_cases
