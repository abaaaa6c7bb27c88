/* sort.c - put walls and sorting a sort wave's picks to orders (see
 * sort.h). */
#include "store/sort.h"
#include "store/db.h"
#include "store/events.h"
#include "store/order.h"
#include "store/pick_impl.h"

#include <stdio.h>
#include <string.h>

#define ORDER_RANK ORDER__RANK_SQL("o") /* order.h: the rank orders are served in */

/* Units of an order still to pick (open allocations) and to sort. */
#define LEFT_SQL                                                                                   \
    "SELECT (SELECT coalesce(sum(qty - picked), 0) FROM allocations WHERE order_id = ?1 AND "      \
    "status = 'open'), (SELECT coalesce(sum(qty), 0) FROM picks WHERE order_id = ?1 AND "          \
    "to_sort = 1)"

/* totes.slot of wall w into buf (WMS_SLOT_MAX + 1 bytes). */
static void wall_key(const char *wall, char *buf)
{
    snprintf(buf, WMS_SLOT_MAX + 1, "wall:%s", wall);
}

static int wall_check(wms_db *db, const char *wall, wms_error *err)
{
    static const char q[] = "SELECT count(*) FROM putwall_slots WHERE wall = ?1";
    if (!pick__valid_label(wall, WMS_WALL_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "wall: a put wall name of 1-%d characters",
                             WMS_WALL_MAX);
    sqlite3_stmt *st = db__stmt(db, q, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, wall);
    int rc = sqlite3_step(st);
    int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "put wall");
    if (n == 0)
        return wms_error_set(err, WMS_ENOT_FOUND,
                             "no put wall %s (wmsctl import putwall gives walls their slots)",
                             wall);
    return 0;
}

/* Units (*pick, *sort) order `id` still waits for. */
static int order_left(wms_db *db, int64_t id, int64_t *pick, int64_t *sort, wms_error *err)
{
    sqlite3_stmt *st = db__stmt(db, LEFT_SQL, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *pick = sqlite3_column_int64(st, 0);
        *sort = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db__fail(db, rc, err, "order units left");
}

int wms_putwall_put(wms_db *db, const char *wall, const char *slot, int64_t seq, int update,
                    wms_error *err)
{
    static const char q_slot[] = "SELECT wall, seq FROM putwall_slots WHERE label = ?1";
    static const char q_tote[] = "SELECT count(*) FROM totes WHERE code = ?1 AND "
                                 "status <> 'packed' AND slot NOT LIKE 'wall:%'";
    static const char q_n[] = "SELECT count(*) FROM putwall_slots WHERE wall = ?1";
    static const char ins[] = "INSERT INTO putwall_slots(wall, label, seq) VALUES (?1, ?2, ?3)";
    static const char upd[] = "UPDATE putwall_slots SET seq = ?2 WHERE label = ?1";
    if (!pick__valid_label(wall, WMS_WALL_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "wall: 1-%d characters, no spaces", WMS_WALL_MAX);
    if (!pick__valid_label(slot, WMS_SLOT_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "slot: a label of 1-%d characters, no spaces",
                             WMS_SLOT_MAX);
    if (seq < 0 || seq > 1000000)
        return wms_error_set(err, WMS_EBAD_ARGS, "seq: 0 to 1000000");
    sqlite3_stmt *st = db__stmt(db, q_slot, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, slot);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char owner[WMS_WALL_MAX + 1];
        db__col_text(st, 0, owner, sizeof(owner));
        int64_t had = sqlite3_column_int64(st, 1);
        sqlite3_reset(st);
        if (strcmp(owner, wall))
            return wms_error_set(err, WMS_ECONFLICT, "slot %s belongs to wall %s", slot, owner);
        if (had == seq)
            return WMS_PUT_UNCHANGED;
        if (!update)
            return wms_error_set(err, WMS_ECONFLICT,
                                 "slot %s of wall %s is number %lld, not %lld (import with "
                                 "--update to change it)",
                                 slot, wall, (long long)had, (long long)seq);
        if ((st = db__stmt(db, upd, err)) == NULL)
            return err->code;
        db__bind_text(st, 1, slot);
        sqlite3_bind_int64(st, 2, seq);
        return (rc = db__exec_stmt(db, st, err, "put wall slot")) < 0 ? rc : WMS_PUT_UPDATED;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "put wall slot");
    int64_t n;
    if ((st = db__stmt(db, q_tote, err)) == NULL)
        return err->code;
    db__bind_text(st, 1, slot);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "tote lookup");
    if (n > 0)
        return wms_error_set(err, WMS_ECONFLICT, "%s is a tote in use: slot labels must differ",
                             slot);
    if ((st = db__stmt(db, q_n, err)) == NULL)
        return err->code;
    db__bind_text(st, 1, wall);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "put wall");
    if (n >= WMS_WALL_SLOTS_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE, "wall %s has %d slots already (the most)", wall,
                             WMS_WALL_SLOTS_MAX);
    if ((st = db__stmt(db, ins, err)) == NULL)
        return err->code;
    db__bind_text(st, 1, wall);
    db__bind_text(st, 2, slot);
    sqlite3_bind_int64(st, 3, seq);
    return (rc = db__exec_stmt(db, st, err, "put wall slot")) < 0 ? rc : WMS_PUT_INSERTED;
}

