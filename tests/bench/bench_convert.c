/* Benchmark (not a test): conversion speed of the compiled-in converter
 * (src/lib/fastcc.c) against libopencc in the same process on the same
 * input, and of the `opencc` command on the same file for reference.
 *
 *   bench_convert [SHARED_DIR [MB]]     (meson test -C build --benchmark)
 *
 * Inputs, each repeated to about MB megabytes (default 50):
 *   zuozhuan      ../shared/bench/zuozhuan.txt (classical Chinese, mostly
 *                 simplified characters despite the README);
 *   zuozhuan-t    the same converted to traditional with libopencc s2t;
 *   gsd-trad      the traditional column of ../shared/eval/gsd-trad-simp.tsv.
 * Converted whole in one call, and line by line (one call per line, as
 * hanfold converts records).  MB/s counts input bytes per CPU second (user +
 * system, so per core whatever else the machine runs); the compiled-in
 * converter's figures are the best of 3 runs (shared machines drift),
 * libopencc's and the command's are one run each (they take seconds).  The
 * outputs of the two converters are compared too.  Exit 77 when ../shared is
 * absent. */
#include <errno.h>
#include <fcntl.h>
#include <opencc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fastcc.h"

#ifndef HF_OPENCC_DATADIR
#define HF_OPENCC_DATADIR "/usr/share/opencc"
#endif

/* CPU time, not wall time: the figure is per core, and stays meaningful on
 * a machine that other jobs share. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *p = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (cap - n < 65536) {
            cap = cap ? cap * 2 : 1 << 20;
            char *q = realloc(p, cap + 1);
            if (!q)
                exit(2);
            p = q;
        }
        size_t k = fread(p + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    p[n] = '\0';
    *len = n;
    return p;
}

static void append(hf_buf *b, const char *s, size_t n)
{
    if (hf_buf_append(b, s, n)) {
        fprintf(stderr, "bench_convert: out of memory\n");
        exit(2);
    }
}

static void repeat(hf_buf *b, size_t mb)
{
    size_t unit = b->len;
    /* reserved first: the source of each append is the buffer itself */
    if (hf_buf_reserve(b, (mb << 20) + unit)) {
        fprintf(stderr, "bench_convert: out of memory\n");
        exit(2);
    }
    while (b->len < mb << 20)
        append(b, b->p, unit < (mb << 20) - b->len ? unit : (mb << 20) - b->len);
    /* whole lines only */
    while (b->len && b->p[b->len - 1] != '\n')
        b->len--;
    b->p[b->len] = '\0';
}

static opencc_t open_ref(const char *cfg)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", HF_OPENCC_DATADIR, cfg);
    int cwd = open(".", O_RDONLY | O_DIRECTORY);
    if (cwd < 0 || chdir(HF_OPENCC_DATADIR))
        exit(2);
    opencc_t cc = opencc_open(path);
    if (fchdir(cwd))
        exit(2);
    close(cwd);
    if (cc == (opencc_t)-1) {
        fprintf(stderr, "bench_convert: %s: %s\n", path, opencc_error());
        exit(2);
    }
    return cc;
}

/* One conversion of in (whole or per line) into out; returns seconds. */
static double run_fast(hf_fastcc *f, const hf_buf *in, int per_line, hf_buf *out)
{
    hf_buf_clear(out);
    double t = now();
    if (!per_line) {
        if (hf_fastcc_convert(f, in->p, in->len, out))
            exit(2);
    } else {
        for (const char *p = in->p, *e = in->p + in->len; p < e;) {
            const char *nl = memchr(p, '\n', (size_t)(e - p));
            size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
            if (hf_fastcc_convert(f, p, n, out) || hf_buf_putc(out, '\n'))
                exit(2);
            p += n + 1;
        }
    }
    return now() - t;
}

static double run_ref(opencc_t cc, const hf_buf *in, int per_line, hf_buf *out)
{
    hf_buf_clear(out);
    double t = now();
    for (const char *p = in->p, *e = in->p + in->len; p < e;) {
        const char *nl = per_line ? memchr(p, '\n', (size_t)(e - p)) : NULL;
        size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
        char *r = opencc_convert_utf8(cc, p, n);
        if (!r)
            exit(2);
        append(out, r, strlen(r));
        opencc_convert_utf8_free(r);
        if (per_line)
            append(out, "\n", 1);
        p += n + per_line;
    }
    return now() - t;
}

