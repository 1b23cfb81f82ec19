/* Unit tests for markup.c: detection of real HTML, and text extraction
 * (entities, ruby, dropped boilerplate, line structure, broken and deeply
 * nested markup, and the real page in /work/shared/seeds when present). */
#include "stages.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>

#include "check.h"

#define SEED_004 "/work/shared/seeds/004_2ec2a4a0d5744058.txt"

/* ---- hf_markup_detect ----------------------------------------------------- */

struct detect_case {
    const char *in;
    bool want;
};

static const struct detect_case detect_cases[] = {
    {"<b>bold</b>", true},
    {"<!DOCTYPE html><title>x</title>", true},
    {"<!doctype html>", true},
    {"<p>", true},
    {"text<p>more", true},
    {"<P class=x>", true},
    {"<br/>", true},
    {"line<br />line", true},
    {"<div id=\"a\">x</div>", true},
    {"</p>", true},
    {"<!-- comment -->", true},
    {"<a href=\"https://example.com/\">link</a>", true},
    {"<span>x</span>", true},
    {"<h2>标题</h2>", true},
    {"<img src=\"a.png\">", true},
    {"<TABLE><TR><TD>x", true},
    {"<time datetime=\"2024\">", true},
    {"<Time>杂志</Time>", true},   /* a word-like name with its closing tag */
    {"<video/>", true},
    {"<有一种喜欢，叫做思念成疾>", false},
    {"x<y", false},
    {"a < b > c", false},
    {"<Apple>", false},
    {"<Apple> and <Banana>", false},
    {"<Time>杂志", false},     /* word-like name without tag syntax */
    {"<Meta>发布新模型", false},
    {"if x<a and y>b", false},
    {"<b", false},            /* truncated: nothing follows the name */
    {"<", false},
    {"", false},
    {"<blockquotex>", false}, /* longer than any known name */
    {"<p中文>", false},
    {"1 <2 and 3> 2", false},
};

static void test_detect(void)
{
    for (size_t i = 0; i < sizeof detect_cases / sizeof detect_cases[0]; i++) {
        const struct detect_case *c = &detect_cases[i];
        bool got = hf_markup_detect(c->in, strlen(c->in));
        if (got != c->want)
            fprintf(stderr, "detect(\"%s\") = %d\n", c->in, got);
        CHECK(got == c->want);
    }
    /* Only the first n bytes count. */
    CHECK(!hf_markup_detect("<p>", 2));
    CHECK(hf_markup_detect("<p>", 3));
}

/* ---- hf_markup_to_text ---------------------------------------------------- */

struct text_case {
    const char *in;
    const char *want;
};

