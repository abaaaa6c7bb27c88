/*
 * server.c - wmsd's loop: sessions, group commit, limits, shutdown.
 *
 * Life of a request:
 *   transport bytes -> session_data() -> wms_mp_scan bounds one message ->
 *   a `call` is queued -> batch_start() (uv_check, after each poll) runs the
 *   queued calls in one BEGIN IMMEDIATE, each under its own savepoint ->
 *   COMMIT on the worker pool -> batch_done() sends every response.
 * A login call leaves the batch for a PIN check on the worker pool and
 * comes back as a second call that records the result.
 */
#include "server.h"
#include "log.h"
#include "config_impl.h"
#include "methods.h"
#include "mpguard.h"
#include "rpc.h"
#include "store/db.h"
#include "store/events.h"
#include "tcp.h"
#include "serial.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <uv.h>

#define BUSY_RETRY_MS 2
#define BUSY_GIVE_UP_MS 10000
#define SWEEP_MS 1000
#define PRUNE_EVERY_MS (10 * 60 * 1000)
/* Hostile-input fix: a session may have at most this many calls, and
 * max_queued bytes of requests, received but not yet answered.  Without a
 * cap one connection pipelining pings without waiting grew the server by
 * 1.4 GB (tests/server/test_hostile.py); past it the session is closed. */
#define SESSION_MAX_INFLIGHT 1024
/* A closing session whose peer does not take its last bytes (the error
 * notification) is dropped after this long instead of lingering forever. */
#define CLOSE_LINGER_MS 5000
/* Memory across all sessions (max_buffered): shedding brings what the live
 * sessions hold under 7/8 of the cap, and reading resumes there. */
#define MEM_LOW(cap) ((cap) - (cap) / 8)
/* A shed session with more output queued than this is dropped at once (its
 * peer is not reading); with less, its BUSY notice is flushed first. */
#define SHED_FLUSH_MAX (64 * 1024)

typedef struct session session;

enum { CALL_NEW, CALL_LOGIN_VERIFY, CALL_LOGIN_DONE, CALL_PRUNE };

typedef struct call {
    struct call *next;
    session *s; /* NULL for internal jobs */
    int phase;
    uint32_t msgid;
    uint8_t *msg;
    size_t n;
    msgpack_sbuffer out; /* outcome, then the response */
    size_t acct;         /* bytes of out counted in srv->prep_total */
    int answer;          /* a response is due */
    wms_call_info info;
    int verify_rc;
    wms_error verify_err;
    uv_work_t work;
} call;

struct session {
    struct wms_server *srv;
    session *prev, *next;
    wms_conn *conn; /* NULL once the transport has closed */
    uint64_t id;
    wms_ident ident;
    uint8_t *in; /* bytes of an incomplete message (NULL when none) */
    size_t in_len, in_cap;
    wms_mp_scanner *scan;  /* the guard's walk over in[], resumed by each read (with in) */
    size_t in_acct;        /* bytes of in[] and scan counted in srv->in_total */
    int refs;              /* calls that still point here */
    size_t inflight_bytes; /* request bytes of those calls (capped) */
    size_t prep_bytes;     /* responses prepared for it in a batch, not yet sent */
    int closing;
    uint64_t closing_ms; /* when closing started */
    uint64_t last_ms;
    uint64_t calls;
    /* While a login's PIN check runs, the session's later calls wait here so
     * a call pipelined right behind login runs after it, logged in. */
    int login_pending;
    struct call *held_head, *held_tail;
};

typedef struct wms_server {
    uv_loop_t loop;
    wms_db *db;
    wms_server_opts o;
    wms_proto_config pcfg;
    wms_mp_limits mp;
    wms_transport_limits tl;
    wms_tcp_server *tcp;
    wms_serial_port *serial[WMS_SERVER_MAX_SERIAL];
    int n_serial;
    call *pend_head, *pend_tail;
    call *batch;
    int npending;
    int committing;
    uint64_t busy_since;
    int commit_rc;
    wms_error commit_err;
    uv_work_t commit_work;
    uv_check_t check;
    uv_timer_t retry, sweep;
    uv_signal_t sigint, sigterm;
    session sessions; /* list head */
    int nsessions;
    uint64_t next_id;
    uint64_t last_prune;
    int64_t data_version;
    int stopping;
    int verifying; /* PIN checks on the worker pool */
    /* Memory held for all sessions together, capped by o.max_buffered: */
    size_t in_total;       /* incomplete messages (in[], scanners) */
    size_t inflight_total; /* request copies of calls not yet answered */
    size_t prep_total;     /* responses prepared in a batch, not yet sent */
    size_t out_total;      /* output queued in the transports (they keep it) */
    int reads_paused;      /* reading stopped on every session until memory is freed */
    /* counters */
    uint64_t n_calls, n_commits, n_bad_frames, n_shed;
} wms_server;

static uint64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static void batch_kick(wms_server *srv);
static void on_retry(uv_timer_t *t);

/* ---- sessions --------------------------------------------------------- */

/* Counts the session's incomplete-message buffer and scanner again in
 * srv->in_total (after any change to them). */
