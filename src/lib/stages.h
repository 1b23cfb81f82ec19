/* Internal interfaces of the pipeline stages (see src/README for the map).
 * Each stage lives in its own file; none of them prints, all return 0 or a
 * negative errno and write into caller-owned hf_buf's. */
#ifndef HF_STAGES_H
#define HF_STAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hanfold.h"
#include "fingerprint.h"

/* The fast paths (issue 5) are exact shortcuts of a reference path that is
 * kept beside them.  A stage that has both takes a last argument `ref`:
 * true takes the reference path.  A context passes its
 * hanfold_settings.reference_path, which only tests set
 * (tests/unit/test_fastpath.c compares the two on whole corpora). */

/* ---- decode.c: bytes in some charset -> valid UTF-8 -------------------- */

/* Canonical iconv name of the charset announced by a BOM at s, or NULL.
 * *bom_len receives the BOM length. */
const char *hf_decode_bom(const uint8_t *s, size_t n, size_t *bom_len);
/* Charset named by <meta charset=...> or <meta http-equiv content=...charset=...>
 * in the first bytes of an HTML document, copied into name (size namesz);
 * returns false if there is none. */
bool hf_decode_meta_charset(const uint8_t *s, size_t n, char *name, size_t namesz);
/* Charset guessed by uchardet for the sample (canonical iconv name), or NULL
 * when it cannot tell.  ASCII-only samples give "UTF-8". */
const char *hf_decode_detect(const uint8_t *s, size_t n);
/* Whether the bytes prove UTF-8: characters beyond ASCII, all well-formed
 * (GBK or Big5 text of any length is not, by accident), the last one
 * possibly cut by the end of the sample. */
bool hf_decode_proves_utf8(const uint8_t *s, size_t n);

/* Appends s as valid UTF-8: invalid or truncated sequences become U+FFFD
 * (one per maximal invalid subpart, as WHATWG/Unicode recommend) and are
 * counted in *invalid.  Returns 0 or -ENOMEM. */
int hf_decode_utf8(const uint8_t *s, size_t n, hf_buf *out, size_t *invalid, bool ref);

typedef struct hf_decoder hf_decoder;
/* A converter from charset `from` to UTF-8 (iconv).  Returns 0, -EINVAL for
 * an unknown charset, -ENOMEM. */
int hf_decoder_new(hf_decoder **d, const char *from);
void hf_decoder_free(hf_decoder **d);
/* Converts a complete chunk (no sequence may continue past its end: callers
 * split at line ends, which no supported charset uses as a trail byte, except
 * UTF-16 which callers decode whole).  Unconvertible bytes become U+FFFD and
 * are counted in *invalid. */
int hf_decoder_run(hf_decoder *d, const uint8_t *s, size_t n, hf_buf *out, size_t *invalid);

/* ---- markup.c: HTML -> text (libxml2) --------------------------------- */

/* True when s contains real HTML markup: a known tag such as <p>, <div>,
 * <br>, <a href=...>, a doctype or a comment, not merely '<' and '>' around
 * text (a headline like "<有一种喜欢>" is not HTML). */
bool hf_markup_detect(const char *s, size_t n);
/* Elements nest at most this deep in the tree extraction works on. */
#define HF_MARKUP_MAX_DEPTH HANFOLD_HTML_MAX_DEPTH
/* What hf_markup_to_text() could not keep as written (all 0 normally). */
typedef struct hf_markup_note {
    /* Elements that would have opened deeper than HF_MARKUP_MAX_DEPTH
     * (counting <html> and <body>): not built, their text kept inside the
     * element around them; block elements and <br> still break lines and
     * dropped elements (script, nav...) still drop their text, but the
     * boilerplate rules on classes and link lists do not see them.
     * flattened_line: 1-based line of the record where the first was. */
    uint64_t flattened;
    uint64_t flattened_line;
    /* The parser stopped before the end of the input (no known cause is
     * left): the text after cut_line is missing. */
    bool cut;
    uint64_t cut_line;
} hf_markup_note;
/* Extracts the readable text of an HTML document or fragment (valid UTF-8):
 * drops script/style/noscript/template, navigation/footer/aside/form and ad
 * or related-link boilerplate, and ruby annotations (<rt>, <rp>); turns block
 * elements and <br> into '\n'; decodes entities.  Appends to out.  *note
 * (may be NULL) says what could not be kept as written.  Time and stack are
 * linear in n whatever the markup. */
