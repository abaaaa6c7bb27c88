/*
 * import.c - CSV imports (data-formats-v1): one file is one transaction.
 *
 * Each kind has a schema (its contract columns) and a row handler that
 * calls the matching *_put function.  Any bad row makes wms_import return
 * an error naming the line (and column) and rolls back the whole file.
 */
#include "store/db.h"
#include "core/csvin.h"
#include "store/order.h"
#include "store/boxes.h"
#include "store/sort.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct import_ctx {
    wms_db *db;
    const wms_actor *who;
    int update;
    wms_import_stats *st;
} import_ctx;

/* Prefixes an engine error with the row's line number. */
static int at_line(const wms_csv_row *r, wms_error *err, int rc)
{
    if (err != NULL && rc < 0) {
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        wms_error_set(err, rc, "line %ld: %s", r->line, msg);
    }
    return rc;
}

static void count(import_ctx *ic, int put)
{
    ic->st->rows++;
    switch (put) {
    case WMS_PUT_INSERTED:
        ic->st->inserted++;
        break;
    case WMS_PUT_UPDATED:
        ic->st->updated++;
        break;
    case WMS_PUT_AMBIGUOUS:
        ic->st->inserted++;
        ic->st->ambiguous++;
        break;
    default:
        ic->st->unchanged++;
    }
}

static int text_col(const wms_csv_row *r, int col, char *dst, size_t n, wms_error *err)
{
    if (strlen(r->val[col]) >= n)
        return wms_error_set(err, WMS_EBAD_CSV, "line %ld, column %s: value is longer than %zu",
                             r->line, r->cols[col].name, n - 1);
    snprintf(dst, n, "%s", r->val[col]);
    return 0;
}

static const wms_csv_col items_cols[] = {
    {"sku", true},       {"description", false}, {"uom", false},      {"length_mm", false},
    {"width_mm", false}, {"height_mm", false},   {"weight_g", false}, {"shelf_life_days", false},
};

static int items_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    import_ctx *ic = ctx;
    wms_item it;
    long v[5];
    int rc;
    memset(&it, 0, sizeof(it));
    if ((rc = text_col(r, 0, it.sku, sizeof(it.sku), err)) < 0 ||
        (rc = text_col(r, 1, it.description, sizeof(it.description), err)) < 0 ||
        (rc = text_col(r, 2, it.uom, sizeof(it.uom), err)) < 0)
        return rc;
    for (int i = 0; i < 4; i++)
        if ((rc = wms_csv_get_long(r, 3 + i, 1, 10000000, 0, &v[i], NULL, err)) < 0)
            return rc;
    if ((rc = wms_csv_get_long(r, 7, 0, 36500, -1, &v[4], NULL, err)) < 0)
        return rc;
    it.length_mm = v[0];
    it.width_mm = v[1];
    it.height_mm = v[2];
    it.weight_g = v[3];
    it.shelf_life_days = v[4];
    if ((rc = wms_item_put(ic->db, &it, ic->update, err)) < 0)
        return at_line(r, err, rc);
    count(ic, rc);
    return 0;
}

static const wms_csv_col packs_cols[] = {{"sku", true}, {"level", true}, {"units", true}};

static int packs_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    import_ctx *ic = ctx;
    long units;
    int rc = wms_csv_get_long(r, 2, 1, 10000000, 0, &units, NULL, err);
    if (rc < 0)
        return rc;
    if ((rc = wms_pack_put(ic->db, r->val[0], r->val[1], units, ic->update, err)) < 0)
        return at_line(r, err, rc);
    count(ic, rc);
    return 0;
}

static const wms_csv_col barcodes_cols[] = {{"code", true}, {"sku", true}, {"level", false}};

static int barcodes_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    import_ctx *ic = ctx;
    int rc = wms_barcode_put(ic->db, r->val[0], r->val[1], r->val[2], ic->update, err);
    if (rc < 0)
        return at_line(r, err, rc);
    count(ic, rc);
    return 0;
}

static const wms_csv_col layout_cols[] = {
    {"kind", true}, {"id", true}, {"x_m", false}, {"y_m", false}, {"length_m", false}};

static int layout_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    import_ctx *ic = ctx;
    double v[3];
    int rc;
    for (int i = 0; i < 3; i++)
        if ((rc = wms_csv_get_double(r, 2 + i, -100000, 100000, NAN, &v[i], NULL, err)) < 0)
            return rc;
    if ((rc = wms_layout_put(ic->db, r->val[0], r->val[1], v[0], v[1], v[2], ic->update, err)) < 0)
        return at_line(r, err, rc);
    count(ic, rc);
    return 0;
}

