/* test_gs1.c - GS1 parser: plain GTINs, element strings, bracket form,
 * dates, check digits, JSON, RCNs.
 *
 * Check digits used below, computed by hand (weights 3,1,3,... from the
 * rightmost data digit; check = (10 - sum mod 10) mod 10):
 *  - 950110153000|3 (GS1 example GTIN-13 9501101530003, GTIN-14 09501101530003):
 *      reversed 0,0,0,3,5,1,0,1,1,0,5,9 -> 0+0+0+3+15+1+0+1+3+0+15+9 = 47 -> 3
 *  - 1950110153000|0 (GTIN-14, indicator 1):
 *      reversed 0,0,0,3,5,1,0,1,1,0,5,9,1 -> 47 + 1*3 = 50 -> 0
 *  - 8950110153000|9 (GTIN-14, indicator 8): 47 + 8*3 = 71 -> 9
 *  - 03600029145|2 (UPC-A 036000291452):
 *      reversed 5,4,1,9,2,0,0,0,6,3,0 -> 15+4+3+9+6+0+0+0+18+3+0 = 58 -> 2
 *  - 9501013|7 (EAN-8 95010137):
 *      reversed 3,1,0,1,0,5,9 -> 9+1+0+1+0+5+27 = 43 -> 7
 *  - 10614141123456789|7 (GS1 example SSCC 106141411234567897):
 *      reversed 9,8,7,6,5,4,3,2,1,1,4,1,4,1,6,0,1 ->
 *      27+8+21+6+15+4+9+2+3+1+12+1+12+1+18+0+3 = 143 -> 7
 *  - 200000001234|6 (RCN "20", seq 1234):
 *      reversed 4,3,2,1,0,0,0,0,0,0,0,2 -> 12+3+6+1+0+0+0+0+0+0+0+2 = 24 -> 6
 *  - 020000000000|4 (RCN "02", seq 0): reversed ...,2,0 -> 2*3 = 6 -> 4
 *  - 950110102001|6 (a GLN for AI 414):
 *      reversed 1,0,0,2,0,1,0,1,1,0,5,9 -> 3+0+0+2+0+1+0+1+3+0+15+9 = 34 -> 6
 */
#include "helpers.h"

#include "domain/gs1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GS "\x1d"
#define GTIN13 "9501101530003"
#define GTIN14 "09501101530003"
#define SSCC "106141411234567897"

static const wms_gs1_opts opts2025 = {0, 2025};

static int parse_with(const char *s, const wms_gs1_opts *o, wms_gs1 *g, wms_error *e)
{
    wms_error_clear(e);
    return wms_gs1_parse(s, strlen(s), o, g, e);
}

static int parse(const char *s, wms_gs1 *g, wms_error *e)
{
    return parse_with(s, &opts2025, g, e);
}

/* Parses `s` expecting failure `code` with exactly the message `msg`. */
static void expect_error(const char *s, int code, const char *msg)
{
    wms_gs1 g;
    wms_error e;
    int rc = parse(s, &g, &e);
    if (rc != code || strcmp(e.msg, msg) != 0)
        print_error("input \"%s\": rc %d, message \"%s\"\n", s, rc, e.msg);
    assert_int_equal(rc, code);
    assert_int_equal(e.code, code);
    assert_string_equal(e.msg, msg);
    /* On failure nothing half-parsed is left behind. */
    assert_int_equal(g.n_ais, 0);
    assert_string_equal(g.gtin, "");
    assert_string_equal(g.symbology, "");
}

/* Parses `s` (with AI 17 as the only date) and checks the expiry. */
static void expect_expiry(const char *s, int year, const char *expiry)
{
    wms_gs1_opts o = {0, year};
    wms_gs1 g;
    wms_error e;
    int rc = parse_with(s, &o, &g, &e);
    if (rc != 0)
        print_error("input \"%s\": %s\n", s, e.msg);
    assert_int_equal(rc, 0);
    assert_string_equal(g.expiry, expiry);
}

static void test_check_digit(void **state)
{
    (void)state;
    assert_int_equal(wms_gs1_check_digit("950110153000", 12), 3);
    assert_int_equal(wms_gs1_check_digit("0950110153000", 13), 3);
    assert_int_equal(wms_gs1_check_digit("9501013", 7), 7);
    assert_int_equal(wms_gs1_check_digit("03600029145", 11), 2);
    assert_int_equal(wms_gs1_check_digit("10614141123456789", 17), 7);
    assert_int_equal(wms_gs1_check_digit("95011O153000", 12), -1);
    assert_int_equal(wms_gs1_check_digit(NULL, 3), -1);
    assert_true(wms_gs1_check_valid(GTIN13, 13));
    assert_true(wms_gs1_check_valid(GTIN14, 14));
    assert_true(wms_gs1_check_valid(SSCC, 18));
    assert_false(wms_gs1_check_valid("9501101530004", 13));
    assert_false(wms_gs1_check_valid("950110153000X", 13));
    assert_false(wms_gs1_check_valid("0", 1));
    assert_false(wms_gs1_check_valid(NULL, 13));
    /* Only the first n digits count. */
    assert_true(wms_gs1_check_valid("95010137999", 8));
}

