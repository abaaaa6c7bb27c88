/*
 * ops.h - warehouse operations on top of the stock ledger: putaway
 * suggestions and confirmations, receipts against an expected list (ASN),
 * and blind cycle counts that never stop picking.
 *
 * Every mutating call is one atomic operation (db__op_begin/db__op_end):
 * inside a caller's transaction it is a savepoint, so a failing call undoes
 * only itself.  Every stock change goes through stock__apply(), so the
 * journal always explains the stock table (wms_stock_verify() == 0).
 * Messages are fit to show to a warehouse worker as they are.
 *
 * These declarations are meant to move into wms.h.
 */
#ifndef WMS_STORE_OPS_H
#define WMS_STORE_OPS_H

#include "wms.h"

/* ------------------------------------------------------------------------ */
/* Putaway                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct wms_putaway_suggestion {
    char bin[WMS_SKU_MAX + 1];
    char zone[33];
    char type[12];    /* pick or reserve */
    char reason[128]; /* "same item and lot in pick face", "empty bin in zone Z1", ... */
    int64_t room;     /* units the bin can still take; -1 = unlimited */
} wms_putaway_suggestion;

/*
 * Suggests where to put `qty` units of `sku` (lot: NULL = any lot, "" = no
 * lot; expiry: NULL or "" = any, else only a pick face holding that expiry
 * counts as "the same lot").  Rules, first match wins:
 *  1. a pick face (type pick) already holding available stock of the same
 *     item and lot, with room for qty (room = capacity - units in the bin;
 *     capacity 0 = unlimited);
 *  2. an empty bin (no stock at all) in the item's zone - the zone of a
 *     pick or reserve bin where the item already lies, pick faces first;
 *     any zone when the item lies nowhere yet - pick type before reserve,
 *     nearest the front (smallest y_m, then code).
 * Never a blocked bin, a quarantine, dock or staging bin, or one whose
 * capacity is below qty.  Reads only.
 * Errors: WMS_EBAD_ARGS (lot/expiry syntax), WMS_EBAD_QTY, WMS_ENOT_FOUND
 * (unknown item, or "no bin with room for N units of SKU"), storage errors.
 */
int wms_putaway_suggest(wms_db *db, const char *sku, const char *lot, const char *expiry,
                        int64_t qty, wms_putaway_suggestion *out, wms_error *err);

/*
 * Puts away `qty` available units of `sku` from `from_bin` (where they were
 * received) into `to_bin` (the bin scanned), journal kind 'putaway'.
 * lot NULL takes quants earliest expiry first (FEFO, undated last); "" or
 * a lot takes only that lot.  Expired quants are never put away.  `suggested_bin` (NULL/"" = none)
 * is only recorded: the journal reason is "putaway as suggested", "putaway to X instead of
 * suggested Y", or "putaway" without a suggestion. The target must be a pick or reserve bin (not
 * dock, staging or quarantine) other than from_bin.  out (may be NULL) gets the booking into to_bin
 * (lot/expiry empty when several quants were taken; journal_id of the last row). Errors:
 * WMS_ENOT_FOUND (bin or item), WMS_EBIN_BLOCKED, WMS_EBIN_FULL, WMS_EINSUFFICIENT_STOCK,
 * WMS_EEXPIRED_LOT (only expired units would make up qty), WMS_EBAD_QTY, WMS_EBAD_ARGS,
 * WMS_ETOO_LARGE (more than 64 lots at once).  Nothing changes on error.
 */
int wms_putaway_confirm(wms_db *db, const wms_actor *who, const char *from_bin, const char *to_bin,
                        const char *suggested_bin, const char *sku, const char *lot, int64_t qty,
                        wms_booking *out, wms_error *err);

/* ------------------------------------------------------------------------ */
/* Receipts against an expected list (ASN)                                  */
/* ------------------------------------------------------------------------ */

#define WMS_REF_MAX 64               /* receipt reference: printable, no spaces */
#define WMS_RECEIPT_LINES_MAX 10000  /* item lines one receipt may hold */
#define WMS_RECEIPT_REPORT_LINES 256 /* lines a report carries */

/* One expected line of a new receipt. */
typedef struct wms_receipt_line {
    const char *sku;
    int64_t expected; /* units, 0..WMS_QTY_MAX */
} wms_receipt_line;

