/* test_demogen.c - the demo warehouse generator: determinism, counts, CSV
 * shape, layout geometry, barcodes, stock integrity, demand skew, errors.
 *
 * The generated files are parsed with a small RFC 4180 reader written here
 * (independent of the importer's), which also checks the quoting: every
 * record must have exactly as many fields as the header. */
#include "helpers.h"

#include "core/date.h"
#include "domain/demogen.h"
#include "domain/gs1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TODAY "2026-11-23"

enum { F_LAYOUT, F_ITEMS, F_PACKS, F_BARCODES, F_BINS, F_STOCK, F_CUSTOMERS, F_ORDERS, NF };
#define ALL_FILES ((1u << NF) - 1)

static const char *const HEADERS[NF] = {
    "kind,id,x_m,y_m,length_m\n",
    "sku,description,uom,length_mm,width_mm,height_mm,weight_g,shelf_life_days\n",
    "sku,level,units\n",
    "code,sku,level\n",
    "code,zone,type,aisle,y_m,level,capacity,blocked\n",
    "bin,sku,lot,expiry,qty,status\n",
    "customer,name,credit,hold_value\n",
    "order,line,customer,sku,qty,priority,carrier,cutoff,ship_name,ship_street,ship_city,"
    "ship_postcode,ship_country,min_shelf_life_days\n",
};

/* ------------------------------------------------------------------------ */
/* Running the generator into memory                                        */
/* ------------------------------------------------------------------------ */

typedef struct gen {
    char *buf[NF];
    size_t len[NF];
} gen;

static wms_demo_opts opts(uint64_t seed, int bins, int items, int customers, int orders)
{
    return (wms_demo_opts){.seed = seed,
                           .bins = bins,
                           .items = items,
                           .customers = customers,
                           .orders = orders,
                           .today = TODAY};
}

/* Generates the files selected by `mask` into memory; returns the result. */
static int gen_run(const wms_demo_opts *o, unsigned mask, gen *g, wms_error *err)
{
    FILE *f[NF] = {0};
    memset(g, 0, sizeof(*g));
    for (int i = 0; i < NF; i++)
        if (mask & (1u << i)) {
            f[i] = open_memstream(&g->buf[i], &g->len[i]);
            assert_non_null(f[i]);
        }
    wms_demo_out out = {f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]};
    wms_error_clear(err);
    int rc = wms_demo_generate(o, &out, err);
    for (int i = 0; i < NF; i++)
        if (f[i] != NULL)
            assert_int_equal(fclose(f[i]), 0);
    return rc;
}

/* Generates all files and expects success. */
static void gen_ok(const wms_demo_opts *o, gen *g)
{
    wms_error err;
    int rc = gen_run(o, ALL_FILES, g, &err);
    if (rc != 0)
        print_error("generate: %d %s\n", rc, err.msg);
    assert_int_equal(rc, 0);
    for (int i = 0; i < NF; i++) {
        assert_non_null(g->buf[i]);
        size_t hl = strlen(HEADERS[i]);
        assert_true(g->len[i] >= hl);
        assert_memory_equal(g->buf[i], HEADERS[i], hl);
    }
}

static void gen_free(gen *g)
{
    for (int i = 0; i < NF; i++)
        free(g->buf[i]);
}

/* ------------------------------------------------------------------------ */
/* A minimal RFC 4180 reader (LF records, as the generator writes them)     */
/* ------------------------------------------------------------------------ */

typedef struct tab {
    int ncols, nrows; /* nrows: data records, header excluded */
    char **f;         /* (nrows + 1) * ncols strings, header first */
} tab;

