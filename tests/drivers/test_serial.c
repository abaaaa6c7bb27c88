/*
 * test_serial.c - the serial transport (drivers/serial.c) end to end over
 * pseudo-terminals, through the real libserialport.
 *
 * How the real libserialport runs over a pty
 * ------------------------------------------
 * Debian's libserialport 0.1.1 refuses ptys: sp_get_port_by_name looks for
 * /sys/class/tty/pts/N, and sp_open's configuration issues TIOCMGET, which
 * the pty driver lacks.  serial_pty_shim.c (#included below) interposes the
 * three libc functions involved (__lxstat, readlink, ioctl) in this
 * executable and fakes exactly those answers for ptys; all other calls go to
 * libc.  So the code under test runs libserialport's own sp_get_port_by_name,
 * sp_open, sp_set_baudrate/bits/parity/stopbits/flowcontrol (tcsetattr on
 * the pty), sp_get_port_handle, sp_nonblocking_read/write, sp_blocking_write
 * and sp_blocking_read_next unchanged.  test_roundtrip asserts that the
 * shim saw TIOCMGET on the very descriptor the server polls, and that this
 * descriptor is the pty the server was told to open.  The shim also
 * interposes read/write to inject EAGAIN on one chosen descriptor
 * (test_spurious_eagain: spurious wake-ups under libserialport).
 *
 * The wiring: two pty pairs A and B.  The server (wms_serial_open) opens
 * slave A on a libuv loop in its own thread; the client
 * (wms_serial_client_*, blocking) opens slave B in the test thread; a
 * bridge thread copies bytes between master A and master B with
 * non-blocking writes.  When slave B closes (the client hangs up), the
 * bridge closes master A, so the server sees a real tty hang-up.  A hang-up
 * of A is not propagated, so a client can still read what the server wrote
 * before it closed.  cmocka assertions run only in the test thread; the
 * server thread records what happened under a mutex.  Every wait has a
 * timeout, and the server loop has a watchdog timer.
 */
#define _GNU_SOURCE /* posix_openpt, ptsname_r */
#include "serial_pty_shim.c"

#include "helpers.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>

#include <uv.h>

#include "frame.h"
#include "serial.h"

#define WAIT_MS 3000
#define WATCHDOG_MS 15000
#define FLOOD_MSG 4000

/* ------------------------------------------------------------------------ */
/* Pseudo-terminals and the bridge                                          */
/* ------------------------------------------------------------------------ */

typedef struct {
    int master;
    char path[64];
} pty_t;

static void pty_make(pty_t *p)
{
    p->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    assert_true(p->master >= 0);
    assert_int_equal(grantpt(p->master), 0);
    assert_int_equal(unlockpt(p->master), 0);
    assert_int_equal(ptsname_r(p->master, p->path, sizeof(p->path)), 0);
}

typedef struct {
    int fd[2];   /* master A (server side), master B (client side) */
    int stop[2]; /* pipe: a byte stops the thread */
    pthread_t th;
    uint8_t buf[2][4096]; /* buf[i]: read from fd[i], to write to fd[1 - i] */
    size_t off[2], len[2];
    int eof[2]; /* fd[i]'s slave closed */
    int stopped;
} bridge_t;

/* Copies both ways until told to stop.  Slave B closing closes master A
 * (the server sees a hang-up); slave A closing just stops reading A.  Data
 * for a closed slave, or that a master refuses with an error, is dropped. */
