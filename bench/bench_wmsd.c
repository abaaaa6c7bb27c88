/*
 * bench_wmsd.c - load generator for wmsd: many TCP connections, one thread.
 *
 *   bench_wmsd --port P [--host 127.0.0.1] [--conns N[,N2,...]|none] [--seconds S]
 *              [--warmup W] [--pipeline K] [--user rob] [--pin 1234]
 *              [--code 4006381333931] [--bin P2] [--device-prefix BENCH]
 *              [--setup-timeout S] [--summary FILE] [--label wmsd]
 *              [--scanners N[,N2,...]] [--interval T] [--open-seconds S]
 *              [--open-warmup W] [--idle N] [--rss-pid PID] [--settle S]
 *
 * Opens max(N..., --idle) connections (non-blocking sockets, one epoll
 * loop, so thousands are fine; RLIMIT_NOFILE is raised to its hard limit).
 * Each says hello as device "<prefix>-<i>" and logs in; logins run at most
 * --setup-parallel at a time (PIN checks are deliberately slow).
 *
 * Closed loop (--conns): for each N in turn (ascending), connections 1..N
 * each keep K receive.scan requests outstanding (one unit of --code into
 * --bin, txn "<device>-<n>" unique per device), sending the next as soon
 * as a response arrives.  After W seconds of warm-up, S seconds are
 * measured: every response in that window counts, its latency taken from
 * the moment its request was handed to the kernel to the moment its
 * response was parsed.  Then the step drains (no new requests).
 *
 * Open loop (--scanners): for each N in turn, connections 1..N behave like
 * scanners in use: each scans at random moments, on average one scan every
 * --interval seconds (exponential gaps, so the whole load is a Poisson
 * stream of N / T scans per second), whatever the server's speed.  A scan
 * that falls due while the scanner's previous one is unanswered waits for
 * it (a person waits for the beep) and is counted as "queued".
 *
 * --rss-pid: the server's VmRSS (/proc/PID/status) before the first
 * connection and after all of them are logged in and idle for --settle
 * seconds, and the difference per connection.
 *
 * A response is only "ok" with error nil; wmsd sends it only after the
 * booking is committed with fsync, so ok/s is durable bookings/s.  The
 * load generator knows nothing of wmsd beyond the protocol: bench_echo
 * (the floor) is driven the same way.
 *
 * Output: one table row per step; with --summary, machine-readable lines
 * ("<label> conns=... rps=... p50_ms=...", "<label>_open scanners=...",
 * "<label>_rss ...", "<label>_total ok=... unanswered=") are appended to
 * FILE for bench/run.sh.  Exit 0 when every response was ok and no
 * connection was lost, 1 otherwise, 2 on bad usage.
 *
 * A device that wmsd already knows (hello returns a non-empty resume) starts
 * its txn counter at the wall clock in microseconds, so a rerun against the
 * same database never replays stored outcomes instead of booking.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <msgpack.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 100000
#define MAX_PIPELINE 256
#define MAX_STEPS 16
#define MAX_LAT ((size_t)32 << 20) /* latency samples kept per step */
#define OUT_CAP ((size_t)1 << 20)  /* unsent bytes per connection */
#define MSG_CAP ((size_t)1 << 20)  /* largest message accepted from wmsd */
#define READ_CHUNK 16384
#define MAX_ERR_KINDS 32
#define PREFIX_MAX 32
#define EVENTS 512
#define LABEL_MAX 16
#define LATE_NS 5000000u /* a scan sent this much after it fell due is late */

enum { C_NEW, C_CONNECTING, C_HELLO, C_LOGIN, C_READY, C_DEAD };
enum { PH_SETUP, PH_WARMUP, PH_MEASURE, PH_DRAIN };
enum { MODE_CLOSED, MODE_OPEN };

typedef struct slot {
    uint32_t msgid; /* 0 = free */
    uint64_t t_ns;  /* when the request went to the kernel */
} slot;

typedef struct conn {
    int fd;
    int idx;
    int state;
    int active;   /* takes part in the current step */
    int want_out; /* EPOLLOUT is registered */
    uint32_t next_msgid;
    uint64_t next_txn;
    int nout; /* receive.scan requests outstanding */
    /* open loop */
    uint64_t due_ns; /* the next scan falls due then */
    int backlog;     /* scans due but not sent: the previous one is unanswered */
    slot *slots;
    msgpack_sbuffer wbuf; /* bytes not yet sent, from woff */
    size_t woff;
    msgpack_unpacker unp;
    int unp_ready;
    char device[PREFIX_MAX + 16];
} conn;

typedef struct errkind {
    char code[32];
    long n;
} errkind;

typedef struct opts {
    const char *host, *port, *user, *pin, *code, *bin, *prefix, *summary, *label;
    int steps[MAX_STEPS]; /* closed loop */
    int nsteps;
    int open[MAX_STEPS]; /* open loop: scanners */
    int nopen;
    int idle; /* at least this many connections */
    double seconds, warmup, setup_timeout, drain_timeout;
    double interval, open_seconds, open_warmup, settle;
    int pipeline, setup_parallel;
    long rss_pid;
} opts;

