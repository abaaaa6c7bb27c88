/* stock.h - the one place stock quants change (internal). */
#ifndef WMS_STORE_STOCK_H
#define WMS_STORE_STOCK_H

#include "wms.h"

typedef struct stock_move {
    const char *kind; /* receive, move, status, import, adjust, pick, ... */
    int64_t item_id;
    const char *lot, *expiry;
    const wms_bin *from; /* NULL: stock enters the warehouse */
    const char *from_status;
    const wms_bin *to; /* NULL: stock leaves the warehouse */
    const char *to_status;
    int64_t qty;
    const char *reason;
    int ignore_capacity; /* imports state what is there */
    int take_reserved;   /* a pick: takes units reserved for it (reserved -= qty too);
                            otherwise only unreserved units (qty - reserved) may leave */
} stock_move;

/* Applies one movement to the stock table and appends its journal row, in
 * the caller's transaction.  Errors: WMS_EINSUFFICIENT_STOCK (the from quant
 * holds fewer than qty unreserved units, or for take_reserved fewer reserved
 * ones: nothing changes), WMS_EBIN_FULL, WMS_EBAD_QTY. */
int stock__apply(wms_db *db, const wms_actor *who, const stock_move *mv, int64_t *journal_id,
                 wms_error *err);
/* Units held in a bin, all items and statuses. */
int stock__bin_units(wms_db *db, int64_t bin_id, int64_t *out, wms_error *err);
/* Lot syntax: empty, or 1-20 printable characters without spaces. */
int stock__valid_lot(const char *lot);

#endif
