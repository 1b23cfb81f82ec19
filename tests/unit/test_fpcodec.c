/* The fingerprint codec: text rows (exact bytes of `hanfold fingerprint`)
 * and the binary form; round trips of every field, truncated input and
 * garbage. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hanfold.h"

static size_t encode_row(char *buf, size_t cap, const hanfold_fprow *r)
{
    size_t n = hanfold_fp_encode_row(buf, cap, r);
    CHECK(n <= cap);
    return n;
}

static void test_row_exact(void)
{
    char buf[4096];
    hanfold_fprow r = {0};
    r.id = "a\tb\\c\nd\re";
    r.id_len = strlen(r.id);
    r.simhash = 0x0123456789abcdefULL;
    r.key_tokens = 4294967295u;
    r.key_hash = 0xfedcba9876543210ULL;
    r.key = "今天\t天气";
    r.key_len = strlen(r.key);
    size_t n = encode_row(buf, sizeof buf, &r);
    CHECK_STR(buf, n, "a\\tb\\\\c\\nd\\re\t0123456789abcdef\t4294967295\tfedcba9876543210\tk:今天\t天气\n");

    /* too small: the length, nothing written */
    char small[8] = "xxxxxxx";
    CHECK(hanfold_fp_encode_row(small, sizeof small, &r) == n);
    CHECK(!memcmp(small, "xxxxxxx", 8));
    CHECK(hanfold_fp_encode_row(NULL, 0, &r) == n);

    uint64_t sk[3] = {1, 0xabcdefULL, UINT64_MAX};
    hanfold_fprow l = {.id = "7", .id_len = 1, .key_tokens = 0, .sketch = sk, .nsketch = 3};
    n = encode_row(buf, sizeof buf, &l);
    CHECK_STR(buf, n, "7\t0000000000000000\t0\t0000000000000000\ts:0000000000000001,0000000000abcdef,ffffffffffffffff\n");
    l.nsketch = 0;
    n = encode_row(buf, sizeof buf, &l);
    CHECK_STR(buf, n, "7\t0000000000000000\t0\t0000000000000000\ts:\n");
    hanfold_fprow e = {.id = "", .key = "", .key_len = 0};
    n = encode_row(buf, sizeof buf, &e);
    CHECK_STR(buf, n, "\t0000000000000000\t0\t0000000000000000\tk:\n");
}

static void test_row_roundtrip(void)
{
    char buf[8192];
    uint64_t sk[HANFOLD_SKETCH_K];
    uint64_t x = 88172645463325252ULL;
    hanfold_fprow d = {0};
    for (int round = 0; round < 200; round++) {
        char id[32];
        size_t idn = 0;
        for (int i = 0; i < round % 20; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            static const char alpha[] = "ab\t\n\r\\\\x z";
            id[idn++] = alpha[x % (sizeof alpha - 1)];
        }
        id[idn] = '\0';
        hanfold_fprow r = {.id = id, .id_len = idn};
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        r.simhash = x;
        r.key_hash = x * 31;
        r.key_tokens = (uint32_t)(x >> 7);
        if (round & 1) {
            r.key = "维基百科 wiki 2024";
            r.key_len = strlen(r.key);
        } else {
            r.nsketch = (size_t)round % (HANFOLD_SKETCH_K + 1);
            for (size_t i = 0; i < r.nsketch; i++)
                sk[i] = x + i * 0x9e3779b97f4a7c15ULL;
            r.sketch = sk;
        }
        size_t n = encode_row(buf, sizeof buf, &r);
        CHECK(n > 0 && buf[n - 1] == '\n');
        const char *why = "unset";
        CHECK(hanfold_fp_decode_row(&d, buf, n - 1, &why) == 0);
        CHECK(why == NULL);
        CHECK(d.id_len == idn && !memcmp(d.id, id, idn) && d.id[idn] == '\0');
        CHECK(d.simhash == r.simhash && d.key_hash == r.key_hash && d.key_tokens == r.key_tokens);
        if (r.key) {
            CHECK(d.key && d.key_len == r.key_len && !memcmp(d.key, r.key, r.key_len));
            CHECK(d.sketch == NULL && d.nsketch == 0);
        } else {
            CHECK(!d.key && d.nsketch == r.nsketch);
            CHECK(!r.nsketch || !memcmp(d.sketch, sk, r.nsketch * 8));
        }
        /* and back to the same bytes */
        char again[8192];
        size_t m = encode_row(again, sizeof again, &d);
        CHECK(m == n && !memcmp(again, buf, n));
    }
    hanfold_fprow_free(&d);
    CHECK(d.mem == NULL);
    hanfold_fprow_free(NULL);
}

