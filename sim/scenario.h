/*
 * scenario.h - what a simulation run does: warehouse size, staff, timings
 * and fault rates.  Read from a scenario file ("key = value" lines, '#'
 * comments) and overridden by command-line flags (--set key=value, or the
 * named flags of wms-sim).  Every key is listed in sim/README.md.
 *
 * Fault rates are probabilities per opportunity, 0..1:
 *   wrong_bin, wrong_item, unreadable   per scan of a bin / an item code
 *   short                               per pick task (stock secretly missing)
 *   drop, dup_frame                     per state-changing call
 *   serial_corrupt                      per frame sent on a serial line
 *   restart_every                       mean simulated seconds between server
 *                                       kills (SIGKILL), 0 = never (needs
 *                                       --chaos-restart)
 */
#ifndef WMS_SIM_SCENARIO_H
#define WMS_SIM_SCENARIO_H

#include <stdint.h>

#include "wms.h"

#define SIM_NAME_MAX 64
#define SIM_SCEN_MAX_PICKERS 500
#define SIM_SCEN_MAX_RECEIVERS 100
#define SIM_SCEN_MAX_SERIAL 16 /* wmsd opens at most 16 serial lines */

typedef struct sim_scenario {
    uint64_t seed;
    /* staff */
    int pickers, receivers, serial_pickers;
    /* time: simulated seconds, and how much faster than real time it runs */
    double duration_s, speed;
    /* the warehouse (demo generator) */
    int bins, items, customers, orders; /* orders 0 = enough for the shift */
    double backlog;                     /* share of the orders there at the start */
    double orders_per_picker_hour;      /* sizing when orders = 0 */
    char order_prefix[16];              /* order refs: <prefix>-000001 */
    int pick_faces;                     /* top items given pick-face levels */
    /* people */
    double walk_mps; /* walking speed, m/s */
    double scan_s;   /* one scan */
    double pick_s;   /* per pick line, besides scans */
    double unit_s;   /* per unit picked */
    double idle_s;   /* wait before asking again when there is no work */
    double tour_s;   /* cart, totes, drop-off per tour */
    /* supervisor */
    double wave_every_s;
    char wave_method[16];
    int wave_totes;
    int wave_max_orders;
    double hold_review_s; /* a held order is reviewed after this long */
    double release_held;  /* share of held orders released on review (rest cancelled) */
    /* inbound */
    double inbound_every_s; /* mean time between deliveries */
    double inbound_cover;   /* inbound units / demand units of the shift */
    double gs1_share;       /* share of perishable case scans sent as GS1 with lot/expiry */
    double unit_scan_share; /* share of receipts booked by unit code */
    /* faults */
    double f_wrong_bin, f_wrong_item, f_unreadable, f_short, f_drop, f_dup, f_serial_corrupt;
    double restart_every_s;
    double restart_down_s; /* real seconds the server stays down */
    /* connections */
    int call_timeout_ms, serial_timeout_ms;
    char pin[13];
} sim_scenario;

/* Fills the defaults (sim/README.md). */
void sim_scenario_defaults(sim_scenario *s);

/* Sets one key from its text value.  Returns 0, or WMS_EBAD_ARGS (unknown
 * key, value not a number or out of range) with a message naming both. */
int sim_scenario_set(sim_scenario *s, const char *key, const char *value, wms_error *err);

/* Reads "key = value" lines from path.  Errors: WMS_EIO (cannot read),
 * WMS_EBAD_ARGS (the message names the line). */
int sim_scenario_load(sim_scenario *s, const char *path, wms_error *err);

/* Checks consistency (counts, staff limits).  0 or WMS_EBAD_ARGS. */
int sim_scenario_check(const sim_scenario *s, wms_error *err);

/* Writes every key = value (for the report and for reproducing a run). */
void sim_scenario_print(const sim_scenario *s, FILE *out);

#endif
