/*
 * gs1.c - GS1 barcode data: check digits, plain GTINs, element strings (raw
 * and bracketed), AI dictionary, YYMMDD dates, JSON rendering.
 *
 * Everything here is pure: no I/O, no allocation, bounded loops.  Input is
 * untrusted (a scanner, a keyboard wedge, a fuzzer): every read is checked
 * against the length given, never against a NUL.
 */
#include "domain/gs1.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------------ */
/* AI dictionary                                                            */
/* ------------------------------------------------------------------------ */

/* What a parsed AI value means beyond its syntax. */
enum {
    K_NONE = 0,
    K_SSCC,     /* 00 */
    K_GTIN,     /* 01 */
    K_CONTENT,  /* 02 */
    K_LOT,      /* 10 */
    K_SERIAL,   /* 21 */
    K_PROD,     /* 11: YYMMD0 */
    K_DUE,      /* 12: YYMMD0 */
    K_PACK,     /* 13: YYMMD0 */
    K_BEST,     /* 15: YYMMD0 */
    K_SELL,     /* 16: YYMMD0 */
    K_EXPIRY,   /* 17: YYMMD0 */
    K_VARCOUNT, /* 30 */
    K_COUNT,    /* 37 */
    K_NET_KG,   /* 310n */
    K_ORDER,    /* 400 */
    K_YMD,      /* YYMMDD (day 00 not allowed) */
    K_YMD0_HM,  /* YYMMD0 HHMM */
    K_YMD_HM,   /* YYMMDD HHMM */
    K_YMD_OHM,  /* YYMMDD [HHMM] */
    K_YMD_OYMD, /* YYMMDD [YYMMDD] */
    K_YMDH_OMS, /* YYMMDDHH [MM [SS]] */
    K_YESNO,    /* one digit, 0 or 1 */
    K_TEMP,     /* N6 then an optional '-' */
};

/* One AI or a run of AIs sharing a syntax.  `prefix` identifies it; when
 * `ai_len` is longer than the prefix, one more digit in lo..hi follows (the
 * decimal-point indicator of 310n, the n of 91-99...). */
typedef struct gs1_ai_def {
    const char *prefix;
    unsigned char ai_len;
    char lo, hi;
    bool predefined;   /* length fixed by the first two digits: no FNC1 needed after */
    unsigned char min; /* value length bounds */
    unsigned char max;
    char cset;           /* 'N' digits, 'X' GS1 82-character set, 'Y' GS1 39-character set */
    unsigned char nlead; /* leading characters that must be digits even in an X field */
    unsigned char ck_off, ck_len; /* digits [ck_off, ck_off + ck_len) end in a check digit */
    unsigned char kind;
} gs1_ai_def;

/* Row shorthands.  FIX: predefined length (set by the first two digits: 00-04,
 * 11-19, 20, 31-36, 41), digits; FIXC: the same, the value ending in a check
 * digit; VAR: variable length min..max; VARN: VAR for a run of AIs whose last
 * digit is lo..hi. */
/* clang-format off */
#define FIX(p, al, lo, hi, len, k) {p, al, lo, hi, true, len, len, 'N', 0, 0, 0, k}
#define FIXC(p, al, lo, hi, len, k) {p, al, lo, hi, true, len, len, 'N', 0, 0, len, k}
#define VAR(p, mn, mx, cs, k) {p, sizeof(p) - 1, 0, 0, false, mn, mx, cs, 0, 0, 0, k}
#define VARN(p, lo, hi, mn, mx, cs, k) {p, sizeof(p), lo, hi, false, mn, mx, cs, 0, 0, 0, k}
/* clang-format on */

