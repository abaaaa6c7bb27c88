/* pack.c - pack verification, SSCC-18, carton labels, shipping (pack.h). */
#include "store/pack.h"
#include "domain/gs1.h"
#include "label/label.h"
#include "store/db.h"
#include "store/boxes.h"
#include "store/events.h"
#include "store/pick.h"
#include "store/stock.h"

#include <stdio.h>
#include <string.h>

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

/* ------------------------------------------------------------------------ */
/* SSCC                                                                     */
/* ------------------------------------------------------------------------ */

int wms_sscc_build(int extension, const char *prefix, int64_t serial, char out[19], wms_error *err)
{
    size_t n = prefix ? strlen(prefix) : 0;
    if (n < 4 || n > 12 || strspn(prefix, "0123456789") != n)
        return wms_error_set(err, WMS_EBAD_ARGS, "the GS1 company prefix must be 4-12 digits");
    if (extension < 0 || extension > 9)
        return wms_error_set(err, WMS_EBAD_ARGS, "the SSCC extension digit must be 0-9");
    int serial_digits = 16 - (int)n;
    int64_t limit = 1;
    for (int i = 0; i < serial_digits; i++)
        limit *= 10;
    if (serial < 0 || serial >= limit)
        return wms_error_set(err, WMS_ETOO_LARGE,
                             "SSCC serial %lld does not fit in %d digits: the numbers of "
                             "this prefix are used up",
                             (long long)serial, serial_digits);
    char buf[40];
    snprintf(buf, sizeof(buf), "%d%s%0*lld", extension, prefix, serial_digits, (long long)serial);
    memcpy(out, buf, 17);
    int c = wms_gs1_check_digit(out, 17);
    out[17] = (char)('0' + c);
    out[18] = '\0';
    return 0;
}

int wms_sscc_normalize(const char *in, char out[19], wms_error *err)
{
    size_t n = strlen(in);
    if (n == 18 && strspn(in, "0123456789") == 18) {
        if (!wms_gs1_check_valid(in, 18))
            return wms_error_set(err, WMS_EBAD_CHECK_DIGIT,
                                 "SSCC %s: the check digit is wrong, rescan", in);
        memcpy(out, in, 19);
        return 0;
    }
    /* a scanned label: "00" + 18 digits, AIM prefix, bracket form */
    wms_gs1 g;
    int rc = wms_gs1_parse(in, n, NULL, &g, err);
    if (rc < 0)
        return rc;
    if (g.sscc[0] == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "sscc: that label has no SSCC (AI 00)");
    snprintf(out, 19, "%s", g.sscc);
    return 0;
}

/* Settings in meta: sscc.prefix (the digits as a number), sscc.prefix_len,
 * sscc.extension; the serial counter is sscc.serial. */
int wms_sscc_config_set(wms_db *db, const char *prefix, int extension, wms_error *err)
{
    static const char sql[] = "INSERT INTO meta(name, value) VALUES (?1, ?2) "
                              "ON CONFLICT(name) DO UPDATE SET value = excluded.value";
    char probe[19];
    int rc = wms_sscc_build(extension, prefix, 0, probe, err);
    if (rc < 0)
        return rc;
    int64_t num = 0;
    for (const char *p = prefix; *p; p++)
        num = num * 10 + (*p - '0');
    const char *names[3] = {"sscc.prefix", "sscc.prefix_len", "sscc.extension"};
    int64_t vals[3] = {num, (int64_t)strlen(prefix), extension};
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    for (int i = 0; i < 3 && rc >= 0; i++) {
        sqlite3_stmt *st = db__stmt(db, sql, err);
        if (st == NULL) {
            rc = err->code;
            break;
        }
        db__bind_text(st, 1, names[i]);
        sqlite3_bind_int64(st, 2, vals[i]);
        rc = db__exec_stmt(db, st, err, "sscc setting");
    }
    return db__op_end(db, rc, err);
}

