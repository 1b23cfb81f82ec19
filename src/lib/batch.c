/* hanfold_batch: many records normalized and fingerprinted on threads.
 *
 * One context per thread (a context is not thread-safe); the calling thread
 * works beside the others, records are handed out one at a time from an
 * atomic counter (record lengths vary by orders of magnitude, so static
 * shares would leave threads idle), and each record's results are copied
 * into storage of its own so that they outlive the contexts' next calls. */
#include "hanfold.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

typedef struct item {
    hanfold_batch_result res;
    hf_buf text, key;
    uint32_t *tokens;
    uint64_t *sketch;
    size_t tokens_cap, sketch_cap;
    char msg[256];
    char warn[256];
} item;

typedef struct worker {
    hanfold_batch *b;
    hanfold_ctx *ctx;
    pthread_t thread;
    bool started;
} worker;

struct hanfold_batch {
    unsigned nthreads; /* contexts made; worker 0 is the calling thread */
    unsigned nw;       /* workers allocated */
    worker *w;
    item *items;
    size_t cap;
    /* the run in progress */
    const hanfold_batch_record *recs;
    size_t n;
    const char *charset;
    unsigned want;
    bool html_hint;
    atomic_size_t next;
    /* generation handshake between the calling thread and the workers */
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long gen;
    unsigned busy;
    bool quit;
    /* the process whose threads these are: a child of fork() has only
     * the thread that forked (a Python program that forks workers after
     * using a batch), so there the batch runs on the calling thread and
     * free() joins nothing */
    pid_t pid;
};

static bool threads_here(const hanfold_batch *b)
{
    return b->pid == getpid();
}

static int copy(hf_buf *dst, const char *s, size_t n)
{
    dst->len = 0;
    if (hf_buf_append(dst, s, n) || hf_buf_reserve(dst, 0))
        return -ENOMEM;
    dst->p[dst->len] = '\0';
    return 0;
}

/* fp's arrays into the item's, which outlive the context's */
static int keep_fp(item *it, const hanfold_fp *fp)
{
    if (fp->ntokens > it->tokens_cap || !it->tokens) {
        size_t n = fp->ntokens ? fp->ntokens : 1;
        uint32_t *t = realloc(it->tokens, n * sizeof *t);
        if (!t)
            return -ENOMEM;
        it->tokens = t;
        it->tokens_cap = n;
    }
    if (fp->nsketch > it->sketch_cap) {
        uint64_t *k = realloc(it->sketch, fp->nsketch * sizeof *k);
        if (!k)
            return -ENOMEM;
        it->sketch = k;
        it->sketch_cap = fp->nsketch;
    }
    it->res.fp = *fp;
    if (fp->tokens) {
        if (fp->ntokens)
            memcpy(it->tokens, fp->tokens, fp->ntokens * sizeof *it->tokens);
        it->res.fp.tokens = it->tokens;
    }
    if (fp->nsketch)
        memcpy(it->sketch, fp->sketch, fp->nsketch * sizeof *it->sketch);
    it->res.fp.sketch = fp->nsketch ? it->sketch : NULL;
    return 0;
}

