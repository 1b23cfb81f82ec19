/* script stage: OpenCC conversion and per-run script detection.
 *
 * This is the only file that includes <opencc.h>; it owns the library's
 * quirks (OpenCC 1.1.6):
 *  - opencc_open() returns (opencc_t)-1 on failure, not NULL;
 *  - opencc_error() is a process-wide string, so it is copied at once;
 *  - a config name without a directory is searched in the current directory
 *    first, so configs are always opened by absolute path; and the
 *    dictionaries a config names are searched in the current directory
 *    before the config's own directory (a stray TSCharacters.ocd2 in the
 *    working directory would silently replace the real one), so the config
 *    is opened with the working directory set to the config's directory;
 *  - it reads past the end of truncated UTF-8, so callers hand it only text
 *    that the decode stage validated (hf_script_convert asserts nothing, it
 *    trusts that contract);
 *  - opencc_convert_utf8_to_buffer() has no capacity argument and is never
 *    used; results of opencc_convert_utf8() are freed with
 *    opencc_convert_utf8_free().
 * A config that resolves to OpenCC's own data directory is converted by
 * fastcc.c instead, from the same dictionaries compiled in at build time
 * (same output, an order of magnitude faster); libopencc stays the reference
 * and converts every other config (user paths, another opencc_dir). */
#include "stages.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <opencc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fastcc.h"
#include "tables.h"

#ifndef HF_OPENCC_DATADIR
#define HF_OPENCC_DATADIR "/usr/share/opencc"
#endif

struct hf_script {
    opencc_t cc;
    hf_fastcc *fast; /* when set, cc is unused */
};

/* The compiled-in converter for the config at the resolved path, when that
 * path is a config directly in OpenCC's data directory (the tables were
 * built from that directory's files).  -ENOENT: use libopencc. */
static int open_fast(const char *path, hf_fastcc **fast)
{
    char dir[PATH_MAX];
    if (!realpath(HF_OPENCC_DATADIR, dir))
        return -ENOENT;
    size_t l = strlen(dir);
    if (strncmp(path, dir, l) || path[l] != '/' || strchr(path + l + 1, '/'))
        return -ENOENT;
    return hf_fastcc_open(fast, path + l + 1);
}

static int resolve(const char *config, const char *dir, char *path, size_t pathsz)
{
    char tmp[PATH_MAX];
    if (strchr(config, '/')) {
        if (snprintf(tmp, sizeof tmp, "%s", config) >= (int)sizeof tmp)
            return -ENAMETOOLONG;
    } else {
        if (!dir || !*dir)
            dir = HF_OPENCC_DATADIR;
        size_t l = strlen(config);
        const char *ext = l > 5 && !strcmp(config + l - 5, ".json") ? "" : ".json";
        if (snprintf(tmp, sizeof tmp, "%s/%s%s", dir, config, ext) >= (int)sizeof tmp)
            return -ENAMETOOLONG;
    }
    if (!realpath(tmp, path)) {
        int e = errno;
        snprintf(path, pathsz, "%s", tmp);
        return -e;
    }
    return 0;
}

int hf_script_open(hf_script **out, const char *config, const char *dir, char *err, size_t errsz)
{
    char path[PATH_MAX];
    *out = NULL;
    int r = resolve(config, dir, path, sizeof path);
    if (r) {
        snprintf(err, errsz, "cannot open OpenCC config '%s': %s", path, strerror(-r));
        return r;
    }
    hf_script *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    r = open_fast(path, &s->fast);
    if (r != -ENOENT) {
        if (r) {
            free(s);
            return r;
        }
        *out = s;
        return 0;
    }
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    char cfgdir[PATH_MAX];
    snprintf(cfgdir, sizeof cfgdir, "%s", path);
    char *slash = strrchr(cfgdir, '/');
    if (slash)
        *(slash == cfgdir ? slash + 1 : slash) = '\0';
    if (cwd < 0 || chdir(cfgdir) != 0) {
        int e = errno;
        snprintf(err, errsz, "cannot open OpenCC config '%s': %s", path, strerror(e));
        if (cwd >= 0)
            close(cwd);
        free(s);
        return -e;
    }
    s->cc = opencc_open(path);
    int back = fchdir(cwd);
    close(cwd);
    if (back != 0) {
        /* the process cannot return to its working directory: relative
         * input paths would now be wrong, so this is fatal for the context */
        snprintf(err, errsz, "cannot return to the working directory: %s", strerror(errno));
        if (s->cc != (opencc_t)-1)
            opencc_close(s->cc);
        free(s);
        return -EIO;
    }
    if (s->cc == (opencc_t)-1) {
        const char *m = opencc_error();
        snprintf(err, errsz, "cannot load OpenCC config '%s': %s", path, m ? m : "unknown error");
        free(s);
        return -EINVAL;
    }
    *out = s;
    return 0;
}

