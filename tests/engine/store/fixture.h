/* fixture.h - a small warehouse for store tests (header-only, test use). */
#ifndef WMS_TEST_STORE_FIXTURE_H
#define WMS_TEST_STORE_FIXTURE_H

#include "helpers.h"
#include "wms.h"
#include "store/wave.h"

#include <math.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fx {
    char dir[512];
    char path[600];
    wms_db *db;
    wms_error err;
} fx;

/* Imports CSV text of `kind`; returns wms_import's result. */
static inline int fx_import(fx *f, const char *kind, const char *csv, int update)
{
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    assert_non_null(in);
    wms_import_stats st;
    wms_actor who = {"test", "fx", NULL};
    wms_error_clear(&f->err);
    int rc = wms_import(f->db, &who, kind, in, update, &st, &f->err);
    fclose(in);
    return rc;
}

/* Opens a fresh database and loads: 2 aisles, 5 bins, items A (case 24,
 * EAN-13 + case GTIN-14), B (no code), C and D sharing a code. */
static inline int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    th_mkdtemp(f->dir, sizeof(f->dir), "store");
    snprintf(f->path, sizeof(f->path), "%s/wms.db", f->dir);
    assert_int_equal(wms_db_open(f->path, WMS_DB_CREATE, &f->db, &f->err), 0);
    assert_int_equal(wms_db_set_today(f->db, "2026-11-23"), 0);
    assert_int_equal(fx_import(f, "layout",
                               "kind,id,x_m,y_m,length_m\n"
                               "depot,D,0,,\n"
                               "aisle,A1,0,,20\n"
                               "aisle,A2,5,,20\n",
                               0),
                     0);
    assert_int_equal(fx_import(f, "bins",
                               "code,zone,type,aisle,y_m,capacity,blocked\n"
                               "P1,Z1,pick,A1,2,100,0\n"
                               "P2,Z1,pick,A1,4,0,0\n"
                               "R1,Z1,reserve,A2,10,0,0\n"
                               "Q1,Z1,quarantine,A2,12,0,0\n"
                               "X1,Z1,pick,A2,14,0,1\n",
                               0),
                     0);
    assert_int_equal(fx_import(f, "items",
                               "sku,description,uom,shelf_life_days\n"
                               "A,Apple juice 1l,EA,365\n"
                               "B,Bag of nails,EA,\n"
                               "C,Cola can,EA,\n"
                               "D,Diet cola can,EA,\n",
                               0),
                     0);
    assert_int_equal(fx_import(f, "packs", "sku,level,units\nA,case,24\nA,inner,6\n", 0), 0);
    /* 4006381333931 is a valid EAN-13 (check 1); its case GTIN-14
     * 14006381333938: 1400638133393 weighted 3,1,.. from the right sums to
     * 72 -> check 8. */
    assert_int_equal(fx_import(f, "barcodes",
                               "code,sku,level\n"
                               "4006381333931,A,each\n"
                               "14006381333938,A,case\n"
                               "CAN-42,C,each\n"
                               "CAN-42,D,each\n",
                               0),
                     0);
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    fx *f = *state;
    wms_db_close(f->db);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* Runs one SQL query returning a single integer, on a second connection. */
static inline long long fx_sql_int(fx *f, const char *sql)
{
    sqlite3 *s;
    assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(s);
    return v;
}