/* ------------------------------------------------------------------------ */
/* Settling and status                                                      */
/* ------------------------------------------------------------------------ */

int sort__settle(wms_db *db, const wms_actor *who, int64_t order_id, int *complete, wms_error *err)
{
    static const char q_tote[] =
        "SELECT t.id, t.code, substr(t.slot, 6), o.ref FROM totes t JOIN orders o ON "
        "o.id = t.order_id WHERE t.order_id = ?1 AND t.slot LIKE 'wall:%' AND t.status = 'open'";
    static const char q_units[] = "SELECT coalesce(sum(qty), 0) FROM picks WHERE tote_id = ?1";
    static const char upd[] =
        "UPDATE totes SET status = CASE WHEN ?2 > 0 THEN 'closed' ELSE 'packed' END, "
        "closed = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1";
    if (complete != NULL)
        *complete = 0;
    sqlite3_stmt *st = db__stmt(db, q_tote, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "wall slot");
    }
    int64_t tote = sqlite3_column_int64(st, 0), pick = 0, sort = 0, units;
    char slot[WMS_SLOT_MAX + 1], wall[WMS_WALL_MAX + 1], ref[65];
    db__col_text(st, 1, slot, sizeof(slot));
    db__col_text(st, 2, wall, sizeof(wall));
    db__col_text(st, 3, ref, sizeof(ref));
    sqlite3_reset(st);
    if ((rc = order_left(db, order_id, &pick, &sort, err)) < 0)
        return rc;
    if (pick + sort > 0)
        return 0;
    if ((rc = db__q1(db, q_units, tote, &units, err)) < 0)
        return rc;
    if ((st = db__stmt(db, upd, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, tote);
    sqlite3_bind_int64(st, 2, units);
    if ((rc = db__exec_stmt(db, st, err, "wall slot")) < 0)
        return rc;
    char d[200];
    if (units > 0)
        snprintf(d, sizeof(d), "wall %s slot %s: order %s complete, %lld units: to packing", wall,
                 slot, ref, (long long)units);
    else
        snprintf(d, sizeof(d), "wall %s slot %s: order %s has nothing to pack; the slot is free",
                 wall, slot, ref);
    int64_t ev = wms_event_add(db, who, WMS_EV_SORT_COMPLETE, order_id, NULL, d, err);
    if (ev < 0)
        return (int)ev;
    if (complete != NULL)
        *complete = 1;
    return 0;
}

/* Fills out->slot[] from the database. */
static int wall_read(wms_db *db, const char *wall, wms_sort_wall *out, wms_error *err)
{
    static const char q_slots[] =
        "SELECT s.label, coalesce(o.ref, ''), coalesce(o.cutoff, ''), coalesce(o.priority, 0), "
        "coalesce(t.status, ''), coalesce(o.id, 0), coalesce(t.id, 0) FROM putwall_slots s "
        "LEFT JOIN totes t ON t.code = s.label AND t.slot = ?2 AND t.status IN ('open', "
        "'closed') LEFT JOIN orders o ON o.id = t.order_id WHERE s.wall = ?1 "
        "ORDER BY s.seq, s.label";
    static const char q_units[] = "SELECT coalesce(sum(qty), 0) FROM picks WHERE tote_id = ?1";
    char key[WMS_SLOT_MAX + 1];
    wall_key(wall, key);
    sqlite3_stmt *st = db__stmt(db, q_slots, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, wall);
    db__bind_text(st, 2, key);
    int rc, n = 0;
    int64_t oid[WMS_WALL_SLOTS_MAX], tid[WMS_WALL_SLOTS_MAX];
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < WMS_WALL_SLOTS_MAX) {
        wms_sort_slot *s = &out->slot[n];
        memset(s, 0, sizeof(*s));
        db__col_text(st, 0, s->slot, sizeof(s->slot));
        db__col_text(st, 1, s->order, sizeof(s->order));
        db__col_text(st, 2, s->cutoff, sizeof(s->cutoff));
        s->priority = sqlite3_column_int(st, 3);
        s->complete = !strcmp((const char *)sqlite3_column_text(st, 4), "closed");
        oid[n] = sqlite3_column_int64(st, 5);
        tid[n++] = sqlite3_column_int64(st, 6);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db__fail(db, rc, err, "wall slots");
    out->n_slots = n;
    out->used = out->complete = 0;
    for (int i = 0; i < n; i++) {
        wms_sort_slot *s = &out->slot[i];
        if (oid[i] == 0)
            continue;
        out->used++;
        out->complete += s->complete;
        if ((rc = order_left(db, oid[i], &s->to_pick, &s->to_sort, err)) < 0 ||
            (rc = db__q1(db, q_units, tid[i], &s->sorted, err)) < 0)
            return rc;
    }
    return 0;
}

/* Released sort-wave orders with work left and no wall slot (wave 0 =
 * any): the next `limit` ids in rank order into ids (count *n), and their
 * total count in *waiting. */
static int waiting_orders(wms_db *db, int64_t wave, int64_t *ids, int limit, int *n,
                          int64_t *waiting, wms_error *err)
{
    static const char sql[] =
        "SELECT o.id FROM orders o JOIN waves w ON w.id = o.wave_id WHERE w.method = 'sort' "
        "AND w.status = 'released' AND (?1 = 0 OR w.id = ?1) "
        "AND o.status IN ('allocated', 'picking', 'picked') "
        "AND (EXISTS (SELECT 1 FROM allocations a WHERE a.order_id = o.id AND a.status = 'open' "
        "  AND a.bulk_task_id IS NOT NULL) "
        "  OR EXISTS (SELECT 1 FROM picks p WHERE p.order_id = o.id AND p.to_sort = 1)) "
        "AND NOT EXISTS (SELECT 1 FROM totes t WHERE t.order_id = o.id AND t.slot LIKE 'wall:%' "
        "  AND t.status IN ('open', 'closed')) "
        "ORDER BY " ORDER_RANK;
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, wave);
    int rc;
    *n = 0;
    *waiting = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n < limit)
            ids[(*n)++] = sqlite3_column_int64(st, 0);
        (*waiting)++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "orders waiting for a slot");
}

