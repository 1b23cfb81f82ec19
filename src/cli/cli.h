/* Shared pieces of the hanfold program. */
#ifndef HF_CLI_H
#define HF_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "hanfold.h"
#include "records.h"

#define HF_EXIT_OK 0
#define HF_EXIT_DUPS 1
#define HF_EXIT_ERROR 2

/* The program name messages start with ("hanfold"). */
extern const char *hf_progname;

/* "hanfold: <message>\n" on stderr. */
void hf_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The --stats line ("hanfold: stats: ..."); false when stderr could not
 * take it (the run then fails: the counts asked for were lost). */
bool hf_stats_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* --stats=json: the object o as one line on stderr (o is released);
 * false as for hf_stats_msg().  hf_stats_json_str() makes a JSON string of
 * s even when s is no UTF-8 (a file name): its bytes escaped as for
 * messages. */
struct json_t;
bool hf_stats_json(struct json_t *o);
struct json_t *hf_stats_json_str(const char *s);
/* Writes to stdout, remembering a failure for hf_finish_output(). */
void hf_out(const void *p, size_t n);
/* hf_out() as a sink for hf_reader_drain(). */
void hf_out_sink(const void *p, size_t n, void *ud);
/* Flushes and closes stdout; prints a message and returns false on error
 * (a full disk, a closed pipe with SIGPIPE ignored). */
bool hf_finish_output(void);

/* Options common to every subcommand. */
typedef struct hf_common {
    hanfold_settings set;
    hf_reader_opts in;
    bool strict, stats, quiet;
    bool stats_json;        /* --stats=json */
    bool text_field_set;
    bool recursive;         /* -r: directories walked (walk.h) */
    unsigned walk_errors;   /* directories that could not be read */    /* --text-field given (a second one adds fields) */
    int progress;           /* -1 auto, 0 off, 1 on */
    unsigned threads;
    bool threads_auto;      /* --threads 0 (hanfold-mpi shares them by rank) */
    const char *output;     /* -o/--output, or NULL: standard output */
} hf_common;

int hf_cmd_normalize(int argc, char **argv);
int hf_cmd_fingerprint(int argc, char **argv);
int hf_cmd_cluster(int argc, char **argv);
int hf_cmd_dedup(int argc, char **argv);
int hf_cmd_report(int argc, char **argv);

#endif
