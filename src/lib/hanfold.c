/* The context: settings, converters and the buffers the stages reuse from
 * record to record, and the pipeline order of design.md. */
#include "hanfold.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "stages.h"

struct hanfold_ctx {
    hanfold_settings set;
    char *opencc_config;
    char *opencc_dir;      /* settings' opencc_dir, copied (NULL: OpenCC's) */
    hf_script *to_simp;   /* key and simplified target */
    hf_script *to_target; /* traditional targets */
    hf_script *custom;    /* --opencc-config */
    hf_decoder *dec;
    char dec_name[64];
    hf_buf a, b, tmp, text, key, dec_out;
    hf_buf furn; /* the text without repost furniture, for the key */
    unsigned furn_kinds; /* HF_FURNITURE_* left out of the key */
    hf_buf conv; /* a conversion before hf_script_merge() */
    hf_clausevec clauses;
    hf_u32vec tokens;
    hf_u64vec shingles, sketch;
    bool key_tokens; /* tokens holds the tokens of key (hf_fold_key_direct) */
    bool trad_direct; /* to_simp is HF_TO_SIMPLIFIED: HF_DIRECT_TRAD */
    enum hf_lines lines; /* of the record in hand: its line breaks are block
                          * ends when it was HTML (hf_unicode_clean()) */
    hanfold_stats stats;
    char err[512];
    char warn[256];     /* hanfold_ctx_warning() */
    uint64_t warn_line;
};

static int fail(hanfold_ctx *c, int e, const char *what);

void hanfold_settings_default(hanfold_settings *s)
{
    memset(s, 0, sizeof *s);
    s->target = HANFOLD_TO_SIMPLIFIED;
    s->html = HANFOLD_HTML_AUTO;
    s->repair_pinyin = true;
    s->drop_furniture = HANFOLD_FURNITURE_DEFAULT;
}

const char *hanfold_version(void)
{
    return HANFOLD_VERSION;
}

const char *hanfold_schema(void)
{
    return "hanfold-fp/1 key/2 simhash64-xxh3 3-gram bottom-128";
}

int hanfold_fingerprint(hanfold_ctx *c, const char *key, size_t len, hanfold_fp *fp)
{
    return hf_fingerprint(c, key, len, HF_FP_SKETCH | HF_FP_SIMHASH, fp);
}

int hanfold_fingerprint_parts(hanfold_ctx *c, const char *key, size_t len, unsigned parts, hanfold_fp *fp)
{
    return hf_fingerprint(c, key, len, parts & (HF_FP_SKETCH | HF_FP_SIMHASH), fp);
}

int hf_fingerprint(hanfold_ctx *c, const char *key, size_t len, unsigned what, hanfold_fp *fp)
{
    memset(fp, 0, sizeof *fp);
    /* The key the last hanfold_process() made, with its tokens made on the
     * way: not tokenized again. */
    bool have = c->key_tokens && key == c->key.p && len == c->key.len;
    if ((!have && hf_tokenize(key, len, &c->tokens)) ||
        hf_shingles(c->tokens.v, c->tokens.len, HANFOLD_SHINGLE_N, &c->shingles))
        return fail(c, -ENOMEM, "fingerprint");
    if (what & HF_FP_SIMHASH)
        fp->simhash = hf_simhash(c->shingles.v, c->shingles.len);
    fp->key_hash = hf_hash64(key, len, HF_SHINGLE_SEED);
    fp->key_tokens = c->tokens.len > UINT32_MAX ? UINT32_MAX : (uint32_t)c->tokens.len;
    if (c->tokens.len <= HANFOLD_SHORT_MAX) {
        /* a key of no tokens is short too: an empty array, never NULL
         * (NULL means "sketch only" to the codec, the rows and the
         * clusterer), whether or not this context has tokenized before:
         * otherwise an empty record's row depended on the records its
         * thread had seen (s: first, k: later) */
        static const uint32_t no_tokens[1];
        fp->tokens = c->tokens.v ? c->tokens.v : no_tokens;
        fp->ntokens = c->tokens.len;
        if (!(what & HF_FP_SKETCH))
            return 0;
    }
    if (c->sketch.cap < c->shingles.len) {
        uint64_t *v = realloc(c->sketch.v, c->shingles.len * sizeof *v);
        if (!v)
            return fail(c, -ENOMEM, "fingerprint");
        c->sketch.v = v;
        c->sketch.cap = c->shingles.len;
    }
    if (c->shingles.len)
        memcpy(c->sketch.v, c->shingles.v, c->shingles.len * sizeof *c->sketch.v);
    size_t n = hf_sort_unique(c->sketch.v, c->shingles.len);
    fp->sketch = c->sketch.v;
    fp->nsketch = n < HANFOLD_SKETCH_K ? n : HANFOLD_SKETCH_K;
    return 0;
}

