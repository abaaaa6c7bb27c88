/* test_label.c - ZPL item / SSCC / GS1 labels and zint previews. */
#include "helpers.h"

#include "label/label.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Every '^' in the output starts a ZPL command (two upper-case letters or
 * letter+digit); no '~' appears at all. */
static void assert_only_our_commands(const char *zpl)
{
    assert_null(strchr(zpl, '~'));
    for (const char *p = zpl; (p = strchr(p, '^')) != NULL; p++) {
        assert_true(p[1] >= 'A' && p[1] <= 'Z');
        assert_true((p[2] >= 'A' && p[2] <= 'Z') || (p[2] >= '0' && p[2] <= '9'));
    }
    assert_int_equal(count_of(zpl, "^XA"), 1);
    assert_int_equal(count_of(zpl, "^XZ"), 1);
}

static void assert_framed(const char *zpl, int len)
{
    assert_int_equal((size_t)len, strlen(zpl));
    assert_memory_equal(zpl, "^XA", 3);
    assert_string_equal(zpl + len - 4, "^XZ\n");
}

static void test_item_ean13(void **state)
{
    (void)state;
    char buf[4096];
    wms_error err = {0};
    /* 2000000000015: data digits 200000000001.  From the rightmost data digit
     * the weights are 3,1,3,...: 1*3 = 3, the zeros add nothing, and the
     * leading 2 is 12th from the right (weight 1): sum 5, check (10-5)%10 = 5. */
    int len = wms_label_item_zpl("SKU-123", "Hex bolt M8", "2000000000015", WMS_LABEL_EAN13, buf,
                                 sizeof(buf), &err);
    assert_true(len > 0);
    assert_framed(buf, len);
    assert_non_null(strstr(buf, "^PW812"));
    assert_non_null(strstr(buf, "^LL406"));
    assert_non_null(strstr(buf, "^BEN,180,Y,N^FD200000000001^FS"));
    assert_non_null(strstr(buf, "^FDSKU-123^FS"));
    assert_non_null(strstr(buf, "^FDHex bolt M8^FS"));
    assert_only_our_commands(buf);

    /* The 12 data digits alone give the same label. */
    char buf2[4096];
    assert_int_equal(wms_label_item_zpl("SKU-123", "Hex bolt M8", "200000000001", WMS_LABEL_EAN13,
                                        buf2, sizeof(buf2), NULL),
                     len);
    assert_string_equal(buf, buf2);

    /* Wrong check digit, letters, wrong length. */
    assert_int_equal(
        wms_label_item_zpl("S", NULL, "2000000000016", WMS_LABEL_EAN13, buf, sizeof(buf), &err),
        WMS_EBAD_CHECK_DIGIT);
    assert_non_null(strstr(err.msg, "should be 5"));
    assert_string_equal(buf, "");
    assert_int_equal(
        wms_label_item_zpl("S", NULL, "20000000000A5", WMS_LABEL_EAN13, buf, sizeof(buf), &err),
        WMS_EBAD_BARCODE);
    assert_int_equal(
        wms_label_item_zpl("S", NULL, "96385074", WMS_LABEL_EAN13, buf, sizeof(buf), &err),
        WMS_EBAD_BARCODE);
}

static void test_item_escaping_and_truncation(void **state)
{
    (void)state;
    char buf[4096];
    const char *desc = "Bolt ^XZ~JA x_y \xc3\xa9\t";
    int len = wms_label_item_zpl("A^B~C", desc, "ABC-1", WMS_LABEL_CODE128, buf, sizeof(buf), NULL);
    assert_true(len > 0);
    assert_framed(buf, len);
    assert_non_null(strstr(buf, "^FH^FDA_5EB_7EC^FS"));
    assert_non_null(strstr(buf, "^FH^FDBolt _5EXZ_7EJA x_5Fy _C3_A9_09^FS"));
    assert_only_our_commands(buf);

    /* 50 'a's followed by 'Z': cut to 33 code points plus "...". */
    char longd[64];
    memset(longd, 'a', 50);
    strcpy(longd + 50, "Z");
    len = wms_label_item_zpl("S1", longd, "X", WMS_LABEL_CODE128, buf, sizeof(buf), NULL);
    assert_true(len > 0);
    char want[64] = "^FD";
    memset(want + 3, 'a', 33);
    strcpy(want + 36, "...^FS");
    assert_non_null(strstr(buf, want));
    assert_null(strstr(buf, "aZ"));

    /* Multi-byte characters are never split: 40 x "é" keeps 33 of them. */
    char accents[128] = "";
    for (int i = 0; i < 40; i++)
        strcat(accents, "\xc3\xa9");
    len = wms_label_item_zpl("S1", accents, "X", WMS_LABEL_CODE128, buf, sizeof(buf), NULL);
    assert_true(len > 0);
    const char *d = strstr(buf, "^FD_C3_A9");
    assert_non_null(d);
    assert_int_equal(count_of(d, "_C3_A9"), 33);
    assert_non_null(strstr(d, "_C3_A9...^FS"));
}

