/* test_order.c - customers, orders, review holds, gifts, release/cancel, order import. */
#include "fixture.h"
#include "store/order.h"

static const wms_actor WHO = {"alice", "RF-01", NULL};

/* Runs SQL (no result) on a second connection. */
static void sql_exec(fx *f, const char *sql)
{
    sqlite3 *s;
    assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
    sqlite3_busy_timeout(s, 2000);
    char *msg = NULL;
    int rc = sqlite3_exec(s, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("SQL failed: %s: %s", msg ? msg : "?", sql);
    sqlite3_close(s);
}

static int verify(fx *f)
{
    return wms_stock_verify(f->db, NULL, NULL, &f->err);
}

/* Quants whose reserved count differs from their open allocations. */
static long long invariant_breaks(fx *f)
{
    return fx_sql_int(f, "SELECT count(*) FROM stock s WHERE s.status = 'available' AND "
                         "s.reserved <> (SELECT coalesce(sum(a.qty - a.picked), 0) FROM "
                         "allocations a WHERE a.status = 'open' AND a.bin_id = s.bin_id AND "
                         "a.item_id = s.item_id AND a.lot = s.lot AND a.expiry = s.expiry)");
}

static int setup(void **state)
{
    fx_setup(state);
    fx *f = *state;
    assert_int_equal(fx_import(f, "customers",
                               "customer,name,credit,hold_value\n"
                               "CG,Green Grocers,green,\n"
                               "CY,Yellow Yachts,yellow,1000.00\n"
                               "CR,Red Rabbits,red,\n"
                               "CN,Yellow no limit,yellow,\n",
                               0),
                     0);
    return 0;
}

/* An order with a complete ship-to. */
static wms_order_in order_of(const char *ref, const char *cust, const wms_order_line_in *l, int n)
{
    wms_order_in o;
    memset(&o, 0, sizeof(o));
    o.ref = ref;
    o.customer = cust;
    o.carrier = "DHL";
    o.cutoff = "2026-11-23T14:00:00+01:00";
    o.ship_name = "Jane Doe";
    o.ship_street = "1 Main Street";
    o.ship_city = "Springfield";
    o.ship_postcode = "12345";
    o.ship_country = "US";
    o.lines = l;
    o.n = n;
    return o;
}

/* One-line order of qty x sku at a price; returns wms_order_create's rc. */
static int order1(fx *f, const char *ref, const char *cust, const char *sku, int64_t qty,
                  int64_t price, wms_order_result *res)
{
    wms_order_line_in l = {1, sku, qty, price, -1};
    wms_order_in o = order_of(ref, cust, &l, 1);
    wms_error_clear(&f->err);
    return wms_order_create(f->db, &WHO, &o, res, &f->err);
}

typedef struct evbuf {
    char seq[512];
    wms_event last_gift;
    int n;
} evbuf;

static int ev_cb(void *ctx, const wms_event *e)
{
    evbuf *b = ctx;
    size_t len = strlen(b->seq);
    const char *what = e->status;
    char tmp[40];
    if (!strcmp(e->kind, "order.hold"))
        what = "hold";
    else if (!strcmp(e->kind, "gift.rule")) {
        snprintf(tmp, sizeof(tmp), "gift-%s", e->status);
        what = tmp;
        b->last_gift = *e;
    }
    snprintf(b->seq + len, sizeof(b->seq) - len, "%s%s", len ? ">" : "", what);
    b->n++;
    return 0;
}

/* The order's events as "received>held>hold>released". */
static const char *events_of(fx *f, const char *ref, evbuf *b)
{
    memset(b, 0, sizeof(*b));
    assert_true(wms_event_list(f->db, 0, ref, 1000, ev_cb, b, &f->err) >= 0);
    return b->seq;
}

static void test_money_and_customers(void **state)
{
    fx *f = *state;
    int64_t c;
    assert_int_equal(wms_money_parse("1234.5", WMS_MONEY_MAX_CENTS, &c), 1);
    assert_int_equal(c, 123450);
    assert_int_equal(wms_money_parse(" 0.99 ", WMS_MONEY_MAX_CENTS, &c), 1);
    assert_int_equal(c, 99);
    assert_int_equal(wms_money_parse("7", WMS_MONEY_MAX_CENTS, &c), 1);
    assert_int_equal(c, 700);
    assert_int_equal(wms_money_parse("", WMS_MONEY_MAX_CENTS, &c), 0);
    assert_int_equal(wms_money_parse("1.234", WMS_MONEY_MAX_CENTS, &c), WMS_EBAD_ARGS);
    assert_int_equal(wms_money_parse("-1", WMS_MONEY_MAX_CENTS, &c), WMS_EBAD_ARGS);
    assert_int_equal(wms_money_parse("1,5", WMS_MONEY_MAX_CENTS, &c), WMS_EBAD_ARGS);
    assert_int_equal(wms_money_parse("12.", WMS_MONEY_MAX_CENTS, &c), WMS_EBAD_ARGS);
    assert_int_equal(wms_money_parse("10.01", 1000, &c), WMS_EBAD_ARGS);

    wms_customer cu;
    assert_int_equal(wms_customer_get(f->db, "CY", &cu, &f->err), 0);
    assert_string_equal(cu.credit, "yellow");
    assert_int_equal(cu.hold_value_cents, 100000);
    assert_int_equal(wms_customer_get(f->db, "CG", &cu, &f->err), 0);
    assert_int_equal(cu.hold_value_cents, -1);
    assert_int_equal(wms_customer_get(f->db, "NOPE", &cu, &f->err), WMS_ENOT_FOUND);

    assert_int_equal(wms_customer_put(f->db, "CG", "Green Grocers", "green", -1, 0, &f->err),
                     WMS_PUT_UNCHANGED);
    assert_int_equal(wms_customer_put(f->db, "CG", "Green Grocers", "red", -1, 0, &f->err),
                     WMS_ECONFLICT);
    assert_int_equal(wms_customer_put(f->db, "CG", "Green Grocers", "red", -1, 1, &f->err),
                     WMS_PUT_UPDATED);
    assert_int_equal(wms_customer_put(f->db, "CG", "Green Grocers", "green", -1, 1, &f->err),
                     WMS_PUT_UPDATED);
    assert_int_equal(wms_customer_put(f->db, "CX", "X", "blue", -1, 0, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_customer_put(f->db, "C X", "X", "red", -1, 0, &f->err), WMS_EBAD_ARGS);

    /* Import: a bad hold value names line and column; the whole file is refused. */
    assert_int_equal(fx_import(f, "customers",
                               "customer,name,credit,hold_value\nC5,Five,green,\nC6,Six,yellow,"
                               "12.345\n",
                               0),
                     WMS_EBAD_CSV);
    assert_non_null(strstr(f->err.msg, "line 3, column hold_value"));
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM customers WHERE code = 'C5'"), 0);
    /* A contradicting row is refused without --update, taken with it. */
    assert_int_equal(fx_import(f, "customers",
                               "customer,name,credit,hold_value\nCY,Yellow Yachts,"
                               "yellow,2000\n",
                               0),
                     WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "line 2"));
    assert_int_equal(fx_import(f, "customers",
                               "customer,name,credit,hold_value\nCY,Yellow Yachts,"
                               "yellow,2000\n",
                               1),
                     0);
    assert_int_equal(fx_sql_int(f, "SELECT hold_value_cents FROM customers WHERE code = 'CY'"),
                     200000);

    /* Export writes what import reads. */
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_int_equal(wms_export(f->db, "customers", out, 0, &f->err), 4);
    fclose(out);
    assert_non_null(strstr(buf, "customer,name,credit,hold_value\n"));
    assert_non_null(strstr(buf, "CY,Yellow Yachts,yellow,2000.0\n"));
    assert_int_equal(fx_import(f, "customers", buf, 0), 0);
    free(buf);
}

static void test_green_released_with_cutoff(void **state)
{
    fx *f = *state;
    wms_order_result r;
    wms_order_line_in l[2] = {{1, "A", 5, 250, 30}, {2, "B", 1, 0, -1}};
    wms_order_in o = order_of("SO-1", "CG", l, 2);
    o.priority = 2;
    o.short_policy = "backorder";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_true(r.order_id > 0);
    assert_string_equal(r.status, "released");
    assert_string_equal(r.hold_reason, "");
    assert_int_equal(r.lines, 2);
    assert_int_equal(r.gift_lines, 0);
    evbuf b;
    assert_string_equal(events_of(f, "SO-1", &b), "received>released");
    assert_int_equal(fx_sql_int(f, "SELECT cutoff_ms FROM orders WHERE ref = 'SO-1'"),
                     1795438800000LL);

    wms_order_info *info = calloc(1, sizeof(*info));
    assert_non_null(info);
    assert_int_equal(wms_order_get(f->db, "SO-1", info, &f->err), 0);
    assert_string_equal(info->status, "released");
    assert_string_equal(info->customer, "CG");
    assert_string_equal(info->short_policy, "backorder");
    assert_int_equal(info->priority, 2);
    assert_int_equal(info->lines, 2);
    assert_int_equal(info->units, 6);
    assert_int_equal(info->value_cents, 1250);
    assert_int_equal(info->line[0].min_shelf_life_days, 30);
    assert_int_equal(info->line[1].min_shelf_life_days, -1);
    assert_int_equal(info->n_history, 2);
    assert_string_equal(info->history[0].status, "received");
    assert_string_equal(info->history[0].user, "alice");
    assert_string_equal(info->history[0].device, "RF-01");
    assert_string_equal(info->history[1].status, "released");
    assert_true(strcmp(info->history[0].ts, info->history[1].ts) <= 0);
    free(info);

    /* Other cutoff forms; bad ones are refused. */
    wms_order_line_in one = {1, "A", 1, 0, -1};
    o = order_of("SO-2", "CG", &one, 1);
    o.cutoff = "2026-11-23T14:00:00Z";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, NULL, &f->err), 0);
    assert_int_equal(fx_sql_int(f, "SELECT cutoff_ms FROM orders WHERE ref = 'SO-2'"),
                     1795442400000LL);
    o.ref = "SO-3";
    o.cutoff = "2026-11-23T15:00:15.25-05:30";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, NULL, &f->err), 0);
    assert_int_equal(fx_sql_int(f, "SELECT cutoff_ms FROM orders WHERE ref = 'SO-3'"),
                     1795465815250LL);
    static const char *const bad[] = {"2026-11-23T14:00:00",       "2026-11-23 14:00:00Z",
                                      "2026-02-30T14:00:00Z",      "2026-11-23T24:00:00Z",
                                      "2026-11-23T14:00:00+25:00", "tomorrow"};
    o.ref = "SO-4";
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        o.cutoff = bad[i];
        assert_int_equal(wms_order_create(f->db, &WHO, &o, NULL, &f->err), WMS_EBAD_ARGS);
        assert_non_null(strstr(f->err.msg, "cutoff"));
    }
    o.cutoff = "";
    o.priority = 10;
    assert_int_equal(wms_order_create(f->db, &WHO, &o, NULL, &f->err), WMS_EBAD_ARGS);
    o.priority = 0;
    o.short_policy = "sometimes";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, NULL, &f->err), WMS_EBAD_ARGS);
    o.short_policy = NULL;
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_int_equal(fx_sql_int(f, "SELECT priority = 3 AND short_policy = 'ship_short' AND "
                                   "cutoff_ms IS NULL FROM orders WHERE ref = 'SO-4'"),
                     1);
}

