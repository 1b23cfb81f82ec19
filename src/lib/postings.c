/* Compact hash -> value multimap; see postings.h. */
#include "postings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define INITIAL_BITS 8
#define INITIAL_CHECK 22   /* values below 2^10 at first */
#define LOAD 64            /* a bucket splits when the average passes this */

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

/* One check bit fewer, dropping the highest: values get one more bit. */
static void narrow(hf_postings *p)
{
    unsigned c = p->check;
    for (size_t i = 0; i < nbuckets(p); i++) {
        hf_pbucket *b = &p->b[i];
        for (uint32_t k = 0; k < b->count; k++)
            b->e[k] = (b->e[k] >> c) << (c - 1) | (b->e[k] & lowmask(c - 1));
    }
    p->check = c - 1;
}

/* Splits bucket `split` into itself and bucket split + 2^bits by the
 * entries' lowest check bit (bit `bits` of the mixed hash).  Entries are
 * not re-encoded: in a split bucket that bit is implied, but kept until the
 * round is complete. */
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
    hf_pbucket *lo = &p->b[s], *hi = &p->b[s + half];
    uint32_t ones = 0;
    for (uint32_t k = 0; k < lo->count; k++)
        ones += lo->e[k] & 1;
    memset(hi, 0, sizeof *hi);
    if (ones) {
        if (!(hi->e = malloc(ones * sizeof *hi->e)))
            return -ENOMEM;
        hi->cap = ones;
    }
    uint32_t keep = 0;
    for (uint32_t k = 0; k < lo->count; k++) {
        uint32_t e = lo->e[k];
        if (e & 1)
            hi->e[hi->count++] = e;
        else
            lo->e[keep++] = e;
    }
    lo->count = keep;
    if (ones) {
        /* give back the half that moved: the next split's new bucket is
         * about its size */
        if (!keep) {
            free(lo->e);
            lo->e = NULL;
            lo->cap = 0;
        } else {
            uint32_t *e = realloc(lo->e, keep * sizeof *e);
            if (e) {
                lo->e = e;
                lo->cap = keep;
            }
        }
    }
    if (++p->split == half) {
        /* every bucket is split: the implied check bit goes */
        unsigned c = p->check;
        for (size_t i = 0; i < 2 * half; i++) {
            hf_pbucket *b = &p->b[i];
            for (uint32_t k = 0; k < b->count; k++)
                b->e[k] = (b->e[k] >> c) << (c - 1) | (b->e[k] & lowmask(c)) >> 1;
        }
        p->bits++;
        p->split = 0;
        p->check = c - 1;
    }
    return 0;
}

int hf_postings_add(hf_postings *p, uint64_t h, uint32_t value)
{
    if (!p->b) {
        p->b = calloc((size_t)1 << INITIAL_BITS, sizeof *p->b);
        if (!p->b)
            return -ENOMEM;
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
    uint64_t x = hf_mix64(h);
    hf_pbucket *b = hf_postings_bucket(p, x);
    if (b->count == b->cap) {
        uint32_t grow = b->cap / 16 > 4 ? b->cap / 16 : 4;
        if (b->cap > UINT32_MAX - grow)
            return -ENOMEM;
        uint32_t *s = realloc(b->e, (size_t)(b->cap + grow) * sizeof *s);
        if (!s)
            return -ENOMEM;
        b->e = s;
        b->cap += grow;
    }
    uint32_t chk = (uint32_t)(x >> p->bits) & lowmask(p->check);
    b->e[b->count++] = value << p->check | chk;
    p->n++;
    return 0;
}

const uint32_t *hf_postings_find(const hf_postings *p, uint64_t h, uint32_t **scratch,
                                 size_t *scratch_cap, size_t *count)
{
    *count = 0;
    if (!p->b)
        return NULL;
    uint64_t x = hf_mix64(h);
    const hf_pbucket *b = hf_postings_bucket(p, x);
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
    unsigned c = p->check;
    uint32_t m = lowmask(c), chk = (uint32_t)(x >> p->bits) & m;
    /* most probes find nothing: count first, four entries at a time */
    typedef uint32_t v4u __attribute__((vector_size(16)));
    typedef int32_t v4i __attribute__((vector_size(16)));
    v4u vm = {m, m, m, m}, vc = {chk, chk, chk, chk};
    v4i acc = {0, 0, 0, 0};
    uint32_t i = 0, hits = 0;
    for (; i + 4 <= b->count; i += 4) {
        v4u e;
        memcpy(&e, b->e + i, sizeof e);
        acc += (v4i)((e & vm) == vc);
    }
    for (; i < b->count; i++)
        hits += (b->e[i] & m) == chk;
    hits -= (uint32_t)(acc[0] + acc[1] + acc[2] + acc[3]);
    if (!hits)
        return NULL;
    uint32_t *out = *scratch;
    size_t k = 0;
    for (i = 0; i < b->count; i++) {
        uint32_t e = b->e[i];
        out[k] = e >> c;
        k += (e & m) == chk;
    }
    *count = k;
    return k ? out : NULL;
}

size_t hf_postings_bytes(const hf_postings *p)
{
    if (!p->b)
        return 0;
    size_t total = nbuckets(p) * sizeof *p->b;
    for (size_t i = 0; i < nbuckets(p); i++)
        total += (size_t)p->b[i].cap * sizeof *p->b[i].e;
    return total;
}

void hf_postings_free(hf_postings *p)
{
    if (p->b)
        for (size_t i = 0; i < nbuckets(p); i++)
            free(p->b[i].e);
    free(p->b);
    memset(p, 0, sizeof *p);
}
