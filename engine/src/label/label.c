/* label.c - ZPL II item / SSCC / GS1 labels and libzint barcode previews. */
#include "label/label.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zint.h>

#define DOTS_W 812 /* 4 in at 203 dpi */
#define GS1_MAX_AIS 16
#define GS1_MAX_DATA 48 /* GS1-128 data characters, FNC1 separators included */
#define GS '\x1d'       /* FNC1 marker inside element strings */

/* ---- bounded output buffer --------------------------------------------- */

typedef struct zbuf {
    char *p;
    size_t cap, len;
    bool full; /* something did not fit: the result is WMS_ETOO_LARGE */
} zbuf;

static void zb_put(zbuf *b, const char *s, size_t n)
{
    if (b->full || n >= b->cap - b->len) {
        b->full = true;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void zb_printf(zbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void zb_printf(zbuf *b, const char *fmt, ...)
{
    if (b->full)
        return;
    size_t room = b->cap - b->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(b->p + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) {
        b->full = true;
        b->p[b->len] = '\0';
        return;
    }
    b->len += (size_t)n;
}

/* Ends a label: returns the ZPL length, or WMS_ETOO_LARGE with `buf` emptied. */
static int zb_finish(zbuf *b, wms_error *err)
{
    zb_put(b, "^XZ\n", 4);
    if (b->full) {
        b->p[0] = '\0';
        return wms_error_set(err, WMS_ETOO_LARGE, "the label needs more than %zu bytes", b->cap);
    }
    return (int)b->len;
}

/* ---- text --------------------------------------------------------------- */

static size_t utf8_count(const char *s, size_t n)
{
    size_t cp = 0;
    for (size_t i = 0; i < n; i++)
        cp += ((unsigned char)s[i] & 0xC0) != 0x80;
    return cp;
}

/* Bytes of the first `max_cp` code points of `s` (never splits a sequence). */
static size_t utf8_prefix(const char *s, size_t n, size_t max_cp)
{
    size_t cp = 0;
    for (size_t i = 0; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && cp++ == max_cp)
            return i;
    }
    return n;
}

/* Appends `n` bytes as ^FH field data: '^', '~', '_', controls and non-ASCII
 * bytes become _XX. */
static void zb_escape(zbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7F || c == '^' || c == '~' || c == '_')
            zb_printf(b, "_%02X", c);
        else
            zb_put(b, (const char *)&c, 1);
    }
}

/* One text field in font 0 at (x, y), `h` x `w` dots; centred on the label
 * width when `center`.  `s` (n bytes) is escaped; "..." is appended when
 * `ellipsis`. */
static void zb_text(zbuf *b, int x, int y, int h, int w, bool center, const char *s, size_t n,
                    bool ellipsis)
{
    zb_printf(b, "^FO%d,%d^A0N,%d,%d", x, y, h, w);
    if (center)
        zb_printf(b, "^FB%d,1,0,C", DOTS_W - 2 * x);
    zb_put(b, "^FH^FD", 6);
    zb_escape(b, s, n);
    if (ellipsis)
        zb_put(b, "...", 3);
    zb_put(b, "^FS\n", 4);
}

/* Text cut to `max_cp` code points, the last three replaced by "...". */
static void zb_text_cut(zbuf *b, int x, int y, int h, int w, const char *s, size_t max_cp)
{
    size_t n = strlen(s);
    bool cut = utf8_count(s, n) > max_cp;
    zb_text(b, x, y, h, w, false, s, cut ? utf8_prefix(s, n, max_cp - 3) : n, cut);
}

/* Writes a captioned block of '\n'-separated lines (CR ignored) from y; each
 * line at most WMS_LABEL_TEXT_MAX code points and WMS_LABEL_ADDR_LINES lines,
 * else WMS_ETOO_LARGE.  Returns 0 or the error. */
