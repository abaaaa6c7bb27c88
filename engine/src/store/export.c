/* export.c - writes stored data back in the import formats (CSV or JSON). */
#include "store/db.h"

#include <string.h>

/* Each query's column names are the data-formats-v1 column names. */
static const struct {
    const char *kind;
    const char *sql;
} exports[] = {
    {"items", "SELECT sku, description, uom, length_mm, width_mm, height_mm, weight_g, "
              "shelf_life_days FROM items ORDER BY sku"},
    {"packs", "SELECT i.sku AS sku, p.level AS level, p.units AS units FROM packs p "
              "JOIN items i ON i.id = p.item_id ORDER BY i.sku, p.units"},
    {"barcodes", "SELECT b.code AS code, i.sku AS sku, b.level AS level FROM barcodes b "
                 "JOIN items i ON i.id = b.item_id ORDER BY b.code, i.sku"},
    {"layout", "SELECT kind, id, x_m, y_m, length_m FROM layout ORDER BY kind, id"},
    /* system bins (OUTBOUND: not on the layout, aisle '') are the engine's own */
    {"bins", "SELECT code, zone, type, aisle, y_m, level, capacity, blocked FROM bins "
             "WHERE aisle <> '' ORDER BY code"},
    {"stock", "SELECT b.code AS bin, i.sku AS sku, s.lot AS lot, s.expiry AS expiry, "
              "s.qty AS qty, s.status AS status FROM stock s JOIN bins b ON b.id = s.bin_id "
              "JOIN items i ON i.id = s.item_id ORDER BY b.code, i.sku, s.lot"},
    {"customers", "SELECT code AS customer, name, credit, CASE WHEN hold_value_cents IS NULL "
                  "THEN NULL ELSE hold_value_cents / 100.0 END AS hold_value FROM customers "
                  "ORDER BY code"},
    /* Ordered lines only: gift lines are made again by the rules on import. */
    {"orders", "SELECT o.ref AS \"order\", l.line AS line, c.code AS customer, i.sku AS sku, "
               "l.qty AS qty, o.priority AS priority, o.carrier AS carrier, o.cutoff AS cutoff, "
               "o.ship_name AS ship_name, o.ship_street AS ship_street, o.ship_city AS ship_city, "
               "o.ship_postcode AS ship_postcode, o.ship_country AS ship_country, "
               "l.min_shelf_life_days AS min_shelf_life_days, "
               "l.unit_price_cents / 100.0 AS unit_price, o.short_policy AS short_policy "
               "FROM orders o JOIN order_lines l ON l.order_id = o.id "
               "JOIN customers c ON c.id = o.customer_id JOIN items i ON i.id = l.item_id "
               "WHERE l.gift_rule_id IS NULL ORDER BY o.id, l.line"},
};

static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int wms_export(wms_db *db, const char *kind, FILE *out, int json, wms_error *err)
{
    for (size_t k = 0; k < sizeof(exports) / sizeof(exports[0]); k++) {
        if (strcmp(exports[k].kind, kind))
            continue;
        sqlite3_stmt *st = db__stmt(db, exports[k].sql, err);
        if (st == NULL)
            return err ? err->code : WMS_ESTORAGE;
        int nc = sqlite3_column_count(st), rc, n = 0;
        if (!json)
            for (int c = 0; c < nc; c++)
                fprintf(out, "%s%s", c ? "," : "", sqlite3_column_name(st, c));
        fputs(json ? "[" : "\n", out);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (json)
                fputs(n ? ",\n  {" : "\n  {", out);
            for (int c = 0; c < nc; c++) {
                int t = sqlite3_column_type(st, c);
                const char *txt = (const char *)sqlite3_column_text(st, c);
                if (json) {
                    fprintf(out, "%s", c ? "," : "");
                    wms_json_str(out, sqlite3_column_name(st, c));
                    fputc(':', out);
                    if (t == SQLITE_NULL)
                        fputs("null", out);
                    else if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
                        fputs(txt, out);
                    else
                        wms_json_str(out, txt);
                } else {
                    fprintf(out, "%s", c ? "," : "");
                    csv_field(out, t == SQLITE_NULL ? "" : txt);
                }
            }
            fputs(json ? "}" : "\n", out);
            n++;
        }
        sqlite3_reset(st);
        if (json)
            fputs(n ? "\n]\n" : "]\n", out);
        if (rc != SQLITE_DONE)
            return db__fail(db, rc, err, "export");
        if (ferror(out))
            return wms_error_set(err, WMS_EIO, "export: write failed");
        return n;
    }
    return wms_error_set(err, WMS_EBAD_ARGS,
                         "unknown export kind '%s' (items, packs, barcodes, layout, bins, stock, "
                         "customers, orders)",
                         kind ? kind : "");
}
