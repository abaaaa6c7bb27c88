/* warehouse.h - the tiny warehouse the database-backed fuzz targets run on
 * (fuzz_dispatch.c, fuzz_csv.c).  Header-only, for tests/fuzz only.
 *
 * An in-memory database, "today" fixed at 2026-11-23, loaded through
 * wms_import (so the import itself is exercised at start-up) with:
 *   layout   depot D, aisles A1 A2 A3
 *   bins     DOCK-01 (dock), S1 (staging), P1 (pick, capacity 100),
 *            P2 (pick), P3 (pick, capacity 50), R1 R2 (reserve), Q1
 *            (quarantine), X1 (pick, blocked)
 *   items    A (case 24, inner 6, pallet 960), B (no code), C and D sharing
 *            the code CAN-42 (C case 12), E (EAN-8)
 *   stock    A in P1, R1 (two lots), Q1 (quarantine); B on DOCK-01; C, D in
 *            P2; E on hold in R2.
 *   customers C17 (green), C20 (yellow, hold value 100.00), C99 (red)
 *   orders   SO-1 (C17: A, C), SO-2 (C99: B), SO-3 (C20: E, over the hold value)
 *   putwall  W1 with slots W1-01, W1-02
 */
#ifndef WMS_TESTS_FUZZ_WAREHOUSE_H
#define WMS_TESTS_FUZZ_WAREHOUSE_H

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "wms.h"

#define FUZZ_TODAY "2026-11-23"
#define FUZZ_LATER_TODAY "2027-07-01" /* some lots expired */

static const struct {
    const char *kind, *csv;
} FUZZ_WAREHOUSE[] = {
    {"layout", "kind,id,x_m,y_m,length_m\n"
               "depot,D,0,,\n"
               "aisle,A1,0,,20\n"
               "aisle,A2,5,,20\n"
               "aisle,A3,10,,20\n"},
    {"bins", "code,zone,type,aisle,y_m,level,capacity,blocked\n"
             "DOCK-01,ZD,dock,A3,2,0,0,0\n"
             "S1,ZD,staging,A3,6,0,0,0\n"
             "P1,Z1,pick,A1,2,0,100,0\n"
             "P2,Z1,pick,A1,4,0,0,0\n"
             "P3,Z2,pick,A2,4,1,50,0\n"
             "R1,Z1,reserve,A2,10,0,0,0\n"
             "R2,Z2,reserve,A2,12,2,500,0\n"
             "Q1,Z1,quarantine,A2,14,0,0,0\n"
             "X1,Z1,pick,A2,16,0,0,1\n"},
    {"items", "sku,description,uom,length_mm,width_mm,height_mm,weight_g,shelf_life_days\n"
              "A,Apple juice 1l,EA,80,80,250,1050,365\n"
              "B,Bag of nails,EA,,,,,\n"
              "C,Cola can,EA,,,,,\n"
              "D,Diet cola can,EA,,,,,\n"
              "E,Eggs 10,BOX,,,,,21\n"},
    {"packs", "sku,level,units\n"
              "A,case,24\n"
              "A,inner,6\n"
              "A,pallet,960\n"
              "C,case,12\n"},
    {"barcodes", "code,sku,level\n"
                 "4006381333931,A,each\n"
                 "14006381333938,A,case\n"
                 "CAN-42,C,each\n"
                 "CAN-42,D,each\n"
                 "96385074,E,each\n"},
    {"stock", "bin,sku,lot,expiry,qty,status\n"
              "P1,A,L1,2027-06-30,48,\n"
              "R1,A,L2,2027-01-31,240,\n"
              "R1,A,L3,2026-12-01,24,\n"
              "DOCK-01,B,,,100,\n"
              "P2,C,,,36,\n"
              "P2,D,,,12,\n"
              "Q1,A,L0,2026-12-20,5,quarantine\n"
              "R2,E,E1,2026-12-10,30,hold\n"},
    {"customers", "customer,name,credit,hold_value\n"
                  "C17,Ann Lee,green,\n"
                  "C20,Bob Shop,yellow,100.00\n"
                  "C99,Late Payer,red,\n"},
    {"orders", "order,line,customer,sku,qty,priority,cutoff,unit_price,short_policy\n"
               "SO-1,1,C17,A,2,3,2026-11-23T14:00:00+01:00,1.99,\n"
               "SO-1,2,C17,C,6,3,2026-11-23T14:00:00+01:00,0.50,\n"
               "SO-2,1,C99,B,5,1,,12.00,backorder\n"
               "SO-3,1,C20,E,30,5,,300.00,ship_short\n"},
    {"putwall", "wall,slot\nW1,W1-01\nW1,W1-02\n"},
};

/* Reports a broken invariant of a fuzz target and aborts (the finding). */
static inline void fuzz_die(const char *target, const char *what, const char *detail)
{
    fprintf(stderr, "%s: %s%s%s\n", target, what, detail ? ": " : "", detail ? detail : "");
    abort();
}

/* Opens the in-memory database and loads the warehouse.  The caller keeps
 * the handle for the life of the process.  Aborts on failure (nothing can
 * be fuzzed without it). */
static inline wms_db *fuzz_warehouse_open(void)
{
    wms_db *db = NULL;
    wms_error err;
    wms_error_clear(&err);
    if (wms_db_open(":memory:", WMS_DB_CREATE, &db, &err) < 0)
        fuzz_die("warehouse", "cannot open the database", err.msg);
    if (wms_db_set_today(db, FUZZ_TODAY) < 0)
        fuzz_die("warehouse", "cannot set today", NULL);
    wms_actor who = {"fuzz", "FUZZ", NULL};
    for (size_t i = 0; i < sizeof(FUZZ_WAREHOUSE) / sizeof(FUZZ_WAREHOUSE[0]); i++) {
        const char *csv = FUZZ_WAREHOUSE[i].csv;
        FILE *in = fmemopen((void *)csv, strlen(csv), "r");
        if (in == NULL)
            fuzz_die("warehouse", "fmemopen failed", FUZZ_WAREHOUSE[i].kind);
        wms_import_stats st;
        int rc = wms_import(db, &who, FUZZ_WAREHOUSE[i].kind, in, 0, &st, &err);
        fclose(in);
        if (rc < 0)
            fuzz_die("warehouse", "cannot import", err.msg);
    }
    return db;
}

/* The stock equals what the journal says, and no quantity is negative. */
static inline void fuzz_check_stock(wms_db *db, const char *target)
{
    wms_error err;
    wms_error_clear(&err);
    int n = wms_stock_verify(db, NULL, NULL, &err);
    if (n != 0)
        fuzz_die(target, "the stock does not match the journal", n < 0 ? err.msg : NULL);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->sql, "SELECT count(*) FROM stock WHERE qty < 0", -1, &st, NULL) !=
            SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        fuzz_die(target, "cannot query the stock", sqlite3_errmsg(db->sql));
    long long neg = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (neg != 0)
        fuzz_die(target, "a stock quantity is negative", NULL);
}

/* The caller's transaction is still open and no engine operation is. */
static inline void fuzz_check_tx(wms_db *db, const char *target)
{
    if (sqlite3_get_autocommit(db->sql))
        fuzz_die(target, "a call ended the outer transaction", NULL);
    if (db->op_depth != 0)
        fuzz_die(target, "a call left an operation open", NULL);
}

#endif
