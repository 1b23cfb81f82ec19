/* the whole normalize pipeline through the public API: valid UTF-8 text and
 * a key made only of what the key may hold; fingerprinting the key works;
 * the text is a fixed point of normalization with the same settings but
 * HTML off (a record read as HTML is text once reduced; text whose
 * reduction looks like markup, &lt;p&gt; or a tag with NULs inside, would
 * be read as markup again). */
#include <string.h>
#include <unistr.h>

#include "fuzz.h"
#include "hanfold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hanfold_ctx *ctx[2], *again[2];
    if (!ctx[0]) {
        hanfold_settings s;
        hanfold_settings_default(&s);
        s.repair_mojibake = true;
        FUZZ_CHECK(hanfold_ctx_new(&ctx[0], &s, NULL, 0) == 0);
        s.html = HANFOLD_HTML_OFF;
        FUZZ_CHECK(hanfold_ctx_new(&again[0], &s, NULL, 0) == 0);
        s.html = HANFOLD_HTML_AUTO;
        s.target = HANFOLD_TO_TAIWAN;
        s.keep_lines = true;
        FUZZ_CHECK(hanfold_ctx_new(&ctx[1], &s, NULL, 0) == 0);
        s.html = HANFOLD_HTML_OFF;
        FUZZ_CHECK(hanfold_ctx_new(&again[1], &s, NULL, 0) == 0);
    }
    for (int i = 0; i < 2; i++) {
        const char *u;
        size_t ul, inv;
        FUZZ_CHECK(hanfold_decode(ctx[i], data, size, NULL, &u, &ul, &inv) == 0);
        /* hanfold_process reuses the decode buffer: copy first */
        char *copy = malloc(ul + 1);
        FUZZ_CHECK(copy != NULL);
        memcpy(copy, u, ul);
        hanfold_result r;
        FUZZ_CHECK(hanfold_process(ctx[i], copy, ul, HANFOLD_WANT_TEXT | HANFOLD_WANT_KEY, &r) == 0);
        FUZZ_CHECK(u8_check((const uint8_t *)r.text, r.text_len) == NULL);
        FUZZ_CHECK(u8_check((const uint8_t *)r.key, r.key_len) == NULL);
        FUZZ_CHECK(strlen(r.key) == r.key_len);
        for (size_t k = 0; k < r.key_len; k++)
            FUZZ_CHECK((unsigned char)r.key[k] >= 0x80 || (r.key[k] >= '0' && r.key[k] <= '9') ||
                       (r.key[k] >= 'a' && r.key[k] <= 'z'));
        char *key = malloc(r.key_len + 1), *text = malloc(r.text_len + 1);
        FUZZ_CHECK(key != NULL && text != NULL);
        memcpy(key, r.key, r.key_len);
        memcpy(text, r.text, r.text_len);
        /* normalizing twice changes nothing */
        size_t tl = r.text_len;
        hanfold_result r2;
        FUZZ_CHECK(hanfold_process(again[i], text, tl, HANFOLD_WANT_TEXT, &r2) == 0);
        FUZZ_CHECK(r2.text_len == tl && memcmp(r2.text, text, tl) == 0);
        free(text);
        hanfold_fp fp;
        FUZZ_CHECK(hanfold_fingerprint(ctx[i], key, r.key_len, &fp) == 0);
        FUZZ_CHECK(fp.nsketch <= HANFOLD_SKETCH_K);
        free(key);
        free(copy);
    }
    return 0;
}
