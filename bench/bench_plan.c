/*
 * bench_plan.c - wave planning time and batching travel against FCFS.
 *
 *   bench_plan [--dir DIR] [--orders N] [--lines-per-order K] [--bins N] [--items N]
 *              [--summary FILE]
 *
 * 1. A generated warehouse (wms_demo_generate: layout, items, packs,
 *    barcodes, bins, stock; default 6000 bins = 67 aisles with a middle
 *    cross aisle, 2000 items) imported with wms_import into a fresh
 *    database in DIR (default $BENCH_TMPDIR or /tmp).
 * 2. N released orders (default 10,000) of exactly K lines (default 5:
 *    50,000 lines) inserted with SQL in one transaction; items drawn with
 *    class-based skew (20 % of the items get 80 % of the lines), fixed seed.
 * 3. wms_wave_plan for one batch wave of all of them (8 totes a cart),
 *    timed in its two parts: the snapshot (reads) and the compute (pure).
 * 4. Batching travel: the same orders and capacity batched
 *    first-come-first-served (in selection order) and by savings, for 4, 8
 *    and 12 totes a cart: total tour length and the share saved; on the
 *    big warehouse and on a single-block Henn-style one (903 bins, 10
 *    aisles; 2000 orders of K lines).
 * 5. Walking per order line, discrete vs cluster (batch, 8 totes) vs
 *    pick-and-sort (sort waves: every bin once, tours of 8 orders' worth of
 *    stops), planned on the same orders of both warehouses; pick-and-sort
 *    walks least but adds a sort step at the put wall (not counted here).
 * --summary FILE appends "plan orders=... total_s=... walk_m=..." and one
 * "plan_batch warehouse=big|henn totes=T fcfs_s=... savings_s=... fcfs_m=...
 * savings_m=..." line per row of the batching table, for bench/run.sh.
 */
