/* hanfold-mpi: rank 0's standard output (output.h). */
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

bool hf_mpi_launched(void)
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

int hf_mpi_take_stdout(void)
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
