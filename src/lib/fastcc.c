/* Fast OpenCC conversion: libopencc 1.1.6's algorithm on compiled-in tables.
 *
 * What OpenCC 1.1.6 does (Converter, MaxMatchSegmentation, Conversion,
 * DictGroup, MarisaDict), and so what this file does:
 *  1. Segmentation: from each position, the longest key of the segmentation
 *     dictionary that is a prefix of the rest of the text becomes a segment
 *     of its own; characters where no key starts are gathered into one
 *     segment until the next match.  Only the segment boundaries matter.
 *  2. Each conversion of the chain rewrites every segment separately (a match
 *     never crosses a boundary), the next conversion working on the result:
 *     from each position, the dictionary's longest key that is a prefix of
 *     the rest of the segment is replaced by the entry's first value; a
 *     character no key starts with is copied.
 *  3. A group of dictionaries takes the longest match of the FIRST dictionary
 *     that has any match at that position, not the longest across them.
 *  4. Text ends at a NUL byte (the C API copies the input with strncpy).
 * Keys and values come from the installed dictionaries via data/gen-fastcc.py
 * (one double-array trie over character ids for all of them).
 *
 * Speed (tests/bench/bench_convert.c) comes from:
 *  - filters that answer most lookups without touching the 1.7 MB trie: a
 *    bitmap per pass of the BMP characters that start a key (8 KB), and a
 *    Bloom filter of the first two characters of all keys (64 KB);
 *  - a shortcut that changes no result: when the first dictionary of the
 *    first conversion is the segmentation dictionary (t2s, s2t and most
 *    configs), that dictionary cannot match inside an unmatched segment
 *    (segmentation found no key at any of its positions, even with the whole
 *    text after it), and it converts a matched segment, which is one of its
 *    keys, into that key's value;
 *  - then, when the rest of that first conversion holds single characters,
 *    segmentation and the first conversion in one pass (convert_fused);
 *  - the same when the segmentation dictionary leads the last conversion
 *    (tw2s, hk2s, tw2sp: variants first, then TSPhrases + TSCharacters),
 *    where the conversions before it leave the text alone (none of their
 *    keys starts there); elsewhere the whole chain runs on a window around
 *    the place, from and to a cut: a place no key of the chain can span
 *    (the character after it is in no key but as the first character, and
 *    starts no key of the conversions before), so the chain on the window
 *    gives what it gives there on the whole segment. */
#include "fastcc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HF_FCC_MAXCHAIN 8
#define HF_FCC_MAXGROUP 8
#define HF_FCC_BIGRAM_BITS 19

struct hf_fcc_node {
    int32_t base;   /* children at base + id; 0 for a leaf */
    int32_t check;  /* parent slot; -1 for roots and free slots */
    uint32_t val;   /* see below; 0 when no key ends here */
};

/* val: offset << 10 | length << 2 | identity << 1 | 1 */
#define VAL_LEN(v) (((v) >> 2) & 0xFF)
#define VAL_OFF(v) ((v) >> 10)
#define VAL_IDENTITY(v) ((v) & 2)

struct hf_fcc_step {
    int n;                          /* dictionaries in the group */
    int32_t root[HF_FCC_MAXGROUP];  /* in priority order */
    uint32_t bit[HF_FCC_MAXGROUP];  /* their bits in hf_fcc_first[] */
    uint8_t single[HF_FCC_MAXGROUP]; /* 1: all keys are one character */
};

struct hf_fcc_config {
    const char *name;
    int32_t seg;                    /* root of the segmentation dictionary */
    uint32_t segbit;
    int nconv;
    struct hf_fcc_step conv[HF_FCC_MAXCHAIN];
};

#include "fastcc-data.h"

_Static_assert(HF_FCC_GEN_MAXCHAIN == HF_FCC_MAXCHAIN && HF_FCC_GEN_MAXGROUP == HF_FCC_MAXGROUP &&
               HF_FCC_GEN_BIGRAM_BITS == HF_FCC_BIGRAM_BITS,
               "data/gen-fastcc.py and fastcc.c disagree on the table layout");

/* Bit of the pair (first character, second character) in hf_fcc_bigram; the
 * same function as in data/gen-fastcc.py. */
static inline bool bigram_maybe(uint32_t a, uint32_t b)
{
    uint32_t h = ((a * 0x9E3779B1u) ^ (b * 0x85EBCA77u)) >> (32 - HF_FCC_BIGRAM_BITS);
    return hf_fcc_bigram[h >> 3] >> (h & 7) & 1;
}

