/*
 * alloc.c - FEFO allocation of released orders (stock reservations) and
 * replenishment of pick faces.  The model is described in alloc.h.
 *
 * Every public function is one atomic operation (db__op_begin/db__op_end)
 * and keeps the INVARIANT: stock.reserved of a quant = sum(qty - picked) of
 * its open allocations.  Rows read for later updates are first copied into
 * arrays so that no SELECT is still stepping over a table being changed.
 */
#include "store/alloc.h"
#include "store/pick.h"
#include "store/db.h"
#include "store/events.h"
#include "store/stock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAND_BATCH 64    /* candidate quants read per query */
#define ROWS_MAX 1000000 /* hard cap of any array built here */
#define LOT_BUF 72       /* lot buffer (lots are at most WMS_LOT_MAX) */
#define WAVE_ORDERS_MAX 1000000

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

/* Makes room for element n of a growable array (*p, *cap).  Errors:
 * WMS_ETOO_LARGE past ROWS_MAX, WMS_ENOMEM. */
static int grow(void **p, size_t *cap, size_t n, size_t elem, wms_error *err)
{
    if (n < *cap)
        return 0;
    if (*cap >= ROWS_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE, "more than %d rows to process", ROWS_MAX);
    size_t nc = *cap ? *cap * 2 : 16;
    if (nc > ROWS_MAX)
        nc = ROWS_MAX;
    void *q = realloc(*p, nc * elem);
    if (q == NULL)
        return wms_error_set(err, WMS_ENOMEM, NULL);
    *p = q;
    *cap = nc;
    return 0;
}

/* Steps a statement returning at most one integer (0 when no row or NULL)
 * and resets it. */
static int step_i64(wms_db *db, sqlite3_stmt *st, int64_t *out, const char *what, wms_error *err)
{
    int rc = sqlite3_step(st);
    *out = (rc == SQLITE_ROW) ? sqlite3_column_int64(st, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        rc = db__fail(db, rc, err, what);
        sqlite3_reset(st);
        return rc;
    }
    sqlite3_reset(st);
    return 0;
}

/* Binds an id, or SQL NULL for 0. */
static void bind_id(sqlite3_stmt *st, int idx, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(st, idx, id);
    else
        sqlite3_bind_null(st, idx);
}

