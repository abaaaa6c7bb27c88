/* test_sort.c - pick-and-sort: sort waves (one bulk task per quant), bulk
 * confirms and shorts by cut-off and priority, put walls (slot choice,
 * wrong slot, not needed, completion, packing from a slot). */
#include "fixture.h"
#include "store/alloc.h"
#include "store/events.h"
#include "store/order.h"
#include "store/pack.h"
#include "store/pick.h"
#include "store/sort.h"
#include "store/wave.h"

static const wms_actor sup = {"sue", "PC-1", NULL};
static const wms_actor pia = {"pia", "RF-1", NULL};
static const wms_actor sam = {"sam", "RF-9", NULL};

#define EAN_A "4006381333931"
#define CODE_B "B-1"
#define H(h) (1795420800000LL + (h)*3600000LL) /* 2026-11-23 plus h hours, UTC ms */

/* fx_setup, a code for B, and walls W1 (5 slots) and W2 (1 slot). */
static int sort_put_setup(void **state)
{
    fx_setup(state);
    fx *f = *state;
    assert_int_equal(fx_import(f, "barcodes", "code,sku,level\n" CODE_B ",B,each\n", 0), 0);
    assert_int_equal(fx_import(f, "putwall",
                               "wall,slot\nW1,W1-01\nW1,W1-02\nW1,W1-03\nW1,W1-04\nW1,W1-05\n"
                               "W2,W2-01\n",
                               0),
                     0);
    return 0;
}

/* sort_put_setup; stock: A in P1 (lot L1), B in P2.  Orders by rank: O2
 * (cut-off 10h), O4 (12h, priority 1), O1 (12h, priority 3), O3 (none, 1),
 * O5 (none, 5). */
static int sort_setup(void **state)
{
    sort_put_setup(state);
    fx *f = *state;
    fx_put(f, "P1", "A", "L1", "2027-06-30", 50);
    fx_put(f, "P2", "B", "", "", 5);
    fx_order(f, "O1", "ship_short", H(12), 3, "A:2,B:1");
    fx_order(f, "O2", "ship_short", H(10), 3, "A:3");
    fx_order(f, "O3", "ship_short", -1, 1, "A:4,B:2");
    fx_order(f, "O4", "ship_short", H(12), 1, "B:1");
    fx_order(f, "O5", "backorder", -1, 5, "B:1");
    return 0;
}

#define release_sort(f) fx_release((f), WMS_WAVE_SORT)

/* fx_check_stock, and each open bulk task = its open allocations. */
static void check_invariant(fx *f)
{
    fx_check_stock(f);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM tasks t WHERE t.order_id IS NULL AND "
                               "t.kind = 'pick' AND t.status IN ('open', 'assigned') AND "
                               "t.qty - t.done_qty <> (SELECT coalesce(sum(a.qty - a.picked), 0) "
                               "FROM allocations a WHERE a.bulk_task_id = t.id AND "
                               "a.status = 'open')"),
                     0);
}

static wms_task next_task(fx *f, const wms_actor *who)
{
    wms_task t;
    int64_t waiting;
    if (wms_task_next(f->db, who, NULL, &t, &waiting, &f->err) != 1)
        fail_msg("task_next: %s", f->err.msg);
    return t;
}

static int confirm(fx *f, int64_t task, const char *bin, const char *code, int64_t packs,
                   wms_pick_result *r)
{
    wms_pick_scan s = {.task_id = task, .bin = bin, .code = code, .packs = packs, .tote = "BULK-1"};
    wms_error_clear(&f->err);
    return wms_pick_confirm(f->db, &pia, &s, r, &f->err);
}

static long long to_sort(fx *f, const char *ref, const char *sku)
{
    return fx_int(f,
                  "SELECT coalesce(sum(p.qty), 0) FROM picks p JOIN orders o ON o.id = "
                  "p.order_id JOIN items i ON i.id = p.item_id WHERE o.ref = '%s' AND "
                  "i.sku = '%s' AND p.to_sort = 1",
                  ref, sku);
}

static int put_at(fx *f, const char *wall, const char *code, const char *slot, int64_t packs,
                  wms_sort_result *r)
{
    wms_error_clear(&f->err);
    return wms_sort_confirm(f->db, &sam, wall, code, 0, slot, packs, r, &f->err);
}

/* ---- release: one task per quant, route, plan ------------------------- */

