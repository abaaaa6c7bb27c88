/* test_pick.c - handing out tasks, pick confirmation (every mismatch), lot
 * substitution rules, totes, short picks end to end, status history. */
#include "fixture.h"
#include "store/alloc.h"
#include "store/events.h"
#include "store/ops.h"
#include "store/pick.h"
#include "store/wave.h"

#include <stdarg.h>

static const wms_actor sup = {"sue", "PC-1", NULL};
static const wms_actor pia = {"pia", "RF-1", NULL};
static const wms_actor rob = {"rob", "RF-2", NULL};

#define put fx_put

/* A released order: lines "SKU:QTY[:MIN_DAYS],..." */
static int64_t mk_order(fx *f, const char *ref, const char *policy, const char *lines)
{
    return fx_order(f, ref, policy, -1, 3, lines);
}

#define release fx_release

/* fx_check_stock, allocated units per line, and each task's units left =
 * its allocation's. */
static void check_invariant(fx *f)
{
    fx_check_stock(f);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM order_lines l WHERE l.allocated <> "
                               "coalesce((SELECT sum(a.qty) FROM allocations a WHERE a.order_id "
                               "= l.order_id AND a.line = l.line AND a.status IN ('open', "
                               "'picked')), 0)"),
                     0);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM tasks t JOIN allocations a ON a.id = "
                               "t.allocation_id WHERE t.status IN ('open', 'assigned') AND "
                               "t.qty - t.done_qty <> a.qty - a.picked"),
                     0);
}

static int pk_setup(void **state)
{
    fx_setup(state);
    return 0;
}

/* The task `who` gets now (must be one). */
static wms_task next_task(fx *f, const wms_actor *who)
{
    wms_task t;
    int64_t waiting;
    int rc = wms_task_next(f->db, who, NULL, &t, &waiting, &f->err);
    if (rc != 1)
        fail_msg("task_next for %s: %d %s", who->user, rc, f->err.msg);
    return t;
}

static int confirm(fx *f, const wms_actor *who, int64_t task, const char *bin, const char *code,
                   int64_t packs, const char *tote, wms_pick_result *r)
{
    wms_pick_scan s = {.task_id = task, .bin = bin, .code = code, .packs = packs, .tote = tote};
    wms_error_clear(&f->err);
    return wms_pick_confirm(f->db, who, &s, r, &f->err);
}

#define EAN_A "4006381333931"
#define CASE_A "14006381333938"

/* ---- every mismatch, totes, status history ------------------------------ */