static void test_red_and_yellow(void **state)
{
    fx *f = *state;
    wms_order_result r;
    evbuf b;
    assert_int_equal(order1(f, "R-1", "CR", "A", 1, 0, &r), 0);
    assert_string_equal(r.status, "held");
    assert_string_equal(r.hold_reason, "customer CR has credit class red");
    assert_string_equal(events_of(f, "R-1", &b), "received>held>hold");
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM orders WHERE ref = 'R-1' AND "
                                   "status = 'held' AND hold_reason LIKE '%credit class red'"),
                     1);

    /* Yellow, limit 1000.00: 1234.50 is above, exactly 1000.00 is not. */
    assert_int_equal(order1(f, "Y-1", "CY", "A", 3, 41150, &r), 0);
    assert_string_equal(r.status, "held");
    assert_string_equal(r.hold_reason,
                        "order value 1234.50 above the 1000.00 limit of yellow customer CY");
    assert_int_equal(order1(f, "Y-2", "CY", "A", 4, 25000, &r), 0);
    assert_string_equal(r.status, "released");
    assert_int_equal(order1(f, "Y-3", "CY", "A", 1, 100001, &r), 0);
    assert_string_equal(r.status, "held");
    /* Yellow without a hold value: limit 0.00 (fails closed); unpriced passes. */
    assert_int_equal(order1(f, "N-1", "CN", "A", 1, 1, &r), 0);
    assert_string_equal(r.status, "held");
    assert_non_null(strstr(r.hold_reason, "above the 0.00 limit of yellow customer CN"));
    assert_int_equal(order1(f, "N-2", "CN", "A", 1, 0, &r), 0);
    assert_string_equal(r.status, "released");
    /* Green: no credit check whatever the value. */
    assert_int_equal(order1(f, "G-1", "CG", "A", 1000, 9999999, &r), 0);
    assert_string_equal(r.status, "released");
}