static const wms_csv_col bins_cols[] = {
    {"code", true}, {"zone", true},   {"type", true},      {"aisle", true},
    {"y_m", true},  {"level", false}, {"capacity", false}, {"blocked", false},
};

static int bins_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    import_ctx *ic = ctx;
    wms_bin b;
    long level, cap, blocked;
    int rc;
    memset(&b, 0, sizeof(b));
    if ((rc = text_col(r, 0, b.code, sizeof(b.code), err)) < 0 ||
        (rc = text_col(r, 1, b.zone, sizeof(b.zone), err)) < 0 ||
        (rc = text_col(r, 2, b.type, sizeof(b.type), err)) < 0 ||
        (rc = text_col(r, 3, b.aisle, sizeof(b.aisle), err)) < 0 ||
        (rc = wms_csv_get_double(r, 4, 0, 100000, 0, &b.y_m, NULL, err)) < 0 ||
        (rc = wms_csv_get_long(r, 5, 0, 1000, 0, &level, NULL, err)) < 0 ||
        (rc = wms_csv_get_long(r, 6, 0, WMS_QTY_MAX, 0, &cap, NULL, err)) < 0 ||
        (rc = wms_csv_get_long(r, 7, 0, 1, 0, &blocked, NULL, err)) < 0)
        return rc;
    b.level = level;
    b.capacity = cap;
    b.blocked = (int)blocked;
    if ((rc = wms_bin_put(ic->db, &b, ic->update, err)) < 0)
        return at_line(r, err, rc);
    count(ic, rc);
    return 0;
}

static const wms_csv_col stock_cols[] = {{"bin", true},     {"sku", true}, {"lot", false},
                                         {"expiry", false}, {"qty", true}, {"status", false}};

static int stock_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    import_ctx *ic = ctx;
    char expiry[11];
    long qty;
    int rc;
    if ((rc = wms_csv_get_date(r, 3, expiry, NULL, err)) < 0 ||
        (rc = wms_csv_get_long(r, 4, 0, WMS_QTY_MAX, 0, &qty, NULL, err)) < 0)
        return rc;
    rc = wms_stock_import(ic->db, ic->who, r->val[0], r->val[1], r->val[2], expiry, qty, r->val[5],
                          ic->update, err);
    if (rc < 0)
        return at_line(r, err, rc);
    count(ic, rc);
    return 0;
}

/* Box types; sizes and weights are checked by wms_box_put (its message
 * names the box, the column and the limit). */
static const wms_csv_col boxes_cols[] = {
    {"code", true},      {"length_mm", true},    {"width_mm", true},
    {"height_mm", true}, {"max_weight_g", true}, {"tare_g", false},
};

static int boxes_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    import_ctx *ic = ctx;
    wms_box_type b;
    long v[5];
    int rc;
    memset(&b, 0, sizeof(b));
    if ((rc = text_col(r, 0, b.code, sizeof(b.code), err)) < 0)
        return rc;
    for (int i = 0; i < 5; i++)
        if ((rc = wms_csv_get_long(r, 1 + i, -1000000000000L, 1000000000000L, 0, &v[i], NULL,
                                   err)) < 0)
            return rc;
    b.length_mm = v[0];
    b.width_mm = v[1];
    b.height_mm = v[2];
    b.max_weight_g = v[3];
    b.tare_g = v[4];
    if ((rc = wms_box_put(ic->db, &b, ic->update, err)) < 0)
        return at_line(r, err, rc);
    count(ic, rc);
    return 0;
}

/* Put-wall slots: wall, slot label, and its number on the wall (seq;
 * default: the row's position in the file). */
static const wms_csv_col putwall_cols[] = {{"wall", true}, {"slot", true}, {"seq", false}};

static int putwall_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    import_ctx *ic = ctx;
    long seq;
    int rc = wms_csv_get_long(r, 2, 0, 1000000, r->line - 1, &seq, NULL, err);
    if (rc < 0)
        return rc;
    if ((rc = wms_putwall_put(ic->db, r->val[0], r->val[1], seq, ic->update, err)) < 0)
        return at_line(r, err, rc);
    count(ic, rc);
    return 0;
}

static const wms_csv_col customers_cols[] = {
    {"customer", true}, {"name", true}, {"credit", true}, {"hold_value", false}};

static int customers_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    import_ctx *ic = ctx;
    int64_t hold;
    int rc = wms_money_parse(r->val[3], WMS_MONEY_MAX_CENTS, &hold);
    if (rc < 0)
        return wms_error_set(err, WMS_EBAD_CSV,
                             "line %ld, column hold_value: '%.40s' is not an amount with at most "
                             "2 decimals",
                             r->line, r->val[3]);
    rc = wms_customer_put(ic->db, r->val[0], r->val[1], r->val[2], rc == 0 ? -1 : hold, ic->update,
                          err);
    if (rc < 0)
        return at_line(r, err, rc);
    count(ic, rc);
    return 0;
}

