/* decode.c: bytes in some charset -> valid UTF-8.
 *
 * Everything downstream of this stage assumes valid UTF-8, so every function
 * here that writes text guarantees it: invalid input becomes U+FFFD and is
 * counted rather than passed through or rejected.  Counters are incremented
 * (not reset), so a caller can sum them over the chunks of one record. */
#include "stages.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uchardet.h>

/* U+FFFD REPLACEMENT CHARACTER, pre-encoded. */
static const char fffd[3] = { '\xEF', '\xBF', '\xBD' };

/* ---- BOM ---------------------------------------------------------------- */

const char *hf_decode_bom(const uint8_t *s, size_t n, size_t *bom_len)
{
    /* The names carry an explicit byte order so that glibc does not look for
     * (and skip) a BOM itself: the caller skips *bom_len bytes, and the
     * converter then sees plain code units. */
    static const struct {
        uint8_t bytes[4];
        size_t len;
        const char *name;
    } boms[] = {
        /* UTF-32LE before UTF-16LE: FF FE 00 00 is also a UTF-16LE BOM
         * followed by U+0000, but NUL as the first character of a text is far
         * less likely than a UTF-32LE file. */
        { { 0xFF, 0xFE, 0x00, 0x00 }, 4, "UTF-32LE" },
        { { 0x00, 0x00, 0xFE, 0xFF }, 4, "UTF-32BE" },
        { { 0xEF, 0xBB, 0xBF, 0x00 }, 3, "UTF-8" },
        { { 0xFF, 0xFE, 0x00, 0x00 }, 2, "UTF-16LE" },
        { { 0xFE, 0xFF, 0x00, 0x00 }, 2, "UTF-16BE" },
    };
    size_t dummy;
    if (!bom_len)
        bom_len = &dummy;
    *bom_len = 0;
    if (!s)
        return NULL;
    for (size_t i = 0; i < sizeof boms / sizeof boms[0]; i++) {
        if (n >= boms[i].len && memcmp(s, boms[i].bytes, boms[i].len) == 0) {
            *bom_len = boms[i].len;
            return boms[i].name;
        }
    }
    return NULL;
}

/* ---- <meta charset> ----------------------------------------------------- */

/* Browsers only pre-scan the first 1024 bytes; pages in the wild sometimes
 * put the meta after long scripts or comments, so we look a little further,
 * but not through the whole document (a charset named deep in the body is
 * more likely quoted text than a declaration). */
#define META_SCAN_LIMIT 4096

static bool is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_name_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == ':' || c == '.';
}

/* ASCII-only: tolower() depends on the locale, HTML keywords do not. */
static uint8_t ascii_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Case-insensitive match of the lower-case ASCII literal lit at s (n bytes
 * available). */
static bool match_ci(const uint8_t *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n < l)
        return false;
    for (size_t i = 0; i < l; i++)
        if (ascii_lower(s[i]) != (uint8_t)lit[i])
            return false;
    return true;
}

static const uint8_t *find_ci(const uint8_t *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    for (size_t i = 0; i + l <= n; i++)
        if (match_ci(s + i, n - i, lit))
            return s + i;
    return NULL;
}

/* Copies the charset name at s into name.  Only characters that occur in
 * registered charset names are accepted, so the result is always safe to pass
 * to iconv_open and to print; an empty or over-long name is refused rather
 * than truncated (a truncated name could name a different charset). */
static bool copy_name(const uint8_t *s, size_t n, char *name, size_t namesz)
{
    size_t l = 0;
    while (l < n && is_name_char(s[l]))
        l++;
    if (l == 0 || l >= namesz)
        return false;
    memcpy(name, s, l);
    name[l] = '\0';
    return true;
}

