/* wmsctl_ops.c - receipt create|show|close and count create|list|show|approve|reject. */
#include "wmsctl.h"
#include "store/ops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char receipt_usage[] =
    "usage: wmsctl receipt create REF [--tolerance PCT] SKU=QTY ...\n"
    "       wmsctl receipt show REF [--json]\n"
    "       wmsctl receipt close REF [--json]\n";

static const char count_usage[] = "usage: wmsctl count create BIN [--reason R]\n"
                                  "       wmsctl count list [--status S] [--json]\n"
                                  "       wmsctl count show ID [--json]\n"
                                  "       wmsctl count approve ID | reject ID [--json]\n";

static int usage_fail(const char *usage, const char *why)
{
    fprintf(stderr, "wmsctl: BAD_ARGS: %s\n%s", why, usage);
    return CTL_USAGE;
}

static void print_report(const ctl *c, const wms_receipt_report *r)
{
    if (c->json) {
        printf("{\"receipt\":");
        ctl_json_str(stdout, r->ref);
        printf(",\"status\":");
        ctl_json_str(stdout, r->status);
        printf(",\"tolerance_pct\":%g,\"opened\":", r->tolerance_pct);
        ctl_json_str(stdout, r->opened);
        printf(",\"closed\":");
        ctl_json_str(stdout, r->closed);
        printf(",\"expected\":%lld,\"received\":%lld,\"line_count\":%d,\"ok\":%d,\"over\":%d,"
               "\"under\":%d,\"unexpected\":%d,\"truncated\":%s,\"lines\":[",
               (long long)r->expected_total, (long long)r->received_total, r->lines, r->n_ok,
               r->n_over, r->n_under, r->n_unexpected, r->n < r->lines ? "true" : "false");
        for (int i = 0; i < r->n; i++) {
            const wms_receipt_report_line *l = &r->line[i];
            printf("%s\n  {\"sku\":", i ? "," : "");
            ctl_json_str(stdout, l->sku);
            printf(",\"expected\":%lld,\"received\":%lld,\"difference\":%lld,\"verdict\":",
                   (long long)l->expected, (long long)l->received, (long long)l->difference);
            ctl_json_str(stdout, l->verdict);
            printf("}");
        }
        printf("%s]}\n", r->n ? "\n" : "");
        return;
    }
    printf("receipt %s: %s, tolerance %g%%, opened %s%s%s\n", r->ref, r->status, r->tolerance_pct,
           r->opened, r->closed[0] ? ", closed " : "", r->closed);
    printf("%-20s %10s %10s %10s  %s\n", "SKU", "EXPECTED", "RECEIVED", "DIFF", "VERDICT");
    for (int i = 0; i < r->n; i++) {
        const wms_receipt_report_line *l = &r->line[i];
        printf("%-20s %10lld %10lld %+10lld  %s\n", l->sku, (long long)l->expected,
               (long long)l->received, (long long)l->difference, l->verdict);
    }
    if (r->n < r->lines)
        printf("... %d more lines (all ok)\n", r->lines - r->n);
    printf("%d lines: %d ok, %d over, %d under, %d unexpected; %lld of %lld units received\n",
           r->lines, r->n_ok, r->n_over, r->n_under, r->n_unexpected, (long long)r->received_total,
           (long long)r->expected_total);
}

/* Parses SKU=QTY words into lines (skus point into argv). */
static int parse_lines(ctl *c, wms_receipt_line *lines, int max, int *n)
{
    *n = 0;
    for (int i = 2; i < c->argc; i++) {
        char *eq = strrchr(c->argv[i], '=');
        if (eq == NULL || eq == c->argv[i] || *n >= max)
            return usage_fail(receipt_usage, "lines are SKU=QTY");
        char *end;
        errno = 0;
        long long q = strtoll(eq + 1, &end, 10);
        if (errno || end == eq + 1 || *end) {
            fprintf(stderr, "wmsctl: BAD_QTY: '%s' is not SKU=QTY\n", c->argv[i]);
            return CTL_USAGE;
        }
        *eq = '\0';
        lines[*n].sku = c->argv[i];
        lines[*n].expected = q;
        (*n)++;
    }
    return 0;
}

