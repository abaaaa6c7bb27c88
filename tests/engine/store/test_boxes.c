/* test_boxes.c - box types (import kind "boxes", listing) and cartonization
 * of orders and of unit lists from the database; every proposal goes
 * through the geometric validator. */
#include "fixture.h"
#include "store/boxes.h"
#include "store/order.h"
#include "engine/carton_check.h"

static const char boxes_csv[] = "code,length_mm,width_mm,height_mm,max_weight_g,tare_g\n"
                                "S,200,150,100,5000,90\n"
                                "M,300,200,150,10000,150\n"
                                "L,400,300,200,15000,\n";

/* Items with sizes: MUG, BOOK (flat), SOFT (no dimensions), SOFA (too big),
 * LAMP (unknown weight); customer CG; order SO-1 (3 MUG, 2 BOOK, 1 SOFT). */
static int setup(void **state)
{
    fx_setup(state);
    fx *f = *state;
    assert_int_equal(fx_import(f, "boxes", boxes_csv, 0), 0);
    assert_int_equal(fx_import(f, "items",
                               "sku,description,length_mm,width_mm,height_mm,weight_g\n"
                               "MUG,Mug,120,90,100,350\n"
                               "BOOK,Book,240,170,30,600\n"
                               "SOFT,Soft toy,,,,200\n"
                               "SOFA,Sofa,2000,900,800,40000\n"
                               "LAMP,Lamp,150,150,180,\n",
                               0),
                     0);
    assert_int_equal(fx_import(f, "customers", "customer,name,credit\nCG,Green Grocers,green\n", 0),
                     0);
    assert_int_equal(fx_import(f, "orders",
                               "order,line,customer,sku,qty,ship_name,ship_street,ship_city,"
                               "ship_postcode,ship_country\n"
                               "SO-1,1,CG,MUG,3,Jane,1 Main St,Springfield,12345,US\n"
                               "SO-1,2,CG,BOOK,2,Jane,1 Main St,Springfield,12345,US\n"
                               "SO-1,3,CG,SOFT,1,Jane,1 Main St,Springfield,12345,US\n"
                               "SO-2,1,CG,SOFA,1,Jane,1 Main St,Springfield,12345,US\n"
                               "SO-3,1,CG,MUG,40,Jane,1 Main St,Springfield,12345,US\n"
                               "SO-3,2,CG,LAMP,2,Jane,1 Main St,Springfield,12345,US\n",
                               0),
                     0);
    return 0;
}

/* Types as stored, for the validator. */
static int collect(void *ctx, const wms_box_type *b)
{
    wms_box_type **p = ctx;
    *(*p)++ = *b;
    return 0;
}

static int stored_types(fx *f, wms_box_type *t)
{
    wms_box_type *p = t;
    return wms_box_list(f->db, collect, &p, &f->err);
}

/* Validates r against the stored types and r's own item copies (whose
 * sizes and weights the test checks against the catalogue separately). */
static void check(fx *f, const wms_carton_result *r)
{
    wms_box_type t[8];
    int nt = stored_types(f, t);
    assert_int_equal(nt, r->ntypes);
    const char *bad = carton_check(r, t, nt, r->items, r->nitems);
    if (bad != NULL)
        fail_msg("invalid proposal: %s", bad);
    for (int i = 0; i < r->nitems; i++) {
        wms_item it;
        assert_int_equal(wms_item_get(f->db, r->items[i].sku, &it, &f->err), 0);
        assert_int_equal(it.id, r->items[i].item_id);
        assert_int_equal(it.length_mm, r->items[i].length_mm);
        assert_int_equal(it.weight_g, r->items[i].weight_g);
    }
}

static long long nboxes(fx *f)
{
    return fx_sql_int(f, "SELECT count(*) FROM boxes");
}