/* Reads a bin row by id into b (for stock__apply). */
static int bin_by_id(wms_db *db, int64_t id, wms_bin *b, wms_error *err)
{
    static const char sql[] = "SELECT code FROM bins WHERE id = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    char code[WMS_SKU_MAX + 1] = "";
    if (rc == SQLITE_ROW)
        db__col_text(st, 0, code, sizeof(code));
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no bin with id %lld", (long long)id);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "bin lookup");
    return wms_bin_get(db, code, b, err);
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                               */
/* ------------------------------------------------------------------------ */

typedef struct line_row {
    int line;
    int64_t item_id;
    char sku[WMS_SKU_MAX + 1];
    int64_t qty, allocated, need;
    int64_t min_days; /* -1 = no minimum */
} line_row;

typedef struct cand {
    int64_t bin_id;
    char lot[LOT_BUF];
    char expiry[16];
    int64_t free_qty;
} cand;

/* Adds a line to a result, keeping the totals complete when the detail
 * array is full. */
static void result_add(wms_alloc_result *res, int64_t order_id, const line_row *l, int64_t got,
                       int64_t shorted, int64_t backordered)
{
    res->lines++;
    res->requested += l->need;
    res->allocated += got;
    res->short_qty += shorted;
    res->backordered += backordered;
    if (res->nline >= WMS_ALLOC_LINES_MAX) {
        res->truncated = 1;
        return;
    }
    wms_alloc_line *o = &res->line[res->nline++];
    o->order_id = order_id;
    o->line = l->line;
    snprintf(o->sku, sizeof(o->sku), "%s", l->sku);
    o->requested = l->need;
    o->allocated = got;
    o->short_qty = shorted;
    o->backordered = backordered;
}

/* Reserves q units of a candidate quant and records the allocation.  The
 * UPDATE re-checks qty - reserved >= q, so a stale candidate is skipped
 * (*ok = 0) rather than oversold. */
static int reserve(wms_db *db, int64_t order_id, int line, int64_t item_id, const cand *c,
                   int64_t q, int64_t wave_id, int *ok, wms_error *err)
{
    static const char upd[] =
        "UPDATE stock SET reserved = reserved + ?6 WHERE bin_id = ?1 AND item_id = ?2 AND "
        "lot = ?3 AND expiry = ?4 AND status = 'available' AND qty - reserved >= ?6";
    static const char ins[] =
        "INSERT INTO allocations(order_id, line, bin_id, item_id, lot, expiry, qty, status, "
        "wave_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'open', ?8)";
    *ok = 0;
    sqlite3_stmt *st = db__stmt(db, upd, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, c->bin_id);
    sqlite3_bind_int64(st, 2, item_id);
    db__bind_text(st, 3, c->lot);
    db__bind_text(st, 4, c->expiry);
    sqlite3_bind_int64(st, 6, q);
    int rc = db__exec_stmt(db, st, err, "reserve stock");
    if (rc < 0)
        return rc;
    if (sqlite3_changes(db->sql) != 1)
        return 0;
    if ((st = db__stmt(db, ins, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int(st, 2, line);
    sqlite3_bind_int64(st, 3, c->bin_id);
    sqlite3_bind_int64(st, 4, item_id);
    db__bind_text(st, 5, c->lot);
    db__bind_text(st, 6, c->expiry);
    sqlite3_bind_int64(st, 7, q);
    bind_id(st, 8, wave_id);
    if ((rc = db__exec_stmt(db, st, err, "allocation")) < 0)
        return rc;
    *ok = 1;
    /* units an open replenishment meant to top a face up with may just
     * have been promised to this order */
    return alloc__clip_topups(db, c->bin_id, item_id, c->lot, c->expiry, err);
}

/* Allocates up to l->need units of one line FEFO; *got = units reserved,
 * *rows += allocation rows made. */
static int alloc_line(wms_db *db, int64_t order_id, const line_row *l, int64_t wave_id,
                      int64_t *got, int64_t *rows, wms_error *err)
{
    /* Candidates: available, unexpired (and meeting the shelf-life
     * minimum) quants with unreserved units in unblocked pick/reserve
     * bins, FEFO (undated last), pick faces first, then bin code. */
    static const char sql[] =
        "SELECT s.bin_id, s.lot, s.expiry, s.qty - s.reserved FROM stock s "
        "JOIN bins b ON b.id = s.bin_id "
        "WHERE s.item_id = ?1 AND s.status = 'available' AND s.qty > s.reserved "
        "AND b.blocked = 0 AND b.type IN ('pick', 'reserve') "
        "AND (s.expiry = '' OR (s.expiry > ?2 AND "
        "     (?3 IS NULL OR s.expiry >= date(?2, '+' || ?3 || ' days')))) "
        "AND NOT EXISTS (SELECT 1 FROM shorts sh JOIN counts k ON k.id = sh.count_id "
        "  WHERE sh.bin_id = s.bin_id AND sh.item_id = s.item_id "
        "  AND k.status IN ('open', 'counting', 'pending_approval')) "
        "ORDER BY s.expiry = '', s.expiry, b.type <> 'pick', b.code, s.lot LIMIT ?4";
    cand c[CAND_BATCH];
    int64_t need = l->need;
    *got = 0;
    while (need > 0) {
        sqlite3_stmt *st = db__stmt(db, sql, err);
        if (st == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, l->item_id);
        db__bind_text(st, 2, db__today(db));
        if (l->min_days >= 0)
            sqlite3_bind_int64(st, 3, l->min_days);
        sqlite3_bind_int(st, 4, CAND_BATCH);
        int n = 0, rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < CAND_BATCH) {
            c[n].bin_id = sqlite3_column_int64(st, 0);
            if (sqlite3_column_bytes(st, 1) >= LOT_BUF)
                continue; /* cannot be a valid lot: never matched exactly */
            db__col_text(st, 1, c[n].lot, sizeof(c[n].lot));
            db__col_text(st, 2, c[n].expiry, sizeof(c[n].expiry));
            c[n].free_qty = sqlite3_column_int64(st, 3);
            n++;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            rc = db__fail(db, rc, err, "allocation candidates");
            sqlite3_reset(st);
            return rc;
        }
        sqlite3_reset(st);
        int64_t before = *got;
        for (int i = 0; i < n && need > 0; i++) {
            int64_t q = c[i].free_qty < need ? c[i].free_qty : need;
            int ok;
            if (q <= 0)
                continue;
            if ((rc = reserve(db, order_id, l->line, l->item_id, &c[i], q, wave_id, &ok, err)) < 0)
                return rc;
            if (!ok)
                continue;
            need -= q;
            *got += q;
            (*rows)++;
        }
        if (*got == before || n < CAND_BATCH)
            break;
    }
    return 0;
}

int alloc__line_more(wms_db *db, int64_t order_id, int line, int64_t units, int64_t wave_id,
                     int64_t *got, int64_t *first_new, wms_error *err)
{
    static const char q_line[] =
        "SELECT l.item_id, i.sku, l.qty, l.allocated, coalesce(l.min_shelf_life_days, -1) "
        "FROM order_lines l JOIN items i ON i.id = l.item_id WHERE l.order_id = ?1 AND l.line = ?2";
    static const char upd[] =
        "UPDATE order_lines SET allocated = allocated + ?3 WHERE order_id = ?1 AND line = ?2";
    static const char q_max[] = "SELECT coalesce(max(id), 0) FROM allocations";
    line_row l = {.line = line, .need = units};
    *got = 0;
    *first_new = 0;
    sqlite3_stmt *st = db__stmt(db, q_line, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int(st, 2, line);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        l.item_id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, l.sku, sizeof(l.sku));
        l.qty = sqlite3_column_int64(st, 2);
        l.allocated = sqlite3_column_int64(st, 3);
        l.min_days = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "order %lld has no line %d", (long long)order_id,
                             line);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "order line");
    int64_t before, rows = 0;
    if ((rc = db__query_i64(db, q_max, 0, NULL, &before, err)) < 0)
        return rc;
    if (units <= 0)
        return 0;
    if ((rc = alloc_line(db, order_id, &l, wave_id, got, &rows, err)) < 0)
        return rc;
    if (*got == 0)
        return 0;
    *first_new = before + 1;
    if ((st = db__stmt(db, upd, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int(st, 2, line);
    sqlite3_bind_int64(st, 3, *got);
    return db__exec_stmt(db, st, err, "order line");
}

/* Loads the lines of an order (with their open need) into *out. */
static int load_lines(wms_db *db, int64_t order_id, line_row **out, size_t *n, wms_error *err)
{
    static const char sql[] =
        "SELECT l.line, l.item_id, i.sku, l.qty, l.allocated, l.qty - l.allocated - l.short, "
        "coalesce(l.min_shelf_life_days, -1) FROM order_lines l "
        "JOIN items i ON i.id = l.item_id WHERE l.order_id = ?1 ORDER BY l.line";
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int g = grow((void **)out, &cap, *n, sizeof(**out), err);
        if (g < 0) {
            sqlite3_reset(st);
            return g;
        }
        line_row *l = &(*out)[(*n)++];
        l->line = sqlite3_column_int(st, 0);
        l->item_id = sqlite3_column_int64(st, 1);
        db__col_text(st, 2, l->sku, sizeof(l->sku));
        l->qty = sqlite3_column_int64(st, 3);
        l->allocated = sqlite3_column_int64(st, 4);
        l->need = sqlite3_column_int64(st, 5);
        l->min_days = sqlite3_column_int64(st, 6);
    }
    if (rc != SQLITE_DONE)
        rc = db__fail(db, rc, err, "order lines");
    else
        rc = 0;
    sqlite3_reset(st);
    return rc;
}

/* Allocates one released order inside the caller's operation. */
static int alloc_order__(wms_db *db, const wms_actor *who, int64_t order_id, int64_t wave_id,
                         wms_alloc_result *res, wms_error *err)
{
    static const char q_order[] = "SELECT status, short_policy, ref FROM orders WHERE id = ?1";
    static const char upd_line[] =
        "UPDATE order_lines SET allocated = allocated + ?3, short = short + ?4, "
        "backordered = ?5 WHERE order_id = ?1 AND line = ?2";
    char status[16] = "", policy[16] = "", ref[WMS_SKU_MAX + 1] = "";
    sqlite3_stmt *st = db__stmt(db, q_order, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        db__col_text(st, 0, status, sizeof(status));
        db__col_text(st, 1, policy, sizeof(policy));
        db__col_text(st, 2, ref, sizeof(ref));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no order with id %lld", (long long)order_id);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "order lookup");
    if (strcmp(status, "released") != 0)
        return wms_error_set(err, WMS_ECONFLICT,
                             "order %s is %s: only released orders are allocated", ref, status);
    int backorder = !strcmp(policy, "backorder");

    line_row *lines;
    size_t n;
    if ((rc = load_lines(db, order_id, &lines, &n, err)) < 0) {
        free(lines);
        return rc;
    }
    int64_t total_need = 0, total_got = 0, total_alloc = 0;
    for (size_t i = 0; i < n && rc >= 0; i++) {
        line_row *l = &lines[i];
        total_alloc += l->allocated;
        if (l->need <= 0)
            continue;
        int64_t got = 0;
        if ((rc = alloc_line(db, order_id, l, wave_id, &got, &res->allocations, err)) < 0)
            break;
        int64_t miss = l->need - got;
        int64_t shorted = backorder ? 0 : miss, backordered = backorder ? miss : 0;
        total_need += l->need;
        total_got += got;
        total_alloc += got;
        if ((st = db__stmt(db, upd_line, err)) == NULL) {
            rc = err->code;
            break;
        }
        sqlite3_bind_int64(st, 1, order_id);
        sqlite3_bind_int(st, 2, l->line);
        sqlite3_bind_int64(st, 3, got);
        sqlite3_bind_int64(st, 4, shorted);
        sqlite3_bind_int64(st, 5, backordered);
        if ((rc = db__exec_stmt(db, st, err, "order line")) < 0)
            break;
        if (miss > 0) {
            char detail[256];
            snprintf(detail, sizeof(detail), "line %d: %lld of %lld x %s allocated; %lld %s",
                     l->line, (long long)(l->allocated + got), (long long)l->qty, l->sku,
                     (long long)miss, backorder ? "backordered" : "short-shipped");
            int64_t ev = wms_event_add(db, who, WMS_EV_ORDER_SHORT, order_id, NULL, detail, err);
            if (ev < 0) {
                rc = (int)ev;
                break;
            }
        }
        result_add(res, order_id, l, got, shorted, backordered);
    }
    free(lines);
    if (rc < 0)
        return rc;
    res->orders++;
    char detail[128];
    snprintf(detail, sizeof(detail), "%lld of %lld units allocated", (long long)total_got,
             (long long)total_need);
    if (total_alloc > 0 || total_need == 0)
        return wms_order_set_status(db, who, order_id, "allocated", detail, err);
    if (!backorder)
        return wms_order_set_status(db, who, order_id, "short", "no stock: nothing allocated", err);
    return 0; /* fully backordered: stays released, tried again next time */
}

int wms_alloc_order(wms_db *db, const wms_actor *who, int64_t order_id, wms_alloc_result *out,
                    wms_error *err)
{
    return wms_alloc_wave(db, who, &order_id, 1, 0, out, err);
}

int wms_alloc_order_ref(wms_db *db, const wms_actor *who, const char *ref, wms_alloc_result *out,
                        wms_error *err)
{
    static const char sql[] = "SELECT id FROM orders WHERE ref = ?1";
    wms_error local;
    if (err == NULL)
        err = &local;
    if (db == NULL || ref == NULL || ref[0] == '\0' || strlen(ref) > 64)
        return wms_error_set(err, WMS_EBAD_ARGS, "an order ref of 1-64 characters is needed");
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, ref);
    int64_t id;
    int rc = step_i64(db, st, &id, "order lookup", err);
    if (rc < 0)
        return rc;
    if (id == 0)
        return wms_error_set(err, WMS_ENOT_FOUND, "no order %s", ref);
    return wms_alloc_order(db, who, id, out, err);
}

int wms_alloc_wave(wms_db *db, const wms_actor *who, const int64_t *order_ids, int n,
                   int64_t wave_id, wms_alloc_result *summary, wms_error *err)
{
    wms_error local;
    if (err == NULL)
        err = &local;
    wms_error_clear(err);
    if (db == NULL || n < 0 || n > WAVE_ORDERS_MAX || (n > 0 && order_ids == NULL) || wave_id < 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "bad order list or wave id");
    wms_alloc_result *res = summary;
    if (res == NULL) {
        res = malloc(sizeof(*res));
        if (res == NULL)
            return wms_error_set(err, WMS_ENOMEM, NULL);
    }
    memset(res, 0, sizeof(*res));
    int rc = db__op_begin(db, err);
    if (rc >= 0) {
        if (wave_id > 0) {
            static const char q_wave[] = "SELECT count(*) FROM waves WHERE id = ?1";
            sqlite3_stmt *st = db__stmt(db, q_wave, err);
            int64_t found = 0;
            if (st == NULL) {
                rc = err->code;
            } else {
                sqlite3_bind_int64(st, 1, wave_id);
                rc = step_i64(db, st, &found, "wave lookup", err);
            }
            if (rc >= 0 && found == 0)
                rc = wms_error_set(err, WMS_ENOT_FOUND, "no wave %lld", (long long)wave_id);
        }
        for (int i = 0; i < n && rc >= 0; i++)
            rc = alloc_order__(db, who, order_ids[i], wave_id, res, err);
        rc = db__op_end(db, rc, err);
    }
    if (rc < 0)
        memset(res, 0, sizeof(*res));
    if (res != summary)
        free(res);
    return rc < 0 ? rc : 0;
}

/* Releases the open allocations of an order (see alloc.h). */
static int cancel__(wms_db *db, int64_t order_id, int64_t *units, wms_error *err)
{
    static const char q_order[] = "SELECT count(*) FROM orders WHERE id = ?1";
    static const char q_alloc[] =
        "SELECT id, line, bin_id, item_id, lot, expiry, qty, picked FROM allocations "
        "WHERE order_id = ?1 AND status = 'open' ORDER BY id";
    static const char unres[] =
        "UPDATE stock SET reserved = reserved - ?5 WHERE bin_id = ?1 AND item_id = ?2 AND "
        "lot = ?3 AND expiry = ?4 AND status = 'available' AND reserved >= ?5";
    static const char upd_alloc[] =
        "UPDATE allocations SET status = CASE WHEN picked = 0 THEN 'cancelled' ELSE 'picked' END,"
        " qty = CASE WHEN picked = 0 THEN qty ELSE picked END WHERE id = ?1";
    static const char upd_line[] = "UPDATE order_lines SET allocated = max(0, allocated - ?3) "
                                   "WHERE order_id = ?1 AND line = ?2";
    static const char upd_task[] = "UPDATE tasks SET status = 'cancelled' WHERE allocation_id = ?1 "
                                   "AND kind = 'pick' AND status IN ('open', 'assigned')";
    typedef struct {
        int64_t id, bin_id, item_id, qty, picked;
        int line;
        char lot[LOT_BUF], expiry[16];
    } arow;
    arow *a = NULL;
    size_t n = 0, cap = 0;
    int64_t found = 0;
    *units = 0;
    sqlite3_stmt *st = db__stmt(db, q_order, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    int rc = step_i64(db, st, &found, "order lookup", err);
    if (rc < 0)
        return rc;
    if (found == 0)
        return wms_error_set(err, WMS_ENOT_FOUND, "no order with id %lld", (long long)order_id);
    if ((st = db__stmt(db, q_alloc, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int g = grow((void **)&a, &cap, n, sizeof(*a), err);
        if (g < 0) {
            sqlite3_reset(st);
            free(a);
            return g;
        }
        arow *r = &a[n++];
        r->id = sqlite3_column_int64(st, 0);
        r->line = sqlite3_column_int(st, 1);
        r->bin_id = sqlite3_column_int64(st, 2);
        r->item_id = sqlite3_column_int64(st, 3);
        db__col_text(st, 4, r->lot, sizeof(r->lot));
        db__col_text(st, 5, r->expiry, sizeof(r->expiry));
        r->qty = sqlite3_column_int64(st, 6);
        r->picked = sqlite3_column_int64(st, 7);
    }
    rc = rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "allocations");
    sqlite3_reset(st);
    for (size_t i = 0; i < n && rc >= 0; i++) {
        int64_t rem = a[i].qty - a[i].picked;
        if (rem > 0) {
            if ((st = db__stmt(db, unres, err)) == NULL) {
                rc = err->code;
                break;
            }
            sqlite3_bind_int64(st, 1, a[i].bin_id);
            sqlite3_bind_int64(st, 2, a[i].item_id);
            db__bind_text(st, 3, a[i].lot);
            db__bind_text(st, 4, a[i].expiry);
            sqlite3_bind_int64(st, 5, rem);
            if ((rc = db__exec_stmt(db, st, err, "release reservation")) < 0)
                break;
            if (sqlite3_changes(db->sql) != 1) {
                rc = wms_error_set(err, WMS_ECONFLICT,
                                   "allocation %lld: its quant holds fewer reserved units than "
                                   "it books (reservations are inconsistent)",
                                   (long long)a[i].id);
                break;
            }
            if ((st = db__stmt(db, upd_line, err)) == NULL) {
                rc = err->code;
                break;
            }
            sqlite3_bind_int64(st, 1, order_id);
            sqlite3_bind_int(st, 2, a[i].line);
            sqlite3_bind_int64(st, 3, rem);
            if ((rc = db__exec_stmt(db, st, err, "order line")) < 0)
                break;
            *units += rem;
        }
        if ((st = db__stmt(db, upd_alloc, err)) == NULL) {
            rc = err->code;
            break;
        }
        sqlite3_bind_int64(st, 1, a[i].id);
        if ((rc = db__exec_stmt(db, st, err, "allocation")) < 0)
            break;
        if ((st = db__stmt(db, upd_task, err)) == NULL) {
            rc = err->code;
            break;
        }
        sqlite3_bind_int64(st, 1, a[i].id);
        rc = db__exec_stmt(db, st, err, "pick task");
    }
    free(a);
    return rc < 0 ? rc : alloc__bulk_resync(db, order_id, err);
}

int alloc__bulk_resync(wms_db *db, int64_t order_id, wms_error *err)
{
    static const char sql[] =
        "UPDATE tasks SET qty = max(done_qty + (SELECT coalesce(sum(a.qty - a.picked), 0) FROM "
        "allocations a WHERE a.bulk_task_id = tasks.id AND a.status = 'open'), 1), "
        "status = CASE WHEN (SELECT count(*) FROM allocations a WHERE a.bulk_task_id = tasks.id "
        "AND a.status = 'open') > 0 THEN status WHEN done_qty > 0 THEN 'done' "
        "ELSE 'cancelled' END "
        "WHERE id IN (SELECT bulk_task_id FROM allocations WHERE order_id = ?1 AND "
        "bulk_task_id IS NOT NULL) AND status IN ('open', 'assigned')";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    return db__exec_stmt(db, st, err, "bulk tasks");
}

int64_t wms_alloc_cancel_order(wms_db *db, const wms_actor *who, int64_t order_id, wms_error *err)
{
    wms_error local;
    (void)who; /* no stock moves: nothing is journalled */
    if (err == NULL)
        err = &local;
    if (db == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no database");
    int64_t units = 0;
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = db__op_end(db, cancel__(db, order_id, &units, err), err);
    return rc < 0 ? rc : units;
}

/* ------------------------------------------------------------------------ */
/* Pick faces and replenishment                                             */
/* ------------------------------------------------------------------------ */

static int pickface_set__(wms_db *db, const char *bin, const char *sku, int64_t min_qty,
                          int64_t max_qty, wms_error *err)
{
    static const char q_item[] = "SELECT id FROM items WHERE sku = ?1";
    static const char q_pf[] = "SELECT min_qty, max_qty FROM pick_faces "
                               "WHERE bin_id = ?1 AND item_id = ?2";
    static const char put[] =
        "INSERT INTO pick_faces(bin_id, item_id, min_qty, max_qty) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(bin_id, item_id) DO UPDATE SET min_qty = excluded.min_qty, "
        "max_qty = excluded.max_qty";
    wms_bin b;
    int rc = wms_bin_get(db, bin, &b, err);
    if (rc < 0)
        return rc == WMS_ENOT_FOUND
                   ? wms_error_set(err, WMS_ENOT_FOUND, "bin '%.64s' does not exist", bin)
                   : rc;
    if (strcmp(b.type, "pick") != 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "bin %s is a %s bin, not a pick face", b.code,
                             b.type);
    sqlite3_stmt *st = db__stmt(db, q_item, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, sku);
    int64_t item_id;
    if ((rc = step_i64(db, st, &item_id, "item lookup", err)) < 0)
        return rc;
    if (item_id == 0)
        return wms_error_set(err, WMS_ENOT_FOUND, "no item with SKU '%.64s'", sku);
    if ((st = db__stmt(db, q_pf, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, b.id);
    sqlite3_bind_int64(st, 2, item_id);
    int found = 0;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        found = 1;
        if (sqlite3_column_int64(st, 0) == min_qty && sqlite3_column_int64(st, 1) == max_qty) {
            sqlite3_reset(st);
            return WMS_PUT_UNCHANGED;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db__fail(db, rc, err, "pick face lookup");
    if ((st = db__stmt(db, put, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, b.id);
    sqlite3_bind_int64(st, 2, item_id);
    sqlite3_bind_int64(st, 3, min_qty);
    sqlite3_bind_int64(st, 4, max_qty);
    if ((rc = db__exec_stmt(db, st, err, "pick face")) < 0)
        return rc;
    return found ? WMS_PUT_UPDATED : WMS_PUT_INSERTED;
}

int wms_pickface_set(wms_db *db, const char *bin, const char *sku, int64_t min_qty, int64_t max_qty,
                     wms_error *err)
{
    wms_error local;
    if (err == NULL)
        err = &local;
    if (db == NULL || bin == NULL || sku == NULL || !bin[0] || !sku[0] ||
        strlen(bin) > WMS_SKU_MAX || strlen(sku) > WMS_SKU_MAX)
        return wms_error_set(err, WMS_EBAD_ARGS, "a bin and a SKU are needed");
    if (min_qty < 0 || max_qty < min_qty || max_qty > WMS_QTY_MAX)
        return wms_error_set(err, WMS_EBAD_QTY,
                             "levels min %lld / max %lld: need 0 <= min <= max <= %lld",
                             (long long)min_qty, (long long)max_qty, (long long)WMS_QTY_MAX);
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    return db__op_end(db, pickface_set__(db, bin, sku, min_qty, max_qty, err), err);
}

/* Units of an open replenishment task t that are top-up, i.e. not carried
 * for the wave's allocations still on its source quant. */
#define TOPUP_PART(t)                                                                              \
    "max(0, " t ".qty - " t ".done_qty - coalesce((SELECT sum(a.qty - a.picked) "                  \
    "FROM allocations a WHERE a.status = 'open' AND a.wave_id = " t ".wave_id AND "                \
    "a.bin_id = " t ".from_bin_id AND a.item_id = " t ".item_id AND a.lot = " t ".lot AND "        \
    "a.expiry = " t ".expiry), 0))"

int alloc__clip_topups(wms_db *db, int64_t bin_id, int64_t item_id, const char *lot,
                       const char *expiry, wms_error *err)
{
    static const char q_free[] =
        "SELECT coalesce(sum(qty - reserved), 0) FROM stock WHERE bin_id = ?1 AND item_id = ?2 "
        "AND lot = ?3 AND expiry = ?4 AND status = 'available'";
    static const char q_tasks[] = "SELECT t.id, " TOPUP_PART(
        "t") ", t.qty - t.done_qty FROM tasks t "
             "WHERE t.kind = 'replenish' AND t.status IN ('open', 'assigned') AND t.from_bin_id = "
             "?1 "
             "AND t.item_id = ?2 AND t.lot = ?3 AND t.expiry = ?4 ORDER BY t.id DESC";
    static const char upd[] =
        "UPDATE tasks SET qty = CASE WHEN qty - ?2 > 0 THEN qty - ?2 ELSE qty END, "
        "status = CASE WHEN qty - ?2 <= 0 THEN 'cancelled' WHEN qty - ?2 <= done_qty THEN 'done' "
        "ELSE status END WHERE id = ?1";
    /* the open top-ups first: almost always none, and then nothing else is read */
    const char *sqls[2] = {q_tasks, q_free};
    int64_t free_units = 0, topup = 0;
    int64_t ids[64], parts[64];
    int n = 0;
    for (int k = 0; k < 2 && (k == 0 || topup > 0); k++) {
        sqlite3_stmt *st = db__stmt(db, sqls[k], err);
        if (st == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, bin_id);
        sqlite3_bind_int64(st, 2, item_id);
        db__bind_text(st, 3, lot);
        db__bind_text(st, 4, expiry);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (k == 1) {
                free_units = sqlite3_column_int64(st, 0);
                continue;
            }
            int64_t part = sqlite3_column_int64(st, 1);
            topup += part;
            if (part > 0 && n < 64) {
                ids[n] = sqlite3_column_int64(st, 0);
                parts[n++] = part;
            }
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return db__fail(db, rc, err, "replenishment top-ups");
    }
    int64_t over = topup - (free_units > 0 ? free_units : 0);
    for (int i = 0; i < n && over > 0; i++) {
        int64_t cut = parts[i] < over ? parts[i] : over;
        sqlite3_stmt *st = db__stmt(db, upd, err);
        if (st == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, ids[i]);
        sqlite3_bind_int64(st, 2, cut);
        int rc = db__exec_stmt(db, st, err, "clip replenishment");
        if (rc < 0)
            return rc;
        over -= cut;
    }
    return 0;
}

/* A quant in a reserve bin (the source of a replenishment). */
typedef struct quant_ref {
    int64_t bin_id;
    char bin[WMS_SKU_MAX + 1];
    char zone[33];
    char lot[LOT_BUF];
    char expiry[16];
    int64_t spare; /* unreserved units not yet promised to top-ups */
} quant_ref;

/* A pick face with its levels. */
typedef struct face_ref {
    int64_t bin_id, item_id, min_qty, max_qty;
    char bin[WMS_SKU_MAX + 1];
    char sku[WMS_SKU_MAX + 1];
} face_ref;

/* An open replenishment task. */
typedef struct task_ref {
    int64_t id, wave_id, qty, done_qty;
} task_ref;

/* Level of a face: available unexpired units minus reserved ones. */
static int face_level(wms_db *db, const face_ref *f, int64_t *out, wms_error *err)
{
    static const char sql[] =
        "SELECT coalesce(sum(qty - reserved), 0) FROM stock WHERE bin_id = ?1 AND item_id = ?2 "
        "AND status = 'available' AND (expiry = '' OR expiry > ?3)";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, f->bin_id);
    sqlite3_bind_int64(st, 2, f->item_id);
    db__bind_text(st, 3, db__today(db));
    return step_i64(db, st, out, "pick face level", err);
}

/* Top-up units on their way to a face (open replenishments). */
static int face_incoming(wms_db *db, const face_ref *f, int64_t *out, wms_error *err)
{
    static const char sql[] = "SELECT coalesce(sum(" TOPUP_PART(
        "t") "), 0) FROM tasks t "
             "WHERE t.kind = 'replenish' AND t.status IN ('open', 'assigned') "
             "AND t.to_bin_id = ?1 AND t.item_id = ?2";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, f->bin_id);
    sqlite3_bind_int64(st, 2, f->item_id);
    return step_i64(db, st, out, "incoming replenishments", err);
}

/* Units of a wave's open allocations on a quant (what a task carries). */
static int carried_units(wms_db *db, int64_t wave_id, int64_t item_id, const quant_ref *q,
                         int64_t *out, wms_error *err)
{
    static const char sql[] =
        "SELECT coalesce(sum(qty - picked), 0) FROM allocations WHERE status = 'open' AND "
        "wave_id = ?1 AND bin_id = ?2 AND item_id = ?3 AND lot = ?4 AND expiry = ?5";
    *out = 0;
    if (wave_id <= 0)
        return 0;
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, wave_id);
    sqlite3_bind_int64(st, 2, q->bin_id);
    sqlite3_bind_int64(st, 3, item_id);
    db__bind_text(st, 4, q->lot);
    db__bind_text(st, 5, q->expiry);
    return step_i64(db, st, out, "carried units", err);
}

/* Spare units of a source quant: qty - reserved - top-ups already planned
 * from it. */
static int quant_spare(wms_db *db, int64_t item_id, quant_ref *q, wms_error *err)
{
    static const char sql[] = "SELECT s.qty - s.reserved - coalesce((SELECT sum(" TOPUP_PART(
        "t") ") FROM tasks t "
             "WHERE t.kind = 'replenish' AND t.status IN ('open', 'assigned') AND "
             "t.from_bin_id = s.bin_id AND t.item_id = s.item_id AND t.lot = s.lot AND "
             "t.expiry = s.expiry), 0) FROM stock s WHERE s.bin_id = ?1 AND s.item_id = ?2 AND "
             "s.lot = ?3 AND s.expiry = ?4 AND s.status = 'available'";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, q->bin_id);
    sqlite3_bind_int64(st, 2, item_id);
    db__bind_text(st, 3, q->lot);
    db__bind_text(st, 4, q->expiry);
    int rc = step_i64(db, st, &q->spare, "reserve quant", err);
    if (q->spare < 0)
        q->spare = 0;
    return rc;
}

/* Finds the open replenishment (face, item, source quant) of `wave`:
 * wave > 0 that wave, 0 the one without a wave, -1 any (the wave's first).
 * t->id = 0 when none. */
static int find_task(wms_db *db, const face_ref *f, const quant_ref *q, int64_t wave, task_ref *t,
                     wms_error *err)
{
    static const char sql[] =
        "SELECT id, coalesce(wave_id, 0), qty, done_qty FROM tasks WHERE kind = 'replenish' "
        "AND status IN ('open', 'assigned') AND to_bin_id = ?1 AND item_id = ?2 AND "
        "from_bin_id = ?3 AND lot = ?4 AND expiry = ?5 AND "
        "(?6 < 0 OR coalesce(wave_id, 0) = ?6) ORDER BY wave_id IS NULL, id LIMIT 1";
    memset(t, 0, sizeof(*t));
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, f->bin_id);
    sqlite3_bind_int64(st, 2, f->item_id);
    sqlite3_bind_int64(st, 3, q->bin_id);
    db__bind_text(st, 4, q->lot);
    db__bind_text(st, 5, q->expiry);
    sqlite3_bind_int64(st, 6, wave);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        t->id = sqlite3_column_int64(st, 0);
        t->wave_id = sqlite3_column_int64(st, 1);
        t->qty = sqlite3_column_int64(st, 2);
        t->done_qty = sqlite3_column_int64(st, 3);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        rc = db__fail(db, rc, err, "replenishment lookup");
    else
        rc = 0;
    sqlite3_reset(st);
    return rc;
}

/* The seq for a new replenishment of `wave` (0 = none): below every task
 * of that wave, and negative. */
static int next_seq(wms_db *db, int64_t wave, int64_t *seq, wms_error *err)
{
    static const char sql[] =
        "SELECT min(0, coalesce(min(seq), 0)) - 1 FROM tasks WHERE wave_id IS ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    bind_id(st, 1, wave);
    return step_i64(db, st, seq, "task order", err);
}

/* Creates a replenishment task; *id = its id. */
static int insert_task(wms_db *db, const face_ref *f, const quant_ref *q, int64_t wave, int64_t qty,
                       int64_t *id, wms_error *err)
{
    static const char sql[] =
        "INSERT INTO tasks(wave_id, kind, status, tour, seq, zone, from_bin_id, to_bin_id, "
        "item_id, lot, expiry, qty) VALUES (?1, 'replenish', 'open', 0, ?2, ?3, ?4, ?5, ?6, ?7, "
        "?8, ?9)";
    int64_t seq;
    int rc = next_seq(db, wave, &seq, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    bind_id(st, 1, wave);
    sqlite3_bind_int64(st, 2, seq);
    db__bind_text(st, 3, q->zone);
    sqlite3_bind_int64(st, 4, q->bin_id);
    sqlite3_bind_int64(st, 5, f->bin_id);
    sqlite3_bind_int64(st, 6, f->item_id);
    db__bind_text(st, 7, q->lot);
    db__bind_text(st, 8, q->expiry);
    sqlite3_bind_int64(st, 9, qty);
    if ((rc = db__exec_stmt(db, st, err, "replenishment task")) < 0)
        return rc;
    *id = sqlite3_last_insert_rowid(db->sql);
    return 0;
}

/* Sets an open task's qty, and (wave > 0) adopts it into that wave. */
static int update_task(wms_db *db, int64_t id, int64_t qty, int64_t wave, wms_error *err)
{
    static const char upd[] = "UPDATE tasks SET qty = ?2 WHERE id = ?1";
    static const char adopt[] = "UPDATE tasks SET qty = ?2, wave_id = ?3, seq = ?4 WHERE id = ?1";
    int64_t seq = 0;
    int rc = wave > 0 ? next_seq(db, wave, &seq, err) : 0;
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = db__stmt(db, wave > 0 ? adopt : upd, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, qty);
    if (wave > 0) {
        sqlite3_bind_int64(st, 3, wave);
        sqlite3_bind_int64(st, 4, seq);
    }
    return db__exec_stmt(db, st, err, "replenishment task");
}

static void report_task(wms_replenish_result *res, int64_t id, int64_t wave, const face_ref *f,
                        const quant_ref *q, int64_t qty, int64_t carried, int created,
                        int64_t added)
{
    if (created)
        res->created++;
    else
        res->grown++;
    res->units += added;
    if (res->ntask >= WMS_REPLENISH_MAX) {
        res->truncated = 1;
        return;
    }
    wms_replenish_task *o = &res->task[res->ntask++];
    o->task_id = id;
    o->wave_id = wave;
    snprintf(o->from_bin, sizeof(o->from_bin), "%s", q->bin);
    snprintf(o->to_bin, sizeof(o->to_bin), "%s", f->bin);
    snprintf(o->sku, sizeof(o->sku), "%s", f->sku);
    snprintf(o->lot, sizeof(o->lot), "%.20s", q->lot);
    snprintf(o->expiry, sizeof(o->expiry), "%.10s", q->expiry);
    o->qty = qty;
    o->carried = carried;
    o->created = created;
}

static int alert(wms_db *db, const wms_actor *who, wms_replenish_result *res, const char *detail,
                 wms_error *err)
{
    int64_t ev = wms_event_add(db, who, WMS_EV_REPLENISH, 0, NULL, detail, err);
    if (ev < 0)
        return (int)ev;
    res->alerts++;
    return 0;
}

/* Reads up to CAND_BATCH reserve quants of an item with spare units, FEFO. */
static int reserve_sources(wms_db *db, int64_t item_id, quant_ref *q, int *n, wms_error *err)
{
    static const char sql[] =
        "SELECT * FROM (SELECT s.bin_id, b.code, b.zone, s.lot, s.expiry, s.qty - s.reserved - "
        "coalesce((SELECT sum(" TOPUP_PART(
            "t") ") FROM tasks t WHERE t.kind = 'replenish' AND "
                 "t.status IN ('open', 'assigned') AND t.from_bin_id = s.bin_id AND t.item_id = "
                 "s.item_id "
                 "AND t.lot = s.lot AND t.expiry = s.expiry), 0) AS spare "
                 "FROM stock s JOIN bins b ON b.id = s.bin_id WHERE s.item_id = ?1 AND "
                 "s.status = 'available' AND b.type = 'reserve' AND b.blocked = 0 AND "
                 "(s.expiry = '' OR s.expiry > ?2) ORDER BY s.expiry = '', s.expiry, b.code, "
                 "s.lot) "
                 "WHERE spare > 0 LIMIT ?3";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, item_id);
    db__bind_text(st, 2, db__today(db));
    sqlite3_bind_int(st, 3, CAND_BATCH);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < CAND_BATCH) {
        if (sqlite3_column_bytes(st, 3) >= LOT_BUF)
            continue;
        quant_ref *r = &q[*n];
        r->bin_id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, r->bin, sizeof(r->bin));
        db__col_text(st, 2, r->zone, sizeof(r->zone));
        db__col_text(st, 3, r->lot, sizeof(r->lot));
        db__col_text(st, 4, r->expiry, sizeof(r->expiry));
        r->spare = sqlite3_column_int64(st, 5);
        (*n)++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        rc = db__fail(db, rc, err, "reserve stock");
    else
        rc = 0;
    sqlite3_reset(st);
    return rc;
}

/* Trigger (a) for one face: below min -> top up to max from reserve. */
static int plan_face(wms_db *db, const wms_actor *who, const face_ref *f, wms_replenish_result *res,
                     wms_error *err)
{
    int64_t level, incoming;
    int rc = face_level(db, f, &level, err);
    if (rc < 0 || (rc = face_incoming(db, f, &incoming, err)) < 0)
        return rc;
    if (level + incoming >= f->min_qty)
        return 0;
    int64_t want = f->max_qty - level - incoming, planned = 0;
    quant_ref q[CAND_BATCH];
    char from[160] = "";
    while (want > 0) {
        int n = 0;
        if ((rc = reserve_sources(db, f->item_id, q, &n, err)) < 0)
            return rc;
        if (n == 0)
            break;
        for (int i = 0; i < n && want > 0; i++) {
            int64_t take = q[i].spare < want ? q[i].spare : want;
            task_ref t;
            if ((rc = find_task(db, f, &q[i], -1, &t, err)) < 0)
                return rc;
            if (t.id > 0) {
                if ((rc = update_task(db, t.id, t.qty + take, 0, err)) < 0)
                    return rc;
                int64_t carried;
                if ((rc = carried_units(db, t.wave_id, f->item_id, &q[i], &carried, err)) < 0)
                    return rc;
                report_task(res, t.id, t.wave_id, f, &q[i], t.qty + take, carried, 0, take);
            } else {
                int64_t id;
                if ((rc = insert_task(db, f, &q[i], 0, take, &id, err)) < 0)
                    return rc;
                report_task(res, id, 0, f, &q[i], take, 0, 1, take);
            }
            if (strlen(from) + strlen(q[i].bin) + 2 < sizeof(from))
                snprintf(from + strlen(from), sizeof(from) - strlen(from), "%s%s",
                         from[0] ? "," : "", q[i].bin);
            want -= take;
            planned += take;
        }
    }
    char detail[512];
    if (planned > 0)
        snprintf(detail, sizeof(detail),
                 "pick face %s %s: %lld available, below minimum %lld: replenish %lld from %s",
                 f->bin, f->sku, (long long)(level + incoming), (long long)f->min_qty,
                 (long long)planned, from);
    else
        snprintf(detail, sizeof(detail),
                 "pick face %s %s: %lld available, below minimum %lld: no reserve stock to "
                 "replenish from",
                 f->bin, f->sku, (long long)(level + incoming), (long long)f->min_qty);
    return alert(db, who, res, detail, err);
}

/* A wave's open reserve allocations, grouped by source quant, with the
 * pick face of their item. */
typedef struct wave_group {
    face_ref f;
    quant_ref q;
    int64_t units;
} wave_group;

static int load_wave_groups(wms_db *db, int64_t wave, wave_group **out, size_t *n, wms_error *err)
{
    static const char sql[] =
        "SELECT g.bin_id, rb.code, rb.zone, g.item_id, g.lot, g.expiry, g.units, pf.bin_id, "
        "fb.code, i.sku, pf.min_qty, pf.max_qty FROM ("
        "  SELECT a.bin_id, a.item_id, a.lot, a.expiry, sum(a.qty - a.picked) AS units, "
        "  (SELECT p.bin_id FROM pick_faces p JOIN bins b2 ON b2.id = p.bin_id WHERE "
        "   p.item_id = a.item_id AND b2.blocked = 0 AND b2.type = 'pick' ORDER BY b2.code "
        "   LIMIT 1) AS face FROM allocations a JOIN bins b ON b.id = a.bin_id "
        "  WHERE a.wave_id = ?1 AND a.status = 'open' AND a.qty > a.picked AND "
        "  b.type = 'reserve' GROUP BY a.bin_id, a.item_id, a.lot, a.expiry) g "
        "JOIN pick_faces pf ON pf.bin_id = g.face AND pf.item_id = g.item_id "
        "JOIN bins rb ON rb.id = g.bin_id JOIN bins fb ON fb.id = g.face "
        "JOIN items i ON i.id = g.item_id ORDER BY i.sku, g.expiry, rb.code, g.lot";
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, wave);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 4) >= LOT_BUF)
            continue;
        int g = grow((void **)out, &cap, *n, sizeof(**out), err);
        if (g < 0) {
            sqlite3_reset(st);
            return g;
        }
        wave_group *w = &(*out)[(*n)++];
        memset(w, 0, sizeof(*w));
        w->q.bin_id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, w->q.bin, sizeof(w->q.bin));
        db__col_text(st, 2, w->q.zone, sizeof(w->q.zone));
        w->f.item_id = sqlite3_column_int64(st, 3);
        db__col_text(st, 4, w->q.lot, sizeof(w->q.lot));
        db__col_text(st, 5, w->q.expiry, sizeof(w->q.expiry));
        w->units = sqlite3_column_int64(st, 6);
        w->f.bin_id = sqlite3_column_int64(st, 7);
        db__col_text(st, 8, w->f.bin, sizeof(w->f.bin));
        db__col_text(st, 9, w->f.sku, sizeof(w->f.sku));
        w->f.min_qty = sqlite3_column_int64(st, 10);
        w->f.max_qty = sqlite3_column_int64(st, 11);
    }
    rc = rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "wave allocations");
    sqlite3_reset(st);
    return rc;
}

