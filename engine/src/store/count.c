/*
 * count.c - blind cycle counts of one bin; picking goes on meanwhile.
 *
 * Life of a count: open (asked for) -> counting (handed to a user; the
 * newest journal id is stored as the count's start, journal_pos) -> done,
 * or pending_approval -> done (approved) / rejected (a new count opens).
 *
 * Reconciliation works per (item, lot) of the bin, over all statuses and
 * expiries (the counter sees goods, not statuses):
 *
 *   expected = on-hand now - (units moved into the bin - units moved out)
 *              by journal rows after journal_pos
 *
 * which is the on-hand at the count's start.  Only physical movements are
 * taken back out: bookkeeping corrections ('adjust', 'import') after the
 * start did not move goods, so they stay in the expectation (an approval
 * of an older count during this one is not counted twice).  A counter who
 * counts what was there at the start therefore never causes a difference,
 * however much was picked or received meanwhile.
 *
 * Differences are booked with stock__apply (kind 'adjust', reason "cycle
 * count N").  A shortfall is never booked below zero: if later movements
 * left less in the bin than the shortfall, only what is there is taken and
 * the line is marked capped (the rest of the error already left the bin
 * with those movements, e.g. a pick the system thought possible).
 */
#include "store/db.h"
#include "store/catalog.h"
#include "store/ops.h"
#include "store/stock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

/* A count's differences up to this are booked at once; above it (and
 * above 10% of the expected total) a supervisor must approve. */
#define COUNT_SMALL_UNITS 10

typedef struct centry {
    int64_t item_id;
    wms_count_result_line l;
} centry;

/* Working state: the lines of one count (heap: about 40 KiB). */
typedef struct cwork {
    int n;
    centry e[WMS_COUNT_LINES_MAX];
} cwork;

typedef struct count_row {
    int64_t id, journal_pos;
    char status[20];
    char assigned[65];
    wms_bin bin;
} count_row;

static cwork *work_new(wms_error *err)
{
    cwork *w = calloc(1, sizeof(*w));
    if (w == NULL)
        wms_error_set(err, WMS_ENOMEM, NULL);
    return w;
}

/* Index of the (item, lot) entry, added when absent; WMS_ETOO_LARGE when
 * the count would exceed WMS_COUNT_LINES_MAX lines. */
static int work_slot(cwork *w, int64_t item_id, const char *sku, const char *lot, wms_error *err)
{
    for (int i = 0; i < w->n; i++)
        if (w->e[i].item_id == item_id && !strcmp(w->e[i].l.lot, lot))
            return i;
    if (w->n >= WMS_COUNT_LINES_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE,
                             "a count may hold at most %d item/lot lines: count this bin in parts",
                             WMS_COUNT_LINES_MAX);
    centry *c = &w->e[w->n];
    memset(c, 0, sizeof(*c));
    c->item_id = item_id;
    snprintf(c->l.sku, sizeof(c->l.sku), "%s", sku);
    snprintf(c->l.lot, sizeof(c->l.lot), "%s", lot);
    return w->n++;
}

static int entry_cmp(const void *a, const void *b)
{
    const centry *x = a, *y = b;
    int c = strcmp(x->l.sku, y->l.sku);
    return c != 0 ? c : strcmp(x->l.lot, y->l.lot);
}

/* Copies the work lines and totals into out. */
static void result_fill(const cwork *w, const count_row *c, const char *status,
                        wms_count_result *out)
{
    memset(out, 0, sizeof(*out));
    out->count_id = c->id;
    snprintf(out->bin, sizeof(out->bin), "%s", c->bin.code);
    snprintf(out->status, sizeof(out->status), "%s", status);
    for (int i = 0; i < w->n; i++) {
        const wms_count_result_line *l = &w->e[i].l;
        int64_t d = l->counted - l->expected;
        out->line[out->n++] = *l;
        out->expected_total += l->expected;
        out->counted_total += l->counted;
        out->difference += d < 0 ? -d : d;
    }
}

