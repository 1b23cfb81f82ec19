/* hanfold-mpi: waiting for the other ranks (stall.h). */
#include "stall.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

enum { TAG_ASK = 1, TAG_ANSWER = 2 };
/* Polled without pause first, as MPI_Wait does: most waits are short, and
 * MPI moves data only while it is polled. */
#define SPIN_SECONDS 0.01
/* then polled after a pause that grows to 1 ms */
#define NAP_MIN_NS 20000L
#define NAP_MAX_NS 1000000L
/* how long the ranks have to answer rank 0's question */
#define GRACE_SECONDS 0.5
/* the most time between two reports */
#define REPORT_MAX_SECONDS 600.0

static struct {
    MPI_Comm comm;
    int rank, n;
    double first;
    FILE *err;
    uint64_t where_first, where_n;
    uint64_t asked;     /* rank 0: questions put to every other rank */
    uint64_t *answers;  /* rank 0: answers received, per rank */
    uint64_t answered;  /* other ranks: questions answered */
    MPI_Request *sends; /* rank 0: questions sent, completed at the end */
    size_t nsends, sends_cap;
    bool finishing;
} S = {.comm = MPI_COMM_NULL};

static char dummy;

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(S.err, "%s: ", hf_progname);
    if (S.rank)
        fprintf(S.err, "rank %d: ", S.rank);
    vfprintf(S.err, fmt, ap);
    fputc('\n', S.err);
    fflush(S.err);
    va_end(ap);
}

void hf_stall_init(double first, FILE *err)
{
    MPI_Comm_dup(MPI_COMM_WORLD, &S.comm);
    MPI_Comm_rank(S.comm, &S.rank);
    MPI_Comm_size(S.comm, &S.n);
    S.first = first;
    S.err = err;
    if (S.rank == 0 && !(S.answers = calloc((size_t)S.n, sizeof *S.answers)))
        S.first = 0; /* out of memory: no reports */
}

void hf_stall_where(uint64_t first, uint64_t n)
{
    S.where_first = first;
    S.where_n = n;
}

/* Other ranks: answers rank 0's questions (rank 0 takes the answers
 * whenever it waits, and at the end).  Returns whether there was one. */
static bool answer(void)
{
    bool any = false;
    for (;;) {
        int flag = 0;
        MPI_Iprobe(0, TAG_ASK, S.comm, &flag, MPI_STATUS_IGNORE);
        if (!flag)
            return any;
        MPI_Recv(&dummy, 0, MPI_BYTE, 0, TAG_ASK, S.comm, MPI_STATUS_IGNORE);
        MPI_Send(&dummy, 0, MPI_BYTE, 0, TAG_ANSWER, S.comm);
        S.answered++;
        any = true;
    }
}

/* Rank 0: the answers that arrived. */
static void collect(void)
{
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_ANSWER, S.comm, &flag, &st);
        if (!flag)
            return;
        MPI_Recv(&dummy, 0, MPI_BYTE, st.MPI_SOURCE, TAG_ANSWER, S.comm, MPI_STATUS_IGNORE);
        S.answers[st.MPI_SOURCE]++;
    }
}

/* Rank 0: a question of no bytes to every other rank, without waiting for
 * it to be taken (a stopped rank does not).  False when out of memory. */
static bool ask(void)
{
    size_t need = S.nsends + (size_t)S.n;
    if (need > S.sends_cap) {
        size_t cap = S.sends_cap ? 2 * S.sends_cap : 64;
        cap = cap < need ? need : cap;
        MPI_Request *p = realloc(S.sends, cap * sizeof *p);
        if (!p)
            return false;
        S.sends = p;
        S.sends_cap = cap;
    }
    for (int r = 1; r < S.n; r++)
        MPI_Isend(&dummy, 0, MPI_BYTE, r, TAG_ASK, S.comm, &S.sends[S.nsends++]);
    S.asked++;
    return true;
}

static bool all_answered(void)
{
    for (int r = 1; r < S.n; r++)
        if (S.answers[r] < S.asked)
            return false;
    return true;
}

