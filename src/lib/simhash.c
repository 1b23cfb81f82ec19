/* shingles and simhash stages.
 *
 * Tokens: every character of the key that is not an ASCII letter or digit
 * is a token of its own (Han text has no word boundaries to rely on); a run
 * of ASCII letters/digits is one token, so "iphone" weighs as much as one
 * Han character.  Shingles are token n-grams hashed with XXH3-64 (fixed
 * seed) over the little-endian 32-bit token ids.
 *
 * SimHash after Charikar (2002): each bit of the fingerprint is the sign of
 * the sum, over the shingles, of +1/-1 for that bit of the shingle hash.
 * The bottom-k sketch (the k smallest distinct shingle hashes) serves
 * candidate generation and Jaccard estimation for long records
 * (Broder 1997). */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "fingerprint.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

uint64_t hf_hash64(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}

uint32_t hf_token_run(const char *run, size_t n)
{
    bool digit = false;
    for (size_t i = 0; i < n; i++)
        digit = digit || (run[i] >= '0' && run[i] <= '9');
    /* Runs live above the code point range so they never equal a character
     * token. */
    return (digit ? HF_TOKEN_NUMERIC : HF_TOKEN_RUN) | (uint32_t)(XXH3_64bits(run, n) & 0x3FFFFFFF);
}

int hf_tokenize(const char *key, size_t n, hf_u32vec *out)
{
    const uint8_t *p = (const uint8_t *)key, *end = p + n;
    out->len = 0;
    /* at most one token per byte: no check per token */
    if (n > out->cap) {
        if (n > SIZE_MAX / sizeof *out->v)
            return -ENOMEM;
        uint32_t *v = realloc(out->v, n * sizeof *v);
        if (!v)
            return -ENOMEM;
        out->v = v;
        out->cap = n;
    }
    while (p < end) {
        uint32_t t;
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z')) {
            const uint8_t *q = p;
            while (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
                               (*q >= 'A' && *q <= 'Z')))
                q++;
            t = hf_token_run((const char *)p, (size_t)(q - p));
            p = q;
        } else {
            int l = hf_utf8_next(p, (size_t)(end - p), &t);
            if (l < 0) {
                t = 0xFFFD;
                l = 1;
            }
            p += l;
        }
        out->v[out->len++] = t;
    }
    return 0;
}

