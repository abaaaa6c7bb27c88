/*
 * gen.h - the simulator's world: the warehouse it drives and the work that
 * arrives during the shift, as a pure function of (scenario, today).
 *
 * The warehouse itself (layout, bins, items with unit/inner/case codes,
 * pack levels, stock with lots and expiry dates, customers with credit
 * classes, orders with cut-offs and skewed demand) is the engine's demo
 * generator (engine/src/domain/demogen.h), read back from its CSV output
 * into memory.  On top of it the simulator adds what happens during the
 * shift: when each order arrives (a backlog at the start, the rest spread
 * over the shift), unit prices (so that yellow credit holds happen), and
 * inbound deliveries for the receivers: case and unit receipts of the
 * items the orders ask for, in proportion to their demand, perishable ones
 * with lots and expiry dates (some scanned as GS1-128 with AI 17 and 10).
 *
 * sim_world_build_db loads it into a new database through the engine's own
 * import functions, gives the busiest items pick-face levels, creates the
 * sim's users, and asks the engine for the internal code of every item
 * that has no usable manufacturer code (no code, or a unit code shared with
 * another item); sim_world_read_codes reads those back from an existing
 * database (driving a server built earlier with the same seed).
 *
 * Everything is deterministic: the same scenario and `today` give the same
 * world (sim_world_fingerprint hashes it).  `today` matters because wmsd
 * decides expiry by the real date, so generated dates are relative to it.
 */
#ifndef WMS_SIM_GEN_H
#define WMS_SIM_GEN_H

#include <stdint.h>

#include "domain/route.h"
#include "scenario.h"
#include "wms.h"

#define SIM_CODE_MAX 48
#define SIM_REF_MAX 40
#define SIM_ORDER_LINES_MAX 16

enum { SIM_BIN_PICK, SIM_BIN_RESERVE, SIM_BIN_DOCK, SIM_BIN_STAGING, SIM_BIN_QUARANTINE };
enum { SIM_CREDIT_GREEN, SIM_CREDIT_YELLOW, SIM_CREDIT_RED };

typedef struct sim_item {
    char sku[WMS_SKU_MAX + 1];
    int64_t case_units, inner_units; /* 0 = no such pack level */
    char unit_code[SIM_CODE_MAX];    /* scannable unit code ("" until known) */
    char case_code[SIM_CODE_MAX];    /* "" = none */
    int unit_internal;               /* unit_code is the engine's internal code */
    int ambiguous;                   /* its manufacturer unit code is shared */
    int shelf_days;                  /* 0 = not perishable */
    int64_t price_cents;
    int64_t demand_lines, demand_units; /* in the generated orders */
    int rank;                           /* popularity rank by lines, 0 = busiest */
} sim_item;

typedef struct sim_bin {
    char code[WMS_SKU_MAX + 1];
    char zone[16];
    int type;  /* SIM_BIN_* */
    int aisle; /* index into the layout's aisles */
    double y;
    int64_t capacity; /* 0 = unlimited */
    int blocked;
} sim_bin;

typedef struct sim_stock {
    int bin, item;
    char lot[WMS_LOT_MAX + 1];
    char expiry[11];
    int hold;
    int64_t qty;
} sim_stock;

typedef struct sim_customer {
    char code[24];
    int credit;         /* SIM_CREDIT_* */
    int64_t hold_cents; /* -1 = none */
} sim_customer;

typedef struct sim_order_line {
    int item;
    int64_t qty;
    int min_shelf_days; /* 0 = none */
} sim_order_line;

typedef struct sim_order {
    char ref[SIM_REF_MAX];
    int customer;
    int priority;
    char carrier[12];
    char cutoff[32];
    char ship_name[96], ship_street[96], ship_city[48], ship_postcode[16], ship_country[4];
    int nlines;
    sim_order_line line[SIM_ORDER_LINES_MAX];
    double arrive_s; /* simulated seconds after the start */
} sim_order;

