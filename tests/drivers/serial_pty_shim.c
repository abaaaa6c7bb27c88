/*
 * serial_pty_shim.c - lets the real libserialport 0.1.1 open pseudo-terminals
 * (test only; #included by test_serial.c, never built on its own).
 *
 * libserialport refuses ptys in two places, both seen with strace on
 * Debian's libserialport0 0.1.1-4 (its imports: __lxstat, readlink, ioctl):
 *  1. sp_get_port_by_name("/dev/pts/N") -> get_port_details() lstat()s
 *     "/sys/class/tty/pts/N" (through glibc's old __lxstat entry point),
 *     which does not exist for ptys, and then readlink()s it to learn the
 *     transport (a "usb" or "bluetooth" substring in the target);
 *  2. sp_open() and every sp_set_*() read the modem lines with
 *     ioctl(TIOCMGET) and set RTS/DTR with TIOCMBIS/TIOCMBIC, which the pty
 *     driver does not implement (ENOTTY).
 * This file defines __lxstat, readlink and ioctl in the test executable.
 * ELF symbol interposition makes calls from libserialport.so (and every
 * other shared object) bind to these definitions instead of libc's: the
 * executable comes first in the dynamic linker's lookup order, and the
 * linker exports them because libserialport.so references them.
 * Everything they do not fake goes to the real implementation:
 *  - __lxstat("/sys/class/tty/pts/N") reports a symlink when /dev/pts/N
 *    exists; other paths -> fstatat(AT_SYMLINK_NOFOLLOW) (the same struct
 *    stat on x86-64 glibc, version 1);
 *  - readlink() of that path returns "../../devices/virtual/tty/pts/N"
 *    (a native port); other paths -> readlinkat();
 *  - ioctl() always calls the real ioctl first (dlsym(RTLD_NEXT), which
 *    under ASan is ASan's interceptor, which calls libc); only when a
 *    TIOCMGET/TIOCMSET/TIOCMBIS/TIOCMBIC fails with ENOTTY on a pty slave
 *    (char device major 136..143) does it succeed with plausible modem bits
 *    (DTR RTS CTS DSR CD, updated by SET/BIS/BIC).
 * Fault injection: read() and write() are interposed too.  For the one
 * descriptor in shim_flaky_fd (normally -1) every other call fails with
 * EAGAIN before touching the line, as a spurious wake-up would; all other
 * calls go straight to the system call (syscall(2), no dlsym).
 * The interposers allocate nothing.  ioctl's dlsym happens on its first
 * call (the first sp_open or uv_poll_init, long after ASan's start-up; a
 * racing second lookup is harmless); if dlsym fails, syscall(2) is used.
 * Counters (atomic) let the test prove the real sp_open path ran.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#define SHIM_SYS_PTS "/sys/class/tty/pts/"
#define SHIM_MAX_FDS 32

static unsigned long shim_lxstat_faked;
static unsigned long shim_readlink_faked;
static unsigned long shim_tiocmget_seen; /* TIOCMGET on a pty slave fd */
static unsigned long shim_tiocm_faked;
static int shim_modem_bits = TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CD;
static int shim_fds[SHIM_MAX_FDS]; /* fds that got TIOCMGET, in order */
static unsigned shim_nfds;

static int shim_flaky_fd = -1;
static unsigned long shim_flaky_reads, shim_flaky_writes;   /* calls seen on it */
static unsigned long shim_eagain_reads, shim_eagain_writes; /* EAGAINs injected */

/* The interposers, under their libc names. */
ssize_t shim_read(int fd, void *buf, size_t n) __asm__("read");
ssize_t shim_write(int fd, const void *buf, size_t n) __asm__("write");
int shim_lxstat(int ver, const char *path, struct stat *st) __asm__("__lxstat");
ssize_t shim_readlink(const char *path, char *buf, size_t n) __asm__("readlink");
int shim_ioctl(int fd, unsigned long req, ...) __asm__("ioctl");

/* True if this call on fd should fail with EAGAIN (every other call on
 * the flaky descriptor, starting with the first). */
static int shim_inject_eagain(int fd, unsigned long *calls, unsigned long *injected)
{
    if (fd < 0 || fd != __atomic_load_n(&shim_flaky_fd, __ATOMIC_ACQUIRE))
        return 0;
    if (__atomic_fetch_add(calls, 1, __ATOMIC_RELAXED) % 2 != 0)
        return 0;
    __atomic_fetch_add(injected, 1, __ATOMIC_RELAXED);
    errno = EAGAIN;
    return 1;
}

ssize_t shim_read(int fd, void *buf, size_t n)
{
    if (shim_inject_eagain(fd, &shim_flaky_reads, &shim_eagain_reads))
        return -1;
    return (ssize_t)syscall(SYS_read, fd, buf, n);
}

ssize_t shim_write(int fd, const void *buf, size_t n)
{
    if (shim_inject_eagain(fd, &shim_flaky_writes, &shim_eagain_writes))
        return -1;
    return (ssize_t)syscall(SYS_write, fd, buf, n);
}