static void session_account_in(session *s)
{
    size_t now = s->in_cap + (s->scan != NULL ? sizeof(*s->scan) : 0);
    s->srv->in_total = s->srv->in_total - s->in_acct + now;
    s->in_acct = now;
}

/* Frees the incomplete message and the guard's state over it. */
static void session_drop_input(session *s)
{
    free(s->in);
    s->in = NULL;
    s->in_len = s->in_cap = 0;
    free(s->scan);
    s->scan = NULL;
    session_account_in(s);
}

/* Bytes the server holds for the session: its incomplete message, its
 * requests not yet answered, responses prepared and output queued. */
static size_t session_bytes(const session *s)
{
    return s->in_acct + s->inflight_bytes + s->prep_bytes +
           (s->conn != NULL ? s->conn->vt->queued(s->conn) : 0);
}

static size_t mem_total(const wms_server *srv)
{
    return srv->in_total + srv->inflight_total + srv->prep_total + srv->out_total;
}

static void session_release(session *s)
{
    if (--s->refs > 0 || s->conn != NULL)
        return;
    s->prev->next = s->next;
    s->next->prev = s->prev;
    s->srv->nsessions--;
    session_drop_input(s);
    free(s);
}

/* Sends one notification [2, method, [{"code", "message"}]]. */
static void session_notify_error(session *s, int code, const char *msg)
{
    if (s->conn == NULL)
        return;
    msgpack_sbuffer map, note;
    msgpack_sbuffer_init(&map);
    msgpack_sbuffer_init(&note);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &map, msgpack_sbuffer_write);
    wms_pack_error(&pk, code, msg);
    wms_notification("error", (const uint8_t *)map.data, map.size, &note);
    s->conn->vt->send(s->conn, (const uint8_t *)note.data, note.size);
    msgpack_sbuffer_destroy(&map);
    msgpack_sbuffer_destroy(&note);
}

static void session_close(session *s, int code, const char *why)
{
    if (s->closing || s->conn == NULL)
        return;
    s->closing = 1;
    s->closing_ms = now_ms();
    session_drop_input(s); /* a closing session reads nothing more */
    if (code != 0) {
        wms_log(WMS_LOG_WARN, "session %llu %s %s: %s: %s", (unsigned long long)s->id,
                s->conn->kind, s->conn->peer, wms_err_name(code), why);
        session_notify_error(s, code, why);
    }
    s->conn->vt->close(s->conn, why);
}

static void *sink_open(void *ctx, wms_conn *c)
{
    wms_server *srv = ctx;
    if (srv->stopping)
        return NULL;
    if (srv->nsessions >= srv->o.max_connections) {
        wms_log(WMS_LOG_WARN, "refused %s %s: connection limit %d reached", c->kind, c->peer,
                srv->o.max_connections);
        session tmp = {.conn = c};
        session_notify_error(&tmp, WMS_EBUSY, "connection limit reached: try again shortly");
        return NULL;
    }
    session *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->srv = srv;
    s->conn = c;
    s->id = ++srv->next_id;
    s->refs = 1; /* the transport's reference */
    s->last_ms = now_ms();
    s->next = srv->sessions.next;
    s->prev = &srv->sessions;
    s->next->prev = s;
    srv->sessions.next = s;
    srv->nsessions++;
    if (srv->reads_paused && c->vt->pause != NULL)
        c->vt->pause(c, 1); /* over max_buffered: it reads once memory is freed */
    wms_log(WMS_LOG_INFO, "session %llu open %s %s", (unsigned long long)s->id, c->kind, c->peer);
    return s;
}

static void sink_closed(void *sess)
{
    session *s = sess;
    wms_log(WMS_LOG_INFO, "session %llu end %s device=%s user=%s calls=%llu",
            (unsigned long long)s->id, s->conn->peer, s->ident.device[0] ? s->ident.device : "-",
            s->ident.user[0] ? s->ident.user : "-", (unsigned long long)s->calls);
    s->conn = NULL;
    session_release(s);
}

/* Drops a finished call's hold on its session (which may free it). */
static void call_release(call *c)
{
    if (c->s != NULL) {
        wms_server *srv = c->s->srv;
        c->s->inflight_bytes -= c->n;
        srv->inflight_total -= c->n;
        c->s->prep_bytes -= c->acct;
        srv->prep_total -= c->acct;
        c->acct = 0;
        session_release(c->s);
    }
}

/* Counts the call's prepared outcome/response in prep_total (after call_run
 * or any rewrite of c->out). */
static void call_account_out(wms_server *srv, call *c)
{
    if (c->s == NULL)
        return;
    size_t now = c->out.size;
    srv->prep_total = srv->prep_total - c->acct + now;
    c->s->prep_bytes = c->s->prep_bytes - c->acct + now;
    c->acct = now;
}

static void call_free(call *c)
{
    msgpack_sbuffer_destroy(&c->out);
    free(c->msg);
    free(c);
}

/* Puts the list `head` (taken from the queue) back at its front, in order. */
static void requeue_front(wms_server *srv, call *head)
{
    call *tail = head;
    int n = 1;
    while (tail->next != NULL) {
        tail = tail->next;
        n++;
    }
    tail->next = srv->pend_head;
    if (srv->pend_head == NULL)
        srv->pend_tail = tail;
    srv->pend_head = head;
    srv->npending += n;
}

