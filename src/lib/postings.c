/* Compact hash -> value multimap; see postings.h. */
#include "postings.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_BITS 8
#define INITIAL_CHECK 22   /* values below 2^10 at first */
#define LOAD 32            /* a bucket splits when the average passes this */

/* bits < 32: check bits never exceed INITIAL_CHECK, bucket bits stop
 * growing when the check bits run out */
static inline uint32_t lowmask(unsigned bits)
{
    return (1u << bits) - 1;
}

static inline size_t nbuckets(const hf_postings *p)
{
    return ((size_t)1 << p->bits) + p->split;
}

/* ---- blocks ------------------------------------------------------------------ */

#define NO_BLOCK UINT32_MAX
_Static_assert(HF_PCHUNK_GRANULES <= HF_PREF_GRANULE + 1, "a granule number fits its bits");
_Static_assert(HF_PBLOCK_MAX < HF_PCHUNK_GRANULES, "a block fits a chunk");
#define COMPACT_MIN (HF_PCHUNK_GRANULES / 4)

/* Granules of the block of a bucket of `count` entries (count >= 1): the
 * entries rounded up to 16 bytes, and past 16 granules to one of 8 sizes
 * per doubling, so that a growing bucket moves every 1/8 to 1/16 of its
 * size. */
static inline uint32_t block_granules(uint32_t count)
{
    uint32_t g = (uint32_t)(((uint64_t)count + 3) / 4);
    if (g <= 16)
        return g;
    uint32_t step = 1u << (28 - __builtin_clz(g));
    return (g + step - 1) & ~(step - 1);
}

/* A free place in the chunk table; *idx gets it.  0 or -ENOMEM. */
static int chunk_slot(hf_postings *p, uint32_t *idx)
{
    for (uint32_t i = 0; p->holes && i < p->nchunks; i++) {
        if (!p->chunk[i]) {
            p->holes--;
            *idx = i;
            return 0;
        }
    }
    if (p->nchunks == p->chunks_cap) {
        /* block references have 32 - HF_PREF_SHIFT bits for the chunk */
        if (p->chunks_cap >= (1u << (32 - HF_PREF_SHIFT)))
            return -ENOMEM;
        uint32_t nc = p->chunks_cap ? 2 * p->chunks_cap : 64;
        uint32_t **t = realloc(p->chunk, nc * sizeof *t);
        if (!t)
            return -ENOMEM;
        p->chunk = t;
        p->chunks_cap = nc;
    }
    *idx = p->nchunks++;
    p->chunk[*idx] = NULL;
    return 0;
}

static void block_free(hf_postings *p, uint32_t at, uint32_t g)
{
    if (g > HF_PBLOCK_MAX) {
        free(p->chunk[at >> HF_PREF_SHIFT]);
        p->chunk[at >> HF_PREF_SHIFT] = NULL;
        p->holes++;
        p->bytes -= (size_t)g * 16;
        return;
    }
    *hf_postings_block(p, at) = p->free_head[g];
    p->free_head[g] = at;
    p->free_g += g;
}

/* A chunk of g granules in a free place of the chunk table; *idx gets
 * it.  0 or -ENOMEM. */
static int chunk_new(hf_postings *p, uint32_t g, uint32_t *idx)
{
    if (chunk_slot(p, idx))
        return -ENOMEM;
    if (!(p->chunk[*idx] = malloc((size_t)g * 16))) {
        p->holes++;
        return -ENOMEM;
    }
    p->bytes += (size_t)g * 16;
    return 0;
}

