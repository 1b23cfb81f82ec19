/* The fingerprint codec (see hanfold.h, "fingerprint codec"): the text row
 * that `hanfold fingerprint` writes and `cluster --fingerprints`, `index
 * import` and hanfold-mpi read, and a compact binary form for files and
 * the network.  Both decoders take bytes from outside (files, other
 * ranks): every length is checked before it is used. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "hanfold.h"

/* ---- text rows ------------------------------------------------------------ */

/* Hex digit values plus one (0: not a digit): a lookup instead of
 * branches that digits and letters, mixed at random, kept mispredicting. */
#define HEX_DIGITS(X) X('0', 1) X('1', 2) X('2', 3) X('3', 4) X('4', 5) X('5', 6) X('6', 7) X('7', 8) \
    X('8', 9) X('9', 10) X('a', 11) X('b', 12) X('c', 13) X('d', 14) X('e', 15) X('f', 16)           \
    X('A', 11) X('B', 12) X('C', 13) X('D', 14) X('E', 15) X('F', 16)
#define HEX_ENTRY(c, v) [(unsigned char)(c)] = (v),
static const unsigned char hexval[256] = {HEX_DIGITS(HEX_ENTRY)};

static int hex16(const char *s, size_t n, uint64_t *out)
{
    if (n != 16)
        return -1;
    uint64_t v = 0;
    unsigned bad = 0;
    for (size_t i = 0; i < 16; i++) {
        unsigned d = hexval[(unsigned char)s[i]];
        bad |= d == 0;
        v = v << 4 | (uint64_t)(d - 1);
    }
    if (bad)
        return -1;
    *out = v;
    return 0;
}

/* The decoder's storage: the sketch at the start (so that it stays aligned
 * and its place does not depend on the id), the id after it. */
#define SKETCH_BYTES (HANFOLD_SKETCH_K * sizeof(uint64_t))

static int reserve(hanfold_fprow *row, size_t idlen)
{
    if (idlen > SIZE_MAX - SKETCH_BYTES - 1)
        return -ENOMEM;
    size_t need = SKETCH_BYTES + idlen + 1;
    if (need <= row->mem_size)
        return 0;
    void *m = realloc(row->mem, need);
    if (!m)
        return -ENOMEM;
    row->mem = m;
    row->mem_size = need;
    /* a sketch decoded before the id moves with the storage */
    if (row->sketch)
        row->sketch = m;
    return 0;
}

static int decode_sketch(hanfold_fprow *row, const char *s, size_t n, const char **why)
{
    size_t count = n ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        count += s[i] == ',';
    if (count > HANFOLD_SKETCH_K) {
        *why = "sketch longer than the schema allows";
        return -E2BIG;
    }
    if (reserve(row, 0)) {
        *why = "out of memory";
        return -ENOMEM;
    }
    uint64_t *sk = row->mem;
    size_t k = 0, i = 0;
    while (i < n) {
        const char *comma = memchr(s + i, ',', n - i);
        size_t e = comma ? (size_t)(comma - s) : n;
        if (hex16(s + i, e - i, &sk[k++])) {
            *why = "bad sketch entry";
            return -EINVAL;
        }
        i = e + 1;
    }
    row->sketch = sk;
    row->nsketch = k;
    return 0;
}

static int decode_tokens(const char *s, size_t n, uint32_t *out)
{
    if (!n || n > 10)
        return -EINVAL;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > UINT32_MAX)
        return -EINVAL;
    *out = (uint32_t)v;
    return 0;
}

/* Copies the id into the row's storage, NUL-terminated; tsv: undoes the
 * escaping of the row (\t \n \r \\; a backslash before anything else stands
 * for that character, a last lone one for itself). */
static int copy_id(hanfold_fprow *row, const char *s, size_t n, bool tsv)
{
    if (reserve(row, n))
        return -ENOMEM;
    char *id = (char *)row->mem + SKETCH_BYTES;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (tsv && c == '\\' && i + 1 < n) {
            char e = s[++i];
            c = e == 't' ? '\t' : e == 'n' ? '\n' : e == 'r' ? '\r' : e;
        }
        id[k++] = c;
    }
    id[k] = '\0';
    row->id = id;
    row->id_len = k;
    return 0;
}

static void clear_view(hanfold_fprow *row)
{
    void *mem = row->mem;
    size_t size = row->mem_size;
    memset(row, 0, sizeof *row);
    row->mem = mem;
    row->mem_size = size;
}

