/*
 * pick_impl.h - internal: what pick.c shares with pick_bulk.c (a sort
 * wave's bulk tasks) and sort.c (the put wall).  Every function runs inside
 * the caller's operation (db__op_begin) and changes nothing on error that
 * the operation's rollback would not undo.
 */
#ifndef WMS_STORE_PICK_IMPL_H
#define WMS_STORE_PICK_IMPL_H

#include "store/pick.h"

/* A task with the ids the code needs besides what wms_task shows.  For a
 * bulk task's booking the caller fills order_id, allocation_id, t.line,
 * t.order and min_days of the order it books for. */
typedef struct task_row {
    wms_task t;
    int64_t item_id, from_bin_id, to_bin_id, order_id, allocation_id;
    int64_t min_days; /* the line's minimum shelf life, -1 none */
    int bulk;         /* a sort wave's bulk task: picks wait to be sorted */
    char bulk_tote[WMS_TOTE_MAX + 1];
} task_row;

/* Loads task `id` into *r.  Errors: WMS_ENOT_FOUND. */
int pick__task_load(wms_db *db, int64_t id, task_row *r, wms_error *err);

/* Checks that who may work on the task now: WMS_ETASK_CLOSED,
 * WMS_ETASK_NOT_YOURS, WMS_ETASK_WAITING. */
int pick__workable(wms_db *db, const wms_actor *who, const task_row *r, wms_error *err);

/* Resolves an item scan against the task's item: *units per scan; lot and
 * expiry (buffers of WMS_LOT_MAX + 1 and 11) from the code, "" if none. */
int pick__scan_item(wms_db *db, const task_row *r, const char *code, char gs_sub, int64_t *units,
                    char *lot, char *expiry, wms_error *err);

/* The lot a scan picks: *subst = 1 when the code names another lot than
 * the task's (a substitution to check); else lot and expiry (buffers of
 * WMS_LOT_MAX + 1 and 11) become the task's.  Errors: WMS_EWRONG_LOT (the
 * code's expiry is not the task lot's). */
int pick__scanned_lot(const task_row *r, char *lot, char *expiry, int *subst, wms_error *err);

/* Re-allocates `units` of r's allocation to lot `lot` of the same bin
 * (the rules in pick.h); *new_alloc = the new allocation, expiry (11
 * bytes) = the lot's expiry. */
int pick__substitute(wms_db *db, const task_row *r, const char *lot, char *expiry, int64_t units,
                     int64_t *new_alloc, wms_error *err);

/* Books `units` of (lot, expiry) picked for r's order line into tote_id
 * (0 = none): stock move to OUTBOUND, allocation, line, task, picks row
 * (to_sort and bulk_tote from r). */
int pick__book(wms_db *db, const wms_actor *who, const task_row *r, int64_t alloc_id,
               const char *lot, const char *expiry, int64_t units, int64_t tote_id, wms_error *err);

/* Gives up the `missing` unpicked units of r's allocation (all it has
 * left): reservation, allocation, line; the task becomes 'short'. */
int pick__release_missing(wms_db *db, const wms_actor *who, const task_row *r, int64_t missing,
                          wms_error *err);

/* Requests the count of r's bin a short pick raises (found of r's left
 * units were there).  *count_id = the count. */
int pick__count_short(wms_db *db, const task_row *r, int64_t found, int64_t *count_id,
                      wms_error *err);

/* What pick__miss did for one order line. */
typedef struct pick_miss {
    int64_t reallocated; /* units re-allocated (new allocations from first_new on) */
    int64_t short_qty;   /* units short-shipped or backordered */
    int64_t first_new;   /* the lowest new allocation id, 0 = none */
    int backorder;       /* the order's policy is backorder */
} pick_miss;

/* The missing units of r's order line after a short pick: found of
 * `expected` were booked; the rest's reservation is given up
 * (pick__release_missing), a shorts row links count_id, the rest is
 * re-allocated FEFO elsewhere (alloc__line_more: new allocations, no
 * tasks - the caller makes them), and what cannot be is short-shipped or
 * backordered by the order's policy with an order.short event saying it
 * was missing at `where` ("pick (bin P1)"). */
int pick__miss(wms_db *db, const wms_actor *who, const task_row *r, int64_t expected, int64_t found,
               int64_t count_id, const char *reason, const char *where, pick_miss *out,
               wms_error *err);

/* The order's status after picks or shorts; status (n bytes) = now. */
int pick__order_after(wms_db *db, const wms_actor *who, int64_t order_id, char *status, size_t n,
                      wms_error *err);

/* 1 when s is a printable label of 1..max bytes. */
int pick__valid_label(const char *s, size_t max);

/* Opens tote `code` for (order, slot, wave 0 = none); *id = its id.
 * Errors: WMS_ECONFLICT when the label is in use (not yet packed). */
int pick__tote_open(wms_db *db, const wms_actor *who, int64_t order_id, const char *slot,
                    int64_t wave_id, const char *code, int64_t *id, wms_error *err);

/* pick_bulk.c: wms_pick_confirm of a bulk task after the bin, item and
 * quantity checks (units, and the code's lot/expiry). */
int pick__bulk_confirm(wms_db *db, const wms_actor *who, const task_row *r, const char *tote,
                       int64_t units, const char *lot, const char *expiry, wms_pick_result *out,
                       wms_error *err);

/* pick_bulk.c: wms_pick_short of a bulk task after its checks. */
int pick__bulk_short(wms_db *db, const wms_actor *who, const task_row *r, int64_t found,
                     const char *tote, const char *reason, wms_short_result *out, wms_error *err);

/* pick_bulk.c: bulk tasks for the open allocations of `wave` with no task
 * yet and id >= first (one per quant, at the end of `tour`, assigned to
 * user, tote slot `slot`).  *n = tasks made. */
int pick__bulk_tasks_for_new(wms_db *db, int64_t wave, int tour, int64_t first, const char *slot,
                             const char *user, int *n, wms_error *err);

/* sort.c: after picks or shorts of a sort wave's order: when nothing of it
 * is left to pick or to sort, its put-wall slot (if any) is complete - the
 * slot's tote is closed for packing (freed when it holds nothing) and a
 * sort.complete event says so.  *complete (may be NULL) = 1 then. */
int sort__settle(wms_db *db, const wms_actor *who, int64_t order_id, int *complete, wms_error *err);

#endif
