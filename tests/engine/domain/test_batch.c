/* test_batch.c - order batching: savings against FCFS, capacity, coverage. */
#include "helpers.h"
#include "domain/batch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 10 aisles at a 5 m pitch, 20 m long, depot in the middle of the front
 * (x 22.5), single block. */
static const double X10[] = {0, 5, 10, 15, 20, 25, 30, 35, 40, 45};
static const wms_layout L10 = {10, X10, 20.0, 0, NULL, 22.5};
/* The same with a middle cross aisle at y 10. */
static const double CROSS[] = {10.0};
static const wms_layout L10X = {10, X10, 20.0, 1, CROSS, 0.0};

static uint64_t rng;
static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

#define MAXO 400
#define MAXP 8
static wms_pick_loc picks[MAXO][MAXP];
static wms_batch_order orders[MAXO];

/* n random orders of 1..MAXP picks (lines = picks, units 1..5 per line);
 * with `skew`, 70 % of the picks fall in the two leftmost aisles. */
static void random_orders(const wms_layout *l, int n, int skew)
{
    for (int i = 0; i < n; i++) {
        int np = 1 + (int)(rnd() % MAXP);
        int64_t units = 0;
        for (int k = 0; k < np; k++) {
            int a = (int)(rnd() % (uint64_t)l->n_aisles);
            if (skew && rnd() % 10 < 7)
                a = (int)(rnd() % 2);
            picks[i][k] = (wms_pick_loc){a, 1.0 + (double)(rnd() % 18)};
            units += 1 + (int64_t)(rnd() % 5);
        }
        orders[i] = (wms_batch_order){picks[i], np, np, units};
    }
}

/* Checks the structure of r: every order in exactly one tour, members
 * grouped and in input order, tours numbered by first member, capacity
 * held (a tour over the cap holds a single order), the distances
 * recomputed. */
static void check_result(const wms_layout *l, const wms_batch_result *r, int n,
                         const wms_batch_cap *cap)
{
    assert_int_equal(r->n_orders, n);
    assert_true(r->n_tours >= (n > 0 ? 1 : 0) && r->n_tours <= n);
    assert_int_equal(r->tour_start[0], 0);
    assert_int_equal(r->tour_start[r->n_tours], n);
    int *seen = calloc((size_t)n + 1, sizeof(int));
    assert_non_null(seen);
    double total = 0.0;
    int prev_first = -1;
    for (int t = 0; t < r->n_tours; t++) {
        int a = r->tour_start[t], b = r->tour_start[t + 1];
        assert_true(b > a); /* no empty tours */
        assert_true(r->members[a] > prev_first);
        prev_first = r->members[a];
        int64_t lines = 0, units = 0;
        for (int m = a; m < b; m++) {
            int o = r->members[m];
            assert_true(o >= 0 && o < n);
            assert_int_equal(r->tour_of[o], t);
            if (m > a)
                assert_true(o > r->members[m - 1]);
            seen[o]++;
            lines += orders[o].lines;
            units += orders[o].units;
        }
        if (b - a > 1) {
            if (cap->max_orders > 0)
                assert_true(b - a <= cap->max_orders);
            if (cap->max_lines > 0)
                assert_true(lines <= cap->max_lines);
            if (cap->max_units > 0)
                assert_true(units <= cap->max_units);
        }
        double d;
        assert_int_equal(wms_batch_set_dist(l, orders, n, r->members + a, b - a, &d, NULL), 0);
        assert_true(fabs(d - r->tour_dist[t]) < 1e-9);
        total += d;
    }
    for (int i = 0; i < n; i++)
        assert_int_equal(seen[i], 1);
    assert_true(fabs(total - r->total_dist) < 1e-6);
    free(seen);
}