static void test_box_import(void **state)
{
    fx *f = *state;
    /* Listing: by code; the optional tare defaults to 0. */
    wms_box_type t[8];
    assert_int_equal(stored_types(f, t), 3);
    assert_string_equal(t[0].code, "L");
    assert_int_equal(t[0].tare_g, 0);
    assert_string_equal(t[2].code, "S");
    assert_int_equal(t[2].length_mm, 200);
    assert_int_equal(t[2].max_weight_g, 5000);
    wms_box_type m;
    assert_int_equal(wms_box_get(f->db, "M", &m, &f->err), 0);
    assert_int_equal(m.height_mm, 150);
    assert_int_equal(wms_box_get(f->db, "XX", &m, &f->err), WMS_ENOT_FOUND);
    /* Identical rows change nothing; a different one needs --update. */
    FILE *in = fmemopen((void *)boxes_csv, strlen(boxes_csv), "r");
    wms_import_stats st;
    wms_actor who = {"test", "fx", NULL};
    assert_int_equal(wms_import(f->db, &who, "boxes", in, 0, &st, &f->err), 0);
    fclose(in);
    assert_int_equal(st.unchanged, 3);
    assert_int_equal(st.inserted, 0);
    const char *bigger = "code,length_mm,width_mm,height_mm,max_weight_g\nS,210,150,100,5000\n";
    assert_int_equal(fx_import(f, "boxes", bigger, 0), WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "line 2"));
    assert_non_null(strstr(f->err.msg, "box S"));
    assert_int_equal(wms_box_get(f->db, "S", &m, &f->err), 0);
    assert_int_equal(m.length_mm, 200);
    assert_int_equal(fx_import(f, "boxes", bigger, 1), 0);
    assert_int_equal(wms_box_get(f->db, "S", &m, &f->err), 0);
    assert_int_equal(m.length_mm, 210);
    assert_int_equal(m.tare_g, 0); /* the update sets every column */
}

/* Each bad file is refused with a message naming line and column (or the
 * limit), and nothing of it is stored - also its good rows. */
static void test_box_import_bad(void **state)
{
    fx *f = *state;
    static const struct {
        const char *csv, *want1, *want2;
        int code;
    } bad[] = {
        {"code,length_mm,width_mm,height_mm,max_weight_g\nN1,10,10,10,10\nZ,0,100,100,1000\n",
         "line 3", "length_mm", WMS_EBAD_ARGS},
        {"code,length_mm,width_mm,height_mm,max_weight_g\nN1,10,10,10,10\nW,100,12000,100,1000\n",
         "width_mm", "10 m", WMS_EBAD_ARGS},
        {"code,length_mm,width_mm,height_mm,max_weight_g\nN1,10,10,10,10\nH,100,100,10001,1000\n",
         "height_mm", "10000", WMS_EBAD_ARGS},
        {"code,length_mm,width_mm,height_mm,max_weight_g\nT,100,100,100,10000001\n", "max_weight_g",
         "10 t", WMS_EBAD_ARGS},
        {"code,length_mm,width_mm,height_mm,max_weight_g\nT,100,100,100,0\n", "max_weight_g",
         "line 2", WMS_EBAD_ARGS},
        {"code,length_mm,width_mm,height_mm,max_weight_g,tare_g\nT,100,100,100,100,-5\n", "tare_g",
         "line 2", WMS_EBAD_ARGS},
        {"code,length_mm,width_mm,height_mm,max_weight_g\nT,100,-1,100,100\n", "width_mm", "line 2",
         WMS_EBAD_ARGS},
        {"code,length_mm,width_mm,height_mm,max_weight_g\nT,1e3,100,100,100\n", "length_mm",
         "whole number", WMS_EBAD_CSV},
        {"code,length_mm,width_mm,height_mm\nT,100,100,100\n", "max_weight_g", "line 1",
         WMS_EBAD_CSV},
        {"code,length_mm,width_mm,height_mm,max_weight_g\nA B,100,100,100,100\n", "A B", "line 2",
         WMS_EBAD_ARGS},
        {"code,length_mm,width_mm,height_mm,max_weight_g,colour\nT,1,1,1,1,red\n", "colour", "",
         WMS_EBAD_CSV},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = fx_import(f, "boxes", bad[i].csv, 0);
        if (rc != bad[i].code || strstr(f->err.msg, bad[i].want1) == NULL ||
            strstr(f->err.msg, bad[i].want2) == NULL)
            fail_msg("case %zu: rc %d (%s), want %d with '%s' and '%s'", i, rc, f->err.msg,
                     bad[i].code, bad[i].want1, bad[i].want2);
        assert_int_equal(nboxes(f), 3);
    }
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM boxes WHERE code IN ('N1','T')"), 0);
    /* The largest allowed values are taken: 10 m sides, 10 t. */
    assert_int_equal(fx_import(f, "boxes",
                               "code,length_mm,width_mm,height_mm,max_weight_g,tare_g\n"
                               "CONTAINER,10000,10000,10000,10000000,10000000\n",
                               0),
                     0);
    assert_int_equal(nboxes(f), 4);
    /* And the direct call names the box. */
    wms_box_type b = {.code = "DIRECT", .length_mm = 1, .width_mm = 1, .height_mm = 1};
    assert_int_equal(wms_box_put(f->db, &b, 0, &f->err), WMS_EBAD_ARGS);
    assert_non_null(strstr(f->err.msg, "DIRECT"));
}