int hanfold_fingerprint_from_sketch(hanfold_ctx *c, uint64_t simhash, uint32_t key_tokens,
                                    const uint64_t *sketch, size_t nsketch, uint64_t key_hash,
                                    hanfold_fp *fp)
{
    memset(fp, 0, sizeof *fp);
    if (c->sketch.cap < nsketch) {
        uint64_t *v = realloc(c->sketch.v, nsketch * sizeof *v);
        if (!v)
            return fail(c, -ENOMEM, "fingerprint");
        c->sketch.v = v;
        c->sketch.cap = nsketch;
    }
    if (nsketch)
        memcpy(c->sketch.v, sketch, nsketch * sizeof *sketch);
    size_t n = hf_sort_unique(c->sketch.v, nsketch);
    fp->simhash = simhash;
    fp->key_hash = key_hash;
    fp->key_tokens = key_tokens;
    fp->sketch = c->sketch.v;
    fp->nsketch = n < HANFOLD_SKETCH_K ? n : HANFOLD_SKETCH_K;
    return 0;
}

/* The conversion to simplified: data/hanfold-t2s.json, compiled in.  It is
 * tw2s (Taiwan variants such as 裡 and 着 as well; on the GSD pairs 983 vs
 * 953 identical keys for t2s) with Hong Kong forms first (衞 敍 枱, which
 * tw2s leaves) and a few entries of its own (data/README).  Its damage to
 * simplified text (么 -> 幺) is avoided by converting only clauses with
 * traditional characters and keeping their simplified-only ones
 * (emit_run()).  --script-only without a config stays OpenCC's tw2s. */
#define HF_TO_SIMPLIFIED "hanfold-t2s"
#define HF_SCRIPT_ONLY_DEFAULT "tw2s"

static const char *target_config(enum hanfold_target t)
{
    switch (t) {
    case HANFOLD_TO_TRADITIONAL: return "s2t";
    case HANFOLD_TO_TAIWAN: return "s2tw";
    case HANFOLD_TO_HONGKONG: return "s2hk";
    default: return NULL;
    }
}

int hanfold_ctx_new(hanfold_ctx **out, const hanfold_settings *s, char *errbuf, size_t errsz)
{
    char dummy[8];
    if (!errbuf) {
        errbuf = dummy;
        errsz = sizeof dummy;
    }
    errbuf[0] = '\0';
    *out = NULL;
    hanfold_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    hanfold_settings_default(&c->set);
    if (s)
        c->set = *s;
    int e = 0;
    if (c->set.opencc_dir && !(c->set.opencc_dir = c->opencc_dir = strdup(c->set.opencc_dir))) {
        e = -ENOMEM;
        goto fail;
    }
    if (c->set.opencc_config) {
        c->opencc_config = strdup(c->set.opencc_config);
        if (!c->opencc_config) {
            e = -ENOMEM;
            goto fail;
        }
        c->set.opencc_config = c->opencc_config;
        if ((e = hf_script_open(&c->custom, c->opencc_config, c->opencc_dir, errbuf, errsz)))
            goto fail;
    }
    c->furn_kinds = c->set.script_only ? 0 : c->set.drop_furniture & HANFOLD_FURNITURE_ALL;
    if (!c->set.script_only && (e = hf_script_open_builtin(&c->to_simp, HF_TO_SIMPLIFIED, errbuf, errsz)))
        goto fail;
    /* hf_key_unsafe[] was made for this conversion (data/gen-tables.py) */
    c->trad_direct = c->to_simp != NULL;
    const char *tc = target_config(c->set.target);
    if (tc && !c->custom && (e = hf_script_open(&c->to_target, tc, c->opencc_dir, errbuf, errsz)))
        goto fail;
    if (c->set.script_only && !c->custom &&
        (e = hf_script_open(&c->custom, tc ? tc : HF_SCRIPT_ONLY_DEFAULT, c->opencc_dir, errbuf, errsz)))
        goto fail;
    *out = c;
    return 0;
fail:
    hanfold_ctx_free(&c);
    return e;
}