static void *bridge_main(void *arg)
{
    bridge_t *b = arg;
    int hup_wait[2] = {0, 0}; /* master i hung up while its buffer is full */
    for (;;) {
        struct pollfd pf[3];
        for (int i = 0; i < 2; i++) {
            int o = 1 - i;
            short ev = 0;
            if (b->fd[i] < 0 || b->eof[i])
                b->off[o] = b->len[o] = 0; /* nobody to deliver to */
            if (b->fd[i] >= 0 && !b->eof[i] && b->len[i] == 0)
                ev |= POLLIN;
            if (b->fd[i] >= 0 && !b->eof[i] && b->len[o] > b->off[o])
                ev |= POLLOUT;
            /* POLLHUP is reported whatever we ask: leave a hung-up master
             * alone until there is room to read the rest of it. */
            int skip = ev == 0 || (hup_wait[i] && !(ev & POLLIN));
            pf[i].fd = skip ? -1 : b->fd[i];
            pf[i].events = ev;
            pf[i].revents = 0;
        }
        pf[2].fd = b->stop[0];
        pf[2].events = POLLIN;
        pf[2].revents = 0;
        if (poll(pf, 3, 200) < 0 && errno != EINTR)
            break;
        if (pf[2].revents != 0)
            break;
        for (int i = 0; i < 2; i++) {
            int o = 1 - i;
            if (pf[i].fd < 0 || pf[i].revents == 0)
                continue;
            if ((pf[i].revents & POLLHUP) && b->len[i] != 0)
                hup_wait[i] = 1;
            if ((pf[i].revents & (POLLIN | POLLHUP | POLLERR)) && b->len[i] == 0) {
                ssize_t r = read(b->fd[i], b->buf[i], sizeof(b->buf[i]));
                if (r > 0) {
                    b->len[i] = (size_t)r;
                    b->off[i] = 0;
                    hup_wait[i] = 0;
                } else if (r == 0 || errno != EAGAIN) {
                    b->eof[i] = 1; /* slave i closed */
                    if (i == 1 && b->fd[0] >= 0) {
                        close(b->fd[0]); /* propagate the client's hang-up */
                        b->fd[0] = -1;
                    }
                    continue;
                }
            }
            if ((pf[i].revents & POLLOUT) && b->len[o] > b->off[o]) {
                ssize_t w = write(b->fd[i], b->buf[o] + b->off[o], b->len[o] - b->off[o]);
                if (w > 0)
                    b->off[o] += (size_t)w;
                if (b->off[o] == b->len[o] || (w < 0 && errno != EAGAIN))
                    b->off[o] = b->len[o] = 0;
            }
        }
    }
    return NULL;
}

static void bridge_start(bridge_t *b, int ma, int mb)
{
    memset(b, 0, sizeof(*b));
    b->fd[0] = ma;
    b->fd[1] = mb;
    assert_int_equal(pipe(b->stop), 0);
    assert_int_equal(pthread_create(&b->th, NULL, bridge_main, b), 0);
}

/* Stops the thread and closes both masters (hanging up both slaves). */
static void bridge_stop(bridge_t *b)
{
    if (b->stopped)
        return;
    b->stopped = 1;
    char x = 1;
    assert_int_equal(write(b->stop[1], &x, 1), 1);
    pthread_join(b->th, NULL);
    close(b->stop[0]);
    close(b->stop[1]);
    for (int i = 0; i < 2; i++)
        if (b->fd[i] >= 0)
            close(b->fd[i]);
}

/* ------------------------------------------------------------------------ */
/* The server thread: a libuv loop with one serial port and a test sink     */
/* ------------------------------------------------------------------------ */

typedef struct {
    /* set before start */
    char spec[80];
    wms_transport_limits limits;
    /* shared, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ready, open_rc, poll_fd, stopping, finished, timed_out, loop_close_rc;
    wms_error open_err;
    int opened, closed, messages;
    char kind[8], peer[64];
    int send_err;   /* first failed send's code */
    int flood_msgs; /* flood messages accepted */
    size_t queued_at_err;
    wms_serial_stats_t stats; /* snapshot after each message, at close, at stop */
    /* loop thread only */
    pthread_t th;
    uv_loop_t loop;
    uv_async_t stop;
    uv_timer_t watchdog, flood;
    wms_serial_port *port;
    wms_conn *conn;
} srv_t;

static void srv_snapshot(srv_t *s)
{
    if (s->port != NULL)
        wms_serial_stats(s->port, &s->stats);
}