/* Rank 0: names the ranks that did not answer the last question. */
static void report(double waited)
{
    char list[256];
    size_t len = 0;
    int missing = 0, listed = 0;
    for (int r = 1; r < S.n; r++) {
        if (S.answers[r] >= S.asked)
            continue;
        missing++;
        if (len + 16 < sizeof list) {
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%d", listed ? ", " : "", r);
            listed++;
        }
    }
    char where[96];
    if (S.where_n)
        snprintf(where, sizeof where, "in the window of records %llu to %llu",
                 (unsigned long long)S.where_first + 1, (unsigned long long)(S.where_first + S.where_n));
    else
        snprintf(where, sizeof where, "outside the windows");
    if (!missing)
        say("no progress for %.0f s %s; every rank answers (the wait is inside MPI)", waited, where);
    else if (listed < missing)
        say("no progress for %.0f s %s; %d ranks have not answered: %s and %d more (stopped, hung or busy)",
            waited, where, missing, list, missing - listed);
    else
        say("no progress for %.0f s %s; rank%s %s %s not answered (stopped, hung or busy)", waited, where,
            missing > 1 ? "s" : "", list, missing > 1 ? "have" : "has");
}

static double next_report(double t)
{
    return t * 2 < t + REPORT_MAX_SECONDS ? t * 2 : t + REPORT_MAX_SECONDS;
}

void hf_stall_wait(MPI_Request *req)
{
    int done = 0;
    MPI_Test(req, &done, MPI_STATUS_IGNORE);
    if (done)
        return;
    double t0 = MPI_Wtime();
    double next = S.first;           /* rank 0: wait before the next question */
    double deputy = 2 * S.first;     /* rank 1: wait before it speaks for rank 0 */
    double asked_at = -1;            /* the question in flight, or -1 */
    double last = 0;                 /* the previous poll */
    bool reported = false, heard = false, active = S.first > 0 && !S.finishing && S.comm != MPI_COMM_NULL;
    long nap = 0;
    for (;;) {
        MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (done)
            break;
        double waited = MPI_Wtime() - t0;
        if (waited < SPIN_SECONDS)
            continue;
        if (waited - last > GRACE_SECONDS) {
            /* this rank itself did not run (stopped, starved): the others
             * are not to blame for that time */
            next = waited + S.first;
            deputy = waited + 2 * S.first;
            asked_at = -1;
        }
        last = waited;
        if (active && S.rank == 0) {
            collect();
            if (asked_at < 0 && waited >= next && ask())
                asked_at = waited;
            if (asked_at >= 0 && (all_answered() || waited - asked_at >= GRACE_SECONDS)) {
                report(asked_at);
                reported = true;
                asked_at = -1;
                next = next_report(next);
            }
        } else if (active) {
            heard |= answer();
            /* rank 0 asks whenever it waits: a rank 1 that waits long
             * without a question waits for rank 0 */
            if (S.rank == 1 && !heard && waited >= deputy) {
                say("no progress for %.0f s, and no word from rank 0, which reports on the others: rank 0 is "
                    "stopped, hung or busy (it reads, decides and writes for the job)",
                    waited);
                reported = true;
                deputy = next_report(deputy);
            }
        }
        nap = nap ? (nap * 2 < NAP_MAX_NS ? nap * 2 : NAP_MAX_NS) : NAP_MIN_NS;
        struct timespec ts = {0, nap};
        nanosleep(&ts, NULL);
    }
    if (reported)
        say("moving again after %.1f s", MPI_Wtime() - t0);
}

void hf_stall_finish(void)
{
    if (S.comm == MPI_COMM_NULL)
        return;
    S.finishing = true;
    uint64_t asked = S.asked;
    MPI_Bcast(&asked, 1, MPI_UINT64_T, 0, S.comm);
    if (S.rank == 0) {
        for (int r = 1; r < S.n; r++)
            for (; S.answers[r] < asked; S.answers[r]++)
                MPI_Recv(&dummy, 0, MPI_BYTE, r, TAG_ANSWER, S.comm, MPI_STATUS_IGNORE);
    } else {
        for (; S.answered < asked; S.answered++) {
            MPI_Recv(&dummy, 0, MPI_BYTE, 0, TAG_ASK, S.comm, MPI_STATUS_IGNORE);
            MPI_Send(&dummy, 0, MPI_BYTE, 0, TAG_ANSWER, S.comm);
        }
    }
    MPI_Waitall((int)S.nsends, S.sends, MPI_STATUSES_IGNORE);
    free(S.sends);
    free(S.answers);
    MPI_Comm_free(&S.comm);
    memset(&S, 0, sizeof S);
    S.comm = MPI_COMM_NULL;
}
