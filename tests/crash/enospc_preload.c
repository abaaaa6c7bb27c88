/*
 * enospc_preload.c - LD_PRELOAD shim for the disk-full test where a small
 * tmpfs cannot be mounted (no privileges).  Built by test_limits.py with cc.
 *
 * While the file named by $WMS_ENOSPC_MARKER exists, a write that would
 * make one of the database files longer ($WMS_ENOSPC_DB, its -wal or its
 * -journal; never the -shm, which lives in memory) fails with ENOSPC, as on
 * a full file system, where rewriting blocks a file already has still
 * works.  Everything else (sockets, logs) passes through untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

ssize_t write(int fd, const void *buf, size_t n);
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off);

/* 1 when [off, off + n) of fd reaches past the end of a database file while
 * the marker exists; off < 0 means the current file offset. */
static int would_grow(int fd, off_t off, size_t n)
{
    const char *db = getenv("WMS_ENOSPC_DB");
    const char *marker = getenv("WMS_ENOSPC_MARKER");
    if (n == 0 || db == NULL || marker == NULL || access(marker, F_OK) != 0)
        return 0;
    char link[64], path[4096];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t k = readlink(link, path, sizeof(path) - 1);
    if (k <= 0)
        return 0;
    path[k] = '\0';
    size_t dl = strlen(db);
    if (strncmp(path, db, dl) != 0)
        return 0;
    const char *rest = path + dl;
    if (strcmp(rest, "") != 0 && strcmp(rest, "-wal") != 0 && strcmp(rest, "-journal") != 0)
        return 0;
    struct stat sb;
    if (fstat(fd, &sb) != 0)
        return 0;
    if (off < 0)
        off = lseek(fd, 0, SEEK_CUR);
    return off >= 0 && off + (off_t)n > sb.st_size;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (real == NULL)
        real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (would_grow(fd, -1, n)) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (real == NULL)
        real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    if (would_grow(fd, off, n)) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off_t);
    if (real == NULL)
        real = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite64");
    if (would_grow(fd, off, n)) {
        errno = ENOSPC;
        return -1;
    }
    return real(fd, buf, n, off);
}
