/* wmsctl_return.c - wmsctl return list|show. */
#include "wmsctl.h"
#include "store/returns.h"

#include <stdlib.h>
#include <string.h>

static void print_json(const wms_return_info *r)
{
    printf("{\"return\":%lld,\"order\":", (long long)r->id);
    ctl_json_str(stdout, r->order);
    printf(",\"kind\":\"%s\",\"status\":\"%s\",\"reference\":", r->kind, r->status);
    ctl_json_str(stdout, r->reference);
    printf(",\"opened\":\"%s\",\"closed\":\"%s\",\"lines\":[", r->opened, r->closed);
    for (int i = 0; i < r->n; i++) {
        const wms_return_line *l = &r->line[i];
        printf("%s{\"line\":%lld,\"sku\":", i ? "," : "", (long long)l->id);
        ctl_json_str(stdout, l->sku);
        printf(",\"lot\":");
        ctl_json_str(stdout, l->lot);
        printf(",\"expiry\":\"%s\",\"qty\":%lld,\"grade\":\"%s\",\"bin\":", l->expiry,
               (long long)l->qty, l->grade);
        ctl_json_str(stdout, l->bin);
        printf(",\"status\":\"%s\",\"reason\":", l->status);
        ctl_json_str(stdout, l->reason);
        printf("}");
    }
    printf("],\"shipped\":[");
    for (int i = 0; i < r->nitems; i++) {
        printf("%s{\"sku\":", i ? "," : "");
        ctl_json_str(stdout, r->item[i].sku);
        printf(",\"shipped\":%lld,\"returned\":%lld}", (long long)r->item[i].shipped,
               (long long)r->item[i].returned);
    }
    printf("]}\n");
}

static void print_text(const wms_return_info *r, int detail)
{
    int64_t units = 0;
    for (int i = 0; i < r->n; i++)
        units += r->line[i].qty;
    printf("return %-6lld %-8s %-12s order %-14s %3d lines %6lld units  %s\n", (long long)r->id,
           r->kind, r->status, r->order[0] ? r->order : "-", r->n, (long long)units, r->opened);
    if (!detail)
        return;
    for (int i = 0; i < r->n; i++) {
        const wms_return_line *l = &r->line[i];
        printf("  line %-6lld %-16s lot %-10s exp %-10s %6lld  %-10s %-10s %-8s %s\n",
               (long long)l->id, l->sku, l->lot[0] ? l->lot : "-", l->expiry[0] ? l->expiry : "-",
               (long long)l->qty, l->grade[0] ? l->grade : "(ungraded)", l->status, l->bin,
               l->reason);
    }
    for (int i = 0; i < r->nitems; i++)
        printf("  shipped %-16s %6lld, returned %6lld\n", r->item[i].sku,
               (long long)r->item[i].shipped, (long long)r->item[i].returned);
}

static int list_cb(void *ctx, const wms_return_info *r)
{
    const ctl *c = ctx;
    if (c->json)
        print_json(r);
    else
        print_text(r, 0);
    return 0;
}

/* wmsctl return list [--status S] | wmsctl return show ID */
int cmd_return(ctl *c)
{
    int list = c->argc == 1 && !strcmp(c->argv[0], "list");
    int show = c->argc == 2 && !strcmp(c->argv[0], "show");
    if (!list && !show) {
        fprintf(stderr, "wmsctl: BAD_ARGS: usage: wmsctl return list [--status S] [--json] | "
                        "wmsctl return show ID [--json]\n");
        return CTL_USAGE;
    }
    wms_db *db;
    int rc = ctl_open_ro(c, 0, &db);
    if (rc)
        return rc;
    wms_error err;
    wms_error_clear(&err);
    if (list) {
        rc = wms_return_list(db, ctl_opt(c, "status"), list_cb, c, &err);
    } else {
        char *end;
        long long id = strtoll(c->argv[1], &end, 10);
        wms_return_info *r = malloc(sizeof(*r));
        if (*end || id <= 0 || r == NULL) {
            free(r);
            wms_db_close(db);
            fprintf(stderr, "wmsctl: BAD_ARGS: return id: a number\n");
            return CTL_USAGE;
        }
        if ((rc = wms_return_get(db, id, r, &err)) == 0) {
            if (c->json)
                print_json(r);
            else
                print_text(r, 1);
        }
        free(r);
    }
    wms_db_close(db);
    return rc < 0 ? ctl_fail(&err) : 0;
}