static void test_item_code128_subsets(void **state)
{
    (void)state;
    char buf[4096];
    wms_error err = {0};
    /* "AB>123456": B for "AB", '>' as >0, then C for the six digits. */
    int len =
        wms_label_item_zpl("S1", NULL, "AB>123456", WMS_LABEL_CODE128, buf, sizeof(buf), &err);
    assert_true(len > 0);
    assert_non_null(strstr(buf, "^BCN,170,N,N,N,N^FD>:AB>0>5123456^FS"));
    /* Human-readable line carries the data as text. */
    assert_non_null(strstr(buf, "^FH^FDAB>123456^FS"));
    /* Leading 4+ digits start in C; an odd leftover digit moves to B. */
    len = wms_label_item_zpl("S1", NULL, "12345X", WMS_LABEL_CODE128, buf, sizeof(buf), &err);
    assert_true(len > 0);
    assert_non_null(strstr(buf, "^FD>;1234>65X^FS"));

    /* Non-printable data and too-wide symbols are refused. */
    assert_int_equal(
        wms_label_item_zpl("S1", NULL, "A\tB", WMS_LABEL_CODE128, buf, sizeof(buf), &err),
        WMS_EBAD_BARCODE);
    char wide[49];
    memset(wide, 'W', 48);
    wide[48] = '\0';
    assert_int_equal(
        wms_label_item_zpl("S1", NULL, wide, WMS_LABEL_CODE128, buf, sizeof(buf), &err),
        WMS_ETOO_LARGE);
    assert_non_null(strstr(err.msg, "too wide"));
    assert_int_equal(wms_label_item_zpl(NULL, NULL, "X", WMS_LABEL_CODE128, buf, sizeof(buf), &err),
                     WMS_EBAD_ARGS);
}

static void test_item_buffer_limit(void **state)
{
    (void)state;
    char big[4096];
    int len = wms_label_item_zpl("SKU-9", "Washer", "2000000000015", WMS_LABEL_EAN13, big,
                                 sizeof(big), NULL);
    assert_true(len > 0);
    char *small = malloc((size_t)len + 1);
    assert_non_null(small);
    wms_error err = {0};
    /* Exactly enough room (text + NUL) works; one byte less does not. */
    assert_int_equal(wms_label_item_zpl("SKU-9", "Washer", "2000000000015", WMS_LABEL_EAN13, small,
                                        (size_t)len + 1, &err),
                     len);
    assert_string_equal(small, big);
    assert_int_equal(wms_label_item_zpl("SKU-9", "Washer", "2000000000015", WMS_LABEL_EAN13, small,
                                        (size_t)len, &err),
                     WMS_ETOO_LARGE);
    assert_int_equal(err.code, WMS_ETOO_LARGE);
    assert_string_equal(small, "");
    assert_int_equal(
        wms_label_item_zpl("SKU-9", "Washer", "2000000000015", WMS_LABEL_EAN13, small, 10, &err),
        WMS_ETOO_LARGE);
    free(small);
}

