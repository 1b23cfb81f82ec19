/* libhanfold: fold Chinese text into one normalized form and fingerprint it.
 *
 * Pipeline (design.md): decode -> markup -> repair -> unicode -> script
 * -> readable text; readable text -> fold -> key -> shingles -> simhash.
 *
 * Conventions: functions return 0 on success or a negative errno value
 * (-ENOMEM, -EINVAL, ...); details of the last failure are in
 * hanfold_ctx_error().  The library never prints and never exits.
 * A hanfold_ctx is not thread-safe; use one per thread.  Contexts share no
 * mutable state, so different threads may use different contexts at once,
 * except hanfold_ctx_new(), which must not run concurrently with anything
 * that uses relative paths or with itself: it changes the working directory
 * for a moment while OpenCC loads (OpenCC looks for dictionaries in the
 * working directory first), and OpenCC reports load errors through a
 * process-wide string. */
#ifndef HANFOLD_H
#define HANFOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's exported functions (built with hidden visibility: nothing
 * else leaves the shared object). */
#if defined(__GNUC__) && __GNUC__ >= 4
#define HANFOLD_API __attribute__((visibility("default")))
#else
#define HANFOLD_API
#endif

#define HANFOLD_VERSION "0.1.0"
/* Version of the normalization + key + fingerprint scheme.  Fingerprints
 * and keys made under different schema versions must not be mixed. */
#define HANFOLD_SCHEMA_VERSION 2

enum hanfold_target {
    HANFOLD_TO_SIMPLIFIED = 0,
    HANFOLD_TO_TRADITIONAL,
    HANFOLD_TO_TAIWAN,
    HANFOLD_TO_HONGKONG,
};

enum hanfold_html {
    HANFOLD_HTML_AUTO = 0, /* detect real markup per record */
    HANFOLD_HTML_ON,
    HANFOLD_HTML_OFF,
};

typedef struct hanfold_settings {
    enum hanfold_target target;
    /* An OpenCC config (name in OpenCC's data directory, or a path) applied
     * to every record instead of the per-sentence default conversion; NULL
     * for the default. */
    const char *opencc_config;
    enum hanfold_html html;
    bool repair_pinyin;   /* remove flattened pinyin ruby, default true */
    bool repair_mojibake; /* repair misaligned GBK runs, default false */
    bool script_only;     /* run only the script stage (whole text, no detection) */
    bool keep_lines;      /* keep line breaks inside a record; otherwise join with spaces */
    /* Repost furniture left out of the key (HANFOLD_FURNITURE_*; 0 keeps
     * all of it); the readable text always keeps it.  Default
     * HANFOLD_FURNITURE_DEFAULT. */
    unsigned drop_furniture;
    /* Count runs that look like mojibake in hanfold_stats.mojibake_runs
     * when not repairing them (repair_mojibake counts what it repairs):
     * a scan of every record, so off by default. */
    bool count_mojibake;
    /* Where opencc_config names without a '/' are looked up (NULL: the
     * directory of the OpenCC hanfold was built with).  The default
     * conversion is compiled in and never read from here. */
    const char *opencc_dir;
    /* Expert, for tests: every stage takes its reference path, the plain
     * code that its fast paths shortcut (same results, slower;
     * tests/unit/test_fastpath.c compares the two).  Default false. */
    bool reference_path;
} hanfold_settings;

/* Kinds of repost furniture: what reposts add that carries none of the
 * post's content. */
enum {
    HANFOLD_FURNITURE_URL = 1,      /* http:// and https:// links (t.cn share links) */
    HANFOLD_FURNITURE_CARD = 2,     /* link cards as text: O网页链接, O秒拍视频 */
    HANFOLD_FURNITURE_EMOTICON = 4, /* emoticon codes: [蜡烛] */
    HANFOLD_FURNITURE_LOCATION = 8, /* a check-in at the end of a post: 2北京·工体 */
};
/* The kinds that helped or did no harm on the development sets (see the
 * man page, KEY). */
#define HANFOLD_FURNITURE_DEFAULT (HANFOLD_FURNITURE_URL | HANFOLD_FURNITURE_LOCATION)
#define HANFOLD_FURNITURE_ALL 15

/* Fills *s with the defaults. */
HANFOLD_API void hanfold_settings_default(hanfold_settings *s);

