/* Differential test: hanfold's compiled-in converter (src/lib/fastcc.c)
 * against libopencc, the reference, on the same inputs for every config.
 *
 *   fastcc-diff DATADIR DICTDIR [--fuzz N] [--seed S] FILE...
 *
 * DATADIR is OpenCC's data directory (every *.json there must be compiled
 * in).  DICTDIR holds its dictionaries exported to text (opencc_dict -t text),
 * the phrases the random inputs are made of (and, turned round, the
 * one-character entries: words with characters replaced by what converts to
 * them).  Each FILE is compared line by
 * line and then whole; then N random records (valid UTF-8 mixing dictionary
 * keys and values, their fragments, other scripts, punctuation, 2- and 4-byte
 * characters and, rarely, a NUL byte) one by one and in batches.  Stops at the
 * first difference with the config, the input and both outputs; exit 1. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <opencc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fastcc.h"

struct rec {
    const char *p;
    size_t n;
};

struct recs {
    struct rec *r;
    size_t n, cap;
};

static void die(const char *what)
{
    fprintf(stderr, "fastcc-diff: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p)
        die("realloc");
    return p;
}

static void add(struct recs *rs, const char *p, size_t n)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 1024;
        rs->r = xrealloc(rs->r, rs->cap * sizeof *rs->r);
    }
    rs->r[rs->n++] = (struct rec){p, n};
}

/* every file read, freed at exit (the records point into them) */
static struct recs files;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path);
    char *p = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 1 << 20;
            p = xrealloc(p, cap + 1);
        }
        size_t k = fread(p + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    if (ferror(f))
        die(path);
    fclose(f);
    p[n] = '\0';
    *len = n;
    add(&files, p, n);
    return p;
}

/* ---- random inputs ------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* splitmix64: deterministic across platforms, so a seed reproduces */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static size_t rn(size_t n) { return (size_t)(rnd() % n); }

/* Dictionary keys and values, each a valid UTF-8 string. */
static struct recs words;

/* The one-character entries (key, value) turned round, sorted by value: a
 * word with some characters replaced by what converts to them (藉着 ->
 * 藉著) is text on which a later step of a chain matches only after an
 * earlier one ran. */
struct pre {
    uint32_t val, key;
};
static struct pre *pres;
static size_t npres, pres_cap;

static int cmp_pre(const void *a, const void *b)
{
    const struct pre *x = a, *y = b;
    return x->val < y->val ? -1 : x->val > y->val ? 1 : (x->key > y->key) - (x->key < y->key);
}

/* The code point of s if it is one character, else 0. */
static uint32_t one_char(const char *s, size_t n)
{
    uint32_t c;
    int l = n ? hf_utf8_next((const uint8_t *)s, n, &c) : -1;
    return l > 0 && (size_t)l == n ? c : 0;
}

static void add_pres(const char *s, size_t n)
{
    for (const char *p = s, *end = s + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end, *tab = memchr(p, '\t', (size_t)(eol - p));
        uint32_t key = tab ? one_char(p, (size_t)(tab - p)) : 0;
        for (const char *v = tab ? tab + 1 : eol; key && v < eol;) {
            const char *sp = memchr(v, ' ', (size_t)(eol - v));
            const char *ve = sp ? sp : eol;
            uint32_t val = one_char(v, (size_t)(ve - v));
            if (val && val != key) {
                if (npres == pres_cap) {
                    pres_cap = pres_cap ? 2 * pres_cap : 1024;
                    pres = xrealloc(pres, pres_cap * sizeof *pres);
                }
                pres[npres++] = (struct pre){val, key};
            }
            v = ve + 1;
        }
        p = eol + 1;
    }
}

static void load_words(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        die(dir);
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".txt"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t n;
        char *s = slurp(path, &n);
        add_pres(s, n);
        /* fields end at tab, space or newline; the file stays allocated */
        for (char *p = s; p < s + n;) {
            size_t k = strcspn(p, "\t \n");
            if (k)
                add(&words, p, k);
            p += k + 1;
        }
    }
    closedir(d);
    if (npres)
        qsort(pres, npres, sizeof *pres, cmp_pre);
    if (!words.n) {
        fprintf(stderr, "fastcc-diff: no dictionary text in %s\n", dir);
        exit(2);
    }
}

static void put_cp(hf_buf *b, uint32_t c)
{
    if (hf_buf_put_cp(b, c))
        die("hf_buf");
}

static size_t utf8_prefix(const char *s, size_t n, size_t chars)
{
    size_t i = 0;
    while (i < n && chars) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        chars--;
    }
    return i;
}

/* w with about half of its characters that some entry converts to
 * replaced by one that converts to them. */
static void variant(hf_buf *b, const struct rec *w)
{
    const uint8_t *p = (const uint8_t *)w->p, *end = p + w->n;
    while (p < end) {
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0)
            return;
        p += l;
        size_t lo = 0, hi = npres;
        while (lo < hi) { /* the first with val >= c */
            size_t mid = lo + (hi - lo) / 2;
            if (pres[mid].val < c)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t k = lo;
        while (k < npres && pres[k].val == c)
            k++;
        put_cp(b, k > lo && rn(2) ? pres[lo + rn(k - lo)].key : c);
    }
}

