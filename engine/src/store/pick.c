/* pick.c - tasks for pickers, pick confirmation, short picks (see pick.h). */
#include "store/pick.h"
#include "store/pick_impl.h"
#include "store/alloc.h"
#include "store/db.h"
#include "store/events.h"
#include "store/ops.h"
#include "store/stock.h"

#include <stdio.h>
#include <string.h>

static const char task_sql[] =
    "SELECT t.id, t.kind, t.status, coalesce(t.wave_id, 0), t.tour, t.seq, coalesce(o.ref, ''), "
    "coalesce(a.line, 0), fb.code, coalesce(tb.code, ''), fb.zone, fb.aisle, fb.y_m, i.sku, "
    "i.description, t.lot, t.expiry, t.qty, t.done_qty, t.tote, coalesce(t.assigned_to, ''), "
    "coalesce(t.depends_on, 0), "
    "coalesce((SELECT max(p.units) FROM packs p WHERE p.item_id = t.item_id), 1), "
    "coalesce((SELECT tt.code FROM totes tt WHERE tt.order_id = t.order_id AND tt.slot = t.tote "
    "  AND tt.slot <> '' AND tt.status = 'open'), ''), "
    "t.item_id, t.from_bin_id, coalesce(t.to_bin_id, 0), coalesce(t.order_id, 0), "
    "coalesce(t.allocation_id, 0), coalesce(l.min_shelf_life_days, -1) "
    "FROM tasks t JOIN bins fb ON fb.id = t.from_bin_id LEFT JOIN bins tb ON tb.id = t.to_bin_id "
    "JOIN items i ON i.id = t.item_id LEFT JOIN orders o ON o.id = t.order_id "
    "LEFT JOIN allocations a ON a.id = t.allocation_id "
    "LEFT JOIN order_lines l ON l.order_id = a.order_id AND l.line = a.line WHERE t.id = ?1";

/* Loads task `id` into *r.  Errors: WMS_ENOT_FOUND. */
int pick__task_load(wms_db *db, int64_t id, task_row *r, wms_error *err)
{
    sqlite3_stmt *st = db__stmt(db, task_sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return wms_error_set(err, WMS_ENOT_FOUND, "no task %lld", (long long)id);
        return db__fail(db, rc, err, "task");
    }
    memset(r, 0, sizeof(*r));
    wms_task *t = &r->t;
    t->id = sqlite3_column_int64(st, 0);
    db__col_text(st, 1, t->kind, sizeof(t->kind));
    db__col_text(st, 2, t->status, sizeof(t->status));
    t->wave_id = sqlite3_column_int64(st, 3);
    t->tour = sqlite3_column_int(st, 4);
    t->seq = sqlite3_column_int64(st, 5);
    db__col_text(st, 6, t->order, sizeof(t->order));
    t->line = sqlite3_column_int(st, 7);
    db__col_text(st, 8, t->bin, sizeof(t->bin));
    db__col_text(st, 9, t->to_bin, sizeof(t->to_bin));
    db__col_text(st, 10, t->zone, sizeof(t->zone));
    db__col_text(st, 11, t->aisle, sizeof(t->aisle));
    t->y_m = sqlite3_column_double(st, 12);
    db__col_text(st, 13, t->sku, sizeof(t->sku));
    db__col_text(st, 14, t->description, sizeof(t->description));
    db__col_text(st, 15, t->lot, sizeof(t->lot));
    db__col_text(st, 16, t->expiry, sizeof(t->expiry));
    t->qty = sqlite3_column_int64(st, 17);
    t->done_qty = sqlite3_column_int64(st, 18);
    t->left = t->qty - t->done_qty;
    db__col_text(st, 19, t->tote, sizeof(t->tote));
    db__col_text(st, 20, t->assigned_to, sizeof(t->assigned_to));
    t->depends_on = sqlite3_column_int64(st, 21);
    t->case_units = sqlite3_column_int64(st, 22);
    db__col_text(st, 23, t->tote_code, sizeof(t->tote_code));
    r->item_id = sqlite3_column_int64(st, 24);
    r->from_bin_id = sqlite3_column_int64(st, 25);
    r->to_bin_id = sqlite3_column_int64(st, 26);
    r->order_id = sqlite3_column_int64(st, 27);
    r->allocation_id = sqlite3_column_int64(st, 28);
    r->min_days = sqlite3_column_int64(st, 29);
    sqlite3_reset(st);
    r->bulk = t->bulk = !strcmp(t->kind, "pick") && r->order_id == 0;
    if (r->bulk) {
        static const char q_orders[] =
            "SELECT count(DISTINCT order_id) FROM allocations WHERE bulk_task_id = ?1 AND "
            "status = 'open'";
        if ((rc = db__q1(db, q_orders, t->id, &t->orders, err)) < 0)
            return rc;
    }
    if (t->assigned_to[0] != '\0') {
        static const char q_left[] =
            "SELECT count(*) FROM tasks WHERE assigned_to = (SELECT assigned_to FROM tasks "
            "WHERE id = ?1) AND coalesce(wave_id, 0) = ?2 AND tour = (SELECT tour FROM tasks "
            "WHERE id = ?1) AND status IN ('open', 'assigned')";
        int64_t n;
        if ((rc = db__q2(db, q_left, t->id, t->wave_id, &n, err)) < 0)
            return rc;
        t->left_in_tour = (int)n;
    }
    return 0;
}

int wms_task_get(wms_db *db, int64_t id, wms_task *out, wms_error *err)
{
    task_row r;
    int rc = pick__task_load(db, id, &r, err);
    if (rc == 0)
        *out = r.t;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Handing out work                                                         */
/* ------------------------------------------------------------------------ */

/* A pick waits while the replenishment it depends on is not done. */
#define NOT_WAITING                                                                                \
    "(t.depends_on IS NULL OR (SELECT r.status FROM tasks r WHERE r.id = t.depends_on) "           \
    "IN ('done', 'cancelled', 'short'))"

/* The task who holds now (see pick.h), or 0. */
static int held_task(wms_db *db, const char *user, int64_t *id, int64_t *waiting, wms_error *err)
{
    static const char sql[] =
        "SELECT t.id, " NOT_WAITING " FROM tasks t WHERE t.assigned_to = ?1 "
        "AND t.status IN ('open', 'assigned') "
        "ORDER BY t.kind <> 'replenish', coalesce(t.wave_id, 0), t.tour, t.seq, t.id";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, user);
    int rc;
    *id = 0;
    *waiting = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_int(st, 1)) {
            *id = sqlite3_column_int64(st, 0);
            break;
        }
        (*waiting)++;
    }
    rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : db__fail(db, rc, err, "held tasks");
    sqlite3_reset(st);
    return rc;
}

