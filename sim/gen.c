/* gen.c - the simulator's world (see gen.h). */
#include "gen.h"
#include "rng.h"

#include "client.h"
#include "core/csvin.h"
#include "core/date.h"
#include "domain/demogen.h"
#include "store/alloc.h"
#include "store/users.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- a small string -> index map (open addressing, keys borrowed) ---- */

typedef struct smap {
    size_t cap; /* power of two */
    const char **key;
    int *val;
} smap;

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static smap *smap_new(size_t n)
{
    smap *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    m->cap = 16;
    while (m->cap < n * 2 + 2)
        m->cap *= 2;
    m->key = calloc(m->cap, sizeof(*m->key));
    m->val = calloc(m->cap, sizeof(*m->val));
    if (m->key == NULL || m->val == NULL) {
        free(m->key);
        free(m->val);
        free(m);
        return NULL;
    }
    return m;
}

static void smap_free(smap *m)
{
    if (m == NULL)
        return;
    free(m->key);
    free(m->val);
    free(m);
}

/* Inserts key (borrowed; must outlive the map).  The map never fills: it
 * was sized for n keys. */
static void smap_put(smap *m, const char *key, int val)
{
    size_t i = (size_t)str_hash(key) & (m->cap - 1);
    while (m->key[i] != NULL && strcmp(m->key[i], key))
        i = (i + 1) & (m->cap - 1);
    m->key[i] = key;
    m->val[i] = val;
}

static int smap_get(const smap *m, const char *key)
{
    if (m == NULL || key == NULL)
        return -1;
    size_t i = (size_t)str_hash(key) & (m->cap - 1);
    while (m->key[i] != NULL) {
        if (!strcmp(m->key[i], key))
            return m->val[i];
        i = (i + 1) & (m->cap - 1);
    }
    return -1;
}

/* ---- dates ---- */

/* YYYY-MM-DD of `days` since 1970-01-01 (Howard Hinnant's civil_from_days). */
static void date_of_days(long days, char out[11])
{
    long z = days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char buf[32];
    snprintf(buf, sizeof(buf), "%04d-%02d-%02d", (int)(y % 10000), (int)(m % 100), (int)(d % 100));
    memcpy(out, buf, 10);
    out[10] = '\0';
}

/* ---- reading the generator's CSV back ---- */

typedef struct memfile {
    char *buf;
    size_t len;
    FILE *f;
} memfile;

enum { F_LAYOUT, F_ITEMS, F_PACKS, F_BARCODES, F_BINS, F_STOCK, F_CUSTOMERS, F_ORDERS, F_N };
static const char *const file_kind[F_N] = {"layout", "items", "packs",     "barcodes",
                                           "bins",   "stock", "customers", "orders"};

typedef struct parse_ctx {
    sim_world *w;
    const sim_scenario *s;
    int n_aisles_cap, n_cross_cap;
    int cap_items, cap_bins, cap_stock, cap_customers, cap_orders;
    /* barcodes: unit codes seen (to find shared ones) */
    smap *unit_codes;
    char (*code_store)[SIM_CODE_MAX];
    int n_codes, cap_codes;
} parse_ctx;

static int grow(void **p, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int nc = *cap ? *cap * 2 : 64;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, (size_t)nc * elem);
    if (q == NULL)
        return WMS_ENOMEM;
    memset((char *)q + (size_t)*cap * elem, 0, (size_t)(nc - *cap) * elem);
    *p = q;
    *cap = nc;
    return 0;
}

static void copy_str(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

static int layout_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    parse_ctx *p = ctx;
    sim_world *w = p->w;
    const char *kind = r->val[0];
    double x = atof(r->val[2]), y = atof(r->val[3]), len = atof(r->val[4]);
    if (!strcmp(kind, "depot")) {
        w->depot_x = x;
    } else if (!strcmp(kind, "aisle")) {
        if (grow((void **)&w->aisle_x, &p->n_aisles_cap, w->n_aisles + 1, sizeof(double)) < 0)
            return wms_error_set(err, WMS_ENOMEM, "no memory for the layout");
        int cap = p->n_aisles_cap;
        char(*ids)[16] = realloc(w->aisle_id, (size_t)cap * sizeof(*ids));
        if (ids == NULL)
            return wms_error_set(err, WMS_ENOMEM, "no memory for the layout");
        w->aisle_id = ids;
        w->aisle_x[w->n_aisles] = x;
        copy_str(w->aisle_id[w->n_aisles], 16, r->val[1]);
        w->n_aisles++;
        if (len > w->length)
            w->length = len;
    } else if (!strcmp(kind, "cross")) {
        if (grow((void **)&w->cross_y, &p->n_cross_cap, w->n_cross + 1, sizeof(double)) < 0)
            return wms_error_set(err, WMS_ENOMEM, "no memory for the layout");
        w->cross_y[w->n_cross++] = y;
    }
    return 0;
}

