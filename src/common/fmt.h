/* Number formatting shared by the library (fingerprint rows) and the
 * programs (output fields): header only, as buf.h, so each compiles its
 * own copy and the programs need nothing of the library's internals. */
#ifndef HF_FMT_H
#define HF_FMT_H

#include <stdint.h>

/* Formats v in decimal at d (at most 20 bytes, no NUL); returns the end. */
static inline char *hf_fmt_u64(char *d, uint64_t v)
{
    char t[20];
    int n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n)
        *d++ = t[--n];
    return d;
}

#endif
