/*
 * putaway.c - where received goods should go, and booking them there.
 *
 * A suggestion only reads; a confirmation moves stock from the receiving
 * bin into the scanned bin through stock__apply (journal kind 'putaway'),
 * recording whether the worker followed the suggestion.
 */
#include "store/db.h"
#include "store/ops.h"
#include "store/stock.h"
#include "core/date.h"

#include <stdio.h>
#include <string.h>

/* Quants one confirmation may take (FEFO across lots). */
#define PUTAWAY_MAX_QUANTS 64

static int check_qty(int64_t qty, wms_error *err)
{
    if (qty <= 0 || qty > WMS_QTY_MAX)
        return wms_error_set(err, WMS_EBAD_QTY, "quantity %lld is not between 1 and %lld",
                             (long long)qty, (long long)WMS_QTY_MAX);
    return 0;
}

static int check_lot(const char *lot, const char *expiry, wms_error *err)
{
    if (!stock__valid_lot(lot))
        return wms_error_set(err, WMS_EBAD_ARGS, "lot '%.30s' is too long or has spaces", lot);
    if (expiry != NULL && expiry[0] && !wms_date_valid(expiry))
        return wms_error_set(err, WMS_EBAD_ARGS, "expiry '%.20s' is not a date YYYY-MM-DD", expiry);
    return 0;
}

/* Copies one suggestion row (code, zone, type, capacity, held). */
static void fill_suggestion(sqlite3_stmt *st, const char *reason, wms_putaway_suggestion *out)
{
    db__col_text(st, 0, out->bin, sizeof(out->bin));
    db__col_text(st, 1, out->zone, sizeof(out->zone));
    db__col_text(st, 2, out->type, sizeof(out->type));
    int64_t cap = sqlite3_column_int64(st, 3);
    int64_t held = sqlite3_column_int64(st, 4);
    out->room = cap == 0 ? -1 : cap - held;
    snprintf(out->reason, sizeof(out->reason), "%s", reason);
}

/* Rule 1: a pick face already holding the item (and lot) with room.
 * Returns 1 when found, 0 when not, or an error. */
static int suggest_same_lot(wms_db *db, int64_t item_id, const char *lot, const char *expiry,
                            int64_t qty, wms_putaway_suggestion *out, wms_error *err)
{
    static const char sql[] =
        "SELECT code, zone, type, capacity, held FROM ("
        "  SELECT b.code, b.zone, b.type, b.capacity, b.y_m, "
        "    (SELECT coalesce(sum(x.qty), 0) FROM stock x WHERE x.bin_id = b.id) AS held "
        "  FROM bins b WHERE b.type = 'pick' AND b.blocked = 0 AND b.id IN ("
        "    SELECT s.bin_id FROM stock s WHERE s.item_id = ?1 AND s.status = 'available' "
        "    AND s.qty > 0 AND (?2 IS NULL OR s.lot = ?2) AND (?3 IS NULL OR s.expiry = ?3))) "
        "WHERE capacity = 0 OR capacity - held >= ?4 ORDER BY y_m, code LIMIT 1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, item_id);
    if (lot != NULL)
        db__bind_text(st, 2, lot);
    if (expiry != NULL && expiry[0])
        db__bind_text(st, 3, expiry);
    sqlite3_bind_int64(st, 4, qty);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        fill_suggestion(
            st, lot != NULL ? "same item and lot in pick face" : "same item in pick face", out);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db__fail(db, rc, err, "putaway suggestion");
    return rc == SQLITE_ROW;
}

/* The item's zone: of a pick or reserve bin holding it, pick faces first.
 * Returns 1 with zone filled, 0 when the item lies nowhere, or an error. */
static int item_zone(wms_db *db, int64_t item_id, char *zone, size_t n, wms_error *err)
{
    static const char sql[] =
        "SELECT b.zone FROM stock s JOIN bins b ON b.id = s.bin_id WHERE s.item_id = ?1 "
        "AND s.qty > 0 AND b.type IN ('pick', 'reserve') "
        "ORDER BY b.type <> 'pick', b.y_m, b.code LIMIT 1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, item_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        db__col_text(st, 0, zone, n);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db__fail(db, rc, err, "item zone");
    return rc == SQLITE_ROW;
}

/* Rule 2: an empty pick or reserve bin in `zone` (NULL = any) that can
 * take qty.  Returns 1 when found, 0 when not, or an error. */
