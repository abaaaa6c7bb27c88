/* catalog.c - items, pack levels, barcodes, internal codes and code resolution. */
#include "store/db.h"
#include "store/catalog.h"
#include "domain/gs1.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int valid_level(const char *level)
{
    return level != NULL && (!strcmp(level, "each") || !strcmp(level, "inner") ||
                             !strcmp(level, "case") || !strcmp(level, "pallet"));
}

/* Printable ASCII without spaces: what a key (SKU, bin, code) may hold. */
int catalog__valid_key(const char *s, size_t max)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

/* UTF-8 text without control characters, at most max bytes. */
int catalog__valid_text(const char *s, size_t max)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

static int64_t col_opt(sqlite3_stmt *st, int col, int64_t absent)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? absent : sqlite3_column_int64(st, col);
}

static void bind_opt(sqlite3_stmt *st, int idx, int64_t v, int64_t absent)
{
    if (v == absent)
        sqlite3_bind_null(st, idx);
    else
        sqlite3_bind_int64(st, idx, v);
}

int wms_item_get(wms_db *db, const char *sku, wms_item *out, wms_error *err)
{
    static const char sql[] = "SELECT id, sku, description, uom, length_mm, width_mm, height_mm, "
                              "weight_g, shelf_life_days FROM items WHERE sku = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, sku);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return wms_error_set(err, WMS_ENOT_FOUND, "no item with SKU '%s'", sku ? sku : "");
    }
    if (rc != SQLITE_ROW) {
        rc = db__fail(db, rc, err, "item lookup");
        sqlite3_reset(st);
        return rc;
    }
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    db__col_text(st, 1, out->sku, sizeof(out->sku));
    db__col_text(st, 2, out->description, sizeof(out->description));
    db__col_text(st, 3, out->uom, sizeof(out->uom));
    out->length_mm = col_opt(st, 4, 0);
    out->width_mm = col_opt(st, 5, 0);
    out->height_mm = col_opt(st, 6, 0);
    out->weight_g = col_opt(st, 7, 0);
    out->shelf_life_days = col_opt(st, 8, -1);
    sqlite3_reset(st);
    return 0;
}

static int item_same(const wms_item *a, const wms_item *b)
{
    return !strcmp(a->description, b->description) && !strcmp(a->uom, b->uom) &&
           a->length_mm == b->length_mm && a->width_mm == b->width_mm &&
           a->height_mm == b->height_mm && a->weight_g == b->weight_g &&
           a->shelf_life_days == b->shelf_life_days;
}

static int item_put__(wms_db *db, const wms_item *it, int update, wms_error *err)
{
    wms_item cur;
    memset(&cur, 0, sizeof(cur));
    int rc = wms_item_get(db, it->sku, &cur, NULL);
    int existed = rc == 0;
    if (rc == 0 && item_same(&cur, it))
        return WMS_PUT_UNCHANGED;
    if (rc == 0 && !update)
        return wms_error_set(err, WMS_ECONFLICT,
                             "item %s already exists with different values (use --update)",
                             it->sku);
    if (rc < 0 && rc != WMS_ENOT_FOUND)
        return wms_item_get(db, it->sku, &cur, err);
    static const char ins[] =
        "INSERT INTO items(sku, description, uom, length_mm, width_mm, height_mm, weight_g, "
        "shelf_life_days) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(sku) DO UPDATE SET "
        "description = excluded.description, uom = excluded.uom, length_mm = excluded.length_mm, "
        "width_mm = excluded.width_mm, height_mm = excluded.height_mm, "
        "weight_g = excluded.weight_g, shelf_life_days = excluded.shelf_life_days";
    sqlite3_stmt *st = db__stmt(db, ins, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, it->sku);
    db__bind_text(st, 2, it->description);
    db__bind_text(st, 3, it->uom);
    bind_opt(st, 4, it->length_mm, 0);
    bind_opt(st, 5, it->width_mm, 0);
    bind_opt(st, 6, it->height_mm, 0);
    bind_opt(st, 7, it->weight_g, 0);
    bind_opt(st, 8, it->shelf_life_days, -1);
    if ((rc = db__exec_stmt(db, st, err, "store item")) < 0)
        return rc;
    if (!existed) {
        /* A new item always has its unit pack level. */
        static const char each[] = "INSERT OR IGNORE INTO packs(item_id, level, units) "
                                   "SELECT id, 'each', 1 FROM items WHERE sku = ?1";
        st = db__stmt(db, each, err);
        if (st == NULL)
            return err ? err->code : WMS_ESTORAGE;
        db__bind_text(st, 1, it->sku);
        if ((rc = db__exec_stmt(db, st, err, "store pack")) < 0)
            return rc;
        return WMS_PUT_INSERTED;
    }
    return WMS_PUT_UPDATED;
}

