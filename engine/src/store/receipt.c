/*
 * receipt.c - receipts against an expected list (ASN).
 *
 * A receipt lists the units expected per item; receiving counts units on
 * it (wms_receipt_add, next to the stock booking) and closing it reports
 * each line as ok (within the tolerance), over, under or unexpected.  The
 * receipt tables never touch stock: the stock booking stays with
 * wms_stock_receive and its journal row.
 */
#include "store/db.h"
#include "store/catalog.h"
#include "store/ops.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_ref(const char *ref, wms_error *err)
{
    if (!catalog__valid_key(ref, WMS_REF_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "receipt reference '%.70s' must be 1 to %d characters without spaces",
                             ref ? ref : "", WMS_REF_MAX);
    return 0;
}

/* Finds receipt `ref`: its id and whether it is closed. */
static int receipt_find(wms_db *db, const char *ref, int64_t *id, int *closed, wms_error *err)
{
    static const char sql[] = "SELECT id, status = 'closed' FROM receipts WHERE ref = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, ref);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        *closed = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no receipt '%s'", ref);
    return rc == SQLITE_ROW ? 0 : db__fail(db, rc, err, "receipt lookup");
}

static int create__(wms_db *db, const char *ref, double tol, const wms_receipt_line *lines, int n,
                    wms_error *err)
{
    int64_t id;
    int closed, rc = receipt_find(db, ref, &id, &closed, NULL);
    if (rc == 0)
        return wms_error_set(err, WMS_EEXISTS, "receipt %s already exists", ref);
    if (rc != WMS_ENOT_FOUND)
        return receipt_find(db, ref, &id, &closed, err);
    static const char ins[] = "INSERT INTO receipts(ref, status, tolerance_pct, opened) "
                              "VALUES (?1, 'open', ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
    sqlite3_stmt *st = db__stmt(db, ins, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, ref);
    sqlite3_bind_double(st, 2, tol);
    if ((rc = db__exec_stmt(db, st, err, "store receipt")) < 0)
        return rc;
    id = sqlite3_last_insert_rowid(db->sql);
    static const char line[] = "INSERT INTO receipt_lines(receipt_id, item_id, expected, received) "
                               "VALUES (?1, ?2, ?3, 0) ON CONFLICT(receipt_id, item_id) "
                               "DO UPDATE SET expected = expected + excluded.expected";
    for (int i = 0; i < n; i++) {
        wms_item it;
        if (lines[i].expected < 0 || lines[i].expected > WMS_QTY_MAX)
            return wms_error_set(err, WMS_EBAD_QTY,
                                 "receipt line %d: expected quantity %lld is not between 0 and "
                                 "%lld",
                                 i + 1, (long long)lines[i].expected, (long long)WMS_QTY_MAX);
        if ((rc = wms_item_get(db, lines[i].sku, &it, err)) < 0) {
            if (rc == WMS_ENOT_FOUND)
                wms_error_set(err, rc, "receipt line %d: no item with SKU '%.64s'", i + 1,
                              lines[i].sku ? lines[i].sku : "");
            return rc;
        }
        if ((st = db__stmt(db, line, err)) == NULL)
            return err ? err->code : WMS_ESTORAGE;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, it.id);
        sqlite3_bind_int64(st, 3, lines[i].expected);
        if ((rc = db__exec_stmt(db, st, err, "store receipt line")) < 0)
            return rc;
    }
    static const char cnt[] = "SELECT count(*) FROM receipt_lines WHERE receipt_id = ?1";
    if ((st = db__stmt(db, cnt, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    int lines_n = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? lines_n : db__fail(db, rc, err, "receipt lines");
}

int wms_receipt_create(wms_db *db, const char *ref, double tolerance_pct,
                       const wms_receipt_line *lines, int n, wms_error *err)
{
    int rc;
    if ((rc = check_ref(ref, err)) < 0)
        return rc;
    if (!isfinite(tolerance_pct) || tolerance_pct < 0 || tolerance_pct > 100)
        return wms_error_set(err, WMS_EBAD_ARGS, "tolerance %.2f%% is not between 0 and 100",
                             isfinite(tolerance_pct) ? tolerance_pct : -1.0);
    if (n < 0 || (n > 0 && lines == NULL))
        return wms_error_set(err, WMS_EBAD_ARGS, "receipt lines missing");
    if (n > WMS_RECEIPT_LINES_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE, "a receipt may list at most %d lines, not %d",
                             WMS_RECEIPT_LINES_MAX, n);
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    return db__op_end(db, create__(db, ref, tolerance_pct, lines, n, err), err);
}

static int add__(wms_db *db, const char *ref, const char *sku, int64_t qty, wms_error *err)
{
    int64_t id;
    int closed, rc;
    wms_item it;
    if ((rc = receipt_find(db, ref, &id, &closed, err)) < 0)
        return rc;
    if (closed)
        return wms_error_set(err, WMS_ECLOSED,
                             "receipt %s is closed: nothing more can be received on it", ref);
    if ((rc = wms_item_get(db, sku, &it, err)) < 0)
        return rc;
    static const char upd[] = "UPDATE receipt_lines SET received = received + ?3 "
                              "WHERE receipt_id = ?1 AND item_id = ?2";
    sqlite3_stmt *st = db__stmt(db, upd, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, it.id);
    sqlite3_bind_int64(st, 3, qty);
    if ((rc = db__exec_stmt(db, st, err, "receipt line")) < 0)
        return rc;
    if (sqlite3_changes(db->sql) > 0)
        return 0;
    /* Not on the list: a new line expecting nothing. */
    static const char cnt[] = "SELECT count(*) FROM receipt_lines WHERE receipt_id = ?1";
    if ((st = db__stmt(db, cnt, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    int64_t have = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "receipt lines");
    if (have >= WMS_RECEIPT_LINES_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE, "receipt %s already has %d lines", ref,
                             WMS_RECEIPT_LINES_MAX);
    static const char ins[] = "INSERT INTO receipt_lines(receipt_id, item_id, expected, received) "
                              "VALUES (?1, ?2, 0, ?3)";
    if ((st = db__stmt(db, ins, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, it.id);
    sqlite3_bind_int64(st, 3, qty);
    return db__exec_stmt(db, st, err, "receipt line");
}

int wms_receipt_add(wms_db *db, const char *ref, const char *sku, int64_t qty, wms_error *err)
{
    int rc;
    if ((rc = check_ref(ref, err)) < 0)
        return rc;
    if (qty <= 0 || qty > WMS_QTY_MAX)
        return wms_error_set(err, WMS_EBAD_QTY, "quantity %lld is not between 1 and %lld",
                             (long long)qty, (long long)WMS_QTY_MAX);
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    return db__op_end(db, add__(db, ref, sku, qty, err), err);
}

/* A line's verdict: within tol percent of expected either way is ok. */
static const char *verdict(int64_t expected, int64_t received, double tol)
{
    if (expected == 0)
        return received == 0 ? "ok" : "unexpected";
    int64_t d = received - expected;
    int64_t ad = d < 0 ? -d : d;
    /* ad / expected <= tol / 100, without dividing; the tiny slack absorbs
     * rounding of tolerances such as 0.1 that doubles cannot hold exactly. */
    if ((double)ad * 100.0 <= (double)expected * tol * (1.0 + 1e-12))
        return "ok";
    return d > 0 ? "over" : "under";
}

/* Fills out with the receipt and its lines: lines that are not ok first,
 * then the ok ones, each by SKU, at most WMS_RECEIPT_REPORT_LINES. */
static int report(wms_db *db, const char *ref, wms_receipt_report *out, wms_error *err)
{
    static const char head[] =
        "SELECT id, ref, status, tolerance_pct, opened, coalesce(closed, '') "
        "FROM receipts WHERE ref = ?1";
    static const char body[] =
        "SELECT i.sku, l.expected, l.received FROM receipt_lines l "
        "JOIN items i ON i.id = l.item_id WHERE l.receipt_id = ?1 ORDER BY i.sku";
    sqlite3_stmt *st = db__stmt(db, head, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, ref);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return wms_error_set(err, WMS_ENOT_FOUND, "no receipt '%s'", ref);
        return db__fail(db, rc, err, "receipt lookup");
    }
    memset(out, 0, sizeof(*out));
    int64_t id = sqlite3_column_int64(st, 0);
    db__col_text(st, 1, out->ref, sizeof(out->ref));
    db__col_text(st, 2, out->status, sizeof(out->status));
    out->tolerance_pct = sqlite3_column_double(st, 3);
    db__col_text(st, 4, out->opened, sizeof(out->opened));
    db__col_text(st, 5, out->closed, sizeof(out->closed));
    sqlite3_reset(st);
    if ((st = db__stmt(db, body, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, id);
    /* Pass 0 takes the lines that are not ok (and counts), pass 1 the ok ones. */
    for (int pass = 0; pass < 2; pass++) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t e = sqlite3_column_int64(st, 1), r = sqlite3_column_int64(st, 2);
            const char *v = verdict(e, r, out->tolerance_pct);
            int ok = !strcmp(v, "ok");
            if (pass == 0) {
                out->lines++;
                out->expected_total += e;
                out->received_total += r;
                out->n_ok += ok;
                out->n_over += !strcmp(v, "over");
                out->n_under += !strcmp(v, "under");
                out->n_unexpected += !strcmp(v, "unexpected");
            }
            if (ok != pass || out->n >= WMS_RECEIPT_REPORT_LINES)
                continue;
            wms_receipt_report_line *l = &out->line[out->n++];
            db__col_text(st, 0, l->sku, sizeof(l->sku));
            l->expected = e;
            l->received = r;
            l->difference = r - e;
            snprintf(l->verdict, sizeof(l->verdict), "%s", v);
        }
        sqlite3_reset(st); /* keeps the binding for the second pass */
        if (rc != SQLITE_DONE)
            return db__fail(db, rc, err, "receipt lines");
    }
    return 0;
}

static int close__(wms_db *db, const char *ref, wms_receipt_report *out, wms_error *err)
{
    int64_t id;
    int closed, rc;
    if ((rc = receipt_find(db, ref, &id, &closed, err)) < 0)
        return rc;
    if (closed)
        return wms_error_set(err, WMS_ECLOSED, "receipt %s is already closed", ref);
    static const char upd[] = "UPDATE receipts SET status = 'closed', "
                              "closed = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1";
    sqlite3_stmt *st = db__stmt(db, upd, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = db__exec_stmt(db, st, err, "close receipt")) < 0)
        return rc;
    return out != NULL ? report(db, ref, out, err) : 0;
}

int wms_receipt_close(wms_db *db, const wms_actor *who, const char *ref, wms_receipt_report *out,
                      wms_error *err)
{
    int rc;
    if ((rc = check_ref(ref, err)) < 0)
        return rc;
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    return db__op_end(db, close__(db, ref, out, err), err);
}

int wms_receipt_get(wms_db *db, const char *ref, wms_receipt_report *out, wms_error *err)
{
    int rc;
    if (out == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no place for the report");
    if ((rc = check_ref(ref, err)) < 0)
        return rc;
    return report(db, ref, out, err);
}
