/* fuzz_dispatch.c - libFuzzer entry point for the handheld request path:
 * wms_mp_scan -> wms_rpc_decode -> wms_dispatch (-> wms_dispatch_login_finish)
 * over a tiny warehouse in an in-memory database.
 *
 *   scripts/fuzz.sh dispatch           (builds into build-fuzz and runs)
 *
 * By hand: build the libraries with clang into build-fuzz as scripts/fuzz.sh
 * does, then
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iengine/include -Iengine/src \
 *       -Ihandheld-proto -Idrivers -Itests/fuzz tests/fuzz/fuzz_dispatch.c
 * build-fuzz/libwms_proto.a \
 *       build-fuzz/libwms_drivers.a build-fuzz/libwms_engine.a -lsqlite3 -lsodium -lzint \
 *       -lcsv -lmsgpackc -luv -lserialport -lm -o fuzz_dispatch
 *
 * The database is opened and loaded once (first call): the warehouse of
 * warehouse.h and five users (argon2 hashing is slow: once).
 * Each input runs inside wms_tx_begin/wms_tx_rollback, so inputs do not see
 * each other's changes and the database does not grow.
 *
 * Input: byte 0 sets up the session, the rest is up to MAX_MSGS MessagePack
 * messages back to back (a sequence such as count.create, count.next,
 * count.submit in one input).  Byte 0:
 *   bits 0-1  0 no hello, 1 hello as device FUZZ, 2-3 also logged in
 *   bits 2-3  role when logged in: 0 admin, 1 supervisor, 2 receiver, 3 picker
 *   bits 4-5  PIN check of a login: 0 real (against the users' PINs),
 *             1 AUTH_FAILED, 2 SHUTTING_DOWN, 3 NOMEM
 *   bit 6     the device's GS1 substitute separator is '|'
 *   bit 7     "today" is 2027-07-01 (some lots expired) instead of 2026-11-23
 * Messages are scanned with the server's default limits; scanning stops at
 * the first one the guard does not accept whole.  With FUZZ_DISPATCH_TRACE
 * set in the environment each call's method and outcome are printed.
 *
 * Checked (abort() on any violation), for every message:
 *  - a decode failure carries its code and message; when it has a msgid
 *    its error outcome is well formed;
 *  - wms_dispatch returns 0, or 1 only for a pending login;
 *  - the outcome is one msgpack value [error, result] with exactly one
 *    nil, an error being {"code": str, "message": non-empty str}, and the
 *    code agrees with info.error; a response can be built from it;
 *  - no STORAGE, IO, DISK_FULL or BUSY error (the database is in memory:
 *    such an error is a constraint SQLite enforced that the engine missed);
 *  - the outer transaction is still open and no operation is left open;
 *  - read-only methods (wms_method_writes() == 0) change no row;
 *  - only hello, login and logout change the session (events.subscribe
 *    only its subscription);
 *  - a state-changing call retried with the same txn gets the stored
 *    outcome byte for byte (exactly once);
 * and after every input: the stock matches the journal
 * (wms_stock_verify() == 0) and no quantity is negative.
 */
#include <msgpack.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "methods.h"
#include "mpguard.h"
#include "store/db.h"
#include "store/users.h"
#include "warehouse.h"

#define MAX_MSGS 16
#define NOW_MS 1795430400000LL
#define DEVICE "FUZZ"

typedef struct fuzz_user {
    const char *name;
    int role;
    const char *pin;
    int disabled;
} fuzz_user;

/* Index = bits 2-3 of byte 0 for a pre-logged-in session. */
static const fuzz_user USERS[] = {
    {"ada", WMS_ROLE_ADMIN, "1234", 0},    {"sam", WMS_ROLE_SUPERVISOR, "2345", 0},
    {"rob", WMS_ROLE_RECEIVER, "4711", 0}, {"pia", WMS_ROLE_PICKER, "5678", 0},
    {"old", WMS_ROLE_PICKER, "9999", 1},
};
#define N_USERS (sizeof(USERS) / sizeof(USERS[0]))

static const wms_proto_config CFG = {
    .server_name = "wmsd/fuzz",
    .receiving_bin = "DOCK-01",
    .txn_keep_ms = 36LL * 3600 * 1000,
};

/* Reports a broken invariant and aborts (the fuzzer's finding). */
static void die(const char *what, const char *detail)
{
    fuzz_die("fuzz_dispatch", what, detail);
}

/* The shared database, opened and loaded on the first call (warehouse.h,
 * plus the users); aborts when that fails.  Never closed. */
