/* wmsctl_wave.c - route BIN... and wave plan|release|status. */
#include "wmsctl.h"
#include "store/layout.h"
#include "store/wave.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char route_usage[] = "usage: wmsctl route [--json] BIN...\n";

static const char wave_usage[] =
    "usage: wmsctl wave plan [OPTIONS] [--json]     plan the next wave (nothing is stored)\n"
    "       wmsctl wave release [OPTIONS] [--json]  plan it and release it: allocation, tasks\n"
    "       wmsctl wave status ID [--json]          orders and tasks of a wave\n"
    "options: --method discrete|batch|zone|sort (batch)\n"
    "         --max-orders N --max-lines N --max-units N --max-totes N   wave caps\n"
    "         --totes N (8)   totes on a cart = orders per tour\n"
    "         --tour-lines N --tour-units N   limits per tour\n"
    "         --walk-speed M/S (1.0) --pick-time S (10) --tour-time S (120) --hours H (1)\n"
    "                          assumptions for the pickers needed\n";

static int usage_fail(const char *usage, const char *why)
{
    fprintf(stderr, "wmsctl: BAD_ARGS: %s\n%s", why, usage);
    return CTL_USAGE;
}

/* Prints a JSON number with at most 3 decimals and no trailing zeros. */
static void json_num(double v)
{
    char b[64];
    snprintf(b, sizeof(b), "%.3f", v);
    char *dot = strchr(b, '.');
    if (dot != NULL) {
        char *e = b + strlen(b) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
    }
    if (!strcmp(b, "-0"))
        strcpy(b, "0");
    fputs(b, stdout);
}

/* ---- route ------------------------------------------------------------------ */

int cmd_route(ctl *c)
{
    if (c->argc < 1)
        return usage_fail(route_usage, "name at least one bin");
    if (c->argc > WMS_ROUTE_MAX_PICKS)
        return usage_fail(route_usage, "too many bins");
    wms_db *db;
    int rc = ctl_open(c, 0, &db);
    if (rc)
        return rc;
    wms_error err;
    wms_error_clear(&err);
    wms_layout_map lay;
    wms_pick_loc *picks = calloc((size_t)c->argc, sizeof(*picks));
    int *order = calloc((size_t)c->argc, sizeof(int));
    if (picks == NULL || order == NULL) {
        free(picks);
        free(order);
        wms_db_close(db);
        fprintf(stderr, "wmsctl: NOMEM: out of memory\n");
        return CTL_FAIL;
    }
    double dist = 0.0;
    const char *method = "";
    if (wms_layout_load(db, &lay, &err) < 0) {
        rc = ctl_fail(&err);
        goto out;
    }
    for (int i = 0; i < c->argc; i++) {
        if (wms_layout_bin(db, &lay, c->argv[i], &picks[i], NULL, &err) < 0) {
            rc = ctl_fail(&err);
            goto out;
        }
    }
    if (wms_route_optimal(&lay.l, picks, c->argc, order, &dist, &method, &err) < 0) {
        rc = ctl_fail(&err);
        goto out;
    }
    if (c->json) {
        printf("{\"route\": [");
        for (int i = 0; i < c->argc; i++) {
            if (i)
                printf(", ");
            ctl_json_str(stdout, c->argv[order[i]]);
        }
        printf("], \"distance_m\": ");
        json_num(dist);
        printf(", \"method\": ");
        ctl_json_str(stdout, method);
        printf("}\n");
    } else {
        printf("route from the depot (x %.2f m) and back: %d bin%s, %.2f m (%s)\n", lay.l.depot_x,
               c->argc, c->argc == 1 ? "" : "s", dist, method);
        printf("%4s  %-20s %-10s %8s %9s %10s\n", "#", "BIN", "AISLE", "Y_M", "LEG_M", "TOTAL_M");
        double cum = 0.0;
        for (int i = 0; i <= c->argc; i++) {
            double leg;
            if (i == c->argc)
                leg = wms_route_depot_dist(&lay.l, picks[order[i - 1]]);
            else if (i == 0)
                leg = wms_route_depot_dist(&lay.l, picks[order[0]]);
            else
                leg = wms_route_dist(&lay.l, picks[order[i - 1]], picks[order[i]]);
            cum += leg;
            if (i == c->argc) {
                printf("%4s  %-20s %-10s %8s %9.2f %10.2f\n", "", "(depot)", "", "", leg, cum);
            } else {
                const wms_pick_loc *p = &picks[order[i]];
                printf("%4d  %-20s %-10s %8.2f %9.2f %10.2f\n", i + 1, c->argv[order[i]],
                       lay.aisle_id[p->aisle], p->y, leg, cum);
            }
        }
    }
    rc = 0;
out:
    wms_layout_map_free(&lay);
    free(picks);
    free(order);
    wms_db_close(db);
    return rc;
}