static double plan_total(const wms_layout *l, int n, wms_batch_method m, wms_batch_cap cap,
                         int all_pairs)
{
    wms_batch_opts o = {m, cap, 0, all_pairs};
    wms_batch_result r;
    wms_error err;
    assert_int_equal(wms_batch_plan(l, orders, n, &o, &r, &err), 0);
    check_result(l, &r, n, &cap);
    double t = r.total_dist;
    wms_batch_result_free(&r);
    return t;
}

/* Orders alternate between the far-left and the far-right aisle: FCFS
 * pairs every left order with a right one (each tour crosses the whole
 * warehouse), savings pairs left with left and right with right. */
static void test_savings_beats_fcfs(void **state)
{
    (void)state;
    wms_pick_loc p[8][2];
    for (int i = 0; i < 8; i++) {
        int a = i % 2 == 0 ? 0 : 9;
        p[i][0] = (wms_pick_loc){a, 4.0 + i};
        p[i][1] = (wms_pick_loc){a, 6.0 + i};
        orders[i] = (wms_batch_order){p[i], 2, 2, 2};
    }
    wms_batch_cap cap = {2, 0, 0};
    wms_batch_opts o = {WMS_BATCH_FCFS, cap, 0, 0};
    wms_batch_result f, s;
    assert_int_equal(wms_batch_plan(&L10, orders, 8, &o, &f, NULL), 0);
    o.method = WMS_BATCH_SAVINGS;
    assert_int_equal(wms_batch_plan(&L10, orders, 8, &o, &s, NULL), 0);
    check_result(&L10, &f, 8, &cap);
    check_result(&L10, &s, 8, &cap);
    assert_string_equal(f.method, "fcfs");
    assert_string_equal(s.method, "savings");
    assert_int_equal(f.n_tours, 4);
    assert_int_equal(s.n_tours, 4);
    /* FCFS: tours {0,1} {2,3} ...: each mixes both sides. */
    for (int t = 0; t < 4; t++)
        assert_int_equal(f.members[f.tour_start[t] + 1], 2 * t + 1);
    /* Savings: every tour stays on one side. */
    for (int t = 0; t < 4; t++) {
        int a = s.members[s.tour_start[t]], b = s.members[s.tour_start[t] + 1];
        assert_int_equal(a % 2, b % 2);
    }
    /* By hand: a mixed tour walks the whole front (45 m) twice... at least
     * 90 m across; a one-side tour goes 22.5 m out and back.  Savings must
     * beat FCFS by a wide margin. */
    assert_true(s.total_dist < 0.8 * f.total_dist);
    /* and equal the sum of four one-sided tours computed directly */
    double want = 0.0;
    for (int side = 0; side < 2; side++)
        for (int k = 0; k < 2; k++) {
            int idx[2] = {side + 4 * k, side + 4 * k + 2};
            double d;
            assert_int_equal(wms_batch_set_dist(&L10, orders, 8, idx, 2, &d, NULL), 0);
            want += d;
        }
    assert_true(s.total_dist <= want + 1e-9);
    wms_batch_result_free(&f);
    wms_batch_result_free(&s);
}

/* Capacity by orders, lines and units holds for every method, in the
 * all-pairs and in the nearest-neighbour mode. */
static void test_capacity_and_coverage(void **state)
{
    (void)state;
    rng = 42;
    random_orders(&L10, 200, 0);
    wms_batch_cap caps[] = {{4, 0, 0}, {0, 10, 0}, {0, 0, 25}, {6, 12, 30}, {3, 5, 10}};
    for (size_t c = 0; c < sizeof(caps) / sizeof(caps[0]); c++) {
        plan_total(&L10, 200, WMS_BATCH_FCFS, caps[c], 0);
        plan_total(&L10, 60, WMS_BATCH_SAVINGS, caps[c], 0);   /* all pairs */
        plan_total(&L10, 200, WMS_BATCH_SAVINGS, caps[c], 20); /* neighbours */
        plan_total(&L10X, 80, WMS_BATCH_SAVINGS, caps[c], 20); /* multi-block */
    }
}

