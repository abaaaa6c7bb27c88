/* location.c - the layout (aisles, cross aisles, depot) and bins. */
#include "store/db.h"
#include "store/catalog.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void bind_num(sqlite3_stmt *st, int idx, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, idx);
    else
        sqlite3_bind_double(st, idx, v);
}

static double col_num(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

static int num_eq(double a, double b)
{
    return (isnan(a) && isnan(b)) || (!isnan(a) && !isnan(b) && fabs(a - b) < 1e-9);
}

static int layout_put__(wms_db *db, const char *kind, const char *id, double x, double y,
                        double len, int update, wms_error *err)
{
    static const char q[] = "SELECT x_m, y_m, length_m FROM layout WHERE kind = ?1 AND id = ?2";
    sqlite3_stmt *st = db__stmt(db, q, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, kind);
    db__bind_text(st, 2, id);
    int rc = sqlite3_step(st), exists = 0;
    if (rc == SQLITE_ROW) {
        exists = 1;
        int same =
            num_eq(col_num(st, 0), x) && num_eq(col_num(st, 1), y) && num_eq(col_num(st, 2), len);
        sqlite3_reset(st);
        if (same)
            return WMS_PUT_UNCHANGED;
        if (!update)
            return wms_error_set(err, WMS_ECONFLICT,
                                 "layout %s %s already exists with different values (use "
                                 "--update)",
                                 kind, id);
    } else {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return db__fail(db, rc, err, "layout lookup");
    }
    if (!strcmp(kind, "depot") && !exists) {
        static const char one[] = "SELECT count(*) FROM layout WHERE kind = 'depot'";
        st = db__stmt(db, one, err);
        if (st == NULL)
            return err ? err->code : WMS_ESTORAGE;
        rc = sqlite3_step(st);
        int64_t n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (n > 0)
            return wms_error_set(err, WMS_ECONFLICT, "the layout has a depot already");
    }
    static const char ins[] =
        "INSERT INTO layout(kind, id, x_m, y_m, length_m) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT(kind, id) DO UPDATE SET x_m = excluded.x_m, y_m = excluded.y_m, "
        "length_m = excluded.length_m";
    st = db__stmt(db, ins, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, kind);
    db__bind_text(st, 2, id);
    bind_num(st, 3, x);
    bind_num(st, 4, y);
    bind_num(st, 5, len);
    if ((rc = db__exec_stmt(db, st, err, "store layout")) < 0)
        return rc;
    return exists ? WMS_PUT_UPDATED : WMS_PUT_INSERTED;
}

int wms_layout_put(wms_db *db, const char *kind, const char *id, double x, double y, double len,
                   int update, wms_error *err)
{
    if (kind == NULL || (strcmp(kind, "depot") && strcmp(kind, "aisle") && strcmp(kind, "cross")))
        return wms_error_set(err, WMS_EBAD_ARGS, "layout kind '%s' is not depot, aisle or cross",
                             kind ? kind : "");
    if (!catalog__valid_key(id, 32))
        return wms_error_set(err, WMS_EBAD_ARGS, "layout id '%s' is empty or not valid",
                             id ? id : "");
    if (!strcmp(kind, "aisle") && (isnan(x) || isnan(len) || len <= 0 || len > 10000))
        return wms_error_set(err, WMS_EBAD_ARGS, "aisle %s needs x_m and a length_m above 0", id);
    if (!strcmp(kind, "cross") && (isnan(y) || y <= 0))
        return wms_error_set(err, WMS_EBAD_ARGS, "cross aisle %s needs y_m above 0", id);
    if (!strcmp(kind, "depot") && isnan(x))
        return wms_error_set(err, WMS_EBAD_ARGS, "the depot needs x_m");
    if ((!isnan(x) && fabs(x) > 100000) || (!isnan(y) && fabs(y) > 100000))
        return wms_error_set(err, WMS_EBAD_ARGS, "layout %s %s: position out of range", kind, id);
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    return db__op_end(db, layout_put__(db, kind, id, x, y, len, update, err), err);
}

int wms_bin_get(wms_db *db, const char *code, wms_bin *out, wms_error *err)
{
    static const char sql[] = "SELECT id, code, zone, type, aisle, y_m, level, capacity, "
                              "blocked FROM bins WHERE code = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, code);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return wms_error_set(err, WMS_ENOT_FOUND, "no bin '%.64s'", code ? code : "");
        return db__fail(db, rc, err, "bin lookup");
    }
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    db__col_text(st, 1, out->code, sizeof(out->code));
    db__col_text(st, 2, out->zone, sizeof(out->zone));
    db__col_text(st, 3, out->type, sizeof(out->type));
    db__col_text(st, 4, out->aisle, sizeof(out->aisle));
    out->y_m = sqlite3_column_double(st, 5);
    out->level = sqlite3_column_int64(st, 6);
    out->capacity = sqlite3_column_int64(st, 7);
    out->blocked = sqlite3_column_int(st, 8);
    sqlite3_reset(st);
    return 0;
}

