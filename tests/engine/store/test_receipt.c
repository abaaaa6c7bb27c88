/* test_receipt.c - receipts against an expected list: create, add, verdicts, close. */
#include "fixture.h"
#include "store/ops.h"

static const wms_actor who = {"rex", "RF-03", NULL};

/* The report line of `sku`, failing the test when absent. */
static const wms_receipt_report_line *line_of(const wms_receipt_report *r, const char *sku)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->line[i].sku, sku))
            return &r->line[i];
    fail_msg("no report line for %s", sku);
    return NULL;
}

static long long receipts(fx *f)
{
    return fx_sql_int(f, "SELECT count(*) FROM receipts");
}

static void test_create_and_errors(void **state)
{
    fx *f = *state;
    wms_receipt_line lines[] = {{"A", 100}, {"B", 50}, {"A", 20}};
    /* A listed twice is summed: two lines. */
    assert_int_equal(wms_receipt_create(f->db, "ASN-1", 5, lines, 3, &f->err), 2);
    wms_receipt_report r;
    assert_int_equal(wms_receipt_get(f->db, "ASN-1", &r, &f->err), 0);
    assert_string_equal(r.ref, "ASN-1");
    assert_string_equal(r.status, "open");
    assert_string_equal(r.closed, "");
    assert_true(r.opened[0] != '\0');
    assert_int_equal(r.lines, 2);
    assert_int_equal(line_of(&r, "A")->expected, 120);
    assert_int_equal(line_of(&r, "B")->expected, 50);
    assert_int_equal(r.expected_total, 170);
    assert_int_equal(r.received_total, 0);
    assert_string_equal(line_of(&r, "A")->verdict, "under");

    assert_int_equal(wms_receipt_create(f->db, "ASN-1", 5, lines, 1, &f->err), WMS_EEXISTS);
    wms_receipt_line unknown[] = {{"A", 1}, {"ZZZ", 5}};
    assert_int_equal(wms_receipt_create(f->db, "ASN-2", 5, unknown, 2, &f->err), WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "ZZZ"));
    wms_receipt_line neg[] = {{"A", -1}};
    assert_int_equal(wms_receipt_create(f->db, "ASN-2", 5, neg, 1, &f->err), WMS_EBAD_QTY);
    assert_int_equal(wms_receipt_create(f->db, "ASN 2", 5, lines, 1, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_receipt_create(f->db, "ASN-2", -1, lines, 1, &f->err), WMS_EBAD_ARGS);
    assert_int_equal(wms_receipt_create(f->db, "ASN-2", 101, lines, 1, &f->err), WMS_EBAD_ARGS);
    /* Nothing of the failed ones was stored. */
    assert_int_equal(receipts(f), 1);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM receipt_lines"), 2);
    assert_int_equal(wms_receipt_get(f->db, "ASN-9", &r, &f->err), WMS_ENOT_FOUND);
}

static void test_verdicts_and_close(void **state)
{
    fx *f = *state;
    wms_receipt_line lines[] = {{"A", 100}, {"B", 50}, {"C", 10}};
    assert_int_equal(wms_receipt_create(f->db, "ASN-7", 5, lines, 3, &f->err), 3);
    /* A: 103 of 100 (within 5%), B: 40 of 50, C: 12 of 10 (20% over),
     * D: not on the list. */
    assert_int_equal(wms_receipt_add(f->db, "ASN-7", "A", 100, &f->err), 0);
    assert_int_equal(wms_receipt_add(f->db, "ASN-7", "A", 3, &f->err), 0);
    assert_int_equal(wms_receipt_add(f->db, "ASN-7", "B", 40, &f->err), 0);
    assert_int_equal(wms_receipt_add(f->db, "ASN-7", "C", 12, &f->err), 0);
    assert_int_equal(wms_receipt_add(f->db, "ASN-7", "D", 5, &f->err), 0);
    wms_receipt_report r;
    assert_int_equal(wms_receipt_close(f->db, &who, "ASN-7", &r, &f->err), 0);
    assert_string_equal(r.status, "closed");
    assert_true(r.closed[0] != '\0');
    assert_int_equal(r.lines, 4);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.n_ok, 1);
    assert_int_equal(r.n_over, 1);
    assert_int_equal(r.n_under, 1);
    assert_int_equal(r.n_unexpected, 1);
    /* Lines that need attention first, each group by SKU. */
    assert_string_equal(r.line[0].sku, "B");
    assert_string_equal(r.line[0].verdict, "under");
    assert_int_equal(r.line[0].difference, -10);
    assert_string_equal(r.line[1].sku, "C");
    assert_string_equal(r.line[1].verdict, "over");
    assert_int_equal(r.line[1].difference, 2);
    assert_string_equal(r.line[2].sku, "D");
    assert_string_equal(r.line[2].verdict, "unexpected");
    assert_int_equal(r.line[2].expected, 0);
    assert_int_equal(r.line[2].received, 5);
    assert_string_equal(r.line[3].sku, "A");
    assert_string_equal(r.line[3].verdict, "ok");
    assert_int_equal(r.line[3].received, 103);
    assert_int_equal(r.line[3].difference, 3);
    assert_int_equal(r.received_total, 160);

    /* A closed receipt takes nothing more and does not close twice. */
    assert_int_equal(wms_receipt_add(f->db, "ASN-7", "A", 1, &f->err), WMS_ECLOSED);
    assert_int_equal(wms_receipt_close(f->db, &who, "ASN-7", &r, &f->err), WMS_ECLOSED);
    assert_int_equal(fx_sql_int(f, "SELECT received FROM receipt_lines l JOIN items i ON "
                                   "i.id=l.item_id WHERE i.sku='A'"),
                     103);
    /* get still reads it. */
    assert_int_equal(wms_receipt_get(f->db, "ASN-7", &r, &f->err), 0);
    assert_string_equal(r.status, "closed");
}