static void test_gs1_label(void **state)
{
    (void)state;
    char buf[4096];
    wms_error err = {0};
    /* (01) is fixed length (no FNC1 after it); (10) is variable and not last,
     * so >8 follows it.  18 leading digits go in C as pairs, then >6 to B. */
    int len = wms_label_gs1_zpl("(01)09501101530003(10)AB1(21)S_9", "Scanner ~test~", buf,
                                sizeof(buf), &err);
    assert_true(len > 0);
    assert_framed(buf, len);
    assert_non_null(strstr(buf, "^BCN,200,N,N,N,N^FD>;>8010950110153000310>6AB1>821S_9^FS"));
    assert_non_null(strstr(buf, "^FD(01)09501101530003(10)AB1(21)S_5F9^FS"));
    assert_non_null(strstr(buf, "^FDScanner _7Etest_7E^FS"));
    assert_only_our_commands(buf);

    /* Same data with the element order making (10) last: no trailing FNC1. */
    len = wms_label_gs1_zpl("(01)09501101530003(17)261231(10)AB1", NULL, buf, sizeof(buf), &err);
    assert_true(len > 0);
    assert_non_null(strstr(buf, "^FD>;>801095011015300031726123110>6AB1^FS"));

    /* Errors: bad check digit, bad shape, wrong fixed length, illegal char. */
    assert_int_equal(wms_label_gs1_zpl("(01)09501101530004", NULL, buf, sizeof(buf), &err),
                     WMS_EBAD_CHECK_DIGIT);
    assert_non_null(strstr(err.msg, "AI 01"));
    assert_int_equal(wms_label_gs1_zpl("01)0950", NULL, buf, sizeof(buf), &err), WMS_EBAD_BARCODE);
    assert_int_equal(wms_label_gs1_zpl("(17)2612", NULL, buf, sizeof(buf), &err), WMS_EBAD_BARCODE);
    assert_int_equal(wms_label_gs1_zpl("(10)A^B", NULL, buf, sizeof(buf), &err), WMS_EBAD_BARCODE);
    /* zint lints the AIs for the ZPL path too: month 13 is refused. */
    assert_int_equal(
        wms_label_gs1_zpl("(01)09501101530003(17)261340", NULL, buf, sizeof(buf), &err),
        WMS_EBAD_BARCODE);
    assert_non_null(strstr(err.msg, "month"));
    assert_string_equal(buf, "");
    assert_int_equal(wms_label_gs1_zpl("(10)ABCDEFGHIJKLMNOPQRST(21)ABCDEFGHIJKLMNOPQRST(91)ABCDEF",
                                       NULL, buf, sizeof(buf), &err),
                     WMS_ETOO_LARGE);
}

static void test_sscc_label(void **state)
{
    (void)state;
    char buf[8192];
    wms_error err = {0};
    /* SSCC 12345678901234567 + check.  Weights 3,1,3,... from the right:
     * 3*(7+5+3+1+9+7+5+3+1) + (6+4+2+0+8+6+4+2) = 123 + 32 = 155,
     * check = (10 - 5) % 10 = 5. */
    wms_label_sscc l = {.sscc18 = "123456789012345675",
                        .ship_from = "ACME Warehouse\nDock 4",
                        .ship_to = "Jane Doe\r\n1 Main St\n12345 Town",
                        .order_id = "SO-1001",
                        .carrier = "DHL"};
    int len = wms_label_sscc_zpl(&l, buf, sizeof(buf), &err);
    assert_true(len > 0);
    assert_framed(buf, len);
    assert_non_null(strstr(buf, "^LL1218"));
    /* GS1-128: start C, FNC1, AI 00 and the 18 digits as pairs, X = 4 dots. */
    assert_non_null(strstr(buf, "^BY4^BCN,256,N,N,N,N^FD>;>800123456789012345675^FS"));
    assert_non_null(strstr(buf, "^FD(00) 1 2345678 901234567 5^FS"));
    assert_non_null(strstr(buf, "^FDJane Doe^FS"));
    assert_non_null(strstr(buf, "^FD12345 Town^FS"));
    assert_non_null(strstr(buf, "^FDDock 4^FS"));
    assert_non_null(strstr(buf, "^FDSO-1001^FS"));
    assert_non_null(strstr(buf, "^FDDHL^FS"));
    assert_only_our_commands(buf);

    l.sscc18 = "123456789012345670";
    assert_int_equal(wms_label_sscc_zpl(&l, buf, sizeof(buf), &err), WMS_EBAD_CHECK_DIGIT);
    l.sscc18 = "12345678901234567";
    assert_int_equal(wms_label_sscc_zpl(&l, buf, sizeof(buf), &err), WMS_EBAD_BARCODE);
    l.sscc18 = "123456789012345675";
    l.ship_to = "1\n2\n3\n4\n5\n6\n7";
    assert_int_equal(wms_label_sscc_zpl(&l, buf, sizeof(buf), &err), WMS_ETOO_LARGE);
    assert_string_equal(buf, "");
    l.ship_to = "";
    assert_int_equal(wms_label_sscc_zpl(&l, buf, sizeof(buf), &err), WMS_EBAD_ARGS);
    l.ship_to = "X";
    assert_int_equal(wms_label_sscc_zpl(&l, buf, 64, &err), WMS_ETOO_LARGE);
}

