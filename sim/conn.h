/*
 * conn.h - one virtual handheld's connection to wmsd on the simulator's
 * libuv loop: TCP, or a serial line (a pty master carrying COBS + CRC-32C
 * frames, drivers/frame.h).
 *
 * A device makes one call at a time (a scanner waits for its answer):
 *
 *     sim_args a; sim_args_init(&a);
 *     char txn[SIM_TXN_MAX]; sim_conn_next_txn(c, txn, sizeof(txn));
 *     sim_args_str(&a, "txn", txn); sim_args_str(&a, "code", "...");
 *     sim_conn_call(c, "receive.scan", &a, txn, &faults, on_reply, ctx);
 *     sim_args_free(&a);
 *
 * Recovery is the protocol's (PROTOCOL.md section 4): when the connection
 * drops, or no answer comes within the timeout, or the server answers a
 * "nothing happened, retry" error (BUSY, STORAGE, IO, DISK_FULL, NOMEM,
 * SHUTTING_DOWN), the connection is re-established with backoff (TCP:
 * reconnect, hello, login; serial: hello and login again when the server
 * says NOT_LOGGED_IN, e.g. after a restart) and the SAME request bytes -
 * same txn - are sent again, for as long as it takes.  The reply callback
 * runs exactly once per call, with the first real outcome.
 *
 * Injected faults (per call, decided by the caller from its own fault
 * schedule): drop = the connection is closed right after the request went
 * out (TCP), or the answer is lost on the line (serial), so the outcome
 * must come from the resend; dup = the request is written twice, and the
 * second answer must be byte-identical to the first (counted in
 * dup_mismatch otherwise).  Serial lines also corrupt frames at a rate
 * (one byte flipped, so the server drops the frame on its CRC).
 *
 * Every call's outcome is recorded with sim_metrics_call (method, real
 * latency from the first send, error code).  All calls happen on the loop
 * thread.
 */
#ifndef WMS_SIM_CONN_H
#define WMS_SIM_CONN_H

#include <stdint.h>

#include <msgpack.h>
#include <uv.h>

#include "metrics.h"
#include "rng.h"
#include "wms.h"

#define SIM_TXN_MAX 65
#define SIM_DEVICE_MAX 40

/* Simulated time: real time since t0 times speed. */
typedef struct sim_clock {
    uint64_t t0_ns;
    double speed;
} sim_clock;

uint64_t sim_now_ns(void);
/* Simulated seconds since the start. */
double sim_clock_now(const sim_clock *c);
/* Real milliseconds that `sim_s` simulated seconds take (>= 0). */
uint64_t sim_clock_real_ms(const sim_clock *c, double sim_s);

/* Argument map builder: key/value pairs, counted. */
typedef struct sim_args {
    msgpack_sbuffer buf;
    msgpack_packer pk;
    uint32_t n;
} sim_args;

void sim_args_init(sim_args *a);
void sim_args_free(sim_args *a);
void sim_args_str(sim_args *a, const char *key, const char *val);
void sim_args_int(sim_args *a, const char *key, int64_t val);
void sim_args_bool(sim_args *a, const char *key, int val);
/* Packs the key and returns the packer for its value (one object). */
msgpack_packer *sim_args_key(sim_args *a, const char *key);
void sim_pack_str(msgpack_packer *pk, const char *s);

typedef struct sim_reply {
    char method[33];
    char txn[SIM_TXN_MAX];        /* the call's txn ("" for none) */
    int ok;                       /* 1: result; 0: error */
    const msgpack_object *result; /* valid only during the callback */
    char code[48];                /* wire error name, "" on success */
    char message[256];
    double latency_ms; /* real, from the first send */
    int sends;         /* 1 + resends */
} sim_reply;

typedef void (*sim_reply_cb)(void *ctx, const sim_reply *r);

typedef struct sim_conn_faults {
    int drop, dup;
} sim_conn_faults;

typedef struct sim_conn_opts {
    uv_loop_t *loop;
    const sim_clock *clock;
    sim_metrics *metrics;
    const char *host; /* TCP */
    int port;
    int serial_fd; /* >= 0: talk frames on this pty master instead */
    const char *device, *user, *pin;
    int timeout_ms;
    double serial_corrupt; /* rate per frame sent (serial only) */
    uint64_t seed;         /* fault stream of this connection */
    uint64_t index;
} sim_conn_opts;

typedef struct sim_conn_stats {
    uint64_t calls, sends, resends, timeouts, connects, drops_injected, dups_injected, dup_match,
        dup_mismatch, corrupt_injected, transient, relogins, stale;
} sim_conn_stats;

typedef struct sim_conn sim_conn;

/* Makes a connection (nothing is sent yet).  Strings are copied.  Errors:
 * WMS_ENOMEM, WMS_EBAD_ARGS. */
int sim_conn_new(const sim_conn_opts *o, sim_conn **out, wms_error *err);

/* Connects, says hello and logs in; cb runs once: ok, or the login's
 * final error (AUTH_FAILED, USER_DISABLED; other failures are retried). */
void sim_conn_start(sim_conn *c, sim_reply_cb cb, void *ctx);

/* Makes the next txn id "<device>-<n>" (n above any txn the server
 * reported for this device at hello). */
void sim_conn_next_txn(sim_conn *c, char *buf, size_t n);

/* Sends a call (see the header comment).  `txn` names the call's txn (or
 * NULL) for sim_conn_pending_txn.  Returns 0, or WMS_EBUSY when a call is
 * already pending, WMS_ENOMEM. */
int sim_conn_call(sim_conn *c, const char *method, const sim_args *a, const char *txn,
                  const sim_conn_faults *f, sim_reply_cb cb, void *ctx);

/* 1 while a call waits for its outcome. */
int sim_conn_busy(const sim_conn *c);
/* The pending call's method and txn ("" if none). */
const char *sim_conn_pending_method(const sim_conn *c);
const char *sim_conn_pending_txn(const sim_conn *c);
const char *sim_conn_device(const sim_conn *c);
/* The device's txn counter when this run's first hello was answered: txns
 * up to it belong to earlier runs of the same device id. */
uint64_t sim_conn_txn_base(const sim_conn *c);
/* "tcp" or "serial". */
const char *sim_conn_kind(const sim_conn *c);

void sim_conn_get_stats(const sim_conn *c, sim_conn_stats *out);

/* Closes everything; the memory is freed by the loop's close callbacks
 * (run the loop afterwards).  A pending call is abandoned (its callback
 * never runs).  c may be NULL. */
void sim_conn_free(sim_conn *c);

#endif
