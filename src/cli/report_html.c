/* hanfold report --format html: one self-contained page (issue 6).
 *
 * The page, top to bottom: the summary (counts, settings, versions, inputs),
 * a histogram per measure of every candidate pair compared with its
 * threshold marked (inline SVG), then the clusters largest first: the
 * representative's text and every member as a character diff against it,
 * with a filter box.  No network, no external assets; one small inline
 * script (the filter) allowed by its hash in the page's Content-Security-
 * Policy, so nothing injected could run even if escaping failed.
 *
 * Everything taken from the input (ids, sources, texts, input names) goes
 * through esc(): & < > " ' become character references, invalid UTF-8 and
 * control characters become U+FFFD.  Untrusted text only ever appears as
 * element content, never inside <script>, <style> or an attribute.
 *
 * Output is deterministic: no clock, no random ids; element ids are the
 * cluster's rank.
 *
 * The diff (diff_units) is Myers' O(ND) algorithm in its linear-space,
 * divide-and-conquer form with the "too expensive" heuristic of GNU diff
 * (diffseq.h): E. W. Myers, "An O(ND) difference algorithm and its
 * variations", Algorithmica 1 (1986).  Texts are compared by code point;
 * when what remains after the common prefix and suffix is long, first by
 * content-defined chunks (clauses), and then by code point inside each
 * changed region that is short enough.  A work budget per member bounds the
 * time; past it the rest is shown as replaced.  The result is a correct
 * edit script, minimal only when cheap. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"

/* ---- limits ------------------------------------------------------------------------------- */

#define CHAR_DIFF_MAX 40000          /* code points (both sides) diffed directly */
#define DIFF_MAX_BYTES (8u << 20)    /* longer texts are not diffed at all */
#define DIFF_BUDGET 30000000ull      /* work units per member diff */
#define CHUNK_MIN 8                  /* content-defined chunks: at least, */
#define CHUNK_MAX 64                 /* at most this many code points */
#define FULL_DIFF_MAX 2000           /* members up to this many code points: no elision */
#define CONTEXT 100                  /* code points kept around a change */
#define OPEN_MAX 1500                /* bodies up to this many code points start open */
#define PREVIEW 160                  /* code points of a closed text shown as preview */
#define REP_SHOW_MAX (2u << 20)      /* bytes of one text shown at most */
#define MEMBERS_SHOWN 50             /* members beyond this sit in a closed <details> */
#define INPUTS_SHOWN 8               /* input names beyond this sit in a closed <details> */

/* ---- output ------------------------------------------------------------------------------- */

static void out(const char *s) { hf_out(s, strlen(s)); }

static void outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void outf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        hf_out(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* 1234567 -> "1,234,567" */
static const char *grouped(uint64_t v, char buf[32])
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = tmp[i];
    }
    buf[k] = 0;
    return buf;
}

static void out_num(uint64_t v)
{
    char b[32];
    out(grouped(v, b));
}

/* Bytes for people: "355 B", "12.3 kB", "4.0 MB" (powers of 1000). */
static void out_bytes(uint64_t v)
{
    static const char *const unit[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
    if (v < 1000) {
        outf("%llu B", (unsigned long long)v);
        return;
    }
    double x = (double)v;
    int u = -1;
    while (x >= 999.95 && u < 5) {
        x /= 1000;
        u++;
    }
    outf(x < 99.95 ? "%.1f %s" : "%.0f %s", x, unit[u]);
}

/* A threshold: two decimals, three when it has them ("0.88", "0.875"). */
static const char *thr(double v, char buf[32])
{
    snprintf(buf, 32, "%.3f", v);
    size_t n = strlen(buf);
    if (n > 4 && buf[n - 1] == '0' && strchr(buf, '.') && strchr(buf, '.') < buf + n - 3)
        buf[n - 1] = 0;
    return buf;
}

/* ---- UTF-8 and escaping ------------------------------------------------------------------- */

/* Length (1-4) of the well-formed UTF-8 sequence at s (Unicode 15, table
 * 3-7), its code point in *cp; 0 when s starts an ill-formed sequence. */
static size_t u8seq(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* Writes s[0..n) as HTML text that is also safe inside a quoted attribute:
 * & < > " ' as references; invalid UTF-8, C0 controls other than tab, LF
 * and CR, and DEL as U+FFFD (so the page is valid UTF-8 whatever came in). */
static void esc(const char *str, size_t n)
{
    static const char fffd[] = "\xef\xbf\xbd";
    const unsigned char *s = (const unsigned char *)str;
    size_t run = 0, i = 0;
    while (i < n) {
        unsigned c = s[i];
        const char *r = NULL;
        size_t adv = 1;
        if (c >= 0x80) {
            uint32_t cp;
            adv = u8seq(s + i, n - i, &cp);
            if (!adv) {
                r = fffd;
                adv = 1;
            }
        } else if (c == '&') {
            r = "&amp;";
        } else if (c == '<') {
            r = "&lt;";
        } else if (c == '>') {
            r = "&gt;";
        } else if (c == '"') {
            r = "&quot;";
        } else if (c == '\'') {
            r = "&#39;";
        } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            r = fffd;
        }
        if (r) {
            hf_out(str + run, i - run);
            out(r);
            run = i + adv;
        }
        i += adv;
    }
    hf_out(str + run, n - run);
}

static void esc_str(const char *s) { esc(s ? s : "", s ? strlen(s) : 0); }

/* A text as code points: u[i] is the code point (an invalid byte b is
 * 0x110000 + b, unequal to every character), off[i] its byte offset in the
 * text; off[n] is the length. */
typedef struct {
    const char *text;
    uint32_t *u;
    size_t *off;
    size_t n;
} units;

static void units_free(units *x)
{
    free(x->u);
    free(x->off);
    x->u = NULL;
    x->off = NULL;
    x->n = 0;
}

static int units_decode(units *x, const char *text, size_t len)
{
    x->text = text;
    x->n = 0;
    x->u = malloc((len ? len : 1) * sizeof *x->u);
    x->off = malloc((len + 1) * sizeof *x->off);
    if (!x->u || !x->off) {
        units_free(x);
        return -ENOMEM;
    }
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, k = 0;
    while (i < len) {
        uint32_t cp;
        size_t adv = u8seq(s + i, len - i, &cp);
        if (!adv) {
            cp = 0x110000u + s[i];
            adv = 1;
        }
        x->u[k] = cp;
        x->off[k++] = i;
        i += adv;
    }
    x->off[k] = len;
    x->n = k;
    return 0;
}

/* Code points in s[0..n) (ill-formed bytes count one each). */
static size_t u8count(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t k = 0;
    for (size_t i = 0; i < n; k++) {
        uint32_t cp;
        size_t adv = u8seq(s + i, n - i, &cp);
        i += adv ? adv : 1;
    }
    return k;
}

/* Byte length of the first `max` code points of s[0..n), or n. */
static size_t u8prefix(const char *str, size_t n, size_t max)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    for (size_t k = 0; i < n && k < max; k++) {
        uint32_t cp;
        size_t adv = u8seq(s + i, n - i, &cp);
        i += adv ? adv : 1;
    }
    return i;
}