static int items_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    parse_ctx *p = ctx;
    sim_world *w = p->w;
    if (grow((void **)&w->items, &p->cap_items, w->n_items + 1, sizeof(sim_item)) < 0)
        return wms_error_set(err, WMS_ENOMEM, "no memory for the items");
    sim_item *it = &w->items[w->n_items++];
    copy_str(it->sku, sizeof(it->sku), r->val[0]);
    it->shelf_days = r->val[1][0] ? atoi(r->val[1]) : 0;
    return 0;
}

static int packs_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    parse_ctx *p = ctx;
    int i = smap_get(p->w->item_map, r->val[0]);
    if (i < 0)
        return wms_error_set(err, WMS_EBAD_CSV, "packs: unknown sku %s", r->val[0]);
    if (!strcmp(r->val[1], "case"))
        p->w->items[i].case_units = atol(r->val[2]);
    else if (!strcmp(r->val[1], "inner"))
        p->w->items[i].inner_units = atol(r->val[2]);
    return 0;
}

static int barcodes_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    parse_ctx *p = ctx;
    sim_world *w = p->w;
    int i = smap_get(w->item_map, r->val[1]);
    if (i < 0)
        return wms_error_set(err, WMS_EBAD_CSV, "barcodes: unknown sku %s", r->val[1]);
    sim_item *it = &w->items[i];
    const char *code = r->val[0], *level = r->val[2];
    if (!strcmp(level, "case")) {
        copy_str(it->case_code, sizeof(it->case_code), code);
    } else if (!strcmp(level, "each")) {
        if (grow((void **)&p->code_store, &p->cap_codes, p->n_codes + 1, SIM_CODE_MAX) < 0)
            return wms_error_set(err, WMS_ENOMEM, "no memory for the barcodes");
        /* The map borrows keys from code_store, which may move: rebuilt below. */
        copy_str(p->code_store[p->n_codes++], SIM_CODE_MAX, code);
        if (it->unit_code[0] == '\0')
            copy_str(it->unit_code, sizeof(it->unit_code), code);
    }
    return 0;
}

static int bins_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    parse_ctx *p = ctx;
    sim_world *w = p->w;
    if (grow((void **)&w->bins, &p->cap_bins, w->n_bins + 1, sizeof(sim_bin)) < 0)
        return wms_error_set(err, WMS_ENOMEM, "no memory for the bins");
    sim_bin *b = &w->bins[w->n_bins];
    copy_str(b->code, sizeof(b->code), r->val[0]);
    copy_str(b->zone, sizeof(b->zone), r->val[1]);
    static const char *const types[] = {"pick", "reserve", "dock", "staging", "quarantine"};
    b->type = SIM_BIN_STAGING;
    for (int t = 0; t < 5; t++)
        if (!strcmp(r->val[2], types[t]))
            b->type = t;
    b->aisle = -1;
    for (int a = 0; a < w->n_aisles; a++)
        if (!strcmp(w->aisle_id[a], r->val[3]))
            b->aisle = a;
    if (b->aisle < 0)
        return wms_error_set(err, WMS_EBAD_CSV, "bins: %s stands in unknown aisle %s", b->code,
                             r->val[3]);
    b->y = atof(r->val[4]);
    b->capacity = r->val[6][0] ? atol(r->val[6]) : 0;
    b->blocked = r->val[7][0] == '1';
    if (!strcmp(b->code, "DOCK-01"))
        w->dock = w->n_bins;
    w->n_bins++;
    return 0;
}

static int stock_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    parse_ctx *p = ctx;
    sim_world *w = p->w;
    if (grow((void **)&w->stock, &p->cap_stock, w->n_stock + 1, sizeof(sim_stock)) < 0)
        return wms_error_set(err, WMS_ENOMEM, "no memory for the stock");
    sim_stock *q = &w->stock[w->n_stock];
    q->bin = smap_get(w->bin_map, r->val[0]);
    q->item = smap_get(w->item_map, r->val[1]);
    if (q->bin < 0 || q->item < 0)
        return wms_error_set(err, WMS_EBAD_CSV, "stock: unknown bin %s or sku %s", r->val[0],
                             r->val[1]);
    copy_str(q->lot, sizeof(q->lot), r->val[2]);
    copy_str(q->expiry, sizeof(q->expiry), r->val[3]);
    q->qty = atol(r->val[4]);
    q->hold = !strcmp(r->val[5], "hold");
    w->n_stock++;
    return 0;
}

