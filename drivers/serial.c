/*
 * serial.c - the serial transport: libserialport for opening and
 * configuring the line and for every read and write, libuv (uv_poll_t on
 * the port's descriptor) for readiness, frame.c for the wire format.
 *
 * Life of a server port:
 *   LIVE      polls UV_READABLE, plus UV_WRITABLE while output is queued;
 *   DRAINING  conn->vt->close with output queued: polls UV_WRITABLE only,
 *             shuts down when the queue is empty or after
 *             WMS_SERIAL_DRAIN_MS;
 *   CLOSING   conn->vt->close with nothing to flush (or after an overflow):
 *             shuts down from a zero-delay timer, never inside the caller;
 *   CLOSED    uv handles closed, port closed and freed, closed() called.
 * The struct itself lives until wms_serial_close was called and both uv
 * handles went through their close callbacks.
 *
 * libserialport 0.1.1 notes (what this file relies on): sp_open leaves the
 * descriptor O_NONBLOCK; sp_nonblocking_read returns 0 for EAGAIN and for
 * end of file (a hung-up tty reads 0 bytes), so an empty read is checked
 * with poll() for POLLHUP; sp_nonblocking_write returns SP_ERR_FAIL with
 * errno EAGAIN when the line's buffer is full, which is not an error here.
 */
#include "serial.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libserialport.h>

#include "frame.h"

#define SERIAL_MAX_BAUD 4000000u
#define SERIAL_READ_CHUNK 4096
#define SERIAL_READS_PER_WAKEUP 64 /* then let other handles run */
#define SERIAL_WRITE_CHUNK 65536
/* Readable wake-ups in a row that bring no data and no hang-up.  epoll is
 * level-triggered, so this only happens if the driver misbehaves; closing
 * is better than spinning. */
#define SERIAL_MAX_EMPTY_WAKEUPS 10000
#define SERIAL_DEFAULT_MAX_MESSAGE ((size_t)1 << 20)
#define SERIAL_DEFAULT_MAX_QUEUED ((size_t)4 << 20)

enum { ST_LIVE, ST_DRAINING, ST_CLOSING, ST_CLOSED };

/* One queued frame (leading 0x00 included); off bytes already written. */
typedef struct out_frame {
    struct out_frame *next;
    size_t len, off;
    uint8_t data[];
} out_frame;

struct wms_serial_port {
    wms_conn conn;
    uv_loop_t *loop;
    uv_poll_t poll;
    uv_timer_t timer;
    int handles;     /* uv handles not yet through their close callback */
    int poll_events; /* events currently polled, 0 = stopped */
    int state;
    int session_open;   /* open() accepted and closed() not yet called */
    int free_requested; /* wms_serial_close was called */
    int overflowed;     /* a send was refused: close drops the queue */
    unsigned empty_wakeups;
    struct sp_port *sp;
    int fd;
    wms_sink sink;
    size_t max_message, max_queued;
    out_frame *head, *tail;
    size_t queued;
    size_t *queued_total; /* limits->queued_total: kept across all connections */
    wms_frame_decoder dec;
    uint8_t *decbuf;
    uint64_t bytes_in, bytes_out;
};

struct wms_serial_client {
    struct sp_port *sp;
    struct sp_event_set *events; /* RX ready / error on sp, for sp_wait */
    int fd;
    wms_frame_decoder dec;
    uint8_t *decbuf;
    uint8_t rbuf[SERIAL_READ_CHUNK];
    size_t roff, rlen;
    uint8_t *out; /* the current recv call's buffer */
    size_t out_cap;
    int got;
};

/* ------------------------------------------------------------------------ */
/* Opening and configuring a line (server and client)                       */
/* ------------------------------------------------------------------------ */

/* Splits "path@baud" into path (cap bytes) and baud.  Returns 0 or
 * WMS_EBAD_ARGS with a message. */