static const struct text_case text_cases[] = {
    {"&amp;&lt;&#x4e2d;", "&<中"},
    {"<p>a &gt; b &quot;c&quot; &#20013;&#x6587;</p>", "a > b \"c\" 中文"},
    {"<ruby>漢<rp>(</rp><rt>hàn</rt><rp>)</rp></ruby>", "漢"},
    {"<p><ruby>漢<rt>hàn</rt>字<rt>zì</rt></ruby>很好</p>", "漢字很好"},
    {"<p>before<script>var x = '<p>no</p>';</script>after</p>", "beforeafter"},
    {"<style>p { color: red }</style><p>text</p>", "text"},
    {"<noscript>enable js</noscript><p>text</p>", "text"},
    {"<html><head><title>Title</title><meta charset=utf-8></head><body><p>body</p></body></html>",
     "body"},
    {"<nav><a href=/>首页</a> <a href=/n>新闻</a></nav><p>正文</p>", "正文"},
    {"<p>正文</p><footer>版权所有</footer>", "正文"},
    {"<p>一</p><p>二</p><div>三<div>四</div></div>", "一\n二\n三\n四"},
    {"<h1>标题</h1>正文", "标题\n正文"},
    {"一<br>二<br/>三", "一\n二\n三"},
    {"一<br><br>二", "一\n\n二"},
    {"一<br><br><br><br>二", "一\n\n二"}, /* at most one empty line */
    {"<br><p>x</p><br>", "x"},           /* no leading or trailing breaks */
    {"<p>x<b>粗</b><a href=#>链接</a><em>强</em>y</p>", "x粗链接强y"},
    {"<p>a <b>b</b> <i>c</i></p>", "a b c"}, /* spaces between inline elements kept */
    {"<p>\n  行一\n  行二\n</p>", "行一   行二"},
    {"<pre>a  b\n  c\n\n\n\nd</pre>", "a  b\n  c\n\nd"},
    {"<p>a</p><pre>\nb\n  c</pre>", "a\nb\n  c"}, /* newline after <pre> ignored */
    {"<ul><li>一</li><li>二</li></ul>", "一\n二"},
    {"<table><tr><td>甲</td><td>乙</td></tr></table>", "甲\n乙"},
    {"<p>unclosed<p>second<div>third", "unclosed\nsecond\nthird"},
    {"<p>abc<div", "abc"},
    {"</p></p>", ""},
    {"<p>x</p></p></div></span>y", "x\ny"},
    {"<p>1 < 2 and 3 > 2</p>", "1 < 2 and 3 > 2"}, /* stray brackets stay text */
    {"<p>a <<b>> c</p>", "a <> c"},
    {"plain text", "plain text"},
    {"<!-- only a comment -->", ""},
    {"<p>a<!-- hidden -->b</p>", "ab"},
    {"<meta charset=\"gbk\"><p>中文</p>", "中文"}, /* input is UTF-8 regardless */
    {"<form><input value=x><button>提交</button></form><p>正文</p>", "正文"},
    {"<iframe src=x>fallback</iframe><p>正文</p>", "正文"},
    {"<p>正文</p><aside>侧栏</aside>", "正文"},
    /* Boilerplate by class, id and role. */
    {"<div class=\"sidebar\">侧栏</div><p>正文</p>", "正文"},
    {"<div class=\"banner-ads\">广告位</div><p>正文</p>", "正文"},
    {"<div id=\"related_posts\">相关</div><p>正文</p>", "正文"},
    {"<p class=\"notice\">注意</p><p>正文</p>", "正文"},
    {"<div role=\"navigation\">导航</div><p>正文</p>", "正文"},
    {"<div class=\"Share-Buttons\">分享</div><p>正文</p>", "正文"},
    /* Article containers are kept even when a class word names furniture. */
    {"<div class=\"post has-sidebar\">正文</div>", "正文"},
    {"<div class=\"entry-content\"><p>正文</p></div>", "正文"},
    {"<body class=\"has-sidebar\"><p>正文</p></body>", "正文"},
    {"<article class=\"tag-share category-ads\"><p>正文</p></article>", "正文"},
    /* Tokens are whole: "adapter", "header", "tag" are not furniture. */
    {"<div class=\"adapter\">甲</div><div class=\"entry-header\">乙</div>"
     "<a class=\"st_tag\">丙</a>", "甲\n乙\n丙"},
    /* Link lists. */
    {"<p>正文</p><ul><li><a href=1>文章一</a></li><li><a href=2>文章二</a></li>"
     "<li>🔥<a href=3>文章三</a></li></ul>", "正文"},
    {"<ul><li><a href=1>一</a></li><li><a href=2>二</a></li></ul>", "一\n二"}, /* < 3 items */
    {"<ul><li>菜单<ul><li><a href=1>一</a></li><li><a href=2>二</a></li><li><a href=3>三</a>"
     "</li></ul></li></ul><p>正文</p>", "菜单\n正文"}, /* nested in a short list */
    {"<ul><li>第一条说明文字很长，<a href=1>链接</a></li><li>第二条说明</li><li>第三条</li></ul>",
     "第一条说明文字很长，链接\n第二条说明\n第三条"},
    /* <embed> is void, but libxml2's HTML 4 table gives it content up to
     * its parent's end: that content is the page's (it was dropped). */
    {"<p>前文</p>五<embed src=y.swf>尾<p>后文</p>", "前文\n五尾\n后文"},
    {"<div><embed src=y.swf>尾</div><p>后文</p>", "尾\n后文"},
    /* Ad boxes. */
    {"<p>正文</p><figure><img src=a.jpg><figcaption><strong>Ad：美好不容错过</strong>"
     "</figcaption></figure>", "正文"},
    {"<div>广告：买买买</div><p>正文</p>", "正文"},
    {"<div><span>推广</span><a href=x>某商品</a></div><p>正文</p>", "正文"},
    {"<p>广告业是一个行业。</p>", "广告业是一个行业。"}, /* a word, not a label */
    {"<p>Adobe released it.</p>", "Adobe released it."},
    /* A formatting element left open in a dropped notice box continues into
     * the next paragraph up to its stray end tag (see markup.c). */
    {"<p class=\"notice\"><b>注意一</p><p>注意二</b></p><p>正文</p>", "正文"},
    {"<p class=\"notice\"><b>注意一</p><p>注意二</b>尾巴</p><p>正文</p>", "尾巴\n正文"},
    {"<p class=\"notice\"><b>注意一<p>注意二</b></p><p>正文</p>", "正文"},
    /* ... but not without the author's end tag, nor from a kept box. */
    {"<p class=\"notice\"><b>注意一</p><p>正文一</p><p>正文二</p>", "正文一\n正文二"},
    {"<p><b>粗一</p><p>粗二</b></p><p>正文</p>", "粗一\n粗二\n正文"},
};

