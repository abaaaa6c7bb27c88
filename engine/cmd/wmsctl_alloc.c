/* wmsctl_alloc.c - allocate REF, pickface set, replenish check|done. */
#include "wmsctl.h"
#include "store/alloc.h"

#include <stdlib.h>
#include <string.h>

static const char allocate_usage[] = "usage: wmsctl allocate REF [--json]\n";
static const char pickface_usage[] = "usage: wmsctl pickface set BIN SKU --min N --max M\n";
static const char replenish_usage[] = "usage: wmsctl replenish check [--wave ID] [--json]\n"
                                      "       wmsctl replenish done TASK --qty N\n";

static int usage_fail(const char *usage, const char *why)
{
    fprintf(stderr, "wmsctl: BAD_ARGS: %s\n%s", why, usage);
    return CTL_USAGE;
}

static wms_actor actor_of(const ctl *c)
{
    wms_actor who = {c->user, c->device, NULL};
    return who;
}

static void print_alloc(const ctl *c, const char *ref, const wms_alloc_result *r)
{
    if (c->json) {
        printf("{\"order\":");
        ctl_json_str(stdout, ref);
        printf(",\"requested\":%lld,\"allocated\":%lld,\"short\":%lld,\"backordered\":%lld,"
               "\"allocations\":%lld,\"truncated\":%s,\"lines\":[",
               (long long)r->requested, (long long)r->allocated, (long long)r->short_qty,
               (long long)r->backordered, (long long)r->allocations,
               r->truncated ? "true" : "false");
        for (int i = 0; i < r->nline; i++) {
            const wms_alloc_line *l = &r->line[i];
            printf("%s\n  {\"line\":%d,\"sku\":", i ? "," : "", l->line);
            ctl_json_str(stdout, l->sku);
            printf(",\"requested\":%lld,\"allocated\":%lld,\"short\":%lld,\"backordered\":%lld}",
                   (long long)l->requested, (long long)l->allocated, (long long)l->short_qty,
                   (long long)l->backordered);
        }
        printf("%s]}\n", r->nline ? "\n" : "");
        return;
    }
    printf("%-6s %-20s %10s %10s %10s %12s\n", "LINE", "SKU", "REQUESTED", "ALLOCATED", "SHORT",
           "BACKORDERED");
    for (int i = 0; i < r->nline; i++) {
        const wms_alloc_line *l = &r->line[i];
        printf("%-6d %-20s %10lld %10lld %10lld %12lld\n", l->line, l->sku, (long long)l->requested,
               (long long)l->allocated, (long long)l->short_qty, (long long)l->backordered);
    }
    if (r->truncated)
        printf("... more lines not shown\n");
    printf("order %s: %lld of %lld units allocated (%lld allocations), %lld short, %lld "
           "backordered\n",
           ref, (long long)r->allocated, (long long)r->requested, (long long)r->allocations,
           (long long)r->short_qty, (long long)r->backordered);
}

int cmd_allocate(ctl *c)
{
    if (c->argc != 1)
        return usage_fail(allocate_usage, "allocate takes one order reference");
    wms_db *db;
    int rc = ctl_open(c, 0, &db);
    if (rc)
        return rc;
    wms_alloc_result *r = malloc(sizeof(*r));
    if (r == NULL) {
        wms_db_close(db);
        fprintf(stderr, "wmsctl: NOMEM: out of memory\n");
        return CTL_FAIL;
    }
    wms_error err;
    wms_error_clear(&err);
    wms_actor who = actor_of(c);
    if (wms_alloc_order_ref(db, &who, c->argv[0], r, &err) < 0)
        rc = ctl_fail(&err);
    else
        print_alloc(c, c->argv[0], r);
    free(r);
    wms_db_close(db);
    return rc;
}

int cmd_pickface(ctl *c)
{
    if (c->argc != 3 || strcmp(c->argv[0], "set") != 0)
        return usage_fail(pickface_usage, "pickface set needs a bin and a SKU");
    long long min_qty, max_qty;
    int rc;
    if (ctl_opt(c, "min") == NULL || ctl_opt(c, "max") == NULL)
        return usage_fail(pickface_usage, "--min and --max are required");
    if ((rc = ctl_opt_long(c, "min", 0, WMS_QTY_MAX, 0, &min_qty)) ||
        (rc = ctl_opt_long(c, "max", 0, WMS_QTY_MAX, 0, &max_qty)))
        return rc;
    wms_db *db;
    if ((rc = ctl_open(c, 0, &db)))
        return rc;
    wms_error err;
    wms_error_clear(&err);
    int put = wms_pickface_set(db, c->argv[1], c->argv[2], min_qty, max_qty, &err);
    if (put < 0)
        rc = ctl_fail(&err);
    else
        printf("pick face %s %s: min %lld, max %lld (%s)\n", c->argv[1], c->argv[2], min_qty,
               max_qty,
               put == WMS_PUT_INSERTED  ? "added"
               : put == WMS_PUT_UPDATED ? "updated"
                                        : "unchanged");
    wms_db_close(db);
    return rc;
}

