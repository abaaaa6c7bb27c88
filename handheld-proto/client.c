/*
 * client.c - blocking MessagePack-RPC client of the handheld protocol v1.
 *
 * See client.h for the contract.  Internals:
 *  - c->args holds the caller's packed key/value pairs of the current call;
 *    it survives reconnects, so a resend carries the very same arguments
 *    (txn included).  Each attempt wraps them in a fresh envelope with a new
 *    msgid in c->out.
 *  - TCP bytes collect in c->rbuf (capped at max_response + 64 KiB);
 *    wms_mp_scan finds where the first message ends, or refuses it, before
 *    msgpack-c is given a copy.  The awaited response's copy and zone stay
 *    in c->resbuf / c->res until the next response replaces them (msgpack-c
 *    points strings into the bytes it unpacked).
 *  - A serial line delivers whole messages (one per good frame); each is
 *    checked with wms_mp_scan too.
 */
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mpguard.h"
#include "serial.h"

#define CLIENT_HOST_MAX 255
#define CLIENT_SERIAL_MAX 127
#define CLIENT_DIR_MAX 1024
#define CLIENT_NAME_MAX 63
#define CLIENT_METHOD_MAX 63
#define CLIENT_RBUF_SLACK (64u * 1024)
#define CLIENT_BACKOFF_MAX_MS 5000
#define CLIENT_RETRIES_MAX 1000

struct wms_client {
    char host[CLIENT_HOST_MAX + 1];
    int port;
    char serial[CLIENT_SERIAL_MAX + 1];
    char device[WMS_CLIENT_DEVICE_MAX + 1];
    char state_dir[CLIENT_DIR_MAX + 1];
    char client_name[CLIENT_NAME_MAX + 1];
    char gs;
    int timeout_ms, retries, backoff_ms;
    size_t max_response;
    wms_client_notify_cb on_notify;
    void *notify_ctx;
    wms_client_status_cb on_status;
    void *status_ctx;

    int fd;                /* TCP socket, or -1 */
    wms_serial_client *sc; /* serial line, or NULL */
    bool connected;        /* transport open and hello (and login) done */
    int lock_fd;           /* flock on <state_dir>/<device>.lock, or -1 */

    uint32_t msgid;
    uint64_t txn_last;
    char user[WMS_CLIENT_CRED_MAX + 1], pin[WMS_CLIENT_CRED_MAX + 1];
    bool have_creds;

    char method[CLIENT_METHOD_MAX + 1];
    bool begun;
    msgpack_sbuffer args; /* the caller's key/value pairs */
    msgpack_packer pk;
    msgpack_sbuffer out; /* the request being sent */

    uint8_t *rbuf; /* received bytes not yet parsed (TCP) or one message (serial) */
    size_t rlen, rcap;
    uint8_t *resbuf; /* bytes of the last response, referenced by res */
    msgpack_unpacked res;

    char errname[WMS_CLIENT_ERRNAME_MAX + 1];
    char server[64];
    char closing[160]; /* message of an "error" notification before a close */
    wms_client_stats st;
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Copies s into dst (cap bytes) if it fits; returns false otherwise. */
static bool copy_str(char *dst, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap)
        return false;
    memcpy(dst, s, n + 1);
    return true;
}