/* ---- wave ------------------------------------------------------------------- */

static int opt_double(const ctl *c, const char *name, double min, double max, double *out)
{
    const char *v = ctl_opt(c, name);
    if (v == NULL)
        return 0;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !(x >= min && x <= max)) {
        fprintf(stderr, "wmsctl: BAD_ARGS: --%s '%s' is not a number between %g and %g\n", name, v,
                min, max);
        return CTL_USAGE;
    }
    *out = x;
    return 0;
}

/* Parses the planning options into *o. */
static int wave_opts(const ctl *c, wms_wave_opts *o)
{
    wms_wave_opts_init(o);
    const char *m = ctl_opt(c, "method");
    wms_error err;
    wms_error_clear(&err);
    if (m != NULL && wms_wave_method_parse(m, &o->method, &err) < 0)
        return ctl_fail(&err);
    long long v;
    int rc;
    if ((rc = ctl_opt_long(c, "max-orders", 0, WMS_WAVE_MAX_ORDERS, 0, &v)))
        return rc;
    o->max_orders = v;
    if ((rc = ctl_opt_long(c, "max-lines", 0, WMS_WAVE_MAX_LINES, 0, &v)))
        return rc;
    o->max_lines = v;
    if ((rc = ctl_opt_long(c, "max-units", 0, WMS_QTY_MAX * 1000, 0, &v)))
        return rc;
    o->max_units = v;
    if ((rc = ctl_opt_long(c, "max-totes", 0, WMS_WAVE_MAX_LINES, 0, &v)))
        return rc;
    o->max_totes = v;
    if ((rc = ctl_opt_long(c, "totes", 1, 1000, WMS_WAVE_TOTES_DEFAULT, &v)))
        return rc;
    o->totes = (int)v;
    if ((rc = ctl_opt_long(c, "tour-lines", 0, WMS_WAVE_MAX_LINES, 0, &v)))
        return rc;
    o->tour_lines = v;
    if ((rc = ctl_opt_long(c, "tour-units", 0, WMS_QTY_MAX * 1000, 0, &v)))
        return rc;
    o->tour_units = v;
    if ((rc = opt_double(c, "walk-speed", 0.01, 10, &o->walk_mps)) ||
        (rc = opt_double(c, "pick-time", 0, 3600, &o->pick_s)) ||
        (rc = opt_double(c, "tour-time", 0, 86400, &o->tour_s)) ||
        (rc = opt_double(c, "hours", 0.01, 1000, &o->hours)))
        return rc;
    return 0;
}

