/* Oracle tests for the clusterer: bit-parallel LCS against the textbook
 * dynamic programme, and clustering through the index against brute force
 * (every earlier representative compared, same rules). */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fingerprint.h"
#include "hanfold.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(uint32_t n)
{
    return (uint32_t)(xorshift64(&rng) % n);
}

static size_t lcs_dp(const uint32_t *a, size_t m, const uint32_t *b, size_t n)
{
    size_t *prev = calloc(n + 1, sizeof *prev), *cur = calloc(n + 1, sizeof *cur);
    for (size_t i = 1; i <= m; i++) {
        for (size_t j = 1; j <= n; j++)
            cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : (prev[j] > cur[j - 1] ? prev[j] : cur[j - 1]);
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t r = prev[n];
    free(prev);
    free(cur);
    return r;
}

/* A key from a token sequence: Han characters from a small range. */
static size_t to_key(const uint32_t *t, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = 0x4E00 + t[i];
        out[k++] = (char)(0xE0 | (c >> 12));
        out[k++] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[k++] = (char)(0x80 | (c & 0x3F));
    }
    out[k] = '\0';
    return k;
}

#define NREC 600
#define MAXT 160

static uint32_t toks[NREC][MAXT];
static size_t ntok[NREC];

/* Brute-force verdict, the rules of hanfold_clusterer spelled out plainly. */
static double brute_sim(size_t i, size_t j, const hanfold_cluster_settings *s)
{
    size_t la = ntok[i], lb = ntok[j], lo = la < lb ? la : lb, hi = la < lb ? lb : la;
    if (!lo || (double)lo / hi < s->min_ratio)
        return -1;
    if (lo <= HANFOLD_TINY)
        return la == lb && !memcmp(toks[i], toks[j], la * sizeof(uint32_t)) ? 1.0 : -1;
    size_t l = lcs_dp(toks[i], la, toks[j], lb);
    double sim = l <= HANFOLD_TINY ? 0.0 : (double)(l - HANFOLD_TINY) / (double)(lo - HANFOLD_TINY);
    double th = lo < HANFOLD_SHORT_TIER ? s->threshold : s->long_threshold;
    return sim >= th ? sim : -1;
}

/* on_pair recorder for the verdict oracle */
typedef struct { uint32_t a, b; double sim; int kind; bool dup; } pair_rec;
static void *pairs_out;
static size_t pairs_n, pairs_max;
static void on_pair_cb(void *ud, uint64_t a, uint64_t b, double sim, int kind, bool dup)
{
    (void)ud;
    if (pairs_n < pairs_max)
        ((pair_rec *)pairs_out)[pairs_n++] = (pair_rec){(uint32_t)a, (uint32_t)b, sim, kind, dup};
}