int hanfold_fp_decode_row(hanfold_fprow *row, const char *s, size_t n, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    *why = NULL;
    clear_view(row);
    const char *f[5];
    size_t l[5], k = 0, i = 0;
    while (k < 5) {
        const char *tab = k < 4 && i < n ? memchr(s + i, '\t', n - i) : NULL;
        size_t e = tab ? (size_t)(tab - s) : n;
        f[k] = s + i;
        l[k] = e - i;
        k++;
        if (!tab)
            break;
        i = e + 1;
    }
    if (k < 5) {
        *why = "expected 5 tab-separated fields";
        return -EINVAL;
    }
    if (copy_id(row, f[0], l[0], true)) {
        *why = "out of memory";
        return -ENOMEM;
    }
    if (hex16(f[1], l[1], &row->simhash)) {
        *why = "bad simhash (expected 16 hex digits)";
        return -EINVAL;
    }
    if (decode_tokens(f[2], l[2], &row->key_tokens)) {
        *why = "bad key length";
        return -EINVAL;
    }
    if (hex16(f[3], l[3], &row->key_hash)) {
        *why = "bad key hash (expected 16 hex digits)";
        return -EINVAL;
    }
    if (l[4] >= 2 && !memcmp(f[4], "k:", 2)) {
        row->key = f[4] + 2;
        row->key_len = l[4] - 2;
        return 0;
    }
    if (l[4] >= 2 && !memcmp(f[4], "s:", 2)) {
        int e = decode_sketch(row, f[4] + 2, l[4] - 2, why);
        return e == -E2BIG ? -EINVAL : e;
    }
    *why = "last field must start with k: or s:";
    return -EINVAL;
}

int hanfold_fp_decode_row_field(hanfold_fprow *row, enum hanfold_fprow_field field, const char *s, size_t n)
{
    const char *why;
    switch (field) {
    case HANFOLD_FPROW_ID:
        return copy_id(row, s, n, false);
    case HANFOLD_FPROW_SIMHASH:
        return hex16(s, n, &row->simhash) ? -EINVAL : 0;
    case HANFOLD_FPROW_KEY_TOKENS:
        return decode_tokens(s, n, &row->key_tokens);
    case HANFOLD_FPROW_KEY_HASH:
        return hex16(s, n, &row->key_hash) ? -EINVAL : 0;
    case HANFOLD_FPROW_SKETCH:
        return decode_sketch(row, s, n, &why);
    }
    return -EINVAL;
}

void hanfold_fprow_free(hanfold_fprow *row)
{
    if (!row)
        return;
    free(row->mem);
    memset(row, 0, sizeof *row);
}

static char *put_hex64(char *d, uint64_t v)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 14; i >= 0; i -= 2, v >>= 8) {
        d[i] = hex[v >> 4 & 15];
        d[i + 1] = hex[v & 15];
    }
    return d + 16;
}

static bool tsv_special(char c)
{
    return c == '\t' || c == '\n' || c == '\r' || c == '\\';
}

/* The exact length first, so that a buffer too small gets nothing and the
 * caller learns the size in one call (as snprintf). */
size_t hanfold_fp_encode_row(char *dst, size_t cap, const hanfold_fprow *row)
{
    size_t idlen = row->id ? row->id_len : 0;
    size_t len = idlen;
    for (size_t i = 0; i < idlen; i++)
        len += tsv_special(row->id[i]);
    char digits[20];
    size_t nd = (size_t)(hf_fmt_u64(digits, row->key_tokens) - digits);
    len += 1 + 16 + 1 + nd + 1 + 16 + 1 + 2 + 1;
    if (row->key)
        len += row->key_len;
    else if (row->nsketch)
        len += row->nsketch * 17 - 1;
    if (len > cap)
        return len;
    char *d = dst;
    for (size_t i = 0; i < idlen; i++) {
        char c = row->id[i];
        if (tsv_special(c)) {
            *d++ = '\\';
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
        }
        *d++ = c;
    }
    *d++ = '\t';
    d = put_hex64(d, row->simhash);
    *d++ = '\t';
    memcpy(d, digits, nd);
    d += nd;
    *d++ = '\t';
    d = put_hex64(d, row->key_hash);
    *d++ = '\t';
    *d++ = row->key ? 'k' : 's';
    *d++ = ':';
    if (row->key) {
        if (row->key_len)
            memcpy(d, row->key, row->key_len);
        d += row->key_len;
    } else {
        for (size_t i = 0; i < row->nsketch; i++) {
            if (i)
                *d++ = ',';
            d = put_hex64(d, row->sketch[i]);
        }
    }
    *d++ = '\n';
    return len;
}

/* ---- binary --------------------------------------------------------------- */

