/* test_wave.c - layout loading, routes through the stored layout, wave
 * selection, batching, zone split and release into pick tasks. */
#include "fixture.h"
#include "store/layout.h"
#include "store/wave.h"
#include "store/alloc.h"

static const wms_actor who = {"sam", "wmsctl", NULL};

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

/* Six aisles A1..A6 at x 0, 5, ..., 25 m, 20 m long, depot at x 0; zone Z1
 * is A1-A3, Z2 is A4-A6; pick bins Ak-YY at y 2, 6, 10, 14, 18 with one
 * item S-Ak-YY each (100 units); customer C1 (green). */
static int wv_setup(void **state)
{
    fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    th_mkdtemp(f->dir, sizeof(f->dir), "wave");
    snprintf(f->path, sizeof(f->path), "%s/wms.db", f->dir);
    assert_int_equal(wms_db_open(f->path, WMS_DB_CREATE, &f->db, &f->err), 0);
    assert_int_equal(wms_db_set_today(f->db, "2026-11-23"), 0);
    char layout[512] = "kind,id,x_m,y_m,length_m\ndepot,D,0,,\n";
    char bins[4096] = "code,zone,type,aisle,y_m\n";
    char items[4096] = "sku,description\n";
    char stock[4096] = "bin,sku,qty\n";
    for (int a = 1; a <= 6; a++) {
        char row[128];
        snprintf(row, sizeof(row), "aisle,A%d,%d,,20\n", a, 5 * (a - 1));
        strcat(layout, row);
        for (int y = 2; y <= 18; y += 4) {
            snprintf(row, sizeof(row), "A%d-%02d,%s,pick,A%d,%d\n", a, y, a <= 3 ? "Z1" : "Z2", a,
                     y);
            strcat(bins, row);
            snprintf(row, sizeof(row), "S-A%d-%02d,item in A%d at %d\n", a, y, a, y);
            strcat(items, row);
            snprintf(row, sizeof(row), "A%d-%02d,S-A%d-%02d,100\n", a, y, a, y);
            strcat(stock, row);
        }
    }
    assert_int_equal(fx_import(f, "layout", layout, 0), 0);
    assert_int_equal(fx_import(f, "bins", bins, 0), 0);
    assert_int_equal(fx_import(f, "items", items, 0), 0);
    assert_int_equal(fx_import(f, "stock", stock, 0), 0);
    sql(f, "INSERT INTO customers(code, name, credit) VALUES ('C1', 'Customer', 'green')");
    *state = f;
    return 0;
}

/* Adds order `ref` (status, cutoff_ms < 0 = none, priority) with lines
 * "A1-02:3,A6-18:1" (bin of the item : qty). */
static void add_order(fx *f, const char *ref, const char *status, long long cutoff_ms, int prio,
                      const char *lines)
{
    char cut[32] = "NULL";
    if (cutoff_ms >= 0)
        snprintf(cut, sizeof(cut), "%lld", cutoff_ms);
    sql(f,
        "INSERT INTO orders(ref, customer_id, priority, cutoff_ms, status, created) VALUES "
        "('%s', 1, %d, %s, '%s', '2026-11-23T08:00:00Z')",
        ref, prio, cut, status);
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", lines);
    int line = 0;
    for (char *tok = strtok(buf, ","); tok != NULL; tok = strtok(NULL, ",")) {
        char *colon = strchr(tok, ':');
        assert_non_null(colon);
        *colon = '\0';
        sql(f,
            "INSERT INTO order_lines(order_id, line, item_id, qty) VALUES ((SELECT id FROM "
            "orders WHERE ref = '%s'), %d, (SELECT id FROM items WHERE sku = 'S-%s'), %s)",
            ref, ++line, tok, colon + 1);
    }
}