static void test_unusual_quantity(void **state)
{
    fx *f = *state;
    wms_order_result r;
    /* No history: 500 is not judged. */
    assert_int_equal(order1(f, "U-0", "CG", "A", 500, 0, &r), 0);
    assert_string_equal(r.status, "released");
    sql_exec(f, "UPDATE orders SET status = 'cancelled' WHERE ref = 'U-0'");
    /* Cancelled orders are no history; two earlier lines are not enough. */
    assert_int_equal(order1(f, "U-1", "CG", "A", 12, 0, &r), 0);
    assert_int_equal(order1(f, "U-2", "CG", "A", 10, 0, &r), 0);
    assert_int_equal(order1(f, "U-3", "CG", "A", 500, 0, &r), 0);
    assert_string_equal(r.status, "released");
    sql_exec(f, "UPDATE orders SET status = 'cancelled' WHERE ref = 'U-3'");
    assert_int_equal(order1(f, "U-4", "CG", "A", 14, 0, &r), 0);
    /* History 12, 10, 14: usual 12.  60 = 5 x 12 is not far above; 61 is. */
    assert_int_equal(order1(f, "U-5", "CG", "A", 60, 0, &r), 0);
    assert_string_equal(r.status, "released");
    wms_order_line_in l[2] = {{1, "B", 1, 0, -1}, {2, "A", 500, 0, -1}};
    wms_order_in o = order_of("U-6", "CG", l, 2);
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_string_equal(r.status, "held");
    /* history now 12, 10, 14, 60: median (12 + 14) / 2 = 13 */
    assert_string_equal(r.hold_reason, "line 2: 500 x A is far above this customer's usual 13");
    /* Another customer has no history of A. */
    assert_int_equal(order1(f, "U-7", "CY", "A", 500, 0, &r), 0);
    assert_string_equal(r.status, "released");
    /* Small usual quantities need an excess of at least 10. */
    for (int i = 0; i < 3; i++) {
        char ref[16];
        snprintf(ref, sizeof(ref), "S-%d", i);
        assert_int_equal(order1(f, ref, "CG", "C", 1, 0, &r), 0);
    }
    assert_int_equal(order1(f, "S-3", "CG", "C", 10, 0, &r), 0);
    assert_string_equal(r.status, "released");
    assert_int_equal(order1(f, "S-4", "CG", "C", 11, 0, &r), 0);
    assert_string_equal(r.status, "held");
    assert_string_equal(r.hold_reason, "line 1: 11 x C is far above this customer's usual 1");
}