/* A block of g granules; *at gets it.  0 or -ENOMEM. */
static int block_alloc(hf_postings *p, uint32_t g, uint32_t *at)
{
    uint32_t idx;
    if (g > HF_PBLOCK_MAX) {
        if (chunk_new(p, g, &idx))
            return -ENOMEM;
        *at = idx << HF_PREF_SHIFT;
        return 0;
    }
    if (p->free_head[g] != NO_BLOCK) {
        *at = p->free_head[g];
        p->free_head[g] = *hf_postings_block(p, *at);
        p->free_g -= g;
        return 0;
    }
    if (p->used + g > HF_PCHUNK_GRANULES) {
        if (chunk_new(p, HF_PCHUNK_GRANULES, &idx))
            return -ENOMEM;
        p->nregular++;
        /* the rest of the old chunk (less than g) is a free block like any
         * other; none before the first chunk (used starts full) */
        uint32_t rest = HF_PCHUNK_GRANULES - p->used;
        if (rest)
            block_free(p, p->cur << HF_PREF_SHIFT | p->used, rest);
        p->cur = idx;
        p->used = 0;
    }
    *at = p->cur << HF_PREF_SHIFT | p->used;
    p->used += g;
    return 0;
}

/* Moves bucket b's `keep` first entries to a block of g granules (its
 * block has og).  0 or -ENOMEM (b unchanged). */
static int block_move(hf_postings *p, hf_pbucket *b, uint32_t og, uint32_t g, uint32_t keep)
{
    if (og > HF_PBLOCK_MAX && g > HF_PBLOCK_MAX) {
        uint32_t *e = realloc(p->chunk[b->at >> HF_PREF_SHIFT], (size_t)g * 16);
        if (!e)
            return g < og ? 0 : -ENOMEM; /* a smaller size: the larger block serves */
        p->chunk[b->at >> HF_PREF_SHIFT] = e;
        p->bytes += (size_t)g * 16;
        p->bytes -= (size_t)og * 16;
        return 0;
    }
    if (g < og && og <= HF_PBLOCK_MAX) {
        /* shrink in place: the tail is free */
        block_free(p, b->at + g, og - g);
        return 0;
    }
    uint32_t at;
    if (block_alloc(p, g, &at))
        return -ENOMEM;
    if (keep)
        memcpy(hf_postings_block(p, at), hf_postings_block(p, b->at), (size_t)keep * sizeof(uint32_t));
    if (og)
        block_free(p, b->at, og);
    b->at = at;
    return 0;
}

/* Granules of regular chunks in blocks that buckets hold. */
static size_t live_granules(const hf_postings *p)
{
    return (size_t)p->nregular * HF_PCHUNK_GRANULES - p->free_g - (HF_PCHUNK_GRANULES - p->used);
}

/* Slides every block of the regular chunks down to the start of the
 * chunks, in chunk and then address order, so that free blocks (blocks
 * outgrown, tails of split buckets) become one free end; the chunks past
 * it are given back.  Free blocks are reused only by buckets of exactly
 * their size, and the sizes in use shift as a round of splits progresses:
 * without this, half the memory ends up free.  A block never moves up, so
 * this needs no room besides a bit per granule (where blocks start): while
 * it runs, a block's first entry is kept in its bucket's `at` and the
 * bucket's number in the block.  Returns quietly when the bits cannot be
 * allocated. */
