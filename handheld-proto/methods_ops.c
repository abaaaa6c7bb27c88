/* methods_ops.c - receipts, putaway and cycle counts on the handhelds. */
#include "methods_impl.h"
#include "store/ops.h"

#include <stdlib.h>
#include <string.h>

#define COUNT_LINES_IN 256 /* lines a count.submit may carry */

static void pack_report(msgpack_packer *pk, const wms_receipt_report *r)
{
    msgpack_pack_map(pk, 5);
    wms_pack_kv_str(pk, "receipt", r->ref);
    wms_pack_kv_str(pk, "status", r->status);
    wms_pack_kv_int(pk, "expected", r->expected_total);
    wms_pack_kv_int(pk, "received", r->received_total);
    wms_pack_str(pk, "lines");
    msgpack_pack_array(pk, (size_t)r->n);
    for (int i = 0; i < r->n; i++) {
        const wms_receipt_report_line *l = &r->line[i];
        msgpack_pack_map(pk, 5);
        wms_pack_kv_str(pk, "sku", l->sku);
        wms_pack_kv_int(pk, "expected", l->expected);
        wms_pack_kv_int(pk, "received", l->received);
        wms_pack_kv_int(pk, "difference", l->difference);
        wms_pack_kv_str(pk, "verdict", l->verdict);
    }
}

int m_receipt_create(wms_call *c)
{
    char ref[WMS_REF_MAX + 1];
    const msgpack_object *arr;
    int64_t tol_pct = 0;
    int rc;
    if ((rc = wms_arg_str(c->args, "receipt", 1, ref, sizeof(ref), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "tolerance_pct", 0, 0, 100, &tol_pct, c->err)) < 0 ||
        (rc = wms_arg_array(c->args, "lines", 1, 4096, &arr, c->err)) < 0)
        return rc;
    uint32_t n = arr->via.array.size;
    wms_receipt_line *lines = calloc(n ? n : 1, sizeof(*lines));
    char(*skus)[WMS_SKU_MAX + 1] = calloc(n ? n : 1, sizeof(*skus));
    if (lines == NULL || skus == NULL) {
        free(lines);
        free(skus);
        return wms_error_set(c->err, WMS_ENOMEM, NULL);
    }
    for (uint32_t i = 0; i < n && rc >= 0; i++) {
        const msgpack_object *l = &arr->via.array.ptr[i];
        if (l->type != MSGPACK_OBJECT_MAP) {
            rc = wms_error_set(c->err, WMS_EBAD_ARGS, "lines[%u] must be a map", i);
            break;
        }
        if ((rc = wms_arg_str(l, "item", 1, skus[i], sizeof(skus[i]), c->err)) < 0 ||
            (rc = wms_arg_int(l, "qty", 1, 0, WMS_QTY_MAX, &lines[i].expected, c->err)) < 0)
            break;
        lines[i].sku = skus[i];
    }
    if (rc >= 0)
        rc = wms_receipt_create(c->db, ref, (double)tol_pct, lines, (int)n, c->err);
    free(lines);
    free(skus);
    if (rc < 0)
        return rc;
    msgpack_pack_map(c->pk, 2);
    wms_pack_kv_str(c->pk, "receipt", ref);
    wms_pack_kv_int(c->pk, "lines", n);
    return 0;
}

int m_receive_close(wms_call *c)
{
    char ref[WMS_REF_MAX + 1];
    int rc = wms_arg_str(c->args, "receipt", 1, ref, sizeof(ref), c->err);
    if (rc < 0)
        return rc;
    wms_receipt_report *r = malloc(sizeof(*r));
    if (r == NULL)
        return wms_error_set(c->err, WMS_ENOMEM, NULL);
    wms_actor who = call_actor(c);
    if ((rc = wms_receipt_close(c->db, &who, ref, r, c->err)) == 0)
        pack_report(c->pk, r);
    free(r);
    return rc;
}