static void test_confirm_mismatches(void **state)
{
    fx *f = *state;
    put(f, "P1", "A", "L1", "2027-06-30", 50);
    put(f, "P2", "C", "", "", 20);
    int64_t o1 = mk_order(f, "O1", "ship_short", "A:5,C:3");
    release(f, WMS_WAVE_DISCRETE);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM tasks WHERE order_id = %lld", (long long)o1),
                     2);
    wms_task t = next_task(f, &pia);
    assert_string_equal(t.bin, "P1"); /* route order: P1 (y 2) before P2 (y 4) */
    assert_string_equal(t.sku, "A");
    assert_int_equal(t.left, 5);
    assert_int_equal(t.case_units, 24);
    assert_int_equal(t.left_in_tour, 2);
    assert_string_equal(t.tote, "T1-1-1");
    /* asking again gives the same task */
    wms_task again = next_task(f, &pia);
    assert_int_equal(again.id, t.id);
    /* rob gets nothing: the only tour is pia's */
    int64_t waiting;
    assert_int_equal(wms_task_next(f->db, &rob, NULL, &again, &waiting, &f->err), 0);

    wms_pick_result r;
    assert_int_equal(confirm(f, &pia, t.id, "P2", EAN_A, 1, NULL, &r), WMS_EWRONG_BIN);
    assert_non_null(strstr(f->err.msg, "go to bin P1"));
    assert_int_equal(confirm(f, &pia, t.id, "P1", "CAN-42", 1, NULL, &r), WMS_EWRONG_ITEM);
    assert_non_null(strstr(f->err.msg, "this task is A"));
    assert_int_equal(confirm(f, &pia, t.id, "P1", "NOPE-1", 1, NULL, &r), WMS_EUNKNOWN_CODE);
    assert_int_equal(confirm(f, &pia, t.id, "P1", "4006381333932", 1, NULL, &r),
                     WMS_EBAD_CHECK_DIGIT);
    assert_int_equal(confirm(f, &pia, t.id, "P1", CASE_A, 1, NULL, &r), WMS_EQTY_ABOVE_TASK);
    assert_int_equal(confirm(f, &pia, t.id, "P1", EAN_A, 6, NULL, &r), WMS_EQTY_ABOVE_TASK);
    assert_int_equal(confirm(f, &pia, t.id, "P1", EAN_A, 0, NULL, &r), WMS_EBAD_QTY);
    assert_int_equal(confirm(f, &rob, t.id, "P1", EAN_A, 1, NULL, &r), WMS_ETASK_NOT_YOURS);
    assert_int_equal(
        confirm(f, &pia, t.id, "P1", "(01)04006381333931(10)L9(17)270630", 1, NULL, &r),
        WMS_EWRONG_LOT);
    assert_int_equal(
        confirm(f, &pia, t.id, "P1", "(01)04006381333931(10)L1(17)270701", 1, NULL, &r),
        WMS_EWRONG_LOT);
    assert_non_null(strstr(f->err.msg, "check the goods"));
    /* nothing of the refused scans was booked */
    assert_int_equal(fx_qty(f, "P1", "A"), 50);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM picks"), 0);

    /* 2 units into tote TOTE-1 (assigned by the scan) */
    assert_int_equal(confirm(f, &pia, t.id, "P1", EAN_A, 2, "TOTE-1", &r), 0);
    assert_int_equal(r.picked, 2);
    assert_int_equal(r.left, 3);
    assert_string_equal(r.tote, "TOTE-1");
    assert_string_equal(r.order_status, "picking");
    /* now the slot has a tote: it must be scanned, and be the right one */
    assert_int_equal(confirm(f, &pia, t.id, "P1", EAN_A, 1, NULL, &r), WMS_EWRONG_TOTE);
    assert_int_equal(confirm(f, &pia, t.id, "P1", EAN_A, 1, "TOTE-2", &r), WMS_EWRONG_TOTE);
    assert_non_null(strstr(f->err.msg, "TOTE-1"));
    /* the matching lot in GS1 form is a plain pick */
    assert_int_equal(
        confirm(f, &pia, t.id, "P1", "(01)04006381333931(10)L1(17)270630", 3, "TOTE-1", &r), 0);
    assert_int_equal(r.substituted, 0);
    assert_int_equal(r.left, 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(confirm(f, &pia, t.id, "P1", EAN_A, 1, "TOTE-1", &r), WMS_ETASK_CLOSED);

    /* C shares CAN-42 with D: the task says which item it is */
    wms_task t2 = next_task(f, &pia);
    assert_string_equal(t2.sku, "C");
    assert_int_equal(t2.left_in_tour, 1);
    assert_string_equal(t2.tote_code, "TOTE-1");
    assert_int_equal(confirm(f, &pia, t2.id, "P2", "CAN-42", 3, "TOTE-1", &r), 0);
    assert_string_equal(r.order_status, "picked");
    assert_int_equal(wms_task_next(f->db, &pia, NULL, &again, &waiting, &f->err), 0);

    assert_int_equal(fx_qty(f, "P1", "A"), 45);
    assert_int_equal(fx_qty(f, WMS_OUTBOUND_BIN, "A"), 5);
    assert_int_equal(fx_qty(f, WMS_OUTBOUND_BIN, "C"), 3);
    char hist[256];
    fx_text(f, hist, sizeof(hist),
            "SELECT group_concat(status, ',') FROM (SELECT status FROM events WHERE order_id = "
            "%lld AND kind = 'order.status' ORDER BY id)",
            (long long)o1);
    assert_string_equal(hist, "allocated,picking,picked");
    assert_int_equal(fx_int(f, "SELECT count(*) FROM picks WHERE tote_id = (SELECT id FROM totes "
                               "WHERE code = 'TOTE-1')"),
                     3);
    check_invariant(f);
}

