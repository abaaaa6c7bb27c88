/* wmsctl_stock.c - receive, move, stock, expiring, verify. */
#include "wmsctl.h"

#include <string.h>

static void actor_of(const ctl *c, wms_actor *a)
{
    a->user = c->user;
    a->device = c->device;
    a->txn = ctl_opt(c, "txn");
}

static void print_booking(const ctl *c, const char *what, const wms_booking *b)
{
    if (c->json) {
        printf("{\"bin\":");
        ctl_json_str(stdout, b->bin);
        printf(",\"sku\":");
        ctl_json_str(stdout, b->sku);
        printf(",\"level\":");
        ctl_json_str(stdout, b->level);
        printf(",\"qty\":%lld,\"lot\":", (long long)b->qty);
        ctl_json_str(stdout, b->lot);
        printf(",\"expiry\":");
        ctl_json_str(stdout, b->expiry);
        printf(",\"status\":");
        ctl_json_str(stdout, b->status);
        printf(",\"journal_id\":%lld}\n", (long long)b->journal_id);
        return;
    }
    printf("%s %lld x %s%s%s%s%s into %s (%s)\n", what, (long long)b->qty, b->sku,
           b->lot[0] ? " lot " : "", b->lot, b->expiry[0] ? " exp " : "", b->expiry, b->bin,
           b->status);
}

int cmd_receive(ctl *c)
{
    wms_receive_req req;
    memset(&req, 0, sizeof(req));
    long long qty;
    int rc = ctl_opt_long(c, "qty", 1, WMS_QTY_MAX, 1, &qty);
    if (rc)
        return rc;
    req.bin = ctl_opt(c, "bin");
    req.code = ctl_opt(c, "code");
    req.sku = ctl_opt(c, "item");
    req.lot = ctl_opt(c, "lot");
    req.expiry = ctl_opt(c, "expiry");
    req.mult = qty;
    req.quarantine = ctl_opt(c, "quarantine") != NULL;
    req.gs_sub = c->gs_sub;
    if (req.bin == NULL || req.code == NULL) {
        fprintf(stderr, "wmsctl: BAD_ARGS: receive needs --bin and --code\n");
        return CTL_USAGE;
    }
    wms_db *db;
    if ((rc = ctl_open(c, 0, &db)))
        return rc;
    wms_actor who;
    actor_of(c, &who);
    wms_booking b;
    wms_error err;
    wms_error_clear(&err);
    rc = wms_stock_receive(db, &who, &req, &b, &err);
    wms_db_close(db);
    if (rc < 0)
        return ctl_fail(&err);
    print_booking(c, "received", &b);
    return 0;
}

int cmd_move(ctl *c)
{
    wms_move_req req;
    memset(&req, 0, sizeof(req));
    long long qty;
    int rc = ctl_opt_long(c, "qty", 1, WMS_QTY_MAX, 0, &qty);
    if (rc)
        return rc;
    req.from = ctl_opt(c, "from");
    req.to = ctl_opt(c, "to");
    req.sku = ctl_opt(c, "item");
    req.code = ctl_opt(c, "code");
    req.lot = ctl_opt(c, "lot");
    req.status = ctl_opt(c, "status");
    req.to_status = ctl_opt(c, "to-status");
    req.reason = ctl_opt(c, "reason");
    req.qty = qty;
    if (req.from == NULL || req.to == NULL || qty == 0 || (req.sku == NULL && req.code == NULL)) {
        fprintf(stderr, "wmsctl: BAD_ARGS: move needs --from, --to, --qty and --item or --code\n");
        return CTL_USAGE;
    }
    wms_db *db;
    if ((rc = ctl_open(c, 0, &db)))
        return rc;
    wms_actor who;
    actor_of(c, &who);
    wms_booking b;
    wms_error err;
    wms_error_clear(&err);
    rc = wms_stock_move(db, &who, &req, &b, &err);
    wms_db_close(db);
    if (rc < 0)
        return ctl_fail(&err);
    print_booking(c, "moved", &b);
    return 0;
}

typedef struct {
    const ctl *c;
    int n;
} list_ctx;

static void stock_json(const wms_stock_row *r)
{
    printf("{\"bin\":");
    ctl_json_str(stdout, r->bin);
    printf(",\"sku\":");
    ctl_json_str(stdout, r->sku);
    printf(",\"lot\":");
    ctl_json_str(stdout, r->lot);
    printf(",\"expiry\":");
    ctl_json_str(stdout, r->expiry);
    printf(",\"qty\":%lld,\"status\":", (long long)r->qty);
    ctl_json_str(stdout, r->status);
    printf("}");
}

static int stock_row(void *ctx, const wms_stock_row *r)
{
    list_ctx *lc = ctx;
    if (lc->c->json) {
        printf("%s\n  ", lc->n++ ? "," : "");
        stock_json(r);
    } else {
        printf("%-14s %-12s %-12s %-10s %-10s %10lld\n", r->bin, r->sku, r->lot[0] ? r->lot : "-",
               r->expiry[0] ? r->expiry : "-", r->status, (long long)r->qty);
        lc->n++;
    }
    return 0;
}

int cmd_stock(ctl *c)
{
    wms_db *db;
    int rc = ctl_open_ro(c, 0, &db);
    if (rc)
        return rc;
    list_ctx lc = {c, 0};
    wms_error err;
    wms_error_clear(&err);
    if (c->json)
        printf("[");
    else
        printf("%-14s %-12s %-12s %-10s %-10s %10s\n", "BIN", "SKU", "LOT", "EXPIRY", "STATUS",
               "QTY");
    rc = wms_stock_list(db, ctl_opt(c, "bin"), ctl_opt(c, "item"), stock_row, &lc, &err);
    wms_db_close(db);
    if (c->json)
        printf("%s]\n", lc.n ? "\n" : "");
    return rc < 0 ? ctl_fail(&err) : 0;
}

