/*
 * order.c - customers, orders and their review, gift-with-purchase rules,
 * release and cancel, order status reads and the order import.
 *
 * See order.h for the rules.  Every mutating call is one atomic operation
 * (db__op_begin/db__op_end); every status change goes through
 * wms_order_set_status so the events table is the status history.
 */
#include "store/db.h"
#include "store/catalog.h"
#include "store/order.h"
#include "store/alloc.h"
#include "store/pick_impl.h"
#include "core/date.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_OR_FAIL(st, sql)                                                                      \
    do {                                                                                           \
        if (((st) = db__stmt(db, (sql), err)) == NULL)                                             \
            return err ? err->code : WMS_ESTORAGE;                                                 \
    } while (0)

static const char *nz(const char *s)
{
    return s != NULL ? s : "";
}

/* 1 when s is NULL, empty or only spaces and tabs. */
static int blank(const char *s)
{
    for (; s != NULL && *s; s++)
        if (*s != ' ' && *s != '\t')
            return 0;
    return 1;
}

/* a + b, saturating at INT64_MAX (both >= 0). */
static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

static int64_t sat_mul(int64_t a, int64_t b)
{
    int64_t r;
    return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

static void money_fmt(char *buf, size_t n, int64_t cents)
{
    snprintf(buf, n, "%lld.%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

int wms_money_parse(const char *s, int64_t max_cents, int64_t *cents)
{
    *cents = 0;
    if (blank(s))
        return 0;
    while (*s == ' ' || *s == '\t')
        s++;
    int64_t units = 0, frac = 0;
    int digits = 0, fdigits = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (++digits > 13)
            return WMS_EBAD_ARGS;
        units = units * 10 + (*s - '0');
    }
    if (digits == 0)
        return WMS_EBAD_ARGS;
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++) {
            if (++fdigits > 2)
                return WMS_EBAD_ARGS;
            frac = frac * 10 + (*s - '0');
        }
        if (fdigits == 0)
            return WMS_EBAD_ARGS;
        if (fdigits == 1)
            frac *= 10;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s != '\0')
        return WMS_EBAD_ARGS;
    int64_t v = units * 100 + frac;
    if (v > max_cents)
        return WMS_EBAD_ARGS;
    *cents = v;
    return 1;
}

/* Reads exactly n digits at *p into *v; advances *p.  0 or -1. */
static int digits(const char **p, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        x = x * 10 + (c - '0');
    }
    *p += n;
    *v = x;
    return 0;
}

/*
 * Parses an ISO 8601 time with offset: YYYY-MM-DDTHH:MM[:SS[.fff...]]
 * followed by Z, +HH:MM, -HH:MM, +HHMM or +HH.  *ms gets UTC milliseconds
 * since 1970.  Returns 0, or -1 for anything else (no offset, a bad date or
 * time, an offset beyond 18 hours).
 */
static int cutoff_parse(const char *s, int64_t *ms)
{
    if (s == NULL || strlen(s) < 17 || strlen(s) > 40)
        return -1;
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    int y, mo, d, h, mi, sec = 0, frac = 0, oh = 0, om = 0, sign = 1;
    if (wms_date_parse(date, &y, &mo, &d) < 0 || s[10] != 'T')
        return -1;
    const char *p = s + 11;
    if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
        return -1;
    if (*p == ':') {
        p++;
        if (digits(&p, 2, &sec) < 0)
            return -1;
        if (*p == '.' || *p == ',') {
            p++;
            int n = 0;
            for (; *p >= '0' && *p <= '9'; p++, n++)
                if (n < 3)
                    frac = frac * 10 + (*p - '0');
            if (n == 0 || n > 9)
                return -1;
            for (; n < 3; n++)
                frac *= 10;
        }
    }
    if (h > 23 || mi > 59 || sec > 59)
        return -1;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p++ == '-' ? -1 : 1;
        if (digits(&p, 2, &oh) < 0)
            return -1;
        if (*p == ':')
            p++;
        if (*p != '\0' && digits(&p, 2, &om) < 0)
            return -1;
        if (oh > 18 || om > 59)
            return -1;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    int64_t secs = (int64_t)wms_date_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    secs -= sign * (oh * 3600 + om * 60);
    *ms = secs * 1000 + frac;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Customers                                                                */
/* ------------------------------------------------------------------------ */

static int valid_credit(const char *c)
{
    return c != NULL && (!strcmp(c, "green") || !strcmp(c, "yellow") || !strcmp(c, "red"));
}

int wms_customer_get(wms_db *db, const char *code, wms_customer *out, wms_error *err)
{
    static const char sql[] =
        "SELECT id, code, name, credit, hold_value_cents FROM customers WHERE code = ?1";
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, sql);
    db__bind_text(st, 1, code);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof(*out));
        out->id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, out->code, sizeof(out->code));
        db__col_text(st, 2, out->name, sizeof(out->name));
        db__col_text(st, 3, out->credit, sizeof(out->credit));
        out->hold_value_cents =
            sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = wms_error_set(err, WMS_ENOT_FOUND, "no customer '%.64s'", nz(code));
    } else {
        rc = db__fail(db, rc, err, "customer lookup");
    }
    sqlite3_reset(st);
    return rc;
}

static int customer_put__(wms_db *db, const char *code, const char *name, const char *credit,
                          int64_t hold, int update, wms_error *err)
{
    wms_customer cur;
    int rc = wms_customer_get(db, code, &cur, err);
    if (rc < 0 && rc != WMS_ENOT_FOUND)
        return rc;
    int existed = rc == 0;
    if (existed && !strcmp(cur.name, name) && !strcmp(cur.credit, credit) &&
        cur.hold_value_cents == hold)
        return WMS_PUT_UNCHANGED;
    if (existed && !update)
        return wms_error_set(err, WMS_ECONFLICT,
                             "customer %s already exists with different values (use --update)",
                             code);
    static const char sql[] =
        "INSERT INTO customers(code, name, credit, hold_value_cents) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(code) DO UPDATE SET name = excluded.name, credit = excluded.credit, "
        "hold_value_cents = excluded.hold_value_cents";
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, sql);
    db__bind_text(st, 1, code);
    db__bind_text(st, 2, name);
    db__bind_text(st, 3, credit);
    if (hold >= 0)
        sqlite3_bind_int64(st, 4, hold);
    if ((rc = db__exec_stmt(db, st, err, "store customer")) < 0)
        return rc;
    return existed ? WMS_PUT_UPDATED : WMS_PUT_INSERTED;
}

int wms_customer_put(wms_db *db, const char *code, const char *name, const char *credit,
                     int64_t hold_value_cents, int update, wms_error *err)
{
    if (!catalog__valid_key(code, WMS_ORDER_REF_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "customer code '%.70s' must be 1 to %d characters without spaces",
                             nz(code), WMS_ORDER_REF_MAX);
    if (!catalog__valid_text(nz(name), 128))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "customer %s: name longer than 128 bytes or "
                             "with control characters",
                             code);
    if (!valid_credit(credit))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "customer %s: credit '%.20s' is not green, yellow or red", code,
                             nz(credit));
    if (hold_value_cents < -1 || hold_value_cents > WMS_MONEY_MAX_CENTS)
        return wms_error_set(err, WMS_EBAD_ARGS, "customer %s: hold value out of range", code);
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    return db__op_end(db, customer_put__(db, code, nz(name), credit, hold_value_cents, update, err),
                      err);
}

/* ------------------------------------------------------------------------ */
/* Order creation: checks                                                   */
/* ------------------------------------------------------------------------ */

/* The normalised header of an order being created. */
typedef struct order_hdr {
    int priority;
    const char *short_policy;
    int64_t cutoff_ms; /* -1 = none */
} order_hdr;

static const struct {
    const char *name;
    size_t max;
} ship_fields[5] = {
    {"name", 128}, {"street", 128}, {"city", 64}, {"postcode", 16}, {"country", 64}};

static const char *ship_field(const wms_order_in *o, int i)
{
    const char *v[5] = {o->ship_name, o->ship_street, o->ship_city, o->ship_postcode,
                        o->ship_country};
    return nz(v[i]);
}

