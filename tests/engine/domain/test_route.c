/* test_route.c - picker routing: distance model, Ratliff-Rosenthal against
 * brute force, heuristics, input errors. */
#include "helpers.h"

#include "domain/route.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXA 16

/* ---- small deterministic PRNG (splitmix64) ---- */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int rng_int(int lo, int hi) /* inclusive */
{
    return lo + (int)(rng_next() % (uint64_t)(hi - lo + 1));
}

static double rng_unit(void) /* [0, 1) */
{
    return (double)(rng_next() >> 11) / 9007199254740992.0;
}

static bool close_to(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (1.0 + fabs(b));
}

static void assert_close(double a, double b)
{
    if (!close_to(a, b))
        fail_msg("%.12f != %.12f", a, b);
}

/* order is a permutation of 0..n-1 and picks at one location are adjacent */
static void assert_valid_order(const wms_pick_loc *p, const int *order, int n)
{
    bool seen[WMS_ROUTE_MAX_PICKS > 20000 ? 20000 : WMS_ROUTE_MAX_PICKS];
    assert_true(n <= (int)(sizeof(seen) / sizeof(seen[0])));
    memset(seen, 0, sizeof(seen));
    for (int i = 0; i < n; i++) {
        assert_true(order[i] >= 0 && order[i] < n);
        assert_false(seen[order[i]]);
        seen[order[i]] = true;
    }
    /* a location seen before must be the previous stop */
    for (int i = 1; i < n; i++) {
        for (int j = 0; j + 1 < i; j++) {
            const wms_pick_loc *a = &p[order[i]], *b = &p[order[j]];
            if (a->aisle == b->aisle && a->y == b->y) {
                const wms_pick_loc *c = &p[order[i - 1]];
                assert_true(c->aisle == a->aisle && c->y == a->y);
            }
        }
    }
}

typedef int (*route_fn)(const wms_layout *, const wms_pick_loc *, int, int *, double *,
                        const char **, wms_error *);

/* Runs a routing function, checks the order and that the returned distance
 * is the measured length of it; returns the distance. */
static double run_route(route_fn fn, const wms_layout *l, const wms_pick_loc *p, int n, int *order,
                        const char **method)
{
    double d = -1.0;
    wms_error err = {0};
    const char *m = NULL;
    int rc = fn(l, p, n, order, &d, &m, &err);
    if (rc != 0)
        fail_msg("route failed: %s (%s)", wms_err_name(rc), err.msg);
    assert_non_null(m);
    if (n <= 2000)
        assert_valid_order(p, order, n);
    assert_close(d, wms_route_tour_length(l, p, order, n));
    if (method != NULL)
        *method = m;
    return d;
}

/* ---- distance model, by hand ---- */

static void test_dist_single_block(void **state)
{
    (void)state;
    double x[] = {0, 5, 10};
    wms_layout l = {.n_aisles = 3, .aisle_x = x, .length = 20, .depot_x = 0};
    assert_int_equal(wms_route_layout_check(&l, NULL), 0);
    /* same aisle */
    assert_close(wms_route_dist(&l, (wms_pick_loc){1, 3}, (wms_pick_loc){1, 12}), 9);
    /* adjacent aisles: via the front 5 + 3 + 4, via the back 5 + 17 + 16 */
    assert_close(wms_route_dist(&l, (wms_pick_loc){0, 3}, (wms_pick_loc){1, 4}), 12);
    /* via the back 5 + 2 + 4, via the front 5 + 18 + 16 */
    assert_close(wms_route_dist(&l, (wms_pick_loc){0, 18}, (wms_pick_loc){1, 16}), 11);
    /* symmetric */
    assert_close(wms_route_dist(&l, (wms_pick_loc){1, 16}, (wms_pick_loc){0, 18}), 11);
    /* two aisles apart, mid-height: 10 + 20 either way */
    assert_close(wms_route_dist(&l, (wms_pick_loc){0, 10}, (wms_pick_loc){2, 10}), 30);
    /* depot at an aisle and between aisles */
    assert_close(wms_route_depot_dist(&l, (wms_pick_loc){2, 7}), 17);
    l.depot_x = 2.5;
    assert_close(wms_route_depot_dist(&l, (wms_pick_loc){1, 4}), 6.5);
    assert_close(wms_route_depot_dist(&l, (wms_pick_loc){0, 4}), 6.5);
    /* invalid locations give NaN */
    assert_true(isnan(wms_route_dist(&l, (wms_pick_loc){3, 4}, (wms_pick_loc){0, 4})));
    assert_true(isnan(wms_route_dist(&l, (wms_pick_loc){0, 20}, (wms_pick_loc){0, 4})));
    assert_true(isnan(wms_route_depot_dist(&l, (wms_pick_loc){0, NAN})));
}

