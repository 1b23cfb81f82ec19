/* Option parsing shared by the subcommands (getopt_long tables). */
#ifndef HF_OPTIONS_H
#define HF_OPTIONS_H

#include <getopt.h>

#include "cli.h"

/* Long-option codes of the shared options; subcommands number theirs from
 * OPT_CMD upwards. */
enum {
    OPT_INPUT = 1000, OPT_ID_FIELD, OPT_TEXT_FIELD, OPT_ENCODING, OPT_HTML, OPT_NO_HTML,
    OPT_TO, OPT_OPENCC_CONFIG, OPT_NO_PINYIN, OPT_REPAIR_MOJIBAKE, OPT_STRICT, OPT_STATS,
    OPT_QUIET, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_MAX_RECORD, OPT_THREADS, OPT_VERSION,
    OPT_DROP_FURNITURE, OPT_OPENCC_DIR,
    OPT_CMD = 1100,
};

#define HF_COMMON_LONGOPTS \
    {"input", required_argument, 0, OPT_INPUT}, \
    {"id-field", required_argument, 0, OPT_ID_FIELD}, \
    {"text-field", required_argument, 0, OPT_TEXT_FIELD}, \
    {"encoding", required_argument, 0, OPT_ENCODING}, \
    {"html", no_argument, 0, OPT_HTML}, \
    {"no-html", no_argument, 0, OPT_NO_HTML}, \
    {"to", required_argument, 0, OPT_TO}, \
    {"opencc-config", required_argument, 0, OPT_OPENCC_CONFIG}, \
    {"no-pinyin-repair", no_argument, 0, OPT_NO_PINYIN}, \
    {"repair-mojibake", no_argument, 0, OPT_REPAIR_MOJIBAKE}, \
    {"strict", no_argument, 0, OPT_STRICT}, \
    {"stats", optional_argument, 0, OPT_STATS}, \
    {"quiet", no_argument, 0, OPT_QUIET}, \
    {"progress", no_argument, 0, OPT_PROGRESS}, \
    {"no-progress", no_argument, 0, OPT_NO_PROGRESS}, \
    {"max-record", required_argument, 0, OPT_MAX_RECORD}, \
    {"threads", required_argument, 0, OPT_THREADS}, \
    {"version", no_argument, 0, OPT_VERSION}, \
    {"drop-furniture", required_argument, 0, OPT_DROP_FURNITURE}, \
    {"opencc-dir", required_argument, 0, OPT_OPENCC_DIR}, \
    {"output", required_argument, 0, 'o'}, \
    {"recursive", no_argument, 0, 'r'}, \
    {"help", no_argument, 0, 'h'}

/* The thresholds of the near-duplicate commands (hanfold cluster, dedup,
 * report and hanfold-mpi). */
enum {
    OPT_THRESHOLD = 1050, OPT_LONG_THRESHOLD, OPT_JACCARD_THRESHOLD, OPT_MIN_RATIO,
    OPT_POSTING_CAP, OPT_VERIFY_BUDGET, OPT_SPILL_MEMORY,
};

#define HF_THRESHOLD_LONGOPTS \
    {"threshold", required_argument, 0, OPT_THRESHOLD}, \
    {"long-threshold", required_argument, 0, OPT_LONG_THRESHOLD}, \
    {"jaccard-threshold", required_argument, 0, OPT_JACCARD_THRESHOLD}, \
    {"min-ratio", required_argument, 0, OPT_MIN_RATIO}, \
    {"posting-cap", required_argument, 0, OPT_POSTING_CAP}, \
    {"verify-budget", required_argument, 0, OPT_VERIFY_BUDGET}, \
    {"spill-memory", required_argument, 0, OPT_SPILL_MEMORY}

