/* LD_PRELOAD fault injector for tests/cli/faults.sh.
 *
 *   HF_FAIL_ALLOC=N        the Nth malloc/calloc/realloc called from the
 *                          program itself (not from libc, OpenCC, libxml2...)
 *                          returns NULL with errno ENOMEM
 *   HF_FAIL_READ_AFTER=N   read(2) of the file HF_FAIL_READ_FILE fails with
 *                          EIO once N bytes of it were read
 *   HF_FAIL_WRITE_UNDER=D  write(2)/pwrite(2) to files in directory D fail
 *                          with ENOSPC once HF_FAIL_WRITE_AFTER bytes (default
 *                          0) were written to them: a full disk (TMPDIR)
 *
 * At exit it prints "faultinject: allocations A failed F" on stderr so the
 * driver knows when N has passed the last allocation site. */
/* pwrite and pwrite64 are both interposed: the program calls the one its
 * _FILE_OFFSET_BITS names, which here must not rename pwrite */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static const char *write_under;
static long long write_limit, write_total;
static uintptr_t main_lo, main_hi;
static long fail_at = -1, count, failed;
static long long read_limit = -1, read_total;
static const char *read_file;
static int ready, in_init;

/* dlsym may allocate before real_calloc is known: serve it from here */
static char boot[4096];
static size_t boot_used;

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    /* the first object is the main program */
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            main_lo = info->dlpi_addr + ph->p_vaddr;
            main_hi = main_lo + ph->p_memsz;
        }
    }
    return 1;
}

static void report(void)
{
    if (fail_at > 0)
        fprintf(stderr, "faultinject: allocations %ld failed %ld\n", count, failed);
}

static void init(void)
{
    if (ready || in_init)
        return;
    in_init = 1;
    real_malloc = dlsym(RTLD_NEXT, "malloc");
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_read = dlsym(RTLD_NEXT, "read");
    real_write = dlsym(RTLD_NEXT, "write");
    real_pwrite = dlsym(RTLD_NEXT, "pwrite");
    real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
    write_under = getenv("HF_FAIL_WRITE_UNDER");
    const char *wa = getenv("HF_FAIL_WRITE_AFTER");
    write_limit = wa ? atoll(wa) : 0;
    const char *a = getenv("HF_FAIL_ALLOC"), *r = getenv("HF_FAIL_READ_AFTER");
    if (a)
        fail_at = atol(a);
    if (r)
        read_limit = atoll(r);
    read_file = getenv("HF_FAIL_READ_FILE");
    dl_iterate_phdr(phdr_cb, NULL);
    atexit(report);
    in_init = 0;
    ready = 1;
}

static int should_fail(void *caller)
{
    if (!ready || fail_at <= 0)
        return 0;
    uintptr_t c = (uintptr_t)caller;
    if (c < main_lo || c >= main_hi)
        return 0;
    if (++count == fail_at) {
        failed++;
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

void *malloc(size_t n)
{
    init();
    if (!real_malloc) {
        void *p = boot + boot_used;
        boot_used += (n + 15) & ~(size_t)15;
        return boot_used <= sizeof boot ? p : NULL;
    }
    if (should_fail(__builtin_return_address(0)))
        return NULL;
    return real_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    init();
    if (!real_calloc) {
        void *p = boot + boot_used;
        boot_used += (a * b + 15) & ~(size_t)15;
        return boot_used <= sizeof boot ? p : NULL; /* static storage is zeroed */
    }
    if (should_fail(__builtin_return_address(0)))
        return NULL;
    return real_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    init();
    if (should_fail(__builtin_return_address(0)))
        return NULL;
    return real_realloc(p, n);
}

void free(void *p)
{
    static void (*real_free)(void *);
    if ((char *)p >= boot && (char *)p < boot + sizeof boot)
        return;
    if (!real_free)
        real_free = dlsym(RTLD_NEXT, "free");
    real_free(p);
}

ssize_t read(int fd, void *buf, size_t n)
{
    init();
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t tl = read_file ? readlink(link, target, sizeof target - 1) : -1;
    if (tl >= 0)
        target[tl] = '\0';
    if (read_limit >= 0 && tl >= 0 && !strcmp(target, read_file)) {
        if (read_total >= read_limit) {
            errno = EIO;
            return -1;
        }
        if ((long long)n > read_limit - read_total)
            n = (size_t)(read_limit - read_total);
    }
    ssize_t r = real_read(fd, buf, n);
    if (r > 0 && tl >= 0 && read_file && !strcmp(target, read_file))
        read_total += r;
    return r;
}

/* How much of n bytes to fd may be written before the disk is "full":
 * n when fd is not under HF_FAIL_WRITE_UNDER; -1 (errno ENOSPC) when full. */
static ssize_t write_room(int fd, size_t n)
{
    if (!write_under)
        return (ssize_t)n;
    char link[64], target[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t tl = readlink(link, target, sizeof target - 1);
    size_t dl = strlen(write_under);
    if (tl < 0 || (size_t)tl <= dl || strncmp(target, write_under, dl) != 0 || target[dl] != '/')
        return (ssize_t)n;
    if (write_total >= write_limit) {
        errno = ENOSPC;
        return -1;
    }
    if ((long long)n > write_limit - write_total)
        n = (size_t)(write_limit - write_total);
    write_total += (long long)n;
    return (ssize_t)n;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    init();
    ssize_t room = write_room(fd, n);
    return room < 0 ? -1 : real_write(fd, buf, (size_t)room);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    init();
    ssize_t room = write_room(fd, n);
    return room < 0 ? -1 : real_pwrite(fd, buf, (size_t)room, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    init();
    ssize_t room = write_room(fd, n);
    return room < 0 ? -1 : real_pwrite64(fd, buf, (size_t)room, off);
}
