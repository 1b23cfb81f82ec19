/* unicode stage: compatibility normalization and spacing.
 *
 * NFKC (UAX #15) through libunistring folds full-width Latin and digits,
 * U+3000, half-width katakana/punctuation and compatibility ideographs.  It
 * would also turn the full-width punctuation that Chinese text is written
 * with (，：；！？（） …) into ASCII, which is wrong for readable text, so those
 * characters are kept out of NFKC.  Then invisible format characters and
 * controls go, whitespace collapses, spaces next to Han characters go
 * (Chinese is written without them: "23.3 萬臺" -> "23.3萬臺"), and corner
 * brackets become the quotation marks of the target script.  Line breaks
 * that end HTML blocks (HF_LINES_BLOCKS) are not layout: where dropping the
 * space would run two words together (a heading into its paragraph:
 * "屏蔽Sora" + "在AI..."), a full stop stands between them. */
#include "stages.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <uninorm.h>

#include "unicode.h"

/* Full-width punctuation that is the normal form in Chinese text. */
static bool keep_from_nfkc(uint32_t c)
{
    switch (c) {
    case 0xFF01: case 0xFF08: case 0xFF09: case 0xFF0C: case 0xFF1A:
    case 0xFF1B: case 0xFF1F: case 0xFF5E: case 0x2025: case 0x2026:
        return true;
    }
    return false;
}

/* Characters NFKC leaves alone, tested cheaply so that plain Han and ASCII
 * text skips u8_normalize altogether. */
static bool nfkc_stable(uint32_t c)
{
    if (c < 0xA0 || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF))
        return true;
    /* CJK punctuation and dashes/quotes, minus the few with NFKC mappings
     * (U+2011, U+2017, U+2024, U+3036, U+3038..U+303A: checked against
     * Python's unicodedata) */
    if (c >= 0x3001 && c <= 0x303F)
        return c != 0x3036 && (c < 0x3038 || c > 0x303A);
    if (c >= 0x2010 && c <= 0x2023)
        return c != 0x2011 && c != 0x2017;
    return false;
}

static bool is_cjk_punct(uint32_t c)
{
    return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE10 && c <= 0xFE1F) ||
           (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF01 && c <= 0xFF65 && keep_from_nfkc(c)) ||
           c == 0xFF5E;
}

/* Letters and digits of any script other than Han, for the spacing rule. */
static bool is_alnum(uint32_t c)
{
    if (c < 0x80)
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
    return uc_is_general_category(c, UC_CATEGORY_L) || uc_is_general_category(c, UC_CATEGORY_N);
}

static bool invisible(uint32_t c)
{
    if (c < 0x20)
        return c != '\n' && c != '\t' && c != '\r';
    if (c == 0x7F || (c >= 0x80 && c < 0xA0))
        return true;
    if ((c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0100 && c <= 0xE01EF))
        return true; /* variation selectors */
    return c >= 0xAD && uc_is_general_category(c, UC_CATEGORY_Cf);
}

/* BMP characters that NFKC leaves alone in any context: no decomposition of
 * either kind, combining class 0, and not the second character of any
 * canonical composition (those can join the character before them: Hangul
 * jamo, U+0DCF...).  A string of such characters passes the NFKC quick
 * check (UAX #15): normalizing it changes nothing.  Built once, from
 * libunistring's tables. */
static uint8_t inert_bmp[0x10000 / 8];

static void inert_init(void)
{
    static uint8_t second[0x10000 / 8];
    for (uint32_t c = 0; c < 0x10000; c++) {
        uint32_t d[UC_DECOMPOSITION_MAX_LENGTH];
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        int n = uc_canonical_decomposition(c, d);
        if (n == 2 && d[1] < 0x10000)
            second[d[1] >> 3] |= (uint8_t)(1u << (d[1] & 7));
    }
    for (uint32_t c = 0; c < 0x10000; c++) {
        int tag;
        uint32_t d[UC_DECOMPOSITION_MAX_LENGTH];
        bool jamo = (c >= 0x1100 && c <= 0x11FF) || (c >= 0xA960 && c <= 0xA97F) || (c >= 0xD7B0 && c <= 0xD7FF);
        if ((c >= 0xD800 && c <= 0xDFFF) || jamo || (second[c >> 3] >> (c & 7) & 1) ||
            uc_combining_class(c) != 0 || uc_decomposition(c, &tag, d) >= 0)
            continue;
        inert_bmp[c >> 3] |= (uint8_t)(1u << (c & 7));
    }
}