void hanfold_ctx_free(hanfold_ctx **pc)
{
    if (!pc || !*pc)
        return;
    hanfold_ctx *c = *pc;
    hf_script_close(&c->to_simp);
    hf_script_close(&c->to_target);
    hf_script_close(&c->custom);
    hf_decoder_free(&c->dec);
    hf_buf_free(&c->a);
    hf_buf_free(&c->b);
    hf_buf_free(&c->tmp);
    hf_buf_free(&c->text);
    hf_buf_free(&c->key);
    hf_buf_free(&c->dec_out);
    hf_buf_free(&c->furn);
    hf_buf_free(&c->conv);
    free(c->clauses.v);
    free(c->tokens.v);
    free(c->shingles.v);
    free(c->sketch.v);
    free(c->opencc_config);
    free(c->opencc_dir);
    free(c);
    *pc = NULL;
}

const char *hanfold_ctx_error(const hanfold_ctx *c)
{
    return c->err;
}

const hanfold_stats *hanfold_ctx_stats(const hanfold_ctx *c)
{
    return &c->stats;
}

const char *hanfold_ctx_warning(const hanfold_ctx *c, uint64_t *line)
{
    if (line)
        *line = c->warn_line;
    return c->warn;
}

static bool clause_end(uint32_t c)
{
    switch (c) {
    case '\n': case ',': case ';': case '!': case '?': case ':':
    case 0x3001: case 0x3002: case 0xFF0C: case 0xFF1B: case 0xFF01: case 0xFF1F: case 0xFF1A:
        return true;
    }
    return false;
}

/* A run of clauses of convert_runs(): converted (conv_run 1) or as it is,
 * appended to out; with out NULL only counted.  same: how many characters
 * of the run exist only in the wanted script; when there are any, the
 * conversion is merged with the run so that they stay (hf_script_merge):
 * a clause that mixes the scripts holds them beside characters to convert
 * (那么這個 -> 那么这个, where tw2s alone gives 那幺这个). */
static int emit_run(hanfold_ctx *c, hf_script *conv, bool to_simp, int conv_run, size_t same, const char *s,
                    size_t n, hf_buf *out)
{
    int e = 0;
    if (!out)
        ;
    else if (conv_run != 1)
        e = hf_buf_append(out, s, n);
    else if (!same)
        e = hf_script_convert(conv, s, n, out);
    else {
        hf_buf_clear(&c->conv);
        if (!(e = hf_script_convert(conv, s, n, &c->conv)))
            e = hf_script_merge(s, n, c->conv.p ? c->conv.p : "", c->conv.len, to_simp ? 2 : 1, out);
    }
    if (!e)
        c->stats.converted_runs += conv_run == 1;
    return e;
}

/* Whether the script stage converts a clause with `other` characters that
 * exist only in the other script and `same` only in the wanted one: any
 * of the other script's, however few, since text mixed within a clause is
 * common (quoted traditional text, half-converted reposts: 这个軟體很好用);
 * the characters of the wanted script stay (emit_run()).  In a record that
 * has characters of the other script (mixed), so do characters that lean
 * to it (`lean`: 於 in 始建於979年).  A clause with none of these follows
 * the record (record_other). */
static int clause_converts(size_t other, size_t same, size_t lean, bool record_mixed, bool record_other)
{
    return other || (record_mixed && lean) ? 1 : same ? 0 : record_other;
}

/* Converts the clauses of s that are not all in the wanted script.  Script
 * is judged per clause by characters that exist in only one script; clauses
 * without such characters follow the record as a whole (the majority).
 * Correct text stays untouched (tw2s on simplified text turns 什么 into
 * 什幺), which also makes normalization idempotent.  With out NULL, only
 * counts the runs that would be converted. */
