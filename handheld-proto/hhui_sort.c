/*
 * hhui_sort.c - the handheld's Sort screen: a sort station at a put wall
 * (pick-and-sort; see hhui.h, hhui_impl.h, PROTOCOL.md sort.*).
 *
 *     Wall:                scan or key the wall → sort.open (free slots get
 *                          orders); the wall's state shows
 *     Item (O=open L=list): scan an item from the bulk tote → sort.scan;
 *                          the slot it goes to shows in large letters
 *                          "O" opens the wall again (fills freed slots),
 *                          "L" lists the slots (sort.status)
 *     Slot <label>:        scan the slot's label → sort.confirm; a complete
 *                          order says "to packing"
 *
 * Errors: WRONG_SLOT keeps the operator at Slot:, anything else returns to
 * Item:; a wall that is not known returns to Wall:.
 */
#include "hhui_impl.h"

#include <stdio.h>
#include <string.h>

#include "client.h"

enum { SO_WALL = 0, SO_ITEM, SO_SLOT };

int hhui__sort_owns(const char *m)
{
    return strncmp(m, "sort.", 5) == 0;
}

int hhui__sort_enter(wms_hh_state *s)
{
    s->sort_slot[0] = s->sort_order[0] = '\0';
    if (s->wall[0] == '\0') {
        hhui__status_ok(s, "Scan the put wall");
        return WMS_HH_IDLE;
    }
    hhui__req_new(s, "sort.open", 1); /* the wall used last */
    hhui__req_str(s, "wall", s->wall);
    return hhui__send_req(s);
}

const char *hhui__sort_layout(wms_hh_state *s)
{
    static char slot_prompt[WMS_HH_LINE_MAX + 1];
    if (s->step > SO_WALL)
        hhui__body_add(s, "Wall %.24s", s->wall);
    switch (s->step) {
    case SO_ITEM:
        return "Item (O=open L=list):";
    case SO_SLOT:
        hhui__body_add(s, "Item: %.33s", s->code);
        hhui__body_add(s, ">>> SLOT %.28s <<<", s->sort_slot);
        hhui__body_add(s, "Order %.32s", s->sort_order);
        snprintf(slot_prompt, sizeof(slot_prompt), "Slot %.26s:", s->sort_slot);
        return slot_prompt;
    default:
        s->step = SO_WALL;
        return "Wall:";
    }
}

int hhui__sort_input(wms_hh_state *s, const char *t)
{
    switch (s->step) {
    case SO_WALL:
        if (!hhui__need_text(s, t, "the put wall"))
            return WMS_HH_IDLE;
        if (strlen(t) >= sizeof(s->wall)) {
            hhui__status_err(s, "BAD_ARGS", "A wall name has at most 24 characters");
            return WMS_HH_IDLE;
        }
        snprintf(s->wall, sizeof(s->wall), "%s", t);
        hhui__req_new(s, "sort.open", 1);
        hhui__req_str(s, "wall", s->wall);
        return hhui__send_req(s);
    case SO_ITEM:
        if ((t[0] == 'O' || t[0] == 'o' || t[0] == 'L' || t[0] == 'l') && t[1] == '\0') {
            int open = t[0] == 'O' || t[0] == 'o';
            hhui__req_new(s, open ? "sort.open" : "sort.status", open);
            hhui__req_str(s, "wall", s->wall);
            return hhui__send_req(s);
        }
        if (!hhui__need_text(s, t, "an item from the bulk tote"))
            return WMS_HH_IDLE;
        snprintf(s->code, sizeof(s->code), "%s", t);
        hhui__req_new(s, "sort.scan", 0);
        hhui__req_str(s, "wall", s->wall);
        hhui__req_str(s, "code", t);
        return hhui__send_req(s);
    default:
        if (!hhui__need_text(s, t, "the slot label"))
            return WMS_HH_IDLE;
        hhui__req_new(s, "sort.confirm", 1);
        hhui__req_str(s, "wall", s->wall);
        hhui__req_str(s, "code", s->code);
        hhui__req_str(s, "slot", t);
        return hhui__send_req(s);
    }
}

void hhui__sort_back(wms_hh_state *s)
{
    if (s->step > SO_WALL) {
        s->step--;
        hhui__info_clear(s);
        return;
    }
    hhui__go(s, WMS_HH_SCR_MENU, 0);
}

