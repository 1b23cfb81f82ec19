/* hanfold fingerprint | cluster | dedup | report: the near-duplicate side.
 *
 * All four read records (or, for cluster/dedup/report, fingerprint rows
 * made by `hanfold fingerprint`), fingerprint them and feed a clusterer in
 * input order; they differ only in what they write. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "annotate.h"
#include "batch.h"
#include "buf.h"
#include "calibrate.h"
#include "cli.h"
#include "fprows.h"
#include "idlist.h"
#include "outfmt.h"
#include "outfile.h"
#include "index.h"
#include "options.h"
#include "progress.h"
#include "report.h"
#include "walk.h"

enum cmd { CMD_FINGERPRINT, CMD_CLUSTER, CMD_DEDUP, CMD_REPORT };
static const char *const cmd_names[] = {"fingerprint", "cluster", "dedup", "report"};

enum { FMT_TSV, FMT_JSONL, FMT_CSV, FMT_TEXT, FMT_JSON, FMT_HTML };
enum { KEEP_FIRST, KEEP_LONGEST, KEEP_MAX, KEEP_MIN };

static const char help_fingerprint[] =
"Usage: hanfold fingerprint [OPTIONS] [FILE...]\n"
"Write one row per record: id, 64-bit SimHash (16 hex digits), key length in\n"
"tokens, key hash, and what verification needs (the key of a short record,\n"
"the bottom-k sketch of a long one).  cluster and dedup take these rows back\n"
"with --fingerprints, so shards fingerprinted anywhere can be merged.\n"
"\n"
"      --format FMT      tsv (default) or jsonl\n"
"\n";

static const char help_cluster[] =
"Usage: hanfold cluster [OPTIONS] [FILE...]\n"
"Write one row per record, in input order: id, cluster id (the id of the\n"
"cluster's first record), similarity to the record it matched (jsonl: and\n"
"its measure: self, exact, containment, jaccard or simhash; see the man\n"
"page, SIMILARITY).  A cluster is\n"
"a connected set of near-duplicates: two records that are near-duplicates of\n"
"each other are always in one cluster.  Rows are written at the end (with\n"
"--linkage representative, or --index: as records are read).  Keys are kept\n"
"in a temporary file in $TMPDIR (default /tmp) as the run grows.\n"
"\n"
"      --format FMT      tsv (default), jsonl or csv\n"
"      --index PATH      a persistent index (SQLite, created if missing): records\n"
"                        that duplicate earlier runs get their stored cluster ids\n"
"      --annotate LIST   (--input jsonl) write each record as read with the result\n"
"                        added as fields before its closing brace: LIST is\n"
"                        NAME[=KEY],... of cluster, duplicate_of (null when\n"
"                        none), similarity, measure, fingerprint (its row as\n"
"                        'hanfold fingerprint' writes it), or all.  A key the\n"
"                        record has already gets its value replaced (warning)\n""\n";

static const char help_dedup[] =
"Usage: hanfold dedup [OPTIONS] [FILE...]\n"
"Write the records that are not near-duplicates of an earlier kept record,\n"
"byte for byte as read.  Every record is accounted for: kept + dropped = read.\n"
"\n"
"      --dropped FILE    write each dropped record as: id TAB kept id TAB\n"
"                        similarity TAB record\n"
"      --keep WHICH      which record of a cluster is kept: first (default);\n"
"                        longest (the longest text, in characters; in JSONL the\n"
"                        text field); max:FIELD or min:FIELD (JSONL: highest or\n"
"                        lowest value, numbers or ISO 8601 dates, e.g.\n"
"                        max:timestamp).  Ties: the first read.  All but first\n"
"                        read the input twice (stdin is spooled)\n"
"  -c, --count           prefix each kept record with the number of records of\n"
"                        its cluster, itself included, and a tab (as uniq -c)\n"
"  -d, --repeated        write only records that have near-duplicates, one per\n"
"                        cluster (as uniq -d)\n"
"      --exit-status     exit with status 1 when something was dropped\n"
"      --annotate LIST   (--input jsonl) write each kept record as read with\n"
"                        the result added as fields before its closing brace:\n"
"                        LIST is\n"
"                        NAME[=KEY],... of cluster, duplicate_of (null when\n"
"                        none), similarity, measure, fingerprint (its row as\n"
"                        'hanfold fingerprint' writes it), or all;\n"
"                        --dropped gets dropped ones so too.  A key the\n"
"                        record has already gets its value replaced (warning)\n"
"      --index PATH      a persistent index (SQLite, created if missing): drop what\n"
"                        duplicates any earlier run too, then add this run's records\n"
"\n";

static const char help_report[] =
"Usage: hanfold report [OPTIONS] [FILE...]\n"
"Describe the clusters for people: a summary (records, clusters, duplicate\n"
"records and bytes), then every cluster of two or more records, largest\n"
"first, with its representative, members, similarity (and its measure:\n"
"self, exact, containment, jaccard, simhash) and source.\n"
"\n"
"      --format FMT      text (default), json, csv or html (one self-contained page)\n"
"      --pairs LABELS    instead: precision, recall and F1 per threshold on labelled\n"
"                        pairs (lines: id TAB id TAB same|different), with the\n"
"                        threshold to recommend\n"
"\n";

static const char help_cluster_opts[] =
"Near-duplicates:\n"
"      --threshold T     keys under 100 tokens: share of the shorter key's tokens\n"
"                        that appear, in order, in the other (LCS), five tokens\n"
"                        not counted: (LCS - 5) / (shorter - 5); default 0.80\n"
"      --long-threshold T  the same when the shorter key has 100 tokens or more;\n"
"                        default 0.70\n"
"      --jaccard-threshold T  keys over 1000 tokens: estimated 3-gram Jaccard\n"
"                        similarity; default 0.30\n"
"      --min-ratio R     never match keys whose length ratio is below R; default 0.6\n"
"      --linkage L       (cluster, report) single (default: every near-duplicate\n"
"                        pair joins its clusters) or representative (a record\n"
"                        joins the most similar earlier cluster representative:\n"
"                        rows at once, memory for representatives only, but a\n"
"                        story whose reposts differ from its first post splits)\n"
"      --fingerprints    the inputs are rows written by 'hanfold fingerprint'\n"
"      --method M        (cluster, dedup) key (default: the checks above) or\n"
"                        simhash: near-duplicates are records whose 64-bit SimHashes\n"
"                        differ in at most K bits; similarity 1 - distance/64.\n"
"                        Compact and fast, but it misses most reposts of short texts\n"
"      --hamming K       --method simhash: the distance K, 0 to 7; default 3\n"
"Expert (for tests; the first two change results):\n"
"      --posting-cap N   a shingle shared by more than N indexed records is not\n"
"                        followed (1 to 2000; default 2000)\n"
"      --verify-budget N at most N candidates of a record are compared (default 32)\n"
"      --spill-memory SIZE  verification data kept in memory before the temporary\n"
"                        file takes it (default 1M)\n"
"\n";

enum {
    OPT_FORMAT = OPT_CMD, OPT_LINKAGE,
    OPT_FINGERPRINTS, OPT_DROPPED, OPT_KEEP, OPT_EXIT_STATUS, OPT_INDEX, OPT_IMPORT_ONLY,
    OPT_PAIRS, OPT_METHOD, OPT_HAMMING, OPT_ANNOTATE,
};

/* What a run that writes at the end (single linkage, report, --keep
 * longest) keeps of each record, in one word: the offset of its id in the
 * id arena (high 48 bits), whether it was a data error (passed through,
 * never clustered; bit 15), the measure of its similarity (hf_measure,
 * bits 12-14) and its similarity in thousandths as it is printed (low 10
 * bits).  Eight bytes a record, so that clustering ten million records
 * holds little beyond their ids and the index. */
typedef uint64_t row;
#define ROW_ERROR 0x8000u
#define ROW_MEASURE_SHIFT 12
#define ROW_MEASURE (7u << ROW_MEASURE_SHIFT)
#define ROW_SIM 0x3FFu
static inline uint64_t row_id_off(row r) { return r >> 16; }
static inline bool row_error(row r) { return r & ROW_ERROR; }
static inline double row_sim(row r) { return (double)(r & ROW_SIM) / 1000.0; }
static inline int row_measure(row r) { return (int)((r & ROW_MEASURE) >> ROW_MEASURE_SHIFT); }

/* What report and dedup --keep (but first) also need of each record. */
typedef struct rowx {
    uint64_t bytes;    /* record length as read */
    double measure;    /* --keep: longest, characters of the text; max/min,
                        * the field's value */
    int mstate;        /* HF_KEEPV_* of the value */
    size_t snip_off;   /* report: normalized text (snippet; whole for html) */
    size_t snip_len;
    uint32_t file;     /* report: index of the input name */
} rowx;

typedef struct job {
    enum cmd cmd;
    hf_common co;
    hanfold_cluster_settings cs;
    int format;
    bool from_fp, exit_status;
    /* dedup: which record of a cluster is written (--keep), and whether
     * that takes a second pass over the input (all but --keep first) */
    int keep;
    const char *keep_field;
    bool count, repeated;  /* -c: each kept record's cluster size; -d: only
                            * clusters of two or more (uniq -c, -d) */
    bool two_pass;
    /* --keep max:FIELD / min:FIELD: records without a usable value, and
     * the first of them */
    uint64_t keep_unusable;
    const char *keep_bad_file;
    uint64_t keep_bad_line;
    int keep_bad_state;
    const char *dropped_path;
    hf_outfile dropped_out; /* in place at the end of a run that finished */
    hf_outfile out;         /* -o: in place at the end of a run that succeeded */
    FILE *dropped;          /* dropped_out.f */
    hanfold_ctx *ctx;      /* the main thread's context (decoding, fingerprint rows) */
    hf_report_data rep;    /* report: the pair histogram is filled while clustering */
    hf_batch *batch;
    hanfold_clusterer *cl;
    hf_buf ids, snips;
    hf_buf fprow;          /* fingerprint: a row too long for the stack */
    row *rows;
    rowx *rowsx;           /* report, --keep: beside rows */
    size_t nrows, rows_cap;
    /* --index: the stored representatives come first in the clusterer
     * (numbers 0..nstored-1); their ids and cluster ids */
    const char *index_path;
    hf_index *index;
    uint64_t nstored;
    hf_buf stored;
    size_t *stored_id, *stored_cl;
    size_t stored_cap;
    bool import_only;      /* hanfold index import: no output */
    const char *pairs_path; /* report --pairs: calibration on labelled pairs */
    hf_calib *calib;
    /* --method simhash: records are compared by SimHash alone, and the
     * decision on each is final when it is read, so rows are written at once
     * and nothing is kept per record: only the representatives' ids (in ids)
     * and their SimHashes (in simix, with the offset of the id as value) */
    bool sim;
    unsigned hamming;
    hanfold_simindex *simix;
    /* streaming (dedup, cluster with representative linkage): nothing is
     * kept per record but the representatives' ids, by record number */
    hf_idlist reps;
    uint64_t read, kept, dropped_n, invalid, bad;
    int status;
    /* where the run stopped before the end of its input (--stats), and
     * whether the reason was said */
    bool stopped, said;
    const char *stop_file;
    uint64_t stop_line;
    int load_err;          /* the clusterer's error while loading --index */
    /* the duplicate pairs of the record being added (on_pair), to tell the
     * measure of the one it matched: the most similar, the earliest among
     * equals, as the clusterer chooses (with first_match, the only one) */
    uint64_t pm_a;
    double pm_sim;
    int pm_kind;
    /* --annotate: the records themselves, with the result as fields.
     * Where rows are final only at the end (cluster with single linkage,
     * dedup's second pass) the input is read again (reread), with each
     * record's match (amatch, by record) and fingerprint row (fptmp, a
     * line per record, empty for a data error) kept from the first pass */
    bool annotate, reread;
    hf_annotate ann;
    hf_buf annbuf, amatch;
    FILE *fptmp;
} job;

