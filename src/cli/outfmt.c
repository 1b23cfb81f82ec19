/* Output fields: see outfmt.h. */
#include "outfmt.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* TSV fields escape backslash, tab, newline and carriage return. */
void hf_out_tsv_field(FILE *f, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != '\t' && s[j] != '\n' && s[j] != '\r' && s[j] != '\\')
            j++;
        if (f == stdout)
            hf_out(s + i, j - i);
        else
            fwrite(s + i, 1, j - i, f);
        if (j < n) {
            const char *e = s[j] == '\t' ? "\\t" : s[j] == '\n' ? "\\n" : s[j] == '\r' ? "\\r" : "\\\\";
            if (f == stdout)
                hf_out(e, 2);
            else
                fwrite(e, 1, 2, f);
            j++;
        }
        i = j;
    }
}

/* v in thousandths as printf("%.3f") rounds it, when that can be told
 * without printing: true and *r set.  Below 10^12 every tie k + 0.5 of
 * y = v * 1000 is a double, so the rounded product never crosses one: y
 * rounds as the exact product does, unless y is a tie itself (the exact
 * product may then be on either side). */
static bool fixed3_round(double v, uint64_t *r)
{
    if (!((v > 0 || (v == 0 && !signbit(v))) && v < 1e12))
        return false;
    double y = v * 1000.0, f = floor(y), frac = y - f;
    if (frac == 0.5)
        return false;
    *r = (uint64_t)f + (frac > 0.5);
    return true;
}

unsigned hf_fixed3_milli(double v)
{
    uint64_t r;
    if (v > 1)
        return 1000;
    if (fixed3_round(v, &r))
        return (unsigned)r;
    /* a tie, or below 0: as printf prints it */
    char num[64];
    snprintf(num, sizeof num, "%.3f", v);
    const char *dot = strchr(num, '.');
    return v < 0 || !dot ? 0 : (unsigned)(atoi(num) * 1000 + atoi(dot + 1));
}

char *hf_fmt_fixed3(char *d, size_t room, double v)
{
    uint64_t r;
    if (fixed3_round(v, &r)) {
        d = hf_fmt_u64(d, r / 1000);
        unsigned m = (unsigned)(r % 1000);
        *d++ = '.';
        *d++ = (char)('0' + m / 100);
        *d++ = (char)('0' + m / 10 % 10);
        *d++ = (char)('0' + m % 10);
        return d;
    }
    int n = snprintf(d, room, "%.3f", v);
    return d + (n < 0 ? 0 : (size_t)n < room ? (size_t)n : room - 1);
}

void hf_out_str(const char *s)
{
    hf_out(s, strlen(s));
}

void hf_out_json_str(const char *s, size_t n)
{
    json_t *j = json_stringn_nocheck(s, n);
    char *d = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    hf_out_str(d ? d : "\"\"");
    free(d);
    json_decref(j);
}

/* Whether s is a plain decimal number (-1, +86, 3.5): a spreadsheet reads
 * it as the number, so a leading sign opens no formula. */
static bool plain_number(const char *s, size_t n)
{
    size_t i = s[0] == '-' || s[0] == '+';
    bool digit = false, dot = false;
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digit = true;
        else if (s[i] == '.' && !dot)
            dot = true;
        else
            return false;
    }
    return digit;
}

void hf_out_csv_field(const char *s, size_t n)
{
    /* A cell that a spreadsheet would run as a formula (=, +, -, @, or a
     * tab or carriage return first: OWASP's list) gets a leading ' that
     * makes it text, as spreadsheets themselves write it; plain numbers
     * stay as they are. */
    bool formula = n > 0 && strchr("=+-@\t\r", s[0]) && !plain_number(s, n);
    if (!formula && !memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
        hf_out(s, n);
        return;
    }
    hf_out("\"", 1);
    if (formula)
        hf_out("'", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            hf_out("\"", 1);
        hf_out(s + i, 1);
    }
    hf_out("\"", 1);
}

