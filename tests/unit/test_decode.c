/* Unit tests for decode.c.  Legacy-charset inputs are produced at test time
 * with iconv from UTF-8 literals, so the source stays readable and the bytes
 * are exactly what real GBK/Big5 encoders emit. */
#include "stages.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "check.h"

#define FFFD "\xEF\xBF\xBD"

/* True when s[0..n) is valid UTF-8 (NUL bytes allowed). */
static bool valid_utf8(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t c;
        int k = hf_utf8_next(p + i, n - i, &c);
        if (k < 0)
            return false;
        i += (size_t)k;
    }
    return true;
}

/* Encodes the UTF-8 string utf8 in charset `to` (test fixture builder). */
static void encode(const char *to, const char *utf8, hf_buf *out)
{
    hf_buf_clear(out);
    iconv_t cd = iconv_open(to, "UTF-8");
    if (cd == (iconv_t)-1) {
        fprintf(stderr, "iconv_open(%s) failed\n", to);
        exit(2);
    }
    size_t n = strlen(utf8);
    if (hf_buf_reserve(out, 4 * n + 16))
        exit(2);
    char *in = (char *)(uintptr_t)utf8, *op = out->p;
    size_t inleft = n, oleft = out->cap - 1;
    if (iconv(cd, &in, &inleft, &op, &oleft) == (size_t)-1) {
        fprintf(stderr, "fixture not encodable in %s: %s\n", to, utf8);
        exit(2);
    }
    out->len = (size_t)(op - out->p);
    out->p[out->len] = '\0';
    iconv_close(cd);
}

/* ---- hf_decode_utf8 ----------------------------------------------------- */

struct utf8_case {
    const char *in;
    size_t in_len;
    const char *want;
    size_t want_len;
    size_t invalid;
};

#define U8(in, want, bad) { in, sizeof(in) - 1, want, sizeof(want) - 1, bad }

