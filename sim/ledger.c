/* ledger.c - acknowledged effects and the end-of-run check (see ledger.h). */
#include "ledger.h"

#include "client.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- u64 -> int64 map (open addressing; key 0 is never used) ---- */

typedef struct u64map {
    size_t cap, n;
    uint64_t *key;
    int64_t *val;
} u64map;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static int u64map_grow(u64map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    uint64_t *k = calloc(cap, sizeof(*k));
    int64_t *v = calloc(cap, sizeof(*v));
    if (k == NULL || v == NULL) {
        free(k);
        free(v);
        return WMS_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->key[i] != 0) {
            size_t j = (size_t)mix(m->key[i]) & (cap - 1);
            while (k[j] != 0)
                j = (j + 1) & (cap - 1);
            k[j] = m->key[i];
            v[j] = m->val[i];
        }
    free(m->key);
    free(m->val);
    m->key = k;
    m->val = v;
    m->cap = cap;
    return 0;
}

/* The slot of key (inserted with value 0 when absent), or NULL on no memory. */
static int64_t *u64map_slot(u64map *m, uint64_t key)
{
    if ((m->n + 1) * 2 > m->cap && u64map_grow(m) < 0)
        return NULL;
    size_t i = (size_t)mix(key) & (m->cap - 1);
    while (m->key[i] != 0 && m->key[i] != key)
        i = (i + 1) & (m->cap - 1);
    if (m->key[i] == 0) {
        m->key[i] = key;
        m->val[i] = 0;
        m->n++;
    }
    return &m->val[i];
}

static int u64map_get(const u64map *m, uint64_t key, int64_t *val)
{
    if (m->cap == 0)
        return 0;
    size_t i = (size_t)mix(key) & (m->cap - 1);
    while (m->key[i] != 0) {
        if (m->key[i] == key) {
            *val = m->val[i];
            return 1;
        }
        i = (i + 1) & (m->cap - 1);
    }
    return 0;
}

static uint64_t str_key(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h ? h : 1;
}

/* ---- the ledger ---- */

enum { O_NONE, O_RELEASED, O_HELD, O_CANCELLED };

struct sim_ledger {
    const sim_world *w;
    sim_effect *fx;
    int n, cap;
    int overflow;
    u64map book;  /* (bin + 3) << 32 | item -> units */
    u64map bytxn; /* hash(txn) -> effect index + 1 (collisions: probed by string) */
    char (*doubt)[SIM_TXN_MAX];
    int n_doubt, cap_doubt;
    int *order_state;
    int64_t *picked;             /* n_orders x SIM_ORDER_LINES_MAX, by line number - 1 */
    int64_t *received, *shipped; /* per item */
};

static uint64_t book_key(int bin, int item)
{
    return ((uint64_t)(uint32_t)(bin + 3) << 32) | (uint32_t)item;
}

sim_ledger *sim_ledger_new(const sim_world *w)
{
    sim_ledger *l = calloc(1, sizeof(*l));
    if (l == NULL)
        return NULL;
    l->w = w;
    l->order_state = calloc((size_t)w->n_orders + 1, sizeof(int));
    l->picked = calloc(((size_t)w->n_orders + 1) * SIM_ORDER_LINES_MAX, sizeof(int64_t));
    l->received = calloc((size_t)w->n_items + 1, sizeof(int64_t));
    l->shipped = calloc((size_t)w->n_items + 1, sizeof(int64_t));
    if (l->order_state == NULL || l->picked == NULL || l->received == NULL || l->shipped == NULL) {
        sim_ledger_free(l);
        return NULL;
    }
    for (int i = 0; i < w->n_stock; i++) {
        int64_t *v = u64map_slot(&l->book, book_key(w->stock[i].bin, w->stock[i].item));
        if (v == NULL) {
            sim_ledger_free(l);
            return NULL;
        }
        *v += w->stock[i].qty;
    }
    return l;
}

void sim_ledger_free(sim_ledger *l)
{
    if (l == NULL)
        return;
    free(l->fx);
    free(l->book.key);
    free(l->book.val);
    free(l->bytxn.key);
    free(l->bytxn.val);
    free(l->doubt);
    free(l->order_state);
    free(l->picked);
    free(l->received);
    free(l->shipped);
    free(l);
}