static void out_sink(const void *p, size_t n, void *ud)
{
    (void)ud;
    hf_out(p, n);
}

void hf_out_human(const char *s, size_t n)
{
    hf_human_escape(s, n, out_sink, NULL);
}

void hf_human_escape(const char *s, size_t n, void (*sink)(const void *, size_t, void *), void *ud)
{
    static const char hex[] = "0123456789abcdef";
    const uint8_t *p = (const uint8_t *)s, *end = p + n, *run = p;
    while (p < end) {
        uint8_t b = *p;
        size_t l = 1;
        bool esc;
        if (b < 0x20 || b == 0x7F) {
            esc = true;
        } else if (b < 0x80) {
            esc = false;
        } else {
            /* UTF-8 as it is, but C1 controls (U+0080..U+009F, C2 80..9F)
             * and bytes that are no UTF-8 */
            l = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
            bool ok = l && (size_t)(end - p) >= l;
            for (size_t i = 1; ok && i < l; i++)
                ok = (p[i] & 0xC0) == 0x80;
            esc = !ok || (b == 0xC2 && p[1] <= 0x9F);
            if (!ok)
                l = 1;
        }
        if (!esc) {
            p += l;
            continue;
        }
        sink(run, (size_t)(p - run), ud);
        for (size_t i = 0; i < l; i++) {
            char e[4] = {'\\', 'x', hex[p[i] >> 4], hex[p[i] & 15]};
            const char *named = p[i] == '\n' ? "\\n" : p[i] == '\t' ? "\\t" : p[i] == '\r' ? "\\r" : NULL;
            if (named)
                sink(named, 2, ud);
            else
                sink(e, 4, ud);
        }
        p += l;
        run = p;
    }
    sink(run, (size_t)(p - run), ud);
}

const char *hf_measure_name(int m)
{
    static const char *const names[HF_MEASURE_COUNT] = {"self", "exact", "containment", "jaccard", "simhash"};
    return m >= 0 && m < HF_MEASURE_COUNT ? names[m] : "self";
}

int hf_measure_of_kind(int kind)
{
    switch (kind) {
    case HANFOLD_PAIR_SHORT:
    case HANFOLD_PAIR_LONG:
        return HF_MEASURE_CONTAINMENT;
    case HANFOLD_PAIR_JACCARD:
        return HF_MEASURE_JACCARD;
    default:
        /* HANFOLD_PAIR_TINY: keys of at most five tokens match only when
         * identical */
        return HF_MEASURE_EXACT;
    }
}

void hf_out_cluster_row(int format, const char *id, const char *cid, double sim, int m)
{
    char num[64], *d;
    switch (format) {
    case HF_ROW_JSONL:
        hf_out_str("{\"id\":");
        hf_out_json_str(id, strlen(id));
        hf_out_str(",\"cluster\":");
        hf_out_json_str(cid, strlen(cid));
        hf_out_str(",\"similarity\":");
        d = hf_fmt_fixed3(num, sizeof num - 2, sim);
        hf_out(num, (size_t)(d - num));
        hf_out_str(",\"measure\":\"");
        hf_out_str(hf_measure_name(m));
        hf_out_str("\"}\n");
        break;
    case HF_ROW_CSV:
        hf_out_csv_field(id, strlen(id));
        hf_out_str(",");
        hf_out_csv_field(cid, strlen(cid));
        num[0] = ',';
        d = hf_fmt_fixed3(num + 1, sizeof num - 2, sim);
        *d++ = '\n';
        hf_out(num, (size_t)(d - num));
        break;
    default:
        hf_out_tsv_field(stdout, id, strlen(id));
        hf_out_str("\t");
        hf_out_tsv_field(stdout, cid, strlen(cid));
        num[0] = '\t';
        d = hf_fmt_fixed3(num + 1, sizeof num - 2, sim);
        *d++ = '\n';
        hf_out(num, (size_t)(d - num));
    }
}
