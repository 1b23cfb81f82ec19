/* Differential test of the fast paths (issue 5): every record goes through
 * hanfold_process and hanfold_fingerprint twice, once as the program runs it
 * and once in a context with reference_path set (each stage takes its reference path:
 * the code before the fast paths), and readable text, key, fingerprint and
 * statistics must be identical.
 *
 *   test_fastpath [FILE|DIR ...]
 *
 * Inputs: every file given (directories: their files), as one record per
 * line and as one record per file; then random text drawn from characters
 * that exercise every stage (ASCII, spacing, parentheses and pinyin letters,
 * Han of both scripts, CJK and full-width punctuation, corner quotes,
 * invisible and combining characters, line separators, supplementary
 * planes, mojibake-prone GBK characters), and random bytes.  Each input is
 * run under six settings (targets, HTML detection off/on, mojibake repair,
 * keep_lines).  FASTPATH_FUZZ sets the number of random records (default
 * 20000).  Stops printing after 20 differences. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "hanfold.h"
#include "stages.h"

#define NSET 6

/* each setting twice: rctx takes the reference paths */
static hanfold_ctx *ctx[NSET], *rctx[NSET];
static size_t records, diffs;

static void report(const char *what, const char *src, const char *in, size_t n)
{
    if (++diffs <= 20)
        fprintf(stderr, "fast path differs (%s) in %s: \"%.*s\"\n", what, src,
                n > 300 ? 300 : (int)n, in);
}

struct run {
    int e;
    bool reuse_bad; /* the fingerprint of the context's own key (tokens made
                     * on the way) differs from that of a copy */
    char *text, *key;
    size_t tlen, klen;
    hanfold_fp fp;
    uint64_t *sketch;
    hanfold_stats st;
};

static void run1(hanfold_ctx *c, const char *in, size_t n, unsigned want, struct run *r)
{
    hanfold_result res;
    hanfold_stats before = *hanfold_ctx_stats(c);
    memset(r, 0, sizeof *r);
    r->e = hanfold_process(c, in, n, want, &res);
    if (r->e)
        return;
    /* res.key is the context's: hanfold_fingerprint takes the tokens the
     * key's pass made, where it could, instead of tokenizing; checked
     * against the fingerprint of a copy below */
    hanfold_fp own;
    uint64_t own_sketch[HANFOLD_SKETCH_K];
    if (hanfold_fingerprint(c, res.key, res.key_len, &own)) {
        r->e = -1;
        return;
    }
    memcpy(own_sketch, own.sketch, own.nsketch * sizeof *own_sketch);
    uint32_t *own_tokens = own.tokens ? malloc((own.ntokens + 1) * sizeof *own_tokens) : NULL;
    if (own.tokens)
        memcpy(own_tokens, own.tokens, own.ntokens * sizeof *own_tokens);
    r->text = malloc(res.text_len + 1);
    r->key = malloc(res.key_len + 1);
    if (res.text_len)
        memcpy(r->text, res.text, res.text_len);
    memcpy(r->key, res.key, res.key_len);
    r->tlen = res.text_len;
    r->klen = res.key_len;
    const hanfold_stats *st = hanfold_ctx_stats(c);
    r->st.converted_runs = st->converted_runs - before.converted_runs;
    r->st.pinyin_removed = st->pinyin_removed - before.pinyin_removed;
    r->st.mojibake_runs = st->mojibake_runs - before.mojibake_runs;
    r->st.mojibake_repaired = st->mojibake_repaired - before.mojibake_repaired;
    r->st.html_records = st->html_records - before.html_records;
    if (hanfold_fingerprint(c, r->key, r->klen, &r->fp)) {
        r->e = -1;
        free(own_tokens);
        return;
    }
    r->sketch = malloc((r->fp.nsketch + 1) * sizeof *r->sketch);
    memcpy(r->sketch, r->fp.sketch, r->fp.nsketch * sizeof *r->sketch);
    r->reuse_bad = own.simhash != r->fp.simhash || own.key_hash != r->fp.key_hash ||
                   own.key_tokens != r->fp.key_tokens || own.nsketch != r->fp.nsketch ||
                   memcmp(own_sketch, r->sketch, own.nsketch * sizeof *own_sketch) ||
                   !own.tokens != !r->fp.tokens || own.ntokens != r->fp.ntokens ||
                   (own.tokens && memcmp(own_tokens, r->fp.tokens, own.ntokens * sizeof *own_tokens));
    free(own_tokens);
}

