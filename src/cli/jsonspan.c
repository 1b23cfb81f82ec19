/* Byte spans of top-level values in a JSON object, so that `normalize
 * --input jsonl` can replace the text value and pass every other byte of
 * the line through unchanged (a parse-and-dump round trip would reorder,
 * reformat and re-round numbers).  The line has already been accepted by
 * jansson, so this scanner only needs to skip well-formed values. */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
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

/* ---- field paths (--text-field, --id-field, --keep max:FIELD) ---------------------------- */

void hf_jpaths_free(hf_jpath *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        for (size_t k = 0; k < p[i].n; k++)
            free(p[i].key[k]);
        free(p[i].key);
    }
    free(p);
}

/* One path of spec (up to an unescaped ',' when list): its keys. */
static int parse_path(const char **sp, bool list, hf_jpath *p)
{
    const char *s = *sp;
    memset(p, 0, sizeof *p);
    char *cur = malloc(strlen(s) + 1);
    if (!cur)
        return -ENOMEM;
    size_t len = 0;
    int e = 0;
    for (;;) {
        char c = *s;
        bool end_path = c == '\0' || (list && c == ',');
        if (c == '.' || end_path) {
            if (!len) {
                e = -EINVAL; /* an empty key: "a..b", ".a", "a," */
                break;
            }
            char **k = realloc(p->key, (p->n + 1) * sizeof *k);
            if (!k || !(k[p->n] = strndup(cur, len))) {
                if (k)
                    p->key = k;
                e = -ENOMEM;
                break;
            }
            p->key = k;
            p->n++;
            len = 0;
            if (end_path) {
                if (c == ',' && !s[1]) {
                    e = -EINVAL; /* "a,": an empty last path */
                    break;
                }
                s += c != '\0';
                break;
            }
            s++;
            continue;
        }
        if (c == '\\' && s[1])
            c = *++s;
        cur[len++] = c;
        s++;
    }
    free(cur);
    *sp = s;
    return e;
}

int hf_jpaths_parse(const char *spec, bool list, hf_jpath **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    hf_jpath *v = NULL;
    size_t nv = 0;
    const char *s = spec;
    do {
        hf_jpath *nvp = realloc(v, (nv + 1) * sizeof *v);
        if (!nvp) {
            hf_jpaths_free(v, nv);
            return -ENOMEM;
        }
        v = nvp;
        int e = parse_path(&s, list, &v[nv]);
        nv++;
        if (e) {
            hf_jpaths_free(v, nv);
            return e;
        }
    } while (*s);
    *out = v;
    *n = nv;
    return 0;
}

json_t *hf_jpath_get(json_t *root, const hf_jpath *p)
{
    json_t *v = root;
    for (size_t k = 0; v && k < p->n; k++)
        v = json_is_object(v) ? json_object_get(v, p->key[k]) : NULL;
    return v;
}

bool hf_jpath_span(const char *s, size_t n, const hf_jpath *p, size_t *start, size_t *end)
{
    size_t base = 0, a, b;
    for (size_t k = 0; k < p->n; k++) {
        if (!hf_json_value_span(s + base, n - base, p->key[k], &a, &b))
            return false;
        n = base + b;
        base += a;
    }
    *start = base;
    *end = n;
    return p->n > 0;
}