/* Counters, accumulated over the life of a context. */
typedef struct hanfold_stats {
    uint64_t records;
    uint64_t html_records;
    uint64_t pinyin_removed;
    uint64_t mojibake_runs;     /* with count_mojibake or repair_mojibake */
    uint64_t mojibake_repaired;
    uint64_t converted_runs;
    /* HTML records with elements nested deeper than HANFOLD_HTML_MAX_DEPTH
     * (counting <html> and <body>): the deeper elements were flattened into
     * the element around them, their text kept (see hanfold_ctx_warning) */
    uint64_t html_flattened;
    /* HTML records whose parse stopped before their end: the text after
     * that point is missing (see hanfold_ctx_warning; no input known to
     * cause it is left) */
    uint64_t html_cut;
} hanfold_stats;

/* How deep HTML elements nest in what the markup stage works on. */
#define HANFOLD_HTML_MAX_DEPTH 256

typedef struct hanfold_ctx hanfold_ctx;

/* Creates a context.  Returns 0, -ENOMEM, or -EINVAL/-ENOENT when an OpenCC
 * config cannot be loaded (message in *err if err is not NULL: a static
 * string is not possible since it names the file, so the message is
 * written into errbuf of size errsz). */
HANFOLD_API int hanfold_ctx_new(hanfold_ctx **ctx, const hanfold_settings *s, char *errbuf, size_t errsz);
/* Frees a context; accepts NULL and a pointer to NULL; clears *ctx. */
HANFOLD_API void hanfold_ctx_free(hanfold_ctx **ctx);
/* Message describing the last failure on ctx ("" if none).  Valid until the
 * next call on ctx. */
HANFOLD_API const char *hanfold_ctx_error(const hanfold_ctx *ctx);
HANFOLD_API const hanfold_stats *hanfold_ctx_stats(const hanfold_ctx *ctx);
/* What the last successful hanfold_process() on ctx could not keep of its
 * record as written, for the caller to tell the user: "" when nothing,
 * else a message such as "HTML nested deeper than 256 elements: ...".
 * *line (if not NULL) receives the 1-based line of the record where it
 * happened, 0 with "".  Valid until the next call on ctx. */
HANFOLD_API const char *hanfold_ctx_warning(const hanfold_ctx *ctx, uint64_t *line);

enum {
    HANFOLD_WANT_TEXT = 1, /* readable normalized text */
    HANFOLD_WANT_KEY = 2,  /* dedup key (always from simplified script) */
};

typedef struct hanfold_result {
    const char *text; /* NUL-terminated; valid until the next call on ctx */
    size_t text_len;
    const char *key;  /* NUL-terminated; valid until the next call on ctx */
    size_t key_len;
} hanfold_result;

/* Normalizes one record of valid UTF-8 (see hanfold_decode()).  Fills
 * the parts of *res asked for in want; other parts are NULL/0.
 * Returns 0, -ENOMEM, or -EILSEQ if the input is not valid UTF-8. */
HANFOLD_API int hanfold_process(hanfold_ctx *ctx, const char *utf8, size_t len, unsigned want,
                                hanfold_result *res);

/* ---- decoding ------------------------------------------------------------ */

/* Converts bytes in charset `charset` (NULL or "UTF-8" for UTF-8) to valid
 * UTF-8; invalid sequences become U+FFFD and are counted in *invalid.
 * *out is valid until the next call on ctx.  Returns 0, -ENOMEM, or -EINVAL
 * for a charset iconv does not know. */
HANFOLD_API int hanfold_decode(hanfold_ctx *ctx, const void *bytes, size_t len, const char *charset,
                               const char **out, size_t *outlen, size_t *invalid);
/* Charset of a sample: BOM; then UTF-8 when the bytes prove it (characters
 * beyond ASCII, all well-formed); then <meta charset> when html is true
 * (UTF-16 there means UTF-8, as in HTML5); then uchardet.  Returns a static
 * iconv name; "UTF-8" when unsure. *bom_len gets the length of a
 * byte-order mark to skip. */
HANFOLD_API const char *hanfold_detect_charset(const void *sample, size_t len, bool html, size_t *bom_len);

/* ---- fingerprints --------------------------------------------------------- */

/* Version string of the whole fingerprint scheme.  Static. */
HANFOLD_API const char *hanfold_schema(void);
/* The library's version, HANFOLD_VERSION of the library that is running
 * (which may differ from the header a program was compiled with). */
HANFOLD_API const char *hanfold_version(void);

#define HANFOLD_SHINGLE_N 3     /* token n-grams */
#define HANFOLD_SKETCH_K 128    /* bottom-k sketch kept for long records */
#define HANFOLD_INDEX_B 16      /* sketch entries a record looks up in the candidate index */
#define HANFOLD_POSTING_CAP_MAX 2000 /* the posting cap, and the most a setting may ask for */
#define HANFOLD_INDEX_POSTED 8  /* sketch entries a representative is entered under */
#define HANFOLD_SHORT_MAX 1000  /* keys of at most this many tokens are kept whole */

