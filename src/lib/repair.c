/* repair.c: undoes two kinds of damage that Chinese web text picks up on its
 * way through broken converters.
 *
 * 1. Flattened ruby: pages whose <ruby> markup was stripped, or that were run
 *    through a tool that "helpfully" follows characters outside GB2312 with
 *    their reading, carry pinyin in parentheses: 產(chǎn)業(yè).  The reading
 *    is noise for every later stage (dedup keys, script conversion), so it
 *    is removed, but only where it is unmistakably a reading.
 *
 * 2. Byte-misaligned GBK mojibake: GBK text decoded starting one byte late
 *    (or with a trail byte read twice), so that every character is made of
 *    the trail byte of one original character and the lead byte of the next:
 *    吳海波表示 -> 眳呛２ū硎.  The original bytes are still there; encoding
 *    the run back to GBK and decoding it one byte further recovers the text.
 *
 * The interface is in stages.h. */
#include "stages.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Generated from data/pinyin-syllables.txt by data/gen-pinyin.py. */
#include "pinyin-table.h"

/* ======================================================================
 * Pinyin ruby
 * ====================================================================== */

/* Unified ideographs incl. extension A..G and the compatibility block: the
 * characters a reading can belong to. */
static bool is_han(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F);
}

/* Letters with tone marks (and ü, and the GB2312 pinyin-font forms ɑ ɡ) as
 * their base letter.  Sorted by code point for bsearch. */
struct tone_letter {
    uint16_t cp;
    char base;     /* lowercase ASCII; 'v' stands for ü */
    uint8_t toned; /* carries a tone mark */
    uint8_t upper;
};

static const struct tone_letter tone_letters[] = {
    {0x00C0, 'a', 1, 1}, {0x00C1, 'a', 1, 1}, {0x00C8, 'e', 1, 1}, {0x00C9, 'e', 1, 1},
    {0x00CC, 'i', 1, 1}, {0x00CD, 'i', 1, 1}, {0x00D2, 'o', 1, 1}, {0x00D3, 'o', 1, 1},
    {0x00D9, 'u', 1, 1}, {0x00DA, 'u', 1, 1}, {0x00DC, 'v', 0, 1}, {0x00E0, 'a', 1, 0},
    {0x00E1, 'a', 1, 0}, {0x00E8, 'e', 1, 0}, {0x00E9, 'e', 1, 0}, {0x00EC, 'i', 1, 0},
    {0x00ED, 'i', 1, 0}, {0x00F2, 'o', 1, 0}, {0x00F3, 'o', 1, 0}, {0x00F9, 'u', 1, 0},
    {0x00FA, 'u', 1, 0}, {0x00FC, 'v', 0, 0}, {0x0100, 'a', 1, 1}, {0x0101, 'a', 1, 0},
    {0x0112, 'e', 1, 1}, {0x0113, 'e', 1, 0}, {0x011A, 'e', 1, 1}, {0x011B, 'e', 1, 0},
    {0x012A, 'i', 1, 1}, {0x012B, 'i', 1, 0}, {0x0143, 'n', 1, 1}, {0x0144, 'n', 1, 0},
    {0x0147, 'n', 1, 1}, {0x0148, 'n', 1, 0}, {0x014C, 'o', 1, 1}, {0x014D, 'o', 1, 0},
    {0x016A, 'u', 1, 1}, {0x016B, 'u', 1, 0}, {0x01CD, 'a', 1, 1}, {0x01CE, 'a', 1, 0},
    {0x01CF, 'i', 1, 1}, {0x01D0, 'i', 1, 0}, {0x01D1, 'o', 1, 1}, {0x01D2, 'o', 1, 0},
    {0x01D3, 'u', 1, 1}, {0x01D4, 'u', 1, 0}, {0x01D5, 'v', 1, 1}, {0x01D6, 'v', 1, 0},
    {0x01D7, 'v', 1, 1}, {0x01D8, 'v', 1, 0}, {0x01D9, 'v', 1, 1}, {0x01DA, 'v', 1, 0},
    {0x01DB, 'v', 1, 1}, {0x01DC, 'v', 1, 0}, {0x01F8, 'n', 1, 1}, {0x01F9, 'n', 1, 0},
    {0x0251, 'a', 0, 0}, {0x0261, 'g', 0, 0}, {0x1E3E, 'm', 1, 1}, {0x1E3F, 'm', 1, 0},
};

static int cmp_tone_letter(const void *key, const void *elem)
{
    uint32_t c = *(const uint32_t *)key;
    uint32_t e = ((const struct tone_letter *)elem)->cp;
    return c < e ? -1 : c > e;
}

/* Folds a code point that can be part of a pinyin syllable to its base
 * letter.  Full-width letters occur in real data (運(ｙùｎ)), so width is
 * folded here rather than relying on an earlier NFKC pass. */
static bool pinyin_letter(uint32_t c, char *base, bool *toned, bool *upper)
{
    *toned = false;
    *upper = false;
    if (c >= 0xFF21 && c <= 0xFF5A)
        c -= 0xFF21 - 'A'; /* full-width A-Z / a-z (and the six in between) */
    if (c >= 'a' && c <= 'z') {
        *base = (char)c;
        return true;
    }
    if (c >= 'A' && c <= 'Z') {
        *base = (char)(c - 'A' + 'a');
        *upper = true;
        return true;
    }
    if (c < 0xC0 || c > 0x1E3F)
        return false;
    const struct tone_letter *t = bsearch(&c, tone_letters, sizeof tone_letters / sizeof *tone_letters,
                                          sizeof *tone_letters, cmp_tone_letter);
    if (!t)
        return false;
    *base = t->base;
    *toned = t->toned;
    *upper = t->upper;
    return true;
}

