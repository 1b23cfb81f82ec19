/* A progress line on stderr for long runs: records, MB, MB/s and, when the
 * inputs' sizes are known, percent and ETA.  Shown when stderr is a
 * terminal (or with --progress), only after the run has taken a second,
 * redrawn at most four times a second, erased at the end. */
#ifndef HF_PROGRESS_H
#define HF_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct hf_progress {
    bool on;
    bool shown;
    double start, last;
    uint64_t total;   /* bytes of the regular input files, 0 if unknown */
} hf_progress;

/* mode: -1 auto (stderr is a terminal), 0 off, 1 on. */
void hf_progress_init(hf_progress *p, int mode, char **files, int nfiles);
void hf_progress_update(hf_progress *p, uint64_t records, uint64_t bytes);
void hf_progress_done(hf_progress *p);

#endif
