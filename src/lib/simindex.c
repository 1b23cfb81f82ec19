/* index stage for --method simhash: an exact index of 64-bit SimHashes for
 * Hamming distance <= k.
 *
 * Blocks and tables (Manku, Jain and Das Sarma 2007, section 3): the 64 bits
 * are cut into four 16-bit blocks.  Two fingerprints at distance d differ in
 * at most floor(d / 4) bits in at least one block (pigeonhole), so a query
 * that looks up, for each block t, every fingerprint whose block t lies
 * within r = floor(k / 4) bits of its own finds all fingerprints within k:
 * one bucket per table for k <= 3, 17 (the block itself and its 16
 * one-bit neighbours) for k <= 7.  Table t files every fingerprint under its
 * block t (65536 buckets).
 *
 * Size and speed: a query reads whole buckets (at 10 million entries about
 * 150 per bucket, the cost that dominates), so a table stores per entry
 * little more than lets it reject the entry on the spot.  Table 0 stores
 * blocks 1-2 (4 bytes, read first), block 3 (2 bytes) and the caller's value
 * (8 bytes).  Tables 1-3 store block 0 and one more block (4 bytes): 32 bits
 * besides the bucket's own, within k of the query's for a random entry with
 * probability 1.3e-6 (k = 3).  2 bytes would not do: 16 bits are within 3
 * for 1 entry in 100, and each costs a lookup.  An entry that passes is
 * looked up in table 0, under its block 0, where all 64 bits and the value
 * are; one whose block 0 is within r of the query's was in a table-0 bucket
 * probed already and is skipped.  26 bytes per fingerprint in all.  The
 * four buckets of a query are prefetched before any is scanned: they are
 * far apart, and waiting for each in turn cost a quarter of the time.
 *
 * Buckets are slices of one array per table, each with some room to spare
 * (1/8 of its entries + 4).  When a bucket is full the table is laid out
 * again in place: the arrays grow (realloc, which for large blocks remaps
 * rather than copies) and the buckets move towards the end, last bucket
 * first, every bucket getting its new room.  No bucket ever shrinks, so no
 * bucket is moved onto one that has not moved yet.  Growing by 1/8 makes the
 * relayouts geometric: their total cost is a small multiple of the entries,
 * and the room to spare stays near 1/16 on average. */
#include "hanfold.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NBUCKETS 65536

/* One cache line serves four buckets' bookkeeping. */
typedef struct bucket {
    size_t start;      /* first slot */
    uint32_t count;    /* entries */
    uint32_t cap;      /* slots */
} bucket;

typedef struct table {
    bucket *b;         /* NBUCKETS */
    size_t slots;      /* sum of cap */
    uint32_t *w;       /* per slot: two blocks (see the top of the file) */
    uint16_t *h;       /* table 0 only: block 3 */
    uint64_t *val;     /* table 0 only: the caller's value */
} table;

struct hanfold_simindex {
    unsigned k;
    size_t n;
    table t[4];
};

/* The second block stored by table t (1-3) next to block 0. */
static const unsigned other_block[4] = {0, 2, 3, 1};

static inline unsigned block(uint64_t x, unsigned t)
{
    return (unsigned)(x >> (16 * t)) & 0xFFFF;
}

int hanfold_simindex_new(hanfold_simindex **out, unsigned k)
{
    if (k > HANFOLD_SIMINDEX_MAX_K)
        return -EINVAL;
    hanfold_simindex *ix = calloc(1, sizeof *ix);
    if (!ix)
        return -ENOMEM;
    ix->k = k;
    for (int t = 0; t < 4; t++) {
        table *tb = &ix->t[t];
        tb->b = calloc(NBUCKETS, sizeof *tb->b);
        if (!tb->b) {
            hanfold_simindex_free(&ix);
            return -ENOMEM;
        }
    }
    *out = ix;
    return 0;
}

void hanfold_simindex_free(hanfold_simindex **pix)
{
    if (!pix || !*pix)
        return;
    for (int t = 0; t < 4; t++) {
        table *tb = &(*pix)->t[t];
        free(tb->b);
        free(tb->w);
        free(tb->h);
        free(tb->val);
    }
    free(*pix);
    *pix = NULL;
}

size_t hanfold_simindex_count(const hanfold_simindex *ix)
{
    return ix->n;
}

static inline uint32_t room(uint32_t count)
{
    return count + count / 8 + 4;
}

/* Lays table tb out again with room in every bucket (see the top). */
static int relayout(table *tb, bool values)
{
    size_t slots = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        uint32_t c = room(tb->b[b].count);
        slots += c > tb->b[b].cap ? c : tb->b[b].cap;
    }
    uint32_t *w = realloc(tb->w, slots * sizeof *w);
    if (!w)
        return -ENOMEM;
    tb->w = w;
    if (values) {
        uint16_t *h = realloc(tb->h, slots * sizeof *h);
        if (!h)
            return -ENOMEM;
        tb->h = h;
        uint64_t *v = realloc(tb->val, slots * sizeof *v);
        if (!v)
            return -ENOMEM;
        tb->val = v;
    }
    size_t end = slots;
    for (size_t b = NBUCKETS; b-- > 0;) {
        bucket *bk = &tb->b[b];
        uint32_t c = room(bk->count);
        uint32_t cap = c > bk->cap ? c : bk->cap;
        size_t from = bk->start, to = end - cap, cnt = bk->count;
        if (to != from && cnt) {
            memmove(tb->w + to, tb->w + from, cnt * sizeof *tb->w);
            if (values) {
                memmove(tb->h + to, tb->h + from, cnt * sizeof *tb->h);
                memmove(tb->val + to, tb->val + from, cnt * sizeof *tb->val);
            }
        }
        bk->start = to;
        bk->cap = cap;
        end = to;
    }
    tb->slots = slots;
    return 0;
}