static void tab_parse(const char *s, size_t n, tab *t)
{
    assert_true(n > 0 && s[n - 1] == '\n');
    size_t cap = 1024, cnt = 0;
    char **f = malloc(cap * sizeof(*f));
    char *cur = malloc(n + 1);
    assert_non_null(f);
    assert_non_null(cur);
    int ncols = -1, in_row = 0, records = 0;
    size_t i = 0;
    while (i < n) {
        size_t cl = 0;
        if (s[i] == '"') {
            i++;
            for (;;) {
                assert_true(i < n);
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        cur[cl++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                cur[cl++] = s[i++];
            }
            assert_true(i < n && (s[i] == ',' || s[i] == '\n'));
        } else {
            while (s[i] != ',' && s[i] != '\n') {
                /* an unquoted field must not hold a quote or CR */
                assert_true(s[i] != '"' && s[i] != '\r');
                cur[cl++] = s[i++];
            }
        }
        cur[cl] = '\0';
        if (cnt == cap) {
            cap *= 2;
            f = realloc(f, cap * sizeof(*f));
            assert_non_null(f);
        }
        f[cnt] = strdup(cur);
        assert_non_null(f[cnt]);
        cnt++;
        in_row++;
        if (s[i++] == '\n') {
            if (ncols < 0)
                ncols = in_row;
            else if (in_row != ncols)
                fail_msg("record %d has %d fields, header has %d", records, in_row, ncols);
            records++;
            in_row = 0;
        }
    }
    free(cur);
    t->ncols = ncols;
    t->nrows = records - 1;
    t->f = f;
}

static void tab_free(tab *t)
{
    for (int i = 0; i < (t->nrows + 1) * t->ncols; i++)
        free(t->f[i]);
    free(t->f);
}

static int tab_col(const tab *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (strcmp(t->f[c], name) == 0)
            return c;
    fail_msg("no column %s", name);
    return -1;
}

static const char *cell(const tab *t, int r, int c)
{
    return t->f[(size_t)(r + 1) * (size_t)t->ncols + (size_t)c];
}

static const char *cellf(const tab *t, int r, const char *name)
{
    return cell(t, r, tab_col(t, name));
}

static void tab_of(const gen *g, int file, tab *t)
{
    tab_parse(g->buf[file], g->len[file], t);
}

/* Item index of "SKU-nnnnn" (checked to be the canonical spelling), or -1. */
static int sku_index(const char *sku, int nitems)
{
    if (strncmp(sku, "SKU-", 4) != 0)
        return -1;
    int i = atoi(sku + 4) - 1;
    char back[32];
    snprintf(back, sizeof(back), "SKU-%05d", i + 1);
    return i >= 0 && i < nitems && strcmp(back, sku) == 0 ? i : -1;
}

/* Row of bin `code` in the bins table, or -1. */
static int bin_row(const tab *bins, const char *code)
{
    int c = tab_col(bins, "code");
    for (int r = 0; r < bins->nrows; r++)
        if (strcmp(cell(bins, r, c), code) == 0)
            return r;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

static void test_same_seed_identical(void **state)
{
    (void)state;
    wms_demo_opts o = opts(42, 403, 300, 50, 400);
    gen a, b, part;
    gen_ok(&o, &a);
    gen_ok(&o, &b);
    for (int i = 0; i < NF; i++) {
        assert_int_equal(a.len[i], b.len[i]);
        assert_memory_equal(a.buf[i], b.buf[i], a.len[i]);
    }
    /* A file does not depend on which other streams were asked for. */
    wms_error err;
    assert_int_equal(gen_run(&o, (1u << F_STOCK) | (1u << F_ORDERS), &part, &err), 0);
    for (int i = 0; i < NF; i++) {
        if (i != F_STOCK && i != F_ORDERS) {
            assert_null(part.buf[i]);
            continue;
        }
        assert_int_equal(part.len[i], a.len[i]);
        assert_memory_equal(part.buf[i], a.buf[i], a.len[i]);
    }
    gen_free(&part);
    /* More orders keep the first ones as they were. */
    wms_demo_opts more = opts(42, 403, 300, 50, 800);
    assert_int_equal(gen_run(&more, 1u << F_ORDERS, &part, &err), 0);
    assert_true(part.len[F_ORDERS] > a.len[F_ORDERS]);
    assert_memory_equal(part.buf[F_ORDERS], a.buf[F_ORDERS], a.len[F_ORDERS]);
    gen_free(&part);
    gen_free(&a);
    gen_free(&b);
}

static void test_different_seed_differs(void **state)
{
    (void)state;
    wms_demo_opts o1 = opts(1, 403, 300, 50, 400), o2 = opts(2, 403, 300, 50, 400);
    gen a, b;
    gen_ok(&o1, &a);
    gen_ok(&o2, &b);
    static const int files[] = {F_ITEMS, F_BINS, F_STOCK, F_CUSTOMERS, F_ORDERS};
    for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
        int i = files[k];
        assert_true(a.len[i] != b.len[i] || memcmp(a.buf[i], b.buf[i], a.len[i]) != 0);
    }
    gen_free(&a);
    gen_free(&b);
}

/* Bin and item counts honoured, keys unique, packs sane. */
static void check_counts(int bins, int items)
{
    wms_demo_opts o = opts(7, bins, items, 5, 20);
    gen g;
    gen_ok(&o, &g);
    tab tb, ti, tp;
    tab_of(&g, F_BINS, &tb);
    tab_of(&g, F_ITEMS, &ti);
    tab_of(&g, F_PACKS, &tp);
    assert_int_equal(tb.nrows, bins);
    assert_int_equal(ti.nrows, items);
    int cc = tab_col(&tb, "code");
    for (int r = 0; r < tb.nrows; r++)
        for (int q = r + 1; q < tb.nrows; q++)
            assert_string_not_equal(cell(&tb, r, cc), cell(&tb, q, cc));
    for (int r = 0; r < ti.nrows; r++)
        assert_int_equal(sku_index(cellf(&ti, r, "sku"), items), r);
    /* every item has each = 1 and a case of 6-48; an inner divides the case */
    int *each = calloc((size_t)items, sizeof(int)), *cs = calloc((size_t)items, sizeof(int));
    int *inner = calloc((size_t)items, sizeof(int));
    assert_true(each && cs && inner);
    for (int r = 0; r < tp.nrows; r++) {
        int i = sku_index(cellf(&tp, r, "sku"), items);
        assert_true(i >= 0);
        const char *lv = cellf(&tp, r, "level");
        int u = atoi(cellf(&tp, r, "units"));
        if (strcmp(lv, "each") == 0) {
            assert_int_equal(u, 1);
            each[i]++;
        } else if (strcmp(lv, "case") == 0) {
            assert_true(u == 6 || u == 8 || u == 10 || u == 12 || u == 24 || u == 36 || u == 48);
            assert_int_equal(cs[i], 0);
            cs[i] = u;
        } else {
            assert_string_equal(lv, "inner");
            assert_int_equal(inner[i], 0);
            inner[i] = u;
        }
    }
    for (int i = 0; i < items; i++) {
        assert_int_equal(each[i], 1);
        assert_true(cs[i] > 0);
        if (inner[i])
            assert_true(inner[i] > 1 && inner[i] < cs[i] && cs[i] % inner[i] == 0);
    }
    free(each);
    free(cs);
    free(inner);
    tab_free(&tb);
    tab_free(&ti);
    tab_free(&tp);
    gen_free(&g);
}

static void test_counts(void **state)
{
    (void)state;
    check_counts(10, 1);
    check_counts(11, 7);
    check_counts(93, 150);
    check_counts(403, 150);
    check_counts(903, 40);
    check_counts(2017, 333);
}

/* Layout rules; returns the number of aisles. */
static int check_layout(int bins)
{
    wms_demo_opts o = opts(3, bins, 50, 5, 10);
    gen g;
    gen_ok(&o, &g);
    tab tl, tb;
    tab_of(&g, F_LAYOUT, &tl);
    tab_of(&g, F_BINS, &tb);
    int naisles = 0, ndepot = 0, ncross = 0;
    double first_x = -1, prev_x = -1, len = -1, cross = -1;
    char ids[64][8];
    for (int r = 0; r < tl.nrows; r++) {
        const char *kind = cellf(&tl, r, "kind");
        if (strcmp(kind, "aisle") == 0) {
            double x = atof(cellf(&tl, r, "x_m")), l = atof(cellf(&tl, r, "length_m"));
            if (naisles == 0)
                first_x = x;
            else
                assert_true(x - prev_x > 4.99 && x - prev_x < 5.01); /* 5 m pitch */
            prev_x = x;
            assert_true(len < 0 || l == len); /* one length for all aisles */
            len = l;
            if (naisles < 64)
                snprintf(ids[naisles], sizeof(ids[0]), "%.7s", cellf(&tl, r, "id"));
            naisles++;
        } else if (strcmp(kind, "depot") == 0) {
            ndepot++;
        } else {
            assert_string_equal(kind, "cross");
            cross = atof(cellf(&tl, r, "y_m"));
            ncross++;
        }
    }
    assert_int_equal(ndepot, 1);
    assert_true(naisles >= 1 && naisles <= 64);
    for (int r = 0; r < tl.nrows; r++)
        if (strcmp(cellf(&tl, r, "kind"), "depot") == 0) {
            assert_true(atof(cellf(&tl, r, "x_m")) == first_x);
            assert_true(atof(cellf(&tl, r, "y_m")) == 0.0);
        }
    assert_int_equal(ncross, naisles > 12 ? 1 : 0);
    if (ncross)
        assert_true(cross > 0 && cross < len);
    int specials = 0;
    for (int r = 0; r < tb.nrows; r++) {
        const char *aisle = cellf(&tb, r, "aisle");
        int found = 0;
        for (int a = 0; a < naisles; a++)
            found += strcmp(ids[a], aisle) == 0;
        assert_int_equal(found, 1);
        double y = atof(cellf(&tb, r, "y_m"));
        assert_true(y > 0 && y < len);
        assert_true(ncross == 0 || y != cross);
        const char *type = cellf(&tb, r, "type");
        const char *code = cellf(&tb, r, "code");
        if (strcmp(code, "DOCK-01") == 0 || strcmp(code, "STAGE-01") == 0 ||
            strcmp(code, "QUAR-01") == 0) {
            specials++;
            assert_string_equal(aisle, "A01");
            assert_true(y < 1.5);
        } else {
            assert_true(strcmp(type, "pick") == 0 || strcmp(type, "reserve") == 0);
        }
    }
    assert_int_equal(specials, 3);
    assert_string_equal(cellf(&tb, bin_row(&tb, "DOCK-01"), "type"), "dock");
    assert_string_equal(cellf(&tb, bin_row(&tb, "STAGE-01"), "type"), "staging");
    assert_string_equal(cellf(&tb, bin_row(&tb, "QUAR-01"), "type"), "quarantine");
    if (bins == 903) { /* Henn-style: 10 aisles of 45 cells, 1.5 m to each end */
        assert_int_equal(naisles, 10);
        assert_true(len == 48.0);
        int r = bin_row(&tb, "A10-045-R");
        assert_true(r >= 0);
        assert_true(atof(cellf(&tb, r, "y_m")) == 46.0);
        assert_true(bin_row(&tb, "A01-001-L") >= 0);
        assert_string_equal(cellf(&tb, bin_row(&tb, "A01-001-L"), "type"), "pick");
        assert_string_equal(cellf(&tb, r, "type"), "reserve");
    }
    tab_free(&tl);
    tab_free(&tb);
    gen_free(&g);
    return naisles;
}

static void test_layout_geometry(void **state)
{
    (void)state;
    assert_int_equal(check_layout(10), 1);
    assert_int_equal(check_layout(903), 10);
    assert_true(check_layout(1200) > 12); /* gets a cross aisle */
    check_layout(5003);
}

static void test_barcodes(void **state)
{
    (void)state;
    const int items = 1000;
    wms_demo_opts o = opts(11, 903, items, 5, 10);
    gen g;
    gen_ok(&o, &g);
    tab tc, tp;
    tab_of(&g, F_BARCODES, &tc);
    tab_of(&g, F_PACKS, &tp);
    int *coded = calloc((size_t)items, sizeof(int));
    assert_non_null(coded);
    int shared = 0;
    for (int r = 0; r < tc.nrows; r++) {
        const char *code = cellf(&tc, r, "code"), *lv = cellf(&tc, r, "level");
        const char *sku = cellf(&tc, r, "sku");
        size_t n = strlen(code);
        int i = sku_index(sku, items);
        assert_true(i >= 0);
        coded[i]++;
        if (strcmp(lv, "each") == 0)
            assert_int_equal(n, 13);
        else
            assert_true(n == 14 && (strcmp(lv, "case") == 0 || strcmp(lv, "inner") == 0));
        assert_true(wms_gs1_check_valid(code, n));
        /* the level exists in packs.csv for that item */
        int found = 0;
        for (int p = 0; p < tp.nrows && !found; p++)
            found =
                strcmp(cellf(&tp, p, "sku"), sku) == 0 && strcmp(cellf(&tp, p, "level"), lv) == 0;
        assert_true(found);
        /* the same code on another item: only a shared unit code, once */
        for (int q = r + 1; q < tc.nrows; q++)
            if (strcmp(cellf(&tc, q, "code"), code) == 0) {
                assert_string_equal(lv, "each");
                assert_string_not_equal(cellf(&tc, q, "sku"), sku);
                shared++;
            }
    }
    int uncoded = 0;
    for (int i = 0; i < items; i++)
        uncoded += coded[i] == 0;
    assert_true(uncoded >= items / 20 && uncoded <= items * 15 / 100); /* ~10 % */
    assert_true(shared >= 1 && shared <= items / 50);                  /* ~1 % */
    free(coded);
    tab_free(&tc);
    tab_free(&tp);
    gen_free(&g);
}

/* Stock rows point at existing, unblocked pick/reserve bins and never
 * exceed a bin's capacity; lots and expiry dates only for perishables. */
static void check_stock(int bins, int items, int *expired, int *fresh)
{
    wms_demo_opts o = opts(5, bins, items, 5, 10);
    gen g;
    gen_ok(&o, &g);
    tab ts, tb, ti;
    tab_of(&g, F_STOCK, &ts);
    tab_of(&g, F_BINS, &tb);
    tab_of(&g, F_ITEMS, &ti);
    long *sum = calloc((size_t)tb.nrows, sizeof(long));
    int *faces = calloc((size_t)items, sizeof(int));
    assert_true(sum && faces);
    long today = wms_date_diff(TODAY, "1970-01-01");
    for (int r = 0; r < ts.nrows; r++) {
        int b = bin_row(&tb, cellf(&ts, r, "bin"));
        assert_true(b >= 0);
        assert_string_equal(cellf(&tb, b, "blocked"), "0");
        const char *type = cellf(&tb, b, "type");
        assert_true(strcmp(type, "pick") == 0 || strcmp(type, "reserve") == 0);
        int i = sku_index(cellf(&ts, r, "sku"), items);
        assert_true(i >= 0);
        faces[i] += strcmp(type, "pick") == 0;
        long q = atol(cellf(&ts, r, "qty"));
        assert_true(q >= 1);
        sum[b] += q;
        assert_true(sum[b] <= atol(cellf(&tb, b, "capacity")));
        const char *st = cellf(&ts, r, "status");
        assert_true(st[0] == '\0' || strcmp(st, "hold") == 0);
        const char *lot = cellf(&ts, r, "lot"), *exp = cellf(&ts, r, "expiry");
        const char *shelf_s = cellf(&ti, i, "shelf_life_days");
        if (shelf_s[0] == '\0') {
            assert_string_equal(lot, "");
            assert_string_equal(exp, "");
            continue;
        }
        int y, m, d;
        assert_int_equal(wms_date_parse(exp, &y, &m, &d), 0);
        long e = wms_date_days(y, m, d), shelf = atol(shelf_s);
        assert_true(e >= today - 10 && e <= today + shelf);
        assert_true(strlen(lot) == 7 && lot[0] == 'L');
        if (e <= today)
            (*expired)++;
        else
            (*fresh)++;
        /* (bin, sku, lot) is the key: no duplicate */
        for (int q2 = r + 1; q2 < ts.nrows && q2 < r + 4; q2++)
            assert_false(strcmp(cellf(&ts, q2, "bin"), cellf(&ts, r, "bin")) == 0 &&
                         strcmp(cellf(&ts, q2, "sku"), cellf(&ts, r, "sku")) == 0 &&
                         strcmp(cellf(&ts, q2, "lot"), lot) == 0);
    }
    /* one pick face per item, for every item when there is room */
    for (int i = 0; i < items; i++)
        assert_true(faces[i] == 1 || (faces[i] == 0 && items > bins));
    free(sum);
    free(faces);
    tab_free(&ts);
    tab_free(&tb);
    tab_free(&ti);
    gen_free(&g);
}

static void test_stock(void **state)
{
    (void)state;
    int expired = 0, fresh = 0;
    check_stock(403, 250, &expired, &fresh);
    check_stock(903, 800, &expired, &fresh);
    assert_true(expired >= 1);        /* some expired lots exist */
    assert_true(fresh > expired * 5); /* ... but only a few */
    /* crowded: many items sharing few bins still never exceed capacity */
    int e2 = 0, f2 = 0;
    check_stock(10, 3000, &e2, &f2);
    check_stock(50, 1000, &e2, &f2);
}

static void test_items(void **state)
{
    (void)state;
    const int items = 1000;
    wms_demo_opts o = opts(13, 403, items, 5, 10);
    gen g;
    gen_ok(&o, &g);
    tab ti;
    tab_of(&g, F_ITEMS, &ti);
    int perishable = 0, nodims = 0, comma = 0, quote = 0;
    for (int r = 0; r < ti.nrows; r++) {
        const char *desc = cellf(&ti, r, "description");
        assert_true(strlen(desc) > 3 && strlen(desc) < 100);
        comma += strchr(desc, ',') != NULL;
        quote += strchr(desc, '"') != NULL;
        const char *sl = cellf(&ti, r, "shelf_life_days");
        if (sl[0]) {
            perishable++;
            assert_true(atoi(sl) >= 30 && atoi(sl) <= 720);
        }
        const char *l = cellf(&ti, r, "length_mm"), *w = cellf(&ti, r, "width_mm");
        const char *h = cellf(&ti, r, "height_mm");
        if (l[0] == '\0') {
            assert_string_equal(w, "");
            assert_string_equal(h, "");
            nodims++;
        } else {
            assert_true(atoi(l) > 0 && atoi(w) > 0 && atoi(h) > 0 && atoi(l) < 1000);
        }
        assert_true(atoi(cellf(&ti, r, "weight_g")) > 0);
    }
    assert_true(perishable >= 300 && perishable <= 500); /* ~40 % */
    assert_true(nodims >= 30 && nodims <= 70);           /* ~5 % */
    assert_true(comma >= 1 && quote >= 1);               /* quoted fields survived the round trip */
    assert_non_null(strstr(g.buf[F_ITEMS], "\"\"Permanent\"\""));
    tab_free(&ti);
    gen_free(&g);
}

static void test_customers(void **state)
{
    (void)state;
    wms_demo_opts o = opts(17, 10, 5, 1000, 0);
    gen g;
    gen_ok(&o, &g);
    tab tc;
    tab_of(&g, F_CUSTOMERS, &tc);
    assert_int_equal(tc.nrows, 1000);
    int n[3] = {0};
    for (int r = 0; r < tc.nrows; r++) {
        const char *cr = cellf(&tc, r, "credit"), *hv = cellf(&tc, r, "hold_value");
        assert_true(cellf(&tc, r, "name")[0] != '\0');
        if (strcmp(cr, "green") == 0) {
            n[0]++;
            assert_string_equal(hv, "");
        } else if (strcmp(cr, "yellow") == 0) {
            n[1]++;
            assert_true(atof(hv) > 0);
        } else {
            assert_string_equal(cr, "red");
            n[2]++;
        }
    }
    assert_true(n[0] >= 620 && n[0] <= 780);
    assert_true(n[1] >= 140 && n[1] <= 260);
    assert_true(n[2] >= 50 && n[2] <= 150);
    /* no orders requested: only the header */
    assert_int_equal(g.len[F_ORDERS], strlen(HEADERS[F_ORDERS]));
    tab_free(&tc);
    gen_free(&g);
}

static int cmp_desc(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x < y) - (x > y);
}

