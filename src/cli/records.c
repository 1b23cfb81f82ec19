/* Record readers over a list of input files (see records.h). */
#include "records.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "decompress.h"
#include "outfmt.h"
#include "cli.h"

#define SAMPLE 65536

struct hf_reader {
    hf_reader_opts o;
    hanfold_ctx *ctx;
    char **files;
    int nfiles, next_file;
    /* current file */
    FILE *f;
    hf_instream *in;       /* its bytes, decompressed if they are compressed */
    uint64_t in_seen;      /* hf_instream_bytes_in() counted in bytes */
    const char *name;
    const char *charset;   /* NULL for UTF-8 */
    char *buf;
    size_t start, end, cap;
    bool eof, failed, pending_close;
    bool pending_rest;     /* an oversize record continues in the input */
    bool first_in_file;    /* the next record is the file's first (BOM) */
    bool predecoded;       /* UTF-16/32 file decoded whole: U+FFFD marks invalid input */
    bool whole;            /* reading the whole file before splitting it (UTF-16) */
    bool damaged, damage_told; /* the file ended in damage (see damaged()) */
    char damage[320];      /* what it was */
    int pending_delim;     /* its terminator, or -1: it runs to end of file */
    uint64_t line;         /* lines consumed in this file */
    bool invalid_reported;
    uint64_t first_invalid_line, invalid_in_file;
    /* output */
    uint64_t number;
    hf_buf para, idbuf, textbuf, joinbuf;
    json_t *json;
    /* jsonl: the parsed field paths */
    hf_jpath *text_paths, *id_path, *keep_path;
    size_t ntext;
    unsigned errors;
    uint64_t bytes;
};

int hf_reader_new(hf_reader **out, const hf_reader_opts *o, hanfold_ctx *ctx, char **files, int nfiles)
{
    hf_reader *r = calloc(1, sizeof *r);
    if (!r)
        return -ENOMEM;
    r->o = *o;
    r->ctx = ctx;
    r->files = files;
    r->nfiles = nfiles;
    size_t one;
    int e = 0;
    if (o->mode == HF_IN_JSONL) {
        e = hf_jpaths_parse(o->text_field, true, &r->text_paths, &r->ntext);
        if (!e)
            e = hf_jpaths_parse(o->id_field, false, &r->id_path, &one);
        if (!e && o->keep_field)
            e = hf_jpaths_parse(o->keep_field, false, &r->keep_path, &one);
    }
    if (e) {
        /* the options were checked: this is memory */
        hf_reader_free(&r);
        return e;
    }
    *out = r;
    return 0;
}

static void report_invalid(hf_reader *r)
{
    if (r->invalid_in_file && !r->invalid_reported && !r->o.strict && !r->o.quiet) {
        hf_msg("%s:%llu: %llu invalid byte sequence%s replaced by U+FFFD (first on this line)%s",
               r->name, (unsigned long long)r->first_invalid_line,
               (unsigned long long)r->invalid_in_file, r->invalid_in_file == 1 ? "" : "s",
               r->charset ? ""
               : r->o.encoding && !strcasecmp(r->o.encoding, "auto")
                   ? " (--encoding auto read it as UTF-8; if it is not, name its charset: --encoding GB18030, BIG5...)"
                   : "; if this is not UTF-8, try --encoding auto or --encoding GB18030");
        r->invalid_reported = true;
    }
}

static void close_file(hf_reader *r)
{
    if (!r->f)
        return;
    report_invalid(r);
    if (r->f != stdin)
        fclose(r->f);
    else
        clearerr(stdin);
    r->f = NULL;
}

void hf_reader_free(hf_reader **pr)
{
    if (!pr || !*pr)
        return;
    hf_reader *r = *pr;
    close_file(r);
    hf_instream_free(&r->in);
    free(r->buf);
    hf_buf_free(&r->para);
    hf_buf_free(&r->idbuf);
    hf_buf_free(&r->textbuf);
    hf_buf_free(&r->joinbuf);
    hf_jpaths_free(r->text_paths, r->ntext);
    hf_jpaths_free(r->id_path, r->id_path ? 1 : 0);
    hf_jpaths_free(r->keep_path, r->keep_path ? 1 : 0);
    if (r->json)
        json_decref(r->json);
    free(r);
    *pr = NULL;
}