static int cmp_syllable(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

static bool is_syllable(const char *key)
{
    return bsearch(key, hf_pinyin_syllables, hf_pinyin_syllable_count, sizeof *hf_pinyin_syllables,
                   cmp_syllable) != NULL;
}

/* Decodes the code point at s[i]; invalid bytes (the input is supposed to be
 * valid UTF-8, but a stray byte must not stop the scan) read as U+FFFD of
 * length 1. */
static inline __attribute__((always_inline)) int next_cp(const char *s, size_t n, size_t i, uint32_t *c)
{
    int l = hf_utf8_next((const uint8_t *)s + i, n - i, c);
    if (l < 0) {
        *c = 0xFFFD;
        l = 1;
    }
    return l;
}

static bool is_open_paren(uint32_t c) { return c == '(' || c == 0xFF08; }
static bool is_close_paren(uint32_t c) { return c == ')' || c == 0xFF09; }
/* Spaces allowed inside the parentheses and between syllables. */
static bool is_pinyin_space(uint32_t c) { return c == ' ' || c == 0x3000 || c == 0xA0; }

static size_t skip_spaces(const char *s, size_t n, size_t i)
{
    while (i < n) {
        uint32_t c;
        int l = next_cp(s, n, i, &c);
        if (!is_pinyin_space(c))
            break;
        i += (size_t)l;
    }
    return i;
}

struct syllable {
    size_t end;     /* offset after the syllable and its tone digit */
    size_t letters; /* letters in the syllable (u: and combining marks not counted) */
    bool toned;     /* tone mark or tone digit */
    bool upper;     /* some letter is uppercase */
};

/* Reads one syllable at s[i]: letters (ASCII, full-width, tone-marked, ü, u:,
 * or a base letter followed by a combining tone mark), then an optional tone
 * digit 1-5.  Fails unless the letters spell a syllable of the inventory. */
static bool parse_syllable(const char *s, size_t n, size_t i, struct syllable *r)
{
    char key[HF_PINYIN_SYLLABLE_MAX + 1];
    size_t k = 0;
    bool toned = false, upper = false, digit = false;

    while (i < n) {
        uint32_t c;
        int l = next_cp(s, n, i, &c);
        char base;
        bool t, u;
        if (pinyin_letter(c, &base, &t, &u)) {
            if (k == HF_PINYIN_SYLLABLE_MAX)
                return false; /* longer than any syllable: a word, not a reading */
            key[k++] = base;
            toned |= t;
            upper |= u;
        } else if (k > 0 && (c == 0x0304 || c == 0x0301 || c == 0x030C || c == 0x0300)) {
            toned = true; /* decomposed tone mark (NFD input) */
        } else if (k > 0 && key[k - 1] == 'u' && (c == 0x0308 || c == ':' || c == 0xFF1A)) {
            key[k - 1] = 'v'; /* u + combining diaeresis, or the "u:" spelling */
        } else {
            break;
        }
        i += (size_t)l;
    }
    if (k == 0)
        return false;
    if (i < n) {
        uint32_t c;
        int l = next_cp(s, n, i, &c);
        if ((c >= '1' && c <= '5') || (c >= 0xFF11 && c <= 0xFF15)) {
            digit = true;
            i += (size_t)l;
        }
    }
    /* A digit after capitals or after a single letter is far more often a
     * model number or a paper size than a tone: 型號(A4), 接口(N1). */
    if (digit && (upper || k < 2))
        return false;
    key[k] = '\0';
    if (!is_syllable(key))
        return false;
    r->end = i;
    r->letters = k;
    r->toned = toned || digit;
    r->upper = upper;
    return true;
}

enum annot { ANNOT_NO, ANNOT_TONED, ANNOT_TONELESS };

/* Looks at the parenthesis at s[i] that follows han_run Han characters and
 * classifies what it encloses.  On ANNOT_TONED / ANNOT_TONELESS *end is the
 * offset after the closing parenthesis.
 *
 * Work is bounded: a failed attempt reads only parentheses, spaces, letters
 * and digits, never a Han character, so the next attempt (which needs a Han
 * character before it) starts after everything this one read. */
static enum annot match_annotation(const char *s, size_t n, size_t i, size_t han_run, size_t *end)
{
    uint32_t c;
    i += (size_t)next_cp(s, n, i, &c); /* the opening parenthesis */
    i = skip_spaces(s, n, i);

    size_t count = 0;
    bool all_toned = true;
    struct syllable syl = {0};
    for (;;) {
        if (!parse_syllable(s, n, i, &syl))
            return ANNOT_NO;
        count++;
        all_toned &= syl.toned;
        size_t j = skip_spaces(s, n, syl.end);
        if (j >= n)
            return ANNOT_NO;
        int l = next_cp(s, n, j, &c);
        if (is_close_paren(c)) {
            *end = j + (size_t)l;
            break;
        }
        /* Another syllable needs a separating space and a Han character of
         * its own before the parenthesis. */
        if (j == syl.end || count >= han_run)
            return ANNOT_NO;
        i = j;
    }
    if (count > 1)
        return all_toned ? ANNOT_TONED : ANNOT_NO;
    if (syl.toned)
        return ANNOT_TONED;
    /* Toneless readings look like short English words or initials: (de),
     * (men), (ai).  They only go when the record is known to carry ruby, and
     * only in the lowercase shape ruby text has. */
    if (!syl.upper && syl.letters >= 2)
        return ANNOT_TONELESS;
    return ANNOT_NO;
}

/* Han characters that end at s[i], counted backwards: han_run as the forward
 * scan has it at i (a reading removed ends in a parenthesis, which is not
 * Han).  A character read backwards is the one read forwards: a lead byte is
 * never inside another sequence, and a stray byte reads as U+FFFD, which is
 * not Han. */
static size_t han_back(const uint8_t *s, size_t i)
{
    size_t k = 0;
    for (;;) {
        uint32_t c;
        if (i >= 3 && s[i - 3] >= 0xE0 && s[i - 3] <= 0xEF) {
            if (hf_utf8_next(s + i - 3, 3, &c) != 3 || !is_han(c))
                return k;
            i -= 3;
        } else if (i >= 4 && s[i - 4] >= 0xF0) {
            if (hf_utf8_next(s + i - 4, 4, &c) != 4 || !is_han(c))
                return k;
            i -= 4;
        } else {
            return k;
        }
        k++;
    }
}

/* The next opening parenthesis at or after i, '(' or U+FF08 (EF BC 88), n if
 * none.  *ascii and *wide keep the last find of each kind plus one (0: none
 * yet), good while it is not before i: each byte is searched once per kind. */
static size_t next_paren(const uint8_t *s, size_t n, size_t i, size_t *ascii, size_t *wide)
{
    if (*ascii <= i) {
        const uint8_t *p = memchr(s + i, '(', n - i);
        *ascii = (p ? (size_t)(p - s) : n) + 1;
    }
    if (*wide <= i) {
        *wide = n + 1;
        /* by its last byte: text full of EF BC xx punctuation */
        if (n - i >= 3)
            for (const uint8_t *p = s + i + 2; p < s + n && (p = memchr(p, 0x88, n - (size_t)(p - s))); p++)
                if (p[-2] == 0xEF && p[-1] == 0xBC) {
                    *wide = (size_t)(p - 2 - s) + 1;
                    break;
                }
    }
    return (*ascii < *wide ? *ascii : *wide) - 1;
}

/* Two ways to the parentheses that can open a reading: the reference
 * (ref) decodes every character in turn and carries han_run
 * along; the fast one goes from parenthesis to parenthesis, counting the
 * Han characters before each one backwards (han_back). */
int hf_repair_pinyin(const char *s, size_t n, hf_buf *out, size_t *removed, bool ref)
{
    const uint8_t *u = (const uint8_t *)s;
    const size_t base = out->len;
    size_t count = 0;
    /* Toneless readings are removed only once the record has shown a toned
     * one.  If a toneless candidate was left in place before the first toned
     * reading turned up, the pass is redone from the start with that
     * knowledge: at most two passes, and the second only for such records. */
    bool toneless_ok = false;
    bool kept_toneless = false;

restart:;
    size_t copied = 0;  /* s[copied..i) is still to be appended */
    size_t han_run = 0; /* Han characters right before s[i] */
    size_t ascii = 0, wide = 0; /* see next_paren() */
    size_t i = 0;
    while (i < n) {
        int l;
        if (ref) {
            uint32_t c;
            l = next_cp(s, n, i, &c);
            if (!(han_run > 0 && is_open_paren(c))) {
                han_run = is_han(c) ? han_run + 1 : 0;
                i += (size_t)l;
                continue;
            }
        } else {
            if ((i = next_paren(u, n, i, &ascii, &wide)) >= n)
                break;
            l = u[i] == '(' ? 1 : 3;
            if (!(han_run = han_back(u, i))) {
                i += (size_t)l;
                continue;
            }
        }
        size_t end = 0;
        enum annot a = match_annotation(s, n, i, han_run, &end);
        if (a == ANNOT_TONELESS && !toneless_ok) {
            kept_toneless = true;
        } else if (a != ANNOT_NO) {
            if (hf_buf_append(out, s + copied, i - copied))
                goto nomem;
            copied = i = end;
            count++;
            /* The reading covered the characters before it: a following
             * one belongs to the Han characters that come next. */
            han_run = 0;
            if (a == ANNOT_TONED && !toneless_ok) {
                toneless_ok = true;
                if (kept_toneless) {
                    out->len = base;
                    out->p[base] = '\0';
                    count = 0;
                    goto restart;
                }
            }
            continue;
        }
        han_run = 0; /* the parenthesis is not Han */
        i += (size_t)l;
    }
    if (hf_buf_append(out, s + copied, n - copied))
        goto nomem;
    *removed = count;
    return 0;

nomem:
    out->len = base;
    if (out->p)
        out->p[base] = '\0';
    return -ENOMEM;
}

/* ======================================================================
 * GBK mojibake
 * ====================================================================== */

/* Han characters in common use: the 3755 of GB2312 level 1 (simplified) and
 * the 5401 of Big5 level 1 (traditional), one bit per code point from U+4E00
 * to U+9FFF.  A static table keeps the common case free of iconv calls and
 * of shared mutable state.  Generated with Python's codecs:
 *
 *   def common(o):
 *       try:
 *           b = chr(o).encode('gb2312'); return 0xB0 <= b[0] <= 0xD7
 *       except UnicodeError: pass
 *       try:
 *           b = chr(o).encode('big5'); return 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E
 *       except UnicodeError: return False
 *   w = [0] * 656
 *   for o in range(0x4E00, 0xA000):
 *       if common(o): w[(o - 0x4E00) >> 5] |= 1 << ((o - 0x4E00) & 31)
 */
static const uint32_t common_han[656] = {
    0xff7b6f8b, 0x6f152cf4, 0xe35dfb28, 0x400b0243, 0xce36db44, 0x840c7bf6, 0xc3fa6cfb, 0xa8cd1438,
    0xc7a3ee02, 0x35518451, 0x7ebbe1c8, 0xcc299209, 0x28c2a958, 0x80e0c3e9, 0xe583c41c, 0x450ae203,
    0x8756ba41, 0x54002f6a, 0x1420d288, 0xa4f0a020, 0x07422121, 0x48acb10c, 0x0462c0a0, 0x0a2a62a0,
    0x81350335, 0x998c0402, 0x14b63bfb, 0x3bfb7ba4, 0x1aa63721, 0x28ed9435, 0x3802ba51, 0xaf4ba013,
    0x2fc645cb, 0x2fc14f31, 0x38537c8e, 0xa0b486a0, 0xe80a278c, 0xc80e1f0b, 0xeba40a8a, 0xcd29005c,
    0x22e1a161, 0xce02840b, 0x54fec7ab, 0x8bbbc8d7, 0xa5201a74, 0x88042364, 0x8bd23f0e, 0x1befff7d,
    0xe8afff5a, 0x5b7afbc1, 0x1921454d, 0x39ea0104, 0x0665d851, 0xa90a9fc0, 0x808263d7, 0x34046762,
    0x001182c2, 0x418ad090, 0xd0e0845a, 0x5900447a, 0xb7100e9d, 0x088e5c80, 0x940a42e0, 0x60c0817a,
    0x89d16341, 0x8a57c200, 0x02884000, 0x03529f34, 0x0021c0a1, 0x10d04128, 0x6c021707, 0xe4132c15,
    0x814c2b58, 0x4c09b308, 0xec83e481, 0x10808653, 0x080c081c, 0x0000484d, 0x8010480c, 0x06800011,
    0x20220664, 0x00338413, 0x45961c00, 0x62202804, 0xd20c0429, 0x40084340, 0xc32a40a2, 0x2649da14,
    0x9670a090, 0x4792eeb5, 0x05f3cb90, 0x235866a5, 0x624c25de, 0x4a08c138, 0x151f2c60, 0x88001568,
    0x990a129a, 0x10420229, 0x04000643, 0x80d00444, 0x0c040000, 0x700c0080, 0x01c01206, 0x0820024a,
    0x20001b00, 0x01110410, 0xbfbb0009, 0xa52b0e58, 0x7f809baa, 0xe3794c7f, 0xe00d10f4, 0x9f615bf6,
    0x2552efd2, 0xf7821094, 0x7123ef67, 0x82029137, 0x08931006, 0x818a2a02, 0x02040000, 0x28512542,
    0x0ad240c2, 0x00102294, 0x00011080, 0x00008200, 0x20100090, 0x35000000, 0x60542200, 0x609e4be6,
    0xbd63116e, 0x21c868e0, 0x88b0102d, 0xfb5c080e, 0xd6f984d0, 0x41e028c1, 0xa4480716, 0xc4c8100d,
    0x89bc8d1f, 0x16a2a2e1, 0x22ac5540, 0x9a833e74, 0x53871fb3, 0x22a05703, 0x23c03068, 0xa9220c81,
    0x3874c007, 0x08208fa3, 0x02252848, 0x9049bf3c, 0x84503230, 0x39749149, 0x95220ce0, 0x0e5bebc3,
    0x9c24e343, 0xc0900098, 0xa5227990, 0x50e1498c, 0x04134c04, 0x40445b90, 0x00042f84, 0xd5e40048,
    0x8d67f501, 0xc0dd4406, 0x091e6b83, 0xd249fac8, 0x0dee0651, 0xb2221937, 0x9fdd7bf4, 0xf09af3ec,
    0xec424386, 0x64008d3b, 0xc021f264, 0x0cc64b8e, 0x0b45939d, 0x058817af, 0x0c45a241, 0x2210660a,
    0x50d9a067, 0x64503400, 0x811605d0, 0x0f00a280, 0x462f01a4, 0xd82d7a34, 0x45146cb6, 0x4c973045,
    0x33148041, 0xcb409c18, 0x6bf29320, 0x01b5104c, 0x9aa3188c, 0x3281bab2, 0x00c0d822, 0x04c233e5,
    0x8038d4c5, 0x5002a1b1, 0x642c9a2e, 0x44d1c150, 0x21c22394, 0x03124904, 0x324002d0, 0xd39d1241,
    0xa8b02b09, 0x2432fdc0, 0xd0cbc24d, 0xd0afa523, 0x34a90a92, 0x01d18c0c, 0x761f8010, 0x803a9225,
    0x01ca89a0, 0x33800602, 0x001b116f, 0x80400328, 0xa098006e, 0x002ba1c6, 0x85a42a11, 0x0e264089,
    0x00046020, 0xa0012000, 0x6c180400, 0x12a06909, 0x18300044, 0x08906948, 0x0809380a, 0x20082100,
    0xc20a0426, 0x2722040a, 0x83000990, 0x40020806, 0x10910011, 0x0908d00d, 0x2c08000c, 0x0c001020,
    0x00410410, 0x6404008f, 0x92015280, 0x9b8404fe, 0x01400e48, 0x94b4c010, 0x0efca863, 0x20009802,
    0x885b8120, 0x4119d9dc, 0xeaa16287, 0x66550513, 0x8b55b36e, 0xfb0a5cf2, 0x58e81632, 0x382b852f,
    0x48845802, 0x7b664ea0, 0x060a4ce2, 0x03905660, 0xa83857a4, 0x9124c7da, 0x474618f1, 0x0eaa5d52,
    0x2e912420, 0x4514b27b, 0x89506418, 0xc004c288, 0x31410228, 0x14508ca4, 0x443a18b6, 0xc0949372,
    0x00388046, 0xc10e9e0d, 0xd9122000, 0x1501e051, 0x10804151, 0x025a00d3, 0x8924000f, 0x4403da13,
    0xad228a40, 0x40050100, 0x41021000, 0xf161a818, 0x02344600, 0x3708f810, 0x8b00850e, 0x2280bad0,
    0x16200600, 0x00410042, 0x52405240, 0x200053f0, 0x82148410, 0x42021100, 0x92254318, 0x591070e1,
    0x08012040, 0x6fe33500, 0xab4411c0, 0x26348287, 0x08440413, 0x02409084, 0x42814115, 0x33837203,
    0x1a484000, 0xc0d04e20, 0x00814030, 0x0da52100, 0x88400ad1, 0x088d8b20, 0x40012401, 0x40006401,
    0x08012668, 0x94788564, 0xde200002, 0x4041a618, 0xd1000809, 0xa00103c8, 0x14508400, 0x00c0405d,
    0x95203010, 0x29af3b64, 0x3610d820, 0x81510c64, 0xa6828cc0, 0x732cc83e, 0x4b3427a4, 0x861f040d,
    0x80082a03, 0x05100ed7, 0x81441044, 0x7906522e, 0x044a49d4, 0x84134000, 0xd9d7e56c, 0x5314c4ba,
    0x80000a82, 0x55c08301, 0x58008003, 0xa2001d6e, 0xc00658b0, 0xb80936a1, 0x1c880080, 0xe008ea2c,
    0xa4543006, 0x419520a1, 0x20244029, 0x9080d800, 0x818a7200, 0x541b0288, 0x04210c22, 0x04909180,
    0x02004002, 0x54001c40, 0xe4e103c3, 0x85802121, 0x0000e012, 0xee0a44c0, 0x81062b4b, 0x290182d8,
    0xd4906921, 0xb88a4001, 0x00807841, 0x86d00a07, 0xb1e6211a, 0x8400c621, 0xc2400cb0, 0xa640a029,
    0x4a120840, 0x14005141, 0x0857aa40, 0x42a04081, 0x20b0a891, 0x01122203, 0x0a0812d3, 0x40824253,
    0x40023080, 0xe1800c8a, 0x80013009, 0x280c5039, 0x81a40200, 0x622a4430, 0xf2600400, 0x49018085,
    0x1eb12ef5, 0x120fc887, 0x4821005d, 0x020f4146, 0x500a8002, 0xed373005, 0x67040480, 0x0a149309,
    0x68030700, 0xe2b6c808, 0x4634016a, 0x32082e02, 0x10589004, 0xa7ee9cd5, 0xf72ee5f8, 0xb1b926ec,
    0x25784271, 0x25504301, 0x84b31110, 0x02a54604, 0x44105d20, 0xb3448312, 0x81345022, 0x1a0b4203,
    0x13a7387b, 0xa9480540, 0x45541c44, 0xe0cf8400, 0x2d481af8, 0xc416ce37, 0x7c40505b, 0x355ba032,
    0x044b8764, 0x43038a18, 0x003b5c40, 0xcf1b4860, 0x3d008505, 0xe4080301, 0x8500a24d, 0x5c1835ac,
    0xd81537e5, 0x02e31d04, 0x03000880, 0x448fc040, 0xb2042804, 0x6b8bb068, 0xd89ea080, 0x020288e8,
    0x0080427e, 0x03761980, 0x04158649, 0x1980889a, 0x414c4640, 0x22860885, 0x901094a2, 0x21178201,
    0x20007c98, 0x312211b0, 0x08800240, 0x00a23a4a, 0x52010804, 0x91040000, 0xa04a0e51, 0x80005000,
    0x049a0040, 0x3080382a, 0x42000708, 0x40102700, 0x18120490, 0x06018740, 0x2021a200, 0x0e800630,
    0x04820cc0, 0x81002000, 0xdc33c000, 0x6e020880, 0x10281407, 0x00628618, 0xca110ed1, 0x4a016010,
    0x11ac05cd, 0x88900226, 0x02a85280, 0x01500141, 0xc000200c, 0x0c080804, 0x00060941, 0x4a049001,
    0x80302020, 0x0a42000e, 0x2a983021, 0x2281192e, 0x50442916, 0x00022800, 0xb3340426, 0x23188112,
    0x042d0484, 0x29440c22, 0xc0400010, 0x80049411, 0x1048884a, 0x24041440, 0x00140377, 0x11100048,
    0xa9ebd50d, 0x5c52242c, 0x48710042, 0x1a0f7b4d, 0x452a36a0, 0x924505fb, 0x18442a94, 0x55ca68c0,
    0x2a814417, 0x02001901, 0x9700c242, 0x20919840, 0x144c0401, 0xf74deb3e, 0x6ca23773, 0x6db6b8ee,
    0x14896d6a, 0x8093335c, 0x04315342, 0x06083c06, 0x60083604, 0xb9dc9f87, 0x500e05bf, 0x3d10345f,
    0xe8c8a520, 0xd7b3fffe, 0x4d51dc1e, 0x00f928df, 0x82200c22, 0x44180108, 0xac025848, 0x14288552,
    0xe0019400, 0x02320e06, 0x82200f14, 0x94543058, 0x000a2ea6, 0x04049c02, 0x8814bc01, 0x59000000,
    0xf83c0608, 0xc9088660, 0x80106234, 0xa811d3c2, 0xdaeb0768, 0x6207eb48, 0xfb1341f6, 0x27912d74,
    0xeef5a66f, 0x5966400d, 0x7bbbec86, 0xb5b4632d, 0x002b8d9f, 0x0b62c44c, 0x2002440a, 0x61302186,
    0x43840204, 0x02132080, 0x64843f00, 0x81f25628, 0x5c040a88, 0x04125808, 0x3383fee3, 0x002022c8,
    0x40332280, 0xe3900008, 0x0c822a21, 0x19100010, 0x114a0021, 0x188c1100, 0x000400a2, 0x11010410,
    0x07210010, 0x0048c947, 0x0c102c00, 0x40211020, 0x05d00404, 0x00095004, 0xb1c22108, 0x20000116,
    0x01000008, 0x052c4800, 0x00060010, 0xf0850419, 0xe20c4300, 0x482a43e7, 0x3000006f, 0x4547300a,
    0x06831933, 0x0a01e17a, 0x10032483, 0x80c12008, 0x011eca0d, 0x0802233a, 0x10711d40, 0x2f95e506,
    0x90134227, 0x887e5402, 0x692139f5, 0x21fd171e, 0x1b31ec70, 0x4b520580, 0x5a64bef3, 0x4ac4870c,
    0x504ae2d1, 0x63050490, 0x5a440114, 0x10580347, 0x0100a820, 0x00002049, 0x10081a4a, 0x8a6822c0,
    0x118f156e, 0x0b812812, 0x4908f040, 0xeee388a0, 0x31cb05f6, 0x144a8191, 0xc9004010, 0x7014a684,
    0x4d0d1628, 0xe0204102, 0x50a60220, 0x9467e020, 0x02448962, 0x001a7120, 0xaa270002, 0x80022004,
    0x02404002, 0x40a10800, 0x8ca02029, 0x5a5bf424, 0x048298d4, 0x11818112, 0x015e8002, 0x0800e042,
    0x04002048, 0x100601ac, 0x0512e036, 0x00808000, 0x00020000, 0x00006c00, 0x08400701, 0x20000180,
    0x00082000, 0x48022020, 0x80d00200, 0x11800000, 0x10002002, 0x01000010, 0x40400008, 0x00580220,
    0x08240248, 0x88000148, 0x20020000, 0x00041403, 0x00000200, 0x01108000, 0x00880004, 0x06000020,
    0xcc000000, 0xa028a06a, 0x00008428, 0xb2210010, 0xa08c0804, 0x58300260, 0x7912f018, 0x00908101,
    0x02284080, 0x48109001, 0x90050c00, 0x808414ca, 0x96112810, 0x00000000, 0x00000000, 0x00000000,
};

/* A character that real text is mostly made of: a common Han character or
 * the punctuation of Chinese text.  Mojibake characters are drawn from the
 * whole GBK table and are mostly not. */
static bool is_common(uint32_t c)
{
    if (c >= 0x4E00 && c <= 0x9FFF) {
        uint32_t k = c - 0x4E00;
        return (common_han[k >> 5] >> (k & 31)) & 1;
    }
    return (c >= 0x3000 && c <= 0x3003) || (c >= 0x3008 && c <= 0x3011) ||
           (c >= 0xFF01 && c <= 0xFF5E) || c == 0x2014 || c == 0x2018 || c == 0x2019 ||
           c == 0x201C || c == 0x201D || c == 0x2026 || c == 0x00B7;
}

/* What a character can be in a misaligned run:
 *  STRONG  a double-byte GBK character,
 *  WEAK    a double-byte Latin letter (pinyin ā, é, ü...): part of a run only
 *          when a STRONG one follows, so that real pinyin next to Han text
 *          does not start or extend runs,
 *  ASCII   a printable ASCII character: inside a run it stands for its
 *          full-width form (A3xx, folded by some earlier NFKC); at the end it
 *          can be the single-byte trail (0x40-0x7E) that realigns the stream,
 *  EURO    U+20AC: what CP936 decoders make of a lone 0x80 trail byte. */
enum mj_kind { MJ_OTHER, MJ_ASCII, MJ_EURO, MJ_WEAK, MJ_STRONG };

static bool is_latin(uint32_t c) { return (c >= 0xC0 && c <= 0x2AF) || (c >= 0x1E00 && c <= 0x1EFF); }
static bool is_kana(uint32_t c) { return c >= 0x3040 && c <= 0x30FF; }

/* Cheap guess by code point ranges: a superset of the double-byte GBK
 * repertoire, used to find spans worth a closer look. */
static enum mj_kind kind_guess(uint32_t c)
{
    if (c >= 0x21 && c <= 0x7E)
        return MJ_ASCII;
    if (c == 0x20AC)
        return MJ_EURO;
    if (is_latin(c))
        return MJ_WEAK;
    if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA4 && c <= 0xBF) || (c >= 0x2C7 && c <= 0x2D9) ||
        (c >= 0x391 && c <= 0x451) || (c >= 0x2010 && c <= 0x2642) || (c >= 0x2E81 && c <= 0x4DBF) ||
        (c >= 0xE000 && c <= 0xE864) || (c >= 0xF900 && c <= 0xFA2D) || (c >= 0xFE30 && c <= 0xFE6B) ||
        (c >= 0xFF01 && c <= 0xFFE5))
        return MJ_STRONG;
    return MJ_OTHER;
}

