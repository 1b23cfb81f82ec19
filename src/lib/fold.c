/* fold stage: the dedup key.
 *
 * The key keeps what identifies a text across scripts and typography: letters
 * and digits, lower-cased, each character replaced by the representative of
 * its variant class, and regional vocabulary (软件/軟體, 程序/程式) replaced by
 * the representative of its phrase class.  Both class tables are the
 * connected components of OpenCC's own conversion dictionaries (generated
 * by data/gen-tables.py), so whatever script conversion did or did not do to
 * a character, both scripts land on one key. */
#include "stages.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>

#include "fingerprint.h"
#include "tables.h"
#include "unicode.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Dense tables for the Basic Multilingual Plane, built once from the sorted
 * generated tables: a binary search per character was the largest cost of
 * the key.  Other planes fall back to the search. */
static uint32_t fold_bmp[0x10000];
static uint8_t phrase_first_bmp[0x10000];
static uint8_t phrase_len[N_ELEMS(hf_fold_phrases)];

/* Fast path tables: the whole of pass 1 for a BMP character, and the exact
 * set of the first two characters of every phrase of two or more
 * characters, which pass 2 needs before any phrase can match.  key_bmp:
 * the folded code point in the low 21 bits, and flags. */
#define KEY_CP 0x1FFFFFu
#define KEY_TRAD 0x00200000u   /* traditional-only (hf_script_class() 1) */
#define KEY_UNSAFE 0x00400000u /* in hf_key_unsafe[]: the conversion to
                                * simplified may fold it otherwise */
#define KEY_FURN 0x00800000u  /* ／ ２ Ｏ ［: furniture may start here (HF_SEEN_WIDE) */
#define KEY_PAREN 0x04000000u /* U+FF08 (dropped; can open a reading) */
#define KEY_FAST3 0x08000000u /* none of DROP and ATTN, and the folded
                               * character is U+0800..U+FFFF (three bytes) */
#define KEY_SUSPECT 0x10000000u /* hf_repair_mojibake_suspect() */
#define KEY_DROP 0x20000000u   /* not kept */
#define KEY_PHRASE 0x40000000u /* the folded character starts a phrase of 2+ */
#define KEY_ATTN 0x80000000u   /* hf_fold_key_direct() must not take the
                                * character as it is: the unicode stage
                                * could change it (see stages.h) */
#define PAIR_BITS 12
/* Pass 1 for ASCII: the byte written (letters lower-cased), 0 for none,
 * ASCII_INVISIBLE for a control character (invisible: direct gives up),
 * ASCII_PAREN for '(' (not written; can open a pinyin reading). */
#define ASCII_INVISIBLE 0xFF
#define ASCII_PAREN 0xFE
/* The ASCII characters furniture needs, as HF_SEEN_* bits. */
static const uint8_t ascii_furn[128] = {['/'] = HF_SEEN_SLASH, ['2'] = HF_SEEN_PIN, ['O'] = HF_SEEN_CARD,
                                        ['['] = HF_SEEN_BRACKET};
