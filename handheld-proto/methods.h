/*
 * methods.h - the handheld protocol's methods: the dispatch table, role
 * checks, exactly-once txn handling, and each method's handler.
 *
 * No I/O here: a call goes in as a decoded request plus the session's
 * identity, and an outcome ([error, result] as msgpack) comes out.  The
 * server runs calls inside its group-commit transaction; each call is
 * atomic on its own (savepoint), and a state-changing call stores its
 * outcome under (device, txn) in the same savepoint, so a retried txn gets
 * the stored answer and no second effect.
 */
#ifndef WMS_PROTO_METHODS_H
#define WMS_PROTO_METHODS_H

#include "rpc.h"
#include "store/users.h"

#define WMS_PROTO_VERSION 1
#define WMS_TXN_MAX 64

/* Who is on the other end of a session. */
typedef struct wms_ident {
    char device[65];
    char client[65];
    char user[33];
    int role;  /* WMS_ROLE_*, 0 before login */
    int hello; /* hello received */
    int logged_in;
    char gs_sub;       /* the device's substitute for the GS1 separator, or 0 */
    unsigned topics;   /* events.subscribe: topic bits, 0 = not subscribed */
    int64_t event_pos; /* last event id pushed to this session */
} wms_ident;

/* Event topics a session can subscribe to (the events.kind values). */
#define WMS_TOPICS(XX)                                                                             \
    XX(1u, "order.status")                                                                         \
    XX(2u, "order.hold")                                                                           \
    XX(4u, "order.short")                                                                          \
    XX(8u, "pick.short")                                                                           \
    XX(16u, "gift.rule")                                                                           \
    XX(32u, "replenish.alert")                                                                     \
    XX(64u, "order.shipment")                                                                      \
    XX(128u, "order.return")                                                                       \
    XX(256u, "sort.complete")
#define WMS_TOPIC_ALL 511u

/* The topic bit of an event kind, 0 when unknown. */
unsigned wms_topic_bit(const char *kind);

typedef struct wms_proto_config {
    const char *server_name;   /* "wmsd/0.1" */
    const char *receiving_bin; /* default bin for receive.scan */
    int64_t txn_keep_ms;       /* keep outcomes at least this long */
} wms_proto_config;

/* What the server needs to know about a dispatched call. */
typedef struct wms_call_info {
    int state_changing; /* carried a txn */
    int replayed;       /* answered from the txn table */
    int error;          /* 0 or the WMS_E* code answered */
    int login_pending;  /* login: run wms_login_verify off the loop, then finish */
    wms_login_ticket ticket;
    char login_user[33];
    char pin[16];
} wms_call_info;

/* Runs one request for the session `id` (which hello/login/logout update).
 * Writes the outcome into `out`.  Returns 0 when an outcome was written,
 * or 1 when info->login_pending is set (no outcome yet: the server verifies
 * the PIN off the loop, then calls wms_dispatch_login_finish). */
int wms_dispatch(wms_db *db, const wms_proto_config *cfg, wms_ident *id, const wms_rpc_req *req,
                 int64_t now_ms, msgpack_sbuffer *out, wms_call_info *info);

/* Completes a pending login with the result `verify_rc` of wms_login_verify
 * (0 = the PIN matched).  Records the attempt, updates `id`, writes the
 * outcome.  Wipes info->pin. */
void wms_dispatch_login_finish(wms_db *db, wms_ident *id, wms_call_info *info, int verify_rc,
                               const wms_error *verify_err, int64_t now_ms, msgpack_sbuffer *out);

/* 1 when `method` may write to the database (state-changing calls and
 * login, which records its attempt); 0 for read-only methods and unknown
 * names (those are answered without writing). */
int wms_method_writes(const char *method);

/* Deletes stored txn outcomes older than `before_ms`.  Returns rows deleted. */
int wms_txn_prune(wms_db *db, int64_t before_ms, wms_error *err);

/* 1 when `code` is a transient system error (nothing was done; retry). */
int wms_err_transient(int code);

#endif
