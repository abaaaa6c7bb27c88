/*
 * metrics_internal.h - the recorder's state, shared by metrics.c (recording)
 * and the report writers (report.c, report_html.c).  Not part of the
 * interface: only sim/metrics*.c and sim/report*.c include it.
 */
#ifndef WMS_SIM_METRICS_INTERNAL_H
#define WMS_SIM_METRICS_INTERNAL_H

#include "hdr.h"
#include "metrics.h"

#include <stdint.h>

#define SIM_TS_LAT_N SIM_HDR_NBUCKETS(SIM_HDR_COARSE_BITS)
#define SIM__OTHER "(other)"
#define SIM__CHUNK 65536 /* bytes of one string-arena chunk */
#define SIM__MAX_CHUNKS (SIM_MAX_BINS * (SIM_MAX_BIN_CODE + 1) / SIM__CHUNK + 2)

typedef struct sim__kv {
    char key[SIM_MAX_NAME + 1];
    char value[SIM_MAX_INFO_VALUE + 1];
} sim__kv;

/* a named counter: methods (with a latency histogram), error codes, faults */
typedef struct sim__named {
    char name[SIM_MAX_NAME + 1];
    uint32_t hash;
    uint64_t count, errors;
    sim_hdr lat; /* methods only */
} sim__named;

typedef struct sim__table {
    sim__named *v; /* cap + 1 entries; the last one is "(other)" */
    int n, cap, other_used;
    int with_lat;
} sim__table;

typedef struct sim__aisle {
    char id[SIM_MAX_NAME + 1];
    double x, length;
} sim__aisle;

typedef struct sim__bin {
    const char *code; /* in the string arena */
    double x, y;
    uint64_t picks, units, shorts;
    uint32_t hash;
    int has_pos;
} sim__bin;

typedef struct sim__route {
    int picker;
    int n;                               /* points used */
    float *x, *y;                        /* SIM_ROUTE_POINTS each */
    int tour_start[SIM_ROUTE_TOURS + 1]; /* point index where each tour starts */
    double tour_dist[SIM_ROUTE_TOURS + 1];
    int tours;     /* complete tours kept */
    int full;      /* SIM_ROUTE_TOURS tours kept: no more recording */
    int truncated; /* ran out of points */
} sim__route;

typedef struct sim__picker {
    int id;
    uint64_t picks, units, shorts, tours;
    double dist;
    double x, y;
    int has_pos;
    int route; /* index into routes, or -1 */
} sim__picker;

typedef struct sim__tsb {
    uint64_t calls, errors, picks, shorts;
    long long units, received;
    long long open; /* last value reported in the bucket, or -1 */
    uint32_t lat[SIM_TS_LAT_N];
} sim__tsb;

struct sim_metrics {
    size_t bytes; /* own allocations, counted by metrics__alloc */

    sim__kv info[SIM_MAX_INFO];
    int n_info;
    int run_set;
    int pickers, receivers, serial_pickers;
    double sim_seconds, real_seconds, speed;

    /* layout */
    sim__aisle *aisles;
    int n_aisles;
    double cross[SIM_MAX_CROSS];
    int n_cross;
    double depot_x, depot_y;
    int has_depot;

    /* bins: open-addressing hash of indexes into bins */
    sim__bin *bins;
    int n_bins, bins_alloc;
    int32_t *bin_slot;
    int bin_slots;                 /* power of two, 2 * SIM_MAX_BINS when full */
    char *chunks[SIM__MAX_CHUNKS]; /* string arena for bin codes */
    int n_chunks;
    size_t chunk_used;       /* bytes used in the last chunk */
    uint64_t unplaced_picks; /* picks in bins beyond the cap */

    /* pickers */
    sim__picker *pk;
    int n_pk, pk_alloc;
    int32_t pk_slot[2 * SIM_MAX_PICKERS];
    sim__route routes[SIM_ROUTE_PICKERS];
    int n_routes;

    /* calls */
    sim__table methods, codes, faults;
    sim_hdr all;
    uint64_t calls, errors, lat_missing;
    float recent[SIM_RECENT]; /* ms */
    uint64_t n_recent;        /* calls written to the ring */

    /* picking, receiving, tasks */
    uint64_t picks, shorts, tours, walks, receipts;
    long long units, missing, received;
    double dist;
    long long open_last;
    int open_set;
    double t_last; /* latest event time */

    /* time series */
    sim__tsb *ts;
    int ts_n;        /* buckets in use */
    double ts_width; /* seconds per bucket: 1, 2, 4, ... */

    /* ledger */
    int ledger_set, ledger_ok;
    long long ledger_checked, ledger_lost, ledger_doubled;
    char ledger_detail[SIM_MAX_DETAIL + 1];
};

