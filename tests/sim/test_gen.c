/*
 * test_gen.c - the simulator's world (sim/gen.c), scenario (sim/scenario.c)
 * and PRNG (sim/rng.c): deterministic for a seed, skewed demand, a
 * consistent warehouse, and a database built through the engine.
 */
#include "helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "rng.h"
#include "scenario.h"
#include "store/users.h"

#define TODAY "2026-11-23"

static void small(sim_scenario *s, uint64_t seed)
{
    sim_scenario_defaults(s);
    s->seed = seed;
    s->bins = 300;
    s->items = 80;
    s->customers = 20;
    s->orders = 400;
    s->pickers = 2;
    s->receivers = 1;
    s->duration_s = 3600;
}

static void build(const sim_scenario *s, sim_world *w)
{
    wms_error err;
    wms_error_clear(&err);
    int rc = sim_world_build(s, TODAY, w, &err);
    if (rc < 0)
        fail_msg("sim_world_build: %s", err.msg);
}

static void test_deterministic(void **state)
{
    (void)state;
    sim_scenario s;
    small(&s, 7);
    sim_world a, b, c;
    build(&s, &a);
    build(&s, &b);
    assert_int_equal(sim_world_fingerprint(&a), sim_world_fingerprint(&b));
    assert_int_equal(a.n_orders, 400);
    assert_int_equal(a.n_orders, b.n_orders);
    assert_int_equal(a.n_dlines, b.n_dlines);
    for (int o = 0; o < a.n_orders; o++) {
        assert_string_equal(a.orders[o].ref, b.orders[o].ref);
        assert_int_equal(a.orders[o].nlines, b.orders[o].nlines);
        assert_true(a.orders[o].arrive_s == b.orders[o].arrive_s);
        for (int l = 0; l < a.orders[o].nlines; l++) {
            assert_int_equal(a.orders[o].line[l].item, b.orders[o].line[l].item);
            assert_int_equal(a.orders[o].line[l].qty, b.orders[o].line[l].qty);
        }
    }
    for (int i = 0; i < a.n_dlines; i++) {
        assert_int_equal(a.dlines[i].item, b.dlines[i].item);
        assert_int_equal(a.dlines[i].packs, b.dlines[i].packs);
        assert_string_equal(a.dlines[i].lot, b.dlines[i].lot);
    }
    /* Another seed: another world. */
    small(&s, 8);
    build(&s, &c);
    assert_true(sim_world_fingerprint(&a) != sim_world_fingerprint(&c));
    int differ = 0;
    for (int o = 0; o < 20; o++)
        differ += a.orders[o].line[0].item != c.orders[o].line[0].item;
    assert_true(differ > 5);
    sim_world_free(&a);
    sim_world_free(&b);
    sim_world_free(&c);
}

static void test_skew(void **state)
{
    (void)state;
    sim_scenario s;
    small(&s, 3);
    sim_world w;
    build(&s, &w);
    /* The busiest 20 % of the items carry most of the order lines (a
     * uniform demand would give them about 20 %). */
    double top = sim_world_top_share(&w, 0.2);
    assert_true(top >= 0.65);
    assert_true(sim_world_top_share(&w, 1.0) > 0.999);
    /* Ranks are a permutation ordered by lines. */
    int *seen = calloc((size_t)w.n_items, sizeof(int));
    assert_non_null(seen);
    for (int i = 0; i < w.n_items; i++) {
        assert_true(w.items[i].rank >= 0 && w.items[i].rank < w.n_items);
        seen[w.items[i].rank]++;
        for (int j = 0; j < w.n_items; j++)
            if (w.items[j].rank < w.items[i].rank)
                assert_true(w.items[j].demand_lines >= w.items[i].demand_lines);
    }
    for (int i = 0; i < w.n_items; i++)
        assert_int_equal(seen[i], 1);
    free(seen);
    /* Inbound follows demand: most received units are of the busiest items. */
    int64_t all = 0, busy = 0;
    for (int i = 0; i < w.n_dlines; i++) {
        const sim_delivery_line *l = &w.dlines[i];
        int64_t units = l->by_unit ? l->packs : l->packs * w.items[l->item].case_units;
        all += units;
        if (w.items[l->item].rank < (int)ceil(0.2 * w.n_items))
            busy += units;
    }
    assert_true(all > 0);
    assert_true((double)busy / (double)all >= 0.5);
    sim_world_free(&w);
}

