/* hanfold-mpi: where rank 0's output goes (output.h). */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli.h"

bool hf_out_launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return true;
    }
    return false;
}

/* /proc/PID/fdinfo/FD: its flags (open flags, O_CLOEXEC for the descriptor's
 * own flag) and inode.  Returns 0, or -1 with errno (ENOENT: no such
 * descriptor). */
static int fdinfo(pid_t pid, int fd, unsigned long *flags, unsigned long long *ino)
{
    char name[64], line[128];
    snprintf(name, sizeof name, "/proc/%ld/fdinfo/%d", (long)pid, fd);
    FILE *f = fopen(name, "re");
    if (!f)
        return -1;
    int got = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "flags: %lo", flags) == 1)
            got |= 1;
        else if (sscanf(line, "ino: %llu", ino) == 1)
            got |= 2;
    }
    fclose(f);
    if (got != 3) {
        errno = EIO;
        return -1;
    }
    return 0;
}

/* The parent's command name, "" when unknown. */
static void parent_comm(pid_t pp, char *comm, size_t n)
{
    char name[64];
    snprintf(name, sizeof name, "/proc/%ld/comm", (long)pp);
    comm[0] = '\0';
    FILE *f = fopen(name, "re");
    if (!f)
        return;
    if (fgets(comm, (int)n, f))
        comm[strcspn(comm, "\n")] = '\0';
    fclose(f);
}

/* The file behind mpirun's descriptor 1, as a descriptor of this process:
 * pidfd_getfd() gives the same open file (offset, O_APPEND: what the shell
 * set up), where this process may trace its parent.  Elsewhere a terminal,
 * device or pipe is as good opened anew through /proc; a regular file is
 * not (its own offset would overwrite what mpirun writes there, such as
 * its messages with 2>&1).  Returns the descriptor, or -1 with *why set. */
static int parent_stdout(pid_t pp, unsigned long flags, const char **why)
{
    *why = "not supported";
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
    int pfd = (int)syscall(SYS_pidfd_open, pp, 0);
    if (pfd >= 0) {
        int fd = (int)syscall(SYS_pidfd_getfd, pfd, 1, 0);
        int e = errno;
        close(pfd);
        if (fd >= 0)
            return fd;
        errno = e;
    }
    *why = strerror(errno);
#endif
    char name[64];
    struct stat st;
    snprintf(name, sizeof name, "/proc/%ld/fd/1", (long)pp);
    if (stat(name, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
        return -1;
    int fd = open(name, O_WRONLY | O_NOCTTY | O_CLOEXEC | (int)(flags & O_APPEND));
    if (fd < 0)
        *why = strerror(errno);
    return fd;
}

static int refuse(const char *why)
{
    hf_msg("standard output: rank 0 cannot write to the job's standard output itself (%s), and the launcher "
           "does not report errors of the output it forwards (a full disk would lose rows with exit status 0); "
           "give --output FILE",
           why);
    return -1;
}

int hf_out_take_stdout(void)
{
    pid_t pp = getppid();
    char comm[32];
    parent_comm(pp, comm, sizeof comm);
    static const char *const hnp[] = {"mpirun", "mpiexec", "orterun", "oshrun", "prterun"};
    bool from_mpirun = false;
    for (size_t i = 0; i < sizeof hnp / sizeof *hnp; i++)
        from_mpirun |= !strcmp(comm, hnp[i]);
    if (!from_mpirun) {
        /* a remote rank 0 (its parent a daemon), or another launcher: what
         * it was given is checked as it is, unless it is a pipe, socket or
         * terminal, the shapes of forwarding */
        struct stat st;
        if (fstat(1, &st) != 0) {
            hf_msg("standard output is closed");
            return -1;
        }
        if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) || (S_ISCHR(st.st_mode) && !isatty(1)))
            return 0;
        char why[96];
        snprintf(why, sizeof why, "it is forwarded by %s%s%s", *comm ? "'" : "a launcher", comm, *comm ? "'" : "");
        return refuse(why);
    }
    unsigned long flags = 0;
    unsigned long long ino = 0;
    if (fdinfo(pp, 1, &flags, &ino) != 0) {
        if (errno == ENOENT) {
            hf_msg("standard output is closed");
            return -1;
        }
        return refuse(strerror(errno));
    }
    /* mpirun started with descriptor 1 closed reuses it for its own pipes,
     * which are close-on-exec: a descriptor it inherited is not */
    if ((flags & O_ACCMODE) == O_RDONLY || (flags & O_CLOEXEC)) {
        hf_msg("standard output is closed");
        return -1;
    }
    const char *why;
    int fd = parent_stdout(pp, flags, &why);
    if (fd < 0)
        return refuse(why);
    struct stat st;
    if (fstat(fd, &st) != 0 || (unsigned long long)st.st_ino != ino || getppid() != pp) {
        close(fd);
        return refuse("it changed while being opened");
    }
    /* blocking writes (stdio does not retry EAGAIN); nothing else writes
     * there while rank 0 does */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & O_NONBLOCK))
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    if (dup2(fd, 1) < 0) {
        int e = errno;
        close(fd);
        return refuse(strerror(e));
    }
    close(fd);
    return 0;
}