/* An order above the caps on its own rides alone; zero-pick orders get
 * tours of length 0; discrete is one order per tour. */
static void test_edges(void **state)
{
    (void)state;
    wms_pick_loc p[3] = {{1, 5.0}, {2, 5.0}, {3, 5.0}};
    orders[0] = (wms_batch_order){p, 3, 3, 100}; /* above max_units */
    orders[1] = (wms_batch_order){p, 1, 1, 1};
    orders[2] = (wms_batch_order){NULL, 0, 1, 1}; /* nothing located */
    orders[3] = (wms_batch_order){p + 1, 1, 1, 1};
    wms_batch_cap cap = {4, 0, 10};
    wms_batch_opts o = {WMS_BATCH_SAVINGS, cap, 0, 0};
    wms_batch_result r;
    assert_int_equal(wms_batch_plan(&L10, orders, 4, &o, &r, NULL), 0);
    check_result(&L10, &r, 4, &cap);
    assert_int_equal(r.tour_start[r.tour_of[0] + 1] - r.tour_start[r.tour_of[0]], 1);
    assert_int_equal(r.tour_start[r.tour_of[2] + 1] - r.tour_start[r.tour_of[2]], 1);
    assert_true(r.tour_dist[r.tour_of[2]] == 0.0);
    assert_int_equal(r.tour_of[1], r.tour_of[3]); /* the two small ones share a cart */
    wms_batch_result_free(&r);

    o.method = WMS_BATCH_DISCRETE;
    assert_int_equal(wms_batch_plan(&L10, orders, 4, &o, &r, NULL), 0);
    assert_int_equal(r.n_tours, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(r.tour_of[i], i);
    assert_string_equal(r.method, "discrete");
    wms_batch_result_free(&r);

    /* No limits at all: savings puts everything on one cart. */
    o.method = WMS_BATCH_SAVINGS;
    o.cap = (wms_batch_cap){0, 0, 0};
    assert_int_equal(wms_batch_plan(&L10, orders, 4, &o, &r, NULL), 0);
    assert_int_equal(r.n_tours, 2); /* the zero-pick order is never paired */
    wms_batch_result_free(&r);

    /* Empty input. */
    assert_int_equal(wms_batch_plan(&L10, orders, 0, &o, &r, NULL), 0);
    assert_int_equal(r.n_tours, 0);
    assert_true(r.total_dist == 0.0);
    wms_batch_result_free(&r);
}

/* Savings is never longer than discrete picking, and on class-based
 * random instances it beats FCFS in total. */
static void test_savings_random(void **state)
{
    (void)state;
    double sum_s = 0, sum_f = 0;
    for (int inst = 0; inst < 20; inst++) {
        rng = 1000 + (uint64_t)inst;
        random_orders(&L10, 40, 1);
        wms_batch_cap cap = {5, 0, 0};
        double s = plan_total(&L10, 40, WMS_BATCH_SAVINGS, cap, 0);
        double f = plan_total(&L10, 40, WMS_BATCH_FCFS, cap, 0);
        double d = plan_total(&L10, 40, WMS_BATCH_DISCRETE, cap, 0);
        assert_true(s <= d + 1e-6);
        assert_true(f <= d + 1e-6);
        sum_s += s;
        sum_f += f;
    }
    assert_true(sum_s < 0.95 * sum_f);
}

static void test_bad_args(void **state)
{
    (void)state;
    wms_pick_loc bad = {10, 5.0}; /* aisle index out of range */
    orders[0] = (wms_batch_order){&bad, 1, 1, 1};
    wms_batch_opts o = {WMS_BATCH_SAVINGS, {2, 0, 0}, 0, 0};
    wms_batch_result r;
    wms_error err;
    assert_int_equal(wms_batch_plan(&L10, orders, 1, &o, &r, &err), WMS_EBAD_ARGS);
    assert_non_null(strstr(err.msg, "order 0"));
    bad = (wms_pick_loc){1, 20.0}; /* y on the back cross aisle */
    assert_int_equal(wms_batch_plan(&L10, orders, 1, &o, &r, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_batch_plan(&L10, orders, -1, &o, &r, &err), WMS_EBAD_ARGS);
    orders[0] = (wms_batch_order){NULL, 2, 1, 1};
    assert_int_equal(wms_batch_plan(&L10, orders, 1, &o, &r, &err), WMS_EBAD_ARGS);
    orders[0] = (wms_batch_order){&bad, 0, -1, 1};
    assert_int_equal(wms_batch_plan(&L10, orders, 1, &o, &r, &err), WMS_EBAD_ARGS);
    o.method = (wms_batch_method)7;
    orders[0] = (wms_batch_order){NULL, 0, 1, 1};
    assert_int_equal(wms_batch_plan(&L10, orders, 1, &o, &r, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_batch_plan(NULL, orders, 1, &o, &r, &err), WMS_EBAD_ARGS);
}

/* Pick-and-sort tours: every stop in exactly one tour with a place in its
 * route; caps held (a heavier stop alone); each tour's length is its
 * stops' optimal route; consecutive cuts of one route beat or equal
 * discrete trips to each stop. */
static void test_split_route(void **state)
{
    (void)state;
    enum { M = 150 };
    wms_pick_loc locs[M];
    int64_t units[M];
    int tour_of[M], seq[M], nt;
    double dist[M];
    wms_error err = {0};
    rng = 77;
    for (int i = 0; i < M; i++) {
        locs[i] = (wms_pick_loc){(int)(rnd() % 10), 1.0 + (double)(rnd() % 18)};
        units[i] = 1 + (int64_t)(rnd() % 9);
    }
    units[17] = 500; /* heavier than a cart */
    const wms_layout *lays[] = {&L10, &L10X};
    for (int li = 0; li < 2; li++) {
        assert_int_equal(
            wms_batch_split_route(lays[li], locs, units, M, 12, 40, tour_of, seq, dist, &nt, &err),
            0);
        assert_true(nt >= M / 12);
        double sum = 0.0, alone = 0.0;
        for (int t = 0; t < nt; t++) {
            int n = 0, ident[M];
            wms_pick_loc route[M];
            int64_t u = 0;
            for (int i = 0; i < M; i++)
                if (tour_of[i] == t)
                    n++;
            assert_true(n >= 1 && n <= 12);
            for (int i = 0; i < M; i++)
                if (tour_of[i] == t) {
                    assert_true(seq[i] >= 0 && seq[i] < n);
                    route[seq[i]] = locs[i];
                    u += units[i];
                }
            assert_true(u <= 40 || n == 1);
            if (u > 40)
                assert_int_equal(tour_of[17], t);
            for (int k = 0; k < n; k++)
                ident[k] = k;
            double d = wms_route_tour_length(lays[li], route, ident, n);
            if (fabs(d - dist[t]) >= 1e-6)
                fail_msg("layout %d tour %d: %f vs %f (n %d)", li, t, d, dist[t], n);
            sum += dist[t];
        }
        int zero = 0;
        for (int i = 0; i < M; i++)
            alone += wms_route_tour_length(lays[li], &locs[i], &zero, 1);
        if (!(sum < alone))
            fail_msg("layout %d: %f vs alone %f, %d tours", li, sum, alone, nt);
    }
    assert_int_equal(
        wms_batch_split_route(&L10, locs, NULL, M, 0, 0, tour_of, seq, dist, &nt, &err),
        WMS_EBAD_ARGS);
    assert_int_equal(
        wms_batch_split_route(&L10, locs, NULL, 0, 5, 0, tour_of, seq, dist, &nt, &err), 0);
    assert_int_equal(nt, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_savings_beats_fcfs),
        cmocka_unit_test(test_capacity_and_coverage),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_savings_random),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_split_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
