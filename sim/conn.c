/* conn.c - a virtual handheld's connection: TCP or serial, txn resends. */
#include "conn.h"

#include "frame.h"
#include "mpguard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RBUF_CAP ((size_t)(1u << 20) + 65536) /* one whole response plus slack */
#define WQ_CAP ((size_t)64 << 10)             /* unsent serial bytes */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000
#define MSG_MAX ((size_t)1 << 20)

/* ---- time ---- */

uint64_t sim_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double sim_clock_now(const sim_clock *c)
{
    return (double)(sim_now_ns() - c->t0_ns) / 1e9 * c->speed;
}

uint64_t sim_clock_real_ms(const sim_clock *c, double sim_s)
{
    double ms = sim_s / c->speed * 1000.0;
    return ms <= 0 ? 0 : (uint64_t)(ms + 0.5);
}

/* ---- argument maps ---- */

void sim_pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

void sim_args_init(sim_args *a)
{
    msgpack_sbuffer_init(&a->buf);
    msgpack_packer_init(&a->pk, &a->buf, msgpack_sbuffer_write);
    a->n = 0;
}

void sim_args_free(sim_args *a)
{
    msgpack_sbuffer_destroy(&a->buf);
}

msgpack_packer *sim_args_key(sim_args *a, const char *key)
{
    sim_pack_str(&a->pk, key);
    a->n++;
    return &a->pk;
}

void sim_args_str(sim_args *a, const char *key, const char *val)
{
    sim_pack_str(sim_args_key(a, key), val);
}

void sim_args_int(sim_args *a, const char *key, int64_t val)
{
    msgpack_pack_int64(sim_args_key(a, key), val);
}

void sim_args_bool(sim_args *a, const char *key, int val)
{
    msgpack_packer *pk = sim_args_key(a, key);
    if (val)
        msgpack_pack_true(pk);
    else
        msgpack_pack_false(pk);
}

/* ---- the connection ---- */

enum { ST_DOWN, ST_CONNECTING, ST_HELLO, ST_LOGIN, ST_READY };
enum { T_NONE, T_BACKOFF, T_TIMEOUT };

typedef struct tcp_handle {
    uv_tcp_t tcp;
    uv_connect_t req;
    sim_conn *owner; /* NULL once abandoned */
} tcp_handle;

struct sim_conn {
    uv_loop_t *loop;
    const sim_clock *clock;
    sim_metrics *metrics;
    char host[64];
    int port;
    int serial_fd;
    char device[SIM_DEVICE_MAX + 1], user[33], pin[13];
    int timeout_ms;
    double serial_corrupt;
    sim_rng frng;

    int state;
    int wanted; /* a session is wanted (started) */
    int closing;
    int pending_closes;
    tcp_handle *tcp;
    uv_poll_t poll;
    int poll_events;
    uv_timer_t timer;
    int timer_kind;
    int backoff_ms;

    uint8_t *rbuf;
    size_t rlen;
    uint8_t *decbuf;
    wms_frame_decoder dec;
    uint8_t *wq;
    size_t wqlen;

    uint32_t next_msgid;
    uint32_t sess_msgid;
    uint64_t sess_t0;
    uint64_t txn_counter;
    uint64_t txn_base; /* the counter when this run began (earlier txns are not ours) */
    int txn_known;

    struct {
        int active;
        char method[33];
        char txn[SIM_TXN_MAX];
        msgpack_sbuffer req;
        uint32_t msgid;
        uint64_t t0_ns;
        int sends;
        int on_wire; /* sent on the current session, answer awaited */
        sim_conn_faults f;
        int discard; /* serial drop fault: lose the next answer */
        sim_reply_cb cb;
        void *ctx;
    } call;

    sim_reply_cb start_cb;
    void *start_ctx;

    uint32_t dup_msgid;
    int dup_wait; /* 2: no answer yet, 1: first answer kept */
    msgpack_sbuffer dup_first;