void hf_report_record_warning(const hf_common *co, const hf_item *it);

/* The id of record number r (clusterer numbering: stored representatives
 * first, then this run's records). */
static const char *id_of(const job *j, uint64_t r)
{
    if (r < j->nstored)
        return j->stored.p + j->stored_id[r];
    if (j->cs.streaming) {
        /* r is a representative */
        const char *id = hf_idlist_get(&j->reps, r);
        return id ? id : "?";
    }
    return j->ids.p + row_id_off(j->rows[r - j->nstored]);
}

/* The cluster id of the cluster whose first record is number c. */
static const char *cluster_label(const job *j, uint64_t c)
{
    return c < j->nstored ? j->stored.p + j->stored_cl[c] : id_of(j, c);
}

/* ---- per-record work ---------------------------------------------------------------- */

/* --dropped: id TAB kept id TAB similarity TAB the record as read */
static void write_dropped(job *j, const hf_record *rec, const char *id, const char *kept_id, double sim)
{
    if (!j->dropped)
        return;
    char num[64];
    hf_out_tsv_field(j->dropped, id, strlen(id));
    fputc('\t', j->dropped);
    hf_out_tsv_field(j->dropped, kept_id, strlen(kept_id));
    num[0] = '\t';
    char *d = hf_fmt_fixed3(num + 1, sizeof num - 2, sim);
    *d++ = '\t';
    fwrite(num, 1, (size_t)(d - num), j->dropped);
    fwrite(rec->raw, 1, rec->raw_len, j->dropped);
    fwrite(rec->term, 1, rec->term_len, j->dropped);
}

static int push_row(job *j, const char *id, const hf_record *rec, const char *snip, size_t sniplen, bool bad)
{
    bool extra = j->cmd == CMD_REPORT || j->two_pass;
    if (j->nrows == j->rows_cap) {
        size_t nc = j->rows_cap ? j->rows_cap + j->rows_cap / 2 : 1024;
        row *r = realloc(j->rows, nc * sizeof *r);
        if (!r)
            return -ENOMEM;
        j->rows = r;
        if (extra) {
            rowx *x = realloc(j->rowsx, nc * sizeof *x);
            if (!x)
                return -ENOMEM;
            j->rowsx = x;
        }
        j->rows_cap = nc;
    }
    if ((uint64_t)j->ids.len >> 48)
        return -EFBIG;
    /* similarity 1.000 until the record is clustered */
    j->rows[j->nrows] = (uint64_t)j->ids.len << 16 | (bad ? ROW_ERROR : 0) | 1000u;
    if (hf_buf_append(&j->ids, id, strlen(id) + 1))
        return -ENOMEM;
    if (extra) {
        rowx *x = &j->rowsx[j->nrows];
        memset(x, 0, sizeof *x);
        x->bytes = rec->raw_len;
        x->file = rec->input;
        if (j->keep == KEEP_LONGEST) {
            /* the text (in JSONL its field, not the whole line), in
             * characters */
            uint64_t chars = 0;
            for (size_t i = 0; i < rec->text_len; i++)
                chars += ((unsigned char)rec->text[i] & 0xC0) != 0x80;
            x->measure = (double)chars;
            x->mstate = HF_KEEPV_OK;
        } else if (j->keep == KEEP_MAX || j->keep == KEEP_MIN) {
            x->measure = rec->keep_value;
            x->mstate = bad ? HF_KEEPV_OK : rec->keep_state;
            if (x->mstate != HF_KEEPV_OK && !j->keep_unusable++) {
                j->keep_bad_file = rec->file;
                j->keep_bad_line = rec->line;
                j->keep_bad_state = x->mstate;
            }
        }
        if (j->cmd == CMD_REPORT) {
            x->snip_off = j->snips.len;
            x->snip_len = sniplen;
            if (hf_buf_append(&j->snips, snip, sniplen) || hf_buf_putc(&j->snips, '\0'))
                return -ENOMEM;
        }
    }
    j->nrows++;
    return 0;
}

/* A record's fingerprint row for the library's codec: its key when the
 * fingerprint keeps one, else its sketch. */
static hanfold_fprow fp_row(const char *id, const hanfold_fp *fp, const char *key, size_t keylen)
{
    hanfold_fprow row = {.id = id, .id_len = strlen(id), .simhash = fp->simhash, .key_hash = fp->key_hash,
                         .key_tokens = fp->key_tokens};
    if (fp->tokens) {
        row.key = key;
        row.key_len = keylen;
    } else {
        row.sketch = fp->sketch;
        row.nsketch = fp->nsketch;
    }
    return row;
}

static int write_fp_row(job *j, const char *id, const hanfold_fp *fp, const char *key, size_t keylen)
{
    char num[128];
    if (j->format == FMT_JSONL) {
        hf_out_str("{\"id\":");
        hf_out_json_str(id, strlen(id));
        snprintf(num, sizeof num, ",\"simhash\":\"%016" PRIx64 "\",\"key_tokens\":%" PRIu32
                 ",\"key_hash\":\"%016" PRIx64 "\"", fp->simhash, fp->key_tokens, fp->key_hash);
        hf_out_str(num);
        if (fp->tokens) {
            hf_out_str(",\"key\":");
            hf_out_json_str(key, keylen);
        } else {
            hf_out_str(",\"sketch\":\"");
            for (size_t i = 0; i < fp->nsketch; i++) {
                snprintf(num, sizeof num, "%s%016" PRIx64, i ? "," : "", fp->sketch[i]);
                hf_out_str(num);
            }
            hf_out_str("\"");
        }
        hf_out_str("}\n");
        return 0;
    }
    /* the library's row codec; a kept key can be long, so a row that does
     * not fit the stack buffer is written again into one that grows */
    hanfold_fprow row = fp_row(id, fp, key, keylen);
    char buf[4096];
    size_t n = hanfold_fp_encode_row(buf, sizeof buf, &row);
    if (n <= sizeof buf) {
        hf_out(buf, n);
        return 0;
    }
    hf_buf_clear(&j->fprow);
    if (hf_buf_reserve(&j->fprow, n))
        return -ENOMEM;
    hanfold_fp_encode_row(j->fprow.p, n, &row);
    hf_out(j->fprow.p, n);
    return 0;
}

/* The fingerprint row of a record (the library's codec, as `hanfold
 * fingerprint` writes it) without its LF, in j->fprow. */
static int fp_row_text(job *j, const char *id, const hanfold_fp *fp, const char *key, size_t keylen)
{
    hanfold_fprow row = fp_row(id, fp, key, keylen);
    size_t n = hanfold_fp_encode_row(NULL, 0, &row);
    hf_buf_clear(&j->fprow);
    if (hf_buf_reserve(&j->fprow, n))
        return -ENOMEM;
    hanfold_fp_encode_row(j->fprow.p, n, &row);
    j->fprow.len = n ? n - 1 : 0;
    return 0;
}

/* --annotate: rec with the fields, to f (NULL: standard output).  The
 * fingerprint row is j->fprow's when asked for. */
static int write_annotated(job *j, FILE *f, const hf_record *rec, const char *cluster, const char *dup_of,
                           double sim, int measure)
{
    hf_ann_values v = {cluster, dup_of, sim, measure, j->fprow.p ? j->fprow.p : "", j->fprow.len};
    if (!j->ann.want[HF_ANN_FINGERPRINT])
        v.fprow = NULL;
    int e = hf_annotate_record(&j->ann, rec->raw, rec->raw_len, &v, rec->file, rec->line, &j->annbuf);
    if (e == -ENOMEM)
        return e;
    /* -EINVAL (no closing brace; a record that parsed always has one): as read */
    if (f) {
        fwrite(j->annbuf.p, 1, j->annbuf.len, f);
        fwrite(rec->term, 1, rec->term_len, f);
    } else {
        hf_out(j->annbuf.p, j->annbuf.len);
        hf_out(rec->term, rec->term_len);
    }
    return 0;
}

/* A data error under --annotate: passed through as read, all of it. */
static void write_unchanged(const hf_record *rec, hf_reader *rd)
{
    hf_out(rec->raw, rec->raw_len);
    hf_out(rec->term, rec->term_len);
    if (rec->oversize && rd)
        hf_reader_drain(rd, hf_out_sink, NULL);
}

static void write_cluster_fields(const job *j, const char *id, const char *cid, double sim, int measure)
{
    hf_out_cluster_row(j->format == FMT_JSONL ? HF_ROW_JSONL : j->format == FMT_CSV ? HF_ROW_CSV : HF_ROW_TSV,
                       id, cid, sim, measure);
}

static void write_cluster_row(job *j, uint64_t r, uint64_t cluster)
{
    row x = j->rows[r - j->nstored];
    write_cluster_fields(j, id_of(j, r), cluster_label(j, cluster), row_sim(x), row_measure(x));
}

