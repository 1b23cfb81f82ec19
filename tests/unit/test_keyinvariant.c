/* Oracle for the key-alone path on traditional text (issue 5): with
 * HF_DIRECT_TRAD, hf_fold_key_direct() makes the key of text that has
 * traditional-only characters without converting it, on the ground that
 * the conversion to simplified cannot change the key of text it accepts
 * (stages.h).  Text it accepts has none of the characters it refuses (R:
 * those the unicode stage changes, those outside the BMP, hf_key_unsafe[]).
 * The conversion (tw2s: segmentation, then each step of its chain on the
 * result of the one before) applies dictionary entries; one whose key and
 * value fold alike character by character (what pass 1 of the key writes;
 * the phrase pass then sees the same text) leaves the key as it is.  So it
 * holds when every entry that can apply folds alike, where an entry can
 * apply when each character of its key is either not in R or in the value
 * of an entry that can apply (a step may hand a later one what the text did
 * not have).  This takes that closure over every entry of every dictionary
 * of the conversion, all steps together (more than the order of the steps
 * allows), and checks every entry in it.
 *
 *   test_keyinvariant DICT.txt...   (opencc_dict -t text exports; the first
 *                                    value of an entry is the one OpenCC uses)
 *
 * tests/unit/key-invariant.sh exports the dictionaries tw2s.json names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "stages.h"

static hf_buf out, tmp, probe;
static hf_u32vec tokens;

/* Does hf_fold_key_direct() leave text with s and a traditional-only
 * character (這) to the stages? */
static bool blocked(const char *s, size_t n)
{
    hf_buf_clear(&probe);
    if (hf_buf_append(&probe, s, n) || hf_buf_append(&probe, "這", strlen("這"))) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    bool have;
    unsigned seen;
    hf_buf_clear(&out);
    return hf_fold_key_direct(probe.p, probe.len, &out, &tmp, &tokens, HF_DIRECT_TRAD, &have, &seen) == 1;
}

/* What pass 1 of the key writes for s: the keys of its characters one by
 * one, concatenated (no phrase has fewer than two characters). */
static char *pass1(const char *s, size_t n)
{
    hf_buf acc = {0};
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    while (p < end) {
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0)
            l = 1;
        hf_buf_clear(&out);
        if (hf_fold_key((const char *)p, (size_t)l, &out, &tmp, NULL, NULL, false) ||
            hf_buf_append(&acc, out.p ? out.p : "", out.len)) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        p += l;
    }
    if (hf_buf_reserve(&acc, 0)) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    acc.p[acc.len] = '\0';
    return acc.p;
}

struct entry {
    char *key, *val;
};

/* Characters of R that an entry that can apply writes (few). */
static uint32_t *handed;
static size_t nhanded;

static bool is_handed(uint32_t c)
{
    for (size_t i = 0; i < nhanded; i++)
        if (handed[i] == c)
            return true;
    return false;
}

/* Calls f(c, utf8 of c, its length) for each character of s; stops at the
 * first true. */
static bool any_char(const char *s, bool (*f)(uint32_t, const char *, size_t))
{
    const uint8_t *p = (const uint8_t *)s, *end = p + strlen(s);
    while (p < end) {
        uint32_t c;
        int l = hf_utf8_next(p, (size_t)(end - p), &c);
        if (l < 0)
            return true; /* not UTF-8: refused anyway */
        if (f(c, (const char *)p, (size_t)l))
            return true;
        p += l;
    }
    return false;
}

/* In R, and not handed over by an entry that can apply. */
static bool unavailable(uint32_t c, const char *u, size_t l)
{
    return blocked(u, l) && !is_handed(c);
}

/* Adds c to the handed characters when in R; true when it was new. */
static bool hand(uint32_t c, const char *u, size_t l)
{
    if (!blocked(u, l) || is_handed(c))
        return false;
    uint32_t *v = realloc(handed, (nhanded + 1) * sizeof *v);
    if (!v) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    handed = v;
    handed[nhanded++] = c;
    return false; /* go on through the value */
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_keyinvariant DICT.txt...\n");
        return 2;
    }
    /* the probe works: 這 alone is taken, with a character the unicode
     * stage changes it is not, and without HF_DIRECT_TRAD it is not */
    bool have;
    unsigned seen;
    CHECK(!blocked("", 0));
    CHECK(blocked("Ａ", strlen("Ａ")));
    CHECK(hf_fold_key_direct("這", strlen("這"), &out, &tmp, &tokens, 0, &have, &seen) == 1);
    struct entry *e = NULL;
    size_t n = 0, cap = 0;
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        char *line = NULL;
        size_t lcap = 0;
        ssize_t len;
        while ((len = getline(&line, &lcap, f)) > 0) {
            if (line[len - 1] == '\n')
                line[--len] = '\0';
            char *tab = strchr(line, '\t');
            if (!tab || line[0] == '#')
                continue;
            *tab = '\0';
            char *v = tab + 1;
            v[strcspn(v, " ")] = '\0';
            if (n == cap) {
                cap = cap ? 2 * cap : 4096;
                e = realloc(e, cap * sizeof *e);
                if (!e) {
                    fprintf(stderr, "out of memory\n");
                    return 2;
                }
            }
            e[n].key = strdup(line);
            e[n].val = strdup(*v ? v : line); /* no value: OpenCC keeps the key */
            if (!e[n].key || !e[n].val) {
                fprintf(stderr, "out of memory\n");
                return 2;
            }
            n++;
        }
        free(line);
        fclose(f);
    }
    /* the closure: entries that can apply, and what their values hand on */
    bool *can = calloc(n ? n : 1, sizeof *can);
    for (bool grown = true; grown;) {
        grown = false;
        for (size_t i = 0; i < n; i++) {
            if (can[i] || any_char(e[i].key, unavailable))
                continue;
            can[i] = grown = true;
            any_char(e[i].val, hand);
        }
    }
    size_t applies = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (!can[i])
            continue;
        applies++;
        check_count++;
        char *fk = pass1(e[i].key, strlen(e[i].key)), *fv = pass1(e[i].val, strlen(e[i].val));
        if (strcmp(fk, fv)) {
            check_failures++;
            if (++bad <= 20)
                fprintf(stderr, "%s -> %s folds otherwise (%s / %s) and can apply to text the "
                                "key-alone path takes: add a character of its key to hf_key_unsafe "
                                "(data/gen-tables.py)\n", e[i].key, e[i].val, fk, fv);
        }
        free(fk);
        free(fv);
    }
    printf("%zu entries: %zu can apply to text the key-alone path takes (%zu characters it refuses "
           "handed on by them), %zu of those fold otherwise\n", n, applies, nhanded, bad);
    CHECK(n > 0);
    for (size_t i = 0; i < n; i++) {
        free(e[i].key);
        free(e[i].val);
    }
    free(e);
    free(can);
    free(handed);
    hf_buf_free(&out);
    hf_buf_free(&tmp);
    hf_buf_free(&probe);
    free(tokens.v);
    return check_done("keyinvariant");
}