static void test_plain_gtins(void **state)
{
    (void)state;
    static const struct {
        const char *in, *sym, *gtin;
    } cases[] = {
        {"95010137", "ean8", "00000095010137"},
        {"036000291452", "upca", "00036000291452"},
        {GTIN13, "ean13", GTIN14},
        {GTIN14, "gtin14", GTIN14},
        {"19501101530000", "gtin14", "19501101530000"},
        {"89501101530009", "gtin14", "89501101530009"}, /* indicator 8: still a GTIN */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wms_gs1 g;
        wms_error e;
        assert_int_equal(parse(cases[i].in, &g, &e), 0);
        assert_string_equal(g.symbology, cases[i].sym);
        assert_string_equal(g.gtin, cases[i].gtin);
        assert_int_equal(g.n_ais, 0);
        assert_string_equal(g.lot, "");
        assert_false(g.has_count);
    }
}

static void test_plain_bad_check(void **state)
{
    (void)state;
    expect_error("95010138", WMS_EBAD_CHECK_DIGIT, "EAN-8 at position 1: check digit should be 7");
    expect_error("036000291453", WMS_EBAD_CHECK_DIGIT,
                 "UPC-A at position 1: check digit should be 2");
    expect_error("9501101530004", WMS_EBAD_CHECK_DIGIT,
                 "EAN-13 at position 1: check digit should be 3");
    expect_error("19501101530001", WMS_EBAD_CHECK_DIGIT,
                 "GTIN-14 at position 1: check digit should be 0");
    /* A swapped pair of digits is caught too. */
    /* 950110135000: reversed 0,0,0,5,3,1,0,1,1,0,5,9 -> 0+0+0+5+9+1+0+1+3+0+15+9 = 43 -> 7 */
    expect_error("9501101350003", WMS_EBAD_CHECK_DIGIT,
                 "EAN-13 at position 1: check digit should be 7");
}

static void test_aim_plain(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("]E0" GTIN13, &g, &e), 0);
    assert_string_equal(g.symbology, "ean13");
    assert_string_equal(g.gtin, GTIN14);
    /* UPC-A arrives under ]E0 as 13 digits with a leading 0. */
    assert_int_equal(parse("]E00036000291452", &g, &e), 0);
    assert_string_equal(g.symbology, "ean13");
    assert_string_equal(g.gtin, "00036000291452");
    assert_int_equal(parse("]E495010137", &g, &e), 0);
    assert_string_equal(g.symbology, "ean8");
    assert_string_equal(g.gtin, "00000095010137");
    assert_int_equal(parse("]I119501101530000", &g, &e), 0);
    assert_string_equal(g.symbology, "itf14");
    assert_string_equal(g.gtin, "19501101530000");
    assert_int_equal(g.n_ais, 0);
    /* EAN-13 with a 2-digit add-on: the main GTIN is kept. */
    assert_int_equal(parse("]E3" GTIN13 "12", &g, &e), 0);
    assert_string_equal(g.symbology, "ean13");
    assert_string_equal(g.gtin, GTIN14);

    expect_error("]E09501101530004", WMS_EBAD_CHECK_DIGIT,
                 "EAN-13 at position 4: check digit should be 3");
    expect_error("]I119501101530003", WMS_EBAD_CHECK_DIGIT,
                 "ITF-14 at position 4: check digit should be 0");
    expect_error("]E0036000291452", WMS_EBAD_BARCODE,
                 "]E0 (EAN-13/UPC-A) needs 13 digits, got 12 characters");
    expect_error("]E495010A37", WMS_EBAD_BARCODE,
                 "EAN-8 at position 4: character 'A' at position 9 is not a digit");
}

static void test_other_gs1_symbologies(void **state)
{
    (void)state;
    static const struct {
        const char *prefix, *sym;
    } cases[] = {
        {"]C1", "gs1-128"}, {"]d2", "gs1-datamatrix"}, {"]e0", "gs1-databar"},
        {"]Q3", "gs1-qr"},  {"]J1", "gs1-dotcode"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char in[64];
        snprintf(in, sizeof(in), "%s01%s", cases[i].prefix, GTIN14);
        wms_gs1 g;
        wms_error e;
        assert_int_equal(parse(in, &g, &e), 0);
        assert_string_equal(g.symbology, cases[i].sym);
        assert_int_equal(g.n_ais, 1);
        assert_string_equal(g.ais[0].ai, "01");
        assert_string_equal(g.gtin, GTIN14);
    }
}

static void test_non_gs1_symbologies(void **state)
{
    (void)state;
    expect_error("]C0ABC123", WMS_EBAD_BARCODE, "symbology identifier ]C0: not a GS1 symbol");
    expect_error("]d1"
                 "01" GTIN14,
                 WMS_EBAD_BARCODE, "symbology identifier ]d1: not a GS1 symbol");
    expect_error("]Q1https://example.com", WMS_EBAD_BARCODE,
                 "symbology identifier ]Q1: not a GS1 symbol");
    expect_error("]I012345678", WMS_EBAD_BARCODE, "symbology identifier ]I0: not a GS1 symbol");
    expect_error("]A0CODE39", WMS_EBAD_BARCODE, "symbology identifier ]A0: not a GS1 symbol");
    expect_error("]C", WMS_EBAD_BARCODE, "incomplete symbology identifier at position 1");
    expect_error("]C1", WMS_EBAD_BARCODE, "no GS1 data after position 3");
}

static void test_gs1_128_with_separators(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    /* ]C1 01 <gtin> 17 260731 10 AB12 GS 21 XYZ */
    assert_int_equal(parse("]C101" GTIN14 "17260731"
                           "10AB12" GS "21XYZ",
                           &g, &e),
                     0);
    assert_string_equal(g.symbology, "gs1-128");
    assert_int_equal(g.n_ais, 4);
    assert_string_equal(g.ais[0].ai, "01");
    assert_string_equal(g.ais[0].value, GTIN14);
    assert_string_equal(g.ais[1].ai, "17");
    assert_string_equal(g.ais[1].value, "260731");
    assert_string_equal(g.ais[2].ai, "10");
    assert_string_equal(g.ais[2].value, "AB12");
    assert_string_equal(g.ais[3].ai, "21");
    assert_string_equal(g.ais[3].value, "XYZ");
    assert_string_equal(g.gtin, GTIN14);
    assert_string_equal(g.expiry, "2026-07-31");
    assert_string_equal(g.lot, "AB12");
    assert_string_equal(g.serial, "XYZ");
    assert_string_equal(g.sscc, "");

    /* Some scanners send the leading FNC1 as GS too; a trailing one is harmless. */
    assert_int_equal(parse(GS "01" GTIN14 "10L1" GS, &g, &e), 0);
    assert_string_equal(g.symbology, "gs1-element-string");
    assert_int_equal(g.n_ais, 2);
    assert_string_equal(g.lot, "L1");
    /* A GS after a predefined-length AI is allowed (just unnecessary). */
    assert_int_equal(parse("]C101" GTIN14 GS "17260731" GS "10L1", &g, &e), 0);
    assert_int_equal(g.n_ais, 3);
    /* Two separators in a row leave an empty element. */
    expect_error("]C110L1" GS GS "21S", WMS_EBAD_BARCODE,
                 "position 9: separator where an AI should start");
}

static void test_datamatrix(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("]d201" GTIN14 "10LOT-7/A" GS "17280229"
                           "21S-001",
                           &g, &e),
                     0);
    assert_string_equal(g.symbology, "gs1-datamatrix");
    assert_int_equal(g.n_ais, 4);
    assert_string_equal(g.lot, "LOT-7/A");
    assert_string_equal(g.expiry, "2028-02-29"); /* 2028 is a leap year */
    assert_string_equal(g.serial, "S-001");
    /* 2027 is not. */
    expect_error("]d201" GTIN14 "17270229", WMS_EBAD_BARCODE,
                 "AI 17 at position 20: 270229 is not a valid date (day 29, February 2027 has 28 "
                 "days)");
}

