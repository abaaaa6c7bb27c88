/*
 * bench_carton.c - cartonization on generated orders of 1-30 units.
 *
 * Box set: nine shipping boxes of an e-commerce warehouse (flat, small,
 * medium, large, long; 5-30 kg).  Catalogue: 300 items, mixed small/medium/
 * flat/long shapes, densities 0.1-1.2 g/cm3, 2% without dimensions.  Orders
 * (fixed seed): units uniform in 1..30, over 1-8 distinct items.
 *
 * For each order both wms_carton_pack (the full heuristic) and the
 * WMS_CARTON_QUICK baseline (FFD by volume, first fit, largest box, shrink)
 * run; per size band the table shows boxes per order, the share of orders
 * at the box-count lower bound LB = max(ceil(units volume / largest box
 * volume), ceil(units weight / largest weight limit), 1), the fill rate
 * (units volume / volume of the boxes used: the volume lower bound over the
 * achieved volume) and the time per order (CPU time of the calling thread,
 * so that other work on a shared machine does not inflate it).  Every
 * proposal is checked (inside the box, no overlap, weight) and a failure
 * exits 1.
 *
 *   bench_carton [--orders N] [--seed S] [--summary FILE] [--dir DIR]
 *
 * --summary appends one line per size band to FILE for bench/summary.awk:
 *   carton band=all orders= boxes= quick_boxes= lb= at_lb= fill= quick_fill=
 *          us_mean= us_p99=
 * --dir is accepted for bench/run.sh and unused (nothing is written there).
 */
#include "domain/carton.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N_ITEMS 300
#define MAX_LINES 8
#define MAX_UNITS 30

