/* hanfold_batch against one context record by record: the same text, key
 * and fingerprint for every record whatever the number of threads; per
 * record errors (invalid UTF-8 without a charset) beside good records;
 * decoding (a charset, "auto", U+FFFD counted); runs that reuse storage;
 * more processors than a batch takes; a batch used in a child of fork(). */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "hanfold.h"

static const char *const texts[] = {
    "軟體更新了。", "软件更新了", "", "今天天氣很好，我們去公園散步吧。產(chǎn)業(yè)升級",
    "<p>標題</p><p>正文 http://t.cn/abc</p>", "ＡＢＣ　１２３", "a\0b", "x",
};
#define N (sizeof texts / sizeof texts[0])

static size_t len_of(size_t i)
{
    return i == 6 ? 3 : strlen(texts[i]);
}

static void same_as_ctx(unsigned threads)
{
    hanfold_ctx *ctx;
    hanfold_batch *b;
    CHECK(hanfold_ctx_new(&ctx, NULL, NULL, 0) == 0);
    CHECK(hanfold_batch_new(&b, NULL, threads, NULL, 0) == 0);
    CHECK(hanfold_batch_threads(b) == threads);
    /* many records, so that every thread takes some: the table repeated,
     * with a long one among them */
    enum { M = 300 };
    hanfold_batch_record recs[M];
    char *big = malloc(200000);
    for (size_t i = 0; i < 200000 / 3; i++)
        memcpy(big + 3 * i, "天氣很好"+ 3 * (i % 4), 3);
    for (size_t i = 0; i < M; i++) {
        recs[i].data = i == 77 ? big : texts[i % N];
        recs[i].len = i == 77 ? 200000 / 3 * 3 : len_of(i % N);
    }
    for (int round = 0; round < 2; round++) {
        CHECK(hanfold_batch_run(b, recs, M, NULL, HANFOLD_WANT_TEXT | HANFOLD_WANT_FP) == 0);
        for (size_t i = 0; i < M; i++) {
            const hanfold_batch_result *r = hanfold_batch_get(b, i);
            hanfold_result res;
            hanfold_fp fp;
            CHECK(r && r->err == 0 && *r->error == '\0');
            CHECK(hanfold_process(ctx, recs[i].data, recs[i].len, HANFOLD_WANT_TEXT | HANFOLD_WANT_KEY, &res) == 0);
            CHECK(r->text_len == res.text_len && !memcmp(r->text, res.text, res.text_len));
            CHECK(r->key_len == res.key_len && !memcmp(r->key, res.key, res.key_len));
            CHECK(hanfold_fingerprint(ctx, res.key, res.key_len, &fp) == 0);
            CHECK(r->fp.simhash == fp.simhash && r->fp.key_hash == fp.key_hash && r->fp.key_tokens == fp.key_tokens);
            CHECK(r->fp.nsketch == fp.nsketch && (!fp.nsketch || !memcmp(r->fp.sketch, fp.sketch, fp.nsketch * 8)));
            CHECK(!r->fp.tokens == !fp.tokens);
            /* the binary codec takes what the batch gives */
            CHECK(hanfold_fp_encoded_size(&r->fp) == hanfold_fp_encoded_size(&fp));
        }
    }
    CHECK(hanfold_batch_get(b, M) == NULL);
    hanfold_stats st;
    hanfold_batch_stats(b, &st);
    CHECK(st.records == 2 * M);
    free(big);
    hanfold_batch_free(&b);
    CHECK(b == NULL);
    hanfold_ctx_free(&ctx);
}

static void errors_and_decoding(void)
{
    hanfold_batch *b;
    CHECK(hanfold_batch_new(&b, NULL, 2, NULL, 0) == 0);
    hanfold_batch_record recs[] = {{"ok", 2}, {"a\xff" "b", 3}, {"\xb3\xa4", 2}};
    /* without a charset the records must be UTF-8: one fails, the rest not */
    CHECK(hanfold_batch_run(b, recs, 2, NULL, HANFOLD_WANT_KEY) == 0);
    CHECK(hanfold_batch_get(b, 0)->err == 0);
    CHECK(hanfold_batch_get(b, 1)->err == -EILSEQ && *hanfold_batch_get(b, 1)->error);
    /* decoded as UTF-8: U+FFFD, counted */
    CHECK(hanfold_batch_run(b, recs, 2, "UTF-8", HANFOLD_WANT_TEXT) == 0);
    CHECK(hanfold_batch_get(b, 1)->err == 0 && hanfold_batch_get(b, 1)->invalid == 1);
    CHECK_STR(hanfold_batch_get(b, 1)->text, hanfold_batch_get(b, 1)->text_len, "a\xef\xbf\xbd" "b");
    CHECK(hanfold_batch_get(b, 1)->key == NULL);
    /* a named charset (GB18030 長) */
    CHECK(hanfold_batch_run(b, recs + 2, 1, "GB18030", HANFOLD_WANT_TEXT) == 0);
    CHECK_STR(hanfold_batch_get(b, 0)->text, hanfold_batch_get(b, 0)->text_len, "长");
    CHECK(hanfold_batch_run(b, recs, 1, "no-such-charset", HANFOLD_WANT_TEXT) == 0);
    CHECK(hanfold_batch_get(b, 0)->err == -EINVAL);
    CHECK(hanfold_batch_run(b, recs, 1, NULL, 64) == -EINVAL);
    CHECK(hanfold_batch_run(b, recs, 0, NULL, HANFOLD_WANT_TEXT) == 0);
    hanfold_batch_free(&b);
    hanfold_batch_free(&b); /* NULL is fine */
    hanfold_batch_free(NULL);
    CHECK(hanfold_batch_new(&b, NULL, HANFOLD_BATCH_MAX_THREADS + 1, NULL, 0) == -EINVAL);
    char err[256];
    hanfold_settings s;
    hanfold_settings_default(&s);
    s.opencc_config = "/no/such/config.json";
    CHECK(hanfold_batch_new(&b, &s, 2, err, sizeof err) != 0 && b == NULL && *err);
}

