/* tcp.c - the TCP transport: accept, read into a shared buffer, queued writes. */
#include "tcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct wms_tcp_server {
    uv_tcp_t listener;
    wms_sink sink;
    wms_transport_limits lim;
};

typedef struct tcp_conn {
    wms_conn base;
    uv_tcp_t handle;
    wms_tcp_server *srv; /* only for the sink and limits (copied below) */
    wms_sink sink;
    wms_transport_limits lim;
    size_t queued;
    int closing;
    int overflowed; /* a send was refused at the queue cap: close drops the queue */
    int paused;     /* reading stopped by conn->vt->pause */
} tcp_conn;

typedef struct tcp_write {
    uv_write_t req;
    size_t n;
    uint8_t data[]; /* the message copy */
} tcp_write;

/* One read buffer for all connections: the loop is single-threaded and
 * data() consumes the bytes before the next read, so an idle connection
 * holds no buffer at all. */
static char read_buf[64 * 1024];
static int read_buf_busy;

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    if (read_buf_busy) {
        *buf = uv_buf_init(NULL, 0); /* libuv reports UV_ENOBUFS; retried later */
        return;
    }
    read_buf_busy = 1;
    *buf = uv_buf_init(read_buf, sizeof(read_buf));
}

static void on_closed(uv_handle_t *h)
{
    tcp_conn *c = h->data;
    if (c->sink.closed != NULL && c->base.session != NULL)
        c->sink.closed(c->base.session);
    free(c);
}

static void conn_close_now(tcp_conn *c)
{
    if (uv_is_closing((uv_handle_t *)&c->handle))
        return;
    c->closing = 1;
    uv_close((uv_handle_t *)&c->handle, on_closed);
}

static void tcp_close(wms_conn *base, const char *why);

static void tcp_close(wms_conn *base, const char *why)
{
    tcp_conn *c = (tcp_conn *)base;
    uv_read_stop((uv_stream_t *)&c->handle);
    c->closing = 1;
    /* Flush what is queued (e.g. a BAD_FRAME notice) first, unless forced
     * (why == NULL) or a send overflowed the cap (a peer that never reads).
     * Fix: tcp_send never lets queued pass the cap, so the former test
     * `queued > max_queued` never held and a non-reading peer kept its
     * connection and up to max_queued bytes of output forever. */
    if (why == NULL || c->queued == 0 || c->overflowed)
        conn_close_now(c);
}

static void on_written(uv_write_t *req, int status)
{
    tcp_write *w = (tcp_write *)req;
    tcp_conn *c = req->handle->data;
    c->queued -= w->n;
    if (c->lim.queued_total != NULL)
        *c->lim.queued_total -= w->n;
    free(w);
    if ((status < 0 && status != UV_ECANCELED) || (c->closing && c->queued == 0))
        conn_close_now(c);
}

static int tcp_send(wms_conn *base, const uint8_t *msg, size_t n)
{
    tcp_conn *c = (tcp_conn *)base;
    if (uv_is_closing((uv_handle_t *)&c->handle))
        return WMS_EIO;
    if (n > c->lim.max_message || c->queued + n > c->lim.max_queued) {
        if (c->queued + n > c->lim.max_queued)
            c->overflowed = 1;
        return WMS_ETOO_LARGE;
    }
    tcp_write *w = malloc(sizeof(*w) + n);
    if (w == NULL)
        return WMS_ENOMEM;
    w->n = n;
    memcpy(w->data, msg, n);
    uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)n);
    int rc = uv_write(&w->req, (uv_stream_t *)&c->handle, &b, 1, on_written);
    if (rc < 0) {
        free(w);
        return WMS_EIO;
    }
    c->queued += n;
    if (c->lim.queued_total != NULL)
        *c->lim.queued_total += n;
    return 0;
}

