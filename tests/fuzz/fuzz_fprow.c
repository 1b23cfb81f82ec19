/* fingerprint rows: garbage is refused with a reason, never a crash; an
 * accepted row has a sketch within the schema's size. */
#include "fprows.h"
#include "fuzz.h"
#include "hanfold.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hf_fprow row;
    const char *why = hf_fprow_parse((const char *)data, size, &row);
    if (!why)
        FUZZ_CHECK(row.key || row.nsketch <= HANFOLD_SKETCH_K);
    hf_fprow_free(&row);
    return 0;
}
