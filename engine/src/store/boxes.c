/* boxes.c - box types and cartonization of orders and totes (see boxes.h). */
#include "store/boxes.h"
#include "store/catalog.h"
#include "store/db.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Box types                                                              */
/* ---------------------------------------------------------------------- */

static void box_row(sqlite3_stmt *st, wms_box_type *b)
{
    memset(b, 0, sizeof(*b));
    db__col_text(st, 0, b->code, sizeof(b->code));
    b->length_mm = sqlite3_column_int64(st, 1);
    b->width_mm = sqlite3_column_int64(st, 2);
    b->height_mm = sqlite3_column_int64(st, 3);
    b->max_weight_g = sqlite3_column_int64(st, 4);
    b->tare_g = sqlite3_column_int64(st, 5);
}

int wms_box_get(wms_db *db, const char *code, wms_box_type *out, wms_error *err)
{
    static const char sql[] = "SELECT code, length_mm, width_mm, height_mm, max_weight_g, tare_g "
                              "FROM boxes WHERE code = ?1";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, code);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        box_row(st, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = wms_error_set(err, WMS_ENOT_FOUND, "box type %s not found", code ? code : "");
    } else {
        rc = db__fail(db, rc, err, "box lookup");
    }
    sqlite3_reset(st);
    return rc;
}

int wms_box_list(wms_db *db, int (*cb)(void *ctx, const wms_box_type *b), void *ctx, wms_error *err)
{
    static const char sql[] = "SELECT code, length_mm, width_mm, height_mm, max_weight_g, tare_g "
                              "FROM boxes ORDER BY code";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        wms_box_type b;
        box_row(st, &b);
        n++;
        if (cb != NULL && cb(ctx, &b) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? n : db__fail(db, rc, err, "box list");
}

/* Checks one value against lo..hi; the message names box, column, unit. */
static int box_range(const wms_box_type *b, const char *col, int64_t v, int64_t lo, int64_t hi,
                     const char *unit, const char *limit, wms_error *err)
{
    if (v >= lo && v <= hi)
        return 0;
    return wms_error_set(err, WMS_EBAD_ARGS, "box %s: %s %lld %s: must be %lld to %lld %s (%s)",
                         b->code, col, (long long)v, unit, (long long)lo, (long long)hi, unit,
                         limit);
}

static int box_put__(wms_db *db, const wms_box_type *b, int update, wms_error *err)
{
    wms_box_type cur;
    int rc = wms_box_get(db, b->code, &cur, NULL);
    if (rc < 0 && rc != WMS_ENOT_FOUND)
        return wms_box_get(db, b->code, &cur, err);
    int existed = rc == 0;
    if (existed && cur.length_mm == b->length_mm && cur.width_mm == b->width_mm &&
        cur.height_mm == b->height_mm && cur.max_weight_g == b->max_weight_g &&
        cur.tare_g == b->tare_g)
        return WMS_PUT_UNCHANGED;
    if (existed && !update)
        return wms_error_set(err, WMS_ECONFLICT,
                             "box %s already exists with different values (%lld x %lld x %lld mm, "
                             "up to %lld g, tare %lld g; use --update)",
                             b->code, (long long)cur.length_mm, (long long)cur.width_mm,
                             (long long)cur.height_mm, (long long)cur.max_weight_g,
                             (long long)cur.tare_g);
    static const char sql[] =
        "INSERT INTO boxes(code, length_mm, width_mm, height_mm, max_weight_g, tare_g) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(code) DO UPDATE SET "
        "length_mm = excluded.length_mm, width_mm = excluded.width_mm, "
        "height_mm = excluded.height_mm, max_weight_g = excluded.max_weight_g, "
        "tare_g = excluded.tare_g";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, b->code);
    sqlite3_bind_int64(st, 2, b->length_mm);
    sqlite3_bind_int64(st, 3, b->width_mm);
    sqlite3_bind_int64(st, 4, b->height_mm);
    sqlite3_bind_int64(st, 5, b->max_weight_g);
    sqlite3_bind_int64(st, 6, b->tare_g);
    if ((rc = db__exec_stmt(db, st, err, "store box")) < 0)
        return rc;
    return existed ? WMS_PUT_UPDATED : WMS_PUT_INSERTED;
}