static void test_totes(void **state)
{
    fx *f = *state;
    put(f, "P1", "A", "", "", 50);
    mk_order(f, "O1", "ship_short", "A:2");
    mk_order(f, "O2", "ship_short", "A:3");
    release(f, WMS_WAVE_BATCH); /* one tour, slots T1-1-1 and T1-1-2 */
    char ref[65];
    assert_int_equal(wms_tote_assign(f->db, &pia, "T1-1-1", "TOTE-7", ref, sizeof(ref), &f->err),
                     1);
    assert_string_equal(ref, "O1");
    /* again: unchanged; another tote for the slot or the tote for another slot: refused */
    assert_int_equal(wms_tote_assign(f->db, &pia, "T1-1-1", "TOTE-7", ref, sizeof(ref), &f->err),
                     0);
    assert_int_equal(wms_tote_assign(f->db, &pia, "T1-1-1", "TOTE-8", ref, sizeof(ref), &f->err),
                     WMS_ECONFLICT);
    assert_int_equal(wms_tote_assign(f->db, &pia, "T1-1-2", "TOTE-7", ref, sizeof(ref), &f->err),
                     WMS_ECONFLICT);
    assert_int_equal(wms_tote_assign(f->db, &pia, "T9-9-9", "TOTE-9", ref, sizeof(ref), &f->err),
                     WMS_ENOT_FOUND);
    assert_int_equal(wms_tote_assign(f->db, &pia, "T1-1-2", "BAD TOTE", ref, sizeof(ref), &f->err),
                     WMS_EBAD_ARGS);
    assert_int_equal(wms_tote_assign(f->db, &pia, "T1-1-2", "TOTE-8", ref, sizeof(ref), &f->err),
                     1);
    wms_task t = next_task(f, &pia);
    wms_pick_result r;
    /* cluster picking: each pick says its tote; the other order's tote is wrong */
    const char *right = !strcmp(t.order, "O1") ? "TOTE-7" : "TOTE-8";
    const char *wrong = !strcmp(t.order, "O1") ? "TOTE-8" : "TOTE-7";
    assert_string_equal(t.tote_code, right);
    assert_int_equal(confirm(f, &pia, t.id, "P1", EAN_A, 1, wrong, &r), WMS_EWRONG_TOTE);
    assert_int_equal(confirm(f, &pia, t.id, "P1", EAN_A, 1, right, &r), 0);
    /* close the tote; the slot's next pick scan opens a new one */
    wms_tote_info ti;
    assert_int_equal(wms_tote_close(f->db, &pia, right, &ti, &f->err), 0);
    assert_int_equal(ti.units, 1);
    assert_int_equal(wms_tote_close(f->db, &pia, right, &ti, &f->err), WMS_ECLOSED);
    assert_int_equal(confirm(f, &pia, t.id, "P1", EAN_A, 1, right, &r), WMS_EWRONG_TOTE);
    assert_int_equal(confirm(f, &pia, t.id, "P1", EAN_A, 1, "TOTE-10", &r), 0);
    assert_string_equal(r.tote, "TOTE-10");
    assert_int_equal(wms_tote_get(f->db, "TOTE-10", &ti, &f->err), 0);
    assert_string_equal(ti.status, "open");
    check_invariant(f);
}

/* ---- lot substitution ------------------------------------------------------ */