/* Runs printf-style SQL on a second connection (fixture rows). */
static inline void fx_exec(fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void fx_exec(fx *f, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    sqlite3 *s;
    assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
    sqlite3_busy_timeout(s, 5000);
    /* fixture rows only: no need to wait for the disk */
    assert_int_equal(sqlite3_exec(s, "PRAGMA synchronous=OFF", NULL, NULL, NULL), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(s, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_close(s);
}

/* fx_sql_int with a printf-style query. */
static inline long long fx_int(fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline long long fx_int(fx *f, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    return fx_sql_int(f, sql);
}

/* A single text value of a printf-style query into out. */
static inline const char *fx_text(fx *f, char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline const char *fx_text(fx *f, char *out, size_t n, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    sqlite3 *s;
    assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, n, "%s", t ? (const char *)t : "");
    sqlite3_finalize(st);
    sqlite3_close(s);
    return out;
}

/* On-hand of (bin, sku) in all statuses. */
static inline long long fx_qty(fx *f, const char *bin, const char *sku)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(sum(qty),0) FROM stock s JOIN bins b ON b.id=s.bin_id "
             "JOIN items i ON i.id=s.item_id WHERE b.code='%s' AND i.sku='%s'",
             bin, sku);
    return fx_sql_int(f, sql);
}

/* Books qty of (sku, lot, expiry) into bin as available stock. */
static inline void fx_put(fx *f, const char *bin, const char *sku, const char *lot,
                          const char *expiry, int64_t qty)
{
    static const wms_actor who = {"test", "fx", NULL};
    if (wms_stock_import(f->db, &who, bin, sku, lot, expiry, qty, "available", 0, &f->err) < 0)
        fail_msg("stock import %s %s %s: %s", bin, sku, lot, f->err.msg);
}

/* A released order of customer CU1: lines "SKU:QTY[:MIN_DAYS],...";
 * cutoff_ms < 0 = none; priority 1 = most urgent. */
static inline int64_t fx_order(fx *f, const char *ref, const char *policy, long long cutoff_ms,
                               int priority, const char *lines)
{
    char cut[32] = "NULL";
    if (cutoff_ms >= 0)
        snprintf(cut, sizeof(cut), "%lld", cutoff_ms);
    fx_exec(f,
            "INSERT OR IGNORE INTO customers(code, name, credit) VALUES ('CU1', 'Shop', 'green');"
            "INSERT INTO orders(ref, customer_id, status, short_policy, cutoff_ms, priority, "
            "created) VALUES ('%s', (SELECT id FROM customers WHERE code = 'CU1'), 'released', "
            "'%s', %s, %d, '2026-11-23T08:00:00Z')",
            ref, policy, cut, priority);
    int64_t id = fx_int(f, "SELECT id FROM orders WHERE ref = '%s'", ref);
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", lines);
    int line = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char sku[16];
        int qty, min_days = -1;
        assert_true(sscanf(tok, "%15[^:]:%d:%d", sku, &qty, &min_days) >= 2);
        char md[16] = "NULL";
        if (min_days >= 0)
            snprintf(md, sizeof(md), "%d", min_days);
        fx_exec(f,
                "INSERT INTO order_lines(order_id, line, item_id, qty, min_shelf_life_days) "
                "VALUES (%lld, %d, (SELECT id FROM items WHERE sku = '%s'), %d, %s)",
                (long long)id, ++line, sku, qty, md);
    }
    return id;
}

/* Releases the next wave of `method` (wave.h) as user "sue"; its id. */
static inline int64_t fx_release(fx *f, int method)
{
    static const wms_actor sue = {"sue", "PC-1", NULL};
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    o.method = (wms_wave_method)method;
    int64_t wave = 0;
    if (wms_wave_release(f->db, &sue, &o, NULL, &wave, &f->err) < 0)
        fail_msg("release: %s", f->err.msg);
    return wave;
}

/* The reservation invariant of alloc.h (stock.reserved = the open
 * allocations' units, per quant), picked units = picks rows per line, and
 * the journal (wms_stock_verify). */
static inline void fx_check_stock(fx *f)
{
    assert_int_equal(fx_int(f, "SELECT count(*) FROM stock s WHERE s.reserved <> "
                               "CASE WHEN s.status = 'available' THEN coalesce((SELECT "
                               "sum(a.qty - a.picked) FROM allocations a WHERE a.status = "
                               "'open' AND a.bin_id = s.bin_id AND a.item_id = s.item_id AND "
                               "a.lot = s.lot AND a.expiry = s.expiry), 0) ELSE 0 END"),
                     0);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM order_lines l WHERE l.picked <> "
                               "coalesce((SELECT sum(qty) FROM picks p WHERE p.order_id = "
                               "l.order_id AND p.line = l.line), 0)"),
                     0);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, NULL), 0);
}

#endif
