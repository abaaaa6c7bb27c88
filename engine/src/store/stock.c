/*
 * stock.c - stock quants and the movement journal.
 *
 * Every change to `stock` goes through stock__apply(), which appends the
 * matching journal row in the same transaction; on-hand can therefore be
 * recomputed from the journal alone (wms_stock_verify).  Quantities are
 * checked in SQL (qty >= ?) so stock never goes negative.
 */
#include "store/db.h"
#include "store/catalog.h"
#include "store/stock.h"
#include "core/date.h"

#include <stdio.h>
#include <string.h>

#define STATUS_SQL                                                                                 \
    "CASE WHEN s.status <> 'quarantine' AND s.expiry <> '' AND s.expiry <= ?9 THEN 'expired' "     \
    "ELSE s.status END"

static int valid_status(const char *s)
{
    return s != NULL && (!strcmp(s, "available") || !strcmp(s, "hold") || !strcmp(s, "quarantine"));
}

int stock__valid_lot(const char *lot)
{
    return lot == NULL || lot[0] == '\0' || catalog__valid_key(lot, WMS_LOT_MAX);
}

int stock__bin_units(wms_db *db, int64_t bin_id, int64_t *out, wms_error *err)
{
    static const char sql[] = "SELECT coalesce(sum(qty), 0) FROM stock WHERE bin_id = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, bin_id);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db__fail(db, rc, err, "bin content");
}

