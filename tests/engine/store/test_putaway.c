/* test_putaway.c - putaway suggestions (rules, capacity, zones) and confirmations. */
#include "fixture.h"
#include "store/ops.h"

static const wms_actor who = {"rita", "RF-02", NULL};

/* The fixture plus a dock, a staging bin and a second zone Z2. */
static int pa_setup(void **state)
{
    fx_setup(state);
    fx *f = *state;
    assert_int_equal(fx_import(f, "bins",
                               "code,zone,type,aisle,y_m,capacity,blocked\n"
                               "DOCK1,IN,dock,A1,1,0,0\n"
                               "STG1,Z1,staging,A1,1.5,0,0\n"
                               "P3,Z2,pick,A2,3,0,0\n"
                               "R2,Z2,reserve,A2,6,0,0\n",
                               0),
                     0);
    return 0;
}

/* Receives `mult` units of A (unit EAN) with lot/expiry into bin. */
static void recv_a(fx *f, const char *bin, int64_t mult, const char *lot, const char *expiry)
{
    wms_receive_req req = {
        .bin = bin, .code = "4006381333931", .mult = mult, .lot = lot, .expiry = expiry};
    wms_booking b;
    assert_int_equal(wms_stock_receive(f->db, &who, &req, &b, &f->err), 0);
}

static void put(fx *f, const char *bin, const char *sku, const char *lot, const char *expiry,
                int64_t qty)
{
    assert_int_equal(
        wms_stock_import(f->db, &who, bin, sku, lot, expiry, qty, "available", 0, &f->err),
        WMS_PUT_INSERTED);
}

static long long journal_rows(fx *f)
{
    return fx_sql_int(f, "SELECT count(*) FROM journal");
}

static void test_suggest_empty_bin_any_zone(void **state)
{
    fx *f = *state;
    wms_putaway_suggestion s;
    /* B lies nowhere: the empty pick bin nearest the front of any zone. */
    assert_int_equal(wms_putaway_suggest(f->db, "B", NULL, NULL, 10, &s, &f->err), 0);
    assert_string_equal(s.bin, "P1");
    assert_string_equal(s.type, "pick");
    assert_int_equal(s.room, 100);
    assert_non_null(strstr(s.reason, "empty bin"));
    /* 150 units do not fit P1 (capacity 100): next nearest, P3 (y 3). */
    assert_int_equal(wms_putaway_suggest(f->db, "B", NULL, NULL, 150, &s, &f->err), 0);
    assert_string_equal(s.bin, "P3");
    assert_int_equal(s.room, -1);
    /* Stock on the dock does not give the item a zone. */
    put(f, "DOCK1", "B", "", "", 10);
    assert_int_equal(wms_putaway_suggest(f->db, "B", NULL, NULL, 10, &s, &f->err), 0);
    assert_string_equal(s.bin, "P1");
}

static void test_suggest_same_lot_pick_face_first(void **state)
{
    fx *f = *state;
    wms_putaway_suggestion s;
    recv_a(f, "P2", 10, "L1", "2027-06-30");
    /* Same item and lot: P2, although the empty P1 is nearer. */
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L1", NULL, 5, &s, &f->err), 0);
    assert_string_equal(s.bin, "P2");
    assert_string_equal(s.reason, "same item and lot in pick face");
    /* The same lot with the expiry it has; another expiry is another quant. */
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L1", "2027-06-30", 5, &s, &f->err), 0);
    assert_string_equal(s.bin, "P2");
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L1", "2027-07-31", 5, &s, &f->err), 0);
    assert_string_equal(s.bin, "P1");
    /* Another lot: an empty bin in the item's zone (Z1), pick first. */
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L2", NULL, 5, &s, &f->err), 0);
    assert_string_equal(s.bin, "P1");
    assert_string_equal(s.reason, "empty bin in zone Z1");
    /* Stock of the lot in a reserve bin is not a pick face. */
    recv_a(f, "R1", 5, "L3", "");
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L3", NULL, 5, &s, &f->err), 0);
    assert_string_equal(s.bin, "P1");
}