int hf_markup_to_text(const char *s, size_t n, hf_buf *out, hf_markup_note *note);
/* A message for people about *note in buf ("" when there is nothing to
 * say); returns the line of the record it is about (0 when none). */
uint64_t hf_markup_describe(const hf_markup_note *note, char *buf, size_t size);

/* ---- repair.c: pinyin ruby and mojibake -------------------------------- */

/* Removes flattened pinyin annotations: a Hanyu Pinyin syllable (with tone
 * marks or a tone digit; toneless syllables only when the same text also has
 * toned annotations) in ASCII or full-width parentheses right after a Han
 * character: 產(chǎn)業(yè) -> 產業.  *removed counts the annotations removed. */
int hf_repair_pinyin(const char *s, size_t n, hf_buf *out, size_t *removed, bool ref);
/* False when s cannot hold a pinyin annotation (no '(' or U+FF08 right
 * after a Han character): hf_repair_pinyin would then remove nothing. */
bool hf_repair_pinyin_possible(const char *s, size_t n);
/* Whether the parenthesis at s[i] ('(' or U+FF08) can open an annotation:
 * a Han character ends right before it (or the bytes before are not
 * well-formed).  hf_repair_pinyin_possible() asks it of every one. */
bool hf_repair_pinyin_at(const char *s, size_t i);
/* Counts runs of mojibake: with all, UTF-8 text decoded as GBK (浣犲ソ for
 * 你好), then, in the text with those decoded, runs that look like GBK text
 * decoded one byte off, then lost readings (see hf_repair_mojibake());
 * without all, only the misaligned runs: the pipeline counts those in every
 * record with a suspect character, and looking for the other kinds costs a
 * pass over the text of its own (hanfold.c asks for all with
 * --repair-mojibake, where the count is what is repaired). */
size_t hf_repair_count_mojibake(const char *s, size_t n, bool all, bool ref);
/* A character that can be part of such a run and is not a common one.
 * Every run counted has one (misaligned runs: at least 3 in 10 of their
 * non-ASCII characters): in text without any, hf_repair_count_mojibake()
 * counts 0. */
bool hf_repair_mojibake_suspect(uint32_t c);
/* Replaces the runs that hf_repair_count_mojibake() counts by their
 * decoding: the GBK bytes of a UTF-8-as-GBK run as UTF-8, the
 * one-byte-shifted GBK decoding of a misaligned run (?!眳呛２ū硎? ->
 * �”吳海波表�: a character whose lead or trail byte a decoder replaced by
 * '?' is U+FFFD, the '?' and a reading after it taken with it).
 * *repaired counts the runs replaced.  Returns 0 or -ENOMEM. */
int hf_repair_mojibake(const char *s, size_t n, hf_buf *out, size_t *repaired, bool ref);

/* ---- furniture.c: repost furniture, left out of the key --------------- */

/* Kinds: HANFOLD_FURNITURE_* (hanfold.h).  Whether valid UTF-8 text s (before the unicode stage) has a span of one
 * of the kinds; false means hf_furniture_strip() would copy it whole. */
bool hf_furniture_possible(const char *s, size_t n, unsigned kinds);
/* hf_furniture_possible() after hf_fold_key_direct() of s returned 0 with
 * *seen: kinds whose characters it did not see are ruled out without
 * reading s again, which is all most records take. */
bool hf_furniture_possible_seen(const char *s, size_t n, unsigned kinds, unsigned seen);
/* Appends s with each span of the kinds replaced by a space; *found counts
 * them.  0 or -ENOMEM. */
int hf_furniture_strip(const char *s, size_t n, unsigned kinds, hf_buf *out, size_t *found);

