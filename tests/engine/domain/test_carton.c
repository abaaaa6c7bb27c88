/* test_carton.c - the cartonization heuristic: hand-made cases, the
 * geometric validator on every result (random orders too), and box choice
 * against an exact exhaustive search on small orders. */
#include "helpers.h"
#include "domain/carton.h"
#include "engine/carton_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */
/* ---------------------------------------------------------------------- */

static wms_box_type box(const char *code, int64_t l, int64_t w, int64_t h, int64_t maxw)
{
    wms_box_type t;
    memset(&t, 0, sizeof(t));
    snprintf(t.code, sizeof(t.code), "%s", code);
    t.length_mm = l, t.width_mm = w, t.height_mm = h, t.max_weight_g = maxw, t.tare_g = 100;
    return t;
}

static wms_carton_item item(const char *sku, int64_t l, int64_t w, int64_t h, int64_t g,
                            int64_t qty)
{
    wms_carton_item it;
    memset(&it, 0, sizeof(it));
    snprintf(it.sku, sizeof(it.sku), "%s", sku);
    it.item_id = sku[0];
    it.length_mm = l, it.width_mm = w, it.height_mm = h, it.weight_g = g, it.qty = qty;
    return it;
}

/* Packs with flags and validates; returns the result (caller frees). */
static wms_carton_result pack_flags(const wms_box_type *t, int nt, const wms_carton_item *it,
                                    int ni, int flags)
{
    wms_carton_result r;
    wms_error err = {0};
    int rc = wms_carton_pack(t, nt, it, ni, flags, &r, &err);
    if (rc != 0)
        fail_msg("pack failed: %s", err.msg);
    const char *bad = carton_check(&r, t, nt, it, ni);
    if (bad != NULL)
        fail_msg("invalid proposal: %s", bad);
    return r;
}

static wms_carton_result pack_ok(const wms_box_type *t, int nt, const wms_carton_item *it, int ni)
{
    return pack_flags(t, nt, it, ni, 0);
}

