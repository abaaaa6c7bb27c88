/*
 * csvin.c - streaming CSV reader on top of libcsv (see csvin.h for the rules).
 *
 * libcsv reports fields and record ends through callbacks but no positions,
 * so the input is handed to csv_parse one physical line at a time (a piece
 * ends just after each CR or LF).  Record terminators only occur at the end
 * of such a piece, so while a piece is parsed the current line is known, and
 * a record starts on the line of the first piece that brings it a byte.
 *
 * libcsv keeps the field being parsed in a buffer it grows through a realloc
 * hook; our hook refuses to grow it past CSV_BUF_CAP, so a runaway field (a
 * missing closing quote, a huge value) makes csv_parse stop with CSV_ENOMEM
 * and a full buffer, which is reported as WMS_ETOO_LARGE.  The space
 * function is replaced by one that says "never a space": libcsv would
 * otherwise trim unquoted fields, and RFC 4180 keeps spaces.
 */
#include "core/csvin.h"

#include <csv.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* libcsv's field buffer cap: a field of WMS_CSV_FIELD_MAX bytes plus its
 * closing quote and NUL fits with room to spare; anything that fills it is
 * longer than WMS_CSV_FIELD_MAX. */
#define CSV_BUF_CAP (WMS_CSV_FIELD_MAX + 16)
#define CSV_BLK_SIZE 1024
/* Where our values live: every stored field plus its NUL. */
#define ARENA_SIZE ((size_t)WMS_CSV_MAX_COLS * (WMS_CSV_FIELD_MAX + 1))
/* Longest user text quoted in a message. */
#define EXCERPT_MAX 40

struct csv_reader {
    struct csv_parser p;
    const wms_csv_col *schema;
    int ncols;
    wms_csv_row_cb cb;
    void *ctx;
    wms_error *err;
    int rc; /* first error; 0 while all is well */

    long line;      /* physical line of the next byte fed to libcsv */
    bool prev_cr;   /* the last byte fed was a CR (a following LF ends no line) */
    bool started;   /* the first bytes (BOM check) have been seen */
    bool in_record; /* libcsv is inside a record */
    long rec_line;  /* line where the current record started */

    bool header_done;
    int nhdr;                           /* fields in the header */
    int hdr_to_col[WMS_CSV_MAX_COLS];   /* header field -> schema column */
    int col_to_hdr[WMS_CSV_MAX_COLS];   /* schema column -> header field or -1 */
    bool present[WMS_CSV_MAX_COLS];     /* schema column is in the header */
    const char *vals[WMS_CSV_MAX_COLS]; /* row values, by schema column */

    size_t nfields;               /* fields seen in the current record */
    size_t off[WMS_CSV_MAX_COLS]; /* stored field i starts at arena + off[i] */
    size_t len[WMS_CSV_MAX_COLS]; /* and is len[i] bytes long */
    char *arena;                  /* ARENA_SIZE bytes */
    size_t used;                  /* bytes of arena in use */
    long nrows;                   /* data records delivered */
};

/* libcsv realloc hook: refuses to grow the field buffer past CSV_BUF_CAP. */
static void *rd_capped_realloc(void *ptr, size_t size)
{
    if (size > CSV_BUF_CAP)
        return NULL;
    return realloc(ptr, size);
}

/* libcsv space hook: no byte is a space, so values keep their spaces. */
static int rd_no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static bool is_blank_byte(char c)
{
    return c == ' ' || c == '\t';
}

/* True when s[0..n) is empty or only spaces and tabs. */
static bool is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_blank_byte(s[i]))
            return false;
    return true;
}

/* Narrows s[0..*n) to drop surrounding spaces and tabs; returns the new start. */
static const char *trim(const char *s, size_t *n)
{
    size_t a = 0, b = *n;
    while (a < b && is_blank_byte(s[a]))
        a++;
    while (b > a && is_blank_byte(s[b - 1]))
        b--;
    *n = b - a;
    return s + a;
}