typedef struct hanfold_fp {
    uint64_t simhash;          /* Charikar SimHash of the shingles */
    uint64_t key_hash;         /* XXH3-64 of the key, for exact duplicates */
    uint32_t key_tokens;       /* tokens in the key (Han characters, Latin/digit runs) */
    const uint32_t *tokens;    /* the token ids when key_tokens <= HANFOLD_SHORT_MAX, else NULL */
    size_t ntokens;
    const uint64_t *sketch;    /* bottom-k distinct shingle hashes, ascending */
    size_t nsketch;            /* min(HANFOLD_SKETCH_K, distinct shingles) */
} hanfold_fp;

/* Fingerprints a key (as made by hanfold_process).  The arrays in *fp are
 * valid until the next call on ctx. */
HANFOLD_API int hanfold_fingerprint(hanfold_ctx *ctx, const char *key, size_t len, hanfold_fp *fp);

/* Expert: parts of a fingerprint, for programs that store or ship them
 * (fingerprint rows, the MPI wire).  HANFOLD_FP_SIMHASH: the SimHash (else
 * 0, for clustering by key from rows that carry it); HANFOLD_FP_SKETCH:
 * the bottom-k sketch of a key kept whole too (else only of a key too long
 * to keep, which saves the sort that a row does not need).
 * hanfold_fingerprint() is both. */
enum { HANFOLD_FP_SKETCH = 1, HANFOLD_FP_SIMHASH = 2 };
HANFOLD_API int hanfold_fingerprint_parts(hanfold_ctx *ctx, const char *key, size_t len, unsigned parts,
                                          hanfold_fp *fp);
/* Fills *fp from the parts of an exchanged fingerprint row: a kept key is
 * re-tokenized; a long record brings its sketch.  Arrays valid until the next
 * call on ctx. */
HANFOLD_API int hanfold_fingerprint_from_sketch(hanfold_ctx *ctx, uint64_t simhash, uint32_t key_tokens,
                                                const uint64_t *sketch, size_t nsketch, uint64_t key_hash,
                                                hanfold_fp *fp);

/* ---- fingerprint codec ------------------------------------------------------ */

/* A fingerprint row, the exchange format of `hanfold fingerprint` (a
 * contract: see the man page, FINGERPRINT ROWS):
 *   id TAB simhash TAB key-tokens TAB key-hash TAB k:KEY | s:H,H,... LF
 * simhash, key hash and sketch entries are 16 lower-case hex digits (read
 * in either case), key-tokens is decimal; in the id a backslash, tab,
 * newline and carriage return are written \\ \t \n \r.  A short record
 * (its tokens kept, hanfold_fp.tokens set) carries its key, a long one its
 * bottom-k sketch.
 *
 * The struct is both what hanfold_fp_encode_row() reads and what
 * hanfold_fp_decode_row() fills.  Zero-initialize it before the first
 * decode; a struct decoded into owns storage (mem) that later decodes
 * reuse and hanfold_fprow_free() releases. */
typedef struct hanfold_fprow {
    const char *id;       /* decoded: unescaped and NUL-terminated */
    size_t id_len;
    uint64_t simhash;
    uint64_t key_hash;
    uint32_t key_tokens;
    const char *key;      /* the key of a short record; NULL for a long one */
    size_t key_len;
    const uint64_t *sketch; /* a long record's sketch (when key is NULL) */
    size_t nsketch;
    void *mem;            /* the decoder's storage: leave to the library */
    size_t mem_size;
} hanfold_fprow;

/* Writes row as a TSV fingerprint row, with its terminating LF and no
 * NUL, into dst when it fits in cap bytes (dst may be NULL when cap is 0).
 * Returns the row's length in bytes; when that is more than cap nothing
 * is written (call again with a buffer that large).  Thread-safe. */
HANFOLD_API size_t hanfold_fp_encode_row(char *dst, size_t cap, const hanfold_fprow *row);
/* Parses one TSV row of n bytes (no LF).  Returns 0, -EINVAL for a row
 * that is not one, or -ENOMEM; *why (if not NULL) then gets a static
 * description ("bad simhash (expected 16 hex digits)", "out of memory"),
 * NULL on success.  row->id and row->sketch point into row->mem, row->key
 * into s: valid until the next decode into row, hanfold_fprow_free(row), or
 * while s is, respectively.  Never reads outside s[0..n). */
HANFOLD_API int hanfold_fp_decode_row(hanfold_fprow *row, const char *s, size_t n, const char **why);

/* The fields of a row taken one by one, for readers of rows in another
 * container (the JSONL rows of `fingerprint --format jsonl`). */
