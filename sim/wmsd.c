/* wmsd.c - running wmsd for the simulator; pty pairs (see wmsd.h). */
#define _GNU_SOURCE
#include "wmsd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 30000

static void log_tail(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    if (fseek(f, -(long)(n - 1), SEEK_END) != 0)
        rewind(f);
    size_t got = fread(buf, 1, n - 1, f);
    buf[got] = '\0';
    fclose(f);
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            *p = ' ';
}

extern char **environ;

/* The child's environment, built before fork (only exec runs after it):
 * the parent's, plus LD_PRELOAD of the pty shim when serial lines are used
 * (and ASan told not to insist on being first in the library list).
 * Returns a malloc'd array of strings the caller frees with env_free. */
static char **child_env(const sim_wmsd *d)
{
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    char **env = calloc(n + 3, sizeof(char *));
    if (env == NULL)
        return NULL;
    size_t k = 0;
    int shim = d->shim[0] != '\0' && d->n_serial > 0;
    const char *old_pre = NULL, *old_asan = NULL;
    for (size_t i = 0; i < n; i++) {
        if (shim && !strncmp(environ[i], "LD_PRELOAD=", 11)) {
            old_pre = environ[i] + 11;
            continue;
        }
        if (shim && !strncmp(environ[i], "ASAN_OPTIONS=", 13)) {
            old_asan = environ[i] + 13;
            continue;
        }
        env[k++] = strdup(environ[i]);
    }
    if (shim) {
        if (asprintf(&env[k++], "LD_PRELOAD=%s%s%s", d->shim, old_pre && old_pre[0] ? ":" : "",
                     old_pre ? old_pre : "") < 0)
            env[k - 1] = NULL;
        if (asprintf(&env[k++], "ASAN_OPTIONS=%s%sverify_asan_link_order=0",
                     old_asan ? old_asan : "", old_asan && old_asan[0] ? ":" : "") < 0)
            env[k - 1] = NULL;
    }
    env[k] = NULL;
    for (size_t i = 0; i < k; i++)
        if (env[i] == NULL) {
            for (size_t j = 0; j < k; j++)
                free(env[j]);
            free(env);
            return NULL;
        }
    return env;
}

static void env_free(char **env)
{
    for (size_t i = 0; env != NULL && env[i] != NULL; i++)
        free(env[i]);
    free(env);
}

int sim_wmsd_start(sim_wmsd *d, wms_error *err)
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0)
        return wms_error_set(err, WMS_EIO, "pipe: %s", strerror(errno));
    int logfd = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0) {
        close(out[0]);
        close(out[1]);
        return wms_error_set(err, WMS_EIO, "cannot write %s: %s", d->log, strerror(errno));
    }
    char listen[96];
    snprintf(listen, sizeof(listen), "%s:%d", d->host, d->port);
    const char *argv[8 + 2 * SIM_SERIAL_MAX];
    int argc = 0;
    argv[argc++] = d->exe;
    argv[argc++] = "--db";
    argv[argc++] = d->db;
    argv[argc++] = "--listen";
    argv[argc++] = listen;
    for (int i = 0; i < d->n_serial; i++) {
        argv[argc++] = "--serial";
        argv[argc++] = d->serial[i];
    }
    argv[argc] = NULL;
    char **env = child_env(d);
    if (env == NULL) {
        close(out[0]);
        close(out[1]);
        close(logfd);
        return wms_error_set(err, WMS_ENOMEM, "no memory for wmsd's environment");
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        env_free(env);
        close(out[0]);
        close(out[1]);
        close(logfd);
        return wms_error_set(err, WMS_EIO, "fork: %s", strerror(errno));
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(out[1], 1);
        dup2(logfd, 2);
        execve(d->exe, (char *const *)argv, env);
        static const char msg[] = "wms-sim: cannot exec wmsd\n";
        ssize_t w = write(2, msg, sizeof(msg) - 1);
        (void)w;
        _exit(127);
    }
    env_free(env);
    close(out[1]);
    close(logfd);
    d->pid = pid;
    d->starts++;
    /* Read "listening on port N". */
    char line[256];
    size_t len = 0;
    int port = -1;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long waited = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (waited >= START_TIMEOUT_MS)
            break;
        struct pollfd pf = {.fd = out[0], .events = POLLIN};
        int pr = poll(&pf, 1, (int)(START_TIMEOUT_MS - waited));
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            break;
        ssize_t n = read(out[0], line + len, sizeof(line) - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        line[len] = '\0';
        char *nl = strchr(line, '\n');
        if (nl != NULL) {
            if (sscanf(line, "listening on port %d", &port) != 1)
                port = -1;
            break;
        }
        if (len == sizeof(line) - 1)
            break;
    }
    close(out[0]); /* wmsd writes nothing else to stdout */
    if (port <= 0) {
        sim_wmsd_kill(d);
        char tail[512];
        log_tail(d->log, tail, sizeof(tail));
        return wms_error_set(err, WMS_EIO, "wmsd did not start (log %s: ...%s)", d->log, tail);
    }
    d->port = port;
    return 0;
}

void sim_wmsd_kill(sim_wmsd *d)
{
    if (d->pid <= 0)
        return;
    kill(d->pid, SIGKILL);
    while (waitpid(d->pid, NULL, 0) < 0 && errno == EINTR)
        ;
    d->pid = 0;
    d->kills++;
}

int sim_wmsd_stop(sim_wmsd *d)
{
    if (d->pid <= 0)
        return -1;
    kill(d->pid, SIGTERM);
    for (int i = 0; i < 2000; i++) {
        int status;
        pid_t r = waitpid(d->pid, &status, WNOHANG);
        if (r == d->pid) {
            d->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
    sim_wmsd_kill(d);
    return -1;
}

int sim_wmsd_alive(sim_wmsd *d)
{
    if (d->pid <= 0)
        return 0;
    if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
        d->pid = 0;
        return 0;
    }
    return 1;
}

int sim_pty_open(int *master, int *slave, char *path, size_t n, wms_error *err)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (m < 0)
        return wms_error_set(err, WMS_EIO, "posix_openpt: %s", strerror(errno));
    if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, path, n) != 0) {
        close(m);
        return wms_error_set(err, WMS_EIO, "pty: %s", strerror(errno));
    }
    int s = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (s < 0) {
        close(m);
        return wms_error_set(err, WMS_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    struct termios t;
    if (tcgetattr(s, &t) == 0) {
        cfmakeraw(&t);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        tcsetattr(s, TCSANOW, &t);
    }
    *master = m;
    *slave = s;
    return 0;
}
