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
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fingerprint.h"
#include "postings.h"

#define NONE UINT32_MAX

/* What verification needs of an indexed record (its "entry"): a header
 * (key hash 8 bytes, record number 4, key tokens 4, tokens kept 2, sketch
 * entries kept 1, bytes per token 1), the key's tokens (short records: 3
 * bytes each when all are below 2^24, as CJK code points are, else 4), the
 * bottom-k sketch (long records; from an 8-byte boundary).  Entries are
 * stored one after the other, each on a STORE_UNIT boundary, in memory or
 * in the spill file; a headline of 25 characters takes 96 bytes. */
#define HEAD_BYTES 20
#define STORE_UNIT 16
/* An entry's size in a byte: below 192, that many units; from 192, 3072
 * bytes and 64 more per step (the largest entry, a key of
 * HANFOLD_SHORT_MAX tokens with a sketch, is 5048 bytes: code 223). */
#define SIZE_SPLIT 192
static inline size_t size_bytes(uint8_t code)
{
    return code < SIZE_SPLIT ? (size_t)code * STORE_UNIT
                             : (size_t)SIZE_SPLIT * STORE_UNIT + (size_t)(code - SIZE_SPLIT) * 64;
}
static inline uint8_t size_code(size_t bytes)
{
    if (bytes <= (size_t)(SIZE_SPLIT - 1) * STORE_UNIT)
        return (uint8_t)((bytes + STORE_UNIT - 1) / STORE_UNIT);
    size_t over = bytes > (size_t)SIZE_SPLIT * STORE_UNIT ? bytes - (size_t)SIZE_SPLIT * STORE_UNIT : 0;
    return (uint8_t)(SIZE_SPLIT + (over + 63) / 64);
}
#define SKETCH_AT(nt, w) ((HEAD_BYTES + (size_t)(nt) * (w) + 7) & ~(size_t)7)
_Static_assert(SIZE_SPLIT + (SKETCH_AT(HANFOLD_SHORT_MAX, 4) + HANFOLD_SKETCH_K * 8 - SIZE_SPLIT * STORE_UNIT + 63) / 64 <=
                   UINT8_MAX,
               "entry sizes fit a byte");
_Static_assert(HANFOLD_SHORT_MAX <= UINT16_MAX && HANFOLD_SKETCH_K <= UINT8_MAX, "counts fit the header");
/* A slot's entry offset is its group's base plus the sizes of the slots
 * before it in the group. */
#define STORE_GROUP 16
/* With a spill file: entries kept in memory before they are written (for
 * tests, hanfold_cluster_settings.spill_memory sets it). */
#define STORE_MEMORY ((size_t)1 << 20)

struct hanfold_clusterer {
    hanfold_cluster_settings set;
    uint32_t posting_cap;  /* hanfold_posting_cap(&set) */
    uint32_t n;            /* records added */
    uint32_t *cluster;     /* per record: its cluster's first record (not when streaming) */
    size_t cap;
    /* Indexed records ("slots"): the representatives, or every record with
     * single linkage.  Postings and exact keys refer to slots, so a record
     * that joins a cluster costs nothing when streaming.  Per slot in
     * memory: the size of its entry (size_code), and a tag (how many
     * postings it has, and 4 bits of its key hash, which spare reading the
     * entry when an exact-key lookup finds the wrong key); per
     * STORE_GROUP slots the offset of the first one's entry, in units. */
    uint8_t *units, *tag;
    /* per slot: the class of its key's length (len_class), so that the
     * length ratio, which rules out most candidates of repost-heavy text
     * (7 in 10 on reposts of real posts), is checked without reading the
     * entry */
    uint8_t *lenc;
    uint32_t *base;
    size_t nslots, slots_cap;
    /* The entries: those before `flushed` (bytes) in the spill file, the
     * rest in mem. */
    int fd;
    char *mem;
    size_t mlen, memcap;
    uint64_t flushed;
    size_t memory;   /* STORE_MEMORY */
    char *rbuf;
    size_t rcap;
    /* shingle hash -> slots entered under it; key hash -> slot of its first record */
    hf_postings index, exact;
    uint32_t *scratch;
    size_t scratch_cap;
    /* union-find parent for single linkage */
    uint32_t *parent;
    /* per query scratch: candidate slots, one per shared shingle */
    uint32_t *cand, *ctmp;
    size_t ncand, cand_cap, ctmp_cap;
    hf_cand *el; /* the candidates that can match */
    size_t el_cap;
    /* bit-parallel LCS masks for the query */
    uint64_t *masks;
    uint32_t *mtok;
    size_t msize, mwords, mcap;
    uint64_t *v, *u, *t1;
    size_t vcap;
    uint32_t tokbuf[HANFOLD_SHORT_MAX]; /* an entry's tokens, unpacked */
};