static void test_sort_release(void **state)
{
    fx *f = *state;
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    o.method = WMS_WAVE_SORT;
    wms_wave_plan_out plan;
    assert_int_equal(wms_wave_plan(f->db, &o, &plan, &f->err), 0);
    assert_int_equal(plan.s.orders, 5);
    assert_int_equal(plan.s.lines, 7);
    assert_int_equal(plan.n_tours, 1); /* 2 stops, a cart of 8 orders x 2 lines */
    assert_int_equal(plan.tours[0].picks, 2);
    assert_int_equal(plan.s.totes, 1);
    /* walk: depot (0,0) -> A1 y 2 (P1) -> y 4 (P2) -> back = 8 m */
    assert_true(fabs(plan.s.walk_m - 8.0) < 1e-9);
    wms_wave_plan_free(&plan);

    int64_t wave = release_sort(f);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM tasks WHERE wave_id = %lld", (long long)wave),
                     2);
    assert_int_equal(fx_int(f,
                            "SELECT count(*) FROM tasks WHERE wave_id = %lld AND order_id IS "
                            "NULL AND allocation_id IS NULL AND tote = 'B%lld-1'",
                            (long long)wave, (long long)wave),
                     2);
    /* A: 2 + 3 + 4 = 9 for 3 orders; B: 1 + 2 + 1 + 1 = 5 for 4 orders, in route order */
    wms_task t = next_task(f, &pia);
    assert_int_equal(t.bulk, 1);
    assert_string_equal(t.bin, "P1");
    assert_int_equal(t.left, 9);
    assert_int_equal(t.orders, 3);
    assert_string_equal(t.order, "");
    assert_int_equal(t.left_in_tour, 2);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM allocations WHERE bulk_task_id IS NULL"), 0);
    /* cancelling an order shrinks the bulk task */
    assert_int_equal(wms_order_cancel(f->db, &sup, "O5", "customer", &f->err), 0);
    assert_int_equal(fx_int(f, "SELECT qty FROM tasks WHERE from_bin_id = (SELECT id FROM bins "
                               "WHERE code = 'P2')"),
                     4);
    check_invariant(f);
}

/* ---- bulk confirm spreads by rank; the wall sorts by rank ---------------- */

