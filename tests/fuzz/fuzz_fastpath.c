/* Differential target: the fast paths against the reference paths
 * (hanfold_settings.reference_path, see tests/unit/test_fastpath.c).  Any input, decoded
 * as the program decodes it, must give the same readable text, key,
 * fingerprint and statistics both ways, under three settings; and the key
 * alone (hf_fold_key_direct(), its tokens reused by hanfold_fingerprint()
 * on the context's own key) must equal the reference key and fingerprint. */
#include <string.h>

#include "fuzz.h"
#include "hanfold.h"
#include "stages.h"

struct out {
    int e;
    char *text, *key;
    size_t tl, kl;
    hanfold_fp fp;
    uint64_t sk[HANFOLD_SKETCH_K];
    hanfold_stats st;
};

static void run(hanfold_ctx *c, const char *in, size_t n, unsigned want, struct out *o)
{
    hanfold_result r;
    memset(o, 0, sizeof *o);
    o->e = hanfold_process(c, in, n, want, &r);
    if (o->e)
        return;
    o->text = malloc(r.text_len + 1);
    o->key = malloc(r.key_len + 1);
    FUZZ_CHECK(o->text && o->key);
    if (r.text_len)
        memcpy(o->text, r.text, r.text_len);
    o->tl = r.text_len;
    memcpy(o->key, r.key, o->kl = r.key_len);
    o->st = *hanfold_ctx_stats(c);
    /* from the context's own key: the tokens made on the way are used */
    FUZZ_CHECK(hanfold_fingerprint(c, r.key, r.key_len, &o->fp) == 0);
    if (o->fp.nsketch)
        memcpy(o->sk, o->fp.sketch, o->fp.nsketch * sizeof *o->sk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* each setting twice: rctx takes the reference paths */
    static hanfold_ctx *ctx[3], *rctx[3];
    if (!ctx[0]) {
        hanfold_settings s[3];
        for (int i = 0; i < 3; i++)
            hanfold_settings_default(&s[i]);
        s[0].repair_mojibake = true;
        s[1].target = HANFOLD_TO_TAIWAN;
        s[1].keep_lines = true;
        s[1].count_mojibake = true; /* compared between the paths */
        s[2].count_mojibake = true;
        for (int i = 0; i < 3; i++) {
            FUZZ_CHECK(hanfold_ctx_new(&ctx[i], &s[i], NULL, 0) == 0);
            s[i].reference_path = true;
            FUZZ_CHECK(hanfold_ctx_new(&rctx[i], &s[i], NULL, 0) == 0);
        }
    }
    for (int i = 0; i < 3; i++) {
        const char *u;
        size_t ul, inv;
        FUZZ_CHECK(hanfold_decode(ctx[i], data, size, NULL, &u, &ul, &inv) == 0);
        char *copy = malloc(ul + 1);
        FUZZ_CHECK(copy != NULL);
        memcpy(copy, u, ul);
        struct out f, k, r;
        unsigned both = HANFOLD_WANT_TEXT | HANFOLD_WANT_KEY;
        hanfold_stats s0 = *hanfold_ctx_stats(ctx[i]);
        run(ctx[i], copy, ul, both, &f);
        hanfold_stats s1 = *hanfold_ctx_stats(ctx[i]);
        run(ctx[i], copy, ul, HANFOLD_WANT_KEY, &k);
        hanfold_stats s2 = *hanfold_ctx_stats(rctx[i]);
        run(rctx[i], copy, ul, both, &r);
        FUZZ_CHECK(k.e == r.e);
        if (!k.e) {
            FUZZ_CHECK(k.kl == r.kl && !memcmp(k.key, r.key, k.kl));
            FUZZ_CHECK(k.fp.simhash == r.fp.simhash && k.fp.key_hash == r.fp.key_hash);
            FUZZ_CHECK(k.fp.key_tokens == r.fp.key_tokens);
            FUZZ_CHECK(k.st.mojibake_runs - s1.mojibake_runs == r.st.mojibake_runs - s2.mojibake_runs);
            FUZZ_CHECK(k.st.pinyin_removed - s1.pinyin_removed == r.st.pinyin_removed - s2.pinyin_removed);
        }
        FUZZ_CHECK(f.e == r.e);
        if (!f.e) {
            FUZZ_CHECK(f.tl == r.tl && !memcmp(f.text, r.text, f.tl));
            FUZZ_CHECK(f.kl == r.kl && !memcmp(f.key, r.key, f.kl));
            FUZZ_CHECK(f.fp.simhash == r.fp.simhash && f.fp.key_hash == r.fp.key_hash);
            FUZZ_CHECK(f.fp.key_tokens == r.fp.key_tokens && f.fp.nsketch == r.fp.nsketch);
            FUZZ_CHECK(!memcmp(f.sk, r.sk, f.fp.nsketch * sizeof *f.sk));
            /* each run added the same counts */
            FUZZ_CHECK(f.st.converted_runs - s0.converted_runs == r.st.converted_runs - s2.converted_runs);
            FUZZ_CHECK(f.st.pinyin_removed - s0.pinyin_removed == r.st.pinyin_removed - s2.pinyin_removed);
            FUZZ_CHECK(f.st.mojibake_runs - s0.mojibake_runs == r.st.mojibake_runs - s2.mojibake_runs);
        }
        free(f.text);
        free(f.key);
        free(k.text);
        free(k.key);
        free(r.text);
        free(r.key);
        free(copy);
    }
    return 0;
}