static wms_db *setup(void)
{
    static wms_db *db;
    if (db != NULL)
        return db;
    db = fuzz_warehouse_open();
    wms_error err;
    wms_error_clear(&err);
    for (size_t i = 0; i < N_USERS; i++) {
        if (wms_user_add(db, USERS[i].name, USERS[i].role, USERS[i].pin, &err) < 0)
            die("cannot add a user", err.msg);
        if (USERS[i].disabled && wms_user_set_disabled(db, USERS[i].name, 1, &err) < 0)
            die("cannot disable a user", err.msg);
    }
    if (wms_stock_verify(db, NULL, NULL, &err) != 0)
        die("the loaded stock does not match its journal", err.msg);
    return db;
}

/* 1 when FUZZ_DISPATCH_TRACE is set: print what each call did. */
static int trace(void)
{
    static int on = -1;
    if (on < 0)
        on = getenv("FUZZ_DISPATCH_TRACE") != NULL;
    return on;
}

/* A session as byte 0 describes it (see the header comment). */
static void session_init(wms_ident *id, uint8_t knob)
{
    memset(id, 0, sizeof(*id));
    int state = knob & 3;
    if (state >= 1) {
        snprintf(id->device, sizeof(id->device), "%s", DEVICE);
        id->hello = 1;
    }
    if (state >= 2) {
        const fuzz_user *u = &USERS[(knob >> 2) & 3];
        snprintf(id->user, sizeof(id->user), "%s", u->name);
        id->role = u->role;
        id->logged_in = 1;
    }
    if (knob & 0x40)
        id->gs_sub = '|';
}

/* Stands in for wms_login_verify (argon2 is far too slow per input): mode 0
 * compares the PIN with the known users', others return a fixed error.
 * Also checks that the ticket agrees with the stored user. */
static int fake_verify(const wms_call_info *info, int mode, wms_error *err)
{
    if (mode == 1)
        return wms_error_set(err, WMS_EAUTH_FAILED, NULL);
    if (mode == 2)
        return wms_error_set(err, WMS_ESHUTTING_DOWN, NULL);
    if (mode == 3)
        return wms_error_set(err, WMS_ENOMEM, NULL);
    const fuzz_user *u = NULL;
    for (size_t i = 0; i < N_USERS && info->ticket.found; i++)
        if (!strcmp(info->ticket.user.name, USERS[i].name))
            u = &USERS[i];
    if (info->ticket.found && u == NULL)
        die("login ticket names an unknown user", info->ticket.user.name);
    if (u != NULL &&
        (info->ticket.user.role != u->role || info->ticket.user.disabled != u->disabled ||
         strcmp(info->login_user, u->name)))
        die("login ticket disagrees with the stored user", u->name);
    if (u == NULL || strcmp(info->pin, u->pin))
        return wms_error_set(err, WMS_EAUTH_FAILED, NULL);
    if (u->disabled)
        return wms_error_set(err, WMS_EUSER_DISABLED, NULL);
    return 0;
}

/* Checks that `out` is exactly one msgpack value [error, result] with
 * exactly one nil, and writes the error's code name into `code` ("" on
 * success). */
static void check_outcome(const msgpack_sbuffer *out, char *code, size_t cap)
{
    msgpack_zone zone;
    msgpack_zone_init(&zone, 1024);
    msgpack_object o;
    size_t off = 0;
    if (out->size == 0)
        die("empty outcome", NULL);
    if (msgpack_unpack(out->data, out->size, &off, &zone, &o) != MSGPACK_UNPACK_SUCCESS ||
        off != out->size)
        die("the outcome is not exactly one MessagePack value", NULL);
    if (o.type != MSGPACK_OBJECT_ARRAY || o.via.array.size != 2)
        die("the outcome is not [error, result]", NULL);
    const msgpack_object *e = &o.via.array.ptr[0], *r = &o.via.array.ptr[1];
    if ((e->type == MSGPACK_OBJECT_NIL) == (r->type == MSGPACK_OBJECT_NIL))
        die("the outcome does not have exactly one nil", NULL);
    code[0] = '\0';
    if (e->type != MSGPACK_OBJECT_NIL) {
        const msgpack_object *c = wms_arg_get(e, "code"), *m = wms_arg_get(e, "message");
        if (e->type != MSGPACK_OBJECT_MAP || c == NULL || m == NULL ||
            c->type != MSGPACK_OBJECT_STR || m->type != MSGPACK_OBJECT_STR ||
            c->via.str.size == 0 || c->via.str.size >= cap || m->via.str.size == 0)
            die("the error is not {code, message}", NULL);
        memcpy(code, c->via.str.ptr, c->via.str.size);
        code[c->via.str.size] = '\0';
        if (!strcmp(code, "UNKNOWN_ERROR"))
            die("the error code has no name", NULL);
    }
    msgpack_zone_destroy(&zone);
}