/* --method simhash: the record joins the representative nearest to it
 * within --hamming bits (the earliest among equals), or becomes one.  An
 * empty key never merges; identical keys have identical SimHashes, at
 * distance 0, so they always merge.  cluster writes its row now, dedup the
 * record or its --dropped line. */
static int consume_sim(job *j, const hf_record *rec, hf_reader *rd, const char *id, const hanfold_fp *fp,
                       const char *key, size_t keylen, bool bad)
{
    uint64_t off = 0;
    unsigned d = 0;
    bool rep = fp->key_tokens == 0 || !hanfold_simindex_query(j->simix, fp->simhash, &off, &d);
    double sim = 1.0 - d / 64.0;
    if (rep && fp->key_tokens) {
        off = j->ids.len;
        if (hf_buf_append(&j->ids, id, strlen(id) + 1) ||
            hanfold_simindex_add(j->simix, fp->simhash, off))
            return -ENOMEM;
    }
    int measure = rep ? HF_MEASURE_SELF : HF_MEASURE_SIMHASH;
    const char *match_id = rep ? id : j->ids.p + off;
    int e = 0;
    if (j->annotate && !bad && j->ann.want[HF_ANN_FINGERPRINT] && (e = fp_row_text(j, id, fp, key, keylen)))
        return e;
    if (j->cmd == CMD_CLUSTER) {
        if (j->annotate && bad)
            write_unchanged(rec, rd);
        else if (j->annotate)
            e = write_annotated(j, NULL, rec, match_id, rep ? NULL : match_id, sim, measure);
        else
            write_cluster_fields(j, id, match_id, sim, measure);
        j->kept += !bad; /* rows written for valid records (--stats) */
    } else if (rep) {
        j->kept++;
        if (j->annotate)
            e = write_annotated(j, NULL, rec, id, NULL, 1.0, HF_MEASURE_SELF);
        else {
            hf_out(rec->raw, rec->raw_len);
            hf_out(rec->term, rec->term_len);
        }
    } else {
        j->dropped_n++;
        if (j->annotate && j->dropped)
            e = write_annotated(j, j->dropped, rec, match_id, match_id, sim, measure);
        else
            write_dropped(j, rec, id, match_id, sim);
    }
    return e;
}

/* Says why the clusterer (or what keeps rows) failed with e, a negative
 * errno other than -ENOMEM, at `where` (FILE:LINE, or the index being
 * loaded), with what to do where there is something to do. */
static void say_cluster_error(const job *j, const char *where, int e)
{
    const char *dir = j->cs.spill_dir;
    switch (-e) {
    case EOVERFLOW:
        hf_msg("%s: more records than one run can cluster (2^32 - 2); stopping here", where);
        break;
    case ENOSPC:
    case EDQUOT:
        /* the clusterer's store: what verification needs of the indexed
         * records, beyond the first megabyte (hanfold_cluster_settings) */
        hf_msg("%s: no space left for the temporary file in %s (%s); stopping here "
               "(set TMPDIR to a directory on a disk with space)", where, dir ? dir : "?", strerror(-e));
        break;
    case EFBIG:
        hf_msg("%s: %s; stopping here (set TMPDIR to a directory on another file system, or split the "
               "input)", where,
               dir ? "the temporary file of the keys being compared cannot grow further" : "too much to keep");
        break;
    default:
        if (dir)
            hf_msg("%s: cannot use the temporary file in %s: %s; stopping here "
                   "(set TMPDIR to another directory)", where, dir, strerror(-e));
        else
            hf_msg("%s: %s; stopping here", where, strerror(-e));
        break;
    }
}

/* The run stops at rec with error e (a negative errno): says why (out of
 * memory is said once by run_pass) and returns e.  The record is not
 * counted as read: read = written + dropped + invalid holds for the
 * records before it. */
static int stop_at(job *j, const hf_record *rec, int e)
{
    j->stopped = true;
    j->stop_file = rec->file;
    j->stop_line = rec->line;
    j->read--;
    if (e == -ENOMEM || j->said)
        return e;
    char where[4200];
    snprintf(where, sizeof where, "%s:%llu", rec->file, (unsigned long long)rec->line);
    say_cluster_error(j, where, e);
    j->said = true;
    return e;
}

/* One record, in input order.  Returns 0, or a negative errno that ends the
 * run (reported, see stop_at); *stop ends it quietly (--strict). */
static int consume(job *j, hf_item *it, hf_reader *rd, bool *stop)
{
    const hf_record *rec = &it->rec;
    int e = 0;
    j->read++;
    if (rec->invalid) {
        j->invalid += rec->invalid;
        if (j->co.strict) {
            hf_report_strict_stop(rec);
            j->status = HF_EXIT_ERROR;
            j->read--;
            j->stopped = true;
            j->stop_file = rec->file;
            j->stop_line = rec->line;
            *stop = true;
            return 0;
        }
    }
    hanfold_fp fp = it->fp;
    const char *snip = it->snip.p ? it->snip.p : "", *key = it->key.p ? it->key.p : "";
    size_t sniplen = it->snip.len, keylen = it->key.len;
    if (j->format == FMT_HTML && j->cmd == CMD_REPORT) {
        snip = it->out.p ? it->out.p : "";
        sniplen = it->out.len;
    }
    bool streaming = j->cs.streaming, dedup_stream = streaming && j->cmd == CMD_DEDUP;
    bool bad = rec->error != NULL;
    const char *id = rec->id;
    if (bad && !j->co.quiet)
        hf_report_record_error(rec);
    if (!bad && it->err) {
        hf_msg("%s:%llu: %s", rec->file, (unsigned long long)rec->line, it->errmsg);
        j->said = true;
        return stop_at(j, rec, it->err);
    }
    if (!bad)
        hf_report_record_warning(&j->co, it);
    if (!bad && j->from_fp) {
        /* parsed and fingerprinted by the batch (HF_BATCH_FPROW) */
        if (it->fprow_err) {
            hf_msg("%s:%llu: not a fingerprint row: %s", rec->file, (unsigned long long)rec->line,
                   it->fprow_err);
            bad = true;
        } else {
            id = it->fpid.p ? it->fpid.p : "";
        }
    }
    if (bad) {
        /* Counted as invalid; nothing is lost: dedup passes it through
         * unchanged, cluster and report give it a cluster of its own (an
         * empty key never merges).  A garbage fingerprint row is no record
         * at all for cluster and report. */
        j->bad++;
        j->status = HF_EXIT_ERROR;
        if (dedup_stream) {
            hf_out(rec->raw, rec->raw_len);
            hf_out(rec->term, rec->term_len);
            if (rec->oversize)
                hf_reader_drain(rd, hf_out_sink, NULL);
            return 0;
        }
        if (j->from_fp || j->cmd == CMD_FINGERPRINT)
            return 0;
        if ((e = hanfold_fingerprint(j->ctx, "", 0, &fp)))
            return stop_at(j, rec, e);
        snip = key = "";
        sniplen = keylen = 0;
    }
    if (j->cmd == CMD_FINGERPRINT) {
        if ((e = write_fp_row(j, id, &fp, key, keylen)))
            return stop_at(j, rec, e);
        j->kept++;
        return 0;
    }
    if (j->sim) {
        if ((e = consume_sim(j, rec, rd, id, &fp, key, keylen, bad)))
            return stop_at(j, rec, e);
        return 0;
    }
    if (j->fptmp) {
        /* the fingerprint row for the second pass, a line per record */
        if (!bad && (e = fp_row_text(j, id, &fp, key, keylen)))
            return stop_at(j, rec, e);
        if ((!bad && fwrite(j->fprow.p, 1, j->fprow.len, j->fptmp) != j->fprow.len) || putc('\n', j->fptmp) == EOF)
            return stop_at(j, rec, -errno ? -errno : -EIO);
    }
    if (!streaming && (e = push_row(j, id, rec, snip, sniplen, bad))) {
        if (e == -EFBIG) {
            hf_msg("%s:%llu: the ids of this run pass 256 TiB; stopping here", rec->file,
                   (unsigned long long)rec->line);
            j->said = true;
        }
        return stop_at(j, rec, e);
    }
    if (j->calib && (e = hf_calib_offer(j->calib, id, &fp)))
        return stop_at(j, rec, e);
    uint64_t match;
    double sim;
    j->pm_a = UINT64_MAX;
    j->pm_sim = -1;
    /* besides memory and the record limit, the clusterer's temporary file
     * (a full TMPDIR) can fail here */
    if ((e = hanfold_clusterer_add(j->cl, &fp, &match, &sim)))
        return stop_at(j, rec, e);
    uint64_t me = hanfold_clusterer_count(j->cl) - 1;
    /* a match that no verified pair gave was found by its identical key */
    int measure = match == me ? HF_MEASURE_SELF
                : match == j->pm_a ? hf_measure_of_kind(j->pm_kind) : HF_MEASURE_EXACT;
    if (j->index) {
        char err[512];
        const char *cid = match == me ? id : cluster_label(j, match);
        if (hf_index_add(j->index, id, cid, match == me, &fp, key, keylen, err, sizeof err)) {
            hf_msg("%s: %s", j->index_path, err);
            j->said = true;
            return stop_at(j, rec, -EIO);
        }
    }
    if (streaming && match == me && (e = hf_idlist_add(&j->reps, me, id)))
        return stop_at(j, rec, e);
    if (j->reread && (e = hf_buf_append(&j->amatch, &match, sizeof match)))
        return stop_at(j, rec, e);
    if (j->annotate && streaming && !bad && j->ann.want[HF_ANN_FINGERPRINT] &&
        (e = fp_row_text(j, id, &fp, key, keylen)))
        return stop_at(j, rec, e);
    if (j->annotate && streaming) {
        const char *cid = match == me ? id : cluster_label(j, match);
        const char *mid = match == me ? NULL : id_of(j, match);
        if (j->cmd == CMD_CLUSTER && bad)
            write_unchanged(rec, rd);
        else if (j->cmd == CMD_CLUSTER)
            e = write_annotated(j, NULL, rec, cid, mid, sim, measure);
        else if (match == me)
            e = write_annotated(j, NULL, rec, id, NULL, 1.0, HF_MEASURE_SELF);
        else if (j->dropped)
            e = write_annotated(j, j->dropped, rec, cid, mid, sim, measure);
        if (e)
            return stop_at(j, rec, e);
        if (j->cmd == CMD_CLUSTER)
            j->kept += !bad;
        else if (match == me)
            j->kept++;
        else
            j->dropped_n++;
    } else if (!streaming) {
        row *r = &j->rows[me - j->nstored];
        *r = (*r & ~(uint64_t)(ROW_SIM | ROW_MEASURE)) | hf_fixed3_milli(sim) |
             (uint64_t)measure << ROW_MEASURE_SHIFT;
    } else if (j->cmd == CMD_CLUSTER) {
        /* representative linkage: the record's cluster is final now */
        write_cluster_fields(j, id, match == me ? id : cluster_label(j, match), sim, measure);
        j->kept += !bad; /* rows written for valid records (--stats) */
    } else if (match == me) {
        j->kept++;
        hf_out(rec->raw, rec->raw_len);
        hf_out(rec->term, rec->term_len);
    } else {
        j->dropped_n++;
        write_dropped(j, rec, id, id_of(j, match), sim);
    }
    return 0;
}

