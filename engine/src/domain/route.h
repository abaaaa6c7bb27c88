/*
 * route.h - picker routing in a parallel-aisle warehouse.
 *
 * Pure domain logic: no I/O, no SQLite.  Allocation only inside the routing
 * calls, freed before they return.
 *
 * Distance model (data-formats-v1, "Layout geometry"; a contract):
 *  - Aisles are vertical lines at x = aisle_x[i] (metres, strictly
 *    ascending), each running from the front cross aisle (y = 0) to the
 *    back cross aisle (y = length).  The data format gives every aisle a
 *    length_m; this model uses one length per layout: the caller passes the
 *    largest aisle length, and every aisle is taken to reach the back cross
 *    aisle at that y.
 *  - Optional middle cross aisles at y = cross_y[k] (strictly ascending,
 *    strictly between 0 and length) span all aisles.  Cross aisles have no
 *    width; the front and back cross aisles extend to the depot if it lies
 *    left or right of all aisles.
 *  - The depot is the point (depot_x, 0) on the front cross aisle; it need
 *    not be at an aisle's x.
 *  - A pick location is (aisle index, y) with 0 < y < length; the picker
 *    walks the aisle centre line and picks both sides.
 *  - Walking is along aisle lines and cross-aisle lines only.  Within one
 *    aisle the distance is |y1 - y2| (also across middle cross aisles).
 *    Between aisles i != j it is |x_i - x_j| + min over all cross aisles c
 *    (front, back, middle) of |y1 - c| + |c - y2|.  Depot to (i, y) is
 *    |depot_x - x_i| + y.
 *  - A tour leaves the depot, visits every pick, and returns to the depot;
 *    its length is the sum of these shortest distances between consecutive
 *    stops (wms_route_tour_length).  Every distance returned by the routing
 *    functions is exactly that length for the returned order.
 *
 * Routing functions share one signature:
 *   int f(const wms_layout *l, const wms_pick_loc *picks, int n,
 *         int *order_out, double *dist_out, const char **method_out,
 *         wms_error *err);
 * `order_out` (n ints, caller-owned; may be NULL only when n == 0) receives
 * a permutation of 0..n-1: the visiting order.  Picks at the same location
 * are visited consecutively.  `dist_out` and `method_out` may be NULL;
 * *method_out is a static string.  They return 0 on success, or
 * WMS_EBAD_ARGS (NULL layout, unsorted or non-finite aisles or cross
 * aisles, aisle index out of range, y outside (0, length), NaN, n < 0),
 * WMS_ETOO_LARGE (more than the caps below), WMS_ENOMEM, or
 * WMS_EUNSUPPORTED (a heuristic that has no multi-block version).  On error
 * order_out is unspecified and *dist_out is not written.
 */
#ifndef WMS_DOMAIN_ROUTE_H
#define WMS_DOMAIN_ROUTE_H

#include "wms.h"

#define WMS_ROUTE_MAX_PICKS 100000 /* picks in one call */
#define WMS_ROUTE_MAX_AISLES 10000
#define WMS_ROUTE_MAX_CROSS 100   /* middle cross aisles */
#define WMS_ROUTE_MAX_COORD 1.0e6 /* |x|, length: metres */
#define WMS_ROUTE_BRUTE_MAX 9     /* picks for wms_route_bruteforce */
/* Move evaluations allowed to the 2-opt / Or-opt improvement of one call
 * (the bound on its running time for large pick lists), and the cap on
 * improvement passes. */
#define WMS_ROUTE_EVAL_BUDGET 20000000L
#define WMS_ROUTE_MAX_PASSES 100

typedef struct wms_layout {
    int n_aisles;
    const double *aisle_x; /* n_aisles values, strictly ascending (metres) */
    double length;         /* y of the back cross aisle: the longest aisle */
    int n_cross;
    const double *cross_y; /* n_cross values, strictly ascending, in (0, length) */
    double depot_x;        /* depot at (depot_x, 0) */
} wms_layout;

typedef struct wms_pick_loc {
    int aisle; /* index into aisle_x */
    double y;  /* 0 < y < length */
} wms_pick_loc;

/* Checks a layout against the rules above and the caps.  Returns 0,
 * WMS_EBAD_ARGS or WMS_ETOO_LARGE (message in err). */
int wms_route_layout_check(const wms_layout *l, wms_error *err);

/* Checks one pick location against a valid layout: 0 or WMS_EBAD_ARGS. */
int wms_route_pick_check(const wms_layout *l, wms_pick_loc p, wms_error *err);

