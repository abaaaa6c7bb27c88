/* test_abc.c - ABC classification: a fixed data set with known classes,
 * the threshold boundaries, ties, zero-pick items, options and errors. */
#include "helpers.h"
#include "domain/abc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* cmocka's float assertion works in single precision: compare doubles here. */
#define assert_double_equal(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) <= (eps))

/* Classes of n values as a string ("AABC..."), default thresholds or o. */
static void classes_of(const int64_t *v, int n, const wms_abc_opts *o, char *out)
{
    wms_abc_class cls[64];
    wms_error err;
    assert_true(n <= 64);
    assert_int_equal(wms_abc_rank(v, n, o, cls, NULL, NULL, NULL, &err), 0);
    for (int i = 0; i < n; i++)
        out[i] = wms_abc_class_name(cls[i])[0];
    out[n] = '\0';
}

/* 20 items with a typical profile: 3 items (15 %) carry 80 % of the picks.
 * Sorted: 400 250 150 (ending exactly at 800 of 1000: A) | 60 40 30 20
 * (ahead 80 .. 93 %: B, ending exactly at 95 %) | 10 x 5 (ahead 95 %: C)
 * and 0 x 8 (C).  Input order is scrambled. */
static void test_fixed_profile(void **state)
{
    (void)state;
    static const int64_t picks[20] = {10, 150, 0,   40, 10, 400, 0, 30, 10, 0,
                                      60, 10,  250, 0,  20, 10,  0, 0,  0,  0};
    char got[21];
    classes_of(picks, 20, NULL, got);
    assert_string_equal(got, "CACBCACBCCBCACBCCCCC");
    wms_abc_class cls[20];
    double cum[20];
    int rank[20];
    wms_abc_summary s;
    wms_error err;
    assert_int_equal(wms_abc_rank(picks, 20, NULL, cls, cum, rank, &s, &err), 0);
    assert_int_equal(s.n, 20);
    assert_int_equal(s.total, 1000);
    assert_int_equal(s.items[WMS_ABC_A], 3);
    assert_int_equal(s.items[WMS_ABC_B], 4);
    assert_int_equal(s.items[WMS_ABC_C], 13);
    assert_int_equal(s.value[WMS_ABC_A], 800);
    assert_int_equal(s.value[WMS_ABC_B], 150);
    assert_int_equal(s.value[WMS_ABC_C], 50);
    /* Ranks and cumulative shares: 400 first (index 5), 250 (12), 150 (1). */
    assert_int_equal(rank[5], 1);
    assert_int_equal(rank[12], 2);
    assert_int_equal(rank[1], 3);
    assert_double_equal(cum[5], 0.4, 1e-12);
    assert_double_equal(cum[12], 0.65, 1e-12);
    assert_double_equal(cum[1], 0.8, 1e-12);
    assert_int_equal(rank[3], 5); /* 40 */
    assert_double_equal(cum[3], 0.90, 1e-12);
    /* The five 10s rank 8..12 in input order (indices 0 4 8 11 15). */
    static const int tens[5] = {0, 4, 8, 11, 15};
    for (int k = 0; k < 5; k++) {
        assert_int_equal(rank[tens[k]], 8 + k);
        assert_double_equal(cum[tens[k]], 0.95 + 0.01 * (k + 1), 1e-12);
    }
    /* Zero-pick items last, cum 1, in input order (2 6 9 13 16 .. 19). */
    assert_int_equal(rank[2], 13);
    assert_int_equal(rank[13], 16);
    assert_int_equal(rank[19], 20);
    assert_double_equal(cum[19], 1.0, 1e-12);
    /* Every rank used once. */
    int seen[21] = {0};
    for (int i = 0; i < 20; i++)
        seen[rank[i]]++;
    for (int r = 1; r <= 20; r++)
        assert_int_equal(seen[r], 1);
}

/* Boundaries: an item ending exactly at 80 % is A and the next one B; the
 * item crossing 80 % is A; an item ending exactly at 95 % is B. */
static void test_boundaries(void **state)
{
    (void)state;
    char got[16];
    classes_of((const int64_t[]){50, 30, 15, 5}, 4, NULL, got);
    assert_string_equal(got, "AABC"); /* cum 50 80 95 100 */
    classes_of((const int64_t[]){60, 30, 10}, 3, NULL, got);
    assert_string_equal(got, "AAB"); /* 30 crosses 80 % (60 -> 90) */
    classes_of((const int64_t[]){90, 5, 5}, 3, NULL, got);
    assert_string_equal(got, "ABB"); /* one dominant item is A */
    classes_of((const int64_t[]){100}, 1, NULL, got);
    assert_string_equal(got, "A");
    classes_of((const int64_t[]){79, 1, 15, 5}, 4, NULL, got);
    assert_string_equal(got, "ACAB"); /* 15 starts at 79 %: A; 5 at 94: B; 1 at 99: C */
}

