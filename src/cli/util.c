#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *hf_progname = "hanfold";

static bool out_failed;
static int out_errno;

void hf_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", hf_progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool hf_stats_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: stats: ", hf_progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return fflush(stderr) == 0 && !ferror(stderr);
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
