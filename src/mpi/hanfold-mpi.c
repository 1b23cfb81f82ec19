/* hanfold-mpi: `hanfold cluster` and `hanfold dedup` over Open MPI ranks,
 * with the same output as the single process, byte for byte.
 *
 * The single process decides record by record, in input order: a record
 * joins its most similar earlier representative (or the representative
 * with its exact key), or becomes one.  That order is the contract (the
 * representative is the earliest record of its cluster), so the ranks work
 * through the input in windows of consecutive records and, per window:
 *
 *   map      rank 0 reads the window (any input mode, stdin too) and
 *            scatters the records' texts: record s goes to rank s mod N,
 *            its home, which normalizes and fingerprints it;
 *   shuffle  homes send the window's indexed shingles and key hashes to
 *            their owners (hash mod N) with MPI_Alltoallv; an owner holds
 *            the posting chains and exact-key entries of every earlier
 *            representative with those hashes, and sends the candidate
 *            pairs it finds to the home of the querying record, which
 *            fetches the candidates' data from their homes;
 *   verify   the querying record's home verifies its candidates against
 *            earlier representatives (the library's own verdict function);
 *   merge    rank 0 gathers the window's fingerprints and verdicts and
 *            replays the single process's decisions in order: it adds the
 *            pairs inside the window itself (verifying them) and applies
 *            the posting cap with the chain lengths the owners reported;
 *            the window's new representatives are then entered in the
 *            distributed index, and rank 0 writes the window's output.
 *
 * Memory per rank: the postings and exact keys of the hashes it owns and
 * the verification data of the representatives whose home it is; rank 0
 * also keeps the ids of representatives (for cluster ids and --dropped). */
/* The expert API of hanfold.h: the clusterer's decision and candidate
 * rules (hanfold_decide, hanfold_posted, hanfold_shared_needed,
 * hanfold_posting_cap, hanfold_pair_verify_with) and hanfold_mix64. */
#define HANFOLD_EXPERT
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <mpi.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "buf.h"
#include "cli.h"
#include "hanfold.h"
#include "fprows.h"
#include "options.h"
#include "outfile.h"
#include "outfmt.h"
#include "output.h"
#include "walk.h"
#include <jansson.h>
#include "progress.h"
#include "records.h"
#include "stall.h"
#include "wire.h"

#define NONE64 UINT64_MAX
/* A window also ends after this many bytes of input. */
#define WINDOW_BYTES ((size_t)256 << 20)

enum cmd { CMD_CLUSTER, CMD_DEDUP };
enum { FMT_TSV = HF_ROW_TSV, FMT_JSONL = HF_ROW_JSONL, FMT_CSV = HF_ROW_CSV };

static int rank, nranks;
static uint32_t posting_cap; /* hanfold_posting_cap() of the job's settings */
static FILE *errf; /* this rank's own messages (stderr of ranks > 0 is quiet) */

/* ---- stage accounting (--stats) ------------------------------------------------ */

/* read and decide are rank 0's serial parts of map and merge */
enum { T_READ, T_MAP, T_SHUFFLE, T_VERIFY, T_MERGE, T_DECIDE, T_OUTPUT, T_N };
static const char *const stage_names[T_N] = {"read", "map", "shuffle", "verify", "merge", "decide", "output"};
static double stage_time[T_N];
static uint64_t bytes_sent;  /* to other ranks (not to itself) */
static double stage_start;
static int stage_cur = -1;

static void stage(int t)
{
    double now = MPI_Wtime();
    if (stage_cur >= 0)
        stage_time[stage_cur] += now - stage_start;
    stage_cur = t;
    stage_start = now;
}

/* When the job is aborted (another rank failed, mpirun interrupted), rank 0
 * is sent SIGTERM: the temporary files go with it. */
static volatile sig_atomic_t have_tmp;
static char tmp_names[2][4096];