static void test_consistent(void **state)
{
    (void)state;
    sim_scenario s;
    small(&s, 11);
    s.backlog = 0.3;
    sim_world w;
    build(&s, &w);
    wms_error err;
    assert_true(w.dock >= 0);
    assert_int_equal(w.bins[w.dock].type, SIM_BIN_DOCK);
    assert_string_equal(w.bins[w.dock].code, "DOCK-01");
    for (int i = 0; i < w.n_bins; i++) {
        wms_error_clear(&err);
        assert_int_equal(wms_route_pick_check(&w.lay, sim_world_loc(&w, i), &err), 0);
        assert_int_equal(sim_world_bin(&w, w.bins[i].code), i);
    }
    for (int i = 0; i < w.n_items; i++)
        assert_int_equal(sim_world_item(&w, w.items[i].sku), i);
    assert_int_equal(sim_world_item(&w, "NO-SUCH-SKU"), -1);
    for (int i = 0; i < w.n_stock; i++) {
        assert_true(w.stock[i].qty > 0);
        assert_true(w.stock[i].bin >= 0 && w.stock[i].item >= 0);
    }
    int backlog = 0, credit[3] = {0, 0, 0};
    double last = 0;
    for (int o = 0; o < w.n_orders; o++) {
        const sim_order *ord = &w.orders[o];
        assert_true(strncmp(ord->ref, "SO-", 3) == 0);
        assert_true(ord->nlines >= 1 && ord->nlines <= SIM_ORDER_LINES_MAX);
        assert_true(ord->cutoff[0] != '\0');
        assert_true(ord->arrive_s >= last); /* by arrival */
        assert_true(ord->arrive_s <= 0.9 * s.duration_s);
        last = ord->arrive_s;
        backlog += ord->arrive_s == 0;
        credit[w.customers[ord->customer].credit]++;
        for (int l = 0; l < ord->nlines; l++) {
            assert_true(ord->line[l].item >= 0 && ord->line[l].item < w.n_items);
            assert_true(ord->line[l].qty > 0);
        }
    }
    assert_int_equal(backlog, (int)lround(0.3 * w.n_orders));
    assert_true(credit[SIM_CREDIT_GREEN] > credit[SIM_CREDIT_RED]);
    /* Perishable deliveries carry a lot and a future expiry; some are GS1. */
    int gs1 = 0, lots = 0;
    for (int i = 0; i < w.n_dlines; i++) {
        const sim_delivery_line *l = &w.dlines[i];
        if (w.items[l->item].shelf_days > 0) {
            lots++;
            assert_true(l->lot[0] != '\0');
            assert_true(strcmp(l->expiry, TODAY) > 0);
        } else {
            assert_string_equal(l->lot, "");
        }
        gs1 += l->gs1;
        assert_true(l->packs > 0);
    }
    assert_true(lots > 0 && gs1 > 0);
    sim_world_free(&w);
}

static void test_rng(void **state)
{
    (void)state;
    sim_rng a, b, c;
    sim_rng_seed(&a, 42, SIM_RNG_FAULTS, 3);
    sim_rng_seed(&b, 42, SIM_RNG_FAULTS, 3);
    sim_rng_seed(&c, 42, SIM_RNG_FAULTS, 4);
    int same_c = 0;
    double sum = 0;
    for (int i = 0; i < 10000; i++) {
        uint64_t x = sim_rng_next(&a);
        assert_true(x == sim_rng_next(&b));
        same_c += x == sim_rng_next(&c);
        double u = sim_rng_unit(&a);
        sim_rng_unit(&b);
        assert_true(u >= 0 && u < 1);
        int64_t k = sim_rng_below(&a, 7);
        assert_int_equal(k, sim_rng_below(&b, 7));
        assert_true(k >= 0 && k < 7);
        sum += sim_rng_exp(&a, 10);
        sim_rng_exp(&b, 10);
    }
    assert_int_equal(same_c, 0);
    assert_true(sum / 10000 > 9 && sum / 10000 < 11);
}

