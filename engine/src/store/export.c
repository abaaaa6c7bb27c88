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
    {"bins", "SELECT code, zone, type, aisle, y_m, level, capacity, blocked FROM bins "
             "ORDER BY code"},
    {"stock", "SELECT b.code AS bin, i.sku AS sku, s.lot AS lot, s.expiry AS expiry, "
              "s.qty AS qty, s.status AS status FROM stock s JOIN bins b ON b.id = s.bin_id "
              "JOIN items i ON i.id = s.item_id ORDER BY b.code, i.sku, s.lot"},
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

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
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
                    json_str(out, sqlite3_column_name(st, c));
                    fputc(':', out);
                    if (t == SQLITE_NULL)
                        fputs("null", out);
                    else if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
                        fputs(txt, out);
                    else
                        json_str(out, txt);
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
                         "unknown export kind '%s' (items, packs, barcodes, layout, bins, stock)",
                         kind ? kind : "");
}