static void test_tolerance_boundaries(void **state)
{
    fx *f = *state;
    wms_receipt_report r;
    wms_receipt_line lines[] = {{"A", 30}, {"B", 30}, {"C", 30}, {"D", 30}};
    assert_int_equal(wms_receipt_create(f->db, "T10", 10, lines, 4, &f->err), 4);
    /* 10% of 30 is 3: 33 and 27 are ok, 34 is over, 26 under. */
    assert_int_equal(wms_receipt_add(f->db, "T10", "A", 33, &f->err), 0);
    assert_int_equal(wms_receipt_add(f->db, "T10", "B", 27, &f->err), 0);
    assert_int_equal(wms_receipt_add(f->db, "T10", "C", 34, &f->err), 0);
    assert_int_equal(wms_receipt_add(f->db, "T10", "D", 26, &f->err), 0);
    assert_int_equal(wms_receipt_get(f->db, "T10", &r, &f->err), 0);
    assert_string_equal(line_of(&r, "A")->verdict, "ok");
    assert_string_equal(line_of(&r, "B")->verdict, "ok");
    assert_string_equal(line_of(&r, "C")->verdict, "over");
    assert_string_equal(line_of(&r, "D")->verdict, "under");
    /* Tolerance 0: only the exact quantity is ok. */
    wms_receipt_line one[] = {{"A", 10}, {"B", 10}};
    assert_int_equal(wms_receipt_create(f->db, "T0", 0, one, 2, &f->err), 2);
    assert_int_equal(wms_receipt_add(f->db, "T0", "A", 10, &f->err), 0);
    assert_int_equal(wms_receipt_add(f->db, "T0", "B", 11, &f->err), 0);
    assert_int_equal(wms_receipt_close(f->db, &who, "T0", &r, &f->err), 0);
    assert_string_equal(line_of(&r, "A")->verdict, "ok");
    assert_string_equal(line_of(&r, "B")->verdict, "over");
    /* A tolerance doubles cannot hold exactly: 0.1% of 1000 is 1. */
    wms_receipt_line big[] = {{"A", 1000}};
    assert_int_equal(wms_receipt_create(f->db, "T01", 0.1, big, 1, &f->err), 1);
    assert_int_equal(wms_receipt_add(f->db, "T01", "A", 1001, &f->err), 0);
    assert_int_equal(wms_receipt_get(f->db, "T01", &r, &f->err), 0);
    assert_string_equal(r.line[0].verdict, "ok");
}

