/* hanfold normalize: readable normalized text (or the key), one output
 * record per input record, streaming. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "batch.h"
#include "progress.h"
#include "options.h"
#include "outfile.h"
#include "walk.h"

#include <jansson.h>

static const char help[] =
"Usage: hanfold normalize [OPTIONS] [FILE...]\n"
"Write each record in one normalized form: HTML reduced to its text, pinyin\n"
"annotations removed, full-width and invisible characters folded, spacing\n"
"cleaned, and the script converted (default: simplified).  One output line per\n"
"input line; FILE '-' or none reads stdin.\n"
"\n"
"  -k, --key             print the dedup key instead (script-independent)\n"
"      --script-only     only the OpenCC conversion, on the whole text (as the\n"
"                        opencc command does); with --opencc-config or --to\n"
"\n"
HF_COMMON_HELP
"\n"
"Examples:\n"
"  echo '產(chǎn)業(yè)數(shù)字化' | hanfold normalize        -> 产业数字化\n"
"  hanfold normalize --to taiwan --input jsonl posts.jsonl\n"
"  hanfold normalize --encoding auto --html page.html\n";

enum { OPT_KEY = OPT_CMD, OPT_SCRIPT_ONLY };

/* Shared by the commands that print per-record diagnostics. */
void hf_report_record_error(const hf_record *rec)
{
    hf_msg("%s:%llu: %s", rec->file, (unsigned long long)rec->line, rec->error);
}

void hf_report_strict_stop(const hf_record *rec)
{
    hf_msg("%s:%llu: invalid byte sequence; stopped here (--strict): this record and the rest of the "
           "input were not processed", rec->file, (unsigned long long)rec->line);
}

/* What the library could not keep of a record as written (nothing is
 * dropped without a word).  The line is the file's where the record's text
 * has the file's lines; else the record's, and the line within its text. */
void hf_report_record_warning(const hf_common *co, const hf_item *it)
{
    const hf_record *rec = &it->rec;
    if (!it->warn[0] || co->quiet)
        return;
    unsigned long long wl = it->warn_line ? it->warn_line : 1;
    if (co->in.mode != HF_IN_JSONL && co->in.mode != HF_IN_NULL)
        hf_msg("%s:%llu: warning: %s", rec->file, (unsigned long long)rec->line + wl - 1, it->warn);
    else if (wl > 1)
        hf_msg("%s:%llu: warning: %s (line %llu of the record's text)", rec->file,
               (unsigned long long)rec->line, it->warn, wl);
    else
        hf_msg("%s:%llu: warning: %s", rec->file, (unsigned long long)rec->line, it->warn);
}

static void write_json_string(const char *s, size_t n)
{
    json_t *j = json_stringn_nocheck(s, n);
    char *d = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    if (d) {
        hf_out(d, strlen(d));
    } else {
        hf_out("\"\"", 2);
    }
    free(d);
    json_decref(j);
}

/* One output record, in the shape of the input mode. */
static void write_record(const hf_common *co, const hf_record *rec, const char *out, size_t outlen,
                         uint64_t written)
{
    switch (co->in.mode) {
    case HF_IN_JSONL:
        if (rec->has_text_span) {
            hf_out(rec->utf8, rec->text_start);
            write_json_string(out, outlen);
            hf_out(rec->utf8 + rec->text_end, rec->utf8_len - rec->text_end);
        } else {
            hf_out(rec->utf8, rec->utf8_len);
        }
        hf_out(rec->term, rec->term_len);
        break;
    case HF_IN_PARAGRAPHS:
        if (written)
            hf_out("\n", 1);
        hf_out(out, outlen);
        hf_out("\n", 1);
        break;
    case HF_IN_FILES:
        hf_out(out, outlen);
        hf_out("\n", 1);
        break;
    default:
        hf_out(out, outlen);
        hf_out(rec->term, rec->term_len);
        break;
    }
}

