/*
 * sort.h - pick-and-sort: put walls, and sorting a sort wave's picked units
 * (wave.h, pick.h) into one slot per order.
 *
 * A put wall is a rack of numbered slots at a sort station; `wmsctl import
 * putwall` (CSV wall,slot[,seq]) gives each slot its label (the barcode on
 * the slot; labels are unique across walls, at most 31 bytes; walls at
 * most 24).  A slot in use is a tote (pick.h) whose code is the slot label
 * and whose slot is "wall:<wall>", for one order: packing takes it like
 * any tote (pack.open {tote: label}); once packed the slot is free.
 *
 * Rules:
 *  - Opening (wms_sort_open): settles the wall's slots (below), then gives
 *    each free slot, in slot order, the next order of a released sort wave
 *    (the given one, or any) that still has units to pick or to sort and no
 *    slot at any wall: earliest cut-off first (orders without one last),
 *    then priority (1 first), then order id.  Call it again when slots
 *    free up.
 *  - Scanning (wms_sort_scan, a read): an item code (GS1 codes with a lot
 *    restrict it to that lot) goes to the slot of the order, among the
 *    wall's open slots, that has picked units of that item waiting to be
 *    sorted, chosen by cut-off, then priority, then order id.  None:
 *    WMS_ENOT_NEEDED (the message says when an order without a slot here
 *    needs it).  A code of several items that more than one slot needs:
 *    WMS_EAMBIGUOUS_CODE.
 *  - Confirming (wms_sort_confirm): the same choice; the slot label scanned
 *    must be the chosen slot (WMS_EWRONG_SLOT names the right one), and
 *    units (code's pack units x scans) at most what that order still waits
 *    for (WMS_EQTY_ABOVE_TASK).  The units move (earliest expiry first)
 *    into the slot's tote.
 *  - Completion (settling): an order with no units left to pick or to sort
 *    is complete: its slot's tote is closed (ready for packing) and a
 *    sort.complete event says so; an order that ended with nothing in its
 *    slot (all short, or cancelled) frees the slot at once.
 */
#ifndef WMS_STORE_SORT_H
#define WMS_STORE_SORT_H

#include "wms.h"
#include "store/pick.h"

#define WMS_WALL_MAX 24        /* wall name bytes */
#define WMS_WALL_SLOTS_MAX 500 /* slots per wall */

/* Adds slot `slot` to wall `wall` at position seq.  Returns
 * WMS_PUT_INSERTED, WMS_PUT_UNCHANGED, or WMS_PUT_UPDATED (update set and
 * the seq differs).  Errors: WMS_EBAD_ARGS (label syntax), WMS_ECONFLICT
 * (the label belongs to another wall, is a tote in use, or the seq
 * differs without update), WMS_ETOO_LARGE (more than WMS_WALL_SLOTS_MAX). */
int wms_putwall_put(wms_db *db, const char *wall, const char *slot, int64_t seq, int update,
                    wms_error *err);

typedef struct wms_sort_slot {
    char slot[WMS_SLOT_MAX + 1];
    char order[65]; /* "" = free */
    char cutoff[40];
    int priority;
    int64_t sorted;  /* units in the slot */
    int64_t to_sort; /* units of the order waiting in bulk totes */
    int64_t to_pick; /* units of the order not picked yet */
    int complete;    /* closed: take it to packing */
} wms_sort_slot;

typedef struct wms_sort_wall {
    char wall[WMS_WALL_MAX + 1];
    int n_slots, used, complete;
    wms_sort_slot slot[WMS_WALL_SLOTS_MAX];
    int64_t waiting_orders; /* sort-wave orders with work left and no slot anywhere */
    int assigned;           /* wms_sort_open: orders given a slot by this call */
} wms_sort_wall;

/* Opens the wall for work (see the rules), as one atomic operation; wave 0
 * = any sort wave.  *out (large: allocate it) = the wall after.  Errors:
 * WMS_ENOT_FOUND (no such wall or wave), WMS_EBAD_ARGS (the wave is not a
 * released sort wave), WMS_ECONFLICT (a slot label is a tote in use). */
int wms_sort_open(wms_db *db, const wms_actor *who, const char *wall, int64_t wave,
                  wms_sort_wall *out, wms_error *err);

/* The wall's slots and orders.  Errors: WMS_ENOT_FOUND. */
int wms_sort_status(wms_db *db, const char *wall, wms_sort_wall *out, wms_error *err);

typedef struct wms_sort_hint {
    char slot[WMS_SLOT_MAX + 1];
    char order[65];
    char sku[WMS_SKU_MAX + 1];
    char lot[WMS_LOT_MAX + 1]; /* from the code, "" = any */
    int64_t per_scan;          /* units one scan of the code is */
    int64_t need;              /* units of the item the order waits for */
} wms_sort_hint;

/* Where a scanned item goes (see the rules).  Errors: WMS_ENOT_FOUND
 * (wall), WMS_ENOT_NEEDED, WMS_EAMBIGUOUS_CODE, WMS_EWRONG_ITEM (not an
 * item), the code errors of wms_code_resolve. */
int wms_sort_scan(wms_db *db, const char *wall, const char *code, char gs_sub, wms_sort_hint *out,
                  wms_error *err);

typedef struct wms_sort_result {
    wms_sort_hint put;
    int64_t sorted;     /* units this call */
    int64_t slot_units; /* units in the slot now */
    int64_t left;       /* units the order still waits for (to sort + to pick) */
    int complete;       /* the order is complete: the slot goes to packing */
} wms_sort_result;

/* Confirms a put (see the rules), as one atomic operation.  packs: scans
 * of the code, 1..  Errors: as wms_sort_scan, WMS_EWRONG_SLOT,
 * WMS_EQTY_ABOVE_TASK, WMS_EBAD_QTY. */
int wms_sort_confirm(wms_db *db, const wms_actor *who, const char *wall, const char *code,
                     char gs_sub, const char *slot, int64_t packs, wms_sort_result *out,
                     wms_error *err);

#endif