static void test_dist_middle_cross(void **state)
{
    (void)state;
    double x[] = {0, 5, 10};
    double c[] = {10};
    wms_layout l = {
        .n_aisles = 3, .aisle_x = x, .length = 20, .n_cross = 1, .cross_y = c, .depot_x = 0};
    assert_int_equal(wms_route_layout_check(&l, NULL), 0);
    /* the middle cross aisle lies between: 5 + 2 + 2 */
    assert_close(wms_route_dist(&l, (wms_pick_loc){0, 8}, (wms_pick_loc){1, 12}), 9);
    /* both in the back block: via the middle 2 + 3, via the back 8 + 7 */
    assert_close(wms_route_dist(&l, (wms_pick_loc){0, 12}, (wms_pick_loc){1, 13}), 10);
    /* both in the back block near the back: via the back 1 + 2 */
    assert_close(wms_route_dist(&l, (wms_pick_loc){0, 19}, (wms_pick_loc){2, 18}), 13);
    /* both in the front block: via the front 3 + 4, via the middle 7 + 6 */
    assert_close(wms_route_dist(&l, (wms_pick_loc){0, 3}, (wms_pick_loc){2, 4}), 17);
    /* same aisle across the cross aisle stays |dy| */
    assert_close(wms_route_dist(&l, (wms_pick_loc){1, 3}, (wms_pick_loc){1, 17}), 14);
    /* a pick on the cross aisle itself */
    assert_close(wms_route_dist(&l, (wms_pick_loc){0, 10}, (wms_pick_loc){1, 15}), 10);
    assert_close(wms_route_dist(&l, (wms_pick_loc){0, 10}, (wms_pick_loc){1, 4}), 11);
    /* the depot never profits from a middle cross aisle */
    assert_close(wms_route_depot_dist(&l, (wms_pick_loc){2, 15}), 25);
}

static void test_tour_length(void **state)
{
    (void)state;
    double x[] = {0, 5, 10};
    wms_layout l = {.n_aisles = 3, .aisle_x = x, .length = 20, .depot_x = 0};
    wms_pick_loc p[] = {{0, 3}, {1, 4}};
    int o01[] = {0, 1}, o10[] = {1, 0}, bad[] = {0, 2};
    /* 3 + 12 + 9 */
    assert_close(wms_route_tour_length(&l, p, o01, 2), 24);
    assert_close(wms_route_tour_length(&l, p, o10, 2), 24);
    assert_close(wms_route_tour_length(&l, p, NULL, 0), 0);
    assert_true(isnan(wms_route_tour_length(&l, p, bad, 2)));
    assert_true(isnan(wms_route_tour_length(&l, p, o01, -1)));
    assert_true(isnan(wms_route_tour_length(NULL, p, o01, 2)));
}

/* ---- routing ---- */

static const route_fn all_fns[] = {wms_route_optimal, wms_route_heuristic, wms_route_sshape,
                                   wms_route_largest_gap, wms_route_bruteforce};