static int suggest_empty(wms_db *db, const char *zone, int64_t qty, wms_putaway_suggestion *out,
                         wms_error *err)
{
    static const char sql[] =
        "SELECT b.code, b.zone, b.type, b.capacity, 0 FROM bins b "
        "WHERE b.type IN ('pick', 'reserve') AND b.blocked = 0 AND (?1 IS NULL OR b.zone = ?1) "
        "AND (b.capacity = 0 OR b.capacity >= ?2) "
        "AND NOT EXISTS (SELECT 1 FROM stock s WHERE s.bin_id = b.id AND s.qty > 0) "
        "ORDER BY b.type <> 'pick', b.y_m, b.code LIMIT 1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    if (zone != NULL)
        db__bind_text(st, 1, zone);
    sqlite3_bind_int64(st, 2, qty);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char reason[96];
        if (zone != NULL)
            snprintf(reason, sizeof(reason), "empty bin in zone %s", zone);
        else
            snprintf(reason, sizeof(reason), "empty bin (the item is not stored anywhere yet)");
        fill_suggestion(st, reason, out);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db__fail(db, rc, err, "putaway suggestion");
    return rc == SQLITE_ROW;
}

int wms_putaway_suggest(wms_db *db, const char *sku, const char *lot, const char *expiry,
                        int64_t qty, wms_putaway_suggestion *out, wms_error *err)
{
    wms_item it;
    int rc;
    if (out == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no place for the suggestion");
    if ((rc = check_qty(qty, err)) < 0 || (rc = check_lot(lot, expiry, err)) < 0)
        return rc;
    if ((rc = wms_item_get(db, sku, &it, err)) < 0)
        return rc;
    memset(out, 0, sizeof(*out));
    if ((rc = suggest_same_lot(db, it.id, lot, expiry, qty, out, err)) != 0)
        return rc < 0 ? rc : 0;
    char zone[33];
    int has_zone = item_zone(db, it.id, zone, sizeof(zone), err);
    if (has_zone < 0)
        return has_zone;
    if ((rc = suggest_empty(db, has_zone ? zone : NULL, qty, out, err)) != 0)
        return rc < 0 ? rc : 0;
    if (has_zone)
        return wms_error_set(err, WMS_ENOT_FOUND,
                             "no bin with room for %lld units of %s in zone %s", (long long)qty,
                             it.sku, zone);
    return wms_error_set(err, WMS_ENOT_FOUND, "no bin with room for %lld units of %s",
                         (long long)qty, it.sku);
}

/* A bin a putaway may use: exists and is not blocked. */
static int putaway_bin(wms_db *db, const char *code, wms_bin *b, wms_error *err)
{
    int rc = wms_bin_get(db, code, b, err);
    if (rc == WMS_ENOT_FOUND)
        return wms_error_set(err, WMS_ENOT_FOUND,
                             "bin '%.64s' does not exist: scan the bin label again",
                             code ? code : "");
    if (rc < 0)
        return rc;
    if (b->blocked)
        return wms_error_set(err, WMS_EBIN_BLOCKED, "bin %s is blocked: use another bin", b->code);
    return 0;
}

static int confirm__(wms_db *db, const wms_actor *who, const char *from_bin, const char *to_bin,
                     const char *suggested, const char *sku, const char *lot, int64_t qty,
                     wms_booking *out, wms_error *err)
{
    wms_bin from, to;
    wms_item it;
    int rc;
    if ((rc = putaway_bin(db, from_bin, &from, err)) < 0 ||
        (rc = putaway_bin(db, to_bin, &to, err)) < 0 || (rc = wms_item_get(db, sku, &it, err)) < 0)
        return rc;
    if (from.id == to.id)
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "the goods are already in bin %s: scan the bin you put them in",
                             to.code);
    if (strcmp(to.type, "pick") && strcmp(to.type, "reserve"))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "bin %s is a %s bin: put away into a pick or reserve bin", to.code,
                             to.type);
    if (to.capacity > 0) {
        int64_t held;
        if ((rc = stock__bin_units(db, to.id, &held, err)) < 0)
            return rc;
        if (held + qty > to.capacity)
            return wms_error_set(err, WMS_EBIN_FULL,
                                 "bin %s has room for %lld more units, not %lld: use another bin",
                                 to.code, (long long)(to.capacity - held), (long long)qty);
    }
    /* Available quants to take, earliest expiry first; expired ones never
     * go to storage. */
    static const char q[] = "SELECT lot, expiry, qty FROM stock WHERE bin_id = ?1 AND "
                            "item_id = ?2 AND status = 'available' AND (?3 IS NULL OR lot = ?3) "
                            "ORDER BY expiry = '', expiry, lot";
    sqlite3_stmt *st = db__stmt(db, q, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, from.id);
    sqlite3_bind_int64(st, 2, it.id);
    if (lot != NULL)
        db__bind_text(st, 3, lot);
    const char *today = db__today(db);
    struct {
        char lot[WMS_LOT_MAX + 1], expiry[11];
        int64_t qty;
    } take[PUTAWAY_MAX_QUANTS];
    int n = 0;
    int64_t need = qty, expired = 0;
    while (need > 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        char ex[11];
        db__col_text(st, 1, ex, sizeof(ex));
        int64_t have = sqlite3_column_int64(st, 2);
        if (ex[0] && strcmp(ex, today) <= 0) {
            expired += have;
            continue;
        }
        if (n == PUTAWAY_MAX_QUANTS) {
            sqlite3_reset(st);
            return wms_error_set(err, WMS_ETOO_LARGE,
                                 "that takes more than %d lots from bin %s: name the lot",
                                 PUTAWAY_MAX_QUANTS, from.code);
        }
        db__col_text(st, 0, take[n].lot, sizeof(take[n].lot));
        snprintf(take[n].expiry, sizeof(take[n].expiry), "%s", ex);
        take[n].qty = have < need ? have : need;
        need -= take[n].qty;
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db__fail(db, rc, err, "putaway");
    if (need > 0 && expired > 0)
        return wms_error_set(err, WMS_EEXPIRED_LOT,
                             "bin %s holds only %lld usable units of %s%s%s; %lld more are "
                             "expired: move them to quarantine",
                             from.code, (long long)(qty - need), it.sku, lot ? " lot " : "",
                             lot ? lot : "", (long long)expired);
    if (need > 0)
        return wms_error_set(err, WMS_EINSUFFICIENT_STOCK,
                             "bin %s holds only %lld available units of %s%s%s, not %lld",
                             from.code, (long long)(qty - need), it.sku, lot ? " lot " : "",
                             lot ? lot : "", (long long)qty);
    char reason[176];
    if (suggested == NULL || suggested[0] == '\0')
        snprintf(reason, sizeof(reason), "putaway");
    else if (!strcmp(suggested, to.code))
        snprintf(reason, sizeof(reason), "putaway as suggested");
    else
        snprintf(reason, sizeof(reason), "putaway to %s instead of suggested %.64s", to.code,
                 suggested);
    int64_t jid = 0;
    for (int i = 0; i < n; i++) {
        stock_move mv = {.kind = "putaway",
                         .item_id = it.id,
                         .lot = take[i].lot,
                         .expiry = take[i].expiry,
                         .from = &from,
                         .from_status = "available",
                         .to = &to,
                         .to_status = "available",
                         .qty = take[i].qty,
                         .reason = reason};
        if ((rc = stock__apply(db, who, &mv, &jid, err)) < 0)
            return rc;
    }
    if (out != NULL) {
        memset(out, 0, sizeof(*out));
        snprintf(out->bin, sizeof(out->bin), "%s", to.code);
        snprintf(out->sku, sizeof(out->sku), "%s", it.sku);
        snprintf(out->level, sizeof(out->level), "each");
        snprintf(out->lot, sizeof(out->lot), "%s", n == 1 ? take[0].lot : "");
        snprintf(out->expiry, sizeof(out->expiry), "%s", n == 1 ? take[0].expiry : "");
        snprintf(out->status, sizeof(out->status), "available");
        out->qty = qty;
        out->journal_id = jid;
    }
    return 0;
}

int wms_putaway_confirm(wms_db *db, const wms_actor *who, const char *from_bin, const char *to_bin,
                        const char *suggested_bin, const char *sku, const char *lot, int64_t qty,
                        wms_booking *out, wms_error *err)
{
    int rc;
    if ((rc = check_qty(qty, err)) < 0 || (rc = check_lot(lot, NULL, err)) < 0)
        return rc;
    if (from_bin == NULL || to_bin == NULL || sku == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "putaway needs the from bin, the bin and the item");
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    return db__op_end(
        db, confirm__(db, who, from_bin, to_bin, suggested_bin, sku, lot, qty, out, err), err);
}