static void test_sort_slots_and_puts(void **state)
{
    fx *f = *state;
    int64_t wave = release_sort(f);
    wms_task t = next_task(f, &pia);
    wms_pick_result r;
    /* partial confirm: the earliest orders get the units first */
    assert_int_equal(confirm(f, t.id, "P1", EAN_A, 4, &r), 0);
    assert_int_equal(r.orders, 2); /* O2 3, O1 1 */
    assert_int_equal(to_sort(f, "O2", "A"), 3);
    assert_int_equal(to_sort(f, "O1", "A"), 1);
    assert_int_equal(to_sort(f, "O3", "A"), 0);
    assert_int_equal(confirm(f, t.id, "P1", EAN_A, 6, &r), WMS_EQTY_ABOVE_TASK);
    assert_int_equal(confirm(f, t.id, "P1", EAN_A, 5, &r), 0);
    assert_string_equal(r.status, "done");
    assert_string_equal(r.tote, "BULK-1");
    assert_int_equal(to_sort(f, "O3", "A"), 4);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM picks WHERE bulk_tote = 'BULK-1'"), 4);
    check_invariant(f);

    /* the wall: 5 slots for 5 orders in rank order */
    wms_sort_wall *w = malloc(sizeof(*w));
    assert_non_null(w);
    assert_int_equal(wms_sort_open(f->db, &sam, "NOPE", 0, w, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(wms_sort_open(f->db, &sam, "W1", wave + 1, w, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(wms_sort_open(f->db, &sam, "W1", wave, w, &f->err), 0);
    assert_int_equal(w->assigned, 5);
    assert_int_equal(w->waiting_orders, 0);
    const char *want[] = {"O2", "O4", "O1", "O3", "O5"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(w->slot[i].order, want[i]);
    assert_int_equal(w->slot[0].to_sort, 3);
    assert_int_equal(w->slot[2].to_pick, 1);

    /* a scan goes to the best-ranked order that waits for it */
    wms_sort_hint h;
    assert_int_equal(wms_sort_scan(f->db, "W1", EAN_A, 0, &h, &f->err), 0);
    assert_string_equal(h.slot, "W1-01");
    assert_string_equal(h.order, "O2");
    assert_int_equal(h.need, 3);
    wms_sort_result sr;
    assert_int_equal(put_at(f, "W1", EAN_A, "W1-03", 1, &sr), WMS_EWRONG_SLOT);
    assert_non_null(strstr(f->err.msg, "W1-01"));
    assert_int_equal(put_at(f, "W1", EAN_A, "W2-01", 1, &sr), WMS_EWRONG_SLOT);
    assert_non_null(strstr(f->err.msg, "not a slot of this wall"));
    assert_int_equal(put_at(f, "W1", EAN_A, "W1-01", 4, &sr), WMS_EQTY_ABOVE_TASK);
    assert_int_equal(put_at(f, "W1", EAN_A, "W1-01", 2, &sr), 0);
    assert_int_equal(sr.complete, 0);
    assert_int_equal(sr.left, 1);
    assert_int_equal(put_at(f, "W1", EAN_A, "W1-01", 1, &sr), 0);
    assert_int_equal(sr.complete, 1);
    assert_int_equal(sr.slot_units, 3);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM events WHERE kind = 'sort.complete' AND "
                               "detail LIKE '%%slot W1-01: order O2 complete, 3 units%%'"),
                     1);
    /* O2 is done: A goes to O1 (slot 3) next, then O3 */
    assert_int_equal(wms_sort_scan(f->db, "W1", EAN_A, 0, &h, &f->err), 0);
    assert_string_equal(h.slot, "W1-03");
    assert_int_equal(put_at(f, "W1", EAN_A, "W1-03", 2, &sr), 0);
    assert_int_equal(sr.complete, 0); /* its B is not picked yet */
    assert_int_equal(sr.left, 1);
    assert_int_equal(wms_sort_scan(f->db, "W1", EAN_A, 0, &h, &f->err), 0);
    assert_string_equal(h.slot, "W1-04");
    /* B is not picked yet: nobody needs it here */
    assert_int_equal(wms_sort_scan(f->db, "W1", CODE_B, 0, &h, &f->err), WMS_ENOT_NEEDED);
    assert_int_equal(wms_sort_scan(f->db, "W1", "P1", 0, &h, &f->err), WMS_EWRONG_ITEM);
    assert_int_equal(wms_sort_scan(f->db, "W1", "NO-SUCH", 0, &h, &f->err), WMS_EUNKNOWN_CODE);
    /* another wall has none of these orders */
    assert_int_equal(wms_sort_scan(f->db, "W2", EAN_A, 0, &h, &f->err), WMS_ENOT_NEEDED);
    assert_non_null(strstr(f->err.msg, "O3 at wall W1"));

    /* packing: a slot being sorted is refused; a complete one packs */
    wms_carton_info *ci = malloc(sizeof(*ci));
    assert_non_null(ci);
    assert_int_equal(wms_pack_open(f->db, &sam, "W1-03", NULL, ci, &f->err), WMS_ECONFLICT);
    assert_int_equal(wms_pack_open(f->db, &sam, NULL, "O3", ci, &f->err), WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "still being sorted"));
    /* O1's A is all in its slot, its B still to come: not by order either */
    assert_int_equal(to_sort(f, "O1", "A"), 0);
    assert_int_equal(wms_pack_open(f->db, &sam, NULL, "O1", ci, &f->err), WMS_ECONFLICT);
    assert_int_equal(wms_pack_open(f->db, &sam, "W1-01", NULL, ci, &f->err), 0);
    assert_int_equal(ci->left.units, 3);
    free(ci);
    assert_int_equal(wms_sort_status(f->db, "W1", w, &f->err), 0);
    assert_int_equal(w->complete, 1);
    assert_int_equal(w->slot[0].complete, 1);
    assert_int_equal(w->slot[3].to_sort, 4);
    free(w);
    check_invariant(f);
}

/* ---- shorts: the latest and least urgent orders go short ------------------ */

static void test_sort_short_by_rank(void **state)
{
    fx *f = *state;
    release_sort(f);
    fx_put(f, "R1", "B", "", "", 1); /* one more B elsewhere, after the release */
    wms_sort_wall *w = malloc(sizeof(*w));
    assert_non_null(w);
    assert_int_equal(wms_sort_open(f->db, &sam, "W1", 0, w, &f->err), 0);
    assert_int_equal(w->assigned, 5);
    wms_task a = next_task(f, &pia);
    wms_pick_result r;
    assert_int_equal(confirm(f, a.id, "P1", EAN_A, 9, &r), 0);
    wms_task b = next_task(f, &pia);
    assert_string_equal(b.bin, "P2");
    assert_int_equal(b.left, 5);
    /* 2 found of 5: O4 and O1 get one each; O3 (2) and O5 (1) miss; the
     * one B in R1 goes to O3 first */
    wms_short_result s;
    assert_int_equal(wms_pick_short(f->db, &pia, b.id, 2, "BULK-1", "empty", &s, &f->err), 0);
    assert_int_equal(s.found, 2);
    assert_int_equal(s.missing, 3);
    assert_int_equal(s.reallocated, 1);
    assert_int_equal(s.short_qty, 2);
    assert_int_equal(s.orders_short, 2);
    assert_int_equal(s.new_tasks, 1);
    assert_int_equal(to_sort(f, "O4", "B"), 1);
    assert_int_equal(to_sort(f, "O1", "B"), 1);
    assert_int_equal(fx_int(f, "SELECT short FROM order_lines l JOIN orders o ON o.id = "
                               "l.order_id WHERE o.ref = 'O3' AND l.line = 2"),
                     1);
    assert_int_equal(fx_int(f, "SELECT backordered FROM order_lines l JOIN orders o ON o.id = "
                               "l.order_id WHERE o.ref = 'O5'"),
                     1);
    /* the events name the orders that went short */
    assert_int_equal(fx_int(f, "SELECT count(*) FROM events WHERE kind = 'pick.short' AND "
                               "detail LIKE '%%orders O3 1, O5 1%%'"),
                     1);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM events e JOIN orders o ON o.id = "
                               "e.order_id WHERE e.kind = 'order.short' AND o.ref IN ('O3', "
                               "'O5')"),
                     2);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM events e JOIN orders o ON o.id = "
                               "e.order_id WHERE e.kind = 'order.short' AND o.ref IN ('O1', "
                               "'O4')"),
                     0);
    /* O5 got nothing: its slot is freed at once */
    char st[32];
    assert_string_equal(fx_text(f, st, sizeof(st), "SELECT status FROM orders WHERE ref = 'O5'"),
                        "short");
    assert_int_equal(fx_int(f, "SELECT count(*) FROM events WHERE kind = 'sort.complete' AND "
                               "detail LIKE '%%O5 has nothing to pack%%'"),
                     1);
    assert_int_equal(wms_sort_status(f->db, "W1", w, &f->err), 0);
    assert_string_equal(w->slot[4].order, "");
    /* the re-allocated unit: a bulk task in R1 for the same picker */
    wms_task n = next_task(f, &pia);
    assert_int_equal(n.bulk, 1);
    assert_string_equal(n.bin, "R1");
    assert_int_equal(n.left, 1);
    assert_string_equal(n.tote, b.tote);
    check_invariant(f);
    assert_int_equal(confirm(f, n.id, "R1", CODE_B, 1, &r), 0);
    assert_int_equal(to_sort(f, "O3", "B"), 1);
    /* sort all B: O4 first (12h, priority 1), then O1, then O3 */
    wms_sort_result sr;
    wms_sort_hint h;
    const char *slots[] = {"W1-02", "W1-03", "W1-04"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(wms_sort_scan(f->db, "W1", CODE_B, 0, &h, &f->err), 0);
        assert_string_equal(h.slot, slots[i]);
        assert_int_equal(put_at(f, "W1", CODE_B, slots[i], 1, &sr), 0);
    }
    assert_int_equal(sr.complete, 0); /* O3's A is not sorted yet */
    assert_int_equal(wms_sort_scan(f->db, "W1", CODE_B, 0, &h, &f->err), WMS_ENOT_NEEDED);
    free(w);
    check_invariant(f);
}