static int customers_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    parse_ctx *p = ctx;
    sim_world *w = p->w;
    if (grow((void **)&w->customers, &p->cap_customers, w->n_customers + 1, sizeof(sim_customer)) <
        0)
        return wms_error_set(err, WMS_ENOMEM, "no memory for the customers");
    sim_customer *c = &w->customers[w->n_customers++];
    copy_str(c->code, sizeof(c->code), r->val[0]);
    c->credit = !strcmp(r->val[2], "red")      ? SIM_CREDIT_RED
                : !strcmp(r->val[2], "yellow") ? SIM_CREDIT_YELLOW
                                               : SIM_CREDIT_GREEN;
    c->hold_cents = r->val[3][0] ? (int64_t)llround(atof(r->val[3]) * 100) : -1;
    return 0;
}

static int orders_row(void *ctx, const wms_csv_row *r, wms_error *err)
{
    parse_ctx *p = ctx;
    sim_world *w = p->w;
    char ref[SIM_REF_MAX];
    const char *num = strchr(r->val[0], '-');
    snprintf(ref, sizeof(ref), "%s%s", p->s->order_prefix, num ? num : r->val[0]);
    sim_order *o = w->n_orders > 0 ? &w->orders[w->n_orders - 1] : NULL;
    if (o == NULL || strcmp(o->ref, ref)) {
        if (grow((void **)&w->orders, &p->cap_orders, w->n_orders + 1, sizeof(sim_order)) < 0)
            return wms_error_set(err, WMS_ENOMEM, "no memory for the orders");
        o = &w->orders[w->n_orders++];
        copy_str(o->ref, sizeof(o->ref), ref);
        o->customer = -1;
        for (int c = 0; c < w->n_customers; c++)
            if (!strcmp(w->customers[c].code, r->val[2]))
                o->customer = c;
        if (o->customer < 0)
            return wms_error_set(err, WMS_EBAD_CSV, "orders: unknown customer %s", r->val[2]);
        o->priority = atoi(r->val[5]);
        copy_str(o->carrier, sizeof(o->carrier), r->val[6]);
        copy_str(o->cutoff, sizeof(o->cutoff), r->val[7]);
        copy_str(o->ship_name, sizeof(o->ship_name), r->val[8]);
        copy_str(o->ship_street, sizeof(o->ship_street), r->val[9]);
        copy_str(o->ship_city, sizeof(o->ship_city), r->val[10]);
        copy_str(o->ship_postcode, sizeof(o->ship_postcode), r->val[11]);
        copy_str(o->ship_country, sizeof(o->ship_country), r->val[12]);
    }
    if (o->nlines >= SIM_ORDER_LINES_MAX)
        return wms_error_set(err, WMS_EBAD_CSV, "orders: %s has too many lines", ref);
    sim_order_line *l = &o->line[o->nlines++];
    l->item = smap_get(w->item_map, r->val[3]);
    if (l->item < 0)
        return wms_error_set(err, WMS_EBAD_CSV, "orders: unknown sku %s", r->val[3]);
    l->qty = atol(r->val[4]);
    l->min_shelf_days = r->val[13][0] ? atoi(r->val[13]) : 0;
    return 0;
}

#define COLS(...) ((const wms_csv_col[]){__VA_ARGS__})
#define NCOLS(...) ((int)(sizeof((const wms_csv_col[]){__VA_ARGS__}) / sizeof(wms_csv_col)))
#define READ(mf, cb, ...)                                                                          \
    wms_csv_read_mem((mf).buf, (mf).len, COLS(__VA_ARGS__), NCOLS(__VA_ARGS__), cb, &pc, err)

/* ---- derived data ---- */

static int by_demand(const void *a, const void *b)
{
    const sim_item *const *x = a, *const *y = b;
    if ((*x)->demand_lines != (*y)->demand_lines)
        return (*x)->demand_lines > (*y)->demand_lines ? -1 : 1;
    return strcmp((*x)->sku, (*y)->sku);
}

static int rank_items(sim_world *w)
{
    sim_item **v = malloc(sizeof(*v) * (size_t)w->n_items);
    if (v == NULL)
        return WMS_ENOMEM;
    for (int i = 0; i < w->n_items; i++)
        v[i] = &w->items[i];
    qsort(v, (size_t)w->n_items, sizeof(*v), by_demand);
    for (int i = 0; i < w->n_items; i++)
        v[i]->rank = i;
    free(v);
    return 0;
}