static bool device_ok(const char *d)
{
    size_t n = strlen(d);
    if (n == 0 || n > WMS_CLIENT_DEVICE_MAX || d[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = d[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

static bool obj_str_eq(const msgpack_object *o, const char *s)
{
    size_t n = strlen(s);
    return o->type == MSGPACK_OBJECT_STR && o->via.str.size == n &&
           memcmp(o->via.str.ptr, s, n) == 0;
}

/* Copies a msgpack string into buf (cap > 0), cut to fit, with control
 * bytes replaced by '?'.  Returns the copied length. */
static size_t obj_str_copy(const msgpack_object *o, char *buf, size_t cap, bool printable)
{
    size_t n = o->via.str.size < cap - 1 ? o->via.str.size : cap - 1;
    memcpy(buf, o->via.str.ptr, n);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\0' || (printable && (unsigned char)buf[i] < 0x20))
            buf[i] = '?';
    return n;
}

static void status(wms_client *c, const char *text)
{
    if (c->on_status != NULL)
        c->on_status(c->status_ctx, text);
}

/* ------------------------------------------------------------------------ */
/* Result access                                                            */
/* ------------------------------------------------------------------------ */

const msgpack_object *wms_client_find(const msgpack_object *obj, const char *key)
{
    if (obj == NULL || key == NULL || obj->type != MSGPACK_OBJECT_MAP)
        return NULL;
    for (uint32_t i = 0; i < obj->via.map.size; i++)
        if (obj_str_eq(&obj->via.map.ptr[i].key, key))
            return &obj->via.map.ptr[i].val;
    return NULL;
}

const msgpack_object *wms_client_get_map(const msgpack_object *obj, const char *key)
{
    const msgpack_object *v = wms_client_find(obj, key);
    return v != NULL && v->type == MSGPACK_OBJECT_MAP ? v : NULL;
}

const msgpack_object *wms_client_get_array(const msgpack_object *obj, const char *key)
{
    const msgpack_object *v = wms_client_find(obj, key);
    return v != NULL && v->type == MSGPACK_OBJECT_ARRAY ? v : NULL;
}

int wms_client_get_str(const msgpack_object *obj, const char *key, char *buf, size_t n)
{
    if (buf == NULL || n == 0)
        return WMS_EBAD_ARGS;
    buf[0] = '\0';
    const msgpack_object *v = wms_client_find(obj, key);
    if (v == NULL || v->type == MSGPACK_OBJECT_NIL)
        return WMS_ENOT_FOUND;
    if (v->type != MSGPACK_OBJECT_STR)
        return WMS_EBAD_ARGS;
    size_t len = obj_str_copy(v, buf, n, false);
    if (len < v->via.str.size)
        return WMS_ETOO_LARGE;
    return len > INT_MAX ? INT_MAX : (int)len;
}

int wms_client_get_int(const msgpack_object *obj, const char *key, int64_t *v)
{
    const msgpack_object *o = wms_client_find(obj, key);
    if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
        return WMS_ENOT_FOUND;
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        if (v != NULL)
            *v = o->via.i64;
        return 0;
    }
    if (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return WMS_EBAD_ARGS;
    if (o->via.u64 > (uint64_t)INT64_MAX)
        return WMS_ETOO_LARGE;
    if (v != NULL)
        *v = (int64_t)o->via.u64;
    return 0;
}

int wms_client_get_bool(const msgpack_object *obj, const char *key)
{
    const msgpack_object *o = wms_client_find(obj, key);
    if (o == NULL || o->type == MSGPACK_OBJECT_NIL)
        return WMS_ENOT_FOUND;
    if (o->type != MSGPACK_OBJECT_BOOLEAN)
        return WMS_EBAD_ARGS;
    return o->via.boolean ? 1 : 0;
}

int wms_client_code_of(const char *name, size_t n)
{
#define X__(ename, msg) WMS_E##ename,
    static const int codes[] = {WMS_ERRNO_MAP(X__)};
#undef X__
    if (name == NULL)
        return WMS_EIO;
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        const char *w = wms_err_name(codes[i]);
        if (strlen(w) == n && memcmp(w, name, n) == 0)
            return codes[i];
    }
    return WMS_EIO;
}

/* ------------------------------------------------------------------------ */
/* Packing helpers                                                          */
/* ------------------------------------------------------------------------ */

static void pack_cstr(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

void wms_client_kv_str(msgpack_packer *pk, const char *key, const char *val)
{
    pack_cstr(pk, key);
    if (val == NULL)
        msgpack_pack_nil(pk);
    else
        pack_cstr(pk, val);
}

void wms_client_kv_int(msgpack_packer *pk, const char *key, int64_t val)
{
    pack_cstr(pk, key);
    msgpack_pack_int64(pk, val);
}

void wms_client_kv_bool(msgpack_packer *pk, const char *key, int val)
{
    pack_cstr(pk, key);
    if (val)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
}

/* ------------------------------------------------------------------------ */
/* The txn counter file                                                     */
/* ------------------------------------------------------------------------ */

static int state_path(const wms_client *c, const char *suffix, char *buf, size_t n, wms_error *err)
{
    int len = snprintf(buf, n, "%s/%s%s", c->state_dir, c->device, suffix);
    if (len < 0 || (size_t)len >= n)
        return wms_error_set(err, WMS_EBAD_ARGS, "state directory path is too long");
    return 0;
}

/* Reads the last txn number from <state_dir>/<device>.txn into c->txn_last
 * (0 when the file does not exist).  A file that is not one decimal number
 * is WMS_EIO: guessing could reuse a txn id. */
static int txn_load(wms_client *c, wms_error *err)
{
    char path[CLIENT_DIR_MAX + 64];
    int rc = state_path(c, ".txn", path, sizeof(path), err);
    if (rc < 0)
        return rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            c->txn_last = 0;
            return 0;
        }
        return wms_error_set(err, WMS_EIO, "cannot read %s: %s", path, strerror(errno));
    }
    char buf[32];
    ssize_t got;
    do
        got = read(fd, buf, sizeof(buf) - 1);
    while (got < 0 && errno == EINTR);
    close(fd);
    if (got < 0)
        return wms_error_set(err, WMS_EIO, "cannot read %s: %s", path, strerror(errno));
    buf[got] = '\0';
    uint64_t v = 0;
    ssize_t i = 0;
    for (; i < got && buf[i] >= '0' && buf[i] <= '9'; i++) {
        if (v > (UINT64_MAX - 9) / 10)
            return wms_error_set(err, WMS_EIO, "txn counter %s is damaged (too large)", path);
        v = v * 10 + (uint64_t)(buf[i] - '0');
    }
    if (i == 0 || (i < got && !(buf[i] == '\n' && i + 1 == got)))
        return wms_error_set(err, WMS_EIO,
                             "txn counter %s is damaged: it must hold one number (the last txn "
                             "used); fix it or remove it",
                             path);
    c->txn_last = v;
    return 0;
}

static int write_all_fd(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Durably records `n` as the last txn number: temp file, fsync, rename,
 * fsync of the directory.  On error the old file is left as it was. */
static int txn_store(wms_client *c, uint64_t n, wms_error *err)
{
    char path[CLIENT_DIR_MAX + 64], tmp[CLIENT_DIR_MAX + 64];
    int rc;
    if ((rc = state_path(c, ".txn", path, sizeof(path), err)) < 0 ||
        (rc = state_path(c, ".txn.tmp", tmp, sizeof(tmp), err)) < 0)
        return rc;
    char text[32];
    int len = snprintf(text, sizeof(text), "%llu\n", (unsigned long long)n);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return wms_error_set(err, WMS_EIO, "cannot write %s: %s", tmp, strerror(errno));
    if (write_all_fd(fd, text, (size_t)len) < 0 || fsync(fd) < 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return wms_error_set(err, WMS_EIO, "cannot write %s: %s", tmp, strerror(e));
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return wms_error_set(err, WMS_EIO, "cannot replace %s: %s", path, strerror(e));
    }
    int dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return wms_error_set(err, WMS_EIO, "cannot open %s: %s", c->state_dir, strerror(errno));
    if (fsync(dfd) < 0 && errno != EINVAL) {
        int e = errno;
        close(dfd);
        return wms_error_set(err, WMS_EIO, "cannot sync %s: %s", c->state_dir, strerror(e));
    }
    close(dfd);
    return 0;
}

/* Creates the state directory if needed, takes the device lock (one
 * process per device and state directory) and loads the counter. */
static int state_open(wms_client *c, wms_error *err)
{
    if (mkdir(c->state_dir, 0700) < 0 && errno != EEXIST)
        return wms_error_set(err, WMS_EIO, "cannot create %s: %s", c->state_dir, strerror(errno));
    char path[CLIENT_DIR_MAX + 64];
    int rc = state_path(c, ".lock", path, sizeof(path), err);
    if (rc < 0)
        return rc;
    c->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (c->lock_fd < 0)
        return wms_error_set(err, WMS_EIO, "cannot open %s: %s", path, strerror(errno));
    if (flock(c->lock_fd, LOCK_EX | LOCK_NB) < 0)
        return wms_error_set(err, WMS_EBUSY, "device %s is in use by another program (%s)",
                             c->device, path);
    return txn_load(c, err);
}

int wms_client_next_txn(wms_client *c, char *buf, size_t n, wms_error *err)
{
    if (c == NULL || buf == NULL || n < WMS_CLIENT_TXN_MAX + 1)
        return wms_error_set(err, WMS_EBAD_ARGS, "wms_client_next_txn: bad arguments");
    buf[0] = '\0';
    if (c->state_dir[0] == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "no state directory for the txn counter");
    if (c->txn_last >= UINT64_MAX / 2)
        return wms_error_set(err, WMS_EIO, "the txn counter is exhausted");
    uint64_t next = c->txn_last + 1;
    int rc = txn_store(c, next, err);
    if (rc < 0)
        return rc;
    c->txn_last = next;
    snprintf(buf, n, "%s-%llu", c->device, (unsigned long long)next);
    return 0;
}

uint64_t wms_client_last_txn(const wms_client *c)
{
    return c != NULL ? c->txn_last : 0;
}

/* hello's resume.last_txn: when it is "<device>-<n>" with n beyond our
 * counter (the state directory was lost or copied from an older backup),
 * move the counter forward so no id is used twice. */
static int txn_resume(wms_client *c, const msgpack_object *hello, wms_error *err)
{
    char last[WMS_CLIENT_TXN_MAX + 1];
    if (wms_client_get_str(wms_client_get_map(hello, "resume"), "last_txn", last, sizeof(last)) <=
        0)
        return 0;
    size_t dl = strlen(c->device);
    if (strncmp(last, c->device, dl) != 0 || last[dl] != '-')
        return 0;
    const char *p = last + dl + 1;
    uint64_t v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 19; p++, digits++)
        v = v * 10 + (uint64_t)(*p - '0');
    if (digits == 0 || *p != '\0' || v <= c->txn_last)
        return 0;
    if (c->state_dir[0] != '\0') {
        int rc = txn_store(c, v, err);
        if (rc < 0)
            return rc;
    }
    c->txn_last = v;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Transport                                                                */
/* ------------------------------------------------------------------------ */

static void transport_close(wms_client *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    if (c->sc != NULL) {
        wms_serial_client_close(c->sc);
        c->sc = NULL;
    }
    c->rlen = 0;
    c->connected = false;
}

void wms_client_disconnect(wms_client *c)
{
    if (c != NULL)
        transport_close(c);
}

static int tcp_connect(wms_client *c, wms_error *err)
{
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    char port[16];
    snprintf(port, sizeof(port), "%d", c->port);
    int rc = getaddrinfo(c->host, port, &hints, &list);
    if (rc != 0)
        return wms_error_set(err, WMS_EIO, "cannot resolve %s: %s", c->host, gai_strerror(rc));
    int why = ECONNREFUSED;
    for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        int fd =
            socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            why = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            if (errno != EINPROGRESS) {
                why = errno;
                close(fd);
                continue;
            }
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            int pr;
            do
                pr = poll(&pfd, 1, c->timeout_ms);
            while (pr < 0 && errno == EINTR);
            int soerr = 0;
            socklen_t sl = sizeof(soerr);
            if (pr <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
                why = pr == 0 ? ETIMEDOUT : (soerr != 0 ? soerr : errno);
                close(fd);
                continue;
            }
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        c->fd = fd;
        freeaddrinfo(list);
        return 0;
    }
    freeaddrinfo(list);
    return wms_error_set(err, WMS_EIO, "cannot connect to %s:%d: %s", c->host, c->port,
                         strerror(why));
}

static int transport_open(wms_client *c, wms_error *err)
{
    transport_close(c);
    if (c->serial[0] != '\0')
        return wms_serial_client_open(c->serial, &c->sc, err);
    return tcp_connect(c, err);
}

/* Writes the request in c->out.  TCP: all bytes before the deadline. */
static int transport_send(wms_client *c, int64_t deadline, wms_error *err)
{
    const uint8_t *p = (const uint8_t *)c->out.data;
    size_t n = c->out.size;
    if (c->sc != NULL)
        return wms_serial_client_send(c->sc, p, n, err);
    while (n > 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return wms_error_set(err, WMS_EIO, "connection lost while sending: %s",
                                 strerror(errno));
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return wms_error_set(err, WMS_EIO, "timed out sending the request");
        struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
            return wms_error_set(err, WMS_EIO, "poll: %s", strerror(errno));
    }
    return 0;
}

/* Result of reading one message. */
enum { RD_OK = 0, RD_RETRY = 1, RD_FATAL = 2 };

/* Finds the next whole message: *msg / *len point at it (in c->rbuf) and
 * *used tells how many bytes to drop from rbuf after it was handled.
 * Returns RD_OK, RD_RETRY (timeout, connection lost: err set) or RD_FATAL
 * (too large, not MessagePack: err set). */
static int read_message(wms_client *c, int64_t deadline, const uint8_t **msg, size_t *len,
                        size_t *used, wms_error *err)
{
    wms_mp_limits lim;
    wms_mp_limits_default(&lim);
    lim.max_bytes = c->max_response;
    for (;;) {
        if (c->sc == NULL && c->rlen > 0) {
            size_t mlen = 0;
            wms_error se;
            int rc = wms_mp_scan(c->rbuf, c->rlen, &lim, &mlen, &se);
            if (rc == 1) {
                *msg = c->rbuf;
                *len = *used = mlen;
                return RD_OK;
            }
            if (rc == WMS_ETOO_LARGE || (rc == 0 && c->rlen >= c->max_response)) {
                wms_error_set(err, WMS_ETOO_LARGE, "the server's response is over the limit: %s",
                              rc == 0 ? "too many bytes" : se.msg);
                return RD_FATAL;
            }
            if (rc < 0) {
                wms_error_set(err, WMS_EBAD_FRAME,
                              "the server sent bytes that are not "
                              "MessagePack");
                return RD_FATAL;
            }
        }
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            wms_error_set(err, WMS_EIO, "no answer from the server within %d ms", c->timeout_ms);
            return RD_RETRY;
        }
        if (c->sc != NULL) {
            wms_error se;
            int n = wms_serial_client_recv(c->sc, c->rbuf, c->max_response, (int)left, &se);
            if (n == 0)
                continue;
            if (n == WMS_ETOO_LARGE) {
                wms_error_set(err, WMS_ETOO_LARGE, "the server's response is over the limit");
                return RD_FATAL;
            }
            if (n < 0) {
                wms_error_set(err, WMS_EIO, "serial line: %s", se.msg);
                return RD_RETRY;
            }
            size_t mlen = 0;
            if (wms_mp_scan(c->rbuf, (size_t)n, &lim, &mlen, NULL) != 1 || mlen != (size_t)n) {
                c->st.ignored++; /* a damaged message: the line goes on */
                continue;
            }
            *msg = c->rbuf;
            *len = mlen;
            *used = 0;
            return RD_OK;
        }
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno != EINTR) {
            wms_error_set(err, WMS_EIO, "poll: %s", strerror(errno));
            return RD_RETRY;
        }
        if (pr <= 0)
            continue;
        ssize_t r = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
        if (r > 0) {
            c->rlen += (size_t)r;
            continue;
        }
        if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (c->closing[0] != '\0')
            wms_error_set(err, WMS_EIO, "the server closed the connection: %s", c->closing);
        else
            wms_error_set(err, WMS_EIO, "the server closed the connection%s%s", r < 0 ? ": " : "",
                          r < 0 ? strerror(errno) : "");
        return RD_RETRY;
    }
}

