/* Output fields: see outfmt.h. */
#include "outfmt.h"

#include <jansson.h>
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

char *hf_fmt_hex64(char *d, uint64_t v)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 14; i >= 0; i -= 2, v >>= 8) {
        d[i] = hex[v >> 4 & 15];
        d[i + 1] = hex[v & 15];
    }
    return d + 16;
}

char *hf_fmt_u64(char *d, uint64_t v)
{
    char t[20];
    int n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n)
        *d++ = t[--n];
    return d;
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

void hf_out_csv_field(const char *s, size_t n)
{
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
        hf_out(s, n);
        return;
    }
    hf_out("\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            hf_out("\"", 1);
        hf_out(s + i, 1);
    }
    hf_out("\"", 1);
}

void hf_out_cluster_row(int format, const char *id, const char *cid, double sim)
{
    char num[64];
    switch (format) {
    case HF_ROW_JSONL:
        hf_out_str("{\"id\":");
        hf_out_json_str(id, strlen(id));
        hf_out_str(",\"cluster\":");
        hf_out_json_str(cid, strlen(cid));
        snprintf(num, sizeof num, ",\"similarity\":%.3f}\n", sim);
        hf_out_str(num);
        break;
    case HF_ROW_CSV:
        hf_out_csv_field(id, strlen(id));
        hf_out_str(",");
        hf_out_csv_field(cid, strlen(cid));
        snprintf(num, sizeof num, ",%.3f\n", sim);
        hf_out_str(num);
        break;
    default:
        hf_out_tsv_field(stdout, id, strlen(id));
        hf_out_str("\t");
        hf_out_tsv_field(stdout, cid, strlen(cid));
        snprintf(num, sizeof num, "\t%.3f\n", sim);
        hf_out_str(num);
    }
}