static int convert_runs_ref(hanfold_ctx *c, hf_script *conv, bool to_simp, const char *s, size_t n,
                            hf_buf *out)
{
    size_t tt, ts, lt, ls;
    hf_script_census(s, n, &tt, &ts);
    bool record_other = to_simp ? tt > ts : ts > tt, record_mixed = to_simp ? tt > 0 : ts > 0;
    if (!tt && !ts) {
        /* Nothing script-specific at all.  To simplified: leave it (tw2s
         * would turn 么 into 幺).  To traditional: convert, since neutral
         * characters such as 后, 干, 里 have traditional forms that only
         * the context decides (后面 -> 後面). */
        if (to_simp)
            return out ? hf_buf_append(out, s, n) : 0;
        record_other = true;
    }
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    const uint8_t *run = p;
    int run_conv = -1;
    size_t run_same = 0;
    while (p < end) {
        const uint8_t *cl = p;
        while (p < end) {
            uint32_t ch;
            int l = hf_utf8_next(p, (size_t)(end - p), &ch);
            if (l < 0)
                return -EILSEQ;
            p += l;
            if (clause_end(ch))
                break;
        }
        size_t t, m;
        hf_script_census_lean((const char *)cl, (size_t)(p - cl), &t, &m, &lt, &ls);
        size_t other = to_simp ? t : m, same = to_simp ? m : t;
        int conv_this = clause_converts(other, same, to_simp ? lt : ls, record_mixed, record_other);
        if (run_conv >= 0 && conv_this != run_conv) {
            int e = emit_run(c, conv, to_simp, run_conv, run_same, (const char *)run, (size_t)(cl - run), out);
            if (e)
                return e;
            run = cl;
            run_same = 0;
        }
        run_conv = conv_this;
        run_same += same;
    }
    return p > run ? emit_run(c, conv, to_simp, run_conv, run_same, (const char *)run, (size_t)(p - run), out)
                   : 0;
}

/* convert_runs() on the clauses of s in c->clauses, with the totals tt and
 * ts of their census. */
static int clause_runs(hanfold_ctx *c, hf_script *conv, bool to_simp, const char *s, size_t n,
                       size_t tt, size_t ts, hf_buf *out)
{
    int e;
    bool record_other = to_simp ? tt > ts : ts > tt, record_mixed = to_simp ? tt > 0 : ts > 0;
    if (!tt && !ts) {
        if (to_simp)
            return out ? hf_buf_append(out, s, n) : 0;
        record_other = true;
    }
    size_t run = 0, cl = 0, run_same = 0;
    int run_conv = -1;
    for (size_t i = 0; i < c->clauses.len; i++) {
        const hf_clause *k = &c->clauses.v[i];
        size_t other = to_simp ? k->trad : k->simp, same = to_simp ? k->simp : k->trad;
        int conv_this = clause_converts(other, same, to_simp ? k->lean_trad : k->lean_simp, record_mixed,
                                        record_other);
        if (run_conv >= 0 && conv_this != run_conv) {
            if ((e = emit_run(c, conv, to_simp, run_conv, run_same, s + run, cl - run, out)))
                return e;
            run = cl;
            run_same = 0;
        }
        run_conv = conv_this;
        run_same += same;
        cl = k->end;
    }
    return n > run ? emit_run(c, conv, to_simp, run_conv, run_same, s + run, n - run, out) : 0;
}

/* convert_runs_ref() with one census pass: the clauses and their counts are
 * taken together, and the record's totals are their sums. */
static int convert_runs(hanfold_ctx *c, hf_script *conv, bool to_simp, const char *s, size_t n,
                        hf_buf *out)
{
    if (c->set.reference_path)
        return convert_runs_ref(c, conv, to_simp, s, n, out);
    size_t tt, ts;
    int e = hf_script_clauses(s, n, true, &c->clauses, &tt, &ts);
    return e ? e : clause_runs(c, conv, to_simp, s, n, tt, ts, out);
}

static int fail(hanfold_ctx *c, int e, const char *what)
{
    snprintf(c->err, sizeof c->err, "%s: %s", what, strerror(-e));
    return e;
}

/* The stages alternate between two buffers: the one not holding cur. */
static hf_buf *scratch(hanfold_ctx *c, const char *cur)
{
    return cur && cur == c->a.p ? &c->b : &c->a;
}

/* *cur without the characters the unicode stage drops (in the scratch
 * buffer, when it has any), for the repairs that come before that stage:
 * a reading or a run of mojibake that such a character interrupts would
 * otherwise be repaired only by a second normalization, once the unicode
 * stage had dropped it, and normalized text is to be a fixed point. */