static opts o = {
    .host = "127.0.0.1",
    .port = NULL,
    .user = "rob",
    .pin = "1234",
    .code = "4006381333931",
    .bin = "P2",
    .prefix = "BENCH",
    .label = "wmsd",
    .steps = {16},
    .nsteps = 1,
    .seconds = 5,
    .warmup = 1,
    .setup_timeout = 300,
    .drain_timeout = 30,
    .pipeline = 1,
    .setup_parallel = 64,
    .interval = 6,
    .open_seconds = 30,
    .open_warmup = 5,
    .settle = 2,
};

/* Everything the loop shares. */
static struct {
    int ep;
    conn *c;
    int n; /* connections */
    struct addrinfo *addr;
    int phase;
    int mode;
    int ready, dead, setting_up;
    long outstanding;
    /* the current step's window */
    uint64_t *lat;
    size_t nlat, lat_cap, lat_dropped;
    long ok, errors, lost;
    errkind ek[MAX_ERR_KINDS + 1]; /* the last one is "OTHER" */
    int nek;
    long queued, late; /* open loop: scans that waited for the previous one / the timer */
    uint64_t max_lag_ns;
    /* open loop: connections by due time (a binary min-heap of indexes) */
    int *heap;
    int nheap;
    uint64_t rng;
    /* the whole run */
    long total_ok, total_errors, total_sent, total_lost, unanswered;
} g;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_wmsd: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* ---- errors by code ---------------------------------------------------- */

static void count_error(const char *code, size_t len)
{
    g.errors++;
    g.total_errors++;
    if (len >= sizeof(g.ek[0].code))
        len = sizeof(g.ek[0].code) - 1;
    for (int i = 0; i < g.nek; i++)
        if (strlen(g.ek[i].code) == len && !memcmp(g.ek[i].code, code, len)) {
            g.ek[i].n++;
            return;
        }
    errkind *e = g.nek < MAX_ERR_KINDS ? &g.ek[g.nek++] : &g.ek[MAX_ERR_KINDS];
    if (e == &g.ek[MAX_ERR_KINDS]) {
        snprintf(e->code, sizeof(e->code), "OTHER");
    } else {
        memcpy(e->code, code, len);
        e->code[len] = '\0';
    }
    e->n++;
}

/* ---- msgpack helpers --------------------------------------------------- */

static void pack_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

/* The value under string key `key` of map m, or NULL. */
static const msgpack_object *map_get(const msgpack_object *m, const char *key)
{
    if (m->type != MSGPACK_OBJECT_MAP)
        return NULL;
    size_t kl = strlen(key);
    for (uint32_t i = 0; i < m->via.map.size; i++) {
        const msgpack_object_kv *kv = &m->via.map.ptr[i];
        if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == kl &&
            !memcmp(kv->key.via.str.ptr, key, kl))
            return &kv->val;
    }
    return NULL;
}

/* Copies the "code" and "message" of an error map for messages. */
static void error_text(const msgpack_object *err, char *code, size_t cn, char *msg, size_t mn)
{
    const msgpack_object *c = map_get(err, "code"), *m = map_get(err, "message");
    snprintf(code, cn, "%.*s", c && c->type == MSGPACK_OBJECT_STR ? (int)c->via.str.size : 7,
             c && c->type == MSGPACK_OBJECT_STR ? c->via.str.ptr : "UNKNOWN");
    snprintf(msg, mn, "%.*s", m && m->type == MSGPACK_OBJECT_STR ? (int)m->via.str.size : 0,
             m && m->type == MSGPACK_OBJECT_STR ? m->via.str.ptr : "");
}

/* ---- connections ------------------------------------------------------- */

static void conn_events(conn *c, int out)
{
    if (c->want_out == out)
        return;
    struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0),
                             .data.u32 = (uint32_t)c->idx};
    if (epoll_ctl(g.ep, EPOLL_CTL_MOD, c->fd, &ev) < 0)
        fatal("epoll_ctl: %s", strerror(errno));
    c->want_out = out;
}

/* Marks c dead: closes the socket and forgets its outstanding requests
 * (counted as unanswered: wmsd may still have committed them). */
static void conn_dead(conn *c, const char *why)
{
    if (c->state == C_DEAD)
        return;
    int was_setup = c->state != C_READY;
    if (was_setup)
        fatal("%s: %s during setup", c->device, why);
    fprintf(stderr, "bench_wmsd: %s: connection lost: %s\n", c->device, why);
    g.lost++;
    g.total_lost++;
    g.unanswered += c->nout;
    g.outstanding -= c->nout;
    c->nout = 0;
    close(c->fd);
    c->fd = -1;
    c->state = C_DEAD;
    g.ready--;
    g.dead++;
}

/* Sends what is buffered; registers EPOLLOUT while anything is left. */
static void conn_flush(conn *c)
{
    while (c->woff < c->wbuf.size) {
        ssize_t n = send(c->fd, c->wbuf.data + c->woff, c->wbuf.size - c->woff, MSG_NOSIGNAL);
        if (n > 0) {
            c->woff += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            conn_events(c, 1);
            return;
        }
        if (n < 0 && errno == EINTR)
            continue;
        conn_dead(c, n < 0 ? strerror(errno) : "send returned 0");
        return;
    }
    c->wbuf.size = 0;
    c->woff = 0;
    conn_events(c, 0);
}

