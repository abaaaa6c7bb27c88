/* test_returns.c - return rules: only what was shipped, once; grading by
 * expiry and the item's shelf life; journal and verify after returns. */
#include "fixture.h"
#include "store/pack.h"
#include "store/pick.h"
#include "store/returns.h"
#include "store/wave.h"

static const wms_actor sup = {"sue", "PC-1", NULL};
static const wms_actor pia = {"pia", "RF-1", NULL};

/* Order O1 (4 x A lot L1, exp 2027-06-30) picked, packed and shipped; order
 * O2 cancelled.  A's shelf_life_days is 365 (fixture). */
static int rt_setup(void **state)
{
    fx_setup(state);
    fx *f = *state;
    assert_true(wms_stock_import(f->db, &sup, "P1", "A", "L1", "2027-06-30", 10, "available", 0,
                                 &f->err) >= 0);
    fx_exec(f, "INSERT INTO customers(code, name, credit) VALUES ('CU1', 'Shop', 'green');"
               "INSERT INTO orders(ref, customer_id, status, created, ship_name, ship_street, "
               "ship_city, ship_postcode, ship_country) VALUES ('O1', 1, 'released', 'x', 'Ann', "
               "'1 Road', 'Town', '123', 'DE'), ('O2', 1, 'cancelled', 'x', 'B', 'S', 'C', 'P', "
               "'DE');"
               "INSERT INTO order_lines(order_id, line, item_id, qty) VALUES "
               "(1, 1, (SELECT id FROM items WHERE sku = 'A'), 4), "
               "(2, 1, (SELECT id FROM items WHERE sku = 'A'), 1)");
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    int64_t wave;
    assert_int_equal(wms_wave_release(f->db, &sup, &o, NULL, &wave, &f->err), 0);
    wms_task t;
    assert_int_equal(wms_task_next(f->db, &pia, NULL, &t, NULL, &f->err), 1);
    wms_pick_scan s = {.task_id = t.id, .bin = "P1", .code = "4006381333931", .packs = 4};
    wms_pick_result pr;
    assert_int_equal(wms_pick_confirm(f->db, &pia, &s, &pr, &f->err), 0);
    assert_int_equal(wms_sscc_config_set(f->db, "4006381", 0, &f->err), 0);
    wms_carton_info *ci = calloc(1, sizeof(*ci));
    wms_pack_scan_result *sr = calloc(1, sizeof(*sr));
    char *zpl = malloc(WMS_ZPL_MAX);
    assert_int_equal(wms_pack_open(f->db, &pia, NULL, "O1", ci, &f->err), 0);
    assert_int_equal(wms_pack_scan(f->db, &pia, ci->id, "4006381333931", 4, 0, sr, &f->err), 0);
    assert_int_equal(wms_pack_close(f->db, &pia, ci->id, NULL, 0, ci, zpl, WMS_ZPL_MAX, &f->err),
                     0);
    wms_ship_result sh;
    assert_int_equal(wms_ship_confirm(f->db, &pia, NULL, "O1", &sh, &f->err), 0);
    free(ci);
    free(sr);
    free(zpl);
    return 0;
}

static int64_t scan(fx *f, int64_t ret, const char *code, int64_t packs, int expect)
{
    wms_return_scan_in in = {.return_id = ret, .code = code, .packs = packs};
    wms_return_line l;
    int rc = wms_return_scan(f->db, &sup, &in, &l, &f->err);
    if (rc != expect)
        fail_msg("scan %s x%lld: %d (%s), expected %d", code, (long long)packs, rc, f->err.msg,
                 expect);
    return rc == 0 ? l.id : 0;
}