static int process(hanfold_batch *b, hanfold_ctx *ctx, const hanfold_batch_record *rec, item *it)
{
    const char *in = rec->data ? rec->data : "";
    size_t len = rec->len;
    int e;
    if (b->charset) {
        const char *cs = b->charset;
        if (!strcmp(cs, "auto")) {
            size_t bom = 0;
            cs = hanfold_detect_charset(in, len, b->html_hint, &bom);
            in += bom;
            len -= bom;
        }
        if ((e = hanfold_decode(ctx, in, len, cs, &in, &len, &it->res.invalid)))
            return e;
    }
    /* HANFOLD_WANT_FP is the batch's own: hanfold_process takes TEXT|KEY */
    unsigned want = (b->want & (HANFOLD_WANT_TEXT | HANFOLD_WANT_KEY)) | (b->want & HANFOLD_WANT_FP ? HANFOLD_WANT_KEY : 0);
    hanfold_result r;
    if ((e = hanfold_process(ctx, in, len, want, &r)))
        return e;
    uint64_t line;
    const char *w = hanfold_ctx_warning(ctx, &line);
    if (*w) {
        snprintf(it->warn, sizeof it->warn, "%s", w);
        it->res.warning = it->warn;
    }
    if ((b->want & HANFOLD_WANT_TEXT) && (e = copy(&it->text, r.text, r.text_len)))
        return e;
    if (want & HANFOLD_WANT_KEY && (e = copy(&it->key, r.key, r.key_len)))
        return e;
    if (b->want & HANFOLD_WANT_FP) {
        hanfold_fp fp;
        /* r.key, not the copy: the context knows its tokens */
        if ((e = hanfold_fingerprint(ctx, r.key, r.key_len, &fp)) || (e = keep_fp(it, &fp)))
            return e;
    }
    if (b->want & HANFOLD_WANT_TEXT) {
        it->res.text = it->text.p;
        it->res.text_len = it->text.len;
    }
    if (want & HANFOLD_WANT_KEY) {
        it->res.key = it->key.p;
        it->res.key_len = it->key.len;
    }
    return 0;
}

static void work(hanfold_batch *b, hanfold_ctx *ctx)
{
    size_t i;
    while ((i = atomic_fetch_add(&b->next, 1)) < b->n) {
        item *it = &b->items[i];
        memset(&it->res, 0, sizeof it->res);
        it->res.error = it->res.warning = "";
        int e = process(b, ctx, &b->recs[i], it);
        if (e) {
            it->res.err = e;
            snprintf(it->msg, sizeof it->msg, "%s", e == -ENOMEM ? "out of memory" : hanfold_ctx_error(ctx));
            it->res.error = it->msg;
        }
    }
}

static void *thread_main(void *arg)
{
    worker *w = arg;
    hanfold_batch *b = w->b;
    unsigned long seen = 0;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->quit && b->gen == seen)
            pthread_cond_wait(&b->go, &b->mu);
        if (b->quit)
            break;
        seen = b->gen;
        pthread_mutex_unlock(&b->mu);
        work(b, w->ctx);
        pthread_mutex_lock(&b->mu);
        if (--b->busy == 0)
            pthread_cond_signal(&b->done);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

int hanfold_batch_new(hanfold_batch **out, const hanfold_settings *s, unsigned threads, char *errbuf, size_t errsz)
{
    *out = NULL;
    if (errbuf && errsz)
        errbuf[0] = '\0';
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n <= 0 ? 1 : n > HANFOLD_BATCH_MAX_THREADS ? HANFOLD_BATCH_MAX_THREADS : (unsigned)n;
    }
    if (threads > HANFOLD_BATCH_MAX_THREADS) {
        if (errbuf && errsz)
            snprintf(errbuf, errsz, "too many threads: %u (at most %d)", threads, HANFOLD_BATCH_MAX_THREADS);
        return -EINVAL;
    }
    hanfold_batch *b = calloc(1, sizeof *b);
    if (!b || !(b->w = calloc(threads, sizeof *b->w))) {
        free(b);
        return -ENOMEM;
    }
    b->nw = threads;
    b->pid = getpid();
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->go, NULL);
    pthread_cond_init(&b->done, NULL);
    b->html_hint = !s || s->html != HANFOLD_HTML_OFF;
    int e = 0;
    for (unsigned i = 0; i < threads; i++) {
        b->w[i].b = b;
        if ((e = hanfold_ctx_new(&b->w[i].ctx, s, errbuf, errsz)))
            break;
        b->nthreads++;
        if (i > 0) {
            /* a thread that cannot start is no error: fewer threads work */
            if (pthread_create(&b->w[i].thread, NULL, thread_main, &b->w[i]) != 0) {
                hanfold_ctx_free(&b->w[i].ctx);
                b->nthreads--;
                break;
            }
            b->w[i].started = true;
        }
    }
    if (e) {
        hanfold_batch_free(&b);
        return e;
    }
    *out = b;
    return 0;
}