static const uint8_t ascii_key[128] = {
    ['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4', ['5'] = '5', ['6'] = '6',
    ['7'] = '7', ['8'] = '8', ['9'] = '9',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f', ['g'] = 'g',
    ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n',
    ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't', ['u'] = 'u',
    ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y', ['z'] = 'z',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f', ['G'] = 'g',
    ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n',
    ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't', ['U'] = 'u',
    ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y', ['Z'] = 'z',
    [0x00] = ASCII_INVISIBLE, [0x01] = ASCII_INVISIBLE, [0x02] = ASCII_INVISIBLE,
    [0x03] = ASCII_INVISIBLE, [0x04] = ASCII_INVISIBLE, [0x05] = ASCII_INVISIBLE,
    [0x06] = ASCII_INVISIBLE, [0x07] = ASCII_INVISIBLE, [0x08] = ASCII_INVISIBLE,
    [0x0B] = ASCII_INVISIBLE, [0x0C] = ASCII_INVISIBLE, [0x0E] = ASCII_INVISIBLE,
    [0x0F] = ASCII_INVISIBLE, [0x10] = ASCII_INVISIBLE, [0x11] = ASCII_INVISIBLE,
    [0x12] = ASCII_INVISIBLE, [0x13] = ASCII_INVISIBLE, [0x14] = ASCII_INVISIBLE,
    [0x15] = ASCII_INVISIBLE, [0x16] = ASCII_INVISIBLE, [0x17] = ASCII_INVISIBLE,
    [0x18] = ASCII_INVISIBLE, [0x19] = ASCII_INVISIBLE, [0x1A] = ASCII_INVISIBLE,
    [0x1B] = ASCII_INVISIBLE, [0x1C] = ASCII_INVISIBLE, [0x1D] = ASCII_INVISIBLE,
    [0x1E] = ASCII_INVISIBLE, [0x1F] = ASCII_INVISIBLE, [0x7F] = ASCII_INVISIBLE,
    ['('] = ASCII_PAREN,
};
static uint32_t key_bmp[0x10000];
static uint64_t pair_set[1u << PAIR_BITS];
/* The phrases by hash of their bytes (index + 1, 0 empty): the fast path
 * looks a phrase up with one hash and a compare instead of a binary search
 * of a dozen compares. */
#define PHRASE_BITS 14
static uint16_t phrase_hash[1u << PHRASE_BITS];

static bool keep(uint32_t c);
static uint32_t fold_char(uint32_t c);
static int phrase_maxlen(uint32_t c);

static inline uint32_t pair_slot(uint64_t k)
{
    return (uint32_t)((k * 0x9E3779B97F4A7C15ULL) >> (64 - PAIR_BITS));
}

/* A filter in front of pair_set: one bit per hash value of the pairs, in
 * 4 KB that stay in the first-level cache. */
#define PAIR_FILTER_BITS 15
static uint64_t pair_filter[(1u << PAIR_FILTER_BITS) / 64];

static inline uint32_t pair_filter_bit(uint64_t k)
{
    return (uint32_t)((k * 0xD6E8FEB86659FD93ULL) >> (64 - PAIR_FILTER_BITS));
}

/* The filter's answer for the pair (a, b): 0 when it is not in pair_set. */
static inline unsigned pair_filtered(uint32_t a, uint32_t b)
{
    uint32_t f = pair_filter_bit((uint64_t)a << 32 | b);
    return (unsigned)(pair_filter[f >> 6] >> (f & 63) & 1);
}

/* Whether the pair is in pair_set, the filter passed. */
static inline bool pair_exact(uint32_t a, uint32_t b)
{
    uint64_t k = (uint64_t)a << 32 | b;
    for (uint32_t i = pair_slot(k);; i = (i + 1) & ((1u << PAIR_BITS) - 1)) {
        if (pair_set[i] == k)
            return true;
        if (!pair_set[i])
            return false;
    }
}

static inline bool pair_maybe(uint32_t a, uint32_t b)
{
    return pair_filtered(a, b) && pair_exact(a, b);
}

static void pair_add(uint32_t a, uint32_t b)
{
    uint64_t k = (uint64_t)a << 32 | b;
    uint32_t i = pair_slot(k);
    while (pair_set[i] && pair_set[i] != k)
        i = (i + 1) & ((1u << PAIR_BITS) - 1);
    pair_set[i] = k;
    uint32_t f = pair_filter_bit(k);
    pair_filter[f >> 6] |= 1ULL << (f & 63);
}

_Static_assert(N_ELEMS(hf_fold_phrases) < (1u << PAIR_BITS) / 2, "pair_set too small");
_Static_assert(N_ELEMS(hf_fold_phrases) < (1u << PHRASE_BITS) / 2, "phrase_hash too small");

static inline uint32_t phrase_slot(const char *s, size_t n)
{
    return (uint32_t)(hf_hash64(s, n, 0) >> (64 - PHRASE_BITS));
}

static const char *phrase_find(const char *s, size_t n)
{
    for (uint32_t i = phrase_slot(s, n);; i = (i + 1) & ((1u << PHRASE_BITS) - 1)) {
        uint16_t k = phrase_hash[i];
        if (!k)
            return NULL;
        if (phrase_len[k - 1] == n && !memcmp(hf_fold_phrases[k - 1].from, s, n))
            return hf_fold_phrases[k - 1].to;
    }
}

static void tables_init(void)
{
    for (uint32_t c = 0; c < 0x10000; c++)
        fold_bmp[c] = c;
    for (size_t i = 0; i < N_ELEMS(hf_fold_chars); i++)
        if (hf_fold_chars[i].cp < 0x10000)
            fold_bmp[hf_fold_chars[i].cp] = hf_fold_chars[i].val;
    for (size_t i = 0; i < N_ELEMS(hf_fold_phrase_first); i++)
        if (hf_fold_phrase_first[i].cp < 0x10000)
            phrase_first_bmp[hf_fold_phrase_first[i].cp] = (uint8_t)hf_fold_phrase_first[i].val;
    for (size_t i = 0; i < N_ELEMS(hf_fold_phrases); i++) {
        phrase_len[i] = (uint8_t)strlen(hf_fold_phrases[i].from);
        uint32_t k = phrase_slot(hf_fold_phrases[i].from, phrase_len[i]);
        while (phrase_hash[k])
            k = (k + 1) & ((1u << PHRASE_BITS) - 1);
        phrase_hash[k] = (uint16_t)(i + 1);
    }
    for (uint32_t c = 0; c < 0x10000; c++) {
        bool surrogate = c >= 0xD800 && c <= 0xDFFF;
        key_bmp[c] = surrogate || !keep(c) ? KEY_DROP : fold_char(uc_tolower(c));
        if (!(key_bmp[c] & KEY_DROP) && key_bmp[c] >= 0x80 && phrase_maxlen(key_bmp[c]) >= 2)
            key_bmp[c] |= KEY_PHRASE;
        if (surrogate || !hf_unicode_passes(c))
            key_bmp[c] |= KEY_ATTN;
        if (!surrogate && hf_script_class(c) == 1)
            key_bmp[c] |= KEY_TRAD;
        if (hf_cpmap_find(hf_key_unsafe, N_ELEMS(hf_key_unsafe), c, 0))
            key_bmp[c] |= KEY_UNSAFE;
        if (!surrogate && hf_repair_mojibake_suspect(c))
            key_bmp[c] |= KEY_SUSPECT;
        if (c == 0xFF08)
            key_bmp[c] |= KEY_PAREN;
        if (c == 0xFF0F || c == 0xFF12 || c == 0xFF2F || c == 0xFF3B)
            key_bmp[c] |= KEY_FURN;
        if (!(key_bmp[c] & (KEY_DROP | KEY_ATTN)) && (key_bmp[c] & KEY_CP) >= 0x800 &&
            (key_bmp[c] & KEY_CP) <= 0xFFFF)
            key_bmp[c] |= KEY_FAST3;
    }
    for (size_t i = 0; i < N_ELEMS(hf_fold_phrases); i++) {
        const uint8_t *f = (const uint8_t *)hf_fold_phrases[i].from;
        size_t fl = phrase_len[i];
        uint32_t a, b;
        int l = hf_utf8_next(f, fl, &a);
        if (l > 0 && hf_utf8_next(f + l, fl - (size_t)l, &b) > 0)
            pair_add(a, b);
    }
}

static uint32_t fold_char(uint32_t c)
{
    return c < 0x10000 ? fold_bmp[c] : hf_cpmap_find(hf_fold_chars, N_ELEMS(hf_fold_chars), c, c);
}

/* Longest phrase (in characters) that starts with c, 0 if none. */
static int phrase_maxlen(uint32_t c)
{
    return c < 0x10000 ? phrase_first_bmp[c]
                       : (int)hf_cpmap_find(hf_fold_phrase_first, N_ELEMS(hf_fold_phrase_first), c, 0);
}

static const char *phrase_lookup(const char *s, size_t n)
{
    size_t lo = 0, hi = N_ELEMS(hf_fold_phrases);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        size_t fl = phrase_len[mid];
        int cmp = memcmp(hf_fold_phrases[mid].from, s, fl < n ? fl : n);
        if (cmp == 0)
            cmp = fl < n ? -1 : fl > n ? 1 : 0;
        if (cmp < 0)
            lo = mid + 1;
        else if (cmp > 0)
            hi = mid;
        else
            return hf_fold_phrases[mid].to;
    }
    return NULL;
}