/* ---- diff: Myers O(ND), linear space, with GNU diff's cost heuristic ---------------------- */

/* Marks changed elements of a[] (deleted) and b[] (inserted) in ca[] and
 * cb[]; unmarked elements pair up in order and are equal. */
typedef struct {
    const uint32_t *a, *b;
    uint8_t *ca, *cb;
    ptrdiff_t *fd, *bd;       /* furthest x per diagonal k = x - y (may be negative) */
    ptrdiff_t too_expensive;  /* edit cost after which a split is approximated */
    uint64_t *budget;         /* work left; at 0 the rest is marked changed */
} dctx;

typedef struct { ptrdiff_t xoff, xlim, yoff, ylim; } drange;

static void spend(dctx *c, uint64_t w) { *c->budget = *c->budget > w ? *c->budget - w : 0; }

/* Finds a point (xmid, ymid) on an optimal path through the box
 * [xoff,xlim) x [yoff,ylim) by searching forward from the top-left and
 * backward from the bottom-right corner until the two meet; past
 * too_expensive edits (or the budget), the point that got furthest.  The
 * box is non-empty on both sides and starts and ends with a mismatch. */
static void diag(dctx *c, drange r, ptrdiff_t *xmid, ptrdiff_t *ymid)
{
    ptrdiff_t *const fd = c->fd, *const bd = c->bd;
    const uint32_t *const a = c->a, *const b = c->b;
    const ptrdiff_t xoff = r.xoff, xlim = r.xlim, yoff = r.yoff, ylim = r.ylim;
    const ptrdiff_t dmin = xoff - ylim, dmax = xlim - yoff;
    const ptrdiff_t fmid = xoff - yoff, bmid = xlim - ylim;
    ptrdiff_t fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;
    const bool odd = (fmid - bmid) & 1;

    fd[fmid] = xoff;
    bd[bmid] = xlim;
    for (ptrdiff_t cost = 1;; cost++) {
        uint64_t work = 0;
        /* forward: one more edit on every diagonal in reach */
        if (fmin > dmin)
            fd[--fmin - 1] = -1;
        else
            ++fmin;
        if (fmax < dmax)
            fd[++fmax + 1] = -1;
        else
            --fmax;
        for (ptrdiff_t d = fmax; d >= fmin; d -= 2) {
            ptrdiff_t tlo = fd[d - 1], thi = fd[d + 1];
            ptrdiff_t x0 = tlo < thi ? thi : tlo + 1, x = x0, y = x0 - d;
            while (x < xlim && y < ylim && a[x] == b[y])
                x++, y++;
            work += 1 + (uint64_t)(x - x0);
            fd[d] = x;
            if (odd && bmin <= d && d <= bmax && bd[d] <= x) {
                *xmid = x;
                *ymid = y;
                spend(c, work);
                return;
            }
        }
        /* backward */
        if (bmin > dmin)
            bd[--bmin - 1] = PTRDIFF_MAX;
        else
            ++bmin;
        if (bmax < dmax)
            bd[++bmax + 1] = PTRDIFF_MAX;
        else
            --bmax;
        for (ptrdiff_t d = bmax; d >= bmin; d -= 2) {
            ptrdiff_t tlo = bd[d - 1], thi = bd[d + 1];
            ptrdiff_t x0 = tlo < thi ? tlo : thi - 1, x = x0, y = x0 - d;
            while (xoff < x && yoff < y && a[x - 1] == b[y - 1])
                x--, y--;
            work += 1 + (uint64_t)(x0 - x);
            bd[d] = x;
            if (!odd && fmin <= d && d <= fmax && x <= fd[d]) {
                *xmid = x;
                *ymid = y;
                spend(c, work);
                return;
            }
        }
        spend(c, work);
        if (cost < c->too_expensive && *c->budget)
            continue;
        /* Too expensive: split where one search got furthest (diffseq.h). */
        ptrdiff_t fxybest = -1, fxbest = xoff, bxybest = PTRDIFF_MAX, bxbest = xlim;
        for (ptrdiff_t d = fmax; d >= fmin; d -= 2) {
            ptrdiff_t x = fd[d] < xlim ? fd[d] : xlim, y = x - d;
            if (ylim < y)
                x = ylim + d, y = ylim;
            if (fxybest < x + y)
                fxybest = x + y, fxbest = x;
        }
        for (ptrdiff_t d = bmax; d >= bmin; d -= 2) {
            ptrdiff_t x = bd[d] > xoff ? bd[d] : xoff, y = x - d;
            if (y < yoff)
                x = yoff + d, y = yoff;
            if (x + y < bxybest)
                bxybest = x + y, bxbest = x;
        }
        if ((xlim + ylim) - bxybest < fxybest - (xoff + yoff)) {
            *xmid = fxbest;
            *ymid = fxybest - fxbest;
        } else {
            *xmid = bxbest;
            *ymid = bxybest - bxbest;
        }
        return;
    }
}

static void mark(uint8_t *f, ptrdiff_t from, ptrdiff_t to)
{
    if (to > from)
        memset(f + from, 1, (size_t)(to - from));
}

/* Diffs a[xoff..xlim) against b[yoff..ylim), marking ca/cb.  An explicit
 * stack instead of recursion: heuristic splits can be lopsided. */
static int diff_units(const uint32_t *a, const uint32_t *b, uint8_t *ca, uint8_t *cb, drange top,
                      uint64_t *budget)
{
    size_t span = (size_t)(top.xlim - top.xoff) + (size_t)(top.ylim - top.yoff) + 3;
    ptrdiff_t *mem = malloc(2 * span * sizeof *mem);
    size_t cap = 64, sp = 0;
    drange *stack = malloc(cap * sizeof *stack);
    if (!mem || !stack) {
        free(mem);
        free(stack);
        mark(ca, top.xoff, top.xlim);
        mark(cb, top.yoff, top.ylim);
        return -ENOMEM;
    }
    /* diagonals k run from xoff - ylim - 1 to xlim - yoff + 1 */
    ptrdiff_t base = top.ylim - top.xoff + 1;
    dctx c = {a, b, ca, cb, mem + base, mem + span + base, 256, budget};
    ptrdiff_t te = 1;
    for (size_t diags = span; diags; diags >>= 2)
        te <<= 1;
    if (te > c.too_expensive)
        c.too_expensive = te;
    stack[sp++] = top;
    int rc = 0;
    while (sp) {
        drange r = stack[--sp];
        while (r.xoff < r.xlim && r.yoff < r.ylim && a[r.xoff] == b[r.yoff])
            r.xoff++, r.yoff++;
        while (r.xoff < r.xlim && r.yoff < r.ylim && a[r.xlim - 1] == b[r.ylim - 1])
            r.xlim--, r.ylim--;
        if (r.xoff == r.xlim || r.yoff == r.ylim || !*budget) {
            mark(ca, r.xoff, r.xlim);
            mark(cb, r.yoff, r.ylim);
            continue;
        }
        ptrdiff_t xm, ym;
        diag(&c, r, &xm, &ym);
        if ((xm == r.xoff && ym == r.yoff) || (xm == r.xlim && ym == r.ylim) || xm < r.xoff ||
            xm > r.xlim || ym < r.yoff || ym > r.ylim) {
            mark(ca, r.xoff, r.xlim); /* no progress: never loop */
            mark(cb, r.yoff, r.ylim);
            continue;
        }
        if (sp + 2 > cap) {
            drange *t = realloc(stack, 2 * cap * sizeof *stack);
            if (!t) {
                rc = -ENOMEM;
                mark(ca, r.xoff, r.xlim);
                mark(cb, r.yoff, r.ylim);
                continue;
            }
            stack = t;
            cap *= 2;
        }
        stack[sp++] = (drange){xm, r.xlim, ym, r.ylim};
        stack[sp++] = (drange){r.xoff, xm, r.yoff, ym};
    }
    free(mem);
    free(stack);
    return rc;
}

