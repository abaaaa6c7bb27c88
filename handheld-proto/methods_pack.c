/* methods_pack.c - pack verification, carton close with SSCC label, and
 * shipping on the handhelds. */
#include "methods_impl.h"
#include "store/pack.h"
#include "store/pick.h"

#include <stdlib.h>
#include <string.h>

/* Packs a list as [{"sku", "lot", "qty"}, ...]. */
static void pack_list(msgpack_packer *pk, const char *key, const wms_pack_list *l)
{
    wms_pack_str(pk, key);
    msgpack_pack_array(pk, (size_t)l->n);
    for (int i = 0; i < l->n; i++) {
        msgpack_pack_map(pk, 3);
        wms_pack_kv_str(pk, "sku", l->e[i].sku);
        wms_pack_kv_str(pk, "lot", l->e[i].lot);
        wms_pack_kv_int(pk, "qty", l->e[i].qty);
    }
}

int m_pack_open(wms_call *c)
{
    char tote[WMS_TOTE_MAX + 2] = "", order[66] = "";
    int rc;
    if ((rc = wms_arg_str(c->args, "tote", 0, tote, sizeof(tote), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "order", 0, order, sizeof(order), c->err)) < 0)
        return rc;
    wms_actor who = call_actor(c);
    wms_carton_info *ci = malloc(sizeof(*ci));
    if (ci == NULL)
        return wms_error_set(c->err, WMS_ENOMEM, NULL);
    if ((rc = wms_pack_open(c->db, &who, tote, order, ci, c->err)) == 0) {
        msgpack_pack_map(c->pk, 6);
        wms_pack_kv_int(c->pk, "carton", ci->id);
        wms_pack_kv_str(c->pk, "order", ci->order);
        wms_pack_kv_str(c->pk, "tote", ci->tote);
        wms_pack_str(c->pk, "box");
        if (ci->box[0])
            wms_pack_str(c->pk, ci->box);
        else
            msgpack_pack_nil(c->pk);
        wms_pack_kv_int(c->pk, "units", ci->left.units);
        pack_list(c->pk, "expected", &ci->left);
    }
    free(ci);
    return rc;
}

int m_pack_scan(wms_call *c)
{
    char code[WMS_RPC_STR_MAX + 1];
    int64_t carton, packs = 1;
    int rc;
    if ((rc = wms_arg_int(c->args, "carton", 1, 1, INT64_MAX, &carton, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "code", 1, code, sizeof(code), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "qty", 0, 1, WMS_QTY_MAX, &packs, c->err)) < 0)
        return rc;
    wms_actor who = call_actor(c);
    wms_pack_scan_result *r = malloc(sizeof(*r));
    if (r == NULL)
        return wms_error_set(c->err, WMS_ENOMEM, NULL);
    if ((rc = wms_pack_scan(c->db, &who, carton, code, packs, c->id->gs_sub, r, c->err)) == 0) {
        msgpack_pack_map(c->pk, 5);
        wms_pack_kv_str(c->pk, "sku", r->sku);
        wms_pack_kv_int(c->pk, "qty", r->units);
        wms_pack_kv_int(c->pk, "packed", r->carton_units);
        wms_pack_kv_int(c->pk, "units_left", r->left.units);
        pack_list(c->pk, "left", &r->left);
    }
    free(r);
    return rc;
}

int m_pack_close(wms_call *c)
{
    char box[66] = "";
    int64_t carton, weight = 0;
    int rc;
    if ((rc = wms_arg_int(c->args, "carton", 1, 1, INT64_MAX, &carton, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "box", 0, box, sizeof(box), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "weight_g", 0, 1, 10000000, &weight, c->err)) < 0)
        return rc;
    wms_actor who = call_actor(c);
    wms_carton_info *ci = malloc(sizeof(*ci));
    char *zpl = malloc(WMS_ZPL_MAX);
    if (ci == NULL || zpl == NULL) {
        free(ci);
        free(zpl);
        return wms_error_set(c->err, WMS_ENOMEM, NULL);
    }
    if ((rc = wms_pack_close(c->db, &who, carton, box, weight, ci, zpl, WMS_ZPL_MAX, c->err)) ==
        0) {
        msgpack_pack_map(c->pk, 7);
        wms_pack_kv_int(c->pk, "carton", ci->id);
        wms_pack_kv_str(c->pk, "sscc", ci->sscc);
        wms_pack_kv_int(c->pk, "units", ci->units);
        wms_pack_kv_str(c->pk, "order_status", ci->order_status);
        wms_pack_kv_int(c->pk, "units_missing", ci->left.units);
        pack_list(c->pk, "missing", &ci->left);
        wms_pack_kv_str(c->pk, "zpl", zpl);
    }
    free(ci);
    free(zpl);
    return rc;
}

int m_ship_confirm(wms_call *c)
{
    char sscc[WMS_RPC_STR_MAX + 1] = "", order[66] = "";
    int rc;
    if ((rc = wms_arg_str(c->args, "sscc", 0, sscc, sizeof(sscc), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "order", 0, order, sizeof(order), c->err)) < 0)
        return rc;
    wms_actor who = call_actor(c);
    wms_ship_result r;
    if ((rc = wms_ship_confirm(c->db, &who, sscc, order, &r, c->err)) < 0)
        return rc;
    msgpack_pack_map(c->pk, 4);
    wms_pack_kv_str(c->pk, "order", r.order);
    wms_pack_kv_int(c->pk, "cartons", r.cartons);
    wms_pack_kv_int(c->pk, "units", r.units);
    wms_pack_kv_str(c->pk, "order_status", r.order_status);
    return 0;
}