#include "domain/demogen.h"
#include "store/wave.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t rng_state;
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void die(const char *what, const wms_error *err)
{
    fprintf(stderr, "bench_plan: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

/* Generates and imports a warehouse into dir/name.db; returns the open db. */
static wms_db *make_warehouse(const char *dir, const char *name, int bins, int items)
{
    static const char *const kinds[] = {"layout", "items", "packs", "barcodes", "bins", "stock"};
    char path[1100], db_path[1024];
    FILE *f[6];
    for (int k = 0; k < 6; k++) {
        snprintf(path, sizeof(path), "%s/%s-%s.csv", dir, name, kinds[k]);
        if ((f[k] = fopen(path, "w+")) == NULL)
            die("cannot create a CSV file", NULL);
    }
    wms_demo_opts o = {.seed = 11, .bins = bins, .items = items, .today = "2026-11-23"};
    wms_demo_out out = {.layout = f[0],
                        .items = f[1],
                        .packs = f[2],
                        .barcodes = f[3],
                        .bins = f[4],
                        .stock = f[5]};
    wms_error err = {0};
    if (wms_demo_generate(&o, &out, &err) < 0)
        die("demo data", &err);
    snprintf(db_path, sizeof(db_path), "%s/%s.db", dir, name);
    unlink(db_path);
    snprintf(path, sizeof(path), "%s-wal", db_path);
    unlink(path);
    wms_db *db;
    if (wms_db_open(db_path, WMS_DB_CREATE, &db, &err) < 0)
        die("open", &err);
    wms_db_set_today(db, "2026-11-23");
    wms_actor who = {"bench", "bench_plan", NULL};
    for (int k = 0; k < 6; k++) {
        rewind(f[k]);
        wms_import_stats st;
        if (wms_import(db, &who, kinds[k], f[k], 0, &st, &err) < 0)
            die(kinds[k], &err);
        fclose(f[k]);
        snprintf(path, sizeof(path), "%s/%s-%s.csv", dir, name, kinds[k]);
        unlink(path);
    }
    return db;
}

/* Inserts n released orders of k lines (skewed items) with SQL. */
static void add_orders(const char *dir, const char *name, int n, int k)
{
    char db_path[1024];
    snprintf(db_path, sizeof(db_path), "%s/%s.db", dir, name);
    sqlite3 *s;
    if (sqlite3_open(db_path, &s) != SQLITE_OK)
        die("sqlite open", NULL);
    sqlite3_exec(s, "PRAGMA busy_timeout = 5000; BEGIN", NULL, NULL, NULL);
    sqlite3_exec(s, "INSERT INTO customers(code, name, credit) VALUES ('BENCH', 'Bench', 'green')",
                 NULL, NULL, NULL);
    sqlite3_stmt *cnt, *ord, *line;
    sqlite3_prepare_v2(s, "SELECT max(id) FROM items", -1, &cnt, NULL);
    sqlite3_step(cnt);
    int items = sqlite3_column_int(cnt, 0);
    sqlite3_finalize(cnt);
    if (items < 1)
        die("no items", NULL);
    sqlite3_prepare_v2(s,
                       "INSERT INTO orders(ref, customer_id, priority, cutoff_ms, status, "
                       "created) VALUES (?1, (SELECT id FROM customers WHERE code = 'BENCH'), "
                       "?2, ?3, 'released', '2026-11-23T06:00:00Z')",
                       -1, &ord, NULL);
    sqlite3_prepare_v2(s,
                       "INSERT INTO order_lines(order_id, line, item_id, qty) VALUES "
                       "(?1, ?2, ?3, ?4)",
                       -1, &line, NULL);
    rng_state = 4242;
    int hot = items / 5 > 0 ? items / 5 : 1;
    for (int i = 0; i < n; i++) {
        char ref[32];
        snprintf(ref, sizeof(ref), "BO-%06d", i);
        sqlite3_bind_text(ord, 1, ref, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(ord, 2, 1 + (int)(rng_next() % 5));
        sqlite3_bind_int64(ord, 3, 1795000000000LL + 3600000LL * (int64_t)(rng_next() % 3));
        if (sqlite3_step(ord) != SQLITE_DONE)
            die(sqlite3_errmsg(s), NULL);
        sqlite3_reset(ord);
        int64_t oid = sqlite3_last_insert_rowid(s);
        for (int l = 1; l <= k; l++) {
            int item = rng_next() % 10 < 8 ? 1 + (int)(rng_next() % (uint64_t)hot)
                                           : 1 + (int)(rng_next() % (uint64_t)items);
            sqlite3_bind_int64(line, 1, oid);
            sqlite3_bind_int(line, 2, l);
            sqlite3_bind_int(line, 3, item);
            sqlite3_bind_int(line, 4, 1 + (int)(rng_next() % 3));
            if (sqlite3_step(line) != SQLITE_DONE)
                die(sqlite3_errmsg(s), NULL);
            sqlite3_reset(line);
        }
    }
    sqlite3_finalize(ord);
    sqlite3_finalize(line);
    if (sqlite3_exec(s, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        die(sqlite3_errmsg(s), NULL);
    sqlite3_close(s);
}

static FILE *summary; /* --summary, or NULL */

/* One row of the batching table: FCFS and savings over the snapshot. */
static void batching_row(const char *label, const char *tag, const wms_wave_snapshot *snap,
                         int totes)
{
    int n = snap->n_orders;
    wms_batch_order *bo = malloc(sizeof(*bo) * (size_t)(n + 1));
    if (bo == NULL)
        die("out of memory", NULL);
    for (int i = 0; i < n; i++) {
        const wms_wave_sorder *o = &snap->orders[i];
        bo[i] = (wms_batch_order){snap->picks + o->first_pick, o->n_picks, o->lines, o->units};
    }
    wms_batch_opts bo_f = {WMS_BATCH_FCFS, {totes, 0, 0}, 0, 0};
    wms_batch_opts bo_s = {WMS_BATCH_SAVINGS, {totes, 0, 0}, 0, 0};
    wms_batch_result rf, rs;
    wms_error err = {0};
    double t0 = now_s();
    if (wms_batch_plan(&snap->lay.l, bo, n, &bo_f, &rf, &err) < 0)
        die("fcfs", &err);
    double t1 = now_s();
    if (wms_batch_plan(&snap->lay.l, bo, n, &bo_s, &rs, &err) < 0)
        die("savings", &err);
    double t2 = now_s();
    printf("%-34s %7d %6d %7d %12.0f %12.0f %8.1f%% %9.2f %9.2f\n", label, n, totes, rs.n_tours,
           rf.total_dist, rs.total_dist, 100.0 * (rf.total_dist - rs.total_dist) / rf.total_dist,
           t1 - t0, t2 - t1);
    if (summary)
        fprintf(summary,
                "plan_batch warehouse=%s orders=%d totes=%d fcfs_s=%.3f savings_s=%.3f "
                "fcfs_m=%.0f savings_m=%.0f\n",
                tag, n, totes, t1 - t0, t2 - t1, rf.total_dist, rs.total_dist);
    wms_batch_result_free(&rf);
    wms_batch_result_free(&rs);
    free(bo);
}

/* Walking per order line for discrete, cluster and pick-and-sort plans of
 * the same released orders. */
static void walk_table(const char *label, const char *tag, wms_db *db)
{
    static const wms_wave_method methods[] = {WMS_WAVE_DISCRETE, WMS_WAVE_BATCH, WMS_WAVE_SORT};
    static const char *const names[] = {"discrete", "cluster (8 totes)", "pick-and-sort"};
    double base = 0.0;
    for (int i = 0; i < 3; i++) {
        wms_wave_opts o;
        wms_wave_opts_init(&o);
        o.method = methods[i];
        wms_wave_plan_out plan;
        wms_error err = {0};
        double t0 = now_s();
        if (wms_wave_plan(db, &o, &plan, &err) < 0)
            die("walk plan", &err);
        double t = now_s() - t0, per = plan.s.lines > 0 ? plan.s.walk_m / plan.s.lines : 0.0;
        if (i == 0)
            base = per;
        printf("%-30s %-18s %7lld %7lld %12.0f %10.2f %7.2fx %8.2f\n", label, names[i],
               (long long)plan.s.lines, (long long)plan.s.tours, plan.s.walk_m, per,
               base > 0 ? per / base : 0.0, t);
        if (summary)
            fprintf(summary,
                    "plan_walk warehouse=%s method=%s orders=%lld lines=%lld tours=%lld "
                    "walk_m=%.0f m_per_line=%.3f plan_s=%.3f\n",
                    tag, wms_wave_method_name(methods[i]), (long long)plan.s.orders,
                    (long long)plan.s.lines, (long long)plan.s.tours, plan.s.walk_m, per, t);
        wms_wave_plan_free(&plan);
    }
}

static void batching_table(const char *label, const char *tag, wms_db *db)
{
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    wms_wave_snapshot snap;
    wms_error err = {0};
    if (wms_wave_snapshot_load(db, &o, &snap, &err) < 0)
        die("snapshot", &err);
    static const int totes[] = {4, 8, 12};
    for (int i = 0; i < 3; i++)
        batching_row(label, tag, &snap, totes[i]);
    wms_wave_snapshot_free(&snap);
}

int main(int argc, char **argv)
{
    const char *dir = getenv("BENCH_TMPDIR") ? getenv("BENCH_TMPDIR") : "/tmp";
    int orders = 10000, per = 5, bins = 6000, items = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--dir"))
            dir = argv[i + 1];
        else if (!strcmp(argv[i], "--orders"))
            orders = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--lines-per-order"))
            per = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--bins"))
            bins = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--items"))
            items = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--summary")) {
            if ((summary = fopen(argv[i + 1], "a")) == NULL) {
                fprintf(stderr, "bench_plan: cannot open %s\n", argv[i + 1]);
                return 1;
            }
        } else {
            fprintf(stderr, "usage: bench_plan [--dir DIR] [--orders N] [--lines-per-order K] "
                            "[--bins N] [--items N] [--summary FILE]\n");
            return 2;
        }
    }
    if (orders < 1 || orders > WMS_WAVE_MAX_ORDERS || per < 1 || per > 100 || bins < 903 ||
        items < 10) {
        fprintf(stderr, "bench_plan: option out of range\n");
        return 2;
    }
    double t0 = now_s();
    wms_db *db = make_warehouse(dir, "bench-plan-big", bins, items);
    add_orders(dir, "bench-plan-big", orders, per);
    double t_setup = now_s() - t0;

    wms_wave_opts o;
    wms_wave_opts_init(&o);
    wms_error err = {0};
    wms_wave_snapshot snap;
    wms_wave_plan_out plan;
    t0 = now_s();
    if (wms_wave_snapshot_load(db, &o, &snap, &err) < 0)
        die("snapshot", &err);
    double t1 = now_s();
    if (wms_wave_compute(&snap, &o, &plan, &err) < 0)
        die("compute", &err);
    double t2 = now_s();
    printf("Wave planning: %d aisles (%d cross aisle%s), %d items; %lld orders, %lld lines "
           "(setup %.1f s)\n",
           snap.lay.l.n_aisles, snap.lay.l.n_cross, snap.lay.l.n_cross == 1 ? "" : "s", items,
           (long long)plan.s.orders, (long long)plan.s.lines, t_setup);
    printf("%-44s %10s\n", "step", "seconds");
    printf("%-44s %10.3f\n", "snapshot (read orders, lines, stock)", t1 - t0);
    printf("%-44s %10.3f\n", "compute (savings batching, 8 totes, routes)", t2 - t1);
    printf("%-44s %10.3f\n", "wms_wave_plan total", t2 - t0);
    printf("plan: %lld tours, %.0f m walking (FCFS %.0f m, %.1f%% less), %lld pickers for 1 h\n",
           (long long)plan.s.tours, plan.s.walk_m, plan.s.fcfs_walk_m,
           100.0 * (plan.s.fcfs_walk_m - plan.s.walk_m) / plan.s.fcfs_walk_m,
           (long long)plan.s.pickers);
    if (summary)
        fprintf(summary,
                "plan orders=%lld lines=%lld aisles=%d totes=8 snapshot_s=%.3f compute_s=%.3f "
                "total_s=%.3f tours=%lld walk_m=%.0f fcfs_walk_m=%.0f\n",
                (long long)plan.s.orders, (long long)plan.s.lines, snap.lay.l.n_aisles, t1 - t0,
                t2 - t1, t2 - t0, (long long)plan.s.tours, plan.s.walk_m, plan.s.fcfs_walk_m);
    wms_wave_plan_free(&plan);
    wms_wave_snapshot_free(&snap);

    printf("\nBatching travel: first-come-first-served vs savings (same orders, same cart)\n");
    printf("%-34s %7s %6s %7s %12s %12s %9s %9s %9s\n", "warehouse", "orders", "totes", "tours",
           "FCFS m", "savings m", "saved", "FCFS s", "saving s");
    batching_table("generated, multi-block", "big", db);

    wms_db *henn = make_warehouse(dir, "bench-plan-henn", 903, 600);
    add_orders(dir, "bench-plan-henn", 2000, per);
    batching_table("Henn 10 aisles, single block", "henn", henn);

    printf("\nWalking per order line: discrete vs cluster vs pick-and-sort (same orders)\n");
    printf("%-30s %-18s %7s %7s %12s %10s %8s %8s\n", "warehouse", "method", "lines", "tours",
           "walk m", "m/line", "vs disc", "plan s");
    walk_table("generated, multi-block", "big", db);
    walk_table("Henn 10 aisles, single block", "henn", henn);
    wms_db_close(db);
    wms_db_close(henn);
    for (int k = 0; k < 2; k++) {
        static const char *const names[] = {"bench-plan-big", "bench-plan-henn"};
        static const char *const sfx[] = {".db", ".db-wal", ".db-shm"};
        for (int j = 0; j < 3; j++) {
            char p[1100];
            snprintf(p, sizeof(p), "%s/%s%s", dir, names[k], sfx[j]);
            unlink(p);
        }
    }
    if (summary)
        fclose(summary);
    return 0;
}
