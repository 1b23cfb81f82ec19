/* Output files that appear whole or not at all; see outfile.h for the
 * rules. */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The directory path is in ("." for a bare name); the caller frees. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Writes to path itself: o->f, or -1 with errno. */
static int open_direct(hf_outfile *o, int flags)
{
    int fd = open(o->path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_TRUNC | flags);
    if (fd < 0)
        return -1;
    if (!(o->f = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    o->direct = true;
    return 0;
}

static bool is_stream(mode_t m)
{
    return S_ISCHR(m) || S_ISFIFO(m) || S_ISSOCK(m);
}

int hf_outfile_open(hf_outfile *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    /* /dev/stdout, /dev/fd/63 (a process substitution), /proc/self/fd/N:
     * links the system made, to be followed; nothing is created there */
    bool sys = !strncmp(path, "/dev/", 5) || !strncmp(path, "/proc/", 6);
    struct stat st;
    bool exists = (sys ? stat(path, &st) : lstat(path, &st)) == 0;
    if (!exists && (errno != ENOENT || sys)) {
        hf_msg("%s: cannot open for writing: %s", path, strerror(errno));
        return -1;
    }
    if (exists && S_ISDIR(st.st_mode)) {
        hf_msg("%s: cannot open for writing: %s", path, strerror(EISDIR));
        return -1;
    }
    if (exists && S_ISBLK(st.st_mode)) {
        hf_msg("%s: is a block device; not writing to it", path);
        return -1;
    }
    if (exists && (sys || is_stream(st.st_mode))) {
        /* A rename would put a regular file where the device or FIFO was.
         * Not following a symlink here: one that replaced the FIFO since
         * lstat is replaced below instead. */
        if (open_direct(o, sys ? 0 : O_NOFOLLOW) == 0) {
            struct stat now;
            if (sys || (fstat(fileno(o->f), &now) == 0 && is_stream(now.st_mode)))
                return 0;
            /* a regular file took its place: replaced like one */
            fclose(o->f);
            o->f = NULL;
            o->direct = false;
            exists = lstat(path, &st) == 0;
        } else if (sys || errno != ELOOP) {
            hf_msg("%s: cannot open for writing: %s", path, strerror(errno));
            return -1;
        }
    }

    /* A new file gets what fopen would give it; a replaced one keeps its
     * permissions. */
    mode_t mode;
    if (exists && S_ISREG(st.st_mode)) {
        mode = st.st_mode & 07777;
    } else {
        mode_t um = umask(0);
        umask(um);
        mode = 0666 & ~um;
    }
    char *dir = dir_of(path);
    if (!dir) {
        hf_msg("out of memory");
        return -1;
    }
    int fd = -1;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    o->unnamed = fd >= 0;
#endif
    int err = 0;
    if (fd < 0) {
        size_t n = strlen(path) + sizeof ".hanfold-XXXXXX";
        if (!(o->tmp = malloc(n))) {
            free(dir);
            hf_msg("out of memory");
            return -1;
        }
        snprintf(o->tmp, n, "%s.hanfold-XXXXXX", path);
        fd = mkostemp(o->tmp, O_CLOEXEC);
        if (fd < 0) {
            err = errno;
            free(o->tmp);
            o->tmp = NULL;
        }
    }
    free(dir);
    if (fd < 0) {
        /* No file can be made beside it: rewrite the file itself, as long
         * as it is one (a symlink is not followed). */
        if ((err == EACCES || err == EPERM) && exists && S_ISREG(st.st_mode)) {
            if (open_direct(o, O_NOFOLLOW) == 0) {
                struct stat now;
                if (fstat(fileno(o->f), &now) == 0 && S_ISREG(now.st_mode))
                    return 0;
                fclose(o->f);
                o->f = NULL;
                err = EINVAL;
            } else {
                err = errno;
            }
        }
        hf_msg("%s: cannot create a temporary file beside it: %s", path, strerror(err));
        return -1;
    }
    fchmod(fd, mode); /* best effort: the data matters more */
    if (!(o->f = fdopen(fd, "w"))) {
        err = errno;
        close(fd);
        if (o->tmp)
            unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
        hf_msg("%s: %s", path, strerror(err));
        return -1;
    }
    return 0;
}

/* Syncs the directory of path, so that the rename survives a crash too
 * (best effort). */
static void sync_dir(const char *path)
{
    char *dir = dir_of(path);
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Gives the unnamed file fd a temporary name beside path; the caller
 * renames it.  The name, or NULL with errno. */
static char *link_unnamed(const char *path, int fd)
{
    size_t n = strlen(path) + 64;
    char *t = malloc(n);
    if (!t)
        return NULL;
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    for (unsigned i = 0; i < 100; i++) {
        snprintf(t, n, "%s.hanfold-%ld-%u", path, (long)getpid(), i);
        /* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc does not */
        if (linkat(fd, "", AT_FDCWD, t, AT_EMPTY_PATH) == 0 ||
            (errno != EEXIST && linkat(AT_FDCWD, proc, AT_FDCWD, t, AT_SYMLINK_FOLLOW) == 0))
            return t;
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    free(t);
    errno = e;
    return NULL;
}

bool hf_outfile_close(hf_outfile *o, bool commit)
{
    if (!o->f)
        return true;
    bool ok = true;
    int fd = fileno(o->f);
    if (commit) {
        int e = fflush(o->f) != 0 ? errno : ferror(o->f) ? EIO : 0;
        if (!e && !o->direct && fsync(fd) != 0)
            e = errno;
        if (e) {
            hf_msg("%s: write error: %s", o->path, strerror(e));
            ok = false;
        }
    }
    if (commit && ok && !o->direct) {
        char *name = o->unnamed ? link_unnamed(o->path, fd) : o->tmp;
        if (!name) {
            hf_msg("%s: cannot give the finished file a name: %s", o->path, strerror(errno));
            ok = false;
        } else if (rename(name, o->path) != 0) {
            hf_msg("%s: cannot put the finished file in place: %s", o->path, strerror(errno));
            unlink(name);
            ok = false;
        } else {
            sync_dir(o->path);
        }
        if (name && name != o->tmp)
            free(name);
        if (name == o->tmp && ok) {
            free(o->tmp); /* renamed: nothing to remove */
            o->tmp = NULL;
        }
    }
    if (fclose(o->f) != 0 && commit && ok && o->direct) {
        hf_msg("%s: write error: %s", o->path, strerror(errno));
        ok = false;
    }
    o->f = NULL;
    if (o->tmp) {
        unlink(o->tmp);
        free(o->tmp);
        o->tmp = NULL;
    }
    return ok;
}

/* Whether path names this process's descriptor 1 when that is no regular
 * file (a terminal, a pipe): writing there is writing to standard output. */
static bool names_stdout(const char *path)
{
    struct stat a, b;
    return stat(path, &a) == 0 && fstat(1, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
           !S_ISREG(a.st_mode);
}

int hf_stdout_open(hf_outfile *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (names_stdout(path))
        return 0;
    if (hf_outfile_open(o, path))
        return -1;
    fflush(stdout); /* nothing is written yet; to be sure */
    if (dup2(fileno(o->f), STDOUT_FILENO) < 0) {
        hf_msg("%s: %s", path, strerror(errno));
        hf_outfile_close(o, false);
        return -1;
    }
    return 0;
}

bool hf_stdout_close(hf_outfile *o, bool success)
{
    if (!o->f)
        return true;
    bool replaced = !o->direct;
    const char *path = o->path;
    /* descriptor 1 was closed by hf_finish_output(); o->f is the same open
     * file, so its fsync covers what went through stdout */
    bool ok = hf_outfile_close(o, success);
    if (!success && replaced)
        hf_msg("%s: not written, the run did not succeed (a file already there is left as it was)", path);
    return ok;
}
