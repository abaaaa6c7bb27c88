/* methods.c - dispatch table, exactly-once txns, and the session methods. */
#include "methods.h"
#include "methods_impl.h"
#include "store/db.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define ROLE(r) (1u << (r))
#define ANY_ROLE                                                                                   \
    (ROLE(WMS_ROLE_PICKER) | ROLE(WMS_ROLE_RECEIVER) | ROLE(WMS_ROLE_SUPERVISOR) |                 \
     ROLE(WMS_ROLE_ADMIN))
#define RECEIVING (ROLE(WMS_ROLE_RECEIVER) | ROLE(WMS_ROLE_SUPERVISOR) | ROLE(WMS_ROLE_ADMIN))
#define SUPERVISING (ROLE(WMS_ROLE_SUPERVISOR) | ROLE(WMS_ROLE_ADMIN))
#define PICKING (ROLE(WMS_ROLE_PICKER) | ROLE(WMS_ROLE_SUPERVISOR) | ROLE(WMS_ROLE_ADMIN))

/* M_TXN: changes state, exactly once per txn.  M_WRITE: changes state
 * without a txn because repeating it is harmless (task.next hands out the
 * same task again); it must still run in a write transaction. */
enum { M_PUBLIC = 1, M_TXN = 2, M_WRITE = 4 };

static const struct method {
    const char *name;
    int (*fn)(wms_call *c);
    unsigned roles; /* 0: no login needed */
    int flags;
} methods[] = {
    {"hello", m_hello, 0, M_PUBLIC},
    {"login", NULL, 0, M_PUBLIC},
    {"ping", m_ping, 0, M_PUBLIC},
    {"logout", m_logout, ANY_ROLE, 0},
    {"scan.resolve", m_scan_resolve, ANY_ROLE, 0},
    {"stock.query", m_stock_query, ANY_ROLE, 0},
    {"receive.scan", m_receive_scan, RECEIVING, M_TXN},
    {"receive.close", m_receive_close, RECEIVING, M_TXN},
    {"receipt.create", m_receipt_create, SUPERVISING, M_TXN},
    {"putaway.suggest", m_putaway_suggest, RECEIVING, 0},
    {"putaway.confirm", m_putaway_confirm, RECEIVING, M_TXN},
    {"stock.move", m_stock_move, RECEIVING, M_TXN},
    {"count.next", m_count_next, ANY_ROLE, M_TXN},
    {"count.submit", m_count_submit, ANY_ROLE, M_TXN},
    {"count.create", m_count_create, SUPERVISING, M_TXN},
    {"count.approve", m_count_approve, SUPERVISING, M_TXN},
    {"events.subscribe", m_events_subscribe, SUPERVISING, 0},
    {"order.create", m_order_create, SUPERVISING, M_TXN},
    {"order.release", m_order_release, SUPERVISING, M_TXN},
    {"order.cancel", m_order_cancel, SUPERVISING, M_TXN},
    {"order.status", m_order_status, ANY_ROLE, 0},
    {"wave.release", m_wave_release, SUPERVISING, M_TXN},
    {"task.next", m_task_next, PICKING, M_WRITE},
    {"tote.assign", m_tote_assign, PICKING, M_TXN},
    {"tote.close", m_tote_close, PICKING, M_TXN},
    {"pick.confirm", m_pick_confirm, PICKING, M_TXN},
    {"pick.short", m_pick_short, PICKING, M_TXN},
    {"pack.open", m_pack_open, PICKING, M_TXN},
    {"pack.scan", m_pack_scan, PICKING, M_TXN},
    {"pack.close", m_pack_close, PICKING, M_TXN},
    {"ship.confirm", m_ship_confirm, PICKING, M_TXN},
    {"sort.open", m_sort_open, PICKING, M_TXN},
    {"sort.scan", m_sort_scan, PICKING, 0},
    {"sort.confirm", m_sort_confirm, PICKING, M_TXN},
    {"sort.status", m_sort_status, PICKING, 0},
    {"return.open", m_return_open, RECEIVING, M_TXN},
    {"return.scan", m_return_scan, RECEIVING, M_TXN},
    {"return.grade", m_return_grade, RECEIVING, M_TXN},
    {"return.close", m_return_close, RECEIVING, M_TXN},
    {"return.match", m_return_match, SUPERVISING, M_TXN},
    {"scanner.selftest", m_scanner_selftest, ANY_ROLE, M_WRITE},
    {"device.list", m_device_list, SUPERVISING, 0},
};

int wms_method_writes(const char *method)
{
    if (!strcmp(method, "login"))
        return 1;
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (!strcmp(methods[i].name, method))
            return (methods[i].flags & (M_TXN | M_WRITE)) != 0;
    return 0;
}

