/* methods_pick.c - waves, tasks, totes, pick confirmation and short picks
 * on the handhelds. */
#include "methods_impl.h"
#include "store/pick.h"
#include "store/wave.h"

#include <stdio.h>
#include <string.h>

#define WAVE_RPC_MAX_ORDERS 2000 /* a wave released over the protocol (wmsctl: any size) */

/* Packs a task map (task.next, and "next" in pick results). */
static void pack_task(msgpack_packer *pk, const wms_task *t)
{
    int pick = !strcmp(t->kind, "pick");
    msgpack_pack_map(pk, 22);
    wms_pack_kv_int(pk, "id", t->id);
    wms_pack_kv_str(pk, "kind", t->kind);
    wms_pack_kv_int(pk, "wave", t->wave_id);
    wms_pack_kv_int(pk, "tour", t->tour);
    wms_pack_kv_int(pk, "seq", t->seq);
    wms_pack_str(pk, "order");
    if (pick && !t->bulk)
        wms_pack_str(pk, t->order);
    else
        msgpack_pack_nil(pk);
    wms_pack_kv_int(pk, "line", t->line);
    wms_pack_kv_str(pk, "bin", t->bin);
    wms_pack_str(pk, "to_bin");
    if (pick)
        msgpack_pack_nil(pk);
    else
        wms_pack_str(pk, t->to_bin);
    wms_pack_kv_str(pk, "sku", t->sku);
    wms_pack_kv_str(pk, "description", t->description);
    wms_pack_kv_str(pk, "lot", t->lot);
    wms_pack_kv_str(pk, "expiry", t->expiry);
    wms_pack_kv_int(pk, "qty", t->left);
    wms_pack_kv_int(pk, "case_units", t->case_units);
    wms_pack_kv_str(pk, "tote", t->tote);
    wms_pack_str(pk, "tote_code");
    if (t->tote_code[0])
        wms_pack_str(pk, t->tote_code);
    else
        msgpack_pack_nil(pk);
    wms_pack_kv_int(pk, "left_in_tour", t->left_in_tour);
    wms_pack_kv_str(pk, "aisle", t->aisle);
    wms_pack_str(pk, "y_m");
    msgpack_pack_double(pk, t->y_m);
    wms_pack_kv_bool(pk, "bulk", t->bulk);
    wms_pack_kv_int(pk, "orders", t->bulk ? t->orders : (pick ? 1 : 0));
}

/* Packs "next": the picker's next task (assigning it like task.next), or
 * nil.  Runs inside the call's operation. */
static int pack_next(wms_call *c)
{
    wms_actor who = call_actor(c);
    wms_task t;
    int64_t waiting;
    int rc = wms_task_next(c->db, &who, NULL, &t, &waiting, c->err);
    if (rc < 0)
        return rc;
    wms_pack_str(c->pk, "next");
    if (rc == 1)
        pack_task(c->pk, &t);
    else
        msgpack_pack_nil(c->pk);
    return 0;
}

int m_wave_release(wms_call *c)
{
    char method[16] = "batch";
    int64_t totes = WMS_WAVE_TOTES_DEFAULT, max_orders = 200, max_lines = 0;
    int rc;
    if ((rc = wms_arg_str(c->args, "method", 0, method, sizeof(method), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "totes", 0, 1, 64, &totes, c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "max_orders", 0, 1, WAVE_RPC_MAX_ORDERS, &max_orders, c->err)) <
            0 ||
        (rc = wms_arg_int(c->args, "max_lines", 0, 1, WMS_WAVE_MAX_LINES, &max_lines, c->err)) < 0)
        return rc;
    wms_wave_opts o;
    wms_wave_opts_init(&o);
    if ((rc = wms_wave_method_parse(method, &o.method, c->err)) < 0)
        return rc;
    o.totes = (int)totes;
    o.max_orders = max_orders;
    o.max_lines = max_lines;
    wms_actor who = call_actor(c);
    int64_t wave;
    if ((rc = wms_wave_release(c->db, &who, &o, NULL, &wave, c->err)) < 0)
        return rc;
    wms_wave_info info;
    if ((rc = wms_wave_status(c->db, wave, &info, c->err)) < 0)
        return rc;
    msgpack_pack_map(c->pk, 6);
    wms_pack_kv_int(c->pk, "wave", wave);
    wms_pack_kv_str(c->pk, "method", info.method);
    wms_pack_kv_int(c->pk, "orders", info.orders);
    wms_pack_kv_int(c->pk, "tours", info.tours);
    wms_pack_kv_int(c->pk, "tasks", info.tasks);
    wms_pack_kv_int(c->pk, "replenishments", info.replenish_open);
    return 0;
}

int m_task_next(wms_call *c)
{
    char zone[40] = "";
    int rc = wms_arg_str(c->args, "zone", 0, zone, sizeof(zone), c->err);
    if (rc < 0)
        return rc;
    wms_actor who = call_actor(c);
    wms_task t;
    int64_t waiting = 0;
    if ((rc = wms_task_next(c->db, &who, zone, &t, &waiting, c->err)) < 0)
        return rc;
    msgpack_pack_map(c->pk, 2);
    wms_pack_str(c->pk, "task");
    if (rc == 1)
        pack_task(c->pk, &t);
    else
        msgpack_pack_nil(c->pk);
    wms_pack_kv_int(c->pk, "waiting", waiting);
    return 0;
}

