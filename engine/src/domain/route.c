/* route.c - picker routing: distances, Ratliff-Rosenthal, heuristics (see route.h). */
#include "domain/route.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Improvements smaller than this (metres) are rounding noise, not moves. */
#define ROUTE_EPS 1e-7
/* Nearest-neighbour construction is O(m^2): only up to this many locations. */
#define ROUTE_NN_MAX 4000

/* ------------------------------------------------------------------------ */
/* Validation                                                               */
/* ------------------------------------------------------------------------ */

int wms_route_layout_check(const wms_layout *l, wms_error *err)
{
    if (l == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no layout given");
    if (l->n_aisles < 1 || l->aisle_x == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "the layout has no aisles");
    if (l->n_aisles > WMS_ROUTE_MAX_AISLES)
        return wms_error_set(err, WMS_ETOO_LARGE, "the layout has %d aisles; at most %d",
                             l->n_aisles, WMS_ROUTE_MAX_AISLES);
    if (!(l->length > 0.0 && l->length <= WMS_ROUTE_MAX_COORD))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "aisle length %g m is not a positive length up to %g m", l->length,
                             WMS_ROUTE_MAX_COORD);
    if (!(fabs(l->depot_x) <= WMS_ROUTE_MAX_COORD))
        return wms_error_set(err, WMS_EBAD_ARGS, "depot x %g m is not a valid position",
                             l->depot_x);
    for (int i = 0; i < l->n_aisles; i++) {
        double x = l->aisle_x[i];
        if (!(fabs(x) <= WMS_ROUTE_MAX_COORD))
            return wms_error_set(err, WMS_EBAD_ARGS, "aisle %d: x %g m is not a valid position", i,
                                 x);
        if (i > 0 && !(x > l->aisle_x[i - 1]))
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "aisles are not sorted by x: aisle %d (x %g m) follows x %g m", i,
                                 x, l->aisle_x[i - 1]);
    }
    if (l->n_cross < 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "negative number of cross aisles");
    if (l->n_cross > WMS_ROUTE_MAX_CROSS)
        return wms_error_set(err, WMS_ETOO_LARGE, "the layout has %d cross aisles; at most %d",
                             l->n_cross, WMS_ROUTE_MAX_CROSS);
    if (l->n_cross > 0 && l->cross_y == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "cross aisle positions missing");
    for (int k = 0; k < l->n_cross; k++) {
        double y = l->cross_y[k];
        if (!(y > 0.0 && y < l->length))
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "cross aisle %d: y %g m is not strictly between 0 and %g m", k, y,
                                 l->length);
        if (k > 0 && !(y > l->cross_y[k - 1]))
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "cross aisles are not sorted by y: %d (y %g m) follows y %g m", k,
                                 y, l->cross_y[k - 1]);
    }
    return 0;
}

static bool pick_ok(const wms_layout *l, wms_pick_loc p)
{
    return p.aisle >= 0 && p.aisle < l->n_aisles && p.y > 0.0 && p.y < l->length;
}

/* Checks pick number `i` (for the message; -1: no number). */
static int pick_check_n(const wms_layout *l, wms_pick_loc p, int i, wms_error *err)
{
    char who[32] = "pick";
    if (i >= 0)
        snprintf(who, sizeof(who), "pick %d", i);
    if (p.aisle < 0 || p.aisle >= l->n_aisles)
        return wms_error_set(err, WMS_EBAD_ARGS, "%s: aisle %d is not in the layout (0..%d)", who,
                             p.aisle, l->n_aisles - 1);
    if (!(p.y > 0.0 && p.y < l->length))
        return wms_error_set(err, WMS_EBAD_ARGS, "%s: y %g m is not strictly between 0 and %g m",
                             who, p.y, l->length);
    return 0;
}

int wms_route_pick_check(const wms_layout *l, wms_pick_loc p, wms_error *err)
{
    if (l == NULL || l->n_aisles < 1)
        return wms_error_set(err, WMS_EBAD_ARGS, "no layout given");
    return pick_check_n(l, p, -1, err);
}