int main(void)
{
    /* 1. bit-parallel LCS == DP on random pairs, lengths across word borders */
    for (int it = 0; it < 3000; it++) {
        uint32_t a[300], b[300];
        size_t m = 1 + rnd(200), n = 1 + rnd(200);
        uint32_t alpha = 2 + rnd(30);
        for (size_t i = 0; i < m; i++)
            a[i] = rnd(alpha);
        for (size_t i = 0; i < n; i++)
            b[i] = rnd(alpha);
        size_t x = hf_lcs(a, m, b, n), y = lcs_dp(a, m, b, n);
        if (x != y) {
            CHECK(x == y);
            fprintf(stderr, "  m=%zu n=%zu alpha=%u bitparallel=%zu dp=%zu\n", m, n, alpha, x, y);
            break;
        }
    }
    CHECK(hf_lcs(NULL, 0, NULL, 0) == 0);

    /* 2. clusters through the index == brute force, on bases with planted
     * near-duplicates (insertions, deletions, substitutions, prefixes). */
    size_t nbase = 0;
    for (size_t r = 0; r < NREC; r++) {
        if (r < 20 || rnd(3) == 0) {
            ntok[r] = 3 + rnd(r % 5 == 0 ? 150 : 40);
            for (size_t i = 0; i < ntok[r]; i++)
                toks[r][i] = rnd(3000);
            nbase++;
        } else {
            size_t src = rnd((uint32_t)r);
            size_t n = 0;
            if (rnd(2))
                for (size_t k = rnd(4); k > 0 && n < MAXT; k--)
                    toks[r][n++] = rnd(3000);
            for (size_t i = 0; i < ntok[src] && n < MAXT; i++) {
                uint32_t op = rnd(40);
                if (op == 0)
                    continue;                     /* deletion */
                if (op == 1)
                    toks[r][n++] = rnd(3000);     /* substitution */
                else
                    toks[r][n++] = toks[src][i];
                if (op == 2 && n < MAXT)
                    toks[r][n++] = rnd(3000);     /* insertion */
            }
            ntok[r] = n;
        }
    }
    hanfold_cluster_settings s;
    hanfold_cluster_settings_default(&s);
    s.linkage = HANFOLD_LINKAGE_REPRESENTATIVE; /* the test compares with representatives */
    hanfold_clusterer *cl;
    CHECK(hanfold_clusterer_new(&cl, &s) == 0);
    hanfold_ctx *ctx;
    CHECK(hanfold_ctx_new(&ctx, NULL, NULL, 0) == 0);
    static char key[MAXT * 3 + 1];
    /* Brute force compares each record with every representative the index
     * holds (the same set, so one miss does not cascade).  The index may
     * miss a pair whose shingles were all broken by scattered edits
     * (candidate generation is by shared bottom-k 3-grams), but whatever it
     * reports must be exactly what brute force finds among its candidates. */
    size_t rep[NREC], nrep = 0, found = 0, brute_found = 0, wrong = 0;
    for (size_t r = 0; r < NREC; r++) {
        size_t kl = to_key(toks[r], ntok[r], key);
        hanfold_fp fp;
        CHECK(hanfold_fingerprint(ctx, key, kl, &fp) == 0);
        CHECK(fp.ntokens == ntok[r]);
        uint64_t match;
        double sim;
        CHECK(hanfold_clusterer_add(cl, &fp, &match, &sim) == 0);
        size_t best = r;
        double bs = -1;
        for (size_t k = 0; k < nrep; k++) {
            double x = brute_sim(r, rep[k], &s);
            if (x > bs) {
                bs = x;
                best = rep[k];
            }
        }
        brute_found += best != r;
        if (match != r) {
            found++;
            /* a reported match is verified by brute force with the same
             * similarity, and nothing among the representatives is better */
            double x = brute_sim(r, (size_t)match, &s);
            if (x < 0 || x != sim || sim < bs) {
                wrong++;
                fprintf(stderr, "record %zu: index says %llu (%.3f), brute force %.3f; best %zu (%.3f)\n",
                        r, (unsigned long long)match, sim, x, best, bs);
            }
        } else {
            rep[nrep++] = r;
            if (best != r)
                fprintf(stderr, "record %zu: missed %zu (%.3f), %zu and %zu tokens\n", r, best, bs,
                        ntok[r], ntok[best]);
        }
    }
    CHECK(wrong == 0);
    CHECK(found * 100 >= brute_found * 98);
    CHECK(found > NREC / 4); /* the planted duplicates were found at all */
    printf("cluster oracle: %zu records, %zu bases, index found %zu of %zu brute-force matches, %zu wrong\n",
           (size_t)NREC, nbase, found, brute_found, wrong);

    /* 2b. with the verification data in a spill file (streaming, as dedup
     * runs, and not) every record gets the same match and similarity as
     * with it in memory */
    {
        const char *dir = getenv("TMPDIR");
        hanfold_cluster_settings ss[2] = {s, s};
        ss[0].spill_dir = ss[1].spill_dir = dir && *dir ? dir : "/tmp";
        ss[1].streaming = true;
        /* a few kilobytes in memory: nearly every entry is read from the file */
        ss[0].spill_memory = ss[1].spill_memory = 4096;
        hanfold_clusterer *cm, *cs[2];
        CHECK(hanfold_clusterer_new(&cm, &s) == 0);
        CHECK(hanfold_clusterer_new(&cs[0], &ss[0]) == 0);
        CHECK(hanfold_clusterer_new(&cs[1], &ss[1]) == 0);
        size_t differ = 0, merged = 0;
        for (size_t r = 0; r < NREC; r++) {
            size_t kl = to_key(toks[r], ntok[r], key);
            hanfold_fp fp;
            CHECK(hanfold_fingerprint(ctx, key, kl, &fp) == 0);
            uint64_t m0, m1, m2;
            double s0, s1, s2;
            CHECK(hanfold_clusterer_add(cm, &fp, &m0, &s0) == 0);
            CHECK(hanfold_clusterer_add(cs[0], &fp, &m1, &s1) == 0);
            CHECK(hanfold_clusterer_add(cs[1], &fp, &m2, &s2) == 0);
            differ += m0 != m1 || s0 != s1 || m0 != m2 || s0 != s2;
            merged += m0 != r;
        }
        CHECK(differ == 0);
        CHECK(merged > NREC / 4);
        CHECK(hanfold_clusterer_indexed(cs[1]) == hanfold_clusterer_indexed(cm));
        printf("spill file: %zu of %zu records matched differently from memory\n", differ, (size_t)NREC);
        hanfold_clusterer_free(&cm);
        hanfold_clusterer_free(&cs[0]);
        hanfold_clusterer_free(&cs[1]);
        /* a directory that cannot hold it is an error at creation */
        hanfold_cluster_settings bad = s;
        bad.spill_dir = "/nonexistent/dir";
        hanfold_clusterer *cb = NULL;
        CHECK(hanfold_clusterer_new(&cb, &bad) < 0 && cb == NULL);
    }

    /* 2c. entries of every shape read back from the spill file (tokens of 3
     * and of 4 bytes, sketches, the largest sizes): the index's matches
     * are what hanfold_pair_verify says of the records as they were */
    {
        enum { N2 = 300, T2 = HANFOLD_SHORT_MAX };
        static uint32_t tk[N2][T2];
        static size_t nt2[N2];
        static char key2[T2 * 9 + 1];
        static hanfold_fp fps[N2];
        static uint32_t *owned[N2];
        size_t wide = 0, huge = 0, over = 0;
        for (size_t r = 0; r < N2; r++) {
            if (r < 10 || rnd(3) == 0) {
                /* short, long, and long enough (800 to 880 characters, with
                 * words up to 1,000 tokens, all kept) for the largest sizes */
                uint32_t kind = rnd(10);
                nt2[r] = kind < 5 ? 10 + rnd(50) : kind < 7 ? 100 + rnd(200) : 800 + rnd(81);
                for (size_t i = 0; i < nt2[r]; i++)
                    tk[r][i] = rnd(3000);
            } else {
                size_t src = rnd((uint32_t)r), n = 0;
                for (size_t i = 0; i < nt2[src] && n < T2; i++)
                    if (rnd(40))
                        tk[r][n++] = tk[src][i];
                /* a suffix that takes a long one past HANFOLD_SHORT_MAX
                 * tokens: compared by sketch with a record that kept its
                 * tokens too */
                if (n >= 800 && rnd(2))
                    for (size_t k = 100 + rnd(100); k > 0 && n < T2; k--)
                        tk[r][n++] = rnd(3000);
                nt2[r] = n;
            }
        }
        hanfold_cluster_settings s2 = s;
        const char *dir = getenv("TMPDIR");
        s2.spill_dir = dir && *dir ? dir : "/tmp";
        /* every comparison made, to be checked against hanfold_pair_verify */
        static pair_rec seen2[100000];
        s2.on_pair = on_pair_cb;
        pairs_out = seen2;
        pairs_max = sizeof seen2 / sizeof seen2[0];
        pairs_n = 0;
        s2.spill_memory = 4096;
        hanfold_clusterer *c2;
        CHECK(hanfold_clusterer_new(&c2, &s2) == 0);
        size_t rep2[N2], nrep2 = 0, found2 = 0, brute2 = 0, wrong2 = 0;
        for (size_t r = 0; r < N2; r++) {
            /* a token in eight becomes a Latin word (a token of 4 bytes),
             * one in five a character beyond U+FFFF (3 bytes, all used) */
            size_t kl = 0;
            for (size_t i = 0; i < nt2[r]; i++) {
                if (tk[r][i] % 8 == 0)
                    kl += (size_t)sprintf(key2 + kl, "w%u", (unsigned)tk[r][i]);
                if (tk[r][i] % 5 == 1) {
                    uint32_t c = 0x20000 + tk[r][i];
                    key2[kl++] = (char)(0xF0 | (c >> 18));
                    key2[kl++] = (char)(0x80 | ((c >> 12) & 0x3F));
                    key2[kl++] = (char)(0x80 | ((c >> 6) & 0x3F));
                    key2[kl++] = (char)(0x80 | (c & 0x3F));
                } else {
                    uint32_t c = 0x4E00 + tk[r][i];
                    key2[kl++] = (char)(0xE0 | (c >> 12));
                    key2[kl++] = (char)(0x80 | ((c >> 6) & 0x3F));
                    key2[kl++] = (char)(0x80 | (c & 0x3F));
                }
            }
            key2[kl] = '\0';
            hanfold_fp fp;
            CHECK(hanfold_fingerprint(ctx, key2, kl, &fp) == 0);
            /* a copy that outlives the context's buffers */
            fps[r] = fp;
            uint32_t *t = malloc((fp.ntokens ? fp.ntokens : 1) * sizeof *t);
            uint64_t *k = malloc((fp.nsketch ? fp.nsketch : 1) * sizeof *k);
            if (fp.ntokens)
                memcpy(t, fp.tokens, fp.ntokens * sizeof *t);
            if (fp.nsketch)
                memcpy(k, fp.sketch, fp.nsketch * sizeof *k);
            owned[r] = t;
            fps[r].tokens = fp.tokens ? t : NULL; /* NULL: a key too long to keep */
            fps[r].sketch = k;
            for (size_t i = 0; i < fp.ntokens; i++)
                if (fp.tokens[i] >> 24) {
                    wide++;
                    break;
                }
            huge += fp.ntokens >= 800;
            over += !fp.tokens;
            uint64_t match;
            double sim;
            CHECK(hanfold_clusterer_add(c2, &fps[r], &match, &sim) == 0);
            size_t best = r;
            double bs = -1;
            for (size_t j = 0; j < nrep2; j++) {
                double x;
                int kind;
                if (hanfold_pair_verify(&s, &fps[rep2[j]], &fps[r], &x, &kind) == 1 && x > bs) {
                    bs = x;
                    best = rep2[j];
                }
            }
            brute2 += best != r;
            if (match != r) {
                found2++;
                double x;
                int kind;
                int v = hanfold_pair_verify(&s, &fps[match], &fps[r], &x, &kind);
                if (v != 1 || x != sim || sim < bs) {
                    wrong2++;
                    fprintf(stderr, "record %zu (%zu tokens): index says %llu (%zu tokens, %.3f), verify %d %.3f, best %zu %.3f\n",
                            r, fps[r].ntokens, (unsigned long long)match, fps[match].ntokens, sim, v, x, best, bs);
                }
            } else {
                rep2[nrep2++] = r;
            }
        }
        size_t disagree = 0;
        for (size_t i = 0; i < pairs_n; i++) {
            double x;
            int kind;
            int v = hanfold_pair_verify(&s, &fps[seen2[i].a], &fps[seen2[i].b], &x, &kind);
            disagree += v != seen2[i].dup || x != seen2[i].sim || kind != seen2[i].kind;
        }
        CHECK(disagree == 0);
        CHECK(pairs_n > N2 / 2);
        printf("spill file: %zu comparisons, hanfold_pair_verify disagrees on %zu\n", pairs_n, disagree);
        CHECK(wrong2 == 0);
        CHECK(found2 * 100 >= brute2 * 98);
        CHECK(found2 > N2 / 4);
        CHECK(wide > N2 / 2 && huge > 5 && over > 5);
        printf("spill file, all entry shapes: %zu records (%zu with 4-byte tokens, %zu of 800+ tokens, %zu "
               "over the limit), index found %zu of %zu brute-force matches, %zu wrong\n",
               (size_t)N2, wide, huge, over, found2, brute2, wrong2);
        hanfold_clusterer_free(&c2);
        for (size_t r = 0; r < N2; r++) {
            free(owned[r]);
            free((void *)fps[r].sketch);
        }
    }

    /* expert settings out of range are refused, not clamped */
    {
        hanfold_cluster_settings bad = s;
        hanfold_clusterer *cx = NULL;
        bad.posting_cap = HANFOLD_POSTING_CAP_MAX + 1;
        CHECK(hanfold_clusterer_new(&cx, &bad) == -EINVAL && cx == NULL);
    }

    /* 2c. first_match (dedup): the same records are representatives, and
     * a record's match is a representative it duplicates, with their
     * similarity; with a budget of 1 as well */
    for (int bi = 0; bi < 2; bi++) {
        hanfold_cluster_settings sb = s, sf = s;
        sb.streaming = sf.streaming = true;
        sf.first_match = true;
        sb.verify_budget = sf.verify_budget = bi ? 1 : 0;
        hanfold_clusterer *cb, *cf;
        CHECK(hanfold_clusterer_new(&cb, &sb) == 0);
        CHECK(hanfold_clusterer_new(&cf, &sf) == 0);
        size_t reps_differ = 0, bad_match = 0, other = 0;
        for (size_t r = 0; r < NREC; r++) {
            size_t kl = to_key(toks[r], ntok[r], key);
            hanfold_fp fp;
            CHECK(hanfold_fingerprint(ctx, key, kl, &fp) == 0);
            uint64_t mb, mf;
            double sb_, sf_;
            CHECK(hanfold_clusterer_add(cb, &fp, &mb, &sb_) == 0);
            CHECK(hanfold_clusterer_add(cf, &fp, &mf, &sf_) == 0);
            reps_differ += (mb == r) != (mf == r);
            if (mf != r) {
                other += mf != mb;
                double x = brute_sim(r, (size_t)mf, &s);
                bad_match += x < 0 || x != sf_;
            }
        }
        CHECK(reps_differ == 0);
        CHECK(bad_match == 0);
        printf("first match%s: %zu of the matches differ from the most similar, %zu representatives differ, "
               "%zu wrong\n", bi ? " (budget 1)" : "", other, reps_differ, bad_match);
        hanfold_clusterer_free(&cb);
        hanfold_clusterer_free(&cf);
    }
    {
        hanfold_cluster_settings bad = s;
        bad.first_match = true;
        bad.linkage = HANFOLD_LINKAGE_SINGLE;
        hanfold_clusterer *cx;
        CHECK(hanfold_clusterer_new(&cx, &bad) == -EINVAL);
    }

    /* 3. hanfold_pair_verify (what hanfold-mpi verifies with) gives every
     * pair the clusterer compared the same verdict, similarity and measure */
    {
        static pair_rec seen[200000];
        size_t nseen;
        hanfold_cluster_settings sv = s;
        sv.linkage = HANFOLD_LINKAGE_SINGLE; /* every record indexed: more pairs */
        sv.on_pair = on_pair_cb;
        sv.on_pair_ud = NULL;
        pairs_out = seen;
        pairs_max = sizeof seen / sizeof seen[0];
        pairs_n = 0;
        hanfold_clusterer *cv;
        CHECK(hanfold_clusterer_new(&cv, &sv) == 0);
        for (size_t r = 0; r < NREC; r++) {
            size_t kl = to_key(toks[r], ntok[r], key);
            hanfold_fp fp;
            CHECK(hanfold_fingerprint(ctx, key, kl, &fp) == 0);
            uint64_t m;
            double sm;
            CHECK(hanfold_clusterer_add(cv, &fp, &m, &sm) == 0);
        }
        hanfold_clusterer_free(&cv);
        nseen = pairs_n;
        size_t agree = 0, dups = 0;
        static uint32_t ta[MAXT];
        static uint64_t sa[HANFOLD_SKETCH_K];
        static char key2[MAXT * 3 + 1];
        for (size_t i = 0; i < nseen; i++) {
            hanfold_fp fa, fb;
            size_t kl = to_key(toks[seen[i].a], ntok[seen[i].a], key2);
            CHECK(hanfold_fingerprint(ctx, key2, kl, &fa) == 0);
            memcpy(ta, fa.tokens, fa.ntokens * sizeof *ta);
            memcpy(sa, fa.sketch, fa.nsketch * sizeof *sa);
            fa.tokens = ta;
            fa.sketch = sa;
            kl = to_key(toks[seen[i].b], ntok[seen[i].b], key2);
            CHECK(hanfold_fingerprint(ctx, key2, kl, &fb) == 0);
            double sim2;
            int kind2;
            int v = hanfold_pair_verify(&s, &fa, &fb, &sim2, &kind2);
            agree += v == (seen[i].dup ? 1 : 0) && sim2 == seen[i].sim && kind2 == seen[i].kind;
            dups += seen[i].dup;
        }
        CHECK(nseen > 1000 && dups > 100);
        CHECK(agree == nseen);
        printf("pair verdicts: %zu compared pairs (%zu duplicates), hanfold_pair_verify agrees on %zu\n",
               nseen, dups, agree);
    }

    /* 4. empty keys never merge; single linkage puts the first record first */
    hanfold_clusterer *c2;
    hanfold_cluster_settings s2 = s;
    s2.linkage = HANFOLD_LINKAGE_SINGLE;
    CHECK(hanfold_clusterer_new(&c2, &s2) == 0);
    hanfold_fp fp;
    uint64_t m;
    double sim;
    CHECK(hanfold_fingerprint(ctx, "", 0, &fp) == 0);
    CHECK(hanfold_clusterer_add(c2, &fp, &m, &sim) == 0 && m == 0);
    CHECK(hanfold_fingerprint(ctx, "", 0, &fp) == 0);
    CHECK(hanfold_clusterer_add(c2, &fp, &m, &sim) == 0 && m == 1);
    const char *k1 = "民间故事水分", *k2 = "民间故事水平";
    CHECK(hanfold_fingerprint(ctx, k1, strlen(k1), &fp) == 0);
    CHECK(hanfold_clusterer_add(c2, &fp, &m, &sim) == 0 && m == 2);
    CHECK(hanfold_fingerprint(ctx, k2, strlen(k2), &fp) == 0);
    CHECK(hanfold_clusterer_add(c2, &fp, &m, &sim) == 0 && m == 3);
    CHECK(hanfold_clusterer_cluster_of(c2, 1) == 1);
    CHECK(hanfold_clusterer_cluster_of(c2, 3) == 3);
    hanfold_clusterer_free(&c2);

    hanfold_clusterer_free(&cl);
    CHECK(cl == NULL);
    hanfold_ctx_free(&ctx);
    return check_done("cluster");
}