/* ---- put wall import ------------------------------------------------------ */

static void test_putwall_import(void **state)
{
    fx *f = *state;
    /* the same again: unchanged; a slot of another wall, a bad label, a
     * different number without --update: refused, nothing stored */
    assert_int_equal(fx_import(f, "putwall", "wall,slot\nW1,W1-01\n", 0), 0);
    assert_int_equal(fx_import(f, "putwall", "wall,slot,seq\nW3,W3-01,1\nW3,W1-01,2\n", 0),
                     WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "line 3"));
    assert_int_equal(fx_int(f, "SELECT count(*) FROM putwall_slots WHERE wall = 'W3'"), 0);
    assert_int_equal(fx_import(f, "putwall", "wall,slot\nW3,bad label\n", 0), WMS_EBAD_ARGS);
    assert_int_equal(fx_import(f, "putwall", "wall,slot,seq\nW1,W1-01,9\n", 0), WMS_ECONFLICT);
    assert_int_equal(fx_import(f, "putwall", "wall,slot,seq\nW1,W1-01,9\n", 1), 0);
    assert_int_equal(fx_int(f, "SELECT seq FROM putwall_slots WHERE label = 'W1-01'"), 9);
    /* a tote in use cannot become a slot label */
    int64_t o = fx_order(f, "T1", "ship_short", -1, 3, "A:1");
    fx_exec(f,
            "INSERT INTO totes(code, slot, order_id, opened) VALUES ('TOTE-9', 'T1-1-1', %lld, "
            "'2026-11-23')",
            (long long)o);
    assert_int_equal(fx_import(f, "putwall", "wall,slot\nW3,TOTE-9\n", 0), WMS_ECONFLICT);
    /* ... nor a slot label a tote */
    char ref[65];
    fx_release(f, WMS_WAVE_DISCRETE);
    char slot[32];
    fx_text(f, slot, sizeof(slot), "SELECT tote FROM tasks WHERE kind = 'pick' LIMIT 1");
    assert_int_equal(wms_tote_assign(f->db, &pia, slot, "W1-02", ref, sizeof(ref), &f->err),
                     WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "slot of put wall W1"));
    /* no sort wave: the wall opens with nothing to do */
    wms_sort_wall *w = malloc(sizeof(*w));
    assert_non_null(w);
    assert_int_equal(wms_sort_open(f->db, &sam, "W2", 0, w, &f->err), 0);
    assert_int_equal(w->assigned, 0);
    assert_int_equal(w->n_slots, 1);
    free(w);
}