void hanfold_batch_free(hanfold_batch **pb)
{
    if (!pb || !*pb)
        return;
    hanfold_batch *b = *pb;
    bool here = threads_here(b);
    if (here) {
        pthread_mutex_lock(&b->mu);
        b->quit = true;
        pthread_cond_broadcast(&b->go);
        pthread_mutex_unlock(&b->mu);
    }
    for (unsigned i = 0; i < b->nw; i++) {
        if (b->w[i].started && here)
            pthread_join(b->w[i].thread, NULL);
        hanfold_ctx_free(&b->w[i].ctx);
    }
    for (size_t i = 0; i < b->cap; i++) {
        hf_buf_free(&b->items[i].text);
        hf_buf_free(&b->items[i].key);
        free(b->items[i].tokens);
        free(b->items[i].sketch);
    }
    free(b->items);
    free(b->w);
    if (here) {
        /* in a child of fork() the parent's workers may have been waiting
         * on these: they are left as they are */
        pthread_mutex_destroy(&b->mu);
        pthread_cond_destroy(&b->go);
        pthread_cond_destroy(&b->done);
    }
    free(b);
    *pb = NULL;
}

unsigned hanfold_batch_threads(const hanfold_batch *b)
{
    return threads_here(b) ? b->nthreads : 1;
}

int hanfold_batch_run(hanfold_batch *b, const hanfold_batch_record *recs, size_t n, const char *charset,
                      unsigned want)
{
    if (want & ~(unsigned)(HANFOLD_WANT_TEXT | HANFOLD_WANT_KEY | HANFOLD_WANT_FP))
        return -EINVAL;
    if (n > b->cap) {
        if (n > SIZE_MAX / sizeof(item))
            return -ENOMEM;
        item *it = realloc(b->items, n * sizeof *it);
        if (!it)
            return -ENOMEM;
        memset(it + b->cap, 0, (n - b->cap) * sizeof *it);
        b->items = it;
        b->cap = n;
    }
    b->recs = recs;
    b->n = n;
    b->charset = charset;
    b->want = want;
    atomic_store(&b->next, 0);
    /* one record is not worth waking the workers for */
    if (b->nthreads > 1 && n > 1 && threads_here(b)) {
        pthread_mutex_lock(&b->mu);
        b->busy = b->nthreads - 1;
        b->gen++;
        pthread_cond_broadcast(&b->go);
        pthread_mutex_unlock(&b->mu);
        work(b, b->w[0].ctx);
        pthread_mutex_lock(&b->mu);
        while (b->busy)
            pthread_cond_wait(&b->done, &b->mu);
        pthread_mutex_unlock(&b->mu);
    } else {
        work(b, b->w[0].ctx);
    }
    b->recs = NULL;
    return 0;
}

const hanfold_batch_result *hanfold_batch_get(const hanfold_batch *b, size_t i)
{
    return i < b->n ? &b->items[i].res : NULL;
}

void hanfold_batch_stats(const hanfold_batch *b, hanfold_stats *st)
{
    memset(st, 0, sizeof *st);
    for (unsigned i = 0; i < b->nthreads; i++) {
        const hanfold_stats *s = hanfold_ctx_stats(b->w[i].ctx);
        st->records += s->records;
        st->html_records += s->html_records;
        st->pinyin_removed += s->pinyin_removed;
        st->mojibake_runs += s->mojibake_runs;
        st->mojibake_repaired += s->mojibake_repaired;
        st->converted_runs += s->converted_runs;
        st->html_flattened += s->html_flattened;
        st->html_cut += s->html_cut;
    }
}
