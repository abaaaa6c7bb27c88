/* test_csvin.c - the streaming CSV reader: header rules, quoting, line
 * numbers, caps, errors, value helpers, and FILE vs memory equivalence. */
#include "helpers.h"

#include "core/csvin.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const wms_csv_col ITEMS[] = {
    {"sku", true}, {"description", true}, {"uom", false}, {"length_mm", false}, {"weight_g", false},
};
#define NITEMS 5

/* ---- a callback that records what it is given ---- */

#define MAXR 64
#define MAXC 8
#define VMAX 128

struct coll {
    /* configuration */
    int stop_at; /* return stop_rc at this (1-based) row; 0: never */
    int stop_rc;
    bool set_msg; /* set err before returning stop_rc */
    /* what was seen */
    int n;
    int ncols;
    long line[MAXR];
    bool present[MAXR][MAXC];
    char val[MAXR][MAXC][VMAX];
    size_t vlen[MAXR][MAXC];
};

static int collect(void *ctx, const wms_csv_row *row, wms_error *err)
{
    struct coll *c = ctx;
    assert_non_null(row->cols);
    c->ncols = row->ncols;
    if (c->n < MAXR) {
        c->line[c->n] = row->line;
        for (int i = 0; i < row->ncols && i < MAXC; i++) {
            size_t len = strlen(row->val[i]);
            c->vlen[c->n][i] = len;
            memcpy(c->val[c->n][i], row->val[i], len < VMAX ? len : VMAX - 1);
            c->present[c->n][i] = row->present[i];
        }
    }
    c->n++;
    if (c->stop_at != 0 && c->n == c->stop_at) {
        if (c->set_msg)
            wms_error_set(err, c->stop_rc, "line %ld: stopped by the handler", row->line);
        return c->stop_rc;
    }
    return 0;
}

/* Reads `len` bytes of `text` both from memory and through a FILE, checks
 * that both give the same code, message and rows, and leaves the rows in
 * `c` (its configuration is used) and the error in `err`. */
static int run_both(const char *text, size_t len, const wms_csv_col *schema, int ncols,
                    struct coll *c, wms_error *err)
{
    struct coll *c1 = calloc(1, sizeof(*c1));
    struct coll *c2 = calloc(1, sizeof(*c2));
    assert_non_null(c1);
    assert_non_null(c2);
    c1->stop_at = c2->stop_at = c->stop_at;
    c1->stop_rc = c2->stop_rc = c->stop_rc;
    c1->set_msg = c2->set_msg = c->set_msg;

    wms_error e1, e2;
    wms_error_clear(&e1);
    wms_error_clear(&e2);
    int rc1 = wms_csv_read_mem(text, len, schema, ncols, collect, c1, &e1);

    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    rewind(f);
    int rc2 = wms_csv_read(f, schema, ncols, collect, c2, &e2);
    fclose(f);

    assert_int_equal(rc1, rc2);
    assert_int_equal(e1.code, e2.code);
    assert_string_equal(e1.msg, e2.msg);
    assert_int_equal(memcmp(c1, c2, sizeof(*c1)), 0);
    memcpy(c, c1, sizeof(*c));
    if (err != NULL)
        *err = e1;
    free(c1);
    free(c2);
    return rc1;
}

/* run_both on a NUL-terminated text with the ITEMS schema. */
static int run(const char *text, struct coll *c, wms_error *err)
{
    return run_both(text, strlen(text), ITEMS, NITEMS, c, err);
}

/* Expects `text` to fail with `code` and exactly `msg`. */
static void expect_error(const char *text, size_t len, int code, const char *msg)
{
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    wms_error err;
    int rc = run_both(text, len, ITEMS, NITEMS, c, &err);
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    if (msg != NULL)
        assert_string_equal(err.msg, msg);
    free(c);
}

#define EXPECT_ERROR(text, code, msg) expect_error((text), strlen(text), (code), (msg))

/* ---- tests ---- */

static void test_columns_in_any_order(void **state)
{
    (void)state;
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    wms_error err;
    int rc = run("description,sku,weight_g,uom,length_mm\n"
                 "Widget,A1,120,each,30\n"
                 "Gadget,B2,,,\n",
                 c, &err);
    assert_int_equal(rc, 2);
    assert_int_equal(c->n, 2);
    assert_int_equal(c->ncols, NITEMS);
    assert_int_equal(c->line[0], 2);
    assert_string_equal(c->val[0][0], "A1");
    assert_string_equal(c->val[0][1], "Widget");
    assert_string_equal(c->val[0][2], "each");
    assert_string_equal(c->val[0][3], "30");
    assert_string_equal(c->val[0][4], "120");
    assert_int_equal(c->line[1], 3);
    assert_string_equal(c->val[1][0], "B2");
    assert_string_equal(c->val[1][2], "");
    assert_string_equal(c->val[1][4], "");
    for (int i = 0; i < NITEMS; i++)
        assert_true(c->present[1][i]);
    free(c);
}