int stock__apply(wms_db *db, const wms_actor *who, const stock_move *mv, int64_t *journal_id,
                 wms_error *err)
{
    int rc;
    sqlite3_stmt *st;
    if (mv->qty <= 0 || mv->qty > WMS_QTY_MAX)
        return wms_error_set(err, WMS_EBAD_QTY, "quantity %lld is not between 1 and %lld",
                             (long long)mv->qty, (long long)WMS_QTY_MAX);
    if (mv->from != NULL) {
        /* Reserved units belong to orders: only a pick takes them. */
        static const char dec[] =
            "UPDATE stock SET qty = qty - ?6 WHERE bin_id = ?1 AND item_id = ?2 AND lot = ?3 "
            "AND expiry = ?4 AND status = ?5 AND qty - reserved >= ?6";
        static const char dec_reserved[] =
            "UPDATE stock SET qty = qty - ?6, reserved = reserved - ?6 WHERE bin_id = ?1 AND "
            "item_id = ?2 AND lot = ?3 AND expiry = ?4 AND status = ?5 AND reserved >= ?6";
        if ((st = db__stmt(db, mv->take_reserved ? dec_reserved : dec, err)) == NULL)
            return err ? err->code : WMS_ESTORAGE;
        sqlite3_bind_int64(st, 1, mv->from->id);
        sqlite3_bind_int64(st, 2, mv->item_id);
        db__bind_text(st, 3, mv->lot);
        db__bind_text(st, 4, mv->expiry);
        db__bind_text(st, 5, mv->from_status);
        sqlite3_bind_int64(st, 6, mv->qty);
        if ((rc = db__exec_stmt(db, st, err, "take stock")) < 0)
            return rc;
        if (sqlite3_changes(db->sql) == 0)
            return wms_error_set(err, WMS_EINSUFFICIENT_STOCK,
                                 mv->take_reserved
                                     ? "bin %s has fewer than %lld units reserved for this pick"
                                     : "bin %s holds fewer than %lld units of that item/lot that "
                                       "are not reserved for orders",
                                 mv->from->code, (long long)mv->qty);
        static const char del[] = "DELETE FROM stock WHERE bin_id = ?1 AND item_id = ?2 AND "
                                  "lot = ?3 AND expiry = ?4 AND status = ?5 AND qty = 0";
        if ((st = db__stmt(db, del, err)) == NULL)
            return err ? err->code : WMS_ESTORAGE;
        sqlite3_bind_int64(st, 1, mv->from->id);
        sqlite3_bind_int64(st, 2, mv->item_id);
        db__bind_text(st, 3, mv->lot);
        db__bind_text(st, 4, mv->expiry);
        db__bind_text(st, 5, mv->from_status);
        if ((rc = db__exec_stmt(db, st, err, "take stock")) < 0)
            return rc;
    }
    if (mv->to != NULL) {
        int same_bin = mv->from != NULL && mv->from->id == mv->to->id;
        if (mv->to->capacity > 0 && !same_bin && !mv->ignore_capacity) {
            int64_t held;
            if ((rc = stock__bin_units(db, mv->to->id, &held, err)) < 0)
                return rc;
            if (held + mv->qty > mv->to->capacity)
                return wms_error_set(
                    err, WMS_EBIN_FULL, "bin %s holds %lld of %lld units: no room for %lld more",
                    mv->to->code, (long long)held, (long long)mv->to->capacity, (long long)mv->qty);
        }
        static const char inc[] =
            "INSERT INTO stock(bin_id, item_id, lot, expiry, status, qty) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(bin_id, item_id, lot, expiry, status) "
            "DO UPDATE SET qty = qty + excluded.qty";
        if ((st = db__stmt(db, inc, err)) == NULL)
            return err ? err->code : WMS_ESTORAGE;
        sqlite3_bind_int64(st, 1, mv->to->id);
        sqlite3_bind_int64(st, 2, mv->item_id);
        db__bind_text(st, 3, mv->lot);
        db__bind_text(st, 4, mv->expiry);
        db__bind_text(st, 5, mv->to_status);
        sqlite3_bind_int64(st, 6, mv->qty);
        if ((rc = db__exec_stmt(db, st, err, "put stock")) < 0)
            return rc;
    }
    static const char jr[] =
        "INSERT INTO journal(ts, user, device, kind, item_id, lot, expiry, from_bin_id, "
        "from_status, to_bin_id, to_status, qty, reason, txn) VALUES ("
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, ?13)";
    if ((st = db__stmt(db, jr, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, who && who->user ? who->user : "system");
    db__bind_text(st, 2, who && who->device ? who->device : "");
    db__bind_text(st, 3, mv->kind);
    sqlite3_bind_int64(st, 4, mv->item_id);
    db__bind_text(st, 5, mv->lot);
    db__bind_text(st, 6, mv->expiry);
    if (mv->from != NULL) {
        sqlite3_bind_int64(st, 7, mv->from->id);
        db__bind_text(st, 8, mv->from_status);
    }
    if (mv->to != NULL) {
        sqlite3_bind_int64(st, 9, mv->to->id);
        db__bind_text(st, 10, mv->to_status);
    }
    sqlite3_bind_int64(st, 11, mv->qty);
    db__bind_text(st, 12, mv->reason);
    db__bind_text(st, 13, who && who->txn ? who->txn : "");
    if ((rc = db__exec_stmt(db, st, err, "journal")) < 0)
        return rc;
    if (journal_id != NULL)
        *journal_id = sqlite3_last_insert_rowid(db->sql);
    return 0;
}

/* Bin for a movement: must exist and not be blocked. */
static int usable_bin(wms_db *db, const char *code, wms_bin *b, wms_error *err)
{
    int rc = wms_bin_get(db, code, b, err);
    if (rc < 0)
        return rc == WMS_ENOT_FOUND ? wms_error_set(err, WMS_ENOT_FOUND,
                                                    "bin '%.64s' does not exist: scan the "
                                                    "bin label again",
                                                    code ? code : "")
                                    : rc;
    if (b->blocked)
        return wms_error_set(err, WMS_EBIN_BLOCKED, "bin %s is blocked: use another bin", b->code);
    return 0;
}

/* Merges a value carried in the code with one entered by hand. */
static int merge_field(const char *what, const char *from_code, const char *entered, char *dst,
                       size_t n, wms_error *err)
{
    if (entered != NULL && entered[0] && from_code[0] && strcmp(entered, from_code))
        return wms_error_set(err, WMS_EBAD_ARGS, "the code carries %s %s but %s was entered", what,
                             from_code, entered);
    snprintf(dst, n, "%s", from_code[0] ? from_code : (entered ? entered : ""));
    return 0;
}

static int receive__(wms_db *db, const wms_actor *who, const wms_receive_req *req, wms_booking *out,
                     wms_error *err)
{
    wms_bin bin;
    wms_resolution r;
    int rc = usable_bin(db, req->bin, &bin, err);
    if (rc < 0)
        return rc;
    if ((rc = wms_code_resolve(db, req->code, req->gs_sub, &r, err)) < 0)
        return rc;
    if (r.kind != WMS_CODE_ITEM)
        return wms_error_set(err, WMS_EUNKNOWN_CODE, "code %s is a %s, not an item", r.key,
                             r.kind == WMS_CODE_BIN ? "bin" : "carton (SSCC)");
    int idx = wms_resolution_pick(&r, req->sku, err);
    if (idx < 0)
        return idx;
    const wms_code_match *m = &r.m[idx];
    int64_t mult = req->mult == 0 ? 1 : req->mult;
    if (mult < 1 || mult > WMS_QTY_MAX)
        return wms_error_set(err, WMS_EBAD_QTY, "quantity %lld is not valid", (long long)mult);
    int64_t per = m->units * r.count;
    if (per > WMS_QTY_MAX / mult)
        return wms_error_set(err, WMS_EBAD_QTY,
                             "%lld x %lld units is more than one booking may hold (%lld)",
                             (long long)mult, (long long)per, (long long)WMS_QTY_MAX);
    memset(out, 0, sizeof(*out));
    if ((rc = merge_field("lot", r.lot, req->lot, out->lot, sizeof(out->lot), err)) < 0 ||
        (rc = merge_field("expiry", r.expiry, req->expiry, out->expiry, sizeof(out->expiry), err)) <
            0)
        return rc;
    if (!stock__valid_lot(out->lot))
        return wms_error_set(err, WMS_EBAD_ARGS, "lot '%.30s' is too long or has spaces", out->lot);
    if (out->expiry[0] && !wms_date_valid(out->expiry))
        return wms_error_set(err, WMS_EBAD_ARGS, "expiry '%.20s' is not a date YYYY-MM-DD",
                             out->expiry);
    const char *status = "available";
    if (req->quarantine || !strcmp(bin.type, "quarantine"))
        status = "quarantine";
    if (out->expiry[0] && strcmp(out->expiry, db__today(db)) <= 0 && strcmp(status, "quarantine"))
        return wms_error_set(err, WMS_EEXPIRED_LOT,
                             "lot %s expired on %s: do not receive it (a supervisor can receive "
                             "it to quarantine)",
                             out->lot[0] ? out->lot : "(none)", out->expiry);
    stock_move mv = {.kind = "receive",
                     .item_id = m->item_id,
                     .lot = out->lot,
                     .expiry = out->expiry,
                     .to = &bin,
                     .to_status = status,
                     .qty = per * mult,
                     .reason = req->quarantine ? "received to quarantine" : ""};
    if ((rc = stock__apply(db, who, &mv, &out->journal_id, err)) < 0)
        return rc;
    snprintf(out->bin, sizeof(out->bin), "%s", bin.code);
    snprintf(out->sku, sizeof(out->sku), "%s", m->sku);
    snprintf(out->level, sizeof(out->level), "%s", m->level);
    snprintf(out->status, sizeof(out->status), "%s", status);
    out->qty = mv.qty;
    return 0;
}

int wms_stock_receive(wms_db *db, const wms_actor *who, const wms_receive_req *req,
                      wms_booking *out, wms_error *err)
{
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    return db__op_end(db, receive__(db, who, req, out, err), err);
}

/* Finds the item a move names (sku or scanned code). */
static int move_item(wms_db *db, const wms_move_req *req, wms_item *it, wms_error *err)
{
    if (req->code != NULL && req->code[0]) {
        wms_resolution r;
        int rc = wms_code_resolve(db, req->code, 0, &r, err);
        if (rc < 0)
            return rc;
        if ((rc = wms_resolution_pick(&r, req->sku, err)) < 0)
            return rc;
        return wms_item_get(db, r.m[rc].sku, it, err);
    }
    if (req->sku == NULL || req->sku[0] == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "name the item (sku or code)");
    return wms_item_get(db, req->sku, it, err);
}

#define MOVE_MAX_QUANTS 64

static int move__(wms_db *db, const wms_actor *who, const wms_move_req *req, wms_booking *out,
                  wms_error *err)
{
    wms_bin from, to;
    wms_item it;
    int rc;
    const char *status = req->status && req->status[0] ? req->status : "available";
    const char *to_status = req->to_status && req->to_status[0] ? req->to_status : status;
    if (!valid_status(status) || !valid_status(to_status))
        return wms_error_set(err, WMS_EBAD_ARGS, "status must be available, hold or quarantine");
    if (req->qty <= 0 || req->qty > WMS_QTY_MAX)
        return wms_error_set(err, WMS_EBAD_QTY, "quantity %lld is not between 1 and %lld",
                             (long long)req->qty, (long long)WMS_QTY_MAX);
    if ((rc = usable_bin(db, req->from, &from, err)) < 0 ||
        (rc = usable_bin(db, req->to, &to, err)) < 0 || (rc = move_item(db, req, &it, err)) < 0)
        return rc;
    if (from.id == to.id && !strcmp(status, to_status))
        return wms_error_set(err, WMS_EBAD_ARGS, "from and to are the same bin and status");
    /* Quants to take from, earliest expiry first (FEFO); undated last. */
    static const char q[] = "SELECT lot, expiry, qty - reserved FROM stock WHERE bin_id = ?1 "
                            "AND item_id = ?2 AND status = ?3 AND (?4 IS NULL OR lot = ?4) "
                            "AND qty > reserved ORDER BY expiry = '', expiry, lot";
    sqlite3_stmt *st = db__stmt(db, q, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, from.id);
    sqlite3_bind_int64(st, 2, it.id);
    db__bind_text(st, 3, status);
    if (req->lot != NULL)
        db__bind_text(st, 4, req->lot);
    struct {
        char lot[WMS_LOT_MAX + 1], expiry[11];
        int64_t qty;
    } take[MOVE_MAX_QUANTS];
    int n = 0;
    int64_t need = req->qty;
    while (need > 0 && n < MOVE_MAX_QUANTS && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        db__col_text(st, 0, take[n].lot, sizeof(take[n].lot));
        db__col_text(st, 1, take[n].expiry, sizeof(take[n].expiry));
        int64_t have = sqlite3_column_int64(st, 2);
        take[n].qty = have < need ? have : need;
        need -= take[n].qty;
        n++;
    }
    sqlite3_reset(st);
    if (need > 0)
        return wms_error_set(err, WMS_EINSUFFICIENT_STOCK,
                             "bin %s holds only %lld unreserved %s units of %s%s%s", from.code,
                             (long long)(req->qty - need), status, it.sku, req->lot ? " lot " : "",
                             req->lot ? req->lot : "");
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < n; i++) {
        stock_move mv = {.kind = from.id == to.id ? "status" : "move",
                         .item_id = it.id,
                         .lot = take[i].lot,
                         .expiry = take[i].expiry,
                         .from = &from,
                         .from_status = status,
                         .to = &to,
                         .to_status = to_status,
                         .qty = take[i].qty,
                         .reason = req->reason};
        if ((rc = stock__apply(db, who, &mv, &out->journal_id, err)) < 0)
            return rc;
    }
    snprintf(out->bin, sizeof(out->bin), "%s", to.code);
    snprintf(out->sku, sizeof(out->sku), "%s", it.sku);
    snprintf(out->lot, sizeof(out->lot), "%s", n == 1 ? take[0].lot : "");
    snprintf(out->expiry, sizeof(out->expiry), "%s", n == 1 ? take[0].expiry : "");
    snprintf(out->status, sizeof(out->status), "%s", to_status);
    snprintf(out->level, sizeof(out->level), "each");
    out->qty = req->qty;
    return 0;
}