static long read_file(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t n = fread(out, 1, cap - 1, f);
    fclose(f);
    out[n] = '\0';
    return (long)n;
}

static void test_preview_files(void **state)
{
    (void)state;
    char dir[512], path[600];
    th_mkdtemp(dir, sizeof(dir), "label");
    static char data[1 << 20];
    wms_error err = {0};

    snprintf(path, sizeof(path), "%s/ean.png", dir);
    assert_int_equal(wms_label_preview(WMS_LABEL_EAN13, "2000000000015", path, &err), 0);
    assert_true(read_file(path, data, sizeof(data)) > 8);
    assert_memory_equal(data, "\x89PNG\r\n\x1a\n", 8);

    snprintf(path, sizeof(path), "%s/gs1.svg", dir);
    assert_int_equal(
        wms_label_preview(WMS_LABEL_GS1_128, "(01)09501101530003(17)261231(10)AB1", path, &err), 0);
    long n = read_file(path, data, sizeof(data));
    assert_true(n > 0);
    assert_non_null(strstr(data, "<svg"));
    while (n > 0 && (data[n - 1] == '\n' || data[n - 1] == ' '))
        data[--n] = '\0';
    assert_true(n > 6);
    assert_string_equal(data + n - 6, "</svg>");
    /* zint prints the human-readable text with parentheses. */
    assert_non_null(strstr(data, "(01)09501101530003(17)261231(10)AB1"));

    snprintf(path, sizeof(path), "%s/c128.PNG", dir);
    assert_int_equal(wms_label_preview(WMS_LABEL_CODE128, "ABC-123", path, &err), 0);
    assert_true(read_file(path, data, sizeof(data)) > 8);
    assert_memory_equal(data, "\x89PNG", 4);
}

static void test_preview_errors(void **state)
{
    (void)state;
    char dir[512], path[600];
    th_mkdtemp(dir, sizeof(dir), "label");
    wms_error err = {0};

    snprintf(path, sizeof(path), "%s/bad.png", dir);
    assert_int_equal(wms_label_preview(WMS_LABEL_EAN13, "ABCDEFGHIJKLM", path, &err),
                     WMS_EBAD_BARCODE);
    assert_int_equal(access(path, F_OK), -1);

    /* Rejected by zint (month 13): its message is quoted, no file made. */
    assert_int_equal(
        wms_label_preview(WMS_LABEL_GS1_128, "(01)09501101530003(17)261340", path, &err),
        WMS_EBAD_BARCODE);
    assert_non_null(strstr(err.msg, "zint"));
    assert_int_equal(access(path, F_OK), -1);

    snprintf(path, sizeof(path), "%s/x.gif", dir);
    assert_int_equal(wms_label_preview(WMS_LABEL_CODE128, "ABC", path, &err), WMS_EBAD_ARGS);
    assert_int_equal(wms_label_preview(WMS_LABEL_CODE128, "ABC", "png", &err), WMS_EBAD_ARGS);
    assert_int_equal(access(path, F_OK), -1);

    snprintf(path, sizeof(path), "%s/no/such/dir/x.png", dir);
    assert_int_equal(wms_label_preview(WMS_LABEL_CODE128, "ABC", path, &err), WMS_EIO);
    assert_int_equal(err.code, WMS_EIO);
    snprintf(path, sizeof(path), "%s/no/such/dir/x.svg", dir);
    assert_int_equal(wms_label_preview(WMS_LABEL_EAN13, "2000000000015", path, &err), WMS_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_item_ean13),
        cmocka_unit_test(test_item_escaping_and_truncation),
        cmocka_unit_test(test_item_code128_subsets),
        cmocka_unit_test(test_item_buffer_limit),
        cmocka_unit_test(test_gs1_label),
        cmocka_unit_test(test_sscc_label),
        cmocka_unit_test(test_preview_files),
        cmocka_unit_test(test_preview_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
