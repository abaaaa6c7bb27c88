/* pick_bulk.c - a sort wave's bulk tasks: confirms and shorts spread over
 * the orders of a quant total by cut-off and priority (see pick.h). */
#include "store/db.h"
#include "store/events.h"
#include "store/order.h"
#include "store/pick_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BULK_MAX_PARTS 100000 /* open allocations one bulk task may cover */

/* One open allocation a bulk task covers. */
typedef struct bulk_part {
    int64_t alloc_id, order_id, left, min_days;
    int line;
    char ref[65];
    int64_t got; /* units booked to it by this call */
} bulk_part;

/* Loads the task's open allocations, earliest cut-off first (none last),
 * then priority, order id, line.  *parts is the caller's to free.
 * Errors: WMS_ECONFLICT (they do not hold the task's units), WMS_ENOMEM. */
static int bulk__parts(wms_db *db, const task_row *r, bulk_part **parts, int *n, wms_error *err)
{
    static const char sql[] =
        "SELECT a.id, a.order_id, a.line, a.qty - a.picked, o.ref, "
        "coalesce(l.min_shelf_life_days, -1) FROM allocations a "
        "JOIN orders o ON o.id = a.order_id "
        "JOIN order_lines l ON l.order_id = a.order_id AND l.line = a.line "
        "WHERE a.bulk_task_id = ?1 AND a.bin_id = ?2 AND a.status = 'open' AND a.qty > a.picked "
        "ORDER BY " ORDER__RANK_SQL("o") ", a.line, a.id";
    *parts = NULL;
    *n = 0;
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, r->t.id);
    sqlite3_bind_int64(st, 2, r->from_bin_id);
    int cap = 0, rc;
    int64_t sum = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            if (cap >= BULK_MAX_PARTS) {
                sqlite3_reset(st);
                return wms_error_set(err, WMS_ETOO_LARGE, "task %lld covers more than %d lines",
                                     (long long)r->t.id, BULK_MAX_PARTS);
            }
            int nc = cap ? 2 * cap : 16;
            if (nc > BULK_MAX_PARTS)
                nc = BULK_MAX_PARTS;
            void *p = realloc(*parts, sizeof(**parts) * (size_t)nc);
            if (p == NULL) {
                sqlite3_reset(st);
                return wms_error_set(err, WMS_ENOMEM, "out of memory for task %lld's orders",
                                     (long long)r->t.id);
            }
            *parts = p;
            cap = nc;
        }
        bulk_part *b = &(*parts)[(*n)++];
        memset(b, 0, sizeof(*b));
        b->alloc_id = sqlite3_column_int64(st, 0);
        b->order_id = sqlite3_column_int64(st, 1);
        b->line = sqlite3_column_int(st, 2);
        b->left = sqlite3_column_int64(st, 3);
        db__col_text(st, 4, b->ref, sizeof(b->ref));
        b->min_days = sqlite3_column_int64(st, 5);
        sum += b->left;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "bulk task orders");
    if (sum != r->t.left)
        return wms_error_set(err, WMS_ECONFLICT,
                             "task %lld: its orders need %lld units but the task has %lld left",
                             (long long)r->t.id, (long long)sum, (long long)r->t.left);
    return 0;
}

/* The task row as it books for part b. */
static task_row bulk__row(const task_row *r, const bulk_part *b)
{
    task_row c = *r;
    c.order_id = b->order_id;
    c.allocation_id = b->alloc_id;
    c.min_days = b->min_days;
    c.t.line = b->line;
    snprintf(c.t.order, sizeof(c.t.order), "%s", b->ref);
    return c;
}

/* Books `units` over parts in their order (lot substitution per part when
 * lot differs from the task's); *orders = distinct orders that got some. */
static int bulk__book(wms_db *db, const wms_actor *who, const task_row *r, bulk_part *parts, int n,
                      int64_t units, const char *lot, char *expiry, int *orders, wms_error *err)
{
    int rc, subst = strcmp(lot, r->t.lot) != 0;
    *orders = 0;
    for (int i = 0; i < n && units > 0; i++) {
        bulk_part *b = &parts[i];
        int64_t take = b->left < units ? b->left : units;
        task_row c = bulk__row(r, b);
        int64_t alloc = b->alloc_id;
        if (subst && (rc = pick__substitute(db, &c, lot, expiry, take, &alloc, err)) < 0)
            return rc;
        if ((rc = pick__book(db, who, &c, alloc, lot, expiry, take, 0, err)) < 0)
            return rc;
        b->got = take;
        units -= take;
        if (i == 0 || parts[i - 1].order_id != b->order_id)
            (*orders)++;
    }
    return 0;
}

