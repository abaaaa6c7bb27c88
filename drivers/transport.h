/*
 * transport.h - what every transport (TCP, serial) gives the session layer,
 * and what the session layer gives back.
 *
 * A transport owns its connections.  For each one it calls the sink:
 *  open()    once, when the peer connects (the port opens); the sink returns
 *            its session handle, or NULL to refuse (connection limit), in
 *            which case the transport closes the connection at once;
 *  data()    stream bytes as they arrive (TCP); the session splits them into
 *            MessagePack messages;
 *  message() one complete message (serial: one good frame, CRC checked);
 *  closed()  once, after which the transport never calls the session again
 *            and the session must not use the wms_conn any more.
 * A negative return from data()/message() asks the transport to close.
 *
 * The session writes back with conn->vt->send(conn, msg, n): one complete
 * MessagePack message.  The transport frames it as its wire needs (TCP: as
 * is; serial: COBS + CRC-32C frame), copies it, and queues it; send returns
 * WMS_ETOO_LARGE when the connection's output queue would pass its cap (a
 * peer that does not read), after which the session closes the connection.
 * conn->vt->close(conn, why) closes after queued output is flushed (at once
 * when the queue is over its cap, or when why is NULL: a forced close);
 * closed() follows later, never from inside close() itself.
 * conn->vt->pause(conn, 1) stops reading from the peer (no data() until
 * pause(conn, 0)); output goes on.  A transport without it has pause NULL.
 * When limits->queued_total is set, every transport keeps *queued_total
 * equal to the output bytes queued on all its connections (the server's
 * memory cap across connections).
 * All calls happen on the loop thread.
 */
#ifndef WMS_DRIVERS_TRANSPORT_H
#define WMS_DRIVERS_TRANSPORT_H

#include "wms.h"

#include <stddef.h>
#include <stdint.h>

typedef struct wms_conn wms_conn;

typedef struct wms_conn_vt {
    int (*send)(wms_conn *c, const uint8_t *msg, size_t n);
    void (*close)(wms_conn *c, const char *why);
    size_t (*queued)(const wms_conn *c);    /* bytes waiting to be written */
    void (*pause)(wms_conn *c, int paused); /* stop/resume reading; NULL: not supported */
} wms_conn_vt;

struct wms_conn {
    const wms_conn_vt *vt;
    void *session; /* the sink's handle for this connection */
    char peer[64]; /* "127.0.0.1:53122" or "/dev/ttyUSB0" */
    char kind[8];  /* "tcp" or "serial" */
};

typedef struct wms_sink {
    void *ctx;
    void *(*open)(void *ctx, wms_conn *c);
    int (*data)(void *session, const uint8_t *p, size_t n);
    int (*message)(void *session, const uint8_t *p, size_t n);
    void (*closed)(void *session);
} wms_sink;

typedef struct wms_transport_limits {
    size_t max_message;   /* largest message in or out (default 1 MiB) */
    size_t max_queued;    /* per-connection output queue cap (default 4 MiB) */
    size_t *queued_total; /* optional: output bytes queued on all connections */
} wms_transport_limits;

#endif