/* Assigns task `id` to user. */
static int assign_one(wms_db *db, int64_t id, const char *user, wms_error *err)
{
    static const char sql[] =
        "UPDATE tasks SET status = 'assigned', assigned_to = ?2 WHERE id = ?1 AND status = 'open'";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    db__bind_text(st, 2, user);
    return db__exec_stmt(db, st, err, "assign task");
}

/* Assigns the next unassigned work to user (see pick.h); *got = 1 when
 * something was assigned. */
static int assign_next(wms_db *db, const char *user, const char *zone, int *got, wms_error *err)
{
    static const char q_repl[] =
        "SELECT r.id FROM tasks r WHERE r.kind = 'replenish' AND r.status = 'open' "
        "AND EXISTS (SELECT 1 FROM tasks p WHERE p.depends_on = r.id "
        "  AND p.status IN ('open', 'assigned')) "
        "ORDER BY coalesce(r.wave_id, 0), r.seq, r.id LIMIT 1";
    static const char q_tour[] =
        "SELECT coalesce(wave_id, 0), tour FROM tasks WHERE kind = 'pick' AND status = 'open' "
        "AND assigned_to IS NULL AND (?1 = '' OR zone = ?1) "
        "ORDER BY wave_id IS NULL, wave_id, tour, seq LIMIT 1";
    static const char upd_tour[] =
        "UPDATE tasks SET status = 'assigned', assigned_to = ?3 WHERE kind = 'pick' "
        "AND status = 'open' AND assigned_to IS NULL AND coalesce(wave_id, 0) = ?1 "
        "AND tour = ?2 AND (?4 = '' OR zone = ?4)";
    static const char q_topup[] =
        "SELECT id FROM tasks WHERE kind = 'replenish' AND status = 'open' "
        "AND assigned_to IS NULL ORDER BY seq, id LIMIT 1";
    int64_t id;
    int rc;
    *got = 0;
    if ((rc = db__query_i64(db, q_repl, 0, NULL, &id, err)) < 0)
        return rc;
    if (rc == 0) {
        sqlite3_stmt *st = db__stmt(db, q_tour, err);
        if (st == NULL)
            return err->code;
        db__bind_text(st, 1, zone);
        rc = sqlite3_step(st);
        int64_t wave = 0, tour = 0;
        if (rc == SQLITE_ROW) {
            wave = sqlite3_column_int64(st, 0);
            tour = sqlite3_column_int64(st, 1);
        }
        sqlite3_reset(st);
        if (rc == SQLITE_ROW) {
            if ((st = db__stmt(db, upd_tour, err)) == NULL)
                return err->code;
            sqlite3_bind_int64(st, 1, wave);
            sqlite3_bind_int64(st, 2, tour);
            db__bind_text(st, 3, user);
            db__bind_text(st, 4, zone);
            *got = 1;
            return db__exec_stmt(db, st, err, "assign tour");
        }
        if (rc != SQLITE_DONE)
            return db__fail(db, rc, err, "next tour");
        if ((rc = db__query_i64(db, q_topup, 0, NULL, &id, err)) <= 0)
            return rc;
    }
    *got = 1;
    return assign_one(db, id, user, err);
}

static int task_next__(wms_db *db, const wms_actor *who, const char *zone, wms_task *out,
                       int64_t *waiting, wms_error *err)
{
    int64_t id, wait;
    int rc, got;
    if ((rc = held_task(db, who->user, &id, &wait, err)) < 0)
        return rc;
    if (id == 0 && wait == 0) {
        if ((rc = assign_next(db, who->user, zone ? zone : "", &got, err)) < 0)
            return rc;
        if (got && (rc = held_task(db, who->user, &id, &wait, err)) < 0)
            return rc;
    } else if (id == 0) {
        /* every pick held waits: do the replenishment yourself when nobody
         * has taken it */
        static const char q_mine[] =
            "SELECT r.id FROM tasks r JOIN tasks p ON p.depends_on = r.id "
            "WHERE p.assigned_to = ?1 AND p.status IN ('open', 'assigned') "
            "AND r.status = 'open' AND r.assigned_to IS NULL ORDER BY r.id LIMIT 1";
        sqlite3_stmt *st = db__stmt(db, q_mine, err);
        if (st == NULL)
            return err->code;
        db__bind_text(st, 1, who->user);
        rc = sqlite3_step(st);
        int64_t repl = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return db__fail(db, rc, err, "waited replenishment");
        if (repl > 0 && ((rc = assign_one(db, repl, who->user, err)) < 0 ||
                         (rc = held_task(db, who->user, &id, &wait, err)) < 0))
            return rc;
    }
    if (waiting != NULL)
        *waiting = wait;
    if (id == 0)
        return 0;
    if ((rc = wms_task_get(db, id, out, err)) < 0)
        return rc;
    return 1;
}

int wms_task_next(wms_db *db, const wms_actor *who, const char *zone, wms_task *out,
                  int64_t *waiting, wms_error *err)
{
    if (zone != NULL && strlen(zone) > 32)
        return wms_error_set(err, WMS_EBAD_ARGS, "zone: at most 32 bytes");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = task_next__(db, who, zone, out, waiting, err);
    return db__op_end(db, rc, err);
}

/* ------------------------------------------------------------------------ */
/* Totes                                                                    */
/* ------------------------------------------------------------------------ */

int pick__valid_label(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] == 0x7f)
            return 0;
    return 1;
}

/* The open tote of (order, slot): *id (0 = none) and its code. */
static int slot_tote(wms_db *db, int64_t order_id, const char *slot, int64_t *id, char *code,
                     size_t n, wms_error *err)
{
    static const char sql[] = "SELECT id, code FROM totes WHERE order_id = ?1 AND slot = ?2 "
                              "AND status = 'open'";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    db__bind_text(st, 2, slot);
    int rc = sqlite3_step(st);
    *id = 0;
    if (code != NULL)
        code[0] = '\0';
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        if (code != NULL)
            db__col_text(st, 1, code, n);
    }
    sqlite3_reset(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : db__fail(db, rc, err, "slot tote");
}

/* Opens tote `code` for (order, slot, wave).  *id gets its id.  Errors:
 * WMS_ECONFLICT when the label is in use (not yet packed). */
