/* test_selftest.c - the scanner self-test: the label's data, an exact scan,
 * each scanner quirk alone (with its message and setting), several at once,
 * and scans of something else. */
#include "helpers.h"
#include "domain/gs1.h"
#include "domain/selftest.h"

#include <stdio.h>
#include <string.h>

/* Pieces of what a scanner sends for the label. */
#define HEAD "0109506000134352"
#define LOT "10Yz-4ab"
#define SER "21W8kq5"
#define EXP "17301231"
#define BODY_WITH(sep) HEAD LOT sep SER sep EXP

static wms_selftest check_sub(const char *scan, size_t len, char session_sub)
{
    wms_selftest t;
    memset(&t, 0xA5, sizeof(t)); /* every field must be written */
    assert_int_equal(wms_selftest_check(scan, len, session_sub, &t), 0);
    assert_true(t.n_quirks >= 0 && t.n_quirks <= WMS_SELFTEST_MAX_QUIRKS);
    for (int i = 0; i < t.n_quirks; i++) {
        assert_true(t.quirks[i].message[0] != '\0');
        assert_true(t.quirks[i].setting[0] != '\0');
        if (i > 0) /* in WMS_QUIRKS order, each kind once */
            assert_true(t.quirks[i].kind > t.quirks[i - 1].kind);
    }
    assert_int_equal(t.ok, t.n_quirks == 0);
    return t;
}

#define check(lit) check_sub((lit), sizeof(lit) - 1, 0)

/* The codes as one string, e.g. "NO_AIM,SUFFIX". */
static const char *codes(const wms_selftest *t)
{
    static char buf[256];
    assert_true(wms_selftest_codes(t, buf, sizeof(buf)) >= 0);
    return buf;
}

/* The quirk of kind k (fails the test when absent). */
static const wms_selftest_quirk *quirk(const wms_selftest *t, wms_quirk_kind k)
{
    for (int i = 0; i < t->n_quirks; i++)
        if (t->quirks[i].kind == k)
            return &t->quirks[i];
    fail_msg("no %s among %s", wms_selftest_quirk_code(k), codes(t));
    return NULL;
}

#define assert_has(s, sub)                                                                         \
    do {                                                                                           \
        if (strstr((s), (sub)) == NULL)                                                            \
            fail_msg("'%s' not in '%s'", (sub), (s));                                              \
    } while (0)

/* ---------------------------------------------------------------------- */