/* Handles a notification [2, method, [params]]. */
static void handle_notification(wms_client *c, const msgpack_object *m)
{
    const msgpack_object *name = &m->via.array.ptr[1];
    const msgpack_object *params = &m->via.array.ptr[2];
    if (name->type != MSGPACK_OBJECT_STR) {
        c->st.ignored++;
        return;
    }
    c->st.notifications++;
    char method[64];
    obj_str_copy(name, method, sizeof(method), true);
    msgpack_object nil = {.type = MSGPACK_OBJECT_NIL};
    const msgpack_object *p = &nil;
    if (params->type == MSGPACK_OBJECT_ARRAY && params->via.array.size > 0)
        p = &params->via.array.ptr[0];
    if (strcmp(method, "error") == 0) {
        char msg[sizeof(c->closing)];
        if (wms_client_get_str(p, "message", msg, sizeof(msg)) > 0)
            snprintf(c->closing, sizeof(c->closing), "%s", msg);
    }
    if (c->on_notify != NULL)
        c->on_notify(c->notify_ctx, method, p);
}

/* Turns the error object of a response into (code, err->msg, errname). */
static int response_error(wms_client *c, const msgpack_object *e, wms_error *err)
{
    const msgpack_object *code = wms_client_find(e, "code");
    int rc = WMS_EIO;
    if (code != NULL && code->type == MSGPACK_OBJECT_STR) {
        obj_str_copy(code, c->errname, sizeof(c->errname), true);
        rc = wms_client_code_of(code->via.str.ptr, code->via.str.size);
    } else {
        snprintf(c->errname, sizeof(c->errname), "%s", "UNKNOWN_ERROR");
    }
    const msgpack_object *msg = wms_client_find(e, "message");
    if (msg == NULL && e->type == MSGPACK_OBJECT_STR)
        msg = e;
    if (msg != NULL && msg->type == MSGPACK_OBJECT_STR && msg->via.str.size > 0) {
        char text[sizeof(err->msg)];
        obj_str_copy(msg, text, sizeof(text), false);
        wms_error_set(err, rc, "%s", text);
    } else {
        wms_error_set(err, rc, "%s (%s)", wms_strerror(rc), c->errname);
    }
    return rc;
}

