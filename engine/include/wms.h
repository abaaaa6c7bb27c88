/*
 * wms.h - the public interface of the warehouse engine core library.
 *
 * Conventions (shared by every module):
 *  - Functions return 0 (or a non-negative count) on success and a negative
 *    WMS_E* code on failure.  Codes come from one X-macro list, WMS_ERRNO_MAP,
 *    which also yields the wire names ("AMBIGUOUS_CODE") and default messages.
 *  - Most functions take a `wms_error *err` (may be NULL) which receives the
 *    code and a human sentence naming what is wrong (line, column, AI,
 *    position...).  The sentence is fit to show to a picker as is.
 *  - Public names are prefixed `wms_`; internal helpers use `x__` style.
 */
#ifndef WMS_H
#define WMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/* XX(NAME, default message).  Order is ABI: append only. */
#define WMS_ERRNO_MAP(XX)                                                                          \
    XX(NOMEM, "out of memory")                                                                     \
    XX(BAD_ARGS, "bad or missing argument")                                                        \
    XX(NOT_FOUND, "not found")                                                                     \
    XX(UNKNOWN_CODE, "this code is not known")                                                     \
    XX(AMBIGUOUS_CODE, "this code belongs to several items: choose the item")                      \
    XX(BAD_BARCODE, "the barcode could not be read as GS1 data")                                   \
    XX(BAD_CHECK_DIGIT, "the check digit is wrong: rescan")                                        \
    XX(CONFLICT, "contradicts what is stored")                                                     \
    XX(EXISTS, "already exists")                                                                   \
    XX(INSUFFICIENT_STOCK, "not enough stock")                                                     \
    XX(EXPIRED_LOT, "this lot is expired")                                                         \
    XX(BIN_BLOCKED, "this bin is blocked")                                                         \
    XX(BIN_FULL, "this bin has no room for that quantity")                                         \
    XX(BAD_QTY, "the quantity is not valid")                                                       \
    XX(BAD_CSV, "the file has a bad row")                                                          \
    XX(STORAGE, "database error")                                                                  \
    XX(DISK_FULL, "the disk is full: nothing was stored")                                          \
    XX(BUSY, "the database is locked by another process")                                          \
    XX(IO, "input/output error")                                                                   \
    XX(TOO_LARGE, "input exceeds a limit")                                                         \
    XX(SCHEMA, "the database was made by a newer version of this program")                         \
    XX(UNSUPPORTED, "not supported")                                                               \
    XX(NOT_LOGGED_IN, "log in first")                                                              \
    XX(FORBIDDEN, "your role may not do this")                                                     \
    XX(UNKNOWN_METHOD, "unknown method")                                                           \
    XX(BAD_FRAME, "malformed message")                                                             \
    XX(AUTH_FAILED, "wrong user or PIN")                                                           \
    XX(LOCKED_OUT, "too many failed logins: wait and try again")                                   \
    XX(USER_DISABLED, "this user is disabled: ask a supervisor")                                   \
    XX(WRONG_BIN, "wrong bin: scan the bin shown")                                                 \
    XX(WRONG_ITEM, "wrong item: scan the item shown")                                              \
    XX(TXN_CONFLICT, "this txn id was already used for another call")                              \
    XX(CLOSED, "already closed")                                                                   \
    XX(NEEDS_APPROVAL, "a supervisor must approve this")                                           \
    XX(SHUTTING_DOWN, "the server is shutting down: retry shortly")                                \
    XX(WRONG_LOT, "this lot may not be picked for this order: pick the lot shown")                 \
    XX(QTY_ABOVE_TASK, "more than the task asks for: pick only the quantity shown")                \
    XX(SHELF_LIFE, "this lot expires too soon for this order")                                     \
    XX(WRONG_TOTE, "wrong tote: put it into the tote shown")                                       \
    XX(TASK_CLOSED, "this task is already done or cancelled")                                      \
    XX(TASK_NOT_YOURS, "this task belongs to another picker")                                      \
    XX(TASK_WAITING, "wait: this bin is being replenished first")                                  \
    XX(NOT_IN_TOTE, "this item is not in the tote (or all of it is packed already)")               \
    XX(RETURN_EXCEEDS_SHIPPED, "more than was shipped on this order comes back")                   \
    XX(NOT_ON_ORDER, "this item was not on the order")                                             \
    XX(ITEM_TOO_LARGE, "this item fits in no box type")                                            \
    XX(WRONG_SLOT, "wrong slot: put it into the slot shown")                                       \
    XX(NOT_NEEDED, "no open order at this wall needs this item")

