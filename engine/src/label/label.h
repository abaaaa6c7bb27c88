/*
 * label.h - printable labels: ZPL II for Zebra thermal printers (203 dpi) and
 * barcode previews (PNG/SVG) rendered with libzint.
 *
 * ZPL choices (ZPL II Programming Guide):
 *  - Text fields carry user data through ^FH (hex indicator '_'): '^', '~',
 *    '_', control bytes and every non-ASCII byte are written as _XX, and ^CI28
 *    makes the printer read the resulting bytes as UTF-8.  No raw '^' or '~'
 *    from user data ever reaches the output.
 *  - EAN-13 uses ^BE with the 12 data digits; the printer adds the check digit
 *    (a 13-digit input has its check digit verified first, then dropped).
 *  - Code 128 and GS1-128 use ^BC in mode N (no UCC mode, no printer-side check
 *    digit) with explicit invocation codes computed here: >: / >; start B / C,
 *    >5 / >6 switch to C / B, >8 FNC1, and >0 >= >< for the data characters
 *    '>' '~' '^'.  GS1-128 starts ">;>8" (start C, FNC1) and puts >8 after
 *    every variable-length element that is not last.  The interpretation line
 *    is a separate text field ("(01)...(10)..." or the spaced SSCC form).
 */
#ifndef WMS_LABEL_LABEL_H
#define WMS_LABEL_LABEL_H

#include "wms.h"

typedef enum {
    WMS_LABEL_EAN13,   /* 12 digits, or 13 with a correct GS1 check digit */
    WMS_LABEL_GS1_128, /* bracket form "(01)09501101530003(17)261231(10)AB1" */
    WMS_LABEL_CODE128, /* printable ASCII (0x20-0x7E) */
} wms_label_sym;

#define WMS_LABEL_SKU_MAX 32        /* code points of a SKU */
#define WMS_LABEL_DESC_MAX 36       /* code points kept of a description (then "...") */
#define WMS_LABEL_TEXT_MAX 40       /* code points of a title, order id, carrier, address line */
#define WMS_LABEL_ADDR_LINES 6      /* lines of a ship-to / ship-from address */
#define WMS_LABEL_CODE128_MAX 48    /* characters of Code 128 data */
#define WMS_LABEL_GS1_INPUT_MAX 256 /* bytes of bracket-form GS1 input */

/* Item label, 4x2 in (^PW812 ^LL406): SKU in large type, the description on
 * one line (cut to WMS_LABEL_DESC_MAX code points), the barcode of `code` in
 * symbology `sym`, and its human-readable line.  `description` may be NULL.
 * Writes NUL-terminated ZPL into `buf` and returns its length; on error
 * returns WMS_EBAD_ARGS (missing argument), WMS_EBAD_BARCODE or
 * WMS_EBAD_CHECK_DIGIT (bad `code`), or WMS_ETOO_LARGE (`cap` too small, SKU
 * too long, or the barcode too wide for the label), and leaves `buf` empty. */
int wms_label_item_zpl(const char *sku, const char *description, const char *code,
                       wms_label_sym sym, char *buf, size_t cap, wms_error *err);

/* Inputs of a GS1 logistic (SSCC carton) label. */
typedef struct wms_label_sscc {
    const char *sscc18;    /* 18 digits ending in a correct check digit */
    const char *ship_from; /* optional; lines separated by '\n' */
    const char *ship_to;   /* required; lines separated by '\n' */
    const char *order_id;  /* optional */
    const char *carrier;   /* optional */
} wms_label_sscc;

/* GS1 logistic label, 4x6 in (^PW812 ^LL1218): ship-from, ship-to, carrier
 * and order blocks, then the (00) SSCC as GS1-128 (X = 4 dots = 0.5 mm) with
 * the text "(00) 1 2345678 123456789 7" under it.  Addresses may have up to
 * WMS_LABEL_ADDR_LINES lines of WMS_LABEL_TEXT_MAX code points: longer is
 * WMS_ETOO_LARGE (an address is never cut).  Returns the ZPL length, or
 * WMS_EBAD_ARGS, WMS_EBAD_BARCODE, WMS_EBAD_CHECK_DIGIT, WMS_ETOO_LARGE. */
int wms_label_sscc_zpl(const wms_label_sscc *label, char *buf, size_t cap, wms_error *err);

/* Generic GS1-128 label, 4x2 in: `title` (cut to WMS_LABEL_TEXT_MAX code
 * points; may be NULL), the symbol for `bracket_data` ("(01)...(10)..."), and
 * the bracket form as text.  Fixed-length AIs (00, 01, 02, 11-20, 31-36, 41x)
 * are checked for length, digits and (00, 01, 02, 41x) check digit.  Returns
 * the ZPL length, or WMS_EBAD_ARGS, WMS_EBAD_BARCODE, WMS_EBAD_CHECK_DIGIT,
 * WMS_ETOO_LARGE (more than 48 data characters, or `cap` too small). */
int wms_label_gs1_zpl(const char *bracket_data, const char *title, char *buf, size_t cap,
                      wms_error *err);

/* Renders `data` in symbology `sym` with its human-readable text to `path`,
 * a PNG or SVG file chosen by the extension ".png"/".svg" (any case).
 * Returns 0; WMS_EBAD_ARGS (missing argument, other extension),
 * WMS_ETOO_LARGE (path of 256 bytes or more), WMS_EBAD_BARCODE /
 * WMS_EBAD_CHECK_DIGIT (data rejected here or by zint, whose message is
 * quoted), WMS_EIO (the file could not be written), WMS_ENOMEM.  No file is
 * written when the data is rejected. */
int wms_label_preview(wms_label_sym sym, const char *data, const char *path, wms_error *err);

#endif /* WMS_LABEL_LABEL_H */
