/* shingles and simhash: known-answer vectors and properties. */
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "check.h"
#include "fingerprint.h"
#include "hanfold.h"

static int popcount(uint64_t x) { return __builtin_popcountll(x); }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(void)
{
    /* XXH3 known answers (xxHash's own test vectors). */
    CHECK(XXH3_64bits("", 0) == 0x2d06800538d394c2ULL);
    CHECK(hf_hash64("", 0, 0) == 0x2d06800538d394c2ULL);

    hf_u32vec t = {0};
    hf_u64vec sh = {0};
    /* tokens: Han characters one by one, ASCII runs as one token */
    CHECK(hf_tokenize("iphone用户2024年", strlen("iphone用户2024年"), &t) == 0);
    CHECK(t.len == 5);
    CHECK(t.v[0] & HF_TOKEN_RUN);
    CHECK((t.v[0] & HF_TOKEN_NUMERIC) == HF_TOKEN_RUN);
    CHECK(t.v[1] == 0x7528 && t.v[2] == 0x6237);
    CHECK((t.v[3] & HF_TOKEN_NUMERIC) == HF_TOKEN_NUMERIC);
    CHECK(t.v[4] == 0x5E74);
    CHECK(hf_tokenize("", 0, &t) == 0 && t.len == 0);

    /* shingles: n-grams; a shorter sequence is one shingle */
    uint32_t toks[5] = {1, 2, 3, 4, 5};
    CHECK(hf_shingles(toks, 5, 3, &sh) == 0 && sh.len == 3);
    uint64_t first = sh.v[0];
    CHECK(hf_shingles(toks, 3, 3, &sh) == 0 && sh.len == 1 && sh.v[0] == first);
    CHECK(hf_shingles(toks, 2, 3, &sh) == 0 && sh.len == 1 && sh.v[0] != first);
    CHECK(hf_shingles(toks, 0, 3, &sh) == 0 && sh.len == 0);
    /* the shingle hash is XXH3 with the schema seed over little-endian ids */
    uint8_t le[12] = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0};
    CHECK(first == XXH3_64bits_withSeed(le, 12, HF_SHINGLE_SEED));

    /* SimHash: majority per bit (Charikar) */
    uint64_t h3[3] = {0x1, 0x3, 0x2};
    CHECK(hf_simhash(h3, 3) == 0x3);
    CHECK(hf_simhash(NULL, 0) == 0);
    uint64_t same[4] = {0xdeadbeefULL, 0xdeadbeefULL, 0xdeadbeefULL, 0xdeadbeefULL};
    CHECK(hf_simhash(same, 4) == 0xdeadbeefULL);

    /* SimHash against counting bit by bit: sizes around the 255-shingle
     * blocks, skewed bits (hashes ANDed/ORed together) so that counts land
     * on n / 2 and next to it, ties included */
    {
        uint64_t r = 0x243F6A8885A308D3ULL;
        int sim_bad = 0;
        static uint64_t hs[1100];
        for (int it = 0; it < 3000 && !sim_bad; it++) {
            size_t n = it < 600 ? (size_t)it % 300 : (size_t)(r % 1100);
            for (size_t i = 0; i < n; i++) {
                r ^= r << 13;
                r ^= r >> 7;
                r ^= r << 17;
                uint64_t x = r;
                if (it % 3 == 1)
                    x &= r * 0x9E3779B97F4A7C15ULL;
                if (it % 3 == 2)
                    x |= r * 0x9E3779B97F4A7C15ULL;
                hs[i] = it % 7 == 0 && i % 2 ? ~hs[i - 1] : x;
            }
            uint64_t want = 0;
            for (int b = 0; b < 64; b++) {
                size_t ones = 0;
                for (size_t i = 0; i < n; i++)
                    ones += hs[i] >> b & 1;
                if (2 * ones > n)
                    want |= 1ULL << b;
            }
            sim_bad = hf_simhash(hs, n) != want;
        }
        CHECK(!sim_bad);
    }

    /* hf_sort_unique against qsort + unique, many sizes (below 13, to 255,
     * beyond: three ways of sorting) and duplicate rates */
    uint64_t st = 88172645463325252ULL;
    int sort_bad = 0;
    for (int it = 0; it < 5000 && !sort_bad; it++) {
        uint64_t a[300], b[300];
        size_t n = (size_t)(st % 300);
        unsigned mod = 1 + (unsigned)(st >> 40) % 50;
        for (size_t i = 0; i < n; i++) {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            a[i] = b[i] = (it % 2) ? st % mod : st;
        }
        /* sorted already (sketches read back), or sorted but for the last */
        if (it % 8 == 2 || it % 8 == 6)
            qsort(a, n - (it % 8 == 6 && n), sizeof *a, cmp_u64);
        size_t k = hf_sort_unique(a, n);
        qsort(b, n, sizeof *b, cmp_u64);
        size_t m = n ? 1 : 0;
        for (size_t i = 1; i < n; i++)
            if (b[i] != b[m - 1])
                b[m++] = b[i];
        sort_bad = k != m || (k && memcmp(a, b, k * sizeof *a) != 0);
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
    }
    CHECK(!sort_bad);

    /* Through the context: a near-duplicate is closer than an unrelated text. */
    hanfold_ctx *ctx;
    CHECK(hanfold_ctx_new(&ctx, NULL, NULL, 0) == 0);
    const char *a = "上半年中国arvr出货233万台同比下滑了291";
    const char *b = "idc2024上半年中国arvr头显出货233万台同比下滑291";
    const char *c = "英特尔ai加速器gaudi3下周发布挑战nvidia统治地位";
    hanfold_fp fa, fb, fc;
    CHECK(hanfold_fingerprint(ctx, a, strlen(a), &fa) == 0);
    uint64_t sa = fa.simhash;
    CHECK(fa.key_tokens == 17 && fa.tokens && fa.ntokens == 17);
    CHECK(hanfold_fingerprint(ctx, b, strlen(b), &fb) == 0);
    uint64_t sb = fb.simhash;
    CHECK(hanfold_fingerprint(ctx, c, strlen(c), &fc) == 0);
    uint64_t sc = fc.simhash;
    CHECK(popcount(sa ^ sb) < popcount(sa ^ sc));
    CHECK(popcount(sa ^ sb) < popcount(sb ^ sc));
    /* determinism */
    CHECK(hanfold_fingerprint(ctx, a, strlen(a), &fa) == 0 && fa.simhash == sa);
    /* sketch ascending and distinct */
    for (size_t i = 1; i < fa.nsketch; i++)
        CHECK(fa.sketch[i - 1] < fa.sketch[i]);
    hanfold_ctx_free(&ctx);
    CHECK(ctx == NULL);
    hanfold_ctx_free(NULL);
    free(t.v);
    free(sh.v);
    return check_done("simhash");
}