/* Checks the header fields of o (no database).  Fills h. */
static int check_header(const wms_order_in *o, order_hdr *h, wms_error *err)
{
    if (!catalog__valid_key(o->ref, WMS_ORDER_REF_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "order reference '%.70s' must be 1 to %d characters without spaces",
                             nz(o->ref), WMS_ORDER_REF_MAX);
    if (!catalog__valid_key(o->customer, WMS_ORDER_REF_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "order %s: customer code '%.70s' is not valid",
                             o->ref, nz(o->customer));
    if (!catalog__valid_text(nz(o->carrier), 64))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "order %s: carrier longer than 64 bytes or with control characters",
                             o->ref);
    for (int i = 0; i < 5; i++)
        if (!catalog__valid_text(ship_field(o, i), ship_fields[i].max))
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "order %s: ship-to %s longer than %zu bytes or with control "
                                 "characters",
                                 o->ref, ship_fields[i].name, ship_fields[i].max);
    h->cutoff_ms = -1;
    if (!blank(o->cutoff) && cutoff_parse(o->cutoff, &h->cutoff_ms) < 0)
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "order %s: cutoff '%.48s' is not an ISO 8601 time with offset "
                             "(like 2026-11-23T14:00:00+01:00)",
                             o->ref, o->cutoff);
    h->priority = o->priority == 0 ? 3 : o->priority;
    if (h->priority < 1 || h->priority > 9)
        return wms_error_set(err, WMS_EBAD_ARGS, "order %s: priority %d is not between 1 and 9",
                             o->ref, o->priority);
    h->short_policy = blank(o->short_policy) ? "ship_short" : o->short_policy;
    if (strcmp(h->short_policy, "ship_short") && strcmp(h->short_policy, "backorder"))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "order %s: short policy '%.20s' is not ship_short or backorder",
                             o->ref, h->short_policy);
    if (o->n < 1 || o->lines == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "order %s has no lines", o->ref);
    if (o->n > WMS_ORDER_LINES_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE, "order %s has %d lines; at most %d are allowed",
                             o->ref, o->n, WMS_ORDER_LINES_MAX);
    return 0;
}

/* Checks o's lines and looks their items up: item_ids[i] (n entries). */
static int check_lines(wms_db *db, const wms_order_in *o, int64_t *item_ids, wms_error *err)
{
    for (int i = 0; i < o->n; i++) {
        const wms_order_line_in *l = &o->lines[i];
        if (l->line < 1 || l->line > WMS_ORDER_LINE_NO_MAX)
            return wms_error_set(err, WMS_EBAD_ARGS, "line %d: line numbers run from 1 to %d",
                                 l->line, WMS_ORDER_LINE_NO_MAX);
        for (int j = 0; j < i; j++)
            if (o->lines[j].line == l->line)
                return wms_error_set(err, WMS_EBAD_ARGS, "line %d appears twice in order %s",
                                     l->line, o->ref);
        if (l->qty <= 0 || l->qty > WMS_QTY_MAX)
            return wms_error_set(err, WMS_EBAD_QTY,
                                 "line %d: quantity %lld is not between 1 and %lld", l->line,
                                 (long long)l->qty, (long long)WMS_QTY_MAX);
        if (l->unit_price_cents < 0 || l->unit_price_cents > WMS_MONEY_MAX_CENTS)
            return wms_error_set(err, WMS_EBAD_ARGS, "line %d: unit price out of range", l->line);
        if (l->min_shelf_life_days < -1 || l->min_shelf_life_days > 36500)
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "line %d: minimum shelf life %d days is not between 0 and 36500",
                                 l->line, l->min_shelf_life_days);
        wms_item it;
        if (!catalog__valid_key(l->sku, WMS_SKU_MAX))
            return wms_error_set(err, WMS_ENOT_FOUND, "line %d: unknown SKU '%.64s'", l->line,
                                 nz(l->sku));
        int rc = wms_item_get(db, l->sku, &it, err);
        if (rc == WMS_ENOT_FOUND)
            return wms_error_set(err, rc, "line %d: unknown SKU '%.64s'", l->line, l->sku);
        if (rc < 0)
            return rc;
        item_ids[i] = it.id;
    }
    return 0;
}

/* Finds order ref: id and status (status may be NULL).  WMS_ENOT_FOUND. */
static int order_find(wms_db *db, const char *ref, int64_t *id, char status[16], wms_error *err)
{
    static const char sql[] = "SELECT id, status FROM orders WHERE ref = ?1";
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, sql);
    db__bind_text(st, 1, ref);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        if (status != NULL)
            db__col_text(st, 1, status, 16);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = wms_error_set(err, WMS_ENOT_FOUND, "no order '%.64s'", nz(ref));
    } else {
        rc = db__fail(db, rc, err, "order lookup");
    }
    sqlite3_reset(st);
    return rc;
}

/* Runs a one-integer query with up to 3 integer parameters and one text
 * parameter (?4; NULL = unbound). */
static int query_int(wms_db *db, const char *sql, int64_t a, int64_t b, int64_t c, const char *t,
                     int64_t *out, wms_error *err)
{
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, sql);
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    sqlite3_bind_int64(st, 3, c);
    if (t != NULL)
        db__bind_text(st, 4, t);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = db__fail(db, rc, err, "query");
    }
    sqlite3_reset(st);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Gifts                                                                    */
/* ------------------------------------------------------------------------ */

/* Unreserved units of item in available, unexpired quants (any bin). */
static int gift_unreserved(wms_db *db, int64_t item_id, int64_t *out, wms_error *err)
{
    static const char sql[] =
        "SELECT coalesce(sum(qty - reserved), 0) FROM stock WHERE item_id = ?1 AND "
        "status = 'available' AND (expiry = '' OR expiry > ?4)";
    return query_int(db, sql, item_id, 0, 0, db__today(db), out, err);
}

/* Units still owed on gift lines of item in open orders. */
static int gift_owed(wms_db *db, int64_t item_id, int64_t *out, wms_error *err)
{
    static const char sql[] =
        "SELECT coalesce(sum(max(l.qty - l.allocated - l.short, 0)), 0) FROM order_lines l "
        "JOIN orders o ON o.id = l.order_id WHERE l.item_id = ?1 AND l.gift_rule_id IS NOT NULL "
        "AND o.status IN ('received','held','released','allocated','picking')";
    return query_int(db, sql, item_id, 0, 0, NULL, out, err);
}

#define GIFT_RULES_PER_PRODUCT 16

typedef struct gift_rule_row {
    int64_t id, gift_id, per_unit, safety;
    int active;
    char gift_sku[WMS_SKU_MAX + 1];
} gift_rule_row;

/* Loads the rules of product_id (at most GIFT_RULES_PER_PRODUCT). */
static int gift_rules_of(wms_db *db, int64_t product_id, gift_rule_row *rows, int *n,
                         wms_error *err)
{
    static const char sql[] =
        "SELECT r.id, r.gift_id, r.per_unit, r.safety_level, r.active, i.sku FROM gift_rules r "
        "JOIN items i ON i.id = r.gift_id WHERE r.product_id = ?1 ORDER BY r.id";
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, sql);
    sqlite3_bind_int64(st, 1, product_id);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < GIFT_RULES_PER_PRODUCT) {
        gift_rule_row *g = &rows[(*n)++];
        g->id = sqlite3_column_int64(st, 0);
        g->gift_id = sqlite3_column_int64(st, 1);
        g->per_unit = sqlite3_column_int64(st, 2);
        g->safety = sqlite3_column_int64(st, 3);
        g->active = sqlite3_column_int(st, 4);
        db__col_text(st, 5, g->gift_sku, sizeof(g->gift_sku));
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "gift rules");
}

static int line_insert(wms_db *db, int64_t order_id, int line, int64_t item_id, int64_t qty,
                       int64_t price, int msl, int64_t gift_rule_id, wms_error *err)
{
    static const char sql[] =
        "INSERT INTO order_lines(order_id, line, item_id, qty, unit_price_cents, "
        "min_shelf_life_days, gift_rule_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, sql);
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int(st, 2, line);
    sqlite3_bind_int64(st, 3, item_id);
    sqlite3_bind_int64(st, 4, qty);
    sqlite3_bind_int64(st, 5, price);
    if (msl >= 0)
        sqlite3_bind_int(st, 6, msl);
    if (gift_rule_id > 0)
        sqlite3_bind_int64(st, 7, gift_rule_id);
    return db__exec_stmt(db, st, err, "store order line");
}