/* Layout, version 1, all integers little-endian, the whole a multiple of 8
 * bytes so that encodings can follow each other and be read in place:
 *    0  'H' 'F' 'P' version
 *    4  u8 flags (FL_TOKENS: the key's tokens follow; 0 for a long record),
 *       3 zero bytes
 *    8  u32 key_tokens   12  u32 ntokens   16  u32 nsketch   20  u32 zero
 *   24  u64 simhash      32  u64 key_hash
 *   40  ntokens u32 token ids, zero-padded to a multiple of 8
 *       nsketch u64 sketch entries, strictly ascending */
enum { HEAD = 40, FL_TOKENS = 1 };

static size_t pad8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static bool host_le(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const unsigned char *p)
{
    return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

size_t hanfold_fp_encoded_size(const hanfold_fp *fp)
{
    size_t nt = fp->tokens ? fp->ntokens : 0;
    if (nt > HANFOLD_SHORT_MAX || fp->nsketch > HANFOLD_SKETCH_K || (fp->tokens && nt != fp->key_tokens))
        return 0;
    return HEAD + pad8(4 * nt) + 8 * fp->nsketch;
}

size_t hanfold_fp_encode(void *dst, size_t cap, const hanfold_fp *fp)
{
    size_t size = hanfold_fp_encoded_size(fp);
    if (!size || size > cap)
        return size;
    size_t nt = fp->tokens ? fp->ntokens : 0;
    unsigned char *p = dst;
    memset(p, 0, size);
    memcpy(p, "HFP", 3);
    p[3] = HANFOLD_FP_BINARY_VERSION;
    p[4] = fp->tokens ? FL_TOKENS : 0;
    put_le32(p + 8, fp->key_tokens);
    put_le32(p + 12, (uint32_t)nt);
    put_le32(p + 16, (uint32_t)fp->nsketch);
    put_le64(p + 24, fp->simhash);
    put_le64(p + 32, fp->key_hash);
    unsigned char *q = p + HEAD;
    for (size_t i = 0; i < nt; i++, q += 4)
        put_le32(q, fp->tokens[i]);
    q = p + HEAD + pad8(4 * nt);
    for (size_t i = 0; i < fp->nsketch; i++, q += 8)
        put_le64(q, fp->sketch[i]);
    return size;
}

static bool all_zero(const unsigned char *p, size_t n)
{
    unsigned char acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return !acc;
}

int hanfold_fp_decode(const void *src, size_t n, hanfold_fp *fp, hanfold_fp_store *store, size_t *used)
{
    const unsigned char *p = src;
    memset(fp, 0, sizeof *fp);
    if (n < HEAD || memcmp(p, "HFP", 3))
        return -EBADMSG;
    if (p[3] != HANFOLD_FP_BINARY_VERSION)
        return -EPROTONOSUPPORT;
    uint32_t kt = get_le32(p + 8), nt = get_le32(p + 12), ns = get_le32(p + 16);
    bool has_tokens = p[4] & FL_TOKENS;
    /* unknown flags and reserved bytes must be zero: a later version may
     * give them a meaning this one would silently ignore */
    if ((p[4] & ~FL_TOKENS) || !all_zero(p + 5, 3) || !all_zero(p + 20, 4))
        return -EBADMSG;
    if (nt > HANFOLD_SHORT_MAX || ns > HANFOLD_SKETCH_K || (has_tokens ? nt != kt : nt != 0))
        return -EBADMSG;
    size_t tbytes = 4 * (size_t)nt, size = HEAD + pad8(tbytes) + 8 * (size_t)ns;
    if (n < size || !all_zero(p + HEAD + tbytes, pad8(tbytes) - tbytes))
        return -EBADMSG;
    const unsigned char *t = p + HEAD, *s = p + HEAD + pad8(tbytes);
    for (size_t i = 1; i < ns; i++)
        if (get_le64(s + 8 * (i - 1)) >= get_le64(s + 8 * i))
            return -EBADMSG;
    if (!store && (!host_le() || ((uintptr_t)src & 7)))
        return -EINVAL;
    fp->key_tokens = kt;
    fp->simhash = get_le64(p + 24);
    fp->key_hash = get_le64(p + 32);
    fp->ntokens = nt;
    fp->nsketch = ns;
    if (store) {
        for (size_t i = 0; i < nt; i++)
            store->tokens[i] = get_le32(t + 4 * i);
        for (size_t i = 0; i < ns; i++)
            store->sketch[i] = get_le64(s + 8 * i);
        fp->tokens = has_tokens ? store->tokens : NULL;
        fp->sketch = store->sketch;
    } else {
        fp->tokens = has_tokens ? (const uint32_t *)(const void *)t : NULL;
        fp->sketch = (const uint64_t *)(const void *)s;
    }
    if (used)
        *used = size;
    return 0;
}