/* Appends s count times; 0 or -ENOMEM. */
static int repeat(hf_buf *b, const char *s, size_t count)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < count; i++)
        if (hf_buf_append(b, s, n))
            return -ENOMEM;
    return 0;
}

static void test_text(void)
{
    hf_buf out = {0};
    for (size_t i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
        const struct text_case *c = &text_cases[i];
        hf_buf_clear(&out);
        int rc = hf_markup_to_text(c->in, strlen(c->in), &out, NULL);
        CHECK(rc == 0);
        if (out.len != strlen(c->want) || memcmp(out.p, c->want, out.len) != 0)
            fprintf(stderr, "case %zu: %s\n", i, c->in);
        CHECK_STR(out.p, out.len, c->want);
    }

    /* Empty input appends nothing. */
    hf_buf_clear(&out);
    CHECK(hf_markup_to_text("", 0, &out, NULL) == 0);
    CHECK(out.len == 0);

    /* Output is appended to what the buffer holds, which is never trimmed. */
    hf_buf_clear(&out);
    CHECK(hf_buf_append(&out, "pre\n", 4) == 0);
    CHECK(hf_markup_to_text("<p>x</p>", 8, &out, NULL) == 0);
    CHECK_STR(out.p, out.len, "pre\nx");

    /* Only the first n bytes are parsed. */
    hf_buf_clear(&out);
    CHECK(hf_markup_to_text("<p>ab</p><p>cd</p>", 9, &out, NULL) == 0);
    CHECK_STR(out.p, out.len, "ab");

    /* An embedded NUL (valid UTF-8) does not end the document. */
    hf_buf_clear(&out);
    CHECK(hf_markup_to_text("<p>a\0b</p><p>after</p>", 22, &out, NULL) == 0);
    CHECK(out.len >= 5 && memcmp(out.p + out.len - 5, "after", 5) == 0);
    /* Nor does one between elements, where libxml2 took it for the end of
     * the input and the rest was lost (issue 25); nothing is cut. */
    hf_markup_note note;
    hf_buf_clear(&out);
    static const char nul_between[] = "<p>前文</p>\0<p>后文</p>\0";
    CHECK(hf_markup_to_text(nul_between, sizeof nul_between - 1, &out, &note) == 0);
    CHECK_STR(out.p, out.len, "前文\n后文");
    CHECK(!note.cut && note.cut_line == 0 && note.flattened == 0);

    /* Many sloppy bold paragraphs before the notice do not use up the rule. */
    hf_buf in = {0};
    hf_buf_clear(&out);
    CHECK(repeat(&in, "<p><b>粗</b>文</p><p><b>粗</p>", 1000) == 0);
    const char *tail = "<p class=notice><b>注意一</p><p>注意二</b></p><p>正文</p>";
    CHECK(hf_buf_append(&in, tail, strlen(tail)) == 0);
    CHECK(hf_markup_to_text(in.p, in.len, &out, NULL) == 0);
    CHECK(out.len > 0 && strstr(out.p, "注意") == NULL);
    CHECK(out.len >= strlen("正文") && strcmp(out.p + out.len - strlen("正文"), "正文") == 0);
    hf_buf_free(&in);

    hf_buf_free(&out);
}

