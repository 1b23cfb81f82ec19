/* --annotate: the record's own bytes, and the result as fields.  The
 * record has been parsed by jansson already; only the spans of its
 * top-level values are looked up (jsonspan.c), so that nothing else of the
 * line changes (a parse-and-dump would reorder keys and re-round numbers). */
#include "annotate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "outfmt.h"
#include "records.h"

static const char *const names[HF_ANN_COUNT] = {"cluster", "duplicate_of", "similarity", "measure", "fingerprint"};

bool hf_annotate_parse(hf_annotate *a, const char *list)
{
    hf_annotate_free(a);
    memset(a, 0, sizeof *a);
    const char *all = "cluster,duplicate_of,similarity,measure,fingerprint";
    if (!(a->mem = strdup(strcmp(list, "all") ? list : all))) {
        hf_msg("out of memory");
        return false;
    }
    char *save = NULL;
    if (!*a->mem) {
        hf_msg("--annotate needs fields: NAME[=KEY],... of cluster, duplicate_of, similarity, measure, "
               "fingerprint, or all");
        return false;
    }
    for (char *t = strtok_r(a->mem, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (eq)
            *eq = '\0';
        int f = -1;
        for (int i = 0; i < HF_ANN_COUNT; i++)
            if (!strcmp(t, names[i]))
                f = i;
        const char *key = eq ? eq + 1 : t;
        if (f < 0 || !*key) {
            hf_msg("invalid field '%s%s%s' for --annotate (expected NAME or NAME=KEY, NAME one of cluster, "
                   "duplicate_of, similarity, measure, fingerprint; or all)", t, eq ? "=" : "", eq ? key : "");
            return false;
        }
        if (a->want[f]) {
            hf_msg("--annotate names %s twice", t);
            return false;
        }
        for (size_t i = 0; i < a->n; i++)
            if (!strcmp(a->key[i], key)) {
                hf_msg("--annotate gives the key '%s' to two fields", key);
                return false;
            }
        a->want[f] = true;
        a->field[a->n] = f;
        a->key[a->n++] = key;
    }
    return true;
}

void hf_annotate_free(hf_annotate *a)
{
    free(a->mem);
    free(a->replaced_where);
    a->mem = a->replaced_where = NULL;
}

/* s as a JSON string (s is UTF-8, or bytes passed through as they are) */
static int put_json_str(hf_buf *b, const char *s, size_t n)
{
    int e = hf_buf_putc(b, '"');
    for (size_t i = 0; !e && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            e = hf_buf_append(b, esc, 2);
        } else if (c == '\t' || c == '\n' || c == '\r') {
            esc[0] = '\\';
            esc[1] = c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
            e = hf_buf_append(b, esc, 2);
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            e = hf_buf_append(b, esc, 6);
        } else {
            e = hf_buf_putc(b, (char)c);
        }
    }
    return e ? e : hf_buf_putc(b, '"');
}

static int put_value(hf_buf *b, int f, const hf_ann_values *v)
{
    char num[64], *d;
    switch (f) {
    case HF_ANN_CLUSTER:
        return put_json_str(b, v->cluster, strlen(v->cluster));
    case HF_ANN_DUPLICATE_OF:
        return v->dup_of ? put_json_str(b, v->dup_of, strlen(v->dup_of)) : hf_buf_append(b, "null", 4);
    case HF_ANN_SIMILARITY:
        d = hf_fmt_fixed3(num, sizeof num, v->sim);
        return hf_buf_append(b, num, (size_t)(d - num));
    case HF_ANN_MEASURE:
        d = (char *)hf_measure_name(v->measure);
        return put_json_str(b, d, strlen(d));
    default:
        return v->fprow ? put_json_str(b, v->fprow, v->fprow_len) : hf_buf_append(b, "null", 4);
    }
}

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

typedef struct { size_t start, end; int k; } repl;

static int by_start(const void *x, const void *y)
{
    const repl *a = x, *b = y;
    return a->start < b->start ? -1 : a->start > b->start;
}

int hf_annotate_record(hf_annotate *a, const char *raw, size_t n, const hf_ann_values *v, const char *file,
                       uint64_t line, hf_buf *out)
{
    hf_buf_clear(out);
    size_t close = n;
    while (close > 0 && is_ws(raw[close - 1]))
        close--;
    if (!close || raw[close - 1] != '}')
        return hf_buf_append(out, raw, n) ? -ENOMEM : -EINVAL;
    close--;
    /* after the last member (or the opening brace): whitespace before the
     * closing brace stays where it is */
    size_t at = close;
    while (at > 0 && is_ws(raw[at - 1]))
        at--;
    bool empty = at > 0 && raw[at - 1] == '{';
    repl r[HF_ANN_COUNT];
    size_t nr = 0;
    bool added[HF_ANN_COUNT] = {0};
    for (size_t k = 0; k < a->n; k++) {
        size_t s, e;
        if (hf_json_value_span(raw, n, a->key[k], &s, &e)) {
            r[nr++] = (repl){s, e, (int)k};
            if (!a->replaced++ && !a->replaced_where) {
                size_t len = strlen(file) + strlen(a->key[k]) + 64;
                if ((a->replaced_where = malloc(len)))
                    snprintf(a->replaced_where, len, "%s:%" PRIu64 ": key \"%s\"", file, line, a->key[k]);
            }
        } else {
            added[k] = true;
        }
    }
    qsort(r, nr, sizeof *r, by_start);
    size_t pos = 0;
    int e = 0;
    for (size_t i = 0; !e && i < nr; i++) {
        e = hf_buf_append(out, raw + pos, r[i].start - pos);
        if (!e)
            e = put_value(out, a->field[r[i].k], v);
        pos = r[i].end;
    }
    if (!e)
        e = hf_buf_append(out, raw + pos, at - pos);
    bool first = empty;
    for (size_t k = 0; !e && k < a->n; k++) {
        if (!added[k])
            continue;
        if (!first)
            e = hf_buf_putc(out, ',');
        first = false;
        if (!e)
            e = put_json_str(out, a->key[k], strlen(a->key[k]));
        if (!e)
            e = hf_buf_putc(out, ':');
        if (!e)
            e = put_value(out, a->field[k], v);
    }
    if (!e)
        e = hf_buf_append(out, raw + at, n - at);
    return e ? -ENOMEM : 0;
}
