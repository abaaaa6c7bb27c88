/* test_catalog.c - items, packs, barcodes, internal codes, code resolution. */
#include "fixture.h"
#include "domain/gs1.h"

static void test_schema_version(void **state)
{
    fx *f = *state;
    assert_true(wms_db_schema_version(f->db) >= 1);
    /* Reopening a current database applies nothing and keeps the version. */
    wms_db *again;
    assert_int_equal(wms_db_open(f->path, 0, &again, &f->err), 0);
    assert_int_equal(wms_db_schema_version(again), wms_db_schema_version(f->db));
    wms_db_close(again);
}

static void test_open_rejects_non_database(void **state)
{
    fx *f = *state;
    char path[700];
    th_write_file(f->dir, "junk.db", "this is not a database, just text padding it out....\n", path,
                  sizeof(path));
    wms_db *db = NULL;
    int rc = wms_db_open(path, 0, &db, &f->err);
    assert_int_equal(rc, WMS_ESTORAGE);
    assert_null(db);
    assert_non_null(strstr(f->err.msg, "unusable"));
}

static void test_item_put_idempotent_and_conflict(void **state)
{
    fx *f = *state;
    wms_item it;
    assert_int_equal(wms_item_get(f->db, "A", &it, &f->err), 0);
    assert_string_equal(it.description, "Apple juice 1l");
    assert_int_equal(it.shelf_life_days, 365);
    assert_int_equal(wms_item_put(f->db, &it, 0, &f->err), WMS_PUT_UNCHANGED);
    snprintf(it.description, sizeof(it.description), "Apple juice 1.5l");
    assert_int_equal(wms_item_put(f->db, &it, 0, &f->err), WMS_ECONFLICT);
    wms_item again;
    assert_int_equal(wms_item_get(f->db, "A", &again, &f->err), 0);
    assert_string_equal(again.description, "Apple juice 1l"); /* not overwritten */
    assert_int_equal(wms_item_put(f->db, &it, 1, &f->err), WMS_PUT_UPDATED);
    assert_int_equal(wms_item_get(f->db, "A", &again, &f->err), 0);
    assert_string_equal(again.description, "Apple juice 1.5l");
    assert_int_equal(wms_item_get(f->db, "NOPE", &again, &f->err), WMS_ENOT_FOUND);
    snprintf(it.sku, sizeof(it.sku), "has space");
    assert_int_equal(wms_item_put(f->db, &it, 0, &f->err), WMS_EBAD_ARGS);
}

