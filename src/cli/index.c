/* The persistent fingerprint index (see index.h).
 *
 * Schema (format hanfold-index/1):
 *   meta(key PRIMARY KEY, value): format, schema (the fingerprint schema),
 *       settings (what shapes keys: markup, pinyin and mojibake repair,
 *       OpenCC config), created, hanfold version that created it;
 *   records(seq INTEGER PRIMARY KEY, id, cluster, rep, simhash, key_hash,
 *       key_tokens, key, sketch): every record ever added, in input order;
 *       rep = 1 for a cluster's first record, whose key (short records) or
 *       bottom-k sketch (long ones, little-endian 64-bit) a later run
 *       compares new records against.
 * WAL journal: readers (index info, export) never block a run; writers
 * take the lock for the whole run (BEGIN IMMEDIATE) and commit once. */
#include "index.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "cli.h"
#include "options.h"
#include "outfile.h"

struct hf_index {
    sqlite3 *db;
    sqlite3_stmt *ins;
    bool in_tx;
    uint64_t *sk;
    size_t skcap;
};

static int fail(hf_index *ix, char *err, size_t errsz, const char *what)
{
    snprintf(err, errsz, "%s: %s", what, ix->db ? sqlite3_errmsg(ix->db) : "out of memory");
    return -1;
}

static int exec(hf_index *ix, const char *sql, char *err, size_t errsz)
{
    char *m = NULL;
    if (sqlite3_exec(ix->db, sql, NULL, NULL, &m) != SQLITE_OK) {
        snprintf(err, errsz, "%s", m ? m : sqlite3_errmsg(ix->db));
        sqlite3_free(m);
        return -1;
    }
    return 0;
}

/* Whether SQLite's result code rc says the file is no hanfold index (no
 * meta table, or no database at all) rather than that it could not be
 * read here. */
static bool not_an_index(int rc)
{
    return rc == SQLITE_ERROR || rc == SQLITE_NOTADB;
}

/* 0 and the value, -1 when there is no such key (or the file is no index),
 * -2 when SQLite could not read (the message is then in sqlite3_errmsg()). */
static int meta_get(hf_index *ix, const char *key, char *val, size_t valsz)
{
    sqlite3_stmt *st;
    val[0] = '\0';
    int rc = sqlite3_prepare_v2(ix->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return not_an_index(rc) ? -1 : -2;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(val, valsz, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE || not_an_index(rc) ? -1 : -2;
}

/* When SQLite cannot open an index, the reason is often one of the files
 * it keeps beside it: a -wal or -shm that is a symbolic link (which SQLite
 * refuses) or not a regular file.  Text naming it, or "". */
static const char *odd_companion(const char *path)
{
    static _Thread_local char buf[4200];
    static const char *const suffix[] = {"-wal", "-shm"};
    for (size_t i = 0; i < 2; i++) {
        char p[4096];
        struct stat st;
        if (snprintf(p, sizeof p, "%s%s", path, suffix[i]) >= (int)sizeof p || lstat(p, &st))
            continue;
        if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
            snprintf(buf, sizeof buf, " (%s is %s, which SQLite will not use: remove it if no run is using the index)",
                     p, S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
            return buf;
        }
    }
    return "";
}

static int meta_set(hf_index *ix, const char *key, const char *val)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, val, -1, SQLITE_STATIC);
    int r = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return r;
}

static int open_db(hf_index **out, const char *path, int flags, char *err, size_t errsz)
{
    hf_index *ix = calloc(1, sizeof *ix);
    *out = NULL;
    if (!ix) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    if (sqlite3_open_v2(path, &ix->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errsz, "%s: cannot open index: %s%s", path,
                 ix->db ? sqlite3_errmsg(ix->db) : "out of memory", odd_companion(path));
        sqlite3_close(ix->db);
        free(ix);
        return -1;
    }
    /* seconds to wait for another run that holds the index: 0 to a day */
    const char *t = getenv("HANFOLD_INDEX_TIMEOUT");
    long secs = 60;
    if (t && *t) {
        char *end;
        errno = 0;
        secs = strtol(t, &end, 10);
        if (*end || errno || secs < 0 || secs > 86400) {
            snprintf(err, errsz, "HANFOLD_INDEX_TIMEOUT='%s': expected seconds from 0 to 86400", t);
            sqlite3_close(ix->db);
            free(ix);
            return -1;
        }
    }
    sqlite3_busy_timeout(ix->db, (int)secs * 1000);
    *out = ix;
    return 0;
}