static int zb_lines(zbuf *b, const char *caption, const char *text, int y, int h, int w,
                    wms_error *err)
{
    zb_text(b, 30, y, 24, 22, false, caption, strlen(caption), false);
    y += 30;
    int line = 0;
    for (const char *p = text; *p != '\0';) {
        size_t n = strcspn(p, "\n");
        size_t len = n;
        if (len > 0 && p[len - 1] == '\r')
            len--;
        if (++line > WMS_LABEL_ADDR_LINES || utf8_count(p, len) > WMS_LABEL_TEXT_MAX)
            return wms_error_set(err, WMS_ETOO_LARGE,
                                 "%s has more than %d lines or a line over %d characters", caption,
                                 WMS_LABEL_ADDR_LINES, WMS_LABEL_TEXT_MAX);
        zb_text(b, 30, y, h, w, false, p, len, false);
        y += h + 6;
        p += n + (p[n] == '\n');
    }
    return 0;
}

/* ---- check digits, EAN-13, Code 128 data -------------------------------- */

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* GS1 mod-10: weights 3,1,3,... from the rightmost data digit. */
static int check_digit(const char *d, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (d[i] - '0') * ((n - i) % 2 ? 3 : 1);
    return (10 - sum % 10) % 10;
}

/* Validates 12 or 13 EAN-13 digits; copies the 12 data digits to `out12`. */
static int ean13_data(const char *code, char out12[13], wms_error *err)
{
    size_t n = strnlen(code, 14);
    if ((n != 12 && n != 13) || !all_digits(code, n))
        return wms_error_set(err, WMS_EBAD_BARCODE, "an EAN-13 is 12 or 13 digits, not \"%.20s\"",
                             code);
    if (n == 13 && code[12] - '0' != check_digit(code, 12))
        return wms_error_set(err, WMS_EBAD_CHECK_DIGIT, "EAN-13 %s: the check digit should be %d",
                             code, check_digit(code, 12));
    memcpy(out12, code, 12);
    out12[12] = '\0';
    return 0;
}

static int code128_check(const char *code, wms_error *err)
{
    size_t n = strnlen(code, WMS_LABEL_CODE128_MAX + 1);
    if (n == 0 || n > WMS_LABEL_CODE128_MAX)
        return wms_error_set(err, n ? WMS_ETOO_LARGE : WMS_EBAD_BARCODE,
                             "Code 128 data must be 1 to %d characters", WMS_LABEL_CODE128_MAX);
    for (size_t i = 0; i < n; i++)
        if (code[i] < 0x20 || code[i] > 0x7E)
            return wms_error_set(err, WMS_EBAD_BARCODE,
                                 "Code 128 data: character %zu is not printable ASCII", i + 1);
    return 0;
}

/* ---- GS1 bracket form ----------------------------------------------------- */

typedef struct gs1_el {
    char ai[5];
    const char *v;
    size_t vlen;
    bool fixed; /* predefined length: no FNC1 needed after it */
} gs1_el;

typedef struct gs1_msg {
    int n;
    gs1_el el[GS1_MAX_AIS];
} gs1_msg;

/* GS1 "predefined length" AI prefixes: AI length and value length. */
static bool gs1_fixed(const char *ai, int *ai_len, int *v_len)
{
    static const struct {
        char p[3];
        unsigned char ai_len, v_len;
    } t[] = {{"00", 2, 18}, {"01", 2, 14}, {"02", 2, 14}, {"03", 2, 14}, {"04", 2, 16},
             {"11", 2, 6},  {"12", 2, 6},  {"13", 2, 6},  {"14", 2, 6},  {"15", 2, 6},
             {"16", 2, 6},  {"17", 2, 6},  {"18", 2, 6},  {"19", 2, 6},  {"20", 2, 2},
             {"31", 4, 6},  {"32", 4, 6},  {"33", 4, 6},  {"34", 4, 6},  {"35", 4, 6},
             {"36", 4, 6},  {"41", 3, 13}};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        if (ai[0] == t[i].p[0] && ai[1] == t[i].p[1]) {
            *ai_len = t[i].ai_len;
            *v_len = t[i].v_len;
            return true;
        }
    }
    return false;
}

