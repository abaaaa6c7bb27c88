/*
 * demogen.c - the demo warehouse generator (see demogen.h for the content).
 *
 * Determinism: all randomness comes from xoshiro256** streams seeded through
 * splitmix64 from (seed, section, index), and only integer arithmetic
 * decides what is written, so the output is the same on every platform.
 * Bins, items and the item flags are built in memory first (O(bins + items));
 * stock and orders are written as they are drawn.
 */
#include "domain/demogen.h"

#include "core/date.h"
#include "domain/gs1.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------ */
/* PRNG: splitmix64 for seeding, xoshiro256** for the streams               */
/* ------------------------------------------------------------------------ */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t mix64(uint64_t x)
{
    return splitmix64(&x);
}

/* Independent random streams, one per section and entity. */
enum {
    SEC_LAYOUT = 1,
    SEC_ITEM,
    SEC_ITEMSEL,
    SEC_STOCK,
    SEC_CUSTOMER,
    SEC_ADDRESS,
    SEC_POPULARITY,
    SEC_ORDER,
};

/* Seeds `r` for stream (seed, section, index). */
static void rng_seed(rng *r, uint64_t seed, uint64_t section, uint64_t index)
{
    uint64_t x = mix64(mix64(mix64(seed) ^ section) ^ index);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* A number in [0, n) (n >= 1), by multiply-shift (bias below 2^-32). */
static int64_t rng_below(rng *r, int64_t n)
{
    if (n <= 1)
        return 0;
    return (int64_t)(((unsigned __int128)rng_next(r) * (uint64_t)n) >> 64);
}

/* A number in [lo, hi] (lo <= hi). */
static int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
    return lo + rng_below(r, hi - lo + 1);
}

/* True with probability permille / 1000. */
static bool rng_chance(rng *r, int permille)
{
    return rng_below(r, 1000) < permille;
}