    sim_conn_stats st;
};

static void conn_fail(sim_conn *c, const char *why);
static void session_begin(sim_conn *c);
static void call_send(sim_conn *c);

static void timer_cb(uv_timer_t *t);

static void timer_set(sim_conn *c, int kind, uint64_t ms)
{
    c->timer_kind = kind;
    uv_timer_start(&c->timer, timer_cb, ms, 0);
}

static void timer_clear(sim_conn *c)
{
    c->timer_kind = T_NONE;
    uv_timer_stop(&c->timer);
}

/* Records a call's outcome in the metrics. */
static void record(sim_conn *c, const char *method, uint64_t t0, const char *code)
{
    double lat = (double)(sim_now_ns() - t0) / 1e6;
    sim_metrics_call(c->metrics, sim_clock_now(c->clock), method, lat, code);
}

/* ---- output ---- */

static void tcp_write_cb(uv_write_t *req, int status)
{
    (void)status; /* a failed write shows up as a read error / EOF */
    free(req);
}

static void serial_flush(sim_conn *c);

static void poll_cb(uv_poll_t *h, int status, int events);

static void poll_update(sim_conn *c)
{
    if (c->closing || c->serial_fd < 0)
        return;
    int ev = UV_READABLE | (c->wqlen > 0 ? UV_WRITABLE : 0);
    if (ev != c->poll_events) {
        c->poll_events = ev;
        uv_poll_start(&c->poll, ev, poll_cb);
    }
}

static void serial_flush(sim_conn *c)
{
    while (c->wqlen > 0) {
        ssize_t n = write(c->serial_fd, c->wq, c->wqlen);
        if (n > 0) {
            memmove(c->wq, c->wq + n, c->wqlen - (size_t)n);
            c->wqlen -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        break; /* EAGAIN: wait for UV_WRITABLE; errors: the resend recovers */
    }
    poll_update(c);
}

/* Writes one message.  Returns 0, or <0 when the connection is gone. */
static int send_msg(sim_conn *c, const uint8_t *msg, size_t n)
{
    if (c->serial_fd >= 0) {
        size_t need = 1 + wms_frame_max_encoded(n);
        if (c->wqlen + need > WQ_CAP)
            c->wqlen = 0; /* the line is not draining: old resends go */
        if (c->wqlen + need > WQ_CAP)
            return WMS_ETOO_LARGE;
        uint8_t *p = c->wq + c->wqlen;
        p[0] = 0x00; /* flushes line noise out of the receiver's decoder */
        int fl = wms_frame_encode(msg, n, p + 1, WQ_CAP - c->wqlen - 1);
        if (fl < 0)
            return fl;
        if (c->serial_corrupt > 0 && sim_rng_unit(&c->frng) < c->serial_corrupt) {
            /* Flip one byte inside the frame: the CRC (or COBS) fails. */
            size_t at = 1 + (size_t)sim_rng_below(&c->frng, fl > 1 ? fl - 1 : 1);
            p[at] ^= 0x5A;
            if (p[at] == 0)
                p[at] = 0x01;
            c->st.corrupt_injected++;
            sim_metrics_fault(c->metrics, "serial_corrupt");
        }
        c->wqlen += (size_t)fl + 1;
        serial_flush(c);
        return 0;
    }
    if (c->tcp == NULL)
        return WMS_EIO;
    uv_buf_t b = uv_buf_init((char *)msg, (unsigned)n);
    int w = uv_try_write((uv_stream_t *)&c->tcp->tcp, &b, 1);
    if (w == (int)n)
        return 0;
    if (w < 0 && w != UV_EAGAIN)
        return WMS_EIO;
    size_t done = w > 0 ? (size_t)w : 0;
    uv_write_t *req = malloc(sizeof(*req) + n - done);
    if (req == NULL)
        return WMS_ENOMEM;
    memcpy(req + 1, msg + done, n - done);
    uv_buf_t rest = uv_buf_init((char *)(req + 1), (unsigned)(n - done));
    if (uv_write(req, (uv_stream_t *)&c->tcp->tcp, &rest, 1, tcp_write_cb) < 0) {
        free(req);
        return WMS_EIO;
    }
    return 0;
}

/* Packs [0, msgid, method, [map]] with the map's pairs from `body`. */
static void build_request(msgpack_sbuffer *out, uint32_t msgid, const char *method,
                          const char *body, size_t body_len, uint32_t pairs)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 4);
    msgpack_pack_int(&pk, 0);
    msgpack_pack_uint32(&pk, msgid);
    sim_pack_str(&pk, method);
    msgpack_pack_array(&pk, 1);
    msgpack_pack_map(&pk, pairs);
    if (body_len > 0)
        msgpack_sbuffer_write(out, body, body_len);
}

