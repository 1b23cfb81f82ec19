#include "calibrate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"

typedef struct fpcopy {
    char *id;
    hanfold_fp fp;
    uint32_t *tokens;
    uint64_t *sketch;
    bool have;
} fpcopy;

typedef struct pair {
    size_t a, b; /* indexes into ids */
    bool same;
    unsigned line;
} pair;

struct hf_calib {
    const char *path;
    fpcopy *ids;
    size_t nids, capids;
    size_t *table; /* open addressing: index+1 into ids, 0 empty */
    size_t tsize;
    pair *pairs;
    size_t npairs, cappairs;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static size_t *slot(hf_calib *c, const char *id)
{
    size_t i = hash_str(id) & (c->tsize - 1);
    while (c->table[i] && strcmp(c->ids[c->table[i] - 1].id, id))
        i = (i + 1) & (c->tsize - 1);
    return &c->table[i];
}

static long intern(hf_calib *c, const char *id)
{
    if ((c->nids + 1) * 2 > c->tsize) {
        size_t ns = c->tsize ? c->tsize * 2 : 1024;
        size_t *t = calloc(ns, sizeof *t);
        if (!t)
            return -1;
        size_t *old = c->table, os = c->tsize;
        c->table = t;
        c->tsize = ns;
        for (size_t i = 0; i < os; i++)
            if (old[i])
                *slot(c, c->ids[old[i] - 1].id) = old[i];
        free(old);
    }
    size_t *s = slot(c, id);
    if (*s)
        return (long)(*s - 1);
    if (c->nids == c->capids) {
        size_t nc = c->capids ? c->capids * 2 : 256;
        fpcopy *v = realloc(c->ids, nc * sizeof *v);
        if (!v)
            return -1;
        c->ids = v;
        c->capids = nc;
    }
    fpcopy *f = &c->ids[c->nids];
    memset(f, 0, sizeof *f);
    if (!(f->id = strdup(id)))
        return -1;
    *s = ++c->nids;
    return (long)(c->nids - 1);
}

hf_calib *hf_calib_load(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        hf_msg("%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    hf_calib *c = calloc(1, sizeof *c);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned lineno = 0;
    bool ok = c != NULL;
    while (ok && (n = getline(&line, &cap, f)) > 0) {
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (!n || line[0] == '#')
            continue;
        char *a = line, *b = strchr(a, '\t'), *l = b ? strchr(b + 1, '\t') : NULL;
        if (!b || !l) {
            hf_msg("%s:%u: expected id TAB id TAB same|different", path, lineno);
            continue;
        }
        *b++ = '\0';
        *l++ = '\0';
        bool same;
        if (!strcmp(l, "same") || !strcmp(l, "1") || !strcmp(l, "yes") || !strcmp(l, "dup"))
            same = true;
        else if (!strcmp(l, "different") || !strcmp(l, "0") || !strcmp(l, "no"))
            same = false;
        else {
            hf_msg("%s:%u: label '%s' is neither same nor different", path, lineno, l);
            continue;
        }
        long ia = intern(c, a), ib = intern(c, b);
        if (ia < 0 || ib < 0) {
            ok = false;
            break;
        }
        if (c->npairs == c->cappairs) {
            size_t nc = c->cappairs ? c->cappairs * 2 : 256;
            pair *p = realloc(c->pairs, nc * sizeof *p);
            if (!p) {
                ok = false;
                break;
            }
            c->pairs = p;
            c->cappairs = nc;
        }
        c->pairs[c->npairs++] = (pair){(size_t)ia, (size_t)ib, same, lineno};
    }
    free(line);
    fclose(f);
    if (!ok) {
        hf_msg("out of memory");
        hf_calib_free(&c);
        return NULL;
    }
    c->path = path;
    return c;
}

void hf_calib_free(hf_calib **pc)
{
    if (!pc || !*pc)
        return;
    hf_calib *c = *pc;
    for (size_t i = 0; i < c->nids; i++) {
        free(c->ids[i].id);
        free(c->ids[i].tokens);
        free(c->ids[i].sketch);
    }
    free(c->ids);
    free(c->table);
    free(c->pairs);
    free(c);
    *pc = NULL;
}

int hf_calib_offer(hf_calib *c, const char *id, const hanfold_fp *fp)
{
    if (!c->tsize)
        return 0;
    size_t *s = slot(c, id);
    if (!*s)
        return 0;
    fpcopy *f = &c->ids[*s - 1];
    if (f->have)
        return 0; /* the first record with an id counts */
    f->fp = *fp;
    f->tokens = NULL;
    f->sketch = NULL;
    if (fp->tokens) {
        if (!(f->tokens = malloc(fp->ntokens * sizeof *f->tokens + 1)))
            return -ENOMEM;
        memcpy(f->tokens, fp->tokens, fp->ntokens * sizeof *f->tokens);
    }
    if (!(f->sketch = malloc(fp->nsketch * sizeof *f->sketch + 1)))
        return -ENOMEM;
    memcpy(f->sketch, fp->sketch, fp->nsketch * sizeof *f->sketch);
    f->fp.tokens = f->tokens;
    f->fp.sketch = f->sketch;
    f->have = true;
    return 0;
}

typedef struct scored {
    double sim;
    bool same;
} scored;

static int by_sim_desc(const void *x, const void *y)
{
    const scored *a = x, *b = y;
    return a->sim < b->sim ? 1 : a->sim > b->sim ? -1 : 0;
}

bool hf_calib_report(hf_calib *c, const hanfold_cluster_settings *cs)
{
    static const char *const names[4] = {
        "identical keys (at most 5 tokens)", "LCS similarity, keys under 100 tokens (--threshold)",
        "LCS similarity, keys of 100 tokens or more (--long-threshold)",
        "estimated Jaccard, keys over 1000 tokens (--jaccard-threshold)"};
    const double current[4] = {1.0, cs->threshold, cs->long_threshold, cs->jaccard_threshold};
    scored *sc[4] = {0};
    size_t n[4] = {0};
    size_t missing = 0;
    for (int k = 0; k < 4; k++)
        sc[k] = malloc((c->npairs ? c->npairs : 1) * sizeof *sc[k]);
    for (size_t i = 0; i < c->npairs; i++) {
        fpcopy *a = &c->ids[c->pairs[i].a], *b = &c->ids[c->pairs[i].b];
        if (!a->have || !b->have) {
            if (missing++ < 5)
                hf_msg("%s:%u: id '%s' is not in the input", c->path, c->pairs[i].line,
                       a->have ? b->id : a->id);
            continue;
        }
        int kind;
        double sim = hanfold_pair_similarity(cs, &a->fp, &b->fp, &kind);
        if (kind < 0 || kind > 3 || !sc[kind])
            continue;
        sc[kind][n[kind]++] = (scored){sim, c->pairs[i].same};
    }
    if (missing > 5)
        hf_msg("%s: %zu labelled pairs name ids not in the input", c->path, missing);
    char buf[256];
    size_t evaluated = 0;
    bool printed = false;
    for (int k = 0; k < 4; k++) {
        evaluated += n[k];
        if (!n[k])
            continue;
        qsort(sc[k], n[k], sizeof *sc[k], by_sim_desc);
        size_t pos = 0;
        for (size_t i = 0; i < n[k]; i++)
            pos += sc[k][i].same;
        snprintf(buf, sizeof buf, "%s%s: %zu pairs (%zu same, %zu different)\n", printed ? "\n" : "",
                 names[k], n[k], pos, n[k] - pos);
        printed = true;
        hf_out(buf, strlen(buf));
        if (k == 0)
            continue; /* nothing to tune */
        static const char head[] = "threshold     TP     FP     FN  precision  recall     F1\n";
        hf_out(head, sizeof head - 1);
        double best_f1 = -1, best_lo = 0, best_hi = 0, prev_f1 = -2;
        for (int t = 100; t >= 30; t--) {
            double th = t / 100.0;
            size_t tp = 0, fp = 0;
            for (size_t i = 0; i < n[k] && sc[k][i].sim >= th - 1e-12; i++) {
                tp += sc[k][i].same;
                fp += !sc[k][i].same;
            }
            size_t fn = pos - tp;
            double p = tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
            double r = pos ? (double)tp / (double)pos : 1.0;
            double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
            bool mark = t == (int)(current[k] * 100 + 0.5);
            /* print where the numbers change, and the current threshold */
            if (f1 != prev_f1 || mark || t == 30) {
                snprintf(buf, sizeof buf, "%9.2f %6zu %6zu %6zu %10.3f %7.3f %6.3f%s\n", th, tp, fp, fn,
                         p, r, f1, mark ? "  <- current" : "");
                hf_out(buf, strlen(buf));
            }
            prev_f1 = f1;
            if (f1 > best_f1 + 1e-12) {
                best_f1 = f1;
                best_lo = best_hi = th;
            } else if (f1 > best_f1 - 1e-12) {
                best_lo = th; /* the plateau of the best F1 extends down */
            }
        }
        /* the middle of the best plateau is the threshold with most room on
         * both sides */
        double rec = (best_lo + best_hi) / 2;
        snprintf(buf, sizeof buf, "recommended: %.2f (F1 %.3f for thresholds %.2f to %.2f)\n",
                 rec, best_f1, best_lo, best_hi);
        hf_out(buf, strlen(buf));
    }
    for (int k = 0; k < 4; k++)
        free(sc[k]);
    if (!evaluated)
        hf_msg("%s: no labelled pair could be evaluated", c->path);
    return evaluated > 0;
}