unsigned hf_reader_errors(const hf_reader *r) { return r->errors; }
uint64_t hf_reader_bytes(const hf_reader *r) { return r->bytes; }

static uint64_t count_byte(const char *s, size_t n, char c)
{
    uint64_t k = 0;
    for (const char *p = s; (p = memchr(p, c, (size_t)(s + n - p))); p++)
        k++;
    return k;
}

/* The input ended in damage (a read error, truncated or corrupt compressed
 * data, r->damage says which): what was read up to the last record
 * terminator in the buffer is read as usual, the record that the damage
 * cut is not read (files mode: the file), and the message names its line,
 * counted in the text as read (decompressed).  Counted as an I/O error. */
static void damaged(hf_reader *r)
{
    char delim = r->o.mode == HF_IN_NULL ? '\0' : '\n';
    size_t n = r->end - r->start;
    uint64_t line = r->line + count_byte(r->buf + r->start, n, delim) + 1;
    if (r->pending_rest)
        line = r->line; /* the oversize record being drained was cut */
    const char *d = r->o.mode == HF_IN_FILES || !n ? NULL : memrchr(r->buf + r->start, delim, n);
    r->end = d ? (size_t)(d - r->buf) + 1 : r->start;
    r->errors++;
    r->damage_told = true;
    if (r->o.quiet)
        return;
    if (r->o.mode == HF_IN_FILES)
        hf_msg("%s:%llu: %s; this file is not read", r->name, (unsigned long long)line, r->damage);
    else if (line <= 1)
        hf_msg("%s:%llu: %s; nothing of this input is read", r->name, (unsigned long long)line, r->damage);
    else
        hf_msg("%s:%llu: %s; %s 1-%llu were read, the rest of this input is lost", r->name,
               (unsigned long long)line, r->damage, delim ? "lines" : "records",
               (unsigned long long)line - 1);
}

/* Reads more input into the buffer; returns bytes added, 0 at EOF or error. */
static size_t fill(hf_reader *r)
{
    if (r->eof)
        return 0;
    if (r->start > 0 && r->start == r->end)
        r->start = r->end = 0;
    if (r->end == r->cap) {
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->start = 0;
        } else {
            size_t cap = r->cap ? r->cap * 2 : SAMPLE;
            char *b = realloc(r->buf, cap + 1);
            if (!b) {
                hf_msg("%s: out of memory reading a record of %zu bytes", r->name, r->cap);
                r->failed = true;
                return 0;
            }
            r->buf = b;
            r->cap = cap;
        }
    }
    /* read(2) underneath, not fread: the reader does its own buffering */
    ssize_t got = hf_instream_read(r->in, r->buf + r->end, r->cap - r->end);
    uint64_t in = hf_instream_bytes_in(r->in);
    r->bytes += in - r->in_seen;
    r->in_seen = in;
    if (got <= 0) {
        if (got < 0) {
            snprintf(r->damage, sizeof r->damage, "%s", hf_instream_error(r->in));
            r->damaged = true;
            if (!r->whole)
                damaged(r);
        }
        r->eof = true;
        return 0;
    }
    r->end += (size_t)got;
    return (size_t)got;
}

static bool is_utf16(const char *cs)
{
    return cs && (!strncasecmp(cs, "UTF-16", 6) || !strncasecmp(cs, "UTF-32", 6) ||
                  !strncasecmp(cs, "UCS-2", 5));
}

/* The current input's name as the user gave it (a spooled copy of
 * standard input is "-"). */
static const char *given(const hf_reader *r)
{
    return (r->o.names ? r->o.names : r->files)[r->next_file - 1];
}

