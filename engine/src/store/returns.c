/* returns.c - customer returns (see returns.h). */
#include "store/returns.h"
#include "store/db.h"
#include "store/events.h"
#include "store/pack.h"
#include "store/stock.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

/* Units of item shipped on order (cartons shipped), and in its returns'
 * lines (all returns of the order but written-off ones). */
static const char shipped_sql[] =
    "SELECT coalesce(sum(cl.qty), 0) FROM carton_lines cl JOIN cartons c ON c.id = cl.carton_id "
    "JOIN picks p ON p.id = cl.pick_id WHERE c.order_id = ?1 AND c.status = 'shipped' "
    "AND p.item_id = ?2";
static const char returned_sql[] =
    "SELECT coalesce(sum(l.qty), 0) FROM return_lines l JOIN returns r ON r.id = l.return_id "
    "WHERE r.order_id = ?1 AND r.status <> 'written_off' AND l.item_id = ?2";

/* ------------------------------------------------------------------------ */
/* Reading                                                                  */
/* ------------------------------------------------------------------------ */

static int load_lines(wms_db *db, wms_return_info *out, wms_error *err)
{
    static const char sql[] =
        "SELECT l.id, i.sku, l.lot, l.expiry, l.serial, l.qty, coalesce(l.grade, ''), "
        "coalesce(b.code, ''), l.reason, coalesce(b.type, '') FROM return_lines l "
        "JOIN items i ON i.id = l.item_id "
        "LEFT JOIN bins b ON b.id = l.bin_id WHERE l.return_id = ?1 ORDER BY l.id";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, out->id);
    int rc;
    out->n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->n < WMS_RETURN_LINES_MAX) {
        wms_return_line *l = &out->line[out->n++];
        memset(l, 0, sizeof(*l));
        l->id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, l->sku, sizeof(l->sku));
        db__col_text(st, 2, l->lot, sizeof(l->lot));
        db__col_text(st, 3, l->expiry, sizeof(l->expiry));
        db__col_text(st, 4, l->serial, sizeof(l->serial));
        l->qty = sqlite3_column_int64(st, 5);
        db__col_text(st, 6, l->grade, sizeof(l->grade));
        db__col_text(st, 7, l->bin, sizeof(l->bin));
        db__col_text(st, 8, l->reason, sizeof(l->reason));
        char type[16];
        db__col_text(st, 9, type, sizeof(type));
        if (!strcmp(l->grade, "scrap"))
            snprintf(l->status, sizeof(l->status), "scrapped");
        else if (l->grade[0])
            snprintf(l->status, sizeof(l->status), "%s",
                     !strcmp(type, "quarantine") ? "quarantine" : "available");
    }
    sqlite3_reset(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : db__fail(db, rc, err, "return lines");
}

/* What was shipped and returned of each item of the order. */
static int load_items(wms_db *db, int64_t order_id, wms_return_info *out, wms_error *err)
{
    static const char sql[] =
        "SELECT i.sku, sum(cl.qty), (SELECT coalesce(sum(l.qty), 0) FROM return_lines l JOIN "
        "returns r ON r.id = l.return_id WHERE r.order_id = ?1 AND r.status <> 'written_off' "
        "AND l.item_id = p.item_id) FROM carton_lines cl JOIN cartons c ON c.id = cl.carton_id "
        "JOIN picks p ON p.id = cl.pick_id JOIN items i ON i.id = p.item_id "
        "WHERE c.order_id = ?1 AND c.status = 'shipped' GROUP BY p.item_id ORDER BY i.sku";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    int rc;
    out->nitems = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->nitems < WMS_RETURN_LINES_MAX) {
        wms_return_item *it = &out->item[out->nitems++];
        db__col_text(st, 0, it->sku, sizeof(it->sku));
        it->shipped = sqlite3_column_int64(st, 1);
        it->returned = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : db__fail(db, rc, err, "shipped items");
}

