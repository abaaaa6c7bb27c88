/* batch.c - order batching: discrete, FCFS and Clarke-Wright savings (see batch.h). */
#include "domain/batch.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* All picks of one call (the union buffers are this large). */
#define BATCH_MAX_PICKS 4000000L
/* A saving this far below zero (rounding, heuristic routes) still merges:
 * the merge does not lengthen the walk measurably and saves a tour. */
#define BATCH_EPS 1e-9

typedef struct bpair {
    int a, b;    /* order indices (step 3) or cluster representatives (step 4) */
    double s;    /* saving */
    double d_ab; /* d(a u b) */
} bpair;

typedef struct bfeat {
    double cx, xmin, xmax, cy;
    int id;
} bfeat;

/* Clusters are linked lists of orders named by a representative order r
 * (the list's head); per-cluster fields are indexed by r. */
typedef struct bctx {
    const wms_layout *l;  /* the layout: final tour lengths */
    const wms_layout *ls; /* the layout savings are measured in (see batch.h) */
    wms_layout relaxed;   /* l without its middle cross aisles */
    const wms_batch_order *o;
    int n;
    wms_batch_cap cap;
    wms_error *err;
    long evals;
    wms_pick_loc *buf; /* union of picks being routed */
    int *ord;          /* routing output */
    int *cl;           /* order -> representative */
    int *next;         /* order -> next order of its cluster, -1 at the end */
    int *tail, *count, *picks;
    int64_t *lines, *units;
    double *dist; /* cluster route length; NAN = not known */
} bctx;

static int fits(const bctx *c, int ra, int rb)
{
    const wms_batch_cap *k = &c->cap;
    return (k->max_orders <= 0 || c->count[ra] + c->count[rb] <= k->max_orders) &&
           (k->max_lines <= 0 || c->lines[ra] + c->lines[rb] <= k->max_lines) &&
           (k->max_units <= 0 || c->units[ra] + c->units[rb] <= k->max_units) &&
           (long)c->picks[ra] + c->picks[rb] <= WMS_ROUTE_MAX_PICKS;
}

/* Copies the picks of the clusters reps[0..k) into c->buf; returns the count. */
static int gather(bctx *c, const int *reps, int k)
{
    int m = 0;
    for (int i = 0; i < k; i++)
        for (int o = reps[i]; o >= 0; o = c->next[o]) {
            if (c->o[o].n_picks == 0)
                continue;
            memcpy(c->buf + m, c->o[o].picks, sizeof(wms_pick_loc) * (size_t)c->o[o].n_picks);
            m += c->o[o].n_picks;
        }
    return m;
}

/* Route length of the union of clusters reps[0..k) in layout l. */
static int clusters_dist(bctx *c, const wms_layout *l, const int *reps, int k, double *d)
{
    int m = gather(c, reps, k);
    if (m == 0) {
        *d = 0.0;
        return 0;
    }
    c->evals++;
    return wms_route_optimal(l, c->buf, m, c->ord, d, NULL, c->err);
}

/* Merges cluster rb into ra (or the other way round: the larger list
 * keeps its representative).  Returns the surviving representative. */
static int merge(bctx *c, int ra, int rb, double d_union)
{
    if (c->count[rb] > c->count[ra]) {
        int t = ra;
        ra = rb;
        rb = t;
    }
    for (int o = rb; o >= 0; o = c->next[o])
        c->cl[o] = ra;
    c->next[c->tail[ra]] = rb;
    c->tail[ra] = c->tail[rb];
    c->count[ra] += c->count[rb];
    c->lines[ra] += c->lines[rb];
    c->units[ra] += c->units[rb];
    c->picks[ra] += c->picks[rb];
    c->dist[ra] = d_union;
    return ra;
}