/* GS1 character set 82 minus the parentheses, which delimit AIs here. */
static bool gs1_char_ok(unsigned char c)
{
    return c > 0x20 && c < 0x7F && strchr("#$@[\\]^`{|}~()", c) == NULL;
}

/* Parses "(AI)value(AI)value..." into `m`; checks AI shape, character set,
 * predefined lengths and check digits, and the 48-character symbol limit. */
static int gs1_parse(const char *s, gs1_msg *m, wms_error *err)
{
    size_t n = strnlen(s, WMS_LABEL_GS1_INPUT_MAX + 1), i = 0, total = 0;
    if (n > WMS_LABEL_GS1_INPUT_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE, "GS1 data is longer than %d characters",
                             WMS_LABEL_GS1_INPUT_MAX);
    if (n == 0)
        return wms_error_set(err, WMS_EBAD_BARCODE, "GS1 data is empty");
    m->n = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
        size_t ai_len = j - i - 1;
        if (s[i] != '(' || ai_len < 2 || ai_len > 4 || j >= n || s[j] != ')')
            return wms_error_set(err, WMS_EBAD_BARCODE,
                                 "GS1 data: expected \"(AI)\" with 2-4 digits at position %zu",
                                 i + 1);
        if (m->n == GS1_MAX_AIS)
            return wms_error_set(err, WMS_ETOO_LARGE, "GS1 data has more than %d AIs", GS1_MAX_AIS);
        gs1_el *e = &m->el[m->n++];
        memcpy(e->ai, s + i + 1, ai_len);
        e->ai[ai_len] = '\0';
        e->v = s + j + 1;
        size_t k = j + 1;
        while (k < n && s[k] != '(') {
            if (!gs1_char_ok((unsigned char)s[k]))
                return wms_error_set(err, WMS_EBAD_BARCODE,
                                     "AI %s at position %zu: character not allowed in GS1 data",
                                     e->ai, k + 1);
            k++;
        }
        e->vlen = k - j - 1;
        int want_ai, want_v;
        e->fixed = gs1_fixed(e->ai, &want_ai, &want_v);
        if (e->vlen == 0 || e->vlen > 90 ||
            (e->fixed && ((size_t)want_ai != ai_len || (size_t)want_v != e->vlen ||
                          !all_digits(e->v, e->vlen))))
            return wms_error_set(err, WMS_EBAD_BARCODE,
                                 "AI %s at position %zu: wrong AI or value length, or not digits",
                                 e->ai, i + 1);
        bool has_check = !strcmp(e->ai, "00") || !strcmp(e->ai, "01") || !strcmp(e->ai, "02") ||
                         (e->ai[0] == '4' && e->ai[1] == '1');
        if (has_check && e->v[e->vlen - 1] - '0' != check_digit(e->v, e->vlen - 1))
            return wms_error_set(err, WMS_EBAD_CHECK_DIGIT,
                                 "AI %s at position %zu: the check digit should be %d", e->ai,
                                 i + 1, check_digit(e->v, e->vlen - 1));
        total += ai_len + e->vlen + (k < n && !e->fixed); /* FNC1 separator */
        i = k;
    }
    if (total > GS1_MAX_DATA)
        return wms_error_set(err, WMS_ETOO_LARGE,
                             "GS1-128 holds at most %d characters; this data needs %zu",
                             GS1_MAX_DATA, total);
    return 0;
}

/* Renders `m` into `out` (cap > WMS_LABEL_GS1_INPUT_MAX, always enough):
 * open == 0 gives the element string with GS after variable-length fields,
 * otherwise each AI is wrapped in open/close ("(01)..." or "[01]..."). */
