/*
 * demogen.h - a generated demo warehouse, written as import CSV files.
 *
 * Used by `wmsctl demo-data`, the simulator and the benchmarks.  Everything
 * is a pure function of the options: the same options give byte-identical
 * files (own PRNG, xoshiro256** seeded by splitmix64; never rand()).  Each
 * file's content depends only on the options, never on which other streams
 * were given, and each entity (item, customer, order) is generated from its
 * own sub-seed, so e.g. asking for more orders leaves the first ones as
 * they were.
 *
 * Files and columns follow data-formats-v1 (header row first, RFC 4180
 * quoting, LF line ends):
 *  - layout:    one depot (front, at the first aisle's x), aisles "A01".. at
 *               a 5 m pitch, all cells + 3 m long (1 m cells of two bins,
 *               1.5 m to each cross aisle; up to 45 cells, more only beyond
 *               1000 aisles), and for more than 12 aisles one middle cross
 *               aisle "C1" between two cells.  903 bins give the Henn-style
 *               10 aisles x 45 cells.
 *  - bins:      DOCK-01 (dock), STAGE-01 (staging), QUAR-01 (quarantine) near
 *               the front of A01, then "A01-012-L"/"-R" (aisle-cell-side);
 *               the front ~70 % of the cells are pick bins (capacity 500),
 *               the rest reserve (5000); ~1 % of those blocked.  The row
 *               count equals opts.bins.
 *  - items:     "SKU-00001".. with descriptions, dimensions and weights;
 *               ~40 % perishable (shelf_life_days 30-720), ~5 % without
 *               dimensions.
 *  - packs:     each (1), some inner, and a case of 6-48 per item.
 *  - barcodes:  a unit EAN-13 (prefix 5012345), inner/case GTIN-14s; ~10 %
 *               of items have no code, ~1 % reuse another item's unit code.
 *  - stock:     one pick face per item, a reserve bin for about half; lots
 *               and expiry dates for perishables (a few expired); never in
 *               a blocked bin, never above a bin's capacity.
 *  - customers: ~70 % green, 20 % yellow (with hold_value), 10 % red.
 *  - orders:    1-6 lines, class-based skewed demand (20 % of the items get
 *               ~80 % of the lines), cutoffs today 14:00/16:00/18:00 +00:00,
 *               ~3 % with an incomplete ship-to (empty city).
 */
#ifndef WMS_DOMAIN_DEMOGEN_H
#define WMS_DOMAIN_DEMOGEN_H

#include "wms.h"

#include <stdint.h>
#include <stdio.h>

#define WMS_DEMO_MIN_BINS 10
#define WMS_DEMO_MAX_BINS 1000000
#define WMS_DEMO_MAX_ITEMS 1000000
#define WMS_DEMO_MAX_CUSTOMERS 1000000
#define WMS_DEMO_MAX_ORDERS 10000000

typedef struct wms_demo_opts {
    uint64_t seed;
    int bins;          /* WMS_DEMO_MIN_BINS..WMS_DEMO_MAX_BINS, specials included */
    int items;         /* 1..WMS_DEMO_MAX_ITEMS */
    int customers;     /* 0..WMS_DEMO_MAX_CUSTOMERS; >= 1 when orders > 0 */
    int orders;        /* 0..WMS_DEMO_MAX_ORDERS */
    const char *today; /* YYYY-MM-DD, base for expiry dates and cutoffs;
                          NULL = the current UTC date */
} wms_demo_opts;

/* Output streams (caller-owned, not closed, flushed); any may be NULL to
 * skip that file. */
typedef struct wms_demo_out {
    FILE *layout, *items, *packs, *barcodes, *bins, *stock, *customers, *orders;
} wms_demo_out;

/* Generates the demo warehouse described above into the streams of `out`.
 * Returns 0, or WMS_EBAD_ARGS (NULL opts/out, a count out of range, orders
 * without customers, `today` not a date in 1901..9990), WMS_ENOMEM, or
 * WMS_EIO (a stream reported a write error; the files are then incomplete).
 * Memory use is O(bins + items); orders are streamed. */
int wms_demo_generate(const wms_demo_opts *o, const wms_demo_out *out, wms_error *err);

#endif