static void test_lot_substitution(void **state)
{
    fx *f = *state;
    put(f, "P1", "A", "L1", "2027-06-30", 10);
    put(f, "P1", "A", "L3", "2027-06-30", 10); /* same expiry, lot sorts later */
    int64_t o1 = mk_order(f, "O1", "ship_short", "A:6:200");
    release(f, WMS_WAVE_DISCRETE);
    wms_task t = next_task(f, &pia);
    assert_string_equal(t.lot, "L1");
    /* received after the wave: earlier (fine), too short a life for the
     * line (200 days), later (not FEFO), expired */
    put(f, "P1", "A", "L4", "2027-06-20", 10);
    put(f, "P1", "A", "L5", "2027-05-31", 10);
    put(f, "P1", "A", "L6", "2027-12-31", 10);
    put(f, "P1", "A", "L8", "2026-11-01", 10);
    wms_pick_result r;
    assert_int_equal(
        confirm(f, &pia, t.id, "P1", "(01)04006381333931(10)L6(17)271231", 1, NULL, &r),
        WMS_EWRONG_LOT);
    assert_non_null(strstr(f->err.msg, "after the allocated lot L1"));
    assert_int_equal(
        confirm(f, &pia, t.id, "P1", "(01)04006381333931(10)L5(17)270531", 1, NULL, &r),
        WMS_ESHELF_LIFE);
    assert_int_equal(
        confirm(f, &pia, t.id, "P1", "(01)04006381333931(10)L8(17)261101", 1, NULL, &r),
        WMS_EEXPIRED_LOT);
    /* same expiry, other lot: accepted by re-allocation */
    assert_int_equal(
        confirm(f, &pia, t.id, "P1", "(01)04006381333931(10)L3(17)270630", 2, NULL, &r), 0);
    assert_int_equal(r.substituted, 1);
    assert_string_equal(r.lot, "L3");
    assert_int_equal(r.left, 4);
    /* earlier expiry: accepted too */
    assert_int_equal(
        confirm(f, &pia, t.id, "P1", "(01)04006381333931(10)L4(17)270620", 1, NULL, &r), 0);
    assert_int_equal(r.substituted, 1);
    /* the allocated lot for the rest */
    assert_int_equal(confirm(f, &pia, t.id, "P1", EAN_A, 3, NULL, &r), 0);
    assert_int_equal(r.left, 0);
    assert_int_equal(fx_int(f, "SELECT qty FROM stock s JOIN bins b ON b.id = s.bin_id WHERE "
                               "b.code = 'P1' AND s.lot = 'L1'"),
                     7);
    assert_int_equal(fx_int(f, "SELECT qty FROM stock s JOIN bins b ON b.id = s.bin_id WHERE "
                               "b.code = 'P1' AND s.lot = 'L3'"),
                     8);
    assert_int_equal(fx_int(f, "SELECT sum(reserved) FROM stock"), 0);
    assert_int_equal(
        fx_int(f, "SELECT picked FROM order_lines WHERE order_id = %lld", (long long)o1), 6);
    check_invariant(f);
}

static void test_substitution_needs_free_units(void **state)
{
    fx *f = *state;
    put(f, "P1", "A", "L1", "2027-06-30", 4);
    put(f, "P1", "A", "L2", "2027-07-31", 4);
    mk_order(f, "O1", "ship_short", "A:4"); /* takes L1 */
    mk_order(f, "O2", "ship_short", "A:4"); /* takes L2 */
    release(f, WMS_WAVE_DISCRETE);
    wms_task t = next_task(f, &pia);
    /* whichever task pia got, the other lot is wholly promised */
    const char *other = !strcmp(t.lot, "L1") ? "(01)04006381333931(10)L2(17)270731"
                                             : "(01)04006381333931(10)L1(17)270630";
    wms_pick_result r;
    int rc = confirm(f, &pia, t.id, "P1", other, 1, NULL, &r);
    assert_int_equal(rc, WMS_EWRONG_LOT);
    check_invariant(f);
}

/* ---- short picks -------------------------------------------------------------- */