static int gift_rule_switch(wms_db *db, const wms_actor *who, int64_t id, int active,
                            int64_t order_id, const char *detail, wms_error *err)
{
    static const char sql[] = "UPDATE gift_rules SET active = ?2 WHERE id = ?1";
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, sql);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, active);
    int rc = db__exec_stmt(db, st, err, "gift rule switch");
    if (rc < 0)
        return rc;
    int64_t ev =
        wms_event_add(db, who, WMS_EV_GIFT_RULE, order_id, active ? "on" : "off", detail, err);
    return ev < 0 ? (int)ev : 0;
}

/* Applies the gift rules of an ordered line (product_id x qty) to order_id:
 * adds gift lines numbered from *next_line, counting them in *added. */
static int gifts_for_line(wms_db *db, const wms_actor *who, int64_t order_id, int64_t product_id,
                          int64_t qty, int *next_line, int *added, wms_error *err)
{
    gift_rule_row rules[GIFT_RULES_PER_PRODUCT];
    int n = 0, rc;
    if ((rc = gift_rules_of(db, product_id, rules, &n, err)) < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        gift_rule_row *g = &rules[i];
        if (!g->active)
            continue;
        int64_t gift_qty = sat_mul(g->per_unit, qty), unreserved, owed;
        if ((rc = gift_unreserved(db, g->gift_id, &unreserved, err)) < 0 ||
            (rc = gift_owed(db, g->gift_id, &owed, err)) < 0)
            return rc;
        int64_t left = unreserved - owed - (gift_qty > WMS_QTY_MAX ? WMS_QTY_MAX : gift_qty);
        if (gift_qty <= WMS_QTY_MAX && left > g->safety) {
            rc = line_insert(db, order_id, (*next_line)++, g->gift_id, gift_qty, 0, -1, g->id, err);
            if (rc < 0)
                return rc;
            (*added)++;
            continue;
        }
        char detail[256];
        snprintf(detail, sizeof(detail),
                 "gift rule %lld off: available %lld of %s at or below safety level %lld "
                 "(%lld unreserved, %lld owed to open orders, %lld for this order)",
                 (long long)g->id, (long long)left, g->gift_sku, (long long)g->safety,
                 (long long)unreserved, (long long)owed, (long long)gift_qty);
        if ((rc = gift_rule_switch(db, who, g->id, 0, order_id, detail, err)) < 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Review                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct reasons {
    char buf[WMS_HOLD_REASON_MAX + 1];
    size_t len;
    int omitted;
} reasons;

/* Appends one reason ("; " between them); reasons that do not fit are
 * counted and summarised as " (and N more)" at the end. */
static void __attribute__((format(printf, 2, 3))) reason_add(reasons *r, const char *fmt, ...)
{
    char one[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(one, sizeof(one), fmt, ap);
    va_end(ap);
    size_t need = strlen(one) + (r->len ? 2 : 0);
    if (r->len + need > WMS_HOLD_REASON_MAX - 24) {
        r->omitted++;
        return;
    }
    r->len +=
        (size_t)snprintf(r->buf + r->len, sizeof(r->buf) - r->len, "%s%s", r->len ? "; " : "", one);
}

static void reason_end(reasons *r)
{
    if (r->omitted > 0)
        snprintf(r->buf + r->len, sizeof(r->buf) - r->len, " (and %d more)", r->omitted);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The customer's usual qty of an item (see order.h): *n earlier lines
 * found (at most WMS_USUAL_WINDOW), *usual their median. */
static int usual_qty(wms_db *db, int64_t customer_id, int64_t item_id, int64_t order_id,
                     int64_t *usual, int *n, wms_error *err)
{
    static const char sql[] =
        "SELECT l.qty FROM order_lines l JOIN orders o ON o.id = l.order_id "
        "WHERE l.item_id = ?1 AND o.customer_id = ?2 AND o.id < ?3 AND o.status <> 'cancelled' "
        "AND l.gift_rule_id IS NULL ORDER BY o.id DESC, l.line DESC LIMIT ?4";
    int64_t v[WMS_USUAL_WINDOW];
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, sql);
    sqlite3_bind_int64(st, 1, item_id);
    sqlite3_bind_int64(st, 2, customer_id);
    sqlite3_bind_int64(st, 3, order_id);
    sqlite3_bind_int(st, 4, WMS_USUAL_WINDOW);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < WMS_USUAL_WINDOW)
        v[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db__fail(db, rc, err, "usual quantity");
    *usual = 0;
    if (*n > 0) {
        qsort(v, (size_t)*n, sizeof(v[0]), cmp_i64);
        *usual = *n % 2 ? v[*n / 2] : (v[*n / 2 - 1] + v[*n / 2]) / 2;
    }
    return 0;
}

/* Reviews order id (lines stored) into r: every hold reason that applies. */
static int review(wms_db *db, int64_t id, const wms_order_in *o, const wms_customer *c,
                  const int64_t *item_ids, int64_t value, reasons *r, wms_error *err)
{
    char a[32], b[32];
    if (!strcmp(c->credit, "red"))
        reason_add(r, "customer %s has credit class red", c->code);
    if (!strcmp(c->credit, "yellow")) {
        int64_t limit = c->hold_value_cents < 0 ? 0 : c->hold_value_cents;
        if (value > limit) {
            money_fmt(a, sizeof(a), value);
            money_fmt(b, sizeof(b), limit);
            reason_add(r, "order value %s above the %s limit of yellow customer %s", a, b, c->code);
        }
    }
    for (int i = 0; i < o->n; i++) {
        int64_t usual = 0;
        int n = 0, rc = usual_qty(db, c->id, item_ids[i], id, &usual, &n, err);
        if (rc < 0)
            return rc;
        const wms_order_line_in *l = &o->lines[i];
        if (n >= WMS_USUAL_MIN_LINES && l->qty > sat_mul(usual, WMS_USUAL_FACTOR) &&
            l->qty - usual >= WMS_USUAL_MIN_EXCESS)
            reason_add(r, "line %d: %lld x %s is far above this customer's usual %lld", l->line,
                       (long long)l->qty, l->sku, (long long)usual);
    }
    char missing[64] = "";
    for (int i = 0; i < 5; i++)
        if (blank(ship_field(o, i))) {
            size_t len = strlen(missing);
            snprintf(missing + len, sizeof(missing) - len, "%s%s", len ? ", " : "",
                     ship_fields[i].name);
        }
    if (missing[0])
        reason_add(r, "ship-to incomplete: %s missing", missing);
    reason_end(r);
    return 0;
}

/* Stores o's lines and gift lines on order id (status 'received', no lines
 * yet), then reviews it and sets 'released' or 'held'. */
static int order_fill(wms_db *db, const wms_actor *who, int64_t id, const wms_order_in *o,
                      const wms_customer *c, const int64_t *item_ids, const char *received_detail,
                      wms_order_result *out, wms_error *err)
{
    int rc;
    int64_t value = 0;
    int max_line = 0, gifts = 0;
    for (int i = 0; i < o->n; i++) {
        const wms_order_line_in *l = &o->lines[i];
        rc = line_insert(db, id, l->line, item_ids[i], l->qty, l->unit_price_cents,
                         l->min_shelf_life_days, 0, err);
        if (rc < 0)
            return rc;
        value = sat_add(value, sat_mul(l->qty, l->unit_price_cents));
        if (l->line > max_line)
            max_line = l->line;
    }
    char detail[160];
    char v[32];
    money_fmt(v, sizeof(v), value);
    snprintf(detail, sizeof(detail), "%s: %d line(s), value %s", received_detail, o->n, v);
    int64_t ev = wms_event_add(db, who, WMS_EV_ORDER_STATUS, id, "received", detail, err);
    if (ev < 0)
        return (int)ev;
    int next = max_line + 1;
    for (int i = 0; i < o->n; i++)
        if ((rc = gifts_for_line(db, who, id, item_ids[i], o->lines[i].qty, &next, &gifts, err)) <
            0)
            return rc;
    reasons r;
    memset(&r, 0, sizeof(r));
    if ((rc = review(db, id, o, c, item_ids, value, &r, err)) < 0)
        return rc;
    const char *status = r.len > 0 ? "held" : "released";
    static const char upd[] = "UPDATE orders SET hold_reason = ?2 WHERE id = ?1";
    sqlite3_stmt *st;
    if (r.len > 0) {
        STMT_OR_FAIL(st, upd);
        sqlite3_bind_int64(st, 1, id);
        db__bind_text(st, 2, r.buf);
        if ((rc = db__exec_stmt(db, st, err, "hold reason")) < 0)
            return rc;
    }
    rc = wms_order_set_status(db, who, id, status, r.len > 0 ? r.buf : "review passed", err);
    if (rc < 0)
        return rc;
    if (r.len > 0 && (ev = wms_event_add(db, who, WMS_EV_ORDER_HOLD, id, NULL, r.buf, err)) < 0)
        return (int)ev;
    if (out != NULL) {
        memset(out, 0, sizeof(*out));
        out->order_id = id;
        snprintf(out->status, sizeof(out->status), "%s", status);
        snprintf(out->hold_reason, sizeof(out->hold_reason), "%.*s",
                 (int)sizeof(out->hold_reason) - 1, r.buf);
        out->lines = o->n;
        out->gift_lines = gifts;
    }
    return 0;
}

/* Header columns shared by insert and replace: ?2.. in this order. */
static void bind_header(sqlite3_stmt *st, const wms_order_in *o, const order_hdr *h,
                        int64_t customer_id)
{
    sqlite3_bind_int64(st, 2, customer_id);
    sqlite3_bind_int(st, 3, h->priority);
    db__bind_text(st, 4, nz(o->carrier));
    db__bind_text(st, 5, blank(o->cutoff) ? "" : o->cutoff);
    if (!blank(o->cutoff))
        sqlite3_bind_int64(st, 6, h->cutoff_ms);
    for (int i = 0; i < 5; i++)
        db__bind_text(st, 7 + i, ship_field(o, i));
    db__bind_text(st, 12, h->short_policy);
}

/* Creates (replace_id 0) or replaces (replace_id = the existing order,
 * which the caller checked is 'received' or 'held') order o. */
static int order_store(wms_db *db, const wms_actor *who, const wms_order_in *o, int64_t replace_id,
                       wms_order_result *out, wms_error *err)
{
    order_hdr h;
    int rc;
    if ((rc = check_header(o, &h, err)) < 0)
        return rc;
    int64_t id;
    if (replace_id == 0) {
        rc = order_find(db, o->ref, &id, NULL, NULL);
        if (rc == 0)
            return wms_error_set(err, WMS_EEXISTS, "order %s already exists", o->ref);
        if (rc != WMS_ENOT_FOUND)
            return order_find(db, o->ref, &id, NULL, err);
    }
    wms_customer c;
    if ((rc = wms_customer_get(db, o->customer, &c, err)) < 0)
        return rc;
    int64_t *item_ids = malloc(sizeof(int64_t) * (size_t)o->n);
    if (item_ids == NULL)
        return wms_error_set(err, WMS_ENOMEM, "order %s: out of memory", o->ref);
    if ((rc = check_lines(db, o, item_ids, err)) < 0)
        goto out;
    sqlite3_stmt *st;
    if (replace_id == 0) {
        static const char ins[] =
            "INSERT INTO orders(ref, customer_id, priority, carrier, cutoff, cutoff_ms, "
            "ship_name, ship_street, ship_city, ship_postcode, ship_country, short_policy, "
            "status, hold_reason, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
            "?12, 'received', '', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
        if ((st = db__stmt(db, ins, err)) == NULL) {
            rc = err ? err->code : WMS_ESTORAGE;
            goto out;
        }
        db__bind_text(st, 1, o->ref);
        bind_header(st, o, &h, c.id);
        if ((rc = db__exec_stmt(db, st, err, "store order")) < 0)
            goto out;
        id = sqlite3_last_insert_rowid(db->sql);
    } else {
        static const char upd[] =
            "UPDATE orders SET customer_id = ?2, priority = ?3, carrier = ?4, cutoff = ?5, "
            "cutoff_ms = ?6, ship_name = ?7, ship_street = ?8, ship_city = ?9, "
            "ship_postcode = ?10, ship_country = ?11, short_policy = ?12, status = 'received', "
            "hold_reason = '' WHERE id = ?1";
        static const char del[] = "DELETE FROM order_lines WHERE order_id = ?1";
        id = replace_id;
        if ((st = db__stmt(db, upd, err)) == NULL) {
            rc = err ? err->code : WMS_ESTORAGE;
            goto out;
        }
        sqlite3_bind_int64(st, 1, id);
        bind_header(st, o, &h, c.id);
        if ((rc = db__exec_stmt(db, st, err, "update order")) < 0)
            goto out;
        if ((st = db__stmt(db, del, err)) == NULL) {
            rc = err ? err->code : WMS_ESTORAGE;
            goto out;
        }
        sqlite3_bind_int64(st, 1, id);
        if ((rc = db__exec_stmt(db, st, err, "replace order lines")) < 0)
            goto out;
    }
    rc = order_fill(db, who, id, o, &c, item_ids,
                    replace_id ? "order changed by import" : "order received", out, err);
out:
    free(item_ids);
    return rc;
}

int wms_order_create(wms_db *db, const wms_actor *who, const wms_order_in *o, wms_order_result *out,
                     wms_error *err)
{
    if (o == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no order given");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    return db__op_end(db, order_store(db, who, o, 0, out, err), err);
}

/* ------------------------------------------------------------------------ */
/* Release and cancel                                                       */
/* ------------------------------------------------------------------------ */

static int release__(wms_db *db, const wms_actor *who, const char *ref, wms_error *err)
{
    int64_t id;
    char status[16];
    int rc = order_find(db, ref, &id, status, err);
    if (rc < 0)
        return rc;
    if (strcmp(status, "held"))
        return wms_error_set(err, WMS_ECONFLICT, "order %s is %s, not held: nothing to release",
                             ref, status);
    return wms_order_set_status(db, who, id, "released", "released after review", err);
}

int wms_order_release(wms_db *db, const wms_actor *who, const char *ref, wms_error *err)
{
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    return db__op_end(db, release__(db, who, ref, err), err);
}

#define CANCEL_BATCH 128

/* Cancels the open allocations of order id: each one's unpicked units
 * leave its quant's reserved count and its line's allocated count. */
static int cancel_allocations(wms_db *db, int64_t id, wms_error *err)
{
    static const char sel[] = "SELECT id, bin_id, item_id, lot, expiry, qty - picked, line "
                              "FROM allocations WHERE order_id = ?1 AND status = 'open' "
                              "ORDER BY id LIMIT ?2";
    static const char unres[] =
        "UPDATE stock SET reserved = reserved - ?5 WHERE bin_id = ?1 AND item_id = ?2 AND "
        "lot = ?3 AND expiry = ?4 AND status = 'available'";
    static const char cancel[] = "UPDATE allocations SET status = 'cancelled' WHERE id = ?1";
    static const char line[] =
        "UPDATE order_lines SET allocated = max(allocated - ?3, 0) WHERE order_id = ?1 AND "
        "line = ?2";
    struct {
        int64_t id, bin, item, units;
        int line;
        char lot[WMS_LOT_MAX + 1], expiry[11];
    } a[CANCEL_BATCH];
    for (;;) {
        sqlite3_stmt *st;
        STMT_OR_FAIL(st, sel);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, CANCEL_BATCH);
        int n = 0, rc = SQLITE_DONE;
        while (n < CANCEL_BATCH && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            a[n].id = sqlite3_column_int64(st, 0);
            a[n].bin = sqlite3_column_int64(st, 1);
            a[n].item = sqlite3_column_int64(st, 2);
            db__col_text(st, 3, a[n].lot, sizeof(a[n].lot));
            db__col_text(st, 4, a[n].expiry, sizeof(a[n].expiry));
            a[n].units = sqlite3_column_int64(st, 5);
            a[n].line = sqlite3_column_int(st, 6);
            n++;
        }
        sqlite3_reset(st);
        if (n < CANCEL_BATCH && rc != SQLITE_DONE)
            return db__fail(db, rc, err, "order allocations");
        if (n == 0)
            return 0;
        for (int i = 0; i < n; i++) {
            if (a[i].units > 0) {
                STMT_OR_FAIL(st, unres);
                sqlite3_bind_int64(st, 1, a[i].bin);
                sqlite3_bind_int64(st, 2, a[i].item);
                db__bind_text(st, 3, a[i].lot);
                db__bind_text(st, 4, a[i].expiry);
                sqlite3_bind_int64(st, 5, a[i].units);
                if ((rc = db__exec_stmt(db, st, err, "release reservation")) < 0)
                    return rc;
                if (sqlite3_changes(db->sql) != 1)
                    return wms_error_set(err, WMS_ESTORAGE,
                                         "allocation %lld has no available stock quant: the "
                                         "reservations are inconsistent",
                                         (long long)a[i].id);
                STMT_OR_FAIL(st, line);
                sqlite3_bind_int64(st, 1, id);
                sqlite3_bind_int(st, 2, a[i].line);
                sqlite3_bind_int64(st, 3, a[i].units);
                if ((rc = db__exec_stmt(db, st, err, "line allocated")) < 0)
                    return rc;
            }
            STMT_OR_FAIL(st, cancel);
            sqlite3_bind_int64(st, 1, a[i].id);
            if ((rc = db__exec_stmt(db, st, err, "cancel allocation")) < 0)
                return rc;
        }
    }
}

static int cancel__(wms_db *db, const wms_actor *who, const char *ref, const char *reason,
                    wms_error *err)
{
    int64_t id, picked;
    char status[16];
    int rc = order_find(db, ref, &id, status, err);
    if (rc < 0)
        return rc;
    if (!strcmp(status, "cancelled"))
        return wms_error_set(err, WMS_ECONFLICT, "order %s is already cancelled", ref);
    if (strcmp(status, "received") && strcmp(status, "held") && strcmp(status, "released") &&
        strcmp(status, "allocated") && strcmp(status, "short"))
        return wms_error_set(err, WMS_ECONFLICT,
                             "order %s is %s: picking has started, it cannot be cancelled", ref,
                             status);
    static const char started[] =
        "SELECT (SELECT count(*) FROM allocations WHERE order_id = ?1 AND "
        "(picked > 0 OR status = 'picked')) + (SELECT count(*) FROM order_lines WHERE "
        "order_id = ?1 AND picked > 0)";
    if ((rc = query_int(db, started, id, 0, 0, NULL, &picked, err)) < 0)
        return rc;
    if (picked > 0)
        return wms_error_set(err, WMS_ECONFLICT,
                             "order %s: units have been picked already, it cannot be cancelled",
                             ref);
    if ((rc = cancel_allocations(db, id, err)) < 0 || (rc = alloc__bulk_resync(db, id, err)) < 0)
        return rc;
    static const char tasks[] =
        "UPDATE tasks SET status = 'cancelled' WHERE status IN ('open','assigned') AND "
        "kind = 'pick' AND (order_id = ?1 OR allocation_id IN "
        "(SELECT id FROM allocations WHERE order_id = ?1))";
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, tasks);
    sqlite3_bind_int64(st, 1, id);
    if ((rc = db__exec_stmt(db, st, err, "cancel tasks")) < 0)
        return rc;
    char detail[256];
    snprintf(detail, sizeof(detail), "cancelled%s%s", blank(reason) ? "" : ": ", nz(reason));
    if ((rc = wms_order_set_status(db, who, id, "cancelled", detail, err)) < 0)
        return rc;
    return sort__settle(db, who, id, NULL, err); /* a put-wall slot is freed */
}

int wms_order_cancel(wms_db *db, const wms_actor *who, const char *ref, const char *reason,
                     wms_error *err)
{
    if (!catalog__valid_text(nz(reason), 200))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "cancel reason longer than 200 bytes or with control characters");
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    return db__op_end(db, cancel__(db, who, ref, reason, err), err);
}

/* ------------------------------------------------------------------------ */
/* Reads                                                                    */
/* ------------------------------------------------------------------------ */

static int history_cb(void *ctx, const wms_event *e)
{
    wms_order_info *o = ctx;
    if (o->n_history < WMS_ORDER_HISTORY_MAX)
        o->history[o->n_history++] = *e;
    o->history_total++;
    return 0;
}

int wms_order_get(wms_db *db, const char *ref, wms_order_info *out, wms_error *err)
{
    static const char hdr[] =
        "SELECT o.id, o.ref, c.code, c.name, c.credit, o.priority, o.carrier, o.cutoff, "
        "coalesce(o.cutoff_ms, -1), o.ship_name, o.ship_street, o.ship_city, o.ship_postcode, "
        "o.ship_country, o.short_policy, o.status, o.hold_reason, coalesce(o.wave_id, 0), "
        "o.created FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.ref = ?1";
    static const char lines[] =
        "SELECT l.line, i.sku, l.qty, l.unit_price_cents, coalesce(l.min_shelf_life_days, -1), "
        "coalesce(l.gift_rule_id, 0), l.allocated, l.picked, l.short, l.backordered "
        "FROM order_lines l JOIN items i ON i.id = l.item_id WHERE l.order_id = ?1 "
        "ORDER BY l.line";
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, hdr);
    db__bind_text(st, 1, ref);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return wms_error_set(err, WMS_ENOT_FOUND, "no order '%.64s'", nz(ref));
        return db__fail(db, rc, err, "order");
    }
    out->id = sqlite3_column_int64(st, 0);
    db__col_text(st, 1, out->ref, sizeof(out->ref));
    db__col_text(st, 2, out->customer, sizeof(out->customer));
    db__col_text(st, 3, out->customer_name, sizeof(out->customer_name));
    db__col_text(st, 4, out->credit, sizeof(out->credit));
    out->priority = sqlite3_column_int(st, 5);
    db__col_text(st, 6, out->carrier, sizeof(out->carrier));
    db__col_text(st, 7, out->cutoff, sizeof(out->cutoff));
    out->cutoff_ms = sqlite3_column_int64(st, 8);
    db__col_text(st, 9, out->ship_name, sizeof(out->ship_name));
    db__col_text(st, 10, out->ship_street, sizeof(out->ship_street));
    db__col_text(st, 11, out->ship_city, sizeof(out->ship_city));
    db__col_text(st, 12, out->ship_postcode, sizeof(out->ship_postcode));
    db__col_text(st, 13, out->ship_country, sizeof(out->ship_country));
    db__col_text(st, 14, out->short_policy, sizeof(out->short_policy));
    db__col_text(st, 15, out->status, sizeof(out->status));
    db__col_text(st, 16, out->hold_reason, sizeof(out->hold_reason));
    out->wave_id = sqlite3_column_int64(st, 17);
    db__col_text(st, 18, out->created, sizeof(out->created));
    sqlite3_reset(st);
    STMT_OR_FAIL(st, lines);
    sqlite3_bind_int64(st, 1, out->id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t qty = sqlite3_column_int64(st, 2), price = sqlite3_column_int64(st, 3);
        out->lines++;
        out->units = sat_add(out->units, qty);
        out->value_cents = sat_add(out->value_cents, sat_mul(qty, price));
        if (out->n >= WMS_ORDER_INFO_LINES)
            continue;
        wms_order_line_info *l = &out->line[out->n++];
        l->line = sqlite3_column_int(st, 0);
        db__col_text(st, 1, l->sku, sizeof(l->sku));
        l->qty = qty;
        l->unit_price_cents = price;
        l->min_shelf_life_days = sqlite3_column_int(st, 4);
        l->gift_rule_id = sqlite3_column_int64(st, 5);
        l->allocated = sqlite3_column_int64(st, 6);
        l->picked = sqlite3_column_int64(st, 7);
        l->short_qty = sqlite3_column_int64(st, 8);
        l->backordered = sqlite3_column_int64(st, 9);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "order lines");
    rc = wms_event_list(db, 0, out->ref, 1000000, history_cb, out, err);
    return rc < 0 ? rc : 0;
}