static size_t gs1_render(const gs1_msg *m, char open, char close, char *out, size_t cap)
{
    size_t len = 0;
    for (int i = 0; i < m->n; i++) {
        const gs1_el *e = &m->el[i];
        int n = open ? snprintf(out + len, cap - len, "%c%s%c%.*s", open, e->ai, close,
                                (int)e->vlen, e->v)
                     : snprintf(out + len, cap - len, "%s%.*s%s", e->ai, (int)e->vlen, e->v,
                                (!e->fixed && i + 1 < m->n) ? "\x1d" : "");
        if (n < 0 || (size_t)n >= cap - len)
            break; /* cannot happen within the parse limits */
        len += (size_t)n;
    }
    return len;
}

/* ---- zint ------------------------------------------------------------------- */

/* Encodes `input` with zint, warnings counted as errors (so GS1 data zint
 * finds non-compliant, e.g. a month 13, is refused), and when `path` is not
 * NULL prints it there.  Returns 0, WMS_EBAD_BARCODE (quoting zint),
 * WMS_EIO or WMS_ENOMEM.  The zint symbol is freed on every path. */
static int zint_run(int symbology, int mode, const char *input, const char *path, wms_error *err)
{
    struct zint_symbol *z = ZBarcode_Create();
    if (z == NULL)
        return wms_error_set(err, WMS_ENOMEM, NULL);
    z->symbology = symbology;
    z->input_mode = mode;
    z->warn_level = WARN_FAIL_ALL;
    z->show_hrt = 1;
    z->scale = 2.0f;
    int rc = 0, zr = ZBarcode_Encode(z, (const unsigned char *)input, (int)strlen(input));
    if (zr != 0) {
        rc = wms_error_set(err, WMS_EBAD_BARCODE, "zint: %s", z->errtxt);
    } else if (path != NULL) {
        snprintf(z->outfile, sizeof(z->outfile), "%s", path); /* length checked by the caller */
        if ((zr = ZBarcode_Print(z, 0)) != 0) {
            rc = wms_error_set(err, zr == ZINT_ERROR_MEMORY ? WMS_ENOMEM : WMS_EIO,
                               "cannot write %.200s: %s", path, z->errtxt);
            if (zr == ZINT_ERROR_FILE_WRITE)
                unlink(path); /* do not leave a truncated image behind */
        }
    }
    ZBarcode_Delete(z);
    return rc;
}

/* Parses bracket-form GS1 data and has zint lint it (AI table, dates, check
 * digits), so ZPL labels and previews accept exactly the same data. */
static int gs1_load(const char *s, gs1_msg *m, wms_error *err)
{
    int rc = gs1_parse(s, m, err);
    if (rc < 0)
        return rc;
    char sq[WMS_LABEL_GS1_INPUT_MAX + 1];
    gs1_render(m, '[', ']', sq, sizeof(sq));
    return zint_run(BARCODE_GS1_128, GS1_MODE, sq, NULL, err);
}

/* ---- ZPL Code 128 (^BC mode N) --------------------------------------------- */

static size_t digit_run(const char *s, size_t n, size_t i)
{
    size_t j = i;
    while (j < n && s[j] >= '0' && s[j] <= '9')
        j++;
    return j - i;
}

static void c128_put(zbuf *b, const char *s, size_t n, int *syms)
{
    if (b != NULL)
        zb_put(b, s, n);
    (*syms)++;
}

/* Writes ^BC field data for `s` (n bytes, printable ASCII, GS = FNC1) with
 * explicit start/subset codes to `b` (NULL: count only).  `gs1` starts with
 * ">;>8".  Returns the number of symbols before the check symbol. */