static void test_empty(void **state)
{
    (void)state;
    double x[] = {0, 5, 10};
    wms_layout l = {.n_aisles = 3, .aisle_x = x, .length = 20, .depot_x = 7};
    for (size_t i = 0; i < sizeof(all_fns) / sizeof(all_fns[0]); i++) {
        double d = -1;
        const char *m = NULL;
        assert_int_equal(all_fns[i](&l, NULL, 0, NULL, &d, &m, NULL), 0);
        assert_true(d == 0.0);
        assert_non_null(m);
    }
}

static void test_optimal_by_hand(void **state)
{
    (void)state;
    double x[] = {0, 5, 10};
    wms_layout l = {.n_aisles = 3, .aisle_x = x, .length = 10, .depot_x = 0};
    wms_pick_loc p[] = {{1, 7}, {1, 2}};
    int order[3];
    const char *m;
    /* up and back in aisle 1: 2 * 5 + 2 * 7 (a traversal would be 30) */
    assert_close(run_route(wms_route_optimal, &l, p, 2, order, &m), 24);
    assert_string_equal(m, "ratliff-rosenthal");
    /* picks high in aisles 0 and 2: up aisle 0, along the back, down aisle
     * 2, back along the front: 10 + 10 + 10 + 10 */
    wms_pick_loc q[] = {{2, 9}, {0, 8}};
    assert_close(run_route(wms_route_optimal, &l, q, 2, order, NULL), 40);
    /* depot between aisles 1 and 2 */
    l.depot_x = 7;
    wms_pick_loc r[] = {{2, 1}};
    assert_close(run_route(wms_route_optimal, &l, r, 1, order, NULL), 2 * (3 + 1));
    /* depot left of all aisles */
    l.depot_x = -4;
    assert_close(run_route(wms_route_optimal, &l, r, 1, order, NULL), 2 * (14 + 1));
    /* single aisle layout */
    double x1[] = {3};
    wms_layout l1 = {.n_aisles = 1, .aisle_x = x1, .length = 10, .depot_x = 3};
    wms_pick_loc s[] = {{0, 4}, {0, 9}, {0, 1}};
    assert_close(run_route(wms_route_optimal, &l1, s, 3, order, NULL), 18);
}

static void test_duplicates_consecutive(void **state)
{
    (void)state;
    double x[] = {0, 5, 10, 15};
    wms_layout l = {.n_aisles = 4, .aisle_x = x, .length = 10, .depot_x = 0};
    wms_pick_loc p[] = {{2, 5}, {0, 3}, {2, 5}, {3, 8}, {0, 3}, {2, 5}};
    int order[6];
    for (size_t i = 0; i < sizeof(all_fns) / sizeof(all_fns[0]); i++) {
        /* run_route checks duplicates are adjacent */
        double d = run_route(all_fns[i], &l, p, 6, order, NULL);
        assert_true(d > 0);
    }
    double opt = run_route(wms_route_optimal, &l, p, 6, order, NULL);
    double bf = run_route(wms_route_bruteforce, &l, p, 6, order, NULL);
    assert_close(opt, bf);
}

/* Random single-block layout: 3-10 aisles, irregular pitch, depot at the
 * first aisle, a middle aisle, between aisles, or outside. */
static void random_layout(wms_layout *l, double *x, int n_aisles, int depot_kind)
{
    double pos = rng_unit() * 3.0;
    for (int i = 0; i < n_aisles; i++) {
        x[i] = pos;
        pos += 2.0 + rng_unit() * 6.0;
    }
    l->n_aisles = n_aisles;
    l->aisle_x = x;
    l->length = 10.0 + rng_unit() * 40.0;
    l->n_cross = 0;
    l->cross_y = NULL;
    int mid = n_aisles / 2;
    switch (depot_kind) {
    case 0:
        l->depot_x = x[0];
        break;
    case 1:
        l->depot_x = x[mid];
        break;
    case 2:
        l->depot_x = x[mid] + (x[mid + 1] - x[mid]) * (0.1 + 0.8 * rng_unit());
        break;
    case 3:
        l->depot_x = x[0] - 3.0;
        break;
    default:
        l->depot_x = x[n_aisles - 1] + 2.0;
        break;
    }
}

