/* Internal interface of the shingle/simhash/index/cluster stages. */
#ifndef HF_FINGERPRINT_H
#define HF_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#define HANFOLD_EXPERT /* hanfold_candidate, hanfold_decide, the candidate rules */
#include "hanfold.h"

/* Token ids: code points below 2^31; Latin/digit runs have bit 31 set, and
 * bit 30 too when the run contains a digit. */
#define HF_TOKEN_RUN 0x80000000u
#define HF_TOKEN_NUMERIC 0xC0000000u

#define HF_SHINGLE_SEED 0x68616e666f6c6431ULL /* "hanfold1" */

typedef struct { uint32_t *v; size_t len, cap; } hf_u32vec;
typedef struct { uint64_t *v; size_t len, cap; } hf_u64vec;

uint64_t hf_hash64(const void *p, size_t n, uint64_t seed);
/* Key -> token ids (code points; ASCII letter/digit runs hashed above 2^31). */
int hf_tokenize(const char *key, size_t n, hf_u32vec *out);
/* The token of a run of ASCII letters and digits (n >= 1). */
uint32_t hf_token_run(const char *run, size_t n);
/* Token n-gram hashes; a sequence shorter than n gives one shingle. */
int hf_shingles(const uint32_t *tok, size_t ntok, unsigned n, hf_u64vec *out);
uint64_t hf_simhash(const uint64_t *h, size_t n);
/* Sorts ascending and removes duplicates; returns the new length. */
size_t hf_sort_unique(uint64_t *v, size_t n);

/* hanfold_fingerprint(), of the parts in `what`: without HF_FP_SKETCH, a
 * key kept whole (fp->tokens set) gets no sketch (fp->nsketch 0): what a
 * fingerprint row needs, without the sort; without HF_FP_SIMHASH, simhash
 * is 0 (clustering by key from fingerprint rows, which carry it). */
enum { HF_FP_SKETCH = HANFOLD_FP_SKETCH, HF_FP_SIMHASH = HANFOLD_FP_SIMHASH };
int hf_fingerprint(hanfold_ctx *c, const char *key, size_t len, unsigned what, hanfold_fp *fp);

/* Candidate rules of the index (cluster.c; hanfold-mpi applies the same).
 * A representative is entered under its HANFOLD_INDEX_POSTED smallest
 * shingle hashes; a record looks up its HANFOLD_INDEX_B smallest.  The
 * asymmetry gains recall per stored entry: a pair is found when the
 * earlier record's few smallest hashes lie in the later one's set, which
 * depends on the share of the earlier record's shingles that the later one
 * contains, higher than their Jaccard similarity.  On 3,000 sentence pairs
 * (dev sentences with scattered deletions, substitutions, added prefixes
 * or suffixes) that verify as duplicates, 8 entered / 16 looked up missed
 * 1.12% of the pairs, 16 / 16 (the rule before) 1.31%, 8 / 8 1.78%, with
 * half the index of 16 / 16.
 * A hash entered for more than HF_POSTING_CAP representatives is not
 * followed: a shingle that common (a boilerplate phrase such as 转发微博) says
 * nothing about which records are near-duplicates, and following it would
 * make clustering quadratic; records that share only such shingles are not
 * near-duplicates unless identical, which the exact-key table finds.  A
 * candidate is verified only when it shares at least
 * HANFOLD_MIN_SHARED of the smaller of the two counts (entered, looked up), and
 * at least one shingle: near-duplicates share most of them, records that
 * merely start alike (转发微博…) one or two.  Without this filter 10,000
 * lines starting with 转发微博 took 9.7 s to deduplicate; with it 0.09 s
 * under 16 / 16 and 0.38 s under 8 / 16 (two shared hashes of the common
 * prefix now suffice more often; the posting cap bounds it: 50,000 lines
 * 0.52 s). */
#define HF_POSTING_CAP HANFOLD_POSTING_CAP_MAX

/* At most this many candidates of a record are compared (verified and
 * found comparable: not ruled out by the length ratio): those sharing the
 * most indexed shingles with it, the earlier first among equals.  On
 * repost-heavy text a story gathers variants that are not near-duplicates
 * of each other (each repost adds its own comment), and without a bound
 * every new repost is compared with all of them, which made deduplication
 * quadratic.  On the development sets no record has that many. */
#define HF_VERIFY_BUDGET 32

/* A candidate: its slot (or record number) and the shingles it shares. */
typedef hanfold_candidate hf_cand;
/* Orders candidates as the budget takes them: most shared first, then the
 * lower id. */
int hf_cand_cmp(const void *a, const void *b);
/* The budget that settings s ask for (their verify_budget, 0 meaning
 * HF_VERIFY_BUDGET); the posting cap is hanfold_posting_cap() of the
 * expert API, which hanfold-mpi applies as the clusterer does, with
 * hanfold_posted(), hanfold_shared_needed() and hanfold_pair_verify_with(). */
size_t hf_verify_budget(const hanfold_cluster_settings *s);

/* Length of the longest common subsequence, bit-parallel (cluster.c);
 * SIZE_MAX when out of memory. */
size_t hf_lcs(const uint32_t *a, size_t m, const uint32_t *b, size_t n);

#endif