/* ---- lot substitution on a bulk task: each order's rules, all or nothing -- */

static void test_sort_substitution(void **state)
{
    fx *f = *state;
    fx_put(f, "P1", "A", "L1", "2027-06-30", 20);
    fx_order(f, "X1", "ship_short", H(9), 3, "A:2");
    fx_order(f, "X2", "ship_short", H(10), 3, "A:3:200"); /* 200 days of shelf life */
    release_sort(f);
    fx_put(f, "P1", "A", "L2", "2027-03-31", 10); /* earlier: FEFO allows it */
    wms_task t = next_task(f, &pia);
    assert_int_equal(t.left, 5);
    wms_pick_result r;
    /* 5 of L2: X1's 2 are fine, X2's 3 would expire too soon: nothing booked */
    assert_int_equal(confirm(f, t.id, "P1", "(01)04006381333931(10)L2(17)270331", 5, &r),
                     WMS_ESHELF_LIFE);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM picks"), 0);
    assert_int_equal(fx_int(f, "SELECT reserved FROM stock WHERE lot = 'L2'"), 0);
    /* 2 of L2 go to X1 alone */
    assert_int_equal(confirm(f, t.id, "P1", "(01)04006381333931(10)L2(17)270331", 2, &r), 0);
    assert_int_equal(r.substituted, 1);
    assert_int_equal(r.orders, 1);
    assert_string_equal(r.lot, "L2");
    assert_int_equal(r.left, 3);
    assert_int_equal(fx_int(f, "SELECT sum(p.qty) FROM picks p JOIN orders o ON o.id = p.order_id "
                               "WHERE o.ref = 'X1' AND p.lot = 'L2' AND p.to_sort = 1"),
                     2);
    /* a label whose expiry is not the task lot's */
    assert_int_equal(confirm(f, t.id, "P1", "(01)04006381333931(10)L1(17)270101", 1, &r),
                     WMS_EWRONG_LOT);
    assert_int_equal(confirm(f, t.id, "P1", EAN_A, 3, &r), 0);
    assert_string_equal(r.status, "done");
    check_invariant(f);
}

/* ---- replenishment carries a bulk task's allocations all together --------- */

