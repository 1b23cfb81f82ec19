/* Runs a fuzz target over files and directories of inputs (the corpus), the
 * way zstd's regression driver and dav1d's tests/libfuzzer do, so that every
 * input that ever crashed stays a regression test without libFuzzer. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *b = realloc(buf, cap *= 2);
            if (!b) {
                free(buf);
                buf = NULL;
            }
            buf = b;
        }
    }
    fclose(f);
    if (!buf)
        return -1;
    /* an exact-size copy so that ASan sees reads past the end */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int run_path(const char *path, unsigned *count)
{
    struct stat st;
    if (stat(path, &st)) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return run_file(path);
    }
    struct dirent **list;
    int n = scandir(path, &list, NULL, alphasort);
    if (n < 0)
        return -1;
    int r = 0;
    for (int i = 0; i < n; i++) {
        if (list[i]->d_name[0] != '.') {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", path, list[i]->d_name);
            r |= run_path(p, count);
        }
        free(list[i]);
    }
    free(list);
    return r;
}

int main(int argc, char **argv)
{
    unsigned count = 0;
    int r = 0;
    for (int i = 1; i < argc; i++)
        r |= run_path(argv[i], &count);
    /* the empty input is always worth one run */
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    printf("%u inputs replayed\n", count);
    return r ? 1 : 0;
}
