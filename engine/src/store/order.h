/*
 * order.h - customers, orders, order review (holds), gift-with-purchase
 * rules, release and cancel, and the order import.
 *
 * Life of an order: wms_order_create stores it as 'received' (event
 * order.status), adds gift lines, then reviews it at once: 'released', or
 * 'held' with every reason that applies (events order.status 'held' and
 * order.hold, reasons joined with "; ").  A supervisor releases a held order
 * (wms_order_release) or cancels it (wms_order_cancel).
 *
 * Review rules (all are checked, every reason that applies is recorded):
 *  - credit red: every order is held
 *    ("customer C1 has credit class red");
 *  - credit yellow: held when the order value (sum of qty x unit price) is
 *    above the customer's hold value; a yellow customer without a hold
 *    value has a limit of 0.00, so any priced order is held (credit control
 *    fails closed) ("order value 1234.50 above the 1000.00 limit of yellow
 *    customer C1");
 *  - credit green: no credit check;
 *  - unusual quantity: the customer's "usual" quantity of an item is the
 *    median qty of its last WMS_USUAL_WINDOW ordered (not gift) lines of
 *    that item in earlier orders that are not cancelled (for an even count
 *    the mean of the two middle values, rounded down).  With at least
 *    WMS_USUAL_MIN_LINES such lines, a line is held when qty >
 *    WMS_USUAL_FACTOR x usual and qty - usual >= WMS_USUAL_MIN_EXCESS
 *    ("line 2: 500 x SKU-1 is far above this customer's usual 12").
 *    Without enough history nothing is judged unusual;
 *  - incomplete ship-to: name, street, city, postcode or country empty
 *    ("ship-to incomplete: street, city missing").
 *
 * Gift-with-purchase: a rule (product, gift, per_unit, safety_level) adds to
 * an order, for each ordered line of the product, a gift line (unit price 0,
 * gift_rule_id set, numbered after the order's highest line) of per_unit x
 * qty gift units - while the gift stays available: "available for gifts" =
 * the gift's unreserved units (qty - reserved over 'available', unexpired
 * quants) minus the units still owed on gift lines of open orders (status
 * received, held, released, allocated or picking: qty - allocated - short),
 * which includes gift lines this order already got.  If that minus this
 * gift would be at or below safety_level, the line gets no gift, the rule
 * switches itself off (active = 0) and a gift.rule event (status "off",
 * attached to the order) says so.  Gift lines never trigger rules.  A rule
 * that is off adds nothing and stays off until a supervisor switches it on
 * again (wms_gift_rule_set_active, `wmsctl gift on ID`): it does NOT come
 * back by itself when stock recovers - the switch-off is announced in the
 * events, and a rule hovering at its safety level would otherwise flap on
 * and off with every order and delivery.
 *
 * These declarations are meant to move into wms.h.
 */
#ifndef WMS_STORE_ORDER_H
#define WMS_STORE_ORDER_H

#include "wms.h"
#include "store/events.h"

#include <stdint.h>

/* The order in which orders are served - wave selection, a sort wave's
 * units at picking, shorts and put-wall slots: earliest cut-off first
 * (orders without one last), then priority (1 first), then age (id).  t:
 * the orders table's name or alias in the query, as a string literal. */
#define ORDER__RANK_SQL(t) t ".cutoff_ms IS NULL, " t ".cutoff_ms, " t ".priority, " t ".id"

#define WMS_ORDER_REF_MAX 64        /* order reference, customer code: printable, no spaces */
#define WMS_ORDER_LINES_MAX 1000    /* ordered lines of one order (gift lines come on top) */
#define WMS_ORDER_LINE_NO_MAX 99999 /* highest line number accepted */
#define WMS_MONEY_MAX_CENTS 100000000000LL /* a price or limit: at most 1,000,000,000.00 */
#define WMS_HOLD_REASON_MAX 511            /* stored hold reason, bytes */

#define WMS_USUAL_WINDOW 25     /* earlier lines the usual quantity looks at */
#define WMS_USUAL_MIN_LINES 3   /* earlier lines needed before judging */
#define WMS_USUAL_FACTOR 5      /* qty > factor x usual ... */
#define WMS_USUAL_MIN_EXCESS 10 /* ... and qty - usual >= this */

/* ------------------------------------------------------------------------ */
/* Money                                                                    */
/* ------------------------------------------------------------------------ */

/* Parses a non-negative amount in currency units with at most 2 decimals
 * ("1000", "1234.5", "0.99"; surrounding spaces and tabs ignored) into
 * cents.  Returns 1 when parsed, 0 when s is NULL or blank (*cents = 0),
 * WMS_EBAD_ARGS for anything else or an amount above max_cents. */
int wms_money_parse(const char *s, int64_t max_cents, int64_t *cents);

/* ------------------------------------------------------------------------ */
/* Customers                                                                */
/* ------------------------------------------------------------------------ */

