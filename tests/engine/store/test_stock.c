/* test_stock.c - receiving, moves, lot/expiry states, the journal and verify. */
#include "fixture.h"

static const wms_actor who = {"alice", "RF-01", NULL};

static long long journal_rows(fx *f)
{
    return fx_sql_int(f, "SELECT count(*) FROM journal");
}

static int receive(fx *f, const char *bin, const char *code, const char *sku, int64_t mult,
                   const char *lot, const char *expiry, wms_booking *b)
{
    wms_receive_req req = {
        .bin = bin, .code = code, .sku = sku, .mult = mult, .lot = lot, .expiry = expiry};
    wms_error_clear(&f->err);
    return wms_stock_receive(f->db, &who, &req, b, &f->err);
}

static void test_receive_unit_and_case(void **state)
{
    fx *f = *state;
    wms_booking b;
    assert_int_equal(receive(f, "P2", "4006381333931", NULL, 0, NULL, NULL, &b), 0);
    assert_int_equal(b.qty, 1);
    assert_string_equal(b.level, "each");
    assert_int_equal(receive(f, "P2", "14006381333938", NULL, 3, NULL, NULL, &b), 0);
    assert_int_equal(b.qty, 72); /* 3 cases x 24 */
    assert_string_equal(b.level, "case");
    assert_int_equal(fx_qty(f, "P2", "A"), 73);
    /* The journal names who and what. */
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal WHERE user='alice' AND "
                                   "device='RF-01' AND kind='receive'"),
                     2);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
}

static void test_receive_gs1_lot_expiry(void **state)
{
    fx *f = *state;
    wms_booking b;
    assert_int_equal(
        receive(f, "P2", "]C101140063813339381727063010LOT-7", NULL, 0, NULL, NULL, &b), 0);
    assert_int_equal(b.qty, 24);
    assert_string_equal(b.lot, "LOT-7");
    assert_string_equal(b.expiry, "2027-06-30");
    assert_string_equal(b.status, "available");
    /* An entered lot that contradicts the code is refused. */
    assert_int_equal(
        receive(f, "P2", "]C101140063813339381727063010LOT-7", NULL, 0, "LOT-8", NULL, &b),
        WMS_EBAD_ARGS);
    /* Entered lot and expiry for a plain code. */
    assert_int_equal(receive(f, "P2", "4006381333931", NULL, 2, "L2", "2027-01-31", &b), 0);
    assert_string_equal(b.lot, "L2");
    assert_int_equal(receive(f, "P2", "4006381333931", NULL, 1, "L2", "2027-02-30", &b),
                     WMS_EBAD_ARGS);
    assert_int_equal(receive(f, "P2", "4006381333931", NULL, 1, "has space", NULL, &b),
                     WMS_EBAD_ARGS);
}

static void test_expired_refused_unless_quarantine(void **state)
{
    fx *f = *state;
    wms_booking b;
    long long before = journal_rows(f);
    /* Expired yesterday (today is fixed at 2026-11-23). */
    assert_int_equal(
        receive(f, "P2", "(01)14006381333938(17)261122(10)OLD", NULL, 0, NULL, NULL, &b),
        WMS_EEXPIRED_LOT);
    assert_non_null(strstr(f->err.msg, "2026-11-22"));
    /* Expiring today counts as expired. */
    assert_int_equal(
        receive(f, "P2", "(01)14006381333938(17)261123(10)OLD", NULL, 0, NULL, NULL, &b),
        WMS_EEXPIRED_LOT);
    assert_int_equal(journal_rows(f), before);
    wms_receive_req req = {
        .bin = "Q1", .code = "(01)14006381333938(17)261122(10)OLD", .quarantine = 1};
    assert_int_equal(wms_stock_receive(f->db, &who, &req, &b, &f->err), 0);
    assert_string_equal(b.status, "quarantine");
    /* Tomorrow is fine. */
    assert_int_equal(
        receive(f, "P2", "(01)14006381333938(17)261124(10)NEW", NULL, 0, NULL, NULL, &b), 0);
}