int hf_index_open_readonly(hf_index **out, const char *path, char *err, size_t errsz)
{
    if (open_db(out, path, SQLITE_OPEN_READONLY, err, errsz))
        return -1;
    char v[128];
    int r = meta_get(*out, "format", v, sizeof v);
    if (r == -2) {
        /* a database SQLite cannot read here (a WAL index in a directory
         * this user cannot write, a file another run is creating): say
         * why, not that it is no index */
        const char *odd = odd_companion(path);
        snprintf(err, errsz, "%s: cannot read the index: %s%s", path, sqlite3_errmsg((*out)->db),
                 *odd ? odd
                 : sqlite3_extended_errcode((*out)->db) == SQLITE_BUSY
                     ? " (another run holds it; try again, or set HANFOLD_INDEX_TIMEOUT)"
                     : "; readers of an index need write access to its directory (SQLite's -wal and -shm "
                       "files)");
        hf_index_close(out);
        return -1;
    }
    if (r || strcmp(v, HF_INDEX_FORMAT)) {
        snprintf(err, errsz, "%s: not a hanfold index (format '%s')", path, v);
        hf_index_close(out);
        return -1;
    }
    return 0;
}

int hf_index_open(hf_index **out, const char *path, const char *settings, char *err, size_t errsz)
{
    if (open_db(out, path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err, errsz))
        return -1;
    hf_index *ix = *out;
    char msg[256];
    /* WAL: concurrent readers never see a half-written run */
    if (exec(ix, "PRAGMA journal_mode=WAL", msg, sizeof msg) ||
        exec(ix, "BEGIN IMMEDIATE", msg, sizeof msg)) {
        if (sqlite3_errcode(ix->db) == SQLITE_BUSY)
            snprintf(err, errsz, "%s: index is busy: another run holds it (waited %s s; set "
                     "HANFOLD_INDEX_TIMEOUT to wait longer)", path,
                     getenv("HANFOLD_INDEX_TIMEOUT") ? getenv("HANFOLD_INDEX_TIMEOUT") : "60");
        else
            snprintf(err, errsz, "%s: %s%s", path, msg, odd_companion(path));
        hf_index_close(out);
        return -1;
    }
    ix->in_tx = true;
    if (exec(ix,
             "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
             "CREATE TABLE IF NOT EXISTS records(seq INTEGER PRIMARY KEY, id TEXT NOT NULL,"
             " cluster TEXT NOT NULL, rep INTEGER NOT NULL, simhash INTEGER NOT NULL,"
             " key_hash INTEGER NOT NULL, key_tokens INTEGER NOT NULL, key TEXT, sketch BLOB);"
             "CREATE INDEX IF NOT EXISTS records_rep ON records(rep) WHERE rep = 1;",
             msg, sizeof msg)) {
        snprintf(err, errsz, "%s: %s", path, msg);
        hf_index_close(out);
        return -1;
    }
    char v[1024], fpschema[256];
    snprintf(fpschema, sizeof fpschema, "%d %s", HANFOLD_SCHEMA_VERSION, hanfold_schema());
    if (meta_get(ix, "format", v, sizeof v)) {
        /* a new index */
        char when[32];
        time_t now = time(NULL);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        if (meta_set(ix, "format", HF_INDEX_FORMAT) || meta_set(ix, "schema", fpschema) ||
            meta_set(ix, "settings", settings) || meta_set(ix, "created", when) ||
            meta_set(ix, "created_by", "hanfold " HANFOLD_VERSION)) {
            fail(ix, err, errsz, path);
            hf_index_close(out);
            return -1;
        }
    } else {
        char have[1024];
        if (strcmp(v, HF_INDEX_FORMAT)) {
            snprintf(err, errsz, "%s: not a hanfold index of this version (format '%s'); use a new file", path, v);
            hf_index_close(out);
            return -1;
        }
        meta_get(ix, "schema", have, sizeof have);
        if (strcmp(have, fpschema)) {
            snprintf(err, errsz, "%s: written with fingerprint schema '%s', this hanfold uses '%s'; "
                     "use a new file and run over the original texts again", path, have, fpschema);
            hf_index_close(out);
            return -1;
        }
        meta_get(ix, "settings", have, sizeof have);
        if (strcmp(have, settings)) {
            snprintf(err, errsz, "%s: written with normalization settings '%s', this run uses '%s'; "
                     "run with the same options or use a new file", path, have, settings);
            hf_index_close(out);
            return -1;
        }
    }
    if (sqlite3_prepare_v2(ix->db,
                           "INSERT INTO records(id, cluster, rep, simhash, key_hash, key_tokens, key, sketch)"
                           " VALUES(?, ?, ?, ?, ?, ?, ?, ?)", -1, &ix->ins, NULL) != SQLITE_OK) {
        fail(ix, err, errsz, path);
        hf_index_close(out);
        return -1;
    }
    return 0;
}