int wms_sscc_config_get(wms_db *db, char *prefix, size_t n, int *extension, wms_error *err)
{
    static const char sql[] = "SELECT (SELECT value FROM meta WHERE name = 'sscc.prefix'), "
                              "(SELECT value FROM meta WHERE name = 'sscc.prefix_len'), "
                              "coalesce((SELECT value FROM meta WHERE name = 'sscc.extension'), 0)";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    int rc = sqlite3_step(st);
    prefix[0] = '\0';
    *extension = 0;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        snprintf(prefix, n, "%0*lld", sqlite3_column_int(st, 1),
                 (long long)sqlite3_column_int64(st, 0));
        *extension = sqlite3_column_int(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db__fail(db, rc, err, "sscc setting");
}

/* ------------------------------------------------------------------------ */
/* Lists                                                                    */
/* ------------------------------------------------------------------------ */

/* Where a carton's units come from: its tote's picks, or (no tote) the
 * order's.  ?1 = tote id or 0, ?2 = order id. */
/* Units still waiting at a put wall (picks.to_sort) are in no carton's
 * source. */
#define SOURCE_SQL "((?1 > 0 AND p.tote_id = ?1) OR (?1 = 0 AND p.order_id = ?2 AND p.to_sort = 0))"

/* Units of the source not yet packed, by SKU and lot. */
static int left_list(wms_db *db, int64_t tote_id, int64_t order_id, wms_pack_list *l,
                     wms_error *err)
{
    static const char sql[] =
        "SELECT i.sku, p.lot, sum(p.qty - p.packed) FROM picks p JOIN items i ON i.id = "
        "p.item_id WHERE " SOURCE_SQL " AND p.qty > p.packed GROUP BY i.sku, p.lot "
        "ORDER BY i.sku, p.lot";
    memset(l, 0, sizeof(*l));
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, tote_id);
    sqlite3_bind_int64(st, 2, order_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t q = sqlite3_column_int64(st, 2);
        l->units += q;
        if (l->n >= WMS_PACK_LIST_MAX) {
            l->truncated = 1;
            continue;
        }
        wms_pack_entry *e = &l->e[l->n++];
        db__col_text(st, 0, e->sku, sizeof(e->sku));
        db__col_text(st, 1, e->lot, sizeof(e->lot));
        e->qty = q;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "pack list");
}

/* The box cartonization proposes for what is left to pack from the
 * source (first box of the proposal); "" when there is none (no box types,
 * an item too large, more than one cartonization can take). */