static void *sink_open(void *ctx, wms_conn *c)
{
    srv_t *s = ctx;
    pthread_mutex_lock(&s->mu);
    s->opened++;
    s->conn = c;
    snprintf(s->kind, sizeof(s->kind), "%s", c->kind);
    snprintf(s->peer, sizeof(s->peer), "%s", c->peer);
    pthread_mutex_unlock(&s->mu);
    return s;
}

static void note_send(srv_t *s, int rc)
{
    if (rc < 0 && s->send_err == 0) {
        s->send_err = rc;
        s->queued_at_err = s->conn->vt->queued(s->conn);
    }
}

/* Flood: sends FLOOD_MSG-byte messages, 4 per millisecond, until a send is
 * refused; then closes the connection like a session would. */
static void on_flood(uv_timer_t *t)
{
    srv_t *s = t->data;
    static uint8_t msg[FLOOD_MSG];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 7);
    for (int k = 0; k < 4; k++) {
        int rc = s->conn->vt->send(s->conn, msg, sizeof(msg));
        pthread_mutex_lock(&s->mu);
        if (rc == 0)
            s->flood_msgs++;
        note_send(s, rc);
        pthread_mutex_unlock(&s->mu);
        if (rc < 0) {
            uv_timer_stop(t);
            s->conn->vt->close(s->conn, "output queue over its cap");
            return;
        }
    }
}

static int sink_message(void *session, const uint8_t *p, size_t n)
{
    srv_t *s = session;
    int rc = 0;
    if (n == 5 && memcmp(p, "flood", 5) == 0) {
        uv_timer_start(&s->flood, on_flood, 1, 1);
    } else if (n == 3 && memcmp(p, "bye", 3) == 0) {
        rc = s->conn->vt->send(s->conn, (const uint8_t *)"ok", 2);
        s->conn->vt->close(s->conn, "bye");
        /* After close, send is refused. */
        if (s->conn->vt->send(s->conn, (const uint8_t *)"late", 4) != WMS_ECLOSED)
            rc = WMS_EBAD_ARGS;
    } else {
        rc = s->conn->vt->send(s->conn, p, n); /* echo */
    }
    pthread_mutex_lock(&s->mu);
    s->messages++;
    note_send(s, rc);
    srv_snapshot(s);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static void sink_closed(void *session)
{
    srv_t *s = session;
    pthread_mutex_lock(&s->mu);
    s->closed++;
    srv_snapshot(s);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

static void srv_shutdown(srv_t *s)
{
    pthread_mutex_lock(&s->mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->mu);
        return;
    }
    s->stopping = 1;
    srv_snapshot(s);
    pthread_mutex_unlock(&s->mu);
    wms_serial_close(s->port); /* may call sink_closed */
    s->port = NULL;
    uv_close((uv_handle_t *)&s->stop, NULL);
    uv_close((uv_handle_t *)&s->watchdog, NULL);
    uv_close((uv_handle_t *)&s->flood, NULL);
}

static void on_stop(uv_async_t *a)
{
    srv_shutdown(a->data);
}

static void on_watchdog(uv_timer_t *t)
{
    srv_t *s = t->data;
    pthread_mutex_lock(&s->mu);
    s->timed_out = 1;
    pthread_mutex_unlock(&s->mu);
    srv_shutdown(s);
}

static void *srv_main(void *arg)
{
    srv_t *s = arg;
    uv_loop_init(&s->loop);
    uv_async_init(&s->loop, &s->stop, on_stop);
    uv_timer_init(&s->loop, &s->watchdog);
    uv_timer_init(&s->loop, &s->flood);
    s->stop.data = s->watchdog.data = s->flood.data = s;
    uv_timer_start(&s->watchdog, on_watchdog, WATCHDOG_MS, 0);

    wms_sink sink = {.ctx = s, .open = sink_open, .message = sink_message, .closed = sink_closed};
    wms_error err = {0};
    wms_serial_port *port = NULL;
    int rc = wms_serial_open(&s->loop, s->spec, &sink, &s->limits, &port, &err);
    s->port = port;
    pthread_mutex_lock(&s->mu);
    s->open_rc = rc;
    s->open_err = err;
    s->poll_fd = wms_serial_fd(port);
    s->ready = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    if (rc < 0)
        srv_shutdown(s);
    uv_run(&s->loop, UV_RUN_DEFAULT);
    int lc = uv_loop_close(&s->loop);
    pthread_mutex_lock(&s->mu);
    s->loop_close_rc = lc;
    s->finished = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

typedef int (*srv_pred)(const srv_t *s);

/* Waits until pred(s) holds (checked under the mutex) or ms pass. */
static int srv_wait(srv_t *s, srv_pred pred, int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&s->mu);
    while (!pred(s))
        if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) != 0)
            break;
    int ok = pred(s);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