/* kind_guess(), is_common() and hf_repair_mojibake_suspect() of the BMP in
 * one byte per code point (kind | common << 3 | suspect << 4), built once:
 * the scan asks them of every character of every record.  The reference
 * path (ref) asks the functions. */
static uint8_t mj_bmp[0x10000];
static pthread_once_t mj_once = PTHREAD_ONCE_INIT;

#define MJ_BMP_SUSPECT 0x10

static void mj_bmp_init(void)
{
    for (uint32_t c = 0; c < 0x10000; c++)
        mj_bmp[c] = (uint8_t)(kind_guess(c) | is_common(c) << 3 |
                              (hf_repair_mojibake_suspect(c) ? MJ_BMP_SUSPECT : 0));
}

static inline enum mj_kind kind_of(bool ref, uint32_t c)
{
    return c < 0x10000 && !ref ? (enum mj_kind)(mj_bmp[c] & 7) : kind_guess(c);
}

static inline bool common_of(bool ref, uint32_t c)
{
    return c < 0x10000 && !ref ? mj_bmp[c] >> 3 & 1 : is_common(c);
}

/* Per-call converters, opened only when a suspicious span turns up. */
struct mj {
    iconv_t enc; /* UTF-8 -> GB18030 */
    iconv_t dec; /* GB18030 -> UTF-8 */
    int state;   /* 0 not tried, 1 open, -1 unavailable */
    bool ref;    /* the reference path: no tables */
};

