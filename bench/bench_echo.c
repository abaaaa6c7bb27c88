/*
 * bench_echo.c - the floor for a durable server on this machine: a bare
 * libuv MessagePack-RPC server that makes every request durable before it
 * answers, and does nothing else.
 *
 *   bench_echo --log FILE [--listen 127.0.0.1:0] [--max-connections N]
 *              [--log-cap BYTES]
 *
 * Each request [0, msgid, method, params] read from a connection is
 * appended to an in-memory batch as a record (length + the request's
 * bytes), and its response [1, msgid, nil, {"ok": true}] is queued on the
 * connection.  Once per loop turn (a uv_check handle, after all reads of
 * the turn), when the turn had requests: one pwrite of the batch to FILE,
 * one fsync, then every queued response is sent.  So nothing is answered
 * before it is on disk, as in wmsd, and one fsync covers every request
 * that arrived in the same turn (group commit with no database, no
 * session, no argument checks).  The fsync runs on the loop thread: while
 * it runs, nothing is read.  FILE wraps around at --log-cap bytes (default
 * 64 MiB), so it stops growing after the first lap.
 *
 * It answers any method, hello and login included, so bench_wmsd drives it
 * unchanged.  A stream that is not MessagePack-RPC requests is closed.
 * One read buffer is shared by all connections (as in wmsd's transport);
 * an idle connection holds only its libuv handle and a small struct.
 *
 * Prints "listening on port N" on stdout once listening; stops on SIGINT
 * or SIGTERM after making the current batch durable and answering it, and
 * prints its counts on stderr.  Exit 0, or 1 when the log cannot be
 * written or synced, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <msgpack.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#define READ_BUF (64 * 1024)
#define MSG_CAP ((size_t)1 << 20)    /* largest request accepted */
#define OUT_CAP ((size_t)4 << 20)    /* unsent response bytes per connection */
#define BATCH_CAP ((size_t)16 << 20) /* a turn's records: made durable early past this */

typedef struct echo_conn {
    uv_tcp_t h;
    char *part; /* an incomplete request carried to the next read */
    size_t part_len, part_cap;
    msgpack_sbuffer out; /* responses waiting for the turn's fsync */
    struct echo_conn *next_pending;
    int pending; /* on the pending list */
    int closing;
} echo_conn;

typedef struct echo_write {
    uv_write_t req;
    char data[];
} echo_write;

static struct {
    uv_loop_t *loop;
    uv_tcp_t listener;
    uv_check_t check;
    uv_signal_t sigint, sigterm;
    int log_fd;
    off_t log_off;
    size_t log_cap;
    char *batch; /* records of this turn */
    size_t batch_len, batch_cap;
    echo_conn *pending;
    msgpack_unpacked msg;
    int nconns, max_conns, peak_conns;
    unsigned long long requests, fsyncs, refused;
    int failed;
} E = {.log_fd = -1, .log_cap = (size_t)64 << 20, .max_conns = 20000};

static char read_buf[READ_BUF];

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_echo: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* ---- connections --------------------------------------------------------- */

static void on_closed(uv_handle_t *h)
{
    echo_conn *c = h->data;
    free(c->part);
    msgpack_sbuffer_destroy(&c->out);
    free(c);
    E.nconns--;
}

/* Closes c; a pending c stays on the list (skipped) until the turn ends,
 * and is freed after that by libuv's close phase. */
static void conn_close(echo_conn *c)
{
    if (c->closing)
        return;
    c->closing = 1;
    uv_close((uv_handle_t *)&c->h, on_closed);
}

static void on_written(uv_write_t *req, int status)
{
    echo_write *w = (echo_write *)req;
    if (status < 0 && status != UV_ECANCELED)
        conn_close(req->handle->data);
    free(w);
}

/* Sends c's queued responses: as much as the kernel takes now, the rest
 * through uv_write with a copy.  Frees the queue. */
static void conn_send(echo_conn *c)
{
    size_t n = c->out.size, off = 0;
    if (n > 0 && uv_stream_get_write_queue_size((uv_stream_t *)&c->h) == 0) {
        uv_buf_t b = uv_buf_init(c->out.data, (unsigned)n);
        int r = uv_try_write((uv_stream_t *)&c->h, &b, 1);
        if (r > 0)
            off = (size_t)r;
        else if (r != UV_EAGAIN) {
            conn_close(c);
            goto done;
        }
    }
    if (off < n) {
        echo_write *w = malloc(sizeof(*w) + (n - off));
        if (w == NULL) {
            conn_close(c);
            goto done;
        }
        memcpy(w->data, c->out.data + off, n - off);
        uv_buf_t b = uv_buf_init(w->data, (unsigned)(n - off));
        if (uv_write(&w->req, (uv_stream_t *)&c->h, &b, 1, on_written) < 0) {
            free(w);
            conn_close(c);
        }
    }
done:
    msgpack_sbuffer_destroy(&c->out);
    msgpack_sbuffer_init(&c->out);
}

