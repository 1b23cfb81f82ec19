#include "fprows.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *parse_json(const char *s, size_t n, hanfold_fprow *row, void **keep)
{
    json_t *j = json_loadb(s, n, 0, NULL);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return "malformed JSON";
    }
    *keep = j;
    json_t *id = json_object_get(j, "id");
    if (!json_is_string(id))
        return "bad or missing id";
    if (hanfold_fp_decode_row_field(row, HANFOLD_FPROW_ID, json_string_value(id), json_string_length(id)))
        return "out of memory";
    json_t *sh = json_object_get(j, "simhash"), *kh = json_object_get(j, "key_hash");
    json_t *kt = json_object_get(j, "key_tokens"), *key = json_object_get(j, "key");
    json_t *sk = json_object_get(j, "sketch");
    if (!json_is_string(sh) ||
        hanfold_fp_decode_row_field(row, HANFOLD_FPROW_SIMHASH, json_string_value(sh), json_string_length(sh)))
        return "bad or missing simhash";
    if (!json_is_string(kh) ||
        hanfold_fp_decode_row_field(row, HANFOLD_FPROW_KEY_HASH, json_string_value(kh), json_string_length(kh)))
        return "bad or missing key_hash";
    if (!json_is_integer(kt) || json_integer_value(kt) < 0 || json_integer_value(kt) > UINT32_MAX)
        return "bad or missing key_tokens";
    row->key_tokens = (uint32_t)json_integer_value(kt);
    if (json_is_string(key)) {
        row->key = json_string_value(key);
        row->key_len = json_string_length(key);
        return NULL;
    }
    if (json_is_string(sk)) {
        int e = hanfold_fp_decode_row_field(row, HANFOLD_FPROW_SKETCH, json_string_value(sk), json_string_length(sk));
        if (e == -ENOMEM)
            return "out of memory";
        if (e)
            return e == -E2BIG ? "sketch longer than the schema allows" : "bad sketch entry";
        return NULL;
    }
    return "neither key nor sketch";
}

const char *hf_fprow_parse(const char *s, size_t n, hf_fprow *fr)
{
    memset(fr, 0, sizeof *fr);
    hanfold_fprow *row = &fr->row;
    const char *why = NULL;
    if (n && s[0] == '{')
        why = parse_json(s, n, row, &fr->json);
    else
        hanfold_fp_decode_row(row, s, n, &why);
    fr->id = row->id;
    fr->simhash = row->simhash;
    fr->key_hash = row->key_hash;
    fr->key_tokens = row->key_tokens;
    fr->key = row->key;
    fr->key_len = row->key_len;
    fr->sketch = row->sketch;
    fr->nsketch = row->nsketch;
    return why;
}

void hf_fprow_free(hf_fprow *fr)
{
    hanfold_fprow_free(&fr->row);
    if (fr->json)
        json_decref(fr->json);
    memset(fr, 0, sizeof *fr);
}
