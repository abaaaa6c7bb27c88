/* test_alloc.c - FEFO allocation, reservations under concurrency, shortfall
 * policies and pick-face replenishment. */
#include "fixture.h"
#include "store/alloc.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <unistd.h>

static const wms_actor sup = {"sue", "PC-1", NULL};

/* ---------------------------------------------------------------------- */
/* Fixture helpers                                                        */
/* ---------------------------------------------------------------------- */

/* (SQL helpers: fx_exec, fx_int, fx_text in fixture.h) */

static int64_t mk_order(fx *f, const char *ref, const char *policy)
{
    fx_exec(f,
            "INSERT OR IGNORE INTO customers(code, name, credit) VALUES ('CU1', 'Shop', 'green');"
            "INSERT INTO orders(ref, customer_id, status, short_policy, created) VALUES "
            "('%s', (SELECT id FROM customers WHERE code = 'CU1'), 'released', '%s', "
            "'2026-11-23T08:00:00Z')",
            ref, policy);
    return fx_int(f, "SELECT id FROM orders WHERE ref = '%s'", ref);
}

/* min_days < 0: no shelf-life minimum. */
static void add_line(fx *f, int64_t order, int line, const char *sku, int qty, int min_days)
{
    char md[24] = "NULL";
    if (min_days >= 0)
        snprintf(md, sizeof(md), "%d", min_days);
    fx_exec(f,
            "INSERT INTO order_lines(order_id, line, item_id, qty, min_shelf_life_days) VALUES "
            "(%lld, %d, (SELECT id FROM items WHERE sku = '%s'), %d, %s)",
            (long long)order, line, sku, qty, md);
}

static void put(fx *f, const char *bin, const char *sku, const char *lot, const char *expiry,
                int64_t qty, const char *status)
{
    int rc = wms_stock_import(f->db, &sup, bin, sku, lot, expiry, qty, status, 0, &f->err);
    if (rc < 0)
        fail_msg("stock import %s %s %s: %s", bin, sku, lot, f->err.msg);
}

/* "BIN:LOT:QTY,..." of an order's allocations in creation order. */
static const char *allocs(fx *f, int64_t order, char *out, size_t n)
{
    return fx_text(f, out, n,
                   "SELECT coalesce(group_concat(x, ','), '') FROM (SELECT b.code || ':' || "
                   "a.lot || ':' || a.qty AS x FROM allocations a JOIN bins b ON b.id = "
                   "a.bin_id WHERE a.order_id = %lld AND a.status = 'open' ORDER BY a.id)",
                   (long long)order);
}

static const char *order_status(fx *f, int64_t order, char *out, size_t n)
{
    return fx_text(f, out, n, "SELECT status FROM orders WHERE id = %lld", (long long)order);
}

static long long reserved_of(fx *f, const char *bin, const char *sku, const char *lot)
{
    return fx_int(f,
                  "SELECT coalesce(sum(reserved), 0) FROM stock s JOIN bins b ON b.id = "
                  "s.bin_id JOIN items i ON i.id = s.item_id WHERE b.code = '%s' AND i.sku = "
                  "'%s' AND s.lot = '%s'",
                  bin, sku, lot);
}

static long long qty_of(fx *f, const char *bin, const char *sku, const char *lot)
{
    return fx_int(f,
                  "SELECT coalesce(sum(qty), 0) FROM stock s JOIN bins b ON b.id = s.bin_id "
                  "JOIN items i ON i.id = s.item_id WHERE b.code = '%s' AND i.sku = '%s' AND "
                  "s.lot = '%s'",
                  bin, sku, lot);
}

/* Recomputes every reservation from the allocations and compares: the
 * INVARIANT, plus reserved <= qty, allocations only on existing available
 * quants, and order_lines.allocated = allocated units of the line. */
static void check_invariant(fx *f)
{
    assert_int_equal(fx_int(f, "SELECT count(*) FROM stock s WHERE s.reserved <> "
                               "CASE WHEN s.status = 'available' THEN coalesce((SELECT "
                               "sum(a.qty - a.picked) FROM allocations a WHERE a.status = "
                               "'open' AND a.bin_id = s.bin_id AND a.item_id = s.item_id AND "
                               "a.lot = s.lot AND a.expiry = s.expiry), 0) ELSE 0 END"),
                     0);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM stock WHERE reserved > qty OR reserved < 0"),
                     0);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM allocations a WHERE a.status = 'open' AND "
                               "a.qty > a.picked AND NOT EXISTS (SELECT 1 FROM stock s WHERE "
                               "s.bin_id = a.bin_id AND s.item_id = a.item_id AND s.lot = a.lot "
                               "AND s.expiry = a.expiry AND s.status = 'available')"),
                     0);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM order_lines l WHERE l.allocated <> "
                               "coalesce((SELECT sum(a.qty) FROM allocations a WHERE a.order_id "
                               "= l.order_id AND a.line = l.line AND a.status IN ('open', "
                               "'picked')), 0)"),
                     0);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, NULL), 0);
}