typedef enum {
    WMS_OK = 0,
#define WMS__ERR_ENUM(name, msg) WMS__E_BASE_##name,
    WMS__E_BASE_FIRST = 0,
    WMS_ERRNO_MAP(WMS__ERR_ENUM)
#undef WMS__ERR_ENUM
} wms__errbase;

#define WMS__ERR_CONST(name, msg) WMS_E##name = -(int)WMS__E_BASE_##name - 1000,
enum { WMS_ERRNO_MAP(WMS__ERR_CONST) WMS__E_END };
#undef WMS__ERR_CONST

/* Wire name of a code ("AMBIGUOUS_CODE"), or "UNKNOWN_ERROR". Never NULL. */
const char *wms_err_name(int code);
/* Default human message of a code. Never NULL. */
const char *wms_strerror(int code);

/* Writes `s` (NULL = "") to f as a JSON string literal: quotes, backslash
 * and control characters escaped; other bytes (UTF-8) as they are. */
void wms_json_str(FILE *f, const char *s);

typedef struct wms_error {
    int code;      /* 0 or a WMS_E* code */
    char msg[320]; /* human sentence, NUL-terminated */
} wms_error;

/* Records `code` and a formatted message in `err` (which may be NULL).
 * A NULL or empty fmt uses the default message.  Returns `code`. */