int hf_shingles(const uint32_t *tok, size_t ntok, unsigned n, hf_u64vec *out)
{
    out->len = 0;
    size_t count = ntok == 0 ? 0 : ntok < n ? 1 : ntok - n + 1;
    if (count > out->cap) {
        uint64_t *v = realloc(out->v, count * sizeof *v);
        if (!v)
            return -ENOMEM;
        out->v = v;
        out->cap = count;
    }
    uint8_t le[4 * 16];
    if (n == 3 && ntok >= 3) {
        /* The usual case, with the length a constant: the inlined XXH3
         * reduces to its 9-16 byte path.  On a little-endian machine the
         * token array is already the bytes to hash (packing them into le[]
         * first made every hash wait on a store it could not forward). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        for (size_t i = 0; i < count; i++)
            out->v[i] = XXH3_64bits_withSeed(tok + i, 12, HF_SHINGLE_SEED);
        out->len = count;
        return 0;
#endif
        for (size_t i = 0; i < count; i++) {
            for (size_t j = 0; j < 3; j++) {
                uint32_t t = tok[i + j];
                le[4 * j] = (uint8_t)t;
                le[4 * j + 1] = (uint8_t)(t >> 8);
                le[4 * j + 2] = (uint8_t)(t >> 16);
                le[4 * j + 3] = (uint8_t)(t >> 24);
            }
            out->v[out->len++] = XXH3_64bits_withSeed(le, 12, HF_SHINGLE_SEED);
        }
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        size_t m = ntok < n ? ntok : n;
        for (size_t j = 0; j < m; j++) {
            uint32_t t = tok[i + j];
            le[4 * j] = (uint8_t)t;
            le[4 * j + 1] = (uint8_t)(t >> 8);
            le[4 * j + 2] = (uint8_t)(t >> 16);
            le[4 * j + 3] = (uint8_t)(t >> 24);
        }
        out->v[out->len++] = XXH3_64bits_withSeed(le, 4 * m, HF_SHINGLE_SEED);
    }
    return 0;
}

/* The counts are kept bit-sliced: plane k holds bit k of the 64 counters,
 * one per bit of the hash, so adding a shingle is a ripple-carry add of one
 * word into the planes (no memory), and "more than half" is a bit-sliced
 * comparison with n / 2.  Eight planes count to 255; longer inputs flush
 * the planes into 32-bit counters every 255 shingles.  The reference
 * (tests/unit/test_simhash.c) counts bit by bit. */
static inline void planes_add(uint64_t *c, uint64_t x, int planes)
{
    for (int k = 0; k < planes; k++) {
        uint64_t carry = c[k] & x;
        c[k] ^= x;
        x = carry;
    }
}

/* Carry-save adder: a + b + c = *l + 2 * *h, bit by bit. */
static inline void csa(uint64_t *h, uint64_t *l, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t u = a ^ b;
    *h = (a & b) | (u & c);
    *l = u ^ c;
}

/* Adds h[0..n) to the planes (n <= 255, planes >= 4 and enough for the
 * total).  Eight at a time in a carry-save tree (Harley and Seal's
 * population count, column by column): planes 0-2 take the sums, and one
 * word of carries goes into plane 3 and up; 5.5 logic operations per
 * shingle instead of three per plane. */
static inline void planes_add_n(uint64_t c[8], const uint64_t *h, size_t n, int planes)
{
    size_t i = 0;
    for (; n - i >= 8; i += 8) {
        uint64_t twos_a, twos_b, fours_a, fours_b, eights;
        csa(&twos_a, &c[0], c[0], h[i], h[i + 1]);
        csa(&twos_b, &c[0], c[0], h[i + 2], h[i + 3]);
        csa(&fours_a, &c[1], c[1], twos_a, twos_b);
        csa(&twos_a, &c[0], c[0], h[i + 4], h[i + 5]);
        csa(&twos_b, &c[0], c[0], h[i + 6], h[i + 7]);
        csa(&fours_b, &c[1], c[1], twos_a, twos_b);
        csa(&eights, &c[2], c[2], fours_a, fours_b);
        planes_add(c + 3, eights, planes - 3);
    }
    for (; i < n; i++)
        planes_add(c, h[i], planes);
}

uint64_t hf_simhash(const uint64_t *h, size_t n)
{
    uint64_t c[8] = {0};
    if (n <= 255) {
        /* as many planes as n has bits: most keys are short */
        planes_add_n(c, h, n, n < 16 ? 4 : n < 64 ? 6 : 8);
        /* Charikar: bit set when more shingles have it set than not, that
         * is, when its count exceeds t = floor(n / 2) */
        uint32_t t = (uint32_t)(n / 2);
        uint64_t gt = 0, eq = ~0ULL;
        for (int k = 7; k >= 0; k--) {
            if (t >> k & 1) {
                eq &= c[k];
            } else {
                gt |= eq & c[k];
                eq &= ~c[k];
            }
        }
        return gt;
    }
    uint64_t ones[64] = {0};
    size_t i = 0;
    while (i < n) {
        size_t m = n - i > 255 ? 255 : n - i;
        planes_add_n(c, h + i, m, 8);
        i += m;
        for (int b = 0; b < 64; b++) {
            uint64_t v = 0;
            for (int k = 0; k < 8; k++)
                v |= (c[k] >> b & 1) << k;
            ones[b] += v;
        }
        memset(c, 0, sizeof c);
    }
    uint64_t s = 0;
    for (int b = 0; b < 64; b++)
        if (2 * ones[b] > n)
            s |= 1ULL << b;
    return s;
}

static void insertion_sort(uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        size_t k = i;
        while (k > 0 && v[k - 1] > x) {
            v[k] = v[k - 1];
            k--;
        }
        v[k] = x;
    }
}

/* Quicksort specialised for 64-bit keys (median of three, insertion sort
 * below 24 elements, recursion on the smaller side only): several times
 * faster than qsort() with a comparison callback, and the sketch of every
 * record is sorted. */
static void sort_u64(uint64_t *v, size_t n)
{
    while (n > 24) {
        size_t m = n / 2;
        uint64_t a = v[0], b = v[m], c = v[n - 1];
        uint64_t pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t i = 0, j = n - 1;
        for (;;) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i >= j)
                break;
            uint64_t t = v[i];
            v[i] = v[j];
            v[j] = t;
            i++;
            j--;
        }
        /* [0, j] <= pivot <= [j + 1, n) */
        size_t left = j + 1;
        if (left < n - left) {
            sort_u64(v, left);
            v += left;
            n -= left;
        } else {
            sort_u64(v + left, n - left);
            n = left;
        }
    }
    insertion_sort(v, n);
}

/* Sorts v (13 to 255 values, as a headline's shingles) by counting its
 * values' top bytes, then lets an insertion sort order the few that share
 * one.  Quicksort's and insertion sort's comparisons of random hashes go
 * either way at random, and the processor mispredicts half of them: at 25
 * values this takes half the time. */
static void sort_small(uint64_t *v, size_t n)
{
    uint64_t tmp[255];
    uint8_t at[257];
    memset(at, 0, sizeof at);
    for (size_t i = 0; i < n; i++)
        at[(v[i] >> 56) + 1]++;
    for (size_t b = 1; b < 256; b++)
        at[b] = (uint8_t)(at[b] + at[b - 1]);
    for (size_t i = 0; i < n; i++)
        tmp[at[v[i] >> 56]++] = v[i];
    memcpy(v, tmp, n * sizeof *v);
    insertion_sort(v, n);
}

size_t hf_sort_unique(uint64_t *v, size_t n)
{
    if (n < 2)
        return n;
    size_t i = 1;
    while (i < n && v[i - 1] <= v[i])
        i++;
    if (i == n)
        ; /* sorted already (a sketch read back) */
    else if (n > 12 && n <= 255)
        sort_small(v, n);
    else
        sort_u64(v, n);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[k - 1])
            v[k++] = v[i];
    return k;
}