int hanfold_simindex_add(hanfold_simindex *ix, uint64_t simhash, uint64_t value)
{
    /* make room in all four tables before changing any, so that a failure
     * leaves the index as it was */
    for (unsigned t = 0; t < 4; t++) {
        table *tb = &ix->t[t];
        const bucket *bk = &tb->b[block(simhash, t)];
        if (bk->count == bk->cap && relayout(tb, t == 0))
            return -ENOMEM;
    }
    for (unsigned t = 0; t < 4; t++) {
        table *tb = &ix->t[t];
        bucket *bk = &tb->b[block(simhash, t)];
        size_t s = bk->start + bk->count++;
        if (t == 0) {
            tb->w[s] = (uint32_t)(simhash >> 16);
            tb->h[s] = (uint16_t)(simhash >> 48);
            tb->val[s] = value;
        } else {
            tb->w[s] = block(simhash, 0) | (uint32_t)block(simhash, other_block[t]) << 16;
        }
    }
    ix->n++;
    return 0;
}

typedef struct best {
    unsigned d;
    uint64_t v;
} best;

static inline void consider(best *b, unsigned d, uint64_t v)
{
    if (d < b->d || (d == b->d && v < b->v)) {
        b->d = d;
        b->v = v;
    }
}

/* Bucket probes within radius r of a block value: the value itself, then
 * its one-bit neighbours (r is 0 or 1). */
static inline unsigned probe(unsigned v, unsigned i)
{
    return i ? v ^ (1u << (i - 1)) : v;
}

/* The scans are the hot loops: popcount as one instruction where the CPU
 * has it (x86-64 without -mpopcnt would call a library routine). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HF_POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define HF_POPCNT_CLONES
#endif

/* Entries of table t (1-3) that may be within k of q over all 64 bits are
 * looked up in table 0, under their block 0, where the rest is. */
static inline void lookup0(const hanfold_simindex *ix, unsigned t, unsigned bt, uint32_t e, uint64_t q,
                           best *b)
{
    const table *t0 = &ix->t[0];
    unsigned b0 = e & 0xFFFF, bx = e >> 16, x = other_block[t], k = ix->k;
    const bucket *bk = &t0->b[b0];
    const uint32_t *w0 = t0->w + bk->start;
    const uint16_t *h0 = t0->h + bk->start;
    for (uint32_t s = 0; s < bk->count; s++) {
        uint64_t full = (uint64_t)b0 | (uint64_t)w0[s] << 16 | (uint64_t)h0[s] << 48;
        if (block(full, t) != bt || block(full, x) != bx)
            continue;
        unsigned d = (unsigned)__builtin_popcountll(full ^ q);
        if (d <= k)
            consider(b, d, t0->val[bk->start + s]);
    }
}

HF_POPCNT_CLONES
int hanfold_simindex_query(const hanfold_simindex *ix, uint64_t q, uint64_t *value, unsigned *dist)
{
    unsigned k = ix->k, r = k / 4, nprobe = r ? 17 : 1;
    unsigned qb[4] = {block(q, 0), block(q, 1), block(q, 2), block(q, 3)};
    /* what each table compares its stored 32 bits with */
    uint32_t qw[4];
    qw[0] = (uint32_t)(q >> 16);
    for (unsigned t = 1; t < 4; t++)
        qw[t] = qb[0] | (uint32_t)qb[other_block[t]] << 16;
    best b = {k + 1, UINT64_MAX};
    /* The query's buckets (4, or 68 for k >= 4) are far apart in memory:
     * fetch the bookkeeping of all, then their slices, before scanning any. */
    const bucket *bk[4][17];
    for (unsigned t = 0; t < 4; t++)
        for (unsigned i = 0; i < nprobe; i++) {
            bk[t][i] = &ix->t[t].b[probe(qb[t], i)];
            __builtin_prefetch(bk[t][i]);
        }
    for (unsigned t = 0; t < 4; t++)
        for (unsigned i = 0; i < nprobe; i++) {
            const char *p = (const char *)(ix->t[t].w + bk[t][i]->start);
            size_t bytes = bk[t][i]->count * sizeof *ix->t[t].w;
            for (size_t o = 0; o < bytes && o < 2048; o += 64)
                __builtin_prefetch(p + o);
        }
    for (unsigned t = 0; t < 4; t++) {
        const table *tb = &ix->t[t];
        for (unsigned i = 0; i < nprobe; i++) {
            unsigned p = probe(qb[t], i), dp = i != 0;
            const bucket *pb = bk[t][i];
            const uint32_t *w = tb->w + pb->start;
            for (uint32_t s = 0, n = pb->count; s < n; s++) {
                uint32_t e = w[s];
                unsigned d = dp + (unsigned)__builtin_popcount(e ^ qw[t]);
                if (d > k)
                    continue;
                if (t == 0) {
                    /* block 3 is in h: all 64 bits */
                    d += (unsigned)__builtin_popcount((unsigned)(tb->h[pb->start + s] ^ qb[3]));
                    if (d <= k)
                        consider(&b, d, tb->val[pb->start + s]);
                } else if ((unsigned)__builtin_popcount((e & 0xFFFF) ^ qb[0]) > r) {
                    /* (within r in block 0, it was in a table-0 bucket probed above) */
                    lookup0(ix, t, p, e, q, &b);
                }
            }
        }
    }
    if (b.d > k)
        return 0;
    *value = b.v;
    *dist = b.d;
    return 1;
}