static const gs1_ai_def ai_table[] = {
    FIXC("00", 2, 0, 0, 18, K_SSCC),
    FIXC("01", 2, 0, 0, 14, K_GTIN),
    FIXC("02", 2, 0, 0, 14, K_CONTENT),
    FIXC("03", 2, 0, 0, 14, K_NONE),
    VAR("10", 1, 20, 'X', K_LOT),
    FIX("11", 2, 0, 0, 6, K_PROD),
    FIX("12", 2, 0, 0, 6, K_DUE),
    FIX("13", 2, 0, 0, 6, K_PACK),
    FIX("15", 2, 0, 0, 6, K_BEST),
    FIX("16", 2, 0, 0, 6, K_SELL),
    FIX("17", 2, 0, 0, 6, K_EXPIRY),
    FIX("20", 2, 0, 0, 2, K_NONE),
    VAR("21", 1, 20, 'X', K_SERIAL),
    VAR("22", 1, 20, 'X', K_NONE),
    VAR("235", 1, 28, 'X', K_NONE),
    VAR("240", 1, 30, 'X', K_NONE),
    VAR("241", 1, 30, 'X', K_NONE),
    VAR("242", 1, 6, 'N', K_NONE),
    VAR("243", 1, 20, 'X', K_NONE),
    VAR("250", 1, 30, 'X', K_NONE),
    VAR("251", 1, 30, 'X', K_NONE),
    {"253", 3, 0, 0, false, 13, 30, 'X', 13, 0, 13, K_NONE}, /* GDTI: N13 [X..17] */
    VAR("254", 1, 20, 'X', K_NONE),
    {"255", 3, 0, 0, false, 13, 25, 'N', 0, 0, 13, K_NONE}, /* GCN: N13 [N..12] */
    VAR("30", 1, 8, 'N', K_VARCOUNT),
    FIX("310", 4, '0', '5', 6, K_NET_KG),
    VAR("37", 1, 8, 'N', K_COUNT),
    VARN("390", '0', '9', 1, 15, 'N', K_NONE),
    VARN("391", '0', '9', 4, 18, 'N', K_NONE),
    VARN("392", '0', '9', 1, 15, 'N', K_NONE),
    VARN("393", '0', '9', 4, 18, 'N', K_NONE),
    {"394", 4, '0', '3', false, 4, 4, 'N', 0, 0, 0, K_NONE},
    {"395", 4, '0', '5', false, 6, 6, 'N', 0, 0, 0, K_NONE},
    VAR("400", 1, 30, 'X', K_ORDER),
    VAR("401", 1, 30, 'X', K_NONE),
    {"402", 3, 0, 0, false, 17, 17, 'N', 0, 0, 17, K_NONE},
    VAR("403", 1, 30, 'X', K_NONE),
    FIXC("41", 3, '0', '7', 13, K_NONE),
    VAR("420", 1, 20, 'X', K_NONE),
    {"421", 3, 0, 0, false, 4, 12, 'X', 3, 0, 0, K_NONE},
    VAR("422", 3, 3, 'N', K_NONE),
    VAR("423", 1, 15, 'N', K_NONE),
    VAR("424", 3, 3, 'N', K_NONE),
    VAR("425", 1, 15, 'N', K_NONE),
    VAR("426", 3, 3, 'N', K_NONE),
    VAR("427", 1, 3, 'X', K_NONE),
    VAR("4300", 1, 35, 'X', K_NONE),
    VAR("4301", 1, 35, 'X', K_NONE),
    VAR("4302", 1, 70, 'X', K_NONE),
    VAR("4303", 1, 70, 'X', K_NONE),
    VAR("4304", 1, 70, 'X', K_NONE),
    VAR("4305", 1, 70, 'X', K_NONE),
    VAR("4306", 1, 70, 'X', K_NONE),
    VAR("4307", 2, 2, 'X', K_NONE),
    VAR("4308", 1, 30, 'X', K_NONE),
    VAR("4309", 20, 20, 'N', K_NONE),
    VAR("4310", 1, 35, 'X', K_NONE),
    VAR("4311", 1, 35, 'X', K_NONE),
    VAR("4312", 1, 70, 'X', K_NONE),
    VAR("4313", 1, 70, 'X', K_NONE),
    VAR("4314", 1, 70, 'X', K_NONE),
    VAR("4315", 1, 70, 'X', K_NONE),
    VAR("4316", 1, 70, 'X', K_NONE),
    VAR("4317", 2, 2, 'X', K_NONE),
    VAR("4318", 1, 20, 'X', K_NONE),
    VAR("4319", 1, 30, 'X', K_NONE),
    VAR("4320", 1, 35, 'X', K_NONE),
    VAR("4321", 1, 1, 'N', K_YESNO),
    VAR("4322", 1, 1, 'N', K_YESNO),
    VAR("4323", 1, 1, 'N', K_YESNO),
    VAR("4324", 10, 10, 'N', K_YMD0_HM),
    VAR("4325", 10, 10, 'N', K_YMD0_HM),
    VAR("4326", 6, 6, 'N', K_YMD),
    {"433", 4, '0', '3', false, 6, 7, 'X', 6, 0, 0, K_TEMP},
    VAR("7001", 13, 13, 'N', K_NONE),
    VAR("7002", 1, 30, 'X', K_NONE),
    VAR("7003", 10, 10, 'N', K_YMD_HM),
    VAR("7004", 1, 4, 'N', K_NONE),
    VAR("7005", 1, 12, 'X', K_NONE),
    VAR("7006", 6, 6, 'N', K_YMD),
    VAR("7007", 6, 12, 'N', K_YMD_OYMD),
    VAR("7008", 1, 3, 'X', K_NONE),
    VAR("7009", 1, 10, 'X', K_NONE),
    VAR("7010", 1, 2, 'X', K_NONE),
    VAR("7011", 6, 10, 'N', K_YMD_OHM),
    VAR("7020", 1, 20, 'X', K_NONE),
    VAR("7021", 1, 20, 'X', K_NONE),
    VAR("7022", 1, 20, 'X', K_NONE),
    VAR("7023", 1, 30, 'X', K_NONE),
    {"703", 4, '0', '9', false, 4, 30, 'X', 3, 0, 0, K_NONE}, /* N3 X..27 */
    {"7040", 4, 0, 0, false, 4, 4, 'X', 1, 0, 0, K_NONE},     /* N1 X1 X1 X1 */
    {"71", 3, '0', '5', false, 1, 20, 'X', 0, 0, 0, K_NONE},  /* 710-715 NHRN */
    {"723", 4, '0', '9', false, 3, 30, 'X', 0, 0, 0, K_NONE}, /* X2 X..28 */
    VAR("7240", 1, 20, 'X', K_NONE),
    VAR("7241", 2, 2, 'N', K_NONE),
    VAR("7242", 1, 25, 'X', K_NONE),
    VAR("8001", 14, 14, 'N', K_NONE),
    VAR("8002", 1, 20, 'X', K_NONE),
    {"8003", 4, 0, 0, false, 14, 30, 'X', 14, 1, 13, K_NONE}, /* N1 N13 [X..16] */
    VAR("8004", 1, 30, 'X', K_NONE),
    VAR("8005", 6, 6, 'N', K_NONE),
    {"8006", 4, 0, 0, false, 18, 18, 'N', 0, 0, 14, K_NONE}, /* N14 N4 */
    VAR("8007", 1, 34, 'X', K_NONE),
    VAR("8008", 8, 12, 'N', K_YMDH_OMS),
    VAR("8009", 1, 50, 'X', K_NONE),
    VAR("8010", 1, 30, 'Y', K_NONE),
    VAR("8011", 1, 12, 'N', K_NONE),
    VAR("8012", 1, 20, 'X', K_NONE),
    VAR("8013", 1, 25, 'X', K_NONE),
    {"8017", 4, 0, 0, false, 18, 18, 'N', 0, 0, 18, K_NONE},
    {"8018", 4, 0, 0, false, 18, 18, 'N', 0, 0, 18, K_NONE},
    VAR("8019", 1, 10, 'N', K_NONE),
    VAR("8020", 1, 25, 'X', K_NONE),
    {"8026", 4, 0, 0, false, 18, 18, 'N', 0, 0, 14, K_NONE}, /* N14 N4 */
    VAR("8110", 1, 70, 'X', K_NONE),
    VAR("8111", 4, 4, 'N', K_NONE),
    VAR("8112", 1, 70, 'X', K_NONE),
    VAR("8200", 1, 70, 'X', K_NONE),
    VAR("90", 1, 30, 'X', K_NONE),
    VARN("9", '1', '9', 1, 90, 'X', K_NONE),
};