static void test_ship_to_and_multiple_reasons(void **state)
{
    fx *f = *state;
    wms_order_result r;
    wms_order_line_in one = {1, "A", 2, 0, -1};
    wms_order_in o = order_of("T-1", "CG", &one, 1);
    o.ship_city = "";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_string_equal(r.status, "held");
    assert_string_equal(r.hold_reason, "ship-to incomplete: city missing");
    o.ref = "T-2";
    o.ship_city = "Springfield";
    o.ship_name = "  ";
    o.ship_country = NULL;
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_string_equal(r.hold_reason, "ship-to incomplete: name, country missing");

    /* Red + unusual quantity + ship-to: all three, in that order. */
    for (int i = 0; i < 3; i++) {
        char ref[16];
        snprintf(ref, sizeof(ref), "M-%d", i);
        assert_int_equal(order1(f, ref, "CR", "B", 2, 0, &r), 0);
        assert_string_equal(r.status, "held");
    }
    wms_order_line_in l[2] = {{1, "A", 1, 0, -1}, {2, "B", 400, 0, -1}};
    o = order_of("M-9", "CR", l, 2);
    o.ship_postcode = "";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_string_equal(r.hold_reason,
                        "customer CR has credit class red; line 2: 400 x B is far above this "
                        "customer's usual 2; ship-to incomplete: postcode missing");
    evbuf b;
    assert_string_equal(events_of(f, "M-9", &b), "received>held>hold");

    /* Many reasons: the stored reason is capped and says how many were left out. */
    static wms_order_line_in many[30];
    for (int i = 0; i < 30; i++)
        many[i] = (wms_order_line_in){i + 1, "B", 500, 0, -1};
    o = order_of("M-10", "CG", many, 30);
    for (int i = 0; i < 3; i++) {
        char ref[16];
        snprintf(ref, sizeof(ref), "MG-%d", i);
        assert_int_equal(order1(f, ref, "CG", "B", 2, 0, &r), 0);
    }
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_string_equal(r.status, "held");
    long long len = fx_sql_int(f, "SELECT length(hold_reason) FROM orders WHERE ref = 'M-10'");
    assert_true(len > 200 && len <= WMS_HOLD_REASON_MAX);
    assert_int_equal(fx_sql_int(f, "SELECT hold_reason LIKE '%more)' FROM orders WHERE "
                                   "ref = 'M-10'"),
                     1);
}

static void test_bad_orders_rejected(void **state)
{
    fx *f = *state;
    wms_order_result r;
    assert_int_equal(order1(f, "D-1", "CG", "A", 1, 0, &r), 0);
    long long events = fx_sql_int(f, "SELECT count(*) FROM events");
    /* Duplicate ref. */
    assert_int_equal(order1(f, "D-1", "CG", "B", 1, 0, &r), WMS_EEXISTS);
    /* Unknown customer. */
    assert_int_equal(order1(f, "D-2", "NOBODY", "A", 1, 0, &r), WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "NOBODY"));
    /* A bad line rejects the order and names the line. */
    wms_order_line_in l[3] = {{1, "A", 1, 0, -1}, {2, "B", 2, 0, -1}, {3, "X", 1, 0, -1}};
    wms_order_in o = order_of("D-3", "CG", l, 3);
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), WMS_ENOT_FOUND);
    assert_string_equal(f->err.msg, "line 3: unknown SKU 'X'");
    l[2].sku = "C";
    l[1].qty = 0;
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), WMS_EBAD_QTY);
    assert_non_null(strstr(f->err.msg, "line 2:"));
    l[1].qty = WMS_QTY_MAX + 1;
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), WMS_EBAD_QTY);
    l[1].qty = 2;
    l[2].line = 1;
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), WMS_EBAD_ARGS);
    assert_non_null(strstr(f->err.msg, "line 1 appears twice"));
    l[2].line = 3;
    l[2].min_shelf_life_days = -5;
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), WMS_EBAD_ARGS);
    assert_non_null(strstr(f->err.msg, "line 3: minimum shelf life"));
    l[2].min_shelf_life_days = -1;
    o.n = 0;
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), WMS_EBAD_ARGS);
    o.n = 3;
    o.ref = "bad ref";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), WMS_EBAD_ARGS);
    /* Nothing of the refused orders was stored. */
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM orders"), 1);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM order_lines"), 1);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM events"), events);
    o.ref = "D-3";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_int_equal(r.lines, 3);
}