/* The wall's state: counts, then the complete slots (to packing). */
static void show_wall(wms_hh_state *s, const msgpack_object *r, int list)
{
    hhui__info_clear(s);
    int64_t used = hhui__get_int(r, "used"), complete = hhui__get_int(r, "complete");
    int64_t waiting = hhui__get_int(r, "waiting_orders");
    hhui__info_add(s, "%lld/%lld slots used, %lld done", (long long)used,
                   (long long)hhui__get_int(r, "slots"), (long long)complete);
    if (waiting > 0)
        hhui__info_add(s, "%lld orders wait for a slot", (long long)waiting);
    const msgpack_object *l = wms_client_get_array(r, "slot");
    uint32_t n = l != NULL ? l->via.array.size : 0;
    for (uint32_t i = 0; i < n && s->ninfo < WMS_HH_BODY_LINES - 4; i++) {
        const msgpack_object *e = &l->via.array.ptr[i];
        char slot[33], order[65];
        hhui__get(e, "slot", slot, sizeof(slot));
        hhui__get(e, "order", order, sizeof(order));
        int done = wms_client_get_bool(e, "complete") == 1;
        if (done)
            hhui__info_add(s, "%.12s %.14s PACK", slot, order);
        else if (list && order[0])
            hhui__info_add(s, "%.12s %.14s %lld+%lld", slot, order,
                           (long long)hhui__get_int(e, "to_sort"),
                           (long long)hhui__get_int(e, "to_pick"));
        else if (list)
            hhui__info_add(s, "%.12s free", slot);
    }
    int64_t assigned = hhui__get_int(r, "assigned");
    if (assigned > 0)
        hhui__status_ok(s, "Wall %s: %lld orders put in slots; scan an item", s->wall,
                        (long long)assigned);
    else
        hhui__status_ok(s, "Wall %s: scan an item from the bulk tote", s->wall);
}

void hhui__sort_result(wms_hh_state *s, const msgpack_object *r)
{
    const char *m = s->req.method;
    if (strcmp(m, "sort.open") == 0 || strcmp(m, "sort.status") == 0) {
        show_wall(s, r, strcmp(m, "sort.status") == 0);
        s->step = SO_ITEM;
    } else if (strcmp(m, "sort.scan") == 0) {
        char sku[65];
        hhui__get(r, "slot", s->sort_slot, sizeof(s->sort_slot));
        hhui__get(r, "order", s->sort_order, sizeof(s->sort_order));
        hhui__get(r, "sku", sku, sizeof(sku));
        hhui__info_clear(s);
        hhui__status_ok(s, "Put %lld %s into slot %s (%lld needed)",
                        (long long)hhui__get_int(r, "per_scan"), sku, s->sort_slot,
                        (long long)hhui__get_int(r, "need"));
        s->step = SO_SLOT;
    } else { /* sort.confirm */
        char sku[65], slot[33];
        hhui__get(r, "sku", sku, sizeof(sku));
        hhui__get(r, "slot", slot, sizeof(slot));
        hhui__info_clear(s);
        if (wms_client_get_bool(r, "complete") == 1)
            hhui__status_ok(s, "Slot %s complete: order %s to packing (%lld units)", slot,
                            s->sort_order, (long long)hhui__get_int(r, "slot_units"));
        else
            hhui__status_ok(s, "Sorted %lld %s into %s: order waits for %lld more",
                            (long long)hhui__get_int(r, "sorted"), sku, slot,
                            (long long)hhui__get_int(r, "left"));
        s->step = SO_ITEM;
    }
}

void hhui__sort_error(wms_hh_state *s, const char *code)
{
    const char *m = s->req.method;
    if (strcmp(m, "sort.open") == 0 && strcmp(code, "NOT_FOUND") == 0) {
        s->wall[0] = '\0';
        s->step = SO_WALL;
    } else if (strcmp(m, "sort.confirm") == 0 && strcmp(code, "WRONG_SLOT") == 0) {
        s->step = SO_SLOT; /* scan the right slot */
    } else {
        s->step = s->wall[0] ? SO_ITEM : SO_WALL;
    }
}