bool hf_unicode_passes(uint32_t c)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, inert_init);
    bool inert = c < 0x10000 && (inert_bmp[c >> 3] >> (c & 7) & 1);
    return !invisible(c) && (nfkc_stable(c) || keep_from_nfkc(c) || inert);
}

bool hf_unicode_blank(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    while (p < end) {
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0)
            return false;
        p += l;
        /* line breaks, tab and space are White_Space too */
        if (!uc_is_property_white_space(c) && !invisible(c))
            return false;
    }
    return true;
}

static uint32_t map_quote(uint32_t c, enum hf_punct punct)
{
    if (punct == HF_PUNCT_SIMPLIFIED) {
        switch (c) {
        case 0x300C: return 0x201C; /* 「 -> “ */
        case 0x300D: return 0x201D;
        case 0x300E: return 0x2018; /* 『 -> ‘ */
        case 0x300F: return 0x2019;
        }
    }
    return c;
}

/* Step 1: NFKC outside the kept punctuation, into tmp. */
static int nfkc(const char *s, size_t n, hf_buf *tmp)
{
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    hf_buf_clear(tmp);
    while (p < end) {
        /* A segment that needs u8_normalize runs up to the next kept
         * punctuation mark; stable characters are copied as they are. */
        const uint8_t *seg = p;
        bool stable = true;
        uint32_t c = 0;
        int l = 0;
        while (p < end) {
            l = hf_utf8_next(p, (size_t)(end - p), &c);
            if (l < 0)
                return -EILSEQ;
            if (keep_from_nfkc(c))
                break;
            stable = stable && nfkc_stable(c);
            p += l;
        }
        if (p > seg) {
            if (stable) {
                if (hf_buf_append(tmp, seg, (size_t)(p - seg)))
                    return -ENOMEM;
            } else {
                size_t len = 0;
                uint8_t *r = u8_normalize(UNINORM_NFKC, seg, (size_t)(p - seg), NULL, &len);
                if (!r)
                    return -errno;
                int e = hf_buf_append(tmp, r, len);
                free(r);
                if (e)
                    return e;
            }
        }
        if (p < end) {
            if (hf_buf_append(tmp, p, (size_t)l))
                return -ENOMEM;
            p += l;
        }
    }
    return 0;
}

/* Appends s without invisible characters.  This comes before NFKC: removing
 * them afterwards could leave combining marks side by side in an order NFKC
 * would change, and normalizing twice would then change the text again. */
static int drop_invisible(const char *s, size_t n, hf_buf *out)
{
    const uint8_t *p = (const uint8_t *)s, *end = p + n, *run = p;
    while (p < end) {
        if (*p >= 0x20 && *p < 0x7F) {
            p++;
            continue;
        }
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0)
            return -EILSEQ;
        if (invisible(c)) {
            if (hf_buf_append(out, run, (size_t)(p - run)))
                return -ENOMEM;
            run = p + l;
        }
        p += l;
    }
    return hf_buf_append(out, run, (size_t)(p - run));
}

/* The mark that stands for a block boundary between words in joined text:
 * Chinese readers take it for the end of a heading or an item, and it is no
 * letter or digit, so keys are unchanged by it. */
#define BLOCK_SEP 0x3002 /* 。 */

/* Whether a joined block boundary between prev and next, where the space
 * rule drops the space (drop), takes BLOCK_SEP: only between two word
 * characters (Han, letters, digits); a punctuation mark on either side
 * already separates them. */
static bool block_sep(bool drop, bool word_prev, bool word_next)
{
    return drop && word_prev && word_next;
}