/* Starts a request [0, msgid, method, [{...}]] in c's buffer; the caller
 * packs the map's n_keys entries.  Returns the msgid. */
static uint32_t conn_request(conn *c, msgpack_packer *pk, const char *method, uint32_t n_keys)
{
    if (c->wbuf.size > OUT_CAP)
        fatal("%s: more than %zu bytes unsent: wmsd does not read", c->device, OUT_CAP);
    uint32_t id = c->next_msgid++;
    if (c->next_msgid == 0)
        c->next_msgid = 1;
    msgpack_packer_init(pk, &c->wbuf, msgpack_sbuffer_write);
    msgpack_pack_array(pk, 4);
    msgpack_pack_int(pk, 0);
    msgpack_pack_uint32(pk, id);
    pack_str(pk, method);
    msgpack_pack_array(pk, 1);
    msgpack_pack_map(pk, n_keys);
    return id;
}

static void send_hello(conn *c)
{
    msgpack_packer pk;
    conn_request(c, &pk, "hello", 3);
    pack_str(&pk, "device");
    pack_str(&pk, c->device);
    pack_str(&pk, "proto");
    msgpack_pack_int(&pk, 1);
    pack_str(&pk, "client");
    pack_str(&pk, "bench_wmsd/1");
    c->state = C_HELLO;
    conn_flush(c);
}

static void send_login(conn *c)
{
    msgpack_packer pk;
    conn_request(c, &pk, "login", 2);
    pack_str(&pk, "user");
    pack_str(&pk, o.user);
    pack_str(&pk, "pin");
    pack_str(&pk, o.pin);
    c->state = C_LOGIN;
    conn_flush(c);
}

/* Queues one receive.scan in a free slot (not flushed: the caller does). */
static void queue_scan(conn *c)
{
    slot *s = NULL;
    for (int i = 0; i < o.pipeline && s == NULL; i++)
        if (c->slots[i].msgid == 0)
            s = &c->slots[i];
    if (s == NULL)
        return;
    char txn[PREFIX_MAX + 48];
    snprintf(txn, sizeof(txn), "%s-%llu", c->device, (unsigned long long)c->next_txn++);
    msgpack_packer pk;
    s->msgid = conn_request(c, &pk, "receive.scan", 3);
    pack_str(&pk, "txn");
    pack_str(&pk, txn);
    pack_str(&pk, "code");
    pack_str(&pk, o.code);
    pack_str(&pk, "bin");
    pack_str(&pk, o.bin);
    s->t_ns = 0; /* set when flushed below */
    c->nout++;
    g.outstanding++;
    g.total_sent++;
}

/* Stamps c's newly queued requests with the time they are handed to the
 * kernel, then sends them. */
static void stamp_and_flush(conn *c)
{
    uint64_t t = now_ns();
    for (int i = 0; i < o.pipeline; i++)
        if (c->slots[i].msgid != 0 && c->slots[i].t_ns == 0)
            c->slots[i].t_ns = t;
    conn_flush(c);
}

/* Closed loop: keeps K requests outstanding on an active connection while
 * the step runs.  Open loop: sends the scans that are due and waiting,
 * while a slot is free. */
static void top_up(conn *c)
{
    if (c->state != C_READY || !c->active || (g.phase != PH_WARMUP && g.phase != PH_MEASURE))
        return;
    int before = c->nout;
    if (g.mode == MODE_OPEN) {
        while (c->backlog > 0 && c->nout < o.pipeline) {
            queue_scan(c);
            c->backlog--;
        }
    } else {
        while (c->nout < o.pipeline)
            queue_scan(c);
    }
    if (c->nout != before)
        stamp_and_flush(c);
}

/* ---- open loop: due times ------------------------------------------------ */