/* n picks; on a coarse grid half the time so that ties and duplicates occur */
static void random_picks(const wms_layout *l, wms_pick_loc *p, int n)
{
    bool grid = rng_next() % 2 == 0;
    for (int i = 0; i < n; i++) {
        p[i].aisle = rng_int(0, l->n_aisles - 1);
        if (grid)
            p[i].y = l->length * rng_int(1, 5) / 6.0;
        else
            p[i].y = l->length * (0.01 + 0.98 * rng_unit());
    }
}

static void test_rr_equals_bruteforce(void **state)
{
    (void)state;
    rng_state = 20240611;
    double x[MAXA];
    wms_pick_loc p[WMS_ROUTE_BRUTE_MAX];
    int order[WMS_ROUTE_BRUTE_MAX];
    int count = 0;
    for (int it = 0; it < 500; it++) {
        wms_layout l;
        random_layout(&l, x, rng_int(3, 10), it % 5);
        int n = 1 + it % WMS_ROUTE_BRUTE_MAX;
        random_picks(&l, p, n);
        const char *m;
        double opt = run_route(wms_route_optimal, &l, p, n, order, &m);
        assert_string_equal(m, "ratliff-rosenthal");
        double bf = run_route(wms_route_bruteforce, &l, p, n, order, NULL);
        if (!close_to(opt, bf))
            fail_msg("instance %d: R&R %.9f, brute force %.9f", it, opt, bf);
        count++;
    }
    assert_int_equal(count, 500);
}

static void test_rr_one_aisle(void **state)
{
    (void)state;
    rng_state = 77;
    double x[MAXA];
    wms_pick_loc p[WMS_ROUTE_BRUTE_MAX];
    int order[WMS_ROUTE_BRUTE_MAX];
    for (int it = 0; it < 60; it++) {
        wms_layout l;
        random_layout(&l, x, rng_int(3, 8), it % 5);
        int n = rng_int(1, WMS_ROUTE_BRUTE_MAX), a = rng_int(0, l.n_aisles - 1);
        random_picks(&l, p, n);
        for (int i = 0; i < n; i++)
            p[i].aisle = a;
        double opt = run_route(wms_route_optimal, &l, p, n, order, NULL);
        /* the order walks the aisle monotonically, one way or the other */
        int dir = 0;
        for (int i = 1; i < n; i++) {
            double dy = p[order[i]].y - p[order[i - 1]].y;
            int s = dy > 0 ? 1 : dy < 0 ? -1 : 0;
            if (s != 0 && dir != 0)
                assert_int_equal(s, dir);
            if (s != 0)
                dir = s;
        }
        assert_close(opt, run_route(wms_route_bruteforce, &l, p, n, order, NULL));
    }
}

static void test_heuristics_single_block(void **state)
{
    (void)state;
    rng_state = 99;
    double x[MAXA];
    wms_pick_loc p[WMS_ROUTE_BRUTE_MAX];
    int order[WMS_ROUTE_BRUTE_MAX];
    double sum_opt = 0, sum_s = 0, sum_g = 0;
    for (int it = 0; it < 300; it++) {
        wms_layout l;
        random_layout(&l, x, rng_int(3, 10), it % 5);
        int n = 1 + it % WMS_ROUTE_BRUTE_MAX;
        random_picks(&l, p, n);
        double opt = run_route(wms_route_optimal, &l, p, n, order, NULL);
        const char *m;
        double s = run_route(wms_route_sshape, &l, p, n, order, &m);
        assert_string_equal(m, "s-shape");
        double g = run_route(wms_route_largest_gap, &l, p, n, order, &m);
        assert_string_equal(m, "largest-gap");
        double h = run_route(wms_route_heuristic, &l, p, n, order, &m);
        assert_string_equal(m, "2opt+oropt");
        assert_true(s >= opt - 1e-9);
        assert_true(g >= opt - 1e-9);
        assert_true(h >= opt - 1e-9);
        if (n == 1) {
            double bf = run_route(wms_route_bruteforce, &l, p, n, order, NULL);
            assert_close(s, bf);
            assert_close(g, bf);
        }
        sum_opt += opt;
        sum_s += s;
        sum_g += g;
    }
    /* the heuristics are not optimal in general */
    assert_true(sum_s > sum_opt * 1.01);
    assert_true(sum_g > sum_opt * 1.01);
}