/* One request/response exchange on the open transport: wraps args (npairs
 * key/value pairs) into a request with a new msgid, sends it, and waits for
 * the response with that msgid (skipping others, passing notifications to
 * the hook).  *retry is set when the failure allows a reconnect and resend.
 * On success *result points into c->res. */
static int exchange(wms_client *c, const char *method, const void *args, size_t args_len,
                    uint32_t npairs, msgpack_object *result, bool *retry, wms_error *err)
{
    *retry = false;
    uint32_t id = ++c->msgid;
    msgpack_sbuffer_clear(&c->out);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &c->out, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 4);
    msgpack_pack_uint8(&pk, 0);
    msgpack_pack_uint32(&pk, id);
    pack_cstr(&pk, method);
    msgpack_pack_array(&pk, 1);
    msgpack_pack_map(&pk, npairs);
    if (args_len > 0)
        msgpack_sbuffer_write(&c->out, args, args_len);
    if (c->out.data == NULL || c->out.size > WMS_CLIENT_MAX_RESPONSE)
        return wms_error_set(err, c->out.data == NULL ? WMS_ENOMEM : WMS_ETOO_LARGE,
                             "the request is over the 1 MiB limit");
    c->closing[0] = '\0';
    int64_t deadline = now_ms() + c->timeout_ms;
    int rc = transport_send(c, deadline, err);
    if (rc < 0) {
        *retry = rc == WMS_EIO;
        return rc;
    }
    c->st.sends++;
    for (;;) {
        const uint8_t *msg;
        size_t len, used;
        int rd = read_message(c, deadline, &msg, &len, &used, err);
        if (rd != RD_OK) {
            *retry = rd == RD_RETRY;
            return err != NULL ? err->code : WMS_EIO;
        }
        uint8_t *copy = malloc(len);
        if (copy == NULL)
            return wms_error_set(err, WMS_ENOMEM, "no memory for a %zu-byte response", len);
        memcpy(copy, msg, len);
        if (used > 0) {
            memmove(c->rbuf, c->rbuf + used, c->rlen - used);
            c->rlen -= used;
        }
        msgpack_unpacked u;
        msgpack_unpacked_init(&u);
        size_t off = 0;
        msgpack_unpack_return ur = msgpack_unpack_next(&u, (const char *)copy, len, &off);
        const msgpack_object *m = &u.data;
        bool keep = false;
        if (ur != MSGPACK_UNPACK_SUCCESS || m->type != MSGPACK_OBJECT_ARRAY ||
            m->via.array.size < 3 || m->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
            c->st.ignored++;
        } else if (m->via.array.ptr[0].via.u64 == 2 && m->via.array.size == 3) {
            handle_notification(c, m);
        } else if (m->via.array.ptr[0].via.u64 == 1 && m->via.array.size == 4 &&
                   m->via.array.ptr[1].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
                   m->via.array.ptr[1].via.u64 == id) {
            keep = true;
        } else {
            c->st.ignored++; /* a stale or unknown msgid, or not a response */
        }
        if (!keep) {
            msgpack_unpacked_destroy(&u);
            free(copy);
            continue;
        }
        msgpack_unpacked_destroy(&c->res);
        free(c->resbuf);
        c->res = u;
        c->resbuf = copy;
        const msgpack_object *e = &c->res.data.via.array.ptr[2];
        if (e->type != MSGPACK_OBJECT_NIL) {
            rc = response_error(c, e, err);
            if (rc == WMS_ESHUTTING_DOWN || rc == WMS_EBUSY)
                *retry = true; /* the server guarantees nothing happened */
            return rc;
        }
        if (result != NULL)
            *result = c->res.data.via.array.ptr[3];
        return 0;
    }
}