/* Text of s after hf_markup_to_text, in out; the note in *note. */
static int extract(const char *s, size_t n, hf_buf *out, hf_markup_note *note)
{
    hf_buf_clear(out);
    return hf_markup_to_text(s, n, out, note);
}

/* Nesting past HF_MARKUP_MAX_DEPTH: the text is kept, in order, with its
 * line breaks, and the note says how many elements were flattened from
 * which line (issue 25: libxml2 stopped at depth 256 and the rest of the
 * page was lost without a word). */
static void test_depth(void)
{
    hf_buf in = {0}, out = {0};
    hf_markup_note note;

    /* the reproductions of the issue */
    const char *wrap[][2] = {{"<b>", "</b>"}, {"<table><tr><td>", "</td></tr></table>"}};
    const size_t times[] = {300, 100};
    for (size_t k = 0; k < 2; k++) {
        hf_buf_clear(&in);
        CHECK(hf_buf_append(&in, "<p>前文</p>", strlen("<p>前文</p>")) == 0);
        CHECK(repeat(&in, wrap[k][0], times[k]) == 0);
        CHECK(hf_buf_append(&in, "中间", strlen("中间")) == 0);
        CHECK(repeat(&in, wrap[k][1], times[k]) == 0);
        CHECK(hf_buf_append(&in, "<p>后文</p>", strlen("<p>后文</p>")) == 0);
        CHECK(extract(in.p, in.len, &out, &note) == 0);
        CHECK_STR(out.p, out.len, "前文\n中间\n后文");
        CHECK(note.flattened > 0 && note.flattened_line == 1);
    }

    /* just deep enough, and one more: html and body count */
    for (size_t extra = 0; extra <= 1; extra++) {
        hf_buf_clear(&in);
        CHECK(repeat(&in, "<div>", HF_MARKUP_MAX_DEPTH - 2 + extra) == 0);
        CHECK(hf_buf_append(&in, "x", 1) == 0);
        CHECK(extract(in.p, in.len, &out, &note) == 0);
        CHECK_STR(out.p, out.len, "x");
        CHECK(note.flattened == extra);
    }

    /* Refused elements still break lines, still drop scripts, styles and
     * navigation (text after them kept), and name the line of the first. */
    hf_buf_clear(&in);
    CHECK(hf_buf_append(&in, "<p>前文</p>\n\n", strlen("<p>前文</p>\n\n")) == 0);
    CHECK(repeat(&in, "<div>", 300) == 0);
    const char *mid = "一<br>二<br/>三<p>四</p>五<div>六</div>七<hr>八"
                      "<script>var a = \"<div>x</div>\"; if (a<b) {}</script>"
                      "<style>p { color: red }</style><nav><a href=x>菜单</a><ul><li>项</ul></nav>"
                      "<select><option>甲<option>乙</select><ruby>漢<rp>(<rt>hàn<rp>)</ruby>字"
                      "<img src=x.png>尾";
    CHECK(hf_buf_append(&in, mid, strlen(mid)) == 0);
    CHECK(repeat(&in, "</div>", 300) == 0);
    CHECK(hf_buf_append(&in, "<p>后文</p>", strlen("<p>后文</p>")) == 0);
    CHECK(extract(in.p, in.len, &out, &note) == 0);
    CHECK_STR(out.p, out.len, "前文\n一\n二\n三\n四\n五\n六\n七\n八漢字尾\n后文");
    CHECK(note.flattened > 0 && note.flattened_line == 3);
    char msg[256];
    CHECK(hf_markup_describe(&note, msg, sizeof msg) == 3);
    CHECK(strstr(msg, "deeper than 256 elements") != NULL);

    /* A document within the depth has nothing to say. */
    CHECK(extract("<div><p>x</p></div>", 19, &out, &note) == 0);
    CHECK(note.flattened == 0 && note.flattened_line == 0);
    CHECK(hf_markup_describe(&note, msg, sizeof msg) == 0 && msg[0] == '\0');

    hf_buf_free(&in);
    hf_buf_free(&out);
}