static void test_label_data(void **state)
{
    (void)state;
    /* The expected scan is what a GS1 parser reads from the bracket form,
     * and the two variable-length AIs need their separators. */
    assert_string_equal(WMS_SELFTEST_EXPECTED, "]C1" BODY_WITH("\x1d"));
    wms_gs1 a, b;
    wms_error err;
    assert_int_equal(
        wms_gs1_parse(WMS_SELFTEST_BRACKET, strlen(WMS_SELFTEST_BRACKET), NULL, &a, &err), 0);
    assert_int_equal(
        wms_gs1_parse(WMS_SELFTEST_EXPECTED, strlen(WMS_SELFTEST_EXPECTED), NULL, &b, &err), 0);
    assert_int_equal(a.n_ais, 4);
    assert_int_equal(b.n_ais, 4);
    for (int i = 0; i < 4; i++) {
        assert_string_equal(a.ais[i].ai, b.ais[i].ai);
        assert_string_equal(a.ais[i].value, b.ais[i].value);
    }
    assert_string_equal(b.lot, WMS_SELFTEST_LOT);
    assert_string_equal(b.serial, WMS_SELFTEST_SERIAL);
    assert_string_equal(b.expiry, "2030-12-31");
    /* The label holds mixed-case letters (case quirks show) and no
     * character that a scanner might use for the separator. */
    assert_non_null(strpbrk(WMS_SELFTEST_LOT, "abcdefghijklmnopqrstuvwxyz"));
    assert_non_null(strpbrk(WMS_SELFTEST_LOT, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
    assert_null(strpbrk(WMS_SELFTEST_BRACKET + 1, "|^~@#$[\\]{}` "));
}

static void test_exact(void **state)
{
    (void)state;
    wms_selftest t = check(WMS_SELFTEST_EXPECTED);
    assert_true(t.ok);
    assert_true(t.usable);
    assert_int_equal(t.n_quirks, 0);
    assert_int_equal(t.gs_sub, 0);
    assert_string_equal(codes(&t), "");
    /* FNC1 as raw 0xE8 (what some serial scanners send) parses the same. */
    t = check("]C1" HEAD LOT "\xe8" SER "\xe8" EXP);
    assert_true(t.ok);
    assert_true(t.usable);
}

static void test_no_aim(void **state)
{
    (void)state;
    wms_selftest t = check(BODY_WITH("\x1d"));
    assert_string_equal(codes(&t), "NO_AIM");
    assert_true(t.usable); /* GS1 parsers read element strings without it */
    assert_has(quirk(&t, WMS_QUIRK_NO_AIM)->message, "]C1");
    assert_has(quirk(&t, WMS_QUIRK_NO_AIM)->setting, "AIM symbology identifier");
    /* A leading FNC1 instead of the identifier is the same quirk, no prefix. */
    t = check("\x1d" BODY_WITH("\x1d"));
    assert_string_equal(codes(&t), "NO_AIM");
    assert_true(t.usable);
}

static void test_aim_wrong(void **state)
{
    (void)state;
    wms_selftest t = check("]C0" BODY_WITH("\x1d"));
    assert_string_equal(codes(&t), "AIM_WRONG");
    assert_false(t.usable); /* ]C0 is not GS1 */
    assert_has(quirk(&t, WMS_QUIRK_AIM_WRONG)->message, "']C0' instead of ']C1'");
    assert_has(quirk(&t, WMS_QUIRK_AIM_WRONG)->setting, "GS1-128");
    t = check("]Q3" BODY_WITH("\x1d"));
    assert_string_equal(codes(&t), "AIM_WRONG");
    assert_has(quirk(&t, WMS_QUIRK_AIM_WRONG)->setting, "own code ID");
}

static void test_prefix(void **state)
{
    (void)state;
    wms_selftest t = check("AB]C1" BODY_WITH("\x1d"));
    assert_string_equal(codes(&t), "PREFIX");
    assert_false(t.usable);
    assert_has(quirk(&t, WMS_QUIRK_PREFIX)->message, "'AB' before the data");
    assert_has(quirk(&t, WMS_QUIRK_PREFIX)->setting, "prefix");
    /* A control character prefix without the identifier: both named. */
    t = check("\x02" BODY_WITH("\x1d"));
    assert_string_equal(codes(&t), "NO_AIM,PREFIX");
    assert_has(quirk(&t, WMS_QUIRK_PREFIX)->message, "STX");
}

static void test_gs_missing(void **state)
{
    (void)state;
    wms_selftest t = check("]C1" BODY_WITH(""));
    assert_string_equal(codes(&t), "GS_MISSING");
    assert_false(t.usable);
    assert_int_equal(t.gs_sub, 0);
    const wms_selftest_quirk *q = quirk(&t, WMS_QUIRK_GS_MISSING);
    assert_has(q->message, "after the lot (10) and the serial (21) are missing");
    assert_has(q->setting, "ASCII 29");
    /* Only the one after the serial. */
    t = check("]C1" HEAD LOT "\x1d" SER EXP);
    assert_string_equal(codes(&t), "GS_MISSING");
    assert_has(quirk(&t, WMS_QUIRK_GS_MISSING)->message, "after the serial (21) is missing");
}

static void test_gs_replaced_usable(void **state)
{
    (void)state;
    static const char subs[] = "|^~@#{}\\`$[\x1c\x1e\x04";
    for (const char *p = subs; *p; p++) {
        char scan[64];
        int n = snprintf(scan, sizeof(scan), "]C1%s%s%c%s%c%s", HEAD, LOT, *p, SER, *p, EXP);
        wms_selftest t = check_sub(scan, (size_t)n, 0);
        assert_string_equal(codes(&t), "GS_REPLACED");
        assert_int_equal(t.gs_sub, *p);
        assert_true(t.usable); /* parsed with the substitute found */
        assert_true(wms_selftest_sub_ok(*p));
        const wms_selftest_quirk *q = quirk(&t, WMS_QUIRK_GS_REPLACED);
        assert_has(q->message, "This session now accepts");
        assert_has(q->setting, "ASCII 29");
    }
    wms_selftest t = check("]C1" BODY_WITH("|"));
    assert_has(quirk(&t, WMS_QUIRK_GS_REPLACED)->message, "sends '|' instead of the GS1 separator");
    t = check("]C1" BODY_WITH("\x1c"));
    assert_has(quirk(&t, WMS_QUIRK_GS_REPLACED)->message, "sends FS instead");
}

static void test_gs_replaced_unusable(void **state)
{
    (void)state;
    /* In GS1's character set: it could be part of a lot. */
    wms_selftest t = check("]C1" BODY_WITH("-"));
    assert_string_equal(codes(&t), "GS_REPLACED");
    assert_int_equal(t.gs_sub, 0);
    assert_false(t.usable);
    assert_has(quirk(&t, WMS_QUIRK_GS_REPLACED)->message, "part of a lot or serial");
    assert_has(quirk(&t, WMS_QUIRK_GS_REPLACED)->setting, "or to '|'");
    /* Whitespace. */
    t = check("]C1" BODY_WITH(" "));
    assert_string_equal(codes(&t), "GS_REPLACED");
    assert_int_equal(t.gs_sub, 0);
    assert_has(quirk(&t, WMS_QUIRK_GS_REPLACED)->message, "a space");
    /* A text rendering of the control character. */
    t = check("]C1" BODY_WITH("<GS>"));
    assert_string_equal(codes(&t), "GS_REPLACED");
    assert_int_equal(t.gs_sub, 0);
    assert_has(quirk(&t, WMS_QUIRK_GS_REPLACED)->message, "'<GS>'");
    assert_has(quirk(&t, WMS_QUIRK_GS_REPLACED)->message, "one character");
    /* Two different stand-ins: neither becomes the substitute. */
    t = check("]C1" HEAD LOT "|" SER "~" EXP);
    assert_string_equal(codes(&t), "GS_REPLACED");
    assert_int_equal(t.gs_sub, 0);
    assert_has(quirk(&t, WMS_QUIRK_GS_REPLACED)->message, "'|'");
    assert_has(quirk(&t, WMS_QUIRK_GS_REPLACED)->message, "'~'");
    assert_false(wms_selftest_sub_ok('-'));
    assert_false(wms_selftest_sub_ok('A'));
    assert_false(wms_selftest_sub_ok('\t'));
    assert_false(wms_selftest_sub_ok(0x1d));
    assert_false(wms_selftest_sub_ok(']'));
}

static void test_chars_lost(void **state)
{
    (void)state;
    /* The '4' of the lot and the 'k' of the serial did not arrive. */
    wms_selftest t = check("]C1" HEAD "10Yz-ab\x1d"
                           "21W8q5\x1d" EXP);
    assert_string_equal(codes(&t), "CHARS_LOST");
    assert_false(t.usable);
    const wms_selftest_quirk *q = quirk(&t, WMS_QUIRK_CHARS_LOST);
    assert_has(q->message, "2 characters did not arrive");
    assert_has(q->message, "'4' at position 25 (lot (10), character 4)");
    assert_has(q->message, "'k' at position 33 (serial (21), character 3)");
    assert_has(q->setting, "inter-character");
    /* The first digit of the data, right after the identifier. */
    t = check("]C1"
              "109506000134352" LOT "\x1d" SER "\x1d" EXP);
    assert_string_equal(codes(&t), "CHARS_LOST");
    assert_has(quirk(&t, WMS_QUIRK_CHARS_LOST)->message, "'0' at position 4 (AI 01)");
    /* The last character of the expiry date. */
    t = check("]C1" HEAD LOT "\x1d" SER "\x1d"
              "1730123");
    assert_string_equal(codes(&t), "CHARS_LOST");
    assert_has(quirk(&t, WMS_QUIRK_CHARS_LOST)->message, "expiry date (17), character 6");
}

static void test_chars_changed(void **state)
{
    (void)state;
    /* A German keyboard layout on a US scanner: Y and Z swap. */
    wms_selftest t = check("]C1" HEAD "10Zy-4ab\x1d" SER "\x1d" EXP);
    assert_string_equal(codes(&t), "CHARS_CHANGED");
    const wms_selftest_quirk *q = quirk(&t, WMS_QUIRK_CHARS_CHANGED);
    assert_has(q->message, "'Y' at position 22 (lot (10), character 1) came as 'Z'");
    assert_has(q->setting, "keyboard country/layout");
    /* More than three: three named, then "...". */
    t = check("]C1"
              "0109516000134352"
              "10Zy-4ab\x1d"
              "21W8kq6\x1d" EXP);
    assert_string_equal(codes(&t), "CHARS_CHANGED");
    assert_has(quirk(&t, WMS_QUIRK_CHARS_CHANGED)->message, "4 characters arrived changed");
    assert_has(quirk(&t, WMS_QUIRK_CHARS_CHANGED)->message, ", ...");
}

static void test_chars_added(void **state)
{
    (void)state;
    wms_selftest t = check("]C1" HEAD "10Yz-4aab\x1d" SER "\x1d" EXP);
    assert_string_equal(codes(&t), "CHARS_ADDED");
    assert_false(t.usable);
    const wms_selftest_quirk *q = quirk(&t, WMS_QUIRK_CHARS_ADDED);
    assert_has(q->message, "1 character was added inside the data: 'a' after position");
    assert_has(q->message, "lot (10)");
    /* A GS that arrived plus a stray character next to it. */
    t = check("]C1" HEAD LOT "\x1d"
              "x" SER "\x1d" EXP);
    assert_string_equal(codes(&t), "CHARS_ADDED");
    assert_has(quirk(&t, WMS_QUIRK_CHARS_ADDED)->message, "'x'");
}

static void test_case(void **state)
{
    (void)state;
    /* Caps Lock: every letter swapped, the identifier's too. */
    wms_selftest t = check("]c1" HEAD "10yZ-4AB\x1d"
                           "21w8KQ5\x1d" EXP);
    assert_string_equal(codes(&t), "CASE_CHANGED");
    assert_false(t.usable);
    const wms_selftest_quirk *q = quirk(&t, WMS_QUIRK_CASE_CHANGED);
    assert_has(q->message, "case swapped");
    assert_has(q->message, "'Y' at position 22 came as 'y'");
    assert_has(q->setting, "Caps Lock");
    /* Upper-case conversion. */
    t = check("]C1" HEAD "10YZ-4AB\x1d"
              "21W8KQ5\x1d" EXP);
    assert_string_equal(codes(&t), "CASE_CHANGED");
    assert_has(quirk(&t, WMS_QUIRK_CASE_CHANGED)->message, "every letter into upper case");
    assert_has(quirk(&t, WMS_QUIRK_CASE_CHANGED)->setting, "case conversion to none");
    /* Lower-case conversion. */
    t = check("]c1" HEAD "10yz-4ab\x1d"
              "21w8kq5\x1d" EXP);
    assert_string_equal(codes(&t), "CASE_CHANGED");
    assert_has(quirk(&t, WMS_QUIRK_CASE_CHANGED)->message, "every letter into lower case");
    /* One letter only. */
    t = check("]C1" HEAD "10Yz-4aB\x1d" SER "\x1d" EXP);
    assert_string_equal(codes(&t), "CASE_CHANGED");
    assert_has(quirk(&t, WMS_QUIRK_CASE_CHANGED)->message,
               "1 letter arrived in the wrong case ('b' at position 27 came as 'B')");
}

static void test_suffix(void **state)
{
    (void)state;
    static const struct {
        const char *suffix, *named, *setting;
    } cases[] = {
        {"\r", "Enter (CR)", "Disable the Enter (CR) suffix"},
        {"\r\n", "CR LF", "Disable the CR LF suffix"},
        {"\n", "LF", "Disable the LF (line feed) suffix"},
        {"\t", "Tab", "Disable the Tab suffix"},
        {"!!", "'!!'", "Clear the scanner's suffix"},
        {"\x03", "ETX", "Clear the scanner's suffix"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char scan[80];
        int n = snprintf(scan, sizeof(scan), "%s%s", WMS_SELFTEST_EXPECTED, cases[i].suffix);
        wms_selftest t = check_sub(scan, (size_t)n, 0);
        assert_string_equal(codes(&t), "SUFFIX");
        const wms_selftest_quirk *q = quirk(&t, WMS_QUIRK_SUFFIX);
        char want[64];
        snprintf(want, sizeof(want), "adds %s after the data", cases[i].named);
        assert_has(q->message, want);
        assert_has(q->setting, cases[i].setting);
        /* Whitespace is trimmed by the parser; other suffixes break it. */
        assert_int_equal(t.usable, i < 4);
    }
}

static void test_combined(void **state)
{
    (void)state;
    /* A typical cheap wedge: no identifier, '|' for GS, Enter after. */
    wms_selftest t = check(BODY_WITH("|") "\r");
    assert_string_equal(codes(&t), "NO_AIM,GS_REPLACED,SUFFIX");
    assert_int_equal(t.gs_sub, '|');
    assert_true(t.usable);
    /* Caps Lock, '|', CR LF: the substitute is found, letters still wrong. */
    t = check("]c1" HEAD "10yZ-4AB|21w8KQ5|" EXP "\r\n");
    assert_string_equal(codes(&t), "GS_REPLACED,CASE_CHANGED,SUFFIX");
    assert_int_equal(t.gs_sub, '|');
    assert_false(t.usable);
    /* Prefix, one separator missing and one replaced, a character lost, a
     * Tab after. */
    t = check("X" HEAD "10Yz-4ab" SER "~"
              "1730123"
              "\t");
    assert_string_equal(codes(&t), "NO_AIM,PREFIX,GS_MISSING,GS_REPLACED,CHARS_LOST,SUFFIX");
    assert_int_equal(t.gs_sub, '~');
    assert_has(quirk(&t, WMS_QUIRK_GS_MISSING)->message, "after the lot (10)");
    assert_has(quirk(&t, WMS_QUIRK_PREFIX)->message, "'X'");
    assert_false(t.usable);
    /* ]C0 and no separators: a scanner with GS1-128 decoding off. */
    t = check("]C0" BODY_WITH(""));
    assert_string_equal(codes(&t), "AIM_WRONG,GS_MISSING");
    assert_false(t.usable);
}

static void test_session_sub(void **state)
{
    (void)state;
    /* The session already accepts '|' (hello's gs): an exact scan is usable,
     * and a '|' scan is still reported (the scanner is not set up right). */
    wms_selftest t = check_sub(WMS_SELFTEST_EXPECTED, strlen(WMS_SELFTEST_EXPECTED), '|');
    assert_true(t.ok);
    assert_int_equal(t.gs_sub, 0);
    static const char no_aim_pipe[] = BODY_WITH("|");
    t = check_sub(no_aim_pipe, sizeof(no_aim_pipe) - 1, '|');
    assert_string_equal(codes(&t), "NO_AIM,GS_REPLACED");
    assert_int_equal(t.gs_sub, '|');
    /* A missing separator is not helped by any substitute. */
    static const char missing[] = "]C1" BODY_WITH("");
    t = check_sub(missing, sizeof(missing) - 1, '|');
    assert_false(t.usable);
}

static void test_wrong_label(void **state)
{
    (void)state;
    wms_selftest t = check("");
    assert_string_equal(codes(&t), "WRONG_LABEL");
    assert_false(t.usable);
    assert_has(quirk(&t, WMS_QUIRK_WRONG_LABEL)->message, "Nothing arrived");
    /* Another GS1 label, and an EAN-13. */
    t = check("]C10114006381333938172706301012AB");
    assert_string_equal(codes(&t), "WRONG_LABEL");
    assert_has(quirk(&t, WMS_QUIRK_WRONG_LABEL)->message, "not the self-test label");
    assert_has(quirk(&t, WMS_QUIRK_WRONG_LABEL)->setting, "wmsctl label selftest");
    t = check("4006381333931");
    assert_string_equal(codes(&t), "WRONG_LABEL");
    /* Longer than anything compared. */
    char big[WMS_SELFTEST_MAX_SCAN + 2];
    memset(big, '7', sizeof(big));
    t = check_sub(big, sizeof(big), 0);
    assert_string_equal(codes(&t), "WRONG_LABEL");
    assert_has(quirk(&t, WMS_QUIRK_WRONG_LABEL)->message, "characters arrived");
    /* The longest scan compared, with the label inside it. */
    memset(big, '!', sizeof(big));
    memcpy(big, WMS_SELFTEST_EXPECTED, strlen(WMS_SELFTEST_EXPECTED));
    t = check_sub(big, WMS_SELFTEST_MAX_SCAN, 0);
    assert_string_equal(codes(&t), "SUFFIX");
}

static void test_bad_args_and_codes(void **state)
{
    (void)state;
    wms_selftest t;
    assert_int_equal(wms_selftest_check(NULL, 3, 0, &t), WMS_EBAD_ARGS);
    assert_int_equal(wms_selftest_check("x", 1, 0, NULL), WMS_EBAD_ARGS);
    assert_int_equal(wms_selftest_check(NULL, 0, 0, &t), 0);
    assert_string_equal(codes(&t), "WRONG_LABEL");
    t = check(BODY_WITH("|") "\r");
    char small[8];
    assert_int_equal(wms_selftest_codes(&t, small, sizeof(small)), WMS_ETOO_LARGE);
    assert_string_equal(small, "NO_AIM");
    assert_string_equal(wms_selftest_quirk_code(WMS_QUIRK_SUFFIX), "SUFFIX");
    assert_string_equal(wms_selftest_quirk_code((wms_quirk_kind)99), "UNKNOWN");
}

/* Every single-byte change of the expected scan (each position, a few
 * replacement bytes), every deletion and every insertion: the analysis
 * never crashes, never reports an exact scan, and says something. */
static void test_every_single_edit(void **state)
{
    (void)state;
    const char *e = WMS_SELFTEST_EXPECTED;
    size_t n = strlen(e);
    static const unsigned char bytes[] = {'0', 'a', 'Z', '|', ' ', '\r', 0x1d, 0xE8, 0x7f, ']'};
    char buf[WMS_SELFTEST_MAX_SCAN];
    int runs = 0;
    for (size_t i = 0; i <= n; i++) {
        for (size_t b = 0; b < sizeof(bytes); b++) {
            /* insertion at i */
            memcpy(buf, e, i);
            buf[i] = (char)bytes[b];
            memcpy(buf + i + 1, e + i, n - i);
            wms_selftest t = check_sub(buf, n + 1, 0);
            if (i == 3 && (bytes[b] == 0x1d || bytes[b] == 0xE8)) {
                /* ]C1 then a leading FNC1: what GS1 parsers accept */
                assert_true(t.ok);
                assert_true(t.usable);
            } else {
                assert_false(t.ok);
            }
            runs++;
            if (i == n)
                continue;
            /* substitution at i */
            memcpy(buf, e, n);
            if ((unsigned char)buf[i] == bytes[b])
                continue;
            buf[i] = (char)bytes[b];
            t = check_sub(buf, n, 0);
            if (!(e[i] == 0x1d && bytes[b] == 0xE8))
                assert_false(t.ok);
            runs++;
        }
        if (i < n) { /* deletion of i */
            memcpy(buf, e, i);
            memcpy(buf + i, e + i + 1, n - i - 1);
            wms_selftest t = check_sub(buf, n - 1, 0);
            assert_false(t.ok);
            runs++;
        }
    }
    assert_true(runs > 800);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_data),
        cmocka_unit_test(test_exact),
        cmocka_unit_test(test_no_aim),
        cmocka_unit_test(test_aim_wrong),
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_gs_missing),
        cmocka_unit_test(test_gs_replaced_usable),
        cmocka_unit_test(test_gs_replaced_unusable),
        cmocka_unit_test(test_chars_lost),
        cmocka_unit_test(test_chars_changed),
        cmocka_unit_test(test_chars_added),
        cmocka_unit_test(test_case),
        cmocka_unit_test(test_suffix),
        cmocka_unit_test(test_combined),
        cmocka_unit_test(test_session_sub),
        cmocka_unit_test(test_wrong_label),
        cmocka_unit_test(test_bad_args_and_codes),
        cmocka_unit_test(test_every_single_edit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
