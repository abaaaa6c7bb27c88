/* events.c - the event log and the order status history. */
#include "store/db.h"
#include "store/events.h"

#include <string.h>

int64_t wms_event_add(wms_db *db, const wms_actor *who, const char *kind, int64_t order_id,
                      const char *status, const char *detail, wms_error *err)
{
    static const char sql[] =
        "INSERT INTO events(ts, kind, order_id, status, detail, user, device) VALUES ("
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2, ?3, ?4, ?5, ?6)";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, kind);
    if (order_id > 0)
        sqlite3_bind_int64(st, 2, order_id);
    if (status != NULL)
        db__bind_text(st, 3, status);
    db__bind_text(st, 4, detail);
    db__bind_text(st, 5, who && who->user ? who->user : "system");
    db__bind_text(st, 6, who && who->device ? who->device : "");
    int rc = db__exec_stmt(db, st, err, "event");
    return rc < 0 ? rc : sqlite3_last_insert_rowid(db->sql);
}

int wms_order_set_status(wms_db *db, const wms_actor *who, int64_t order_id, const char *status,
                         const char *detail, wms_error *err)
{
    static const char sql[] = "UPDATE orders SET status = ?2 WHERE id = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, order_id);
    db__bind_text(st, 2, status);
    int rc = db__exec_stmt(db, st, err, "order status");
    if (rc < 0)
        return rc;
    if (sqlite3_changes(db->sql) == 0)
        return wms_error_set(err, WMS_ENOT_FOUND, "no order with id %lld", (long long)order_id);
    int64_t id = wms_event_add(db, who, "order.status", order_id, status, detail, err);
    return id < 0 ? (int)id : 0;
}

int wms_order_status_of(wms_db *db, int64_t order_id, char *buf, size_t n, wms_error *err)
{
    static const char sql[] = "SELECT status FROM orders WHERE id = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, order_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        db__col_text(st, 0, buf, n);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no order with id %lld", (long long)order_id);
    return rc == SQLITE_ROW ? 0 : db__fail(db, rc, err, "order status");
}

int wms_event_list(wms_db *db, int64_t after_id, const char *order_ref, int limit,
                   int (*cb)(void *, const wms_event *), void *ctx, wms_error *err)
{
    /* Two statements so each can use its index (events by id; by order). */
    static const char all[] =
        "SELECT e.id, e.ts, e.kind, coalesce(o.ref, ''), coalesce(e.status, ''), e.detail, "
        "e.user, e.device FROM events e LEFT JOIN orders o ON o.id = e.order_id "
        "WHERE e.id > ?1 ORDER BY e.id LIMIT ?3";
    static const char one[] =
        "SELECT e.id, e.ts, e.kind, o.ref, coalesce(e.status, ''), e.detail, e.user, e.device "
        "FROM orders o JOIN events e ON e.order_id = o.id "
        "WHERE o.ref = ?2 AND e.id > ?1 ORDER BY e.id LIMIT ?3";
    sqlite3_stmt *st = db__stmt(db, order_ref != NULL ? one : all, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, after_id);
    if (order_ref != NULL)
        db__bind_text(st, 2, order_ref);
    sqlite3_bind_int(st, 3, limit > 0 ? limit : 1000);
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        wms_event e;
        e.id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, e.ts, sizeof(e.ts));
        db__col_text(st, 2, e.kind, sizeof(e.kind));
        db__col_text(st, 3, e.order, sizeof(e.order));
        db__col_text(st, 4, e.status, sizeof(e.status));
        db__col_text(st, 5, e.detail, sizeof(e.detail));
        db__col_text(st, 6, e.user, sizeof(e.user));
        db__col_text(st, 7, e.device, sizeof(e.device));
        n++;
        if (cb(ctx, &e) != 0)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db__fail(db, rc, err, "event list");
    return n;
}