static int count_load(wms_db *db, int64_t id, count_row *c, wms_error *err)
{
    static const char sql[] =
        "SELECT c.status, coalesce(c.assigned_to, ''), coalesce(c.journal_pos, 0), b.code "
        "FROM counts c JOIN bins b ON b.id = c.bin_id WHERE c.id = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    char bin[WMS_SKU_MAX + 1] = "";
    memset(c, 0, sizeof(*c));
    c->id = id;
    if (rc == SQLITE_ROW) {
        db__col_text(st, 0, c->status, sizeof(c->status));
        db__col_text(st, 1, c->assigned, sizeof(c->assigned));
        c->journal_pos = sqlite3_column_int64(st, 2);
        db__col_text(st, 3, bin, sizeof(bin));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no count %lld", (long long)id);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "count lookup");
    return wms_bin_get(db, bin, &c->bin, err);
}

/* The open or in-progress count of a bin, or a new open one.  Returns 1
 * when created, 0 when reused. */
static int create__(wms_db *db, const wms_bin *bin, const char *reason, int64_t *id, wms_error *err)
{
    static const char find[] = "SELECT id FROM counts WHERE bin_id = ?1 AND "
                               "status IN ('open', 'counting') ORDER BY id LIMIT 1";
    sqlite3_stmt *st = db__stmt(db, find, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, bin->id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "count lookup");
    static const char ins[] = "INSERT INTO counts(bin_id, status, reason, created) "
                              "VALUES (?1, 'open', ?2, " NOW_SQL ")";
    if ((st = db__stmt(db, ins, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, bin->id);
    db__bind_text(st, 2, reason);
    if ((rc = db__exec_stmt(db, st, err, "store count")) < 0)
        return rc;
    *id = sqlite3_last_insert_rowid(db->sql);
    return 1;
}

static int create_op(wms_db *db, const char *bincode, const char *reason, int64_t *id,
                     wms_error *err)
{
    wms_bin bin;
    int rc = wms_bin_get(db, bincode, &bin, err);
    if (rc == WMS_ENOT_FOUND)
        return wms_error_set(err, rc, "bin '%.64s' does not exist", bincode ? bincode : "");
    if (rc < 0)
        return rc;
    return create__(db, &bin, reason, id, err);
}

int wms_count_create(wms_db *db, const char *bin, const char *reason, int64_t *count_id,
                     wms_error *err)
{
    int64_t id = 0;
    if (!catalog__valid_text(reason, WMS_COUNT_REASON_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "the reason must be text of at most %d bytes",
                             WMS_COUNT_REASON_MAX);
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = db__op_end(db, create_op(db, bin, reason, &id, err), err);
    if (rc >= 0 && count_id != NULL)
        *count_id = id;
    return rc;
}

static int check_user(const wms_actor *who, wms_error *err)
{
    if (who == NULL || who->user == NULL || who->user[0] == '\0')
        return wms_error_set(err, WMS_ENOT_LOGGED_IN, "log in first: a count belongs to a user");
    if (strlen(who->user) > 64)
        return wms_error_set(err, WMS_EBAD_ARGS, "user name too long");
    return 0;
}

static int next__(wms_db *db, const char *user, wms_count_task *out, wms_error *err)
{
    static const char pick[] =
        "SELECT c.id, b.code, b.zone, b.aisle, c.reason, c.status = 'counting' "
        "FROM counts c JOIN bins b ON b.id = c.bin_id "
        "WHERE c.status = 'open' OR (c.status = 'counting' AND c.assigned_to = ?1) "
        "ORDER BY c.status <> 'counting', c.id LIMIT 1";
    static const char pos[] = "SELECT coalesce(max(id), 0) FROM journal";
    static const char upd[] = "UPDATE counts SET status = 'counting', assigned_to = ?2, "
                              "journal_pos = ?3 WHERE id = ?1";
    sqlite3_stmt *st = db__stmt(db, pick, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, user);
    int rc = sqlite3_step(st);
    wms_count_task t;
    memset(&t, 0, sizeof(t));
    if (rc == SQLITE_ROW) {
        t.id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, t.bin, sizeof(t.bin));
        db__col_text(st, 2, t.zone, sizeof(t.zone));
        db__col_text(st, 3, t.aisle, sizeof(t.aisle));
        db__col_text(st, 4, t.reason, sizeof(t.reason));
        t.resumed = sqlite3_column_int(st, 5);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "nothing to count");
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "next count");
    if ((st = db__stmt(db, pos, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    rc = sqlite3_step(st);
    int64_t start = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "journal position");
    if ((st = db__stmt(db, upd, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, t.id);
    db__bind_text(st, 2, user);
    sqlite3_bind_int64(st, 3, start);
    if ((rc = db__exec_stmt(db, st, err, "start count")) < 0)
        return rc;
    if (out != NULL)
        *out = t;
    return 0;
}

int wms_count_next(wms_db *db, const wms_actor *who, wms_count_task *out, wms_error *err)
{
    int rc = check_user(who, err);
    if (rc < 0)
        return rc;
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    return db__op_end(db, next__(db, who->user, out, err), err);
}

/* The expiry to book found units of (item, lot) with: that of the lot in
 * this bin, else (for a real lot) elsewhere in stock, else as last
 * journaled; "" when unknown. */
static int lot_expiry(wms_db *db, int64_t bin_id, int64_t item_id, const char *lot, char *out,
                      size_t n, wms_error *err)
{
    static const char in_stock[] =
        "SELECT expiry FROM stock WHERE item_id = ?1 AND lot = ?2 AND (?4 OR bin_id = ?3) "
        "ORDER BY bin_id <> ?3, status <> 'available', qty DESC, expiry LIMIT 1";
    static const char in_journal[] =
        "SELECT expiry FROM journal WHERE item_id = ?1 AND lot = ?2 ORDER BY id DESC LIMIT 1";
    out[0] = '\0';
    for (int step = 0; step < 2; step++) {
        if (step == 1 && lot[0] == '\0')
            break;
        sqlite3_stmt *st = db__stmt(db, step == 0 ? in_stock : in_journal, err);
        if (st == NULL)
            return err ? err->code : WMS_ESTORAGE;
        sqlite3_bind_int64(st, 1, item_id);
        db__bind_text(st, 2, lot);
        if (step == 0) {
            sqlite3_bind_int64(st, 3, bin_id);
            sqlite3_bind_int(st, 4, lot[0] != '\0');
        }
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            db__col_text(st, 0, out, n);
        sqlite3_reset(st);
        if (rc == SQLITE_ROW)
            return 0;
        if (rc != SQLITE_DONE)
            return db__fail(db, rc, err, "lot expiry");
    }
    return 0;
}

/* Books one line's difference (see the header comment); sets adjusted and
 * capped. */
static int adjust(wms_db *db, const wms_actor *who, const wms_bin *bin, int64_t count_id, centry *e,
                  wms_error *err)
{
    static const char q[] =
        "SELECT expiry, status, qty FROM stock WHERE bin_id = ?1 AND item_id = ?2 AND lot = ?3 "
        "AND qty > 0 ORDER BY CASE status WHEN 'available' THEN 0 WHEN 'hold' THEN 1 ELSE 2 END, "
        "expiry = '', expiry LIMIT 1";
    char reason[48];
    snprintf(reason, sizeof(reason), "cycle count %lld", (long long)count_id);
    wms_count_result_line *l = &e->l;
    int64_t d = l->counted - l->expected;
    int rc;
    l->adjusted = 0;
    l->capped = 0;
    if (d > 0) {
        stock_move in = {.kind = "adjust",
                         .item_id = e->item_id,
                         .lot = l->lot,
                         .expiry = l->expiry,
                         .to = bin,
                         .to_status = strcmp(bin->type, "quarantine") ? "available" : "quarantine",
                         .qty = d,
                         .reason = reason,
                         .ignore_capacity = 1};
        if ((rc = stock__apply(db, who, &in, NULL, err)) < 0)
            return rc;
        l->adjusted = d;
        return 0;
    }
    /* Each pass takes a whole quant or the rest of the shortfall. */
    int64_t need = -d;
    while (need > 0) {
        sqlite3_stmt *st = db__stmt(db, q, err);
        if (st == NULL)
            return err ? err->code : WMS_ESTORAGE;
        sqlite3_bind_int64(st, 1, bin->id);
        sqlite3_bind_int64(st, 2, e->item_id);
        db__bind_text(st, 3, l->lot);
        rc = sqlite3_step(st);
        char expiry[11] = "", status[12] = "";
        int64_t have = 0;
        if (rc == SQLITE_ROW) {
            db__col_text(st, 0, expiry, sizeof(expiry));
            db__col_text(st, 1, status, sizeof(status));
            have = sqlite3_column_int64(st, 2);
        }
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW)
            return db__fail(db, rc, err, "count adjustment");
        stock_move out = {.kind = "adjust",
                          .item_id = e->item_id,
                          .lot = l->lot,
                          .expiry = expiry,
                          .from = bin,
                          .from_status = status,
                          .qty = have < need ? have : need,
                          .reason = reason};
        if ((rc = stock__apply(db, who, &out, NULL, err)) < 0)
            return rc;
        need -= out.qty;
        l->adjusted -= out.qty;
    }
    l->capped = need > 0;
    return 0;
}

static int set_status(wms_db *db, int64_t id, const char *status, int submitted, wms_error *err)
{
    static const char plain[] = "UPDATE counts SET status = ?2 WHERE id = ?1";
    static const char sub[] =
        "UPDATE counts SET status = ?2, submitted = " NOW_SQL " WHERE id = ?1";
    sqlite3_stmt *st = db__stmt(db, submitted ? sub : plain, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, id);
    db__bind_text(st, 2, status);
    return db__exec_stmt(db, st, err, "count status");
}

/* Adds the counted lines to w (summing duplicates). */
static int take_lines(wms_db *db, const wms_count_line *lines, int n, cwork *w, wms_error *err)
{
    for (int i = 0; i < n; i++) {
        wms_item it;
        const char *lot = lines[i].lot ? lines[i].lot : "";
        int rc = wms_item_get(db, lines[i].sku, &it, err);
        if (rc == WMS_ENOT_FOUND)
            return wms_error_set(err, rc, "line %d: no item with SKU '%.64s'", i + 1,
                                 lines[i].sku ? lines[i].sku : "");
        if (rc < 0)
            return rc;
        if (!stock__valid_lot(lot))
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "line %d: lot '%.30s' is too long or has "
                                 "spaces",
                                 i + 1, lot);
        if (lines[i].qty < 0 || lines[i].qty > WMS_QTY_MAX)
            return wms_error_set(err, WMS_EBAD_QTY,
                                 "line %d: counted quantity %lld is not between 0 and %lld", i + 1,
                                 (long long)lines[i].qty, (long long)WMS_QTY_MAX);
        int k = work_slot(w, it.id, it.sku, lot, err);
        if (k < 0)
            return k;
        if (w->e[k].l.counted + lines[i].qty > WMS_QTY_MAX)
            return wms_error_set(err, WMS_EBAD_QTY,
                                 "line %d: %s lot '%s' adds up to more than "
                                 "%lld units",
                                 i + 1, it.sku, lot, (long long)WMS_QTY_MAX);
        w->e[k].l.counted += lines[i].qty;
    }
    return 0;
}

/* Sets each (item, lot)'s expected quantity at the count's start. */
static int take_expected(wms_db *db, const count_row *c, cwork *w, wms_error *err)
{
    static const char sql[] =
        "SELECT t.item_id, i.sku, t.lot, sum(t.cur) - sum(t.net) FROM ("
        "  SELECT item_id, lot, qty AS cur, 0 AS net FROM stock WHERE bin_id = ?1 "
        "  UNION ALL "
        "  SELECT item_id, lot, 0, (CASE WHEN to_bin_id = ?1 THEN qty ELSE 0 END) - "
        "    (CASE WHEN from_bin_id = ?1 THEN qty ELSE 0 END) FROM journal "
        "  WHERE id > ?2 AND (to_bin_id = ?1 OR from_bin_id = ?1) "
        "  AND kind NOT IN ('adjust', 'import')"
        ") t JOIN items i ON i.id = t.item_id GROUP BY t.item_id, t.lot";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, c->bin.id);
    sqlite3_bind_int64(st, 2, c->journal_pos);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char sku[WMS_SKU_MAX + 1], lot[WMS_LOT_MAX + 1];
        db__col_text(st, 1, sku, sizeof(sku));
        db__col_text(st, 2, lot, sizeof(lot));
        int64_t e = sqlite3_column_int64(st, 3);
        if (e <= 0) /* nothing there at the start (never negative in a sound journal) */
            continue;
        int k = work_slot(w, sqlite3_column_int64(st, 0), sku, lot, err);
        if (k < 0) {
            sqlite3_reset(st);
            return k;
        }
        w->e[k].l.expected = e;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "count expectation");
}

static int store_lines(wms_db *db, int64_t count_id, const cwork *w, wms_error *err)
{
    static const char ins[] =
        "INSERT INTO count_lines(count_id, item_id, lot, expiry, expected, counted) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    for (int i = 0; i < w->n; i++) {
        sqlite3_stmt *st = db__stmt(db, ins, err);
        if (st == NULL)
            return err ? err->code : WMS_ESTORAGE;
        sqlite3_bind_int64(st, 1, count_id);
        sqlite3_bind_int64(st, 2, w->e[i].item_id);
        db__bind_text(st, 3, w->e[i].l.lot);
        db__bind_text(st, 4, w->e[i].l.expiry);
        sqlite3_bind_int64(st, 5, w->e[i].l.expected);
        sqlite3_bind_int64(st, 6, w->e[i].l.counted);
        int rc = db__exec_stmt(db, st, err, "store count line");
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int submit__(wms_db *db, const wms_actor *who, int64_t id, const wms_count_line *lines,
                    int n, cwork *w, wms_count_result *out, wms_error *err)
{
    count_row c;
    int rc = count_load(db, id, &c, err);
    if (rc < 0)
        return rc;
    if (strcmp(c.status, "counting")) {
        const char *why = !strcmp(c.status, "open")               ? "has not been started"
                          : !strcmp(c.status, "pending_approval") ? "is waiting for approval"
                          : !strcmp(c.status, "rejected")         ? "was rejected"
                                                                  : "is already done";
        return wms_error_set(err, WMS_ECLOSED, "count %lld of bin %s %s", (long long)id, c.bin.code,
                             why);
    }
    if (strcmp(c.assigned, who->user))
        return wms_error_set(err, WMS_EFORBIDDEN, "count %lld of bin %s is being counted by %s",
                             (long long)id, c.bin.code, c.assigned);
    if ((rc = take_lines(db, lines, n, w, err)) < 0 || (rc = take_expected(db, &c, w, err)) < 0)
        return rc;
    /* Drop lines with nothing expected and nothing counted. */
    int m = 0;
    for (int i = 0; i < w->n; i++)
        if (w->e[i].l.expected != 0 || w->e[i].l.counted != 0)
            w->e[m++] = w->e[i];
    w->n = m;
    qsort(w->e, (size_t)w->n, sizeof(w->e[0]), entry_cmp);
    int64_t expected = 0, diff = 0;
    for (int i = 0; i < w->n; i++) {
        centry *e = &w->e[i];
        if ((rc = lot_expiry(db, c.bin.id, e->item_id, e->l.lot, e->l.expiry, sizeof(e->l.expiry),
                             err)) < 0)
            return rc;
        int64_t d = e->l.counted - e->l.expected;
        expected += e->l.expected;
        diff += d < 0 ? -d : d;
    }
    int large = diff > COUNT_SMALL_UNITS && diff * 10 > expected;
    const char *status = large ? "pending_approval" : "done";
    if ((rc = store_lines(db, id, w, err)) < 0 || (rc = set_status(db, id, status, 1, err)) < 0)
        return rc;
    for (int i = 0; !large && i < w->n; i++)
        if ((rc = adjust(db, who, &c.bin, id, &w->e[i], err)) < 0)
            return rc;
    if (out != NULL)
        result_fill(w, &c, status, out);
    return 0;
}

int wms_count_submit(wms_db *db, const wms_actor *who, int64_t count_id,
                     const wms_count_line *lines, int n, wms_count_result *out, wms_error *err)
{
    int rc = check_user(who, err);
    if (rc < 0)
        return rc;
    if (n < 0 || (n > 0 && lines == NULL))
        return wms_error_set(err, WMS_EBAD_ARGS, "count lines missing");
    if (n > WMS_COUNT_LINES_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE, "a count may list at most %d lines, not %d",
                             WMS_COUNT_LINES_MAX, n);
    cwork *w = work_new(err);
    if (w == NULL)
        return WMS_ENOMEM;
    if ((rc = db__op_begin(db, err)) >= 0)
        rc = db__op_end(db, submit__(db, who, count_id, lines, n, w, out, err), err);
    free(w);
    return rc;
}

/* Reads a count's stored lines into w. */
static int load_lines(wms_db *db, int64_t id, cwork *w, wms_error *err)
{
    static const char sql[] =
        "SELECT l.item_id, i.sku, l.lot, l.expiry, l.expected, l.counted FROM count_lines l "
        "JOIN items i ON i.id = l.item_id WHERE l.count_id = ?1 ORDER BY i.sku, l.lot";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, id);
    int rc;
    w->n = 0;
    while (w->n < WMS_COUNT_LINES_MAX && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        centry *e = &w->e[w->n++];
        memset(e, 0, sizeof(*e));
        e->item_id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, e->l.sku, sizeof(e->l.sku));
        db__col_text(st, 2, e->l.lot, sizeof(e->l.lot));
        db__col_text(st, 3, e->l.expiry, sizeof(e->l.expiry));
        e->l.expected = sqlite3_column_int64(st, 4);
        e->l.counted = sqlite3_column_int64(st, 5);
    }
    if (w->n == WMS_COUNT_LINES_MAX)
        rc = SQLITE_DONE; /* submit never stores more */
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "count lines");
}