static void print_plan(const ctl *c, const wms_replenish_result *r)
{
    if (c->json) {
        printf("{\"created\":%d,\"grown\":%d,\"units\":%lld,\"alerts\":%d,\"picks_linked\":%d,"
               "\"truncated\":%s,\"tasks\":[",
               r->created, r->grown, (long long)r->units, r->alerts, r->picks_linked,
               r->truncated ? "true" : "false");
        for (int i = 0; i < r->ntask; i++) {
            const wms_replenish_task *t = &r->task[i];
            printf("%s\n  {\"task\":%lld,\"wave\":%lld,\"from\":", i ? "," : "",
                   (long long)t->task_id, (long long)t->wave_id);
            ctl_json_str(stdout, t->from_bin);
            printf(",\"to\":");
            ctl_json_str(stdout, t->to_bin);
            printf(",\"sku\":");
            ctl_json_str(stdout, t->sku);
            printf(",\"lot\":");
            ctl_json_str(stdout, t->lot);
            printf(",\"expiry\":");
            ctl_json_str(stdout, t->expiry);
            printf(",\"qty\":%lld,\"carried\":%lld,\"created\":%s}", (long long)t->qty,
                   (long long)t->carried, t->created ? "true" : "false");
        }
        printf("%s]}\n", r->ntask ? "\n" : "");
        return;
    }
    printf("%-8s %-6s %-12s %-12s %-20s %-12s %10s %8s\n", "TASK", "WAVE", "FROM", "TO", "SKU",
           "LOT", "QTY", "CARRIED");
    for (int i = 0; i < r->ntask; i++) {
        const wms_replenish_task *t = &r->task[i];
        printf("%-8lld %-6lld %-12s %-12s %-20s %-12s %10lld %8lld%s\n", (long long)t->task_id,
               (long long)t->wave_id, t->from_bin, t->to_bin, t->sku, t->lot, (long long)t->qty,
               (long long)t->carried, t->created ? "" : " (grown)");
    }
    if (r->truncated)
        printf("... more tasks not shown\n");
    printf("%d replenishment tasks created, %d grown, %lld units; %d alerts; %d picks wait for "
           "a replenishment\n",
           r->created, r->grown, (long long)r->units, r->alerts, r->picks_linked);
}

int cmd_replenish(ctl *c)
{
    if (c->argc < 1)
        return usage_fail(replenish_usage, "replenish needs a subcommand");
    int check = !strcmp(c->argv[0], "check"), done = !strcmp(c->argv[0], "done");
    if ((check && c->argc != 1) || (done && c->argc != 2) || (!check && !done))
        return usage_fail(replenish_usage, "unknown replenish subcommand or wrong words");
    long long wave = 0, qty = 0, task = 0;
    int rc;
    if (check && (rc = ctl_opt_long(c, "wave", 0, INT64_MAX, 0, &wave)))
        return rc;
    if (done) {
        char *end;
        task = strtoll(c->argv[1], &end, 10);
        if (end == c->argv[1] || *end || task <= 0)
            return usage_fail(replenish_usage, "TASK is a task id");
        if (ctl_opt(c, "qty") == NULL)
            return usage_fail(replenish_usage, "--qty is required");
        if ((rc = ctl_opt_long(c, "qty", 1, WMS_QTY_MAX, 0, &qty)))
            return rc;
    }
    wms_db *db;
    if ((rc = ctl_open(c, 0, &db)))
        return rc;
    wms_error err;
    wms_error_clear(&err);
    wms_actor who = actor_of(c);
    if (done) {
        if (wms_replenish_done(db, &who, task, qty, &err) < 0)
            rc = ctl_fail(&err);
        else
            printf("replenishment task %lld: %lld units moved\n", task, qty);
    } else {
        wms_replenish_result *r = malloc(sizeof(*r));
        if (r == NULL) {
            fprintf(stderr, "wmsctl: NOMEM: out of memory\n");
            rc = CTL_FAIL;
        } else if (wms_replenish_plan(db, &who, wave, r, &err) < 0) {
            rc = ctl_fail(&err);
        } else {
            print_plan(c, r);
        }
        free(r);
    }
    wms_db_close(db);
    return rc;
}
