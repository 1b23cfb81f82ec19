/* Sorted code point -> value tables, as data/gen-tables.py generates them. */
#ifndef HF_CPMAP_H
#define HF_CPMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct hf_cpmap {
    uint32_t cp;
    uint32_t val;
} hf_cpmap;

/* The value of cp in table t (n entries, ascending cp), or dflt. */
static inline uint32_t hf_cpmap_find(const hf_cpmap *t, size_t n, uint32_t cp, uint32_t dflt)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && t[lo].cp == cp ? t[lo].val : dflt;
}

#endif