static long long q1(fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long q1(fx *f, const char *fmt, ...)
{
    char q[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q, sizeof(q), fmt, ap);
    va_end(ap);
    return fx_sql_int(f, q);
}

/* The selected refs of a plan joined by spaces. */
static void plan_refs(const wms_wave_plan_out *p, char *out, size_t n)
{
    out[0] = '\0';
    for (int i = 0; i < p->n_orders; i++) {
        if (i)
            strncat(out, " ", n - strlen(out) - 1);
        strncat(out, p->order_ref[i], n - strlen(out) - 1);
    }
}

/* ---- layout ------------------------------------------------------------------ */

static void test_layout_load(void **state)
{
    fx *f = *state;
    /* An aisle whose id sorts first but stands rightmost, cross aisles:
     * one inside, one duplicate, one beyond the back cross aisle. */
    assert_int_equal(fx_import(f, "layout",
                               "kind,id,x_m,y_m,length_m\naisle,A0,30,,24\ncross,X1,,10,\n"
                               "cross,X2,,10,\ncross,X3,,24,\ncross,X4,,30,\n",
                               0),
                     0);
    wms_layout_map m;
    assert_int_equal(wms_layout_load(f->db, &m, &f->err), 0);
    assert_int_equal(m.l.n_aisles, 7);
    for (int i = 0; i < 7; i++)
        assert_true(m.l.aisle_x[i] == 5.0 * i);
    assert_string_equal(m.aisle_id[6], "A0");
    assert_int_equal(wms_layout_aisle_index(&m, "A0"), 6);
    assert_int_equal(wms_layout_aisle_index(&m, "A4"), 3);
    assert_int_equal(wms_layout_aisle_index(&m, "A9"), -1);
    assert_true(m.l.length == 24.0); /* the longest aisle */
    assert_int_equal(m.l.n_cross, 1);
    assert_true(m.l.cross_y[0] == 10.0);
    assert_true(m.l.depot_x == 0.0);
    wms_pick_loc p;
    wms_bin b;
    assert_int_equal(wms_layout_bin(f->db, &m, "A5-14", &p, &b, &f->err), 0);
    assert_int_equal(p.aisle, 4);
    assert_true(p.y == 14.0);
    assert_string_equal(b.zone, "Z2");
    assert_int_equal(wms_layout_bin(f->db, &m, "NOPE", &p, NULL, &f->err), WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "NOPE"));
    wms_layout_map_free(&m);

    /* Two aisles at one x: named. */
    sql(f, "INSERT INTO layout(kind, id, x_m, length_m) VALUES ('aisle', 'B2', 5, 20)");
    assert_int_equal(wms_layout_load(f->db, &m, &f->err), WMS_EBAD_ARGS);
    assert_non_null(strstr(f->err.msg, "A2"));
    assert_non_null(strstr(f->err.msg, "B2"));
    sql(f, "DELETE FROM layout WHERE id = 'B2'");
    /* No depot. */
    sql(f, "DELETE FROM layout WHERE kind = 'depot'");
    assert_int_equal(wms_layout_load(f->db, &m, &f->err), WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "depot"));
    wms_layout_map_free(&m); /* safe after a failure */
}

/* Routes over bins mapped through the stored layout are optimal: equal to
 * brute force (every visiting order) on random lists of up to 9 bins. */
static void test_route_db_vs_bruteforce(void **state)
{
    fx *f = *state;
    wms_layout_map m;
    assert_int_equal(wms_layout_load(f->db, &m, &f->err), 0);
    /* A depot in the middle of the front makes both directions matter. */
    m.l.depot_x = 12.5;
    uint64_t s = 99;
    for (int iter = 0; iter < 300; iter++) {
        int n = 1 + (int)(iter % 9);
        wms_pick_loc p[9];
        int o1[9], o2[9];
        for (int i = 0; i < n; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            int a = 1 + (int)((s >> 33) % 6), y = 2 + 4 * (int)((s >> 45) % 5);
            char code[16];
            snprintf(code, sizeof(code), "A%d-%02d", a, y);
            assert_int_equal(wms_layout_bin(f->db, &m, code, &p[i], NULL, &f->err), 0);
        }
        double d1, d2;
        const char *meth;
        assert_int_equal(wms_route_optimal(&m.l, p, n, o1, &d1, &meth, &f->err), 0);
        assert_string_equal(meth, "ratliff-rosenthal");
        assert_int_equal(wms_route_bruteforce(&m.l, p, n, o2, &d2, NULL, &f->err), 0);
        assert_true(fabs(d1 - d2) < 1e-9);
        assert_true(fabs(wms_route_tour_length(&m.l, p, o1, n) - d1) < 1e-9);
    }
    wms_layout_map_free(&m);
}

/* ---- selection ------------------------------------------------------------------ */

static void plan_with(fx *f, wms_wave_opts *o, const char *want, int64_t skipped, int64_t waiting)
{
    wms_wave_plan_out p;
    assert_int_equal(wms_wave_plan(f->db, o, &p, &f->err), 0);
    char got[256];
    plan_refs(&p, got, sizeof(got));
    assert_string_equal(got, want);
    assert_int_equal(p.s.skipped_orders, skipped);
    assert_int_equal(p.s.waiting_orders, waiting);
    wms_wave_plan_free(&p);
}

