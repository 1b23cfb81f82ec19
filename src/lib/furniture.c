/* furniture stage: the parts of a repost that carry none of its content,
 * left out of the dedup key (never out of the readable text).
 *
 * Weibo and its kind decorate each copy of a post differently: a share link
 * (http://t.cn/R4tpciq, unique per share and one numeric token of the key,
 * which the numbers check of short keys would then demand of the other
 * copy), a link card rendered as "O网页链接", emoticon codes ([蜡烛]), a
 * check-in location ("2北京·工体" at the end, the 2 being the pin icon).
 * The patterns are matched on the text before the unicode and script
 * stages, so full-width forms and both scripts are matched here (the key's
 * own folding comes later).  @mentions are not furniture: on the real
 * reposts they named the source as often as they decorated (measured: the
 * key without them lost pairs). */
#include "stages.h"

#include "hanfold.h"

#include <errno.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The next character at p (valid UTF-8), full-width ASCII folded to ASCII
 * and U+3000 to a space; *len gets its length in bytes. */
static uint32_t next_folded(const uint8_t *p, const uint8_t *end, int *len)
{
    uint32_t c;
    int l = hf_utf8_next(p, (size_t)(end - p), &c);
    if (l <= 0) {
        *len = 1;
        return 0xFFFD;
    }
    *len = l;
    if (c >= 0xFF01 && c <= 0xFF5E)
        return c - 0xFEE0;
    return c == 0x3000 ? ' ' : c;
}

static bool is_space(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0xA0 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F;
}

/* Invisible format characters that may trail a record (a location tag often
 * ends with U+200E). */
static bool is_invisible(uint32_t c)
{
    return (c >= 0x200B && c <= 0x200F) || (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF;
}

/* Ends a clause: no location name, emoticon code or URL runs across it. */
static bool is_stop(uint32_t c)
{
    switch (c) {
    case ',': case '.': case '!': case '?': case ';': case ':':
    case 0x3001: case 0x3002: case 0xFF61: case 0xFF64:
        return true;
    }
    return false;
}

static bool is_url_char(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("-._~:/?#@!$&'*+,;=%", (int)c));
}

/* The link cards' texts, each position one character in its simplified and
 * traditional forms (s2twp writes 網頁連結). */
static const char *const stubs[][4] = {
    {"网網", "页頁", "链鏈连連", "接结結"},
    {"秒", "拍", "视視", "频頻"},
};

static bool in_set(const char *set, uint32_t c)
{
    const uint8_t *p = (const uint8_t *)set, *end = p + strlen(set);
    while (p < end) {
        uint32_t x;
        int l = hf_utf8_next(p, (size_t)(end - p), &x);
        if (l <= 0)
            return false;
        if (x == c)
            return true;
        p += l;
    }
    return false;
}

/* Length of a link card's text at p (after its 'O'), or 0. */
static size_t stub_at(const uint8_t *p, const uint8_t *end)
{
    for (size_t k = 0; k < sizeof stubs / sizeof stubs[0]; k++) {
        const uint8_t *q = p;
        size_t i;
        for (i = 0; i < 4 && q < end; i++) {
            int l;
            uint32_t c = next_folded(q, end, &l);
            if (!in_set(stubs[k][i], c))
                break;
            q += l;
        }
        if (i == 4)
            return (size_t)(q - p);
    }
    return 0;
}

/* Whether only whitespace and invisible characters follow p. */
static bool only_blank_after(const uint8_t *p, const uint8_t *end)
{
    while (p < end) {
        int l;
        uint32_t c = next_folded(p, end, &l);
        if (!is_space(c) && !is_invisible(c))
            return false;
        p += l;
    }
    return true;
}

/* A location tag at p (its '2'): an optional space, a place of 1-24
 * characters that does not start with a digit and holds no whitespace or
 * clause end, then only blanks to the end of the record.  Its length, or 0. */