static bool mj_open(struct mj *m)
{
    if (m->state == 0) {
        m->enc = iconv_open("GB18030", "UTF-8");
        m->dec = iconv_open("UTF-8", "GB18030");
        if (m->enc == (iconv_t)-1 || m->dec == (iconv_t)-1) {
            if (m->enc != (iconv_t)-1)
                iconv_close(m->enc);
            if (m->dec != (iconv_t)-1)
                iconv_close(m->dec);
            m->state = -1;
        } else {
            m->state = 1;
        }
    }
    return m->state == 1;
}

static void mj_close(struct mj *m)
{
    if (m->state == 1) {
        iconv_close(m->enc);
        iconv_close(m->dec);
    }
    m->state = 0;
}

/* GB18030 bytes of the code point at s[0..len) into gb; returns their number
 * (0 if it cannot be converted). */
/* The two-byte GB18030 code of every BMP code point (0: none), from one
 * iconv call over all of them: the fast path's mj_encode() looks codes up
 * instead of calling iconv per character (every suspect character of clean
 * text is tried as the start of a UTF-8-as-GBK run). */
static uint16_t gb2_bmp[0x10000];
static pthread_once_t gb2_once = PTHREAD_ONCE_INIT;

static void gb2_init(void)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    if (cd == (iconv_t)-1)
        return; /* all 0: mj_encode() falls back to the converter */
    enum { CHUNK = 4096 };
    static char in[CHUNK * 3], outb[CHUNK * 4];
    static uint32_t cps[CHUNK];
    static size_t offs[CHUNK + 1];
    uint32_t next = 0x80;
    while (next < 0x10000) {
        /* the double-byte repertoire lies in the ranges kind_guess() calls
         * STRONG or WEAK: only those are asked (a character outside them
         * goes to the converter) */
        size_t n = 0, k = 0;
        for (; next < 0x10000 && k < CHUNK; next++) {
            if ((next >= 0xD800 && next <= 0xDFFF) || kind_guess(next) < MJ_WEAK)
                continue;
            cps[k] = next;
            offs[k++] = n;
            uint32_t c = next;
            in[n++] = (char)(c < 0x800 ? 0xC0 | c >> 6 : 0xE0 | c >> 12);
            if (c >= 0x800)
                in[n++] = (char)(0x80 | (c >> 6 & 0x3F));
            in[n++] = (char)(0x80 | (c & 0x3F));
        }
        offs[k] = n;
        size_t done = 0; /* characters of cps[] converted or given up */
        while (done < k) {
            char *ip = in + offs[done], *op = outb;
            size_t il = n - offs[done], ol = sizeof outb;
            size_t r = iconv(cd, &ip, &il, &op, &ol);
            /* the characters before ip were converted: codes are 1, 2 or 4
             * bytes long, 4 when the second byte is a digit */
            size_t upto = done;
            while (upto < k && offs[upto] < (size_t)(ip - in))
                upto++;
            const uint8_t *q = (const uint8_t *)outb, *qe = (const uint8_t *)op;
            for (size_t j = done; j < upto && q < qe; j++) {
                size_t len = q[0] < 0x80 ? 1 : q + 1 < qe && q[1] >= 0x30 && q[1] <= 0x39 ? 4 : 2;
                if (len == 2)
                    gb2_bmp[cps[j]] = (uint16_t)(q[0] << 8 | q[1]);
                q += len;
            }
            done = upto;
            if (r == (size_t)-1) {
                iconv(cd, NULL, NULL, NULL, NULL);
                done++; /* a character GB18030 (glibc) refuses: none */
            }
        }
    }
    iconv_close(cd);
}

