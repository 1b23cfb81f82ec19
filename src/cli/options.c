#include "options.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void hf_common_init(hf_common *co)
{
    memset(co, 0, sizeof *co);
    hanfold_settings_default(&co->set);
    co->in.mode = HF_IN_LINES;
    co->in.id_field = "id";
    co->in.text_field = "text";
    co->progress = -1;
    /* bounded memory by default: a record is at most 256 MiB (a 1 GB line
     * is passed through unprocessed, with a message) */
    co->in.max_record = (size_t)256 << 20;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    co->threads = n > 0 ? (unsigned)n : 1;
}

int hf_parse_size(const char *s, size_t *out)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned long long mul = 1;
    if (*end) {
        switch (*end) {
        case 'k': case 'K': mul = 1ULL << 10; break;
        case 'M': mul = 1ULL << 20; break;
        case 'G': mul = 1ULL << 30; break;
        default: return -1;
        }
        if (end[1])
            return -1;
    }
    if (v > SIZE_MAX / mul)
        return -1;
    *out = (size_t)(v * mul);
    return 0;
}

int hf_parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int bad(const char *opt, const char *arg, const char *want)
{
    hf_msg("invalid value '%s' for %s (expected %s)", arg, opt, want);
    return -1;
}

int hf_common_option(hf_common *co, int c, const char *arg)
{
    switch (c) {
    case OPT_INPUT: {
        static const struct { const char *n; enum hf_input m; } modes[] = {
            {"lines", HF_IN_LINES}, {"paragraphs", HF_IN_PARAGRAPHS}, {"jsonl", HF_IN_JSONL},
            {"files", HF_IN_FILES}, {"null", HF_IN_NULL},
        };
        for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
            if (!strcmp(arg, modes[i].n)) {
                co->in.mode = modes[i].m;
                return 1;
            }
        return bad("--input", arg, "lines, paragraphs, jsonl, files or null");
    }
    case OPT_ID_FIELD:
    case OPT_TEXT_FIELD: {
        bool text = c == OPT_TEXT_FIELD;
        hf_jpath *p;
        size_t n;
        int e = hf_jpaths_parse(arg, text, &p, &n);
        if (e == -ENOMEM) {
            hf_msg("out of memory");
            return -1;
        }
        if (e)
            return bad(text ? "--text-field" : "--id-field", arg,
                       text ? "field names, a.b for b inside a, comma-separated" : "a field name, a.b for b inside a");
        hf_jpaths_free(p, n);
        if (!text) {
            co->in.id_field = arg;
            return 1;
        }
        /* repeated: the fields of each, in order (static: lives as long as
         * the options) */
        static char joined[4096];
        if (!co->text_field_set) {
            co->in.text_field = arg;
            co->text_field_set = true;
            return 1;
        }
        if (strlen(co->in.text_field) + 1 + strlen(arg) >= sizeof joined)
            return bad("--text-field", arg, "fewer fields");
        if (co->in.text_field != joined)
            snprintf(joined, sizeof joined, "%s", co->in.text_field);
        strcat(joined, ",");
        strcat(joined, arg);
        co->in.text_field = joined;
        return 1;
    }
    case OPT_ENCODING: co->in.encoding = arg; return 1;
    case OPT_HTML: co->set.html = HANFOLD_HTML_ON; return 1;
    case OPT_NO_HTML: co->set.html = HANFOLD_HTML_OFF; return 1;
    case OPT_TO: {
        static const struct { const char *n; enum hanfold_target t; } t[] = {
            {"simplified", HANFOLD_TO_SIMPLIFIED}, {"traditional", HANFOLD_TO_TRADITIONAL},
            {"taiwan", HANFOLD_TO_TAIWAN}, {"hongkong", HANFOLD_TO_HONGKONG},
        };
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
            if (!strcmp(arg, t[i].n)) {
                co->set.target = t[i].t;
                return 1;
            }
        return bad("--to", arg, "simplified, traditional, taiwan or hongkong");
    }
    case OPT_OPENCC_CONFIG: co->set.opencc_config = arg; return 1;
    case OPT_OPENCC_DIR: co->set.opencc_dir = arg; return 1;
    case OPT_NO_PINYIN: co->set.repair_pinyin = false; return 1;
    case OPT_DROP_FURNITURE: {
        static const struct { const char *n; unsigned k; } kinds[] = {
            {"url", HANFOLD_FURNITURE_URL}, {"location", HANFOLD_FURNITURE_LOCATION},
            {"emoticon", HANFOLD_FURNITURE_EMOTICON}, {"card", HANFOLD_FURNITURE_CARD},
            {"all", HANFOLD_FURNITURE_ALL}, {"none", 0},
        };
        unsigned set = 0;
        for (const char *p = arg;;) {
            size_t l = strcspn(p, ",");
            size_t i = 0;
            while (i < sizeof kinds / sizeof kinds[0] && (strlen(kinds[i].n) != l || strncmp(p, kinds[i].n, l)))
                i++;
            if (i == sizeof kinds / sizeof kinds[0])
                return bad("--drop-furniture", arg, "a comma-separated list of url, location, emoticon, card, or none");
            set |= kinds[i].k;
            if (!p[l])
                break;
            p += l + 1;
        }
        co->set.drop_furniture = set;
        return 1;
    }
    case OPT_REPAIR_MOJIBAKE: co->set.repair_mojibake = true; return 1;
    case OPT_STRICT: co->strict = co->in.strict = true; return 1;
    case OPT_STATS:
        /* --stats=FORMAT only: a separate word after --stats is a FILE */
        if (arg && strcmp(arg, "json") && strcmp(arg, "text"))
            return bad("--stats", arg, "text or json, as --stats=json");
        co->stats = true;
        co->stats_json = arg && !strcmp(arg, "json");
        return 1;
    case 'r': co->recursive = true; return 1;
    case 'o':
        if (!*arg)
            return bad("--output", arg, "a file name");
        co->output = arg;
        return 1;
    case 'q':
    case OPT_QUIET: co->quiet = true; return 1;
    case OPT_PROGRESS: co->progress = 1; return 1;
    case OPT_NO_PROGRESS: co->progress = 0; return 1;
    case OPT_MAX_RECORD:
        if (hf_parse_size(arg, &co->in.max_record) || !co->in.max_record)
            return bad("--max-record", arg, "a positive size such as 64M");
        return 1;
    case OPT_THREADS: {
        size_t n;
        if (hf_parse_size(arg, &n) || n > 256)
            return bad("--threads", arg, "a number from 0 (all processors) to 256");
        co->threads_auto = n == 0;
        if (n == 0) {
            /* as zstd -T0: every processor online */
            long p = sysconf(_SC_NPROCESSORS_ONLN);
            n = p > 0 ? (size_t)(p > 256 ? 256 : p) : 1;
        }
        co->threads = (unsigned)n;
        return 1;
    }
    }
    return 0;
}