static void test_short_reallocates(void **state)
{
    fx *f = *state;
    put(f, "P1", "A", "L1", "2027-06-30", 10);
    put(f, "R1", "A", "L7", "2027-08-31", 20);
    int64_t o1 = mk_order(f, "O1", "ship_short", "A:8");
    release(f, WMS_WAVE_DISCRETE);
    wms_task t = next_task(f, &pia);
    assert_string_equal(t.bin, "P1");
    wms_short_result s;
    assert_int_equal(wms_pick_short(f->db, &pia, t.id, 8, NULL, NULL, &s, &f->err), WMS_EBAD_QTY);
    assert_int_equal(wms_pick_short(f->db, &rob, t.id, 1, NULL, NULL, &s, &f->err),
                     WMS_ETASK_NOT_YOURS);
    assert_int_equal(wms_pick_short(f->db, &pia, t.id, 3, "TOTE-1", "empty", &s, &f->err), 0);
    assert_int_equal(s.found, 3);
    assert_int_equal(s.missing, 5);
    assert_int_equal(s.reallocated, 5);
    assert_int_equal(s.short_qty, 0);
    assert_int_equal(s.new_tasks, 1);
    assert_true(s.count_id > 0);
    assert_string_equal(s.order_status, "picking");
    /* a count of P1 is requested; the task is short; an event says so */
    assert_int_equal(fx_int(f,
                            "SELECT count(*) FROM counts c JOIN bins b ON b.id = c.bin_id "
                            "WHERE b.code = 'P1' AND c.status = 'open' AND c.id = %lld",
                            (long long)s.count_id),
                     1);
    char st[32];
    assert_string_equal(
        fx_text(f, st, sizeof(st), "SELECT status FROM tasks WHERE id = %lld", (long long)t.id),
        "short");
    assert_int_equal(fx_int(f,
                            "SELECT count(*) FROM events WHERE kind = 'pick.short' AND "
                            "order_id = %lld AND detail LIKE '%%found 3 of 8%%'",
                            (long long)o1),
                     1);
    /* P1 still holds 7 on paper, but allocation leaves it alone until counted */
    assert_int_equal(fx_qty(f, "P1", "A"), 7);
    wms_task n = next_task(f, &pia);
    assert_string_equal(n.bin, "R1");
    assert_int_equal(n.left, 5);
    assert_string_equal(n.tote, t.tote);
    assert_string_equal(n.tote_code, "TOTE-1");
    check_invariant(f);
    wms_pick_result r;
    assert_int_equal(confirm(f, &pia, n.id, "R1", EAN_A, 5, "TOTE-1", &r), 0);
    assert_string_equal(r.order_status, "picked");
    assert_int_equal(fx_qty(f, WMS_OUTBOUND_BIN, "A"), 8);
    /* another order now: P1 is skipped while its count is open */
    int64_t o2 = mk_order(f, "O2", "ship_short", "A:2");
    assert_int_equal(wms_alloc_order(f->db, &sup, o2, NULL, &f->err), 0);
    char bins[64];
    assert_string_equal(fx_text(f, bins, sizeof(bins),
                                "SELECT group_concat(b.code) FROM allocations a JOIN bins b ON "
                                "b.id = a.bin_id WHERE a.order_id = %lld",
                                (long long)o2),
                        "R1");
    check_invariant(f);
}

static void test_short_policies(void **state)
{
    fx *f = *state;
    put(f, "P1", "A", "", "", 4);
    put(f, "P2", "C", "", "", 4);
    int64_t o1 = mk_order(f, "O1", "ship_short", "A:4");
    int64_t o2 = mk_order(f, "O2", "backorder", "C:4");
    release(f, WMS_WAVE_DISCRETE);
    for (int k = 0; k < 2; k++) {
        wms_task t = next_task(f, &pia);
        wms_short_result s;
        assert_int_equal(wms_pick_short(f->db, &pia, t.id, k == 0 ? 1 : 0, NULL, NULL, &s, &f->err),
                         0);
        assert_int_equal(s.reallocated, 0);
        assert_int_equal(s.short_qty, k == 0 ? 3 : 4);
    }
    assert_int_equal(
        fx_int(f, "SELECT short FROM order_lines WHERE order_id = %lld", (long long)o1), 3);
    assert_int_equal(
        fx_int(f, "SELECT backordered FROM order_lines WHERE order_id = %lld", (long long)o2), 4);
    char st[32];
    assert_string_equal(
        fx_text(f, st, sizeof(st), "SELECT status FROM orders WHERE id = %lld", (long long)o1),
        "picked");
    assert_string_equal(
        fx_text(f, st, sizeof(st), "SELECT status FROM orders WHERE id = %lld", (long long)o2),
        "short");
    assert_int_equal(fx_int(f,
                            "SELECT count(*) FROM events WHERE kind = 'order.short' AND "
                            "detail LIKE '%%backordered%%' AND order_id = %lld",
                            (long long)o2),
                     1);
    check_invariant(f);
}

/* ---- replenishment first ---------------------------------------------------- */