int wms_err_transient(int code)
{
    return code == WMS_ESTORAGE || code == WMS_EBUSY || code == WMS_EDISK_FULL ||
           code == WMS_ENOMEM || code == WMS_EIO || code == WMS_ESHUTTING_DOWN;
}

/* Looks up a stored outcome.  1 found (blob copied to out), 0 not, <0 error. */
static int txn_lookup(wms_db *db, const char *device, const char *txn, const char *method,
                      msgpack_sbuffer *out, wms_error *err)
{
    static const char sql[] =
        "SELECT method, outcome FROM txn_outcomes WHERE device = ?1 AND txn = ?2";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, device);
    db__bind_text(st, 2, txn);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        rc = db__fail(db, rc, err, "txn lookup");
        sqlite3_reset(st);
        return rc;
    }
    char stored[WMS_RPC_METHOD_MAX + 1];
    db__col_text(st, 0, stored, sizeof(stored));
    if (strcmp(stored, method)) {
        sqlite3_reset(st);
        return wms_error_set(err, WMS_ETXN_CONFLICT,
                             "txn %s was already used for %s; use a new txn for %s", txn, stored,
                             method);
    }
    msgpack_sbuffer_clear(out);
    msgpack_sbuffer_write(out, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1));
    sqlite3_reset(st);
    return 1;
}

static int txn_store(wms_db *db, const char *device, const char *txn, const char *method,
                     int64_t now_ms, const msgpack_sbuffer *outcome, wms_error *err)
{
    static const char sql[] = "INSERT INTO txn_outcomes(device, txn, ts_ms, method, outcome) "
                              "VALUES (?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, device);
    db__bind_text(st, 2, txn);
    sqlite3_bind_int64(st, 3, now_ms);
    db__bind_text(st, 4, method);
    sqlite3_bind_blob(st, 5, outcome->data, (int)outcome->size, SQLITE_TRANSIENT);
    return db__exec_stmt(db, st, err, "store txn outcome");
}

int wms_txn_prune(wms_db *db, int64_t before_ms, wms_error *err)
{
    static const char sql[] = "DELETE FROM txn_outcomes WHERE ts_ms < ?1";
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return db__op_end(db, err->code, err);
    sqlite3_bind_int64(st, 1, before_ms);
    rc = db__exec_stmt(db, st, err, "prune txn outcomes");
    int n = sqlite3_changes(db->sql);
    rc = db__op_end(db, rc, err);
    return rc < 0 ? rc : n;
}

/* Runs the handler and writes [nil, result] or [error, nil] into out. */
static int run_handler(const struct method *m, wms_call *c, msgpack_sbuffer *out)
{
    msgpack_sbuffer_clear(out);
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 2);
    msgpack_pack_nil(&pk);
    c->pk = &pk;
    int rc = m->fn(c);
    if (rc < 0) {
        if (c->err->code != rc)
            wms_error_set(c->err, rc, NULL);
        wms_outcome_error(out, rc, c->err->msg);
    }
    return rc;
}

static void answer_error(msgpack_sbuffer *out, wms_call_info *info, const wms_error *err)
{
    info->error = err->code;
    wms_outcome_error(out, err->code, err->msg);
}

int wms_dispatch(wms_db *db, const wms_proto_config *cfg, wms_ident *id, const wms_rpc_req *req,
                 int64_t now_ms, msgpack_sbuffer *out, wms_call_info *info)
{
    wms_error err;
    wms_error_clear(&err);
    memset(info, 0, sizeof(*info));
    const struct method *m = NULL;
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (!strcmp(methods[i].name, req->method))
            m = &methods[i];
    if (m == NULL) {
        wms_error_set(&err, WMS_EUNKNOWN_METHOD, "unknown method '%s'", req->method);
        answer_error(out, info, &err);
        return 0;
    }
    if (!(m->flags & M_PUBLIC) && !id->logged_in) {
        wms_error_set(&err, WMS_ENOT_LOGGED_IN, "log in first");
        answer_error(out, info, &err);
        return 0;
    }
    if (m->roles != 0 && !(m->roles & ROLE(id->role))) {
        wms_error_set(&err, WMS_EFORBIDDEN, "a %s may not use %s", wms_role_name(id->role),
                      m->name);
        answer_error(out, info, &err);
        return 0;
    }
    wms_call c = {.db = db,
                  .cfg = cfg,
                  .id = id,
                  .args = req->args,
                  .now_ms = now_ms,
                  .err = &err,
                  .info = info};
    if (m->fn == NULL) /* login */
        return m_login(&c, out);
    if (!(m->flags & M_TXN)) {
        info->error = run_handler(m, &c, out) < 0 ? err.code : 0;
        return 0;
    }
    /* State-changing: exactly once per (device, txn). */
    info->state_changing = 1;
    char txn[WMS_TXN_MAX + 1];
    int rc = wms_arg_str(req->args, "txn", 1, txn, sizeof(txn), &err);
    if (rc < 0) {
        answer_error(out, info, &err);
        return 0;
    }
    if ((rc = db__op_begin(db, &err)) < 0) {
        answer_error(out, info, &err);
        return 0;
    }
    rc = txn_lookup(db, id->device, txn, m->name, out, &err);
    if (rc == 1) {
        info->replayed = 1;
        db__op_end(db, 0, NULL);
        return 0;
    }
    if (rc == 0) {
        /* The handler's own savepoint: its failure undoes only its work. */
        if ((rc = db__op_begin(db, &err)) == 0) {
            c.txn = txn;
            rc = run_handler(m, &c, out);
            rc = db__op_end(db, rc, &err);
        }
        if (rc < 0 && wms_err_transient(rc)) {
            /* Nothing happened and nothing is remembered: the retry runs. */
            db__op_end(db, rc, NULL);
            answer_error(out, info, &err);
            return 0;
        }
        info->error = rc < 0 ? rc : 0;
        rc = txn_store(db, id->device, txn, m->name, now_ms, out, &err);
    }
    if ((rc = db__op_end(db, rc, &err)) < 0)
        answer_error(out, info, &err);
    return 0;
}

