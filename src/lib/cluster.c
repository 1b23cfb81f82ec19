/* index, verification and clusters stages.
 *
 * Candidates: every indexed record is entered in an inverted index under its
 * bottom-8 shingle hashes (HANFOLD_INDEX_POSTED; all of them when it has
 * fewer), and a record looks up its bottom-16 (HANFOLD_INDEX_B).  An earlier
 * record R is found when enough of its 8 smallest hashes are among the 16
 * smallest of the later record Q: when most of R's shingles are in Q, R's
 * smallest hashes are among Q's smallest too (Broder 1997; the argument of
 * prefix filtering, Xiao et al. 2008).  See fingerprint.h for the rules and
 * the numbers behind them.
 *
 * Verification: near-duplicate reposts differ by insertions and deletions
 * (prefixes, suffixes, punctuation, a dropped word), different texts by
 * substitutions.  For keys short enough to keep, the measure is therefore
 * the longest common subsequence of the token sequences over the length of
 * the shorter one, with a guard on the length ratio; it separates the
 * IDC AR/VR headlines (0.94) from 民间故事：水分/水平 (0.83) where no
 * n-gram Jaccard can.  Long records keep only a bottom-k sketch and are
 * compared by estimated 3-gram Jaccard, which on long documents leaves a
 * wide gap (dev sets: matching chapters >= 0.52, others <= 0.06).
 *
 * Clusters: by default a record joins the most similar earlier cluster
 * representative (the cluster's first record), so clusters never chain
 * through intermediate records; single linkage unites every verified pair. */
#include "hanfold.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"

#define NONE UINT32_MAX

/* Open addressing with linear probing, at most half full.  Serves the
 * exact-key table (key hash -> slot) and the inverted index (shingle hash
 * -> head of its posting chain, with the chain's length in aux). */
typedef struct u64map {
    uint64_t *keys;
    uint32_t *vals;   /* NONE marks an empty slot */
    uint32_t *aux;
    size_t size, used;
} u64map;

typedef struct rec {
    uint32_t number;    /* the record's number in input order */
    uint32_t *tokens;   /* short records only */
    uint64_t *sketch;   /* long records only: bottom-K */
    uint32_t ntokens;
    uint32_t nsketch;
    uint32_t nindexed;  /* sketch entries entered in the index */
} rec;

struct hanfold_clusterer {
    hanfold_cluster_settings set;
    uint32_t posting_cap;  /* hf_posting_cap() */
    uint32_t n;            /* records added */
    uint32_t *cluster;     /* per record: its cluster's first record (not when streaming) */
    size_t cap;
    /* Indexed records ("slots"): the representatives, or every record with
     * single linkage.  Postings, the exact-key table and the seen stamps
     * refer to slots, so a record that joins a cluster costs nothing when
     * streaming. */
    rec *recs;
    uint32_t *seen;        /* per slot: stamp of the last query that saw it */
    uint32_t *shared;      /* per slot: indexed shingles shared with the query */
    size_t nslots, slots_cap;
    /* inverted index: shingle hash -> head of a posting chain (aux: length) */
    u64map index;
    struct { uint32_t rec, next; } *post;
    size_t npost, post_cap;
    /* exact keys: hash of the whole key -> slot of its first record */
    u64map exact;
    /* union-find parent for single linkage */
    uint32_t *parent;
    /* per query scratch */
    uint32_t stamp;
    uint32_t *cand;
    size_t ncand, cand_cap;
    /* bit-parallel LCS masks for the query */
    uint64_t *masks;
    uint32_t *mtok;
    size_t msize, mwords, mcap;
    uint64_t *v, *u, *t1;
    size_t vcap;
};

static void map_free(u64map *m);

void hanfold_cluster_settings_default(hanfold_cluster_settings *s)
{
    memset(s, 0, sizeof *s);
    s->threshold = HANFOLD_DEFAULT_THRESHOLD;
    s->long_threshold = HANFOLD_DEFAULT_LONG_THRESHOLD;
    s->jaccard_threshold = HANFOLD_DEFAULT_JACCARD_THRESHOLD;
    s->min_ratio = HANFOLD_DEFAULT_MIN_RATIO;
    s->linkage = HANFOLD_LINKAGE_REPRESENTATIVE;
}