/* An empty record's fingerprint is that of a short key of no tokens
 * (tokens not NULL, which means sketch only) on a fresh context as on
 * one that has tokenized before: the batch's results must not depend on
 * which thread took a record. */
static void empty_record(void)
{
    hanfold_ctx *ctx;
    hanfold_result res;
    hanfold_fp fresh, used;
    CHECK(hanfold_ctx_new(&ctx, NULL, NULL, 0) == 0);
    CHECK(hanfold_process(ctx, "", 0, HANFOLD_WANT_KEY, &res) == 0);
    CHECK(hanfold_fingerprint(ctx, res.key, res.key_len, &fresh) == 0);
    CHECK(fresh.tokens != NULL && fresh.ntokens == 0 && fresh.key_tokens == 0);
    size_t n_fresh = hanfold_fp_encoded_size(&fresh);
    CHECK(hanfold_process(ctx, "x", 1, HANFOLD_WANT_KEY, &res) == 0);
    CHECK(hanfold_process(ctx, "", 0, HANFOLD_WANT_KEY, &res) == 0);
    CHECK(hanfold_fingerprint(ctx, res.key, res.key_len, &used) == 0);
    CHECK(used.tokens != NULL && used.ntokens == 0);
    CHECK(hanfold_fp_encoded_size(&used) == n_fresh);
    hanfold_ctx_free(&ctx);
}

/* The processors online as the library sees them: this definition comes
 * before libc's (glibc's own is __sysconf). */
static long fake_cpus;
long __sysconf(int name);
long sysconf(int name)
{
    if (name == _SC_NPROCESSORS_ONLN && fake_cpus)
        return fake_cpus;
    return __sysconf(name);
}

static void many_processors(void)
{
    /* threads 0 is one per processor, at most HANFOLD_BATCH_MAX_THREADS:
     * not -EINVAL on a machine with more */
    hanfold_batch *b;
    fake_cpus = HANFOLD_BATCH_MAX_THREADS + 44;
    CHECK(hanfold_batch_new(&b, NULL, 0, NULL, 0) == 0);
    fake_cpus = 0;
    CHECK(b && hanfold_batch_threads(b) >= 1 && hanfold_batch_threads(b) <= HANFOLD_BATCH_MAX_THREADS);
    hanfold_batch_free(&b);
    CHECK(hanfold_batch_new(&b, NULL, 2, NULL, 0) == 0);
    hanfold_batch_record rec = {"x", 1};
    CHECK(hanfold_batch_run(b, &rec, 1, NULL, HANFOLD_WANT_KEY) == 0);
    /* a count whose items' size does not fit in size_t (nor is a
     * multiple of 2^64 that wraps to realloc(p, 0), which frees p) */
    CHECK(hanfold_batch_run(b, &rec, SIZE_MAX / 4 + 1, NULL, HANFOLD_WANT_KEY) == -ENOMEM);
    CHECK(hanfold_batch_run(b, &rec, SIZE_MAX, NULL, HANFOLD_WANT_KEY) == -ENOMEM);
    hanfold_batch_free(&b);
    char err[128];
    CHECK(hanfold_batch_new(&b, NULL, HANFOLD_BATCH_MAX_THREADS + 1, err, sizeof err) == -EINVAL && *err);
}

static void after_fork(void)
{
    /* the child has none of the batch's threads: a run must not wait for
     * them, and free must not join them */
    hanfold_batch *b;
    CHECK(hanfold_batch_new(&b, NULL, 3, NULL, 0) == 0);
    hanfold_batch_record recs[40];
    for (size_t i = 0; i < 40; i++)
        recs[i] = (hanfold_batch_record){texts[i % N], len_of(i % N)};
    CHECK(hanfold_batch_run(b, recs, 40, NULL, HANFOLD_WANT_KEY) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(30);
        int ok = hanfold_batch_threads(b) == 1 && hanfold_batch_run(b, recs, 40, NULL, HANFOLD_WANT_KEY) == 0;
        for (size_t i = 0; ok && i < 40; i++)
            ok = hanfold_batch_get(b, i)->err == 0;
        hanfold_batch_free(&b);
        _exit(ok ? 0 : 3);
    }
    CHECK(pid > 0);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* the parent's threads still work */
    CHECK(hanfold_batch_threads(b) == 3 && hanfold_batch_run(b, recs, 40, NULL, HANFOLD_WANT_KEY) == 0);
    hanfold_batch_free(&b);
}

int main(void)
{
    same_as_ctx(1);
    same_as_ctx(3);
    errors_and_decoding();
    empty_record();
    many_processors();
    after_fork();
    return check_done("batch");
}
