/*
 * gs1.h - GS1 barcode data: GTIN check digits, element strings, AIs, dates.
 *
 * Pure domain logic: no I/O, no allocation.  Parses what a scanner sends:
 *  - plain GTIN-8 / UPC-A (12) / EAN-13 / GTIN-14 (ITF-14) digit strings;
 *  - GS1 element strings (GS1-128, GS1 DataMatrix, DataBar, QR) with FNC1
 *    sent as GS (0x1D), a configurable substitute character, or raw 0xE8;
 *  - an optional AIM symbology identifier prefix (]C1, ]d2, ]e0, ]E0, ...);
 *  - the human-readable bracket form "(01)...(17)...(10)...".
 *
 * Choices made by this implementation:
 *  - Plain GTINs (8/12/13/14 digits without prefix, or ]E0, ]E4, ]I1) fill
 *    `gtin` (left-padded to 14 digits) and leave n_ais = 0: `ais` only holds
 *    AIs actually present in element strings.  ]E3 (EAN/UPC with add-on)
 *    yields the main GTIN; the add-on is dropped.
 *  - AIM prefixes: ]E0 -> "ean13" (13 digits, a UPC-A included), ]E4 ->
 *    "ean8", ]I1 -> "itf14", ]C1 "gs1-128", ]d2 "gs1-datamatrix", ]e0
 *    "gs1-databar", ]Q3 "gs1-qr", ]J1 "gs1-dotcode"; any other (]C0, ]d1,
 *    ]Q1, ]I0, ...) is WMS_EBAD_BARCODE "not a GS1 symbol".
 *  - A leading FNC1 and one trailing FNC1 are tolerated; two separators in a
 *    row are an error.  An FNC1 after a predefined-length AI is allowed.
 *  - The substitute separator is always a separator, even when it is in the
 *    82-character set; letters, digits, '(' and whitespace are refused as
 *    substitutes (WMS_EBAD_ARGS).
 *  - Bracket form: a '(' inside a value is written "\(".  Positions in
 *    messages are 1-based in the trimmed input, prefix included; "AI nn at
 *    position p" is the position of the AI's first digit.
 *  - Association rules (req=/ex=) are not enforced, except that two 310n
 *    with different weights, or one AI twice with different values, fail.
 *  - count: AI 37 if present, else AI 30.
 *  - The AI dictionary follows the GS1 Barcode Syntax Dictionary minus 8030
 *    (digital signature); content linters beyond dates, times and check
 *    digits (ISO country/currency codes, IBAN, ...) are not applied.
 *  - More than WMS_GS1_MAX_AIS distinct AIs, or more than WMS_GS1_MAX_INPUT
 *    bytes of input (before trimming), is WMS_ETOO_LARGE.
 *  - NULL `out`, NULL `input` with len > 0, a bad substitute, or a
 *    current_year outside 1000..9800 is WMS_EBAD_ARGS.
 *  - On failure `out` is zeroed.
 *  - JSON also carries "content_gtin", "packaging_date" and "order_number"
 *    when present; strings are pure ASCII (other bytes as \u00XX);
 *    net_weight_kg is written locale-independently with up to 6 decimals.
 */
#ifndef WMS_DOMAIN_GS1_H
#define WMS_DOMAIN_GS1_H

#include "wms.h"

#include <stdbool.h>

#define WMS_GS1_MAX_AIS 24
#define WMS_GS1_MAX_VALUE 90 /* longest AI value (x..90) */
#define WMS_GS1_MAX_INPUT 512

typedef struct wms_gs1_ai {
    char ai[5];                        /* "01", "3103", "400" */
    char value[WMS_GS1_MAX_VALUE + 1]; /* raw value as scanned */
} wms_gs1_ai;

typedef struct wms_gs1 {
    char symbology[24]; /* "ean8", "upca", "ean13", "itf14", "gtin14", "gs1-128",
                           "gs1-datamatrix", "gs1-databar", "gs1-qr", "gs1-dotcode",
                           "gs1-element-string", "gs1-bracketed" */
    int n_ais;
    wms_gs1_ai ais[WMS_GS1_MAX_AIS]; /* in scan order */
    /* Decoded fields; empty string / has_* == false when absent. */
    char gtin[15];            /* 14 digits: AI 01, or a plain GTIN left-padded */
    char content_gtin[15];    /* AI 02 */
    char sscc[19];            /* AI 00 */
    char lot[21];             /* AI 10 */
    char serial[21];          /* AI 21 */
    char expiry[11];          /* AI 17 as YYYY-MM-DD */
    char best_before[11];     /* AI 15 */
    char production_date[11]; /* AI 11 */
    char packaging_date[11];  /* AI 13 */
    char order_number[31];    /* AI 400 */
    bool has_count;           /* AI 30 or AI 37 */
    long count;
    bool has_net_weight; /* AI 310n */
    double net_weight_kg;
} wms_gs1;

typedef struct wms_gs1_opts {
    char gs_substitute; /* extra character accepted as FNC1/GS (e.g. '|'); 0 = none */
    int current_year;   /* for the YY century rule; 0 = the current UTC year */
} wms_gs1_opts;

/* Parses `len` bytes of `input` (need not be NUL-terminated; leading and
 * trailing whitespace/CR/LF are trimmed).  `opts` may be NULL.  On success
 * fills `out` and returns 0.  On failure returns WMS_EBAD_CHECK_DIGIT (a GTIN,
 * SSCC or GLN whose check digit is wrong) or WMS_EBAD_BARCODE (anything
 * else), with a message in `err` naming the AI and the 1-based character
 * position, e.g. "AI 17 at position 19: 261340 is not a valid date". */
int wms_gs1_parse(const char *input, size_t len, const wms_gs1_opts *opts, wms_gs1 *out,
                  wms_error *err);

/* The GS1 mod-10 check digit (0-9) for the `n` digits at `digits` (the
 * digits before the check digit), or -1 if any is not a digit. */
int wms_gs1_check_digit(const char *digits, size_t n);

/* True when the `n` digits at `digits` end in a correct check digit. */
bool wms_gs1_check_valid(const char *digits, size_t n);

/* Writes a GS1 restricted-circulation GTIN-13 into `out` (14 bytes incl.
 * NUL): two-digit `prefix` ("02", "20".."29"), then `seq` as 10 zero-padded
 * digits, then the check digit.  Returns 0, or WMS_EBAD_ARGS for a prefix
 * outside 02/20-29 or seq >= 10^10. */
int wms_gs1_rcn_make(const char *prefix, uint64_t seq, char out[14]);

/* Writes the parse as one JSON object into `buf` (size `n`):
 * {"symbology":..,"ais":{"01":"..",..},"gtin":..,"lot":..,"expiry":"YYYY-MM-DD",
 *  "best_before":..,"production_date":..,"serial":..,"count":N,"sscc":..,
 *  "net_weight_kg":N} with absent keys left out.  Returns the length, or
 * WMS_ETOO_LARGE when `n` is too small. */
int wms_gs1_to_json(const wms_gs1 *g, char *buf, size_t n);

/* Validates and normalises a plain GTIN (8, 12, 13 or 14 digits with a
 * correct check digit) to 14 digits in `out14` (15 bytes incl. NUL).
 * Returns 0, WMS_EBAD_CHECK_DIGIT, or WMS_EBAD_BARCODE (not a GTIN shape). */
int wms_gtin_normalize(const char *code, char out14[15]);

#endif