double sim_world_top_share(const sim_world *w, double share)
{
    int64_t total = 0, top = 0;
    int k = (int)ceil(share * w->n_items);
    for (int i = 0; i < w->n_items; i++) {
        total += w->items[i].demand_lines;
        if (w->items[i].rank < k)
            top += w->items[i].demand_lines;
    }
    return total > 0 ? (double)top / (double)total : 0;
}

/* Arrival times, prices, deliveries: the simulator's own part. */
static int add_shift(sim_world *w, const sim_scenario *s, wms_error *err)
{
    sim_rng r;
    sim_rng_seed(&r, s->seed, SIM_RNG_WORLD, 1);
    for (int i = 0; i < w->n_items; i++) /* 0.50 .. 30.00 */
        w->items[i].price_cents = 50 + sim_rng_below(&r, 2951);
    for (int o = 0; o < w->n_orders; o++)
        for (int l = 0; l < w->orders[o].nlines; l++) {
            sim_item *it = &w->items[w->orders[o].line[l].item];
            it->demand_lines++;
            it->demand_units += w->orders[o].line[l].qty;
        }
    if (rank_items(w) < 0)
        return wms_error_set(err, WMS_ENOMEM, "no memory for ranking");

    /* Orders: the backlog at t = 0, the rest spread over 90 % of the shift
     * (sorted uniform times: a Poisson stream conditioned on its count). */
    int backlog = (int)lround(s->backlog * w->n_orders);
    int rest = w->n_orders - backlog;
    double *t = rest > 0 ? malloc(sizeof(double) * (size_t)rest) : NULL;
    if (rest > 0 && t == NULL)
        return wms_error_set(err, WMS_ENOMEM, "no memory for arrivals");
    sim_rng_seed(&r, s->seed, SIM_RNG_WORLD, 2);
    for (int i = 0; i < rest; i++)
        t[i] = sim_rng_unit(&r) * 0.9 * s->duration_s;
    for (int i = 1; i < rest; i++) /* insertion sort: small n, stable */
        for (int j = i; j > 0 && t[j - 1] > t[j]; j--) {
            double x = t[j];
            t[j] = t[j - 1];
            t[j - 1] = x;
        }
    for (int o = 0; o < w->n_orders; o++)
        w->orders[o].arrive_s = o < backlog ? 0 : t[o - backlog];
    free(t);

    /* Deliveries: inbound_cover x the orders' units, drawn by demand. */
    int64_t demand = 0;
    for (int i = 0; i < w->n_items; i++)
        demand += w->items[i].demand_units;
    int nd = (int)lround(s->duration_s / s->inbound_every_s);
    nd = nd < 1 ? 1 : nd;
    int64_t budget = (int64_t)llround(s->inbound_cover * (double)demand);
    if (budget <= 0 || demand <= 0 || s->receivers == 0)
        return 0;
    w->deliveries = calloc((size_t)nd, sizeof(sim_delivery));
    if (w->deliveries == NULL)
        return wms_error_set(err, WMS_ENOMEM, "no memory for deliveries");
    int cap = 0;
    long today = wms_date_diff(w->today, "1970-01-01");
    sim_rng_seed(&r, s->seed, SIM_RNG_WORLD, 3);
    for (int d = 0; d < nd; d++) {
        sim_delivery *dv = &w->deliveries[w->n_deliveries++];
        double slot = s->duration_s / nd;
        dv->arrive_s = slot * d + slot * 0.5 * sim_rng_unit(&r);
        snprintf(dv->ref, sizeof(dv->ref), "ASN-%llu-%03d", (unsigned long long)s->seed, d + 1);
        dv->first = w->n_dlines;
        int64_t units = budget / nd;
        while (units > 0 && dv->n < 40) {
            /* the item: by demand units */
            int64_t x = sim_rng_below(&r, demand), acc = 0;
            int it = 0;
            for (; it < w->n_items - 1; it++) {
                acc += w->items[it].demand_units;
                if (x < acc)
                    break;
            }
            const sim_item *item = &w->items[it];
            if (grow((void **)&w->dlines, &cap, w->n_dlines + 1, sizeof(sim_delivery_line)) < 0)
                return wms_error_set(err, WMS_ENOMEM, "no memory for deliveries");
            sim_delivery_line *l = &w->dlines[w->n_dlines];
            int by_unit = item->case_code[0] == '\0' || item->case_units <= 0 ||
                          sim_rng_unit(&r) < s->unit_scan_share;
            l->item = it;
            l->by_unit = by_unit;
            l->packs = by_unit ? 1 + sim_rng_below(&r, 24) : 1 + sim_rng_below(&r, 4);
            if (item->shelf_days > 0) {
                long days = item->shelf_days / 2 + sim_rng_below(&r, item->shelf_days / 2 + 1);
                days = days < 20 ? 20 : days;
                date_of_days(today + days, l->expiry);
                snprintf(l->lot, sizeof(l->lot), "R%02d%03d", d % 100, dv->n + 1);
                l->gs1 = !by_unit && sim_rng_unit(&r) < s->gs1_share;
            }
            units -= by_unit ? l->packs : l->packs * item->case_units;
            w->n_dlines++;
            dv->n++;
        }
    }
    return 0;
}

