/* wave.c - wave planning (snapshot, compute) and release (see wave.h). */
#include "store/db.h"
#include "store/wave.h"
#include "store/alloc.h"
#include "store/events.h"
#include "store/order.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Allocation rows one release turns into tasks. */
#define WAVE_MAX_ALLOCS 4000000L

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

void wms_wave_opts_init(wms_wave_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->method = WMS_WAVE_BATCH;
    o->totes = WMS_WAVE_TOTES_DEFAULT;
    o->walk_mps = 1.0;
    o->pick_s = 10.0;
    o->tour_s = 120.0;
    o->hours = 1.0;
}

static const char *const method_names[] = {"discrete", "batch", "zone", "sort"};

const char *wms_wave_method_name(wms_wave_method m)
{
    return (int)m >= 0 && (int)m < 4 ? method_names[m] : "?";
}

int wms_wave_method_parse(const char *s, wms_wave_method *m, wms_error *err)
{
    for (int i = 0; i < 4; i++)
        if (s != NULL && !strcmp(s, method_names[i])) {
            *m = (wms_wave_method)i;
            return 0;
        }
    return wms_error_set(err, WMS_EBAD_ARGS,
                         "wave method '%.32s' is not discrete, batch, zone "
                         "or sort",
                         s ? s : "");
}

static int opts_check(const wms_wave_opts *o, wms_error *err)
{
    if (o == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no wave options given");
    if ((int)o->method < 0 || (int)o->method > WMS_WAVE_SORT)
        return wms_error_set(err, WMS_EBAD_ARGS, "unknown wave method %d", (int)o->method);
    if (o->max_orders < 0 || o->max_lines < 0 || o->max_units < 0 || o->max_totes < 0 ||
        o->tour_lines < 0 || o->tour_units < 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "wave and tour caps must not be negative");
    if (o->totes < 0 || o->totes > 1000)
        return wms_error_set(err, WMS_EBAD_ARGS, "totes per tour must be 1..1000, not %d",
                             o->totes);
    if (!(o->walk_mps > 0.0 && o->walk_mps <= 10.0) || !(o->pick_s >= 0.0 && o->pick_s <= 3600) ||
        !(o->tour_s >= 0.0 && o->tour_s <= 86400) || !(o->hours > 0.0 && o->hours <= 1000))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "picker assumptions out of range (walking speed 0-10 m/s, pick time "
                             "0-3600 s, tour time 0-86400 s, wave hours 0-1000)");
    if (o->neighbours < 0 || o->all_pairs_max < 0)
        return wms_error_set(err, WMS_EBAD_ARGS, "batching options must not be negative");
    return 0;
}

static int opt_totes(const wms_wave_opts *o)
{
    return o->totes > 0 ? o->totes : WMS_WAVE_TOTES_DEFAULT;
}

/* A pick-and-sort cart holds what a cluster cart of `totes` orders holds:
 * stops = tour_lines when set, else totes x the wave's mean lines per
 * order; units = tour_units when set, else totes x its mean units per
 * order (both rounded up). */
static int64_t sort_cap(const wms_wave_opts *o, int64_t lines, int64_t orders)
{
    if (o->tour_lines > 0)
        return o->tour_lines;
    int64_t per = orders > 0 ? (lines + orders - 1) / orders : 1;
    return (int64_t)opt_totes(o) * (per > 0 ? per : 1);
}

static int64_t sort_cap_units(const wms_wave_opts *o, int64_t units, int64_t orders)
{
    if (o->tour_units > 0)
        return o->tour_units;
    int64_t per = orders > 0 ? (units + orders - 1) / orders : 1;
    return (int64_t)opt_totes(o) * (per > 0 ? per : 1);
}

/* ------------------------------------------------------------------------ */
/* (a) Snapshot                                                             */
/* ------------------------------------------------------------------------ */

void wms_wave_snapshot_free(wms_wave_snapshot *s)
{
    if (s == NULL)
        return;
    wms_layout_map_free(&s->lay);
    free(s->orders);
    free(s->picks);
    free(s->pick_zone);
    free(s->pick_units);
    free(s->zone);
    memset(s, 0, sizeof(*s));
}

/* Where each item would be picked: an open-addressing table by item id. */
typedef struct item_slot {
    int64_t item; /* 0 = empty */
    int found;
    int zone;
    wms_pick_loc loc;
} item_slot;

typedef struct item_table {
    item_slot *s;
    size_t cap, used; /* cap: a power of two */
} item_table;

static item_slot *table_find(item_table *t, int64_t item)
{
    size_t h = (size_t)((uint64_t)item * 0x9E3779B97F4A7C15ULL >> 17) & (t->cap - 1);
    while (t->s[h].item != 0 && t->s[h].item != item)
        h = (h + 1) & (t->cap - 1);
    return &t->s[h];
}

static int table_grow(item_table *t)
{
    item_table n = {calloc(t->cap ? 2 * t->cap : 1024, sizeof(item_slot)),
                    t->cap ? 2 * t->cap : 1024, t->used};
    if (n.s == NULL)
        return WMS_ENOMEM;
    for (size_t i = 0; i < t->cap; i++)
        if (t->s[i].item != 0)
            *table_find(&n, t->s[i].item) = t->s[i];
    free(t->s);
    *t = n;
    return 0;
}

static int zone_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int zone_index(const wms_wave_snapshot *s, const char *zone)
{
    const char(*p)[WMS_WAVE_ZONE_MAX + 1] =
        bsearch(zone, s->zone, (size_t)s->n_zones, sizeof(*s->zone), zone_cmp);
    return p == NULL ? -1 : (int)(p - s->zone);
}

static int zones_load(wms_db *db, wms_wave_snapshot *s, wms_error *err)
{
    static const char sql[] = "SELECT DISTINCT zone FROM bins WHERE aisle <> '' ORDER BY zone";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    int rc, cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->n_zones >= WMS_WAVE_ZONES_MAX) {
            sqlite3_reset(st);
            return wms_error_set(err, WMS_ETOO_LARGE, "more than %d zones", WMS_WAVE_ZONES_MAX);
        }
        if (s->n_zones == cap) {
            cap = cap ? 2 * cap : 16;
            void *p = realloc(s->zone, sizeof(*s->zone) * (size_t)cap);
            if (p == NULL) {
                sqlite3_reset(st);
                return wms_error_set(err, WMS_ENOMEM, "out of memory loading zones");
            }
            s->zone = p;
        }
        db__col_text(st, 0, s->zone[s->n_zones], sizeof(s->zone[0]));
        s->n_zones++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db__fail(db, rc, err, "zones");
    /* SQLite's ORDER BY and strcmp agree (BINARY collation); sort anyway so
     * that bsearch never depends on it. */
    if (s->n_zones > 1)
        qsort(s->zone, (size_t)s->n_zones, sizeof(*s->zone), zone_cmp);
    return 0;
}