/* 100000 nested elements, closed or not, and the inputs that make the
 * parser scan its stack of open elements (end tags that match none, <body>
 * tags): all the text, no recursion in our walk, and time linear in the
 * input (the stack is held at HF_MARKUP_MAX_DEPTH; libxml2's own scans
 * made 100000 of these take 19 s with the limit lifted). */
static void test_deep(void)
{
    const size_t depth = 100000;
    hf_buf in = {0}, out = {0};
    hf_markup_note note;
    for (int closed = 0; closed <= 1; closed++) {
        hf_buf_clear(&in);
        CHECK(repeat(&in, "<div>", depth) == 0);
        CHECK(hf_buf_append(&in, "深", 3) == 0);
        if (closed)
            CHECK(repeat(&in, "</div>", depth) == 0);
        CHECK(hf_buf_append(&in, "<p>尾</p>", strlen("<p>尾</p>")) == 0);
        CHECK(hf_markup_detect(in.p, in.len));
        CHECK(extract(in.p, in.len, &out, &note) == 0);
        CHECK_STR(out.p, out.len, "深\n尾");
        /* html and body, and the <p> when the <div>s are left open */
        CHECK(note.flattened == depth - (HF_MARKUP_MAX_DEPTH - 2) + !closed);
    }
    const char *hostile[][3] = {
        {"<b>", "x", "</i>"},
        {"<div>", "x", "<body>"},
        {"<div>", "x", "</span>"},
        {"<table>", "x", "</td>"},
    };
    for (size_t k = 0; k < sizeof hostile / sizeof hostile[0]; k++) {
        hf_buf_clear(&in);
        CHECK(repeat(&in, hostile[k][0], depth) == 0);
        CHECK(hf_buf_append(&in, hostile[k][1], 1) == 0);
        CHECK(repeat(&in, hostile[k][2], depth) == 0);
        CHECK(hf_buf_append(&in, "<p>尾</p>", strlen("<p>尾</p>")) == 0);
        CHECK(extract(in.p, in.len, &out, &note) == 0);
        CHECK(out.len >= 4 && out.p[0] == 'x' && strcmp(out.p + out.len - 3, "尾") == 0);
    }
    /* Deep nesting of lists and of formatting elements as well. */
    hf_buf_clear(&in);
    CHECK(repeat(&in, "<ul><li><a href=x>链</a>", depth / 2) == 0);
    CHECK(extract(in.p, in.len, &out, NULL) == 0);
    hf_buf_clear(&in);
    CHECK(repeat(&in, "<p class=notice><b>x</p>", depth / 4) == 0);
    CHECK(repeat(&in, "</b>", depth / 4) == 0);
    CHECK(extract(in.p, in.len, &out, NULL) == 0);
    hf_buf_free(&in);
    hf_buf_free(&out);
}

/* A text node over 10 MB: libxml2 stops it there unless XML_PARSE_HUGE,
 * and says "out of memory", which failed the record (and stopped
 * normalize). */
