/* Candidate generation against brute force on real text: every pair of
 * records that verification accepts (hanfold_pair_verify over all pairs)
 * must be among the pairs the index hands to verification, for at least
 * 99.9% of them.  The clusterer runs with single linkage, so every record
 * with a key not seen before is indexed and the index alone decides which
 * pairs are compared.  A record that repeats an earlier key is not indexed
 * (its first record stands for it, with the same similarity to anything),
 * so pair (a, b) counts as found when b was compared with the first record
 * of a's key; records with the same key are found by the exact-key table.
 *
 *   test_candidates FILE.jsonl...   (records: the "text" field of each line)
 *
 * Exit 77 (skipped) when no file can be read: the development sets live in
 * ../shared/eval, which a build may not have. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hanfold.h"

typedef struct {
    uint32_t *tokens;
    uint64_t *sketch;
    hanfold_fp fp;
} rec;

typedef struct {
    uint8_t *seen; /* per pair (a, b), a < b: bit set when compared and accepted */
    size_t n;
} pairset;

static size_t pair_at(size_t a, size_t b)
{
    return b * (b - 1) / 2 + a;
}

static void on_pair(void *ud, uint64_t a, uint64_t b, double sim, int kind, bool dup)
{
    (void)sim;
    (void)kind;
    pairset *p = ud;
    if (dup && a < b && b < p->n) {
        size_t i = pair_at((size_t)a, (size_t)b);
        p->seen[i / 8] |= (uint8_t)(1u << (i % 8));
    }
}

static bool has(const pairset *p, size_t a, size_t b)
{
    size_t i = pair_at(a, b);
    return p->seen[i / 8] >> (i % 8) & 1;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        perror("malloc");
        exit(2);
    }
    return p;
}

/* Fingerprints of the "text" fields of a JSONL file; *n gets how many. */
static rec *load(hanfold_ctx *ctx, const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    *n = 0;
    if (!f)
        return NULL;
    size_t cap = 1024;
    rec *v = xmalloc(cap * sizeof *v);
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) > 0) {
        json_error_t err;
        json_t *o = json_loadb(line, (size_t)len, 0, &err);
        const char *t = json_string_value(json_object_get(o, "text"));
        if (!t) {
            json_decref(o);
            continue;
        }
        hanfold_result res;
        hanfold_fp fp;
        CHECK(hanfold_process(ctx, t, strlen(t), HANFOLD_WANT_KEY, &res) == 0);
        CHECK(hanfold_fingerprint(ctx, res.key, res.key_len, &fp) == 0);
        json_decref(o);
        if (*n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        if (!v)
            exit(2);
        rec *r = &v[(*n)++];
        r->fp = fp;
        r->tokens = fp.tokens ? xmalloc(fp.ntokens * sizeof *fp.tokens) : NULL;
        if (fp.tokens)
            memcpy(r->tokens, fp.tokens, fp.ntokens * sizeof *fp.tokens);
        r->sketch = xmalloc(fp.nsketch * sizeof *fp.sketch);
        memcpy(r->sketch, fp.sketch, fp.nsketch * sizeof *fp.sketch);
        r->fp.tokens = r->tokens;
        r->fp.sketch = r->sketch;
    }
    free(line);
    fclose(f);
    return v;
}

int main(int argc, char **argv)
{
    hanfold_ctx *ctx;
    if (hanfold_ctx_new(&ctx, NULL, NULL, 0))
        return 2;
    int sets = 0;
    for (int a = 1; a < argc; a++) {
        size_t n;
        rec *v = load(ctx, argv[a], &n);
        if (!v)
            continue;
        sets++;
        pairset ps = {xmalloc(n * (n - 1) / 16 + 1), n};
        memset(ps.seen, 0, n * (n - 1) / 16 + 1);
        hanfold_cluster_settings s;
        hanfold_cluster_settings_default(&s);
        s.linkage = HANFOLD_LINKAGE_SINGLE;
        s.streaming = false;
        s.on_pair = on_pair;
        s.on_pair_ud = &ps;
        hanfold_clusterer *cl;
        CHECK(hanfold_clusterer_new(&cl, &s) == 0);
        for (size_t i = 0; i < n; i++) {
            uint64_t match;
            double sim;
            CHECK(hanfold_clusterer_add(cl, &v[i].fp, &match, &sim) == 0);
        }
        /* the first record of each key (quadratic, as the pairs below) */
        size_t *first = xmalloc(n * sizeof *first);
        for (size_t i = 0; i < n; i++) {
            first[i] = i;
            for (size_t k = 0; k < i && v[i].fp.key_tokens; k++)
                if (v[k].fp.key_hash == v[i].fp.key_hash) {
                    first[i] = k;
                    break;
                }
        }
        size_t accepted = 0, found = 0, shown = 0, failed = 0, same_key = 0;
        for (size_t j = 1; j < n; j++) {
            for (size_t i = 0; i < j; i++) {
                double sim;
                int kind;
                int e = hanfold_pair_verify(&s, &v[i].fp, &v[j].fp, &sim, &kind);
                failed += e < -1;
                if (e != 1)
                    continue;
                accepted++;
                if (first[i] == first[j])
                    same_key++;
                if (first[i] == first[j] || has(&ps, first[i], j))
                    found++;
                else if (shown++ < 10)
                    fprintf(stderr, "%s: missed %zu-%zu (similarity %.3f, %u and %u tokens)\n", argv[a], i, j,
                            sim, v[i].fp.key_tokens, v[j].fp.key_tokens);
            }
        }
        printf("%s: %zu records, the index found %zu of %zu pairs verification accepts (%.4f; %zu of them "
               "of one key, by the exact-key table)\n",
               argv[a], n, found, accepted, accepted ? (double)found / (double)accepted : 1.0, same_key);
        free(first);
        CHECK(failed == 0);
        CHECK(accepted > 0);
        CHECK(found * 1000 >= accepted * 999);
        hanfold_clusterer_free(&cl);
        for (size_t i = 0; i < n; i++) {
            free(v[i].tokens);
            free(v[i].sketch);
        }
        free(v);
        free(ps.seen);
    }
    hanfold_ctx_free(&ctx);
    if (!sets) {
        printf("candidates: no development set found, skipped\n");
        return 77;
    }
    return check_done("candidates");
}