/* Equal values get one class, decided by the share strictly ahead of them;
 * the input order does not change any class. */
static void test_ties(void **state)
{
    (void)state;
    char got[16];
    /* 40 30 | 10 10 (ahead 70 %: both A, though the second starts at 80) |
     * 5 5 (ahead 90: both B) | 0. */
    classes_of((const int64_t[]){40, 30, 10, 10, 5, 5, 0}, 7, NULL, got);
    assert_string_equal(got, "AAAABBC");
    classes_of((const int64_t[]){10, 5, 0, 40, 5, 10, 30}, 7, NULL, got);
    assert_string_equal(got, "ABCABAA");
    /* All equal: nothing tells them apart, all A. */
    classes_of((const int64_t[]){7, 7, 7, 7, 7}, 5, NULL, got);
    assert_string_equal(got, "AAAAA");
    /* A tie group straddling 95 % (90 -> 98): ahead 90, both B. */
    classes_of((const int64_t[]){90, 4, 4, 2}, 4, NULL, got);
    assert_string_equal(got, "ABBC");
    /* Ranks of equal values follow the input order. */
    int rank[4];
    wms_abc_class cls[4];
    wms_error err;
    assert_int_equal(
        wms_abc_rank((const int64_t[]){3, 9, 3, 3}, 4, NULL, cls, NULL, rank, NULL, &err), 0);
    assert_int_equal(rank[1], 1);
    assert_int_equal(rank[0], 2);
    assert_int_equal(rank[2], 3);
    assert_int_equal(rank[3], 4);
}

/* Permuting the input permutes the classes with it. */
static void test_order_independent(void **state)
{
    (void)state;
    int64_t v[40], p[40];
    wms_abc_class c1[40], c2[40];
    wms_error err;
    uint64_t x = 12345;
    for (int i = 0; i < 40; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        v[i] = (int64_t)((x >> 33) % 12); /* many ties and zeros */
    }
    assert_int_equal(wms_abc_rank(v, 40, NULL, c1, NULL, NULL, NULL, &err), 0);
    int perm[40];
    for (int i = 0; i < 40; i++)
        perm[i] = (i * 17 + 5) % 40; /* 17 is coprime to 40: a permutation */
    for (int i = 0; i < 40; i++)
        p[i] = v[perm[i]];
    assert_int_equal(wms_abc_rank(p, 40, NULL, c2, NULL, NULL, NULL, &err), 0);
    int a = 0;
    for (int i = 0; i < 40; i++) {
        assert_int_equal(c2[i], c1[perm[i]]);
        if (v[i] == 0)
            assert_int_equal(c1[i], WMS_ABC_C);
        a += c1[i] == WMS_ABC_A;
    }
    assert_true(a > 0 && a < 40);
}

/* Items without picks are C; with no picks at all every item is C and the
 * cumulative shares are 0. */
static void test_zero_picks(void **state)
{
    (void)state;
    char got[16];
    /* Even with A up to 100 %, a zero item is C. */
    wms_abc_opts all = {1.0, 1.0};
    classes_of((const int64_t[]){5, 0, 3, 0}, 4, &all, got);
    assert_string_equal(got, "ACAC");
    wms_abc_class cls[3];
    double cum[3];
    int rank[3];
    wms_abc_summary s;
    wms_error err;
    assert_int_equal(wms_abc_rank((const int64_t[]){0, 0, 0}, 3, NULL, cls, cum, rank, &s, &err),
                     0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(cls[i], WMS_ABC_C);
        assert_double_equal(cum[i], 0.0, 0.0);
        assert_int_equal(rank[i], i + 1);
    }
    assert_int_equal(s.items[WMS_ABC_C], 3);
    assert_int_equal(s.total, 0);
    /* No items at all. */
    assert_int_equal(wms_abc_rank(NULL, 0, NULL, NULL, NULL, NULL, &s, &err), 0);
    assert_int_equal(s.n, 0);
}

