/* fastcc: the compiled-in OpenCC converter.  Known answers for every config
 * (each one checked against libopencc 1.1.6 with the `opencc` command when
 * written; tests/shared/fastcc-diff.sh compares the two on whole corpora),
 * chosen to show the rules the converter must copy from OpenCC:
 *  - max-match segmentation first, then every conversion on each segment
 *    alone: s2twp turns 通过 into 透過 (TWPhrases), but not in 女性通过出售,
 *    where segmentation puts 通 and 过 into different segments;
 *  - a multi-value entry converts to its first value: s2t 干 -> 幹
 *    (STCharacters 干: 幹 乾 干), t2s 老態龍鍾 -> 老态龙钟;
 *  - phrases before characters: s2t 干了 -> 乾了 (STPhrases);
 *  - a chain applies its conversions in order: tw2sp 偵錯 -> 调试;
 *  - characters in no dictionary are copied, 4-byte ones included;
 * and the C contract: appending, NUL ends the text, invalid UTF-8 is copied
 * through without reading past the end, unknown configs give -ENOENT. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fastcc.h"

static const struct {
    const char *cfg, *in, *want;
} cases[] = {
    {"s2t", "干了这杯酒，头发干了。𫃗与乾隆", "乾了這杯酒，頭髮幹了。𩏷與乾隆"},
    {"s2t", "软件和程序里的头发", "軟件和程序裏的頭髮"},
    {"s2tw", "为什么床前明月光，为了软件", "為什麼床前明月光，為了軟件"},
    {"s2twp", "一些女性通过出售卵子维生", "一些女性通過出售卵子維生"},
    {"s2twp", "通过鼠标和软件", "透過滑鼠和軟體"},
    {"s2hk", "为什么户口里的软件", "為什麼户口裏的軟件"},
    {"t2s", "老態龍鍾的𩀨，乾隆皇帝", "老态龙钟的𫕚，乾隆皇帝"},
    {"t2s", "ASCII text 和 emoji 😀 カナ 한국어", "ASCII text 和 emoji 😀 カナ 한국어"},
    {"t2tw", "爲什麼牀前明月光", "為什麼床前明月光"},
    {"t2hk", "戶口和喜悅", "户口和喜悦"},
    {"t2jp", "恆心與喜悅，悲慘", "恒心与喜悦，悲惨"},
    {"tw2s", "爲什麼灶台和軟體", "为什么灶台和软体"},
    {"tw2sp", "偵錯SQL隱碼攻擊和PN接面，滑鼠與軟體", "调试SQL注入和PN结，鼠标与软件"},
    {"tw2t", "為什麼竈台", "爲什麼竈台"},
    {"hk2s", "冠胄免胄，戶口", "冠胄免胄，户口"},
    {"hk2t", "冠胄免胄，戶口", "冠冑免冑，戶口"},
    {"jp2t", "慰謝料、意向と恩義", "慰藉料、意嚮と恩誼"},
};

static const char *all_configs[] = {"hk2s", "hk2t", "jp2t", "s2hk", "s2t", "s2tw", "s2twp",
                                    "t2hk", "t2jp", "t2s", "t2tw", "tw2s", "tw2sp", "tw2t"};

int main(void)
{
    hf_buf out = {0};
    hf_fastcc *f = NULL;

    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int e = hf_fastcc_open(&f, cases[i].cfg);
        CHECK(e == 0);
        if (e)
            continue;
        hf_buf_clear(&out);
        CHECK(hf_fastcc_convert(f, cases[i].in, strlen(cases[i].in), &out) == 0);
        CHECK_STR(out.p, out.len, cases[i].want);
        /* the same text a second time on the same converter: no state */
        hf_buf_clear(&out);
        CHECK(hf_fastcc_convert(f, cases[i].in, strlen(cases[i].in), &out) == 0);
        CHECK_STR(out.p, out.len, cases[i].want);
        hf_fastcc_close(&f);
        CHECK(f == NULL);
    }

    /* every config OpenCC 1.1.6 installs is compiled in, and listed */
    for (size_t i = 0; i < sizeof all_configs / sizeof *all_configs; i++) {
        CHECK(hf_fastcc_open(&f, all_configs[i]) == 0);
        hf_fastcc_close(&f);
        int listed = 0;
        for (size_t k = 0; hf_fastcc_config(k); k++)
            listed |= !strcmp(hf_fastcc_config(k), all_configs[i]);
        CHECK(listed);
    }

    /* names: ".json" accepted, anything else is -ENOENT and leaves NULL */
    CHECK(hf_fastcc_open(&f, "t2s.json") == 0 && f);
    hf_fastcc_close(&f);
    f = (hf_fastcc *)&out;
    CHECK(hf_fastcc_open(&f, "t2s.jso") == -ENOENT && f == NULL);
    CHECK(hf_fastcc_open(&f, "") == -ENOENT);
    CHECK(hf_fastcc_open(&f, ".json") == -ENOENT);
    CHECK(hf_fastcc_open(&f, "/usr/share/opencc/t2s.json") == -ENOENT);
    CHECK(hf_fastcc_open(&f, "T2S") == -ENOENT);
    hf_fastcc_close(&f);
    hf_fastcc_close(NULL);

    CHECK(hf_fastcc_open(&f, "t2s") == 0);
    /* appends to what the buffer holds; empty input appends nothing */
    hf_buf_clear(&out);
    CHECK(hf_buf_append(&out, "前:", 4) == 0);
    CHECK(hf_fastcc_convert(f, "漢字", strlen("漢字"), &out) == 0);
    CHECK_STR(out.p, out.len, "前:汉字");
    CHECK(hf_fastcc_convert(f, "", 0, &out) == 0);
    CHECK(hf_fastcc_convert(f, NULL, 0, &out) == 0);
    CHECK_STR(out.p, out.len, "前:汉字");
    CHECK(out.p[out.len] == '\0');
    /* NUL ends the text, as in libopencc */
    hf_buf_clear(&out);
    CHECK(hf_fastcc_convert(f, "漢\0字", 7, &out) == 0);
    CHECK_STR(out.p, out.len, "汉");
    /* input length is respected: a prefix converts as itself */
    hf_buf_clear(&out);
    CHECK(hf_fastcc_convert(f, "漢字漢字", 6, &out) == 0);
    CHECK_STR(out.p, out.len, "汉字");
    /* invalid UTF-8 (outside the contract) is copied, never over-read:
     * a truncated character at the end of a heap block, stray bytes */
    static const char *bad[] = {"\xE6\xBC", "\x80\x80漢", "漢\xFF\xFE字", "\xF8\x88\x80\x80\x80",
                                "\xED\xA0\x80", "漢\xE5"};
    static const char *bad_want[] = {"\xE6\xBC", "\x80\x80汉", "汉\xFF\xFE字", "\xF8\x88\x80\x80\x80",
                                     "\xED\xA0\x80", "汉\xE5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t n = strlen(bad[i]);
        char *copy = malloc(n);
        CHECK(copy != NULL);
        if (!copy)
            continue;
        memcpy(copy, bad[i], n);
        hf_buf_clear(&out);
        CHECK(hf_fastcc_convert(f, copy, n, &out) == 0);
        CHECK_STR(out.p, out.len, bad_want[i]);
        free(copy);
    }
    /* a long input, one segment after another, grows the buffer correctly */
    hf_buf in = {0};
    int ok = 1;
    for (int i = 0; i < 20000; i++)
        ok &= hf_buf_append(&in, "老態龍鍾的漢字，", strlen("老態龍鍾的漢字，")) == 0;
    CHECK(ok);
    hf_buf_clear(&out);
    CHECK(hf_fastcc_convert(f, in.p, in.len, &out) == 0);
    CHECK(out.len == 20000 * strlen("老态龙钟的汉字，"));
    CHECK(out.len >= 24 && !memcmp(out.p + out.len - 24, "老态龙钟的汉字，", 24));
    hf_buf_free(&in);
    hf_fastcc_close(&f);

    hf_buf_free(&out);
    return check_done("fastcc");
}