static int expiring_row(void *ctx, const wms_expiring_row *r)
{
    list_ctx *lc = ctx;
    if (lc->c->json) {
        printf("%s\n  ", lc->n++ ? "," : "");
        stock_json(&r->s);
        return 0;
    }
    printf("%-10s %5d  %-12s %-12s %-14s %-10s %8lld\n", r->s.expiry, r->days_left, r->s.sku,
           r->s.lot[0] ? r->s.lot : "-", r->s.bin, r->s.status, (long long)r->s.qty);
    lc->n++;
    return 0;
}

static int leftover_row(void *ctx, const wms_leftover_row *r)
{
    list_ctx *lc = ctx;
    if (lc->c->json) {
        printf("%s\n  {\"sku\":", lc->n++ ? "," : "");
        ctl_json_str(stdout, r->sku);
        printf(",\"on_hand\":%lld,\"last_lot\":", (long long)r->on_hand);
        ctl_json_str(stdout, r->last_lot);
        printf(",\"last_lot_qty\":%lld,\"old_lot\":", (long long)r->last_lot_qty);
        ctl_json_str(stdout, r->old_lot);
        printf(",\"old_bin\":");
        ctl_json_str(stdout, r->old_bin);
        printf(",\"old_expiry\":");
        ctl_json_str(stdout, r->old_expiry);
        printf(",\"old_qty\":%lld}", (long long)r->old_qty);
        return 0;
    }
    printf("%-12s on hand %lld > 2 x last lot %s (%lld); older lot %s (exp %s) still in %s: %lld\n",
           r->sku, (long long)r->on_hand, r->last_lot[0] ? r->last_lot : "-",
           (long long)r->last_lot_qty, r->old_lot[0] ? r->old_lot : "-",
           r->old_expiry[0] ? r->old_expiry : "-", r->old_bin, (long long)r->old_qty);
    lc->n++;
    return 0;
}

int cmd_expiring(ctl *c)
{
    long long days;
    int rc = ctl_opt_long(c, "days", 0, 36500, 30, &days);
    if (rc)
        return rc;
    wms_db *db;
    if ((rc = ctl_open(c, 0, &db)))
        return rc;
    wms_error err;
    wms_error_clear(&err);
    list_ctx lc = {c, 0};
    if (c->json)
        printf("{\"expiring\":[");
    else
        printf("Lots expiring within %lld days of %s (negative = expired):\n%-10s %5s  %-12s "
               "%-12s %-14s %-10s %8s\n",
               days, wms_db_today(db), "EXPIRY", "DAYS", "SKU", "LOT", "BIN", "STATUS", "QTY");
    rc = wms_stock_expiring(db, (int)days, expiring_row, &lc, &err);
    if (rc >= 0) {
        if (c->json)
            printf("%s],\n\"left_behind\":[", lc.n ? "\n" : "");
        else
            printf("\nOld stock probably left behind (on hand > 2x the last received lot):\n");
        lc.n = 0;
        rc = wms_stock_leftovers(db, leftover_row, &lc, &err);
        if (c->json)
            printf("%s]}\n", lc.n ? "\n" : "");
        else if (rc == 0)
            printf("  none\n");
    }
    wms_db_close(db);
    return rc < 0 ? ctl_fail(&err) : 0;
}

static int verify_row(void *ctx, const wms_verify_diff *d)
{
    list_ctx *lc = ctx;
    if (lc->c->json) {
        printf("%s\n  {\"bin\":", lc->n++ ? "," : "");
        ctl_json_str(stdout, d->bin);
        printf(",\"sku\":");
        ctl_json_str(stdout, d->sku);
        printf(",\"lot\":");
        ctl_json_str(stdout, d->lot);
        printf(",\"expiry\":");
        ctl_json_str(stdout, d->expiry);
        printf(",\"status\":");
        ctl_json_str(stdout, d->status);
        printf(",\"journal_qty\":%lld,\"stock_qty\":%lld}", (long long)d->journal_qty,
               (long long)d->stock_qty);
        return 0;
    }
    printf("DIFF %-14s %-12s lot %-12s exp %-10s %-10s journal %lld, stock table %lld\n", d->bin,
           d->sku, d->lot[0] ? d->lot : "-", d->expiry[0] ? d->expiry : "-", d->status,
           (long long)d->journal_qty, (long long)d->stock_qty);
    lc->n++;
    return 0;
}

int cmd_verify(ctl *c)
{
    wms_db *db;
    int rc = ctl_open_ro(c, 0, &db);
    if (rc)
        return rc;
    wms_error err;
    wms_error_clear(&err);
    list_ctx lc = {c, 0};
    if (c->json)
        printf("{\"differences\":[");
    rc = wms_stock_verify(db, verify_row, &lc, &err);
    wms_db_close(db);
    if (rc < 0)
        return ctl_fail(&err);
    if (c->json)
        printf("%s],\"ok\":%s}\n", lc.n ? "\n" : "", rc == 0 ? "true" : "false");
    else if (rc == 0)
        printf("verify: stock matches the journal\n");
    else
        printf("verify: %d difference(s) between the journal and the stock table\n", rc);
    return rc == 0 ? 0 : CTL_FAIL;
}