void hanfold_cluster_settings_default(hanfold_cluster_settings *s)
{
    memset(s, 0, sizeof *s);
    s->threshold = HANFOLD_DEFAULT_THRESHOLD;
    s->long_threshold = HANFOLD_DEFAULT_LONG_THRESHOLD;
    s->jaccard_threshold = HANFOLD_DEFAULT_JACCARD_THRESHOLD;
    s->min_ratio = HANFOLD_DEFAULT_MIN_RATIO;
    s->linkage = HANFOLD_LINKAGE_SINGLE;
}

int hanfold_clusterer_new(hanfold_clusterer **out, const hanfold_cluster_settings *s)
{
    if (s && s->first_match && s->linkage == HANFOLD_LINKAGE_SINGLE)
        return -EINVAL;
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
    c->posting_cap = hanfold_posting_cap(&c->set);
    if (!c->posting_cap || !hf_verify_budget(&c->set)) {
        free(c);
        return -EINVAL;
    }
    c->fd = -1;
    c->memory = c->set.spill_memory ? c->set.spill_memory : STORE_MEMORY;
    if (c->set.spill_dir) {
        size_t l = strlen(c->set.spill_dir);
        char *path = malloc(l + sizeof "/hanfold-spill.XXXXXX");
        if (!path) {
            free(c);
            return -ENOMEM;
        }
        memcpy(path, c->set.spill_dir, l);
        memcpy(path + l, "/hanfold-spill.XXXXXX", sizeof "/hanfold-spill.XXXXXX");
        c->fd = mkstemp(path);
        int err = errno;
        if (c->fd >= 0)
            unlink(path);
        free(path);
        if (c->fd < 0) {
            free(c);
            return -err;
        }
    }
    *out = c;
    return 0;
}

void hanfold_clusterer_free(hanfold_clusterer **pc)
{
    if (!pc || !*pc)
        return;
    hanfold_clusterer *c = *pc;
    free(c->units);
    free(c->tag);
    free(c->lenc);
    free(c->base);
    if (c->fd >= 0)
        close(c->fd);
    free(c->mem);
    free(c->rbuf);
    free(c->cluster);
    hf_postings_free(&c->index);
    hf_postings_free(&c->exact);
    free(c->scratch);
    free(c->parent);
    free(c->cand);
    free(c->ctmp);
    free(c->el);
    free(c->masks);
    free(c->mtok);
    free(c->v);
    free(c->u);
    free(c->t1);
    free(c);
    *pc = NULL;
}