/* Order status and put-wall slot of every order in parts. */
static int bulk__settle(wms_db *db, const wms_actor *who, const bulk_part *parts, int n,
                        wms_error *err)
{
    char status[16];
    int rc;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = parts[j].order_id == parts[i].order_id;
        if (seen)
            continue;
        if ((rc = pick__order_after(db, who, parts[i].order_id, status, sizeof(status), err)) < 0 ||
            (rc = sort__settle(db, who, parts[i].order_id, NULL, err)) < 0)
            return rc;
    }
    return 0;
}

/* The bulk tote scanned: any tote label, recorded with the picks. */
static int bulk__tote(task_row *r, const char *tote, wms_error *err)
{
    if (tote == NULL || tote[0] == '\0')
        return 0;
    if (!pick__valid_label(tote, WMS_TOTE_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "tote: a tote label");
    snprintf(r->bulk_tote, sizeof(r->bulk_tote), "%s", tote);
    return 0;
}

int pick__bulk_confirm(wms_db *db, const wms_actor *who, const task_row *r0, const char *tote,
                       int64_t units, const char *lot, const char *expiry, wms_pick_result *out,
                       wms_error *err)
{
    task_row r = *r0;
    bulk_part *parts = NULL;
    int n = 0, rc;
    int subst;
    char use_lot[WMS_LOT_MAX + 1], use_exp[11];
    snprintf(use_lot, sizeof(use_lot), "%s", lot);
    snprintf(use_exp, sizeof(use_exp), "%s", expiry);
    if ((rc = bulk__tote(&r, tote, err)) < 0 ||
        (rc = pick__scanned_lot(&r, use_lot, use_exp, &subst, err)) < 0)
        return rc;
    out->substituted = subst;
    if ((rc = bulk__parts(db, &r, &parts, &n, err)) < 0 ||
        (rc = bulk__book(db, who, &r, parts, n, units, use_lot, use_exp, &out->orders, err)) < 0 ||
        (rc = bulk__settle(db, who, parts, n, err)) < 0)
        goto out;
    out->picked = units;
    out->done_qty = r.t.done_qty + units;
    out->left = r.t.left - units;
    snprintf(out->status, sizeof(out->status), "%s", out->left == 0 ? "done" : "assigned");
    snprintf(out->lot, sizeof(out->lot), "%s", use_lot);
    snprintf(out->expiry, sizeof(out->expiry), "%s", use_exp);
    snprintf(out->tote, sizeof(out->tote), "%s", r.bulk_tote);
    rc = 0;
out:
    free(parts);
    return rc;
}

/* Appends "ref qty, " to a bounded list (ends in "..." when full). */
static void list_add(char *buf, size_t n, const char *ref, int64_t qty)
{
    size_t len = strlen(buf);
    if (len + 4 >= n || (len >= 3 && !strcmp(buf + len - 3, "...")))
        return;
    int w = snprintf(buf + len, n - len, "%s%s %lld", len ? ", " : "", ref, (long long)qty);
    if (w < 0 || (size_t)w >= n - len)
        snprintf(buf + (len < n - 4 ? len : n - 4), 4, "...");
}

int pick__bulk_short(wms_db *db, const wms_actor *who, const task_row *r0, int64_t found,
                     const char *tote, const char *reason, wms_short_result *out, wms_error *err)
{
    task_row r = *r0;
    bulk_part *parts = NULL;
    int n = 0, rc, orders = 0, backordered = 0;
    int64_t first = 0;
    char lot[WMS_LOT_MAX + 1], exp[11], shorted[320] = "";
    if ((rc = bulk__tote(&r, tote, err)) < 0)
        return rc;
    snprintf(lot, sizeof(lot), "%s", r.t.lot);
    snprintf(exp, sizeof(exp), "%s", r.t.expiry);
    if ((rc = bulk__parts(db, &r, &parts, &n, err)) < 0 ||
        (found > 0 && (rc = bulk__book(db, who, &r, parts, n, found, lot, exp, &orders, err)) < 0))
        goto out;
    if ((rc = pick__count_short(db, &r, found, &out->count_id, err)) < 0)
        goto out;
    for (int i = 0; i < n; i++) {
        const bulk_part *b = &parts[i];
        if (b->got == b->left)
            continue;
        task_row c = bulk__row(&r, b);
        char where[WMS_SKU_MAX + 64];
        snprintf(where, sizeof(where), "the batch pick (bin %s, task %lld)", r.t.bin,
                 (long long)r.t.id);
        pick_miss m;
        if ((rc = pick__miss(db, who, &c, b->left, b->got, out->count_id, reason, where, &m, err)) <
            0)
            goto out;
        out->reallocated += m.reallocated;
        out->short_qty += m.short_qty;
        if (m.reallocated > 0 && (first == 0 || m.first_new < first))
            first = m.first_new;
        if (m.short_qty > 0) {
            backordered |= m.backorder;
            list_add(shorted, sizeof(shorted), b->ref, m.short_qty);
            out->orders_short++;
        }
    }
    out->backordered = backordered;
    if (first > 0 && (rc = pick__bulk_tasks_for_new(db, r.t.wave_id, r.t.tour, first, r.t.tote,
                                                    who->user, &out->new_tasks, err)) < 0)
        goto out;
    char d[1024];
    snprintf(d, sizeof(d),
             "task %lld (batch pick for %d orders): bin %s, %s lot %s: found %lld of %lld; %lld "
             "re-allocated, %lld short%s%s; count %lld",
             (long long)r.t.id, n, r.t.bin, r.t.sku, r.t.lot[0] ? r.t.lot : "-", (long long)found,
             (long long)r.t.left, (long long)out->reallocated, (long long)out->short_qty,
             shorted[0] ? ": orders " : "", shorted, (long long)out->count_id);
    int64_t ev = wms_event_add(db, who, WMS_EV_PICK_SHORT, 0, NULL, d, err);
    if (ev < 0) {
        rc = (int)ev;
        goto out;
    }
    rc = bulk__settle(db, who, parts, n, err);
out:
    free(parts);
    return rc;
}

int pick__bulk_tasks_for_new(wms_db *db, int64_t wave, int tour, int64_t first, const char *slot,
                             const char *user, int *n, wms_error *err)
{
    static const char q_groups[] =
        "SELECT a.bin_id, a.item_id, a.lot, a.expiry, sum(a.qty - a.picked), min(b.zone) "
        "FROM allocations a JOIN bins b ON b.id = a.bin_id "
        "WHERE a.wave_id = ?1 AND a.id >= ?2 AND a.status = 'open' AND a.qty > a.picked "
        "AND a.bulk_task_id IS NULL AND NOT EXISTS (SELECT 1 FROM tasks t WHERE "
        "t.allocation_id = a.id AND t.status <> 'cancelled') "
        "GROUP BY a.bin_id, a.item_id, a.lot, a.expiry ORDER BY min(a.id) LIMIT 1";
    static const char ins[] =
        "INSERT INTO tasks(wave_id, kind, status, tour, seq, zone, from_bin_id, item_id, lot, "
        "expiry, qty, tote, assigned_to) VALUES (?1, 'pick', 'assigned', ?2, "
        "(SELECT coalesce(max(seq), 0) + 1 FROM tasks WHERE coalesce(wave_id, 0) = ?1 AND "
        "tour = ?2), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    static const char link[] =
        "UPDATE allocations SET bulk_task_id = ?1 WHERE wave_id = ?2 AND id >= ?3 AND "
        "status = 'open' AND bulk_task_id IS NULL AND bin_id = ?4 AND item_id = ?5 AND "
        "lot = ?6 AND expiry = ?7";
    *n = 0;
    /* One group at a time: linking a group removes it from the query. */
    for (;;) {
        sqlite3_stmt *st = db__stmt(db, q_groups, err);
        if (st == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, wave);
        sqlite3_bind_int64(st, 2, first);
        int rc = sqlite3_step(st);
        if (rc != SQLITE_ROW) {
            sqlite3_reset(st);
            return rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "re-allocated units");
        }
        int64_t bin = sqlite3_column_int64(st, 0), item = sqlite3_column_int64(st, 1);
        int64_t qty = sqlite3_column_int64(st, 4);
        char lot[WMS_LOT_MAX + 1], exp[16], zone[33];
        db__col_text(st, 2, lot, sizeof(lot));
        db__col_text(st, 3, exp, sizeof(exp));
        db__col_text(st, 5, zone, sizeof(zone));
        sqlite3_reset(st);
        if ((st = db__stmt(db, ins, err)) == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, wave);
        sqlite3_bind_int(st, 2, tour);
        db__bind_text(st, 3, zone);
        sqlite3_bind_int64(st, 4, bin);
        sqlite3_bind_int64(st, 5, item);
        db__bind_text(st, 6, lot);
        db__bind_text(st, 7, exp);
        sqlite3_bind_int64(st, 8, qty);
        db__bind_text(st, 9, slot);
        db__bind_text(st, 10, user);
        if ((rc = db__exec_stmt(db, st, err, "bulk task")) < 0)
            return rc;
        int64_t task = sqlite3_last_insert_rowid(db->sql);
        if ((st = db__stmt(db, link, err)) == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, task);
        sqlite3_bind_int64(st, 2, wave);
        sqlite3_bind_int64(st, 3, first);
        sqlite3_bind_int64(st, 4, bin);
        sqlite3_bind_int64(st, 5, item);
        db__bind_text(st, 6, lot);
        db__bind_text(st, 7, exp);
        if ((rc = db__exec_stmt(db, st, err, "bulk task link")) < 0)
            return rc;
        if (sqlite3_changes(db->sql) < 1)
            return wms_error_set(err, WMS_ECONFLICT, "re-allocated units went missing");
        (*n)++;
    }
}
