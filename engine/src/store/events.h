/*
 * events.h - the event log: order status history, holds, shorts, gift
 * rule switches, replenishment alerts.  Rows are appended in the caller's
 * transaction, so an event exists exactly when its change does; the server
 * pushes new rows to subscribers after each commit (events.subscribe).
 */
#ifndef WMS_STORE_EVENTS_H
#define WMS_STORE_EVENTS_H

#include "wms.h"

/* Event kinds (the `kind` column). */
#define WMS_EV_ORDER_STATUS "order.status" /* status = the new status */
#define WMS_EV_ORDER_HOLD "order.hold"     /* detail = the review reason */
#define WMS_EV_ORDER_SHORT "order.short"   /* detail: line, qty, backorder|ship_short */
#define WMS_EV_GIFT_RULE "gift.rule"       /* detail: rule on/off and why */
#define WMS_EV_REPLENISH "replenish.alert" /* detail: bin, item, level */
#define WMS_EV_PICK_SHORT "pick.short"
#define WMS_EV_RETURN "order.return"     /* status returned|partially_returned; detail: refund */
#define WMS_EV_SHIPMENT "order.shipment" /* cartons shipped before the whole order */
#define WMS_EV_SORT_COMPLETE "sort.complete" /* a put-wall slot's order is complete */

/* Appends an event.  order_id 0 = none; status/detail may be NULL.
 * Returns the event id (> 0) or an error. */
int64_t wms_event_add(wms_db *db, const wms_actor *who, const char *kind, int64_t order_id,
                      const char *status, const char *detail, wms_error *err);

/* Sets an order's status and appends its order.status event (the status
 * history).  Errors: WMS_ENOT_FOUND, storage errors. */
int wms_order_set_status(wms_db *db, const wms_actor *who, int64_t order_id, const char *status,
                         const char *detail, wms_error *err);

/* The current status of order_id into buf.  Errors: WMS_ENOT_FOUND,
 * storage errors. */
int wms_order_status_of(wms_db *db, int64_t order_id, char *buf, size_t n, wms_error *err);

typedef struct wms_event {
    int64_t id;
    char ts[32];
    char kind[24];
    char order[65]; /* order ref, "" when none */
    char status[24];
    char detail[256];
    char user[33];
    char device[65];
} wms_event;

/* Calls cb for events with id > after_id (oldest first), at most `limit`
 * (a non-zero return stops).  order_ref NULL = all orders.  Returns the
 * number passed. */
int wms_event_list(wms_db *db, int64_t after_id, const char *order_ref, int limit,
                   int (*cb)(void *, const wms_event *), void *ctx, wms_error *err);

#endif