static int valid_status(const char *s)
{
    static const char *const all[] = {"received", "held",   "released", "allocated", "picking",
                                      "picked",   "packed", "shipped",  "short",     "cancelled"};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (!strcmp(s, all[i]))
            return 1;
    return 0;
}

int wms_order_list(wms_db *db, const char *status, int (*cb)(void *, const wms_order_summary *),
                   void *ctx, wms_error *err)
{
    static const char sql[] =
        "SELECT o.id, o.ref, c.code, o.status, o.priority, o.carrier, o.cutoff, o.hold_reason, "
        "o.created, (SELECT count(*) FROM order_lines WHERE order_id = o.id), "
        "(SELECT total(qty) FROM order_lines WHERE order_id = o.id), "
        "(SELECT total(qty * unit_price_cents) FROM order_lines WHERE order_id = o.id) "
        "FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE (?1 = '' OR o.status = ?1) ORDER BY o.id";
    if (!blank(status) && !valid_status(status))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "unknown order status '%.20s' (received, held, released, allocated, "
                             "picking, picked, packed, shipped, short, cancelled)",
                             status);
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, sql);
    db__bind_text(st, 1, blank(status) ? "" : status);
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        wms_order_summary s;
        memset(&s, 0, sizeof(s));
        s.id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, s.ref, sizeof(s.ref));
        db__col_text(st, 2, s.customer, sizeof(s.customer));
        db__col_text(st, 3, s.status, sizeof(s.status));
        s.priority = sqlite3_column_int(st, 4);
        db__col_text(st, 5, s.carrier, sizeof(s.carrier));
        db__col_text(st, 6, s.cutoff, sizeof(s.cutoff));
        db__col_text(st, 7, s.hold_reason, sizeof(s.hold_reason));
        db__col_text(st, 8, s.created, sizeof(s.created));
        s.lines = sqlite3_column_int(st, 9);
        double u = sqlite3_column_double(st, 10), v = sqlite3_column_double(st, 11);
        s.units = u >= 9.2e18 ? INT64_MAX : (int64_t)u;
        s.value_cents = v >= 9.2e18 ? INT64_MAX : (int64_t)v;
        n++;
        if (cb(ctx, &s) != 0)
            break;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db__fail(db, rc, err, "order list");
    return n;
}

