/* Compressed input (see decompress.h).
 *
 * The format is told by magic bytes, never by the file name, so that pipes
 * work as files do: gzip (RFC 1952: 1f 8b, deflate 08), zstd (RFC 8878: a
 * frame 28 b5 2f fd, or a skippable frame 5? 2a 4d 18) and xz (fd 37 7a 58
 * 5a 00).  Text in UTF-8, GB18030 or Big5 cannot start with any of them
 * (8b, b5 and fd are no UTF-8 lead bytes, and what follows them there is
 * no GB18030 or Big5 trail byte); bzip2's magic, recognized only to be
 * refused, is ASCII, and is taken for bzip2 only whole (BZh91AY&SY).
 *
 * Every format is streamed: compressed bytes through one 128 KiB buffer,
 * decompressed straight into the reader's buffer, so that memory does not
 * grow with the file (zstd keeps a frame's window, at most libzstd's
 * default limit of 128 MiB; xz its dictionary).  A file may hold several
 * compressed units one after the other, as `cat a.gz b.gz` makes and as
 * Common Crawl's WET files are (a gzip member per record): gzip members are
 * read until the input ends (inflateReset between them), zstd frames
 * likewise (libzstd starts the next frame by itself), xz streams with
 * LZMA_CONCATENATED.  Every check the formats carry is verified (gzip's
 * CRC-32 and length by zlib, zstd's checksum when the frame has one, xz's
 * check), and so only at the end of a member, frame or block.  Bytes after
 * a gzip member that do not start another one are an error, not an end:
 * gzip(1) warns about them too, and nothing is dropped unsaid. */
#include "decompress.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

/* compressed bytes read at a time */
#define IN_CAP ((size_t)128 << 10)

enum fmt { FMT_UNKNOWN, FMT_PLAIN, FMT_GZIP, FMT_ZSTD, FMT_XZ };

struct hf_instream {
    int fd;
    enum fmt fmt;
    unsigned char *in;       /* bytes read from fd; [in_pos, in_len) not used yet */
    size_t in_pos, in_len;
    bool in_eof;             /* fd is at its end */
    bool done;               /* nothing more to give (the end, or an error) */
    bool failed;
    uint64_t bytes_in;
    char err[256];
    /* gzip */
    z_stream z;
    bool z_made;
    bool z_between;          /* a member ended: another one or the end follows */
    /* zstd */
    ZSTD_DCtx *zd;
    size_t zret;             /* last ZSTD_decompressStream() hint: 0 between frames */
    /* xz */
    lzma_stream lz;
    bool lz_made;
};

int hf_instream_new(hf_instream **out)
{
    hf_instream *s = calloc(1, sizeof *s);
    if (!s || !(s->in = malloc(IN_CAP))) {
        free(s);
        return -ENOMEM;
    }
    s->fd = -1;
    s->lz = (lzma_stream)LZMA_STREAM_INIT;
    *out = s;
    return 0;
}

void hf_instream_free(hf_instream **ps)
{
    if (!ps || !*ps)
        return;
    hf_instream *s = *ps;
    if (s->z_made)
        inflateEnd(&s->z);
    ZSTD_freeDCtx(s->zd);
    if (s->lz_made)
        lzma_end(&s->lz);
    free(s->in);
    free(s);
    *ps = NULL;
}

void hf_instream_open(hf_instream *s, int fd)
{
    s->fd = fd;
    s->fmt = FMT_UNKNOWN;
    s->in_pos = s->in_len = 0;
    s->in_eof = s->done = s->failed = false;
    s->bytes_in = 0;
    s->err[0] = '\0';
}

const char *hf_instream_error(const hf_instream *s) { return s->err; }
uint64_t hf_instream_bytes_in(const hf_instream *s) { return s->bytes_in; }

const char *hf_instream_format(const hf_instream *s)
{
    switch (s->fmt) {
    case FMT_GZIP: return "gzip";
    case FMT_ZSTD: return "zstd";
    case FMT_XZ: return "xz";
    default: return NULL;
    }
}