static uint32_t msgid_next(sim_conn *c)
{
    if (++c->next_msgid == 0)
        c->next_msgid = 1;
    return c->next_msgid;
}

/* ---- session: hello, login ---- */

static void send_session_msg(sim_conn *c, const char *method)
{
    sim_args a;
    sim_args_init(&a);
    if (!strcmp(method, "hello")) {
        sim_args_str(&a, "device", c->device);
        sim_args_int(&a, "proto", 1);
        sim_args_str(&a, "client", "wms-sim/1");
    } else {
        sim_args_str(&a, "user", c->user);
        sim_args_str(&a, "pin", c->pin);
    }
    msgpack_sbuffer req;
    msgpack_sbuffer_init(&req);
    c->sess_msgid = msgid_next(c);
    build_request(&req, c->sess_msgid, method, a.buf.data, a.buf.size, a.n);
    sim_args_free(&a);
    c->sess_t0 = sim_now_ns();
    int rc = send_msg(c, (const uint8_t *)req.data, req.size);
    msgpack_sbuffer_destroy(&req);
    if (rc < 0) {
        conn_fail(c, "write failed");
        return;
    }
    timer_set(c, T_TIMEOUT, (uint64_t)c->timeout_ms);
}

static void session_begin(sim_conn *c)
{
    c->state = ST_HELLO;
    c->call.on_wire = 0;
    send_session_msg(c, "hello");
}

static void copy_err(const msgpack_object *e, char *code, size_t cn, char *msg, size_t mn)
{
    code[0] = msg[0] = '\0';
    for (uint32_t i = 0; e->type == MSGPACK_OBJECT_MAP && i < e->via.map.size; i++) {
        const msgpack_object_kv *kv = &e->via.map.ptr[i];
        if (kv->key.type != MSGPACK_OBJECT_STR || kv->val.type != MSGPACK_OBJECT_STR)
            continue;
        const msgpack_object_str *k = &kv->key.via.str, *v = &kv->val.via.str;
        if (k->size == 4 && !memcmp(k->ptr, "code", 4))
            snprintf(code, cn, "%.*s", (int)v->size, v->ptr);
        else if (k->size == 7 && !memcmp(k->ptr, "message", 7))
            snprintf(msg, mn, "%.*s", (int)v->size, v->ptr);
    }
    if (code[0] == '\0')
        snprintf(code, cn, "UNKNOWN_ERROR");
}

static const msgpack_object *map_find(const msgpack_object *m, const char *key)
{
    size_t kl = strlen(key);
    for (uint32_t i = 0; m && m->type == MSGPACK_OBJECT_MAP && i < m->via.map.size; i++) {
        const msgpack_object_kv *kv = &m->via.map.ptr[i];
        if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == kl &&
            !memcmp(kv->key.via.str.ptr, key, kl))
            return &kv->val;
    }
    return NULL;
}

