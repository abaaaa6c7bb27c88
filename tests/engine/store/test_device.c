/* test_device.c - scanner self-test records: stored fields, the per-device
 * cap, the device list (latest test per device, failed only, limit, more)
 * and bad arguments. */
#include "engine/store/fixture.h"
#include "store/device.h"

#define NROWS 8

typedef struct rows {
    int n, stop_after;
    wms_device_row r[NROWS];
} rows;

static int collect(void *ctx, const wms_device_row *r)
{
    rows *rs = ctx;
    if (rs->n < NROWS)
        rs->r[rs->n] = *r;
    rs->n++;
    return rs->stop_after > 0 && rs->n >= rs->stop_after;
}

static wms_selftest run(const char *scan)
{
    wms_selftest t;
    assert_int_equal(wms_selftest_check(scan, strlen(scan), 0, &t), 0);
    return t;
}

static void test_record_and_list(void **state)
{
    fx *f = *state;
    wms_selftest exact = run(WMS_SELFTEST_EXPECTED);
    wms_selftest pipe =
        run("0109506000134352"
            "10" WMS_SELFTEST_LOT "|21" WMS_SELFTEST_SERIAL "|17" WMS_SELFTEST_EXPIRY "\r");
    wms_selftest nogs =
        run("]C10109506000134352"
            "10" WMS_SELFTEST_LOT "21" WMS_SELFTEST_SERIAL "17" WMS_SELFTEST_EXPIRY);
    assert_true(exact.ok);
    assert_int_equal(pipe.gs_sub, '|');
    assert_false(nogs.usable);
    assert_int_equal(wms_selftest_record(f->db, "RF-B", "pia", &pipe, &f->err), 0);
    assert_int_equal(wms_selftest_record(f->db, "RF-A", "rob", &exact, &f->err), 0);
    assert_int_equal(wms_selftest_record(f->db, "RF-C", NULL, &exact, &f->err), 0);
    assert_int_equal(wms_selftest_record(f->db, "RF-C", "lou", &nogs, &f->err), 0);

    rows rs = {0};
    int more = -1;
    assert_int_equal(wms_device_list(f->db, 0, 10, collect, &rs, &more, &f->err), 3);
    assert_int_equal(more, 0);
    assert_string_equal(rs.r[0].device, "RF-A");
    assert_true(rs.r[0].ok);
    assert_string_equal(rs.r[0].quirks, "");
    assert_string_equal(rs.r[0].gs_sub, "");
    assert_string_equal(rs.r[0].last_ok, rs.r[0].ts);
    assert_string_equal(rs.r[1].device, "RF-B");
    assert_string_equal(rs.r[1].user, "pia");
    assert_false(rs.r[1].ok);
    assert_true(rs.r[1].usable);
    assert_string_equal(rs.r[1].quirks, "NO_AIM,GS_REPLACED,SUFFIX");
    assert_string_equal(rs.r[1].gs_sub, "|");
    assert_non_null(strstr(rs.r[1].detail, "GS_REPLACED: The scanner sends '|'"));
    assert_non_null(strstr(rs.r[1].detail, "\nSUFFIX: The scanner adds Enter (CR)"));
    assert_string_equal(rs.r[1].last_ok, "");
    /* RF-C: the latest test (failed) counts; its earlier exact one is last_ok. */
    assert_string_equal(rs.r[2].device, "RF-C");
    assert_string_equal(rs.r[2].user, "lou");
    assert_false(rs.r[2].ok);
    assert_false(rs.r[2].usable);
    assert_string_equal(rs.r[2].quirks, "GS_MISSING");
    assert_int_equal(rs.r[2].tests, 2);
    assert_true(rs.r[2].last_ok[0] != '\0');

    memset(&rs, 0, sizeof(rs));
    assert_int_equal(wms_device_list(f->db, 1, 10, collect, &rs, &more, &f->err), 2);
    assert_string_equal(rs.r[0].device, "RF-B");
    assert_string_equal(rs.r[1].device, "RF-C");
    /* RF-C passes again: no longer failed. */
    assert_int_equal(wms_selftest_record(f->db, "RF-C", "lou", &exact, &f->err), 0);
    memset(&rs, 0, sizeof(rs));
    assert_int_equal(wms_device_list(f->db, 1, 10, collect, &rs, &more, &f->err), 1);
    assert_string_equal(rs.r[0].device, "RF-B");
    /* limit and more; a callback that stops. */
    memset(&rs, 0, sizeof(rs));
    assert_int_equal(wms_device_list(f->db, 0, 2, collect, &rs, &more, &f->err), 2);
    assert_int_equal(more, 1);
    memset(&rs, 0, sizeof(rs));
    rs.stop_after = 1;
    assert_int_equal(wms_device_list(f->db, 0, 10, collect, &rs, NULL, &f->err), 1);
}

static void test_history_capped(void **state)
{
    fx *f = *state;
    wms_selftest exact = run(WMS_SELFTEST_EXPECTED);
    for (int i = 0; i < WMS_SELFTEST_KEEP + 7; i++)
        assert_int_equal(wms_selftest_record(f->db, "RF-MANY", "pia", &exact, &f->err), 0);
    assert_int_equal(wms_selftest_record(f->db, "RF-ONE", "pia", &exact, &f->err), 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM scanner_selftests WHERE device = "
                                   "'RF-MANY'"),
                     WMS_SELFTEST_KEEP);
    assert_int_equal(fx_sql_int(f, "SELECT min(id) FROM scanner_selftests WHERE device = "
                                   "'RF-MANY'"),
                     8); /* the oldest 7 went */
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM scanner_selftests WHERE device = "
                                   "'RF-ONE'"),
                     1);
}

static void test_bad_args(void **state)
{
    fx *f = *state;
    wms_selftest exact = run(WMS_SELFTEST_EXPECTED);
    char long_dev[80];
    memset(long_dev, 'D', sizeof(long_dev) - 1);
    long_dev[sizeof(long_dev) - 1] = '\0';
    assert_int_equal(wms_selftest_record(f->db, "", "pia", &exact, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_selftest_record(f->db, NULL, "pia", &exact, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_selftest_record(f->db, long_dev, "pia", &exact, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_selftest_record(f->db, "RF-1", "pia", NULL, &f->err), WMS_EBAD_ARGS);
    rows rs = {0};
    assert_int_equal(wms_device_list(f->db, 0, 0, collect, &rs, NULL, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(
        wms_device_list(f->db, 0, WMS_DEVICE_LIST_MAX + 1, collect, &rs, NULL, &f->err),
        WMS_EBAD_ARGS);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM scanner_selftests"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record_and_list, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_history_capped, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bad_args, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