/* The planning estimate of where `item` is picked (see wave.h). */
static int item_locate(wms_db *db, wms_wave_snapshot *s, item_table *t, int64_t item,
                       const item_slot **out, wms_error *err)
{
    static const char sql[] =
        "SELECT b.code, b.aisle, b.y_m, b.zone FROM stock s JOIN bins b ON b.id = s.bin_id "
        "WHERE s.item_id = ?1 AND s.status = 'available' AND s.qty > s.reserved AND "
        "b.blocked = 0 AND b.type IN ('pick', 'reserve') AND (s.expiry = '' OR s.expiry > ?2) "
        "ORDER BY s.expiry = '', s.expiry, b.type <> 'pick', b.code LIMIT 1";
    if (2 * (t->used + 1) > t->cap && table_grow(t) < 0)
        return wms_error_set(err, WMS_ENOMEM, "out of memory planning");
    item_slot *slot = table_find(t, item);
    if (slot->item == item) {
        *out = slot;
        return 0;
    }
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, item);
    db__bind_text(st, 2, db__today(db));
    int rc = sqlite3_step(st);
    item_slot v = {item, 0, -1, {0, 0.0}};
    if (rc == SQLITE_ROW) {
        char code[WMS_SKU_MAX + 1], aisle[WMS_LAYOUT_ID_MAX + 1], zone[WMS_WAVE_ZONE_MAX + 1];
        db__col_text(st, 0, code, sizeof(code));
        db__col_text(st, 1, aisle, sizeof(aisle));
        double y = sqlite3_column_double(st, 2);
        db__col_text(st, 3, zone, sizeof(zone));
        sqlite3_reset(st);
        if ((rc = wms_layout_loc(&s->lay, code, aisle, y, &v.loc, err)) < 0)
            return rc;
        v.found = 1;
        v.zone = zone_index(s, zone);
        if (v.zone < 0)
            return wms_error_set(err, WMS_ECONFLICT, "bin %s: zone %s changed while planning", code,
                                 zone);
    } else {
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return db__fail(db, rc, err, "stock lookup");
    }
    *slot = v;
    t->used++;
    *out = slot;
    return 0;
}

/* Appends one pick to the snapshot (growing the arrays). */
static int pick_push(wms_wave_snapshot *s, int *cap, wms_pick_loc loc, int zone, int64_t units)
{
    if (s->n_picks == *cap) {
        int nc = *cap ? 2 * *cap : 1024;
        wms_pick_loc *p = realloc(s->picks, sizeof(*p) * (size_t)nc);
        if (p == NULL)
            return WMS_ENOMEM;
        s->picks = p;
        int *z = realloc(s->pick_zone, sizeof(int) * (size_t)nc);
        if (z == NULL)
            return WMS_ENOMEM;
        s->pick_zone = z;
        int64_t *u = realloc(s->pick_units, sizeof(int64_t) * (size_t)nc);
        if (u == NULL)
            return WMS_ENOMEM;
        s->pick_units = u;
        *cap = nc;
    }
    s->picks[s->n_picks] = loc;
    s->pick_units[s->n_picks] = units;
    s->pick_zone[s->n_picks++] = zone;
    return 0;
}

/* Loads the lines of order `o` (picks appended to the snapshot). */
static int order_lines(wms_db *db, wms_wave_snapshot *s, item_table *t, int *pick_cap,
                       wms_wave_sorder *o, wms_error *err)
{
    static const char sql[] = "SELECT item_id, qty - allocated - short FROM order_lines WHERE "
                              "order_id = ?1 AND qty > allocated + short ORDER BY line";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, o->id);
    o->first_pick = s->n_picks;
    int rc;
    /* item_locate uses other statements: interleaving them is fine. */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t item = sqlite3_column_int64(st, 0), need = sqlite3_column_int64(st, 1);
        o->lines++;
        o->units += need;
        const item_slot *v = NULL;
        int r = item_locate(db, s, t, item, &v, err);
        if (r < 0) {
            sqlite3_reset(st);
            return r;
        }
        if (!v->found) {
            s->unlocated_lines++;
            continue;
        }
        if (pick_push(s, pick_cap, v->loc, v->zone, need) < 0) {
            sqlite3_reset(st);
            return wms_error_set(err, WMS_ENOMEM, "out of memory planning");
        }
    }
    if (rc != SQLITE_DONE) {
        sqlite3_reset(st);
        return db__fail(db, rc, err, "order lines");
    }
    sqlite3_reset(st);
    o->n_picks = s->n_picks - o->first_pick;
    o->totes = 1;
    if (s->method == WMS_WAVE_ZONE && o->n_picks > 1) {
        /* distinct zones among its picks (orders are small: quadratic is fine,
         * bounded by the line cap checks of the caller) */
        int nz = 0;
        for (int i = o->first_pick; i < s->n_picks; i++) {
            int seen = 0;
            for (int j = o->first_pick; j < i && !seen; j++)
                seen = s->pick_zone[j] == s->pick_zone[i];
            nz += !seen;
        }
        o->totes = nz;
    }
    return 0;
}

/* 1 when value v breaks cap c (0 = no cap). */
static int over(int64_t c, int64_t v)
{
    return c > 0 && v > c;
}

static int snapshot_read(wms_db *db, const wms_wave_opts *o, wms_wave_snapshot *s, wms_error *err)
{
    static const char q_count[] = "SELECT count(*) FROM orders WHERE status = 'released'";
    int rc = wms_layout_load(db, &s->lay, err);
    if (rc < 0 || (rc = zones_load(db, s, err)) < 0)
        return rc;
    sqlite3_stmt *st = db__stmt(db, q_count, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    int64_t released = 0;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        released = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "orders");
    item_table t = {0};
    sqlite3_stmt *ost = NULL;
    int pick_cap = 0, ord_cap = 0;
    int64_t lines = 0, units = 0, totes = 0;
    int64_t max_orders = o->max_orders > 0 && o->max_orders < WMS_WAVE_MAX_ORDERS
                             ? o->max_orders
                             : WMS_WAVE_MAX_ORDERS;
    int64_t max_lines =
        o->max_lines > 0 && o->max_lines < WMS_WAVE_MAX_LINES ? o->max_lines : WMS_WAVE_MAX_LINES;
    /* The orders statement stays open while the per-order queries (other
     * statements) run: SQLite allows that within one read transaction. */
    static const char q_orders[] = "SELECT id, ref FROM orders WHERE status = 'released' "
                                   "ORDER BY " ORDER__RANK_SQL("orders");
    if ((st = db__stmt(db, q_orders, err)) == NULL) {
        rc = err ? err->code : WMS_ESTORAGE;
        goto out;
    }
    ost = st;
    while ((rc = sqlite3_step(ost)) == SQLITE_ROW) {
        wms_wave_sorder so;
        memset(&so, 0, sizeof(so));
        so.id = sqlite3_column_int64(ost, 0);
        db__col_text(ost, 1, so.ref, sizeof(so.ref));
        int first = s->n_picks;
        int64_t unloc = s->unlocated_lines;
        if ((rc = order_lines(db, s, &t, &pick_cap, &so, err)) < 0)
            goto out;
        if (over(o->max_lines, so.lines) || over(o->max_units, so.units) ||
            over(o->max_totes, so.totes) || so.lines > WMS_WAVE_MAX_LINES) {
            s->n_picks = first; /* can never fit: passed over */
            s->unlocated_lines = unloc;
            s->skipped_orders++;
            continue;
        }
        if (s->n_orders + 1 > max_orders || lines + so.lines > max_lines ||
            over(o->max_units, units + so.units) || over(o->max_totes, totes + so.totes)) {
            s->n_picks = first; /* the wave is full */
            s->unlocated_lines = unloc;
            rc = SQLITE_DONE;
            break;
        }
        if (s->n_orders == ord_cap) {
            ord_cap = ord_cap ? 2 * ord_cap : 256;
            void *p = realloc(s->orders, sizeof(*s->orders) * (size_t)ord_cap);
            if (p == NULL) {
                rc = wms_error_set(err, WMS_ENOMEM, "out of memory planning");
                goto out;
            }
            s->orders = p;
        }
        s->orders[s->n_orders++] = so;
        lines += so.lines;
        units += so.units;
        totes += so.totes;
    }
    if (rc != SQLITE_DONE) {
        rc = db__fail(db, rc, err, "orders");
        goto out;
    }
    s->waiting_orders = released - s->n_orders - s->skipped_orders;
    if (s->waiting_orders < 0)
        s->waiting_orders = 0;
    rc = 0;
out:
    if (ost != NULL)
        sqlite3_reset(ost);
    free(t.s);
    return rc;
}