static void session_reply(sim_conn *c, const msgpack_object *err, const msgpack_object *res)
{
    timer_clear(c);
    int hello = c->state == ST_HELLO;
    char code[48], msg[256];
    if (err->type != MSGPACK_OBJECT_NIL) {
        copy_err(err, code, sizeof(code), msg, sizeof(msg));
        record(c, hello ? "hello" : "login", c->sess_t0, code);
        if (!hello && (!strcmp(code, "AUTH_FAILED") || !strcmp(code, "USER_DISABLED"))) {
            c->wanted = 0;
            c->state = ST_DOWN;
            if (c->start_cb != NULL) {
                sim_reply r = {.ok = 0, .sends = 1};
                snprintf(r.code, sizeof(r.code), "%s", code);
                snprintf(r.message, sizeof(r.message), "%s", msg);
                sim_reply_cb cb = c->start_cb;
                c->start_cb = NULL;
                cb(c->start_ctx, &r);
            }
            return;
        }
        conn_fail(c, code); /* LOCKED_OUT, SHUTTING_DOWN, ...: later */
        return;
    }
    record(c, hello ? "hello" : "login", c->sess_t0, NULL);
    if (hello) {
        const msgpack_object *resume = map_find(res, "resume");
        const msgpack_object *last = map_find(resume, "last_txn");
        if (!c->txn_known && last != NULL && last->type == MSGPACK_OBJECT_STR) {
            size_t dl = strlen(c->device);
            if (last->via.str.size > dl + 1 && !memcmp(last->via.str.ptr, c->device, dl) &&
                last->via.str.ptr[dl] == '-') {
                char num[24];
                snprintf(num, sizeof(num), "%.*s", (int)(last->via.str.size - dl - 1),
                         last->via.str.ptr + dl + 1);
                c->txn_counter = strtoull(num, NULL, 10);
            }
        }
        if (!c->txn_known)
            c->txn_base = c->txn_counter;
        c->txn_known = 1;
        c->state = ST_LOGIN;
        send_session_msg(c, "login");
        return;
    }
    c->state = ST_READY;
    c->backoff_ms = 0;
    if (c->start_cb != NULL) {
        sim_reply r = {.ok = 1, .sends = 1};
        sim_reply_cb cb = c->start_cb;
        c->start_cb = NULL;
        cb(c->start_ctx, &r);
    }
    if (c->call.active && !c->call.on_wire && c->state == ST_READY)
        call_send(c);
}

/* ---- the call ---- */

static void call_send(sim_conn *c)
{
    int first = c->call.sends == 0;
    if (first)
        c->call.t0_ns = sim_now_ns();
    else
        c->st.resends++;
    c->call.sends++;
    c->st.sends++;
    c->call.on_wire = 1;
    const uint8_t *p = (const uint8_t *)c->call.req.data;
    size_t n = c->call.req.size;
    if (send_msg(c, p, n) < 0) {
        conn_fail(c, "write failed");
        return;
    }
    if (first && c->call.f.dup) {
        c->st.dups_injected++;
        sim_metrics_fault(c->metrics, "dup_frame");
        c->dup_msgid = c->call.msgid;
        c->dup_wait = 2;
        msgpack_sbuffer_clear(&c->dup_first);
        if (send_msg(c, p, n) < 0) {
            conn_fail(c, "write failed");
            return;
        }
    }
    timer_set(c, T_TIMEOUT, (uint64_t)c->timeout_ms);
    if (first && c->call.f.drop) {
        c->st.drops_injected++;
        sim_metrics_fault(c->metrics, "drop");
        if (c->serial_fd >= 0)
            c->call.discard = 1; /* the answer is lost on the line */
        else
            conn_fail(c, "injected drop");
    }
}

static int transient(const char *code)
{
    static const char *const t[] = {"BUSY", "STORAGE", "IO", "DISK_FULL", "NOMEM", "SHUTTING_DOWN"};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (!strcmp(code, t[i]))
            return 1;
    return 0;
}