int wms_item_put(wms_db *db, const wms_item *it, int update, wms_error *err)
{
    if (!catalog__valid_key(it->sku, WMS_SKU_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "SKU '%s' is empty, too long or has spaces",
                             it->sku);
    if (!catalog__valid_text(it->description, 256) || !catalog__valid_text(it->uom, 16))
        return wms_error_set(err, WMS_EBAD_ARGS, "item %s: description or uom not valid text",
                             it->sku);
    if (it->length_mm < 0 || it->width_mm < 0 || it->height_mm < 0 || it->weight_g < 0 ||
        it->length_mm > 100000 || it->width_mm > 100000 || it->height_mm > 100000 ||
        it->weight_g > 10000000 || it->shelf_life_days < -1 || it->shelf_life_days > 36500)
        return wms_error_set(err, WMS_EBAD_ARGS, "item %s: size, weight or shelf life out of range",
                             it->sku);
    wms_item norm = *it;
    if (norm.uom[0] == '\0')
        snprintf(norm.uom, sizeof(norm.uom), "EA");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    db__cache_clear(db);
    return db__op_end(db, item_put__(db, &norm, update, err), err);
}

int catalog__pack_units(wms_db *db, int64_t item_id, const char *level, int64_t *units,
                        wms_error *err)
{
    static const char sql[] = "SELECT units FROM packs WHERE item_id = ?1 AND level = ?2";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, item_id);
    db__bind_text(st, 2, level);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *units = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = WMS_ENOT_FOUND;
    } else {
        rc = db__fail(db, rc, err, "pack lookup");
    }
    sqlite3_reset(st);
    return rc;
}

static int pack_put__(wms_db *db, const wms_item *it, const char *level, int64_t units, int update,
                      wms_error *err)
{
    int64_t cur = 0;
    int rc = catalog__pack_units(db, it->id, level, &cur, err);
    if (rc == 0 && cur == units)
        return WMS_PUT_UNCHANGED;
    if (rc == 0 && !update)
        return wms_error_set(err, WMS_ECONFLICT,
                             "item %s: %s pack is stored as %lld units, not %lld (use --update)",
                             it->sku, level, (long long)cur, (long long)units);
    if (rc < 0 && rc != WMS_ENOT_FOUND)
        return rc;
    static const char sql[] = "INSERT INTO packs(item_id, level, units) VALUES (?1, ?2, ?3) "
                              "ON CONFLICT(item_id, level) DO UPDATE SET units = excluded.units";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, it->id);
    db__bind_text(st, 2, level);
    sqlite3_bind_int64(st, 3, units);
    int was_new = rc == WMS_ENOT_FOUND;
    if ((rc = db__exec_stmt(db, st, err, "store pack")) < 0)
        return rc;
    return was_new ? WMS_PUT_INSERTED : WMS_PUT_UPDATED;
}

int wms_pack_put(wms_db *db, const char *sku, const char *level, int64_t units, int update,
                 wms_error *err)
{
    if (!valid_level(level))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "pack level '%s' is not one of each, inner, case, pallet",
                             level ? level : "");
    if (units < 1 || units > 10000000)
        return wms_error_set(err, WMS_EBAD_QTY, "pack units %lld out of range 1..10000000",
                             (long long)units);
    if (!strcmp(level, "each") && units != 1)
        return wms_error_set(err, WMS_EBAD_QTY, "the 'each' level is always 1 unit");
    wms_item it;
    int rc = wms_item_get(db, sku, &it, err);
    if (rc < 0)
        return rc;
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    db__cache_clear(db);
    return db__op_end(db, pack_put__(db, &it, level, units, update, err), err);
}

/* Normalises a code for storage and lookup: GTIN-shaped digit strings must
 * carry a valid check digit and become GTIN-14; other codes are kept. */
