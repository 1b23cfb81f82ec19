/* Fuzz targets: libFuzzer's entry point, built either against libFuzzer
 * (-Dfuzzing_engine=libfuzzer) or with replay.c as a corpus replayer that
 * meson test runs.  A target aborts (FUZZ_CHECK) when an invariant breaks. */
#ifndef HF_FUZZ_H
#define HF_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
        abort(); \
    } \
} while (0)

#endif