static int visible(hanfold_ctx *c, const char **cur, size_t *len)
{
    if (!hf_unicode_has_invisible(*cur, *len))
        return 0;
    hf_buf *dst = scratch(c, *cur);
    hf_buf_clear(dst);
    int e = hf_unicode_drop_invisible(*cur, *len, dst);
    if (e)
        return fail(c, e, "unicode");
    *cur = dst->p ? dst->p : "";
    *len = dst->len;
    return 0;
}

/* The pinyin repair of *cur into the scratch buffer; *cur moves there only
 * when a reading was removed.  *removed: how many.  A reading found
 * (hf_repair_pinyin_possible()) is read without invisible characters: call
 * visible() first. */
static int repair_pinyin(hanfold_ctx *c, const char **cur, size_t *len, size_t *removed)
{
    int e;
    hf_buf *dst = scratch(c, *cur);
    hf_buf_clear(dst);
    e = hf_repair_pinyin(*cur, *len, dst, removed, c->set.reference_path);
    if (e)
        return fail(c, e, "repair");
    c->stats.pinyin_removed += *removed;
    if (*removed) {
        *cur = dst->p;
        *len = dst->len;
    }
    return 0;
}

/* Hands out the results of hanfold_process(). */
static int finish(hanfold_ctx *c, unsigned want, hanfold_result *res)
{
    /* results are handed out NUL-terminated, even when empty */
    if (hf_buf_reserve(&c->text, 0) || hf_buf_reserve(&c->key, 0))
        return fail(c, -ENOMEM, "output");
    c->text.p[c->text.len] = '\0';
    c->key.p[c->key.len] = '\0';
    if (want & HANFOLD_WANT_TEXT) {
        res->text = c->text.p;
        res->text_len = c->text.len;
    }
    if (want & HANFOLD_WANT_KEY) {
        res->key = c->key.p;
        res->key_len = c->key.len;
    }
    return 0;
}

/* After hf_fold_key_direct() made the key: with a traditional-only
 * character in the text, the runs the script stage would have converted are
 * counted all the same (converting them could not change the key, see
 * stages.h).  When line breaks are joined as layout (HF_LINES_JOIN), the
 * unicode stage changes nothing that matters to the count in such text (line breaks become spaces; spaces and
 * quotation marks neither end a clause nor count in the census) but for
 * dropping trailing whitespace, which here makes a last clause of its own,
 * so the clauses are taken from the text as it is, without line breaks,
 * and a blank last one is left out. */
static int direct_done(hanfold_ctx *c, const char *cur, size_t len, unsigned seen, unsigned want,
                       hanfold_result *res)
{
    int e;
    if (!(seen & HF_SEEN_TRAD))
        return finish(c, want, res);
    /* HTML text joined: a block boundary may become 。, which ends a clause */
    if (c->lines != HF_LINES_JOIN) {
        hf_buf *dst = scratch(c, cur);
        hf_buf_clear(dst);
        if ((e = hf_unicode_clean(cur, len, HF_PUNCT_SIMPLIFIED, c->lines, dst, &c->tmp, c->set.reference_path)))
            return fail(c, e, "unicode");
        if ((e = convert_runs(c, c->to_simp, true, dst->p ? dst->p : "", dst->len, NULL)))
            return fail(c, e, "script");
        return finish(c, want, res);
    }
    size_t tt, ts;
    if ((e = hf_script_clauses(cur, len, false, &c->clauses, &tt, &ts)))
        return fail(c, e, "script");
    hf_clausevec *k = &c->clauses;
    size_t start = k->len > 1 ? k->v[k->len - 2].end : 0;
    if (k->len && hf_unicode_blank(cur + start, len - start))
        k->len--;
    if ((e = clause_runs(c, c->to_simp, true, cur, len, tt, ts, NULL)))
        return fail(c, e, "script");
    return finish(c, want, res);
}

/* hf_fold_key_direct() of cur without its furniture, into c->key (its
 * return value, or -ENOMEM).  With furniture left out, *seen also says
 * suspect and traditional characters, so that the counts are taken of cur
 * as a whole (the furniture may have held such characters). */