static uint64_t rng_state;
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static int64_t rnd(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

/* ---------------------------------------------------------------------- */
/* Exact feasibility: can these units go into one box L?                  */
/* ---------------------------------------------------------------------- */
/*
 * Exact for every packing (not only "robot-packable" or bottom-left ones):
 * two boxes with disjoint interiors are separated along at least one axis,
 * so a packing exists iff one can choose, for every unit an orientation and
 * for every pair of units an axis a and an order (i before j: x_j >= x_i +
 * e_i along a) such that, on each axis, the "before" graph is acyclic and
 * every path's length (sum of extents along it) is at most the box side.
 * (Given such choices, x_v = the longest path ending before v is a packing;
 * given a packing, its own separations are such choices.)  The search
 * enumerates all orientations and pair relations depth first, pruning as
 * soon as an axis has a cycle or a path longer than the box.  Weight and
 * volume are checked first.
 */
#define OX_MAX 6

typedef struct ox {
    int k;
    int64_t L[3];
    int64_t d[OX_MAX][3]; /* unit dimensions */
    int64_t e[OX_MAX][3]; /* chosen extents */
    unsigned char before[3][OX_MAX][OX_MAX];
    long nodes;
} ox;

/* Longest paths on axis a over units 0..n-1: 1 when all fit in L[a]. */
static int ox_axis_ok(const ox *s, int a, int n)
{
    int64_t start[OX_MAX] = {0};
    for (int round = 0; round <= n; round++) {
        int changed = 0;
        for (int v = 0; v < n; v++)
            for (int u = 0; u < n; u++)
                if (s->before[a][u][v] && start[u] + s->e[u][a] > start[v]) {
                    start[v] = start[u] + s->e[u][a];
                    changed = 1;
                }
        if (!changed) {
            for (int v = 0; v < n; v++)
                if (start[v] + s->e[v][a] > s->L[a])
                    return 0;
            return 1;
        }
    }
    return 0; /* still growing after n rounds: a cycle */
}

static int ox_dfs(ox *s, int i, int j);

/* Chooses the orientation of unit i, then its relations to units < i. */
static int ox_unit(ox *s, int i)
{
    if (i == s->k)
        return 1;
    static const int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                   {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int p = 0; p < 6; p++) {
        int64_t e[3] = {s->d[i][perm[p][0]], s->d[i][perm[p][1]], s->d[i][perm[p][2]]};
        int dup = 0;
        for (int q = 0; q < p && !dup; q++)
            dup = s->d[i][perm[q][0]] == e[0] && s->d[i][perm[q][1]] == e[1] &&
                  s->d[i][perm[q][2]] == e[2];
        if (dup || e[0] > s->L[0] || e[1] > s->L[1] || e[2] > s->L[2])
            continue;
        memcpy(s->e[i], e, sizeof(e));
        if (ox_dfs(s, i, 0))
            return 1;
    }
    return 0;
}

/* Chooses the relation of the pair (j, i), j < i. */
static int ox_dfs(ox *s, int i, int j)
{
    if (j == i)
        return ox_unit(s, i + 1);
    s->nodes++;
    for (int a = 0; a < 3; a++) {
        if (s->e[i][a] + s->e[j][a] > s->L[a])
            continue;
        for (int dir = 0; dir < 2; dir++) {
            int u = dir ? i : j, v = dir ? j : i;
            s->before[a][u][v] = 1;
            int ok = ox_axis_ok(s, a, i + 1) && ox_dfs(s, i, j + 1);
            s->before[a][u][v] = 0;
            if (ok)
                return 1;
        }
    }
    return 0;
}

typedef struct ounit {
    int64_t d[3], g;
} ounit;

/* 1 when the k units fit in one box of type t (exact, see above). */
static int oracle_fits(const wms_box_type *t, const ounit *u, int k, long *nodes)
{
    ox s;
    memset(&s, 0, sizeof(s));
    s.k = k;
    s.L[0] = t->length_mm, s.L[1] = t->width_mm, s.L[2] = t->height_mm;
    int64_t vol = 0, g = 0;
    int idx[OX_MAX];
    for (int i = 0; i < k; i++) {
        vol += u[i].d[0] * u[i].d[1] * u[i].d[2];
        g += u[i].g;
        idx[i] = i;
    }
    if (g > t->max_weight_g || vol > s.L[0] * s.L[1] * s.L[2])
        return 0;
    /* Largest first: conflicts show up early. */
    for (int i = 1; i < k; i++)
        for (int j = i; j > 0; j--) {
            const int64_t *a = u[idx[j - 1]].d, *b = u[idx[j]].d;
            if (a[0] * a[1] * a[2] >= b[0] * b[1] * b[2])
                break;
            int x = idx[j];
            idx[j] = idx[j - 1], idx[j - 1] = x;
        }
    for (int i = 0; i < k; i++)
        memcpy(s.d[i], u[idx[i]].d, sizeof(s.d[i]));
    int ok = ox_unit(&s, 0);
    if (nodes != NULL)
        *nodes += s.nodes;
    return ok;
}

/* Optimal (boxes, volume) over every partition of the k units into boxes:
 * each block gets the smallest-volume type it fits in (exactly). */
static void oracle_best(const wms_box_type *t, int nt, const ounit *u, int k, int *best_n,
                        int64_t *best_v, long *nodes)
{
    int64_t blockv[1 << OX_MAX]; /* smallest feasible type volume, -1 none */
    for (int m = 1; m < (1 << k); m++) {
        ounit sub[OX_MAX];
        int n = 0;
        for (int i = 0; i < k; i++)
            if (m & (1 << i))
                sub[n++] = u[i];
        blockv[m] = -1;
        for (int ti = 0; ti < nt; ti++) {
            int64_t v = t[ti].length_mm * t[ti].width_mm * t[ti].height_mm;
            if (blockv[m] >= 0 && v >= blockv[m])
                continue;
            if (oracle_fits(&t[ti], sub, n, nodes))
                blockv[m] = v;
        }
    }
    /* Restricted growth strings: block[i] <= max(block[0..i-1]) + 1. */
    int blk[OX_MAX] = {0};
    *best_n = k + 1;
    *best_v = 0;
    for (;;) {
        int nb = 0;
        for (int i = 0; i < k; i++)
            if (blk[i] + 1 > nb)
                nb = blk[i] + 1;
        int masks[OX_MAX] = {0};
        for (int i = 0; i < k; i++)
            masks[blk[i]] |= 1 << i;
        int64_t v = 0;
        int ok = 1;
        for (int b = 0; b < nb && ok; b++) {
            ok = blockv[masks[b]] >= 0;
            v += blockv[masks[b]];
        }
        if (ok && (nb < *best_n || (nb == *best_n && v < *best_v)))
            *best_n = nb, *best_v = v;
        /* next string */
        int i = k - 1;
        for (; i > 0; i--) {
            int mx = 0;
            for (int j = 0; j < i; j++)
                if (blk[j] > mx)
                    mx = blk[j];
            if (blk[i] <= mx) {
                blk[i]++;
                for (int j = i + 1; j < k; j++)
                    blk[j] = 0;
                break;
            }
        }
        if (i == 0)
            break;
    }
}

/* ---------------------------------------------------------------------- */
/* Tests                                                                  */
/* ---------------------------------------------------------------------- */

/* The oracle itself on cases whose answer is known by hand. */
static void test_oracle_known(void **state)
{
    (void)state;
    wms_box_type b5 = box("P", 5, 5, 1, 1000), b10 = box("C", 10, 10, 10, 1000);
    /* Pinwheel: four 3x2 around a 1x1 fill the 5x5 square; no guillotine cut
     * exists, and bottom-left sequences need the right order. */
    ounit pin[5] = {{{3, 2, 1}, 1}, {{3, 2, 1}, 1}, {{3, 2, 1}, 1}, {{3, 2, 1}, 1}, {{1, 1, 1}, 1}};
    assert_true(oracle_fits(&b5, pin, 5, NULL));
    /* The same with a 2x2 centre: area 28 > 25. */
    ounit pin2[5] = {
        {{3, 2, 1}, 1}, {{3, 2, 1}, 1}, {{3, 2, 1}, 1}, {{3, 2, 1}, 1}, {{2, 2, 1}, 1}};
    assert_false(oracle_fits(&b5, pin2, 5, NULL));
    /* Five 3x2 (area 30 > 25) and four 3x2 plus a 1x1x2 (too tall). */
    ounit tall[5] = {
        {{3, 2, 1}, 1}, {{3, 2, 1}, 1}, {{3, 2, 1}, 1}, {{3, 2, 1}, 1}, {{1, 1, 2}, 1}};
    assert_false(oracle_fits(&b5, tall, 5, NULL));
    /* Cubes of 6 in a 10 cube: no two side by side on any axis. */
    ounit c6[2] = {{{6, 6, 6}, 1}, {{6, 6, 6}, 1}};
    assert_true(oracle_fits(&b10, c6, 1, NULL));
    assert_false(oracle_fits(&b10, c6, 2, NULL));
    /* Six 5-cubes fit (8 would); 4x6x10 slabs: two fit only standing. */
    ounit c5[6];
    for (int i = 0; i < 6; i++)
        c5[i] = (ounit){{5, 5, 5}, 1};
    assert_true(oracle_fits(&b10, c5, 6, NULL));
    ounit slab[3] = {{{4, 6, 10}, 1}, {{6, 10, 4}, 1}, {{10, 4, 6}, 1}};
    assert_true(oracle_fits(&b10, slab, 2, NULL));
    /* Three 4x6x10 slabs fit (two side by side 4 + 4, the third across the
     * remaining 4 mm strip: [0,4]x[0,6], [4,8]x[0,6], [0,6]x[6,10], all 10
     * high), which no single layer pattern of equal orientations gives. */
    ounit slab3[3] = {{{4, 6, 10}, 1}, {{4, 6, 10}, 1}, {{4, 6, 10}, 1}};
    assert_true(oracle_fits(&b10, slab3, 3, NULL));
    /* Two 3x3 squares in 5x5 (area 18 <= 25): 3 + 3 > 5 on both axes. */
    ounit sq[2] = {{{3, 3, 1}, 1}, {{3, 3, 1}, 1}};
    assert_false(oracle_fits(&b5, sq, 2, NULL));
    /* Weight. */
    wms_box_type light = box("L", 10, 10, 10, 10);
    ounit heavy[2] = {{{1, 1, 1}, 6}, {{1, 1, 1}, 5}};
    assert_false(oracle_fits(&light, heavy, 2, NULL));
    assert_true(oracle_fits(&light, heavy, 1, NULL));
    /* The partition search: 2 cubes of 6 need two boxes. */
    wms_box_type ts[2] = {b10, box("S", 6, 6, 6, 1000)};
    int n;
    int64_t v;
    oracle_best(ts, 2, c6, 2, &n, &v, NULL);
    assert_int_equal(n, 2);
    assert_int_equal(v, 2 * 216);
}

/* The validator rejects broken proposals (so that it can fail at all). */
static void test_validator_catches(void **state)
{
    (void)state;
    wms_box_type t[1] = {box("B", 300, 200, 100, 1000)};
    wms_carton_item it[2] = {item("A", 100, 100, 50, 300, 2), item("N", 0, 0, 0, 100, 1)};
    wms_carton_result r = pack_ok(t, 1, it, 2);
    assert_int_equal(r.nbox, 1);
    wms_carton_place keep = r.place[1];
    r.place[1].x_mm = r.place[0].x_mm, r.place[1].y_mm = r.place[0].y_mm;
    r.place[1].z_mm = r.place[0].z_mm;
    assert_non_null(strstr(carton_check(&r, t, 1, it, 2), "overlap"));
    r.place[1] = keep;
    r.place[0].x_mm = 250; /* 250 + 100 > 300 */
    assert_non_null(strstr(carton_check(&r, t, 1, it, 2), "leaves box"));
    r.place[0].x_mm = -1;
    assert_non_null(carton_check(&r, t, 1, it, 2));
    r.place[0].x_mm = 0;
    int64_t dz = r.place[0].dz_mm;
    r.place[0].dz_mm = 49;
    assert_non_null(strstr(carton_check(&r, t, 1, it, 2), "turned"));
    r.place[0].dz_mm = dz;
    assert_null(carton_check(&r, t, 1, it, 2)); /* restored: valid again */
    wms_carton_item heavy[2] = {it[0], it[1]};
    heavy[0].weight_g = 500; /* 2 x 500 + 100 > 1000 */
    memcpy(r.items, heavy, sizeof(heavy));
    assert_non_null(strstr(carton_check(&r, t, 1, heavy, 2), "over its limit"));
    memcpy(r.items, it, sizeof(it));
    r.place[2].placed = 1; /* the unmeasured unit got a position */
    assert_non_null(strstr(carton_check(&r, t, 1, it, 2), "no dimensions"));
    r.place[2].placed = 0;
    it[0].qty = 3; /* a unit missing */
    assert_non_null(carton_check(&r, t, 1, it, 2));
    it[0].qty = 2;
    assert_null(carton_check(&r, t, 1, it, 2));
    wms_carton_result_free(&r);
}

static void test_simple_cases(void **state)
{
    (void)state;
    wms_box_type t[3] = {box("S", 200, 150, 100, 5000), box("M", 400, 300, 200, 10000),
                         box("L", 600, 400, 400, 20000)};
    /* One small item: the small box. */
    wms_carton_item a = item("A", 100, 100, 50, 300, 1);
    wms_carton_result r = pack_ok(t, 3, &a, 1);
    assert_int_equal(r.nbox, 1);
    assert_string_equal(r.types[r.box[0].type].code, "S");
    assert_int_equal(r.units_no_dims, 0);
    wms_carton_result_free(&r);
    /* A long item fits the small box only turned: 140 x 90 x 190 mm. */
    wms_carton_item lng = item("LONG", 140, 90, 190, 300, 1);
    r = pack_ok(t, 3, &lng, 1);
    assert_int_equal(r.nbox, 1);
    assert_string_equal(r.types[r.box[0].type].code, "S");
    assert_int_equal(r.place[0].dx_mm, 190); /* longest side along the 200 mm length */
    wms_carton_result_free(&r);
    /* Eight 100 mm cubes fill the 200x200x200 box exactly (a tight fit). */
    wms_box_type cube[2] = {box("C2", 200, 200, 200, 10000), box("C3", 300, 300, 300, 10000)};
    wms_carton_item c = item("CUBE", 100, 100, 100, 100, 8);
    r = pack_ok(cube, 2, &c, 1);
    assert_int_equal(r.nbox, 1);
    assert_string_equal(r.types[r.box[0].type].code, "C2");
    assert_int_equal(r.units_volume_mm3, r.box_volume_mm3);
    wms_carton_result_free(&r);
    /* Nine need the larger box (or two); one C3 is fewest. */
    c.qty = 9;
    r = pack_ok(cube, 2, &c, 1);
    assert_int_equal(r.nbox, 1);
    assert_string_equal(r.types[r.box[0].type].code, "C3");
    wms_carton_result_free(&r);
    /* 27 fill C3 exactly; 28 need two boxes: C3 + C2 (smaller than 2 x C3). */
    c.qty = 28;
    r = pack_ok(cube, 2, &c, 1);
    assert_int_equal(r.nbox, 2);
    assert_int_equal(r.box_volume_mm3, 27000000 + 8000000);
    wms_carton_result_free(&r);
}

static void test_weight_limits(void **state)
{
    (void)state;
    /* Plenty of room, but 3 kg per box: 10 units of 1 kg -> 4 boxes. */
    wms_box_type t[1] = {box("B", 500, 500, 500, 3000)};
    wms_carton_item it = item("IRON", 50, 50, 50, 1000, 10);
    wms_carton_result r = pack_ok(t, 1, &it, 1);
    assert_int_equal(r.nbox, 4);
    for (int b = 0; b < r.nbox; b++)
        assert_true(r.box[b].content_weight_g <= 3000);
    wms_carton_result_free(&r);
    /* A heavier-rated small box is chosen when the large one's limit is low. */
    wms_box_type t2[2] = {box("BIG", 600, 600, 600, 2000), box("STRONG", 200, 200, 200, 8000)};
    it.qty = 6;
    r = pack_ok(t2, 2, &it, 1);
    assert_int_equal(r.nbox, 1);
    assert_string_equal(r.types[r.box[0].type].code, "STRONG");
    wms_carton_result_free(&r);
}

static void test_no_dims(void **state)
{
    (void)state;
    wms_box_type t[2] = {box("S", 200, 150, 100, 2000), box("M", 400, 300, 200, 10000)};
    wms_carton_item it[3] = {item("A", 100, 100, 50, 500, 2), item("SOFT", 0, 0, 0, 700, 2),
                             item("HALF", 100, 0, 30, 400, 1)};
    wms_carton_result r = pack_ok(t, 2, it, 3);
    assert_int_equal(r.units_no_dims, 3);
    int unplaced = 0;
    for (int i = 0; i < r.nplace; i++) {
        if (!r.place[i].placed) {
            unplaced++;
            assert_true(r.place[i].item == 1 || r.place[i].item == 2);
            /* after every measured unit of its box */
            const wms_carton_box *b = &r.box[r.place[i].box];
            for (int k = i + 1; k < b->first_place + b->units; k++)
                assert_false(r.place[k].placed);
        }
    }
    assert_int_equal(unplaced, 3);
    /* 2x500 + 2x700 + 400 = 2800 g > 2000: not all in one S; weights hold. */
    assert_int_equal(r.units_weight_g, 2800);
    wms_carton_result_free(&r);
    /* Only unmeasured units: boxes chosen by weight alone. */
    wms_carton_item soft = item("SOFT", 0, 0, 0, 1500, 3);
    r = pack_ok(t, 2, &soft, 1);
    assert_int_equal(r.nbox, 1);
    assert_string_equal(r.types[r.box[0].type].code, "M");
    assert_int_equal(r.units_volume_mm3, 0);
    wms_carton_result_free(&r);
}

static void test_bad_input(void **state)
{
    (void)state;
    wms_carton_result r;
    wms_error err = {0};
    wms_box_type t[2] = {box("S", 200, 150, 100, 5000), box("M", 400, 300, 200, 10000)};
    wms_carton_item big = item("SOFA", 2000, 900, 800, 40000, 1);
    assert_int_equal(wms_carton_pack(t, 2, &big, 1, 0, &r, &err), WMS_EITEM_TOO_LARGE);
    assert_non_null(strstr(err.msg, "SOFA"));
    assert_non_null(strstr(err.msg, "2000 x 900 x 800"));
    assert_null(r.box);
    /* 410 mm is longer than every box side (the longest is 400). */
    wms_carton_item rod = item("ROD", 410, 20, 20, 100, 1);
    assert_int_equal(wms_carton_pack(t, 2, &rod, 1, 0, &r, &err), WMS_EITEM_TOO_LARGE);
    assert_non_null(strstr(err.msg, "ROD"));
    wms_carton_item heavy = item("ANVIL", 100, 100, 100, 20000, 1);
    assert_int_equal(wms_carton_pack(t, 2, &heavy, 1, 0, &r, &err), WMS_EITEM_TOO_LARGE);
    assert_non_null(strstr(err.msg, "ANVIL"));
    assert_non_null(strstr(err.msg, "20000 g"));
    /* Heavy enough for the strong small box only, large enough for the weak
     * big box only: no single type takes it. */
    wms_box_type mixed[2] = {box("STRONG", 100, 100, 100, 10000),
                             box("WEAK", 1000, 1000, 1000, 100)};
    wms_carton_item cube = item("CRATE", 500, 500, 500, 500, 1);
    assert_int_equal(wms_carton_pack(mixed, 2, &cube, 1, 0, &r, &err), WMS_EITEM_TOO_LARGE);
    assert_non_null(strstr(err.msg, "CRATE"));
    assert_non_null(strstr(err.msg, "at most 100 g"));
    /* Unmeasured but too heavy: also refused. */
    wms_carton_item heavy2 = item("SACK", 0, 0, 0, 20000, 1);
    assert_int_equal(wms_carton_pack(t, 2, &heavy2, 1, 0, &r, &err), WMS_EITEM_TOO_LARGE);
    wms_carton_item ok = item("A", 10, 10, 10, 10, 1);
    /* Box types: none, a zero side, an absurd side or weight, negative tare. */
    assert_int_equal(wms_carton_pack(t, 0, &ok, 1, 0, &r, &err), WMS_ENOT_FOUND);
    wms_box_type bad = box("ZERO", 0, 100, 100, 1000);
    assert_int_equal(wms_carton_pack(&bad, 1, &ok, 1, 0, &r, &err), WMS_EBAD_ARGS);
    assert_non_null(strstr(err.msg, "ZERO"));
    bad = box("HUGE", 10001, 100, 100, 1000);
    assert_int_equal(wms_carton_pack(&bad, 1, &ok, 1, 0, &r, &err), WMS_EBAD_ARGS);
    assert_non_null(strstr(err.msg, "HUGE"));
    bad = box("TON", 100, 100, 100, 10000001);
    assert_int_equal(wms_carton_pack(&bad, 1, &ok, 1, 0, &r, &err), WMS_EBAD_ARGS);
    bad = box("TARE", 100, 100, 100, 1000);
    bad.tare_g = -1;
    assert_int_equal(wms_carton_pack(&bad, 1, &ok, 1, 0, &r, &err), WMS_EBAD_ARGS);
    /* Items: nothing, negative, too many units. */
    ok.qty = 0;
    assert_int_equal(wms_carton_pack(t, 2, &ok, 1, 0, &r, &err), WMS_EBAD_QTY);
    ok.qty = -1;
    assert_int_equal(wms_carton_pack(t, 2, &ok, 1, 0, &r, &err), WMS_EBAD_ARGS);
    ok.qty = WMS_CARTON_UNITS_MAX + 1;
    assert_int_equal(wms_carton_pack(t, 2, &ok, 1, 0, &r, &err), WMS_ETOO_LARGE);
    assert_int_equal(wms_carton_pack(NULL, 2, &ok, 1, 0, &r, &err), WMS_EBAD_ARGS);
    /* The largest allowed sizes work (no overflow): 10 m boxes, 10 t. */
    wms_box_type huge = box("MAX", 10000, 10000, 10000, 10000000);
    wms_carton_item crate = item("CRATE", 10000, 5000, 5000, 2500000, 4);
    r = pack_ok(&huge, 1, &crate, 1);
    assert_int_equal(r.nbox, 1);
    assert_int_equal(r.box_volume_mm3, 1000000000000LL);
    wms_carton_result_free(&r);
}

/* A random box set and order; returns the number of items. */
static int random_order(wms_box_type *t, int *nt, wms_carton_item *it, int max_items, int max_units)
{
    *nt = (int)rnd(1, 6);
    for (int i = 0; i < *nt; i++) {
        char code[16];
        snprintf(code, sizeof(code), "B%d", i);
        t[i] = box(code, rnd(100, 800), rnd(80, 600), rnd(50, 500), rnd(2000, 30000));
    }
    int n = 0, units = (int)rnd(1, max_units);
    while (units > 0 && n < max_items) {
        char sku[16];
        snprintf(sku, sizeof(sku), "I%d", n);
        const wms_box_type *b = &t[rnd(0, *nt - 1)];
        int q = (int)rnd(1, units < 5 ? units : 5);
        /* Sizes that fit box b (up to its sides), sometimes unmeasured. */
        it[n] = item(sku, rnd(5, b->length_mm), rnd(5, b->width_mm), rnd(5, b->height_mm),
                     rnd(0, b->max_weight_g / 2), q);
        if (rnd(0, 15) == 0)
            it[n].width_mm = 0;
        if (rnd(0, 1) == 0) { /* mostly small things */
            it[n].length_mm = it[n].length_mm / 4 + 1;
            it[n].width_mm = it[n].width_mm ? it[n].width_mm / 3 + 1 : 0;
            it[n].height_mm = it[n].height_mm / 3 + 1;
        }
        units -= q;
        n++;
    }
    return n;
}

static void test_random_orders_valid(void **state)
{
    (void)state;
    rng_state = 12345;
    wms_box_type t[6];
    wms_carton_item it[40];
    long boxes = 0, units = 0;
    for (int rep = 0; rep < 300; rep++) {
        int nt, ni = random_order(t, &nt, it, 40, 40);
        wms_carton_result r = pack_ok(t, nt, it, ni); /* validated there */
        boxes += r.nbox;
        units += r.nplace;
        /* The QUICK mode is valid too and never better. */
        wms_carton_result q;
        wms_error err = {0};
        assert_int_equal(wms_carton_pack(t, nt, it, ni, WMS_CARTON_QUICK, &q, &err), 0);
        const char *bad = carton_check(&q, t, nt, it, ni);
        if (bad != NULL)
            fail_msg("quick: %s", bad);
        assert_true(q.nbox > r.nbox || (q.nbox == r.nbox && q.box_volume_mm3 >= r.box_volume_mm3));
        wms_carton_result_free(&q);
        wms_carton_result_free(&r);
    }
    print_message("random orders: 300 valid proposals, %ld units in %ld boxes\n", units, boxes);
    assert_true(boxes > 300);
}

/* Many identical small units in one large box: the point list stays sound. */
static void test_many_units_valid(void **state)
{
    (void)state;
    wms_box_type t[2] = {box("M", 400, 300, 200, 100000), box("L", 600, 400, 400, 100000)};
    wms_carton_item it[3] = {item("BOLT", 30, 20, 10, 5, 300), item("NUT", 15, 15, 8, 2, 300),
                             item("CASE", 120, 80, 60, 200, 40)};
    wms_carton_result r = pack_ok(t, 2, it, 3);
    assert_int_equal(r.nplace, 640);
    assert_int_equal(r.nbox, 1);
    wms_carton_result_free(&r);
}

/* Agreement of one configuration with the exhaustive optimum. */
typedef struct agree {
    int count_opt, vol_opt;
    double excess, worst; /* volume above the optimum (ratio - 1) where not optimal */
} agree;

static void agree_add(agree *a, const wms_carton_result *r, int opt_n, int64_t opt_v)
{
    assert_true(r->nbox >= opt_n); /* never better than exact: else the oracle is wrong */
    if (r->nbox != opt_n)
        return;
    a->count_opt++;
    assert_true(r->box_volume_mm3 >= opt_v);
    if (r->box_volume_mm3 == opt_v) {
        a->vol_opt++;
        return;
    }
    double x = (double)r->box_volume_mm3 / (double)opt_v - 1;
    a->excess += x;
    if (x > a->worst)
        a->worst = x;
}

static void agree_print(const char *what, const agree *a, int n)
{
    int other = a->count_opt - a->vol_opt;
    print_message("  %-32s optimal box count %d/%d (%.2f%%), optimal volume %d/%d (%.2f%%); "
                  "volume excess where not optimal %.1f%% mean, %.1f%% worst\n",
                  what, a->count_opt, n, 100.0 * a->count_opt / n, a->vol_opt, n,
                  100.0 * a->vol_opt / n, other ? 100 * a->excess / other : 0.0, 100 * a->worst);
}

/*
 * Box choice against the exhaustive optimum on small orders: up to 6 units,
 * 4 box types (random sizes and weight limits).  The optimum is
 * oracle_best: every partition of the units into boxes, each box the
 * smallest type its units fit in by the exact feasibility search above.
 * wms_carton_pack must reach the optimal box count on every instance and
 * never beat the optimum (that would be an oracle bug); the share of
 * optimal total volume is measured and asserted (measured: 100% here; on
 * 15,000 more instances of other seeds optimal count on all and optimal
 * volume on all but 2; on 12,000 with larger units both on all).  The
 * multi-box strategies alone (WMS_CARTON_NO_SUBSETS: no subset search) are
 * measured too (on those: 99.65-99.8% optimal count, 99.0-99.3% optimal
 * volume).
 */
static void test_against_exhaustive(void **state)
{
    (void)state;
    rng_state = 777;
    enum { N = 1500 };
    int multi = 0, nontrivial = 0;
    long nodes = 0;
    agree full = {0}, strategies = {0};
    for (int rep = 0; rep < N; rep++) {
        wms_box_type t[4];
        /* Box sides 15..60 (height) / 20..60; unit sides 5..45 so that several boxes are often
         * needed and orientation matters. */
        for (int i = 0; i < 4; i++) {
            char code[16];
            snprintf(code, sizeof(code), "T%d", i);
            t[i] = box(code, rnd(20, 60), rnd(20, 60), rnd(15, 50), rnd(100, 1000));
        }
        int k = (int)rnd(1, 6);
        wms_carton_item it[OX_MAX];
        ounit u[OX_MAX];
        int kind = (int)rnd(0, 2);
        for (int i = 0; i < k; i++) {
            char sku[16];
            snprintf(sku, sizeof(sku), "U%d", i);
            for (;;) {
                int64_t hi = kind == 0 ? 45 : kind == 1 ? 30 : 20;
                it[i] = item(sku, rnd(5, hi), rnd(5, hi), rnd(5, hi), rnd(10, 400), 1);
                /* keep units that fit some box */
                int fits = 0;
                for (int b = 0; b < 4 && !fits; b++) {
                    int64_t d[3] = {it[i].length_mm, it[i].width_mm, it[i].height_mm};
                    int64_t L[3] = {t[b].length_mm, t[b].width_mm, t[b].height_mm};
                    for (int x = 0; x < 3; x++)
                        for (int y = 0; y < 2 - x; y++) {
                            if (d[y] > d[y + 1]) {
                                int64_t s = d[y];
                                d[y] = d[y + 1], d[y + 1] = s;
                            }
                            if (L[y] > L[y + 1]) {
                                int64_t s = L[y];
                                L[y] = L[y + 1], L[y + 1] = s;
                            }
                        }
                    fits = d[0] <= L[0] && d[1] <= L[1] && d[2] <= L[2] &&
                           it[i].weight_g <= t[b].max_weight_g;
                }
                if (fits)
                    break;
            }
            u[i].d[0] = it[i].length_mm, u[i].d[1] = it[i].width_mm, u[i].d[2] = it[i].height_mm;
            u[i].g = it[i].weight_g;
        }
        int opt_n;
        int64_t opt_v;
        oracle_best(t, 4, u, k, &opt_n, &opt_v, &nodes);
        wms_carton_result r = pack_flags(t, 4, it, k, 0);
        if (r.nbox != opt_n) {
            for (int i = 0; i < 4; i++)
                print_message("box %s %lld x %lld x %lld, %lld g\n", t[i].code,
                              (long long)t[i].length_mm, (long long)t[i].width_mm,
                              (long long)t[i].height_mm, (long long)t[i].max_weight_g);
            for (int i = 0; i < k; i++)
                print_message("unit %lld x %lld x %lld, %lld g\n", (long long)u[i].d[0],
                              (long long)u[i].d[1], (long long)u[i].d[2], (long long)u[i].g);
            fail_msg("instance %d: heuristic %d boxes, optimum %d", rep, r.nbox, opt_n);
        }
        agree_add(&full, &r, opt_n, opt_v);
        wms_carton_result_free(&r);
        r = pack_flags(t, 4, it, k, WMS_CARTON_NO_SUBSETS);
        agree_add(&strategies, &r, opt_n, opt_v);
        wms_carton_result_free(&r);
        multi += opt_n > 1;
        nontrivial += k > 1;
    }
    print_message("exhaustive: %d instances (%d with >1 unit, %d needing >1 box; oracle %ld "
                  "search nodes)\n",
                  N, nontrivial, multi, nodes);
    agree_print("wms_carton_pack:", &full, N);
    agree_print("strategies alone (no subsets):", &strategies, N);
    assert_true(multi >= N / 5); /* the instances do exercise several boxes */
    assert_int_equal(full.count_opt, N);
    assert_true(full.vol_opt * 1000 >= 995 * N);
    assert_true(strategies.count_opt * 100 >= 99 * N);
    assert_true(strategies.vol_opt * 100 >= 97 * N);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validator_catches),
        cmocka_unit_test(test_oracle_known),
        cmocka_unit_test(test_simple_cases),
        cmocka_unit_test(test_weight_limits),
        cmocka_unit_test(test_no_dims),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_random_orders_valid),
        cmocka_unit_test(test_many_units_valid),
        cmocka_unit_test(test_against_exhaustive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
