/* the binary fingerprint form on hostile bytes: refused with -EBADMSG or
 * -EPROTONOSUPPORT, never a read outside the input; what is accepted is
 * within the limits, re-encodes to the same bytes, and decodes in place
 * (from an aligned copy) to the same fingerprint. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hanfold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static hanfold_fp_store store;
    hanfold_fp fp;
    size_t used = 0;
    int e = hanfold_fp_decode(data, size, &fp, &store, &used);
    FUZZ_CHECK(e == 0 || e == -EBADMSG || e == -EPROTONOSUPPORT);
    if (e)
        return 0;
    FUZZ_CHECK(used <= size && used % 8 == 0);
    FUZZ_CHECK(fp.nsketch <= HANFOLD_SKETCH_K && (!fp.tokens || fp.ntokens <= HANFOLD_SHORT_MAX));
    for (size_t i = 1; i < fp.nsketch; i++)
        FUZZ_CHECK(fp.sketch[i - 1] < fp.sketch[i]);
    uint64_t *aligned = malloc(used);
    FUZZ_CHECK(aligned && hanfold_fp_encode(aligned, used, &fp) == used);
    FUZZ_CHECK(!memcmp(aligned, data, used));
    hanfold_fp inplace;
    FUZZ_CHECK(hanfold_fp_decode(aligned, used, &inplace, NULL, NULL) == 0);
    FUZZ_CHECK(inplace.simhash == fp.simhash && inplace.key_hash == fp.key_hash &&
               inplace.key_tokens == fp.key_tokens && !inplace.tokens == !fp.tokens &&
               inplace.nsketch == fp.nsketch);
    free(aligned);
    return 0;
}