static int direct_without_furniture(hanfold_ctx *c, const char *cur, size_t len, unsigned opts,
                                    unsigned *seen)
{
    size_t found;
    hf_buf_clear(&c->furn);
    int e = hf_furniture_strip(cur, len, c->furn_kinds, &c->furn, &found);
    if (e)
        return e;
    hf_buf_clear(&c->key);
    e = hf_fold_key_direct(c->furn.p ? c->furn.p : "", c->furn.len, &c->key, &c->tmp, &c->tokens, opts,
                           &c->key_tokens, seen);
    if (e == 0 && found)
        *seen |= HF_SEEN_SUSPECT | HF_SEEN_TRAD;
    return e;
}

/* The unicode and script stages: the readable text of s (repaired) in
 * out, through tmp (a scratch buffer not holding s). */
static int readable(hanfold_ctx *c, const char *s, size_t n, hf_buf *tmp, hf_buf *out)
{
    int e;
    hf_buf_clear(tmp);
    hf_buf_clear(out);
    enum hf_punct punct = c->set.target == HANFOLD_TO_SIMPLIFIED ? HF_PUNCT_SIMPLIFIED : HF_PUNCT_TRADITIONAL;
    if ((e = hf_unicode_clean(s, n, punct, c->lines, tmp, &c->tmp, c->set.reference_path)))
        return fail(c, e, "unicode");
    const char *t = tmp->p ? tmp->p : "";
    if (c->custom)
        e = hf_script_convert(c->custom, t, tmp->len, out);
    else if (c->to_target)
        e = convert_runs(c, c->to_target, false, t, tmp->len, out);
    else
        e = convert_runs(c, c->to_simp, true, t, tmp->len, out);
    return e ? fail(c, e, "script") : 0;
}

/* The key of readable text t, always made from simplified script, into
 * c->key (tmp: a scratch buffer not holding t). */
static int key_of_text(hanfold_ctx *c, const char *t, size_t n, hf_buf *tmp)
{
    int e;
    if (c->to_target || c->custom) {
        hf_buf_clear(tmp);
        e = c->to_simp ? convert_runs(c, c->to_simp, true, t, n, tmp) : hf_buf_append(tmp, t, n);
        if (e)
            return fail(c, e, "script");
        t = tmp->p ? tmp->p : "";
        n = tmp->len;
    }
    /* the key-alone path may have made a key of the whole text */
    hf_buf_clear(&c->key);
    if ((e = hf_fold_key(t, n, &c->key, &c->tmp, &c->tokens, &c->key_tokens, c->set.reference_path)))
        return fail(c, e, "key");
    return 0;
}

