/* layout.c - the stored layout as a routing model (see layout.h). */
#include "store/db.h"
#include "store/layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct aisle_row {
    double x;
    char id[WMS_LAYOUT_ID_MAX + 1];
} aisle_row;

static int aisle_x_cmp(const void *pa, const void *pb)
{
    const aisle_row *a = pa, *b = pb;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    return strcmp(a->id, b->id);
}

static int dbl_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

static int id_cmp(const void *pa, const void *pb)
{
    return strcmp(((const aisle_row *)pa)->id, ((const aisle_row *)pb)->id);
}

void wms_layout_map_free(wms_layout_map *m)
{
    if (m == NULL)
        return;
    free(m->aisle_x);
    free(m->cross_y);
    free(m->aisle_id);
    free(m->by_id);
    memset(m, 0, sizeof(*m));
}

/* Reads the rows into growable arrays; see wms_layout_load for errors. */
static int layout_read(wms_db *db, wms_layout_map *m, aisle_row **aisles, int *na, wms_error *err)
{
    static const char sql[] = "SELECT kind, id, x_m, y_m, length_m FROM layout ORDER BY kind, id";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    int cap_a = 0, cap_c = 0, n_depot = 0, rc;
    double length = 0.0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        char id[WMS_LAYOUT_ID_MAX + 1];
        db__col_text(st, 1, id, sizeof(id));
        int has_x = sqlite3_column_type(st, 2) != SQLITE_NULL;
        int has_y = sqlite3_column_type(st, 3) != SQLITE_NULL;
        int has_len = sqlite3_column_type(st, 4) != SQLITE_NULL;
        double x = sqlite3_column_double(st, 2), y = sqlite3_column_double(st, 3);
        double len = sqlite3_column_double(st, 4);
        if (kind == NULL) {
            continue;
        } else if (!strcmp(kind, "aisle")) {
            if (!has_x || !has_len || !isfinite(x) || !(len > 0.0)) {
                rc = wms_error_set(err, WMS_EBAD_ARGS, "aisle %s needs x_m and a length_m above 0",
                                   id);
                goto fail;
            }
            if (*na >= WMS_ROUTE_MAX_AISLES) {
                rc = wms_error_set(err, WMS_ETOO_LARGE, "the layout has more than %d aisles",
                                   WMS_ROUTE_MAX_AISLES);
                goto fail;
            }
            if (*na == cap_a) {
                cap_a = cap_a ? 2 * cap_a : 64;
                aisle_row *p = realloc(*aisles, sizeof(**aisles) * (size_t)cap_a);
                if (p == NULL) {
                    rc = wms_error_set(err, WMS_ENOMEM, "out of memory loading the layout");
                    goto fail;
                }
                *aisles = p;
            }
            (*aisles)[*na].x = x;
            memcpy((*aisles)[*na].id, id, sizeof(id));
            (*na)++;
            if (len > length)
                length = len;
        } else if (!strcmp(kind, "cross")) {
            if (!has_y || !isfinite(y) || !(y > 0.0))
                continue; /* the import refuses these; nothing to walk on */
            if (m->l.n_cross >= 4 * WMS_ROUTE_MAX_CROSS) {
                rc = wms_error_set(err, WMS_ETOO_LARGE, "the layout has more than %d cross aisles",
                                   WMS_ROUTE_MAX_CROSS);
                goto fail;
            }
            if (m->l.n_cross == cap_c) {
                cap_c = cap_c ? 2 * cap_c : 8;
                double *p = realloc(m->cross_y, sizeof(double) * (size_t)cap_c);
                if (p == NULL) {
                    rc = wms_error_set(err, WMS_ENOMEM, "out of memory loading the layout");
                    goto fail;
                }
                m->cross_y = p;
            }
            m->cross_y[m->l.n_cross++] = y;
        } else if (!strcmp(kind, "depot")) {
            if (!has_x || !isfinite(x)) {
                rc = wms_error_set(err, WMS_EBAD_ARGS, "the depot needs x_m");
                goto fail;
            }
            n_depot++;
            m->l.depot_x = x;
            memcpy(m->depot_id, id, sizeof(id));
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "layout");
    if (*na == 0)
        return wms_error_set(err, WMS_ENOT_FOUND, "the layout has no aisles (import the layout)");
    if (n_depot == 0)
        return wms_error_set(err, WMS_ENOT_FOUND,
                             "the layout has no depot (a row of kind depot with x_m)");
    m->l.length = length;
    return 0;
fail:
    sqlite3_reset(st);
    return rc;
}

