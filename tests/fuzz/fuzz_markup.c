/* markup: arbitrary (decoded) text as HTML; output valid UTF-8, no crash on
 * deep nesting or broken markup, and no parse that stops before the end. */
#include <unistr.h>

#include "fuzz.h"
#include "stages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hf_buf in = {0}, out = {0};
    size_t inv = 0;
    FUZZ_CHECK(hf_decode_utf8(data, size, &in, &inv, false) == 0);
    hf_markup_detect(in.p ? in.p : "", in.len);
    hf_markup_note note;
    FUZZ_CHECK(hf_markup_to_text(in.p ? in.p : "", in.len, &out, &note) == 0);
    FUZZ_CHECK(u8_check((const uint8_t *)out.p, out.len) == NULL);
    /* no input is known to stop the parser early any more: one that does
     * loses text, and is a finding */
    FUZZ_CHECK(!note.cut);
    char msg[256];
    FUZZ_CHECK((hf_markup_describe(&note, msg, sizeof msg) != 0) == (note.flattened != 0));
    hf_buf_free(&in);
    hf_buf_free(&out);
    return 0;
}
