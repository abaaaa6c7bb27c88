/* methods_sort.c - the put wall's sort station: sort.open, sort.scan,
 * sort.confirm, sort.status (PROTOCOL.md; store/sort.h). */
#include "methods_impl.h"
#include "store/sort.h"

#include <stdlib.h>
#include <string.h>

/* {wall, slots, used, complete, waiting_orders, assigned, slot: [...]}
 * with one map per slot (order nil when free). */
static void pack_wall(msgpack_packer *pk, const wms_sort_wall *w)
{
    msgpack_pack_map(pk, 7);
    wms_pack_kv_str(pk, "wall", w->wall);
    wms_pack_kv_int(pk, "slots", w->n_slots);
    wms_pack_kv_int(pk, "used", w->used);
    wms_pack_kv_int(pk, "complete", w->complete);
    wms_pack_kv_int(pk, "waiting_orders", w->waiting_orders);
    wms_pack_kv_int(pk, "assigned", w->assigned);
    wms_pack_str(pk, "slot");
    msgpack_pack_array(pk, (size_t)w->n_slots);
    for (int i = 0; i < w->n_slots; i++) {
        const wms_sort_slot *s = &w->slot[i];
        msgpack_pack_map(pk, 6);
        wms_pack_kv_str(pk, "slot", s->slot);
        wms_pack_str(pk, "order");
        if (s->order[0])
            wms_pack_str(pk, s->order);
        else
            msgpack_pack_nil(pk);
        wms_pack_kv_int(pk, "sorted", s->sorted);
        wms_pack_kv_int(pk, "to_sort", s->to_sort);
        wms_pack_kv_int(pk, "to_pick", s->to_pick);
        wms_pack_kv_bool(pk, "complete", s->complete);
    }
}

static int wall_call(wms_call *c, int open)
{
    char wall[WMS_WALL_MAX + 2];
    int64_t wave = 0;
    int rc;
    if ((rc = wms_arg_str(c->args, "wall", 1, wall, sizeof(wall), c->err)) < 0 ||
        (open && (rc = wms_arg_int(c->args, "wave", 0, 1, INT64_MAX, &wave, c->err)) < 0))
        return rc;
    wms_sort_wall *w = malloc(sizeof(*w));
    if (w == NULL)
        return wms_error_set(c->err, WMS_ENOMEM, NULL);
    wms_actor who = call_actor(c);
    rc = open ? wms_sort_open(c->db, &who, wall, wave, w, c->err)
              : wms_sort_status(c->db, wall, w, c->err);
    if (rc >= 0) {
        pack_wall(c->pk, w);
        rc = 0;
    }
    free(w);
    return rc;
}

int m_sort_open(wms_call *c)
{
    return wall_call(c, 1);
}

int m_sort_status(wms_call *c)
{
    return wall_call(c, 0);
}

static void pack_hint(msgpack_packer *pk, const wms_sort_hint *h)
{
    wms_pack_kv_str(pk, "slot", h->slot);
    wms_pack_kv_str(pk, "order", h->order);
    wms_pack_kv_str(pk, "sku", h->sku);
    wms_pack_kv_str(pk, "lot", h->lot);
    wms_pack_kv_int(pk, "per_scan", h->per_scan);
    wms_pack_kv_int(pk, "need", h->need);
}

int m_sort_scan(wms_call *c)
{
    char wall[WMS_WALL_MAX + 2], code[WMS_RPC_STR_MAX + 1];
    int rc;
    if ((rc = wms_arg_str(c->args, "wall", 1, wall, sizeof(wall), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "code", 1, code, sizeof(code), c->err)) < 0)
        return rc;
    wms_sort_hint h;
    if ((rc = wms_sort_scan(c->db, wall, code, c->id->gs_sub, &h, c->err)) < 0)
        return rc;
    msgpack_pack_map(c->pk, 6);
    pack_hint(c->pk, &h);
    return 0;
}

int m_sort_confirm(wms_call *c)
{
    char wall[WMS_WALL_MAX + 2], code[WMS_RPC_STR_MAX + 1], slot[WMS_SLOT_MAX + 2];
    int64_t packs = 1;
    int rc;
    if ((rc = wms_arg_str(c->args, "wall", 1, wall, sizeof(wall), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "code", 1, code, sizeof(code), c->err)) < 0 ||
        (rc = wms_arg_str(c->args, "slot", 1, slot, sizeof(slot), c->err)) < 0 ||
        (rc = wms_arg_int(c->args, "qty", 0, 1, WMS_QTY_MAX, &packs, c->err)) < 0)
        return rc;
    wms_actor who = call_actor(c);
    wms_sort_result r;
    if ((rc = wms_sort_confirm(c->db, &who, wall, code, c->id->gs_sub, slot, packs, &r, c->err)) <
        0)
        return rc;
    msgpack_pack_map(c->pk, 10);
    pack_hint(c->pk, &r.put);
    wms_pack_kv_int(c->pk, "sorted", r.sorted);
    wms_pack_kv_int(c->pk, "slot_units", r.slot_units);
    wms_pack_kv_int(c->pk, "left", r.left);
    wms_pack_kv_bool(c->pk, "complete", r.complete);
    return 0;
}