static int open_next(hf_reader *r)
{
    while (r->next_file < r->nfiles) {
        const char *n = r->files[r->next_file++];
        r->name = strcmp(given(r), "-") ? given(r) : "(stdin)";
        if (!strcmp(n, "-")) {
            r->f = stdin;
        } else {
            r->f = fopen(n, "rb");
            struct stat st;
            if (r->f && fstat(fileno(r->f), &st) == 0 && S_ISDIR(st.st_mode)) {
                fclose(r->f);
                r->f = NULL;
                errno = EISDIR;
            }
            if (!r->f) {
                if (!r->o.quiet)
                    hf_msg("%s: cannot open: %s", r->name, strerror(errno));
                r->errors++;
                continue;
            }
        }
        if (!r->in && hf_instream_new(&r->in)) {
            if (r->f != stdin)
                fclose(r->f);
            r->f = NULL;
            return -ENOMEM;
        }
        hf_instream_open(r->in, fileno(r->f));
        r->in_seen = 0;
        r->damaged = r->damage_told = r->whole = false;
        r->start = r->end = 0;
        r->eof = false;
        r->line = 0;
        r->invalid_reported = false;
        r->invalid_in_file = r->first_invalid_line = 0;
        r->charset = NULL;
        r->first_in_file = true;
        r->predecoded = false;
        const char *enc = r->o.encoding;
        if (enc && !strcasecmp(enc, "auto")) {
            while (r->end < SAMPLE && fill(r))
                ;
            size_t bom = 0;
            const char *cs = hanfold_detect_charset(r->buf, r->end, r->o.html_hint, &bom);
            r->start = bom;
            r->charset = strcasecmp(cs, "UTF-8") ? cs : NULL;
        } else if (enc && strcasecmp(enc, "UTF-8") && strcasecmp(enc, "UTF8")) {
            r->charset = enc;
        }
        if (is_utf16(r->charset)) {
            /* UTF-16 has no byte that marks a line end, so the file is
             * decoded whole and then split as UTF-8. */
            r->whole = true;
            while (fill(r))
                ;
            r->whole = false;
            const char *u;
            size_t ul, inv;
            int e = hanfold_decode(r->ctx, r->buf + r->start, r->end - r->start, r->charset, &u, &ul, &inv);
            if (e) {
                hf_msg("%s: %s", r->name, hanfold_ctx_error(r->ctx));
                return e;
            }
            if (ul + 1 > r->cap) {
                char *b = realloc(r->buf, ul + 1);
                if (!b)
                    return -ENOMEM;
                r->buf = b;
                r->cap = ul;
            }
            memcpy(r->buf, u, ul);
            r->start = 0;
            r->end = ul;
            r->charset = NULL;
            r->predecoded = true;
            if (r->damaged && !r->damage_told)
                damaged(r);
        }
        return 1;
    }
    return 0;
}

/* Next chunk up to delim (excluded).  *term_len is 1 if delim was found. */
static int next_chunk(hf_reader *r, char delim, const char **p, size_t *len, size_t *term_len)
{
    size_t scanned = r->start;
    for (;;) {
        char *d = r->end > scanned ? memchr(r->buf + scanned, delim, r->end - scanned) : NULL;
        if (d && !(r->o.max_record && (size_t)(d - (r->buf + r->start)) > r->o.max_record)) {
            *p = r->buf + r->start;
            *len = (size_t)(d - (r->buf + r->start));
            *term_len = 1;
            r->start = (size_t)(d - r->buf) + 1;
            return 1;
        }
        if (r->o.max_record && r->end - r->start > r->o.max_record) {
            /* bounded memory: hand out the first max_record bytes, the
             * caller drains the rest */
            *p = r->buf + r->start;
            *len = r->o.max_record;
            *term_len = 0;
            r->start += r->o.max_record;
            r->pending_rest = true;
            r->pending_delim = (unsigned char)delim;
            return 2;
        }
        size_t off = r->end - r->start;
        if (!fill(r)) {
            if (r->failed)
                return -ENOMEM;
            if (r->end > r->start) {
                *p = r->buf + r->start;
                *len = r->end - r->start;
                *term_len = 0;
                r->start = r->end;
                return 1;
            }
            return 0;
        }
        scanned = r->start + off; /* fill() may have moved the data */
    }
}