/* ------------------------------------------------------------------------ */
/* Gift rules                                                               */
/* ------------------------------------------------------------------------ */

static int gift_put__(wms_db *db, const char *product, const char *gift, int64_t per_unit,
                      int64_t safety, wms_error *err)
{
    wms_item p, g;
    int rc;
    if ((rc = wms_item_get(db, product, &p, err)) < 0 || (rc = wms_item_get(db, gift, &g, err)) < 0)
        return rc;
    static const char find[] =
        "SELECT coalesce((SELECT id FROM gift_rules WHERE product_id = ?1 AND gift_id = ?2), 0)";
    static const char count[] = "SELECT count(*) FROM gift_rules WHERE product_id = ?1";
    int64_t id, n;
    if ((rc = query_int(db, find, p.id, g.id, 0, NULL, &id, err)) < 0)
        return rc;
    sqlite3_stmt *st;
    if (id > 0) {
        static const char upd[] =
            "UPDATE gift_rules SET per_unit = ?2, safety_level = ?3 WHERE id = ?1";
        STMT_OR_FAIL(st, upd);
        sqlite3_bind_int64(st, 1, id);
    } else {
        if ((rc = query_int(db, count, p.id, 0, 0, NULL, &n, err)) < 0)
            return rc;
        if (n >= GIFT_RULES_PER_PRODUCT)
            return wms_error_set(err, WMS_ETOO_LARGE, "item %s already has %d gift rules", product,
                                 GIFT_RULES_PER_PRODUCT);
        static const char ins[] = "INSERT INTO gift_rules(product_id, gift_id, per_unit, "
                                  "safety_level, active) VALUES (?4, ?5, ?2, ?3, 1)";
        STMT_OR_FAIL(st, ins);
        sqlite3_bind_int64(st, 4, p.id);
        sqlite3_bind_int64(st, 5, g.id);
    }
    sqlite3_bind_int64(st, 2, per_unit);
    sqlite3_bind_int64(st, 3, safety);
    if ((rc = db__exec_stmt(db, st, err, "store gift rule")) < 0)
        return rc;
    if (id == 0)
        id = sqlite3_last_insert_rowid(db->sql);
    return id > INT32_MAX ? wms_error_set(err, WMS_ETOO_LARGE, "gift rule ids exhausted") : (int)id;
}