static void test_return_rules(void **state)
{
    fx *f = *state;
    wms_return_info *r = calloc(1, sizeof(*r));
    assert_int_equal(wms_return_open(f->db, &sup, NULL, "O2", 0, NULL, r, &f->err), WMS_ECONFLICT);
    assert_int_equal(wms_return_open(f->db, &sup, NULL, NULL, 0, NULL, r, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_return_open(f->db, &sup, NULL, "O1", 0, NULL, r, &f->err), 0);
    int64_t ret = r->id;
    assert_int_equal(r->nitems, 1);
    assert_int_equal(r->item[0].shipped, 4);
    scan(f, ret, "CAN-42", 1, WMS_EAMBIGUOUS_CODE);
    scan(f, ret, "4006381333931", 0, WMS_EBAD_QTY);
    scan(f, ret, "4006381333931", -3, WMS_EBAD_QTY);
    scan(f, ret, "14006381333938", 1, WMS_ERETURN_EXCEEDS_SHIPPED);
    /* lots: 400 days left (fine), 100 days left (< 365: quarantine), expired */
    int64_t fresh = scan(f, ret, "(01)04006381333931(10)LF(17)271228", 1, 0);
    int64_t shortl = scan(f, ret, "(01)04006381333931(10)LS(17)270303", 1, 0);
    int64_t gone = scan(f, ret, "(01)04006381333931(10)LX(17)261123", 1, 0);
    int64_t dmg = scan(f, ret, "4006381333931", 1, 0);
    scan(f, ret, "4006381333931", 1, WMS_ERETURN_EXCEEDS_SHIPPED);
    /* a second return of the same order counts what already came back */
    wms_return_info *r2 = calloc(1, sizeof(*r2));
    assert_int_equal(wms_return_open(f->db, &sup, NULL, "O1", 0, NULL, r2, &f->err), 0);
    scan(f, r2->id, "4006381333931", 1, WMS_ERETURN_EXCEEDS_SHIPPED);
    wms_return_line l;
    assert_int_equal(wms_return_grade(f->db, &sup, fresh, "resaleable", "P2", NULL, &l, &f->err),
                     0);
    assert_string_equal(l.status, "available");
    assert_string_equal(l.bin, "P2");
    assert_int_equal(wms_return_grade(f->db, &sup, fresh, "resaleable", "P2", NULL, &l, &f->err),
                     WMS_ECONFLICT);
    assert_int_equal(wms_return_grade(f->db, &sup, shortl, "resaleable", "P2", NULL, &l, &f->err),
                     0);
    assert_string_equal(l.status, "quarantine");
    assert_string_equal(l.bin, "Q1");
    assert_non_null(strstr(l.reason, "365 days"));
    assert_int_equal(wms_return_grade(f->db, &sup, gone, "resaleable", "P2", NULL, &l, &f->err), 0);
    assert_string_equal(l.status, "quarantine");
    assert_non_null(strstr(l.reason, "expired"));
    assert_int_equal(wms_return_grade(f->db, &sup, dmg, "broken", NULL, NULL, &l, &f->err),
                     WMS_EBAD_ARGS);
    assert_int_equal(wms_return_close(f->db, &sup, ret, r, &f->err), WMS_ECONFLICT);
    assert_int_equal(wms_return_grade(f->db, &sup, dmg, "damaged", NULL, NULL, &l, &f->err), 0);
    assert_string_equal(l.status, "quarantine");
    assert_int_equal(wms_return_close(f->db, &sup, ret, r, &f->err), 0);
    assert_string_equal(r->result, "returned");
    assert_int_equal(
        fx_sql_int(f, "SELECT count(*) FROM events WHERE kind = 'order.return' AND status = "
                      "'returned'"),
        1);
    /* stock: 1 available in P2, 3 in quarantine; the journal explains it */
    assert_int_equal(fx_qty(f, "P2", "A"), 1);
    assert_int_equal(fx_sql_int(f, "SELECT sum(qty) FROM stock WHERE status = 'quarantine'"), 3);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal WHERE kind = 'return'"), 4);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, NULL), 0);
    free(r);
    free(r2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_return_rules, rt_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