void hf_reader_drain(hf_reader *r, void (*sink)(const void *p, size_t n, void *ud), void *ud)
{
    while (r->pending_rest) {
        if (r->end == r->start && !fill(r)) {
            r->pending_rest = false;
            break;
        }
        const char *b = r->buf + r->start;
        size_t avail = r->end - r->start;
        const char *d = r->pending_delim >= 0 ? memchr(b, r->pending_delim, avail) : NULL;
        size_t n = d ? (size_t)(d - b) + 1 : avail;
        if (sink)
            sink(b, n, ud);
        r->start += n;
        if (d)
            r->pending_rest = false;
    }
}

static const char *oversize_msg(const hf_reader *r)
{
    static char msg[128];
    snprintf(msg, sizeof msg, "record longer than %zu bytes (--max-record): passed through unprocessed",
             r->o.max_record);
    return msg;
}

static uint64_t count_lines(const char *s, size_t n) { return count_byte(s, n, '\n'); }

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v')
            return false;
    return true;
}

static int decode(hf_reader *r, hf_record *rec, const char *s, size_t n)
{
    size_t inv = 0;
    int e = hanfold_decode(r->ctx, s, n, r->charset, &rec->utf8, &rec->utf8_len, &inv);
    if (e) {
        hf_msg("%s: %s", r->name, hanfold_ctx_error(r->ctx));
        return e;
    }
    /* a UTF-8 byte-order mark opens a file; it is not text (raw keeps it) */
    if (r->first_in_file && rec->utf8_len >= 3 && !memcmp(rec->utf8, "\xEF\xBB\xBF", 3)) {
        rec->utf8 += 3;
        rec->utf8_len -= 3;
    }
    r->first_in_file = false;
    /* read as UTF-8 (no charset), valid input is copied as it is */
    rec->utf8_is_raw = !r->charset && s == rec->raw && n == rec->raw_len && rec->utf8_len == n && !inv;
    if (r->predecoded) {
        /* the whole file went through the decoder before it was split:
         * count its replacement characters line by line */
        for (const char *p = rec->utf8; (p = memmem(p, (size_t)(rec->utf8 + rec->utf8_len - p),
                                                    "\xEF\xBF\xBD", 3)); p += 3)
            inv++;
    }
    rec->invalid = inv;
    if (inv) {
        if (!r->invalid_in_file)
            r->first_invalid_line = rec->line;
        r->invalid_in_file += inv;
    }
    rec->text = rec->utf8;
    rec->text_len = rec->utf8_len;
    return 0;
}

static int set_id_number(hf_reader *r, hf_record *rec)
{
    hf_buf_clear(&r->idbuf);
    char num[32];
    size_t l = (size_t)(hf_fmt_u64(num, rec->number) - num);
    if (hf_buf_append(&r->idbuf, num, l))
        return -ENOMEM;
    rec->id = r->idbuf.p;
    return 0;
}

