/* fingerprint rows, the library's codec: garbage is refused with a reason,
 * never a crash; an accepted row has a sketch within the schema's size and
 * encodes back to a row that decodes to the same fields.  Rows starting
 * with '{' also go through the JSONL reader of the program (fprows.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fprows.h"
#include "fuzz.h"
#include "hanfold.h"

static void check_row(const char *s, size_t n)
{
    hanfold_fprow row = {0}, again = {0};
    const char *why = NULL;
    int e = hanfold_fp_decode_row(&row, s, n, &why);
    FUZZ_CHECK(e == 0 || e == -EINVAL || e == -ENOMEM);
    FUZZ_CHECK(!e == !why);
    if (!e) {
        FUZZ_CHECK(row.key || row.nsketch <= HANFOLD_SKETCH_K);
        size_t len = hanfold_fp_encode_row(NULL, 0, &row);
        char *buf = malloc(len);
        FUZZ_CHECK(buf && hanfold_fp_encode_row(buf, len, &row) == len && buf[len - 1] == '\n');
        FUZZ_CHECK(hanfold_fp_decode_row(&again, buf, len - 1, NULL) == 0);
        FUZZ_CHECK(again.id_len == row.id_len && !memcmp(again.id, row.id, row.id_len));
        FUZZ_CHECK(again.simhash == row.simhash && again.key_hash == row.key_hash &&
                   again.key_tokens == row.key_tokens && !again.key == !row.key);
        if (row.key)
            FUZZ_CHECK(again.key_len == row.key_len && !memcmp(again.key, row.key, row.key_len));
        else
            FUZZ_CHECK(again.nsketch == row.nsketch && (!row.nsketch || !memcmp(again.sketch, row.sketch, 8 * row.nsketch)));
        free(buf);
    }
    hanfold_fprow_free(&row);
    hanfold_fprow_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_row((const char *)data, size);
    hf_fprow fr;
    const char *why = hf_fprow_parse((const char *)data, size, &fr);
    if (!why)
        FUZZ_CHECK(fr.key || fr.nsketch <= HANFOLD_SKETCH_K);
    hf_fprow_free(&fr);
    return 0;
}