static void test_optional_absent_and_spaces_kept(void **state)
{
    (void)state;
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    /* header names are trimmed, values are not */
    int rc = run(" sku ,\tdescription\t\nA1 ,  two  spaces \n", c, NULL);
    assert_int_equal(rc, 1);
    assert_string_equal(c->val[0][0], "A1 ");
    assert_string_equal(c->val[0][1], "  two  spaces ");
    assert_true(c->present[0][0]);
    assert_true(c->present[0][1]);
    for (int i = 2; i < NITEMS; i++) {
        assert_false(c->present[0][i]);
        assert_string_equal(c->val[0][i], "");
    }
    free(c);
}

static void test_quoted_fields_and_line_numbers(void **state)
{
    (void)state;
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    wms_error err;
    int rc = run("sku,description\n"                /* 1 */
                 "\"A,1\",\"He said \"\"hi\"\"\"\n" /* 2 */
                 "B,\"two\nlines\"\n"               /* 3-4 */
                 "C,\"three\r\nline\nfield\"\n"     /* 5-7 */
                 "D,\"\"\n"                         /* 8: quoted empty (required!) */
                 "E,last\n",                        /* 9 */
                 c, &err);
    /* D's description is empty: the read stops there */
    assert_int_equal(rc, WMS_EBAD_CSV);
    assert_string_equal(err.msg, "line 8, column description: value is required");
    assert_int_equal(c->n, 3);
    assert_int_equal(c->line[0], 2);
    assert_string_equal(c->val[0][0], "A,1");
    assert_string_equal(c->val[0][1], "He said \"hi\"");
    assert_int_equal(c->line[1], 3);
    assert_string_equal(c->val[1][1], "two\nlines");
    assert_int_equal(c->line[2], 5);
    assert_string_equal(c->val[2][1], "three\r\nline\nfield");

    memset(c, 0, sizeof(*c));
    rc = run("sku,description,uom\n\"A\",\"x\ny\",\"\"\nB,\"\"\"\",\"q\"\nC,z,\n", c, NULL);
    assert_int_equal(rc, 3);
    assert_int_equal(c->line[0], 2);
    assert_string_equal(c->val[0][1], "x\ny");
    assert_string_equal(c->val[0][2], "");
    assert_int_equal(c->line[1], 4);
    assert_string_equal(c->val[1][1], "\"");
    assert_string_equal(c->val[1][2], "q");
    assert_int_equal(c->line[2], 5);
    free(c);
}

static void test_line_endings(void **state)
{
    (void)state;
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    /* CRLF, with a blank CRLF line and no final line end */
    int rc = run("sku,description\r\nA,x\r\nB,y\r\n\r\nC,z", c, NULL);
    assert_int_equal(rc, 3);
    assert_string_equal(c->val[0][1], "x");
    assert_string_equal(c->val[1][1], "y");
    assert_string_equal(c->val[2][1], "z");
    assert_int_equal(c->line[0], 2);
    assert_int_equal(c->line[1], 3);
    assert_int_equal(c->line[2], 5);
    for (int r = 0; r < 3; r++)
        assert_null(strchr(c->val[r][1], '\r'));

    /* lone CR ends a line, so does LF; LF then CR is two line ends */
    memset(c, 0, sizeof(*c));
    rc = run("sku,description\rA,x\rB,y\n\rC,z\r", c, NULL);
    assert_int_equal(rc, 3);
    assert_int_equal(c->line[0], 2);
    assert_int_equal(c->line[1], 3);
    assert_int_equal(c->line[2], 5);
    assert_string_equal(c->val[1][1], "y");

    /* a CRLF inside quotes is kept and counts as one line */
    memset(c, 0, sizeof(*c));
    rc = run("sku,description\r\nA,\"1\r\n2\"\r\nB,y\r\n", c, NULL);
    assert_int_equal(rc, 2);
    assert_string_equal(c->val[0][1], "1\r\n2");
    assert_int_equal(c->line[1], 4);
    free(c);
}

static void test_bom_and_blank_lines(void **state)
{
    (void)state;
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    int rc = run("\xEF\xBB\xBFsku,description\nA,x\n", c, NULL);
    assert_int_equal(rc, 1);
    assert_string_equal(c->val[0][0], "A");

    memset(c, 0, sizeof(*c));
    rc = run("\n\nsku,description\n\nA,x\n   \n\t\nB,y\n\n", c, NULL);
    assert_int_equal(rc, 2);
    assert_int_equal(c->line[0], 5);
    assert_int_equal(c->line[1], 8);

    /* a BOM anywhere else is data (and here an unknown column) */
    EXPECT_ERROR("sku,\xEF\xBB\xBF"
                 "description\n",
                 WMS_EBAD_CSV,
                 "line 1: unknown column '\xEF\xBB\xBF"
                 "description'");
    free(c);
}