#undef FIX
#undef FIXC
#undef VAR
#undef VARN

/* Measures 311n-316n, 320n-329n, 330n-337n, 340n-349n, 350n-357n, 360n-369n:
 * N6 with the 4th AI digit 0-5 as decimal places.  Listed as the third digit
 * ranges of each 3x group (310n has its own entry above). */
static const struct {
    char second;   /* '1'..'6' */
    char lo3, hi3; /* third digit range */
} measure_groups[] = {
    {'1', '1', '6'}, {'2', '0', '9'}, {'3', '0', '7'},
    {'4', '0', '9'}, {'5', '0', '7'}, {'6', '0', '9'},
};

static const gs1_ai_def measure_def = {"3", 4, '0', '5', true, 6, 6, 'N', 0, 0, 0, K_NONE};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Matches a measure AI (3xyn other than 310n) at `s` (`avail` >= 4 chars). */
static bool measure_match(const char *s, size_t avail)
{
    if (avail < 4 || s[0] != '3' || s[3] < '0' || s[3] > '5')
        return false;
    for (size_t i = 0; i < sizeof(measure_groups) / sizeof(measure_groups[0]); i++) {
        if (s[1] == measure_groups[i].second && s[2] >= measure_groups[i].lo3 &&
            s[2] <= measure_groups[i].hi3)
            return true;
    }
    return false;
}

/* True when `s` starts with "3" and a second digit 1-6: the measure AIs
 * 31nn-36nn, all four digits long. */
static bool measure_group(const char *s, size_t avail)
{
    return avail >= 2 && s[0] == '3' && s[1] >= '1' && s[1] <= '6';
}

/* Finds the AI that `s` (avail chars, not NUL-terminated) starts with.
 * Returns its definition and sets *ai_len, or NULL when no known AI matches.
 * GS1 AIs are prefix-free, so the first match is the only one.  When the
 * data ends inside an AI whose prefix matched, returns the definition with
 * *ai_len > avail (the caller reports a truncated AI). */
static const gs1_ai_def *ai_lookup(const char *s, size_t avail, size_t *ai_len)
{
    for (size_t i = 0; i < sizeof(ai_table) / sizeof(ai_table[0]); i++) {
        const gs1_ai_def *d = &ai_table[i];
        size_t plen = strlen(d->prefix);
        if (avail < plen || memcmp(s, d->prefix, plen) != 0)
            continue;
        if (d->ai_len > plen) {
            if (avail < d->ai_len) {
                *ai_len = d->ai_len;
                return d;
            }
            if (s[plen] < d->lo || s[plen] > d->hi)
                continue;
        }
        *ai_len = d->ai_len;
        return d;
    }
    if (measure_group(s, avail) && (avail < 4 || measure_match(s, avail))) {
        *ai_len = 4; /* avail < 4: the caller reports the truncated AI */
        return &measure_def;
    }
    return NULL;
}

/* The length of the AIs starting with the two digits at `s` (which has at
 * least 2 characters): used to name an unknown AI and to spot an AI cut off
 * by the end of the data.  2 when no known AI starts with those digits. */
static size_t ai_group_len(const char *s)
{
    if (measure_group(s, 2))
        return 4;
    for (size_t i = 0; i < sizeof(ai_table) / sizeof(ai_table[0]); i++) {
        const gs1_ai_def *d = &ai_table[i];
        size_t plen = strlen(d->prefix);
        if (memcmp(s, d->prefix, plen < 2 ? plen : 2) == 0)
            return d->ai_len;
    }
    return 2;
}

/* ------------------------------------------------------------------------ */
/* Check digits                                                             */
/* ------------------------------------------------------------------------ */

int wms_gs1_check_digit(const char *digits, size_t n)
{
    if (digits == NULL && n > 0)
        return -1;
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        char c = digits[n - 1 - i];
        if (!is_digit(c))
            return -1;
        sum += (unsigned)(c - '0') * ((i % 2 == 0) ? 3u : 1u);
    }
    return (int)((10 - sum % 10) % 10);
}

bool wms_gs1_check_valid(const char *digits, size_t n)
{
    if (digits == NULL || n < 2 || !is_digit(digits[n - 1]))
        return false;
    int cd = wms_gs1_check_digit(digits, n - 1);
    return cd >= 0 && cd == digits[n - 1] - '0';
}

int wms_gs1_rcn_make(const char *prefix, uint64_t seq, char out[14])
{
    if (prefix == NULL || out == NULL)
        return WMS_EBAD_ARGS;
    if (strnlen(prefix, 3) != 2)
        return WMS_EBAD_ARGS;
    bool ok = (prefix[0] == '0' && prefix[1] == '2') || (prefix[0] == '2' && is_digit(prefix[1]));
    if (!ok || seq >= 10000000000ull)
        return WMS_EBAD_ARGS;
    out[0] = prefix[0];
    out[1] = prefix[1];
    for (int i = 11; i >= 2; i--) {
        out[i] = (char)('0' + (int)(seq % 10));
        seq /= 10;
    }
    out[12] = (char)('0' + wms_gs1_check_digit(out, 12));
    out[13] = '\0';
    return 0;
}

int wms_gtin_normalize(const char *code, char out14[15])
{
    if (code == NULL || out14 == NULL)
        return WMS_EBAD_ARGS;
    size_t n = strnlen(code, 15);
    if (n != 8 && n != 12 && n != 13 && n != 14)
        return WMS_EBAD_BARCODE;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(code[i]))
            return WMS_EBAD_BARCODE;
    }
    if (!wms_gs1_check_valid(code, n))
        return WMS_EBAD_CHECK_DIGIT;
    memset(out14, '0', 14 - n);
    memcpy(out14 + (14 - n), code, n);
    out14[14] = '\0';
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Dates                                                                    */
/* ------------------------------------------------------------------------ */