static void compact(hf_postings *p)
{
    size_t nb = nbuckets(p);
    uint32_t nc = p->nchunks;
    const size_t words = HF_PCHUNK_GRANULES / 64;
    uint8_t *own = calloc(nc, 1); /* a bucket's block of its own */
    uint64_t *start = calloc((size_t)nc * words, sizeof *start);
    if (!own || !start)
        goto out;
    for (size_t i = 0; i < nb; i++) {
        hf_pbucket *b = &p->b[i];
        if (!b->count)
            continue;
        if (block_granules(b->count) > HF_PBLOCK_MAX) {
            own[b->at >> HF_PREF_SHIFT] = 1;
            continue;
        }
        uint32_t *e = hf_postings_block(p, b->at), g = b->at & HF_PREF_GRANULE;
        start[(size_t)(b->at >> HF_PREF_SHIFT) * words + g / 64] |= 1ULL << (g % 64);
        b->at = e[0];
        e[0] = (uint32_t)i;
    }
    uint32_t dc = 0, dg = 0;
    while (dc < nc && (!p->chunk[dc] || own[dc]))
        dc++;
    for (uint32_t c = dc; c < nc; c++) {
        if (!p->chunk[c] || own[c])
            continue;
        const uint64_t *w = start + (size_t)c * words;
        for (uint32_t k = 0; k < words; k++) {
            for (uint64_t m = w[k]; m; m &= m - 1) {
                uint32_t from = c << HF_PREF_SHIFT | (k * 64 + (uint32_t)__builtin_ctzll(m));
                uint32_t *e = hf_postings_block(p, from);
                hf_pbucket *b = &p->b[e[0]];
                uint32_t first = b->at, bg = block_granules(b->count);
                if (dg + bg > HF_PCHUNK_GRANULES) {
                    do
                        dc++;
                    while (!p->chunk[dc] || own[dc]);
                    dg = 0;
                }
                uint32_t to = dc << HF_PREF_SHIFT | dg;
                uint32_t *d = hf_postings_block(p, to);
                if (to != from)
                    memmove(d, e, (size_t)b->count * sizeof *e);
                d[0] = first;
                b->at = to;
                dg += bg;
            }
        }
    }
    for (uint32_t c = dc + 1; c < nc; c++) {
        if (p->chunk[c] && !own[c]) {
            free(p->chunk[c]);
            p->chunk[c] = NULL;
            p->holes++;
            p->nregular--;
            p->bytes -= (size_t)HF_PCHUNK_GRANULES * 16;
        }
    }
    if (dc < nc) {
        p->cur = dc;
        p->used = dg;
    }
    for (uint32_t g = 0; g <= HF_PBLOCK_MAX; g++)
        p->free_head[g] = NO_BLOCK;
    p->free_g = 0;
    p->compactions++;
out:
    free(own);
    free(start);
}

/* Check bits of the entries of a bucket addressed by bits + 1 bits of the
 * hash (deep) or by bits: a split spends one (the bit that decided which
 * half an entry went to) of the entries of the bucket it splits. */
static inline unsigned width(const hf_postings *p, bool deep)
{
    return deep ? (p->check ? p->check - 1 : 0) : p->check;
}

static inline bool is_deep(const hf_postings *p, size_t i)
{
    return i < p->split || i >> p->bits;
}

/* The bucket of mixed hash x; *shift gets where its check bits start in x,
 * *c how many there are. */
static inline hf_pbucket *locate(const hf_postings *p, uint64_t x, unsigned *shift, unsigned *c)
{
    size_t i = x & (((size_t)1 << p->bits) - 1);
    bool deep = i < p->split;
    if (deep)
        i = x & (((size_t)2 << p->bits) - 1);
    *shift = p->bits + deep;
    *c = width(p, deep);
    return &p->b[i];
}

/* One check bit fewer, dropping the highest: values get one more bit. */
static void narrow(hf_postings *p)
{
    for (size_t i = 0; i < nbuckets(p); i++) {
        hf_pbucket *b = &p->b[i];
        unsigned c = width(p, is_deep(p, i));
        if (!b->count || !c)
            continue;
        uint32_t *e = hf_postings_block(p, b->at);
        for (uint32_t k = 0; k < b->count; k++)
            e[k] = (e[k] >> c) << (c - 1) | (e[k] & lowmask(c - 1));
    }
    p->check--;
}

/* Splits bucket `split` into itself and bucket split + 2^bits by the
 * entries' lowest check bit (bit `bits` of the mixed hash), which the
 * bucket number now says: the entries of both lose it.  When every bucket
 * is split, all entries are as those of a round with one more bucket bit
 * and one check bit fewer: none is rewritten. */