int wms_stock_move(wms_db *db, const wms_actor *who, const wms_move_req *req, wms_booking *out,
                   wms_error *err)
{
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    return db__op_end(db, move__(db, who, req, out, err), err);
}

static int import__(wms_db *db, const wms_actor *who, const char *bincode, const char *sku,
                    const char *lot, const char *expiry, int64_t qty, const char *status,
                    int update, wms_error *err)
{
    wms_bin bin;
    wms_item it;
    int rc;
    if ((rc = wms_bin_get(db, bincode, &bin, err)) < 0 ||
        (rc = wms_item_get(db, sku, &it, err)) < 0)
        return rc;
    static const char q[] = "SELECT expiry, status, qty FROM stock WHERE bin_id = ?1 AND "
                            "item_id = ?2 AND lot = ?3";
    sqlite3_stmt *st = db__stmt(db, q, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, bin.id);
    sqlite3_bind_int64(st, 2, it.id);
    db__bind_text(st, 3, lot);
    struct {
        char expiry[11], status[12];
        int64_t qty;
    } cur[8];
    int n = 0;
    while (n < 8 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        db__col_text(st, 0, cur[n].expiry, sizeof(cur[n].expiry));
        db__col_text(st, 1, cur[n].status, sizeof(cur[n].status));
        cur[n].qty = sqlite3_column_int64(st, 2);
        n++;
    }
    sqlite3_reset(st);
    if (n == 1 && !strcmp(cur[0].expiry, expiry) && !strcmp(cur[0].status, status) &&
        cur[0].qty == qty)
        return WMS_PUT_UNCHANGED;
    if (n == 0 && qty == 0)
        return WMS_PUT_UNCHANGED;
    if (n > 0 && !update)
        return wms_error_set(err, WMS_ECONFLICT,
                             "bin %s already holds %s lot '%s' with other quantity, expiry or "
                             "status (use --update)",
                             bin.code, sku, lot);
    /* Replace: journal the old quants out and the new one in. */
    for (int i = 0; i < n; i++) {
        stock_move out = {.kind = "import",
                          .item_id = it.id,
                          .lot = lot,
                          .expiry = cur[i].expiry,
                          .from = &bin,
                          .from_status = cur[i].status,
                          .qty = cur[i].qty,
                          .reason = "stock import replaced"};
        if ((rc = stock__apply(db, who, &out, NULL, err)) < 0)
            return rc;
    }
    if (qty > 0) {
        stock_move in = {.kind = "import",
                         .item_id = it.id,
                         .lot = lot,
                         .expiry = expiry,
                         .to = &bin,
                         .to_status = status,
                         .qty = qty,
                         .reason = "stock import",
                         .ignore_capacity = 1};
        if ((rc = stock__apply(db, who, &in, NULL, err)) < 0)
            return rc;
    }
    return n > 0 ? WMS_PUT_UPDATED : WMS_PUT_INSERTED;
}

