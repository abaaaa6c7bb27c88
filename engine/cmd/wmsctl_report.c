/* wmsctl_report.c - report abc (ABC classes and slotting advice); report
 * expiring (the same as `wmsctl expiring`). */
#include "wmsctl.h"
#include "store/abc_report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char report_usage[] =
    "usage: wmsctl report abc [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--days N]\n"
    "                         [--a-share PCT] [--b-share PCT] [--top N] [--json]\n"
    "           ABC classes by picks and by units over the period (default: the 30 days\n"
    "           ending today; A up to 80 % of the cumulative share, B up to 95 %), and\n"
    "           the A items to move nearer the depot with the walking saved per day\n"
    "       wmsctl report expiring --days N [--json]   lots expiring soon (= wmsctl expiring)\n";

static int usage_fail(const char *why)
{
    fprintf(stderr, "wmsctl: BAD_ARGS: %s\n%s", why, report_usage);
    return CTL_USAGE;
}

/* Prints a JSON number with at most `dec` decimals and no trailing zeros. */
static void json_num(double v, int dec)
{
    char b[64];
    snprintf(b, sizeof(b), "%.*f", dec, v);
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

/* A percentage option (0 < PCT <= 100) as a share; 0 when absent. */
static int opt_pct(const ctl *c, const char *name, double *out)
{
    const char *v = ctl_opt(c, name);
    *out = 0.0;
    if (v == NULL)
        return 0;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !(x > 0.0 && x <= 100.0)) {
        fprintf(stderr, "wmsctl: BAD_ARGS: --%s '%s' is not a percentage above 0 and up to 100\n",
                name, v);
        return CTL_USAGE;
    }
    *out = x / 100.0;
    return 0;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

static void json_classes(const wms_abc_summary *s)
{
    printf("{");
    for (int k = 0; k < 3; k++) {
        printf("%s\"%s\":{\"items\":%d,\"item_share\":", k ? "," : "",
               wms_abc_class_name((wms_abc_class)k), s->items[k]);
        json_num(ratio(s->items[k], s->n), 6);
        printf(",\"value\":%lld,\"share\":", (long long)s->value[k]);
        json_num(ratio((double)s->value[k], (double)s->total), 6);
        printf("}");
    }
    printf("}");
}

static void print_json(const wms_abc_report *r)
{
    printf("{\"from\":\"%s\",\"to\":\"%s\",\"days\":%d,\"a_share\":", r->from, r->to, r->days);
    json_num(r->abc.a_share, 6);
    printf(",\"b_share\":");
    json_num(r->abc.b_share, 6);
    printf(",\"totals\":{\"items\":%d,\"picks\":%lld,\"units\":%lld},\"classes\":{\"picks\":",
           r->n_items, (long long)r->by_picks.total, (long long)r->by_units.total);
    json_classes(&r->by_picks);
    printf(",\"units\":");
    json_classes(&r->by_units);
    printf("},\n\"items\":[");
    for (int i = 0; i < r->n_items; i++) {
        const wms_abc_report_item *it = &r->item[i];
        printf("%s\n {\"sku\":", i ? "," : "");
        ctl_json_str(stdout, it->sku);
        printf(",\"picks\":%lld,\"units\":%lld,\"class_picks\":\"%s\",\"class_units\":\"%s\","
               "\"rank_picks\":%d,\"rank_units\":%d,\"cum_picks\":",
               (long long)it->picks, (long long)it->units, wms_abc_class_name(it->r.by_picks),
               wms_abc_class_name(it->r.by_units), it->r.rank_picks, it->r.rank_units);
        json_num(it->r.cum_picks, 6);
        printf(",\"cum_units\":");
        json_num(it->r.cum_units, 6);
        printf("}");
    }
    printf("],\n\"layout\":%s,\"a_faced\":%d,\"a_unfaced\":%d,\"golden_m\":",
           r->layout ? "true" : "false", r->a_faced, r->a_unfaced);
    json_num(r->golden_m, 3);
    printf(",\"far_items\":%d,\n\"suggestions\":[", r->far_items);
    for (int i = 0; i < r->n_moves; i++) {
        const wms_abc_move *m = &r->move[i];
        printf("%s\n {\"sku\":", i ? "," : "");
        ctl_json_str(stdout, m->sku);
        printf(",\"picks\":%lld,\"picks_per_day\":", (long long)m->picks);
        json_num(m->picks_per_day, 6);
        printf(",\"from_bin\":");
        ctl_json_str(stdout, m->from_bin);
        printf(",\"from_m\":");
        json_num(m->from_m, 3);
        printf(",\"to_bin\":");
        ctl_json_str(stdout, m->to_bin);
        printf(",\"to_m\":");
        json_num(m->to_m, 3);
        printf(",\"swap_sku\":");
        if (m->swap_sku[0])
            ctl_json_str(stdout, m->swap_sku);
        else
            printf("null");
        printf(",\"swap_items\":%d,\"saving_m_per_day\":", m->swap_items);
        json_num(m->saving_m_per_day, 3);
        printf("}");
    }
    printf("],\n\"saving_m_per_day\":");
    json_num(r->saving_m_per_day, 3);
    printf("}\n");
}

static void print_text(const wms_abc_report *r)
{
    printf("ABC report %s .. %s (%d day%s): %d items, %lld picks, %lld units\n", r->from, r->to,
           r->days, r->days == 1 ? "" : "s", r->n_items, (long long)r->by_picks.total,
           (long long)r->by_units.total);
    printf("A: the top items up to %g %% of the cumulative share, B: up to %g %%, C: the rest "
           "and items without picks\n\n",
           r->abc.a_share * 100.0, r->abc.b_share * 100.0);
    printf("%-6s %26s   %26s\n", "", "-------- by picks --------", "-------- by units --------");
    printf("%-6s %8s %7s %8s   %8s %7s %8s\n", "CLASS", "ITEMS", "ITEMS%", "PICKS%", "ITEMS",
           "ITEMS%", "UNITS%");
    const wms_abc_summary *p = &r->by_picks, *u = &r->by_units;
    for (int k = 0; k <= 3; k++) {
        int ip = k < 3 ? p->items[k] : p->n, iu = k < 3 ? u->items[k] : u->n;
        double vp = k < 3 ? (double)p->value[k] : (double)p->total;
        double vu = k < 3 ? (double)u->value[k] : (double)u->total;
        printf("%-6s %8d %6.1f%% %7.1f%%   %8d %6.1f%% %7.1f%%\n",
               k < 3 ? wms_abc_class_name((wms_abc_class)k) : "total", ip, 100.0 * ratio(ip, p->n),
               100.0 * ratio(vp, (double)p->total), iu, 100.0 * ratio(iu, u->n),
               100.0 * ratio(vu, (double)u->total));
    }
    printf("\nSlotting of the A items (by picks), walking distance from the depot:\n");
    if (!r->layout) {
        printf("  no layout: import the layout (aisles and a depot) for slotting advice\n");
        return;
    }
    if (r->a_faced == 0) {
        printf("  no A item has a pick face in the layout\n");
        return;
    }
    printf("  %d A item%s with a pick face; the %d nearest pick bins lie within %.2f m; %d A "
           "item%s lie%s farther%s\n",
           r->a_faced, r->a_faced == 1 ? "" : "s", r->a_faced, r->golden_m, r->far_items,
           r->far_items == 1 ? "" : "s", r->far_items == 1 ? "s" : "",
           r->a_unfaced ? " (some A items have no pick face)" : "");
    if (r->n_moves == 0) {
        printf("  no move: no free or C-item pick bin is nearer for them\n");
        return;
    }
    printf("\n%4s  %-16s %9s  %-14s %8s  %-14s %8s  %-16s %12s\n", "#", "SKU", "PICKS/DAY", "FROM",
           "FROM_M", "TO", "TO_M", "SWAP WITH (C)", "SAVED_M/DAY");
    for (int i = 0; i < r->n_moves; i++) {
        const wms_abc_move *m = &r->move[i];
        char swap[WMS_SKU_MAX + 16];
        if (!m->swap_sku[0])
            snprintf(swap, sizeof(swap), "- (empty)");
        else if (m->swap_items > 1)
            snprintf(swap, sizeof(swap), "%s +%d", m->swap_sku, m->swap_items - 1);
        else
            snprintf(swap, sizeof(swap), "%s", m->swap_sku);
        printf("%4d  %-16s %9.2f  %-14s %8.2f  %-14s %8.2f  %-16s %12.2f\n", i + 1, m->sku,
               m->picks_per_day, m->from_bin, m->from_m, m->to_bin, m->to_m, swap,
               m->saving_m_per_day);
    }
    printf("\nwalking saved if moved: %.2f m per day (a walk to the bin and back per pick)\n",
           r->saving_m_per_day);
}

static int report_abc(ctl *c)
{
    if (c->argc > 1)
        return usage_fail("report abc takes options only");
    wms_abc_report_opts o;
    memset(&o, 0, sizeof(o));
    o.from = ctl_opt(c, "from");
    o.to = ctl_opt(c, "to");
    long long v;
    int rc;
    if ((rc = ctl_opt_long(c, "days", 1, WMS_ABC_DAYS_MAX, 0, &v)))
        return rc;
    o.days = (int)v;
    if ((rc = ctl_opt_long(c, "top", 1, WMS_ABC_TOP_MAX, WMS_ABC_TOP_DEFAULT, &v)))
        return rc;
    o.top = (int)v;
    if ((rc = opt_pct(c, "a-share", &o.abc.a_share)) ||
        (rc = opt_pct(c, "b-share", &o.abc.b_share)))
        return rc;
    /* One threshold given: the other keeps its default where it can. */
    if (o.abc.a_share == 0.0 && o.abc.b_share != 0.0)
        o.abc.a_share = fmin(WMS_ABC_A_SHARE, o.abc.b_share);
    if (o.abc.b_share == 0.0 && o.abc.a_share != 0.0)
        o.abc.b_share = fmax(WMS_ABC_B_SHARE, o.abc.a_share);
    wms_db *db;
    if ((rc = ctl_open(c, 0, &db)))
        return rc;
    wms_error err;
    wms_error_clear(&err);
    wms_abc_report r;
    rc = wms_abc_report_build(db, &o, &r, &err);
    wms_db_close(db);
    if (rc < 0)
        return ctl_fail(&err);
    if (c->json)
        print_json(&r);
    else
        print_text(&r);
    wms_abc_report_free(&r);
    return 0;
}

int cmd_report(ctl *c)
{
    if (c->argc < 1)
        return usage_fail("name a report: abc or expiring");
    if (!strcmp(c->argv[0], "abc"))
        return report_abc(c);
    if (!strcmp(c->argv[0], "expiring"))
        return cmd_expiring(c);
    fprintf(stderr, "wmsctl: BAD_ARGS: unknown report '%s'\n%s", c->argv[0], report_usage);
    return CTL_USAGE;
}