static void print_plan_json(const wms_wave_plan_out *p)
{
    char sum[WMS_WAVE_SUMMARY_MAX + 1];
    if (wms_wave_summary_json(&p->s, sum, sizeof(sum)) < 0)
        strcpy(sum, "{}");
    sum[strlen(sum) - 1] = '\0'; /* reopen the object */
    printf("%s,\"tours_detail\":[", sum);
    for (int t = 0; t < p->n_tours; t++) {
        const wms_wave_tour *w = &p->tours[t];
        printf("%s\n  {\"tour\":%d,\"group\":%d,\"zone\":", t ? "," : "", t + 1, w->group + 1);
        if (w->zone >= 0)
            ctl_json_str(stdout, p->zone[w->zone]);
        else
            printf("null");
        printf(",\"picks\":%d,\"distance_m\":", w->picks);
        json_num(w->dist_m);
        printf(",\"orders\":[");
        for (int i = 0; i < w->n; i++) {
            if (i)
                printf(",");
            ctl_json_str(stdout, p->order_ref[p->tour_orders[w->first + i]]);
        }
        printf("]}");
    }
    printf("%s]}\n", p->n_tours ? "\n" : "");
}

static void print_plan(const wms_wave_plan_out *p, const wms_wave_opts *o)
{
    const wms_wave_summary *s = &p->s;
    printf("wave plan (%s): %lld orders, %lld lines, %lld units, %lld picks\n", s->method,
           (long long)s->orders, (long long)s->lines, (long long)s->units, (long long)s->picks);
    printf("  totes: %lld in %lld tours", (long long)s->totes, (long long)s->tours);
    if (p->method != WMS_WAVE_DISCRETE)
        printf(" (%d totes per cart)", o->totes);
    if (p->method == WMS_WAVE_ZONE)
        printf(", %lld zones", (long long)s->zones);
    printf("\n  estimated walking: %.1f m", s->walk_m);
    if (p->method != WMS_WAVE_DISCRETE && s->fcfs_walk_m > 0)
        printf(" (first-come-first-served batching: %.1f m; %.1f%% less)", s->fcfs_walk_m,
               100.0 * (s->fcfs_walk_m - s->walk_m) / s->fcfs_walk_m);
    printf("\n  pickers needed: %lld for a %g h wave (%.2f picker-hours, %.2f tours per "
           "picker-hour;\n    assuming %g m/s walking, %g s per pick, %g s per tour)\n",
           (long long)s->pickers, o->hours, s->picker_hours, s->tours_per_picker_hour, o->walk_mps,
           o->pick_s, o->tour_s);
    if (s->skipped_orders || s->waiting_orders || s->unlocated_lines)
        printf("  left out: %lld orders above a cap on their own, %lld released orders wait "
               "for a later wave; %lld lines without stock\n",
               (long long)s->skipped_orders, (long long)s->waiting_orders,
               (long long)s->unlocated_lines);
    if (p->n_tours == 0)
        return;
    printf("%6s %-12s %6s %6s %10s  %s\n", "TOUR", "ZONE", "ORDERS", "PICKS", "METRES", "ORDERS");
    int shown = p->n_tours < 50 ? p->n_tours : 50;
    for (int t = 0; t < shown; t++) {
        const wms_wave_tour *w = &p->tours[t];
        printf("%6d %-12s %6d %6d %10.1f  ", t + 1, w->zone >= 0 ? p->zone[w->zone] : "-", w->n,
               w->picks, w->dist_m);
        for (int i = 0; i < w->n && i < 8; i++)
            printf("%s%s", i ? " " : "", p->order_ref[p->tour_orders[w->first + i]]);
        printf("%s\n", w->n > 8 ? " ..." : "");
    }
    if (shown < p->n_tours)
        printf("... %d more tours\n", p->n_tours - shown);
}

