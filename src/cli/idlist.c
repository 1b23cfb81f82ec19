/* Ids by record number, succinctly; see idlist.h. */
#include "idlist.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_WORDS 8  /* 512 numbers per count */
#define SAMPLE 32      /* members per stored id offset */

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
        uint32_t *bf = realloc(l->before, nc / BLOCK_WORDS * sizeof *bf);
        if (!bf)
            return -ENOMEM;
        l->before = bf;
        l->wcap = nc;
    }
    if (l->n % SAMPLE == 0 && l->n / SAMPLE >= l->offcap) {
        size_t nc = l->offcap ? l->offcap * 2 : 64;
        size_t *o = realloc(l->off, nc * sizeof *o);
        if (!o)
            return -ENOMEM;
        l->off = o;
        l->offcap = nc;
    }
    size_t at = l->ids.len;
    if (hf_buf_append(&l->ids, id, strlen(id) + 1))
        return -ENOMEM;
    /* the words up to this number's, zeroed, their blocks counted */
    for (; l->words <= w; l->words++) {
        l->bits[l->words] = 0;
        if (l->words % BLOCK_WORDS == 0)
            l->before[l->words / BLOCK_WORDS] = (uint32_t)l->n;
    }
    l->bits[w] |= 1ULL << (number % 64);
    if (l->n % SAMPLE == 0)
        l->off[l->n / SAMPLE] = at;
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
    size_t rank = l->before[w / BLOCK_WORDS];
    for (size_t k = w - w % BLOCK_WORDS; k < w; k++)
        rank += (size_t)__builtin_popcountll(l->bits[k]);
    rank += (size_t)__builtin_popcountll(l->bits[w] & ((1ULL << (number % 64)) - 1));
    return skip_ids(l->ids.p + l->off[rank / SAMPLE], l->ids.p + l->ids.len, rank % SAMPLE);
}

size_t hf_idlist_bytes(const hf_idlist *l)
{
    return l->wcap * sizeof *l->bits + l->wcap / BLOCK_WORDS * sizeof *l->before + l->ids.cap +
           l->offcap * sizeof *l->off;
}

void hf_idlist_free(hf_idlist *l)
{
    free(l->bits);
    free(l->before);
    hf_buf_free(&l->ids);
    free(l->off);
    *l = (hf_idlist)HF_IDLIST_INIT;
}
