/*
 * ptyshim.c - libwms_ptyshim.so: lets an unchanged wmsd (libserialport
 * 0.1.1) open pseudo-terminals, for the simulator's serial pickers.  Loaded
 * into wmsd only, with LD_PRELOAD, by wms-sim (sim/wmsd.c).
 *
 * libserialport refuses ptys in two places (shared/reference/serial.md,
 * tests/drivers/serial_pty_shim.c): sp_get_port_by_name lstat()s
 * /sys/class/tty/pts/N (through glibc's __lxstat) and readlink()s it,
 * which do not exist for ptys; sp_open and sp_set_* read and set the modem
 * lines with TIOCMGET/TIOCMSET/TIOCMBIS/TIOCMBIC, which the pty driver does
 * not implement (ENOTTY).  A preloaded library comes before libc in the
 * dynamic linker's lookup order, so libserialport's calls bind to the
 * definitions below:
 *  - __lxstat of /sys/class/tty/pts/N (when /dev/pts/N exists) reports a
 *    symlink; readlink of it returns "../../devices/virtual/tty/pts/N" (a
 *    native port); every other path goes to the real call;
 *  - ioctl runs the real ioctl first; only a TIOCM* request that fails with
 *    ENOTTY on a pty slave (char major 136..143) succeeds with plausible
 *    modem bits (DTR RTS CTS DSR CD), and TIOCEXCL on a pty slave is a
 *    no-op (the simulator keeps its own descriptor on the slave, so an
 *    exclusive line would refuse wmsd's reopen after a restart).
 * Nothing else is touched: reads, writes and termios go to the pty.
 */
#define _GNU_SOURCE
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
#include <termios.h>
#include <unistd.h>

#define SYS_PTS "/sys/class/tty/pts/"

int shim_lxstat(int ver, const char *path, struct stat *st) __asm__("__lxstat");
ssize_t shim_readlink(const char *path, char *buf, size_t n) __asm__("readlink");
int shim_ioctl(int fd, unsigned long req, ...) __asm__("ioctl");

static int modem_bits = TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CD;

/* "pts/N" when path is /sys/class/tty/pts/N and /dev/pts/N exists. */
static const char *pts_name(const char *path)
{
    size_t k = sizeof(SYS_PTS) - 1;
    if (path == NULL || strncmp(path, SYS_PTS, k) != 0 || path[k] == '\0')
        return NULL;
    for (const char *d = path + k; *d; d++)
        if (*d < '0' || *d > '9')
            return NULL;
    char dev[64];
    struct stat st;
    if ((size_t)snprintf(dev, sizeof(dev), "/dev/pts/%s", path + k) >= sizeof(dev) ||
        fstatat(AT_FDCWD, dev, &st, 0) != 0 || !S_ISCHR(st.st_mode))
        return NULL;
    return path + k - 4;
}

int shim_lxstat(int ver, const char *path, struct stat *st)
{
    (void)ver;
    if (pts_name(path) != NULL) {
        memset(st, 0, sizeof(*st));
        st->st_mode = S_IFLNK | 0777;
        return 0;
    }
    return fstatat(AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

ssize_t shim_readlink(const char *path, char *buf, size_t n)
{
    const char *name = pts_name(path);
    if (name != NULL) {
        char target[96];
        int len = snprintf(target, sizeof(target), "../../devices/virtual/tty/%s", name);
        size_t l = (size_t)len < n ? (size_t)len : n;
        memcpy(buf, target, l);
        return (ssize_t)l;
    }
    return readlinkat(AT_FDCWD, path, buf, n);
}

typedef int (*ioctl_fn)(int, unsigned long, ...);
static ioctl_fn real_ioctl_ptr;

static int real_ioctl(int fd, unsigned long req, void *arg)
{
    ioctl_fn f = __atomic_load_n(&real_ioctl_ptr, __ATOMIC_ACQUIRE);
    if (f == NULL) {
        f = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
        if (f == NULL || f == (ioctl_fn)shim_ioctl)
            return (int)syscall(SYS_ioctl, fd, req, arg);
        __atomic_store_n(&real_ioctl_ptr, f, __ATOMIC_RELEASE);
    }
    return f(fd, req, arg);
}

static int is_pty_slave(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 &&
           major(st.st_rdev) <= 143;
}

int shim_ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (req == TIOCEXCL && is_pty_slave(fd))
        return 0;
    int r = real_ioctl(fd, req, arg);
    int saved = errno;
    int tiocm = req == TIOCMGET || req == TIOCMSET || req == TIOCMBIS || req == TIOCMBIC;
    if (!tiocm || r == 0 || saved != ENOTTY || arg == NULL || !is_pty_slave(fd)) {
        errno = saved;
        return r;
    }
    int *bits = arg;
    if (req == TIOCMGET)
        *bits = __atomic_load_n(&modem_bits, __ATOMIC_RELAXED);
    else if (req == TIOCMSET)
        __atomic_store_n(&modem_bits, *bits, __ATOMIC_RELAXED);
    else if (req == TIOCMBIS)
        __atomic_fetch_or(&modem_bits, *bits, __ATOMIC_RELAXED);
    else
        __atomic_fetch_and(&modem_bits, ~*bits, __ATOMIC_RELAXED);
    return 0;
}