static void test_release_and_cancel(void **state)
{
    fx *f = *state;
    wms_order_result r;
    evbuf b;
    assert_int_equal(order1(f, "H-1", "CR", "A", 1, 0, &r), 0);
    assert_int_equal(wms_order_release(f->db, &WHO, "H-1", &f->err), 0);
    assert_string_equal(events_of(f, "H-1", &b), "received>held>hold>released");
    assert_int_equal(wms_order_release(f->db, &WHO, "H-1", &f->err), WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "released, not held"));
    assert_int_equal(wms_order_release(f->db, &WHO, "NOPE", &f->err), WMS_ENOT_FOUND);

    /* Cancel a held order. */
    assert_int_equal(order1(f, "H-2", "CR", "A", 1, 0, &r), 0);
    assert_int_equal(wms_order_cancel(f->db, &WHO, "H-2", "customer asked", &f->err), 0);
    assert_string_equal(events_of(f, "H-2", &b), "received>held>hold>cancelled");
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM events e JOIN orders o ON "
                                   "o.id = e.order_id WHERE o.ref = 'H-2' AND "
                                   "e.detail = 'cancelled: customer asked'"),
                     1);
    assert_int_equal(wms_order_cancel(f->db, &WHO, "H-2", NULL, &f->err), WMS_ECONFLICT);
    assert_int_equal(wms_order_release(f->db, &WHO, "H-2", &f->err), WMS_ECONFLICT);

    /* An allocated order: two allocations of it (one partly on a quant another
     * order also reserves) and an open pick task, made by SQL. */
    assert_int_equal(fx_import(f, "stock",
                               "bin,sku,lot,expiry,qty,status\n"
                               "P1,A,L1,2027-06-30,50,\n"
                               "R1,A,L2,2027-08-31,40,\n",
                               0),
                     0);
    assert_int_equal(order1(f, "AL-1", "CG", "A", 30, 0, &r), 0);
    assert_int_equal(order1(f, "AL-2", "CG", "A", 5, 0, &r), 0);
    sql_exec(f, "INSERT INTO allocations(order_id, line, bin_id, item_id, lot, expiry, qty) "
                "SELECT o.id, 1, b.id, i.id, 'L1', '2027-06-30', 20 FROM orders o, bins b, items i "
                "WHERE o.ref = 'AL-1' AND b.code = 'P1' AND i.sku = 'A';"
                "INSERT INTO allocations(order_id, line, bin_id, item_id, lot, expiry, qty) "
                "SELECT o.id, 1, b.id, i.id, 'L2', '2027-08-31', 10 FROM orders o, bins b, items i "
                "WHERE o.ref = 'AL-1' AND b.code = 'R1' AND i.sku = 'A';"
                "INSERT INTO allocations(order_id, line, bin_id, item_id, lot, expiry, qty) "
                "SELECT o.id, 1, b.id, i.id, 'L1', '2027-06-30', 5 FROM orders o, bins b, items i "
                "WHERE o.ref = 'AL-2' AND b.code = 'P1' AND i.sku = 'A';"
                "UPDATE stock SET reserved = 25 WHERE lot = 'L1';"
                "UPDATE stock SET reserved = 10 WHERE lot = 'L2';"
                "UPDATE order_lines SET allocated = 30 WHERE order_id = "
                "(SELECT id FROM orders WHERE ref = 'AL-1');"
                "UPDATE order_lines SET allocated = 5 WHERE order_id = "
                "(SELECT id FROM orders WHERE ref = 'AL-2');"
                "UPDATE orders SET status = 'allocated' WHERE ref IN ('AL-1', 'AL-2');"
                "INSERT INTO tasks(kind, status, allocation_id, order_id, from_bin_id, item_id, "
                "lot, expiry, qty) SELECT 'pick', 'open', a.id, a.order_id, a.bin_id, a.item_id, "
                "a.lot, a.expiry, a.qty FROM allocations a;");
    assert_int_equal(invariant_breaks(f), 0);
    assert_int_equal(wms_order_cancel(f->db, &WHO, "AL-1", NULL, &f->err), 0);
    assert_int_equal(fx_sql_int(f, "SELECT reserved FROM stock WHERE lot = 'L1'"), 5);
    assert_int_equal(fx_sql_int(f, "SELECT reserved FROM stock WHERE lot = 'L2'"), 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM allocations a JOIN orders o ON "
                                   "o.id = a.order_id WHERE o.ref = 'AL-1' AND "
                                   "a.status = 'cancelled'"),
                     2);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM allocations WHERE status = 'open'"), 1);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM tasks t JOIN orders o ON o.id = "
                                   "t.order_id WHERE o.ref = 'AL-1' AND t.status = 'cancelled'"),
                     2);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM tasks t JOIN orders o ON o.id = "
                                   "t.order_id WHERE o.ref = 'AL-2' AND t.status = 'open'"),
                     1);
    assert_int_equal(fx_sql_int(f, "SELECT allocated FROM order_lines l JOIN orders o ON "
                                   "o.id = l.order_id WHERE o.ref = 'AL-1'"),
                     0);
    assert_int_equal(invariant_breaks(f), 0);
    assert_string_equal(events_of(f, "AL-1", &b), "received>released>cancelled");

    /* Picking started: refused, nothing changes. */
    sql_exec(f, "UPDATE allocations SET picked = 2 WHERE order_id = "
                "(SELECT id FROM orders WHERE ref = 'AL-2');"
                "UPDATE stock SET reserved = 3 WHERE lot = 'L1';");
    assert_int_equal(wms_order_cancel(f->db, &WHO, "AL-2", NULL, &f->err), WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "picked"));
    assert_int_equal(fx_sql_int(f, "SELECT reserved FROM stock WHERE lot = 'L1'"), 3);
    sql_exec(f, "UPDATE orders SET status = 'picking' WHERE ref = 'H-1'");
    assert_int_equal(wms_order_cancel(f->db, &WHO, "H-1", NULL, &f->err), WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "picking"));
    assert_int_equal(wms_order_cancel(f->db, &WHO, "NOPE", NULL, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(invariant_breaks(f), 0);
    assert_int_equal(verify(f), 0);
}

static int rule_cb(void *ctx, const wms_gift_rule *g)
{
    *(wms_gift_rule *)ctx = *g;
    return 1;
}

static void test_gift_rules(void **state)
{
    fx *f = *state;
    wms_order_result r;
    evbuf b;
    /* 100 unreserved units of gift B; an expired lot and a held lot do not count. */
    assert_int_equal(fx_import(f, "stock",
                               "bin,sku,lot,expiry,qty,status\n"
                               "R1,B,G1,2027-01-31,100,\n"
                               "R1,B,G0,2026-11-01,500,\n"
                               "P2,B,G2,2027-01-31,500,hold\n",
                               0),
                     0);
    int id = wms_gift_rule_put(f->db, "A", "B", 2, 50, &f->err);
    assert_true(id > 0);
    assert_int_equal(wms_gift_rule_put(f->db, "A", "B", 2, 50, &f->err), id);
    assert_int_equal(wms_gift_rule_put(f->db, "A", "A", 1, 0, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_gift_rule_put(f->db, "A", "NOPE", 1, 0, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(wms_gift_rule_put(f->db, "A", "C", 0, 0, &f->err), WMS_EBAD_ARGS);
    wms_gift_rule g;
    assert_int_equal(wms_gift_rule_list(f->db, rule_cb, &g, &f->err), 1);
    assert_int_equal(g.unreserved, 100);
    assert_int_equal(g.owed, 0);
    assert_int_equal(g.active, 1);

    /* 10 x A -> 20 x B: 100 - 20 = 80 left, above 50. */
    wms_order_line_in l[2] = {{1, "C", 1, 0, -1}, {7, "A", 10, 500, -1}};
    wms_order_in o = order_of("GW-1", "CG", l, 2);
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_int_equal(r.lines, 2);
    assert_int_equal(r.gift_lines, 1);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM order_lines l JOIN orders o ON "
                                   "o.id = l.order_id JOIN items i ON i.id = l.item_id WHERE "
                                   "o.ref = 'GW-1' AND l.line = 8 AND i.sku = 'B' AND l.qty = 20 "
                                   "AND l.unit_price_cents = 0 AND l.gift_rule_id IS NOT NULL"),
                     1);
    /* 20 owed + 20 more: 60 left, still above. */
    o.ref = "GW-2";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_int_equal(r.gift_lines, 1);
    assert_int_equal(wms_gift_rule_list(f->db, rule_cb, &g, &f->err), 1);
    assert_int_equal(g.owed, 40);
    /* 40 owed + 20: 40 left, at or below 50: no gift, the rule switches off. */
    o.ref = "GW-3";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_int_equal(r.gift_lines, 0);
    assert_string_equal(r.status, "released");
    assert_string_equal(events_of(f, "GW-3", &b), "received>gift-off>released");
    char want[128];
    snprintf(want, sizeof(want), "gift rule %d off: available 40 of B at or below safety level 50",
             id);
    assert_memory_equal(b.last_gift.detail, want, strlen(want));
    assert_int_equal(fx_sql_int(f, "SELECT active FROM gift_rules"), 0);
    /* Off stays off, even for an order that would fit (100 - 40 - 2 = 58). */
    wms_order_line_in small = {1, "A", 1, 0, -1};
    o = order_of("GW-4", "CG", &small, 1);
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_int_equal(r.gift_lines, 0);
    assert_string_equal(events_of(f, "GW-4", &b), "received>released");
    /* A supervisor switches it on again; the next order gets its gift. */
    assert_int_equal(wms_gift_rule_set_active(f->db, &WHO, id, 1, &f->err), 1);
    assert_int_equal(wms_gift_rule_set_active(f->db, &WHO, id, 1, &f->err), 0);
    assert_int_equal(wms_gift_rule_set_active(f->db, &WHO, 999, 1, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM events WHERE kind = 'gift.rule' AND "
                                   "status = 'on' AND user = 'alice'"),
                     1);
    o.ref = "GW-5";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_int_equal(r.gift_lines, 1);
    /* Cancelled orders owe nothing; gift lines never trigger rules. */
    assert_int_equal(wms_order_cancel(f->db, &WHO, "GW-1", NULL, &f->err), 0);
    assert_int_equal(wms_gift_rule_list(f->db, rule_cb, &g, &f->err), 1);
    assert_int_equal(g.owed, 22);
    assert_true(wms_gift_rule_put(f->db, "B", "C", 1, 0, &f->err) > 0);
    o.ref = "GW-6";
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_int_equal(r.gift_lines, 1); /* B for A; no C for the gift B */
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM order_lines l JOIN orders o ON "
                                   "o.id = l.order_id WHERE o.ref = 'GW-6'"),
                     2);
    /* Two lines of the product in one order: the second sees the first's gift. */
    assert_int_equal(wms_gift_rule_put(f->db, "A", "B", 1, 20, &f->err), id);
    wms_order_line_in two[2] = {{1, "A", 25, 0, -1}, {2, "A", 25, 0, -1}};
    o = order_of("GW-7", "CG", two, 2);
    /* unreserved 100, owed 22 + 2: 100 - 24 - 25 = 51 > 20, then 26 > 20 */
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_int_equal(r.gift_lines, 2);
    o.ref = "GW-8";
    /* owed 74: 100 - 74 - 25 = 1: off at the first line */
    assert_int_equal(wms_order_create(f->db, &WHO, &o, &r, &f->err), 0);
    assert_int_equal(r.gift_lines, 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM events WHERE kind = 'gift.rule' AND "
                                   "status = 'off'"),
                     2);
    assert_int_equal(verify(f), 0);
}