static int alloc_setup(void **state)
{
    fx_setup(state);
    fx *f = *state;
    assert_int_equal(fx_import(f, "bins",
                               "code,zone,type,aisle,y_m,capacity,blocked\n"
                               "R2,Z1,reserve,A2,6,0,0\n"
                               "S1,Z1,staging,A2,16,0,0\n",
                               0),
                     0);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* FEFO                                                                   */
/* ---------------------------------------------------------------------- */

static void test_fefo_order(void **state)
{
    fx *f = *state;
    char buf[512];
    /* A: same expiry in a pick face and reserve, a later lot, undated. */
    put(f, "R1", "A", "L1", "2027-01-01", 4, "available");
    put(f, "P2", "A", "L1", "2027-01-01", 2, "available");
    put(f, "P1", "A", "L3", "2027-03-01", 5, "available");
    put(f, "R2", "A", "L0", "2026-12-15", 1, "available");
    put(f, "P2", "A", "LX", "", 10, "available");
    int64_t o1 = mk_order(f, "O-1", "ship_short");
    add_line(f, o1, 1, "A", 9, -1);
    wms_alloc_result r;
    assert_int_equal(wms_alloc_order(f->db, &sup, o1, &r, &f->err), 0);
    /* Earliest expiry first (R2 2026-12-15), then 2027-01-01 with the pick
     * face P2 before reserve R1, then L3. */
    assert_string_equal(allocs(f, o1, buf, sizeof(buf)), "R2:L0:1,P2:L1:2,R1:L1:4,P1:L3:2");
    assert_int_equal(r.orders, 1);
    assert_int_equal(r.nline, 1);
    assert_int_equal(r.line[0].requested, 9);
    assert_int_equal(r.line[0].allocated, 9);
    assert_int_equal(r.line[0].short_qty, 0);
    assert_int_equal(r.allocations, 4);
    assert_string_equal(r.line[0].sku, "A");
    assert_string_equal(order_status(f, o1, buf, sizeof(buf)), "allocated");
    assert_int_equal(reserved_of(f, "P1", "A", "L3"), 2);
    assert_int_equal(reserved_of(f, "R1", "A", "L1"), 4);
    check_invariant(f);

    /* A second order competes: the reserved units are not offered again;
     * the rest of L3 comes before the undated stock. */
    int64_t o2 = mk_order(f, "O-2", "ship_short");
    add_line(f, o2, 1, "A", 8, -1);
    assert_int_equal(wms_alloc_order(f->db, &sup, o2, &r, &f->err), 0);
    assert_string_equal(allocs(f, o2, buf, sizeof(buf)), "P1:L3:3,P2:LX:5");
    assert_int_equal(reserved_of(f, "P1", "A", "L3"), 5);
    assert_int_equal(reserved_of(f, "P2", "A", "LX"), 5);
    check_invariant(f);

    /* Allocating a non-released order again is refused and changes nothing. */
    assert_int_equal(wms_alloc_order(f->db, &sup, o2, &r, &f->err), WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "O-2"));
    assert_int_equal(wms_alloc_order(f->db, &sup, 999, &r, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM allocations"), 6);
    check_invariant(f);
}

static void test_shelf_life(void **state)
{
    fx *f = *state;
    char buf[512];
    /* today is 2026-11-23; +30 days = 2026-12-23. */
    put(f, "R1", "B", "S8", "2026-12-01", 5, "available");  /* 8 days left */
    put(f, "R1", "B", "S30", "2026-12-23", 2, "available"); /* exactly 30 days */
    put(f, "P1", "B", "S200", "2027-06-11", 3, "available");
    put(f, "P2", "B", "", "", 4, "available"); /* undated: always fine */
    int64_t o1 = mk_order(f, "SL-1", "ship_short");
    add_line(f, o1, 1, "B", 8, 30);
    assert_int_equal(wms_alloc_order(f->db, &sup, o1, NULL, &f->err), 0);
    assert_string_equal(allocs(f, o1, buf, sizeof(buf)), "R1:S30:2,P1:S200:3,P2::3");
    check_invariant(f);

    /* Too strict a minimum: only undated stock qualifies. */
    int64_t o2 = mk_order(f, "SL-2", "ship_short");
    add_line(f, o2, 1, "B", 3, 400);
    wms_alloc_result r;
    assert_int_equal(wms_alloc_order(f->db, &sup, o2, &r, &f->err), 0);
    assert_string_equal(allocs(f, o2, buf, sizeof(buf)), "P2::1");
    assert_int_equal(r.line[0].short_qty, 2);

    /* Without a minimum the short-dated lot is taken first (FEFO). */
    int64_t o3 = mk_order(f, "SL-3", "ship_short");
    add_line(f, o3, 1, "B", 2, -1);
    add_line(f, o3, 2, "B", 3, 0);
    assert_int_equal(wms_alloc_order(f->db, &sup, o3, &r, &f->err), 0);
    assert_string_equal(allocs(f, o3, buf, sizeof(buf)), "R1:S8:2,R1:S8:3");
    assert_int_equal(r.nline, 2);
    check_invariant(f);
}

static void test_never_allocated(void **state)
{
    fx *f = *state;
    char buf[512];
    put(f, "P1", "C", "EXP", "2026-11-01", 10, "available");   /* expired */
    put(f, "P1", "C", "TODAY", "2026-11-23", 10, "available"); /* expires today */
    put(f, "P2", "C", "HOLD", "2027-01-01", 10, "hold");
    put(f, "Q1", "C", "QUAR", "2027-01-01", 10, "quarantine");
    put(f, "Q1", "C", "QAV", "2027-01-01", 10, "available"); /* quarantine bin */
    put(f, "X1", "C", "BLK", "2027-01-01", 10, "available"); /* blocked bin */
    put(f, "S1", "C", "STG", "2027-01-01", 10, "available"); /* staging */
    put(f, "R1", "C", "GOOD", "2027-02-01", 1, "available");
    int64_t o = mk_order(f, "NV-1", "ship_short");
    add_line(f, o, 1, "C", 10, -1);
    wms_alloc_result r;
    assert_int_equal(wms_alloc_order(f->db, &sup, o, &r, &f->err), 0);
    assert_string_equal(allocs(f, o, buf, sizeof(buf)), "R1:GOOD:1");
    assert_int_equal(r.allocated, 1);
    assert_int_equal(r.short_qty, 9);
    assert_int_equal(fx_int(f, "SELECT short FROM order_lines WHERE order_id = %lld", (long long)o),
                     9);
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT group_concat(detail, '|') FROM events WHERE "
                                "kind = 'order.short' AND order_id = %lld",
                                (long long)o),
                        "line 1: 1 of 10 x C allocated; 9 short-shipped");
    assert_string_equal(order_status(f, o, buf, sizeof(buf)), "allocated");
    assert_int_equal(fx_int(f, "SELECT coalesce(sum(reserved), 0) FROM stock WHERE lot <> "
                               "'GOOD'"),
                     0);
    check_invariant(f);
}

