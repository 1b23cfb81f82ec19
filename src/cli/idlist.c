/* Ids by record number, succinctly; see idlist.h. */
#include "idlist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 32 /* numbers per stored id offset */

int hf_idlist_add(hf_idlist *l, uint64_t number, const char *id)
{
    if (l->last != UINT64_MAX && number <= l->last)
        return -EINVAL;
    if (l->n >= UINT32_MAX)
        return -ENOMEM;
    size_t w = (size_t)(number / 64);
    if (w >= l->wcap) {
        size_t nc = l->wcap ? l->wcap : 64;
        while (nc <= w)
            nc *= 2;
        uint64_t *b = realloc(l->bits, nc * sizeof *b);
        if (!b)
            return -ENOMEM;
        l->bits = b;
        uint64_t *o = realloc(l->off, nc * (64 / BLOCK) * sizeof *o);
        if (!o)
            return -ENOMEM;
        l->off = o;
        l->wcap = nc;
    }
    size_t at = l->ids.len;
    if (hf_buf_append(&l->ids, id, strlen(id) + 1))
        return -ENOMEM;
    /* the words up to this number's zeroed; the blocks up to its own lead
     * to its id */
    for (; l->words <= w; l->words++)
        l->bits[l->words] = 0;
    for (; l->blocks <= number / BLOCK; l->blocks++)
        l->off[l->blocks] = at;
    l->bits[w] |= 1ULL << (number % 64);
    l->n++;
    l->last = number;
    return 0;
}

/* The id k ids after the one at p (the ids end at end): eight bytes at a
 * time, counting their NULs, where a strlen per id took a twentieth of the
 * time of clustering. */
static const char *skip_ids(const char *p, const char *end, size_t k)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
    while (k && end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, sizeof w);
        /* the top bit of each NUL byte, exactly (no borrows between bytes) */
        uint64_t nul = ~(((w & low7) + low7) | w | low7);
        size_t n = (size_t)__builtin_popcountll(nul);
        if (n < k) {
            k -= n;
            p += 8;
            continue;
        }
        for (; k > 1; k--)
            nul &= nul - 1;
        return p + __builtin_ctzll(nul) / 8 + 1;
    }
#else
    (void)end;
#endif
    for (; k > 0; k--)
        p += strlen(p) + 1;
    return p;
}

const char *hf_idlist_get(const hf_idlist *l, uint64_t number)
{
    size_t w = (size_t)(number / 64);
    if (number / 64 >= l->words || !(l->bits[w] >> (number % 64) & 1))
        return NULL;
    /* the members before it in its block */
    uint64_t in = l->bits[w] >> (number % 64 / BLOCK * BLOCK);
    size_t before = (size_t)__builtin_popcountll(in & ((1ULL << (number % BLOCK)) - 1));
    return skip_ids(l->ids.p + l->off[number / BLOCK], l->ids.p + l->ids.len, before);
}

size_t hf_idlist_bytes(const hf_idlist *l)
{
    return l->wcap * sizeof *l->bits + l->wcap * (64 / BLOCK) * sizeof *l->off + l->ids.cap;
}

void hf_idlist_free(hf_idlist *l)
{
    free(l->bits);
    free(l->off);
    hf_buf_free(&l->ids);
    *l = (hf_idlist)HF_IDLIST_INIT;
}