/* Summary features of a cluster (for the cheap candidate distance). */
static bfeat features(const bctx *c, int r)
{
    bfeat f = {0.0, INFINITY, -INFINITY, 0.0, r};
    int m = 0;
    for (int o = r; o >= 0; o = c->next[o])
        for (int k = 0; k < c->o[o].n_picks; k++) {
            double x = c->l->aisle_x[c->o[o].picks[k].aisle];
            f.cx += x;
            f.cy += c->o[o].picks[k].y;
            f.xmin = x < f.xmin ? x : f.xmin;
            f.xmax = x > f.xmax ? x : f.xmax;
            m++;
        }
    if (m > 0) {
        f.cx /= m;
        f.cy /= m;
    }
    return f;
}

static int feat_cmp(const void *pa, const void *pb)
{
    const bfeat *a = pa, *b = pb;
    if (a->cx != b->cx)
        return a->cx < b->cx ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

static double feat_dist(const bfeat *a, const bfeat *b)
{
    return fabs(a->xmin - b->xmin) + fabs(a->xmax - b->xmax) + fabs(a->cy - b->cy);
}

static int pair_ab_cmp(const void *pa, const void *pb)
{
    const bpair *a = pa, *b = pb;
    if (a->a != b->a)
        return (a->a > b->a) - (a->a < b->a);
    return (a->b > b->b) - (a->b < b->b);
}

/* Decreasing saving; ties by lower indices (deterministic). */
static int pair_s_cmp(const void *pa, const void *pb)
{
    const bpair *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s > b->s ? -1 : 1;
    return pair_ab_cmp(pa, pb);
}

/* Candidate pairs among the items f[0..m) (ids in f[].id, a < b), all pairs
 * for m <= all_pairs, else the k nearest by feat_dist within a window of
 * the cx order (see batch.h).  Sorts f.  *out is malloc'd (caller frees).
 * Returns the number of pairs or WMS_ENOMEM. */
static long candidates(bfeat *f, int m, int k, int all_pairs, bpair **out)
{
    *out = NULL;
    if (m < 2)
        return 0;
    long cap = m <= all_pairs ? (long)m * (m - 1) / 2 : (long)m * k;
    bpair *p = malloc(sizeof(*p) * (size_t)(cap > 0 ? cap : 1));
    if (p == NULL)
        return WMS_ENOMEM;
    long np = 0;
    if (m <= all_pairs) {
        for (int i = 0; i < m; i++)
            for (int j = i + 1; j < m; j++) {
                int a = f[i].id, b = f[j].id;
                p[np++] = (bpair){a < b ? a : b, a < b ? b : a, 0.0, 0.0};
            }
        *out = p;
        return np;
    }
    qsort(f, (size_t)m, sizeof(*f), feat_cmp);
    int w = 4 * k;
    int best[WMS_BATCH_NEIGHBOURS_MAX];
    double bestd[WMS_BATCH_NEIGHBOURS_MAX];
    for (int i = 0; i < m; i++) {
        int nb = 0;
        int lo = i - w < 0 ? 0 : i - w, hi = i + w >= m ? m - 1 : i + w;
        for (int j = lo; j <= hi; j++) {
            if (j == i)
                continue;
            double d = feat_dist(&f[i], &f[j]);
            /* insert into the sorted top-k (ties: the earlier j stays first) */
            int at = nb;
            while (at > 0 && bestd[at - 1] > d)
                at--;
            if (at >= k)
                continue;
            int last = nb < k ? nb : k - 1;
            for (int t = last; t > at; t--) {
                best[t] = best[t - 1];
                bestd[t] = bestd[t - 1];
            }
            best[at] = j;
            bestd[at] = d;
            if (nb < k)
                nb++;
        }
        for (int t = 0; t < nb; t++) {
            int a = f[i].id, b = f[best[t]].id;
            p[np++] = (bpair){a < b ? a : b, a < b ? b : a, 0.0, 0.0};
        }
    }
    qsort(p, (size_t)np, sizeof(*p), pair_ab_cmp);
    long u = 0;
    for (long i = 0; i < np; i++)
        if (u == 0 || p[i].a != p[u - 1].a || p[i].b != p[u - 1].b)
            p[u++] = p[i];
    *out = p;
    return u;
}

/* Steps 1-3 of the savings method on orders (all singletons). */
static int savings_pairs(bctx *c, int k, int all_pairs)
{
    bfeat *f = malloc(sizeof(*f) * (size_t)(c->n > 0 ? c->n : 1));
    if (f == NULL)
        return wms_error_set(c->err, WMS_ENOMEM, "out of memory batching");
    int m = 0, rc = 0;
    for (int i = 0; i < c->n; i++) {
        rc = clusters_dist(c, c->ls, &i, 1, &c->dist[i]);
        if (rc < 0) {
            free(f);
            return rc;
        }
        if (c->o[i].n_picks > 0)
            f[m++] = features(c, i);
    }
    bpair *p;
    long np = candidates(f, m, k, all_pairs, &p);
    free(f);
    if (np < 0)
        return wms_error_set(c->err, WMS_ENOMEM, "out of memory batching");
    long kept = 0;
    for (long i = 0; i < np; i++) {
        if (!fits(c, p[i].a, p[i].b))
            continue;
        if (c->evals >= WMS_BATCH_EVAL_BUDGET)
            break;
        int two[2] = {p[i].a, p[i].b};
        double d;
        rc = clusters_dist(c, c->ls, two, 2, &d);
        if (rc < 0) {
            free(p);
            return rc;
        }
        p[kept] = p[i];
        p[kept].d_ab = d;
        p[kept].s = c->dist[p[i].a] + c->dist[p[i].b] - d;
        kept++;
    }
    if (kept > 1)
        qsort(p, (size_t)kept, sizeof(*p), pair_s_cmp);
    for (long i = 0; i < kept; i++) {
        int ra = c->cl[p[i].a], rb = c->cl[p[i].b];
        if (ra == rb || p[i].s < -BATCH_EPS || !fits(c, ra, rb))
            continue;
        /* the pair's d(a u b) is the union's length only for two singletons */
        bool single = c->count[ra] == 1 && c->count[rb] == 1;
        merge(c, ra, rb, single ? p[i].d_ab : NAN);
    }
    free(p);
    return 0;
}

/* Step 4: rounds of merges between whole clusters. */
static int savings_rounds(bctx *c, int k, int all_pairs)
{
    bfeat *f = malloc(sizeof(*f) * (size_t)(c->n > 0 ? c->n : 1));
    unsigned char *used = calloc((size_t)(c->n > 0 ? c->n : 1), 1);
    int rc = 0;
    if (f == NULL || used == NULL) {
        rc = wms_error_set(c->err, WMS_ENOMEM, "out of memory batching");
        goto out;
    }
    for (int round = 0; round < WMS_BATCH_ROUNDS; round++) {
        int m = 0;
        for (int i = 0; i < c->n; i++) {
            if (c->cl[i] != i || c->picks[i] == 0)
                continue;
            if (isnan(c->dist[i]) && (rc = clusters_dist(c, c->ls, &i, 1, &c->dist[i])) < 0)
                goto out;
            f[m++] = features(c, i);
        }
        bpair *p;
        long np = candidates(f, m, k, all_pairs, &p);
        if (np < 0) {
            rc = wms_error_set(c->err, WMS_ENOMEM, "out of memory batching");
            goto out;
        }
        long kept = 0;
        for (long i = 0; i < np && c->evals < WMS_BATCH_EVAL_BUDGET; i++) {
            if (!fits(c, p[i].a, p[i].b))
                continue;
            int two[2] = {p[i].a, p[i].b};
            double d;
            if ((rc = clusters_dist(c, c->ls, two, 2, &d)) < 0) {
                free(p);
                goto out;
            }
            p[kept] = p[i];
            p[kept].d_ab = d;
            p[kept].s = c->dist[p[i].a] + c->dist[p[i].b] - d;
            kept++;
        }
        if (kept > 1)
            qsort(p, (size_t)kept, sizeof(*p), pair_s_cmp);
        memset(used, 0, (size_t)c->n);
        int merged = 0;
        for (long i = 0; i < kept; i++) {
            int a = p[i].a, b = p[i].b;
            if (used[a] || used[b] || p[i].s < -BATCH_EPS)
                continue;
            used[a] = used[b] = 1;
            merge(c, a, b, p[i].d_ab);
            merged++;
        }
        free(p);
        if (merged == 0 || c->evals >= WMS_BATCH_EVAL_BUDGET)
            break;
    }
out:
    free(f);
    free(used);
    return rc;
}

void wms_batch_result_free(wms_batch_result *r)
{
    if (r == NULL)
        return;
    free(r->tour_of);
    free(r->members);
    free(r->tour_start);
    free(r->tour_dist);
    memset(r, 0, sizeof(*r));
}

static void ctx_free(bctx *c)
{
    free(c->buf);
    free(c->ord);
    free(c->cl);
    free(c->next);
    free(c->tail);
    free(c->count);
    free(c->picks);
    free(c->lines);
    free(c->units);
    free(c->dist);
}

/* Checks the arguments; sums the picks into *total. */
static int batch_args(const wms_layout *l, const wms_batch_order *orders, int n, long *total,
                      wms_error *err)
{
    int rc = wms_route_layout_check(l, err);
    if (rc < 0)
        return rc;
    if (n < 0 || (n > 0 && orders == NULL))
        return wms_error_set(err, WMS_EBAD_ARGS, "no orders given");
    if (n > WMS_BATCH_MAX_ORDERS)
        return wms_error_set(err, WMS_ETOO_LARGE, "%d orders to batch; at most %d", n,
                             WMS_BATCH_MAX_ORDERS);
    *total = 0;
    for (int i = 0; i < n; i++) {
        const wms_batch_order *o = &orders[i];
        if (o->n_picks < 0 || (o->n_picks > 0 && o->picks == NULL) || o->lines < 0 || o->units < 0)
            return wms_error_set(err, WMS_EBAD_ARGS, "order %d: bad picks or load", i);
        if (o->n_picks > WMS_ROUTE_MAX_PICKS)
            return wms_error_set(err, WMS_ETOO_LARGE, "order %d has %d picks; at most %d", i,
                                 o->n_picks, WMS_ROUTE_MAX_PICKS);
        for (int k = 0; k < o->n_picks; k++) {
            wms_error e;
            if (wms_route_pick_check(l, o->picks[k], &e) < 0)
                return wms_error_set(err, WMS_EBAD_ARGS, "order %d, pick %d: %s", i, k, e.msg);
        }
        *total += o->n_picks;
        if (*total > BATCH_MAX_PICKS)
            return wms_error_set(err, WMS_ETOO_LARGE, "more than %ld picks to batch",
                                 BATCH_MAX_PICKS);
    }
    return 0;
}

/* Numbers the clusters by first member and fills *out (see batch.h). */
static int finish(bctx *c, wms_batch_result *out)
{
    int n = c->n;
    out->n_orders = n;
    out->tour_of = malloc(sizeof(int) * (size_t)(n + 1));
    out->members = malloc(sizeof(int) * (size_t)(n + 1));
    out->tour_start = calloc((size_t)n + 2, sizeof(int));
    out->tour_dist = malloc(sizeof(double) * (size_t)(n + 1));
    int *tour_id = malloc(sizeof(int) * (size_t)(n + 1));
    int rc = 0;
    if (out->tour_of == NULL || out->members == NULL || out->tour_start == NULL ||
        out->tour_dist == NULL || tour_id == NULL) {
        rc = wms_error_set(c->err, WMS_ENOMEM, "out of memory batching");
        goto out;
    }
    for (int i = 0; i < n; i++)
        tour_id[i] = -1;
    int nt = 0;
    for (int i = 0; i < n; i++) {
        int r = c->cl[i];
        if (tour_id[r] < 0)
            tour_id[r] = nt++;
        out->tour_of[i] = tour_id[r];
        out->tour_start[tour_id[r] + 1]++;
    }
    out->n_tours = nt;
    for (int t = 0; t < nt; t++)
        out->tour_start[t + 1] += out->tour_start[t];
    int *fill = tour_id; /* reused: next free slot per tour */
    for (int t = 0; t < nt; t++)
        fill[t] = out->tour_start[t];
    for (int i = 0; i < n; i++)
        out->members[fill[out->tour_of[i]]++] = i;
    out->total_dist = 0.0;
    for (int t = 0; t < nt; t++) {
        int r = c->cl[out->members[out->tour_start[t]]];
        double d;
        if ((rc = clusters_dist(c, c->l, &r, 1, &d)) < 0)
            goto out;
        out->tour_dist[t] = d;
        out->total_dist += d;
    }
    out->route_evals = c->evals;
out:
    free(tour_id);
    return rc;
}

int wms_batch_plan(const wms_layout *l, const wms_batch_order *orders, int n,
                   const wms_batch_opts *o, wms_batch_result *out, wms_error *err)
{
    if (out == NULL || o == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no options or result given");
    memset(out, 0, sizeof(*out));
    long total = 0;
    int rc = batch_args(l, orders, n, &total, err);
    if (rc < 0)
        return rc;
    if (o->method != WMS_BATCH_DISCRETE && o->method != WMS_BATCH_FCFS &&
        o->method != WMS_BATCH_SAVINGS)
        return wms_error_set(err, WMS_EBAD_ARGS, "unknown batching method %d", (int)o->method);
    int k = o->neighbours > 0 ? o->neighbours : WMS_BATCH_NEIGHBOURS;
    if (k > WMS_BATCH_NEIGHBOURS_MAX)
        k = WMS_BATCH_NEIGHBOURS_MAX;
    int all_pairs = o->all_pairs_max > 0 ? o->all_pairs_max : WMS_BATCH_ALL_PAIRS;
    if (all_pairs > 1000)
        all_pairs = 1000; /* 500,000 pairs: the O(n^2) cap */
    bctx c = {.l = l, .ls = l, .o = orders, .n = n, .cap = o->cap, .err = err};
    if (l->n_cross > 0 && n > all_pairs) {
        c.relaxed = *l;
        c.relaxed.n_cross = 0;
        c.relaxed.cross_y = NULL;
        c.ls = &c.relaxed;
    }
    size_t nn = (size_t)n + 1;
    c.buf = malloc(sizeof(wms_pick_loc) * (size_t)(total + 1));
    c.ord = malloc(sizeof(int) * (size_t)(total + 1));
    c.cl = malloc(sizeof(int) * nn);
    c.next = malloc(sizeof(int) * nn);
    c.tail = malloc(sizeof(int) * nn);
    c.count = malloc(sizeof(int) * nn);
    c.picks = malloc(sizeof(int) * nn);
    c.lines = malloc(sizeof(int64_t) * nn);
    c.units = malloc(sizeof(int64_t) * nn);
    c.dist = malloc(sizeof(double) * nn);
    if (c.buf == NULL || c.ord == NULL || c.cl == NULL || c.next == NULL || c.tail == NULL ||
        c.count == NULL || c.picks == NULL || c.lines == NULL || c.units == NULL ||
        c.dist == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory batching %d orders", n);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        c.cl[i] = c.tail[i] = i;
        c.next[i] = -1;
        c.count[i] = 1;
        c.picks[i] = orders[i].n_picks;
        c.lines[i] = orders[i].lines;
        c.units[i] = orders[i].units;
        c.dist[i] = NAN;
    }
    switch (o->method) {
    case WMS_BATCH_DISCRETE:
        out->method = "discrete";
        break;
    case WMS_BATCH_FCFS:
        out->method = "fcfs";
        for (int i = 1, r = 0; i < n; i++) {
            if (fits(&c, r, i))
                r = merge(&c, r, i, NAN);
            else
                r = i;
        }
        break;
    case WMS_BATCH_SAVINGS:
        out->method = "savings";
        if ((rc = savings_pairs(&c, k, all_pairs)) < 0 ||
            (rc = savings_rounds(&c, k, all_pairs)) < 0)
            goto out;
        break;
    }
    rc = finish(&c, out);
out:
    ctx_free(&c);
    if (rc < 0)
        wms_batch_result_free(out);
    return rc < 0 ? rc : 0;
}

int wms_batch_set_dist(const wms_layout *l, const wms_batch_order *orders, int n, const int *idx,
                       int k, double *dist, wms_error *err)
{
    if (orders == NULL || (k > 0 && idx == NULL) || k < 0 || dist == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no orders given");
    long m = 0;
    for (int i = 0; i < k; i++) {
        if (idx[i] < 0 || idx[i] >= n)
            return wms_error_set(err, WMS_EBAD_ARGS, "order index %d out of range", idx[i]);
        m += orders[idx[i]].n_picks;
    }
    if (m > WMS_ROUTE_MAX_PICKS)
        return wms_error_set(err, WMS_ETOO_LARGE, "%ld picks in one route; at most %d", m,
                             WMS_ROUTE_MAX_PICKS);
    wms_pick_loc *buf = malloc(sizeof(*buf) * (size_t)(m + 1));
    int *ord = malloc(sizeof(int) * (size_t)(m + 1));
    int rc;
    if (buf == NULL || ord == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory routing %ld picks", m);
    } else {
        long p = 0;
        for (int i = 0; i < k; i++) {
            const wms_batch_order *o = &orders[idx[i]];
            if (o->n_picks > 0)
                memcpy(buf + p, o->picks, sizeof(*buf) * (size_t)o->n_picks);
            p += o->n_picks;
        }
        rc = wms_route_optimal(l, buf, (int)m, ord, dist, NULL, err);
    }
    free(buf);
    free(ord);
    return rc;
}

int wms_batch_split_route(const wms_layout *l, const wms_pick_loc *locs, const int64_t *units,
                          int m, int64_t cap, int64_t cap_units, int *tour_of, int *seq,
                          double *dist, int *n_tours, wms_error *err)
{
    *n_tours = 0;
    if (m < 0 || cap < 1)
        return wms_error_set(err, WMS_EBAD_ARGS, "stops per tour must be 1 or more");
    if (m == 0)
        return 0;
    int *ord = malloc(sizeof(int) * (size_t)m), *idx = malloc(sizeof(int) * (size_t)m);
    int *sub = malloc(sizeof(int) * (size_t)m);
    wms_pick_loc *buf = malloc(sizeof(*buf) * (size_t)m);
    int rc = 0, nt = 0;
    if (ord == NULL || idx == NULL || sub == NULL || buf == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory splitting the route");
        goto out;
    }
    if ((rc = wms_route_optimal(l, locs, m, ord, NULL, NULL, err)) < 0)
        goto out;
    for (int a = 0; a < m;) {
        int k = 0;
        int64_t u = 0;
        while (a + k < m && k < cap) {
            int64_t w = units ? units[ord[a + k]] : 0;
            if (k > 0 && units && cap_units > 0 && u + w > cap_units)
                break;
            u += w;
            idx[k] = ord[a + k];
            buf[k] = locs[idx[k]];
            k++;
        }
        double d;
        if ((rc = wms_route_optimal(l, buf, k, sub, &d, NULL, err)) < 0)
            goto out;
        for (int s = 0; s < k; s++) {
            tour_of[idx[sub[s]]] = nt;
            seq[idx[sub[s]]] = s;
        }
        dist[nt++] = d;
        a += k;
    }
    *n_tours = nt;
out:
    free(ord);
    free(idx);
    free(sub);
    free(buf);
    return rc;
}
