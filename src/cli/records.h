/* Record readers: what a record is (--input lines|paragraphs|jsonl|files|null),
 * where it came from (file, line, id) and its bytes exactly as read. */
#ifndef HF_RECORDS_H
#define HF_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hanfold.h"

enum hf_input { HF_IN_LINES, HF_IN_PARAGRAPHS, HF_IN_JSONL, HF_IN_FILES, HF_IN_NULL };

/* A JSON field path: keys from the top level down ("meta.body": meta,
 * body).  In the option's text a dot separates keys, a comma separates
 * paths (where a list is allowed) and a backslash takes the next character
 * as it is ("a\\.b" is the key "a.b"). */
typedef struct hf_jpath {
    char **key;
    size_t n;
} hf_jpath;

/* The paths of spec (one, or with list a comma-separated list): 0, -EINVAL
 * for an empty key, -ENOMEM.  Freed with hf_jpaths_free(). */
int hf_jpaths_parse(const char *spec, bool list, hf_jpath **out, size_t *n);
void hf_jpaths_free(hf_jpath *p, size_t n);
struct json_t;
/* The value at path p under root, or NULL (absent, or a key of something
 * that is no object). */
struct json_t *hf_jpath_get(struct json_t *root, const hf_jpath *p);
/* hf_json_value_span() down path p. */
bool hf_jpath_span(const char *s, size_t n, const hf_jpath *p, size_t *start, size_t *end);

/* --keep max:FIELD / min:FIELD: what a record's value was. */
enum { HF_KEEPV_OK, HF_KEEPV_MISSING, HF_KEEPV_INVALID };

/* --keep max:FIELD: the value v as a number in *out; HF_KEEPV_*. */
int hf_keep_value(struct json_t *v, double *out);

typedef struct hf_reader_opts {
    enum hf_input mode;
    const char *encoding;   /* NULL: UTF-8; "auto": detect per file; else an iconv name */
    const char *id_field;   /* jsonl */
    const char *text_field; /* jsonl: a path, or a comma-separated list of
                             * paths whose strings are joined by "\n" */
    const char *keep_field; /* jsonl: a path whose value is read (--keep) */
    bool html_hint;         /* look for <meta charset> when detecting */
    size_t max_record;      /* larger records are data errors, passed through (0: no limit) */
    bool strict;            /* invalid bytes stop the run: the command says so, not the reader */
    char **names;           /* the inputs as messages, ids (--input files) and
                             * records name them, if not the files read (a
                             * spooled copy of stdin is "-"); NULL: the files */
    bool quiet;             /* no messages about the input (a second pass over
                             * it): unreadable files, invalid bytes, damage */
} hf_reader_opts;

typedef struct hf_record {
    const char *raw;        /* bytes as read, without the terminator */
    size_t raw_len;
    const char *term;       /* terminator as read: "\n", "\0", "" at end of input */
    size_t term_len;
    const char *text;       /* the record's text as valid UTF-8 (jsonl: the text field) */
    size_t text_len;
    const char *utf8;       /* the whole record as valid UTF-8 (jsonl: the line) */
    size_t utf8_len;
    bool utf8_is_raw;       /* utf8 holds the bytes of raw (valid UTF-8 read as such) */
    size_t text_start, text_end; /* jsonl: byte span of the text value in utf8 */
    bool has_text_span;
    const char *id;         /* NUL-terminated */
    const char *file;       /* display name of the input */
    unsigned input;         /* index of the input in the list given to the reader */
    uint64_t line;          /* first line of the record in its file */
    uint64_t number;        /* 1-based record number over all inputs */
    size_t invalid;         /* invalid byte sequences replaced by U+FFFD */
    const char *error;      /* a data error in this record (malformed JSON...), or NULL */
    double keep_value;      /* keep_field: a number, an ISO-8601 date and time
                             * as seconds since 1970 (UTC), true 1, false 0 */
    int keep_state;         /* HF_KEEPV_* */
    bool oversize;          /* longer than max_record: raw holds its first
                             * max_record bytes, hf_reader_drain() the rest */
} hf_record;

typedef struct hf_reader hf_reader;

/* files: the input names ("-" is stdin), nfiles >= 1; each is read as it
 * is or, when its first bytes say it is gzip, zstd or xz, decompressed
 * (decompress.h).  Messages about unreadable files, read errors and
 * damaged compressed data are written to stderr by the reader itself (it
 * is part of the program, not the library) and counted in
 * hf_reader_errors(): the records before the damage are read, the one it
 * cut is not, and the message names its line in the decompressed text. */
int hf_reader_new(hf_reader **r, const hf_reader_opts *o, hanfold_ctx *ctx, char **files, int nfiles);
void hf_reader_free(hf_reader **r);
/* 1: a record in *rec (valid until the next call), 0: end of input,
 * <0: fatal error (message already printed). */
int hf_reader_next(hf_reader *r, hf_record *rec);
/* After an oversize record: hands the rest of it, terminator included, to
 * sink (NULL discards it), in bounded memory.  The next hf_reader_next()
 * discards whatever was not drained. */
void hf_reader_drain(hf_reader *r, void (*sink)(const void *p, size_t n, void *ud), void *ud);

/* Number of I/O errors (unreadable files, read errors) so far. */
unsigned hf_reader_errors(const hf_reader *r);
/* Total bytes read so far, and the total size of regular input files
 * (0 when unknown), for progress lines. */
uint64_t hf_reader_bytes(const hf_reader *r);

/* Finds the byte span of the value of top-level key `key` in the JSON
 * object text s (valid UTF-8, already known to parse).  Returns false if
 * absent.  The last occurrence wins, as in jansson. */
bool hf_json_value_span(const char *s, size_t n, const char *key, size_t *start, size_t *end);

/* Diagnostics of a record, on stderr, naming its file and line (normalize.c):
 * its data error; the stop of --strict at its invalid bytes. */
void hf_report_record_error(const hf_record *rec);
void hf_report_strict_stop(const hf_record *rec);

#endif