static void test_suggest_capacity(void **state)
{
    fx *f = *state;
    wms_putaway_suggestion s;
    recv_a(f, "P1", 95, "L1", "");
    /* P1 holds 95 of 100: room for 5, not for 10. */
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L1", NULL, 5, &s, &f->err), 0);
    assert_string_equal(s.bin, "P1");
    assert_int_equal(s.room, 5);
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L1", NULL, 10, &s, &f->err), 0);
    assert_string_equal(s.bin, "P2");
    assert_string_equal(s.reason, "empty bin in zone Z1");
    /* Other goods count against the capacity too. */
    put(f, "P1", "C", "", "", 5);
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L1", NULL, 1, &s, &f->err), 0);
    assert_string_equal(s.bin, "P2");
}

static void test_suggest_never_blocked_or_quarantine(void **state)
{
    fx *f = *state;
    wms_putaway_suggestion s;
    /* The lot lies only in blocked X1 and quarantine Q1 (imports ignore
     * blocks): neither is suggested; X1 (pick, Z1) still gives the zone. */
    put(f, "X1", "A", "L1", "", 3);
    put(f, "Q1", "A", "L1", "", 3);
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L1", NULL, 1, &s, &f->err), 0);
    assert_string_equal(s.bin, "P1");
    assert_string_equal(s.reason, "empty bin in zone Z1");
}

static void test_suggest_item_zone(void **state)
{
    fx *f = *state;
    wms_putaway_suggestion s;
    /* A lies in reserve R2 of zone Z2 only: an empty Z2 pick bin. */
    put(f, "R2", "A", "L1", "", 10);
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L9", NULL, 10, &s, &f->err), 0);
    assert_string_equal(s.bin, "P3");
    assert_string_equal(s.zone, "Z2");
    assert_string_equal(s.reason, "empty bin in zone Z2");
    /* Once it lies in a Z1 pick face too, the pick face's zone wins. */
    put(f, "P2", "A", "L2", "", 1);
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L9", NULL, 10, &s, &f->err), 0);
    assert_string_equal(s.bin, "P1");
    /* Z1 without empty pick bins: its empty reserve bin. */
    put(f, "P1", "C", "", "", 1);
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L9", NULL, 10, &s, &f->err), 0);
    assert_string_equal(s.bin, "R1");
    assert_string_equal(s.type, "reserve");
}

static void test_suggest_nothing_found(void **state)
{
    fx *f = *state;
    wms_putaway_suggestion s;
    /* Every usable bin holds something; Q1, X1, DOCK1 and STG1 never count. */
    put(f, "P1", "C", "", "", 1);
    put(f, "P2", "C", "", "", 1);
    put(f, "P3", "C", "", "", 1);
    put(f, "R1", "C", "", "", 1);
    put(f, "R2", "C", "", "", 1);
    assert_int_equal(wms_putaway_suggest(f->db, "B", NULL, NULL, 10, &s, &f->err), WMS_ENOT_FOUND);
    assert_string_equal(f->err.msg, "no bin with room for 10 units of B");
    /* Bad input. */
    assert_int_equal(wms_putaway_suggest(f->db, "B", NULL, NULL, 0, &s, &f->err), WMS_EBAD_QTY);
    assert_int_equal(wms_putaway_suggest(f->db, "NOPE", NULL, NULL, 1, &s, &f->err),
                     WMS_ENOT_FOUND);
    assert_int_equal(wms_putaway_suggest(f->db, "A", "a lot", NULL, 1, &s, &f->err), WMS_EBAD_ARGS);
}

static void test_confirm_as_suggested_and_elsewhere(void **state)
{
    fx *f = *state;
    wms_putaway_suggestion s;
    wms_booking b;
    recv_a(f, "DOCK1", 48, "L1", "2027-06-30");
    assert_int_equal(wms_putaway_suggest(f->db, "A", "L1", NULL, 24, &s, &f->err), 0);
    assert_string_equal(s.bin, "P1");
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "P1", s.bin, "A", "L1", 24, &b, &f->err), 0);
    assert_string_equal(b.bin, "P1");
    assert_string_equal(b.lot, "L1");
    assert_string_equal(b.expiry, "2027-06-30");
    assert_int_equal(b.qty, 24);
    assert_int_equal(fx_qty(f, "DOCK1", "A"), 24);
    assert_int_equal(fx_qty(f, "P1", "A"), 24);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal j JOIN bins fb ON "
                                   "fb.id=j.from_bin_id JOIN bins tb ON tb.id=j.to_bin_id WHERE "
                                   "kind='putaway' AND fb.code='DOCK1' AND tb.code='P1' AND "
                                   "qty=24 AND user='rita' AND reason='putaway as suggested'"),
                     1);
    assert_int_equal(fx_sql_int(f, "SELECT max(id) FROM journal"), b.journal_id);
    /* The worker scans P2 instead of the suggested P1: allowed, recorded. */
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "P2", "P1", "A", NULL, 24, &b, &f->err), 0);
    assert_int_equal(fx_qty(f, "DOCK1", "A"), 0);
    assert_int_equal(fx_qty(f, "P2", "A"), 24);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal WHERE kind='putaway' AND "
                                   "reason='putaway to P2 instead of suggested P1'"),
                     1);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
}

