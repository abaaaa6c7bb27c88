/* test_abc_report.c - the ABC report from the picks table: classes over a
 * period, pick faces, golden zone, candidate bins and the greedy moves with
 * their savings in the layout's distance model; period and argument
 * errors; no layout. */
#include "fixture.h"
#include "store/abc_report.h"
#include "store/alloc.h"
#include "store/layout.h"

/* cmocka's float assertion works in single precision: compare doubles here. */
#define assert_double_equal(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

/* Runs SQL (printf-style) on a second connection. */
static void sql(fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql(fx *f, const char *fmt, ...)
{
    char q[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof(q), fmt, ap);
    va_end(ap);
    sqlite3 *s;
    assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(s, q, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("%s: %s", q, msg ? msg : "?");
    sqlite3_close(s);
}

static int next_line = 0;

/* n picks (visits) of sku from bin, qty units each, at ts: one task, one
 * order line per pick (order 1). */
static void add_picks(fx *f, const char *sku, const char *bin, int n, int qty, const char *ts)
{
    sql(f,
        "INSERT INTO tasks(kind, status, order_id, from_bin_id, item_id, qty) VALUES ('pick', "
        "'done', 1, (SELECT id FROM bins WHERE code = '%s'), (SELECT id FROM items WHERE sku = "
        "'%s'), 1)",
        bin, sku);
    sql(f,
        "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d) "
        "INSERT INTO picks(task_id, order_id, line, bin_id, item_id, lot, expiry, qty, ts, user, "
        "device) SELECT (SELECT max(id) FROM tasks), 1, %d + i, (SELECT id FROM bins WHERE code = "
        "'%s'), (SELECT id FROM items WHERE sku = '%s'), '', '', %d, '%s', 'u', 'd' FROM k",
        n, next_line, bin, sku, qty, ts);
    next_line += n;
}

/*
 * Four aisles at x 0, 10, 20, 30 m, 40 m long; the depot at x 12 (between
 * aisles): depot -> bin = |12 - x| + y, so A1 12 + y, A2 2 + y, A3 8 + y,
 * A4 18 + y.
 *   P-A2-03  5 m  K (A)              P-A3-02 10 m  empty
 *   P-A2-08 10 m  L (B) + Z (C)      P-A1-02 14 m  M + N (both C)
 *   P-A2-12 14 m  empty, blocked     P-A3-06 14 m  empty
 *   P-A3-20 28 m  F1 (A)             P-A1-35 47 m  F2 (A)
 *   P-A4-38 56 m  F2's pick_faces row (no stock)
 *   P-A4-39 57 m  F3 (A)             RES (reserve, 3 m) G (A, no pick face)
 *   P-BAD: a pick bin in aisle A9, which is not in the layout (empty).
 * Picks 2026-11-01 .. 2026-11-20 (20 days), by picks: F1 100, F2 80, F3 60,
 * K 30, G 30 (A: ahead 240 of 330 = 73 %), L 20 (B: ahead 91 %), Z 4, M 3,
 * N 3 (C: ahead 97 %+), Q 0 (C).  K's first visit has two rows; G picks 10
 * units a time.  Rows outside the period: Q on 2026-10-31 and 2026-11-21.
 */
static int abc_setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    th_mkdtemp(f->dir, sizeof(f->dir), "abc");
    snprintf(f->path, sizeof(f->path), "%s/wms.db", f->dir);
    assert_int_equal(wms_db_open(f->path, WMS_DB_CREATE, &f->db, &f->err), 0);
    assert_int_equal(wms_db_set_today(f->db, "2026-11-20"), 0);
    assert_int_equal(fx_import(f, "layout",
                               "kind,id,x_m,y_m,length_m\n"
                               "depot,D,12,,\n"
                               "aisle,A1,0,,40\n"
                               "aisle,A2,10,,40\n"
                               "aisle,A3,20,,40\n"
                               "aisle,A4,30,,40\n",
                               0),
                     0);
    assert_int_equal(fx_import(f, "bins",
                               "code,zone,type,aisle,y_m,blocked\n"
                               "P-A2-03,Z,pick,A2,3,0\n"
                               "P-A3-02,Z,pick,A3,2,0\n"
                               "P-A2-08,Z,pick,A2,8,0\n"
                               "P-A1-02,Z,pick,A1,2,0\n"
                               "P-A2-12,Z,pick,A2,12,1\n"
                               "P-A3-06,Z,pick,A3,6,0\n"
                               "P-A3-20,Z,pick,A3,20,0\n"
                               "P-A1-35,Z,pick,A1,35,0\n"
                               "P-A4-38,Z,pick,A4,38,0\n"
                               "P-A4-39,Z,pick,A4,39,0\n"
                               "RES,Z,reserve,A2,1,0\n",
                               0),
                     0);
    sql(f, "INSERT INTO bins(code, zone, type, aisle, y_m) VALUES ('P-BAD', 'Z', 'pick', 'A9', 1)");
    assert_int_equal(fx_import(f, "items",
                               "sku,description\nF1,f1\nF2,f2\nF3,f3\nG,g\nK,k\nL,l\nM,m\nN,n\n"
                               "Q,q\nZ,z\n",
                               0),
                     0);
    assert_int_equal(fx_import(f, "stock",
                               "bin,sku,qty\n"
                               "P-A2-03,K,10\n"
                               "P-A2-08,L,10\n"
                               "P-A2-08,Z,10\n"
                               "P-A1-02,M,10\n"
                               "P-A1-02,N,10\n"
                               "P-A3-20,F1,10\n"
                               "P-A1-35,F2,10\n"
                               "P-A4-39,F3,10\n"
                               "RES,G,500\n",
                               0),
                     0);
    assert_true(wms_pickface_set(f->db, "P-A4-38", "F2", 1, 10, &f->err) >= 0);
    sql(f, "INSERT INTO customers(code, name, credit) VALUES ('C1', 'c', 'green');"
           "INSERT INTO orders(id, ref, customer_id, status, created) VALUES "
           "(1, 'O1', 1, 'picking', '2026-11-01T00:00:00Z')");
    next_line = 0;
    add_picks(f, "F1", "P-A3-20", 100, 1, "2026-11-01T00:00:00Z");
    add_picks(f, "F2", "P-A1-35", 80, 1, "2026-11-20T23:59:59.999Z");
    add_picks(f, "F3", "P-A4-39", 60, 1, "2026-11-10T12:00:00Z");
    add_picks(f, "K", "P-A2-03", 30, 1, "2026-11-10T12:00:00Z");
    add_picks(f, "G", "RES", 30, 10, "2026-11-10T12:00:00Z");
    add_picks(f, "L", "P-A2-08", 20, 1, "2026-11-10T12:00:00Z");
    add_picks(f, "Z", "P-A2-08", 4, 1, "2026-11-10T12:00:00Z");
    add_picks(f, "M", "P-A1-02", 3, 1, "2026-11-10T12:00:00Z");
    add_picks(f, "N", "P-A1-02", 3, 1, "2026-11-10T12:00:00Z");
    add_picks(f, "Q", "P-A2-03", 50, 1, "2026-10-31T23:59:59Z");
    add_picks(f, "Q", "P-A2-03", 50, 1, "2026-11-21T00:00:00Z");
    /* A second confirmation of K's first visit (same order, line, bin). */
    sql(f, "INSERT INTO picks(task_id, order_id, line, bin_id, item_id, lot, expiry, qty, ts, "
           "user, device) SELECT task_id, order_id, line, bin_id, item_id, lot, expiry, 1, "
           "'2026-11-10T12:05:00Z', user, device FROM picks WHERE line = (SELECT min(line) FROM "
           "picks WHERE item_id = (SELECT id FROM items WHERE sku = 'K'))");
    *state = f;
    return 0;
}

static const wms_abc_report_item *item_of(const wms_abc_report *r, const char *sku)
{
    for (int i = 0; i < r->n_items; i++)
        if (!strcmp(r->item[i].sku, sku))
            return &r->item[i];
    fail_msg("no item %s in the report", sku);
    return NULL;
}

/* depot -> bin in the stored layout, by the route model. */
static double depot_m(fx *f, const char *bin)
{
    wms_layout_map m;
    wms_pick_loc p;
    assert_int_equal(wms_layout_load(f->db, &m, &f->err), 0);
    assert_int_equal(wms_layout_bin(f->db, &m, bin, &p, NULL, &f->err), 0);
    double d = wms_route_depot_dist(&m.l, p);
    wms_layout_map_free(&m);
    return d;
}

static int build(fx *f, const char *from, const char *to, int days, int top, wms_abc_report *r)
{
    wms_abc_report_opts o;
    memset(&o, 0, sizeof(o));
    o.from = from;
    o.to = to;
    o.days = days;
    o.top = top;
    wms_error_clear(&f->err);
    return wms_abc_report_build(f->db, &o, r, &f->err);
}

/* The classes of the fixed data set, in pick-rank order. */
static void test_classes(void **state)
{
    fx *f = *state;
    wms_abc_report r;
    assert_int_equal(build(f, "2026-11-01", "2026-11-20", 0, 0, &r), 0);
    assert_string_equal(r.from, "2026-11-01");
    assert_string_equal(r.to, "2026-11-20");
    assert_int_equal(r.days, 20);
    assert_double_equal(r.abc.a_share, 0.80, 0.0);
    assert_double_equal(r.abc.b_share, 0.95, 0.0);
    assert_int_equal(r.n_items, 10);
    static const char *order[10] = {"F1", "F2", "F3", "G", "K", "L", "Z", "M", "N", "Q"};
    static const char cls[] = "AAAAABCCCC";
    static const int64_t picks[10] = {100, 80, 60, 30, 30, 20, 4, 3, 3, 0};
    for (int i = 0; i < 10; i++) {
        assert_string_equal(r.item[i].sku, order[i]);
        assert_int_equal(wms_abc_class_name(r.item[i].r.by_picks)[0], cls[i]);
        assert_int_equal(r.item[i].r.rank_picks, i + 1);
        assert_int_equal(r.item[i].picks, picks[i]);
    }
    assert_double_equal(item_of(&r, "K")->r.cum_picks, 300.0 / 330.0, 1e-12);
    assert_int_equal(r.by_picks.total, 330);
    assert_int_equal(r.by_picks.items[WMS_ABC_A], 5);
    assert_int_equal(r.by_picks.value[WMS_ABC_A], 300);
    assert_int_equal(r.by_picks.items[WMS_ABC_B], 1);
    assert_int_equal(r.by_picks.items[WMS_ABC_C], 4);
    /* Units: K's two-row visit is 31 units; G's 300 make it first by units
     * (A), and 31 of K start at 540 of 601 (90 %): B. */
    assert_int_equal(item_of(&r, "K")->units, 31);
    assert_int_equal(item_of(&r, "G")->units, 300);
    assert_int_equal(item_of(&r, "G")->r.rank_units, 1);
    assert_int_equal(item_of(&r, "G")->r.by_units, WMS_ABC_A);
    assert_int_equal(item_of(&r, "K")->r.by_units, WMS_ABC_B);
    assert_int_equal(r.by_units.total, 601);
    /* Q was picked only outside the period. */
    assert_int_equal(item_of(&r, "Q")->picks, 0);
    assert_int_equal(item_of(&r, "Q")->r.by_picks, WMS_ABC_C);
    wms_abc_report_free(&r);

    /* Thresholds: A up to 50 %: F1 (ahead 0) and F2 (ahead 30 %). */
    wms_abc_report_opts o;
    memset(&o, 0, sizeof(o));
    o.from = "2026-11-01";
    o.to = "2026-11-20";
    o.abc = (wms_abc_opts){0.5, 0.9};
    assert_int_equal(wms_abc_report_build(f->db, &o, &r, &f->err), 0);
    assert_int_equal(r.by_picks.items[WMS_ABC_A], 2);
    assert_int_equal(item_of(&r, "F3")->r.by_picks, WMS_ABC_B); /* ahead 180 of 330: 55 % */
    assert_int_equal(item_of(&r, "L")->r.by_picks, WMS_ABC_C);  /* ahead 91 % */
    wms_abc_report_free(&r);
}

/* The suggestions and savings are exactly the distance model's. */
static void test_moves(void **state)
{
    fx *f = *state;
    /* The distances by hand, and the same from the route model. */
    static const struct {
        const char *bin;
        double m;
    } d[] = {{"P-A2-03", 5},  {"P-A3-02", 10}, {"P-A1-02", 14}, {"P-A3-06", 14},
             {"P-A3-20", 28}, {"P-A1-35", 47}, {"P-A4-38", 56}, {"P-A4-39", 57}};
    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
        assert_double_equal(depot_m(f, d[i].bin), d[i].m, 1e-12);

    wms_abc_report r;
    assert_int_equal(build(f, "2026-11-01", "2026-11-20", 0, 0, &r), 0);
    assert_int_equal(r.layout, 1);
    /* Faces: F1 28, F2 47 (not its 56 m pick_faces row), F3 57, K 5; G none. */
    assert_int_equal(r.a_faced, 4);
    assert_int_equal(r.a_unfaced, 1);
    /* The 4 nearest unblocked pick bins in the layout: 5 10 10 14. */
    assert_double_equal(r.golden_m, 14.0, 0.0);
    assert_int_equal(r.far_items, 3);
    /* Candidates: P-A3-02 (10, empty), P-A3-06 (14, empty: before the swap
     * at the same distance), P-A1-02 (14, C items M and N).  Per day: F1 5,
     * F2 4, F3 3 picks.
     *   P-A3-02: F2 4*2*(47-10) = 296 > F3 3*2*(57-10) = 282 > F1 5*2*18 = 180
     *   P-A3-06: F3 3*2*(57-14) = 258 > F1 5*2*(28-14) = 140
     *   P-A1-02: F1 140 (swap with M, 2 items in the bin) */
    assert_int_equal(r.n_moves, 3);
    static const struct {
        const char *sku, *from, *to, *swap;
        double ppd, from_m, to_m, saving;
        int swap_items;
    } want[3] = {{"F2", "P-A1-35", "P-A3-02", "", 4, 47, 10, 296, 0},
                 {"F3", "P-A4-39", "P-A3-06", "", 3, 57, 14, 258, 0},
                 {"F1", "P-A3-20", "P-A1-02", "M", 5, 28, 14, 140, 2}};
    double total = 0.0;
    for (int i = 0; i < 3; i++) {
        const wms_abc_move *m = &r.move[i];
        assert_string_equal(m->sku, want[i].sku);
        assert_string_equal(m->from_bin, want[i].from);
        assert_string_equal(m->to_bin, want[i].to);
        assert_string_equal(m->swap_sku, want[i].swap);
        assert_int_equal(m->swap_items, want[i].swap_items);
        assert_double_equal(m->picks_per_day, want[i].ppd, 0.0);
        assert_double_equal(m->from_m, want[i].from_m, 0.0);
        assert_double_equal(m->to_m, want[i].to_m, 0.0);
        assert_double_equal(m->saving_m_per_day, want[i].saving, 1e-9);
        /* The formula over the route model's distances. */
        double model =
            (double)m->picks / r.days * 2.0 * (depot_m(f, m->from_bin) - depot_m(f, m->to_bin));
        assert_double_equal(m->saving_m_per_day, model, 1e-9);
        if (i > 0)
            assert_true(m->saving_m_per_day <= r.move[i - 1].saving_m_per_day);
        total += m->saving_m_per_day;
    }
    assert_double_equal(r.saving_m_per_day, total, 1e-9);
    assert_double_equal(r.saving_m_per_day, 694.0, 1e-9);
    wms_abc_report_free(&r);

    /* top 1 keeps the best move. */
    assert_int_equal(build(f, "2026-11-01", "2026-11-20", 0, 1, &r), 0);
    assert_int_equal(r.n_moves, 1);
    assert_string_equal(r.move[0].sku, "F2");
    assert_double_equal(r.saving_m_per_day, 296.0, 1e-9);
    wms_abc_report_free(&r);

    /* With the empty bins gone (a B item put into P-A3-02, P-A3-06
     * blocked) only the swap is left: it goes to the best saving there,
     * F2 4*2*(47-14) = 264 (F3 258, F1 140). */
    assert_int_equal(fx_import(f, "stock", "bin,sku,qty\nP-A3-02,L,5\n", 0), 0);
    sql(f, "UPDATE bins SET blocked = 1 WHERE code = 'P-A3-06'");
    assert_int_equal(build(f, "2026-11-01", "2026-11-20", 0, 0, &r), 0);
    assert_int_equal(r.n_moves, 1);
    assert_string_equal(r.move[0].sku, "F2");
    assert_string_equal(r.move[0].to_bin, "P-A1-02");
    assert_string_equal(r.move[0].swap_sku, "M");
    assert_double_equal(r.move[0].saving_m_per_day, 264.0, 1e-9);
    assert_double_equal(r.golden_m, 14.0, 0.0);
    wms_abc_report_free(&r);
}

/* The period: defaults to the 30 days ending today; --days, from alone,
 * to alone. */
static void test_period(void **state)
{
    fx *f = *state;
    wms_abc_report r;
    assert_int_equal(build(f, NULL, NULL, 0, 0, &r), 0);
    assert_string_equal(r.from, "2026-10-22");
    assert_string_equal(r.to, "2026-11-20");
    assert_int_equal(r.days, 30);
    assert_int_equal(item_of(&r, "Q")->picks, 50); /* the 2026-10-31 rows */
    assert_int_equal(r.by_picks.total, 380);
    wms_abc_report_free(&r);
    /* The last day only: F2's rows at 23:59:59.999. */
    assert_int_equal(build(f, NULL, NULL, 1, 0, &r), 0);
    assert_string_equal(r.from, "2026-11-20");
    assert_int_equal(r.by_picks.total, 80);
    assert_int_equal(r.item[0].r.by_picks, WMS_ABC_A);
    assert_int_equal(r.item[1].r.by_picks, WMS_ABC_C);
    wms_abc_report_free(&r);
    /* from alone runs to today; with days, that many days. */
    assert_int_equal(build(f, "2026-11-02", NULL, 0, 0, &r), 0);
    assert_string_equal(r.to, "2026-11-20");
    assert_int_equal(r.days, 19);
    assert_int_equal(item_of(&r, "F1")->picks, 0);
    wms_abc_report_free(&r);
    assert_int_equal(build(f, "2026-11-21", NULL, 3, 0, &r), 0);
    assert_string_equal(r.to, "2026-11-23");
    assert_int_equal(r.by_picks.total, 50);
    wms_abc_report_free(&r);
    /* to alone: 30 days ending then, across a month and a year end. */
    assert_int_equal(build(f, NULL, "2027-01-10", 0, 0, &r), 0);
    assert_string_equal(r.from, "2026-12-12");
    wms_abc_report_free(&r);
    assert_int_equal(build(f, NULL, "2024-03-01", 2, 0, &r), 0);
    assert_string_equal(r.from, "2024-02-29");
    assert_int_equal(r.by_picks.total, 0);
    assert_int_equal(r.n_moves, 0); /* no A items at all */
    wms_abc_report_free(&r);
}

/* Bad arguments are input errors that name the problem. */
static void test_errors(void **state)
{
    fx *f = *state;
    wms_abc_report r;
    assert_int_equal(build(f, "2026-11-20", "2026-11-01", 0, 0, &r), WMS_EBAD_ARGS);
    assert_non_null(strstr(f->err.msg, "after it ends"));
    assert_null(r.item);
    assert_int_equal(build(f, "2026-11-01", "2026-11-20", 5, 0, &r), WMS_EBAD_ARGS);
    assert_int_equal(build(f, "2026-02-30", NULL, 0, 0, &r), WMS_EBAD_ARGS);
    assert_non_null(strstr(f->err.msg, "2026-02-30"));
    assert_int_equal(build(f, NULL, NULL, -1, 0, &r), WMS_EBAD_ARGS);
    assert_int_equal(build(f, NULL, NULL, WMS_ABC_DAYS_MAX + 1, 0, &r), WMS_EBAD_ARGS);
    assert_int_equal(build(f, "2000-01-01", "2026-01-01", 0, 0, &r), WMS_EBAD_ARGS);
    assert_int_equal(build(f, NULL, NULL, 0, WMS_ABC_TOP_MAX + 1, &r), WMS_EBAD_ARGS);
    wms_abc_report_opts o;
    memset(&o, 0, sizeof(o));
    o.abc = (wms_abc_opts){0.9, 0.5};
    assert_int_equal(wms_abc_report_build(f->db, &o, &r, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_abc_report_build(NULL, &o, &r, &f->err), WMS_EBAD_ARGS);
    wms_abc_report_free(&r);
}

/* Without a layout the classes are still there, with no advice. */
static void test_no_layout(void **state)
{
    fx *f = *state;
    sql(f, "DELETE FROM layout WHERE kind = 'depot'");
    wms_abc_report r;
    assert_int_equal(build(f, "2026-11-01", "2026-11-20", 0, 0, &r), 0);
    assert_int_equal(r.layout, 0);
    assert_int_equal(r.n_moves, 0);
    assert_int_equal(r.n_items, 10);
    assert_int_equal(r.by_picks.items[WMS_ABC_A], 5);
    wms_abc_report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_classes, abc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_moves, abc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_period, abc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_errors, abc_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_no_layout, abc_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