static int count_cb(void *ctx, const wms_order_summary *s)
{
    (void)s;
    (*(int *)ctx)++;
    return 0;
}

static void test_order_list(void **state)
{
    fx *f = *state;
    wms_order_result r;
    assert_int_equal(order1(f, "L-1", "CG", "A", 1, 100, &r), 0);
    assert_int_equal(order1(f, "L-2", "CR", "A", 2, 100, &r), 0);
    assert_int_equal(order1(f, "L-3", "CR", "B", 3, 100, &r), 0);
    int n = 0;
    assert_int_equal(wms_order_list(f->db, "held", count_cb, &n, &f->err), 2);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(wms_order_list(f->db, NULL, count_cb, &n, &f->err), 3);
    assert_int_equal(wms_order_list(f->db, "lost", count_cb, &n, &f->err), WMS_EBAD_ARGS);
}

/* Imports CSV text of kind with stats. */
static int import_st(fx *f, const char *kind, const char *csv, int update, wms_import_stats *st)
{
    FILE *in = fmemopen((void *)csv, strlen(csv), "r");
    assert_non_null(in);
    wms_error_clear(&f->err);
    int rc = wms_import(f->db, &WHO, kind, in, update, st, &f->err);
    fclose(in);
    return rc;
}

static const char orders_csv[] =
    "order,line,customer,sku,qty,priority,carrier,cutoff,ship_name,ship_street,ship_city,"
    "ship_postcode,ship_country,min_shelf_life_days,unit_price\n"
    "SO-1,1,CG,A,2,1,DHL,2026-11-23T14:00:00+01:00,Jane,1 Main St,Springfield,12345,US,30,2.50\n"
    "SO-2,1,CR,B,1,,UPS,,Joe,2 Side St,Shelbyville,54321,US,,\n"
    "SO-1,2,CG,C,3,1,DHL,2026-11-23T14:00:00+01:00,Jane,1 Main St,Springfield,12345,US,,1\n"
    "SO-3,1,CG,D,4,,UPS,,Ann,3 Hill Rd,,99999,US,,\n";