static int load_sketch(hf_index *ix, const void *blob, int bytes)
{
    size_t n = bytes > 0 ? (size_t)bytes / 8 : 0;
    if (n > ix->skcap) {
        uint64_t *v = realloc(ix->sk, n * sizeof *v);
        if (!v)
            return -1;
        ix->sk = v;
        ix->skcap = n;
    }
    const unsigned char *b = blob;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = 0;
        for (int k = 7; k >= 0; k--)
            x = x << 8 | b[8 * i + (size_t)k];
        ix->sk[i] = x;
    }
    return (int)n;
}

int hf_index_each_rep(hf_index *ix, hanfold_ctx *ctx, int (*fn)(void *ud, const hf_index_rep *r),
                      void *ud, char *err, size_t errsz)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db,
                           "SELECT id, cluster, simhash, key_hash, key_tokens, key, sketch FROM records"
                           " WHERE rep = 1 ORDER BY seq", -1, &st, NULL) != SQLITE_OK)
        return fail(ix, err, errsz, "reading the index");
    int r, e = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        hf_index_rep rep;
        rep.id = (const char *)sqlite3_column_text(st, 0);
        rep.cluster = (const char *)sqlite3_column_text(st, 1);
        uint64_t simhash = (uint64_t)sqlite3_column_int64(st, 2);
        uint64_t key_hash = (uint64_t)sqlite3_column_int64(st, 3);
        uint32_t key_tokens = (uint32_t)sqlite3_column_int64(st, 4);
        if (sqlite3_column_type(st, 5) == SQLITE_TEXT) {
            const char *k = (const char *)sqlite3_column_text(st, 5);
            e = hanfold_fingerprint(ctx, k, (size_t)sqlite3_column_bytes(st, 5), &rep.fp);
        } else {
            int n = load_sketch(ix, sqlite3_column_blob(st, 6), sqlite3_column_bytes(st, 6));
            e = n < 0 ? -ENOMEM
                      : hanfold_fingerprint_from_sketch(ctx, simhash, key_tokens, ix->sk, (size_t)n, key_hash, &rep.fp);
        }
        if (e) {
            snprintf(err, errsz, "out of memory reading the index");
            break;
        }
        if ((e = fn(ud, &rep)))
            break;
    }
    if (!e && r != SQLITE_DONE)
        e = fail(ix, err, errsz, "reading the index");
    sqlite3_finalize(st);
    return e;
}

int hf_index_add(hf_index *ix, const char *id, const char *cluster, bool rep, const hanfold_fp *fp,
                 const char *key, size_t keylen, char *err, size_t errsz)
{
    sqlite3_stmt *st = ix->ins;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, cluster, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, rep);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)fp->simhash);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)fp->key_hash);
    sqlite3_bind_int64(st, 6, fp->key_tokens);
    unsigned char *blob = NULL;
    if (fp->tokens) {
        sqlite3_bind_text(st, 7, key, (int)keylen, SQLITE_TRANSIENT);
        sqlite3_bind_null(st, 8);
    } else {
        blob = malloc(fp->nsketch * 8 + 1);
        if (!blob) {
            snprintf(err, errsz, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < fp->nsketch; i++)
            for (int k = 0; k < 8; k++)
                blob[8 * i + (size_t)k] = (unsigned char)(fp->sketch[i] >> (8 * k));
        sqlite3_bind_null(st, 7);
        sqlite3_bind_blob(st, 8, blob, (int)(fp->nsketch * 8), SQLITE_TRANSIENT);
    }
    int r = sqlite3_step(st);
    free(blob);
    if (r != SQLITE_DONE)
        return fail(ix, err, errsz, "writing the index");
    return 0;
}

int hf_index_commit(hf_index *ix, char *err, size_t errsz)
{
    char msg[256];
    if (exec(ix, "COMMIT", msg, sizeof msg)) {
        snprintf(err, errsz, "cannot commit the index: %s", msg);
        return -1;
    }
    ix->in_tx = false;
    return 0;
}