/* Index drawn with the given integer weights (n >= 1, some weight > 0). */
static int rng_weighted(rng *r, const int *w, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    int64_t x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* Sets `bit` in exactly k distinct entries of flags[0..n) that do not have
 * it yet (Floyd's sampling; 0 <= k <= n). */
static void pick_subset(rng *r, uint8_t *flags, int n, int k, uint8_t bit)
{
    for (int j = n - k; j < n; j++) {
        int t = (int)rng_below(r, (int64_t)j + 1);
        if (flags[t] & bit)
            flags[j] |= bit;
        else
            flags[t] |= bit;
    }
}

/* round(n * pct / 100), at least `min` when n >= min_n. */
static int quota(int n, int pct, int min, int min_n)
{
    int k = (int)(((int64_t)n * pct + 50) / 100);
    if (k < min && n >= min_n)
        k = min;
    return k > n ? n : k;
}

/* ------------------------------------------------------------------------ */
/* Dates                                                                    */
/* ------------------------------------------------------------------------ */

/* Civil date of `days` since 1970-01-01 (inverse of wms_date_days). */
static void date_from_days(long days, int *y, int *m, int *d)
{
    long z = days + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void date_fmt(long days, char out[11])
{
    int y, m, d;
    date_from_days(days, &y, &m, &d);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

/* ------------------------------------------------------------------------ */
/* Word lists                                                               */
/* ------------------------------------------------------------------------ */

/* A product template: sizes, shelf life range (0 = not perishable), the
 * dimensions (mm) and weight (g) of the middle size. */
typedef struct tmpl {
    const char *name;
    const char *unit; /* appended to the size: "g", "ml", " pcs" */
    int size[3];
    int shelf_lo, shelf_hi;
    int l, w, h, weight;
} tmpl;

static const tmpl FOOD[] = {
    {"Oat biscuits", "g", {150, 250, 400}, 180, 360, 190, 60, 50, 265},
    {"Butter cookies", "g", {125, 200, 454}, 180, 300, 160, 110, 45, 215},
    {"Fresh milk", "ml", {500, 1000, 1500}, 30, 35, 70, 70, 200, 1040},
    {"Greek yoghurt", "g", {150, 500, 1000}, 30, 45, 95, 95, 90, 520},
    {"Cheddar cheese", "g", {200, 400, 800}, 60, 120, 120, 70, 40, 410},
    {"Tomatoes, chopped", "g", {227, 400, 800}, 540, 720, 74, 74, 110, 455},
    {"Spaghetti", "g", {250, 500, 1000}, 360, 720, 260, 70, 25, 510},
    {"Basmati rice", "g", {500, 1000, 2000}, 360, 720, 180, 120, 60, 1015},
    {"Coffee beans, dark roast", "g", {250, 500, 1000}, 180, 360, 190, 90, 60, 515},
    {"Green tea", " bags", {20, 40, 80}, 360, 720, 130, 75, 70, 90},
    {"Orange juice", "ml", {330, 1000, 1500}, 30, 90, 90, 60, 200, 1060},
    {"Dark chocolate 70%", "g", {100, 200, 400}, 270, 540, 160, 80, 12, 210},
    {"Peanut butter", "g", {227, 340, 1000}, 270, 540, 85, 85, 110, 420},
    {"Strawberry jam", "g", {250, 370, 450}, 360, 720, 75, 75, 95, 560},
    {"Baby formula", "g", {400, 800, 1200}, 360, 540, 130, 130, 170, 950},
    {"Vitamin C tablets", " tablets", {30, 60, 120}, 540, 720, 45, 45, 95, 110},
    {"Sunflower oil", "ml", {500, 1000, 2000}, 270, 450, 80, 80, 280, 960},
    {"Rye bread, sliced", "g", {500, 750, 1000}, 30, 40, 230, 110, 90, 760},
    {"Smoked salmon", "g", {100, 200, 400}, 30, 45, 210, 120, 15, 225},
    {"Canned tuna in oil", "g", {80, 160, 400}, 540, 720, 85, 85, 40, 190},
    {"Sparkling water", "ml", {330, 500, 1500}, 270, 365, 65, 65, 210, 530},
    {"Corn flakes", "g", {250, 500, 750}, 180, 360, 270, 190, 60, 530},
    {"Ibuprofen 200mg", " tablets", {24, 48, 96}, 540, 720, 95, 50, 25, 40},
    {"Cat food, chicken", "g", {85, 400, 2000}, 360, 720, 100, 60, 110, 430},
};

static const tmpl NONFOOD[] = {
    {"Shampoo", "ml", {250, 400, 750}, 0, 0, 70, 45, 200, 440},
    {"Shower gel", "ml", {250, 500, 750}, 0, 0, 75, 45, 190, 540},
    {"Toothpaste", "ml", {75, 100, 125}, 0, 0, 200, 45, 40, 140},
    {"Dish soap", "ml", {450, 900, 1500}, 0, 0, 80, 50, 250, 960},
    {"Laundry detergent", "ml", {1000, 2000, 4000}, 0, 0, 150, 100, 260, 2150},
    {"AA batteries", " pcs", {4, 8, 24}, 0, 0, 110, 80, 20, 190},
    {"LED bulb E27", " pcs", {1, 2, 4}, 0, 0, 120, 65, 65, 110},
    {"Paper towels", " rolls", {2, 4, 8}, 0, 0, 250, 230, 120, 520},
    {"Toilet paper", " rolls", {4, 9, 24}, 0, 0, 300, 300, 110, 900},
    {"Wood screws 4x40mm", " pcs", {50, 100, 200}, 0, 0, 110, 70, 40, 320},
    {"Cable ties, black", " pcs", {50, 100, 500}, 0, 0, 210, 90, 10, 60},
    {"Printer paper A4", " sheets", {250, 500, 2500}, 0, 0, 297, 210, 50, 2500},
    {"Bin bags 60l", " pcs", {10, 20, 50}, 0, 0, 140, 90, 40, 260},
    {"Hand cream", "ml", {50, 75, 100}, 0, 0, 140, 50, 30, 95},
    {"USB-C cable", "m", {1, 2, 3}, 0, 0, 170, 100, 25, 75},
    {"Sticky notes 76x76mm", " pads", {1, 6, 12}, 0, 0, 80, 80, 60, 280},
    {"Marker pen \"Permanent\", black", " pcs", {1, 4, 10}, 0, 0, 150, 70, 20, 60},
    {"Garden gloves", " pairs", {1, 3, 6}, 0, 0, 250, 130, 30, 240},
    {"Kitchen foil", "m", {10, 30, 100}, 0, 0, 300, 45, 45, 420},
};

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const FOOD_PREFIX[] = {"Organic", "Family pack", "Premium", "Value",
                                          "Fairtrade"};
static const char *const NONFOOD_PREFIX[] = {"Eco", "Premium", "Value", "Compact", "Refill"};
static const int CASES[] = {6, 8, 10, 12, 24, 36, 48};

static const char *const CUST_FIRST[] = {
    "Greenfield", "Nordic",     "Harbour", "Alpine",   "Sunrise",  "Riverside",
    "Oakwood",    "Metro",      "Corner",  "Central",  "Lakeside", "Hillside",
    "Golden",     "Blue Ocean", "Maple",   "Northern", "Westgate", "Old Town"};
static const char *const CUST_KIND[] = {"Market", "Pharmacy", "Grocers", "Hardware",
                                        "Foods",  "Supplies", "Kiosk",   "Deli",
                                        "Stores", "Trading",  "Outlet",  "Pet Shop"};
static const char *const CUST_SUFFIX[] = {"", "", " Ltd", " GmbH", " B.V.", " & Sons", " Co."};
static const char *const SURNAMES[] = {"Smith",  "Jones",   "Meyer",   "Jansen", "Dubois",
                                       "Rossi",  "Novak",   "Larsen",  "Becker", "Murphy",
                                       "Garcia", "Peeters", "Schmidt", "Moreau"};
static const char *const STREETS[] = {"Mill",   "Station", "Church", "Harbour", "Market",
                                      "Linden", "Oak",     "Bridge", "Canal",   "School",
                                      "Park",   "Garden",  "Castle", "Meadow"};
static const char *const STREET_KIND[] = {"Street", "Road", "Lane", "Avenue", "Way"};

typedef struct city {
    const char *name, *country;
    int digits; /* postcode digits */
} city;

static const city CITIES[] = {
    {"Hamburg", "DE", 5},    {"Cologne", "DE", 5}, {"Munich", "DE", 5},  {"Leipzig", "DE", 5},
    {"Rotterdam", "NL", 4},  {"Utrecht", "NL", 4}, {"Antwerp", "BE", 4}, {"Ghent", "BE", 4},
    {"Lyon", "FR", 5},       {"Lille", "FR", 5},   {"Vienna", "AT", 4},  {"Graz", "AT", 4},
    {"Copenhagen", "DK", 4}, {"Aarhus", "DK", 4},  {"Poznan", "PL", 5},
};

static const char *const CARRIERS[] = {"DHL", "UPS", "DPD", "GLS", "POST"};

/* ------------------------------------------------------------------------ */
/* The model                                                                */
/* ------------------------------------------------------------------------ */

enum { BT_PICK, BT_RESERVE, BT_DOCK, BT_STAGING, BT_QUARANTINE };
static const char *const BIN_TYPE[] = {"pick", "reserve", "dock", "staging", "quarantine"};

#define N_SPECIAL 3
#define PICK_CAP 500
#define RESERVE_CAP 5000
#define PICK_SHARE_PCT 70
#define MAX_CELLS 45
#define MAX_AISLES 1000
#define CROSS_MIN_AISLES 13
#define PROBE_MAX 64
#define MAX_LINES 6
#define EAN_BASE 501234500000ll /* company prefix 5012345, then the item number */

/* Bin geometry: aisle i at x = 2.5 + 5 i, cell c (1-based) at y = c + 1,
 * aisles cells + 3 long, the optional cross aisle at 1.5 + cells / 2. */
typedef struct geom {
    int aisles, cells, pick_cells;
    bool cross;
} geom;

typedef struct dbin {
    int32_t aisle; /* 0-based */
    int32_t cell;  /* 1-based; 0 for the special bins */
    int32_t capacity;
    int32_t used;
    char side; /* 'L' or 'R' */
    uint8_t type, blocked;
} dbin;

/* Item flags. */
enum { IF_NODIMS = 1, IF_NOCODE = 2, IF_SHARED = 4, IF_SOURCE = 8 };

typedef struct ditem {
    int32_t shelf;                   /* days; 0 = not perishable */
    int32_t case_units, inner_units; /* inner 0 = none */
    int32_t shared_with;             /* IF_SHARED: whose unit code it carries */
} ditem;

/* Everything of one item that items.csv and packs.csv show. */
typedef struct item_rec {
    char desc[160];
    int len, wid, hei, weight;
    int shelf, case_units, inner_units;
} item_rec;

typedef struct model {
    uint64_t seed;
    long today; /* days since 1970-01-01 */
    char today_s[11];
    geom g;
    int nbins;
    dbin *bins;
    int nitems;
    ditem *items;
    uint8_t *iflags;
    int customers, orders;
} model;

static double aisle_x(int i)
{
    return 2.5 + 5.0 * i;
}

static double cell_y(int cell)
{
    return cell + 1.0;
}

static double cross_y(const geom *g)
{
    return 1.5 + g->cells / 2;
}

/* Chooses aisles and cells for `regular` bins (>= 7): at most MAX_CELLS
 * cells of two bins each per aisle, the bins spread evenly; beyond
 * MAX_AISLES aisles (WMS_ROUTE_MAX_AISLES is the routing cap) the aisles
 * get longer instead. */
static void geom_plan(int regular, geom *g)
{
    g->aisles = (regular + 2 * MAX_CELLS - 1) / (2 * MAX_CELLS);
    g->aisles = g->aisles > MAX_AISLES ? MAX_AISLES : g->aisles;
    int per_aisle = (regular + g->aisles - 1) / g->aisles;
    g->cells = (per_aisle + 1) / 2;
    g->pick_cells = (g->cells * PICK_SHARE_PCT + 99) / 100;
    g->cross = g->aisles >= CROSS_MIN_AISLES;
}

/* Builds the bin table: the specials, then each aisle's share of the
 * regular bins cell by cell (L, R), blocked ones drawn from SEC_LAYOUT.
 * Returns 0 or WMS_ENOMEM. */
static int model_bins(model *m, int nbins, wms_error *err)
{
    int regular = nbins - N_SPECIAL;
    geom_plan(regular, &m->g);
    m->nbins = nbins;
    m->bins = calloc((size_t)nbins, sizeof(*m->bins));
    uint8_t *blk = calloc((size_t)regular, 1);
    if (m->bins == NULL || blk == NULL) {
        free(blk);
        return wms_error_set(err, WMS_ENOMEM, "demo data: no memory for %d bins", nbins);
    }
    static const uint8_t special_type[N_SPECIAL] = {BT_DOCK, BT_STAGING, BT_QUARANTINE};
    for (int i = 0; i < N_SPECIAL; i++)
        m->bins[i] = (dbin){.aisle = 0, .cell = 0, .type = special_type[i], .side = 'L'};
    rng r;
    rng_seed(&r, m->seed, SEC_LAYOUT, 0);
    pick_subset(&r, blk, regular, quota(regular, 1, 1, 50), 1);
    int k = N_SPECIAL;
    for (int a = 0; a < m->g.aisles; a++) {
        int here = regular / m->g.aisles + (a < regular % m->g.aisles);
        for (int j = 0; j < here; j++, k++) {
            dbin *b = &m->bins[k];
            b->aisle = a;
            b->cell = j / 2 + 1;
            b->side = j % 2 ? 'R' : 'L';
            b->type = b->cell <= m->g.pick_cells ? BT_PICK : BT_RESERVE;
            b->capacity = b->type == BT_PICK ? PICK_CAP : RESERVE_CAP;
            b->blocked = blk[k - N_SPECIAL];
        }
    }
    free(blk);
    return 0;
}

/* Lower-cases the first letter of a word that is not an acronym. */
static void cat_name(char *dst, size_t n, const char *name, bool lower_first)
{
    size_t len = strlen(dst);
    if (len + 1 >= n)
        return;
    snprintf(dst + len, n - len, "%s", name);
    if (lower_first && name[0] >= 'A' && name[0] <= 'Z' && name[1] >= 'a' && name[1] <= 'z')
        dst[len] = (char)(name[0] - 'A' + 'a');
}

/* Item i (0-based) as a pure function of (seed, i). */
static void item_make(uint64_t seed, int i, item_rec *it)
{
    rng r;
    rng_seed(&r, seed, SEC_ITEM, (uint64_t)i);
    bool food = rng_chance(&r, 400);
    const tmpl *t =
        food ? &FOOD[rng_below(&r, NELEM(FOOD))] : &NONFOOD[rng_below(&r, NELEM(NONFOOD))];
    int k = (int)rng_below(&r, 3);
    it->desc[0] = '\0';
    bool prefixed = rng_chance(&r, 250);
    if (prefixed) {
        const char *p = food ? FOOD_PREFIX[rng_below(&r, NELEM(FOOD_PREFIX))]
                             : NONFOOD_PREFIX[rng_below(&r, NELEM(NONFOOD_PREFIX))];
        snprintf(it->desc, sizeof(it->desc), "%s ", p);
    }
    cat_name(it->desc, sizeof(it->desc), t->name, prefixed);
    size_t len = strlen(it->desc);
    snprintf(it->desc + len, sizeof(it->desc) - len, " %d%s", t->size[k], t->unit);

    static const int scale[3] = {85, 100, 120};
    it->len = t->l * scale[k] * (int)rng_range(&r, 95, 105) / 10000;
    it->wid = t->w * scale[k] * (int)rng_range(&r, 95, 105) / 10000;
    it->hei = t->h * scale[k] * (int)rng_range(&r, 95, 105) / 10000;
    it->weight = (int)((int64_t)t->weight * t->size[k] / t->size[1]);
    it->weight = it->weight * (int)rng_range(&r, 97, 103) / 100;
    if (it->weight < 1)
        it->weight = 1;
    it->shelf = t->shelf_lo > 0 ? (int)rng_range(&r, t->shelf_lo, t->shelf_hi) : 0;
    it->case_units = CASES[rng_below(&r, NELEM(CASES))];
    it->inner_units = 0;
    if (it->case_units >= 12 && rng_chance(&r, 350)) {
        int div[16], nd = 0;
        for (int d = 2; d <= it->case_units / 2 && nd < 16; d++)
            if (it->case_units % d == 0)
                div[nd++] = d;
        it->inner_units = div[rng_below(&r, nd)];
    }
}

/* Builds the item table and the item flags (no dimensions ~5 %, no code
 * ~10 %, unit code reused ~1 %, drawn from SEC_ITEMSEL).  0 or WMS_ENOMEM. */
static int model_items(model *m, int n, wms_error *err)
{
    m->nitems = n;
    m->items = calloc((size_t)n, sizeof(*m->items));
    m->iflags = calloc((size_t)n, 1);
    if (m->items == NULL || m->iflags == NULL)
        return wms_error_set(err, WMS_ENOMEM, "demo data: no memory for %d items", n);
    for (int i = 0; i < n; i++) {
        item_rec it;
        item_make(m->seed, i, &it);
        m->items[i] = (ditem){.shelf = it.shelf,
                              .case_units = it.case_units,
                              .inner_units = it.inner_units,
                              .shared_with = -1};
    }
    rng r;
    rng_seed(&r, m->seed, SEC_ITEMSEL, 0);
    pick_subset(&r, m->iflags, n, quota(n, 5, 1, 20), IF_NODIMS);
    pick_subset(&r, m->iflags, n, quota(n, 10, 1, 10), IF_NOCODE);
    int want = quota(n, 1, 1, 10), made = 0;
    for (int tries = 0; made < want && tries < 64 * want; tries++) {
        int j = (int)rng_below(&r, n), s = (int)rng_below(&r, n);
        uint8_t busy = IF_NOCODE | IF_SHARED | IF_SOURCE;
        if (j == s || (m->iflags[j] & busy) || (m->iflags[s] & busy))
            continue;
        m->iflags[j] |= IF_SHARED;
        m->iflags[s] |= IF_SOURCE;
        m->items[j].shared_with = s;
        made++;
    }
    return 0;
}

static void model_free(model *m)
{
    free(m->bins);
    free(m->items);
    free(m->iflags);
}

/* ------------------------------------------------------------------------ */
/* Output helpers                                                           */
/* ------------------------------------------------------------------------ */

/* Writes one CSV field, quoted (RFC 4180) when it holds , " CR or LF. */
static void csv_put(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', f);
        putc(*s, f);
    }
    putc('"', f);
}

/* Flushes `f` and maps a stream error to WMS_EIO naming the file. */
static int stream_done(FILE *f, const char *name, wms_error *err)
{
    if (fflush(f) != 0 || ferror(f))
        return wms_error_set(err, WMS_EIO, "demo data: could not write %s.csv", name);
    return 0;
}

static void bin_code(const model *m, int k, char out[32])
{
    static const char *const special_code[N_SPECIAL] = {"DOCK-01", "STAGE-01", "QUAR-01"};
    if (k < N_SPECIAL)
        snprintf(out, 32, "%s", special_code[k]);
    else
        snprintf(out, 32, "A%02d-%03d-%c", m->bins[k].aisle + 1, m->bins[k].cell, m->bins[k].side);
}

static void sku_of(int i, char out[16])
{
    snprintf(out, 16, "SKU-%05d", i + 1);
}

/* GTIN of item i's own number: indicator 0 gives the unit EAN-13 (13
 * digits), 1-8 a GTIN-14 (indicator + the EAN-13's first 12 digits). */
static void gtin_of(int i, int indicator, char out[16])
{
    char base[24];
    snprintf(base, sizeof(base), "%012lld", EAN_BASE + i + 1);
    size_t n = 0;
    if (indicator > 0)
        out[n++] = (char)('0' + indicator % 10);
    memcpy(out + n, base, 12);
    n += 12;
    out[n] = (char)('0' + wms_gs1_check_digit(out, n));
    out[n + 1] = '\0';
}

/* ------------------------------------------------------------------------ */
/* The files                                                                */
/* ------------------------------------------------------------------------ */

static int write_layout(const model *m, FILE *f, wms_error *err)
{
    fputs("kind,id,x_m,y_m,length_m\n", f);
    fprintf(f, "depot,D1,%.1f,0.0,\n", aisle_x(0));
    double len = m->g.cells + 3.0;
    for (int a = 0; a < m->g.aisles; a++)
        fprintf(f, "aisle,A%02d,%.1f,,%.1f\n", a + 1, aisle_x(a), len);
    if (m->g.cross)
        fprintf(f, "cross,C1,,%.1f,\n", cross_y(&m->g));
    return stream_done(f, "layout", err);
}

static int write_bins(const model *m, FILE *f, wms_error *err)
{
    fputs("code,zone,type,aisle,y_m,level,capacity,blocked\n", f);
    static const double special_y[N_SPECIAL] = {0.5, 0.5, 1.0};
    for (int k = 0; k < m->nbins; k++) {
        const dbin *b = &m->bins[k];
        char code[32];
        bin_code(m, k, code);
        int zone = 1 + (int)((int64_t)b->aisle * 3 / m->g.aisles);
        double y = k < N_SPECIAL ? special_y[k] : cell_y(b->cell);
        int level = b->type == BT_RESERVE ? 2 + b->cell % 3 : 1;
        fprintf(f, "%s,Z%d,%s,A%02d,%.1f,%d,", code, zone, BIN_TYPE[b->type], b->aisle + 1, y,
                level);
        if (b->capacity > 0)
            fprintf(f, "%d", (int)b->capacity);
        fprintf(f, ",%d\n", b->blocked);
        if ((k & 4095) == 4095 && ferror(f))
            break;
    }
    return stream_done(f, "bins", err);
}

static int write_items(const model *m, FILE *f, wms_error *err)
{
    fputs("sku,description,uom,length_mm,width_mm,height_mm,weight_g,shelf_life_days\n", f);
    for (int i = 0; i < m->nitems; i++) {
        item_rec it;
        item_make(m->seed, i, &it);
        char sku[16];
        sku_of(i, sku);
        fprintf(f, "%s,", sku);
        csv_put(f, it.desc);
        if (m->iflags[i] & IF_NODIMS)
            fputs(",EA,,,,", f);
        else
            fprintf(f, ",EA,%d,%d,%d,", it.len, it.wid, it.hei);
        fprintf(f, "%d,", it.weight);
        if (it.shelf > 0)
            fprintf(f, "%d", it.shelf);
        putc('\n', f);
        if ((i & 4095) == 4095 && ferror(f))
            break;
    }
    return stream_done(f, "items", err);
}

static int write_packs(const model *m, FILE *f, wms_error *err)
{
    fputs("sku,level,units\n", f);
    for (int i = 0; i < m->nitems; i++) {
        char sku[16];
        sku_of(i, sku);
        fprintf(f, "%s,each,1\n", sku);
        if (m->items[i].inner_units > 0)
            fprintf(f, "%s,inner,%d\n", sku, (int)m->items[i].inner_units);
        fprintf(f, "%s,case,%d\n", sku, (int)m->items[i].case_units);
        if ((i & 4095) == 4095 && ferror(f))
            break;
    }
    return stream_done(f, "packs", err);
}

static int write_barcodes(const model *m, FILE *f, wms_error *err)
{
    fputs("code,sku,level\n", f);
    for (int i = 0; i < m->nitems; i++) {
        if (m->iflags[i] & IF_NOCODE)
            continue;
        char sku[16], code[16];
        sku_of(i, sku);
        int unit_of = (m->iflags[i] & IF_SHARED) ? m->items[i].shared_with : i;
        gtin_of(unit_of, 0, code);
        fprintf(f, "%s,%s,each\n", code, sku);
        if (m->items[i].inner_units > 0) {
            gtin_of(i, 2, code);
            fprintf(f, "%s,%s,inner\n", code, sku);
        }
        gtin_of(i, 1, code);
        fprintf(f, "%s,%s,case\n", code, sku);
        if ((i & 4095) == 4095 && ferror(f))
            break;
    }
    return stream_done(f, "barcodes", err);
}

/* Finds a bin with room among list[start..] (cyclic, at most PROBE_MAX
 * tries); its index, or -1. */
static int find_room(const model *m, const int *list, int n, int64_t start)
{
    for (int k = 0; k < n && k < PROBE_MAX; k++) {
        int b = list[(start + k) % n];
        if (m->bins[b].used < m->bins[b].capacity)
            return b;
    }
    return -1;
}

/* Lot and expiry of one perishable stock row: expiry in today-10..today-1
 * (5 %) or today+1..today+shelf; lot "L" YY month-letter NNN of the
 * production date (expiry - shelf), the number differing from `avoid`. */
static int lot_make(const model *m, rng *r, int shelf, int avoid, char lot[16], char exp[11])
{
    long e = rng_chance(r, 50) ? m->today - rng_range(r, 1, 10) : m->today + rng_range(r, 1, shelf);
    int y, mo, d;
    date_from_days(e - shelf, &y, &mo, &d);
    int seq = (int)rng_below(r, 1000);
    if (seq == avoid)
        seq = (seq + 1) % 1000;
    snprintf(lot, 16, "L%02d%c%03d", y % 100, 'A' + mo - 1, seq);
    date_fmt(e, exp);
    return seq;
}

static void stock_row(FILE *f, const model *m, int b, int i, const char *lot, const char *exp,
                      int qty, bool hold)
{
    char code[32], sku[16];
    bin_code(m, b, code);
    sku_of(i, sku);
    fprintf(f, "%s,%s,%s,%s,%d,%s\n", code, sku, lot, exp, qty, hold ? "hold" : "");
}

/* Shuffles the usable (not blocked) bins of `type` into a new array.
 * Returns the count, or -1 when out of memory. */
static int usable_bins(const model *m, rng *r, int type, int **out)
{
    int n = 0;
    *out = malloc(sizeof(int) * (size_t)m->nbins);
    if (*out == NULL)
        return -1;
    for (int k = 0; k < m->nbins; k++)
        if (m->bins[k].type == type && !m->bins[k].blocked)
            (*out)[n++] = k;
    for (int k = n - 1; k > 0; k--) {
        int j = (int)rng_below(r, (int64_t)k + 1), t = (*out)[k];
        (*out)[k] = (*out)[j];
        (*out)[j] = t;
    }
    return n;
}

/* One pick face per item (round robin over the shuffled pick bins, with a
 * per-item cap so shared faces never overflow), a reserve bin for about
 * half of the items.  Updates the bins' used counts.  0, ENOMEM or EIO. */
static int write_stock(model *m, FILE *f, wms_error *err)
{
    rng r;
    rng_seed(&r, m->seed, SEC_STOCK, 0);
    int *pick = NULL, *res = NULL;
    int npick = usable_bins(m, &r, BT_PICK, &pick);
    int nres = npick < 0 ? -1 : usable_bins(m, &r, BT_RESERVE, &res);
    if (npick < 0 || nres < 0) {
        free(pick);
        free(res);
        return wms_error_set(err, WMS_ENOMEM, "demo data: no memory for the stock");
    }
    int n = m->nitems;
    int pick_cap = npick ? PICK_CAP / ((n + npick - 1) / npick) : 0;
    int res_cap = nres ? RESERVE_CAP / ((n + nres - 1) / nres) : 0;
    pick_cap = pick_cap < 1 ? 1 : pick_cap;
    res_cap = res_cap < 1 ? 1 : res_cap;
    int64_t rp = 0;
    fputs("bin,sku,lot,expiry,qty,status\n", f);
    for (int i = 0; i < n; i++) {
        const ditem *it = &m->items[i];
        int cu = it->case_units;
        int pb = npick ? find_room(m, pick, npick, i % npick) : -1;
        int seq = -1;
        char lot[16] = "", exp[11] = "";
        if (pb >= 0) {
            int64_t q = cu * rng_range(&r, 1, 4) + rng_below(&r, cu);
            int64_t room = m->bins[pb].capacity - m->bins[pb].used;
            q = q > pick_cap ? pick_cap : q;
            q = q > room ? room : q;
            if (it->shelf > 0)
                seq = lot_make(m, &r, it->shelf, -1, lot, exp);
            bool hold = rng_chance(&r, 20);
            m->bins[pb].used += (int32_t)q;
            stock_row(f, m, pb, i, lot, exp, (int)q, hold);
        }
        if (nres && rng_chance(&r, 500)) {
            int rb = find_room(m, res, nres, rp++ % nres);
            if (rb >= 0) {
                int64_t q = cu * rng_range(&r, 5, 40);
                int64_t room = m->bins[rb].capacity - m->bins[rb].used;
                q = q > res_cap ? res_cap : q;
                q = q > room ? room : q;
                if (it->shelf > 0)
                    lot_make(m, &r, it->shelf, seq, lot, exp);
                bool hold = rng_chance(&r, 20);
                m->bins[rb].used += (int32_t)q;
                stock_row(f, m, rb, i, lot, exp, (int)q, hold);
            }
        }
        if ((i & 4095) == 4095 && ferror(f))
            break;
    }
    free(pick);
    free(res);
    return stream_done(f, "stock", err);
}

/* Customer c's name as a pure function of (seed, c); returns its credit
 * class index (0 green, 1 yellow, 2 red) and the hold value in cents. */
static int customer_make(uint64_t seed, int c, char name[96], int *hold_cents)
{
    rng r;
    rng_seed(&r, seed, SEC_CUSTOMER, (uint64_t)c);
    if (rng_chance(&r, 120)) {
        int a = (int)rng_below(&r, NELEM(SURNAMES));
        int b = (int)rng_below(&r, NELEM(SURNAMES) - 1);
        b += b >= a;
        snprintf(name, 96, "%s, %s & Co", SURNAMES[a], SURNAMES[b]);
    } else {
        snprintf(name, 96, "%s %s%s", CUST_FIRST[rng_below(&r, NELEM(CUST_FIRST))],
                 CUST_KIND[rng_below(&r, NELEM(CUST_KIND))],
                 CUST_SUFFIX[rng_below(&r, NELEM(CUST_SUFFIX))]);
    }
    static const int credit_w[3] = {70, 20, 10};
    static const int holds[4] = {25000, 50000, 75000, 100000};
    int credit = rng_weighted(&r, credit_w, 3);
    *hold_cents = credit == 1 ? holds[rng_below(&r, 4)] : 0;
    return credit;
}

typedef struct address {
    char street[96], postcode[12];
    const city *city;
} address;

/* Customer c's delivery address as a pure function of (seed, c). */
static void address_make(uint64_t seed, int c, address *a)
{
    rng r;
    rng_seed(&r, seed, SEC_ADDRESS, (uint64_t)c);
    snprintf(a->street, sizeof(a->street), "%d %s %s", (int)rng_range(&r, 1, 250),
             STREETS[rng_below(&r, NELEM(STREETS))],
             STREET_KIND[rng_below(&r, NELEM(STREET_KIND))]);
    a->city = &CITIES[rng_below(&r, NELEM(CITIES))];
    int digits = a->city->digits;
    int lo = digits == 5 ? 10000 : 1000;
    snprintf(a->postcode, sizeof(a->postcode), "%d", (int)rng_range(&r, lo, lo * 10 - 1));
}

static int write_customers(const model *m, FILE *f, wms_error *err)
{
    static const char *const credit_s[3] = {"green", "yellow", "red"};
    fputs("customer,name,credit,hold_value\n", f);
    for (int c = 0; c < m->customers; c++) {
        char name[96];
        int hold;
        int credit = customer_make(m->seed, c, name, &hold);
        fprintf(f, "C%05d,", c + 1);
        csv_put(f, name);
        fprintf(f, ",%s,", credit_s[credit]);
        if (hold > 0)
            fprintf(f, "%d.%02d", hold / 100, hold % 100);
        putc('\n', f);
        if ((c & 4095) == 4095 && ferror(f))
            break;
    }
    return stream_done(f, "customers", err);
}

/* Draws an item by class-based demand: 80 % of the lines from the top 20 %
 * of the popularity ranking, 15 % from the next 30 %, 5 % from the rest. */
static int demand_pick(const model *m, rng *r, const int *pop)
{
    int n = m->nitems;
    int na = (int)(((int64_t)n * 2 + 9) / 10);
    int nb = (int)(((int64_t)n * 3 + 9) / 10);
    na = na < 1 ? 1 : na;
    nb = nb > n - na ? n - na : nb;
    int nc = n - na - nb;
    int64_t u = rng_below(r, 100);
    if (u >= 95 && nc > 0)
        return pop[na + nb + rng_below(r, nc)];
    if (u >= 80 && nb > 0)
        return pop[na + rng_below(r, nb)];
    return pop[rng_below(r, na)];
}

/* Writes order o's lines.  `pop` ranks the items by popularity. */
static void order_write(const model *m, FILE *f, int o, const int *pop)
{
    rng r;
    rng_seed(&r, m->seed, SEC_ORDER, (uint64_t)o);
    static const int lines_w[MAX_LINES] = {30, 25, 18, 12, 9, 6};
    static const int prio_w[5] = {10, 20, 40, 20, 10};
    static const int hours[3] = {14, 16, 18};
    int c = (int)rng_below(&r, m->customers);
    int lines = 1 + rng_weighted(&r, lines_w, MAX_LINES);
    int prio = 1 + rng_weighted(&r, prio_w, 5);
    const char *carrier = CARRIERS[rng_below(&r, NELEM(CARRIERS))];
    int hour = hours[rng_below(&r, 3)];
    bool incomplete = rng_chance(&r, 30);
    lines = lines > m->nitems ? m->nitems : lines;

    char name[96];
    int hold;
    address a;
    customer_make(m->seed, c, name, &hold);
    address_make(m->seed, c, &a);

    int chosen[MAX_LINES];
    for (int l = 0; l < lines; l++) {
        int it = -1;
        for (int t = 0; t < 16 && it < 0; t++) {
            it = demand_pick(m, &r, pop);
            for (int k = 0; k < l; k++)
                if (chosen[k] == it)
                    it = -1;
        }
        for (int cand = 0; it < 0 && cand < m->nitems; cand++) {
            it = cand;
            for (int k = 0; k < l; k++)
                if (chosen[k] == cand)
                    it = -1;
        }
        chosen[l] = it;
        int64_t u = rng_below(&r, 100);
        int qty = u < 60 ? 1 : u < 85 ? 2 : u < 95 ? 3 : (int)rng_range(&r, 4, 12);
        int shelf = m->items[it].shelf, msl = 0;
        if (shelf > 0 && rng_chance(&r, 150))
            msl = shelf / 4 + (int)rng_below(&r, shelf / 4 + 1);
        char sku[16];
        sku_of(it, sku);
        fprintf(f, "SO-%06d,%d,C%05d,%s,%d,%d,%s,%sT%02d:00:00+00:00,", o + 1, l + 1, c + 1, sku,
                qty, prio, carrier, m->today_s, hour);
        csv_put(f, name);
        putc(',', f);
        csv_put(f, a.street);
        fprintf(f, ",%s,%s,%s,", incomplete ? "" : a.city->name, a.postcode, a.city->country);
        if (msl > 0)
            fprintf(f, "%d", msl);
        putc('\n', f);
    }
}

static int write_orders(const model *m, FILE *f, wms_error *err)
{
    int *pop = malloc(sizeof(int) * (size_t)m->nitems);
    if (pop == NULL)
        return wms_error_set(err, WMS_ENOMEM, "demo data: no memory for the orders");
    rng r;
    rng_seed(&r, m->seed, SEC_POPULARITY, 0);
    for (int i = 0; i < m->nitems; i++)
        pop[i] = i;
    for (int i = m->nitems - 1; i > 0; i--) {
        int j = (int)rng_below(&r, (int64_t)i + 1), t = pop[i];
        pop[i] = pop[j];
        pop[j] = t;
    }
    fputs("order,line,customer,sku,qty,priority,carrier,cutoff,ship_name,ship_street,"
          "ship_city,ship_postcode,ship_country,min_shelf_life_days\n",
          f);
    for (int o = 0; o < m->orders; o++) {
        order_write(m, f, o, pop);
        if ((o & 1023) == 1023 && ferror(f))
            break;
    }
    free(pop);
    return stream_done(f, "orders", err);
}

/* ------------------------------------------------------------------------ */
/* Entry point                                                              */
/* ------------------------------------------------------------------------ */

/* Validates the options and fills the date fields of `m`. */
static int opts_check(const wms_demo_opts *o, const wms_demo_out *out, model *m, wms_error *err)
{
    if (o == NULL || out == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "demo data: options and outputs are required");
    if (o->bins < WMS_DEMO_MIN_BINS || o->bins > WMS_DEMO_MAX_BINS)
        return wms_error_set(err, WMS_EBAD_ARGS, "demo data: bins must be %d..%d, not %d",
                             WMS_DEMO_MIN_BINS, WMS_DEMO_MAX_BINS, o->bins);
    if (o->items < 1 || o->items > WMS_DEMO_MAX_ITEMS)
        return wms_error_set(err, WMS_EBAD_ARGS, "demo data: items must be 1..%d, not %d",
                             WMS_DEMO_MAX_ITEMS, o->items);
    if (o->customers < 0 || o->customers > WMS_DEMO_MAX_CUSTOMERS)
        return wms_error_set(err, WMS_EBAD_ARGS, "demo data: customers must be 0..%d, not %d",
                             WMS_DEMO_MAX_CUSTOMERS, o->customers);
    if (o->orders < 0 || o->orders > WMS_DEMO_MAX_ORDERS)
        return wms_error_set(err, WMS_EBAD_ARGS, "demo data: orders must be 0..%d, not %d",
                             WMS_DEMO_MAX_ORDERS, o->orders);
    if (o->orders > 0 && o->customers < 1)
        return wms_error_set(err, WMS_EBAD_ARGS, "demo data: orders need at least one customer");
    int y, mo, d;
    if (o->today != NULL) {
        if (wms_date_parse(o->today, &y, &mo, &d) < 0 || y < 1901 || y > 9990)
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "demo data: today '%.16s' is not a date YYYY-MM-DD (1901..9990)",
                                 o->today);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        if (gmtime_r(&now, &tm) == NULL)
            return wms_error_set(err, WMS_EBAD_ARGS, "demo data: no current date");
        y = tm.tm_year + 1900;
        mo = tm.tm_mon + 1;
        d = tm.tm_mday;
    }
    m->today = wms_date_days(y, mo, d);
    date_fmt(m->today, m->today_s);
    m->seed = o->seed;
    m->customers = o->customers;
    m->orders = o->orders;
    return 0;
}

int wms_demo_generate(const wms_demo_opts *o, const wms_demo_out *out, wms_error *err)
{
    model m;
    memset(&m, 0, sizeof(m));
    int rc = opts_check(o, out, &m, err);
    if (rc < 0)
        return rc;
    if ((rc = model_bins(&m, o->bins, err)) < 0 || (rc = model_items(&m, o->items, err)) < 0)
        goto done;
    if (out->layout != NULL && (rc = write_layout(&m, out->layout, err)) < 0)
        goto done;
    if (out->items != NULL && (rc = write_items(&m, out->items, err)) < 0)
        goto done;
    if (out->packs != NULL && (rc = write_packs(&m, out->packs, err)) < 0)
        goto done;
    if (out->barcodes != NULL && (rc = write_barcodes(&m, out->barcodes, err)) < 0)
        goto done;
    if (out->bins != NULL && (rc = write_bins(&m, out->bins, err)) < 0)
        goto done;
    if (out->stock != NULL && (rc = write_stock(&m, out->stock, err)) < 0)
        goto done;
    if (out->customers != NULL && (rc = write_customers(&m, out->customers, err)) < 0)
        goto done;
    if (out->orders != NULL && (rc = write_orders(&m, out->orders, err)) < 0)
        goto done;
    rc = 0;
done:
    model_free(&m);
    return rc;
}