static void test_short_policies(void **state)
{
    fx *f = *state;
    char buf[512];
    put(f, "P1", "D", "D1", "2027-01-01", 3, "available");
    int64_t bo = mk_order(f, "BO-1", "backorder");
    add_line(f, bo, 1, "B", 2, -1); /* no B at all */
    add_line(f, bo, 2, "D", 5, -1);
    wms_alloc_result r;
    assert_int_equal(wms_alloc_order(f->db, &sup, bo, &r, &f->err), 0);
    assert_int_equal(r.backordered, 4);
    assert_int_equal(r.short_qty, 0);
    assert_int_equal(r.line[1].backordered, 2);
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT group_concat(detail, '|') FROM (SELECT detail FROM "
                                "events WHERE kind = 'order.short' AND order_id = %lld "
                                "ORDER BY id)",
                                (long long)bo),
                        "line 1: 0 of 2 x B allocated; 2 backordered|"
                        "line 2: 3 of 5 x D allocated; 2 backordered");
    assert_int_equal(
        fx_int(f, "SELECT sum(backordered) FROM order_lines WHERE order_id = %lld", (long long)bo),
        4);
    assert_int_equal(
        fx_int(f, "SELECT sum(short) FROM order_lines WHERE order_id = %lld", (long long)bo), 0);
    assert_string_equal(order_status(f, bo, buf, sizeof(buf)), "allocated");
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT status || ':' || detail FROM events WHERE kind = "
                                "'order.status' AND order_id = %lld",
                                (long long)bo),
                        "allocated:3 of 7 units allocated");

    /* Nothing at all: ship_short -> 'short'; backorder -> stays released
     * and is allocated once stock arrives. */
    int64_t ss = mk_order(f, "SS-0", "ship_short");
    add_line(f, ss, 1, "B", 4, -1);
    assert_int_equal(wms_alloc_order(f->db, &sup, ss, &r, &f->err), 0);
    assert_string_equal(order_status(f, ss, buf, sizeof(buf)), "short");
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT detail FROM events WHERE kind = 'order.short' AND "
                                "order_id = %lld",
                                (long long)ss),
                        "line 1: 0 of 4 x B allocated; 4 short-shipped");
    int64_t b0 = mk_order(f, "BO-0", "backorder");
    add_line(f, b0, 1, "B", 4, -1);
    assert_int_equal(wms_alloc_order(f->db, &sup, b0, &r, &f->err), 0);
    assert_string_equal(order_status(f, b0, buf, sizeof(buf)), "released");
    assert_int_equal(
        fx_int(f, "SELECT backordered FROM order_lines WHERE order_id = %lld", (long long)b0), 4);
    put(f, "P2", "B", "NEW", "", 3, "available");
    assert_int_equal(wms_alloc_order(f->db, &sup, b0, &r, &f->err), 0);
    assert_string_equal(order_status(f, b0, buf, sizeof(buf)), "allocated");
    assert_int_equal(
        fx_int(f, "SELECT backordered FROM order_lines WHERE order_id = %lld", (long long)b0), 1);
    assert_int_equal(
        fx_int(f, "SELECT allocated FROM order_lines WHERE order_id = %lld", (long long)b0), 3);
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT detail FROM events WHERE kind = 'order.short' AND "
                                "order_id = %lld ORDER BY id DESC LIMIT 1",
                                (long long)b0),
                        "line 1: 3 of 4 x B allocated; 1 backordered");
    check_invariant(f);
}