/* If path is "/sys/class/tty/pts/N" and /dev/pts/N exists, returns the
 * "pts/N" part, else NULL. */
static const char *shim_pts_name(const char *path)
{
    size_t k = sizeof(SHIM_SYS_PTS) - 1;
    if (path == NULL || strncmp(path, SHIM_SYS_PTS, k) != 0 || path[k] == '\0')
        return NULL;
    for (const char *d = path + k; *d != '\0'; d++)
        if (*d < '0' || *d > '9')
            return NULL;
    char dev[64];
    struct stat st;
    if ((size_t)snprintf(dev, sizeof(dev), "/dev/pts/%s", path + k) >= sizeof(dev) ||
        fstatat(AT_FDCWD, dev, &st, 0) != 0 || !S_ISCHR(st.st_mode))
        return NULL;
    return path + k - 4; /* "pts/N" */
}

int shim_lxstat(int ver, const char *path, struct stat *st)
{
    (void)ver;
    if (shim_pts_name(path) != NULL) {
        memset(st, 0, sizeof(*st));
        st->st_mode = S_IFLNK | 0777;
        __atomic_fetch_add(&shim_lxstat_faked, 1, __ATOMIC_RELAXED);
        return 0;
    }
    return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

ssize_t shim_readlink(const char *path, char *buf, size_t n)
{
    const char *name = shim_pts_name(path);
    if (name != NULL) {
        char target[96];
        int len = snprintf(target, sizeof(target), "../../devices/virtual/tty/%s", name);
        size_t l = (size_t)len < n ? (size_t)len : n;
        memcpy(buf, target, l);
        __atomic_fetch_add(&shim_readlink_faked, 1, __ATOMIC_RELAXED);
        return (ssize_t)l;
    }
    return readlinkat(AT_FDCWD, path, buf, n);
}

typedef int (*shim_ioctl_fn)(int, unsigned long, ...);
static shim_ioctl_fn shim_real_ioctl_ptr;

static int shim_real_ioctl(int fd, unsigned long req, void *arg)
{
    shim_ioctl_fn f = __atomic_load_n(&shim_real_ioctl_ptr, __ATOMIC_ACQUIRE);
    if (f == NULL) {
        f = (shim_ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
        if (f == NULL || f == shim_ioctl)
            return (int)syscall(SYS_ioctl, fd, req, arg);
        __atomic_store_n(&shim_real_ioctl_ptr, f, __ATOMIC_RELEASE);
    }
    return f(fd, req, arg);
}

/* A Unix98 pty slave (/dev/pts/N)? */
static int shim_is_pty_slave(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 &&
           major(st.st_rdev) <= 143;
}

static void shim_note_fd(int fd)
{
    unsigned n = __atomic_load_n(&shim_nfds, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < n && i < SHIM_MAX_FDS; i++)
        if (__atomic_load_n(&shim_fds[i], __ATOMIC_RELAXED) == fd)
            return;
    unsigned slot = __atomic_fetch_add(&shim_nfds, 1, __ATOMIC_ACQ_REL);
    if (slot < SHIM_MAX_FDS)
        __atomic_store_n(&shim_fds[slot], fd, __ATOMIC_RELEASE);
}

int shim_ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int tiocm = req == TIOCMGET || req == TIOCMSET || req == TIOCMBIS || req == TIOCMBIC;
    int r = shim_real_ioctl(fd, req, arg);
    if (!tiocm)
        return r;
    int saved = errno;
    if (!shim_is_pty_slave(fd)) {
        errno = saved;
        return r;
    }
    if (req == TIOCMGET) {
        __atomic_fetch_add(&shim_tiocmget_seen, 1, __ATOMIC_RELAXED);
        shim_note_fd(fd);
    }
    if (r == 0 || saved != ENOTTY || arg == NULL) {
        errno = saved;
        return r;
    }
    int *bits = arg;
    if (req == TIOCMGET)
        *bits = __atomic_load_n(&shim_modem_bits, __ATOMIC_RELAXED);
    else if (req == TIOCMSET)
        __atomic_store_n(&shim_modem_bits, *bits, __ATOMIC_RELAXED);
    else if (req == TIOCMBIS)
        __atomic_fetch_or(&shim_modem_bits, *bits, __ATOMIC_RELAXED);
    else
        __atomic_fetch_and(&shim_modem_bits, ~*bits, __ATOMIC_RELAXED);
    __atomic_fetch_add(&shim_tiocm_faked, 1, __ATOMIC_RELAXED);
    return 0;
}

/* Was fd given a TIOCMGET (by sp_open / sp_set_*) since the test began? */
static int shim_saw_fd(int fd)
{
    unsigned n = __atomic_load_n(&shim_nfds, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < n && i < SHIM_MAX_FDS; i++)
        if (__atomic_load_n(&shim_fds[i], __ATOMIC_ACQUIRE) == fd)
            return 1;
    return 0;
}