static void test_empty_and_header_only(void **state)
{
    (void)state;
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    assert_int_equal(run("sku,description\n", c, NULL), 0);
    assert_int_equal(c->n, 0);
    assert_int_equal(run("sku,description", c, NULL), 0);
    EXPECT_ERROR("", WMS_EBAD_CSV, "the file is empty: it has no header row");
    EXPECT_ERROR("\n \r\n\n", WMS_EBAD_CSV, "the file is empty: it has no header row");
    EXPECT_ERROR("\xEF\xBB\xBF", WMS_EBAD_CSV, "the file is empty: it has no header row");
    free(c);
}

static void test_header_errors(void **state)
{
    (void)state;
    EXPECT_ERROR("sku,description,qtyy\nA,x,1\n", WMS_EBAD_CSV, "line 1: unknown column 'qtyy'");
    EXPECT_ERROR("sku,description,SKU\n", WMS_EBAD_CSV, "line 1: unknown column 'SKU'");
    EXPECT_ERROR("sku,description, sku\n", WMS_EBAD_CSV, "line 1: column 'sku' appears twice");
    EXPECT_ERROR("sku,uom\nA,each\n", WMS_EBAD_CSV,
                 "line 1: required column 'description' is missing");
    EXPECT_ERROR("sku,,description\n", WMS_EBAD_CSV, "line 1, column 2: the column name is empty");
    EXPECT_ERROR("sku,description,\n", WMS_EBAD_CSV, "line 1, column 3: the column name is empty");
    EXPECT_ERROR("\n\nsku,description,oops\n", WMS_EBAD_CSV, "line 3: unknown column 'oops'");
    /* control characters in a name are not echoed raw */
    EXPECT_ERROR("sku,description,\"a\nb\"\n", WMS_EBAD_CSV, "line 1: unknown column 'a?b'");

    /* 65 header columns: over the cap */
    char hdr[1024];
    size_t n = 0;
    for (int i = 1; i <= 65; i++)
        n += (size_t)snprintf(hdr + n, sizeof(hdr) - n, "%sc%d", i > 1 ? "," : "", i);
    EXPECT_ERROR(hdr, WMS_ETOO_LARGE, "line 1: more than 64 columns");
}

static void test_field_count(void **state)
{
    (void)state;
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    wms_error err;
    const char *text = "sku,description,uom\n"
                       "A,x,e\n"
                       "B,\"multi\nline\",e\n"
                       "C,y\n";
    int rc = run(text, c, &err);
    assert_int_equal(rc, WMS_EBAD_CSV);
    assert_string_equal(err.msg, "line 5: 2 fields, the header has 3");
    assert_int_equal(c->n, 2); /* rows before the bad one were delivered */

    EXPECT_ERROR("sku,description,uom\nA,x,e,extra\n", WMS_EBAD_CSV,
                 "line 2: 4 fields, the header has 3");
    EXPECT_ERROR("sku,description,uom\nA\n", WMS_EBAD_CSV, "line 2: 1 field, the header has 3");

    /* 100 fields in a data row: counted, not stored */
    char row[512] = "sku,description\nA";
    for (int i = 1; i < 100; i++)
        strcat(row, ",x");
    strcat(row, "\n");
    EXPECT_ERROR(row, WMS_EBAD_CSV, "line 2: 100 fields, the header has 2");
    free(c);
}

static void test_required_value(void **state)
{
    (void)state;
    EXPECT_ERROR("sku,description\nA,x\n,y\n", WMS_EBAD_CSV,
                 "line 3, column sku: value is required");
    EXPECT_ERROR("description,sku\nx,A\ny,  \n", WMS_EBAD_CSV,
                 "line 3, column sku: value is required");
    /* an optional column may be empty */
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    assert_int_equal(run("sku,description,uom\nA,x,\n", c, NULL), 1);
    free(c);
}

/* Builds "sku,description\nA,<pre><n x 'x'><post>\nB,y\n" in a malloc'd buffer. */
static char *long_field_csv(size_t n, const char *pre, const char *post, size_t *len)
{
    size_t cap = n + 64;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t k = (size_t)snprintf(s, cap, "sku,description\nA,%s", pre);
    memset(s + k, 'x', n);
    k += n;
    k += (size_t)snprintf(s + k, cap - k, "%s\nB,y\n", post);
    *len = k;
    return s;
}