typedef struct sim_delivery_line {
    int item;
    int by_unit;   /* booked by the unit code (else the case code) */
    int gs1;       /* scanned as GS1-128 with expiry and lot */
    int64_t packs; /* scans' qty: cases, or units when by_unit */
    char lot[WMS_LOT_MAX + 1];
    char expiry[11]; /* "" for items without shelf life */
} sim_delivery_line;

typedef struct sim_delivery {
    char ref[SIM_REF_MAX];
    double arrive_s;
    int first, n; /* lines [first, first + n) of world->dlines */
} sim_delivery;

typedef struct sim_world {
    char today[11];
    /* layout (route.h model) */
    int n_aisles;
    double *aisle_x;
    char (*aisle_id)[16];
    int n_cross;
    double *cross_y;
    double length, depot_x;
    wms_layout lay;
    /* catalog, places, stock */
    int n_items, n_bins, n_stock, n_customers;
    sim_item *items;
    sim_bin *bins;
    sim_stock *stock;
    sim_customer *customers;
    int dock; /* bin index of DOCK-01 */
    /* work */
    int n_orders;
    sim_order *orders; /* by arrival time */
    int n_deliveries, n_dlines;
    sim_delivery *deliveries; /* by arrival time */
    sim_delivery_line *dlines;
    /* lookups (internal) */
    void *item_map, *bin_map;
} sim_world;

/* Builds the world for scenario s and the date `today` (YYYY-MM-DD).  *w
 * owns its memory (sim_world_free).  Errors: WMS_EBAD_ARGS (scenario,
 * date), WMS_ENOMEM, and the generator's errors. */
int sim_world_build(const sim_scenario *s, const char *today, sim_world *w, wms_error *err);
void sim_world_free(sim_world *w);

/* Item / bin index by SKU / code, or -1. */
int sim_world_item(const sim_world *w, const char *sku);
int sim_world_bin(const sim_world *w, const char *code);

/* Route-model location of a bin. */
wms_pick_loc sim_world_loc(const sim_world *w, int bin);

/* 64-bit hash of everything generated (items, codes, bins, stock, orders,
 * deliveries): equal for equal worlds. */
uint64_t sim_world_fingerprint(const sim_world *w);

/* The sim's users: "pick01".., "recv01".., "sup01" (waves, holds), "oms01"
 * (order entry), all with PIN s->pin.  Writes user i of a role into buf. */
void sim_user_name(const char *role, int i, char *buf, size_t n);

/* Creates the database at db_path (which must not exist) and loads the
 * world into it through the engine (imports, pick faces, users); then
 * fills in internal codes (as sim_world_read_codes).  Errors: WMS_EEXISTS
 * (the file exists), engine errors (message names the step). */
int sim_world_build_db(sim_world *w, const sim_scenario *s, const char *db_path, wms_error *err);

/* Reads the internal codes of items without a usable manufacturer code
 * from an existing database (one built by sim_world_build_db for this
 * world; a missing one would be assigned, as wmsctl label does).  Errors:
 * the engine's (WMS_ENOT_FOUND: an item the database does not have). */
int sim_world_read_codes(sim_world *w, const char *db_path, wms_error *err);

/* Replaces the world's stock by what the server holds now (stock.query per
 * item, logged in as user/pin): driving a server that already worked, the
 * book starts from its current stock.  Units in OUTBOUND get bin
 * SIM_STOCK_OUTBOUND.  Errors: the client's, WMS_ENOT_FOUND (a bin the
 * world does not know), WMS_ETOO_LARGE (a truncated answer). */
#define SIM_STOCK_OUTBOUND (-2)
int sim_world_stock_from_server(sim_world *w, const char *host, int port, const char *user,
                                const char *pin, wms_error *err);

/* Share of all order lines that the top `share` (0..1) of the items by
 * popularity carry, in 0..1 (for the skew test and the report). */
double sim_world_top_share(const sim_world *w, double share);

#endif