static size_t location_at(const uint8_t *p, const uint8_t *end)
{
    int l;
    const uint8_t *q = p + 1; /* the '2' (one byte; full-width is three) */
    if (*p != '2')
        q = p + 3;
    if (q < end && next_folded(q, end, &l) == ' ')
        q += l;
    size_t chars = 0;
    while (q < end) {
        uint32_t c = next_folded(q, end, &l);
        if (is_space(c) || is_invisible(c))
            break;
        if (is_stop(c) || (chars == 0 && c >= '0' && c <= '9') || ++chars > 24)
            return 0;
        q += l;
    }
    return chars && only_blank_after(q, end) ? (size_t)(end - p) : 0;
}

/* Whether the text before p ends with a space, or with 我在 and a colon
 * (Weibo's "I am at:"). */
static bool location_before(const uint8_t *start, const uint8_t *p)
{
    if (p > start && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n'))
        return true;
    static const char *const at[] = {"我在:", "我在：", "我在 :", "我在 ："};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        size_t k = strlen(at[i]);
        if ((size_t)(p - start) >= k && !memcmp(p - k, at[i], k))
            return true;
    }
    /* U+3000 */
    return p - start >= 3 && p[-3] == 0xE3 && p[-2] == 0x80 && p[-1] == 0x80;
}

/* An emoticon code at p (its '['): 1-8 characters, none of them a
 * bracket, whitespace or clause end, then ']'.  Its length, or 0. */
static size_t emoticon_at(const uint8_t *p, const uint8_t *end)
{
    int l;
    next_folded(p, end, &l);
    const uint8_t *q = p + l;
    for (size_t chars = 0; q < end; chars++) {
        uint32_t c = next_folded(q, end, &l);
        q += l;
        if (c == ']')
            return chars ? (size_t)(q - p) : 0;
        if (chars == 8 || c == '[' || is_space(c) || is_stop(c) || c == 0x3010 || c == 0x3011)
            return 0;
    }
    return 0;
}

/* A URL at p (its 'h'): http:// or https://, then URL characters.  Its
 * length, or 0. */
static size_t url_at(const uint8_t *p, const uint8_t *end)
{
    static const char scheme[] = "http";
    const uint8_t *q = p;
    int l;
    for (size_t i = 0; i < 4; i++, q += l)
        if (q >= end || (next_folded(q, end, &l) | 0x20) != (uint32_t)scheme[i])
            return 0;
    if (q < end && (next_folded(q, end, &l) | 0x20) == 's')
        q += l;
    static const char sep[] = "://";
    for (size_t i = 0; i < 3; i++, q += l)
        if (q >= end || next_folded(q, end, &l) != (uint32_t)sep[i])
            return 0;
    const uint8_t *host = q;
    while (q < end && is_url_char(next_folded(q, end, &l)))
        q += l;
    /* a URL does not end in punctuation that follows it in the sentence */
    while (q > host && (q[-1] == '.' || q[-1] == ',' || q[-1] == ';' || q[-1] == '!' || q[-1] == '?' ||
                        q[-1] == ':'))
        q--;
    return q > host ? (size_t)(q - p) : 0;
}

static const uint8_t starts[256] = {['h'] = 1, ['H'] = 1, ['O'] = 1, ['['] = 1, [0xEF] = 1};
/* Bytes to the next character from a lead byte (valid UTF-8; 1 for a
 * continuation byte, which a step never lands on). */
#define S4(x) x, x, x, x
#define S16(x) S4(x), S4(x), S4(x), S4(x)
static const uint8_t step[256] = {
    S16(1), S16(1), S16(1), S16(1), S16(1), S16(1), S16(1), S16(1), /* 00-7F */
    S16(1), S16(1), S16(1), S16(1),                                 /* 80-BF */
    S16(2), S16(2),                                                 /* C0-DF */
    S16(3),                                                         /* E0-EF */
    S4(4), S4(4), S4(1), S4(1),                                     /* F0-FF */
};

