/* hanfold-mpi: rank 0's standard output, so that nothing written there is
 * lost without a message (files given by path: cli/outfile.h).  No MPI
 * here: plain POSIX and Linux's /proc. */
#ifndef HF_MPI_OUTPUT_H
#define HF_MPI_OUTPUT_H

#include <stdbool.h>

/* True when a launcher (mpirun, mpiexec, srun) started this process, which
 * then forwards its standard output.  Read the environment before MPI_Init
 * (a singleton's MPI_Init sets some of the same variables). */
bool hf_mpi_launched(void);

/* Rank 0, launched by mpirun: makes descriptor 1 mpirun's own standard
 * output, the file or pipe the user redirected it to, instead of the
 * forwarding channel (mpirun drops the errors of its writes, so a full
 * disk or /dev/full would lose rows with exit status 0).  Returns 0, or -1
 * with a message printed (a closed standard output, or one rank 0 cannot
 * reach: then --output is the way). */
int hf_mpi_take_stdout(void);

#endif
