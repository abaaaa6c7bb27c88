/* test_count.c - blind cycle counts: tasks, reconciliation with picking, approvals. */
#include "fixture.h"
#include "store/ops.h"

static const wms_actor alice = {"alice", "RF-01", NULL};
static const wms_actor bob = {"bob", "RF-02", NULL};
static const wms_actor sup = {"sue", "PC-1", NULL};

/* The fixture with P2 holding A lot L1 (20 units, expiry 2027-06-30) and
 * B without a lot (10 units). */
static int cnt_setup(void **state)
{
    fx_setup(state);
    fx *f = *state;
    assert_int_equal(
        wms_stock_import(f->db, &sup, "P2", "A", "L1", "2027-06-30", 20, "available", 0, &f->err),
        WMS_PUT_INSERTED);
    assert_int_equal(wms_stock_import(f->db, &sup, "P2", "B", "", "", 10, "available", 0, &f->err),
                     WMS_PUT_INSERTED);
    return 0;
}

static long long adjust_rows(fx *f)
{
    return fx_sql_int(f, "SELECT count(*) FROM journal WHERE kind='adjust'");
}

static long long lot_qty(fx *f, const char *bin, const char *sku, const char *lot)
{
    char sql[300];
    snprintf(sql, sizeof(sql),
             "SELECT coalesce(sum(qty),0) FROM stock s JOIN bins b ON b.id=s.bin_id "
             "JOIN items i ON i.id=s.item_id WHERE b.code='%s' AND i.sku='%s' AND s.lot='%s'",
             bin, sku, lot);
    return fx_sql_int(f, sql);
}

static const wms_count_result_line *line_of(const wms_count_result *r, const char *sku,
                                            const char *lot)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->line[i].sku, sku) && !strcmp(r->line[i].lot, lot))
            return &r->line[i];
    fail_msg("no count line for %s lot '%s'", sku, lot);
    return NULL;
}

/* Creates a count of bin and hands it to who; returns its id. */
static int64_t start(fx *f, const char *bin, const wms_actor *who)
{
    int64_t id = 0;
    assert_true(wms_count_create(f->db, bin, "test", &id, &f->err) >= 0);
    wms_count_task t;
    assert_int_equal(wms_count_next(f->db, who, &t, &f->err), 0);
    assert_int_equal(t.id, id);
    return id;
}

static void pick(fx *f, const char *from, const char *to, const char *sku, int64_t qty)
{
    wms_move_req mv = {.from = from, .to = to, .sku = sku, .qty = qty, .reason = "pick"};
    wms_booking b;
    assert_int_equal(wms_stock_move(f->db, &bob, &mv, &b, &f->err), 0);
}

static void receive_a(fx *f, const char *bin, int64_t units, const char *lot, const char *expiry)
{
    wms_receive_req req = {
        .bin = bin, .code = "4006381333931", .mult = units, .lot = lot, .expiry = expiry};
    wms_booking b;
    assert_int_equal(wms_stock_receive(f->db, &bob, &req, &b, &f->err), 0);
}

static void verify(fx *f)
{
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM stock WHERE qty < 0"), 0);
}