/* The error message of an outcome, for reports (static buffer). */
static const char *last_message(const msgpack_sbuffer *out)
{
    static char msg[400];
    msgpack_zone zone;
    msgpack_zone_init(&zone, 1024);
    msgpack_object o;
    size_t off = 0;
    snprintf(msg, sizeof(msg), "?");
    if (msgpack_unpack(out->data, out->size, &off, &zone, &o) == MSGPACK_UNPACK_SUCCESS &&
        o.type == MSGPACK_OBJECT_ARRAY && o.via.array.size == 2) {
        const msgpack_object *m = wms_arg_get(&o.via.array.ptr[0], "message");
        if (m != NULL && m->type == MSGPACK_OBJECT_STR)
            snprintf(msg, sizeof(msg), "%.*s", (int)m->via.str.size, m->via.str.ptr);
    }
    msgpack_zone_destroy(&zone);
    return msg;
}

/* Builds the response for msgid from the outcome and checks its shape. */
static void check_response(uint32_t msgid, const msgpack_sbuffer *out, msgpack_sbuffer *resp)
{
    if (wms_response_from_outcome(msgid, (const uint8_t *)out->data, out->size, resp) != 0)
        die("no response can be built from the outcome", NULL);
    msgpack_zone zone;
    msgpack_zone_init(&zone, 1024);
    msgpack_object o;
    size_t off = 0;
    if (msgpack_unpack(resp->data, resp->size, &off, &zone, &o) != MSGPACK_UNPACK_SUCCESS ||
        off != resp->size || o.type != MSGPACK_OBJECT_ARRAY || o.via.array.size != 4 ||
        o.via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
        o.via.array.ptr[0].via.u64 != 1 || o.via.array.ptr[1].via.u64 != msgid)
        die("the response is not [1, msgid, error, result]", NULL);
    msgpack_zone_destroy(&zone);
}

/* 1 when two sessions are the same (field by field: no padding compared). */
static int same_session(const wms_ident *a, const wms_ident *b)
{
    return !strcmp(a->device, b->device) && !strcmp(a->client, b->client) &&
           !strcmp(a->user, b->user) && a->role == b->role && a->hello == b->hello &&
           a->logged_in == b->logged_in && a->gs_sub == b->gs_sub && a->topics == b->topics &&
           a->event_pos == b->event_pos;
}

typedef struct bufs {
    msgpack_sbuffer out, again, resp;
} bufs;

/* A state-changing call sent again with the same txn: the stored outcome
 * byte for byte, no second effect, the session unchanged. */
static void check_exactly_once(wms_db *db, wms_ident *id, const wms_rpc_req *req,
                               const wms_call_info *info, int64_t now, bufs *b)
{
    char txn[WMS_TXN_MAX + 1];
    if (!info->state_changing || info->replayed || wms_err_transient(info->error) ||
        wms_arg_str(req->args, "txn", 1, txn, sizeof(txn), NULL) != 1)
        return;
    wms_ident before = *id;
    wms_call_info again;
    int changes = sqlite3_total_changes(db->sql);
    if (wms_dispatch(db, &CFG, id, req, now + 1, &b->again, &again) != 0)
        die("a retried txn did not answer", req->method);
    fuzz_check_tx(db, "fuzz_dispatch");
    if (info->error != WMS_ETXN_CONFLICT && !again.replayed)
        die("a retried txn ran again", req->method);
    if (b->again.size != b->out.size || memcmp(b->again.data, b->out.data, b->out.size))
        die("a retried txn got another answer", req->method);
    if (sqlite3_total_changes(db->sql) != changes)
        die("a retried txn changed the database", req->method);
    if (!same_session(&before, id))
        die("a retried txn changed the session", req->method);
}