static void test_bracketed(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("(01)09501101530003(17)260731(10)AB12", &g, &e), 0);
    assert_string_equal(g.symbology, "gs1-bracketed");
    assert_int_equal(g.n_ais, 3);
    assert_string_equal(g.gtin, GTIN14);
    assert_string_equal(g.expiry, "2026-07-31");
    assert_string_equal(g.lot, "AB12");
    /* Variable AI in the middle, 4-digit AI, escaped '(' in a value. */
    assert_int_equal(parse("(10)A\\(1)(3103)001250(21)X", &g, &e), 0);
    assert_string_equal(g.lot, "A(1)");
    assert_true(g.has_net_weight);
    assert_string_equal(g.serial, "X");

    expect_error("(01)0950110153000(10)A", WMS_EBAD_BARCODE,
                 "AI 01 at position 2: value is 13 characters, needs 14");
    expect_error("(17)2607310(10)A", WMS_EBAD_BARCODE,
                 "AI 17 at position 2: value is 7 characters, needs 6");
    expect_error("(011)1", WMS_EBAD_BARCODE, "unknown AI 011 at position 2");
    expect_error("(01" GTIN14, WMS_EBAD_BARCODE,
                 "position 2: expected an AI of 2 to 4 digits and ')'");
    expect_error("(10)", WMS_EBAD_BARCODE, "AI 10 at position 2: value is empty");
    expect_error("(01)09501101530004", WMS_EBAD_CHECK_DIGIT,
                 "AI 01 at position 2: check digit should be 3");
    expect_error("(10)A" GS "B", WMS_EBAD_BARCODE,
                 "AI 10 at position 2: character 0x1D at position 6 is not allowed");
}

static void test_substitute_separator(void **state)
{
    (void)state;
    wms_gs1_opts o = {'|', 2025};
    wms_gs1 g;
    wms_error e;
    const char *in = "01" GTIN14 "10ABC|21S1";
    assert_int_equal(parse_with(in, &o, &g, &e), 0);
    assert_int_equal(g.n_ais, 3);
    assert_string_equal(g.lot, "ABC");
    assert_string_equal(g.serial, "S1");
    /* Real GS still works alongside the substitute. */
    assert_int_equal(parse_with("01" GTIN14 "10ABC" GS "21S1", &o, &g, &e), 0);
    assert_string_equal(g.serial, "S1");
    /* Without the option '|' is just a bad character in the lot. */
    expect_error(in, WMS_EBAD_BARCODE,
                 "AI 10 at position 17: character '|' at position 22 is not allowed");
    /* A letter or digit cannot be a separator. */
    wms_gs1_opts bad = {'A', 2025};
    assert_int_equal(parse_with(in, &bad, &g, &e), WMS_EBAD_ARGS);
}

static void test_raw_e8_fnc1(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("\xe8"
                           "01" GTIN14 "10ABC\xe8"
                           "21S1",
                           &g, &e),
                     0);
    assert_string_equal(g.symbology, "gs1-element-string");
    assert_int_equal(g.n_ais, 3);
    assert_string_equal(g.lot, "ABC");
    assert_string_equal(g.serial, "S1");
    assert_int_equal(parse("]d210ABC\xe8"
                           "17260731",
                           &g, &e),
                     0);
    assert_string_equal(g.lot, "ABC");
    assert_string_equal(g.expiry, "2026-07-31");
}