static const char *const month_names[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

static int two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Full year of a two-digit year by the GS1 rule, relative to `cur_year`. */
static int gs1_century(int yy, int cur_year)
{
    int d = yy - cur_year % 100;
    int century = cur_year / 100;
    if (d >= 51)
        century--;
    else if (d <= -50)
        century++;
    return century * 100 + yy;
}

/* Validates the 6 digits YYMMDD at `v`.  `allow00`: day 00 means the last
 * day of the month.  On success returns true and fills *y, *m, *d (day
 * resolved); otherwise writes the reason (e.g. "month 13") into `why`. */
static bool ymd_check(const char *v, bool allow00, int cur_year, int *y, int *m, int *d, char *why,
                      size_t whyn)
{
    int yy = two_digits(v), mm = two_digits(v + 2), dd = two_digits(v + 4);
    int year = gs1_century(yy, cur_year);
    if (mm < 1 || mm > 12) {
        snprintf(why, whyn, "month %02d", mm);
        return false;
    }
    int dim = days_in_month(year, mm);
    if (dd == 0 && !allow00) {
        snprintf(why, whyn, "day 00");
        return false;
    }
    if (dd > 31) {
        snprintf(why, whyn, "day %02d", dd);
        return false;
    }
    if (dd > dim) {
        snprintf(why, whyn, "day %02d, %s %d has %d days", dd, month_names[mm - 1], year, dim);
        return false;
    }
    *y = year;
    *m = mm;
    *d = dd == 0 ? dim : dd;
    return true;
}

/* Validates HH and optionally MM, SS (2 digits each) at `v` (`n` = 2, 4 or 6). */
static bool hms_check(const char *v, size_t n, char *why, size_t whyn)
{
    int hh = two_digits(v);
    if (hh > 23) {
        snprintf(why, whyn, "hour %02d", hh);
        return false;
    }
    for (size_t i = 2; i + 2 <= n; i += 2) {
        int x = two_digits(v + i);
        if (x > 59) {
            snprintf(why, whyn, "%s %02d", i == 2 ? "minute" : "second", x);
            return false;
        }
    }
    return true;
}

/* The current UTC year, for the century rule when the caller gives none. */
static int utc_year_now(void)
{
    time_t t = time(NULL);
    struct tm tmv;
    if (t == (time_t)-1 || gmtime_r(&t, &tmv) == NULL)
        return 2000;
    return tmv.tm_year + 1900;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct gs1_ctx {
    const char *s; /* trimmed input */
    size_t n;
    char sub; /* substitute separator, 0 = none */
    int cur_year;
    wms_gs1 *out;
    wms_error *err;
    bool has_count37;
    long long weight_scaled; /* net weight in 10^-5 kg, valid when out->has_net_weight */
} gs1_ctx;

/* One AI with its value, copied out of the input. */
typedef struct gs1_field {
    const gs1_ai_def *def;
    char ai[5];
    size_t ai_pos; /* 1-based position of the AI's first digit */
    char val[WMS_GS1_MAX_VALUE + 1];
    size_t vlen;
    size_t src[WMS_GS1_MAX_VALUE]; /* 1-based input position of each value character */
} gs1_field;

static bool is_sep(const gs1_ctx *c, char ch)
{
    return ch == 0x1D || (unsigned char)ch == 0xE8 || (c->sub != 0 && ch == c->sub);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Member of GS1's 82-character set (AI encodable character set 82). */
static bool is_cset82(char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
        return true;
    return c != '\0' && strchr("!\"%&'()*+,-./:;<=>?_", c) != NULL;
}

/* Member of GS1's 39-character set (digits, A-Z, # - /). */
static bool is_cset39(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c == '#' || c == '-' || c == '/';
}

/* Writes a printable rendering of byte `c` for messages: 'A' or 0x1D. */
static void show_char(char *buf, size_t n, char c)
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7F)
        snprintf(buf, n, "'%c'", c);
    else
        snprintf(buf, n, "0x%02X", u);
}

/* Copies `len` bytes of `src` into `dst` (capacity `cap` > 0), truncating,
 * and NUL-terminates. */
static void copy_str(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Checks a field's length, characters, check digit and meaning, then stores
 * it in ctx->out (ignoring an exact duplicate).  Returns 0 or an error. */
static int field_accept(gs1_ctx *c, gs1_field *f)
{
    const gs1_ai_def *d = f->def;
    wms_gs1 *o = c->out;
    char why[96];

    if (f->vlen == 0)
        return wms_error_set(c->err, WMS_EBAD_BARCODE, "AI %s at position %zu: value is empty",
                             f->ai, f->ai_pos);
    if (f->vlen > d->max)
        return wms_error_set(c->err, WMS_EBAD_BARCODE,
                             "AI %s at position %zu: value is %zu characters, at most %u", f->ai,
                             f->ai_pos, f->vlen, d->max);
    if (f->vlen < d->min) {
        if (d->min == d->max)
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "AI %s at position %zu: value is %zu characters, needs %u", f->ai,
                                 f->ai_pos, f->vlen, d->min);
        return wms_error_set(c->err, WMS_EBAD_BARCODE,
                             "AI %s at position %zu: value is %zu characters, at least %u", f->ai,
                             f->ai_pos, f->vlen, d->min);
    }
    for (size_t i = 0; i < f->vlen; i++) {
        char ch = f->val[i];
        bool num = d->cset == 'N' || i < d->nlead;
        bool ok = num ? is_digit(ch) : d->cset == 'Y' ? is_cset39(ch) : is_cset82(ch);
        if (d->kind == K_TEMP && i == 6)
            ok = ch == '-';
        if (!ok) {
            char shown[8];
            show_char(shown, sizeof(shown), ch);
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "AI %s at position %zu: character %s at position %zu is not "
                                 "allowed%s",
                                 f->ai, f->ai_pos, shown, f->src[i], num ? " (digits only)" : "");
        }
    }
    if (d->ck_len > 0) {
        const char *dg = f->val + d->ck_off;
        int cd = wms_gs1_check_digit(dg, d->ck_len - 1u);
        if (cd != dg[d->ck_len - 1] - '0')
            return wms_error_set(c->err, WMS_EBAD_CHECK_DIGIT,
                                 "AI %s at position %zu: check digit should be %d", f->ai,
                                 f->ai_pos, cd);
    }

    /* Meaning: dates, times, flags. */
    int y = 0, m = 0, dd = 0;
    bool ok = true;
    const char *what = "date";
    why[0] = '\0';
    switch (d->kind) {
    case K_PROD:
    case K_DUE:
    case K_PACK:
    case K_BEST:
    case K_SELL:
    case K_EXPIRY:
        ok = ymd_check(f->val, true, c->cur_year, &y, &m, &dd, why, sizeof(why));
        break;
    case K_YMD:
        ok = ymd_check(f->val, false, c->cur_year, &y, &m, &dd, why, sizeof(why));
        break;
    case K_YMD_OYMD:
        if (f->vlen != 6 && f->vlen != 12) {
            snprintf(why, sizeof(why), "6 or 12 digits");
            ok = false;
        } else {
            ok = ymd_check(f->val, false, c->cur_year, &y, &m, &dd, why, sizeof(why)) &&
                 (f->vlen == 6 ||
                  ymd_check(f->val + 6, false, c->cur_year, &y, &m, &dd, why, sizeof(why)));
        }
        break;
    case K_YMD0_HM:
    case K_YMD_HM:
    case K_YMD_OHM:
    case K_YMDH_OMS:
        what = "date and time";
        if ((d->kind == K_YMD_OHM && f->vlen != 6 && f->vlen != 10) ||
            (d->kind == K_YMDH_OMS && f->vlen % 2 != 0)) {
            snprintf(why, sizeof(why), "wrong length");
            ok = false;
            break;
        }
        ok = ymd_check(f->val, d->kind == K_YMD0_HM, c->cur_year, &y, &m, &dd, why, sizeof(why));
        if (ok && f->vlen > 6)
            ok = hms_check(f->val + 6, f->vlen - 6, why, sizeof(why));
        break;
    case K_YESNO:
        if (f->val[0] != '0' && f->val[0] != '1') {
            what = "flag";
            snprintf(why, sizeof(why), "must be 0 or 1");
            ok = false;
        }
        break;
    default:
        break;
    }
    if (!ok)
        return wms_error_set(c->err, WMS_EBAD_BARCODE,
                             "AI %s at position %zu: %s is not a valid %s (%s)", f->ai, f->ai_pos,
                             f->val, what, why);

    /* Duplicates: the same AI twice is fine only with the same value. */
    for (int i = 0; i < o->n_ais; i++) {
        if (strcmp(o->ais[i].ai, f->ai) != 0)
            continue;
        if (strcmp(o->ais[i].value, f->val) == 0)
            return 0;
        return wms_error_set(c->err, WMS_EBAD_BARCODE,
                             "AI %s at position %zu: appears twice with different values (%s "
                             "and %s)",
                             f->ai, f->ai_pos, o->ais[i].value, f->val);
    }

    /* Decoded fields. */
    char date[16] = "";
    if (y != 0)
        snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, dd);
    switch (d->kind) {
    case K_SSCC:
        memcpy(o->sscc, f->val, 18);
        o->sscc[18] = '\0';
        break;
    case K_GTIN:
        memcpy(o->gtin, f->val, 14);
        o->gtin[14] = '\0';
        break;
    case K_CONTENT:
        memcpy(o->content_gtin, f->val, 14);
        o->content_gtin[14] = '\0';
        break;
    case K_LOT:
        copy_str(o->lot, sizeof(o->lot), f->val, f->vlen);
        break;
    case K_SERIAL:
        copy_str(o->serial, sizeof(o->serial), f->val, f->vlen);
        break;
    case K_ORDER:
        copy_str(o->order_number, sizeof(o->order_number), f->val, f->vlen);
        break;
    case K_PROD:
        copy_str(o->production_date, sizeof(o->production_date), date, strlen(date));
        break;
    case K_PACK:
        copy_str(o->packaging_date, sizeof(o->packaging_date), date, strlen(date));
        break;
    case K_BEST:
        copy_str(o->best_before, sizeof(o->best_before), date, strlen(date));
        break;
    case K_EXPIRY:
        copy_str(o->expiry, sizeof(o->expiry), date, strlen(date));
        break;
    case K_VARCOUNT:
    case K_COUNT: {
        long v = 0;
        for (size_t i = 0; i < f->vlen; i++)
            v = v * 10 + (f->val[i] - '0');
        /* AI 37 (count in a logistic unit) wins over AI 30 when both occur. */
        if (d->kind == K_COUNT || !c->has_count37) {
            o->count = v;
            o->has_count = true;
        }
        if (d->kind == K_COUNT)
            c->has_count37 = true;
        break;
    }
    case K_NET_KG: {
        long v = 0;
        for (size_t i = 0; i < 6; i++)
            v = v * 10 + (f->val[i] - '0');
        int dec = f->ai[3] - '0';
        long long scaled = v;
        long div = 1;
        for (int i = dec; i < 5; i++)
            scaled *= 10;
        for (int i = 0; i < dec; i++)
            div *= 10;
        if (o->has_net_weight && scaled != c->weight_scaled)
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "AI %s at position %zu: net weight differs from an earlier AI "
                                 "310n",
                                 f->ai, f->ai_pos);
        o->has_net_weight = true;
        o->net_weight_kg = (double)v / (double)div;
        c->weight_scaled = scaled;
        break;
    }
    default:
        break;
    }

    if (o->n_ais >= WMS_GS1_MAX_AIS)
        return wms_error_set(c->err, WMS_ETOO_LARGE,
                             "AI %s at position %zu: more than %d AIs in one barcode", f->ai,
                             f->ai_pos, WMS_GS1_MAX_AIS);
    wms_gs1_ai *slot = &o->ais[o->n_ais++];
    memcpy(slot->ai, f->ai, sizeof(slot->ai));
    memcpy(slot->value, f->val, f->vlen + 1);
    return 0;
}

