/* test_pack.c - SSCC-18 numbers (check digit, uniqueness, limits), pack
 * verification, missing lists, order status through packing and shipping. */
#include "fixture.h"
#include "store/pack.h"
#include "store/pick.h"
#include "store/wave.h"

#include <stdarg.h>

static const wms_actor sup = {"sue", "PC-1", NULL};
static const wms_actor pia = {"pia", "RF-1", NULL};

/* GS1 mod 10 computed independently of the engine: weights 3,1,3,...
 * from the right. */
static int check_digit(const char *d, int n)
{
    int sum = 0;
    for (int i = n - 1, w = 3; i >= 0; i--, w = 4 - w)
        sum += (d[i] - '0') * w;
    return (10 - sum % 10) % 10;
}

static void test_sscc_build(void **state)
{
    (void)state;
    wms_error err;
    char s[19];
    /* the GS1 General Specifications example: (00) 1 0614141 123456789 7 */
    assert_int_equal(wms_sscc_build(1, "0614141", 123456789, s, &err), 0);
    assert_string_equal(s, "106141411234567897");
    assert_int_equal(wms_sscc_build(0, "4006381", 1, s, &err), 0);
    assert_string_equal(s, "040063810000000017");
    /* 12-digit prefix leaves 4 serial digits */
    assert_int_equal(wms_sscc_build(9, "123456789012", 9999, s, &err), 0);
    assert_int_equal(s[17] - '0', check_digit(s, 17));
    assert_int_equal(wms_sscc_build(9, "123456789012", 10000, s, &err), WMS_ETOO_LARGE);
    assert_int_equal(wms_sscc_build(0, "123", 1, s, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_sscc_build(0, "1234567890123", 1, s, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_sscc_build(0, "40063X1", 1, s, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_sscc_build(10, "4006381", 1, s, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_sscc_build(0, "4006381", -1, s, &err), WMS_ETOO_LARGE);
    /* every serial of a range gets its own valid number */
    for (int64_t k = 0; k < 2000; k++) {
        assert_int_equal(wms_sscc_build(3, "0614141", k * 7919, s, &err), 0);
        assert_int_equal(strlen(s), 18);
        assert_int_equal(s[17] - '0', check_digit(s, 17));
    }
}

/* Picks everything of the released orders into totes TOTE-<order> and
 * returns the number of picks. */
static int pick_all(fx *f)
{
    wms_task t;
    int64_t waiting;
    int n = 0;
    while (wms_task_next(f->db, &pia, NULL, &t, &waiting, &f->err) == 1) {
        char tote[80];
        snprintf(tote, sizeof(tote), "TOTE-%s", t.order);
        const char *code = !strcmp(t.sku, "A") ? "4006381333931" : "CAN-42";
        wms_pick_scan s = {
            .task_id = t.id, .bin = t.bin, .code = code, .packs = t.left, .tote = tote};
        wms_pick_result r;
        if (wms_pick_confirm(f->db, &pia, &s, &r, &f->err) < 0)
            fail_msg("pick %lld: %s", (long long)t.id, f->err.msg);
        n++;
    }
    return n;
}

static int pk_setup(void **state)
{
    fx_setup(state);
    fx *f = *state;
    wms_actor who = {"test", "fx", NULL};
    assert_true(wms_stock_import(f->db, &who, "P1", "A", "L1", "2027-06-30", 50, "available", 0,
                                 &f->err) >= 0);
    assert_true(wms_stock_import(f->db, &who, "P2", "C", "", "", 20, "available", 0, &f->err) >= 0);
    fx_exec(f, "INSERT INTO customers(code, name, credit) VALUES ('CU1', 'Shop', 'green');"
               "INSERT INTO orders(ref, customer_id, status, created, ship_name, ship_street, "
               "ship_city, ship_postcode, ship_country) VALUES ('O1', 1, 'released', "
               "'2026-11-23T08:00:00Z', 'Ann', '1 Road', 'Town', '123', 'DE');"
               "INSERT INTO order_lines(order_id, line, item_id, qty) VALUES "
               "(1, 1, (SELECT id FROM items WHERE sku = 'A'), 5), "
               "(1, 2, (SELECT id FROM items WHERE sku = 'C'), 2)");
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    o.method = WMS_WAVE_DISCRETE;
    int64_t wave;
    assert_int_equal(wms_wave_release(f->db, &sup, &o, NULL, &wave, &f->err), 0);
    assert_int_equal(pick_all(f), 2);
    return 0;
}

static void test_pack_and_ship(void **state)
{
    fx *f = *state;
    wms_carton_info *ci = calloc(1, sizeof(*ci));
    wms_pack_scan_result *sr = calloc(1, sizeof(*sr));
    char *zpl = malloc(WMS_ZPL_MAX);
    assert_non_null(ci);
    assert_non_null(sr);
    assert_non_null(zpl);
    assert_int_equal(wms_pack_open(f->db, &pia, "NO-SUCH", NULL, ci, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(wms_pack_open(f->db, &pia, "TOTE-O1", NULL, ci, &f->err), 0);
    assert_int_equal(ci->left.units, 7);
    assert_int_equal(ci->left.n, 2);
    int64_t carton = ci->id;
    /* not in the tote; a lot that is not; more than is there */
    assert_int_equal(wms_pack_scan(f->db, &pia, carton, "EGG-9", 1, 0, sr, &f->err),
                     WMS_EUNKNOWN_CODE);
    assert_int_equal(
        wms_pack_scan(f->db, &pia, carton, "(01)04006381333931(10)L2", 1, 0, sr, &f->err),
        WMS_ENOT_IN_TOTE);
    assert_non_null(strstr(f->err.msg, "lot L2"));
    assert_int_equal(wms_pack_scan(f->db, &pia, carton, "14006381333938", 1, 0, sr, &f->err),
                     WMS_ENOT_IN_TOTE); /* a case of 24: only 5 are there */
    assert_non_null(strstr(f->err.msg, "only 5 more of A"));
    assert_int_equal(wms_pack_scan(f->db, &pia, carton, "4006381333931", 5, 0, sr, &f->err), 0);
    assert_int_equal(sr->carton_units, 5);
    assert_int_equal(sr->left.units, 2);
    assert_int_equal(wms_pack_scan(f->db, &pia, carton, "4006381333931", 1, 0, sr, &f->err),
                     WMS_ENOT_IN_TOTE);
    /* no prefix yet: closing is refused and changes nothing */
    assert_int_equal(wms_pack_close(f->db, &pia, carton, NULL, 0, ci, zpl, WMS_ZPL_MAX, &f->err),
                     WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "wmsctl sscc prefix"));
    assert_int_equal(wms_sscc_config_set(f->db, "12", 0, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_sscc_config_set(f->db, "0614141", 1, &f->err), 0);
    assert_int_equal(
        wms_pack_close(f->db, &pia, carton, "BOX-M", 2600, ci, zpl, WMS_ZPL_MAX, &f->err), 0);
    assert_string_equal(ci->sscc, "106141410000000019");
    assert_int_equal(ci->left.units, 2); /* the C units are missing */
    assert_string_equal(ci->left.e[0].sku, "C");
    assert_string_equal(ci->order_status, "picked");
    assert_non_null(strstr(zpl, "106141410000000019"));
    assert_int_equal(wms_pack_close(f->db, &pia, carton, NULL, 0, ci, zpl, WMS_ZPL_MAX, &f->err),
                     WMS_ECLOSED);
    /* an empty carton cannot be closed */
    assert_int_equal(wms_pack_open(f->db, &pia, NULL, "O1", ci, &f->err), 0);
    int64_t c2 = ci->id;
    assert_int_equal(wms_pack_close(f->db, &pia, c2, NULL, 0, ci, zpl, WMS_ZPL_MAX, &f->err),
                     WMS_EBAD_ARGS);
    assert_int_equal(wms_pack_scan(f->db, &pia, c2, "CAN-42", 2, 0, sr, &f->err), 0);
    assert_string_equal(sr->sku, "C"); /* shared code: the tote holds C, not D */
    assert_int_equal(wms_pack_close(f->db, &pia, c2, NULL, 0, ci, zpl, WMS_ZPL_MAX, &f->err), 0);
    assert_string_equal(ci->sscc, "106141410000000026");
    assert_string_equal(ci->order_status, "packed");
    assert_int_equal(wms_pack_open(f->db, &pia, NULL, "O1", ci, &f->err), WMS_ECONFLICT);
    /* ship one carton (by its label scan), then the order */
    wms_ship_result sh;
    assert_int_equal(wms_ship_confirm(f->db, &pia, "(00)106141410000000019", NULL, &sh, &f->err),
                     0);
    assert_int_equal(sh.units, 5);
    assert_string_equal(sh.order_status, "packed");
    assert_int_equal(wms_ship_confirm(f->db, &pia, "106141410000000019", NULL, &sh, &f->err),
                     WMS_ECONFLICT);
    assert_int_equal(wms_ship_confirm(f->db, &pia, "106141410000000095", NULL, &sh, &f->err),
                     WMS_ENOT_FOUND);
    assert_int_equal(wms_ship_confirm(f->db, &pia, "106141410000000014", NULL, &sh, &f->err),
                     WMS_EBAD_CHECK_DIGIT);
    assert_int_equal(wms_ship_confirm(f->db, &pia, NULL, "O1", &sh, &f->err), 0);
    assert_int_equal(sh.units, 2);
    assert_string_equal(sh.order_status, "shipped");
    assert_int_equal(fx_qty(f, WMS_OUTBOUND_BIN, "A"), 0);
    assert_int_equal(fx_qty(f, "P1", "A"), 45);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, NULL), 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal WHERE kind = 'ship'"), 2);
    free(ci);
    free(sr);
    free(zpl);
}

/* SSCCs stay unique across many cartons, and the serial lives in the
 * database (a reopened database continues the sequence). */
static void test_sscc_unique(void **state)
{
    fx *f = *state;
    assert_int_equal(wms_sscc_config_set(f->db, "4006381", 0, &f->err), 0);
    fx_exec(f, "INSERT INTO cartons(order_id, status, opened) SELECT 1, 'open', 'x' "
               "FROM (WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n "
               "WHERE k < 150) SELECT k FROM n);"
               "INSERT INTO carton_lines(carton_id, pick_id, qty) SELECT id, 1, 1 FROM "
               "cartons");
    char *zpl = malloc(WMS_ZPL_MAX);
    wms_carton_info *ci = calloc(1, sizeof(*ci));
    for (int64_t id = 1; id <= 150; id++) {
        if (id == 75) { /* reopen halfway */
            wms_db_close(f->db);
            assert_int_equal(wms_db_open(f->path, 0, &f->db, &f->err), 0);
        }
        assert_int_equal(wms_pack_close(f->db, &pia, id, NULL, 0, ci, zpl, WMS_ZPL_MAX, &f->err),
                         0);
        assert_int_equal(ci->sscc[17] - '0', check_digit(ci->sscc, 17));
    }
    assert_int_equal(fx_sql_int(f, "SELECT count(DISTINCT sscc) FROM cartons"), 150);
    assert_int_equal(fx_sql_int(f, "SELECT max(CAST(substr(sscc, 9, 9) AS INTEGER)) FROM "
                                   "cartons"),
                     150);
    free(zpl);
    free(ci);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sscc_build),
        cmocka_unit_test_setup_teardown(test_pack_and_ship, pk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_sscc_unique, pk_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