static const struct utf8_case utf8_cases[] = {
    U8("", "", 0),
    U8("plain ascii", "plain ascii", 0),
    U8("中文 é 😀 ｱ", "中文 é 😀 ｱ", 0),
    /* U+FFFE, U+10FFFF: noncharacters are valid scalar values. */
    U8("\xEF\xBF\xBE\xF4\x8F\xBF\xBF", "\xEF\xBF\xBE\xF4\x8F\xBF\xBF", 0),
    /* NUL is data here; later stages decide what to do with it. */
    U8("a\0b", "a\0b", 0),
    /* Overlongs: C0/C1 never start a sequence, E0 80 / F0 80 are not
     * prefixes of any well-formed sequence. */
    U8("\xC0\xAF", FFFD FFFD, 2),
    U8("\xC1\xBF", FFFD FFFD, 2),
    U8("\xE0\x80\xAF", FFFD FFFD FFFD, 3),
    U8("\xF0\x80\x80\x80", FFFD FFFD FFFD FFFD, 4),
    /* Surrogates encoded in UTF-8 (CESU-8 style). */
    U8("\xED\xA0\x80", FFFD FFFD FFFD, 3),
    U8("\xED\xA0\xBD\xED\xB8\x80", FFFD FFFD FFFD FFFD FFFD FFFD, 6),
    /* Above U+10FFFF. */
    U8("\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD, 4),
    /* A valid prefix cut short by a non-continuation byte: one U+FFFD. */
    U8("\xE2\x82" "A", FFFD "A", 1),
    U8("\xC2\xC2\xA9", FFFD "©", 1),
    U8("\xF0\x9F\x98" "x", FFFD "x", 1),
    /* Truncated at the end of input. */
    U8("a\xE4\xB8", "a" FFFD, 1),
    U8("\xF0\x9F\x98", FFFD, 1),
    U8("\xC3", FFFD, 1),
    /* Lone continuation bytes: one each. */
    U8("\x80", FFFD, 1),
    U8("a\x80\xBF" "b", "a" FFFD FFFD "b", 2),
    /* Bytes that never occur in UTF-8. */
    U8("\xF5", FFFD, 1),
    U8("\xF8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD, 5),
    U8("\xFE\xFF", FFFD FFFD, 2),
    U8("x\xFFy", "x" FFFD "y", 1),
    /* Unicode 15, Table 3-8 example. */
    U8("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
       "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d", 6),
    /* Long ASCII runs around multibyte and invalid bytes, so the eight-byte
     * fast path starts and stops at odd offsets. */
    U8("0123456789abcdef中0123456789abcdefg\x80tail end of text",
       "0123456789abcdef中0123456789abcdefg" FFFD "tail end of text", 1),
    U8("0123456\xE4\xB8" "89abcdef01234567",
       "0123456" FFFD "89abcdef01234567", 1),
};

static void test_utf8_table(void)
{
    hf_buf out = { 0 };
    for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
        const struct utf8_case *c = &utf8_cases[i];
        size_t bad = 0;
        hf_buf_clear(&out);
        CHECK(hf_decode_utf8((const uint8_t *)c->in, c->in_len, &out, &bad, false) == 0);
        bool ok = out.len == c->want_len && memcmp(out.p, c->want, c->want_len) == 0 &&
                  bad == c->invalid;
        if (!ok)
            fprintf(stderr, "utf8 case %zu: got %zu bytes, %zu invalid\n", i, out.len, bad);
        CHECK(ok);
        CHECK(valid_utf8(out.p, out.len));
        CHECK(out.p[out.len] == '\0');
    }
    hf_buf_free(&out);
}

/* Random bytes drawn from UTF-8's building blocks (ASCII, every lead and
 * trail range, the overlong and surrogate edges): valid input comes out
 * unchanged with nothing counted exactly when libunistring's u8_check()
 * finds it valid, and the output is always valid. */
static void test_utf8_random(void)
{
    static const uint8_t pool[] = {'a', '\n', 0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF,
                                   0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xE4, 0xED, 0xEE, 0xEF,
                                   0xF0, 0xF1, 0xF4, 0xF5, 0xFF, 0xB8, 0xAD, 0x80, 0xBF, 0xE4};
    uint64_t r = 0x9E3779B97F4A7C15ULL;
    hf_buf out = { 0 };
    uint8_t in[64];
    int bad_cases = 0, valid_seen = 0;
    for (int it = 0; it < 200000; it++) {
        size_t n = 0;
        while (n < sizeof in - 4) {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            if (r % 9 == 0)
                break;
            if (r % 3 == 0) { /* a well-formed 3-byte sequence: 一 or 中 */
                memcpy(in + n, (r >> 8) & 1 ? "\xE4\xB8\x80" : "\xE4\xB8\xAD", 3);
                n += 3;
            } else {
                in[n++] = pool[(r >> 16) % sizeof pool];
            }
        }
        size_t bad = 0;
        hf_buf_clear(&out);
        if (hf_decode_utf8(in, n, &out, &bad, false)) {
            bad_cases++;
            continue;
        }
        bool valid = u8_check(in, n) == NULL;
        valid_seen += valid;
        if (valid != (bad == 0) || (valid && (out.len != n || memcmp(out.p, in, n))) ||
            u8_check((const uint8_t *)out.p, out.len) != NULL)
            bad_cases++;
    }
    CHECK(bad_cases == 0);
    CHECK(valid_seen > 1000); /* both kinds were drawn */
    hf_buf_free(&out);
}

/* The AVX2 check (where the machine has it) against the scalar loop of the
 * reference path: texts of up to 300 bytes, 32-byte blocks and more, of
 * well-formed characters of every length with an ill-formed byte now and
 * then, and each building block at every offset of a text of three-byte
 * characters (before, on and after every block boundary): same output,
 * same count of replacements. */
static void check_both(const uint8_t *in, size_t n, hf_buf *fast, hf_buf *ref, int *bad_cases)
{
    size_t bf = 0, br = 0;
    hf_buf_clear(fast);
    hf_buf_clear(ref);
    int ef = hf_decode_utf8(in, n, fast, &bf, false);
    int er = hf_decode_utf8(in, n, ref, &br, true);
    if (ef || er || bf != br || fast->len != ref->len || memcmp(fast->p, ref->p, fast->len)) {
        if (++*bad_cases <= 5)
            fprintf(stderr, "utf8 fast and reference differ on %zu bytes (%zu vs %zu replaced)\n", n, bf, br);
    }
}

static void test_utf8_blocks(void)
{
    static const char *const chars[] = {"a", "Z", " ", "\n", "\t", "\xC2\xA9", "\xDF\xBF", "\xE4\xB8\xAD",
                                        "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEF\xBF\xBD", "\xE6\x96\x87",
                                        "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", "\xF0\xA0\x80\x80"};
    static const uint8_t pool[] = {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
                                   0xE1, 0xE4, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF, 0x00};
    uint64_t r = 0x2545F4914F6CDD1DULL;
    uint8_t in[310];
    hf_buf fast = {0}, ref = {0};
    int bad_cases = 0;
    for (int it = 0; it < 100000; it++) {
        size_t want = (size_t)(xorshift64(&r) % 300), n = 0;
        int rate = 1 + (int)(xorshift64(&r) % 200);
        while (n < want) {
            uint64_t x = xorshift64(&r);
            if ((int)(x % 1000) < rate) {
                in[n++] = pool[(x >> 16) % sizeof pool];
            } else {
                const char *c = chars[(x >> 16) % (sizeof chars / sizeof chars[0])];
                size_t l = strlen(c);
                memcpy(in + n, c, l);
                n += l;
            }
        }
        check_both(in, n, &fast, &ref, &bad_cases);
    }
    /* one ill-formed byte or a cut sequence at every offset */
    for (size_t len = 60; len <= 100; len += 20)
        for (size_t pos = 0; pos < len; pos++)
            for (size_t k = 0; k < sizeof pool + 2; k++) {
                size_t n = 0;
                while (n + 3 <= len) {
                    memcpy(in + n, "\xE4\xB8\xAD", 3);
                    n += 3;
                }
                if (k < sizeof pool)
                    in[pos < n ? pos : n - 1] = pool[k];
                else if (k == sizeof pool)
                    n = pos < n ? pos + 1 : n - 1; /* ends inside or after a character */
                else
                    memcpy(in + (pos < n - 4 ? pos : n - 4), "\xF0\x9F\x98", 3); /* cut 4-byte */
                check_both(in, n, &fast, &ref, &bad_cases);
            }
    CHECK(bad_cases == 0);
    hf_buf_free(&fast);
    hf_buf_free(&ref);
}

static void test_utf8_misc(void)
{
    hf_buf out = { 0 };
    size_t bad = 5;

    /* Appends to what is there, and adds to the counter. */
    CHECK(hf_buf_append(&out, "pre:", 4) == 0);
    CHECK(hf_decode_utf8((const uint8_t *)"x\xFF", 2, &out, &bad, false) == 0);
    CHECK_STR(out.p, out.len, "pre:x" FFFD);
    CHECK(bad == 6);

    /* The counter is optional. */
    hf_buf_clear(&out);
    CHECK(hf_decode_utf8((const uint8_t *)"\xFF", 1, &out, NULL, false) == 0);
    CHECK_STR(out.p, out.len, FFFD);

    /* An invalid byte at every offset of a long ASCII run. */
    char in[40];
    for (size_t pos = 0; pos < sizeof in; pos++) {
        memset(in, 'a', sizeof in);
        in[pos] = (char)0x80;
        hf_buf_clear(&out);
        bad = 0;
        CHECK(hf_decode_utf8((const uint8_t *)in, sizeof in, &out, &bad, false) == 0);
        CHECK(bad == 1 && out.len == sizeof in + 2);
        CHECK(memcmp(out.p + pos, FFFD, 3) == 0);
    }

    /* Random bytes: output always valid, valid input always unchanged. */
    unsigned long seed = 12345;
    for (int round = 0; round < 2000; round++) {
        uint8_t r[64];
        size_t n = (size_t)(round % 64);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005UL + 1442695040888963407UL;
            /* Bias towards bytes that matter to UTF-8 structure. */
            uint8_t b = (uint8_t)(seed >> 33);
            r[i] = (round & 1) ? (uint8_t)(0x80 | (b & 0x7F)) : b;
        }
        hf_buf_clear(&out);
        bad = 0;
        CHECK(hf_decode_utf8(r, n, &out, &bad, false) == 0);
        CHECK(valid_utf8(out.p, out.len));
        if (bad == 0)
            CHECK(out.len == n && memcmp(out.p, r, n) == 0);
        else
            CHECK(!valid_utf8((const char *)r, n));
    }
    hf_buf_free(&out);
}