static void test_selection(void **state)
{
    fx *f = *state;
    add_order(f, "O1", "released", 2000, 3, "A1-02:1,A1-06:1");
    add_order(f, "O2", "released", 1000, 5, "A2-02:1");
    add_order(f, "O3", "released", -1, 1, "A3-02:1");
    add_order(f, "O4", "released", 1000, 1, "A1-10:1,A2-10:1,A3-10:1");
    add_order(f, "O5", "held", 500, 1, "A1-14:1");
    add_order(f, "O6", "released", 3000, 1,
              "A4-02:1,A4-06:1,A4-10:1,A4-14:1,A4-18:1,A5-02:1,A5-06:1,A5-10:1,A5-14:1,A5-18:9");
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    o.method = WMS_WAVE_DISCRETE;
    /* cut-off first (none last), then priority; held orders never */
    plan_with(f, &o, "O4 O2 O1 O6 O3", 0, 0);
    o.max_orders = 2;
    plan_with(f, &o, "O4 O2", 0, 3);
    o.max_orders = 0;
    o.max_lines = 5; /* O4 3 + O2 1 = 4; O1 (2) does not fit: the wave ends */
    plan_with(f, &o, "O4 O2", 0, 3);
    o.max_lines = 6; /* O6 (10 lines) can never fit: passed over; O3 would make 7 */
    plan_with(f, &o, "O4 O2 O1", 1, 1);
    o.max_lines = 0;
    o.max_units = 18; /* O6 has 18 units: 3 + 1 + 2 + 18 = 24 > 18 */
    plan_with(f, &o, "O4 O2 O1", 0, 2);
    o.max_units = 0;
    o.max_totes = 3; /* one tote per order */
    plan_with(f, &o, "O4 O2 O1", 0, 2);
    /* Zone picking: O4 needs one tote per zone it touches (1), O6 also 1;
     * an order in both zones needs 2. */
    add_order(f, "O7", "released", 100, 1, "A1-18:1,A6-18:1");
    o.method = WMS_WAVE_ZONE;
    o.max_totes = 2; /* O7 alone takes both */
    plan_with(f, &o, "O7", 0, 5);

    /* The summary adds up. */
    wms_wave_opts_init(&o);
    wms_wave_plan_out p;
    assert_int_equal(wms_wave_plan(f->db, &o, &p, &f->err), 0);
    assert_int_equal(p.s.orders, 6);
    assert_int_equal(p.s.lines, 2 + 1 + 1 + 3 + 10 + 2);
    assert_int_equal(p.s.units, 2 + 1 + 1 + 3 + 18 + 2);
    assert_int_equal(p.s.picks, p.s.lines);
    assert_int_equal(p.s.totes, 6);
    assert_true(p.s.tours >= 1 && p.s.tours <= 6);
    assert_true(p.s.walk_m > 0);
    /* picker time: 120 s per tour, 1 m/s, 10 s per pick */
    double secs = 120.0 * p.s.tours + p.s.walk_m + 10.0 * p.s.picks;
    assert_true(fabs(p.s.picker_hours - secs / 3600.0) < 1e-9);
    assert_int_equal(p.s.pickers, (int64_t)ceil(secs / 3600.0));
    char json[WMS_WAVE_SUMMARY_MAX + 1];
    assert_true(wms_wave_summary_json(&p.s, json, sizeof(json)) > 0);
    assert_non_null(strstr(json, "\"orders\":6,"));
    assert_non_null(strstr(json, "\"method\":\"batch\""));
    wms_wave_plan_free(&p);
}

/* Orders alternating between the leftmost and the rightmost aisle: the
 * savings plan is far shorter than first-come-first-served batching. */
