/* Character classes shared by the stages. */
#ifndef HF_UNICODE_H
#define HF_UNICODE_H

#include <stdbool.h>
#include <stdint.h>

/* Han ideographs: URO, extension A, compatibility ideographs, the
 * supplementary-plane extensions, and U+3007 (〇). */
static inline bool hf_is_han(uint32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3134F) || c == 0x3007;
}

#endif
