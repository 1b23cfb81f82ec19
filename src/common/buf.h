/* Growable byte buffer shared by the pipeline stages and the programs
 * (header only: the programs compile their own copy and need nothing of
 * the library's internals).
 *
 * Every stage writes into a caller-owned hf_buf so that a context can reuse
 * the same allocations from record to record (no malloc per record in the
 * steady state).  Functions return 0 or -ENOMEM; on failure the buffer keeps
 * its previous contents. */
#ifndef HF_BUF_H
#define HF_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct hf_buf {
    char *p;
    size_t len;
    size_t cap;
} hf_buf;

/* Ensures room for n more bytes plus a terminating NUL. */
static inline int hf_buf_reserve(hf_buf *b, size_t n)
{
    if (n > SIZE_MAX - b->len - 1)
        return -ENOMEM;
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return -ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* A full array v of *cap elements of elem bytes, twice as large (64 when
 * empty): the new pointer, *cap updated; NULL when out of memory (v and
 * *cap unchanged). */
static inline void *hf_array_grow(void *v, size_t *cap, size_t elem)
{
    size_t nc = *cap ? *cap * 2 : 64;
    void *p = realloc(v, nc * elem);
    if (p)
        *cap = nc;
    return p;
}
/* The appends are inline: the stages call them per character or per short
 * span, and the call was a measurable part of normalizing (perf, issue 5). */
static inline int hf_buf_append(hf_buf *b, const void *s, size_t n)
{
    if ((n >= b->cap - b->len) && hf_buf_reserve(b, n))
        return -ENOMEM;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}
static inline int hf_buf_putc(hf_buf *b, char c)
{
    if ((b->len + 1 >= b->cap) && hf_buf_reserve(b, 1))
        return -ENOMEM;
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
    return 0;
}
/* Writes the UTF-8 encoding of code point c (a scalar value) at u, which
 * has room for 4 bytes; returns the end. */
static inline char *hf_utf8_put(char *u, uint32_t c)
{
    if (c < 0x80) {
        *u++ = (char)c;
    } else if (c < 0x800) {
        *u++ = (char)(0xC0 | (c >> 6));
        *u++ = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        *u++ = (char)(0xE0 | (c >> 12));
        *u++ = (char)(0x80 | ((c >> 6) & 0x3F));
        *u++ = (char)(0x80 | (c & 0x3F));
    } else {
        *u++ = (char)(0xF0 | (c >> 18));
        *u++ = (char)(0x80 | ((c >> 12) & 0x3F));
        *u++ = (char)(0x80 | ((c >> 6) & 0x3F));
        *u++ = (char)(0x80 | (c & 0x3F));
    }
    return u;
}
/* Appends the UTF-8 encoding of code point c (c must be a scalar value). */
static inline int hf_buf_put_cp(hf_buf *b, uint32_t c)
{
    if ((b->len + 4 >= b->cap) && hf_buf_reserve(b, 4))
        return -ENOMEM;
    b->len = (size_t)(hf_utf8_put(b->p + b->len, c) - b->p);
    b->p[b->len] = '\0';
    return 0;
}
/* Keeps p[len] == '\0' so that results can be handed out as C strings. */
static inline void hf_buf_clear(hf_buf *b) { b->len = 0; if (b->p) b->p[0] = '\0'; }
static inline void hf_buf_free(hf_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* Decodes one code point from valid UTF-8 at s (n bytes available).
 * Returns its length (1..4) and stores it in *c; on an invalid or truncated
 * sequence returns -1 and leaves *c untouched.  Well-formed sequences per
 * Unicode 15, Table 3-7: no overlongs, no surrogates, nothing above
 * U+10FFFF.  Inline: every stage decodes every character. */
static inline __attribute__((always_inline)) int hf_utf8_next(const uint8_t *s, size_t n, uint32_t *c)
{
    if (n == 0)
        return -1;
    uint8_t b0 = s[0];
    if (b0 < 0x80) {
        *c = b0;
        return 1;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) { /* the common case in Chinese text */
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return -1;
        if ((b0 == 0xE0 && s[1] < 0xA0) || (b0 == 0xED && s[1] > 0x9F))
            return -1;
        *c = ((uint32_t)(b0 & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return -1;
        *c = ((uint32_t)(b0 & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return -1;
        if ((b0 == 0xF0 && s[1] < 0x90) || (b0 == 0xF4 && s[1] > 0x8F))
            return -1;
        *c = ((uint32_t)(b0 & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
             ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        return 4;
    }
    return -1;
}

#endif
