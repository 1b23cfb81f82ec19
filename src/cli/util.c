#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "buf.h"
#include "outfmt.h"

const char *hf_progname = "hanfold";

static bool out_failed;
static int out_errno;

/* A message is built whole and written with one write: standard error is
 * unbuffered, and written piece by piece a message could be cut by the
 * rows another process writes to the same file (hanfold-mpi > file 2>&1). */
typedef struct msgbuf {
    hf_buf b;
    bool failed; /* out of memory: written piece by piece after all */
} msgbuf;

static void msg_sink(const void *p, size_t n, void *ud)
{
    msgbuf *m = ud;
    if (!m->failed && hf_buf_append(&m->b, p, n))
        m->failed = true;
}

static void err_sink(const void *p, size_t n, void *ud)
{
    (void)ud;
    fwrite(p, 1, n, stderr);
}

/* Messages are for people: what they quote (file names, ids, bytes of the
 * input) goes out with its control characters escaped (hf_human_escape). */
static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
    char small[512], *m = small;
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= (int)sizeof small && (m = malloc((size_t)n + 1)) != NULL)
        vsnprintf(m, (size_t)n + 1, fmt, aq);
    else if (n >= (int)sizeof small)
        m = small, n = (int)sizeof small - 1;
    va_end(aq);
    msgbuf line = {{0}, false};
    msg_sink(hf_progname, strlen(hf_progname), &line);
    msg_sink(": ", 2, &line);
    msg_sink(prefix, strlen(prefix), &line);
    if (n > 0)
        hf_human_escape(m, (size_t)n, msg_sink, &line);
    msg_sink("\n", 1, &line);
    if (!line.failed) {
        fwrite(line.b.p, 1, line.b.len, stderr);
    } else {
        fprintf(stderr, "%s: %s", hf_progname, prefix);
        if (n > 0)
            hf_human_escape(m, (size_t)n, err_sink, NULL);
        fputc('\n', stderr);
    }
    hf_buf_free(&line.b);
    if (m != small)
        free(m);
}

void hf_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("", fmt, ap);
    va_end(ap);
}

bool hf_stats_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("stats: ", fmt, ap);
    va_end(ap);
    return fflush(stderr) == 0 && !ferror(stderr);
}

bool hf_stats_json(json_t *o)
{
    char *t = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
    json_decref(o);
    if (!t) {
        hf_msg("out of memory");
        return false;
    }
    /* one write, as messages */
    size_t l = strlen(t);
    char *nl = realloc(t, l + 2);
    if (nl) {
        t = nl;
        t[l++] = '\n';
        fwrite(t, 1, l, stderr);
    } else {
        fputs(t, stderr);
        fputc('\n', stderr);
    }
    free(t);
    return fflush(stderr) == 0 && !ferror(stderr);
}

static void buf_sink(const void *p, size_t n, void *ud)
{
    hf_buf *b = ud;
    hf_buf_append(b, p, n);
}

json_t *hf_stats_json_str(const char *s)
{
    json_t *v = json_string(s);
    if (v)
        return v;
    hf_buf b = {0};
    hf_human_escape(s, strlen(s), buf_sink, &b);
    v = json_stringn(b.p ? b.p : "", b.len);
    hf_buf_free(&b);
    return v;
}

void hf_out(const void *p, size_t n)
{
    /* only the main thread writes stdout: no locking per call */
    if (n && fwrite_unlocked(p, 1, n, stdout) != n && !out_failed) {
        out_failed = true;
        out_errno = errno;
    }
}

bool hf_finish_output(void)
{
    if (fflush(stdout) != 0 && !out_failed) {
        out_failed = true;
        out_errno = errno;
    }
    if (ferror(stdout) && !out_failed) {
        out_failed = true;
        out_errno = errno ? errno : EIO;
    }
    if (fclose(stdout) != 0 && !out_failed) {
        out_failed = true;
        out_errno = errno;
    }
    if (out_failed) {
        hf_msg("error writing output: %s", strerror(out_errno ? out_errno : EIO));
        return false;
    }
    return true;
}

void hf_out_sink(const void *p, size_t n, void *ud)
{
    (void)ud;
    hf_out(p, n);
}
