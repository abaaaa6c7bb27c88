/*
 * fuzz_csv.c - libFuzzer entry point for the CSV reader and the CSV import.
 *
 *   scripts/fuzz.sh csv          (builds into build-fuzz and runs)
 *
 * 1. Feeds the input to wms_csv_read_mem with a fixed 5-column schema; the
 *    row callback reads every value (so ASan sees any bad pointer or missing
 *    NUL), checks the reader's promises, and runs the value helpers on it.
 * 2. Imports the same bytes as each import kind (wms_import_kind: items,
 *    packs, barcodes, layout, bins, stock, customers, orders) into the small
 *    warehouse of warehouse.h (an in-memory database opened once), inside a
 *    transaction rolled back after the input.  A kind is skipped when one of
 *    its required column names does not occur in the input at all (its
 *    header could not match; each read costs a 256 KiB arena, which would
 *    slow the fuzzer down a lot).  A conflicting file is retried with
 *    update.  Checked: a failed import has its code and message, is not a
 *    storage error (the database is in memory: that would be a constraint
 *    SQLite enforced that the importer missed), and changes nothing (a
 *    digest of every table is unchanged); no operation is left open; after
 *    a successful import the stock matches the journal and is never
 *    negative.
 */
#define _GNU_SOURCE /* memmem */
#include "core/csvin.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "warehouse.h"

static const wms_csv_col SCHEMA[] = {
    {"sku", true}, {"qty", true}, {"expiry", false}, {"weight", false}, {"note", false},
};

static int touch_row(void *ctx, const wms_csv_row *row, wms_error *err)
{
    size_t *total = ctx;
    if (row->ncols != 5 || row->line < 2 || row->cols != SCHEMA)
        abort();
    for (int i = 0; i < row->ncols; i++) {
        size_t n = strlen(row->val[i]);
        if (n > WMS_CSV_FIELD_MAX || (!row->present[i] && n != 0))
            abort();
        for (size_t k = 0; k < n; k++)
            *total += (unsigned char)row->val[i][k];
    }
    if (row->val[0][0] == '\0' || row->val[1][0] == '\0')
        abort(); /* required values are never empty */
    long q;
    double w;
    char d[11];
    wms_error e;
    wms_csv_get_long(row, 1, 0, 1000000, 0, &q, NULL, &e);
    wms_csv_get_double(row, 3, -1e9, 1e9, 0, &w, NULL, &e);
    if (wms_csv_get_date(row, 2, d, NULL, &e) == 1 && strlen(d) != 10)
        abort();
    /* stop now and then, as an importer would on a bad row */
    if (*total % 97 == 0)
        return wms_error_set(err, WMS_ECONFLICT, "line %ld: stop", row->line);
    return 0;
}

/* A digest (FNV-1a, 64 bits) of the contents of every table, in scan
 * order, so a rolled-back change leaves the same digest.  The warehouse is
 * tiny, but this is still only computed when rows were written. */
static uint64_t fingerprint(wms_db *db)
{
    uint64_t h = 1469598103934665603ULL;
    sqlite3_stmt *tables = NULL;
    if (sqlite3_prepare_v2(db->sql,
                           "SELECT name FROM sqlite_schema WHERE type = 'table' "
                           "ORDER BY name",
                           -1, &tables, NULL) != SQLITE_OK)
        fuzz_die("fuzz_csv", "cannot list the tables", sqlite3_errmsg(db->sql));
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char sql[200];
        snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", sqlite3_column_text(tables, 0));
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK)
            fuzz_die("fuzz_csv", "cannot read a table", sqlite3_errmsg(db->sql));
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *v = sqlite3_column_text(st, c);
                int n = sqlite3_column_bytes(st, c);
                h = (h ^ (uint64_t)(sqlite3_column_type(st, c) + 0x100)) * 1099511628211ULL;
                for (int i = 0; v != NULL && i < n; i++)
                    h = (h ^ v[i]) * 1099511628211ULL;
            }
            h = (h ^ 0x1e) * 1099511628211ULL; /* row separator */
        }
        sqlite3_finalize(st);
    }
    sqlite3_finalize(tables);
    return h;
}

/* Imports data as `kind`; returns wms_import's result. */
static int import_as(wms_db *db, const char *kind, const uint8_t *data, size_t size, int update,
                     wms_import_stats *st, wms_error *err)
{
    FILE *in = fmemopen((void *)data, size, "r");
    if (in == NULL)
        fuzz_die("fuzz_csv", "fmemopen failed", NULL);
    wms_actor who = {"fuzz", "FUZZ", NULL};
    wms_error_clear(err);
    int rc = wms_import(db, &who, kind, in, update, st, err);
    fclose(in);
    return rc;
}