int wms_wave_snapshot_load(wms_db *db, const wms_wave_opts *o, wms_wave_snapshot *s, wms_error *err)
{
    if (s == NULL || db == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no database or snapshot given");
    memset(s, 0, sizeof(*s));
    int rc = opts_check(o, err);
    if (rc < 0)
        return rc;
    s->method = o->method;
    /* One read transaction, so that orders, lines and stock agree; inside
     * the caller's transaction the reads simply join it. */
    int own = sqlite3_get_autocommit(db->sql);
    if (own && (rc = db__exec(db, "BEGIN", err)) < 0)
        return rc;
    rc = snapshot_read(db, o, s, err);
    if (own)
        db__exec(db, rc < 0 ? "ROLLBACK" : "COMMIT", NULL);
    if (rc < 0)
        wms_wave_snapshot_free(s);
    return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------------------ */
/* (b) Compute                                                              */
/* ------------------------------------------------------------------------ */

void wms_wave_plan_free(wms_wave_plan_out *p)
{
    if (p == NULL)
        return;
    free(p->order_id);
    free(p->order_ref);
    free(p->order_group);
    free(p->tours);
    free(p->tour_orders);
    free(p->zone);
    memset(p, 0, sizeof(*p));
}

/* Growable tour output of the compute step. */
typedef struct tour_buf {
    wms_wave_tour *t;
    int n, cap;
    int *orders;
    long n_orders, cap_orders;
} tour_buf;

static int tour_add(tour_buf *b, int group, int zone, const int *orders, int n, int picks,
                    double dist)
{
    if (b->n == b->cap) {
        int nc = b->cap ? 2 * b->cap : 64;
        void *p = realloc(b->t, sizeof(*b->t) * (size_t)nc);
        if (p == NULL)
            return WMS_ENOMEM;
        b->t = p;
        b->cap = nc;
    }
    if (b->n_orders + n > b->cap_orders) {
        long nc = b->cap_orders ? 2 * b->cap_orders : 256;
        while (nc < b->n_orders + n)
            nc *= 2;
        void *p = realloc(b->orders, sizeof(int) * (size_t)nc);
        if (p == NULL)
            return WMS_ENOMEM;
        b->orders = p;
        b->cap_orders = nc;
    }
    b->t[b->n++] = (wms_wave_tour){group, zone, (int)b->n_orders, n, picks, dist};
    if (n > 0) /* a sort tour has no orders (and orders may be unallocated) */
        memcpy(b->orders + b->n_orders, orders, sizeof(int) * (size_t)n);
    b->n_orders += n;
    return 0;
}

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Turns the groups of `br` into tours: one per group, or with `by_zone`
 * one per zone per group (routed over the zone's picks).  With out NULL
 * only the walk is summed.  *walk = the sum of the tour lengths. */
static int make_tours(const wms_wave_snapshot *s, const wms_batch_result *br, int by_zone,
                      tour_buf *out, double *walk, wms_error *err)
{
    const wms_layout *l = &s->lay.l;
    int maxp = 0;
    *walk = 0.0;
    for (int g = 0; g < br->n_tours; g++) {
        int p = 0;
        for (int m = br->tour_start[g]; m < br->tour_start[g + 1]; m++)
            p += s->orders[br->members[m]].n_picks;
        maxp = p > maxp ? p : maxp;
    }
    int n = s->n_orders;
    wms_pick_loc *buf = malloc(sizeof(*buf) * (size_t)(maxp + 1));
    int *ord = malloc(sizeof(int) * (size_t)(maxp + 1));
    int *list = malloc(sizeof(int) * (size_t)(n + 1));
    int *zones = malloc(sizeof(int) * (size_t)(maxp + 1));
    int rc = 0;
    if (buf == NULL || ord == NULL || list == NULL || zones == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory planning");
        goto out;
    }
    for (int g = 0; g < br->n_tours && rc >= 0; g++) {
        const int *mem = br->members + br->tour_start[g];
        int nm = br->tour_start[g + 1] - br->tour_start[g];
        if (!by_zone) {
            int k = 0, picks = 0;
            for (int i = 0; i < nm; i++)
                if (s->orders[mem[i]].n_picks > 0) {
                    list[k++] = mem[i];
                    picks += s->orders[mem[i]].n_picks;
                }
            if (k == 0)
                continue;
            *walk += br->tour_dist[g];
            if (out != NULL && tour_add(out, g, -1, list, k, picks, br->tour_dist[g]) < 0)
                rc = wms_error_set(err, WMS_ENOMEM, "out of memory planning");
            continue;
        }
        int nz = 0;
        for (int i = 0; i < nm; i++) {
            const wms_wave_sorder *o = &s->orders[mem[i]];
            for (int p = 0; p < o->n_picks; p++)
                zones[nz++] = s->pick_zone[o->first_pick + p];
        }
        qsort(zones, (size_t)nz, sizeof(int), int_cmp);
        for (int zi = 0; zi < nz && rc >= 0; zi++) {
            if (zi > 0 && zones[zi] == zones[zi - 1])
                continue;
            int z = zones[zi], k = 0, m = 0;
            for (int i = 0; i < nm; i++) {
                const wms_wave_sorder *o = &s->orders[mem[i]];
                int had = m;
                for (int p = 0; p < o->n_picks; p++)
                    if (s->pick_zone[o->first_pick + p] == z)
                        buf[m++] = s->picks[o->first_pick + p];
                if (m > had)
                    list[k++] = mem[i];
            }
            double d;
            if ((rc = wms_route_optimal(l, buf, m, ord, &d, NULL, err)) < 0)
                break;
            *walk += d;
            if (out != NULL && tour_add(out, g, z, list, k, m, d) < 0)
                rc = wms_error_set(err, WMS_ENOMEM, "out of memory planning");
        }
    }
out:
    free(buf);
    free(ord);
    free(list);
    free(zones);
    return rc;
}

static int loc_cmp(const void *pa, const void *pb)
{
    const wms_pick_loc *a = pa, *b = pb;
    if (a->aisle != b->aisle)
        return a->aisle < b->aisle ? -1 : 1;
    return (a->y > b->y) - (a->y < b->y);
}

/* A pick's location and units, sorted by location. */
typedef struct loc_units {
    wms_pick_loc loc;
    int64_t units;
} loc_units;

static int lu_cmp(const void *a, const void *b)
{
    return loc_cmp(&((const loc_units *)a)->loc, &((const loc_units *)b)->loc);
}

/* Pick-and-sort tours: every location of the wave once (one visit per
 * bin for all its orders), split along the optimal route (batch.h) into
 * tours of sort_cap stops.  Tours carry no orders: every order may be in
 * any of them. */
static int sort_tours(const wms_wave_snapshot *s, const wms_wave_opts *o, tour_buf *tb,
                      double *walk, wms_error *err)
{
    int m = s->n_picks, u = 0, nt = 0, rc = 0, none = 0;
    int64_t lines = 0, units = 0;
    *walk = 0.0;
    wms_pick_loc *loc = malloc(sizeof(*loc) * (size_t)(m + 1));
    int64_t *lu = malloc(sizeof(int64_t) * (size_t)(m + 1));
    loc_units *all = malloc(sizeof(*all) * (size_t)(m + 1));
    int *tour_of = malloc(sizeof(int) * (size_t)(m + 1)),
        *seq = malloc(sizeof(int) * (size_t)(m + 1));
    double *dist = malloc(sizeof(double) * (size_t)(m + 1));
    if (loc == NULL || lu == NULL || all == NULL || tour_of == NULL || seq == NULL ||
        dist == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory planning");
        goto out;
    }
    for (int i = 0; i < m; i++)
        all[i] = (loc_units){s->picks[i], s->pick_units[i]};
    qsort(all, (size_t)m, sizeof(*all), lu_cmp);
    for (int i = 0; i < m; i++) {
        if (u > 0 && loc_cmp(&all[i].loc, &loc[u - 1]) == 0) {
            lu[u - 1] += all[i].units;
            continue;
        }
        loc[u] = all[i].loc;
        lu[u++] = all[i].units;
    }
    for (int i = 0; i < s->n_orders; i++) {
        lines += s->orders[i].lines;
        units += s->orders[i].units;
    }
    if ((rc = wms_batch_split_route(&s->lay.l, loc, lu, u, sort_cap(o, lines, s->n_orders),
                                    sort_cap_units(o, units, s->n_orders), tour_of, seq, dist, &nt,
                                    err)) < 0)
        goto out;
    for (int t = 0; t < nt; t++) {
        int picks = 0;
        for (int i = 0; i < u; i++)
            picks += tour_of[i] == t;
        *walk += dist[t];
        if (tour_add(tb, 0, -1, &none, 0, picks, dist[t]) < 0) {
            rc = wms_error_set(err, WMS_ENOMEM, "out of memory planning");
            goto out;
        }
    }
out:
    free(loc);
    free(lu);
    free(all);
    free(tour_of);
    free(seq);
    free(dist);
    return rc;
}

int wms_wave_compute(const wms_wave_snapshot *s, const wms_wave_opts *o, wms_wave_plan_out *plan,
                     wms_error *err)
{
    if (plan == NULL || s == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no snapshot or plan given");
    memset(plan, 0, sizeof(*plan));
    int rc = opts_check(o, err);
    if (rc < 0)
        return rc;
    if (s->method != o->method)
        return wms_error_set(err, WMS_EBAD_ARGS, "the snapshot was loaded for a %s wave",
                             wms_wave_method_name(s->method));
    int n = s->n_orders;
    wms_batch_order *bo = malloc(sizeof(*bo) * (size_t)(n + 1));
    wms_batch_result br = {0}, bf = {0};
    tour_buf tb = {0};
    if (bo == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory planning");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        const wms_wave_sorder *so = &s->orders[i];
        bo[i] = (wms_batch_order){s->picks + so->first_pick, so->n_picks, so->lines, so->units};
    }
    wms_batch_opts bopt = {
        .method = o->method == WMS_WAVE_DISCRETE ? WMS_BATCH_DISCRETE : WMS_BATCH_SAVINGS,
        .cap = {opt_totes(o), o->tour_lines, o->tour_units},
        .neighbours = o->neighbours,
        .all_pairs_max = o->all_pairs_max,
    };
    int by_zone = o->method == WMS_WAVE_ZONE, sort = o->method == WMS_WAVE_SORT;
    double walk, fcfs_walk = 0.0;
    if (sort) {
        if ((rc = sort_tours(s, o, &tb, &walk, err)) < 0)
            goto out;
    } else if ((rc = wms_batch_plan(&s->lay.l, bo, n, &bopt, &br, err)) < 0 ||
               (rc = make_tours(s, &br, by_zone, &tb, &walk, err)) < 0) {
        goto out;
    }
    if (o->method != WMS_WAVE_DISCRETE && !sort) {
        bopt.method = WMS_BATCH_FCFS;
        if ((rc = wms_batch_plan(&s->lay.l, bo, n, &bopt, &bf, err)) < 0 ||
            (rc = make_tours(s, &bf, by_zone, NULL, &fcfs_walk, err)) < 0)
            goto out;
    }
    plan->method = o->method;
    plan->n_orders = n;
    plan->order_id = malloc(sizeof(int64_t) * (size_t)(n + 1));
    plan->order_ref = malloc(sizeof(*plan->order_ref) * (size_t)(n + 1));
    plan->order_group = malloc(sizeof(int) * (size_t)(n + 1));
    plan->zone = malloc(sizeof(*plan->zone) * (size_t)(s->n_zones + 1));
    if (plan->order_id == NULL || plan->order_ref == NULL || plan->order_group == NULL ||
        plan->zone == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory planning");
        goto out;
    }
    if (s->n_zones > 0)
        memcpy(plan->zone, s->zone, sizeof(*s->zone) * (size_t)s->n_zones);
    plan->n_zones = s->n_zones;
    wms_wave_summary *sum = &plan->s;
    snprintf(sum->method, sizeof(sum->method), "%s", wms_wave_method_name(o->method));
    for (int i = 0; i < n; i++) {
        plan->order_id[i] = s->orders[i].id;
        memcpy(plan->order_ref[i], s->orders[i].ref, sizeof(plan->order_ref[i]));
        plan->order_group[i] = sort ? 0 : br.tour_of[i];
        sum->lines += s->orders[i].lines;
        sum->units += s->orders[i].units;
    }
    plan->n_groups = sort ? (n > 0) : br.n_tours;
    plan->n_tours = tb.n;
    plan->tours = tb.t;
    plan->tour_orders = tb.orders;
    tb.t = NULL;
    tb.orders = NULL;
    sum->orders = n;
    sum->picks = s->n_picks;
    sum->groups = plan->n_groups;
    sum->tours = plan->n_tours;
    sum->skipped_orders = s->skipped_orders;
    sum->waiting_orders = s->waiting_orders;
    sum->unlocated_lines = s->unlocated_lines;
    sum->walk_m = walk;
    sum->fcfs_walk_m = fcfs_walk;
    double secs = 0.0;
    for (int t = 0; t < plan->n_tours; t++) {
        const wms_wave_tour *w = &plan->tours[t];
        sum->totes += sort ? 1 : w->n; /* sort: one bulk tote per tour */
        secs += o->tour_s + w->dist_m / o->walk_mps + w->picks * o->pick_s;
    }
    for (int z = 0; z < s->n_zones; z++)
        for (int p = 0; p < s->n_picks; p++)
            if (s->pick_zone[p] == z) {
                sum->zones++;
                break;
            }
    sum->picker_hours = secs / 3600.0;
    sum->tours_per_picker_hour = secs > 0 ? plan->n_tours / sum->picker_hours : 0.0;
    sum->pickers = (int64_t)ceil(sum->picker_hours / o->hours - 1e-9);
    if (sum->pickers < 0)
        sum->pickers = 0;
    rc = 0;
out:
    free(bo);
    free(tb.t);
    free(tb.orders);
    wms_batch_result_free(&br);
    wms_batch_result_free(&bf);
    if (rc < 0)
        wms_wave_plan_free(plan);
    return rc;
}

int wms_wave_plan(wms_db *db, const wms_wave_opts *o, wms_wave_plan_out *plan, wms_error *err)
{
    if (plan == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no plan given");
    memset(plan, 0, sizeof(*plan));
    wms_wave_snapshot s;
    int rc = wms_wave_snapshot_load(db, o, &s, err);
    if (rc < 0)
        return rc;
    rc = wms_wave_compute(&s, o, plan, err);
    wms_wave_snapshot_free(&s);
    return rc;
}

int wms_wave_summary_json(const wms_wave_summary *s, char *buf, size_t n)
{
    int len = snprintf(
        buf, n,
        "{\"method\":\"%s\",\"orders\":%lld,\"lines\":%lld,\"units\":%lld,\"picks\":%lld,"
        "\"totes\":%lld,\"tours\":%lld,\"groups\":%lld,\"zones\":%lld,\"pickers\":%lld,"
        "\"walk_m\":%.1f,\"fcfs_walk_m\":%.1f,\"picker_hours\":%.2f,"
        "\"tours_per_picker_hour\":%.2f,\"skipped_orders\":%lld,\"waiting_orders\":%lld,"
        "\"unlocated_lines\":%lld}",
        s->method, (long long)s->orders, (long long)s->lines, (long long)s->units,
        (long long)s->picks, (long long)s->totes, (long long)s->tours, (long long)s->groups,
        (long long)s->zones, (long long)s->pickers, s->walk_m, s->fcfs_walk_m, s->picker_hours,
        s->tours_per_picker_hour, (long long)s->skipped_orders, (long long)s->waiting_orders,
        (long long)s->unlocated_lines);
    if (len < 0 || (size_t)len >= n)
        return WMS_ETOO_LARGE;
    return len;
}

/* ------------------------------------------------------------------------ */
/* (c) Release                                                              */
/* ------------------------------------------------------------------------ */

/* An open allocation of the wave, to become a pick task. */
typedef struct walloc {
    int64_t id, order_id, item_id, qty;
    int64_t bin_id, depends_on; /* the bin picked from; the replenishment, or 0 */
    char lot[WMS_LOT_MAX + 1];
    char expiry[11];
    char zone[WMS_WAVE_ZONE_MAX + 1];
    wms_pick_loc loc;
    int group, sel; /* plan group, selection position */
    int zkey;       /* zone rank (zone method) */
    int tote;       /* order number within its tour, 1.. */
} walloc;

typedef struct order_pos {
    int64_t id;
    int idx;
} order_pos;

static int order_pos_cmp(const void *a, const void *b)
{
    int64_t x = ((const order_pos *)a)->id, y = ((const order_pos *)b)->id;
    return (x > y) - (x < y);
}

/* Tours by group, then zone (index into the sorted zone names; 0 for
 * methods other than zone), then orders in selection order. */
static int walloc_cmp(const void *pa, const void *pb)
{
    const walloc *a = pa, *b = pb;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    if (a->zkey != b->zkey)
        return a->zkey < b->zkey ? -1 : 1;
    if (a->sel != b->sel)
        return a->sel < b->sel ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

static int zname_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sets each allocation's zkey: the rank of its zone name (by_zone), or 0. */
static int walloc_zkeys(walloc *w, long n, int by_zone)
{
    if (!by_zone) {
        for (long i = 0; i < n; i++)
            w[i].zkey = 0;
        return 0;
    }
    const char **names = malloc(sizeof(char *) * (size_t)(n + 1));
    if (names == NULL)
        return WMS_ENOMEM;
    for (long i = 0; i < n; i++)
        names[i] = w[i].zone;
    qsort(names, (size_t)n, sizeof(char *), zname_cmp);
    long u = 0;
    for (long i = 0; i < n; i++)
        if (u == 0 || strcmp(names[i], names[u - 1]) != 0)
            names[u++] = names[i];
    for (long i = 0; i < n; i++) {
        const char *key = w[i].zone;
        const char **p = bsearch(&key, names, (size_t)u, sizeof(char *), zname_cmp);
        w[i].zkey = p != NULL ? (int)(p - names) : 0;
    }
    free(names);
    return 0;
}

/* Loads the wave's open allocations without a live pick task. */
static int load_allocs(wms_db *db, int64_t wave, walloc **out, long *n, wms_error *err)
{
    static const char sql[] =
        "SELECT a.id, a.order_id, a.item_id, a.lot, a.expiry, a.qty - a.picked FROM allocations "
        "a WHERE a.wave_id = ?1 AND a.status = 'open' AND a.qty > a.picked AND NOT EXISTS ("
        "SELECT 1 FROM tasks t WHERE t.allocation_id = a.id AND t.kind = 'pick' AND "
        "t.status <> 'cancelled') AND a.bulk_task_id IS NULL ORDER BY a.id";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, wave);
    long cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n >= WAVE_MAX_ALLOCS) {
            sqlite3_reset(st);
            return wms_error_set(err, WMS_ETOO_LARGE, "more than %ld allocations in one wave",
                                 WAVE_MAX_ALLOCS);
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            void *p = realloc(*out, sizeof(**out) * (size_t)cap);
            if (p == NULL) {
                sqlite3_reset(st);
                return wms_error_set(err, WMS_ENOMEM, "out of memory releasing the wave");
            }
            *out = p;
        }
        walloc *w = &(*out)[(*n)++];
        memset(w, 0, sizeof(*w));
        w->id = sqlite3_column_int64(st, 0);
        w->order_id = sqlite3_column_int64(st, 1);
        w->item_id = sqlite3_column_int64(st, 2);
        db__col_text(st, 3, w->lot, sizeof(w->lot));
        db__col_text(st, 4, w->expiry, sizeof(w->expiry));
        w->qty = sqlite3_column_int64(st, 5);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "wave allocations");
}

/* Where allocation w is picked: the bin (or the pick face a replenishment
 * fills), its zone and location. */
static int alloc_place(wms_db *db, const wms_layout_map *lay, walloc *w, wms_error *err)
{
    static const char q_bin[] = "SELECT code, zone, aisle, y_m FROM bins WHERE id = ?1";
    int rc = wms_replenish_for_allocation(db, w->id, &w->depends_on, &w->bin_id, err);
    if (rc < 0)
        return rc;
    sqlite3_stmt *st = db__stmt(db, q_bin, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, w->bin_id);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE
                   ? wms_error_set(err, WMS_ENOT_FOUND, "no bin with id %lld", (long long)w->bin_id)
                   : db__fail(db, rc, err, "bin lookup");
    }
    char code[WMS_SKU_MAX + 1], aisle[WMS_LAYOUT_ID_MAX + 1];
    db__col_text(st, 0, code, sizeof(code));
    db__col_text(st, 1, w->zone, sizeof(w->zone));
    db__col_text(st, 2, aisle, sizeof(aisle));
    double y = sqlite3_column_double(st, 3);
    sqlite3_reset(st);
    return wms_layout_loc(lay, code, aisle, y, &w->loc, err);
}

/* Inserts the pick task of allocation w, or with bulk the quant total
 * `qty` of w's quant (no order, no allocation).  *id = the task. */
static int insert_task(wms_db *db, int64_t wave, int tour, int seq, const walloc *w, int bulk,
                       int64_t qty, const char *tote, int64_t *id, wms_error *err)
{
    static const char sql[] =
        "INSERT INTO tasks(wave_id, kind, status, tour, seq, zone, allocation_id, order_id, "
        "from_bin_id, item_id, lot, expiry, qty, tote, depends_on) VALUES (?1, 'pick', 'open', "
        "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, wave);
    sqlite3_bind_int(st, 2, tour);
    sqlite3_bind_int(st, 3, seq);
    db__bind_text(st, 4, w->zone);
    if (!bulk) {
        sqlite3_bind_int64(st, 5, w->id);
        sqlite3_bind_int64(st, 6, w->order_id);
    }
    sqlite3_bind_int64(st, 7, w->bin_id);
    sqlite3_bind_int64(st, 8, w->item_id);
    db__bind_text(st, 9, w->lot);
    db__bind_text(st, 10, w->expiry);
    sqlite3_bind_int64(st, 11, bulk ? qty : w->qty);
    db__bind_text(st, 12, tote);
    if (w->depends_on > 0)
        sqlite3_bind_int64(st, 13, w->depends_on);
    int rc = db__exec_stmt(db, st, err, "pick task");
    *id = sqlite3_last_insert_rowid(db->sql);
    return rc;
}

typedef struct release_stats {
    int64_t tasks, tours, orders;
    double walk_m;
} release_stats;

/* Quant, then the replenishment it waits for, then selection order. */
static int quant_cmp(const void *pa, const void *pb)
{
    const walloc *a = pa, *b = pb;
    int c;
    if (a->bin_id != b->bin_id)
        return a->bin_id < b->bin_id ? -1 : 1;
    if (a->item_id != b->item_id)
        return a->item_id < b->item_id ? -1 : 1;
    if ((c = strcmp(a->lot, b->lot)) != 0 || (c = strcmp(a->expiry, b->expiry)) != 0)
        return c;
    if (a->depends_on != b->depends_on)
        return a->depends_on < b->depends_on ? -1 : 1;
    return (a->sel > b->sel) - (a->sel < b->sel);
}

/* 1 when a and b go into one bulk task: same quant, same replenishment. */
static int same_task(const walloc *a, const walloc *b)
{
    return a->bin_id == b->bin_id && a->item_id == b->item_id && !strcmp(a->lot, b->lot) &&
           !strcmp(a->expiry, b->expiry) && a->depends_on == b->depends_on;
}

typedef struct sort_group {
    long first, n; /* its allocations in the sorted array */
    int tour, seq;
} sort_group;

static int group_cmp(const void *pa, const void *pb)
{
    const sort_group *a = pa, *b = pb;
    if (a->tour != b->tour)
        return a->tour < b->tour ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* A sort wave's tasks: one bulk task per quant (and replenishment it
 * waits for), its allocations pointing at it; the quants split along the
 * optimal route into tours (sort_cap stops, tour_units units), each routed
 * again; tote slot "B<wave>-<tour>". */
static int release_sort(wms_db *db, const wms_layout_map *lay, int64_t wave, const wms_wave_opts *o,
                        const wms_wave_plan_out *plan, walloc *w, long n, release_stats *rs,
                        wms_error *err)
{
    static const char link[] = "UPDATE allocations SET bulk_task_id = ?1 WHERE id = ?2";
    int rc = 0, nt = 0;
    long ng = 0;
    qsort(w, (size_t)n, sizeof(*w), quant_cmp);
    sort_group *g = malloc(sizeof(*g) * (size_t)(n + 1));
    wms_pick_loc *locs = malloc(sizeof(*locs) * (size_t)(n + 1));
    int64_t *units = malloc(sizeof(int64_t) * (size_t)(n + 1));
    int *tour_of = malloc(sizeof(int) * (size_t)(n + 1)),
        *seq = malloc(sizeof(int) * (size_t)(n + 1));
    double *dist = malloc(sizeof(double) * (size_t)(n + 1));
    if (g == NULL || locs == NULL || units == NULL || tour_of == NULL || seq == NULL ||
        dist == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory releasing the wave");
        goto out;
    }
    for (long i = 0; i < n; i++) {
        if (i > 0 && same_task(&w[i], &w[i - 1])) {
            g[ng - 1].n++;
            units[ng - 1] += w[i].qty;
            continue;
        }
        g[ng] = (sort_group){i, 1, 0, 0};
        locs[ng] = w[i].loc;
        units[ng++] = w[i].qty;
    }
    if (ng > WMS_ROUTE_MAX_PICKS) {
        rc = wms_error_set(err, WMS_ETOO_LARGE, "a sort wave of %ld quants; at most %d", ng,
                           WMS_ROUTE_MAX_PICKS);
        goto out;
    }
    if ((rc = wms_batch_split_route(
             &lay->l, locs, units, (int)ng, sort_cap(o, plan->s.lines, plan->s.orders),
             sort_cap_units(o, plan->s.units, plan->s.orders), tour_of, seq, dist, &nt, err)) < 0)
        goto out;
    for (long k = 0; k < ng; k++) {
        g[k].tour = tour_of[k];
        g[k].seq = seq[k];
    }
    qsort(g, (size_t)ng, sizeof(*g), group_cmp);
    for (long k = 0; k < ng; k++) {
        const walloc *x = &w[g[k].first];
        int64_t qty = 0, id;
        for (long i = 0; i < g[k].n; i++)
            qty += x[i].qty;
        char tote[64];
        snprintf(tote, sizeof(tote), "B%lld-%d", (long long)wave, g[k].tour + 1);
        if ((rc = insert_task(db, wave, g[k].tour + 1, g[k].seq + 1, x, 1, qty, tote, &id, err)) <
            0)
            goto out;
        for (long i = 0; i < g[k].n; i++) {
            sqlite3_stmt *st = db__stmt(db, link, err);
            if (st == NULL) {
                rc = err ? err->code : WMS_ESTORAGE;
                goto out;
            }
            sqlite3_bind_int64(st, 1, id);
            sqlite3_bind_int64(st, 2, x[i].id);
            if ((rc = db__exec_stmt(db, st, err, "bulk task link")) < 0)
                goto out;
        }
    }
    for (int t = 0; t < nt; t++)
        rs->walk_m += dist[t];
    rs->tasks += ng;
    rs->tours = nt;
out:
    free(g);
    free(locs);
    free(units);
    free(tour_of);
    free(seq);
    free(dist);
    return rc;
}

/* Pick tasks for the wave's allocations, tour by tour in route order. */
static int release_tasks(wms_db *db, int64_t wave, const wms_wave_opts *o,
                         const wms_wave_plan_out *plan, const order_pos *pos, int npos,
                         release_stats *rs, wms_error *err)
{
    wms_layout_map lay;
    walloc *w = NULL;
    long n = 0;
    wms_pick_loc *locs = NULL;
    int *ord = NULL;
    int rc = wms_layout_load(db, &lay, err);
    if (rc < 0)
        return rc;
    if ((rc = load_allocs(db, wave, &w, &n, err)) < 0)
        goto out;
    for (long i = 0; i < n; i++) {
        order_pos key = {w[i].order_id, 0};
        const order_pos *p = bsearch(&key, pos, (size_t)npos, sizeof(*pos), order_pos_cmp);
        if (p == NULL) {
            rc = wms_error_set(err, WMS_ECONFLICT,
                               "allocation %lld of wave %lld is for an order "
                               "outside the wave",
                               (long long)w[i].id, (long long)wave);
            goto out;
        }
        w[i].sel = p->idx;
        w[i].group = plan->order_group[p->idx];
        if ((rc = alloc_place(db, &lay, &w[i], err)) < 0)
            goto out;
    }
    if (plan->method == WMS_WAVE_SORT) {
        rc = release_sort(db, &lay, wave, o, plan, w, n, rs, err);
        goto out;
    }
    if (walloc_zkeys(w, n, plan->method == WMS_WAVE_ZONE) < 0) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory releasing the wave");
        goto out;
    }
    qsort(w, (size_t)n, sizeof(*w), walloc_cmp);
    locs = malloc(sizeof(*locs) * (size_t)(n + 1));
    ord = malloc(sizeof(int) * (size_t)(n + 1));
    if (locs == NULL || ord == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory releasing the wave");
        goto out;
    }
    int tour = 0;
    for (long a = 0; a < n;) {
        long b = a + 1;
        while (b < n && w[b].group == w[a].group && w[b].zkey == w[a].zkey)
            b++;
        int m = (int)(b - a);
        if (m > WMS_ROUTE_MAX_PICKS) {
            rc = wms_error_set(err, WMS_ETOO_LARGE, "a tour of %d picks; at most %d", m,
                               WMS_ROUTE_MAX_PICKS);
            goto out;
        }
        for (int i = 0; i < m; i++)
            locs[i] = w[a + i].loc;
        double d;
        if ((rc = wms_route_optimal(&lay.l, locs, m, ord, &d, NULL, err)) < 0)
            goto out;
        tour++;
        /* totes: k = 1.. by selection order within the tour (rows are sorted by sel) */
        int k = 0;
        for (int i = 0; i < m; i++) {
            if (i == 0 || w[a + i].sel != w[a + i - 1].sel)
                k++;
            w[a + i].tote = k;
        }
        for (int s = 0; s < m; s++) {
            const walloc *x = &w[a + ord[s]];
            char tote[64];
            snprintf(tote, sizeof(tote), "T%lld-%d-%d", (long long)wave, tour, x->tote);
            int64_t id;
            if ((rc = insert_task(db, wave, tour, s + 1, x, 0, 0, tote, &id, err)) < 0)
                goto out;
        }
        rs->tasks += m;
        rs->walk_m += d;
        a = b;
    }
    rs->tours = tour;
    rc = 0;
out:
    wms_layout_map_free(&lay);
    free(w);
    free(locs);
    free(ord);
    return rc;
}

static int release__(wms_db *db, const wms_actor *who, const wms_wave_opts *o,
                     const wms_wave_plan_out *plan, int64_t *wave_id, wms_error *err)
{
    static const char q_status[] = "SELECT status FROM orders WHERE id = ?1";
    static const char ins_wave[] =
        "INSERT INTO waves(status, method, created, released, summary) VALUES ('released', ?1, "
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?2)";
    static const char stamp[] =
        "UPDATE orders SET wave_id = ?2 WHERE id = ?1 AND status = 'allocated'";
    static const char upd_summary[] = "UPDATE waves SET summary = ?2 WHERE id = ?1";
    int n = plan->n_orders, k = 0, rc = 0;
    int64_t *ids = malloc(sizeof(int64_t) * (size_t)(n + 1));
    order_pos *pos = malloc(sizeof(*pos) * (size_t)(n + 1));
    wms_alloc_result *ar = malloc(sizeof(*ar));
    if (ids == NULL || pos == NULL || ar == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory releasing the wave");
        goto out;
    }
    for (int i = 0; i < n; i++) {
        sqlite3_stmt *st = db__stmt(db, q_status, err);
        if (st == NULL) {
            rc = err ? err->code : WMS_ESTORAGE;
            goto out;
        }
        sqlite3_bind_int64(st, 1, plan->order_id[i]);
        int r = sqlite3_step(st);
        int released =
            r == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(st, 0), "released");
        sqlite3_reset(st);
        if (r != SQLITE_ROW && r != SQLITE_DONE) {
            rc = db__fail(db, r, err, "order status");
            goto out;
        }
        if (!released)
            continue;
        ids[k] = plan->order_id[i];
        pos[k++] = (order_pos){plan->order_id[i], i};
    }
    if (k == 0) {
        rc = wms_error_set(err, WMS_ENOT_FOUND, "no released orders to put in a wave");
        goto out;
    }
    qsort(pos, (size_t)k, sizeof(*pos), order_pos_cmp);
    char json[WMS_WAVE_SUMMARY_MAX + 1];
    int len = wms_wave_summary_json(&plan->s, json, sizeof(json));
    if (len < 0) {
        rc = wms_error_set(err, WMS_ETOO_LARGE, "wave summary too long");
        goto out;
    }
    sqlite3_stmt *st = db__stmt(db, ins_wave, err);
    if (st == NULL) {
        rc = err ? err->code : WMS_ESTORAGE;
        goto out;
    }
    db__bind_text(st, 1, wms_wave_method_name(plan->method));
    db__bind_text(st, 2, json);
    if ((rc = db__exec_stmt(db, st, err, "wave")) < 0)
        goto out;
    int64_t wave = sqlite3_last_insert_rowid(db->sql);
    if ((rc = wms_alloc_wave(db, who, ids, k, wave, ar, err)) < 0 ||
        (rc = wms_replenish_plan(db, who, wave, NULL, err)) < 0)
        goto out;
    release_stats rs = {0};
    for (int i = 0; i < k; i++) {
        if ((st = db__stmt(db, stamp, err)) == NULL) {
            rc = err ? err->code : WMS_ESTORAGE;
            goto out;
        }
        sqlite3_bind_int64(st, 1, ids[i]);
        sqlite3_bind_int64(st, 2, wave);
        if ((rc = db__exec_stmt(db, st, err, "order wave")) < 0)
            goto out;
        rs.orders += sqlite3_changes(db->sql);
    }
    if ((rc = release_tasks(db, wave, o, plan, pos, k, &rs, err)) < 0)
        goto out;
    /* The summary: the plan's figures, then what the release made. */
    char extra[256];
    int xl = snprintf(extra, sizeof(extra),
                      ",\"released_orders\":%d,\"allocated_orders\":%lld,\"tasks\":%lld,"
                      "\"task_tours\":%lld,\"route_m\":%.1f,\"units_allocated\":%lld}",
                      k, (long long)rs.orders, (long long)rs.tasks, (long long)rs.tours, rs.walk_m,
                      (long long)ar->allocated);
    if (xl > 0 && (size_t)xl < sizeof(extra) && (size_t)(len - 1 + xl) < sizeof(json))
        memcpy(json + len - 1, extra, (size_t)xl + 1); /* replaces the closing brace */
    if ((st = db__stmt(db, upd_summary, err)) == NULL) {
        rc = err ? err->code : WMS_ESTORAGE;
        goto out;
    }
    sqlite3_bind_int64(st, 1, wave);
    db__bind_text(st, 2, json);
    if ((rc = db__exec_stmt(db, st, err, "wave summary")) < 0)
        goto out;
    *wave_id = wave;
    rc = 0;
