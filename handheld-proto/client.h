/*
 * client.h - a small blocking MessagePack-RPC client of the handheld
 * protocol v1 (see PROTOCOL.md), for the terminal handheld, the simulator
 * and integration tests.
 *
 * One call is in flight at a time:
 *
 *     msgpack_packer *pk = wms_client_begin(c, "receive.scan");
 *     char txn[WMS_CLIENT_TXN_MAX + 1];
 *     wms_client_next_txn(c, txn, sizeof(txn), &err);   (state-changing calls)
 *     wms_client_kv_str(pk, "txn", txn);
 *     wms_client_kv_str(pk, "code", "14006381333938");
 *     wms_client_kv_int(pk, "qty", 2);
 *     msgpack_object res;
 *     int rc = wms_client_call(c, &res, &err);
 *
 * The caller packs only key/value pairs (no map header): the client counts
 * them and wraps them into [0, msgid, method, [{pairs}]].
 *
 * Transports: TCP (host:port) or a serial line (COBS + CRC-32C frames, via
 * drivers/serial.h).  Responses are framed and bounded with wms_mp_scan
 * (mpguard.h) before msgpack-c sees them; a response over max_response
 * (at most 1 MiB) is refused with WMS_ETOO_LARGE and the connection is
 * dropped (the next call reconnects).
 *
 * Recovery: when the connection drops, the response does not come within
 * timeout_ms, or the server answers SHUTTING_DOWN or BUSY (which the server
 * guarantees changed nothing), the client reconnects with exponential
 * backoff (up to `retries` times per call), says hello, logs in again with
 * the credentials of the last successful login, and resends the SAME
 * request (same args, so the same txn): the server's exactly-once table
 * answers a repeated txn with its stored outcome.  When every retry fails
 * the call returns WMS_EIO; the caller may then send the same request again
 * (same txn) later.
 *
 * Txn ids are "<device>-<n>": n is kept in <state_dir>/<device>.txn and is
 * written to disk (temp file + fsync + rename + fsync of the directory)
 * before the id is handed out, so a restarted handheld never reuses one.
 * hello's resume.last_txn moves the counter forward when the server knows a
 * later txn of this device (a scanner that lost its state directory).
 *
 * Not thread-safe: one thread uses a client at a time.
 */
#ifndef WMS_PROTO_CLIENT_H
#define WMS_PROTO_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "wms.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WMS_CLIENT_DEVICE_MAX 40 /* so "<device>-<n>" fits the protocol's 64 */
#define WMS_CLIENT_TXN_MAX 64
#define WMS_CLIENT_MAX_RESPONSE (1u << 20)
#define WMS_CLIENT_ERRNAME_MAX 48
#define WMS_CLIENT_CRED_MAX 64

typedef struct wms_client wms_client;

/* Server notifications [2, method, [params]]: method is NUL-terminated
 * (cut to 63 bytes), params the first element of the params array (or a nil
 * object).  Both are valid only during the callback. */
typedef void (*wms_client_notify_cb)(void *ctx, const char *method, const msgpack_object *params);

/* Connection state changes for a user interface: text is "reconnecting..."
 * (with the attempt), or "" once a call got through again. */
typedef void (*wms_client_status_cb)(void *ctx, const char *text);

typedef struct wms_client_opts {
    const char *host;        /* TCP server host (default 127.0.0.1 when serial is NULL) */
    int port;                /* TCP port (default 7400) */
    const char *serial;      /* "/dev/ttyUSB0@115200": use this line instead of TCP */
    const char *device;      /* device id: [A-Za-z0-9._-], 1..40, required */
    const char *state_dir;   /* txn counter directory (created); NULL: no txns */
    const char *client_name; /* hello's "client" (default "wms-client/1") */
    char gs;                 /* hello's "gs": scanner's GS1 separator stand-in; 0 = none */
    int timeout_ms;          /* connect / wait for one response (default 5000) */
    int retries;             /* reconnect attempts per call (default 5; 0 = none) */
    int backoff_ms;          /* first backoff, doubled per attempt up to 5 s (default 200) */
    size_t max_response;     /* largest response accepted (default and cap 1 MiB) */
    wms_client_notify_cb on_notify;
    void *notify_ctx;
    wms_client_status_cb on_status;
    void *status_ctx;
} wms_client_opts;

typedef struct wms_client_stats {
    uint64_t calls;         /* wms_client_call invocations */
    uint64_t sends;         /* requests written (first sends and resends) */
    uint64_t resends;       /* requests written again after a failure */
    uint64_t connects;      /* successful connections (hello done) */
    uint64_t ignored;       /* responses with a msgid not awaited, dropped */
    uint64_t notifications; /* server notifications received */
} wms_client_stats;

