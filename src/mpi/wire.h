/* hanfold-mpi: what ranks send each other, and the small containers the
 * distributed index is made of. */
#ifndef HF_MPI_WIRE_H
#define HF_MPI_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#ifndef HANFOLD_EXPERT
#define HANFOLD_EXPERT /* hanfold_mix64 */
#endif
#include "hanfold.h"

/* A record's fingerprint as exchanged: this header, then fplen bytes of
 * the library's binary fingerprint (hanfold_fp_encode: the tokens of a
 * short key, the sketch entries), then msglen bytes of message (padded to
 * 8).  Every wire record is a multiple of 8 bytes long, so that records
 * can be read in place from any receive buffer.  key_tokens and key_hash
 * are repeated here because routing reads them without decoding. */
enum { ST_OK = 0, ST_BAD, ST_GARBAGE, ST_FATAL };

typedef struct wrec {
    uint64_t s;           /* stream index: position in the input, over all files */
    uint64_t key_hash;
    uint32_t key_tokens;
    uint32_t fplen;       /* bytes of binary fingerprint that follow (ST_OK), else 0;
                           * its sketch: all entries for records that keep a
                           * sketch, else the indexed ones */
    uint32_t msglen;      /* bytes of text that follow: the message of
                           * ST_GARBAGE / ST_FATAL, the row's id for ST_OK
                           * fingerprint rows */
    uint8_t nind;         /* the first nind sketch entries are indexed */
    uint8_t status;       /* ST_* */
    uint8_t pad[2];
} wrec;

static inline size_t wrec_pad8(size_t n) { return (n + 7) & ~(size_t)7; }

static inline size_t wrec_size(const wrec *w)
{
    return sizeof *w + w->fplen + wrec_pad8(w->msglen);
}

static inline const char *wrec_msg(const wrec *w)
{
    return (const char *)(w + 1) + w->fplen;
}

/* The fingerprint of a wire record, as the clusterer would see it: its
 * arrays point into the record (decoded in place). */
hanfold_fp wrec_fp(const wrec *w);

static inline const uint64_t *wrec_sketch(const wrec *w)
{
    return wrec_fp(w).sketch;
}

/* Appends fp (record s) to b in wire form.  Returns 0 or -ENOMEM. */
int wrec_put(hf_buf *b, uint64_t s, const hanfold_fp *fp, int status, const char *msg, size_t msglen);

/* Open addressing, 64-bit key -> 64-bit value and a 32-bit count; at most
 * half full.  The key 0 is stored like any other (a separate used flag). */
typedef struct map64_entry {
    uint64_t key, val;
    uint32_t cnt;
    uint32_t used;
} map64_entry;

typedef struct map64 {
    map64_entry *e;   /* one cache line holds a probe's whole entry */
    size_t size, n;
} map64;

void map64_free(map64 *m);
/* The slot of key, created (val 0, cnt 0) when absent; SIZE_MAX on -ENOMEM.
 * *fresh tells which. */
size_t map64_put(map64 *m, uint64_t key, bool *fresh);
/* The slot of key or SIZE_MAX. */
size_t map64_get(const map64 *m, uint64_t key);
void map64_clear(map64 *m);

#endif