static void test_pack_rules(void **state)
{
    fx *f = *state;
    assert_int_equal(wms_pack_put(f->db, "A", "case", 24, 0, &f->err), WMS_PUT_UNCHANGED);
    assert_int_equal(wms_pack_put(f->db, "A", "case", 12, 0, &f->err), WMS_ECONFLICT);
    assert_int_equal(wms_pack_put(f->db, "A", "each", 2, 0, &f->err), WMS_EBAD_QTY);
    assert_int_equal(wms_pack_put(f->db, "A", "crate", 2, 0, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_pack_put(f->db, "A", "pallet", 0, 0, &f->err), WMS_EBAD_QTY);
    assert_int_equal(wms_pack_put(f->db, "A", "pallet", -5, 0, &f->err), WMS_EBAD_QTY);
    assert_int_equal(wms_pack_put(f->db, "A", "pallet", 960, 0, &f->err), WMS_PUT_INSERTED);
}

static void test_barcode_check_digit_refused(void **state)
{
    fx *f = *state;
    assert_int_equal(wms_barcode_put(f->db, "4006381333932", "B", "each", 0, &f->err),
                     WMS_EBAD_CHECK_DIGIT);
    assert_non_null(strstr(f->err.msg, "should be 1"));
    /* A bad check digit is an error on resolve too, never a lookup. */
    wms_resolution r;
    assert_int_equal(wms_code_resolve(f->db, "4006381333932", 0, &r, &f->err),
                     WMS_EBAD_CHECK_DIGIT);
}

static void test_resolve_unit_and_case(void **state)
{
    fx *f = *state;
    wms_resolution r;
    assert_int_equal(wms_code_resolve(f->db, "4006381333931", 0, &r, &f->err), 0);
    assert_int_equal(r.kind, WMS_CODE_ITEM);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.m[0].sku, "A");
    assert_string_equal(r.m[0].level, "each");
    assert_int_equal(r.qty, 1);
    /* Same GTIN scanned as GTIN-14 with indicator 0. */
    assert_int_equal(wms_code_resolve(f->db, "04006381333931", 0, &r, &f->err), 0);
    assert_string_equal(r.m[0].sku, "A");
    /* The case code books its pack quantity. */
    assert_int_equal(wms_code_resolve(f->db, "14006381333938", 0, &r, &f->err), 0);
    assert_string_equal(r.m[0].level, "case");
    assert_int_equal(r.qty, 24);
    /* GS1-128 carrying the case GTIN, lot and expiry. */
    assert_int_equal(wms_code_resolve(f->db, "]C101140063813339381727063010LOT-7", 0, &r, &f->err),
                     0);
    assert_int_equal(r.qty, 24);
    assert_string_equal(r.lot, "LOT-7");
    assert_string_equal(r.expiry, "2027-06-30");
    /* (02) content GTIN + (37) count: 5 units of A. */
    assert_int_equal(wms_code_resolve(f->db, "(02)04006381333931(37)5", 0, &r, &f->err), 0);
    assert_string_equal(r.m[0].sku, "A");
    assert_int_equal(r.qty, 5);
    /* Bins resolve as bins. */
    assert_int_equal(wms_code_resolve(f->db, "P1", 0, &r, &f->err), 0);
    assert_int_equal(r.kind, WMS_CODE_BIN);
    assert_string_equal(r.bin, "P1");
}

static void test_resolve_unknown(void **state)
{
    fx *f = *state;
    wms_resolution r;
    /* 9501101530003 is valid (check 3) but not in the catalog. */
    assert_int_equal(wms_code_resolve(f->db, "9501101530003", 0, &r, &f->err), WMS_EUNKNOWN_CODE);
    assert_non_null(strstr(f->err.msg, "09501101530003"));
    assert_int_equal(wms_code_resolve(f->db, "NO-SUCH-CODE", 0, &r, &f->err), WMS_EUNKNOWN_CODE);
    assert_int_equal(wms_code_resolve(f->db, "", 0, &r, &f->err), WMS_EBAD_ARGS);
}

static void test_ambiguous_code(void **state)
{
    fx *f = *state;
    wms_resolution r;
    assert_int_equal(wms_code_resolve(f->db, "CAN-42", 0, &r, &f->err), 0);
    assert_int_equal(r.kind, WMS_CODE_ITEM);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.m[0].sku, "C");
    assert_string_equal(r.m[1].sku, "D");
    assert_int_equal(wms_resolution_pick(&r, NULL, &f->err), WMS_EAMBIGUOUS_CODE);
    assert_non_null(strstr(f->err.msg, "C, D"));
    assert_int_equal(wms_resolution_pick(&r, "D", &f->err), 1);
    assert_int_equal(wms_resolution_pick(&r, "A", &f->err), WMS_EBAD_ARGS);
    /* Adding a third item to the code says so. */
    assert_int_equal(wms_barcode_put(f->db, "CAN-42", "B", "each", 0, &f->err), WMS_PUT_AMBIGUOUS);
    /* Re-adding an existing mapping changes nothing. */
    assert_int_equal(wms_barcode_put(f->db, "CAN-42", "C", "each", 0, &f->err), WMS_PUT_UNCHANGED);
    /* Changing its level is a conflict unless updating; C has no case level. */
    assert_int_equal(wms_barcode_put(f->db, "CAN-42", "C", "case", 0, &f->err), WMS_ECONFLICT);
    assert_int_equal(wms_barcode_put(f->db, "CAN-42", "C", "case", 1, &f->err), WMS_ENOT_FOUND);
}

