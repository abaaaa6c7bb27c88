/*
 * alloc.h - allocation (FEFO stock reservations for released orders) and
 * replenishment of pick faces.
 *
 * Allocation.  A line's need is qty - allocated - short (backordered units
 * are still wanted and are tried again).  It is covered FEFO from quants
 * that are 'available', in an unblocked bin of type pick or reserve, not
 * expired (expiry '' or expiry > today) and, when the line has
 * min_shelf_life_days N, with expiry '' or expiry >= today + N days.  Order:
 * earliest expiry first (undated last), then pick faces before reserve, then
 * bin code.  Each quant gives min(qty - reserved, need).  Every allocation
 * row (status 'open') adds its units to stock.reserved in the same
 * statement that checks qty - reserved >= units, so stock can never be
 * promised twice, even to another connection (writers are serialised by
 * BEGIN IMMEDIATE).
 *
 * INVARIANT kept by every function here: for each quant, stock.reserved =
 * sum(qty - picked) of the open allocations on that quant.
 *
 * Shortfall per line, by the order's short_policy: 'backorder' sets
 * order_lines.backordered to the missing units, 'ship_short' adds them to
 * order_lines.short; either way one order.short event names the line, e.g.
 * "line 2: 3 of 5 x SKU-1 allocated; 2 backordered" (or "2 short-shipped").
 * Order status afterwards: 'allocated' when at least one unit of the order
 * is allocated; when none is, 'short' under ship_short (nothing will ship)
 * and it stays 'released' under backorder (it waits for stock and is tried
 * again by the next allocation).
 *
 * Replenishment model.  Pick faces have levels in pick_faces (bin, item,
 * min_qty, max_qty).  A replenishment is a task (kind 'replenish') that
 * moves one reserve quant (bin, lot, expiry) to a pick face.  Two triggers:
 *  (a) a face's level - available unexpired units there minus reserved ones,
 *      plus the top-up part of open replenishments to it - is below min_qty:
 *      top it up to max_qty from reserve stock FEFO (wave_id NULL);
 *  (b) a wave's open allocation sits in a reserve bin for an item that has
 *      a pick face: the replenishment of that reserve quant for the wave
 *      (wave_id = the wave) carries the allocation's units plus a top-up to
 *      max_qty bounded by the quant's unreserved units.  Items without a
 *      pick face are simply picked from reserve.  When an item has several
 *      faces, the unblocked one with the lowest bin code is used.
 * The allocation stays on its reserve quant (so the INVARIANT holds) until
 * wms_replenish_done moves the units; then the allocation and its reserved
 * units move to the pick face quant.  Its pick task (tasks.allocation_id)
 * gets from_bin_id = the pick face and depends_on = the replenishment; a
 * task created later by wave planning can find the same link with
 * wms_replenish_for_allocation.  A replenishment task is identified by
 * (pick face, item, source quant, wave): there is never a second open one,
 * its qty grows instead (a below-minimum top-up grows any open task from
 * that quant; a wave adopts an open top-up without a wave).  Each task
 * created or grown, and each face below its minimum, makes one
 * replenish.alert event (a face that reserve cannot refill is alerted on
 * every plan until it is refilled).  Replenishment tasks get tour 0 and a seq below
 * every task of their wave (negative), so ORDER BY tour, seq returns them
 * before the picks.
 */
#ifndef WMS_STORE_ALLOC_H
#define WMS_STORE_ALLOC_H

#include "wms.h"

#include <stdint.h>

#define WMS_ALLOC_LINES_MAX 128 /* lines reported in detail; totals are always complete */

typedef struct wms_alloc_line {
    int64_t order_id;
    int line;
    char sku[WMS_SKU_MAX + 1];
    int64_t requested;   /* the need when allocation started */
    int64_t allocated;   /* units reserved now */
    int64_t short_qty;   /* units short-shipped now */
    int64_t backordered; /* units left on backorder */
} wms_alloc_line;

typedef struct wms_alloc_result {
    int orders;    /* orders processed */
    int64_t lines; /* lines with a need */
    int64_t requested, allocated, short_qty, backordered;
    int64_t allocations; /* allocation rows created */
    int nline;           /* entries filled in line[] */
    int truncated;       /* more lines than WMS_ALLOC_LINES_MAX */
    wms_alloc_line line[WMS_ALLOC_LINES_MAX];
} wms_alloc_result;

/* Allocates a 'released' order (see above), as one atomic operation.  out
 * may be NULL.  Errors: WMS_ENOT_FOUND (no such order), WMS_ECONFLICT (not
 * 'released'), storage errors (then nothing changed). */
int wms_alloc_order(wms_db *db, const wms_actor *who, int64_t order_id, wms_alloc_result *out,
                    wms_error *err);

/* Same by order ref. */
int wms_alloc_order_ref(wms_db *db, const wms_actor *who, const char *ref, wms_alloc_result *out,
                        wms_error *err);

