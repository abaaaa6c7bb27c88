/*
 * bench_route.c - picker routing benchmark on a Henn-style layout.
 *
 * Layout: 10 aisles at a 5 m pitch (x = 0, 5, ..., 45), 45 cells of 1 m on
 * each side, 1.5 m from the last cell to each cross aisle, so L = 48 m and
 * cell j (1..45) is picked at y = j + 1; depot at the front of the leftmost
 * aisle (x 0).  The 2-block variant adds a middle cross aisle (no width, as
 * in the distance model) at y = 23.5 m, between cells 22 and 23.
 *
 * For 5, 9, 10, 20, 30 and 60 picks, 1000 pick lists each (uniform over the
 * 900 storage cells, fixed seed), prints the average tour length of the
 * optimal route (Ratliff-Rosenthal; on the 2-block layout the 2-opt/Or-opt
 * heuristic), S-shape and largest gap, their excess over the optimal
 * (ratio of the averages), the gap to brute force for 5 and 9 picks, and
 * the time per route.  --summary FILE appends one line per size
 * ("route layout=1block picks=N wms_m=... sshape_m=... brute_m=...") for
 * bench/run.sh.
 *
 * Build: gcc -O2 -I engine/include -I engine/src bench/bench_route.c \
 *            engine/src/domain/route.c engine/src/core/error.c -lm
 */
#include "domain/route.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_LISTS 1000
#define MAX_N 60
#define N_AISLES 10
#define N_CELLS 45

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

typedef int (*route_fn)(const wms_layout *, const wms_pick_loc *, int, int *, double *,
                        const char **, wms_error *);

typedef struct result {
    double sum; /* total distance over the lists */
    double us;  /* total time */
    int failed; /* lists the method could not route (unsupported) */
    double d[N_LISTS];
} result;

static wms_pick_loc lists[N_LISTS][MAX_N];

/* Routes every list of n picks with fn, timing the whole batch, then checks
 * each returned distance against the measured length of its order. */
static void run(route_fn fn, const wms_layout *l, int n, result *r)
{
    static int orders[N_LISTS][MAX_N];
    int rc[N_LISTS];
    wms_error err = {0};
    double t0 = now_us();
    for (int i = 0; i < N_LISTS; i++)
        rc[i] = fn(l, lists[i], n, orders[i], &r->d[i], NULL, &err);
    r->us = now_us() - t0;
    for (int i = 0; i < N_LISTS; i++) {
        if (rc[i] == WMS_EUNSUPPORTED) {
            r->failed++;
            continue;
        }
        if (rc[i] != 0) {
            fprintf(stderr, "routing failed: %s\n", err.msg);
            exit(1);
        }
        double check = wms_route_tour_length(l, lists[i], orders[i], n);
        if (fabs(check - r->d[i]) > 1e-9 * (1 + r->d[i])) {
            fprintf(stderr, "distance %.9f differs from the measured %.9f\n", r->d[i], check);
            exit(1);
        }
        r->sum += r->d[i];
    }
}

/* One table for layout l; with summary, one line per size: tag, the
 * averages of wms_route_optimal (what waves use), S-shape, largest gap and
 * brute force (the optimum; "-" where not run). */