/* Sends a session call (hello, login) with args packed into a local buffer. */
static int session_call(wms_client *c, const char *method, msgpack_sbuffer *args, uint32_t npairs,
                        msgpack_object *result, bool *retry, wms_error *err)
{
    return exchange(c, method, args->data, args->size, npairs, result, retry, err);
}

/* Opens the transport, says hello and logs in again with the remembered
 * credentials.  *retry tells whether a failure is worth another attempt. */
static int session_open(wms_client *c, bool *retry, wms_error *err)
{
    *retry = false;
    int rc = transport_open(c, err);
    if (rc < 0) {
        *retry = rc == WMS_EIO || rc == WMS_ENOT_FOUND;
        return rc;
    }
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    wms_client_kv_str(&pk, "device", c->device);
    wms_client_kv_int(&pk, "proto", 1);
    wms_client_kv_str(&pk, "client", c->client_name);
    uint32_t n = 3;
    if (c->gs != 0) {
        char gs[2] = {c->gs, '\0'};
        wms_client_kv_str(&pk, "gs", gs);
        n++;
    }
    msgpack_object res;
    rc = session_call(c, "hello", &sb, n, &res, retry, err);
    if (rc == 0) {
        char server[sizeof(c->server)];
        if (wms_client_get_str(&res, "server", server, sizeof(server)) >= 0)
            snprintf(c->server, sizeof(c->server), "%s", server);
        rc = txn_resume(c, &res, err);
    }
    if (rc == 0 && c->have_creds) {
        msgpack_sbuffer_clear(&sb);
        wms_client_kv_str(&pk, "user", c->user);
        wms_client_kv_str(&pk, "pin", c->pin);
        rc = session_call(c, "login", &sb, 2, &res, retry, err);
    }
    msgpack_sbuffer_destroy(&sb);
    if (rc < 0) {
        transport_close(c);
        return rc;
    }
    c->connected = true;
    c->st.connects++;
    return 0;
}