static int run_pass(job *j, char **files, int nfiles)
{
    hf_reader *rd;
    hf_reader_opts in = j->co.in;
    if (j->from_fp) {
        in.mode = HF_IN_LINES;
        in.encoding = NULL;
    }
    if (hf_reader_new(&rd, &in, j->ctx, files, nfiles)) {
        hf_msg("out of memory");
        return -ENOMEM;
    }
    int r = 1, e = 0;
    bool stop = false;
    hf_progress prog;
    hf_progress_init(&prog, j->co.quiet ? 0 : j->co.progress, files, nfiles);
    if (hf_batch_threads(j->batch) > 1) {
        /* The workers process a batch while this thread reads the next one
         * and consumes the one before.  Fingerprint rows: clustering on
         * this thread is the slow part, parsing is left to the workers.
         * Text: processing is, and this thread takes its share once the
         * next batch is read (reading and writing on one thread while all
         * threads waited for them was a third of the time of two). */
        bool inflight_oversize = false;
        while (!e) {
            bool oversize = false;
            /* an oversize record must be consumed (drained) before reading on */
            if (!stop && !(hf_batch_inflight(j->batch) && inflight_oversize)) {
                e = hf_batch_fill(j->batch, rd, &r, &oversize);
                if (r <= 0)
                    stop = true;
            }
            bool have = hf_batch_turn(j->batch, !j->from_fp);
            inflight_oversize = oversize;
            bool halt = false;
            for (size_t i = 0; have && !e && !halt && i < hf_batch_count(j->batch); i++)
                e = consume(j, hf_batch_item(j->batch, i), rd, &halt);
            if (have) {
                hf_batch_clear(j->batch);
                hf_progress_update(&prog, j->read, hf_reader_bytes(rd));
            }
            if (halt)
                break;
            if (!hf_batch_inflight(j->batch) && stop)
                break;
        }
        /* what was started when the run ended is not consumed */
        hf_batch_wait(j->batch);
        hf_batch_clear(j->batch);
        stop = true;
    }
    while (!stop && !e) {
        /* a batch is read, normalized and fingerprinted on every thread,
         * then consumed in input order; an oversize record ends it so that
         * the reader can drain it right after */
        bool oversize;
        e = hf_batch_fill(j->batch, rd, &r, &oversize);
        if (r <= 0)
            stop = true;
        hf_batch_run(j->batch);
        for (size_t i = 0; !e && i < hf_batch_count(j->batch); i++) {
            bool halt = false;
            e = consume(j, hf_batch_item(j->batch, i), rd, &halt);
            if (halt) {
                stop = true;
                break;
            }
        }
        hf_batch_clear(j->batch);
        hf_progress_update(&prog, j->read, hf_reader_bytes(rd));
    }
    hf_progress_done(&prog);
    if (r < 0 || hf_reader_errors(rd))
        j->status = HF_EXIT_ERROR;
    if (r < 0)
        j->stopped = true; /* the reader failed (said by it): the input ends */
    hf_reader_free(&rd);
    if (e) {
        /* a record's failure was said where it happened (stop_at) */
        j->stopped = true;
        if (!j->said)
            hf_msg("%s", e == -ENOMEM ? "out of memory" : strerror(-e));
    }
    return e;
}

/* The second pass of --annotate: record i's fingerprint row (the next
 * line of fptmp) in j->fprow, and its match.  Returns 0 or -EIO. */
static int next_annotation(job *j, uint64_t i, uint64_t *match)
{
    if (j->amatch.len < (i + 1) * sizeof *match)
        return -EIO;
    memcpy(match, j->amatch.p + i * sizeof *match, sizeof *match);
    if (!j->fptmp)
        return 0;
    hf_buf_clear(&j->fprow);
    int c;
    while ((c = getc(j->fptmp)) != EOF && c != '\n')
        if (hf_buf_putc(&j->fprow, (char)c))
            return -ENOMEM;
    return c == EOF ? -EIO : 0;
}

/* cluster --annotate with rows final only at the end: the input again,
 * each record with its cluster. */
static int annotate_pass(job *j, char **files, int nfiles)
{
    hf_reader *rd;
    hf_reader_opts in = j->co.in;
    in.quiet = true; /* the first pass said what there was to say */
    if (hf_reader_new(&rd, &in, j->ctx, files, nfiles)) {
        hf_msg("out of memory");
        return -ENOMEM;
    }
    if (j->fptmp)
        rewind(j->fptmp);
    hf_record rec;
    uint64_t i = 0, n = j->nrows;
    int e = 0;
    while (!e && i < n && hf_reader_next(rd, &rec) > 0) {
        uint64_t match;
        if ((e = next_annotation(j, i, &match)))
            break;
        row x = j->rows[i];
        if (row_error(x)) {
            write_unchanged(&rec, rd);
        } else {
            const char *cid = cluster_label(j, hanfold_clusterer_cluster_of(j->cl, i));
            e = write_annotated(j, NULL, &rec, cid, match == i ? NULL : id_of(j, match), row_sim(x),
                                row_measure(x));
        }
        i++;
    }
    hf_reader_free(&rd);
    if (e == -ENOMEM)
        hf_msg("out of memory");
    else if (e || i != n) {
        hf_msg("input changed between the two passes of --annotate");
        e = -EIO;
    }
    return e;
}

/* Whether row a is to be kept rather than row b (b is earlier), by --keep:
 * ties go to the earlier; a record without a usable value never wins over
 * one with a value. */
static bool better(const job *j, const rowx *a, const rowx *b)
{
    if (j->keep == KEEP_LONGEST)
        return a->measure > b->measure;
    if ((a->mstate == HF_KEEPV_OK) != (b->mstate == HF_KEEPV_OK))
        return a->mstate == HF_KEEPV_OK;
    if (a->mstate != HF_KEEPV_OK)
        return false;
    return j->keep == KEEP_MAX ? a->measure > b->measure : a->measure < b->measure;
}

/* dedup's second pass (--keep other than first): writes, for each
 * cluster, the record --keep chooses, and drops the others. */
static int keep_pass(job *j, char **files, int nfiles)
{
    uint64_t n = j->nrows;
    uint64_t *best = malloc((n ? n : 1) * sizeof *best);
    if (!best) {
        hf_msg("out of memory");
        return -ENOMEM;
    }
    for (uint64_t i = 0; i < n; i++)
        best[i] = UINT64_MAX;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t c = hanfold_clusterer_cluster_of(j->cl, i);
        if (best[c] == UINT64_MAX || (j->keep != KEEP_FIRST && better(j, &j->rowsx[i], &j->rowsx[best[c]])))
            best[c] = i;
    }
    if (j->keep_unusable && !j->co.quiet)
        hf_msg("warning: %llu record%s without a usable value of --keep %s:%s (first: %s:%llu, %s); such a record is "
               "kept only when no record of its cluster has one",
               (unsigned long long)j->keep_unusable, j->keep_unusable == 1 ? "" : "s",
               j->keep == KEEP_MAX ? "max" : "min", j->keep_field, j->keep_bad_file,
               (unsigned long long)j->keep_bad_line,
               j->keep_bad_state == HF_KEEPV_MISSING ? "absent or null"
                                                      : "not a number, an ISO 8601 date or a boolean");
    hf_reader *rd;
    hf_reader_opts in = j->co.in;
    in.quiet = true; /* the first pass said what there was to say */
    if (hf_reader_new(&rd, &in, j->ctx, files, nfiles)) {
        hf_msg("out of memory");
        free(best);
        return -ENOMEM;
    }
    /* -c, -d: the size of each cluster (in best[]'s place: counted first) */
    uint64_t *size = NULL;
    if (j->count || j->repeated) {
        if (!(size = calloc(n ? n : 1, sizeof *size))) {
            hf_reader_free(&rd);
            free(best);
            hf_msg("out of memory");
            return -ENOMEM;
        }
        for (uint64_t i = 0; i < n; i++)
            size[hanfold_clusterer_cluster_of(j->cl, i)]++;
    }
    hf_record rec;
    uint64_t i = 0;
    char num[32];
    int ae = 0;
    if (j->fptmp)
        rewind(j->fptmp);
    while (!ae && i < n && hf_reader_next(rd, &rec) > 0) {
        uint64_t c = hanfold_clusterer_cluster_of(j->cl, i);
        uint64_t match = i;
        if (j->annotate && (ae = next_annotation(j, i, &match)))
            break;
        if (j->annotate && !row_error(j->rows[i]) && !(best[c] == i && j->repeated && size[c] < 2)) {
            /* kept: no duplicate_of; dropped: the kept record.  The
             * similarity is to the record it matched (the cluster's
             * first), as --dropped gives it */
            row x = j->rows[i];
            if (best[c] == i) {
                j->kept++;
                ae = write_annotated(j, NULL, &rec, id_of(j, c), NULL, row_sim(x), row_measure(x));
            } else {
                /* the cluster's first record matched nothing: its
                 * similarity to the kept one is the kept one's to it (the
                 * measures are symmetric) */
                if (i == c)
                    x = j->rows[best[c]];
                j->dropped_n++;
                if (j->dropped)
                    ae = write_annotated(j, j->dropped, &rec, id_of(j, c), id_of(j, best[c]), row_sim(x),
                                         row_measure(x));
            }
        } else if (row_error(j->rows[i])) {
            /* already counted as invalid in the first pass; a cluster of
             * its own for -c, passed through by -d too (never lost) */
            if (j->count)
                hf_out("1\t", 2);
            hf_out(rec.raw, rec.raw_len);
            hf_out(rec.term, rec.term_len);
            if (rec.oversize)
                hf_reader_drain(rd, hf_out_sink, NULL);
        } else if (best[c] == i && j->repeated && size[c] < 2) {
            j->dropped_n++; /* -d: no duplicates, not written (nor in --dropped) */
        } else if (best[c] == i) {
            j->kept++;
            if (j->count) {
                char *d = hf_fmt_u64(num, size[c]);
                *d++ = '\t';
                hf_out(num, (size_t)(d - num));
            }
            hf_out(rec.raw, rec.raw_len);
            hf_out(rec.term, rec.term_len);
        } else {
            j->dropped_n++;
            write_dropped(j, &rec, rec.id, id_of(j, best[c]), row_sim(j->rows[i]));
        }
        i++;
    }
    hf_reader_free(&rd);
    free(best);
    free(size);
    if (ae == -ENOMEM) {
        hf_msg("out of memory");
        return ae;
    }
    if (ae || i != n) {
        hf_msg("input changed between the two passes of --keep");
        return -EIO;
    }
    return 0;
}

