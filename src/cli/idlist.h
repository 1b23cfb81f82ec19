/* The ids of some records, found by record number: what a streaming run
 * keeps of the representatives, whose ids label the later records of their
 * clusters.
 *
 * Numbers come in ascending order.  Per number seen there is one bit (is it
 * in the list?), and per 32 numbers the offset of the id of the first
 * member among them or after them: under half a byte per record besides
 * the ids themselves (a table of number and offset per member took 16
 * bytes).  A lookup reads the number's bit word and its offset, which do
 * not depend on each other, then skips the ids of at most 31 members. */
#ifndef HF_IDLIST_H
#define HF_IDLIST_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct hf_idlist {
    uint64_t *bits;     /* member numbers */
    uint64_t *off;      /* per 32 numbers: offset of the next member's id */
    size_t words, wcap; /* words of bits in use (numbers below 64 * words seen), allocated */
    size_t blocks;      /* entries of off set (numbers below 32 * blocks seen) */
    hf_buf ids;         /* the ids, NUL-terminated, in number order */
    size_t n;           /* members */
    uint64_t last;      /* the last number added, or UINT64_MAX */
} hf_idlist;

#define HF_IDLIST_INIT {.last = UINT64_MAX}

/* Adds `number` (greater than any added before) with its id.  0, -ENOMEM,
 * -EINVAL (number not ascending). */
int hf_idlist_add(hf_idlist *l, uint64_t number, const char *id);
/* The id of `number`, or NULL when it was not added. */
const char *hf_idlist_get(const hf_idlist *l, uint64_t number);
/* Bytes allocated. */
size_t hf_idlist_bytes(const hf_idlist *l);
void hf_idlist_free(hf_idlist *l);

#endif