int hanfold_clusterer_new(hanfold_clusterer **out, const hanfold_cluster_settings *s)
{
    hanfold_clusterer *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    if (s)
        c->set = *s;
    else
        hanfold_cluster_settings_default(&c->set);
    if (c->set.streaming && c->set.linkage == HANFOLD_LINKAGE_SINGLE) {
        free(c);
        return -EINVAL;
    }
    c->posting_cap = hf_posting_cap();
    *out = c;
    return 0;
}

void hanfold_clusterer_free(hanfold_clusterer **pc)
{
    if (!pc || !*pc)
        return;
    hanfold_clusterer *c = *pc;
    for (size_t i = 0; i < c->nslots; i++) {
        free(c->recs[i].tokens);
        free(c->recs[i].sketch);
    }
    free(c->recs);
    free(c->cluster);
    map_free(&c->index);
    map_free(&c->exact);
    free(c->post);
    free(c->shared);
    free(c->parent);
    free(c->seen);
    free(c->cand);
    free(c->masks);
    free(c->mtok);
    free(c->v);
    free(c->u);
    free(c->t1);
    free(c);
    *pc = NULL;
}

uint32_t hf_posting_cap(void)
{
    const char *e = getenv("HANFOLD_POSTING_CAP");
    if (e && *e) {
        char *end;
        unsigned long v = strtoul(e, &end, 10);
        if (!*end && v >= 1 && v <= HF_POSTING_CAP)
            return (uint32_t)v;
    }
    return HF_POSTING_CAP;
}

static inline uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* ---- hash map: 64-bit key -> 32-bit value (and a second 32-bit field) -------- */


static void map_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
    free(m->aux);
    memset(m, 0, sizeof *m);
}

/* The slot holding key, or the empty slot where it would go (size > 0). */
static size_t map_slot(const u64map *m, uint64_t key)
{
    size_t j = mix(key) & (m->size - 1);
    while (m->vals[j] != NONE && m->keys[j] != key)
        j = (j + 1) & (m->size - 1);
    return j;
}

/* Makes room for one more key. */
static int map_reserve(u64map *m, size_t initial)
{
    if ((m->used + 1) * 2 <= m->size)
        return 0;
    u64map n = {0};
    n.size = m->size ? m->size * 2 : initial;
    n.keys = calloc(n.size, sizeof *n.keys);
    n.vals = malloc(n.size * sizeof *n.vals);
    n.aux = calloc(n.size, sizeof *n.aux);
    if (!n.keys || !n.vals || !n.aux) {
        map_free(&n);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n.size; i++)
        n.vals[i] = NONE;
    for (size_t i = 0; i < m->size; i++) {
        if (m->vals[i] == NONE)
            continue;
        size_t j = map_slot(&n, m->keys[i]);
        n.keys[j] = m->keys[i];
        n.vals[j] = m->vals[i];
        n.aux[j] = m->aux[i];
    }
    n.used = m->used;
    map_free(m);
    *m = n;
    return 0;
}

/* ---- exact-key table ------------------------------------------------------ */

static uint32_t xfind(const hanfold_clusterer *c, uint64_t h)
{
    return c->exact.size ? c->exact.vals[map_slot(&c->exact, h)] : NONE;
}

static int xinsert(hanfold_clusterer *c, uint64_t h, uint32_t r)
{
    if (map_reserve(&c->exact, 1024))
        return -ENOMEM;
    size_t j = map_slot(&c->exact, h);
    if (c->exact.vals[j] == NONE) {
        c->exact.keys[j] = h;
        c->exact.vals[j] = r;
        c->exact.used++;
    }
    return 0;
}

/* ---- inverted index ------------------------------------------------------- */