static void bench_layout(const char *title, const char *tag, const wms_layout *l, FILE *summary)
{
    static const int sizes[] = {5, 9, 10, 20, 30, 60};
    static result opt, ss, lg, bf;
    printf("\n%s\n", title);
    printf("%5s | %10s | %10s %7s | %10s %7s | %18s | %9s %9s %9s\n", "picks", "optimal m",
           "s-shape m", "excess", "l-gap m", "excess", "vs brute", "us opt", "us s-sh", "us l-gap");
    for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
        int n = sizes[si];
        rng_state = 12345u + (uint64_t)n; /* the same lists on both layouts */
        for (int i = 0; i < N_LISTS; i++) {
            for (int k = 0; k < n; k++) {
                int aisle = (int)(rng_next() % N_AISLES);
                int cell = 1 + (int)(rng_next() % (2 * N_CELLS)) / 2; /* either side */
                lists[i][k] = (wms_pick_loc){.aisle = aisle, .y = cell + 1.0};
            }
        }
        memset(&opt, 0, sizeof(opt));
        memset(&ss, 0, sizeof(ss));
        memset(&lg, 0, sizeof(lg));
        memset(&bf, 0, sizeof(bf));
        run(wms_route_optimal, l, n, &opt);
        run(wms_route_sshape, l, n, &ss);
        run(wms_route_largest_gap, l, n, &lg);
        char gap[32] = "-";
        if (n <= WMS_ROUTE_BRUTE_MAX) {
            run(wms_route_bruteforce, l, n, &bf);
            double max_gap = 0;
            for (int i = 0; i < N_LISTS; i++) {
                if ((opt.d[i] - bf.d[i]) / bf.d[i] > max_gap)
                    max_gap = (opt.d[i] - bf.d[i]) / bf.d[i];
            }
            snprintf(gap, sizeof(gap), "%.2f%% (max %.1f%%)", 100.0 * (opt.sum / bf.sum - 1.0),
                     100.0 * max_gap);
        }
        char lgs[24] = "n/a", lgx[16] = "", lgt[16] = "n/a";
        if (lg.failed == 0) {
            snprintf(lgs, sizeof(lgs), "%.1f", lg.sum / N_LISTS);
            snprintf(lgx, sizeof(lgx), "%+.1f%%", 100.0 * (lg.sum / opt.sum - 1.0));
            snprintf(lgt, sizeof(lgt), "%.1f", lg.us / N_LISTS);
        }
        printf("%5d | %10.1f | %10.1f %+6.1f%% | %10s %7s | %18s | %9.1f %9.1f %9s\n", n,
               opt.sum / N_LISTS, ss.sum / N_LISTS, 100.0 * (ss.sum / opt.sum - 1.0), lgs, lgx, gap,
               opt.us / N_LISTS, ss.us / N_LISTS, lgt);
        if (summary) {
            char bfs[32] = "-";
            if (n <= WMS_ROUTE_BRUTE_MAX)
                snprintf(bfs, sizeof(bfs), "%.3f", bf.sum / N_LISTS);
            fprintf(
                summary,
                "route layout=%s picks=%d lists=%d wms_m=%.3f sshape_m=%.3f lgap_m=%s brute_m=%s\n",
                tag, n, N_LISTS, opt.sum / N_LISTS, ss.sum / N_LISTS, lg.failed == 0 ? lgs : "-",
                bfs);
        }
    }
}

int main(int argc, char **argv)
{
    FILE *summary = NULL;
    if (argc == 3 && !strcmp(argv[1], "--summary")) {
        if ((summary = fopen(argv[2], "a")) == NULL) {
            fprintf(stderr, "bench_route: cannot open %s\n", argv[2]);
            return 1;
        }
    } else if (argc != 1) {
        fprintf(stderr, "usage: bench_route [--summary FILE]\n");
        return 2;
    }
    double x[N_AISLES];
    for (int i = 0; i < N_AISLES; i++)
        x[i] = 5.0 * i;
    double cross[] = {23.5};
    wms_layout one = {.n_aisles = N_AISLES, .aisle_x = x, .length = 48.0, .depot_x = 0.0};
    wms_layout two = one;
    two.n_cross = 1;
    two.cross_y = cross;
    printf("Picker routing, 1000 random pick lists per size, uniform demand over 900 cells.\n"
           "Excess = (average / average optimal - 1); vs brute = gap of the 'optimal' column\n"
           "to exhaustive search (average, max).  Times in microseconds per route.\n");
    bench_layout("Henn layout, single block (10 aisles x 45 cells, 5 m pitch, L 48 m, depot "
                 "front-left); optimal = Ratliff-Rosenthal",
                 "1block", &one, summary);
    bench_layout("Henn layout, 2 blocks (middle cross aisle at y 23.5 m); 'optimal' = "
                 "2-opt/Or-opt heuristic, s-shape = simple single-block order",
                 "2block", &two, summary);
    if (summary)
        fclose(summary);
    return 0;
}
