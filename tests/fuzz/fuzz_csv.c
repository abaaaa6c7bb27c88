/*
 * fuzz_csv.c - libFuzzer entry point for the CSV reader (not built by CMake).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -I engine/include -I engine/src \
 *       tests/fuzz/fuzz_csv.c engine/src/core/csvin.c engine/src/core/error.c -lcsv \
 *       -o fuzz_csv
 *   ./fuzz_csv -max_total_time=60 tests/fuzz/corpus/csv
 *
 * Feeds the input to wms_csv_read_mem with a fixed 5-column schema; the row
 * callback reads every value (so ASan sees any bad pointer or missing NUL),
 * checks the reader's promises, and runs the value helpers on it.
 */
#include "core/csvin.h"

#include <stdlib.h>
#include <string.h>

static const wms_csv_col SCHEMA[] = {
    {"sku", true}, {"qty", true}, {"expiry", false}, {"weight", false}, {"note", false},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t total = 0;
    wms_error err;
    wms_error_clear(&err);
    int rc = wms_csv_read_mem((const char *)data, size, SCHEMA, 5, touch_row, &total, &err);
    if (rc < 0 && (err.code != rc || err.msg[0] == '\0'))
        abort(); /* every failure comes with its message */
    return 0;
}