int m_putaway_suggest(wms_call *c)
{
    char sku[WMS_SKU_MAX + 1], lot[WMS_LOT_MAX + 1];
    int64_t qty;
    int rc, has_lot;
    if ((rc = arg_item(c, sku, sizeof(sku))) < 0 ||
        (rc = wms_arg_int(c->args, "qty", 1, 1, WMS_QTY_MAX, &qty, c->err)) < 0 ||
        (has_lot = rc = wms_arg_str(c->args, "lot", 0, lot, sizeof(lot), c->err)) < 0)
        return rc;
    wms_putaway_suggestion s;
    if ((rc = wms_putaway_suggest(c->db, sku, has_lot ? lot : NULL, NULL, qty, &s, c->err)) < 0)
        return rc;
    msgpack_pack_map(c->pk, 5);
    wms_pack_kv_str(c->pk, "bin", s.bin);
    wms_pack_kv_str(c->pk, "zone", s.zone);
    wms_pack_kv_str(c->pk, "type", s.type);
    wms_pack_kv_str(c->pk, "reason", s.reason);
    wms_pack_kv_int(c->pk, "room", s.room);
    return 0;
}

int m_putaway_confirm(wms_call *c)
{
    char from[WMS_SKU_MAX + 1], to[WMS_SKU_MAX + 1], sugg[WMS_SKU_MAX + 1];
    char sku[WMS_SKU_MAX + 1], lot[WMS_LOT_MAX + 1];
    int64_t qty;
    int rc, has_lot, has_sugg;
    if ((rc = wms_arg_str(c->args, "from", 1, from, sizeof(from), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "to", 1, to, sizeof(to), c->err)) < 0 ||
        (has_sugg = rc = wms_arg_str(c->args, "suggested", 0, sugg, sizeof(sugg), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "qty", 1, 1, WMS_QTY_MAX, &qty, c->err)) < 0 ||
        (has_lot = rc = wms_arg_str(c->args, "lot", 0, lot, sizeof(lot), c->err)) < 0 ||
        (rc = arg_item(c, sku, sizeof(sku))) < 0)
        return rc;
    wms_actor who = call_actor(c);
    wms_booking b;
    if ((rc = wms_putaway_confirm(c->db, &who, from, to, has_sugg ? sugg : NULL, sku,
                                  has_lot ? lot : NULL, qty, &b, c->err)) < 0)
        return rc;
    pack_booking(c->pk, &b, 1);
    wms_pack_kv_bool(c->pk, "followed_suggestion", has_sugg && !strcmp(sugg, b.bin));
    return 0;
}

/* Counts are blind: only a supervisor sees what the system expected. */
static void pack_count(msgpack_packer *pk, const wms_count_result *r, int show_expected)
{
    msgpack_pack_map(pk, 4);
    wms_pack_kv_int(pk, "count", r->count_id);
    wms_pack_kv_str(pk, "bin", r->bin);
    wms_pack_kv_str(pk, "status", r->status);
    wms_pack_str(pk, "lines");
    msgpack_pack_array(pk, (size_t)r->n);
    for (int i = 0; i < r->n; i++) {
        const wms_count_result_line *l = &r->line[i];
        msgpack_pack_map(pk, show_expected ? 5 : 3);
        wms_pack_kv_str(pk, "sku", l->sku);
        wms_pack_kv_str(pk, "lot", l->lot);
        if (show_expected)
            wms_pack_kv_int(pk, "expected", l->expected);
        wms_pack_kv_int(pk, "counted", l->counted);
        if (show_expected)
            wms_pack_kv_int(pk, "adjusted", l->adjusted);
    }
}

