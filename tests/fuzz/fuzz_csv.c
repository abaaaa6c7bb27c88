/*
 * fuzz_csv.c - libFuzzer entry point for the CSV reader and the CSV import.
 *
 *   scripts/fuzz.sh csv          (builds into build-fuzz and runs)
 *
 * 1. Feeds the input to wms_csv_read_mem with a fixed 5-column schema; the
 *    row callback reads every value (so ASan sees any bad pointer or missing
 *    NUL), checks the reader's promises, and runs the value helpers on it.
 * 2. Imports the same bytes as each import kind (items, packs, barcodes,
 *    layout, bins, stock) into the small warehouse of warehouse.h (an
 *    in-memory database opened once), inside a transaction rolled back after
 *    the input; a kind whose header does not match fails at the header, so
 *    only the matching kind does real work.  A conflicting file is retried
 *    with update.  Checked: a failed import has its code and message and
 *    changes nothing (the data's fingerprint is unchanged); no operation is
 *    left open; the stock matches the journal and is never negative.
 */
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

/* Everything the import may change, as one string (malloc'd; the
 * warehouse is tiny, so this is cheap).  Aborts when it cannot be read. */
static char *fingerprint(wms_db *db)
{
    static const char sql[] =
        "SELECT (SELECT group_concat(x, '|') FROM (SELECT sku || ',' || description || ',' || "
        "uom || ',' || quote(length_mm) || quote(width_mm) || quote(height_mm) || "
        "quote(weight_g) || quote(shelf_life_days) AS x FROM items ORDER BY id)) || '#' || "
        "(SELECT group_concat(x, '|') FROM (SELECT item_id || level || units AS x FROM packs "
        "ORDER BY 1)) || '#' || (SELECT group_concat(x, '|') FROM (SELECT code || item_id || "
        "level || internal AS x FROM barcodes ORDER BY 1)) || '#' || (SELECT group_concat(x, "
        "'|') FROM (SELECT kind || id || quote(x_m) || quote(y_m) || quote(length_m) AS x "
        "FROM layout ORDER BY 1)) || '#' || (SELECT group_concat(x, '|') FROM (SELECT code || "
        "zone || type || aisle || y_m || level || capacity || blocked AS x FROM bins ORDER BY "
        "id)) || '#' || (SELECT group_concat(x, '|') FROM (SELECT bin_id || item_id || lot || "
        "expiry || status || qty AS x FROM stock ORDER BY 1)) || '#' || (SELECT count(*) FROM "
        "journal)";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        fuzz_die("fuzz_csv", "cannot fingerprint the data", sqlite3_errmsg(db->sql));
    const char *t = (const char *)sqlite3_column_text(st, 0);
    char *copy = strdup(t ? t : "");
    sqlite3_finalize(st);
    if (copy == NULL)
        fuzz_die("fuzz_csv", "out of memory", NULL);
    return copy;
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

/* Part 2 of the header comment. */
static void import_all(const uint8_t *data, size_t size)
{
    static wms_db *db;
    static int trace; /* FUZZ_CSV_TRACE set: print what each import did (for writing seeds) */
    if (db == NULL) {
        db = fuzz_warehouse_open();
        trace = getenv("FUZZ_CSV_TRACE") != NULL;
    }
    wms_error err;
    wms_error_clear(&err);
    if (wms_tx_begin(db, &err) < 0)
        fuzz_die("fuzz_csv", "cannot begin the transaction", err.msg);
    for (int k = 0; wms_import_kind(k) != NULL; k++) {
        const char *kind = wms_import_kind(k);
        char *before = fingerprint(db);
        wms_import_stats st;
        int rc = import_as(db, kind, data, size, 0, &st, &err);
        if (rc == WMS_ECONFLICT)
            rc = import_as(db, kind, data, size, 1, &st, &err);
        fuzz_check_tx(db, "fuzz_csv");
        if (trace)
            fprintf(stderr, "  %s -> %s %s (%ld rows)\n", kind, rc < 0 ? wms_err_name(rc) : "ok",
                    rc < 0 ? err.msg : "", st.rows);
        if (rc < 0) {
            char *after = fingerprint(db);
            if (err.code != rc || err.msg[0] == '\0')
                fuzz_die("fuzz_csv", "an import error without its code or message", kind);
            if (strcmp(before, after))
                fuzz_die("fuzz_csv", "a failed import changed the data", kind);
            if (st.rows || st.inserted || st.updated || st.unchanged || st.ambiguous)
                fuzz_die("fuzz_csv", "a failed import reports rows", kind);
            free(after);
        } else if (rc != 0 || st.rows < 0 || st.inserted < 0 || st.updated < 0 ||
                   st.unchanged < 0 || st.ambiguous < 0 ||
                   st.inserted + st.updated + st.unchanged > st.rows) {
            fuzz_die("fuzz_csv", "import statistics do not add up", kind);
        }
        free(before);
    }
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