/* Points the open pick tasks of the wave's allocations on quant q at the
 * pick face, depending on replenishment task_id.  *linked += changes. */
static int link_picks(wms_db *db, int64_t wave, const wave_group *g, int64_t task_id, int *linked,
                      wms_error *err)
{
    static const char sql[] =
        "UPDATE tasks SET depends_on = ?1, from_bin_id = ?2 WHERE kind = 'pick' AND "
        "status IN ('open', 'assigned') AND (depends_on IS NOT ?1 OR from_bin_id <> ?2) AND "
        "(allocation_id IN (SELECT id FROM allocations WHERE status = 'open' AND wave_id = ?3 "
        "AND bin_id = ?4 AND item_id = ?5 AND lot = ?6 AND expiry = ?7) OR id IN (SELECT "
        "bulk_task_id FROM allocations WHERE status = 'open' AND wave_id = ?3 AND bin_id = ?4 "
        "AND item_id = ?5 AND lot = ?6 AND expiry = ?7))";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, g->f.bin_id);
    sqlite3_bind_int64(st, 3, wave);
    sqlite3_bind_int64(st, 4, g->q.bin_id);
    sqlite3_bind_int64(st, 5, g->f.item_id);
    db__bind_text(st, 6, g->q.lot);
    db__bind_text(st, 7, g->q.expiry);
    int rc = db__exec_stmt(db, st, err, "pick tasks");
    if (rc >= 0)
        *linked += sqlite3_changes(db->sql);
    return rc;
}

