/* Output fields in the shapes the near-duplicate commands write (shared by
 * hanfold and hanfold-mpi, whose outputs must be byte-identical). */
#ifndef HF_OUTFMT_H
#define HF_OUTFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fmt.h" /* hf_fmt_u64 */

/* TSV field: backslash, tab, newline and carriage return escaped.  f is
 * stdout (through hf_out) or another stream. */
void hf_out_tsv_field(FILE *f, const char *s, size_t n);
void hf_out_str(const char *s);
/* Formats v as printf's "%.3f" at d (room bytes there; no NUL); returns
 * the end.  By hand for similarities (printf took a fiftieth of the time of
 * clustering); printf for the rest, and near ties. */
char *hf_fmt_fixed3(char *d, size_t room, double v);
/* The similarity v (0 to 1) as hf_fmt_fixed3() prints it, in thousandths:
 * hf_fmt_fixed3(milli / 1000.0) prints the same digits. */
unsigned hf_fixed3_milli(double v);
/* A JSON string (jansson's escaping). */
void hf_out_json_str(const char *s, size_t n);
/* A CSV field, quoted when it holds a comma, quote or line break; a cell
 * a spreadsheet would run as a formula (=, +, -, @ first, but a plain
 * number) is written quoted with a leading ' (a text cell). */
void hf_out_csv_field(const char *s, size_t n);
/* Text for people (the text report): control characters (C0, DEL, C1)
 * and bytes that are no UTF-8 as \n \t \r or \xHH, so that ids and file
 * names cannot move the cursor, retitle the window or forge report lines,
 * as ls and git write names. */
void hf_out_human(const char *s, size_t n);
/* The same escaping, into sink. */
void hf_human_escape(const char *s, size_t n, void (*sink)(const void *, size_t, void *), void *ud);

/* The measure a printed similarity was computed by, so that a reader is
 * not misled (a short text contained in a longer one has an LCS share of
 * 1): see the man page, SIMILARITY. */
enum hf_measure {
    HF_MEASURE_SELF = 0,    /* matched no earlier record: 1, to itself */
    HF_MEASURE_EXACT,       /* identical keys */
    HF_MEASURE_CONTAINMENT, /* LCS of the keys over the shorter one */
    HF_MEASURE_JACCARD,     /* estimated 3-gram Jaccard (long keys) */
    HF_MEASURE_SIMHASH,     /* --method simhash: 1 - Hamming distance / 64 */
    HF_MEASURE_COUNT
};
/* The name printed for m ("self", "exact", "containment", "jaccard",
 * "simhash"). */
const char *hf_measure_name(int m);
/* The measure of a pair the clusterer judged duplicates by kind
 * (HANFOLD_PAIR_*). */
int hf_measure_of_kind(int kind);

/* One row of `cluster`: id, cluster id, similarity, in the shape of
 * --format (HF_ROW_*), on stdout.  The TSV and CSV rows are the fixed
 * three columns (design.md); JSONL rows also name the measure (m, an
 * hf_measure). */
enum { HF_ROW_TSV, HF_ROW_JSONL, HF_ROW_CSV };
void hf_out_cluster_row(int format, const char *id, const char *cid, double sim, int m);

#endif