int m_count_next(wms_call *c)
{
    wms_actor who = call_actor(c);
    wms_count_task t;
    int rc = wms_count_next(c->db, &who, &t, c->err);
    if (rc < 0)
        return rc;
    msgpack_pack_map(c->pk, 4);
    wms_pack_kv_int(c->pk, "count", t.id);
    wms_pack_kv_str(c->pk, "bin", t.bin);
    wms_pack_kv_str(c->pk, "aisle", t.aisle);
    wms_pack_kv_str(c->pk, "reason", t.reason);
    return 0;
}

int m_count_create(wms_call *c)
{
    char bin[WMS_SKU_MAX + 1], reason[WMS_COUNT_REASON_MAX + 1];
    int rc;
    if ((rc = wms_arg_str(c->args, "bin", 1, bin, sizeof(bin), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "reason", 0, reason, sizeof(reason), c->err)) < 0)
        return rc;
    int64_t id;
    if ((rc = wms_count_create(c->db, bin, reason[0] ? reason : "supervisor request", &id,
                               c->err)) < 0)
        return rc;
    msgpack_pack_map(c->pk, 3);
    wms_pack_kv_int(c->pk, "count", id);
    wms_pack_kv_str(c->pk, "bin", bin);
    wms_pack_kv_bool(c->pk, "new", rc == 1);
    return 0;
}

int m_count_submit(wms_call *c)
{
    int64_t id;
    const msgpack_object *arr;
    int rc;
    if ((rc = wms_arg_int(c->args, "count", 1, 1, INT64_MAX, &id, c->err)) < 0 ||
        (rc = wms_arg_array(c->args, "lines", 1, COUNT_LINES_IN, &arr, c->err)) < 0)
        return rc;
    uint32_t n = arr->via.array.size;
    struct {
        char sku[WMS_SKU_MAX + 1], lot[WMS_LOT_MAX + 1];
    } *names = calloc(n ? n : 1, sizeof(*names));
    wms_count_line *lines = calloc(n ? n : 1, sizeof(*lines));
    wms_count_result *r = malloc(sizeof(*r));
    if (names == NULL || lines == NULL || r == NULL) {
        rc = wms_error_set(c->err, WMS_ENOMEM, NULL);
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *l = &arr->via.array.ptr[i];
        if (l->type != MSGPACK_OBJECT_MAP) {
            rc = wms_error_set(c->err, WMS_EBAD_ARGS, "lines[%u] must be a map", i);
            goto out;
        }
        /* Each line names its item by SKU or by a scanned code. */
        wms_call lc = *c;
        lc.args = l;
        if ((rc = arg_item(&lc, names[i].sku, sizeof(names[i].sku))) < 0 ||
            (rc = wms_arg_str(l, "lot", 0, names[i].lot, sizeof(names[i].lot), c->err)) < 0 ||
            (rc = wms_arg_int(l, "qty", 1, 0, WMS_QTY_MAX, &lines[i].qty, c->err)) < 0)
            goto out;
        lines[i].sku = names[i].sku;
        lines[i].lot = names[i].lot;
    }
    wms_actor who = call_actor(c);
    if ((rc = wms_count_submit(c->db, &who, id, lines, (int)n, r, c->err)) == 0)
        pack_count(c->pk, r, c->id->role == WMS_ROLE_SUPERVISOR || c->id->role == WMS_ROLE_ADMIN);
out:
    free(names);
    free(lines);
    free(r);
    return rc;
}

int m_count_approve(wms_call *c)
{
    int64_t id;
    int approve, rc;
    if ((rc = wms_arg_int(c->args, "count", 1, 1, INT64_MAX, &id, c->err)) < 0 ||
        (rc = wms_arg_bool(c->args, "approve", 1, &approve, c->err)) < 0)
        return rc;
    wms_count_result *r = malloc(sizeof(*r));
    if (r == NULL)
        return wms_error_set(c->err, WMS_ENOMEM, NULL);
    wms_actor who = call_actor(c);
    if ((rc = wms_count_approve(c->db, &who, id, approve, r, c->err)) == 0)
        pack_count(c->pk, r, 1);
    free(r);
    return rc;
}