static void test_row_garbage(void)
{
    static const struct {
        const char *row, *why;
    } cases[] = {
        {"", "expected 5 tab-separated fields"},
        {"1\t0123456789abcdef\t3\t0123456789abcdef", "expected 5 tab-separated fields"},
        {"1\t0123456789abcdeg\t3\t0123456789abcdef\tk:x", "bad simhash (expected 16 hex digits)"},
        {"1\t0123456789abcde\t3\t0123456789abcdef\tk:x", "bad simhash (expected 16 hex digits)"},
        {"1\t0123456789abcdef\t\t0123456789abcdef\tk:x", "bad key length"},
        {"1\t0123456789abcdef\t4294967296\t0123456789abcdef\tk:x", "bad key length"},
        {"1\t0123456789abcdef\t12345678901\t0123456789abcdef\tk:x", "bad key length"},
        {"1\t0123456789abcdef\t-1\t0123456789abcdef\tk:x", "bad key length"},
        {"1\t0123456789abcdef\t3\t0123456789ABCDEFF\tk:x", "bad key hash (expected 16 hex digits)"},
        {"1\t0123456789abcdef\t3\t0123456789abcdef\tx:x", "last field must start with k: or s:"},
        {"1\t0123456789abcdef\t3\t0123456789abcdef\tk", "last field must start with k: or s:"},
        {"1\t0123456789abcdef\t3\t0123456789abcdef\ts:0123456789abcdef,,", "bad sketch entry"},
        {"1\t0123456789abcdef\t3\t0123456789abcdef\ts:,", "bad sketch entry"},
        {"1\t0123456789abcdef\t3\t0123456789abcdef\ts:12", "bad sketch entry"},
    };
    hanfold_fprow d = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *why = NULL;
        int e = hanfold_fp_decode_row(&d, cases[i].row, strlen(cases[i].row), &why);
        CHECK(e == -EINVAL);
        CHECK(why && !strcmp(why, cases[i].why));
        if (!why || strcmp(why, cases[i].why))
            fprintf(stderr, "  case %zu: %s\n", i, why ? why : "(null)");
    }
    /* upper-case hex is read; a tab in the last field belongs to the key */
    const char *ok = "x\t0123456789ABCDEF\t0000000003\tFFFFFFFFFFFFFFFF\tk:a\tb";
    CHECK(hanfold_fp_decode_row(&d, ok, strlen(ok), NULL) == 0);
    CHECK(d.simhash == 0x0123456789abcdefULL && d.key_tokens == 3 && d.key_hash == UINT64_MAX);
    CHECK_STR(d.key, d.key_len, "a\tb");
    /* one trailing comma after the sketch has always been read (rows
     * written by hand); kept so that such files still load */
    const char *tc = "1\t0123456789abcdef\t3\t0123456789abcdef\ts:0123456789abcdef,";
    CHECK(hanfold_fp_decode_row(&d, tc, strlen(tc), NULL) == 0 && d.nsketch == 1);
    /* a trailing lone backslash in the id stands for itself */
    const char *bs = "x\\\t0000000000000000\t0\t0000000000000000\tk:";
    CHECK(hanfold_fp_decode_row(&d, bs, strlen(bs), NULL) == 0);
    CHECK_STR(d.id, d.id_len, "x\\");
    /* a sketch of exactly K entries is accepted, K + 1 refused */
    char row[8192];
    size_t n = (size_t)snprintf(row, sizeof row, "1\t0000000000000000\t2000\t0000000000000000\ts:");
    for (int i = 0; i < HANFOLD_SKETCH_K; i++)
        n += (size_t)snprintf(row + n, sizeof row - n, "%s%016x", i ? "," : "", i);
    CHECK(hanfold_fp_decode_row(&d, row, n, NULL) == 0 && d.nsketch == HANFOLD_SKETCH_K);
    n += (size_t)snprintf(row + n, sizeof row - n, ",0000000000000000");
    const char *why = NULL;
    CHECK(hanfold_fp_decode_row(&d, row, n, &why) == -EINVAL);
    CHECK(why && !strcmp(why, "sketch longer than the schema allows"));
    /* every prefix of a good row: refused or a shorter valid row, never a crash */
    const char *good = "id\\t1\t0123456789abcdef\t12\t0123456789abcdef\ts:0123456789abcdef,1123456789abcdef";
    for (size_t k = 0; k < strlen(good); k++) {
        char *cut = malloc(k ? k : 1); /* exact size: sanitizers see an overread */
        memcpy(cut, good, k);
        int e = hanfold_fp_decode_row(&d, cut, k, NULL);
        CHECK(e == 0 || e == -EINVAL);
        CHECK(e != 0 || k == strlen(good) - 17 || k == strlen(good) - 16 || k == strlen("id\\t1\t0123456789abcdef\t12\t0123456789abcdef\ts:"));
        free(cut);
    }
    hanfold_fprow_free(&d);
}