int m_login(wms_call *c, msgpack_sbuffer *out)
{
    wms_call_info *info = c->info;
    if (!c->id->hello) {
        wms_error_set(c->err, WMS_EBAD_ARGS, "say hello (with your device id) before login");
        answer_error(out, info, c->err);
        return 0;
    }
    char user[33];
    int rc;
    if ((rc = wms_arg_str(c->args, "user", 1, user, sizeof(user), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "pin", 1, info->pin, sizeof(info->pin), c->err)) < 0) {
        sodium_memzero(info->pin, sizeof(info->pin));
        answer_error(out, info, c->err);
        return 0;
    }
    if ((rc = wms_login_begin(c->db, user, c->id->device, c->now_ms, &info->ticket, c->err)) < 0) {
        sodium_memzero(info->pin, sizeof(info->pin));
        answer_error(out, info, c->err);
        return 0;
    }
    snprintf(info->login_user, sizeof(info->login_user), "%s", user);
    info->login_pending = 1;
    return 1;
}

void wms_dispatch_login_finish(wms_db *db, wms_ident *id, wms_call_info *info, int verify_rc,
                               const wms_error *verify_err, int64_t now_ms, msgpack_sbuffer *out)
{
    wms_error err;
    wms_error_clear(&err);
    sodium_memzero(info->pin, sizeof(info->pin));
    info->login_pending = 0;
    /* Only a checked PIN is recorded: right (also for a disabled user) or
     * wrong.  A check that could not run (no memory, shutdown) is neither. */
    if (verify_rc == 0 || verify_rc == WMS_EUSER_DISABLED || verify_rc == WMS_EAUTH_FAILED) {
        int ok = verify_rc != WMS_EAUTH_FAILED;
        if (wms_login_finish(db, info->login_user, id->device, now_ms, ok, &err) < 0) {
            answer_error(out, info, &err);
            return;
        }
    }
    if (verify_rc < 0) {
        answer_error(out, info, verify_err);
        return;
    }
    snprintf(id->user, sizeof(id->user), "%s", info->ticket.user.name);
    id->role = info->ticket.user.role;
    id->logged_in = 1;
    msgpack_sbuffer_clear(out);
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 2);
    msgpack_pack_nil(&pk);
    msgpack_pack_map(&pk, 2);
    wms_pack_kv_str(&pk, "user", id->user);
    wms_pack_kv_str(&pk, "role", wms_role_name(id->role));
    sodium_memzero(&info->ticket, sizeof(info->ticket));
}