static mode_t new_file_mode(void)
{
    mode_t m = umask(022);
    umask(m);
    return 0666 & ~m;
}

int hf_outfile_open(hf_outfile *of, const char *path, bool *same_as_stdout)
{
    memset(of, 0, sizeof *of);
    of->keep = -1;
    *same_as_stdout = false;
    struct stat st, lst;
    bool exists = stat(path, &st) == 0;
    if (!exists && errno != ENOENT) {
        hf_msg("%s: %s", path, strerror(errno));
        return -1;
    }
    if (exists && S_ISDIR(st.st_mode)) {
        hf_msg("%s: %s", path, strerror(EISDIR));
        return -1;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        /* a device or FIFO: written in place, never replaced (/dev/null,
         * a terminal, a named pipe) */
        struct stat so;
        if (fstat(1, &so) == 0 && so.st_dev == st.st_dev && so.st_ino == st.st_ino) {
            *same_as_stdout = true;
            return -1;
        }
        int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) {
            hf_msg("%s: %s", path, strerror(errno));
            return -1;
        }
        struct stat now;
        if (fstat(fd, &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino || S_ISREG(now.st_mode)) {
            hf_msg("%s: changed while being opened", path);
            close(fd);
            return -1;
        }
        of->path = path;
        of->direct = true;
        return fd;
    }
    /* a new file, renamed over path at the end: with the permissions of
     * the file it replaces (not of a symbolic link's target, which is not
     * touched), and refused where '>' would be refused */
    mode_t mode = new_file_mode();
    if (lstat(path, &lst) == 0 && S_ISREG(lst.st_mode)) {
        if (access(path, W_OK) != 0 && errno == EACCES) {
            hf_msg("%s: %s", path, strerror(EACCES));
            return -1;
        }
        mode = lst.st_mode & 0777;
    }
    size_t n = strlen(path) + 32;
    char *dir = malloc(n), *t = malloc(n);
    if (!dir || !t) {
        free(dir);
        free(t);
        hf_msg("out of memory");
        return -1;
    }
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, n, ".");
    else if (slash == path)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - path), path);
    int fd = -1;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
#endif
    free(dir);
    if (fd < 0) {
        snprintf(t, n, "%s.hanfold-mpi.XXXXXX", path);
        fd = mkstemp(t);
        if (fd < 0) {
            hf_msg("%s: cannot create a file in its directory: %s", path, strerror(errno));
            free(t);
            return -1;
        }
        of->named = t;
    } else {
        free(t);
    }
    of->path = path;
    of->keep = dup(fd);
    if (of->keep < 0 || fchmod(fd, mode) != 0) {
        hf_msg("%s: %s", path, strerror(errno));
        close(fd);
        hf_outfile_settle(of, false);
        return -1;
    }
    return fd;
}

/* After a rename: the directory entry reaches the disk too. */
static bool sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return false;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return false;
    /* some file systems cannot sync a directory: nothing to wait for */
    bool ok = fsync(fd) == 0 || errno == EINVAL || errno == EROFS;
    int e = errno;
    close(fd);
    errno = e;
    return ok;
}

bool hf_outfile_settle(hf_outfile *of, bool ok)
{
    if (!of->path)
        return true;
    bool asked = ok, done = false;
    if (of->direct) {
        done = true;
    } else {
        if (ok && fsync(of->keep) != 0) {
            hf_msg("%s: cannot write the output to disk: %s", of->path, strerror(errno));
            ok = false;
        }
        if (of->named) {
            if (ok && rename(of->named, of->path) == 0) {
                done = true;
            } else {
                if (ok)
                    hf_msg("%s: cannot rename the finished output into place: %s", of->path, strerror(errno));
                ok = false;
                unlink(of->named);
            }
        } else if (ok) {
            char proc[64];
            snprintf(proc, sizeof proc, "/proc/self/fd/%d", of->keep);
            size_t n = strlen(of->path) + 48;
            char *t = malloc(n);
            for (unsigned i = 0; t && i < 100 && !done; i++) {
                snprintf(t, n, "%s.hanfold-mpi.%ld.%u", of->path, (long)getpid(), i);
                if (linkat(AT_FDCWD, proc, AT_FDCWD, t, AT_SYMLINK_FOLLOW) == 0) {
                    if (rename(t, of->path) == 0) {
                        done = true;
                    } else {
                        hf_msg("%s: cannot rename the finished output into place: %s", of->path, strerror(errno));
                        unlink(t);
                        break;
                    }
                } else if (errno != EEXIST) {
                    hf_msg("%s: cannot give the finished output its name: %s", of->path, strerror(errno));
                    break;
                }
            }
            if (!t)
                hf_msg("out of memory");
            free(t);
            ok = done;
        }
        if (done && !sync_dir(of->path)) {
            hf_msg("%s: cannot write its directory to disk: %s", of->path, strerror(errno));
            ok = false;
        }
    }
    if (of->keep >= 0)
        close(of->keep);
    free(of->named);
    memset(of, 0, sizeof *of);
    of->keep = -1;
    return !asked || ok;
}