typedef struct {
    int n;
    wms_stock_row rows[16];
} rows_t;

static int collect(void *ctx, const wms_stock_row *r)
{
    rows_t *rs = ctx;
    if (rs->n < 16)
        rs->rows[rs->n++] = *r;
    return 0;
}

static void test_stock_becomes_expired(void **state)
{
    fx *f = *state;
    wms_booking b;
    assert_int_equal(receive(f, "P2", "4006381333931", NULL, 5, "L1", "2026-11-25", &b), 0);
    rows_t rs = {0};
    assert_int_equal(wms_stock_list(f->db, "P2", NULL, collect, &rs, &f->err), 1);
    assert_string_equal(rs.rows[0].status, "available");
    /* Two days later the same quant counts as expired. */
    assert_int_equal(wms_db_set_today(f->db, "2026-11-25"), 0);
    rs.n = 0;
    assert_int_equal(wms_stock_list(f->db, "P2", NULL, collect, &rs, &f->err), 1);
    assert_string_equal(rs.rows[0].status, "expired");
    assert_int_equal(rs.rows[0].qty, 5);
}

static void test_ambiguous_receive(void **state)
{
    fx *f = *state;
    wms_booking b;
    long long before = journal_rows(f);
    assert_int_equal(receive(f, "P2", "CAN-42", NULL, 1, NULL, NULL, &b), WMS_EAMBIGUOUS_CODE);
    assert_int_equal(journal_rows(f), before);
    assert_int_equal(receive(f, "P2", "CAN-42", "D", 4, NULL, NULL, &b), 0);
    assert_string_equal(b.sku, "D");
    assert_int_equal(fx_qty(f, "P2", "D"), 4);
    assert_int_equal(fx_qty(f, "P2", "C"), 0);
}

static void test_bin_rules(void **state)
{
    fx *f = *state;
    wms_booking b;
    assert_int_equal(receive(f, "X1", "4006381333931", NULL, 1, NULL, NULL, &b), WMS_EBIN_BLOCKED);
    assert_int_equal(receive(f, "NOPE", "4006381333931", NULL, 1, NULL, NULL, &b), WMS_ENOT_FOUND);
    /* P1 holds at most 100 units: 4 cases = 96 fit, a 5th does not. */
    assert_int_equal(receive(f, "P1", "14006381333938", NULL, 4, NULL, NULL, &b), 0);
    assert_int_equal(receive(f, "P1", "14006381333938", NULL, 1, NULL, NULL, &b), WMS_EBIN_FULL);
    assert_int_equal(fx_qty(f, "P1", "A"), 96);
}

static void test_bad_quantities(void **state)
{
    fx *f = *state;
    wms_booking b;
    assert_int_equal(receive(f, "P2", "4006381333931", NULL, -1, NULL, NULL, &b), WMS_EBAD_QTY);
    assert_int_equal(receive(f, "P2", "14006381333938", NULL, WMS_QTY_MAX, NULL, NULL, &b),
                     WMS_EBAD_QTY); /* 24 x 10^9 overflows a booking */
    wms_move_req mv = {.from = "P2", .to = "R1", .sku = "A", .qty = 0};
    assert_int_equal(wms_stock_move(f->db, &who, &mv, &b, &f->err), WMS_EBAD_QTY);
    mv.qty = -3;
    assert_int_equal(wms_stock_move(f->db, &who, &mv, &b, &f->err), WMS_EBAD_QTY);
    assert_int_equal(journal_rows(f), 0);
}