/* Connects (retrying with backoff like a call) and says hello.  The options
 * and the strings they point to are copied.  *out owns the client (free
 * with wms_client_close).  Errors: WMS_EBAD_ARGS (missing or malformed
 * options), WMS_EIO (cannot reach the server; damaged txn counter file),
 * WMS_ENOMEM, or the error the server answered hello with. */
int wms_client_open(const wms_client_opts *o, wms_client **out, wms_error *err);

/* Sets the GS1 separator stand-in sent as hello's "gs" from the next
 * (re)connection on (0 = none), e.g. the one scanner.selftest found. */
void wms_client_set_gs(wms_client *c, char gs);

/* Closes the connection and frees everything, results included.  c may be
 * NULL. */
void wms_client_close(wms_client *c);

/* Starts a call of `method` (1..63 bytes): returns the packer into which
 * the caller packs the argument key/value pairs (no map header), or NULL
 * for a bad method name.  Any previous unsent call is discarded. */
msgpack_packer *wms_client_begin(wms_client *c, const char *method);

/* Sends the call begun with wms_client_begin and waits for its response,
 * reconnecting and resending as described above.  On success *result (may
 * be NULL) is the result object, in memory owned by the client and valid
 * until the next call or close, and 0 is returned.  On an error response
 * the WMS_E* code of its wire name is returned (WMS_EIO for a name this
 * build does not know; the wire name is kept, see wms_client_error_name)
 * and err->msg holds the server's message verbatim.  Other errors:
 * WMS_EBAD_ARGS (no call begun, odd number of packed objects), WMS_EIO
 * (no answer after every retry), WMS_ETOO_LARGE (response or request over
 * the limit), WMS_EBAD_FRAME (the server sent something that is not a
 * MessagePack-RPC message).  A successful "login" remembers its user and
 * PIN for re-login after a reconnect; a successful "logout" forgets them. */
int wms_client_call(wms_client *c, msgpack_object *result, wms_error *err);

/* Convenience: login (and remember the credentials). */
int wms_client_login(wms_client *c, const char *user, const char *pin, msgpack_object *result,
                     wms_error *err);

/* Makes the next txn id "<device>-<n>" into buf (n bytes, at least
 * WMS_CLIENT_TXN_MAX + 1), after writing n to <state_dir>/<device>.txn
 * durably.  Errors: WMS_EBAD_ARGS (no state_dir, small buffer), WMS_EIO
 * (the file cannot be written: the id is then not handed out). */
int wms_client_next_txn(wms_client *c, char *buf, size_t n, wms_error *err);

/* The last txn number handed out (0 = none yet). */
uint64_t wms_client_last_txn(const wms_client *c);

/* Wire name of the last error response ("WRONG_BIN"), or "" when the last
 * call did not end with an error response. */
const char *wms_client_error_name(const wms_client *c);

/* The server's name from hello ("wmsd/0.1"), or "". */
const char *wms_client_server_name(const wms_client *c);

/* Counters, for tests and diagnostics. */
void wms_client_get_stats(const wms_client *c, wms_client_stats *out);

/* Drops the connection (the next call reconnects).  For tests and for a
 * user interface that wants to go offline. */
void wms_client_disconnect(wms_client *c);

/* ---- packing helpers (one key/value pair each) ---- */

void wms_client_kv_str(msgpack_packer *pk, const char *key, const char *val);
void wms_client_kv_int(msgpack_packer *pk, const char *key, int64_t val);
void wms_client_kv_bool(msgpack_packer *pk, const char *key, int val);

/* ---- reading results ---- */

/* The value of `key` in map `obj`, or NULL (obj not a map, key absent). */
const msgpack_object *wms_client_find(const msgpack_object *obj, const char *key);
/* The map / array under `key`, or NULL when absent or of another type. */
const msgpack_object *wms_client_get_map(const msgpack_object *obj, const char *key);
const msgpack_object *wms_client_get_array(const msgpack_object *obj, const char *key);
/* Copies the string under `key` into buf (n > 0 bytes, NUL-terminated).
 * Returns its length, WMS_ENOT_FOUND (absent or nil: buf = ""),
 * WMS_EBAD_ARGS (not a string: buf = ""), WMS_ETOO_LARGE (cut to fit). */
int wms_client_get_str(const msgpack_object *obj, const char *key, char *buf, size_t n);
/* Reads the integer under `key`.  Returns 0, WMS_ENOT_FOUND, WMS_EBAD_ARGS
 * (not an integer), WMS_ETOO_LARGE (above INT64_MAX). */
int wms_client_get_int(const msgpack_object *obj, const char *key, int64_t *v);
/* Reads the boolean under `key`: 0/1, WMS_ENOT_FOUND, WMS_EBAD_ARGS. */
int wms_client_get_bool(const msgpack_object *obj, const char *key);

/* Maps a wire error name ("WRONG_BIN", n bytes, not NUL-terminated) to its
 * WMS_E* code, or WMS_EIO when unknown. */
int wms_client_code_of(const char *name, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* WMS_PROTO_CLIENT_H */