typedef struct wms_customer {
    int64_t id;
    char code[WMS_ORDER_REF_MAX + 1];
    char name[129];
    char credit[8];           /* green, yellow, red */
    int64_t hold_value_cents; /* -1 = none */
} wms_customer;

/* Inserts or (with `update`) updates customer `code` (1-64 printable, no
 * spaces): name (<= 128 bytes of text), credit green|yellow|red,
 * hold_value_cents (-1 = none, else 0..WMS_MONEY_MAX_CENTS).  Returns
 * WMS_PUT_INSERTED, _UPDATED or _UNCHANGED.  Errors: WMS_EBAD_ARGS,
 * WMS_ECONFLICT (exists with other values and not `update`). */
int wms_customer_put(wms_db *db, const char *code, const char *name, const char *credit,
                     int64_t hold_value_cents, int update, wms_error *err);
/* Looks a customer up by code.  Errors: WMS_ENOT_FOUND. */
int wms_customer_get(wms_db *db, const char *code, wms_customer *out, wms_error *err);

/* ------------------------------------------------------------------------ */
/* Orders                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct wms_order_line_in {
    int line; /* 1..WMS_ORDER_LINE_NO_MAX, unique in the order */
    const char *sku;
    int64_t qty;              /* 1..WMS_QTY_MAX base units */
    int64_t unit_price_cents; /* 0..WMS_MONEY_MAX_CENTS */
    int min_shelf_life_days;  /* -1 none, else 0..36500 */
} wms_order_line_in;

typedef struct wms_order_in {
    const char *ref, *customer, *carrier;
    const char *cutoff; /* ISO 8601 with offset (2026-11-23T14:00:00+01:00, ...Z) or ""/NULL */
    const char *ship_name, *ship_street, *ship_city, *ship_postcode, *ship_country;
    const char *short_policy; /* ship_short | backorder; NULL or "" = ship_short */
    int priority;             /* 1..9 (1 = most urgent); 0 = default 3 */
    const wms_order_line_in *lines;
    int n;
} wms_order_in;

typedef struct wms_order_result {
    int64_t order_id;
    char status[16];       /* released or held */
    char hold_reason[256]; /* "" when released (truncated copy of the stored reason) */
    int lines;             /* ordered lines stored */
    int gift_lines;        /* gift lines added by rules */
} wms_order_result;

/*
 * Creates order o (see the header comment for review and gifts) as one
 * atomic operation; out (may be NULL) gets the outcome.  Text fields: ref
 * 1-64 printable without spaces; carrier <= 64, ship_name and ship_street
 * <= 128, ship_city and ship_country <= 64, ship_postcode <= 16 bytes of
 * text without control characters (NULL = "").
 * Errors (nothing is stored): WMS_EEXISTS (ref taken), WMS_ENOT_FOUND
 * (customer; or "line 3: unknown SKU 'X'"), WMS_EBAD_QTY ("line 3: ..."),
 * WMS_EBAD_ARGS (bad field, cutoff, priority, duplicate line number, shelf
 * life, price; no lines), WMS_ETOO_LARGE (more than WMS_ORDER_LINES_MAX).
 */
int wms_order_create(wms_db *db, const wms_actor *who, const wms_order_in *o, wms_order_result *out,
                     wms_error *err);

/* Releases held order `ref` (event order.status 'released').  Errors:
 * WMS_ENOT_FOUND, WMS_ECONFLICT (not held: "order X is released, not
 * held"). */
int wms_order_release(wms_db *db, const wms_actor *who, const char *ref, wms_error *err);

/*
 * Cancels order `ref` (reason: free text <= 200 bytes, may be NULL) while
 * no picking has started: status received, held, released, allocated or
 * short, and no unit of it picked.  Its open allocations become
 * 'cancelled' and their unpicked units leave stock.reserved and
 * order_lines.allocated (the reservation INVARIANT holds throughout); its
 * open or assigned tasks become 'cancelled'.  Event order.status
 * 'cancelled'.  Errors: WMS_ENOT_FOUND, WMS_ECONFLICT (picking started,
 * shipped, already cancelled), WMS_EBAD_ARGS (reason).
 */
int wms_order_cancel(wms_db *db, const wms_actor *who, const char *ref, const char *reason,
                     wms_error *err);

#define WMS_ORDER_INFO_LINES 256 /* lines an info carries (all are counted) */
#define WMS_ORDER_HISTORY_MAX 64 /* events an info carries (the first ones) */

typedef struct wms_order_line_info {
    int line;
    char sku[WMS_SKU_MAX + 1];
    int64_t qty, unit_price_cents;
    int min_shelf_life_days; /* -1 none */
    int64_t gift_rule_id;    /* 0 = an ordered line */
    int64_t allocated, picked, short_qty, backordered;
} wms_order_line_info;