int wms_stock_import(wms_db *db, const wms_actor *who, const char *bin, const char *sku,
                     const char *lot, const char *expiry, int64_t qty, const char *status,
                     int update, wms_error *err)
{
    lot = lot ? lot : "";
    expiry = expiry ? expiry : "";
    status = status && status[0] ? status : "available";
    if (!valid_status(status))
        return wms_error_set(err, WMS_EBAD_ARGS, "status '%s' is not available, hold or quarantine",
                             status);
    if (!stock__valid_lot(lot))
        return wms_error_set(err, WMS_EBAD_ARGS, "lot '%.30s' is too long or has spaces", lot);
    if (expiry[0] && !wms_date_valid(expiry))
        return wms_error_set(err, WMS_EBAD_ARGS, "expiry '%.20s' is not a date YYYY-MM-DD", expiry);
    if (qty < 0 || qty > WMS_QTY_MAX)
        return wms_error_set(err, WMS_EBAD_QTY, "quantity %lld is not between 0 and %lld",
                             (long long)qty, (long long)WMS_QTY_MAX);
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    return db__op_end(db, import__(db, who, bin, sku, lot, expiry, qty, status, update, err), err);
}

/* Reads columns bin, sku, lot, expiry, status, qty (0-5) of a stock query. */
static void read_stock_row(sqlite3_stmt *st, wms_stock_row *r)
{
    db__col_text(st, 0, r->bin, sizeof(r->bin));
    db__col_text(st, 1, r->sku, sizeof(r->sku));
    db__col_text(st, 2, r->lot, sizeof(r->lot));
    db__col_text(st, 3, r->expiry, sizeof(r->expiry));
    db__col_text(st, 4, r->status, sizeof(r->status));
    r->qty = sqlite3_column_int64(st, 5);
}