static void test_field_cap(void **state)
{
    (void)state;
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    wms_error err;
    size_t len;
    char *s;

    /* exactly the cap: fine, quoted or not */
    s = long_field_csv(WMS_CSV_FIELD_MAX, "", "", &len);
    assert_int_equal(run_both(s, len, ITEMS, NITEMS, c, NULL), 2);
    assert_int_equal(c->vlen[0][1], WMS_CSV_FIELD_MAX);
    free(s);
    s = long_field_csv(WMS_CSV_FIELD_MAX, "\"", "\"", &len);
    assert_int_equal(run_both(s, len, ITEMS, NITEMS, c, NULL), 2);
    assert_int_equal(c->vlen[0][1], WMS_CSV_FIELD_MAX);
    free(s);

    /* one more byte, a bit more, much more */
    const size_t over[] = {WMS_CSV_FIELD_MAX + 1, WMS_CSV_FIELD_MAX + 2, WMS_CSV_FIELD_MAX + 40,
                           1u << 20};
    for (size_t i = 0; i < sizeof(over) / sizeof(over[0]); i++) {
        for (int q = 0; q < 2; q++) {
            s = long_field_csv(over[i], q ? "\"" : "", q ? "\"" : "", &len);
            assert_int_equal(run_both(s, len, ITEMS, NITEMS, c, &err), WMS_ETOO_LARGE);
            /* a quoted field that overflows the parser's buffer gets a hint */
            bool hint = q && over[i] >= WMS_CSV_FIELD_MAX + 40;
            assert_string_equal(err.msg, hint ? "line 2, column description: longer than 4096 "
                                                "bytes (is a closing quote missing?)"
                                              : "line 2, column description: longer than 4096 "
                                                "bytes");
            free(s);
        }
    }

    /* a quote that is never closed swallows the rest of the file */
    s = long_field_csv(1u << 16, "\"", "", &len);
    assert_int_equal(run_both(s, len, ITEMS, NITEMS, c, &err), WMS_ETOO_LARGE);
    assert_string_equal(err.msg, "line 2, column description: longer than 4096 bytes "
                                 "(is a closing quote missing?)");
    free(s);
    free(c);
}

static void test_utf8_and_nul(void **state)
{
    (void)state;
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    assert_int_equal(run("sku,description\nA,Gr\xC3\xB6\xC3\x9F"
                         "e \xE2\x82\xAC \xF0\x9F\x93\xA6\n",
                         c, NULL),
                     1);
    assert_string_equal(c->val[0][1], "Gr\xC3\xB6\xC3\x9F"
                                      "e \xE2\x82\xAC \xF0\x9F\x93\xA6");

    EXPECT_ERROR("sku,description\nA,ok\nB,caf\xC3(\n", WMS_EBAD_CSV,
                 "line 3, column description: not valid UTF-8 (byte 4 of the value)");
    EXPECT_ERROR("sku,description\n\xC0\xAF,x\n", WMS_EBAD_CSV,
                 "line 2, column sku: not valid UTF-8 (byte 1 of the value)"); /* overlong */
    EXPECT_ERROR(
        "sku,description\nA,\xED\xA0\x80\n", WMS_EBAD_CSV,
        "line 2, column description: not valid UTF-8 (byte 1 of the value)"); /* surrogate */
    EXPECT_ERROR("sku,description\nA,\xF4\x90\x80\x80\n", WMS_EBAD_CSV,
                 "line 2, column description: not valid UTF-8 (byte 1 of the value)"); /* >10FFFF */
    EXPECT_ERROR("sku,description\nA,ab\xE2\x82\n", WMS_EBAD_CSV,
                 "line 2, column description: not valid UTF-8 (byte 3 of the value)"); /* cut */
    EXPECT_ERROR("sku,descr\xFFiption\n", WMS_EBAD_CSV,
                 "line 1, column 2: not valid UTF-8 (byte 6 of the value)");

    static const char nul[] = "sku,description\nA,x\0y\n";
    expect_error(nul, sizeof(nul) - 1, WMS_EBAD_CSV,
                 "line 2, column description: contains a NUL byte");
    free(c);
}

static void test_bad_quoting(void **state)
{
    (void)state;
    const char *tail = " (a quoted field must start and end with a quote, and quotes inside it "
                       "must be doubled)";
    char msg[256];
    snprintf(msg, sizeof(msg), "line 3, column description: misplaced quote%s", tail);
    EXPECT_ERROR("sku,description\nA,x\nB,ab\"c\n", WMS_EBAD_CSV, msg);
    EXPECT_ERROR("sku,description\nA,x\nB,\"abc\"x\n", WMS_EBAD_CSV, msg);
    EXPECT_ERROR("sku,description\nA,x\nB, \"abc\"\n", WMS_EBAD_CSV, msg);
    snprintf(msg, sizeof(msg), "line 3, column sku: misplaced quote%s", tail);
    EXPECT_ERROR("sku,description\nA,x\n\"B\" ,y\n", WMS_EBAD_CSV, msg);
    /* the error names the line of the bad byte, inside a multi-line record */
    snprintf(msg, sizeof(msg), "line 4, column description: misplaced quote%s", tail);
    EXPECT_ERROR("sku,description\nA,x\n\"B\nb\",\"y\"z\n", WMS_EBAD_CSV, msg);

    EXPECT_ERROR("sku,description\nA,x\nB,\"open\nmore\n", WMS_EBAD_CSV,
                 "line 3, column description: a quoted field is not closed");
    EXPECT_ERROR("sku,description\nA,x\n\"", WMS_EBAD_CSV,
                 "line 3, column sku: a quoted field is not closed");
    /* a closed quote at the very end is fine */
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    assert_int_equal(run("sku,description\nA,\"x\"", c, NULL), 1);
    assert_string_equal(c->val[0][1], "x");
    free(c);
}