static void test_create_reuses_open_count(void **state)
{
    fx *f = *state;
    int64_t id1 = 0, id2 = 0;
    assert_int_equal(wms_count_create(f->db, "P2", "supervisor check", &id1, &f->err), 1);
    assert_int_equal(wms_count_create(f->db, "P2", "short pick", &id2, &f->err), 0);
    assert_int_equal(id1, id2);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM counts"), 1);
    assert_int_equal(wms_count_create(f->db, "NOPE", NULL, &id2, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(wms_count_create(f->db, "P1", "bad\nreason", &id2, &f->err), WMS_EBAD_ARGS);
    /* Also while it is being counted. */
    wms_count_task t;
    assert_int_equal(wms_count_next(f->db, &alice, &t, &f->err), 0);
    assert_int_equal(wms_count_create(f->db, "P2", NULL, &id2, &f->err), 0);
    assert_int_equal(id2, id1);
}

static void test_next_assigns_blind_task(void **state)
{
    fx *f = *state;
    int64_t older = 0, newer = 0;
    assert_int_equal(wms_count_create(f->db, "P2", "cycle", &older, &f->err), 1);
    assert_int_equal(wms_count_create(f->db, "R1", "cycle", &newer, &f->err), 1);
    assert_int_equal(wms_count_next(f->db, NULL, NULL, &f->err), WMS_ENOT_LOGGED_IN);
    wms_count_task t;
    /* The oldest open count. */
    assert_int_equal(wms_count_next(f->db, &alice, &t, &f->err), 0);
    assert_int_equal(t.id, older);
    assert_string_equal(t.bin, "P2");
    assert_string_equal(t.zone, "Z1");
    assert_int_equal(t.resumed, 0);
    char sql[200];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM counts WHERE id=%lld AND status='counting' AND "
             "assigned_to='alice' AND journal_pos=(SELECT max(id) FROM journal)",
             (long long)older);
    assert_int_equal(fx_sql_int(f, sql), 1);
    /* Blind: the task names no item and no quantity (P2 holds 20 A, 10 B). */
    assert_null(strstr(t.bin, "20"));
    assert_null(strstr(t.reason, "20"));
    assert_null(strstr(t.reason, "10"));
    /* Bob gets the other one; then nothing is left for him. */
    assert_int_equal(wms_count_next(f->db, &bob, &t, &f->err), 0);
    assert_int_equal(t.id, newer);
    assert_int_equal(wms_count_next(f->db, &bob, &t, &f->err), 0); /* his own again */
    assert_int_equal(t.id, newer);
    assert_int_equal(t.resumed, 1);
    int64_t id3 = 0;
    assert_int_equal(wms_count_create(f->db, "P1", NULL, &id3, &f->err), 1);
    /* Alice is handed her started count first, even with an open one waiting. */
    pick(f, "P2", "P1", "B", 1);
    assert_int_equal(wms_count_next(f->db, &alice, &t, &f->err), 0);
    assert_int_equal(t.id, older);
    assert_int_equal(t.resumed, 1);
    /* A count handed out again restarts at the newest journal row. */
    assert_int_equal(fx_sql_int(f, sql), 1);
    assert_int_equal(wms_count_next(f->db, &sup, &t, &f->err), 0);
    assert_int_equal(t.id, id3);
    assert_int_equal(wms_count_next(f->db, &bob, &t, &f->err), 0);
    assert_int_equal(t.id, newer);
    wms_count_task none;
    const wms_actor carl = {"carl", NULL, NULL};
    assert_int_equal(wms_count_next(f->db, &carl, &none, &f->err), WMS_ENOT_FOUND);
    assert_string_equal(f->err.msg, "nothing to count");
}

static void test_submit_correct_no_adjustment(void **state)
{
    fx *f = *state;
    int64_t id = start(f, "P2", &alice);
    wms_count_line lines[] = {{"A", "L1", 20}, {"B", "", 10}};
    wms_count_result r;
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 2, &r, &f->err), 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(r.n, 2);
    assert_int_equal(line_of(&r, "A", "L1")->expected, 20);
    assert_int_equal(line_of(&r, "A", "L1")->counted, 20);
    assert_int_equal(line_of(&r, "A", "L1")->adjusted, 0);
    assert_string_equal(line_of(&r, "A", "L1")->expiry, "2027-06-30");
    assert_int_equal(line_of(&r, "B", "")->adjusted, 0);
    assert_int_equal(r.difference, 0);
    assert_int_equal(adjust_rows(f), 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM count_lines"), 2);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM counts WHERE status='done' AND "
                                   "submitted IS NOT NULL"),
                     1);
    /* Done: no second submit. */
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 2, &r, &f->err), WMS_ECLOSED);
    verify(f);
}