/* One random piece: mostly dictionary words (whole, or with characters
 * replaced by what converts to them, or a prefix or suffix of one, so that
 * matches overlap and get cut at segment ends), else characters from the
 * ranges OpenCC text meets. */
static void piece(hf_buf *b)
{
    static const char *punct[] = {"，", "。", "、", "「", "」", "：", "！", "？", " ", "\t",
                                  "·", "—", "（", "）", "《", "》", "\r"};
    size_t k = rn(100);
    const struct rec *w = &words.r[rn(words.n)];
    if (k < 37) {
        if (hf_buf_append(b, w->p, w->n))
            die("hf_buf");
    } else if (k < 45) {
        variant(b, w);
    } else if (k < 60) {
        size_t cut = utf8_prefix(w->p, w->n, 1 + rn(4));
        if (hf_buf_append(b, w->p, cut))
            die("hf_buf");
    } else if (k < 70) {
        size_t cut = utf8_prefix(w->p, w->n, 1 + rn(3));
        if (hf_buf_append(b, w->p + cut, w->n - cut))
            die("hf_buf");
    } else if (k < 80) {
        put_cp(b, 0x4E00 + (uint32_t)rn(0x9FFF - 0x4E00 + 1));
    } else if (k < 86) {
        const char *p = punct[rn(sizeof punct / sizeof *punct)];
        if (hf_buf_append(b, p, strlen(p)))
            die("hf_buf");
    } else if (k < 92) {
        put_cp(b, 0x20 + (uint32_t)rn(0x5F));
    } else if (k < 94) {
        put_cp(b, 0x80 + (uint32_t)rn(0x780)); /* 2-byte */
    } else if (k < 96) {
        static const uint32_t lo[] = {0x20000, 0x2A700, 0x2F800, 0x30000, 0x1F300};
        static const uint32_t span[] = {0xA6E0, 0x5000, 0x220, 0x134B, 0x300};
        size_t r = rn(5);
        put_cp(b, lo[r] + (uint32_t)rn(span[r]));
    } else if (k < 98) {
        put_cp(b, 0x3000 + (uint32_t)rn(0x1000)); /* kana, bopomofo, CJK symbols */
    } else {
        put_cp(b, 0xAC00 + (uint32_t)rn(0x2BA4)); /* hangul */
    }
}

/* ---- comparison ---------------------------------------------------------- */

static void excerpt(const char *label, const char *s, size_t n, size_t at)
{
    size_t a = at > 120 ? at - 120 : 0, z = n - at > 120 ? at + 120 : n;
    while (a > 0 && ((unsigned char)s[a] & 0xC0) == 0x80)
        a--;
    while (z < n && ((unsigned char)s[z] & 0xC0) == 0x80)
        z++;
    fprintf(stderr, "  %s (%zu bytes, from byte %zu): %s%.*s%s\n", label, n, a, a ? "..." : "",
            (int)(z - a), s + a, z < n ? "..." : "");
}

static unsigned long long n_records, n_bytes;

/* Compares both converters on one input; returns 0 when they agree. */
static int compare(const char *cfg, opencc_t cc, hf_fastcc *fc, const char *what, const char *p,
                   size_t n, hf_buf *out)
{
    hf_buf_clear(out);
    if (hf_fastcc_convert(fc, p, n, out))
        die("hf_fastcc_convert");
    char *ref = opencc_convert_utf8(cc, p, n);
    n_records++;
    n_bytes += n;
    if (!ref) {
        fprintf(stderr, "DIFF %s %s: libopencc failed: %s\n", cfg, what, opencc_error());
        excerpt("input", p, n, 0);
        return 1;
    }
    size_t rl = strlen(ref);
    int bad = rl != out->len || memcmp(ref, out->p, rl);
    if (bad) {
        size_t at = 0;
        while (at < rl && at < out->len && ref[at] == out->p[at])
            at++;
        fprintf(stderr, "DIFF %s %s: outputs differ at byte %zu\n", cfg, what, at);
        excerpt("input", p, n, at < n ? at : n);
        excerpt("libopencc", ref, rl, at);
        excerpt("fastcc", out->p, out->len, at);
    }
    opencc_convert_utf8_free(ref);
    return bad;
}

/* libopencc looks for a config's dictionaries in the working directory
 * first, so it is opened from the data directory itself. */
static opencc_t open_ref(const char *datadir, const char *cfg)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", datadir, cfg);
    int cwd = open(".", O_RDONLY | O_DIRECTORY);
    if (cwd < 0 || chdir(datadir))
        die(datadir);
    opencc_t cc = opencc_open(path);
    if (fchdir(cwd))
        die("fchdir");
    close(cwd);
    if (cc == (opencc_t)-1) {
        fprintf(stderr, "fastcc-diff: opencc_open %s: %s\n", path, opencc_error());
        exit(2);
    }
    return cc;
}