/* Loads the return's header; *order_id its order (0 = unknown). */
static int load_head(wms_db *db, int64_t id, wms_return_info *out, int64_t *order_id,
                     wms_error *err)
{
    static const char sql[] =
        "SELECT r.id, coalesce(o.ref, ''), r.kind, r.status, r.reference, r.opened, "
        "coalesce(r.closed, ''), coalesce(r.order_id, 0) FROM returns r "
        "LEFT JOIN orders o ON o.id = r.order_id WHERE r.id = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, out->order, sizeof(out->order));
        db__col_text(st, 2, out->kind, sizeof(out->kind));
        db__col_text(st, 3, out->status, sizeof(out->status));
        db__col_text(st, 4, out->reference, sizeof(out->reference));
        db__col_text(st, 5, out->opened, sizeof(out->opened));
        db__col_text(st, 6, out->closed, sizeof(out->closed));
        *order_id = sqlite3_column_int64(st, 7);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no return %lld", (long long)id);
    return rc == SQLITE_ROW ? 0 : db__fail(db, rc, err, "return");
}

/* What the writers check before they change a return. */
typedef struct return_state {
    char status[12], kind[8];
    int64_t order_id; /* 0 = unknown */
} return_state;

static int state_of(wms_db *db, int64_t id, return_state *r, wms_error *err)
{
    static const char sql[] =
        "SELECT status, kind, coalesce(order_id, 0) FROM returns WHERE id = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        db__col_text(st, 0, r->status, sizeof(r->status));
        db__col_text(st, 1, r->kind, sizeof(r->kind));
        r->order_id = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no return %lld", (long long)id);
    return rc == SQLITE_ROW ? 0 : db__fail(db, rc, err, "return");
}

int wms_return_get(wms_db *db, int64_t return_id, wms_return_info *out, wms_error *err)
{
    int64_t order_id;
    int rc = load_head(db, return_id, out, &order_id, err);
    if (rc == 0)
        rc = load_lines(db, out, err);
    if (rc == 0 && order_id > 0)
        rc = load_items(db, order_id, out, err);
    return rc;
}

int wms_return_list(wms_db *db, const char *status, int (*cb)(void *, const wms_return_info *),
                    void *ctx, wms_error *err)
{
    static const char sql[] =
        "SELECT id FROM returns WHERE (?1 = '' OR status = ?1) AND id < ?2 ORDER BY id DESC "
        "LIMIT 1";
    wms_return_info *info = malloc(sizeof(*info));
    if (info == NULL)
        return wms_error_set(err, WMS_ENOMEM, NULL);
    int n = 0, rc = 0;
    int64_t id = INT64_MAX; /* the next one is older than the last one shown */
    for (;;) {
        sqlite3_stmt *st = db__stmt(db, sql, err);
        if (st == NULL) {
            rc = err->code;
            break;
        }
        db__bind_text(st, 1, status ? status : "");
        sqlite3_bind_int64(st, 2, id);
        rc = sqlite3_step(st);
        id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (rc == SQLITE_DONE) {
            rc = 0;
            break;
        }
        if (rc != SQLITE_ROW) {
            rc = db__fail(db, rc, err, "returns");
            break;
        }
        if ((rc = wms_return_get(db, id, info, err)) < 0)
            break;
        n++;
        if (cb(ctx, info))
            break;
    }
    free(info);
    return rc < 0 ? rc : n;
}

/* ------------------------------------------------------------------------ */
/* Open                                                                     */
/* ------------------------------------------------------------------------ */

