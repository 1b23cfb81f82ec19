/* cluster-lines: libhanfold from a program of its own, through the public
 * header alone.  Reads UTF-8 lines on standard input and prints, for each,
 * its line number, the line number of the first line of its cluster
 * (near-duplicates in any script: 软件更新了 / 軟體更新了。) and its
 * normalized text.
 *
 *   cc cluster-lines.c $(pkg-config --cflags --libs hanfold) -o cluster-lines
 *   printf '軟體更新了。\n软件更新了\n天气很好\n' | ./cluster-lines */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <hanfold.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char err[256];
    hanfold_ctx *ctx;
    if (hanfold_ctx_new(&ctx, NULL, err, sizeof err)) {
        fprintf(stderr, "cluster-lines: %s\n", err);
        return 2;
    }
    hanfold_cluster_settings cs;
    hanfold_cluster_settings_default(&cs);
    hanfold_clusterer *cl;
    if (hanfold_clusterer_new(&cl, &cs)) {
        fprintf(stderr, "cluster-lines: out of memory\n");
        hanfold_ctx_free(&ctx);
        return 2;
    }
    char **texts = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    int status = 0;
    while ((len = getline(&line, &linecap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        hanfold_result res;
        hanfold_fp fp;
        uint64_t match;
        double sim;
        /* the decode step turns bytes that are not UTF-8 into U+FFFD */
        const char *utf8;
        size_t utf8_len, invalid;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **t = realloc(texts, cap * sizeof *t);
            if (!t) {
                status = 2;
                break;
            }
            texts = t;
        }
        texts[n] = NULL;
        /* results live until the next call on ctx: the text is copied
         * before the key is fingerprinted */
        if (hanfold_decode(ctx, line, (size_t)len, NULL, &utf8, &utf8_len, &invalid) ||
            hanfold_process(ctx, utf8, utf8_len, HANFOLD_WANT_TEXT | HANFOLD_WANT_KEY, &res) ||
            !(texts[n] = strdup(res.text)) ||
            hanfold_fingerprint(ctx, res.key, res.key_len, &fp) ||
            hanfold_clusterer_add(cl, &fp, &match, &sim)) {
            fprintf(stderr, "cluster-lines: line %zu: %s\n", n + 1, hanfold_ctx_error(ctx));
            if (texts[n])
                n++;
            status = 2;
            break;
        }
        n++;
    }
    /* with single linkage (the default) clusters are final after the last line */
    for (size_t i = 0; status == 0 && i < n; i++)
        printf("%zu\t%llu\t%s\n", i + 1, (unsigned long long)hanfold_clusterer_cluster_of(cl, i) + 1, texts[i]);
    for (size_t i = 0; i < n; i++)
        free(texts[i]);
    free(texts);
    free(line);
    hanfold_clusterer_free(&cl);
    hanfold_ctx_free(&ctx);
    return status;
}
