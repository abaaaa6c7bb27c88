/*
 * carton.h - cartonization: which boxes an order (or the content of a tote)
 * ships in, and where each unit goes in its box.
 *
 * Pure domain logic: no I/O, no SQLite; allocation only inside the calls
 * (the result is owned by the caller, see wms_carton_result_free).
 *
 * Model.  A box type has an inner size L x W x H (mm), a maximum content
 * weight and a tare (g).  A unit with all three dimensions known is a
 * rectangular block that may be turned into any of its six axis-parallel
 * orientations.  A placement puts a unit's minimum corner at (x, y, z) in
 * box coordinates (x along the box length, y along its width, z up from the
 * floor) with extents (dx, dy, dz), a permutation of the item's length,
 * width and height.  A proposal is valid when every unit lies inside its
 * box (0 <= x and x + dx <= L, likewise y and z), no two units of a box
 * overlap (their interiors are disjoint), and no box's content weight
 * exceeds its maximum.  Units without all three dimensions take no modelled
 * space: they are "packed by weight only" (placed = 0, no position), after
 * every measured unit, and only count against weight limits.  A unit of
 * unknown weight counts as 0 g.  Stability (support from below) is not
 * modelled.
 *
 * Objective: the fewest boxes, then the smallest total inner volume of the
 * boxes (tare is not minimised).
 *
 * Algorithm (a heuristic: 3D bin packing is NP-hard).
 *  1. Single-box placement by extreme points (Crainic, Perboli & Tadei
 *     2008): a box keeps a list of candidate corner points, initially
 *     (0,0,0).  Placing a unit at p with extents e adds, for each axis a,
 *     the corner p + e[a] projected along each of the two other axes onto
 *     the nearest face of a unit already in the box (or the box wall), and
 *     drops the points now inside the unit; a point whose projection a
 *     later unit cuts short moves up to that unit's face.  Placement rules:
 *     "first fit" - the first point in (z, y, x) order where one of the
 *     unit's six orientations (flattest first, then longest side along x)
 *     lies inside the box and overlaps no unit; "upright" - the same with
 *     the tallest orientations first; "lowest top" - the point and
 *     orientation whose top, then far side, then right side is lowest.
 *     Every position is checked exactly against the box walls and every
 *     unit already in the box, so a placement is valid whatever the point
 *     list; the weight limit is checked for every unit.
 *  2. Unit orders (first fit decreasing): by volume, longest side, base area
 *     (two longest sides), shortest side, weight; ties keep the input order
 *     (units of one item stay together).
 *  3. Candidates: (a) "quick": FFD in volume order, first fit, each box of
 *     the largest-volume type that takes its first unit, then shrunk; (b)
 *     for each unit order: FFD as in (a), and "box-fill" (each new box: one
 *     trial box of every type filled greedily from the remaining units; the
 *     smallest type that takes them all, else the best fill ratio), each
 *     shrunk; the 3 best distinct ones of (b) are improved (4).
 *  4. Improvement: merge two boxes into one (any type, smallest first);
 *     empty a box (its units, largest first, go into the other boxes as
 *     they stand, or into another box repacked, also into a larger type);
 *     repack two boxes into two types of smaller total volume; repeated
 *     while something changes; then every box is shrunk to the smallest
 *     type its content can be repacked into.  A repack tries the box's own
 *     loading order and every unit order, under each placement rule.
 *  5. Small orders (at most WMS_CARTON_SUBSET_UNITS measured units): for
 *     every subset of the units and every type, whether one box takes it
 *     (tried only when every subset one unit smaller fits that type), then
 *     the best partition by dynamic programming over subsets.  Here a set of
 *     at most 6 units that no ordered fill fits gets a deep search: every
 *     unit order x candidate point x orientation, depth first, up to 20,000
 *     placements over the extreme points, then as many over all "normal"
 *     positions (x is 0 or the far x face of a unit already placed, same
 *     for y and z).  Still a heuristic (the search is bounded and, like any
 *     sequential placement, may miss interlocked packings), but it reaches
 *     the optimal box count on every one of the 28,500 exhaustively solved
 *     orders of the tests and experiments (up to 6 units, 4 types).
 *  6. The best candidate wins: fewest boxes, then least total volume.  Work
 *     is counted (position checks, points, copies); optional candidates,
 *     improvements and repack attempts stop at WMS_CARTON_WORK_BUDGET (the
 *     subset search has a budget of its own).  The count is deterministic,
 *     so a proposal never depends on the machine's speed or load.
 *  7. Units without dimensions, heaviest first, go into the first box with
 *     weight to spare, else into a new box of the type with the largest
 *     weight limit, which is then shrunk to the smallest type whose weight
 *     limit takes them (done for every candidate before comparing).
 * Placements of a box are listed in loading order: each position was chosen
 * with only the earlier units in the box, so putting the units in that
 * order works (no unit has to be slid under another).
 *
 * Limits: box sides 1..WMS_BOX_SIDE_MAX_MM (10 m), weight limit 1 g ..
 * WMS_BOX_WEIGHT_MAX_G (10 t), tare 0..10 t, at most WMS_CARTON_TYPES_MAX
 * box types and WMS_CARTON_UNITS_MAX units per call.
 */
