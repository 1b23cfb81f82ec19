/* repair: pinyin removal only ever removes; mojibake repair keeps UTF-8. */
#include <unistr.h>

#include "fuzz.h"
#include "stages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hf_buf in = {0}, out = {0}, mj = {0};
    size_t inv = 0, removed = 0, repaired = 0;
    FUZZ_CHECK(hf_decode_utf8(data, size, &in, &inv) == 0);
    const char *s = in.p ? in.p : "";
    FUZZ_CHECK(hf_repair_pinyin(s, in.len, &out, &removed) == 0);
    FUZZ_CHECK(out.len <= in.len);
    FUZZ_CHECK(removed == 0 || out.len < in.len);
    FUZZ_CHECK(u8_check((const uint8_t *)out.p, out.len) == NULL);
    size_t runs = hf_repair_count_mojibake(s, in.len);
    FUZZ_CHECK(hf_repair_mojibake(s, in.len, &mj, &repaired) == 0);
    FUZZ_CHECK(repaired <= runs);
    FUZZ_CHECK(u8_check((const uint8_t *)mj.p, mj.len) == NULL);
    hf_buf_free(&in);
    hf_buf_free(&out);
    hf_buf_free(&mj);
    return 0;
}