static int cmp_name(const void *a, const void *b) { return strcmp(a, b); }

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fastcc-diff DATADIR DICTDIR [--fuzz N] [--seed S] FILE...\n");
        return 2;
    }
    const char *datadir = argv[1];
    load_words(argv[2]);
    size_t nfuzz = 20000;
    rng_state = 1;
    struct recs lines = {0}, wholes = {0};
    struct recs names = {0};
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--fuzz") && i + 1 < argc) {
            nfuzz = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            rng_state = strtoull(argv[++i], NULL, 10);
        } else {
            size_t n;
            char *s = slurp(argv[i], &n);
            add(&wholes, s, n);
            add(&names, argv[i], strlen(argv[i]));
            for (char *p = s; p < s + n;) {
                char *nl = memchr(p, '\n', (size_t)(s + n - p));
                size_t k = nl ? (size_t)(nl - p) : (size_t)(s + n - p);
                add(&lines, p, k);
                p += k + 1;
            }
        }
    }

    /* random records, kept in one buffer (offsets fixed up afterwards) */
    hf_buf fz = {0};
    struct recs fuzz = {0};
    size_t *off = malloc((nfuzz + 1) * sizeof *off);
    if (!off)
        die("malloc");
    for (size_t i = 0; i < nfuzz; i++) {
        off[i] = fz.len;
        size_t pieces = i % 100 == 99 ? 500 + rn(3000) : 1 + rn(24);
        for (size_t k = 0; k < pieces; k++)
            piece(&fz);
        if (rn(200) == 0 && hf_buf_putc(&fz, '\0'))
            die("hf_buf");
        if (rn(200) == 0)
            piece(&fz);
    }
    off[nfuzz] = fz.len;
    for (size_t i = 0; i < nfuzz; i++)
        add(&fuzz, fz.p + off[i], off[i + 1] - off[i]);
    free(off);

    /* every installed config must be compiled in */
    DIR *d = opendir(datadir);
    if (!d)
        die(datadir);
    struct dirent *de;
    char cfgs[64][256];
    size_t ncfg = 0;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l > 5 && l < 250 && !strcmp(de->d_name + l - 5, ".json") && ncfg < 64) {
            snprintf(cfgs[ncfg], sizeof cfgs[ncfg], "%.*s", (int)(l - 5), de->d_name);
            ncfg++;
        }
    }
    closedir(d);
    qsort(cfgs, ncfg, sizeof cfgs[0], cmp_name);
    if (!ncfg) {
        fprintf(stderr, "fastcc-diff: no config in %s\n", datadir);
        return 2;
    }

    hf_buf out = {0}, batch = {0};
    int status = 0;
    for (size_t c = 0; c < ncfg && !status; c++) {
        const char *cfg = cfgs[c];
        hf_fastcc *fc;
        if (hf_fastcc_open(&fc, cfg)) {
            fprintf(stderr, "FAIL %s: installed config not compiled in\n", cfg);
            status = 1;
            break;
        }
        opencc_t cc = open_ref(datadir, cfg);
        n_records = n_bytes = 0;
        char what[4200];
        for (size_t i = 0; i < lines.n && !status; i++) {
            snprintf(what, sizeof what, "line record %zu", i);
            status = compare(cfg, cc, fc, what, lines.r[i].p, lines.r[i].n, &out);
        }
        for (size_t i = 0; i < wholes.n && !status; i++) {
            snprintf(what, sizeof what, "whole file %.*s", (int)names.r[i].n, names.r[i].p);
            status = compare(cfg, cc, fc, what, wholes.r[i].p, wholes.r[i].n, &out);
        }
        unsigned long long corp_r = n_records, corp_b = n_bytes;
        for (size_t i = 0; i < fuzz.n && !status; i++) {
            snprintf(what, sizeof what, "random record %zu", i);
            status = compare(cfg, cc, fc, what, fuzz.r[i].p, fuzz.r[i].n, &out);
        }
        /* batches of random records joined by newlines: long inputs with
         * many segments */
        for (size_t i = 0; i < fuzz.n && !status; i += 500) {
            hf_buf_clear(&batch);
            for (size_t k = i; k < i + 500 && k < fuzz.n; k++) {
                const char *nul = memchr(fuzz.r[k].p, '\0', fuzz.r[k].n);
                size_t n = nul ? (size_t)(nul - fuzz.r[k].p) : fuzz.r[k].n;
                if (hf_buf_append(&batch, fuzz.r[k].p, n) || hf_buf_putc(&batch, '\n'))
                    die("hf_buf");
            }
            snprintf(what, sizeof what, "random batch %zu", i / 500);
            status = compare(cfg, cc, fc, what, batch.p, batch.len, &out);
        }
        if (!status)
            printf("%-6s 0 differences: corpora %llu records %llu bytes; random %llu records %llu bytes\n",
                   cfg, corp_r, corp_b, n_records - corp_r, n_bytes - corp_b);
        opencc_close(cc);
        hf_fastcc_close(&fc);
    }
    hf_buf_free(&out);
    hf_buf_free(&batch);
    hf_buf_free(&fz);
    for (size_t i = 0; i < files.n; i++)
        free((void *)files.r[i].p);
    free(files.r);
    free(words.r);
    free(lines.r);
    free(wholes.r);
    free(names.r);
    free(fuzz.r);
    return status;
}