static void test_move_fefo_and_never_negative(void **state)
{
    fx *f = *state;
    wms_booking b;
    assert_int_equal(receive(f, "R1", "4006381333931", NULL, 10, "LATE", "2027-05-01", &b), 0);
    assert_int_equal(receive(f, "R1", "4006381333931", NULL, 10, "EARLY", "2027-01-01", &b), 0);
    assert_int_equal(receive(f, "R1", "4006381333931", NULL, 10, "MID", "2027-03-01", &b), 0);
    /* 15 units: all of EARLY, then 5 of MID. */
    wms_move_req mv = {.from = "R1", .to = "P2", .sku = "A", .qty = 15, .reason = "replenish"};
    assert_int_equal(wms_stock_move(f->db, &who, &mv, &b, &f->err), 0);
    rows_t rs = {0};
    assert_int_equal(wms_stock_list(f->db, "P2", "A", collect, &rs, &f->err), 2);
    assert_string_equal(rs.rows[0].lot, "EARLY");
    assert_int_equal(rs.rows[0].qty, 10);
    assert_string_equal(rs.rows[1].lot, "MID");
    assert_int_equal(rs.rows[1].qty, 5);
    /* More than there is: refused, nothing moved. */
    long long before = journal_rows(f);
    mv.qty = 16;
    assert_int_equal(wms_stock_move(f->db, &who, &mv, &b, &f->err), WMS_EINSUFFICIENT_STOCK);
    assert_int_equal(journal_rows(f), before);
    assert_int_equal(fx_qty(f, "R1", "A"), 15);
    /* A named lot. */
    mv.qty = 5;
    mv.lot = "LATE";
    assert_int_equal(wms_stock_move(f->db, &who, &mv, &b, &f->err), 0);
    assert_string_equal(b.lot, "LATE");
    /* Status change in place: hold. */
    wms_move_req hold = {.from = "R1", .to = "R1", .sku = "A", .qty = 5, .to_status = "hold"};
    assert_int_equal(wms_stock_move(f->db, &who, &hold, &b, &f->err), 0);
    assert_int_equal(fx_sql_int(f, "SELECT sum(qty) FROM stock WHERE status='hold'"), 5);
    /* Into a blocked bin: refused. */
    wms_move_req blk = {.from = "R1", .to = "X1", .sku = "A", .qty = 1};
    assert_int_equal(wms_stock_move(f->db, &who, &blk, &b, &f->err), WMS_EBIN_BLOCKED);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM stock WHERE qty < 0"), 0);
}

typedef struct {
    int n;
    wms_verify_diff d;
} diffs_t;

static int collect_diff(void *ctx, const wms_verify_diff *d)
{
    diffs_t *ds = ctx;
    ds->d = *d;
    ds->n++;
    return 0;
}

