/* wmsctl_putwall.c - putwall WALL [--open [--wave ID]]: a put wall's slots,
 * the orders in them and what they wait for. */
#include "wmsctl.h"
#include "store/sort.h"

#include <stdlib.h>
#include <string.h>

static const char putwall_usage[] =
    "usage: wmsctl putwall WALL [--open [--wave ID]] [--json]\n"
    "  (slots come from: wmsctl import putwall FILE.csv with columns wall,slot[,seq])\n";

static int usage_fail(const char *why)
{
    fprintf(stderr, "wmsctl: BAD_ARGS: %s\n%s", why, putwall_usage);
    return CTL_USAGE;
}

static void print_wall(const ctl *c, const wms_sort_wall *w)
{
    if (c->json) {
        printf("{\"wall\":");
        ctl_json_str(stdout, w->wall);
        printf(",\"slots\":%d,\"used\":%d,\"complete\":%d,\"waiting_orders\":%lld,"
               "\"assigned\":%d,\"slot\":[",
               w->n_slots, w->used, w->complete, (long long)w->waiting_orders, w->assigned);
        for (int i = 0; i < w->n_slots; i++) {
            const wms_sort_slot *s = &w->slot[i];
            printf("%s\n  {\"slot\":", i ? "," : "");
            ctl_json_str(stdout, s->slot);
            printf(",\"order\":");
            if (s->order[0])
                ctl_json_str(stdout, s->order);
            else
                printf("null");
            printf(",\"sorted\":%lld,\"to_sort\":%lld,\"to_pick\":%lld,\"complete\":%s}",
                   (long long)s->sorted, (long long)s->to_sort, (long long)s->to_pick,
                   s->complete ? "true" : "false");
        }
        printf("%s]}\n", w->n_slots ? "\n" : "");
        return;
    }
    printf("wall %s: %d slots, %d in use, %d complete; %lld orders waiting for a slot", w->wall,
           w->n_slots, w->used, w->complete, (long long)w->waiting_orders);
    if (w->assigned)
        printf("; %d given a slot now", w->assigned);
    printf("\n%-12s %-16s %-25s %8s %8s %8s  %s\n", "SLOT", "ORDER", "CUTOFF", "SORTED", "TO_SORT",
           "TO_PICK", "STATE");
    for (int i = 0; i < w->n_slots; i++) {
        const wms_sort_slot *s = &w->slot[i];
        if (!s->order[0]) {
            printf("%-12s %-16s\n", s->slot, "-");
            continue;
        }
        printf("%-12s %-16s %-25s %8lld %8lld %8lld  %s\n", s->slot, s->order,
               s->cutoff[0] ? s->cutoff : "-", (long long)s->sorted, (long long)s->to_sort,
               (long long)s->to_pick, s->complete ? "complete: to packing" : "sorting");
    }
}

int cmd_putwall(ctl *c)
{
    if (c->argc != 1)
        return usage_fail("name the wall");
    int open = ctl_opt(c, "open") != NULL;
    long long wave;
    if (ctl_opt_long(c, "wave", 1, INT64_MAX, 0, &wave) < 0)
        return usage_fail("--wave takes a wave id");
    wms_sort_wall *w = malloc(sizeof(*w));
    if (w == NULL)
        return 1;
    wms_db *db;
    int rc = open ? ctl_open(c, 0, &db) : ctl_open_ro(c, 0, &db);
    if (rc) {
        free(w);
        return rc;
    }
    wms_error err;
    wms_error_clear(&err);
    wms_actor who = {c->user, c->device, NULL};
    int r = open ? wms_sort_open(db, &who, c->argv[0], wave, w, &err)
                 : wms_sort_status(db, c->argv[0], w, &err);
    if (r < 0)
        rc = ctl_fail(&err);
    else
        print_wall(c, w);
    wms_db_close(db);
    free(w);
    return rc;
}
