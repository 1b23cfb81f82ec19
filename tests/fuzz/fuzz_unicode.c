/* unicode: valid UTF-8 out, and cleaning twice changes nothing. */
#include <string.h>
#include <unistr.h>

#include "fuzz.h"
#include "stages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hf_buf in = {0}, a = {0}, b = {0}, tmp = {0};
    size_t inv = 0;
    FUZZ_CHECK(hf_decode_utf8(data, size, &in, &inv, false) == 0);
    for (int mode = 0; mode < 6; mode++) {
        enum hf_punct p = mode & 1 ? HF_PUNCT_TRADITIONAL : HF_PUNCT_SIMPLIFIED;
        enum hf_lines keep = (enum hf_lines)(mode >> 1); /* JOIN, KEEP, BLOCKS */
        hf_buf_clear(&a);
        hf_buf_clear(&b);
        FUZZ_CHECK(hf_unicode_clean(in.p ? in.p : "", in.len, p, keep, &a, &tmp, false) == 0);
        FUZZ_CHECK(u8_check((const uint8_t *)a.p, a.len) == NULL);
        FUZZ_CHECK(hf_unicode_clean(a.p ? a.p : "", a.len, p, keep, &b, &tmp, false) == 0);
        FUZZ_CHECK(a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0));
    }
    hf_buf_free(&in);
    hf_buf_free(&a);
    hf_buf_free(&b);
    hf_buf_free(&tmp);
    return 0;
}
