/* script census and the fold (key) stage. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stages.h"

static const struct { const char *in, *want; } keys[] = {
    {"Hello, World!", "helloworld"},
    {"软件", "软件"},
    {"軟體", "软件"},          /* regional vocabulary folded (TWPhrases) */
    {"程式設計師", "程序员"},
    {"著", "着"},              /* variant classes */
    {"裡裏里", "里里里"},
    {"爲為为", "为为为"},
    {"呉", "吴"},              /* JPVariants */
    {"帐账", "帐帐"},          /* data/variants-extra.tsv */
    {"ÀB", "àb"},
    {"，。！？", ""},
    {"a1 b2", "a1b2"},
    {"", ""},
};

int main(void)
{
    hf_buf out = {0}, tmp = {0};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        hf_buf_clear(&out);
        CHECK(hf_fold_key(keys[i].in, strlen(keys[i].in), &out, &tmp, NULL, NULL, false) == 0);
        CHECK_STR(out.p ? out.p : "", out.len, keys[i].want);
    }
    size_t t, s;
    hf_script_census("漢字", strlen("漢字"), &t, &s);
    CHECK(t == 1 && s == 0);
    hf_script_census("汉字", strlen("汉字"), &t, &s);
    CHECK(t == 0 && s == 1);
    hf_script_census("面里干", strlen("面里干"), &t, &s); /* in both scripts */
    CHECK(t == 0 && s == 0);
    hf_script_census("abc", 3, &t, &s);
    CHECK(t == 0 && s == 0);

    /* script stage: configs load by absolute path; a bad one is an error */
    hf_script *sc;
    char err[256];
    CHECK(hf_script_open(&sc, "t2s", NULL, err, sizeof err) == 0);
    hf_buf_clear(&out);
    CHECK(hf_script_convert(sc, "漢字", strlen("漢字"), &out) == 0);
    CHECK_STR(out.p, out.len, "汉字");
    hf_script_close(&sc);
    CHECK(sc == NULL);
    hf_script_close(NULL);
    CHECK(hf_script_open(&sc, "/nonexistent/t2s.json", NULL, err, sizeof err) < 0 && sc == NULL);
    CHECK(strstr(err, "/nonexistent/t2s.json") != NULL);
    hf_buf_free(&out);
    hf_buf_free(&tmp);
    return check_done("fold");
}
