/*
 * csvin.h - streaming CSV reader for the import files (data-formats-v1, "CSV rules").
 *
 * Built on libcsv.  The input is UTF-8, comma-separated, RFC 4180 quoting;
 * the first non-blank record is the header.  Columns are matched to a
 * caller-given schema by header name, in any order.  Input is read in
 * chunks of WMS_CSV_CHUNK bytes and never held whole in memory; every
 * buffer is capped (WMS_CSV_FIELD_MAX bytes per field, WMS_CSV_MAX_COLS
 * fields per header), so memory use is bounded whatever the input.
 *
 * Rules applied (an error names the line and, where it applies, the column):
 *  - A UTF-8 byte order mark at the very start is skipped.
 *  - Header names are trimmed of surrounding spaces and tabs and compared
 *    exactly.  An empty, unknown or repeated name is an error, so is a
 *    required schema column missing from the header.
 *  - Values are delivered exactly as in the file (after RFC 4180 unquoting):
 *    no trimming.  Spaces are part of a field (RFC 4180), so a quote must be
 *    the first byte of a field to open a quoted field.
 *  - Records end at LF, CRLF or CR outside quotes; the terminator is never
 *    part of a value.  Line breaks inside quoted fields are kept as is.
 *  - A record that is empty or made only of spaces and tabs is a blank line
 *    and is skipped.
 *  - Every record must have as many fields as the header.  A required column
 *    whose value is empty (or only spaces and tabs) is an error.
 *  - A field must be valid UTF-8, contain no NUL byte and be at most
 *    WMS_CSV_FIELD_MAX bytes long (else WMS_ETOO_LARGE).
 *  - Line numbers are 1-based physical lines (LF, CRLF or a lone CR each end
 *    one line), counted from the start of the file including the header.
 *    A record's line is the line where it starts.
 */
#ifndef WMS_CORE_CSVIN_H
#define WMS_CORE_CSVIN_H

#include "wms.h"

#include <stdbool.h>
#include <stdio.h>

#define WMS_CSV_FIELD_MAX 4096 /* longest field, in bytes */
#define WMS_CSV_MAX_COLS 64    /* most columns in a header (and in a schema) */
#define WMS_CSV_CHUNK 65536    /* bytes read from a FILE at a time */

/* One column of a schema.  A schema is an array of these with distinct,
 * non-empty names.  A column that is not `required` may be absent from the
 * header or empty in a record. */
typedef struct wms_csv_col {
    const char *name;
    bool required;
} wms_csv_col;

/* One data record, as seen by the row callback.  All pointers are owned by
 * the reader and valid only during the callback. */
typedef struct wms_csv_row {
    long line;               /* 1-based physical line where the record starts */
    int ncols;               /* the schema size */
    const char *const *val;  /* val[i]: value of schema column i, NUL-terminated;
                                "" when the column is absent or empty */
    const bool *present;     /* present[i]: schema column i is in the header */
    const wms_csv_col *cols; /* the schema (for column names in messages) */
} wms_csv_row;

/* Called once per data record, in file order.  Returns 0 to go on, or a
 * negative WMS_E* code to stop reading: wms_csv_read then returns that code
 * and leaves `err` as the callback set it (if the callback did not set `err`
 * to that code, it gets the code's default message).  Positive returns are
 * treated as 0.  `err` is the one given to wms_csv_read (may be NULL). */
typedef int (*wms_csv_row_cb)(void *ctx, const wms_csv_row *row, wms_error *err);

/* Reads CSV from `in` (not closed) until end of file, checking the header
 * against `schema` (`ncols` columns, 1..WMS_CSV_MAX_COLS) and calling `cb`
 * (may be NULL) for each data record.
 * Returns the number of data records (saturating at INT_MAX), or:
 *  WMS_EBAD_ARGS   bad schema or NULL input;
 *  WMS_EBAD_CSV    malformed CSV or a header/record that breaks the rules;
 *  WMS_ETOO_LARGE  a field longer than WMS_CSV_FIELD_MAX;
 *  WMS_EIO         a read error;  WMS_ENOMEM;
 *  or whatever negative code `cb` returned.
 * Stops at the first error; records before it have been delivered. */
int wms_csv_read(FILE *in, const wms_csv_col *schema, int ncols, wms_csv_row_cb cb, void *ctx,
                 wms_error *err);

/* Same as wms_csv_read, on the `n` bytes at `data` (may be NULL when n is 0).
 * Gives exactly the same results as reading the same bytes from a FILE. */
int wms_csv_read_mem(const char *data, size_t n, const wms_csv_col *schema, int ncols,
                     wms_csv_row_cb cb, void *ctx, wms_error *err);

/*
 * Value helpers for row callbacks.  `col` is a schema index; `colname` names
 * the column in messages (NULL: the schema name).  Surrounding spaces and
 * tabs are ignored; a value that is absent, empty or blank is "empty".
 * Each returns 1 when a value was read, 0 when the value was empty (the
 * default is stored), or a negative code: WMS_EBAD_ARGS (NULL row/out, bad
 * col) or WMS_EBAD_CSV with a message naming the line and the column.
 */

/* A whole number in decimal ("42", "-7", "+3"), min <= value <= max. */
int wms_csv_get_long(const wms_csv_row *r, int col, long min, long max, long dflt, long *out,
                     const char *colname, wms_error *err);
/* A decimal number ("2.5", "-0.75", "1e3"; no hex, inf or nan),
 * min <= value <= max. */
int wms_csv_get_double(const wms_csv_row *r, int col, double min, double max, double dflt,
                       double *out, const char *colname, wms_error *err);
/* A real calendar date YYYY-MM-DD (years 1900..9999), copied to `out`;
 * `out` is "" when the value is empty. */
int wms_csv_get_date(const wms_csv_row *r, int col, char out[11], const char *colname,
                     wms_error *err);

#endif