static void enqueue(wms_server *srv, call *c)
{
    c->next = NULL;
    if (srv->pend_tail)
        srv->pend_tail->next = c;
    else
        srv->pend_head = c;
    srv->pend_tail = c;
    srv->npending++;
}

/* Queues one complete message from a session. */
static int session_message(session *s, const uint8_t *p, size_t n)
{
    if (s->refs - 1 >= SESSION_MAX_INFLIGHT || s->inflight_bytes + n > s->srv->o.max_queued) {
        session_close(s, WMS_EBUSY,
                      "client is not reading its responses: too many calls wait for an answer");
        return -1;
    }
    call *c = calloc(1, sizeof(*c));
    if (c == NULL || (c->msg = malloc(n)) == NULL) {
        free(c);
        session_close(s, WMS_ENOMEM, "out of memory");
        return -1;
    }
    memcpy(c->msg, p, n);
    c->n = n;
    c->s = s;
    c->phase = CALL_NEW;
    msgpack_sbuffer_init(&c->out);
    s->refs++;
    s->inflight_bytes += n;
    s->srv->inflight_total += n;
    s->calls++;
    s->last_ms = now_ms();
    enqueue(s->srv, c);
    return 0;
}

/* Stops or resumes reading on every live session. */
static void mem_pause_all(wms_server *srv, int paused)
{
    srv->reads_paused = paused;
    for (session *s = srv->sessions.next; s != &srv->sessions; s = s->next)
        if (s->conn != NULL && !s->closing && s->conn->vt->pause != NULL)
            s->conn->vt->pause(s->conn, paused);
}

/* Closes a session to free what it holds (`bytes`): the server is over
 * max_buffered and it holds the most.  A peer that does not read (more than
 * SHED_FLUSH_MAX queued) is dropped at once with its output; otherwise its
 * BUSY notice is flushed first.  Its incomplete message is freed now. */
static void session_shed(session *s, size_t bytes)
{
    wms_server *srv = s->srv;
    srv->n_shed++;
    char why[200];
    snprintf(why, sizeof(why),
             "server memory limit reached (max_buffered %zu bytes): this connection held the "
             "most, %zu bytes; try again later",
             srv->o.max_buffered, bytes);
    size_t queued = s->conn->vt->queued(s->conn);
    session_close(s, WMS_EBUSY, why);
    if (queued > SHED_FLUSH_MAX && s->conn != NULL)
        s->conn->vt->close(s->conn, NULL);
}

/*
 * Keeps the memory held for all sessions together (incomplete messages,
 * unanswered requests, prepared responses, queued output) under
 * max_buffered.  Over it: the sessions that hold the most are closed, one
 * by one, until what the others hold is under 7/8 of the cap, and reading
 * stops on every session until the memory is really freed (a dropped
 * connection's output goes when libuv has closed it, a closed session's
 * calls when their batch is done); reading resumes under 7/8.  Sessions
 * below the biggest are not touched: a canary keeps being answered, only
 * its next request waits while reading is stopped.  Cheap (O(1)) unless over.
 */
static void mem_check(wms_server *srv)
{
    size_t cap = srv->o.max_buffered, low = MEM_LOW(cap);
    size_t total = mem_total(srv);
    if (cap == 0)
        return;
    if (total <= low) {
        if (srv->reads_paused) {
            mem_pause_all(srv, 0);
            wms_log(WMS_LOG_INFO,
                    "buffered memory %zu bytes, under 7/8 of max_buffered: reading again", total);
        }
        return;
    }
    if (total <= cap && !srv->reads_paused)
        return;
    /* What the live sessions hold (closing ones free theirs soon). */
    size_t live = total;
    for (session *s = srv->sessions.next; s != &srv->sessions; s = s->next)
        if (s->conn == NULL || s->closing) {
            size_t b = session_bytes(s);
            live -= b < live ? b : live;
        }
    while (live > low) {
        session *big = NULL;
        size_t most = 0;
        for (session *s = srv->sessions.next; s != &srv->sessions; s = s->next) {
            if (s->conn == NULL || s->closing)
                continue;
            size_t b = session_bytes(s);
            if (b > most) {
                most = b;
                big = s;
            }
        }
        if (big == NULL)
            break;
        session_shed(big, most);
        live -= most < live ? most : live;
    }
    if (!srv->reads_paused) {
        mem_pause_all(srv, 1);
        wms_log(WMS_LOG_WARN,
                "buffered memory %zu bytes over max_buffered %zu: reading stopped until it is "
                "freed",
                total, cap);
    }
}

/* Stream input: split into messages with the guard; keep only the tail of
 * an incomplete message (capped at the message limit) and the guard's walk
 * over it, so each read resumes the walk instead of starting it over (a
 * message dripped byte by byte costs O(n), not O(n^2)). */
