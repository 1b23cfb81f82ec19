/* Minimal table-driven test helpers: CHECK prints the failing expression
 * with its location and counts failures; check_done() returns the exit code
 * meson expects (0 pass, 1 fail). */
#ifndef HF_CHECK_H
#define HF_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond) do { \
    check_count++; \
    if (!(cond)) { \
        check_failures++; \
        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    } \
} while (0)

/* Compares a (pointer, length) result with an expected C string. */
#define CHECK_STR(got, gotlen, want) do { \
    check_count++; \
    const char *w_ = (want); \
    size_t wl_ = strlen(w_); \
    if ((gotlen) != wl_ || memcmp((got), w_, wl_) != 0) { \
        check_failures++; \
        fprintf(stderr, "%s:%d: got \"%.*s\"\n%*swant \"%s\"\n", __FILE__, __LINE__, \
                (int)(gotlen), (const char *)(got), (int)strlen(__FILE__) + 8, "", w_); \
    } \
} while (0)

static inline int check_done(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

/* The tests' reproducible random numbers: xorshift64 (Marsaglia 2003)
 * over a state each test seeds itself. */
static inline uint64_t xorshift64(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

#endif