int hf_script_open_builtin(hf_script **out, const char *name, char *err, size_t errsz)
{
    *out = NULL;
    hf_script *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    int r = hf_fastcc_open(&s->fast, name);
    if (r) {
        snprintf(err, errsz, "conversion '%s' is not compiled in: %s", name, strerror(-r));
        free(s);
        return r;
    }
    *out = s;
    return 0;
}

void hf_script_close(hf_script **s)
{
    if (!s || !*s)
        return;
    if ((*s)->fast)
        hf_fastcc_close(&(*s)->fast);
    else
        opencc_close((*s)->cc);
    free(*s);
    *s = NULL;
}

bool hf_script_builtin(const hf_script *s)
{
    return s->fast != NULL;
}

int hf_script_convert(hf_script *s, const char *in, size_t n, hf_buf *out)
{
    if (n == 0)
        return 0;
    if (s->fast)
        return hf_fastcc_convert(s->fast, in, n, out);
    char *r = opencc_convert_utf8(s->cc, in, n);
    if (!r)
        return -ENOMEM;
    int e = hf_buf_append(out, r, strlen(r));
    opencc_convert_utf8_free(r);
    return e;
}

/* A dense table for the BMP, built once: the census looks at every
 * character of every record. */
static uint8_t census_bmp[0x10000];

static void census_init(void)
{
    for (size_t i = 0; i < sizeof hf_census / sizeof hf_census[0]; i++)
        if (hf_census[i].cp < 0x10000)
            census_bmp[hf_census[i].cp] = (uint8_t)hf_census[i].val;
}

static inline __attribute__((always_inline)) int census_class(uint32_t c)
{
    return c < 0x10000 ? census_bmp[c]
                       : (int)hf_cpmap_find(hf_census, sizeof hf_census / sizeof hf_census[0], c, 0);
}

int hf_script_class(uint32_t c)
{
    return (int)hf_cpmap_find(hf_census, sizeof hf_census / sizeof hf_census[0], c, 0) & 3;
}

void hf_script_census(const char *s, size_t n, size_t *trad_only, size_t *simp_only)
{
    size_t lt, ls;
    hf_script_census_lean(s, n, trad_only, simp_only, &lt, &ls);
}

void hf_script_census_lean(const char *s, size_t n, size_t *trad_only, size_t *simp_only,
                           size_t *lean_trad, size_t *lean_simp)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, census_init);
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    size_t t = 0, m = 0, lt = 0, ls = 0;
    while (p < end) {
        if (*p < 0xE3) { /* everything below U+3000 is neither */
            p++;
            continue;
        }
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0) {
            p++;
            continue;
        }
        int k = census_class(c);
        t += k & 1;
        m += k >> 1 & 1;
        lt += k >> 2 & 1;
        ls += k >> 3 & 1;
        p += l;
    }
    *trad_only = t;
    *simp_only = m;
    *lean_trad = lt;
    *lean_simp = ls;
}