int wms_layout_load(wms_db *db, wms_layout_map *out, wms_error *err)
{
    if (db == NULL || out == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no database or layout given");
    memset(out, 0, sizeof(*out));
    aisle_row *aisles = NULL;
    int na = 0;
    int rc = layout_read(db, out, &aisles, &na, err);
    if (rc < 0)
        goto fail;
    qsort(aisles, (size_t)na, sizeof(*aisles), aisle_x_cmp);
    for (int i = 1; i < na; i++) {
        if (aisles[i].x == aisles[i - 1].x) {
            rc = wms_error_set(err, WMS_EBAD_ARGS, "aisles %s and %s are both at x %g m",
                               aisles[i - 1].id, aisles[i].id, aisles[i].x);
            goto fail;
        }
    }
    out->aisle_x = malloc(sizeof(double) * (size_t)na);
    out->aisle_id = malloc(sizeof(*out->aisle_id) * (size_t)na);
    out->by_id = malloc(sizeof(int) * (size_t)na);
    if (out->aisle_x == NULL || out->aisle_id == NULL || out->by_id == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory loading the layout");
        goto fail;
    }
    for (int i = 0; i < na; i++) {
        out->aisle_x[i] = aisles[i].x;
        memcpy(out->aisle_id[i], aisles[i].id, sizeof(aisles[i].id));
        aisles[i].x = i; /* reused below: the index, for the id order */
    }
    qsort(aisles, (size_t)na, sizeof(*aisles), id_cmp);
    for (int i = 0; i < na; i++)
        out->by_id[i] = (int)aisles[i].x;
    /* Middle cross aisles: sorted, duplicates and those at or beyond the
     * back cross aisle dropped. */
    int nc = 0;
    if (out->l.n_cross > 0)
        qsort(out->cross_y, (size_t)out->l.n_cross, sizeof(double), dbl_cmp);
    for (int k = 0; k < out->l.n_cross; k++) {
        double y = out->cross_y[k];
        if (y >= out->l.length || (nc > 0 && y == out->cross_y[nc - 1]))
            continue;
        out->cross_y[nc++] = y;
    }
    if (nc > WMS_ROUTE_MAX_CROSS) {
        rc = wms_error_set(err, WMS_ETOO_LARGE, "the layout has %d cross aisles; at most %d", nc,
                           WMS_ROUTE_MAX_CROSS);
        goto fail;
    }
    out->l.n_cross = nc;
    out->l.cross_y = nc > 0 ? out->cross_y : NULL;
    out->l.n_aisles = na;
    out->l.aisle_x = out->aisle_x;
    rc = wms_route_layout_check(&out->l, err);
    if (rc < 0)
        goto fail;
    free(aisles);
    return 0;
fail:
    free(aisles);
    wms_layout_map_free(out);
    return rc;
}

int wms_layout_aisle_index(const wms_layout_map *m, const char *aisle)
{
    if (m == NULL || aisle == NULL || m->by_id == NULL)
        return -1;
    int a = 0, b = m->l.n_aisles;
    while (a < b) {
        int mid = a + (b - a) / 2;
        int c = strcmp(m->aisle_id[m->by_id[mid]], aisle);
        if (c == 0)
            return m->by_id[mid];
        if (c < 0)
            a = mid + 1;
        else
            b = mid;
    }
    return -1;
}

int wms_layout_loc(const wms_layout_map *m, const char *what, const char *aisle, double y_m,
                   wms_pick_loc *out, wms_error *err)
{
    int a = wms_layout_aisle_index(m, aisle);
    if (a < 0)
        return wms_error_set(err, WMS_ENOT_FOUND, "bin %s: aisle '%s' is not in the layout",
                             what ? what : "", aisle ? aisle : "");
    if (!(y_m > 0.0 && y_m < m->l.length))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "bin %s: y_m %g is not inside aisle %s (0 < y_m < %g)",
                             what ? what : "", y_m, aisle, m->l.length);
    out->aisle = a;
    out->y = y_m;
    return 0;
}

int wms_layout_bin(wms_db *db, const wms_layout_map *m, const char *code, wms_pick_loc *out,
                   wms_bin *bin_out, wms_error *err)
{
    wms_bin b;
    int rc = wms_bin_get(db, code, &b, err);
    if (rc < 0)
        return rc;
    if (bin_out != NULL)
        *bin_out = b;
    return wms_layout_loc(m, b.code, b.aisle, b.y_m, out, err);
}
