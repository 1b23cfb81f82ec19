/* Output fields in the shapes the near-duplicate commands write (shared by
 * hanfold and hanfold-mpi, whose outputs must be byte-identical). */
#ifndef HF_OUTFMT_H
#define HF_OUTFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* TSV field: backslash, tab, newline and carriage return escaped.  f is
 * stdout (through hf_out) or another stream. */
void hf_out_tsv_field(FILE *f, const char *s, size_t n);
void hf_out_str(const char *s);
/* Formats v in decimal at d (no NUL); returns the end. */
char *hf_fmt_u64(char *d, uint64_t v);
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

/* One row of `cluster`: id, cluster id, similarity, in the shape of
 * --format (HF_ROW_*), on stdout. */
enum { HF_ROW_TSV, HF_ROW_JSONL, HF_ROW_CSV };
void hf_out_cluster_row(int format, const char *id, const char *cid, double sim);

#endif