/* Decodes and dispatches one whole message of n bytes. */
static void run_one(wms_db *db, wms_ident *id, const uint8_t *msg, size_t n, int64_t now,
                    int verify_mode, bufs *b)
{
    msgpack_zone zone;
    msgpack_zone_init(&zone, 2048);
    wms_rpc_req req;
    wms_error err;
    wms_error_clear(&err);
    char code[64];
    int rc = wms_rpc_decode(msg, n, &zone, &req, &err);
    if (rc < 0) {
        if (err.code != rc || err.msg[0] == '\0')
            die("a decode error without its code or message", NULL);
        if (trace())
            fprintf(stderr, "  (not decoded) -> %s\n", wms_err_name(rc));
        if (req.has_msgid) {
            wms_outcome_error(&b->out, rc, err.msg);
            check_outcome(&b->out, code, sizeof(code));
            check_response(req.msgid, &b->out, &b->resp);
            if (strcmp(code, wms_err_name(rc)))
                die("the decode error outcome has another code", code);
        }
        msgpack_zone_destroy(&zone);
        return;
    }
    if (rc != 0 || !req.has_msgid || req.method[0] == '\0')
        die("a decoded request without msgid or method", NULL);

    wms_ident before = *id;
    int changes = sqlite3_total_changes(db->sql);
    wms_call_info info;
    int login_rc = 1; /* no login finished */
    rc = wms_dispatch(db, &CFG, id, &req, now, &b->out, &info);
    if (rc == 1) {
        if (!info.login_pending || strcmp(req.method, "login"))
            die("dispatch returned 1 for something else than a pending login", req.method);
        fuzz_check_tx(db, "fuzz_dispatch");
        wms_error verr;
        wms_error_clear(&verr);
        int vrc = fake_verify(&info, verify_mode, &verr);
        wms_dispatch_login_finish(db, id, &info, vrc, &verr, now, &b->out);
        if (info.login_pending || info.pin[0] != '\0')
            die("login finish left the login pending or the PIN in memory", NULL);
        login_rc = vrc;
    } else if (rc != 0 || info.login_pending) {
        die("dispatch returned neither 0 nor a pending login", req.method);
    }
    fuzz_check_tx(db, "fuzz_dispatch");
    check_outcome(&b->out, code, sizeof(code));
    check_response(req.msgid, &b->out, &b->resp);
    if (!info.replayed && strcmp(code, info.error ? wms_err_name(info.error) : ""))
        die("info.error disagrees with the outcome", req.method);
    /* An in-memory database has no I/O, locks or full disk: such an error
     * means SQLite refused something (a CHECK or foreign key constraint:
     * e.g. negative stock) that the engine should have refused first. */
    if (!strcmp(code, "STORAGE") || !strcmp(code, "IO") || !strcmp(code, "DISK_FULL") ||
        !strcmp(code, "BUSY"))
        die("a storage error on the in-memory database", last_message(&b->out));
    if (login_rc < 0 && code[0] == '\0')
        die("a login whose PIN check failed succeeded", info.login_user);
    if (login_rc == 0 && code[0] == '\0' && (!id->logged_in || strcmp(id->user, info.login_user)))
        die("a good login did not log the session in", info.login_user);
    if (!wms_method_writes(req.method) && sqlite3_total_changes(db->sql) != changes)
        die("a read-only method changed the database", req.method);
    if (!strcmp(req.method, "events.subscribe")) {
        /* It may change the subscription and nothing else of the session. */
        before.topics = id->topics;
        before.event_pos = id->event_pos;
        if (code[0] == '\0' && (id->topics == 0 || id->topics & ~WMS_TOPIC_ALL))
            die("events.subscribe left no or unknown topics", NULL);
    }
    if (strcmp(req.method, "hello") && strcmp(req.method, "login") &&
        strcmp(req.method, "logout") && !same_session(&before, id))
        die("a call changed the session", req.method);
    if (id->logged_in &&
        (!id->hello || id->role < WMS_ROLE_PICKER || id->role > WMS_ROLE_ADMIN || !id->user[0]))
        die("a logged-in session without hello, role or user", req.method);
    check_exactly_once(db, id, &req, &info, now, b);
    if (trace()) /* for writing seeds: what each call did */
        fprintf(stderr, "  %s -> %s%s\n", req.method, code[0] ? code : "ok",
                info.replayed ? " (replayed)" : "");
    msgpack_zone_destroy(&zone);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    wms_db *db = setup();
    uint8_t knob = data[0];
    data++;
    size--;

    wms_ident id;
    session_init(&id, knob);
    if (wms_db_set_today(db, (knob & 0x80) ? FUZZ_LATER_TODAY : FUZZ_TODAY) < 0)
        die("cannot set today", NULL);
    wms_error err;
    wms_error_clear(&err);
    if (wms_tx_begin(db, &err) < 0)
        die("cannot begin the transaction", err.msg);

    bufs b;
    msgpack_sbuffer_init(&b.out);
    msgpack_sbuffer_init(&b.again);
    msgpack_sbuffer_init(&b.resp);
    wms_mp_limits lim;
    wms_mp_limits_default(&lim);
    size_t off = 0;
    for (int i = 0; i < MAX_MSGS && off < size; i++) {
        size_t len = 0;
        if (wms_mp_scan(data + off, size - off, &lim, &len, NULL) != 1)
            break;
        /* An exact-size copy so ASan sees any read past the message. */
        uint8_t *msg = malloc(len);
        if (msg == NULL)
            break;
        memcpy(msg, data + off, len);
        run_one(db, &id, msg, len, NOW_MS + (int64_t)i * 1000, (knob >> 4) & 3, &b);
        free(msg);
        off += len;
    }
    fuzz_check_stock(db, "fuzz_dispatch");
    wms_tx_rollback(db);
    if (!sqlite3_get_autocommit(db->sql))
        die("the rollback left a transaction open", NULL);
    msgpack_sbuffer_destroy(&b.out);
    msgpack_sbuffer_destroy(&b.again);
    msgpack_sbuffer_destroy(&b.resp);
    return 0;
}