/* ---- report --------------------------------------------------------------------------- */

typedef struct { uint64_t first, size, bytes; } cinfo;

static int by_size(const void *a, const void *b)
{
    const cinfo *x = a, *y = b;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->first < y->first ? -1 : x->first > y->first;
}

static int write_html_report(job *j, char **files, int nfiles, const cinfo *cs, size_t nmulti,
                             uint64_t nclusters, uint64_t dup_records, uint64_t dup_bytes);

static void write_report(job *j, char **files, int nfiles)
{
    uint64_t n = j->nrows;
    uint64_t *count = calloc(n ? n : 1, sizeof *count);
    uint64_t *bytes = calloc(n ? n : 1, sizeof *bytes);
    if (!count || !bytes) {
        hf_msg("out of memory");
        j->status = HF_EXIT_ERROR;
        free(count);
        free(bytes);
        return;
    }
    uint64_t nclusters = 0, dup_records = 0, dup_bytes = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t c = hanfold_clusterer_cluster_of(j->cl, i);
        if (!count[c]++)
            nclusters++;
        else {
            dup_records++;
            dup_bytes += j->rowsx[i].bytes;
        }
        bytes[c] += j->rowsx[i].bytes;
    }
    size_t nmulti = 0;
    for (uint64_t i = 0; i < n; i++)
        nmulti += count[i] > 1;
    cinfo *cs = malloc((nmulti ? nmulti : 1) * sizeof *cs);
    if (!cs) {
        hf_msg("out of memory");
        j->status = HF_EXIT_ERROR;
        free(count);
        free(bytes);
        return;
    }
    size_t k = 0;
    for (uint64_t i = 0; i < n; i++)
        if (count[i] > 1)
            cs[k++] = (cinfo){i, count[i], bytes[i]};
    qsort(cs, nmulti, sizeof *cs, by_size);
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    bool color = j->format == FMT_TEXT && isatty(STDOUT_FILENO) && !(nc && *nc) &&
                 !(term && !strcmp(term, "dumb"));
    if (j->format == FMT_HTML) {
        if (write_html_report(j, files, nfiles, cs, nmulti, nclusters, dup_records, dup_bytes))
            j->status = HF_EXIT_ERROR;
        free(cs);
        free(count);
        free(bytes);
        return;
    }
    char num[256];
    if (j->format == FMT_JSON) {
        snprintf(num, sizeof num,
                 "{\"schema\":\"%s\",\"records\":%" PRIu64 ",\"clusters\":%" PRIu64
                 ",\"duplicate_records\":%" PRIu64 ",\"duplicate_bytes\":%" PRIu64
                 ",\"threshold\":%.3f,\"long_threshold\":%.3f,\"jaccard_threshold\":%.3f"
                 ",\"min_ratio\":%.3f,\"groups\":[",
                 hanfold_schema(), n, nclusters, dup_records, dup_bytes, j->cs.threshold,
                 j->cs.long_threshold, j->cs.jaccard_threshold, j->cs.min_ratio);
        hf_out_str(num);
    } else if (j->format == FMT_CSV) {
        hf_out_str("cluster,size,id,source,similarity,measure,text\n");
    } else {
        snprintf(num, sizeof num,
                 "records %" PRIu64 ", clusters %" PRIu64 ", duplicate records %" PRIu64
                 ", duplicate bytes %" PRIu64 "\n(%s; threshold %.2f, long %.2f, min ratio %.2f)\n",
                 n, nclusters, dup_records, dup_bytes, hanfold_schema(), j->cs.threshold,
                 j->cs.long_threshold, j->cs.min_ratio);
        hf_out_str(num);
    }
    for (size_t ci = 0; ci < nmulti; ci++) {
        uint64_t c = cs[ci].first;
        if (j->format == FMT_JSON) {
            snprintf(num, sizeof num, "%s{\"cluster\":", ci ? "," : "");
            hf_out_str(num);
            hf_out_json_str(id_of(j, c), strlen(id_of(j, c)));
            snprintf(num, sizeof num, ",\"size\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"members\":[",
                     cs[ci].size, cs[ci].bytes);
            hf_out_str(num);
        } else if (j->format == FMT_TEXT) {
            hf_out_str(color ? "\n\033[1mcluster " : "\ncluster ");
            hf_out_human(id_of(j, c), strlen(id_of(j, c)));
            snprintf(num, sizeof num, ": %" PRIu64 " records%s\n", cs[ci].size, color ? "\033[0m" : "");
            hf_out_str(num);
        }
        bool first = true;
        for (uint64_t i = c; i < n; i++) {
            if (hanfold_clusterer_cluster_of(j->cl, i) != c)
                continue;
            const char *id = id_of(j, i), *snip = j->snips.p + j->rowsx[i].snip_off;
            const char *src = files[j->rowsx[i].file];
            double sim = i == c ? 1.0 : row_sim(j->rows[i]);
            const char *measure = hf_measure_name(i == c ? HF_MEASURE_SELF : row_measure(j->rows[i]));
            if (j->format == FMT_JSON) {
                snprintf(num, sizeof num, "%s{\"id\":", first ? "" : ",");
                hf_out_str(num);
                hf_out_json_str(id, strlen(id));
                hf_out_str(",\"source\":");
                hf_out_json_str(src, strlen(src));
                snprintf(num, sizeof num, ",\"similarity\":%.3f,\"measure\":\"%s\",\"representative\":%s,\"text\":",
                         sim, measure, i == c ? "true" : "false");
                hf_out_str(num);
                hf_out_json_str(snip, strlen(snip));
                hf_out_str("}");
            } else if (j->format == FMT_CSV) {
                hf_out_csv_field(id_of(j, c), strlen(id_of(j, c)));
                snprintf(num, sizeof num, ",%" PRIu64 ",", cs[ci].size);
                hf_out_str(num);
                hf_out_csv_field(id, strlen(id));
                hf_out_str(",");
                hf_out_csv_field(src, strlen(src));
                snprintf(num, sizeof num, ",%.3f,%s,", sim, measure);
                hf_out_str(num);
                hf_out_csv_field(snip, strlen(snip));
                hf_out_str("\n");
            } else {
                /* colour only for people: a terminal, and NO_COLOR unset */
                snprintf(num, sizeof num, "  %s %s%.3f %-11s%s  ", i == c ? "*" : " ",
                         color ? (i == c ? "\033[32m" : "\033[33m") : "", sim, measure, color ? "\033[0m" : "");
                hf_out_str(num);
                hf_out_human(id, strlen(id));
                if (j->co.in.mode != HF_IN_FILES) {
                    hf_out_str(" (");
                    hf_out_human(src, strlen(src));
                    hf_out_str(")");
                }
                hf_out_str("  ");
                hf_out_human(snip, strlen(snip));
                hf_out_str("\n");
            }
            first = false;
        }
        if (j->format == FMT_JSON)
            hf_out_str("]}");
    }
    if (j->format == FMT_JSON)
        hf_out_str("]}\n");
    free(cs);
    free(count);
    free(bytes);
}

/* Every pair the clusterer compares: the duplicate pairs of the record
 * being added, for the measure of the one it matches (see consume), and
 * for report the histogram of similarities. */
static void on_pair(void *ud, uint64_t a, uint64_t b, double sim, int kind, bool dup)
{
    (void)b;
    job *j = ud;
    if (dup && (sim > j->pm_sim || (sim == j->pm_sim && a < j->pm_a))) {
        j->pm_a = a;
        j->pm_sim = sim;
        j->pm_kind = kind;
    }
    if (j->cmd != CMD_REPORT)
        return;
    hf_report_data *d = &j->rep;
    int bin = (int)(sim * 100 + 1e-9);
    bin = bin < 0 ? 0 : bin > 100 ? 100 : bin;
    kind = kind < 0 || kind > 3 ? 0 : kind;
    d->pairs[kind][bin]++;
    d->pairs_dup[kind][bin] += dup;
}