int wms_box_put(wms_db *db, const wms_box_type *b, int update, wms_error *err)
{
    if (b == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no box given");
    if (!catalog__valid_key(b->code, WMS_SKU_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "box code '%s' is empty, longer than %d or has spaces", b->code,
                             WMS_SKU_MAX);
    int rc;
    if ((rc = box_range(b, "length_mm", b->length_mm, 1, WMS_BOX_SIDE_MAX_MM, "mm", "at most 10 m",
                        err)) < 0 ||
        (rc = box_range(b, "width_mm", b->width_mm, 1, WMS_BOX_SIDE_MAX_MM, "mm", "at most 10 m",
                        err)) < 0 ||
        (rc = box_range(b, "height_mm", b->height_mm, 1, WMS_BOX_SIDE_MAX_MM, "mm", "at most 10 m",
                        err)) < 0 ||
        (rc = box_range(b, "max_weight_g", b->max_weight_g, 1, WMS_BOX_WEIGHT_MAX_G, "g",
                        "at most 10 t", err)) < 0 ||
        (rc = box_range(b, "tare_g", b->tare_g, 0, WMS_BOX_WEIGHT_MAX_G, "g", "at most 10 t",
                        err)) < 0)
        return rc;
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    return db__op_end(db, box_put__(db, b, update, err), err);
}

/* ---------------------------------------------------------------------- */
/* Cartonization                                                          */
/* ---------------------------------------------------------------------- */

typedef struct item_list {
    wms_carton_item *it;
    int n, cap;
    long units;
} item_list;

/* Adds qty units of the item in row st (id, sku, l, w, h, g) to the list,
 * merging with an entry of the same item. */
static int list_add(item_list *l, sqlite3_stmt *st, int64_t qty, wms_error *err)
{
    int64_t id = sqlite3_column_int64(st, 0);
    if (qty < 1 || qty > WMS_CARTON_UNITS_MAX || l->units + qty > WMS_CARTON_UNITS_MAX)
        return wms_error_set(err, qty < 1 ? WMS_EBAD_QTY : WMS_ETOO_LARGE,
                             qty < 1 ? "quantity %lld: must be at least 1"
                                     : "more than %lld units to cartonize",
                             qty < 1 ? (long long)qty : (long long)WMS_CARTON_UNITS_MAX);
    l->units += qty;
    for (int i = 0; i < l->n; i++)
        if (l->it[i].item_id == id) {
            l->it[i].qty += qty;
            return 0;
        }
    if (l->n == l->cap) { /* at most one entry per unit: capped by WMS_CARTON_UNITS_MAX */
        int cap = l->cap ? 2 * l->cap : 16;
        wms_carton_item *p = realloc(l->it, (size_t)cap * sizeof(*p));
        if (p == NULL)
            return wms_error_set(err, WMS_ENOMEM, "cartonize: out of memory");
        l->it = p;
        l->cap = cap;
    }
    wms_carton_item *it = &l->it[l->n++];
    memset(it, 0, sizeof(*it));
    it->item_id = id;
    db__col_text(st, 1, it->sku, sizeof(it->sku));
    it->length_mm = sqlite3_column_int64(st, 2); /* NULL (unknown) reads as 0 */
    it->width_mm = sqlite3_column_int64(st, 3);
    it->height_mm = sqlite3_column_int64(st, 4);
    it->weight_g = sqlite3_column_int64(st, 5);
    it->qty = qty;
    return 0;
}

/* Loads the box types and packs list l into out. */
static int pack_list(wms_db *db, const item_list *l, wms_carton_result *out, wms_error *err)
{
    static const char sql[] = "SELECT code, length_mm, width_mm, height_mm, max_weight_g, tare_g "
                              "FROM boxes ORDER BY code LIMIT ?1";
    wms_box_type *types = malloc((WMS_CARTON_TYPES_MAX + 1) * sizeof(*types));
    if (types == NULL)
        return wms_error_set(err, WMS_ENOMEM, "cartonize: out of memory");
    sqlite3_stmt *st = db__stmt(db, sql, err);
    int rc = st == NULL ? (err ? err->code : WMS_ESTORAGE) : 0, nt = 0;
    if (st != NULL) {
        sqlite3_bind_int(st, 1, WMS_CARTON_TYPES_MAX + 1);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            box_row(st, &types[nt++]);
        rc = rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "box types");
        sqlite3_reset(st);
    }
    if (rc == 0)
        rc = wms_carton_pack(types, nt, l->it, l->n, 0, out, err);
    free(types);
    return rc;
}

int wms_cartonize_units(wms_db *db, const wms_cartonize_line *lines, int n, wms_carton_result *out,
                        wms_error *err)
{
    static const char by_id[] =
        "SELECT id, sku, length_mm, width_mm, height_mm, weight_g FROM items WHERE id = ?1";
    static const char by_sku[] =
        "SELECT id, sku, length_mm, width_mm, height_mm, weight_g FROM items WHERE sku = ?1";
    if (out == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "cartonize: no result given");
    memset(out, 0, sizeof(*out));
    if (lines == NULL || n < 1)
        return wms_error_set(err, WMS_EBAD_ARGS, "cartonize: no units given");
    if (n > WMS_CARTON_UNITS_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE, "cartonize: more than %d lines",
                             WMS_CARTON_UNITS_MAX);
    item_list l = {0};
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const wms_cartonize_line *ln = &lines[i];
        if (ln->item_id <= 0 && (ln->sku == NULL || ln->sku[0] == '\0')) {
            rc = wms_error_set(err, WMS_EBAD_ARGS, "cartonize: line %d names no item", i + 1);
            break;
        }
        if (ln->qty < 1) {
            rc = wms_error_set(err, WMS_EBAD_QTY,
                               "cartonize: line %d (%s): quantity %lld, must be "
                               "at least 1",
                               i + 1, ln->item_id > 0 ? "by id" : ln->sku, (long long)ln->qty);
            break;
        }
        sqlite3_stmt *st = db__stmt(db, ln->item_id > 0 ? by_id : by_sku, err);
        if (st == NULL) {
            rc = err ? err->code : WMS_ESTORAGE;
            break;
        }
        if (ln->item_id > 0)
            sqlite3_bind_int64(st, 1, ln->item_id);
        else
            db__bind_text(st, 1, ln->sku);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW)
            rc = list_add(&l, st, ln->qty, err);
        else if (step == SQLITE_DONE && ln->item_id > 0)
            rc = wms_error_set(err, WMS_ENOT_FOUND, "cartonize: no item with id %lld",
                               (long long)ln->item_id);
        else if (step == SQLITE_DONE)
            rc = wms_error_set(err, WMS_ENOT_FOUND, "cartonize: unknown SKU '%s'", ln->sku);
        else
            rc = db__fail(db, step, err, "cartonize: item");
        sqlite3_reset(st);
    }
    if (rc == 0)
        rc = pack_list(db, &l, out, err);
    free(l.it);
    return rc;
}