int wms_gift_rule_put(wms_db *db, const char *product_sku, const char *gift_sku, int64_t per_unit,
                      int64_t safety_level, wms_error *err)
{
    if (!catalog__valid_key(product_sku, WMS_SKU_MAX) || !catalog__valid_key(gift_sku, WMS_SKU_MAX))
        return wms_error_set(err, WMS_EBAD_ARGS, "gift rule: product and gift SKUs are needed");
    if (!strcmp(product_sku, gift_sku))
        return wms_error_set(err, WMS_EBAD_ARGS, "gift rule: %s cannot be its own gift",
                             product_sku);
    if (per_unit < 1 || per_unit > 1000000)
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "gift rule: %lld gift units per unit is not between 1 and 1000000",
                             (long long)per_unit);
    if (safety_level < 0 || safety_level > WMS_QTY_MAX)
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "gift rule: safety level %lld is not between 0 and %lld",
                             (long long)safety_level, (long long)WMS_QTY_MAX);
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    return db__op_end(db, gift_put__(db, product_sku, gift_sku, per_unit, safety_level, err), err);
}

static int gift_set__(wms_db *db, const wms_actor *who, int64_t id, int active, wms_error *err)
{
    static const char sql[] = "SELECT coalesce((SELECT active FROM gift_rules WHERE id = ?1), "
                              "-1)";
    int64_t cur;
    int rc = query_int(db, sql, id, 0, 0, NULL, &cur, err);
    if (rc < 0)
        return rc;
    if (cur < 0)
        return wms_error_set(err, WMS_ENOT_FOUND, "no gift rule %lld", (long long)id);
    if (cur == active)
        return 0;
    char detail[128];
    snprintf(detail, sizeof(detail), "gift rule %lld %s: switched %s by %s", (long long)id,
             active ? "on" : "off", active ? "on" : "off",
             who != NULL && who->user != NULL ? who->user : "system");
    rc = gift_rule_switch(db, who, id, active, 0, detail, err);
    return rc < 0 ? rc : 1;
}

int wms_gift_rule_set_active(wms_db *db, const wms_actor *who, int64_t id, int active,
                             wms_error *err)
{
    int rc = db__op_begin(db, err);
    if (rc < 0)
        return rc;
    return db__op_end(db, gift_set__(db, who, id, active ? 1 : 0, err), err);
}

int wms_gift_rule_list(wms_db *db, int (*cb)(void *, const wms_gift_rule *), void *ctx,
                       wms_error *err)
{
    static const char sql[] =
        "SELECT r.id, p.sku, g.sku, r.per_unit, r.safety_level, r.active, r.gift_id "
        "FROM gift_rules r JOIN items p ON p.id = r.product_id JOIN items g ON g.id = r.gift_id "
        "WHERE r.id > ?1 ORDER BY r.id LIMIT 1";
    int64_t after = 0;
    int n = 0;
    for (;;) {
        /* One row per query: the stock sums below reuse the statement cache. */
        sqlite3_stmt *st;
        STMT_OR_FAIL(st, sql);
        sqlite3_bind_int64(st, 1, after);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            sqlite3_reset(st);
            return n;
        }
        if (rc != SQLITE_ROW) {
            rc = db__fail(db, rc, err, "gift rules");
            sqlite3_reset(st);
            return rc;
        }
        wms_gift_rule g;
        memset(&g, 0, sizeof(g));
        g.id = after = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, g.product, sizeof(g.product));
        db__col_text(st, 2, g.gift, sizeof(g.gift));
        g.per_unit = sqlite3_column_int64(st, 3);
        g.safety_level = sqlite3_column_int64(st, 4);
        g.active = sqlite3_column_int(st, 5);
        int64_t gift_id = sqlite3_column_int64(st, 6);
        sqlite3_reset(st);
        if ((rc = gift_unreserved(db, gift_id, &g.unreserved, err)) < 0 ||
            (rc = gift_owed(db, gift_id, &g.owed, err)) < 0)
            return rc;
        n++;
        if (cb(ctx, &g) != 0)
            return n;
    }
}

