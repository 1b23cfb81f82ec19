/* The compact hash -> value multimap of the candidate index against a
 * brute-force list: every value entered under a hash is found under it, in
 * the order entered, through the re-encodings (values outgrowing their
 * bits) and bucket splits; values found that were not entered under it
 * (the map keeps about 30 bits of each hash) stay rare. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "postings.h"

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static uint64_t rnd64(void)
{
    return xorshift64(&rng);
}

#define NHASH 40000
#define NENT 600000

static uint64_t hashes[NHASH];
static uint32_t ent_h[NENT], ent_v[NENT];

/* Checks every hash: returns the number of extra values seen. */
static size_t check_all(const hf_postings *p, size_t n, uint32_t **scratch, size_t *cap)
{
    static uint32_t *per[NHASH];
    static size_t nper[NHASH], capper[NHASH];
    for (size_t i = 0; i < NHASH; i++)
        nper[i] = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t h = ent_h[i];
        if (nper[h] == capper[h]) {
            capper[h] = capper[h] ? 2 * capper[h] : 4;
            per[h] = realloc(per[h], capper[h] * sizeof *per[h]);
        }
        per[h][nper[h]++] = ent_v[i];
    }
    size_t extra = 0, missing = 0;
    for (size_t h = 0; h < NHASH; h++) {
        size_t got;
        const uint32_t *v = hf_postings_find(p, hashes[h], scratch, cap, &got);
        CHECK(got != SIZE_MAX);
        size_t k = 0;
        for (size_t i = 0; v && i < got; i++) {
            if (k < nper[h] && v[i] == per[h][k])
                k++;
            else
                extra++;
        }
        missing += nper[h] - k;
    }
    CHECK(missing == 0);
    if (missing)
        fprintf(stderr, "postings: %zu values not found after %zu entries\n", missing, n);
    return extra;
}

int main(void)
{
    for (size_t i = 0; i < NHASH; i++)
        hashes[i] = rnd64();
    /* values grow with the entries (as slots do) and jump to the top of
     * the 32-bit range at the end; a few hashes are very common, one (about
     * 23,000 entries) needs a block larger than HF_PBLOCK_MAX */
    for (size_t i = 0; i < NENT; i++) {
        uint64_t r = rnd64();
        ent_h[i] = (uint32_t)(r % 16 == 0 ? r % 8 : r % 32 == 1 ? 0 : (r >> 8) % NHASH);
        ent_v[i] = i < NENT - 1000 ? (uint32_t)(i / 3) : UINT32_MAX - (uint32_t)(NENT - i);
    }
    hf_postings p = {0};
    uint32_t *scratch = NULL;
    size_t cap = 0, extra = 0, probes = 0;
    size_t at[] = {1, 1000, 20000, 70000, 300000, NENT - 1000, NENT};
    size_t done = 0;
    for (size_t s = 0; s < sizeof at / sizeof at[0]; s++) {
        for (; done < at[s]; done++)
            CHECK(hf_postings_add(&p, hashes[ent_h[done]], ent_v[done]) == 0);
        size_t x = check_all(&p, done, &scratch, &cap);
        if (done <= NENT - 1000) {
            /* 27 to 30 bits of each hash compared: extras are rare, even
             * with the eight common hashes' buckets holding thousands */
            CHECK(x * 100 <= NHASH);
            printf("postings: after %zu entries, %zu extra values in %d probes\n", done, x, NHASH);
            extra += x;
            probes += NHASH;
        }
    }
    /* hashes never entered find (almost) nothing */
    size_t absent = 0;
    for (size_t i = 0; i < 100000; i++) {
        size_t got;
        hf_postings_find(&p, rnd64(), &scratch, &cap, &got);
        absent += got;
    }
    size_t bytes = hf_postings_bytes(&p);
    printf("postings: %zu entries, %u buckets, %u check bits, %zu bytes (%zu compactions); %zu extra "
           "values in %zu probes before the values took 32 bits, %zu in 100000 probes of absent hashes\n",
           p.n, 1u << p.bits, p.check, bytes, p.compactions, extra, probes, absent);
    /* free blocks are gathered, not left to pile up: the entries, the
     * rounding of blocks (under an eighth, and a granule per bucket), the
     * bucket table, and two chunks (the one blocks are cut from, the last
     * free blocks) */
    size_t nb = ((size_t)1 << p.bits) + p.split;
    CHECK(p.compactions > 0);
    CHECK(bytes <= NENT * 4 * 5 / 4 + nb * (16 + sizeof *p.b) + 2 * HF_PCHUNK_GRANULES * 16 +
                       (HF_PBLOCK_MAX + 1) * 4 + p.chunks_cap * sizeof *p.chunk);
    CHECK(p.n == NENT);
    CHECK(p.bits > 8);    /* the buckets split */
    CHECK(p.check == 0);  /* values reached 32 bits */
    /* with all 32 bits taken by values only the bucket number tells hashes
     * apart: extras are then about entries / buckets per probe */
    CHECK(absent <= 2 * 100000 * (size_t)NENT >> p.bits);
    hf_postings_free(&p);
    free(scratch);
    return check_done("postings");
}
