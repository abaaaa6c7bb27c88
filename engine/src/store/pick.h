/*
 * pick.h - pick execution on the floor: the picker's next task, pick
 * confirmation with its scan checks and lot substitution, short picks, and
 * totes.
 *
 * Tasks come from wave release (wave.h): pick tasks in route order (tour,
 * seq), replenishments (kind 'replenish', tour 0, negative seq) that picks
 * may depend on (tasks.depends_on).
 *
 * Handing out work (wms_task_next): a picker keeps the task they hold (the
 * first task assigned to them, replenishments first, then by wave, tour,
 * seq, skipping picks that still wait for a replenishment).  A picker with
 * none is given, in this order: (1) an open replenishment that open picks
 * depend on (oldest wave first); (2) the next whole tour - every open pick
 * task of the lowest (wave, tour) not assigned to anyone, optionally only
 * tasks of one zone - so a tour stays one person's trip; (3) an open top-up
 * replenishment (no wave).  Nothing else: no task.
 *
 * Picking (wms_pick_confirm): the scanned bin must be the task's bin
 * (WRONG_BIN), the scanned code must be one of the task item's codes
 * (WRONG_ITEM; a code shared by several items is accepted when the task's
 * item is among them - the task says which item it is), and packs x the
 * code's units must not exceed what the task has left (QTY_ABOVE_TASK).  A
 * GS1 code that carries a lot other than the task's is a substitution: it is
 * accepted, and that many units are re-allocated from the scanned lot in
 * the same bin, when the scanned lot (a) is in the bin with that many
 * unreserved, available units (else WRONG_LOT), (b) is not expired
 * (EXPIRED_LOT), (c) meets the line's minimum shelf life (SHELF_LIFE) and
 * (d) does not expire later than the allocated lot (FEFO; undated counts as
 * latest; else WRONG_LOT naming both dates).  The picked units move (journal
 * kind 'pick', taking the reservation) to OUTBOUND, the outbound area, and a
 * picks row says which task, line and tote hold them.
 *
 * Totes: a task's `tote` is its slot on the cart ("T<wave>-<tour>-<k>", one
 * per order).  A physical tote (its label code) is assigned to a slot by
 * wms_tote_assign, or by the first pick confirmed with a tote scan into a
 * slot that has none.  Once a slot has a tote, every pick into it must scan
 * that tote (WRONG_TOTE names the right one).  A closed tote takes no more
 * picks; the slot's next pick scan assigns a new tote.
 *
 * Sort waves (pick-and-sort, store/sort.h): a task with `bulk` set picks
 * a quant's total for several orders into a bulk tote ("B<wave>-<tour>";
 * any tote label scanned is recorded, none needs assigning).  A confirm
 * books the units to the task's orders at once - earliest cut-off first
 * (orders without one last), then priority, then order id - as picks
 * waiting to be sorted; the scan checks and lot substitution rules are
 * those of a single order's pick (a substituted lot must suit every order
 * it goes to).  A short gives the found units to orders by the same rule,
 * so the orders that go short are the latest and least urgent; each
 * missing line is re-allocated (new bulk tasks at the end of the tour) or
 * short-shipped/backordered by its order's policy, with an order.short
 * event per order and one pick.short event naming them.
 *
 * Order status: the first pick of an 'allocated' order makes it 'picking';
 * when the order has no open allocation left it becomes 'picked' (or
 * 'short' when nothing of it was picked).
 *
 * Short picks (wms_pick_short): the picker found qty_found (< left) units;
 * those are picked as by a confirm (the task's lot).  The missing units'
 * reservation is released, a count of the bin is requested (a `shorts` row
 * links it), and until that count is done allocation takes nothing of that
 * item from that bin.  The missing units are re-allocated FEFO elsewhere;
 * each new allocation becomes a pick task at the end of the same tour, for
 * the same picker and slot.  What cannot be re-allocated is short-shipped
 * or backordered by the order's policy (order.short event).  A pick.short
 * event records the shortage.
 */
#ifndef WMS_STORE_PICK_H
#define WMS_STORE_PICK_H

#include "wms.h"

#define WMS_OUTBOUND_BIN "OUTBOUND" /* where picked units wait for shipping */
#define WMS_TOTE_MAX 64             /* tote label bytes */
#define WMS_SLOT_MAX 31             /* slot label bytes */

typedef struct wms_task {
    int64_t id;
    char kind[12]; /* pick, replenish */
    char status[12];
    int64_t wave_id; /* 0 = none */
    int tour;
    int64_t seq;
    char order[65]; /* pick: the order ref */
    int line;
    char bin[WMS_SKU_MAX + 1];    /* go here */
    char to_bin[WMS_SKU_MAX + 1]; /* replenish: the pick face */
    char zone[33];
    char aisle[33];
    double y_m;
    char sku[WMS_SKU_MAX + 1];
    char description[257];
    char lot[WMS_LOT_MAX + 1];
    char expiry[11];
    int64_t qty;                      /* the task's quantity */
    int64_t done_qty;                 /* units done */
    int64_t left;                     /* qty - done_qty */
    int64_t case_units;               /* units in the item's case (largest pack), 1 if none */
    char tote[WMS_SLOT_MAX + 1];      /* slot */
    char tote_code[WMS_TOTE_MAX + 1]; /* the physical tote in the slot, "" = none yet */
    char assigned_to[33];
    int64_t depends_on; /* the replenishment it waits for, 0 = none */
    int left_in_tour;   /* open tasks of this tour assigned to the picker, this one included */
    int bulk;           /* 1: a sort wave's quant total (no order; tote = the bulk tote slot) */
    int64_t orders;     /* bulk: the orders it picks for */
} wms_task;