static void test_big_text(void)
{
    hf_buf in = {0}, out = {0};
    hf_markup_note note;
    const size_t chars = 4000000; /* 12 MB */
    CHECK(hf_buf_append(&in, "<p>", 3) == 0);
    CHECK(repeat(&in, "字", chars) == 0);
    CHECK(hf_buf_append(&in, "</p><p>后文</p>", strlen("</p><p>后文</p>")) == 0);
    CHECK(extract(in.p, in.len, &out, &note) == 0);
    CHECK(out.len == chars * 3 + strlen("\n后文"));
    CHECK(out.len > 6 && strcmp(out.p + out.len - strlen("\n后文"), "\n后文") == 0);
    CHECK(!note.cut && !note.flattened);
    hf_buf_free(&in);
    hf_buf_free(&out);
}

static bool contains(const hf_buf *b, const char *needle)
{
    size_t n = strlen(needle);
    if (n > b->len)
        return false;
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->p + i, needle, n) == 0)
            return true;
    return false;
}

static void test_seed(void)
{
    FILE *f = fopen(SEED_004, "rb");
    if (!f) {
        printf("markup: %s absent, seed checks skipped\n", SEED_004);
        return;
    }
    hf_buf in = {0}, out = {0};
    char chunk[8192];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        CHECK(hf_buf_append(&in, chunk, k) == 0);
    fclose(f);

    CHECK(hf_markup_detect(in.p, in.len));
    CHECK(hf_markup_to_text(in.p, in.len, &out, NULL) == 0);
    /* The headline, the article, and link texts inside its sentences. */
    CHECK(contains(&out, "中国大厂集体“屏蔽”Sora"));
    CHECK(contains(&out, "一系列文章、视频展现效果显示"));
    CHECK(contains(&out, "从Sora的示范视频"));
    CHECK(contains(&out, "女孩的胳膊与手并不在同一个维度。"));
    /* Not the notice box (both of its paragraphs), the ad figure, the
     * related-article lists or their headlines.  ("相关" alone occurs in the
     * article: "密切相关", "剪映相关业务".) */
    CHECK(!contains(&out, "翻墙"));
    CHECK(!contains(&out, "备注"));
    CHECK(!contains(&out, "Ad："));
    CHECK(!contains(&out, "美好不容错过"));
    CHECK(!contains(&out, "相关阅读"));
    CHECK(!contains(&out, "法国犹太老板"));
    CHECK(!contains(&out, "文本转视频功能太强"));
    CHECK(!contains(&out, "AuctionX"));
    /* Lines: headline first, no blank lines, no surrounding newlines. */
    CHECK(out.len > 0 && out.p[0] != '\n' && out.p[out.len - 1] != '\n');
    CHECK(strncmp(out.p, "中国大厂集体“屏蔽”Sora\n", strlen("中国大厂集体“屏蔽”Sora\n")) == 0);
    CHECK(!contains(&out, "\n\n"));
    hf_buf_free(&in);
    hf_buf_free(&out);
}

/* libxml2's per-thread error handlers are borrowed during a parse and
 * given back; libxml2's complaints about broken markup never reach them. */
static int caller_errors;

static void caller_handler(void *data, xmlErrorPtr err)
{
    (void)data;
    (void)err;
    caller_errors++;
}

static void test_error_handlers(void)
{
    xmlSetStructuredErrorFunc(&caller_errors, caller_handler);
    hf_buf out = {0};
    const char *bad = "<p><b>x</p></b></i><foo:bar><p>&bogus;<div";
    CHECK(hf_markup_to_text(bad, strlen(bad), &out, NULL) == 0);
    CHECK(caller_errors == 0);
    CHECK(xmlStructuredError == caller_handler);
    CHECK(xmlStructuredErrorContext == &caller_errors);
    xmlSetStructuredErrorFunc(NULL, NULL);
    hf_buf_free(&out);
}

int main(void)
{
    test_detect();
    test_text();
    test_depth();
    test_deep();
    test_big_text();
    test_seed();
    test_error_handlers();
    return check_done("markup");
}
