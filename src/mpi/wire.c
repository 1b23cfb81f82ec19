/* Wire records and the hash map of hanfold-mpi (see wire.h). */
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int wrec_put(hf_buf *b, uint64_t s, const hanfold_fp *fp, int status, const char *msg, size_t ml)
{
    wrec w;
    memset(&w, 0, sizeof w);
    w.s = s;
    w.status = (uint8_t)status;
    if (ml > UINT32_MAX / 2)
        return -EOVERFLOW;
    w.msglen = (uint32_t)ml;
    hanfold_fp sent;
    if (fp && status == ST_OK) {
        w.key_hash = fp->key_hash;
        w.key_tokens = fp->key_tokens;
        size_t nind = fp->nsketch < HANFOLD_INDEX_B ? fp->nsketch : HANFOLD_INDEX_B;
        w.nind = (uint8_t)nind;
        sent = *fp;
        /* the whole sketch only where verification can use it */
        sent.nsketch = fp->key_tokens >= HANFOLD_SKETCH_MIN ? fp->nsketch : nind;
        size_t n = hanfold_fp_encoded_size(&sent);
        if (!n)
            return -EINVAL;
        w.fplen = (uint32_t)n;
    }
    size_t need = wrec_size(&w);
    if (hf_buf_reserve(b, need))
        return -ENOMEM;
    char *p = b->p + b->len;
    memset(p, 0, need);
    memcpy(p, &w, sizeof w);
    if (w.fplen)
        hanfold_fp_encode(p + sizeof w, w.fplen, &sent);
    if (w.msglen)
        memcpy(p + sizeof w + w.fplen, msg, w.msglen);
    b->len += need;
    return 0;
}

hanfold_fp wrec_fp(const wrec *w)
{
    hanfold_fp fp = {0};
    /* in place: the records are 8-byte aligned in buffers this program
     * filled (its own, or MPI's from other ranks of the same build) */
    if (w->fplen && hanfold_fp_decode(w + 1, w->fplen, &fp, NULL, NULL))
        abort(); /* a wire record this program did not write */
    /* as the clusterer saw wire records before the codec: no SimHash, and
     * an empty key as no tokens */
    fp.simhash = 0;
    if (!fp.ntokens)
        fp.tokens = NULL;
    return fp;
}

void map64_free(map64 *m)
{
    free(m->e);
    memset(m, 0, sizeof *m);
}

void map64_clear(map64 *m)
{
    if (m->e)
        memset(m->e, 0, m->size * sizeof *m->e);
    m->n = 0;
}

static size_t slot_of(const map64 *m, uint64_t key)
{
    size_t j = hanfold_mix64(key) & (m->size - 1);
    while (m->e[j].used && m->e[j].key != key)
        j = (j + 1) & (m->size - 1);
    return j;
}

size_t map64_get(const map64 *m, uint64_t key)
{
    if (!m->size)
        return SIZE_MAX;
    size_t j = slot_of(m, key);
    return m->e[j].used ? j : SIZE_MAX;
}

static int grow(map64 *m)
{
    map64 g = {0};
    g.size = m->size ? m->size * 2 : 1024;
    g.e = calloc(g.size, sizeof *g.e);
    if (!g.e)
        return -ENOMEM;
    for (size_t i = 0; i < m->size; i++)
        if (m->e[i].used)
            g.e[slot_of(&g, m->e[i].key)] = m->e[i];
    g.n = m->n;
    map64_free(m);
    *m = g;
    return 0;
}

size_t map64_put(map64 *m, uint64_t key, bool *fresh)
{
    if ((m->n + 1) * 2 > m->size && grow(m))
        return SIZE_MAX;
    size_t j = slot_of(m, key);
    *fresh = !m->e[j].used;
    if (*fresh) {
        m->e[j] = (map64_entry){.key = key, .used = 1};
        m->n++;
    }
    return j;
}