int pick__tote_open(wms_db *db, const wms_actor *who, int64_t order_id, const char *slot,
                    int64_t wave_id, const char *code, int64_t *id, wms_error *err)
{
    static const char q_used[] =
        "SELECT o.ref, t.slot, t.status FROM totes t JOIN orders o ON o.id = t.order_id "
        "WHERE t.code = ?1 AND t.status <> 'packed'";
    static const char q_wall[] = "SELECT wall FROM putwall_slots WHERE label = ?1";
    static const char ins[] =
        "INSERT INTO totes(code, slot, order_id, wave_id, status, user, device, opened) "
        "VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
    sqlite3_stmt *st = db__stmt(db, q_used, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, code);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char ref[65], oslot[WMS_SLOT_MAX + 1], status[12];
        db__col_text(st, 0, ref, sizeof(ref));
        db__col_text(st, 1, oslot, sizeof(oslot));
        db__col_text(st, 2, status, sizeof(status));
        sqlite3_reset(st);
        return wms_error_set(err, WMS_ECONFLICT,
                             "tote %s is in use (%s, order %s, slot %s): take an empty tote", code,
                             status, ref, oslot);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "tote lookup");
    if (strncmp(slot, "wall:", 5) != 0) { /* a put wall's slot label is no tote */
        if ((st = db__stmt(db, q_wall, err)) == NULL)
            return err->code;
        db__bind_text(st, 1, code);
        rc = sqlite3_step(st);
        char wall[32] = "";
        if (rc == SQLITE_ROW)
            db__col_text(st, 0, wall, sizeof(wall));
        sqlite3_reset(st);
        if (rc == SQLITE_ROW)
            return wms_error_set(err, WMS_ECONFLICT,
                                 "%s is a slot of put wall %s, not a tote: take a tote", code,
                                 wall);
        if (rc != SQLITE_DONE)
            return db__fail(db, rc, err, "put wall slot");
    }
    if ((st = db__stmt(db, ins, err)) == NULL)
        return err->code;
    db__bind_text(st, 1, code);
    db__bind_text(st, 2, slot);
    sqlite3_bind_int64(st, 3, order_id);
    if (wave_id > 0)
        sqlite3_bind_int64(st, 4, wave_id);
    db__bind_text(st, 5, who->user);
    db__bind_text(st, 6, who->device);
    if ((rc = db__exec_stmt(db, st, err, "open tote")) < 0)
        return rc;
    *id = sqlite3_last_insert_rowid(db->sql);
    return 0;
}