static int jsonl_fields(hf_reader *r, hf_record *rec)
{
    if (r->json) {
        json_decref(r->json);
        r->json = NULL;
    }
    if (blank(rec->utf8, rec->utf8_len)) {
        rec->error = "empty line where a JSON object was expected";
        return set_id_number(r, rec);
    }
    json_error_t err;
    /* a key given twice is an error: which of the values is the text (or
     * the id) would be a guess, and the other would pass unnormalized */
    r->json = json_loadb(rec->utf8, rec->utf8_len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &err);
    static char msg[256];
    if (!r->json || !json_is_object(r->json)) {
        if (r->json)
            snprintf(msg, sizeof msg, "not a JSON object");
        else
            snprintf(msg, sizeof msg, "malformed JSON at column %d: %s", err.column, err.text);
        rec->error = msg;
        return set_id_number(r, rec);
    }
    /* Ids are data: a string id is its text; any other id, and a string
     * with a NUL (ids are C strings), is its JSON as written in the line,
     * so 1.10 stays 1.10 (jansson's double would print 1.1000000000000001)
     * and "nul\u0000x" stays whole */
    json_t *id = hf_jpath_get(r->json, r->id_path);
    size_t i0, i1;
    if (json_is_string(id) && !memchr(json_string_value(id), '\0', json_string_length(id))) {
        hf_buf_clear(&r->idbuf);
        if (hf_buf_append(&r->idbuf, json_string_value(id), json_string_length(id)))
            return -ENOMEM;
        rec->id = r->idbuf.p;
    } else if (id && !json_is_null(id) &&
               hf_jpath_span(rec->utf8, rec->utf8_len, r->id_path, &i0, &i1) && i1 > i0) {
        /* a string's quotes are not part of the id */
        if (json_is_string(id) && i1 - i0 >= 2) {
            i0++;
            i1--;
        }
        hf_buf_clear(&r->idbuf);
        if (hf_buf_append(&r->idbuf, rec->utf8 + i0, i1 - i0))
            return -ENOMEM;
        rec->id = r->idbuf.p;
    } else if (set_id_number(r, rec)) {
        return -ENOMEM;
    }
    if (r->keep_path)
        rec->keep_state = hf_keep_value(hf_jpath_get(r->json, r->keep_path), &rec->keep_value);
    if (r->ntext == 1) {
        json_t *t = hf_jpath_get(r->json, &r->text_paths[0]);
        if (!json_is_string(t)) {
            snprintf(msg, sizeof msg, "%s field \"%s\"", t ? "non-string" : "no", r->o.text_field);
            rec->error = msg;
            rec->text = "";
            rec->text_len = 0;
            return 0;
        }
        rec->text = json_string_value(t);
        rec->text_len = json_string_length(t);
        rec->has_text_span = hf_jpath_span(rec->utf8, rec->utf8_len, &r->text_paths[0], &rec->text_start,
                                           &rec->text_end);
        return 0;
    }
    /* several fields: their strings joined by a line break, in the order
     * given; absent and null ones are left out, but one at least must be
     * there, and each must be a string */
    hf_buf_clear(&r->joinbuf);
    size_t present = 0;
    for (size_t k = 0; k < r->ntext; k++) {
        json_t *t = hf_jpath_get(r->json, &r->text_paths[k]);
        if (!t || json_is_null(t))
            continue;
        if (!json_is_string(t)) {
            snprintf(msg, sizeof msg, "non-string field \"%s\" (of --text-field %s)", r->text_paths[k].key[r->text_paths[k].n - 1],
                     r->o.text_field);
            rec->error = msg;
            rec->text = "";
            rec->text_len = 0;
            return 0;
        }
        if ((present++ && hf_buf_putc(&r->joinbuf, '\n')) ||
            hf_buf_append(&r->joinbuf, json_string_value(t), json_string_length(t)))
            return -ENOMEM;
    }
    if (!present) {
        snprintf(msg, sizeof msg, "none of the fields %s", r->o.text_field);
        rec->error = msg;
        rec->text = "";
        rec->text_len = 0;
        return 0;
    }
    rec->text = r->joinbuf.p ? r->joinbuf.p : "";
    rec->text_len = r->joinbuf.len;
    return 0;
}

/* ISO 8601 date and time, as seconds since 1970-01-01T00:00:00Z:
 * YYYY-MM-DD, then optionally T (or a space) HH:MM[:SS[.fraction]] and
 * Z or +HH:MM / -HH:MM / +HHMM (no zone: UTC).  False if s is not one. */