static int c128_zpl(zbuf *b, const char *s, size_t n, bool gs1)
{
    int syms = 0;
    bool in_c = gs1 || digit_run(s, n, 0) >= 4;
    c128_put(b, in_c ? ">;" : ">:", 2, &syms);
    if (gs1)
        c128_put(b, ">8", 2, &syms);
    for (size_t i = 0; i < n;) {
        if (s[i] == GS) {
            c128_put(b, ">8", 2, &syms);
            i++;
        } else if (in_c) {
            if (digit_run(s, n, i) >= 2) {
                c128_put(b, s + i, 2, &syms);
                i += 2;
            } else {
                c128_put(b, ">6", 2, &syms);
                in_c = false;
            }
        } else {
            size_t run = digit_run(s, n, i);
            bool at_end = i + run == n || s[i + run] == GS;
            if (run >= 6 || (run >= 4 && at_end)) {
                if (run % 2) /* odd run: first digit stays in B */
                    c128_put(b, s + i++, 1, &syms);
                c128_put(b, ">5", 2, &syms);
                in_c = true;
                continue;
            }
            const char *esc = s[i] == '>' ? ">0" : s[i] == '~' ? ">=" : s[i] == '^' ? "><" : NULL;
            c128_put(b, esc ? esc : s + i, esc ? 2 : 1, &syms);
            i++;
        }
    }
    return syms;
}

/* Emits a ^BC symbol centred on the label at `y`, `h` dots high, with the
 * widest module (dots) from `max_x` down to `min_x` that fits with 10-module
 * quiet zones; WMS_ETOO_LARGE when none fits. */
static int zb_code128(zbuf *b, const char *s, size_t n, bool gs1, int y, int h, int max_x,
                      int min_x, wms_error *err)
{
    int modules = (c128_zpl(NULL, s, n, gs1) + 1) * 11 + 13; /* + check, stop */
    int x = max_x;
    while (x >= min_x && (modules + 20) * x > DOTS_W)
        x--;
    if (x < min_x)
        return wms_error_set(err, WMS_ETOO_LARGE,
                             "the barcode is %d modules wide: too wide for a 4-inch label",
                             modules);
    zb_printf(b, "^FO%d,%d^BY%d^BCN,%d,N,N,N,N^FD", (DOTS_W - modules * x) / 2, y, x, h);
    c128_zpl(b, s, n, gs1);
    zb_put(b, "^FS\n", 4);
    return 0;
}

static void zb_start(zbuf *b, char *buf, size_t cap, int length)
{
    *b = (zbuf){.p = buf, .cap = cap};
    buf[0] = '\0';
    zb_printf(b, "^XA\n^CI28\n^PW%d\n^LL%d\n^LH0,0\n", DOTS_W, length);
}

/* ---- public: ZPL labels ----------------------------------------------------- */