/* ---- unicode.c --------------------------------------------------------- */

enum hf_punct { HF_PUNCT_SIMPLIFIED, HF_PUNCT_TRADITIONAL };
/* What line breaks are: layout, joined as whitespace (JOIN); kept (KEEP);
 * or the ends of HTML blocks, joined as whitespace but with 。 between two
 * word characters (Han, letters, digits) that the space rule would
 * otherwise run together (BLOCKS: "标题\n正文" -> "标题。正文"). */
enum hf_lines { HF_LINES_JOIN, HF_LINES_KEEP, HF_LINES_BLOCKS };
/* NFKC (keeping CJK full-width punctuation), drops invisible format
 * characters and controls, collapses whitespace, removes spaces next to Han
 * characters, maps corner brackets/quotes to the target's convention.
 * With HF_LINES_KEEP, line breaks are kept (each line trimmed, at most one
 * blank line in a row); otherwise they count as whitespace (see hf_lines). */
int hf_unicode_clean(const char *s, size_t n, enum hf_punct punct, enum hf_lines lines,
                     hf_buf *out, hf_buf *tmp, bool ref);
/* Whether hf_unicode_clean() drops c as invisible (controls, format
 * characters, variation selectors). */
bool hf_unicode_invisible(uint32_t c);
/* Whether s (valid UTF-8) has such a character. */
bool hf_unicode_has_invisible(const char *s, size_t n);
/* Appends s without those characters, as hf_unicode_clean() drops them
 * first.  0, -ENOMEM or -EILSEQ. */
int hf_unicode_drop_invisible(const char *s, size_t n, hf_buf *out);
/* True when hf_unicode_clean() can change c only as whitespace, a line
 * break or a quotation mark: c is visible and NFKC leaves it alone. */
bool hf_unicode_passes(uint32_t c);
/* True when hf_unicode_clean() writes nothing for s (valid UTF-8): it has
 * only whitespace and line breaks. */
bool hf_unicode_blank(const char *s, size_t n);

/* ---- script.c: the only file that includes <opencc.h> ------------------ */

typedef struct hf_script hf_script;
/* config: an OpenCC config name ("tw2s") looked up in dir (NULL: OpenCC's
 * data directory), or a path containing '/'.  Always opened by absolute
 * path. */
int hf_script_open(hf_script **s, const char *config, const char *dir, char *err, size_t errsz);
/* A config compiled into fastcc.c by name ("hanfold-t2s", hanfold's own,
 * which has no file in OpenCC's data directory), whatever the environment
 * says. */
int hf_script_open_builtin(hf_script **s, const char *name, char *err, size_t errsz);
void hf_script_close(hf_script **s);
/* Converts valid UTF-8 text; appends to out. */
int hf_script_convert(hf_script *s, const char *in, size_t n, hf_buf *out);
/* True when s converts with the compiled-in tables (fastcc.c), which were
 * made from the same OpenCC data as tables.h; false for libopencc. */
bool hf_script_builtin(const hf_script *s);

/* Script of a run of text judged by its characters: counts of characters
 * that exist only in traditional and only in simplified script. */
void hf_script_census(const char *s, size_t n, size_t *trad_only, size_t *simp_only);
/* hf_script_census() that also counts the characters of both scripts that
 * lean traditional (the conversion to simplified changes them but in some
 * words: 於, 乾) and simplified (后, 干, 里). */
void hf_script_census_lean(const char *s, size_t n, size_t *trad_only, size_t *simp_only,
                           size_t *lean_trad, size_t *lean_simp);
/* The census class of one character: 1 traditional only, 2 simplified only,
 * 0 neither. */
int hf_script_class(uint32_t c);

/* Appends conv, the conversion of src (valid UTF-8), character for
 * character, except where a character of src that the conversion changed
 * is of census class keep (hf_script_class()): there src's character
 * stays.  This is how text mixed within a clause is converted without
 * damage to what is already in the target script: tw2s turns 么 into 幺,
 * which simplified text never has.  The configs the script stage uses
 * (tw2s, s2t, s2tw, s2hk) map every character to one character; when conv
 * does not have as many characters as src, conv is appended as it is.
 * Returns 0 or -ENOMEM (out then as before). */