/* Common argument check of the routing functions. */
static int route_args(const wms_layout *l, const wms_pick_loc *picks, int n, const int *order_out,
                      wms_error *err)
{
    int rc = wms_route_layout_check(l, err);
    if (rc != 0)
        return rc;
    if (n < 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "negative number of picks");
    if (n > WMS_ROUTE_MAX_PICKS)
        return wms_error_set(err, WMS_ETOO_LARGE, "%d picks in one route; at most %d", n,
                             WMS_ROUTE_MAX_PICKS);
    if (n > 0 && (picks == NULL || order_out == NULL))
        return wms_error_set(err, WMS_EBAD_ARGS, "picks or order buffer missing");
    for (int i = 0; i < n; i++) {
        rc = pick_check_n(l, picks[i], i, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Distances                                                                */
/* ------------------------------------------------------------------------ */

/* A stop with what the distance needs precomputed: the nearest cross aisle
 * at or below y (lo) and at or above y (hi); the depot is aisle -1, y 0. */
typedef struct rnode {
    double x, y, lo, hi;
    int aisle;
} rnode;

/* Index of the first middle cross aisle with y >= `y` (n_cross if none). */
static int cross_index(const wms_layout *l, double y)
{
    int a = 0, b = l->n_cross;
    while (a < b) {
        int mid = a + (b - a) / 2;
        if (l->cross_y[mid] < y)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

static rnode node_pick(const wms_layout *l, wms_pick_loc p)
{
    rnode r = {.x = l->aisle_x[p.aisle], .y = p.y, .aisle = p.aisle};
    int k = cross_index(l, p.y);
    r.hi = k < l->n_cross ? l->cross_y[k] : l->length;
    if (k < l->n_cross && l->cross_y[k] == p.y)
        r.lo = p.y;
    else
        r.lo = k > 0 ? l->cross_y[k - 1] : 0.0;
    return r;
}

static rnode node_depot(const wms_layout *l)
{
    rnode r = {.x = l->depot_x, .y = 0.0, .lo = 0.0, .hi = 0.0, .aisle = -1};
    return r;
}

/* Shortest walk between two stops (see the model in route.h).  When no
 * cross aisle lies between the two y values, both are in one block
 * [lo, hi] and the walk turns at its lower or upper end. */
static double node_dist(const rnode *p, const rnode *q)
{
    if (p->aisle == q->aisle)
        return fabs(p->y - q->y);
    double dx = fabs(p->x - q->x);
    const rnode *a = p, *b = q;
    if (a->y > b->y) {
        a = q;
        b = p;
    }
    if (a->hi <= b->y)
        return dx + (b->y - a->y);
    double front = a->y + b->y - 2.0 * a->lo;
    double back = 2.0 * a->hi - a->y - b->y;
    return dx + (front < back ? front : back);
}

double wms_route_dist(const wms_layout *l, wms_pick_loc a, wms_pick_loc b)
{
    if (l == NULL || !pick_ok(l, a) || !pick_ok(l, b))
        return NAN;
    rnode na = node_pick(l, a), nb = node_pick(l, b);
    return node_dist(&na, &nb);
}

double wms_route_depot_dist(const wms_layout *l, wms_pick_loc p)
{
    if (l == NULL || !pick_ok(l, p))
        return NAN;
    rnode d = node_depot(l), np = node_pick(l, p);
    return node_dist(&d, &np);
}

/* Tour length of valid arguments. */
static double tour_len(const wms_layout *l, const wms_pick_loc *picks, const int *order, int n)
{
    rnode prev = node_depot(l);
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        rnode cur = node_pick(l, picks[order[i]]);
        sum += node_dist(&prev, &cur);
        prev = cur;
    }
    rnode depot = node_depot(l);
    return sum + node_dist(&prev, &depot);
}

double wms_route_tour_length(const wms_layout *l, const wms_pick_loc *picks, const int *order,
                             int n)
{
    if (wms_route_layout_check(l, NULL) != 0 || n < 0 || n > WMS_ROUTE_MAX_PICKS)
        return NAN;
    if (n > 0 && (picks == NULL || order == NULL))
        return NAN;
    for (int i = 0; i < n; i++) {
        if (order[i] < 0 || order[i] >= n || !pick_ok(l, picks[order[i]]))
            return NAN;
    }
    return tour_len(l, picks, order, n);
}

/* Writes the common outputs: the measured length of `order` and the method. */
static void route_done(const wms_layout *l, const wms_pick_loc *picks, int n, const int *order,
                       double *dist_out, const char **method_out, const char *method)
{
    if (dist_out != NULL)
        *dist_out = n > 0 ? tour_len(l, picks, order, n) : 0.0;
    if (method_out != NULL)
        *method_out = method;
}

/* ------------------------------------------------------------------------ */
/* Picks sorted by (aisle, y) and grouped into distinct locations           */
/* ------------------------------------------------------------------------ */

typedef struct spick {
    int aisle;
    double y;
    int idx; /* index into the caller's picks */
} spick;

typedef struct rsorted {
    int n, m;       /* picks, distinct locations */
    spick *s;       /* n picks sorted by (aisle, y, idx) */
    int *loc_first; /* m + 1: location k is s[loc_first[k] .. loc_first[k + 1]) */
} rsorted;

static int spick_cmp(const void *pa, const void *pb)
{
    const spick *a = pa, *b = pb;
    if (a->aisle != b->aisle)
        return a->aisle < b->aisle ? -1 : 1;
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static void sorted_free(rsorted *rs)
{
    free(rs->s);
    free(rs->loc_first);
    memset(rs, 0, sizeof(*rs));
}

/* Sorts and groups valid picks (n >= 1).  0 or WMS_ENOMEM; the caller frees
 * with sorted_free in both cases. */
static int sorted_build(const wms_pick_loc *picks, int n, rsorted *rs, wms_error *err)
{
    memset(rs, 0, sizeof(*rs));
    rs->n = n;
    rs->s = malloc(sizeof(*rs->s) * (size_t)n);
    rs->loc_first = malloc(sizeof(*rs->loc_first) * ((size_t)n + 1));
    if (rs->s == NULL || rs->loc_first == NULL)
        return wms_error_set(err, WMS_ENOMEM, "out of memory sorting %d picks", n);
    for (int i = 0; i < n; i++)
        rs->s[i] = (spick){.aisle = picks[i].aisle, .y = picks[i].y, .idx = i};
    qsort(rs->s, (size_t)n, sizeof(*rs->s), spick_cmp);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0 || rs->s[i].aisle != rs->s[i - 1].aisle || rs->s[i].y != rs->s[i - 1].y)
            rs->loc_first[m++] = i;
    }
    rs->loc_first[m] = n;
    rs->m = m;
    return 0;
}

/* Appends the picks of location k to order[*pos]. */
static void emit_loc(const rsorted *rs, int k, int *order, int *pos)
{
    for (int i = rs->loc_first[k]; i < rs->loc_first[k + 1]; i++)
        order[(*pos)++] = rs->s[i].idx;
}

/* End (exclusive) of the run of locations in the same aisle as location k0. */
static int aisle_end(const rsorted *rs, int k0)
{
    int k = k0;
    while (k < rs->m && rs->s[rs->loc_first[k]].aisle == rs->s[rs->loc_first[k0]].aisle)
        k++;
    return k;
}

/* Start locations of the runs of locations sharing an aisle (the aisles
 * holding picks, in x order) into a new array *start (count + 1 entries,
 * the last = m).  Returns the count or WMS_ENOMEM. */
static int aisle_groups(const rsorted *rs, int **start)
{
    int count = 0;
    for (int k = 0; k < rs->m; k = aisle_end(rs, k))
        count++;
    *start = malloc(sizeof(int) * ((size_t)count + 1));
    if (*start == NULL)
        return WMS_ENOMEM;
    count = 0;
    for (int k = 0; k < rs->m; k = aisle_end(rs, k))
        (*start)[count++] = k;
    (*start)[count] = rs->m;
    return count;
}

/* S-shape order of the locations (m entries into locs), aisle groups
 * visited alternately upwards and downwards, sweeping right to left if
 * `rtl`. */
static void sshape_locs(const int *start, int n_groups, bool rtl, int *locs)
{
    int pos = 0;
    for (int g = 0; g < n_groups; g++) {
        int x = rtl ? n_groups - 1 - g : g; /* the group index in x order */
        if (g % 2 == 0) {
            for (int k = start[x]; k < start[x + 1]; k++)
                locs[pos++] = k;
        } else {
            for (int k = start[x + 1] - 1; k >= start[x]; k--)
                locs[pos++] = k;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Ratliff & Rosenthal                                                      */
/* ------------------------------------------------------------------------ */

/* Classes of partial tours: degree parity of the back (a) and front (b)
 * vertex of the current aisle (0 none, E even, U odd) and the number of
 * components.  Tables from Ratliff & Rosenthal (1983), see
 * shared/reference/routing.md. */
enum { S_UU1, S_E01, S_0E1, S_EE1, S_EE2, S_000, S_001, S_N };

/* Within-aisle configurations, index 0..5 = configs 1..6:
 * 1 traverse once, 2 from the back and return, 3 from the front and return,
 * 4 from both ends leaving the largest gap, 5 traverse twice, 6 nothing. */
enum { C_TRAVERSE, C_BACK, C_FRONT, C_GAP, C_TWICE, C_NONE, C_N };

static const signed char rr_in_aisle[S_N][C_N] = {
    [S_UU1] = {S_EE1, S_UU1, S_UU1, S_UU1, S_UU1, S_UU1},
    [S_E01] = {S_UU1, S_E01, S_EE2, S_EE2, S_EE1, S_E01},
    [S_0E1] = {S_UU1, S_EE2, S_0E1, S_EE2, S_EE1, S_0E1},
    [S_EE1] = {S_UU1, S_EE1, S_EE1, S_EE1, S_EE1, S_EE1},
    [S_EE2] = {S_UU1, S_EE2, S_EE2, S_EE2, S_EE1, S_EE2},
    [S_000] = {S_UU1, S_E01, S_0E1, S_EE2, S_EE1, S_000},
    [S_001] = {-1, -1, -1, -1, -1, S_001},
};

/* Cross-aisle edges to the next aisle: copies of the back and front edge. */
typedef struct rr_move {
    signed char from, back, front, to;
} rr_move;

static const rr_move rr_moves[] = {
    {S_UU1, 1, 1, S_UU1}, {S_E01, 2, 0, S_E01}, {S_E01, 2, 2, S_EE2}, {S_E01, 0, 0, S_001},
    {S_0E1, 0, 2, S_0E1}, {S_0E1, 2, 2, S_EE2}, {S_0E1, 0, 0, S_001}, {S_EE1, 2, 0, S_E01},
    {S_EE1, 0, 2, S_0E1}, {S_EE1, 2, 2, S_EE1}, {S_EE1, 0, 0, S_001}, {S_EE2, 2, 2, S_EE2},
    {S_000, 2, 0, S_E01}, {S_000, 0, 2, S_0E1}, {S_000, 0, 0, S_000}, {S_001, 0, 0, S_001},
};
#define RR_N_MOVES ((int)(sizeof(rr_moves) / sizeof(rr_moves[0])))

/* One DP stage: a real aisle, or the depot's virtual aisle (a point on the
 * front cross aisle that cannot be walked into). */
typedef struct rr_stage {
    double x;
    bool depot;
    int loc0, loc1; /* its locations [loc0, loc1) in the sorted picks */
} rr_stage;

/* Index i such that the largest gap of the stage lies between its
 * locations loc0 + i and loc0 + i + 1 (first one on ties). */
static int rr_gap_index(const rsorted *rs, const rr_stage *st, double *gap)
{
    int best = 0;
    double g = -1.0;
    for (int k = st->loc0; k + 1 < st->loc1; k++) {
        double d = rs->s[rs->loc_first[k + 1]].y - rs->s[rs->loc_first[k]].y;
        if (d > g) {
            g = d;
            best = k - st->loc0;
        }
    }
    *gap = g;
    return best;
}

/* Costs of the six configurations in a stage (INFINITY: not allowed). */
static void rr_config_costs(const rsorted *rs, const rr_stage *st, double len, double cost[C_N])
{
    for (int c = 0; c < C_N; c++)
        cost[c] = INFINITY;
    if (st->depot) {
        cost[C_FRONT] = 0.0; /* zero-length visit of the depot vertex */
        return;
    }
    int k = st->loc1 - st->loc0;
    cost[C_TRAVERSE] = len;
    cost[C_TWICE] = 2.0 * len;
    if (k == 0) {
        cost[C_NONE] = 0.0;
        return;
    }
    double ymin = rs->s[rs->loc_first[st->loc0]].y;
    double ymax = rs->s[rs->loc_first[st->loc1 - 1]].y;
    cost[C_BACK] = 2.0 * (len - ymin);
    cost[C_FRONT] = 2.0 * ymax;
    if (k >= 2) {
        double g;
        rr_gap_index(rs, st, &g);
        cost[C_GAP] = 2.0 * (len - g);
    }
}

/* Edge list of the optimal tour graph.  Vertices: back a_s = 2s, front
 * b_s = 2s + 1 of stage s, location k = 2S + k. */
typedef struct rr_graph {
    int n_edges, cap;
    int *u, *v;
} rr_graph;

static void rr_edge(rr_graph *g, int u, int v, int times)
{
    for (int t = 0; t < times && g->n_edges < g->cap; t++) {
        g->u[g->n_edges] = u;
        g->v[g->n_edges] = v;
        g->n_edges++;
    }
}

/* Adds the aisle edges of configuration c in stage s. */
static void rr_config_edges(rr_graph *g, const rsorted *rs, const rr_stage *st, int s, int c,
                            int n_stages)
{
    int a = 2 * s, b = 2 * s + 1, base = 2 * n_stages;
    int prev, gi;
    double gap;
    if (st->depot)
        return;
    switch (c) {
    case C_TRAVERSE:
    case C_TWICE:
        prev = b;
        for (int k = st->loc0; k < st->loc1; k++) {
            rr_edge(g, prev, base + k, c == C_TWICE ? 2 : 1);
            prev = base + k;
        }
        rr_edge(g, prev, a, c == C_TWICE ? 2 : 1);
        break;
    case C_BACK:
        prev = a;
        for (int k = st->loc1 - 1; k >= st->loc0; k--) {
            rr_edge(g, prev, base + k, 2);
            prev = base + k;
        }
        break;
    case C_FRONT:
        prev = b;
        for (int k = st->loc0; k < st->loc1; k++) {
            rr_edge(g, prev, base + k, 2);
            prev = base + k;
        }
        break;
    case C_GAP:
        gi = rr_gap_index(rs, st, &gap);
        prev = b;
        for (int k = st->loc0; k <= st->loc0 + gi; k++) {
            rr_edge(g, prev, base + k, 2);
            prev = base + k;
        }
        prev = a;
        for (int k = st->loc1 - 1; k > st->loc0 + gi; k--) {
            rr_edge(g, prev, base + k, 2);
            prev = base + k;
        }
        break;
    default:
        break;
    }
}

/* Walks the edge multigraph as an Euler tour from vertex `start` and writes
 * the locations in order of first visit to visit[]; returns how many were
 * reached (m when the graph is a connected tour), or WMS_ENOMEM. */
static int rr_euler(const rr_graph *g, int n_vertices, int base, int m, int start, int *visit)
{
    int ne = g->n_edges, nvis = 0, rc;
    int *first = calloc((size_t)n_vertices + 1, sizeof(int));
    int *cursor = malloc(sizeof(int) * (size_t)n_vertices);
    int *adj = malloc(sizeof(int) * (2 * (size_t)ne + 1));
    int *stack = malloc(sizeof(int) * ((size_t)ne + 1));
    unsigned char *used = calloc((size_t)ne + 1, 1);
    unsigned char *seen = calloc((size_t)m + 1, 1);
    if (first == NULL || cursor == NULL || adj == NULL || stack == NULL || used == NULL ||
        seen == NULL) {
        rc = WMS_ENOMEM;
        goto out;
    }
    /* Compressed adjacency: edge ids of vertex v at adj[first[v] .. first[v + 1]). */
    for (int e = 0; e < ne; e++) {
        first[g->u[e] + 1]++;
        first[g->v[e] + 1]++;
    }
    for (int v = 0; v < n_vertices; v++)
        first[v + 1] += first[v];
    memcpy(cursor, first, sizeof(int) * (size_t)n_vertices);
    for (int e = 0; e < ne; e++) {
        adj[cursor[g->u[e]]++] = e;
        adj[cursor[g->v[e]]++] = e;
    }
    memcpy(cursor, first, sizeof(int) * (size_t)n_vertices); /* now: next unread edge */
    int top = 0;
    stack[top++] = start;
    while (top > 0) {
        int v = stack[top - 1];
        while (cursor[v] < first[v + 1] && used[adj[cursor[v]]])
            cursor[v]++;
        if (cursor[v] == first[v + 1]) {
            top--;
            if (v >= base && !seen[v - base]) {
                seen[v - base] = 1;
                visit[nvis++] = v - base;
            }
            continue;
        }
        int e = adj[cursor[v]++];
        used[e] = 1;
        stack[top++] = g->u[e] == v ? g->v[e] : g->u[e];
    }
    rc = nvis;
out:
    free(first);
    free(cursor);
    free(adj);
    free(stack);
    free(used);
    free(seen);
    return rc;
}

/* Exact single-block routing of sorted picks (rs->m >= 1).  Writes the
 * visiting order of locations to visit[] (m entries).  Returns m, a smaller
 * count if the reconstruction did not reach every location (the caller
 * falls back), or WMS_ENOMEM. */
static int rr_solve(const wms_layout *l, const rsorted *rs, int *visit)
{
    int n_st = l->n_aisles + 1, m = rs->m, rc;
    rr_stage *st = malloc(sizeof(*st) * (size_t)n_st);
    /* back-pointers: per stage and class, for the in-aisle step (previous
     * class, config) and the cross step into the stage (previous class,
     * move index) */
    signed char *bp = malloc((size_t)n_st * S_N * 4);
    rr_graph g = {0};
    g.cap = 2 * (m + n_st) + 4 * n_st;
    g.u = malloc(sizeof(int) * (size_t)g.cap);
    g.v = malloc(sizeof(int) * (size_t)g.cap);
    if (st == NULL || bp == NULL || g.u == NULL || g.v == NULL) {
        rc = WMS_ENOMEM;
        goto out;
    }
    /* Stages: the aisles in x order with the depot inserted after every
     * aisle whose x is <= depot_x. */
    int k = 0, s = 0, depot_stage = -1;
    for (int a = 0; a <= l->n_aisles; a++) {
        if (depot_stage < 0 && (a == l->n_aisles || l->aisle_x[a] > l->depot_x)) {
            depot_stage = s;
            st[s++] = (rr_stage){.x = l->depot_x, .depot = true, .loc0 = k, .loc1 = k};
        }
        if (a == l->n_aisles)
            break;
        int k0 = k;
        while (k < m && rs->s[rs->loc_first[k]].aisle == a)
            k++;
        st[s++] = (rr_stage){.x = l->aisle_x[a], .depot = false, .loc0 = k0, .loc1 = k};
    }

    double cur[S_N], plus[S_N];
    for (int c = 0; c < S_N; c++)
        cur[c] = INFINITY;
    cur[S_000] = 0.0;
    for (s = 0; s < n_st; s++) {
        double cost[C_N];
        signed char *b = bp + (size_t)s * S_N * 4;
        rr_config_costs(rs, &st[s], l->length, cost);
        for (int c = 0; c < S_N; c++)
            plus[c] = INFINITY;
        for (int from = 0; from < S_N; from++) {
            if (cur[from] == INFINITY)
                continue;
            for (int c = 0; c < C_N; c++) {
                int to = rr_in_aisle[from][c];
                if (to < 0 || cost[c] == INFINITY)
                    continue;
                double v = cur[from] + cost[c];
                if (v < plus[to]) {
                    plus[to] = v;
                    b[to * 4 + 0] = (signed char)from;
                    b[to * 4 + 1] = (signed char)c;
                }
            }
        }
        if (s + 1 == n_st)
            break;
        double dx = st[s + 1].x - st[s].x;
        signed char *bn = bp + (size_t)(s + 1) * S_N * 4;
        for (int c = 0; c < S_N; c++)
            cur[c] = INFINITY;
        for (int i = 0; i < RR_N_MOVES; i++) {
            const rr_move *mv = &rr_moves[i];
            if (plus[mv->from] == INFINITY)
                continue;
            double v = plus[mv->from] + (mv->back + mv->front) * dx;
            if (v < cur[mv->to]) {
                cur[mv->to] = v;
                bn[mv->to * 4 + 2] = mv->from;
                bn[mv->to * 4 + 3] = (signed char)i;
            }
        }
    }
    static const int finals[] = {S_E01, S_0E1, S_EE1, S_001};
    int state = -1;
    double best = INFINITY;
    for (int i = 0; i < 4; i++) {
        if (plus[finals[i]] < best) {
            best = plus[finals[i]];
            state = finals[i];
        }
    }
    if (state < 0) {
        rc = 0; /* cannot happen for a valid layout; the caller falls back */
        goto out;
    }
    /* Rebuild the edge multigraph from the back-pointers. */
    for (s = n_st - 1; s >= 0; s--) {
        const signed char *b = bp + (size_t)s * S_N * 4;
        int c = b[state * 4 + 1];
        rr_config_edges(&g, rs, &st[s], s, c, n_st);
        state = b[state * 4 + 0];
        if (s == 0)
            break;
        const rr_move *mv = &rr_moves[(int)b[state * 4 + 3]];
        rr_edge(&g, 2 * (s - 1), 2 * s, mv->back);
        rr_edge(&g, 2 * (s - 1) + 1, 2 * s + 1, mv->front);
        state = b[state * 4 + 2];
    }
    rc = rr_euler(&g, 2 * n_st + m, 2 * n_st, m, 2 * depot_stage + 1, visit);
out:
    free(st);
    free(bp);
    free(g.u);
    free(g.v);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Heuristic: constructions + 2-opt + Or-opt                                */
/* ------------------------------------------------------------------------ */

/* A closed tour over nodes 0..m (0 = depot, k + 1 = location k); position
 * 0 always holds the depot.  e[i] is the length of the edge from position
 * i to position i + 1 (mod m + 1). */
typedef struct htour {
    int m;
    const rnode *nd;
    int *t;
    double *e;
    long evals, budget;
} htour;

static double hd(const htour *h, int i, int j)
{
    return node_dist(&h->nd[i], &h->nd[j]);
}

static void h_edges(htour *h)
{
    int n = h->m + 1;
    for (int i = 0; i < n; i++)
        h->e[i] = hd(h, h->t[i], h->t[(i + 1) % n]);
}

static double h_length(const htour *h)
{
    double sum = 0.0;
    for (int i = 0; i <= h->m; i++)
        sum += h->e[i];
    return sum;
}

/* One first-improvement 2-opt sweep; true if the tour changed. */
static bool h_two_opt(htour *h)
{
    int n = h->m + 1;
    int *t = h->t;
    double *e = h->e;
    bool improved = false;
    for (int i = 0; i + 2 < n; i++) {
        for (int j = i + 2; j < n; j++) {
            if (i == 0 && j == n - 1)
                continue;
            if (h->evals++ >= h->budget)
                return improved;
            int a = t[i], b = t[i + 1], c = t[j], d = t[(j + 1) % n];
            double dac = hd(h, a, c), dbd = hd(h, b, d);
            if (dac + dbd - e[i] - e[j] < -ROUTE_EPS) {
                for (int p = i + 1, q = j; p < q; p++, q--) {
                    int tmp = t[p];
                    t[p] = t[q];
                    t[q] = tmp;
                }
                for (int p = i + 1, q = j - 1; p < q; p++, q--) {
                    double tmp = e[p];
                    e[p] = e[q];
                    e[q] = tmp;
                }
                e[i] = dac;
                e[j] = dbd;
                improved = true;
            }
        }
    }
    return improved;
}

/* Moves the segment at positions [i, i + len) to between positions p and
 * p + 1 (p outside [i - 1, i + len - 1]), reversed if `rev`. */
static void h_move(htour *h, int i, int len, int p, bool rev)
{
    int seg[3], *t = h->t;
    for (int k = 0; k < len; k++)
        seg[k] = t[rev ? i + len - 1 - k : i + k];
    int at;
    if (p < i) {
        memmove(&t[p + 1 + len], &t[p + 1], sizeof(int) * (size_t)(i - p - 1));
        at = p + 1;
    } else {
        memmove(&t[i], &t[i + len], sizeof(int) * (size_t)(p - i - len + 1));
        at = p - len + 1;
    }
    memcpy(&t[at], seg, sizeof(int) * (size_t)len);
    h_edges(h);
}

/* One Or-opt sweep over segments of 1..3 stops; true if the tour changed. */
static bool h_or_opt(htour *h)
{
    int n = h->m + 1;
    bool improved = false;
    for (int len = 1; len <= 3; len++) {
        for (int i = 1; i + len - 1 <= h->m; i++) {
            int *t = h->t;
            int s0 = t[i], s1 = t[i + len - 1];
            int prv = t[i - 1], nxt = t[(i + len) % n];
            double gain = h->e[i - 1] + h->e[i + len - 1] - hd(h, prv, nxt);
            for (int p = 0; p < n; p++) {
                if (p >= i - 1 && p <= i + len - 1)
                    continue;
                if (h->evals++ >= h->budget)
                    return improved;
                int u = t[p], v = t[(p + 1) % n];
                double fwd = hd(h, u, s0) + hd(h, s1, v) - h->e[p];
                double rev = len > 1 ? hd(h, u, s1) + hd(h, s0, v) - h->e[p] : INFINITY;
                double add = fwd <= rev ? fwd : rev;
                if (add - gain < -ROUTE_EPS) {
                    h_move(h, i, len, p, rev < fwd);
                    improved = true;
                    break;
                }
            }
        }
    }
    return improved;
}

static void h_improve(htour *h)
{
    h_edges(h);
    for (int pass = 0; pass < WMS_ROUTE_MAX_PASSES; pass++) {
        bool a = h_two_opt(h);
        bool b = h_or_opt(h);
        if ((!a && !b) || h->evals >= h->budget)
            break;
    }
}

/* Nearest-neighbour tour from the depot into h->t. */
static int h_nearest(htour *h)
{
    unsigned char *used = calloc((size_t)h->m + 1, 1);
    if (used == NULL)
        return WMS_ENOMEM;
    int cur = 0;
    h->t[0] = 0;
    for (int pos = 1; pos <= h->m; pos++) {
        int best = -1;
        double bd = INFINITY;
        for (int j = 1; j <= h->m; j++) {
            if (used[j])
                continue;
            double d = hd(h, cur, j);
            if (d < bd) {
                bd = d;
                best = j;
            }
        }
        used[best] = 1;
        h->t[pos] = best;
        cur = best;
    }
    free(used);
    return 0;
}

typedef struct snake_key {
    int block, akey, node;
    double y;
} snake_key;

static int snake_cmp(const void *pa, const void *pb)
{
    const snake_key *a = pa, *b = pb;
    if (a->block != b->block)
        return a->block < b->block ? -1 : 1;
    if (a->akey != b->akey)
        return a->akey < b->akey ? -1 : 1;
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    return (a->node > b->node) - (a->node < b->node);
}

/* Serpentine tour into h->t: blocks front to back, aisles left to right in
 * even blocks and right to left in odd ones, alternating up and down. */
static int h_snake(htour *h, const wms_layout *l)
{
    snake_key *k = malloc(sizeof(*k) * ((size_t)h->m + 1));
    if (k == NULL)
        return WMS_ENOMEM;
    for (int j = 1; j <= h->m; j++) {
        const rnode *p = &h->nd[j];
        int block = cross_index(l, p->y);
        k[j - 1] = (snake_key){
            .block = block, .akey = block % 2 ? -p->aisle : p->aisle, .node = j, .y = p->y};
    }
    qsort(k, (size_t)h->m, sizeof(*k), snake_cmp);
    h->t[0] = 0;
    int group = 0;
    for (int i = 0; i < h->m;) {
        int j = i;
        while (j < h->m && k[j].block == k[i].block && k[j].akey == k[i].akey)
            j++;
        for (int q = i; q < j; q++)
            h->t[1 + q] = k[group % 2 ? j - 1 - (q - i) : q].node;
        group++;
        i = j;
    }
    free(k);
    return 0;
}

/* Location order of the Ratliff-Rosenthal tour of the layout without its
 * middle cross aisles (a tour that stays valid, and no longer, with them)
 * into h->t.  0, 1 if it is not available, or WMS_ENOMEM. */
static int h_relaxed(htour *h, const wms_layout *l, const rsorted *rs, int *locs)
{
    wms_layout one = *l;
    one.n_cross = 0;
    one.cross_y = NULL;
    int rc = rr_solve(&one, rs, locs);
    if (rc < 0)
        return rc;
    if (rc < h->m)
        return 1;
    h->t[0] = 0;
    for (int k = 0; k < h->m; k++)
        h->t[k + 1] = locs[k] + 1;
    return 0;
}

/* The shorter of the two S-shape sweeps over whole aisles into h->t.  0 or
 * WMS_ENOMEM. */
static int h_sshape(htour *h, const rsorted *rs, int *locs)
{
    int *start = NULL, n_groups = aisle_groups(rs, &start);
    if (n_groups < 0)
        return WMS_ENOMEM;
    double best = INFINITY;
    for (int rtl = 0; rtl < 2; rtl++) {
        sshape_locs(start, n_groups, rtl, locs);
        double len = node_dist(&h->nd[0], &h->nd[locs[0] + 1]);
        for (int k = 0; k < h->m; k++)
            len += node_dist(&h->nd[locs[k] + 1], &h->nd[k + 1 < h->m ? locs[k + 1] + 1 : 0]);
        if (len < best) {
            best = len;
            h->t[0] = 0;
            for (int k = 0; k < h->m; k++)
                h->t[k + 1] = locs[k] + 1;
        }
    }
    free(start);
    return 0;
}

/* Heuristic routing of sorted picks (m >= 1); writes the location order to
 * visit[].  Constructions: the Ratliff-Rosenthal tour of the single-block
 * relaxation, the S-shape sweep, nearest neighbour (m <= ROUTE_NN_MAX) and
 * the serpentine; each is improved by 2-opt + Or-opt with an equal share of
 * what is left of the evaluation budget, and the shortest kept.  0 or
 * WMS_ENOMEM. */
static int heur_solve(const wms_layout *l, const rsorted *rs, int *visit)
{
    enum { CAND_RELAXED, CAND_SSHAPE, CAND_NEAREST, CAND_SNAKE, N_CAND };
    int m = rs->m, rc = 0;
    rnode *nd = malloc(sizeof(*nd) * ((size_t)m + 1));
    int *t = malloc(sizeof(int) * ((size_t)m + 1));
    int *best_t = malloc(sizeof(int) * ((size_t)m + 1));
    double *e = malloc(sizeof(double) * ((size_t)m + 1));
    if (nd == NULL || t == NULL || best_t == NULL || e == NULL) {
        rc = WMS_ENOMEM;
        goto out;
    }
    nd[0] = node_depot(l);
    for (int k = 0; k < m; k++) {
        const spick *p = &rs->s[rs->loc_first[k]];
        nd[k + 1] = node_pick(l, (wms_pick_loc){.aisle = p->aisle, .y = p->y});
    }
    long left = WMS_ROUTE_EVAL_BUDGET;
    double best = INFINITY;
    for (int c = 0; c < N_CAND; c++) {
        htour h = {.m = m, .nd = nd, .t = t, .e = e, .budget = left / (N_CAND - c)};
        switch (c) {
        case CAND_RELAXED:
            rc = h_relaxed(&h, l, rs, visit);
            break;
        case CAND_SSHAPE:
            rc = h_sshape(&h, rs, visit);
            break;
        case CAND_NEAREST:
            rc = m <= ROUTE_NN_MAX ? h_nearest(&h) : 1;
            break;
        default:
            rc = h_snake(&h, l);
            break;
        }
        if (rc < 0)
            goto out;
        if (rc > 0)
            continue; /* construction not available */
        h_improve(&h);
        left = h.evals < left ? left - h.evals : 0;
        double len = h_length(&h);
        if (len < best) {
            best = len;
            memcpy(best_t, t, sizeof(int) * ((size_t)m + 1));
        }
    }
    rc = 0;
    for (int k = 0; k < m; k++)
        visit[k] = best_t[k + 1] - 1;
out:
    free(nd);
    free(t);
    free(best_t);
    free(e);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Public routing functions                                                 */
/* ------------------------------------------------------------------------ */

typedef enum { ALG_OPTIMAL, ALG_HEURISTIC } route_alg;

static int route_run(const wms_layout *l, const wms_pick_loc *picks, int n, int *order_out,
                     double *dist_out, const char **method_out, wms_error *err, route_alg alg)
{
    int rc = route_args(l, picks, n, order_out, err);
    if (rc != 0)
        return rc;
    const char *method = alg == ALG_OPTIMAL && l->n_cross == 0 ? "ratliff-rosenthal" : "2opt+oropt";
    if (n == 0) {
        route_done(l, picks, 0, order_out, dist_out, method_out, method);
        return 0;
    }
    rsorted rs;
    int *visit = NULL;
    rc = sorted_build(picks, n, &rs, err);
    if (rc != 0)
        goto out;
    visit = malloc(sizeof(int) * (size_t)rs.m);
    if (visit == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory routing %d picks", n);
        goto out;
    }
    if (alg == ALG_OPTIMAL && l->n_cross == 0) {
        rc = rr_solve(l, &rs, visit);
        if (rc >= 0 && rc < rs.m) {
            method = "2opt+oropt"; /* defensive fallback; see route.h */
            rc = heur_solve(l, &rs, visit);
        }
    } else {
        rc = heur_solve(l, &rs, visit);
    }
    if (rc < 0) {
        rc = wms_error_set(err, rc, "out of memory routing %d picks", n);
        goto out;
    }
    int pos = 0;
    for (int k = 0; k < rs.m; k++)
        emit_loc(&rs, visit[k], order_out, &pos);
    route_done(l, picks, n, order_out, dist_out, method_out, method);
    rc = 0;
out:
    free(visit);
    sorted_free(&rs);
    return rc;
}

int wms_route_optimal(const wms_layout *l, const wms_pick_loc *picks, int n, int *order_out,
                      double *dist_out, const char **method_out, wms_error *err)
{
    return route_run(l, picks, n, order_out, dist_out, method_out, err, ALG_OPTIMAL);
}

int wms_route_heuristic(const wms_layout *l, const wms_pick_loc *picks, int n, int *order_out,
                        double *dist_out, const char **method_out, wms_error *err)
{
    return route_run(l, picks, n, order_out, dist_out, method_out, err, ALG_HEURISTIC);
}

int wms_route_sshape(const wms_layout *l, const wms_pick_loc *picks, int n, int *order_out,
                     double *dist_out, const char **method_out, wms_error *err)
{
    int rc = route_args(l, picks, n, order_out, err);
    if (rc != 0)
        return rc;
    if (n == 0) {
        route_done(l, picks, 0, order_out, dist_out, method_out, "s-shape");
        return 0;
    }
    rsorted rs;
    int *start = NULL, *other = NULL, *locs = NULL, n_groups = 0, pos;
    rc = sorted_build(picks, n, &rs, err);
    if (rc != 0)
        goto out;
    n_groups = aisle_groups(&rs, &start);
    other = malloc(sizeof(int) * (size_t)n);
    locs = malloc(sizeof(int) * (size_t)rs.m);
    if (n_groups < 0 || other == NULL || locs == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory routing %d picks", n);
        goto out;
    }
    sshape_locs(start, n_groups, false, locs);
    pos = 0;
    for (int k = 0; k < rs.m; k++)
        emit_loc(&rs, locs[k], order_out, &pos);
    sshape_locs(start, n_groups, true, locs);
    pos = 0;
    for (int k = 0; k < rs.m; k++)
        emit_loc(&rs, locs[k], other, &pos);
    if (tour_len(l, picks, other, n) < tour_len(l, picks, order_out, n))
        memcpy(order_out, other, sizeof(int) * (size_t)n);
    route_done(l, picks, n, order_out, dist_out, method_out, "s-shape");
out:
    free(start);
    free(other);
    free(locs);
    sorted_free(&rs);
    return rc;
}

/* Index (relative to k0) of the first location above the largest gap of
 * the aisle group [k0, k1), counting the gaps to the aisle ends: 0 = all
 * picks are taken from the back, k1 - k0 = all from the front. */
static int lgap_split(const rsorted *rs, int k0, int k1, double len)
{
    int split = 0;
    double best = rs->s[rs->loc_first[k0]].y; /* front gap */
    for (int k = k0; k + 1 < k1; k++) {
        double g = rs->s[rs->loc_first[k + 1]].y - rs->s[rs->loc_first[k]].y;
        if (g > best) {
            best = g;
            split = k + 1 - k0;
        }
    }
    if (len - rs->s[rs->loc_first[k1 - 1]].y > best)
        split = k1 - k0;
    return split;
}

int wms_route_largest_gap(const wms_layout *l, const wms_pick_loc *picks, int n, int *order_out,
                          double *dist_out, const char **method_out, wms_error *err)
{
    int rc = route_args(l, picks, n, order_out, err);
    if (rc != 0)
        return rc;
    if (l->n_cross > 0)
        return wms_error_set(err, WMS_EUNSUPPORTED,
                             "the largest-gap route needs a layout without middle cross aisles");
    if (n == 0) {
        route_done(l, picks, 0, order_out, dist_out, method_out, "largest-gap");
        return 0;
    }
    rsorted rs;
    int *split = NULL, *start = NULL;
    rc = sorted_build(picks, n, &rs, err);
    if (rc != 0)
        goto out;
    int n_groups = aisle_groups(&rs, &start);
    split = n_groups < 0 ? NULL : malloc(sizeof(int) * (size_t)n_groups);
    if (split == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory routing %d picks", n);
        goto out;
    }
    int pos = 0, last = n_groups - 1;
    /* leftmost aisle: front to back (also the whole route for one aisle) */
    for (int k = start[0]; k < start[1]; k++)
        emit_loc(&rs, k, order_out, &pos);
    if (n_groups > 1) {
        for (int g = 1; g < last; g++) {
            split[g] = lgap_split(&rs, start[g], start[g + 1], l->length);
            for (int k = start[g + 1] - 1; k >= start[g] + split[g]; k--)
                emit_loc(&rs, k, order_out, &pos); /* from the back, downwards */
        }
        for (int k = start[last + 1] - 1; k >= start[last]; k--)
            emit_loc(&rs, k, order_out, &pos); /* rightmost: back to front */
        for (int g = last - 1; g >= 1; g--) {
            for (int k = start[g]; k < start[g] + split[g]; k++)
                emit_loc(&rs, k, order_out, &pos); /* from the front, upwards */
        }
    }
    route_done(l, picks, n, order_out, dist_out, method_out, "largest-gap");
    rc = 0;
out:
    free(split);
    free(start);
    sorted_free(&rs);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Brute force                                                              */
/* ------------------------------------------------------------------------ */

typedef struct bf_ctx {
    int n;
    double d[WMS_ROUTE_BRUTE_MAX + 1][WMS_ROUTE_BRUTE_MAX + 1]; /* 0 = depot */
    int perm[WMS_ROUTE_BRUTE_MAX], best_perm[WMS_ROUTE_BRUTE_MAX];
    bool used[WMS_ROUTE_BRUTE_MAX];
    double best;
} bf_ctx;

static void bf_search(bf_ctx *c, int depth, int last, double len)
{
    if (len >= c->best)
        return;
    if (depth == c->n) {
        double total = len + c->d[last][0];
        if (total < c->best) {
            c->best = total;
            memcpy(c->best_perm, c->perm, sizeof(c->perm));
        }
        return;
    }
    for (int i = 0; i < c->n; i++) {
        if (c->used[i])
            continue;
        c->used[i] = true;
        c->perm[depth] = i;
        bf_search(c, depth + 1, i + 1, len + c->d[last][i + 1]);
        c->used[i] = false;
    }
}

int wms_route_bruteforce(const wms_layout *l, const wms_pick_loc *picks, int n, int *order_out,
                         double *dist_out, const char **method_out, wms_error *err)
{
    if (n > WMS_ROUTE_BRUTE_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE, "brute force routes at most %d picks, not %d",
                             WMS_ROUTE_BRUTE_MAX, n);
    int rc = route_args(l, picks, n, order_out, err);
    if (rc != 0)
        return rc;
    if (n == 0) {
        route_done(l, picks, 0, order_out, dist_out, method_out, "bruteforce");
        return 0;
    }
    /* enumerate orders of the distinct locations */
    rsorted rs;
    rc = sorted_build(picks, n, &rs, err);
    if (rc != 0) {
        sorted_free(&rs);
        return rc;
    }
    bf_ctx c;
    memset(&c, 0, sizeof(c));
    c.n = rs.m;
    c.best = INFINITY;
    rnode nd[WMS_ROUTE_BRUTE_MAX + 1];
    nd[0] = node_depot(l);
    for (int k = 0; k < rs.m; k++) {
        const spick *p = &rs.s[rs.loc_first[k]];
        nd[k + 1] = node_pick(l, (wms_pick_loc){.aisle = p->aisle, .y = p->y});
    }
    for (int i = 0; i <= rs.m; i++) {
        for (int j = 0; j <= rs.m; j++)
            c.d[i][j] = node_dist(&nd[i], &nd[j]);
    }
    bf_search(&c, 0, 0, 0.0);
    int pos = 0;
    for (int k = 0; k < rs.m; k++)
        emit_loc(&rs, c.best_perm[k], order_out, &pos);
    sorted_free(&rs);
    route_done(l, picks, n, order_out, dist_out, method_out, "bruteforce");
    return 0;
}