static int write_html_report(job *j, char **files, int nfiles, const cinfo *cs, size_t nmulti,
                             uint64_t nclusters, uint64_t dup_records, uint64_t dup_bytes)
{
    hf_report_data *d = &j->rep;
    size_t total = 0;
    for (size_t i = 0; i < nmulti; i++)
        total += cs[i].size;
    hf_report_member *m = malloc((total ? total : 1) * sizeof *m);
    hf_report_cluster *g = malloc((nmulti ? nmulti : 1) * sizeof *g);
    if (!m || !g) {
        free(m);
        free(g);
        hf_msg("out of memory");
        return -ENOMEM;
    }
    size_t k = 0;
    for (size_t ci = 0; ci < nmulti; ci++) {
        uint64_t c = cs[ci].first;
        g[ci].members = m + k;
        g[ci].n = 0;
        g[ci].bytes = cs[ci].bytes;
        for (uint64_t i = c; i < j->nrows && g[ci].n < cs[ci].size; i++) {
            if (hanfold_clusterer_cluster_of(j->cl, i) != c)
                continue;
            hf_report_member *x = &m[k++];
            x->id = id_of(j, i);
            x->source = files[j->rowsx[i].file];
            x->text = j->snips.p ? j->snips.p + j->rowsx[i].snip_off : "";
            x->text_len = j->rowsx[i].snip_len;
            x->similarity = i == c ? 1.0 : row_sim(j->rows[i]);
            x->measure = hf_measure_name(i == c ? HF_MEASURE_SELF : row_measure(j->rows[i]));
            x->bytes = j->rowsx[i].bytes;
            g[ci].n++;
        }
    }
    d->records = j->nrows;
    d->clusters = nclusters;
    d->duplicate_records = dup_records;
    d->duplicate_bytes = dup_bytes;
    d->version = HANFOLD_VERSION;
    d->schema = hanfold_schema();
    d->script = j->co.set.opencc_config ? j->co.set.opencc_config
              : j->co.set.target == HANFOLD_TO_TRADITIONAL ? "traditional (OpenCC s2t)"
              : j->co.set.target == HANFOLD_TO_TAIWAN ? "taiwan (OpenCC s2tw)"
              : j->co.set.target == HANFOLD_TO_HONGKONG ? "hongkong (OpenCC s2hk)"
              : "simplified (OpenCC tw2s with Hong Kong forms, per clause)";
    d->linkage = j->cs.linkage == HANFOLD_LINKAGE_SINGLE ? "single" : "representative";
    d->threshold = j->cs.threshold;
    d->long_threshold = j->cs.long_threshold;
    d->jaccard_threshold = j->cs.jaccard_threshold;
    d->min_ratio = j->cs.min_ratio;
    d->inputs = (const char *const *)files;
    d->ninputs = (size_t)nfiles;
    d->groups = g;
    d->ngroups = nmulti;
    hf_report_html(d);
    free(m);
    free(g);
    return 0;
}

/* ---- --index ---------------------------------------------------------------------------- */

/* Everything that shapes keys and fingerprints, for the index to compare. */
static void settings_signature(const job *j, char *buf, size_t n)
{
    const hanfold_settings *s = &j->co.set;
    int k = snprintf(buf, n, "html=%s pinyin=%d mojibake=%d opencc=%s",
                     s->html == HANFOLD_HTML_ON ? "on" : s->html == HANFOLD_HTML_OFF ? "off" : "auto",
                     s->repair_pinyin, s->repair_mojibake, s->opencc_config ? s->opencc_config : "default");
    /* what else changes keys, written only when not the default so that
     * indexes made with the defaults keep their signature: where config
     * names are looked up, and the furniture left out of the key */
    if (k > 0 && (size_t)k < n && s->opencc_config && s->opencc_dir)
        k += snprintf(buf + k, n - (size_t)k, " opencc-dir=%s", s->opencc_dir);
    if (k > 0 && (size_t)k < n && s->drop_furniture != HANFOLD_FURNITURE_DEFAULT)
        snprintf(buf + k, n - (size_t)k, " furniture=%u", s->drop_furniture);
}

static int load_rep(void *ud, const hf_index_rep *r)
{
    job *j = ud;
    uint64_t number;
    int e = hanfold_clusterer_add_rep(j->cl, &r->fp, &number);
    if (e) {
        j->load_err = e;
        return e;
    }
    if (j->nstored == j->stored_cap) {
        size_t nc = j->stored_cap ? j->stored_cap * 2 : 1024;
        size_t *a = realloc(j->stored_id, nc * sizeof *a);
        if (!a)
            return -ENOMEM;
        j->stored_id = a;
        size_t *b = realloc(j->stored_cl, nc * sizeof *b);
        if (!b)
            return -ENOMEM;
        j->stored_cl = b;
        j->stored_cap = nc;
    }
    j->stored_id[j->nstored] = j->stored.len;
    if (hf_buf_append(&j->stored, r->id, strlen(r->id) + 1))
        return -ENOMEM;
    j->stored_cl[j->nstored] = j->stored.len;
    if (hf_buf_append(&j->stored, r->cluster, strlen(r->cluster) + 1))
        return -ENOMEM;
    j->nstored++;
    return 0;
}

static int open_index(job *j)
{
    char sig[512], err[1024];
    settings_signature(j, sig, sizeof sig);
    if (hf_index_open(&j->index, j->index_path, sig, err, sizeof err)) {
        hf_msg("%s", err);
        return -1;
    }
    err[0] = '\0';
    int e = hf_index_each_rep(j->index, j->ctx, load_rep, j, err, sizeof err);
    if (e) {
        if (e == -ENOMEM)
            hf_msg("%s: out of memory loading the index", j->index_path);
        else if (j->load_err) {
            /* the clusterer, not the index (a full TMPDIR) */
            char where[4200];
            snprintf(where, sizeof where, "%s: loading the index", j->index_path);
            say_cluster_error(j, where, j->load_err);
        } else
            hf_msg("%s: %s", j->index_path, err[0] ? err : "error reading the index");
        return -1;
    }
    return 0;
}

/* ---- the command ------------------------------------------------------------------------- */

/* --keep (but first) reads its inputs twice: standard input, pipes and other
 * inputs that cannot be read again are copied to a temporary file first. */
static int spool(const char *name, char *path, size_t pathsz)
{
    FILE *in = strcmp(name, "-") ? fopen(name, "rb") : stdin;
    if (!in)
        return -errno;
    const char *dir = getenv("TMPDIR");
    snprintf(path, pathsz, "%s/hanfold.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        int e = errno;
        if (in != stdin)
            fclose(in);
        return -e;
    }
    char buf[1 << 16];
    size_t n;
    int e = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (write(fd, buf, n) != (ssize_t)n) {
            e = -errno;
            break;
        }
    if (!e && ferror(in))
        e = -EIO;
    if (close(fd) && !e)
        e = -errno;
    if (in != stdin)
        fclose(in);
    if (e)
        unlink(path);
    return e;
}

static bool rereadable(const char *name)
{
    struct stat st;
    return strcmp(name, "-") && stat(name, &st) == 0 && S_ISREG(st.st_mode);
}