/* Runs one call (method NULL: only establish the session) with reconnects,
 * backoff and resends.  See client.h for the policy. */
static int call_retry(wms_client *c, const char *method, uint32_t npairs, msgpack_object *result,
                      wms_error *err)
{
    int attempt = 0;
    bool sent = false, relogged = false;
    wms_error e;
    wms_error_clear(&e);
    for (;;) {
        bool retry = false;
        int rc = 0;
        if (!c->connected)
            rc = session_open(c, &retry, &e);
        if (rc == 0 && method == NULL) {
            if (attempt > 0)
                status(c, "");
            return 0;
        }
        if (rc == 0) {
            uint64_t before = c->st.sends;
            c->errname[0] = '\0';
            rc = exchange(c, method, c->args.data, c->args.size, npairs, result, &retry, &e);
            if (c->st.sends > before) {
                if (sent)
                    c->st.resends++;
                sent = true;
            }
            if (rc == 0) {
                if (attempt > 0)
                    status(c, "");
                return 0;
            }
            if (rc == WMS_ENOT_LOGGED_IN && c->have_creds && !relogged) {
                /* The server lost our session (restart, serial line reset):
                 * hello and login again, then resend. */
                relogged = true;
                transport_close(c);
                continue;
            }
        }
        if (!retry) {
            if (rc == WMS_ETOO_LARGE || rc == WMS_EBAD_FRAME)
                transport_close(c); /* the stream is out of step */
            if (err != NULL)
                *err = e;
            return rc;
        }
        transport_close(c);
        if (attempt >= c->retries)
            return wms_error_set(err, WMS_EIO, "no answer from the server (%d attempts): %s",
                                 attempt + 1, e.msg);
        attempt++;
        char text[64];
        snprintf(text, sizeof(text), "reconnecting... (%d/%d)", attempt, c->retries);
        status(c, text);
        int64_t wait = (int64_t)c->backoff_ms << (attempt - 1 < 16 ? attempt - 1 : 16);
        sleep_ms(wait > CLIENT_BACKOFF_MAX_MS ? CLIENT_BACKOFF_MAX_MS : (int)wait);
    }
}