static int split_one(hf_postings *p)
{
    size_t half = (size_t)1 << p->bits, s = p->split;
    if (s == 0) {
        /* a new round: room for twice the buckets (pages are touched as
         * the splits reach them) */
        hf_pbucket *b = realloc(p->b, 2 * half * sizeof *b);
        if (!b)
            return -ENOMEM;
        p->b = b;
    }
    unsigned c = p->check;
    hf_pbucket *lo = &p->b[s], *hi = &p->b[s + half];
    uint32_t *le = lo->count ? hf_postings_block(p, lo->at) : NULL;
    uint32_t ones = 0;
    for (uint32_t k = 0; k < lo->count; k++)
        ones += le[k] & 1;
    memset(hi, 0, sizeof *hi);
    uint32_t *he = NULL;
    if (ones) {
        if (block_alloc(p, block_granules(ones), &hi->at))
            return -ENOMEM;
        he = hf_postings_block(p, hi->at);
    }
    uint32_t keep = 0;
    for (uint32_t k = 0; k < lo->count; k++) {
        uint32_t e = le[k], to = (e >> c) << (c - 1) | (e & lowmask(c)) >> 1;
        if (e & 1)
            he[hi->count++] = to;
        else
            le[keep++] = to;
    }
    if (ones) {
        /* give back what moved: the next split's new bucket is about its size */
        uint32_t og = block_granules(lo->count);
        lo->count = keep;
        if (!keep)
            block_free(p, lo->at, og);
        else if (block_move(p, lo, og, block_granules(keep), keep))
            return -ENOMEM;
    }
    if (++p->split == half) {
        p->bits++;
        p->split = 0;
        p->check = c - 1;
    }
    return 0;
}

int hf_postings_add(hf_postings *p, uint64_t h, uint32_t value)
{
    if (!p->b) {
        p->free_head = malloc((HF_PBLOCK_MAX + 1) * sizeof *p->free_head);
        p->b = calloc((size_t)1 << INITIAL_BITS, sizeof *p->b);
        if (!p->b || !p->free_head) {
            hf_postings_free(p);
            return -ENOMEM;
        }
        for (uint32_t g = 0; g <= HF_PBLOCK_MAX; g++)
            p->free_head[g] = NO_BLOCK;
        p->used = HF_PCHUNK_GRANULES; /* no chunk yet */
        p->bits = INITIAL_BITS;
        p->split = 0;
        p->check = INITIAL_CHECK;
    }
    while (p->check && (value >> (32 - p->check)))
        narrow(p);
    /* a split needs a check bit to spend; past that buckets just grow */
    if (p->n >= LOAD * nbuckets(p) && p->check > 1) {
        int e = split_one(p);
        if (e)
            return e;
    }
    /* more than an eighth of the blocks' memory free: compact */
    if (p->free_g > COMPACT_MIN && p->free_g > live_granules(p) / 8)
        compact(p);
    uint64_t x = hanfold_mix64(h);
    unsigned shift, c;
    hf_pbucket *b = locate(p, x, &shift, &c);
    if (b->count == UINT32_MAX)
        return -ENOMEM;
    uint32_t og = b->count ? block_granules(b->count) : 0, g = block_granules(b->count + 1);
    if (g != og && block_move(p, b, og, g, b->count))
        return -ENOMEM;
    uint32_t chk = (uint32_t)(x >> shift) & lowmask(c);
    hf_postings_block(p, b->at)[b->count++] = value << c | chk;
    p->n++;
    return 0;
}

/* The slot of mixed hash x in the saturated set, or of the empty slot
 * where it would go (sat_cap a power of two, never full). */
static size_t sat_slot(const hf_postings *p, uint64_t x)
{
    size_t m = p->sat_cap - 1, i = (size_t)(x >> 7) & m;
    while (p->sat[i] && p->sat[i] != x)
        i = (i + 1) & m;
    return i;
}