int hanfold_process(hanfold_ctx *c, const char *in, size_t n, unsigned want, hanfold_result *res)
{
    int e;
    memset(res, 0, sizeof *res);
    c->err[0] = '\0';
    c->warn[0] = '\0';
    c->warn_line = 0;
    c->key_tokens = false;
    c->stats.records++;
    hf_buf_clear(&c->text);
    hf_buf_clear(&c->key);
    const char *cur = in;
    size_t len = n;
    c->lines = c->set.keep_lines ? HF_LINES_KEEP : HF_LINES_JOIN;

    if (c->set.script_only) {
        if ((e = hf_script_convert(c->custom, cur, len, &c->text)))
            return fail(c, e, "script");
        if ((want & HANFOLD_WANT_KEY) && (e = key_of_text(c, c->text.p ? c->text.p : "", c->text.len, &c->a)))
            return e;
        return finish(c, want, res);
    }
    if (c->set.html == HANFOLD_HTML_ON || (c->set.html == HANFOLD_HTML_AUTO && hf_markup_detect(cur, len))) {
        hf_buf_clear(&c->a);
        hf_markup_note note;
        if ((e = hf_markup_to_text(cur, len, &c->a, &note)))
            return fail(c, e, "markup");
        c->stats.html_records++;
        c->stats.html_flattened += note.flattened != 0;
        c->stats.html_cut += note.cut;
        c->warn_line = hf_markup_describe(&note, c->warn, sizeof c->warn);
        if (!c->set.keep_lines)
            c->lines = HF_LINES_BLOCKS;
        cur = c->a.p ? c->a.p : "";
        len = c->a.len;
    }
    /* Only the key, and neither the unicode stage nor the script stage can
     * change it: the key is made from the text as it is (after the pinyin
     * repair, when the key's pass meets a parenthesis that can open a
     * reading), the mojibake count, which is of the text before the
     * repairs, is taken only if that text has a character that can make it
     * count, and the converted runs are counted only if it has a
     * traditional-only character. */
    bool key_alone = want == HANFOLD_WANT_KEY && !c->custom && !c->to_target;
    const unsigned opts = (c->trad_direct ? HF_DIRECT_TRAD : 0) | (c->set.reference_path ? HF_DIRECT_REF : 0);
    unsigned seen;
    bool counted = false, pinyin_done = false;
    if (key_alone && !c->set.repair_mojibake) {
        key_alone = false; /* no second try below */
        const char *orig = cur;
        size_t orig_len = len, removed = 0;
        /* the key of the text as it is, whose pass also tells whether the
         * text has the characters furniture needs: most records have
         * none, and are read once */
        e = hf_fold_key_direct(cur, len, &c->key, &c->tmp, &c->tokens,
                               opts | (c->set.repair_pinyin ? HF_DIRECT_READINGS : 0), &c->key_tokens, &seen);
        if (e >= 0 && (e == 0 ? hf_furniture_possible_seen(cur, len, c->furn_kinds, seen)
                              : hf_furniture_possible(cur, len, c->furn_kinds))) {
            /* readings first (furniture may hold them), then the key of the
             * text without its furniture */
            if (c->set.repair_pinyin && hf_repair_pinyin_possible(cur, len)) {
                if ((e = visible(c, &cur, &len)) || (e = repair_pinyin(c, &cur, &len, &removed)))
                    return e;
                pinyin_done = true;
            }
            e = direct_without_furniture(c, cur, len, opts, &seen);
        } else if (e == 2) {
            /* a parenthesis after a Han character: repaired first */
            if ((e = visible(c, &cur, &len)) || (e = repair_pinyin(c, &cur, &len, &removed)))
                return e;
            pinyin_done = true;
            e = hf_fold_key_direct(cur, len, &c->key, &c->tmp, &c->tokens, opts, &c->key_tokens, &seen);
            /* the repair can make furniture ([蠟(là)燭(zhú)]) */
            if (e == 0 && hf_furniture_possible_seen(cur, len, c->furn_kinds, seen))
                e = direct_without_furniture(c, cur, len, opts, &seen);
        }
        if (e < 0)
            return fail(c, e, "key");
        /* seen is of the repaired text: a reading removed may have held
         * the suspect characters */
        if (e == 0 && !(seen & HF_SEEN_SUSPECT) && !removed)
            return direct_done(c, cur, len, seen, want, res);
        if (c->set.count_mojibake)
            c->stats.mojibake_runs += hf_repair_count_mojibake(orig, orig_len, false, c->set.reference_path);
        if (e == 0)
            return direct_done(c, cur, len, seen, want, res);
        counted = true;
    }
    /* Mojibake first: a repaired run can expose pinyin readings that now
     * follow a Han character (J(rèn) -> 認(rèn)). */
    if (!counted && !c->set.repair_mojibake && c->set.count_mojibake)
        c->stats.mojibake_runs += hf_repair_count_mojibake(cur, len, false, c->set.reference_path);
    /* the repairs read the text without invisible characters (dropping
     * them leaves hf_repair_pinyin_possible()'s answer as it is) */
    bool readings = c->set.repair_pinyin && !pinyin_done && hf_repair_pinyin_possible(cur, len);
    if ((c->set.repair_mojibake || readings) && (e = visible(c, &cur, &len)))
        return e;
    if (c->set.repair_mojibake) {
        /* what is repaired is what hf_repair_count_mojibake(all) counts */
        size_t repaired = 0;
        hf_buf *dst = scratch(c, cur);
        hf_buf_clear(dst);
        if ((e = hf_repair_mojibake(cur, len, dst, &repaired, c->set.reference_path)))
            return fail(c, e, "repair");
        c->stats.mojibake_runs += repaired;
        c->stats.mojibake_repaired += repaired;
        cur = dst->p ? dst->p : "";
        len = dst->len;
        /* a repaired run can expose readings */
        if (repaired)
            readings = c->set.repair_pinyin && !pinyin_done && hf_repair_pinyin_possible(cur, len);
    }
    if (c->set.repair_pinyin && !pinyin_done && (c->set.reference_path || readings)) {
        size_t removed = 0;
        if ((e = repair_pinyin(c, &cur, &len, &removed)))
            return e;
    }
    /* with furniture the key is made of the text without it */
    bool furn = (want & HANFOLD_WANT_KEY) && hf_furniture_possible(cur, len, c->furn_kinds);
    if (key_alone && !furn) {
        /* as above, after the repairs */
        e = hf_fold_key_direct(cur, len, &c->key, &c->tmp, &c->tokens, opts, &c->key_tokens, &seen);
        if (e < 0)
            return fail(c, e, "key");
        if (e == 0)
            return direct_done(c, cur, len, seen, want, res);
    }
    if (furn) {
        size_t found;
        hf_buf_clear(&c->furn);
        if ((e = hf_furniture_strip(cur, len, c->furn_kinds, &c->furn, &found)))
            return fail(c, e, "furniture");
    }
    if ((e = readable(c, cur, len, scratch(c, cur), &c->text)))
        return e;
    if (!(want & HANFOLD_WANT_KEY))
        return finish(c, want, res);
    if (furn) {
        /* through the same stages, counted nothing (the readable text was);
         * the scratch buffers are free now */
        hanfold_stats saved = c->stats;
        e = readable(c, c->furn.p ? c->furn.p : "", c->furn.len, &c->a, &c->b);
        if (!e)
            e = key_of_text(c, c->b.p ? c->b.p : "", c->b.len, &c->a);
        c->stats = saved;
    } else {
        e = key_of_text(c, c->text.p ? c->text.p : "", c->text.len, &c->a);
    }
    return e ? e : finish(c, want, res);
}