int cmd_receipt(ctl *c)
{
    if (c->argc < 2)
        return usage_fail(receipt_usage, "receipt needs a subcommand and a reference");
    const char *sub = c->argv[0], *ref = c->argv[1];
    int create = !strcmp(sub, "create"), show = !strcmp(sub, "show");
    if (!create && !show && strcmp(sub, "close"))
        return usage_fail(receipt_usage, "unknown receipt subcommand");
    if (!create && c->argc != 2)
        return usage_fail(receipt_usage, "too many words");
    double tol = 0;
    const char *t = ctl_opt(c, "tolerance");
    if (t != NULL) {
        char *end;
        errno = 0;
        tol = strtod(t, &end);
        if (errno || end == t || *end)
            return usage_fail(receipt_usage, "--tolerance takes a percentage");
    }
    wms_receipt_line lines[64]; /* the command line holds at most 64 words */
    int n = 0, rc;
    if (create && (rc = parse_lines(c, lines, 64, &n)))
        return rc;
    wms_db *db;
    if ((rc = ctl_open(c, 0, &db)))
        return rc;
    wms_error err;
    wms_error_clear(&err);
    wms_receipt_report *r = NULL;
    if (create) {
        rc = wms_receipt_create(db, ref, tol, lines, n, &err);
        if (rc >= 0 && c->json) {
            printf("{\"receipt\":");
            ctl_json_str(stdout, ref);
            printf(",\"lines\":%d}\n", rc);
        } else if (rc >= 0) {
            printf("receipt %s created: %d lines\n", ref, rc);
        }
    } else if ((r = malloc(sizeof(*r))) == NULL) {
        rc = wms_error_set(&err, WMS_ENOMEM, NULL);
    } else {
        wms_actor who = {c->user, c->device, ctl_opt(c, "txn")};
        rc = show ? wms_receipt_get(db, ref, r, &err) : wms_receipt_close(db, &who, ref, r, &err);
        if (rc >= 0)
            print_report(c, r);
    }
    free(r);
    wms_db_close(db);
    return rc < 0 ? ctl_fail(&err) : 0;
}

static void print_result(const ctl *c, const wms_count_result *r)
{
    if (c->json) {
        printf("{\"count\":%lld,\"bin\":", (long long)r->count_id);
        ctl_json_str(stdout, r->bin);
        printf(",\"status\":");
        ctl_json_str(stdout, r->status);
        printf(",\"expected\":%lld,\"counted\":%lld,\"difference\":%lld",
               (long long)r->expected_total, (long long)r->counted_total, (long long)r->difference);
        if (r->recount_id)
            printf(",\"recount\":%lld", (long long)r->recount_id);
        printf(",\"lines\":[");
        for (int i = 0; i < r->n; i++) {
            const wms_count_result_line *l = &r->line[i];
            printf("%s\n  {\"sku\":", i ? "," : "");
            ctl_json_str(stdout, l->sku);
            printf(",\"lot\":");
            ctl_json_str(stdout, l->lot);
            printf(",\"expiry\":");
            ctl_json_str(stdout, l->expiry);
            printf(",\"expected\":%lld,\"counted\":%lld,\"adjusted\":%lld,\"capped\":%s}",
                   (long long)l->expected, (long long)l->counted, (long long)l->adjusted,
                   l->capped ? "true" : "false");
        }
        printf("%s]}\n", r->n ? "\n" : "");
        return;
    }
    printf("count %lld of bin %s: %s\n", (long long)r->count_id, r->bin, r->status);
    if (r->n > 0)
        printf("%-20s %-12s %10s %10s %10s\n", "SKU", "LOT", "EXPECTED", "COUNTED", "ADJUSTED");
    for (int i = 0; i < r->n; i++) {
        const wms_count_result_line *l = &r->line[i];
        printf("%-20s %-12s %10lld %10lld %+10lld%s\n", l->sku, l->lot[0] ? l->lot : "-",
               (long long)l->expected, (long long)l->counted, (long long)l->adjusted,
               l->capped ? "  (capped: less left in the bin)" : "");
    }
    if (r->recount_id)
        printf("a new count %lld of bin %s is open\n", (long long)r->recount_id, r->bin);
}