/* Applies (sign +1) or takes back (-1) an effect's move. */
static void apply(sim_ledger *l, const sim_effect *e, int sign)
{
    if (!e->ok || e->qty <= 0 || e->item < 0)
        return;
    int64_t q = sign * e->qty;
    int64_t *v;
    if (e->from != -1 && (v = u64map_slot(&l->book, book_key(e->from, e->item))) != NULL)
        *v -= q;
    if (e->to != -1 && (v = u64map_slot(&l->book, book_key(e->to, e->item))) != NULL)
        *v += q;
    if (e->from == -1)
        l->received[e->item] += q;
    if (e->to == -1)
        l->shipped[e->item] += q;
    if (e->order >= 0 && e->order < l->w->n_orders && e->line >= 1 &&
        e->line <= SIM_ORDER_LINES_MAX)
        l->picked[(size_t)e->order * SIM_ORDER_LINES_MAX + (size_t)(e->line - 1)] += q;
}

static int find_txn(const sim_ledger *l, const char *txn)
{
    if (l->bytxn.cap == 0 || txn[0] == '\0')
        return -1;
    uint64_t k = str_key(txn);
    /* Probe linearly from the key's slot over keys that collide by hash. */
    for (uint64_t salt = 0; salt < 64; salt++) {
        int64_t v;
        if (!u64map_get(&l->bytxn, k + salt * 0x9E3779B97F4A7C15ULL, &v))
            return -1;
        if (v > 0 && !strcmp(l->fx[v - 1].txn, txn))
            return (int)(v - 1);
    }
    return -1;
}

int sim_ledger_add(sim_ledger *l, const sim_effect *e)
{
    if (l->n >= SIM_LEDGER_MAX) {
        l->overflow++;
        return WMS_ETOO_LARGE;
    }
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 1024;
        sim_effect *p = realloc(l->fx, (size_t)cap * sizeof(*p));
        if (p == NULL) {
            l->overflow++;
            return WMS_ENOMEM;
        }
        l->fx = p;
        l->cap = cap;
    }
    l->fx[l->n] = *e;
    l->fx[l->n].txn[SIM_TXN_MAX - 1] = '\0';
    if (e->txn[0]) {
        uint64_t k = str_key(e->txn);
        for (uint64_t salt = 0; salt < 64; salt++) {
            int64_t *v = u64map_slot(&l->bytxn, k + salt * 0x9E3779B97F4A7C15ULL);
            if (v == NULL)
                break;
            if (*v == 0) {
                *v = l->n + 1;
                break;
            }
        }
    }
    apply(l, e, +1);
    l->n++;
    return 0;
}

void sim_ledger_order(sim_ledger *l, int order, const char *status)
{
    if (order >= 0 && order < l->w->n_orders)
        l->order_state[order] = !strcmp(status, "held") ? O_HELD : O_RELEASED;
}

void sim_ledger_order_cancelled(sim_ledger *l, int order)
{
    if (order >= 0 && order < l->w->n_orders)
        l->order_state[order] = O_CANCELLED;
}

void sim_ledger_in_doubt(sim_ledger *l, const char *txn, const char *method)
{
    (void)method;
    if (txn == NULL || txn[0] == '\0')
        return;
    if (l->n_doubt == l->cap_doubt) {
        int cap = l->cap_doubt ? l->cap_doubt * 2 : 16;
        char(*p)[SIM_TXN_MAX] = realloc(l->doubt, (size_t)cap * sizeof(*p));
        if (p == NULL)
            return;
        l->doubt = p;
        l->cap_doubt = cap;
    }
    snprintf(l->doubt[l->n_doubt++], SIM_TXN_MAX, "%s", txn);
}

static int in_doubt(const sim_ledger *l, const char *txn)
{
    for (int i = 0; i < l->n_doubt; i++)
        if (!strcmp(l->doubt[i], txn))
            return 1;
    return 0;
}

int64_t sim_ledger_book(const sim_ledger *l, int bin, int item)
{
    int64_t v = 0;
    u64map_get(&l->book, book_key(bin, item), &v);
    return v;
}

int sim_ledger_count(const sim_ledger *l)
{
    return l->n;
}

const sim_effect *sim_ledger_effect(const sim_ledger *l, int i)
{
    return i >= 0 && i < l->n ? &l->fx[i] : NULL;
}

void sim_ledger_forget(sim_ledger *l, int i)
{
    if (i < 0 || i >= l->n)
        return;
    apply(l, &l->fx[i], -1);
    /* Keep the index stable: the effect becomes an anonymous no-op. */
    l->fx[i].txn[0] = '\0';
    l->fx[i].ok = 0;
    l->fx[i].qty = 0;
}