static void call_reply(sim_conn *c, const msgpack_object *err, const msgpack_object *res)
{
    char code[48] = "", msg[256] = "";
    if (err->type != MSGPACK_OBJECT_NIL) {
        copy_err(err, code, sizeof(code), msg, sizeof(msg));
        if (transient(code)) {
            /* Nothing happened: retry the same request after a pause. */
            c->st.transient++;
            c->call.on_wire = 0;
            timer_set(c, T_BACKOFF, BACKOFF_MIN_MS * 2);
            return;
        }
        if (!strcmp(code, "NOT_LOGGED_IN")) {
            /* The server lost the session (restart): log in again, resend. */
            c->st.relogins++;
            timer_clear(c);
            session_begin(c);
            return;
        }
    }
    timer_clear(c);
    sim_reply r = {.ok = code[0] == '\0', .result = code[0] ? NULL : res, .sends = c->call.sends};
    snprintf(r.method, sizeof(r.method), "%s", c->call.method);
    snprintf(r.txn, sizeof(r.txn), "%s", c->call.txn);
    snprintf(r.code, sizeof(r.code), "%s", code);
    snprintf(r.message, sizeof(r.message), "%s", msg);
    r.latency_ms = (double)(sim_now_ns() - c->call.t0_ns) / 1e6;
    sim_metrics_call(c->metrics, sim_clock_now(c->clock), c->call.method, r.latency_ms,
                     code[0] ? code : NULL);
    sim_reply_cb cb = c->call.cb;
    void *ctx = c->call.ctx;
    c->call.active = 0;
    c->call.on_wire = 0;
    c->call.txn[0] = '\0';
    c->call.method[0] = '\0';
    cb(ctx, &r);
}

/* One whole message from the server. */
static void on_message(sim_conn *c, const uint8_t *p, size_t n)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    size_t off = 0;
    if (msgpack_unpack_next(&u, (const char *)p, n, &off) != MSGPACK_UNPACK_SUCCESS) {
        msgpack_unpacked_destroy(&u);
        conn_fail(c, "undecodable message");
        return;
    }
    const msgpack_object *m = &u.data;
    if (m->type != MSGPACK_OBJECT_ARRAY || m->via.array.size < 3)
        goto done;
    const msgpack_object *a = m->via.array.ptr;
    if (a[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        goto done;
    if (a[0].via.u64 == 2) /* notification (error before a close): the close follows */
        goto done;
    if (a[0].via.u64 != 1 || m->via.array.size != 4 || a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        goto done;
    uint32_t msgid = (uint32_t)a[1].via.u64;
    if (c->dup_wait && msgid == c->dup_msgid) {
        if (c->dup_wait == 2) {
            msgpack_sbuffer_write(&c->dup_first, (const char *)p, n);
            c->dup_wait = 1;
        } else {
            if (c->dup_first.size == n && !memcmp(c->dup_first.data, p, n))
                c->st.dup_match++;
            else
                c->st.dup_mismatch++;
            c->dup_wait = 0;
            goto done;
        }
    }
    if ((c->state == ST_HELLO || c->state == ST_LOGIN) && msgid == c->sess_msgid) {
        session_reply(c, &a[2], &a[3]);
        goto done;
    }
    if (c->call.active && msgid == c->call.msgid && c->state == ST_READY) {
        if (c->call.discard) {
            c->call.discard = 0; /* lost on the line: the timeout resends */
            goto done;
        }
        call_reply(c, &a[2], &a[3]);
        goto done;
    }
    c->st.stale++;
done:
    msgpack_unpacked_destroy(&u);
}

/* ---- input ---- */

static void tcp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    (void)hint;
    tcp_handle *th = h->data;
    sim_conn *c = th->owner;
    if (c == NULL || c->rlen >= RBUF_CAP) {
        buf->base = NULL;
        buf->len = 0;
        return;
    }
    buf->base = (char *)c->rbuf + c->rlen;
    buf->len = RBUF_CAP - c->rlen;
}

static void tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    tcp_handle *th = s->data;
    sim_conn *c = th->owner;
    if (c == NULL || nread == 0)
        return;
    if (nread < 0) {
        conn_fail(c, nread == UV_EOF ? "server closed" : uv_strerror((int)nread));
        return;
    }
    c->rlen += (size_t)nread;
    wms_mp_limits lim;
    wms_mp_limits_default(&lim);
    lim.max_bytes = MSG_MAX;
    while (c->rlen > 0 && th->owner == c) {
        size_t len = 0;
        int rc = wms_mp_scan(c->rbuf, c->rlen, &lim, &len, NULL);
        if (rc == 0)
            break;
        if (rc < 0) {
            conn_fail(c, "bad stream from the server");
            return;
        }
        /* Copy out: handling may fail the connection and reset rbuf. */
        uint8_t *msg = malloc(len);
        if (msg == NULL) {
            conn_fail(c, "no memory");
            return;
        }
        memcpy(msg, c->rbuf, len);
        memmove(c->rbuf, c->rbuf + len, c->rlen - len);
        c->rlen -= len;
        tcp_handle *before = c->tcp;
        on_message(c, msg, len);
        free(msg);
        if (c->tcp != before)
            break;
    }
}

