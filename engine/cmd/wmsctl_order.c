/* wmsctl_order.c - order show|list|release|cancel and gift add|list|on|off. */
#include "wmsctl.h"
#include "store/order.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char order_usage[] = "usage: wmsctl order show REF [--json]\n"
                                  "       wmsctl order list [--status S] [--json]\n"
                                  "       wmsctl order release REF\n"
                                  "       wmsctl order cancel REF [--reason R]\n";

static const char gift_usage[] = "usage: wmsctl gift add PRODUCT GIFT --per N [--safety S]\n"
                                 "       wmsctl gift list [--json]\n"
                                 "       wmsctl gift on ID | off ID\n";

static int usage_fail(const char *usage, const char *why)
{
    fprintf(stderr, "wmsctl: BAD_ARGS: %s\n%s", why, usage);
    return CTL_USAGE;
}

/* Money as "1234.50" (cents >= 0). */
static const char *money(char buf[32], int64_t cents)
{
    snprintf(buf, 32, "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
    return buf;
}

static void json_kv(const char *key, const char *val, int comma)
{
    printf("%s\"%s\":", comma ? "," : "", key);
    ctl_json_str(stdout, val);
}

static void show_json(const wms_order_info *o)
{
    char m[32];
    printf("{\"order\":");
    ctl_json_str(stdout, o->ref);
    printf(",\"id\":%lld", (long long)o->id);
    json_kv("customer", o->customer, 1);
    json_kv("customer_name", o->customer_name, 1);
    json_kv("credit", o->credit, 1);
    json_kv("status", o->status, 1);
    printf(",\"priority\":%d", o->priority);
    json_kv("carrier", o->carrier, 1);
    json_kv("cutoff", o->cutoff, 1);
    if (o->cutoff_ms >= 0 || o->cutoff[0])
        printf(",\"cutoff_ms\":%lld", (long long)o->cutoff_ms);
    else
        printf(",\"cutoff_ms\":null");
    printf(",\"ship_to\":{");
    json_kv("name", o->ship_name, 0);
    json_kv("street", o->ship_street, 1);
    json_kv("city", o->ship_city, 1);
    json_kv("postcode", o->ship_postcode, 1);
    json_kv("country", o->ship_country, 1);
    printf("}");
    json_kv("short_policy", o->short_policy, 1);
    json_kv("hold_reason", o->hold_reason, 1);
    if (o->wave_id > 0)
        printf(",\"wave_id\":%lld", (long long)o->wave_id);
    else
        printf(",\"wave_id\":null");
    json_kv("created", o->created, 1);
    printf(",\"value\":%s,\"units\":%lld,\"line_count\":%d,\"truncated\":%s,\"lines\":[",
           money(m, o->value_cents), (long long)o->units, o->lines,
           o->n < o->lines ? "true" : "false");
    for (int i = 0; i < o->n; i++) {
        const wms_order_line_info *l = &o->line[i];
        printf("%s\n  {\"line\":%d,\"sku\":", i ? "," : "", l->line);
        ctl_json_str(stdout, l->sku);
        printf(",\"qty\":%lld,\"unit_price\":%s,", (long long)l->qty,
               money(m, l->unit_price_cents));
        if (l->min_shelf_life_days >= 0)
            printf("\"min_shelf_life_days\":%d,", l->min_shelf_life_days);
        else
            printf("\"min_shelf_life_days\":null,");
        if (l->gift_rule_id > 0)
            printf("\"gift_rule_id\":%lld,", (long long)l->gift_rule_id);
        else
            printf("\"gift_rule_id\":null,");
        printf("\"allocated\":%lld,\"picked\":%lld,\"short\":%lld,\"backordered\":%lld}",
               (long long)l->allocated, (long long)l->picked, (long long)l->short_qty,
               (long long)l->backordered);
    }
    printf("%s],\"history\":[", o->n ? "\n" : "");
    for (int i = 0; i < o->n_history; i++) {
        const wms_event *e = &o->history[i];
        printf("%s\n  {\"id\":%lld", i ? "," : "", (long long)e->id);
        json_kv("ts", e->ts, 1);
        json_kv("kind", e->kind, 1);
        json_kv("status", e->status, 1);
        json_kv("detail", e->detail, 1);
        json_kv("user", e->user, 1);
        json_kv("device", e->device, 1);
        printf("}");
    }
    printf("%s],\"history_count\":%d}\n", o->n_history ? "\n" : "", o->history_total);
}

static void show_human(const wms_order_info *o)
{
    char m[32];
    printf("order %s: %s\n", o->ref, o->status);
    printf("  customer  %s (%s), credit %s\n", o->customer, o->customer_name, o->credit);
    printf("  priority  %d   carrier %s   cutoff %s   short policy %s\n", o->priority,
           o->carrier[0] ? o->carrier : "-", o->cutoff[0] ? o->cutoff : "-", o->short_policy);
    printf("  ship to   %s, %s, %s %s, %s\n", o->ship_name[0] ? o->ship_name : "(no name)",
           o->ship_street[0] ? o->ship_street : "(no street)", o->ship_postcode,
           o->ship_city[0] ? o->ship_city : "(no city)",
           o->ship_country[0] ? o->ship_country : "(no country)");
    if (o->hold_reason[0])
        printf("  %s  %s\n", strcmp(o->status, "held") ? "was held" : "held for", o->hold_reason);
    if (o->wave_id > 0)
        printf("  wave      %lld\n", (long long)o->wave_id);
    printf("  created   %s; %d line(s), %lld unit(s), value %s\n\n", o->created, o->lines,
           (long long)o->units, money(m, o->value_cents));
    printf("%5s %-20s %10s %12s %6s %10s %10s %8s %10s\n", "LINE", "SKU", "QTY", "PRICE", "MSL",
           "ALLOCATED", "PICKED", "SHORT", "BACKORDER");
    for (int i = 0; i < o->n; i++) {
        const wms_order_line_info *l = &o->line[i];
        char msl[16];
        snprintf(msl, sizeof(msl), "%d", l->min_shelf_life_days);
        printf("%5d %-20s %10lld %12s %6s %10lld %10lld %8lld %10lld%s\n", l->line, l->sku,
               (long long)l->qty, money(m, l->unit_price_cents),
               l->min_shelf_life_days >= 0 ? msl : "-", (long long)l->allocated,
               (long long)l->picked, (long long)l->short_qty, (long long)l->backordered,
               l->gift_rule_id > 0 ? "  (gift)" : "");
    }
    if (o->n < o->lines)
        printf("... %d more line(s)\n", o->lines - o->n);
    printf("\nhistory:\n");
    for (int i = 0; i < o->n_history; i++) {
        const wms_event *e = &o->history[i];
        printf("  %-24s %-13s %-10s %s%s%s  %s\n", e->ts, e->kind, e->status, e->user,
               e->device[0] ? "@" : "", e->device, e->detail);
    }
    if (o->n_history < o->history_total)
        printf("  ... %d more event(s)\n", o->history_total - o->n_history);
}

typedef struct list_ctx {
    const ctl *c;
    int n;
} list_ctx;

static int list_cb(void *ctx, const wms_order_summary *s)
{
    list_ctx *lc = ctx;
    char m[32];
    if (lc->c->json) {
        printf("%s\n  {\"order\":", lc->n ? "," : "");
        ctl_json_str(stdout, s->ref);
        json_kv("customer", s->customer, 1);
        json_kv("status", s->status, 1);
        printf(",\"priority\":%d", s->priority);
        json_kv("carrier", s->carrier, 1);
        json_kv("cutoff", s->cutoff, 1);
        printf(",\"lines\":%d,\"units\":%lld,\"value\":%s", s->lines, (long long)s->units,
               money(m, s->value_cents));
        json_kv("hold_reason", s->hold_reason, 1);
        json_kv("created", s->created, 1);
        printf("}");
    } else {
        printf("%-16s %-10s %-10s %4d %-26s %5d %8lld %12s  %s\n", s->ref, s->customer, s->status,
               s->priority, s->cutoff[0] ? s->cutoff : "-", s->lines, (long long)s->units,
               money(m, s->value_cents), s->hold_reason);
    }
    lc->n++;
    return 0;
}

static int order_list(ctl *c, wms_db *db)
{
    wms_error err;
    wms_error_clear(&err);
    list_ctx lc = {c, 0};
    if (c->json)
        printf("[");
    else
        printf("%-16s %-10s %-10s %4s %-26s %5s %8s %12s  %s\n", "ORDER", "CUSTOMER", "STATUS",
               "PRIO", "CUTOFF", "LINES", "UNITS", "VALUE", "HOLD REASON");
    int rc = wms_order_list(db, ctl_opt(c, "status"), list_cb, &lc, &err);
    if (c->json)
        printf("%s]\n", lc.n ? "\n" : "");
    else if (rc >= 0)
        printf("%d order(s)\n", lc.n);
    return rc < 0 ? ctl_fail(&err) : 0;
}

int cmd_order(ctl *c)
{
    if (c->argc < 1)
        return usage_fail(order_usage, "order needs a subcommand");
    const char *sub = c->argv[0];
    int is_list = !strcmp(sub, "list");
    if (!is_list && strcmp(sub, "show") && strcmp(sub, "release") && strcmp(sub, "cancel"))
        return usage_fail(order_usage, "unknown order subcommand");
    if (c->argc != (is_list ? 1 : 2))
        return usage_fail(order_usage, is_list ? "order list takes no words" : "name one order");
    wms_db *db;
    int rc = ctl_open(c, 0, &db);
    if (rc)
        return rc;
    wms_error err;
    wms_error_clear(&err);
    wms_actor who = {c->user, c->device, NULL};
    if (is_list) {
        rc = order_list(c, db);
    } else if (!strcmp(sub, "show")) {
        wms_order_info *o = calloc(1, sizeof(*o));
        if (o == NULL) {
            wms_db_close(db);
            fprintf(stderr, "wmsctl: NOMEM: out of memory\n");
            return CTL_FAIL;
        }
        rc = wms_order_get(db, c->argv[1], o, &err);
        if (rc < 0)
            rc = ctl_fail(&err);
        else if (c->json)
            show_json(o);
        else
            show_human(o);
        free(o);
    } else if (!strcmp(sub, "release")) {
        rc = wms_order_release(db, &who, c->argv[1], &err);
        if (rc < 0)
            rc = ctl_fail(&err);
        else
            printf("order %s released\n", c->argv[1]);
    } else {
        rc = wms_order_cancel(db, &who, c->argv[1], ctl_opt(c, "reason"), &err);
        if (rc < 0)
            rc = ctl_fail(&err);
        else
            printf("order %s cancelled\n", c->argv[1]);
    }
    wms_db_close(db);
    return rc;
}

static int gift_list_cb(void *ctx, const wms_gift_rule *g)
{
    list_ctx *lc = ctx;
    if (lc->c->json) {
        printf("%s\n  {\"id\":%lld", lc->n ? "," : "", (long long)g->id);
        json_kv("product", g->product, 1);
        json_kv("gift", g->gift, 1);
        printf(",\"per_unit\":%lld,\"safety_level\":%lld,\"active\":%s,\"unreserved\":%lld,"
               "\"owed\":%lld}",
               (long long)g->per_unit, (long long)g->safety_level, g->active ? "true" : "false",
               (long long)g->unreserved, (long long)g->owed);
    } else {
        printf("%4lld %-20s %-20s %8lld %10lld %-4s %10lld %10lld\n", (long long)g->id, g->product,
               g->gift, (long long)g->per_unit, (long long)g->safety_level,
               g->active ? "on" : "off", (long long)g->unreserved, (long long)g->owed);
    }
    lc->n++;
    return 0;
}

/* Parses a rule id word. */
static int parse_id(const char *s, int64_t *id)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 1)
        return -1;
    *id = v;
    return 0;
}

