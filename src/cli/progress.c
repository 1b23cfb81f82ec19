#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void hf_progress_init(hf_progress *p, int mode, char **files, int nfiles)
{
    memset(p, 0, sizeof *p);
    p->on = mode > 0 || (mode < 0 && isatty(STDERR_FILENO));
    if (!p->on)
        return;
    p->start = p->last = now();
    for (int i = 0; i < nfiles; i++) {
        struct stat st;
        if (strcmp(files[i], "-") && stat(files[i], &st) == 0 && S_ISREG(st.st_mode)) {
            p->total += (uint64_t)st.st_size;
        } else {
            p->total = 0; /* a pipe somewhere: no percentage */
            break;
        }
    }
}

void hf_progress_update(hf_progress *p, uint64_t records, uint64_t bytes)
{
    if (!p->on)
        return;
    double t = now();
    if (t - p->start < 1.0 || t - p->last < 0.25)
        return;
    p->last = t;
    double mb = bytes / 1e6, rate = mb / (t - p->start);
    char line[160];
    int n = snprintf(line, sizeof line, "\rhanfold: %llu records, %.1f MB, %.1f MB/s",
                     (unsigned long long)records, mb, rate);
    if (p->total && bytes <= p->total && rate > 0) {
        double left = (p->total - bytes) / 1e6 / rate;
        n += snprintf(line + n, sizeof line - (size_t)n, ", %.0f%%, ETA %d:%02d",
                      100.0 * bytes / p->total, (int)left / 60, (int)left % 60);
    }
    /* pad to erase a longer previous line */
    fprintf(stderr, "%s\033[K", line);
    fflush(stderr);
    p->shown = true;
}

void hf_progress_done(hf_progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->shown = false;
}