static int frame_cb(void *ctx, const uint8_t *msg, size_t len)
{
    on_message(ctx, msg, len);
    return 0;
}

static void poll_cb(uv_poll_t *h, int status, int events)
{
    sim_conn *c = h->data;
    if (c->closing)
        return;
    if (status < 0) {
        poll_update(c);
        return;
    }
    if (events & UV_WRITABLE)
        serial_flush(c);
    if (events & UV_READABLE) {
        uint8_t buf[4096];
        for (int i = 0; i < 16; i++) {
            ssize_t n = read(c->serial_fd, buf, sizeof(buf));
            if (n <= 0)
                break; /* EAGAIN (spurious wake-up), or EIO without a slave */
            wms_frame_decoder_feed(&c->dec, buf, (size_t)n, frame_cb, c);
            if (c->closing)
                return;
        }
    }
}

/* ---- connect, fail, backoff ---- */

static void tcp_close_cb(uv_handle_t *h)
{
    free(h->data);
}

static void drop_tcp(sim_conn *c)
{
    if (c->tcp == NULL)
        return;
    tcp_handle *th = c->tcp;
    c->tcp = NULL;
    th->owner = NULL;
    if (!uv_is_closing((uv_handle_t *)&th->tcp))
        uv_close((uv_handle_t *)&th->tcp, tcp_close_cb);
}

static void on_connect(uv_connect_t *req, int status)
{
    tcp_handle *th = req->data;
    sim_conn *c = th->owner;
    if (c == NULL)
        return;
    if (status < 0) {
        conn_fail(c, uv_strerror(status));
        return;
    }
    c->st.connects++;
    c->rlen = 0;
    uv_tcp_nodelay(&th->tcp, 1);
    if (uv_read_start((uv_stream_t *)&th->tcp, tcp_alloc, tcp_read) < 0) {
        conn_fail(c, "read_start failed");
        return;
    }
    session_begin(c);
}

static void connect_now(sim_conn *c)
{
    if (c->serial_fd >= 0) {
        wms_frame_decoder_reset(&c->dec);
        session_begin(c);
        return;
    }
    struct sockaddr_in addr;
    if (uv_ip4_addr(c->host, c->port, &addr) < 0) {
        conn_fail(c, "bad address");
        return;
    }
    tcp_handle *th = calloc(1, sizeof(*th));
    if (th == NULL) {
        conn_fail(c, "no memory");
        return;
    }
    th->owner = c;
    th->tcp.data = th;
    th->req.data = th;
    uv_tcp_init(c->loop, &th->tcp);
    c->tcp = th;
    c->state = ST_CONNECTING;
    if (uv_tcp_connect(&th->req, &th->tcp, (const struct sockaddr *)&addr, on_connect) < 0) {
        conn_fail(c, "connect failed");
        return;
    }
    timer_set(c, T_TIMEOUT, (uint64_t)c->timeout_ms);
}