static size_t mj_encode(struct mj *m, const char *s, size_t len, uint32_t c, uint8_t gb[4])
{
    /* Windows CP936 maps A8BC and A8BF to these private-use code points;
     * GB18030-2005 (glibc) gave both bytes pairs to real letters and moved
     * the PUA code points to four-byte codes.  Mojibake made by CP936
     * decoders contains them, so map them back by hand. */
    if (c == 0xE7C7 || c == 0xE7C8) {
        gb[0] = 0xA8;
        gb[1] = c == 0xE7C7 ? 0xBC : 0xBF;
        return 2;
    }
    if (!m->ref && c >= 0x80 && c < 0x10000) {
        pthread_once(&gb2_once, gb2_init);
        uint16_t g = gb2_bmp[c];
        if (g) {
            gb[0] = (uint8_t)(g >> 8);
            gb[1] = (uint8_t)g;
            return 2;
        }
        /* callers want two-byte codes: no need to know what else it is
         * (unless the table could not be made, or c is outside it) */
        if (gb2_bmp[0x4E00] && kind_guess(c) >= MJ_WEAK)
            return 0;
    }
    if (!mj_open(m))
        return 0;
    char *in = (char *)s; /* iconv's prototype is not const-correct */
    size_t inleft = len;
    char *o = (char *)gb;
    size_t outleft = 4;
    if (iconv(m->enc, &in, &inleft, &o, &outleft) == (size_t)-1 || inleft != 0) {
        iconv(m->enc, NULL, NULL, NULL, NULL);
        return 0;
    }
    return 4 - outleft;
}

/* Decodes the byte pair (b0, b1) as one GB18030 character; false if it is
 * not exactly one character. */
static bool mj_pair(struct mj *m, uint8_t b0, uint8_t b1, uint32_t *c)
{
    char in2[2] = {(char)b0, (char)b1};
    char u[8];
    char *in = in2, *o = u;
    size_t inleft = 2, outleft = sizeof u;
    if (iconv(m->dec, &in, &inleft, &o, &outleft) == (size_t)-1 || inleft != 0) {
        iconv(m->dec, NULL, NULL, NULL, NULL);
        return false;
    }
    size_t ulen = sizeof u - outleft;
    int l = hf_utf8_next((const uint8_t *)u, ulen, c);
    return l > 0 && (size_t)l == ulen;
}

static bool mj_pair_common(struct mj *m, uint8_t b0, uint8_t b1)
{
    uint32_t c;
    return mj_pair(m, b0, b1, &c) && is_common(c);
}

/* Exact kind of the code point c at s[i..i+len), with its two GBK bytes for
 * STRONG and WEAK. */
static enum mj_kind kind_exact(struct mj *m, const char *s, size_t i, size_t len, uint32_t c, uint8_t gb[4])
{
    if (c < 0x80)
        return c >= 0x21 && c <= 0x7E ? MJ_ASCII : MJ_OTHER;
    if (c == 0x20AC)
        return MJ_EURO;
    if (mj_encode(m, s + i, len, c, gb) != 2)
        return MJ_OTHER;
    return is_latin(c) ? MJ_WEAK : MJ_STRONG;
}

static enum mj_kind kind_exact_at(struct mj *m, const char *s, size_t n, size_t i)
{
    uint8_t gb[4];
    uint32_t c;
    if (i >= n)
        return MJ_OTHER;
    int l = next_cp(s, n, i, &c);
    return kind_exact(m, s, i, (size_t)l, c, gb);
}

struct mj_run {
    size_t end;       /* offset after the run */
    size_t chars;     /* characters in the run */
    size_t nonascii;  /* of which non-ASCII */
    size_t common;    /* of which common (is_common) */
    size_t kana;      /* of which kana (U+3040..U+30FF) */
    size_t pairs;     /* byte pairs of the shifted decoding */
    size_t good;      /* of which decode to a common character */
    uint8_t dangling; /* the lead byte left over at the end, 0xFF for none */
};

/* Builds the run starting with the STRONG character at s[i] (limit: end of
 * the span) and measures it.  The first byte of the run is dropped: it is
 * the trail byte of the character before, read twice.  A final lone byte
 * (the lead of a character whose trail was swallowed) is dropped too.  With
 * out, appends the shifted decoding instead of only measuring it. */
static int mj_build(struct mj *m, const char *s, size_t limit, size_t i, struct mj_run *r, hf_buf *out)
{
    uint8_t gb[4];
    uint32_t c;
    int l = next_cp(s, limit, i, &c);
    kind_exact(m, s, i, (size_t)l, c, gb);
    /* The byte waiting for its partner; 0xFF (never part of a GBK code)
     * when none is. */
    uint8_t dangling = gb[1];
    *r = (struct mj_run){.chars = 1, .nonascii = 1, .common = is_common(c), .kana = is_kana(c)};
    size_t j = i + (size_t)l;

    /* An ASCII byte left over is a character of its own: the stream is
     * aligned again after it and the run is over. */
    while (j < limit && dangling >= 0x80) {
        l = next_cp(s, limit, j, &c);
        size_t next = j + (size_t)l;
        enum mj_kind k = kind_exact(m, s, j, (size_t)l, c, gb);
        bool take = false;
        if (k == MJ_STRONG) {
            take = true;
        } else if (k == MJ_WEAK) {
            take = kind_exact_at(m, s, limit, next) == MJ_STRONG;
        } else if (k == MJ_ASCII || k == MJ_EURO) {
            uint8_t t = k == MJ_EURO ? 0x80 : (uint8_t)c;
            if (t >= 0x40 && t != 0x7F && mj_pair_common(m, dangling, t)) {
                /* A single-byte trail: the stream is aligned again after it. */
                r->chars++;
                r->nonascii += c >= 0x80;
                r->pairs++;
                r->good++;
                if (out && mj_pair(m, dangling, t, &c) && hf_buf_put_cp(out, c))
                    return -ENOMEM;
                dangling = 0xFF; /* nothing left over */
                j = next;
                break;
            }
            /* '?' is where a decoder gave up (mj_extend()), not a ？ */
            if (k == MJ_ASCII && c != '?' && kind_exact_at(m, s, limit, next) >= MJ_WEAK) {
                gb[0] = 0xA3; /* the full-width form NFKC folded */
                gb[1] = (uint8_t)(c + 0x80);
                take = true;
            }
        }
        if (!take)
            break;
        uint32_t d;
        bool ok = mj_pair(m, dangling, gb[0], &d);
        r->pairs++;
        r->good += ok && is_common(d);
        if (out && hf_buf_put_cp(out, ok ? d : 0xFFFD))
            return -ENOMEM;
        dangling = gb[1];
        r->chars++;
        if (c >= 0x80) {
            r->nonascii++;
            r->common += is_common(c);
            r->kana += is_kana(c);
        }
        j = next;
    }
    /* A leftover ASCII byte is a whole character of the original (the 'A' in
     * ˋ = A8 41 of ...（A-AVG）); a leftover lead byte is lost. */
    if (out && dangling < 0x80 && hf_buf_putc(out, (char)dangling))
        return -ENOMEM;
    r->dangling = dangling;
    r->end = j;
    return 0;
}

/* A flattened reading without its opening parenthesis at s[i] (toned
 * syllables, then ')'): what is left of 內(nèi) when a decoder swallowed
 * the '(' with the byte before it.  Returns the offset after the ')', 0 if
 * there is none. */
static size_t reading_tail(const char *s, size_t n, size_t i)
{
    struct syllable syl;
    for (size_t count = 1;; count++) {
        if (!parse_syllable(s, n, i, &syl) || !syl.toned)
            return 0;
        size_t j = skip_spaces(s, n, syl.end);
        uint32_t c;
        if (j >= n)
            return 0;
        int l = next_cp(s, n, j, &c);
        if (is_close_paren(c))
            return j + (size_t)l;
        if (j == syl.end || count >= 4)
            return 0;
        i = j;
    }
}

static bool is_lost_mark(uint32_t c)
{
    return c == '?' || c == 0xFFFD;
}

static bool is_ascii_alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* The character ending right before s[i], when it starts at or after lo:
 * its offset, or SIZE_MAX. */
static size_t char_before(const char *s, size_t lo, size_t i)
{
    if (i <= lo)
        return SIZE_MAX;
    size_t k = i - 1;
    while (k > lo && ((uint8_t)s[k] & 0xC0) == 0x80 && i - k < 4)
        k--;
    uint32_t c;
    return hf_utf8_next((const uint8_t *)s + k, i - k, &c) == (int)(i - k) ? k : SIZE_MAX;
}