static bool keep(uint32_t c)
{
    return uc_is_general_category(c, UC_CATEGORY_L) || uc_is_general_category(c, UC_CATEGORY_N);
}

static int fold_key_ref(const char *s, size_t n, hf_buf *out, hf_buf *tmp)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, tables_init);
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    hf_buf_clear(tmp);
    /* Pass 1: letters and digits, lower-cased, variant-folded. */
    while (p < end) {
        uint8_t b = *p;
        if (b < 0x80) {
            p++;
            if ((b >= '0' && b <= '9') || (b >= 'a' && b <= 'z'))
                ; /* kept as is */
            else if (b >= 'A' && b <= 'Z')
                b |= 0x20;
            else
                continue;
            if (hf_buf_putc(tmp, (char)b))
                return -ENOMEM;
            continue;
        }
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0)
            return -EILSEQ;
        p += l;
        if (!keep(c))
            continue;
        c = fold_char(uc_tolower(c));
        if (hf_buf_put_cp(tmp, c))
            return -ENOMEM;
    }
    /* Pass 2: phrase classes, longest match first at each position. */
    p = tmp->p ? (const uint8_t *)tmp->p : (const uint8_t *)"";
    end = p + tmp->len;
    while (p < end) {
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0)
            return -EILSEQ;
        int maxlen = c >= 0x80 ? phrase_maxlen(c) : 0;
        if (maxlen >= 2) {
            /* byte ends of the next maxlen characters */
            size_t ends[16];
            int k = 0;
            const uint8_t *q = p;
            while (k < maxlen && k < 16 && q < end) {
                uint32_t d;
                int m = hf_utf8_next(q, (size_t)(end - q), &d);
                if (m < 0)
                    break;
                q += m;
                ends[k++] = (size_t)(q - p);
            }
            const char *rep = NULL;
            size_t used = 0;
            for (int i = k - 1; i >= 1 && !rep; i--) {
                rep = phrase_lookup((const char *)p, ends[i]);
                used = ends[i];
            }
            if (rep) {
                if (hf_buf_append(out, rep, strlen(rep)))
                    return -ENOMEM;
                p += used;
                continue;
            }
        }
        if (hf_buf_append(out, p, (size_t)l))
            return -ENOMEM;
        p += l;
    }
    return 0;
}