/* Trigger (b) for one group of a wave's reserve allocations. */
static int plan_group(wms_db *db, const wms_actor *who, int64_t wave, wave_group *g,
                      wms_replenish_result *res, wms_error *err)
{
    task_ref t;
    int rc = find_task(db, &g->f, &g->q, wave, &t, err);
    if (rc >= 0 && t.id == 0)
        rc = find_task(db, &g->f, &g->q, 0, &t, err); /* a top-up to adopt */
    int64_t carried, level, incoming;
    if (rc < 0 || (rc = carried_units(db, wave, g->f.item_id, &g->q, &carried, err)) < 0 ||
        (rc = face_level(db, &g->f, &level, err)) < 0 ||
        (rc = face_incoming(db, &g->f, &incoming, err)) < 0 ||
        (rc = quant_spare(db, g->f.item_id, &g->q, err)) < 0)
        return rc;
    int64_t rem = t.id ? t.qty - t.done_qty : 0;
    int64_t tp = t.id == 0 ? 0 : t.wave_id == wave ? (rem > carried ? rem - carried : 0) : rem;
    int64_t want = g->f.max_qty - level - incoming;
    int64_t add = want < 0 ? 0 : (want < g->q.spare ? want : g->q.spare);
    int64_t new_rem = carried + tp + add;
    int64_t id = t.id;
    if (t.id == 0) {
        if ((rc = insert_task(db, &g->f, &g->q, wave, new_rem, &id, err)) < 0)
            return rc;
        report_task(res, id, wave, &g->f, &g->q, new_rem, carried, 1, new_rem);
    } else if (t.wave_id != wave || t.done_qty + new_rem > t.qty) {
        int64_t qty = t.done_qty + new_rem > t.qty ? t.done_qty + new_rem : t.qty;
        if ((rc = update_task(db, t.id, qty, t.wave_id != wave ? wave : 0, err)) < 0)
            return rc;
        report_task(res, t.id, wave, &g->f, &g->q, qty, carried, 0, qty - t.qty);
    } else {
        return link_picks(db, wave, g, id, &res->picks_linked, err); /* already covered */
    }
    char detail[512];
    snprintf(detail, sizeof(detail),
             "wave %lld needs %lld x %s from reserve %s: replenish %s -> %s, %lld units "
             "(task %lld)",
             (long long)wave, (long long)carried, g->f.sku, g->q.bin, g->q.bin, g->f.bin,
             (long long)new_rem, (long long)id);
    if ((rc = alert(db, who, res, detail, err)) < 0)
        return rc;
    return link_picks(db, wave, g, id, &res->picks_linked, err);
}