static int open__(wms_db *db, const wms_actor *who, const char *sscc, const char *order,
                  int unknown, const char *reference, wms_return_info *out, wms_error *err)
{
    static const char q_sscc[] = "SELECT c.order_id, c.status FROM cartons c WHERE c.sscc = ?1";
    static const char q_order[] = "SELECT id, status FROM orders WHERE ref = ?1";
    static const char q_shipped[] =
        "SELECT count(*) FROM cartons WHERE order_id = ?1 AND status = 'shipped'";
    static const char ins[] =
        "INSERT INTO returns(order_id, kind, status, opened_by, reference, "
        "user, device, opened) VALUES (?1, ?2, 'open', ?3, ?4, ?5, ?6, " NOW_SQL ")";
    int64_t order_id = 0;
    const char *by = "unknown";
    int rc;
    if (!unknown) {
        int by_sscc = sscc != NULL && sscc[0] != '\0';
        sqlite3_stmt *st = db__stmt(db, by_sscc ? q_sscc : q_order, err);
        if (st == NULL)
            return err->code;
        db__bind_text(st, 1, by_sscc ? sscc : order);
        rc = sqlite3_step(st);
        char status[16] = "";
        if (rc == SQLITE_ROW) {
            order_id = sqlite3_column_int64(st, 0);
            db__col_text(st, 1, status, sizeof(status));
        }
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return wms_error_set(err, WMS_ENOT_FOUND,
                                 by_sscc ? "no carton with SSCC %s: open an unknown return"
                                         : "no order %s: open an unknown return",
                                 by_sscc ? sscc : order);
        if (rc != SQLITE_ROW)
            return db__fail(db, rc, err, "return source");
        if (!strcmp(status, "cancelled"))
            return wms_error_set(err, WMS_ECONFLICT, "order %s was cancelled: nothing was shipped",
                                 by_sscc ? sscc : order);
        int64_t n;
        if ((rc = db__q1(db, q_shipped, order_id, &n, err)) < 0)
            return rc;
        if (n == 0)
            return wms_error_set(err, WMS_ECONFLICT, "%s %s was never shipped",
                                 by_sscc ? "carton" : "order", by_sscc ? sscc : order);
        by = by_sscc ? "sscc" : "order";
    }
    sqlite3_stmt *st = db__stmt(db, ins, err);
    if (st == NULL)
        return err->code;
    if (order_id > 0)
        sqlite3_bind_int64(st, 1, order_id);
    db__bind_text(st, 2, unknown ? "unknown" : "order");
    db__bind_text(st, 3, by);
    db__bind_text(st, 4, reference ? reference : (sscc ? sscc : ""));
    db__bind_text(st, 5, who->user);
    db__bind_text(st, 6, who->device);
    if ((rc = db__exec_stmt(db, st, err, "open return")) < 0)
        return rc;
    return wms_return_get(db, sqlite3_last_insert_rowid(db->sql), out, err);
}

int wms_return_open(wms_db *db, const wms_actor *who, const char *sscc, const char *order,
                    int unknown, const char *reference, wms_return_info *out, wms_error *err)
{
    if (!unknown && (sscc == NULL || !sscc[0]) && (order == NULL || !order[0]))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "scan the carton's SSCC or the return label (order), or open an "
                             "unknown return");
    if (reference != NULL && strlen(reference) > 64)
        return wms_error_set(err, WMS_EBAD_ARGS, "reference: at most 64 bytes");
    char norm[19];
    if (!unknown && sscc != NULL && sscc[0]) {
        if (wms_sscc_normalize(sscc, norm, err) < 0)
            return err->code;
        sscc = norm;
    }
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = open__(db, who, sscc, order, unknown, reference, out, err);
    return db__op_end(db, rc, err);
}

/* ------------------------------------------------------------------------ */
/* Scan                                                                     */
/* ------------------------------------------------------------------------ */

/* Checks units more of item on order_id against what was shipped. */
static int check_on_order(wms_db *db, int64_t order_id, int64_t item, const char *sku,
                          int64_t units, wms_error *err)
{
    int64_t shipped, returned;
    int rc;
    if ((rc = db__q2(db, shipped_sql, order_id, item, &shipped, err)) < 0 ||
        (rc = db__q2(db, returned_sql, order_id, item, &returned, err)) < 0)
        return rc;
    if (shipped == 0)
        return wms_error_set(err, WMS_ENOT_ON_ORDER,
                             "%s was not shipped on this order: put it "
                             "aside for a supervisor",
                             sku);
    if (returned + units > shipped)
        return wms_error_set(err, WMS_ERETURN_EXCEEDS_SHIPPED,
                             "%lld x %s shipped, %lld already back: %lld more cannot come back",
                             (long long)shipped, sku, (long long)returned, (long long)units);
    return 0;
}