static int index_add(hanfold_clusterer *c, uint64_t key, uint32_t r)
{
    if (map_reserve(&c->index, 4096))
        return -ENOMEM;
    if (c->npost == c->post_cap) {
        size_t nc = c->post_cap ? c->post_cap * 2 : 4096;
        void *p = realloc(c->post, nc * sizeof *c->post);
        if (!p)
            return -ENOMEM;
        c->post = p;
        c->post_cap = nc;
    }
    if (c->npost >= NONE)
        return -EOVERFLOW;
    size_t j = map_slot(&c->index, key);
    if (c->index.vals[j] == NONE) {
        c->index.keys[j] = key;
        c->index.aux[j] = 0;
        c->index.used++;
    }
    c->index.aux[j]++;
    c->post[c->npost].rec = r;
    c->post[c->npost].next = c->index.vals[j];
    c->index.vals[j] = (uint32_t)c->npost++;
    return 0;
}

/* Head of the posting chain of key, NONE if absent or if the chain is
 * longer than HF_POSTING_CAP: a shingle that common (a boilerplate phrase
 * such as 转发微博) says nothing about which records are near-duplicates, and
 * following it would make clustering quadratic.  Records that share only
 * such shingles are not near-duplicates unless identical, which the exact-key
 * table finds. */
static uint32_t index_head(const hanfold_clusterer *c, uint64_t key)
{
    if (!c->index.size)
        return NONE;
    size_t j = map_slot(&c->index, key);
    return c->index.aux[j] > c->posting_cap ? NONE : c->index.vals[j];
}

/* ---- verification ---------------------------------------------------------- */

/* Builds the match masks of the query tokens for bit-parallel LCS
 * (Allison and Dix 1986; Hyyrö 2004). */
static int lcs_prepare(hanfold_clusterer *c, const uint32_t *a, size_t m)
{
    size_t words = (m + 63) / 64;
    size_t size = 16;
    while (size < 2 * m)
        size *= 2;
    if (size * words > c->mcap) {
        free(c->masks);
        c->masks = malloc(size * words * sizeof *c->masks);
        if (!c->masks) {
            c->mcap = 0;
            return -ENOMEM;
        }
        c->mcap = size * words;
    }
    uint32_t *mt = realloc(c->mtok, size * sizeof *mt);
    if (!mt)
        return -ENOMEM;
    c->mtok = mt;
    if (words > c->vcap) {
        free(c->v);
        free(c->u);
        free(c->t1);
        c->v = malloc(words * sizeof *c->v);
        c->u = malloc(words * sizeof *c->u);
        c->t1 = malloc(words * sizeof *c->t1);
        if (!c->v || !c->u || !c->t1) {
            c->vcap = 0;
            return -ENOMEM;
        }
        c->vcap = words;
    }
    for (size_t i = 0; i < size; i++)
        mt[i] = NONE;
    memset(c->masks, 0, size * words * sizeof *c->masks);
    c->msize = size;
    c->mwords = words;
    for (size_t i = 0; i < m; i++) {
        size_t j = mix(a[i]) & (size - 1);
        while (mt[j] != NONE && mt[j] != a[i])
            j = (j + 1) & (size - 1);
        mt[j] = a[i];
        c->masks[j * words + i / 64] |= 1ULL << (i % 64);
    }
    return 0;
}

static size_t lcs_run(hanfold_clusterer *c, size_t m, const uint32_t *b, size_t n)
{
    size_t words = c->mwords;
    uint64_t *v = c->v, *u = c->u;
    for (size_t w = 0; w < words; w++)
        v[w] = ~0ULL;
    for (size_t k = 0; k < n; k++) {
        size_t j = mix(b[k]) & (c->msize - 1);
        while (c->mtok[j] != NONE && c->mtok[j] != b[k])
            j = (j + 1) & (c->msize - 1);
        if (c->mtok[j] == NONE)
            continue; /* no match: V unchanged */
        const uint64_t *mask = c->masks + j * words;
        /* V' = (V + (V & M)) | (V & ~M), multiword with carry */
        unsigned carry = 0;
        for (size_t w = 0; w < words; w++) {
            uint64_t x = v[w] & mask[w];
            u[w] = v[w] & ~mask[w];
            uint64_t s = v[w] + x;
            unsigned c1 = s < v[w];
            uint64_t s2 = s + carry;
            unsigned c2 = s2 < s;
            carry = c1 | c2;
            v[w] = s2 | u[w];
        }
    }
    size_t zeros = 0;
    for (size_t w = 0; w < words; w++) {
        uint64_t x = ~v[w];
        if (w == words - 1 && m % 64)
            x &= (1ULL << (m % 64)) - 1;
        zeros += (size_t)__builtin_popcountll(x);
    }
    return zeros;
}

