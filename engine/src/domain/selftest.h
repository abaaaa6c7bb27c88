/*
 * selftest.h - the scanner self-test: what a handheld's scanner did to a
 * known GS1-128 label.
 *
 * Keyboard-wedge scanners often drop the FNC1 separator or the AIM prefix,
 * type another character for the separator, lose characters when they type
 * too fast, swap letter case (Caps Lock) or add a prefix or suffix.  Then a
 * GS1 lot and expiry quietly turn into garbage.  The self-test label
 * (`wmsctl label selftest`) holds fixed data with two variable-length AIs
 * that need separators; a handheld scans it at login and the engine
 * compares what arrived with what the label holds.
 *
 * Pure domain logic: no I/O, no allocation.
 *
 * How the scan is compared (choices of this implementation):
 *  - The label's data after the AIM prefix (the "body") is located in the
 *    scan by an edit-distance alignment in which characters before and after
 *    the body are free: those are the prefix (AIM identifier and anything
 *    added) and the suffix.  Among equally good alignments the latest start
 *    and the earliest end win.  A letter that arrived in the other case
 *    costs almost nothing (it is reported, never confused with a change).
 *  - The AIM identifier is the last "]xy" (two printable characters) before
 *    the body; what else precedes the body is a PREFIX.  A GS (or 0xE8)
 *    directly before the body is a leading FNC1, which GS1 parsers accept:
 *    not a quirk.
 *  - A separator's "gap" is what arrived between the characters that were
 *    aligned to its neighbours: empty = GS_MISSING, GS or 0xE8 = fine,
 *    anything else = GS_REPLACED naming it.  One character outside GS1's
 *    82-character set that is not whitespace, ']' or a letter/digit (e.g.
 *    '|', '^', '~', '@', '#', or a control character such as 0x1C) can
 *    stand for the separator: when every replaced separator arrived as the
 *    same such character it is the device's substitute (`gs_sub`).
 *  - Data characters that did not arrive are CHARS_LOST, ones that arrived
 *    as another character CHARS_CHANGED, characters added inside the data
 *    CHARS_ADDED; positions are 1-based in the label's data with the AIM
 *    prefix (as wms_gs1_parse counts), and name the field.
 *  - Letters in the wrong case are one CASE_CHANGED quirk that says whether
 *    all arrived upper case, lower case, swapped (Caps Lock), or only some.
 *  - More than WMS_SELFTEST_MAX_SCAN bytes, nothing, or a scan in which a
 *    third or more of the label's characters would have to be edited is
 *    WRONG_LABEL alone: another barcode was scanned (or the keyboard layout
 *    is so wrong that nothing matches).
 *  - `usable` is checked, not guessed: the scan is parsed with
 *    wms_gs1_parse using the substitute found (or the session's) and must
 *    give exactly the label's four AIs and values.
 */
#ifndef WMS_DOMAIN_SELFTEST_H
#define WMS_DOMAIN_SELFTEST_H

#include "wms.h"

#include <stdbool.h>

#define WMS_SELFTEST_MAX_SCAN 128 /* bytes compared; a longer scan is WRONG_LABEL */
#define WMS_SELFTEST_MAX_QUIRKS 10
#define WMS_SELFTEST_MSG_MAX 256
#define WMS_SELFTEST_SETTING_MAX 160

/* The label's data: GTIN, lot, serial, expiry (2030-12-31). */
#define WMS_SELFTEST_GTIN "09506000134352"
#define WMS_SELFTEST_LOT "Yz-4ab"
#define WMS_SELFTEST_SERIAL "W8kq5"
#define WMS_SELFTEST_EXPIRY "301231"
/* The bracket form printed by wmsctl label selftest. */
#define WMS_SELFTEST_BRACKET                                                                       \
    "(01)" WMS_SELFTEST_GTIN "(10)" WMS_SELFTEST_LOT "(21)" WMS_SELFTEST_SERIAL                    \
    "(17)" WMS_SELFTEST_EXPIRY
/* What a correctly set up scanner sends for it (GS = 0x1D after the two
 * variable-length fields). */
#define WMS_SELFTEST_EXPECTED                                                                      \
    "]C101" WMS_SELFTEST_GTIN "10" WMS_SELFTEST_LOT "\x1d"                                         \
    "21" WMS_SELFTEST_SERIAL "\x1d"                                                                \
    "17" WMS_SELFTEST_EXPIRY

/* The wire names are the enum names without WMS_QUIRK_. */
#define WMS_QUIRKS(XX)                                                                             \
    XX(WRONG_LABEL)                                                                                \
    XX(NO_AIM)                                                                                     \
    XX(AIM_WRONG)                                                                                  \
    XX(PREFIX)                                                                                     \
    XX(GS_MISSING)                                                                                 \
    XX(GS_REPLACED)                                                                                \
    XX(CHARS_LOST)                                                                                 \
    XX(CHARS_CHANGED)                                                                              \
    XX(CHARS_ADDED)                                                                                \
    XX(CASE_CHANGED)                                                                               \
    XX(SUFFIX)

typedef enum {
#define WMS__QUIRK_ENUM(name) WMS_QUIRK_##name,
    WMS_QUIRKS(WMS__QUIRK_ENUM)
#undef WMS__QUIRK_ENUM
        WMS_QUIRK__COUNT
} wms_quirk_kind;

typedef struct wms_selftest_quirk {
    wms_quirk_kind kind;
    char message[WMS_SELFTEST_MSG_MAX];     /* what the scanner does, for the user */
    char setting[WMS_SELFTEST_SETTING_MAX]; /* the scanner setting to change */
} wms_selftest_quirk;

typedef struct wms_selftest {
    bool ok;     /* the scan is exactly the label (no quirk) */
    bool usable; /* it still parses to the label's data (with gs_sub) */
    char gs_sub; /* the substitute separator found (usable), or 0 */
    int n_quirks;
    wms_selftest_quirk quirks[WMS_SELFTEST_MAX_QUIRKS]; /* in the order of WMS_QUIRKS */
} wms_selftest;

/* Wire name of a quirk ("GS_MISSING"), "UNKNOWN" for a bad value. */
const char *wms_selftest_quirk_code(wms_quirk_kind k);

/* 1 when `c` can stand for the GS1 separator (see the header comment). */
bool wms_selftest_sub_ok(char c);

/* Compares the `len` bytes of `scan` (need not be NUL-terminated) with the
 * self-test label and fills `out`.  `session_sub` is the substitute the
 * session already accepts (0 = none); it is used for `usable` when the scan
 * shows none.  Returns 0, or WMS_EBAD_ARGS (NULL out, or NULL scan with
 * len > 0). */
int wms_selftest_check(const char *scan, size_t len, char session_sub, wms_selftest *out);

/* Writes the quirk codes, comma-separated ("GS_REPLACED,SUFFIX"; "" when
 * none), into buf (size n, always NUL-terminated when n > 0).  Returns the
 * length, or WMS_ETOO_LARGE when cut short. */
int wms_selftest_codes(const wms_selftest *t, char *buf, size_t n);

#endif