static void test_wave_atomic_and_cancel(void **state)
{
    fx *f = *state;
    char buf[512];
    put(f, "P1", "A", "W1", "2027-01-01", 10, "available");
    fx_exec(f, "INSERT INTO waves(id, status, method, created) VALUES (7, 'planned', 'batch', "
               "'2026-11-23T08:00:00Z')");
    int64_t ids[3];
    ids[0] = mk_order(f, "WV-1", "ship_short");
    add_line(f, ids[0], 1, "A", 4, -1);
    ids[1] = mk_order(f, "WV-2", "ship_short");
    add_line(f, ids[1], 1, "A", 3, -1);
    ids[2] = mk_order(f, "WV-3", "ship_short");
    add_line(f, ids[2], 1, "A", 2, -1);
    fx_exec(f, "UPDATE orders SET status = 'held' WHERE id = %lld", (long long)ids[2]);
    wms_alloc_result r;
    /* One order is not released: the whole wave fails, nothing changes. */
    assert_int_equal(wms_alloc_wave(f->db, &sup, ids, 3, 7, &r, &f->err), WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "WV-3"));
    assert_int_equal(fx_int(f, "SELECT count(*) FROM allocations"), 0);
    assert_int_equal(reserved_of(f, "P1", "A", "W1"), 0);
    assert_int_equal(r.allocated, 0);
    assert_int_equal(wms_alloc_wave(f->db, &sup, ids, 2, 99, &r, &f->err), WMS_ENOT_FOUND);

    assert_int_equal(wms_alloc_wave(f->db, &sup, ids, 2, 7, &r, &f->err), 0);
    assert_int_equal(r.orders, 2);
    assert_int_equal(r.allocated, 7);
    assert_int_equal(r.nline, 2);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM allocations WHERE wave_id = 7"), 2);
    assert_int_equal(reserved_of(f, "P1", "A", "W1"), 7);
    check_invariant(f);

    /* Cancel WV-1: its pick task is cancelled and the units freed; a
     * partly picked allocation keeps what was picked. */
    int64_t a1 = fx_int(f, "SELECT id FROM allocations WHERE order_id = %lld", (long long)ids[0]);
    fx_exec(f,
            "INSERT INTO tasks(wave_id, kind, tour, seq, allocation_id, order_id, from_bin_id, "
            "item_id, lot, expiry, qty) SELECT 7, 'pick', 1, 1, id, order_id, bin_id, item_id, "
            "lot, expiry, qty FROM allocations WHERE id = %lld",
            (long long)a1);
    assert_int_equal(wms_alloc_cancel_order(f->db, &sup, ids[0], &f->err), 4);
    assert_int_equal(reserved_of(f, "P1", "A", "W1"), 3);
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT status FROM tasks WHERE "
                                "allocation_id = %lld",
                                (long long)a1),
                        "cancelled");
    assert_int_equal(
        fx_int(f, "SELECT allocated FROM order_lines WHERE order_id = %lld", (long long)ids[0]), 0);
    check_invariant(f);
    /* Simulate a pick of 1 of WV-2's 3 units (as the picking code would:
     * stock and reservation both drop), then cancel. */
    fx_exec(f,
            "UPDATE allocations SET picked = 1 WHERE order_id = %lld;"
            "UPDATE stock SET reserved = reserved - 1 WHERE lot = 'W1'",
            (long long)ids[1]);
    assert_int_equal(wms_alloc_cancel_order(f->db, &sup, ids[1], &f->err), 2);
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT status || ':' || qty FROM allocations WHERE order_id = "
                                "%lld",
                                (long long)ids[1]),
                        "picked:1");
    assert_int_equal(reserved_of(f, "P1", "A", "W1"), 0);
    assert_int_equal(wms_alloc_cancel_order(f->db, &sup, 12345, &f->err), WMS_ENOT_FOUND);
    check_invariant(f);
}

/* ---------------------------------------------------------------------- */
/* Concurrency                                                            */
/* ---------------------------------------------------------------------- */

static void test_two_connections(void **state)
{
    fx *f = *state;
    char buf[512];
    put(f, "P1", "C", "K1", "2027-01-01", 6, "available");
    put(f, "R1", "C", "K2", "2027-02-01", 4, "available");
    wms_db *db2;
    assert_int_equal(wms_db_open(f->path, 0, &db2, &f->err), 0);
    assert_int_equal(wms_db_set_today(db2, "2026-11-23"), 0);
    int64_t o[6];
    for (int i = 0; i < 6; i++) {
        char ref[32];
        snprintf(ref, sizeof(ref), "CC-%d", i);
        o[i] = mk_order(f, ref, "ship_short");
        add_line(f, o[i], 1, "C", 3, -1);
    }
    /* Interleaved: each connection sees what the other reserved. */
    for (int i = 0; i < 6; i++) {
        wms_db *d = (i % 2) ? db2 : f->db;
        assert_int_equal(wms_alloc_order(d, &sup, o[i], NULL, &f->err), 0);
        check_invariant(f);
    }
    assert_int_equal(fx_int(f, "SELECT sum(allocated) FROM order_lines"), 10);
    assert_int_equal(fx_int(f, "SELECT sum(short) FROM order_lines"), 8);
    /* 3 + 3 from P1 K1, then 3 + 1 from R1 K2, nothing for the last two. */
    assert_string_equal(allocs(f, o[1], buf, sizeof(buf)), "P1:K1:3");
    assert_string_equal(allocs(f, o[3], buf, sizeof(buf)), "R1:K2:1");
    assert_string_equal(order_status(f, o[4], buf, sizeof(buf)), "short");
    wms_db_close(db2);
}