int hf_script_merge(const char *src, size_t n, const char *conv, size_t cn, int keep, hf_buf *out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, census_init);
    const uint8_t *p = (const uint8_t *)src, *pe = p + n, *q = (const uint8_t *)conv, *qe = q + cn;
    size_t old = out->len;
    int e = 0;
    /* [p0, p) and [q0, q): the characters taken from conv so far, not yet
     * appended (one copy per run rather than per character) */
    const uint8_t *q0 = q;
    while (p < pe && q < qe) {
        uint32_t a, b;
        int la = hf_utf8_next(p, (size_t)(pe - p), &a), lb = hf_utf8_next(q, (size_t)(qe - q), &b);
        if (la < 0 || lb < 0)
            goto whole;
        if (a != b && (census_class(a) & 3) == keep) {
            if ((q0 < q && (e = hf_buf_append(out, q0, (size_t)(q - q0)))) ||
                (e = hf_buf_append(out, p, (size_t)la)))
                goto fail;
            q0 = q + lb;
        }
        p += la;
        q += lb;
    }
    if (p != pe || q != qe)
        goto whole;
    if (q0 < q && (e = hf_buf_append(out, q0, (size_t)(q - q0))))
        goto fail;
    return 0;
whole:
    /* not character for character (a config that changes lengths): the
     * conversion as it is */
    out->len = old;
    if ((e = hf_buf_append(out, conv, cn)))
        goto fail;
    return 0;
fail:
    out->len = old;
    return e;
}

/* The clause ends of convert_runs() in hanfold.c (ASCII and full-width
 * commas, semicolons, marks, colons; 、 and 。; line breaks). */
static bool clause_end(uint32_t c)
{
    switch (c) {
    case '\n': case ',': case ';': case '!': case '?': case ':':
    case 0x3001: case 0x3002: case 0xFF0C: case 0xFF1B: case 0xFF01: case 0xFF1F: case 0xFF1A:
        return true;
    }
    return false;
}

/* A census class's counts as increments of two 32-bit lanes: traditional-
 * only in the low one, simplified-only in the high one (a clause is far
 * shorter than 2^32 characters). */
#define LANES(k) ((uint64_t)((k) & 1) | (uint64_t)((k) >> 1 & 1) << 32)
static const uint64_t census_lanes[16] = {
    LANES(0), LANES(1), LANES(2), LANES(3), LANES(4), LANES(5), LANES(6), LANES(7),
    LANES(8), LANES(9), LANES(10), LANES(11), LANES(12), LANES(13), LANES(14), LANES(15),
};

int hf_script_clauses(const char *s, size_t n, bool lines, hf_clausevec *out, size_t *trad_only,
                      size_t *simp_only)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, census_init);
    const uint8_t *b = (const uint8_t *)s, *p = b, *end = b + n;
    size_t tt = 0, ts = 0;
    /* per clause: both counts in one word, and which classes were met
     * (the leaning ones are asked only whether there were any) */
    uint64_t counts = 0;
    unsigned met = 0;
    out->len = 0;
    while (p < end) {
        uint32_t ch;
        uint8_t c0 = *p;
        bool cut;
        if (c0 < 0x80) {
            p++;
            cut = (c0 == '\n' && lines) || c0 == ',' || c0 == ';' || c0 == '!' || c0 == '?' || c0 == ':';
        } else {
            int l = hf_utf8_next(p, (size_t)(end - p), &ch);
            if (l < 0)
                return -EILSEQ;
            p += l;
            if (c0 >= 0xE3) { /* everything below U+3000 is neither */
                unsigned k = (unsigned)census_class(ch) & 15;
                counts += census_lanes[k];
                met |= k;
            }
            cut = c0 >= 0xE3 && clause_end(ch);
        }
        if (cut || p == end) {
            hf_clause *v = out->len < out->cap ? out->v : hf_array_grow(out->v, &out->cap, sizeof *v);
            if (!v)
                return -ENOMEM;
            out->v = v;
            uint32_t t = (uint32_t)counts, m = (uint32_t)(counts >> 32);
            out->v[out->len++] = (hf_clause){(size_t)(p - b), t, m, met >> 2 & 1, met >> 3 & 1};
            tt += t;
            ts += m;
            counts = 0;
            met = 0;
        }
    }
    *trad_only = tt;
    *simp_only = ts;
    return 0;
}
