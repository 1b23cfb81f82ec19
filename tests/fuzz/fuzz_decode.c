/* decode: every charset hanfold names, on arbitrary bytes; the output is
 * always valid UTF-8, and for UTF-8 the same as the reference path's. */
#include <string.h>
#include <unistr.h>

#include "fuzz.h"
#include "stages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const cs[] = {"UTF-8", "GB18030", "GBK", "BIG5", "BIG5-HKSCS", "UTF-16",
                                     "UTF-16LE", "UTF-16BE", "UTF-32", "EUC-TW", "ISO-2022-CN-EXT"};
    hf_buf out = {0};
    size_t inv = 0;
    if (size == 0)
        return 0;
    unsigned which = data[0] % (sizeof cs / sizeof cs[0]);
    data++, size--;
    if (which == 0) {
        FUZZ_CHECK(hf_decode_utf8(data, size, &out, &inv, false) == 0);
        /* the AVX2 check (where there is one) against the scalar loop */
        hf_buf ref = {0};
        size_t rinv = 0;
        FUZZ_CHECK(hf_decode_utf8(data, size, &ref, &rinv, true) == 0);
        FUZZ_CHECK(rinv == inv && ref.len == out.len && (!out.len || !memcmp(ref.p, out.p, out.len)));
        hf_buf_free(&ref);
    } else {
        hf_decoder *d;
        FUZZ_CHECK(hf_decoder_new(&d, cs[which]) == 0);
        FUZZ_CHECK(hf_decoder_run(d, data, size, &out, &inv) == 0);
        hf_decoder_free(&d);
    }
    FUZZ_CHECK(u8_check((const uint8_t *)out.p, out.len) == NULL);
    size_t bom;
    hf_decode_bom(data, size, &bom);
    FUZZ_CHECK(bom <= size);
    char name[64];
    if (hf_decode_meta_charset(data, size, name, sizeof name))
        FUZZ_CHECK(strlen(name) < sizeof name);
    hf_decode_detect(data, size);
    hf_buf_free(&out);
    return 0;
}