/* Which characters can start a match, for one pass over the text: a bit
 * per BMP code point (8 KB, stays in L1 cache), so that the many characters
 * that start no key cost a decode and one bit test; other code points go
 * through hf_fcc_first[]. */
struct hf_fcc_filter {
    uint64_t bmp[0x10000 / 64];
    uint32_t mask; /* bits of the pass's dictionaries in hf_fcc_first[] */
};

struct hf_fastcc {
    const struct hf_fcc_config *cfg;
    int first0;                     /* dictionaries of step 0 to skip: 1 with the shortcut */
    int fused;                      /* -1, or the step convert_fused() does with segmentation */
    uint32_t inner;                 /* the dictionaries of the steps up to it */
    uint32_t multi1;                /* with it 1: step 1's dictionaries of longer keys */
    struct hf_fcc_filter *filter;   /* [0] segmentation, [1 + i] step i, then for
                                     * convert_fused(): [1 + nconv] the steps before
                                     * the fused one, [2 + nconv] the fused step
                                     * without its segmentation dictionary,
                                     * [3 + nconv] the characters no cut is before */
    hf_buf tmp[3];                  /* [0], [1]: results between the steps of a chain;
                                     * [2]: the fused step's result for a segment
                                     * in convert_fused() */
};

const char *hf_fastcc_config(size_t i)
{
    return i < HF_FCC_NCONFIGS ? hf_fcc_configs[i].name : NULL;
}

#define BAD_CP 0xFFFFFFFFu

/* The code point at p and its length.  Input is valid UTF-8 by contract;
 * anything else is taken one byte at a time as BAD_CP (in no key), so it is
 * copied through and nothing is read past e. */