typedef struct {
    const ctl *c;
    int n;
} count_list_ctx;

static int count_row(void *ctx, const wms_count_info *ci)
{
    count_list_ctx *lc = ctx;
    if (lc->c->json) {
        printf("%s\n  {\"count\":%lld,\"bin\":", lc->n++ ? "," : "", (long long)ci->id);
        ctl_json_str(stdout, ci->bin);
        printf(",\"status\":");
        ctl_json_str(stdout, ci->status);
        printf(",\"reason\":");
        ctl_json_str(stdout, ci->reason);
        printf(",\"created\":");
        ctl_json_str(stdout, ci->created);
        printf(",\"assigned_to\":");
        ctl_json_str(stdout, ci->assigned_to);
        printf(",\"submitted\":");
        ctl_json_str(stdout, ci->submitted);
        printf("}");
        return 0;
    }
    printf("%6lld %-14s %-16s %-10s %-24s %s\n", (long long)ci->id, ci->bin, ci->status,
           ci->assigned_to[0] ? ci->assigned_to : "-", ci->created, ci->reason);
    lc->n++;
    return 0;
}

/* Parses a count id word. */
static int count_id(const char *w, int64_t *id)
{
    char *end;
    errno = 0;
    long long v = strtoll(w, &end, 10);
    if (errno || end == w || *end || v <= 0)
        return usage_fail(count_usage, "a count id is a positive number");
    *id = v;
    return 0;
}

int cmd_count(ctl *c)
{
    if (c->argc < 1)
        return usage_fail(count_usage, "count needs a subcommand");
    const char *sub = c->argv[0];
    int rc;
    int64_t id = 0;
    int list = !strcmp(sub, "list");
    if (!list && !strcmp(sub, "create") && c->argc != 2)
        return usage_fail(count_usage, "count create needs one bin");
    if (!list && strcmp(sub, "create") && strcmp(sub, "show") && strcmp(sub, "approve") &&
        strcmp(sub, "reject"))
        return usage_fail(count_usage, "unknown count subcommand");
    if (list && c->argc != 1)
        return usage_fail(count_usage, "too many words");
    if (!list && strcmp(sub, "create") && (c->argc != 2 || (rc = count_id(c->argv[1], &id))))
        return c->argc != 2 ? usage_fail(count_usage, "name one count id") : rc;
    wms_db *db;
    if ((rc = ctl_open(c, 0, &db)))
        return rc;
    wms_error err;
    wms_error_clear(&err);
    wms_actor who = {c->user, c->device, ctl_opt(c, "txn")};
    if (!strcmp(sub, "create")) {
        rc = wms_count_create(db, c->argv[1], ctl_opt(c, "reason"), &id, &err);
        if (rc >= 0 && c->json) {
            printf("{\"count\":%lld,\"bin\":", (long long)id);
            ctl_json_str(stdout, c->argv[1]);
            printf(",\"new\":%s}\n", rc ? "true" : "false");
        } else if (rc >= 0) {
            printf("count %lld of bin %s (%s)\n", (long long)id, c->argv[1],
                   rc ? "new" : "already open");
        }
    } else if (list) {
        count_list_ctx lc = {c, 0};
        if (c->json)
            printf("[");
        else
            printf("%6s %-14s %-16s %-10s %-24s %s\n", "ID", "BIN", "STATUS", "USER", "CREATED",
                   "REASON");
        rc = wms_count_list(db, ctl_opt(c, "status"), count_row, &lc, &err);
        if (c->json)
            printf("%s]\n", lc.n ? "\n" : "");
    } else {
        wms_count_result *r = malloc(sizeof(*r));
        if (r == NULL)
            rc = wms_error_set(&err, WMS_ENOMEM, NULL);
        else if (!strcmp(sub, "show"))
            rc = wms_count_get(db, id, r, &err);
        else
            rc = wms_count_approve(db, &who, id, !strcmp(sub, "approve"), r, &err);
        if (rc >= 0)
            print_result(c, r);
        free(r);
    }
    wms_db_close(db);
    return rc < 0 ? ctl_fail(&err) : 0;
}
