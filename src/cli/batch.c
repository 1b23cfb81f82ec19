#include "batch.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "fprows.h"

#define BATCH_RECORDS 512
#define BATCH_BYTES (4u << 20)

typedef struct worker {
    hf_batch *b;
    hanfold_ctx *ctx;
    pthread_t thread;
    bool started;
} worker;

/* A set of items: two, so that one is processed while the other is
 * consumed (hf_batch_start). */
typedef struct item_set {
    hf_item *items;
    size_t n, cap, bytes;
} item_set;

struct hf_batch {
    unsigned nw;           /* workers allocated */
    unsigned nthreads, what;
    worker *w;
    item_set set[2];
    unsigned fill, run, res; /* the set being added to, processed, consumed */
    bool inflight;         /* set[run] is being processed (hf_batch_start) */
    atomic_size_t next;
    /* generation handshake between the main thread and the workers */
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long gen;
    unsigned busy;
    bool quit;
};

static int copy(hf_buf *dst, const char *s, size_t n)
{
    hf_buf_clear(dst);
    return hf_buf_append(dst, s, n);
}

/* Copies fp's arrays into the item's, which outlive the context's. */
static int keep_fp(hf_item *it, const hanfold_fp *fp)
{
    /* room for one at least, so that a key of no tokens keeps a tokens
     * array: NULL means "sketch" to the writer (and it did, for items
     * that had never held tokens) */
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
    it->fp = *fp;
    if (fp->tokens) {
        if (fp->ntokens)
            memcpy(it->tokens, fp->tokens, fp->ntokens * sizeof *it->tokens);
        it->fp.tokens = it->tokens;
    }
    if (fp->nsketch)
        memcpy(it->sketch, fp->sketch, fp->nsketch * sizeof *it->sketch);
    it->fp.sketch = it->sketch;
    return 0;
}

/* A row of `hanfold fingerprint` (cluster, dedup, report --fingerprints). */
static int process_fprow(hf_batch *b, hanfold_ctx *ctx, hf_item *it)
{
    hf_fprow fr;
    it->fprow_err = hf_fprow_parse(it->rec.utf8, it->rec.utf8_len, &fr);
    if (it->fprow_err) {
        hf_fprow_free(&fr);
        return 0;
    }
    hanfold_fp fp;
    int e = 0;
    if (b->what & HF_BATCH_FPSIM) {
        memset(&fp, 0, sizeof fp);
        fp.simhash = fr.simhash;
        fp.key_hash = fr.key_hash;
        fp.key_tokens = fr.key_tokens;
    } else if (fr.key) {
        /* the row has the SimHash; clustering by key does not use it */
        e = hanfold_fingerprint_parts(ctx, fr.key, fr.key_len, HANFOLD_FP_SKETCH, &fp);
        fp.simhash = fr.simhash;
    } else {
        e = hanfold_fingerprint_from_sketch(ctx, fr.simhash, fr.key_tokens, fr.sketch, fr.nsketch,
                                            fr.key_hash, &fp);
    }
    if (!e)
        e = keep_fp(it, &fp);
    if (!e)
        e = copy(&it->fpid, fr.id, strlen(fr.id));
    if (!e && fr.key && !(b->what & HF_BATCH_FPSIM))
        e = copy(&it->key, fr.key, fr.key_len);
    hf_fprow_free(&fr);
    return e;
}