static void test_batch_beats_fcfs(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 12; i++) {
        char ref[8], lines[64];
        snprintf(ref, sizeof(ref), "B%02d", i);
        int a = i % 2 == 0 ? 1 : 6;
        snprintf(lines, sizeof(lines), "A%d-%02d:1,A%d-%02d:1", a, 2 + 4 * (i % 3), a,
                 6 + 4 * (i % 3));
        add_order(f, ref, "released", 1000 + i, 3, lines);
    }
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    o.totes = 2;
    wms_wave_plan_out p;
    assert_int_equal(wms_wave_plan(f->db, &o, &p, &f->err), 0);
    assert_int_equal(p.s.orders, 12);
    assert_int_equal(p.s.tours, 6);
    assert_true(p.s.walk_m < 0.8 * p.s.fcfs_walk_m);
    for (int t = 0; t < p.n_tours; t++) {
        assert_int_equal(p.tours[t].n, 2);
        int a = p.tour_orders[p.tours[t].first], b = p.tour_orders[p.tours[t].first + 1];
        assert_int_equal(a % 2, b % 2); /* one side of the warehouse per cart */
    }
    wms_wave_plan_free(&p);
    /* Discrete: one order per tour. */
    o.method = WMS_WAVE_DISCRETE;
    assert_int_equal(wms_wave_plan(f->db, &o, &p, &f->err), 0);
    assert_int_equal(p.s.tours, 12);
    assert_int_equal(p.n_groups, 12);
    wms_wave_plan_free(&p);
}

/* ---- release ------------------------------------------------------------------------ */

/* Checks every tour of wave w: seq 1..m, the bins in seq order make a
 * route as short as the optimum over those bins, one tote per order
 * "T<w>-<tour>-<k>" with k = 1..orders. */
static void check_tours(fx *f, int64_t w)
{
    wms_layout_map m;
    assert_int_equal(wms_layout_load(f->db, &m, &f->err), 0);
    sqlite3 *s;
    assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(s,
                           "SELECT t.tour, t.seq, b.code, t.order_id, t.tote FROM tasks t JOIN "
                           "bins b ON b.id = t.from_bin_id WHERE t.wave_id = ?1 AND t.kind = "
                           "'pick' ORDER BY t.tour, t.seq",
                           -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, w);
    wms_pick_loc p[256];
    int64_t ord[256];
    char tote[256][32];
    int n = 0, tour = 0, tours = 0;
    for (int more = 1; more;) {
        int rc = sqlite3_step(st);
        more = rc == SQLITE_ROW;
        int t = more ? sqlite3_column_int(st, 0) : -1;
        if (t != tour && n > 0) {
            /* close tour `tour` */
            int idx[256];
            for (int i = 0; i < n; i++)
                idx[i] = i;
            double len = wms_route_tour_length(&m.l, p, idx, n), best;
            int o2[256];
            assert_int_equal(wms_route_optimal(&m.l, p, n, o2, &best, NULL, &f->err), 0);
            assert_true(fabs(len - best) < 1e-9);
            int64_t seen_o[256];
            int ns = 0;
            for (int i = 0; i < n; i++) {
                int k = -1;
                for (int j = 0; j < ns; j++)
                    if (seen_o[j] == ord[i])
                        k = j;
                if (k < 0)
                    seen_o[k = ns++] = ord[i];
                /* the same order keeps one tote; another order another one */
                for (int j = 0; j < i; j++)
                    assert_int_equal(ord[j] == ord[i], !strcmp(tote[j], tote[i]));
            }
            for (int i = 0; i < n; i++) {
                long long tw;
                int tt, tk;
                assert_int_equal(sscanf(tote[i], "T%lld-%d-%d", &tw, &tt, &tk), 3);
                assert_int_equal(tw, w);
                assert_int_equal(tt, tour);
                assert_true(tk >= 1 && tk <= ns);
            }
            tours++;
            n = 0;
        }
        if (!more)
            break;
        assert_int_equal(t, tours + 1); /* tours numbered 1.. */
        tour = t;
        assert_int_equal(sqlite3_column_int(st, 1), n + 1); /* seq 1.. along the route */
        assert_true(n < 256);
        assert_int_equal(wms_layout_bin(f->db, &m, (const char *)sqlite3_column_text(st, 2), &p[n],
                                        NULL, &f->err),
                         0);
        ord[n] = sqlite3_column_int64(st, 3);
        snprintf(tote[n], sizeof(tote[n]), "%s", (const char *)sqlite3_column_text(st, 4));
        n++;
    }
    sqlite3_finalize(st);
    sqlite3_close(s);
    wms_layout_map_free(&m);
    assert_int_equal(
        tours,
        q1(f, "SELECT count(DISTINCT tour) FROM tasks WHERE wave_id = %lld AND kind = 'pick'",
           (long long)w));
}

