/* hanfold-mpi: waiting for the other ranks without spinning, and saying so
 * when the job stalls (a rank stopped, hung or starved).
 *
 * Every collective is started non-blocking and completed by hf_stall_wait,
 * which polls it like MPI_Wait for a short while, then sleeps between polls
 * (MPI's own blocking wait spins a core for as long as a rank is missing).
 * When rank 0 has waited HANFOLD_MPI_STALL seconds (default 60), it asks
 * every rank, on a communicator of its own, whether it is there: ranks that
 * wait answer; a rank that is stopped, hung or busy does not.  Rank 0 names
 * the ranks that did not answer, again after twice as long each time, and
 * says when the job moves again.  Rank 1 speaks when rank 0 is the one
 * missing. */
#ifndef HF_MPI_STALL_H
#define HF_MPI_STALL_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>

/* Collective, after MPI_Init.  first: seconds of waiting before the first
 * report (0: no reports); err: this rank's stream for messages. */
void hf_stall_init(double first, FILE *err);
/* What the job is doing, for the reports (rank 0): the window that starts
 * at record first and has n records. */
void hf_stall_where(uint64_t first, uint64_t n);
/* Completes *req (a request of a non-blocking collective). */
void hf_stall_wait(MPI_Request *req);
/* Collective, before MPI_Finalize: the questions and answers still on their
 * way are received. */
void hf_stall_finish(void);

#endif
