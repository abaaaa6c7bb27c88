/* methods_stock.c - scan.resolve, stock.query, receive.scan, stock.move. */
#include "methods_impl.h"
#include "store/ops.h"

#include <stdlib.h>
#include <string.h>

#define STOCK_QUERY_MAX 500

void pack_booking(msgpack_packer *pk, const wms_booking *b, int extra)
{
    msgpack_pack_map(pk, 7 + extra);
    wms_pack_kv_str(pk, "bin", b->bin);
    wms_pack_kv_str(pk, "sku", b->sku);
    wms_pack_kv_str(pk, "level", b->level);
    wms_pack_kv_int(pk, "qty", b->qty);
    wms_pack_kv_str(pk, "lot", b->lot);
    wms_pack_kv_str(pk, "expiry", b->expiry);
    wms_pack_kv_str(pk, "status", b->status);
}

int arg_item(wms_call *c, char *sku, size_t n)
{
    char code[WMS_RPC_STR_MAX + 1];
    int rc, has_sku, has_code;
    if ((has_sku = wms_arg_str(c->args, "item", 0, sku, n, c->err)) < 0 ||
        (has_code = wms_arg_str(c->args, "code", 0, code, sizeof(code), c->err)) < 0)
        return has_sku < 0 ? has_sku : has_code;
    if (!has_code) {
        if (!has_sku)
            return wms_error_set(c->err, WMS_EBAD_ARGS, "name the item: 'item' or 'code'");
        wms_item it;
        return wms_item_get(c->db, sku, &it, c->err);
    }
    wms_resolution r;
    if ((rc = wms_code_resolve(c->db, code, c->id->gs_sub, &r, c->err)) < 0)
        return rc;
    if ((rc = wms_resolution_pick(&r, has_sku ? sku : NULL, c->err)) < 0)
        return rc;
    snprintf(sku, n, "%s", r.m[rc].sku);
    return 0;
}

static const char *const kind_names[] = {"unknown", "item", "bin", "sscc"};

int m_scan_resolve(wms_call *c)
{
    char code[WMS_RPC_STR_MAX + 1];
    int rc = wms_arg_str(c->args, "code", 1, code, sizeof(code), c->err);
    if (rc < 0)
        return rc;
    wms_resolution r;
    if ((rc = wms_code_resolve(c->db, code, c->id->gs_sub, &r, c->err)) < 0)
        return rc;
    const char *opt_k[] = {"lot", "expiry", "serial", "sscc", "bin"};
    const char *opt_v[] = {r.lot, r.expiry, r.serial, r.sscc, r.bin};
    int nopt = 0;
    for (int i = 0; i < 5; i++)
        nopt += opt_v[i][0] != '\0';
    msgpack_pack_map(c->pk, 6 + nopt);
    wms_pack_kv_str(c->pk, "kind", kind_names[r.kind]);
    wms_pack_kv_str(c->pk, "key", r.key);
    wms_pack_str(c->pk, "items");
    msgpack_pack_array(c->pk, (size_t)r.n);
    for (int i = 0; i < r.n; i++) {
        msgpack_pack_map(c->pk, 4);
        wms_pack_kv_str(c->pk, "sku", r.m[i].sku);
        wms_pack_kv_str(c->pk, "description", r.m[i].description);
        wms_pack_kv_str(c->pk, "level", r.m[i].level);
        wms_pack_kv_int(c->pk, "units", r.m[i].units);
    }
    wms_pack_kv_bool(c->pk, "ambiguous", r.n > 1);
    wms_pack_kv_int(c->pk, "qty", r.qty);
    wms_pack_kv_int(c->pk, "count", r.count);
    for (int i = 0; i < 5; i++)
        if (opt_v[i][0])
            wms_pack_kv_str(c->pk, opt_k[i], opt_v[i]);
    return 0;
}

typedef struct {
    wms_stock_row rows[STOCK_QUERY_MAX];
    int n, more;
} query_rows;

static int collect_row(void *ctx, const wms_stock_row *r)
{
    query_rows *q = ctx;
    if (q->n == STOCK_QUERY_MAX) {
        q->more = 1;
        return 1;
    }
    q->rows[q->n++] = *r;
    return 0;
}