static void test_add_errors(void **state)
{
    fx *f = *state;
    assert_int_equal(wms_receipt_create(f->db, "E1", 0, NULL, 0, &f->err), 0);
    assert_int_equal(wms_receipt_add(f->db, "NOPE", "A", 1, &f->err), WMS_ENOT_FOUND);
    assert_non_null(strstr(f->err.msg, "NOPE"));
    assert_int_equal(wms_receipt_add(f->db, "E1", "ZZZ", 1, &f->err), WMS_ENOT_FOUND);
    assert_int_equal(wms_receipt_add(f->db, "E1", "A", 0, &f->err), WMS_EBAD_QTY);
    assert_int_equal(wms_receipt_add(f->db, "E1", "A", -5, &f->err), WMS_EBAD_QTY);
    assert_int_equal(fx_sql_int(f, "SELECT count(*) FROM receipt_lines"), 0);
    /* An empty list: everything received is unexpected. */
    assert_int_equal(wms_receipt_add(f->db, "E1", "B", 2, &f->err), 0);
    wms_receipt_report r;
    assert_int_equal(wms_receipt_close(f->db, &who, "E1", &r, &f->err), 0);
    assert_int_equal(r.n_unexpected, 1);
    assert_int_equal(wms_receipt_close(f->db, &who, "NOPE", &r, &f->err), WMS_ENOT_FOUND);
}

/* The server's receive.scan: the stock booking and the receipt count in
 * one transaction; a closed receipt undoes the booking with it. */
static void test_with_stock_receive(void **state)
{
    fx *f = *state;
    wms_receipt_line lines[] = {{"A", 48}};
    assert_int_equal(wms_receipt_create(f->db, "ASN-S", 0, lines, 1, &f->err), 1);
    wms_receive_req req = {.bin = "P2", .code = "14006381333938", .mult = 2};
    wms_booking b;
    assert_int_equal(wms_tx_begin(f->db, &f->err), 0);
    assert_int_equal(wms_stock_receive(f->db, &who, &req, &b, &f->err), 0);
    assert_int_equal(wms_receipt_add(f->db, "ASN-S", b.sku, b.qty, &f->err), 0);
    assert_int_equal(wms_tx_commit(f->db, &f->err), 0);
    wms_receipt_report r;
    assert_int_equal(wms_receipt_close(f->db, &who, "ASN-S", &r, &f->err), 0);
    assert_int_equal(r.line[0].received, 48);
    assert_string_equal(r.line[0].verdict, "ok");

    assert_int_equal(wms_tx_begin(f->db, &f->err), 0);
    assert_int_equal(wms_stock_receive(f->db, &who, &req, &b, &f->err), 0);
    assert_int_equal(wms_receipt_add(f->db, "ASN-S", b.sku, b.qty, &f->err), WMS_ECLOSED);
    wms_tx_rollback(f->db);
    assert_int_equal(fx_qty(f, "P2", "A"), 48);
    assert_int_equal(wms_stock_verify(f->db, NULL, NULL, &f->err), 0);
}

static void test_report_cap(void **state)
{
    fx *f = *state;
    /* More lines than a report carries: counts cover all, line[] is capped
     * and lists the lines that are not ok first. */
    char sql[128];
    sqlite3 *s;
    assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
    assert_int_equal(sqlite3_exec(s, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    for (int i = 0; i < 300; i++) {
        snprintf(sql, sizeof(sql), "INSERT INTO items(sku) VALUES ('K%03d')", i);
        assert_int_equal(sqlite3_exec(s, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    assert_int_equal(sqlite3_exec(s, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(s);
    wms_receipt_line lines[300];
    char skus[300][8];
    for (int i = 0; i < 300; i++) {
        snprintf(skus[i], sizeof(skus[i]), "K%03d", i);
        lines[i].sku = skus[i];
        lines[i].expected = 1;
    }
    assert_int_equal(wms_receipt_create(f->db, "BIG", 0, lines, 300, &f->err), 300);
    for (int i = 0; i < 290; i++)
        assert_int_equal(wms_receipt_add(f->db, "BIG", skus[i], 1, &f->err), 0);
    wms_receipt_report *r = malloc(sizeof(*r));
    assert_non_null(r);
    assert_int_equal(wms_receipt_get(f->db, "BIG", r, &f->err), 0);
    assert_int_equal(r->lines, 300);
    assert_int_equal(r->n, WMS_RECEIPT_REPORT_LINES);
    assert_int_equal(r->n_ok, 290);
    assert_int_equal(r->n_under, 10);
    assert_string_equal(r->line[0].sku, "K290");
    assert_string_equal(r->line[9].sku, "K299");
    assert_string_equal(r->line[10].sku, "K000");
    assert_string_equal(r->line[10].verdict, "ok");
    free(r);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_and_errors), T(test_verdicts_and_close), T(test_tolerance_boundaries),
        T(test_add_errors),        T(test_with_stock_receive), T(test_report_cap),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