/* Shortest walking distance between two pick locations.  `l` must have
 * passed wms_route_layout_check; returns NaN if a or b is not a valid
 * location of it. */
double wms_route_dist(const wms_layout *l, wms_pick_loc a, wms_pick_loc b);

/* Shortest walking distance from the depot to a pick location (NaN if the
 * location is invalid). */
double wms_route_depot_dist(const wms_layout *l, wms_pick_loc p);

/* Length of the tour depot -> picks[order[0]] -> ... -> picks[order[n-1]]
 * -> depot.  `order` entries are indices into picks (any sequence, repeats
 * allowed).  n == 0 gives 0.  Returns NaN on any invalid argument
 * (layout, pick, index out of range, n < 0 or above the cap). */
double wms_route_tour_length(const wms_layout *l, const wms_pick_loc *picks, const int *order,
                             int n);

/* Shortest tour.  Single-block layouts (n_cross == 0): exact, by the
 * Ratliff & Rosenthal (1983) dynamic programme over aisles, O(aisles +
 * n log n); the depot is an extra zero-length "virtual aisle" at depot_x
 * whose only allowed configuration is a zero-length visit of its front
 * vertex, so it may lie anywhere on the front cross aisle.  The optimal
 * edge multigraph is rebuilt from back-pointers and walked as an Euler
 * tour from the depot; the order is the first visit of each location.
 * method "ratliff-rosenthal".  Multi-block layouts: wms_route_heuristic
 * (method "2opt+oropt"), which is also the fallback should the exact
 * reconstruction ever fail to cover every pick. */
int wms_route_optimal(const wms_layout *l, const wms_pick_loc *picks, int n, int *order_out,
                      double *dist_out, const char **method_out, wms_error *err);

/* Heuristic tour for any layout.  Four constructions - the exact
 * Ratliff-Rosenthal tour of the layout with its middle cross aisles
 * ignored (still a valid tour, measured in the real layout), the S-shape
 * sweep, nearest neighbour (up to 4000 distinct locations) and a
 * block-by-block serpentine - are each improved by 2-opt and Or-opt
 * (segments of 1-3 stops, both orientations) on the shortest-path
 * distances, and the shortest kept; so it is never longer than the
 * S-shape order.  Bounded by WMS_ROUTE_EVAL_BUDGET move evaluations and
 * WMS_ROUTE_MAX_PASSES passes per construction; deterministic.  method
 * "2opt+oropt". */
int wms_route_heuristic(const wms_layout *l, const wms_pick_loc *picks, int n, int *order_out,
                        double *dist_out, const char **method_out, wms_error *err);

/* S-shape (traversal) heuristic: every aisle holding picks is visited in
 * turn, alternately front-to-back and back-to-front; with an odd number of
 * such aisles the last one is entered and left from the front.  Both sweep
 * directions (left-to-right, right-to-left) are built and the shorter kept.
 * The distance is the measured length of the order, so where the shortest
 * path between two consecutive stops is shorter than the strict S-shape
 * walk (e.g. two low picks in neighbouring aisles) it counts the shorter
 * one.  On multi-block layouts the same order is built ignoring the middle
 * cross aisles (picks sorted along whole aisles) and measured in the real
 * layout.  method "s-shape". */
int wms_route_sshape(const wms_layout *l, const wms_pick_loc *picks, int n, int *order_out,
                     double *dist_out, const char **method_out, wms_error *err);

/* Largest-gap heuristic (single block): the leftmost and rightmost aisles
 * holding picks are traversed completely; every aisle between is entered
 * from the back for the picks above its largest gap (gaps between
 * consecutive picks and from the aisle ends) on the way out, and from the
 * front for the picks below it on the way back.  One pick aisle: enter and
 * leave from the front.  Multi-block layouts: WMS_EUNSUPPORTED.  method
 * "largest-gap". */
int wms_route_largest_gap(const wms_layout *l, const wms_pick_loc *picks, int n, int *order_out,
                          double *dist_out, const char **method_out, wms_error *err);

/* Exact shortest tour by enumerating the visiting orders of the distinct
 * locations (depth-first with pruning on the partial length), any layout,
 * n <= WMS_ROUTE_BRUTE_MAX (else WMS_ETOO_LARGE).  For tests and
 * benchmarks.  method "bruteforce". */
int wms_route_bruteforce(const wms_layout *l, const wms_pick_loc *picks, int n, int *order_out,
                         double *dist_out, const char **method_out, wms_error *err);

#endif /* WMS_DOMAIN_ROUTE_H */