static int run(enum cmd cmd, int argc, char **argv)
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
        {"count", no_argument, 0, 'c'},
        {"repeated", no_argument, 0, 'd'},
        {"index", required_argument, 0, OPT_INDEX},
        {"import-only", no_argument, 0, OPT_IMPORT_ONLY}, /* internal: hanfold index import */
        {"pairs", required_argument, 0, OPT_PAIRS},
        {"method", required_argument, 0, OPT_METHOD},
        {"hamming", required_argument, 0, OPT_HAMMING},
        {"annotate", required_argument, 0, OPT_ANNOTATE},
        {0, 0, 0, 0},
    };
    const char *name = cmd_names[cmd];
    job j;
    memset(&j, 0, sizeof j);
    j.cmd = cmd;
    j.reps = (hf_idlist)HF_IDLIST_INIT;
    hf_common_init(&j.co);
    hanfold_cluster_settings_default(&j.cs);
    j.format = cmd == CMD_REPORT ? FMT_TEXT : FMT_TSV;
    j.hamming = HANFOLD_DEFAULT_HAMMING;
    bool hamming_set = false, key_opts = false, linkage_set = false, format_set = false;
    int c;
    while ((c = getopt_long(argc, argv, "hqro:cd", longopts, NULL)) != -1) {
        int r = hf_common_option(&j.co, c, optarg);
        if (r < 0)
            return hf_usage_error(name);
        if (r > 0)
            continue;
        bool clustering = cmd != CMD_FINGERPRINT;
        switch (c) {
        case 'h': {
            const char *h = cmd == CMD_FINGERPRINT ? help_fingerprint : cmd == CMD_CLUSTER ? help_cluster
                          : cmd == CMD_DEDUP ? help_dedup : help_report;
            fputs(h, stdout);
            if (clustering)
                fputs(help_cluster_opts, stdout);
            fputs(HF_COMMON_HELP, stdout);
            return hf_finish_output() ? HF_EXIT_OK : HF_EXIT_ERROR;
        }
        case OPT_VERSION:
            hf_print_version();
            return hf_finish_output() ? HF_EXIT_OK : HF_EXIT_ERROR;
        case OPT_FORMAT: {
            static const struct { const char *n; int f; unsigned cmds; } fm[] = {
                {"tsv", FMT_TSV, 7}, {"jsonl", FMT_JSONL, 3}, {"csv", FMT_CSV, 2 | 8},
                {"text", FMT_TEXT, 8}, {"json", FMT_JSON, 8}, {"html", FMT_HTML, 8},
            };
            int found = -1;
            for (size_t i = 0; i < sizeof fm / sizeof fm[0]; i++)
                if (!strcmp(optarg, fm[i].n) && (fm[i].cmds & (1u << cmd)))
                    found = fm[i].f;
            if (found < 0 || cmd == CMD_DEDUP) {
                hf_msg("invalid value '%s' for --format (expected %s)", optarg,
                       cmd == CMD_FINGERPRINT ? "tsv or jsonl" : cmd == CMD_CLUSTER ? "tsv, jsonl or csv"
                       : cmd == CMD_REPORT ? "text, json, csv or html" : "no --format for dedup");
                return hf_usage_error(name);
            }
            j.format = found;
            format_set = true;
            break;
        }
        case OPT_THRESHOLD:
        case OPT_LONG_THRESHOLD:
        case OPT_JACCARD_THRESHOLD:
        case OPT_MIN_RATIO:
        case OPT_POSTING_CAP:
        case OPT_VERIFY_BUDGET:
        case OPT_SPILL_MEMORY:
            if (hf_threshold_option(clustering ? &j.cs : NULL, c, optarg) < 0)
                return hf_usage_error(name);
            key_opts = true;
            break;
        case OPT_LINKAGE:
            if (!clustering || (strcmp(optarg, "representative") && strcmp(optarg, "single"))) {
                hf_msg("invalid value '%s' for --linkage (expected representative or single)", optarg);
                return hf_usage_error(name);
            }
            j.cs.linkage = strcmp(optarg, "single") ? HANFOLD_LINKAGE_REPRESENTATIVE : HANFOLD_LINKAGE_SINGLE;
            linkage_set = true;
            break;
        case OPT_METHOD:
            if ((cmd != CMD_CLUSTER && cmd != CMD_DEDUP) || (strcmp(optarg, "key") && strcmp(optarg, "simhash"))) {
                hf_msg("invalid value '%s' for --method (expected key or simhash; cluster and dedup only)", optarg);
                return hf_usage_error(name);
            }
            j.sim = !strcmp(optarg, "simhash");
            break;
        case OPT_HAMMING: {
            unsigned long v;
            char *end;
            errno = 0;
            v = strtoul(optarg, &end, 10);
            if ((cmd != CMD_CLUSTER && cmd != CMD_DEDUP) || errno || end == optarg || *end ||
                optarg[0] < '0' || optarg[0] > '9' || v > HANFOLD_SIMINDEX_MAX_K) {
                hf_msg("invalid value '%s' for --hamming (expected a number from 0 to %d)", optarg,
                       HANFOLD_SIMINDEX_MAX_K);
                return hf_usage_error(name);
            }
            j.hamming = (unsigned)v;
            hamming_set = true;
            break;
        }
        case OPT_ANNOTATE:
            if (cmd != CMD_CLUSTER && cmd != CMD_DEDUP) {
                hf_msg("option --annotate is only for cluster and dedup");
                return hf_usage_error(name);
            }
            if (!hf_annotate_parse(&j.ann, optarg)) {
                hf_annotate_free(&j.ann);
                return hf_usage_error(name);
            }
            j.annotate = true;
            break;
        case OPT_FINGERPRINTS:
            if (!clustering)
                return hf_usage_error(name);
            j.from_fp = true;
            break;
        case OPT_IMPORT_ONLY:
            j.import_only = true;
            break;
        case OPT_PAIRS:
            if (cmd != CMD_REPORT) {
                hf_msg("option --pairs is only for report");
                return hf_usage_error(name);
            }
            j.pairs_path = optarg;
            break;
        case OPT_INDEX:
            if (cmd != CMD_DEDUP && cmd != CMD_CLUSTER) {
                hf_msg("option --index is only for dedup and cluster");
                return hf_usage_error(name);
            }
            if (!*optarg) {
                /* SQLite would take "" for a throwaway temporary database */
                hf_msg("--index needs the path of the index file");
                return hf_usage_error(name);
            }
            j.index_path = optarg;
            break;
        case 'c':
        case 'd':
            if (cmd != CMD_DEDUP) {
                hf_msg("option --%s is only for dedup", c == 'c' ? "count" : "repeated");
                return hf_usage_error(name);
            }
            if (c == 'c')
                j.count = true;
            else
                j.repeated = true;
            break;
        case OPT_DROPPED:
        case OPT_KEEP:
        case OPT_EXIT_STATUS:
            if (cmd != CMD_DEDUP) {
                hf_msg("option --%s is only for dedup", c == OPT_DROPPED ? "dropped" : c == OPT_KEEP ? "keep" : "exit-status");
                return hf_usage_error(name);
            }
            if (c == OPT_DROPPED)
                j.dropped_path = optarg;
            else if (c == OPT_EXIT_STATUS)
                j.exit_status = true;
            else if (!strcmp(optarg, "longest"))
                j.keep = KEEP_LONGEST;
            else if (!strcmp(optarg, "first"))
                j.keep = KEEP_FIRST;
            else if (!strncmp(optarg, "max:", 4) || !strncmp(optarg, "min:", 4)) {
                hf_jpath *p;
                size_t np;
                if (hf_jpaths_parse(optarg + 4, false, &p, &np)) {
                    hf_msg("invalid value '%s' for --keep (expected max:FIELD or min:FIELD, a.b for b inside a)", optarg);
                    return hf_usage_error(name);
                }
                hf_jpaths_free(p, np);
                j.keep = optarg[1] == 'a' ? KEEP_MAX : KEEP_MIN;
                j.keep_field = optarg + 4;
            } else {
                hf_msg("invalid value '%s' for --keep (expected first, longest, max:FIELD or min:FIELD)", optarg);
                return hf_usage_error(name);
            }
            break;
        default:
            return hf_usage_error(name);
        }
    }
    j.two_pass = j.keep != KEEP_FIRST || j.count || j.repeated;
    if (j.annotate) {
        /* the fields go into JSON objects written as UTF-8 */
        const char *enc = j.co.in.encoding;
        const char *why = j.co.in.mode != HF_IN_JSONL || j.from_fp ? "adds fields to JSONL records: it needs --input jsonl (and no --fingerprints)"
                        : enc && strcasecmp(enc, "UTF-8") && strcasecmp(enc, "UTF8") ? "writes UTF-8 into the records: it needs UTF-8 input (no --encoding)"
                        : j.count ? "writes JSONL records: -c would put a count before each (add the size with jq or use report)"
                        : format_set ? "writes the records themselves: no --format"
                        : NULL;
        if (why) {
            hf_msg("--annotate %s", why);
            hf_annotate_free(&j.ann);
            return hf_usage_error(name);
        }
    }
    if (j.keep_field) {
        if (j.co.in.mode != HF_IN_JSONL) {
            hf_msg("--keep %s:%s reads a field of JSONL records: add --input jsonl", j.keep == KEEP_MAX ? "max" : "min",
                   j.keep_field);
            return hf_usage_error(name);
        }
        j.co.in.keep_field = j.keep_field;
    }
    bool single_asked = linkage_set && j.cs.linkage == HANFOLD_LINKAGE_SINGLE;
    if (cmd == CMD_DEDUP && single_asked) {
        /* dedup drops what duplicates an earlier *kept* record; chains
         * through dropped records are what cluster's single linkage is for */
        hf_msg("dedup compares with kept records only; use 'hanfold cluster' for chains");
        return hf_usage_error(name);
    }
    /* dedup, and a persistent index (which holds representatives), link to
     * representatives unless told otherwise (an index then refuses below) */
    if (cmd == CMD_DEDUP || (j.index_path && !linkage_set) || j.sim)
        j.cs.linkage = HANFOLD_LINKAGE_REPRESENTATIVE;
    if (j.index_path && (j.two_pass || j.cs.linkage == HANFOLD_LINKAGE_SINGLE)) {
        hf_msg("--index works with --keep first (the default), without -c and -d, and with --linkage "
               "representative (its default)");
        return hf_usage_error(name);
    }
    if (hamming_set && !j.sim) {
        hf_msg("--hamming is for --method simhash");
        return hf_usage_error(name);
    }
    if (j.sim && (key_opts || single_asked || j.index_path || j.two_pass)) {
        hf_msg("--method simhash takes none of --threshold, --long-threshold, --jaccard-threshold, "
               "--min-ratio, --linkage single, --index, --keep other than first, -c, -d");
        return hf_usage_error(name);
    }
    if (cmd == CMD_DEDUP && j.two_pass && j.from_fp) {
        hf_msg("--keep other than first, -c and -d need the records themselves, not --fingerprints");
        return hf_usage_error(name);
    }
    /* dedup streams: nothing is kept for a dropped record; so does cluster
     * with representative linkage, whose rows are final when read */
    j.cs.streaming = (cmd == CMD_DEDUP && !j.two_pass) ||
                     (cmd == CMD_CLUSTER && j.cs.linkage == HANFOLD_LINKAGE_REPRESENTATIVE);
    /* --annotate where rows are final only at the end: read twice */
    j.reread = j.annotate && !j.sim && !j.cs.streaming;
    /* dedup names a kept record that a dropped one duplicates, the first
     * found, not the most similar (the same records are kept) */
    j.cs.first_match = cmd == CMD_DEDUP;
    j.co.set.keep_lines = j.co.in.mode == HF_IN_PARAGRAPHS || j.co.in.mode == HF_IN_FILES;
    j.co.in.html_hint = j.co.set.html != HANFOLD_HTML_OFF;
    char *stdin_only[] = {"-"};
    char **files = optind < argc ? argv + optind : stdin_only;
    int nfiles = optind < argc ? argc - optind : 1;
    char **given = files;
    if (j.co.recursive && hf_walk(given, nfiles, &files, &nfiles, &j.co.walk_errors))
        return HF_EXIT_ERROR;

    char err[512];
    bool finished = false; /* the run went through (--dropped) */
    char **spooled = NULL; /* --keep: temporary copies, per input */
    char **files2 = files;
    unsigned what = j.from_fp ? HF_BATCH_FPROW | (j.sim ? HF_BATCH_FPSIM : 0) : HF_BATCH_FP | (cmd == CMD_REPORT ? HF_BATCH_SNIP : 0) |
                                    (cmd == CMD_FINGERPRINT ? HF_BATCH_ROW : 0);
    if (cmd == CMD_REPORT && j.format == FMT_HTML && !j.from_fp)
        what |= HF_BATCH_TEXT;
    j.cs.on_pair = on_pair;
    j.cs.on_pair_ud = &j;
    int e = hf_batch_new(&j.batch, j.co.threads, &j.co.set, what, err, sizeof err);
    if (e) {
        hf_msg("%s", e == -ENOMEM ? "out of memory" : err);
        hf_walk_free(given, files, nfiles);
        return HF_EXIT_ERROR;
    }
    j.ctx = hf_batch_ctx(j.batch);
    /* what verification needs of the representatives goes to a temporary
     * file beyond the first megabytes (the page cache keeps it; it is not
     * the process's memory) */
    const char *tmpdir = getenv("TMPDIR");
    j.cs.spill_dir = tmpdir && *tmpdir ? tmpdir : "/tmp";
    if (!j.sim && cmd != CMD_FINGERPRINT && (e = hanfold_clusterer_new(&j.cl, &j.cs)) != 0 && e != -ENOMEM) {
        if (!j.co.quiet)
            hf_msg("warning: cannot create a temporary file in %s (%s); keeping everything in memory "
                   "(set TMPDIR to a writable directory)", j.cs.spill_dir, strerror(-e));
        j.cs.spill_dir = NULL;
        e = hanfold_clusterer_new(&j.cl, &j.cs);
    }
    if (j.sim ? hanfold_simindex_new(&j.simix, j.hamming) != 0 : cmd != CMD_FINGERPRINT && e != 0) {
        hf_msg("out of memory");
        hf_batch_free(&j.batch);
        hf_walk_free(given, files, nfiles);
        return HF_EXIT_ERROR;
    }
    if (j.pairs_path && !(j.calib = hf_calib_load(j.pairs_path))) {
        j.status = HF_EXIT_ERROR;
        goto out;
    }
    if (j.index_path && open_index(&j)) {
        j.status = HF_EXIT_ERROR;
        goto out;
    }
    if (j.co.output && !j.import_only && hf_stdout_open(&j.out, j.co.output)) {
        j.status = HF_EXIT_ERROR;
        goto out;
    }
    if (j.dropped_path) {
        if (hf_outfile_open(&j.dropped_out, j.dropped_path)) {
            j.status = HF_EXIT_ERROR;
            goto out;
        }
        j.dropped = j.dropped_out.f;
    }
    if (j.reread && j.ann.want[HF_ANN_FINGERPRINT]) {
        /* the fingerprint rows for the second pass: a temporary file, not
         * memory (a long record's row holds its sketch) */
        char path[4096];
        snprintf(path, sizeof path, "%s/hanfold.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
        int fd = mkstemp(path);
        if (fd >= 0)
            unlink(path);
        if (fd < 0 || !(j.fptmp = fdopen(fd, "w+"))) {
            hf_msg("cannot create a temporary file in %s for --annotate: %s (set TMPDIR to a writable directory)",
                   tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
            if (fd >= 0)
                close(fd);
            j.status = HF_EXIT_ERROR;
            goto out;
        }
    }
    if (j.two_pass || j.reread) {
        files2 = calloc(nfiles ? nfiles : 1, sizeof *files2);
        spooled = calloc(nfiles ? nfiles : 1, sizeof *spooled);
        if (!files2 || !spooled) {
            hf_msg("out of memory");
            j.status = HF_EXIT_ERROR;
            free(files2);
            files2 = files;
            goto out;
        }
        for (int i = 0; i < nfiles; i++) {
            files2[i] = files[i];
            if (rereadable(files[i]))
                continue;
            char path[4096];
            if ((e = spool(files[i], path, sizeof path))) {
                /* an unreadable input is reported by the reader as usual */
                if (strcmp(files[i], "-") && e != -EIO && e != -ENOSPC)
                    continue;
                hf_msg("cannot copy %s to a temporary file for a second pass (%s): %s", files[i],
                       j.two_pass ? "--keep, -c, -d" : "--annotate", strerror(-e));
                j.status = HF_EXIT_ERROR;
                goto out;
            }
            if (!(spooled[i] = strdup(path))) {
                unlink(path);
                hf_msg("out of memory");
                j.status = HF_EXIT_ERROR;
                goto out;
            }
            files2[i] = spooled[i];
        }
    }
    j.co.in.names = files; /* not the temporary copies */
    e = run_pass(&j, files2, nfiles);
    if (e || j.co.walk_errors)
        j.status = HF_EXIT_ERROR;
    if (!e && j.index) {
        /* commit only what reached its reader: a failed write (a full disk)
         * must not leave records in the index that nobody received */
        char ierr[512];
        if (fflush(stdout) != 0 || ferror(stdout) || (j.dropped && fflush(j.dropped) != 0)) {
            hf_msg("%s: not updated, the output could not be written", j.index_path);
            j.status = HF_EXIT_ERROR;
        } else if (hf_index_commit(j.index, ierr, sizeof ierr)) {
            hf_msg("%s: %s", j.index_path, ierr);
            j.status = HF_EXIT_ERROR;
        }
    }
    if (!e && cmd == CMD_DEDUP && j.two_pass && (e = keep_pass(&j, files2, nfiles)))
        j.status = HF_EXIT_ERROR;
    /* --dropped goes in place when the run was not stopped (an error,
     * --strict) and its records reached standard output */
    finished = !e && !j.stopped && fflush(stdout) == 0 && !ferror(stdout);
    /* rows written at the end (single linkage, report): none when the run
     * stopped */
    bool wrote_rows = !e;
    if (!e && j.fptmp && (fflush(j.fptmp) || ferror(j.fptmp))) {
        hf_msg("cannot write the temporary file of --annotate: %s", strerror(errno));
        e = -EIO;
        j.status = HF_EXIT_ERROR;
    }
    if (!e && cmd == CMD_CLUSTER && j.reread && (e = annotate_pass(&j, files2, nfiles)))
        j.status = HF_EXIT_ERROR;
    if (!e && cmd == CMD_CLUSTER && !j.annotate)
        for (uint64_t i = j.nstored; !j.import_only && i < j.nstored + j.nrows; i++)
            write_cluster_row(&j, i, hanfold_clusterer_cluster_of(j.cl, i));
    if (j.ann.replaced && !j.co.quiet)
        hf_msg("warning: %llu record%s had a key that --annotate adds (first: %s); its value was replaced "
               "(NAME=KEY chooses another key)", (unsigned long long)j.ann.replaced, j.ann.replaced == 1 ? "" : "s",
               j.ann.replaced_where ? j.ann.replaced_where : "?");
    if (!e && cmd == CMD_REPORT && j.calib) {
        if (!hf_calib_report(j.calib, &j.cs))
            j.status = HF_EXIT_ERROR;
    } else if (!e && cmd == CMD_REPORT) {
        write_report(&j, files, nfiles);
    }
    if (j.co.stats) {
        /* read = written + dropped + invalid, for every command, over the
         * records read before the run stopped, if it did */
        uint64_t bad_rows = 0;
        for (size_t i = 0; i < j.nrows; i++)
            bad_rows += row_error(j.rows[i]);
        uint64_t written = cmd == CMD_DEDUP || cmd == CMD_FINGERPRINT || j.sim || j.cs.streaming
                               ? j.kept : wrote_rows ? j.nrows - bad_rows : 0;
        hanfold_stats st;
        hf_batch_stats(j.batch, &st);
        char where[4200] = "";
        if (j.stopped && j.stop_file)
            snprintf(where, sizeof where, "; stopped early at %s:%llu, the rest of the input not read",
                     j.stop_file, (unsigned long long)j.stop_line);
        else if (j.stopped)
            snprintf(where, sizeof where, "; stopped early, the rest of the input not read");
        if (j.co.stats_json) {
            json_t *o = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b}", "command", name, "read",
                                  (json_int_t)j.read, "written", (json_int_t)written, "dropped",
                                  (json_int_t)j.dropped_n, "invalid", (json_int_t)j.bad, "invalid_byte_sequences",
                                  (json_int_t)j.invalid, "html", (json_int_t)st.html_records,
                                  "html_nested_too_deep", (json_int_t)st.html_flattened, "html_cut_short",
                                  (json_int_t)st.html_cut, "stopped", j.stopped);
            if (o && j.stopped && j.stop_file)
                json_object_set_new(o, "stopped_at", json_pack("{s:o,s:I}", "file",
                                    hf_stats_json_str(j.stop_file), "line", (json_int_t)j.stop_line));
            if (!hf_stats_json(o))
                j.status = HF_EXIT_ERROR;
        } else if (!hf_stats_msg("read %llu, written %llu, dropped %llu, invalid %llu; invalid byte sequences %llu; "
               "html %llu (nested too deep %llu, cut short %llu)%s",
               (unsigned long long)j.read, (unsigned long long)written,
               (unsigned long long)j.dropped_n, (unsigned long long)j.bad, (unsigned long long)j.invalid,
               (unsigned long long)st.html_records, (unsigned long long)st.html_flattened,
               (unsigned long long)st.html_cut, where))
            j.status = HF_EXIT_ERROR; /* the statistics asked for were lost */
    }