enum hanfold_fprow_field {
    HANFOLD_FPROW_ID,         /* copied as is (no TSV unescaping) into row->mem */
    HANFOLD_FPROW_SIMHASH,    /* 16 hex digits */
    HANFOLD_FPROW_KEY_TOKENS, /* decimal, at most 2^32 - 1 */
    HANFOLD_FPROW_KEY_HASH,   /* 16 hex digits */
    HANFOLD_FPROW_SKETCH,     /* H,H,... (at most HANFOLD_SKETCH_K) into row->mem */
};
/* Decodes one field of n bytes into row.  Returns 0, -EINVAL (malformed),
 * -E2BIG (a sketch of more than HANFOLD_SKETCH_K entries) or -ENOMEM.  Storage and lifetimes as hanfold_fp_decode_row(). */
HANFOLD_API int hanfold_fp_decode_row_field(hanfold_fprow *row, enum hanfold_fprow_field field, const char *s,
                                            size_t n);
/* Releases what decoding into row allocated and zeroes it.  Accepts NULL. */
HANFOLD_API void hanfold_fprow_free(hanfold_fprow *row);

/* A compact binary form of a hanfold_fp, for files and the network:
 * versioned, little-endian, a multiple of 8 bytes long, so encodings can be
 * concatenated and read in place.  It holds simhash, key_hash, key_tokens,
 * the tokens (when fp->tokens is set; then ntokens == key_tokens) and
 * nsketch sketch entries (strictly ascending, as the library makes them). */
#define HANFOLD_FP_BINARY_VERSION 1
/* Bytes hanfold_fp_encode() writes for fp; 0 when fp cannot be encoded
 * (more than HANFOLD_SHORT_MAX tokens or HANFOLD_SKETCH_K sketch entries,
 * ntokens differing from key_tokens). */
HANFOLD_API size_t hanfold_fp_encoded_size(const hanfold_fp *fp);
/* Encodes fp into dst when it fits in cap bytes.  Returns
 * hanfold_fp_encoded_size(fp): nothing is written when that is 0 or more
 * than cap.  Does not check that the sketch ascends (the decoder does).
 * Thread-safe. */
HANFOLD_API size_t hanfold_fp_encode(void *dst, size_t cap, const hanfold_fp *fp);
/* Room for the arrays of a decoded fingerprint. */
typedef struct hanfold_fp_store {
    uint32_t tokens[HANFOLD_SHORT_MAX];
    uint64_t sketch[HANFOLD_SKETCH_K];
} hanfold_fp_store;
/* Decodes the encoding at the start of src[0..n) into *fp; *used (if not
 * NULL) gets its length, where the next one starts.  With a store, fp's
 * arrays are copied there (valid until the store is reused); with NULL,
 * they point into src, which must then be 8-byte aligned and the host
 * little-endian (-EINVAL otherwise).  Returns 0; -EBADMSG for bytes that
 * are no valid encoding (short, bad magic, lengths over the limits or past
 * n, nonzero padding, a sketch not strictly ascending); -EPROTONOSUPPORT
 * for another version.  Never reads outside src[0..n).  Thread-safe. */
HANFOLD_API int hanfold_fp_decode(const void *src, size_t n, hanfold_fp *fp, hanfold_fp_store *store,
                                  size_t *used);

/* ---- batches on threads ------------------------------------------------------ */

/* Many records normalized (and fingerprinted) at once on several threads,
 * one context each, results in input order: what `hanfold normalize` and
 * `fingerprint` do per batch, for programs that hold their records in
 * memory (the Python module).  The calling thread works too.  A batch is
 * not thread-safe: one run at a time; different batches are independent.
 * hanfold_batch_new() makes contexts, so it is subject to the same rule as
 * hanfold_ctx_new().  In a child of fork() (which has none of the
 * parent's threads) a batch made before the fork runs on the calling
 * thread alone, and may be freed. */
typedef struct hanfold_batch hanfold_batch;

#define HANFOLD_BATCH_MAX_THREADS 256
/* With HANFOLD_WANT_TEXT and HANFOLD_WANT_KEY in `want` of
 * hanfold_batch_run(): the fingerprint of the key (hanfold_fingerprint()),
 * and the key. */
#define HANFOLD_WANT_FP 4

typedef struct hanfold_batch_record {
    const void *data; /* the record's bytes (the caller's, read during the run) */
    size_t len;
} hanfold_batch_record;

