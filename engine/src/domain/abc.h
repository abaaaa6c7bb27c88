/*
 * abc.h - ABC classification of items by activity over a period: by picks
 * (visits of a bin for an order line) and by units.
 *
 * Pure domain logic: no I/O, no SQLite; allocation only inside the calls,
 * freed before they return.
 *
 * Rule (one measure; picks and units are classified independently):
 *  - items are ranked by value, largest first; equal values keep their
 *    input order (callers pass items in a stable order, e.g. by SKU), which
 *    only decides the rank and the cumulative share shown, never the class;
 *  - share = value / total of all items; cum = the shares of the items
 *    ranked up to and including this one (0 when the total is 0);
 *  - ahead = the share of the items with a strictly larger value.  An item
 *    with value 0 is C (so are all items when nothing was picked);
 *    otherwise it is A when ahead < a_share, B when ahead < b_share, and C
 *    else.  So A holds the top items up to a_share of the cumulative share,
 *    including the item that crosses it (one item carrying 90 % of the
 *    picks is A); an item ending exactly at a_share is A, the next one is
 *    not; and items with equal values always get the same class, whatever
 *    their order.
 * Defaults: a_share 0.80, b_share 0.95.
 */
#ifndef WMS_DOMAIN_ABC_H
#define WMS_DOMAIN_ABC_H

#include "wms.h"

#define WMS_ABC_MAX_ITEMS 2000000 /* items in one call */
#define WMS_ABC_A_SHARE 0.80
#define WMS_ABC_B_SHARE 0.95

typedef enum { WMS_ABC_A = 0, WMS_ABC_B = 1, WMS_ABC_C = 2 } wms_abc_class;

typedef struct wms_abc_opts {
    double a_share; /* 0 < a_share <= b_share <= 1; both 0 = the defaults */
    double b_share;
} wms_abc_opts;

/* One item's activity in the period (both >= 0). */
typedef struct wms_abc_item {
    int64_t picks;
    int64_t units;
} wms_abc_item;

/* One item's classes; rank 1 = the largest value. */
typedef struct wms_abc_result {
    wms_abc_class by_picks, by_units;
    double cum_picks, cum_units; /* cumulative share in rank order, 0..1 */
    int rank_picks, rank_units;  /* 1..n */
} wms_abc_result;

/* Per class (index wms_abc_class) totals of one measure. */
typedef struct wms_abc_summary {
    int items[3];
    int64_t value[3];
    int n;         /* all items */
    int64_t total; /* sum of all values */
} wms_abc_summary;

/* "A", "B" or "C" (static); "?" for anything else. */
const char *wms_abc_class_name(wms_abc_class c);

/* Resolves o (NULL or both shares 0 = defaults) into *out and checks it:
 * 0 < a_share <= b_share <= 1, finite.  Returns 0 or WMS_EBAD_ARGS. */
int wms_abc_opts_resolve(const wms_abc_opts *o, wms_abc_opts *out, wms_error *err);

/* Classifies n values of one measure (see the rule above).  cls, cum and
 * rank (n entries each, caller-owned, input order) are written; cum and
 * rank may be NULL.  sum (may be NULL) receives the per-class totals.
 * Errors: WMS_EBAD_ARGS (NULL arrays with n > 0, n < 0, a negative value:
 * its index is named, bad options), WMS_ETOO_LARGE (n above
 * WMS_ABC_MAX_ITEMS, or the total overflows), WMS_ENOMEM.  Nothing useful
 * is written on error. */
int wms_abc_rank(const int64_t *value, int n, const wms_abc_opts *o, wms_abc_class *cls,
                 double *cum, int *rank, wms_abc_summary *sum, wms_error *err);

/* Both measures of n items at once: out[i] for items[i].  by_picks and
 * by_units (may be NULL) receive the per-class totals.  Errors as
 * wms_abc_rank (the measure is named). */
int wms_abc_classify(const wms_abc_item *items, int n, const wms_abc_opts *o, wms_abc_result *out,
                     wms_abc_summary *by_picks, wms_abc_summary *by_units, wms_error *err);

#endif /* WMS_DOMAIN_ABC_H */