int sim_world_build(const sim_scenario *s, const char *today, sim_world *w, wms_error *err)
{
    memset(w, 0, sizeof(*w));
    w->dock = -1;
    if (today == NULL || !wms_date_valid(today))
        return wms_error_set(err, WMS_EBAD_ARGS, "today '%s' is not YYYY-MM-DD",
                             today ? today : "");
    copy_str(w->today, sizeof(w->today), today);
    int orders = s->orders;
    if (orders == 0) {
        double hours = s->duration_s / 3600.0;
        orders = (int)ceil(s->pickers * hours * s->orders_per_picker_hour);
        orders = orders < 20 ? 20 : orders;
    }
    memfile mf[F_N];
    memset(mf, 0, sizeof(mf));
    int rc = 0;
    for (int i = 0; i < F_N; i++)
        if ((mf[i].f = open_memstream(&mf[i].buf, &mf[i].len)) == NULL) {
            rc = wms_error_set(err, WMS_ENOMEM, "no memory for the generated files");
            goto done;
        }
    wms_demo_opts o = {.seed = s->seed,
                       .bins = s->bins,
                       .items = s->items,
                       .customers = s->customers,
                       .orders = orders,
                       .today = today};
    wms_demo_out out = {mf[F_LAYOUT].f, mf[F_ITEMS].f, mf[F_PACKS].f,     mf[F_BARCODES].f,
                        mf[F_BINS].f,   mf[F_STOCK].f, mf[F_CUSTOMERS].f, mf[F_ORDERS].f};
    if ((rc = wms_demo_generate(&o, &out, err)) < 0)
        goto done;
    for (int i = 0; i < F_N; i++) {
        fclose(mf[i].f); /* sets buf and len */
        mf[i].f = NULL;
    }
    parse_ctx pc = {.w = w, .s = s};
    if ((rc = READ(mf[F_LAYOUT], layout_row, {"kind", true}, {"id", false}, {"x_m", false},
                   {"y_m", false}, {"length_m", false})) < 0 ||
        (rc = READ(mf[F_ITEMS], items_row, {"sku", true}, {"shelf_life_days", false},
                   {"description", false}, {"uom", false}, {"length_mm", false},
                   {"width_mm", false}, {"height_mm", false}, {"weight_g", false})) < 0)
        goto done;
    if ((w->item_map = smap_new((size_t)w->n_items)) == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "no memory for the item map");
        goto done;
    }
    for (int i = 0; i < w->n_items; i++)
        smap_put(w->item_map, w->items[i].sku, i);
    if ((rc = READ(mf[F_PACKS], packs_row, {"sku", true}, {"level", true}, {"units", true})) < 0 ||
        (rc = READ(mf[F_BARCODES], barcodes_row, {"code", true}, {"sku", true}, {"level", true})) <
            0 ||
        (rc = READ(mf[F_BINS], bins_row, {"code", true}, {"zone", false}, {"type", true},
                   {"aisle", true}, {"y_m", true}, {"level", false}, {"capacity", false},
                   {"blocked", false})) < 0)
        goto done;
    /* Unit codes used by more than one item are ambiguous. */
    if ((pc.unit_codes = smap_new((size_t)pc.n_codes)) == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "no memory for the code map");
        goto done;
    }
    for (int i = 0; i < pc.n_codes; i++) {
        int seen = smap_get(pc.unit_codes, pc.code_store[i]);
        smap_put(pc.unit_codes, pc.code_store[i], seen < 0 ? 1 : seen + 1);
    }
    for (int i = 0; i < w->n_items; i++) {
        sim_item *it = &w->items[i];
        if (it->unit_code[0] && smap_get(pc.unit_codes, it->unit_code) > 1) {
            it->ambiguous = 1;
            it->unit_code[0] = '\0'; /* the engine's internal code is scanned instead */
        }
    }
    if ((w->bin_map = smap_new((size_t)w->n_bins)) == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "no memory for the bin map");
        goto done;
    }
    for (int i = 0; i < w->n_bins; i++)
        smap_put(w->bin_map, w->bins[i].code, i);
    if ((rc = READ(mf[F_STOCK], stock_row, {"bin", true}, {"sku", true}, {"lot", false},
                   {"expiry", false}, {"qty", true}, {"status", false})) < 0 ||
        (rc = READ(mf[F_CUSTOMERS], customers_row, {"customer", true}, {"name", false},
                   {"credit", true}, {"hold_value", false})) < 0 ||
        (rc = READ(mf[F_ORDERS], orders_row, {"order", true}, {"line", true}, {"customer", true},
                   {"sku", true}, {"qty", true}, {"priority", false}, {"carrier", false},
                   {"cutoff", false}, {"ship_name", false}, {"ship_street", false},
                   {"ship_city", false}, {"ship_postcode", false}, {"ship_country", false},
                   {"min_shelf_life_days", false})) < 0)
        goto done;
    if (w->dock < 0 || w->n_aisles == 0) {
        rc = wms_error_set(err, WMS_EBAD_ARGS, "generated layout has no dock or no aisles");
        goto done;
    }
    w->lay.n_aisles = w->n_aisles;
    w->lay.aisle_x = w->aisle_x;
    w->lay.length = w->length;
    w->lay.n_cross = w->n_cross;
    w->lay.cross_y = w->cross_y;
    w->lay.depot_x = w->depot_x;
    if ((rc = wms_route_layout_check(&w->lay, err)) < 0)
        goto done;
    rc = add_shift(w, s, err);