/* Where pass 2 can match a phrase: the offsets in tmp of the characters
 * that start one and make a pair of pair_set with the next character, in
 * order.  Past CAND_MAX, more is set and the rest of the text is scanned. */
#define CAND_MAX 32
typedef struct cands {
    size_t n;
    bool more;
    size_t at[CAND_MAX];
} cands;

static inline void cand_add(cands *k, size_t at)
{
    if (k->n < CAND_MAX)
        k->at[k->n++] = at;
    else
        k->more = true;
}

/* The phrase at p (a character that starts one), longest first: its
 * replacement and *used, the bytes it covers, or NULL. */
static const char *phrase_at(const uint8_t *p, const uint8_t *end, uint32_t c, size_t *used)
{
    int maxlen = phrase_maxlen(c);
    size_t ends[16];
    int k = 0;
    const uint8_t *q = p;
    while (k < maxlen && k < 16 && q < end) {
        uint32_t e;
        int ml = hf_utf8_next(q, (size_t)(end - q), &e);
        if (ml < 0)
            break;
        q += ml;
        ends[k++] = (size_t)(q - p);
    }
    for (int i = k - 1; i >= 1; i--) {
        const char *rep = phrase_find((const char *)p, ends[i]);
        if (rep) {
            *used = ends[i];
            return rep;
        }
    }
    return NULL;
}

/* Pass 2 of the fast path: phrases, tried only at the candidates of pass 1
 * (then, past the last one recorded, where the first two characters start
 * one); spans without a phrase are copied whole, and a text without any is
 * handed over as it is.  *replaced: whether a phrase was replaced. */
static int fold_phrases(hf_buf *tmp, const cands *k, hf_buf *out, bool *replaced)
{
    *replaced = false;
    const uint8_t *base = (const uint8_t *)tmp->p;
    const uint8_t *end = base + tmp->len;
    const uint8_t *copy = base; /* [copy, p) goes out unchanged */
    const uint8_t *p = base;
    size_t at_start = out->len;
    if (k->n && hf_buf_reserve(out, tmp->len))
        return -ENOMEM;
    for (size_t i = 0; i < k->n; i++) {
        const uint8_t *q = base + k->at[i];
        if (q < p)
            continue; /* inside the phrase replaced last */
        uint32_t c;
        size_t used;
        const char *rep = hf_utf8_next(q, (size_t)(end - q), &c) > 0 ? phrase_at(q, end, c, &used) : NULL;
        if (rep) {
            if ((copy < q && hf_buf_append(out, copy, (size_t)(q - copy))) ||
                hf_buf_append(out, rep, strlen(rep)))
                return -ENOMEM;
            p = copy = q + used;
            *replaced = true;
        }
    }
    if (k->more) {
        /* from the character after the last candidate recorded */
        const uint8_t *q = base + k->at[k->n - 1];
        uint32_t c;
        int l = hf_utf8_next(q, (size_t)(end - q), &c);
        if (p < q + (l > 0 ? l : 1))
            p = q + (l > 0 ? l : 1);
    } else {
        p = end;
    }
    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        uint32_t c, d;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0)
            return -EILSEQ;
        size_t used;
        const char *rep;
        if (phrase_maxlen(c) < 2 || p + l >= end || hf_utf8_next(p + l, (size_t)(end - p - l), &d) < 0 ||
            !pair_maybe(c, d) || !(rep = phrase_at(p, end, c, &used))) {
            p += l;
            continue;
        }
        if ((copy < p && hf_buf_append(out, copy, (size_t)(p - copy))) || hf_buf_append(out, rep, strlen(rep)))
            return -ENOMEM;
        p = copy = p + used;
        *replaced = true;
    }
    if (!*replaced && at_start == 0) {
        /* no phrase: the text is the key */
        hf_buf t = *out;
        *out = *tmp;
        *tmp = t;
        hf_buf_clear(tmp);
        return 0;
    }
    if (copy < end && hf_buf_append(out, copy, (size_t)(end - copy)))
        return -ENOMEM;
    return 0;
}