static uint64_t rng_next(void)
{
    uint64_t z = (g.rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* An exponential gap with mean --interval, in ns (capped at 20 means). */
static uint64_t exp_gap_ns(void)
{
    double u = ((double)(rng_next() >> 11) + 1.0) / 9007199254740992.0; /* (0, 1] */
    double gap = -log(u) * o.interval;
    if (gap > 20 * o.interval)
        gap = 20 * o.interval;
    return (uint64_t)(gap * 1e9);
}

static int heap_less(int a, int b)
{
    return g.c[g.heap[a]].due_ns < g.c[g.heap[b]].due_ns;
}

static void heap_swap(int a, int b)
{
    int t = g.heap[a];
    g.heap[a] = g.heap[b];
    g.heap[b] = t;
}

/* Adds connection idx (the heap has room for every connection). */
static void heap_push(int idx)
{
    int i = g.nheap++;
    g.heap[i] = idx;
    while (i > 0 && heap_less(i, (i - 1) / 2)) {
        heap_swap(i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

/* Removes the connection that is due first. */
static void heap_pop(void)
{
    g.heap[0] = g.heap[--g.nheap];
    for (int i = 0;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < g.nheap && heap_less(l, m))
            m = l;
        if (r < g.nheap && heap_less(r, m))
            m = r;
        if (m == i)
            break;
        heap_swap(i, m);
        i = m;
    }
}

/* Open loop: every scanner whose scan is due scans now (or queues the scan
 * behind its unanswered one) and draws its next due time. */
static void fire_due(void)
{
    if (g.phase != PH_WARMUP && g.phase != PH_MEASURE)
        return;
    uint64_t t = now_ns();
    while (g.nheap > 0 && g.c[g.heap[0]].due_ns <= t) {
        conn *c = &g.c[g.heap[0]];
        heap_pop();
        if (c->state != C_READY || !c->active)
            continue; /* lost: it drops out */
        if (g.phase == PH_MEASURE) {
            uint64_t lag = t - c->due_ns;
            if (lag > g.max_lag_ns)
                g.max_lag_ns = lag;
            if (lag > LATE_NS)
                g.late++;
            if (c->nout >= o.pipeline)
                g.queued++;
        }
        c->backlog++;
        top_up(c);
        c->due_ns += exp_gap_ns();
        heap_push(c->idx);
    }
}

static void record_latency(uint64_t ns)
{
    if (g.nlat == g.lat_cap) {
        size_t cap = g.lat_cap ? g.lat_cap * 2 : 65536;
        uint64_t *p = cap <= MAX_LAT ? realloc(g.lat, cap * sizeof(*p)) : NULL;
        if (p == NULL) {
            g.lat_dropped++;
            return;
        }
        g.lat = p;
        g.lat_cap = cap;
    }
    g.lat[g.nlat++] = ns;
}

/* A response to hello or login during setup; dies on an error. */
static void setup_response(conn *c, const msgpack_object *err, const msgpack_object *res)
{
    if (err->type != MSGPACK_OBJECT_NIL) {
        char code[32], msg[256];
        error_text(err, code, sizeof(code), msg, sizeof(msg));
        fatal("%s: %s refused: %s: %s", c->device, c->state == C_HELLO ? "hello" : "login", code,
              msg);
    }
    if (c->state == C_HELLO) {
        const msgpack_object *r = map_get(res, "resume");
        if (r != NULL && r->type == MSGPACK_OBJECT_MAP && r->via.map.size > 0) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            c->next_txn = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
        }
        send_login(c);
        return;
    }
    c->state = C_READY;
    g.ready++;
    g.setting_up--;
}

/* Handles one message from wmsd on c. */
static void on_message(conn *c, const msgpack_object *m)
{
    if (m->type != MSGPACK_OBJECT_ARRAY || m->via.array.size < 3 ||
        m->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
        conn_dead(c, "a message that is not MessagePack-RPC");
        return;
    }
    const msgpack_object *a = m->via.array.ptr;
    if (a[0].via.u64 == 2) { /* notification: wmsd is about to close */
        char code[32] = "?", msg[256] = "";
        if (m->via.array.size == 3 && a[2].type == MSGPACK_OBJECT_ARRAY && a[2].via.array.size == 1)
            error_text(&a[2].via.array.ptr[0], code, sizeof(code), msg, sizeof(msg));
        fprintf(stderr, "bench_wmsd: %s: notification %s: %s\n", c->device, code, msg);
        if (c->state != C_READY)
            fatal("%s: closed by wmsd during setup", c->device);
        return;
    }
    if (a[0].via.u64 != 1 || m->via.array.size != 4 ||
        a[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
        conn_dead(c, "not a response");
        return;
    }
    uint64_t id = a[1].via.u64;
    if (c->state == C_HELLO || c->state == C_LOGIN) {
        setup_response(c, &a[2], &a[3]);
        return;
    }
    slot *s = NULL;
    for (int i = 0; i < o.pipeline && s == NULL; i++)
        if (c->slots[i].msgid != 0 && c->slots[i].msgid == id)
            s = &c->slots[i];
    if (s == NULL) {
        conn_dead(c, "a response to no request");
        return;
    }
    uint64_t lat = now_ns() - s->t_ns;
    s->msgid = 0;
    c->nout--;
    g.outstanding--;
    int ok = a[2].type == MSGPACK_OBJECT_NIL;
    if (ok) {
        g.total_ok++;
    } else if (g.phase != PH_MEASURE) {
        g.total_errors++; /* outside the window: only the whole-run count */
    }
    if (g.phase == PH_MEASURE) {
        if (ok) {
            g.ok++;
            record_latency(lat);
        } else {
            const msgpack_object *code = map_get(&a[2], "code");
            if (code && code->type == MSGPACK_OBJECT_STR)
                count_error(code->via.str.ptr, code->via.str.size);
            else
                count_error("MALFORMED_ERROR", 15);
        }
    }
}

/* Reads what is available on c and handles every complete message. */
static void conn_read(conn *c)
{
    if (!msgpack_unpacker_reserve_buffer(&c->unp, READ_CHUNK))
        fatal("out of memory");
    ssize_t n =
        recv(c->fd, msgpack_unpacker_buffer(&c->unp), msgpack_unpacker_buffer_capacity(&c->unp), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        conn_dead(c, n == 0 ? "closed by wmsd" : strerror(errno));
        return;
    }
    msgpack_unpacker_buffer_consumed(&c->unp, (size_t)n);
    msgpack_unpacked res;
    msgpack_unpacked_init(&res);
    for (;;) {
        msgpack_unpack_return r = msgpack_unpacker_next(&c->unp, &res);
        if (r == MSGPACK_UNPACK_SUCCESS) {
            on_message(c, &res.data);
            if (c->state == C_DEAD)
                break;
            continue;
        }
        if (r == MSGPACK_UNPACK_CONTINUE) {
            if (msgpack_unpacker_message_size(&c->unp) > MSG_CAP)
                conn_dead(c, "a message over 1 MiB");
            break;
        }
        conn_dead(c, r == MSGPACK_UNPACK_NOMEM_ERROR ? "out of memory" : "bad MessagePack");
        break;
    }
    msgpack_unpacked_destroy(&res);
    if (c->state == C_READY)
        top_up(c);
    if (c->state != C_DEAD && c->wbuf.size > c->woff)
        conn_flush(c);
}

/* Begins a non-blocking connect for c. */
static void conn_start(conn *c)
{
    const struct addrinfo *ai = g.addr;
    c->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        fatal("socket: %s (connection %d)", strerror(errno), c->idx + 1);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)
        fatal("connect %s:%s: %s", o.host, o.port, strerror(errno));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)c->idx};
    if (epoll_ctl(g.ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
        fatal("epoll_ctl: %s", strerror(errno));
    c->want_out = 1;
    c->state = C_CONNECTING;
    g.setting_up++;
}

static void on_event(conn *c, uint32_t events)
{
    if (c->state == C_DEAD)
        return;
    if (c->state == C_CONNECTING) {
        int e = 0;
        socklen_t len = sizeof(e);
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
            e = errno;
        if (e != 0)
            fatal("connect %s:%s: %s", o.host, o.port, strerror(e));
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        send_hello(c);
        return;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
        conn_read(c);
    if (c->state != C_DEAD && (events & EPOLLOUT))
        conn_flush(c);
}

/* Runs the loop until `deadline` (ns) or until done() says so. */
static void loop_until(uint64_t deadline, int (*done)(void))
{
    struct epoll_event ev[EVENTS];
    for (;;) {
        uint64_t t = now_ns();
        if (t >= deadline || (done && done()))
            return;
        uint64_t left_ms = (deadline - t + 999999) / 1000000;
        int timeout = left_ms > 100 ? 100 : (int)left_ms;
        if (g.mode == MODE_OPEN && g.nheap > 0) {
            uint64_t due = g.c[g.heap[0]].due_ns;
            uint64_t due_ms = due <= t ? 0 : (due - t + 999999) / 1000000;
            if (due_ms < (uint64_t)timeout)
                timeout = (int)due_ms;
        }
        int n = epoll_wait(g.ep, ev, EVENTS, timeout);
        if (n < 0 && errno != EINTR)
            fatal("epoll_wait: %s", strerror(errno));
        for (int i = 0; i < n; i++)
            on_event(&g.c[ev[i].data.u32], ev[i].events);
        if (g.mode == MODE_OPEN)
            fire_due();
    }
}

/* ---- setup and steps --------------------------------------------------- */

static int next_to_start;

static int setup_done(void)
{
    while (g.setting_up < o.setup_parallel && next_to_start < g.n)
        conn_start(&g.c[next_to_start++]);
    return g.ready == g.n;
}

static int drained(void)
{
    return g.outstanding == 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pct_ms(double p)
{
    if (g.nlat == 0)
        return 0;
    long i = (long)ceil(p / 100.0 * (double)g.nlat) - 1;
    if (i < 0)
        i = 0;
    if ((size_t)i >= g.nlat)
        i = (long)g.nlat - 1;
    return (double)g.lat[i] / 1e6;
}

/* "12,345" into buf. */
static const char *grouped(double v, char *buf, size_t n)
{
    char raw[32];
    snprintf(raw, sizeof(raw), "%.0f", v);
    size_t len = strlen(raw), j = 0;
    for (size_t i = 0; i < len && j + 2 < n; i++) {
        buf[j++] = raw[i];
        if ((len - i - 1) % 3 == 0 && i + 1 < len)
            buf[j++] = ',';
    }
    buf[j] = '\0';
    return buf;
}

/* Starts a measured window: clears the counters of the last one. */
static void window_reset(void)
{
    g.nlat = 0;
    g.lat_dropped = 0;
    g.ok = g.errors = g.lost = 0;
    g.nek = 0;
    memset(g.ek, 0, sizeof(g.ek));
    g.queued = g.late = 0;
    g.max_lag_ns = 0;
}

typedef struct wstats {
    double secs, rps, p50, p90, p99, max;
} wstats;

/* Sorts the window's latencies and fills w. */
static void window_stats(double secs, wstats *w)
{
    if (g.nlat > 0)
        qsort(g.lat, g.nlat, sizeof(g.lat[0]), cmp_u64);
    w->secs = secs;
    w->rps = (double)g.ok / secs;
    w->p50 = pct_ms(50);
    w->p90 = pct_ms(90);
    w->p99 = pct_ms(99);
    w->max = pct_ms(100);
}

/* Prints the window's errors by code and any latency not kept. */
static void window_notes(void)
{
    for (int i = 0; i <= MAX_ERR_KINDS; i++)
        if (g.ek[i].n > 0)
            printf("        errors %s: %ld\n", g.ek[i].code, g.ek[i].n);
    if (g.lat_dropped)
        printf("        (latency of %zu responses not kept: sample cap)\n", g.lat_dropped);
    fflush(stdout);
}

/* Ends a step: no new requests; waits for the outstanding ones. */
static void drain(void)
{
    g.phase = PH_DRAIN;
    loop_until(now_ns() + (uint64_t)(o.drain_timeout * 1e9), drained);
    if (g.outstanding > 0)
        fprintf(stderr, "bench_wmsd: %ld requests still unanswered after %.0f s\n", g.outstanding,
                o.drain_timeout);
}

/* Closed loop: runs one step with the first `conns` connections; prints
 * its row. */
static void run_step(int conns, FILE *summary)
{
    for (int i = 0; i < g.n; i++)
        g.c[i].active = i < conns;
    g.mode = MODE_CLOSED;
    g.phase = PH_WARMUP;
    for (int i = 0; i < conns; i++)
        top_up(&g.c[i]);
    loop_until(now_ns() + (uint64_t)(o.warmup * 1e9), NULL);

    window_reset();
    g.phase = PH_MEASURE;
    uint64_t t0 = now_ns();
    loop_until(t0 + (uint64_t)(o.seconds * 1e9), NULL);
    double secs = (double)(now_ns() - t0) / 1e9;
    drain();

    wstats w;
    window_stats(secs, &w);
    char b1[32], b2[32];
    printf("%7d %8d %11s %7ld %5ld %11s %8.2f %8.2f %8.2f %8.2f\n", conns, o.pipeline,
           grouped((double)g.ok, b1, sizeof(b1)), g.errors, g.lost, grouped(w.rps, b2, sizeof(b2)),
           w.p50, w.p90, w.p99, w.max);
    window_notes();
    if (summary) {
        fprintf(summary,
                "%s conns=%d pipeline=%d secs=%.3f ok=%ld errors=%ld lost=%ld rps=%.1f "
                "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
                o.label, conns, o.pipeline, secs, g.ok, g.errors, g.lost, w.rps, w.p50, w.p90,
                w.p99, w.max);
        fflush(summary);
    }
}

/* Open loop: the first `scanners` connections scan at random moments, on
 * average every --interval seconds each; prints the step's row. */
static void run_open_step(int scanners, FILE *summary)
{
    g.nheap = 0;
    g.mode = MODE_OPEN;
    g.phase = PH_WARMUP;
    uint64_t t = now_ns();
    for (int i = 0; i < g.n; i++) {
        conn *c = &g.c[i];
        c->active = i < scanners;
        c->backlog = 0;
        if (c->active && c->state == C_READY) {
            c->due_ns = t + exp_gap_ns();
            heap_push(i);
        }
    }
    loop_until(t + (uint64_t)(o.open_warmup * 1e9), NULL);

    window_reset();
    g.phase = PH_MEASURE;
    uint64_t t0 = now_ns();
    loop_until(t0 + (uint64_t)(o.open_seconds * 1e9), NULL);
    double secs = (double)(now_ns() - t0) / 1e9;
    g.nheap = 0;
    for (int i = 0; i < g.n; i++)
        g.c[i].backlog = 0;
    drain();
    g.mode = MODE_CLOSED;

    wstats w;
    window_stats(secs, &w);
    double offered = scanners / o.interval;
    char b1[32], b2[32], b3[32];
    printf("%8d %8.1f %9s %10s %7ld %5ld %9s %8.2f %8.2f %8.2f %8.2f %7ld\n", scanners, o.interval,
           grouped(offered, b3, sizeof(b3)), grouped((double)g.ok, b1, sizeof(b1)), g.errors,
           g.lost, grouped(w.rps, b2, sizeof(b2)), w.p50, w.p90, w.p99, w.max, g.queued);
    if (g.late > 0)
        printf("        %ld scans left this client more than %u ms late (at most %.1f ms): the "
               "client was busy\n",
               g.late, LATE_NS / 1000000u, (double)g.max_lag_ns / 1e6);
    window_notes();
    if (summary) {
        fprintf(summary,
                "%s_open scanners=%d interval_s=%.3f secs=%.3f offered_rps=%.1f ok=%ld errors=%ld "
                "lost=%ld rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f queued=%ld "
                "late=%ld max_lag_ms=%.3f\n",
                o.label, scanners, o.interval, secs, offered, g.ok, g.errors, g.lost, w.rps, w.p50,
                w.p90, w.p99, w.max, g.queued, g.late, (double)g.max_lag_ns / 1e6);
        fflush(summary);
    }
}

/* The VmRSS of process pid in KiB (from /proc/PID/status), or -1. */
static long rss_kb(long pid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%ld/status", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    long kb = -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (!strncmp(line, "VmRSS:", 6)) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* ---- options ------------------------------------------------------------ */

static void usage(void)
{
    fprintf(stderr,
            "usage: bench_wmsd --port P [--host H] [--conns N[,N...]|none] [--seconds S] "
            "[--warmup W]\n"
            "                  [--pipeline K] [--user U] [--pin PIN] [--code C] [--bin B]\n"
            "                  [--device-prefix P] [--setup-timeout S] [--setup-parallel N]\n"
            "                  [--drain-timeout S] [--summary FILE] [--label NAME]\n"
            "                  [--scanners N[,N...]|none] [--interval T] [--open-seconds S]\n"
            "                  [--open-warmup W] [--idle N] [--rss-pid PID] [--settle S]\n");
    exit(2);
}

static double num_arg(const char *v, double min, double max)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !(x >= min && x <= max)) {
        fprintf(stderr, "bench_wmsd: bad number '%s' (%g..%g)\n", v, min, max);
        usage();
    }
    return x;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* "N[,N...]" (sorted ascending) or "none" into list[0..*n). */
static void parse_list(const char *v, int *list, int *n)
{
    char buf[256];
    *n = 0;
    if (!strcmp(v, "none"))
        return;
    if (strlen(v) >= sizeof(buf))
        usage();
    strcpy(buf, v);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n == MAX_STEPS)
            usage();
        list[(*n)++] = (int)num_arg(t, 1, MAX_CONNS);
    }
    if (*n == 0)
        usage();
    qsort(list, (size_t)*n, sizeof(list[0]), cmp_int);
}

static void parse_opts(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help"))
            usage();
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--host"))
            o.host = v;
        else if (!strcmp(a, "--port"))
            o.port = v;
        else if (!strcmp(a, "--conns"))
            parse_list(v, o.steps, &o.nsteps);
        else if (!strcmp(a, "--scanners"))
            parse_list(v, o.open, &o.nopen);
        else if (!strcmp(a, "--interval"))
            o.interval = num_arg(v, 0.01, 3600);
        else if (!strcmp(a, "--open-seconds"))
            o.open_seconds = num_arg(v, 0.1, 3600);
        else if (!strcmp(a, "--open-warmup"))
            o.open_warmup = num_arg(v, 0, 600);
        else if (!strcmp(a, "--idle"))
            o.idle = (int)num_arg(v, 0, MAX_CONNS);
        else if (!strcmp(a, "--rss-pid"))
            o.rss_pid = (long)num_arg(v, 1, 4194304);
        else if (!strcmp(a, "--settle"))
            o.settle = num_arg(v, 0, 600);
        else if (!strcmp(a, "--label"))
            o.label = v;
        else if (!strcmp(a, "--seconds"))
            o.seconds = num_arg(v, 0.1, 3600);
        else if (!strcmp(a, "--warmup"))
            o.warmup = num_arg(v, 0, 600);
        else if (!strcmp(a, "--pipeline"))
            o.pipeline = (int)num_arg(v, 1, MAX_PIPELINE);
        else if (!strcmp(a, "--user"))
            o.user = v;
        else if (!strcmp(a, "--pin"))
            o.pin = v;
        else if (!strcmp(a, "--code"))
            o.code = v;
        else if (!strcmp(a, "--bin"))
            o.bin = v;
        else if (!strcmp(a, "--device-prefix"))
            o.prefix = v;
        else if (!strcmp(a, "--setup-timeout"))
            o.setup_timeout = num_arg(v, 1, 3600);
        else if (!strcmp(a, "--setup-parallel"))
            o.setup_parallel = (int)num_arg(v, 1, 10000);
        else if (!strcmp(a, "--drain-timeout"))
            o.drain_timeout = num_arg(v, 1, 3600);
        else if (!strcmp(a, "--summary"))
            o.summary = v;
        else
            usage();
    }
    if (o.port == NULL || (o.nsteps == 0 && o.nopen == 0 && o.idle == 0))
        usage();
    size_t ll = strlen(o.label);
    if (ll == 0 || ll > LABEL_MAX ||
        strspn(o.label, "abcdefghijklmnopqrstuvwxyz0123456789_") != ll) {
        fprintf(stderr, "bench_wmsd: --label: 1..%d of [a-z0-9_]\n", LABEL_MAX);
        exit(2);
    }
    if (strlen(o.prefix) == 0 || strlen(o.prefix) > PREFIX_MAX || strlen(o.code) > 4096 ||
        strlen(o.bin) > 256 || strlen(o.user) > 256 || strlen(o.pin) > 64) {
        fprintf(stderr, "bench_wmsd: an option value is too long (device prefix: 1..%d)\n",
                PREFIX_MAX);
        exit(2);
    }
}

/* Raises the open-file limit to its hard limit; dies if `need` won't fit. */
static void raise_nofile(int need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        fatal("getrlimit: %s", strerror(errno));
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)need + 16)
        fatal("%d connections need %d open files; the limit is %llu (ulimit -Hn)", need, need + 16,
              (unsigned long long)rl.rlim_cur);
}