static void on_term(int sig)
{
    for (int i = 0; i < 2 && have_tmp; i++)
        if (tmp_names[i][0])
            unlink(tmp_names[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void remember_tmp(int i, const char *name)
{
    if (!name || strlen(name) >= sizeof tmp_names[i])
        return;
    strcpy(tmp_names[i], name);
    have_tmp = 1;
}

/* A failure of this rank: the whole job ends with status 2.  Output files
 * given with --output are only renamed into place at a successful end. */
static _Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(errf, "hanfold-mpi: rank %d: ", rank);
    vfprintf(errf, fmt, ap);
    fputc('\n', errf);
    fflush(errf);
    va_end(ap);
    for (int i = 0; i < 2 && have_tmp; i++)
        if (tmp_names[i][0])
            unlink(tmp_names[i]);
    MPI_Abort(MPI_COMM_WORLD, HF_EXIT_ERROR);
    exit(HF_EXIT_ERROR);
}

static void need(int e)
{
    if (e == -ENOMEM)
        die("out of memory");
    if (e)
        die("internal error %d", e);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static void put(hf_buf *b, const void *p, size_t n)
{
    need(hf_buf_append(b, p, n));
}

/* A collective, waited for by hf_stall_wait (no spinning, a report when a
 * rank does not come): COLL(MPI_Ibcast, buf, n, type, root, comm). */
#define COLL(start, ...)                 \
    do {                                 \
        MPI_Request rq_;                 \
        start(__VA_ARGS__, &rq_);        \
        hf_stall_wait(&rq_);             \
    } while (0)

/* ---- collectives on byte buffers ---------------------------------------------------- */

static int to_int(size_t n)
{
    if (n > INT_MAX)
        die("a message of %zu bytes is over MPI's limit; use a smaller HANFOLD_MPI_WINDOW", n);
    return (int)n;
}

/* Sends out[r] to rank r, for every r; *in receives what every rank sent
 * here, rank by rank, with (*off)[r] the start of rank r's part and
 * (*off)[nranks] the total. */
static void alltoallv(hf_buf *out, hf_buf *in, size_t **off)
{
    int *sc = xmalloc(nranks * sizeof *sc), *rc = xmalloc(nranks * sizeof *rc);
    int *sd = xmalloc(nranks * sizeof *sd), *rd = xmalloc(nranks * sizeof *rd);
    hf_buf send = {0};
    for (int r = 0; r < nranks; r++) {
        sd[r] = to_int(send.len);
        sc[r] = to_int(out[r].len);
        put(&send, out[r].p ? out[r].p : "", out[r].len);
        if (r != rank)
            bytes_sent += out[r].len;
    }
    COLL(MPI_Ialltoall, sc, 1, MPI_INT, rc, 1, MPI_INT, MPI_COMM_WORLD);
    size_t tot = 0;
    *off = xrealloc(*off, (nranks + 1) * sizeof **off);
    for (int r = 0; r < nranks; r++) {
        (*off)[r] = tot;
        rd[r] = to_int(tot);
        tot += (size_t)rc[r];
    }
    (*off)[nranks] = tot;
    hf_buf_clear(in);
    need(hf_buf_reserve(in, tot));
    COLL(MPI_Ialltoallv, send.p ? send.p : "", sc, sd, MPI_BYTE, in->p, rc, rd, MPI_BYTE, MPI_COMM_WORLD);
    in->len = tot;
    hf_buf_free(&send);
    free(sc);
    free(rc);
    free(sd);
    free(rd);
}

/* Gathers every rank's out on rank 0 (in rank order) into *in. */
static void gather0(const hf_buf *out, hf_buf *in)
{
    int n = to_int(out->len);
    int *rc = NULL, *rd = NULL;
    if (rank == 0) {
        rc = xmalloc(nranks * sizeof *rc);
        rd = xmalloc(nranks * sizeof *rd);
    } else {
        bytes_sent += out->len;
    }
    COLL(MPI_Igather, &n, 1, MPI_INT, rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        size_t tot = 0;
        for (int r = 0; r < nranks; r++) {
            rd[r] = to_int(tot);
            tot += (size_t)rc[r];
        }
        hf_buf_clear(in);
        need(hf_buf_reserve(in, tot));
        in->len = tot;
    }
    COLL(MPI_Igatherv, out->p ? out->p : "", n, MPI_BYTE, rank == 0 ? in->p : NULL, rc, rd, MPI_BYTE, 0,
                MPI_COMM_WORLD);
    free(rc);
    free(rd);
}

/* Rank 0's out[r] to rank r; *in receives this rank's part. */
static void scatter0(hf_buf *out, hf_buf *in)
{
    int n = 0, *sc = NULL, *sd = NULL;
    hf_buf send = {0};
    if (rank == 0) {
        sc = xmalloc(nranks * sizeof *sc);
        sd = xmalloc(nranks * sizeof *sd);
        for (int r = 0; r < nranks; r++) {
            sd[r] = to_int(send.len);
            sc[r] = to_int(out[r].len);
            put(&send, out[r].p ? out[r].p : "", out[r].len);
            if (r)
                bytes_sent += out[r].len;
        }
    }
    COLL(MPI_Iscatter, sc, 1, MPI_INT, &n, 1, MPI_INT, 0, MPI_COMM_WORLD);
    hf_buf_clear(in);
    need(hf_buf_reserve(in, (size_t)n));
    in->len = (size_t)n;
    COLL(MPI_Iscatterv, send.p ? send.p : "", sc, sd, MPI_BYTE, in->p, n, MPI_BYTE, 0, MPI_COMM_WORLD);
    hf_buf_free(&send);
    free(sc);
    free(sd);
}

static void clear_all(hf_buf *b)
{
    for (int r = 0; r < nranks; r++)
        hf_buf_clear(&b[r]);
}

/* The owner of a hash: the high half of its mix scaled to the ranks.  Not
 * the hash's own bits (indexed hashes are the smallest of their record's,
 * so their high bits are mostly zero), and not hanfold_mix64(h) % N (the
 * owners' tables take their slots from the low bits of hanfold_mix64: an owner
 * whose keys all share those bits would fill a fraction of its table). */
static int owner_of(uint64_t h) { return (int)(((hanfold_mix64(h) >> 32) * (uint64_t)nranks) >> 32); }
static int home_of(uint64_t s) { return (int)(s % (uint64_t)nranks); }

/* ---- messages ---------------------------------------------------------------------------- */

/* query from a record's home to a hash owner */
typedef struct qmsg {
    uint64_t h, j;
    uint8_t type, k, nind, pad[5];
} qmsg;
enum { Q_EXACT, Q_HASH };

/* reply of a hash owner: to rank 0 (R_EXACT: a = j, b = the representative
 * with that key; R_COUNT: chain length c of hash a, when the cap may be
 * reached in this window) or to the homes that asked (R_CHAIN: hash a and
 * its chain, c entries of representative << 8 | indexed shingles, follow).
 * A home expands chains into R_PAIR: a = representative, b = j, k = which
 * of j's shingles, nind = the representative's indexed shingles. */
typedef struct rmsg {
    uint64_t a, b;
    uint32_t c;
    uint8_t type, k, nind, pad;
} rmsg;
enum { R_EXACT, R_COUNT, R_PAIR, R_CHAIN };

/* a compared pair (not ruled out by the length ratio): earlier
 * representative i, record j; dup says whether they are near-duplicates */
typedef struct vmsg {
    uint64_t i, j;
    double sim;
    uint16_t mask;  /* which of j's indexed shingles the pair shares */
    uint8_t dup, nind_i;
    uint8_t kind;   /* the measure (HANFOLD_PAIR_*), for the printed similarity */
    uint8_t pad[3];
} vmsg;

/* a new representative's postings and exact key, to their owners */
typedef struct umsg {
    uint64_t h, rep;
    uint8_t type, nind, pad[6];
} umsg;
enum { U_POST, U_EXACT };

typedef struct post {
    uint64_t rep;
    uint64_t next;
    uint8_t nind;
} post;

/* ---- the job ------------------------------------------------------------------------------ */

/* rank 0: a record of the current window, for output */
typedef struct wslot {
    size_t id_off;      /* in win_text */
    size_t raw_off, raw_len, term_off, term_len;
    size_t file_off;    /* display name of the input, in win_text */
    uint64_t line;
    bool error;         /* data error (the reader's) */
    bool oversize;
    const char *errmsg; /* the reader's message, in win_text */
    uint64_t match;
    double sim;
    int measure;        /* of sim (hf_measure) */
} wslot;

typedef struct job {
    enum cmd cmd;
    hf_common co;
    hanfold_cluster_settings cs;
    int format;
    bool from_fp, exit_status;
    const char *dropped_path, *output_path;
    hf_outfile output_pd, dropped_pd;
    FILE *dropped;
    size_t window;
    hf_batch *batch;
    hanfold_ctx *ctx;
    hanfold_clusterer *vc; /* verification scratch (its index stays empty) */
    /* owner side */
    map64 postmap;      /* hash -> head of chain (val), chain length (cnt) */
    post *posts;
    size_t nposts, posts_cap;
    map64 exact;        /* key hash -> representative */
    /* home side */
    map64 repmap;       /* representative -> offset in reps */
    hf_buf reps;
    /* this window */
    uint64_t ws;        /* stream index of its first record */
    size_t nw;
    hf_buf own;         /* wire records of the records whose home this is */
    size_t *own_off;    /* per window record: offset in own, or SIZE_MAX */
    /* rank 0 */
    hf_reader *rd;
    hf_progress prog;
    wslot *win;
    hf_buf win_text;
    hf_buf gathered;
    const wrec **wfp;   /* per window record: its wire record (gathered) */
    uint64_t *exact_pre;
    map64 cnt_pre;      /* hash -> chain length before the window, where it matters */
    map64 iw_index;     /* in-window: hash -> head (val), reps (cnt) */
    struct { uint32_t w, next; } *iw_post;
    size_t iw_npost, iw_cap;
    map64 iw_exact;
    uint32_t *seen, *shared, stamp;
    uint32_t *cand;
    hanfold_candidate *el; /* decide(): the candidates */
    size_t el_cap;
    uint64_t *new_reps;
    size_t nnew;
    /* representatives' ids (rank 0): stream index ascending, offsets in rep_ids */
    uint64_t *rep_s;
    size_t *rep_off;
    size_t nrep_ids, rep_cap;
    hf_buf rep_ids;
    /* single linkage (rank 0): union-find parents by stream index; the ids
     * above hold every row, row_sim their similarities */
    uint64_t *parent;
    double *row_sim;
    uint8_t *row_measure; /* beside row_sim: hf_measure */
    /* counters (rank 0) */
    uint64_t read, kept, dropped_n, invalid, bad, rows, bad_rows;
    uint64_t records_mapped; /* every rank: records it fingerprinted */
    int status;
    bool stop;
    bool incomplete;    /* stopped before the end of the input */
    bool write_failed;  /* rank 0: a write error, reported (or a closed pipe) */
    bool own_dropped;   /* rank 0: dropped is ours (--dropped /dev/stdout) */
} job;

static void job_free(job *j)
{
    hf_reader_free(&j->rd);
    hf_batch_free(&j->batch);
    map64_free(&j->postmap);
    map64_free(&j->exact);
    map64_free(&j->repmap);
    map64_free(&j->iw_index);
    map64_free(&j->iw_exact);
    free(j->posts);
    hf_buf_free(&j->reps);
    hf_buf_free(&j->own);
    hf_buf_free(&j->win_text);
    hf_buf_free(&j->gathered);
    hf_buf_free(&j->rep_ids);
    free(j->own_off);
    free(j->win);
    free(j->wfp);
    free(j->exact_pre);
    map64_free(&j->cnt_pre);
    hanfold_clusterer_free(&j->vc);
    free(j->iw_post);
    free(j->seen);
    free(j->shared);
    free(j->cand);
    free(j->el);
    free(j->new_reps);
    free(j->rep_s);
    free(j->rep_off);
    free(j->parent);
    free(j->row_sim);
    free(j->row_measure);

}

static const char help_text[] =
"Usage: mpirun [-np N] hanfold-mpi cluster|dedup [OPTIONS] [FILE...]\n"
"'hanfold cluster' and 'hanfold dedup' on N Open MPI ranks, with the same\n"
"output byte for byte: rank 0 reads the input and writes the output, every\n"
"rank normalizes and fingerprints a share of the records, owns a share of\n"
"the candidate index and verifies a share of the candidate pairs.\n"
"\n"
"      --format FMT      cluster: tsv (default), jsonl or csv\n"
"      --dropped FILE    dedup: id TAB kept id TAB similarity TAB record\n"
"      --exit-status     dedup: exit with status 1 when something was dropped\n"
"      --threshold T, --long-threshold T, --jaccard-threshold T, --min-ratio R,\n"
"      --linkage L, --fingerprints   as for hanfold cluster ('hanfold cluster --help')\n"
"\n"
"Not available here: --index, --keep longest, --method simhash (run hanfold).\n"
"Environment: HANFOLD_MPI_WINDOW records per window (default 16384),\n"
"HANFOLD_MPI_STALL seconds without progress before a report (default 60).\n"
"Without --output, rank 0 writes to mpirun's own standard output, checked.\n"
"With --stats, rank 0 adds per-stage times and the bytes the ranks exchanged.\n"
"\n";

/* ---- rank 0: reading a window ------------------------------------------------------------- */

static void push_text(job *j, const char *p, size_t n, size_t *off)
{
    *off = j->win_text.len;
    put(&j->win_text, p, n);
    need(hf_buf_putc(&j->win_text, '\0'));
}

/* Reads the next window and builds the texts for each home.  Sets j->nw
 * and j->stop. */
static void read_window(job *j, hf_buf *texts)
{
    j->nw = 0;
    hf_buf_clear(&j->win_text);
    hf_record rec;
    size_t window_bytes = 0;
    while (j->nw < j->window) {
        int r = hf_reader_next(j->rd, &rec);
        if (r <= 0) {
            if (r < 0) {
                j->status = HF_EXIT_ERROR;
                j->incomplete = true;
            }
            j->stop = true;
            break;
        }
        if (rec.invalid) {
            j->invalid += rec.invalid;
            if (j->co.strict) {
                hf_msg("%s:%llu: invalid byte sequence (--strict); stopping", rec.file,
                       (unsigned long long)rec.line);
                j->status = HF_EXIT_ERROR;
                j->stop = true;
                j->incomplete = true;
                break;
            }
        }
        if (j->ws + j->nw >= (1ULL << 52))
            die("more than 2^52 records: chains carry record numbers in 52 bits");
        j->read++;
        wslot *w = &j->win[j->nw];
        memset(w, 0, sizeof *w);
        push_text(j, rec.id, strlen(rec.id), &w->id_off);
        push_text(j, rec.file, strlen(rec.file), &w->file_off);
        w->line = rec.line;
        w->error = rec.error != NULL;
        w->oversize = rec.oversize;
        if (rec.error) {
            size_t o;
            push_text(j, rec.error, strlen(rec.error), &o);
            w->errmsg = (const char *)(uintptr_t)o; /* made a pointer below */
        }
        if (j->cmd == CMD_DEDUP) {
            push_text(j, rec.raw, rec.raw_len, &w->raw_off);
            w->raw_len = rec.raw_len;
            push_text(j, rec.term, rec.term_len, &w->term_off);
            w->term_len = rec.term_len;
        }
        if (!rec.error) {
            uint64_t s = j->ws + j->nw;
            const char *t = j->from_fp ? rec.utf8 : rec.text;
            size_t n = j->from_fp ? rec.utf8_len : rec.text_len;
            uint64_t hdr[2] = {s, n};
            hf_buf *b = &texts[home_of(s)];
            put(b, hdr, sizeof hdr);
            put(b, t, n);
            static const char zero[8];
            put(b, zero, wrec_pad8(n) - n);
        }
        j->nw++;
        window_bytes += rec.raw_len;
        if (rec.oversize)
            break; /* drained when the window is written */
        /* messages stay far below MPI's 2 GB count limit */
        if (window_bytes >= WINDOW_BYTES)
            break;
    }
    for (size_t i = 0; i < j->nw; i++)
        if (j->win[i].error)
            j->win[i].errmsg = j->win_text.p + (size_t)(uintptr_t)j->win[i].errmsg;
}

/* ---- map: normalize and fingerprint this rank's records ------------------------------------- */

static void harvest(job *j, const uint64_t *sidx)
{
    hf_batch_run(j->batch);
    for (size_t i = 0; i < hf_batch_count(j->batch); i++) {
        hf_item *it = hf_batch_item(j->batch, i);
        size_t at = j->own.len;
        if (it->err)
            need(wrec_put(&j->own, sidx[i], NULL, ST_FATAL, it->errmsg, strlen(it->errmsg)));
        else
            need(wrec_put(&j->own, sidx[i], &it->fp, ST_OK, NULL, 0));
        j->own_off[sidx[i] - j->ws] = at;
    }
    hf_batch_clear(j->batch);
}

static void map_window(job *j, const hf_buf *texts)
{
    hf_buf_clear(&j->own);
    for (size_t i = 0; i < j->nw; i++)
        j->own_off[i] = SIZE_MAX;
    uint64_t *sidx = xmalloc(sizeof *sidx * (j->window + 1));
    size_t nb = 0;
    for (size_t off = 0; off < texts->len;) {
        uint64_t hdr[2];
        memcpy(hdr, texts->p + off, sizeof hdr);
        const char *t = texts->p + off + sizeof hdr;
        off += sizeof hdr + wrec_pad8(hdr[1]);
        j->records_mapped++;
        if (j->from_fp) {
            hf_fprow fr;
            hanfold_fp fp;
            size_t at = j->own.len;
            const char *why = hf_fprow_parse(t, hdr[1], &fr);
            if (why) {
                need(wrec_put(&j->own, hdr[0], NULL, ST_GARBAGE, why, strlen(why)));
            } else {
                int e = fr.key ? hanfold_fingerprint(j->ctx, fr.key, fr.key_len, &fp)
                               : hanfold_fingerprint_from_sketch(j->ctx, fr.simhash, fr.key_tokens, fr.sketch,
                                                                 fr.nsketch, fr.key_hash, &fp);
                need(e);
                need(wrec_put(&j->own, hdr[0], &fp, ST_OK, fr.id, strlen(fr.id)));
            }
            hf_fprow_free(&fr);
            j->own_off[hdr[0] - j->ws] = at;
            continue;
        }
        hf_record r;
        memset(&r, 0, sizeof r);
        r.raw = r.text = r.utf8 = t;
        r.raw_len = r.text_len = r.utf8_len = hdr[1];
        r.term = r.id = r.file = "";
        need(hf_batch_add(j->batch, &r));
        sidx[nb++] = hdr[0];
        if (hf_batch_full(j->batch)) {
            harvest(j, sidx);
            nb = 0;
        }
    }
    if (nb)
        harvest(j, sidx);
    free(sidx);
}

/* ---- shuffle, verify ---------------------------------------------------------------------- */

static const wrec *own_rec(const job *j, uint64_t s)
{
    size_t o = j->own_off[s - j->ws];
    return o == SIZE_MAX ? NULL : (const wrec *)(j->own.p + o);
}

static int by_u64x2(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

static int by_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Queries, candidate pairs, verification against earlier representatives.
 * Leaves in *verdicts this rank's verdicts and in *to0 the owners' replies
 * meant for rank 0. */
static void find_candidates(job *j, hf_buf *sendb, hf_buf *recvb, size_t **off, hf_buf *verdicts,
                            hf_buf *to0)
{
    /* 1. queries to the owners */
    stage(T_SHUFFLE);
    clear_all(sendb);
    for (size_t o = 0; o < j->own.len;) {
        const wrec *w = (const wrec *)(j->own.p + o);
        o += wrec_size(w);
        if (w->status != ST_OK || !w->key_tokens)
            continue;
        qmsg q;
        memset(&q, 0, sizeof q);
        q.j = w->s;
        q.type = Q_EXACT;
        q.h = w->key_hash;
        put(&sendb[owner_of(q.h)], &q, sizeof q);
        const uint64_t *sk = wrec_sketch(w);
        for (unsigned k = 0; k < w->nind; k++) {
            q.type = Q_HASH;
            q.h = sk[k];
            q.k = (uint8_t)k;
            q.nind = w->nind;
            put(&sendb[owner_of(q.h)], &q, sizeof q);
        }
    }
    alltoallv(sendb, recvb, off);

    /* 2. owners answer: per hash, its chain once to every home that asked
     * (a common shingle is asked for by many records of a window) */
    stage(T_MERGE);
    clear_all(sendb);
    size_t nq = recvb->len / sizeof(qmsg);
    const qmsg *qs = (const qmsg *)recvb->p;
    hf_buf hh = {0}; /* (hash, home) of every Q_HASH, then sorted */
    for (size_t i = 0; i < nq; i++) {
        const qmsg *q = &qs[i];
        if (q->type == Q_EXACT) {
            size_t sl = map64_get(&j->exact, q->h);
            if (sl != SIZE_MAX) {
                rmsg r = {.type = R_EXACT, .a = q->j, .b = j->exact.e[sl].val};
                put(&sendb[0], &r, sizeof r);
            }
            continue;
        }
        /* most shingles of a window are new: nothing to answer */
        if (map64_get(&j->postmap, q->h) == SIZE_MAX)
            continue;
        uint64_t e[2] = {q->h, (uint64_t)home_of(q->j)};
        put(&hh, e, sizeof e);
    }
    size_t nhh = hh.len / 16;
    uint64_t (*hp)[2] = (uint64_t (*)[2])hh.p;
    if (nhh)
        qsort(hp, nhh, sizeof *hp, by_u64x2);
    for (size_t i = 0; i < nhh;) {
        uint64_t h = hp[i][0];
        size_t e = i;
        while (e < nhh && hp[e][0] == h)
            e++;
        size_t sl = map64_get(&j->postmap, h);
        uint32_t c = sl == SIZE_MAX ? 0 : j->postmap.e[sl].cnt;
        /* the chain may pass the cap inside this window only if its length
         * plus the window's queries for it does: then rank 0 needs it (the
         * window's queries for hashes without a chain were not counted, but
         * such a chain starts at 0 and has at most a window's records) */
        if (c && (uint64_t)c + (e - i) > posting_cap) {
            rmsg r = {.type = R_COUNT, .a = h, .c = c};
            put(&sendb[0], &r, sizeof r);
        }
        for (size_t k = i; c && c <= posting_cap && k < e; k++) {
            if (k > i && hp[k][1] == hp[k - 1][1])
                continue;
            hf_buf *to = &sendb[hp[k][1]];
            rmsg r = {.type = R_CHAIN, .a = h, .c = c};
            put(to, &r, sizeof r);
            for (uint64_t p = j->postmap.e[sl].val; p != NONE64; p = j->posts[p].next) {
                uint64_t x = j->posts[p].rep << 8 | j->posts[p].nind;
                put(to, &x, sizeof x);
            }
        }
        i = e;
    }
    hf_buf_free(&hh);
    stage(T_SHUFFLE);
    alltoallv(sendb, recvb, off);

    /* 3. the homes of the queries: pairs that share enough, data requests */
    stage(T_MERGE);
    hf_buf_clear(to0);
    /* the chains received, by hash */
    map64 chains = {0};
    for (size_t o = 0; o < recvb->len;) {
        const rmsg *r = (const rmsg *)(recvb->p + o);
        if (r->type != R_CHAIN) {
            put(to0, r, sizeof *r);
            o += sizeof *r;
            continue;
        }
        bool fresh;
        size_t sl = map64_put(&chains, r->a, &fresh);
        if (sl == SIZE_MAX)
            die("out of memory");
        chains.e[sl].val = o;
        o += sizeof *r + 8 * (size_t)r->c;
    }
    /* per record: the representatives its chains name, with the mask of
     * shingles shared; one candidate per (j, i) that passes the filter as
     * if no chain reached the cap in this window (rank 0 removes the
     * shingles that do: that can only take candidates away) */
    hf_buf pairs = {0}, one = {0};
    for (size_t o = 0; o < j->own.len;) {
        const wrec *w = (const wrec *)(j->own.p + o);
        o += wrec_size(w);
        if (w->status != ST_OK || !w->key_tokens)
            continue;
        hf_buf_clear(&one);
        const uint64_t *sk = wrec_sketch(w);
        for (unsigned k = 0; k < w->nind; k++) {
            size_t sl = map64_get(&chains, sk[k]);
            if (sl == SIZE_MAX)
                continue;
            const rmsg *r = (const rmsg *)(recvb->p + chains.e[sl].val);
            const uint64_t *ent = (const uint64_t *)(r + 1);
            for (uint32_t e = 0; e < r->c; e++) {
                uint64_t x = (ent[e] & ~(uint64_t)0xff) << 4 | (uint64_t)k << 8 | (ent[e] & 0xff);
                put(&one, &x, sizeof x);
            }
        }
        /* entries: representative << 12 | k << 8 | its indexed shingles */
        size_t ne = one.len / 8;
        uint64_t *es = (uint64_t *)one.p;
        if (ne)
            qsort(es, ne, sizeof *es, by_u64);
        for (size_t i = 0; i < ne;) {
            uint64_t rep = es[i] >> 12;
            uint32_t mask = 0;
            size_t e = i;
            while (e < ne && es[e] >> 12 == rep)
                mask |= 1u << ((es[e++] >> 8) & 0xf);
            uint8_t nind = (uint8_t)(es[i] & 0xff);
            if ((uint32_t)__builtin_popcount(mask) >= hanfold_shared_needed(nind, w->nind)) {
                rmsg p = {.type = R_PAIR, .a = rep, .b = w->s, .c = mask, .nind = nind};
                put(&pairs, &p, sizeof p);
            }
            i = e;
        }
    }
    map64_free(&chains);
    hf_buf_free(&one);
    size_t ncand = pairs.len / sizeof(rmsg);
    rmsg *ps = (rmsg *)pairs.p;
    clear_all(sendb);
    {
        uint64_t *req = xmalloc((ncand + 1) * sizeof *req);
        for (size_t i = 0; i < ncand; i++)
            req[i] = ps[i].a;
        qsort(req, ncand, sizeof *req, by_u64);
        for (size_t i = 0; i < ncand; i++)
            if (!i || req[i] != req[i - 1])
                put(&sendb[home_of(req[i])], &req[i], sizeof req[i]);
        free(req);
    }
    stage(T_SHUFFLE);
    alltoallv(sendb, recvb, off);
    /* 4. the homes of the representatives send their data */
    stage(T_MERGE);
    clear_all(sendb);
    for (int r = 0; r < nranks; r++) {
        for (size_t o = (*off)[r]; o < (*off)[r + 1]; o += 8) {
            uint64_t s;
            memcpy(&s, recvb->p + o, 8);
            size_t sl = map64_get(&j->repmap, s);
            if (sl == SIZE_MAX)
                die("representative %" PRIu64 " is not stored here", s);
            const wrec *w = (const wrec *)(j->reps.p + j->repmap.e[sl].val);
            put(&sendb[r], w, wrec_size(w));
        }
    }
    stage(T_SHUFFLE);
    alltoallv(sendb, recvb, off);

    /* 5. verify */
    stage(T_VERIFY);
    map64 got = {0};
    for (size_t o = 0; o < recvb->len;) {
        const wrec *w = (const wrec *)(recvb->p + o);
        bool fresh;
        size_t sl = map64_put(&got, w->s, &fresh);
        if (sl == SIZE_MAX)
            die("out of memory");
        got.e[sl].val = o;
        o += wrec_size(w);
    }
    hf_buf_clear(verdicts);
    for (size_t i = 0; i < ncand; i++) {
        const wrec *x = (const wrec *)(recvb->p + got.e[map64_get(&got, ps[i].a)].val);
        const wrec *q = own_rec(j, ps[i].b);
        hanfold_fp fx = wrec_fp(x), fq = wrec_fp(q);
        double sim;
        int kind;
        /* candidates are sorted by record: its LCS masks serve them all */
        int v = hanfold_pair_verify_with(j->vc, &fx, &fq, i > 0 && ps[i - 1].b == ps[i].b, &sim, &kind);
        if (v == -ENOMEM)
            die("out of memory");
        if (v == -1)
            continue; /* rank 0 needs the comparable pairs only (the budget counts them) */
        vmsg m;
        memset(&m, 0, sizeof m);
        m.i = ps[i].a;
        m.j = ps[i].b;
        m.sim = sim;
        m.mask = (uint16_t)ps[i].c;
        m.dup = (uint8_t)v;
        m.kind = (uint8_t)kind;
        m.nind_i = ps[i].nind;
        put(verdicts, &m, sizeof m);
    }
    map64_free(&got);
    hf_buf_free(&pairs);
}

/* ---- merge: rank 0 replays the decisions -------------------------------------------------- */

static int by_verdict(const void *a, const void *b)
{
    const vmsg *x = a, *y = b;
    if (x->j != y->j)
        return x->j < y->j ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

static void push_rep_id(job *j, uint64_t s, const char *id)
{
    if (j->nrep_ids == j->rep_cap) {
        j->rep_cap = j->rep_cap ? 2 * j->rep_cap : 1024;
        j->rep_s = xrealloc(j->rep_s, j->rep_cap * sizeof *j->rep_s);
        j->rep_off = xrealloc(j->rep_off, j->rep_cap * sizeof *j->rep_off);
    }
    j->rep_s[j->nrep_ids] = s;
    j->rep_off[j->nrep_ids++] = j->rep_ids.len;
    put(&j->rep_ids, id, strlen(id) + 1);
}

static const char *rep_id(const job *j, uint64_t s)
{
    size_t lo = 0, hi = j->nrep_ids;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (j->rep_s[mid] < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < j->nrep_ids && j->rep_s[lo] == s ? j->rep_ids.p + j->rep_off[lo] : "?";
}

static const char *win_id(const job *j, size_t w)
{
    const wrec *f = j->wfp[w];
    if (j->from_fp && f && f->status == ST_OK)
        return wrec_msg(f);
    return j->win_text.p + j->win[w].id_off;
}

/* single linkage: union-find over stream indices, the smaller the root */
static uint64_t find_root(job *j, uint64_t x)
{
    while (j->parent[x] != x) {
        j->parent[x] = j->parent[j->parent[x]];
        x = j->parent[x];
    }
    return x;
}

static void unite(job *j, uint64_t a, uint64_t b)
{
    a = find_root(j, a);
    b = find_root(j, b);
    if (a != b)
        j->parent[a > b ? a : b] = a < b ? a : b;
}

static void push_cand(job *j, size_t *n, uint64_t id, uint32_t shared, uint32_t ref)
{
    if (*n == j->el_cap) {
        j->el_cap = j->el_cap ? 2 * j->el_cap : 64;
        j->el = xrealloc(j->el, j->el_cap * sizeof *j->el);
    }
    j->el[(*n)++] = (hanfold_candidate){id, shared, ref};
}

/* decide()'s side of hanfold_decide(): record w of the window, with the
 * verdicts its home found against earlier windows' representatives */
typedef struct deciding {
    job *j;
    size_t w;
    const vmsg *vs;
    size_t nv;
    bool prepared; /* the record's LCS masks are in j->vc */
} deciding;

/* The candidates: earlier windows' (id below j->ws, ref the verdict's
 * index) and this window's (id j->ws + its window index), each with the
 * shingles it shares once the chains past the posting cap are left out,
 * as the clusterer counts them. */
static int gather_cands(void *ud, hanfold_candidate **out, size_t *nout)
{
    deciding *d = ud;
    job *j = d->j;
    const wrec *q = j->wfp[d->w];
    const uint64_t *sk = wrec_sketch(q);
    uint32_t capped = 0;
    size_t hslot[HANFOLD_INDEX_B];
    for (unsigned k = 0; k < q->nind; k++) {
        size_t hs = hslot[k] = map64_get(&j->iw_index, sk[k]);
        size_t cs = j->cnt_pre.n ? map64_get(&j->cnt_pre, sk[k]) : SIZE_MAX;
        uint64_t total = (cs == SIZE_MAX ? 0 : j->cnt_pre.e[cs].val) + (hs == SIZE_MAX ? 0 : j->iw_index.e[hs].cnt);
        if (total > posting_cap)
            capped |= 1u << k;
    }
    size_t nel = 0;
    for (size_t i = 0; i < d->nv; i++) {
        uint32_t shared = (uint32_t)__builtin_popcount(d->vs[i].mask & ~capped);
        if (shared >= hanfold_shared_needed(d->vs[i].nind_i, q->nind))
            push_cand(j, &nel, d->vs[i].i, shared, (uint32_t)i);
    }
    /* candidates inside the window */
    if (++j->stamp == 0) {
        memset(j->seen, 0, j->window * sizeof *j->seen);
        j->stamp = 1;
    }
    size_t ncand = 0;
    for (unsigned k = 0; k < q->nind; k++) {
        size_t hs = hslot[k];
        if ((capped & (1u << k)) || hs == SIZE_MAX)
            continue;
        for (uint64_t p = j->iw_index.e[hs].val; p != NONE64; p = j->iw_post[p].next == UINT32_MAX ? NONE64 : j->iw_post[p].next) {
            uint32_t x = j->iw_post[p].w;
            if (j->seen[x] != j->stamp) {
                j->seen[x] = j->stamp;
                j->shared[x] = 0;
                j->cand[ncand++] = x;
            }
            j->shared[x]++;
        }
    }
    for (size_t c = 0; c < ncand; c++) {
        uint32_t x = j->cand[c];
        if (j->shared[x] >= hanfold_shared_needed(hanfold_posted(j->wfp[x]->nind), q->nind))
            push_cand(j, &nel, j->ws + x, j->shared[x], x);
    }
    *out = j->el;
    *nout = nel;
    return 0;
}

static int verify_cand(void *ud, const hanfold_candidate *c, double *sim, int *kind, uint64_t *number)
{
    deciding *d = ud;
    job *j = d->j;
    *number = c->id;
    if (c->id < j->ws) {
        /* verified at the record's home (comparable pairs only) */
        *sim = d->vs[c->ref].sim;
        *kind = d->vs[c->ref].kind;
        return d->vs[c->ref].dup;
    }
    hanfold_fp fx = wrec_fp(j->wfp[c->ref]), fq = wrec_fp(j->wfp[d->w]);
    stage(T_VERIFY);
    int v = hanfold_pair_verify_with(j->vc, &fx, &fq, d->prepared, sim, kind);
    d->prepared = true;
    stage(T_DECIDE);
    return v == -1 ? 2 : v;
}

static void unite_cand(void *ud, uint64_t number)
{
    deciding *d = ud;
    unite(d->j, d->j->ws + d->w, number);
}

/* Decides record w of the window (its fingerprint is OK, its key not
 * empty) with the library's decision, hanfold_clusterer_add's own. */
static void decide(job *j, size_t w, const vmsg *vs, size_t nv)
{
    const wrec *q = j->wfp[w];
    uint64_t s = j->ws + w;
    wslot *ws = &j->win[w];
    size_t sl;
    /* the first record with the same key */
    uint64_t exact = j->exact_pre[w];
    if (exact == NONE64 && (sl = map64_get(&j->iw_exact, q->key_hash)) != SIZE_MAX)
        exact = j->iw_exact.e[sl].val;
    deciding dd = {j, w, vs, nv, false};
    hanfold_decider dr = {&j->cs, exact, gather_cands, verify_cand, unite_cand, &dd};
    hanfold_decision out;
    if (hanfold_decide(&dr, &out))
        die("out of memory");
    ws->match = out.match == UINT64_MAX ? s : out.match;
    ws->sim = out.sim;
    /* as hanfold names it: a match verified by its measure, else by key */
    ws->measure = out.match == UINT64_MAX ? HF_MEASURE_SELF
                  : out.kind < 0          ? HF_MEASURE_EXACT
                                          : hf_measure_of_kind(out.kind);
    if (!out.indexed)
        return;
    const uint64_t *sk = wrec_sketch(q);
    /* a new representative (single linkage: every record) is indexed from now on */
    for (unsigned k = 0; k < hanfold_posted(q->nind); k++) {
        bool fresh;
        size_t hs = map64_put(&j->iw_index, sk[k], &fresh);
        if (hs == SIZE_MAX)
            die("out of memory");
        if (fresh)
            j->iw_index.e[hs].val = NONE64;
        if (j->iw_npost == j->iw_cap) {
            j->iw_cap = j->iw_cap ? 2 * j->iw_cap : 4096;
            j->iw_post = xrealloc(j->iw_post, j->iw_cap * sizeof *j->iw_post);
        }
        j->iw_post[j->iw_npost].w = (uint32_t)w;
        j->iw_post[j->iw_npost].next = j->iw_index.e[hs].val == NONE64 ? UINT32_MAX : (uint32_t)j->iw_index.e[hs].val;
        j->iw_index.e[hs].val = j->iw_npost++;
        j->iw_index.e[hs].cnt++;
    }
    {
        bool fresh;
        sl = map64_put(&j->iw_exact, q->key_hash, &fresh);
        if (sl == SIZE_MAX)
            die("out of memory");
        if (fresh)
            j->iw_exact.e[sl].val = s;
    }
    j->new_reps[j->nnew++] = s;
}

static void write_row(job *j, const char *id, const char *cid, double sim, int measure);
static bool check_output(job *j);

/* Rank 0: decides every record of the window and writes it out. */
static void merge_window(job *j, hf_buf *verdicts_all, const hf_buf *to0)
{
    stage(T_DECIDE);
    j->nnew = 0;
    if (j->cs.linkage == HANFOLD_LINKAGE_SINGLE) {
        j->parent = xrealloc(j->parent, (j->ws + j->nw) * sizeof *j->parent);
        for (size_t w = 0; w < j->nw; w++)
            j->parent[j->ws + w] = j->ws + w;
    }
    for (size_t w = 0; w < j->nw; w++) {
        j->wfp[w] = NULL;
        j->exact_pre[w] = NONE64;
    }
    for (size_t o = 0; o < j->gathered.len;) {
        const wrec *w = (const wrec *)(j->gathered.p + o);
        j->wfp[w->s - j->ws] = w;
        o += wrec_size(w);
    }
    const rmsg *rs = (const rmsg *)to0->p;
    map64_clear(&j->cnt_pre);
    for (size_t i = 0; i < to0->len / sizeof *rs; i++) {
        if (rs[i].type == R_EXACT)
            j->exact_pre[rs[i].a - j->ws] = rs[i].b;
        else if (rs[i].type == R_COUNT) {
            bool fresh;
            size_t sl = map64_put(&j->cnt_pre, rs[i].a, &fresh);
            if (sl == SIZE_MAX)
                die("out of memory");
            j->cnt_pre.e[sl].val = rs[i].c;
        }
    }
    vmsg *vs = (vmsg *)verdicts_all->p;
    size_t nv = verdicts_all->len / sizeof *vs;
    qsort(vs, nv, sizeof *vs, by_verdict);
    map64_clear(&j->iw_index);
    map64_clear(&j->iw_exact);
    j->iw_npost = 0;
    size_t vi = 0;
    size_t end = j->nw;
    for (size_t w = 0; w < j->nw; w++) {
        uint64_t s = j->ws + w;
        size_t v0 = vi;
        while (vi < nv && vs[vi].j == s)
            vi++;
        const wrec *f = j->wfp[w];
        wslot *ws = &j->win[w];
        ws->match = s;
        ws->sim = 1.0;
        ws->measure = HF_MEASURE_SELF;
        if (ws->error || !f)
            continue;
        if (f->status == ST_FATAL) {
            hf_msg("%s:%llu: %.*s", j->win_text.p + ws->file_off, (unsigned long long)ws->line,
                   (int)f->msglen, wrec_msg(f));
            j->status = HF_EXIT_ERROR;
            j->stop = true;
            j->incomplete = true;
            end = w;
            break;
        }
        if (f->status != ST_OK || !f->key_tokens)
            continue;
        decide(j, w, vs + v0, vi - v0);
    }
    /* output, in input order */
    stage(T_OUTPUT);
    for (size_t w = 0; w < end; w++) {
        wslot *ws = &j->win[w];
        const wrec *f = j->wfp[w];
        uint64_t s = j->ws + w;
        bool garbage = f && f->status == ST_GARBAGE;
        bool bad = ws->error || garbage;
        const char *file = j->win_text.p + ws->file_off;
        if (ws->error && !j->co.quiet)
            hf_msg("%s:%llu: %s", file, (unsigned long long)ws->line, ws->errmsg);
        if (garbage)
            hf_msg("%s:%llu: not a fingerprint row: %.*s", file, (unsigned long long)ws->line,
                   (int)f->msglen, wrec_msg(f));
        const char *id = win_id(j, w);
        bool single = j->cs.linkage == HANFOLD_LINKAGE_SINGLE;
        bool is_rep = f && !bad && f->status == ST_OK && f->key_tokens && ws->match == s;
        if (is_rep && !single)
            push_rep_id(j, s, id);
        if (bad) {
            j->bad++;
            j->status = HF_EXIT_ERROR;
        }
        if (j->cmd == CMD_DEDUP) {
            const char *raw = j->win_text.p + ws->raw_off, *term = j->win_text.p + ws->term_off;
            if (bad || ws->match == s) {
                if (!bad)
                    j->kept++;
                hf_out(raw, ws->raw_len);
                hf_out(term, ws->term_len);
                if (ws->oversize)
                    hf_reader_drain(j->rd, hf_out_sink, NULL);
            } else {
                j->dropped_n++;
                if (j->dropped) {
                    char num[32];
                    const char *kid = rep_id(j, ws->match);
                    hf_out_tsv_field(j->dropped, id, strlen(id));
                    fputc('\t', j->dropped);
                    hf_out_tsv_field(j->dropped, kid, strlen(kid));
                    snprintf(num, sizeof num, "\t%.3f\t", ws->sim);
                    fputs(num, j->dropped);
                    fwrite(raw, 1, ws->raw_len, j->dropped);
                    fwrite(term, 1, ws->term_len, j->dropped);
                }
            }
            continue;
        }
        /* cluster: a garbage fingerprint row is no record at all */
        if (garbage)
            continue;
        j->rows++;
        j->bad_rows += ws->error;
        if (single) {
            /* clusters are final after the last record: rows wait */
            push_rep_id(j, s, id);
            j->row_sim = xrealloc(j->row_sim, j->rep_cap * sizeof *j->row_sim);
            j->row_sim[j->nrep_ids - 1] = ws->sim;
            j->row_measure = xrealloc(j->row_measure, j->rep_cap * sizeof *j->row_measure);
            j->row_measure[j->nrep_ids - 1] = (uint8_t)ws->measure;
            continue;
        }
        write_row(j, id, ws->match == s ? id : rep_id(j, ws->match), ws->sim, ws->measure);
    }
    check_output(j);
    hf_progress_update(&j->prog, j->read, hf_reader_bytes(j->rd));
}

/* single linkage, at the end: every row with its component's first record */
static void write_single_rows(job *j)
{
    for (size_t k = 0; k < j->nrep_ids; k++) {
        if (!(k & 0xffff) && !check_output(j))
            return;
        const char *id = j->rep_ids.p + j->rep_off[k];
        write_row(j, id, rep_id(j, find_root(j, j->rep_s[k])), j->row_sim[k], j->row_measure[k]);
    }
}

static void write_row(job *j, const char *id, const char *cid, double sim, int measure)
{
    hf_out_cluster_row(j->format, id, cid, sim, measure);
}

/* Rank 0, after every window: the first failed write stops the job (a full
 * disk is found within a window of the failure, not at the end), with a
 * message, and no more is written.  A closed pipe (| head) stops it
 * quietly.  Returns false when writing has failed. */
static bool check_output(job *j)
{
    if (j->write_failed)
        return false;
    const char *what = NULL;
    int e = 0;
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        e = errno ? errno : EIO;
        what = j->output_path ? j->output_path : "standard output";
    } else if (j->dropped && (fflush(j->dropped) != 0 || ferror(j->dropped))) {
        e = errno ? errno : EIO;
        what = j->dropped_path;
    }
    if (!what)
        return true;
    if (e != EPIPE)
        hf_msg("%s: write error: %s; stopping", what, strerror(e));
    j->write_failed = true;
    j->status = HF_EXIT_ERROR;
    j->stop = true;
    j->incomplete = true;
    return false;
}

/* Every rank: the window's new representatives enter the index. */
static void update_index(job *j, hf_buf *sendb, hf_buf *recvb, size_t **off)
{
    stage(T_SHUFFLE);
    uint64_t nnew = j->nnew;
    COLL(MPI_Ibcast, &nnew, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (rank != 0)
        j->new_reps = xrealloc(j->new_reps, (nnew + 1) * sizeof *j->new_reps);
    if (nnew)
        COLL(MPI_Ibcast, j->new_reps, (int)nnew, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (rank == 0)
        bytes_sent += nnew * 8 * (uint64_t)(nranks - 1);
    stage(T_MERGE);
    clear_all(sendb);
    for (uint64_t i = 0; i < nnew; i++) {
        uint64_t s = j->new_reps[i];
        if (home_of(s) != rank)
            continue;
        const wrec *w = own_rec(j, s);
        bool fresh;
        size_t sl = map64_put(&j->repmap, s, &fresh);
        if (sl == SIZE_MAX)
            die("out of memory");
        j->repmap.e[sl].val = j->reps.len;
        /* what verification needs: tokens or the sketch, no message */
        wrec h = *w;
        h.msglen = 0;
        size_t body = wrec_size(&h) - sizeof h;
        put(&j->reps, &h, sizeof h);
        put(&j->reps, w + 1, body);
        umsg u;
        memset(&u, 0, sizeof u);
        u.rep = s;
        u.nind = (uint8_t)hanfold_posted(w->nind);
        const uint64_t *sk = wrec_sketch(w);
        for (unsigned k = 0; k < u.nind; k++) {
            u.type = U_POST;
            u.h = sk[k];
            put(&sendb[owner_of(u.h)], &u, sizeof u);
        }
        u.type = U_EXACT;
        u.h = w->key_hash;
        put(&sendb[owner_of(u.h)], &u, sizeof u);
    }
    stage(T_SHUFFLE);
    alltoallv(sendb, recvb, off);
    stage(T_MERGE);
    const umsg *us = (const umsg *)recvb->p;
    for (size_t i = 0; i < recvb->len / sizeof *us; i++) {
        bool fresh;
        if (us[i].type == U_EXACT) {
            size_t sl = map64_put(&j->exact, us[i].h, &fresh);
            if (sl == SIZE_MAX)
                die("out of memory");
            if (fresh)
                j->exact.e[sl].val = us[i].rep;
            continue;
        }
        size_t sl = map64_put(&j->postmap, us[i].h, &fresh);
        if (sl == SIZE_MAX)
            die("out of memory");
        if (fresh)
            j->postmap.e[sl].val = NONE64;
        if (j->nposts == j->posts_cap) {
            j->posts_cap = j->posts_cap ? 2 * j->posts_cap : 4096;
            j->posts = xrealloc(j->posts, j->posts_cap * sizeof *j->posts);
        }
        j->posts[j->nposts] = (post){.rep = us[i].rep, .next = j->postmap.e[sl].val, .nind = us[i].nind};
        j->postmap.e[sl].val = j->nposts++;
        j->postmap.e[sl].cnt++;
    }
}

/* ---- options -------------------------------------------------------------------------------- */

enum {
    OPT_FORMAT = OPT_CMD, OPT_LINKAGE, OPT_FINGERPRINTS, OPT_DROPPED, OPT_KEEP, OPT_EXIT_STATUS, OPT_INDEX,
    OPT_METHOD, OPT_HAMMING,
};

/* Parses the options; every rank parses the same argv, only rank 0 speaks.
 * Returns -1 to go on, or an exit status. */
static int parse(job *j, int argc, char **argv)
{
    static const struct option longopts[] = {
        HF_COMMON_LONGOPTS,
        {"format", required_argument, 0, OPT_FORMAT},
        HF_THRESHOLD_LONGOPTS,
        {"linkage", required_argument, 0, OPT_LINKAGE},
        {"fingerprints", no_argument, 0, OPT_FINGERPRINTS},
        {"dropped", required_argument, 0, OPT_DROPPED},
        {"keep", required_argument, 0, OPT_KEEP},
        {"exit-status", no_argument, 0, OPT_EXIT_STATUS},
        {"index", required_argument, 0, OPT_INDEX},
        {"method", required_argument, 0, OPT_METHOD},
        {"hamming", required_argument, 0, OPT_HAMMING},
        {0, 0, 0, 0},
    };
    const char *name = j->cmd == CMD_CLUSTER ? "cluster" : "dedup";
    int c;
    while ((c = getopt_long(argc, argv, "hqro:", longopts, NULL)) != -1) {
        int r = hf_common_option(&j->co, c, optarg);
        if (r < 0)
            return hf_usage_error(name);
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            fputs(help_text, stdout);
            fputs(HF_COMMON_HELP, stdout);
            return HF_EXIT_OK;
        case OPT_VERSION:
            hf_print_version();
            return HF_EXIT_OK;
        case OPT_FORMAT:
            if (j->cmd == CMD_CLUSTER && !strcmp(optarg, "tsv"))
                j->format = FMT_TSV;
            else if (j->cmd == CMD_CLUSTER && !strcmp(optarg, "jsonl"))
                j->format = FMT_JSONL;
            else if (j->cmd == CMD_CLUSTER && !strcmp(optarg, "csv"))
                j->format = FMT_CSV;
            else {
                hf_msg("invalid value '%s' for --format (expected %s)", optarg,
                       j->cmd == CMD_CLUSTER ? "tsv, jsonl or csv" : "no --format for dedup");
                return hf_usage_error(name);
            }
            break;
        case OPT_THRESHOLD:
        case OPT_LONG_THRESHOLD:
        case OPT_JACCARD_THRESHOLD:
        case OPT_MIN_RATIO:
        case OPT_POSTING_CAP:
        case OPT_VERIFY_BUDGET:
        case OPT_SPILL_MEMORY:
            if (hf_threshold_option(&j->cs, c, optarg) < 0)
                return hf_usage_error(name);
            break;
        case OPT_LINKAGE:
            if (!strcmp(optarg, "representative")) {
                j->cs.linkage = HANFOLD_LINKAGE_REPRESENTATIVE;
                break;
            }
            if (strcmp(optarg, "single")) {
                hf_msg("invalid value '%s' for --linkage (expected representative or single)", optarg);
                return hf_usage_error(name);
            }
            if (j->cmd == CMD_DEDUP) {
                hf_msg("dedup compares with kept records only; use 'hanfold cluster' for chains");
                return hf_usage_error(name);
            }
            j->cs.linkage = HANFOLD_LINKAGE_SINGLE;
            break;
        case OPT_FINGERPRINTS:
            j->from_fp = true;
            break;
        case OPT_INDEX:
            hf_msg("--index is not available in hanfold-mpi (the index is one SQLite file); run 'hanfold %s --index'", name);
            return hf_usage_error(name);
        case OPT_METHOD:
        case OPT_HAMMING:
            if (c == OPT_METHOD && !strcmp(optarg, "key"))
                break;
            hf_msg("--method simhash is not available in hanfold-mpi (it needs no cluster: 10M rows take "
                   "seconds in 'hanfold %s --method simhash')", name);
            return hf_usage_error(name);
        case OPT_DROPPED:
        case OPT_KEEP:
        case OPT_EXIT_STATUS:
            if (j->cmd != CMD_DEDUP) {
                hf_msg("option --%s is only for dedup", c == OPT_DROPPED ? "dropped" : c == OPT_KEEP ? "keep" : "exit-status");
                return hf_usage_error(name);
            }
            if (c == OPT_DROPPED)
                j->dropped_path = optarg;
            else if (c == OPT_EXIT_STATUS)
                j->exit_status = true;
            else if (strcmp(optarg, "first")) {
                hf_msg(!strcmp(optarg, "longest") ? "--keep longest is not available in hanfold-mpi; run 'hanfold dedup --keep longest'"
                                                   : "invalid value for --keep (expected first)");
                return hf_usage_error(name);
            }
            break;
        default:
            return hf_usage_error(name);
        }
    }
    j->output_path = j->co.output; /* -o/--output, a common option */
    return -1;
}

/* Whether path names this process's descriptor 1 (/dev/stdout,
 * /proc/self/fd/1, a link to either), when that is no regular file. */
static bool names_stdout(const char *path)
{
    struct stat a, b;
    return stat(path, &a) == 0 && fstat(1, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
           !S_ISREG(a.st_mode);
}

/* ---- main ---------------------------------------------------------------------------------- */

static int local_ranks(void)
{
    MPI_Comm node;
    int n = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &n);
        MPI_Comm_free(&node);
    }
    return n;
}

static void report_stats(job *j)
{
    /* rank 0 (reading, deciding, writing) apart from the others */
    double t[T_N], tmax[T_N];
    memcpy(t, stage_time, sizeof t);
    if (rank == 0)
        memset(t, 0, sizeof t);
    COLL(MPI_Ireduce, t, tmax, T_N, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    uint64_t b = bytes_sent, btot = 0, m = j->records_mapped, mmax = 0;
    COLL(MPI_Ireduce, &b, &btot, 1, MPI_UINT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
    COLL(MPI_Ireduce, &m, &mmax, 1, MPI_UINT64_T, MPI_MAX, 0, MPI_COMM_WORLD);
    uint64_t idx[3] = {j->postmap.n, j->nposts, j->repmap.n}, idxmax[3];
    COLL(MPI_Ireduce, idx, idxmax, 3, MPI_UINT64_T, MPI_MAX, 0, MPI_COMM_WORLD);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t rss = rank ? (uint64_t)ru.ru_maxrss : 0, rssmax = 0;
    COLL(MPI_Ireduce, &rss, &rssmax, 1, MPI_UINT64_T, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank != 0 || !j->co.stats)
        return;
    uint64_t written = j->cmd == CMD_DEDUP ? j->kept : j->rows - j->bad_rows;
    if (j->co.stats_json) {
        json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:b,s:i}", "command", j->cmd == CMD_DEDUP ? "dedup" : "cluster",
                              "read", (json_int_t)j->read, "written", (json_int_t)written, "dropped",
                              (json_int_t)j->dropped_n, "invalid", (json_int_t)j->bad, "invalid_byte_sequences",
                              (json_int_t)j->invalid, "stopped", j->write_failed || j->incomplete, "ranks", nranks);
        json_t *s0 = json_object(), *sm = json_object();
        for (int i = 0; i < T_N; i++) {
            json_object_set_new(s0, stage_names[i], json_real(stage_time[i]));
            json_object_set_new(sm, stage_names[i], json_real(tmax[i]));
        }
        json_object_set_new(o, "rank0_seconds", s0);
        json_object_set_new(o, "slowest_other_rank_seconds", nranks > 1 ? sm : json_null());
        if (nranks <= 1)
            json_decref(sm);
        json_object_set_new(o, "bytes_exchanged", json_integer((json_int_t)btot));
        json_object_set_new(o, "peak_memory_mb", json_real(ru.ru_maxrss / 1024.0));
        json_object_set_new(o, "peak_memory_other_ranks_mb", nranks > 1 ? json_real(rssmax / 1024.0) : json_null());
        if (!hf_stats_json(o))
            j->status = HF_EXIT_ERROR;
        return;
    }
    bool ok = hf_stats_msg("read %llu, written %llu, dropped %llu, invalid %llu; invalid byte sequences %llu%s",
           (unsigned long long)j->read, (unsigned long long)written, (unsigned long long)j->dropped_n,
           (unsigned long long)j->bad, (unsigned long long)j->invalid,
           j->write_failed ? "; stopped early by a write error" : j->incomplete ? "; stopped early" : "");
    /* the lines after the first go through the same check: stats asked
     * for and lost fail the job, as in hanfold */
    char line[512];
    int n = snprintf(line, sizeof line, "%d rank%s; rank 0:", nranks, nranks > 1 ? "s" : "");
    for (int i = 0; i < T_N; i++)
        n += snprintf(line + n, sizeof line - n, " %s %.3f s%s", stage_names[i], stage_time[i], i + 1 < T_N ? "," : "");
    ok &= hf_stats_msg("%s", line);
    if (nranks > 1) {
        n = snprintf(line, sizeof line, "slowest other rank per stage:");
        for (int i = 0; i < T_N; i++)
            n += snprintf(line + n, sizeof line - n, " %s %.3f s%s", stage_names[i], tmax[i], i + 1 < T_N ? "," : "");
        ok &= hf_stats_msg("%s", line);
    }
    ok &= hf_stats_msg("exchanged %llu bytes between ranks (%.1f per record); most records mapped by one rank %llu; "
           "largest index share: %llu hashes, %llu postings, %llu representatives' data",
           (unsigned long long)btot, j->read ? (double)btot / (double)j->read : 0.0, (unsigned long long)mmax,
           (unsigned long long)idxmax[0], (unsigned long long)idxmax[1], (unsigned long long)idxmax[2]);
    if (nranks > 1)
        ok &= hf_stats_msg("peak memory: rank 0 %.1f MB, largest other rank %.1f MB", ru.ru_maxrss / 1024.0,
               rssmax / 1024.0);
    else
        ok &= hf_stats_msg("peak memory: %.1f MB", ru.ru_maxrss / 1024.0);
    if (!ok)
        j->status = HF_EXIT_ERROR;
}

int main(int argc, char **argv)
{
    /* before MPI_Init, which sets some of the same variables in a singleton */
    bool launched = hf_mpi_launched();
    int provided;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    hf_progname = "hanfold-mpi";
    errf = stderr;
    if (rank != 0) {
        /* only rank 0 speaks for the job; a rank's own failures go to the
         * saved stream */
        int fd = dup(2);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (f)
            errf = f;
        int nul = open("/dev/null", O_WRONLY);
        if (nul >= 0) {
            dup2(nul, 1);
            dup2(nul, 2);
            close(nul);
        }
    }
    /* mpirun hands rank 0's stdout to its daemon through a pipe, which
     * would otherwise be line-buffered: one system call per row */
    static char outbuf[1 << 16];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    job j;
    memset(&j, 0, sizeof j);
    if (argc < 2 || (strcmp(argv[1], "cluster") && strcmp(argv[1], "dedup"))) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            fputs(help_text, stdout);
            hf_finish_output();
            MPI_Finalize();
            return HF_EXIT_OK;
        }
        if (argc >= 2 && !strcmp(argv[1], "--version")) {
            hf_print_version();
            hf_finish_output();
            MPI_Finalize();
            return HF_EXIT_OK;
        }
        hf_msg("expected a command, cluster or dedup");
        fputs("Usage: mpirun [-np N] hanfold-mpi cluster|dedup [OPTIONS] [FILE...]\n", stderr);
        MPI_Finalize();
        return HF_EXIT_ERROR;
    }
    j.cmd = strcmp(argv[1], "cluster") ? CMD_DEDUP : CMD_CLUSTER;
    hf_common_init(&j.co);
    hanfold_cluster_settings_default(&j.cs);
    /* dedup drops what duplicates a kept record: representative linkage,
     * the first kept record found */
    if (j.cmd == CMD_DEDUP) {
        j.cs.linkage = HANFOLD_LINKAGE_REPRESENTATIVE;
        j.cs.first_match = true;
    }
    bool threads_given = false;
    for (int i = 2; i < argc; i++)
        threads_given |= !strncmp(argv[i], "--threads", 9);
    int st = parse(&j, argc - 1, argv + 1);
    if (st >= 0) {
        if (st == HF_EXIT_OK && !hf_finish_output())
            st = HF_EXIT_ERROR;
        MPI_Finalize();
        return st;
    }
    /* as the clusterer applies them (the options are checked in range) */
    posting_cap = hanfold_posting_cap(&j.cs);
    if (!threads_given || j.co.threads_auto) {
        /* the processors of a machine are shared by its ranks */
        int local = local_ranks();
        j.co.threads = j.co.threads / (unsigned)local ? j.co.threads / (unsigned)local : 1;
    }
    /* for tests: this rank fails after its first window */
    const char *fenv = getenv("HANFOLD_MPI_FAIL_RANK");
    int fail_rank = fenv && *fenv ? atoi(fenv) : -1;
    const char *wenv = getenv("HANFOLD_MPI_WINDOW");
    j.window = 16384;
    if (wenv && (hf_parse_size(wenv, &j.window) || j.window < 1 || j.window > (1u << 24))) {
        hf_msg("HANFOLD_MPI_WINDOW=%s: expected a number of records from 1 to 16M", wenv);
        MPI_Finalize();
        return HF_EXIT_ERROR;
    }
    /* seconds without progress before rank 0 reports a stall: its value
     * for every rank (mpirun passes the environment to local ranks only) */
    double stall = 60;
    if (rank == 0) {
        const char *senv = getenv("HANFOLD_MPI_STALL");
        char *end;
        if (senv && *senv) {
            errno = 0;
            stall = strtod(senv, &end);
            if (errno || *end || !(stall >= 0 && stall <= 1e6)) {
                hf_msg("HANFOLD_MPI_STALL=%s: expected seconds from 0 (no reports) to 1000000", senv);
                stall = -1;
            }
        }
    }
    MPI_Bcast(&stall, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (stall < 0) {
        MPI_Finalize();
        return HF_EXIT_ERROR;
    }
    hf_stall_init(stall, errf);
    j.co.set.keep_lines = j.co.in.mode == HF_IN_PARAGRAPHS || j.co.in.mode == HF_IN_FILES;
    j.co.in.html_hint = j.co.set.html != HANFOLD_HTML_OFF;
    argc--;
    argv++;
    char *stdin_only[] = {"-"};
    char **files = optind < argc ? argv + optind : stdin_only;
    int nfiles = optind < argc ? argc - optind : 1;
    /* -r: rank 0 reads the files; the others have no use for the list */
    char **given = files;
    if (rank == 0 && j.co.recursive && hf_walk(given, nfiles, &files, &nfiles, &j.co.walk_errors))
        die("out of memory");
    if (j.co.walk_errors)
        j.status = HF_EXIT_ERROR;

    /* every rank needs a context (fingerprint rows) and, for text, workers */
    char err[512];
    int e = hf_batch_new(&j.batch, j.from_fp ? 1 : j.co.threads, &j.co.set, j.from_fp ? 0 : HF_BATCH_FP, err, sizeof err);
    int ok = e == 0;
    if (e)
        fprintf(errf, "hanfold-mpi: rank %d: %s\n", rank, e == -ENOMEM ? "out of memory" : err);
    else
        j.ctx = hf_batch_ctx(j.batch);
    if (ok && rank == 0) {
        /* the outputs: files by path (cli/outfile.h: put in place at a
         * successful end), and standard output where it is really written
         * (--output /dev/stdout is standard output, checked alike) */
        bool drop_same = j.dropped_path && names_stdout(j.dropped_path);
        if (j.output_path && names_stdout(j.output_path))
            j.output_path = NULL;
        if (j.output_path && hf_outfile_open(&j.output_pd, j.output_path) != 0)
            ok = 0;
        if (ok && j.dropped_path && !drop_same && hf_outfile_open(&j.dropped_pd, j.dropped_path) != 0)
            ok = 0;
        if (ok && launched && (!j.output_path || drop_same) && hf_mpi_take_stdout() != 0)
            ok = 0;
        if (ok && drop_same) {
            int fd = dup(1);
            if (fd < 0 || !(j.dropped = fdopen(fd, "w"))) {
                hf_msg("%s: %s", j.dropped_path, strerror(errno));
                if (fd >= 0)
                    close(fd);
                ok = 0;
            }
            j.own_dropped = true;
        } else if (ok && j.dropped_path) {
            j.dropped = j.dropped_pd.f;
        }
        /* rows go to standard output: there, the new file */
        if (ok && j.output_path && dup2(fileno(j.output_pd.f), 1) < 0) {
            hf_msg("%s: %s", j.output_path, strerror(errno));
            ok = 0;
        }
        /* a closed pipe is a write error: the job stops (check_output) */
        signal(SIGPIPE, SIG_IGN);
        remember_tmp(0, j.output_pd.tmp);
        remember_tmp(1, j.dropped_pd.tmp);
        signal(SIGTERM, on_term);
        signal(SIGINT, on_term);
        hf_reader_opts in = j.co.in;
        if (j.from_fp) {
            in.mode = HF_IN_LINES;
            in.encoding = NULL;
        }
        if (ok && hf_reader_new(&j.rd, &in, j.ctx, files, nfiles)) {
            hf_msg("out of memory");
            ok = 0;
        }
        hf_progress_init(&j.prog, j.co.quiet ? 0 : j.co.progress, files, nfiles);
    }
    int all_ok;
    COLL(MPI_Iallreduce, &ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all_ok) {
        if (rank == 0) {
            hf_outfile_close(&j.output_pd, false);
            hf_outfile_close(&j.dropped_pd, false);
            if (j.own_dropped && j.dropped)
                fclose(j.dropped);
        }
        hf_reader_free(&j.rd);
        hf_batch_free(&j.batch);
        hf_stall_finish();
        MPI_Finalize();
        return HF_EXIT_ERROR;
    }

    if (hanfold_clusterer_new(&j.vc, &j.cs))
        die("out of memory");
    j.own_off = xmalloc(j.window * sizeof *j.own_off);
    j.new_reps = xmalloc((j.window + 1) * sizeof *j.new_reps);
    if (rank == 0) {
        j.win = xmalloc(j.window * sizeof *j.win);
        j.wfp = xmalloc(j.window * sizeof *j.wfp);
        j.exact_pre = xmalloc(j.window * sizeof *j.exact_pre);
        j.seen = calloc(j.window, sizeof *j.seen);
        j.shared = xmalloc(j.window * sizeof *j.shared);
        j.cand = xmalloc(j.window * sizeof *j.cand);
        if (!j.seen)
            die("out of memory");
    }
    hf_buf *sendb = calloc(nranks, sizeof *sendb);
    if (!sendb)
        die("out of memory");
    hf_buf recvb = {0}, texts = {0}, verdicts = {0}, vall = {0}, to0 = {0};
    size_t *off = NULL;
    while (!j.stop) {
        stage(T_READ);
        clear_all(sendb);
        if (rank == 0)
            read_window(&j, sendb);
        hf_stall_where(j.ws, j.nw);
        uint64_t hdr[2] = {j.nw, j.stop};
        stage(T_SHUFFLE);
        COLL(MPI_Ibcast, hdr, 2, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        j.nw = hdr[0];
        j.stop = hdr[1];
        if (!j.nw)
            break;
        scatter0(sendb, &texts);
        stage(T_MAP);
        map_window(&j, &texts);
        find_candidates(&j, sendb, &recvb, &off, &verdicts, &to0);
        stage(T_SHUFFLE);
        gather0(&j.own, &j.gathered);
        gather0(&verdicts, &vall);
        /* the owners' replies for rank 0 travelled in the second exchange */
        if (rank == 0)
            merge_window(&j, &vall, &to0);
        uint64_t stop = j.stop;
        stage(T_SHUFFLE);
        COLL(MPI_Ibcast, &stop, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        j.stop = stop;
        update_index(&j, sendb, &recvb, &off);
        j.ws += j.nw;
        if (fail_rank == rank)
            die("failing on purpose after the first window (HANFOLD_MPI_FAIL_RANK)");
    }
    hf_stall_where(j.ws, 0);
    stage(T_OUTPUT);
    if (rank == 0) {
        if (j.cs.linkage == HANFOLD_LINKAGE_SINGLE && !j.incomplete)
            write_single_rows(&j);
        check_output(&j);
        hf_progress_done(&j.prog);
        if (hf_reader_errors(j.rd))
            j.status = HF_EXIT_ERROR;
    }
    stage(-1);
    report_stats(&j);
    if (rank == 0) {
        /* a write error found on the way was said once */
        bool out_ok = j.write_failed ? (fclose(stdout), false) : hf_finish_output();
        bool drop_ok = !j.write_failed;
        if (j.dropped && drop_ok && (fflush(j.dropped) != 0 || ferror(j.dropped))) {
            hf_msg("%s: write error: %s", j.dropped_path, strerror(errno ? errno : EIO));
            drop_ok = false;
        }
        if (j.own_dropped && fclose(j.dropped) != 0 && drop_ok) {
            hf_msg("%s: write error: %s", j.dropped_path, strerror(errno));
            drop_ok = false;
        }
        j.dropped = NULL;
        if (!out_ok || !drop_ok)
            j.status = HF_EXIT_ERROR;
        /* output of a job that did not succeed (a write or read error, bad
         * records, a run that stopped early) is not put in place */
        bool whole = out_ok && drop_ok && !j.incomplete && j.status != HF_EXIT_ERROR;
        const char *paths[2] = {j.output_path, j.dropped_path};
        hf_outfile *pds[2] = {&j.output_pd, &j.dropped_pd};
        for (int i = 0; i < 2; i++) {
            bool replaced = pds[i]->f && !pds[i]->direct;
            if (!hf_outfile_close(pds[i], whole)) {
                /* the rows without their --dropped file, or the reverse,
                 * are not the job's output either */
                j.status = HF_EXIT_ERROR;
                whole = false;
            } else if (replaced && !whole) {
                hf_msg("%s: not written, the job did not succeed", paths[i]);
            }
        }
        if (j.status == HF_EXIT_OK && j.exit_status && j.dropped_n)
            j.status = HF_EXIT_DUPS;
    }
    for (int r = 0; r < nranks; r++)
        hf_buf_free(&sendb[r]);
    free(sendb);
    free(off);
    hf_buf_free(&recvb);
    hf_buf_free(&texts);
    hf_buf_free(&verdicts);
    hf_buf_free(&vall);
    hf_buf_free(&to0);
    job_free(&j);
    hf_walk_free(given, files, nfiles);
    hf_stall_finish();
    MPI_Finalize();
    return j.status;
}