static int replenish_plan__(wms_db *db, const wms_actor *who, int64_t wave,
                            wms_replenish_result *res, wms_error *err)
{
    static const char q_wave[] = "SELECT count(*) FROM waves WHERE id = ?1";
    static const char q_faces[] =
        "SELECT pf.bin_id, pf.item_id, pf.min_qty, pf.max_qty, b.code, i.sku FROM pick_faces pf "
        "JOIN bins b ON b.id = pf.bin_id JOIN items i ON i.id = pf.item_id "
        "WHERE b.blocked = 0 AND b.type = 'pick' ORDER BY b.code, i.sku";
    int rc = 0;
    if (wave > 0) {
        int64_t found;
        sqlite3_stmt *st = db__stmt(db, q_wave, err);
        if (st == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, wave);
        if ((rc = step_i64(db, st, &found, "wave lookup", err)) < 0)
            return rc;
        if (found == 0)
            return wms_error_set(err, WMS_ENOT_FOUND, "no wave %lld", (long long)wave);
        wave_group *g;
        size_t n;
        rc = load_wave_groups(db, wave, &g, &n, err);
        for (size_t i = 0; i < n && rc >= 0; i++)
            rc = plan_group(db, who, wave, &g[i], res, err);
        free(g);
        if (rc < 0)
            return rc;
    }
    face_ref *f = NULL;
    size_t n = 0, cap = 0;
    sqlite3_stmt *st = db__stmt(db, q_faces, err);
    if (st == NULL)
        return err->code;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int g = grow((void **)&f, &cap, n, sizeof(*f), err);
        if (g < 0) {
            sqlite3_reset(st);
            free(f);
            return g;
        }
        face_ref *r = &f[n++];
        r->bin_id = sqlite3_column_int64(st, 0);
        r->item_id = sqlite3_column_int64(st, 1);
        r->min_qty = sqlite3_column_int64(st, 2);
        r->max_qty = sqlite3_column_int64(st, 3);
        db__col_text(st, 4, r->bin, sizeof(r->bin));
        db__col_text(st, 5, r->sku, sizeof(r->sku));
    }
    rc = rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "pick faces");
    sqlite3_reset(st);
    for (size_t i = 0; i < n && rc >= 0; i++)
        rc = plan_face(db, who, &f[i], res, err);
    free(f);
    return rc;
}