/* ---- chunks: the coarse level for long texts ---------------------------------------------- */

static bool is_break(uint32_t c)
{
    switch (c) {
    case '\n': case ' ': case '.': case ',': case '!': case '?': case ';': case ':':
    case 0x3002: case 0xff0c: case 0xff01: case 0xff1f: case 0xff1b: case 0xff1a: case 0x3001:
        return true;
    default:
        return false;
    }
}

/* Chunk boundaries of u[from..to): clause ends, else where a hash of two
 * code points says so (content-defined, so an edit does not shift later
 * boundaries), at most CHUNK_MAX apart.  bounds[0] = from; returns the
 * number of chunks; bounds has room for (to - from) + 1 entries. */
static size_t chunk_bounds(const uint32_t *u, size_t from, size_t to, size_t *bounds)
{
    size_t k = 0, start = from;
    bounds[k] = from;
    for (size_t i = from; i < to; i++) {
        size_t len = i + 1 - start;
        uint32_t h = (u[i] * 0x9e3779b1u) ^ (i > from ? u[i - 1] * 0x85ebca6bu : 0);
        if (is_break(u[i]) || len >= CHUNK_MAX || (len >= CHUNK_MIN && (h >> 27) == 0)) {
            bounds[++k] = i + 1;
            start = i + 1;
        }
    }
    if (start < to)
        bounds[++k] = to;
    return k;
}

typedef struct { const uint32_t *u; size_t from, len; uint64_t h; uint32_t id; } ientry;

static uint64_t hash_units(const uint32_t *u, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ u[i]) * 0x100000001b3ull;
    return h;
}

/* Gives every distinct chunk a number, the same for equal chunks of either text. */
static int intern(ientry *tab, size_t mask, uint32_t *next, const uint32_t *u, size_t from,
                  size_t len, uint32_t *id)
{
    uint64_t h = hash_units(u + from, len);
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        ientry *e = &tab[i];
        if (!e->u) {
            *e = (ientry){u, from, len, h, (*next)++};
            *id = e->id;
            return 0;
        }
        if (e->h == h && e->len == len && !memcmp(e->u + e->from, u + from, len * sizeof *u)) {
            *id = e->id;
            return 0;
        }
    }
}

/* Long texts: diff clause chunks of a[p..an) and b[p..bn), then code points
 * inside each changed region short enough. */
static int diff_chunked(const units *A, const units *B, uint8_t *ca, uint8_t *cb, size_t p,
                        size_t an, size_t bn, uint64_t *budget)
{
    size_t la = an - p, lb = bn - p;
    size_t *ba = malloc((la + 1) * sizeof *ba), *bb = malloc((lb + 1) * sizeof *bb);
    uint32_t *ia = NULL, *ib = NULL;
    uint8_t *fa = NULL, *fb = NULL;
    ientry *tab = NULL;
    int rc = -ENOMEM;
    if (!ba || !bb)
        goto fail;
    size_t na = chunk_bounds(A->u, p, an, ba), nb = chunk_bounds(B->u, p, bn, bb);
    size_t size = 16;
    while (size < 2 * (na + nb))
        size <<= 1;
    tab = calloc(size, sizeof *tab);
    ia = malloc((na ? na : 1) * sizeof *ia);
    ib = malloc((nb ? nb : 1) * sizeof *ib);
    fa = calloc(na + 1, 1);
    fb = calloc(nb + 1, 1);
    if (!tab || !ia || !ib || !fa || !fb)
        goto fail;
    uint32_t next = 0;
    for (size_t i = 0; i < na; i++)
        intern(tab, size - 1, &next, A->u, ba[i], ba[i + 1] - ba[i], &ia[i]);
    for (size_t i = 0; i < nb; i++)
        intern(tab, size - 1, &next, B->u, bb[i], bb[i + 1] - bb[i], &ib[i]);
    free(tab);
    tab = NULL;
    rc = diff_units(ia, ib, fa, fb, (drange){0, (ptrdiff_t)na, 0, (ptrdiff_t)nb}, budget);
    /* chunk script -> code points: equal chunks stay unmarked; changed
     * regions are refined or marked whole */
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        if (i < na && j < nb && !fa[i] && !fb[j]) {
            i++, j++;
            continue;
        }
        size_t i0 = i, j0 = j;
        while (i < na && fa[i])
            i++;
        while (j < nb && fb[j])
            j++;
        if (i == i0 && j == j0) { /* cannot happen; never loop */
            if (i < na)
                fa[i] = 1;
            else
                fb[j] = 1;
            continue;
        }
        size_t ua0 = ba[i0], ua1 = ba[i], ub0 = bb[j0], ub1 = bb[j];
        if ((ua1 - ua0) + (ub1 - ub0) <= CHAR_DIFF_MAX && *budget) {
            int r = diff_units(A->u, B->u, ca, cb,
                               (drange){(ptrdiff_t)ua0, (ptrdiff_t)ua1, (ptrdiff_t)ub0, (ptrdiff_t)ub1},
                               budget);
            if (r)
                rc = r;
        } else {
            mark(ca, (ptrdiff_t)ua0, (ptrdiff_t)ua1);
            mark(cb, (ptrdiff_t)ub0, (ptrdiff_t)ub1);
        }
    }
    goto done;
fail:
    mark(ca, (ptrdiff_t)p, (ptrdiff_t)an);
    mark(cb, (ptrdiff_t)p, (ptrdiff_t)bn);
done:
    free(ba);
    free(bb);
    free(ia);
    free(ib);
    free(fa);
    free(fb);
    free(tab);
    return rc;
}

/* An edit script: runs equal in both texts, or a change (a range deleted,
 * b range inserted; either may be empty). */
typedef struct { bool eq; size_t a0, a1, b0, b1; } op;

typedef struct {
    op *v;
    size_t n, cap;
    size_t ins, del;  /* code points inserted and deleted (before cleanup) */
    bool approx;      /* the budget ran out: part of the script is coarse */
} edits;