static int sink_data(void *sess, const uint8_t *p, size_t n)
{
    session *s = sess;
    if (s->closing)
        return 0;
    s->last_ms = now_ms();
    const uint8_t *buf = p;
    size_t len = n;
    if (s->in_len > 0) {
        /* Fix: what is kept is one incomplete message, which the guard keeps
         * under max_message; `n` is one transport read and may carry the
         * next messages too, so in_len + n is no message size (the old test
         * `in_len + n > max_message + 16` closed a legal 1 MiB message
         * followed by more calls).  Only a defensive check remains. */
        if (s->in_len > s->srv->o.max_message) {
            session_close(s, WMS_EBAD_FRAME, "message larger than the limit");
            return 0;
        }
        if (s->in_len + n > s->in_cap) {
            size_t cap = s->in_cap ? s->in_cap : 256;
            while (cap < s->in_len + n)
                cap *= 2;
            uint8_t *nb = realloc(s->in, cap);
            if (nb == NULL) {
                session_close(s, WMS_ENOMEM, "out of memory");
                return 0;
            }
            s->in = nb;
            s->in_cap = cap;
            session_account_in(s);
        }
        memcpy(s->in + s->in_len, p, n);
        s->in_len += n;
        buf = s->in;
        len = s->in_len;
    }
    /* The first message goes on with the kept walk (s->scan, which belongs
     * to s->in); every later one starts its own. */
    wms_mp_scanner fresh, *sc = s->in_len > 0 ? s->scan : NULL;
    size_t off = 0;
    while (off < len) {
        if (sc == NULL) {
            wms_mp_scanner_init(&fresh, &s->srv->mp);
            sc = &fresh;
        }
        size_t mlen = 0;
        wms_error err;
        int rc = wms_mp_feed(sc, buf + off, len - off, &mlen, &err);
        if (rc < 0) {
            s->srv->n_bad_frames++;
            session_close(s, WMS_EBAD_FRAME, err.msg);
            return 0;
        }
        if (rc == 0)
            break;
        if (session_message(s, buf + off, mlen) < 0)
            return 0;
        off += mlen;
        sc = NULL;
    }
    size_t rest = len - off;
    if (rest == 0) {
        /* Idle sessions keep no buffer. */
        session_drop_input(s);
    } else {
        if (buf == s->in) {
            memmove(s->in, s->in + off, rest);
            s->in_len = rest;
        } else {
            size_t cap = 256;
            while (cap < rest)
                cap *= 2;
            if ((s->in = malloc(cap)) == NULL) {
                session_close(s, WMS_ENOMEM, "out of memory");
                return 0;
            }
            memcpy(s->in, p + off, rest);
            s->in_len = rest;
            s->in_cap = cap;
        }
        /* Keep the walk of the incomplete message with its bytes. */
        if (sc != s->scan) {
            if (s->scan == NULL && (s->scan = malloc(sizeof(*s->scan))) == NULL) {
                session_close(s, WMS_ENOMEM, "out of memory");
                return 0;
            }
            *s->scan = *sc;
        }
        session_account_in(s);
    }
    mem_check(s->srv);
    return 0;
}

/* A framed transport delivers whole messages: still bound them. */
static int sink_message(void *sess, const uint8_t *p, size_t n)
{
    session *s = sess;
    size_t mlen = 0;
    wms_error err;
    if (s->closing)
        return 0;
    s->last_ms = now_ms();
    int rc = wms_mp_scan(p, n, &s->srv->mp, &mlen, &err);
    if (rc <= 0 || mlen != n) {
        /* A serial line is not dropped for one bad message: answer and go on. */
        s->srv->n_bad_frames++;
        session_notify_error(s, WMS_EBAD_FRAME,
                             rc < 0 ? err.msg : "frame is not exactly one MessagePack message");
        return 0;
    }
    rc = session_message(s, p, n);
    mem_check(s->srv);
    return rc;
}

/* ---- batches -------------------------------------------------------- */

static void send_response(call *c)
{
    session *s = c->s;
    if (!c->answer || s == NULL || s->conn == NULL || s->closing)
        return;
    msgpack_sbuffer resp;
    msgpack_sbuffer_init(&resp);
    if (wms_response_from_outcome(c->msgid, (const uint8_t *)c->out.data, c->out.size, &resp) ==
        0) {
        int rc = s->conn->vt->send(s->conn, (const uint8_t *)resp.data, resp.size);
        if (rc == WMS_ETOO_LARGE)
            session_close(s, WMS_ETOO_LARGE, "client is not reading its responses");
    }
    msgpack_sbuffer_destroy(&resp);
}

static void verify_work(uv_work_t *w)
{
    call *c = w->data;
    wms_error_clear(&c->verify_err);
    c->verify_rc = wms_login_verify(&c->info.ticket, c->info.pin, &c->verify_err);
}

static void verify_done(uv_work_t *w, int status)
{
    call *c = w->data;
    wms_server *srv = c->s->srv;
    srv->verifying--;
    if (status != 0)
        c->verify_rc = wms_error_set(&c->verify_err, WMS_ESHUTTING_DOWN, NULL);
    c->phase = CALL_LOGIN_DONE;
    enqueue(srv, c);
    batch_kick(srv);
}