static void test_fixed_then_next_without_separator(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("01" GTIN14 "17260731"
                           "3103001250"
                           "11250115"
                           "10L1",
                           &g, &e),
                     0);
    assert_int_equal(g.n_ais, 5);
    assert_string_equal(g.ais[2].ai, "3103");
    assert_string_equal(g.ais[2].value, "001250");
    assert_string_equal(g.expiry, "2026-07-31");
    assert_string_equal(g.production_date, "2025-01-15");
    assert_string_equal(g.lot, "L1");
    /* AI 41x is predefined (13 digits) too. */
    assert_int_equal(parse("414950110102001610X", &g, &e), 0);
    assert_string_equal(g.ais[0].ai, "414");
    assert_string_equal(g.ais[0].value, "9501101020016");
    assert_string_equal(g.lot, "X");
    expect_error("4149501101020017", WMS_EBAD_CHECK_DIGIT,
                 "AI 414 at position 1: check digit should be 6");
}

static void test_variable_last_without_separator(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("]C101" GTIN14 "21SERIAL-20", &g, &e), 0);
    assert_string_equal(g.serial, "SERIAL-20");
    /* Exactly 20 characters is the maximum. */
    assert_int_equal(parse("]C110ABCDEFGHIJKLMNOPQRST", &g, &e), 0);
    assert_string_equal(g.lot, "ABCDEFGHIJKLMNOPQRST");
    assert_int_equal(parse("400PO-123/45", &g, &e), 0);
    assert_string_equal(g.order_number, "PO-123/45");
}

static void test_missing_separator(void **state)
{
    (void)state;
    /* The GS after the lot was dropped: 10 swallows 17... and 21... */
    expect_error("]C101" GTIN14 "10ABCDEFGHIJ"
                 "17260731"
                 "21SERIAL1234",
                 WMS_EBAD_BARCODE, "AI 10 at position 20: value is 30 characters, at most 20");
    expect_error("]C121ABCDEFGHIJKLMNOPQRSTU", WMS_EBAD_BARCODE,
                 "AI 21 at position 4: value is 21 characters, at most 20");
    /* Numeric variable AI swallowing what follows. */
    expect_error("3712345678"
                 "01" GTIN14,
                 WMS_EBAD_BARCODE, "AI 37 at position 1: value is 24 characters, at most 8");
}

static void test_day_00(void **state)
{
    (void)state;
    expect_expiry("]C117240200", 2025, "2024-02-29"); /* leap year */
    expect_expiry("]C117250200", 2025, "2025-02-28"); /* not a leap year */
    expect_expiry("]C117000200", 2025, "2000-02-29"); /* divisible by 400 */
    expect_expiry("]C117250400", 2025, "2025-04-30");
    expect_expiry("]C117251200", 2025, "2025-12-31");
    /* Year 2100 (d = 0 - 95 = -95: next century) is not a leap year. */
    expect_expiry("]C117000200", 2095, "2100-02-28");
    /* Day 00 is not allowed for first freeze date (AI 7006). */
    expect_error("]C17006250200", WMS_EBAD_BARCODE,
                 "AI 7006 at position 4: 250200 is not a valid date (day 00)");
}

static void test_century_rule(void **state)
{
    (void)state;
    /* current year 2025: d = YY - 25 */
    expect_expiry("]C117750101", 2025, "2075-01-01"); /* d = 50: current century */
    expect_expiry("]C117760101", 2025, "1976-01-01"); /* d = 51: previous century */
    expect_expiry("]C117250101", 2025, "2025-01-01");
    /* current year 2090: d = YY - 90 */
    expect_expiry("]C117400101", 2090, "2140-01-01"); /* d = -50: next century */
    expect_expiry("]C117410101", 2090, "2041-01-01"); /* d = -49: current century */
    /* extremes */
    expect_expiry("]C117990101", 2000, "1999-01-01"); /* d = 99 */
    expect_expiry("]C117000101", 2099, "2100-01-01"); /* d = -99 */
    /* A nonsense current year is an argument error. */
    wms_gs1_opts o = {0, 99};
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse_with("]C117250101", &o, &g, &e), WMS_EBAD_ARGS);
}

static void test_invalid_dates(void **state)
{
    (void)state;
    expect_error("]C101" GTIN14 "17261340", WMS_EBAD_BARCODE,
                 "AI 17 at position 20: 261340 is not a valid date (month 13)");
    expect_error("]C117260032", WMS_EBAD_BARCODE,
                 "AI 17 at position 4: 260032 is not a valid date (month 00)");
    expect_error("]C115260132", WMS_EBAD_BARCODE,
                 "AI 15 at position 4: 260132 is not a valid date (day 32)");
    expect_error("]C111260431", WMS_EBAD_BARCODE,
                 "AI 11 at position 4: 260431 is not a valid date (day 31, April 2026 has 30 "
                 "days)");
    expect_error("]C113260230", WMS_EBAD_BARCODE,
                 "AI 13 at position 4: 260230 is not a valid date (day 30, February 2026 has 28 "
                 "days)");
    expect_error("]C116000000", WMS_EBAD_BARCODE,
                 "AI 16 at position 4: 000000 is not a valid date (month 00)");
    expect_error("]C17003260101"
                 "2460",
                 WMS_EBAD_BARCODE,
                 "AI 7003 at position 4: 2601012460 is not a valid date and time (hour 24)");
    /* Dates that are fine: packaging and best before are decoded. */
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("]C113260101"
                           "15260229",
                           &g, &e),
                     WMS_EBAD_BARCODE);
    assert_int_equal(parse("]C113260101"
                           "15280229"
                           "7003"
                           "2601012359",
                           &g, &e),
                     0);
    assert_string_equal(g.packaging_date, "2026-01-01");
    assert_string_equal(g.best_before, "2028-02-29");
}

