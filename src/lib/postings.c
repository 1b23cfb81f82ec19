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

/* One check bit fewer, dropping the highest: values get one more bit. */
static void narrow(hf_postings *p)
{
    unsigned c = p->check;
    for (size_t i = 0; i < (size_t)1 << p->bits; i++) {
        hf_pbucket *b = &p->b[i];
        for (uint32_t k = 0; k < b->count; k++)
            b->e[k] = (b->e[k] >> c) << (c - 1) | (b->e[k] & lowmask(c - 1));
    }
    p->check = c - 1;
}

/* Twice the buckets: bucket i keeps the entries whose lowest check bit is
 * 0 and gives the others to bucket i + 2^bits; that bit is then implied. */
static int split(hf_postings *p)
{
    size_t nb = (size_t)1 << p->bits;
    hf_pbucket *b = realloc(p->b, 2 * nb * sizeof *b);
    if (!b)
        return -ENOMEM;
    p->b = b;
    memset(b + nb, 0, nb * sizeof *b);
    unsigned c = p->check;
    /* first every allocation, so that running out of memory leaves the map
     * as it was */
    for (size_t i = 0; i < nb; i++) {
        uint32_t ones = 0;
        for (uint32_t k = 0; k < b[i].count; k++)
            ones += b[i].e[k] & 1;
        if (ones && !(b[i + nb].e = malloc(ones * sizeof *b[i + nb].e))) {
            for (size_t k = 0; k < i; k++)
                free(b[k + nb].e);
            memset(b + nb, 0, nb * sizeof *b);
            return -ENOMEM;
        }
        b[i + nb].cap = ones;
    }
    for (size_t i = 0; i < nb; i++) {
        hf_pbucket *lo = &b[i], *hi = &b[i + nb];
        uint32_t keep = 0;
        for (uint32_t k = 0; k < lo->count; k++) {
            uint32_t e = lo->e[k];
            uint32_t ne = (e >> c) << (c - 1) | ((e & lowmask(c)) >> 1);
            if (e & 1)
                hi->e[hi->count++] = ne;
            else
                lo->e[keep++] = ne;
        }
        lo->count = keep;
        if (hi->count && !keep) {
            free(lo->e);
            lo->e = NULL;
            lo->cap = 0;
        } else if (hi->count) {
            uint32_t *s = realloc(lo->e, keep * sizeof *s);
            if (s) {
                lo->e = s;
                lo->cap = keep;
            }
        }
    }
    p->bits++;
    p->check = c - 1;
    return 0;
}

int hf_postings_add(hf_postings *p, uint64_t h, uint32_t value)
{
    if (!p->b) {
        p->b = calloc((size_t)1 << INITIAL_BITS, sizeof *p->b);
        if (!p->b)
            return -ENOMEM;
        p->bits = INITIAL_BITS;
        p->check = INITIAL_CHECK;
    }
    while (p->check && (value >> (32 - p->check)))
        narrow(p);
    if (p->n >= (size_t)LOAD << p->bits && p->check > 1) {
        int e = split(p);
        if (e)
            return e;
    }
    uint64_t x = hf_mix64(h);
    hf_pbucket *b = &p->b[x & lowmask(p->bits)];
    if (b->count == b->cap) {
        uint32_t grow = b->cap / 8 > 8 ? b->cap / 8 : 8;
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
    const hf_pbucket *b = &p->b[x & lowmask(p->bits)];
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
    size_t total = ((size_t)1 << p->bits) * sizeof *p->b;
    for (size_t i = 0; i < (size_t)1 << p->bits; i++)
        total += (size_t)p->b[i].cap * sizeof *p->b[i].e;
    return total;
}

void hf_postings_free(hf_postings *p)
{
    if (p->b)
        for (size_t i = 0; i < (size_t)1 << p->bits; i++)
            free(p->b[i].e);
    free(p->b);
    memset(p, 0, sizeof *p);
}