done:
    for (int i = 0; i < F_N; i++) {
        if (mf[i].f != NULL)
            fclose(mf[i].f);
        free(mf[i].buf);
    }
    smap_free(pc.unit_codes);
    free(pc.code_store);
    if (rc < 0)
        sim_world_free(w);
    return rc < 0 ? rc : 0;
}

void sim_world_free(sim_world *w)
{
    if (w == NULL)
        return;
    free(w->aisle_x);
    free(w->aisle_id);
    free(w->cross_y);
    free(w->items);
    free(w->bins);
    free(w->stock);
    free(w->customers);
    free(w->orders);
    free(w->deliveries);
    free(w->dlines);
    smap_free(w->item_map);
    smap_free(w->bin_map);
    memset(w, 0, sizeof(*w));
}

int sim_world_item(const sim_world *w, const char *sku)
{
    return smap_get(w->item_map, sku);
}

int sim_world_bin(const sim_world *w, const char *code)
{
    return smap_get(w->bin_map, code);
}

wms_pick_loc sim_world_loc(const sim_world *w, int bin)
{
    wms_pick_loc p = {0, 0.5};
    if (bin >= 0 && bin < w->n_bins) {
        p.aisle = w->bins[bin].aisle;
        p.y = w->bins[bin].y;
    }
    if (p.y <= 0)
        p.y = 0.01;
    if (p.y >= w->length)
        p.y = w->length - 0.01;
    return p;
}

/* ---- fingerprint ---- */

static void fp_bytes(uint64_t *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ b[i]) * 1099511628211ULL;
}

static void fp_str(uint64_t *h, const char *s)
{
    fp_bytes(h, s, strlen(s) + 1);
}

static void fp_int(uint64_t *h, int64_t v)
{
    fp_bytes(h, &v, sizeof(v));
}

uint64_t sim_world_fingerprint(const sim_world *w)
{
    uint64_t h = 1469598103934665603ULL;
    fp_str(&h, w->today);
    for (int i = 0; i < w->n_aisles; i++)
        fp_int(&h, (int64_t)llround(w->aisle_x[i] * 1000));
    for (int i = 0; i < w->n_items; i++) {
        const sim_item *it = &w->items[i];
        fp_str(&h, it->sku);
        fp_str(&h, it->unit_code);
        fp_str(&h, it->case_code);
        fp_int(&h, it->case_units);
        fp_int(&h, it->shelf_days);
        fp_int(&h, it->price_cents);
    }
    for (int i = 0; i < w->n_bins; i++) {
        fp_str(&h, w->bins[i].code);
        fp_int(&h, (int64_t)llround(w->bins[i].y * 1000));
    }
    for (int i = 0; i < w->n_stock; i++) {
        fp_int(&h, w->stock[i].bin);
        fp_int(&h, w->stock[i].item);
        fp_str(&h, w->stock[i].lot);
        fp_int(&h, w->stock[i].qty);
    }
    for (int i = 0; i < w->n_orders; i++) {
        const sim_order *o = &w->orders[i];
        fp_str(&h, o->ref);
        fp_int(&h, o->customer);
        fp_int(&h, (int64_t)llround(o->arrive_s * 1000));
        for (int l = 0; l < o->nlines; l++) {
            fp_int(&h, o->line[l].item);
            fp_int(&h, o->line[l].qty);
        }
    }
    for (int i = 0; i < w->n_dlines; i++) {
        fp_int(&h, w->dlines[i].item);
        fp_int(&h, w->dlines[i].packs);
        fp_str(&h, w->dlines[i].lot);
        fp_str(&h, w->dlines[i].expiry);
    }
    return h;
}