static size_t tcp_queued(const wms_conn *base)
{
    return ((const tcp_conn *)base)->queued;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

/* Stops or resumes reading (a closing connection never reads again). */
static void tcp_pause(wms_conn *base, int paused)
{
    tcp_conn *c = (tcp_conn *)base;
    if (c->paused == !!paused)
        return;
    c->paused = !!paused;
    if (c->closing || uv_is_closing((uv_handle_t *)&c->handle))
        return;
    if (paused)
        uv_read_stop((uv_stream_t *)&c->handle);
    else
        uv_read_start((uv_stream_t *)&c->handle, on_alloc, on_read);
}

static const wms_conn_vt tcp_vt = {tcp_send, tcp_close, tcp_queued, tcp_pause};

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    tcp_conn *c = s->data;
    if (buf->base == read_buf)
        read_buf_busy = 0;
    if (nread > 0) {
        if (!c->closing &&
            c->sink.data(c->base.session, (const uint8_t *)buf->base, (size_t)nread) < 0)
            tcp_close(&c->base, "session asked to close");
    } else if (nread < 0 && nread != UV_ENOBUFS) {
        conn_close_now(c); /* EOF or error */
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    wms_tcp_server *t = server->data;
    if (status < 0)
        return;
    tcp_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return;
    c->base.vt = &tcp_vt;
    snprintf(c->base.kind, sizeof(c->base.kind), "tcp");
    c->sink = t->sink;
    c->lim = t->lim;
    uv_tcp_init(server->loop, &c->handle);
    c->handle.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->handle) != 0) {
        uv_close((uv_handle_t *)&c->handle, on_closed);
        return;
    }
    uv_tcp_nodelay(&c->handle, 1);
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getpeername(&c->handle, (struct sockaddr *)&ss, &len) == 0) {
        char ip[48] = "?";
        int port = 0;
        if (ss.ss_family == AF_INET) {
            uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof(ip));
            port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof(ip));
            port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        }
        snprintf(c->base.peer, sizeof(c->base.peer), "%s:%d", ip, port);
    }
    c->base.session = c->sink.open(c->sink.ctx, &c->base);
    if (c->base.session == NULL) {
        tcp_close(&c->base, "refused");
        return;
    }
    if (!c->paused) /* the session may have paused it from open() */
        uv_read_start((uv_stream_t *)&c->handle, on_alloc, on_read);
}

/* Splits "host:port" / "[v6]:port". */
static int parse_addr(const char *addr, struct sockaddr_storage *ss)
{
    char host[128];
    const char *colon = strrchr(addr, ':');
    if (colon == NULL || (size_t)(colon - addr) >= sizeof(host))
        return -1;
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || end == colon + 1)
        return -1;
    if (host[0] == '[') {
        size_t hl = strlen(host);
        if (hl < 2 || host[hl - 1] != ']')
            return -1;
        host[hl - 1] = '\0';
        return uv_ip6_addr(host + 1, (int)port, (struct sockaddr_in6 *)ss);
    }
    return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss);
}

int wms_tcp_listen(uv_loop_t *loop, const char *addr, const wms_sink *sink,
                   const wms_transport_limits *limits, wms_tcp_server **out, wms_error *err)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    if (addr == NULL || parse_addr(addr, &ss) != 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "listen address '%s' is not host:port",
                             addr ? addr : "");
    wms_tcp_server *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return wms_error_set(err, WMS_ENOMEM, NULL);
    t->sink = *sink;
    t->lim = *limits;
    uv_tcp_init(loop, &t->listener);
    t->listener.data = t;
    int rc = uv_tcp_bind(&t->listener, (const struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&t->listener, 1024, on_connection);
    if (rc != 0) {
        wms_error_set(err, WMS_EIO, "cannot listen on %s: %s", addr, uv_strerror(rc));
        wms_tcp_close(t);
        return WMS_EIO;
    }
    *out = t;
    return 0;
}

static void on_listener_closed(uv_handle_t *h)
{
    free(h->data);
}

void wms_tcp_close(wms_tcp_server *t)
{
    if (t != NULL)
        uv_close((uv_handle_t *)&t->listener, on_listener_closed);
}

int wms_tcp_port(const wms_tcp_server *t)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getsockname(&t->listener, (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}