/* Runs one call inside the batch transaction. */
static void call_run(wms_server *srv, call *c, int64_t t)
{
    wms_error err;
    wms_error_clear(&err);
    if (c->phase == CALL_PRUNE) {
        int64_t keep = (int64_t)srv->o.txn_keep_hours * 3600 * 1000;
        int n = wms_txn_prune(srv->db, t - keep, &err);
        if (n > 0)
            wms_log(WMS_LOG_INFO, "pruned %d txn outcomes older than %d hours", n,
                    srv->o.txn_keep_hours);
        wms_login_failures_prune(srv->db, t, NULL);
        return;
    }
    if (c->phase == CALL_LOGIN_DONE) {
        wms_dispatch_login_finish(srv->db, &c->s->ident, &c->info, c->verify_rc, &c->verify_err, t,
                                  &c->out);
        c->answer = 1;
        if (c->info.error)
            wms_log(WMS_LOG_WARN, "session %llu login failed for '%s' device %s: %s",
                    (unsigned long long)c->s->id, c->info.login_user, c->s->ident.device,
                    wms_err_name(c->info.error));
        else
            wms_log(WMS_LOG_INFO, "session %llu login %s (%s) device %s",
                    (unsigned long long)c->s->id, c->s->ident.user, wms_role_name(c->s->ident.role),
                    c->s->ident.device);
        return;
    }
    msgpack_zone zone;
    msgpack_zone_init(&zone, 2048);
    wms_rpc_req req;
    int rc = wms_rpc_decode(c->msg, c->n, &zone, &req, &err);
    if (rc < 0) {
        if (!req.has_msgid) {
            session_close(c->s, WMS_EBAD_FRAME, err.msg);
        } else {
            c->msgid = req.msgid;
            wms_outcome_error(&c->out, rc, err.msg);
            c->answer = 1;
        }
        msgpack_zone_destroy(&zone);
        return;
    }
    c->msgid = req.msgid;
    rc = wms_dispatch(srv->db, &srv->pcfg, &c->s->ident, &req, t, &c->out, &c->info);
    msgpack_zone_destroy(&zone);
    srv->n_calls++;
    if (rc == 1) {
        /* Login: check the PIN on the worker pool, finish in a later batch. */
        c->phase = CALL_LOGIN_VERIFY;
        return;
    }
    c->answer = 1;
    if (c->info.error && wms_err_transient(c->info.error))
        wms_log(WMS_LOG_ERROR, "session %llu %s: %s", (unsigned long long)c->s->id, req.method,
                wms_err_name(c->info.error));
}

static void commit_work(uv_work_t *w)
{
    wms_server *srv = w->data;
    wms_error_clear(&srv->commit_err);
    srv->commit_rc = wms_tx_commit(srv->db, &srv->commit_err);
}

typedef struct push_ctx {
    wms_server *srv;
    int64_t last;
} push_ctx;

/* Sends one event to every session subscribed to its kind. */
static int push_one(void *ctx, const wms_event *e)
{
    push_ctx *p = ctx;
    unsigned bit = wms_topic_bit(e->kind);
    p->last = e->id;
    msgpack_sbuffer map, note;
    msgpack_sbuffer_init(&map);
    msgpack_sbuffer_init(&note);
    msgpack_packer pk;
    msgpack_packer_init(&pk, &map, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 8);
    wms_pack_kv_int(&pk, "id", e->id);
    wms_pack_kv_str(&pk, "ts", e->ts);
    wms_pack_kv_str(&pk, "kind", e->kind);
    wms_pack_kv_str(&pk, "order", e->order);
    wms_pack_kv_str(&pk, "status", e->status);
    wms_pack_kv_str(&pk, "detail", e->detail);
    wms_pack_kv_str(&pk, "user", e->user);
    wms_pack_kv_str(&pk, "device", e->device);
    wms_notification("event", (const uint8_t *)map.data, map.size, &note);
    for (session *s = p->srv->sessions.next; s != &p->srv->sessions; s = s->next) {
        if (!(s->ident.topics & bit) || s->ident.event_pos >= e->id || s->conn == NULL ||
            s->closing)
            continue;
        s->ident.event_pos = e->id;
        if (s->conn->vt->send(s->conn, (const uint8_t *)note.data, note.size) == WMS_ETOO_LARGE)
            session_close(s, WMS_EBUSY, "event subscriber is not reading: cut off");
    }
    msgpack_sbuffer_destroy(&map);
    msgpack_sbuffer_destroy(&note);
    return 0;
}

/* After a durable commit: push the events it recorded to subscribers. */
static void push_events(wms_server *srv)
{
    int any = 0;
    int64_t from = INT64_MAX;
    for (session *s = srv->sessions.next; s != &srv->sessions; s = s->next)
        if (s->ident.topics && s->conn != NULL && !s->closing) {
            any = 1;
            if (s->ident.event_pos < from)
                from = s->ident.event_pos;
        }
    if (!any)
        return;
    push_ctx p = {srv, from};
    for (int round = 0; round < 10; round++) {
        int64_t before = p.last;
        if (wms_event_list(srv->db, p.last, NULL, 500, push_one, &p, NULL) <= 0 || p.last == before)
            break;
    }
}

/* Ends a batch: sends its responses, then (when its commit is durable)
 * pushes the events it recorded, before the next batch starts. */