/* The charset=... inside a content attribute ("text/html; charset=gbk"). */
static bool charset_from_content(const uint8_t *v, size_t n, char *name, size_t namesz)
{
    const uint8_t *end = v + n;
    const uint8_t *p = v;
    while ((p = find_ci(p, (size_t)(end - p), "charset")) != NULL) {
        p += 7;
        while (p < end && is_space(*p))
            p++;
        if (p < end && *p == '=') {
            p++;
            while (p < end && is_space(*p))
                p++;
            /* The value may itself be quoted inside the attribute value
             * (content='text/html; charset="gbk"'). */
            if (p < end && (*p == '"' || *p == '\''))
                p++;
            return copy_name(p, (size_t)(end - p), name, namesz);
        }
    }
    return false;
}

/* Parses the attributes of one <meta ...> tag starting right after "<meta"
 * (p..end).  Returns true with the charset copied into name when the tag
 * declares one. */
static bool parse_meta(const uint8_t *p, const uint8_t *end, char *name, size_t namesz)
{
    const uint8_t *cs = NULL, *content = NULL;
    bool closed = false;
    size_t cs_len = 0, content_len = 0;
    bool http_equiv_ct = false;

    for (;;) {
        while (p < end && (is_space(*p) || *p == '/'))
            p++;
        if (p >= end)
            break;
        if (*p == '>') {
            closed = true;
            break;
        }
        const uint8_t *an = p;
        while (p < end && !is_space(*p) && *p != '=' && *p != '>' && *p != '/')
            p++;
        size_t anl = (size_t)(p - an);
        while (p < end && is_space(*p))
            p++;
        const uint8_t *av = p;
        size_t avl = 0;
        if (p < end && *p == '=') {
            p++;
            while (p < end && is_space(*p))
                p++;
            if (p < end && (*p == '"' || *p == '\'')) {
                uint8_t q = *p++;
                av = p;
                while (p < end && *p != q)
                    p++;
                avl = (size_t)(p - av);
                if (p < end)
                    p++;
            } else {
                av = p;
                while (p < end && !is_space(*p) && *p != '>')
                    p++;
                avl = (size_t)(p - av);
            }
        }
        if (anl == 7 && match_ci(an, anl, "charset")) {
            if (!cs) {
                cs = av;
                cs_len = avl;
            }
        } else if (anl == 7 && match_ci(an, anl, "content")) {
            if (!content) {
                content = av;
                content_len = avl;
            }
        } else if (anl == 10 && match_ci(an, anl, "http-equiv")) {
            /* Only a Content-Type pragma names the charset; a content
             * attribute of, say, <meta name="description"> is page text. */
            http_equiv_ct = avl == 12 && match_ci(av, avl, "content-type");
        }
    }
    /* A tag cut off by the scan limit may hold a cut-off name. */
    if (!closed)
        return false;
    /* A charset attribute wins over the pragma, as in the HTML pre-scan. */
    if (cs)
        return copy_name(cs, cs_len, name, namesz);
    if (content && http_equiv_ct)
        return charset_from_content(content, content_len, name, namesz);
    return false;
}

bool hf_decode_meta_charset(const uint8_t *s, size_t n, char *name, size_t namesz)
{
    if (!s || !name || namesz == 0)
        return false;
    name[0] = '\0';
    const uint8_t *end = s + (n < META_SCAN_LIMIT ? n : META_SCAN_LIMIT);
    const uint8_t *p = s;
    while (p < end) {
        const uint8_t *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt)
            break;
        p = lt + 1;
        /* A commented-out meta is not a declaration. */
        if (match_ci(p, (size_t)(end - p), "!--")) {
            const uint8_t *c = find_ci(p + 3, (size_t)(end - p - 3), "-->");
            if (!c)
                break;
            p = c + 3;
            continue;
        }
        if (match_ci(p, (size_t)(end - p), "meta") && p + 4 < end &&
            (is_space(p[4]) || p[4] == '/')) {
            if (parse_meta(p + 4, end, name, namesz))
                return true;
        }
    }
    name[0] = '\0';
    return false;
}

/* ---- uchardet ----------------------------------------------------------- */