static int scan__(wms_db *db, const wms_return_scan_in *in, wms_return_line *out, wms_error *err)
{
    static const char ins[] = "INSERT INTO return_lines(return_id, item_id, lot, expiry, serial, "
                              "qty) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    return_state h;
    int rc = state_of(db, in->return_id, &h, err);
    int64_t order_id = h.order_id;
    if (rc < 0)
        return rc;
    if (strcmp(h.status, "open"))
        return wms_error_set(err, WMS_ECLOSED, "return %lld is closed", (long long)in->return_id);
    wms_resolution r;
    if ((rc = wms_code_resolve(db, in->code, in->gs_sub, &r, err)) < 0)
        return rc;
    if (r.kind != WMS_CODE_ITEM)
        return wms_error_set(err, WMS_EUNKNOWN_CODE, "that is not an item: scan the item");
    int k = wms_resolution_pick(&r, in->sku, err);
    if (k < 0)
        return k;
    const char *lot = r.lot[0] ? r.lot : (in->lot ? in->lot : "");
    const char *expiry = r.expiry[0] ? r.expiry : (in->expiry ? in->expiry : "");
    const char *serial = r.serial[0] ? r.serial : (in->serial ? in->serial : "");
    if (!stock__valid_lot(lot) || strlen(serial) > 20)
        return wms_error_set(err, WMS_EBAD_ARGS, "lot or serial is not valid");
    if (expiry[0] && (strlen(expiry) != 10 || expiry[4] != '-' || expiry[7] != '-'))
        return wms_error_set(err, WMS_EBAD_ARGS, "expiry: YYYY-MM-DD");
    int64_t per = r.m[k].units * (r.count > 0 ? r.count : 1);
    if (in->packs < 1 || in->packs > WMS_QTY_MAX || per > WMS_QTY_MAX / in->packs)
        return wms_error_set(err, WMS_EBAD_QTY, "qty: 1 or more scans");
    int64_t units = per * in->packs;
    if (order_id > 0 &&
        (rc = check_on_order(db, order_id, r.m[k].item_id, r.m[k].sku, units, err)) < 0)
        return rc;
    sqlite3_stmt *st = db__stmt(db, ins, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, in->return_id);
    sqlite3_bind_int64(st, 2, r.m[k].item_id);
    db__bind_text(st, 3, lot);
    db__bind_text(st, 4, expiry);
    db__bind_text(st, 5, serial);
    sqlite3_bind_int64(st, 6, units);
    if ((rc = db__exec_stmt(db, st, err, "return line")) < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_last_insert_rowid(db->sql);
    snprintf(out->sku, sizeof(out->sku), "%s", r.m[k].sku);
    snprintf(out->lot, sizeof(out->lot), "%s", lot);
    snprintf(out->expiry, sizeof(out->expiry), "%.10s", expiry);
    snprintf(out->serial, sizeof(out->serial), "%s", serial);
    out->qty = units;
    return 0;
}

int wms_return_scan(wms_db *db, const wms_actor *who, const wms_return_scan_in *in,
                    wms_return_line *out, wms_error *err)
{
    (void)who;
    if (in == NULL || in->code == NULL || in->code[0] == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "code: scan the item");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = scan__(db, in, out, err);
    return db__op_end(db, rc, err);
}

/* ------------------------------------------------------------------------ */
/* Grade                                                                    */
/* ------------------------------------------------------------------------ */

/* The quarantine bin: `given` when it is one, else the first unblocked. */
static int quarantine_bin(wms_db *db, const char *given, wms_bin *b, wms_error *err)
{
    static const char sql[] =
        "SELECT code FROM bins WHERE type = 'quarantine' AND blocked = 0 ORDER BY code LIMIT 1";
    if (given != NULL && given[0]) {
        int rc = wms_bin_get(db, given, b, err);
        if (rc < 0)
            return rc;
        if (!strcmp(b->type, "quarantine"))
            return 0;
    }
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    int rc = sqlite3_step(st);
    char code[WMS_SKU_MAX + 1] = "";
    if (rc == SQLITE_ROW)
        db__col_text(st, 0, code, sizeof(code));
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no quarantine bin: set one up first");
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "quarantine bin");
    return wms_bin_get(db, code, b, err);
}