/* ---- the durable turn -------------------------------------------------------- */

/* Makes the batch durable (one pwrite, one fsync), then answers every
 * pending connection.  Sets E.failed and stops the loop when the log
 * cannot be written: nothing is answered then. */
static void turn_commit(void)
{
    if (E.batch_len == 0)
        return;
    if (E.log_off + (off_t)E.batch_len > (off_t)E.log_cap)
        E.log_off = 0;
    size_t done = 0;
    while (done < E.batch_len) {
        ssize_t w = pwrite(E.log_fd, E.batch + done, E.batch_len - done, E.log_off + (off_t)done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "bench_echo: write: %s\n", strerror(errno));
            E.failed = 1;
            uv_stop(E.loop);
            return;
        }
        done += (size_t)w;
    }
    if (fsync(E.log_fd) < 0) {
        fprintf(stderr, "bench_echo: fsync: %s\n", strerror(errno));
        E.failed = 1;
        uv_stop(E.loop);
        return;
    }
    E.fsyncs++;
    E.log_off += (off_t)E.batch_len;
    E.batch_len = 0;
    while (E.pending != NULL) {
        echo_conn *c = E.pending;
        E.pending = c->next_pending;
        c->next_pending = NULL;
        c->pending = 0;
        if (!c->closing)
            conn_send(c);
    }
}

static void on_check(uv_check_t *h)
{
    (void)h;
    turn_commit();
}

/* Appends one record (4-byte length, the request's bytes) to the batch. */
static int batch_add(const char *p, size_t n)
{
    if (E.batch_len + n + 4 > E.batch_cap) {
        size_t cap = E.batch_cap ? E.batch_cap : 65536;
        while (cap < E.batch_len + n + 4)
            cap *= 2;
        char *b = realloc(E.batch, cap);
        if (b == NULL)
            return -1;
        E.batch = b;
        E.batch_cap = cap;
    }
    uint32_t len = (uint32_t)n;
    memcpy(E.batch + E.batch_len, &len, 4);
    memcpy(E.batch + E.batch_len + 4, p, n);
    E.batch_len += n + 4;
    return 0;
}

/* One complete message m (raw bytes p[0..n)) from c: logs it and queues
 * its response.  Returns -1 when c must be closed. */
static int on_request(echo_conn *c, const msgpack_object *m, const char *p, size_t n)
{
    if (m->type != MSGPACK_OBJECT_ARRAY || m->via.array.size != 4)
        return -1;
    const msgpack_object *a = m->via.array.ptr;
    if (a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[0].via.u64 != 0 ||
        a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER || a[1].via.u64 > UINT32_MAX ||
        a[2].type != MSGPACK_OBJECT_STR)
        return -1;
    if (c->out.size > OUT_CAP || batch_add(p, n) < 0)
        return -1;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &c->out, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 4);
    msgpack_pack_int(&pk, 1);
    msgpack_pack_uint32(&pk, (uint32_t)a[1].via.u64);
    msgpack_pack_nil(&pk);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_str(&pk, 2);
    msgpack_pack_str_body(&pk, "ok", 2);
    msgpack_pack_true(&pk);
    E.requests++;
    if (!c->pending) {
        c->pending = 1;
        c->next_pending = E.pending;
        E.pending = c;
    }
    if (E.batch_len > BATCH_CAP)
        turn_commit();
    return 0;
}

/* Handles every complete message in p[0..n); keeps the incomplete tail in
 * c->part.  Returns -1 when c must be closed. */
static int conn_parse(echo_conn *c, const char *p, size_t n)
{
    size_t off = 0;
    for (;;) {
        size_t start = off;
        msgpack_unpack_return r = msgpack_unpack_next(&E.msg, p, n, &off);
        if (r == MSGPACK_UNPACK_SUCCESS) {
            if (on_request(c, &E.msg.data, p + start, off - start) < 0)
                return -1;
            continue;
        }
        if (r == MSGPACK_UNPACK_CONTINUE) {
            size_t rest = n - start;
            if (rest == 0) { /* nothing carried over */
                free(c->part);
                c->part = NULL;
                c->part_len = c->part_cap = 0;
                return 0;
            }
            if (rest > MSG_CAP)
                return -1;
            if (rest > c->part_cap) {
                char *q = malloc(rest);
                if (q == NULL)
                    return -1;
                free(c->part);
                c->part = q;
                c->part_cap = rest;
            }
            memmove(c->part, p + start, rest); /* p may be c->part itself */
            c->part_len = rest;
            return 0;
        }
        return -1; /* parse error or out of memory */
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    *buf = uv_buf_init(read_buf, sizeof(read_buf));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    echo_conn *c = s->data;
    if (nread < 0) {
        conn_close(c);
        return;
    }
    if (nread == 0 || c->closing)
        return;
    const char *p = buf->base;
    size_t n = (size_t)nread;
    if (c->part_len > 0) { /* join the carried tail and the new bytes */
        if (c->part_len + n > MSG_CAP) {
            conn_close(c);
            return;
        }
        if (c->part_len + n > c->part_cap) {
            char *q = realloc(c->part, c->part_len + n);
            if (q == NULL) {
                conn_close(c);
                return;
            }
            c->part = q;
            c->part_cap = c->part_len + n;
        }
        memcpy(c->part + c->part_len, p, n);
        p = c->part;
        n = c->part_len + n;
        c->part_len = 0;
    }
    if (conn_parse(c, p, n) < 0)
        conn_close(c);
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    echo_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return;
    msgpack_sbuffer_init(&c->out);
    uv_tcp_init(E.loop, &c->h);
    c->h.data = c;
    E.nconns++;
    if (uv_accept(server, (uv_stream_t *)&c->h) < 0 || E.nconns > E.max_conns) {
        E.refused++;
        conn_close(c);
        return;
    }
    if (E.nconns > E.peak_conns)
        E.peak_conns = E.nconns;
    uv_tcp_nodelay(&c->h, 1);
    if (uv_read_start((uv_stream_t *)&c->h, on_alloc, on_read) < 0)
        conn_close(c);
}

/* ---- start and stop -------------------------------------------------------- */

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (uv_is_closing(h))
        return;
    if (h->type == UV_TCP && h != (uv_handle_t *)&E.listener)
        conn_close(h->data);
    else
        uv_close(h, NULL);
}