static void test_scenario(void **state)
{
    (void)state;
    sim_scenario s;
    sim_scenario_defaults(&s);
    wms_error err;
    wms_error_clear(&err);
    assert_int_equal(sim_scenario_check(&s, &err), 0);
    assert_int_equal(sim_scenario_set(&s, "pickers", "12", &err), 0);
    assert_int_equal(s.pickers, 12);
    assert_int_equal(sim_scenario_set(&s, "short", "0.25", &err), 0);
    assert_true(s.f_short == 0.25);
    assert_int_equal(sim_scenario_set(&s, "nope", "1", &err), WMS_EBAD_ARGS);
    assert_non_null(strstr(err.msg, "nope"));
    assert_int_equal(sim_scenario_set(&s, "short", "1.5", &err), WMS_EBAD_ARGS);
    assert_int_equal(sim_scenario_set(&s, "pickers", "2.5", &err), WMS_EBAD_ARGS);
    assert_int_equal(sim_scenario_set(&s, "seed", "-1", &err), WMS_EBAD_ARGS);
    assert_int_equal(sim_scenario_set(&s, "order_prefix", "a b", &err), WMS_EBAD_ARGS);
    char dir[512], path[600];
    th_mkdtemp(dir, sizeof(dir), "simscen");
    th_write_file(dir, "ok.conf", "# a shift\nseed = 99\n  wrong_bin=0.1 # typo-prone\n\n", path,
                  sizeof(path));
    assert_int_equal(sim_scenario_load(&s, path, &err), 0);
    assert_int_equal(s.seed, 99);
    assert_true(s.f_wrong_bin == 0.1);
    th_write_file(dir, "bad.conf", "seed = 1\nspeed = fast\n", path, sizeof(path));
    assert_int_equal(sim_scenario_load(&s, path, &err), WMS_EBAD_ARGS);
    assert_non_null(strstr(err.msg, ":2:"));
    s.serial_pickers = s.pickers + 1;
    assert_int_equal(sim_scenario_check(&s, &err), WMS_EBAD_ARGS);
}

static void test_build_db(void **state)
{
    (void)state;
    sim_scenario s;
    small(&s, 5);
    sim_world w, w2;
    build(&s, &w);
    build(&s, &w2);
    char dir[512], db_path[600];
    th_mkdtemp(dir, sizeof(dir), "simdb");
    snprintf(db_path, sizeof(db_path), "%s/wms.db", dir);
    wms_error err;
    wms_error_clear(&err);
    int rc = sim_world_build_db(&w, &s, db_path, &err);
    if (rc < 0)
        fail_msg("build_db: %s", err.msg);
    /* Never over an existing database. */
    assert_int_equal(sim_world_build_db(&w, &s, db_path, &err), WMS_EEXISTS);
    /* Every item has a scannable unit code now, and it resolves to it. */
    wms_db *db = NULL;
    assert_int_equal(wms_db_open(db_path, 0, &db, &err), 0);
    int internal = 0;
    for (int i = 0; i < w.n_items; i++) {
        assert_true(w.items[i].unit_code[0] != '\0');
        internal += w.items[i].unit_internal;
        wms_resolution res;
        assert_int_equal(wms_code_resolve(db, w.items[i].unit_code, 0, &res, &err), 0);
        int found = 0;
        for (int k = 0; k < res.n; k++)
            found |= !strcmp(res.m[k].sku, w.items[i].sku);
        assert_true(found);
        if (w.items[i].unit_internal)
            assert_int_equal(res.n, 1);
    }
    assert_true(internal > 0); /* ~10 % have no manufacturer code */
    wms_user u;
    assert_int_equal(wms_user_get(db, "pick02", &u, &err), 0);
    assert_int_equal(u.role, WMS_ROLE_PICKER);
    assert_int_equal(wms_user_get(db, "sup01", &u, &err), 0);
    assert_int_equal(u.role, WMS_ROLE_SUPERVISOR);
    assert_int_equal(wms_user_get(db, "pick03", &u, &err), WMS_ENOT_FOUND);
    /* Stock as generated. */
    wms_bin b;
    assert_int_equal(wms_bin_get(db, "DOCK-01", &b, &err), 0);
    assert_int_equal(wms_stock_verify(db, NULL, NULL, &err), 0);
    wms_db_close(db);
    /* A second simulator reads the same internal codes back. */
    assert_int_equal(sim_world_read_codes(&w2, db_path, &err), 0);
    for (int i = 0; i < w.n_items; i++)
        assert_string_equal(w.items[i].unit_code, w2.items[i].unit_code);
    assert_int_equal(sim_world_fingerprint(&w), sim_world_fingerprint(&w2));
    sim_world_free(&w);
    sim_world_free(&w2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_skew),
        cmocka_unit_test(test_consistent),    cmocka_unit_test(test_rng),
        cmocka_unit_test(test_scenario),      cmocka_unit_test(test_build_db),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