int hf_cand_cmp(const void *a, const void *b)
{
    const hf_cand *x = a, *y = b;
    if (x->shared != y->shared)
        return x->shared > y->shared ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

size_t hf_verify_budget(const hanfold_cluster_settings *s)
{
    return s->verify_budget ? s->verify_budget : HF_VERIFY_BUDGET;
}

uint32_t hanfold_posting_cap(const hanfold_cluster_settings *s)
{
    return !s->posting_cap ? HF_POSTING_CAP : s->posting_cap <= HF_POSTING_CAP ? s->posting_cap : 0;
}

static inline uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* ---- what verification needs of a slot --------------------------------------- */

#define TAG_POSTED 0x0f
_Static_assert(HANFOLD_INDEX_POSTED <= TAG_POSTED, "a tag holds the postings count");
static inline uint8_t key_tag(uint64_t key_hash)
{
    return (uint8_t)(key_hash >> 60 << 4);
}

static int store_flush(hanfold_clusterer *c)
{
    size_t done = 0;
    while (done < c->mlen) {
        ssize_t w = pwrite(c->fd, c->mem + done, c->mlen - done, (off_t)(c->flushed + done));
        if (w < 0)
            return -errno;
        done += (size_t)w;
    }
    c->flushed += c->mlen;
    c->mlen = 0;
    return 0;
}

/* Appends q's entry (number: its record number; sketch: whether to keep
 * its sketch); *code gets its size (size_code). */
static int store_put(hanfold_clusterer *c, const hanfold_fp *q, uint32_t number, bool sketch, uint8_t *code)
{
    size_t nt = q->tokens ? q->ntokens : 0, ns = sketch ? q->nsketch : 0;
    if (nt > HANFOLD_SHORT_MAX || ns > HANFOLD_SKETCH_K)
        return -EINVAL;
    unsigned w = 3;
    for (size_t i = 0; i < nt; i++)
        if (q->tokens[i] >> 24)
            w = 4;
    size_t bytes = SKETCH_AT(nt, w) + ns * 8;
    uint8_t sc = size_code(bytes);
    size_t need = size_bytes(sc);
    if ((c->flushed + c->mlen + need) / STORE_UNIT > UINT32_MAX)
        return -EFBIG;
    if (c->mlen + need > c->memcap) {
        if (c->fd >= 0 && c->mlen + need > c->memory && c->mlen) {
            int e = store_flush(c);
            if (e)
                return e;
        }
        if (c->mlen + need > c->memcap) {
            size_t nc = c->memcap ? c->memcap * 2 : 1 << 16;
            while (nc < c->mlen + need)
                nc *= 2;
            char *b = realloc(c->mem, nc);
            if (!b)
                return -ENOMEM;
            c->mem = b;
            c->memcap = nc;
        }
    }
    unsigned char *p = (unsigned char *)c->mem + c->mlen;
    memset(p, 0, need);
    uint32_t kt = q->key_tokens;
    uint16_t nt16 = (uint16_t)nt;
    memcpy(p, &q->key_hash, 8);
    memcpy(p + 8, &number, 4);
    memcpy(p + 12, &kt, 4);
    memcpy(p + 16, &nt16, 2);
    p[18] = (unsigned char)ns;
    p[19] = (unsigned char)w;
    unsigned char *t = p + HEAD_BYTES;
    if (w == 4) {
        memcpy(t, q->tokens, nt * 4);
    } else {
        for (size_t i = 0; i < nt; i++, t += 3) {
            uint32_t v = q->tokens[i];
            t[0] = (unsigned char)v;
            t[1] = (unsigned char)(v >> 8);
            t[2] = (unsigned char)(v >> 16);
        }
    }
    if (ns)
        memcpy(p + SKETCH_AT(nt, w), q->sketch, ns * 8);
    c->mlen += need;
    *code = sc;
    return 0;
}

/* Offset of slot r's entry, in units. */
static uint64_t slot_offset(const hanfold_clusterer *c, uint32_t r)
{
    uint64_t at = c->base[r / STORE_GROUP];
    for (uint32_t k = r & ~(uint32_t)(STORE_GROUP - 1); k < r; k++)
        at += size_bytes(c->units[k]) / STORE_UNIT;
    return at;
}

/* Slot r as verification sees it (pointers valid until the next call);
 * with head_only, only the key hash and number.  0 or a negative errno. */
static int slot_view(hanfold_clusterer *c, uint32_t r, bool head_only, hanfold_fp *x, uint64_t *key_hash,
                     uint32_t *number)
{
    uint64_t at = slot_offset(c, r) * STORE_UNIT;
    size_t len = head_only ? HEAD_BYTES : size_bytes(c->units[r]);
    const unsigned char *p;
    if (at >= c->flushed) {
        p = (const unsigned char *)c->mem + (at - c->flushed);
    } else {
        if (len > c->rcap) {
            size_t nc = size_bytes(UINT8_MAX);
            char *b = realloc(c->rbuf, nc);
            if (!b)
                return -ENOMEM;
            c->rbuf = b;
            c->rcap = nc;
        }
        if (pread(c->fd, c->rbuf, len, (off_t)at) != (ssize_t)len)
            return -EIO;
        p = (const unsigned char *)c->rbuf;
    }
    uint32_t kt;
    uint16_t nt;
    memcpy(key_hash, p, 8);
    memcpy(number, p + 8, 4);
    memcpy(&kt, p + 12, 4);
    memcpy(&nt, p + 16, 2);
    size_t ns = p[18];
    unsigned w = p[19];
    memset(x, 0, sizeof *x);
    x->key_tokens = kt;
    if (head_only)
        return 0;
    if (nt) {
        if (w == 4) {
            /* 4-byte aligned: entries start on STORE_UNIT boundaries */
            x->tokens = (const uint32_t *)(const void *)(p + HEAD_BYTES);
        } else {
            const unsigned char *t = p + HEAD_BYTES;
            for (size_t i = 0; i < nt; i++, t += 3)
                c->tokbuf[i] = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16;
            x->tokens = c->tokbuf;
        }
        x->ntokens = nt;
    }
    if (ns) {
        x->sketch = (const uint64_t *)(const void *)(p + SKETCH_AT(nt, w));
        x->nsketch = ns;
    }
    return 0;
}

/* ---- exact-key table ------------------------------------------------------ */

/* *slot gets the slot of the first record with key hash h (and *number its
 * record number), or NONE.  0 or a negative errno. */
static int xfind(hanfold_clusterer *c, uint64_t h, uint32_t *slot, uint32_t *number)
{
    size_t n;
    const uint32_t *v = hf_postings_find(&c->exact, h, &c->scratch, &c->scratch_cap, &n);
    *slot = NONE;
    if (n == SIZE_MAX)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        hanfold_fp x;
        uint64_t kh;
        if ((c->tag[v[i]] & ~TAG_POSTED) != key_tag(h))
            continue;
        int e = slot_view(c, v[i], true, &x, &kh, number);
        if (e)
            return e;
        if (kh == h) {
            *slot = v[i];
            return 0;
        }
    }
    return 0;
}