int catalog__code_key(const char *code, char *key, size_t n, wms_error *err)
{
    if (!catalog__valid_key(code, WMS_CODE_MAX))
        return wms_error_set(err, WMS_EBAD_BARCODE,
                             "code '%.40s' is empty, too long or has spaces or control characters",
                             code ? code : "");
    size_t len = strlen(code), digits = 0;
    while (digits < len && isdigit((unsigned char)code[digits]))
        digits++;
    if (digits == len && (len == 8 || len == 12 || len == 13 || len == 14)) {
        char g[15];
        if (wms_gtin_normalize(code, g) < 0) {
            int want = wms_gs1_check_digit(code, len - 1);
            return wms_error_set(err, WMS_EBAD_CHECK_DIGIT,
                                 "code %s: check digit should be %d: rescan or check the label",
                                 code, want);
        }
        snprintf(key, n, "%s", g);
        return 0;
    }
    snprintf(key, n, "%s", code);
    return 0;
}

static int barcode_put__(wms_db *db, const char *key, const wms_item *it, const char *level,
                         int update, wms_error *err)
{
    static const char q[] = "SELECT item_id, level FROM barcodes WHERE code = ?1";
    sqlite3_stmt *st = db__stmt(db, q, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, key);
    int others = 0, same = 0, rc;
    char cur_level[8] = "";
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_int64(st, 0) == it->id) {
            same = 1;
            db__col_text(st, 1, cur_level, sizeof(cur_level));
        } else {
            others++;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "barcode lookup");
    if (same && !strcmp(cur_level, level))
        return WMS_PUT_UNCHANGED;
    if (same && !update)
        return wms_error_set(err, WMS_ECONFLICT,
                             "code %s is stored for %s as %s, not %s (use --update)", key, it->sku,
                             cur_level, level);
    int64_t units;
    if ((rc = catalog__pack_units(db, it->id, level, &units, err)) < 0)
        return rc == WMS_ENOT_FOUND ? wms_error_set(err, WMS_ENOT_FOUND,
                                                    "item %s has no %s pack level: import "
                                                    "packs first",
                                                    it->sku, level)
                                    : rc;
    static const char ins[] = "INSERT INTO barcodes(code, item_id, level) VALUES (?1, ?2, ?3) "
                              "ON CONFLICT(code, item_id) DO UPDATE SET level = excluded.level";
    st = db__stmt(db, ins, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, it->id);
    db__bind_text(st, 3, level);
    if ((rc = db__exec_stmt(db, st, err, "store barcode")) < 0)
        return rc;
    if (same)
        return WMS_PUT_UPDATED;
    return others > 0 ? WMS_PUT_AMBIGUOUS : WMS_PUT_INSERTED;
}

int wms_barcode_put(wms_db *db, const char *code, const char *sku, const char *level, int update,
                    wms_error *err)
{
    char key[WMS_CODE_MAX + 1];
    if (level == NULL || level[0] == '\0')
        level = "each";
    if (!valid_level(level))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "pack level '%s' is not one of each, inner, case, pallet", level);
    int rc = catalog__code_key(code, key, sizeof(key), err);
    if (rc < 0)
        return rc;
    wms_item it;
    if ((rc = wms_item_get(db, sku, &it, err)) < 0)
        return rc;
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    db__cache_clear(db);
    return db__op_end(db, barcode_put__(db, key, &it, level, update, err), err);
}

static int internal_code__(wms_db *db, const wms_item *it, char out[14], wms_error *err)
{
    static const char q[] = "SELECT code FROM barcodes WHERE item_id = ?1 AND internal = 1";
    sqlite3_stmt *st = db__stmt(db, q, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, it->id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char key[15];
        db__col_text(st, 0, key, sizeof(key));
        sqlite3_reset(st);
        memcpy(out, key + 1, 14); /* stored as GTIN-14 with a leading 0 */
        return WMS_PUT_UNCHANGED;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "internal code lookup");
    /* Next serial; skip any number some imported code already uses. */
    for (int tries = 0; tries < 1000; tries++) {
        int64_t seq;
        if ((rc = db__counter_next(db, "internal_code", &seq, err)) < 0)
            return rc;
        char code[14], key[15];
        if ((rc = wms_gs1_rcn_make("20", (uint64_t)seq, code)) < 0)
            return wms_error_set(err, rc, "internal code space exhausted");
        snprintf(key, sizeof(key), "0%s", code);
        static const char used[] = "SELECT 1 FROM barcodes WHERE code = ?1 OR code = ?2";
        st = db__stmt(db, used, err);
        if (st == NULL)
            return err ? err->code : WMS_ESTORAGE;
        db__bind_text(st, 1, key);
        db__bind_text(st, 2, code);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_ROW)
            continue;
        if (rc != SQLITE_DONE)
            return db__fail(db, rc, err, "internal code lookup");
        static const char ins[] =
            "INSERT INTO barcodes(code, item_id, level, internal) VALUES (?1, ?2, 'each', 1)";
        st = db__stmt(db, ins, err);
        if (st == NULL)
            return err ? err->code : WMS_ESTORAGE;
        db__bind_text(st, 1, key);
        sqlite3_bind_int64(st, 2, it->id);
        if ((rc = db__exec_stmt(db, st, err, "store internal code")) < 0)
            return rc;
        memcpy(out, code, 14);
        return WMS_PUT_INSERTED;
    }
    return wms_error_set(err, WMS_ECONFLICT, "no free internal code found");
}