int m_hello(wms_call *c)
{
    char device[65], client[65], gs[4];
    int64_t proto = WMS_PROTO_VERSION;
    int rc;
    if ((rc = wms_arg_str(c->args, "device", 1, device, sizeof(device), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "client", 0, client, sizeof(client), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "proto", 0, INT64_MIN, INT64_MAX, &proto, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "gs", 0, gs, sizeof(gs), c->err)) < 0)
        return rc;
    for (const char *p = device; *p; p++)
        if (*p <= ' ' || *p > '~')
            return wms_error_set(c->err, WMS_EBAD_ARGS,
                                 "device id must be printable ASCII without spaces");
    if (proto != WMS_PROTO_VERSION)
        return wms_error_set(c->err, WMS_EUNSUPPORTED,
                             "argument 'proto': protocol %lld is not supported (use 1)",
                             (long long)proto);
    if (strlen(gs) > 1)
        return wms_error_set(c->err, WMS_EBAD_ARGS, "gs must be one character");
    if (c->id->logged_in && strcmp(c->id->device, device))
        return wms_error_set(c->err, WMS_EBAD_ARGS, "log out before changing the device id");
    snprintf(c->id->device, sizeof(c->id->device), "%s", device);
    snprintf(c->id->client, sizeof(c->id->client), "%s", client);
    c->id->gs_sub = gs[0];
    c->id->hello = 1;
    /* The device's last stored txn lets a restarted scanner see what landed. */
    static const char sql[] = "SELECT txn, method, ts_ms FROM txn_outcomes WHERE device = ?1 "
                              "ORDER BY ts_ms DESC LIMIT 1";
    sqlite3_stmt *st = db__stmt(c->db, sql, c->err);
    if (st == NULL)
        return c->err->code;
    db__bind_text(st, 1, device);
    msgpack_pack_map(c->pk, 4);
    wms_pack_kv_str(c->pk, "server", c->cfg->server_name ? c->cfg->server_name : "wmsd");
    wms_pack_kv_int(c->pk, "proto", WMS_PROTO_VERSION);
    wms_pack_kv_str(c->pk, "device", device);
    wms_pack_str(c->pk, "resume");
    if (sqlite3_step(st) == SQLITE_ROW) {
        char txn[WMS_TXN_MAX + 1], method[WMS_RPC_METHOD_MAX + 1];
        db__col_text(st, 0, txn, sizeof(txn));
        db__col_text(st, 1, method, sizeof(method));
        msgpack_pack_map(c->pk, 3);
        wms_pack_kv_str(c->pk, "last_txn", txn);
        wms_pack_kv_str(c->pk, "last_method", method);
        wms_pack_kv_int(c->pk, "last_ms", sqlite3_column_int64(st, 2));
    } else {
        msgpack_pack_map(c->pk, 0);
    }
    sqlite3_reset(st);
    return 0;
}

unsigned wms_topic_bit(const char *kind)
{
#define X__(bit, name)                                                                             \
    if (!strcmp(kind, name))                                                                       \
        return bit;
    WMS_TOPICS(X__)
#undef X__
    return 0;
}

/* Subscribes the session to event topics (all when none are named).  From
 * now on the server pushes [2, "event", [{...}]] after each commit. */
int m_events_subscribe(wms_call *c)
{
    const msgpack_object *arr;
    int rc = wms_arg_array(c->args, "topics", 0, 16, &arr, c->err);
    if (rc < 0)
        return rc;
    unsigned topics = 0;
    for (uint32_t i = 0; arr != NULL && i < arr->via.array.size; i++) {
        const msgpack_object *t = &arr->via.array.ptr[i];
        char name[32] = "";
        /* Copied only when it cannot be cut short: a NUL inside is refused. */
        if (t->type == MSGPACK_OBJECT_STR && t->via.str.size < sizeof(name) &&
            memchr(t->via.str.ptr, '\0', t->via.str.size) == NULL)
            memcpy(name, t->via.str.ptr, t->via.str.size);
        unsigned bit = t->type == MSGPACK_OBJECT_STR ? wms_topic_bit(name) : 0;
        if (bit == 0) {
#define X__(b, name) ", " name
            static const char all[] = WMS_TOPICS(X__);
#undef X__
            return wms_error_set(c->err, WMS_EBAD_ARGS, "topics[%u] is not a topic (%s)", i,
                                 all + 2);
        }
        topics |= bit;
    }
    if (topics == 0)
        topics = WMS_TOPIC_ALL;
    static const char sql[] = "SELECT coalesce(max(id), 0) FROM events";
    sqlite3_stmt *st = db__stmt(c->db, sql, c->err);
    if (st == NULL)
        return c->err->code;
    int64_t pos = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    c->id->topics = topics;
    c->id->event_pos = pos;
    int n = 0;
#define X__(bit, name) n += (topics & bit) != 0;
    WMS_TOPICS(X__)
#undef X__
    msgpack_pack_map(c->pk, 2);
    wms_pack_str(c->pk, "topics");
    msgpack_pack_array(c->pk, (size_t)n);
#define X__(bit, name)                                                                             \
    if (topics & bit)                                                                              \
        wms_pack_str(c->pk, name);
    WMS_TOPICS(X__)
#undef X__
    wms_pack_kv_int(c->pk, "after", pos);
    return 0;
}

int m_ping(wms_call *c)
{
    msgpack_pack_map(c->pk, 2);
    wms_pack_kv_bool(c->pk, "pong", 1);
    wms_pack_kv_int(c->pk, "time_ms", c->now_ms);
    return 0;
}

int m_logout(wms_call *c)
{
    c->id->logged_in = 0;
    c->id->role = 0;
    c->id->user[0] = '\0';
    msgpack_pack_map(c->pk, 0);
    return 0;
}