/* ---- the check ---- */

typedef struct checker {
    sim_ledger *l;
    sim_check_result *r;
    int primary_journal; /* A ran: B-D are mismatches */
    size_t dlen;
} checker;

static void detail(checker *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void detail(checker *k, const char *fmt, ...)
{
    if (k->dlen + 2 >= sizeof(k->r->detail))
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(k->r->detail + k->dlen, sizeof(k->r->detail) - k->dlen - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    k->dlen += (size_t)n;
    if (k->dlen >= sizeof(k->r->detail) - 1)
        k->dlen = sizeof(k->r->detail) - 2;
    k->r->detail[k->dlen++] = '\n';
    k->r->detail[k->dlen] = '\0';
}

/* An aggregate difference: lost/doubled when A did not run, else a mismatch. */
static void aggregate(checker *k, int64_t engine, int64_t ledger)
{
    if (k->primary_journal)
        k->r->mismatches++;
    else if (engine < ledger)
        k->r->lost++;
    else
        k->r->doubled++;
}

static int device_of(const char *txn, char *dev, size_t n)
{
    const char *dash = strrchr(txn, '-');
    if (dash == NULL || (size_t)(dash - txn) >= n)
        return -1;
    memcpy(dev, txn, (size_t)(dash - txn));
    dev[dash - txn] = '\0';
    return 0;
}

/* 1 when txn "<device>-<n>" is one of this run's (see sim_check_env). */
static int this_run(const sim_check_env *env, const char *dev, const char *txn)
{
    if (env->n_devices == 0)
        return 1;
    const char *dash = strrchr(txn, '-');
    if (dash == NULL)
        return 0;
    unsigned long long n = strtoull(dash + 1, NULL, 10);
    for (int i = 0; i < env->n_devices; i++)
        if (!strcmp(env->devices[i], dev))
            return n > env->txn_base[i];
    return 0;
}

static int check_journal(checker *k, const sim_check_env *env, wms_error *err)
{
    sim_ledger *l = k->l;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(env->db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        int rc = wms_error_set(err, WMS_ESTORAGE, "cannot open %s: %s", env->db_path,
                               db ? sqlite3_errmsg(db) : "no memory");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 10000);
    static const char sql[] = "SELECT device, txn, sum(qty), count(*) FROM journal "
                              "WHERE txn != '' AND substr(device, 1, length(?1)) = ?1 "
                              "GROUP BY device, txn";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        int rc = wms_error_set(err, WMS_ESTORAGE, "journal query: %s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    sqlite3_bind_text(st, 1, env->device_prefix, -1, SQLITE_STATIC);
    char *seen = calloc((size_t)l->n + 1, 1);
    if (seen == NULL) {
        sqlite3_finalize(st);
        sqlite3_close(db);
        return wms_error_set(err, WMS_ENOMEM, "no memory for the check");
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *dev = (const char *)sqlite3_column_text(st, 0);
        const char *txn = (const char *)sqlite3_column_text(st, 1);
        int64_t units = sqlite3_column_int64(st, 2);
        int i = find_txn(l, txn);
        char tdev[SIM_TXN_MAX];
        if (i < 0 || device_of(txn, tdev, sizeof(tdev)) < 0 || strcmp(tdev, dev)) {
            if (in_doubt(l, txn) || !this_run(env, dev, txn))
                continue;
            k->r->checked++;
            k->r->doubled++;
            detail(k, "txn %s (%s): %lld units in the journal, never acknowledged", txn, dev,
                   (long long)units);
            continue;
        }
        seen[i] = 1;
        const sim_effect *e = &l->fx[i];
        int64_t want = e->ok ? e->qty : 0;
        k->r->checked++;
        if (units == want)
            continue;
        if (units < want) {
            k->r->lost++;
            detail(k, "txn %s %s: acknowledged %lld units, journal has %lld (lost)", txn, e->method,
                   (long long)want, (long long)units);
        } else {
            k->r->doubled++;
            detail(k, "txn %s %s: acknowledged %lld units%s, journal has %lld (applied twice)", txn,
                   e->method, (long long)want, e->ok ? "" : " (an error outcome)",
                   (long long)units);
        }
    }
    if (rc != SQLITE_DONE)
        rc = wms_error_set(err, WMS_ESTORAGE, "journal query: %s", sqlite3_errmsg(db));
    else
        rc = 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    for (int i = 0; rc == 0 && i < l->n; i++) {
        const sim_effect *e = &l->fx[i];
        if (seen[i] || e->txn[0] == '\0')
            continue;
        k->r->checked++;
        if (e->ok && e->qty > 0) {
            k->r->lost++;
            detail(k, "txn %s %s: acknowledged %lld units, none in the journal (lost)", e->txn,
                   e->method, (long long)e->qty);
        }
    }
    free(seen);
    return rc;
}

static int check_orders(checker *k, wms_client *cl, wms_error *err)
{
    const sim_world *w = k->l->w;
    for (int o = 0; o < w->n_orders; o++) {
        int state = k->l->order_state[o];
        if (state == O_NONE)
            continue;
        const sim_order *ord = &w->orders[o];
        msgpack_packer *pk = wms_client_begin(cl, "order.status");
        wms_client_kv_str(pk, "order", ord->ref);
        msgpack_object res;
        wms_error e2;
        wms_error_clear(&e2);
        int rc = wms_client_call(cl, &res, &e2);
        k->r->orders_checked++;
        k->r->checked++;
        if (rc == WMS_ENOT_FOUND) {
            aggregate(k, 0, 1);
            detail(k, "order %s was acknowledged but does not exist", ord->ref);
            continue;
        }
        if (rc < 0)
            return wms_error_set(err, rc, "order.status %s: %s", ord->ref, e2.msg);
        char status[24] = "";
        wms_client_get_str(&res, "status", status, sizeof(status));
        if (state == O_CANCELLED && strcmp(status, "cancelled")) {
            aggregate(k, 0, 1);
            detail(k, "order %s: cancel was acknowledged, status is %s", ord->ref, status);
        }
        const msgpack_object *lines = wms_client_get_array(&res, "lines");
        int64_t got[SIM_ORDER_LINES_MAX] = {0};
        for (uint32_t i = 0; lines != NULL && i < lines->via.array.size; i++) {
            int64_t line = 0, picked = 0;
            if (wms_client_get_int(&lines->via.array.ptr[i], "line", &line) < 0 ||
                wms_client_get_int(&lines->via.array.ptr[i], "picked", &picked) < 0)
                continue;
            if (line >= 1 && line <= SIM_ORDER_LINES_MAX)
                got[line - 1] += picked;
        }
        for (int ln = 0; ln < SIM_ORDER_LINES_MAX; ln++) {
            int64_t want = k->l->picked[(size_t)o * SIM_ORDER_LINES_MAX + (size_t)ln];
            if (got[ln] == want)
                continue;
            aggregate(k, got[ln], want);
            detail(k, "order %s line %d: %lld units picked by the engine, %lld acknowledged",
                   ord->ref, ln + 1, (long long)got[ln], (long long)want);
        }
    }
    return 0;
}

static int check_stock(checker *k, wms_client *cl, wms_error *err)
{
    sim_ledger *l = k->l;
    const sim_world *w = l->w;
    int64_t *initial = calloc((size_t)w->n_items + 1, sizeof(int64_t));
    int64_t *engine_bin = calloc((size_t)w->n_bins + 3, sizeof(int64_t));
    if (initial == NULL || engine_bin == NULL) {
        free(initial);
        free(engine_bin);
        return wms_error_set(err, WMS_ENOMEM, "no memory for the check");
    }
    for (int i = 0; i < w->n_stock; i++)
        initial[w->stock[i].item] += w->stock[i].qty;
    int rc = 0;
    for (int it = 0; it < w->n_items && rc == 0; it++) {
        msgpack_packer *pk = wms_client_begin(cl, "stock.query");
        wms_client_kv_str(pk, "item", w->items[it].sku);
        msgpack_object res;
        wms_error e2;
        wms_error_clear(&e2);
        int crc = wms_client_call(cl, &res, &e2);
        if (crc < 0 && crc != WMS_ENOT_FOUND) {
            rc = wms_error_set(err, crc, "stock.query %s: %s", w->items[it].sku, e2.msg);
            break;
        }
        memset(engine_bin, 0, ((size_t)w->n_bins + 3) * sizeof(int64_t));
        int64_t total = 0;
        const msgpack_object *rows = crc < 0 ? NULL : wms_client_get_array(&res, "rows");
        for (uint32_t i = 0; rows != NULL && i < rows->via.array.size; i++) {
            const msgpack_object *row = &rows->via.array.ptr[i];
            char bin[WMS_SKU_MAX + 1];
            int64_t q = 0;
            if (wms_client_get_str(row, "bin", bin, sizeof(bin)) < 0 ||
                wms_client_get_int(row, "qty", &q) < 0)
                continue;
            total += q;
            int b = !strcmp(bin, "OUTBOUND") ? SIM_BIN_OUTBOUND : sim_world_bin(w, bin);
            if (b == -1) {
                k->r->checked++;
                k->r->mismatches++;
                detail(k, "%s: %lld units in bin %s the simulator does not know", w->items[it].sku,
                       (long long)q, bin);
                continue;
            }
            engine_bin[b + 2] += q;
        }
        int truncated = rows != NULL && wms_client_get_bool(&res, "truncated") == 1;
        int64_t want = initial[it] + l->received[it] - l->shipped[it];
        k->r->items_checked++;
        k->r->checked++;
        if (truncated) {
            detail(k, "%s: stock.query truncated: totals not compared", w->items[it].sku);
        } else if (total != want) {
            aggregate(k, total, want);
            detail(k,
                   "%s: %lld units on hand, expected %lld (initial %lld + received %lld - "
                   "shipped %lld)",
                   w->items[it].sku, (long long)total, (long long)want, (long long)initial[it],
                   (long long)l->received[it], (long long)l->shipped[it]);
        }
        /* D: per bin, against the book. */
        for (int b = -2; b < w->n_bins && !truncated; b++) {
            if (b == -1)
                continue;
            int64_t book = sim_ledger_book(l, b, it);
            int64_t got = engine_bin[b + 2];
            if (book == 0 && got == 0)
                continue;
            k->r->checked++;
            if (book != got) {
                k->r->mismatches++;
                detail(k, "%s in %s: engine %lld units, the simulator's book %lld",
                       w->items[it].sku, b == SIM_BIN_OUTBOUND ? "OUTBOUND" : w->bins[b].code,
                       (long long)got, (long long)book);
            }
        }
    }
    free(initial);
    free(engine_bin);
    return rc;
}

static int verify_cb(void *ctx, const wms_verify_diff *d)
{
    checker *k = ctx;
    detail(k, "verify: %s %s lot '%s': journal %lld, stock %lld", d->bin, d->sku, d->lot,
           (long long)d->journal_qty, (long long)d->stock_qty);
    return 0;
}

static int check_verify(checker *k, const char *db_path, wms_error *err)
{
    wms_db *db = NULL;
    int rc = wms_db_open(db_path, WMS_DB_READONLY, &db, err);
    if (rc < 0)
        return rc;
    rc = wms_stock_verify(db, verify_cb, k, err);
    wms_db_close(db);
    if (rc < 0)
        return rc;
    k->r->checked++;
    k->r->verify_diffs = rc;
    return 0;
}

int sim_ledger_check(sim_ledger *l, const sim_check_env *env, sim_check_result *out, wms_error *err)
{
    memset(out, 0, sizeof(*out));
    checker k = {.l = l, .r = out};
    out->effects = l->n;
    out->in_doubt = l->n_doubt;
    int rc = 0;
    if (env->db_path != NULL) {
        k.primary_journal = 1;
        if ((rc = check_journal(&k, env, err)) < 0)
            return rc;
    }
    wms_client_opts o = {.host = env->host,
                         .port = env->port,
                         .device = "SIM-CHECK",
                         .client_name = "wms-sim-check/1",
                         .timeout_ms = 20000,
                         .retries = 10};
    wms_client *cl = NULL;
    if ((rc = wms_client_open(&o, &cl, err)) < 0)
        return rc;
    if ((rc = wms_client_login(cl, env->user, env->pin, NULL, err)) < 0) {
        wms_client_close(cl);
        return rc;
    }
    if ((rc = check_orders(&k, cl, err)) == 0)
        rc = check_stock(&k, cl, err);
    wms_client_close(cl);
    if (rc < 0)
        return rc;
    if (env->db_path != NULL && (rc = check_verify(&k, env->db_path, err)) < 0)
        return rc;
    if (l->overflow) {
        out->mismatches += l->overflow;
        detail(&k, "%d effects could not be recorded", l->overflow);
    }
    out->ok = out->lost == 0 && out->doubled == 0 && out->mismatches == 0 && out->verify_diffs == 0;
    return 0;
}