/* Thresholds are options; zeros or NULL mean 80 / 95 %. */
static void test_thresholds(void **state)
{
    (void)state;
    static const int64_t v[] = {50, 30, 15, 5};
    char got[8];
    wms_abc_opts o = {0.5, 0.8};
    classes_of(v, 4, &o, got);
    assert_string_equal(got, "ABCC"); /* ahead 0 | 50 | 80 95 */
    o = (wms_abc_opts){0.51, 0.96};
    classes_of(v, 4, &o, got);
    assert_string_equal(got, "AABB"); /* ahead 50 < 51; 80 and 95 < 96 */
    o = (wms_abc_opts){0.95, 0.95};
    classes_of(v, 4, &o, got);
    assert_string_equal(got, "AAAC"); /* no B band */
    o = (wms_abc_opts){0, 0};
    classes_of(v, 4, &o, got);
    assert_string_equal(got, "AABC");
    wms_abc_opts r;
    wms_error err;
    assert_int_equal(wms_abc_opts_resolve(NULL, &r, &err), 0);
    assert_double_equal(r.a_share, 0.80, 0.0);
    assert_double_equal(r.b_share, 0.95, 0.0);
    static const wms_abc_opts bad[] = {{0.9, 0.8}, {0.0, 0.5}, {-0.1, 0.5},
                                       {0.5, 1.5}, {NAN, 0.9}, {0.5, INFINITY}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        wms_abc_class cls[4];
        wms_error_clear(&err);
        assert_int_equal(wms_abc_rank(v, 4, &bad[i], cls, NULL, NULL, NULL, &err), WMS_EBAD_ARGS);
        assert_non_null(strstr(err.msg, "thresholds"));
    }
}

/* Both measures at once are independent of each other. */
static void test_classify_both(void **state)
{
    (void)state;
    static const wms_abc_item it[] = {{40, 40}, {30, 30}, {10, 400}, {10, 10},
                                      {5, 10},  {3, 6},   {2, 4},    {0, 0}};
    wms_abc_result r[8];
    wms_abc_summary sp, su;
    wms_error err;
    assert_int_equal(wms_abc_classify(it, 8, NULL, r, &sp, &su, &err), 0);
    static const char by_picks[] = "AAAABCCC", by_units[] = "BBABBCCC";
    for (int i = 0; i < 8; i++) {
        assert_int_equal(wms_abc_class_name(r[i].by_picks)[0], by_picks[i]);
        assert_int_equal(wms_abc_class_name(r[i].by_units)[0], by_units[i]);
    }
    /* Units: 400 of 500 (A, cum 0.8), then 40 starts at exactly 80 %: B. */
    assert_int_equal(r[2].rank_units, 1);
    assert_double_equal(r[2].cum_units, 0.8, 1e-12);
    assert_int_equal(r[0].rank_units, 2);
    assert_double_equal(r[0].cum_picks, 0.4, 1e-12);
    assert_int_equal(sp.total, 100);
    assert_int_equal(su.total, 500);
    assert_int_equal(sp.items[WMS_ABC_A], 4);
    assert_int_equal(su.items[WMS_ABC_A], 1);
    assert_int_equal(su.value[WMS_ABC_B], 90);
    assert_string_equal(wms_abc_class_name((wms_abc_class)7), "?");
}

/* Errors name what is wrong; nothing is classified. */
static void test_errors(void **state)
{
    (void)state;
    wms_abc_class cls[3];
    wms_error err;
    wms_error_clear(&err);
    assert_int_equal(
        wms_abc_rank((const int64_t[]){4, -1, 2}, 3, NULL, cls, NULL, NULL, NULL, &err),
        WMS_EBAD_ARGS);
    assert_non_null(strstr(err.msg, "item 1"));
    assert_int_equal(wms_abc_rank(NULL, 2, NULL, cls, NULL, NULL, NULL, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_abc_rank((const int64_t[]){1}, -1, NULL, cls, NULL, NULL, NULL, &err),
                     WMS_EBAD_ARGS);
    assert_int_equal(wms_abc_rank((const int64_t[]){1}, WMS_ABC_MAX_ITEMS + 1, NULL, cls, NULL,
                                  NULL, NULL, &err),
                     WMS_ETOO_LARGE);
    assert_int_equal(
        wms_abc_rank((const int64_t[]){INT64_MAX, 1}, 2, NULL, cls, NULL, NULL, NULL, &err),
        WMS_ETOO_LARGE);
    assert_non_null(strstr(err.msg, "overflows"));
    wms_abc_result r[1];
    wms_error_clear(&err);
    assert_int_equal(
        wms_abc_classify((const wms_abc_item[]){{1, -5}}, 1, NULL, r, NULL, NULL, &err),
        WMS_EBAD_ARGS);
    assert_non_null(strstr(err.msg, "units"));
    assert_int_equal(wms_abc_classify(NULL, 1, NULL, r, NULL, NULL, &err), WMS_EBAD_ARGS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_profile), cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_ties),          cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_zero_picks),    cmocka_unit_test(test_thresholds),
        cmocka_unit_test(test_classify_both), cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