int wms_stock_list(wms_db *db, const char *bin, const char *sku, wms_stock_cb cb, void *ctx,
                   wms_error *err)
{
    static const char sql[] =
        "SELECT b.code, i.sku, s.lot, s.expiry, " STATUS_SQL ", s.qty FROM stock s "
        "JOIN bins b ON b.id = s.bin_id JOIN items i ON i.id = s.item_id "
        "WHERE (?1 IS NULL OR b.code = ?1) AND (?2 IS NULL OR i.sku = ?2) "
        "ORDER BY b.code, i.sku, s.expiry, s.lot, s.status";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    if (bin)
        db__bind_text(st, 1, bin);
    if (sku)
        db__bind_text(st, 2, sku);
    db__bind_text(st, 9, db__today(db));
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        wms_stock_row r;
        read_stock_row(st, &r);
        n++;
        if (cb(ctx, &r) != 0)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db__fail(db, rc, err, "stock list");
    return n;
}

int wms_stock_verify(wms_db *db, int (*cb)(void *ctx, const wms_verify_diff *d), void *ctx,
                     wms_error *err)
{
    static const char sql[] =
        /* One pass over journal and stock together, grouped per quant: linear,
         * where a join of two aggregates was quadratic on large stores. */
        "WITH mv AS ("
        "  SELECT to_bin_id AS bin_id, item_id, lot, expiry, to_status AS status, qty AS jq, "
        "    0 AS sq FROM journal WHERE to_bin_id IS NOT NULL "
        "  UNION ALL SELECT from_bin_id, item_id, lot, expiry, from_status, -qty, 0 "
        "    FROM journal WHERE from_bin_id IS NOT NULL "
        "  UNION ALL SELECT bin_id, item_id, lot, expiry, status, 0, qty FROM stock) "
        "SELECT bin_id, item_id, lot, expiry, status, sum(jq), sum(sq) FROM mv "
        "GROUP BY bin_id, item_id, lot, expiry, status HAVING sum(jq) <> sum(sq)";
    static const char names[] = "SELECT (SELECT code FROM bins WHERE id = ?1), "
                                "(SELECT sku FROM items WHERE id = ?2)";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        wms_verify_diff d;
        memset(&d, 0, sizeof(d));
        sqlite3_stmt *nm = db__stmt(db, names, err);
        if (nm == NULL) {
            sqlite3_reset(st);
            return err ? err->code : WMS_ESTORAGE;
        }
        sqlite3_bind_int64(nm, 1, sqlite3_column_int64(st, 0));
        sqlite3_bind_int64(nm, 2, sqlite3_column_int64(st, 1));
        if (sqlite3_step(nm) == SQLITE_ROW) {
            db__col_text(nm, 0, d.bin, sizeof(d.bin));
            db__col_text(nm, 1, d.sku, sizeof(d.sku));
        }
        sqlite3_reset(nm);
        db__col_text(st, 2, d.lot, sizeof(d.lot));
        db__col_text(st, 3, d.expiry, sizeof(d.expiry));
        db__col_text(st, 4, d.status, sizeof(d.status));
        d.journal_qty = sqlite3_column_int64(st, 5);
        d.stock_qty = sqlite3_column_int64(st, 6);
        n++;
        if (cb != NULL && cb(ctx, &d) != 0)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db__fail(db, rc, err, "verify");
    return n;
}