static inline uint32_t decode(const uint8_t *p, const uint8_t *e, size_t *len)
{
    uint32_t b = p[0];
    if (b >= 0xE0 && b < 0xF0 && e - p >= 3) {
        *len = 3;
        return (b & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    }
    if (b < 0x80) {
        *len = 1;
        return b;
    }
    if (b >= 0xC0 && b < 0xE0 && e - p >= 2) {
        *len = 2;
        return (b & 0x1F) << 6 | (p[1] & 0x3F);
    }
    if (b >= 0xF0 && b < 0xF8 && e - p >= 4) {
        *len = 4;
        return (b & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 |
               (p[3] & 0x3F);
    }
    *len = 1;
    return BAD_CP;
}

/* Character id: 0 for a code point in no key. */
static inline uint32_t cp_id(uint32_t cp)
{
    return cp < HF_FCC_ALPHA_LIMIT ? hf_fcc_alpha_lo[hf_fcc_alpha_hi[cp >> 6] * 64u + (cp & 63)] : 0;
}

/* True when a key of the filter's dictionaries may start with cp; then *id
 * is its character id. */
static inline bool may_start(const struct hf_fcc_filter *fl, uint32_t cp, uint32_t *id)
{
    if (cp < 0x10000 && !(fl->bmp[cp >> 6] >> (cp & 63) & 1))
        return false;
    *id = cp_id(cp);
    return hf_fcc_first[*id] & fl->mask;
}

/* No cut is before a character that a key of the dictionaries in inner has
 * in a place other than the first, or that a key of those in first starts
 * with. */
static bool blocks_cut(uint32_t cp, uint32_t first, uint32_t inner)
{
    uint32_t id = cp_id(cp);
    return (hf_fcc_first[id] & first) || (hf_fcc_inner[id] & inner);
}

static void filter_init(struct hf_fcc_filter *fl, uint32_t mask)
{
    fl->mask = mask;
    for (uint32_t cp = 0; cp < 0x10000; cp++)
        if (hf_fcc_first[cp_id(cp)] & mask)
            fl->bmp[cp >> 6] |= (uint64_t)1 << (cp & 63);
}

int hf_fastcc_open(hf_fastcc **out, const char *name)
{
    *out = NULL;
    size_t l = strlen(name);
    if (l > 5 && !strcmp(name + l - 5, ".json"))
        l -= 5;
    const struct hf_fcc_config *c = NULL;
    for (size_t i = 0; i < HF_FCC_NCONFIGS && !c; i++)
        if (strlen(hf_fcc_configs[i].name) == l && !memcmp(hf_fcc_configs[i].name, name, l))
            c = &hf_fcc_configs[i];
    if (!c)
        return -ENOENT;
    hf_fastcc *f = calloc(1, sizeof *f);
    if (!f || !(f->filter = calloc(4 + (size_t)c->nconv, sizeof *f->filter))) {
        free(f);
        return -ENOMEM;
    }
    f->cfg = c;
    f->first0 = c->nconv > 0 && c->conv[0].root[0] == c->seg;
    /* the first step led by the segmentation dictionary, if the rest of it
     * holds single characters and it is the first or the last step (the
     * cuts of convert_fused() are of the steps up to it) */
    f->fused = -1;
    for (int i = 0; i < c->nconv; i++) {
        if (c->conv[i].root[0] != c->seg)
            continue;
        bool single = i == 0 || i == c->nconv - 1;
        for (int k = 1; k < c->conv[i].n; k++)
            single = single && c->conv[i].single[k];
        f->fused = single ? i : -1;
        break;
    }
    filter_init(&f->filter[0], c->segbit);
    uint32_t before = 0;
    for (int i = 0; i < c->nconv; i++) {
        uint32_t mask = 0;
        for (int k = i ? 0 : f->first0; k < c->conv[i].n; k++)
            mask |= c->conv[i].bit[k];
        filter_init(&f->filter[1 + i], mask);
        if (i < f->fused)
            before |= mask;
    }
    if (f->fused >= 0) {
        const struct hf_fcc_step *st = &c->conv[f->fused];
        uint32_t rest = 0;
        for (int k = 1; k < st->n; k++)
            rest |= st->bit[k];
        filter_init(&f->filter[1 + c->nconv], before);
        filter_init(&f->filter[2 + c->nconv], rest);
        if (f->fused > 0) {
            for (int i = 0; i <= f->fused; i++)
                for (int k = 0; k < c->conv[i].n; k++)
                    f->inner |= c->conv[i].bit[k];
            for (int k = 0; k < c->conv[f->fused].n; k++)
                if (!c->conv[f->fused].single[k])
                    f->multi1 |= c->conv[f->fused].bit[k];
            struct hf_fcc_filter *bl = &f->filter[3 + c->nconv];
            for (uint32_t cp = 0; cp < 0x10000; cp++)
                if (blocks_cut(cp, before, f->inner))
                    bl->bmp[cp >> 6] |= (uint64_t)1 << (cp & 63);
        }
    }
    *out = f;
    return 0;
}

void hf_fastcc_close(hf_fastcc **f)
{
    if (!f || !*f)
        return;
    for (int i = 0; i < 3; i++)
        hf_buf_free(&(*f)->tmp[i]);
    free((*f)->filter);
    free(*f);
    *f = NULL;
}

/* Longest key of the dictionary at root that is a prefix of the text whose
 * first character has id c0 and whose rest is [p, e): returns its val (0 for
 * none) and sets *end past the key.  The walk stops where the trie has no
 * child, so it costs one step per character of the longest candidate. */
static inline __attribute__((always_inline)) uint32_t longest(int32_t root, uint32_t c0, const uint8_t *p, const uint8_t *e,
                               const uint8_t **end)
{
    const struct hf_fcc_node *da = hf_fcc_da;
    int32_t s = da[root].base + (int32_t)c0;
    if (da[s].check != root)
        return 0;
    uint32_t best = da[s].val;
    *end = p;
    bool second = true;
    while (da[s].base && p < e) {
        size_t l;
        uint32_t c = cp_id(decode(p, e, &l));
        if (!c || (second && !bigram_maybe(c0, c)))
            break;
        second = false;
        int32_t t = da[s].base + (int32_t)c;
        if (da[t].check != s)
            break;
        s = t;
        p += l;
        if (da[s].val) {
            best = da[s].val;
            *end = p;
        }
    }
    return best;
}

/* The match of step st's group at a character with id c0 followed by
 * [p, e): the longest key of the first of its dictionaries from `from` on
 * that has any (OpenCC's DictGroup).  Its val, *end past it; 0 for none. */
static inline __attribute__((always_inline)) uint32_t group_longest(const struct hf_fcc_step *st, int from,
                                                                    uint32_t c0, const uint8_t *p,
                                                                    const uint8_t *e, const uint8_t **end)
{
    uint32_t starts = hf_fcc_first[c0];
    for (int k = from; k < st->n; k++) {
        if (!(starts & st->bit[k]))
            continue;
        uint32_t v = longest(st->root[k], c0, p, e, end);
        if (v)
            return v;
    }
    return 0;
}

/* Appends n bytes, keeping room for the over-copy of put_val. */
static inline int put(hf_buf *b, const void *s, size_t n)
{
    if (n + 32 >= b->cap - b->len && hf_buf_reserve(b, n + 32))
        return -ENOMEM;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return 0;
}

/* Appends the value of a match of [key, end).  Values are short (mostly one
 * character): a fixed 16-byte copy from the zero-padded pool beats a memcpy
 * call, and put() always leaves that much room. */
static inline int put_val(hf_buf *b, uint32_t v, const uint8_t *key, const uint8_t *end)
{
    if (VAL_IDENTITY(v))
        return put(b, key, (size_t)(end - key));
    size_t n = VAL_LEN(v);
    const char *s = hf_fcc_pool + VAL_OFF(v);
    if (n > 16 || 32 >= b->cap - b->len)
        return put(b, s, n);
    memcpy(b->p + b->len, s, 16);
    b->len += n;
    return 0;
}

/* Step i of the chain on the segment [p, e), appended to out. */
static int convert_step(const hf_fastcc *f, int i, const uint8_t *p, const uint8_t *e, hf_buf *out)
{
    const struct hf_fcc_step *st = &f->cfg->conv[i];
    const struct hf_fcc_filter *fl = &f->filter[1 + i];
    const int first = i ? 0 : f->first0;
    const uint8_t *run = p; /* start of the characters copied unchanged */
    while (p < e) {
        size_t l;
        uint32_t id, cp = decode(p, e, &l);
        if (may_start(fl, cp, &id)) {
            const uint8_t *end;
            uint32_t v = group_longest(st, first, id, p + l, e, &end);
            if (v) {
                if ((run < p && put(out, run, (size_t)(p - run))) || put_val(out, v, p, end))
                    return -ENOMEM;
                p = run = end;
                continue;
            }
        }
        p += l;
    }
    return run < p ? put(out, run, (size_t)(p - run)) : 0;
}

/* Steps from..nconv-1 of the chain on one segment [p, e), appended to out. */
static int chain(hf_fastcc *f, int from, const uint8_t *p, const uint8_t *e, hf_buf *out)
{
    const int n = f->cfg->nconv;
    if (from >= n)
        return put(out, p, (size_t)(e - p));
    if (from == n - 1)
        return convert_step(f, from, p, e, out);
    hf_buf *src = &f->tmp[0];
    hf_buf_clear(src);
    if (convert_step(f, from, p, e, src))
        return -ENOMEM;
    for (int i = from + 1; i < n; i++) {
        hf_buf *dst = i == n - 1 ? out : &f->tmp[(i - from) & 1];
        if (dst != out)
            hf_buf_clear(dst);
        if (convert_step(f, i, (const uint8_t *)src->p, (const uint8_t *)src->p + src->len, dst))
            return -ENOMEM;
        src = dst;
    }
    return 0;
}

/* Does the filter let any character of [p, e) start a match? */
static bool any_start(const struct hf_fcc_filter *fl, const uint8_t *p, const uint8_t *e)
{
    while (p < e) {
        size_t l;
        uint32_t id, cp = decode(p, e, &l);
        if (may_start(fl, cp, &id))
            return true;
        p += l;
    }
    return false;
}

/* A matched segment [p, end), v its value in the segmentation dictionary,
 * which leads step k: when the steps before k leave the segment alone (none
 * of their keys starts in it), step k's longest match from its start is the
 * whole segment, so v is the result of step k. */
static int chain_key(hf_fastcc *f, int k, uint32_t v, const uint8_t *p, const uint8_t *end,
                     hf_buf *out)
{
    if (k > 0 && any_start(&f->filter[1 + f->cfg->nconv], p, end))
        return chain(f, 0, p, end, out);
    if (VAL_IDENTITY(v))
        return chain(f, k + 1, p, end, out);
    const uint8_t *s = (const uint8_t *)hf_fcc_pool + VAL_OFF(v);
    return chain(f, k + 1, s, s + VAL_LEN(v), out);
}

static int convert(hf_fastcc *f, const uint8_t *p, const uint8_t *e, hf_buf *out)
{
    const int32_t seg = f->cfg->seg;
    const struct hf_fcc_filter *fl = &f->filter[0];
    const uint8_t *run = p; /* start of the current unmatched segment */
    while (p < e) {
        size_t l;
        uint32_t id, cp = decode(p, e, &l);
        if (may_start(fl, cp, &id)) {
            const uint8_t *end;
            uint32_t v = longest(seg, id, p + l, e, &end);
            if (v) {
                if ((run < p && chain(f, 0, run, p, out)) ||
                    (f->first0 ? chain_key(f, 0, v, p, end, out) : chain(f, 0, p, end, out)))
                    return -ENOMEM;
                p = run = end;
                continue;
            }
        }
        p += l;
    }
    return run < p ? chain(f, 0, run, p, out) : 0;
}

/* For convert_fused() with k = 1, at a character c0 ([p, p + l)) where a
 * key of step 0 may start: 0 when none is a prefix of the text from there
 * (then none is within the segment either); 1 when one is and a window is
 * needed; 2 when the match is the character alone and the characters it
 * writes are in no key of step 1's dictionaries of several characters:
 * then step 1 can only take them one by one, and both steps' result is
 * appended to acc after the bytes from *copy, which moves past c0 (in a
 * piece between cuts, step 0 matches only at such characters, so step 1
 * cannot match a longer key over them, nor elsewhere: what it would match
 * was in the text before step 0, where segmentation found nothing).
 * -ENOMEM. */
static int step0_at(hf_fastcc *f, uint32_t c0, const uint8_t *p, size_t l, const uint8_t *e, hf_buf *acc,
                    const uint8_t **copy)
{
    const struct hf_fcc_step *s0 = &f->cfg->conv[0], *s1 = &f->cfg->conv[1];
    const uint8_t *end, *w, *we, *q;
    size_t ql;
    uint32_t v = group_longest(s0, 0, c0, p + l, e, &end);
    if (!v)
        return 0;
    if (end != p + l)
        return 1;
    w = VAL_IDENTITY(v) ? p : (const uint8_t *)hf_fcc_pool + VAL_OFF(v);
    we = w + (VAL_IDENTITY(v) ? l : VAL_LEN(v));
    for (q = w; q < we; q += ql) {
        uint32_t id = cp_id(decode(q, we, &ql));
        if ((hf_fcc_first[id] | hf_fcc_inner[id]) & f->multi1)
            return 1;
    }
    if (*copy < p && put(acc, *copy, (size_t)(p - *copy)))
        return -ENOMEM;
    for (q = w; q < we; q += ql) {
        uint32_t id = cp_id(decode(q, we, &ql));
        uint32_t v1 = group_longest(s1, 1, id, q + ql, we, &end);
        if (v1 ? put_val(acc, v1, q, end) : put(acc, q, ql))
            return -ENOMEM;
    }
    *copy = p + l;
    return 2;
}

/* Ends an unmatched segment in convert_fused(): step k made acc and
 * [copy, p); the rest of the chain follows. */
static int flush(hf_fastcc *f, hf_buf *acc, const uint8_t *copy, const uint8_t *p, hf_buf *out)
{
    if (copy < p && put(acc, copy, (size_t)(p - copy)))
        return -ENOMEM;
    if (acc == out || !acc->len)
        return 0;
    int r = chain(f, f->fused + 1, (const uint8_t *)acc->p, (const uint8_t *)acc->p + acc->len, out);
    hf_buf_clear(acc);
    return r;
}

/* convert() in one pass, when the segmentation dictionary leads step k of
 * the chain and the other dictionaries of step k hold single characters:
 * t2s, s2t and most configs with k = 0, tw2s, hk2s and tw2sp with k = 1,
 * the last step.  In an unmatched segment, step k's segmentation dictionary
 * matches nowhere that the steps before k leave alone (segmentation found no
 * key at any of its positions, even with the whole text after it), and its
 * other dictionaries need no look-ahead, so step k is done as segmentation
 * goes, not in a second pass once the segment's end is known; steps after k
 * run per segment.
 *
 * With k > 0, where a key of a step before k may start (with k = 1: where
 * one is a prefix of the rest of the text, and it is not one character
 * that step0_at() can take), the whole chain
 * runs on a window from the last cut before that character to the next cut
 * after it (or the segment's ends).  A cut is a place before a character
 * that starts no key of the steps before k and is in no key of the steps up
 * to k but as the first character: no key of those steps can span it
 * (step k reads what the steps before it wrote, but they wrote nothing over
 * the place: no key of theirs spans it, and the character after it is their
 * input's), so the chain on the segment is the chain on its pieces between
 * cuts, and on a piece where no key of a step before k starts, that is step
 * k alone, character by character.
 *
 * k0 is f->fused, a constant where the caller knows it: the loop for k = 0
 * (most configs) then has none of the window's work. */
static inline __attribute__((always_inline)) int convert_fused(hf_fastcc *f, const int k0, const uint8_t *p,
                                                               const uint8_t *e, hf_buf *out)
{
    const struct hf_fcc_config *c = f->cfg;
    const struct hf_fcc_step *st = &c->conv[k0];
    const struct hf_fcc_filter *sfl = &f->filter[0], *pfl = &f->filter[1 + c->nconv],
                               *cfl = &f->filter[2 + c->nconv], *bfl = &f->filter[3 + c->nconv];
    hf_buf *acc = c->nconv == k0 + 1 ? out : &f->tmp[2]; /* step k of the current segment */
    const uint8_t *copy = p; /* start of the bytes step k leaves unchanged, not yet in acc */
    if (acc != out)
        hf_buf_clear(acc);
    /* with k > 0 (then acc is out): the last cut and the length of out
     * there, and the start of the window being read, if any */
    const uint8_t *cut = p, *win = NULL;
    size_t cutlen = acc->len;
    while (p < e) {
        size_t l;
        uint32_t id, cp = decode(p, e, &l);
        if (may_start(sfl, cp, &id)) {
            const uint8_t *end;
            uint32_t v = longest(c->seg, id, p + l, e, &end);
            if (v) {
                if ((win ? chain(f, 0, win, p, out) : flush(f, acc, copy, p, out)) ||
                    chain_key(f, k0, v, p, end, out))
                    return -ENOMEM;
                p = copy = cut = end;
                win = NULL;
                cutlen = acc->len;
                continue;
            }
        }
        if (k0 > 0) {
            bool block = cp < 0x10000 ? bfl->bmp[cp >> 6] >> (cp & 63) & 1
                                      : blocks_cut(cp, pfl->mask, f->inner);
            if (win) {
                if (block) {
                    p += l;
                    continue;
                }
                /* a cut: the window ends */
                if (chain(f, 0, win, p, out))
                    return -ENOMEM;
                win = NULL;
                copy = p;
            }
            if (!block) {
                cut = p;
                cutlen = acc->len + (size_t)(p - copy);
            } else if (may_start(pfl, cp, &id)) {
                int r = k0 == 1 ? step0_at(f, id, p, l, e, acc, &copy) : 1;
                if (r < 0)
                    return r;
                if (r == 2) {
                    p += l;
                    continue;
                }
                if (r == 1) {
                    /* out back to the last cut, and a window from there */
                    if (copy < cut && put(acc, copy, (size_t)(cut - copy)))
                        return -ENOMEM;
                    acc->len = cutlen;
                    win = cut;
                    p += l;
                    continue;
                }
            }
        }
        if (may_start(cfl, cp, &id)) {
            const uint8_t *end;
            uint32_t v = group_longest(st, 1, id, p + l, e, &end);
            if (v) {
                if ((copy < p && put(acc, copy, (size_t)(p - copy))) || put_val(acc, v, p, end))
                    return -ENOMEM;
                copy = end;
            }
        }
        p += l;
    }
    return win ? chain(f, 0, win, p, out) : flush(f, acc, copy, p, out);
}

static __attribute__((noinline)) int convert_fused0(hf_fastcc *f, const uint8_t *p, const uint8_t *e, hf_buf *out)
{
    return convert_fused(f, 0, p, e, out);
}

static __attribute__((noinline)) int convert_fused_k(hf_fastcc *f, const uint8_t *p, const uint8_t *e, hf_buf *out)
{
    return convert_fused(f, f->fused, p, e, out);
}

int hf_fastcc_convert(hf_fastcc *f, const char *in, size_t n, hf_buf *out)
{
    if (n == 0)
        return 0;
    const char *nul = memchr(in, '\0', n);
    if (nul)
        n = (size_t)(nul - in);
    size_t old = out->len;
    /* one reservation up front: most text converts to about its own size */
    if (hf_buf_reserve(out, n + n / 8 + 64))
        return -ENOMEM;
    const uint8_t *p = (const uint8_t *)in;
    int r = f->fused == 0  ? convert_fused0(f, p, p + n, out)
            : f->fused > 0 ? convert_fused_k(f, p, p + n, out)
                           : convert(f, p, p + n, out);
    if (r) {
        out->len = old;
        out->p[old] = '\0';
        return -ENOMEM;
    }
    out->p[out->len] = '\0';
    return 0;
}