static void test_sshape_order(void **state)
{
    (void)state;
    double x[] = {0, 5, 10, 15};
    wms_layout l = {.n_aisles = 4, .aisle_x = x, .length = 10, .depot_x = 0};
    wms_pick_loc p[] = {{1, 8}, {0, 5}, {3, 4}, {0, 2}, {1, 3}, {3, 9}};
    /* left to right: aisle 0 up, aisle 1 down, aisle 3 up (return) */
    int ltr[] = {3, 1, 0, 4, 2, 5};
    /* right to left: aisle 3 up, aisle 1 down, aisle 0 up (return) */
    int rtl[] = {2, 5, 0, 4, 3, 1};
    double dl = wms_route_tour_length(&l, p, ltr, 6);
    double dr = wms_route_tour_length(&l, p, rtl, 6);
    assert_false(close_to(dl, dr));
    int order[6];
    double d = run_route(wms_route_sshape, &l, p, 6, order, NULL);
    assert_memory_equal(order, dr < dl ? rtl : ltr, sizeof(order));
    assert_close(d, dr < dl ? dr : dl);
}

static void test_largest_gap_order(void **state)
{
    (void)state;
    double x[] = {0, 5, 10, 15};
    wms_layout l = {.n_aisles = 4, .aisle_x = x, .length = 20, .depot_x = 0};
    /* aisle 1 gaps: front 2, 13, 2, back 3 -> 15 and 17 from the back, 2
     * from the front; aisle 2: the front gap 18 is largest -> from the back */
    wms_pick_loc p[] = {{1, 15}, {0, 4}, {3, 6}, {1, 2}, {2, 18}, {3, 9}, {1, 17}};
    int want[] = {1, 6, 0, 4, 5, 2, 3};
    int order[7];
    const char *m;
    double d = run_route(wms_route_largest_gap, &l, p, 7, order, &m);
    assert_memory_equal(order, want, sizeof(want));
    /* the strict largest-gap walk: 20 (aisle 0) + 5 + 2*5 (aisle 1, back part)
     * + 5 + 2*2 (aisle 2) + 5 + 20 (aisle 3) + 10 + 2*2 (aisle 1, front
     * part) + 5 = 88; the measured order is no shorter here */
    assert_close(d, 88);
    /* one pick aisle: in and out from the front */
    wms_pick_loc q[] = {{2, 12}, {2, 3}};
    int want_q[] = {1, 0};
    d = run_route(wms_route_largest_gap, &l, q, 2, order, NULL);
    assert_memory_equal(order, want_q, sizeof(want_q));
    assert_close(d, 2 * 10 + 2 * 12);
}

static void test_multiblock(void **state)
{
    (void)state;
    rng_state = 4242;
    double x[MAXA], c[2];
    wms_pick_loc p[8];
    int order[8];
    double gap_sum = 0;
    int count = 0;
    for (int it = 0; it < 300; it++) {
        wms_layout l;
        random_layout(&l, x, rng_int(3, 10), it % 5);
        l.n_cross = 1 + it % 2;
        l.cross_y = c;
        if (l.n_cross == 1) {
            c[0] = l.length * (0.3 + 0.4 * rng_unit());
        } else {
            c[0] = l.length * (0.2 + 0.2 * rng_unit());
            c[1] = l.length * (0.6 + 0.2 * rng_unit());
        }
        int n = 2 + it % 7;
        random_picks(&l, p, n);
        const char *m;
        double h = run_route(wms_route_optimal, &l, p, n, order, &m);
        assert_string_equal(m, "2opt+oropt");
        double bf = run_route(wms_route_bruteforce, &l, p, n, order, NULL);
        double s = run_route(wms_route_sshape, &l, p, n, order, NULL);
        if (h < bf - 1e-9)
            fail_msg("instance %d: heuristic %.9f below the optimum %.9f", it, h, bf);
        assert_true(s >= bf - 1e-9);
        gap_sum += (h - bf) / bf;
        count++;
        wms_error err = {0};
        assert_int_equal(wms_route_largest_gap(&l, p, n, order, NULL, NULL, &err),
                         WMS_EUNSUPPORTED);
        assert_int_equal(err.code, WMS_EUNSUPPORTED);
    }
    double avg = gap_sum / count;
    print_message("multi-block heuristic: average gap to the optimum %.3f%%\n", 100 * avg);
    assert_true(avg < 0.05);
}