int wms_replenish_plan(wms_db *db, const wms_actor *who, int64_t wave_id, wms_replenish_result *out,
                       wms_error *err)
{
    wms_error local;
    if (err == NULL)
        err = &local;
    wms_error_clear(err);
    if (db == NULL || wave_id < 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "bad wave id");
    wms_replenish_result *res = out ? out : calloc(1, sizeof(*res));
    if (res == NULL)
        return wms_error_set(err, WMS_ENOMEM, NULL);
    memset(res, 0, sizeof(*res));
    int rc = db__op_begin(db, err);
    if (rc >= 0)
        rc = db__op_end(db, replenish_plan__(db, who, wave_id, res, err), err);
    if (rc < 0)
        memset(res, 0, sizeof(*res));
    if (res != out)
        free(res);
    return rc < 0 ? rc : 0;
}

static int replenish_done__(wms_db *db, const wms_actor *who, int64_t task_id, int64_t qty,
                            wms_error *err)
{
    static const char q_task[] =
        "SELECT kind, status, coalesce(wave_id, 0), from_bin_id, coalesce(to_bin_id, 0), "
        "item_id, lot, expiry, qty, done_qty FROM tasks WHERE id = ?1";
    /* carried whole: an allocation, or all of a bulk task's (sort wave) */
    static const char q_alloc[] =
        "SELECT coalesce(bulk_task_id, -id), sum(qty - picked) FROM allocations WHERE "
        "status = 'open' AND wave_id = ?1 AND bin_id = ?2 AND item_id = ?3 AND lot = ?4 AND "
        "expiry = ?5 AND qty > picked GROUP BY coalesce(bulk_task_id, -id) ORDER BY min(id)";
    static const char q_group[] =
        "SELECT id FROM allocations WHERE status = 'open' AND wave_id = ?1 AND bin_id = ?2 AND "
        "item_id = ?3 AND lot = ?4 AND expiry = ?5 AND qty > picked AND "
        "coalesce(bulk_task_id, -id) = ?6 ORDER BY id";
    static const char unres[] =
        "UPDATE stock SET reserved = reserved - ?5 WHERE bin_id = ?1 AND item_id = ?2 AND "
        "lot = ?3 AND expiry = ?4 AND status = 'available' AND reserved >= ?5";
    static const char res_face[] =
        "UPDATE stock SET reserved = reserved + ?5 WHERE bin_id = ?1 AND item_id = ?2 AND "
        "lot = ?3 AND expiry = ?4 AND status = 'available' AND qty - reserved >= ?5";
    static const char mv_alloc[] = "UPDATE allocations SET bin_id = ?2 WHERE id = ?1";
    static const char mv_pick[] =
        "UPDATE tasks SET from_bin_id = ?2 WHERE (allocation_id = ?1 OR id = (SELECT "
        "bulk_task_id FROM allocations WHERE id = ?1)) AND kind = 'pick' AND "
        "status IN ('open', 'assigned')";
    static const char upd_task[] =
        "UPDATE tasks SET done_qty = done_qty + ?2, status = CASE WHEN done_qty + ?2 >= qty "
        "THEN 'done' ELSE status END WHERE id = ?1";
    static const char unlink[] =
        "UPDATE tasks SET from_bin_id = coalesce((SELECT a.bin_id FROM allocations a WHERE "
        "a.id = tasks.allocation_id), (SELECT a.bin_id FROM allocations a WHERE "
        "a.bulk_task_id = tasks.id AND a.status = 'open' LIMIT 1), from_bin_id), "
        "depends_on = NULL WHERE depends_on = ?1 AND "
        "kind = 'pick' AND status IN ('open', 'assigned') AND (allocation_id IN "
        "(SELECT id FROM allocations WHERE bin_id = ?2) OR id IN (SELECT bulk_task_id FROM "
        "allocations WHERE bin_id = ?2 AND status = 'open'))";
    char kind[16] = "", status[16] = "", lot[LOT_BUF] = "", expiry[16] = "";
    int64_t wave = 0, from_id = 0, to_id = 0, item_id = 0, tqty = 0, done = 0;
    sqlite3_stmt *st = db__stmt(db, q_task, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, task_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        db__col_text(st, 0, kind, sizeof(kind));
        db__col_text(st, 1, status, sizeof(status));
        wave = sqlite3_column_int64(st, 2);
        from_id = sqlite3_column_int64(st, 3);
        to_id = sqlite3_column_int64(st, 4);
        item_id = sqlite3_column_int64(st, 5);
        db__col_text(st, 6, lot, sizeof(lot));
        db__col_text(st, 7, expiry, sizeof(expiry));
        tqty = sqlite3_column_int64(st, 8);
        done = sqlite3_column_int64(st, 9);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no task %lld", (long long)task_id);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "task lookup");
    if (strcmp(kind, "replenish") != 0 || to_id == 0)
        return wms_error_set(err, WMS_ECONFLICT, "task %lld is a %s task, not a replenishment",
                             (long long)task_id, kind);
    if (strcmp(status, "open") != 0 && strcmp(status, "assigned") != 0)
        return wms_error_set(err, WMS_ECONFLICT, "task %lld is already %s", (long long)task_id,
                             status);
    if (qty < 1 || qty > tqty - done)
        return wms_error_set(err, WMS_EBAD_QTY, "task %lld has %lld units left, not %lld",
                             (long long)task_id, (long long)(tqty - done), (long long)qty);
    wms_bin from, to;
    if ((rc = bin_by_id(db, from_id, &from, err)) < 0 || (rc = bin_by_id(db, to_id, &to, err)) < 0)
        return rc;
    if (from.blocked || to.blocked)
        return wms_error_set(err, WMS_EBIN_BLOCKED, "bin %s is blocked",
                             from.blocked ? from.code : to.code);

    /* The wave's allocations this move carries: whole ones (a bulk task's
     * all together, so that the task stays in one bin), first fit; the
     * groups first, then their allocations. */
    int64_t *carry = NULL, carried = 0;
    size_t ncarry = 0, cap = 0;
    if (wave > 0) {
        if ((st = db__stmt(db, q_alloc, err)) == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, wave);
        sqlite3_bind_int64(st, 2, from_id);
        sqlite3_bind_int64(st, 3, item_id);
        db__bind_text(st, 4, lot);
        db__bind_text(st, 5, expiry);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t rem = sqlite3_column_int64(st, 1);
            if (carried + rem > qty)
                continue;
            int g = grow((void **)&carry, &cap, ncarry, sizeof(*carry), err);
            if (g < 0) {
                sqlite3_reset(st);
                free(carry);
                return g;
            }
            carry[ncarry++] = sqlite3_column_int64(st, 0);
            carried += rem;
        }
        rc = rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "carried allocations");
        sqlite3_reset(st);
        /* groups -> allocation ids (a group is one id unless a bulk task's) */
        size_t ngroups = ncarry;
        int64_t *groups = carry;
        carry = NULL;
        ncarry = cap = 0;
        for (size_t k = 0; k < ngroups && rc >= 0; k++) {
            if ((st = db__stmt(db, q_group, err)) == NULL) {
                rc = err->code;
                break;
            }
            sqlite3_bind_int64(st, 1, wave);
            sqlite3_bind_int64(st, 2, from_id);
            sqlite3_bind_int64(st, 3, item_id);
            db__bind_text(st, 4, lot);
            db__bind_text(st, 5, expiry);
            sqlite3_bind_int64(st, 6, groups[k]);
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                int g = grow((void **)&carry, &cap, ncarry, sizeof(*carry), err);
                if (g < 0) {
                    rc = g;
                    break;
                }
                carry[ncarry++] = sqlite3_column_int64(st, 0);
            }
            rc = rc == SQLITE_DONE ? 0 : (rc < 0 ? rc : db__fail(db, rc, err, "carried group"));
            sqlite3_reset(st);
        }
        free(groups);
        if (rc < 0) {
            free(carry);
            return rc;
        }
    }
    /* Un-reserve the carried units at the source, move everything, and
     * reserve them again at the pick face. */
    if (rc >= 0 && carried > 0) {
        if ((st = db__stmt(db, unres, err)) == NULL)
            rc = err->code;
        else {
            sqlite3_bind_int64(st, 1, from_id);
            sqlite3_bind_int64(st, 2, item_id);
            db__bind_text(st, 3, lot);
            db__bind_text(st, 4, expiry);
            sqlite3_bind_int64(st, 5, carried);
            rc = db__exec_stmt(db, st, err, "release reservation");
            if (rc >= 0 && sqlite3_changes(db->sql) != 1)
                rc = wms_error_set(err, WMS_ECONFLICT,
                                   "bin %s holds fewer reserved units than its allocations "
                                   "book (reservations are inconsistent)",
                                   from.code);
        }
    }
    if (rc >= 0) {
        stock_move mv = {.kind = "replenish",
                         .item_id = item_id,
                         .lot = lot,
                         .expiry = expiry,
                         .from = &from,
                         .from_status = "available",
                         .to = &to,
                         .to_status = "available",
                         .qty = qty,
                         .reason = "replenishment"};
        char reason[48];
        snprintf(reason, sizeof(reason), "replenishment task %lld", (long long)task_id);
        mv.reason = reason;
        rc = stock__apply(db, who, &mv, NULL, err);
    }
    if (rc >= 0 && carried > 0) {
        if ((st = db__stmt(db, res_face, err)) == NULL)
            rc = err->code;
        else {
            sqlite3_bind_int64(st, 1, to_id);
            sqlite3_bind_int64(st, 2, item_id);
            db__bind_text(st, 3, lot);
            db__bind_text(st, 4, expiry);
            sqlite3_bind_int64(st, 5, carried);
            rc = db__exec_stmt(db, st, err, "reserve at pick face");
            if (rc >= 0 && sqlite3_changes(db->sql) != 1)
                rc = wms_error_set(err, WMS_ECONFLICT, "pick face %s cannot hold the reservation",
                                   to.code);
        }
    }
    for (size_t i = 0; i < ncarry && rc >= 0; i++) {
        const char *sqls[2] = {mv_alloc, mv_pick};
        for (int k = 0; k < 2 && rc >= 0; k++) {
            if ((st = db__stmt(db, sqls[k], err)) == NULL) {
                rc = err->code;
                break;
            }
            sqlite3_bind_int64(st, 1, carry[i]);
            sqlite3_bind_int64(st, 2, to_id);
            rc = db__exec_stmt(db, st, err, "carried allocation");
        }
    }
    free(carry);
    if (rc < 0)
        return rc;
    if ((st = db__stmt(db, upd_task, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, qty);
    if ((rc = db__exec_stmt(db, st, err, "replenishment task")) < 0)
        return rc;
    if (done + qty < tqty)
        return 0;
    /* Done: picks of allocations it did not carry pick from their bin. */
    if ((st = db__stmt(db, unlink, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, from_id);
    return db__exec_stmt(db, st, err, "pick tasks");
}

int wms_replenish_done(wms_db *db, const wms_actor *who, int64_t task_id, int64_t qty,
                       wms_error *err)
{
    wms_error local;
    if (err == NULL)
        err = &local;
    wms_error_clear(err);
    if (db == NULL || task_id <= 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "bad task id");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = db__op_end(db, replenish_done__(db, who, task_id, qty, err), err);
    return rc < 0 ? rc : 0;
}

int wms_replenish_for_allocation(wms_db *db, int64_t allocation_id, int64_t *task_id,
                                 int64_t *pick_bin_id, wms_error *err)
{
    static const char sql[] =
        "SELECT a.bin_id, (SELECT t.id FROM tasks t WHERE t.kind = 'replenish' AND "
        "t.status IN ('open', 'assigned') AND t.wave_id = a.wave_id AND "
        "t.from_bin_id = a.bin_id AND t.item_id = a.item_id AND t.lot = a.lot AND "
        "t.expiry = a.expiry ORDER BY t.id LIMIT 1) AS tid, a.status FROM allocations a "
        "WHERE a.id = ?1";
    static const char q_to[] = "SELECT to_bin_id FROM tasks WHERE id = ?1";
    wms_error local;
    if (err == NULL)
        err = &local;
    if (db == NULL || task_id == NULL || pick_bin_id == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "missing argument");
    *task_id = 0;
    *pick_bin_id = 0;
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, allocation_id);
    int rc = sqlite3_step(st);
    int open = 0;
    if (rc == SQLITE_ROW) {
        *pick_bin_id = sqlite3_column_int64(st, 0);
        *task_id = sqlite3_column_int64(st, 1);
        open = !strcmp((const char *)sqlite3_column_text(st, 2), "open");
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no allocation %lld", (long long)allocation_id);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "allocation lookup");
    if (!open || *task_id == 0) {
        *task_id = 0;
        return 0;
    }
    if ((st = db__stmt(db, q_to, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, *task_id);
    return step_i64(db, st, pick_bin_id, "task lookup", err);
}
