/* repair: pinyin removal only ever removes; mojibake repair keeps UTF-8;
 * the fast paths agree with the reference paths. */
#include <string.h>
#include <unistr.h>

#include "fuzz.h"
#include "stages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hf_buf in = {0}, out = {0}, mj = {0};
    size_t inv = 0, removed = 0, repaired = 0;
    FUZZ_CHECK(hf_decode_utf8(data, size, &in, &inv, false) == 0);
    const char *s = in.p ? in.p : "";
    FUZZ_CHECK(hf_repair_pinyin(s, in.len, &out, &removed, false) == 0);
    FUZZ_CHECK(out.len <= in.len);
    FUZZ_CHECK(removed == 0 || out.len < in.len);
    FUZZ_CHECK(u8_check((const uint8_t *)out.p, out.len) == NULL);
    size_t runs = hf_repair_count_mojibake(s, in.len, true, false);
    FUZZ_CHECK(hf_repair_count_mojibake(s, in.len, false, false) <= runs);
    FUZZ_CHECK(hf_repair_mojibake(s, in.len, &mj, &repaired, false) == 0);
    FUZZ_CHECK(repaired <= runs);
    FUZZ_CHECK(u8_check((const uint8_t *)mj.p, mj.len) == NULL);
    /* the fast paths (pinyin from parenthesis to parenthesis, the mojibake
     * scan skipped without a suspect character) against the reference
     * paths, on the decoded text and on the raw bytes */
    for (int raw = 0; raw < 2; raw++) {
        const char *t = raw ? (const char *)data : s;
        size_t n = raw ? size : in.len;
        hf_buf a = {0}, b = {0};
        size_t ra = 0, rb = 0;
        FUZZ_CHECK(hf_repair_pinyin(t, n, &a, &ra, false) == 0);
        size_t ca = hf_repair_count_mojibake(t, n, true, false) * 1000 + hf_repair_count_mojibake(t, n, false, false);
        FUZZ_CHECK(hf_repair_pinyin(t, n, &b, &rb, true) == 0);
        size_t cb = hf_repair_count_mojibake(t, n, true, true) * 1000 + hf_repair_count_mojibake(t, n, false, true);
        FUZZ_CHECK(ra == rb && a.len == b.len && (!a.len || !memcmp(a.p, b.p, a.len)));
        FUZZ_CHECK(ca == cb);
        hf_buf_free(&a);
        hf_buf_free(&b);
    }
    hf_buf_free(&in);
    hf_buf_free(&out);
    hf_buf_free(&mj);
    return 0;
}