static void test_submit_off_by_k(void **state)
{
    fx *f = *state;
    int64_t id = start(f, "P2", &alice);
    /* 3 A missing, 2 B more than the system knows. */
    wms_count_line lines[] = {{"A", "L1", 17}, {"B", NULL, 12}};
    wms_count_result r;
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 2, &r, &f->err), 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(line_of(&r, "A", "L1")->adjusted, -3);
    assert_int_equal(line_of(&r, "B", "")->adjusted, 2);
    assert_int_equal(r.difference, 5);
    char sql[300];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM journal j JOIN items i ON i.id=j.item_id JOIN bins b ON "
             "b.id=j.from_bin_id WHERE kind='adjust' AND i.sku='A' AND qty=3 AND b.code='P2' AND "
             "j.to_bin_id IS NULL AND lot='L1' AND user='alice' AND reason='cycle count %lld'",
             (long long)id);
    assert_int_equal(fx_sql_int(f, sql), 1);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal j JOIN items i ON "
                                   "i.id=j.item_id WHERE kind='adjust' AND i.sku='B' AND qty=2 "
                                   "AND from_bin_id IS NULL AND to_status='available'"),
                     1);
    assert_int_equal(adjust_rows(f), 2);
    assert_int_equal(lot_qty(f, "P2", "A", "L1"), 17);
    assert_int_equal(fx_qty(f, "P2", "B"), 12);
    /* wms_count_get reads it back with what was booked. */
    wms_count_result g;
    assert_int_equal(wms_count_get(f->db, id, &g, &f->err), 0);
    assert_string_equal(g.status, "done");
    assert_int_equal(line_of(&g, "A", "L1")->adjusted, -3);
    assert_int_equal(line_of(&g, "B", "")->adjusted, 2);
    verify(f);
}

static void test_uncounted_is_zero_and_found_lots(void **state)
{
    fx *f = *state;
    int64_t id = start(f, "P2", &alice);
    /* B not listed: counted 0 (10 short: exactly the small limit).  A lot
     * L7 found that the system did not have here; its expiry comes from
     * stock elsewhere. */
    assert_int_equal(
        wms_stock_import(f->db, &sup, "R1", "A", "L7", "2027-09-30", 5, "available", 0, &f->err),
        WMS_PUT_INSERTED);
    wms_count_line lines[] = {{"A", "L1", 20}};
    wms_count_result r;
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 1, &r, &f->err), 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(line_of(&r, "B", "")->counted, 0);
    assert_int_equal(line_of(&r, "B", "")->expected, 10);
    assert_int_equal(line_of(&r, "B", "")->adjusted, -10);
    assert_int_equal(fx_qty(f, "P2", "B"), 0);

    id = start(f, "P2", &alice);
    wms_count_line found[] = {{"A", "L1", 20}, {"A", "L7", 1}};
    assert_int_equal(wms_count_submit(f->db, &alice, id, found, 2, &r, &f->err), 0);
    assert_int_equal(line_of(&r, "A", "L7")->expected, 0);
    assert_int_equal(line_of(&r, "A", "L7")->adjusted, 1);
    assert_string_equal(line_of(&r, "A", "L7")->expiry, "2027-09-30");
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM stock s JOIN bins b ON b.id=s.bin_id "
                                   "WHERE b.code='P2' AND lot='L7' AND expiry='2027-09-30' AND "
                                   "qty=1 AND status='available'"),
                     1);
    verify(f);
}

