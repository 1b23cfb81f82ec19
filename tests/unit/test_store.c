/* The clusterer's store of verification data, white-box: every entry read
 * back (from memory and from the spill file) is the record as it was put
 * in, for every shape an entry can take: tokens of 3 and of 4 bytes, none,
 * up to HANFOLD_SHORT_MAX of them, sketches up to HANFOLD_SKETCH_K, the
 * largest size codes.  The clusterer's own source is compiled in, so that
 * its static functions can be called. */
#include "../../src/lib/cluster.c"

#include <stdio.h>

#include "check.h"

static uint64_t rng = 0xD1B54A32D192ED03ULL;
static uint64_t rnd64(void)
{
    return xorshift64(&rng);
}

#define N 3000

static uint32_t *toks[N];
static uint64_t *sk[N];
static hanfold_fp fps[N];

int main(void)
{
    const char *dir = getenv("TMPDIR");
    hanfold_cluster_settings s;
    hanfold_cluster_settings_default(&s);
    s.spill_dir = dir && *dir ? dir : "/tmp";
    s.streaming = true;
    s.linkage = HANFOLD_LINKAGE_REPRESENTATIVE;
    s.spill_memory = 20000;
    hanfold_clusterer *c;
    CHECK(hanfold_clusterer_new(&c, &s) == 0);
    size_t shapes[4] = {0}, largest = 0;
    for (size_t r = 0; r < N; r++) {
        hanfold_fp *q = &fps[r];
        memset(q, 0, sizeof *q);
        uint64_t x = rnd64();
        /* tokens: none (a key too long to keep), few, many, the most */
        size_t nt = x % 4 == 0 ? 0 : x % 4 == 1 ? 1 + (x >> 8) % 60 : x % 4 == 2 ? 100 + (x >> 8) % 900
                                                                             : HANFOLD_SHORT_MAX;
        bool wide = (x >> 40) % 2;
        toks[r] = malloc((nt ? nt : 1) * sizeof *toks[r]);
        for (size_t i = 0; i < nt; i++) {
            uint64_t y = rnd64();
            /* code points (below 2^24: 3 bytes) or, in some records, runs
             * and any other value of 4 bytes */
            toks[r][i] = wide && y % 5 == 0   ? HF_TOKEN_RUN | (uint32_t)(y >> 33)
                         : wide && y % 5 == 1 ? (uint32_t)1 << 24 | (uint32_t)(y >> 40)
                                              : (uint32_t)(y >> 40) % 0x110000;
        }
        size_t ns = nt == 0 || nt >= HANFOLD_SKETCH_MIN ? 1 + (x >> 20) % HANFOLD_SKETCH_K : (x >> 20) % 17;
        sk[r] = malloc(ns * sizeof *sk[r]);
        for (size_t i = 0; i < ns; i++)
            sk[r][i] = rnd64();
        q->key_hash = rnd64();
        q->key_tokens = nt ? (uint32_t)nt : HANFOLD_SHORT_MAX + 1 + (uint32_t)(x >> 50) % 5000;
        q->tokens = nt ? toks[r] : NULL;
        q->ntokens = nt;
        q->sketch = sk[r];
        q->nsketch = ns;
        shapes[(nt > 0) * 2 + wide]++;
        largest += nt == HANFOLD_SHORT_MAX && wide;
        uint32_t me;
        CHECK(next_record(c, &me) == 0 && me == r);
        CHECK(index_record(c, q, me, true) == 0);
    }
    CHECK(c->flushed > 0); /* most of it went to the file */
    size_t bad = 0;
    for (size_t k = 0; k < 2 * N; k++) {
        /* in order, then at random */
        uint32_t r = k < N ? (uint32_t)k : (uint32_t)(rnd64() % N);
        const hanfold_fp *q = &fps[r];
        hanfold_fp xf;
        uint64_t kh;
        uint32_t number;
        bool ok = slot_view(c, r, k % 7 == 3, &xf, &kh, &number) == 0;
        ok = ok && kh == q->key_hash && number == r && xf.key_tokens == q->key_tokens;
        if (ok && k % 7 != 3) {
            ok = xf.ntokens == q->ntokens && (!q->ntokens || !memcmp(xf.tokens, q->tokens, q->ntokens * 4));
            bool sketch = q->key_tokens >= HANFOLD_SKETCH_MIN;
            ok = ok && xf.nsketch == (sketch ? q->nsketch : 0) &&
                 (!sketch || !memcmp(xf.sketch, q->sketch, q->nsketch * 8));
        }
        if (!ok && bad++ < 5)
            fprintf(stderr, "store: slot %u (%zu tokens, %zu sketch) read back wrong\n", r, q->ntokens, q->nsketch);
    }
    CHECK(bad == 0);
    CHECK(largest > 0 && shapes[0] && shapes[1] && shapes[2] && shapes[3]);
    printf("store: %d entries (%zu of the largest shape), %llu bytes in the file, %zu read back wrong\n", N,
           largest, (unsigned long long)c->flushed, bad);
    hanfold_clusterer_free(&c);
    for (size_t r = 0; r < N; r++) {
        free(toks[r]);
        free(sk[r]);
    }
    return check_done("store");
}