static void print_status(const ctl *c, const wms_wave_info *w)
{
    if (c->json) {
        printf("{\"wave\":%lld,\"status\":", (long long)w->id);
        ctl_json_str(stdout, w->status);
        printf(",\"method\":");
        ctl_json_str(stdout, w->method);
        printf(",\"created\":");
        ctl_json_str(stdout, w->created);
        printf(",\"released\":");
        ctl_json_str(stdout, w->released);
        printf(",\"orders\":%lld,\"orders_open\":%lld,\"orders_done\":%lld,"
               "\"orders_cancelled\":%lld,\"tasks\":%lld,\"tasks_open\":%lld,\"tasks_done\":%lld,"
               "\"tasks_short\":%lld,\"tasks_cancelled\":%lld,\"tours\":%lld,"
               "\"replenish_open\":%lld,\"summary\":%s}\n",
               (long long)w->orders, (long long)w->orders_open, (long long)w->orders_done,
               (long long)w->orders_cancelled, (long long)w->tasks, (long long)w->tasks_open,
               (long long)w->tasks_done, (long long)w->tasks_short, (long long)w->tasks_cancelled,
               (long long)w->tours, (long long)w->replenish_open,
               w->summary[0] == '{' ? w->summary : "{}");
        return;
    }
    printf("wave %lld (%s): %s, created %s%s%s\n", (long long)w->id, w->method, w->status,
           w->created, w->released[0] ? ", released " : "", w->released);
    printf("  orders: %lld (%lld open, %lld done, %lld cancelled)\n", (long long)w->orders,
           (long long)w->orders_open, (long long)w->orders_done, (long long)w->orders_cancelled);
    printf("  pick tasks: %lld in %lld tours (%lld open, %lld done, %lld short, %lld "
           "cancelled); %lld replenishments open\n",
           (long long)w->tasks, (long long)w->tours, (long long)w->tasks_open,
           (long long)w->tasks_done, (long long)w->tasks_short, (long long)w->tasks_cancelled,
           (long long)w->replenish_open);
    printf("  summary: %s\n", w->summary);
}

static int wave_plan_cmd(ctl *c, int release)
{
    wms_wave_opts o;
    int rc = wave_opts(c, &o);
    if (rc)
        return rc;
    wms_db *db;
    if ((rc = ctl_open(c, 0, &db)))
        return rc;
    wms_error err;
    wms_error_clear(&err);
    wms_wave_plan_out plan;
    if (wms_wave_plan(db, &o, &plan, &err) < 0) {
        rc = ctl_fail(&err);
        wms_db_close(db);
        return rc;
    }
    if (!release) {
        if (c->json)
            print_plan_json(&plan);
        else
            print_plan(&plan, &o);
        wms_wave_plan_free(&plan);
        wms_db_close(db);
        return 0;
    }
    wms_actor who = {c->user, c->device, NULL};
    int64_t id = 0;
    wms_wave_info info;
    if (wms_wave_release(db, &who, &o, &plan, &id, &err) < 0 ||
        wms_wave_status(db, id, &info, &err) < 0) {
        rc = ctl_fail(&err);
    } else {
        if (!c->json) {
            print_plan(&plan, &o);
            printf("\nreleased as ");
        }
        print_status(c, &info);
        rc = 0;
    }
    wms_wave_plan_free(&plan);
    wms_db_close(db);
    return rc;
}

int cmd_wave(ctl *c)
{
    if (c->argc < 1)
        return usage_fail(wave_usage, "say plan, release or status");
    const char *sub = c->argv[0];
    if (!strcmp(sub, "plan") || !strcmp(sub, "release")) {
        if (c->argc != 1)
            return usage_fail(wave_usage, "plan and release take options only");
        return wave_plan_cmd(c, !strcmp(sub, "release"));
    }
    if (!strcmp(sub, "status")) {
        if (c->argc != 2)
            return usage_fail(wave_usage, "status needs the wave id");
        char *end;
        errno = 0;
        long long id = strtoll(c->argv[1], &end, 10);
        if (errno || end == c->argv[1] || *end || id <= 0)
            return usage_fail(wave_usage, "the wave id is a positive number");
        wms_db *db;
        int rc = ctl_open(c, 0, &db);
        if (rc)
            return rc;
        wms_error err;
        wms_error_clear(&err);
        wms_wave_info info;
        if (wms_wave_status(db, id, &info, &err) < 0)
            rc = ctl_fail(&err);
        else
            print_status(c, &info);
        wms_db_close(db);
        return rc;
    }
    return usage_fail(wave_usage, "unknown wave command");
}