/* What an accepted run takes beyond its STRONG characters (mj_build).
 * Misaligned text is cut where a decoder met a byte it could not pair, and
 * wrote '?' (or U+FFFD) for it and for the byte that shares its unit; so
 * at both ends of a run:
 *  - before it, a printable ASCII character that was a full-width one (the
 *    ！ of 。” = A1A3 A1B1 read as A3A1): its second byte and the run's
 *    first make a character, taken when that is a common one;
 *  - before that, '?' (and the reading of what it replaced, its '('
 *    swallowed: ?nèi)): the unit that held the lead byte of the first
 *    character: that character is lost, and U+FFFD stands for it;
 *  - after the run, a lead byte left over and then '?' (and a reading
 *    again): the unit that held the trail byte: lost too.
 * The bytes read twice (no '?' before) stay dropped as before. */
struct mj_ext {
    size_t start;     /* offset of the run's first character, '?' included */
    size_t end;       /* offset after it, '?' and reading included */
    uint32_t ascii;   /* the full-width character taken before, 0 for none */
    uint32_t first;   /* what its second byte and the run's first make */
    bool lead_lost, trail_lost;
};

static void mj_extend(struct mj *m, const char *s, size_t n, size_t lo, size_t i, const struct mj_run *r,
                      struct mj_ext *x)
{
    *x = (struct mj_ext){.start = i, .end = r->end};
    uint32_t c;
    size_t k = char_before(s, lo, i);
    size_t k0 = k != SIZE_MAX ? char_before(s, lo, k) : SIZE_MAX;
    uint32_t c0 = 0;
    if (k0 != SIZE_MAX)
        next_cp(s, n, k0, &c0);
    /* a folded full-width punctuation mark, itself after a '?' */
    if (k != SIZE_MAX && is_lost_mark(c0) &&
        (next_cp(s, n, k, &c), c > 0x20 && c < 0x7F && c != '?' && !is_ascii_alnum(c))) {
        uint8_t gb[4];
        uint32_t f, d = 0;
        int l = next_cp(s, n, i, &f);
        if (mj_encode(m, s + i, (size_t)l, f, gb) == 2 && mj_pair(m, (uint8_t)(c + 0x80), gb[0], &d) &&
            is_common(d)) {
            x->start = k;
            x->ascii = c;
            x->first = d;
        }
    }
    /* '?', or '?' and a reading, right before */
    k = char_before(s, lo, x->start);
    if (k != SIZE_MAX) {
        next_cp(s, n, k, &c);
        if (is_lost_mark(c)) {
            x->start = k;
            x->lead_lost = true;
        } else if (is_close_paren(c)) {
            /* back over the reading (letters, tone marks, spaces) to a '?' */
            for (size_t q = k; q > lo && k - q < 48;) {
                q = char_before(s, lo, q);
                if (q == SIZE_MAX)
                    break;
                int ql = next_cp(s, n, q, &c);
                if (is_lost_mark(c)) {
                    if (reading_tail(s, n, q + (size_t)ql) == x->start) {
                        x->start = q;
                        x->lead_lost = true;
                    }
                    break;
                }
                if (c == '(' || c == 0xFF08 || c == ')' || c == 0xFF09)
                    break;
            }
        }
    }
    if (r->dangling >= 0x80 && r->end < n) {
        int l = next_cp(s, n, r->end, &c);
        if (is_lost_mark(c)) {
            x->trail_lost = true;
            x->end = r->end + (size_t)l;
            size_t t = reading_tail(s, n, x->end);
            if (t)
                x->end = t;
        }
    }
}

/* The verdict.  Measured on the seeds and the evaluation sentences (see
 * data/README): real runs have 17-67% common characters and decode to 100%
 * common ones; clean runs have >= 70% and their shifted decoding is noise
 * (about half common).  Four pairs at least: three common pairs in a row
 * happen by chance in clean text. */
static bool mj_accept(const struct mj_run *r)
{
    /* Japanese text is a third to two thirds kana, which GBK has and no
     * common Chinese character is (its runs looked like mojibake: 198 of
     * 14887 lines of rust-by-example/ja were rewritten); in a misaligned
     * run kana need a trail byte of A4 or A5, a few in a hundred: one in
     * five refuses a run. */
    if (r->kana * 5 >= r->nonascii)
        return false;
    return r->chars >= 4 && r->pairs >= 4 && r->nonascii > 0 && r->common * 10 < r->nonascii * 7 &&
           r->good * 10 >= r->pairs * 9;
}

/* Finds the misaligned runs of s.  Without out only counts them; with out
 * appends s with the runs replaced by their shifted decoding. */
static int mj_scan(const char *s, size_t n, hf_buf *out, size_t *found, bool ref)
{
    pthread_once(&mj_once, mj_bmp_init);
    struct mj m = {.state = 0, .ref = ref};
    size_t count = 0;
    size_t copied = 0;
    int err = 0;
    size_t i = 0;

    while (i < n && !err) {
        uint32_t c;
        int l = next_cp(s, n, i, &c);
        if (kind_of(ref, c) != MJ_STRONG) {
            i += (size_t)l;
            continue;
        }
        /* Cheap pass: the span of characters that could belong to a run, by
         * code point ranges only, and its share of common characters.  Clean
         * text (>= 70% common) stops here without touching iconv. */
        size_t start = i, j = i;
        size_t chars = 0, nonascii = 0, common = 0;
        bool suspicious = false;
        while (j < n) {
            /* well-formed three-byte STRONG characters, the bulk of Chinese
             * text, in a loop of their own (not on the reference path) */
            while (!ref && n - j >= 3) {
                const uint8_t *q = (const uint8_t *)s + j;
                if ((q[0] & 0xF0) != 0xE0 || ((q[1] ^ 0x80) | (q[2] ^ 0x80)) & 0xC0)
                    break;
                uint32_t c3 = (uint32_t)(q[0] & 0x0F) << 12 | (uint32_t)(q[1] & 0x3F) << 6 | (q[2] & 0x3F);
                uint8_t v = mj_bmp[c3];
                if (c3 < 0x800 || (c3 >= 0xD800 && c3 <= 0xDFFF) || (v & 7) != MJ_STRONG)
                    break;
                chars++;
                nonascii++;
                common += v >> 3 & 1;
                j += 3;
            }
            if (j >= n)
                break;
            l = next_cp(s, n, j, &c);
            size_t next = j + (size_t)l;
            enum mj_kind k = kind_of(ref, c);
            bool tail = false;
            if (c == '?') {
                break; /* see mj_build() */
            } else if (k == MJ_WEAK || k == MJ_ASCII) {
                uint32_t d = 0;
                enum mj_kind nk = next < n ? (next_cp(s, n, next, &d), kind_of(ref, d)) : MJ_OTHER;
                if (k == MJ_WEAK && nk != MJ_STRONG)
                    break;
                if (k == MJ_ASCII && nk < MJ_WEAK) {
                    if (c < 0x40 || c == 0x7F)
                        break;
                    tail = true;
                }
            } else if (k == MJ_EURO) {
                tail = true;
            } else if (k != MJ_STRONG) {
                break;
            }
            chars++;
            if (c >= 0x80) {
                nonascii++;
                common += common_of(ref, c);
            }
            j = next;
            if (tail)
                break;
            /* A letter may be a single-byte trail that realigns the stream,
             * with clean text after it: judge the pieces separately so that
             * the clean part does not hide the garbled one. */
            if (c >= 0x40 && c <= 0x7E) {
                suspicious |= chars >= 4 && common * 10 < nonascii * 7;
                chars = nonascii = common = 0;
            }
        }
        i = j;
        suspicious |= chars >= 4 && common * 10 < nonascii * 7;
        if (!suspicious)
            continue;
        if (!mj_open(&m))
            break; /* no converter: nothing can be said, leave the text alone */

        /* Exact pass over the span: runs of double-byte GBK characters. */
        size_t p = start;
        while (p < j) {
            uint8_t gb[4];
            l = next_cp(s, j, p, &c);
            if (kind_exact(&m, s, p, (size_t)l, c, gb) != MJ_STRONG) {
                p += (size_t)l;
                continue;
            }
            struct mj_run r;
            mj_build(&m, s, j, p, &r, NULL);
            if (mj_accept(&r)) {
                struct mj_ext x;
                mj_extend(&m, s, n, copied, p, &r, &x);
                count++;
                if (out) {
                    if (hf_buf_append(out, s + copied, x.start - copied) ||
                        (x.lead_lost && hf_buf_put_cp(out, 0xFFFD)) || (x.ascii && hf_buf_put_cp(out, x.first)) ||
                        mj_build(&m, s, j, p, &r, out) || (x.trail_lost && hf_buf_put_cp(out, 0xFFFD))) {
                        err = -ENOMEM;
                        break;
                    }
                }
                copied = x.end;
                /* the span's scan resumes after what the run took */
                p = x.end;
                if (p > j)
                    j = p;
                continue;
            }
            p = r.end;
        }
        if (j > i)
            i = j; /* a run took a '?' or a reading after the span */
    }
    if (out && !err && hf_buf_append(out, s + copied, n - copied))
        err = -ENOMEM;
    mj_close(&m);
    *found = count;
    return err;
}

