/* Fingerprint rows, the exchange format of `hanfold fingerprint`:
 *   TSV:   id TAB simhash TAB key-tokens TAB key-hash TAB k:KEY | s:H,H,...
 *   JSONL: {"id":..,"simhash":"..","key_tokens":N,"key_hash":"..","key":".."|"sketch":"H,H,.."}
 * The TSV row and the fields are the library's codec (hanfold_fp_*_row);
 * this adds the JSONL container, which needs a JSON parser the library
 * does not have. */
#ifndef HF_FPROWS_H
#define HF_FPROWS_H

#include <stddef.h>
#include <stdint.h>

#include "hanfold.h"

typedef struct hf_fprow {
    const char *id;      /* unescaped, NUL-terminated */
    uint64_t simhash, key_hash;
    uint32_t key_tokens;
    const char *key;     /* NULL for a long record */
    size_t key_len;
    const uint64_t *sketch; /* NULL for a short record */
    size_t nsketch;
    hanfold_fprow row;   /* owns id and sketch */
    void *json;          /* keeps key alive for JSONL rows */
} hf_fprow;

/* Parses one row (valid UTF-8, no terminator).  Returns NULL on success or
 * a static description of what is wrong. */
const char *hf_fprow_parse(const char *s, size_t n, hf_fprow *row);
void hf_fprow_free(hf_fprow *row);

#endif