/* ------------------------------------------------------------------------ */
/* Order import                                                             */
/* ------------------------------------------------------------------------ */

/* The stage lives in TEMP tables of the importing connection, inside the
 * import's transaction: a failed import rolls the stage back with
 * everything else, a finished one empties it. */
static const char stage_refs_ddl[] =
    "CREATE TEMP TABLE IF NOT EXISTS order_import_refs ("
    "seq INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE, first_line INTEGER NOT NULL, "
    "nlines INTEGER NOT NULL, customer TEXT NOT NULL, priority INTEGER NOT NULL, "
    "carrier TEXT NOT NULL, cutoff TEXT NOT NULL, ship_name TEXT NOT NULL, "
    "ship_street TEXT NOT NULL, ship_city TEXT NOT NULL, ship_postcode TEXT NOT NULL, "
    "ship_country TEXT NOT NULL, short_policy TEXT NOT NULL)";
static const char stage_lines_ddl[] =
    "CREATE TEMP TABLE IF NOT EXISTS order_import_lines ("
    "ref TEXT NOT NULL, line INTEGER NOT NULL, file_line INTEGER NOT NULL, sku TEXT NOT NULL, "
    "qty INTEGER NOT NULL, price INTEGER NOT NULL, msl INTEGER NOT NULL, "
    "PRIMARY KEY (ref, line)) WITHOUT ROWID";

static int stage_tables(wms_db *db, wms_error *err)
{
    sqlite3_stmt *st;
    int rc;
    STMT_OR_FAIL(st, stage_refs_ddl);
    if ((rc = db__exec_stmt(db, st, err, "order import stage")) < 0)
        return rc;
    STMT_OR_FAIL(st, stage_lines_ddl);
    return db__exec_stmt(db, st, err, "order import stage");
}

/* Header columns of the orders file, in the stage's order (columns 4..13
 * of order_import_refs). */
static const char *const stage_hdr_cols[10] = {
    "customer",    "priority",  "carrier",       "cutoff",       "ship_name",
    "ship_street", "ship_city", "ship_postcode", "ship_country", "short_policy"};

int order__import_stage(wms_db *db, const order__import_row *r, wms_error *err)
{
    long ln = r->file_line;
    if (!catalog__valid_key(r->ref, WMS_ORDER_REF_MAX))
        return wms_error_set(err, WMS_EBAD_CSV,
                             "line %ld, column order: '%.70s' must be 1 to %d characters without "
                             "spaces",
                             ln, nz(r->ref), WMS_ORDER_REF_MAX);
    const char *hv[10];
    char prio[8];
    snprintf(prio, sizeof(prio), "%d", r->priority);
    hv[0] = nz(r->customer);
    hv[1] = prio;
    hv[2] = nz(r->carrier);
    hv[3] = blank(r->cutoff) ? "" : r->cutoff;
    hv[4] = nz(r->ship_name);
    hv[5] = nz(r->ship_street);
    hv[6] = nz(r->ship_city);
    hv[7] = nz(r->ship_postcode);
    hv[8] = nz(r->ship_country);
    hv[9] = blank(r->short_policy) ? "ship_short" : r->short_policy;
    static const size_t maxlen[10] = {64, 8, 64, 40, 128, 128, 64, 16, 64, 16};
    for (int i = 2; i < 9; i++)
        if (!catalog__valid_text(hv[i], maxlen[i]))
            return wms_error_set(err, WMS_EBAD_CSV,
                                 "line %ld, column %s: longer than %zu bytes or with control "
                                 "characters",
                                 ln, stage_hdr_cols[i], maxlen[i]);
    int64_t ms;
    if (hv[3][0] && cutoff_parse(hv[3], &ms) < 0)
        return wms_error_set(err, WMS_EBAD_CSV,
                             "line %ld, column cutoff: '%.48s' is not an ISO 8601 time with "
                             "offset (like 2026-11-23T14:00:00+01:00)",
                             ln, hv[3]);
    if (strcmp(hv[9], "ship_short") && strcmp(hv[9], "backorder"))
        return wms_error_set(err, WMS_EBAD_CSV,
                             "line %ld, column short_policy: '%.20s' is not ship_short or "
                             "backorder",
                             ln, hv[9]);
    wms_customer c;
    int rc = 0;
    if (!catalog__valid_key(hv[0], WMS_ORDER_REF_MAX) ||
        (rc = wms_customer_get(db, hv[0], &c, NULL)) == WMS_ENOT_FOUND)
        return wms_error_set(err, WMS_ENOT_FOUND, "line %ld, column customer: no customer '%.64s'",
                             ln, hv[0]);
    if (rc < 0)
        return wms_customer_get(db, hv[0], &c, err);
    wms_item it;
    if (!catalog__valid_key(r->sku, WMS_SKU_MAX) ||
        (rc = wms_item_get(db, r->sku, &it, NULL)) == WMS_ENOT_FOUND)
        return wms_error_set(err, WMS_ENOT_FOUND, "line %ld, column sku: unknown SKU '%.64s'", ln,
                             nz(r->sku));
    if (rc < 0)
        return wms_item_get(db, r->sku, &it, err);
    if ((rc = stage_tables(db, err)) < 0)
        return rc;

    static const char find[] =
        "SELECT seq, first_line, nlines, customer, priority, carrier, cutoff, ship_name, "
        "ship_street, ship_city, ship_postcode, ship_country, short_policy "
        "FROM temp.order_import_refs WHERE ref = ?1";
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, find);
    db__bind_text(st, 1, r->ref);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        long first = (long)sqlite3_column_int64(st, 1);
        int nlines = sqlite3_column_int(st, 2);
        for (int i = 0; i < 10; i++) {
            const char *was = (const char *)sqlite3_column_text(st, 3 + i);
            if (strcmp(nz(was), hv[i])) {
                rc = wms_error_set(err, WMS_EBAD_CSV,
                                   "line %ld, column %s: '%.64s' differs from '%.64s' on line %ld "
                                   "of order %s (header fields must agree on every line)",
                                   ln, stage_hdr_cols[i], hv[i], nz(was), first, r->ref);
                sqlite3_reset(st);
                return rc;
            }
        }
        sqlite3_reset(st);
        if (nlines >= WMS_ORDER_LINES_MAX)
            return wms_error_set(err, WMS_ETOO_LARGE, "line %ld: order %s has more than %d lines",
                                 ln, r->ref, WMS_ORDER_LINES_MAX);
        static const char dup[] = "SELECT coalesce((SELECT file_line FROM temp.order_import_lines "
                                  "WHERE ref = ?4 AND line = ?1), 0)";
        int64_t dline;
        if ((rc = query_int(db, dup, r->line, 0, 0, r->ref, &dline, err)) < 0)
            return rc;
        if (dline > 0)
            return wms_error_set(err, WMS_EBAD_CSV,
                                 "line %ld, column line: order %s has line %ld twice (first on "
                                 "line %lld)",
                                 ln, r->ref, r->line, (long long)dline);
        static const char bump[] =
            "UPDATE temp.order_import_refs SET nlines = nlines + 1 WHERE ref = ?1";
        STMT_OR_FAIL(st, bump);
        db__bind_text(st, 1, r->ref);
        if ((rc = db__exec_stmt(db, st, err, "order import stage")) < 0)
            return rc;
    } else if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        static const char ins[] =
            "INSERT INTO temp.order_import_refs(ref, first_line, nlines, customer, priority, "
            "carrier, cutoff, ship_name, ship_street, ship_city, ship_postcode, ship_country, "
            "short_policy) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
        STMT_OR_FAIL(st, ins);
        db__bind_text(st, 1, r->ref);
        sqlite3_bind_int64(st, 2, ln);
        for (int i = 0; i < 10; i++)
            db__bind_text(st, 3 + i, hv[i]);
        if ((rc = db__exec_stmt(db, st, err, "order import stage")) < 0)
            return rc;
    } else {
        rc = db__fail(db, rc, err, "order import stage");
        sqlite3_reset(st);
        return rc;
    }
    static const char line[] =
        "INSERT INTO temp.order_import_lines(ref, line, file_line, sku, qty, price, msl) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    STMT_OR_FAIL(st, line);
    db__bind_text(st, 1, r->ref);
    sqlite3_bind_int64(st, 2, r->line);
    sqlite3_bind_int64(st, 3, ln);
    db__bind_text(st, 4, r->sku);
    sqlite3_bind_int64(st, 5, r->qty);
    sqlite3_bind_int64(st, 6, r->unit_price_cents);
    sqlite3_bind_int(st, 7, r->min_shelf_life_days);
    return db__exec_stmt(db, st, err, "order import stage");
}