/* ---- hf_decode_bom ------------------------------------------------------ */

static void test_bom(void)
{
    static const struct {
        const char *in;
        size_t n;
        const char *want;
        size_t len;
    } cases[] = {
        { "\xEF\xBB\xBFhello", 8, "UTF-8", 3 },
        { "\xEF\xBB\xBF", 3, "UTF-8", 3 },
        { "\xFF\xFE" "a\0", 4, "UTF-16LE", 2 },
        { "\xFE\xFF\0a", 4, "UTF-16BE", 2 },
        { "\xFF\xFE\0\0", 4, "UTF-32LE", 4 },
        { "\0\0\xFE\xFF", 4, "UTF-32BE", 4 },
        { "\xFF\xFE", 2, "UTF-16LE", 2 },
        { "\xEF\xBB", 2, NULL, 0 },
        { "hello", 5, NULL, 0 },
        { "", 0, NULL, 0 },
        { "\xFE", 1, NULL, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = 99;
        const char *got = hf_decode_bom((const uint8_t *)cases[i].in, cases[i].n, &len);
        if (cases[i].want)
            CHECK(got && strcmp(got, cases[i].want) == 0);
        else
            CHECK(got == NULL);
        CHECK(len == cases[i].len);
    }
}

/* ---- hf_decode_meta_charset --------------------------------------------- */

static void test_meta(void)
{
    static const struct {
        const char *html;
        const char *want; /* NULL: no charset */
    } cases[] = {
        { "<html><head><meta charset=\"gbk\"></head>", "gbk" },
        { "<meta charset=big5>", "big5" },
        { "<META CHARSET='GB2312' />", "GB2312" },
        { "<meta charset = \"utf-8\">", "utf-8" },
        { "<meta\tcharset=\"x-mac-chinesetrad\">", "x-mac-chinesetrad" },
        { "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">", "gb2312" },
        { "<meta content=\"text/html;charset=Big5-HKSCS\" http-equiv=\"content-type\">",
          "Big5-HKSCS" },
        { "<meta http-equiv=Content-Type content='text/html; charset=\"euc-tw\"'>", "euc-tw" },
        { "<Meta HTTP-EQUIV=\"CONTENT-TYPE\" CONTENT=\"text/html; CHARSET = gbk\">", "gbk" },
        /* Other metas before the one that counts. */
        { "<meta name=viewport content=\"width=device-width\"><meta charset=gb18030>", "gb18030" },
        /* A content attribute without the Content-Type pragma is text. */
        { "<meta name=\"description\" content=\"charset=big5 explained\">", NULL },
        /* Names stop at characters that cannot be in a charset name. */
        { "<meta charset=\"gbk;x\">", "gbk" },
        { "<meta charset=\"\">", NULL },
        { "<!-- <meta charset=big5> --><meta charset=gbk>", "gbk" },
        { "<!-- <meta charset=big5> -->", NULL },
        { "<metadata charset=big5>", NULL },
        { "<p>charset=gbk</p>", NULL },
        { "<meta charset=gbk", NULL }, /* unterminated tag */
        { "", NULL },
        { "plain text", NULL },
    };
    char name[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *h = cases[i].html;
        bool got = hf_decode_meta_charset((const uint8_t *)h, strlen(h), name, sizeof name);
        if (cases[i].want) {
            CHECK(got);
            CHECK_STR(name, strlen(name), cases[i].want);
        } else {
            if (got)
                fprintf(stderr, "meta case %zu: unexpected \"%s\"\n", i, name);
            CHECK(!got);
        }
    }

    /* A name longer than the buffer is refused, not truncated. */
    const char *longname = "<meta charset=abcdefghijklmnop>";
    CHECK(!hf_decode_meta_charset((const uint8_t *)longname, strlen(longname), name, 8));
    CHECK(hf_decode_meta_charset((const uint8_t *)longname, strlen(longname), name, 17));
    CHECK_STR(name, strlen(name), "abcdefghijklmnop");

    /* Only the first 4096 bytes are searched. */
    hf_buf doc = { 0 };
    const char *meta = "<meta charset=gbk>";
    for (int i = 0; i < 4096 - 18; i++)
        CHECK(hf_buf_putc(&doc, ' ') == 0);
    CHECK(hf_buf_append(&doc, meta, strlen(meta)) == 0);
    CHECK(doc.len == 4096);
    CHECK(hf_decode_meta_charset((const uint8_t *)doc.p, doc.len, name, sizeof name));
    hf_buf_clear(&doc);
    for (int i = 0; i < 4096; i++)
        CHECK(hf_buf_putc(&doc, ' ') == 0);
    CHECK(hf_buf_append(&doc, meta, strlen(meta)) == 0);
    CHECK(!hf_decode_meta_charset((const uint8_t *)doc.p, doc.len, name, sizeof name));
    /* ... and a tag cut by the limit does not yield a cut name. */
    hf_buf_clear(&doc);
    for (int i = 0; i < 4096 - 16; i++)
        CHECK(hf_buf_putc(&doc, ' ') == 0);
    CHECK(hf_buf_append(&doc, "<meta charset=gb18030>", 22) == 0);
    CHECK(!hf_decode_meta_charset((const uint8_t *)doc.p, doc.len, name, sizeof name));
    hf_buf_free(&doc);
}

/* ---- hf_decoder --------------------------------------------------------- */

/* Runs a fresh decoder for charset over n bytes; expects success. */
static void decode_with(const char *charset, const void *s, size_t n, hf_buf *out, size_t *bad)
{
    hf_decoder *d = NULL;
    hf_buf_clear(out);
    *bad = 0;
    int rc = hf_decoder_new(&d, charset);
    CHECK(rc == 0);
    if (rc)
        return;
    CHECK(hf_decoder_run(d, s, n, out, bad) == 0);
    CHECK(valid_utf8(out->p, out->len));
    hf_decoder_free(&d);
    CHECK(d == NULL);
}

static void test_decoder(void)
{
    hf_buf out = { 0 };
    size_t bad;

    /* GBK bytes D6D0 CEC4 B2E2 CAD4, decoded with the superset GB18030. */
    decode_with("GB18030", "\xD6\xD0\xCE\xC4\xB2\xE2\xCA\xD4", 8, &out, &bad);
    CHECK_STR(out.p, out.len, "中文测试");
    CHECK(bad == 0);
    decode_with("GBK", "\xD6\xD0\xCE\xC4\xB2\xE2\xCA\xD4", 8, &out, &bad);
    CHECK_STR(out.p, out.len, "中文测试");

    /* Big5 A4A4 A4E5 B4FA B8D5. */
    decode_with("BIG5-HKSCS", "\xA4\xA4\xA4\xE5\xB4\xFA\xB8\xD5", 8, &out, &bad);
    CHECK_STR(out.p, out.len, "中文測試");
    CHECK(bad == 0);

    /* HKSCS-only character 0x8862: Ê followed by a combining macron (one
     * code becomes two code points), then plain ASCII. */
    decode_with("BIG5-HKSCS", "\x88\x62" "a", 3, &out, &bad);
    CHECK_STR(out.p, out.len, "\xC3\x8A\xCC\x84" "a");

    /* GB18030 four-byte sequences: U+20000 (supplementary) and "€" (A2E3). */
    decode_with("GB18030", "\x95\x32\x82\x36\xA2\xE3", 6, &out, &bad);
    CHECK_STR(out.p, out.len, "\xF0\xA0\x80\x80€");
    CHECK(bad == 0);

    /* Invalid GBK pair: 0x81 is a lead byte, 0x20 no trail byte.  Only the
     * lead is replaced, the space survives. */
    decode_with("GB18030", "\xD6\xD0\x81\x20\xCE\xC4", 6, &out, &bad);
    CHECK_STR(out.p, out.len, "中" FFFD " 文");
    CHECK(bad == 1);
    decode_with("GB18030", "a\xFF" "b\x80" "c", 5, &out, &bad);
    CHECK_STR(out.p, out.len, "a" FFFD "b" FFFD "c");
    CHECK(bad == 2);

    /* A lead byte cut off at the end of the chunk. */
    decode_with("GB18030", "\xD6\xD0\xCE", 3, &out, &bad);
    CHECK_STR(out.p, out.len, "中" FFFD);
    CHECK(bad == 1);
    decode_with("BIG5-HKSCS", "\xA4\xA4\xA4", 3, &out, &bad);
    CHECK_STR(out.p, out.len, "中" FFFD);
    CHECK(bad == 1);
    /* ... and a four-byte GB18030 sequence cut after three bytes. */
    decode_with("GB18030", "x\x95\x32\x82", 4, &out, &bad);
    CHECK_STR(out.p, out.len, "x" FFFD);
    CHECK(bad == 1);

    /* UTF-16LE "中a", a lone surrogate (skips one unit, stays aligned), an
     * odd trailing byte. */
    decode_with("UTF-16LE", "\x2D\x4E\x61\x00", 4, &out, &bad);
    CHECK_STR(out.p, out.len, "中a");
    CHECK(bad == 0);
    decode_with("UTF-16LE", "\x00\xD8\x61\x00\x2D\x4E", 6, &out, &bad);
    CHECK_STR(out.p, out.len, FFFD "a中");
    CHECK(bad == 1);
    decode_with("UTF-16LE", "\x61\x00\x62", 3, &out, &bad);
    CHECK_STR(out.p, out.len, "a" FFFD);
    CHECK(bad == 1);
    /* UTF-16 with a BOM picks the byte order from it. */
    decode_with("UTF-16", "\xFF\xFE\x2D\x4E", 4, &out, &bad);
    CHECK_STR(out.p, out.len, "中");

    /* NUL bytes pass through. */
    decode_with("GB18030", "a\0b", 3, &out, &bad);
    CHECK(out.len == 3 && memcmp(out.p, "a\0b", 3) == 0);

    /* Empty input. */
    decode_with("GB18030", "", 0, &out, &bad);
    CHECK(out.len == 0 && bad == 0);

    /* A decoder is reusable and appends; the iconv state is reset between
     * runs, so a UTF-16 BOM in one run does not decide the next one. */
    hf_decoder *d = NULL;
    CHECK(hf_decoder_new(&d, "UTF-16") == 0);
    hf_buf_clear(&out);
    bad = 0;
    CHECK(hf_decoder_run(d, (const uint8_t *)"\xFF\xFE\x2D\x4E", 4, &out, &bad) == 0);
    CHECK(hf_decoder_run(d, (const uint8_t *)"\x4E\x2D", 2, &out, &bad) == 0);
    CHECK(hf_decoder_run(d, (const uint8_t *)"\xFE\xFF\x4E\x2D", 4, &out, &bad) == 0);
    CHECK_STR(out.p, out.len, "中中中");
    CHECK(bad == 0);
    hf_decoder_free(&d);
    CHECK(hf_decoder_new(&d, "utf-32") == 0);
    hf_buf_clear(&out);
    CHECK(hf_decoder_run(d, (const uint8_t *)"\xFF\xFE\0\0\x2D\x4E\0\0", 8, &out, &bad) == 0);
    CHECK(hf_decoder_run(d, (const uint8_t *)"\0\0\x4E\x2D", 4, &out, &bad) == 0);
    CHECK_STR(out.p, out.len, "中中");
    hf_decoder_free(&d);

    /* ISO-2022-CN: the shift state of one chunk does not leak into the
     * next (SO without SI at the end of the first chunk). */
    CHECK(hf_decoder_new(&d, "ISO-2022-CN") == 0);
    hf_buf_clear(&out);
    CHECK(hf_decoder_run(d, (const uint8_t *)"\x1B$)A\x0E\x56\x50", 7, &out, &bad) == 0);
    CHECK(hf_decoder_run(d, (const uint8_t *)"\x56\x50", 2, &out, &bad) == 0);
    CHECK_STR(out.p, out.len, "中VP");
    hf_decoder_free(&d);

    /* Output growth: Big5 that grows by 7/4 in UTF-8 (A4A4 -> 3 bytes,
     * 8862 -> 4 bytes), more than the first reservation of 3/2. */
    hf_buf big = { 0 }, in = { 0 };
    for (int i = 0; i < 3000; i++)
        CHECK(hf_buf_append(&in, "\xA4\xA4\x88\x62", 4) == 0);
    decode_with("BIG5-HKSCS", in.p, in.len, &big, &bad);
    CHECK(big.len == 3000 * 7 && bad == 0);
    hf_buf_free(&big);
    hf_buf_free(&in);

    /* Unknown charset, bad arguments. */
    d = (hf_decoder *)&out; /* must be overwritten */
    CHECK(hf_decoder_new(&d, "NO-SUCH-CHARSET") == -EINVAL);
    CHECK(d == NULL);
    CHECK(hf_decoder_new(&d, "") == -EINVAL);
    CHECK(hf_decoder_new(&d, NULL) == -EINVAL);
    /* glibc has no HZ converter, which is why detection never returns it. */
    CHECK(hf_decoder_new(&d, "HZ-GB-2312") == -EINVAL);
    hf_decoder_free(NULL);
    hf_decoder_free(&d);
    CHECK(d == NULL);

    /* Random bytes through the CJK converters: always valid UTF-8. */
    const char *charsets[] = { "GB18030", "BIG5-HKSCS", "EUC-TW", "UTF-16LE", "UTF-32BE" };
    unsigned long seed = 777;
    for (size_t c = 0; c < sizeof charsets / sizeof charsets[0]; c++) {
        CHECK(hf_decoder_new(&d, charsets[c]) == 0);
        for (int round = 0; round < 300; round++) {
            uint8_t r[48];
            size_t n = (size_t)(round % 48);
            for (size_t i = 0; i < n; i++) {
                seed = seed * 6364136223846793005UL + 1442695040888963407UL;
                r[i] = (uint8_t)(seed >> 33);
            }
            hf_buf_clear(&out);
            CHECK(hf_decoder_run(d, r, n, &out, NULL) == 0);
            CHECK(valid_utf8(out.p, out.len));
        }
        hf_decoder_free(&d);
    }
    hf_buf_free(&out);
}

/* ---- hf_decode_detect --------------------------------------------------- */

/* About 150 Han characters each; uchardet needs some text to be sure (see
 * test_detect_short). */
static const char simp_text[] =
    "互联网上的中文网页使用过多种字符编码，早期的简体中文网站大多采用国标编码，"
    "而台湾和香港的网站则普遍使用大五码。今天绝大多数网页已经改用统一码，"
    "但是在抓取旧网页或者论坛存档的时候，我们仍然经常遇到没有声明编码的文件，"
    "只能根据字节的统计规律来猜测它们的编码，然后再转换成统一码进行后续的处理和分析。";
static const char trad_text[] =
    "網際網路上的中文網頁使用過多種字元編碼，早期的繁體中文網站大多採用大五碼，"
    "而中國大陸的網站則普遍使用國標碼。今天絕大多數網頁已經改用統一碼，"
    "但是在抓取舊網頁或者論壇存檔的時候，我們仍然經常遇到沒有宣告編碼的檔案，"
    "只能根據位元組的統計規律來猜測它們的編碼，然後再轉換成統一碼進行後續的處理與分析。";

static void check_detect(const void *s, size_t n, const char *want)
{
    const char *got = hf_decode_detect(s, n);
    if (!(got ? want && strcmp(got, want) == 0 : want == NULL))
        fprintf(stderr, "detect: got %s, want %s\n", got ? got : "NULL", want ? want : "NULL");
    CHECK(got ? want && strcmp(got, want) == 0 : want == NULL);
}

static void test_detect(void)
{
    hf_buf b = { 0 };

    encode("GBK", simp_text, &b);
    check_detect(b.p, b.len, "GB18030");
    encode("GBK", trad_text, &b); /* GBK also encodes traditional characters */
    check_detect(b.p, b.len, "GB18030");
    encode("BIG5", trad_text, &b);
    check_detect(b.p, b.len, "BIG5-HKSCS");
    check_detect(simp_text, strlen(simp_text), "UTF-8");
    check_detect(trad_text, strlen(trad_text), "UTF-8");
    /* Pure ASCII and empty samples count as UTF-8. */
    check_detect("just some ascii text", 20, "UTF-8");
    check_detect("", 0, "UTF-8");

    /* Round trip: the detected name decodes the sample back. */
    encode("BIG5", trad_text, &b);
    hf_buf out = { 0 };
    size_t bad;
    decode_with(hf_decode_detect((const uint8_t *)b.p, b.len), b.p, b.len, &out, &bad);
    CHECK_STR(out.p, out.len, trad_text);
    hf_buf_free(&out);
    hf_buf_free(&b);
}

/* Documents where uchardet 0.0.7 starts to be reliable: a handful of Han
 * characters (about six) is enough for GBK and Big5; four are not, and the
 * answer for them is a single-byte charset or nothing at all.  Callers should
 * therefore prefer a BOM or <meta> and detect on a whole document, not on a
 * title. */
static void test_detect_short(void)
{
    hf_buf b = { 0 };
    encode("GBK", "今天天气很好", &b);
    check_detect(b.p, b.len, "GB18030");
    encode("GBK", "iPhone 15 发布会将于9月12日举行", &b);
    check_detect(b.p, b.len, "GB18030");
    encode("BIG5", "今天天氣很好", &b);
    check_detect(b.p, b.len, "BIG5-HKSCS");

    /* Too short to tell: whatever comes back is not a Chinese charset. */
    encode("GBK", "中文测试", &b);
    const char *got = hf_decode_detect((const uint8_t *)b.p, b.len);
    CHECK(!got || strcmp(got, "GB18030") != 0);
    hf_buf_free(&b);
}

/* What proves UTF-8 (hanfold_detect_charset() takes it over a <meta>):
 * characters beyond ASCII, all well-formed, the last one possibly cut. */
static void test_proves_utf8(void)
{
    static const struct { const char *s; bool want; } cases[] = {
        {"plain ascii <meta charset=big5>", false},
        {"", false},
        {"\xE4\xBD\xA0\xE5\xA5\xBD", true},                  /* 你好 */
        {"\xE4\xBD\xA0\xE5\xA5", true},                       /* cut inside 好 */
        {"\xE4\xBD\xA0\xE5", true},
        {"\xE4\xBD\xA0\xE5\x41", false},                      /* a lead byte, then ASCII */
        {"\xC4\xE3\xBA\xC3", false},                          /* 你好 in GBK */
        {"\xA7\x41\xA6\x6E", false},                          /* 你好 in Big5 */
        {"\xE4\xBD\xA0\xFF", false},
        {"\xED\xA0\x80", false},                              /* a surrogate */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(hf_decode_proves_utf8((const uint8_t *)cases[i].s, strlen(cases[i].s)) == cases[i].want);
    size_t bom;
    static const char *const u8 = "<meta charset=\"big5\"><p>\xE4\xBD\xA0\xE5\xA5\xBD";
    static const char *const u16 = "<meta charset=\"utf-16le\"><p>hi";
    static const char *const b5 = "<meta charset=\"big5\"><p>\xA7\x41\xA6\x6E";
    CHECK(!strcmp(hanfold_detect_charset(u8, strlen(u8), true, &bom), "UTF-8"));
    CHECK(!strcmp(hanfold_detect_charset(u16, strlen(u16), true, &bom), "UTF-8"));
    CHECK(!strcmp(hanfold_detect_charset(b5, strlen(b5), true, &bom), "BIG5-HKSCS"));
}

int main(void)
{
    test_proves_utf8();
    test_utf8_table();
    test_utf8_misc();
    test_utf8_random();
    test_utf8_blocks();
    test_bom();
    test_meta();
    test_decoder();
    test_detect();
    test_detect_short();
    return check_done("test_decode");
}