/* ------------------------------------------------------------------------ */
/* Public calls                                                             */
/* ------------------------------------------------------------------------ */

msgpack_packer *wms_client_begin(wms_client *c, const char *method)
{
    if (c == NULL || method == NULL || method[0] == '\0' ||
        !copy_str(c->method, sizeof(c->method), method))
        return NULL;
    msgpack_sbuffer_clear(&c->args);
    c->begun = true;
    return &c->pk;
}

/* Counts the objects the caller packed into c->args; they must be
 * key/value pairs within the protocol's limits. */
static int count_pairs(wms_client *c, uint32_t *npairs, wms_error *err)
{
    wms_mp_limits lim;
    wms_mp_limits_default(&lim);
    lim.max_bytes = WMS_CLIENT_MAX_RESPONSE;
    size_t off = 0, count = 0;
    const uint8_t *p = (const uint8_t *)c->args.data;
    while (off < c->args.size) {
        size_t len = 0;
        wms_error se;
        int rc = wms_mp_scan(p + off, c->args.size - off, &lim, &len, &se);
        if (rc != 1)
            return wms_error_set(err, rc == WMS_ETOO_LARGE ? WMS_ETOO_LARGE : WMS_EBAD_ARGS,
                                 "the arguments of %s are not valid: %s", c->method,
                                 rc < 0 ? se.msg : "cut short");
        off += len;
        count++;
    }
    if (count % 2 != 0 || count / 2 > 4096)
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "the arguments of %s must be key/value pairs (%zu objects packed)",
                             c->method, count);
    *npairs = (uint32_t)(count / 2);
    return 0;
}

/* After a successful login, keeps user and PIN (strings of the args) for
 * re-login after a reconnect. */
static void remember_creds(wms_client *c)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    char user[sizeof(c->user)] = "", pin[sizeof(c->pin)] = "";
    bool key = true;
    char which = 0;
    while (msgpack_unpack_next(&u, c->args.data, c->args.size, &off) == MSGPACK_UNPACK_SUCCESS) {
        const msgpack_object *o = &u.data;
        if (key) {
            which = obj_str_eq(o, "user") ? 'u' : obj_str_eq(o, "pin") ? 'p' : 0;
        } else if (o->type == MSGPACK_OBJECT_STR && o->via.str.size < sizeof(user)) {
            if (which == 'u')
                obj_str_copy(o, user, sizeof(user), false);
            else if (which == 'p')
                obj_str_copy(o, pin, sizeof(pin), false);
        }
        key = !key;
    }
    msgpack_unpacked_destroy(&u);
    if (user[0] != '\0' && pin[0] != '\0') {
        memcpy(c->user, user, sizeof(user));
        memcpy(c->pin, pin, sizeof(pin));
        c->have_creds = true;
    }
}

int wms_client_call(wms_client *c, msgpack_object *result, wms_error *err)
{
    if (c == NULL || !c->begun)
        return wms_error_set(err, WMS_EBAD_ARGS, "wms_client_call without wms_client_begin");
    c->begun = false;
    c->errname[0] = '\0';
    c->st.calls++;
    uint32_t npairs = 0;
    int rc = count_pairs(c, &npairs, err);
    if (rc < 0)
        return rc;
    rc = call_retry(c, c->method, npairs, result, err);
    if (rc == 0 && strcmp(c->method, "login") == 0)
        remember_creds(c);
    if (rc == 0 && strcmp(c->method, "logout") == 0) {
        memset(c->pin, 0, sizeof(c->pin));
        c->have_creds = false;
    }
    return rc;
}