static int bin_put__(wms_db *db, const wms_bin *b, int update, wms_error *err)
{
    static const char aisle[] = "SELECT length_m FROM layout WHERE kind = 'aisle' AND id = ?1";
    sqlite3_stmt *st = db__stmt(db, aisle, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, b->aisle);
    int rc = sqlite3_step(st);
    double len = rc == SQLITE_ROW ? sqlite3_column_double(st, 0) : NAN;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND,
                             "bin %s: aisle '%s' is not in the layout (import the layout first)",
                             b->code, b->aisle);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "aisle lookup");
    if (!(b->y_m > 0 && b->y_m < len))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "bin %s: y_m %.2f is not inside aisle %s (0 < y_m < %.2f)", b->code,
                             b->y_m, b->aisle, len);
    wms_bin cur;
    memset(&cur, 0, sizeof(cur));
    rc = wms_bin_get(db, b->code, &cur, NULL);
    if (rc == 0) {
        if (!strcmp(cur.zone, b->zone) && !strcmp(cur.type, b->type) &&
            !strcmp(cur.aisle, b->aisle) && fabs(cur.y_m - b->y_m) < 1e-9 &&
            cur.level == b->level && cur.capacity == b->capacity && cur.blocked == b->blocked)
            return WMS_PUT_UNCHANGED;
        if (!update)
            return wms_error_set(err, WMS_ECONFLICT,
                                 "bin %s already exists with different values (use --update)",
                                 b->code);
    }
    static const char ins[] =
        "INSERT INTO bins(code, zone, type, aisle, y_m, level, capacity, blocked) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(code) DO UPDATE SET "
        "zone = excluded.zone, type = excluded.type, aisle = excluded.aisle, y_m = excluded.y_m, "
        "level = excluded.level, capacity = excluded.capacity, blocked = excluded.blocked";
    st = db__stmt(db, ins, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, b->code);
    db__bind_text(st, 2, b->zone);
    db__bind_text(st, 3, b->type);
    db__bind_text(st, 4, b->aisle);
    sqlite3_bind_double(st, 5, b->y_m);
    sqlite3_bind_int64(st, 6, b->level);
    sqlite3_bind_int64(st, 7, b->capacity);
    sqlite3_bind_int(st, 8, b->blocked ? 1 : 0);
    if ((rc = db__exec_stmt(db, st, err, "store bin")) < 0)
        return rc;
    return cur.id ? WMS_PUT_UPDATED : WMS_PUT_INSERTED;
}

int wms_bin_put(wms_db *db, const wms_bin *b, int update, wms_error *err)
{
    static const char *const types[] = {"pick", "reserve", "staging", "dock", "quarantine"};
    int ok = 0;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        ok |= !strcmp(b->type, types[i]);
    if (!catalog__valid_key(b->code, WMS_SKU_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "bin code '%s' is empty, too long or has spaces",
                             b->code);
    if (!ok)
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "bin %s: type '%s' is not pick, reserve, staging, dock or quarantine",
                             b->code, b->type);
    if (!catalog__valid_key(b->zone, 32))
        return wms_error_set(err, WMS_EBAD_ARGS, "bin %s: zone '%s' is not valid", b->code,
                             b->zone);
    if (b->capacity < 0 || b->capacity > WMS_QTY_MAX || b->level < 0 || b->level > 1000 ||
        isnan(b->y_m))
        return wms_error_set(err, WMS_EBAD_ARGS, "bin %s: capacity, level or y_m out of range",
                             b->code);
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    db__cache_clear(db);
    return db__op_end(db, bin_put__(db, b, update, err), err);
}
