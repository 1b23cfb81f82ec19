/* Oracle test for the SimHash index: every query against a brute-force scan
 * of all entries (smallest distance, then smallest value), for every k, on
 * random fingerprints, planted near pairs at distances around k, ties, equal
 * fingerprints, and fingerprints crowded into few buckets (long buckets,
 * relayouts, the table-0 lookups).  Then the --method simhash clustering
 * rule (join the nearest earlier representative, ties to the earliest;
 * otherwise become one) run through the index and by brute force. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hanfold.h"

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint64_t rnd64(void)
{
    return xorshift64(&rng);
}
static unsigned rnd(unsigned n) { return (unsigned)(rnd64() % n); }

/* x with exactly d distinct bits flipped */
static uint64_t flip(uint64_t x, unsigned d)
{
    uint64_t m = 0;
    while ((unsigned)__builtin_popcountll(m) < d)
        m |= 1ULL << rnd(64);
    return x ^ m;
}

#define MAXN 6000

static uint64_t keys[MAXN], vals[MAXN];
static size_t nkeys;

static int brute(uint64_t q, unsigned k, uint64_t *v, unsigned *d)
{
    unsigned bd = k + 1;
    uint64_t bv = UINT64_MAX;
    for (size_t i = 0; i < nkeys; i++) {
        unsigned x = (unsigned)__builtin_popcountll(keys[i] ^ q);
        if (x < bd || (x == bd && vals[i] < bv)) {
            bd = x;
            bv = vals[i];
        }
    }
    if (bd > k)
        return 0;
    *v = bv;
    *d = bd;
    return 1;
}

static unsigned mismatches;

static void check_query(const hanfold_simindex *ix, uint64_t q, unsigned k)
{
    uint64_t v1 = 0, v2 = 0;
    unsigned d1 = 0, d2 = 0;
    int f1 = hanfold_simindex_query(ix, q, &v1, &d1), f2 = brute(q, k, &v2, &d2);
    if (f1 != f2 || (f1 && (v1 != v2 || d1 != d2))) {
        if (mismatches++ < 10)
            fprintf(stderr, "k=%u q=%016llx: index %d (v %llu d %u), brute force %d (v %llu d %u)\n",
                    k, (unsigned long long)q, f1, (unsigned long long)v1, d1, f2,
                    (unsigned long long)v2, d2);
    }
}

/* A fingerprint for the mixed workloads: random, near an earlier one, equal
 * to one, or crowded (blocks 0 and 1 from a handful of values). */
static uint64_t gen(unsigned k, int crowded)
{
    unsigned w = rnd(10);
    if (nkeys && w < 4)
        return flip(keys[rnd((unsigned)nkeys)], rnd(2 * k + 3));
    if (nkeys && w == 4)
        return keys[rnd((unsigned)nkeys)];
    uint64_t x = rnd64();
    if (crowded)
        x = (x & ~0xFFFFFFFFULL) | (uint64_t)(rnd(3) * 0x1111) << 16 | rnd(4);
    return x;
}

/* Entries with random values (not in insertion order), queries of every kind. */
static void index_vs_brute(unsigned k, int crowded, size_t n)
{
    hanfold_simindex *ix = NULL;
    CHECK(hanfold_simindex_new(&ix, k) == 0);
    nkeys = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = gen(k, crowded), v = rnd64() % 1000; /* repeated values too */
        CHECK(hanfold_simindex_add(ix, x, v) == 0);
        keys[nkeys] = x;
        vals[nkeys++] = v;
        if (i % 3 == 0)
            check_query(ix, gen(k, crowded), k);
    }
    CHECK(hanfold_simindex_count(ix) == n);
    for (int i = 0; i < 2000; i++)
        check_query(ix, gen(k, crowded), k);
    hanfold_simindex_free(&ix);
    CHECK(ix == NULL);
}

/* Ties: two entries at the same distance from the query; the smaller value
 * wins whichever was added first. */
