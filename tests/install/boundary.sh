#!/bin/sh
# The programs' side of the library boundary: every source of the hanfold
# program and of hanfold-mpi compiles with the public header, the
# header-only utilities of src/common and the programs' own directories on
# the include path, and nothing of src/lib (the build enforces it too; this
# names the file that breaks it).  hanfold-mpi uses the expert section of
# hanfold.h (HANFOLD_EXPERT), which is public too.
set -u
. "$(dirname "$0")/../cli/lib.sh"
public() { # NAME FILE EXTRA-FLAGS
    check "$1 uses no private header of the library" \
        sh -c "$CC -std=c11 -D_GNU_SOURCE -fsyntax-only -I'$SRCDIR/src/include' -I'$SRCDIR/src/common' \
               -I'$SRCDIR/src/cli' $3 \$(pkg-config --cflags jansson sqlite3 2>/dev/null) '$2' 2> '$TMP/err' ||
               { head -3 '$TMP/err'; exit 1; }"
}
for f in "$SRCDIR"/src/cli/*.c; do
    public "$(basename "$f")" "$f" ""
done
# hanfold-mpi: when it is built (HANFOLD_MPI set), with MPI's own flags
if [ -n "${HANFOLD_MPI:-}" ]; then
    mpi_cflags=$(pkg-config --cflags mpi-c 2>/dev/null || mpicc --showme:compile 2>/dev/null)
    for f in "$SRCDIR"/src/mpi/*.c; do
        public "mpi/$(basename "$f")" "$f" "-I'$SRCDIR/src/mpi' $mpi_cflags"
    done
else
    echo "hanfold-mpi is not built: its sources are not checked"
fi
check "a source that includes one is refused" \
    sh -c "printf '#include \"stages.h\"\n' > '$TMP/bad.c' && ! $CC -fsyntax-only -I'$SRCDIR/src/include' -I'$SRCDIR/src/common' '$TMP/bad.c' 2>/dev/null"
done_cases
