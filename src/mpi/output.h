/* hanfold-mpi: where rank 0's output goes, so that nothing is lost without
 * a message.  No MPI here: plain POSIX and Linux's /proc. */
#ifndef HF_MPI_OUTPUT_H
#define HF_MPI_OUTPUT_H

#include <stdbool.h>
#include <sys/types.h>

/* True when a launcher (mpirun, mpiexec, srun) started this process, which
 * then forwards its standard output.  Read the environment before MPI_Init
 * (a singleton's MPI_Init sets some of the same variables). */
bool hf_out_launched(void);

/* Rank 0, launched by mpirun: makes descriptor 1 mpirun's own standard
 * output, the file or pipe the user redirected it to, instead of the
 * forwarding channel (mpirun drops the errors of its writes, so a full
 * disk or /dev/full would lose rows with exit status 0).  Returns 0, or -1
 * with a message printed (a closed standard output, or one rank 0 cannot
 * reach: then --output is the way). */
int hf_out_take_stdout(void);

/* An output file given by path (--output, --dropped).
 *
 * A regular file (or no file, or a symbolic link) is written to a new file
 * in path's directory, without a name where the file system allows
 * (O_TMPFILE), else under a temporary name; at a successful end it is
 * flushed to disk (fsync), renamed over path, and the directory is synced.
 * A symbolic link at path is replaced, never followed: a link planted in a
 * shared directory cannot send the output elsewhere.  A device or FIFO (a
 * terminal, /dev/null, a named pipe) is written in place and never
 * replaced. */
typedef struct hf_outfile {
    const char *path;
    int keep;      /* the new file (for fsync and linking), or -1 */
    char *named;   /* its temporary name, or NULL (unnamed, or direct) */
    bool direct;   /* a device or FIFO written in place */
} hf_outfile;

/* Opens path for writing.  Returns a descriptor that the caller owns and
 * writes to, or -1 (message printed).  same_as_stdout is set when path is
 * descriptor 1 itself (/dev/stdout): the caller should write standard
 * output instead (and the returned descriptor is -1, no message). */
int hf_outfile_open(hf_outfile *of, const char *path, bool *same_as_stdout);

/* At the end, after the caller closed its descriptor: ok puts the new file
 * in place (durably), !ok removes it.  Returns false when it was to be put
 * in place and could not be (message printed).  Clears *of. */
bool hf_outfile_settle(hf_outfile *of, bool ok);

#endif
