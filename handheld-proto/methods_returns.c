/* methods_returns.c - customer returns on the handhelds. */
#include "methods_impl.h"
#include "store/returns.h"

#include <stdlib.h>
#include <string.h>

static void pack_line(msgpack_packer *pk, const wms_return_line *l)
{
    msgpack_pack_map(pk, 9);
    wms_pack_kv_int(pk, "line", l->id);
    wms_pack_kv_str(pk, "sku", l->sku);
    wms_pack_kv_str(pk, "lot", l->lot);
    wms_pack_kv_str(pk, "expiry", l->expiry);
    wms_pack_kv_str(pk, "serial", l->serial);
    wms_pack_kv_int(pk, "qty", l->qty);
    wms_pack_kv_str(pk, "grade", l->grade);
    wms_pack_kv_str(pk, "bin", l->bin);
    wms_pack_kv_str(pk, "status", l->status);
}

/* Packs a return: header, lines and (order returns) what was shipped. */
static void pack_return(msgpack_packer *pk, const wms_return_info *r)
{
    msgpack_pack_map(pk, 7);
    wms_pack_kv_int(pk, "return", r->id);
    wms_pack_kv_str(pk, "order", r->order);
    wms_pack_kv_str(pk, "kind", r->kind);
    wms_pack_kv_str(pk, "status", r->status);
    wms_pack_kv_str(pk, "result", r->result);
    wms_pack_str(pk, "lines");
    msgpack_pack_array(pk, (size_t)r->n);
    for (int i = 0; i < r->n; i++)
        pack_line(pk, &r->line[i]);
    wms_pack_str(pk, "shipped");
    msgpack_pack_array(pk, (size_t)r->nitems);
    for (int i = 0; i < r->nitems; i++) {
        msgpack_pack_map(pk, 3);
        wms_pack_kv_str(pk, "sku", r->item[i].sku);
        wms_pack_kv_int(pk, "shipped", r->item[i].shipped);
        wms_pack_kv_int(pk, "returned", r->item[i].returned);
    }
}

int m_return_open(wms_call *c)
{
    char sscc[WMS_RPC_STR_MAX + 1] = "", order[66] = "", ref[66] = "";
    int unknown = 0, rc;
    if ((rc = wms_arg_str(c->args, "sscc", 0, sscc, sizeof(sscc), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "order", 0, order, sizeof(order), c->err)) < 0 ||
        (rc = wms_arg_bool(c->args, "unknown", 0, &unknown, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "reference", 0, ref, sizeof(ref), c->err)) < 0)
        return rc;
    wms_actor who = call_actor(c);
    wms_return_info *r = malloc(sizeof(*r));
    if (r == NULL)
        return wms_error_set(c->err, WMS_ENOMEM, NULL);
    if ((rc = wms_return_open(c->db, &who, sscc, order, unknown, ref, r, c->err)) == 0)
        pack_return(c->pk, r);
    free(r);
    return rc;
}

int m_return_scan(wms_call *c)
{
    char code[WMS_RPC_STR_MAX + 1], sku[WMS_SKU_MAX + 2] = "", lot[WMS_LOT_MAX + 2] = "",
                                                      expiry[12] = "", serial[24] = "";
    int64_t ret, packs = 1;
    int rc;
    if ((rc = wms_arg_int(c->args, "return", 1, 1, INT64_MAX, &ret, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "code", 1, code, sizeof(code), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "qty", 0, 1, WMS_QTY_MAX, &packs, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "item", 0, sku, sizeof(sku), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "lot", 0, lot, sizeof(lot), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "expiry", 0, expiry, sizeof(expiry), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "serial", 0, serial, sizeof(serial), c->err)) < 0)
        return rc;
    wms_return_scan_in in = {.return_id = ret,
                             .code = code,
                             .sku = sku[0] ? sku : NULL,
                             .packs = packs,
                             .lot = lot,
                             .expiry = expiry,
                             .serial = serial,
                             .gs_sub = c->id->gs_sub};
    wms_actor who = call_actor(c);
    wms_return_line l;
    if ((rc = wms_return_scan(c->db, &who, &in, &l, c->err)) < 0)
        return rc;
    pack_line(c->pk, &l);
    return 0;
}

int m_return_grade(wms_call *c)
{
    char grade[16], bin[WMS_SKU_MAX + 2] = "", reason[128] = "";
    int64_t line;
    int rc;
    if ((rc = wms_arg_int(c->args, "line", 1, 1, INT64_MAX, &line, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "grade", 1, grade, sizeof(grade), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "bin", 0, bin, sizeof(bin), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "reason", 0, reason, sizeof(reason), c->err)) < 0)
        return rc;
    /* resaleable goods go to the receiving bin unless told otherwise */
    if (!bin[0] && !strcmp(grade, "resaleable") && c->cfg->receiving_bin)
        snprintf(bin, sizeof(bin), "%s", c->cfg->receiving_bin);
    wms_actor who = call_actor(c);
    wms_return_line l;
    if ((rc = wms_return_grade(c->db, &who, line, grade, bin, reason, &l, c->err)) < 0)
        return rc;
    msgpack_pack_map(c->pk, 6);
    wms_pack_kv_int(c->pk, "line", l.id);
    wms_pack_kv_str(c->pk, "sku", l.sku);
    wms_pack_kv_str(c->pk, "grade", l.grade);
    wms_pack_kv_str(c->pk, "bin", l.bin);
    wms_pack_kv_str(c->pk, "status", l.status);
    wms_pack_kv_str(c->pk, "reason", l.reason);
    return 0;
}

int m_return_close(wms_call *c)
{
    int64_t ret;
    int rc = wms_arg_int(c->args, "return", 1, 1, INT64_MAX, &ret, c->err);
    if (rc < 0)
        return rc;
    wms_actor who = call_actor(c);
    wms_return_info *r = malloc(sizeof(*r));
    if (r == NULL)
        return wms_error_set(c->err, WMS_ENOMEM, NULL);
    if ((rc = wms_return_close(c->db, &who, ret, r, c->err)) == 0)
        pack_return(c->pk, r);
    free(r);
    return rc;
}

int m_return_match(wms_call *c)
{
    char order[66] = "", reason[128] = "";
    int64_t ret;
    int write_off = 0, rc;
    if ((rc = wms_arg_int(c->args, "return", 1, 1, INT64_MAX, &ret, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "order", 0, order, sizeof(order), c->err)) < 0 ||
        (rc = wms_arg_bool(c->args, "write_off", 0, &write_off, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "reason", 0, reason, sizeof(reason), c->err)) < 0)
        return rc;
    wms_actor who = call_actor(c);
    rc = write_off ? wms_return_write_off(c->db, &who, ret, reason, c->err)
                   : wms_return_match(c->db, &who, ret, order, c->err);
    if (rc < 0)
        return rc;
    msgpack_pack_map(c->pk, 2);
    wms_pack_kv_int(c->pk, "return", ret);
    wms_pack_kv_str(c->pk, "status", write_off ? "written_off" : "open");
    return 0;
}