#ifndef WMS_DOMAIN_CARTON_H
#define WMS_DOMAIN_CARTON_H

#include "wms.h"

#define WMS_BOX_SIDE_MAX_MM 10000       /* 10 m */
#define WMS_BOX_WEIGHT_MAX_G 10000000   /* 10 t */
#define WMS_CARTON_TYPES_MAX 256        /* box types per call */
#define WMS_CARTON_UNITS_MAX 1000       /* units per call */
#define WMS_CARTON_WORK_BUDGET 4000000L /* position checks for optional work */
#define WMS_CARTON_SUBSET_UNITS 8       /* subset search up to this many measured units */

/* A box type (inner dimensions). */
typedef struct wms_box_type {
    char code[WMS_SKU_MAX + 1];
    int64_t length_mm, width_mm, height_mm; /* inner, 1..WMS_BOX_SIDE_MAX_MM */
    int64_t max_weight_g;                   /* content, 1..WMS_BOX_WEIGHT_MAX_G */
    int64_t tare_g;                         /* 0..WMS_BOX_WEIGHT_MAX_G */
} wms_box_type;

/* An item to pack and how many units of it. */
typedef struct wms_carton_item {
    int64_t item_id; /* the caller's id (copied to the result, not interpreted) */
    char sku[WMS_SKU_MAX + 1];
    int64_t length_mm, width_mm, height_mm; /* 0 = unknown (any 0: no dimensions) */
    int64_t weight_g;                       /* 0 = unknown (counts as 0 g) */
    int64_t qty;                            /* units, >= 0 */
} wms_carton_item;

/* Where one unit goes. */
typedef struct wms_carton_place {
    int item;                    /* index in result items */
    int box;                     /* index in result boxes */
    int placed;                  /* 1: position below; 0: no dimensions (by weight only) */
    int64_t x_mm, y_mm, z_mm;    /* minimum corner in the box (0 when not placed) */
    int64_t dx_mm, dy_mm, dz_mm; /* extents along x, y, z (0 when not placed) */
} wms_carton_place;

/* One box of the proposal. */
typedef struct wms_carton_box {
    int type;                   /* index in result types */
    int units;                  /* units in the box */
    int first_place;            /* its placements: place[first_place .. first_place + units) */
    int64_t content_weight_g;   /* known weights of its units */
    int64_t content_volume_mm3; /* volume of its measured units */
} wms_carton_box;

typedef struct wms_carton_result {
    int ntypes;
    wms_box_type *types; /* copy of the box types given */
    int nitems;
    wms_carton_item *items; /* copy of the items given */
    int nbox;
    wms_carton_box *box; /* the proposal's boxes */
    int nplace;
    wms_carton_place *place;  /* one per unit, grouped by box, loading order within */
    int64_t box_volume_mm3;   /* sum of the boxes' inner volumes */
    int64_t units_volume_mm3; /* sum of the measured units' volumes */
    int64_t units_weight_g;   /* sum of the known unit weights */
    int units_no_dims;        /* units packed by weight only */
    int units_no_weight;      /* units of unknown weight (counted as 0 g) */
    int candidates;           /* candidate solutions evaluated */
    long work;                /* position checks made (a cost measure) */
    char strategy[48];        /* the winning candidate, e.g. "ffd/volume/first-fit" */
} wms_carton_result;

enum {
    WMS_CARTON_QUICK = 1,      /* one candidate (FFD, volume order, first fit), shrink only */
    WMS_CARTON_NO_SUBSETS = 2, /* skip the subset search (to measure the strategies alone) */
};

/*
 * Proposes boxes for `nitems` items (their qty units) from `ntypes` box
 * types, as described above; flags: 0 or WMS_CARTON_QUICK.  On success
 * *out owns its arrays (wms_carton_result_free).  Errors (nothing to free):
 *  WMS_EBAD_ARGS  NULL arguments, a box type with a side outside
 *                 1..WMS_BOX_SIDE_MAX_MM, a weight limit outside
 *                 1..WMS_BOX_WEIGHT_MAX_G, a bad tare (the box is named), an
 *                 item with a negative size, weight or qty (named);
 *  WMS_ENOT_FOUND no box types;  WMS_EBAD_QTY no units at all;
 *  WMS_ETOO_LARGE more than WMS_CARTON_TYPES_MAX types or
 *                 WMS_CARTON_UNITS_MAX units;
 *  WMS_EITEM_TOO_LARGE an item that fits in no box type in any orientation,
 *                 or heavier than every box's weight limit (the item and its
 *                 size or weight are named);
 *  WMS_ENOMEM.
 */
int wms_carton_pack(const wms_box_type *types, int ntypes, const wms_carton_item *items, int nitems,
                    int flags, wms_carton_result *out, wms_error *err);

/* Frees a result's arrays and zeroes it; safe on a zeroed result. */
void wms_carton_result_free(wms_carton_result *r);

/* Inner volume of box type t in mm3. */
int64_t wms_box_type_volume(const wms_box_type *t);

#endif