int wms_stock_expiring(wms_db *db, int days, int (*cb)(void *, const wms_expiring_row *), void *ctx,
                       wms_error *err)
{
    static const char sql[] = "SELECT b.code, i.sku, s.lot, s.expiry, " STATUS_SQL ", s.qty, "
                              "  CAST(julianday(s.expiry) - julianday(?9) AS INTEGER) FROM stock s "
                              "JOIN bins b ON b.id = s.bin_id JOIN items i ON i.id = s.item_id "
                              "WHERE s.expiry <> '' AND s.expiry <= date(?9, '+' || ?1 || ' days') "
                              "ORDER BY s.expiry, i.sku, b.code";
    if (days < 0 || days > 36500)
        return wms_error_set(err, WMS_EBAD_ARGS, "days must be between 0 and 36500");
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int(st, 1, days);
    db__bind_text(st, 9, db__today(db));
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        wms_expiring_row r;
        read_stock_row(st, &r.s);
        r.days_left = sqlite3_column_int(st, 6);
        n++;
        if (cb(ctx, &r) != 0)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db__fail(db, rc, err, "expiring");
    return n;
}

int wms_stock_leftovers(wms_db *db, int (*cb)(void *, const wms_leftover_row *), void *ctx,
                        wms_error *err)
{
    /* For each item: its last received lot and that lot's received quantity;
     * flag it when on-hand > 2x that while a lot received earlier remains. */
    static const char sql[] =
        "WITH rcv AS (SELECT id, item_id, lot, qty FROM journal "
        "             WHERE kind IN ('receive', 'import') AND to_bin_id IS NOT NULL), "
        "last AS (SELECT item_id, lot, max(id) AS id FROM rcv GROUP BY item_id), "
        "lastq AS (SELECT l.item_id, l.lot, "
        "            (SELECT sum(qty) FROM rcv r WHERE r.item_id = l.item_id AND r.lot = l.lot) "
        "            AS q, "
        "            (SELECT min(id) FROM rcv r WHERE r.item_id = l.item_id AND r.lot = l.lot) "
        "            AS first_id FROM last l), "
        "onhand AS (SELECT item_id, sum(qty) AS q FROM stock "
        "           WHERE status IN ('available', 'hold') GROUP BY item_id) "
        "SELECT i.sku, o.q, lq.lot, lq.q, s.lot, b.code, s.expiry, s.qty "
        "FROM lastq lq JOIN onhand o ON o.item_id = lq.item_id "
        "JOIN items i ON i.id = lq.item_id "
        "JOIN stock s ON s.item_id = lq.item_id AND s.lot <> lq.lot "
        "  AND s.status IN ('available', 'hold') AND s.qty > 0 "
        "JOIN bins b ON b.id = s.bin_id "
        "WHERE o.q > 2 * lq.q AND (SELECT min(id) FROM rcv r WHERE r.item_id = s.item_id "
        "  AND r.lot = s.lot) < lq.first_id "
        "ORDER BY i.sku, s.expiry, b.code";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        wms_leftover_row r;
        db__col_text(st, 0, r.sku, sizeof(r.sku));
        r.on_hand = sqlite3_column_int64(st, 1);
        db__col_text(st, 2, r.last_lot, sizeof(r.last_lot));
        r.last_lot_qty = sqlite3_column_int64(st, 3);
        db__col_text(st, 4, r.old_lot, sizeof(r.old_lot));
        db__col_text(st, 5, r.old_bin, sizeof(r.old_bin));
        db__col_text(st, 6, r.old_expiry, sizeof(r.old_expiry));
        r.old_qty = sqlite3_column_int64(st, 7);
        n++;
        if (cb(ctx, &r) != 0)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db__fail(db, rc, err, "leftovers");
    return n;
}
