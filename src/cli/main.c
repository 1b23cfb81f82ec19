/* hanfold: command-line entry point and the options every subcommand shares. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "index.h"
#include "options.h"

static const char usage_text[] =
"Usage: hanfold COMMAND [OPTIONS] [FILE...]\n"
"Fold Chinese text: one normalized form for traditional, simplified and\n"
"regional scripts and web noise, and near-duplicate detection.\n"
"\n"
"Commands:\n"
"  normalize    readable normalized text, one output line per input line\n"
"  fingerprint  one row per record: id, 64-bit SimHash, key length\n"
"  cluster      one row per record: id, cluster id, similarity\n"
"  dedup        the records minus near-duplicates of earlier ones, bytes unchanged\n"
"  report       the clusters for people (--format text|json|csv|html)\n"
"  index        look into a persistent index (--index): info, export, import\n"
"\n"
"Run 'hanfold COMMAND --help' for a command's options, 'man hanfold' for all.\n"
"\n"
"Examples:\n"
"  hanfold normalize page.txt             traditional/simplified/web noise -> simplified\n"
"  hanfold normalize --key < posts.txt     the script-independent dedup key\n"
"  hanfold dedup --input jsonl crawl.jsonl > unique.jsonl\n"
"  hanfold cluster --format tsv --input files pages/*.html\n"
"  hanfold dedup --index seen.db batch-0412.txt > new.txt   (nightly, incremental)\n"
"  hanfold report --format html --input jsonl crawl.jsonl > report.html\n"
"\n"
"Exit status: 0 success; 1 duplicates found (with --exit-status); 2 usage,\n"
"I/O or data errors.\n";

int main(int argc, char **argv)
{
    /* A filter ends quietly when its reader goes away (| head). */
    signal(SIGPIPE, SIG_DFL);
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    if (argc < 2) {
        fputs(usage_text, stderr);
        return HF_EXIT_ERROR;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return hf_finish_output() ? HF_EXIT_OK : HF_EXIT_ERROR;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        hf_print_version();
        return hf_finish_output() ? HF_EXIT_OK : HF_EXIT_ERROR;
    }
    static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
        {"normalize", hf_cmd_normalize}, {"fingerprint", hf_cmd_fingerprint},
        {"cluster", hf_cmd_cluster}, {"dedup", hf_cmd_dedup}, {"report", hf_cmd_report},
        {"index", hf_cmd_index},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(cmd, cmds[i].name)) {
            /* getopt's messages begin with argv[0]: "hanfold: ...", as ours */
            argv[1] = argv[0] = (char *)hf_progname;
            return cmds[i].fn(argc - 1, argv + 1);
        }
    hf_msg("unknown command '%s'", cmd);
    fputs("Try 'hanfold --help' for the list of commands.\n", stderr);
    return HF_EXIT_ERROR;
}