static int approve__(wms_db *db, const wms_actor *who, int64_t id, int approve, cwork *w,
                     wms_count_result *out, wms_error *err)
{
    count_row c;
    int rc = count_load(db, id, &c, err);
    if (rc < 0)
        return rc;
    if (strcmp(c.status, "pending_approval"))
        return wms_error_set(err, WMS_ECLOSED, "count %lld of bin %s is %s: nothing to approve",
                             (long long)id, c.bin.code, c.status);
    if ((rc = load_lines(db, id, w, err)) < 0)
        return rc;
    int64_t recount = 0;
    if (approve) {
        /* A later finished count of the bin already corrected its stock:
         * booking this one as well would count the error twice. */
        static const char later[] = "SELECT id FROM counts WHERE bin_id = ?1 AND id > ?2 AND "
                                    "status IN ('done', 'pending_approval') ORDER BY id LIMIT 1";
        sqlite3_stmt *st = db__stmt(db, later, err);
        if (st == NULL)
            return err ? err->code : WMS_ESTORAGE;
        sqlite3_bind_int64(st, 1, c.bin.id);
        sqlite3_bind_int64(st, 2, id);
        rc = sqlite3_step(st);
        int64_t other = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (rc == SQLITE_ROW)
            return wms_error_set(err, WMS_ECONFLICT,
                                 "bin %s was counted again afterwards (count %lld): reject count "
                                 "%lld",
                                 c.bin.code, (long long)other, (long long)id);
        if (rc != SQLITE_DONE)
            return db__fail(db, rc, err, "count lookup");
        for (int i = 0; i < w->n; i++)
            if ((rc = adjust(db, who, &c.bin, id, &w->e[i], err)) < 0)
                return rc;
        if ((rc = set_status(db, id, "done", 0, err)) < 0)
            return rc;
    } else {
        char reason[WMS_COUNT_REASON_MAX + 1];
        snprintf(reason, sizeof(reason), "recount: count %lld was rejected", (long long)id);
        if ((rc = set_status(db, id, "rejected", 0, err)) < 0 ||
            (rc = create__(db, &c.bin, reason, &recount, err)) < 0)
            return rc;
    }
    if (out != NULL) {
        result_fill(w, &c, approve ? "done" : "rejected", out);
        out->recount_id = recount;
    }
    return 0;
}