int wms_item_internal_code(wms_db *db, const char *sku, char out[14], wms_error *err)
{
    wms_item it;
    int rc = wms_item_get(db, sku, &it, err);
    if (rc < 0)
        return rc;
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    db__cache_clear(db);
    return db__op_end(db, internal_code__(db, &it, out, err), err);
}

/* Fills r->m with the items a stored code key maps to. */
static int lookup_key(wms_db *db, const char *key, wms_resolution *r, wms_error *err)
{
    static const char sql[] = "SELECT i.id, i.sku, i.description, b.level, p.units FROM barcodes b "
                              "JOIN items i ON i.id = b.item_id "
                              "JOIN packs p ON p.item_id = b.item_id AND p.level = b.level "
                              "WHERE b.code = ?1 ORDER BY i.sku LIMIT 16";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, key);
    int rc;
    r->n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && r->n < WMS_RESOLVE_MAX) {
        wms_code_match *m = &r->m[r->n++];
        m->item_id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, m->sku, sizeof(m->sku));
        db__col_text(st, 2, m->description, sizeof(m->description));
        db__col_text(st, 3, m->level, sizeof(m->level));
        m->units = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db__fail(db, rc, err, "barcode lookup");
    return r->n;
}

static int lookup_bin(wms_db *db, const char *code, wms_resolution *r)
{
    wms_bin b;
    if (wms_bin_get(db, code, &b, NULL) < 0)
        return 0;
    r->kind = WMS_CODE_BIN;
    snprintf(r->bin, sizeof(r->bin), "%s", b.code);
    return 1;
}

static int resolve__(wms_db *db, const char *code, char gs_sub, wms_resolution *r, wms_error *err)
{
    memset(r, 0, sizeof(*r));
    r->count = 1;
    size_t len = code != NULL ? strlen(code) : 0;
    if (len == 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "empty code");
    if (len > WMS_GS1_MAX_INPUT)
        return wms_error_set(err, WMS_ETOO_LARGE, "code is longer than %d characters",
                             WMS_GS1_MAX_INPUT);
    /* Bins and plain (non-GS1) codes are looked up as scanned first. */
    int rc;
    if (catalog__valid_key(code, WMS_CODE_MAX)) {
        if (lookup_bin(db, code, r))
            return 0;
    }
    wms_gs1 g;
    wms_gs1_opts o = {.gs_substitute = gs_sub, .current_year = 0};
    wms_error gerr;
    wms_error_clear(&gerr);
    rc = wms_gs1_parse(code, len, &o, &g, &gerr);
    if (rc == WMS_EBAD_CHECK_DIGIT)
        return wms_error_set(err, rc, "%s", gerr.msg);
    if (rc == 0) {
        r->gs1 = g.n_ais > 0;
        snprintf(r->symbology, sizeof(r->symbology), "%s", g.symbology);
        snprintf(r->lot, sizeof(r->lot), "%s", g.lot);
        snprintf(r->serial, sizeof(r->serial), "%s", g.serial);
        snprintf(r->sscc, sizeof(r->sscc), "%s", g.sscc);
        snprintf(r->expiry, sizeof(r->expiry), "%s", g.expiry[0] ? g.expiry : g.best_before);
        if (g.has_count) {
            if (g.count < 1 || g.count > WMS_QTY_MAX)
                return wms_error_set(err, WMS_EBAD_QTY, "count %ld in the code is not valid",
                                     g.count);
            r->count = g.count;
        }
        const char *gtin = g.gtin[0] ? g.gtin : g.content_gtin;
        if (gtin[0] == '\0') {
            if (g.sscc[0]) {
                r->kind = WMS_CODE_SSCC;
                snprintf(r->key, sizeof(r->key), "%s", g.sscc);
                return 0;
            }
            return wms_error_set(err, WMS_EUNKNOWN_CODE,
                                 "code %.60s carries no GTIN or SSCC: scan the item barcode", code);
        }
        snprintf(r->key, sizeof(r->key), "%s", gtin);
        if ((rc = lookup_key(db, gtin, r, err)) < 0)
            return rc;
        if (rc == 0)
            return wms_error_set(err, WMS_EUNKNOWN_CODE, "GTIN %s is not known", gtin);
    } else {
        /* Not GS1: a plain code as stored (internal or proprietary). */
        if (!catalog__valid_key(code, WMS_CODE_MAX))
            return wms_error_set(err, WMS_EBAD_BARCODE, "%s", gerr.msg);
        snprintf(r->key, sizeof(r->key), "%s", code);
        if ((rc = lookup_key(db, code, r, err)) < 0)
            return rc;
        if (rc == 0)
            return wms_error_set(err, WMS_EUNKNOWN_CODE, "code %.60s is not known", code);
    }
    r->kind = WMS_CODE_ITEM;
    if (r->n == 1) {
        if (r->m[0].units > WMS_QTY_MAX / r->count)
            return wms_error_set(err, WMS_EBAD_QTY, "the code books too many units");
        r->qty = r->m[0].units * r->count;
    }
    return 0;
}