static int grade__(wms_db *db, const wms_actor *who, int64_t line_id, const char *grade,
                   const char *bin, const char *reason, wms_return_line *out, wms_error *err)
{
    static const char q_line[] =
        "SELECT l.return_id, l.item_id, l.lot, l.expiry, l.qty, coalesce(l.grade, ''), r.status, "
        "coalesce(i.shelf_life_days, -1), i.sku, "
        "CASE WHEN l.expiry = '' THEN 99999 ELSE julianday(l.expiry) - julianday(?2) END "
        "FROM return_lines l JOIN returns r ON r.id = l.return_id JOIN items i ON i.id = l.item_id "
        "WHERE l.id = ?1";
    static const char upd[] =
        "UPDATE return_lines SET grade = ?2, reason = ?3, bin_id = ?4 WHERE id = ?1";
    sqlite3_stmt *st = db__stmt(db, q_line, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, line_id);
    db__bind_text(st, 2, db__today(db));
    int rc = sqlite3_step(st);
    int64_t ret = 0, item = 0, qty = 0, min_days = -1;
    double days_left = 0;
    char lot[WMS_LOT_MAX + 1] = "", expiry[16] = "", cur[12] = "", rstatus[12] = "",
                           sku[WMS_SKU_MAX + 1] = "";
    if (rc == SQLITE_ROW) {
        ret = sqlite3_column_int64(st, 0);
        item = sqlite3_column_int64(st, 1);
        db__col_text(st, 2, lot, sizeof(lot));
        db__col_text(st, 3, expiry, sizeof(expiry));
        qty = sqlite3_column_int64(st, 4);
        db__col_text(st, 5, cur, sizeof(cur));
        db__col_text(st, 6, rstatus, sizeof(rstatus));
        min_days = sqlite3_column_int64(st, 7);
        db__col_text(st, 8, sku, sizeof(sku));
        days_left = sqlite3_column_double(st, 9);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no return line %lld", (long long)line_id);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "return line");
    if (strcmp(rstatus, "open"))
        return wms_error_set(err, WMS_ECLOSED, "return %lld is %s", (long long)ret, rstatus);
    if (cur[0])
        return wms_error_set(err, WMS_ECONFLICT, "line %lld is already graded %s",
                             (long long)line_id, cur);
    char why[160] = "";
    wms_bin to;
    const char *status = "available";
    if (!strcmp(grade, "resaleable")) {
        if (expiry[0] && days_left <= 0)
            snprintf(why, sizeof(why), "quarantine: lot %.20s expired on %.10s", lot, expiry);
        else if (expiry[0] && min_days > 0 && days_left < (double)min_days)
            snprintf(why, sizeof(why),
                     "quarantine: lot %.20s expires %.10s, under %.32s's %lld days of shelf life",
                     lot, expiry, sku, (long long)min_days);
        if (why[0]) {
            status = "quarantine";
            rc = quarantine_bin(db, NULL, &to, err);
        } else {
            if (bin == NULL || !bin[0])
                return wms_error_set(err, WMS_EBAD_ARGS, "bin: where the resaleable goods go");
            rc = wms_bin_get(db, bin, &to, err);
            if (rc == 0 && !strcmp(to.type, "quarantine"))
                status = "quarantine";
        }
    } else if (!strcmp(grade, "damaged") || !strcmp(grade, "scrap")) {
        if (!strcmp(grade, "scrap") && (reason == NULL || !reason[0]))
            return wms_error_set(err, WMS_EBAD_ARGS, "reason: why it is scrapped");
        status = "quarantine";
        rc = quarantine_bin(db, bin, &to, err);
        snprintf(why, sizeof(why), "%s", reason ? reason : "");
    } else {
        return wms_error_set(err, WMS_EBAD_ARGS, "grade: resaleable, damaged or scrap");
    }
    if (rc < 0)
        return rc;
    if (to.blocked)
        return wms_error_set(err, WMS_EBIN_BLOCKED, "bin %s is blocked", to.code);
    char note[200];
    snprintf(note, sizeof(note), "return %lld line %lld: %s%s%s", (long long)ret,
             (long long)line_id, grade, why[0] ? "; " : "", why);
    stock_move in = {.kind = "return",
                     .item_id = item,
                     .lot = lot,
                     .expiry = expiry,
                     .to = &to,
                     .to_status = status,
                     .qty = qty,
                     .reason = note};
    if ((rc = stock__apply(db, who, &in, NULL, err)) < 0)
        return rc;
    if (!strcmp(grade, "scrap")) {
        stock_move outm = {.kind = "scrap",
                           .item_id = item,
                           .lot = lot,
                           .expiry = expiry,
                           .from = &to,
                           .from_status = status,
                           .qty = qty,
                           .reason = note};
        if ((rc = stock__apply(db, who, &outm, NULL, err)) < 0)
            return rc;
    }
    if ((st = db__stmt(db, upd, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, line_id);
    db__bind_text(st, 2, grade);
    db__bind_text(st, 3, why);
    sqlite3_bind_int64(st, 4, to.id);
    if ((rc = db__exec_stmt(db, st, err, "grade")) < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->id = line_id;
    snprintf(out->sku, sizeof(out->sku), "%s", sku);
    snprintf(out->lot, sizeof(out->lot), "%s", lot);
    snprintf(out->expiry, sizeof(out->expiry), "%.10s", expiry);
    out->qty = qty;
    snprintf(out->grade, sizeof(out->grade), "%s", grade);
    snprintf(out->bin, sizeof(out->bin), "%s", to.code);
    snprintf(out->status, sizeof(out->status), "%s", !strcmp(grade, "scrap") ? "scrapped" : status);
    snprintf(out->reason, sizeof(out->reason), "%s", why);
    return 0;
}

int wms_return_grade(wms_db *db, const wms_actor *who, int64_t line_id, const char *grade,
                     const char *bin, const char *reason, wms_return_line *out, wms_error *err)
{
    if (grade == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "grade: resaleable, damaged or scrap");
    if (reason != NULL && strlen(reason) > 120)
        return wms_error_set(err, WMS_EBAD_ARGS, "reason: at most 120 bytes");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = grade__(db, who, line_id, grade, bin, reason, out, err);
    return db__op_end(db, rc, err);
}

/* ------------------------------------------------------------------------ */
/* Close, match, write off                                                  */
/* ------------------------------------------------------------------------ */

static int set_status(wms_db *db, int64_t id, const char *status, wms_error *err)
{
    static const char sql[] =
        "UPDATE returns SET status = ?2, closed = " NOW_SQL " WHERE id = ?1 AND status = 'open'";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    db__bind_text(st, 2, status);
    return db__exec_stmt(db, st, err, "return status");
}

static int close__(wms_db *db, const wms_actor *who, int64_t id, wms_return_info *out,
                   wms_error *err)
{
    static const char q_all[] =
        "SELECT NOT EXISTS (SELECT 1 FROM carton_lines cl JOIN cartons c ON c.id = cl.carton_id "
        "JOIN picks p ON p.id = cl.pick_id WHERE c.order_id = ?1 AND c.status = 'shipped' "
        "GROUP BY p.item_id HAVING sum(cl.qty) > (SELECT coalesce(sum(l.qty), 0) FROM "
        "return_lines l JOIN returns r ON r.id = l.return_id WHERE r.order_id = ?1 AND "
        "r.status <> 'written_off' AND l.item_id = p.item_id))";
    int64_t order_id;
    int rc = load_head(db, id, out, &order_id, err);
    if (rc < 0)
        return rc;
    if (strcmp(out->status, "open"))
        return wms_error_set(err, WMS_ECLOSED, "return %lld is %s", (long long)id, out->status);
    if ((rc = load_lines(db, out, err)) < 0)
        return rc;
    if (out->n == 0)
        return wms_error_set(err, WMS_ECONFLICT, "return %lld has no lines: scan the items",
                             (long long)id);
    for (int i = 0; i < out->n; i++)
        if (!out->line[i].grade[0])
            return wms_error_set(err, WMS_ECONFLICT, "line %lld (%s) is not graded yet",
                                 (long long)out->line[i].id, out->line[i].sku);
    if ((rc = set_status(db, id, "closed", err)) < 0)
        return rc;
    snprintf(out->status, sizeof(out->status), "closed");
    if (order_id == 0)
        return 0;
    int64_t all;
    if ((rc = db__q1(db, q_all, order_id, &all, err)) < 0)
        return rc;
    snprintf(out->result, sizeof(out->result), "%s", all ? "returned" : "partially_returned");
    char detail[256];
    size_t len = (size_t)snprintf(detail, sizeof(detail), "return %lld, refund:", (long long)id);
    for (int i = 0; i < out->n && len < sizeof(detail); i++)
        len +=
            (size_t)snprintf(detail + len, sizeof(detail) - len, "%s %lld x %s (%s)", i ? "," : "",
                             (long long)out->line[i].qty, out->line[i].sku, out->line[i].grade);
    int64_t ev = wms_event_add(db, who, WMS_EV_RETURN, order_id, out->result, detail, err);
    if (ev < 0)
        return (int)ev;
    return load_items(db, order_id, out, err);
}

int wms_return_close(wms_db *db, const wms_actor *who, int64_t return_id, wms_return_info *out,
                     wms_error *err)
{
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = close__(db, who, return_id, out, err);
    return db__op_end(db, rc, err);
}

static int match__(wms_db *db, int64_t id, const char *order, wms_error *err)
{
    static const char q_order[] = "SELECT id FROM orders WHERE ref = ?1";
    static const char q_lines[] =
        "SELECT l.item_id, i.sku, sum(l.qty) FROM return_lines l JOIN items i ON i.id = l.item_id "
        "WHERE l.return_id = ?1 GROUP BY l.item_id ORDER BY l.item_id LIMIT 1 OFFSET ?2";
    static const char upd[] = "UPDATE returns SET order_id = ?2, kind = 'order' WHERE id = ?1";
    return_state h;
    int rc = state_of(db, id, &h, err);
    if (rc < 0)
        return rc;
    if (strcmp(h.status, "open") || strcmp(h.kind, "unknown"))
        return wms_error_set(err, WMS_ECONFLICT, "return %lld is not an open unknown return",
                             (long long)id);
    sqlite3_stmt *st = db__stmt(db, q_order, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, order);
    rc = sqlite3_step(st);
    int64_t order_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no order %s", order);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "order");
    /* the lines must fit the order (counted before this return joins it) */
    for (int k = 0;; k++) {
        if ((st = db__stmt(db, q_lines, err)) == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, k);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            sqlite3_reset(st);
            break;
        }
        if (rc != SQLITE_ROW) {
            rc = db__fail(db, rc, err, "return lines");
            sqlite3_reset(st);
            return rc;
        }
        int64_t item = sqlite3_column_int64(st, 0), q = sqlite3_column_int64(st, 2);
        char sku[WMS_SKU_MAX + 1];
        db__col_text(st, 1, sku, sizeof(sku));
        sqlite3_reset(st);
        if ((rc = check_on_order(db, order_id, item, sku, q, err)) < 0)
            return rc;
    }
    if ((st = db__stmt(db, upd, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, order_id);
    return db__exec_stmt(db, st, err, "match return");
}

int wms_return_match(wms_db *db, const wms_actor *who, int64_t return_id, const char *order,
                     wms_error *err)
{
    (void)who;
    if (order == NULL || !order[0])
        return wms_error_set(err, WMS_EBAD_ARGS, "order: the order it belongs to");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = match__(db, return_id, order, err);
    return db__op_end(db, rc, err);
}

static int write_off__(wms_db *db, const wms_actor *who, int64_t id, const char *reason,
                       wms_error *err)
{
    static const char q_open[] = "SELECT id FROM return_lines WHERE return_id = ?1 AND grade IS "
                                 "NULL ORDER BY id LIMIT 1";
    return_state h;
    int rc = state_of(db, id, &h, err);
    if (rc < 0)
        return rc;
    if (strcmp(h.status, "open"))
        return wms_error_set(err, WMS_ECLOSED, "return %lld is closed", (long long)id);
    for (;;) {
        int64_t line;
        if ((rc = db__q1(db, q_open, id, &line, err)) < 0)
            return rc;
        if (rc == 0)
            break;
        wms_return_line out;
        if ((rc = grade__(db, who, line, "scrap", NULL, reason, &out, err)) < 0)
            return rc;
    }
    return set_status(db, id, "written_off", err);
}

int wms_return_write_off(wms_db *db, const wms_actor *who, int64_t return_id, const char *reason,
                         wms_error *err)
{
    if (reason == NULL || !reason[0] || strlen(reason) > 120)
        return wms_error_set(err, WMS_EBAD_ARGS, "reason: why it is written off (<= 120 bytes)");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = write_off__(db, who, return_id, reason, err);
    return db__op_end(db, rc, err);
}