int wms_count_approve(wms_db *db, const wms_actor *who, int64_t count_id, int approve,
                      wms_count_result *out, wms_error *err)
{
    cwork *w = work_new(err);
    if (w == NULL)
        return WMS_ENOMEM;
    int rc = db__op_begin(db, err);
    if (rc >= 0)
        rc = db__op_end(db, approve__(db, who, count_id, approve, w, out, err), err);
    free(w);
    return rc;
}

/* Units booked for count `id` on (item, lot), from the journal. */
static int booked(wms_db *db, int64_t id, const centry *e, int64_t *out, wms_error *err)
{
    static const char sql[] =
        "SELECT coalesce(sum(CASE WHEN to_bin_id IS NOT NULL THEN qty ELSE -qty END), 0) "
        "FROM journal WHERE item_id = ?1 AND kind = 'adjust' AND lot = ?2 AND reason = ?3";
    char reason[48];
    snprintf(reason, sizeof(reason), "cycle count %lld", (long long)id);
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, e->item_id);
    db__bind_text(st, 2, e->l.lot);
    db__bind_text(st, 3, reason);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db__fail(db, rc, err, "count bookings");
}

int wms_count_get(wms_db *db, int64_t count_id, wms_count_result *out, wms_error *err)
{
    count_row c;
    if (out == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no place for the count");
    cwork *w = work_new(err);
    if (w == NULL)
        return WMS_ENOMEM;
    int rc = count_load(db, count_id, &c, err);
    if (rc >= 0)
        rc = load_lines(db, count_id, w, err);
    for (int i = 0; rc >= 0 && i < w->n; i++) {
        centry *e = &w->e[i];
        if (strcmp(c.status, "done"))
            continue;
        rc = booked(db, count_id, e, &e->l.adjusted, err);
        e->l.capped = e->l.adjusted != e->l.counted - e->l.expected;
    }
    if (rc >= 0)
        result_fill(w, &c, c.status, out);
    free(w);
    return rc < 0 ? rc : 0;
}

int wms_count_list(wms_db *db, const char *status, int (*cb)(void *, const wms_count_info *),
                   void *ctx, wms_error *err)
{
    static const char sql[] =
        "SELECT c.id, b.code, c.status, c.reason, c.created, coalesce(c.assigned_to, ''), "
        "coalesce(c.submitted, '') FROM counts c JOIN bins b ON b.id = c.bin_id "
        "WHERE ?1 IS NULL OR c.status = ?1 ORDER BY c.id";
    if (status != NULL && strcmp(status, "open") && strcmp(status, "counting") &&
        strcmp(status, "pending_approval") && strcmp(status, "done") && strcmp(status, "rejected"))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "status '%.20s' is not open, counting, pending_approval, done or "
                             "rejected",
                             status);
    if (cb == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no callback for the count list");
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    if (status != NULL)
        db__bind_text(st, 1, status);
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        wms_count_info ci;
        memset(&ci, 0, sizeof(ci));
        ci.id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, ci.bin, sizeof(ci.bin));
        db__col_text(st, 2, ci.status, sizeof(ci.status));
        db__col_text(st, 3, ci.reason, sizeof(ci.reason));
        db__col_text(st, 4, ci.created, sizeof(ci.created));
        db__col_text(st, 5, ci.assigned_to, sizeof(ci.assigned_to));
        db__col_text(st, 6, ci.submitted, sizeof(ci.submitted));
        n++;
        if (cb(ctx, &ci) != 0)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db__fail(db, rc, err, "count list");
    return n;
}