typedef struct conc_arg {
    const char *path;
    const int64_t *orders;
    int n;
    atomic_int done;
    int failures;
} conc_arg;

/* Allocates its orders on its own connection. */
static void *conc_worker(void *p)
{
    conc_arg *a = p;
    wms_db *db;
    wms_error err;
    if (wms_db_open(a->path, 0, &db, &err) < 0) {
        a->failures = 1000;
        atomic_store(&a->done, 1);
        return NULL;
    }
    wms_db_set_today(db, "2026-11-23");
    for (int i = 0; i < a->n; i++)
        if (wms_alloc_order(db, &sup, a->orders[i], NULL, &err) < 0)
            a->failures++;
    wms_db_close(db);
    atomic_store(&a->done, 1);
    return NULL;
}

/* While one connection holds an open transaction with a reservation, a
 * second one waits (BEGIN IMMEDIATE + busy timeout) and then sees it. */
static void test_blocked_writer_waits(void **state)
{
    fx *f = *state;
    char buf[512];
    put(f, "P1", "C", "K1", "2027-01-01", 10, "available");
    int64_t o1 = mk_order(f, "BW-1", "ship_short"), o2 = mk_order(f, "BW-2", "backorder");
    add_line(f, o1, 1, "C", 8, -1);
    add_line(f, o2, 1, "C", 8, -1);
    assert_int_equal(wms_tx_begin(f->db, &f->err), 0);
    assert_int_equal(wms_alloc_order(f->db, &sup, o1, NULL, &f->err), 0);
    conc_arg a = {.path = f->path, .orders = &o2, .n = 1};
    atomic_init(&a.done, 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, conc_worker, &a), 0);
    usleep(300 * 1000);
    assert_int_equal(atomic_load(&a.done), 0); /* still waiting for the lock */
    assert_int_equal(wms_tx_commit(f->db, &f->err), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(a.failures, 0);
    assert_string_equal(allocs(f, o2, buf, sizeof(buf)), "P1:K1:2");
    assert_int_equal(
        fx_int(f, "SELECT backordered FROM order_lines WHERE order_id = %lld", (long long)o2), 6);
    assert_int_equal(reserved_of(f, "P1", "C", "K1"), 10);
    check_invariant(f);
}

/* Four threads, each with its own connection, allocate 40 competing orders
 * for 50 units: exactly the 50 units are allocated, never more. */