static double sketch_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, size_t k)
{
    /* bottom-k of the union, and how many of those are in both */
    size_t i = 0, j = 0, taken = 0, both = 0;
    while (taken < k && (i < na || j < nb)) {
        if (j >= nb || (i < na && a[i] < b[j])) {
            i++;
        } else if (i >= na || b[j] < a[i]) {
            j++;
        } else {
            i++;
            j++;
            both++;
        }
        taken++;
    }
    return taken ? (double)both / (double)taken : 0.0;
}

/* Numeric tokens (Latin/digit runs with a digit) of the shorter key must
 * all occur in the longer: templated sentences ("总面积55平方公里，人口2388人")
 * differ only in their numbers, reposts do not change them. */
static bool numbers_contained(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
    for (size_t i = 0; i < na; i++) {
        if ((a[i] & HF_TOKEN_NUMERIC) != HF_TOKEN_NUMERIC)
            continue;
        size_t need = 0, have = 0;
        for (size_t k = 0; k < na; k++)
            need += a[k] == a[i];
        for (size_t k = 0; k < nb; k++)
            have += b[k] == a[i];
        if (have < need)
            return false;
    }
    return true;
}

/* The verdict on a pair, the same for the clusterer and hanfold_pair_verify:
 * x is the earlier record as the index keeps it (tokens when short, a
 * sketch only when it has HANFOLD_SKETCH_MIN tokens or more), q the later.
 * c: a clusterer whose LCS masks hold q's tokens, or NULL to compute the
 * LCS afresh.  Returns 1 (duplicates), 0 (compared, not duplicates) or -1
 * (not comparable: *sim and *kind untouched); -ENOMEM. */
static int judge(hanfold_clusterer *c, const hanfold_cluster_settings *set, const hanfold_fp *x,
                 const hanfold_fp *q, double *simout, int *kindout)
{
    uint32_t la = q->key_tokens, lb = x->key_tokens;
    uint32_t lo = la < lb ? la : lb, hi = la < lb ? lb : la;
    if (!lo || (double)lo / hi < set->min_ratio)
        return -1;
    double sim, th;
    int kind;
    bool ok = true;
    if (q->tokens && x->tokens) {
        if (lo <= HANFOLD_TINY) {
            sim = la == lb && !memcmp(q->tokens, x->tokens, la * sizeof *x->tokens) ? 1.0 : 0.0;
            th = 1.0;
            kind = HANFOLD_PAIR_TINY;
        } else {
            size_t l = c ? lcs_run(c, la, x->tokens, lb) : hf_lcs(q->tokens, la, x->tokens, lb);
            if (l == SIZE_MAX)
                return -ENOMEM;
            sim = (double)l / lo;
            if (lo < HANFOLD_SHORT_TIER) {
                const uint32_t *sa = la <= lb ? q->tokens : x->tokens, *sb = la <= lb ? x->tokens : q->tokens;
                ok = numbers_contained(sa, lo, sb, hi);
                th = set->threshold;
                kind = HANFOLD_PAIR_SHORT;
            } else {
                th = set->long_threshold;
                kind = HANFOLD_PAIR_LONG;
            }
        }
    } else if (q->nsketch && x->sketch && lb >= HANFOLD_SKETCH_MIN && la >= HANFOLD_SKETCH_MIN) {
        sim = sketch_jaccard(q->sketch, q->nsketch, x->sketch, x->nsketch, HANFOLD_SKETCH_K);
        th = set->jaccard_threshold;
        kind = HANFOLD_PAIR_JACCARD;
    } else {
        return -1;
    }
    *simout = sim;
    *kindout = kind;
    return ok && sim >= th;
}