int wms_error_set(wms_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Resets `err` to "no error". */
void wms_error_clear(wms_error *err);

/* ------------------------------------------------------------------------ */
/* Database                                                                 */
/* ------------------------------------------------------------------------ */

typedef struct wms_db wms_db;

enum { WMS_DB_CREATE = 1, WMS_DB_READONLY = 2, WMS_DB_OLDER_OK = 4 };

/* Opens (and with WMS_DB_CREATE creates) the database at `path`: WAL mode,
 * synchronous=FULL, foreign keys on, migrations applied.  On success *out
 * owns the connection (free with wms_db_close).  Errors: WMS_ESTORAGE (not a
 * database, cannot open), WMS_ESCHEMA (made by a newer program), WMS_EBUSY.
 *
 * WMS_DB_READONLY opens for reading only and writes nothing, ever: the
 * journal mode is left as it is (a WAL or a rollback-journal file, e.g. a
 * backup, both work), no migration runs, every write fails (query_only).
 * A database that needs migration is refused with WMS_ESCHEMA (open it
 * read-write once: `wmsctl init`) unless flags also has WMS_DB_OLDER_OK,
 * which takes any older schema version, 0 included, as it is (for code that
 * copies or checks the file whole: backup, restore).  A missing file is
 * WMS_ESTORAGE and is not created. */
int wms_db_open(const char *path, int flags, wms_db **out, wms_error *err);
void wms_db_close(wms_db *db);
int wms_db_schema_version(wms_db *db);
/* Fixes "today" (YYYY-MM-DD) for expiry decisions; NULL or "" = real date. */
int wms_db_set_today(wms_db *db, const char *day);
const char *wms_db_today(wms_db *db);

/* Drops the connection's caches (call when another process may have
 * changed the catalog: a server watching PRAGMA data_version does). */
void wms_db_cache_clear(wms_db *db);

/* An explicit transaction around several calls (one commit, one fsync).
 * Calls inside it are each atomic on their own (savepoints). */
int wms_tx_begin(wms_db *db, wms_error *err);
int wms_tx_commit(wms_db *db, wms_error *err);
void wms_tx_rollback(wms_db *db);

/* Who makes a change; recorded in the journal.  Any field may be NULL. */
typedef struct wms_actor {
    const char *user;
    const char *device;
    const char *txn;
} wms_actor;

/* Result of the *_put calls (imports): */
enum { WMS_PUT_UNCHANGED = 0, WMS_PUT_INSERTED = 1, WMS_PUT_UPDATED = 2, WMS_PUT_AMBIGUOUS = 3 };

/* ------------------------------------------------------------------------ */
/* Catalog: items, pack levels, barcodes                                    */
/* ------------------------------------------------------------------------ */

#define WMS_SKU_MAX 64
#define WMS_CODE_MAX 128
#define WMS_LOT_MAX 20

typedef struct wms_item {
    int64_t id;
    char sku[WMS_SKU_MAX + 1];
    char description[257];
    char uom[17];
    int64_t length_mm, width_mm, height_mm, weight_g; /* 0 = unknown */
    int64_t shelf_life_days;                          /* -1 = unknown */
} wms_item;

/* Inserts or (with `update`) updates an item by SKU.  Returns WMS_PUT_*; an
 * existing SKU with different values is WMS_ECONFLICT unless `update`. */
int wms_item_put(wms_db *db, const wms_item *it, int update, wms_error *err);
/* Looks an item up by SKU.  WMS_ENOT_FOUND when absent. */
int wms_item_get(wms_db *db, const char *sku, wms_item *out, wms_error *err);

/* Pack level ("each", "inner", "case", "pallet") of an item with `units`
 * base units.  "each" is always 1 unit. */
int wms_pack_put(wms_db *db, const char *sku, const char *level, int64_t units, int update,
                 wms_error *err);

/* Maps `code` to (sku, level).  A GTIN-shaped code (8/12/13/14 digits) must
 * have a valid check digit and is stored as GTIN-14.  The same code on a
 * second item is allowed and returns WMS_PUT_AMBIGUOUS (flagged). */
int wms_barcode_put(wms_db *db, const char *code, const char *sku, const char *level, int update,
                    wms_error *err);

/* The internal label code of an item without a manufacturer code: a GS1
 * restricted-circulation GTIN-13 (prefix 20) with a check digit, unique and
 * never colliding with any stored code.  Returns the existing one if the
 * item has one; otherwise assigns and stores a new one.  out: 14 bytes. */
int wms_item_internal_code(wms_db *db, const char *sku, char out[14], wms_error *err);

/* The code to print on an item's label, as stored (GTIN-14 for GTINs):
 * its own unit-level code, or else its internal code (assigned now if it
 * has none).  Returns 0, or 1 when the code is an internal one. */
int wms_item_label_code(wms_db *db, const char *sku, char *code, size_t n, wms_error *err);

/* What a scanned code is. */
typedef enum {
    WMS_CODE_UNKNOWN = 0,
    WMS_CODE_ITEM = 1, /* n >= 1 candidates; n > 1 = ambiguous */
    WMS_CODE_BIN = 2,
    WMS_CODE_SSCC = 3, /* AI 00 without a trade item */
} wms_code_kind;

#define WMS_RESOLVE_MAX 16

typedef struct wms_code_match {
    int64_t item_id;
    char sku[WMS_SKU_MAX + 1];
    char description[257];
    char level[8];
    int64_t units; /* base units in that pack */
} wms_code_match;

typedef struct wms_resolution {
    wms_code_kind kind;
    char key[WMS_CODE_MAX + 1]; /* the code looked up (GTIN-14 for GTINs) */
    int n;                      /* candidates (items) */
    wms_code_match m[WMS_RESOLVE_MAX];
    int64_t qty;   /* base units one scan books: units x count (AI 30/37) */
    int64_t count; /* AI 30/37, or 1 */
    int gs1;       /* 1 when the code carried GS1 data */
    char symbology[24];
    char lot[WMS_LOT_MAX + 1];
    char expiry[11]; /* AI 17, else AI 15 best-before; YYYY-MM-DD */
    char serial[21];
    char sscc[19];
    char bin[WMS_SKU_MAX + 1];
} wms_resolution;

/* Tells what `code` is: an item (by barcode, GS1 GTIN/content GTIN, or
 * SKU-less internal code), a bin, or an SSCC.  `gs_sub` is an extra GS
 * separator accepted in GS1 codes (0 = none).  Errors: WMS_EBAD_CHECK_DIGIT
 * and WMS_EBAD_BARCODE (never looked up), WMS_EUNKNOWN_CODE. */
int wms_code_resolve(wms_db *db, const char *code, char gs_sub, wms_resolution *out,
                     wms_error *err);

/* Picks the one candidate of `r` for `sku` (NULL: the only one).  Returns
 * its index, or WMS_EAMBIGUOUS_CODE (no sku, several candidates) or
 * WMS_EBAD_ARGS (sku not among them). */
int wms_resolution_pick(const wms_resolution *r, const char *sku, wms_error *err);

/* ------------------------------------------------------------------------ */
/* Locations: layout and bins                                               */
/* ------------------------------------------------------------------------ */

typedef struct wms_bin {
    int64_t id;
    char code[WMS_SKU_MAX + 1];
    char zone[33];
    char type[12]; /* pick, reserve, staging, dock, quarantine */
    char aisle[33];
    double y_m;
    int64_t level;
    int64_t capacity; /* base units; 0 = unlimited */
    int blocked;
} wms_bin;

/* A layout row (kind depot|aisle|cross); NaN for an absent number. */
int wms_layout_put(wms_db *db, const char *kind, const char *id, double x_m, double y_m,
                   double length_m, int update, wms_error *err);
/* Inserts/updates a bin; its aisle must exist in the layout and y_m lie
 * strictly inside the aisle. */
int wms_bin_put(wms_db *db, const wms_bin *b, int update, wms_error *err);
int wms_bin_get(wms_db *db, const char *code, wms_bin *out, wms_error *err);

/* ------------------------------------------------------------------------ */
/* Stock and the movement journal                                           */
/* ------------------------------------------------------------------------ */

#define WMS_QTY_MAX 1000000000LL /* one booking, in base units */

typedef struct wms_stock_row {
    char bin[WMS_SKU_MAX + 1];
    char sku[WMS_SKU_MAX + 1];
    char lot[WMS_LOT_MAX + 1];
    char expiry[11];
    char status[12]; /* available, hold, quarantine, or expired (derived) */
    int64_t qty;
} wms_stock_row;

typedef int (*wms_stock_cb)(void *ctx, const wms_stock_row *row);

/* Calls cb for each stock quant, filtered by bin and/or sku (NULL = any),
 * ordered by bin, sku, expiry.  A non-zero return from cb stops the walk. */
int wms_stock_list(wms_db *db, const char *bin, const char *sku, wms_stock_cb cb, void *ctx,
                   wms_error *err);

typedef struct wms_receive_req {
    const char *bin;
    const char *code;   /* scanned: unit, case or GS1 code */
    const char *sku;    /* names the item when the code is ambiguous */
    int64_t mult;       /* number of scanned packs; 0 = 1 */
    const char *lot;    /* entered lot, when the code carries none */
    const char *expiry; /* entered expiry YYYY-MM-DD */
    int quarantine;     /* book into quarantine (allows expired goods) */
    char gs_sub;        /* substitute GS separator */
} wms_receive_req;

typedef struct wms_booking {
    char bin[WMS_SKU_MAX + 1];
    char sku[WMS_SKU_MAX + 1];
    char level[8];
    int64_t qty;
    char lot[WMS_LOT_MAX + 1];
    char expiry[11];
    char status[12];
    int64_t journal_id;
} wms_booking;

/* Books received goods into a bin (a case code books its pack quantity
 * times mult).  Errors: WMS_EAMBIGUOUS_CODE, WMS_EUNKNOWN_CODE,
 * WMS_EEXPIRED_LOT, WMS_EBIN_BLOCKED, WMS_EBIN_FULL, WMS_EBAD_QTY, ... */
int wms_stock_receive(wms_db *db, const wms_actor *who, const wms_receive_req *req,
                      wms_booking *out, wms_error *err);

typedef struct wms_move_req {
    const char *from, *to;
    const char *sku;       /* the item, or */
    const char *code;      /* a scanned code naming it */
    const char *lot;       /* NULL: the only lot, or FEFO (earliest expiry first) */
    const char *status;    /* from-status (default available); also the to-status */
    const char *to_status; /* NULL = same as status */
    int64_t qty;           /* base units */
    const char *reason;
} wms_move_req;

/* Moves stock bin to bin (or status to status).  Never lets stock go
 * negative (WMS_EINSUFFICIENT_STOCK); the move and its journal rows are one
 * atomic change. */
int wms_stock_move(wms_db *db, const wms_actor *who, const wms_move_req *req, wms_booking *out,
                   wms_error *err);

/* Sets the on-hand of (bin, sku, lot) to qty as an import: journals the
 * difference.  Identical rows change nothing; a different quantity or
 * expiry is WMS_ECONFLICT unless `update`. */
int wms_stock_import(wms_db *db, const wms_actor *who, const char *bin, const char *sku,
                     const char *lot, const char *expiry, int64_t qty, const char *status,
                     int update, wms_error *err);

/* One difference between the journal and the stock table. */
typedef struct wms_verify_diff {
    char bin[WMS_SKU_MAX + 1];
    char sku[WMS_SKU_MAX + 1];
    char lot[WMS_LOT_MAX + 1];
    char expiry[11];
    char status[12];
    int64_t journal_qty, stock_qty;
} wms_verify_diff;

/* Recomputes on-hand from the journal and compares with the stock table.
 * Returns the number of differences (0 = consistent), calling cb for each. */
int wms_stock_verify(wms_db *db, int (*cb)(void *ctx, const wms_verify_diff *d), void *ctx,
                     wms_error *err);

typedef struct wms_expiring_row {
    wms_stock_row s;
    int days_left; /* negative when already expired */
} wms_expiring_row;

typedef struct wms_leftover_row {
    char sku[WMS_SKU_MAX + 1];
    int64_t on_hand; /* available + hold units of the item */
    char last_lot[WMS_LOT_MAX + 1];
    int64_t last_lot_qty; /* units received of the last received lot */
    char old_lot[WMS_LOT_MAX + 1];
    char old_bin[WMS_SKU_MAX + 1];
    char old_expiry[11];
    int64_t old_qty;
} wms_leftover_row;

/* Lots expiring within `days` of today (and those already expired). */
int wms_stock_expiring(wms_db *db, int days, int (*cb)(void *, const wms_expiring_row *), void *ctx,
                       wms_error *err);
/* Items whose on-hand exceeds twice the last received lot while an older
 * lot is still on hand (stock probably left behind in a bin). */
int wms_stock_leftovers(wms_db *db, int (*cb)(void *, const wms_leftover_row *), void *ctx,
                        wms_error *err);

/* ------------------------------------------------------------------------ */
/* Imports (data-formats-v1 CSV)                                            */
/* ------------------------------------------------------------------------ */

typedef struct wms_import_stats {
    long rows, inserted, updated, unchanged, ambiguous;
} wms_import_stats;

/* Imports one CSV file of `kind` (items, packs, barcodes, layout, bins,
 * stock) from `in` as one transaction: any bad row rolls the whole file
 * back and the error names the line and column (WMS_EBAD_CSV,
 * WMS_ECONFLICT, ...).  Identical rows change nothing; contradicting rows
 * are refused unless `update`.  `in` is not closed. */
int wms_import(wms_db *db, const wms_actor *who, const char *kind, FILE *in, int update,
               wms_import_stats *st, wms_error *err);
/* Name of import kind i, or NULL past the last. */
const char *wms_import_kind(int i);

/* Writes every row of `kind` (items, packs, barcodes, layout, bins, stock)
 * to `out` with the import's column names: CSV with a header row, or with
 * `json` a JSON array of objects (numbers as numbers).  Returns rows. */
int wms_export(wms_db *db, const char *kind, FILE *out, int json, wms_error *err);

#ifdef __cplusplus
}
#endif
#endif /* WMS_H */
