/* the index/cluster API on arbitrary keys (one per line): cluster ids point
 * to earlier or same records, and both linkages agree on singletons. */
#include <string.h>

#include "fuzz.h"
#include "hanfold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hanfold_ctx *ctx;
    if (!ctx)
        FUZZ_CHECK(hanfold_ctx_new(&ctx, NULL, NULL, 0) == 0);
    hanfold_cluster_settings s;
    hanfold_cluster_settings_default(&s);
    s.linkage = HANFOLD_LINKAGE_REPRESENTATIVE;
    hanfold_clusterer *rep, *single;
    FUZZ_CHECK(hanfold_clusterer_new(&rep, &s) == 0);
    s.linkage = HANFOLD_LINKAGE_SINGLE;
    FUZZ_CHECK(hanfold_clusterer_new(&single, &s) == 0);
    const char *u;
    size_t ul, inv;
    FUZZ_CHECK(hanfold_decode(ctx, data, size, NULL, &u, &ul, &inv) == 0);
    char *text = malloc(ul + 1);
    FUZZ_CHECK(text != NULL);
    memcpy(text, u, ul);
    size_t n = 0;
    for (size_t i = 0; i <= ul && n < 2000;) {
        const char *nl = memchr(text + i, '\n', ul - i);
        size_t e = nl ? (size_t)(nl - text) : ul;
        hanfold_fp fp;
        FUZZ_CHECK(hanfold_fingerprint(ctx, text + i, e - i, &fp) == 0);
        uint64_t m1, m2;
        double s1, s2;
        FUZZ_CHECK(hanfold_clusterer_add(rep, &fp, &m1, &s1) == 0);
        FUZZ_CHECK(hanfold_fingerprint(ctx, text + i, e - i, &fp) == 0);
        FUZZ_CHECK(hanfold_clusterer_add(single, &fp, &m2, &s2) == 0);
        FUZZ_CHECK(m1 <= n && m2 <= n);
        FUZZ_CHECK(s1 >= 0 && s1 <= 1 && s2 >= 0 && s2 <= 1);
        n++;
        i = e + 1;
    }
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(hanfold_clusterer_cluster_of(rep, i) <= i);
        FUZZ_CHECK(hanfold_clusterer_cluster_of(single, i) <= i);
        /* a record single linkage leaves alone, representative linkage does too */
        if (hanfold_clusterer_cluster_of(single, i) == i)
            FUZZ_CHECK(hanfold_clusterer_cluster_of(rep, i) == i);
    }
    free(text);
    hanfold_clusterer_free(&rep);
    hanfold_clusterer_free(&single);
    return 0;
}
