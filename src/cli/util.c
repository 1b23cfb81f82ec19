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
    fprintf(stderr, "%s: %s", hf_progname, prefix);
    if (n > 0)
        hf_human_escape(m, (size_t)n, err_sink, NULL);
    fputc('\n', stderr);
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
    fputs(t, stderr);
    fputc('\n', stderr);
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
