#include "fprows.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hanfold.h"

/* Hex digit values plus one (0: not a digit): a lookup instead of
 * branches that digits and letters, mixed at random, kept mispredicting. */
#define HEX_DIGITS(X) X('0', 1) X('1', 2) X('2', 3) X('3', 4) X('4', 5) X('5', 6) X('6', 7) X('7', 8) \
    X('8', 9) X('9', 10) X('a', 11) X('b', 12) X('c', 13) X('d', 14) X('e', 15) X('f', 16)           \
    X('A', 11) X('B', 12) X('C', 13) X('D', 14) X('E', 15) X('F', 16)
#define HEX_ENTRY(c, v) [(unsigned char)(c)] = (v),
static const uint8_t hexval[256] = {HEX_DIGITS(HEX_ENTRY)};

static int hex16(const char *s, size_t n, uint64_t *out)
{
    if (n != 16)
        return -1;
    uint64_t v = 0;
    unsigned bad = 0;
    for (size_t i = 0; i < 16; i++) {
        unsigned d = hexval[(unsigned char)s[i]];
        bad |= d == 0;
        v = v << 4 | (uint64_t)(d - 1);
    }
    if (bad)
        return -1;
    *out = v;
    return 0;
}

static const char *parse_sketch(const char *s, size_t n, hf_fprow *row)
{
    size_t count = n ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        count += s[i] == ',';
    if (count > HANFOLD_SKETCH_K)
        return "sketch longer than the schema allows";
    row->sketch = malloc((count ? count : 1) * sizeof *row->sketch);
    if (!row->sketch)
        return "out of memory";
    size_t k = 0, i = 0;
    while (i < n) {
        const char *comma = memchr(s + i, ',', n - i);
        size_t e = comma ? (size_t)(comma - s) : n;
        if (hex16(s + i, e - i, &row->sketch[k++]))
            return "bad sketch entry";
        i = e + 1;
    }
    row->nsketch = k;
    return NULL;
}

static const char *parse_tokens(const char *s, size_t n, uint32_t *out)
{
    if (!n || n > 10)
        return "bad key length";
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return "bad key length";
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX)
        return "bad key length";
    *out = (uint32_t)v;
    return NULL;
}

/* Copies the id; for TSV rows undoes the escaping of `hanfold fingerprint`
 * (\t \n \r \\). */
static const char *copy_id(const char *s, size_t n, bool tsv, hf_fprow *row)
{
    row->id = malloc(n + 1);
    if (!row->id)
        return "out of memory";
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (tsv && c == '\\' && i + 1 < n) {
            char e = s[++i];
            c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
        }
        row->id[k++] = c;
    }
    row->id[k] = '\0';
    return NULL;
}

static const char *parse_json(const char *s, size_t n, hf_fprow *row)
{
    json_t *j = json_loadb(s, n, 0, NULL);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return "malformed JSON";
    }
    row->json = j;
    json_t *id = json_object_get(j, "id");
    if (!json_is_string(id))
        return "bad or missing id";
    const char *why = copy_id(json_string_value(id), json_string_length(id), false, row);
    if (why)
        return why;
    json_t *sh = json_object_get(j, "simhash"), *kh = json_object_get(j, "key_hash");
    json_t *kt = json_object_get(j, "key_tokens"), *key = json_object_get(j, "key");
    json_t *sk = json_object_get(j, "sketch");
    if (!json_is_string(sh) || hex16(json_string_value(sh), json_string_length(sh), &row->simhash))
        return "bad or missing simhash";
    if (!json_is_string(kh) || hex16(json_string_value(kh), json_string_length(kh), &row->key_hash))
        return "bad or missing key_hash";
    if (!json_is_integer(kt) || json_integer_value(kt) < 0 || json_integer_value(kt) > UINT32_MAX)
        return "bad or missing key_tokens";
    row->key_tokens = (uint32_t)json_integer_value(kt);
    if (json_is_string(key)) {
        row->key = json_string_value(key);
        row->key_len = json_string_length(key);
        return NULL;
    }
    if (json_is_string(sk))
        return parse_sketch(json_string_value(sk), json_string_length(sk), row);
    return "neither key nor sketch";
}

const char *hf_fprow_parse(const char *s, size_t n, hf_fprow *row)
{
    memset(row, 0, sizeof *row);
    if (n && s[0] == '{')
        return parse_json(s, n, row);
    const char *f[5];
    size_t l[5], k = 0, i = 0;
    while (k < 5) {
        const char *tab = k < 4 ? memchr(s + i, '\t', n - i) : NULL;
        size_t e = tab ? (size_t)(tab - s) : n;
        f[k] = s + i;
        l[k] = e - i;
        k++;
        if (!tab)
            break;
        i = e + 1;
    }
    if (k < 5)
        return "expected 5 tab-separated fields";
    const char *why = copy_id(f[0], l[0], true, row);
    if (why)
        return why;
    if (hex16(f[1], l[1], &row->simhash))
        return "bad simhash (expected 16 hex digits)";
    if ((why = parse_tokens(f[2], l[2], &row->key_tokens)))
        return why;
    if (hex16(f[3], l[3], &row->key_hash))
        return "bad key hash (expected 16 hex digits)";
    if (l[4] >= 2 && !memcmp(f[4], "k:", 2)) {
        row->key = f[4] + 2;
        row->key_len = l[4] - 2;
        return NULL;
    }
    if (l[4] >= 2 && !memcmp(f[4], "s:", 2))
        return parse_sketch(f[4] + 2, l[4] - 2, row);
    return "last field must start with k: or s:";
}

void hf_fprow_free(hf_fprow *row)
{
    free(row->id);
    free(row->sketch);
    if (row->json)
        json_decref(row->json);
    memset(row, 0, sizeof *row);
}
