/* The persistent fingerprint index (--index PATH, hanfold index ...):
 * an SQLite database of every record added, so that each new batch is
 * deduplicated against everything before it.  The only user of sqlite3. */
#ifndef HF_INDEX_H
#define HF_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hanfold.h"

#define HF_INDEX_FORMAT "hanfold-index/1"

typedef struct hf_index hf_index;

/* Opens (creating if missing) and takes the write lock for the whole run
 * (BEGIN IMMEDIATE; a second run waits up to HANFOLD_INDEX_TIMEOUT seconds,
 * default 60).  settings: a description of everything that shapes keys and
 * fingerprints; an index made under other settings or another schema is
 * refused.  Messages go into err.  Returns 0 or -1. */
int hf_index_open(hf_index **ix, const char *path, const char *settings, char *err, size_t errsz);
/* Without the schema check and without the lock (index info, export). */
int hf_index_open_readonly(hf_index **ix, const char *path, char *err, size_t errsz);

typedef struct hf_index_rep {
    const char *id, *cluster;
    hanfold_fp fp;          /* arrays valid during the callback */
} hf_index_rep;

/* Calls fn for every stored representative, in the order they were added.
 * Returns 0, -1 (message in err), or what fn returned. */
int hf_index_each_rep(hf_index *ix, hanfold_ctx *ctx, int (*fn)(void *ud, const hf_index_rep *r),
                      void *ud, char *err, size_t errsz);
/* Adds a record (inside the run's transaction). key: the key of a short
 * record (fp->tokens set), else fp->sketch is stored. */
int hf_index_add(hf_index *ix, const char *id, const char *cluster, bool rep, const hanfold_fp *fp,
                 const char *key, size_t keylen, char *err, size_t errsz);
/* Commits the run's additions; until then a failed or killed run adds
 * nothing. */
int hf_index_commit(hf_index *ix, char *err, size_t errsz);
/* Rolls back anything not committed. */
void hf_index_close(hf_index **ix);

int hf_cmd_index(int argc, char **argv);
/* hanfold index import PATH FILE...: cluster fingerprint rows into the index
 * (cluster.c). */
int hf_index_import(const char *path, int nfiles, char **files);

#endif