int main(int argc, char **argv)
{
    parse_opts(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    g.n = o.idle;
    if (o.nsteps > 0 && o.steps[o.nsteps - 1] > g.n)
        g.n = o.steps[o.nsteps - 1];
    if (o.nopen > 0 && o.open[o.nopen - 1] > g.n)
        g.n = o.open[o.nopen - 1];
    raise_nofile(g.n);
    g.rng = 20261123;

    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    int rc = getaddrinfo(o.host, o.port, &hints, &g.addr);
    if (rc != 0)
        fatal("%s:%s: %s", o.host, o.port, gai_strerror(rc));
    if ((g.ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
        fatal("epoll_create1: %s", strerror(errno));
    g.c = calloc((size_t)g.n, sizeof(*g.c));
    g.heap = calloc((size_t)g.n, sizeof(*g.heap));
    if (g.c == NULL || g.heap == NULL)
        fatal("out of memory");
    for (int i = 0; i < g.n; i++) {
        conn *c = &g.c[i];
        c->idx = i;
        c->fd = -1;
        c->next_msgid = 1;
        c->next_txn = 1;
        snprintf(c->device, sizeof(c->device), "%s-%d", o.prefix, i + 1);
        c->slots = calloc((size_t)o.pipeline, sizeof(*c->slots));
        msgpack_sbuffer_init(&c->wbuf);
        if (c->slots == NULL || !msgpack_unpacker_init(&c->unp, 4096))
            fatal("out of memory");
        c->unp_ready = 1;
    }
    FILE *summary = NULL;
    if (o.summary && (summary = fopen(o.summary, "a")) == NULL)
        fatal("%s: %s", o.summary, strerror(errno));

    long rss0 = 0;
    if (o.rss_pid && (rss0 = rss_kb(o.rss_pid)) < 0)
        fatal("cannot read VmRSS of process %ld", o.rss_pid);

    /* Setup: connect, hello, login - not timed as throughput.  A progress
     * line every 30 s: 10,000 PIN checks take minutes. */
    uint64_t t0 = now_ns(), setup_end = t0 + (uint64_t)(o.setup_timeout * 1e9);
    for (;;) {
        uint64_t chunk = now_ns() + 30000000000u;
        loop_until(chunk < setup_end ? chunk : setup_end, setup_done);
        if (g.ready == g.n || now_ns() >= setup_end)
            break;
        printf("bench_wmsd (%s): %d of %d connections logged in after %.0f s\n", o.label, g.ready,
               g.n, (double)(now_ns() - t0) / 1e9);
        fflush(stdout);
    }
    if (g.ready < g.n)
        fatal("only %d of %d connections logged in within %.0f s", g.ready, g.n, o.setup_timeout);
    double setup_s = (double)(now_ns() - t0) / 1e9;
    printf("bench_wmsd (%s): %d connections to %s:%s logged in as %s in %.1f s\n", o.label, g.n,
           o.host, o.port, o.user, setup_s);
    fflush(stdout);
    if (summary)
        fprintf(summary, "%s_setup conns=%d secs=%.1f\n", o.label, g.n, setup_s);
    if (o.rss_pid) {
        loop_until(now_ns() + (uint64_t)(o.settle * 1e9), NULL); /* all idle */
        long rss = rss_kb(o.rss_pid);
        if (rss < 0)
            fatal("cannot read VmRSS of process %ld", o.rss_pid);
        double per = (double)(rss - rss0) * 1024.0 / g.n;
        printf("server memory (pid %ld): VmRSS %.1f MiB with no connection, %.1f MiB with %d idle "
               "logged-in connections: %.0f bytes per connection\n",
               o.rss_pid, rss0 / 1024.0, rss / 1024.0, g.n, per);
        if (summary)
            fprintf(summary, "%s_rss conns=%d rss0_kb=%ld rss_kb=%ld per_conn_b=%.0f\n", o.label,
                    g.n, rss0, rss, per);
    }
    if (o.nsteps > 0) {
        printf("closed loop: durable receive.scan (one unit of %s into %s, a unique txn each); "
               "%.0f s warm-up, %.0f s measured per row; latency in ms\n",
               o.code, o.bin, o.warmup, o.seconds);
        printf("%7s %8s %11s %7s %5s %11s %8s %8s %8s %8s\n", "conns", "pipeline", "completed",
               "errors", "lost", "req/s", "p50", "p90", "p99", "max");
        fflush(stdout);
    }
    for (int s = 0; s < o.nsteps; s++)
        run_step(o.steps[s], summary);
    if (o.nopen > 0) {
        printf("open loop: each scanner scans on average every %.1f s (exponential gaps); "
               "%.0f s warm-up, %.0f s measured per row; latency in ms\n",
               o.interval, o.open_warmup, o.open_seconds);
        printf("%8s %8s %9s %10s %7s %5s %9s %8s %8s %8s %8s %7s\n", "scanners", "every s",
               "offered/s", "completed", "errors", "lost", "ok/s", "p50", "p90", "p99", "max",
               "queued");
        fflush(stdout);
    }
    for (int s = 0; s < o.nopen; s++)
        run_open_step(o.open[s], summary);

    if (summary) {
        fprintf(summary, "%s_total sent=%ld ok=%ld errors=%ld lost=%ld unanswered=%ld\n", o.label,
                g.total_sent, g.total_ok, g.total_errors, g.total_lost,
                g.unanswered + g.outstanding);
        fclose(summary);
    }
    for (int i = 0; i < g.n; i++) {
        conn *c = &g.c[i];
        if (c->fd >= 0)
            close(c->fd);
        free(c->slots);
        msgpack_sbuffer_destroy(&c->wbuf);
        if (c->unp_ready)
            msgpack_unpacker_destroy(&c->unp);
    }
    free(g.c);
    free(g.heap);
    free(g.lat);
    freeaddrinfo(g.addr);
    close(g.ep);
    return g.total_errors == 0 && g.total_lost == 0 ? 0 : 1;
}