/* Reports an unknown, malformed or cut-off AI at offset `i` of the trimmed
 * input (`avail` characters left).  Returns WMS_EBAD_BARCODE. */
static int ai_error(gs1_ctx *c, size_t i, size_t avail)
{
    const char *s = c->s + i;
    size_t len = avail >= 2 && is_digit(s[0]) && is_digit(s[1]) ? ai_group_len(s) : 2;
    for (size_t j = 0; j < len && j < avail; j++) {
        if (!is_digit(s[j])) {
            char shown[8];
            show_char(shown, sizeof(shown), s[j]);
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "position %zu: expected an AI (digits), found character %s",
                                 i + j + 1, shown);
        }
    }
    if (avail < len)
        return wms_error_set(c->err, WMS_EBAD_BARCODE,
                             "position %zu: data ends inside an AI (%.*s)", i + 1, (int)avail, s);
    return wms_error_set(c->err, WMS_EBAD_BARCODE, "unknown AI %.*s at position %zu", (int)len, s,
                         i + 1);
}

/* Parses a raw element string s[i..n) (FNC1 as GS, substitute or 0xE8). */
static int parse_elements(gs1_ctx *c, size_t i)
{
    const char *s = c->s;
    size_t n = c->n;
    gs1_field f;

    if (i < n && is_sep(c, s[i]))
        i++; /* a leading FNC1 some scanners transmit */
    if (i >= n)
        return wms_error_set(c->err, WMS_EBAD_BARCODE, "no GS1 data after position %zu", i);
    while (i < n) {
        if (is_sep(c, s[i]))
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "position %zu: separator where an AI should start", i + 1);
        size_t ai_len = 0;
        const gs1_ai_def *d = ai_lookup(s + i, n - i, &ai_len);
        if (d == NULL)
            return ai_error(c, i, n - i);
        if (ai_len > n - i)
            return wms_error_set(c->err, WMS_EBAD_BARCODE, "position %zu: data ends inside AI %.*s",
                                 i + 1, (int)(n - i), s + i);
        memset(f.ai, 0, sizeof(f.ai));
        memcpy(f.ai, s + i, ai_len);
        f.def = d;
        f.ai_pos = i + 1;
        i += ai_len;

        size_t k = 0;
        if (d->predefined) {
            while (k < d->max && i + k < n && !is_sep(c, s[i + k]))
                k++;
            if (k < d->max)
                return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                     "AI %s at position %zu: value is truncated (%zu of %u "
                                     "digits)",
                                     f.ai, f.ai_pos, k, d->max);
        } else {
            while (i + k < n && !is_sep(c, s[i + k]))
                k++;
            if (k > d->max)
                return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                     "AI %s at position %zu: value is %zu characters, at most %u",
                                     f.ai, f.ai_pos, k, d->max);
        }
        memcpy(f.val, s + i, k);
        f.val[k] = '\0';
        f.vlen = k;
        for (size_t j = 0; j < k; j++)
            f.src[j] = i + j + 1;
        i += k;
        if (i < n && is_sep(c, s[i]))
            i++; /* FNC1 ending this field (optional after a predefined length) */
        int rc = field_accept(c, &f);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Parses the bracketed human-readable form "(01)...(17)...(10)..." in the
 * whole trimmed input.  A '(' inside a value is written "\(". */