int hf_cmd_normalize(int argc, char **argv)
{
    static const struct option longopts[] = {
        HF_COMMON_LONGOPTS,
        {"key", no_argument, 0, 'k'},
        {"script-only", no_argument, 0, OPT_SCRIPT_ONLY},
        {0, 0, 0, 0},
    };
    hf_common co;
    hf_common_init(&co);
    bool key = false;
    int c;
    while ((c = getopt_long(argc, argv, "hkqro:", longopts, NULL)) != -1) {
        int r = hf_common_option(&co, c, optarg);
        if (r < 0)
            return hf_usage_error("normalize");
        if (r > 0)
            continue;
        switch (c) {
        case 'h':
            fputs(help, stdout);
            return hf_finish_output() ? HF_EXIT_OK : HF_EXIT_ERROR;
        case OPT_VERSION:
            hf_print_version();
            return hf_finish_output() ? HF_EXIT_OK : HF_EXIT_ERROR;
        case 'k': key = true; break;
        case OPT_SCRIPT_ONLY: co.set.script_only = true; break;
        default:
            return hf_usage_error("normalize");
        }
    }
    if (co.in.mode == HF_IN_JSONL) {
        /* the normalized text replaces the value of its field */
        hf_jpath *p;
        size_t n;
        if (hf_jpaths_parse(co.in.text_field, true, &p, &n)) {
            hf_msg("out of memory");
            return HF_EXIT_ERROR;
        }
        hf_jpaths_free(p, n);
        if (n > 1) {
            hf_msg("normalize writes the text back into its field: give one --text-field (several are "
                   "for dedup, cluster, fingerprint and report)");
            return hf_usage_error("normalize");
        }
    }
    co.set.keep_lines = co.in.mode == HF_IN_PARAGRAPHS || co.in.mode == HF_IN_FILES;
    co.in.html_hint = co.set.html != HANFOLD_HTML_OFF;
    /* the mojibake count of --stats costs a scan of every record */
    co.set.count_mojibake = co.stats;
    char *stdin_only[] = {"-"};
    char **files = optind < argc ? argv + optind : stdin_only;
    int nfiles = optind < argc ? argc - optind : 1;

    char **given = files;
    if (co.recursive && hf_walk(given, nfiles, &files, &nfiles, &co.walk_errors))
        return HF_EXIT_ERROR;
    hf_outfile ofile;
    if (co.output && hf_stdout_open(&ofile, co.output)) {
        hf_walk_free(given, files, nfiles);
        return HF_EXIT_ERROR;
    }
    if (!co.output)
        memset(&ofile, 0, sizeof ofile);
    char err[512];
    hf_batch *batch;
    int e = hf_batch_new(&batch, co.threads, &co.set, key ? HF_BATCH_KEY : HF_BATCH_TEXT, err, sizeof err);
    if (e) {
        hf_msg("%s", e == -ENOMEM ? "out of memory" : err);
        hf_stdout_close(&ofile, false);
        hf_walk_free(given, files, nfiles);
        return HF_EXIT_ERROR;
    }
    hanfold_ctx *ctx = hf_batch_ctx(batch);
    hf_reader *rd;
    if (hf_reader_new(&rd, &co.in, ctx, files, nfiles)) {
        hf_batch_free(&batch);
        hf_msg("out of memory");
        hf_stdout_close(&ofile, false);
        hf_walk_free(given, files, nfiles);
        return HF_EXIT_ERROR;
    }
    int status = HF_EXIT_OK;
    uint64_t read = 0, written = 0, invalid = 0, bad = 0;
    const hf_record *stopped_at = NULL; /* --stats: where the run stopped early */
    char stop_where[4200] = "";
    int r = 1;
    bool stop = false;
    hf_progress prog;
    hf_progress_init(&prog, co.quiet ? 0 : co.progress, files, nfiles);
    /* On two threads or more the workers normalize a batch while this
     * thread reads the next one and writes the one before, and then takes
     * its share of the batch (hf_batch_turn); on one, read, run, write. */
    const bool pipelined = hf_batch_threads(batch) > 1;
    bool inflight_oversize = false, halt = false;
    for (;;) {
        /* read a batch; an oversize record ends it, and no more is read
         * until it has been written and drained from the reader */
        bool oversize = false;
        if (!stop && !(hf_batch_inflight(batch) && inflight_oversize)) {
            if ((e = hf_batch_fill(batch, rd, &r, &oversize))) {
                hf_msg("out of memory");
                r = e;
            }
            if (r <= 0)
                stop = true;
        }
        bool have = true;
        if (pipelined) {
            have = hf_batch_turn(batch, true);
            inflight_oversize = oversize;
        } else {
            hf_batch_run(batch);
        }
        for (size_t i = 0; have && i < hf_batch_count(batch); i++) {
            hf_item *it = hf_batch_item(batch, i);
            const hf_record *rc = &it->rec;
            read++;
            if (rc->invalid) {
                invalid += rc->invalid;
                if (co.strict) {
                    hf_report_strict_stop(rc);
                    status = HF_EXIT_ERROR;
                    halt = true;
                    read--;
                    stopped_at = rc;
                    break;
                }
            }
            if (rc->error) {
                /* Nothing is lost: the record goes out as it came in. */
                if (!co.quiet)
                    hf_report_record_error(rc);
                bad++;
                status = HF_EXIT_ERROR;
                hf_out(rc->raw, rc->raw_len);
                hf_out(rc->term, rc->term_len);
                if (rc->oversize)
                    hf_reader_drain(rd, hf_out_sink, NULL);
                continue;
            }
            if (it->err) {
                hf_msg("%s:%llu: %s", rc->file, (unsigned long long)rc->line, it->errmsg);
                status = HF_EXIT_ERROR;
                halt = true;
                read--; /* read = written + invalid over the records before it */
                stopped_at = rc;
                break;
            }
            hf_report_record_warning(&co, it);
            write_record(&co, rc, it->out.p ? it->out.p : "", it->out.len, written);
            written++;
        }
        if (stopped_at && !stop_where[0])
            /* the record goes with its batch */
            snprintf(stop_where, sizeof stop_where, " at %s:%llu", stopped_at->file,
                     (unsigned long long)stopped_at->line);
        if (have) {
            hf_batch_clear(batch);
            hf_progress_update(&prog, read, hf_reader_bytes(rd));
        }
        if (halt || (!hf_batch_inflight(batch) && stop))
            break;
    }
    /* what was started when the run stopped is not written */
    if (hf_batch_inflight(batch)) {
        hf_batch_wait(batch);
        hf_batch_clear(batch);
    }
    hf_progress_done(&prog);
    if (r < 0)
        status = HF_EXIT_ERROR;
    if (hf_reader_errors(rd) || co.walk_errors)
        status = HF_EXIT_ERROR;
    /* halted on a record, or the reading failed (out of memory) */
    bool stopped = stopped_at || r < 0;
    if (co.stats) {
        hanfold_stats stv;
        hf_batch_stats(batch, &stv);
        const hanfold_stats *st = &stv;
        /* read = written + dropped + invalid; invalid records were passed
         * through unchanged */
        if (co.stats_json) {
            json_t *o = json_pack("{s:s,s:I,s:I,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b}", "command",
                                  "normalize", "read", (json_int_t)read, "written", (json_int_t)written,
                                  "dropped", 0, "invalid", (json_int_t)bad, "invalid_byte_sequences",
                                  (json_int_t)invalid, "html", (json_int_t)st->html_records,
                                  "html_nested_too_deep", (json_int_t)st->html_flattened, "html_cut_short",
                                  (json_int_t)st->html_cut, "pinyin_removed", (json_int_t)st->pinyin_removed,
                                  "mojibake_runs", (json_int_t)st->mojibake_runs, "mojibake_repaired",
                                  (json_int_t)st->mojibake_repaired, "converted_runs",
                                  (json_int_t)st->converted_runs, "stopped", stopped);
            if (o && stopped_at)
                json_object_set_new(o, "stopped_at", json_pack("{s:o,s:I}", "file",
                                    hf_stats_json_str(stopped_at->file), "line", (json_int_t)stopped_at->line));
            if (!hf_stats_json(o))
                status = HF_EXIT_ERROR;
        } else if (!hf_stats_msg("read %llu, written %llu, dropped 0, invalid %llu; invalid byte sequences %llu; "
               "html %llu (nested too deep %llu, cut short %llu), pinyin annotations removed %llu, mojibake runs %llu "
               "(repaired %llu), converted runs %llu%s%s%s",
               (unsigned long long)read, (unsigned long long)written, (unsigned long long)bad,
               (unsigned long long)invalid, (unsigned long long)st->html_records,
               (unsigned long long)st->html_flattened, (unsigned long long)st->html_cut,
               (unsigned long long)st->pinyin_removed, (unsigned long long)st->mojibake_runs,
               (unsigned long long)st->mojibake_repaired, (unsigned long long)st->converted_runs,
               stopped ? "; stopped early" : "", stop_where, stopped ? ", the rest of the input not read" : ""))
            status = HF_EXIT_ERROR; /* the statistics asked for were lost */
    }
    hf_reader_free(&rd);
    hf_batch_free(&batch);
    if (!hf_finish_output())
        status = HF_EXIT_ERROR;
    if (!hf_stdout_close(&ofile, status != HF_EXIT_ERROR))
        status = HF_EXIT_ERROR;
    hf_walk_free(given, files, nfiles);
    return status;
}