int m_stock_query(wms_call *c)
{
    char bin[WMS_SKU_MAX + 1], sku[WMS_SKU_MAX + 1], code[WMS_RPC_STR_MAX + 1];
    int rc, hb, hs, hc;
    if ((hb = wms_arg_str(c->args, "bin", 0, bin, sizeof(bin), c->err)) < 0 ||
        (hs = wms_arg_str(c->args, "item", 0, sku, sizeof(sku), c->err)) < 0 ||
        (hc = wms_arg_str(c->args, "code", 0, code, sizeof(code), c->err)) < 0)
        return c->err->code;
    if (hc) {
        /* A scanned code: a bin label or an item. */
        wms_resolution r;
        if ((rc = wms_code_resolve(c->db, code, c->id->gs_sub, &r, c->err)) < 0)
            return rc;
        if (r.kind == WMS_CODE_BIN) {
            snprintf(bin, sizeof(bin), "%s", r.bin);
            hb = 1;
        } else {
            if ((rc = wms_resolution_pick(&r, hs ? sku : NULL, c->err)) < 0)
                return rc;
            snprintf(sku, sizeof(sku), "%s", r.m[rc].sku);
            hs = 1;
        }
    }
    if (!hb && !hs)
        return wms_error_set(c->err, WMS_EBAD_ARGS, "give 'bin', 'item' or 'code'");
    if (hb) {
        wms_bin b;
        if ((rc = wms_bin_get(c->db, bin, &b, c->err)) < 0)
            return rc;
    }
    if (hs) {
        wms_item it;
        if ((rc = wms_item_get(c->db, sku, &it, c->err)) < 0)
            return rc;
    }
    query_rows *q = calloc(1, sizeof(*q));
    if (q == NULL)
        return wms_error_set(c->err, WMS_ENOMEM, NULL);
    rc = wms_stock_list(c->db, hb ? bin : NULL, hs ? sku : NULL, collect_row, q, c->err);
    if (rc < 0) {
        free(q);
        return rc;
    }
    int64_t total = 0;
    msgpack_pack_map(c->pk, 3);
    wms_pack_str(c->pk, "rows");
    msgpack_pack_array(c->pk, (size_t)q->n);
    for (int i = 0; i < q->n; i++) {
        const wms_stock_row *r = &q->rows[i];
        msgpack_pack_map(c->pk, 6);
        wms_pack_kv_str(c->pk, "bin", r->bin);
        wms_pack_kv_str(c->pk, "sku", r->sku);
        wms_pack_kv_str(c->pk, "lot", r->lot);
        wms_pack_kv_str(c->pk, "expiry", r->expiry);
        wms_pack_kv_str(c->pk, "status", r->status);
        wms_pack_kv_int(c->pk, "qty", r->qty);
        if (!strcmp(r->status, "available"))
            total += r->qty;
    }
    wms_pack_kv_int(c->pk, "available", total);
    wms_pack_kv_bool(c->pk, "truncated", q->more);
    free(q);
    return 0;
}

int m_receive_scan(wms_call *c)
{
    char code[WMS_RPC_STR_MAX + 1], lot[WMS_LOT_MAX + 1], expiry[16], bin[WMS_SKU_MAX + 1];
    char sku[WMS_SKU_MAX + 1], receipt[65];
    int64_t qty = 1;
    int quarantine = 0, rc, has_receipt;
    if ((rc = wms_arg_str(c->args, "code", 1, code, sizeof(code), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "qty", 0, 1, WMS_QTY_MAX, &qty, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "lot", 0, lot, sizeof(lot), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "expiry", 0, expiry, sizeof(expiry), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "bin", 0, bin, sizeof(bin), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "item", 0, sku, sizeof(sku), c->err)) < 0 ||
        (has_receipt = rc = wms_arg_str(c->args, "receipt", 0, receipt, sizeof(receipt), c->err)) <
            0 ||
        (rc = wms_arg_bool(c->args, "quarantine", 0, &quarantine, c->err)) < 0)
        return rc;
    if (quarantine && c->id->role != WMS_ROLE_SUPERVISOR && c->id->role != WMS_ROLE_ADMIN)
        return wms_error_set(c->err, WMS_EFORBIDDEN,
                             "only a supervisor may receive goods to quarantine");
    if (bin[0] == '\0')
        snprintf(bin, sizeof(bin), "%s", c->cfg->receiving_bin ? c->cfg->receiving_bin : "");
    wms_receive_req req = {.bin = bin,
                           .code = code,
                           .sku = sku[0] ? sku : NULL,
                           .mult = qty,
                           .lot = lot,
                           .expiry = expiry,
                           .quarantine = quarantine,
                           .gs_sub = c->id->gs_sub};
    wms_actor who = call_actor(c);
    wms_booking b;
    if ((rc = wms_stock_receive(c->db, &who, &req, &b, c->err)) < 0)
        return rc;
    if (has_receipt && (rc = wms_receipt_add(c->db, receipt, b.sku, b.qty, c->err)) < 0)
        return rc;
    pack_booking(c->pk, &b, has_receipt ? 1 : 0);
    if (has_receipt)
        wms_pack_kv_str(c->pk, "receipt", receipt);
    return 0;
}

int m_stock_move(wms_call *c)
{
    char from[WMS_SKU_MAX + 1], to[WMS_SKU_MAX + 1], sku[WMS_SKU_MAX + 1];
    char lot[WMS_LOT_MAX + 1], status[16], to_status[16], reason[129];
    int64_t qty;
    int rc, has_lot;
    if ((rc = wms_arg_str(c->args, "from", 1, from, sizeof(from), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "to", 1, to, sizeof(to), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "qty", 1, 1, WMS_QTY_MAX, &qty, c->err)) < 0 ||
        (has_lot = rc = wms_arg_str(c->args, "lot", 0, lot, sizeof(lot), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "status", 0, status, sizeof(status), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "to_status", 0, to_status, sizeof(to_status), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "reason", 0, reason, sizeof(reason), c->err)) < 0 ||
        (rc = arg_item(c, sku, sizeof(sku))) < 0)
        return rc;
    int status_change = (status[0] && strcmp(status, "available")) ||
                        (to_status[0] && strcmp(to_status, status[0] ? status : "available"));
    if (status_change && c->id->role != WMS_ROLE_SUPERVISOR && c->id->role != WMS_ROLE_ADMIN)
        return wms_error_set(c->err, WMS_EFORBIDDEN,
                             "only a supervisor may move held or quarantined stock");
    wms_move_req req = {.from = from,
                        .to = to,
                        .sku = sku,
                        .lot = has_lot ? lot : NULL,
                        .status = status,
                        .to_status = to_status,
                        .qty = qty,
                        .reason = reason};
    wms_actor who = call_actor(c);
    wms_booking b;
    if ((rc = wms_stock_move(c->db, &who, &req, &b, c->err)) < 0)
        return rc;
    pack_booking(c->pk, &b, 0);
    return 0;
}
