/*
 * wave.h - wave planning and release: which released orders are picked
 * next, in which tours, and the pick tasks in route order.
 *
 * Planning is three steps, so that a server can run the slow middle one off
 * its event loop on a read connection (WAL):
 *   (a) wms_wave_snapshot_load - reads (one read transaction, or inside the
 *       caller's): the layout, the selected orders and, per line, the bin
 *       allocation would most likely use;
 *   (b) wms_wave_compute - pure: batching (domain/batch.h), zone split,
 *       routes (domain/route.h), summary;
 *   (c) wms_wave_release - writes, atomically: the wave, allocation
 *       (store/alloc.h), replenishments, pick tasks in route order.
 * wms_wave_plan does (a) and (b).
 *
 * Selection: orders in status 'released', earliest cut-off first (orders
 * without a cut-off last), then priority (1 first), then age (id).  Taken
 * in that sequence while the wave caps hold (max_orders, max_lines,
 * max_units, max_totes; 0 = no cap): the first order that does not fit in
 * the room left ends the wave, so a later order never overtakes an
 * earlier one; an order that exceeds a cap on its own can never fit and is
 * passed over (counted in skipped_orders).  A line's need is qty -
 * allocated - short (as allocation counts it); lines with no need are
 * ignored.  The hard limits WMS_WAVE_MAX_ORDERS and WMS_WAVE_MAX_LINES cap
 * any wave.
 *
 * Where a line will be picked (planning estimate): the quant allocation
 * would take first - available, unreserved units in an unblocked pick or
 * reserve bin, not expired, earliest expiry first (undated last), pick
 * bins before reserve, then bin code (shelf-life minimums are not
 * considered).  A line without such stock has no pick (unlocated_lines);
 * release routes the bins actually allocated.
 *
 * Methods:
 *  - discrete: one order per tour;
 *  - batch (cluster picking): one picker pushes a cart of `totes` totes,
 *    one per order; orders are grouped by Clarke-Wright savings
 *    (batch.h) under a capacity of `totes` orders (and tour_lines,
 *    tour_units when set) per tour;
 *  - zone: orders are grouped as for batch; then each group is split by the
 *    zone of each pick's bin: one tour per zone per group, the zone's
 *    picker picks only the zone's part (one tote per order per zone; totes
 *    are consolidated per order at packing).  Zone tours are measured from
 *    and back to the depot like every tour (the model has one drop-off
 *    point);
 *  - sort (pick-and-sort): pickers pick quant totals for all the wave's
 *    orders - every location once, on the optimal route over the whole
 *    wave, cut into consecutive tours that a cluster cart of `totes`
 *    orders could also carry: at most tour_lines stops (when 0: totes x
 *    the wave's mean lines per order) and tour_units units (when 0: totes
 *    x its mean units per order; a heavier stop is a tour of its own);
 *    each tour is routed again.  Its totes are bulk totes, one per tour; the
 *    units are sorted to orders at a put wall (store/sort.h).
 *
 * For batch and zone waves the summary also gives fcfs_walk_m, the walk of
 * the same orders batched first come, first served under the same cart
 * (what savings batching saves).
 *
 * Pickers needed (assumptions are options, defaults in parentheses): one
 * tour takes tour_s (120 s: cart, totes, drop-off) + its walk /
 * walk_mps (1.0 m/s) + its picks x pick_s (10 s per pick).  picker_hours =
 * the sum over tours; pickers = ceil(picker_hours / hours), where `hours`
 * (1.0) is the time the wave should take; tours_per_picker_hour = tours /
 * picker_hours.
 *
 * Release (wms_wave_release), one atomic operation: the wave row (status
 * 'released', method, summary JSON), wms_alloc_wave over the orders still
 * 'released' (in selection order; allocation sets each order 'allocated',
 * 'short' or leaves it 'released', see alloc.h), wms_replenish_plan for the
 * wave, then one pick task per open allocation of the wave: tours are the
 * planned groups (split by the zone of the bin picked from for the zone
 * method), routed again over the bins really picked from (the pick face
 * when a replenishment carries the allocation, which the task then depends
 * on); the route order gives tasks.seq (1, 2, ... along the route, picks at
 * one bin consecutive), tours are numbered 1.. in plan order, and each
 * order of a tour gets tote "T<wave>-<tour>-<k>" (k = 1.. in selection
 * order within the tour).  A sort wave instead gets one bulk task per
 * quant (allocations.bulk_task_id names it; tote slot "B<wave>-<tour>",
 * see pick.h).  Orders that got stock are stamped with the
 * wave id.
 */