int wms_sort_status(wms_db *db, const char *wall, wms_sort_wall *out, wms_error *err)
{
    memset(out, 0, sizeof(*out));
    int rc = wall_check(db, wall, err), n;
    if (rc < 0)
        return rc;
    snprintf(out->wall, sizeof(out->wall), "%s", wall);
    if ((rc = wall_read(db, wall, out, err)) < 0)
        return rc;
    return waiting_orders(db, 0, NULL, 0, &n, &out->waiting_orders, err);
}

static int sort_open__(wms_db *db, const wms_actor *who, const char *wall, int64_t wave,
                       wms_sort_wall *out, wms_error *err)
{
    static const char q_wave[] = "SELECT method, status FROM waves WHERE id = ?1";
    static const char q_open[] =
        "SELECT t.order_id FROM totes t JOIN putwall_slots s ON s.label = t.code "
        "WHERE s.wall = ?1 AND t.slot = ?2 AND t.status = 'open'";
    char key[WMS_SLOT_MAX + 1];
    int rc = wall_check(db, wall, err), n = 0;
    if (rc < 0)
        return rc;
    wall_key(wall, key);
    if (wave != 0) {
        sqlite3_stmt *st = db__stmt(db, q_wave, err);
        if (st == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, wave);
        char method[16] = "", status[16] = "";
        if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            db__col_text(st, 0, method, sizeof(method));
            db__col_text(st, 1, status, sizeof(status));
        }
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return wms_error_set(err, WMS_ENOT_FOUND, "no wave %lld", (long long)wave);
        if (rc != SQLITE_ROW)
            return db__fail(db, rc, err, "wave");
        if (strcmp(method, "sort") || strcmp(status, "released"))
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "wave %lld is a %s wave (%s): put walls sort released sort "
                                 "waves",
                                 (long long)wave, method, status);
    }
    /* settle the open slots first: a cancelled or all-short order frees its */
    int64_t ids[WMS_WALL_SLOTS_MAX];
    sqlite3_stmt *st = db__stmt(db, q_open, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, wall);
    db__bind_text(st, 2, key);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < WMS_WALL_SLOTS_MAX)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db__fail(db, rc, err, "wall slots");
    for (int i = 0; i < n; i++)
        if ((rc = sort__settle(db, who, ids[i], NULL, err)) < 0)
            return rc;
    if ((rc = wall_read(db, wall, out, err)) < 0)
        return rc;
    int free_slots = out->n_slots - out->used, k;
    if ((rc = waiting_orders(db, wave, ids, free_slots, &k, &out->waiting_orders, err)) < 0)
        return rc;
    for (int i = 0, j = 0; i < out->n_slots && j < k; i++) {
        if (out->slot[i].order[0])
            continue;
        int64_t tote, w;
        static const char q_w[] = "SELECT coalesce(wave_id, 0) FROM orders WHERE id = ?1";
        if ((rc = db__q1(db, q_w, ids[j], &w, err)) < 0 ||
            (rc = pick__tote_open(db, who, ids[j], key, w, out->slot[i].slot, &tote, err)) < 0)
            return rc;
        j++;
        out->assigned++;
    }
    out->waiting_orders -= out->assigned;
    return wall_read(db, wall, out, err);
}

