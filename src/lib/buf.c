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

void hf_buf_free(hf_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
