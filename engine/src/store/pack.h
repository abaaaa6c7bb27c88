/*
 * pack.h - pack verification into cartons, SSCC-18 numbering and labels,
 * shipping.
 *
 * Packing: a packer opens a carton for a tote (or for an order, taking its
 * picked units from any tote) and scans each item.  A scan must match
 * units picked into that tote and not yet packed (NOT_IN_TOTE: the item is
 * not there, or its lot is not, or fewer units are left than scanned);
 * nothing else can enter the carton.  Closing the carton lists what is
 * still missing from the tote, gives it the next SSCC-18 and returns its GS1
 * logistic label as ZPL.  A tote whose units are all packed is 'packed' (its
 * label can be used again).  The order becomes 'packed' once it is
 * 'picked' (picking is over), every picked unit is in a closed carton and
 * no carton of it is open.
 *
 * SSCC-18: extension digit + GS1 company prefix (4-12 digits) + serial
 * reference (16 - prefix digits) + check digit.  The prefix and extension
 * are a setting (wms_sscc_config_set, `wmsctl sscc prefix`); the serial is
 * a counter in the database, so a number is never given twice - not even
 * after a crash (the counter moves in the same transaction as the carton).
 * Without a configured prefix, closing a carton is refused (CONFLICT) with
 * a message saying how to set it.
 *
 * Shipping: ship.confirm by SSCC (one closed carton) or by order (all its
 * closed cartons) moves the cartons' units out of OUTBOUND (journal kind
 * 'ship', leaving the warehouse) and marks the cartons shipped.  A 'packed'
 * order whose cartons are all shipped becomes 'shipped'.
 */
#ifndef WMS_STORE_PACK_H
#define WMS_STORE_PACK_H

#include "wms.h"

#define WMS_PACK_LIST_MAX 64 /* entries of expected / missing lists */
#define WMS_ZPL_MAX 4096

typedef struct wms_pack_entry {
    char sku[WMS_SKU_MAX + 1];
    char lot[WMS_LOT_MAX + 1];
    int64_t qty;
} wms_pack_entry;

typedef struct wms_pack_list {
    int n;         /* entries in e[] */
    int64_t units; /* all units (also beyond the entries shown) */
    int truncated; /* more entries than WMS_PACK_LIST_MAX */
    wms_pack_entry e[WMS_PACK_LIST_MAX];
} wms_pack_list;

typedef struct wms_carton_info {
    int64_t id;
    char order[65];
    char tote[65]; /* "" = opened for the order */
    char status[12];
    char sscc[19];
    char box[65];
    int64_t units;
    wms_pack_list left; /* pack.open: expected; pack.close: missing */
    char order_status[16];
} wms_carton_info;

/* Sets the SSCC company prefix (4-12 digits) and extension digit (0-9).
 * Errors: WMS_EBAD_ARGS. */
int wms_sscc_config_set(wms_db *db, const char *prefix, int extension, wms_error *err);
/* Reads them: prefix "" when unset. */
int wms_sscc_config_get(wms_db *db, char *prefix, size_t n, int *extension, wms_error *err);

/* Builds SSCC-18 from extension, prefix digits and serial (pure).  Returns
 * 0, or WMS_EBAD_ARGS (prefix not 4-12 digits, extension not 0-9) or
 * WMS_ETOO_LARGE (serial does not fit in 16 - prefix digits). */
int wms_sscc_build(int extension, const char *prefix, int64_t serial, char out[19], wms_error *err);

/* An SSCC as typed (18 digits) or scanned (AI 00 label: "00" + 18 digits,
 * AIM prefix, bracket form) into its 18 digits.  Errors:
 * WMS_EBAD_CHECK_DIGIT, WMS_EBAD_BARCODE, WMS_EBAD_ARGS (no AI 00). */
int wms_sscc_normalize(const char *in, char out[19], wms_error *err);

/* Opens a carton for tote `tote` (a tote label in use) or, when tote is
 * NULL/"", for order `order`.  out->left lists what is to be packed.
 * Errors: WMS_ENOT_FOUND, WMS_ECONFLICT (order shipped/cancelled, nothing
 * left to pack). */
int wms_pack_open(wms_db *db, const wms_actor *who, const char *tote, const char *order,
                  wms_carton_info *out, wms_error *err);

typedef struct wms_pack_scan_result {
    char sku[WMS_SKU_MAX + 1];
    int64_t units;        /* packed by this scan */
    int64_t carton_units; /* in the carton now */
    wms_pack_list left;   /* still to pack from the source */
} wms_pack_scan_result;

/* Packs packs x (units of `code`) into open carton `carton`.  Errors:
 * WMS_ENOT_FOUND (carton), WMS_ECLOSED, WMS_ENOT_IN_TOTE, WMS_EUNKNOWN_CODE,
 * WMS_EBAD_QTY, code errors. */
int wms_pack_scan(wms_db *db, const wms_actor *who, int64_t carton, const char *code, int64_t packs,
                  char gs_sub, wms_pack_scan_result *out, wms_error *err);

/* Closes carton `carton`: SSCC, box (NULL = none given), weight_g (<= 0 =
 * none), label ZPL into zpl (cap WMS_ZPL_MAX); out->left = missing.
 * Errors: WMS_ENOT_FOUND, WMS_ECLOSED, WMS_EBAD_ARGS (empty carton),
 * WMS_ECONFLICT (no SSCC prefix configured), WMS_ETOO_LARGE. */
int wms_pack_close(wms_db *db, const wms_actor *who, int64_t carton, const char *box,
                   int64_t weight_g, wms_carton_info *out, char *zpl, size_t zpl_cap,
                   wms_error *err);

typedef struct wms_ship_result {
    char order[65];
    int cartons;
    int64_t units;
    char order_status[16];
} wms_ship_result;

/* Ships one closed carton by SSCC, or all closed cartons of an order.
 * Errors: WMS_ENOT_FOUND, WMS_ECONFLICT (carton open or shipped, nothing
 * to ship). */
int wms_ship_confirm(wms_db *db, const wms_actor *who, const char *sscc, const char *order,
                     wms_ship_result *out, wms_error *err);

/* The label of a closed carton again (ZPL). */
int wms_carton_label(wms_db *db, const char *sscc, char *zpl, size_t cap, wms_error *err);

#endif
