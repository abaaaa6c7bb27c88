/*
 * boxes.h - box types (import kind "boxes", listing) and cartonization of
 * an order or of an explicit list of units (a tote at the packing station).
 *
 * The proposal itself is computed by the domain module (domain/carton.h:
 * the model, the objective and the algorithm); this module loads the box
 * types and the items' dimensions and weights, and writes the result as
 * JSON.  Cartonizing reads only: it changes nothing in the database.
 *
 * CSV (wmsctl import boxes FILE.csv): code, length_mm, width_mm, height_mm,
 * max_weight_g, tare_g? - the box's inner size in mm (each side 1..10000,
 * i.e. at most 10 m), the most content it may carry (1 g .. 10 t) and its
 * own weight (0 .. 10 t, default 0).
 *
 * These declarations are meant to move into wms.h.
 */
#ifndef WMS_STORE_BOXES_H
#define WMS_STORE_BOXES_H

#include "wms.h"
#include "domain/carton.h"

#include <stdio.h>

/* Inserts or (with `update`) updates box type b->code.  Returns
 * WMS_PUT_INSERTED, _UPDATED or _UNCHANGED.  Errors (nothing stored):
 * WMS_EBAD_ARGS (code not 1-64 printable characters without spaces; a side
 * outside 1..WMS_BOX_SIDE_MAX_MM, a weight limit outside
 * 1..WMS_BOX_WEIGHT_MAX_G or a tare outside 0..WMS_BOX_WEIGHT_MAX_G: the
 * message names the box, the column and the limit), WMS_ECONFLICT (the code
 * exists with other values and not `update`), storage errors. */
int wms_box_put(wms_db *db, const wms_box_type *b, int update, wms_error *err);

/* Box type `code` into *out.  Errors: WMS_ENOT_FOUND. */
int wms_box_get(wms_db *db, const char *code, wms_box_type *out, wms_error *err);

/* Calls cb for each box type by code (a non-zero return stops the walk).
 * Returns the number of box types passed to cb. */
int wms_box_list(wms_db *db, int (*cb)(void *ctx, const wms_box_type *b), void *ctx,
                 wms_error *err);

/* One line of units to cartonize: the item by id (> 0) or else by SKU. */
typedef struct wms_cartonize_line {
    int64_t item_id; /* 0: use sku */
    const char *sku;
    int64_t qty; /* 1..WMS_CARTON_UNITS_MAX */
} wms_cartonize_line;

/*
 * Proposes boxes for the n lines' units (lines of the same item are added
 * up) from the stored box types and item dimensions (wms_carton_pack, full
 * heuristic).  On success *out owns its arrays (wms_carton_result_free);
 * result item i carries the item's id and SKU.  Errors (nothing to free):
 * WMS_EBAD_ARGS (no lines, a line naming no item), WMS_ENOT_FOUND (unknown
 * item id or SKU: named; no box types), WMS_EBAD_QTY (qty < 1),
 * WMS_ETOO_LARGE (more than WMS_CARTON_UNITS_MAX units), WMS_EITEM_TOO_LARGE
 * (an item fits no box type: named with its size or weight), storage errors.
 */
int wms_cartonize_units(wms_db *db, const wms_cartonize_line *lines, int n, wms_carton_result *out,
                        wms_error *err);

/*
 * The same for order `order_ref`: each order line (gift lines included)
 * contributes qty - short units.  Errors as wms_cartonize_units, plus
 * WMS_ENOT_FOUND (no such order; "order X has no units to pack" when every
 * line is short) and WMS_ECONFLICT (the order is cancelled); messages start
 * with "order X: ".
 */
int wms_cartonize_order(wms_db *db, const char *order_ref, wms_carton_result *out, wms_error *err);

/*
 * Writes proposal r as one JSON object (and a newline) to f:
 *   {"order": REF (only when order_ref is not NULL), "box_count", "units",
 *    "box_volume_mm3", "units_volume_mm3", "fill" (units volume / box
 *    volume), "units_no_dims", "units_no_weight", "strategy",
 *    "notes": [sentences],
 *    "boxes": [{"box": CODE, "length_mm", "width_mm", "height_mm",
 *               "max_weight_g", "tare_g", "units", "content_weight_g",
 *               "gross_weight_g" (content + tare), "fill",
 *               "placements": [{"sku", "item_id", "placed": true,
 *                               "x_mm", "y_mm", "z_mm", "dx_mm", "dy_mm", "dz_mm"}
 *                            | {"sku", "item_id", "placed": false}]}]}
 * Coordinates: x along the box length, y along its width, z up from its
 * floor; (x, y, z) is the unit's corner nearest the origin and (dx, dy, dz)
 * its extents as placed.  Placements of a box are in loading order; units
 * packed by weight only ("placed": false) come last.  Returns 0, or WMS_EIO
 * when writing failed.
 */
int wms_cartonize_json(FILE *f, const char *order_ref, const wms_carton_result *r);

/* The notes of a proposal, for text and JSON: note 0 names the units packed
 * by weight only (no dimensions), note 1 those of unknown weight.  Writes
 * note `which` into buf (size n) and returns 1, or returns 0 when it does
 * not apply. */
int wms_cartonize_note(const wms_carton_result *r, int which, char *buf, size_t n);

#endif