/* ======================================================================
 * UTF-8 read as GBK
 * ======================================================================
 *
 * The commonest Chinese mojibake: UTF-8 bytes decoded as GBK (CP936), so
 * that 你好 (E4 BD A0 E5 A5 BD) reads 浣犲ソ (E4BD A0E5 A5BD).  Every byte is
 * still there: encoding such a run back to GBK gives UTF-8.  A decoder that
 * meets a byte it cannot pair writes U+FFFD (or '?', or for 0x80 the euro
 * sign of CP936): inside a run, where UTF-8 needs a continuation byte, that
 * is 0x80 (the one continuation byte no GBK code starts with); at the end
 * it is the last byte of a character, which is lost.
 *
 * A run is tried from each suspect character (hf_repair_mojibake_suspect():
 * GBK's rows that UTF-8 lead bytes fall in are rare characters), extended
 * while its GBK bytes stay well-formed UTF-8, and accepted when its
 * decoding is clearly Chinese text: at least two non-ASCII characters, nine
 * in ten of them common (is_common()), where the run itself has fewer than
 * seven in ten common characters (as for the misaligned runs). */

struct u8g_run {
    size_t end;      /* offset in s after the run */
    size_t outlen;   /* out->len after its decoding (u8g_build with out) */
    bool lost;       /* the run ends in a character whose last byte is lost */
    size_t s_nonascii, s_common, s_suspect;
    size_t d_nonascii, d_common, d_lost;
    bool d_first_bad; /* the first character decoded is not a common one */
};

/* A character decoded at either end of a run: a clean character next to it
 * can read as a two-byte UTF-8 one (站 = D5BE is U+057E, 路 = C2B7 is the
 * common U+00B7), so only common three-byte characters count. */
static bool u8g_edge_ok(uint32_t d)
{
    return d < 0x80 || (d >= 0x800 && is_common(d));
}

/* GBK bytes of the character c at s[i..i+len) for a UTF-8-as-GBK run: 1 for
 * ASCII, 2 for double-byte characters, 0 when it cannot be in a run.  The
 * euro sign stands for 0x80 (CP936's single byte), U+FFFD for one byte a
 * decoder could not pair (*wild: its value is unknown). */
static size_t u8g_bytes(struct mj *m, const char *s, size_t i, size_t len, uint32_t c, uint8_t gb[4], bool *wild)
{
    *wild = false;
    if (c < 0x80) {
        gb[0] = (uint8_t)c;
        return 1;
    }
    if (c == 0x20AC || c == 0xFFFD) {
        *wild = c == 0xFFFD;
        gb[0] = 0x80;
        return 1;
    }
    enum mj_kind k = kind_of(m->ref, c);
    if (k != MJ_STRONG && k != MJ_WEAK)
        return 0;
    return mj_encode(m, s + i, len, c, gb) == 2 ? 2 : 0;
}

/* The longest run starting at s[i] whose GBK bytes are well-formed UTF-8
 * ending at a character boundary of both, or in a lost byte ('?' or U+FFFD
 * where a character still lacks bytes).  A character with an unknown byte
 * is lost (U+FFFD).  With out, appends the decoding.  Returns 1, 0 when
 * there is no run, or -ENOMEM. */
static int u8g_build(struct mj *m, const char *s, size_t n, size_t i, struct u8g_run *best, hf_buf *out)
{
    uint8_t pend[4];
    size_t plen = 0, need = 0;
    bool pwild = false; /* pend holds an unknown byte */
    bool last_ok = false; /* the last character decoded may end a run */
    struct u8g_run cur = {.outlen = out ? out->len : 0};
    bool found = false;
    size_t j = i;
    {
        /* Cheap refusals, implied by u8g_accept(): the first character
         * decoded must be a three-byte one (E0..EF), unless a decoder
         * replaced its lead byte (U+FFFD); a run from an ASCII character
         * is the run from the next one. */
        uint32_t c;
        uint8_t gb[4];
        int l = next_cp(s, n, i, &c);
        if (c < 0x80 || (c != 0xFFFD && (kind_of(m->ref, c) < MJ_WEAK || mj_encode(m, s + i, (size_t)l, c, gb) != 2 ||
                                         gb[0] < 0xE0 || gb[0] > 0xEF)))
            return 0;
    }
    while (j < n) {
        uint32_t c;
        int l = next_cp(s, n, j, &c);
        uint8_t gb[4];
        bool wild;
        if (plen && (c == 0xFFFD || c == '?')) {
            /* everything decoded so far, then the lost character */
            *best = cur;
            best->end = j + (size_t)l;
            best->outlen = out ? out->len : 0;
            best->lost = true;
            found = true;
        }
        size_t nb = u8g_bytes(m, s, j, (size_t)l, c, gb, &wild);
        if (nb == 0 || (c < 0x80 && plen))
            break;
        bool bad = false;
        for (size_t b = 0; b < nb && !bad; b++) {
            if (plen == 0) {
                uint8_t x = gb[b];
                /* an unknown lead: Chinese text is three-byte characters */
                need = wild ? 3 : x < 0x80 ? 1 : x >= 0xC2 && x <= 0xDF ? 2 : x >= 0xE0 && x <= 0xEF ? 3
                     : x >= 0xF0 && x <= 0xF4 ? 4 : 0;
                bad = need == 0;
            } else {
                bad = !wild && (gb[b] & 0xC0) != 0x80;
            }
            if (bad)
                break;
            pwild |= wild;
            pend[plen++] = gb[b];
            if (plen < need)
                continue;
            uint32_t d = 0xFFFD;
            if (!pwild && hf_utf8_next(pend, plen, &d) != (int)plen) {
                bad = true;
                break;
            }
            bool first = !cur.d_lost && !cur.d_nonascii;
            /* an ASCII byte that was the trail of a GBK pair is no edge */
            last_ok = pwild || (d < 0x80 ? c < 0x80 : u8g_edge_ok(d));
            if (pwild) {
                cur.d_lost++;
            } else if (d >= 0x80) {
                cur.d_nonascii++;
                cur.d_common += is_common(d);
                cur.d_first_bad |= first && !u8g_edge_ok(d);
            }
            if (out && (pwild ? hf_buf_put_cp(out, 0xFFFD) : hf_buf_append(out, pend, plen)))
                return -ENOMEM;
            plen = 0;
            pwild = false;
        }
        if (bad)
            break;
        if (c >= 0x80) {
            cur.s_nonascii++;
            cur.s_common += is_common(c);
            cur.s_suspect += hf_repair_mojibake_suspect(c);
        }
        j += (size_t)l;
        if (plen == 0 && last_ok) {
            cur.end = j;
            cur.lost = false;
            cur.outlen = out ? out->len : 0;
            *best = cur;
            found = true;
        }
    }
    if (!found)
        return 0;
    if (out) {
        out->len = best->outlen;
        if (out->p)
            out->p[out->len] = '\0';
        if (best->lost && hf_buf_put_cp(out, 0xFFFD))
            return -ENOMEM;
    }
    return 1;
}

/* Clearly Chinese text: two non-ASCII characters at least, nine in ten of
 * them common, the first one too (a clean character before the run can
 * read as UTF-8: 站 = D5BE is U+057E), at most one lost character in two;
 * from a run with fewer than seven common characters in ten and a suspect
 * one (the count skips text without: first_suspect()). */
static bool u8g_accept(const struct u8g_run *r)
{
    return r->d_nonascii >= 2 && r->d_common * 10 >= r->d_nonascii * 9 && !r->d_first_bad &&
           r->d_lost <= r->d_nonascii && r->s_common * 10 < r->s_nonascii * 7 && r->s_suspect > 0;
}

static inline bool suspect_of(bool ref, uint32_t c)
{
    return c < 0x10000 && !ref ? mj_bmp[c] & MJ_BMP_SUSPECT : hf_repair_mojibake_suspect(c);
}

/* Finds the UTF-8-as-GBK runs of s.  Without out only counts them; with out
 * appends s with the runs replaced by their decoding.  *marks: whether s
 * has a '?' or U+FFFD (lost_readings() has nothing to do otherwise).  The
 * scan starts at from, where first_suspect() stopped (from_marks: what it
 * saw of marks before): no run starts earlier but from a character before
 * a suspect one, which the scan looks back for. */