static void test_net_weight(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        double kg;
    } cases[] = {
        {"]C13103001250", 1.25},    {"]C13102001250", 12.5},    {"]C13100000012", 12.0},
        {"]C13105123456", 1.23456}, {"]C13101999999", 99999.9}, {"]C13104000000", 0.0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        wms_gs1 g;
        wms_error e;
        assert_int_equal(parse(cases[i].in, &g, &e), 0);
        assert_true(g.has_net_weight);
        assert_float_equal(g.net_weight_kg, cases[i].kg, 1e-9);
    }
    expect_error("]C13106001250", WMS_EBAD_BARCODE, "unknown AI 3106 at position 4");
    expect_error("]C1310300125", WMS_EBAD_BARCODE,
                 "AI 3103 at position 4: value is truncated (5 of 6 digits)");
    /* Other measures parse but are not decoded as net weight. */
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("]C13302001250"
                           "3203000100",
                           &g, &e),
                     0);
    assert_int_equal(g.n_ais, 2);
    assert_false(g.has_net_weight);
    /* The same weight twice in two encodings is fine; two weights are not. */
    assert_int_equal(parse("]C13102000125"
                           "3103001250",
                           &g, &e),
                     0);
    assert_float_equal(g.net_weight_kg, 1.25, 1e-9);
    expect_error("]C13102000125"
                 "3103001251",
                 WMS_EBAD_BARCODE,
                 "AI 3103 at position 14: net weight differs from an earlier AI 310n");
}

static void test_content_and_count(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    /* (02) + (37) without the SSCC: association rules are not enforced. */
    assert_int_equal(parse("]C102" GTIN14 "3712", &g, &e), 0);
    assert_string_equal(g.content_gtin, GTIN14);
    assert_string_equal(g.gtin, "");
    assert_true(g.has_count);
    assert_int_equal(g.count, 12);
    assert_int_equal(parse("]C101" GTIN14 "3099999999", &g, &e), 0);
    assert_true(g.has_count);
    assert_int_equal(g.count, 99999999);
    /* AI 37 wins over AI 30 whichever comes first. */
    assert_int_equal(parse("]C13012" GS "375", &g, &e), 0);
    assert_int_equal(g.count, 5);
    assert_int_equal(parse("]C1375" GS "3012", &g, &e), 0);
    assert_int_equal(g.count, 5);
    expect_error("]C137" GS "02" GTIN14, WMS_EBAD_BARCODE, "AI 37 at position 4: value is empty");
}

static void test_sscc(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("00" SSCC, &g, &e), 0);
    assert_string_equal(g.symbology, "gs1-element-string");
    assert_string_equal(g.sscc, SSCC);
    assert_int_equal(parse("]C100" SSCC "02" GTIN14 "3748", &g, &e), 0);
    assert_string_equal(g.sscc, SSCC);
    assert_int_equal(g.count, 48);
    expect_error("00106141411234567890", WMS_EBAD_CHECK_DIGIT,
                 "AI 00 at position 1: check digit should be 7");
    expect_error("]C101" GTIN14 "02"
                 "09501101530004",
                 WMS_EBAD_CHECK_DIGIT, "AI 02 at position 20: check digit should be 3");
}

static void test_invalid_characters(void **state)
{
    (void)state;
    expect_error("10AB 12", WMS_EBAD_BARCODE,
                 "AI 10 at position 1: character ' ' at position 5 is not allowed");
    expect_error("]C121A#1", WMS_EBAD_BARCODE,
                 "AI 21 at position 4: character '#' at position 7 is not allowed");
    expect_error("]C110A~", WMS_EBAD_BARCODE,
                 "AI 10 at position 4: character '~' at position 7 is not allowed");
    expect_error("]C110A\x01Z", WMS_EBAD_BARCODE,
                 "AI 10 at position 4: character 0x01 at position 7 is not allowed");
    expect_error("]C117ab0731", WMS_EBAD_BARCODE,
                 "AI 17 at position 4: character 'a' at position 6 is not allowed (digits only)");
    expect_error("]C1301A", WMS_EBAD_BARCODE,
                 "AI 30 at position 4: character 'A' at position 7 is not allowed (digits only)");
    /* Every one of the 82 characters is accepted in an X field (3 fields). */
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("]C1"
                           "2400123456789ABCDEFGHIJKLMNOPQRS" GS
                           "241TUVWXYZabcdefghijklmnopqrstuvw" GS "250xyz!\"%&'()*+,-./:;<=>?_",
                           &g, &e),
                     0);
    assert_int_equal(g.n_ais, 3);
    assert_string_equal(g.ais[2].value, "xyz!\"%&'()*+,-./:;<=>?_");
}

static void test_unknown_ai(void **state)
{
    (void)state;
    expect_error("2612345", WMS_EBAD_BARCODE, "unknown AI 26 at position 1");
    expect_error("]C101" GTIN14 "2612", WMS_EBAD_BARCODE, "unknown AI 26 at position 20");
    expect_error("]C1419"
                 "9501101020016",
                 WMS_EBAD_BARCODE, "unknown AI 419 at position 4");
    expect_error("ABC-123", WMS_EBAD_BARCODE,
                 "position 1: expected an AI (digits), found character 'A'");
    expect_error("]C140", WMS_EBAD_BARCODE, "position 4: data ends inside an AI (40)");
    /* AIs 91-99 (company internal) are known. */
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("99ABC", &g, &e), 0);
    assert_string_equal(g.ais[0].ai, "99");
    assert_string_equal(g.ais[0].value, "ABC");
}

