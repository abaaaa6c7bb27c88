/*
 * batch.h - order batching: which orders one picker collects in one tour.
 *
 * Pure domain logic: no I/O, no SQLite; allocation only inside the calls
 * (the result is owned by the caller, see wms_batch_result_free).
 *
 * A tour starts and ends at the depot and visits every pick location of
 * its orders; its length d(S) is the optimal route over the union of the
 * orders' picks (wms_route_optimal: exact on single-block layouts, the
 * 2-opt/Or-opt heuristic on multi-block ones).  A tour may hold at most
 * `max_orders` orders (the totes on a cart), `max_lines` lines and
 * `max_units` units (0 = no limit each); an order larger than a limit on
 * its own gets a tour of its own (orders are never split here).
 *
 * Methods:
 *  - WMS_BATCH_DISCRETE: one order per tour.
 *  - WMS_BATCH_FCFS: first come, first served: tours are filled with the
 *    orders in input order; a new tour starts when the next order does not
 *    fit.  The baseline.
 *  - WMS_BATCH_SAVINGS: Clarke & Wright savings (the "C&W(i)" variant of
 *    de Koster et al. 1999, then cluster-level rounds):
 *      1. d(i) for every order alone;
 *      2. saving(i, j) = d(i) + d(j) - d(i u j) for candidate pairs whose
 *         combined load fits a tour; always >= 0 for exact routes, since
 *         the two tours one after the other are a tour of the union;
 *      3. pairs by decreasing saving (ties: lower indices first): when i
 *         and j are in different tours and the two tours fit together, they
 *         are merged;
 *      4. rounds over whole tours: saving(A, B) = d(A) + d(B) - d(A u B)
 *         for candidate pairs of tours that fit together, merged greedily
 *         (each tour at most once per round), until a round merges nothing
 *         (at most WMS_BATCH_ROUNDS rounds).
 *    Candidates: with at most `all_pairs_max` orders (tours in step 4)
 *    every pair is evaluated, O(n^2) route evaluations.  Above that, each
 *    order is paired only with its `neighbours` nearest orders by a cheap
 *    distance on summary features: orders sorted by the mean x of their
 *    picks, and among the 4 x neighbours orders on either side in that
 *    sort, the `neighbours` with the smallest |xmin_a - xmin_b| + |xmax_a
 *    - xmax_b| + |ymean_a - ymean_b| (leftmost and rightmost aisle x, mean
 *    y of the picks).  That bounds a call to about n x (1 + neighbours x
 *    (1 + WMS_BATCH_ROUNDS)) route evaluations; evaluations stop at
 *    WMS_BATCH_EVAL_BUDGET (the plan so far is kept: still valid).
 *    In that neighbour mode on a multi-block layout, savings (not the final
 *    tour lengths) are measured with the layout's middle cross aisles
 *    ignored: the exact single-block route, a valid tour and an upper bound
 *    of the real one, some 5-10 times cheaper than the multi-block
 *    heuristic, at the price of slightly weaker groupings.
 *    Orders without picks are not paired (their saving is 0): each gets a
 *    tour of its own, of length 0.
 *
 * Output tours are numbered in the order of their first order (the lowest
 * input index among their members, so the most urgent orders' tours come
 * first); members of a tour are in input order.
 */
#ifndef WMS_DOMAIN_BATCH_H
#define WMS_DOMAIN_BATCH_H

#include "wms.h"
#include "domain/route.h"

#define WMS_BATCH_MAX_ORDERS 200000
#define WMS_BATCH_ROUNDS 8
#define WMS_BATCH_EVAL_BUDGET 3000000L
#define WMS_BATCH_NEIGHBOURS 10 /* default `neighbours` */
#define WMS_BATCH_ALL_PAIRS 300 /* default `all_pairs_max` */
#define WMS_BATCH_NEIGHBOURS_MAX 64

typedef struct wms_batch_order {
    const wms_pick_loc *picks; /* n_picks locations (may repeat); caller-owned */
    int n_picks;
    int64_t lines, units; /* the load counted against the capacity, >= 0 */
} wms_batch_order;

typedef struct wms_batch_cap {
    int max_orders;    /* orders (totes) per tour; 0 = no limit */
    int64_t max_lines; /* 0 = no limit */
    int64_t max_units; /* 0 = no limit */
} wms_batch_cap;

typedef enum {
    WMS_BATCH_DISCRETE = 0,
    WMS_BATCH_FCFS = 1,
    WMS_BATCH_SAVINGS = 2,
} wms_batch_method;

typedef struct wms_batch_opts {
    wms_batch_method method;
    wms_batch_cap cap;
    int neighbours;    /* 0 = WMS_BATCH_NEIGHBOURS; at most WMS_BATCH_NEIGHBOURS_MAX */
    int all_pairs_max; /* 0 = WMS_BATCH_ALL_PAIRS */
} wms_batch_opts;

typedef struct wms_batch_result {
    int n_orders, n_tours;
    int *tour_of;       /* n_orders: the tour of each order, 0..n_tours-1 */
    int *members;       /* n_orders: order indices grouped by tour, input order within */
    int *tour_start;    /* n_tours + 1: tour t is members[tour_start[t] .. tour_start[t+1]) */
    double *tour_dist;  /* n_tours: route length over the union of the tour's picks (m) */
    double total_dist;  /* sum of tour_dist */
    long route_evals;   /* routing calls made (a cost measure) */
    const char *method; /* "discrete", "fcfs" or "savings" (static) */
} wms_batch_result;

/* Groups `n` orders into tours by o->method under o->cap (see above) on
 * layout `l`.  On success *out owns its arrays (wms_batch_result_free).
 * Errors: WMS_EBAD_ARGS (NULL arguments, n < 0, a bad layout, an order
 * with picks == NULL, negative load, or a pick outside the layout: the
 * order is named), WMS_ETOO_LARGE (n above WMS_BATCH_MAX_ORDERS, an order
 * above WMS_ROUTE_MAX_PICKS picks), WMS_ENOMEM.  On error *out holds
 * nothing to free. */
int wms_batch_plan(const wms_layout *l, const wms_batch_order *orders, int n,
                   const wms_batch_opts *o, wms_batch_result *out, wms_error *err);

/* Frees a result; safe on a zeroed one. */
void wms_batch_result_free(wms_batch_result *r);

/* Route length d(S) (metres, into *dist) over the union of the picks of
 * orders idx[0..k), as above.  Returns 0, or the routing errors of
 * wms_route_optimal, WMS_EBAD_ARGS (an index out of range) or WMS_ENOMEM. */
int wms_batch_set_dist(const wms_layout *l, const wms_batch_order *orders, int n, const int *idx,
                       int k, double *dist, wms_error *err);

/*
 * Pick-and-sort tours: the stops of a whole wave (one per location, no
 * orders) on the optimal route over all of them, cut into consecutive runs
 * of at most `cap` stops (and, when units != NULL and cap_units > 0, at
 * most cap_units units; a stop heavier than that is a tour of its own);
 * each run is routed again (wms_route_optimal).  Out (m entries each,
 * caller-owned): tour_of[i] (0..), seq[i] (0.. along its tour's route);
 * dist (m entries): each tour's length; *n_tours.  Errors: WMS_EBAD_ARGS
 * (cap < 1, m < 0, a bad location), WMS_ETOO_LARGE, WMS_ENOMEM.
 */
int wms_batch_split_route(const wms_layout *l, const wms_pick_loc *locs, const int64_t *units,
                          int m, int64_t cap, int64_t cap_units, int *tour_of, int *seq,
                          double *dist, int *n_tours, wms_error *err);

#endif