/* The opencc command on the same input as a file; returns its CPU seconds. */
static double run_cmd(const char *cfg, const char *file)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("opencc", "opencc", "-c", cfg, "-i", file, "-o", "/dev/null", (char *)NULL);
        _exit(127);
    }
    int st;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
        return -1;
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    const char *shared = argc > 1 ? argv[1] : getenv("SHARED");
    size_t mb = argc > 2 ? strtoul(argv[2], NULL, 10) : 50;
    if (!shared || !mb) {
        fprintf(stderr, "usage: bench_convert SHARED_DIR [MB]\n");
        return 2;
    }
    char path[4096];
    size_t n;
    snprintf(path, sizeof path, "%s/bench/zuozhuan.txt", shared);
    char *zz = slurp(path, &n);
    snprintf(path, sizeof path, "%s/eval/gsd-trad-simp.tsv", shared);
    size_t gn;
    char *gsd = slurp(path, &gn);
    if (!zz || !gsd) {
        printf("skip: %s/bench or %s/eval not found\n", shared, shared);
        free(zz);
        free(gsd);
        return 77;
    }
    hf_buf inputs[3] = {{0}};
    const char *names[3] = {"zuozhuan", "zuozhuan-t", "gsd-trad"};
    append(&inputs[0], zz, n);
    opencc_t s2t = open_ref("s2t");
    char *t = opencc_convert_utf8(s2t, zz, n);
    append(&inputs[1], t, strlen(t));
    opencc_convert_utf8_free(t);
    opencc_close(s2t);
    /* the second field of each line after the header */
    char *p = strchr(gsd, '\n');
    while (p && *++p) {
        char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
        if (!nl)
            nl = p + strlen(p);
        if (tab && tab < nl) {
            char *end = memchr(tab + 1, '\t', (size_t)(nl - tab - 1));
            append(&inputs[2], tab + 1, (size_t)((end ? end : nl) - tab - 1));
            append(&inputs[2], "\n", 1);
        }
        p = *nl ? nl : NULL;
    }
    free(zz);
    free(gsd);
    for (int i = 0; i < 3; i++)
        repeat(&inputs[i], mb);

    char tmpl[] = "/tmp/hanfold-bench-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return 2;
    close(fd);

    static const char *cfgs[] = {"t2s", "tw2s", "s2t", "s2twp"};
    hf_buf a = {0}, b = {0};
    int status = 0;
    printf("MB of input per CPU second; whole = one call, lines = one call per line\n");
    printf("%-6s %-11s %6s  %9s %9s %6s  %9s %9s %6s  %9s\n", "config", "input", "MB",
           "fast", "libopencc", "ratio", "fast", "libopencc", "ratio", "opencc");
    printf("%-6s %-11s %6s  %9s %9s %6s  %9s %9s %6s  %9s\n", "", "", "", "whole", "whole", "",
           "lines", "lines", "", "command");
    for (size_t c = 0; c < sizeof cfgs / sizeof *cfgs; c++) {
        hf_fastcc *f;
        if (hf_fastcc_open(&f, cfgs[c])) {
            fprintf(stderr, "bench_convert: %s not compiled in\n", cfgs[c]);
            return 2;
        }
        opencc_t cc = open_ref(cfgs[c]);
        for (int i = 0; i < 3; i++) {
            const hf_buf *in = &inputs[i];
            double best[4] = {1e30, 1e30, 1e30, 1e30};
            for (int mode = 0; mode < 2; mode++) {
                for (int rep = 0; rep < 3; rep++) {
                    double tf = run_fast(f, in, mode, &a);
                    double tr = rep == 0 ? run_ref(cc, in, mode, &b) : 1e30;
                    if (tf < best[mode * 2])
                        best[mode * 2] = tf;
                    if (tr < best[mode * 2 + 1])
                        best[mode * 2 + 1] = tr;
                    if (rep == 0 && (a.len != b.len || memcmp(a.p, b.p, a.len))) {
                        fprintf(stderr, "bench_convert: %s on %s: outputs differ\n", cfgs[c], names[i]);
                        status = 1;
                    }
                }
            }
            FILE *tf = fopen(tmpl, "wb");
            if (!tf || fwrite(in->p, 1, in->len, tf) != in->len || fclose(tf))
                return 2;
            double tc = run_cmd(cfgs[c], tmpl);
            double mbs = in->len / 1e6;
            printf("%-6s %-11s %6.1f  %9.1f %9.1f %5.1fx  %9.1f %9.1f %5.1fx  %9.1f\n", cfgs[c],
                   names[i], mbs, mbs / best[0], mbs / best[1], best[1] / best[0], mbs / best[2],
                   mbs / best[3], best[3] / best[2], tc > 0 ? mbs / tc : 0.0);
            fflush(stdout);
        }
        opencc_close(cc);
        hf_fastcc_close(&f);
    }
    unlink(tmpl);
    hf_buf_free(&a);
    hf_buf_free(&b);
    for (int i = 0; i < 3; i++)
        hf_buf_free(&inputs[i]);
    return status;
}