static bool iso8601(const char *s, size_t n, double *out)
{
    const char *e = s + n;
    int f[6] = {0};
    /* digits: count exact */
#define DIG(k, cnt) do { int v_ = 0; for (int i_ = 0; i_ < (cnt); i_++) { if (s >= e || *s < '0' || *s > '9') return false; v_ = v_ * 10 + (*s++ - '0'); } f[k] = v_; } while (0)
    DIG(0, 4);
    if (s >= e || *s++ != '-') return false;
    DIG(1, 2);
    if (s >= e || *s++ != '-') return false;
    DIG(2, 2);
    double frac = 0;
    int zone = 0;
    if (s < e && (*s == 'T' || *s == 't' || *s == ' ')) {
        s++;
        DIG(3, 2);
        if (s >= e || *s++ != ':') return false;
        DIG(4, 2);
        if (s < e && *s == ':') {
            s++;
            DIG(5, 2);
            if (s < e && (*s == '.' || *s == ',')) {
                s++;
                double m = 0.1;
                if (s >= e || *s < '0' || *s > '9') return false;
                while (s < e && *s >= '0' && *s <= '9') {
                    frac += (*s++ - '0') * m;
                    m /= 10;
                }
            }
        }
        if (s < e && (*s == 'Z' || *s == 'z')) {
            s++;
        } else if (s < e && (*s == '+' || *s == '-')) {
            int sign = *s++ == '-' ? -1 : 1;
            int zf[6];
            memcpy(zf, f, sizeof zf);
            DIG(0, 2);
            int zh = f[0];
            if (s < e && *s == ':')
                s++;
            DIG(0, 2);
            int zm = f[0];
            memcpy(f, zf, sizeof zf);
            if (zh > 23 || zm > 59) return false;
            zone = sign * (zh * 3600 + zm * 60);
        }
    }
#undef DIG
    if (s != e) return false;
    int y = f[0], mo = f[1], d = f[2];
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || f[3] > 24 || f[4] > 59 || f[5] > 60)
        return false;
    if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return false;
    /* days from civil (H. Hinnant's algorithm) */
    y -= mo <= 2;
    int era = y / 400;
    int yoe = y - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    double days = (double)era * 146097 + doe - 719468;
    *out = days * 86400 + f[3] * 3600 + f[4] * 60 + f[5] + frac - zone;
    return true;
}

int hf_keep_value(json_t *v, double *out)
{
    if (!v || json_is_null(v))
        return HF_KEEPV_MISSING;
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return HF_KEEPV_OK;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return HF_KEEPV_OK;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (iso8601(s, n, out))
            return HF_KEEPV_OK;
        /* a number written as a string ("4.5") */
        char *end;
        errno = 0;
        double d = n && n < 64 && !memchr(s, '\0', n) ? strtod(s, &end) : 0;
        if (n && n < 64 && !errno && end == s + n && isfinite(d) && !strchr(" \t\n", *s)) {
            *out = d;
            return HF_KEEPV_OK;
        }
    }
    return HF_KEEPV_INVALID;
}