/* Similarity of the query to indexed record r if they are near-duplicates,
 * or -1 (-2: out of memory).  Every comparison actually made is also
 * reported to on_pair with its raw similarity, for histograms and
 * calibration. */
static double verify(hanfold_clusterer *c, const hanfold_fp *q, bool q_prepared, uint32_t r,
                     uint32_t me)
{
    const rec *x = &c->recs[r];
    hanfold_fp xf = {
        .key_tokens = x->ntokens,
        .tokens = x->tokens,
        .ntokens = x->tokens ? x->ntokens : 0,
        .sketch = x->sketch,
        .nsketch = x->nsketch,
    };
    double sim;
    int kind;
    int v = judge(q_prepared ? c : NULL, &c->set, &xf, q, &sim, &kind);
    if (v < 0)
        return v == -1 ? -1 : -2;
    if (c->set.on_pair)
        c->set.on_pair(c->set.on_pair_ud, x->number, me, sim, kind, v == 1);
    return v == 1 ? sim : -1;
}

int hf_pair_verify_with(hanfold_clusterer *c, const hanfold_fp *earlier, const hanfold_fp *later,
                        bool later_prepared, double *sim, int *kind)
{
    if (!later_prepared && later->tokens && lcs_prepare(c, later->tokens, later->ntokens))
        return -ENOMEM;
    hanfold_fp x = *earlier;
    if (x.key_tokens < HANFOLD_SKETCH_MIN)
        x.sketch = NULL;
    return judge(later->tokens ? c : NULL, &c->set, &x, later, sim, kind);
}

int hanfold_pair_verify(const hanfold_cluster_settings *set, const hanfold_fp *earlier,
                        const hanfold_fp *later, double *sim, int *kind)
{
    hanfold_cluster_settings def;
    if (!set) {
        hanfold_cluster_settings_default(&def);
        set = &def;
    }
    /* the index keeps a sketch only for records of HANFOLD_SKETCH_MIN tokens or more */
    hanfold_fp x = *earlier;
    if (x.key_tokens < HANFOLD_SKETCH_MIN)
        x.sketch = NULL;
    return judge(NULL, set, &x, later, sim, kind);
}

static uint32_t find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

/* Makes record `number` a slot: copies what verification needs and enters
 * it in the index.  *slot receives its slot. */
static int keep(hanfold_clusterer *c, const hanfold_fp *q, uint32_t number, uint32_t *slot)
{
    if (c->nslots == c->slots_cap) {
        size_t nc = c->slots_cap ? c->slots_cap * 2 : 1024;
        rec *rs = realloc(c->recs, nc * sizeof *rs);
        if (!rs)
            return -ENOMEM;
        c->recs = rs;
        uint32_t *sn = realloc(c->seen, nc * sizeof *sn);
        if (!sn)
            return -ENOMEM;
        c->seen = sn;
        uint32_t *sh = realloc(c->shared, nc * sizeof *sh);
        if (!sh)
            return -ENOMEM;
        c->shared = sh;
        c->slots_cap = nc;
    }
    uint32_t r = (uint32_t)c->nslots;
    rec *x = &c->recs[r];
    memset(x, 0, sizeof *x);
    c->seen[r] = 0;
    c->nslots++; /* counted now so that free() releases partial copies */
    *slot = r;
    x->number = number;
    x->ntokens = q->key_tokens;
    if (q->tokens) {
        x->tokens = malloc(q->ntokens * sizeof *x->tokens + 1);
        if (!x->tokens)
            return -ENOMEM;
        memcpy(x->tokens, q->tokens, q->ntokens * sizeof *x->tokens);
    }
    if (q->key_tokens >= HANFOLD_SKETCH_MIN) {
        x->sketch = malloc(q->nsketch * sizeof *x->sketch + 1);
        if (!x->sketch)
            return -ENOMEM;
        memcpy(x->sketch, q->sketch, q->nsketch * sizeof *x->sketch);
        x->nsketch = (uint32_t)q->nsketch;
    }
    size_t nb = hf_posted(q->nsketch);
    x->nindexed = (uint32_t)nb;
    for (size_t i = 0; i < nb; i++) {
        int e = index_add(c, q->sketch[i], r);
        if (e)
            return e;
    }
    return 0;
}

