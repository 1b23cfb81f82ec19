/* Unit tests of repair.c: pinyin ruby removal and GBK mojibake detection
 * and repair.  Examples marked "real" are taken from the seed pages and the
 * evaluation sentences; the others are built to pin one rule each. */
#include "stages.h"

#include <stdlib.h>

#include "check.h"

/* Not yet in stages.h (see the top of repair.c). */
int hf_repair_mojibake(const char *s, size_t n, hf_buf *out, size_t *repaired, bool ref);

/* The helpers name the input on failure: CHECK reports the helper's line. */
static void pinyin_case(const char *in, size_t inlen, const char *want, size_t want_removed)
{
    int before = check_failures;
    hf_buf out = {0};
    size_t removed = 12345;
    CHECK(hf_repair_pinyin(in, inlen, &out, &removed, false) == 0);
    CHECK_STR(out.p ? out.p : "", out.len, want);
    CHECK(removed == want_removed);
    if (check_failures != before)
        fprintf(stderr, "  input \"%.*s\" (removed %zu, want %zu)\n", (int)inlen, in, removed, want_removed);
    hf_buf_free(&out);
}

/* Must change. */
static void pinyin_ok(const char *in, const char *want, size_t want_removed)
{
    pinyin_case(in, strlen(in), want, want_removed);
}

/* Must stay as it is. */
static void pinyin_keep(const char *in)
{
    pinyin_case(in, strlen(in), in, 0);
}

static void mojibake_case(const char *in, const char *want, size_t want_runs)
{
    int before = check_failures;
    size_t n = strlen(in);
    size_t counted = hf_repair_count_mojibake(in, n, true, false);
    CHECK(counted == want_runs);
    hf_buf out = {0};
    size_t repaired = 12345;
    CHECK(hf_repair_mojibake(in, n, &out, &repaired, false) == 0);
    CHECK_STR(out.p ? out.p : "", out.len, want);
    CHECK(repaired == want_runs);
    if (check_failures != before)
        fprintf(stderr, "  input \"%s\" (counted %zu, repaired %zu, want %zu)\n", in, counted, repaired, want_runs);
    hf_buf_free(&out);
}

static void mojibake_keep(const char *in)
{
    mojibake_case(in, in, 0);
}

static void test_pinyin_real(void)
{
    pinyin_ok("產(chǎn)業(yè)", "產業", 2);
    pinyin_ok("加速數(shù)字化轉(zhuǎn)型", "加速數字化轉型", 2);
    pinyin_ok("大津祐樹(shù)和德國(guó)足球甲級聯賽(ｓàｉ)球隊門(ｍéｎ)興",
              "大津祐樹和德國足球甲級聯賽球隊門興", 4);
    pinyin_ok("運(ｙùｎ)", "運", 1);
    pinyin_ok("綠(lǜ)", "綠", 1);
    pinyin_ok("間，隕(yǔｎ)石", "間，隕石", 1); /* mixed widths in one syllable */
    pinyin_ok("稱：從(cóｎｇ)此", "稱：從此", 1);
    pinyin_ok("而且擁(ｙōｎｇ)有", "而且擁有", 1);
    pinyin_ok("的眼狀(ｚｈｕàｎｇ)物", "的眼狀物", 1);
    pinyin_ok("了靈感。 轉(zhuǎi)", "了靈感。 轉", 1);
}