/* Full-width ｈ Ｈ Ｏ ［ ２ at p (three bytes there). */
static inline bool fullwidth_start(const uint8_t *p)
{
    return (p[1] == 0xBD && p[2] == 0x88) ||
           (p[1] == 0xBC && (p[2] == 0xA8 || p[2] == 0xAF || p[2] == 0xBB || p[2] == 0x92));
}

/* The first 2 or full-width ２ (EF BC 92) in [p, last), or NULL: the
 * earlier of what two memchr() calls find (92 is also a continuation
 * byte of other characters, once in about 64). */
static const uint8_t *pin_mark(const uint8_t *p, const uint8_t *last)
{
    if (p >= last)
        return NULL;
    const uint8_t *a = memchr(p, '2', (size_t)(last - p)), *q = p;
    const uint8_t *lim = a ? a : last;
    while (q < lim && (q = memchr(q, 0x92, (size_t)(lim - q))) != NULL) {
        if (q - p >= 2 && q[-2] == 0xEF && q[-1] == 0xBC)
            return q - 2;
        q++;
    }
    return a;
}

/* Whether [p, stop) has a / or a full-width ／ (EF BC 8F): a URL has
 * them, and most text has neither, which two memchr() calls tell faster
 * than a scan for the letters a URL starts with. */
static bool any_slash(const uint8_t *p, const uint8_t *stop)
{
    if (memchr(p, '/', (size_t)(stop - p)))
        return true;
    for (const uint8_t *q = p; (q = memchr(q, 0x8F, (size_t)(stop - q))) != NULL; q++)
        if (q - p >= 2 && q[-2] == 0xEF && q[-1] == 0xBC)
            return true;
    return false;
}

/* The span of furniture other than a location that starts at p, or 0. */
static size_t span_at(const uint8_t *start, const uint8_t *p, const uint8_t *end, unsigned kinds)
{
    uint8_t b = *p;
    if (b == 0xEF && !(end - p >= 3 && fullwidth_start(p)))
        return 0;
    int l;
    uint32_t c = next_folded(p, end, &l);
    if ((c == 'h' || c == 'H') && (kinds & HANFOLD_FURNITURE_URL)) {
        /* not the middle of a word (xhttp) */
        if (p == start || !((p[-1] | 0x20) >= 'a' && (p[-1] | 0x20) <= 'z'))
            return url_at(p, end);
    } else if (c == 'O' && (kinds & HANFOLD_FURNITURE_CARD)) {
        size_t k = stub_at(p + l, end);
        return k ? (size_t)l + k : 0;
    } else if (c == '[' && (kinds & HANFOLD_FURNITURE_EMOTICON)) {
        return emoticon_at(p, end);
    }
    return 0;
}

/* The first span of furniture at or after s + from: its offset in *at,
 * its length returned (0: none). */
/* Whether [p, end) holds byte a or the full-width character EF BC w (the
 * two forms of an ASCII character that a span needs).  Sixteen positions
 * at a time, the last ones from a zero-padded copy: most records have no
 * span, and this is all they pay. */
#ifdef __SSE2__
static inline bool block_has(const uint8_t *q, __m128i va, __m128i vw)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
    __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(q + 1));
    __m128i v2 = _mm_loadu_si128((const __m128i *)(const void *)(q + 2));
    __m128i wide = _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xEF)),
                                               _mm_cmpeq_epi8(v1, _mm_set1_epi8((char)0xBC))),
                                 _mm_cmpeq_epi8(v2, vw));
    return _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, va), wide)) != 0;
}
#endif