/* Enters record me in the index (and, when its key is new, in the
 * exact-key table): it can be matched from now on. */
static int index_record(hanfold_clusterer *c, const hanfold_fp *q, uint32_t me, bool new_key)
{
    uint32_t slot;
    int e = keep(c, q, me, &slot);
    if (e)
        return e;
    if (new_key && xinsert(c, q->key_hash, slot))
        return -ENOMEM;
    return 0;
}

/* Numbers the next record: per-record arrays grow (unless streaming) and
 * the record starts as a cluster of its own. */
static int next_record(hanfold_clusterer *c, uint32_t *me)
{
    if (c->n == NONE - 1)
        return -EOVERFLOW;
    if (c->n == c->cap && !c->set.streaming) {
        size_t nc = c->cap ? c->cap * 2 : 1024;
        uint32_t *cl = realloc(c->cluster, nc * sizeof *cl);
        if (!cl)
            return -ENOMEM;
        c->cluster = cl;
        if (c->set.linkage == HANFOLD_LINKAGE_SINGLE) {
            uint32_t *p = realloc(c->parent, nc * sizeof *p);
            if (!p)
                return -ENOMEM;
            c->parent = p;
        }
        c->cap = nc;
    }
    *me = c->n++;
    if (c->cluster)
        c->cluster[*me] = *me;
    if (c->parent)
        c->parent[*me] = *me;
    return 0;
}

int hanfold_clusterer_add(hanfold_clusterer *c, const hanfold_fp *q, uint64_t *match, double *simout)
{
    uint32_t me;
    int e = next_record(c, &me);
    if (e)
        return e;
    *match = me;
    *simout = 1.0;
    /* An empty key (only punctuation, only markup) says nothing about the
     * text: such records are never merged. */
    if (q->key_tokens == 0)
        return 0;

    bool single = c->set.linkage == HANFOLD_LINKAGE_SINGLE;
    uint32_t best = NONE;
    double best_sim = -1;
    uint32_t exact = xfind(c, q->key_hash);
    if (exact != NONE && !single) {
        best = exact;
        best_sim = 1.0;
    } else {
        if (++c->stamp == 0) {
            memset(c->seen, 0, c->nslots * sizeof *c->seen);
            c->stamp = 1;
        }
        bool prepared = false;
        if (q->tokens) {
            if (lcs_prepare(c, q->tokens, q->ntokens))
                return -ENOMEM;
            prepared = true;
        }
        /* gather candidates with the number of indexed shingles they share */
        size_t nb = q->nsketch < HANFOLD_INDEX_B ? q->nsketch : HANFOLD_INDEX_B;
        c->ncand = 0;
        for (size_t i = 0; i < nb; i++) {
            for (uint32_t p = index_head(c, q->sketch[i]); p != NONE; p = c->post[p].next) {
                uint32_t r = c->post[p].rec;
                if (c->seen[r] != c->stamp) {
                    c->seen[r] = c->stamp;
                    c->shared[r] = 0;
                    if (c->ncand == c->cand_cap) {
                        size_t nc = c->cand_cap ? c->cand_cap * 2 : 256;
                        uint32_t *cd = realloc(c->cand, nc * sizeof *cd);
                        if (!cd)
                            return -ENOMEM;
                        c->cand = cd;
                        c->cand_cap = nc;
                    }
                    c->cand[c->ncand++] = r;
                }
                c->shared[r]++;
            }
        }
        for (size_t k = 0; k < c->ncand; k++) {
            uint32_t r = c->cand[k];
            if (c->shared[r] < hf_shared_needed(c->recs[r].nindexed, (uint32_t)nb))
                continue;
            double s = verify(c, q, prepared, r, me);
            if (s == -2)
                return -ENOMEM;
            if (s < 0)
                continue;
            if (single) {
                uint32_t a = find(c->parent, me), b = find(c->parent, c->recs[r].number);
                if (a != b)
                    c->parent[a > b ? a : b] = a < b ? a : b;
            }
            /* slots are in input order, so the lower slot is the earlier record */
            if (s > best_sim || (s == best_sim && r < best)) {
                best = r;
                best_sim = s;
            }
        }
    }
    if (best != NONE) {
        uint32_t number = c->recs[best].number;
        *match = number;
        *simout = best_sim;
        if (c->cluster)
            c->cluster[me] = c->cluster[number];
        if (!single)
            return 0; /* not indexed: only representatives are */
    }
    return index_record(c, q, me, exact == NONE);
}