out:
    for (int i = 0; spooled && i < nfiles; i++) {
        if (spooled[i])
            unlink(spooled[i]);
        free(spooled[i]);
    }
    free(spooled);
    if (files2 != files)
        free(files2);
    hf_walk_free(given, files, nfiles);
    hf_index_close(&j.index);
    hf_calib_free(&j.calib);
    hf_buf_free(&j.stored);
    free(j.stored_id);
    free(j.stored_cl);
    hanfold_clusterer_free(&j.cl);
    hanfold_simindex_free(&j.simix);
    hf_batch_free(&j.batch);
    hf_buf_free(&j.ids);
    hf_buf_free(&j.snips);
    hf_buf_free(&j.fprow);
    free(j.rows);
    free(j.rowsx);
    hf_idlist_free(&j.reps);
    hf_annotate_free(&j.ann);
    hf_buf_free(&j.annbuf);
    hf_buf_free(&j.amatch);
    if (j.fptmp)
        fclose(j.fptmp);
    if (!hf_finish_output())
        j.status = HF_EXIT_ERROR;
    /* with -o, --dropped goes in place with the output or not at all (the
     * one without the other is not the run's result) */
    if (j.out.f && j.status == HF_EXIT_ERROR)
        finished = false;
    /* after standard output, whose failure is the reason it is not put in
     * place, when it is */
    if (j.dropped_out.f && !finished && !j.dropped_out.direct)
        hf_msg("%s: not written, the run did not finish (a file already there is left as it was)",
               j.dropped_path);
    if (!hf_outfile_close(&j.dropped_out, finished))
        j.status = HF_EXIT_ERROR;
    if (!hf_stdout_close(&j.out, j.status != HF_EXIT_ERROR))
        j.status = HF_EXIT_ERROR;
    j.dropped = NULL;
    if (j.status == HF_EXIT_OK && j.exit_status && j.dropped_n)
        return HF_EXIT_DUPS;
    return j.status;
}

int hf_cmd_fingerprint(int argc, char **argv) { return run(CMD_FINGERPRINT, argc, argv); }
int hf_cmd_cluster(int argc, char **argv) { return run(CMD_CLUSTER, argc, argv); }
int hf_cmd_dedup(int argc, char **argv) { return run(CMD_DEDUP, argc, argv); }
int hf_cmd_report(int argc, char **argv) { return run(CMD_REPORT, argc, argv); }

int hf_index_import(const char *path, int nfiles, char **files)
{
    char **argv = calloc((size_t)nfiles + 6, sizeof *argv);
    if (!argv) {
        hf_msg("out of memory");
        return HF_EXIT_ERROR;
    }
    int k = 0;
    argv[k++] = "index import";
    argv[k++] = "--fingerprints";
    argv[k++] = "--import-only";
    argv[k++] = "--index";
    argv[k++] = (char *)path;
    argv[k++] = "--";
    for (int i = 0; i < nfiles; i++)
        argv[k++] = files[i];
    optind = 0;
    /* an index this import creates is removed again if the import fails:
     * an empty index left behind would pass for a good one */
    struct stat st;
    bool existed = lstat(path, &st) == 0;
    int r = run(CMD_CLUSTER, k, argv);
    free(argv);
    if (r == HF_EXIT_ERROR && !existed) {
        static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
        for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
            char p[4096];
            if (snprintf(p, sizeof p, "%s%s", path, suffix[i]) < (int)sizeof p)
                unlink(p);
        }
        hf_msg("%s: import failed; the index it began was removed", path);
    }
    return r;
}