static void free_run(struct run *r)
{
    free(r->text);
    free(r->key);
    free(r->sketch);
}

/* One record (valid UTF-8) under every setting, fast against reference;
 * the fast path twice: asked for text and key, and for the key alone (as
 * `fingerprint` and `normalize --key` ask: hf_fold_key_direct()). */
static void record(const char *src, const char *in, size_t n)
{
    records++;
    for (int i = 0; i < NSET; i++) {
        struct run f, k, r;
        run1(ctx[i], in, n, HANFOLD_WANT_TEXT | HANFOLD_WANT_KEY, &f);
        run1(ctx[i], in, n, HANFOLD_WANT_KEY, &k);
        run1(rctx[i], in, n, HANFOLD_WANT_TEXT | HANFOLD_WANT_KEY, &r);
        check_count++;
        const char *what = NULL;
        if (f.e != r.e)
            what = "status";
        else if (f.e)
            what = NULL;
        else if (f.reuse_bad || k.reuse_bad || r.reuse_bad)
            what = "fingerprint from the key's own tokens";
        else if (f.tlen != r.tlen || memcmp(f.text, r.text, f.tlen))
            what = "text";
        else if (f.klen != r.klen || memcmp(f.key, r.key, f.klen))
            what = "key";
        else if (f.fp.simhash != r.fp.simhash || f.fp.key_hash != r.fp.key_hash ||
                 f.fp.key_tokens != r.fp.key_tokens || f.fp.ntokens != r.fp.ntokens ||
                 f.fp.nsketch != r.fp.nsketch ||
                 memcmp(f.sketch, r.sketch, f.fp.nsketch * sizeof *f.sketch))
            what = "fingerprint";
        else if (memcmp(&f.st, &r.st, sizeof f.st))
            what = "stats";
        else if (k.e != r.e || k.klen != r.klen || memcmp(k.key, r.key, k.klen))
            what = "key alone";
        else if (k.fp.simhash != r.fp.simhash || k.fp.key_hash != r.fp.key_hash ||
                 memcmp(&k.st, &r.st, sizeof k.st))
            what = "fingerprint or stats of the key alone";
        if (what) {
            check_failures++;
            char label[64];
            snprintf(label, sizeof label, "%s, setting %d", what, i);
            report(label, src, in, n);
        }
        free_run(&f);
        free_run(&k);
        free_run(&r);
    }
}

/* Raw bytes: decoded as the program decodes them, then one record. */
static void bytes(const char *src, const char *b, size_t n)
{
    const char *u;
    size_t ul, inv;
    if (hanfold_decode(ctx[0], b, n, NULL, &u, &ul, &inv)) {
        check_count++;
        check_failures++;
        return;
    }
    char *copy = malloc(ul + 1);
    memcpy(copy, u, ul);
    record(src, copy, ul);
    free(copy);
}

static void file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    char *data = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 65536 > cap) {
            cap = (n + 65536) * 2;
            data = realloc(data, cap);
        }
        size_t r = fread(data + n, 1, cap - n, f);
        if (!r)
            break;
        n += r;
    }
    fclose(f);
    /* large files: the first 2 MB (zuozhuan is 1.9 MB) */
    if (n > (2u << 20))
        n = 2u << 20;
    bytes(path, data, n);
    size_t start = 0;
    for (size_t i = 0; i <= n; i++)
        if (i == n || data[i] == '\n') {
            bytes(path, data + start, i - start);
            start = i + 1;
        }
    free(data);
}