void hf_index_close(hf_index **pix)
{
    if (!pix || !*pix)
        return;
    hf_index *ix = *pix;
    sqlite3_finalize(ix->ins);
    if (ix->in_tx)
        sqlite3_exec(ix->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(ix->db);
    free(ix->sk);
    free(ix);
    *pix = NULL;
}

/* ---- hanfold index info | export ----------------------------------------------------- */

static const char index_help[] =
"Usage: hanfold index info PATH [-o FILE]\n"
"       hanfold index export PATH [-o FILE]\n"
"       hanfold index import PATH [FILE...]\n"
"Look into a persistent index made with 'dedup --index' or 'cluster --index'.\n"
"\n"
"  info     records, clusters, schema and the settings it was made with\n"
"  export   every record as a fingerprint row (the format of 'hanfold fingerprint'),\n"
"           in the order they were added; 'cluster --fingerprints' reads them back\n"
"  import   add fingerprint rows (from 'hanfold fingerprint' or 'index export',\n"
"           made elsewhere) to the index, clustered against what it holds; an\n"
"           index it creates is removed again if it fails\n"
"  -o, --output FILE  (info, export) write to FILE, renamed into place when done\n"
"\n"
"New records are added by 'hanfold dedup --index PATH' and 'hanfold cluster --index\n"
"PATH'.  An index made by another schema or other normalization options is refused:\n"
"use the same options, or start a new file and run over the original texts again.\n";

static void out_s(const char *s)
{
    hf_out(s, strlen(s));
}

static int index_info(hf_index *ix, const char *path)
{
    sqlite3_stmt *st;
    char num[512], v[1024];
    if (sqlite3_prepare_v2(ix->db, "SELECT count(*), coalesce(sum(rep), 0) FROM records", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return -1;
    }
    snprintf(num, sizeof num, "index %s\nrecords %lld\nclusters %lld\n", path,
             (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1));
    sqlite3_finalize(st);
    out_s(num);
    static const char *const keys[] = {"format", "schema", "settings", "created", "created_by"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        meta_get(ix, keys[i], v, sizeof v);
        out_s(keys[i]);
        out_s(" ");
        out_s(v);
        out_s("\n");
    }
    return 0;
}

static int index_export(hf_index *ix)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(ix->db,
                           "SELECT id, simhash, key_tokens, key_hash, key, sketch FROM records ORDER BY seq",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    hf_buf line = {0};
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        hanfold_fprow row = {0};
        row.id = (const char *)sqlite3_column_text(st, 0);
        row.id_len = row.id ? strlen(row.id) : 0;
        row.simhash = (uint64_t)sqlite3_column_int64(st, 1);
        row.key_tokens = (uint32_t)sqlite3_column_int64(st, 2);
        row.key_hash = (uint64_t)sqlite3_column_int64(st, 3);
        if (sqlite3_column_type(st, 4) == SQLITE_TEXT) {
            row.key = (const char *)sqlite3_column_text(st, 4);
            row.key_len = strlen(row.key);
        } else {
            int n = load_sketch(ix, sqlite3_column_blob(st, 5), sqlite3_column_bytes(st, 5));
            if (n < 0)
                break;
            row.sketch = ix->sk;
            row.nsketch = (size_t)n;
        }
        size_t len = hanfold_fp_encode_row(NULL, 0, &row);
        hf_buf_clear(&line);
        if (hf_buf_reserve(&line, len))
            break;
        hf_out(line.p, hanfold_fp_encode_row(line.p, len, &row));
    }
    hf_buf_free(&line);
    sqlite3_finalize(st);
    return r == SQLITE_DONE ? 0 : -1;
}

int hf_cmd_index(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        out_s(index_help);
        return hf_finish_output() ? HF_EXIT_OK : HF_EXIT_ERROR;
    }
    if (argc >= 3 && !strcmp(argv[1], "import")) {
        char *stdin_only[] = {"-"};
        return hf_index_import(argv[2], argc > 3 ? argc - 3 : 1, argc > 3 ? argv + 3 : stdin_only);
    }
    /* info and export write to standard output, or to -o FILE */
    const char *output = NULL;
    char *args[3] = {argv[0], NULL, NULL};
    int nargs = 1;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc && argv[i + 1][0])
            output = argv[++i];
        else if (!strncmp(argv[i], "--output=", 9) && argv[i][9])
            output = argv[i] + 9;
        else if (!strncmp(argv[i], "-o", 2) && argv[i][2])
            output = argv[i] + 2;
        else if (nargs < 3)
            args[nargs++] = argv[i];
        else
            nargs = 4;
    }
    argc = nargs;
    argv = args;
    if (argc != 3 || (strcmp(argv[1], "info") && strcmp(argv[1], "export"))) {
        hf_msg("expected 'hanfold index info|export PATH' or 'hanfold index import PATH [FILE...]'");
        return hf_usage_error("index");
    }
    char err[1024];
    hf_index *ix;
    if (hf_index_open_readonly(&ix, argv[2], err, sizeof err)) {
        hf_msg("%s", err);
        return HF_EXIT_ERROR;
    }
    hf_outfile ofile;
    memset(&ofile, 0, sizeof ofile);
    if (output && hf_stdout_open(&ofile, output)) {
        hf_index_close(&ix);
        return HF_EXIT_ERROR;
    }
    int r = !strcmp(argv[1], "info") ? index_info(ix, argv[2]) : index_export(ix);
    if (r)
        hf_msg("%s: %s", argv[2], sqlite3_errmsg(ix->db));
    hf_index_close(&ix);
    if (!hf_finish_output())
        r = -1;
    if (!hf_stdout_close(&ofile, !r))
        r = -1;
    return r ? HF_EXIT_ERROR : HF_EXIT_OK;
}