static void process(hf_batch *b, hanfold_ctx *ctx, hf_item *it)
{
    it->err = 0;
    it->errmsg[0] = '\0';
    it->warn[0] = '\0';
    it->warn_line = 0;
    hf_buf_clear(&it->out);
    hf_buf_clear(&it->key);
    hf_buf_clear(&it->snip);
    hf_buf_clear(&it->fpid);
    it->fprow_err = NULL;
    memset(&it->fp, 0, sizeof it->fp);
    if (it->rec.error || !b->what)
        return; /* passed through by the caller, or nothing to do */
    if (b->what & HF_BATCH_FPROW) {
        int e = process_fprow(b, ctx, it);
        if (e) {
            it->err = e;
            snprintf(it->errmsg, sizeof it->errmsg, "%s", e == -ENOMEM ? "out of memory" : hanfold_ctx_error(ctx));
        }
        return;
    }
    unsigned want = 0;
    if (b->what & (HF_BATCH_TEXT | HF_BATCH_SNIP))
        want |= HANFOLD_WANT_TEXT;
    if (b->what & (HF_BATCH_KEY | HF_BATCH_FP))
        want |= HANFOLD_WANT_KEY;
    hanfold_result res;
    int e = hanfold_process(ctx, it->rec.text, it->rec.text_len, want, &res);
    if (e) {
        it->err = e;
        snprintf(it->errmsg, sizeof it->errmsg, "%s", hanfold_ctx_error(ctx));
        return;
    }
    /* most records have no warning: no formatting call for them */
    const char *w = hanfold_ctx_warning(ctx, &it->warn_line);
    if (*w)
        snprintf(it->warn, sizeof it->warn, "%s", w);
    else
        it->warn[0] = '\0';
    if (b->what & HF_BATCH_TEXT)
        e = copy(&it->out, res.text, res.text_len);
    else if (b->what & HF_BATCH_KEY)
        e = copy(&it->out, res.key, res.key_len);
    if (!e && (b->what & HF_BATCH_SNIP)) {
        /* at most 120 bytes, cut at a character boundary */
        size_t n = res.text_len < 120 ? res.text_len : 120;
        while (n < res.text_len && n > 0 && ((unsigned char)res.text[n] & 0xC0) == 0x80)
            n--;
        e = copy(&it->snip, res.text, n);
    }
    if (!e && (b->what & HF_BATCH_FP)) {
        e = copy(&it->key, res.key, res.key_len);
        hanfold_fp fp;
        /* res.key, not the copy: the context knows its tokens */
        if (!e)
            e = hanfold_fingerprint_parts(ctx, res.key, res.key_len,
                                          HANFOLD_FP_SIMHASH | (b->what & HF_BATCH_ROW ? 0 : HANFOLD_FP_SKETCH),
                                          &fp);
        if (!e)
            e = keep_fp(it, &fp);
    }
    if (e) {
        it->err = e;
        snprintf(it->errmsg, sizeof it->errmsg, "out of memory");
    }
}

static void work(hf_batch *b, hanfold_ctx *ctx)
{
    size_t i;
    item_set *s = &b->set[b->run];
    while ((i = atomic_fetch_add(&b->next, 1)) < s->n)
        process(b, ctx, &s->items[i]);
}

static void *thread_main(void *arg)
{
    worker *w = arg;
    hf_batch *b = w->b;
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

int hf_batch_new(hf_batch **out, unsigned threads, const hanfold_settings *s, unsigned what,
                 char *err, size_t errsz)
{
    *out = NULL;
    hf_batch *b = calloc(1, sizeof *b);
    if (!b)
        return -ENOMEM;
    b->what = what;
    b->nw = threads ? threads : 1;
    b->w = calloc(b->nw, sizeof *b->w);
    if (!b->w) {
        free(b);
        return -ENOMEM;
    }
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->go, NULL);
    pthread_cond_init(&b->done, NULL);
    int e = 0;
    /* worker 0 is the main thread */
    for (unsigned i = 0; i < (threads ? threads : 1); i++) {
        b->w[i].b = b;
        if ((e = hanfold_ctx_new(&b->w[i].ctx, s, err, errsz)))
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
        hf_batch_free(&b);
        return e;
    }
    *out = b;
    return 0;
}

void hf_batch_free(hf_batch **pb)
{
    if (!pb || !*pb)
        return;
    hf_batch *b = *pb;
    pthread_mutex_lock(&b->mu);
    b->quit = true;
    pthread_cond_broadcast(&b->go);
    pthread_mutex_unlock(&b->mu);
    for (unsigned i = 0; b->w && i < b->nw; i++) {
        if (b->w[i].started)
            pthread_join(b->w[i].thread, NULL);
        hanfold_ctx_free(&b->w[i].ctx);
    }
    if (b->inflight)
        hf_batch_wait(b);
    for (size_t i = 0; i < b->set[0].cap + b->set[1].cap; i++) {
        hf_item *it = i < b->set[0].cap ? &b->set[0].items[i] : &b->set[1].items[i - b->set[0].cap];
        hf_buf_free(&it->raw);
        hf_buf_free(&it->text);
        hf_buf_free(&it->id);
        hf_buf_free(&it->utf8);
        hf_buf_free(&it->out);
        hf_buf_free(&it->key);
        hf_buf_free(&it->snip);
        hf_buf_free(&it->fpid);
        free(it->tokens);
        free(it->sketch);
    }
    free(b->set[0].items);
    free(b->set[1].items);
    free(b->w);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->go);
    pthread_cond_destroy(&b->done);
    free(b);
    *pb = NULL;
}

hanfold_ctx *hf_batch_ctx(hf_batch *b)
{
    return b->w[0].ctx;
}