/* Loads task `id`.  Errors: WMS_ENOT_FOUND. */
int wms_task_get(wms_db *db, int64_t id, wms_task *out, wms_error *err);

/*
 * Gives who->user their next task (see the header comment), assigning it
 * (and the rest of its tour), as one atomic operation.  zone NULL/"" = any.
 * Returns 1 with *out filled, or 0 when there is nothing for them (*waiting
 * = open picks of theirs waiting for a replenishment, may be NULL).
 */
int wms_task_next(wms_db *db, const wms_actor *who, const char *zone, wms_task *out,
                  int64_t *waiting, wms_error *err);

/* A pick confirmation's scans. */
typedef struct wms_pick_scan {
    int64_t task_id;
    const char *bin;    /* scanned bin label (replenish: the source) */
    const char *code;   /* scanned item code */
    int64_t packs;      /* scans of that code, 1.. */
    const char *tote;   /* scanned tote label, NULL = none */
    const char *to_bin; /* replenish: the pick face scanned */
    char gs_sub;        /* the device's GS substitute (0 = none) */
} wms_pick_scan;

typedef struct wms_pick_result {
    int64_t task_id;
    int64_t picked; /* units this call */
    int64_t done_qty, left;
    char status[12]; /* the task's: open, assigned, done */
    char lot[WMS_LOT_MAX + 1];
    char expiry[11];
    int substituted; /* another lot than allocated, re-allocated */
    char tote[WMS_TOTE_MAX + 1];
    char order_status[16]; /* bulk: "" (see orders) */
    int orders;            /* bulk: orders the units were booked to */
} wms_pick_result;

/* Confirms a pick (or a replenishment move) per the header comment, as one
 * atomic operation.  Errors (nothing changes): WMS_ENOT_FOUND (task),
 * WMS_ETASK_CLOSED, WMS_ETASK_NOT_YOURS, WMS_ETASK_WAITING, WMS_EWRONG_BIN,
 * WMS_EWRONG_ITEM, WMS_EUNKNOWN_CODE, WMS_EBAD_BARCODE,
 * WMS_EBAD_CHECK_DIGIT, WMS_EWRONG_LOT, WMS_EEXPIRED_LOT, WMS_ESHELF_LIFE,
 * WMS_EQTY_ABOVE_TASK, WMS_EBAD_QTY, WMS_EWRONG_TOTE,
 * WMS_EINSUFFICIENT_STOCK, WMS_EBIN_FULL. */
int wms_pick_confirm(wms_db *db, const wms_actor *who, const wms_pick_scan *scan,
                     wms_pick_result *out, wms_error *err);

typedef struct wms_short_result {
    int64_t task_id;
    int64_t found, missing;
    int64_t reallocated; /* units re-allocated to new tasks */
    int64_t short_qty;   /* units short-shipped or backordered */
    int backordered;     /* 1: the order's policy is backorder */
    int64_t count_id;    /* the count requested for the bin */
    int new_tasks;
    char order_status[16]; /* bulk: "" */
    int orders_short;      /* bulk: orders left short (or backordered) */
} wms_short_result;

/* Records a short pick of task_id (see the header comment), as one atomic
 * operation: qty_found 0 .. left - 1 units were there and are picked into
 * tote (NULL = the slot's tote, if any).  reason: free text <= 200 bytes.
 * Errors: as wms_pick_confirm, WMS_EBAD_QTY (qty_found out of range), and
 * WMS_EBAD_ARGS (a replenishment: report it with a count instead). */
int wms_pick_short(wms_db *db, const wms_actor *who, int64_t task_id, int64_t qty_found,
                   const char *tote, const char *reason, wms_short_result *out, wms_error *err);

/* Assigns physical tote `code` to `slot` (a pick tasks' tote label).
 * Returns 1 when assigned, 0 when it already was.  Errors: WMS_ENOT_FOUND
 * (no open task has that slot), WMS_ECONFLICT (the slot has another open
 * tote, or the tote is in use), WMS_EBAD_ARGS (label syntax). */
int wms_tote_assign(wms_db *db, const wms_actor *who, const char *slot, const char *code,
                    char *order_ref, size_t n, wms_error *err);

typedef struct wms_tote_info {
    int64_t id;
    char code[WMS_TOTE_MAX + 1];
    char slot[WMS_SLOT_MAX + 1];
    char order[65];
    char status[12];
    int64_t units, packed;
} wms_tote_info;

/* Closes an open tote (no more picks go into it).  Errors: WMS_ENOT_FOUND
 * (no open or closed tote with that label), WMS_ECLOSED (already closed). */
int wms_tote_close(wms_db *db, const wms_actor *who, const char *code, wms_tote_info *out,
                   wms_error *err);

/* The tote in use with label `code` (open or closed, not yet packed).
 * Errors: WMS_ENOT_FOUND. */
int wms_tote_get(wms_db *db, const char *code, wms_tote_info *out, wms_error *err);

/* Internal (alloc.c): allocates up to `units` more of an order line FEFO
 * (skipping bins with a pending short count of the item) inside the
 * caller's operation, stamping wave_id; raises order_lines.allocated.
 * *got = units allocated; *first_new = the lowest new allocation id (0 =
 * none).  Sets nothing else (no events, no status). */
int alloc__line_more(wms_db *db, int64_t order_id, int line, int64_t units, int64_t wave_id,
                     int64_t *got, int64_t *first_new, wms_error *err);

/* Internal (alloc.c): after stock of a quant was reserved, shrinks the
 * top-up part of open replenishments from it (newest first; never below
 * what they carry or have done) so that together they never promise more
 * than its unreserved units.  A replenishment left with nothing is
 * cancelled (done, when it moved something already). */
int alloc__clip_topups(wms_db *db, int64_t bin_id, int64_t item_id, const char *lot,
                       const char *expiry, wms_error *err);

#endif
