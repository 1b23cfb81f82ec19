/* Byte spans of top-level values in a JSON object, so that `normalize
 * --input jsonl` can replace the text value and pass every other byte of
 * the line through unchanged (a parse-and-dump round trip would reorder,
 * reformat and re-round numbers).  The line has already been accepted by
 * jansson, so this scanner only needs to skip well-formed values. */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "records.h"

static size_t skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* s[i] == '"': index just past the closing quote. */
static size_t skip_string(const char *s, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return n;
}

static size_t skip_value(const char *s, size_t i, size_t n)
{
    if (i >= n)
        return n;
    if (s[i] == '"')
        return skip_string(s, i, n);
    if (s[i] == '{' || s[i] == '[') {
        size_t depth = 0;
        for (; i < n; i++) {
            if (s[i] == '"') {
                i = skip_string(s, i, n) - 1;
            } else if (s[i] == '{' || s[i] == '[') {
                depth++;
            } else if (s[i] == '}' || s[i] == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return n;
    }
    while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' &&
           s[i] != '\n' && s[i] != '\r')
        i++;
    return i;
}

static bool key_equals(const char *tok, size_t len, const char *key)
{
    /* tok includes the quotes */
    if (!memchr(tok, '\\', len))
        return len - 2 == strlen(key) && !memcmp(tok + 1, key, len - 2);
    json_t *j = json_loadb(tok, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    bool eq = j && json_is_string(j) && json_string_length(j) == strlen(key) &&
              !memcmp(json_string_value(j), key, strlen(key));
    json_decref(j);
    return eq;
}

bool hf_json_value_span(const char *s, size_t n, const char *key, size_t *start, size_t *end)
{
    size_t i = skip_ws(s, 0, n);
    bool found = false;
    if (i >= n || s[i] != '{')
        return false;
    i++;
    for (;;) {
        i = skip_ws(s, i, n);
        if (i >= n || s[i] != '"')
            return found;
        size_t k0 = i;
        i = skip_string(s, i, n);
        size_t k1 = i;
        i = skip_ws(s, i, n);
        if (i >= n || s[i] != ':')
            return found;
        i = skip_ws(s, i + 1, n);
        size_t v0 = i;
        i = skip_value(s, i, n);
        if (key_equals(s + k0, k1 - k0, key)) {
            *start = v0;
            *end = i;
            found = true;
        }
        i = skip_ws(s, i, n);
        if (i >= n || s[i] != ',')
            return found;
        i++;
    }
}
