/* markup: arbitrary (decoded) text as HTML; output valid UTF-8, no crash on
 * deep nesting or broken markup. */
#include <unistr.h>

#include "fuzz.h"
#include "stages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hf_buf in = {0}, out = {0};
    size_t inv = 0;
    FUZZ_CHECK(hf_decode_utf8(data, size, &in, &inv) == 0);
    hf_markup_detect(in.p ? in.p : "", in.len);
    FUZZ_CHECK(hf_markup_to_text(in.p ? in.p : "", in.len, &out, NULL) == 0);
    FUZZ_CHECK(u8_check((const uint8_t *)out.p, out.len) == NULL);
    hf_buf_free(&in);
    hf_buf_free(&out);
    return 0;
}