out:
    free(ids);
    free(pos);
    free(ar);
    return rc;
}

int wms_wave_release(wms_db *db, const wms_actor *who, const wms_wave_opts *o,
                     const wms_wave_plan_out *plan, int64_t *wave_id, wms_error *err)
{
    if (db == NULL || wave_id == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no database or wave id given");
    *wave_id = 0;
    int rc = opts_check(o, err);
    if (rc < 0)
        return rc;
    if (plan != NULL && plan->method != o->method)
        return wms_error_set(err, WMS_EBAD_ARGS, "the plan is for a %s wave, not %s",
                             wms_wave_method_name(plan->method), wms_wave_method_name(o->method));
    if ((rc = db__op_begin(db, err)) < 0)
        return rc;
    wms_wave_plan_out local;
    memset(&local, 0, sizeof(local));
    if (plan == NULL && (rc = wms_wave_plan(db, o, &local, err)) >= 0)
        plan = &local;
    if (rc >= 0)
        rc = release__(db, who, o, plan, wave_id, err);
    wms_wave_plan_free(&local);
    rc = db__op_end(db, rc, err);
    if (rc < 0)
        *wave_id = 0;
    return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------------------ */
/* Status                                                                   */
/* ------------------------------------------------------------------------ */

int wms_wave_status(wms_db *db, int64_t wave_id, wms_wave_info *out, wms_error *err)
{
    static const char q_wave[] =
        "SELECT status, method, created, coalesce(released, ''), summary FROM waves WHERE id = ?1";
    static const char q_orders[] =
        "SELECT count(*), coalesce(sum(status IN ('allocated', 'picking')), 0), "
        "coalesce(sum(status IN ('picked', 'packed', 'shipped', 'short')), 0), "
        "coalesce(sum(status = 'cancelled'), 0) FROM orders WHERE wave_id = ?1";
    static const char q_tasks[] =
        "SELECT count(*), coalesce(sum(status IN ('open', 'assigned')), 0), "
        "coalesce(sum(status = 'done'), 0), coalesce(sum(status = 'short'), 0), "
        "coalesce(sum(status = 'cancelled'), 0), count(DISTINCT tour) FROM tasks "
        "WHERE wave_id = ?1 AND kind = 'pick'";
    static const char q_repl[] = "SELECT count(*) FROM tasks WHERE wave_id = ?1 AND "
                                 "kind = 'replenish' AND status IN ('open', 'assigned')";
    if (db == NULL || out == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no database or output given");
    memset(out, 0, sizeof(*out));
    out->id = wave_id;
    sqlite3_stmt *st = db__stmt(db, q_wave, err);
    if (st == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, wave_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        db__col_text(st, 0, out->status, sizeof(out->status));
        db__col_text(st, 1, out->method, sizeof(out->method));
        db__col_text(st, 2, out->created, sizeof(out->created));
        db__col_text(st, 3, out->released, sizeof(out->released));
        db__col_text(st, 4, out->summary, sizeof(out->summary));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return wms_error_set(err, WMS_ENOT_FOUND, "no wave %lld", (long long)wave_id);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "wave");
    if ((st = db__stmt(db, q_orders, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, wave_id);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        out->orders = sqlite3_column_int64(st, 0);
        out->orders_open = sqlite3_column_int64(st, 1);
        out->orders_done = sqlite3_column_int64(st, 2);
        out->orders_cancelled = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "wave orders");
    if ((st = db__stmt(db, q_tasks, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, wave_id);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        out->tasks = sqlite3_column_int64(st, 0);
        out->tasks_open = sqlite3_column_int64(st, 1);
        out->tasks_done = sqlite3_column_int64(st, 2);
        out->tasks_short = sqlite3_column_int64(st, 3);
        out->tasks_cancelled = sqlite3_column_int64(st, 4);
        out->tours = sqlite3_column_int64(st, 5);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "wave tasks");
    if ((st = db__stmt(db, q_repl, err)) == NULL)
        return err ? err->code : WMS_ESTORAGE;
    sqlite3_bind_int64(st, 1, wave_id);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        out->replenish_open = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return db__fail(db, rc, err, "wave replenishments");
    return 0;
}
