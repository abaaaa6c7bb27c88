/* methods_order.c - orders from an order system: create, release, cancel, status. */
#include "methods_impl.h"
#include "store/order.h"

#include <stdlib.h>
#include <string.h>

#define ORDER_LINES_IN 1000

int m_order_create(wms_call *c)
{
    char ref[65], customer[65], carrier[65], cutoff[48], policy[16];
    char sname[129], sstreet[129], scity[65], spost[17], scountry[65];
    int64_t priority = 0;
    const msgpack_object *arr;
    int rc;
    if ((rc = wms_arg_str(c->args, "order", 1, ref, sizeof(ref), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "customer", 1, customer, sizeof(customer), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "carrier", 0, carrier, sizeof(carrier), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "cutoff", 0, cutoff, sizeof(cutoff), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "short_policy", 0, policy, sizeof(policy), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "ship_name", 0, sname, sizeof(sname), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "ship_street", 0, sstreet, sizeof(sstreet), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "ship_city", 0, scity, sizeof(scity), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "ship_postcode", 0, spost, sizeof(spost), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "ship_country", 0, scountry, sizeof(scountry), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "priority", 0, 1, 9, &priority, c->err)) < 0 ||
        (rc = wms_arg_array(c->args, "lines", 1, ORDER_LINES_IN, &arr, c->err)) < 0)
        return rc;
    uint32_t n = arr->via.array.size;
    wms_order_line_in *lines = calloc(n ? n : 1, sizeof(*lines));
    char(*skus)[WMS_SKU_MAX + 1] = calloc(n ? n : 1, sizeof(*skus));
    wms_order_result *res = calloc(1, sizeof(*res));
    if (lines == NULL || skus == NULL || res == NULL) {
        rc = wms_error_set(c->err, WMS_ENOMEM, NULL);
        goto out;
    }
    for (uint32_t i = 0; i < n; i++) {
        const msgpack_object *l = &arr->via.array.ptr[i];
        int64_t line = i + 1, price = 0, shelf = -1;
        if (l->type != MSGPACK_OBJECT_MAP) {
            rc = wms_error_set(c->err, WMS_EBAD_ARGS, "lines[%u] must be a map", i);
            goto out;
        }
        if ((rc = wms_arg_int(l, "line", 0, 1, 100000, &line, c->err)) < 0 ||
            (rc = wms_arg_str(l, "item", 1, skus[i], sizeof(skus[i]), c->err)) < 0 ||
            (rc = wms_arg_int(l, "qty", 1, 1, WMS_QTY_MAX, &lines[i].qty, c->err)) < 0 ||
            (rc = wms_arg_int(l, "unit_price_cents", 0, 0, INT64_MAX / 2, &price, c->err)) < 0 ||
            (rc = wms_arg_int(l, "min_shelf_life_days", 0, 0, 36500, &shelf, c->err)) < 0)
            goto out;
        lines[i].line = (int)line;
        lines[i].sku = skus[i];
        lines[i].unit_price_cents = price;
        lines[i].min_shelf_life_days = (int)shelf;
    }
    wms_order_in o = {.ref = ref,
                      .customer = customer,
                      .carrier = carrier,
                      .cutoff = cutoff,
                      .ship_name = sname,
                      .ship_street = sstreet,
                      .ship_city = scity,
                      .ship_postcode = spost,
                      .ship_country = scountry,
                      .short_policy = policy,
                      .priority = (int)priority,
                      .lines = lines,
                      .n = (int)n};
    wms_actor who = call_actor(c);
    if ((rc = wms_order_create(c->db, &who, &o, res, c->err)) < 0)
        goto out;
    msgpack_pack_map(c->pk, 5);
    wms_pack_kv_str(c->pk, "order", ref);
    wms_pack_kv_str(c->pk, "status", res->status);
    wms_pack_kv_str(c->pk, "hold_reason", res->hold_reason);
    wms_pack_kv_int(c->pk, "lines", res->lines);
    wms_pack_kv_int(c->pk, "gift_lines", res->gift_lines);
out:
    free(lines);
    free(skus);
    free(res);
    return rc;
}

/* Shared by release and cancel: acts, then answers with the new status. */
static int order_change(wms_call *c, int cancel)
{
    char ref[65], reason[129];
    int rc;
    if ((rc = wms_arg_str(c->args, "order", 1, ref, sizeof(ref), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "reason", 0, reason, sizeof(reason), c->err)) < 0)
        return rc;
    wms_actor who = call_actor(c);
    rc = cancel ? wms_order_cancel(c->db, &who, ref, reason[0] ? reason : NULL, c->err)
                : wms_order_release(c->db, &who, ref, c->err);
    if (rc < 0)
        return rc;
    msgpack_pack_map(c->pk, 2);
    wms_pack_kv_str(c->pk, "order", ref);
    wms_pack_kv_str(c->pk, "status", cancel ? "cancelled" : "released");
    return 0;
}

int m_order_release(wms_call *c)
{
    return order_change(c, 0);
}

int m_order_cancel(wms_call *c)
{
    return order_change(c, 1);
}

int m_order_status(wms_call *c)
{
    char ref[65];
    int rc = wms_arg_str(c->args, "order", 1, ref, sizeof(ref), c->err);
    if (rc < 0)
        return rc;
    wms_order_info *o = malloc(sizeof(*o));
    if (o == NULL)
        return wms_error_set(c->err, WMS_ENOMEM, NULL);
    if ((rc = wms_order_get(c->db, ref, o, c->err)) < 0) {
        free(o);
        return rc;
    }
    msgpack_packer *pk = c->pk;
    msgpack_pack_map(pk, 8);
    wms_pack_kv_str(pk, "order", o->ref);
    wms_pack_kv_str(pk, "customer", o->customer);
    wms_pack_kv_str(pk, "status", o->status);
    wms_pack_kv_str(pk, "hold_reason", o->hold_reason);
    wms_pack_kv_str(pk, "cutoff", o->cutoff);
    wms_pack_kv_int(pk, "priority", o->priority);
    wms_pack_str(pk, "lines");
    msgpack_pack_array(pk, (size_t)o->n);
    for (int i = 0; i < o->n; i++) {
        const wms_order_line_info *l = &o->line[i];
        msgpack_pack_map(pk, 7);
        wms_pack_kv_int(pk, "line", l->line);
        wms_pack_kv_str(pk, "sku", l->sku);
        wms_pack_kv_int(pk, "qty", l->qty);
        wms_pack_kv_int(pk, "allocated", l->allocated);
        wms_pack_kv_int(pk, "picked", l->picked);
        wms_pack_kv_int(pk, "short", l->short_qty);
        wms_pack_kv_bool(pk, "gift", l->gift_rule_id != 0);
    }
    wms_pack_str(pk, "history");
    msgpack_pack_array(pk, (size_t)o->n_history);
    for (int i = 0; i < o->n_history; i++) {
        const wms_event *e = &o->history[i];
        msgpack_pack_map(pk, 6);
        wms_pack_kv_str(pk, "ts", e->ts);
        wms_pack_kv_str(pk, "kind", e->kind);
        wms_pack_kv_str(pk, "status", e->status);
        wms_pack_kv_str(pk, "detail", e->detail);
        wms_pack_kv_str(pk, "user", e->user);
        wms_pack_kv_str(pk, "device", e->device);
    }
    free(o);
    return 0;
}