static void batch_finish(wms_server *srv, int durable)
{
    call *c = srv->batch;
    srv->batch = NULL;
    while (c != NULL) {
        call *next = c->next;
        send_response(c);
        call_release(c);
        call_free(c);
        c = next;
    }
    if (durable)
        push_events(srv);
    srv->committing = 0;
    mem_check(srv);
    if (srv->pend_head != NULL)
        batch_kick(srv);
}

static void commit_done(uv_work_t *w, int status)
{
    wms_server *srv = w->data;
    if (status != 0 || srv->commit_rc < 0) {
        /* Nothing of this batch is durable: no call may be acknowledged. */
        wms_log(WMS_LOG_ERROR, "commit failed: %s: %s", wms_err_name(srv->commit_err.code),
                srv->commit_err.msg);
        for (call *c = srv->batch; c != NULL; c = c->next) {
            if (c->phase == CALL_LOGIN_DONE && c->s != NULL) {
                /* The login was not recorded: the session is not logged in. */
                c->s->ident.logged_in = 0;
                c->s->ident.role = 0;
            }
            if (c->answer)
                wms_outcome_error(&c->out, srv->commit_rc < 0 ? srv->commit_err.code : WMS_ESTORAGE,
                                  srv->commit_err.msg[0] ? srv->commit_err.msg
                                                         : "the change could not be stored");
            call_account_out(srv, c);
        }
    } else {
        srv->n_commits++;
    }
    batch_finish(srv, srv->commit_rc >= 0 && status == 0);
}

/* Drops caches when another process (wmsctl) committed since we last looked. */
static void check_data_version(wms_server *srv)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(srv->db->sql, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int64_t v = sqlite3_column_int64(st, 0);
        if (srv->data_version != 0 && v != srv->data_version) {
            wms_db_cache_clear(srv->db);
            wms_log(WMS_LOG_DEBUG, "database changed by another process: caches dropped");
        }
        srv->data_version = v;
    }
    sqlite3_finalize(st);
}

static void on_retry(uv_timer_t *t)
{
    batch_kick(t->data);
}

/* While another process holds the write lock: answer the queued read-only
 * calls from a read snapshot (WAL lets readers go on), so scanning never
 * waits for an import.  State-changing calls stay queued. */