int wms_label_item_zpl(const char *sku, const char *description, const char *code,
                       wms_label_sym sym, char *buf, size_t cap, wms_error *err)
{
    if (sku == NULL || sku[0] == '\0' || code == NULL || buf == NULL || cap == 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "item label: SKU, code and buffer are required");
    buf[0] = '\0';
    size_t sku_len = strlen(sku), sku_cp = utf8_count(sku, sku_len);
    if (sku_cp > WMS_LABEL_SKU_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE, "a SKU on a label is at most %d characters",
                             WMS_LABEL_SKU_MAX);
    char ean[13], data[WMS_LABEL_GS1_INPUT_MAX + 1], hrt[WMS_LABEL_GS1_INPUT_MAX + 1];
    size_t data_len = 0, hrt_len = 0;
    gs1_msg m;
    int rc = 0;
    if (sym == WMS_LABEL_EAN13) {
        rc = ean13_data(code, ean, err);
    } else if (sym == WMS_LABEL_GS1_128) {
        if ((rc = gs1_load(code, &m, err)) == 0) {
            data_len = gs1_render(&m, 0, 0, data, sizeof(data));
            hrt_len = gs1_render(&m, '(', ')', hrt, sizeof(hrt));
        }
    } else if (sym == WMS_LABEL_CODE128) {
        if ((rc = code128_check(code, err)) == 0) {
            data_len = hrt_len = strlen(code);
            memcpy(data, code, data_len);
            memcpy(hrt, code, hrt_len);
        }
    } else {
        rc = wms_error_set(err, WMS_EBAD_ARGS, "unknown symbology %d", (int)sym);
    }
    if (rc < 0)
        return rc;

    zbuf b;
    zb_start(&b, buf, cap, 406);
    bool big = sku_cp <= 16;
    zb_text(&b, 30, 20, big ? 64 : 40, big ? 56 : 34, false, sku, sku_len, false);
    if (description != NULL)
        zb_text_cut(&b, 30, 96, 30, 26, description, WMS_LABEL_DESC_MAX);
    if (sym == WMS_LABEL_EAN13) {
        /* 95 modules at 3 dots; the printer adds the check digit and the text. */
        zb_printf(&b, "^FO%d,140^BY3^BEN,180,Y,N^FD%s^FS\n", (DOTS_W - 95 * 3) / 2, ean);
    } else {
        rc = zb_code128(&b, data, data_len, sym == WMS_LABEL_GS1_128, 140, 170, 3, 2, err);
        if (rc < 0) {
            buf[0] = '\0';
            return rc;
        }
        zb_text(&b, 30, 325, 30, 26, true, hrt, hrt_len, false);
    }
    return zb_finish(&b, err);
}

int wms_label_sscc_zpl(const wms_label_sscc *l, char *buf, size_t cap, wms_error *err)
{
    if (l == NULL || l->sscc18 == NULL || l->ship_to == NULL || l->ship_to[0] == '\0' ||
        buf == NULL || cap == 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "SSCC label: SSCC, ship-to and buffer needed");
    buf[0] = '\0';
    const char *d = l->sscc18;
    if (strnlen(d, 19) != 18 || !all_digits(d, 18))
        return wms_error_set(err, WMS_EBAD_BARCODE, "an SSCC is 18 digits, not \"%.24s\"", d);
    if (d[17] - '0' != check_digit(d, 17))
        return wms_error_set(err, WMS_EBAD_CHECK_DIGIT, "SSCC %s: the check digit should be %d", d,
                             check_digit(d, 17));
    const char *opt[2] = {l->carrier ? l->carrier : "", l->order_id ? l->order_id : ""};
    for (int i = 0; i < 2; i++)
        if (utf8_count(opt[i], strlen(opt[i])) > WMS_LABEL_TEXT_MAX)
            return wms_error_set(err, WMS_ETOO_LARGE, "%s is longer than %d characters",
                                 i ? "the order id" : "the carrier", WMS_LABEL_TEXT_MAX);

    zbuf b;
    zb_start(&b, buf, cap, 1218);
    int rc = 0;
    if (l->ship_from != NULL && l->ship_from[0] != '\0')
        rc = zb_lines(&b, "SHIP FROM", l->ship_from, 20, 22, 20, err);
    if (rc == 0) {
        zb_printf(&b, "^FO0,220^GB%d,3,3^FS\n", DOTS_W);
        rc = zb_lines(&b, "SHIP TO", l->ship_to, 235, 34, 28, err);
    }
    if (rc < 0) {
        buf[0] = '\0';
        return rc;
    }
    zb_printf(&b, "^FO0,520^GB%d,3,3^FS\n", DOTS_W);
    zb_text(&b, 30, 540, 24, 22, false, "CARRIER", 7, false);
    zb_text(&b, 30, 570, 40, 34, false, opt[0], strlen(opt[0]), false);
    zb_text(&b, 30, 625, 24, 22, false, "ORDER", 5, false);
    zb_text(&b, 30, 655, 40, 34, false, opt[1], strlen(opt[1]), false);
    zb_printf(&b, "^FO0,715^GB%d,3,3^FS\n", DOTS_W);
    zb_text(&b, 30, 735, 24, 22, false, "SSCC", 4, false);
    char data[21], hrt[32];
    snprintf(data, sizeof(data), "00%s", d);
    /* 18 digits shown as extension, 7, 9 and check digit: "(00) 1 2345678 123456789 7" */
    int hrt_len = snprintf(hrt, sizeof(hrt), "(00) %.1s %.7s %.9s %.1s", d, d + 1, d + 8, d + 17);
    /* X = 4 dots (0.5 mm, GS1 logistic minimum 0.495 mm), 32 mm high. */
    rc = zb_code128(&b, data, 20, true, 770, 256, 4, 4, err);
    if (rc < 0) {
        buf[0] = '\0';
        return rc;
    }
    zb_text(&b, 30, 1045, 44, 38, true, hrt, (size_t)hrt_len, false);
    return zb_finish(&b, err);
}