int wms_client_login(wms_client *c, const char *user, const char *pin, msgpack_object *result,
                     wms_error *err)
{
    if (user == NULL || pin == NULL || strlen(user) > WMS_CLIENT_CRED_MAX ||
        strlen(pin) > WMS_CLIENT_CRED_MAX)
        return wms_error_set(err, WMS_EBAD_ARGS, "user and PIN are required (at most %d bytes)",
                             WMS_CLIENT_CRED_MAX);
    msgpack_packer *pk = wms_client_begin(c, "login");
    if (pk == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no client");
    wms_client_kv_str(pk, "user", user);
    wms_client_kv_str(pk, "pin", pin);
    return wms_client_call(c, result, err);
}

const char *wms_client_error_name(const wms_client *c)
{
    return c != NULL ? c->errname : "";
}

const char *wms_client_server_name(const wms_client *c)
{
    return c != NULL ? c->server : "";
}

void wms_client_get_stats(const wms_client *c, wms_client_stats *out)
{
    if (out == NULL)
        return;
    if (c == NULL)
        memset(out, 0, sizeof(*out));
    else
        *out = c->st;
}

/* ------------------------------------------------------------------------ */
/* Open / close                                                             */
/* ------------------------------------------------------------------------ */

int wms_client_open(const wms_client_opts *o, wms_client **out, wms_error *err)
{
    if (out != NULL)
        *out = NULL;
    if (o == NULL || out == NULL || o->device == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "wms_client_open: options and device needed");
    if (!device_ok(o->device))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "device id \"%.60s\" must be 1-%d of A-Z a-z 0-9 . _ - (not "
                             "starting with a dot)",
                             o->device, WMS_CLIENT_DEVICE_MAX);
    if (o->port < 0 || o->port > 65535 || o->timeout_ms < 0 || o->retries < 0 ||
        o->retries > CLIENT_RETRIES_MAX || o->backoff_ms < 0 ||
        o->max_response > WMS_CLIENT_MAX_RESPONSE)
        return wms_error_set(err, WMS_EBAD_ARGS, "wms_client_open: option out of range");
    if ((o->gs != 0 && ((unsigned char)o->gs < 0x21 || (unsigned char)o->gs > 0x7e)))
        return wms_error_set(err, WMS_EBAD_ARGS, "the GS stand-in must be a printable character");
    wms_client *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return wms_error_set(err, WMS_ENOMEM, NULL);
    c->fd = -1;
    c->lock_fd = -1;
    msgpack_sbuffer_init(&c->args);
    msgpack_sbuffer_init(&c->out);
    msgpack_packer_init(&c->pk, &c->args, msgpack_sbuffer_write);
    msgpack_unpacked_init(&c->res);
    int rc = 0;
    if (!copy_str(c->host, sizeof(c->host), o->host != NULL ? o->host : "127.0.0.1") ||
        !copy_str(c->serial, sizeof(c->serial), o->serial != NULL ? o->serial : "") ||
        !copy_str(c->state_dir, sizeof(c->state_dir), o->state_dir != NULL ? o->state_dir : "") ||
        !copy_str(c->client_name, sizeof(c->client_name),
                  o->client_name != NULL ? o->client_name : "wms-client/1"))
        rc = wms_error_set(err, WMS_EBAD_ARGS, "wms_client_open: an option string is too long");
    memcpy(c->device, o->device, strlen(o->device) + 1);
    c->port = o->port > 0 ? o->port : 7400;
    c->gs = o->gs;
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
    c->retries = o->retries;
    c->backoff_ms = o->backoff_ms > 0 ? o->backoff_ms : 200;
    c->max_response = o->max_response > 0 ? o->max_response : WMS_CLIENT_MAX_RESPONSE;
    c->on_notify = o->on_notify;
    c->notify_ctx = o->notify_ctx;
    c->on_status = o->on_status;
    c->status_ctx = o->status_ctx;
    if (rc == 0) {
        c->rcap = c->max_response + CLIENT_RBUF_SLACK;
        c->rbuf = malloc(c->rcap);
        if (c->rbuf == NULL)
            rc = wms_error_set(err, WMS_ENOMEM, NULL);
    }
    if (rc == 0 && c->state_dir[0] != '\0')
        rc = state_open(c, err);
    if (rc == 0)
        rc = call_retry(c, NULL, 0, NULL, err);
    if (rc < 0) {
        wms_client_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

void wms_client_set_gs(wms_client *c, char gs)
{
    if (c != NULL)
        c->gs = gs;
}

void wms_client_close(wms_client *c)
{
    if (c == NULL)
        return;
    transport_close(c);
    if (c->lock_fd >= 0)
        close(c->lock_fd);
    msgpack_sbuffer_destroy(&c->args);
    msgpack_sbuffer_destroy(&c->out);
    msgpack_unpacked_destroy(&c->res);
    free(c->resbuf);
    free(c->rbuf);
    memset(c->pin, 0, sizeof(c->pin));
    free(c);
}
