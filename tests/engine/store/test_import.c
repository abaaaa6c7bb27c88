/* test_import.c - CSV imports: one transaction, line/column errors, idempotence. */
#include "fixture.h"

static void test_reimport_identical_changes_nothing(void **state)
{
    fx *f = *state;
    const char *items = "sku,description\nE,Eggs\nF,Flour\n";
    assert_int_equal(fx_import(f, "items", items, 0), 0);
    long long n = fx_sql_int(f, "SELECT count(*) FROM items");
    assert_int_equal(fx_import(f, "items", items, 0), 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM items"), n);
}

static void test_conflict_rolls_back_whole_file(void **state)
{
    fx *f = *state;
    /* Line 2 is new, line 3 contradicts stored item A: nothing is imported. */
    int rc = fx_import(f, "items", "sku,description\nNEW1,New thing\nA,Other juice\n", 0);
    assert_int_equal(rc, WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "line 3"));
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM items WHERE sku='NEW1'"), 0);
    /* With update both apply. */
    assert_int_equal(fx_import(f, "items", "sku,description\nNEW1,New thing\nA,Other juice\n", 1),
                     0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM items WHERE sku='NEW1'"), 1);
    assert_int_equal(
        fx_sql_int(f, "SELECT count(*) FROM items WHERE sku='A' AND description='Other juice'"), 1);
}

static void test_bad_value_names_line_and_column(void **state)
{
    fx *f = *state;
    long long before = fx_sql_int(f, "SELECT count(*) FROM journal");
    int rc = fx_import(f, "stock",
                       "bin,sku,lot,expiry,qty\n"
                       "P2,A,L1,2027-01-01,5\n"
                       "R1,A,L2,2027-02-01,7\n"
                       "R1,A,L3,2027-03-01,abc\n",
                       0);
    assert_int_equal(rc, WMS_EBAD_CSV);
    assert_non_null(strstr(f->err.msg, "line 4"));
    assert_non_null(strstr(f->err.msg, "qty"));
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal"), before);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM stock"), 0);
    /* Bad date, negative quantity, unknown bin. */
    assert_int_equal(fx_import(f, "stock", "bin,sku,lot,expiry,qty\nP2,A,L1,2027-13-01,5\n", 0),
                     WMS_EBAD_CSV);
    assert_non_null(strstr(f->err.msg, "expiry"));
    assert_int_equal(fx_import(f, "stock", "bin,sku,qty\nP2,A,-5\n", 0), WMS_EBAD_CSV);
    assert_int_equal(fx_import(f, "stock", "bin,sku,qty\nP9,A,5\n", 0), WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "line 2"));
}

static void test_unknown_column_and_kind(void **state)
{
    fx *f = *state;
    assert_int_equal(fx_import(f, "items", "sku,descripton\nZ,Typo\n", 0), WMS_EBAD_CSV);
    assert_non_null(strstr(f->err.msg, "descripton"));
    assert_int_equal(fx_import(f, "items", "description\nno sku\n", 0), WMS_EBAD_CSV);
    assert_int_equal(fx_import(f, "widgets", "a\n1\n", 0), WMS_EBAD_ARGS);
}

static void test_stock_import_journals_and_updates(void **state)
{
    fx *f = *state;
    const char *csv = "bin,sku,lot,expiry,qty,status\nP2,A,L1,2027-01-01,5,\nR1,A,,,9,hold\n";
    assert_int_equal(fx_import(f, "stock", csv, 0), 0);
    assert_int_equal(fx_qty(f, "P2", "A"), 5);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal WHERE kind='import'"), 2);
    assert_int_equal(fx_import(f, "stock", csv, 0), 0); /* identical: no journal rows */
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal WHERE kind='import'"), 2);
    const char *more = "bin,sku,lot,expiry,qty\nP2,A,L1,2027-01-01,8\n";
    assert_int_equal(fx_import(f, "stock", more, 0), WMS_ECONFLICT);
    assert_int_equal(fx_import(f, "stock", more, 1), 0);
    assert_int_equal(fx_qty(f, "P2", "A"), 8);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
}

static void test_export_round_trip(void **state)
{
    fx *f = *state;
    const char *kinds[] = {"layout", "items", "packs", "barcodes", "bins"};
    for (int k = 0; k < 5; k++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        assert_non_null(out);
        assert_true(wms_export(f->db, kinds[k], out, 0, &f->err) > 0);
        fclose(out);
        /* Re-importing what was exported changes nothing. */
        assert_int_equal(fx_import(f, kinds[k], buf, 0), 0);
        free(buf);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_true(wms_export(f->db, "bins", out, 1, &f->err) == 5);
    fclose(out);
    assert_non_null(strstr(buf, "\"code\":\"P1\""));
    assert_non_null(strstr(buf, "\"capacity\":100"));
    free(buf);
}

static void test_ambiguous_import_counted(void **state)
{
    fx *f = *state;
    FILE *in = fmemopen((void *)"code,sku\nCAN-42,B\n", 18, "r");
    wms_import_stats st;
    wms_actor who = {"t", "t", NULL};
    assert_int_equal(wms_import(f->db, &who, "barcodes", in, 0, &st, &f->err), 0);
    fclose(in);
    assert_int_equal(st.rows, 1);
    assert_int_equal(st.ambiguous, 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_reimport_identical_changes_nothing), T(test_conflict_rolls_back_whole_file),
        T(test_bad_value_names_line_and_column),    T(test_unknown_column_and_kind),
        T(test_stock_import_journals_and_updates),  T(test_export_round_trip),
        T(test_ambiguous_import_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