static void check_invariant(fx *f)
{
    assert_int_equal(q1(f, "SELECT count(*) FROM stock s WHERE s.reserved <> coalesce((SELECT "
                           "sum(a.qty - a.picked) FROM allocations a WHERE a.status = 'open' AND "
                           "a.bin_id = s.bin_id AND a.item_id = s.item_id AND a.lot = s.lot AND "
                           "a.expiry = s.expiry), 0)"),
                     0);
}

static void test_release(void **state)
{
    fx *f = *state;
    uint64_t s = 7;
    int lines = 0;
    for (int i = 0; i < 20; i++) {
        char ref[8], buf[256] = "";
        snprintf(ref, sizeof(ref), "R%02d", i);
        int nl = 1 + i % 4;
        for (int k = 0; k < nl; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            char l[32];
            snprintf(l, sizeof(l), "%sA%d-%02d:%d", k ? "," : "", 1 + (int)((s >> 33) % 6),
                     2 + 4 * (int)((s >> 45) % 5), 1 + (int)((s >> 50) % 3));
            strcat(buf, l);
        }
        add_order(f, ref, "released", 1000 + i, 3, buf);
        lines += nl;
    }
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    o.totes = 4;
    int64_t w;
    assert_int_equal(wms_wave_release(f->db, &who, &o, NULL, &w, &f->err), 0);
    assert_true(w > 0);
    assert_int_equal(q1(f,
                        "SELECT count(*) FROM waves WHERE id = %lld AND status = 'released' "
                        "AND method = 'batch' AND released IS NOT NULL",
                        (long long)w),
                     1);
    /* every order allocated, stamped with the wave, with its status event */
    assert_int_equal(q1(f,
                        "SELECT count(*) FROM orders WHERE status = 'allocated' AND "
                        "wave_id = %lld",
                        (long long)w),
                     20);
    assert_int_equal(q1(f, "SELECT count(*) FROM events WHERE kind = 'order.status' AND "
                           "status = 'allocated'"),
                     20);
    /* one pick task per allocation, each in a tour with a tote */
    assert_int_equal(
        q1(f, "SELECT count(*) FROM tasks WHERE wave_id = %lld AND kind = 'pick'", (long long)w),
        lines);
    assert_int_equal(q1(f, "SELECT count(*) FROM allocations a WHERE status = 'open' AND "
                           "NOT EXISTS (SELECT 1 FROM tasks t WHERE t.allocation_id = a.id AND "
                           "t.order_id = a.order_id AND t.qty = a.qty AND t.from_bin_id = "
                           "a.bin_id AND t.item_id = a.item_id)"),
                     0);
    /* at most 4 orders per tour */
    assert_int_equal(q1(f,
                        "SELECT count(*) FROM (SELECT tour FROM tasks WHERE wave_id = %lld "
                        "GROUP BY tour HAVING count(DISTINCT order_id) > 4)",
                        (long long)w),
                     0);
    check_tours(f, w);
    check_invariant(f);

    wms_wave_info info;
    assert_int_equal(wms_wave_status(f->db, w, &info, &f->err), 0);
    assert_int_equal(info.orders, 20);
    assert_int_equal(info.orders_open, 20);
    assert_int_equal(info.tasks, lines);
    assert_int_equal(info.tasks_open, lines);
    assert_int_equal(info.tasks_done, 0);
    assert_true(info.tours >= 5); /* 20 orders, 4 totes a cart */
    assert_string_equal(info.status, "released");
    assert_string_equal(info.method, "batch");
    assert_non_null(strstr(info.summary, "\"orders\":20,"));
    char want[64];
    snprintf(want, sizeof(want), "\"tasks\":%d,", lines);
    assert_non_null(strstr(info.summary, want));
    sql(f, "UPDATE tasks SET status = 'done' WHERE wave_id = %lld AND tour = 1", (long long)w);
    assert_int_equal(wms_wave_status(f->db, w, &info, &f->err), 0);
    assert_true(info.tasks_done > 0 && info.tasks_done + info.tasks_open == lines);

    /* Nothing is released any more: a second release finds nothing and
     * stores nothing. */
    int64_t w2 = -1;
    assert_int_equal(wms_wave_release(f->db, &who, &o, NULL, &w2, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(w2, 0);
    assert_int_equal(q1(f, "SELECT count(*) FROM waves"), 1);
    assert_int_equal(wms_wave_status(f->db, w + 5, &info, &f->err), WMS_ENOT_FOUND);
}

/* Zone picking: one tour per zone per group; each task's zone is its bin's. */
static void test_zone_split(void **state)
{
    fx *f = *state;
    add_order(f, "Z1", "released", 1, 3, "A1-02:1,A5-06:1");
    add_order(f, "Z2", "released", 2, 3, "A2-10:1,A6-18:1,A3-14:2");
    add_order(f, "Z3", "released", 3, 3, "A1-18:1");
    add_order(f, "Z4", "released", 4, 3, "A4-02:1,A4-06:1");
    add_order(f, "Z5", "released", 5, 3, "A6-02:1,A1-06:1");
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    o.method = WMS_WAVE_ZONE;
    o.totes = 3;
    wms_wave_snapshot snap;
    assert_int_equal(wms_wave_snapshot_load(f->db, &o, &snap, &f->err), 0);
    wms_wave_plan_out p;
    assert_int_equal(wms_wave_compute(&snap, &o, &p, &f->err), 0);
    assert_int_equal(p.n_zones, 2);
    int tours_want = 0;
    for (int g = 0; g < p.n_groups; g++) {
        int has[2] = {0, 0};
        for (int i = 0; i < p.n_orders; i++)
            if (p.order_group[i] == g)
                for (int k = 0; k < snap.orders[i].n_picks; k++)
                    has[snap.pick_zone[snap.orders[i].first_pick + k]] = 1;
        tours_want += has[0] + has[1];
    }
    assert_int_equal(p.n_tours, tours_want);
    for (int t = 0; t < p.n_tours; t++) {
        const wms_wave_tour *w = &p.tours[t];
        assert_true(w->zone == 0 || w->zone == 1);
        int picks = 0;
        for (int i = 0; i < w->n; i++) {
            int oi = p.tour_orders[w->first + i], mine = 0;
            assert_int_equal(p.order_group[oi], w->group);
            for (int k = 0; k < snap.orders[oi].n_picks; k++)
                mine += snap.pick_zone[snap.orders[oi].first_pick + k] == w->zone;
            assert_true(mine > 0);
            picks += mine;
        }
        assert_int_equal(picks, w->picks);
    }
    /* totes: one per order per zone it touches: Z1 2, Z2 2, Z3 1, Z4 1, Z5 2 */
    assert_int_equal(p.s.totes, 8);
    assert_int_equal(p.s.zones, 2);

    int64_t w;
    assert_int_equal(wms_wave_release(f->db, &who, &o, &p, &w, &f->err), 0);
    assert_int_equal(q1(f,
                        "SELECT count(*) FROM tasks t JOIN bins b ON b.id = t.from_bin_id "
                        "WHERE t.wave_id = %lld AND t.zone <> b.zone",
                        (long long)w),
                     0);
    assert_int_equal(q1(f,
                        "SELECT count(*) FROM (SELECT tour FROM tasks WHERE wave_id = %lld "
                        "GROUP BY tour HAVING count(DISTINCT zone) <> 1)",
                        (long long)w),
                     0);
    assert_int_equal(
        q1(f, "SELECT count(DISTINCT tour) FROM tasks WHERE wave_id = %lld", (long long)w),
        p.n_tours);
    assert_int_equal(
        q1(f, "SELECT count(DISTINCT tote) FROM tasks WHERE wave_id = %lld", (long long)w), 8);
    assert_int_equal(q1(f, "SELECT count(*) FROM tasks WHERE wave_id = %lld", (long long)w), 10);
    check_tours(f, w);
    check_invariant(f);
    wms_wave_plan_free(&p);
    wms_wave_snapshot_free(&snap);
}

/* A plan made earlier: orders no longer released are left out; lines
 * without stock are counted and the order is shorted by allocation. */
static void test_stale_plan_and_unlocated(void **state)
{
    fx *f = *state;
    add_order(f, "P1", "released", 1, 3, "A1-02:1");
    add_order(f, "P2", "released", 2, 3, "A2-02:1");
    add_order(f, "P3", "released", 3, 3, "A3-02:1");
    sql(f, "UPDATE stock SET qty = 0 WHERE bin_id = (SELECT id FROM bins WHERE code = 'A3-02')");
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    wms_wave_plan_out p;
    assert_int_equal(wms_wave_plan(f->db, &o, &p, &f->err), 0);
    assert_int_equal(p.s.orders, 3);
    assert_int_equal(p.s.unlocated_lines, 1);
    assert_int_equal(p.s.picks, 2);
    sql(f, "UPDATE orders SET status = 'held' WHERE ref = 'P2'");
    int64_t w;
    assert_int_equal(wms_wave_release(f->db, &who, &o, &p, &w, &f->err), 0);
    assert_int_equal(q1(f, "SELECT count(*) FROM orders WHERE ref = 'P2' AND status = 'held' "
                           "AND wave_id IS NULL"),
                     1);
    assert_int_equal(q1(f,
                        "SELECT count(*) FROM orders WHERE ref = 'P1' AND status = "
                        "'allocated' AND wave_id = %lld",
                        (long long)w),
                     1);
    assert_int_equal(q1(f, "SELECT count(*) FROM orders WHERE ref = 'P3' AND status = 'short'"), 1);
    assert_int_equal(q1(f, "SELECT count(*) FROM tasks WHERE wave_id = %lld", (long long)w), 1);
    /* a plan for another method is refused */
    o.method = WMS_WAVE_ZONE;
    assert_int_equal(wms_wave_release(f->db, &who, &o, &p, &w, &f->err), WMS_EBAD_ARGS);
    wms_wave_plan_free(&p);
}

/* Stock only in reserve for an item with a pick face: the release plans the
 * replenishment, and the pick task waits for it at the pick face (routed
 * there). */
static void test_replenish_link(void **state)
{
    fx *f = *state;
    assert_int_equal(fx_import(f, "bins", "code,zone,type,aisle,y_m\nR6,Z2,reserve,A6,11\n", 0), 0);
    assert_int_equal(fx_import(f, "items", "sku,description\nS-RES,reserve only\n", 0), 0);
    assert_int_equal(fx_import(f, "stock", "bin,sku,qty\nR6,S-RES,40\n", 0), 0);
    assert_int_equal(wms_pickface_set(f->db, "A1-06", "S-RES", 5, 20, &f->err), WMS_PUT_INSERTED);
    add_order(f, "RP", "released", 1, 3, "RES:5,A2-02:1");
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    int64_t w;
    assert_int_equal(wms_wave_release(f->db, &who, &o, NULL, &w, &f->err), 0);
    long long rt =
        q1(f, "SELECT id FROM tasks WHERE kind = 'replenish' AND wave_id = %lld", (long long)w);
    assert_true(rt > 0);
    assert_int_equal(q1(f,
                        "SELECT count(*) FROM tasks t JOIN bins b ON b.id = t.from_bin_id "
                        "WHERE t.kind = 'pick' AND t.wave_id = %lld AND b.code = 'A1-06' AND "
                        "t.depends_on = %lld AND t.qty = 5",
                        (long long)w, rt),
                     1);
    /* replenishments come before the picks in (tour, seq) order */
    assert_true(q1(f, "SELECT seq FROM tasks WHERE id = %lld", rt) < 1);
    check_tours(f, w);
    check_invariant(f);
}

static void test_bad_options(void **state)
{
    fx *f = *state;
    add_order(f, "E1", "released", 1, 3, "A1-02:1");
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    wms_wave_plan_out p;
    o.method = (wms_wave_method)4;
    assert_int_equal(wms_wave_plan(f->db, &o, &p, &f->err), WMS_EBAD_ARGS);
    int64_t w;
    assert_int_equal(wms_wave_release(f->db, &who, &o, NULL, &w, &f->err), WMS_EBAD_ARGS);
    wms_wave_opts_init(&o);
    o.max_lines = -1;
    assert_int_equal(wms_wave_plan(f->db, &o, &p, &f->err), WMS_EBAD_ARGS);
    wms_wave_opts_init(&o);
    o.walk_mps = 0;
    assert_int_equal(wms_wave_plan(f->db, &o, &p, &f->err), WMS_EBAD_ARGS);
    wms_wave_method m;
    assert_int_equal(wms_wave_method_parse("zone", &m, &f->err), 0);
    assert_int_equal(m, WMS_WAVE_ZONE);
    assert_int_equal(wms_wave_method_parse("wave", &m, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(q1(f, "SELECT count(*) FROM waves"), 0);
    assert_int_equal(q1(f, "SELECT count(*) FROM orders WHERE status = 'released'"), 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, wv_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_layout_load),
        T(test_route_db_vs_bruteforce),
        T(test_selection),
        T(test_batch_beats_fcfs),
        T(test_release),
        T(test_zone_split),
        T(test_stale_plan_and_unlocated),
        T(test_replenish_link),
        T(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