/* Pass 1 of the fast path into tmp, one table lookup per character.  With
 * direct, stops and returns 1 at the first character marked KEY_ATTN or
 * outside the BMP, and at the end when the text has a traditional-only
 * character and trad_ok is false or it has a KEY_UNSAFE one too.  *k: where
 * pass 2 could match a phrase (see cands).  *seen (may be NULL): the flags
 * of the BMP characters. */
static inline int fold_chars(const char *s, size_t n, hf_buf *tmp, bool direct, bool readings,
                             bool trad_ok, cands *k, hf_u32vec *tok, uint32_t *seen, unsigned *marks)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, tables_init);
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    hf_buf_clear(tmp);
    /* A character folds to at most twice its UTF-8 length (a two-byte
     * letter can lower-case to a three-byte one: U+023A -> U+2C65): with
     * room for 2n bytes the loop below needs no bounds checks. */
    if (n > SIZE_MAX / 2 || hf_buf_reserve(tmp, 2 * n))
        return -ENOMEM;
    /* tokens (hf_tokenize() of what is written), at most one per byte */
    uint32_t *t = NULL;
    if (tok) {
        if (n > tok->cap) {
            if (n > SIZE_MAX / sizeof *tok->v)
                return -ENOMEM;
            uint32_t *v = realloc(tok->v, n * sizeof *v);
            if (!v)
                return -ENOMEM;
            tok->v = v;
            tok->cap = n;
        }
        t = tok->v;
    }
    char *o = tmp->p;
    char *run = NULL; /* the ASCII letters and digits written since the last other token */
    k->n = 0;
    k->more = false;
    uint32_t flags = 0; /* of every BMP character seen */
    unsigned am = 0;    /* ascii_furn[] of every ASCII character seen */
    char *prev = NULL; /* the last character written, when it starts a phrase */
    uint32_t prev_c = 0;
    while (p < end) {
        uint8_t b = *p;
        if (b < 0x80) {
            p++;
            am |= ascii_furn[b];
            b = ascii_key[b];
            if (!b)
                continue;
            if (b >= ASCII_PAREN) {
                if (b == ASCII_INVISIBLE ? direct
                                         : readings && hf_repair_pinyin_at(s, (size_t)(p - 1 - (const uint8_t *)s)))
                    return b == ASCII_INVISIBLE ? 1 : 2;
                continue;
            }
            if (prev && !k->more && pair_maybe(prev_c, b))
                cand_add(k, (size_t)(prev - tmp->p));
            prev = NULL;
            if (tok && !run)
                run = o;
            *o++ = (char)b;
            continue;
        }
        /* The common case in one loop: three-byte characters that fold
         * to three-byte characters (KEY_FAST3), so with no flag to act on
         * but KEY_PHRASE.  Anything else is left to the general code below,
         * which checks the form: E0 leads (an overlong form would read as a
         * code point below U+0800, which can have KEY_FAST3: U+023A folds
         * to U+2C65) and surrogates (KEY_DROP, so no KEY_FAST3). */
        while (end - p >= 3) {
            uint32_t b0 = p[0], b1 = p[1], b2 = p[2];
            if ((b0 & 0xF0) != 0xE0 || ((b1 ^ 0x80) | (b2 ^ 0x80)) & 0xC0)
                break;
            uint32_t v = key_bmp[(b0 & 0x0F) << 12 | (b1 & 0x3F) << 6 | (b2 & 0x3F)];
            if (!(v & KEY_FAST3) || b0 == 0xE0)
                break;
            p += 3;
            flags |= v;
            uint32_t f = v & KEY_CP;
            /* the filter always, so that the branch is on its answer (a
             * few percent yes), not on whether prev starts a phrase */
            if ((pair_filtered(prev_c, f) & (prev != NULL)) && !k->more && pair_exact(prev_c, f))
                cand_add(k, (size_t)(prev - tmp->p));
            prev = v & KEY_PHRASE ? o : NULL;
            prev_c = f;
            if (t) {
                if (run)
                    *t++ = hf_token_run(run, (size_t)(o - run));
                run = NULL;
                *t++ = f;
            }
            o[0] = (char)(0xE0 | f >> 12);
            o[1] = (char)(0x80 | (f >> 6 & 0x3F));
            o[2] = (char)(0x80 | (f & 0x3F));
            o += 3;
        }
        if (p == end || *p < 0x80)
            continue;
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0)
            return direct ? 1 : -EILSEQ;
        p += l;
        bool starts;
        if (c < 0x10000) {
            c = key_bmp[c];
            flags |= c;
            if (direct && (c & KEY_ATTN))
                return 1;
            if (c & KEY_DROP) {
                if ((c & KEY_PAREN) && readings && hf_repair_pinyin_at(s, (size_t)(p - l - (const uint8_t *)s)))
                    return 2;
                continue;
            }
            starts = c & KEY_PHRASE;
            c &= KEY_CP;
        } else {
            if (direct)
                return 1;
            if (!keep(c))
                continue;
            c = fold_char(uc_tolower(c));
            starts = c >= 0x80 && phrase_maxlen(c) >= 2;
        }
        if (prev && !k->more && pair_maybe(prev_c, c))
            cand_add(k, (size_t)(prev - tmp->p));
        prev = starts ? o : NULL;
        prev_c = c;
        if (tok) {
            bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (alnum) {
                if (!run)
                    run = o;
            } else {
                if (run)
                    *t++ = hf_token_run(run, (size_t)(o - run));
                run = NULL;
                *t++ = c;
            }
        }
        o = hf_utf8_put(o, c);
    }
    if (direct && (flags & KEY_TRAD) && (!trad_ok || (flags & KEY_UNSAFE)))
        return 1;
    tmp->len = (size_t)(o - tmp->p);
    tmp->p[tmp->len] = '\0';
    if (seen)
        *seen = flags;
    if (marks)
        *marks = am | (flags & KEY_FURN ? HF_SEEN_WIDE : 0);
    if (tok) {
        if (run)
            *t++ = hf_token_run(run, (size_t)(o - run));
        tok->len = (size_t)(t - tok->v);
    }
    return 0;
}