static uint64_t rng_state;
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static int64_t rnd(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static const wms_box_type boxes[] = {
    {"FLAT-S", 250, 180, 40, 3000, 60},  {"FLAT-L", 350, 250, 60, 5000, 90},
    {"S", 200, 150, 100, 5000, 90},      {"M", 300, 200, 150, 10000, 150},
    {"L", 400, 300, 200, 15000, 250},    {"XL", 500, 400, 300, 20000, 400},
    {"XXL", 600, 400, 400, 30000, 550},  {"LONG", 800, 150, 150, 15000, 300},
    {"CUBE", 350, 350, 350, 25000, 350},
};
#define N_BOXES ((int)(sizeof(boxes) / sizeof(boxes[0])))

static wms_carton_item catalogue[N_ITEMS];

static void make_catalogue(void)
{
    for (int i = 0; i < N_ITEMS; i++) {
        wms_carton_item *it = &catalogue[i];
        memset(it, 0, sizeof(*it));
        it->item_id = i + 1;
        snprintf(it->sku, sizeof(it->sku), "SKU-%03d", i + 1);
        int shape = (int)rnd(0, 9);
        if (shape <= 4) { /* small: cosmetics, phone cases, books */
            it->length_mm = rnd(40, 160), it->width_mm = rnd(30, 120), it->height_mm = rnd(10, 80);
        } else if (shape <= 6) { /* medium: shoes, kitchenware */
            it->length_mm = rnd(150, 350), it->width_mm = rnd(100, 250),
            it->height_mm = rnd(60, 180);
        } else if (shape == 7) { /* flat: clothing, prints */
            it->length_mm = rnd(150, 330), it->width_mm = rnd(100, 230), it->height_mm = rnd(5, 30);
        } else if (shape == 8) { /* long: umbrellas, tubes */
            it->length_mm = rnd(350, 750), it->width_mm = rnd(30, 120),
            it->height_mm = rnd(30, 120);
        } else { /* bulky */
            it->length_mm = rnd(250, 480), it->width_mm = rnd(200, 380),
            it->height_mm = rnd(150, 280);
        }
        double density = 0.1 + 1.1 * (double)rnd(0, 1000) / 1000.0; /* g/cm3 */
        it->weight_g =
            (int64_t)((double)(it->length_mm * it->width_mm * it->height_mm) / 1000.0 * density) +
            1;
        if (it->weight_g > 12000)
            it->weight_g = 12000;
        if (rnd(0, 49) == 0) /* 2% without dimensions */
            it->length_mm = it->width_mm = it->height_mm = 0;
    }
}

/* Checks a proposal (inside, no overlap, weight); returns 0 when valid. */
static int check(const wms_carton_result *r)
{
    for (int b = 0; b < r->nbox; b++) {
        const wms_carton_box *bx = &r->box[b];
        const wms_box_type *t = &r->types[bx->type];
        int64_t g = 0;
        for (int k = bx->first_place; k < bx->first_place + bx->units; k++) {
            const wms_carton_place *p = &r->place[k];
            g += r->items[p->item].weight_g;
            if (!p->placed)
                continue;
            if (p->x_mm < 0 || p->y_mm < 0 || p->z_mm < 0 || p->x_mm + p->dx_mm > t->length_mm ||
                p->y_mm + p->dy_mm > t->width_mm || p->z_mm + p->dz_mm > t->height_mm)
                return 1;
            for (int m = bx->first_place; m < k; m++) {
                const wms_carton_place *q = &r->place[m];
                if (q->placed && p->x_mm < q->x_mm + q->dx_mm && q->x_mm < p->x_mm + p->dx_mm &&
                    p->y_mm < q->y_mm + q->dy_mm && q->y_mm < p->y_mm + p->dy_mm &&
                    p->z_mm < q->z_mm + q->dz_mm && q->z_mm < p->z_mm + p->dz_mm)
                    return 1;
            }
        }
        if (g > t->max_weight_g)
            return 1;
    }
    return 0;
}

typedef struct band {
    const char *name;
    int lo, hi;
    long orders, units, boxes, quick_boxes, at_lb, quick_at_lb, lb;
    double units_vol, box_vol, quick_box_vol;
    double us_sum, us_max, quick_us;
    double *us; /* per order, for percentiles */
} band;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int n_orders = 3000;
    uint64_t seed = 42;
    const char *summary = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--orders"))
            n_orders = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed"))
            seed = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--summary"))
            summary = argv[i + 1];
        else if (strcmp(argv[i], "--dir")) {
            fprintf(stderr, "bench_carton: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (n_orders < 1 || n_orders > 1000000) {
        fprintf(stderr, "bench_carton: --orders 1..1000000\n");
        return 2;
    }
    rng_state = seed;
    make_catalogue();
    int64_t max_vol = 0, max_w = 0;
    for (int t = 0; t < N_BOXES; t++) {
        if (wms_box_type_volume(&boxes[t]) > max_vol)
            max_vol = wms_box_type_volume(&boxes[t]);
        if (boxes[t].max_weight_g > max_w)
            max_w = boxes[t].max_weight_g;
    }
    band bands[] = {{.name = "1-5", .lo = 1, .hi = 5},
                    {.name = "6-10", .lo = 6, .hi = 10},
                    {.name = "11-20", .lo = 11, .hi = 20},
                    {.name = "21-30", .lo = 21, .hi = 30},
                    {.name = "all", .lo = 1, .hi = MAX_UNITS}};
    int nb = (int)(sizeof(bands) / sizeof(bands[0]));
    for (int b = 0; b < nb; b++)
        if ((bands[b].us = calloc((size_t)n_orders, sizeof(double))) == NULL)
            return 1;
    long failures = 0, skipped = 0;
    for (int o = 0; o < n_orders; o++) {
        int units = (int)rnd(1, MAX_UNITS);
        int lines = (int)rnd(1, units < MAX_LINES ? units : MAX_LINES);
        wms_carton_item it[MAX_LINES];
        for (int l = 0; l < lines; l++) {
            it[l] = catalogue[rnd(0, N_ITEMS - 1)];
            it[l].qty = 1;
        }
        for (int u = lines; u < units; u++)
            it[rnd(0, lines - 1)].qty++;
        wms_carton_result r, q;
        wms_error err = {0};
        double t0 = now_us();
        int rc = wms_carton_pack(boxes, N_BOXES, it, lines, 0, &r, &err);
        double us = now_us() - t0;
        if (rc == WMS_EITEM_TOO_LARGE) { /* a generated item fits no box: not counted */
            skipped++;
            continue;
        }
        if (rc != 0) {
            fprintf(stderr, "bench_carton: order %d: %s\n", o, err.msg);
            return 1;
        }
        double t1 = now_us();
        if (wms_carton_pack(boxes, N_BOXES, it, lines, WMS_CARTON_QUICK, &q, &err) != 0)
            return 1;
        double qus = now_us() - t1;
        failures += check(&r) + check(&q);
        double uv = 0, uw = 0;
        for (int l = 0; l < lines; l++) {
            uv += (double)(it[l].length_mm * it[l].width_mm * it[l].height_mm) * (double)it[l].qty;
            uw += (double)it[l].weight_g * (double)it[l].qty;
        }
        long lb = (long)((uv + (double)max_vol - 1) / (double)max_vol);
        long lbw = (long)((uw + (double)max_w - 1) / (double)max_w);
        if (lbw > lb)
            lb = lbw;
        if (lb < 1)
            lb = 1;
        for (int b = 0; b < nb; b++) {
            band *B = &bands[b];
            if (units < B->lo || units > B->hi)
                continue;
            B->us[B->orders] = us;
            B->orders++;
            B->units += units;
            B->boxes += r.nbox;
            B->quick_boxes += q.nbox;
            B->lb += lb;
            B->at_lb += r.nbox == lb;
            B->quick_at_lb += q.nbox == lb;
            B->units_vol += (double)r.units_volume_mm3;
            B->box_vol += (double)r.box_volume_mm3;
            B->quick_box_vol += (double)q.box_volume_mm3;
            B->us_sum += us;
            B->quick_us += qus;
            if (us > B->us_max)
                B->us_max = us;
        }
        wms_carton_result_free(&r);
        wms_carton_result_free(&q);
    }
    printf("%d orders (seed %llu), %d box types, %d items; %ld orders skipped (an item fits no "
           "box)\n",
           n_orders, (unsigned long long)seed, N_BOXES, N_ITEMS, skipped);
    printf("%-6s %6s %6s | %7s %7s %7s | %7s %7s | %7s %7s | %8s %8s %8s %8s | %8s\n", "units",
           "orders", "u/ord", "boxes", "quick", "LB", "@LB", "q@LB", "fill", "q fill", "us mean",
           "us p50", "us p99", "us max", "q us");
    FILE *sf = summary ? fopen(summary, "a") : NULL;
    for (int b = 0; b < nb; b++) {
        band *B = &bands[b];
        if (B->orders == 0)
            continue;
        qsort(B->us, (size_t)B->orders, sizeof(double), cmp_double);
        double n = (double)B->orders;
        double p50 = B->us[(long)(0.5 * (n - 1))], p99 = B->us[(long)(0.99 * (n - 1))];
        printf("%-6s %6ld %6.1f | %7.2f %7.2f %7.2f | %6.1f%% %6.1f%% | %6.1f%% %6.1f%% | %8.0f "
               "%8.0f %8.0f %8.0f | %8.0f\n",
               B->name, B->orders, B->units / n, B->boxes / n, B->quick_boxes / n, B->lb / n,
               100.0 * B->at_lb / n, 100.0 * B->quick_at_lb / n, 100.0 * B->units_vol / B->box_vol,
               100.0 * B->units_vol / B->quick_box_vol, B->us_sum / n, p50, p99, B->us_max,
               B->quick_us / n);
        if (sf != NULL)
            fprintf(sf,
                    "carton band=%s orders=%ld boxes=%.3f quick_boxes=%.3f lb=%.3f at_lb=%.4f "
                    "fill=%.4f quick_fill=%.4f us_mean=%.1f us_p99=%.1f\n",
                    B->name, B->orders, B->boxes / n, B->quick_boxes / n, B->lb / n, B->at_lb / n,
                    B->units_vol / B->box_vol, B->units_vol / B->quick_box_vol, B->us_sum / n, p99);
        free(B->us);
    }
    if (sf != NULL)
        fclose(sf);
    printf("boxes: per order (full heuristic / quick FFD baseline / lower bound LB); @LB: orders "
           "using LB boxes;\nfill: units volume / volume of the boxes used (the volume lower bound "
           "over the achieved volume)\n");
    if (failures) {
        fprintf(stderr, "bench_carton: %ld invalid proposals\n", failures);
        return 1;
    }
    printf("every proposal checked: inside its box, no overlap, within the weight limit\n");
    return 0;
}
