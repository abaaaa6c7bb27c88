/*
 * layout.h - the stored layout as a routing model (domain/route.h).
 *
 * Loads the `layout` table into a wms_layout and maps bins to
 * wms_pick_loc, following data-formats-v1 "Layout geometry" (the distance
 * model of route.h):
 *  - aisles (kind 'aisle': id, x_m, length_m) become route aisles in
 *    ascending x; the route model uses one aisle length, the longest
 *    length_m, and every aisle reaches the back cross aisle there;
 *  - cross aisles (kind 'cross': y_m) become middle cross aisles; one at or
 *    beyond the back cross aisle (y_m >= the longest aisle) coincides with
 *    it and is dropped, and duplicates count once;
 *  - the depot (kind 'depot': x_m) sits at (x_m, 0) on the front cross
 *    aisle;
 *  - a bin (aisle, y_m) is the pick location (index of its aisle in x
 *    order, y_m).
 */
#ifndef WMS_STORE_LAYOUT_H
#define WMS_STORE_LAYOUT_H

#include "wms.h"
#include "domain/route.h"

#define WMS_LAYOUT_ID_MAX 32

/* A loaded layout.  `l` points into the arrays below; everything is owned
 * by the struct (free with wms_layout_map_free). */
typedef struct wms_layout_map {
    wms_layout l;
    double *aisle_x;                         /* l.n_aisles, ascending */
    double *cross_y;                         /* l.n_cross, ascending */
    char (*aisle_id)[WMS_LAYOUT_ID_MAX + 1]; /* by aisle index (x order) */
    int *by_id;                              /* aisle indices sorted by id, for lookup */
    char depot_id[WMS_LAYOUT_ID_MAX + 1];
} wms_layout_map;

/* Reads the layout table into *out (zeroed first).  Errors: WMS_ENOT_FOUND
 * (no aisle, or no depot), WMS_EBAD_ARGS (an aisle without x_m or
 * length_m, two aisles at the same x: named), WMS_ETOO_LARGE (more aisles
 * or cross aisles than route.h allows), WMS_ENOMEM, storage errors.  On
 * error *out holds nothing to free (freeing it is still safe). */
int wms_layout_load(wms_db *db, wms_layout_map *out, wms_error *err);

/* Frees what wms_layout_load allocated; safe on a zeroed struct. */
void wms_layout_map_free(wms_layout_map *m);

/* Index (x order) of the aisle with id `aisle`, or -1. */
int wms_layout_aisle_index(const wms_layout_map *m, const char *aisle);

/* The pick location of a bin standing in `aisle` at `y_m`.  Errors:
 * WMS_ENOT_FOUND (aisle not in the layout), WMS_EBAD_ARGS (y_m not
 * strictly inside the aisles).  `what` names the bin in messages. */
int wms_layout_loc(const wms_layout_map *m, const char *what, const char *aisle, double y_m,
                   wms_pick_loc *out, wms_error *err);

/* Looks a bin up by code and returns its row (bin_out may be NULL) and pick
 * location.  Errors: WMS_ENOT_FOUND "no bin 'CODE'", as wms_layout_loc,
 * storage errors. */
int wms_layout_bin(wms_db *db, const wms_layout_map *m, const char *code, wms_pick_loc *out,
                   wms_bin *bin_out, wms_error *err);

#endif