static void test_pinyin_forms(void)
{
    /* ü spelled four ways, and the tone digit */
    pinyin_ok("綠(lü4)", "綠", 1);
    pinyin_ok("綠(lv4)", "綠", 1);
    pinyin_ok("綠(lu:4)", "綠", 1);
    pinyin_ok("女(nǚ)", "女", 1);
    pinyin_ok("略(lüè)", "略", 1);
    pinyin_ok("產(chan3)業", "產業", 1);
    pinyin_ok("產(chan３)業", "產業", 1);  /* full-width digit */
    pinyin_ok("的(de5)", "的", 1);        /* neutral tone */
    pinyin_ok("產（chǎn）業", "產業", 1);  /* full-width parentheses */
    pinyin_ok("產（chǎn)業", "產業", 1);   /* mixed */
    pinyin_ok("產( chǎn )業", "產業", 1);  /* inner spaces */
    pinyin_ok("產(Chǎn)業", "產業", 1);     /* capital with tone mark */
    pinyin_ok("產(cha\xcc\x8cn)業", "產業", 1);   /* NFD: a + combining caron */
    pinyin_ok("綠(lu\xcc\x88\xcc\x80)", "綠", 1); /* u + diaeresis + grave */
    pinyin_ok("嗯(ńg)", "嗯", 1);
    pinyin_ok("嘸(ḿ)", "嘸", 1);
    pinyin_ok("𠮷(jí)野家", "𠮷野家", 1);  /* extension B */
    pinyin_ok("㐀(qiū)", "㐀", 1);        /* extension A */
    pinyin_ok("\xef\xa4\x80(gài)", "\xef\xa4\x80", 1); /* U+F900 compatibility ideograph */
    pinyin_ok("中國(zhōng)(guó)", "中國(guó)", 1); /* a reading follows Han, not another reading */

    /* several syllables in one annotation */
    pinyin_ok("產業(chǎn yè)", "產業", 1);
    pinyin_ok("德國足球(zú qiú)", "德國足球", 1);
    pinyin_ok("足球(zú　qiú)", "足球", 1); /* ideographic space */
    pinyin_keep("業(chǎn yè)");             /* more syllables than Han characters */
    pinyin_ok("產(chǎn)業(chǎn yè)", "產業(chǎn yè)", 1); /* 產 is taken already */
    pinyin_keep("產業(chǎn ye)");           /* every part must carry a tone */
    pinyin_keep("產業(chǎnyè)");            /* no separator: not one syllable */
}

static void test_pinyin_toneless(void)
{
    /* Toneless readings go only when the record has toned ones, wherever
     * they are: before (second pass) or after. */
    pinyin_ok("他們(men)的產(chǎn)品", "他們的產品", 1 + 1);
    pinyin_ok("產(chǎn)品是他們(men)的", "產品是他們的", 2);
    pinyin_ok("我們(men)，你們(men)，產(chǎn)品(pin)", "我們，你們，產品", 4);
    pinyin_keep("他們(men)的");
    pinyin_keep("愛(ai)");
    pinyin_keep("我們(men)，你們(men)");
    /* ...and only in the lowercase two-letter-or-more shape of ruby text */
    pinyin_ok("們(Men)產(chǎn)", "們(Men)產", 1);
    pinyin_ok("啊(a)產(chǎn)", "啊(a)產", 1);
    pinyin_ok("國(China)產(chǎn)", "國(China)產", 1);
    pinyin_ok("啊(ＭＥＮ)產(chǎn)", "啊(ＭＥＮ)產", 1);
}

static void test_pinyin_keep(void)
{
    pinyin_keep("(Apple)");
    pinyin_keep("(a)");
    pinyin_keep("(IFA2024)");
    pinyin_keep("展覽會(IFA2024)");
    pinyin_keep("蘋果(Apple)");
    pinyin_keep("x(ā)");
    pinyin_keep("“(ā)");
    pinyin_keep("中国(China)");
    pinyin_keep("中国(china)");
    pinyin_keep("备注(注)");
    pinyin_keep("(注)");
    pinyin_keep("条款(1)");
    pinyin_keep("(1)");
    pinyin_keep("奥运会(2024年)");
    pinyin_keep("中国(ai)");
    pinyin_keep("型號(A4)");   /* capitals with a digit: a model number */
    pinyin_keep("纸张(a4)");   /* one letter with a digit: a paper size */
    pinyin_keep("型号(ai0)");  /* 0 is no tone */
    pinyin_keep("型号(ai12)");
    pinyin_keep("花岗岩（厂号3M45）");
    pinyin_keep("杨立昆(Yann LeCun)");
    pinyin_keep("技术 (chǎn)");  /* not right after the Han character */
    pinyin_keep("產(ch)");         /* not a syllable */
    pinyin_keep("產(chǎnn)");
    pinyin_keep("產(zhuangg)");    /* longer than any syllable */
    pinyin_keep("“空”(そら sora)");
}