static int parse_bracketed(gs1_ctx *c)
{
    const char *s = c->s;
    size_t n = c->n;
    size_t i = 0;
    gs1_field f;

    while (i < n) {
        if (s[i] != '(')
            return wms_error_set(c->err, WMS_EBAD_BARCODE, "position %zu: expected '('", i + 1);
        size_t a = i + 1, k = 0;
        while (a + k < n && k <= 4 && is_digit(s[a + k]))
            k++;
        if (a + k >= n || s[a + k] != ')' || k < 2 || k > 4)
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "position %zu: expected an AI of 2 to 4 digits and ')'", a + 1);
        size_t ai_len = 0;
        const gs1_ai_def *d = ai_lookup(s + a, k, &ai_len);
        if (d == NULL || ai_len != k)
            return wms_error_set(c->err, WMS_EBAD_BARCODE, "unknown AI %.*s at position %zu",
                                 (int)k, s + a, a + 1);
        memset(f.ai, 0, sizeof(f.ai));
        memcpy(f.ai, s + a, k);
        f.def = d;
        f.ai_pos = a + 1;
        i = a + k + 1;

        size_t vlen = 0;
        while (i < n && s[i] != '(') {
            size_t at = i;
            if (s[i] == '\\' && i + 1 < n && s[i + 1] == '(')
                i++;
            if (vlen < WMS_GS1_MAX_VALUE) {
                f.val[vlen] = s[i];
                f.src[vlen] = at + 1;
            }
            vlen++;
            i++;
        }
        if (vlen > d->max)
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "AI %s at position %zu: value is %zu characters, %s %u", f.ai,
                                 f.ai_pos, vlen, d->min == d->max ? "needs" : "at most", d->max);
        f.vlen = vlen;
        f.val[vlen] = '\0';
        int rc = field_accept(c, &f);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Parses a plain GTIN of `n` digits at offset `i`; `kind` names it in errors. */
