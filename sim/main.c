/*
 * main.c - wms-sim, the warehouse simulator: builds (or finds) the
 * warehouse, runs wmsd (or drives a running one), lets virtual handhelds
 * work a shift over the real protocol with injected faults, then checks
 * its ledger against the engine and writes the reports.  See sim/README.md.
 */
#define _GNU_SOURCE
#include "sim.h"

#include "store/stock.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char usage[] =
    "usage: wms-sim [--server HOST:PORT] [--scenario FILE] [--seed N] [--pickers N]\n"
    "               [--receivers N] [--serial-pickers N] [--duration S] [--speed X]\n"
    "               [--report DIR] [--chaos-restart] [--wmsd PATH] [--db FILE]\n"
    "               [--workdir DIR] [--set KEY=VALUE]... [--today YYYY-MM-DD]\n"
    "               [--build-only] [--no-progress] [--drain S] [--ptyshim PATH]\n"
    "               [--test-tamper ledger-lost,db-double,forget-pick]\n"
    "Runs wmsd itself (the one next to wms-sim, or --wmsd) on a fresh database\n"
    "(--db, default <workdir>/wms.db, workdir ./sim-out) unless --server is given\n"
    "without --wmsd: then it drives that running server (--db names its database,\n"
    "read for item codes and the ledger check).  Exit status: 0 the ledger check\n"
    "passed, 1 it failed (or the run could not complete), 2 bad usage.\n";

typedef struct opts {
    const char *server, *scenario, *report, *wmsd, *db, *workdir, *today, *ptyshim, *tamper;
    int chaos, build_only, progress, wmsd_given;
    double drain_s;
} opts;

/* The run's state shared by the loop callbacks. */
static struct {
    sim s;
    opts o;
    int own; /* the simulator runs wmsd */
    sim_wmsd wmsd;
    sim_rng chaos_rng;
    uv_timer_t tick, chaos;
    int chaos_on, server_down, fatal;
    uint64_t stop_ns, last_line_ns;
    int tty;
    char db_path[SIM_PATH_MAX];
} g;

static int fail_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "wms-sim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s", usage);
    return 2;
}