/* ---- the database ---- */

void sim_user_name(const char *role, int i, char *buf, size_t n)
{
    snprintf(buf, n, "%s%02d", role, i + 1);
}

/* Writes the items' internal codes into the world: every item without a
 * usable unit code gets the engine's internal code (the existing one, or
 * one assigned now). */
static int world_codes(sim_world *w, wms_db *db, wms_error *err)
{
    for (int i = 0; i < w->n_items; i++) {
        sim_item *it = &w->items[i];
        if (it->unit_code[0] && !it->unit_internal)
            continue;
        char code[14];
        int rc = wms_item_internal_code(db, it->sku, code, err);
        if (rc < 0)
            return rc;
        copy_str(it->unit_code, sizeof(it->unit_code), code);
        it->unit_internal = 1;
    }
    return 0;
}

static int import_buf(wms_db *db, const char *kind, const char *buf, size_t len, wms_error *err)
{
    FILE *f = fmemopen((void *)buf, len, "r");
    if (f == NULL)
        return wms_error_set(err, WMS_ENOMEM, "no memory to import %s", kind);
    wms_actor who = {"sim", "SIM-SETUP", NULL};
    wms_import_stats st;
    wms_error e2;
    wms_error_clear(&e2);
    int rc = wms_import(db, &who, kind, f, 0, &st, &e2);
    fclose(f);
    if (rc < 0)
        return wms_error_set(err, rc, "import %s: %s", kind, e2.msg);
    return 0;
}

int sim_world_build_db(sim_world *w, const sim_scenario *s, const char *db_path, wms_error *err)
{
    struct stat sb;
    if (stat(db_path, &sb) == 0)
        return wms_error_set(err, WMS_EEXISTS, "%s exists: the simulator builds a new database",
                             db_path);
    /* Regenerate the CSV files (the world keeps only what it needs). */
    int orders = 0; /* orders arrive over the protocol */
    memfile mf[F_N];
    memset(mf, 0, sizeof(mf));
    wms_db *db = NULL;
    int rc = 0;
    for (int i = 0; i < F_N; i++)
        if ((mf[i].f = open_memstream(&mf[i].buf, &mf[i].len)) == NULL) {
            rc = wms_error_set(err, WMS_ENOMEM, "no memory for the generated files");
            goto done;
        }
    wms_demo_opts o = {.seed = s->seed,
                       .bins = s->bins,
                       .items = s->items,
                       .customers = s->customers,
                       .orders = orders,
                       .today = w->today};
    wms_demo_out out = {mf[F_LAYOUT].f, mf[F_ITEMS].f, mf[F_PACKS].f,     mf[F_BARCODES].f,
                        mf[F_BINS].f,   mf[F_STOCK].f, mf[F_CUSTOMERS].f, NULL};
    if ((rc = wms_demo_generate(&o, &out, err)) < 0)
        goto done;
    for (int i = 0; i < F_N; i++) {
        fclose(mf[i].f);
        mf[i].f = NULL;
    }
    if ((rc = wms_db_open(db_path, WMS_DB_CREATE, &db, err)) < 0)
        goto done;
    static const int order[] = {F_LAYOUT, F_ITEMS, F_PACKS,    F_BARCODES,
                                F_BINS,   F_STOCK, F_CUSTOMERS};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if ((rc = import_buf(db, file_kind[order[i]], mf[order[i]].buf, mf[order[i]].len, err)) < 0)
            goto done;
    /* Pick faces for the busiest items: min one case, max what the face holds. */
    for (int i = 0; i < w->n_stock && s->pick_faces > 0; i++) {
        const sim_stock *q = &w->stock[i];
        const sim_item *it = &w->items[q->item];
        if (w->bins[q->bin].type != SIM_BIN_PICK || it->rank >= s->pick_faces || q->hold)
            continue;
        int64_t cu = it->case_units > 0 ? it->case_units : 10;
        int64_t max = w->bins[q->bin].capacity > 0 ? w->bins[q->bin].capacity / 2 : cu * 6;
        max = max < cu * 2 ? cu * 2 : max;
        wms_error e2;
        wms_error_clear(&e2);
        if ((rc = wms_pickface_set(db, w->bins[q->bin].code, it->sku, cu, max, &e2)) < 0) {
            rc = wms_error_set(err, rc, "pick face %s: %s", w->bins[q->bin].code, e2.msg);
            goto done;
        }
    }
    /* Users. */
    static const struct {
        const char *prefix;
        int role;
    } roles[] = {{"pick", WMS_ROLE_PICKER},
                 {"recv", WMS_ROLE_RECEIVER},
                 {"sup", WMS_ROLE_SUPERVISOR},
                 {"oms", WMS_ROLE_SUPERVISOR}};
    for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
        int n = roles[r].role == WMS_ROLE_PICKER     ? s->pickers
                : roles[r].role == WMS_ROLE_RECEIVER ? s->receivers
                                                     : 1;
        for (int i = 0; i < n; i++) {
            char name[33];
            sim_user_name(roles[r].prefix, i, name, sizeof(name));
            if ((rc = wms_user_add(db, name, roles[r].role, s->pin, err)) < 0)
                goto done;
        }
    }
    rc = world_codes(w, db, err);
