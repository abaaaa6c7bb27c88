/*
 * metrics.h - the recorder of wms-sim and its reports.
 *
 * The simulator engine (sim/sim.c etc.) feeds events into a sim_metrics; at
 * the end sim_report_summary prints a table and sim_report_write writes
 * report.json and report.html (inline SVG charts, no network needed).
 *
 * Contract:
 *  - Plain C, no I/O except sim_report_write / sim_report_summary.  Not
 *    thread-safe: one thread records (the simulator's event loop).
 *  - All strings are copied (borrowed only for the call); they are cleaned
 *    on the way in (invalid UTF-8 bytes become '?', control characters a
 *    space) and truncated to the caps below.
 *  - Every function accepts m == NULL (and then does nothing) and NULL
 *    strings where a string is optional; non-finite numbers are ignored or
 *    taken as 0, so the reports never hold NaN or infinity.
 *  - Memory is bounded: every table has a cap (below).  Past a cap, names
 *    are counted under "(other)", bins and pickers only in the totals, and
 *    the time series halves its resolution (buckets of 1 simulated second,
 *    merged pairwise when the run outgrows SIM_TS_CAP buckets), so the
 *    recorder never holds more than SIM_METRICS_MAX_BYTES.
 *  - Latencies go into HDR-style log-bucketed histograms (128 sub-buckets
 *    per power of two of nanoseconds: a bucket is at most 0.79 % wide), so
 *    every percentile is right within that width.  Recording is O(1) apart
 *    from hashing the method name.
 */
#ifndef WMS_SIM_METRICS_H
#define WMS_SIM_METRICS_H

#include <stddef.h>
#include <stdio.h>

/* caps (see the contract above) */
#define SIM_MAX_INFO 32        /* run-description keys */
#define SIM_MAX_INFO_VALUE 512 /* bytes of one value; keys SIM_MAX_NAME */
#define SIM_MAX_NAME 63        /* bytes of a method, error code, fault kind, aisle id */
#define SIM_MAX_METHODS 64     /* distinct methods; more count as "(other)" */
#define SIM_MAX_CODES 64       /* distinct error codes; more count as "(other)" */
#define SIM_MAX_FAULTS 32      /* distinct fault kinds; more count as "(other)" */
#define SIM_MAX_AISLES 4096
#define SIM_MAX_CROSS 128
#define SIM_MAX_BINS 65536                /* bins with a position or a pick; more only in totals */
#define SIM_MAX_BIN_CODE 63               /* bytes of a bin code */
#define SIM_MAX_PICKERS 4096              /* pickers with their own counters; more only in totals */
#define SIM_ROUTE_PICKERS 6               /* pickers whose routes are drawn (the first to walk) */
#define SIM_ROUTE_TOURS 3                 /* complete tours drawn per picker */
#define SIM_ROUTE_POINTS 2048             /* route points kept per drawn picker */
#define SIM_TS_CAP 600                    /* time-series buckets */
#define SIM_RECENT 2048                   /* latencies of the latest calls, for the progress line */
#define SIM_MAX_DETAIL 4096               /* bytes of the ledger detail */
#define SIM_METRICS_MAX_BYTES (16u << 20) /* what all the caps add up to (rounded up) */

typedef struct sim_metrics sim_metrics;

sim_metrics *sim_metrics_new(void); /* NULL on no memory */
void sim_metrics_free(sim_metrics *m);

/* run description (shown in the report header): "seed", "scenario", "server", ... */
void sim_metrics_info(sim_metrics *m, const char *key, const char *value);
void sim_metrics_run(sim_metrics *m, int pickers, int receivers, int serial_pickers,
                     double sim_seconds, double real_seconds, double speed);

/* layout, for the heat map and the route drawings (metres; depot at (x,y)) */
void sim_metrics_layout_aisle(sim_metrics *m, const char *id, double x_m, double length_m);
void sim_metrics_layout_cross(sim_metrics *m, double y_m);
void sim_metrics_layout_depot(sim_metrics *m, double x_m, double y_m);
void sim_metrics_bin(sim_metrics *m, const char *code, double x_m, double y_m);

/* events; t_s = simulated seconds since the start; latency = real wall-clock ms of the RPC;
 * error_code NULL = success */
void sim_metrics_call(sim_metrics *m, double t_s, const char *method, double latency_ms,
                      const char *error_code);
void sim_metrics_pick(sim_metrics *m, double t_s, int picker, const char *bin, long long units);
void sim_metrics_short(sim_metrics *m, double t_s, int picker, const char *bin, long long missing);
/* picker walked dist_m to (x,y) */
void sim_metrics_walk(sim_metrics *m, int picker, double x_m, double y_m, double dist_m);
/* a tour finished (route drawing splits here) */
void sim_metrics_tour_end(sim_metrics *m, int picker);
/* an injected fault: wrong_bin, wrong_item, unreadable, short, drop, dup_frame,
 * serial_corrupt, restart */
void sim_metrics_fault(sim_metrics *m, const char *kind);
void sim_metrics_receipt(sim_metrics *m, double t_s, long long units);
void sim_metrics_open_tasks(sim_metrics *m, double t_s, long long open);
/* detail: the first problems, may be NULL */
void sim_metrics_ledger(sim_metrics *m, int ok, long long checked, long long lost,
                        long long doubled, const char *detail);

/* output */
/* One status line, no newline: simulated elapsed time, picks (and picks per
 * minute over the last simulated minute), open tasks, calls, errors, p50/p99
 * of the latest SIM_RECENT calls.  Returns what snprintf returns, or -1 for
 * NULL m / buf or n == 0. */
int sim_metrics_progress(const sim_metrics *m, double t_s, char *buf, size_t n);
/* the end-of-run table */
void sim_report_summary(const sim_metrics *m, FILE *out);
/* Writes dir/report.json and dir/report.html (dir is created if missing; each
 * file through a temporary renamed into place); 0 or -errno. */
int sim_report_write(const sim_metrics *m, const char *dir);

/* ---- additions (not in the original interface) ---- */

/* Bytes the recorder holds now (its own allocations, counted exactly);
 * never more than SIM_METRICS_MAX_BYTES. */
size_t sim_metrics_memory(const sim_metrics *m);

/* Latency percentile (q in [0, 1], nearest rank) of one method, or of all
 * calls when method is NULL, in ms; 0 when there are no calls.  Within one
 * histogram bucket (< 0.79 %) of the exact sample value. */
double sim_metrics_latency_ms(const sim_metrics *m, const char *method, double q);

/* Writes only report.json / only report.html to the open stream `out`.
 * Return 0 or -errno (EIO when the stream reports a write error). */
int sim_report_json(const sim_metrics *m, FILE *out);
int sim_report_html(const sim_metrics *m, FILE *out);

#endif