static void test_verify_detects_tampering(void **state)
{
    fx *f = *state;
    wms_booking b;
    assert_int_equal(receive(f, "P2", "4006381333931", NULL, 7, "L1", "2027-01-01", &b), 0);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
    /* Someone edits the stock table behind the engine's back. */
    sqlite3 *s;
    assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "UPDATE stock SET qty = qty + 2", NULL, NULL, NULL),
                     SQLITE_OK);
    /* The journal itself cannot be edited. */
    assert_int_not_equal(sqlite3_exec(s, "UPDATE journal SET qty = 1", NULL, NULL, NULL),
                         SQLITE_OK);
    assert_int_not_equal(sqlite3_exec(s, "DELETE FROM journal", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    diffs_t ds = {0};
    assert_int_equal(wms_stock_verify(f->db, collect_diff, &ds, &f->err), 1);
    assert_int_equal(ds.n, 1);
    assert_string_equal(ds.d.bin, "P2");
    assert_string_equal(ds.d.sku, "A");
    assert_int_equal(ds.d.journal_qty, 7);
    assert_int_equal(ds.d.stock_qty, 9);
}

static void test_group_of_calls_partial_failure(void **state)
{
    fx *f = *state;
    wms_booking b;
    /* In one explicit transaction a failing call undoes only itself. */
    assert_int_equal(wms_tx_begin(f->db, &f->err), 0);
    assert_int_equal(receive(f, "P2", "4006381333931", NULL, 2, NULL, NULL, &b), 0);
    assert_int_equal(receive(f, "P1", "14006381333938", NULL, 5, NULL, NULL, &b), WMS_EBIN_FULL);
    assert_int_equal(receive(f, "R1", "4006381333931", NULL, 3, NULL, NULL, &b), 0);
    assert_int_equal(wms_tx_commit(f->db, &f->err), 0);
    assert_int_equal(fx_qty(f, "P2", "A"), 2);
    assert_int_equal(fx_qty(f, "P1", "A"), 0);
    assert_int_equal(fx_qty(f, "R1", "A"), 3);
    assert_int_equal(journal_rows(f), 2);
    /* A rolled-back group leaves nothing. */
    assert_int_equal(wms_tx_begin(f->db, &f->err), 0);
    assert_int_equal(receive(f, "P2", "4006381333931", NULL, 2, NULL, NULL, &b), 0);
    wms_tx_rollback(f->db);
    assert_int_equal(fx_qty(f, "P2", "A"), 2);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
}

typedef struct {
    int n;
    wms_expiring_row r[8];
    int nl;
    wms_leftover_row l[8];
} exp_t;

static int collect_exp(void *ctx, const wms_expiring_row *r)
{
    exp_t *e = ctx;
    if (e->n < 8)
        e->r[e->n++] = *r;
    return 0;
}

static int collect_left(void *ctx, const wms_leftover_row *r)
{
    exp_t *e = ctx;
    if (e->nl < 8)
        e->l[e->nl++] = *r;
    return 0;
}

static void test_expiring_and_left_behind(void **state)
{
    fx *f = *state;
    wms_booking b;
    /* An old lot left in P2, then a small new lot and a lot of other stock. */
    assert_int_equal(receive(f, "P2", "4006381333931", NULL, 30, "OLD", "2026-12-01", &b), 0);
    assert_int_equal(receive(f, "R1", "4006381333931", NULL, 10, "NEW", "2027-06-01", &b), 0);
    assert_int_equal(receive(f, "R1", "4006381333931", NULL, 5, NULL, "2026-11-20", &b),
                     WMS_EEXPIRED_LOT);
    exp_t e = {0};
    assert_int_equal(wms_stock_expiring(f->db, 10, collect_exp, &e, &f->err), 1);
    assert_string_equal(e.r[0].s.lot, "OLD");
    assert_int_equal(e.r[0].days_left, 8);
    e.n = 0;
    assert_int_equal(wms_stock_expiring(f->db, 365, collect_exp, &e, &f->err), 2);
    /* On hand 40 > 2 x 10 (last lot NEW) while OLD is still on hand. */
    assert_int_equal(wms_stock_leftovers(f->db, collect_left, &e, &f->err), 1);
    assert_string_equal(e.l[0].sku, "A");
    assert_int_equal(e.l[0].on_hand, 40);
    assert_string_equal(e.l[0].last_lot, "NEW");
    assert_int_equal(e.l[0].last_lot_qty, 10);
    assert_string_equal(e.l[0].old_lot, "OLD");
    assert_string_equal(e.l[0].old_bin, "P2");
    /* A bigger new lot: no longer suspicious. */
    assert_int_equal(receive(f, "R1", "4006381333931", NULL, 30, "NEW", "2027-06-01", &b), 0);
    e.nl = 0;
    assert_int_equal(wms_stock_leftovers(f->db, collect_left, &e, &f->err), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_receive_unit_and_case),
        T(test_receive_gs1_lot_expiry),
        T(test_expired_refused_unless_quarantine),
        T(test_stock_becomes_expired),
        T(test_ambiguous_receive),
        T(test_bin_rules),
        T(test_bad_quantities),
        T(test_move_fefo_and_never_negative),
        T(test_verify_detects_tampering),
        T(test_group_of_calls_partial_failure),
        T(test_expiring_and_left_behind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