static int tote_assign__(wms_db *db, const wms_actor *who, const char *slot, const char *code,
                         char *order_ref, size_t n, wms_error *err)
{
    static const char q_slot[] =
        "SELECT t.order_id, coalesce(t.wave_id, 0), o.ref FROM tasks t "
        "JOIN orders o ON o.id = t.order_id WHERE t.tote = ?1 AND t.kind = 'pick' "
        "AND t.status IN ('open', 'assigned') LIMIT 1";
    sqlite3_stmt *st = db__stmt(db, q_slot, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, slot);
    int rc = sqlite3_step(st);
    int64_t order_id = 0, wave_id = 0;
    if (rc == SQLITE_ROW) {
        order_id = sqlite3_column_int64(st, 0);
        wave_id = sqlite3_column_int64(st, 1);
        if (order_ref != NULL)
            db__col_text(st, 2, order_ref, n);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no open pick task has tote slot %s", slot);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "tote slot");
    int64_t have;
    char cur[WMS_TOTE_MAX + 1];
    if ((rc = slot_tote(db, order_id, slot, &have, cur, sizeof(cur), err)) < 0)
        return rc;
    if (have != 0) {
        if (!strcmp(cur, code))
            return 0;
        return wms_error_set(err, WMS_ECONFLICT,
                             "slot %s already has tote %s: close it before taking another", slot,
                             cur);
    }
    if ((rc = pick__tote_open(db, who, order_id, slot, wave_id, code, &have, err)) < 0)
        return rc;
    return 1;
}

int wms_tote_assign(wms_db *db, const wms_actor *who, const char *slot, const char *code,
                    char *order_ref, size_t n, wms_error *err)
{
    if (!pick__valid_label(slot, WMS_SLOT_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "tote: a slot label of 1-%d characters",
                             WMS_SLOT_MAX);
    if (!pick__valid_label(code, WMS_TOTE_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "code: a tote label of 1-%d printable characters, no spaces",
                             WMS_TOTE_MAX);
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = tote_assign__(db, who, slot, code, order_ref, n, err);
    return db__op_end(db, rc, err);
}

static const char tote_info_sql[] =
    "SELECT t.id, t.code, t.slot, o.ref, t.status, "
    "coalesce((SELECT sum(qty) FROM picks WHERE tote_id = t.id), 0), "
    "coalesce((SELECT sum(packed) FROM picks WHERE tote_id = t.id), 0) "
    "FROM totes t JOIN orders o ON o.id = t.order_id "
    "WHERE t.code = ?1 AND t.status <> 'packed'";

int wms_tote_get(wms_db *db, const char *code, wms_tote_info *out, wms_error *err)
{
    sqlite3_stmt *st = db__stmt(db, tote_info_sql, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, code);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, out->code, sizeof(out->code));
        db__col_text(st, 2, out->slot, sizeof(out->slot));
        db__col_text(st, 3, out->order, sizeof(out->order));
        db__col_text(st, 4, out->status, sizeof(out->status));
        out->units = sqlite3_column_int64(st, 5);
        out->packed = sqlite3_column_int64(st, 6);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no tote %s in use", code ? code : "");
    return rc == SQLITE_ROW ? 0 : db__fail(db, rc, err, "tote");
}

static int tote_close__(wms_db *db, const char *code, wms_tote_info *out, wms_error *err)
{
    static const char upd[] = "UPDATE totes SET status = 'closed', "
                              "closed = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1";
    int rc = wms_tote_get(db, code, out, err);
    if (rc < 0)
        return rc;
    if (strcmp(out->status, "open"))
        return wms_error_set(err, WMS_ECLOSED, "tote %s is already closed", code);
    sqlite3_stmt *st = db__stmt(db, upd, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, out->id);
    if ((rc = db__exec_stmt(db, st, err, "close tote")) < 0)
        return rc;
    snprintf(out->status, sizeof(out->status), "closed");
    return 0;
}

int wms_tote_close(wms_db *db, const wms_actor *who, const char *code, wms_tote_info *out,
                   wms_error *err)
{
    (void)who;
    wms_tote_info tmp;
    if (out == NULL)
        out = &tmp;
    if (!pick__valid_label(code, WMS_TOTE_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "code: a tote label");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = tote_close__(db, code, out, err);
    return db__op_end(db, rc, err);
}

/* The tote a pick for task r goes into: checks the scan against the slot's
 * tote; a scan into a slot without one opens it.  *tote_id 0 = no tote. */
static int pick_tote(wms_db *db, const wms_actor *who, const task_row *r, const char *scan,
                     int64_t *tote_id, char *code, size_t n, wms_error *err)
{
    int rc;
    *tote_id = 0;
    code[0] = '\0';
    if (r->t.tote[0] == '\0' || r->order_id == 0) {
        if (scan != NULL && scan[0] != '\0')
            return wms_error_set(err, WMS_EWRONG_TOTE, "this task has no tote: scan none");
        return 0;
    }
    if ((rc = slot_tote(db, r->order_id, r->t.tote, tote_id, code, n, err)) < 0)
        return rc;
    if (*tote_id != 0) {
        if (scan == NULL || scan[0] == '\0')
            return wms_error_set(err, WMS_EWRONG_TOTE, "scan tote %s (slot %s)", code, r->t.tote);
        if (strcmp(scan, code))
            return wms_error_set(err, WMS_EWRONG_TOTE,
                                 "wrong tote: %s is not this order's; put it into tote %s "
                                 "(slot %s)",
                                 scan, code, r->t.tote);
        return 0;
    }
    if (scan == NULL || scan[0] == '\0')
        return 0; /* picking without totes */
    if (!pick__valid_label(scan, WMS_TOTE_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "tote: a tote label");
    if ((rc = pick__tote_open(db, who, r->order_id, r->t.tote, r->t.wave_id, scan, tote_id, err)) <
        0)
        return rc == WMS_ECONFLICT ? wms_error_set(err, WMS_EWRONG_TOTE, "%s", err->msg) : rc;
    snprintf(code, n, "%s", scan);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Picking                                                                  */
/* ------------------------------------------------------------------------ */

/* Order status after a pick or short: 'picking' while allocations are
 * open, then 'picked' (or 'short' when nothing was picked). */
int pick__order_after(wms_db *db, const wms_actor *who, int64_t order_id, char *status, size_t n,
                      wms_error *err)
{
    static const char q_open[] =
        "SELECT count(*) FROM allocations WHERE order_id = ?1 AND status = 'open'";
    static const char q_picked[] = "SELECT coalesce(sum(qty), 0) FROM picks WHERE order_id = ?1";
    char cur[16] = "";
    int64_t open, picked;
    int rc;
    if ((rc = wms_order_status_of(db, order_id, cur, sizeof(cur), err)) < 0 ||
        (rc = db__q1(db, q_open, order_id, &open, err)) < 0 ||
        (rc = db__q1(db, q_picked, order_id, &picked, err)) < 0)
        return rc;
    const char *to = NULL;
    char detail[96];
    detail[0] = '\0';
    if (open > 0) {
        if (!strcmp(cur, "allocated"))
            to = "picking";
    } else if (!strcmp(cur, "allocated") || !strcmp(cur, "picking")) {
        to = picked > 0 ? "picked" : "short";
        snprintf(detail, sizeof(detail), "%lld units picked", (long long)picked);
    }
    if (to != NULL) {
        if ((rc = wms_order_set_status(db, who, order_id, to, detail, err)) < 0)
            return rc;
        snprintf(status, n, "%s", to);
    } else {
        snprintf(status, n, "%s", cur);
    }
    return 0;
}

/* The outbound area. */
static int outbound_bin(wms_db *db, wms_bin *b, wms_error *err)
{
    int rc = wms_bin_get(db, WMS_OUTBOUND_BIN, b, err);
    if (rc < 0)
        return rc;
    if (strcmp(b->type, "staging"))
        return wms_error_set(err, WMS_ECONFLICT,
                             "bin %s must be the staging area for picked goods, but it is a %s "
                             "bin",
                             WMS_OUTBOUND_BIN, b->type);
    return 0;
}

/* Books `units` of (lot, expiry) picked for task r into tote_id: the stock
 * move (taking the reservation), allocation, order line, task and picks
 * row.  The allocation must already cover these units on that quant. */
int pick__book(wms_db *db, const wms_actor *who, const task_row *r, int64_t alloc_id,
               const char *lot, const char *expiry, int64_t units, int64_t tote_id, wms_error *err)
{
    static const char upd_alloc[] =
        "UPDATE allocations SET picked = picked + ?2, "
        "status = CASE WHEN picked + ?2 >= qty THEN 'picked' ELSE status END WHERE id = ?1";
    static const char upd_line[] =
        "UPDATE order_lines SET picked = picked + ?3 WHERE order_id = ?1 AND line = ?2";
    static const char upd_task[] =
        "UPDATE tasks SET done_qty = done_qty + ?2, assigned_to = coalesce(assigned_to, ?3), "
        "status = CASE WHEN done_qty + ?2 >= qty THEN 'done' ELSE 'assigned' END WHERE id = ?1";
    static const char ins[] =
        "INSERT INTO picks(task_id, order_id, line, tote_id, bin_id, item_id, lot, expiry, qty, "
        "ts, user, device, to_sort, bulk_tote) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?10, ?11, ?12, ?13)";
    wms_bin from, out;
    int rc;
    if ((rc = wms_bin_get(db, r->t.bin, &from, err)) < 0 || (rc = outbound_bin(db, &out, err)) < 0)
        return rc;
    stock_move mv = {.kind = "pick",
                     .item_id = r->item_id,
                     .lot = lot,
                     .expiry = expiry,
                     .from = &from,
                     .from_status = "available",
                     .to = &out,
                     .to_status = "available",
                     .qty = units,
                     .reason = r->t.order,
                     .take_reserved = 1};
    if ((rc = stock__apply(db, who, &mv, NULL, err)) < 0)
        return rc;
    sqlite3_stmt *st = db__stmt(db, upd_alloc, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, alloc_id);
    sqlite3_bind_int64(st, 2, units);
    if ((rc = db__exec_stmt(db, st, err, "allocation picked")) < 0)
        return rc;
    if ((st = db__stmt(db, upd_line, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->order_id);
    sqlite3_bind_int(st, 2, r->t.line);
    sqlite3_bind_int64(st, 3, units);
    if ((rc = db__exec_stmt(db, st, err, "line picked")) < 0)
        return rc;
    if ((st = db__stmt(db, upd_task, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->t.id);
    sqlite3_bind_int64(st, 2, units);
    db__bind_text(st, 3, who->user);
    if ((rc = db__exec_stmt(db, st, err, "task progress")) < 0)
        return rc;
    if ((st = db__stmt(db, ins, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->t.id);
    sqlite3_bind_int64(st, 2, r->order_id);
    sqlite3_bind_int(st, 3, r->t.line);
    if (tote_id > 0)
        sqlite3_bind_int64(st, 4, tote_id);
    sqlite3_bind_int64(st, 5, r->from_bin_id);
    sqlite3_bind_int64(st, 6, r->item_id);
    db__bind_text(st, 7, lot);
    db__bind_text(st, 8, expiry);
    sqlite3_bind_int64(st, 9, units);
    db__bind_text(st, 10, who->user);
    db__bind_text(st, 11, who->device);
    sqlite3_bind_int(st, 12, r->bulk);
    db__bind_text(st, 13, r->bulk ? r->bulk_tote : "");
    return db__exec_stmt(db, st, err, "pick record");
}

/* Checks that the task may be worked on by who now. */
int pick__scanned_lot(const task_row *r, char *lot, char *expiry, int *subst, wms_error *err)
{
    *subst = lot[0] && strcmp(lot, r->t.lot);
    if (*subst)
        return 0;
    if (expiry[0] && strcmp(expiry, r->t.expiry))
        return wms_error_set(err, WMS_EWRONG_LOT,
                             "the label says expiry %s but lot %s in bin %s expires %s: check the "
                             "goods",
                             expiry, r->t.lot, r->t.bin, r->t.expiry[0] ? r->t.expiry : "never");
    snprintf(lot, WMS_LOT_MAX + 1, "%s", r->t.lot);
    snprintf(expiry, 11, "%s", r->t.expiry);
    return 0;
}

int pick__workable(wms_db *db, const wms_actor *who, const task_row *r, wms_error *err)
{
    const wms_task *t = &r->t;
    if (strcmp(t->status, "open") && strcmp(t->status, "assigned"))
        return wms_error_set(err, WMS_ETASK_CLOSED, "task %lld is %s", (long long)t->id, t->status);
    if (t->assigned_to[0] && strcmp(t->assigned_to, who->user))
        return wms_error_set(err, WMS_ETASK_NOT_YOURS, "task %lld belongs to %s", (long long)t->id,
                             t->assigned_to);
    if (t->depends_on > 0) {
        static const char q[] = "SELECT status NOT IN ('done', 'cancelled', 'short') "
                                "FROM tasks WHERE id = ?1";
        int64_t waiting;
        int rc = db__q1(db, q, t->depends_on, &waiting, err);
        if (rc < 0)
            return rc;
        if (waiting)
            return wms_error_set(err, WMS_ETASK_WAITING,
                                 "wait: bin %s is being replenished first (task %lld)", t->bin,
                                 (long long)t->depends_on);
    }
    return 0;
}

/* Resolves the item scan against the task: *units per scan, lot and expiry
 * the code's lot and expiry ("" when none). */
int pick__scan_item(wms_db *db, const task_row *r, const char *code, char gs_sub, int64_t *units,
                    char *lot, char *expiry, wms_error *err)
{
    wms_resolution res;
    int rc = wms_code_resolve(db, code, gs_sub, &res, err);
    if (rc == WMS_EUNKNOWN_CODE)
        return wms_error_set(err, WMS_EUNKNOWN_CODE,
                             "code %.64s is not known: scan the %s label or key it in", code,
                             r->t.sku);
    if (rc < 0)
        return rc;
    if (res.kind == WMS_CODE_BIN)
        return wms_error_set(err, WMS_EWRONG_ITEM, "that is bin %s: now scan the item %s", res.bin,
                             r->t.sku);
    if (res.kind != WMS_CODE_ITEM || res.n < 1)
        return wms_error_set(err, WMS_EWRONG_ITEM, "that is not an item: scan %s", r->t.sku);
    int k = -1;
    for (int i = 0; i < res.n; i++)
        if (res.m[i].item_id == r->item_id)
            k = i;
    if (k < 0)
        return wms_error_set(err, WMS_EWRONG_ITEM, "wrong item: you scanned %s, this task is %s",
                             res.m[0].sku, r->t.sku);
    *units = res.m[k].units * (res.count > 0 ? res.count : 1);
    snprintf(lot, WMS_LOT_MAX + 1, "%s", res.lot);
    snprintf(expiry, 11, "%s", res.expiry);
    return 0;
}

/* Lot substitution (see pick.h): re-allocates `units` of the task's
 * allocation to (scanned lot) in the same bin; *new_alloc receives the new
 * allocation, lot/expiry the quant's. */
int pick__substitute(wms_db *db, const task_row *r, const char *lot, char *expiry, int64_t units,
                     int64_t *new_alloc, wms_error *err)
{
    static const char q_quant[] =
        "SELECT expiry, qty - reserved FROM stock WHERE bin_id = ?1 AND item_id = ?2 AND lot = ?3 "
        "AND status = 'available' ORDER BY qty - reserved DESC LIMIT 1";
    /* The allocation gives up the units (all of them: 'cancelled' keeping
     * its qty, or down to what it picked: 'picked'). */
    static const char upd_old[] =
        "UPDATE allocations SET qty = CASE WHEN qty - ?2 > 0 THEN qty - ?2 ELSE qty END, "
        "status = CASE WHEN qty - ?2 = 0 THEN 'cancelled' WHEN qty - ?2 <= picked THEN 'picked' "
        "ELSE status END WHERE id = ?1 AND status = 'open' AND qty - picked >= ?2";
    static const char unres[] = "UPDATE stock SET reserved = reserved - ?5 WHERE bin_id = ?1 AND "
                                "item_id = ?2 AND lot = ?3 AND expiry = ?4 AND "
                                "status = 'available' AND reserved >= ?5";
    static const char res_new[] = "UPDATE stock SET reserved = reserved + ?5 WHERE bin_id = ?1 AND "
                                  "item_id = ?2 AND lot = ?3 AND expiry = ?4 AND "
                                  "status = 'available' AND qty - reserved >= ?5";
    static const char ins[] =
        "INSERT INTO allocations(order_id, line, bin_id, item_id, lot, expiry, qty, status, "
        "wave_id) SELECT order_id, line, bin_id, item_id, ?2, ?3, ?4, 'open', wave_id "
        "FROM allocations WHERE id = ?1";
    sqlite3_stmt *st = db__stmt(db, q_quant, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->from_bin_id);
    sqlite3_bind_int64(st, 2, r->item_id);
    db__bind_text(st, 3, lot);
    int rc = sqlite3_step(st);
    char qexp[16] = "";
    int64_t free_units = 0;
    if (rc == SQLITE_ROW) {
        db__col_text(st, 0, qexp, sizeof(qexp));
        free_units = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_EWRONG_LOT, "lot %s is not in bin %s: pick lot %s", lot,
                             r->t.bin, r->t.lot);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "lot lookup");
    if (expiry[0] && strcmp(expiry, qexp))
        return wms_error_set(err, WMS_EWRONG_LOT,
                             "lot %s in bin %s expires %s, not %s as scanned: check the label", lot,
                             r->t.bin, qexp[0] ? qexp : "(undated)", expiry);
    const char *today = db__today(db);
    if (qexp[0] && strcmp(qexp, today) <= 0)
        return wms_error_set(err, WMS_EEXPIRED_LOT, "lot %s expired on %s: do not pick it", lot,
                             qexp);
    if (r->min_days >= 0 && qexp[0]) {
        int64_t ok;
        static const char q_life[] = "SELECT ?1 >= date(?2, '+' || ?3 || ' days')";
        if ((st = db__stmt(db, q_life, err)) == NULL)
            return err->code;
        db__bind_text(st, 1, qexp);
        db__bind_text(st, 2, today);
        sqlite3_bind_int64(st, 3, r->min_days);
        rc = sqlite3_step(st);
        ok = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return db__fail(db, rc, err, "shelf life");
        if (!ok)
            return wms_error_set(err, WMS_ESHELF_LIFE,
                                 "lot %s expires %s: this order needs %lld days of shelf life; "
                                 "pick lot %s",
                                 lot, qexp, (long long)r->min_days, r->t.lot);
    }
    /* FEFO: never a later expiry than allocated (undated = latest). */
    int later = r->t.expiry[0] == '\0' ? 0 : (qexp[0] == '\0' || strcmp(qexp, r->t.expiry) > 0);
    if (later)
        return wms_error_set(err, WMS_EWRONG_LOT,
                             "lot %s expires %s, after the allocated lot %s (%s): pick lot %s "
                             "first",
                             lot, qexp[0] ? qexp : "(undated)", r->t.lot, r->t.expiry, r->t.lot);
    if (free_units < units)
        return wms_error_set(err, WMS_EWRONG_LOT,
                             "only %lld of lot %s in bin %s are free (the rest is promised to "
                             "other orders): pick lot %s",
                             (long long)free_units, lot, r->t.bin, r->t.lot);
    /* Move the reservation: old quant -units, new quant +units. */
    if ((st = db__stmt(db, upd_old, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->allocation_id);
    sqlite3_bind_int64(st, 2, units);
    if ((rc = db__exec_stmt(db, st, err, "shrink allocation")) < 0)
        return rc;
    if (sqlite3_changes(db->sql) != 1)
        return wms_error_set(err, WMS_ECONFLICT, "task %lld has no open allocation",
                             (long long)r->t.id);
    const char *q3[2] = {unres, res_new};
    const char *lots[2] = {r->t.lot, lot};
    const char *exps[2] = {r->t.expiry, qexp};
    for (int i = 0; i < 2; i++) {
        if ((st = db__stmt(db, q3[i], err)) == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, r->from_bin_id);
        sqlite3_bind_int64(st, 2, r->item_id);
        db__bind_text(st, 3, lots[i]);
        db__bind_text(st, 4, exps[i]);
        sqlite3_bind_int64(st, 5, units);
        if ((rc = db__exec_stmt(db, st, err, "move reservation")) < 0)
            return rc;
        if (sqlite3_changes(db->sql) != 1)
            return wms_error_set(err, WMS_EWRONG_LOT, "lot %s: its units are no longer free", lot);
    }
    if ((st = db__stmt(db, ins, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->allocation_id);
    db__bind_text(st, 2, lot);
    db__bind_text(st, 3, qexp);
    sqlite3_bind_int64(st, 4, units);
    if ((rc = db__exec_stmt(db, st, err, "pick__substitute allocation")) < 0)
        return rc;
    if ((rc = alloc__clip_topups(db, r->from_bin_id, r->item_id, lot, qexp, err)) < 0)
        return rc;
    *new_alloc = sqlite3_last_insert_rowid(db->sql);
    /* The task keeps its qty: pick__book counts these units as done, so its
     * qty - done_qty stays equal to the allocation's qty - picked. */
    snprintf(expiry, 11, "%.10s", qexp);
    return 0;
}

/* A replenishment move confirmed on the handheld. */
static int confirm_replenish(wms_db *db, const wms_actor *who, const task_row *r,
                             const wms_pick_scan *scan, int64_t units, const char *lot,
                             wms_pick_result *out, wms_error *err)
{
    if (scan->to_bin == NULL || scan->to_bin[0] == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "to_bin: scan the pick face %s", r->t.to_bin);
    if (strcmp(scan->to_bin, r->t.to_bin))
        return wms_error_set(err, WMS_EWRONG_BIN, "wrong bin: put it into pick face %s, not %s",
                             r->t.to_bin, scan->to_bin);
    if (lot[0] && strcmp(lot, r->t.lot))
        return wms_error_set(err, WMS_EWRONG_LOT, "move lot %s, not %s", r->t.lot, lot);
    int rc = wms_replenish_done(db, who, r->t.id, units, err);
    if (rc < 0)
        return rc;
    task_row now;
    if ((rc = pick__task_load(db, r->t.id, &now, err)) < 0)
        return rc;
    out->picked = units;
    out->done_qty = now.t.done_qty;
    out->left = now.t.left;
    snprintf(out->status, sizeof(out->status), "%s", now.t.status);
    snprintf(out->lot, sizeof(out->lot), "%s", r->t.lot);
    snprintf(out->expiry, sizeof(out->expiry), "%s", r->t.expiry);
    return 0;
}

static int pick_confirm__(wms_db *db, const wms_actor *who, const wms_pick_scan *scan,
                          wms_pick_result *out, wms_error *err)
{
    task_row r;
    int rc;
    if ((rc = pick__task_load(db, scan->task_id, &r, err)) < 0 ||
        (rc = pick__workable(db, who, &r, err)) < 0)
        return rc;
    out->task_id = r.t.id;
    if (scan->bin == NULL || strcmp(scan->bin, r.t.bin))
        return wms_error_set(err, WMS_EWRONG_BIN, "wrong bin: you scanned %.64s; go to bin %s",
                             scan->bin ? scan->bin : "", r.t.bin);
    int64_t per = 0;
    char lot[WMS_LOT_MAX + 1], expiry[11];
    if ((rc = pick__scan_item(db, &r, scan->code, scan->gs_sub, &per, lot, expiry, err)) < 0)
        return rc;
    if (scan->packs < 1 || scan->packs > WMS_QTY_MAX || per > WMS_QTY_MAX / scan->packs)
        return wms_error_set(err, WMS_EBAD_QTY, "qty: 1 or more scans of that code");
    int64_t units = per * scan->packs;
    if (units > r.t.left)
        return wms_error_set(err, WMS_EQTY_ABOVE_TASK,
                             "%lld units is more than the %lld this task still needs%s",
                             (long long)units, (long long)r.t.left,
                             per > 1 ? ": that code is a pack, scan single units" : "");
    if (!strcmp(r.t.kind, "replenish"))
        return confirm_replenish(db, who, &r, scan, units, lot, out, err);
    if (r.bulk)
        return pick__bulk_confirm(db, who, &r, scan->tote, units, lot, expiry, out, err);
    int64_t alloc = r.allocation_id;
    int subst;
    if ((rc = pick__scanned_lot(&r, lot, expiry, &subst, err)) < 0)
        return rc;
    if (subst) {
        if ((rc = pick__substitute(db, &r, lot, expiry, units, &alloc, err)) < 0)
            return rc;
        out->substituted = 1;
    }
    int64_t tote_id;
    if ((rc = pick_tote(db, who, &r, scan->tote, &tote_id, out->tote, sizeof(out->tote), err)) < 0)
        return rc;
    if ((rc = pick__book(db, who, &r, alloc, lot, expiry, units, tote_id, err)) < 0)
        return rc;
    if ((rc = pick__order_after(db, who, r.order_id, out->order_status, sizeof(out->order_status),
                                err)) < 0)
        return rc;
    out->picked = units;
    out->done_qty = r.t.done_qty + units;
    out->left = r.t.left - units;
    snprintf(out->status, sizeof(out->status), "%s", out->left == 0 ? "done" : "assigned");
    snprintf(out->lot, sizeof(out->lot), "%s", lot);
    snprintf(out->expiry, sizeof(out->expiry), "%s", expiry);
    return 0;
}

int wms_pick_confirm(wms_db *db, const wms_actor *who, const wms_pick_scan *scan,
                     wms_pick_result *out, wms_error *err)
{
    wms_pick_result tmp;
    if (out == NULL)
        out = &tmp;
    memset(out, 0, sizeof(*out));
    if (scan == NULL || scan->code == NULL || scan->code[0] == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "code: scan the item");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = pick_confirm__(db, who, scan, out, err);
    return db__op_end(db, rc, err);
}

/* ------------------------------------------------------------------------ */
/* Short picks                                                              */
/* ------------------------------------------------------------------------ */

/* Gives up the `missing` unpicked units of task r's allocation: its
 * reservation, the allocation (down to what it picked), the order line's
 * allocated units; the task becomes 'short'. */
int pick__release_missing(wms_db *db, const wms_actor *who, const task_row *r, int64_t missing,
                          wms_error *err)
{
    static const char unres[] = "UPDATE stock SET reserved = reserved - ?5 WHERE bin_id = ?1 AND "
                                "item_id = ?2 AND lot = ?3 AND expiry = ?4 AND "
                                "status = 'available' AND reserved >= ?5";
    static const char upd_alloc[] =
        "UPDATE allocations SET qty = CASE WHEN picked > 0 THEN picked ELSE qty END, "
        "status = CASE WHEN picked > 0 THEN 'picked' ELSE 'short' END "
        "WHERE id = ?1 AND status = 'open' AND qty - picked = ?2";
    static const char upd_line[] = "UPDATE order_lines SET allocated = allocated - ?3 "
                                   "WHERE order_id = ?1 AND line = ?2 AND allocated >= ?3";
    static const char upd_task[] =
        "UPDATE tasks SET status = 'short', assigned_to = coalesce(assigned_to, ?2) WHERE id = ?1";
    sqlite3_stmt *st = db__stmt(db, unres, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->from_bin_id);
    sqlite3_bind_int64(st, 2, r->item_id);
    db__bind_text(st, 3, r->t.lot);
    db__bind_text(st, 4, r->t.expiry);
    sqlite3_bind_int64(st, 5, missing);
    int rc = db__exec_stmt(db, st, err, "release reservation");
    if (rc < 0)
        return rc;
    if (sqlite3_changes(db->sql) != 1)
        return wms_error_set(err, WMS_ECONFLICT, "task %lld: its reservation is not there",
                             (long long)r->t.id);
    if ((st = db__stmt(db, upd_alloc, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->allocation_id);
    sqlite3_bind_int64(st, 2, missing);
    if ((rc = db__exec_stmt(db, st, err, "short allocation")) < 0)
        return rc;
    if (sqlite3_changes(db->sql) != 1)
        return wms_error_set(err, WMS_ECONFLICT, "task %lld: its allocation does not match",
                             (long long)r->t.id);
    if ((st = db__stmt(db, upd_line, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->order_id);
    sqlite3_bind_int(st, 2, r->t.line);
    sqlite3_bind_int64(st, 3, missing);
    if ((rc = db__exec_stmt(db, st, err, "order line")) < 0)
        return rc;
    if ((st = db__stmt(db, upd_task, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->t.id);
    db__bind_text(st, 2, who->user);
    return db__exec_stmt(db, st, err, "short task");
}

/* Pick tasks for the allocations a re-allocation made (ids >= first), at
 * the end of r's tour, for the same picker and slot.  *n = tasks made. */
static int tasks_for_new(wms_db *db, const wms_actor *who, const task_row *r, int64_t first, int *n,
                         wms_error *err)
{
    static const char ins[] =
        "INSERT INTO tasks(wave_id, kind, status, tour, seq, zone, allocation_id, order_id, "
        "from_bin_id, item_id, lot, expiry, qty, tote, assigned_to) "
        "SELECT a.wave_id, 'pick', 'assigned', ?4, "
        "  (SELECT coalesce(max(seq), 0) FROM tasks WHERE coalesce(wave_id, 0) = ?5 AND tour = ?4) "
        "  + a.id - ?1 + 1, b.zone, a.id, a.order_id, a.bin_id, a.item_id, a.lot, a.expiry, "
        "  a.qty, ?6, ?7 FROM allocations a JOIN bins b ON b.id = a.bin_id "
        "WHERE a.id >= ?1 AND a.order_id = ?2 AND a.line = ?3 AND a.status = 'open' "
        "ORDER BY a.id";
    sqlite3_stmt *st = db__stmt(db, ins, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, first);
    sqlite3_bind_int64(st, 2, r->order_id);
    sqlite3_bind_int(st, 3, r->t.line);
    sqlite3_bind_int(st, 4, r->t.tour);
    sqlite3_bind_int64(st, 5, r->t.wave_id);
    db__bind_text(st, 6, r->t.tote);
    db__bind_text(st, 7, who->user);
    int rc = db__exec_stmt(db, st, err, "re-allocated tasks");
    *n = rc < 0 ? 0 : sqlite3_changes(db->sql);
    return rc;
}

int pick__count_short(wms_db *db, const task_row *r, int64_t found, int64_t *count_id,
                      wms_error *err)
{
    char why[256];
    snprintf(why, sizeof(why), "short pick: task %lld, %s lot %s, found %lld of %lld",
             (long long)r->t.id, r->t.sku, r->t.lot[0] ? r->t.lot : "-", (long long)found,
             (long long)r->t.left);
    return wms_count_create(db, r->t.bin, why, count_id, err);
}

int pick__miss(wms_db *db, const wms_actor *who, const task_row *r, int64_t expected, int64_t found,
               int64_t count_id, const char *reason, const char *where, pick_miss *out,
               wms_error *err)
{
    static const char ins_short[] =
        "INSERT INTO shorts(task_id, order_id, line, bin_id, item_id, lot, expected, found, "
        "reallocated, short_qty, reason, count_id, ts, user, device) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6, ?7, ?8, 0, 0, ?9, ?10, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?11, ?12)";
    static const char upd_short[] = "UPDATE shorts SET reallocated = ?2, short_qty = ?3 "
                                    "WHERE id = ?1";
    static const char q_policy[] = "SELECT short_policy = 'backorder' FROM orders WHERE id = ?1";
    static const char upd_rest[] =
        "UPDATE order_lines SET short = short + CASE WHEN ?4 THEN 0 ELSE ?3 END, "
        "backordered = backordered + CASE WHEN ?4 THEN ?3 ELSE 0 END "
        "WHERE order_id = ?1 AND line = ?2";
    int64_t miss = expected - found, backorder = 0;
    memset(out, 0, sizeof(*out));
    int rc = pick__release_missing(db, who, r, miss, err);
    if (rc < 0)
        return rc;
    /* The shorts row first: it keeps allocation off this bin's item. */
    sqlite3_stmt *st = db__stmt(db, ins_short, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->t.id);
    sqlite3_bind_int64(st, 2, r->order_id);
    sqlite3_bind_int(st, 3, r->t.line);
    sqlite3_bind_int64(st, 4, r->from_bin_id);
    sqlite3_bind_int64(st, 5, r->item_id);
    db__bind_text(st, 6, r->t.lot);
    sqlite3_bind_int64(st, 7, expected);
    sqlite3_bind_int64(st, 8, found);
    db__bind_text(st, 9, reason ? reason : "");
    sqlite3_bind_int64(st, 10, count_id);
    db__bind_text(st, 11, who->user);
    db__bind_text(st, 12, who->device);
    if ((rc = db__exec_stmt(db, st, err, "short record")) < 0)
        return rc;
    int64_t short_id = sqlite3_last_insert_rowid(db->sql);
    if ((rc = alloc__line_more(db, r->order_id, r->t.line, miss, r->t.wave_id, &out->reallocated,
                               &out->first_new, err)) < 0)
        return rc;
    out->short_qty = miss - out->reallocated;
    if ((rc = db__q1(db, q_policy, r->order_id, &backorder, err)) < 0)
        return rc;
    out->backorder = (int)backorder;
    if ((st = db__stmt(db, upd_short, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, short_id);
    sqlite3_bind_int64(st, 2, out->reallocated);
    sqlite3_bind_int64(st, 3, out->short_qty);
    if ((rc = db__exec_stmt(db, st, err, "short record")) < 0)
        return rc;
    if (out->short_qty == 0)
        return 0;
    if ((st = db__stmt(db, upd_rest, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->order_id);
    sqlite3_bind_int(st, 2, r->t.line);
    sqlite3_bind_int64(st, 3, out->short_qty);
    sqlite3_bind_int(st, 4, (int)backorder);
    if ((rc = db__exec_stmt(db, st, err, "order line short")) < 0)
        return rc;
    char d[256];
    snprintf(d, sizeof(d), "line %d: %lld x %s missing at %s; %lld %s", r->t.line, (long long)miss,
             r->t.sku, where, (long long)out->short_qty,
             backorder ? "backordered" : "short-shipped");
    int64_t ev = wms_event_add(db, who, WMS_EV_ORDER_SHORT, r->order_id, NULL, d, err);
    return ev < 0 ? (int)ev : 0;
}

static int pick_short__(wms_db *db, const wms_actor *who, int64_t task_id, int64_t found,
                        const char *tote, const char *reason, wms_short_result *out, wms_error *err)
{
    task_row r;
    int rc;
    if ((rc = pick__task_load(db, task_id, &r, err)) < 0 ||
        (rc = pick__workable(db, who, &r, err)) < 0)
        return rc;
    if (strcmp(r.t.kind, "pick"))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "task %lld is a replenishment: report the bin with a count instead",
                             (long long)task_id);
    if (found < 0 || found >= r.t.left)
        return wms_error_set(err, WMS_EBAD_QTY,
                             "qty_found: 0 to %lld (all %lld there? confirm the pick instead)",
                             (long long)(r.t.left - 1), (long long)r.t.left);
    out->task_id = task_id;
    out->found = found;
    out->missing = r.t.left - found;
    if (r.bulk)
        return pick__bulk_short(db, who, &r, found, tote, reason, out, err);
    if (found > 0) {
        int64_t tote_id;
        char code[WMS_TOTE_MAX + 1];
        if ((rc = pick_tote(db, who, &r, tote, &tote_id, code, sizeof(code), err)) < 0 ||
            (rc = pick__book(db, who, &r, r.allocation_id, r.t.lot, r.t.expiry, found, tote_id,
                             err)) < 0)
            return rc;
    }
    char where[WMS_SKU_MAX + 16];
    snprintf(where, sizeof(where), "pick (bin %s)", r.t.bin);
    pick_miss m;
    if ((rc = pick__count_short(db, &r, found, &out->count_id, err)) < 0 ||
        (rc = pick__miss(db, who, &r, r.t.left, found, out->count_id, reason, where, &m, err)) < 0)
        return rc;
    out->reallocated = m.reallocated;
    out->short_qty = m.short_qty;
    out->backordered = m.backorder;
    if (m.reallocated > 0 &&
        (rc = tasks_for_new(db, who, &r, m.first_new, &out->new_tasks, err)) < 0)
        return rc;
    char d[256];
    snprintf(d, sizeof(d),
             "task %lld: bin %s, %s lot %s: found %lld of %lld; %lld re-allocated, %lld %s; "
             "count %lld",
             (long long)task_id, r.t.bin, r.t.sku, r.t.lot[0] ? r.t.lot : "-", (long long)found,
             (long long)r.t.left, (long long)out->reallocated, (long long)out->short_qty,
             m.backorder ? "backordered" : "short", (long long)out->count_id);
    int64_t ev = wms_event_add(db, who, WMS_EV_PICK_SHORT, r.order_id, NULL, d, err);
    if (ev < 0)
        return (int)ev;
    return pick__order_after(db, who, r.order_id, out->order_status, sizeof(out->order_status),
                             err);
}

int wms_pick_short(wms_db *db, const wms_actor *who, int64_t task_id, int64_t qty_found,
                   const char *tote, const char *reason, wms_short_result *out, wms_error *err)
{
    wms_short_result tmp;
    if (out == NULL)
        out = &tmp;
    memset(out, 0, sizeof(*out));
    if (reason != NULL && strlen(reason) > 200)
        return wms_error_set(err, WMS_EBAD_ARGS, "reason: at most 200 bytes");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = pick_short__(db, who, task_id, qty_found, tote, reason, out, err);
    return db__op_end(db, rc, err);
}
