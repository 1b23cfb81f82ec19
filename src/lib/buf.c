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