static void ties(unsigned k)
{
    for (unsigned d = 0; d <= k; d++) {
        for (int order = 0; order < 2; order++) {
            hanfold_simindex *ix = NULL;
            CHECK(hanfold_simindex_new(&ix, k) == 0);
            uint64_t q = rnd64(), m1 = 0, m2 = 0;
            /* disjoint masks of weight d */
            while ((unsigned)__builtin_popcountll(m1) < d)
                m1 |= 1ULL << rnd(32);
            while ((unsigned)__builtin_popcountll(m2) < d)
                m2 |= 1ULL << (32 + rnd(32));
            uint64_t a = q ^ m1, b = q ^ m2;
            CHECK(hanfold_simindex_add(ix, order ? b : a, order ? 7 : 5) == 0);
            CHECK(hanfold_simindex_add(ix, order ? a : b, order ? 5 : 7) == 0);
            CHECK(hanfold_simindex_add(ix, flip(q, k + 1), 1) == 0); /* just out of reach */
            uint64_t v = 0;
            unsigned dist = 99;
            CHECK(hanfold_simindex_query(ix, q, &v, &dist) == 1);
            CHECK(v == 5 && dist == d);
            hanfold_simindex_free(&ix);
        }
    }
}

/* The clustering rule of --method simhash, through the index and by brute
 * force over the representatives. */
static void clustering(unsigned k, size_t n)
{
    hanfold_simindex *ix = NULL;
    CHECK(hanfold_simindex_new(&ix, k) == 0);
    static uint64_t want[MAXN];
    nkeys = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = gen(k, 0);
        /* brute force: the nearest representative, the earliest among equals */
        unsigned bd = k + 1;
        uint64_t bj = i;
        for (size_t r = 0; r < nkeys; r++) {
            unsigned d = (unsigned)__builtin_popcountll(keys[r] ^ x);
            if (d < bd) {
                bd = d;
                bj = vals[r];
            }
        }
        want[i] = bj;
        if (bj == i) {
            keys[nkeys] = x;
            vals[nkeys++] = i;
        }
        uint64_t v;
        unsigned d;
        uint64_t got = hanfold_simindex_query(ix, x, &v, &d) ? v : i;
        if (got == i)
            CHECK(hanfold_simindex_add(ix, x, i) == 0);
        if (got != want[i] && mismatches++ < 10)
            fprintf(stderr, "clustering k=%u record %zu: index %llu, brute force %llu\n", k, i,
                    (unsigned long long)got, (unsigned long long)want[i]);
    }
    CHECK(hanfold_simindex_count(ix) == nkeys);
    hanfold_simindex_free(&ix);
}

int main(void)
{
    hanfold_simindex *ix = NULL;
    CHECK(hanfold_simindex_new(&ix, HANFOLD_SIMINDEX_MAX_K + 1) == -EINVAL);
    CHECK(ix == NULL);
    hanfold_simindex_free(&ix);
    hanfold_simindex_free(NULL);

    /* empty index; exact matches only with k = 0 */
    CHECK(hanfold_simindex_new(&ix, 0) == 0);
    uint64_t v = 42;
    unsigned d = 42;
    CHECK(hanfold_simindex_query(ix, 0x1234, &v, &d) == 0 && v == 42 && d == 42);
    CHECK(hanfold_simindex_add(ix, 0x1234, 3) == 0);
    CHECK(hanfold_simindex_add(ix, 0x1234, 2) == 0); /* equal fingerprints: smaller value */
    CHECK(hanfold_simindex_query(ix, 0x1234, &v, &d) == 1 && v == 2 && d == 0);
    CHECK(hanfold_simindex_query(ix, 0x1235, &v, &d) == 0);
    hanfold_simindex_free(&ix);

    for (unsigned k = 0; k <= HANFOLD_SIMINDEX_MAX_K; k++) {
        index_vs_brute(k, 0, 4000);
        index_vs_brute(k, 1, 4000);
        ties(k);
        clustering(k, 3000);
    }
    /* a larger crowded run: buckets of thousands, many relayouts */
    index_vs_brute(3, 1, MAXN);
    CHECK(mismatches == 0);
    return check_done("simindex");
}