typedef struct hanfold_batch_result {
    int err;             /* 0, or the record's negative errno (-EILSEQ, -ENOMEM, -EINVAL) */
    const char *error;   /* its message, "" when err is 0 */
    const char *warning; /* hanfold_ctx_warning() for the record, "" if none */
    size_t invalid;      /* byte sequences decoding replaced by U+FFFD */
    const char *text;    /* HANFOLD_WANT_TEXT: NUL-terminated readable text */
    size_t text_len;
    const char *key;     /* HANFOLD_WANT_KEY or _FP: NUL-terminated key */
    size_t key_len;
    hanfold_fp fp;       /* HANFOLD_WANT_FP: with SimHash and sketch, as hanfold_fingerprint() */
} hanfold_batch_result;

/* Makes a batch of `threads` threads (0: one per processor online, at most
 * HANFOLD_BATCH_MAX_THREADS), each with a context made from s (NULL: the
 * defaults).  Returns 0, -ENOMEM, -EINVAL (too many threads), or the error
 * of hanfold_ctx_new(), with a message in errbuf.  Fewer threads than
 * asked when the system refuses more (hanfold_batch_threads()). */
HANFOLD_API int hanfold_batch_new(hanfold_batch **b, const hanfold_settings *s, unsigned threads, char *errbuf,
                                  size_t errsz);
/* Stops the threads and frees everything; accepts NULL and a pointer to
 * NULL; clears *b. */
HANFOLD_API void hanfold_batch_free(hanfold_batch **b);
/* Threads working, the calling one included. */
HANFOLD_API unsigned hanfold_batch_threads(const hanfold_batch *b);
/* Processes recs[0..n) and returns when all are done.  charset: NULL when
 * the records are valid UTF-8 already (a record that is not fails with
 * -EILSEQ); else each record is decoded first as hanfold_decode() does
 * ("UTF-8" replaces invalid sequences with U+FFFD), "auto" detecting the
 * charset of each record as hanfold_detect_charset() does (byte-order mark
 * skipped).  want: HANFOLD_WANT_TEXT, _KEY, _FP.  A record's failure is in
 * its result, and does not stop the others.  Returns 0, -ENOMEM (no
 * record processed) or -EINVAL (unknown bits in want). */
HANFOLD_API int hanfold_batch_run(hanfold_batch *b, const hanfold_batch_record *recs, size_t n, const char *charset,
                                  unsigned want);
/* The result of record i of the last run (NULL when i is out of range):
 * valid, with everything it points to, until the next run or free. */
HANFOLD_API const hanfold_batch_result *hanfold_batch_get(const hanfold_batch *b, size_t i);
/* Counters summed over the batch's contexts. */
HANFOLD_API void hanfold_batch_stats(const hanfold_batch *b, hanfold_stats *st);

/* ---- clusters --------------------------------------------------------------- */

/* What a cluster is.  Single linkage (the default): the connected
 * components of the graph whose edges are the verified near-duplicate pairs,
 * so two records that are near-duplicates of each other are always in one
 * cluster, and a story whose reposts each edit the first one differently is
 * not split.  Representative linkage: a record joins the cluster of the
 * most similar earlier cluster representative (the first record of a
 * cluster), which needs nothing of the records that joined (streaming, as
 * dedup runs) but splits a story whose reposts differ from its first post
 * by more than the threshold while they duplicate one another. */
enum hanfold_linkage {
    HANFOLD_LINKAGE_REPRESENTATIVE = 0, /* join the most similar earlier representative */
    HANFOLD_LINKAGE_SINGLE,             /* union every verified pair (union-find) */
};

/* Defaults chosen on the development sets (see the man page, THRESHOLDS). */
#define HANFOLD_DEFAULT_THRESHOLD 0.80         /* shorter key under 100 tokens */
#define HANFOLD_DEFAULT_LONG_THRESHOLD 0.70    /* shorter key of 100 tokens or more */
#define HANFOLD_DEFAULT_JACCARD_THRESHOLD 0.30 /* a key over HANFOLD_SHORT_MAX tokens */
#define HANFOLD_DEFAULT_MIN_RATIO 0.60
#define HANFOLD_SHORT_TIER 100  /* tokens: below, the short threshold applies */
#define HANFOLD_TINY 5          /* tokens: at most this many, only identical keys match */
#define HANFOLD_NUMBERS_TIER 40 /* tokens: below, the shorter key's numbers must all be in the longer */
#define HANFOLD_SKETCH_MIN 100  /* records of this many tokens or more keep a sketch */

/* The measure a compared pair was judged by. */
enum {
    HANFOLD_PAIR_TINY = 0,    /* at most HANFOLD_TINY tokens: identical or not */
    HANFOLD_PAIR_SHORT = 1,   /* LCS share (below), against threshold */
    HANFOLD_PAIR_LONG = 2,    /* LCS share, against long_threshold */
    HANFOLD_PAIR_JACCARD = 3, /* estimated Jaccard, against jaccard_threshold */
};