static void test_truncated_fixed(void **state)
{
    (void)state;
    expect_error("]C10109501101530", WMS_EBAD_BARCODE,
                 "AI 01 at position 4: value is truncated (11 of 14 digits)");
    expect_error("01" GTIN14 "172607", WMS_EBAD_BARCODE,
                 "AI 17 at position 17: value is truncated (4 of 6 digits)");
    /* A separator inside a predefined-length field cuts it short. */
    expect_error("0109501101" GS "10A", WMS_EBAD_BARCODE,
                 "AI 01 at position 1: value is truncated (8 of 14 digits)");
}

static void test_too_long_input(void **state)
{
    (void)state;
    char buf[WMS_GS1_MAX_INPUT + 2];
    wms_gs1 g;
    wms_error e;
    /* Exactly the limit (mostly padding that gets trimmed) is accepted. */
    memset(buf, ' ', sizeof(buf));
    memcpy(buf + WMS_GS1_MAX_INPUT - 13, GTIN13, 13);
    assert_int_equal(wms_gs1_parse(buf, WMS_GS1_MAX_INPUT, &opts2025, &g, &e), 0);
    assert_string_equal(g.gtin, GTIN14);
    /* One more byte is refused. */
    assert_int_equal(wms_gs1_parse(buf, WMS_GS1_MAX_INPUT + 1, &opts2025, &g, &e), WMS_ETOO_LARGE);
    assert_int_equal(e.code, WMS_ETOO_LARGE);
}

static void test_too_many_ais(void **state)
{
    (void)state;
    static const char *const fields[] = {
        "10A",   "21B",   "22C",   "240D",  "241E",  "250F",  "251G",  "400H",  "401I",
        "403J",  "420K",  "7002L", "7005M", "7020N", "7021O", "7022P", "7023Q", "8002R",
        "8004S", "8012T", "90U",   "91V",   "92W",   "93X",   "94Y",
    };
    char buf[400];
    size_t n = 0;
    wms_gs1 g;
    wms_error e;
    for (size_t i = 0; i < 24; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s" GS, fields[i]);
    assert_int_equal(wms_gs1_parse(buf, n, &opts2025, &g, &e), 0);
    assert_int_equal(g.n_ais, WMS_GS1_MAX_AIS);
    assert_string_equal(g.ais[23].ai, "93");
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s", fields[24]);
    assert_int_equal(wms_gs1_parse(buf, n, &opts2025, &g, &e), WMS_ETOO_LARGE);
    assert_non_null(strstr(e.msg, "AI 94"));
    assert_non_null(strstr(e.msg, "more than 24 AIs"));
}

static void test_duplicates(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("10ABC" GS "10ABC", &g, &e), 0);
    assert_int_equal(g.n_ais, 1);
    assert_string_equal(g.lot, "ABC");
    expect_error("10ABC" GS "10ABD", WMS_EBAD_BARCODE,
                 "AI 10 at position 7: appears twice with different values (ABC and ABD)");
    expect_error("(17)260731(17)260801", WMS_EBAD_BARCODE,
                 "AI 17 at position 12: appears twice with different values (260731 and 260801)");
}

static void test_trimming(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    assert_int_equal(parse("  \r\n" GTIN13 "\r\n", &g, &e), 0);
    assert_string_equal(g.symbology, "ean13");
    assert_string_equal(g.gtin, GTIN14);
    assert_int_equal(parse("\t]C110L1\r\n", &g, &e), 0);
    assert_string_equal(g.lot, "L1");
    /* Positions count from the first non-blank character. */
    expect_error("   ]C10109501101530004\n", WMS_EBAD_CHECK_DIGIT,
                 "AI 01 at position 4: check digit should be 3");
    expect_error(" \r\n\t ", WMS_EBAD_BARCODE, "the barcode is empty");
    expect_error("", WMS_EBAD_BARCODE, "the barcode is empty");
}

static void test_not_nul_terminated(void **state)
{
    (void)state;
    /* An exactly-sized heap copy: ASan catches any read past `len`. */
    const char *srcs[] = {
        GTIN13, "]C101" GTIN14 "10AB", "(01)" GTIN14 "(10)X", "]C117", "]C13103", "(", "]", "(10",
        "0"};
    for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
        size_t n = strlen(srcs[i]);
        char *p = malloc(n);
        assert_non_null(p);
        memcpy(p, srcs[i], n);
        wms_gs1 g;
        wms_error e;
        int rc = wms_gs1_parse(p, n, &opts2025, &g, &e);
        assert_true(rc == 0 || rc == WMS_EBAD_BARCODE);
        free(p);
    }
    /* Only `len` bytes are looked at. */
    wms_gs1 g;
    wms_error e;
    assert_int_equal(wms_gs1_parse(GTIN13 "99999", 13, &opts2025, &g, &e), 0);
    assert_string_equal(g.gtin, GTIN14);
}