/* Prefixes err's message with "order REF: ". */
static int order_fail(const char *ref, wms_error *err, int rc)
{
    if (err != NULL && rc < 0) {
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg[0] ? err->msg : wms_strerror(rc));
        wms_error_set(err, rc, "order %s: %s", ref, msg);
    }
    return rc;
}

int wms_cartonize_order(wms_db *db, const char *order_ref, wms_carton_result *out, wms_error *err)
{
    static const char q_order[] = "SELECT id, status FROM orders WHERE ref = ?1";
    static const char q_lines[] =
        "SELECT i.id, i.sku, i.length_mm, i.width_mm, i.height_mm, i.weight_g, l.qty - l.short "
        "FROM order_lines l JOIN items i ON i.id = l.item_id "
        "WHERE l.order_id = ?1 AND l.qty > l.short ORDER BY l.line";
    if (out == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "cartonize: no result given");
    memset(out, 0, sizeof(*out));
    const char *ref = order_ref != NULL ? order_ref : "";
    sqlite3_stmt *st = db__stmt(db, q_order, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    db__bind_text(st, 1, ref);
    int rc = sqlite3_step(st);
    int64_t order_id = 0;
    char status[16] = "";
    if (rc == SQLITE_ROW) {
        order_id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, status, sizeof(status));
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = wms_error_set(err, WMS_ENOT_FOUND, "order %s not found", ref);
    } else {
        rc = db__fail(db, rc, err, "cartonize: order");
    }
    sqlite3_reset(st);
    if (rc < 0)
        return rc;
    if (!strcmp(status, "cancelled"))
        return wms_error_set(err, WMS_ECONFLICT, "order %s is cancelled: nothing to pack", ref);
    if ((st = db__stmt(db, q_lines, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, order_id);
    item_list l = {0};
    while (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        rc = list_add(&l, st, sqlite3_column_int64(st, 6), err);
    if (rc == SQLITE_DONE)
        rc = 0;
    else if (rc > 0)
        rc = db__fail(db, rc, err, "cartonize: order lines");
    sqlite3_reset(st);
    if (rc == 0 && l.n == 0)
        rc = wms_error_set(err, WMS_ENOT_FOUND, "order %s has no units to pack", ref);
    else if (rc == 0)
        rc = order_fail(ref, err, pack_list(db, &l, out, err));
    else
        rc = order_fail(ref, err, rc);
    free(l.it);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Output                                                                 */
/* ---------------------------------------------------------------------- */

int wms_cartonize_note(const wms_carton_result *r, int which, char *buf, size_t n)
{
    int count = which == 0 ? r->units_no_dims : r->units_no_weight;
    if (count == 0 || n == 0)
        return 0;
    size_t len = (size_t)snprintf(buf, n, "%d unit%s ", count, count == 1 ? "" : "s");
    /* the items concerned (distinct), as many as fit */
    int listed = 0;
    for (int i = 0; i < r->nitems; i++) {
        const wms_carton_item *it = &r->items[i];
        int hit = which == 0 ? (it->length_mm <= 0 || it->width_mm <= 0 || it->height_mm <= 0)
                             : it->weight_g <= 0;
        if (!hit || it->qty <= 0)
            continue;
        if (len < n)
            len += (size_t)snprintf(buf + len, n - len, "%s%s", listed ? ", " : "of ", it->sku);
        listed++;
    }
    if (len < n)
        snprintf(buf + len, n - len, "%s",
                 which == 0 ? " without dimensions: packed by weight only, with no position; "
                              "check that they fit"
                            : " of unknown weight: counted as 0 g against the weight limits");
    return 1;
}

int wms_cartonize_json(FILE *f, const char *order_ref, const wms_carton_result *r)
{
    fputc('{', f);
    if (order_ref != NULL) {
        fputs("\"order\":", f);
        wms_json_str(f, order_ref);
        fputc(',', f);
    }
    fprintf(f,
            "\"box_count\":%d,\"units\":%d,\"box_volume_mm3\":%lld,\"units_volume_mm3\":%lld,"
            "\"fill\":%.4f,\"units_no_dims\":%d,\"units_no_weight\":%d,\"strategy\":",
            r->nbox, r->nplace, (long long)r->box_volume_mm3, (long long)r->units_volume_mm3,
            r->box_volume_mm3 > 0 ? (double)r->units_volume_mm3 / (double)r->box_volume_mm3 : 0.0,
            r->units_no_dims, r->units_no_weight);
    wms_json_str(f, r->strategy);
    fputs(",\"notes\":[", f);
    char note[512];
    for (int which = 0, k = 0; which < 2; which++)
        if (wms_cartonize_note(r, which, note, sizeof(note))) {
            if (k++)
                fputc(',', f);
            wms_json_str(f, note);
        }
    fputs("],\"boxes\":[", f);
    for (int b = 0; b < r->nbox; b++) {
        const wms_carton_box *bx = &r->box[b];
        const wms_box_type *t = &r->types[bx->type];
        int64_t vol = wms_box_type_volume(t);
        fputs(b ? ",\n  {\"box\":" : "\n  {\"box\":", f);
        wms_json_str(f, t->code);
        fprintf(f,
                ",\"length_mm\":%lld,\"width_mm\":%lld,\"height_mm\":%lld,\"max_weight_g\":%lld,"
                "\"tare_g\":%lld,\"units\":%d,\"content_weight_g\":%lld,\"gross_weight_g\":%lld,"
                "\"fill\":%.4f,\"placements\":[",
                (long long)t->length_mm, (long long)t->width_mm, (long long)t->height_mm,
                (long long)t->max_weight_g, (long long)t->tare_g, bx->units,
                (long long)bx->content_weight_g, (long long)(bx->content_weight_g + t->tare_g),
                vol > 0 ? (double)bx->content_volume_mm3 / (double)vol : 0.0);
        for (int k = bx->first_place; k < bx->first_place + bx->units; k++) {
            const wms_carton_place *p = &r->place[k];
            const wms_carton_item *it = &r->items[p->item];
            fputs(k > bx->first_place ? ",\n    {\"sku\":" : "\n    {\"sku\":", f);
            wms_json_str(f, it->sku);
            fprintf(f, ",\"item_id\":%lld,\"placed\":%s", (long long)it->item_id,
                    p->placed ? "true" : "false");
            if (p->placed)
                fprintf(f,
                        ",\"x_mm\":%lld,\"y_mm\":%lld,\"z_mm\":%lld,\"dx_mm\":%lld,\"dy_mm\":%lld,"
                        "\"dz_mm\":%lld",
                        (long long)p->x_mm, (long long)p->y_mm, (long long)p->z_mm,
                        (long long)p->dx_mm, (long long)p->dy_mm, (long long)p->dz_mm);
            fputc('}', f);
        }
        fputs("]}", f);
    }
    fputs(r->nbox ? "\n]}\n" : "]}\n", f);
    return ferror(f) ? WMS_EIO : 0;
}