static void walk(const char *path)
{
    struct stat st;
    if (stat(path, &st))
        return;
    if (!S_ISDIR(st.st_mode)) {
        file(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        walk(sub);
    }
    closedir(d);
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *const pieces[] = {
    "a", "B", "z", "0", "9", " ", "  ", "\t", "\n", "\r\n", "\r", "(", ")", ".", ",", ";", ":",
    "!", "?", "-", "<", ">", "<p>", "</p>", "<br>", "&amp;", "iPhone", "AR/VR", "23.3",
    "ā", "á", "ǎ", "à", "ē", "ü", "ǚ", "chǎn", "yè", "(chǎn)", "(yè)", "(shu4)", "(ｙùｎ)",
    "（", "）", "（chǎn）", "產", "业", "業", "数", "數", "字", "化", "转", "轉", "型", "么", "麼",
    "什", "后", "後", "面", "里", "裡", "干", "乾", "着", "著", "台", "臺", "软件", "軟體", "程序",
    "程式", "信息", "資訊", "鼠标", "滑鼠", "网络", "網路", "钟", "鍾", "卫", "衞", "〇", "㐀",
    "，", "。", "、", "；", "：", "！", "？", "「", "」", "『", "』", "《", "》", "“", "”", "…",
    "—", "～", "·", "　", "\xc2\xa0", "\xe2\x80\x8b", "\xe2\x80\x8d", "\xef\xbb\xbf",
    "\xc2\xad", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xef\xb8\x8f", "\xcc\x81", "\xcc\xa3", "é",
    "e\xcc\x81", "Ａ", "ｚ", "１", "ｶ", "ﾞ", "①", "㈱", "ﬁ", "Å", "Ω", "\xe2\x84\xa6", "ß", "İ",
    "Σ", "ς", "𠀀", "𪚥", "😀", "\xf3\xa0\x84\x80", "\x01", "\x7f", "\xc2\x85", "眳", "呛", "２",
    "ū", "硎", "€", "祥", "浣犲", "ソ", "鐢ㄦ埛", "锛屼", "\xef\xbf\xbd", "?nèi)", "鏄\xee\x88\x99",
    "〜", "‐", "‑", "‥", "﹐", "︰", "〶", "〸", "丽", "\xef\xa4\x80",
    "×", "°", "ñ", "n\xcc\x83", "한", "\xe1\x84\x92", "\xe1\x85\xa1", "\xe1\x86\xab", "ㄱ", "ก",
    "\xe0\xb7\x99", "\xe0\xb7\x8f", "\xe0\xb3\x95", "Ä", "A\xcc\x88", "ǅ", "µ", "½", "ｰ",
};

/* Pieces the key-alone path takes as they are (Han of both scripts, ASCII,
 * most punctuation, characters NFKC leaves alone), sequences that NFKC
 * composes although each character alone is left alone, pinyin readings in
 * both kinds of parentheses, the words whose conversion to simplified
 * changes the key (沈默 -> 沉默, 傢俱 -> 家具, 瀋 -> 沈: the key-alone path
 * must leave traditional text with them to the stages), and clause ends
 * and whitespace for the count of converted runs: records drawn from these
 * alone exercise hf_fold_key_direct() against the stages. */
static const char *const plain_pieces[] = {
    "a", "Z", "7", " ", "\n", ",", "(", "（", ")", "）", "(shù)", "（zì）", "(de)", "（xìn xī）", "(shu4)",
    "（zi4）", "（xin4 xi1）",
    "iPhone", "数", "字", "化", "软件", "程序", "信息", "什么", "么", "里", "后", "面",
    "數", "產", "業", "轉", "後", "裡", "著", "麼", "臺", "軟體", "資訊", "網路", "鍾", "為", "一目瞭然",
    "沈默", "沈沒", "沈", "傢俱", "俱", "瀋陽", "瀋", "雁杳魚沈", "\t", "  ", "\r\n", "\r",
    "；", "！", "？", "：", "、", ";", "!", "?", ":",
    "，", "。", "“", "”", "…", "·", "×", "°", "é", "ñ", "한", "\xe1\x84\x92\xe1\x85\xa1",
    "\xe1\x84\x92", "\xe1\x85\xa1", "\xe1\x86\xab", "\xe0\xb7\x99\xe0\xb7\x8f", "A\xcc\x88",
    "\xcc\x81", "e", "\xe0\xb3\x86\xe0\xb3\x95", "ก",
    /* what furniture needs, which the key's pass notes for the furniture stage */
    "/", "//", "http://t.cn/R4tpciq", "http", "2", " 2北京·工体", "2", "我在:", "O网页链接", "O", "[蜡烛]",
    "[", "]", "２", "／", "Ｏ", "［",
};

/* Records made for the count of converted runs on the key-alone path: a
 * converted clause, one left alone, then what the unicode stage drops or
 * turns into spaces (a last clause of its own in the text as it is). */
static const char *const cases[] = {
    "數數數，简，", "數數數，简， ", "數數數，简，\n", "數數數，简，\r\n", "數數數，简，\t \n ",
    "數數數，简，\xe2\x80\xa8", "數數數，简\n简，數", "數數數\n\n简\n\n\n數 ", " \n數數數，简，  ",
    "數，简简，數 \n", "简简，數，简 ", "简简，數，简， ", "數數數， ，简，", "數數\n简\r數\r\n简",
    /* HTML: joined block ends become 。 between words, a clause end */
    "<h2>數數數</h2><p>简简</p>", "<p>简</p><p>數</p><p>简</p>\n", "<li>數A</li><li>B简</li>",
};

static void fuzz(unsigned count)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        record("case", cases[i], strlen(cases[i]));
    const size_t np = sizeof pieces / sizeof pieces[0];
    const size_t npp = sizeof plain_pieces / sizeof plain_pieces[0];
    char buf[4096];
    for (unsigned k = 0; k < count; k++) {
        size_t n = 0, len = 1 + rnd(k % 10 ? 40 : 300);
        if (k % 7 == 6) {
            /* random bytes, biased towards UTF-8 lead and trail bytes */
            for (size_t i = 0; i < len && n < sizeof buf; i++)
                buf[n++] = (char)(rnd(3) ? 0x80 + rnd(0x70) : rnd(256));
            bytes("random bytes", buf, n);
            continue;
        }
        bool plain = k % 7 == 3;
        for (size_t i = 0; i < len; i++) {
            const char *p = plain ? plain_pieces[rnd(npp)] : pieces[rnd(np)];
            size_t l = strlen(p);
            if (n + l >= sizeof buf)
                break;
            memcpy(buf + n, p, l);
            n += l;
        }
        bytes("random text", buf, n);
    }
}

int main(int argc, char **argv)
{
    for (int i = 0; i < NSET; i++) {
        hanfold_settings s;
        hanfold_settings_default(&s);
        /* the mojibake count is compared between the paths: on (but in one
         * setting, the default) */
        s.count_mojibake = i != 5;
        switch (i) {
        case 1: s.target = HANFOLD_TO_TAIWAN; s.keep_lines = true; break;
        case 2: s.repair_mojibake = true; s.html = HANFOLD_HTML_OFF; break;
        case 3: s.target = HANFOLD_TO_TRADITIONAL; s.html = HANFOLD_HTML_ON; break;
        case 4: s.target = HANFOLD_TO_HONGKONG; s.repair_pinyin = false; break;
        case 5: s.keep_lines = true; s.html = HANFOLD_HTML_OFF; s.drop_furniture = HANFOLD_FURNITURE_ALL; break;
        }
        char err[256];
        if (hanfold_ctx_new(&ctx[i], &s, err, sizeof err)) {
            fprintf(stderr, "context: %s\n", err);
            return 1;
        }
        s.reference_path = true;
        if (hanfold_ctx_new(&rctx[i], &s, err, sizeof err)) {
            fprintf(stderr, "context: %s\n", err);
            return 1;
        }
    }
    for (int i = 1; i < argc; i++)
        walk(argv[i]);
    const char *fz = getenv("FASTPATH_FUZZ");
    fuzz(fz ? (unsigned)strtoul(fz, NULL, 10) : 20000);
    for (int i = 0; i < NSET; i++) {
        hanfold_ctx_free(&ctx[i]);
        hanfold_ctx_free(&rctx[i]);
    }
    printf("%zu records x %d settings, %zu differences\n", records, NSET, diffs);
    return check_done("fastpath");
}