typedef struct hanfold_cluster_settings {
    /* Similarity of two kept keys (the LCS share): the longest common
     * subsequence of their token sequences over the length of the shorter,
     * both less HANFOLD_TINY tokens, (LCS - 5) / (shorter - 5); 1 for
     * identical keys.  threshold applies when the shorter key has fewer
     * than HANFOLD_SHORT_TIER tokens, long_threshold otherwise. */
    double threshold;
    double long_threshold;
    /* When a key is too long to keep: estimated Jaccard of 3-gram sets. */
    double jaccard_threshold;
    double min_ratio;      /* shorter/longer key length below this: never duplicates */
    enum hanfold_linkage linkage;
    /* Called for every candidate pair compared (a, b: record numbers, a < b)
     * with its similarity, the measure (HANFOLD_PAIR_*) and the verdict;
     * for histograms and threshold calibration.  NULL: not called. */
    void (*on_pair)(void *ud, uint64_t a, uint64_t b, double sim, int kind, bool duplicate);
    void *on_pair_ud;
    /* Keep nothing for records that join a cluster, so memory grows with
     * the representatives only (dedup).  hanfold_clusterer_cluster_of() is
     * then unavailable.  Needs representative linkage. */
    bool streaming;
    /* When set: what verification needs of the indexed records (their keys'
     * tokens, or sketches), beyond the first megabyte, goes to an unlinked
     * temporary file in this directory instead of memory, which then holds
     * the index and about 2.3 bytes per indexed record besides.  The file is
     * created by hanfold_clusterer_new().  The results do not change. */
    const char *spill_dir;
    /* A record joins the first near-duplicate found instead of the most
     * similar, candidates taken in the order of the verification budget
     * (most shingles shared first): what dedup needs (a kept record that a
     * record duplicates), at a fraction of the verifications on
     * repost-heavy text.  Which records are representatives does not
     * change.  Needs representative linkage. */
    bool first_match;
    /* Expert, 0 for the defaults.  posting_cap: a shingle hash entered for
     * more representatives than this is not followed (1 to
     * HANFOLD_POSTING_CAP_MAX; small values make the cap decide many pairs,
     * for tests of programs that must apply it exactly as the clusterer
     * does).  verify_budget: at most this many candidates of a record are
     * compared, those sharing the most shingles first (default 32).
     * spill_memory: with spill_dir, bytes of verification data kept in
     * memory before the file takes them (default 1 MiB; results do not
     * depend on it).  Values out of range make hanfold_clusterer_new()
     * fail with -EINVAL. */
    unsigned posting_cap;
    unsigned verify_budget;
    size_t spill_memory;
} hanfold_cluster_settings;

HANFOLD_API void hanfold_cluster_settings_default(hanfold_cluster_settings *s);

typedef struct hanfold_clusterer hanfold_clusterer;
/* Returns 0, -ENOMEM, or -EINVAL for streaming or first_match with single
 * linkage. */
HANFOLD_API int hanfold_clusterer_new(hanfold_clusterer **c, const hanfold_cluster_settings *s);
/* Accepts NULL and a pointer to NULL; clears *c. */
HANFOLD_API void hanfold_clusterer_free(hanfold_clusterer **c);
/* Adds the next record (records are numbered 0, 1, ... in call order) and
 * copies what verification needs later.  *match receives the record it was
 * found to duplicate (its own number if none) and *sim the similarity.
 * Returns 0, -ENOMEM, -EOVERFLOW (more than 2^32 - 2 records), or with a
 * spill_dir the error of its temporary file (-ENOSPC and -EDQUOT when the
 * disk is full, -EIO, -EFBIG past 64 GiB). */
HANFOLD_API int hanfold_clusterer_add(hanfold_clusterer *c, const hanfold_fp *fp, uint64_t *match, double *sim);
/* The similarity verification would compute for a pair, whatever the
 * thresholds, and the measure (HANFOLD_PAIR_*) in *kind: for calibrating
 * thresholds on labelled pairs.  Pairs no threshold could link (length
 * ratio below min_ratio, a number of the shorter missing from the longer)
 * give 0.  set NULL: the defaults.  -1 when out of memory. */
HANFOLD_API double hanfold_pair_similarity(const hanfold_cluster_settings *set, const hanfold_fp *a,
                                           const hanfold_fp *b, int *kind);
/* The clusterer's verdict on one pair, exactly as it would judge it when
 * `earlier` is an indexed record and `later` the record being added (for
 * programs that generate candidates themselves, such as hanfold-mpi).
 * Returns 1 (duplicates), 0 (compared, not duplicates; *sim and *kind
 * set), -1 (not comparable: length ratio, or a long record against a short
 * one) or -ENOMEM. */