static int propose_box(wms_db *db, int64_t tote_id, int64_t order_id, char *box, size_t n,
                       wms_error *err)
{
    static const char sql[] =
        "SELECT p.item_id, sum(p.qty - p.packed) FROM picks p WHERE " SOURCE_SQL
        " AND p.qty > p.packed GROUP BY p.item_id ORDER BY p.item_id LIMIT 64";
    wms_cartonize_line lines[64];
    int nl = 0, rc;
    box[0] = '\0';
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, tote_id);
    sqlite3_bind_int64(st, 2, order_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && nl < 64) {
        lines[nl].item_id = sqlite3_column_int64(st, 0);
        lines[nl].sku = NULL;
        lines[nl++].qty = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db__fail(db, rc, err, "pack items");
    wms_carton_result r;
    wms_error ignore;
    wms_error_clear(&ignore);
    if (nl == 0 || wms_cartonize_units(db, lines, nl, &r, &ignore) < 0)
        return 0; /* no proposal: the packer chooses */
    if (r.nbox > 0)
        snprintf(box, n, "%s", r.types[r.box[0].type].code);
    wms_carton_result_free(&r);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Cartons                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct carton_row {
    int64_t id, order_id, tote_id;
    char status[12], order[65], order_status[16], tote[65], sscc[19], box[65];
} carton_row;

static int carton_load(wms_db *db, int64_t id, carton_row *c, wms_error *err)
{
    static const char sql[] =
        "SELECT c.id, c.order_id, coalesce(c.tote_id, 0), c.status, o.ref, o.status, "
        "coalesce(t.code, ''), coalesce(c.sscc, ''), c.box FROM cartons c "
        "JOIN orders o ON o.id = c.order_id LEFT JOIN totes t ON t.id = c.tote_id "
        "WHERE c.id = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        c->id = sqlite3_column_int64(st, 0);
        c->order_id = sqlite3_column_int64(st, 1);
        c->tote_id = sqlite3_column_int64(st, 2);
        db__col_text(st, 3, c->status, sizeof(c->status));
        db__col_text(st, 4, c->order, sizeof(c->order));
        db__col_text(st, 5, c->order_status, sizeof(c->order_status));
        db__col_text(st, 6, c->tote, sizeof(c->tote));
        db__col_text(st, 7, c->sscc, sizeof(c->sscc));
        db__col_text(st, 8, c->box, sizeof(c->box));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no carton %lld", (long long)id);
    return rc == SQLITE_ROW ? 0 : db__fail(db, rc, err, "carton");
}

static int pack_open__(wms_db *db, const wms_actor *who, const char *tote, const char *order,
                       wms_carton_info *out, wms_error *err)
{
    static const char q_order[] = "SELECT id, status FROM orders WHERE ref = ?1";
    static const char ins[] =
        "INSERT INTO cartons(order_id, tote_id, status, user, device, "
        "box_proposed, opened) VALUES (?1, ?2, 'open', ?3, ?4, ?5, " NOW_SQL ")";
    int64_t tote_id = 0, order_id = 0;
    int rc;
    wms_tote_info ti;
    if (tote != NULL && tote[0] != '\0') {
        if ((rc = wms_tote_get(db, tote, &ti, err)) < 0)
            return rc;
        if (!strncmp(ti.slot, "wall:", 5) && !strcmp(ti.status, "open"))
            return wms_error_set(err, WMS_ECONFLICT,
                                 "put-wall slot %s (order %s) is not complete yet: pack it when "
                                 "the wall says so",
                                 ti.code, ti.order);
        tote_id = ti.id;
        snprintf(out->tote, sizeof(out->tote), "%s", ti.code);
        order = ti.order;
    }
    sqlite3_stmt *st = db__stmt(db, q_order, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, order);
    rc = sqlite3_step(st);
    char status[16] = "";
    if (rc == SQLITE_ROW) {
        order_id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, status, sizeof(status));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no order %s", order);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "order");
    if (strcmp(status, "picking") && strcmp(status, "picked") && strcmp(status, "packed"))
        return wms_error_set(err, WMS_ECONFLICT, "order %s is %s: nothing to pack", order, status);
    if (tote_id == 0) {
        /* a sort wave's order is packed from its put-wall slot, once sorted
         * and complete */
        static const char q_sort[] =
            "SELECT (SELECT coalesce(sum(qty), 0) FROM picks WHERE order_id = ?1 AND "
            "to_sort = 1) + (SELECT count(*) FROM totes WHERE order_id = ?1 AND "
            "slot LIKE 'wall:%' AND status = 'open')";
        int64_t waiting;
        if ((rc = db__q1(db, q_sort, order_id, &waiting, err)) < 0)
            return rc;
        if (waiting > 0)
            return wms_error_set(err, WMS_ECONFLICT,
                                 "order %s is still being sorted at the put wall: pack it "
                                 "from its slot when the wall says it is complete",
                                 order);
    }
    if ((rc = left_list(db, tote_id, order_id, &out->left, err)) < 0)
        return rc;
    if (out->left.units == 0)
        return wms_error_set(err, WMS_ECONFLICT, "%s%s has nothing left to pack",
                             tote_id ? "tote " : "order ", tote_id ? out->tote : order);
    if ((rc = propose_box(db, tote_id, order_id, out->box, sizeof(out->box), err)) < 0)
        return rc;
    if ((st = db__stmt(db, ins, err)) == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    if (tote_id > 0)
        sqlite3_bind_int64(st, 2, tote_id);
    db__bind_text(st, 3, who->user);
    db__bind_text(st, 4, who->device);
    db__bind_text(st, 5, out->box);
    if ((rc = db__exec_stmt(db, st, err, "open carton")) < 0)
        return rc;
    out->id = sqlite3_last_insert_rowid(db->sql);
    snprintf(out->order, sizeof(out->order), "%s", order);
    snprintf(out->status, sizeof(out->status), "open");
    snprintf(out->order_status, sizeof(out->order_status), "%s", status);
    return 0;
}

int wms_pack_open(wms_db *db, const wms_actor *who, const char *tote, const char *order,
                  wms_carton_info *out, wms_error *err)
{
    memset(out, 0, sizeof(*out));
    if ((tote == NULL || tote[0] == '\0') && (order == NULL || order[0] == '\0'))
        return wms_error_set(err, WMS_EBAD_ARGS, "scan the tote (or name the order)");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = pack_open__(db, who, tote, order, out, err);
    return db__op_end(db, rc, err);
}

/* Packs `units` of the matching picks (item among the code's candidates,
 * lot when the code has one) into carton c, oldest pick first. */
static int pack_units(wms_db *db, const carton_row *c, const wms_resolution *r, int64_t units,
                      wms_pack_scan_result *out, wms_error *err)
{
    static const char q_avail[] =
        "SELECT p.id, p.qty - p.packed, i.sku FROM picks p JOIN items i ON i.id = p.item_id "
        "WHERE " SOURCE_SQL " AND p.item_id = ?3 AND (?4 = '' OR p.lot = ?4) "
        "AND p.qty > p.packed ORDER BY p.id";
    static const char upd[] = "UPDATE picks SET packed = packed + ?2 WHERE id = ?1";
    static const char ins[] = "INSERT INTO carton_lines(carton_id, pick_id, qty) VALUES (?1, ?2, "
                              "?3) ON CONFLICT(carton_id, pick_id) DO UPDATE SET qty = qty + ?3";
    /* First the candidate item that the source holds. */
    int64_t have = 0, item = 0, any_lot = 0;
    char sku[WMS_SKU_MAX + 1] = "";
    for (int k = 0; k < r->n && have == 0; k++) {
        for (int pass = 0; pass < 2; pass++) {
            sqlite3_stmt *st = db__stmt(db, q_avail, err);
            if (st == NULL)
                return err->code;
            sqlite3_bind_int64(st, 1, c->tote_id);
            sqlite3_bind_int64(st, 2, c->order_id);
            sqlite3_bind_int64(st, 3, r->m[k].item_id);
            db__bind_text(st, 4, pass == 0 ? r->lot : "");
            int rc;
            int64_t sum = 0;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                sum += sqlite3_column_int64(st, 1);
                db__col_text(st, 2, sku, sizeof(sku));
            }
            sqlite3_reset(st);
            if (rc != SQLITE_DONE)
                return db__fail(db, rc, err, "pack candidates");
            if (pass == 0) {
                have = sum;
                item = r->m[k].item_id;
            } else {
                any_lot = sum;
            }
            if (r->lot[0] == '\0' || have > 0)
                break;
        }
        if (have > 0)
            break;
        if (any_lot > 0)
            return wms_error_set(err, WMS_ENOT_IN_TOTE,
                                 "lot %s of %s is not in %s: check the goods", r->lot, sku,
                                 c->tote[0] ? c->tote : "this order");
    }
    if (have == 0)
        return wms_error_set(err, WMS_ENOT_IN_TOTE,
                             "%s is not in %s%s (or all of it is packed): put it aside",
                             r->n ? r->m[0].sku : "this item", c->tote[0] ? "tote " : "order ",
                             c->tote[0] ? c->tote : c->order);
    if (units > have)
        return wms_error_set(err, WMS_ENOT_IN_TOTE, "only %lld more of %s %s in %s%s",
                             (long long)have, sku, have == 1 ? "is" : "are",
                             c->tote[0] ? "tote " : "order ", c->tote[0] ? c->tote : c->order);
    snprintf(out->sku, sizeof(out->sku), "%s", sku);
    int64_t rest = units;
    while (rest > 0) {
        sqlite3_stmt *st = db__stmt(db, q_avail, err);
        if (st == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, c->tote_id);
        sqlite3_bind_int64(st, 2, c->order_id);
        sqlite3_bind_int64(st, 3, item);
        db__bind_text(st, 4, r->lot);
        int rc = sqlite3_step(st);
        int64_t pick = 0, room = 0;
        if (rc == SQLITE_ROW) {
            pick = sqlite3_column_int64(st, 0);
            room = sqlite3_column_int64(st, 1);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return rc == SQLITE_DONE ? wms_error_set(err, WMS_ECONFLICT, "picks changed")
                                     : db__fail(db, rc, err, "pack pick");
        int64_t q = room < rest ? room : rest;
        if ((st = db__stmt(db, upd, err)) == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, pick);
        sqlite3_bind_int64(st, 2, q);
        if ((rc = db__exec_stmt(db, st, err, "pack")) < 0)
            return rc;
        if ((st = db__stmt(db, ins, err)) == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, c->id);
        sqlite3_bind_int64(st, 2, pick);
        sqlite3_bind_int64(st, 3, q);
        if ((rc = db__exec_stmt(db, st, err, "carton line")) < 0)
            return rc;
        rest -= q;
    }
    out->units = units;
    return 0;
}

static int pack_scan__(wms_db *db, int64_t carton, const char *code, int64_t packs, char gs_sub,
                       wms_pack_scan_result *out, wms_error *err)
{
    static const char q_units[] =
        "SELECT coalesce(sum(qty), 0) FROM carton_lines WHERE carton_id = ?1";
    carton_row c;
    int rc = carton_load(db, carton, &c, err);
    if (rc < 0)
        return rc;
    if (strcmp(c.status, "open"))
        return wms_error_set(err, WMS_ECLOSED, "carton %lld is %s: open a new one",
                             (long long)carton, c.status);
    wms_resolution r;
    if ((rc = wms_code_resolve(db, code, gs_sub, &r, err)) < 0)
        return rc;
    if (r.kind != WMS_CODE_ITEM || r.n < 1)
        return wms_error_set(err, WMS_ENOT_IN_TOTE, "that is not an item: scan the item");
    /* a shared code: the item the tote holds decides; units per the first */
    int64_t per = r.m[0].units * (r.count > 0 ? r.count : 1);
    if (packs < 1 || packs > WMS_QTY_MAX || per > WMS_QTY_MAX / packs)
        return wms_error_set(err, WMS_EBAD_QTY, "qty: 1 or more scans");
    if ((rc = pack_units(db, &c, &r, per * packs, out, err)) < 0)
        return rc;
    if ((rc = db__q1(db, q_units, carton, &out->carton_units, err)) < 0)
        return rc;
    return left_list(db, c.tote_id, c.order_id, &out->left, err);
}

int wms_pack_scan(wms_db *db, const wms_actor *who, int64_t carton, const char *code, int64_t packs,
                  char gs_sub, wms_pack_scan_result *out, wms_error *err)
{
    (void)who;
    memset(out, 0, sizeof(*out));
    if (code == NULL || code[0] == '\0')
        return wms_error_set(err, WMS_EBAD_ARGS, "code: scan the item");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = pack_scan__(db, carton, code, packs, gs_sub, out, err);
    return db__op_end(db, rc, err);
}

/* Writes the label of carton (sscc, order) into zpl. */
static int label_for(wms_db *db, const char *sscc, int64_t order_id, char *zpl, size_t cap,
                     wms_error *err)
{
    static const char sql[] =
        "SELECT o.ref, o.carrier, o.ship_name, o.ship_street, o.ship_postcode, o.ship_city, "
        "o.ship_country, c.name FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE o.id = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, order_id);
    int rc = sqlite3_step(st);
    char ref[65] = "", carrier[65] = "", name[129] = "", street[129] = "", pc[17] = "",
         city[65] = "", country[65] = "", cust[129] = "";
    if (rc == SQLITE_ROW) {
        db__col_text(st, 0, ref, sizeof(ref));
        db__col_text(st, 1, carrier, sizeof(carrier));
        db__col_text(st, 2, name, sizeof(name));
        db__col_text(st, 3, street, sizeof(street));
        db__col_text(st, 4, pc, sizeof(pc));
        db__col_text(st, 5, city, sizeof(city));
        db__col_text(st, 6, country, sizeof(country));
        db__col_text(st, 7, cust, sizeof(cust));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? wms_error_set(err, WMS_ENOT_FOUND, "order gone")
                                 : db__fail(db, rc, err, "order address");
    char to[600];
    snprintf(to, sizeof(to), "%.40s\n%.40s\n%.16s %.23s\n%.40s", name[0] ? name : cust, street, pc,
             city, country);
    wms_label_sscc l = {.sscc18 = sscc, .ship_to = to, .order_id = ref, .carrier = carrier};
    rc = wms_label_sscc_zpl(&l, zpl, cap, err);
    return rc < 0 ? rc : 0;
}

/* Sets the order 'packed' when picking is over, every picked unit is
 * packed and no carton is open. */
static int order_after_pack(wms_db *db, const wms_actor *who, int64_t order_id, char *status,
                            size_t n, wms_error *err)
{
    static const char q[] =
        "SELECT o.status = 'picked' AND NOT EXISTS (SELECT 1 FROM picks p WHERE p.order_id = o.id "
        "AND p.packed < p.qty) AND NOT EXISTS (SELECT 1 FROM cartons c WHERE c.order_id = o.id "
        "AND c.status = 'open') FROM orders o WHERE o.id = ?1";
    int64_t done;
    int rc = db__q1(db, q, order_id, &done, err);
    if (rc < 0)
        return rc;
    if (done &&
        (rc = wms_order_set_status(db, who, order_id, "packed", "all units packed", err)) < 0)
        return rc;
    return wms_order_status_of(db, order_id, status, n, err);
}

static int pack_close__(wms_db *db, const wms_actor *who, int64_t carton, const char *box,
                        int64_t weight_g, wms_carton_info *out, char *zpl, size_t cap,
                        wms_error *err)
{
    static const char q_units[] =
        "SELECT coalesce(sum(qty), 0) FROM carton_lines WHERE carton_id = ?1";
    /* no box named: the proposed one was used; another one is an override,
     * kept next to the proposal */
    static const char upd[] = "UPDATE cartons SET status = 'closed', sscc = ?2, "
                              "box = CASE WHEN ?3 = '' THEN box_proposed ELSE ?3 END, "
                              "weight_g = ?4, closed = " NOW_SQL " WHERE id = ?1";
    static const char upd_tote[] =
        "UPDATE totes SET status = 'packed', closed = coalesce(closed, " NOW_SQL ") WHERE id = ?1 "
        "AND NOT EXISTS (SELECT 1 FROM picks WHERE tote_id = ?1 AND packed < qty) "
        "AND NOT EXISTS (SELECT 1 FROM tasks t JOIN totes tt ON tt.id = ?1 WHERE "
        "t.order_id = tt.order_id AND t.tote = tt.slot AND t.status IN ('open', 'assigned'))";
    carton_row c;
    int rc = carton_load(db, carton, &c, err);
    if (rc < 0)
        return rc;
    if (strcmp(c.status, "open"))
        return wms_error_set(err, WMS_ECLOSED, "carton %lld is already %s (SSCC %s)",
                             (long long)carton, c.status, c.sscc);
    if ((rc = db__q1(db, q_units, carton, &out->units, err)) < 0)
        return rc;
    if (out->units == 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "carton %lld is empty: scan items first",
                             (long long)carton);
    char prefix[16];
    int ext;
    if ((rc = wms_sscc_config_get(db, prefix, sizeof(prefix), &ext, err)) < 0)
        return rc;
    if (prefix[0] == '\0')
        return wms_error_set(err, WMS_ECONFLICT,
                             "no GS1 company prefix is set for SSCC numbers: "
                             "run `wmsctl sscc prefix DIGITS`");
    int64_t serial;
    if ((rc = db__counter_next(db, "sscc.serial", &serial, err)) < 0 ||
        (rc = wms_sscc_build(ext, prefix, serial, out->sscc, err)) < 0)
        return rc;
    sqlite3_stmt *st = db__stmt(db, upd, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, carton);
    db__bind_text(st, 2, out->sscc);
    db__bind_text(st, 3, box ? box : "");
    if (weight_g > 0)
        sqlite3_bind_int64(st, 4, weight_g);
    if ((rc = db__exec_stmt(db, st, err, "close carton")) < 0)
        return rc;
    if (c.tote_id > 0) {
        if ((st = db__stmt(db, upd_tote, err)) == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, c.tote_id);
        if ((rc = db__exec_stmt(db, st, err, "tote packed")) < 0)
            return rc;
    }
    if ((rc = left_list(db, c.tote_id, c.order_id, &out->left, err)) < 0 ||
        (rc = label_for(db, out->sscc, c.order_id, zpl, cap, err)) < 0 ||
        (rc = order_after_pack(db, who, c.order_id, out->order_status, sizeof(out->order_status),
                               err)) < 0)
        return rc;
    out->id = carton;
    snprintf(out->order, sizeof(out->order), "%s", c.order);
    snprintf(out->tote, sizeof(out->tote), "%s", c.tote);
    snprintf(out->status, sizeof(out->status), "closed");
    snprintf(out->box, sizeof(out->box), "%s", box ? box : "");
    return 0;
}

int wms_pack_close(wms_db *db, const wms_actor *who, int64_t carton, const char *box,
                   int64_t weight_g, wms_carton_info *out, char *zpl, size_t zpl_cap,
                   wms_error *err)
{
    memset(out, 0, sizeof(*out));
    if (zpl == NULL || zpl_cap < 256)
        return wms_error_set(err, WMS_EBAD_ARGS, "label buffer");
    if (box != NULL && strlen(box) > 64)
        return wms_error_set(err, WMS_EBAD_ARGS, "box: at most 64 bytes");
    if (weight_g > 10000000)
        return wms_error_set(err, WMS_EBAD_ARGS, "weight_g: at most 10,000,000 (10 t)");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = pack_close__(db, who, carton, box, weight_g, out, zpl, zpl_cap, err);
    return db__op_end(db, rc, err);
}

int wms_carton_label(wms_db *db, const char *sscc, char *zpl, size_t cap, wms_error *err)
{
    static const char sql[] = "SELECT order_id FROM cartons WHERE sscc = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, sscc);
    int rc = sqlite3_step(st);
    int64_t order_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no carton with SSCC %s", sscc);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "carton");
    return label_for(db, sscc, order_id, zpl, cap, err);
}

/* ------------------------------------------------------------------------ */
/* Shipping                                                                 */
/* ------------------------------------------------------------------------ */

/* Moves carton `id`'s units out of OUTBOUND and marks it shipped. */
static int ship_carton(wms_db *db, const wms_actor *who, int64_t id, const char *ref,
                       int64_t *units, wms_error *err)
{
    static const char q_lines[] =
        "SELECT p.item_id, p.lot, p.expiry, sum(cl.qty) FROM carton_lines cl JOIN picks p ON "
        "p.id = cl.pick_id WHERE cl.carton_id = ?1 GROUP BY p.item_id, p.lot, p.expiry "
        "ORDER BY p.item_id, p.lot, p.expiry LIMIT 1 OFFSET ?2";
    static const char upd[] =
        "UPDATE cartons SET status = 'shipped', shipped = " NOW_SQL " WHERE id = ?1";
    wms_bin out;
    int rc = wms_bin_get(db, WMS_OUTBOUND_BIN, &out, err);
    if (rc < 0)
        return rc;
    for (int k = 0;; k++) {
        sqlite3_stmt *st = db__stmt(db, q_lines, err);
        if (st == NULL)
            return err->code;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, k);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            sqlite3_reset(st);
            break;
        }
        if (rc != SQLITE_ROW) {
            rc = db__fail(db, rc, err, "carton lines");
            sqlite3_reset(st);
            return rc;
        }
        char lot[WMS_LOT_MAX + 1], expiry[16];
        int64_t item = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, lot, sizeof(lot));
        db__col_text(st, 2, expiry, sizeof(expiry));
        int64_t q = sqlite3_column_int64(st, 3);
        sqlite3_reset(st);
        stock_move mv = {.kind = "ship",
                         .item_id = item,
                         .lot = lot,
                         .expiry = expiry,
                         .from = &out,
                         .from_status = "available",
                         .to = NULL,
                         .qty = q,
                         .reason = ref};
        if ((rc = stock__apply(db, who, &mv, NULL, err)) < 0)
            return rc;
        *units += q;
    }
    sqlite3_stmt *st = db__stmt(db, upd, err);
    if (st == NULL)
        return err->code;
    sqlite3_bind_int64(st, 1, id);
    return db__exec_stmt(db, st, err, "ship carton");
}