int hf_script_merge(const char *src, size_t n, const char *conv, size_t cn, int keep, hf_buf *out);

/* One clause of a text as the script stage splits it: its end (byte offset)
 * and its counts of traditional-only and simplified-only characters, and
 * whether it has characters that lean either way (1 or 0; see
 * hf_script_census_lean()). */
typedef struct { size_t end; uint32_t trad, simp, lean_trad, lean_simp; } hf_clause;
typedef struct { hf_clause *v; size_t len, cap; } hf_clausevec;
/* Splits valid UTF-8 text into clauses (each ends after a clause-ending
 * punctuation mark or, with lines, a line break '\n'; the last one at the end
 * of the text) and takes the census of each in the same pass; *trad_only
 * and *simp_only get the totals (the census of the whole text).  -EILSEQ on
 * invalid UTF-8, -ENOMEM. */
int hf_script_clauses(const char *s, size_t n, bool lines, hf_clausevec *out, size_t *trad_only,
                      size_t *simp_only);

/* ---- fold.c: the dedup key ---------------------------------------------- */

/* Key of normalized simplified text: case-folded, only letters, marks and
 * digits kept, residual variants folded to one representative.  With
 * tokens (may be NULL), *have_tokens tells whether tokens holds
 * hf_tokenize() of the key, made on the way. */
int hf_fold_key(const char *s, size_t n, hf_buf *out, hf_buf *tmp, hf_u32vec *tokens, bool *have_tokens,
                bool ref);
/* The key of text that has not been through the unicode and script stages,
 * when they cannot change it: with a simplified target, text in which every
 * character is in the BMP and passes hf_unicode_passes() (what the unicode
 * stage does to such text is dropped from the key anyway), and which has no
 * traditional-only character (then no clause is converted), or, with
 * HF_DIRECT_TRAD, none of hf_key_unsafe[] (tables.h) when it has one: for
 * when the script stage is the compiled-in tw2s, every entry of whose
 * dictionaries either folds to what its value folds to, character by
 * character (傳 and 传 are one class), or has one of hf_key_unsafe[] in its
 * key (沈默 -> 沉默), so converting such text cannot change its key
 * (tests/shared/key-invariant.sh checks every entry).  Returns 1 and leaves
 * out alone when the text is not such; then the caller runs the stages.
 * Otherwise as hf_fold_key(), and when *have_tokens is set, tokens holds
 * hf_tokenize() of the key, made on the way; *seen tells whether the text
 * has a character for which hf_repair_mojibake_suspect() is true
 * (HF_SEEN_SUSPECT) and a traditional-only one (HF_SEEN_TRAD: the script
 * stage would have converted some of it), both set unless 0 is returned.
 * With HF_DIRECT_READINGS, returns 2 (out left alone) at a parenthesis for
 * which hf_repair_pinyin_at() is true, met before any character that makes
 * it return 1: the caller then repairs first (without a second scan for
 * hf_repair_pinyin_possible()).  HF_DIRECT_REF, the reference path: always
 * returns 1. */
enum { HF_DIRECT_READINGS = 1, HF_DIRECT_TRAD = 2, HF_DIRECT_REF = 4 };
enum { HF_SEEN_SUSPECT = 1, HF_SEEN_TRAD = 2 };
/* Also set in *seen when 0 is returned: the characters that furniture
 * needs (hf_furniture_possible_seen()), / 2 O [ and their full-width forms */
enum { HF_SEEN_SLASH = 4, HF_SEEN_PIN = 8, HF_SEEN_CARD = 16, HF_SEEN_BRACKET = 32, HF_SEEN_WIDE = 64 };
int hf_fold_key_direct(const char *s, size_t n, hf_buf *out, hf_buf *tmp, hf_u32vec *tokens,
                       unsigned opts, bool *have_tokens, unsigned *seen);

#endif