static int push_op(edits *s, op o)
{
    if (s->n && s->v[s->n - 1].eq == o.eq) { /* extend */
        s->v[s->n - 1].a1 = o.a1;
        s->v[s->n - 1].b1 = o.b1;
    } else {
        if (s->n == s->cap) {
            size_t cap = s->cap ? 2 * s->cap : 32;
            op *t = realloc(s->v, cap * sizeof *t);
            if (!t)
                return -ENOMEM;
            s->v = t;
            s->cap = cap;
        }
        s->v[s->n++] = o;
    }
    /* Semantic cleanup (after diff-match-patch): an equality shorter than
     * the changes on both sides of it is folded into them, so that one
     * rewritten phrase reads as one deletion and one insertion rather than
     * confetti of single characters. */
    while (s->n >= 3) {
        op *x = &s->v[s->n - 3], *e = &s->v[s->n - 2], *y = &s->v[s->n - 1];
        if (x->eq || !e->eq || y->eq)
            break;
        size_t el = e->a1 - e->a0, xl = x->a1 - x->a0, xi = x->b1 - x->b0;
        size_t yl = y->a1 - y->a0, yi = y->b1 - y->b0;
        if (el >= (xl > xi ? xl : xi) || el >= (yl > yi ? yl : yi))
            break;
        x->a1 = y->a1;
        x->b1 = y->b1;
        s->n -= 2;
    }
    return 0;
}

/* The script turning A into B (A the representative). */
static int diff_texts(const units *A, const units *B, edits *s)
{
    size_t n = A->n, m = B->n;
    uint8_t *ca = calloc(n + 1, 1), *cb = calloc(m + 1, 1);
    if (!ca || !cb) {
        free(ca);
        free(cb);
        return -ENOMEM;
    }
    size_t p = 0;
    while (p < n && p < m && A->u[p] == B->u[p])
        p++;
    size_t q = 0;
    while (q < n - p && q < m - p && A->u[n - 1 - q] == B->u[m - 1 - q])
        q++;
    uint64_t budget = DIFF_BUDGET;
    int rc;
    if ((n - p - q) + (m - p - q) <= CHAR_DIFF_MAX)
        rc = diff_units(A->u, B->u, ca, cb,
                        (drange){(ptrdiff_t)p, (ptrdiff_t)(n - q), (ptrdiff_t)p, (ptrdiff_t)(m - q)},
                        &budget);
    else
        rc = diff_chunked(A, B, ca, cb, p, n - q, m - q, &budget);
    s->approx = !budget;
    size_t i = 0, j = 0;
    while (!rc && (i < n || j < m)) {
        if (i < n && j < m && !ca[i] && !cb[j]) {
            size_t i0 = i, j0 = j;
            while (i < n && j < m && !ca[i] && !cb[j])
                i++, j++;
            rc = push_op(s, (op){true, i0, i, j0, j});
        } else {
            size_t i0 = i, j0 = j;
            while (i < n && ca[i])
                i++;
            while (j < m && cb[j])
                j++;
            if (i == i0 && j == j0) { /* unpaired leftovers: cannot happen */
                if (i < n)
                    i++;
                else
                    j++;
            }
            s->del += i - i0;
            s->ins += j - j0;
            rc = push_op(s, (op){false, i0, i, j0, j});
        }
    }
    free(ca);
    free(cb);
    return rc;
}

/* ---- the page ----------------------------------------------------------------------------- */

static const char css[] =
":root{--fg:#1d2329;--muted:#5d6873;--bg:#fff;--panel:#f5f7f9;--line:#d9dee3;--link:#0b62a4;"
"--dup:#0072b2;--non:#e69f00;--thr:#b8420a;--ins-bg:#d3e8fa;--ins-fg:#00345a;--ins-ln:#0072b2;"
"--del-bg:#fde0c5;--del-fg:#6b2d00;--del-ln:#c25400;--badge-fg:#fff;color-scheme:light dark}\n"
"@media (prefers-color-scheme:dark){:root{--fg:#e4e8ec;--muted:#9ba6b1;--bg:#14181c;--panel:#1d2228;"
"--line:#343c45;--link:#7cc4f4;--dup:#56b4e9;--non:#e69f00;--thr:#ff8a4c;--ins-bg:#0e3a5e;"
"--ins-fg:#d6ecff;--ins-ln:#56b4e9;--del-bg:#55300d;--del-fg:#ffdcbc;--del-ln:#e69f00;--badge-fg:#0d1b26}}\n"
"*{box-sizing:border-box}[hidden]{display:none!important}\n"
"body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.6 system-ui,-apple-system,"
"\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,\"PingFang SC\",\"Hiragino Sans GB\",\"Microsoft YaHei\","
"\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"WenQuanYi Micro Hei\",sans-serif}\n"
":lang(zh-Hant){font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,\"PingFang TC\","
"\"Microsoft JhengHei\",\"Noto Sans CJK TC\",\"Source Han Sans TC\",\"WenQuanYi Micro Hei\",sans-serif}\n"
"main{max-width:72rem;margin:0 auto;padding:1.5rem 1.25rem 4rem}\n"
"h1{font-size:1.55rem;margin:0 0 .2rem;letter-spacing:-.01em}h2{font-size:1.2rem;margin:2.2rem 0 .6rem;"
"padding-bottom:.3rem;border-bottom:1px solid var(--line)}\n"
".sub{color:var(--muted);margin:0 0 1.2rem}\n"
".cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(8rem,1fr));gap:.7rem;margin:0}\n"
".card{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:.55rem .85rem}\n"
".card dt{color:var(--muted);font-size:.82rem}.card dd{margin:0;font-size:1.45rem;font-weight:600;"
"font-variant-numeric:tabular-nums}.card dd small{font-size:.8rem;font-weight:400;color:var(--muted)}\n"
"dl.set{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1.2rem;margin:1rem 0 0;font-size:.92rem}\n"
"dl.set dt{color:var(--muted)}dl.set dd{margin:0}\n"
"ul.inputs{margin:.2rem 0;padding-left:1.2rem}code,.mono{font-family:ui-monospace,\"SF Mono\","
"Menlo,Consolas,\"Liberation Mono\",monospace;font-size:.88em}\n"
"figure.hist{margin:1rem 0 1.6rem;max-width:50rem}figure.hist figcaption{font-size:.92rem;margin-bottom:.3rem}\n"
"figure.hist svg{width:100%;height:auto;display:block}\n"
".sw{display:inline-block;width:.8em;height:.8em;border-radius:2px;vertical-align:-.05em;margin:0 .25em 0 .6em}\n"
".sw.d,.hd{background:var(--dup);fill:var(--dup)}.sw.n,.hn{background:var(--non);fill:var(--non)}\n"
".ax{stroke:var(--fg);stroke-width:1}.gr{stroke:var(--line);stroke-width:1}.th{stroke:var(--thr);"
"stroke-width:2;stroke-dasharray:5 3}.tl{fill:var(--thr);font-size:12px;font-weight:600}\n"
"svg text{fill:var(--muted);font-size:11px;font-family:inherit}\n"
".gap{font-size:.88rem;color:var(--muted);margin:.3rem 0 0}\n"
"#filterbar{position:sticky;top:0;z-index:2;background:var(--bg);padding:.6rem 0;display:flex;"
"gap:.8rem;align-items:center;border-bottom:1px solid var(--line)}\n"
"#q{flex:1;max-width:32rem;font:inherit;padding:.4rem .7rem;border:1px solid var(--line);"
"border-radius:6px;background:var(--panel);color:var(--fg)}#shown{color:var(--muted);font-size:.9rem}\n"
"section.cl{content-visibility:auto;contain-intrinsic-size:auto 18rem;border:1px solid var(--line);"
"border-radius:10px;margin:1rem 0;padding:.2rem 1rem .8rem}\n"
"section.cl h3{font-size:1rem;margin:.6rem 0 .4rem;display:flex;gap:.8rem;flex-wrap:wrap;align-items:baseline}\n"
"section.cl h3 a{color:var(--link);text-decoration:none}section.cl h3 .meta{color:var(--muted);font-weight:400;"
"font-size:.88rem}\n"
".who{display:flex;flex-wrap:wrap;gap:.25rem .9rem;align-items:baseline;font-size:.9rem}\n"
".id{font-weight:600;overflow-wrap:anywhere}.src{color:var(--muted);overflow-wrap:anywhere}\n"
".sim,.by,.chg{font-variant-numeric:tabular-nums;color:var(--muted)}.sim b{color:var(--fg)}\n"
".badge{font-size:.75rem;font-weight:600;padding:.05rem .45rem;border-radius:999px;background:var(--dup);"
"color:var(--badge-fg)}\n"
".rep{background:var(--panel);border-radius:8px;padding:.5rem .8rem;margin:.3rem 0 .6rem}\n"
"details>summary{cursor:pointer}details.txt>summary,details.more>summary{color:var(--muted);font-size:.85rem}\n"
".body,.diff{white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.8;font-size:1rem;margin:.35rem 0 0}\n"
".preview{color:var(--muted);margin:.3rem 0 0;overflow-wrap:anywhere}\n"
"ol.ms{list-style:none;margin:0;padding:0}ol.ms>li{border-top:1px solid var(--line);padding:.45rem 0}\n"
"ol.ms>li>details>summary .who{display:inline-flex}\n"
".same{color:var(--muted);font-size:.85rem}.note{color:var(--muted);font-size:.85rem;margin:.3rem 0 0}\n"
"ins{background:var(--ins-bg);color:var(--ins-fg);text-decoration:underline 2px var(--ins-ln);"
"text-underline-offset:.25em;border-radius:2px}\n"
"del{background:var(--del-bg);color:var(--del-fg);text-decoration:none;outline:1px dashed var(--del-ln);"
"outline-offset:-1px;border-radius:2px}\n"
".ni{color:var(--ins-ln);font-weight:600}.nd{color:var(--del-ln);font-weight:600}\n"
".skip{display:block;margin:.35rem 0;padding:.05rem 0;text-align:center;font-size:.78rem;color:var(--muted);"
"border-top:1px dashed var(--line);border-bottom:1px dashed var(--line);user-select:none}\n"
".legend{font-size:.85rem;color:var(--muted);margin:.3rem 0}\n"
"footer{margin-top:3rem;color:var(--muted);font-size:.82rem}\n"
"@media print{#filterbar{display:none}section.cl{content-visibility:visible;break-inside:avoid}}\n";