int m_tote_assign(wms_call *c)
{
    char slot[WMS_SLOT_MAX + 2], code[WMS_TOTE_MAX + 2], order[65] = "";
    int rc;
    if ((rc = wms_arg_str(c->args, "tote", 1, slot, sizeof(slot), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "code", 1, code, sizeof(code), c->err)) < 0)
        return rc;
    wms_actor who = call_actor(c);
    if ((rc = wms_tote_assign(c->db, &who, slot, code, order, sizeof(order), c->err)) < 0)
        return rc;
    msgpack_pack_map(c->pk, 4);
    wms_pack_kv_str(c->pk, "tote", code);
    wms_pack_kv_str(c->pk, "slot", slot);
    wms_pack_kv_str(c->pk, "order", order);
    wms_pack_kv_bool(c->pk, "new", rc == 1);
    return 0;
}

int m_tote_close(wms_call *c)
{
    char code[WMS_TOTE_MAX + 2];
    int rc = wms_arg_str(c->args, "code", 1, code, sizeof(code), c->err);
    if (rc < 0)
        return rc;
    wms_actor who = call_actor(c);
    wms_tote_info t;
    if ((rc = wms_tote_close(c->db, &who, code, &t, c->err)) < 0)
        return rc;
    msgpack_pack_map(c->pk, 5);
    wms_pack_kv_str(c->pk, "tote", t.code);
    wms_pack_kv_str(c->pk, "slot", t.slot);
    wms_pack_kv_str(c->pk, "order", t.order);
    wms_pack_kv_str(c->pk, "status", t.status);
    wms_pack_kv_int(c->pk, "units", t.units);
    return 0;
}

int m_pick_confirm(wms_call *c)
{
    char bin[WMS_SKU_MAX + 2], code[WMS_RPC_STR_MAX + 1],
        tote[WMS_TOTE_MAX + 2] = "", to_bin[WMS_SKU_MAX + 2] = "";
    int64_t task, packs = 1;
    int rc;
    if ((rc = wms_arg_int(c->args, "task", 1, 1, INT64_MAX, &task, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "bin", 1, bin, sizeof(bin), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "code", 1, code, sizeof(code), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "qty", 0, 1, WMS_QTY_MAX, &packs, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "tote", 0, tote, sizeof(tote), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "to_bin", 0, to_bin, sizeof(to_bin), c->err)) < 0)
        return rc;
    wms_pick_scan s = {.task_id = task,
                       .bin = bin,
                       .code = code,
                       .packs = packs,
                       .tote = tote,
                       .to_bin = to_bin,
                       .gs_sub = c->id->gs_sub};
    wms_actor who = call_actor(c);
    wms_pick_result r;
    if ((rc = wms_pick_confirm(c->db, &who, &s, &r, c->err)) < 0)
        return rc;
    msgpack_pack_map(c->pk, 12);
    wms_pack_kv_int(c->pk, "task", r.task_id);
    wms_pack_kv_int(c->pk, "picked", r.picked);
    wms_pack_kv_int(c->pk, "done_qty", r.done_qty);
    wms_pack_kv_int(c->pk, "left", r.left);
    wms_pack_kv_str(c->pk, "status", r.status);
    wms_pack_kv_str(c->pk, "lot", r.lot);
    wms_pack_kv_str(c->pk, "expiry", r.expiry);
    wms_pack_kv_bool(c->pk, "substituted", r.substituted);
    wms_pack_kv_str(c->pk, "tote", r.tote);
    wms_pack_kv_str(c->pk, "order_status", r.order_status);
    wms_pack_kv_int(c->pk, "orders", r.orders);
    return pack_next(c);
}

int m_pick_short(wms_call *c)
{
    char reason[208] = "", tote[WMS_TOTE_MAX + 2] = "";
    int64_t task, found;
    int rc;
    if ((rc = wms_arg_int(c->args, "task", 1, 1, INT64_MAX, &task, c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "qty_found", 1, 0, WMS_QTY_MAX, &found, c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "reason", 0, reason, sizeof(reason), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "tote", 0, tote, sizeof(tote), c->err)) < 0)
        return rc;
    wms_actor who = call_actor(c);
    wms_short_result r;
    if ((rc = wms_pick_short(c->db, &who, task, found, tote, reason, &r, c->err)) < 0)
        return rc;
    msgpack_pack_map(c->pk, 11);
    wms_pack_kv_int(c->pk, "task", r.task_id);
    wms_pack_kv_int(c->pk, "found", r.found);
    wms_pack_kv_int(c->pk, "missing", r.missing);
    wms_pack_kv_int(c->pk, "reallocated", r.reallocated);
    wms_pack_kv_int(c->pk, "short", r.short_qty);
    wms_pack_kv_str(c->pk, "policy", r.backordered ? "backorder" : "ship_short");
    wms_pack_kv_int(c->pk, "count", r.count_id);
    wms_pack_kv_int(c->pk, "new_tasks", r.new_tasks);
    wms_pack_kv_str(c->pk, "order_status", r.order_status);
    wms_pack_kv_int(c->pk, "orders_short", r.orders_short);
    return pack_next(c);
}