/* Larger multi-block lists: the heuristic is never longer than its S-shape
 * and single-block Ratliff-Rosenthal starting tours (route.h). */
static void test_multiblock_bounds(void **state)
{
    (void)state;
    rng_state = 31337;
    double x[MAXA], c[2];
    wms_pick_loc p[200];
    int order[200];
    for (int it = 0; it < 40; it++) {
        wms_layout l;
        random_layout(&l, x, rng_int(3, 12), it % 5);
        int n = rng_int(10, 200);
        random_picks(&l, p, n);
        wms_layout one = l;
        double rr1 = run_route(wms_route_optimal, &one, p, n, order, NULL);
        l.n_cross = 2;
        l.cross_y = c;
        c[0] = l.length / 3;
        c[1] = 2 * l.length / 3;
        /* the single-block optimal order, walked in the 3-block layout */
        double relaxed = wms_route_tour_length(&l, p, order, n);
        assert_true(relaxed <= rr1 + 1e-9);
        double s = run_route(wms_route_sshape, &l, p, n, order, NULL);
        double h = run_route(wms_route_heuristic, &l, p, n, order, NULL);
        assert_true(h <= s + 1e-9);
        assert_true(h <= relaxed + 1e-9);
    }
}

/* Large pick lists: the DP handles 10,000 picks; the heuristic is bounded. */
static void test_large(void **state)
{
    (void)state;
    rng_state = 5;
    double x[MAXA], c[] = {24};
    wms_layout l;
    random_layout(&l, x, 16, 0);
    l.length = 48;
    int n = 10000;
    wms_pick_loc *p = malloc(sizeof(*p) * (size_t)n);
    int *order = malloc(sizeof(int) * (size_t)n);
    bool *seen = calloc((size_t)n, sizeof(bool));
    assert_non_null(p);
    assert_non_null(order);
    assert_non_null(seen);
    random_picks(&l, p, n);
    for (int i = 0; i < n; i++)
        p[i].y = 1 + (int)(rng_unit() * 46);
    double opt = run_route(wms_route_optimal, &l, p, n, order, NULL);
    for (int i = 0; i < n; i++) {
        assert_false(seen[order[i]]);
        seen[order[i]] = true;
    }
    double s = run_route(wms_route_sshape, &l, p, n, order, NULL);
    double g = run_route(wms_route_largest_gap, &l, p, n, order, NULL);
    assert_true(opt <= s + 1e-9 && opt <= g + 1e-9);
    /* all 16 * 46 locations are occupied: every aisle is traversed */
    assert_close(opt, 16 * 48 + 2 * (x[15] - x[0]));

    /* heuristic on a two-block layout, 3000 picks */
    l.n_cross = 1;
    l.cross_y = c;
    int n2 = 3000;
    for (int i = 0; i < n2; i++)
        p[i] = (wms_pick_loc){rng_int(0, 15), 0.5 + rng_unit() * 47};
    double h = run_route(wms_route_optimal, &l, p, n2, order, NULL);
    double s2 = run_route(wms_route_sshape, &l, p, n2, order, NULL);
    assert_true(h <= s2 + 1e-9);
    free(p);
    free(order);
    free(seen);
}