int wms_label_gs1_zpl(const char *bracket_data, const char *title, char *buf, size_t cap,
                      wms_error *err)
{
    if (bracket_data == NULL || buf == NULL || cap == 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "GS1 label: data and buffer are required");
    buf[0] = '\0';
    gs1_msg m;
    int rc = gs1_load(bracket_data, &m, err);
    if (rc < 0)
        return rc;
    char data[WMS_LABEL_GS1_INPUT_MAX + 1], hrt[WMS_LABEL_GS1_INPUT_MAX + 1];
    size_t data_len = gs1_render(&m, 0, 0, data, sizeof(data));
    size_t hrt_len = gs1_render(&m, '(', ')', hrt, sizeof(hrt));

    zbuf b;
    zb_start(&b, buf, cap, 406);
    if (title != NULL)
        zb_text_cut(&b, 30, 25, 40, 34, title, WMS_LABEL_TEXT_MAX);
    if ((rc = zb_code128(&b, data, data_len, true, 90, 200, 3, 2, err)) < 0) {
        buf[0] = '\0';
        return rc;
    }
    zb_text(&b, 30, 310, 30, 26, true, hrt, hrt_len, false);
    return zb_finish(&b, err);
}

/* ---- public: zint preview ---------------------------------------------------- */

int wms_label_preview(wms_label_sym sym, const char *data, const char *path, wms_error *err)
{
    if (data == NULL || path == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "preview: data and path are required");
    size_t plen = strlen(path);
    if (plen < 5 || (strcasecmp(path + plen - 4, ".png") && strcasecmp(path + plen - 4, ".svg")))
        return wms_error_set(err, WMS_EBAD_ARGS, "preview: \"%.200s\" is not a .png or .svg file",
                             path);
    if (plen >= sizeof(((struct zint_symbol *)0)->outfile))
        return wms_error_set(err, WMS_ETOO_LARGE, "preview: the path is too long");

    char input[WMS_LABEL_GS1_INPUT_MAX + 1];
    int symbology, mode = DATA_MODE, rc = 0;
    gs1_msg m;
    if (sym == WMS_LABEL_EAN13) {
        symbology = BARCODE_EANX;
        rc = ean13_data(data, input, err); /* zint adds the check digit */
    } else if (sym == WMS_LABEL_GS1_128) {
        symbology = BARCODE_GS1_128;
        mode = GS1_MODE; /* zint wants "[01]..." */
        if ((rc = gs1_parse(data, &m, err)) == 0)
            gs1_render(&m, '[', ']', input, sizeof(input));
    } else if (sym == WMS_LABEL_CODE128) {
        symbology = BARCODE_CODE128;
        if ((rc = code128_check(data, err)) == 0)
            snprintf(input, sizeof(input), "%s", data);
    } else {
        return wms_error_set(err, WMS_EBAD_ARGS, "unknown symbology %d", (int)sym);
    }
    if (rc < 0)
        return rc;

    return zint_run(symbology, mode, input, path, err);
}