static void test_sort_replenish(void **state)
{
    fx *f = *state;
    fx_put(f, "R1", "A", "L1", "2027-06-30", 50);
    assert_int_equal(wms_pickface_set(f->db, "P1", "A", 1, 4, &f->err), WMS_PUT_INSERTED);
    fx_order(f, "Y1", "ship_short", H(9), 3, "A:2");
    fx_order(f, "Y2", "ship_short", H(10), 3, "A:2");
    fx_order(f, "Y3", "ship_short", H(11), 3, "A:1");
    release_sort(f);
    wms_task rp = next_task(f, &pia);
    assert_string_equal(rp.kind, "replenish");
    assert_int_equal(rp.left, 9); /* the 5 needed, topped up to the face's 4 */
    int64_t bulk = fx_int(f, "SELECT id FROM tasks WHERE kind = 'pick'");
    assert_int_equal(fx_int(f, "SELECT depends_on FROM tasks WHERE id = %lld", (long long)bulk),
                     rp.id);
    /* Y3 is cancelled: the bulk task shrinks to 4 */
    assert_int_equal(wms_order_cancel(f->db, &sup, "Y3", "customer", &f->err), 0);
    check_invariant(f);
    /* the replenishment in two parts: 3 cannot carry the task's 4 units
     * (never a part of them: the task stays in one bin), 6 carries them */
    wms_pick_scan sc = {.task_id = rp.id, .bin = "R1", .code = EAN_A, .packs = 3, .to_bin = "P1"};
    wms_pick_result r;
    assert_int_equal(wms_pick_confirm(f->db, &pia, &sc, &r, &f->err), 0);
    const char *in_task_bin = "SELECT count(*) FROM allocations a JOIN tasks t ON t.id = "
                              "a.bulk_task_id WHERE a.status = 'open' AND a.bin_id = t.from_bin_id";
    /* still waiting, both allocations still in R1 */
    assert_int_equal(fx_int(f, "SELECT depends_on FROM tasks WHERE id = %lld", (long long)bulk),
                     rp.id);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM allocations a JOIN bins b ON b.id = a.bin_id "
                               "WHERE a.status = 'open' AND b.code = 'R1'"),
                     2);
    check_invariant(f);
    sc.packs = 6;
    assert_int_equal(wms_pick_confirm(f->db, &pia, &sc, &r, &f->err), 0);
    assert_string_equal(r.status, "done");
    assert_int_equal(fx_sql_int(f, in_task_bin), 2);
    wms_task t = next_task(f, &pia);
    assert_int_equal(t.id, bulk);
    assert_int_equal(t.left, 4);
    assert_string_equal(t.bin, "P1");
    assert_int_equal(t.orders, 2);
    check_invariant(f);
    assert_int_equal(confirm(f, bulk, "P1", EAN_A, 4, &r), 0);
    assert_string_equal(r.status, "done");
    check_invariant(f);
}

/* ... and a whole replenishment takes the task to the pick face. */
static void test_sort_replenish_whole(void **state)
{
    fx *f = *state;
    fx_put(f, "R1", "A", "L1", "2027-06-30", 50);
    assert_int_equal(wms_pickface_set(f->db, "P1", "A", 1, 4, &f->err), WMS_PUT_INSERTED);
    fx_order(f, "Y1", "ship_short", H(9), 3, "A:2");
    fx_order(f, "Y2", "ship_short", H(10), 3, "A:2");
    int64_t wave = release_sort(f);
    wms_task rp = next_task(f, &pia);
    assert_string_equal(rp.kind, "replenish");
    wms_pick_scan sc = {
        .task_id = rp.id, .bin = "R1", .code = EAN_A, .packs = rp.left, .to_bin = "P1"};
    wms_pick_result r;
    assert_int_equal(wms_pick_confirm(f->db, &pia, &sc, &r, &f->err), 0);
    wms_task t = next_task(f, &pia);
    assert_int_equal(t.bulk, 1);
    assert_string_equal(t.bin, "P1");
    assert_int_equal(t.left, 4);
    check_invariant(f);
    assert_int_equal(confirm(f, t.id, "P1", EAN_A, 4, &r), 0);
    assert_int_equal(r.orders, 2);
    /* a cancelled order frees its slot at once */
    fx_order(f, "Y9", "ship_short", H(12), 3, "A:1");
    int64_t w2 = release_sort(f);
    assert_true(w2 > wave);
    wms_sort_wall *w = malloc(sizeof(*w));
    assert_non_null(w);
    assert_int_equal(wms_sort_open(f->db, &sam, "W2", w2, w, &f->err), 0);
    assert_string_equal(w->slot[0].order, "Y9");
    assert_int_equal(wms_order_cancel(f->db, &sup, "Y9", "customer", &f->err), 0);
    assert_int_equal(wms_sort_status(f->db, "W2", w, &f->err), 0);
    assert_string_equal(w->slot[0].order, "");
    free(w);
    check_invariant(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sort_release, sort_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_sort_slots_and_puts, sort_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_sort_short_by_rank, sort_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_putwall_import, sort_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_sort_substitution, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_sort_replenish, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_sort_replenish_whole, sort_put_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