/* The filter.  Its SHA-256 is in the page's Content-Security-Policy:
 * after editing, update script_hash (tests/cli/report-html.sh checks it):
 *   python3 -c 'import re,sys,hashlib,base64; s=re.search(r"<script>(.*?)</script>",
 *   sys.stdin.read(),re.S).group(1); print(base64.b64encode(hashlib.sha256(s.encode()).digest()).decode())'
 * It reads text from the DOM and the query from the input box (or #q=...
 * in the address, for links and tests); it never writes HTML. */
static const char script[] =
"(function(){\"use strict\";"
"var d=document,list=d.getElementById(\"clusters\");if(!list)return;"
"var secs=list.getElementsByClassName(\"cl\"),q=d.getElementById(\"q\"),shown=d.getElementById(\"shown\"),"
"hay=null,timer=0;"
"d.getElementById(\"filterbar\").hidden=false;"
"function text(e,acc){for(var n=e.firstChild;n;n=n.nextSibling){if(n.nodeType===3)acc.push(n.data);"
"else if(n.nodeType===1&&n.tagName!==\"DEL\"&&!n.classList.contains(\"skip\"))text(n,acc);}return acc;}"
"function build(){hay=[];for(var i=0;i<secs.length;i++){"
"var f=secs[i].querySelectorAll(\".id,.src,.body,.diff\"),p=[];"
"for(var j=0;j<f.length;j++)p.push(text(f[j],[]).join(\"\"));hay.push(p.join(\"\\n\").toLowerCase());}}"
"function apply(){var t=q.value.toLowerCase().split(/\\s+/).filter(Boolean),n=0;"
"if(t.length&&!hay)build();"
"for(var i=0;i<secs.length;i++){var ok=true;"
"for(var k=0;ok&&k<t.length;k++)ok=hay[i].indexOf(t[k])>=0;secs[i].hidden=!ok;if(ok)n++;}"
"shown.textContent=t.length?n+\" of \"+secs.length+\" clusters match\":secs.length+\" clusters\";"
"d.documentElement.setAttribute(\"data-shown\",String(n));}"
"q.addEventListener(\"input\",function(){clearTimeout(timer);timer=setTimeout(apply,150);});"
"d.addEventListener(\"keydown\",function(e){if(e.key===\"/\"&&d.activeElement!==q){e.preventDefault();q.focus();}});"
"var m=/^#q=(.*)$/.exec(location.hash);if(m){try{q.value=decodeURIComponent(m[1]);}catch(err){}}"
"apply();})();";

static const char script_hash[] = "sha256-Rw+dZGh79ntoCqEsbDXFy0gvjIGwhjgSzE3vLoRP+lw=";

static const char *lang_of(const hf_report_data *d)
{
    const char *s = d->script ? d->script : "";
    if (!strncmp(s, "simplified", 10))
        return "zh-Hans";
    if (!strncmp(s, "traditional", 11) || !strncmp(s, "taiwan", 6) || !strncmp(s, "hongkong", 8))
        return "zh-Hant";
    return "zh";
}