typedef struct wms_receipt_report_line {
    char sku[WMS_SKU_MAX + 1];
    int64_t expected, received;
    int64_t difference; /* received - expected */
    char verdict[12];   /* ok, over, under, unexpected */
} wms_receipt_report_line;

typedef struct wms_receipt_report {
    char ref[WMS_REF_MAX + 1];
    char status[8]; /* open, closed */
    double tolerance_pct;
    char opened[32], closed[32]; /* UTC timestamps; closed "" while open */
    int64_t expected_total, received_total;
    int lines;                                              /* lines of the receipt */
    int n_ok, n_over, n_under, n_unexpected;                /* verdicts over all lines */
    int n;                                                  /* entries in line[] (<= lines) */
    wms_receipt_report_line line[WMS_RECEIPT_REPORT_LINES]; /* not ok first, then by SKU */
} wms_receipt_report;

/*
 * Creates an open receipt `ref` (1-64 printable characters, no spaces)
 * expecting lines[0..n) (n may be 0: everything received is then
 * unexpected).  The same SKU listed twice is summed.  A line is "ok" when
 * received is within tolerance_pct (0..100) percent of expected, either way.
 * Returns the number of distinct lines stored.
 * Errors: WMS_EEXISTS (ref taken), WMS_ENOT_FOUND (unknown SKU, named),
 * WMS_EBAD_QTY (expected < 0 or too large), WMS_EBAD_ARGS, WMS_ETOO_LARGE.
 */
int wms_receipt_create(wms_db *db, const char *ref, double tolerance_pct,
                       const wms_receipt_line *lines, int n, wms_error *err);

/*
 * Counts `qty` (> 0) received units of `sku` on open receipt `ref`; an item
 * not on the list becomes a line expecting 0 (reported "unexpected").  Does
 * not touch stock: call it right after a successful wms_stock_receive in
 * the same transaction.
 * Errors: WMS_ENOT_FOUND (receipt or item), WMS_ECLOSED, WMS_EBAD_QTY,
 * WMS_ETOO_LARGE (too many lines).
 */
int wms_receipt_add(wms_db *db, const char *ref, const char *sku, int64_t qty, wms_error *err);

/*
 * Closes open receipt `ref` and fills `out` (may be NULL) with the final
 * report.  Errors: WMS_ENOT_FOUND, WMS_ECLOSED (already closed).
 */
int wms_receipt_close(wms_db *db, const wms_actor *who, const char *ref, wms_receipt_report *out,
                      wms_error *err);

/* Reads a receipt's state and report (verdicts as of now).  Reads only.
 * Errors: WMS_ENOT_FOUND. */
int wms_receipt_get(wms_db *db, const char *ref, wms_receipt_report *out, wms_error *err);

/* ------------------------------------------------------------------------ */
/* Cycle counts                                                             */
/* ------------------------------------------------------------------------ */

#define WMS_COUNT_LINES_MAX 256 /* item/lot lines of one count */
#define WMS_COUNT_REASON_MAX 120

/* What a counter is told: the bin only (blind count). */
typedef struct wms_count_task {
    int64_t id;
    char bin[WMS_SKU_MAX + 1];
    char zone[33];
    char aisle[33];
    char reason[WMS_COUNT_REASON_MAX + 1];
    int resumed; /* 1 when this user had already started this count */
} wms_count_task;

/* One counted line: what the counter found in the bin. */
typedef struct wms_count_line {
    const char *sku;
    const char *lot; /* NULL or "" = no lot */
    int64_t qty;     /* counted units, >= 0 */
} wms_count_line;

typedef struct wms_count_result_line {
    char sku[WMS_SKU_MAX + 1];
    char lot[WMS_LOT_MAX + 1];
    char expiry[11];
    int64_t expected; /* system quantity at the count's start */
    int64_t counted;
    int64_t adjusted; /* units booked (+ in, - out); 0 while pending or rejected */
    int capped;       /* 1: the bin held less than the shortfall when adjusting */
} wms_count_result_line;

typedef struct wms_count_result {
    int64_t count_id;
    char bin[WMS_SKU_MAX + 1];
    char status[20]; /* open, counting, done, pending_approval, rejected */
    int64_t expected_total, counted_total;
    int64_t difference; /* sum of |counted - expected| */
    int64_t recount_id; /* after a rejection: the new count of the bin, else 0 */
    int n;
    wms_count_result_line line[WMS_COUNT_LINES_MAX]; /* by SKU, lot */
} wms_count_result;