/* uchardet's answer -> the name we hand to iconv.  Only names listed here are
 * returned, so callers get static strings that glibc iconv is known to
 * accept.  Chinese legacy charsets map to their supersets: pages labelled or
 * detected as GB2312 routinely contain GBK characters, and Big5 pages
 * contain HKSCS ones; decoding with the superset loses nothing. */
static const struct {
    const char *uchardet;
    const char *iconv;
} detect_names[] = {
    { "ASCII", "UTF-8" },
    { "UTF-8", "UTF-8" },
    /* uchardet only reports UTF-16/32 from a BOM; glibc's unsuffixed
     * converters read the BOM and pick the byte order from it. */
    { "UTF-16", "UTF-16" },
    { "UTF-32", "UTF-32" },
    { "GB18030", "GB18030" },
    { "GB2312", "GB18030" },
    { "GBK", "GB18030" },
    { "BIG5", "BIG5-HKSCS" },
    { "BIG5-HKSCS", "BIG5-HKSCS" },
    { "EUC-TW", "EUC-TW" },
    { "ISO-2022-CN", "ISO-2022-CN-EXT" },
    /* HZ-GB-2312 is deliberately absent: glibc iconv has no HZ converter,
     * so naming it would only make hf_decoder_new fail. */
    { "ISO-2022-JP", "ISO-2022-JP-2" },
    { "ISO-2022-KR", "ISO-2022-KR" },
    { "SHIFT_JIS", "CP932" },
    { "EUC-JP", "EUC-JP" },
    { "EUC-KR", "UHC" },
    { "UHC", "UHC" },
    { "WINDOWS-1250", "WINDOWS-1250" },
    { "WINDOWS-1251", "WINDOWS-1251" },
    { "WINDOWS-1252", "WINDOWS-1252" },
    { "WINDOWS-1253", "WINDOWS-1253" },
    { "WINDOWS-1255", "WINDOWS-1255" },
    { "WINDOWS-1256", "WINDOWS-1256" },
    { "WINDOWS-1257", "WINDOWS-1257" },
    { "WINDOWS-1258", "WINDOWS-1258" },
    { "ISO-8859-1", "WINDOWS-1252" },
    { "ISO-8859-2", "ISO-8859-2" },
    { "ISO-8859-3", "ISO-8859-3" },
    { "ISO-8859-4", "ISO-8859-4" },
    { "ISO-8859-5", "ISO-8859-5" },
    { "ISO-8859-6", "ISO-8859-6" },
    { "ISO-8859-7", "ISO-8859-7" },
    { "ISO-8859-8", "ISO-8859-8" },
    { "ISO-8859-9", "WINDOWS-1254" },
    { "ISO-8859-10", "ISO-8859-10" },
    { "ISO-8859-11", "ISO-8859-11" },
    { "ISO-8859-13", "ISO-8859-13" },
    { "ISO-8859-15", "ISO-8859-15" },
    { "ISO-8859-16", "ISO-8859-16" },
    { "TIS-620", "TIS-620" },
    { "KOI8-R", "KOI8-R" },
    { "IBM852", "IBM852" },
    { "IBM855", "IBM855" },
    { "IBM866", "IBM866" },
    { "MAC-CYRILLIC", "MAC-CYRILLIC" },
    { "MAC-CENTRALEUROPE", "MAC-CENTRALEUROPE" },
    { "VISCII", "VISCII" },
};

