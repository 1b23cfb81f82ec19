/* Placeholder renderer: a minimal escaped page.  (To be replaced by the full
 * report of issue 6.) */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report.h"

static void esc(const char *s, size_t n)
{
    size_t i = 0, run = 0;
    for (; i < n; i++) {
        const char *r = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;"
                      : s[i] == '"' ? "&quot;" : s[i] == '\'' ? "&#39;" : NULL;
        if (r) {
            hf_out(s + run, i - run);
            hf_out(r, strlen(r));
            run = i + 1;
        }
    }
    hf_out(s + run, i - run);
}

void hf_report_html(const hf_report_data *d)
{
    char num[256];
    hf_out("<!DOCTYPE html><meta charset=utf-8><title>hanfold report</title><body>", 70);
    snprintf(num, sizeof num, "<p>records %llu, clusters %llu</p>", (unsigned long long)d->records,
             (unsigned long long)d->clusters);
    hf_out(num, strlen(num));
    for (size_t g = 0; g < d->ngroups; g++) {
        hf_out("<ul>", 4);
        for (size_t m = 0; m < d->groups[g].n; m++) {
            const hf_report_member *x = &d->groups[g].members[m];
            hf_out("<li>", 4);
            esc(x->id, strlen(x->id));
            hf_out(" ", 1);
            esc(x->text, x->text_len);
        }
        hf_out("</ul>", 5);
    }
}