static void test_orders(void **state)
{
    (void)state;
    const int items = 500, customers = 100, orders = 2000;
    wms_demo_opts o = opts(19, 403, items, customers, orders);
    gen g;
    gen_ok(&o, &g);
    tab to, ti;
    tab_of(&g, F_ORDERS, &to);
    tab_of(&g, F_ITEMS, &ti);
    int *count = calloc((size_t)items, sizeof(int));
    assert_non_null(count);
    static const char *const head[] = {"customer",  "priority",      "carrier",
                                       "cutoff",    "ship_name",     "ship_street",
                                       "ship_city", "ship_postcode", "ship_country"};
    int norders = 0, small_qty = 0, no_city = 0, msl_rows = 0, start = 0;
    for (int r = 0; r < to.nrows; r++) {
        const char *id = cellf(&to, r, "order");
        int line = atoi(cellf(&to, r, "line"));
        if (line == 1) {
            norders++;
            start = r;
            char want[16];
            snprintf(want, sizeof(want), "SO-%06d", norders);
            assert_string_equal(id, want);
            no_city += cellf(&to, r, "ship_city")[0] == '\0';
        } else {
            /* lines numbered 1..n; header fields repeated and equal */
            assert_string_equal(id, cellf(&to, r - 1, "order"));
            assert_int_equal(line, atoi(cellf(&to, r - 1, "line")) + 1);
            for (size_t h = 0; h < sizeof(head) / sizeof(head[0]); h++)
                assert_string_equal(cellf(&to, r, head[h]), cellf(&to, start, head[h]));
            for (int k = start; k < r; k++) /* distinct items within an order */
                assert_string_not_equal(cellf(&to, k, "sku"), cellf(&to, r, "sku"));
        }
        assert_true(line >= 1 && line <= 6);
        const char *cu = cellf(&to, r, "customer");
        int ci = atoi(cu + 1);
        assert_true(cu[0] == 'C' && ci >= 1 && ci <= customers);
        int i = sku_index(cellf(&to, r, "sku"), items);
        assert_true(i >= 0);
        count[i]++;
        int q = atoi(cellf(&to, r, "qty"));
        assert_true(q >= 1 && q <= 12);
        small_qty += q <= 3;
        int p = atoi(cellf(&to, r, "priority"));
        assert_true(p >= 1 && p <= 5);
        assert_true(cellf(&to, r, "carrier")[0] != '\0');
        const char *cut = cellf(&to, r, "cutoff");
        assert_true(strcmp(cut, TODAY "T14:00:00+00:00") == 0 ||
                    strcmp(cut, TODAY "T16:00:00+00:00") == 0 ||
                    strcmp(cut, TODAY "T18:00:00+00:00") == 0);
        assert_true(cellf(&to, r, "ship_name")[0] && cellf(&to, r, "ship_street")[0]);
        assert_true(cellf(&to, r, "ship_postcode")[0] && cellf(&to, r, "ship_country")[0]);
        const char *msl = cellf(&to, r, "min_shelf_life_days");
        if (msl[0]) {
            msl_rows++;
            const char *shelf = cellf(&ti, i, "shelf_life_days");
            assert_true(shelf[0] != '\0');
            assert_true(atoi(msl) >= 1 && atoi(msl) <= atoi(shelf));
        }
    }
    assert_int_equal(norders, orders);
    assert_true(small_qty * 100 >= to.nrows * 80);                       /* mostly 1-3 */
    assert_true(no_city >= orders / 100 && no_city <= orders * 6 / 100); /* ~3 % */
    assert_true(msl_rows >= 1);
    /* skew: the top 20 % of items by line count carry >= 60 % of the lines */
    qsort(count, (size_t)items, sizeof(int), cmp_desc);
    long top = 0;
    for (int i = 0; i < items / 5; i++)
        top += count[i];
    assert_true(top * 100 >= (long)to.nrows * 60);
    free(count);
    tab_free(&to);
    tab_free(&ti);
    gen_free(&g);
}

