/*
 * serial.h - the serial transport (RS-232 cradles, Bluetooth SPP, USB CDC),
 * server side on a libuv loop, and a small blocking client for tests, the
 * simulator and the terminal handheld.
 *
 * A port is opened with libserialport (8N1, no flow control) from a spec
 * "/dev/ttyUSB0@115200" (the "@baud" part is optional, default 115200).
 * Each message travels as one frame of the handheld protocol's serial wire
 * format (see frame.h): COBS(message || CRC-32C) 0x00.  Every frame sent is
 * preceded by one extra 0x00, which flushes whatever partial frame line
 * noise left in the receiver's decoder (receivers ignore empty frames).
 *
 * Server side (wms_serial_open): one serial line is one wms_conn (kind
 * "serial", peer = the device path).  The transport calls the sink's open()
 * once from inside wms_serial_open, message() for each good frame, closed()
 * once when the line closes (hang-up, read/write error, conn->vt->close, or
 * wms_serial_close).  Bad frames are dropped and counted (wms_serial_stats);
 * the sender's txn-keyed resend recovers them.  Output is queued and written
 * with non-blocking writes as the line accepts it; the queue holds at most
 * limits->max_queued bytes of frames (conn->vt->send returns WMS_ETOO_LARGE
 * past that).  All calls happen on the loop thread.
 */
#ifndef WMS_DRIVERS_SERIAL_H
#define WMS_DRIVERS_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "transport.h"
#include "wms.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WMS_SERIAL_DEFAULT_BAUD 115200
/* Largest message the blocking client sends or receives. */
#define WMS_SERIAL_CLIENT_MAX_MESSAGE (1u << 20)
/* How long the blocking client waits for the line to take a frame. */
#define WMS_SERIAL_CLIENT_WRITE_TIMEOUT_MS 10000
/* How long conn->vt->close waits for queued output to drain. */
#define WMS_SERIAL_DRAIN_MS 5000

typedef struct wms_serial_port wms_serial_port;

typedef struct {
    uint64_t frames_ok, frames_bad_crc, frames_bad_cobs, frames_oversize, frames_short;
    uint64_t bytes_in, bytes_out;
} wms_serial_stats_t;

/* Opens the serial line `spec` ("/dev/ttyUSB0@115200"; baud optional,
 * 1..4000000, default 115200; the device path at most 63 bytes), configures
 * it 8N1 without flow control, polls its descriptor in `loop`, and calls
 * sink->open() (sink needs open, message and closed; data is not used).
 * `limits` may be NULL; zero fields take the defaults (max_message 1 MiB,
 * max_queued 4 MiB).  On success *out owns the port until wms_serial_close.
 * Errors: WMS_EBAD_ARGS (NULL arguments, malformed spec), WMS_ENOT_FOUND
 * (no such device), WMS_EIO (libserialport cannot open or configure it),
 * WMS_ENOMEM, WMS_EBUSY (the sink's open() refused the connection; the
 * port's handles are then closed and released by the loop's next run).
 * Every message names the device. */
int wms_serial_open(uv_loop_t *loop, const char *spec, const wms_sink *sink,
                    const wms_transport_limits *limits, wms_serial_port **out, wms_error *err);

/* Closes the line at once (queued output is dropped), calls sink->closed()
 * if the session was still open, and releases the port.  Memory is freed by
 * the uv close callbacks, so run the loop afterwards before uv_loop_close.
 * Must be called exactly once for every port wms_serial_open returned, even
 * after the line hung up by itself.  p may be NULL. */
void wms_serial_close(wms_serial_port *p);

/* Copies the port's frame and byte counters into *out. */
void wms_serial_stats(const wms_serial_port *p, wms_serial_stats_t *out);

/* The descriptor the port polls (the one sp_get_port_handle gave), or -1
 * once the line is closed.  For diagnostics and tests. */
int wms_serial_fd(const wms_serial_port *p);

/* ---- client side: blocking, one line, no loop ---- */

typedef struct wms_serial_client wms_serial_client;

/* Opens and configures `spec` as wms_serial_open does.  *out is owned by the
 * caller (wms_serial_client_close).  Errors: WMS_EBAD_ARGS, WMS_ENOT_FOUND,
 * WMS_EIO, WMS_ENOMEM. */
int wms_serial_client_open(const char *spec, wms_serial_client **out, wms_error *err);

/* Sends one message (1..WMS_SERIAL_CLIENT_MAX_MESSAGE bytes) as one frame,
 * blocking until the line took it (at most
 * WMS_SERIAL_CLIENT_WRITE_TIMEOUT_MS).  Returns 0, WMS_EBAD_ARGS,
 * WMS_ETOO_LARGE, WMS_ENOMEM, or WMS_EIO (write error or timeout; part of
 * the frame may have been written, which the receiver drops as bad). */
int wms_serial_client_send(wms_serial_client *c, const uint8_t *msg, size_t n, wms_error *err);

/* Writes n raw bytes as they are, no framing (line-noise simulation, a
 * deliberately corrupted frame).  Same blocking and errors as _send. */
int wms_serial_client_write_raw(wms_serial_client *c, const uint8_t *p, size_t n, wms_error *err);

/* Waits up to timeout_ms (<= 0: only what has already arrived) for the next
 * good frame and copies its message into buf (cap bytes).  Returns the
 * message length (>= 1), 0 on timeout, WMS_ETOO_LARGE if the message does
 * not fit in cap (it is dropped), WMS_EIO on a read error or when the line
 * hung up, WMS_EBAD_ARGS.  Bad frames are skipped. */
int wms_serial_client_recv(wms_serial_client *c, uint8_t *buf, size_t cap, int timeout_ms,
                           wms_error *err);

/* Closes the line and frees c.  c may be NULL. */
void wms_serial_client_close(wms_serial_client *c);

#ifdef __cplusplus
}
#endif
#endif /* WMS_DRIVERS_SERIAL_H */
