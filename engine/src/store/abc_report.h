/*
 * abc_report.h - ABC analysis of the items over a period and slotting
 * advice for the fast movers (`wmsctl report abc`).
 *
 * Source: the `picks` table (one row per pick confirmation).  A pick is a
 * visit of a bin for an order line: the rows of one (order, line, bin)
 * count as one pick, whatever the number of confirmations; units are the
 * sum of qty.  A row belongs to the period when its ts (ISO 8601, UTC)
 * falls on a day from `from` to `to`, both included.  Every item of the
 * catalog is classified (domain/abc.h, ties by SKU); items without picks
 * in the period are C.
 *
 * Slotting advice, for the items that are A by picks, in the layout's
 * distance model (store/layout.h, domain/route.h: depot -> bin is
 * |depot x - aisle x| + y):
 *  - an item's pick faces are the pick bins holding stock of it (qty > 0,
 *    any status) or with a pick_faces row for it; its current face is the
 *    one nearest the depot (ties: bin code);
 *  - the golden zone is the k unblocked pick bins nearest the depot, k =
 *    the number of A items that have a pick face; golden_m is the
 *    distance of the k-th.  An A item whose current face lies farther than
 *    golden_m is "far";
 *  - candidate bins: unblocked pick bins inside the layout that are empty
 *    (no stock, no pick_faces row) or hold only items that are C by picks
 *    (a swap), nearest the depot first (ties: empty before swap, then bin
 *    code); bin capacity is not considered;
 *  - greedy by saving: each step takes the nearest candidate still free
 *    and gives it to the far item that saves most walking with it (ties:
 *    the better pick rank); it stops when no far item would be closer, no
 *    candidate is left, or `top` moves are made.  So the moves come out by
 *    decreasing saving, and one bin is never offered twice;
 *  - saving per day = picks per day (picks / days of the period) x 2 x
 *    (distance depot -> current face - distance depot -> suggested bin):
 *    a walk to the face and back per pick.
 * Without a layout (no aisle or no depot) the classes are still given and
 * there is no advice (layout = 0).  Reads only, in one read transaction.
 */
#ifndef WMS_STORE_ABC_REPORT_H
#define WMS_STORE_ABC_REPORT_H

#include "wms.h"
#include "domain/abc.h"

#define WMS_ABC_DAYS_DEFAULT 30
#define WMS_ABC_DAYS_MAX 3660
#define WMS_ABC_TOP_DEFAULT 20
#define WMS_ABC_TOP_MAX 1000
#define WMS_ABC_MAX_BINS 2000000 /* pick bins read */

typedef struct wms_abc_report_opts {
    /* The period, days included.  from + to: that range (days must be 0);
     * from alone: `days` days from it (0 = up to today); to alone: `days`
     * days ending then; neither: `days` days ending today.  days 0 = 30. */
    const char *from, *to; /* YYYY-MM-DD or NULL */
    int days;              /* 0..WMS_ABC_DAYS_MAX */
    wms_abc_opts abc;      /* thresholds; zeros = 0.80 / 0.95 */
    int top;               /* moves kept; 0 = 20; at most WMS_ABC_TOP_MAX */
} wms_abc_report_opts;

typedef struct wms_abc_report_item {
    char sku[WMS_SKU_MAX + 1];
    int64_t picks, units;
    wms_abc_result r; /* classes, cumulative shares, ranks */
} wms_abc_report_item;

typedef struct wms_abc_move {
    char sku[WMS_SKU_MAX + 1];
    int64_t picks;
    double picks_per_day;
    char from_bin[WMS_SKU_MAX + 1]; /* the current face */
    double from_m;                  /* depot -> from_bin */
    char to_bin[WMS_SKU_MAX + 1];   /* the suggested bin */
    double to_m;                    /* depot -> to_bin */
    char swap_sku[WMS_SKU_MAX + 1]; /* a C item in to_bin (smallest SKU); "" = empty bin */
    int swap_items;                 /* items in to_bin (0 = empty) */
    double saving_m_per_day;
} wms_abc_move;

typedef struct wms_abc_report {
    char from[11], to[11];
    int days;
    wms_abc_opts abc; /* the thresholds used */
    int n_items;
    wms_abc_report_item *item; /* n_items, by pick rank (rank_picks 1 first) */
    wms_abc_summary by_picks, by_units;
    int layout;      /* 1 when a layout was there to measure */
    int a_faced;     /* A items (by picks) with a pick face in the layout */
    int a_unfaced;   /* A items without one */
    double golden_m; /* see above; 0 when no A item has a face */
    int far_items;   /* A items whose face lies beyond golden_m */
    int n_moves;     /* <= top */
    wms_abc_move *move;
    double saving_m_per_day; /* sum over the moves */
} wms_abc_report;

/* Builds the report into *out (zeroed first; free with
 * wms_abc_report_free, also after an error).  Errors: WMS_EBAD_ARGS (a
 * date that is not YYYY-MM-DD, from after to, days with both dates, days
 * or top out of range, bad thresholds), WMS_ETOO_LARGE (more items or pick
 * bins than the caps), the layout's errors other than a missing layout,
 * WMS_ENOMEM, storage errors. */
int wms_abc_report_build(wms_db *db, const wms_abc_report_opts *o, wms_abc_report *out,
                         wms_error *err);

/* Frees what the report holds; safe on a zeroed report. */
void wms_abc_report_free(wms_abc_report *r);

#endif /* WMS_STORE_ABC_REPORT_H */