static int parse_spec(const char *spec, char *path, size_t cap, unsigned *baud, wms_error *err)
{
    if (spec == NULL || spec[0] == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "serial port spec is empty");
    const char *at = strrchr(spec, '@');
    size_t plen = at != NULL ? (size_t)(at - spec) : strlen(spec);
    if (plen == 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "serial port spec \"%.80s\" has no device", spec);
    if (plen >= cap)
        return wms_error_set(err, WMS_EBAD_ARGS, "serial device path \"%.80s\" is longer than %zu",
                             spec, cap - 1);
    memcpy(path, spec, plen);
    path[plen] = '\0';
    *baud = WMS_SERIAL_DEFAULT_BAUD;
    if (at == NULL)
        return 0;
    const char *b = at + 1;
    unsigned long v = 0;
    if (*b == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "serial port spec \"%.80s\": baud missing", spec);
    for (; *b != '\0'; b++) {
        if (*b < '0' || *b > '9')
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "serial port spec \"%.80s\": baud is not a number", spec);
        v = v * 10 + (unsigned long)(*b - '0');
        if (v > SERIAL_MAX_BAUD)
            break;
    }
    if (v == 0 || v > SERIAL_MAX_BAUD)
        return wms_error_set(err, WMS_EBAD_ARGS, "serial port spec \"%.80s\": baud must be 1..%u",
                             spec, SERIAL_MAX_BAUD);
    *baud = (unsigned)v;
    return 0;
}

/* libserialport's last error text into buf (n bytes). */
static void sp_errtext(char *buf, size_t n)
{
    char *m = sp_last_error_message();
    snprintf(buf, n, "%s", m != NULL ? m : "unknown error");
    if (m != NULL)
        sp_free_error_message(m);
    size_t l = strlen(buf);
    while (l > 0 && (buf[l - 1] == '\n' || buf[l - 1] == '\r'))
        buf[--l] = '\0';
}

/* Opens `path` read-write with libserialport, sets baud 8N1 and no flow
 * control, and returns the port and its descriptor.  Errors:
 * WMS_ENOT_FOUND (no such file), WMS_EIO (not a port libserialport knows,
 * open or configuration failed). */
static int line_open(const char *path, unsigned baud, struct sp_port **out, int *fd, wms_error *err)
{
    struct sp_port *sp = NULL;
    char why[160];
    if (sp_get_port_by_name(path, &sp) != SP_OK) {
        struct stat st;
        if (stat(path, &st) != 0 && errno == ENOENT)
            return wms_error_set(err, WMS_ENOT_FOUND, "serial device %s does not exist", path);
        return wms_error_set(err, WMS_EIO,
                             "%s is not a serial port libserialport can use "
                             "(no /sys/class/tty entry)",
                             path);
    }
    if (sp_open(sp, SP_MODE_READ_WRITE) != SP_OK) {
        sp_errtext(why, sizeof(why));
        sp_free_port(sp);
        return wms_error_set(err, WMS_EIO, "cannot open serial device %s: %s", path, why);
    }
    const char *step = NULL;
    if (sp_set_baudrate(sp, (int)baud) != SP_OK)
        step = "baud rate";
    else if (sp_set_bits(sp, 8) != SP_OK)
        step = "data bits";
    else if (sp_set_parity(sp, SP_PARITY_NONE) != SP_OK)
        step = "parity";
    else if (sp_set_stopbits(sp, 1) != SP_OK)
        step = "stop bits";
    else if (sp_set_flowcontrol(sp, SP_FLOWCONTROL_NONE) != SP_OK)
        step = "flow control";
    else if (sp_get_port_handle(sp, fd) != SP_OK || *fd < 0)
        step = "descriptor";
    if (step != NULL) {
        sp_errtext(why, sizeof(why));
        sp_close(sp);
        sp_free_port(sp);
        return wms_error_set(err, WMS_EIO, "cannot set the %s of serial device %s (%u 8N1): %s",
                             step, path, baud, why);
    }
    *out = sp;
    return 0;
}