static void read_pass(wms_server *srv)
{
    wms_error err;
    if (db__exec(srv->db, "BEGIN", &err) < 0)
        return;
    int64_t t = (int64_t)now_ms();
    call **pp = &srv->pend_head, *last = NULL;
    while (*pp != NULL) {
        call *c = *pp;
        int readonly = 0;
        if (c->phase == CALL_NEW) {
            msgpack_zone zone;
            wms_rpc_req req;
            msgpack_zone_init(&zone, 512);
            readonly = !c->s->login_pending &&
                       wms_rpc_decode(c->msg, c->n, &zone, &req, NULL) == 0 &&
                       !wms_method_writes(req.method);
            msgpack_zone_destroy(&zone);
        }
        if (!readonly) {
            last = c;
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        srv->npending--;
        call_run(srv, c, t);
        send_response(c);
        call_release(c);
        call_free(c);
    }
    srv->pend_tail = last;
    db__exec(srv->db, "ROLLBACK", NULL);
}

static void batch_start(wms_server *srv)
{
    if (srv->committing || srv->pend_head == NULL)
        return;
    check_data_version(srv);
    wms_error err;
    wms_error_clear(&err);
    int rc = wms_tx_begin(srv->db, &err);
    if (rc == WMS_EBUSY) {
        /* Another process (e.g. a wmsctl import) holds the write lock: never
         * block the loop; retry shortly, give up after a while. */
        uint64_t t = now_ms();
        if (srv->busy_since == 0)
            srv->busy_since = t;
        if (t - srv->busy_since < BUSY_GIVE_UP_MS) {
            read_pass(srv);
            uv_timer_start(&srv->retry, on_retry, BUSY_RETRY_MS, 0);
            return;
        }
        /* Giving up: reads are still answered; only the writes get BUSY. */
        read_pass(srv);
        if (srv->pend_head == NULL) {
            srv->busy_since = 0;
            return;
        }
    }
    srv->busy_since = 0;
    /* Take up to max_batch queued calls. */
    call *head = srv->pend_head, *tail = head;
    int n = 1;
    while (tail->next != NULL && n < srv->o.max_batch) {
        tail = tail->next;
        n++;
    }
    srv->pend_head = tail->next;
    if (srv->pend_head == NULL)
        srv->pend_tail = NULL;
    tail->next = NULL;
    srv->npending -= n;
    srv->batch = head;
    srv->committing = 1;
    if (rc < 0) {
        /* No transaction: answer every call with the error, change nothing. */
        wms_log(WMS_LOG_ERROR, "cannot start a transaction: %s", err.msg);
        for (call *c = head; c != NULL; c = c->next) {
            if (c->phase == CALL_NEW) {
                msgpack_zone zone;
                wms_rpc_req req;
                msgpack_zone_init(&zone, 512);
                if (wms_rpc_decode(c->msg, c->n, &zone, &req, NULL) == 0) {
                    c->msgid = req.msgid;
                    c->answer = 1;
                }
                msgpack_zone_destroy(&zone);
            } else if (c->phase == CALL_LOGIN_DONE) {
                c->answer = 1;
            }
            wms_outcome_error(&c->out, rc, err.msg);
        }
        batch_finish(srv, 0);
        return;
    }
    int64_t t = (int64_t)now_ms();
    for (call **pp = &srv->batch; *pp != NULL;) {
        call *c = *pp;
        if (c->phase == CALL_NEW && c->s != NULL && c->s->login_pending) {
            /* Behind a login still being checked: hold it, in order. */
            *pp = c->next;
            c->next = NULL;
            if (c->s->held_tail)
                c->s->held_tail->next = c;
            else
                c->s->held_head = c;
            c->s->held_tail = c;
            continue;
        }
        call_run(srv, c, t);
        call_account_out(srv, c);
        if (c->phase == CALL_LOGIN_DONE && c->s != NULL && c->s->login_pending) {
            /* The login is decided: its held calls run next, right here. */
            c->s->login_pending = 0;
            if (c->s->held_head != NULL) {
                c->s->held_tail->next = c->next;
                c->next = c->s->held_head;
                c->s->held_head = c->s->held_tail = NULL;
            }
        }
        if (c->phase != CALL_LOGIN_VERIFY) {
            pp = &c->next;
            if (c->next != NULL && mem_total(srv) > srv->o.max_buffered) {
                /* The responses prepared so far fill max_buffered: the rest
                 * waits, in order, for the next batch (after these are sent). */
                requeue_front(srv, c->next);
                c->next = NULL;
            }
            continue;
        }
        c->s->login_pending = 1;
        /* Login: out of the batch; the PIN check runs on the worker pool and
         * the call comes back to a later batch to record the result. */
        *pp = c->next;
        c->next = NULL;
        c->work.data = c;
        srv->verifying++;
        if (uv_queue_work(&srv->loop, &c->work, verify_work, verify_done) != 0) {
            srv->verifying--;
            c->verify_rc = wms_error_set(&c->verify_err, WMS_ESHUTTING_DOWN, NULL);
            c->phase = CALL_LOGIN_DONE;
            enqueue(srv, c);
        }
    }
    srv->commit_work.data = srv;
    if (uv_queue_work(&srv->loop, &srv->commit_work, commit_work, commit_done) != 0) {
        commit_work(&srv->commit_work);
        commit_done(&srv->commit_work, 0);
    }
}

static void batch_kick(wms_server *srv)
{
    /* Runs from uv_check (after I/O) and from completions. */
    batch_start(srv);
}

static void on_check(uv_check_t *h)
{
    mem_check(h->data);
    batch_kick(h->data);
}

/* ---- timers, signals, shutdown ---------------------------------------- */

static void on_sweep(uv_timer_t *t)
{
    wms_server *srv = t->data;
    uint64_t now = now_ms(), idle = (uint64_t)srv->o.idle_timeout_s * 1000;
    for (session *s = srv->sessions.next; s != &srv->sessions; s = s->next)
        if (s->conn != NULL && !s->closing && s->refs == 1 && now - s->last_ms > idle)
            session_close(s, WMS_EBUSY, "idle timeout: reconnect to go on");
        else if (s->conn != NULL && s->closing && now - s->closing_ms > CLOSE_LINGER_MS)
            s->conn->vt->close(s->conn, NULL); /* the peer does not read: drop it */
    if (now - srv->last_prune > PRUNE_EVERY_MS) {
        srv->last_prune = now;
        call *c = calloc(1, sizeof(*c));
        if (c != NULL) {
            c->phase = CALL_PRUNE;
            msgpack_sbuffer_init(&c->out);
            enqueue(srv, c);
            batch_kick(srv);
        }
    }
}

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
    wms_server *srv = h->data;
    if (srv->stopping)
        return;
    srv->stopping = 1;
    wms_log(WMS_LOG_INFO, "signal %d: shutting down (%d sessions, %d queued calls)", signum,
            srv->nsessions, srv->npending);
    if (srv->tcp != NULL) {
        wms_tcp_close(srv->tcp);
        srv->tcp = NULL;
    }
    uv_signal_stop(&srv->sigint);
    uv_signal_stop(&srv->sigterm);
    uv_stop(&srv->loop); /* the run loop below finishes the shutdown */
}

void wms_server_opts_default(wms_server_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->db_path = "./var/wms.db";
    o->listen = "127.0.0.1:7400";
    o->max_message = 1u << 20;
    o->max_connections = 20000;
    o->idle_timeout_s = 1800;
    o->max_queued = 4u << 20;
    o->max_buffered = (size_t)256 << 20;
    o->txn_keep_hours = 36;
    o->receiving_bin = "DOCK-01";
    o->max_batch = 2048;
}

static void on_deadline(uv_timer_t *t)
{
    wms_server *srv = t->data;
    /* Peers that do not take their last bytes: close them now. */
    for (session *s = srv->sessions.next; s != &srv->sessions; s = s->next)
        if (s->conn != NULL)
            s->conn->vt->close(s->conn, NULL);
}