static void expect_bad(wms_demo_opts o)
{
    gen g;
    wms_error err;
    assert_int_equal(gen_run(&o, ALL_FILES, &g, &err), WMS_EBAD_ARGS);
    assert_int_equal(err.code, WMS_EBAD_ARGS);
    assert_true(err.msg[0] != '\0');
    gen_free(&g);
}

static void test_bad_args(void **state)
{
    (void)state;
    expect_bad(opts(1, 9, 10, 5, 10));
    expect_bad(opts(1, -1, 10, 5, 10));
    expect_bad(opts(1, WMS_DEMO_MAX_BINS + 1, 10, 5, 10));
    expect_bad(opts(1, 100, 0, 5, 10));
    expect_bad(opts(1, 100, 1000001, 5, 10));
    expect_bad(opts(1, 100, 10, -1, 10));
    expect_bad(opts(1, 100, 10, 0, 10)); /* orders without customers */
    expect_bad(opts(1, 100, 10, 5, -1));
    expect_bad(opts(1, 100, 10, 5, WMS_DEMO_MAX_ORDERS + 1));
    wms_demo_opts o = opts(1, 100, 10, 5, 10);
    o.today = "2026-02-30";
    expect_bad(o);
    o.today = "tomorrow";
    expect_bad(o);
    wms_demo_out out = {0};
    wms_error err;
    wms_error_clear(&err);
    assert_int_equal(wms_demo_generate(NULL, &out, &err), WMS_EBAD_ARGS);
    o.today = TODAY;
    assert_int_equal(wms_demo_generate(&o, NULL, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_demo_generate(&o, &out, NULL), 0); /* all skipped */
    /* customers without orders are fine; so is no date (today = now) */
    gen g;
    wms_demo_opts ok = opts(1, 10, 1, 0, 0);
    ok.today = NULL;
    assert_int_equal(gen_run(&ok, ALL_FILES, &g, &err), 0);
    gen_free(&g);
}

static void test_write_error(void **state)
{
    (void)state;
    char dir[512], path[1024];
    th_mkdtemp(dir, sizeof(dir), "demogen");
    th_write_file(dir, "ro.csv", "", path, sizeof(path));
    wms_demo_opts o = opts(1, 100, 50, 5, 10);
    static const int which[] = {F_LAYOUT, F_ITEMS, F_STOCK, F_ORDERS};
    for (size_t k = 0; k < sizeof(which) / sizeof(which[0]); k++) {
        FILE *ro = fopen(path, "r"); /* every write to it fails */
        assert_non_null(ro);
        FILE *f[NF] = {0};
        f[which[k]] = ro;
        wms_demo_out out = {f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]};
        wms_error err;
        wms_error_clear(&err);
        assert_int_equal(wms_demo_generate(&o, &out, &err), WMS_EIO);
        assert_int_equal(err.code, WMS_EIO);
        fclose(ro);
    }
    FILE *full = fopen("/dev/full", "w"); /* ENOSPC at flush time */
    if (full != NULL) {
        wms_demo_out out = {.orders = full};
        wms_error err;
        assert_int_equal(wms_demo_generate(&o, &out, &err), WMS_EIO);
        fclose(full);
    }
    remove(path);
    remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_identical),
        cmocka_unit_test(test_different_seed_differs),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_layout_geometry),
        cmocka_unit_test(test_barcodes),
        cmocka_unit_test(test_stock),
        cmocka_unit_test(test_items),
        cmocka_unit_test(test_customers),
        cmocka_unit_test(test_orders),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
