/* Compressed input (src/cli/decompress.c): whatever the bytes, reading them
 * ends (data, then 0 or -1) without a crash, and what is read does not
 * depend on how much each read asks for (the reader asks for whatever room
 * its buffer has left): read 64 KiB at a time, then 1 to 200 bytes at a
 * time (sizes taken from the input), the outcome is the same, and so are
 * the bytes, except that before an error one may have more of them than
 * the other (a zstd frame decoded in one go into a large enough buffer is
 * given nothing when its checksum fails; in small pieces its blocks went
 * out before the check), and libzstd's own words for the damage, in
 * parentheses, may differ with the path it took.  The stream object is
 * reused between the two, as the reader reuses it from one file to the
 * next.  Output is capped at 4 MiB. */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decompress.h"
#include "fuzz.h"

#define OUT_CAP ((size_t)4 << 20)

typedef struct {
    size_t n;
    ssize_t end;       /* 0, -1, or 1: stopped at the cap */
    char err[256];
} outcome;

static void drain(hf_instream *s, int fd, const uint8_t *sizes, size_t nsizes, uint8_t *out, outcome *o)
{
    FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);
    hf_instream_open(s, fd);
    o->n = 0;
    o->err[0] = '\0';
    for (size_t k = 0;; k++) {
        size_t want = nsizes ? (size_t)(sizes[k % nsizes] % 200 + 1) : (size_t)65536;
        if (want > OUT_CAP - o->n)
            want = OUT_CAP - o->n;
        if (!want) {
            o->end = 1;
            return;
        }
        ssize_t got = hf_instream_read(s, out + o->n, want);
        FUZZ_CHECK(got <= (ssize_t)want);
        if (got <= 0) {
            o->end = got;
            FUZZ_CHECK(got == 0 || got == -1);
            FUZZ_CHECK((got < 0) == (hf_instream_error(s)[0] != '\0'));
            snprintf(o->err, sizeof o->err, "%s", hf_instream_error(s));
            /* the end stays the end */
            uint8_t one;
            FUZZ_CHECK(hf_instream_read(s, &one, 1) == got);
            return;
        }
        o->n += (size_t)got;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-decompress", 0);
    if (fd < 0)
        return 0;
    for (size_t off = 0; off < size;) {
        ssize_t w = write(fd, data + off, size - off);
        FUZZ_CHECK(w > 0);
        off += (size_t)w;
    }
    static uint8_t *a, *b;
    if (!a && !(a = malloc(OUT_CAP)))
        abort();
    if (!b && !(b = malloc(OUT_CAP)))
        abort();
    hf_instream *s;
    FUZZ_CHECK(hf_instream_new(&s) == 0);
    outcome x, y;
    drain(s, fd, NULL, 0, a, &x);
    drain(s, fd, data, size, b, &y);
    FUZZ_CHECK(x.end == y.end);
    FUZZ_CHECK(strcspn(x.err, "(") == strcspn(y.err, "(") && !strncmp(x.err, y.err, strcspn(x.err, "(")));
    FUZZ_CHECK(x.n == y.n || x.end < 0);
    FUZZ_CHECK(!memcmp(a, b, x.n < y.n ? x.n : y.n));
    /* input that no magic opens is given back byte for byte */
    if (!hf_instream_format(s) && x.end == 0)
        FUZZ_CHECK(x.n == size && !memcmp(a, data, size));
    hf_instream_free(&s);
    FUZZ_CHECK(s == NULL);
    close(fd);
    return 0;
}