static void test_confirm_fefo(void **state)
{
    fx *f = *state;
    wms_booking b;
    recv_a(f, "DOCK1", 10, "LATE", "2027-06-30");
    recv_a(f, "DOCK1", 10, "EARLY", "2027-01-31");
    /* No lot named: earliest expiry first, then the next lot. */
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "R1", NULL, "A", NULL, 15, &b, &f->err), 0);
    assert_string_equal(b.lot, ""); /* two quants */
    assert_int_equal(fx_sql_int(f, "SELECT qty FROM stock s JOIN bins b ON b.id=s.bin_id "
                                   "WHERE b.code='R1' AND lot='EARLY'"),
                     10);
    assert_int_equal(fx_sql_int(f, "SELECT qty FROM stock s JOIN bins b ON b.id=s.bin_id "
                                   "WHERE b.code='R1' AND lot='LATE'"),
                     5);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal WHERE kind='putaway' AND "
                                   "reason='putaway'"),
                     2);
    /* An expired quant is never put away. */
    recv_a(f, "DOCK1", 4, "OLD", "2026-12-01");
    assert_int_equal(wms_db_set_today(f->db, "2026-12-05"), 0);
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "R1", NULL, "A", "OLD", 4, &b, &f->err),
        WMS_EEXPIRED_LOT);
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "R1", NULL, "A", NULL, 5, &b, &f->err), 0);
    assert_int_equal(fx_qty(f, "DOCK1", "A"), 4);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
}

static void test_confirm_errors(void **state)
{
    fx *f = *state;
    wms_booking b;
    recv_a(f, "DOCK1", 120, "L1", "");
    long long before = journal_rows(f);
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "NOPE", "P1", "A", NULL, 1, &b, &f->err),
        WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "NOPE"));
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "NODOCK", "P1", "P1", "A", NULL, 1, &b, &f->err),
        WMS_ENOT_FOUND);
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "X1", "P1", "A", NULL, 1, &b, &f->err),
        WMS_EBIN_BLOCKED);
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "Q1", "P1", "A", NULL, 1, &b, &f->err),
        WMS_EBAD_ARGS);
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "DOCK1", "P1", "A", NULL, 1, &b, &f->err),
        WMS_EBAD_ARGS);
    /* P1 takes 100 units: 101 overflow it. */
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "P1", "P1", "A", NULL, 101, &b, &f->err),
        WMS_EBIN_FULL);
    assert_non_null(strstr(f->err.msg, "room for 100"));
    /* More than the dock holds. */
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "P2", "P2", "A", NULL, 121, &b, &f->err),
        WMS_EINSUFFICIENT_STOCK);
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "P2", "P2", "A", "L2", 1, &b, &f->err),
        WMS_EINSUFFICIENT_STOCK);
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "P2", "P2", "A", NULL, 0, &b, &f->err),
        WMS_EBAD_QTY);
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "P2", "P2", "NOPE", NULL, 1, &b, &f->err),
        WMS_ENOT_FOUND);
    assert_int_equal(journal_rows(f), before);
    assert_int_equal(fx_qty(f, "DOCK1", "A"), 120);
    /* Exactly the capacity fits. */
    assert_int_equal(
        wms_putaway_confirm(f->db, &who, "DOCK1", "P1", "P1", "A", NULL, 100, &b, &f->err), 0);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, pa_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_suggest_empty_bin_any_zone),
        T(test_suggest_same_lot_pick_face_first),
        T(test_suggest_capacity),
        T(test_suggest_never_blocked_or_quarantine),
        T(test_suggest_item_zone),
        T(test_suggest_nothing_found),
        T(test_confirm_as_suggested_and_elsewhere),
        T(test_confirm_fefo),
        T(test_confirm_errors),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
