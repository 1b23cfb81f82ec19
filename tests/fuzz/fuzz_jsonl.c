/* the JSONL reader's field spans: whenever jansson accepts an object, the
 * span found for "text" parses to the very value jansson reports. */
#include <jansson.h>
#include <string.h>

#include "fuzz.h"
#include "records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL);
    if (!j)
        return 0;
    if (json_is_object(j)) {
        static const char *const keys[] = {"text", "id", ""};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            size_t a, b;
            json_t *want = json_object_get(j, keys[k]);
            bool found = hf_json_value_span((const char *)data, size, keys[k], &a, &b);
            FUZZ_CHECK(found == (want != NULL));
            if (found) {
                FUZZ_CHECK(a <= b && b <= size);
                json_t *got = json_loadb((const char *)data + a, b - a, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
                FUZZ_CHECK(got && json_equal(got, want));
                json_decref(got);
            }
        }
    }
    json_decref(j);
    return 0;
}