/* ---- length classes ----------------------------------------------------------- */

/* A key length in a byte: exact below 64 tokens, then classes 2% wide
 * (class k >= 64 holds lengths from LEN_BASE(k) up to LEN_BASE(k + 1) - 1),
 * the last one open-ended. */
static uint32_t len_base[257];
static pthread_once_t len_once = PTHREAD_ONCE_INIT;
static void len_init(void)
{
    double x = 64;
    for (int k = 0; k <= 256; k++) {
        if (k < 64) {
            len_base[k] = (uint32_t)k;
        } else {
            len_base[k] = (uint32_t)x;
            /* strictly growing: at least one length per class */
            if (len_base[k] <= len_base[k - 1])
                len_base[k] = len_base[k - 1] + 1;
            x *= 1.02;
        }
    }
    len_base[256] = UINT32_MAX;
}

static uint8_t len_class(uint32_t len)
{
    pthread_once(&len_once, len_init);
    /* the last class whose base is <= len */
    int lo = 0, hi = 255;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (len_base[mid] <= len)
            lo = mid;
        else
            hi = mid - 1;
    }
    return (uint8_t)lo;
}

/* The classes a key of len tokens can match at all: those holding a length
 * whose ratio with len reaches min_ratio (judge() decides the rest). */
static void len_window(uint32_t len, double min_ratio, uint8_t *kmin, uint8_t *kmax)
{
    pthread_once(&len_once, len_init);
    /* lengths from ceil(len * r) to floor(len / r), widened by one token
     * against rounding (the window only needs to hold every match) */
    double r = min_ratio > 0 ? min_ratio : 0;
    uint64_t lo = (uint64_t)((double)len * r);
    lo = lo > 0 ? lo - 1 : 0;
    uint64_t hi = r > 0 ? (uint64_t)((double)len / r) + 1 : UINT32_MAX;
    *kmin = len_class(lo > UINT32_MAX ? UINT32_MAX : (uint32_t)lo);
    *kmax = len_class(hi > UINT32_MAX ? UINT32_MAX : (uint32_t)hi);
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

/* The similarity of two kept keys: their longest common subsequence over
 * the shorter key, counting neither in either the first HANFOLD_TINY
 * tokens.  Any two short texts share a few tokens by chance, and in a short
 * key one substitution is a different text (民间故事水分/水平: 0/1, not 5/6),
 * while reposts of a long post can add or drop a fifth of it ((l - 5) /
 * (lo - 5) is within 5/lo of l / lo).  Identical keys give 1.  lo > TINY. */
static inline double lcs_share(size_t l, uint32_t lo)
{
    return l <= HANFOLD_TINY ? 0.0 : (double)(l - HANFOLD_TINY) / (double)(lo - HANFOLD_TINY);
}

/* Numeric tokens (Latin/digit runs with a digit) of the shorter key must
 * all occur in the longer, when it has fewer than HANFOLD_NUMBERS_TIER
 * tokens: templated sentences ("总面积55平方公里，人口2388人") differ only in
 * their numbers.  Longer posts are reposted with a new phone number or date
 * and stay the same story. */
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
            sim = lcs_share(l, lo);
            if (lo < HANFOLD_SHORT_TIER) {
                const uint32_t *sa = la <= lb ? q->tokens : x->tokens, *sb = la <= lb ? x->tokens : q->tokens;
                ok = lo >= HANFOLD_NUMBERS_TIER || numbers_contained(sa, lo, sb, hi);
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

/* Whether indexed record r and the query are near-duplicates: 1 (*sim and
 * *number set), 0, 2 (not comparable: judge() -1), or a negative errno.
 * Every comparison actually made is also reported to on_pair with its raw
 * similarity, for histograms and calibration. */
static int verify(hanfold_clusterer *c, const hanfold_fp *q, bool q_prepared, uint32_t r,
                  uint32_t me, double *simout, int *kindout, uint32_t *number)
{
    hanfold_fp xf;
    uint64_t kh;
    int e = slot_view(c, r, false, &xf, &kh, number);
    if (e)
        return e;
    double sim;
    int kind;
    int v = judge(q_prepared ? c : NULL, &c->set, &xf, q, &sim, &kind);
    if (v == -1)
        return 2;
    if (v < 0)
        return v;
    if (c->set.on_pair)
        c->set.on_pair(c->set.on_pair_ud, *number, me, sim, kind, v == 1);
    *simout = sim;
    *kindout = kind;
    return v == 1;
}

int hanfold_pair_verify_with(hanfold_clusterer *c, const hanfold_fp *earlier, const hanfold_fp *later,
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

/* Single linkage: one cluster of a's and b's, rooted at the smaller root
 * (the cluster's first record). */
static void unite(uint32_t *p, uint32_t a, uint32_t b)
{
    a = find(p, a);
    b = find(p, b);
    if (a != b)
        p[a > b ? a : b] = a < b ? a : b;
}

/* Makes record `number` a slot: keeps what verification needs and enters
 * it in the index (and, when its key is new, in the exact-key table): it can
 * be matched from now on. */
static int index_record(hanfold_clusterer *c, const hanfold_fp *q, uint32_t number, bool new_key)
{
    if (c->nslots == c->slots_cap) {
        size_t nc = c->slots_cap ? c->slots_cap + c->slots_cap / 2 : 1024;
        nc = (nc + STORE_GROUP - 1) & ~(size_t)(STORE_GROUP - 1);
        uint8_t *u = realloc(c->units, nc);
        if (!u)
            return -ENOMEM;
        c->units = u;
        uint8_t *t = realloc(c->tag, nc);
        if (!t)
            return -ENOMEM;
        c->tag = t;
        uint8_t *lc = realloc(c->lenc, nc);
        if (!lc)
            return -ENOMEM;
        c->lenc = lc;
        uint32_t *b = realloc(c->base, nc / STORE_GROUP * sizeof *b);
        if (!b)
            return -ENOMEM;
        c->base = b;
        c->slots_cap = nc;
    }
    uint32_t r = (uint32_t)c->nslots;
    uint64_t at = (c->flushed + c->mlen) / STORE_UNIT;
    int e = store_put(c, q, number, q->key_tokens >= HANFOLD_SKETCH_MIN, &c->units[r]);
    if (e)
        return e;
    if (r % STORE_GROUP == 0)
        c->base[r / STORE_GROUP] = (uint32_t)at;
    uint32_t nb = hanfold_posted(q->nsketch);
    c->tag[r] = (uint8_t)(nb | key_tag(q->key_hash));
    c->lenc[r] = len_class(q->key_tokens);
    c->nslots++;
    for (size_t i = 0; i < nb; i++)
        if ((e = hf_postings_add(&c->index, q->sketch[i], r)))
            return e;
    if (new_key && hf_postings_add(&c->exact, q->key_hash, r))
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
        size_t nc = c->cap ? c->cap + c->cap / 2 : 1024;
        /* single linkage: the union-find parents say the clusters */
        if (c->set.linkage != HANFOLD_LINKAGE_SINGLE) {
            uint32_t *cl = realloc(c->cluster, nc * sizeof *cl);
            if (!cl)
                return -ENOMEM;
            c->cluster = cl;
        } else {
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

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Merges the sorted runs of v (run i from at[i] to at[i + 1]) into one
 * sorted array, pairwise (log2 of the runs passes over the entries, which
 * on repost-heavy text are thousands per record, where qsort took a quarter
 * of the time).  Returns the array holding the result: v or tmp. */
static uint32_t *merge_runs(uint32_t *v, uint32_t *tmp, size_t *at, size_t runs)
{
    while (runs > 1) {
        size_t out = 0, k = 0;
        for (size_t i = 0; i < runs; i += 2) {
            size_t a = at[i], ae = at[i + 1];
            size_t b = i + 1 < runs ? at[i + 1] : ae, be = i + 1 < runs ? at[i + 2] : ae;
            at[k++] = out;
            while (a < ae && b < be)
                tmp[out++] = v[b] < v[a] ? v[b++] : v[a++];
            while (a < ae)
                tmp[out++] = v[a++];
            while (b < be)
                tmp[out++] = v[b++];
        }
        at[k] = out;
        runs = k;
        uint32_t *t = v;
        v = tmp;
        tmp = t;
    }
    return v;
}

/* The slots that share shingles with q, one entry per shared shingle, in
 * c->cand (sorted). */
static int gather(hanfold_clusterer *c, const hanfold_fp *q, size_t nb)
{
    size_t at[HANFOLD_INDEX_B + 1], runs = 0;
    bool sorted = true;
    c->ncand = 0;
    for (size_t i = 0; i < nb; i++) {
        size_t n;
        const uint32_t *v = hf_postings_find_capped(&c->index, q->sketch[i], c->posting_cap, &c->scratch,
                                                    &c->scratch_cap, &n);
        if (n == SIZE_MAX)
            return -ENOMEM;
        /* a hash entered more often than the cap: see HF_POSTING_CAP */
        if (!n || n > c->posting_cap)
            continue;
        if (c->ncand + n > c->cand_cap) {
            size_t nc = c->cand_cap ? c->cand_cap * 2 : 256;
            while (nc < c->ncand + n)
                nc *= 2;
            uint32_t *cd = realloc(c->cand, nc * sizeof *cd);
            if (!cd)
                return -ENOMEM;
            c->cand = cd;
            c->cand_cap = nc;
        }
        memcpy(c->cand + c->ncand, v, n * sizeof *v);
        at[runs++] = c->ncand;
        /* entered in slot order, so ascending (hf_postings_find) */
        for (size_t k = 1; k < n && sorted; k++)
            sorted = v[k - 1] <= v[k];
        c->ncand += n;
    }
    at[runs] = c->ncand;
    if (c->ncand > 1 && !sorted) {
        qsort(c->cand, c->ncand, sizeof *c->cand, cmp_u32);
    } else if (c->ncand > 1 && runs > 1) {
        if (c->ncand > c->ctmp_cap) {
            free(c->ctmp);
            c->ctmp = malloc(c->cand_cap * sizeof *c->ctmp);
            if (!c->ctmp) {
                c->ctmp_cap = 0;
                return -ENOMEM;
            }
            c->ctmp_cap = c->cand_cap;
        }
        uint32_t *r = merge_runs(c->cand, c->ctmp, at, runs);
        if (r != c->cand) {
            /* keep the buffers' roles: the result is in cand */
            c->ctmp = c->cand;
            c->cand = r;
            size_t t = c->ctmp_cap;
            c->ctmp_cap = c->cand_cap;
            c->cand_cap = t;
        }
    }
    return 0;
}

/* The decision on one record (hanfold_decide() in hanfold.h), the one both
 * hanfold_clusterer_add() and programs that find the candidates themselves
 * (hanfold-mpi) make.  Inlined into hanfold_clusterer_add(), where the
 * callbacks are known and become direct calls. */
static inline __attribute__((always_inline)) int decide(const hanfold_decider *d, hanfold_decision *out)
{
    const hanfold_cluster_settings *set = d->set;
    bool single = set->linkage == HANFOLD_LINKAGE_SINGLE;
    uint64_t best = UINT64_MAX;
    double best_sim = -1;
    int best_kind = -1;
    if (d->exact != UINT64_MAX) {
        /* identical keys are near-duplicates, whatever the posting cap */
        best = d->exact;
        best_sim = 1.0;
        if (single)
            d->unite(d->ud, d->exact);
    }
    if (d->exact == UINT64_MAX || single) {
        hanfold_candidate *el;
        size_t nel;
        int e = d->gather(d->ud, &el, &nel);
        if (e)
            return e;
        /* more than the budget: the ones sharing most first (see
         * HF_VERIFY_BUDGET) */
        size_t budget = hf_verify_budget(set);
        bool first = set->first_match && !single;
        if (nel > budget || (first && nel > 1))
            qsort(el, nel, sizeof *el, hf_cand_cmp);
        for (size_t k = 0, compared = 0; k < nel && compared < budget; k++) {
            double s = 0;
            int kind = -1;
            uint64_t number;
            int v = d->verify(d->ud, &el[k], &s, &kind, &number);
            if (v < 0)
                return v;
            compared += v != 2;
            if (v != 1)
                continue;
            if (single)
                d->unite(d->ud, number);
            if (s > best_sim || (s == best_sim && number < best)) {
                best = number;
                best_sim = s;
                best_kind = kind;
            } else if (number == best && s == best_sim) {
                /* the record of the same key, verified too (single
                 * linkage): named by that verification */
                best_kind = kind;
            }
            if (first)
                break;
        }
    }
    out->match = best;
    out->sim = best == UINT64_MAX ? 1.0 : best_sim;
    out->kind = best_kind;
    /* only representatives are indexed; with single linkage every record
     * but a repeat of a key, whose earlier record any later one finds with
     * the same similarity (and a lower number) */
    out->indexed = best == UINT64_MAX || (single && d->exact == UINT64_MAX);
    return 0;
}

int hanfold_decide(const hanfold_decider *d, hanfold_decision *out)
{
    return decide(d, out);
}

/* hanfold_clusterer_add()'s side of the decision: the record being added */
typedef struct adding {
    hanfold_clusterer *c;
    const hanfold_fp *q;
    uint32_t me;
    uint32_t nb;   /* sketch entries it looks up */
    bool prepared; /* q's LCS masks are built */
} adding;

/* The candidates: enough shared shingles, a length that can match. */
static inline __attribute__((always_inline)) int add_gather(void *ud, hanfold_candidate **out, size_t *nout)
{
    adding *a = ud;
    hanfold_clusterer *c = a->c;
    uint8_t kmin, kmax;
    len_window(a->q->key_tokens, c->set.min_ratio, &kmin, &kmax);
    /* candidates with the number of indexed shingles they share */
    int e = gather(c, a->q, a->nb);
    if (e)
        return e;
    size_t nel = 0;
    for (size_t k = 0, run; k < c->ncand; k += run) {
        uint32_t r = c->cand[k];
        for (run = 1; k + run < c->ncand && c->cand[k + run] == r; run++)
            ;
        if (run < hanfold_shared_needed(c->tag[r] & TAG_POSTED, a->nb) || c->lenc[r] < kmin || c->lenc[r] > kmax)
            continue;
        hf_cand *el = nel < c->el_cap ? c->el : hf_array_grow(c->el, &c->el_cap, sizeof *el);
        if (!el)
            return -ENOMEM;
        c->el = el;
        /* slots are in input order: they order candidates as numbers do */
        c->el[nel++] = (hf_cand){r, (uint32_t)run, 0};
    }
    *out = c->el;
    *nout = nel;
    return 0;
}

static inline __attribute__((always_inline)) int add_verify(void *ud, const hanfold_candidate *cand, double *sim,
                                                            int *kind, uint64_t *number)
{
    adding *a = ud;
    /* q's LCS masks, once, when a candidate is to be verified (most
     * records have none) */
    if (a->q->tokens && !a->prepared) {
        if (lcs_prepare(a->c, a->q->tokens, a->q->ntokens))
            return -ENOMEM;
        a->prepared = true;
    }
    uint32_t n;
    int v = verify(a->c, a->q, a->prepared, (uint32_t)cand->id, a->me, sim, kind, &n);
    *number = n;
    return v;
}

static inline __attribute__((always_inline)) void add_unite(void *ud, uint64_t number)
{
    adding *a = ud;
    unite(a->c->parent, a->me, (uint32_t)number);
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

    size_t nb = q->nsketch < HANFOLD_INDEX_B ? q->nsketch : HANFOLD_INDEX_B;
    /* all the buckets this record reads, at once (see hf_postings_prefetch) */
    for (int stage = 0; stage < 2; stage++) {
        hf_postings_prefetch(&c->exact, q->key_hash, stage);
        for (size_t i = 0; i < nb; i++)
            hf_postings_prefetch(&c->index, q->sketch[i], stage);
    }
    uint32_t exact, exact_number;
    if ((e = xfind(c, q->key_hash, &exact, &exact_number)))
        return e;
    adding a = {c, q, me, (uint32_t)nb, false};
    hanfold_decider d = {&c->set, exact == NONE ? UINT64_MAX : exact_number, add_gather, add_verify, add_unite, &a};
    hanfold_decision out;
    if ((e = decide(&d, &out)))
        return e;
    if (out.match != UINT64_MAX) {
        *match = out.match;
        *simout = out.sim;
        if (c->cluster)
            c->cluster[me] = c->cluster[out.match];
    }
    return out.indexed ? index_record(c, q, me, true) : 0;
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
    uint32_t exact, exact_number;
    if ((e = xfind(c, q->key_hash, &exact, &exact_number)))
        return e;
    return index_record(c, q, me, exact == NONE);
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
    if (*kind == HANFOLD_PAIR_SHORT && lo < HANFOLD_NUMBERS_TIER && !numbers_contained(sa, lo, sb, hi))
        return 0.0;
    size_t l = hf_lcs(a->tokens, la, b->tokens, lb);
    return l == SIZE_MAX ? -1.0 : lcs_share(l, lo);
}