static ssize_t fail(hf_instream *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static ssize_t fail(hf_instream *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    s->failed = s->done = true;
    return -1;
}

/* After fail(): the bytes a decoder wrote in the same call go out first,
 * the error on the next call, so that what is read before damage does not
 * depend on how much each read asked for (tests/fuzz/fuzz_decompress.c). */
static ssize_t given(size_t got)
{
    return got ? (ssize_t)got : -1;
}

/* Reads more of fd after the unused bytes (moved to the front when the
 * buffer is full).  1: read some, 0: end of file, -1: read error. */
static int fill_in(hf_instream *s)
{
    if (s->in_eof)
        return 0;
    if (s->in_pos == s->in_len) {
        s->in_pos = s->in_len = 0;
    } else if (s->in_len == IN_CAP) {
        memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
        s->in_len -= s->in_pos;
        s->in_pos = 0;
    }
    ssize_t got;
    do
        got = read(s->fd, s->in + s->in_len, IN_CAP - s->in_len);
    while (got < 0 && errno == EINTR);
    if (got < 0) {
        fail(s, "read error: %s", strerror(errno));
        return -1;
    }
    if (got == 0) {
        s->in_eof = true;
        return 0;
    }
    s->in_len += (size_t)got;
    s->bytes_in += (uint64_t)got;
    return 1;
}

/* Makes n unused bytes available if the input has them (n <= IN_CAP);
 * returns how many are, or -1 on a read error. */
static ssize_t need(hf_instream *s, size_t n)
{
    while (s->in_len - s->in_pos < n) {
        if (s->in_pos && s->in_len - s->in_pos + (IN_CAP - s->in_len) < n) {
            memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
            s->in_len -= s->in_pos;
            s->in_pos = 0;
        }
        int k = fill_in(s);
        if (k < 0)
            return -1;
        if (k == 0)
            break;
    }
    return (ssize_t)(s->in_len - s->in_pos);
}

static const struct magic {
    enum fmt fmt;
    const char *name;        /* for the unsupported ones */
    size_t len;
    unsigned char b[10], mask0;
} magics[] = {
    {FMT_GZIP, NULL, 3, {0x1f, 0x8b, 0x08}, 0xff},
    {FMT_ZSTD, NULL, 4, {0x28, 0xb5, 0x2f, 0xfd}, 0xff},
    {FMT_ZSTD, NULL, 4, {0x50, 0x2a, 0x4d, 0x18}, 0xf0}, /* skippable frame */
    {FMT_XZ, NULL, 6, {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00}, 0xff},
    /* recognized, to say so instead of reading compressed bytes as text */
    {FMT_UNKNOWN, "bzip2", 10, {'B', 'Z', 'h', '1', '1', 'A', 'Y', '&', 'S', 'Y'}, 0xff},
    {FMT_UNKNOWN, "lz4", 4, {0x04, 0x22, 0x4d, 0x18}, 0xff},
};

/* bzip2's fourth byte is the block size, 1 to 9 */
static bool magic_byte(const struct magic *m, size_t i, unsigned char c)
{
    if (i == 0)
        return (c & m->mask0) == m->b[0];
    if (m->name && !strcmp(m->name, "bzip2") && i == 3)
        return c >= '1' && c <= '9';
    return c == m->b[i];
}

/* Reads until the first bytes match one magic whole or can match none (a
 * pipe that has given one byte of plain text is read as text at once). */
static int detect(hf_instream *s)
{
    size_t want = 1;
    for (;;) {
        ssize_t have = need(s, want);
        if (have < 0)
            return -1;
        const unsigned char *p = s->in + s->in_pos;
        size_t longest = 0;
        for (size_t k = 0; k < sizeof magics / sizeof magics[0]; k++) {
            const struct magic *m = &magics[k];
            size_t i = 0;
            while (i < m->len && i < (size_t)have && magic_byte(m, i, p[i]))
                i++;
            if (i == m->len) {
                if (m->fmt == FMT_UNKNOWN) {
                    fail(s, "%s-compressed input is not supported (gzip, zstd and xz are); "
                            "decompress it first", m->name);
                    return -1;
                }
                s->fmt = m->fmt;
                return 0;
            }
            if (i == (size_t)have && m->len > longest)
                longest = m->len; /* matches so far, more bytes needed */
        }
        if (!longest || (size_t)have < want) {
            s->fmt = FMT_PLAIN; /* matches nothing, or the input ended */
            return 0;
        }
        want = (size_t)have + 1;
    }
}

static ssize_t read_plain(hf_instream *s, void *buf, size_t cap)
{
    if (s->in_pos < s->in_len) {
        size_t n = s->in_len - s->in_pos < cap ? s->in_len - s->in_pos : cap;
        memcpy(buf, s->in + s->in_pos, n);
        s->in_pos += n;
        return (ssize_t)n;
    }
    if (s->in_eof)
        return 0;
    /* the reader does its own buffering: straight into its buffer */
    ssize_t got;
    do
        got = read(s->fd, buf, cap);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return fail(s, "read error: %s", strerror(errno));
    if (got == 0)
        s->in_eof = true;
    s->bytes_in += (uint64_t)got;
    return got;
}

static ssize_t read_gzip(hf_instream *s, void *buf, size_t cap)
{
    if (cap > UINT_MAX)
        cap = UINT_MAX;
    s->z.next_out = buf;
    s->z.avail_out = (uInt)cap;
    for (;;) {
        if (s->z_between) {
            ssize_t have = need(s, 3);
            if (have < 0)
                return -1;
            if (have == 0) {
                s->done = true;
                return 0;
            }
            const unsigned char *p = s->in + s->in_pos;
            if (have < 3 || p[0] != 0x1f || p[1] != 0x8b || p[2] != 0x08)
                return fail(s, "not gzip data after the end of a gzip member (at byte %llu of the file)",
                            (unsigned long long)(s->bytes_in - (s->in_len - s->in_pos)));
            if (inflateReset(&s->z) != Z_OK)
                return fail(s, "out of memory");
            s->z_between = false;
        }
        if (s->in_pos == s->in_len && fill_in(s) < 0)
            return -1;
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        int ret = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        switch (ret) {
        case Z_STREAM_END:
            s->z_between = true;
            break;
        case Z_OK:
        case Z_BUF_ERROR: /* no progress: more input is needed */
            break;
        case Z_MEM_ERROR:
            fail(s, "out of memory");
            return given(cap - s->z.avail_out);
        default:
            fail(s, "corrupt gzip data (%s)", s->z.msg ? s->z.msg : "inflate failed");
            return given(cap - s->z.avail_out);
        }
        size_t got = cap - s->z.avail_out;
        if (got)
            return (ssize_t)got;
        if (!s->z_between && s->in_eof && s->in_pos == s->in_len)
            return fail(s, "truncated gzip data (the input ends inside a gzip member)");
    }
}

static ssize_t read_zstd(hf_instream *s, void *buf, size_t cap)
{
    ZSTD_outBuffer out = {buf, cap, 0};
    for (;;) {
        if (s->in_pos == s->in_len && fill_in(s) < 0)
            return -1;
        ZSTD_inBuffer in = {s->in, s->in_len, s->in_pos};
        size_t ret = ZSTD_decompressStream(s->zd, &out, &in);
        if (ZSTD_isError(ret) && ZSTD_getErrorCode(ret) == ZSTD_error_frameParameter_windowTooLarge) {
            /* not damage: made with zstd --long, as zstd(1) refuses too */
            fail(s, "zstd data with a window over libzstd's default limit of 128 MiB (made with "
                    "zstd --long); decompress it with zstd -d --long=31 and pipe it in");
            return given(out.pos);
        }
        if (ZSTD_isError(ret)) {
            fail(s, "corrupt zstd data (%s)", ZSTD_getErrorName(ret));
            return given(out.pos);
        }
        /* 0 when a frame has just ended; a call that did nothing (no input
         * left) hints at the next frame's header instead */
        if (in.pos != s->in_pos || out.pos)
            s->zret = ret;
        s->in_pos = in.pos;
        if (out.pos)
            return (ssize_t)out.pos;
        if (s->in_eof && s->in_pos == s->in_len) {
            /* libzstd has flushed all it holds: between frames is the end */
            if (s->zret == 0) {
                s->done = true;
                return 0;
            }
            return fail(s, "truncated zstd data (the input ends inside a zstd frame)");
        }
    }
}

static ssize_t read_xz(hf_instream *s, void *buf, size_t cap)
{
    s->lz.next_out = buf;
    s->lz.avail_out = cap;
    for (;;) {
        if (s->in_pos == s->in_len && fill_in(s) < 0)
            return -1;
        s->lz.next_in = s->in + s->in_pos;
        s->lz.avail_in = s->in_len - s->in_pos;
        /* LZMA_CONCATENATED: the end is known only once the input has ended */
        lzma_ret ret = lzma_code(&s->lz, s->in_eof ? LZMA_FINISH : LZMA_RUN);
        s->in_pos = s->in_len - s->lz.avail_in;
        size_t got = cap - s->lz.avail_out;
        switch (ret) {
        case LZMA_OK:
            break;
        case LZMA_STREAM_END:
            s->done = true;
            return (ssize_t)got;
        case LZMA_BUF_ERROR:
            fail(s, "truncated xz data (the input ends inside an xz stream)");
            return given(got);
        case LZMA_MEM_ERROR:
            fail(s, "out of memory");
            return given(got);
        case LZMA_FORMAT_ERROR:
            fail(s, "corrupt xz data (not an xz stream)");
            return given(got);
        case LZMA_OPTIONS_ERROR:
            fail(s, "xz data with options this liblzma does not support");
            return given(got);
        case LZMA_DATA_ERROR:
            fail(s, "corrupt xz data");
            return given(got);
        default:
            fail(s, "corrupt xz data (liblzma error %d)", (int)ret);
            return given(got);
        }
        if (got)
            return (ssize_t)got;
    }
}

/* Sets up the decoder of the format just detected. */
static int start(hf_instream *s)
{
    switch (s->fmt) {
    case FMT_GZIP:
        if (!s->z_made) {
            memset(&s->z, 0, sizeof s->z);
            /* 15 + 16: a gzip wrapper only; zlib checks its CRC-32 and length */
            if (inflateInit2(&s->z, 15 + 16) != Z_OK)
                return fail(s, "out of memory"), -1;
            s->z_made = true;
        } else if (inflateReset(&s->z) != Z_OK) {
            return fail(s, "out of memory"), -1;
        }
        s->z_between = false;
        return 0;
    case FMT_ZSTD:
        if (!s->zd && !(s->zd = ZSTD_createDCtx()))
            return fail(s, "out of memory"), -1;
        ZSTD_DCtx_reset(s->zd, ZSTD_reset_session_only);
        s->zret = 0;
        return 0;
    case FMT_XZ:
        /* no memory limit, as xz(1) decompresses by default */
        if (lzma_stream_decoder(&s->lz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
            return fail(s, "out of memory"), -1;
        s->lz_made = true;
        return 0;
    default:
        return 0;
    }
}

ssize_t hf_instream_read(hf_instream *s, void *buf, size_t cap)
{
    if (s->failed)
        return -1;
    if (s->done || !cap)
        return 0;
    if (s->fmt == FMT_UNKNOWN && (detect(s) < 0 || start(s) < 0))
        return -1;
    switch (s->fmt) {
    case FMT_GZIP: return read_gzip(s, buf, cap);
    case FMT_ZSTD: return read_zstd(s, buf, cap);
    case FMT_XZ: return read_xz(s, buf, cap);
    default: return read_plain(s, buf, cap);
    }
}