done:
    for (int i = 0; i < F_N; i++) {
        if (mf[i].f != NULL)
            fclose(mf[i].f);
        free(mf[i].buf);
    }
    wms_db_close(db);
    return rc < 0 ? rc : 0;
}

int sim_world_read_codes(sim_world *w, const char *db_path, wms_error *err)
{
    wms_db *db = NULL;
    int rc = wms_db_open(db_path, 0, &db, err);
    if (rc < 0)
        return rc;
    rc = world_codes(w, db, err);
    wms_db_close(db);
    return rc;
}

int sim_world_stock_from_server(sim_world *w, const char *host, int port, const char *user,
                                const char *pin, wms_error *err)
{
    wms_client_opts o = {.host = host,
                         .port = port,
                         .device = "SIM-SNAPSHOT",
                         .client_name = "wms-sim/1",
                         .timeout_ms = 20000,
                         .retries = 5};
    wms_client *cl = NULL;
    int rc = wms_client_open(&o, &cl, err);
    if (rc < 0)
        return rc;
    if ((rc = wms_client_login(cl, user, pin, NULL, err)) < 0) {
        wms_client_close(cl);
        return rc;
    }
    sim_stock *v = NULL;
    int n = 0, cap = 0;
    for (int it = 0; it < w->n_items && rc == 0; it++) {
        msgpack_packer *pk = wms_client_begin(cl, "stock.query");
        wms_client_kv_str(pk, "item", w->items[it].sku);
        msgpack_object res;
        if ((rc = wms_client_call(cl, &res, err)) < 0)
            break;
        if (wms_client_get_bool(&res, "truncated") == 1) {
            rc = wms_error_set(err, WMS_ETOO_LARGE, "stock of %s: more rows than one answer holds",
                               w->items[it].sku);
            break;
        }
        const msgpack_object *rows = wms_client_get_array(&res, "rows");
        for (uint32_t i = 0; rows != NULL && i < rows->via.array.size && rc == 0; i++) {
            const msgpack_object *row = &rows->via.array.ptr[i];
            char bin[WMS_SKU_MAX + 1], status[16];
            int64_t q = 0;
            if (wms_client_get_str(row, "bin", bin, sizeof(bin)) < 0 ||
                wms_client_get_int(row, "qty", &q) < 0)
                continue;
            int b = !strcmp(bin, "OUTBOUND") ? SIM_STOCK_OUTBOUND : sim_world_bin(w, bin);
            if (b == -1) {
                rc = wms_error_set(err, WMS_ENOT_FOUND,
                                   "%s is in bin %s, which this world does not "
                                   "have: was the server built with this seed and scenario?",
                                   w->items[it].sku, bin);
                break;
            }
            if ((rc = grow((void **)&v, &cap, n + 1, sizeof(sim_stock))) < 0) {
                rc = wms_error_set(err, WMS_ENOMEM, "no memory for the stock");
                break;
            }
            sim_stock *q0 = &v[n++];
            q0->bin = b;
            q0->item = it;
            wms_client_get_str(row, "lot", q0->lot, sizeof(q0->lot));
            wms_client_get_str(row, "expiry", q0->expiry, sizeof(q0->expiry));
            wms_client_get_str(row, "status", status, sizeof(status));
            q0->hold = !strcmp(status, "hold");
            q0->qty = q;
        }
    }
    wms_client_close(cl);
    if (rc < 0) {
        free(v);
        return rc;
    }
    free(w->stock);
    w->stock = v;
    w->n_stock = n;
    return 0;
}
