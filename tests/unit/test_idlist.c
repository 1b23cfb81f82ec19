/* hf_idlist (src/cli/idlist.c) against a plain array of every number's id. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "idlist.h"

static uint64_t rs = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    return xorshift64(&rs);
}

#define N 300000

int main(void)
{
    static char *want[N];
    hf_idlist l = HF_IDLIST_INIT;
    CHECK(hf_idlist_get(&l, 0) == NULL);
    /* runs of members and gaps of every length, some longer than a block */
    uint64_t x = 0;
    size_t members = 0;
    while (x < N) {
        uint64_t run = rnd() % 40, gap = rnd() % 32 == 0 ? rnd() % 2000 : rnd() % 5;
        for (uint64_t k = 0; k < run && x < N; k++, x++) {
            char id[32];
            /* empty ids too: they must not shift the ones after them */
            size_t len = rnd() % 7 == 0 ? 0 : (size_t)snprintf(id, sizeof id, "r%llu", (unsigned long long)(rnd() % 100000));
            id[len] = '\0';
            want[x] = strdup(id);
            CHECK(hf_idlist_add(&l, x, id) == 0);
            members++;
        }
        x += gap;
    }
    CHECK(l.n == members);
    size_t wrong = 0;
    for (uint64_t k = 0; k < N + 5000; k++) {
        const char *got = hf_idlist_get(&l, k);
        const char *w = k < N ? want[k] : NULL;
        wrong += (got == NULL) != (w == NULL) || (got && strcmp(got, w));
    }
    CHECK(wrong == 0);
    printf("idlist: %zu members of %d numbers, %zu wrong lookups, %.2f bytes/number besides the ids\n",
           members, N, wrong, (double)(hf_idlist_bytes(&l) - l.ids.cap) / N);
    /* numbers must ascend */
    CHECK(hf_idlist_add(&l, l.last, "x") == -EINVAL);
    CHECK(hf_idlist_add(&l, 0, "x") == -EINVAL);
    CHECK(hf_idlist_get(&l, l.last) && !strcmp(hf_idlist_get(&l, l.last), want[l.last]));
    hf_idlist_free(&l);
    for (size_t k = 0; k < N; k++)
        free(want[k]);
    /* the first member far from 0 */
    CHECK(hf_idlist_add(&l, 1000003, "far") == 0);
    CHECK(hf_idlist_get(&l, 1000002) == NULL);
    CHECK(hf_idlist_get(&l, 1000003) && !strcmp(hf_idlist_get(&l, 1000003), "far"));
    hf_idlist_free(&l);
    return check_done("idlist");
}