/* Returns the offset of the first byte of s[0..n) that does not start a
 * well-formed UTF-8 sequence (no overlongs, surrogates or code points above
 * U+10FFFF), or n when all of it is valid. */
static size_t utf8_check(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint32_t cp, min;
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            need = 2, cp = c & 0x0f, min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (n - i - 1 < need)
            return i;
        for (size_t k = 1; k <= need; k++) {
            unsigned b = s[i + k];
            if ((b & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (b & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += need + 1;
    }
    return n;
}

/* Copies at most EXCERPT_MAX bytes of s[0..n) to out (at least
 * EXCERPT_MAX + 4 bytes) for quoting in a message: control bytes become
 * '?', a cut never splits a UTF-8 sequence and is marked with "...". */
static void excerpt(char *out, const char *s, size_t n)
{
    size_t k = n;
    if (k > EXCERPT_MAX) {
        k = EXCERPT_MAX;
        while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
            k--;
    }
    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (k < n)
        memcpy(out + k, "...", 3), k += 3;
    out[k] = '\0';
}

/* Writes how field `idx` (0-based) of the current record is named in
 * messages: the schema name once the header is known, else its position. */
static const char *col_label(const struct csv_reader *st, size_t idx, char *buf, size_t n)
{
    if (st->header_done && idx < (size_t)st->nhdr)
        return st->schema[st->hdr_to_col[idx]].name;
    snprintf(buf, n, "%zu", idx + 1);
    return buf;
}

/* Records the first error of the read. */
#define FAIL(st, code, ...) ((st)->rc = wms_error_set((st)->err, (code), __VA_ARGS__))

/* libcsv field callback: checks the field and stores it in the arena. */
static void on_field(void *data, size_t len, void *ud)
{
    struct csv_reader *st = ud;
    if (st->rc != 0)
        return;
    const char *s = data != NULL ? data : "";
    size_t idx = st->nfields;
    if (st->nfields < SIZE_MAX)
        st->nfields++;
    if (st->header_done && idx >= (size_t)st->nhdr)
        return; /* surplus field: only counted, reported at the record's end */
    if (idx >= WMS_CSV_MAX_COLS) {
        FAIL(st, WMS_ETOO_LARGE, "line %ld: more than %d columns", st->rec_line, WMS_CSV_MAX_COLS);
        return;
    }
    char lb[24];
    const char *label = col_label(st, idx, lb, sizeof(lb));
    if (len > WMS_CSV_FIELD_MAX) {
        FAIL(st, WMS_ETOO_LARGE, "line %ld, column %s: longer than %d bytes", st->rec_line, label,
             WMS_CSV_FIELD_MAX);
        return;
    }
    if (memchr(s, '\0', len) != NULL) {
        FAIL(st, WMS_EBAD_CSV, "line %ld, column %s: contains a NUL byte", st->rec_line, label);
        return;
    }
    size_t bad = utf8_check((const unsigned char *)s, len);
    if (bad < len) {
        FAIL(st, WMS_EBAD_CSV, "line %ld, column %s: not valid UTF-8 (byte %zu of the value)",
             st->rec_line, label, bad + 1);
        return;
    }
    /* idx < WMS_CSV_MAX_COLS and len <= WMS_CSV_FIELD_MAX: it fits the arena */
    memcpy(st->arena + st->used, s, len);
    st->arena[st->used + len] = '\0';
    st->off[idx] = st->used;
    st->len[idx] = len;
    st->used += len + 1;
}

/* Checks the header record (nf fields, stored) against the schema and builds
 * the column maps. */
static void header_process(struct csv_reader *st, size_t nf)
{
    char ex[EXCERPT_MAX + 4];
    for (size_t h = 0; h < nf; h++) {
        size_t n = st->len[h];
        const char *name = trim(st->arena + st->off[h], &n);
        if (n == 0) {
            FAIL(st, WMS_EBAD_CSV, "line %ld, column %zu: the column name is empty", st->rec_line,
                 h + 1);
            return;
        }
        int col = -1;
        for (int i = 0; i < st->ncols; i++) {
            if (strlen(st->schema[i].name) == n && memcmp(st->schema[i].name, name, n) == 0) {
                col = i;
                break;
            }
        }
        excerpt(ex, name, n);
        if (col < 0) {
            FAIL(st, WMS_EBAD_CSV, "line %ld: unknown column '%s'", st->rec_line, ex);
            return;
        }
        if (st->col_to_hdr[col] >= 0) {
            FAIL(st, WMS_EBAD_CSV, "line %ld: column '%s' appears twice", st->rec_line, ex);
            return;
        }
        st->col_to_hdr[col] = (int)h;
        st->hdr_to_col[h] = col;
    }
    for (int i = 0; i < st->ncols; i++) {
        if (st->schema[i].required && st->col_to_hdr[i] < 0) {
            FAIL(st, WMS_EBAD_CSV, "line %ld: required column '%s' is missing", st->rec_line,
                 st->schema[i].name);
            return;
        }
        st->present[i] = st->col_to_hdr[i] >= 0;
    }
    st->nhdr = (int)nf;
    st->header_done = true;
}

/* Checks a data record (nf fields, the first nhdr stored) and hands it to
 * the row callback. */
static void data_process(struct csv_reader *st, size_t nf)
{
    if (nf != (size_t)st->nhdr) {
        FAIL(st, WMS_EBAD_CSV, "line %ld: %zu field%s, the header has %d", st->rec_line, nf,
             nf == 1 ? "" : "s", st->nhdr);
        return;
    }
    for (int i = 0; i < st->ncols; i++) {
        int h = st->col_to_hdr[i];
        st->vals[i] = h >= 0 ? st->arena + st->off[h] : "";
    }
    for (int h = 0; h < st->nhdr; h++) {
        int i = st->hdr_to_col[h];
        if (st->schema[i].required && is_blank(st->vals[i], st->len[h])) {
            FAIL(st, WMS_EBAD_CSV, "line %ld, column %s: value is required", st->rec_line,
                 st->schema[i].name);
            return;
        }
    }
    if (st->nrows < LONG_MAX)
        st->nrows++;
    if (st->cb == NULL)
        return;
    wms_csv_row row = {
        .line = st->rec_line,
        .ncols = st->ncols,
        .val = st->vals,
        .present = st->present,
        .cols = st->schema,
    };
    int rc = st->cb(st->ctx, &row, st->err);
    if (rc < 0) {
        if (st->err != NULL && st->err->code != rc)
            wms_error_set(st->err, rc, NULL);
        st->rc = rc;
    }
}

/* libcsv record callback: a record ended (c is its terminator, -1 at EOF). */
static void on_row(int c, void *ud)
{
    (void)c;
    struct csv_reader *st = ud;
    size_t nf = st->nfields;
    st->nfields = 0;
    st->in_record = false;
    if (st->rc == 0 && !(nf == 1 && is_blank(st->arena + st->off[0], st->len[0]))) {
        if (!st->header_done)
            header_process(st, nf);
        else
            data_process(st, nf);
    }
    st->used = 0;
}

/* Sets up a reader.  Returns 0 or WMS_EBAD_ARGS / WMS_ENOMEM; on success the
 * caller must rd_close it. */
static int rd_open(struct csv_reader *st, const wms_csv_col *schema, int ncols, wms_csv_row_cb cb,
                   void *ctx, wms_error *err)
{
    memset(st, 0, sizeof(*st));
    if (schema == NULL || ncols < 1 || ncols > WMS_CSV_MAX_COLS)
        return wms_error_set(err, WMS_EBAD_ARGS, "CSV schema must have 1 to %d columns",
                             WMS_CSV_MAX_COLS);
    for (int i = 0; i < ncols; i++) {
        if (schema[i].name == NULL || schema[i].name[0] == '\0')
            return wms_error_set(err, WMS_EBAD_ARGS, "CSV schema column %d has no name", i + 1);
        for (int j = 0; j < i; j++)
            if (strcmp(schema[i].name, schema[j].name) == 0)
                return wms_error_set(err, WMS_EBAD_ARGS, "CSV schema names '%s' twice",
                                     schema[i].name);
    }
    st->schema = schema;
    st->ncols = ncols;
    st->cb = cb;
    st->ctx = ctx;
    st->err = err;
    st->line = 1;
    for (int i = 0; i < WMS_CSV_MAX_COLS; i++)
        st->col_to_hdr[i] = -1;
    st->arena = malloc(ARENA_SIZE);
    if (st->arena == NULL)
        return wms_error_set(err, WMS_ENOMEM, NULL);
    if (csv_init(&st->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        free(st->arena);
        return wms_error_set(err, WMS_ENOMEM, NULL);
    }
    csv_set_space_func(&st->p, rd_no_space);
    csv_set_realloc_func(&st->p, rd_capped_realloc);
    csv_set_blk_size(&st->p, CSV_BLK_SIZE);
    return 0;
}

static void rd_close(struct csv_reader *st)
{
    csv_free(&st->p);
    free(st->arena);
    st->arena = NULL;
}

/* csv_parse stopped early: turns libcsv's status into our error.  `line` is
 * the line of the byte it stopped at. */
static void parse_failed(struct csv_reader *st, long line)
{
    char lb[24];
    const char *label = col_label(st, st->nfields, lb, sizeof(lb));
    int e = csv_error(&st->p);
    if (e == CSV_EPARSE) {
        FAIL(st, WMS_EBAD_CSV,
             "line %ld, column %s: misplaced quote (a quoted field must start and end with a "
             "quote, and quotes inside it must be doubled)",
             line, label);
    } else if (csv_get_buffer_size(&st->p) >= CSV_BUF_CAP) {
        FAIL(st, WMS_ETOO_LARGE, "line %ld, column %s: longer than %d bytes%s", st->rec_line, label,
             WMS_CSV_FIELD_MAX, st->p.quoted ? " (is a closing quote missing?)" : "");
    } else {
        FAIL(st, WMS_ENOMEM, "line %ld: out of memory while reading CSV", st->rec_line);
    }
}

/* Feeds the next n bytes of input to libcsv, one physical line at a time,
 * keeping line numbers.  Returns 0 or the first error. */
static int rd_feed(struct csv_reader *st, const unsigned char *s, size_t n)
{
    if (!st->started && n > 0) {
        st->started = true;
        if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
            s += 3, n -= 3;
    }
    while (n > 0 && st->rc == 0) {
        size_t k = 0;
        while (k < n && s[k] != '\n' && s[k] != '\r')
            k++;
        bool term = k < n;
        size_t seg = term ? k + 1 : k;
        bool lf_after_cr = st->prev_cr && s[0] == '\n';
        if (!st->in_record && k > 0) {
            /* libcsv is between records and gets a byte that is not a line
             * end: with no space skipping, that byte starts a record. */
            st->in_record = true;
            st->rec_line = st->line;
        }
        size_t done = csv_parse(&st->p, s, seg, on_field, on_row, st);
        if (st->rc != 0)
            break;
        if (done < seg) {
            parse_failed(st, st->line);
            break;
        }
        if (term && !lf_after_cr && st->line < LONG_MAX)
            st->line++;
        st->prev_cr = term && s[k] == '\r';
        s += seg;
        n -= seg;
    }
    return st->rc;
}

/* Ends the input: flushes the last record and checks that there was a
 * header.  Returns the record count or the first error. */
static int rd_finish(struct csv_reader *st)
{
    if (st->rc != 0)
        return st->rc;
    if (csv_fini(&st->p, on_field, on_row, st) != 0) {
        char lb[24];
        FAIL(st, WMS_EBAD_CSV, "line %ld, column %s: a quoted field is not closed", st->rec_line,
             col_label(st, st->nfields, lb, sizeof(lb)));
        return st->rc;
    }
    if (st->rc != 0)
        return st->rc;
    if (!st->header_done)
        return wms_error_set(st->err, WMS_EBAD_CSV, "the file is empty: it has no header row");
    return st->nrows > INT_MAX ? INT_MAX : (int)st->nrows;
}

int wms_csv_read(FILE *in, const wms_csv_col *schema, int ncols, wms_csv_row_cb cb, void *ctx,
                 wms_error *err)
{
    if (in == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no CSV input");
    struct csv_reader *st = malloc(sizeof(*st));
    unsigned char *buf = malloc(WMS_CSV_CHUNK);
    if (st == NULL || buf == NULL) {
        free(st);
        free(buf);
        return wms_error_set(err, WMS_ENOMEM, NULL);
    }
    int rc = rd_open(st, schema, ncols, cb, ctx, err);
    if (rc != 0) {
        free(st);
        free(buf);
        return rc;
    }
    for (;;) {
        size_t got = fread(buf, 1, WMS_CSV_CHUNK, in);
        int saved = errno;
        if (got > 0 && (rc = rd_feed(st, buf, got)) != 0)
            break;
        if (got < WMS_CSV_CHUNK) {
            if (ferror(in))
                rc = wms_error_set(err, WMS_EIO, "cannot read the CSV file: %s", strerror(saved));
            break;
        }
    }
    if (rc == 0)
        rc = rd_finish(st);
    rd_close(st);
    free(st);
    free(buf);
    return rc;
}

int wms_csv_read_mem(const char *data, size_t n, const wms_csv_col *schema, int ncols,
                     wms_csv_row_cb cb, void *ctx, wms_error *err)
{
    if (data == NULL && n > 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "no CSV input");
    struct csv_reader *st = malloc(sizeof(*st));
    if (st == NULL)
        return wms_error_set(err, WMS_ENOMEM, NULL);
    int rc = rd_open(st, schema, ncols, cb, ctx, err);
    if (rc != 0) {
        free(st);
        return rc;
    }
    rc = rd_feed(st, (const unsigned char *)data, n);
    if (rc == 0)
        rc = rd_finish(st);
    rd_close(st);
    free(st);
    return rc;
}

/* ---- value helpers ---------------------------------------------------- */

/* Common start of the getters: checks arguments and finds the trimmed value
 * and the column's display name.  Returns 0 or WMS_EBAD_ARGS. */
static int get_value(const wms_csv_row *r, int col, const void *out, const char **colname,
                     const char **s, size_t *n, wms_error *err)
{
    if (r == NULL || out == NULL || col < 0 || col >= r->ncols || r->val == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "bad CSV column request");
    if (*colname == NULL)
        *colname = r->cols != NULL ? r->cols[col].name : "?";
    const char *v = r->val[col] != NULL ? r->val[col] : "";
    *n = strlen(v);
    *s = trim(v, n);
    return 0;
}

int wms_csv_get_long(const wms_csv_row *r, int col, long min, long max, long dflt, long *out,
                     const char *colname, wms_error *err)
{
    const char *s;
    size_t n;
    int rc = get_value(r, col, out, &colname, &s, &n, err);
    if (rc != 0)
        return rc;
    if (n == 0) {
        *out = dflt;
        return 0;
    }
    char ex[EXCERPT_MAX + 4];
    excerpt(ex, s, n);
    size_t i = 0;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-')
        neg = s[0] == '-', i = 1;
    if (i == n)
        return wms_error_set(err, WMS_EBAD_CSV, "line %ld, column %s: '%s' is not a whole number",
                             r->line, colname, ex);
    /* Accumulate as a negative number: LONG_MIN has no positive twin. */
    long v = 0;
    bool overflow = false;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return wms_error_set(err, WMS_EBAD_CSV,
                                 "line %ld, column %s: '%s' is not a whole number", r->line,
                                 colname, ex);
        int d = s[i] - '0';
        if (v < (LONG_MIN + d) / 10)
            overflow = true;
        else
            v = v * 10 - d;
    }
    if (!neg) {
        if (v == LONG_MIN)
            overflow = true;
        else
            v = -v;
    }
    if (overflow || v < min || v > max)
        return wms_error_set(err, WMS_EBAD_CSV,
                             "line %ld, column %s: %s must be between %ld and %ld", r->line,
                             colname, ex, min, max);
    *out = v;
    return 1;
}

/* True when s[0..n) is a plain decimal number: [+-] digits [. digits]
 * [e [+-] digits], with at least one digit before the exponent. */
static bool is_decimal(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, ed++;
        if (ed == 0)
            return false;
    }
    return i == n;
}

int wms_csv_get_double(const wms_csv_row *r, int col, double min, double max, double dflt,
                       double *out, const char *colname, wms_error *err)
{
    const char *s;
    size_t n;
    int rc = get_value(r, col, out, &colname, &s, &n, err);
    if (rc != 0)
        return rc;
    if (n == 0) {
        *out = dflt;
        return 0;
    }
    char ex[EXCERPT_MAX + 4];
    excerpt(ex, s, n);
    char buf[72];
    if (n >= sizeof(buf) || !is_decimal(s, n))
        return wms_error_set(err, WMS_EBAD_CSV, "line %ld, column %s: '%s' is not a number",
                             r->line, colname, ex);
    memcpy(buf, s, n);
    buf[n] = '\0';
    /* strtod follows LC_NUMERIC; the file always uses '.' */
    const char *dp = localeconv()->decimal_point;
    if (dp != NULL && dp[0] != '\0' && dp[0] != '.' && dp[1] == '\0') {
        char *dot = strchr(buf, '.');
        if (dot != NULL)
            *dot = dp[0];
    }
    errno = 0;
    char *end;
    double v = strtod(buf, &end);
    if (*end != '\0')
        return wms_error_set(err, WMS_EBAD_CSV, "line %ld, column %s: '%s' is not a number",
                             r->line, colname, ex);
    if (!isfinite(v) || (errno == ERANGE && fabs(v) >= 1.0) || v < min || v > max)
        return wms_error_set(err, WMS_EBAD_CSV, "line %ld, column %s: %s must be between %g and %g",
                             r->line, colname, ex, min, max);
    *out = v;
    return 1;
}

int wms_csv_get_date(const wms_csv_row *r, int col, char out[11], const char *colname,
                     wms_error *err)
{
    const char *s;
    size_t n;
    int rc = get_value(r, col, out, &colname, &s, &n, err);
    if (rc != 0)
        return rc;
    out[0] = '\0';
    if (n == 0)
        return 0;
    char ex[EXCERPT_MAX + 4];
    excerpt(ex, s, n);
    bool shape = n == 10 && s[4] == '-' && s[7] == '-';
    for (size_t i = 0; shape && i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            shape = false;
    if (!shape)
        return wms_error_set(err, WMS_EBAD_CSV,
                             "line %ld, column %s: '%s' is not a date (YYYY-MM-DD)", r->line,
                             colname, ex);
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int dim = 0;
    if (m >= 1 && m <= 12) {
        dim = mdays[m - 1];
        if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
            dim = 29;
    }
    if (y < 1900 || d < 1 || d > dim)
        return wms_error_set(err, WMS_EBAD_CSV, "line %ld, column %s: '%s' is not a real date",
                             r->line, colname, ex);
    memcpy(out, s, 10);
    out[10] = '\0';
    return 1;
}