int hf_batch_add(hf_batch *b, const hf_record *rec)
{
    item_set *s = &b->set[b->fill];
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        hf_item *it = realloc(s->items, nc * sizeof *it);
        if (!it)
            return -ENOMEM;
        memset(it + s->cap, 0, (nc - s->cap) * sizeof *it);
        s->items = it;
        s->cap = nc;
    }
    hf_item *it = &s->items[s->n];
    /* utf8 the same bytes as raw: one copy serves both */
    bool alias = !rec->oversize && rec->utf8_is_raw;
    if ((!rec->oversize && copy(&it->raw, rec->raw, rec->raw_len)) ||
        (!alias && copy(&it->utf8, rec->utf8, rec->utf8_len)) || copy(&it->id, rec->id, strlen(rec->id)))
        return -ENOMEM;
    /* jsonl: the text is a separate decoded string; otherwise it is utf8 */
    bool separate = rec->text != rec->utf8;
    if (separate && copy(&it->text, rec->text, rec->text_len))
        return -ENOMEM;
    it->rec = *rec;
    if (!rec->oversize)
        it->rec.raw = it->raw.p ? it->raw.p : "";
    it->rec.utf8 = alias ? it->rec.raw : it->utf8.p ? it->utf8.p : "";
    it->rec.text = separate ? (it->text.p ? it->text.p : "") : it->rec.utf8;
    it->rec.id = it->id.p ? it->id.p : "";
    if (rec->error) {
        /* the reader's message buffers are reused by the next record */
        snprintf(it->recerr, sizeof it->recerr, "%s", rec->error);
        it->rec.error = it->recerr;
    }
    s->n++;
    s->bytes += rec->raw_len;
    return 0;
}

bool hf_batch_full(const hf_batch *b)
{
    const item_set *s = &b->set[b->fill];
    return s->n >= BATCH_RECORDS || s->bytes >= BATCH_BYTES;
}

size_t hf_batch_count(const hf_batch *b)
{
    return b->set[b->res].n;
}

size_t hf_batch_pending(const hf_batch *b)
{
    return b->set[b->fill].n;
}

unsigned hf_batch_threads(const hf_batch *b)
{
    return b->nthreads;
}

void hf_batch_run(hf_batch *b)
{
    b->run = b->res = b->fill;
    atomic_store(&b->next, 0);
    /* a handful of records is not worth waking the workers for */
    if (b->nthreads > 1 && b->set[b->run].n > 1) {
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
}

void hf_batch_start(hf_batch *b)
{
    b->run = b->fill;
    b->fill ^= 1;
    atomic_store(&b->next, 0);
    if (b->nthreads < 2) {
        work(b, b->w[0].ctx); /* no worker thread: now */
        return;
    }
    pthread_mutex_lock(&b->mu);
    b->busy = b->nthreads - 1;
    b->gen++;
    b->inflight = true;
    pthread_cond_broadcast(&b->go);
    pthread_mutex_unlock(&b->mu);
}

bool hf_batch_turn(hf_batch *b, bool help)
{
    bool have = b->inflight;
    if (have) {
        if (help)
            work(b, b->w[0].ctx); /* beside the workers, on what they left */
        hf_batch_wait(b);
    }
    if (hf_batch_pending(b))
        hf_batch_start(b);
    return have;
}

bool hf_batch_inflight(const hf_batch *b)
{
    return b->inflight;
}

int hf_batch_fill(hf_batch *b, hf_reader *rd, int *r, bool *oversize)
{
    hf_record rec;
    *oversize = false;
    while ((*r = hf_reader_next(rd, &rec)) > 0) {
        if (hf_batch_add(b, &rec))
            return -ENOMEM;
        if ((*oversize = rec.oversize) || hf_batch_full(b))
            break;
    }
    return 0;
}

void hf_batch_wait(hf_batch *b)
{
    if (b->inflight) {
        pthread_mutex_lock(&b->mu);
        while (b->busy)
            pthread_cond_wait(&b->done, &b->mu);
        b->inflight = false;
        pthread_mutex_unlock(&b->mu);
    }
    b->res = b->run;
}

hf_item *hf_batch_item(hf_batch *b, size_t i)
{
    hf_item *it = &b->set[b->res].items[i];
    /* the message lives in the item, which moves when the array grows */
    if (it->rec.error)
        it->rec.error = it->recerr;
    return it;
}

void hf_batch_clear(hf_batch *b)
{
    b->set[b->res].n = 0;
    b->set[b->res].bytes = 0;
}

void hf_batch_stats(hf_batch *b, hanfold_stats *st)
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