static void test_threads_never_oversell(void **state)
{
    fx *f = *state;
    put(f, "P1", "C", "T1", "2027-01-01", 17, "available");
    put(f, "P2", "C", "T2", "2027-01-05", 13, "available");
    put(f, "R1", "C", "T3", "", 20, "available");
    enum { THREADS = 4, PER = 10 };
    int64_t ids[THREADS][PER];
    for (int t = 0; t < THREADS; t++)
        for (int i = 0; i < PER; i++) {
            char ref[32];
            snprintf(ref, sizeof(ref), "TH-%d-%d", t, i);
            ids[t][i] = mk_order(f, ref, (i % 2) ? "backorder" : "ship_short");
            add_line(f, ids[t][i], 1, "C", 1 + (i % 3), -1);
            add_line(f, ids[t][i], 2, "C", 1, -1);
        }
    long long demand = fx_int(f, "SELECT sum(qty) FROM order_lines");
    assert_true(demand > 50);
    conc_arg a[THREADS];
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) {
        a[t] = (conc_arg){.path = f->path, .orders = ids[t], .n = PER};
        atomic_init(&a[t].done, 0);
        assert_int_equal(pthread_create(&th[t], NULL, conc_worker, &a[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(th[t], NULL), 0);
        assert_int_equal(a[t].failures, 0);
    }
    assert_int_equal(fx_int(f, "SELECT sum(allocated) FROM order_lines"), 50);
    assert_int_equal(fx_int(f, "SELECT sum(qty) FROM allocations WHERE status = 'open'"), 50);
    assert_int_equal(fx_int(f, "SELECT sum(short + backordered) FROM order_lines"), demand - 50);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM stock WHERE reserved <> qty"), 0);
    check_invariant(f);
}

/* ---------------------------------------------------------------------- */
/* Replenishment                                                          */
/* ---------------------------------------------------------------------- */

static void test_pickface_set(void **state)
{
    fx *f = *state;
    assert_int_equal(wms_pickface_set(f->db, "P1", "A", 5, 20, &f->err), WMS_PUT_INSERTED);
    assert_int_equal(wms_pickface_set(f->db, "P1", "A", 5, 20, &f->err), WMS_PUT_UNCHANGED);
    assert_int_equal(wms_pickface_set(f->db, "P1", "A", 4, 20, &f->err), WMS_PUT_UPDATED);
    assert_int_equal(wms_pickface_set(f->db, "R1", "A", 4, 20, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_pickface_set(f->db, "P1", "A", 21, 20, &f->err), WMS_EBAD_QTY);
    assert_int_equal(wms_pickface_set(f->db, "P1", "A", -1, 20, &f->err), WMS_EBAD_QTY);
    assert_int_equal(wms_pickface_set(f->db, "P1", "NOPE", 1, 2, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(wms_pickface_set(f->db, "NOPE", "A", 1, 2, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(fx_int(f, "SELECT min_qty * 1000 + max_qty FROM pick_faces"), 4020);
}

static void test_replenish_below_min(void **state)
{
    fx *f = *state;
    char buf[512];
    put(f, "P1", "A", "F1", "2027-04-01", 3, "available");
    put(f, "R1", "A", "L1", "2027-01-01", 10, "available");
    put(f, "R2", "A", "L0", "2026-12-15", 4, "available");
    put(f, "R2", "A", "OLD", "2026-11-20", 9, "available"); /* expired: never moved */
    assert_int_equal(wms_pickface_set(f->db, "P1", "A", 5, 20, &f->err), WMS_PUT_INSERTED);
    assert_int_equal(wms_pickface_set(f->db, "P2", "B", 1, 5, &f->err), WMS_PUT_INSERTED);
    wms_replenish_result r;
    assert_int_equal(wms_replenish_plan(f->db, &sup, 0, &r, &f->err), 0);
    /* P1: 3 < 5 -> 17 wanted, reserve holds 14: R2 L0 (FEFO) then R1.
     * P2/B: nothing anywhere -> an alert only. */
    assert_int_equal(r.created, 2);
    assert_int_equal(r.units, 14);
    assert_int_equal(r.alerts, 2);
    assert_int_equal(r.ntask, 2);
    assert_string_equal(r.task[0].from_bin, "R2");
    assert_string_equal(r.task[0].lot, "L0");
    assert_int_equal(r.task[0].qty, 4);
    assert_string_equal(r.task[1].from_bin, "R1");
    assert_int_equal(r.task[1].qty, 10);
    assert_string_equal(r.task[1].to_bin, "P1");
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT group_concat(detail, '|') FROM (SELECT detail FROM "
                                "events WHERE kind = 'replenish.alert' ORDER BY id)"),
                        "pick face P1 A: 3 available, below minimum 5: replenish 14 from R2,R1|"
                        "pick face P2 B: 0 available, below minimum 1: no reserve stock to "
                        "replenish from");
    int64_t t0 = r.task[0].task_id, t1 = r.task[1].task_id;
    /* Planned again: the open tasks cover the face, nothing is duplicated. */
    assert_int_equal(wms_replenish_plan(f->db, &sup, 0, &r, &f->err), 0);
    assert_int_equal(r.created + r.grown, 0);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM tasks WHERE kind = 'replenish'"), 2);

    /* An order takes 3 units of R2 L0 (FEFO): top-ups do not reserve. */
    int64_t o = mk_order(f, "RP-1", "ship_short");
    add_line(f, o, 1, "A", 3, -1);
    assert_int_equal(wms_alloc_order(f->db, &sup, o, NULL, &f->err), 0);
    assert_string_equal(allocs(f, o, buf, sizeof(buf)), "R2:L0:3");
    /* ... so R2 L0 has only 1 unreserved unit left: its task of 4 shrinks
     * to 1 at once (a replenishment never promises units an order has). */
    assert_int_equal(t0, fx_int(f, "SELECT id FROM tasks WHERE lot = 'L0'"));
    assert_int_equal(fx_int(f, "SELECT qty FROM tasks WHERE id = %lld", (long long)t0), 1);
    assert_int_equal(wms_replenish_done(f->db, &sup, t0, 4, &f->err), WMS_EBAD_QTY);
    assert_int_equal(wms_replenish_done(f->db, &sup, t0, 1, &f->err), 0);
    assert_int_equal(qty_of(f, "P1", "A", "L0"), 1);
    assert_int_equal(qty_of(f, "R2", "A", "L0"), 3);
    assert_int_equal(reserved_of(f, "R2", "A", "L0"), 3);
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT status || ':' || done_qty FROM tasks WHERE id = %lld",
                                (long long)t0),
                        "done:1");
    assert_int_equal(t1, fx_int(f, "SELECT id FROM tasks WHERE lot = 'L1'"));
    assert_int_equal(wms_replenish_done(f->db, &sup, t1, 11, &f->err), WMS_EBAD_QTY);
    assert_int_equal(wms_replenish_done(f->db, &sup, t1, 10, &f->err), 0);
    assert_int_equal(qty_of(f, "P1", "A", "L1"), 10);
    assert_int_equal(qty_of(f, "R1", "A", "L1"), 0);
    assert_string_equal(
        fx_text(f, buf, sizeof(buf), "SELECT status FROM tasks WHERE id = %lld", (long long)t1),
        "done");
    assert_int_equal(wms_replenish_done(f->db, &sup, t1, 1, &f->err), WMS_ECONFLICT);
    assert_int_equal(fx_int(f, "SELECT count(*) FROM journal WHERE kind = 'replenish'"), 2);
    check_invariant(f);
}

/* A wave allocates from reserve for an item with a pick face: the
 * replenishment carries the allocation, the pick depends on it and is
 * ordered after it, and completing it moves the reservation. */
static void test_replenish_wave(void **state)
{
    fx *f = *state;
    char buf[512];
    put(f, "P1", "A", "L5", "2027-05-01", 2, "available");
    put(f, "R1", "A", "L1", "2027-01-01", 10, "available");
    assert_int_equal(wms_pickface_set(f->db, "P1", "A", 2, 10, &f->err), WMS_PUT_INSERTED);
    fx_exec(f, "INSERT INTO waves(id, status, method, created) VALUES (3, 'planned', 'discrete', "
               "'2026-11-23T08:00:00Z')");
    int64_t o = mk_order(f, "RW-1", "ship_short");
    add_line(f, o, 1, "A", 6, -1);
    assert_int_equal(wms_alloc_wave(f->db, &sup, &o, 1, 3, NULL, &f->err), 0);
    assert_string_equal(allocs(f, o, buf, sizeof(buf)), "R1:L1:6");
    int64_t a = fx_int(f, "SELECT id FROM allocations WHERE order_id = %lld", (long long)o);
    /* Wave planning made the pick task (from the reserve bin). */
    fx_exec(f,
            "INSERT INTO tasks(wave_id, kind, tour, seq, allocation_id, order_id, from_bin_id, "
            "item_id, lot, expiry, qty) SELECT 3, 'pick', 1, 1, id, order_id, bin_id, item_id, "
            "lot, expiry, qty FROM allocations WHERE id = %lld",
            (long long)a);
    int64_t pick = fx_int(f, "SELECT id FROM tasks WHERE kind = 'pick'");
    wms_replenish_result r;
    assert_int_equal(wms_replenish_plan(f->db, &sup, 3, &r, &f->err), 0);
    /* Carries 6, tops the face (2 there) up to 10 with R1's 4 free units. */
    assert_int_equal(r.created, 1);
    assert_int_equal(r.picks_linked, 1);
    assert_int_equal(r.task[0].qty, 10);
    assert_int_equal(r.task[0].carried, 6);
    assert_int_equal(r.task[0].wave_id, 3);
    int64_t rt = r.task[0].task_id;
    assert_int_equal(fx_int(f, "SELECT depends_on FROM tasks WHERE id = %lld", (long long)pick),
                     rt);
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT b.code FROM tasks t JOIN bins b ON b.id = "
                                "t.from_bin_id WHERE t.id = %lld",
                                (long long)pick),
                        "P1");
    /* The task order returns the replenishment before the pick. */
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT group_concat(kind, ',') FROM (SELECT kind FROM tasks "
                                "WHERE wave_id = 3 ORDER BY tour, seq)"),
                        "replenish,pick");
    char want[160];
    snprintf(want, sizeof(want),
             "wave 3 needs 6 x A from reserve R1: replenish R1 -> P1, 10 units (task %lld)",
             (long long)rt);
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT group_concat(detail, '|') FROM events WHERE "
                                "kind = 'replenish.alert'"),
                        want);
    int64_t tid, bin_id;
    assert_int_equal(wms_replenish_for_allocation(f->db, a, &tid, &bin_id, &f->err), 0);
    assert_int_equal(tid, rt);
    assert_int_equal(bin_id, fx_int(f, "SELECT id FROM bins WHERE code = 'P1'"));
    /* Planning again changes nothing. */
    assert_int_equal(wms_replenish_plan(f->db, &sup, 3, &r, &f->err), 0);
    assert_int_equal(r.created + r.grown + r.picks_linked, 0);
    check_invariant(f);

    /* 5 units: the allocation of 6 does not fit and R1 has only 4 free. */
    assert_int_equal(wms_replenish_done(f->db, &sup, rt, 5, &f->err), WMS_EINSUFFICIENT_STOCK);
    assert_int_equal(qty_of(f, "R1", "A", "L1"), 10);
    /* 6 units: exactly the allocation, which moves to the pick face. */
    assert_int_equal(wms_replenish_done(f->db, &sup, rt, 6, &f->err), 0);
    assert_string_equal(allocs(f, o, buf, sizeof(buf)), "P1:L1:6");
    assert_int_equal(reserved_of(f, "P1", "A", "L1"), 6);
    assert_int_equal(reserved_of(f, "R1", "A", "L1"), 0);
    assert_int_equal(qty_of(f, "R1", "A", "L1"), 4);
    check_invariant(f);
    assert_int_equal(wms_replenish_done(f->db, &sup, rt, 4, &f->err), 0);
    assert_int_equal(qty_of(f, "P1", "A", "L1"), 10);
    assert_int_equal(qty_of(f, "R1", "A", "L1"), 0);
    assert_string_equal(
        fx_text(f, buf, sizeof(buf), "SELECT status FROM tasks WHERE id = %lld", (long long)rt),
        "done");
    assert_int_equal(wms_replenish_for_allocation(f->db, a, &tid, &bin_id, &f->err), 0);
    assert_int_equal(tid, 0);
    assert_int_equal(bin_id, fx_int(f, "SELECT id FROM bins WHERE code = 'P1'"));
    check_invariant(f);
}