/* Orders: rows are staged and grouped by order (consecutive or not); the
 * orders are created after the last row (orders_done).  Counts: rows per
 * CSV row, inserted/updated/unchanged per order. */
static const wms_csv_col orders_cols[] = {
    {"order", true},         {"line", true},
    {"customer", true},      {"sku", true},
    {"qty", true},           {"priority", false},
    {"carrier", false},      {"cutoff", false},
    {"ship_name", false},    {"ship_street", false},
    {"ship_city", false},    {"ship_postcode", false},
    {"ship_country", false}, {"min_shelf_life_days", false},
    {"unit_price", false},   {"short_policy", false},
};

static int orders_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    import_ctx *ic = ctx;
    long line, qty, prio, msl;
    int64_t price;
    int rc;
    if ((rc = wms_csv_get_long(r, 1, 1, WMS_ORDER_LINE_NO_MAX, 0, &line, NULL, err)) < 0 ||
        (rc = wms_csv_get_long(r, 4, 1, WMS_QTY_MAX, 0, &qty, NULL, err)) < 0 ||
        (rc = wms_csv_get_long(r, 5, 1, 9, 3, &prio, NULL, err)) < 0 ||
        (rc = wms_csv_get_long(r, 13, 0, 36500, -1, &msl, NULL, err)) < 0)
        return rc;
    if (wms_money_parse(r->val[14], WMS_MONEY_MAX_CENTS, &price) < 0)
        return wms_error_set(err, WMS_EBAD_CSV,
                             "line %ld, column unit_price: '%.40s' is not an amount with at most "
                             "2 decimals",
                             r->line, r->val[14]);
    order__import_row o = {
        .file_line = r->line,
        .ref = r->val[0],
        .customer = r->val[2],
        .sku = r->val[3],
        .line = line,
        .qty = qty,
        .priority = (int)prio,
        .carrier = r->val[6],
        .cutoff = r->val[7],
        .ship_name = r->val[8],
        .ship_street = r->val[9],
        .ship_city = r->val[10],
        .ship_postcode = r->val[11],
        .ship_country = r->val[12],
        .short_policy = r->val[15],
        .min_shelf_life_days = (int)msl,
        .unit_price_cents = price,
    };
    if ((rc = order__import_stage(ic->db, &o, err)) < 0)
        return rc;
    ic->st->rows++;
    return 0;
}

static int orders_done(void *ctx, wms_error *err)
{
    import_ctx *ic = ctx;
    return order__import_finish(ic->db, ic->who, ic->update, &ic->st->inserted, &ic->st->updated,
                                &ic->st->unchanged, err);
}

static const struct {
    const char *kind;
    const wms_csv_col *cols;
    int ncols;
    wms_csv_row_cb row;
    int (*done)(void *ctx, wms_error *err); /* after the last row, or NULL */
} kinds[] = {
#define K(name)                                                                                    \
    {                                                                                              \
#name, name##_cols, (int)(sizeof(name##_cols) / sizeof(name##_cols[0])), name##_row, NULL  \
    }
    K(items),
    K(packs),
    K(barcodes),
    K(layout),
    K(bins),
    K(stock),
    K(customers),
    {"orders", orders_cols, (int)(sizeof(orders_cols) / sizeof(orders_cols[0])), orders_row,
     orders_done},
    K(boxes),
    K(putwall),
#undef K
};

const char *wms_import_kind(int i)
{
    return i >= 0 && i < (int)(sizeof(kinds) / sizeof(kinds[0])) ? kinds[i].kind : NULL;
}

int wms_import(wms_db *db, const wms_actor *who, const char *kind, FILE *in, int update,
               wms_import_stats *st, wms_error *err)
{
    memset(st, 0, sizeof(*st));
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        if (strcmp(kinds[k].kind, kind))
            continue;
        import_ctx ic = {db, who, update, st};
        int rc = db__op_begin(db, err);
        if (rc < 0)
            return rc;
        rc = wms_csv_read(in, kinds[k].cols, kinds[k].ncols, kinds[k].row, &ic, err);
        if (rc >= 0 && kinds[k].done != NULL)
            rc = kinds[k].done(&ic, err);
        rc = db__op_end(db, rc, err);
        if (rc < 0)
            memset(st, 0, sizeof(*st));
        return rc < 0 ? rc : 0;
    }
    return wms_error_set(err, WMS_EBAD_ARGS,
                         "unknown import kind '%s' (items, packs, barcodes, layout, bins, stock, "
                         "customers, orders, boxes, putwall)",
                         kind ? kind : "");
}