const char *hf_decode_detect(const uint8_t *s, size_t n)
{
    if (!s)
        n = 0;
    /* Pure ASCII needs no detector, and uchardet answers "" rather than
     * "ASCII" for an empty sample.  Escape bytes (ISO-2022) keep the
     * detector in play. */
    size_t i = 0;
    while (i < n && s[i] < 0x80 && s[i] != 0x1B)
        i++;
    if (i == n)
        return "UTF-8";

    uchardet_t ud = uchardet_new();
    if (!ud)
        return NULL;
    const char *res = NULL;
    if (uchardet_handle_data(ud, (const char *)s, n) == 0) {
        uchardet_data_end(ud);
        const char *name = uchardet_get_charset(ud);
        for (size_t k = 0; name && *name && k < sizeof detect_names / sizeof detect_names[0]; k++) {
            if (strcasecmp(name, detect_names[k].uchardet) == 0) {
                res = detect_names[k].iconv;
                break;
            }
        }
    }
    uchardet_delete(ud);
    return res;
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* Length of the maximal subpart of an ill-formed sequence at s (n >= 1): the
 * longest prefix of a well-formed sequence, or 1 when s[0] cannot start one.
 * Unicode 15 §3.9 ("U+FFFD Substitution of Maximal Subparts") and WHATWG
 * both replace each such subpart with one U+FFFD, so that the number of
 * replacement characters does not depend on the decoder. */
static size_t maximal_subpart(const uint8_t *s, size_t n)
{
    uint8_t b0 = s[0];
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 3;
        if (b0 == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b0 == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4;
        if (b0 == 0xF0)
            lo = 0x90; /* overlong */
        else if (b0 == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 1; /* 80..C1, F5..FF: never part of a well-formed sequence */
    }
    size_t k = 1;
    if (k < n && k < need && s[k] >= lo && s[k] <= hi) {
        k++;
        while (k < n && k < need && (s[k] & 0xC0) == 0x80)
            k++;
    }
    return k;
}

/* valid_prefix() one character at a time (see there). */
static size_t valid_prefix_scalar(const uint8_t *s, size_t n)
{
    const uint64_t high = UINT64_C(0x8080808080808080);
    size_t i = 0;
    while (i < n) {
        if (s[i] < 0x80) {
            while (n - i >= 8) {
                uint64_t w;
                memcpy(&w, s + i, 8);
                if (w & high)
                    break;
                i += 8;
            }
            while (i < n && s[i] < 0x80)
                i++;
            continue;
        }
        while (n - i >= 3 && (s[i] & 0xF0) == 0xE0) {
            uint8_t b0 = s[i], b1 = s[i + 1], b2 = s[i + 2];
            uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
            if (b1 < lo || b1 > hi || (b2 & 0xC0) != 0x80)
                return i;
            i += 3;
        }
        if (i >= n || s[i] < 0x80)
            continue;
        uint32_t c;
        int k = hf_utf8_next(s + i, n - i, &c);
        if (k < 0)
            return i;
        i += (size_t)k;
    }
    return i;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1

/* Error bits of the pair (previous byte, byte) for the AVX2 check below,
 * after Keiser and Lemire, "Validating UTF-8 in less than one instruction
 * per byte" (2021): three table lookups by nibble, ANDed, leave a bit set
 * exactly where the pair is ill-formed, except for TWO_CONTS, a
 * continuation after a continuation, which must be set exactly where the
 * byte is the third or fourth of a sequence. */
#define TOO_SHORT (1 << 0)  /* lead byte, then no continuation */
#define TOO_LONG (1 << 1)   /* ASCII, then a continuation */
#define OVERLONG_3 (1 << 2) /* E0 80..9F */
#define TOO_LARGE (1 << 3)  /* F4 90..BF, F5..FF 90..BF */
#define SURROGATE (1 << 4)  /* ED A0..BF */
#define OVERLONG_2 (1 << 5) /* C0, C1 then a continuation */
#define TOO_LARGE_1000 (1 << 6) /* F5..FF 80..8F */
#define OVERLONG_4 (1 << 6) /* F0 80..8F */
#define TWO_CONTS (1 << 7)
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)

#define T16(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)

/* Offset in s from which every byte before is known to be well-formed (a
 * character boundary): n when the whole of s is; otherwise a point at most
 * 35 bytes before the first error. */
__attribute__((target("avx2"))) static size_t valid_prefix_avx2(const uint8_t *s, size_t n)
{
    const __m256i byte1_high =
        T16(TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TWO_CONTS,
            TWO_CONTS, TWO_CONTS, TWO_CONTS, TOO_SHORT | OVERLONG_2, TOO_SHORT,
            TOO_SHORT | OVERLONG_3 | SURROGATE, TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
    const __m256i byte1_low =
        T16(CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2, CARRY, CARRY,
            CARRY | TOO_LARGE, CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
            CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
            CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
            CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
            CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE, CARRY | TOO_LARGE | TOO_LARGE_1000,
            CARRY | TOO_LARGE | TOO_LARGE_1000);
    const __m256i byte2_high =
        T16(TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
            (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4),
            (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE),
            (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE),
            (char)(TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE), TOO_SHORT, TOO_SHORT,
            TOO_SHORT, TOO_SHORT);
    const __m256i nib = _mm256_set1_epi8(0x0F);
    __m256i prev = _mm256_setzero_si256();
    size_t i = 0;
    for (;;) {
        __m256i in;
        bool last = n - i < 32;
        if (last) {
            /* the rest, padded with NULs: a sequence cut short by the end
             * reads as one cut short by an ASCII byte */
            uint8_t tail[32] = {0};
            memcpy(tail, s + i, n - i);
            in = _mm256_loadu_si256((const __m256i *)tail);
        } else {
            in = _mm256_loadu_si256((const __m256i *)(s + i));
        }
        __m256i joined = _mm256_permute2x128_si256(prev, in, 0x21);
        __m256i prev1 = _mm256_alignr_epi8(in, joined, 15);
        __m256i prev2 = _mm256_alignr_epi8(in, joined, 14);
        __m256i prev3 = _mm256_alignr_epi8(in, joined, 13);
        __m256i special = _mm256_and_si256(
            _mm256_and_si256(_mm256_shuffle_epi8(byte1_high, _mm256_and_si256(_mm256_srli_epi16(prev1, 4), nib)),
                             _mm256_shuffle_epi8(byte1_low, _mm256_and_si256(prev1, nib))),
            _mm256_shuffle_epi8(byte2_high, _mm256_and_si256(_mm256_srli_epi16(in, 4), nib)));
        __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8((char)(0xE0 - 0x80)));
        __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8((char)(0xF0 - 0x80)));
        __m256i must = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
        __m256i err = _mm256_xor_si256(must, special);
        if (!_mm256_testz_si256(err, err))
            break;
        if (last)
            return n;
        prev = in;
        i += 32;
    }
    /* An error in the block at i can come from a sequence that began in
     * the three bytes before it; all bytes before those are well-formed. */
    size_t q = i >= 3 ? i - 3 : 0;
    while (q > 0 && (s[q] & 0xC0) == 0x80)
        q--;
    return q;
}

static bool have_avx2(void)
{
    static int have = -1; /* a race writes the same value */
    if (have < 0)
        have = __builtin_cpu_supports("avx2") ? 1 : 0;
    return have;
}
#endif

/* Length of the longest well-formed prefix of s.  With AVX2, 32 bytes at a
 * time up to the block of the first error (if any); from there, and without
 * AVX2 (and on the reference path), a loop tuned for Chinese text: ASCII
 * eight bytes at a time, and runs of three-byte sequences checked with the
 * range of the second byte (E0: A0..BF against overlongs, ED: 80..9F
 * against surrogates, else 80..BF). */
static size_t valid_prefix(const uint8_t *s, size_t n, bool ref)
{
#ifdef HAVE_AVX2_PATH
    if (!ref && have_avx2()) {
        size_t ok = valid_prefix_avx2(s, n);
        if (ok == n)
            return n;
        return ok + valid_prefix_scalar(s + ok, n - ok);
    }
#endif
    (void)ref;
    return valid_prefix_scalar(s, n);
}

bool hf_decode_proves_utf8(const uint8_t *s, size_t n)
{
    size_t ok = valid_prefix(s, n, false);
    /* the sample may end inside a character: a lead byte and what follows
     * of it is not against */
    if (ok < n) {
        uint8_t b = s[ok];
        size_t k = n - ok, need = b >= 0xC2 && b <= 0xDF ? 2 : b >= 0xE0 && b <= 0xEF ? 3 : b >= 0xF0 && b <= 0xF4 ? 4 : 0;
        if (!need || k >= need)
            return false;
        for (size_t i = 1; i < k; i++)
            if ((s[ok + i] & 0xC0) != 0x80)
                return false;
    }
    for (size_t i = 0; i < ok; i++)
        if (s[i] >= 0x80)
            return true;
    return false;
}

int hf_decode_utf8(const uint8_t *s, size_t n, hf_buf *out, size_t *invalid, bool ref)
{
    size_t start_len = out->len;
    size_t bad = 0;
    /* Valid input is copied in spans (run..i) rather than byte by byte; the
     * common case, valid input, is then a single append. */
    if (hf_buf_reserve(out, n))
        return -ENOMEM;
    size_t run = 0, i = 0;
    while (i < n) {
        i += valid_prefix(s + i, n - i, ref);
        if (i >= n)
            break;
        if (hf_buf_append(out, s + run, i - run) || hf_buf_append(out, fffd, sizeof fffd))
            goto nomem;
        bad++;
        i += maximal_subpart(s + i, n - i);
        run = i;
    }
    if (hf_buf_append(out, s + run, n - run))
        goto nomem;
    if (invalid)
        *invalid += bad;
    return 0;
nomem:
    out->len = start_len;
    if (out->p)
        out->p[out->len] = '\0';
    return -ENOMEM;
}

/* ---- iconv -------------------------------------------------------------- */

struct hf_decoder {
    iconv_t cd;
    /* For "UTF-16"/"UTF-32" without a byte order: cd is the big-endian
     * converter and cd_le the little-endian one, chosen per run from the
     * BOM.  glibc's own BOM-sniffing converters remember the byte order of
     * the first BOM they saw even across iconv(cd, NULL, NULL, NULL, NULL),
     * which would let one chunk decide how the next is read.  Otherwise
     * (iconv_t)-1. */
    iconv_t cd_le;
    /* Bytes skipped after an invalid sequence: one code unit.  For byte
     * charsets (GB18030, Big5) one byte, so that a stray lead byte does not
     * swallow the ASCII character after it; for UTF-16/32 a whole unit, so
     * that the rest stays aligned. */
    size_t unit;
};

static bool has_prefix_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int open_cd(iconv_t *cd, const char *from)
{
    errno = 0;
    *cd = iconv_open("UTF-8", from);
    if (*cd != (iconv_t)-1)
        return 0;
    return errno == EINVAL ? -EINVAL : -ENOMEM;
}

int hf_decoder_new(hf_decoder **d, const char *from)
{
    if (!d)
        return -EINVAL;
    *d = NULL;
    if (!from || !*from)
        return -EINVAL;
    hf_decoder *dec = malloc(sizeof *dec);
    if (!dec)
        return -ENOMEM;
    dec->cd = dec->cd_le = (iconv_t)-1;
    if (has_prefix_ci(from, "UTF-16") || has_prefix_ci(from, "UTF16") ||
        has_prefix_ci(from, "UCS-2") || has_prefix_ci(from, "UCS2") ||
        has_prefix_ci(from, "UNICODE"))
        dec->unit = 2;
    else if (has_prefix_ci(from, "UTF-32") || has_prefix_ci(from, "UTF32") ||
             has_prefix_ci(from, "UCS-4") || has_prefix_ci(from, "UCS4") ||
             has_prefix_ci(from, "WCHAR_T"))
        dec->unit = 4;
    else
        dec->unit = 1;

    int rc;
    bool sniff = !strcasecmp(from, "UTF-16") || !strcasecmp(from, "UTF16") ||
                 !strcasecmp(from, "UTF-32") || !strcasecmp(from, "UTF32");
    if (sniff) {
        /* Without a BOM, big-endian (RFC 2781 §4.3; glibc does the same). */
        rc = open_cd(&dec->cd, dec->unit == 2 ? "UTF-16BE" : "UTF-32BE");
        if (!rc)
            rc = open_cd(&dec->cd_le, dec->unit == 2 ? "UTF-16LE" : "UTF-32LE");
    } else {
        rc = open_cd(&dec->cd, from);
    }
    if (rc) {
        hf_decoder_free(&dec);
        return rc;
    }
    *d = dec;
    return 0;
}

void hf_decoder_free(hf_decoder **d)
{
    if (!d || !*d)
        return;
    if ((*d)->cd != (iconv_t)-1)
        iconv_close((*d)->cd);
    if ((*d)->cd_le != (iconv_t)-1)
        iconv_close((*d)->cd_le);
    free(*d);
    *d = NULL;
}

int hf_decoder_run(hf_decoder *d, const uint8_t *s, size_t n, hf_buf *out, size_t *invalid)
{
    if (!d || !out || (!s && n))
        return -EINVAL;
    size_t start_len = out->len;
    size_t bad = 0;
    int rc = 0;

    iconv_t cd = d->cd;
    if (d->cd_le != (iconv_t)-1 && n >= d->unit) {
        static const uint8_t le[4] = { 0xFF, 0xFE, 0x00, 0x00 };
        static const uint8_t be[4] = { 0x00, 0x00, 0xFE, 0xFF };
        const uint8_t *bom_be = d->unit == 2 ? be + 2 : be;
        if (memcmp(s, le, d->unit) == 0) {
            cd = d->cd_le;
            s += d->unit;
            n -= d->unit;
        } else if (memcmp(s, bom_be, d->unit) == 0) {
            s += d->unit;
            n -= d->unit;
        }
    }
    /* Each chunk is complete, so the shift state of the previous one must
     * not leak into this one. */
    iconv(cd, NULL, NULL, NULL, NULL);

    char *in = (char *)(uintptr_t)s; /* iconv's prototype is not const-correct */
    size_t inleft = n;
    /* Most CJK text grows by half (2 bytes -> 3); start there and grow on
     * E2BIG instead of reserving the worst case. */
    size_t guess = n + n / 2 + 16;
    if (guess < n || hf_buf_reserve(out, guess))
        goto nomem;

    bool flushing = false;
    for (;;) {
        char *op = out->p + out->len;
        size_t oleft = out->cap - out->len - 1;
        size_t r = flushing ? iconv(cd, NULL, NULL, &op, &oleft)
                            : iconv(cd, &in, &inleft, &op, &oleft);
        int e = errno;
        out->len = (size_t)(op - out->p);
        out->p[out->len] = '\0';
        if (r != (size_t)-1) {
            if (flushing)
                break;
            /* All input consumed; emit whatever a stateful converter still
             * holds (and return it to the initial state). */
            flushing = true;
            continue;
        }
        if (e == E2BIG) {
            /* 32 bytes is more than any single character expands to, so
             * every round makes progress. */
            size_t more = inleft * 2 + 32;
            if (more < inleft || hf_buf_reserve(out, more))
                goto nomem;
        } else if (e == EILSEQ && !flushing) {
            if (hf_buf_append(out, fffd, sizeof fffd))
                goto nomem;
            bad++;
            size_t skip = d->unit < inleft ? d->unit : inleft;
            in += skip;
            inleft -= skip;
        } else if (e == EINVAL && !flushing) {
            /* An incomplete sequence at the end: the chunk is complete by
             * contract, so these bytes will never be completed. */
            if (hf_buf_append(out, fffd, sizeof fffd))
                goto nomem;
            bad++;
            in += inleft;
            inleft = 0;
        } else {
            rc = e ? -e : -EIO;
            goto fail;
        }
    }
    if (invalid)
        *invalid += bad;
    return 0;
nomem:
    rc = -ENOMEM;
fail:
    out->len = start_len;
    if (out->p)
        out->p[out->len] = '\0';
    return rc;
}