/* A count as listed for a supervisor. */
typedef struct wms_count_info {
    int64_t id;
    char bin[WMS_SKU_MAX + 1];
    char status[20];
    char reason[WMS_COUNT_REASON_MAX + 1];
    char created[32];
    char assigned_to[65];
    char submitted[32];
} wms_count_info;

/*
 * Asks for bin `bin` to be counted (reason: free text, may be NULL).  An
 * open or in-progress count of the same bin is reused, not duplicated.
 * *count_id (may be NULL) receives the count's id.  Returns 1 when a new
 * count was created, 0 when an existing one was reused.
 * Errors: WMS_ENOT_FOUND (bin), WMS_EBAD_ARGS (reason).
 */
int wms_count_create(wms_db *db, const char *bin, const char *reason, int64_t *count_id,
                     wms_error *err);

/*
 * Hands who->user the next count: the one this user already started, else
 * the oldest open one.  Marks it 'counting', assigned to the user, and sets
 * its start (journal_pos) to the newest journal row now - also when a
 * started count is handed out again: the worker counts the bin afresh.
 * out tells the bin only, never quantities.
 * Errors: WMS_ENOT_LOGGED_IN (no user), WMS_ENOT_FOUND ("nothing to count").
 */
int wms_count_next(wms_db *db, const wms_actor *who, wms_count_task *out, wms_error *err);

/*
 * Submits count `count_id`: lines list everything found in the bin (n may
 * be 0: the bin is empty); duplicate (sku, lot) lines are summed; anything
 * the system holds that is not listed counts as 0.
 * Per (item, lot): expected = on-hand now minus the net of journal
 * movements into/out of the bin after the count's start, i.e. the stock
 * at the start, summed over statuses and expiries; difference d = counted -
 * expected.  Picks and receipts during the count therefore never make a
 * difference.  When sum |d| is more than max(10, 10% of the expected total)
 * the count waits for wms_count_approve ('pending_approval', no stock
 * change); otherwise each d is booked now as kind 'adjust', reason "cycle
 * count N": d > 0 into the bin (status available, or quarantine in a
 * quarantine bin; the lot's known expiry; bin capacity is not checked: the
 * goods are there), d < 0 out of the bin (available first, then hold, then
 * quarantine, earliest expiry first) but never below zero: when later
 * movements left less than |d| in the bin, only what is there is taken and
 * the line is marked capped.  count_lines are stored in both cases.
 * out (may be NULL) gets the lines.
 * Errors: WMS_ENOT_FOUND (count or SKU, named), WMS_ECLOSED (count not
 * being counted), WMS_EFORBIDDEN (assigned to another user), WMS_EBAD_QTY,
 * WMS_EBAD_ARGS (lot), WMS_ETOO_LARGE (more than WMS_COUNT_LINES_MAX
 * item/lot lines).
 */
int wms_count_submit(wms_db *db, const wms_actor *who, int64_t count_id,
                     const wms_count_line *lines, int n, wms_count_result *out, wms_error *err);

/*
 * Decides a count waiting for approval (the caller checks the role).
 * approve != 0 books the stored differences as at submit (never below
 * zero, capped lines marked) and marks it 'done'; approve == 0 marks it
 * 'rejected', books nothing and opens a new count of the bin
 * (out->recount_id; an open one is reused).  out may be NULL.
 * Errors: WMS_ENOT_FOUND, WMS_ECLOSED (not pending approval),
 * WMS_ECONFLICT (approve only: a later count of the bin was submitted
 * since and already corrected it - booking both would count the error
 * twice; reject this one).
 */
int wms_count_approve(wms_db *db, const wms_actor *who, int64_t count_id, int approve,
                      wms_count_result *out, wms_error *err);

/* Reads a count and its stored lines (adjusted = units booked for it per
 * the journal).  Reads only.  Errors: WMS_ENOT_FOUND. */
int wms_count_get(wms_db *db, int64_t count_id, wms_count_result *out, wms_error *err);

/* Calls cb for each count with status `status` (NULL = all), oldest first;
 * a non-zero return from cb stops the walk.  cb may call other engine
 * functions but not wms_count_list.  Returns the number passed.
 * Errors: WMS_EBAD_ARGS (unknown status, no cb). */
int wms_count_list(wms_db *db, const char *status, int (*cb)(void *, const wms_count_info *),
                   void *ctx, wms_error *err);

#endif