static int ship__(wms_db *db, const wms_actor *who, const char *sscc, const char *order,
                  wms_ship_result *out, wms_error *err)
{
    static const char q_sscc[] = "SELECT c.id, c.status, c.order_id, o.ref FROM cartons c "
                                 "JOIN orders o ON o.id = c.order_id WHERE c.sscc = ?1";
    static const char q_order[] = "SELECT c.id, c.status, o.id, o.ref FROM orders o "
                                  "LEFT JOIN cartons c ON c.order_id = o.id AND "
                                  "c.status = 'closed' WHERE o.ref = ?1 ORDER BY c.id";
    static const char q_done[] =
        "SELECT o.status = 'packed' AND NOT EXISTS (SELECT 1 FROM cartons c WHERE c.order_id = "
        "o.id AND c.status <> 'shipped') FROM orders o WHERE o.id = ?1";
    int by_sscc = sscc != NULL && sscc[0] != '\0';
    sqlite3_stmt *st = db__stmt(db, by_sscc ? q_sscc : q_order, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, by_sscc ? sscc : order);
    int64_t ids[256];
    int n = 0, rc, found = 0;
    int64_t order_id = 0;
    char status[12] = "";
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        found = 1;
        order_id = sqlite3_column_int64(st, 2);
        db__col_text(st, 3, out->order, sizeof(out->order));
        if (sqlite3_column_type(st, 0) == SQLITE_NULL)
            continue;
        db__col_text(st, 1, status, sizeof(status));
        if (n < (int)(sizeof(ids) / sizeof(ids[0])))
            ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "cartons to ship");
    if (!found)
        return wms_error_set(err, WMS_ENOT_FOUND,
                             by_sscc ? "no carton with SSCC %s" : "no order %s",
                             by_sscc ? sscc : order);
    if (by_sscc && strcmp(status, "closed"))
        return wms_error_set(err, WMS_ECONFLICT, "carton %s is %s: %s", sscc, status,
                             !strcmp(status, "open") ? "close it first" : "already shipped");
    if (n == 0)
        return wms_error_set(err, WMS_ECONFLICT, "order %s has no closed carton to ship", order);
    for (int i = 0; i < n; i++)
        if ((rc = ship_carton(db, who, ids[i], out->order, &out->units, err)) < 0)
            return rc;
    out->cartons = n;
    int64_t done;
    if ((rc = db__q1(db, q_done, order_id, &done, err)) < 0)
        return rc;
    char detail[96];
    snprintf(detail, sizeof(detail), "%d carton(s), %lld units", n, (long long)out->units);
    if (done) {
        if ((rc = wms_order_set_status(db, who, order_id, "shipped", detail, err)) < 0)
            return rc;
        snprintf(out->order_status, sizeof(out->order_status), "shipped");
    } else {
        int64_t ev = wms_event_add(db, who, WMS_EV_SHIPMENT, order_id, NULL, detail, err);
        if (ev < 0)
            return (int)ev;
        if ((rc = wms_order_status_of(db, order_id, out->order_status, sizeof(out->order_status),
                                      err)) < 0)
            return rc;
    }
    return 0;
}

int wms_ship_confirm(wms_db *db, const wms_actor *who, const char *sscc, const char *order,
                     wms_ship_result *out, wms_error *err)
{
    memset(out, 0, sizeof(*out));
    if ((sscc == NULL || sscc[0] == '\0') && (order == NULL || order[0] == '\0'))
        return wms_error_set(err, WMS_EBAD_ARGS, "scan the carton's SSCC (or name the order)");
    char norm[19];
    if (sscc != NULL && sscc[0] != '\0') {
        if (wms_sscc_normalize(sscc, norm, err) < 0)
            return err->code;
        sscc = norm;
    }
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    rc = ship__(db, who, sscc, order, out, err);
    return db__op_end(db, rc, err);
}