static void test_pinyin_edges(void)
{
    pinyin_keep("");
    pinyin_keep("產");          /* Han character at the end */
    pinyin_keep("產(");         /* lone parenthesis at the end */
    pinyin_keep("產（");
    pinyin_keep("產(chǎn");     /* no closing parenthesis */
    pinyin_keep("產(chǎn ");
    pinyin_keep("產(chǎn3");
    pinyin_keep("產( ");
    pinyin_keep("產()");
    pinyin_keep("產( )");
    pinyin_keep("產((chǎn))");  /* nested */
    pinyin_keep("產(chǎn(yè))");
    pinyin_keep("產(chǎn]");
    pinyin_ok("((產(chǎn)))", "((產))", 1);
    /* valid but unusual UTF-8 */
    pinyin_keep("\xf0\x9f\x98\x80(ā)");           /* emoji before */
    pinyin_keep("\xef\xbf\xbf(ā)");               /* U+FFFF */
    pinyin_keep("產(\xcc\x8c)");                   /* combining mark without a letter */
    pinyin_keep("產(\xcc\x8c" "chan)");
    pinyin_keep("產(\xef\xbc\xbb)");               /* full-width '[' */
    pinyin_keep("產(\xc3\xa6)");                   /* æ */
    pinyin_ok("產(chǎn)\xf4\x8f\xbf\xbf", "產\xf4\x8f\xbf\xbf", 1); /* U+10FFFF after */
    /* an embedded NUL is just a character, and not Han */
    {
        static const char in[] = "產\0(chǎn)";
        hf_buf out = {0};
        size_t removed = 1;
        CHECK(hf_repair_pinyin(in, sizeof in - 1, &out, &removed, false) == 0);
        CHECK(removed == 0);
        CHECK(out.len == sizeof in - 1 && memcmp(out.p, in, sizeof in - 1) == 0);
        hf_buf_free(&out);
    }
    {
        static const char in[] = "產(chǎn)\0業(yè)";
        hf_buf out = {0};
        size_t removed = 0;
        CHECK(hf_repair_pinyin(in, sizeof in - 1, &out, &removed, false) == 0);
        CHECK(removed == 2);
        CHECK(out.len == 7 && memcmp(out.p, "產\0業", 7) == 0);
        hf_buf_free(&out);
    }
    /* robust against invalid bytes although the contract excludes them */
    pinyin_ok("\xff產(chǎn)\x80", "\xff產\x80", 1);

    /* appends to what the buffer holds, also across the second pass */
    {
        hf_buf out = {0};
        size_t removed = 0;
        CHECK(hf_buf_append(&out, "前:", 4) == 0);
        const char *in = "他們(men)的產(chǎn)品";
        CHECK(hf_repair_pinyin(in, strlen(in), &out, &removed, false) == 0);
        CHECK_STR(out.p, out.len, "前:他們的產品");
        CHECK(removed == 2);
        hf_buf_free(&out);
    }
    /* long inputs: linear, and many annotations */
    {
        hf_buf in = {0}, out = {0}, want = {0};
        const char *piece = "產(chǎn)(((((     ", *kept = "產(((((     ";
        int err = 0;
        for (int k = 0; k < 20000; k++) {
            err |= hf_buf_append(&in, piece, strlen(piece));
            err |= hf_buf_append(&want, kept, strlen(kept));
        }
        CHECK(err == 0);
        size_t removed = 0;
        CHECK(hf_repair_pinyin(in.p, in.len, &out, &removed, false) == 0);
        CHECK(removed == 20000);
        CHECK(out.len == want.len && memcmp(out.p, want.p, want.len) == 0);
        hf_buf_free(&in);
        hf_buf_free(&out);
        hf_buf_free(&want);
    }
}

