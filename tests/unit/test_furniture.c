/* furniture stage: table-driven cases of what is left out of the key, and
 * what is not. */
#include "check.h"
#include "hanfold.h"
#include "stages.h"

static const struct {
    unsigned kinds;
    const char *in, *want;
    size_t found;
} cases[] = {
    /* share links, ASCII and full-width, ending where the URL characters end */
    {HANFOLD_FURNITURE_URL, "转发http://t.cn/R4tpciq了", "转发 了", 1},
    {HANFOLD_FURNITURE_URL, "看 https://example.com/a?b=1&c=2. 好", "看  . 好", 1},
    {HANFOLD_FURNITURE_URL, "ｈｔｔｐ：／／ｔ．ｃｎ／ＲＡＢ好", " 好", 1},
    {HANFOLD_FURNITURE_URL, "HTTP://T.CN/X", " ", 1},
    {HANFOLD_FURNITURE_URL, "xhttp://t.cn/x", "xhttp://t.cn/x", 0},
    {HANFOLD_FURNITURE_URL, "http:// 空", "http:// 空", 0},
    {HANFOLD_FURNITURE_URL, "http", "http", 0},
    /* a check-in location: after a space (or 我在:), to the end of the post */
    {HANFOLD_FURNITURE_LOCATION, "各位！ 2北京·工体", "各位！  ", 1},
    {HANFOLD_FURNITURE_LOCATION, "一路走好 2川南奉公路", "一路走好  ", 1},
    {HANFOLD_FURNITURE_LOCATION, "影城！ 2 上海·南翔保利影城\xe2\x80\x8e", "影城！  ", 1},
    {HANFOLD_FURNITURE_LOCATION, "我在:2雲路街", "我在: ", 1},
    {HANFOLD_FURNITURE_LOCATION, "好 ２深圳·桃源街區 ", "好  ", 1},
    {HANFOLD_FURNITURE_LOCATION, "出生于 2016", "出生于 2016", 0},     /* a number, not a place */
    {HANFOLD_FURNITURE_LOCATION, "果断取2亿很霸气", "果断取2亿很霸气", 0}, /* no space before */
    {HANFOLD_FURNITURE_LOCATION, "有 2个人，来了", "有 2个人，来了", 0},   /* not at the end */
    {HANFOLD_FURNITURE_LOCATION, "有 2个人 来了", "有 2个人 来了", 0},
    /* emoticon codes, 1 to 8 characters */
    {HANFOLD_FURNITURE_EMOTICON, "[蜡烛][蜡烛]一路走好", "  一路走好", 2},
    {HANFOLD_FURNITURE_EMOTICON, "［蠟燭］好", " 好", 1},
    {HANFOLD_FURNITURE_EMOTICON, "[em]e400624[/em]", " e400624 ", 2},
    {HANFOLD_FURNITURE_EMOTICON, "[]空[这是一个很长的方括号里面的话]", "[]空[这是一个很长的方括号里面的话]", 0},
    {HANFOLD_FURNITURE_EMOTICON, "[你好，世界]", "[你好，世界]", 0},
    {HANFOLD_FURNITURE_EMOTICON, "[未闭合", "[未闭合", 0},
    /* link cards, in either script */
    {HANFOLD_FURNITURE_CARD, "看O网页链接", "看 ", 1},
    {HANFOLD_FURNITURE_CARD, "看Ｏ網頁連結好", "看 好", 1},
    {HANFOLD_FURNITURE_CARD, "O秒拍視頻", " ", 1},
    {HANFOLD_FURNITURE_CARD, "O网页", "O网页", 0},
    {HANFOLD_FURNITURE_CARD, "Oreo饼干", "Oreo饼干", 0},
    /* only the kinds asked for */
    {HANFOLD_FURNITURE_URL, "[蜡烛]O网页链接 2北京", "[蜡烛]O网页链接 2北京", 0},
    {HANFOLD_FURNITURE_ALL, "[蜡烛]O网页链接http://t.cn/x 2北京", "     ", 4},
    {HANFOLD_FURNITURE_ALL, "[蜡烛]O网页链接http://t.cn/x2北京", "   北京", 3}, /* t.cn codes run into the text */
    {HANFOLD_FURNITURE_ALL, "[蜡烛]O网页链接 http://t.cn/x 2北京", "      ", 4},
    {0, "[蜡烛]http://t.cn/x", "[蜡烛]http://t.cn/x", 0},
    {HANFOLD_FURNITURE_ALL, "", "", 0},
};

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hf_buf out = {0};
        size_t found = 99;
        size_t n = strlen(cases[i].in);
        CHECK(hf_furniture_strip(cases[i].in, n, cases[i].kinds, &out, &found) == 0);
        CHECK_STR(out.p ? out.p : "", out.len, cases[i].want);
        CHECK(found == cases[i].found);
        CHECK(hf_furniture_possible(cases[i].in, n, cases[i].kinds) == (cases[i].found > 0));
        hf_buf_free(&out);
    }

    /* the scan takes sixteen bytes at a time far from the end: a prefix of
     * neutral characters (1, 2 and 3 bytes long, so every alignment comes
     * up) changes nothing but itself */
    static const char *const pieces[] = {
        "http://t.cn/Ab1", "[蜡烛]", "O网页链接", " 2北京·工体", "，", "。", "ｈｔｔｐ：／／ｘｙ", "Ｏ網頁連結",
        "［淚］", "中", "文", "字", "hello", "Oreo", " 2016", " ", "[", "]", "O", "h", "2", "我在:", "\xe2\x80\x8e",
    };
    uint64_t rs = 0x9E3779B97F4A7C15ULL;
    size_t differ = 0;
    for (int it = 0; it < 20000; it++) {
        char text[1024], padded[1100];
        size_t tl = 0, np = 1 + xorshift64(&rs) % 40;
        for (size_t k = 0; k < np; k++) {
            const char *piece = pieces[xorshift64(&rs) % (sizeof pieces / sizeof pieces[0])];
            size_t l = strlen(piece);
            memcpy(text + tl, piece, l);
            tl += l;
        }
        size_t pl = 0;
        for (unsigned k = (unsigned)(xorshift64(&rs) % 3); k; k--)
            padded[pl++] = '-';
        for (unsigned k = (unsigned)(xorshift64(&rs) % 3); k; k--) {
            memcpy(padded + pl, "\xc3\xa9", 2);
            pl += 2;
        }
        for (unsigned k = (unsigned)(xorshift64(&rs) % 12); k; k--) {
            memcpy(padded + pl, "中", 3);
            pl += 3;
        }
        size_t prefix = pl;
        memcpy(padded + pl, text, tl);
        pl += tl;
        unsigned kinds = (unsigned)(xorshift64(&rs) % 16);
        hf_buf a = {0}, b = {0};
        size_t fa, fb;
        CHECK(hf_furniture_strip(text, tl, kinds, &a, &fa) == 0);
        CHECK(hf_furniture_strip(padded, pl, kinds, &b, &fb) == 0);
        if (fa != fb || b.len != prefix + a.len || memcmp(b.p, padded, prefix) ||
            memcmp(b.p + prefix, a.p ? a.p : "", a.len))
            differ++;
        hf_buf_free(&a);
        hf_buf_free(&b);
    }
    CHECK(differ == 0);

    /* through the library: the key leaves furniture out, the text keeps it,
     * and drop_furniture 0 keeps it in the key */
    hanfold_settings s;
    hanfold_settings_default(&s);
    CHECK(s.drop_furniture == HANFOLD_FURNITURE_DEFAULT);
    hanfold_ctx *ctx, *keep;
    CHECK(hanfold_ctx_new(&ctx, &s, NULL, 0) == 0);
    s.drop_furniture = 0;
    CHECK(hanfold_ctx_new(&keep, &s, NULL, 0) == 0);
    const char *post = "轉發微博 http://t.cn/R4tpciq 各位！ 2北京·工體";
    hanfold_result r;
    CHECK(hanfold_process(ctx, post, strlen(post), HANFOLD_WANT_KEY | HANFOLD_WANT_TEXT, &r) == 0);
    CHECK_STR(r.key, r.key_len, "转发微博各位");
    CHECK_STR(r.text, r.text_len, "转发微博http://t.cn/R4tpciq各位！2北京·工体");
    /* the key alone (its own fast path) is the same */
    CHECK(hanfold_process(ctx, post, strlen(post), HANFOLD_WANT_KEY, &r) == 0);
    CHECK_STR(r.key, r.key_len, "转发微博各位");
    CHECK(hanfold_process(keep, post, strlen(post), HANFOLD_WANT_KEY, &r) == 0);
    CHECK_STR(r.key, r.key_len, "转发微博httptcnr4tpciq各位2北京工体");
    /* readings removed first: a card written with pinyin is still a card */
    const char *card = "看O網(wǎng)頁(yè)鏈接";
    s.drop_furniture = HANFOLD_FURNITURE_CARD;
    hanfold_ctx *cards;
    CHECK(hanfold_ctx_new(&cards, &s, NULL, 0) == 0);
    CHECK(hanfold_process(cards, card, strlen(card), HANFOLD_WANT_KEY, &r) == 0);
    CHECK_STR(r.key, r.key_len, "看");
    hanfold_ctx_free(&ctx);
    hanfold_ctx_free(&keep);
    hanfold_ctx_free(&cards);
    return check_done("furniture");
}