static int pred_ready(const srv_t *s)
{
    return s->ready;
}
static int pred_closed(const srv_t *s)
{
    return s->closed > 0;
}
static int pred_send_err(const srv_t *s)
{
    return s->send_err != 0;
}

static void srv_start(srv_t *s, const char *path, const wms_transport_limits *lim)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->spec, sizeof(s->spec), "%s@115200", path);
    if (lim != NULL)
        s->limits = *lim;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
    assert_true(srv_wait(s, pred_ready, WAIT_MS));
}

/* Stops the loop thread (closing the port) and joins it. */
static void srv_stop(srv_t *s)
{
    pthread_mutex_lock(&s->mu);
    if (!s->stopping)
        uv_async_send(&s->stop);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->th, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    assert_false(s->timed_out);
    assert_int_equal(s->loop_close_rc, 0);
}

/* ------------------------------------------------------------------------ */
/* Fixture: server on slave A, client on slave B, bridge between masters    */
/* ------------------------------------------------------------------------ */

typedef struct {
    pty_t a, b;
    srv_t srv;
    bridge_t br;
    wms_serial_client *cl;
} fx_t;

static void fx_start(fx_t *f, const wms_transport_limits *lim)
{
    memset(f, 0, sizeof(*f));
    pty_make(&f->a);
    pty_make(&f->b);
    srv_start(&f->srv, f->a.path, lim);
    assert_int_equal(f->srv.open_rc, 0);
    wms_error err = {0};
    char spec[80];
    snprintf(spec, sizeof(spec), "%s@115200", f->b.path);
    int rc = wms_serial_client_open(spec, &f->cl, &err);
    if (rc != 0)
        fail_msg("client open: %s", err.msg);
    bridge_start(&f->br, f->a.master, f->b.master);
}

static void fx_stop(fx_t *f)
{
    srv_stop(&f->srv);
    wms_serial_client_close(f->cl);
    f->cl = NULL;
    bridge_stop(&f->br);
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(rand() >> 5);
}

/* Receives one message and checks it equals want. */
static void expect_msg(wms_serial_client *cl, const uint8_t *want, size_t n)
{
    size_t cap = n + 16;
    uint8_t *got = malloc(cap);
    assert_non_null(got);
    wms_error err = {0};
    int r = wms_serial_client_recv(cl, got, cap, WAIT_MS, &err);
    if (r < 0)
        fail_msg("recv: %s", err.msg);
    assert_int_equal(r, (int)n);
    assert_memory_equal(got, want, n);
    free(got);
}