static int parse_plain_gtin(gs1_ctx *c, size_t i, size_t n, const char *sym, const char *kind)
{
    const char *s = c->s + i;
    for (size_t j = 0; j < n; j++) {
        if (!is_digit(s[j])) {
            char shown[8];
            show_char(shown, sizeof(shown), s[j]);
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "%s at position %zu: character %s at position %zu is not a "
                                 "digit",
                                 kind, i + 1, shown, i + j + 1);
        }
    }
    if (!wms_gs1_check_valid(s, n))
        return wms_error_set(c->err, WMS_EBAD_CHECK_DIGIT,
                             "%s at position %zu: check digit should be %d", kind, i + 1,
                             wms_gs1_check_digit(s, n - 1));
    memset(c->out->gtin, '0', 14 - n);
    memcpy(c->out->gtin + (14 - n), s, n);
    c->out->gtin[14] = '\0';
    snprintf(c->out->symbology, sizeof(c->out->symbology), "%s", sym);
    return 0;
}

/* Handles data after an AIM symbology identifier ]Xm at the start. */
static int parse_aim(gs1_ctx *c)
{
    const char *s = c->s;
    size_t rest = c->n - 3;
    char id = s[1], mod = s[2];
    const char *sym = NULL;

    if (id == 'E' && mod == '0') {
        if (rest != 13)
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "]E0 (EAN-13/UPC-A) needs 13 digits, got %zu characters", rest);
        return parse_plain_gtin(c, 3, 13, "ean13", "EAN-13");
    }
    if (id == 'E' && mod == '4') {
        if (rest != 8)
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "]E4 (EAN-8) needs 8 digits, got %zu characters", rest);
        return parse_plain_gtin(c, 3, 8, "ean8", "EAN-8");
    }
    if (id == 'E' && mod == '3') {
        /* EAN/UPC with a 2- or 5-digit add-on: the add-on is dropped. */
        if (rest == 15 || rest == 18)
            return parse_plain_gtin(c, 3, 13, "ean13", "EAN-13");
        if (rest == 10 || rest == 13)
            return parse_plain_gtin(c, 3, 8, "ean8", "EAN-8");
        return wms_error_set(c->err, WMS_EBAD_BARCODE,
                             "]E3 (EAN/UPC with add-on) has %zu characters", rest);
    }
    if (id == 'I' && mod == '1') {
        if (rest != 14)
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "]I1 (ITF) needs 14 digits for an ITF-14, got %zu characters",
                                 rest);
        return parse_plain_gtin(c, 3, 14, "itf14", "ITF-14");
    }
    if (id == 'C' && mod == '1')
        sym = "gs1-128";
    else if (id == 'd' && mod == '2')
        sym = "gs1-datamatrix";
    else if (id == 'e' && mod == '0')
        sym = "gs1-databar";
    else if (id == 'Q' && mod == '3')
        sym = "gs1-qr";
    else if (id == 'J' && mod == '1')
        sym = "gs1-dotcode";
    if (sym == NULL) {
        if ((unsigned char)id > 0x20 && (unsigned char)id < 0x7F && (unsigned char)mod > 0x20 &&
            (unsigned char)mod < 0x7F)
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "symbology identifier ]%c%c: not a GS1 symbol", id, mod);
        return wms_error_set(c->err, WMS_EBAD_BARCODE,
                             "symbology identifier at position 1: not a GS1 symbol");
    }
    snprintf(c->out->symbology, sizeof(c->out->symbology), "%s", sym);
    return parse_elements(c, 3);
}

/* Dispatches on the shape of the trimmed input. */
static int parse_trimmed(gs1_ctx *c)
{
    const char *s = c->s;
    size_t n = c->n;

    if (s[0] == ']') {
        if (n < 3)
            return wms_error_set(c->err, WMS_EBAD_BARCODE,
                                 "incomplete symbology identifier at position 1");
        return parse_aim(c);
    }
    if (s[0] == '(') {
        snprintf(c->out->symbology, sizeof(c->out->symbology), "gs1-bracketed");
        return parse_bracketed(c);
    }
    bool digits = true;
    for (size_t i = 0; i < n && digits; i++)
        digits = is_digit(s[i]);
    if (digits && n == 8)
        return parse_plain_gtin(c, 0, 8, "ean8", "EAN-8");
    if (digits && n == 12)
        return parse_plain_gtin(c, 0, 12, "upca", "UPC-A");
    if (digits && n == 13)
        return parse_plain_gtin(c, 0, 13, "ean13", "EAN-13");
    if (digits && n == 14)
        return parse_plain_gtin(c, 0, 14, "gtin14", "GTIN-14");
    snprintf(c->out->symbology, sizeof(c->out->symbology), "gs1-element-string");
    return parse_elements(c, 0);
}