/* A below-minimum top-up already open from the same reserve quant is
 * adopted by the wave (one task, qty grows) instead of a second task; a
 * pick whose allocation the replenishment does not carry goes back to its
 * reserve bin when the replenishment finishes. */
static void test_replenish_adopt_and_unlink(void **state)
{
    fx *f = *state;
    char buf[512];
    put(f, "P1", "B", "", "", 1, "available");
    put(f, "R1", "B", "RB", "2027-01-01", 20, "available");
    assert_int_equal(wms_pickface_set(f->db, "P1", "B", 2, 5, &f->err), WMS_PUT_INSERTED);
    wms_replenish_result r;
    assert_int_equal(wms_replenish_plan(f->db, &sup, 0, &r, &f->err), 0);
    assert_int_equal(r.created, 1);
    assert_int_equal(r.task[0].qty, 4); /* 1 -> 5 */
    int64_t rt = r.task[0].task_id;

    fx_exec(f, "INSERT INTO waves(id, status, method, created) VALUES (4, 'planned', 'batch', "
               "'2026-11-23T08:00:00Z')");
    int64_t o[2];
    o[0] = mk_order(f, "AD-1", "ship_short");
    add_line(f, o[0], 1, "B", 3, -1);
    o[1] = mk_order(f, "AD-2", "ship_short");
    add_line(f, o[1], 1, "B", 5, -1);
    assert_int_equal(wms_alloc_wave(f->db, &sup, o, 2, 4, NULL, &f->err), 0);
    /* FEFO: the dated reserve lot before the undated face stock. */
    assert_string_equal(allocs(f, o[0], buf, sizeof(buf)), "R1:RB:3");
    assert_string_equal(allocs(f, o[1], buf, sizeof(buf)), "R1:RB:5");
    fx_exec(f, "INSERT INTO tasks(wave_id, kind, tour, seq, allocation_id, order_id, "
               "from_bin_id, item_id, lot, expiry, qty) SELECT 4, 'pick', 1, id, id, order_id, "
               "bin_id, item_id, lot, expiry, qty FROM allocations WHERE wave_id = 4");
    assert_int_equal(wms_replenish_plan(f->db, &sup, 4, &r, &f->err), 0);
    assert_int_equal(r.created, 0);
    assert_int_equal(r.grown, 1);
    assert_int_equal(r.picks_linked, 2);
    assert_int_equal(r.task[0].task_id, rt);
    assert_int_equal(r.task[0].qty, 12); /* 8 carried + the 4 top-up */
    assert_int_equal(fx_int(f, "SELECT count(*) FROM tasks WHERE kind = 'replenish'"), 1);
    assert_int_equal(fx_int(f, "SELECT wave_id FROM tasks WHERE id = %lld", (long long)rt), 4);
    assert_true(fx_int(f, "SELECT seq FROM tasks WHERE id = %lld", (long long)rt) < 0);
    check_invariant(f);

    /* 7 moved: carries the first allocation (3) + 4 free; the 5 does not
     * fit.  Then 5 more completes the task: it carries the second one. */
    assert_int_equal(wms_replenish_done(f->db, &sup, rt, 7, &f->err), 0);
    assert_string_equal(allocs(f, o[0], buf, sizeof(buf)), "P1:RB:3");
    assert_string_equal(allocs(f, o[1], buf, sizeof(buf)), "R1:RB:5");
    assert_int_equal(reserved_of(f, "P1", "B", "RB"), 3);
    assert_int_equal(reserved_of(f, "R1", "B", "RB"), 5);
    check_invariant(f);
    /* The task is cut to 11 (as a supervisor would shorten it): the last
     * 4 units are free stock (R1 holds 13, 5 reserved: 8 free). */
    fx_exec(f, "UPDATE tasks SET qty = 11 WHERE id = %lld", (long long)rt);
    assert_int_equal(wms_replenish_done(f->db, &sup, rt, 4, &f->err), 0);
    /* The 5-unit allocation was not carried: its pick returns to R1. */
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT b.code || ':' || coalesce(t.depends_on, 0) FROM tasks t "
                                "JOIN bins b ON b.id = t.from_bin_id WHERE t.kind = 'pick' AND "
                                "t.order_id = %lld",
                                (long long)o[1]),
                        "R1:0");
    char want[64];
    snprintf(want, sizeof(want), "P1:%lld", (long long)rt);
    assert_string_equal(fx_text(f, buf, sizeof(buf),
                                "SELECT b.code || ':' || t.depends_on FROM tasks t "
                                "JOIN bins b ON b.id = t.from_bin_id WHERE t.kind = 'pick' AND "
                                "t.order_id = %lld",
                                (long long)o[0]),
                        want);
    assert_int_equal(qty_of(f, "P1", "B", "RB"), 11);
    check_invariant(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fefo_order, alloc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_shelf_life, alloc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_never_allocated, alloc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_short_policies, alloc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_wave_atomic_and_cancel, alloc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_two_connections, alloc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_blocked_writer_waits, alloc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_threads_never_oversell, alloc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_pickface_set, alloc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_replenish_below_min, alloc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_replenish_wave, alloc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_replenish_adopt_and_unlink, alloc_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