/* The connection is unusable: drop it and try again after a backoff. */
static void conn_fail(sim_conn *c, const char *why)
{
    (void)why;
    drop_tcp(c);
    c->rlen = 0;
    c->state = ST_DOWN;
    c->call.on_wire = 0;
    c->call.discard = 0;
    c->dup_wait = 0;
    if (c->closing || !c->wanted) {
        timer_clear(c);
        return;
    }
    c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (c->backoff_ms > BACKOFF_MAX_MS)
        c->backoff_ms = BACKOFF_MAX_MS;
    timer_set(c, T_BACKOFF, (uint64_t)c->backoff_ms);
}

static void timer_cb(uv_timer_t *t)
{
    sim_conn *c = t->data;
    int kind = c->timer_kind;
    c->timer_kind = T_NONE;
    if (c->closing)
        return;
    if (kind == T_BACKOFF) {
        if (c->state == ST_DOWN)
            connect_now(c);
        else if (c->state == ST_READY && c->call.active && !c->call.on_wire)
            call_send(c);
        return;
    }
    if (kind != T_TIMEOUT)
        return;
    c->st.timeouts++;
    if (c->serial_fd >= 0) {
        /* A frame (ours or the answer) was lost: send again. */
        if (c->state == ST_READY && c->call.active) {
            c->call.discard = 0;
            call_send(c);
        } else if (c->state == ST_HELLO || c->state == ST_LOGIN) {
            session_begin(c);
        }
        return;
    }
    conn_fail(c, "timeout");
}

/* ---- public ---- */

int sim_conn_new(const sim_conn_opts *o, sim_conn **out, wms_error *err)
{
    *out = NULL;
    if (o == NULL || o->loop == NULL || o->clock == NULL || o->device == NULL || o->user == NULL ||
        o->pin == NULL || strlen(o->device) > SIM_DEVICE_MAX)
        return wms_error_set(err, WMS_EBAD_ARGS, "sim_conn_new: bad options");
    sim_conn *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return wms_error_set(err, WMS_ENOMEM, "no memory for a connection");
    c->loop = o->loop;
    c->clock = o->clock;
    c->metrics = o->metrics;
    snprintf(c->host, sizeof(c->host), "%s", o->host ? o->host : "127.0.0.1");
    c->port = o->port;
    c->serial_fd = o->serial_fd;
    snprintf(c->device, sizeof(c->device), "%s", o->device);
    snprintf(c->user, sizeof(c->user), "%s", o->user);
    snprintf(c->pin, sizeof(c->pin), "%s", o->pin);
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000;
    c->serial_corrupt = o->serial_corrupt;
    sim_rng_seed(&c->frng, o->seed, SIM_RNG_FAULTS, 1000000 + o->index);
    msgpack_sbuffer_init(&c->call.req);
    msgpack_sbuffer_init(&c->dup_first);
    if (c->serial_fd >= 0) {
        c->decbuf = malloc(WMS_FRAME_DECODER_BUF(MSG_MAX));
        c->wq = malloc(WQ_CAP);
        if (c->decbuf == NULL || c->wq == NULL)
            goto nomem;
        wms_frame_decoder_init(&c->dec, c->decbuf, WMS_FRAME_DECODER_BUF(MSG_MAX));
        if (uv_poll_init(c->loop, &c->poll, c->serial_fd) < 0) {
            free(c->decbuf);
            free(c->wq);
            msgpack_sbuffer_destroy(&c->call.req);
            msgpack_sbuffer_destroy(&c->dup_first);
            free(c);
            return wms_error_set(err, WMS_EIO, "cannot poll the serial line of %s", o->device);
        }
        c->poll.data = c;
        c->pending_closes++;
        poll_update(c);
    } else {
        c->rbuf = malloc(RBUF_CAP);
        if (c->rbuf == NULL)
            goto nomem;
    }
    uv_timer_init(c->loop, &c->timer);
    c->timer.data = c;
    c->pending_closes++;
    *out = c;
    return 0;
nomem:
    free(c->decbuf);
    free(c->wq);
    free(c->rbuf);
    msgpack_sbuffer_destroy(&c->call.req);
    msgpack_sbuffer_destroy(&c->dup_first);
    free(c);
    return wms_error_set(err, WMS_ENOMEM, "no memory for a connection");
}

