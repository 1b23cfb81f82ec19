/* A compact multimap from 64-bit hashes to 32-bit values (cluster.c: the
 * candidate index and the exact-key table).
 *
 * An entry is one 32-bit word: the value in the high bits and, in the low
 * `check` bits, bits of the hash that the bucket number does not already
 * say.  Nothing else is kept, so 2^-(bucket bits + check bits) of the
 * entries of a probed bucket are false matches: callers confirm what
 * matters (the clusterer verifies every candidate, and compares whole key
 * hashes for exact keys).  As values grow the check bits shrink (the
 * entries are re-encoded in place), and as entries grow the buckets split
 * in two, one at a time in order (linear hashing, Litwin 1980): a bucket
 * holds about 32 entries on average (two cache lines to scan), and a split
 * moves one bucket's entries.  A split bucket is addressed by one more bit
 * of the hash and its entries keep one check bit fewer, so the same bits of
 * the hash are compared in every bucket, and no entry is rewritten when a
 * round of splits completes.  About 30 bits of the hash are compared up to
 * a few hundred million entries. */
#ifndef HF_POSTINGS_H
#define HF_POSTINGS_H

#include <stddef.h>
#include <stdint.h>

#ifndef HANFOLD_EXPERT
#define HANFOLD_EXPERT /* hanfold_mix64: the buckets, and hanfold-mpi's hash owners */
#endif
#include "hanfold.h"

/* A bucket: its entries are in a block of the arena, whose size follows
 * from the count (hf_pblock_granules), so nothing else is kept. */
typedef struct hf_pbucket {
    uint32_t at;     /* the block (chunk << HF_PREF_SHIFT | granule), when count > 0 */
    uint32_t count;
} hf_pbucket;

/* A block reference: chunk number, then granule in the chunk. */
#define HF_PREF_SHIFT 16
#define HF_PREF_GRANULE ((1u << HF_PREF_SHIFT) - 1)

/* Blocks are cut from 1 MB chunks in 16-byte granules; a block larger than
 * HF_PBLOCK_MAX granules (a hash entered for tens of thousands of values)
 * has a chunk of its own.  A block that a bucket outgrows goes on the free
 * list of its size, and the next bucket to reach that size takes it: no
 * allocator headers, no calls to malloc per block. */
#ifndef HF_PCHUNK_GRANULES /* tests lower both, to make every path common */
#define HF_PCHUNK_GRANULES 65536u
#define HF_PBLOCK_MAX 4096u
#endif

typedef struct hf_postings {
    hf_pbucket *b;   /* 2^bits + split buckets */
    unsigned bits;   /* buckets below `split` and from 2^bits are addressed
                      * by bits + 1 bits of the hash, the others by bits */
    size_t split;    /* the next bucket to split */
    unsigned check;  /* check bits per entry; values have 32 - check bits */
    size_t n;        /* entries */
    uint32_t **chunk;        /* chunk[i]: HF_PCHUNK_GRANULES, or one large block; NULL when free */
    uint32_t nchunks, chunks_cap, holes;  /* holes: NULL entries below nchunks */
    uint32_t nregular;       /* chunks of HF_PCHUNK_GRANULES */
    uint32_t cur, used;      /* the chunk blocks are cut from, and its granules used */
    size_t free_g;           /* granules in free blocks */
    size_t compactions;
    uint32_t *free_head;     /* per size in granules (<= HF_PBLOCK_MAX): a free block or UINT32_MAX */
    size_t bytes;            /* chunks allocated */
    /* hashes that hf_postings_find_capped() found over its cap (mixed, 0:
     * empty slot), so that it answers them without a scan: an entry is
     * never taken out, so a count only grows */
    uint64_t *sat;
    size_t nsat, sat_cap;
} hf_postings;

/* The entries of block `at`. */
static inline uint32_t *hf_postings_block(const hf_postings *p, uint32_t at)
{
    return p->chunk[at >> HF_PREF_SHIFT] + (size_t)(at & HF_PREF_GRANULE) * 4;
}

/* The bucket of mixed hash x. */
static inline hf_pbucket *hf_postings_bucket(const hf_postings *p, uint64_t x)
{
    size_t i = x & (((size_t)1 << p->bits) - 1);
    if (i < p->split)
        i = x & (((size_t)2 << p->bits) - 1);
    return &p->b[i];
}

/* Starts loading what a lookup of h reads: stage 0 its bucket's
 * descriptor, stage 1 (after stage 0, when the descriptor has arrived) its
 * first entries.  Run both stages for all the hashes of a query before
 * looking any of them up, and the cache misses of the lookups overlap
 * instead of following one another (a third of the time of clustering 3M
 * records).  Always inlined: GCC finds a function that only prefetches
 * "pure", and drops the calls of one it did not inline. */
__attribute__((always_inline)) static inline void hf_postings_prefetch(const hf_postings *p, uint64_t h, int stage)
{
    if (!p->b)
        return;
    const hf_pbucket *b = hf_postings_bucket(p, hanfold_mix64(h));
    if (stage == 0) {
        __builtin_prefetch(b);
    } else if (b->count) {
        /* every line of the bucket (a long one is scanned long anyway) */
        const uint32_t *e = hf_postings_block(p, b->at);
        uint32_t n = b->count < 128 ? b->count : 128;
        for (uint32_t i = 0; i < n; i += 16)
            __builtin_prefetch(e + i);
        __builtin_prefetch(e + n - 1);
    }
}

/* Enters value under h.  0, -ENOMEM. */
int hf_postings_add(hf_postings *p, uint64_t h, uint32_t value);
/* The values entered under h (and rarely others), in the order entered;
 * *count gets how many.  The pointer is to scratch that the next call
 * overwrites; NULL with *count 0 when none (or out of memory: *count is
 * then SIZE_MAX). */
const uint32_t *hf_postings_find(const hf_postings *p, uint64_t h, uint32_t **scratch,
                                 size_t *scratch_cap, size_t *count);
/* hf_postings_find() for a caller that ignores a hash entered more than
 * cap times (the clusterer's posting cap): then *count is cap + 1 or more
 * and nothing is copied, and a hash found over the cap once is answered
 * from then on without scanning its bucket, so that a hash every record
 * has (a long phrase they all share) costs no more than a rare one. */
const uint32_t *hf_postings_find_capped(hf_postings *p, uint64_t h, size_t cap, uint32_t **scratch,
                                        size_t *scratch_cap, size_t *count);
/* Bytes allocated. */
size_t hf_postings_bytes(const hf_postings *p);
void hf_postings_free(hf_postings *p);

#endif