static void test_row_fields(void)
{
    hanfold_fprow d = {0};
    CHECK(hanfold_fp_decode_row_field(&d, HANFOLD_FPROW_SKETCH, "0000000000000002,0000000000000001", 33) == 0);
    CHECK(d.nsketch == 2 && d.sketch[0] == 2 && d.sketch[1] == 1);
    /* an id copied after the sketch moves the storage: the sketch follows */
    char longid[5000];
    memset(longid, 'i', sizeof longid);
    CHECK(hanfold_fp_decode_row_field(&d, HANFOLD_FPROW_ID, longid, sizeof longid) == 0);
    CHECK(d.id_len == sizeof longid && d.id[sizeof longid] == '\0');
    CHECK(d.nsketch == 2 && d.sketch[0] == 2 && d.sketch[1] == 1);
    CHECK(hanfold_fp_decode_row_field(&d, HANFOLD_FPROW_ID, "a\\tb", 4) == 0);
    CHECK_STR(d.id, d.id_len, "a\\tb"); /* no TSV unescaping */
    CHECK(hanfold_fp_decode_row_field(&d, HANFOLD_FPROW_SIMHASH, "00000000000000ff", 16) == 0 && d.simhash == 255);
    CHECK(hanfold_fp_decode_row_field(&d, HANFOLD_FPROW_KEY_HASH, "00000000000000f", 15) == -EINVAL);
    CHECK(hanfold_fp_decode_row_field(&d, HANFOLD_FPROW_KEY_TOKENS, "17", 2) == 0 && d.key_tokens == 17);
    CHECK(hanfold_fp_decode_row_field(&d, HANFOLD_FPROW_SKETCH, "1,2,3", 5) == -EINVAL);
    char many[(HANFOLD_SKETCH_K + 1) * 17];
    memset(many, ',', sizeof many);
    CHECK(hanfold_fp_decode_row_field(&d, HANFOLD_FPROW_SKETCH, many, sizeof many) == -E2BIG);
    CHECK(hanfold_fp_decode_row_field(&d, (enum hanfold_fprow_field)99, "1", 1) == -EINVAL);
    hanfold_fprow_free(&d);
}