int wms_sort_open(wms_db *db, const wms_actor *who, const char *wall, int64_t wave,
                  wms_sort_wall *out, wms_error *err)
{
    memset(out, 0, sizeof(*out));
    if (wave < 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "wave: a wave id, or 0 for any");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = sort_open__(db, who, wall, wave, out, err);
    if (rc >= 0)
        snprintf(out->wall, sizeof(out->wall), "%s", wall);
    return db__op_end(db, rc, err);
}

/* ------------------------------------------------------------------------ */
/* Scanning and putting                                                     */
/* ------------------------------------------------------------------------ */

/* The slot for item `item` (lot "" = any) at the wall: the best-ranked
 * order with units of it to sort.  Returns 1 with the slot, order id,
 * ref and need; 0 when no slot needs it. */
static int slot_for(wms_db *db, const char *key, int64_t item, const char *lot, char *slot,
                    int64_t *order_id, char *ref, int64_t *need, wms_error *err)
{
    static const char sql[] =
        "SELECT t.code, o.id, o.ref, sum(p.qty) FROM picks p JOIN totes t ON t.order_id = "
        "p.order_id AND t.slot = ?1 AND t.status = 'open' JOIN orders o ON o.id = p.order_id "
        "WHERE p.to_sort = 1 AND p.item_id = ?2 AND (?3 = '' OR p.lot = ?3) "
        "GROUP BY p.order_id ORDER BY " ORDER_RANK " LIMIT 1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, item);
    db__bind_text(st, 3, lot);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        db__col_text(st, 0, slot, WMS_SLOT_MAX + 1);
        *order_id = sqlite3_column_int64(st, 1);
        db__col_text(st, 2, ref, 65);
        *need = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "slot for item");
}

/* NOT_NEEDED, saying which order elsewhere waits for the item if any. */
static int not_needed(wms_db *db, const char *wall, int64_t item, const char *sku, const char *lot,
                      wms_error *err)
{
    static const char sql[] =
        "SELECT o.ref, coalesce((SELECT substr(t.slot, 6) || ' slot ' || t.code FROM totes t "
        "WHERE t.order_id = o.id AND t.slot LIKE 'wall:%' AND t.status = 'open'), '') "
        "FROM picks p JOIN orders o ON o.id = p.order_id WHERE p.to_sort = 1 AND "
        "p.item_id = ?1 AND (?2 = '' OR p.lot = ?2) ORDER BY " ORDER_RANK " LIMIT 1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, item);
    db__bind_text(st, 2, lot);
    int rc = sqlite3_step(st);
    char ref[65] = "", where[80] = "";
    if (rc == SQLITE_ROW) {
        db__col_text(st, 0, ref, sizeof(ref));
        db__col_text(st, 1, where, sizeof(where));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW && where[0])
        return wms_error_set(err, WMS_ENOT_NEEDED, "%s is for order %s at wall %s, not wall %s",
                             sku, ref, where, wall);
    if (rc == SQLITE_ROW)
        return wms_error_set(err, WMS_ENOT_NEEDED,
                             "%s is for order %s, which has no slot yet: set it aside and open "
                             "the wall again when a slot is free",
                             sku, ref);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "orders needing the item");
    return wms_error_set(err, WMS_ENOT_NEEDED,
                         "no open order at wall %s needs %s%s%s: set it aside for the supervisor",
                         wall, sku, lot[0] ? " lot " : "", lot);
}

