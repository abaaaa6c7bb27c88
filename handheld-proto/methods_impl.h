/* methods_impl.h - what the method handlers share (internal to wms_proto). */
#ifndef WMS_PROTO_METHODS_IMPL_H
#define WMS_PROTO_METHODS_IMPL_H

#include "methods.h"

/* One call being handled. */
typedef struct wms_call {
    wms_db *db;
    const wms_proto_config *cfg;
    wms_ident *id;
    const msgpack_object *args;
    const char *txn; /* state-changing calls */
    int64_t now_ms;
    msgpack_packer *pk; /* the handler packs exactly one result object */
    wms_error *err;
    wms_call_info *info;
} wms_call;

/* The journal's actor for this call. */
static inline wms_actor call_actor(const wms_call *c)
{
    wms_actor a = {c->id->user, c->id->device, c->txn};
    return a;
}

int m_login(wms_call *c, msgpack_sbuffer *out);
int m_hello(wms_call *c);
int m_ping(wms_call *c);
int m_logout(wms_call *c);
int m_scan_resolve(wms_call *c);
int m_stock_query(wms_call *c);
int m_receive_scan(wms_call *c);
int m_receive_close(wms_call *c);
int m_receipt_create(wms_call *c);
int m_putaway_suggest(wms_call *c);
int m_putaway_confirm(wms_call *c);
int m_stock_move(wms_call *c);
int m_count_next(wms_call *c);
int m_count_submit(wms_call *c);
int m_count_create(wms_call *c);
int m_count_approve(wms_call *c);
int m_events_subscribe(wms_call *c);
int m_order_create(wms_call *c);
int m_order_release(wms_call *c);
int m_order_cancel(wms_call *c);
int m_order_status(wms_call *c);
int m_wave_release(wms_call *c);
int m_task_next(wms_call *c);
int m_tote_assign(wms_call *c);
int m_tote_close(wms_call *c);
int m_pick_confirm(wms_call *c);
int m_pick_short(wms_call *c);
int m_pack_open(wms_call *c);
int m_pack_scan(wms_call *c);
int m_pack_close(wms_call *c);
int m_ship_confirm(wms_call *c);
int m_sort_open(wms_call *c);
int m_sort_scan(wms_call *c);
int m_sort_confirm(wms_call *c);
int m_sort_status(wms_call *c);
int m_return_open(wms_call *c);
int m_return_scan(wms_call *c);
int m_return_grade(wms_call *c);
int m_return_close(wms_call *c);
int m_return_match(wms_call *c);
int m_scanner_selftest(wms_call *c);
int m_device_list(wms_call *c);

/* Packs a booking as a result map. */
void pack_booking(msgpack_packer *pk, const wms_booking *b, int extra);
/* Resolves the item an operation names by "item" (SKU) or "code".  sku
 * receives the SKU.  Errors: BAD_ARGS (neither), AMBIGUOUS_CODE, ... */
int arg_item(wms_call *c, char *sku, size_t n);

#endif