HANFOLD_API int hanfold_pair_verify(const hanfold_cluster_settings *set, const hanfold_fp *earlier,
                                    const hanfold_fp *later, double *sim, int *kind);
/* Adds the next record as a representative of a cluster of its own without
 * looking for duplicates: for records restored from a persistent index,
 * which were representatives when they were added.  Returns as _add. */
HANFOLD_API int hanfold_clusterer_add_rep(hanfold_clusterer *c, const hanfold_fp *fp, uint64_t *number);
/* Number of the first record of record i's cluster.  With single linkage
 * this is final only after the last add.  UINT64_MAX when i is out of range
 * or the clusterer is streaming. */
HANFOLD_API uint64_t hanfold_clusterer_cluster_of(hanfold_clusterer *c, uint64_t i);
/* Records added, and records indexed (representatives). */
HANFOLD_API uint64_t hanfold_clusterer_count(const hanfold_clusterer *c);
HANFOLD_API uint64_t hanfold_clusterer_indexed(const hanfold_clusterer *c);

/* ---- SimHash index (cluster and dedup --method simhash) ---------------------- */

/* The compact alternative to the clusterer above: records are compared by
 * their 64-bit SimHash alone, as near-duplicates when at Hamming distance
 * <= k (Charikar 2002; Manku, Jain and Das Sarma 2007).  Much smaller and
 * faster than LCS verification, much less accurate on short texts (see the
 * man page, --method). */
#define HANFOLD_SIMINDEX_MAX_K 7
#define HANFOLD_DEFAULT_HAMMING 3

typedef struct hanfold_simindex hanfold_simindex;
/* An empty index that finds every entry within Hamming distance k
 * (0..HANFOLD_SIMINDEX_MAX_K), exactly: the answer is always the one a scan
 * of all entries would give.  Queries probe one bucket per table for
 * k <= 3 and 17 for k = 4..7.  Memory: about 26 bytes per entry, plus
 * 4 MiB.  Returns 0, -ENOMEM or -EINVAL (k too large). */
HANFOLD_API int hanfold_simindex_new(hanfold_simindex **ix, unsigned k);
/* Accepts NULL and a pointer to NULL; clears *ix. */
HANFOLD_API void hanfold_simindex_free(hanfold_simindex **ix);
/* Enters a SimHash with a value of the caller's (e.g. a record number).
 * Returns 0 or -ENOMEM (the index is then unchanged). */
HANFOLD_API int hanfold_simindex_add(hanfold_simindex *ix, uint64_t simhash, uint64_t value);
/* The entry nearest to simhash within distance k: the smallest distance,
 * and among entries at that distance the smallest value (so values that
 * grow with insertion give the earliest).  Returns 1 and fills *value and
 * *dist, or 0 when no entry is within k.  Does not modify the index:
 * queries may run concurrently with each other, not with _add. */
HANFOLD_API int hanfold_simindex_query(const hanfold_simindex *ix, uint64_t simhash, uint64_t *value,
                                       unsigned *dist);
/* Entries added. */
HANFOLD_API size_t hanfold_simindex_count(const hanfold_simindex *ix);

#ifdef __cplusplus
}
#endif
#endif

/* ==== Expert API ================================================================
 * For programs that generate candidates themselves (hanfold-mpi): define
 * HANFOLD_EXPERT before including this header.  As with zstd's
 * ZSTD_STATIC_LINKING_ONLY, what follows may change between versions
 * without notice; link the library of the same version. */
#if defined(HANFOLD_EXPERT) && !defined(HANFOLD_H_EXPERT)
#define HANFOLD_H_EXPERT