int wms_gs1_parse(const char *input, size_t len, const wms_gs1_opts *opts, wms_gs1 *out,
                  wms_error *err)
{
    if (out == NULL || (input == NULL && len > 0))
        return wms_error_set(err, WMS_EBAD_ARGS, "gs1 parse: missing input or output");
    memset(out, 0, sizeof(*out));
    if (len > WMS_GS1_MAX_INPUT)
        return wms_error_set(err, WMS_ETOO_LARGE,
                             "barcode is %zu characters, at most %d are accepted", len,
                             WMS_GS1_MAX_INPUT);

    gs1_ctx c;
    memset(&c, 0, sizeof(c));
    c.out = out;
    c.err = err;
    if (opts != NULL) {
        c.sub = opts->gs_substitute;
        c.cur_year = opts->current_year;
    }
    if (is_digit(c.sub) || (c.sub >= 'A' && c.sub <= 'Z') || (c.sub >= 'a' && c.sub <= 'z') ||
        c.sub == '(' || is_space(c.sub))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "gs1 parse: separator substitute cannot be a letter, digit, '(' or "
                             "space");
    if (c.cur_year == 0)
        c.cur_year = utc_year_now();
    if (c.cur_year < 1000 || c.cur_year > 9800)
        return wms_error_set(err, WMS_EBAD_ARGS, "gs1 parse: current year %d out of range",
                             c.cur_year);

    size_t a = 0, b = len;
    while (a < b && is_space(input[a]))
        a++;
    while (b > a && is_space(input[b - 1]))
        b--;
    if (a == b)
        return wms_error_set(err, WMS_EBAD_BARCODE, "the barcode is empty");
    c.s = input + a;
    c.n = b - a;

    int rc = parse_trimmed(&c);
    if (rc < 0) {
        memset(out, 0, sizeof(*out));
        return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */
/* ------------------------------------------------------------------------ */

/* A bounded output buffer: `len` counts everything asked for, bytes are
 * stored only while they fit (leaving room for the NUL). */
typedef struct jbuf {
    char *p;
    size_t n, len;
} jbuf;

static void jb_put(jbuf *b, const char *s, size_t k)
{
    if (b->len + k < b->n)
        memcpy(b->p + b->len, s, k);
    b->len += k;
    if (b->len >= b->n)
        b->len = b->n; /* sticky overflow; never wraps */
}

static void jb_str(jbuf *b, const char *s)
{
    jb_put(b, s, strlen(s));
}

/* Writes `s` (at most `max` bytes, stopping at NUL) as a JSON string.  Bytes
 * outside printable ASCII are written as \u00XX so the output is always
 * valid ASCII JSON. */
static void jb_qstr(jbuf *b, const char *s, size_t max)
{
    jb_put(b, "\"", 1);
    for (size_t i = 0; i < max && s[i] != '\0'; i++) {
        unsigned char u = (unsigned char)s[i];
        char esc[8];
        if (u == '"' || u == '\\') {
            esc[0] = '\\';
            esc[1] = (char)u;
            jb_put(b, esc, 2);
        } else if (u < 0x20 || u >= 0x7F) {
            snprintf(esc, sizeof(esc), "\\u%04X", u);
            jb_put(b, esc, 6);
        } else {
            jb_put(b, (const char *)&u, 1);
        }
    }
    jb_put(b, "\"", 1);
}

/* ,"key":"value" when the field is not empty. */
static void jb_field(jbuf *b, const char *key, const char *val, size_t max)
{
    if (val[0] == '\0')
        return;
    jb_put(b, ",\"", 2);
    jb_str(b, key);
    jb_put(b, "\":", 2);
    jb_qstr(b, val, max);
}

/* A number with up to 6 decimals, trailing zeros trimmed, independent of
 * the C locale's decimal point; null when not finite. */
static void jb_decimal(jbuf *b, double v)
{
    char tmp[64];
    if (v != v || v > 1e12 || v < -1e12) {
        if (v != v || v > 1e308 || v < -1e308)
            jb_str(b, "null");
        else {
            snprintf(tmp, sizeof(tmp), "%.6e", v);
            for (char *p = tmp; *p != '\0'; p++)
                if (*p == ',')
                    *p = '.';
            jb_str(b, tmp);
        }
        return;
    }
    bool neg = v < 0;
    long long micro = (long long)((neg ? -v : v) * 1e6 + 0.5);
    long long ip = micro / 1000000, fp = micro % 1000000;
    int k = snprintf(tmp, sizeof(tmp), "%s%lld", neg && micro != 0 ? "-" : "", ip);
    if (fp != 0) {
        char frac[8];
        snprintf(frac, sizeof(frac), "%06lld", fp);
        size_t fl = 6;
        while (fl > 0 && frac[fl - 1] == '0')
            fl--;
        snprintf(tmp + k, sizeof(tmp) - (size_t)k, ".%.*s", (int)fl, frac);
    }
    jb_str(b, tmp);
}

int wms_gs1_to_json(const wms_gs1 *g, char *buf, size_t n)
{
    if (g == NULL || buf == NULL)
        return WMS_EBAD_ARGS;
    if (n == 0)
        return WMS_ETOO_LARGE;
    jbuf b = {buf, n, 0};
    char tmp[32];

    jb_str(&b, "{\"symbology\":");
    jb_qstr(&b, g->symbology, sizeof(g->symbology));
    jb_str(&b, ",\"ais\":{");
    int nais = g->n_ais < 0 ? 0 : g->n_ais > WMS_GS1_MAX_AIS ? WMS_GS1_MAX_AIS : g->n_ais;
    for (int i = 0; i < nais; i++) {
        if (i > 0)
            jb_put(&b, ",", 1);
        jb_qstr(&b, g->ais[i].ai, sizeof(g->ais[i].ai));
        jb_put(&b, ":", 1);
        jb_qstr(&b, g->ais[i].value, sizeof(g->ais[i].value));
    }
    jb_put(&b, "}", 1);
    jb_field(&b, "gtin", g->gtin, sizeof(g->gtin));
    jb_field(&b, "content_gtin", g->content_gtin, sizeof(g->content_gtin));
    jb_field(&b, "lot", g->lot, sizeof(g->lot));
    jb_field(&b, "expiry", g->expiry, sizeof(g->expiry));
    jb_field(&b, "best_before", g->best_before, sizeof(g->best_before));
    jb_field(&b, "production_date", g->production_date, sizeof(g->production_date));
    jb_field(&b, "packaging_date", g->packaging_date, sizeof(g->packaging_date));
    jb_field(&b, "serial", g->serial, sizeof(g->serial));
    jb_field(&b, "order_number", g->order_number, sizeof(g->order_number));
    if (g->has_count) {
        snprintf(tmp, sizeof(tmp), ",\"count\":%ld", g->count);
        jb_str(&b, tmp);
    }
    jb_field(&b, "sscc", g->sscc, sizeof(g->sscc));
    if (g->has_net_weight) {
        jb_str(&b, ",\"net_weight_kg\":");
        jb_decimal(&b, g->net_weight_kg);
    }
    jb_put(&b, "}", 1);

    if (b.len >= n || b.len > (size_t)0x7fffffff) {
        buf[0] = '\0';
        return WMS_ETOO_LARGE;
    }
    buf[b.len] = '\0';
    return (int)b.len;
}
