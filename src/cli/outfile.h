/* Files the program writes besides standard output (dedup --dropped): a
 * file appears whole, or the old one stays.
 *
 * The data goes to a temporary file in the target's directory, which is
 * renamed over the target when the run succeeded (after fsync), so a
 * symlink planted at the target is replaced, not followed, and a failed or
 * killed run leaves the old file (or none) instead of a partial one.  The
 * temporary file has no name until then where the file system allows it
 * (O_TMPFILE); elsewhere it is PATH.hanfold-XXXXXX, removed on failure.
 * A target that is not a regular file or a symlink (/dev/null, a FIFO, a
 * terminal, a socket) is written to directly, as sort -o does, since a
 * rename would put a regular file in its place; so are names under /dev/
 * and /proc/ (/dev/stdout, /dev/fd/N of a process substitution), which are
 * followed.  Directories and block devices are refused.  When no file can
 * be made in the directory (no write permission) and the target is a
 * regular file, it is rewritten in place without following a symlink
 * (O_NOFOLLOW), and is then not atomic. */
#ifndef HF_OUTFILE_H
#define HF_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct hf_outfile {
    FILE *f;          /* write here */
    const char *path; /* as given */
    char *tmp;        /* the named temporary file, or NULL */
    bool unnamed;     /* an O_TMPFILE, linked and renamed at the end */
    bool direct;      /* writing to path itself */
} hf_outfile;

/* Opens path for writing.  Returns 0, or -1 with a message printed
 * ("PATH: ..."). */
int hf_outfile_open(hf_outfile *o, const char *path);
/* With commit, flushes and checks what was written, syncs it and puts it
 * in place; without, discards it (the target is left as it was; what was
 * written directly to a device or FIFO is gone already).  Releases
 * everything either way.  Returns false, with a message printed, when a
 * commit failed.  Accepts an hf_outfile that was never opened or is
 * closed. */
bool hf_outfile_close(hf_outfile *o, bool commit);

/* -o/--output FILE: standard output (descriptor 1, and so stdout and
 * hf_out) becomes a new file made by hf_outfile_open() under the same
 * rules; hf_finish_output() then checks and closes it as usual.  A path
 * that names standard output itself (/dev/stdout, /proc/self/fd/1 when that
 * is no regular file) leaves it as it is.  Returns 0, or -1 with a
 * message printed (nothing was changed). */
int hf_stdout_open(hf_outfile *o, const char *path);
/* After hf_finish_output(): with success (the run's exit status is 0 or
 * 1), syncs the file and renames it into place; without, discards it and
 * says that PATH was not written.  Returns false, with a message printed,
 * when putting it in place failed.  Accepts an hf_outfile never opened. */
bool hf_stdout_close(hf_outfile *o, bool success);

#endif
