/* report --pairs LABELS: precision, recall and F1 per threshold on labelled
 * pairs, to choose thresholds by measurement. */
#ifndef HF_CALIBRATE_H
#define HF_CALIBRATE_H

#include <stdbool.h>

#include "hanfold.h"

typedef struct hf_calib hf_calib;

/* Reads "id_a TAB id_b TAB same|different" lines (also 1/0, yes/no, dup).
 * Returns NULL with a message printed on failure. */
hf_calib *hf_calib_load(const char *path);
void hf_calib_free(hf_calib **c);
/* Keeps a copy of the fingerprint of a record whose id is labelled. */
int hf_calib_offer(hf_calib *c, const char *id, const hanfold_fp *fp);
/* Prints the tables and recommendations; returns false if no pair could
 * be evaluated. */
bool hf_calib_report(hf_calib *c, const hanfold_cluster_settings *cs);

#endif