/* The scan part of wms_sort_scan / wms_sort_confirm; *order_id = the
 * chosen order. */
static int scan__(wms_db *db, const char *wall, const char *code, char gs_sub, wms_sort_hint *h,
                  int64_t *order_id, int64_t *item_id, wms_error *err)
{
    wms_resolution res;
    char key[WMS_SLOT_MAX + 1];
    int rc = wall_check(db, wall, err);
    if (rc < 0)
        return rc;
    if (code == NULL || code[0] == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "code: scan the item");
    if ((rc = wms_code_resolve(db, code, gs_sub, &res, err)) < 0)
        return rc;
    if (res.kind == WMS_CODE_BIN)
        return wms_error_set(err, WMS_EWRONG_ITEM, "that is bin %s: scan the item", res.bin);
    if (res.kind != WMS_CODE_ITEM || res.n < 1)
        return wms_error_set(err, WMS_EWRONG_ITEM, "that is not an item: scan the item");
    wall_key(wall, key);
    int found = -1;
    for (int i = 0; i < res.n; i++) {
        char slot[WMS_SLOT_MAX + 1], ref[65];
        int64_t oid = 0, need = 0;
        if ((rc = slot_for(db, key, res.m[i].item_id, res.lot, slot, &oid, ref, &need, err)) < 0)
            return rc;
        if (rc == 0)
            continue;
        if (found >= 0)
            return wms_error_set(err, WMS_EAMBIGUOUS_CODE,
                                 "this code is both %s and %s, and both are needed here: scan "
                                 "another code of the item",
                                 res.m[found].sku, res.m[i].sku);
        found = i;
        snprintf(h->slot, sizeof(h->slot), "%s", slot);
        snprintf(h->order, sizeof(h->order), "%s", ref);
        h->need = need;
        *order_id = oid;
    }
    if (found < 0)
        return not_needed(db, wall, res.m[0].item_id, res.m[0].sku, res.lot, err);
    snprintf(h->sku, sizeof(h->sku), "%s", res.m[found].sku);
    snprintf(h->lot, sizeof(h->lot), "%s", res.lot);
    h->per_scan = res.m[found].units * (res.count > 0 ? res.count : 1);
    *item_id = res.m[found].item_id;
    return 0;
}

int wms_sort_scan(wms_db *db, const char *wall, const char *code, char gs_sub, wms_sort_hint *out,
                  wms_error *err)
{
    memset(out, 0, sizeof(*out));
    int64_t oid, item;
    return scan__(db, wall, code, gs_sub, out, &oid, &item, err);
}

/* Moves `units` of (order, item, lot "" = any) waiting to be sorted into
 * tote, earliest expiry first, splitting a picks row when needed. */
static int move_units(wms_db *db, int64_t order_id, int64_t item, const char *lot, int64_t units,
                      int64_t tote, wms_error *err)
{
    static const char q[] = "SELECT id, qty FROM picks WHERE to_sort = 1 AND order_id = ?1 AND "
                            "item_id = ?2 AND (?3 = '' OR lot = ?3) "
                            "ORDER BY expiry = '', expiry, id LIMIT 1";
    static const char all[] = "UPDATE picks SET to_sort = 0, tote_id = ?2 WHERE id = ?1";
    static const char part[] = "UPDATE picks SET qty = qty - ?2 WHERE id = ?1 AND qty > ?2";
    static const char split[] =
        "INSERT INTO picks(task_id, order_id, line, tote_id, bin_id, item_id, lot, expiry, qty, "
        "ts, user, device, to_sort, bulk_tote) SELECT task_id, order_id, line, ?2, bin_id, "
        "item_id, lot, expiry, ?3, ts, user, device, 0, bulk_tote FROM picks WHERE id = ?1";
    while (units > 0) {
        sqlite3_stmt *st = db__stmt(db, q, err);
        if (st == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, order_id);
        sqlite3_bind_int64(st, 2, item);
        db__bind_text(st, 3, lot);
        int rc = sqlite3_step(st);
        int64_t id = 0, qty = 0;
        if (rc == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
            qty = sqlite3_column_int64(st, 1);
        }
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return wms_error_set(err, WMS_ECONFLICT, "the units to sort went missing");
        if (rc != SQLITE_ROW)
            return db__fail(db, rc, err, "units to sort");
        int64_t take = qty < units ? qty : units;
        if (take == qty) {
            if ((st = db__stmt(db, all, err)) == NULL)
                return err->code;
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int64(st, 2, tote);
            if ((rc = db__exec_stmt(db, st, err, "sort")) < 0)
                return rc;
        } else {
            if ((st = db__stmt(db, split, err)) == NULL)
                return err->code;
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int64(st, 2, tote);
            sqlite3_bind_int64(st, 3, take);
            if ((rc = db__exec_stmt(db, st, err, "sort")) < 0)
                return rc;
            if ((st = db__stmt(db, part, err)) == NULL)
                return err->code;
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int64(st, 2, take);
            if ((rc = db__exec_stmt(db, st, err, "sort")) < 0)
                return rc;
        }
        units -= take;
    }
    return 0;
}

