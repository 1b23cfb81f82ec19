#include "buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int hf_buf_reserve(hf_buf *b, size_t n)
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

int hf_buf_append(hf_buf *b, const void *s, size_t n)
{
    if (hf_buf_reserve(b, n))
        return -ENOMEM;
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int hf_buf_putc(hf_buf *b, char c)
{
    if (b->len + 1 >= b->cap && hf_buf_reserve(b, 1))
        return -ENOMEM;
    b->p[b->len++] = c;
    b->p[b->len] = '\0';
    return 0;
}

int hf_buf_put_cp(hf_buf *b, uint32_t c)
{
    char u[4];
    size_t n;
    if (c < 0x80) {
        u[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        u[0] = (char)(0xC0 | (c >> 6));
        u[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        u[0] = (char)(0xE0 | (c >> 12));
        u[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (c >> 18));
        u[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        u[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    return hf_buf_append(b, u, n);
}

void hf_buf_free(hf_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

int hf_utf8_next(const uint8_t *s, size_t n, uint32_t *c)
{
    if (n == 0)
        return -1;
    uint8_t b0 = s[0];
    if (b0 < 0x80) {
        *c = b0;
        return 1;
    }
    /* Well-formed sequences per Unicode 15, Table 3-7: no overlongs, no
     * surrogates, nothing above U+10FFFF. */
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        if (n < 2 || (s[1] & 0xC0) != 0x80)
            return -1;
        *c = ((uint32_t)(b0 & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return -1;
        if ((b0 == 0xE0 && s[1] < 0xA0) || (b0 == 0xED && s[1] > 0x9F))
            return -1;
        *c = ((uint32_t)(b0 & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
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
