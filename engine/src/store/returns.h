/*
 * returns.h - customer returns: open against what was shipped (or as an
 * unknown return), scan items like receiving, grade each line, close with
 * an event for the refund.
 *
 * Rules:
 *  - A return of kind 'order' is opened by a shipped carton's SSCC, or by
 *    the order reference (a return label carries it).  The order must have
 *    shipped units: a cancelled or never-shipped order is refused
 *    (CONFLICT).  A return of kind 'unknown' has no order until a
 *    supervisor matches it (wms_return_match) or writes it off.
 *  - A scan books nothing yet: it adds a line (item, lot, expiry, serial
 *    from the code or given, units = scans x the code's units).  On an
 *    order return the item must have been shipped on the order
 *    (NOT_ON_ORDER) and all lines of the order's returns together never
 *    exceed what was shipped of it (RETURN_EXCEEDS_SHIPPED).
 *  - Grading (once per line: CONFLICT the second time) books the units in,
 *    each disposition a journal movement (kind 'return'):
 *      resaleable - into the bin given (put away from there like received
 *        stock), status available; but a lot that is expired (expiry on or
 *        before today, the engine's rule) or has fewer days left than the
 *        item's shelf_life_days (the minimum remaining shelf life the item
 *        must have to be sold) goes to quarantine instead, and the result
 *        says why;
 *      damaged - into a quarantine bin, status quarantine;
 *      scrap - into a quarantine bin and at once out again (kind 'scrap',
 *        with the reason): written off, but on the record.
 *    The quarantine bin is the one given when it is of type quarantine,
 *    else the first unblocked quarantine bin by code.
 *  - Closing needs every line graded; it records an order.return event
 *    (status 'returned' when everything shipped has come back,
 *    'partially_returned' otherwise) whose detail lists the lines and
 *    units accepted for refund.  An unknown return closes without one.
 *  - Writing off (supervisor): ungraded lines are scrapped, the return ends
 *    'written_off'.
 */
#ifndef WMS_STORE_RETURNS_H
#define WMS_STORE_RETURNS_H

#include "wms.h"

#define WMS_RETURN_LINES_MAX 64 /* lines reported in detail */

typedef struct wms_return_line {
    int64_t id;
    char sku[WMS_SKU_MAX + 1];
    char lot[WMS_LOT_MAX + 1];
    char expiry[11];
    char serial[21];
    int64_t qty;
    char grade[12]; /* "" = not graded */
    char bin[WMS_SKU_MAX + 1];
    char status[12]; /* stock status booked: available, quarantine, scrapped */
    char reason[160];
} wms_return_line;

typedef struct wms_return_item {
    char sku[WMS_SKU_MAX + 1];
    int64_t shipped, returned; /* units: shipped on the order; in its returns */
} wms_return_item;

typedef struct wms_return_info {
    int64_t id;
    char order[65]; /* "" = unknown */
    char kind[8];   /* order, unknown */
    char status[12];
    char reference[65];
    char opened[32], closed[32];
    char result[20]; /* close: returned | partially_returned | "" */
    int n;
    wms_return_line line[WMS_RETURN_LINES_MAX];
    int nitems; /* order returns: what was shipped, per item */
    wms_return_item item[WMS_RETURN_LINES_MAX];
} wms_return_info;

/* Opens a return by sscc, or order ref, or (unknown != 0) without an order
 * (reference: free text <= 64 bytes, e.g. the parcel's tracking number).
 * out (large: allocate it) gets the return.  Errors: WMS_ENOT_FOUND,
 * WMS_ECONFLICT (not shipped, cancelled), WMS_EBAD_ARGS. */
int wms_return_open(wms_db *db, const wms_actor *who, const char *sscc, const char *order,
                    int unknown, const char *reference, wms_return_info *out, wms_error *err);

typedef struct wms_return_scan_in {
    int64_t return_id;
    const char *code;
    const char *sku;                   /* the item when the code is shared, else NULL */
    int64_t packs;                     /* 1.. */
    const char *lot, *expiry, *serial; /* when the code carries none (NULL = none) */
    char gs_sub;
} wms_return_scan_in;

/* Adds a line.  Errors: WMS_ENOT_FOUND, WMS_ECLOSED, WMS_EUNKNOWN_CODE,
 * WMS_EAMBIGUOUS_CODE, WMS_ENOT_ON_ORDER, WMS_ERETURN_EXCEEDS_SHIPPED,
 * WMS_EBAD_QTY, WMS_EBAD_ARGS. */
int wms_return_scan(wms_db *db, const wms_actor *who, const wms_return_scan_in *in,
                    wms_return_line *out, wms_error *err);

/* Grades line_id: grade resaleable|damaged|scrap, bin (resaleable: where
 * it goes; others: a quarantine bin or NULL), reason (<= 120 bytes; needed
 * for scrap).  Errors: WMS_ENOT_FOUND, WMS_ECONFLICT (graded already),
 * WMS_ECLOSED, WMS_EBAD_ARGS, WMS_EBIN_BLOCKED, WMS_EBIN_FULL. */
int wms_return_grade(wms_db *db, const wms_actor *who, int64_t line_id, const char *grade,
                     const char *bin, const char *reason, wms_return_line *out, wms_error *err);

/* Closes a return (every line graded, else WMS_ECONFLICT naming one). */
int wms_return_close(wms_db *db, const wms_actor *who, int64_t return_id, wms_return_info *out,
                     wms_error *err);

/* Supervisor: gives an unknown return its order (its lines are checked as
 * on an order return), or writes it off (ungraded lines scrapped). */
int wms_return_match(wms_db *db, const wms_actor *who, int64_t return_id, const char *order,
                     wms_error *err);
int wms_return_write_off(wms_db *db, const wms_actor *who, int64_t return_id, const char *reason,
                         wms_error *err);

/* Reads a return with its lines.  Errors: WMS_ENOT_FOUND. */
int wms_return_get(wms_db *db, int64_t return_id, wms_return_info *out, wms_error *err);

/* Calls cb for each return (status NULL = any), newest first. */
int wms_return_list(wms_db *db, const char *status, int (*cb)(void *, const wms_return_info *),
                    void *ctx, wms_error *err);

#endif
