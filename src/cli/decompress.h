/* Compressed input: an input file descriptor read as the bytes it holds, or
 * decompressed when it starts with the magic bytes of gzip, zstd or xz
 * (the only user of zlib, libzstd and liblzma). */
#ifndef HF_DECOMPRESS_H
#define HF_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct hf_instream hf_instream;

/* 0, or -ENOMEM.  One stream serves the inputs of a reader one after the
 * other (hf_instream_open); the decoders are made when first needed and
 * kept for the next inputs. */
int hf_instream_new(hf_instream **s);
/* Accepts NULL; clears the pointer.  Does not close the descriptor. */
void hf_instream_free(hf_instream **s);

/* Starts reading fd from its current position; the format is decided by
 * its first bytes, on the first hf_instream_read().  fd stays the
 * caller's. */
void hf_instream_open(hf_instream *s, int fd);

/* Up to cap bytes of the (decompressed) input into buf: the number of
 * bytes (> 0), 0 at the end of the input, -1 when it cannot go on: a read
 * error, damaged or truncated compressed data, an unsupported compression,
 * or no memory; hf_instream_error() says which.  After -1 or 0 the input
 * gives nothing more. */
ssize_t hf_instream_read(hf_instream *s, void *buf, size_t cap);

/* What went wrong, for a message after the file name and line ("truncated
 * gzip data: ..."); valid until the next call on s. */
const char *hf_instream_error(const hf_instream *s);

/* "gzip", "zstd", "xz", or NULL for input read as it is (also before the
 * first read). */
const char *hf_instream_format(const hf_instream *s);

/* Bytes read from the descriptor since hf_instream_open (compressed bytes
 * for compressed input: what progress against the file size counts). */
uint64_t hf_instream_bytes_in(const hf_instream *s);

#endif