static int unicode_clean_ref(const char *s, size_t n, enum hf_punct punct, enum hf_lines lines,
                             hf_buf *out, hf_buf *tmp)
{
    /* out serves as scratch for the visible text, then takes the result */
    size_t base = out->len;
    int e = drop_invisible(s, n, out);
    if (!e)
        e = nfkc(out->p + base, out->len - base, tmp);
    out->len = base;
    if (out->p)
        out->p[base] = '\0';
    if (e)
        return e;
    /* tmp->p is NULL when nothing was written: no arithmetic on it then */
    const uint8_t *p = tmp->p ? (const uint8_t *)tmp->p : (const uint8_t *)"";
    const uint8_t *end = p + tmp->len;
    uint32_t prev = 0;      /* last character written on this line, 0 at line start */
    bool space = false;     /* whitespace seen since prev */
    int newlines = 0;       /* line breaks pending since prev */
    bool brk = false;       /* a block boundary among the whitespace (HF_LINES_BLOCKS) */
    bool any = false;       /* anything written at all */
    while (p < end) {
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0)
            return -EILSEQ;
        p += l;
        if (c == '\r') {
            if (p < end && *p == '\n')
                continue;
            c = '\n';
        }
        if (c == 0x2028 || c == 0x2029)
            c = '\n';
        if (c == '\n' && lines != HF_LINES_KEEP) {
            brk |= lines == HF_LINES_BLOCKS;
            c = ' ';
        }
        if (c == '\n') {
            newlines++;
            space = false;
            prev = 0;
            continue;
        }
        if (invisible(c))
            continue;
        if (c == '\t' || c == ' ' || uc_is_property_white_space(c)) {
            space = true;
            continue;
        }
        c = map_quote(c, punct);
        if (newlines && any) {
            for (int i = 0; i < (newlines > 2 ? 2 : newlines); i++)
                if (hf_buf_putc(out, '\n'))
                    return -ENOMEM;
        } else if (space && prev) {
            bool cjk_prev = hf_is_han(prev) || is_cjk_punct(prev);
            bool cjk_next = hf_is_han(c) || is_cjk_punct(c);
            /* a space before a combining mark stays: joining would put the
             * mark after another one in an order NFKC would change */
            bool drop = ((cjk_prev && (cjk_next || is_alnum(c))) || (cjk_next && is_alnum(prev))) &&
                        uc_combining_class(c) == UC_CCC_NR;
            if (brk && block_sep(drop, hf_is_han(prev) || is_alnum(prev), hf_is_han(c) || is_alnum(c))) {
                if (hf_buf_put_cp(out, BLOCK_SEP))
                    return -ENOMEM;
            } else if (!drop && hf_buf_putc(out, ' ')) {
                return -ENOMEM;
            }
        }
        newlines = 0;
        space = false;
        brk = false;
        if (hf_buf_put_cp(out, c))
            return -ENOMEM;
        prev = c;
        any = true;
    }
    return 0;
}

/* The fast path: the character classes of the BMP in one byte each, built
 * once from the functions above, and no copies for the common record that
 * has no invisible character and nothing for NFKC to change. */
enum {
    U_INVISIBLE = 1, /* invisible() */
    U_WHITE = 2,     /* '\t', ' ' or White_Space (other than line breaks) */
    U_ALNUM = 4,     /* is_alnum() */
    U_CJK = 8,       /* hf_is_han() || is_cjk_punct() */
    U_STABLE = 16,   /* nfkc_stable() || keep_from_nfkc() */
    U_PLAIN = 32,    /* written as it is whatever the state: none of the
                      * above but U_ALNUM/U_CJK/U_STABLE, no line break or
                      * quote mapping */
    U_MARK = 64,     /* a combining mark (canonical combining class not 0) */
};
static uint8_t ucls[0x10000];

static void ucls_init(void)
{
    for (uint32_t c = 0; c < 0x10000; c++) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        uint8_t k = 0;
        bool inv = invisible(c);
        bool white = c == '\t' || c == ' ' || uc_is_property_white_space(c);
        k |= inv ? U_INVISIBLE : 0;
        k |= white ? U_WHITE : 0;
        k |= is_alnum(c) ? U_ALNUM : 0;
        k |= hf_is_han(c) || is_cjk_punct(c) ? U_CJK : 0;
        k |= nfkc_stable(c) || keep_from_nfkc(c) ? U_STABLE : 0;
        bool special = c == '\r' || c == '\n' || c == 0x2028 || c == 0x2029 ||
                       (c >= 0x300C && c <= 0x300F);
        k |= !inv && !white && !special ? U_PLAIN : 0;
        k |= uc_combining_class(c) != UC_CCC_NR ? U_MARK : 0;
        ucls[c] = k;
    }
}

static inline bool f_invisible(uint32_t c) { return c < 0x10000 ? ucls[c] & U_INVISIBLE : invisible(c); }
static inline bool f_white(uint32_t c)
{
    return c < 0x10000 ? ucls[c] & U_WHITE : uc_is_property_white_space(c);
}
static inline bool f_mark(uint32_t c)
{
    return c < 0x10000 ? ucls[c] & U_MARK : uc_combining_class(c) != UC_CCC_NR;
}
static inline bool f_alnum(uint32_t c) { return c < 0x10000 ? ucls[c] & U_ALNUM : is_alnum(c); }
static inline bool f_cjk(uint32_t c)
{
    return c < 0x10000 ? ucls[c] & U_CJK : hf_is_han(c) || is_cjk_punct(c);
}