static bool has_either(const uint8_t *p, const uint8_t *end, uint8_t a, uint8_t w)
{
#ifdef __SSE2__
    const __m128i va = _mm_set1_epi8((char)a), vw = _mm_set1_epi8((char)w);
    for (; end - p >= 18; p += 16)
        if (block_has(p, va, vw))
            return true;
    /* under 18 positions left: 16 from the copy, then the 17th alone (too
     * near the end to start a full-width character) */
    size_t r = (size_t)(end - p);
    uint8_t tail[32] = {0};
    memcpy(tail, p, r);
    return block_has(tail, va, vw) || (r > 16 && p[16] == a);
#else
    for (; p < end; p++)
        if (*p == a || (*p == 0xEF && end - p >= 3 && p[1] == 0xBC && p[2] == w))
            return true;
    return false;
#endif
}

static size_t find_span(const char *s, size_t n, size_t from, unsigned kinds, size_t *at)
{
    const uint8_t *start = (const uint8_t *)s, *end = start + n;
    /* the kinds whose characters the text has at all (a location's in its
     * last bytes, found below) */
    if ((kinds & HANFOLD_FURNITURE_URL) && !has_either(start + from, end, '/', 0x8F))
        kinds &= ~(unsigned)HANFOLD_FURNITURE_URL;
    if ((kinds & HANFOLD_FURNITURE_CARD) && !has_either(start + from, end, 'O', 0xAF))
        kinds &= ~(unsigned)HANFOLD_FURNITURE_CARD;
    if ((kinds & HANFOLD_FURNITURE_EMOTICON) && !has_either(start + from, end, '[', 0xBB))
        kinds &= ~(unsigned)HANFOLD_FURNITURE_EMOTICON;
    if (!kinds)
        return 0;
    /* a location tag ends the text: its 2 is in the last bytes before the
     * trailing blanks (at most 24 characters of 4 bytes and a space) */
    const uint8_t *last = end;
    while (last > start && (last[-1] == ' ' || last[-1] == '\t' || last[-1] == '\n' || last[-1] == '\r' ||
                            last[-1] >= 0x80))
        if (last[-1] < 0x80)
            last--;
        else {
            /* an invisible or blank character at the end (U+200E...) */
            const uint8_t *q = last - 1;
            while (q > start && (*q & 0xC0) == 0x80)
                q--;
            int l;
            uint32_t c = next_folded(q, end, &l);
            if (!is_space(c) && !is_invisible(c))
                break;
            last = q;
        }
    const uint8_t *loc_from = last - start > 104 ? last - 104 : start;
    /* the location, which ends the text, first: other spans count only
     * before it */
    const uint8_t *stop = end, *p0 = start + from;
    size_t loc_len = 0;
    const uint8_t *lo = p0 > loc_from ? p0 : loc_from;
    if ((kinds & HANFOLD_FURNITURE_LOCATION) && lo < last && has_either(lo, last, '2', 0x92)) {
        /* the first 2 or ２ (EF BC 92) that starts a location */
        for (const uint8_t *q = lo; (q = pin_mark(q, last)) != NULL; q++)
            if (location_before(start, q) && (loc_len = location_at(q, end))) {
                stop = q;
                break;
            }
    }
    kinds &= ~(unsigned)HANFOLD_FURNITURE_LOCATION;
    size_t len;
    const uint8_t *p = p0;
    if (!kinds || (!(kinds & ~(unsigned)HANFOLD_FURNITURE_URL) && !any_slash(p0, stop)))
        p = stop;
#ifdef __SSE2__
    /* sixteen bytes at a time: the bytes a span can start with are never
     * inside a character.  Only the kinds asked for, and with the next
     * bytes that can follow (an 'h' that is not before a 't' starts no
     * URL, and most EF lead bytes are full-width punctuation, EF BC 8C
     * and the like), so that Chinese and English text rarely stops. */
    const __m128i zero = _mm_setzero_si128(), ef = _mm_set1_epi8((char)0xEF);
    const __m128i want_h = kinds & HANFOLD_FURNITURE_URL ? _mm_set1_epi8('h') : zero;
    const __m128i want_o = kinds & HANFOLD_FURNITURE_CARD ? _mm_set1_epi8('O') : zero;
    const __m128i want_b = kinds & HANFOLD_FURNITURE_EMOTICON ? _mm_set1_epi8('[') : zero;
    for (; stop - p >= 18; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i v1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 1));
        __m128i v2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 2));
        const __m128i lower = _mm_set1_epi8(0x20);
        /* h or H, then t, T or a full-width letter's lead byte */
        __m128i h = _mm_and_si128(_mm_cmpeq_epi8(_mm_or_si128(v, lower), want_h),
                                  _mm_or_si128(_mm_cmpeq_epi8(_mm_or_si128(v1, lower), _mm_set1_epi8('t')),
                                               _mm_cmpeq_epi8(v1, ef)));
        /* full-width ｈ Ｈ Ｏ ［ (EF BD 88, EF BC A8, EF BC AF, EF BC BB) */
        __m128i w = _mm_and_si128(_mm_cmpeq_epi8(v, ef),
                                  _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v2, _mm_set1_epi8((char)0x88)),
                                                            _mm_cmpeq_epi8(v2, _mm_set1_epi8((char)0xA8))),
                                               _mm_or_si128(_mm_cmpeq_epi8(v2, _mm_set1_epi8((char)0xAF)),
                                                            _mm_cmpeq_epi8(v2, _mm_set1_epi8((char)0xBB)))));
        __m128i m = _mm_or_si128(_mm_or_si128(h, w),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, want_o), _mm_cmpeq_epi8(v, want_b)));
        /* a zero byte matches the zero of a kind not asked for */
        m = _mm_andnot_si128(_mm_cmpeq_epi8(v, zero), m);
        for (unsigned bits = (unsigned)_mm_movemask_epi8(m); bits; bits &= bits - 1) {
            const uint8_t *q = p + __builtin_ctz(bits);
            if ((len = span_at(start, q, end, kinds))) {
                *at = (size_t)(q - start);
                return len;
            }
        }
    }
    /* the rest from a character's start */
    while (p > p0 && (*p & 0xC0) == 0x80)
        p--;
