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
 * Size: a table only has to let the query compute distances without
 * touching memory elsewhere, so what it stores is the blocks the bucket
 * does not say.  Table 0 stores blocks 1-3 (6 bytes) and the caller's value
 * (8 bytes).  Tables 1-3 store two blocks only, block 0 and one more
 * (4 bytes): with the bucket's block that is 48 of the 64 bits, and a
 * distance <= k over 48 bits is what a random pair almost never has
 * (probability ~10^-10 for k = 3), so an entry that passes is looked up
 * again in table 0, under its block 0, where all 64 bits and the value are.
 * An entry whose block 0 is within r of the query's was seen in table 0
 * already and is skipped.  26 bytes per fingerprint in all.
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

typedef struct table {
    size_t *start;     /* per bucket: its first slot */
    uint32_t *count;   /* per bucket: entries */
    uint32_t *cap;     /* per bucket: slots */
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
        tb->start = calloc(NBUCKETS, sizeof *tb->start);
        tb->count = calloc(NBUCKETS, sizeof *tb->count);
        tb->cap = calloc(NBUCKETS, sizeof *tb->cap);
        if (!tb->start || !tb->count || !tb->cap) {
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
        free(tb->start);
        free(tb->count);
        free(tb->cap);
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
        uint32_t c = room(tb->count[b]);
        slots += c > tb->cap[b] ? c : tb->cap[b];
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
        uint32_t c = room(tb->count[b]);
        uint32_t cap = c > tb->cap[b] ? c : tb->cap[b];
        size_t from = tb->start[b], to = end - cap, cnt = tb->count[b];
        if (to != from && cnt) {
            memmove(tb->w + to, tb->w + from, cnt * sizeof *tb->w);
            if (values) {
                memmove(tb->h + to, tb->h + from, cnt * sizeof *tb->h);
                memmove(tb->val + to, tb->val + from, cnt * sizeof *tb->val);
            }
        }
        tb->start[b] = to;
        tb->cap[b] = cap;
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
        unsigned b = block(simhash, t);
        if (tb->count[b] == tb->cap[b] && relayout(tb, t == 0))
            return -ENOMEM;
    }
    for (unsigned t = 0; t < 4; t++) {
        table *tb = &ix->t[t];
        unsigned b = block(simhash, t);
        size_t s = tb->start[b] + tb->count[b]++;
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

HF_POPCNT_CLONES
int hanfold_simindex_query(const hanfold_simindex *ix, uint64_t q, uint64_t *value, unsigned *dist)
{
    unsigned k = ix->k, r = k / 4, nprobe = r ? 17 : 1;
    unsigned qb[4] = {block(q, 0), block(q, 1), block(q, 2), block(q, 3)};
    best b = {k + 1, UINT64_MAX};
    /* table 0: all 64 bits are at hand */
    const table *t0 = &ix->t[0];
    uint32_t qw0 = (uint32_t)(q >> 16);
    for (unsigned i = 0; i < nprobe; i++) {
        unsigned p = probe(qb[0], i), d0 = i != 0;
        const uint32_t *w = t0->w + t0->start[p];
        const uint16_t *h = t0->h + t0->start[p];
        for (uint32_t s = 0, n = t0->count[p]; s < n; s++) {
            unsigned d = d0 + (unsigned)__builtin_popcount(w[s] ^ qw0);
            if (d > k)
                continue;
            d += (unsigned)__builtin_popcount((unsigned)(h[s] ^ qb[3]));
            if (d <= k)
                consider(&b, d, t0->val[t0->start[p] + s]);
        }
    }
    /* tables 1-3: 48 bits here, the rest in table 0 */
    for (unsigned t = 1; t < 4; t++) {
        const table *tb = &ix->t[t];
        unsigned x = other_block[t];
        uint32_t qw = qb[0] | (uint32_t)qb[x] << 16;
        for (unsigned i = 0; i < nprobe; i++) {
            unsigned p = probe(qb[t], i), dt = i != 0;
            const uint32_t *w = tb->w + tb->start[p];
            for (uint32_t s = 0, n = tb->count[p]; s < n; s++) {
                uint32_t e = w[s];
                if (dt + (unsigned)__builtin_popcount(e ^ qw) > k)
                    continue;
                unsigned b0 = e & 0xFFFF, bx = e >> 16;
                if ((unsigned)__builtin_popcount(b0 ^ qb[0]) <= r)
                    continue; /* its table-0 bucket was probed above */
                /* look it up in table 0 under its block 0 */
                const uint32_t *w0 = t0->w + t0->start[b0];
                const uint16_t *h0 = t0->h + t0->start[b0];
                for (uint32_t s0 = 0, n0 = t0->count[b0]; s0 < n0; s0++) {
                    uint64_t full = (uint64_t)b0 | (uint64_t)w0[s0] << 16 | (uint64_t)h0[s0] << 48;
                    if (block(full, t) != p || block(full, x) != bx)
                        continue;
                    unsigned d = (unsigned)__builtin_popcountll(full ^ q);
                    if (d <= k)
                        consider(&b, d, t0->val[t0->start[b0] + s0]);
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
