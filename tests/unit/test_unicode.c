/* unicode stage: table-driven cases. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stages.h"

static const struct {
    const char *in, *want;
    enum hf_punct punct;
    enum hf_lines lines;
} cases[] = {
    {"ＡＢＣ１２３", "ABC123", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"全角，标点！？（注）：；～", "全角，标点！？（注）：；～", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"省略……", "省略……", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"ｶﾀｶﾅ｡", "カタカナ。", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},           /* half-width forms */
    {"\xEF\xA4\x80", "\xE8\xB1\x88", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},   /* U+F900 compatibility ideograph -> U+8C48 */
    {"中\xE2\x80\x8B文", "中文", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},        /* ZWSP */
    {"a\xC2\xAD" "b", "ab", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},             /* soft hyphen */
    {"\xEF\xBB\xBF" "x", "x", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},           /* BOM */
    {"葛\xEF\xB8\x80", "葛", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},            /* variation selector */
    {"a\x01" "b\x7f", "ab", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},             /* controls */
    {"23.3 萬臺", "23.3萬臺", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"中 文", "中文", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"iPhone 用户", "iPhone用户", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"Open AI 发布", "Open AI发布", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"hello   world", "hello world", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"中\xE3\x80\x80文 ， 好", "中文，好", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN}, /* U+3000 */
    {"  trim  ", "trim", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"「引」『号』", "“引”‘号’", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"「引」", "「引」", HF_PUNCT_TRADITIONAL, HF_LINES_JOIN},
    {"a\nb", "a b", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"中\n文", "中文", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"a\n\n\n\nb", "a\n\nb", HF_PUNCT_SIMPLIFIED, HF_LINES_KEEP},
    {" a \r\n b ", "a\nb", HF_PUNCT_SIMPLIFIED, HF_LINES_KEEP},
    {"\n\na", "a", HF_PUNCT_SIMPLIFIED, HF_LINES_KEEP},
    {"", "", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    /* block ends of HTML (lines mode): a full stop where words would run
     * together, the space rule elsewhere */
    {"屏蔽Sora\n在AI的长河里", "屏蔽Sora。在AI的长河里", HF_PUNCT_SIMPLIFIED, HF_LINES_BLOCKS},
    {"标题\n正文", "标题。正文", HF_PUNCT_SIMPLIFIED, HF_LINES_BLOCKS},
    {"标题 \n \n 正文", "标题。正文", HF_PUNCT_SIMPLIFIED, HF_LINES_BLOCKS},
    {"标题\nSora", "标题。Sora", HF_PUNCT_SIMPLIFIED, HF_LINES_BLOCKS},
    {"如下：\n第一", "如下：第一", HF_PUNCT_SIMPLIFIED, HF_LINES_BLOCKS},
    {"结束。\n开始", "结束。开始", HF_PUNCT_SIMPLIFIED, HF_LINES_BLOCKS},
    {"“屏蔽”\n在", "“屏蔽” 在", HF_PUNCT_SIMPLIFIED, HF_LINES_BLOCKS},
    {"Title\nText", "Title Text", HF_PUNCT_SIMPLIFIED, HF_LINES_BLOCKS},
    {"中 文", "中文", HF_PUNCT_SIMPLIFIED, HF_LINES_BLOCKS},       /* a space is no block end */
    {"\n标题\n", "标题", HF_PUNCT_SIMPLIFIED, HF_LINES_BLOCKS},
    {"标题\n【注】", "标题【注】", HF_PUNCT_SIMPLIFIED, HF_LINES_BLOCKS},
    {"标题\n正文", "标题\n正文", HF_PUNCT_SIMPLIFIED, HF_LINES_KEEP},
    {"e\xCC\x81", "\xC3\xA9", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},          /* composed */
    {"①", "1", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    /* a line break between combining marks (U+302B, class 228, then U+302F,
     * class 224): the space it becomes stays, since joining them would
     * give an order NFKC changes (found by fuzz_normalize) */
    {"\xE3\x80\xAB\r\xE3\x80\xAF", "\xE3\x80\xAB \xE3\x80\xAF", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
    {"中 \xE3\x80\xAF", "中 \xE3\x80\xAF", HF_PUNCT_SIMPLIFIED, HF_LINES_JOIN},
};

int main(void)
{
    hf_buf out = {0}, tmp = {0};
    /* the fast path and the reference path alike */
    for (int ref = 0; ref < 2; ref++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            hf_buf_clear(&out);
            CHECK(hf_unicode_clean(cases[i].in, strlen(cases[i].in), cases[i].punct, cases[i].lines, &out,
                                   &tmp, ref) == 0);
            CHECK_STR(out.p ? out.p : "", out.len, cases[i].want);
            /* idempotent */
            hf_buf again = {0};
            CHECK(hf_unicode_clean(out.p ? out.p : "", out.len, cases[i].punct, cases[i].lines, &again,
                                   &tmp, ref) == 0);
            CHECK_STR(again.p ? again.p : "", again.len, cases[i].want);
            hf_buf_free(&again);
        }
    }
    /* invalid UTF-8 is refused, not read past */
    hf_buf_clear(&out);
    CHECK(hf_unicode_clean("a\xE4\xB8", 3, HF_PUNCT_SIMPLIFIED, false, &out, &tmp, false) < 0);
    hf_buf_free(&out);
    hf_buf_free(&tmp);
    return check_done("unicode");
}