static void test_cartonize_order(void **state)
{
    fx *f = *state;
    long long events = fx_sql_int(f, "SELECT count(*) FROM events");
    wms_carton_result r;
    assert_int_equal(wms_cartonize_order(f->db, "SO-1", &r, &f->err), 0);
    check(f, &r);
    /* 3 mugs (120x90x100) + 2 books (240x170x30) = 5.69 l fit the M box
     * (9 l), not the S one (3 l): one M; the soft toy goes by weight. */
    assert_int_equal(r.nbox, 1);
    assert_string_equal(r.types[r.box[0].type].code, "M");
    assert_int_equal(r.nplace, 6);
    assert_int_equal(r.units_no_dims, 1);
    assert_int_equal(r.box[0].content_weight_g, 3 * 350 + 2 * 600 + 200);
    char note[512];
    assert_int_equal(wms_cartonize_note(&r, 0, note, sizeof(note)), 1);
    assert_non_null(strstr(note, "SOFT"));
    assert_non_null(strstr(note, "weight only"));
    assert_int_equal(wms_cartonize_note(&r, 1, note, sizeof(note)), 0);
    wms_carton_result_free(&r);
    /* Short units are not packed: 2 mugs short, both books short. */
    sqlite3 *s;
    assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s,
                                  "UPDATE order_lines SET short = CASE line WHEN 1 THEN 2 "
                                  "WHEN 2 THEN 2 ELSE 0 END WHERE order_id = (SELECT id FROM "
                                  "orders WHERE ref = 'SO-1')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(s);
    assert_int_equal(wms_cartonize_order(f->db, "SO-1", &r, &f->err), 0);
    check(f, &r);
    assert_int_equal(r.nplace, 2); /* 1 mug + the soft toy */
    assert_int_equal(r.nbox, 1);
    assert_string_equal(r.types[r.box[0].type].code, "S");
    wms_carton_result_free(&r);
    /* 40 mugs (43.2 l) and 2 lamps of unknown weight: several boxes, the
     * lamps counted as 0 g and said so. */
    assert_int_equal(wms_cartonize_order(f->db, "SO-3", &r, &f->err), 0);
    check(f, &r);
    assert_int_equal(r.nplace, 42);
    assert_true(r.nbox >= 2);
    assert_int_equal(r.units_no_weight, 2);
    assert_int_equal(wms_cartonize_note(&r, 1, note, sizeof(note)), 1);
    assert_non_null(strstr(note, "LAMP"));
    wms_carton_result_free(&r);
    /* Errors: the sofa fits no box (named), unknown and cancelled orders. */
    assert_int_equal(wms_cartonize_order(f->db, "SO-2", &r, &f->err), WMS_EITEM_TOO_LARGE);
    assert_non_null(strstr(f->err.msg, "order SO-2"));
    assert_non_null(strstr(f->err.msg, "SOFA"));
    assert_null(r.box);
    assert_int_equal(wms_cartonize_order(f->db, "NOPE", &r, &f->err), WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "NOPE"));
    wms_actor who = {"sue", "PC", NULL};
    assert_int_equal(wms_order_cancel(f->db, &who, "SO-2", "test", &f->err), 0);
    events = fx_sql_int(f, "SELECT count(*) FROM events");
    assert_int_equal(wms_cartonize_order(f->db, "SO-2", &r, &f->err), WMS_ECONFLICT);
    assert_non_null(strstr(f->err.msg, "cancelled"));
    /* Cartonizing reads only. */
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM events"), events);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM cartons"), 0);
}