int wms_resolution_pick(const wms_resolution *r, const char *sku, wms_error *err)
{
    if (r->kind != WMS_CODE_ITEM || r->n == 0)
        return wms_error_set(err, WMS_EUNKNOWN_CODE, "code %s is not an item", r->key);
    if (sku == NULL || sku[0] == '\0') {
        if (r->n == 1)
            return 0;
        char list[200] = "";
        size_t used = 0;
        for (int i = 0; i < r->n && used < sizeof(list) - 1; i++)
            used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                                     r->m[i].sku);
        return wms_error_set(err, WMS_EAMBIGUOUS_CODE,
                             "code %s belongs to %d items (%s): choose the item", r->key, r->n,
                             list);
    }
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->m[i].sku, sku))
            return i;
    return wms_error_set(err, WMS_EBAD_ARGS, "code %s does not belong to item %s", r->key, sku);
}

int wms_item_label_code(wms_db *db, const char *sku, char *code, size_t n, wms_error *err)
{
    wms_item it;
    int rc = wms_item_get(db, sku, &it, err);
    if (rc < 0)
        return rc;
    /* A unit-level code that only this item uses, GTINs first. */
    static const char q[] =
        "SELECT b.code, b.internal FROM barcodes b WHERE b.item_id = ?1 AND b.level = 'each' "
        "AND NOT EXISTS (SELECT 1 FROM barcodes o WHERE o.code = b.code AND o.item_id <> ?1) "
        "ORDER BY b.internal, length(b.code) <> 14, b.code LIMIT 1";
    sqlite3_stmt *st = db__stmt(db, q, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, it.id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        db__col_text(st, 0, code, n);
        int internal = sqlite3_column_int(st, 1);
        sqlite3_reset(st);
        return internal ? 1 : 0;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "barcode lookup");
    char rcn[14];
    if ((rc = wms_item_internal_code(db, sku, rcn, err)) < 0)
        return rc;
    snprintf(code, n, "0%s", rcn);
    return 1;
}

/* A direct-mapped cache of successful resolutions: scans repeat a small set
 * of codes all day.  Cleared on every catalog change (db__cache_clear). */
struct db__resolve_slot {
    char code[WMS_CODE_MAX + 1];
    char gs_sub;
    int used;
    wms_resolution r;
};

static uint32_t code_hash(const char *s, char gs)
{
    uint32_t h = 2166136261u ^ (unsigned char)gs;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int wms_code_resolve(wms_db *db, const char *code, char gs_sub, wms_resolution *r, wms_error *err)
{
    size_t len = code != NULL ? strlen(code) : 0;
    struct db__resolve_slot *slot = NULL;
    if (len > 0 && len <= WMS_CODE_MAX) {
        if (db->resolve == NULL)
            db->resolve = calloc(DB__RESOLVE_SLOTS, sizeof(*db->resolve));
        if (db->resolve != NULL) {
            slot = &db->resolve[code_hash(code, gs_sub) % DB__RESOLVE_SLOTS];
            if (slot->used && slot->gs_sub == gs_sub && !strcmp(slot->code, code)) {
                *r = slot->r;
                return 0;
            }
        }
    }
    int rc = resolve__(db, code, gs_sub, r, err);
    /* Only a code whose meaning is fixed by the catalog is cached. */
    if (rc == 0 && slot != NULL && db->resolve != NULL) {
        memcpy(slot->code, code, len + 1);
        slot->gs_sub = gs_sub;
        slot->r = *r;
        slot->used = 1;
    }
    return rc;
}