int cmd_gift(ctl *c)
{
    if (c->argc < 1)
        return usage_fail(gift_usage, "gift needs a subcommand");
    const char *sub = c->argv[0];
    int64_t id = 0;
    long long per = 0, safety = 0;
    if (!strcmp(sub, "add")) {
        if (c->argc != 3)
            return usage_fail(gift_usage, "gift add needs PRODUCT and GIFT");
        if (ctl_opt(c, "per") == NULL)
            return usage_fail(gift_usage, "gift add needs --per N");
        int r = ctl_opt_long(c, "per", 1, 1000000, 1, &per);
        if (r == 0)
            r = ctl_opt_long(c, "safety", 0, WMS_QTY_MAX, 0, &safety);
        if (r)
            return r;
    } else if (!strcmp(sub, "list")) {
        if (c->argc != 1)
            return usage_fail(gift_usage, "gift list takes no words");
    } else if (!strcmp(sub, "on") || !strcmp(sub, "off")) {
        if (c->argc != 2 || parse_id(c->argv[1], &id) < 0)
            return usage_fail(gift_usage, "name one rule by its id");
    } else {
        return usage_fail(gift_usage, "unknown gift subcommand");
    }
    wms_db *db;
    int rc = ctl_open(c, 0, &db);
    if (rc)
        return rc;
    wms_error err;
    wms_error_clear(&err);
    wms_actor who = {c->user, c->device, NULL};
    if (!strcmp(sub, "add")) {
        int rid = wms_gift_rule_put(db, c->argv[1], c->argv[2], per, safety, &err);
        rc = rid < 0 ? ctl_fail(&err) : 0;
        if (rid > 0 && c->json)
            printf("{\"id\":%d}\n", rid);
        else if (rid > 0)
            printf("gift rule %d: %lld x %s per unit of %s while more than %lld available\n", rid,
                   per, c->argv[2], c->argv[1], safety);
    } else if (!strcmp(sub, "list")) {
        list_ctx lc = {c, 0};
        if (c->json)
            printf("[");
        else
            printf("%4s %-20s %-20s %8s %10s %-4s %10s %10s\n", "ID", "PRODUCT", "GIFT", "PER_UNIT",
                   "SAFETY", "ON", "UNRESERVED", "OWED");
        rc = wms_gift_rule_list(db, gift_list_cb, &lc, &err);
        if (c->json)
            printf("%s]\n", lc.n ? "\n" : "");
        rc = rc < 0 ? ctl_fail(&err) : 0;
    } else {
        int on = !strcmp(sub, "on");
        rc = wms_gift_rule_set_active(db, &who, id, on, &err);
        if (rc < 0) {
            rc = ctl_fail(&err);
        } else {
            printf("gift rule %lld %s%s\n", (long long)id, rc ? "switched " : "was already ",
                   on ? "on" : "off");
            rc = 0;
        }
    }
    wms_db_close(db);
    return rc;
}