static void test_bad_args(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    assert_int_equal(wms_gs1_parse(GTIN13, 13, &opts2025, NULL, &e), WMS_EBAD_ARGS);
    assert_int_equal(wms_gs1_parse(NULL, 5, &opts2025, &g, &e), WMS_EBAD_ARGS);
    assert_int_equal(wms_gs1_parse(NULL, 0, &opts2025, &g, &e), WMS_EBAD_BARCODE);
    /* NULL opts and NULL err are fine; the century then follows today's date. */
    assert_int_equal(wms_gs1_parse("]C117260731", 11, NULL, &g, NULL), 0);
    assert_int_equal(strlen(g.expiry), 10);
    assert_string_equal(g.expiry + 4, "-07-31");
    assert_int_equal(wms_gs1_parse("]C117261331", 11, NULL, &g, NULL), WMS_EBAD_BARCODE);
}

static void test_json(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    char buf[1024];

    assert_int_equal(parse("(01)09501101530003(17)260731(10)AB12", &g, &e), 0);
    const char *want1 = "{\"symbology\":\"gs1-bracketed\",\"ais\":{\"01\":\"09501101530003\","
                        "\"17\":\"260731\",\"10\":\"AB12\"},\"gtin\":\"09501101530003\","
                        "\"lot\":\"AB12\",\"expiry\":\"2026-07-31\"}";
    assert_int_equal(wms_gs1_to_json(&g, buf, sizeof(buf)), (int)strlen(want1));
    assert_string_equal(buf, want1);

    assert_int_equal(parse("00" SSCC "02" GTIN14 "3712" GS "3103001250", &g, &e), 0);
    const char *want2 = "{\"symbology\":\"gs1-element-string\",\"ais\":{\"00\":\"" SSCC
                        "\",\"02\":\"09501101530003\",\"37\":\"12\",\"3103\":\"001250\"},"
                        "\"content_gtin\":\"09501101530003\",\"count\":12,"
                        "\"sscc\":\"" SSCC "\",\"net_weight_kg\":1.25}";
    assert_int_equal(wms_gs1_to_json(&g, buf, sizeof(buf)), (int)strlen(want2));
    assert_string_equal(buf, want2);

    assert_int_equal(parse(GTIN13, &g, &e), 0);
    const char *want3 = "{\"symbology\":\"ean13\",\"ais\":{},\"gtin\":\"09501101530003\"}";
    assert_int_equal(wms_gs1_to_json(&g, buf, sizeof(buf)), (int)strlen(want3));
    assert_string_equal(buf, want3);

    /* A '"' is a legal GS1 character and must be escaped. */
    assert_int_equal(parse("10A\"B" GS "3105000001"
                           "11250100",
                           &g, &e),
                     0);
    const char *want4 = "{\"symbology\":\"gs1-element-string\",\"ais\":{\"10\":\"A\\\"B\","
                        "\"3105\":\"000001\",\"11\":\"250100\"},\"lot\":\"A\\\"B\","
                        "\"production_date\":\"2025-01-31\",\"net_weight_kg\":0.00001}";
    assert_int_equal(wms_gs1_to_json(&g, buf, sizeof(buf)), (int)strlen(want4));
    assert_string_equal(buf, want4);

    /* Backslash and control characters in a hand-filled struct. */
    memset(&g, 0, sizeof(g));
    strcpy(g.symbology, "x\\y");
    strcpy(g.serial, "a\x01\n\x7f");
    g.has_count = true;
    g.count = -3;
    const char *want5 =
        "{\"symbology\":\"x\\\\y\",\"ais\":{},\"serial\":\"a\\u0001\\u000A\\u007F\",\"count\":-3}";
    assert_int_equal(wms_gs1_to_json(&g, buf, sizeof(buf)), (int)strlen(want5));
    assert_string_equal(buf, want5);

    /* Buffer sizes: exactly enough works, one less is TOO_LARGE. */
    size_t need = strlen(want5) + 1;
    char small[128];
    assert_true(need <= sizeof(small));
    assert_int_equal(wms_gs1_to_json(&g, small, need), (int)need - 1);
    assert_string_equal(small, want5);
    assert_int_equal(wms_gs1_to_json(&g, small, need - 1), WMS_ETOO_LARGE);
    assert_string_equal(small, "");
    assert_int_equal(wms_gs1_to_json(&g, small, 0), WMS_ETOO_LARGE);
    assert_int_equal(wms_gs1_to_json(NULL, small, sizeof(small)), WMS_EBAD_ARGS);
}

static void test_rcn_make(void **state)
{
    (void)state;
    char out[14];
    assert_int_equal(wms_gs1_rcn_make("20", 1234, out), 0);
    assert_string_equal(out, "2000000012346");
    assert_int_equal(wms_gs1_rcn_make("02", 0, out), 0);
    assert_string_equal(out, "0200000000004");
    assert_int_equal(wms_gs1_rcn_make("29", 9999999999ull, out), 0);
    assert_memory_equal(out, "299999999999", 12);
    assert_true(wms_gs1_check_valid(out, 13));
    /* Every prefix: 02 and 20-29 accepted with a valid EAN-13, others refused. */
    int accepted = 0;
    for (int p = 0; p < 100; p++) {
        char prefix[3] = {(char)('0' + p / 10), (char)('0' + p % 10), '\0'};
        int rc = wms_gs1_rcn_make(prefix, 4711u + (unsigned)p, out);
        bool rcn = p == 2 || (p >= 20 && p <= 29);
        if (!rcn) {
            assert_int_equal(rc, WMS_EBAD_ARGS);
            continue;
        }
        accepted++;
        assert_int_equal(rc, 0);
        assert_int_equal(strlen(out), 13);
        assert_memory_equal(out, prefix, 2);
        assert_true(wms_gs1_check_valid(out, 13));
        /* And the parser takes it as an EAN-13. */
        wms_gs1 g;
        wms_error e;
        assert_int_equal(parse(out, &g, &e), 0);
        assert_string_equal(g.gtin + 1, out);
    }
    assert_int_equal(accepted, 11);
    assert_int_equal(wms_gs1_rcn_make("20", 10000000000ull, out), WMS_EBAD_ARGS);
    assert_int_equal(wms_gs1_rcn_make("2", 1, out), WMS_EBAD_ARGS);
    assert_int_equal(wms_gs1_rcn_make("200", 1, out), WMS_EBAD_ARGS);
    assert_int_equal(wms_gs1_rcn_make("2A", 1, out), WMS_EBAD_ARGS);
    assert_int_equal(wms_gs1_rcn_make("04", 1, out), WMS_EBAD_ARGS);
    assert_int_equal(wms_gs1_rcn_make(NULL, 1, out), WMS_EBAD_ARGS);
}