/* Finishes in-flight work, answers queued calls, closes every session. */
static void server_shutdown(wms_server *srv)
{
    uv_check_stop(&srv->check);
    uv_timer_stop(&srv->sweep);
    uv_timer_stop(&srv->retry);
    /* Let a running commit and login checks finish, then run what was
     * received but not yet started (its answers go out, durable). */
    while (srv->committing || srv->pend_head != NULL || srv->verifying > 0) {
        if (!srv->committing)
            batch_start(srv);
        if (srv->committing || srv->pend_head != NULL || srv->verifying > 0)
            uv_run(&srv->loop, UV_RUN_ONCE);
    }
    for (session *s = srv->sessions.next; s != &srv->sessions; s = s->next)
        session_close(s, WMS_ESHUTTING_DOWN, "server shutting down");
    for (int i = 0; i < srv->n_serial; i++)
        wms_serial_close(srv->serial[i]);
    uv_timer_t deadline;
    uv_timer_init(&srv->loop, &deadline);
    deadline.data = srv;
    uv_timer_start(&deadline, on_deadline, 2000, 0);
    while (srv->nsessions > 0 && uv_run(&srv->loop, UV_RUN_ONCE))
        ;
    uv_walk(&srv->loop, close_walk, NULL);
    uv_run(&srv->loop, UV_RUN_DEFAULT);
}

int wms_server_run(const wms_server_opts *o, wms_error *err)
{
    wms_server *srv = calloc(1, sizeof(*srv));
    if (srv == NULL)
        return wms_error_set(err, WMS_ENOMEM, NULL);
    int rc;
    srv->o = *o;
    if (srv->o.txn_keep_hours < 24)
        srv->o.txn_keep_hours = 24;
    srv->sessions.next = srv->sessions.prev = &srv->sessions;
    srv->pcfg.server_name = "wmsd/0.1";
    srv->pcfg.receiving_bin = srv->o.receiving_bin;
    srv->pcfg.txn_keep_ms = (int64_t)srv->o.txn_keep_hours * 3600 * 1000;
    wms_mp_limits_default(&srv->mp);
    srv->mp.max_bytes = srv->o.max_message;
    srv->tl.max_message = srv->o.max_message + 64;
    srv->tl.max_queued = srv->o.max_queued;
    srv->tl.queued_total = &srv->out_total;
    srv->last_prune = 0;
    signal(SIGPIPE, SIG_IGN);
    if ((rc = wms_db_open(o->db_path, WMS_DB_CREATE, &srv->db, err)) < 0)
        goto err_free;
    /* The loop never waits on a lock: a busy database is retried by timer. */
    sqlite3_busy_timeout(srv->db->sql, 0);
    uv_loop_init(&srv->loop);
    wms_sink sink = {srv, sink_open, sink_data, sink_message, sink_closed};
    if (o->listen != NULL && o->listen[0] &&
        (rc = wms_tcp_listen(&srv->loop, o->listen, &sink, &srv->tl, &srv->tcp, err)) < 0)
        goto err_loop;
    for (int i = 0; i < o->n_serial; i++) {
        if ((rc = wms_serial_open(&srv->loop, o->serial[i], &sink, &srv->tl,
                                  &srv->serial[srv->n_serial], err)) < 0)
            goto err_loop;
        srv->n_serial++;
    }
    uv_check_init(&srv->loop, &srv->check);
    srv->check.data = srv;
    uv_check_start(&srv->check, on_check);
    uv_timer_init(&srv->loop, &srv->retry);
    srv->retry.data = srv;
    uv_timer_init(&srv->loop, &srv->sweep);
    srv->sweep.data = srv;
    uv_timer_start(&srv->sweep, on_sweep, SWEEP_MS, SWEEP_MS);
    uv_signal_init(&srv->loop, &srv->sigint);
    srv->sigint.data = srv;
    uv_signal_start(&srv->sigint, on_signal, SIGINT);
    uv_signal_init(&srv->loop, &srv->sigterm);
    srv->sigterm.data = srv;
    uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
    wms_log(WMS_LOG_INFO, "wmsd serving %s on %s%s (db %s, max %d connections)", "protocol v1",
            o->listen && o->listen[0] ? o->listen : "(no tcp)", o->n_serial ? " + serial" : "",
            o->db_path, o->max_connections);
    if (srv->tcp != NULL)
        fprintf(stdout, "listening on port %d\n", wms_tcp_port(srv->tcp)), fflush(stdout);
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    server_shutdown(srv);
    wms_log(WMS_LOG_INFO,
            "wmsd stopped: %llu calls, %llu commits, %llu bad frames, %llu sessions shed at "
            "max_buffered",
            (unsigned long long)srv->n_calls, (unsigned long long)srv->n_commits,
            (unsigned long long)srv->n_bad_frames, (unsigned long long)srv->n_shed);
    uv_loop_close(&srv->loop);
    wms_db_close(srv->db);
    free(srv);
    return 0;

err_loop:
    for (int i = 0; i < srv->n_serial; i++)
        wms_serial_close(srv->serial[i]);
    if (srv->tcp != NULL)
        wms_tcp_close(srv->tcp);
    uv_walk(&srv->loop, close_walk, NULL);
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    uv_loop_close(&srv->loop);
    wms_db_close(srv->db);
err_free:
    free(srv);
    return rc;
}