typedef struct wms_order_info {
    int64_t id;
    char ref[WMS_ORDER_REF_MAX + 1];
    char customer[WMS_ORDER_REF_MAX + 1];
    char customer_name[129];
    char credit[8];
    int priority;
    char carrier[65];
    char cutoff[48];   /* as given, "" = none */
    int64_t cutoff_ms; /* UTC ms since 1970, -1 = none */
    char ship_name[129], ship_street[129], ship_city[65], ship_postcode[17], ship_country[65];
    char short_policy[12];
    char status[16];
    char hold_reason[WMS_HOLD_REASON_MAX + 1]; /* why it was last held ("" = never) */
    int64_t wave_id;                           /* 0 = none */
    char created[32];
    int64_t value_cents, units; /* over all lines */
    int lines;                  /* all lines, gift lines included */
    int n;                      /* entries in line[] */
    wms_order_line_info line[WMS_ORDER_INFO_LINES];
    int n_history;     /* entries in history[] */
    int history_total; /* events of the order */
    wms_event history[WMS_ORDER_HISTORY_MAX];
} wms_order_info;

/* Reads order `ref` with its lines (by line number) and its events (the
 * status history, oldest first).  out is large (~70 KB): allocate it.
 * Errors: WMS_ENOT_FOUND. */
int wms_order_get(wms_db *db, const char *ref, wms_order_info *out, wms_error *err);

typedef struct wms_order_summary {
    int64_t id;
    char ref[WMS_ORDER_REF_MAX + 1];
    char customer[WMS_ORDER_REF_MAX + 1];
    char status[16];
    int priority;
    char carrier[65];
    char cutoff[48];
    int lines;
    int64_t units, value_cents;
    char hold_reason[256];
    char created[32];
} wms_order_summary;

/* Calls cb for each order (status NULL/"" = any, else only that status),
 * oldest first; a non-zero return stops.  Returns the number passed.
 * Errors: WMS_EBAD_ARGS (unknown status), storage errors. */
int wms_order_list(wms_db *db, const char *status, int (*cb)(void *, const wms_order_summary *),
                   void *ctx, wms_error *err);

/* ------------------------------------------------------------------------ */
/* Gift-with-purchase rules                                                 */
/* ------------------------------------------------------------------------ */

typedef struct wms_gift_rule {
    int64_t id;
    char product[WMS_SKU_MAX + 1];
    char gift[WMS_SKU_MAX + 1];
    int64_t per_unit, safety_level;
    int active;
    int64_t unreserved; /* the gift's unreserved units in available, unexpired quants now */
    int64_t owed;       /* units still owed on gift lines of open orders */
} wms_gift_rule;

/* Adds a rule: per_unit (1..1000000) units of gift_sku per unit of
 * product_sku while the gift's available units stay above safety_level
 * (0..WMS_QTY_MAX).  A rule for the same product and gift is updated
 * instead (its on/off state kept).  Returns the rule id (> 0).
 * Errors: WMS_ENOT_FOUND (item), WMS_EBAD_ARGS (same item twice, range). */
int wms_gift_rule_put(wms_db *db, const char *product_sku, const char *gift_sku, int64_t per_unit,
                      int64_t safety_level, wms_error *err);

/* Switches rule id on (active 1) or off (0) by hand, with a gift.rule
 * event.  Returns 1 when the state changed, 0 when it already was so.
 * Errors: WMS_ENOT_FOUND. */
int wms_gift_rule_set_active(wms_db *db, const wms_actor *who, int64_t id, int active,
                             wms_error *err);

/* Calls cb for each rule by id (non-zero stops); returns the number passed. */
int wms_gift_rule_list(wms_db *db, int (*cb)(void *, const wms_gift_rule *), void *ctx,
                       wms_error *err);

/* ------------------------------------------------------------------------ */
/* Order import (internal: used by import.c, kind "orders")                 */
/* ------------------------------------------------------------------------ */

/* One CSV row of the orders file, parsed (strings as in the file). */
typedef struct order__import_row {
    long file_line;
    const char *ref, *customer, *sku;
    long line;
    int64_t qty;
    int priority; /* 1..9 (default applied) */
    const char *carrier, *cutoff, *ship_name, *ship_street, *ship_city, *ship_postcode,
        *ship_country, *short_policy; /* short_policy "" = ship_short */
    int min_shelf_life_days;          /* -1 none */
    int64_t unit_price_cents;
} order__import_row;

/* Stages one row inside the import's transaction (a TEMP table): checks
 * the customer and SKU exist, the line number is new in its order and the
 * order's header fields agree with its first row; errors name the line and
 * column. */
int order__import_stage(wms_db *db, const order__import_row *r, wms_error *err);

/* After the last row: creates each staged order (in order of first
 * appearance) with wms_order_create.  An existing order with identical
 * content (header and ordered lines) is unchanged; a different one is
 * WMS_ECONFLICT, or with `update` replaced and reviewed again - but only
 * while it is 'received' or 'held' (nothing allocated yet); an order in
 * any other status is never changed by an import (WMS_ECONFLICT).  Adds
 * orders to *inserted, *updated, *unchanged.  Empties the stage. */
int order__import_finish(wms_db *db, const wms_actor *who, int update, long *inserted,
                         long *updated, long *unchanged, wms_error *err);

#endif
