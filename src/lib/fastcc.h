/* Fast OpenCC conversion with compiled-in dictionaries.
 *
 * Converts exactly as libopencc 1.1.6 does with the installed OpenCC data
 * (max-match segmentation, then each conversion of the chain on each
 * segment), from tables that data/gen-fastcc.py builds out of that same data
 * at build time.  script.c uses it for configs in OpenCC's data directory and
 * libopencc for anything else; tests/shared/fastcc-diff.sh compares the two. */
#ifndef HF_FASTCC_H
#define HF_FASTCC_H

#include <stddef.h>

#include "buf.h"

typedef struct hf_fastcc hf_fastcc;

/* Opens the compiled-in converter for an OpenCC config name ("tw2s" or
 * "tw2s.json", no directory).  Returns 0, -ENOENT when that config is not
 * compiled in, -ENOMEM.  A converter is not thread-safe (it keeps scratch
 * buffers); open one per thread. */
int hf_fastcc_open(hf_fastcc **f, const char *config_name);

/* Converts UTF-8 text and appends the result to out (kept NUL-terminated).
 * Like libopencc, conversion stops at a NUL byte.  Input must be valid UTF-8
 * for the result to equal libopencc's; invalid bytes are copied through, never
 * read past n.  Returns 0 or -ENOMEM (out then keeps its previous contents). */
int hf_fastcc_convert(hf_fastcc *f, const char *in, size_t n, hf_buf *out);

/* Frees the converter; accepts NULL and clears the pointer. */
void hf_fastcc_close(hf_fastcc **f);

/* Name of the i-th compiled-in config ("hk2s", ...), or NULL past the last. */
const char *hf_fastcc_config(size_t i);

#endif