static void on_signal(uv_signal_t *s, int signum)
{
    (void)s;
    (void)signum;
    turn_commit(); /* what was read is made durable and answered */
    uv_walk(E.loop, close_walk, NULL);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_echo --log FILE [--listen HOST:PORT] [--max-connections N] "
                    "[--log-cap BYTES]\n");
    exit(2);
}

static long long num_arg(const char *v, long long min, long long max)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < min || x > max)
        usage();
    return x;
}

/* Raises the open-file limit to its hard limit (each connection is one). */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)E.max_conns)
        fprintf(stderr,
                "bench_echo: note: the open-file limit %llu allows fewer than %d "
                "connections (ulimit -Hn)\n",
                (unsigned long long)rl.rlim_cur, E.max_conns);
}

int main(int argc, char **argv)
{
    const char *listen = "127.0.0.1:0", *log_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        const char *a = argv[i], *v = argv[++i];
        if (!strcmp(a, "--listen"))
            listen = v;
        else if (!strcmp(a, "--log"))
            log_path = v;
        else if (!strcmp(a, "--max-connections"))
            E.max_conns = (int)num_arg(v, 1, 1000000);
        else if (!strcmp(a, "--log-cap"))
            E.log_cap = (size_t)num_arg(v, 1 << 20, 1LL << 34);
        else
            usage();
    }
    if (log_path == NULL)
        usage();
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
        usage();
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    int port = (int)num_arg(colon + 1, 0, 65535);
    raise_nofile();
    signal(SIGPIPE, SIG_IGN);

    E.log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (E.log_fd < 0)
        fatal("%s: %s", log_path, strerror(errno));
    E.loop = uv_default_loop();
    msgpack_unpacked_init(&E.msg);
    struct sockaddr_in addr;
    int rc;
    if ((rc = uv_ip4_addr(host, port, &addr)) < 0)
        fatal("%s: %s", listen, uv_strerror(rc));
    uv_tcp_init(E.loop, &E.listener);
    if ((rc = uv_tcp_bind(&E.listener, (const struct sockaddr *)&addr, 0)) < 0 ||
        (rc = uv_listen((uv_stream_t *)&E.listener, 1024, on_connection)) < 0)
        fatal("listen %s: %s", listen, uv_strerror(rc));
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    uv_tcp_getsockname(&E.listener, (struct sockaddr *)&ss, &len);
    uv_check_init(E.loop, &E.check);
    uv_check_start(&E.check, on_check);
    uv_signal_init(E.loop, &E.sigint);
    uv_signal_start(&E.sigint, on_signal, SIGINT);
    uv_signal_init(E.loop, &E.sigterm);
    uv_signal_start(&E.sigterm, on_signal, SIGTERM);
    printf("listening on port %d\n", ntohs(((struct sockaddr_in *)&ss)->sin_port));
    fflush(stdout);

    uv_run(E.loop, UV_RUN_DEFAULT);
    if (E.failed) { /* stopped early: close what is left */
        uv_walk(E.loop, close_walk, NULL);
        uv_run(E.loop, UV_RUN_DEFAULT);
    }
    fprintf(stderr,
            "bench_echo: %llu requests, %llu fsyncs (%.1f requests per fsync), %d connections at "
            "most, %llu refused\n",
            E.requests, E.fsyncs, E.fsyncs ? (double)E.requests / (double)E.fsyncs : 0.0,
            E.peak_conns, E.refused);
    uv_loop_close(E.loop);
    msgpack_unpacked_destroy(&E.msg);
    free(E.batch);
    close(E.log_fd);
    return E.failed ? 1 : 0;
}