/* True if libserialport's last failure was only "try again". */
static int sp_would_block(void)
{
    int e = sp_last_error_code();
    return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

/* True if the line behind fd hung up (carrier lost, device unplugged, the
 * other end of a pty closed) or the descriptor is bad. */
static int line_hung_up(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

/* ------------------------------------------------------------------------ */
/* Server port                                                              */
/* ------------------------------------------------------------------------ */

static wms_serial_port *port_of(const wms_conn *c)
{
    return (wms_serial_port *)((char *)c - offsetof(wms_serial_port, conn));
}

static void queue_free(wms_serial_port *p)
{
    out_frame *f = p->head;
    while (f != NULL) {
        out_frame *next = f->next;
        free(f);
        f = next;
    }
    p->head = p->tail = NULL;
    if (p->queued_total != NULL)
        *p->queued_total -= p->queued;
    p->queued = 0;
}

static void port_free(wms_serial_port *p)
{
    queue_free(p);
    free(p->decbuf);
    free(p);
}

/* Close callback of both uv handles: the last one frees the port if
 * wms_serial_close was called. */
static void on_handle_closed(uv_handle_t *h)
{
    wms_serial_port *p = h->data;
    if (--p->handles == 0 && p->free_requested)
        port_free(p);
}

/* Closes everything now: stops polling before the descriptor is closed,
 * drops queued output, and calls closed() once.  Safe to call again. */
static void port_shutdown(wms_serial_port *p)
{
    if (p->state == ST_CLOSED)
        return;
    p->state = ST_CLOSED;
    p->poll_events = 0;
    uv_close((uv_handle_t *)&p->poll, on_handle_closed);
    uv_close((uv_handle_t *)&p->timer, on_handle_closed);
    sp_close(p->sp);
    sp_free_port(p->sp);
    p->sp = NULL;
    p->fd = -1;
    queue_free(p);
    if (p->session_open) {
        p->session_open = 0;
        p->sink.closed(p->conn.session);
    }
}

static void on_poll(uv_poll_t *h, int status, int events);

/* Polls what the state needs: readable while live, writable while output
 * is queued (never otherwise: a tty is nearly always writable). */
static void update_poll(wms_serial_port *p)
{
    if (p->state == ST_CLOSED)
        return;
    int ev = 0;
    if (p->state == ST_LIVE)
        ev |= UV_READABLE;
    if (p->head != NULL && (p->state == ST_LIVE || p->state == ST_DRAINING))
        ev |= UV_WRITABLE;
    if (ev == p->poll_events)
        return;
    if (ev != 0)
        uv_poll_start(&p->poll, ev, on_poll);
    else
        uv_poll_stop(&p->poll);
    p->poll_events = ev;
}

static void on_timer(uv_timer_t *t)
{
    port_shutdown(t->data);
}

/* Frame callback: hands one good message to the session.  Stops the feed
 * (returns 1) once the port is no longer live. */
static int on_frame(void *ctx, const uint8_t *msg, size_t len)
{
    wms_serial_port *p = ctx;
    if (p->state != ST_LIVE)
        return 1;
    if (p->sink.message(p->conn.session, msg, len) < 0 && p->state == ST_LIVE)
        p->conn.vt->close(&p->conn, "session asked to close");
    return p->state != ST_LIVE;
}

/* Reads what the line has, feeding the decoder.  A read error or hang-up
 * shuts the port down. */
static void port_read(wms_serial_port *p)
{
    uint8_t buf[SERIAL_READ_CHUNK];
    for (int i = 0; i < SERIAL_READS_PER_WAKEUP && p->state == ST_LIVE; i++) {
        int r = sp_nonblocking_read(p->sp, buf, sizeof(buf));
        if (r < 0) {
            if (sp_would_block())
                break;
            port_shutdown(p);
            return;
        }
        if (r == 0) {
            if (i > 0)
                break;
            /* Nothing on a readable wake-up: spurious, or end of file. */
            if (line_hung_up(p->fd) || ++p->empty_wakeups > SERIAL_MAX_EMPTY_WAKEUPS)
                port_shutdown(p);
            return;
        }
        p->empty_wakeups = 0;
        p->bytes_in += (uint64_t)r;
        wms_frame_decoder_feed(&p->dec, buf, (size_t)r, on_frame, p);
        if ((size_t)r < sizeof(buf))
            break;
    }
}

/* Writes queued frames until the line's buffer is full or the queue is
 * empty.  A write error shuts the port down; a drained DRAINING port too. */
static void port_flush(wms_serial_port *p)
{
    while (p->head != NULL) {
        out_frame *f = p->head;
        size_t n = f->len - f->off;
        if (n > SERIAL_WRITE_CHUNK)
            n = SERIAL_WRITE_CHUNK;
        int r = sp_nonblocking_write(p->sp, f->data + f->off, n);
        if (r < 0) {
            if (sp_would_block())
                break;
            port_shutdown(p);
            return;
        }
        if (r == 0)
            break;
        f->off += (size_t)r;
        p->queued -= (size_t)r;
        if (p->queued_total != NULL)
            *p->queued_total -= (size_t)r;
        p->bytes_out += (uint64_t)r;
        if (f->off < f->len)
            break;
        p->head = f->next;
        if (p->head == NULL)
            p->tail = NULL;
        free(f);
    }
    if (p->head == NULL && p->state == ST_DRAINING)
        port_shutdown(p);
}

/* Readiness of the port's descriptor: reads, then writes, then re-arms.
 * status < 0 (libuv saw POLLERR) means the line is gone. */
static void on_poll(uv_poll_t *h, int status, int events)
{
    wms_serial_port *p = h->data;
    if (p->state == ST_CLOSED)
        return;
    if (status < 0) { /* POLLERR: a hung-up tty, a vanished device */
        port_shutdown(p);
        return;
    }
    if ((events & UV_READABLE) && p->state == ST_LIVE)
        port_read(p);
    if ((events & UV_WRITABLE) && p->state != ST_CLOSED)
        port_flush(p);
    update_poll(p);
}

/* conn->vt->send: frames msg, queues the frame, asks for UV_WRITABLE.
 * Returns 0, WMS_EBAD_ARGS, WMS_ECLOSED (close was requested),
 * WMS_ETOO_LARGE (message over max_message, or the queue would pass
 * max_queued), WMS_ENOMEM. */
static int conn_send(wms_conn *c, const uint8_t *msg, size_t n)
{
    wms_serial_port *p = port_of(c);
    if (msg == NULL || n == 0)
        return WMS_EBAD_ARGS;
    if (p->state != ST_LIVE)
        return WMS_ECLOSED;
    if (n > p->max_message)
        return WMS_ETOO_LARGE;
    size_t cap = wms_frame_max_encoded(n);
    if (cap == SIZE_MAX || cap >= SIZE_MAX - sizeof(out_frame) - 1)
        return WMS_ETOO_LARGE;
    out_frame *f = malloc(sizeof(*f) + 1 + cap);
    if (f == NULL)
        return WMS_ENOMEM;
    f->data[0] = 0; /* flushes a partial frame left by line noise */
    int len = wms_frame_encode(msg, n, f->data + 1, cap);
    if (len < 0) {
        free(f);
        return len;
    }
    f->len = (size_t)len + 1;
    f->off = 0;
    f->next = NULL;
    if (f->len > p->max_queued - p->queued) {
        free(f);
        p->overflowed = 1;
        return WMS_ETOO_LARGE;
    }
    if (p->tail != NULL)
        p->tail->next = f;
    else
        p->head = f;
    p->tail = f;
    p->queued += f->len;
    if (p->queued_total != NULL)
        *p->queued_total += f->len;
    update_poll(p);
    return 0;
}

/* conn->vt->close: flush then close, or close at once when nothing is
 * queued or a send overflowed.  closed() always follows from the loop,
 * never from inside this call. */
static void conn_close(wms_conn *c, const char *why)
{
    (void)why;
    wms_serial_port *p = port_of(c);
    if (p->state != ST_LIVE)
        return;
    if (p->head == NULL || p->overflowed) {
        queue_free(p);
        p->state = ST_CLOSING;
        uv_timer_start(&p->timer, on_timer, 0, 0);
    } else {
        p->state = ST_DRAINING;
        uv_timer_start(&p->timer, on_timer, WMS_SERIAL_DRAIN_MS, 0);
    }
    update_poll(p);
}

static size_t conn_queued(const wms_conn *c)
{
    return port_of(c)->queued;
}

static const wms_conn_vt serial_vt = {
    .send = conn_send,
    .close = conn_close,
    .queued = conn_queued,
};

int wms_serial_open(uv_loop_t *loop, const char *spec, const wms_sink *sink,
                    const wms_transport_limits *limits, wms_serial_port **out, wms_error *err)
{
    if (out != NULL)
        *out = NULL;
    if (loop == NULL || sink == NULL || out == NULL || sink->open == NULL ||
        sink->message == NULL || sink->closed == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "wms_serial_open: missing argument");
    char path[sizeof(((wms_conn *)0)->peer)];
    unsigned baud;
    int rc = parse_spec(spec, path, sizeof(path), &baud, err);
    if (rc < 0)
        return rc;

    wms_serial_port *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return wms_error_set(err, WMS_ENOMEM, "out of memory opening %s", path);
    p->loop = loop;
    p->sink = *sink;
    p->max_message = limits != NULL && limits->max_message != 0 ? limits->max_message
                                                                : SERIAL_DEFAULT_MAX_MESSAGE;
    p->max_queued =
        limits != NULL && limits->max_queued != 0 ? limits->max_queued : SERIAL_DEFAULT_MAX_QUEUED;
    p->queued_total = limits != NULL ? limits->queued_total : NULL;
    if (p->max_message > SIZE_MAX - WMS_FRAME_CRC_LEN - 1) {
        free(p);
        return wms_error_set(err, WMS_EBAD_ARGS, "max_message is too large");
    }
    size_t dcap = WMS_FRAME_DECODER_BUF(p->max_message);
    p->decbuf = malloc(dcap);
    if (p->decbuf == NULL) {
        free(p);
        return wms_error_set(err, WMS_ENOMEM, "out of memory opening %s", path);
    }
    wms_frame_decoder_init(&p->dec, p->decbuf, dcap);

    rc = line_open(path, baud, &p->sp, &p->fd, err);
    if (rc < 0) {
        port_free(p);
        return rc;
    }
    rc = uv_poll_init(loop, &p->poll, p->fd);
    if (rc < 0) {
        sp_close(p->sp);
        sp_free_port(p->sp);
        port_free(p);
        return wms_error_set(err, WMS_EIO, "cannot poll serial device %s: %s", path,
                             uv_strerror(rc));
    }
    uv_timer_init(loop, &p->timer);
    p->poll.data = p;
    p->timer.data = p;
    p->handles = 2;

    p->conn.vt = &serial_vt;
    snprintf(p->conn.peer, sizeof(p->conn.peer), "%s", path);
    snprintf(p->conn.kind, sizeof(p->conn.kind), "serial");
    p->state = ST_LIVE;
    update_poll(p);

    void *session = sink->open(sink->ctx, &p->conn);
    if (session == NULL) {
        p->free_requested = 1;
        port_shutdown(p); /* session_open is 0: no closed() */
        return wms_error_set(err, WMS_EBUSY, "the session layer refused serial device %s", path);
    }
    p->conn.session = session;
    p->session_open = 1;
    *out = p;
    return 0;
}

void wms_serial_close(wms_serial_port *p)
{
    if (p == NULL)
        return;
    p->free_requested = 1;
    port_shutdown(p);
    if (p->handles == 0)
        port_free(p);
}

void wms_serial_stats(const wms_serial_port *p, wms_serial_stats_t *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return;
    out->frames_ok = p->dec.frames_ok;
    out->frames_bad_crc = p->dec.frames_bad_crc;
    out->frames_bad_cobs = p->dec.frames_bad_cobs;
    out->frames_oversize = p->dec.frames_oversize;
    out->frames_short = p->dec.frames_short;
    out->bytes_in = p->bytes_in;
    out->bytes_out = p->bytes_out;
}

int wms_serial_fd(const wms_serial_port *p)
{
    uv_os_fd_t fd;
    if (p == NULL || p->state == ST_CLOSED || uv_fileno((const uv_handle_t *)&p->poll, &fd) != 0)
        return -1;
    return fd;
}

/* ------------------------------------------------------------------------ */
/* Blocking client                                                          */
/* ------------------------------------------------------------------------ */

int wms_serial_client_open(const char *spec, wms_serial_client **out, wms_error *err)
{
    if (out != NULL)
        *out = NULL;
    if (out == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "wms_serial_client_open: missing argument");
    char path[sizeof(((wms_conn *)0)->peer)];
    unsigned baud;
    int rc = parse_spec(spec, path, sizeof(path), &baud, err);
    if (rc < 0)
        return rc;
    wms_serial_client *c = calloc(1, sizeof(*c));
    size_t dcap = WMS_FRAME_DECODER_BUF(WMS_SERIAL_CLIENT_MAX_MESSAGE);
    if (c == NULL || (c->decbuf = malloc(dcap)) == NULL) {
        free(c);
        return wms_error_set(err, WMS_ENOMEM, "out of memory opening %s", path);
    }
    wms_frame_decoder_init(&c->dec, c->decbuf, dcap);
    rc = line_open(path, baud, &c->sp, &c->fd, err);
    if (rc < 0) {
        free(c->decbuf);
        free(c);
        return rc;
    }
    if (sp_new_event_set(&c->events) != SP_OK ||
        sp_add_port_events(c->events, c->sp, SP_EVENT_RX_READY | SP_EVENT_ERROR) != SP_OK) {
        wms_serial_client_close(c);
        return wms_error_set(err, WMS_ENOMEM, "out of memory opening %s", path);
    }
    *out = c;
    return 0;
}

/* Writes all n bytes, blocking up to WMS_SERIAL_CLIENT_WRITE_TIMEOUT_MS. */
static int client_write_all(wms_serial_client *c, const uint8_t *p, size_t n, wms_error *err)
{
    int r = sp_blocking_write(c->sp, p, n, WMS_SERIAL_CLIENT_WRITE_TIMEOUT_MS);
    if (r < 0) {
        char why[160];
        sp_errtext(why, sizeof(why));
        return wms_error_set(err, WMS_EIO, "write to serial line failed: %s", why);
    }
    if ((size_t)r < n)
        return wms_error_set(err, WMS_EIO, "serial line took %d of %zu bytes in %d ms", r, n,
                             WMS_SERIAL_CLIENT_WRITE_TIMEOUT_MS);
    return 0;
}

int wms_serial_client_send(wms_serial_client *c, const uint8_t *msg, size_t n, wms_error *err)
{
    if (c == NULL || msg == NULL || n == 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "wms_serial_client_send: empty message");
    if (n > WMS_SERIAL_CLIENT_MAX_MESSAGE)
        return wms_error_set(err, WMS_ETOO_LARGE, "message of %zu bytes exceeds %u", n,
                             WMS_SERIAL_CLIENT_MAX_MESSAGE);
    size_t cap = wms_frame_max_encoded(n);
    uint8_t *f = malloc(cap + 1);
    if (f == NULL)
        return wms_error_set(err, WMS_ENOMEM, "out of memory framing %zu bytes", n);
    f[0] = 0;
    int len = wms_frame_encode(msg, n, f + 1, cap);
    int rc = len < 0 ? wms_error_set(err, len, "cannot frame %zu bytes", n)
                     : client_write_all(c, f, (size_t)len + 1, err);
    free(f);
    return rc;
}

int wms_serial_client_write_raw(wms_serial_client *c, const uint8_t *p, size_t n, wms_error *err)
{
    if (c == NULL || (p == NULL && n > 0))
        return wms_error_set(err, WMS_EBAD_ARGS, "wms_serial_client_write_raw: no buffer");
    if (n == 0)
        return 0;
    return client_write_all(c, p, n, err);
}

/* Frame callback of the client: copies the message out and stops. */
static int client_frame(void *ctx, const uint8_t *msg, size_t len)
{
    wms_serial_client *c = ctx;
    if (len > c->out_cap) {
        c->got = WMS_ETOO_LARGE;
    } else {
        memcpy(c->out, msg, len);
        c->got = (int)len;
    }
    return 1;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int wms_serial_client_recv(wms_serial_client *c, uint8_t *buf, size_t cap, int timeout_ms,
                           wms_error *err)
{
    if (c == NULL || buf == NULL || cap == 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "wms_serial_client_recv: no buffer");
    int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    c->out = buf;
    c->out_cap = cap;
    for (;;) {
        if (c->roff < c->rlen) {
            c->got = 0;
            int rc = wms_frame_decoder_feed(&c->dec, c->rbuf + c->roff, c->rlen - c->roff,
                                            client_frame, c);
            c->roff += c->dec.consumed;
            if (rc != 0) {
                if (c->got < 0)
                    return wms_error_set(err, c->got, "message does not fit in %zu bytes", cap);
                return c->got;
            }
        }
        /* Wait with sp_wait (poll: a hang-up wakes it too), then take what
         * is there.  sp_blocking_read_next is not used: on a hung-up tty it
         * spins until its timeout, reading 0 bytes again and again. */
        if (timeout_ms > 0) {
            int64_t left = deadline - now_ms();
            if (left <= 0)
                return 0;
            if (sp_wait(c->events, (unsigned)left) != SP_OK) {
                char why[160];
                sp_errtext(why, sizeof(why));
                return wms_error_set(err, WMS_EIO, "waiting on the serial line failed: %s", why);
            }
        }
        int r = sp_nonblocking_read(c->sp, c->rbuf, sizeof(c->rbuf));
        if (r < 0 && !sp_would_block()) {
            char why[160];
            sp_errtext(why, sizeof(why));
            return wms_error_set(err, WMS_EIO, "read from serial line failed: %s", why);
        }
        if (r <= 0) {
            if (line_hung_up(c->fd))
                return wms_error_set(err, WMS_EIO, "the serial line hung up");
            if (timeout_ms <= 0)
                return 0;
            continue; /* woken without data: wait again */
        }
        c->roff = 0;
        c->rlen = (size_t)r;
    }
}

void wms_serial_client_close(wms_serial_client *c)
{
    if (c == NULL)
        return;
    if (c->events != NULL)
        sp_free_event_set(c->events);
    sp_close(c->sp);
    sp_free_port(c->sp);
    free(c->decbuf);
    free(c);
}