static void test_submit_errors(void **state)
{
    fx *f = *state;
    assert_int_equal(
        wms_stock_import(f->db, &sup, "R1", "A", "L1", "2027-06-30", 8, "available", 0, &f->err),
        WMS_PUT_INSERTED);
    int64_t id = start(f, "R1", &alice);
    wms_count_line ok[] = {{"A", "L1", 8}};
    wms_count_result r;
    /* Another user's count. */
    assert_int_equal(wms_count_submit(f->db, &bob, id, ok, 1, &r, &f->err), WMS_EFORBIDDEN);
    assert_non_null(strstr(f->err.msg, "alice"));
    assert_int_equal(wms_count_submit(f->db, NULL, id, ok, 1, &r, &f->err), WMS_ENOT_LOGGED_IN);
    wms_count_line unknown[] = {{"A", "L1", 1}, {"ZZZ", "", 1}};
    assert_int_equal(wms_count_submit(f->db, &alice, id, unknown, 2, &r, &f->err), WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "ZZZ"));
    wms_count_line neg[] = {{"A", "L1", -1}};
    assert_int_equal(wms_count_submit(f->db, &alice, id, neg, 1, &r, &f->err), WMS_EBAD_QTY);
    wms_count_line badlot[] = {{"A", "L 1", 1}};
    assert_int_equal(wms_count_submit(f->db, &alice, id, badlot, 1, &r, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_count_submit(f->db, &alice, 999, ok, 1, &r, &f->err), WMS_ENOT_FOUND);
    /* Nothing was stored by the failures. */
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM count_lines"), 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM counts WHERE status='counting'"), 1);
    /* A count not yet started is not submitted. */
    int64_t other = 0;
    assert_int_equal(wms_count_create(f->db, "P2", NULL, &other, &f->err), 1);
    assert_int_equal(wms_count_submit(f->db, &alice, other, ok, 1, &r, &f->err), WMS_ECLOSED);
    assert_non_null(strstr(f->err.msg, "not been started"));
    /* Duplicate (sku, lot) lines are summed: 5 + 3 of A L1. */
    wms_count_line twice[] = {{"A", "L1", 5}, {"A", "L1", 3}};
    assert_int_equal(wms_count_submit(f->db, &alice, id, twice, 2, &r, &f->err), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.line[0].counted, 8);
    assert_int_equal(r.line[0].expected, 8);
    assert_int_equal(adjust_rows(f), 0);
    verify(f);
}

/* Picks out of the bin and receipts into it between count_next and
 * count_submit: a count of what was there at the start changes nothing. */
static void test_concurrent_movements_correct_count(void **state)
{
    fx *f = *state;
    int64_t id = start(f, "P2", &alice);
    pick(f, "P2", "P1", "A", 5);                /* 15 A left */
    receive_a(f, "P2", 24, "L1", "2027-06-30"); /* 39 */
    receive_a(f, "P2", 12, "L9", "2027-08-31"); /* a new lot arrives */
    pick(f, "P2", "R1", "B", 10);               /* all B leaves */
    pick(f, "P2", "P1", "A", 3);                /* FEFO: 3 more of L1 */
    wms_count_line lines[] = {{"A", "L1", 20}, {"B", "", 10}};
    wms_count_result r;
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 2, &r, &f->err), 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(r.n, 2); /* L9: nothing expected, nothing counted */
    assert_int_equal(line_of(&r, "A", "L1")->expected, 20);
    assert_int_equal(line_of(&r, "A", "L1")->adjusted, 0);
    assert_int_equal(line_of(&r, "B", "")->expected, 10);
    assert_int_equal(line_of(&r, "B", "")->adjusted, 0);
    assert_int_equal(adjust_rows(f), 0);
    assert_int_equal(lot_qty(f, "P2", "A", "L1"), 36);
    assert_int_equal(lot_qty(f, "P2", "A", "L9"), 12);
    verify(f);
}

static void test_concurrent_movements_wrong_by_k(void **state)
{
    fx *f = *state;
    int64_t id = start(f, "P2", &alice);
    pick(f, "P2", "P1", "A", 5);
    receive_a(f, "P2", 24, "L1", "2027-06-30");
    pick(f, "P2", "P1", "B", 4);
    /* Physically 18 A (not 20) and 11 B (not 10) were there at the start. */
    wms_count_line lines[] = {{"B", "", 11}, {"A", "L1", 18}};
    wms_count_result r;
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 2, &r, &f->err), 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(line_of(&r, "A", "L1")->adjusted, -2);
    assert_int_equal(line_of(&r, "B", "")->adjusted, 1);
    /* Lines come back by SKU. */
    assert_string_equal(r.line[0].sku, "A");
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal WHERE kind='adjust' AND qty=2 "
                                   "AND to_bin_id IS NULL"),
                     1);
    assert_int_equal(lot_qty(f, "P2", "A", "L1"), 20 - 5 + 24 - 2);
    assert_int_equal(fx_qty(f, "P2", "B"), 10 - 4 + 1);
    verify(f);
}