int hanfold_decode(hanfold_ctx *c, const void *bytes, size_t len, const char *charset,
                   const char **out, size_t *outlen, size_t *invalid)
{
    int e;
    hf_buf_clear(&c->dec_out);
    *invalid = 0;
    if (!charset || !strcasecmp(charset, "UTF-8") || !strcasecmp(charset, "UTF8")) {
        e = hf_decode_utf8(bytes, len, &c->dec_out, invalid, c->set.reference_path);
    } else {
        if (!c->dec || strcasecmp(c->dec_name, charset)) {
            hf_decoder_free(&c->dec);
            if ((e = hf_decoder_new(&c->dec, charset))) {
                snprintf(c->err, sizeof c->err, "unknown encoding '%s'", charset);
                return e;
            }
            snprintf(c->dec_name, sizeof c->dec_name, "%s", charset);
        }
        e = hf_decoder_run(c->dec, bytes, len, &c->dec_out, invalid);
    }
    if (!e)
        e = hf_buf_reserve(&c->dec_out, 0);
    if (e)
        return fail(c, e, "decode");
    c->dec_out.p[c->dec_out.len] = '\0';
    *out = c->dec_out.p;
    *outlen = c->dec_out.len;
    return 0;
}

const char *hanfold_detect_charset(const void *sample, size_t len, bool html, size_t *bom_len)
{
    static const struct { const char *alias, *name; } canon[] = {
        {"utf-8", "UTF-8"}, {"utf8", "UTF-8"}, {"gb2312", "GB18030"}, {"gbk", "GB18030"},
        {"gb18030", "GB18030"}, {"x-gbk", "GB18030"}, {"big5", "BIG5-HKSCS"},
        {"big5-hkscs", "BIG5-HKSCS"},
    };
    *bom_len = 0;
    const char *b = hf_decode_bom(sample, len, bom_len);
    if (b)
        return b;
    /* what the bytes prove wins over what a page says about itself */
    if (hf_decode_proves_utf8(sample, len))
        return "UTF-8";
    char name[64];
    if (html && hf_decode_meta_charset(sample, len, name, sizeof name)) {
        /* HTML5: a <meta> naming UTF-16 means UTF-8, since the page could
         * not have been read as UTF-16 to find it */
        if (!strncasecmp(name, "utf-16", 6))
            return "UTF-8";
        for (size_t i = 0; i < sizeof canon / sizeof canon[0]; i++)
            if (!strcasecmp(name, canon[i].alias))
                return canon[i].name;
    }
    const char *d = hf_decode_detect(sample, len);
    return d ? d : "UTF-8";
}