static pthread_once_t ucls_once = PTHREAD_ONCE_INIT;

bool hf_unicode_invisible(uint32_t c)
{
    pthread_once(&ucls_once, ucls_init);
    return f_invisible(c);
}

bool hf_unicode_has_invisible(const char *s, size_t n)
{
    /* by lead byte, without the tables (the key's fast path never needs
     * them): ASCII controls; no invisible character has a lead byte of
     * E3-EE (U+3000-U+EFFF: CJK, Hangul, private use); the rest decoded */
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    while (p < end) {
        uint8_t b = *p;
        if (b < 0x80) {
            if ((b < 0x20 && b != '\n' && b != '\t' && b != '\r') || b == 0x7F)
                return true;
            p++;
            continue;
        }
        if (b >= 0xE3 && b <= 0xEE && end - p >= 3) {
            p += 3;
            continue;
        }
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0 || invisible(c))
            return true; /* not valid: let drop_invisible() say so */
        p += l;
    }
    return false;
}

int hf_unicode_drop_invisible(const char *s, size_t n, hf_buf *out)
{
    return drop_invisible(s, n, out);
}

int hf_unicode_clean(const char *s, size_t n, enum hf_punct punct, enum hf_lines lines,
                     hf_buf *out, hf_buf *tmp, bool ref)
{
    if (ref)
        return unicode_clean_ref(s, n, punct, lines, out, tmp);
    pthread_once(&ucls_once, ucls_init);
    /* Does the text go through drop_invisible() and nfkc() unchanged?
     * Then the last step reads it where it is. */
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    while (p < end) {
        if (*p >= 0x20 && *p < 0x7F) {
            p++;
            continue;
        }
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0)
            return -EILSEQ;
        if (c >= 0x10000 || (ucls[c] & (U_INVISIBLE | U_STABLE)) != U_STABLE)
            return unicode_clean_ref(s, n, punct, lines, out, tmp);
        p += l;
    }
    p = (const uint8_t *)s;
    uint32_t prev = 0;
    bool space = false;
    int newlines = 0;
    bool brk = false;
    bool any = false;
    const uint8_t *plain = p; /* [plain, p): written as they are, not yet appended */
    while (p < end) {
        uint32_t c = 0; /* the text was checked above: always set */
        int l;
        if (*p < 0x80) {
            c = *p;
            l = 1;
        } else {
            l = hf_utf8_next(p, (size_t)(end - p), &c);
        }
        if (!newlines && !space && (ucls[c] & U_PLAIN)) {
            p += l;
            prev = c;
            any = true;
            continue;
        }
        if (plain < p && hf_buf_append(out, plain, (size_t)(p - plain)))
            return -ENOMEM;
        p += l;
        plain = p;
        if (c == '\r') {
            if (p < end && *p == '\n')
                continue;
            c = '\n';
        }
        if (c == 0x2028 || c == 0x2029)
            c = '\n';
        if (c == '\n' && lines != HF_LINES_KEEP) {
            brk |= lines == HF_LINES_BLOCKS;
            c = ' ';
        }
        if (c == '\n') {
            newlines++;
            space = false;
            prev = 0;
            continue;
        }
        if (f_invisible(c))
            continue;
        if (f_white(c)) {
            space = true;
            continue;
        }
        c = map_quote(c, punct);
        if (newlines && any) {
            for (int i = 0; i < (newlines > 2 ? 2 : newlines); i++)
                if (hf_buf_putc(out, '\n'))
                    return -ENOMEM;
        } else if (space && prev) {
            bool cjk_prev = f_cjk(prev);
            bool cjk_next = f_cjk(c);
            bool drop = ((cjk_prev && (cjk_next || f_alnum(c))) || (cjk_next && f_alnum(prev))) && !f_mark(c);
            if (brk && block_sep(drop, hf_is_han(prev) || f_alnum(prev), hf_is_han(c) || f_alnum(c))) {
                if (hf_buf_put_cp(out, BLOCK_SEP))
                    return -ENOMEM;
            } else if (!drop && hf_buf_putc(out, ' ')) {
                return -ENOMEM;
            }
        }
        newlines = 0;
        space = false;
        brk = false;
        if (hf_buf_put_cp(out, c))
            return -ENOMEM;
        prev = c;
        any = true;
    }
    if (plain < p && hf_buf_append(out, plain, (size_t)(p - plain)))
        return -ENOMEM;
    return 0;
}