/* ---- binary ---- */

static bool fp_equal(const hanfold_fp *a, const hanfold_fp *b)
{
    if (a->simhash != b->simhash || a->key_hash != b->key_hash || a->key_tokens != b->key_tokens ||
        !a->tokens != !b->tokens || a->nsketch != b->nsketch)
        return false;
    if (a->tokens && (a->ntokens != b->ntokens || memcmp(a->tokens, b->tokens, 4 * a->ntokens)))
        return false;
    return !a->nsketch || !memcmp(a->sketch, b->sketch, 8 * a->nsketch);
}

static void test_binary(void)
{
    static hanfold_fp_store store;
    uint32_t tok[HANFOLD_SHORT_MAX];
    uint64_t sk[HANFOLD_SKETCH_K];
    uint64_t *buf = malloc(HANFOLD_SHORT_MAX * 4 + HANFOLD_SKETCH_K * 8 + 64);
    for (size_t i = 0; i < HANFOLD_SHORT_MAX; i++)
        tok[i] = (uint32_t)(i * 2654435761u);
    for (size_t i = 0; i < HANFOLD_SKETCH_K; i++)
        sk[i] = i * 0x0123456789abcdefULL / 3 + i;
    static const size_t ntoks[] = {0, 1, 2, 3, 5, 999, HANFOLD_SHORT_MAX};
    for (size_t t = 0; t < sizeof ntoks / sizeof ntoks[0] + 1; t++) {
        for (size_t ns = 0; ns <= HANFOLD_SKETCH_K; ns += ns < 3 ? 1 : 25) {
            hanfold_fp fp = {.simhash = 0x8000000000000001ULL * (t + 1), .key_hash = ~(uint64_t)ns};
            bool longrec = t == sizeof ntoks / sizeof ntoks[0];
            fp.key_tokens = longrec ? 5000 : (uint32_t)ntoks[t];
            fp.tokens = longrec ? NULL : tok;
            fp.ntokens = longrec ? 0 : ntoks[t];
            fp.sketch = sk;
            fp.nsketch = ns;
            size_t size = hanfold_fp_encoded_size(&fp);
            CHECK(size >= 40 && size % 8 == 0);
            CHECK(hanfold_fp_encode(NULL, 0, &fp) == size);
            CHECK(hanfold_fp_encode(buf, size, &fp) == size);
            hanfold_fp a, b;
            size_t used = 0;
            CHECK(hanfold_fp_decode(buf, size, &a, &store, &used) == 0 && used == size);
            CHECK(fp_equal(&a, &fp));
            CHECK(hanfold_fp_decode(buf, size + 8, &b, NULL, &used) == 0 && used == size);
            CHECK(fp_equal(&b, &fp));
            CHECK(!b.tokens || (const void *)b.tokens == (const char *)buf + 40);
            /* every truncation is refused (exact-size copies so that a
             * read past the end is caught by the sanitizers) */
            for (size_t k = 0; k < size; k += (size > 400 ? 7 : 1)) {
                unsigned char *cut = malloc(k ? k : 1);
                memcpy(cut, buf, k);
                CHECK(hanfold_fp_decode(cut, k, &a, &store, NULL) == -EBADMSG);
                free(cut);
            }
        }
    }
    /* what the encoder refuses */
    hanfold_fp bad = {.key_tokens = 3, .tokens = tok, .ntokens = 2};
    CHECK(hanfold_fp_encoded_size(&bad) == 0 && hanfold_fp_encode(buf, 1 << 16, &bad) == 0);
    bad = (hanfold_fp){.key_tokens = 5000, .sketch = sk, .nsketch = HANFOLD_SKETCH_K + 1};
    CHECK(hanfold_fp_encoded_size(&bad) == 0);

    /* a reference encoding, byte by byte: the format is a contract */
    uint32_t t2[3] = {1, 0x01020304, 7};
    uint64_t s2[2] = {5, 0x1122334455667788ULL};
    hanfold_fp ref = {.simhash = 0x0102030405060708ULL, .key_hash = 0xa1a2a3a4a5a6a7a8ULL, .key_tokens = 3,
                      .tokens = t2, .ntokens = 3, .sketch = s2, .nsketch = 2};
    static const unsigned char want[] = {
        'H', 'F', 'P', 1, 1, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
        8, 7, 6, 5, 4, 3, 2, 1, 0xa8, 0xa7, 0xa6, 0xa5, 0xa4, 0xa3, 0xa2, 0xa1,
        1, 0, 0, 0, 4, 3, 2, 1, 7, 0, 0, 0, 0, 0, 0, 0,
        5, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11};
    CHECK(hanfold_fp_encode(buf, 4096, &ref) == sizeof want);
    CHECK(!memcmp(buf, want, sizeof want));

    /* garbage: each damaged copy of the reference is refused */
    static const struct {
        size_t at;
        unsigned char v;
        int err;
    } dmg[] = {
        {0, 'X', -EBADMSG},           /* magic */
        {3, 2, -EPROTONOSUPPORT},     /* version */
        {3, 0, -EPROTONOSUPPORT},
        {4, 3, -EBADMSG},             /* unknown flag */
        {4, 0, -EBADMSG},             /* tokens without the flag */
        {6, 1, -EBADMSG},             /* reserved */
        {21, 1, -EBADMSG},            /* reserved */
        {8, 4, -EBADMSG},             /* ntokens != key_tokens */
        {12, 4, -EBADMSG},            /* ntokens: past the end and != key_tokens */
        {14, 0xff, -EBADMSG},         /* ntokens over the limit */
        {16, 3, -EBADMSG},            /* nsketch past the end */
        {19, 0x80, -EBADMSG},         /* nsketch over the limit */
        {52, 1, -EBADMSG},            /* padding */
        {63, 0xff, -EBADMSG},         /* sketch not ascending */
    };
    for (size_t i = 0; i < sizeof dmg / sizeof dmg[0]; i++) {
        unsigned char c[sizeof want];
        memcpy(c, want, sizeof want);
        c[dmg[i].at] = dmg[i].v;
        hanfold_fp f;
        int e = hanfold_fp_decode(c, sizeof c, &f, &store, NULL);
        CHECK(e == dmg[i].err);
        if (e != dmg[i].err)
            fprintf(stderr, "  damage %zu: %d\n", i, e);
    }
    /* in place: misaligned input is refused, copied input is fine */
    unsigned char *mis = (unsigned char *)buf + 1;
    memmove(mis, want, sizeof want);
    hanfold_fp f;
    CHECK(hanfold_fp_decode(mis, sizeof want, &f, NULL, NULL) == -EINVAL);
    CHECK(hanfold_fp_decode(mis, sizeof want, &f, &store, NULL) == 0 && fp_equal(&f, &ref));
    /* random bytes, with a valid header now and then */
    uint64_t x = 2463534242ULL;
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        unsigned char *r = (unsigned char *)buf;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        n = x % 200;
        for (size_t i = 0; i < n; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            r[i] = (unsigned char)(x % 7 ? x & 3 : x >> 32);
        }
        if (n >= 4 && round % 3)
            memcpy(r, "HFP\1", 4);
        unsigned char *exact = malloc(n ? n : 1);
        memcpy(exact, r, n);
        size_t used = 0;
        int e = hanfold_fp_decode(exact, n, &f, &store, &used);
        CHECK(e == 0 || e == -EBADMSG || e == -EPROTONOSUPPORT);
        CHECK(e || (used <= n && used % 8 == 0 && hanfold_fp_encoded_size(&f) == used));
        free(exact);
    }
    free(buf);
}

int main(void)
{
    test_row_exact();
    test_row_roundtrip();
    test_row_garbage();
    test_row_fields();
    test_binary();
    return check_done("fpcodec");
}