static void test_order_import(void **state)
{
    fx *f = *state;
    wms_import_stats st;
    assert_int_equal(import_st(f, "orders", orders_csv, 0, &st), 0);
    assert_int_equal(st.rows, 4);
    assert_int_equal(st.inserted, 3);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM order_lines l JOIN orders o ON "
                                   "o.id = l.order_id WHERE o.ref = 'SO-1'"),
                     2);
    assert_int_equal(fx_sql_int(f, "SELECT sum(qty * unit_price_cents) FROM order_lines l JOIN "
                                   "orders o ON o.id = l.order_id WHERE o.ref = 'SO-1'"),
                     800);
    assert_int_equal(fx_sql_int(f, "SELECT min_shelf_life_days FROM order_lines l JOIN orders o "
                                   "ON o.id = l.order_id WHERE o.ref = 'SO-1' AND l.line = 1"),
                     30);
    assert_int_equal(fx_sql_int(f, "SELECT cutoff_ms FROM orders WHERE ref = 'SO-1'"),
                     1795438800000LL);
    assert_int_equal(fx_sql_int(f, "SELECT priority FROM orders WHERE ref = 'SO-1'"), 1);
    assert_int_equal(fx_sql_int(f, "SELECT priority FROM orders WHERE ref = 'SO-2'"), 3);
    assert_int_equal(fx_sql_int(f, "SELECT status = 'held' FROM orders WHERE ref = 'SO-2'"), 1);
    assert_int_equal(fx_sql_int(f, "SELECT hold_reason = 'ship-to incomplete: city missing' "
                                   "FROM orders WHERE ref = 'SO-3'"),
                     1);
    /* Orders were created in order of first appearance. */
    assert_int_equal(fx_sql_int(f, "SELECT group_concat(ref, ' ') = 'SO-1 SO-2 SO-3' FROM "
                                   "(SELECT ref FROM orders ORDER BY id)"),
                     1);

    /* Re-importing the same file changes nothing. */
    long long events = fx_sql_int(f, "SELECT count(*) FROM events");
    assert_int_equal(import_st(f, "orders", orders_csv, 0, &st), 0);
    assert_int_equal(st.unchanged, 3);
    assert_int_equal(st.inserted, 0);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM events"), events);

    /* Export is re-importable as identical. */
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_int_equal(wms_export(f->db, "orders", out, 0, &f->err), 4);
    fclose(out);
    assert_int_equal(import_st(f, "orders", buf, 0, &st), 0);
    assert_int_equal(st.unchanged, 3);
    free(buf);

    /* Header fields disagreeing within an order: error names line and
     * column; the whole file (with its good new order) is rolled back. */
    static const char disagree[] = "order,line,customer,sku,qty,carrier\n"
                                   "SO-7,1,CG,A,1,DHL\n"
                                   "SO-8,1,CG,A,1,DHL\n"
                                   "SO-8,2,CG,B,1,UPS\n";
    assert_int_equal(import_st(f, "orders", disagree, 0, &st), WMS_EBAD_CSV);
    assert_non_null(strstr(f->err.msg, "line 4, column carrier"));
    assert_non_null(strstr(f->err.msg, "line 3"));
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM orders"), 3);
    /* A bad SKU, a duplicate line, a bad cutoff, an unknown customer. */
    assert_int_equal(import_st(f, "orders",
                               "order,line,customer,sku,qty\nSO-7,1,CG,A,1\nSO-7,2,CG,ZZ,1\n", 0,
                               &st),
                     WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "line 3, column sku"));
    assert_int_equal(import_st(f, "orders",
                               "order,line,customer,sku,qty\nSO-7,1,CG,A,1\nSO-7,1,CG,B,1\n", 0,
                               &st),
                     WMS_EBAD_CSV);
    assert_non_null(strstr(f->err.msg, "line 3, column line"));
    assert_int_equal(
        import_st(f, "orders", "order,line,customer,sku,qty,cutoff\nSO-7,1,CG,A,1,14:00\n", 0, &st),
        WMS_EBAD_CSV);
    assert_non_null(strstr(f->err.msg, "line 2, column cutoff"));
    assert_int_equal(import_st(f, "orders", "order,line,customer,sku,qty\nSO-7,1,CQ,A,1\n", 0, &st),
                     WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "line 2, column customer"));
    assert_int_equal(import_st(f, "orders", "order,line,customer,sku,qty\nSO-7,1,CG,A,0\n", 0, &st),
                     WMS_EBAD_CSV);
    assert_non_null(strstr(f->err.msg, "line 2, column qty"));
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM orders"), 3);
    /* After failed imports the stage is clean: a good file imports. */
    assert_int_equal(import_st(f, "orders",
                               "order,line,customer,sku,qty,ship_name,ship_street,ship_city,"
                               "ship_postcode,ship_country,short_policy\n"
                               "SO-7,1,CG,A,1,Al,St,City,1,US,backorder\n",
                               0, &st),
                     0);
    assert_int_equal(st.inserted, 1);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM orders WHERE ref = 'SO-7' AND "
                                   "short_policy = 'backorder' AND status = 'released'"),
                     1);

    /* A different SO-3 (held: city fixed) is a conflict without --update and
     * replaces the order with it; a released order is never changed. */
    static const char fix3[] = "order,line,customer,sku,qty,carrier,ship_name,ship_street,"
                               "ship_city,ship_postcode,ship_country\n"
                               "SO-3,1,CG,D,4,UPS,Ann,3 Hill Rd,Hilltown,99999,US\n";
    assert_int_equal(import_st(f, "orders", fix3, 0, &st), WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "line 2: order SO-3"));
    assert_int_equal(import_st(f, "orders", fix3, 1, &st), 0);
    assert_int_equal(st.updated, 1);
    evbuf b;
    assert_string_equal(events_of(f, "SO-3", &b), "received>held>hold>received>released");
    static const char change1[] = "order,line,customer,sku,qty,priority,carrier,cutoff,ship_name,"
                                  "ship_street,ship_city,ship_postcode,ship_country\n"
                                  "SO-1,1,CG,A,9,1,DHL,2026-11-23T14:00:00+01:00,Jane,1 Main St,"
                                  "Springfield,12345,US\n";
    assert_int_equal(import_st(f, "orders", change1, 1, &st), WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "is released"));
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM order_lines l JOIN orders o ON "
                                   "o.id = l.order_id WHERE o.ref = 'SO-1'"),
                     2);
    assert_int_equal(verify(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_money_and_customers, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_green_released_with_cutoff, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_red_and_yellow, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_unusual_quantity, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_ship_to_and_multiple_reasons, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_bad_orders_rejected, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_release_and_cancel, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_gift_rules, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_order_list, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_order_import, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