static int u8g_scan(const char *s, size_t n, size_t from, bool from_marks, hf_buf *out, size_t *found,
                    bool *marks, bool ref)
{
    pthread_once(&mj_once, mj_bmp_init);
    struct mj m = {.state = 0, .ref = ref};
    size_t count = 0, copied = 0, i = from;
    int err = 0;
    *marks = from_marks;
    while (i < n && !err) {
        /* three-byte characters that are not suspect, in a loop of their
         * own (not on the reference path) */
        while (!ref && n - i >= 3) {
            const uint8_t *q = (const uint8_t *)s + i;
            if ((q[0] & 0xF0) != 0xE0 || ((q[1] ^ 0x80) | (q[2] ^ 0x80)) & 0xC0)
                break;
            uint32_t c3 = (uint32_t)(q[0] & 0x0F) << 12 | (uint32_t)(q[1] & 0x3F) << 6 | (q[2] & 0x3F);
            if (c3 < 0x800 || (c3 >= 0xD800 && c3 <= 0xDFFF) || c3 == 0xFFFD || (mj_bmp[c3] & MJ_BMP_SUSPECT))
                break;
            i += 3;
        }
        if (i >= n)
            break;
        uint32_t c;
        int l = next_cp(s, n, i, &c);
        *marks |= c == '?' || c == 0xFFFD;
        if (!suspect_of(ref, c)) {
            i += (size_t)l;
            continue;
        }
        /* A run starts with the lead byte of a UTF-8 character; the GBK
         * characters holding the first bytes may be common ones (涔嬪 for
         * 之, 濮嬪喘 for 始崭), the next not: the earliest start of the
         * U8G_BACK characters before (not before what a run took) that
         * makes a run wins. */
#define U8G_BACK 4
        size_t back[U8G_BACK + 1];
        int nb = 0;
        back[nb++] = i;
        while (nb <= U8G_BACK) {
            size_t k = char_before(s, copied, back[nb - 1]);
            if (k == SIZE_MAX)
                break;
            back[nb++] = k;
        }
        struct u8g_run r;
        size_t at = SIZE_MAX;
        for (int k = nb - 1; k >= 0 && at == SIZE_MAX; k--)
            if (u8g_build(&m, s, n, back[k], &r, NULL) > 0 && u8g_accept(&r))
                at = back[k];
        if (at == SIZE_MAX) {
            i += (size_t)l;
            continue;
        }
        count++;
        if (out && (hf_buf_append(out, s + copied, at - copied) || u8g_build(&m, s, n, at, &r, out) < 0))
            err = -ENOMEM;
        /* the run may have passed over marks */
        for (size_t k = at; k < r.end && !*marks;) {
            k += (size_t)next_cp(s, n, k, &c);
            *marks = c == '?' || c == 0xFFFD;
        }
        copied = i = r.end;
    }
    if (out && !err && hf_buf_append(out, s + copied, n - copied))
        err = -ENOMEM;
    mj_close(&m);
    *found = count;
    return err;
}

bool hf_repair_mojibake_suspect(uint32_t c)
{
    enum mj_kind k = kind_guess(c);
    return c >= 0x80 && (k == MJ_STRONG || k == MJ_WEAK || k == MJ_EURO) && !is_common(c);
}

/* The offset of the first character of s for which
 * hf_repair_mojibake_suspect() is true, n if none: without one no run can
 * be found (every kind needs one: mj_accept(), u8g_accept(), and
 * lost_readings() by rule).  *marks: whether a '?' or U+FFFD (or a byte
 * read as one) comes before it. */
static size_t first_suspect(const char *s, size_t n, bool *marks)
{
    pthread_once(&mj_once, mj_bmp_init);
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    bool mk = false;
    while (p < end) {
        if (*p < 0x80) {
            mk |= *p == '?';
            p++;
            continue;
        }
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0) {
            mk = true; /* U+FFFD to the scans: not suspect, a mark */
            p++;
            continue;
        }
        mk |= c == 0xFFFD;
        if (c < 0x10000 ? mj_bmp[c] & MJ_BMP_SUSPECT : hf_repair_mojibake_suspect(c))
            break;
        p += l;
    }
    *marks = mk;
    return (size_t)(p - (const uint8_t *)s);
}

/* What misaligned text leaves where a '?' took a character's byte and the
 * '(' of its reading after it (們?nèi)〈?, 轉變?yōu)橐粋€, seed 002): the
 * character is lost, and its reading, which no Han character now precedes,
 * would stay.  Both become U+FFFD.  Only in text with a suspect character
 * (first_suspect()), as every mojibake count. */
static int lost_readings(const char *s, size_t n, hf_buf *out, size_t *found)
{
    size_t count = 0, copied = 0;
    *found = 0;
    for (size_t i = 0; i < n;) {
        uint32_t c;
        int l = next_cp(s, n, i, &c);
        size_t t = is_lost_mark(c) ? reading_tail(s, n, i + (size_t)l) : 0;
        if (!t) {
            i += (size_t)l;
            continue;
        }
        count++;
        if (out && (hf_buf_append(out, s + copied, i - copied) || hf_buf_put_cp(out, 0xFFFD)))
            return -ENOMEM;
        copied = i = t;
    }
    *found = count;
    return out ? hf_buf_append(out, s + copied, n - copied) : 0;
}

static bool any_suspect(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t c;
        i += (size_t)next_cp(s, n, i, &c);
        if (c >= 0x80 && suspect_of(true, c))
            return true;
    }
    return false;
}

/* The kinds in order, each on what the one before leaves: UTF-8 read as
 * GBK (before the script stage can rewrite it: 欐 -> 𪲔), misaligned runs,
 * lost readings.  With out, appends the repaired text; *found counts the
 * runs of all kinds.  A kind that finds nothing leaves the text as it is,
 * so that the next one reads it where it is (no copies when counting
 * clean text). */
static int repair_both(const char *s, size_t n, bool all, hf_buf *out, size_t *found, bool ref)
{
    size_t a = 0, b = 0, r = 0;
    hf_buf t1 = {0}, t2 = {0};
    *found = 0;
    pthread_once(&mj_once, mj_bmp_init);
    /* the reference path scans from the start, and asks any_suspect() */
    bool marks = false;
    size_t from = ref ? 0 : first_suspect(s, n, &marks);
    if (ref ? !any_suspect(s, n) : from == n)
        return out ? hf_buf_append(out, s, n) : 0; /* no run: see first_suspect() */
    int err = all ? u8g_scan(s, n, from, marks, NULL, &a, &marks, ref) : 0;
    if (!err && a && !(err = u8g_scan(s, n, from, marks, &t1, &a, &marks, ref))) {
        s = t1.p ? t1.p : "";
        n = t1.len;
    }
    if (!err)
        err = mj_scan(s, n, NULL, &b, ref);
    if (!err && b && !(err = mj_scan(s, n, &t2, &b, ref))) {
        s = t2.p ? t2.p : "";
        n = t2.len;
    }
    /* without a mark in the text and nothing repaired (which could write
     * U+FFFD), there is no lost reading */
    if (!err && all && (marks || a || b))
        err = lost_readings(s, n, out, &r);
    else if (!err && out)
        err = hf_buf_append(out, s, n);
    hf_buf_free(&t1);
    hf_buf_free(&t2);
    *found = a + b + r;
    return err;
}

size_t hf_repair_count_mojibake(const char *s, size_t n, bool all, bool ref)
{
    size_t found = 0;
    repair_both(s, n, all, NULL, &found, ref);
    return found;
}

int hf_repair_mojibake(const char *s, size_t n, hf_buf *out, size_t *repaired, bool ref)
{
    const size_t base = out->len;
    size_t found = 0;
    int err = repair_both(s, n, true, out, &found, ref);
    if (err) {
        out->len = base;
        if (out->p)
            out->p[base] = '\0';
        return err;
    }
    *repaired = found;
    return 0;
}

/* Is the character that ends right before s[i] a Han character?  (A
 * reading follows one: han_run > 0 in hf_repair_pinyin.)  True as well when
 * the bytes before are not well-formed: the full pass decides then. */
static bool han_before(const uint8_t *s, size_t i)
{
    /* characters the unicode stage drops are not between the two: the
     * repair reads the text without them (hanfold.c, visible()) */
    while (i > 0) {
        if (s[i - 1] < 0x80) {
            uint8_t b = s[i - 1];
            if ((b < 0x20 && b != '\n' && b != '\t' && b != '\r') || b == 0x7F) {
                i--;
                continue;
            }
            break;
        }
        size_t k = i - 1;
        while (k > 0 && i - k < 4 && (s[k] & 0xC0) == 0x80)
            k--;
        uint32_t c = 0;
        if (hf_utf8_next(s + k, i - k, &c) != (int)(i - k) || !hf_unicode_invisible(c))
            break;
        i = k;
    }
    if (i >= 3 && s[i - 3] >= 0xE0 && s[i - 3] <= 0xEF) {
        uint32_t c;
        return hf_utf8_next(s + i - 3, 3, &c) != 3 || is_han(c);
    }
    if (i >= 4 && s[i - 4] >= 0xF0) {
        uint32_t c;
        return hf_utf8_next(s + i - 4, 4, &c) != 4 || is_han(c);
    }
    /* ASCII or a two-byte character before: not Han if well-formed */
    return i >= 1 && s[i - 1] >= 0x80 && !(i >= 2 && s[i - 2] >= 0xC2 && s[i - 2] <= 0xDF);
}

bool hf_repair_pinyin_at(const char *s, size_t i)
{
    return han_before((const uint8_t *)s, i);
}

bool hf_repair_pinyin_possible(const char *s, size_t n)
{
    const uint8_t *u = (const uint8_t *)s;
    for (const uint8_t *p = u; (p = memchr(p, '(', n - (size_t)(p - u))); p++)
        if (han_before(u, (size_t)(p - u)))
            return true;
    /* U+FF08 is EF BC 88: found by its last byte (memchr is quicker than
     * memmem on text full of EF BC xx punctuation) */
    for (const uint8_t *p = u; (p = memchr(p, 0x88, n - (size_t)(p - u))); p++) {
        size_t i = (size_t)(p - u);
        if (i >= 2 && u[i - 2] == 0xEF && u[i - 1] == 0xBC && han_before(u, i - 2))
            return true;
    }
    return false;
}