#endif
    while (p < stop) {
        uint8_t b = *p;
        if (starts[b] && (len = span_at(start, p, end, kinds))) {
            *at = (size_t)(p - start);
            return len;
        }
        p += step[b];
    }
    if (loc_len)
        *at = (size_t)(stop - start);
    return loc_len;
}

bool hf_furniture_possible(const char *s, size_t n, unsigned kinds)
{
    size_t at;
    return kinds && find_span(s, n, 0, kinds, &at) != 0;
}

bool hf_furniture_possible_seen(const char *s, size_t n, unsigned kinds, unsigned seen)
{
    /* each kind needs its character (a URL its //, a location its pin) */
    static const struct { unsigned kind, seen; } need[] = {
        {HANFOLD_FURNITURE_URL, HF_SEEN_SLASH},
        {HANFOLD_FURNITURE_LOCATION, HF_SEEN_PIN},
        {HANFOLD_FURNITURE_CARD, HF_SEEN_CARD},
        {HANFOLD_FURNITURE_EMOTICON, HF_SEEN_BRACKET},
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (!(seen & (need[i].seen | HF_SEEN_WIDE)))
            kinds &= ~need[i].kind;
    return kinds && hf_furniture_possible(s, n, kinds);
}

int hf_furniture_strip(const char *s, size_t n, unsigned kinds, hf_buf *out, size_t *found)
{
    size_t from = 0, at, len;
    *found = 0;
    while ((len = find_span(s, n, from, kinds, &at)) != 0) {
        /* a space keeps the words on either side apart */
        if (hf_buf_append(out, s + from, at - from) || hf_buf_putc(out, ' '))
            return -ENOMEM;
        from = at + len;
        (*found)++;
    }
    return hf_buf_append(out, s + from, n - from) ? -ENOMEM : 0;
}
