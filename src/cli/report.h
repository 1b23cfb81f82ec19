/* What `hanfold report` knows, for the renderers (report_html.c). */
#ifndef HF_REPORT_H
#define HF_REPORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct hf_report_member {
    const char *id;         /* record id */
    const char *source;     /* input file name as given ("-" for stdin) */
    const char *text;       /* readable normalized text (whole record) */
    size_t text_len;
    double similarity;      /* to the record it matched; 1 for the representative */
    const char *measure;    /* of similarity: hf_measure_name() */
    uint64_t bytes;         /* size of the record as read */
} hf_report_member;

typedef struct hf_report_cluster {
    const hf_report_member *members; /* members[0] is the representative (first record) */
    size_t n;
    uint64_t bytes;         /* all members' bytes */
} hf_report_cluster;

typedef struct hf_report_data {
    uint64_t records, clusters, duplicate_records, duplicate_bytes;
    const char *version;    /* hanfold version */
    const char *schema;     /* fingerprint schema (hanfold_schema()) */
    const char *script;     /* target script / OpenCC config in use */
    const char *linkage;    /* "representative" or "single" */
    double threshold, long_threshold, jaccard_threshold, min_ratio;
    const char *const *inputs; /* input names as given */
    size_t ninputs;
    const hf_report_cluster *groups; /* clusters of two or more, largest first */
    size_t ngroups;
    /* Histogram of every candidate pair compared, by measure (index:
     * HANFOLD_PAIR_TINY, _SHORT, _LONG, _JACCARD) and similarity in
     * hundredths (bin 0..100): all pairs, and those judged duplicates.  For
     * the histogram with the thresholds marked. */
    uint64_t pairs[4][101];
    uint64_t pairs_dup[4][101];
} hf_report_data;

/* Writes a self-contained HTML page (no network, inline CSS/SVG/JS) with
 * hf_out().  Everything from the input is escaped. */
void hf_report_html(const hf_report_data *d);

#endif
