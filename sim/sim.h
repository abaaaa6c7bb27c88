/*
 * sim.h - the simulation: virtual devices on one libuv loop.
 *
 * Devices (each its own connection, user and device id "SIM-<kind><n>"):
 *  - pickers (TCP, or a serial line for the first serial_pickers of them):
 *    task.next, walk the route at walk_mps, scan the bin, the item (case
 *    code for whole cases, unit code for the rest, GS1 with the lot for
 *    some lot picks) and the tote, pick.confirm; pick.short when the bin
 *    holds less than the task needs; tote.assign / tote.close;
 *  - receivers (TCP): receive.scan of each delivery line at the dock (case
 *    or unit codes, GS1 with lot and expiry), putaway.suggest, walk, and
 *    putaway.confirm;
 *  - the order system ("oms01", TCP): order.create as orders arrive;
 *  - the supervisor ("sup01", TCP): wave.release every wave_every seconds,
 *    and a review of held orders (order.release or order.cancel).
 * Time: simulated seconds = real seconds since the start x speed; walking
 * and handling times are simulated, network latency is real.
 *
 * Faults come from each device's own PRNG stream, drawn in a fixed pattern
 * per opportunity (a fixed block of numbers per bin visit, per scan, per
 * call), so a device's k-th visit gets the same faults in every run with
 * the same seed whatever the interleaving with other devices.
 *
 * Short picks: the simulator's own "physical" stock is the engine's book
 * (sim_ledger_book) minus units it secretly made disappear.  A short fault
 * makes all but `found` units of the task's item in that bin disappear
 * (found < what the task needs); from then on the picker finds only what
 * is physically there and reports pick.short.
 */
#ifndef WMS_SIM_SIM_H
#define WMS_SIM_SIM_H

#include <stdint.h>

#include <uv.h>

#include "conn.h"
#include "gen.h"
#include "ledger.h"
#include "metrics.h"
#include "scenario.h"
#include "wmsd.h"

enum { DEV_PICKER, DEV_RECEIVER, DEV_OMS, DEV_SUPERVISOR };

typedef struct sim sim;

typedef struct sim_task {
    int64_t id;
    char kind[12];
    int64_t wave, tour, line;
    char order[SIM_REF_MAX];
    int order_idx;
    char bin[WMS_SKU_MAX + 1], to_bin[WMS_SKU_MAX + 1];
    int bin_idx, to_idx, item;
    char sku[WMS_SKU_MAX + 1];
    char lot[WMS_LOT_MAX + 1], expiry[11];
    int64_t qty, case_units;
    char slot[32], tote_code[65];
} sim_task;

typedef struct sim_device {
    sim *s;
    int kind, index; /* index within its kind */
    int picker;      /* picker number for the metrics, -1 */
    char name[SIM_DEVICE_MAX + 1];
    char user[33];
    sim_conn *conn;
    int serial_master, serial_slave;
    char serial_path[64];
    sim_rng faults, beh;
    uv_timer_t timer;
    void (*after)(struct sim_device *d); /* what the timer runs */
    int stopped;
    /* where the person stands */
    wms_pick_loc pos;
    int at_depot;
    /* picker */
    sim_task task;
    int has_task;
    sim_task pending; /* the next tour's first task, taken at the depot */
    int has_pending;
    int64_t cur_wave, cur_tour;
    char totes[64][65]; /* totes used in this tour (closed at its end) */
    int n_totes;
    int tote_seq;
    int attempt;    /* scan attempts at this visit: 0 = wrong bin?, ... */
    double fx[8];   /* this visit's fault draws */
    int64_t want;   /* units of the current confirm */
    int close_next; /* tote index to close at the tour's end */
    int64_t tours;
    int64_t fail_task; /* a task whose confirms keep failing, and how often */
    int fail_count;
    /* receiver */
    int dline; /* delivery line being handled, -1 */
    int64_t recv_units;
    char recv_lot[WMS_LOT_MAX + 1];
    char put_bin[WMS_SKU_MAX + 1];
    /* supervisor */
    double next_wave_s;
} sim_device;

typedef struct sim_held {
    int order;
    double review_s;
} sim_held;

struct sim {
    uv_loop_t *loop;
    sim_clock clock;
    sim_scenario sc;
    sim_world *w;
    sim_metrics *m;
    sim_ledger *ledger;
    const char *host;
    int port;
    int ndev;
    sim_device *dev;
    int stopping;
    /* shared work queues */
    int next_order;      /* orders created or being created: [0, next_order) */
    int backlog_n;       /* orders there at the start (arrive_s == 0) */
    int orders_answered; /* order.create calls answered (ok or not) */
    int next_dline;      /* delivery lines taken: [0, next_dline) */
    sim_held *held;      /* held orders waiting for review */
    int n_held, cap_held;
    /* physical stock missing behind the engine's back: (bin, item) -> units */
    struct sim_missing {
        int bin, item;
        int64_t units;
    } * miss;
    int n_miss, cap_miss;
    /* counters */
    long long picks, pick_units, shorts, short_units, receipts, receipt_units, putaways;
    long long tasks_released, tasks_closed, waves, orders_created, orders_held, orders_released,
        orders_cancelled, tours, errors_unexpected, faults_expected, faults_missed, pickers_stuck,
        waiting_polls;
    double walk_m;
    char last_error[256];
};

/* Initialises the devices' timers (before anything can fail). */
void sim_devices_init(sim *s);
/* Makes the connections (serial ones on the ptys the caller opened:
 * d->serial_master >= 0) and starts the devices. */
int sim_devices_start(sim *s, wms_error *err);
/* 1 while any device has a call pending. */
int sim_devices_busy(const sim *s);
/* Tells every device to stop at its next step (the shift is over). */
void sim_devices_stop(sim *s);
/* Records the calls still waiting for an outcome as in doubt in the
 * ledger; returns how many. */
int sim_devices_mark_doubt(sim *s);
/* Closes the connections and timers (run the loop afterwards). */
void sim_devices_close(sim *s);

/* Physical stock: units of item at bin that are really there. */
int64_t sim_physical(const sim *s, int bin, int item);
/* Makes units of item at bin disappear (a short fault). */
void sim_make_missing(sim *s, int bin, int item, int64_t units);

/* Device behaviours (picker.c, receiver.c, office.c). */
void sim_picker_begin(sim_device *d);
void sim_receiver_begin(sim_device *d);
void sim_oms_begin(sim_device *d);
void sim_supervisor_begin(sim_device *d);

/* Shared helpers (devices.c). */
void sim_dev_wait(sim_device *d, double sim_s, void (*then)(sim_device *d));
void sim_dev_walk(sim_device *d, wms_pick_loc to, int to_depot, double extra_s,
                  void (*then)(sim_device *d));
int sim_dev_call(sim_device *d, const char *method, sim_args *a, const char *txn,
                 const sim_conn_faults *f, sim_reply_cb cb);
void sim_dev_unexpected(sim_device *d, const char *method, const sim_reply *r);
double sim_now(const sim *s);
/* Records a txn call's outcome in the ledger (no move). */
void sim_dev_record(sim_device *d, const char *method, const char *txn, const sim_reply *r);

#endif