static void send_msg(wms_serial_client *cl, const uint8_t *m, size_t n)
{
    wms_error err = {0};
    int rc = wms_serial_client_send(cl, m, n, &err);
    if (rc != 0)
        fail_msg("send: %s", err.msg);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

/* (1) Several messages, including one of 60 KiB, echo back intact; the
 * connection is described right; the real libserialport path ran. */
static void test_roundtrip(void **state)
{
    (void)state;
    srand(42);
    unsigned long tiocm_before = __atomic_load_n(&shim_tiocmget_seen, __ATOMIC_RELAXED);
    unsigned long lx_before = __atomic_load_n(&shim_lxstat_faked, __ATOMIC_RELAXED);
    unsigned long rl_before = __atomic_load_n(&shim_readlink_faked, __ATOMIC_RELAXED);
    fx_t f;
    fx_start(&f, NULL);

    /* The shim was needed and used: sysfs lookup faked for both ports,
     * TIOCMGET issued by sp_open/sp_set_* on the fd the server polls, and
     * that fd is slave A. */
    assert_true(__atomic_load_n(&shim_lxstat_faked, __ATOMIC_RELAXED) >= lx_before + 2);
    assert_true(__atomic_load_n(&shim_readlink_faked, __ATOMIC_RELAXED) >= rl_before + 2);
    assert_true(__atomic_load_n(&shim_tiocmget_seen, __ATOMIC_RELAXED) > tiocm_before);
    assert_true(__atomic_load_n(&shim_tiocm_faked, __ATOMIC_RELAXED) > 0);
    assert_true(f.srv.poll_fd >= 0);
    assert_true(shim_saw_fd(f.srv.poll_fd));
    char link[64], target[64];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", f.srv.poll_fd);
    ssize_t tl = readlink(link, target, sizeof(target) - 1);
    assert_true(tl > 0);
    target[tl] = '\0';
    assert_string_equal(target, f.a.path);
    /* sp_open configured the line raw, as the transport needs. */
    struct termios tio;
    int probe = open(f.a.path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    assert_true(probe >= 0);
    assert_int_equal(tcgetattr(probe, &tio), 0);
    close(probe);
    assert_int_equal(tio.c_lflag & (ICANON | ECHO), 0);
    assert_int_equal(tio.c_cflag & CSIZE, CS8);
    assert_int_equal(tio.c_cflag & (PARENB | CSTOPB | CRTSCTS), 0);
    assert_int_equal(cfgetospeed(&tio), B115200);

    assert_int_equal(f.srv.opened, 1);
    assert_string_equal(f.srv.kind, "serial");
    assert_string_equal(f.srv.peer, f.a.path);

    /* A burst of small messages (zeros, 254/255-byte COBS edges), then all
     * the echoes in order. */
    static const size_t sizes[] = {1, 2, 17, 253, 254, 255, 508, 1000};
    enum { NS = sizeof(sizes) / sizeof(sizes[0]) };
    uint8_t *msgs[NS];
    for (int i = 0; i < NS; i++) {
        msgs[i] = malloc(sizes[i]);
        assert_non_null(msgs[i]);
        fill_random(msgs[i], sizes[i]);
        if (sizes[i] > 3)
            msgs[i][3] = 0;
        send_msg(f.cl, msgs[i], sizes[i]);
    }
    for (int i = 0; i < NS; i++) {
        expect_msg(f.cl, msgs[i], sizes[i]);
        free(msgs[i]);
    }

    /* One of 60 KiB, with runs of zeros and of 0xff. */
    size_t big_n = 60 * 1024;
    uint8_t *big = malloc(big_n);
    assert_non_null(big);
    fill_random(big, big_n);
    memset(big + 1000, 0, 300);
    memset(big + 5000, 0xff, 700);
    send_msg(f.cl, big, big_n);
    expect_msg(f.cl, big, big_n);

    /* Nothing else arrives. */
    uint8_t spare[16];
    assert_int_equal(wms_serial_client_recv(f.cl, spare, sizeof(spare), 100, NULL), 0);

    fx_stop(&f);
    assert_int_equal(f.srv.messages, NS + 1);
    assert_int_equal(f.srv.send_err, 0);
    assert_int_equal(f.srv.stats.frames_ok, NS + 1);
    assert_int_equal(f.srv.stats.frames_bad_crc + f.srv.stats.frames_bad_cobs +
                         f.srv.stats.frames_short + f.srv.stats.frames_oversize,
                     0);
    assert_true(f.srv.stats.bytes_in >= big_n + 4);
    assert_true(f.srv.stats.bytes_out >= big_n + 4);
    assert_int_equal(f.srv.closed, 1); /* wms_serial_close calls closed() */
    free(big);
}

/* (2) A frame corrupted on the line is dropped and counted; the sender's
 * retry of the same frame goes through. */
static void test_corrupt_frame_retry(void **state)
{
    (void)state;
    fx_t f;
    fx_start(&f, NULL);

    const char *m = "{\"method\":\"pick.confirm\",\"txn\":\"RF-017-000042\",\"qty\":3}";
    size_t n = strlen(m);
    uint8_t frame[128];
    int len = wms_frame_encode((const uint8_t *)m, n, frame, sizeof(frame));
    assert_true(len > 10);
    uint8_t bad[128];
    memcpy(bad, frame, (size_t)len);
    size_t mid = (size_t)len / 2;
    bad[mid] ^= 0x55;
    if (bad[mid] == 0)
        bad[mid] = 0xaa;
    wms_error err = {0};
    assert_int_equal(wms_serial_client_write_raw(f.cl, bad, (size_t)len, &err), 0);

    /* No echo: the server dropped it. */
    uint8_t got[128];
    assert_int_equal(wms_serial_client_recv(f.cl, got, sizeof(got), 300, &err), 0);

    /* The retry (same bytes, uncorrupted) is echoed. */
    assert_int_equal(wms_serial_client_write_raw(f.cl, frame, (size_t)len, &err), 0);
    expect_msg(f.cl, (const uint8_t *)m, n);

    fx_stop(&f);
    assert_int_equal(f.srv.messages, 1);
    assert_int_equal(f.srv.stats.frames_ok, 1);
    assert_int_equal(f.srv.stats.frames_bad_crc + f.srv.stats.frames_bad_cobs, 1);
}

/* (3) Line noise before a good frame: the receiver resyncs at the next
 * 0x00; an oversize frame is dropped and counted too. */
static void test_noise_resync(void **state)
{
    (void)state;
    srand(7);
    wms_transport_limits lim = {.max_message = 2048, .max_queued = 0};
    fx_t f;
    fx_start(&f, &lim);

    uint8_t noise[200];
    fill_random(noise, sizeof(noise));
    for (size_t i = 0; i < sizeof(noise); i++)
        if (noise[i] == 0)
            noise[i] = 0x5a;
    wms_error err = {0};
    assert_int_equal(wms_serial_client_write_raw(f.cl, noise, sizeof(noise), &err), 0);
    const uint8_t zero = 0;
    assert_int_equal(wms_serial_client_write_raw(f.cl, &zero, 1, &err), 0);

    const uint8_t good[] = {0x93, 0x00, 0x01, 0xa4, 'p', 'i', 'n', 'g'};
    send_msg(f.cl, good, sizeof(good));
    expect_msg(f.cl, good, sizeof(good));

    /* Over max_message: dropped, counted, nothing echoed; then fine again. */
    uint8_t *huge = malloc(3000);
    assert_non_null(huge);
    fill_random(huge, 3000);
    send_msg(f.cl, huge, 3000);
    send_msg(f.cl, good, sizeof(good));
    expect_msg(f.cl, good, sizeof(good));
    free(huge);

    fx_stop(&f);
    assert_int_equal(f.srv.messages, 2);
    assert_int_equal(f.srv.stats.frames_ok, 2);
    assert_int_equal(f.srv.stats.frames_oversize, 1);
    assert_int_equal(
        f.srv.stats.frames_bad_crc + f.srv.stats.frames_bad_cobs + f.srv.stats.frames_short, 1);
}

/* (4) A peer that does not read: sends succeed while the line absorbs
 * them, then the queue reaches max_queued and send says WMS_ETOO_LARGE;
 * the session's close then closes at once. */
static void test_output_cap(void **state)
{
    (void)state;
    wms_transport_limits lim = {.max_message = 0, .max_queued = 32 * 1024};
    fx_t f;
    fx_start(&f, &lim);

    send_msg(f.cl, (const uint8_t *)"flood", 5);
    assert_true(srv_wait(&f.srv, pred_send_err, WAIT_MS));
    /* Closed at once, not after WMS_SERIAL_DRAIN_MS: the client never
     * reads, so a drain would not finish within WAIT_MS. */
    assert_true(WMS_SERIAL_DRAIN_MS > WAIT_MS);
    assert_true(srv_wait(&f.srv, pred_closed, WAIT_MS));

    fx_stop(&f);
    print_message("flood: %d messages of %d bytes accepted, %zu bytes queued at refusal\n",
                  f.srv.flood_msgs, FLOOD_MSG, f.srv.queued_at_err);
    assert_int_equal(f.srv.send_err, WMS_ETOO_LARGE);
    /* The queue was full: the refused frame would have passed the cap. */
    assert_true(f.srv.queued_at_err <= lim.max_queued);
    assert_true(f.srv.queued_at_err + FLOOD_MSG > lim.max_queued);
    /* More went out than the queue alone holds: written, with EAGAIN
     * handled when the pty filled up. */
    assert_true((size_t)f.srv.flood_msgs * FLOOD_MSG > lim.max_queued);
    assert_true(f.srv.stats.bytes_out > 0);
    assert_int_equal(f.srv.closed, 1);
}

/* (5) The client hangs up: the server sees it and calls closed() once; a
 * later wms_serial_close does not call it again. */
static void test_hangup(void **state)
{
    (void)state;
    fx_t f;
    fx_start(&f, NULL);
    send_msg(f.cl, (const uint8_t *)"hi", 2);
    expect_msg(f.cl, (const uint8_t *)"hi", 2);

    wms_serial_client_close(f.cl);
    f.cl = NULL;
    assert_true(srv_wait(&f.srv, pred_closed, WAIT_MS));

    fx_stop(&f);
    assert_int_equal(f.srv.closed, 1);
    assert_int_equal(f.srv.messages, 1);
}

/* (7) conn->vt->close flushes queued output before closing. */
static void test_close_flushes(void **state)
{
    (void)state;
    fx_t f;
    fx_start(&f, NULL);
    send_msg(f.cl, (const uint8_t *)"bye", 3);
    expect_msg(f.cl, (const uint8_t *)"ok", 2);
    assert_true(srv_wait(&f.srv, pred_closed, WAIT_MS));

    /* The client notices its own line hanging up (master B closed). */
    bridge_stop(&f.br);
    uint8_t buf[16];
    wms_error err = {0};
    assert_int_equal(wms_serial_client_recv(f.cl, buf, sizeof(buf), WAIT_MS, &err), WMS_EIO);
    assert_non_null(strstr(err.msg, "hung up"));

    fx_stop(&f);
    assert_int_equal(f.srv.send_err, 0); /* incl. "late" refused with WMS_ECLOSED */
    assert_int_equal(f.srv.closed, 1);
}

/* (8) Spurious wake-ups: every other read and write on the server's
 * descriptor fails with EAGAIN (injected below libserialport); traffic,
 * the 60 KiB message included, still flows, and the port stays open. */
static void test_spurious_eagain(void **state)
{
    (void)state;
    srand(99);
    fx_t f;
    fx_start(&f, NULL);
    unsigned long r0 = __atomic_load_n(&shim_eagain_reads, __ATOMIC_RELAXED);
    unsigned long w0 = __atomic_load_n(&shim_eagain_writes, __ATOMIC_RELAXED);
    __atomic_store_n(&shim_flaky_fd, f.srv.poll_fd, __ATOMIC_RELEASE);

    size_t n = 60 * 1024;
    uint8_t *m = malloc(n);
    assert_non_null(m);
    fill_random(m, n);
    for (int round = 0; round < 3; round++) {
        send_msg(f.cl, (const uint8_t *)"ping", 4);
        send_msg(f.cl, m, n);
        expect_msg(f.cl, (const uint8_t *)"ping", 4);
        expect_msg(f.cl, m, n);
    }
    __atomic_store_n(&shim_flaky_fd, -1, __ATOMIC_RELEASE);
    free(m);

    assert_true(__atomic_load_n(&shim_eagain_reads, __ATOMIC_RELAXED) > r0);
    assert_true(__atomic_load_n(&shim_eagain_writes, __ATOMIC_RELAXED) > w0);
    fx_stop(&f);
    assert_int_equal(f.srv.messages, 6);
    assert_int_equal(f.srv.send_err, 0);
    assert_int_equal(f.srv.stats.frames_ok, 6);
    assert_int_equal(f.srv.closed, 1); /* only from wms_serial_close */
}

/* (6) Bad specs and missing devices give clear errors. */
static void test_bad_spec(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    wms_sink sink = {
        .ctx = NULL, .open = sink_open, .message = sink_message, .closed = sink_closed};
    wms_serial_port *p = (wms_serial_port *)&loop;
    wms_error err = {0};

    assert_int_equal(wms_serial_open(&loop, "/dev/wms-no-such-tty@115200", &sink, NULL, &p, &err),
                     WMS_ENOT_FOUND);
    assert_null(p);
    assert_non_null(strstr(err.msg, "/dev/wms-no-such-tty"));

    assert_int_equal(wms_serial_open(&loop, "/dev/null", &sink, NULL, &p, &err), WMS_EIO);
    assert_non_null(strstr(err.msg, "/dev/null"));

    assert_int_equal(wms_serial_open(&loop, "/dev/ttyS0@fast", &sink, NULL, &p, &err),
                     WMS_EBAD_ARGS);
    assert_non_null(strstr(err.msg, "/dev/ttyS0@fast"));
    assert_int_equal(wms_serial_open(&loop, "/dev/ttyS0@0", &sink, NULL, &p, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_serial_open(&loop, "/dev/ttyS0@", &sink, NULL, &p, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_serial_open(&loop, "@9600", &sink, NULL, &p, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_serial_open(&loop, "", &sink, NULL, &p, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_serial_open(&loop, NULL, &sink, NULL, &p, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_serial_open(NULL, "/dev/null", &sink, NULL, &p, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_serial_open(&loop, "/dev/null", NULL, NULL, &p, &err), WMS_EBAD_ARGS);
    char longp[120];
    memset(longp, 'x', sizeof(longp) - 1);
    memcpy(longp, "/dev/", 5);
    longp[sizeof(longp) - 1] = '\0';
    assert_int_equal(wms_serial_open(&loop, longp, &sink, NULL, &p, &err), WMS_EBAD_ARGS);

    wms_serial_client *c = (wms_serial_client *)&loop;
    assert_int_equal(wms_serial_client_open("/dev/wms-no-such-tty", &c, &err), WMS_ENOT_FOUND);
    assert_null(c);
    assert_non_null(strstr(err.msg, "/dev/wms-no-such-tty"));
    assert_int_equal(wms_serial_client_open("/dev/null@9600", &c, &err), WMS_EIO);
    assert_non_null(strstr(err.msg, "/dev/null"));

    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void *refuse_open(void *ctx, wms_conn *c)
{
    (void)c;
    (*(int *)ctx)++;
    return NULL;
}

static int never_message(void *session, const uint8_t *p, size_t n)
{
    (void)session, (void)p, (void)n;
    return 0;
}

static void never_closed(void *session)
{
    (*(int *)session) += 100;
}

/* A sink that refuses the connection: WMS_EBUSY, no closed(), nothing
 * leaks once the loop ran its close callbacks. */
static void test_refused(void **state)
{
    (void)state;
    pty_t a;
    pty_make(&a);
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    int calls = 0;
    wms_sink sink = {
        .ctx = &calls, .open = refuse_open, .message = never_message, .closed = never_closed};
    wms_serial_port *p = NULL;
    wms_error err = {0};
    assert_int_equal(wms_serial_open(&loop, a.path, &sink, NULL, &p, &err), WMS_EBUSY);
    assert_null(p);
    assert_int_equal(calls, 1);
    assert_non_null(strstr(err.msg, a.path));
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_int_equal(calls, 1);
    close(a.master);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),       cmocka_unit_test(test_corrupt_frame_retry),
        cmocka_unit_test(test_noise_resync),    cmocka_unit_test(test_output_cap),
        cmocka_unit_test(test_hangup),          cmocka_unit_test(test_close_flushes),
        cmocka_unit_test(test_spurious_eagain), cmocka_unit_test(test_bad_spec),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