/* Allocates n orders in one atomic operation (each as wms_alloc_order, in
 * the given order, so list them by priority) and stamps the new
 * allocations with wave_id (0 = none).  summary (may be NULL) adds up all
 * orders.  Any order not 'released' fails the whole call (WMS_ECONFLICT,
 * naming it) and nothing changes; WMS_ENOT_FOUND for an unknown order or
 * wave.  n must be 0..1000000.  Called inside the caller's own operation
 * (wave release) it nests as a savepoint.  Orders are not stamped with the
 * wave (orders.wave_id is the wave planner's). */
int wms_alloc_wave(wms_db *db, const wms_actor *who, const int64_t *order_ids, int n,
                   int64_t wave_id, wms_alloc_result *summary, wms_error *err);

/* Releases the open allocations of an order (any status): stock.reserved
 * drops by their unpicked units, order_lines.allocated likewise; an
 * allocation with nothing picked becomes 'cancelled', a partly picked one
 * shrinks to what was picked and becomes 'picked'.  Open or assigned pick
 * tasks of those allocations are cancelled.  The order's status is NOT
 * changed (the caller does that in the same transaction).  Returns the
 * number of units released.  Errors: WMS_ENOT_FOUND, storage errors. */
int64_t wms_alloc_cancel_order(wms_db *db, const wms_actor *who, int64_t order_id, wms_error *err);

/* Sets the replenishment levels of a pick face: bin must be of type pick,
 * 0 <= min <= max <= WMS_QTY_MAX.  Returns WMS_PUT_INSERTED, _UPDATED or
 * _UNCHANGED.  Errors: WMS_ENOT_FOUND (bin, item), WMS_EBAD_ARGS (not a
 * pick bin), WMS_EBAD_QTY. */
int wms_pickface_set(wms_db *db, const char *bin, const char *sku, int64_t min_qty, int64_t max_qty,
                     wms_error *err);

#define WMS_REPLENISH_MAX 128 /* tasks reported in detail */

typedef struct wms_replenish_task {
    int64_t task_id;
    int64_t wave_id; /* 0 = below-minimum top-up */
    char from_bin[WMS_SKU_MAX + 1];
    char to_bin[WMS_SKU_MAX + 1];
    char sku[WMS_SKU_MAX + 1];
    char lot[WMS_LOT_MAX + 1];
    char expiry[11];
    int64_t qty;     /* the task's quantity now */
    int64_t carried; /* units of it already allocated to the wave's orders */
    int created;     /* 1 = new task, 0 = an open task whose qty grew */
} wms_replenish_task;

typedef struct wms_replenish_result {
    int created, grown; /* tasks */
    int64_t units;      /* units added to tasks */
    int alerts;         /* replenish.alert events */
    int picks_linked;   /* pick tasks made to depend on a replenishment */
    int ntask;          /* entries in task[] */
    int truncated;
    wms_replenish_task task[WMS_REPLENISH_MAX];
} wms_replenish_result;

/* Plans replenishments (triggers (a) for every pick face and (b) for
 * wave_id when non-zero), as one atomic operation.  out may be NULL.  A
 * face that needs stock when reserve has none gets a replenish.alert event
 * saying so.  Errors: WMS_ENOT_FOUND (wave), storage errors. */
int wms_replenish_plan(wms_db *db, const wms_actor *who, int64_t wave_id, wms_replenish_result *out,
                       wms_error *err);

/* Reports qty units of replenishment task_id as moved (stock__apply kind
 * 'replenish', reserve quant -> pick face, status available).  The wave's
 * allocations carried by the task move with their reservation to the pick
 * face quant, whole allocations in id order while they fit in qty; the rest
 * of qty must be unreserved stock.  The task is 'done' when done_qty
 * reaches its qty (then pick tasks of allocations it did not carry go back
 * to the reserve bin without the dependency).  Errors: WMS_ENOT_FOUND,
 * WMS_ECONFLICT (not an open replenishment), WMS_EBAD_QTY (0 or more than
 * what is left), WMS_EINSUFFICIENT_STOCK, WMS_EBIN_FULL, WMS_EBIN_BLOCKED. */
int wms_replenish_done(wms_db *db, const wms_actor *who, int64_t task_id, int64_t qty,
                       wms_error *err);

/* For wave planning that creates a pick task after wms_replenish_plan: the
 * open replenishment carrying allocation_id, if any.  Sets *task_id (0 =
 * none: pick from the allocation's bin) and *pick_bin_id (the bin to pick
 * from).  Errors: WMS_ENOT_FOUND, storage errors. */
int wms_replenish_for_allocation(wms_db *db, int64_t allocation_id, int64_t *task_id,
                                 int64_t *pick_bin_id, wms_error *err);

/* Internal: after an order's allocations were cancelled, sets each open
 * bulk task (sort wave) that covers one of them to what its open
 * allocations still need; one left with nothing is done (or cancelled when
 * it picked nothing). */
int alloc__bulk_resync(wms_db *db, int64_t order_id, wms_error *err);

#endif