/* fold_key_ref() with the per-character work of pass 1 in one table lookup,
 * pass 2 trying phrases only where the first two characters start one, and
 * spans without a phrase copied whole. */
int hf_fold_key(const char *s, size_t n, hf_buf *out, hf_buf *tmp, hf_u32vec *tokens, bool *have_tokens,
                bool ref)
{
    if (have_tokens)
        *have_tokens = false;
    if (ref)
        return fold_key_ref(s, n, out, tmp);
    cands k;
    bool replaced;
    int e = fold_chars(s, n, tmp, false, false, false, &k, have_tokens ? tokens : NULL, NULL, NULL);
    if (!e)
        e = fold_phrases(tmp, &k, out, &replaced);
    if (have_tokens)
        *have_tokens = !e && !replaced; /* a phrase replaced makes other tokens */
    return e;
}

int hf_fold_key_direct(const char *s, size_t n, hf_buf *out, hf_buf *tmp, hf_u32vec *tokens,
                       unsigned opts, bool *have_tokens, unsigned *seen)
{
    *have_tokens = false;
    *seen = HF_SEEN_SUSPECT | HF_SEEN_TRAD;
    if (opts & HF_DIRECT_REF)
        return 1;
    cands k;
    bool replaced;
    uint32_t flags;
    unsigned marks;
    int e = fold_chars(s, n, tmp, true, opts & HF_DIRECT_READINGS, opts & HF_DIRECT_TRAD, &k, tokens,
                       &flags, &marks);
    if (e)
        return e;
    *seen = (flags & KEY_SUSPECT ? HF_SEEN_SUSPECT : 0) | (flags & KEY_TRAD ? HF_SEEN_TRAD : 0) | marks;
    e = fold_phrases(tmp, &k, out, &replaced);
    /* a phrase replaced makes other tokens */
    *have_tokens = !e && !replaced;
    return e;
}