static void test_replenish_first(void **state)
{
    fx *f = *state;
    put(f, "R1", "C", "", "", 30);
    assert_int_equal(wms_pickface_set(f->db, "P2", "C", 5, 20, &f->err), WMS_PUT_INSERTED);
    mk_order(f, "O1", "ship_short", "C:4");
    release(f, WMS_WAVE_DISCRETE);
    /* rob takes the tour first: its pick waits for the replenishment */
    int64_t waiting = 0;
    wms_task t;
    int rc = wms_task_next(f->db, &pia, NULL, &t, &waiting, &f->err);
    assert_int_equal(rc, 1);
    assert_string_equal(t.kind, "replenish");
    assert_string_equal(t.bin, "R1");
    assert_string_equal(t.to_bin, "P2");
    assert_int_equal(wms_task_next(f->db, &rob, NULL, &t, &waiting, &f->err), 0);
    assert_int_equal(waiting, 1);
    int64_t pick_id = fx_int(f, "SELECT id FROM tasks WHERE kind = 'pick'");
    wms_pick_result r;
    assert_int_equal(confirm(f, &rob, pick_id, "P2", "CAN-42", 1, NULL, &r), WMS_ETASK_WAITING);
    /* the replenishment: right source, pick face scanned */
    wms_task rp = next_task(f, &pia);
    assert_int_equal(rp.id, t.id);
    wms_pick_scan s = {
        .task_id = rp.id, .bin = "R1", .code = "CAN-42", .packs = rp.left, .to_bin = "P1"};
    assert_int_equal(wms_pick_confirm(f->db, &pia, &s, &r, &f->err), WMS_EWRONG_BIN);
    s.to_bin = "P2";
    assert_int_equal(wms_pick_confirm(f->db, &pia, &s, &r, &f->err), 0);
    assert_string_equal(r.status, "done");
    t = next_task(f, &rob);
    assert_int_equal(t.id, pick_id);
    assert_int_equal(t.id, pick_id);
    assert_string_equal(t.bin, "P2");
    assert_int_equal(confirm(f, &rob, pick_id, "P2", "CAN-42", 4, NULL, &r), 0);
    assert_string_equal(r.order_status, "picked");
    check_invariant(f);
}

/* Found by the simulator: a top-up replenishment planned from a reserve
 * quant, then a wave allocating that quant's units and adopting the
 * top-up, asked for more units than the quant ever held. */
static void test_replenish_never_overpromises(void **state)
{
    fx *f = *state;
    put(f, "R1", "C", "", "", 10);
    assert_int_equal(wms_pickface_set(f->db, "P2", "C", 5, 20, &f->err), WMS_PUT_INSERTED);
    wms_replenish_result *rr = calloc(1, sizeof(*rr));
    assert_int_equal(wms_replenish_plan(f->db, &sup, 0, rr, &f->err), 0);
    assert_int_equal(fx_int(f, "SELECT qty FROM tasks WHERE kind = 'replenish'"), 10);
    mk_order(f, "O1", "ship_short", "C:6");
    release(f, WMS_WAVE_DISCRETE);
    assert_true(fx_int(f, "SELECT coalesce(sum(qty - done_qty), 0) FROM tasks WHERE kind = "
                          "'replenish' AND status IN ('open', 'assigned')") <= 10);
    /* the replenishment can be done in full, and the pick after it */
    wms_task t = next_task(f, &pia);
    assert_string_equal(t.kind, "replenish");
    wms_pick_scan s = {
        .task_id = t.id, .bin = "R1", .code = "CAN-42", .packs = t.left, .to_bin = "P2"};
    wms_pick_result r;
    assert_int_equal(wms_pick_confirm(f->db, &pia, &s, &r, &f->err), 0);
    t = next_task(f, &pia);
    assert_string_equal(t.bin, "P2");
    assert_int_equal(confirm(f, &pia, t.id, "P2", "CAN-42", 6, NULL, &r), 0);
    assert_string_equal(r.order_status, "picked");
    check_invariant(f);
    free(rr);
}

/* A picker whose picks all wait does the replenishment nobody has taken. */
static void test_waiting_picker_replenishes(void **state)
{
    fx *f = *state;
    put(f, "R1", "C", "", "", 30);
    assert_int_equal(wms_pickface_set(f->db, "P2", "C", 5, 20, &f->err), WMS_PUT_INSERTED);
    mk_order(f, "O1", "ship_short", "C:4");
    release(f, WMS_WAVE_DISCRETE);
    /* the tour is given to rob directly (as a supervisor would) */
    fx_exec(f, "UPDATE tasks SET status = 'assigned', assigned_to = 'rob' WHERE kind = 'pick'");
    wms_task t = next_task(f, &rob);
    assert_string_equal(t.kind, "replenish");
    assert_string_equal(t.assigned_to, "rob");
    check_invariant(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_confirm_mismatches, pk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_totes, pk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_lot_substitution, pk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_substitution_needs_free_units, pk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_short_reallocates, pk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_short_policies, pk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_replenish_first, pk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_replenish_never_overpromises, pk_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_waiting_picker_replenishes, pk_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