static void sat_add(hf_postings *p, uint64_t x)
{
    if (!x)
        return; /* 0 marks an empty slot: such a hash is just scanned */
    if (2 * (p->nsat + 1) > p->sat_cap) {
        size_t nc = p->sat_cap ? 2 * p->sat_cap : 64;
        uint64_t *old = p->sat, *ns = calloc(nc, sizeof *ns);
        if (!ns)
            return; /* a cache: without it the answer is the same, only slower */
        size_t oc = p->sat_cap;
        p->sat = ns;
        p->sat_cap = nc;
        for (size_t i = 0; i < oc; i++)
            if (old[i])
                p->sat[sat_slot(p, old[i])] = old[i];
        free(old);
    }
    size_t i = sat_slot(p, x);
    if (!p->sat[i]) {
        p->sat[i] = x;
        p->nsat++;
    }
}

/* hf_postings_find() of mixed hash x; over cap entries it only counts them (no copy). */
static const uint32_t *find(const hf_postings *p, uint64_t x, size_t cap, uint32_t **scratch,
                            size_t *scratch_cap, size_t *count)
{
    unsigned shift, c;
    const hf_pbucket *b = locate(p, x, &shift, &c);
    if (!b->count)
        return NULL;
    if (b->count > *scratch_cap) {
        uint32_t *s = realloc(*scratch, b->count * sizeof *s);
        if (!s) {
            *count = SIZE_MAX;
            return NULL;
        }
        *scratch = s;
        *scratch_cap = b->count;
    }
    uint32_t m = lowmask(c), chk = (uint32_t)(x >> shift) & m;
    /* most probes find nothing: count first, four entries at a time */
    typedef uint32_t v4u __attribute__((vector_size(16)));
    typedef int32_t v4i __attribute__((vector_size(16)));
    v4u vm = {m, m, m, m}, vc = {chk, chk, chk, chk};
    v4i acc = {0, 0, 0, 0};
    const uint32_t *be = hf_postings_block(p, b->at);
    uint32_t i = 0, hits = 0;
    for (; i + 4 <= b->count; i += 4) {
        v4u e;
        memcpy(&e, be + i, sizeof e);
        acc += (v4i)((e & vm) == vc);
    }
    for (; i < b->count; i++)
        hits += (be[i] & m) == chk;
    hits -= (uint32_t)(acc[0] + acc[1] + acc[2] + acc[3]);
    if (!hits)
        return NULL;
    if (hits > cap) {
        *count = hits;
        return NULL;
    }
    uint32_t *out = *scratch;
    size_t k = 0;
    for (i = 0; i < b->count; i++) {
        uint32_t e = be[i];
        out[k] = e >> c;
        k += (e & m) == chk;
    }
    *count = k;
    return k ? out : NULL;
}

const uint32_t *hf_postings_find(const hf_postings *p, uint64_t h, uint32_t **scratch,
                                 size_t *scratch_cap, size_t *count)
{
    *count = 0;
    return p->b ? find(p, hanfold_mix64(h), SIZE_MAX, scratch, scratch_cap, count) : NULL;
}

const uint32_t *hf_postings_find_capped(hf_postings *p, uint64_t h, size_t cap, uint32_t **scratch,
                                        size_t *scratch_cap, size_t *count)
{
    *count = 0;
    if (!p->b)
        return NULL;
    uint64_t x = hanfold_mix64(h);
    if (p->nsat && x && p->sat[sat_slot(p, x)] == x) {
        *count = cap + 1;
        return NULL;
    }
    const uint32_t *v = find(p, x, cap, scratch, scratch_cap, count);
    if (*count > cap && *count != SIZE_MAX)
        sat_add(p, x);
    return v;
}

size_t hf_postings_bytes(const hf_postings *p)
{
    if (!p->b)
        return 0;
    return nbuckets(p) * sizeof *p->b + p->bytes + p->chunks_cap * sizeof *p->chunk +
           (HF_PBLOCK_MAX + 1) * sizeof *p->free_head + p->sat_cap * sizeof *p->sat;
}

void hf_postings_free(hf_postings *p)
{
    free(p->sat);
    for (uint32_t i = 0; i < p->nchunks; i++)
        free(p->chunk[i]);
    free(p->chunk);
    free(p->free_head);
    free(p->b);
    memset(p, 0, sizeof *p);
}