static void test_cartonize_units(void **state)
{
    fx *f = *state;
    wms_item mug;
    assert_int_equal(wms_item_get(f->db, "MUG", &mug, &f->err), 0);
    /* By id and by SKU; lines of the same item add up. */
    wms_cartonize_line l[3] = {{mug.id, NULL, 2}, {0, "BOOK", 1}, {0, "MUG", 1}};
    wms_carton_result r;
    assert_int_equal(wms_cartonize_units(f->db, l, 3, &r, &f->err), 0);
    check(f, &r);
    assert_int_equal(r.nitems, 2);
    assert_int_equal(r.items[0].qty, 3);
    assert_string_equal(r.items[0].sku, "MUG");
    assert_int_equal(r.nplace, 4);
    wms_carton_result_free(&r);
    /* A tote of 5 books (240x170x30): they stack exactly into M (5 x 30 mm
     * = 150 mm, 240 mm only fits its 300 mm length); S is too small. */
    wms_cartonize_line books = {0, "BOOK", 5};
    assert_int_equal(wms_cartonize_units(f->db, &books, 1, &r, &f->err), 0);
    check(f, &r);
    assert_int_equal(r.nbox, 1);
    assert_string_equal(r.types[r.box[0].type].code, "M");
    wms_carton_result_free(&r);
    /* Bad lines. */
    wms_cartonize_line bad = {0, "GHOST", 1};
    assert_int_equal(wms_cartonize_units(f->db, &bad, 1, &r, &f->err), WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "GHOST"));
    bad = (wms_cartonize_line){999999, NULL, 1};
    assert_int_equal(wms_cartonize_units(f->db, &bad, 1, &r, &f->err), WMS_ENOT_FOUND);
    bad = (wms_cartonize_line){0, "MUG", 0};
    assert_int_equal(wms_cartonize_units(f->db, &bad, 1, &r, &f->err), WMS_EBAD_QTY);
    bad = (wms_cartonize_line){0, NULL, 1};
    assert_int_equal(wms_cartonize_units(f->db, &bad, 1, &r, &f->err), WMS_EBAD_ARGS);
    bad = (wms_cartonize_line){0, "MUG", WMS_CARTON_UNITS_MAX + 1};
    assert_int_equal(wms_cartonize_units(f->db, &bad, 1, &r, &f->err), WMS_ETOO_LARGE);
    assert_int_equal(wms_cartonize_units(f->db, l, 0, &r, &f->err), WMS_EBAD_ARGS);
    bad = (wms_cartonize_line){0, "SOFA", 1};
    assert_int_equal(wms_cartonize_units(f->db, &bad, 1, &r, &f->err), WMS_EITEM_TOO_LARGE);
    assert_non_null(strstr(f->err.msg, "SOFA"));
    /* Without box types nothing can be proposed. */
    sqlite3 *s;
    assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "DELETE FROM boxes", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    assert_int_equal(wms_cartonize_units(f->db, l, 3, &r, &f->err), WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "import boxes"));
}

static void test_cartonize_json(void **state)
{
    fx *f = *state;
    wms_carton_result r;
    assert_int_equal(wms_cartonize_order(f->db, "SO-1", &r, &f->err), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(wms_cartonize_json(out, "SO-1", &r), 0);
    fclose(out);
    assert_non_null(strstr(buf, "{\"order\":\"SO-1\",\"box_count\":1,\"units\":6,"));
    assert_non_null(strstr(buf, "\"box\":\"M\",\"length_mm\":300,\"width_mm\":200,"));
    assert_non_null(strstr(buf, "\"gross_weight_g\":2600")); /* 2450 + tare 150 */
    assert_non_null(strstr(buf, "{\"sku\":\"SOFT\",\"item_id\":"));
    assert_non_null(strstr(buf, "\"placed\":false}"));
    assert_non_null(strstr(buf, "weight only"));
    /* One placement line per unit, the positions of the first one. */
    int lines = 0;
    for (const char *p = buf; (p = strstr(p, "{\"sku\":")) != NULL; p++)
        lines++;
    assert_int_equal(lines, 6);
    char first[160];
    const wms_carton_place *p0 = &r.place[0];
    snprintf(first, sizeof(first),
             "\"placed\":true,\"x_mm\":%lld,\"y_mm\":%lld,\"z_mm\":%lld,\"dx_mm\":%lld,"
             "\"dy_mm\":%lld,\"dz_mm\":%lld}",
             (long long)p0->x_mm, (long long)p0->y_mm, (long long)p0->z_mm, (long long)p0->dx_mm,
             (long long)p0->dy_mm, (long long)p0->dz_mm);
    assert_non_null(strstr(buf, first));
    assert_int_equal(buf[len - 1], '\n');
    free(buf);
    wms_carton_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_box_import, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_box_import_bad, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cartonize_order, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cartonize_units, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cartonize_json, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