/* Directory of this executable, for wmsd and the pty shim next to it. */
static void exe_dir(char *out, size_t n)
{
    char buf[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (len <= 0) {
        snprintf(out, n, ".");
        return;
    }
    buf[len] = '\0';
    snprintf(out, n, "%s", dirname(buf));
}

static int mkdirs(const char *path)
{
    char buf[SIM_PATH_MAX];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static void today_utc(char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* ---- the loop: progress, end of shift, chaos ---- */

static void progress_line(int final)
{
    sim *s = &g.s;
    double t = sim_now(s);
    long long open = s->tasks_released - s->tasks_closed;
    sim_metrics_open_tasks(s->m, t, open < 0 ? 0 : open);
    if (!g.o.progress)
        return;
    uint64_t now = sim_now_ns();
    if (!g.tty && !final && now - g.last_line_ns < 10ull * 1000000000ull)
        return;
    g.last_line_ns = now;
    char line[512];
    sim_metrics_progress(s->m, t > s->sc.duration_s ? s->sc.duration_s : t, line, sizeof(line));
    if (g.tty)
        printf("\r%s%s\033[K%s", line, g.server_down ? "  [server down]" : "", final ? "\n" : "");
    else
        printf("%s%s\n", line, g.server_down ? "  [server down]" : "");
    fflush(stdout);
}

static void tick_cb(uv_timer_t *t)
{
    (void)t;
    sim *s = &g.s;
    static uint64_t last_progress;
    uint64_t now = sim_now_ns();
    if (now - last_progress >= 1000000000ull) {
        last_progress = now;
        progress_line(0);
    }
    if (!s->stopping && sim_now(s) >= s->sc.duration_s) {
        sim_devices_stop(s);
        g.stop_ns = now;
    }
    if (s->stopping && !g.server_down &&
        (!sim_devices_busy(s) || (double)(now - g.stop_ns) / 1e9 > g.o.drain_s))
        uv_stop(s->loop);
}

static void chaos_schedule(void);

static void chaos_restart_cb(uv_timer_t *t)
{
    (void)t;
    wms_error err;
    wms_error_clear(&err);
    if (sim_wmsd_start(&g.wmsd, &err) < 0) {
        fprintf(stderr, "\nwms-sim: cannot restart wmsd: %s\n", err.msg);
        g.fatal = 1;
        g.server_down = 0;
        uv_stop(g.s.loop);
        return;
    }
    g.server_down = 0;
    chaos_schedule();
}

static void chaos_kill_cb(uv_timer_t *t)
{
    if (g.s.stopping)
        return;
    sim_wmsd_kill(&g.wmsd);
    sim_metrics_fault(g.s.m, "restart");
    g.server_down = 1;
    uv_timer_start(t, chaos_restart_cb, (uint64_t)(g.s.sc.restart_down_s * 1000), 0);
}

/* The next kill: an exponential gap (simulated seconds) from the chaos
 * stream, so the schedule is the same in every run with the seed. */
static void chaos_schedule(void)
{
    double gap = sim_rng_exp(&g.chaos_rng, g.s.sc.restart_every_s);
    if (gap < 1)
        gap = 1;
    uv_timer_start(&g.chaos, chaos_kill_cb, sim_clock_real_ms(&g.s.clock, gap), 0);
}

/* ---- the end: check, tamper hooks ---- */

static void print_check(const char *stage, const sim_check_result *r)
{
    printf("sim-check: stage=%s ok=%d checked=%lld lost=%lld doubled=%lld mismatches=%lld "
           "verify=%lld in_doubt=%lld\n",
           stage, r->ok, r->checked, r->lost, r->doubled, r->mismatches, r->verify_diffs,
           r->in_doubt);
    if (!r->ok && r->detail[0])
        printf("%s", r->detail);
    fflush(stdout);
}

static int first_effect(const char *method)
{
    for (int i = 0; i < sim_ledger_count(g.s.ledger); i++) {
        const sim_effect *e = sim_ledger_effect(g.s.ledger, i);
        if (e->ok && e->qty > 0 && e->txn[0] && !strcmp(e->method, method))
            return i;
    }
    return -1;
}

/* Test hooks (--test-tamper): each makes the engine and the ledger disagree
 * in one known way.  Returns 0, or -1 when it could not be applied. */
static int tamper(const char *kind)
{
    sim *s = &g.s;
    if (!strcmp(kind, "ledger-lost")) {
        /* The ledger holds an acknowledged receipt the engine never made. */
        int i = first_effect("receive.scan");
        if (i < 0)
            return -1;
        sim_effect e = *sim_ledger_effect(s->ledger, i);
        char *dash = strrchr(e.txn, '-');
        if (dash == NULL)
            return -1;
        snprintf(dash + 1, sizeof(e.txn) - (size_t)(dash + 1 - e.txn), "999999999");
        return sim_ledger_add(s->ledger, &e);
    }
    if (!strcmp(kind, "forget-pick")) {
        /* The sim forgets one acknowledged pick: the engine has it "twice". */
        int i = first_effect("pick.confirm");
        if (i < 0)
            return -1;
        sim_ledger_forget(s->ledger, i);
        return 0;
    }
    if (!strcmp(kind, "db-double")) {
        /* The engine books an acknowledged receipt a second time, under the
         * same device and txn, through its own library. */
        int i = first_effect("receive.scan");
        if (i < 0 || g.db_path[0] == '\0')
            return -1;
        const sim_effect *e = sim_ledger_effect(s->ledger, i);
        char device[SIM_TXN_MAX];
        snprintf(device, sizeof(device), "%s", e->txn);
        char *dash = strrchr(device, '-');
        if (dash == NULL)
            return -1;
        *dash = '\0';
        wms_db *db = NULL;
        wms_error err;
        wms_error_clear(&err);
        if (wms_db_open(g.db_path, 0, &db, &err) < 0) {
            fprintf(stderr, "wms-sim: tamper: %s\n", err.msg);
            return -1;
        }
        wms_actor who = {"recv01", device, e->txn};
        wms_receive_req req = {.bin = s->w->bins[s->w->dock].code,
                               .code = s->w->items[e->item].unit_code,
                               .sku = s->w->items[e->item].sku,
                               .mult = e->qty};
        wms_booking b;
        int rc = wms_stock_receive(db, &who, &req, &b, &err);
        wms_db_close(db);
        if (rc < 0)
            fprintf(stderr, "wms-sim: tamper: %s\n", err.msg);
        return rc < 0 ? -1 : 0;
    }
    fprintf(stderr, "wms-sim: unknown --test-tamper kind '%s'\n", kind);
    return -1;
}

static int run_check(sim_check_result *r, wms_error *err)
{
    sim *s = &g.s;
    char sup[33];
    sim_user_name("sup", 0, sup, sizeof(sup));
    const char *devs[SIM_SCEN_MAX_PICKERS + SIM_SCEN_MAX_RECEIVERS + 2];
    uint64_t base[SIM_SCEN_MAX_PICKERS + SIM_SCEN_MAX_RECEIVERS + 2];
    int nd = 0;
    for (int i = 0; i < s->ndev && nd < (int)(sizeof(devs) / sizeof(devs[0])); i++) {
        if (s->dev[i].conn == NULL)
            continue;
        devs[nd] = s->dev[i].name;
        base[nd++] = sim_conn_txn_base(s->dev[i].conn);
    }
    sim_check_env env = {.host = s->host,
                         .n_devices = nd,
                         .devices = devs,
                         .txn_base = base,
                         .port = s->port,
                         .user = sup,
                         .pin = s->sc.pin,
                         .db_path = g.db_path[0] ? g.db_path : NULL,
                         .device_prefix = "SIM-"};
    return sim_ledger_check(s->ledger, &env, r, err);
}

/* ---- setup ---- */

static int parse_args(int argc, char **argv, opts *o, sim_scenario *sc, wms_error *err)
{
    /* Pass 1: the scenario file, so flags override it. */
    for (int i = 1; i < argc - 1; i++)
        if (!strcmp(argv[i], "--scenario"))
            o->scenario = argv[i + 1];
    if (o->scenario != NULL && sim_scenario_load(sc, o->scenario, err) < 0)
        return 2;
    static const struct {
        const char *flag, *key;
    } direct[] = {{"--seed", "seed"},           {"--pickers", "pickers"},
                  {"--receivers", "receivers"}, {"--serial-pickers", "serial_pickers"},
                  {"--duration", "duration"},   {"--speed", "speed"}};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            exit(0);
        }
        if (!strcmp(a, "--chaos-restart")) {
            o->chaos = 1;
            continue;
        }
        if (!strcmp(a, "--build-only")) {
            o->build_only = 1;
            continue;
        }
        if (!strcmp(a, "--no-progress")) {
            o->progress = 0;
            continue;
        }
        if (i + 1 >= argc)
            return fail_usage("%s needs a value (or is unknown)", a);
        const char *v = argv[++i];
        int done = 0;
        for (size_t k = 0; k < sizeof(direct) / sizeof(direct[0]); k++)
            if (!strcmp(a, direct[k].flag)) {
                if (sim_scenario_set(sc, direct[k].key, v, err) < 0)
                    return 2;
                done = 1;
            }
        if (done)
            continue;
        if (!strcmp(a, "--set")) {
            char kv[256];
            snprintf(kv, sizeof(kv), "%s", v);
            char *eq = strchr(kv, '=');
            if (eq == NULL)
                return fail_usage("--set needs KEY=VALUE, not '%s'", v);
            *eq = '\0';
            if (sim_scenario_set(sc, kv, eq + 1, err) < 0)
                return 2;
        } else if (!strcmp(a, "--server")) {
            o->server = v;
        } else if (!strcmp(a, "--scenario")) {
            o->scenario = v;
        } else if (!strcmp(a, "--report")) {
            o->report = v;
        } else if (!strcmp(a, "--wmsd")) {
            o->wmsd = v;
            o->wmsd_given = 1;
        } else if (!strcmp(a, "--db")) {
            o->db = v;
        } else if (!strcmp(a, "--workdir")) {
            o->workdir = v;
        } else if (!strcmp(a, "--today")) {
            o->today = v;
        } else if (!strcmp(a, "--ptyshim")) {
            o->ptyshim = v;
        } else if (!strcmp(a, "--test-tamper")) {
            o->tamper = v;
        } else if (!strcmp(a, "--drain")) {
            char *end;
            o->drain_s = strtod(v, &end);
            if (*end || o->drain_s < 0)
                return fail_usage("--drain: '%s' is not a number of seconds", v);
        } else {
            return fail_usage("unknown option %s", a);
        }
    }
    if (o->chaos && sc->restart_every_s <= 0)
        sc->restart_every_s = 600;
    if (!o->chaos)
        sc->restart_every_s = 0;
    if (sim_scenario_check(sc, err) < 0)
        return 2;
    return 0;
}

static int parse_server(const char *spec, char *host, size_t n, int *port)
{
    const char *colon = strrchr(spec, ':');
    if (colon == NULL || (size_t)(colon - spec) >= n || colon == spec)
        return -1;
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 0 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

static void metrics_setup(sim *s, const opts *o, uint64_t fp)
{
    sim_metrics *m = s->m;
    const sim_world *w = s->w;
    char buf[256];
    snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s->sc.seed);
    sim_metrics_info(m, "seed", buf);
    sim_metrics_info(m, "scenario", o->scenario ? o->scenario : "(defaults)");
    snprintf(buf, sizeof(buf), "%s:%d%s", s->host, s->port, g.own ? " (wmsd run by wms-sim)" : "");
    sim_metrics_info(m, "server", buf);
    snprintf(buf, sizeof(buf), "0x%016llx", (unsigned long long)fp);
    sim_metrics_info(m, "world", buf);
    sim_metrics_info(m, "today", w->today);
    snprintf(buf, sizeof(buf), "%d bins, %d items, %d customers, %d orders, %d deliveries",
             w->n_bins, w->n_items, w->n_customers, w->n_orders, w->n_deliveries);
    sim_metrics_info(m, "warehouse", buf);
    snprintf(buf, sizeof(buf),
             "wrong_bin %g, wrong_item %g, unreadable %g, short %g, drop %g, dup_frame %g, "
             "serial_corrupt %g, restart_every %g s",
             s->sc.f_wrong_bin, s->sc.f_wrong_item, s->sc.f_unreadable, s->sc.f_short, s->sc.f_drop,
             s->sc.f_dup, s->sc.f_serial_corrupt, s->sc.restart_every_s);
    sim_metrics_info(m, "faults", buf);
    for (int i = 0; i < w->n_aisles; i++)
        sim_metrics_layout_aisle(m, w->aisle_id[i], w->aisle_x[i], w->length);
    for (int i = 0; i < w->n_cross; i++)
        sim_metrics_layout_cross(m, w->cross_y[i]);
    sim_metrics_layout_depot(m, w->depot_x, 0);
    for (int i = 0; i < w->n_bins; i++)
        sim_metrics_bin(m, w->bins[i].code, w->aisle_x[w->bins[i].aisle], w->bins[i].y);
}

static int make_devices(sim *s, wms_error *err)
{
    const sim_scenario *sc = &s->sc;
    s->ndev = sc->pickers + sc->receivers + 2;
    s->dev = calloc((size_t)s->ndev, sizeof(sim_device));
    if (s->dev == NULL)
        return wms_error_set(err, WMS_ENOMEM, "no memory for devices");
    int k = 0;
    for (int i = 0; i < sc->pickers; i++, k++) {
        sim_device *d = &s->dev[k];
        d->kind = DEV_PICKER;
        d->index = i;
        d->picker = i;
        d->serial_master = d->serial_slave = -1;
        int serial = i < sc->serial_pickers;
        snprintf(d->name, sizeof(d->name), "SIM-%s%02d", serial ? "S" : "P", i + 1);
        sim_user_name("pick", i, d->user, sizeof(d->user));
        if (serial) {
            int rc = sim_pty_open(&d->serial_master, &d->serial_slave, d->serial_path,
                                  sizeof(d->serial_path), err);
            if (rc < 0)
                return rc;
            snprintf(g.wmsd.serial[g.wmsd.n_serial++], sizeof(g.wmsd.serial[0]), "%s@115200",
                     d->serial_path);
        }
    }
    for (int i = 0; i < sc->receivers; i++, k++) {
        sim_device *d = &s->dev[k];
        d->kind = DEV_RECEIVER;
        d->index = i;
        d->picker = -1;
        d->serial_master = d->serial_slave = -1;
        snprintf(d->name, sizeof(d->name), "SIM-R%02d", i + 1);
        sim_user_name("recv", i, d->user, sizeof(d->user));
    }
    const char *roles[2] = {"oms", "sup"};
    for (int i = 0; i < 2; i++, k++) {
        sim_device *d = &s->dev[k];
        d->kind = i == 0 ? DEV_OMS : DEV_SUPERVISOR;
        d->picker = -1;
        d->serial_master = d->serial_slave = -1;
        snprintf(d->name, sizeof(d->name), "SIM-%s", i == 0 ? "OMS" : "SUP");
        sim_user_name(roles[i], 0, d->user, sizeof(d->user));
    }
    return 0;
}

static void print_summary(const sim_check_result *r, double real_s, uint64_t fp)
{
    sim *s = &g.s;
    sim_conn_stats t = {0};
    for (int i = 0; i < s->ndev; i++) {
        sim_conn_stats st;
        if (s->dev[i].conn == NULL)
            continue;
        sim_conn_get_stats(s->dev[i].conn, &st);
        t.calls += st.calls;
        t.resends += st.resends;
        t.timeouts += st.timeouts;
        t.connects += st.connects;
        t.drops_injected += st.drops_injected;
        t.dups_injected += st.dups_injected;
        t.dup_match += st.dup_match;
        t.dup_mismatch += st.dup_mismatch;
        t.corrupt_injected += st.corrupt_injected;
        t.relogins += st.relogins;
        t.transient += st.transient;
    }
    double hours = s->sc.duration_s / 3600.0;
    int pickers = s->sc.pickers;
    printf("\nwms-sim: seed %llu, world 0x%016llx (%s), %d pickers (%d serial), %d receivers, "
           "%.0f s simulated in %.1f s\n",
           (unsigned long long)s->sc.seed, (unsigned long long)fp, s->w->today, pickers,
           s->sc.serial_pickers, s->sc.receivers, s->sc.duration_s, real_s);
    printf("  picks %lld (%lld units), %.1f picks/picker-hour, shorts %lld (%lld units missing), "
           "tours %lld, walked %.1f km\n",
           s->picks, s->pick_units, pickers > 0 && hours > 0 ? s->picks / (pickers * hours) : 0,
           s->shorts, s->short_units, s->tours, s->walk_m / 1000);
    printf("  receipts %lld (%lld units), putaways %lld; orders %lld created (%lld held: %lld "
           "released, %lld cancelled), waves %lld, tasks %lld released / %lld closed\n",
           s->receipts, s->receipt_units, s->putaways, s->orders_created, s->orders_held,
           s->orders_released, s->orders_cancelled, s->waves, s->tasks_released, s->tasks_closed);
    printf("  scan faults answered as expected %lld, accepted by mistake %lld; pickers stuck %lld, "
           "polls while waiting for a replenishment %lld; unexpected errors %lld%s%s\n",
           s->faults_expected, s->faults_missed, s->pickers_stuck, s->waiting_polls,
           s->errors_unexpected, s->last_error[0] ? " (last: " : "",
           s->last_error[0] ? s->last_error : "");
    if (s->last_error[0])
        printf("  )\n");
    printf("  connections: %llu calls, %llu resends, %llu timeouts, %llu connects, %llu "
           "re-logins, %llu retried busy; injected %llu drops, %llu dup frames (%llu replays "
           "identical, %llu not), %llu corrupted serial frames, %d server restarts\n",
           (unsigned long long)t.calls, (unsigned long long)t.resends,
           (unsigned long long)t.timeouts, (unsigned long long)t.connects,
           (unsigned long long)t.relogins, (unsigned long long)t.transient,
           (unsigned long long)t.drops_injected, (unsigned long long)t.dups_injected,
           (unsigned long long)t.dup_match, (unsigned long long)t.dup_mismatch,
           (unsigned long long)t.corrupt_injected, g.wmsd.kills);
    printf("  ledger: %s: %lld checks (%lld effects, %lld orders, %lld items): %lld lost, %lld "
           "doubled, %lld mismatches, %lld verify differences, %lld in doubt\n",
           r->ok ? "OK" : "FAILED", r->checked, r->effects, r->orders_checked, r->items_checked,
           r->lost, r->doubled, r->mismatches, r->verify_diffs, r->in_doubt);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    wms_error err;
    wms_error_clear(&err);
    opts *o = &g.o;
    o->progress = 1;
    o->drain_s = 60;
    sim *s = &g.s;
    sim_scenario_defaults(&s->sc);
    int rc = parse_args(argc, argv, o, &s->sc, &err);
    if (rc) {
        if (err.code)
            fprintf(stderr, "wms-sim: %s\n", err.msg);
        return rc;
    }
    char today[11];
    if (o->today != NULL)
        snprintf(today, sizeof(today), "%s", o->today);
    else
        today_utc(today);

    char host[64] = "127.0.0.1";
    int port = 0;
    if (o->server != NULL && parse_server(o->server, host, sizeof(host), &port) < 0)
        return fail_usage("--server: '%s' is not HOST:PORT", o->server);
    g.own = o->server == NULL || o->wmsd_given || o->build_only;
    if (!g.own && (o->chaos || s->sc.serial_pickers > 0))
        return fail_usage("%s needs the simulator to run wmsd (--wmsd PATH)",
                          o->chaos ? "--chaos-restart" : "--serial-pickers");
    char dir[SIM_PATH_MAX - 64];
    exe_dir(dir, sizeof(dir));

    sim_world w;
    if (sim_world_build(&s->sc, today, &w, &err) < 0) {
        fprintf(stderr, "wms-sim: %s\n", err.msg);
        return 1;
    }
    s->w = &w;
    int status = 1;
    const char *workdir = o->workdir ? o->workdir : "sim-out";
    if (g.own) {
        if (mkdirs(workdir) < 0) {
            fprintf(stderr, "wms-sim: cannot create %s: %s\n", workdir, strerror(errno));
            goto out_world;
        }
        if (o->db != NULL) {
            snprintf(g.db_path, sizeof(g.db_path), "%s", o->db);
        } else {
            /* The default database is the simulator's own: start afresh. */
            snprintf(g.db_path, sizeof(g.db_path), "%s/wms.db", workdir);
            static const char *const ext[] = {"", "-wal", "-shm"};
            for (int i = 0; i < 3; i++) {
                char p[SIM_PATH_MAX + 8];
                snprintf(p, sizeof(p), "%s%s", g.db_path, ext[i]);
                unlink(p);
            }
        }
        if (sim_world_build_db(&w, &s->sc, g.db_path, &err) < 0) {
            fprintf(stderr, "wms-sim: building %s: %s\n", g.db_path, err.msg);
            goto out_world;
        }
        if (o->build_only) {
            printf("wms-sim: built %s (seed %llu, world 0x%016llx): %d bins, %d items, %d "
                   "customers; users pick01.., recv01.., sup01, oms01 (PIN %s)\n",
                   g.db_path, (unsigned long long)s->sc.seed,
                   (unsigned long long)sim_world_fingerprint(&w), w.n_bins, w.n_items,
                   w.n_customers, s->sc.pin);
            status = 0;
            goto out_world;
        }
    } else if (o->db != NULL) {
        snprintf(g.db_path, sizeof(g.db_path), "%s", o->db);
        if (sim_world_read_codes(&w, g.db_path, &err) < 0) {
            fprintf(stderr, "wms-sim: reading item codes from %s: %s\n", g.db_path, err.msg);
            goto out_world;
        }
    } else {
        for (int i = 0; i < w.n_items; i++)
            if (w.items[i].unit_code[0] == '\0') {
                fprintf(stderr,
                        "wms-sim: item %s has no manufacturer code: give --db FILE (the "
                        "server's database, read for internal codes and the ledger check)\n",
                        w.items[i].sku);
                goto out_world;
            }
    }
    uint64_t fp = sim_world_fingerprint(&w);
    if (!g.own) {
        /* A server that already worked: the book starts from its stock now. */
        char sup[33];
        sim_user_name("sup", 0, sup, sizeof(sup));
        if (sim_world_stock_from_server(&w, host, port, sup, s->sc.pin, &err) < 0) {
            fprintf(stderr, "wms-sim: reading the stock of %s:%d: %s\n", host, port, err.msg);
            goto out_world;
        }
    }
    for (int i = 0; i < w.n_orders; i++)
        if (w.orders[i].arrive_s <= 0)
            s->backlog_n++;

    if ((s->m = sim_metrics_new()) == NULL || (s->ledger = sim_ledger_new(&w)) == NULL) {
        fprintf(stderr, "wms-sim: no memory\n");
        goto out_world;
    }
    if (make_devices(s, &err) < 0) {
        fprintf(stderr, "wms-sim: %s\n", err.msg);
        goto out_metrics;
    }
    if (g.own) {
        snprintf(g.wmsd.exe, sizeof(g.wmsd.exe), "%s", o->wmsd ? o->wmsd : "");
        if (o->wmsd == NULL)
            snprintf(g.wmsd.exe, sizeof(g.wmsd.exe), "%s/wmsd", dir);
        if (access(g.wmsd.exe, X_OK) != 0) {
            fprintf(stderr,
                    "wms-sim: no wmsd at %s: give --wmsd PATH (or --server to drive a "
                    "running one)\n",
                    g.wmsd.exe);
            goto out_metrics;
        }
        snprintf(g.wmsd.db, sizeof(g.wmsd.db), "%s", g.db_path);
        snprintf(g.wmsd.log, sizeof(g.wmsd.log), "%s/wmsd.log", workdir);
        snprintf(g.wmsd.host, sizeof(g.wmsd.host), "%s", host);
        g.wmsd.port = port;
        if (o->ptyshim != NULL)
            snprintf(g.wmsd.shim, sizeof(g.wmsd.shim), "%s", o->ptyshim);
        else
            snprintf(g.wmsd.shim, sizeof(g.wmsd.shim), "%s/libwms_ptyshim.so", dir);
        if (g.wmsd.n_serial > 0 && access(g.wmsd.shim, R_OK) != 0) {
            fprintf(stderr, "wms-sim: serial pickers need %s (--ptyshim PATH)\n", g.wmsd.shim);
            goto out_metrics;
        }
        if (sim_wmsd_start(&g.wmsd, &err) < 0) {
            fprintf(stderr, "wms-sim: %s\n", err.msg);
            goto out_metrics;
        }
        port = g.wmsd.port;
    }
    s->host = host;
    s->port = port;
    g.tty = isatty(STDOUT_FILENO);
    printf("wms-sim: seed %llu, world 0x%016llx, today %s: %d orders (%d at the start), %d "
           "deliveries (%d lines); server %s:%d%s%s\n",
           (unsigned long long)s->sc.seed, (unsigned long long)fp, w.today, w.n_orders,
           s->backlog_n, w.n_deliveries, w.n_dlines, host, port,
           g.own ? ", wmsd run by wms-sim, db " : "", g.own ? g.db_path : "");
    for (int i = 0; i < s->ndev; i++)
        if (s->dev[i].serial_master >= 0)
            printf("  %s on serial line %s\n", s->dev[i].name, s->dev[i].serial_path);
    fflush(stdout);
    metrics_setup(s, o, fp);

    uv_loop_t loop;
    uv_loop_init(&loop);
    s->loop = &loop;
    s->clock.speed = s->sc.speed;
    s->clock.t0_ns = sim_now_ns();
    uint64_t t0 = s->clock.t0_ns;
    uv_timer_init(&loop, &g.tick);
    uv_timer_init(&loop, &g.chaos);
    sim_devices_init(s);
    if (sim_devices_start(s, &err) < 0) {
        fprintf(stderr, "wms-sim: %s\n", err.msg);
        goto out_loop;
    }
    uv_timer_start(&g.tick, tick_cb, 100, 100);
    if (g.own && s->sc.restart_every_s > 0) {
        sim_rng_seed(&g.chaos_rng, s->sc.seed, SIM_RNG_CHAOS, 0);
        chaos_schedule();
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    double real_s = (double)(sim_now_ns() - t0) / 1e9;
    progress_line(1);
    if (g.own && !sim_wmsd_alive(&g.wmsd) && !g.fatal &&
        sim_wmsd_start(&g.wmsd, &err) < 0) { /* killed at the very end */
        fprintf(stderr, "wms-sim: cannot restart wmsd: %s\n", err.msg);
        g.fatal = 1;
    }
    int doubt = sim_devices_mark_doubt(s);
    if (doubt > 0)
        printf("wms-sim: %d calls got no answer before the end: in doubt\n", doubt);
    sim_check_result r;
    memset(&r, 0, sizeof(r));
    if (!g.fatal) {
        /* Stats are read before the connections go away. */
        if (run_check(&r, &err) < 0) {
            fprintf(stderr, "wms-sim: the ledger check could not run: %s\n", err.msg);
            g.fatal = 1;
        }
    }
    sim_conn_stats dup = {0};
    for (int i = 0; i < s->ndev; i++) {
        sim_conn_stats st;
        sim_conn_get_stats(s->dev[i].conn, &st);
        dup.dup_mismatch += st.dup_mismatch;
    }
    if (dup.dup_mismatch > 0) {
        r.mismatches += (long long)dup.dup_mismatch;
        r.ok = 0;
        size_t l = strlen(r.detail);
        snprintf(r.detail + l, sizeof(r.detail) - l,
                 "%llu duplicated requests got a different answer the second time\n",
                 (unsigned long long)dup.dup_mismatch);
    }
    sim_metrics_ledger(s->m, r.ok, r.checked, r.lost, r.doubled, r.detail[0] ? r.detail : NULL);
    sim_metrics_run(s->m, s->sc.pickers, s->sc.receivers, s->sc.serial_pickers, s->sc.duration_s,
                    real_s, s->sc.speed);
    if (!g.fatal) {
        sim_report_summary(s->m, stdout);
        print_summary(&r, real_s, fp);
        print_check("final", &r);
    }
    status = g.fatal ? 1 : r.ok ? 0 : 1;
    if (!g.fatal && o->tamper != NULL) {
        char list[256];
        snprintf(list, sizeof(list), "%s", o->tamper);
        for (char *save = NULL, *k = strtok_r(list, ",", &save); k != NULL;
             k = strtok_r(NULL, ",", &save)) {
            if (tamper(k) < 0) {
                fprintf(stderr, "wms-sim: tamper %s could not be applied\n", k);
                status = 1;
                break;
            }
            sim_check_result t;
            if (run_check(&t, &err) < 0) {
                fprintf(stderr, "wms-sim: the ledger check could not run: %s\n", err.msg);
                status = 1;
                break;
            }
            print_check(k, &t);
            status = t.ok ? 0 : 1;
        }
    }
    if (o->report != NULL && !g.fatal) {
        if (mkdirs(o->report) < 0 || (rc = sim_report_write(s->m, o->report)) < 0)
            fprintf(stderr, "wms-sim: cannot write the report into %s\n", o->report);
        else
            printf("report: %s/report.json, %s/report.html\n", o->report, o->report);
    }
out_loop:
    sim_devices_close(s);
    uv_close((uv_handle_t *)&g.tick, NULL);
    uv_close((uv_handle_t *)&g.chaos, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    if (g.own && g.wmsd.pid > 0)
        sim_wmsd_stop(&g.wmsd);
out_metrics:
    for (int i = 0; s->dev != NULL && i < s->ndev; i++) {
        if (s->dev[i].serial_master >= 0)
            close(s->dev[i].serial_master);
        if (s->dev[i].serial_slave >= 0)
            close(s->dev[i].serial_slave);
    }
    free(s->dev);
    free(s->held);
    free(s->miss);
    sim_ledger_free(s->ledger);
    sim_metrics_free(s->m);
out_world:
    sim_world_free(&w);
    return status;
}