#define HF_COMMON_HELP \
"Input (FILEs and stdin compressed with gzip, zstd or xz are decompressed):\n" \
"      --input MODE      what a record is: lines (default), paragraphs, jsonl,\n" \
"                        files (each FILE one record, id = its path), null\n" \
"      --id-field NAME   jsonl: field holding the record id (default: id; a.b\n" \
"                        is b inside a)\n" \
"      --text-field NAME jsonl: field holding the text (default: text); a.b is\n" \
"                        b inside object a; several (a,b or repeated) are\n" \
"                        joined by a line break, absent ones left out\n" \
"      --encoding NAME   input charset: UTF-8 (default), auto (BOM, <meta\n" \
"                        charset>, detection), or an iconv name (GB18030, BIG5...)\n" \
"      --strict          invalid byte sequences are an error (exit 2) instead of\n" \
"                        being replaced by U+FFFD\n" \
"  -r, --recursive       a FILE that is a directory stands for the files under\n" \
"                        it, in sorted order (symlinks inside not followed)\n" \
"      --max-record N    longer records are data errors, passed through unprocessed\n" \
"                        (suffixes k, M, G; default 256M)\n" \
"Normalization:\n" \
"      --html, --no-html treat every record as HTML / never (default: detect)\n" \
"      --to SCRIPT       simplified (default), traditional, taiwan, hongkong\n" \
"      --opencc-config F apply this OpenCC config (name or path) to every record\n" \
"      --opencc-dir DIR  where --opencc-config names are looked up (default: the\n" \
"                        OpenCC hanfold was built with)\n" \
"      --no-pinyin-repair  keep flattened pinyin annotations such as 產(chǎn)\n" \
"      --repair-mojibake repair mojibake: UTF-8 read as GBK (浣犲ソ -> 你好) and\n" \
"                        GBK read one byte off (眳呛２ū硎 -> 吳海波表)\n" \
"      --drop-furniture LIST  repost furniture the key leaves out (the text keeps\n" \
"                        it): url, location (2北京·工体 at the end), emoticon\n" \
"                        ([蜡烛]), card (O网页链接), comma-separated, or none;\n" \
"                        default url,location\n" \
"Output:\n" \
"  -o, --output FILE     write to FILE instead of standard output: a temporary\n" \
"                        file beside it, renamed over it when the run succeeded\n" \
"                        (exit status 0 or 1); otherwise FILE is left as it was\n" \
"Other:\n" \
"      --threads N       threads that normalize (default, and 0: processors\n" \
"                        online); the output does not depend on N\n" \
"      --stats[=FORMAT]  counts (records read, written, invalid...) on stderr:\n" \
"                        text (default, a line) or json (one object, a line)\n" \
"      --progress, --no-progress  a progress line on stderr for long runs\n" \
"                        (default: when stderr is a terminal)\n" \
"  -q, --quiet           no warnings, only errors\n" \
"  -h, --help            this help\n" \
"      --version         version and fingerprint schema\n"

/* Sets defaults. */
void hf_common_init(hf_common *co);
/* Handles a shared option; returns 1 if handled, 0 if not a shared option,
 * -1 on a bad value (message printed). */
int hf_common_option(hf_common *co, int c, const char *arg);
/* Sets the threshold of option c (OPT_THRESHOLD ... OPT_MIN_RATIO) in *cs
 * from arg, a number from 0 to 1, or the expert setting of OPT_POSTING_CAP,
 * OPT_VERIFY_BUDGET or OPT_SPILL_MEMORY.  Returns 1 when set, 0 when c is
 * none of these, -1 on a bad value or when cs is NULL (a command without
 * thresholds); the message is printed. */
int hf_threshold_option(hanfold_cluster_settings *cs, int c, const char *arg);
/* Usage error epilogue: prints the hint and returns HF_EXIT_ERROR. */
int hf_usage_error(const char *cmd);
void hf_print_version(void);
/* Strict unsigned number with optional k/M/G suffix. */
int hf_parse_size(const char *s, size_t *out);
/* Strict double in [lo, hi]. */
int hf_parse_double(const char *s, double lo, double hi, double *out);

#endif