/* Required columns of the import kinds (engine/src/store/import.c); a
 * kind not listed is always tried. */
static const struct {
    const char *kind;
    const char *need[6];
} REQUIRED[] = {
    {"items", {"sku"}},
    {"packs", {"sku", "level", "units"}},
    {"barcodes", {"code", "sku"}},
    {"layout", {"kind", "id"}},
    {"bins", {"code", "zone", "type", "aisle", "y_m"}},
    {"stock", {"bin", "sku", "qty"}},
    {"customers", {"customer", "name", "credit"}},
    {"orders", {"order", "line", "customer", "sku", "qty"}},
};

/* 0 when the input cannot have a header `kind` accepts. */
static int may_match(const char *kind, const uint8_t *data, size_t size)
{
    for (size_t k = 0; k < sizeof(REQUIRED) / sizeof(REQUIRED[0]); k++) {
        if (strcmp(REQUIRED[k].kind, kind))
            continue;
        for (int i = 0; i < 6 && REQUIRED[k].need[i] != NULL; i++)
            if (memmem(data, size, REQUIRED[k].need[i], strlen(REQUIRED[k].need[i])) == NULL)
                return 0;
    }
    return 1;
}

/* Part 2 of the header comment. */
static void import_all(const uint8_t *data, size_t size)
{
    static wms_db *db;
    static uint64_t base; /* the warehouse's digest (every input starts from it) */
    static int trace;     /* FUZZ_CSV_TRACE set: print what each import did (for seeds) */
    if (db == NULL) {
        db = fuzz_warehouse_open();
        base = fingerprint(db);
        trace = getenv("FUZZ_CSV_TRACE") != NULL;
    }
    wms_error err;
    wms_error_clear(&err);
    if (wms_tx_begin(db, &err) < 0)
        fuzz_die("fuzz_csv", "cannot begin the transaction", err.msg);
    uint64_t cur = base;
    int changed = 0;
    for (int k = 0; wms_import_kind(k) != NULL; k++) {
        const char *kind = wms_import_kind(k);
        if (!may_match(kind, data, size))
            continue;
        int changes = sqlite3_total_changes(db->sql);
        wms_import_stats st;
        int rc = import_as(db, kind, data, size, 0, &st, &err);
        if (rc == WMS_ECONFLICT)
            rc = import_as(db, kind, data, size, 1, &st, &err);
        fuzz_check_tx(db, "fuzz_csv");
        if (trace)
            fprintf(stderr, "  %s -> %s %s (%ld rows)\n", kind, rc < 0 ? wms_err_name(rc) : "ok",
                    rc < 0 ? err.msg : "", st.rows);
        int wrote = sqlite3_total_changes(db->sql) != changes;
        if (rc < 0) {
            if (err.code != rc || err.msg[0] == '\0')
                fuzz_die("fuzz_csv", "an import error without its code or message", kind);
            if (rc == WMS_ESTORAGE || rc == WMS_EIO || rc == WMS_EDISK_FULL || rc == WMS_EBUSY)
                fuzz_die("fuzz_csv", "a storage error on the in-memory database", err.msg);
            if (wrote && fingerprint(db) != cur)
                fuzz_die("fuzz_csv", "a failed import changed the data", kind);
            if (st.rows || st.inserted || st.updated || st.unchanged || st.ambiguous)
                fuzz_die("fuzz_csv", "a failed import reports rows", kind);
        } else if (rc != 0 || st.rows < 0 || st.inserted < 0 || st.updated < 0 ||
                   st.unchanged < 0 || st.ambiguous < 0 ||
                   st.inserted + st.updated + st.unchanged > st.rows) {
            fuzz_die("fuzz_csv", "import statistics do not add up", kind);
        } else if (wrote) {
            cur = fingerprint(db);
            changed = 1;
        }
    }
    if (changed)
        fuzz_check_stock(db, "fuzz_csv");
    wms_tx_rollback(db);
    if (!sqlite3_get_autocommit(db->sql))
        fuzz_die("fuzz_csv", "the rollback left a transaction open", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = 0;
    wms_error err;
    wms_error_clear(&err);
    int rc = wms_csv_read_mem((const char *)data, size, SCHEMA, 5, touch_row, &total, &err);
    if (rc < 0 && (err.code != rc || err.msg[0] == '\0'))
        abort(); /* every failure comes with its message */
    if (size > 0)
        import_all(data, size);
    return 0;
}