void sim_conn_start(sim_conn *c, sim_reply_cb cb, void *ctx)
{
    c->start_cb = cb;
    c->start_ctx = ctx;
    c->wanted = 1;
    if (c->state == ST_DOWN)
        connect_now(c);
}

void sim_conn_next_txn(sim_conn *c, char *buf, size_t n)
{
    snprintf(buf, n, "%s-%llu", c->device, (unsigned long long)++c->txn_counter);
}

int sim_conn_call(sim_conn *c, const char *method, const sim_args *a, const char *txn,
                  const sim_conn_faults *f, sim_reply_cb cb, void *ctx)
{
    if (c->call.active)
        return WMS_EBUSY;
    msgpack_sbuffer_clear(&c->call.req);
    c->call.msgid = msgid_next(c);
    build_request(&c->call.req, c->call.msgid, method, a ? a->buf.data : NULL, a ? a->buf.size : 0,
                  a ? a->n : 0);
    snprintf(c->call.method, sizeof(c->call.method), "%s", method);
    snprintf(c->call.txn, sizeof(c->call.txn), "%s", txn ? txn : "");
    c->call.active = 1;
    c->call.sends = 0;
    c->call.on_wire = 0;
    c->call.discard = 0;
    c->call.cb = cb;
    c->call.ctx = ctx;
    memset(&c->call.f, 0, sizeof(c->call.f));
    if (f != NULL)
        c->call.f = *f;
    c->st.calls++;
    c->wanted = 1;
    if (c->state == ST_READY)
        call_send(c);
    else if (c->state == ST_DOWN && c->timer_kind != T_BACKOFF)
        connect_now(c);
    return 0;
}

int sim_conn_busy(const sim_conn *c)
{
    return c->call.active;
}

const char *sim_conn_pending_method(const sim_conn *c)
{
    return c->call.active ? c->call.method : "";
}

const char *sim_conn_pending_txn(const sim_conn *c)
{
    return c->call.active ? c->call.txn : "";
}

uint64_t sim_conn_txn_base(const sim_conn *c)
{
    return c->txn_base;
}

const char *sim_conn_device(const sim_conn *c)
{
    return c->device;
}

void sim_conn_get_stats(const sim_conn *c, sim_conn_stats *out)
{
    *out = c->st;
}

static void conn_close_cb(uv_handle_t *h)
{
    sim_conn *c = h->data;
    if (--c->pending_closes > 0)
        return;
    free(c->rbuf);
    free(c->decbuf);
    free(c->wq);
    msgpack_sbuffer_destroy(&c->call.req);
    msgpack_sbuffer_destroy(&c->dup_first);
    free(c);
}

void sim_conn_free(sim_conn *c)
{
    if (c == NULL)
        return;
    c->closing = 1;
    c->wanted = 0;
    c->call.active = 0;
    drop_tcp(c);
    uv_timer_stop(&c->timer);
    if (c->serial_fd >= 0)
        uv_close((uv_handle_t *)&c->poll, conn_close_cb);
    uv_close((uv_handle_t *)&c->timer, conn_close_cb);
}

const char *sim_conn_kind(const sim_conn *c)
{
    return c->serial_fd >= 0 ? "serial" : "tcp";
}