static void head(const hf_report_data *d)
{
    out("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; script-src '");
    out(script_hash);
    out("'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"hanfold ");
    esc_str(d->version);
    out("\">\n<title>hanfold dedup report</title>\n<style>\n");
    out(css);
    out("</style>\n</head>\n<body>\n<main>\n");
}

static void card(const char *id, const char *label, uint64_t v, const char *extra)
{
    outf("<div class=\"card\"><dt>%s</dt><dd id=\"%s\" data-n=\"%llu\">", label, id, (unsigned long long)v);
    out_num(v);
    if (extra)
        out(extra);
    out("</dd></div>");
}

static void summary(const hf_report_data *d)
{
    out("<header>\n<h1>hanfold dedup report</h1>\n<p class=\"sub\">Near-duplicate clusters of ");
    out_num(d->records);
    out(d->records == 1 ? " record from " : " records from ");
    out_num(d->ninputs);
    out(d->ninputs == 1 ? " input" : " inputs");
    out(", folded across scripts and web noise.</p>\n</header>\n<section id=\"summary\">\n<dl class=\"cards\">");
    char pct[96];
    snprintf(pct, sizeof pct, " <small>%.1f%%</small>",
             d->records ? 100.0 * (double)d->duplicate_records / (double)d->records : 0.0);
    card("n-records", "Records", d->records, NULL);
    card("n-clusters", "Clusters (all)", d->clusters, NULL);
    card("n-groups", "Clusters of 2 or more", d->ngroups, NULL);
    card("n-duplicate-records", "Duplicate records", d->duplicate_records, pct);
    outf("<div class=\"card\"><dt>Duplicate bytes</dt><dd id=\"n-duplicate-bytes\" data-n=\"%llu\">",
         (unsigned long long)d->duplicate_bytes);
    out_bytes(d->duplicate_bytes);
    if (d->duplicate_bytes >= 1000) {
        out(" <small>");
        out_num(d->duplicate_bytes);
        out(" B</small>");
    }
    out("</dd></div>");
    uint64_t largest = 0;
    for (size_t g = 0; g < d->ngroups; g++)
        largest = d->groups[g].n > largest ? d->groups[g].n : largest;
    card("n-largest", "Largest cluster", largest, largest == 1 ? " <small>record</small>" : " <small>records</small>");
    out("</dl>\n<dl class=\"set\">\n<dt>hanfold</dt><dd id=\"version\">");
    esc_str(d->version);
    out("</dd>\n<dt>Fingerprint schema</dt><dd id=\"schema\" class=\"mono\">");
    esc_str(d->schema);
    out("</dd>\n<dt>Script</dt><dd id=\"script\">");
    esc_str(d->script);
    out("</dd>\n<dt>Linkage</dt><dd id=\"linkage\">");
    esc_str(d->linkage);
    out(d->linkage && !strcmp(d->linkage, "single") ? " (every verified pair joins its clusters)"
                                                    : " (a record joins its most similar earlier representative)");
    char t1[32], t2[32], t3[32], t4[32];
    outf("</dd>\n<dt>Thresholds</dt><dd id=\"thresholds\">short texts (LCS over the shorter key, under %d "
         "tokens) <b>%s</b> &middot; long texts <b>%s</b> &middot; very long texts (3-gram Jaccard, over "
         "%d tokens) <b>%s</b> &middot; minimum length ratio <b>%s</b></dd>\n",
         HANFOLD_SHORT_TIER, thr(d->threshold, t1), thr(d->long_threshold, t2), HANFOLD_SHORT_MAX,
         thr(d->jaccard_threshold, t3), thr(d->min_ratio, t4));
    out("<dt>Inputs</dt><dd id=\"inputs\">");
    if (!d->ninputs)
        out("standard input");
    for (size_t i = 0; i < d->ninputs; i++) {
        if (i == 0)
            out("<ul class=\"inputs\">");
        if (i == INPUTS_SHOWN && d->ninputs > INPUTS_SHOWN + 1) {
            out("</ul><details class=\"more\"><summary>");
            out_num(d->ninputs - i);
            out(" more</summary><ul class=\"inputs\">");
        }
        out("<li><bdi class=\"mono\">");
        esc_str(d->inputs[i]);
        out("</bdi></li>");
        if (i + 1 == d->ninputs)
            out(i >= INPUTS_SHOWN && d->ninputs > INPUTS_SHOWN + 1 ? "</ul></details>" : "</ul>");
    }
    out("</dd>\n</dl>\n</section>\n");
}

/* ---- histogram ---------------------------------------------------------------------------- */

#define HW 760.0
#define HH 230.0
#define HL 52.0
#define HR 14.0
#define HT 24.0
#define HB 34.0

/* Bar height as a share of the half panel: logarithmic with 1 pair at one
 * step up from the axis, so that a single pair near the threshold shows. */
static double hscale(uint64_t c, uint64_t max)
{
    return c ? (1 + log10((double)c)) / (1 + log10((double)max)) : 0.0;
}

static void histogram_panel(const hf_report_data *d, int kind)
{
    static const char *const title[] = {"Tiny texts", "Short texts", "Long texts", "Very long texts"};
    const uint64_t *all = d->pairs[kind], *dup = d->pairs_dup[kind];
    uint64_t total = 0, ndup = 0, max = 0;
    for (int b = 0; b <= 100; b++) {
        total += all[b];
        ndup += dup[b];
        uint64_t non = all[b] > dup[b] ? all[b] - dup[b] : 0;
        max = dup[b] > max ? dup[b] : max;
        max = non > max ? non : max;
    }
    double th = kind == HANFOLD_PAIR_TINY ? 1.0
              : kind == HANFOLD_PAIR_SHORT ? d->threshold
              : kind == HANFOLD_PAIR_LONG ? d->long_threshold : d->jaccard_threshold;
    char ts[32];
    thr(th, ts);
    outf("<figure class=\"hist\" id=\"hist-%d\"><figcaption><b>%s</b> ", kind, title[kind]);
    switch (kind) {
    case HANFOLD_PAIR_TINY:
        outf("(keys of at most %d tokens: only identical keys match)", HANFOLD_TINY);
        break;
    case HANFOLD_PAIR_SHORT:
        outf("(LCS over the shorter key, under %d tokens; threshold %s)", HANFOLD_SHORT_TIER, ts);
        break;
    case HANFOLD_PAIR_LONG:
        outf("(LCS over the shorter key, %d tokens or more; threshold %s)", HANFOLD_SHORT_TIER, ts);
        break;
    default:
        outf("(estimated 3-gram Jaccard, keys over %d tokens; threshold %s)", HANFOLD_SHORT_MAX, ts);
    }
    out(" &middot; <span class=\"pairs\">");
    out_num(total);
    out(total == 1 ? "</span> pair compared, " : "</span> pairs compared, ");
    out_num(ndup);
    out(" duplicates<br><span class=\"sw d\"></span>duplicates (above the axis)"
        "<span class=\"sw n\"></span>not duplicates (below); pairs per 0.01 of similarity, log scale"
        "</figcaption>\n");

    const double pw = HW - HL - HR, ph = HH - HT - HB, half = ph / 2 - 2, y0 = HT + ph / 2;
    const double bw = pw / 101;
    outf("<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s: histogram of pair similarity, "
         "threshold %s\">",
         HW, HH, title[kind], ts);
    /* y grid at powers of ten, both halves */
    for (uint64_t p = 1; p <= max && max; p *= 10) {
        double h = hscale(p, max) * half;
        const char *lab = p >= 1000000000 ? "G" : p >= 1000000 ? "M" : p >= 1000 ? "k" : "";
        unsigned long long v = p >= 1000000000 ? p / 1000000000 : p >= 1000000 ? p / 1000000
                              : p >= 1000 ? p / 1000 : p;
        outf("<line class=\"gr\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
             "<line class=\"gr\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
             "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%llu%s</text>"
             "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%llu%s</text>",
             HL, HL + pw, y0 - h, y0 - h, HL, HL + pw, y0 + h, y0 + h, HL - 5, y0 - h + 4, v, lab,
             HL - 5, y0 + h + 4, v, lab);
        if (p > UINT64_MAX / 10)
            break;
    }
    /* bars */
    for (int b = 0; b <= 100; b++) {
        uint64_t non = all[b] > dup[b] ? all[b] - dup[b] : 0;
        double x = HL + b * bw;
        if (dup[b]) {
            double h = hscale(dup[b], max) * half;
            outf("<rect class=\"hd\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>%.2f: %llu "
                 "duplicate%s</title></rect>",
                 x, y0 - h, bw * 0.85, h, b / 100.0, (unsigned long long)dup[b], dup[b] == 1 ? "" : "s");
        }
        if (non) {
            double h = hscale(non, max) * half;
            outf("<rect class=\"hn\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>%.2f: %llu "
                 "not duplicate%s</title></rect>",
                 x, y0, bw * 0.85, h, b / 100.0, (unsigned long long)non, non == 1 ? "" : "s");
        }
    }
    /* axes and x ticks */
    outf("<line class=\"ax\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", HL, HL + pw, y0, y0);
    outf("<line class=\"ax\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", HL, HL, HT, HT + ph);
    for (int t = 0; t <= 10; t++) {
        double x = HL + t * 10 * bw;
        outf("<line class=\"ax\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
             "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s%.1f</text>",
             x, x, HT + ph, HT + ph + 4, x, HT + ph + 16, "", t / 10.0);
    }
    outf("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">similarity</text>", HL + pw / 2, HH - 4);
    /* the threshold */
    double tx = HL + (th < 0 ? 0 : th > 1.01 ? 1.01 : th) * 100 * bw;
    outf("<line class=\"th\" x1=\"%.2f\" x2=\"%.2f\" y1=\"%.1f\" y2=\"%.1f\"/>", tx, tx, HT - 4, HT + ph);
    if (kind == HANFOLD_PAIR_TINY)
        outf("<text class=\"tl\" x=\"%.2f\" y=\"%.1f\" text-anchor=\"end\">identical only</text>", tx - 4, HT - 8);
    else
        outf("<text class=\"tl\" x=\"%.2f\" y=\"%.1f\" text-anchor=\"%s\">threshold %s</text>",
             th > 0.5 ? tx - 4 : tx + 4, HT - 8, th > 0.5 ? "end" : "start", ts);
    out("</svg>\n");

    /* where the nearest pairs on either side of the threshold are */
    int tb = (int)ceil(th * 100 - 1e-9);
    tb = tb < 0 ? 0 : tb > 100 ? 100 : tb;
    int below = -1, above = -1;
    uint64_t non_above = 0, dup_below = 0;
    for (int b = 0; b <= 100; b++) {
        if (all[b] && b < tb)
            below = b;
        if (all[b] && b >= tb && above < 0)
            above = b;
        if (b >= tb)
            non_above += all[b] > dup[b] ? all[b] - dup[b] : 0;
        else
            dup_below += dup[b];
    }
    out("<p class=\"gap\">");
    if (kind == HANFOLD_PAIR_TINY) {
        out_num(ndup);
        out(" identical, ");
        out_num(total > ndup ? total - ndup : 0);
        out(" different.");
    } else if (below >= 0 && above >= 0) {
        outf("Nearest pairs: %.2f below the threshold, %.2f at or above it", below / 100.0, above / 100.0);
        if (above - below > 1)
            outf(" &mdash; the threshold sits in a gap: no pair compared between %.2f and %.2f.",
                 (below + 1) / 100.0, above / 100.0);
        else
            out(" &mdash; no gap around the threshold at this resolution.");
    } else if (above >= 0) {
        outf("Every pair compared is at or above the threshold (lowest %.2f).", above / 100.0);
    } else if (below >= 0) {
        outf("Every pair compared is below the threshold (highest %.2f).", below / 100.0);
    }
    if (kind != HANFOLD_PAIR_TINY && non_above) {
        out(" ");
        out_num(non_above);
        out(non_above == 1 ? " pair at or above the threshold was not confirmed"
                           : " pairs at or above the threshold were not confirmed");
        out(kind == HANFOLD_PAIR_SHORT ? " (their numbers differ)." : ".");
    }
    if (dup_below) {
        out(" ");
        out_num(dup_below);
        out(" duplicates below the threshold.");
    }
    out("</p></figure>\n");
}

static void histograms(const hf_report_data *d)
{
    out("<section id=\"pairs\">\n<h2>Similarity of the compared pairs</h2>\n"
        "<p class=\"legend\">Every candidate pair the clusterer verified, by the measure it was judged by, "
        "with the threshold marked: a threshold in an empty stretch separates duplicates from "
        "different texts cleanly.</p>\n");
    bool any = false;
    for (int k = 0; k < 4; k++) {
        uint64_t t = 0;
        for (int b = 0; b <= 100; b++)
            t += d->pairs[k][b];
        if (t) {
            histogram_panel(d, k);
            any = true;
        }
    }
    if (!any)
        out("<p class=\"note\">No candidate pairs were compared.</p>\n");
    out("</section>\n");
}

/* ---- clusters ----------------------------------------------------------------------------- */

/* A text, escaped, at most REP_SHOW_MAX bytes of it. */
static void text_body(const char *t, size_t len)
{
    size_t show = len;
    if (show > REP_SHOW_MAX)
        show = u8prefix(t, len, REP_SHOW_MAX / 3);
    esc(t, show);
    if (show < len) {
        out("<span class=\"skip\">&hellip; ");
        out_bytes(len - show);
        out(" more not shown</span>");
    }
}

static void who(const hf_report_member *x, bool show_source)
{
    out("<bdi class=\"id\">");
    esc_str(x->id);
    out("</bdi>");
    if (show_source) {
        out("<bdi class=\"src\">");
        esc_str(x->source);
        out("</bdi>");
    }
    out("<span class=\"by\">");
    out_bytes(x->bytes);
    out("</span>");
}

static void rep_block(const hf_report_member *r, const char *lang)
{
    size_t cps = u8count(r->text, r->text_len);
    out("<div class=\"rep\"><span class=\"who\"><span class=\"badge\">representative</span>");
    who(r, r->source && r->id && strcmp(r->source, r->id));
    out("</span>");
    if (cps > OPEN_MAX) {
        outf("<p class=\"preview\" lang=\"%s\">", lang);
        esc(r->text, u8prefix(r->text, r->text_len, PREVIEW));
        out("&hellip;</p>");
    }
    out(cps > OPEN_MAX ? "<details class=\"txt\">" : "<details class=\"txt\" open>");
    out("<summary>Normalized text &middot; ");
    out_num(cps);
    outf(" characters</summary><div class=\"body\" lang=\"%s\">", lang);
    text_body(r->text, r->text_len);
    out("</div></details></div>");
}

/* An equal run A[a0..a1) of the diff: whole, or its ends around a marker. */
static void eq_run(const units *A, size_t a0, size_t a1, bool first, bool last, bool elide)
{
    size_t len = a1 - a0, head = first ? 0 : CONTEXT, tail = last ? 0 : CONTEXT;
    if (!elide || len <= head + tail + 40) {
        esc(A->text + A->off[a0], A->off[a1] - A->off[a0]);
        return;
    }
    esc(A->text + A->off[a0], A->off[a0 + head] - A->off[a0]);
    out("<span class=\"skip\">&#8943; ");
    out_num(len - head - tail);
    out(" characters as in the representative &#8943;</span>");
    esc(A->text + A->off[a1 - tail], A->off[a1] - A->off[a1 - tail]);
}

/* A deleted run: whole, or (long documents) its ends around a marker: the
 * representative above has it all. */
static void del_run(const units *A, size_t a0, size_t a1, bool elide)
{
    size_t len = a1 - a0;
    if (!elide || len <= 2 * CONTEXT + 40) {
        esc(A->text + A->off[a0], A->off[a1] - A->off[a0]);
        return;
    }
    esc(A->text + A->off[a0], A->off[a0 + CONTEXT] - A->off[a0]);
    out("<span class=\"skip\">&#8943; ");
    out_num(len - 2 * CONTEXT);
    out(" more characters of the representative deleted &#8943;</span>");
    esc(A->text + A->off[a1 - CONTEXT], A->off[a1] - A->off[a1 - CONTEXT]);
}

/* One member against the representative (already decoded in A). */
static void member(const hf_report_member *r, const units *A, bool a_ok, const hf_report_member *x,
                   const char *lang)
{
    bool same = x->text_len == r->text_len && !memcmp(x->text, r->text, x->text_len);
    bool show_source = x->source && x->id && strcmp(x->source, x->id);
    out("<li>");
    if (same) {
        out("<span class=\"who\">");
        outf("<span class=\"sim\">similarity <b>%.3f</b> (%s)</span>", x->similarity, x->measure);
        who(x, show_source);
        out("<span class=\"same\">same normalized text as the representative</span></span></li>");
        return;
    }
    units B = {0};
    edits s = {0};
    bool ok = a_ok && x->text_len <= DIFF_MAX_BYTES && !units_decode(&B, x->text, x->text_len) &&
              !diff_texts(A, &B, &s);
    size_t shown = 0;
    if (ok)
        for (size_t i = 0; i < s.n; i++)
            shown += s.v[i].eq ? s.v[i].a1 - s.v[i].a0 : (s.v[i].a1 - s.v[i].a0) + (s.v[i].b1 - s.v[i].b0);
    bool elide = shown > FULL_DIFF_MAX;
    size_t visible = shown;
    if (ok && elide) {
        visible = 0;
        for (size_t i = 0; i < s.n; i++) {
            const op *o = &s.v[i];
            size_t l = o->a1 - o->a0;
            visible += (l <= 2 * CONTEXT + 40 ? l : 2 * CONTEXT) + (o->eq ? 0 : o->b1 - o->b0);
        }
    }
    out(visible > OPEN_MAX || !ok ? "<details>" : "<details open>");
    out("<summary><span class=\"who\">");
    outf("<span class=\"sim\">similarity <b>%.3f</b> (%s)</span>", x->similarity, x->measure);
    who(x, show_source);
    if (ok) {
        out("<span class=\"chg\"><span class=\"ni\">+");
        out_num(s.ins);
        out("</span> <span class=\"nd\">&minus;");
        out_num(s.del);
        out("</span> characters</span>");
    }
    out("</span></summary>");
    if (ok) {
        outf("<div class=\"diff\" lang=\"%s\">", lang);
        for (size_t i = 0; i < s.n; i++) {
            const op *o = &s.v[i];
            if (o->eq) {
                eq_run(A, o->a0, o->a1, i == 0, i + 1 == s.n, elide);
                continue;
            }
            if (o->a1 > o->a0) {
                out("<del>");
                del_run(A, o->a0, o->a1, elide);
                out("</del>");
            }
            if (o->b1 > o->b0) {
                out("<ins>");
                esc(B.text + B.off[o->b0], B.off[o->b1] - B.off[o->b0]);
                out("</ins>");
            }
        }
        out("</div>");
        if (s.approx)
            out("<p class=\"note\">Large difference: parts of this diff are coarse (whole passages "
                "marked replaced).</p>");
    } else {
        out("<p class=\"note\">Too long to compare here; its normalized text:</p>");
        outf("<div class=\"body\" lang=\"%s\">", lang);
        text_body(x->text, x->text_len);
        out("</div>");
    }
    out("</details></li>");
    free(s.v);
    units_free(&B);
}

static void cluster(const hf_report_cluster *c, size_t rank, const char *lang)
{
    const hf_report_member *r = &c->members[0];
    outf("<section class=\"cl\" id=\"c%zu\"><h3><a href=\"#c%zu\">#%zu</a><span class=\"meta\">", rank, rank, rank);
    out_num(c->n);
    out(" records &middot; ");
    out_bytes(c->bytes);
    out("</span></h3>");
    rep_block(r, lang);
    units A = {0};
    bool a_ok = r->text_len <= DIFF_MAX_BYTES && !units_decode(&A, r->text, r->text_len);
    out("<ol class=\"ms\">");
    for (size_t m = 1; m < c->n; m++) {
        if (m == MEMBERS_SHOWN + 1 && c->n > MEMBERS_SHOWN + 2) {
            out("</ol><details class=\"more\"><summary>");
            out_num(c->n - m);
            out(" more members</summary><ol class=\"ms\">");
        }
        member(r, &A, a_ok, &c->members[m], lang);
    }
    out(c->n > MEMBERS_SHOWN + 2 ? "</ol></details>" : "</ol>");
    out("</section>\n");
    units_free(&A);
}

void hf_report_html(const hf_report_data *d)
{
    const char *lang = lang_of(d);
    head(d);
    summary(d);
    histograms(d);
    outf("<section id=\"clusters\" data-count=\"%zu\">\n<h2>Clusters, largest first</h2>\n", d->ngroups);
    out("<p class=\"legend\">Each member is compared with its cluster's representative, character by "
        "character on the normalized text: <del>deleted</del> from the representative, <ins>inserted</ins> in "
        "the member.  Similarity is to the record the member matched.</p>\n"
        "<div id=\"filterbar\" hidden><input id=\"q\" type=\"search\" placeholder=\"Filter clusters by id, "
        "source or text (press /)\" aria-label=\"Filter clusters\" autocomplete=\"off\" spellcheck=\"false\">"
        "<span id=\"shown\" aria-live=\"polite\"></span></div>\n");
    if (!d->ngroups)
        out("<p class=\"note\">No near-duplicates: every record is a cluster of its own.</p>\n");
    for (size_t g = 0; g < d->ngroups; g++)
        cluster(&d->groups[g], g + 1, lang);
    out("</section>\n<footer>Generated by hanfold ");
    esc_str(d->version);
    out(" (");
    esc_str(d->schema);
    out("). Self-contained: no network access, no external files.</footer>\n</main>\n<script>");
    out(script);
    out("</script>\n</body>\n</html>\n");
}