static void test_shortfall_capped(void **state)
{
    fx *f = *state;
    int64_t id = start(f, "P2", &alice);
    /* All 10 B are picked during the count, but the counter saw only 8:
     * the 2 missing left the books with the pick, nothing is left to take. */
    pick(f, "P2", "P1", "B", 10);
    wms_count_line lines[] = {{"A", "L1", 20}, {"B", "", 8}};
    wms_count_result r;
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 2, &r, &f->err), 0);
    assert_int_equal(line_of(&r, "B", "")->expected, 10);
    assert_int_equal(line_of(&r, "B", "")->adjusted, 0);
    assert_int_equal(line_of(&r, "B", "")->capped, 1);
    assert_int_equal(fx_qty(f, "P2", "B"), 0);
    assert_int_equal(adjust_rows(f), 0);
    verify(f);
}

static void test_large_difference_approved(void **state)
{
    fx *f = *state;
    int64_t id = start(f, "P2", &alice);
    /* 15 A missing: more than max(10, 10% of 30). */
    wms_count_line lines[] = {{"A", "L1", 5}, {"B", "", 10}};
    wms_count_result r;
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 2, &r, &f->err), 0);
    assert_string_equal(r.status, "pending_approval");
    assert_int_equal(line_of(&r, "A", "L1")->adjusted, 0);
    assert_int_equal(r.difference, 15);
    assert_int_equal(adjust_rows(f), 0);
    assert_int_equal(lot_qty(f, "P2", "A", "L1"), 20);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM count_lines"), 2);
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 2, &r, &f->err), WMS_ECLOSED);
    /* Picking goes on; then the supervisor approves. */
    pick(f, "P2", "P1", "A", 2);
    assert_int_equal(wms_count_approve(f->db, &sup, id, 1, &r, &f->err), 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(line_of(&r, "A", "L1")->adjusted, -15);
    assert_int_equal(line_of(&r, "B", "")->adjusted, 0);
    assert_int_equal(lot_qty(f, "P2", "A", "L1"), 3);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM journal WHERE kind='adjust' AND "
                                   "qty=15 AND user='sue'"),
                     1);
    assert_int_equal(wms_count_approve(f->db, &sup, id, 1, &r, &f->err), WMS_ECLOSED);
    assert_int_equal(wms_count_approve(f->db, &sup, 999, 1, &r, &f->err), WMS_ENOT_FOUND);
    verify(f);
}

static void test_large_difference_rejected(void **state)
{
    fx *f = *state;
    int64_t id = start(f, "P2", &alice);
    wms_count_line lines[] = {{"A", "L1", 20}, {"B", "", 40}};
    wms_count_result r;
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 2, &r, &f->err), 0);
    assert_string_equal(r.status, "pending_approval");
    assert_int_equal(wms_count_approve(f->db, &sup, id, 0, &r, &f->err), 0);
    assert_string_equal(r.status, "rejected");
    assert_true(r.recount_id > id);
    assert_int_equal(adjust_rows(f), 0);
    assert_int_equal(fx_qty(f, "P2", "B"), 10);
    char sql[160];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM counts c JOIN bins b ON b.id=c.bin_id WHERE c.id=%lld AND "
             "b.code='P2' AND c.status='open'",
             (long long)r.recount_id);
    assert_int_equal(fx_sql_int(f, sql), 1);
    /* The recount is the next task. */
    wms_count_task t;
    assert_int_equal(wms_count_next(f->db, &bob, &t, &f->err), 0);
    assert_int_equal(t.id, r.recount_id);
    assert_string_equal(t.bin, "P2");
    verify(f);
}

static int count_cb(void *ctx, const wms_count_info *ci)
{
    int *n = ctx;
    assert_string_equal(ci->bin, "P2");
    (*n)++;
    return 0;
}

static void test_list(void **state)
{
    fx *f = *state;
    int64_t id = start(f, "P2", &alice);
    wms_count_line lines[] = {{"A", "L1", 20}, {"B", "", 10}};
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 2, NULL, &f->err), 0);
    assert_int_equal(wms_count_create(f->db, "P2", NULL, NULL, &f->err), 1);
    int n = 0;
    assert_int_equal(wms_count_list(f->db, NULL, count_cb, &n, &f->err), 2);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(wms_count_list(f->db, "done", count_cb, &n, &f->err), 1);
    assert_int_equal(wms_count_list(f->db, "weird", count_cb, &n, &f->err), WMS_EBAD_ARGS);
}