#ifndef WMS_STORE_WAVE_H
#define WMS_STORE_WAVE_H

#include "wms.h"
#include "domain/batch.h"
#include "store/layout.h"

#define WMS_WAVE_MAX_ORDERS 100000
#define WMS_WAVE_MAX_LINES 1000000
#define WMS_WAVE_ZONE_MAX 32     /* zone name bytes */
#define WMS_WAVE_ZONES_MAX 10000 /* distinct zones in the bins table */
#define WMS_WAVE_TOTES_DEFAULT 8
#define WMS_WAVE_SUMMARY_MAX 1024 /* summary JSON bytes */

typedef enum {
    WMS_WAVE_DISCRETE = 0,
    WMS_WAVE_BATCH = 1,
    WMS_WAVE_ZONE = 2,
    WMS_WAVE_SORT = 3,
} wms_wave_method;

typedef struct wms_wave_opts {
    wms_wave_method method;
    /* wave caps, 0 = none */
    int64_t max_orders, max_lines, max_units, max_totes;
    /* one tour: totes on a cart = orders per tour (batch, zone), and
     * optional line/unit limits (0 = none) */
    int totes;
    int64_t tour_lines, tour_units;
    /* assumptions for the pickers needed */
    double walk_mps; /* walking speed, m/s */
    double pick_s;   /* seconds per pick */
    double tour_s;   /* seconds per tour besides walking and picking */
    double hours;    /* the time the wave should take */
    /* batching tuning (batch.h); 0 = defaults */
    int neighbours, all_pairs_max;
} wms_wave_opts;

/* Fills the defaults: batch, no caps, 8 totes, 1.0 m/s, 10 s, 120 s, 1 h. */
void wms_wave_opts_init(wms_wave_opts *o);

/* "discrete", "batch", "zone", "sort" (static), or "?" */
const char *wms_wave_method_name(wms_wave_method m);
/* Parses a method name: 0 or WMS_EBAD_ARGS. */
int wms_wave_method_parse(const char *s, wms_wave_method *m, wms_error *err);

/* ---- (a) snapshot --------------------------------------------------------- */

typedef struct wms_wave_sorder {
    int64_t id;
    char ref[65];
    int64_t lines, units; /* lines with a need, units needed */
    int first_pick, n_picks;
    int totes; /* totes it needs: 1, or its zones for the zone method */
} wms_wave_sorder;

typedef struct wms_wave_snapshot {
    wms_layout_map lay;
    wms_wave_method method;
    int n_orders;
    wms_wave_sorder *orders; /* selected, in selection order */
    int n_picks;
    wms_pick_loc *picks; /* located lines of the selected orders */
    int *pick_zone;      /* zone index of each pick */
    int64_t *pick_units; /* units each pick needs */
    int n_zones;
    char (*zone)[WMS_WAVE_ZONE_MAX + 1]; /* zone names, sorted */
    int64_t skipped_orders;              /* released orders above a cap on their own */
    int64_t waiting_orders;              /* released orders left for later waves */
    int64_t unlocated_lines;             /* selected lines with no stock to pick */
} wms_wave_snapshot;

/* Reads what planning needs (see the header comment).  *snap owns its
 * memory (wms_wave_snapshot_free).  Errors: WMS_EBAD_ARGS (options),
 * the errors of wms_layout_load,
 * WMS_ENOMEM, storage errors. */
