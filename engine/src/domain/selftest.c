/* selftest.c - the scanner self-test: compare a scan with the test label. */
#include "domain/selftest.h"
#include "domain/gs1.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define GS 0x1D
#define FNC1_E8 0xE8
#define AIM_LEN 3
#define BODY ((const unsigned char *)WMS_SELFTEST_EXPECTED + AIM_LEN)
#define BODY_LEN (sizeof(WMS_SELFTEST_EXPECTED) - 1 - AIM_LEN)
#define MAX_N WMS_SELFTEST_MAX_SCAN
#define C_CASE 1   /* a letter in the other case: reported, but nearly a match */
#define C_EDIT 16  /* a character lost, added or changed */
#define LIST_MAX 3 /* characters named in one message */

/* The label's fields in order; a variable-length field is followed by a
 * separator unless it is last. */
static const struct st_field {
    const char *ai;
    const char *value;
    const char *name;
    int variable;
} fields[] = {
    {"01", WMS_SELFTEST_GTIN, "GTIN (01)", 0},
    {"10", WMS_SELFTEST_LOT, "lot (10)", 1},
    {"21", WMS_SELFTEST_SERIAL, "serial (21)", 1},
    {"17", WMS_SELFTEST_EXPIRY, "expiry date (17)", 0},
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

enum { OP_START, OP_DIAG, OP_UP, OP_LEFT };
enum { K_MATCH, K_CASE, K_SUB };

/* The alignment of the label's body with a scan (see selftest.h). */
typedef struct st_diff {
    const unsigned char *r; /* the scan */
    size_t n;
    size_t start, end;            /* the body's region in the scan */
    int r_of[BODY_LEN];           /* scan index of body character i, -1 = lost */
    unsigned char kind[BODY_LEN]; /* K_* of an aligned body character */
    bool extra[MAX_N];            /* scan character added inside the region */
    bool explained[MAX_N];        /* belongs to a separator's gap */
    int edits;                    /* characters lost, added or changed */
} st_diff;

const char *wms_selftest_quirk_code(wms_quirk_kind k)
{
    static const char *const names[] = {
#define X__(name) #name,
        WMS_QUIRKS(X__)
#undef X__
    };
    return (unsigned)k < WMS_QUIRK__COUNT ? names[k] : "UNKNOWN";
}

static bool is_upper(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_alpha(unsigned char c)
{
    return is_upper(c) || is_lower(c);
}

static unsigned char to_lower(unsigned char c)
{
    return is_upper(c) ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

bool wms_selftest_sub_ok(char ch)
{
    unsigned char c = (unsigned char)ch;
    if (c == 0 || c == GS || is_space(c))
        return false;
    if (c < 0x20)
        return true; /* a control character (FS, RS, EOT, ...) */
    return strchr("#$@[\\^`{|}~", c) != NULL;
}

/* ---- text ----------------------------------------------------------------- */

/* Appends a formatted string to buf (size n), cutting it short if needed. */
static void sb_addf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sb_addf(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strnlen(buf, n);
    if (len + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, n - len, fmt, ap);
    va_end(ap);
}

/* Names one byte for a user: 'a', a space, CR, Tab, GS, 0xE8. */
static void show_byte(char *buf, size_t n, unsigned char c)
{
    static const char *const ctl[32] = {"NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL",
                                        "BS",  "Tab", "LF",  "VT",  "FF",  "CR",  "SO",  "SI",
                                        "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB",
                                        "CAN", "EM",  "SUB", "ESC", "FS",  "GS",  "RS",  "US"};
    if (c < 0x20)
        snprintf(buf, n, "%s", ctl[c]);
    else if (c == ' ')
        snprintf(buf, n, "a space");
    else if (c == '\'')
        snprintf(buf, n, "\"'\"");
    else if (c < 0x7F)
        snprintf(buf, n, "'%c'", c);
    else
        snprintf(buf, n, "0x%02X", c);
}

/* Names `len` bytes: "'AB'" when all are printable, else "CR LF" style. */
static void show_bytes(char *buf, size_t n, const unsigned char *s, size_t len)
{
    buf[0] = '\0';
    bool plain = len > 1;
    for (size_t i = 0; i < len && plain; i++)
        plain = s[i] > 0x20 && s[i] < 0x7F && s[i] != '\'';
    if (len == 1 || !plain) {
        for (size_t i = 0; i < len; i++) {
            char one[16];
            if (i == 8) {
                sb_addf(buf, n, " ...");
                break;
            }
            show_byte(one, sizeof(one), s[i]);
            sb_addf(buf, n, "%s%s", i ? " " : "", one);
        }
        return;
    }
    if (len > 20)
        snprintf(buf, n, "'%.20s...'", (const char *)s);
    else
        snprintf(buf, n, "'%.*s'", (int)len, (const char *)s);
}

/* Where body character i is: "lot (10), character 3", "AI 10" or "the
 * separator after the lot (10)". */
static void where(size_t i, char *buf, size_t n)
{
    size_t at = 0;
    for (size_t k = 0; k < N_FIELDS; k++) {
        size_t la = strlen(fields[k].ai), lv = strlen(fields[k].value);
        if (i < at + la) {
            snprintf(buf, n, "AI %s", fields[k].ai);
            return;
        }
        at += la;
        if (i < at + lv) {
            snprintf(buf, n, "%s, character %zu", fields[k].name, i - at + 1);
            return;
        }
        at += lv;
        if (fields[k].variable && k + 1 < N_FIELDS) {
            if (i == at) {
                snprintf(buf, n, "the separator after the %s", fields[k].name);
                return;
            }
            at++;
        }
    }
    snprintf(buf, n, "the end");
}

/* The field name a separator at body index g follows ("lot (10)"). */
static const char *sep_field(size_t g)
{
    size_t at = 0;
    for (size_t k = 0; k < N_FIELDS; k++) {
        at += strlen(fields[k].ai) + strlen(fields[k].value);
        if (fields[k].variable && k + 1 < N_FIELDS) {
            if (g == at)
                return fields[k].name;
            at++;
        }
    }
    return "field";
}

/* 1-based position of body character i in the label's data (AIM included). */
static size_t pos_of(size_t i)
{
    return AIM_LEN + i + 1;
}

static wms_selftest_quirk *add_quirk(wms_selftest *t, wms_quirk_kind k)
{
    if (t->n_quirks >= WMS_SELFTEST_MAX_QUIRKS)
        return NULL; /* cannot happen: at most one quirk per kind */
    wms_selftest_quirk *q = &t->quirks[t->n_quirks++];
    memset(q, 0, sizeof(*q));
    q->kind = k;
    return q;
}

/* ---- alignment ------------------------------------------------------------ */

static int pair_cost(unsigned char b, unsigned char r, unsigned char *kind)
{
    if (b == r || (b == GS && r == FNC1_E8)) {
        *kind = K_MATCH;
        return 0;
    }
    if (is_alpha(b) && is_alpha(r) && to_lower(b) == to_lower(r)) {
        *kind = K_CASE;
        return C_CASE;
    }
    *kind = K_SUB;
    return C_EDIT;
}

/* Aligns the label's body with r[0..n) (n <= MAX_N), characters before and
 * after the body free; fills d.  The tables take about 22 KB of stack. */
static void align(const unsigned char *r, size_t n, st_diff *d)
{
    static const size_t m = BODY_LEN;
    uint16_t cost[BODY_LEN + 1][MAX_N + 1];
    uint8_t start[BODY_LEN + 1][MAX_N + 1];
    uint8_t op[BODY_LEN + 1][MAX_N + 1];
    unsigned char kind;
    for (size_t j = 0; j <= n; j++) {
        cost[0][j] = 0;
        start[0][j] = (uint8_t)j;
        op[0][j] = OP_START;
    }
    for (size_t i = 1; i <= m; i++) {
        cost[i][0] = (uint16_t)(i * C_EDIT);
        start[i][0] = 0;
        op[i][0] = OP_UP;
        for (size_t j = 1; j <= n; j++) {
            int bc = cost[i - 1][j - 1] + pair_cost(BODY[i - 1], r[j - 1], &kind);
            int bs = start[i - 1][j - 1], bo = OP_DIAG;
            int c = cost[i - 1][j] + C_EDIT, s = start[i - 1][j];
            if (c < bc || (c == bc && s > bs))
                bc = c, bs = s, bo = OP_UP;
            c = cost[i][j - 1] + C_EDIT, s = start[i][j - 1];
            if (c < bc || (c == bc && s > bs))
                bc = c, bs = s, bo = OP_LEFT;
            cost[i][j] = (uint16_t)bc;
            start[i][j] = (uint8_t)bs;
            op[i][j] = (uint8_t)bo;
        }
    }
    /* The best end: lowest cost, then latest start, then earliest end. */
    size_t end = 0;
    for (size_t j = 1; j <= n; j++)
        if (cost[m][j] < cost[m][end] ||
            (cost[m][j] == cost[m][end] && start[m][j] > start[m][end]))
            end = j;
    memset(d, 0, sizeof(*d));
    d->r = r;
    d->n = n;
    d->end = end;
    size_t i = m, j = end;
    while (i > 0) {
        if (op[i][j] == OP_DIAG) {
            pair_cost(BODY[i - 1], r[j - 1], &kind);
            d->r_of[i - 1] = (int)(j - 1);
            d->kind[i - 1] = kind;
            d->edits += kind == K_SUB;
            i--, j--;
        } else if (op[i][j] == OP_UP) {
            d->r_of[i - 1] = -1;
            d->edits++;
            i--;
        } else {
            d->extra[j - 1] = true;
            d->edits++;
            j--;
        }
    }
    d->start = j;
}

/* ---- the quirks ------------------------------------------------------------ */

static void wrong_label(wms_selftest *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void wrong_label(wms_selftest *t, const char *fmt, ...)
{
    wms_selftest_quirk *q = add_quirk(t, WMS_QUIRK_WRONG_LABEL);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q->message, sizeof(q->message), fmt, ap);
    va_end(ap);
    snprintf(q->setting, sizeof(q->setting),
             "Scan the label printed by 'wmsctl label selftest'; if you did, set the scanner's "
             "keyboard country/layout to the handheld's.");
}

/* What precedes the body: the AIM identifier and any added prefix.  Counts
 * an AIM "]c1" into the case figures (*letters, *swapped, *upper, *lower). */
static void check_prefix(wms_selftest *t, const st_diff *d, int *letters, int *swapped, int *upper,
                         int *lower)
{
    const unsigned char *p = d->r;
    size_t plen = d->start;
    if (plen > 0 && (p[plen - 1] == GS || p[plen - 1] == FNC1_E8))
        plen--; /* a leading FNC1: GS1 parsers accept it */
    size_t k = SIZE_MAX;
    for (size_t x = plen; x >= AIM_LEN && k == SIZE_MAX; x--)
        if (p[x - 3] == ']' && p[x - 2] > 0x20 && p[x - 2] < 0x7F && p[x - 1] > 0x20 &&
            p[x - 1] < 0x7F)
            k = x - 3;
    unsigned char extra[MAX_N];
    size_t nextra = 0;
    char shown[96];
    if (k == SIZE_MAX) {
        wms_selftest_quirk *q = add_quirk(t, WMS_QUIRK_NO_AIM);
        snprintf(q->message, sizeof(q->message),
                 "The scanner sends no AIM symbology identifier: ']C1' should come before the "
                 "data, so the handheld cannot tell a GS1-128 label from plain text.");
        snprintf(q->setting, sizeof(q->setting),
                 "Enable transmission of the AIM symbology identifier (AIM ID) prefix.");
        memcpy(extra, p, plen);
        nextra = plen;
    } else {
        const unsigned char *aim = p + k;
        if ((aim[1] == 'C' || aim[1] == 'c') && aim[2] == '1') {
            (*letters)++;
            *swapped += aim[1] == 'c';
            *upper += aim[1] == 'C';
            *lower += aim[1] == 'c';
        } else {
            wms_selftest_quirk *q = add_quirk(t, WMS_QUIRK_AIM_WRONG);
            bool c0 = aim[1] == 'C' && aim[2] == '0';
            snprintf(
                q->message, sizeof(q->message),
                "The scanner announces the label as ']%c%c' instead of ']C1'%s.", aim[1], aim[2],
                c0 ? ": it reads GS1-128 as plain Code 128 and loses the meaning of FNC1" : "");
            snprintf(q->setting, sizeof(q->setting), "%s",
                     c0 ? "Enable GS1-128 (UCC/EAN-128) decoding."
                        : "Transmit the AIM symbology identifier (AIM ID), not the scanner's "
                          "own code ID.");
        }
        memcpy(extra, p, k);
        memcpy(extra + k, p + k + AIM_LEN, plen - k - AIM_LEN);
        nextra = plen - AIM_LEN;
    }
    if (nextra > 0) {
        wms_selftest_quirk *q = add_quirk(t, WMS_QUIRK_PREFIX);
        show_bytes(shown, sizeof(shown), extra, nextra);
        snprintf(q->message, sizeof(q->message), "The scanner adds %s before the data.", shown);
        snprintf(q->setting, sizeof(q->setting), "Clear the scanner's prefix (preamble) setting.");
    }
}

/* The separators: GS_MISSING, GS_REPLACED; sets t->gs_sub. */
static void check_separators(wms_selftest *t, st_diff *d)
{
    size_t missing[2], nmissing = 0, replaced[2], nreplaced = 0;
    size_t rlo[2], rlen[2];
    for (size_t g = 0; g < BODY_LEN; g++) {
        if (BODY[g] != GS)
            continue;
        size_t lo = d->start, hi = d->end;
        for (size_t i = g; i-- > 0;)
            if (d->r_of[i] >= 0) {
                lo = (size_t)d->r_of[i] + 1;
                break;
            }
        for (size_t i = g + 1; i < BODY_LEN; i++)
            if (d->r_of[i] >= 0) {
                hi = (size_t)d->r_of[i];
                break;
            }
        /* The FNC1 the separator is aligned with, else the first in the gap. */
        size_t fnc1 = d->r_of[g] >= 0 && d->kind[g] == K_MATCH ? (size_t)d->r_of[g] : SIZE_MAX;
        for (size_t x = lo; x < hi && fnc1 == SIZE_MAX; x++)
            if (d->r[x] == GS || d->r[x] == FNC1_E8)
                fnc1 = x;
        if (fnc1 != SIZE_MAX) {
            d->explained[fnc1] = true; /* anything else in the gap was added */
            continue;
        }
        for (size_t x = lo; x < hi; x++)
            d->explained[x] = true;
        if (lo == hi) {
            if (nmissing < 2)
                missing[nmissing++] = g;
        } else if (nreplaced < 2) {
            rlo[nreplaced] = lo;
            rlen[nreplaced] = hi - lo;
            replaced[nreplaced++] = g;
        }
    }
    if (nmissing > 0) {
        wms_selftest_quirk *q = add_quirk(t, WMS_QUIRK_GS_MISSING);
        if (nmissing == 1)
            snprintf(q->message, sizeof(q->message),
                     "The GS1 separator (FNC1, sent as GS = ASCII 29) after the %s is missing: the "
                     "%s runs into the next field.",
                     sep_field(missing[0]), sep_field(missing[0]));
        else
            snprintf(q->message, sizeof(q->message),
                     "The GS1 separators (FNC1, sent as GS = ASCII 29) after the %s and the %s "
                     "are missing: variable-length fields run together.",
                     sep_field(missing[0]), sep_field(missing[1]));
        snprintf(q->setting, sizeof(q->setting),
                 "Set FNC1 transmission to ASCII 29 (GS); a keyboard-wedge scanner that cannot "
                 "type it may send '|' instead.");
    }
    if (nreplaced == 0)
        return;
    const unsigned char *r = d->r;
    bool same =
        nreplaced == 1 || (rlen[0] == rlen[1] && memcmp(r + rlo[0], r + rlo[1], rlen[0]) == 0);
    bool usable = same && rlen[0] == 1 && wms_selftest_sub_ok((char)r[rlo[0]]);
    wms_selftest_quirk *q = add_quirk(t, WMS_QUIRK_GS_REPLACED);
    char a[64], b[64];
    show_bytes(a, sizeof(a), r + rlo[0], rlen[0]);
    if (usable) {
        t->gs_sub = (char)r[rlo[0]];
        snprintf(q->message, sizeof(q->message),
                 "The scanner sends %s instead of the GS1 separator (GS, ASCII 29). This session "
                 "now accepts %s as the separator.",
                 a, a);
    } else if (same) {
        const char *why = rlen[0] > 1           ? "a separator is one character"
                          : is_space(r[rlo[0]]) ? "whitespace is dropped by scanners and forms"
                          : is_alpha(r[rlo[0]]) || (r[rlo[0]] >= '0' && r[rlo[0]] <= '9')
                              ? "it is part of the data"
                              : "it can be part of a lot or serial number";
        snprintf(q->message, sizeof(q->message),
                 "The scanner sends %s instead of the GS1 separator (GS, ASCII 29); that cannot "
                 "stand for the separator (%s).",
                 a, why);
    } else {
        show_bytes(b, sizeof(b), r + rlo[1], rlen[1]);
        snprintf(q->message, sizeof(q->message),
                 "The scanner sends %s instead of the separator after the %s and %s instead of "
                 "the one after the %s.",
                 a, sep_field(replaced[0]), b, sep_field(replaced[1]));
    }
    snprintf(q->setting, sizeof(q->setting), "Set the FNC1/GS substitution to ASCII 29 (GS)%s.",
             usable ? "" : ", or to '|' if the scanner cannot send ASCII 29");
}

/* Characters lost, changed or added inside the data, and letter case. */
static void check_chars(wms_selftest *t, const st_diff *d, int letters, int swapped, int upper,
                        int lower)
{
    char lost[WMS_SELFTEST_MSG_MAX] = "", changed[WMS_SELFTEST_MSG_MAX] = "";
    char added[WMS_SELFTEST_MSG_MAX] = "", cased[96] = "";
    int nlost = 0, nchanged = 0, nadded = 0;
    char w[64], e[16], g[16];
    for (size_t i = 0; i < BODY_LEN; i++) {
        if (BODY[i] == GS)
            continue;
        show_byte(e, sizeof(e), BODY[i]);
        if (d->r_of[i] < 0) {
            if (nlost++ < LIST_MAX) {
                where(i, w, sizeof(w));
                sb_addf(lost, sizeof(lost), "%s%s at position %zu (%s)", nlost > 1 ? ", " : "", e,
                        pos_of(i), w);
            }
            continue;
        }
        unsigned char got = d->r[d->r_of[i]];
        if (d->kind[i] == K_SUB) {
            if (nchanged++ < LIST_MAX) {
                where(i, w, sizeof(w));
                show_byte(g, sizeof(g), got);
                sb_addf(changed, sizeof(changed), "%s%s at position %zu (%s) came as %s",
                        nchanged > 1 ? ", " : "", e, pos_of(i), w, g);
            }
            continue;
        }
        if (!is_alpha(BODY[i]))
            continue;
        letters++;
        upper += is_upper(got);
        lower += is_lower(got);
        if (d->kind[i] != K_CASE)
            continue;
        if (swapped++ == 0 || cased[0] == '\0') { /* the first letter of the data as example */
            show_byte(g, sizeof(g), got);
            snprintf(cased, sizeof(cased), "%s at position %zu came as %s", e, pos_of(i), g);
        }
    }
    for (size_t x = d->start; x < d->end; x++) {
        if (!d->extra[x] || d->explained[x])
            continue;
        if (nadded++ < LIST_MAX) {
            size_t after = 0; /* the body characters before it */
            for (size_t i = 0; i < BODY_LEN; i++)
                if (d->r_of[i] >= 0 && (size_t)d->r_of[i] < x)
                    after = i + 1;
            show_byte(g, sizeof(g), d->r[x]);
            if (after > 0)
                where(after - 1, w, sizeof(w));
            sb_addf(added, sizeof(added), "%s%s after position %zu (%s)", nadded > 1 ? ", " : "", g,
                    AIM_LEN + after, after > 0 ? w : "the AIM prefix");
        }
    }
    wms_selftest_quirk *q;
    if (nlost > 0 && (q = add_quirk(t, WMS_QUIRK_CHARS_LOST)) != NULL) {
        sb_addf(q->message, sizeof(q->message), "%d character%s did not arrive: %s%s.", nlost,
                nlost > 1 ? "s" : "", lost, nlost > LIST_MAX ? ", ..." : "");
        snprintf(q->setting, sizeof(q->setting),
                 "Slow the keyboard-wedge output down: raise the scanner's inter-character "
                 "(inter-key) delay.");
    }
    if (nchanged > 0 && (q = add_quirk(t, WMS_QUIRK_CHARS_CHANGED)) != NULL) {
        sb_addf(q->message, sizeof(q->message), "%d character%s arrived changed: %s%s.", nchanged,
                nchanged > 1 ? "s" : "", changed, nchanged > LIST_MAX ? ", ..." : "");
        snprintf(q->setting, sizeof(q->setting),
                 "Set the scanner's keyboard country/layout to the handheld's keyboard layout.");
    }
    if (nadded > 0 && (q = add_quirk(t, WMS_QUIRK_CHARS_ADDED)) != NULL) {
        sb_addf(q->message, sizeof(q->message), "%d character%s added inside the data: %s%s.",
                nadded, nadded > 1 ? "s were" : " was", added, nadded > LIST_MAX ? ", ..." : "");
        snprintf(q->setting, sizeof(q->setting),
                 "Turn off the scanner's data editing/formatting rules and its key repeat.");
    }
    if (swapped > 0 && (q = add_quirk(t, WMS_QUIRK_CASE_CHANGED)) != NULL) {
        if (cased[0] == '\0')
            snprintf(cased, sizeof(cased), "']C1' came as ']c1'");
        if (swapped == letters) {
            snprintf(q->message, sizeof(q->message),
                     "Letters arrive with their case swapped (%s): Caps Lock is on, or the "
                     "scanner types as if it were.",
                     cased);
            snprintf(q->setting, sizeof(q->setting),
                     "Turn Caps Lock off, or set the scanner's keyboard emulation to detect (or "
                     "ignore) Caps Lock.");
        } else if (upper == letters || lower == letters) {
            snprintf(q->message, sizeof(q->message),
                     "The scanner turns every letter into %s case (%s).",
                     upper == letters ? "upper" : "lower", cased);
            snprintf(q->setting, sizeof(q->setting), "Set the scanner's case conversion to none.");
        } else {
            snprintf(q->message, sizeof(q->message), "%d letter%s arrived in the wrong case (%s).",
                     swapped, swapped > 1 ? "s" : "", cased);
            snprintf(q->setting, sizeof(q->setting),
                     "Set the scanner's case conversion to none and check Caps Lock.");
        }
    }
}

static void check_suffix(wms_selftest *t, const st_diff *d)
{
    size_t len = d->n - d->end;
    if (len == 0)
        return;
    const unsigned char *s = d->r + d->end;
    wms_selftest_quirk *q = add_quirk(t, WMS_QUIRK_SUFFIX);
    if (q == NULL)
        return;
    char shown[96];
    show_bytes(shown, sizeof(shown), s, len);
    const char *what = len == 1 && s[0] == '\r' ? "Enter (CR)" : shown;
    snprintf(q->message, sizeof(q->message), "The scanner adds %s after the data.", what);
    if (len == 1 && s[0] == '\r')
        snprintf(q->setting, sizeof(q->setting), "Disable the Enter (CR) suffix.");
    else if (len == 2 && s[0] == '\r' && s[1] == '\n')
        snprintf(q->setting, sizeof(q->setting), "Disable the CR LF suffix.");
    else if (len == 1 && s[0] == '\n')
        snprintf(q->setting, sizeof(q->setting), "Disable the LF (line feed) suffix.");
    else if (len == 1 && s[0] == '\t')
        snprintf(q->setting, sizeof(q->setting), "Disable the Tab suffix.");
    else
        snprintf(q->setting, sizeof(q->setting),
                 "Clear the scanner's suffix (postamble) setting: it adds %s.", shown);
}

/* 1 when the scan parses (substitute `sub`) to exactly the label's AIs. */
static bool parses_to_label(const char *scan, size_t len, char sub)
{
    wms_gs1_opts o = {.gs_substitute = sub, .current_year = 2026};
    wms_gs1 g;
    if (wms_gs1_parse(scan, len, &o, &g, NULL) < 0 || g.n_ais != (int)N_FIELDS)
        return false;
    for (size_t k = 0; k < N_FIELDS; k++)
        if (strcmp(g.ais[k].ai, fields[k].ai) || strcmp(g.ais[k].value, fields[k].value))
            return false;
    return true;
}

int wms_selftest_check(const char *scan, size_t len, char session_sub, wms_selftest *out)
{
    if (out == NULL || (scan == NULL && len > 0))
        return WMS_EBAD_ARGS;
    memset(out, 0, sizeof(*out));
    if (len == 0) {
        wrong_label(out, "Nothing arrived from the scanner.");
        return 0;
    }
    if (len > MAX_N) {
        wrong_label(out,
                    "%zu characters arrived, but the self-test label holds %zu: this is another "
                    "barcode.",
                    len, sizeof(WMS_SELFTEST_EXPECTED) - 1);
        return 0;
    }
    st_diff d;
    align((const unsigned char *)scan, len, &d);
    if (d.edits * 3 > (int)BODY_LEN) {
        wrong_label(out,
                    "This is not the self-test label: %d of its %zu characters would have to "
                    "change.",
                    d.edits, BODY_LEN);
        return 0;
    }
    int letters = 0, swapped = 0, upper = 0, lower = 0;
    check_prefix(out, &d, &letters, &swapped, &upper, &lower);
    check_separators(out, &d);
    check_chars(out, &d, letters, swapped, upper, lower);
    check_suffix(out, &d);
    out->ok = out->n_quirks == 0;
    out->usable = parses_to_label(scan, len, out->gs_sub ? out->gs_sub : session_sub);
    return 0;
}

int wms_selftest_codes(const wms_selftest *t, char *buf, size_t n)
{
    if (n == 0)
        return WMS_ETOO_LARGE;
    buf[0] = '\0';
    size_t len = 0;
    for (int i = 0; t != NULL && i < t->n_quirks; i++) {
        const char *code = wms_selftest_quirk_code(t->quirks[i].kind);
        int w = snprintf(buf + len, n - len, "%s%s", i ? "," : "", code);
        if (w < 0 || (size_t)w >= n - len) {
            buf[len] = '\0';
            return WMS_ETOO_LARGE;
        }
        len += (size_t)w;
    }
    return (int)len;
}