static void test_gtin_normalize(void **state)
{
    (void)state;
    char out[15];
    assert_int_equal(wms_gtin_normalize("95010137", out), 0);
    assert_string_equal(out, "00000095010137");
    assert_int_equal(wms_gtin_normalize("036000291452", out), 0);
    assert_string_equal(out, "00036000291452");
    assert_int_equal(wms_gtin_normalize(GTIN13, out), 0);
    assert_string_equal(out, GTIN14);
    assert_int_equal(wms_gtin_normalize("19501101530000", out), 0);
    assert_string_equal(out, "19501101530000");

    assert_int_equal(wms_gtin_normalize("95010138", out), WMS_EBAD_CHECK_DIGIT);
    assert_int_equal(wms_gtin_normalize("036000291453", out), WMS_EBAD_CHECK_DIGIT);
    assert_int_equal(wms_gtin_normalize("9501101530004", out), WMS_EBAD_CHECK_DIGIT);
    assert_int_equal(wms_gtin_normalize("19501101530001", out), WMS_EBAD_CHECK_DIGIT);

    assert_int_equal(wms_gtin_normalize("1234567", out), WMS_EBAD_BARCODE);
    assert_int_equal(wms_gtin_normalize("95011015300031", out), WMS_EBAD_CHECK_DIGIT);
    assert_int_equal(wms_gtin_normalize("095011015300031", out), WMS_EBAD_BARCODE);
    assert_int_equal(wms_gtin_normalize("950110153000A", out), WMS_EBAD_BARCODE);
    assert_int_equal(wms_gtin_normalize("", out), WMS_EBAD_BARCODE);
    assert_int_equal(wms_gtin_normalize(NULL, out), WMS_EBAD_ARGS);
}

static void test_other_ais(void **state)
{
    (void)state;
    wms_gs1 g;
    wms_error e;
    /* 20 (n2, predefined), 12/16 dates, 240/241/250/251 text, 422 n3, 8008, 7007 range. */
    assert_int_equal(parse("]C101" GTIN14 "2007"
                           "12260101"
                           "16260200"
                           "240ADD-1" GS "241CPN" GS "250SEC" GS "251SRC" GS "422250" GS
                           "8008260101120000" GS "7007260101260115",
                           &g, &e),
                     0);
    assert_int_equal(g.n_ais, 11);
    assert_string_equal(g.ais[1].ai, "20");
    assert_string_equal(g.ais[1].value, "07");
    assert_string_equal(g.ais[10].ai, "7007");
    /* 253 GDTI: 13 digits with a check digit, then an optional serial. */
    assert_int_equal(parse("253" GTIN13 "DOC-1", &g, &e), 0);
    expect_error("2539501101530004DOC-1", WMS_EBAD_CHECK_DIGIT,
                 "AI 253 at position 1: check digit should be 3");
    expect_error("]C1422AB1", WMS_EBAD_BARCODE,
                 "AI 422 at position 4: character 'A' at position 7 is not allowed (digits only)");
    expect_error("]C18008260101250000", WMS_EBAD_BARCODE,
                 "AI 8008 at position 4: 260101250000 is not a valid date and time (hour 25)");
    expect_error("]C120A1", WMS_EBAD_BARCODE,
                 "AI 20 at position 4: character 'A' at position 6 is not allowed (digits only)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_digit),
        cmocka_unit_test(test_plain_gtins),
        cmocka_unit_test(test_plain_bad_check),
        cmocka_unit_test(test_aim_plain),
        cmocka_unit_test(test_other_gs1_symbologies),
        cmocka_unit_test(test_non_gs1_symbologies),
        cmocka_unit_test(test_gs1_128_with_separators),
        cmocka_unit_test(test_datamatrix),
        cmocka_unit_test(test_bracketed),
        cmocka_unit_test(test_substitute_separator),
        cmocka_unit_test(test_raw_e8_fnc1),
        cmocka_unit_test(test_fixed_then_next_without_separator),
        cmocka_unit_test(test_variable_last_without_separator),
        cmocka_unit_test(test_missing_separator),
        cmocka_unit_test(test_day_00),
        cmocka_unit_test(test_century_rule),
        cmocka_unit_test(test_invalid_dates),
        cmocka_unit_test(test_net_weight),
        cmocka_unit_test(test_content_and_count),
        cmocka_unit_test(test_sscc),
        cmocka_unit_test(test_invalid_characters),
        cmocka_unit_test(test_unknown_ai),
        cmocka_unit_test(test_truncated_fixed),
        cmocka_unit_test(test_too_long_input),
        cmocka_unit_test(test_too_many_ais),
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_trimming),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_rcn_make),
        cmocka_unit_test(test_gtin_normalize),
        cmocka_unit_test(test_other_ais),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
