/* unicode stage: table-driven cases. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stages.h"

static const struct {
    const char *in, *want;
    enum hf_punct punct;
    bool keep_lines;
} cases[] = {
    {"ＡＢＣ１２３", "ABC123", HF_PUNCT_SIMPLIFIED, false},
    {"全角，标点！？（注）：；～", "全角，标点！？（注）：；～", HF_PUNCT_SIMPLIFIED, false},
    {"省略……", "省略……", HF_PUNCT_SIMPLIFIED, false},
    {"ｶﾀｶﾅ｡", "カタカナ。", HF_PUNCT_SIMPLIFIED, false},           /* half-width forms */
    {"\xEF\xA4\x80", "\xE8\xB1\x88", HF_PUNCT_SIMPLIFIED, false},   /* U+F900 compatibility ideograph -> U+8C48 */
    {"中\xE2\x80\x8B文", "中文", HF_PUNCT_SIMPLIFIED, false},        /* ZWSP */
    {"a\xC2\xAD" "b", "ab", HF_PUNCT_SIMPLIFIED, false},             /* soft hyphen */
    {"\xEF\xBB\xBF" "x", "x", HF_PUNCT_SIMPLIFIED, false},           /* BOM */
    {"葛\xEF\xB8\x80", "葛", HF_PUNCT_SIMPLIFIED, false},            /* variation selector */
    {"a\x01" "b\x7f", "ab", HF_PUNCT_SIMPLIFIED, false},             /* controls */
    {"23.3 萬臺", "23.3萬臺", HF_PUNCT_SIMPLIFIED, false},
    {"中 文", "中文", HF_PUNCT_SIMPLIFIED, false},
    {"iPhone 用户", "iPhone用户", HF_PUNCT_SIMPLIFIED, false},
    {"Open AI 发布", "Open AI发布", HF_PUNCT_SIMPLIFIED, false},
    {"hello   world", "hello world", HF_PUNCT_SIMPLIFIED, false},
    {"中\xE3\x80\x80文 ， 好", "中文，好", HF_PUNCT_SIMPLIFIED, false}, /* U+3000 */
    {"  trim  ", "trim", HF_PUNCT_SIMPLIFIED, false},
    {"「引」『号』", "“引”‘号’", HF_PUNCT_SIMPLIFIED, false},
    {"「引」", "「引」", HF_PUNCT_TRADITIONAL, false},
    {"a\nb", "a b", HF_PUNCT_SIMPLIFIED, false},
    {"中\n文", "中文", HF_PUNCT_SIMPLIFIED, false},
    {"a\n\n\n\nb", "a\n\nb", HF_PUNCT_SIMPLIFIED, true},
    {" a \r\n b ", "a\nb", HF_PUNCT_SIMPLIFIED, true},
    {"\n\na", "a", HF_PUNCT_SIMPLIFIED, true},
    {"", "", HF_PUNCT_SIMPLIFIED, false},
    {"e\xCC\x81", "\xC3\xA9", HF_PUNCT_SIMPLIFIED, false},          /* composed */
    {"①", "1", HF_PUNCT_SIMPLIFIED, false},
};

int main(void)
{
    hf_buf out = {0}, tmp = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hf_buf_clear(&out);
        CHECK(hf_unicode_clean(cases[i].in, strlen(cases[i].in), cases[i].punct, cases[i].keep_lines,
                               &out, &tmp) == 0);
        CHECK_STR(out.p ? out.p : "", out.len, cases[i].want);
        /* idempotent */
        hf_buf again = {0};
        CHECK(hf_unicode_clean(out.p ? out.p : "", out.len, cases[i].punct, cases[i].keep_lines,
                               &again, &tmp) == 0);
        CHECK_STR(again.p ? again.p : "", again.len, cases[i].want);
        hf_buf_free(&again);
    }
    /* invalid UTF-8 is refused, not read past */
    hf_buf_clear(&out);
    CHECK(hf_unicode_clean("a\xE4\xB8", 3, HF_PUNCT_SIMPLIFIED, false, &out, &tmp) < 0);
    hf_buf_free(&out);
    hf_buf_free(&tmp);
    return check_done("unicode");
}
