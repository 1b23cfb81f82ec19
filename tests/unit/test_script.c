/* The script stage on mixed-script text (issue 19): every traditional
 * character converted wherever it stands, correct simplified text left
 * alone; the same for the traditional targets.  Each case runs on the fast
 * path and on the reference path (hanfold_settings.reference_path), and is checked to be
 * idempotent. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hanfold.h"
#include "stages.h"

static const struct { enum hanfold_target to; const char *in, *want; } cases[] = {
    /* a minority of traditional characters in a clause; tw2s converts
     * script, not vocabulary: 軟體 -> 软体 (tw2sp's 软件 would also turn
     * 程序員 into 进程员); the key folds 软体 and 软件 together */
    {HANFOLD_TO_SIMPLIFIED, "这个軟體很好用", "这个软体很好用"},
    {HANFOLD_TO_SIMPLIFIED, "香港的髮型师", "香港的发型师"},
    {HANFOLD_TO_SIMPLIFIED, "他說什么？", "他说什么？"},
    /* tw2s alone gives 那幺这个问题 */
    {HANFOLD_TO_SIMPLIFIED, "那么這個問題", "那么这个问题"},
    {HANFOLD_TO_SIMPLIFIED, "這是什么？為什么", "这是什么？为什么"},
    /* leaning characters: 於 converts in a record with traditional ones */
    {HANFOLD_TO_SIMPLIFIED, "於2004年，國家计划生效", "于2004年，国家计划生效"},
    /* correct simplified text stays, 么 里 面 干 发 后 台 着 included */
    {HANFOLD_TO_SIMPLIFIED, "什么都不干，那么里面发生了什么？", "什么都不干，那么里面发生了什么？"},
    {HANFOLD_TO_SIMPLIFIED, "后来他在台上看着面条发呆", "后来他在台上看着面条发呆"},
    {HANFOLD_TO_SIMPLIFIED, "于是干净的头发显著变长了", "于是干净的头发显著变长了"},
    /* ... and so do its simplified-only characters inside a traditional clause */
    {HANFOLD_TO_SIMPLIFIED, "這個么", "这个么"},
    /* Hong Kong forms that tw2s leaves (衞 敍 枱) count as traditional and
     * convert, alone in a clause too */
    {HANFOLD_TO_SIMPLIFIED, "人造衞星", "人造卫星"},
    {HANFOLD_TO_SIMPLIFIED, "敍利亞的吧枱", "叙利亚的吧台"},
    {HANFOLD_TO_SIMPLIFIED, "5月26日，敍利亚自由军", "5月26日，叙利亚自由军"},
    /* 著: the particle of Taiwan text converts in a record with traditional
     * characters, the zhu of 土著 显著 stays (tw2s gives 土着 显着) */
    {HANFOLD_TO_SIMPLIFIED, "貼身女僕，都必须穿著制服", "贴身女仆，都必须穿着制服"},
    {HANFOLD_TO_SIMPLIFIED, "北極土著民族，显著減少", "北极土著民族，显著减少"},
    {HANFOLD_TO_SIMPLIFIED, "北极土著民族显著减少", "北极土著民族显著减少"},
    /* tw2s turns 抬 into 擡, which t2s leaves */
    {HANFOLD_TO_SIMPLIFIED, "隧道位於抬高的廣場下方", "隧道位于抬高的广场下方"},
    {HANFOLD_TO_SIMPLIFIED, "擡頭", "抬头"},
    /* the traditional targets: partly traditional text comes out whole in
     * the target, correct target text stays */
    {HANFOLD_TO_TRADITIONAL, "這个软件很好用", "這個軟件很好用"},
    {HANFOLD_TO_TRADITIONAL, "這個軟件很好用", "這個軟件很好用"},
    {HANFOLD_TO_TAIWAN, "他說什么", "他說什麼"},
    {HANFOLD_TO_HONGKONG, "香港的髮型师", "香港的髮型師"},
};

static char *run(enum hanfold_target to, const char *in, bool ref)
{
    hanfold_settings s;
    hanfold_settings_default(&s);
    s.target = to;
    s.reference_path = ref;
    hanfold_ctx *c;
    if (hanfold_ctx_new(&c, &s, NULL, 0))
        return NULL;
    hanfold_result r;
    char *out = NULL;
    if (!hanfold_process(c, in, strlen(in), HANFOLD_WANT_TEXT | HANFOLD_WANT_KEY, &r))
        out = strdup(r.text);
    hanfold_ctx_free(&c);
    return out;
}

int main(void)
{
    for (int ref = 0; ref < 2; ref++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            char *got = run(cases[i].to, cases[i].in, ref);
            CHECK(got != NULL);
            if (!got)
                continue;
            CHECK_STR(got, strlen(got), cases[i].want);
            char *again = run(cases[i].to, got, ref);
            CHECK(again && !strcmp(again, got));
            free(again);
            free(got);
        }
    }
    /* the merge itself: a conversion that does not keep the number of
     * characters is taken as it is */
    hf_buf out = {0};
    CHECK(hf_script_merge("什么", strlen("什么"), "什幺", strlen("什幺"), 2, &out) == 0);
    CHECK_STR(out.p, out.len, "什么");
    hf_buf_clear(&out);
    CHECK(hf_script_merge("麼", strlen("麼"), "么么", strlen("么么"), 2, &out) == 0);
    CHECK_STR(out.p, out.len, "么么");
    hf_buf_free(&out);
    return check_done("script");
}