int wms_wave_snapshot_load(wms_db *db, const wms_wave_opts *o, wms_wave_snapshot *snap,
                           wms_error *err);
void wms_wave_snapshot_free(wms_wave_snapshot *snap);

/* ---- (b) plan --------------------------------------------------------------- */

typedef struct wms_wave_tour {
    int group;    /* the batch (group of orders) it belongs to */
    int zone;     /* zone index (zone method), or -1: all zones */
    int first, n; /* its orders: plan->tour_orders[first .. first + n) */
    int picks;
    double dist_m;
} wms_wave_tour;

typedef struct wms_wave_summary {
    char method[12];
    int64_t orders, lines, units, picks, totes, tours, groups, zones;
    int64_t skipped_orders, waiting_orders, unlocated_lines;
    double walk_m;      /* sum of the tours' route lengths */
    double fcfs_walk_m; /* batch, zone: the same orders batched first come, first served */
    double picker_hours, tours_per_picker_hour;
    int64_t pickers;
} wms_wave_summary;

typedef struct wms_wave_plan_out {
    wms_wave_summary s;
    wms_wave_method method;
    int n_orders;
    int64_t *order_id;     /* selected orders, in selection order */
    char (*order_ref)[65]; /* their refs */
    int *order_group;      /* group (batch) of each */
    int n_groups;
    int n_tours;
    wms_wave_tour *tours; /* tours with picks, by group then zone */
    int *tour_orders;     /* order indices (into order_id) of each tour */
    int n_zones;
    char (*zone)[WMS_WAVE_ZONE_MAX + 1];
} wms_wave_plan_out;

/* Plans the snapshot: pure (no database), deterministic.  *plan owns its
 * memory (wms_wave_plan_free).  Errors: WMS_EBAD_ARGS, batching and routing errors, WMS_ENOMEM. */
int wms_wave_compute(const wms_wave_snapshot *snap, const wms_wave_opts *o, wms_wave_plan_out *plan,
                     wms_error *err);

/* (a) then (b). */
int wms_wave_plan(wms_db *db, const wms_wave_opts *o, wms_wave_plan_out *plan, wms_error *err);

void wms_wave_plan_free(wms_wave_plan_out *plan);

/* Writes the summary as one JSON object (no newline) into buf; returns the
 * length (truncated output is never returned: WMS_ETOO_LARGE). */
int wms_wave_summary_json(const wms_wave_summary *s, char *buf, size_t n);

/* ---- (c) release -------------------------------------------------------------- */

/* Releases a wave (see the header comment) from `plan`, or, with plan ==
 * NULL, from a plan made now inside the operation.  Planned orders no
 * longer 'released' are left out.  *wave_id receives the new wave's id.
 * Errors: WMS_ENOT_FOUND (no released order to wave), the errors of
 * planning, allocation and replenishment, storage errors (then nothing
 * changed). */
int wms_wave_release(wms_db *db, const wms_actor *who, const wms_wave_opts *o,
                     const wms_wave_plan_out *plan, int64_t *wave_id, wms_error *err);

typedef struct wms_wave_info {
    int64_t id;
    char status[12], method[12];
    char created[32], released[32];
    char summary[WMS_WAVE_SUMMARY_MAX + 1];
    int64_t orders;      /* orders stamped with the wave */
    int64_t orders_open; /* allocated, picking */
    int64_t orders_done; /* picked, packed, shipped, short */
    int64_t orders_cancelled;
    int64_t tasks, tasks_open, tasks_done; /* open = open or assigned */
    int64_t tasks_short, tasks_cancelled;
    int64_t replenish_open; /* replenishment tasks of the wave not done */
    int64_t tours;
} wms_wave_info;

/* A wave's state: orders and tasks by status.  Errors: WMS_ENOT_FOUND,
 * storage errors. */
int wms_wave_status(wms_db *db, int64_t wave_id, wms_wave_info *out, wms_error *err);

#endif