static int sort_confirm__(wms_db *db, const wms_actor *who, const char *wall, const char *code,
                          char gs_sub, const char *slot, int64_t packs, wms_sort_result *out,
                          wms_error *err)
{
    static const char q_tote[] = "SELECT id FROM totes WHERE code = ?1 AND slot = ?2 AND "
                                 "status = 'open'";
    static const char q_mine[] = "SELECT count(*) FROM putwall_slots WHERE wall = ?1 AND "
                                 "label = ?2";
    static const char q_units[] = "SELECT coalesce(sum(qty), 0) FROM picks WHERE tote_id = ?1";
    wms_sort_hint *h = &out->put;
    int64_t oid = 0, item = 0, tote = 0, pick = 0, sort = 0;
    int rc = scan__(db, wall, code, gs_sub, h, &oid, &item, err);
    if (rc < 0)
        return rc;
    if (slot == NULL || slot[0] == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "slot: scan the slot label (%s)", h->slot);
    if (strcmp(slot, h->slot)) {
        sqlite3_stmt *st = db__stmt(db, q_mine, err);
        if (st == NULL)
            return err->code;
        db__bind_text(st, 1, wall);
        db__bind_text(st, 2, slot);
        int64_t mine = 0;
        if ((rc = sqlite3_step(st)) == SQLITE_ROW)
            mine = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return db__fail(db, rc, err, "wall slot");
        return wms_error_set(err, WMS_EWRONG_SLOT, "%s%.31s%s: put %s into slot %s (order %s)",
                             mine ? "wrong slot " : "", slot,
                             mine ? "" : " is not a slot of this wall", h->sku, h->slot, h->order);
    }
    if (packs < 1 || packs > WMS_QTY_MAX || h->per_scan > WMS_QTY_MAX / packs)
        return wms_error_set(err, WMS_EBAD_QTY, "qty: 1 or more scans of that code");
    int64_t units = h->per_scan * packs;
    if (units > h->need)
        return wms_error_set(err, WMS_EQTY_ABOVE_TASK,
                             "slot %s needs only %lld more of %s, not %lld%s", h->slot,
                             (long long)h->need, h->sku, (long long)units,
                             h->per_scan > 1 ? ": that code is a pack, scan single units" : "");
    char key[WMS_SLOT_MAX + 1];
    wall_key(wall, key);
    sqlite3_stmt *st = db__stmt(db, q_tote, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, slot);
    db__bind_text(st, 2, key);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        tote = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE
                   ? wms_error_set(err, WMS_ECONFLICT, "slot %s has no open tote", slot)
                   : db__fail(db, rc, err, "slot tote");
    if ((rc = move_units(db, oid, item, h->lot, units, tote, err)) < 0 ||
        (rc = sort__settle(db, who, oid, &out->complete, err)) < 0 ||
        (rc = order_left(db, oid, &pick, &sort, err)) < 0 ||
        (rc = db__q1(db, q_units, tote, &out->slot_units, err)) < 0)
        return rc;
    out->sorted = units;
    out->left = pick + sort;
    h->need -= units;
    return 0;
}

int wms_sort_confirm(wms_db *db, const wms_actor *who, const char *wall, const char *code,
                     char gs_sub, const char *slot, int64_t packs, wms_sort_result *out,
                     wms_error *err)
{
    wms_sort_result tmp;
    if (out == NULL)
        out = &tmp;
    memset(out, 0, sizeof(*out));
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = sort_confirm__(db, who, wall, code, gs_sub, slot, packs, out, err);
    return db__op_end(db, rc, err);
}