uint64_t hanfold_clusterer_cluster_of(hanfold_clusterer *c, uint64_t i)
{
    if (i >= c->n || (!c->parent && !c->cluster))
        return UINT64_MAX;
    if (c->parent)
        return find(c->parent, (uint32_t)i);
    return c->cluster[i];
}

uint64_t hanfold_clusterer_count(const hanfold_clusterer *c)
{
    return c->n;
}

uint64_t hanfold_clusterer_indexed(const hanfold_clusterer *c)
{
    return c->nslots;
}

size_t hf_lcs(const uint32_t *a, size_t m, const uint32_t *b, size_t n)
{
    if (!m || !n)
        return 0;
    hanfold_clusterer t;
    memset(&t, 0, sizeof t);
    size_t r = lcs_prepare(&t, a, m) ? SIZE_MAX : lcs_run(&t, m, b, n);
    free(t.masks);
    free(t.mtok);
    free(t.v);
    free(t.u);
    free(t.t1);
    return r;
}

int hanfold_clusterer_add_rep(hanfold_clusterer *c, const hanfold_fp *q, uint64_t *number)
{
    uint32_t me;
    int e = next_record(c, &me);
    if (e)
        return e;
    *number = me;
    if (q->key_tokens == 0)
        return 0;
    return index_record(c, q, me, xfind(c, q->key_hash) == NONE);
}

double hanfold_pair_similarity(const hanfold_cluster_settings *set, const hanfold_fp *a,
                               const hanfold_fp *b, int *kind)
{
    hanfold_cluster_settings def;
    if (!set) {
        hanfold_cluster_settings_default(&def);
        set = &def;
    }
    uint32_t la = a->key_tokens, lb = b->key_tokens;
    uint32_t lo = la < lb ? la : lb, hi = la < lb ? lb : la;
    *kind = HANFOLD_PAIR_TINY;
    if (a->tokens && b->tokens) {
        *kind = lo <= HANFOLD_TINY ? HANFOLD_PAIR_TINY : lo < HANFOLD_SHORT_TIER ? HANFOLD_PAIR_SHORT
                                                                                 : HANFOLD_PAIR_LONG;
    } else {
        *kind = HANFOLD_PAIR_JACCARD;
    }
    /* what no threshold can link counts as 0 */
    if (!lo || (double)lo / hi < set->min_ratio)
        return 0.0;
    if (*kind == HANFOLD_PAIR_JACCARD)
        return a->nsketch && b->nsketch
                   ? sketch_jaccard(a->sketch, a->nsketch, b->sketch, b->nsketch, HANFOLD_SKETCH_K)
                   : 0.0;
    if (*kind == HANFOLD_PAIR_TINY)
        return la == lb && !memcmp(a->tokens, b->tokens, la * sizeof *a->tokens) ? 1.0 : 0.0;
    const uint32_t *sa = la <= lb ? a->tokens : b->tokens, *sb = la <= lb ? b->tokens : a->tokens;
    if (*kind == HANFOLD_PAIR_SHORT && !numbers_contained(sa, lo, sb, hi))
        return 0.0;
    size_t l = hf_lcs(a->tokens, la, b->tokens, lb);
    return l == SIZE_MAX ? -1.0 : (double)l / lo;
}