/* An approval of an older count while the bin is counted again is a
 * correction, not a movement: the new count does not count it twice. */
static void test_approval_during_recount(void **state)
{
    fx *f = *state;
    int64_t first = start(f, "P2", &alice);
    wms_count_line lines[] = {{"A", "L1", 5}, {"B", "", 10}};
    wms_count_result r;
    assert_int_equal(wms_count_submit(f->db, &alice, first, lines, 2, &r, &f->err), 0);
    assert_string_equal(r.status, "pending_approval");
    int64_t second = 0;
    assert_int_equal(wms_count_create(f->db, "P2", NULL, &second, &f->err), 1);
    wms_count_task t;
    assert_int_equal(wms_count_next(f->db, &bob, &t, &f->err), 0);
    assert_int_equal(t.id, second);
    assert_int_equal(wms_count_approve(f->db, &sup, first, 1, &r, &f->err), 0);
    assert_int_equal(lot_qty(f, "P2", "A", "L1"), 5);
    /* Bob sees the same 5 A: no further difference. */
    assert_int_equal(wms_count_submit(f->db, &bob, second, lines, 2, &r, &f->err), 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(line_of(&r, "A", "L1")->expected, 5);
    assert_int_equal(line_of(&r, "A", "L1")->adjusted, 0);
    assert_int_equal(lot_qty(f, "P2", "A", "L1"), 5);
    verify(f);
}

/* A count finished after a pending one already corrected the bin: the
 * pending one may then only be rejected. */
static void test_approve_after_later_count_conflicts(void **state)
{
    fx *f = *state;
    int64_t first = start(f, "P2", &alice);
    wms_count_line lines[] = {{"A", "L1", 5}, {"B", "", 10}};
    wms_count_result r;
    assert_int_equal(wms_count_submit(f->db, &alice, first, lines, 2, &r, &f->err), 0);
    int64_t second = start(f, "P2", &bob);
    wms_count_line small[] = {{"A", "L1", 19}, {"B", "", 10}};
    assert_int_equal(wms_count_submit(f->db, &bob, second, small, 2, &r, &f->err), 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(wms_count_approve(f->db, &sup, first, 1, &r, &f->err), WMS_ECONFLICT);
    assert_int_equal(lot_qty(f, "P2", "A", "L1"), 19);
    assert_int_equal(wms_count_approve(f->db, &sup, first, 0, &r, &f->err), 0);
    verify(f);
}

static void test_quarantine_bin_and_empty_count(void **state)
{
    fx *f = *state;
    int64_t id = start(f, "Q1", &alice);
    wms_count_line lines[] = {{"C", "", 3}};
    wms_count_result r;
    assert_int_equal(wms_count_submit(f->db, &alice, id, lines, 1, &r, &f->err), 0);
    assert_int_equal(r.line[0].adjusted, 3);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM stock s JOIN bins b ON b.id=s.bin_id "
                                   "WHERE b.code='Q1' AND status='quarantine' AND qty=3"),
                     1);
    /* An empty count of P1: nothing there, nothing found. */
    id = start(f, "P1", &alice);
    assert_int_equal(wms_count_submit(f->db, &alice, id, NULL, 0, &r, &f->err), 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(r.n, 0);
    verify(f);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, cnt_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_reuses_open_count),
        T(test_next_assigns_blind_task),
        T(test_submit_correct_no_adjustment),
        T(test_submit_off_by_k),
        T(test_uncounted_is_zero_and_found_lots),
        T(test_submit_errors),
        T(test_concurrent_movements_correct_count),
        T(test_concurrent_movements_wrong_by_k),
        T(test_shortfall_capped),
        T(test_large_difference_approved),
        T(test_large_difference_rejected),
        T(test_list),
        T(test_approval_during_recount),
        T(test_approve_after_later_count_conflicts),
        T(test_quarantine_bin_and_empty_count),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