/* One staged order, read back for creation. */
typedef struct staged {
    char ref[WMS_ORDER_REF_MAX + 1];
    long first_line;
    char hdr[10][132];
    wms_order_line_in lines[WMS_ORDER_LINES_MAX];
    char sku[WMS_ORDER_LINES_MAX][WMS_SKU_MAX + 1];
    wms_order_in in;
} staged;

/* Reads the staged order after seq *seq (by first appearance) into s.
 * Returns 1 when one was read, 0 at the end. */
static int stage_next(wms_db *db, int64_t *seq, staged *s, wms_error *err)
{
    static const char hdr[] =
        "SELECT seq, ref, first_line, customer, priority, carrier, cutoff, ship_name, "
        "ship_street, ship_city, ship_postcode, ship_country, short_policy "
        "FROM temp.order_import_refs WHERE seq > ?1 ORDER BY seq LIMIT 1";
    static const char lines[] = "SELECT line, sku, qty, price, msl FROM temp.order_import_lines "
                                "WHERE ref = ?1 ORDER BY line";
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, hdr);
    sqlite3_bind_int64(st, 1, *seq);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "order import stage");
    }
    *seq = sqlite3_column_int64(st, 0);
    db__col_text(st, 1, s->ref, sizeof(s->ref));
    s->first_line = (long)sqlite3_column_int64(st, 2);
    for (int i = 0; i < 10; i++)
        db__col_text(st, 3 + i, s->hdr[i], sizeof(s->hdr[i]));
    sqlite3_reset(st);
    STMT_OR_FAIL(st, lines);
    db__bind_text(st, 1, s->ref);
    int n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < WMS_ORDER_LINES_MAX) {
        wms_order_line_in *l = &s->lines[n];
        l->line = sqlite3_column_int(st, 0);
        db__col_text(st, 1, s->sku[n], sizeof(s->sku[n]));
        l->sku = s->sku[n];
        l->qty = sqlite3_column_int64(st, 2);
        l->unit_price_cents = sqlite3_column_int64(st, 3);
        l->min_shelf_life_days = sqlite3_column_int(st, 4);
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db__fail(db, rc, err, "order import stage");
    memset(&s->in, 0, sizeof(s->in));
    s->in.ref = s->ref;
    s->in.customer = s->hdr[0];
    s->in.priority = atoi(s->hdr[1]);
    s->in.carrier = s->hdr[2];
    s->in.cutoff = s->hdr[3];
    s->in.ship_name = s->hdr[4];
    s->in.ship_street = s->hdr[5];
    s->in.ship_city = s->hdr[6];
    s->in.ship_postcode = s->hdr[7];
    s->in.ship_country = s->hdr[8];
    s->in.short_policy = s->hdr[9];
    s->in.lines = s->lines;
    s->in.n = n;
    return 1;
}

/* 1 when stored order id has exactly the header and ordered lines of o. */
static int order_same(wms_db *db, int64_t id, const wms_order_in *o, wms_error *err)
{
    static const char hdr[] =
        "SELECT c.code, o.priority, o.carrier, o.cutoff, o.ship_name, o.ship_street, "
        "o.ship_city, o.ship_postcode, o.ship_country, o.short_policy FROM orders o "
        "JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1";
    static const char lines[] =
        "SELECT l.line, i.sku, l.qty, l.unit_price_cents, coalesce(l.min_shelf_life_days, -1) "
        "FROM order_lines l JOIN items i ON i.id = l.item_id WHERE l.order_id = ?1 AND "
        "l.gift_rule_id IS NULL ORDER BY l.line";
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, hdr);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), same = rc == SQLITE_ROW;
    if (same) {
        char prio[8];
        snprintf(prio, sizeof(prio), "%d", o->priority == 0 ? 3 : o->priority);
        const char *want[10] = {
            o->customer,      prio,
            nz(o->carrier),   nz(o->cutoff),
            ship_field(o, 0), ship_field(o, 1),
            ship_field(o, 2), ship_field(o, 3),
            ship_field(o, 4), blank(o->short_policy) ? "ship_short" : o->short_policy};
        for (int i = 0; i < 10 && same; i++) {
            const char *t = (const char *)sqlite3_column_text(st, i);
            same = !strcmp(nz(t), want[i]);
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "order compare");
    if (!same)
        return 0;
    STMT_OR_FAIL(st, lines);
    sqlite3_bind_int64(st, 1, id);
    int n = 0;
    while (same && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n >= o->n) {
            same = 0;
            break;
        }
        const wms_order_line_in *l = &o->lines[n++];
        same = sqlite3_column_int(st, 0) == l->line &&
               !strcmp(nz((const char *)sqlite3_column_text(st, 1)), l->sku) &&
               sqlite3_column_int64(st, 2) == l->qty &&
               sqlite3_column_int64(st, 3) == l->unit_price_cents &&
               sqlite3_column_int(st, 4) == l->min_shelf_life_days;
    }
    sqlite3_reset(st);
    if (same && rc != SQLITE_DONE)
        return db__fail(db, rc, err, "order compare");
    return same && n == o->n;
}

/* Prefixes err's message with "line N: order REF: ". */
static int at_order(const staged *s, wms_error *err, int rc)
{
    if (err != NULL && rc < 0) {
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        wms_error_set(err, rc, "line %ld: order %s: %s", s->first_line, s->ref, msg);
    }
    return rc;
}

static int import_one(wms_db *db, const wms_actor *who, int update, staged *s, long *inserted,
                      long *updated, long *unchanged, wms_error *err)
{
    int64_t id;
    char status[16];
    int rc = order_find(db, s->ref, &id, status, NULL);
    if (rc == WMS_ENOT_FOUND) {
        if ((rc = wms_order_create(db, who, &s->in, NULL, err)) < 0)
            return rc;
        (*inserted)++;
        return 0;
    }
    if (rc < 0)
        return order_find(db, s->ref, &id, status, err);
    if ((rc = order_same(db, id, &s->in, err)) < 0)
        return rc;
    if (rc == 1) {
        (*unchanged)++;
        return 0;
    }
    if (!update)
        return wms_error_set(err, WMS_ECONFLICT,
                             "already exists with other content (use --update to change a held "
                             "order)");
    if (strcmp(status, "held") && strcmp(status, "received"))
        return wms_error_set(err, WMS_ECONFLICT,
                             "is %s: only a held order can be changed by an import (cancel it "
                             "and import it under a new reference)",
                             status);
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    if ((rc = db__op_end(db, order_store(db, who, &s->in, id, NULL, err), err)) < 0)
        return rc;
    (*updated)++;
    return 0;
}

int order__import_finish(wms_db *db, const wms_actor *who, int update, long *inserted,
                         long *updated, long *unchanged, wms_error *err)
{
    int rc = stage_tables(db, err);
    if (rc < 0)
        return rc;
    staged *s = malloc(sizeof(*s));
    if (s == NULL)
        return wms_error_set(err, WMS_ENOMEM, "order import: out of memory");
    int64_t seq = 0;
    while ((rc = stage_next(db, &seq, s, err)) == 1)
        if ((rc = at_order(s, err,
                           import_one(db, who, update, s, inserted, updated, unchanged, err))) < 0)
            break;
    free(s);
    if (rc < 0)
        return rc;
    static const char clear_refs[] = "DELETE FROM temp.order_import_refs";
    static const char clear_lines[] = "DELETE FROM temp.order_import_lines";
    sqlite3_stmt *st;
    STMT_OR_FAIL(st, clear_refs);
    if ((rc = db__exec_stmt(db, st, err, "order import stage")) < 0)
        return rc;
    STMT_OR_FAIL(st, clear_lines);
    return db__exec_stmt(db, st, err, "order import stage");
}
