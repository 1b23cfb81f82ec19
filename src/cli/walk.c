/* -r/--recursive: directories walked in sorted order (see walk.h). */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

typedef struct list {
    char **v;
    int n, cap;
} list;

static int push(list *l, char *s)
{
    if (!s)
        return -ENOMEM;
    if (l->n == l->cap) {
        int nc = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, (size_t)nc * sizeof *v);
        if (!v) {
            free(s);
            return -ENOMEM;
        }
        l->v = v;
        l->cap = nc;
    }
    l->v[l->n++] = s;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(const char *dir, list *l, unsigned *errors)
{
    DIR *d = opendir(dir);
    if (!d) {
        hf_msg("%s: cannot read: %s", dir, strerror(errno));
        ++*errors;
        return 0;
    }
    list names = {0};
    struct dirent *de;
    int e = 0;
    errno = 0;
    while (!e && (de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        e = push(&names, strdup(de->d_name));
        errno = 0;
    }
    if (!e && errno) {
        hf_msg("%s: cannot read: %s", dir, strerror(errno));
        ++*errors;
    }
    closedir(d);
    if (names.n)
        qsort(names.v, (size_t)names.n, sizeof *names.v, by_name);
    size_t dl = strlen(dir);
    bool slash = dl && dir[dl - 1] == '/';
    for (int i = 0; i < names.n; i++) {
        if (e) {
            free(names.v[i]);
            continue;
        }
        size_t n = dl + 1 + strlen(names.v[i]) + 1;
        char *p = malloc(n);
        if (!p) {
            e = -ENOMEM;
            free(names.v[i]);
            continue;
        }
        snprintf(p, n, "%s%s%s", dir, slash ? "" : "/", names.v[i]);
        free(names.v[i]);
        struct stat st;
        if (lstat(p, &st) != 0) {
            /* gone since it was listed */
            hf_msg("%s: cannot read: %s", p, strerror(errno));
            ++*errors;
            free(p);
        } else if (S_ISDIR(st.st_mode)) {
            e = walk_dir(p, l, errors);
            free(p);
        } else if (S_ISREG(st.st_mode)) {
            e = push(l, p);
        } else {
            free(p); /* symlinks, FIFOs, devices, sockets: left out */
        }
    }
    free(names.v);
    return e;
}

int hf_walk(char **files, int nfiles, char ***out, int *nout, unsigned *errors)
{
    *out = files;
    *nout = nfiles;
    bool any = false;
    struct stat st;
    for (int i = 0; i < nfiles && !any; i++)
        any = strcmp(files[i], "-") && stat(files[i], &st) == 0 && S_ISDIR(st.st_mode);
    if (!any)
        return 0;
    list l = {0};
    int e = 0;
    for (int i = 0; i < nfiles && !e; i++) {
        if (strcmp(files[i], "-") && stat(files[i], &st) == 0 && S_ISDIR(st.st_mode))
            e = walk_dir(files[i], &l, errors);
        else
            e = push(&l, strdup(files[i]));
    }
    if (e) {
        for (int i = 0; i < l.n; i++)
            free(l.v[i]);
        free(l.v);
        hf_msg("out of memory");
        return -ENOMEM;
    }
    /* only empty directories: no input at all (not standard input) */
    *out = l.v ? l.v : calloc(1, sizeof *l.v);
    *nout = l.n;
    if (!*out) {
        hf_msg("out of memory");
        return -ENOMEM;
    }
    return 0;
}

void hf_walk_free(char **files, char **out, int nout)
{
    if (out == files)
        return;
    for (int i = 0; i < nout; i++)
        free(out[i]);
    free(out);
}