static void test_internal_codes_unique(void **state)
{
    fx *f = *state;
    /* Occupy the first internal number with an imported code: it is skipped. */
    char first[14];
    assert_int_equal(wms_gs1_rcn_make("20", 1, first), 0);
    assert_int_equal(wms_barcode_put(f->db, first, "C", "each", 0, &f->err), WMS_PUT_INSERTED);
    char code[14], again[14];
    assert_int_equal(wms_item_internal_code(f->db, "B", code, &f->err), WMS_PUT_INSERTED);
    assert_int_equal(strlen(code), 13);
    assert_true(code[0] == '2' && code[1] == '0');
    assert_true(wms_gs1_check_valid(code, 13));
    assert_string_not_equal(code, first);
    assert_int_equal(wms_item_internal_code(f->db, "B", again, &f->err), WMS_PUT_UNCHANGED);
    assert_string_equal(code, again);
    /* The internal code resolves to its item. */
    wms_resolution r;
    assert_int_equal(wms_code_resolve(f->db, code, 0, &r, &f->err), 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.m[0].sku, "B");
    /* Many items: all codes distinct and valid. */
    char seen[60][14];
    for (int i = 0; i < 60; i++) {
        wms_item it;
        memset(&it, 0, sizeof(it));
        snprintf(it.sku, sizeof(it.sku), "N%02d", i);
        it.shelf_life_days = -1;
        assert_int_equal(wms_item_put(f->db, &it, 0, &f->err), WMS_PUT_INSERTED);
        assert_int_equal(wms_item_internal_code(f->db, it.sku, seen[i], &f->err), WMS_PUT_INSERTED);
        assert_true(wms_gs1_check_valid(seen[i], 13));
        assert_string_not_equal(seen[i], code);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(seen[i], seen[j]);
    }
    /* An item with its own code labels with that; B with its internal one. */
    char lbl[64];
    assert_int_equal(wms_item_label_code(f->db, "A", lbl, sizeof(lbl), &f->err), 0);
    assert_string_equal(lbl, "04006381333931");
    assert_int_equal(wms_item_label_code(f->db, "B", lbl, sizeof(lbl), &f->err), 1);
    assert_string_equal(lbl + 1, code);
}

static void test_layout_and_bins(void **state)
{
    fx *f = *state;
    wms_bin b;
    assert_int_equal(wms_bin_get(f->db, "P1", &b, &f->err), 0);
    assert_string_equal(b.aisle, "A1");
    assert_int_equal(b.capacity, 100);
    memset(&b, 0, sizeof(b));
    snprintf(b.code, sizeof(b.code), "Z9");
    snprintf(b.zone, sizeof(b.zone), "Z1");
    snprintf(b.type, sizeof(b.type), "pick");
    snprintf(b.aisle, sizeof(b.aisle), "A9");
    b.y_m = 3;
    assert_int_equal(wms_bin_put(f->db, &b, 0, &f->err), WMS_ENOT_FOUND); /* no aisle A9 */
    snprintf(b.aisle, sizeof(b.aisle), "A1");
    b.y_m = 20; /* at the back cross aisle: not inside */
    assert_int_equal(wms_bin_put(f->db, &b, 0, &f->err), WMS_EBAD_ARGS);
    b.y_m = 3;
    snprintf(b.type, sizeof(b.type), "shelf");
    assert_int_equal(wms_bin_put(f->db, &b, 0, &f->err), WMS_EBAD_ARGS);
    snprintf(b.type, sizeof(b.type), "reserve");
    assert_int_equal(wms_bin_put(f->db, &b, 0, &f->err), WMS_PUT_INSERTED);
    assert_int_equal(wms_layout_put(f->db, "depot", "D2", 3, NAN, NAN, 0, &f->err),
                     WMS_ECONFLICT); /* one depot */
    assert_int_equal(wms_layout_put(f->db, "aisle", "A3", 10, NAN, -1, 0, &f->err), WMS_EBAD_ARGS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_version, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_open_rejects_non_database, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_item_put_idempotent_and_conflict, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_pack_rules, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_barcode_check_digit_refused, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_resolve_unit_and_case, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_resolve_unknown, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_ambiguous_code, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_internal_codes_unique, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_layout_and_bins, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