static void test_invalid(void **state)
{
    (void)state;
    double x[] = {0, 5, 10}, xbad[] = {0, 10, 5}, xdup[] = {0, 5, 5};
    double c_out[] = {25}, c_uns[] = {12, 8};
    wms_layout l = {.n_aisles = 3, .aisle_x = x, .length = 20, .depot_x = 0};
    wms_pick_loc ok[] = {{0, 5}};
    int order[10];
    wms_error err = {0};
    for (size_t i = 0; i < sizeof(all_fns) / sizeof(all_fns[0]); i++) {
        route_fn f = all_fns[i];
        assert_int_equal(f(NULL, ok, 1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
        assert_int_equal(f(&l, ok, -1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
        assert_int_equal(f(&l, NULL, 1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
        assert_int_equal(f(&l, ok, 1, NULL, NULL, NULL, &err), WMS_EBAD_ARGS);
        wms_pick_loc bad[][1] = {{{3, 5}}, {{-1, 5}}, {{0, 0}}, {{0, 20}}, {{0, -1}}, {{0, NAN}}};
        for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
            wms_error_clear(&err);
            assert_int_equal(f(&l, bad[k], 1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
            assert_int_equal(err.code, WMS_EBAD_ARGS);
            assert_non_null(strstr(err.msg, "pick 0"));
        }
        wms_layout b = l;
        b.aisle_x = xbad;
        assert_int_equal(f(&b, ok, 1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
        b.aisle_x = xdup;
        assert_int_equal(f(&b, ok, 1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
        b = l;
        b.length = NAN;
        assert_int_equal(f(&b, ok, 1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
        b = l;
        b.depot_x = NAN;
        assert_int_equal(f(&b, ok, 1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
        b = l;
        b.n_cross = 1;
        b.cross_y = c_out;
        assert_int_equal(f(&b, ok, 1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
        b.n_cross = 2;
        b.cross_y = c_uns;
        assert_int_equal(f(&b, ok, 1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
        b.cross_y = NULL;
        assert_int_equal(f(&b, ok, 1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
        b = l;
        b.n_aisles = 0;
        assert_int_equal(f(&b, ok, 1, order, NULL, NULL, &err), WMS_EBAD_ARGS);
        b.n_aisles = WMS_ROUTE_MAX_AISLES + 1;
        assert_int_equal(f(&b, ok, 1, order, NULL, NULL, &err), WMS_ETOO_LARGE);
        assert_int_equal(f(&l, ok, WMS_ROUTE_MAX_PICKS + 1, order, NULL, NULL, &err),
                         WMS_ETOO_LARGE);
    }
    wms_pick_loc ten[10];
    for (int i = 0; i < 10; i++)
        ten[i] = (wms_pick_loc){i % 3, 1 + i};
    assert_int_equal(wms_route_bruteforce(&l, ten, 10, order, NULL, NULL, &err), WMS_ETOO_LARGE);
    assert_int_equal(wms_route_pick_check(&l, (wms_pick_loc){1, 19.5}, NULL), 0);
    assert_int_equal(wms_route_pick_check(&l, (wms_pick_loc){1, 20}, NULL), WMS_EBAD_ARGS);
    assert_int_equal(wms_route_pick_check(NULL, (wms_pick_loc){1, 2}, NULL), WMS_EBAD_ARGS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dist_single_block),
        cmocka_unit_test(test_dist_middle_cross),
        cmocka_unit_test(test_tour_length),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_optimal_by_hand),
        cmocka_unit_test(test_duplicates_consecutive),
        cmocka_unit_test(test_rr_equals_bruteforce),
        cmocka_unit_test(test_rr_one_aisle),
        cmocka_unit_test(test_heuristics_single_block),
        cmocka_unit_test(test_sshape_order),
        cmocka_unit_test(test_largest_gap_order),
        cmocka_unit_test(test_multiblock),
        cmocka_unit_test(test_multiblock_bounds),
        cmocka_unit_test(test_large),
        cmocka_unit_test(test_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
