/* Parallel normalization in input order.
 *
 * The main thread reads a batch of records (copies), worker threads each with
 * their own hanfold context normalize and fingerprint a share of it, and the
 * main thread then consumes the results in input order.  Clustering, output
 * and everything else that depends on order stay on the main thread. */
#ifndef HF_BATCH_H
#define HF_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hanfold.h"
#include "records.h"

typedef struct hf_item {
    /* the record, copied */
    hf_record rec;        /* pointers below point into the item's buffers */
    hf_buf raw, text, id, utf8;
    /* results */
    char recerr[256];     /* the record's data error, copied */
    int err;              /* 0, or a negative errno from the library */
    char errmsg[256];
    char warn[256];       /* hanfold_ctx_warning(), "" if none */
    uint64_t warn_line;   /* its line within the record's text */
    hf_buf out;           /* readable text or key (normalize) */
    hf_buf key;           /* key (fingerprints; a fingerprint row's, if any) */
    hf_buf fpid;          /* HF_BATCH_FPROW: the row's id */
    const char *fprow_err; /* HF_BATCH_FPROW: why the row is no fingerprint row */
    hf_buf snip;          /* report: start of the readable text */
    hanfold_fp fp;        /* arrays point into the buffers below */
    uint32_t *tokens;
    uint64_t *sketch;
    size_t tokens_cap, sketch_cap;
} hf_item;

typedef struct hf_batch hf_batch;

enum {
    HF_BATCH_TEXT = 1,    /* item.out = readable text */
    HF_BATCH_KEY = 2,     /* item.out = key */
    HF_BATCH_FP = 4,      /* item.fp (and item.key) */
    HF_BATCH_SNIP = 8,    /* item.snip */
    HF_BATCH_ROW = 16,    /* with HF_BATCH_FP: only what a fingerprint row
                           * shows (no sketch for a key kept whole) */
    HF_BATCH_FPROW = 32,  /* the record is a fingerprint row: item.fp, .fpid,
                           * .key from it, or item.fprow_err */
    HF_BATCH_FPSIM = 64,  /* with HF_BATCH_FPROW: only the SimHash, key hash
                           * and key length (--method simhash) */
};

/* threads >= 1; one context per thread is made from settings.  Returns 0,
 * -ENOMEM, or an OpenCC error (message in err). */
int hf_batch_new(hf_batch **b, unsigned threads, const hanfold_settings *s, unsigned what,
                 char *err, size_t errsz);
void hf_batch_free(hf_batch **b);
/* The context of the main thread (for decoding in the reader). */
hanfold_ctx *hf_batch_ctx(hf_batch *b);
/* Adds a copy of rec; returns 0 or -ENOMEM.  An oversize record is not
 * copied: it must end the batch, which must be run and consumed before the
 * reader is used again (its bytes stay in the reader's buffer). */
int hf_batch_add(hf_batch *b, const hf_record *rec);
/* True when the batch is full and should be run. */
bool hf_batch_full(const hf_batch *b);
/* Adds records from rd until the batch is full, the input ends (*r <= 0,
 * as hf_reader_next() returned) or an oversize record was added
 * (*oversize).  0 or -ENOMEM. */
int hf_batch_fill(hf_batch *b, hf_reader *rd, int *r, bool *oversize);
size_t hf_batch_count(const hf_batch *b);
/* Processes the records added since the last run; then items 0..count-1
 * are valid until the next hf_batch_add after hf_batch_clear. */
void hf_batch_run(hf_batch *b);
hf_item *hf_batch_item(hf_batch *b, size_t i);
void hf_batch_clear(hf_batch *b);
/* Pipelined use, for a consumer that is slower than the reader (clustering
 * fingerprint rows): hf_batch_start() hands the records added so far to
 * the worker threads (not the calling one) and returns; new records then
 * go to a second set.  hf_batch_wait() waits for the started set, whose
 * items hf_batch_count() and hf_batch_item() then give until
 * hf_batch_clear().  So one set is consumed while the other is processed:
 *   add...; start; loop { add... (next set); wait; start; consume; clear }
 * With one thread, start processes at once.
 * hf_batch_turn() is the middle of that loop for two threads or more: it
 * waits for the started set (with help, the calling thread first takes
 * items of it too, beside the workers: for a consumer quicker than the
 * processing), starts the records added since, and tells whether a set is
 * ready to consume; hf_batch_inflight() whether one was started:
 *   loop { add... (next set); if (turn) { consume; clear } } */
void hf_batch_start(hf_batch *b);
void hf_batch_wait(hf_batch *b);
bool hf_batch_turn(hf_batch *b, bool help);
bool hf_batch_inflight(const hf_batch *b);
/* Records added and not yet run or started; threads working (1 = only the
 * calling one). */
size_t hf_batch_pending(const hf_batch *b);
unsigned hf_batch_threads(const hf_batch *b);
/* Counters summed over the contexts of all threads. */
void hf_batch_stats(hf_batch *b, hanfold_stats *st);

#endif
