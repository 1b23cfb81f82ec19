/* The hand-written number formatting of the output rows against printf:
 * hf_fmt_fixed3 must print exactly what "%.3f" prints for every value,
 * the similarities clustering writes (ratios of token counts, Jaccard
 * estimates, 1 - d/64), ties and near-ties, and the rest (negative, huge,
 * not a number), which it hands to printf. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hanfold.h"
#include "outfmt.h"

/* outfmt.c writes rows through hf_out; here into a buffer */
static char sink[256];
static size_t sink_len;
void hf_out(const void *p, size_t n)
{
    if (sink_len + n <= sizeof sink) {
        memcpy(sink + sink_len, p, n);
        sink_len += n;
    }
}

static size_t wrong, tried;

static void one(double v)
{
    char want[400], got[400];
    snprintf(want, sizeof want, "%.3f", v);
    char *e = hf_fmt_fixed3(got, sizeof got, v);
    tried++;
    /* a similarity (0 to 1, never -0) kept in thousandths prints the same */
    if (!signbit(v) && v <= 1) {
        char again[64];
        char *a = hf_fmt_fixed3(again, sizeof again, hf_fixed3_milli(v) / 1000.0);
        if ((size_t)(a - again) != strlen(want) || memcmp(again, want, strlen(want))) {
            if (wrong++ < 10)
                fprintf(stderr, "outfmt: %.17g: in thousandths \"%.*s\", printf \"%s\"\n", v, (int)(a - again),
                        again, want);
        }
    }
    if ((size_t)(e - got) != strlen(want) || memcmp(got, want, strlen(want))) {
        if (wrong++ < 10)
            fprintf(stderr, "outfmt: %.17g: got \"%.*s\", printf \"%s\"\n", v, (int)(e - got), got, want);
    }
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int main(void)
{
    /* every ratio of token counts up to 2,000 */
    for (unsigned n = 1; n <= 2000; n++)
        for (unsigned k = 0; k <= n; k++)
            one((double)k / n);
    for (unsigned d = 0; d <= 64; d++)
        one(1.0 - d / 64.0);
    /* ties and their neighbours: k / 2000 for odd k is half a thousandth */
    for (unsigned k = 0; k <= 4000; k++) {
        double t = k / 2000.0;
        one(t);
        one(nextafter(t, 0));
        one(nextafter(t, 10));
        one(t + 1e-9);
        one(t - 1e-9);
    }
    /* random doubles, small and large, and the values printf must take */
    for (int i = 0; i < 1000000; i++) {
        double v = (double)(rnd() >> 11) / (double)(1ULL << 53);
        one(v);
        one(v * 2e6);
        one(-v);
    }
    /* near-ties where v * 1000 loses the digits that decide them */
    for (int i = 0; i < 100000; i++) {
        double t = ((double)(rnd() % 1000000000000000ULL) + 0.5) / 1000;
        one(t);
        one(nextafter(t, 0));
        one(nextafter(t, INFINITY));
    }
    double odd[] = {0.0, -0.0, 1e6, 999999.9995, 1e6 - 1e-7, 1e300, -1e300, INFINITY, -INFINITY, NAN, 0.0005, 0.0015,
                    2.5e-4, 0.9995, 0.9994999999999999, 1e-320};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        one(odd[i]);
    CHECK(wrong == 0);
    fprintf(stderr, "outfmt: %zu values, %zu differ from printf\n", tried, wrong);

    /* the rows themselves */
    sink_len = 0;
    hf_out_cluster_row(HF_ROW_TSV, "a\tb", "c", 0.8125, HF_MEASURE_CONTAINMENT);
    CHECK_STR(sink, sink_len, "a\\tb\tc\t0.812\n");
    sink_len = 0;
    hf_out_cluster_row(HF_ROW_CSV, "a,b", "c", 1.0, HF_MEASURE_EXACT);
    CHECK_STR(sink, sink_len, "\"a,b\",c,1.000\n");
    sink_len = 0;
    hf_out_cluster_row(HF_ROW_JSONL, "a", "b", 2.0 / 3, HF_MEASURE_JACCARD);
    CHECK_STR(sink, sink_len, "{\"id\":\"a\",\"cluster\":\"b\",\"similarity\":0.667,\"measure\":\"jaccard\"}\n");
    /* every measure has its own name; kinds map onto them */
    CHECK_STR(hf_measure_name(HF_MEASURE_SELF), strlen(hf_measure_name(HF_MEASURE_SELF)), "self");
    CHECK_STR(hf_measure_name(HF_MEASURE_SIMHASH), strlen(hf_measure_name(HF_MEASURE_SIMHASH)), "simhash");
    CHECK(hf_measure_of_kind(HANFOLD_PAIR_SHORT) == HF_MEASURE_CONTAINMENT);
    CHECK(hf_measure_of_kind(HANFOLD_PAIR_LONG) == HF_MEASURE_CONTAINMENT);
    CHECK(hf_measure_of_kind(HANFOLD_PAIR_JACCARD) == HF_MEASURE_JACCARD);
    CHECK(hf_measure_of_kind(HANFOLD_PAIR_TINY) == HF_MEASURE_EXACT);
    return check_done("outfmt");
}