static int next_record(hf_reader *r, hf_record *rec)
{
    memset(rec, 0, sizeof *rec);
    if (r->pending_rest)
        hf_reader_drain(r, NULL, NULL);
    if (r->pending_close) {
        r->pending_close = false;
        close_file(r);
    }
    for (;;) {
        if (!r->f) {
            int e = open_next(r);
            if (e <= 0)
                return e;
        }
        const char *p;
        size_t len, tl;
        int got;
        rec->file = r->name;
        rec->input = (unsigned)(r->next_file - 1);
        switch (r->o.mode) {
        case HF_IN_FILES:
            /* read one byte past the limit, to know whether there is more */
            while ((!r->o.max_record || r->end - r->start <= r->o.max_record) && fill(r))
                ;
            if (r->failed)
                return -ENOMEM;
            if (r->damaged) {
                got = 0; /* a file cut short is no record */
                break;
            }
            if (r->o.max_record && r->end - r->start > r->o.max_record) {
                rec->oversize = true;
                rec->error = oversize_msg(r);
                r->pending_rest = true;
                r->pending_delim = -1;
                rec->line = 1;
                rec->raw = r->buf + r->start;
                rec->raw_len = r->o.max_record;
                rec->term = "";
                rec->number = ++r->number;
                rec->utf8 = rec->text = "";
                r->start += r->o.max_record;
                const char *n = given(r);
                hf_buf_clear(&r->idbuf);
                if (hf_buf_append(&r->idbuf, n, strlen(n)))
                    return -ENOMEM;
                rec->id = r->idbuf.p;
                got = 2;
                break;
            }
            p = r->buf ? r->buf + r->start : "";
            len = r->end - r->start;
            rec->line = 1;
            rec->raw = p;
            rec->raw_len = len;
            rec->term = "";
            rec->number = ++r->number;
            if (decode(r, rec, p, len))
                return -1;
            r->start = r->end;
            /* The file stays open until the next call so that rec->raw stays valid. */
            r->eof = true;
            {
                const char *n = given(r);
                hf_buf_clear(&r->idbuf);
                if (hf_buf_append(&r->idbuf, n, strlen(n)))
                    return -ENOMEM;
                rec->id = r->idbuf.p;
            }
            r->line += count_lines(p, len);
            /* mark for closing at next call */
            got = 2;
            break;
        case HF_IN_PARAGRAPHS: {
            hf_buf_clear(&r->para);
            uint64_t first = 0;
            got = 0;
            for (;;) {
                int k = next_chunk(r, '\n', &p, &len, &tl);
                if (k < 0)
                    return k;
                if (k == 0)
                    break;
                r->line++;
                if (k != 2 && blank(p, len)) {
                    if (r->para.len)
                        break;
                    continue;
                }
                if (!r->para.len)
                    first = r->line;
                else if (hf_buf_putc(&r->para, '\n'))
                    return -ENOMEM;
                if (hf_buf_append(&r->para, p, len))
                    return -ENOMEM;
                got = 1;
                if (k == 2 || (r->o.max_record && r->para.len > r->o.max_record)) {
                    /* bounded memory: the record ends here, with an
                     * oversize line (the caller drains its rest) or when
                     * the paragraph outgrows the limit (the lines after
                     * this one start the next record) */
                    rec->oversize = true;
                    rec->error = oversize_msg(r);
                    break;
                }
            }
            if (!got)
                break;
            rec->raw = r->para.p;
            rec->raw_len = r->para.len;
            rec->term = "\n\n";
            rec->term_len = 2;
            rec->line = first;
            rec->number = ++r->number;
            if (rec->oversize) {
                rec->term = "";
                rec->term_len = 0;
                rec->utf8 = rec->text = "";
                if (set_id_number(r, rec))
                    return -ENOMEM;
                break;
            }
            if (decode(r, rec, rec->raw, rec->raw_len) || set_id_number(r, rec))
                return -1;
            break;
        }
        default: {
            char delim = r->o.mode == HF_IN_NULL ? '\0' : '\n';
            got = next_chunk(r, delim, &p, &len, &tl);
            if (got < 0)
                return got;
            if (!got)
                break;
            /* null mode: "line" is the record's number within its file */
            rec->line = ++r->line;
            if (got == 2) {
                rec->oversize = true;
                rec->error = oversize_msg(r);
                rec->raw = p;
                rec->raw_len = len;
                rec->term = "";
                rec->number = ++r->number;
                rec->utf8 = rec->text = "";
                if (set_id_number(r, rec))
                    return -ENOMEM;
                got = 1;
                break;
            }
            rec->raw = p;
            rec->raw_len = len;
            rec->term = delim == '\n' ? "\n" : "";
            rec->term_len = tl;
            if (delim == '\0')
                rec->term = tl ? "\0" : "";
            rec->number = ++r->number;
            /* CRLF: the CR belongs to the terminator for processing */
            size_t tlen = len;
            if (delim == '\n' && tlen && p[tlen - 1] == '\r')
                tlen--;
            if (decode(r, rec, p, tlen))
                return -1;
            if (r->o.mode == HF_IN_JSONL) {
                int e = jsonl_fields(r, rec);
                if (e)
                    return e;
            } else if (set_id_number(r, rec)) {
                return -ENOMEM;
            }
            break;
        }
        }
        if (!got) {
            close_file(r);
            continue;
        }
        if (got == 2) {
            /* files mode: close after this record is consumed */
            r->pending_close = true;
        }
        return 1;
    }
}

int hf_reader_next(hf_reader *r, hf_record *rec)
{
    int e = next_record(r, rec);
    /* the one place that reports running out of memory while reading;
     * other failures were reported where they happened */
    if (e == -ENOMEM)
        hf_msg("%s:%llu: out of memory", r->name ? r->name : "(input)", (unsigned long long)r->line + 1);
    return e;
}