int hf_threshold_option(hanfold_cluster_settings *cs, int c, const char *arg)
{
    static const struct { int opt; const char *name; size_t off; } th[] = {
        {OPT_THRESHOLD, "threshold", offsetof(hanfold_cluster_settings, threshold)},
        {OPT_LONG_THRESHOLD, "long-threshold", offsetof(hanfold_cluster_settings, long_threshold)},
        {OPT_JACCARD_THRESHOLD, "jaccard-threshold", offsetof(hanfold_cluster_settings, jaccard_threshold)},
        {OPT_MIN_RATIO, "min-ratio", offsetof(hanfold_cluster_settings, min_ratio)},
    };
    if (c == OPT_POSTING_CAP || c == OPT_VERIFY_BUDGET || c == OPT_SPILL_MEMORY) {
        /* expert settings, for tests above all: they change which pairs are
         * compared (the cap and the budget), or only memory (spill) */
        const char *what = c == OPT_POSTING_CAP ? "posting-cap" : c == OPT_VERIFY_BUDGET ? "verify-budget"
                                                                                         : "spill-memory";
        size_t v;
        size_t max = c == OPT_POSTING_CAP ? HANFOLD_POSTING_CAP_MAX : c == OPT_VERIFY_BUDGET ? 1000000 : SIZE_MAX;
        if (!cs || hf_parse_size(arg, &v) || v < 1 || v > max) {
            hf_msg("invalid value '%s' for --%s (expected a number from 1 to %zu)", arg, what, max);
            return -1;
        }
        if (c == OPT_POSTING_CAP)
            cs->posting_cap = (unsigned)v;
        else if (c == OPT_VERIFY_BUDGET)
            cs->verify_budget = (unsigned)v;
        else
            cs->spill_memory = v;
        return 1;
    }
    size_t k = 0;
    while (k < sizeof th / sizeof th[0] && th[k].opt != c)
        k++;
    if (k == sizeof th / sizeof th[0])
        return 0;
    double v;
    if (!cs || hf_parse_double(arg, 0.0, 1.0, &v)) {
        hf_msg("invalid value '%s' for --%s (expected a number from 0 to 1)", arg, th[k].name);
        return -1;
    }
    *(double *)((char *)cs + th[k].off) = v;
    return 1;
}

int hf_usage_error(const char *cmd)
{
    fprintf(stderr, "Try '%s %s --help' for more information.\n", hf_progname, cmd);
    return HF_EXIT_ERROR;
}

void hf_print_version(void)
{
    printf("hanfold %s\nfingerprint schema %d (%s)\n", HANFOLD_VERSION, HANFOLD_SCHEMA_VERSION,
           hanfold_schema());
}