static void test_mojibake(void)
{
    /* real, seed 002: 。”吳海波表示， in GBK (A1A3 A1B1 85C7 ...) decoded from
     * the A3, the A1 written as '?', the ！ (A3A1) and ２ (A3B2) folded to
     * ASCII; the run ends in CA and a '?' for the BE of 示.  The ! before
     * the run belongs to it (A1 B1 is ”); the characters whose lead or
     * trail went into a '?' are lost: U+FFFD */
    mojibake_case("化?!眳呛2ū硎?,要想", "化\uFFFD”吳海波表\uFFFD,要想", 1);
    mojibake_case("規則?!眳呛2ㄌ岬剑\uE0DF壳?,Sora", "規則\uFFFD”吳海波提到，目\uFFFD,Sora", 1);
    mojibake_case("可能性?!叭绻\uE371銏猿终J(rèn)為", "可能性\uFFFD“如果你堅持認(rèn)為", 1);
    /* U+E7C8 is CP936's A8BF */
    mojibake_case("突破?!眳呛2\uE7C8偨Y(jié)道", "突破\uFFFD”吳海波總結(jié)道", 1);
    mojibake_case("眳呛２ū硎", "吳海波表", 1);
    /* without a '?' before, the ! is taken for what it is, and the first
     * byte of the run was read twice: dropped */
    mojibake_case("!眳呛2ū硎?,要想", "!吳海波表\uFFFD,要想", 1);
    /* seed 002: 仍 lost in a '?' with the reading of what was there, its
     * '(' swallowed: both go */
    mojibake_case("我們?nèi)匀皇褂脗鹘y的", "我們\uFFFD然使用傳統的", 1);
    mojibake_case("我們\uFFFDnèi)匀皇褂脗鹘y的", "我們\uFFFD然使用傳統的", 1);
    /* real, seed 000 (the run between two readings) */
    mojibake_case("甚至?xí)\uE493蕴\uE133芏鄾]有", "甚至\uFFFD淘汰很多沒有", 1);

    /* built: GBK text decoded from its second byte */
    mojibake_case("蔽覀兘裉於际且粋€", "我們今天都是一個", 1);        /* € is a lone 0x80 trail */
    mojibake_case("！蔽颐墙裉焯致凼\uE427葜柿?", "”我们今天讨论数据质\uFFFD", 1);
    mojibake_case("拔覀內匀皇褂脗鹘y的業務", "我們仍然使用傳統的業務", 1);
    mojibake_case("蠖鄶档募娱L型禮車則是租車公司的財產。", "多數的加長型禮車則是租車公司的財產。", 1);
    mojibake_case("髅跋沼蜗罚ˋ-AVG）：是冒险游戏", "冒险游戏（A-AVG）：是冒险游戏", 1);
    mojibake_case("眳呛2ū硎 and 眳呛2ū硎", "吳海波表 and 吳海波表", 2);

    /* UTF-8 read as GBK: GB18030 as browsers decode it (user-defined area
     * to private use), and Python's strict GBK (U+FFFD for a byte it cannot
     * pair: the character holding it is lost) */
    mojibake_case("浣犲ソ", "你好", 1);
    mojibake_case("浠栬\uE1E9浣犲\u30BD锛屽\u3049", "他说你好，天", 1);
    mojibake_case("Sora 鏄\uE219竴涓\uE045\u0101鍨\uFFFD", "Sora 是一个模\uFFFD", 1); /* 型 lost its last byte */
    mojibake_case("鐢ㄦ埛 and 瀵嗙爜", "用户 and 密码", 1); /* ASCII is ASCII in both */
    mojibake_case("浣犲ソ鍚楀啀瑙\uFFFD", "你好吗再\uFFFD", 1);
    mojibake_case("澶у\uFFFD氭暟鐨勫姞闀垮瀷", "大\uFFFD数的加长型", 1);
    /* then misaligned runs in what that leaves */
    mojibake_case("浣犲ソ and 眳呛２ū硎", "你好 and 吳海波表", 2);

    /* too short to tell */
    mojibake_keep("浣犲");
    mojibake_keep("眳呛");
    /* ... but a '?' with the reading of the character it took (the '('
     * gone with it) is a lost character (seed 002) */
    mojibake_case("變?yōu)橐粋€ AI", "變\uFFFD橐粋€ AI", 1);
    /* (the tone letters are suspect characters: such a reading is enough),
     * not without a tone */
    mojibake_case("他?nèi)走了", "他\uFFFD走了", 1);
    mojibake_keep("他?nei)走了");
    mojibake_keep("是吗?Apple)橐粋€");

    /* clean text */
    mojibake_keep("");
    mojibake_keep("主武器是20枚P-700花岗岩（厂号3M45）反舰飞弹（分装在20座垂直发射器里），可以击沉大型水面舰。");
    mojibake_keep("大多數的加長型禮車則是租車公司的財產。");
    mojibake_keep("同样，施力的大小不同，引起的加速度不同，最终的结果也不一样，亦可以从向量的加成性来看。");
    mojibake_keep("合合信息啟信產(chǎn)業(yè)大腦攜手市北新區(qū)打造“一企一畫像”平臺");
    mojibake_keep("上半年中国AR/VR出货23.3万台，同比下滑了29.1%");
    mojibake_keep("第1名第2名第3名第4名第5名");
    mojibake_keep("骨骼、渲染、痣、岬角、硎石、绻绻、橐驼、鹘鸟、摒弃、崛起");
    mojibake_keep("ああいうえおカタカナΑΒΓабвгㄅㄆㄇㄈ①②③④");
    mojibake_keep("Hello, world!");
    /* Japanese: kana are GBK characters and not common ones (rust-by-example/ja) */
    mojibake_keep("アトリビュートはモジュール、クレート、要素に対するメタデータです。以下がその使用目的です。");
    mojibake_keep("symmetric_difference：どちらか一方の集合には存在するが、両方には ない値を取得。");
    mojibake_keep("한국어 텍스트입니다");
}

int main(void)
{
    test_pinyin_real();
    test_pinyin_forms();
    test_pinyin_toneless();
    test_pinyin_keep();
    test_pinyin_edges();
    test_mojibake();
    return check_done("test_repair");
}
