/* --annotate: a JSONL record written back byte for byte with the result
 * added as fields (cluster and dedup). */
#ifndef HF_ANNOTATE_H
#define HF_ANNOTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum { HF_ANN_CLUSTER, HF_ANN_DUPLICATE_OF, HF_ANN_SIMILARITY, HF_ANN_MEASURE, HF_ANN_FINGERPRINT, HF_ANN_COUNT };

typedef struct hf_annotate {
    /* the fields asked for, in the order asked, with their keys */
    int field[HF_ANN_COUNT];
    const char *key[HF_ANN_COUNT];
    size_t n;
    bool want[HF_ANN_COUNT];
    char *mem;              /* the option's copy the keys point into */
    /* records that had a key already (its value replaced), and the first */
    uint64_t replaced;
    char *replaced_where;   /* "FILE:LINE: key \"k\"" of the first */
} hf_annotate;

/* What is added to one record.  dup_of NULL: JSON null. */
typedef struct hf_ann_values {
    const char *cluster;
    const char *dup_of;
    double sim;
    int measure;            /* hf_measure */
    const char *fprow;      /* the fingerprint row, without its LF */
    size_t fprow_len;
} hf_ann_values;

/* Parses LIST (NAME[=KEY],... or all); false with a message printed. */
bool hf_annotate_parse(hf_annotate *a, const char *list);
void hf_annotate_free(hf_annotate *a);
/* The record raw[0..n) (a JSON object, already parsed) with the fields
 * added, in out (cleared first): inserted before its closing brace after
 * the last member, a key it has already getting its value replaced in
 * place (so that no key is there twice).  file and line name the record
 * for the warning.  Returns 0 or -ENOMEM; -EINVAL when raw does not end
 * with } (out then holds raw unchanged). */
int hf_annotate_record(hf_annotate *a, const char *raw, size_t n, const hf_ann_values *v, const char *file,
                       uint64_t line, hf_buf *out);

#endif