/* figures derived once for all the reports */
typedef struct sim__derived {
    double sim_s; /* simulated seconds of the run */
    int pickers;  /* run's pickers, or pickers seen */
    double picks_per_min, picks_per_picker_hour, calls_per_s;
    double m_per_pick; /* walking distance per pick */
    double units_per_pick;
} sim__derived;

/* metrics.c: allocation counted in m->bytes (calloc; grow doubles an array of
 * *alloc elements up to cap, -1 at the cap or on no memory), string cleaning
 * (see metrics.h; returns the length), FNV-1a hash, max(v, 0) of finite v */
void *metrics__calloc(sim_metrics *m, size_t n, size_t size);
int metrics__grow(sim_metrics *m, void **pp, int *alloc, int need, int cap, size_t size);
size_t metrics__clean(char *dst, size_t cap, const char *src, int keep_nl);
uint32_t metrics__hash(const char *s);
/* FNV-1a hash of s into *h when s is "plain" (1..max bytes of printable
 * ASCII, so cleaning leaves it as it is): 0, else -1 */
int metrics__plain_hash(const char *s, size_t max, uint32_t *h);
double metrics__nonneg(double v);

/* metrics_layout.c: the bin with this code (created without a position when
 * new) and the counters of a picker (created when new); NULL past the caps,
 * for an empty code, or on no memory */
sim__bin *metrics__bin(sim_metrics *m, const char *raw);
sim__picker *metrics__picker(sim_metrics *m, int id);

void metrics__derive(const sim_metrics *m, sim__derived *d);
/* ns -> ms for output; never NaN */
double metrics__ms(uint64_t ns);
/* Entries of a table in report order (count descending, then name; the
 * "(other)" entry last when used).  Fills idx (cap + 1 ints), returns count. */
int metrics__sorted(const sim__table *t, int *idx);
/* finite(v) ? v : 0 */
double metrics__finite(double v);
/* formats seconds as H:MM:SS (or M:SS) into buf */
void metrics__hms(double s, char *buf, size_t n);
const char *metrics__info(const sim_metrics *m, const char *key); /* NULL if unset */

/* report_html.c: the page (header, cards, tables, sections) */
int report__html(const sim_metrics *m, FILE *out);

/* report_svg.c: the inline SVG drawings, written to an HTML stream */
void svg__esc(FILE *f, const char *s);        /* text / attribute escaping for HTML and XML */
void svg__num(char *buf, size_t n, double v); /* compact tick label: 0.5, 12, 3.4k, 1.2M */
/* opens <svg class=cls viewBox="0 0 w h"> with label as aria-label and <title> */
void svg__open(FILE *f, const char *cls, double w, double h, const char *label);

typedef struct svg__series {
    const char *name, *color;
    const double *y; /* NaN = no value (a gap in the line) */
    int dashed;
} svg__series;

typedef struct svg__chart {
    const char *label; /* aria label / <title> */
    const char *xlabel, *ylabel;
    const double *x; /* n x values (ascending) */
    int n;
    double xmax; /* x axis from 0 to xmax */
    int logy;    /* logarithmic y axis */
    int area;    /* fill under the first series */
} svg__chart;

void svg__lines(FILE *f, const svg__chart *c, const svg__series *s, int ns);
void svg__latency_hist(FILE *f, const sim_hdr *h);

/* rectangles in the heat map before it sums bins per grid cell instead */
#define SIM__HEAT_MAX_RECTS 20000

/* report_map.c: layout geometry shared by the heat map and the route drawings */
typedef struct svg__geo {
    double *ax; /* aisle x, ascending, distinct */
    int na;
    double stops[SIM_MAX_CROSS + 2]; /* cross aisles incl. front (0) and back (L) */
    int ns;
    double L;              /* y of the back cross aisle */
    double pitch;          /* aisle pitch (m) */
    double colw, cellh;    /* bin drawing width of a bin group, height of a bin */
    double x0, x1, y0, y1; /* bounding box (m) */
    struct svg__grp *grp;  /* bins grouped by position */
    int ngrp;
    int *members; /* bin indexes, grouped: grp[i].first .. + grp[i].k */
    uint64_t max_picks;
} svg__geo;

typedef struct svg__grp {
    double x, y;
    int first, k;
} svg__grp;

/* 0, 1 when there is nothing to draw (no aisles, no placed bins), -1 on no memory */
int svg__geo_build(const sim_metrics *m, svg__geo *g);
void svg__geo_free(svg__geo *g);
void svg__heatmap(FILE *f, const sim_metrics *m, const svg__geo *g);
void svg__route(FILE *f, const sim_metrics *m, const svg__geo *g, const sim__route *r);

#endif