#ifdef __cplusplus
extern "C" {
#endif

/* A candidate of the record being decided: an earlier indexed record that
 * shares indexed shingles with it. */
typedef struct hanfold_candidate {
    uint64_t id;     /* orders candidates as their records were added: the
                        record number, or anything that grows with it */
    uint32_t shared; /* indexed shingles the two records share */
    uint32_t ref;    /* the caller's own (where it keeps the candidate) */
} hanfold_candidate;

/* What hanfold_decide() asks of the caller about one record. */
typedef struct hanfold_decider {
    const hanfold_cluster_settings *set; /* linkage, first_match, verify_budget */
    /* the record number of the first earlier record with the same key
     * (identical keys are near-duplicates, whatever else), UINT64_MAX if none */
    uint64_t exact;
    /* Called at most once, when candidates are needed (not for an exact
     * match under representative linkage): sets *cand and *n to the
     * candidates, in any order, each once, those with too few shingles
     * shared already left out.  The array stays the caller's;
     * hanfold_decide() reorders it.  Returns 0 or a negative errno. */
    int (*gather)(void *ud, hanfold_candidate **cand, size_t *n);
    /* Verifies a candidate (hanfold_pair_verify with the candidate as the
     * earlier record): 1 near-duplicates (*sim, *kind, the measure
     * (HANFOLD_PAIR_*), and *number, its record number, set), 0 compared
     * but not near-duplicates, 2 not comparable (does not count against the
     * budget), or a negative errno. */
    int (*verify)(void *ud, const hanfold_candidate *c, double *sim, int *kind, uint64_t *number);
    /* Single linkage: the record and record `number` are in one cluster. */
    void (*unite)(void *ud, uint64_t number);
    void *ud;
} hanfold_decider;

typedef struct hanfold_decision {
    uint64_t match; /* the record number it joins, UINT64_MAX for none */
    double sim;     /* the similarity to it (1 for none) */
    int kind;       /* the measure of sim (HANFOLD_PAIR_*), or -1: no match, or
                     * the exact-key match alone (not also verified) */
    bool indexed;   /* the record is indexed: later records can find it */
} hanfold_decision;

/* The clusterer's decision on one record, the one hanfold_clusterer_add()
 * makes, given its exact-key match and its candidates: an exact match
 * comes first (with representative linkage it decides alone); the
 * candidates are verified in the order of the budget (most shingles shared
 * first, then the lower id) when there are more than verify_budget or
 * first_match takes the first near-duplicate, until verify_budget were
 * comparable; the record joins the most similar near-duplicate (the lower
 * record number among equals), or with first_match the first; with single
 * linkage every near-duplicate verified is united with it.  The record is
 * indexed when it joins none, or with single linkage unless it repeats an
 * earlier key.  Returns 0 (*out set) or the first negative errno of a
 * callback. */
HANFOLD_API int hanfold_decide(const hanfold_decider *d, hanfold_decision *out);

/* ---- the candidate rules, for programs that index records themselves ----
 * The clusterer enters a representative under its HANFOLD_INDEX_POSTED
 * smallest shingle hashes and looks a record up under its HANFOLD_INDEX_B
 * smallest; a program that distributes the index (hanfold-mpi) must apply
 * the same rules, with these functions, to decide what the clusterer
 * decides.  All are pure and thread-safe unless said otherwise. */

/* A candidate is verified only when it shares at least this share of the
 * smaller of the two counts (entered, looked up), and at least one hash. */
#define HANFOLD_MIN_SHARED 0.25

/* The sketch entries a record with n of them is entered under when it
 * becomes a representative: min(n, HANFOLD_INDEX_POSTED). */
static inline uint32_t hanfold_posted(size_t n)
{
    return n < HANFOLD_INDEX_POSTED ? (uint32_t)n : HANFOLD_INDEX_POSTED;
}

/* The shingle hashes a representative entered under na sketch entries must
 * share with a record that looks up nb of them to become its candidate
 * (HANFOLD_MIN_SHARED of the smaller, rounded up, at least 1). */
static inline uint32_t hanfold_shared_needed(uint32_t na, uint32_t nb)
{
    uint32_t small = na < nb ? na : nb;
    uint32_t need = (uint32_t)(HANFOLD_MIN_SHARED * small + 0.999999);
    return need ? need : 1;
}

/* The 64-bit finalizer of MurmurHash3 (every input bit affects every output
 * bit).  The library's hash tables take their buckets from it, and
 * hanfold-mpi the rank that owns a shingle hash: whoever partitions hashes
 * as hanfold-mpi does must use this function, so that owners agree. */
static inline uint64_t hanfold_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* The posting cap that settings s ask for: a shingle hash entered for more
 * representatives than this is not followed (s->posting_cap, 0 meaning
 * HANFOLD_POSTING_CAP_MAX).  0 when s->posting_cap is out of range. */
HANFOLD_API uint32_t hanfold_posting_cap(const hanfold_cluster_settings *s);

/* hanfold_pair_verify() with c's settings, and c's scratch for the longest
 * common subsequence: when `later` is the same record as in the previous
 * call on c, later_prepared true skips building its bit masks again.  c is
 * used for nothing else (records need not be added to it; a clusterer made
 * for this alone keeps an empty index).  Returns as hanfold_pair_verify():
 * 1, 0, -1 or -ENOMEM.  Not thread-safe on one c. */
HANFOLD_API int hanfold_pair_verify_with(hanfold_clusterer *c, const hanfold_fp *earlier, const hanfold_fp *later,
                                         bool later_prepared, double *sim, int *kind);

#ifdef __cplusplus
}
#endif
#endif /* HANFOLD_EXPERT */