static void test_callback_error(void **state)
{
    (void)state;
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    wms_error err;
    const char *text = "sku,description\nA,x\nB,\"y\ny\"\nC,z\nD,w\n";
    c->stop_at = 2;
    c->stop_rc = WMS_ECONFLICT;
    c->set_msg = true;
    int rc = run(text, c, &err);
    assert_int_equal(rc, WMS_ECONFLICT);
    assert_int_equal(err.code, WMS_ECONFLICT);
    assert_string_equal(err.msg, "line 3: stopped by the handler");
    assert_int_equal(c->n, 2);

    /* a handler that does not set err: the code's default message */
    memset(c, 0, sizeof(*c));
    c->stop_at = 3;
    c->stop_rc = WMS_EEXISTS;
    rc = run(text, c, &err);
    assert_int_equal(rc, WMS_EEXISTS);
    assert_int_equal(err.code, WMS_EEXISTS);
    assert_string_equal(err.msg, wms_strerror(WMS_EEXISTS));
    assert_int_equal(c->n, 3);

    /* positive returns go on */
    memset(c, 0, sizeof(*c));
    c->stop_at = 1;
    c->stop_rc = 7;
    assert_int_equal(run(text, c, NULL), 4);
    assert_int_equal(c->n, 4);

    /* no callback: just validates and counts */
    assert_int_equal(wms_csv_read_mem(text, strlen(text), ITEMS, NITEMS, NULL, NULL, NULL), 4);
    free(c);
}

/* A row handler that uses the getters, as an importer would. */
static int qty_handler(void *ctx, const wms_csv_row *row, wms_error *err)
{
    long *sum = ctx;
    long qty;
    int rc = wms_csv_get_long(row, 1, 1, 1000000, 1, &qty, NULL, err);
    if (rc < 0)
        return rc;
    *sum += qty;
    return 0;
}

static void test_getter_in_handler(void **state)
{
    (void)state;
    static const wms_csv_col S[] = {{"sku", true}, {"qty", false}};
    long sum = 0;
    wms_error err;
    const char *ok = "qty,sku\n5,A\n,B\n 10 ,C\n";
    assert_int_equal(wms_csv_read_mem(ok, strlen(ok), S, 2, qty_handler, &sum, &err), 3);
    assert_int_equal(sum, 16);
    const char *bad = "qty,sku\n5,A\n\"x\ny\",B\n0,C\n";
    sum = 0;
    assert_int_equal(wms_csv_read_mem(bad, strlen(bad), S, 2, qty_handler, &sum, &err),
                     WMS_EBAD_CSV);
    assert_string_equal(err.msg, "line 3, column qty: 'x?y' is not a whole number");
    const char *zero = "qty,sku\n5,A\n0,C\n";
    assert_int_equal(wms_csv_read_mem(zero, strlen(zero), S, 2, qty_handler, &sum, &err),
                     WMS_EBAD_CSV);
    assert_string_equal(err.msg, "line 3, column qty: 0 must be between 1 and 1000000");
}

/* A row of fixed values for the getter tests. */
static const wms_csv_col GS[] = {
    {"qty", false}, {"weight", false}, {"expiry", false}, {"absent", false}};
#define ROW(v)                                                                                     \
    {                                                                                              \
        .line = 9, .ncols = 4, .val = (v), .present = PRES, .cols = GS                             \
    }
static const bool PRES[4] = {true, true, true, false};

static int get_l(const char *v, long min, long max, long *out, wms_error *err)
{
    const char *vals[4] = {v, "", "", ""};
    wms_csv_row r = ROW(vals);
    return wms_csv_get_long(&r, 0, min, max, -99, out, NULL, err);
}

static void test_get_long(void **state)
{
    (void)state;
    long v = 0;
    wms_error err;
    assert_int_equal(get_l("42", 0, 100, &v, &err), 1);
    assert_int_equal(v, 42);
    assert_int_equal(get_l(" -7\t", -10, 10, &v, &err), 1);
    assert_int_equal(v, -7);
    assert_int_equal(get_l("+3", 0, 10, &v, &err), 1);
    assert_int_equal(v, 3);
    assert_int_equal(get_l("007", 0, 10, &v, &err), 1);
    assert_int_equal(v, 7);
    assert_int_equal(get_l("", 0, 10, &v, &err), 0);
    assert_int_equal(v, -99);
    assert_int_equal(get_l("   ", 0, 10, &v, &err), 0);
    assert_int_equal(v, -99);
    assert_int_equal(get_l("9223372036854775807", LONG_MIN, LONG_MAX, &v, &err), 1);
    assert_true(v == LONG_MAX);
    assert_int_equal(get_l("-9223372036854775808", LONG_MIN, LONG_MAX, &v, &err), 1);
    assert_true(v == LONG_MIN);

    v = 5;
    const char *bad[] = {"abc", "1.5", "1e3", "-", "+", "1 2", "0x10", "12a", "--1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(get_l(bad[i], 0, 100, &v, &err), WMS_EBAD_CSV);
        char want[128];
        snprintf(want, sizeof(want), "line 9, column qty: '%s' is not a whole number", bad[i]);
        assert_string_equal(err.msg, want);
        assert_int_equal(v, 5); /* untouched */
    }
    assert_int_equal(get_l("0", 1, 1000000, &v, &err), WMS_EBAD_CSV);
    assert_string_equal(err.msg, "line 9, column qty: 0 must be between 1 and 1000000");
    assert_int_equal(get_l("1000001", 1, 1000000, &v, &err), WMS_EBAD_CSV);
    assert_string_equal(err.msg, "line 9, column qty: 1000001 must be between 1 and 1000000");
    assert_int_equal(get_l("9223372036854775808", LONG_MIN, LONG_MAX, &v, &err), WMS_EBAD_CSV);
    assert_int_equal(get_l("-9223372036854775809", LONG_MIN, LONG_MAX, &v, &err), WMS_EBAD_CSV);
    assert_int_equal(get_l("99999999999999999999999", 0, 10, &v, &err), WMS_EBAD_CSV);
    assert_string_equal(err.msg,
                        "line 9, column qty: 99999999999999999999999 must be between 0 and 10");
    assert_int_equal(v, 5);

    /* a long value is cut in the message */
    char longv[200];
    memset(longv, 'z', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    assert_int_equal(get_l(longv, 0, 10, &v, &err), WMS_EBAD_CSV);
    assert_non_null(strstr(err.msg, "zzz...' is not a whole number"));
    assert_true(strlen(err.msg) < 100);

    /* absent column: default; explicit name; bad arguments */
    const char *vals[4] = {"1", "", "", ""};
    wms_csv_row r = ROW(vals);
    assert_int_equal(wms_csv_get_long(&r, 3, 0, 10, 4, &v, NULL, &err), 0);
    assert_int_equal(v, 4);
    vals[0] = "x";
    assert_int_equal(wms_csv_get_long(&r, 0, 0, 10, 4, &v, "quantity", &err), WMS_EBAD_CSV);
    assert_string_equal(err.msg, "line 9, column quantity: 'x' is not a whole number");
    assert_int_equal(wms_csv_get_long(&r, 4, 0, 10, 4, &v, NULL, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_csv_get_long(&r, -1, 0, 10, 4, &v, NULL, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_csv_get_long(NULL, 0, 0, 10, 4, &v, NULL, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_csv_get_long(&r, 0, 0, 10, 4, NULL, NULL, &err), WMS_EBAD_ARGS);
}

static int get_d(const char *v, double min, double max, double *out, wms_error *err)
{
    const char *vals[4] = {"", v, "", ""};
    wms_csv_row r = ROW(vals);
    return wms_csv_get_double(&r, 1, min, max, -1.25, out, NULL, err);
}

static void test_get_double(void **state)
{
    (void)state;
    double v = 0;
    wms_error err;
    assert_int_equal(get_d("2.5", 0, 10, &v, &err), 1);
    assert_true(v == 2.5);
    assert_int_equal(get_d(" -0.75 ", -1, 1, &v, &err), 1);
    assert_true(v == -0.75);
    assert_int_equal(get_d("1e3", 0, 1e4, &v, &err), 1);
    assert_true(v == 1000.0);
    assert_int_equal(get_d(".5", 0, 1, &v, &err), 1);
    assert_true(v == 0.5);
    assert_int_equal(get_d("5.", 0, 10, &v, &err), 1);
    assert_true(v == 5.0);
    assert_int_equal(get_d("7", 0, 10, &v, &err), 1);
    assert_true(v == 7.0);
    assert_int_equal(get_d("", 0, 10, &v, &err), 0);
    assert_true(v == -1.25);

    v = 3;
    const char *bad[] = {"abc", "0x10", "inf", "nan", "1,5", "1e", ".", "-", "1.2.3", "e5", "1 e5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(get_d(bad[i], -1e9, 1e9, &v, &err), WMS_EBAD_CSV);
        char want[128];
        snprintf(want, sizeof(want), "line 9, column weight: '%s' is not a number", bad[i]);
        assert_string_equal(err.msg, want);
    }
    assert_true(v == 3);
    assert_int_equal(get_d("10.5", 0, 10, &v, &err), WMS_EBAD_CSV);
    assert_string_equal(err.msg, "line 9, column weight: 10.5 must be between 0 and 10");
    assert_int_equal(get_d("1e999", 0, 1e300, &v, &err), WMS_EBAD_CSV);
    assert_string_equal(err.msg, "line 9, column weight: 1e999 must be between 0 and 1e+300");
    assert_true(v == 3);
}

static int get_date(const char *v, char out[11], wms_error *err)
{
    const char *vals[4] = {"", "", v, ""};
    wms_csv_row r = ROW(vals);
    return wms_csv_get_date(&r, 2, out, NULL, err);
}

static void test_get_date(void **state)
{
    (void)state;
    char d[11];
    wms_error err;
    assert_int_equal(get_date("2026-11-23", d, &err), 1);
    assert_string_equal(d, "2026-11-23");
    assert_int_equal(get_date(" 2024-02-29 ", d, &err), 1);
    assert_string_equal(d, "2024-02-29");
    assert_int_equal(get_date("2000-02-29", d, &err), 1);
    assert_int_equal(get_date("2026-12-31", d, &err), 1);
    assert_int_equal(get_date("", d, &err), 0);
    assert_string_equal(d, "");

    const char *unreal[] = {"2023-02-29", "1900-02-29", "2026-13-01", "2026-00-10",
                            "2026-04-31", "2026-01-00", "1899-12-31"};
    for (size_t i = 0; i < sizeof(unreal) / sizeof(unreal[0]); i++) {
        assert_int_equal(get_date(unreal[i], d, &err), WMS_EBAD_CSV);
        char want[128];
        snprintf(want, sizeof(want), "line 9, column expiry: '%s' is not a real date", unreal[i]);
        assert_string_equal(err.msg, want);
    }
    const char *shape[] = {"2026-1-01",        "26-01-01",   "2026/01/01",
                           "2026-01-01T00:00", "abcd-ef-gh", "2026-01-1a"};
    for (size_t i = 0; i < sizeof(shape) / sizeof(shape[0]); i++) {
        assert_int_equal(get_date(shape[i], d, &err), WMS_EBAD_CSV);
        char want[128];
        snprintf(want, sizeof(want), "line 9, column expiry: '%s' is not a date (YYYY-MM-DD)",
                 shape[i]);
        assert_string_equal(err.msg, want);
    }
}

/* Checks every row of the generated file (see test_large_file). */
struct big {
    long next_line;
    long count;
    long sum;
    int bad;
};

static int big_row(void *ctx, const wms_csv_row *row, wms_error *err)
{
    struct big *b = ctx;
    long i = b->count;
    char want[32];
    snprintf(want, sizeof(want), "SKU%06ld", i);
    bool multi = i % 1000 == 0;
    char desc[32];
    snprintf(desc, sizeof(desc), "desc, %ld", i);
    if (row->line != b->next_line || strcmp(row->val[0], want) != 0 ||
        strcmp(row->val[1], multi ? "line one\r\nline \"two\"" : desc) != 0)
        b->bad++;
    long w;
    int rc = wms_csv_get_long(row, 2, 0, LONG_MAX, 0, &w, NULL, err);
    if (rc < 0)
        return rc;
    b->sum += w;
    b->count++;
    b->next_line += multi ? 2 : 1;
    return 0;
}

static void test_large_file(void **state)
{
    (void)state;
    static const wms_csv_col S[] = {{"sku", true}, {"description", true}, {"weight_g", false}};
    const long N = 200000;
    char dir[512], path[600];
    th_mkdtemp(dir, sizeof(dir), "csvin");
    snprintf(path, sizeof(path), "%s/big.csv", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("weight_g,sku,description\r\n", f);
    long want_sum = 0;
    for (long i = 0; i < N; i++) {
        long w = (i * 7919) % 100000;
        want_sum += w;
        if (i % 1000 == 0)
            fprintf(f, "%ld,SKU%06ld,\"line one\r\nline \"\"two\"\"\"\r\n", w, i);
        else
            fprintf(f, "%ld,SKU%06ld,\"desc, %ld\"\r\n", w, i, i);
    }
    long size = ftell(f);
    assert_int_equal(fclose(f), 0);
    assert_true(size > 20 * WMS_CSV_CHUNK);

    struct big b = {.next_line = 2};
    wms_error err;
    f = fopen(path, "rb");
    assert_non_null(f);
    int rc = wms_csv_read(f, S, 3, big_row, &b, &err);
    fclose(f);
    assert_int_equal(rc, N);
    assert_int_equal(b.count, N);
    assert_int_equal(b.bad, 0);
    assert_int_equal(b.sum, want_sum);
    assert_int_equal(b.next_line, N + N / 1000 + 2);

    /* the same bytes from memory give the same */
    char *mem = malloc((size_t)size);
    assert_non_null(mem);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(mem, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    struct big b2 = {.next_line = 2};
    assert_int_equal(wms_csv_read_mem(mem, (size_t)size, S, 3, big_row, &b2, &err), N);
    assert_int_equal(b2.bad, 0);
    assert_int_equal(b2.sum, want_sum);
    free(mem);
    remove(path);
    rmdir(dir);
}

/* Moves a tricky stretch of CSV across the FILE chunk boundary, one byte at
 * a time, and checks lines and values each time (run_both compares the FILE
 * read, which sees two chunks, with the memory read). */
static void test_chunk_boundaries(void **state)
{
    (void)state;
    static const char tricky[] = "A,\"x\r\ny\"\r\nB,\"q\"\"\"\rC,z\r\n\r\nD,\"\"\"\"\n";
    struct coll *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    char *buf = malloc(2 * WMS_CSV_CHUNK);
    assert_non_null(buf);
    const char *hdr = "sku,description\n";
    for (int shift = 0; shift < 48; shift++) {
        size_t target = WMS_CSV_CHUNK - 24 + (size_t)shift; /* where `tricky` starts */
        size_t k = (size_t)sprintf(buf, "%s", hdr);
        long line = 2;
        while (target - k > 4000) { /* filler rows of 2003 bytes */
            buf[k++] = 'F';
            buf[k++] = ',';
            memset(buf + k, 'f', 2000);
            k += 2000;
            buf[k++] = '\n';
            line++;
        }
        size_t m = target - k - 3; /* one row to land exactly on target */
        buf[k++] = 'G';
        buf[k++] = ',';
        memset(buf + k, 'g', m);
        k += m;
        buf[k++] = '\n';
        line++;
        assert_int_equal(k, target);
        memcpy(buf + k, tricky, sizeof(tricky) - 1);
        k += sizeof(tricky) - 1;

        memset(c, 0, sizeof(*c));
        int rc = run_both(buf, k, ITEMS, NITEMS, c, NULL);
        assert_int_equal(rc, (int)(line - 2) + 4);
        int r = (int)(line - 2);
        assert_string_equal(c->val[r][0], "A");
        assert_string_equal(c->val[r][1], "x\r\ny");
        assert_int_equal(c->line[r], line);
        assert_string_equal(c->val[r + 1][1], "q\"");
        assert_int_equal(c->line[r + 1], line + 2);
        assert_string_equal(c->val[r + 2][1], "z");
        assert_int_equal(c->line[r + 2], line + 3);
        assert_string_equal(c->val[r + 3][1], "\"");
        assert_int_equal(c->line[r + 3], line + 5);
    }
    free(buf);
    free(c);
}

static void test_bad_args_and_io(void **state)
{
    (void)state;
    wms_error err;
    static const wms_csv_col dup[] = {{"a", true}, {"a", false}};
    static const wms_csv_col noname[] = {{"a", true}, {"", false}};
    assert_int_equal(wms_csv_read_mem("a\n", 2, NULL, 1, NULL, NULL, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_csv_read_mem("a\n", 2, ITEMS, 0, NULL, NULL, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_csv_read_mem("a\n", 2, ITEMS, WMS_CSV_MAX_COLS + 1, NULL, NULL, &err),
                     WMS_EBAD_ARGS);
    assert_int_equal(wms_csv_read_mem("a\n", 2, dup, 2, NULL, NULL, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_csv_read_mem("a\n", 2, noname, 2, NULL, NULL, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_csv_read_mem(NULL, 2, ITEMS, NITEMS, NULL, NULL, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_csv_read(NULL, ITEMS, NITEMS, NULL, NULL, &err), WMS_EBAD_ARGS);
    /* err may be NULL */
    assert_int_equal(wms_csv_read_mem("x\n", 2, ITEMS, NITEMS, NULL, NULL, NULL), WMS_EBAD_CSV);

    /* reading a directory fails with EISDIR: a read error */
    char dir[512];
    th_mkdtemp(dir, sizeof(dir), "csvin-io");
    FILE *f = fopen(dir, "r");
    assert_non_null(f);
    assert_int_equal(wms_csv_read(f, ITEMS, NITEMS, NULL, NULL, &err), WMS_EIO);
    assert_int_equal(err.code, WMS_EIO);
    assert_non_null(strstr(err.msg, "cannot read the CSV file"));
    fclose(f);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_in_any_order),
        cmocka_unit_test(test_optional_absent_and_spaces_kept),
        cmocka_unit_test(test_quoted_fields_and_line_numbers),
        cmocka_unit_test(test_line_endings),
        cmocka_unit_test(test_bom_and_blank_lines),
        cmocka_unit_test(test_empty_and_header_only),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_field_count),
        cmocka_unit_test(test_required_value),
        cmocka_unit_test(test_field_cap),
        cmocka_unit_test(test_utf8_and_nul),
        cmocka_unit_test(test_bad_quoting),
        cmocka_unit_test(test_callback_error),
        cmocka_unit_test(test_getter_in_handler),
        cmocka_unit_test(test_get_long),
        cmocka_unit_test(test_get_double),
        cmocka_unit_test(test_get_date),
        cmocka_unit_test(test_large_file),
        cmocka_unit_test(test_chunk_boundaries),
        cmocka_unit_test(test_bad_args_and_io),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
