/* abc_report.c - ABC classes over a period and slotting advice (see
 * abc_report.h). */
#include "store/abc_report.h"
#include "core/date.h"
#include "store/db.h"
#include "store/layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per item working state, in SKU order (the classification's input order). */
typedef struct abc__work {
    int64_t id;
    double face_m; /* depot -> nearest pick face; INFINITY = none */
    char face[WMS_SKU_MAX + 1];
    int moved;
} abc__work;

/* An item id and its index, for lookups by id. */
typedef struct abc__id {
    int64_t id;
    int idx;
} abc__id;

/* A bin that could take an A item. */
typedef struct abc__cand {
    double m;     /* depot -> bin */
    int swap_idx; /* the C item there (smallest SKU), -1 = empty */
    int n_items;
    char code[WMS_SKU_MAX + 1];
} abc__cand;

/* The pick bin being read (rows come grouped by bin code). */
typedef struct abc__bin {
    char code[WMS_SKU_MAX + 1];
    double m; /* NAN: not inside the layout */
    int blocked, n_items, all_c, swap_idx;
} abc__bin;

/* Everything the build allocates, freed at its end. */
typedef struct abc__ctx {
    wms_abc_report_item *items; /* SKU order */
    abc__work *work;
    abc__id *ids;
    int n, cap;
    abc__cand *cand;
    int n_cand, cap_cand;
    double *golden; /* depot distances of the unblocked pick bins in the layout */
    int n_golden, cap_golden;
} abc__ctx;

/* Writes day number z (days since 1970-01-01) as YYYY-MM-DD (Howard
 * Hinnant's civil_from_days). */
static void abc__date(long z, char out[11])
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    int y = (int)(yoe + era * 400 + (m <= 2));
    char b[32];
    snprintf(b, sizeof(b), "%04d-%02d-%02d", y % 10000, m, d);
    memcpy(out, b, 10);
    out[10] = '\0';
}

/* Day number of a date already checked by wms_date_valid. */
static long abc__day(const char *s)
{
    int y = 1970, m = 1, d = 1;
    wms_date_parse(s, &y, &m, &d);
    return wms_date_days(y, m, d);
}

/* Resolves the period of o into r->from, r->to, r->days and `next` (the
 * day after r->to).  Errors: WMS_EBAD_ARGS. */
static int abc__period(wms_db *db, const wms_abc_report_opts *o, wms_abc_report *r, char next[11],
                       wms_error *err)
{
    const char *from = o->from != NULL && o->from[0] ? o->from : NULL;
    const char *to = o->to != NULL && o->to[0] ? o->to : NULL;
    if (from != NULL && !wms_date_valid(from))
        return wms_error_set(err, WMS_EBAD_ARGS, "from '%.20s' is not a date YYYY-MM-DD", from);
    if (to != NULL && !wms_date_valid(to))
        return wms_error_set(err, WMS_EBAD_ARGS, "to '%.20s' is not a date YYYY-MM-DD", to);
    if (o->days < 0 || o->days > WMS_ABC_DAYS_MAX)
        return wms_error_set(err, WMS_EBAD_ARGS, "days %d: need 1 to %d", o->days,
                             WMS_ABC_DAYS_MAX);
    int days = o->days ? o->days : WMS_ABC_DAYS_DEFAULT;
    long today = abc__day(db__today(db)), f, t;
    if (from != NULL && to != NULL) {
        if (o->days)
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "give the number of days or both dates of the period, not all "
                                 "three");
        f = abc__day(from);
        t = abc__day(to);
    } else if (from != NULL) {
        f = abc__day(from);
        t = o->days ? f + o->days - 1 : today;
    } else if (to != NULL) {
        t = abc__day(to);
        f = t - days + 1;
    } else {
        t = today;
        f = t - days + 1;
    }
    abc__date(f, r->from);
    abc__date(t, r->to);
    if (f > t)
        return wms_error_set(err, WMS_EBAD_ARGS, "the period starts (%s) after it ends (%s)",
                             r->from, r->to);
    if (t - f + 1 > WMS_ABC_DAYS_MAX)
        return wms_error_set(err, WMS_EBAD_ARGS, "the period %s .. %s is longer than %d days",
                             r->from, r->to, WMS_ABC_DAYS_MAX);
    r->days = (int)(t - f + 1);
    abc__date(t + 1, next);
    return 0;
}

/* Grows an array *p of *cap elements of size `sz` to hold n + 1, up to
 * `max` elements.  Returns 0, WMS_ETOO_LARGE or WMS_ENOMEM. */
static int abc__grow(void **p, int *cap, int n, int max, size_t sz)
{
    if (n < *cap)
        return 0;
    if (n >= max)
        return WMS_ETOO_LARGE;
    int nc = *cap ? (*cap > max / 2 ? max : 2 * *cap) : 256;
    void *q = realloc(*p, sz * (size_t)nc);
    if (q == NULL)
        return WMS_ENOMEM;
    *p = q;
    *cap = nc;
    return 0;
}

/* Reads every item with its picks and units in [from, next) into x, in
 * SKU order.  Errors: WMS_ETOO_LARGE, WMS_ENOMEM, storage errors. */
static int abc__read_items(wms_db *db, const char *from, const char *next, abc__ctx *x,
                           wms_error *err)
{
    static const char sql[] =
        "SELECT i.id, i.sku, coalesce(p.visits, 0), coalesce(p.units, 0) FROM items i "
        "LEFT JOIN (SELECT item_id, count(*) AS visits, sum(units) AS units FROM "
        "  (SELECT item_id, sum(qty) AS units FROM picks WHERE ts >= ?1 AND ts < ?2 "
        "   GROUP BY item_id, order_id, line, bin_id) GROUP BY item_id) p ON p.item_id = i.id "
        "ORDER BY i.sku";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    db__bind_text(st, 1, from);
    db__bind_text(st, 2, next);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int cap = x->cap,
            g = abc__grow((void **)&x->items, &cap, x->n, WMS_ABC_MAX_ITEMS, sizeof(*x->items));
        if (g == 0) {
            cap = x->cap;
            g = abc__grow((void **)&x->work, &cap, x->n, WMS_ABC_MAX_ITEMS, sizeof(*x->work));
        }
        if (g == 0) {
            cap = x->cap;
            g = abc__grow((void **)&x->ids, &cap, x->n, WMS_ABC_MAX_ITEMS, sizeof(*x->ids));
        }
        if (g < 0) {
            sqlite3_reset(st);
            return g == WMS_ETOO_LARGE
                       ? wms_error_set(err, g, "more than %d items to classify", WMS_ABC_MAX_ITEMS)
                       : wms_error_set(err, g, "out of memory reading items");
        }
        x->cap = cap;
        wms_abc_report_item *it = &x->items[x->n];
        abc__work *w = &x->work[x->n];
        memset(it, 0, sizeof(*it));
        memset(w, 0, sizeof(*w));
        w->id = sqlite3_column_int64(st, 0);
        db__col_text(st, 1, it->sku, sizeof(it->sku));
        it->picks = sqlite3_column_int64(st, 2);
        it->units = sqlite3_column_int64(st, 3);
        w->face_m = INFINITY;
        x->ids[x->n] = (abc__id){w->id, x->n};
        x->n++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "picks by item");
}

static int abc__id_cmp(const void *pa, const void *pb)
{
    const abc__id *a = pa, *b = pb;
    return (a->id > b->id) - (a->id < b->id);
}

/* Index (SKU order) of item `id`, or -1. */
static int abc__find(const abc__ctx *x, int64_t id)
{
    abc__id key = {id, 0};
    const abc__id *p = bsearch(&key, x->ids, (size_t)x->n, sizeof(*x->ids), abc__id_cmp);
    return p ? p->idx : -1;
}

/* Ends the bin b: records it for the golden zone and as a candidate. */
static int abc__bin_done(abc__ctx *x, const abc__bin *b)
{
    if (!b->code[0] || isnan(b->m) || b->blocked)
        return 0;
    int g = abc__grow((void **)&x->golden, &x->cap_golden, x->n_golden, WMS_ABC_MAX_BINS,
                      sizeof(*x->golden));
    if (g < 0)
        return g;
    x->golden[x->n_golden++] = b->m;
    if (b->n_items > 0 && !b->all_c)
        return 0;
    if ((g = abc__grow((void **)&x->cand, &x->cap_cand, x->n_cand, WMS_ABC_MAX_BINS,
                       sizeof(*x->cand))) < 0)
        return g;
    abc__cand *c = &x->cand[x->n_cand++];
    c->m = b->m;
    c->swap_idx = b->n_items > 0 ? b->swap_idx : -1;
    c->n_items = b->n_items;
    memcpy(c->code, b->code, sizeof(c->code));
    return 0;
}

/* Reads the pick bins with what they hold: the A items' nearest faces
 * (into x->work), the golden-zone distances and the candidate bins.
 * Errors: WMS_ETOO_LARGE, WMS_ENOMEM, storage errors. */
static int abc__read_bins(wms_db *db, const wms_layout_map *lay, abc__ctx *x, wms_error *err)
{
    static const char sql[] =
        "SELECT b.code, b.aisle, b.y_m, b.blocked, o.item_id FROM bins b "
        "LEFT JOIN (SELECT bin_id, item_id FROM stock WHERE qty > 0 "
        "           UNION SELECT bin_id, item_id FROM pick_faces) o ON o.bin_id = b.id "
        "WHERE b.type = 'pick' ORDER BY b.code, o.item_id";
    sqlite3_stmt *st = db__stmt(db, sql, err);
    if (st == NULL)
        return err->code;
    abc__bin b;
    memset(&b, 0, sizeof(b));
    int rc, g = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char code[WMS_SKU_MAX + 1], aisle[33];
        db__col_text(st, 0, code, sizeof(code));
        if (strcmp(code, b.code) != 0) {
            if ((g = abc__bin_done(x, &b)) < 0)
                break;
            memset(&b, 0, sizeof(b));
            memcpy(b.code, code, sizeof(code));
            db__col_text(st, 1, aisle, sizeof(aisle));
            wms_pick_loc loc;
            b.m = wms_layout_loc(lay, code, aisle, sqlite3_column_double(st, 2), &loc, NULL) < 0
                      ? NAN
                      : wms_route_depot_dist(&lay->l, loc);
            b.blocked = sqlite3_column_int(st, 3) != 0;
            b.all_c = 1;
            b.swap_idx = -1;
        }
        if (sqlite3_column_type(st, 4) == SQLITE_NULL)
            continue;
        int i = abc__find(x, sqlite3_column_int64(st, 4));
        if (i < 0)
            continue; /* foreign keys make this impossible */
        b.n_items++;
        if (x->items[i].r.by_picks != WMS_ABC_C)
            b.all_c = 0;
        else if (b.swap_idx < 0 || i < b.swap_idx)
            b.swap_idx = i;
        abc__work *w = &x->work[i];
        if (x->items[i].r.by_picks == WMS_ABC_A && !isnan(b.m) && b.m < w->face_m) {
            w->face_m = b.m; /* bins come by code: the first of equal distances stays */
            memcpy(w->face, b.code, sizeof(w->face));
        }
    }
    sqlite3_reset(st);
    if (g == 0 && rc == SQLITE_DONE)
        g = abc__bin_done(x, &b);
    if (g < 0)
        return g == WMS_ETOO_LARGE
                   ? wms_error_set(err, g, "more than %d pick bins", WMS_ABC_MAX_BINS)
                   : wms_error_set(err, g, "out of memory reading the pick bins");
    return rc == SQLITE_DONE ? 0 : db__fail(db, rc, err, "pick bins");
}

static int abc__dbl_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Nearest first; ties: empty before swap, then code. */
static int abc__cand_cmp(const void *pa, const void *pb)
{
    const abc__cand *a = pa, *b = pb;
    if (a->m != b->m)
        return a->m < b->m ? -1 : 1;
    if ((a->swap_idx < 0) != (b->swap_idx < 0))
        return a->swap_idx < 0 ? -1 : 1;
    return strcmp(a->code, b->code);
}

/* The golden zone, the far A items and the greedy moves (see
 * abc_report.h).  by_rank: item indices in pick-rank order.  Errors:
 * WMS_ENOMEM. */
static int abc__advise(abc__ctx *x, const int *by_rank, int top, wms_abc_report *r, wms_error *err)
{
    for (int i = 0; i < x->n; i++) {
        if (x->items[i].r.by_picks != WMS_ABC_A)
            continue;
        if (isinf(x->work[i].face_m))
            r->a_unfaced++;
        else
            r->a_faced++;
    }
    if (r->a_faced == 0 || x->n_golden == 0)
        return 0;
    qsort(x->golden, (size_t)x->n_golden, sizeof(double), abc__dbl_cmp);
    int k = r->a_faced < x->n_golden ? r->a_faced : x->n_golden;
    r->golden_m = x->golden[k - 1];
    int *far = malloc(sizeof(int) * (size_t)r->a_faced);
    r->move = calloc((size_t)top, sizeof(*r->move));
    if (far == NULL || r->move == NULL) {
        free(far);
        return wms_error_set(err, WMS_ENOMEM, "out of memory planning moves");
    }
    int n_far = 0;
    for (int k2 = 0; k2 < x->n; k2++) {
        int i = by_rank[k2];
        if (x->items[i].r.by_picks == WMS_ABC_A && !isinf(x->work[i].face_m) &&
            x->work[i].face_m > r->golden_m)
            far[n_far++] = i;
    }
    r->far_items = n_far;
    if (x->n_cand > 0)
        qsort(x->cand, (size_t)x->n_cand, sizeof(*x->cand), abc__cand_cmp);
    for (int c = 0; c < x->n_cand && r->n_moves < top; c++) {
        const abc__cand *cd = &x->cand[c];
        int best = -1;
        double best_s = 0.0;
        for (int j = 0; j < n_far; j++) {
            int i = far[j];
            if (x->work[i].moved)
                continue;
            double ppd = (double)x->items[i].picks / (double)r->days;
            double s = ppd * (2.0 * (x->work[i].face_m - cd->m));
            if (s > best_s) {
                best_s = s;
                best = i;
            }
        }
        if (best < 0)
            break; /* no far item would be closer: farther bins help nobody */
        x->work[best].moved = 1;
        wms_abc_move *mv = &r->move[r->n_moves++];
        memcpy(mv->sku, x->items[best].sku, sizeof(mv->sku));
        mv->picks = x->items[best].picks;
        mv->picks_per_day = (double)mv->picks / (double)r->days;
        memcpy(mv->from_bin, x->work[best].face, sizeof(mv->from_bin));
        mv->from_m = x->work[best].face_m;
        memcpy(mv->to_bin, cd->code, sizeof(mv->to_bin));
        mv->to_m = cd->m;
        if (cd->swap_idx >= 0)
            memcpy(mv->swap_sku, x->items[cd->swap_idx].sku, sizeof(mv->swap_sku));
        mv->swap_items = cd->n_items;
        mv->saving_m_per_day = best_s;
        r->saving_m_per_day += best_s;
    }
    free(far);
    return 0;
}

/* The reads and computations of wms_abc_report_build, inside its read
 * transaction. */
static int abc__build(wms_db *db, const wms_abc_report_opts *o, const char *next, abc__ctx *x,
                      wms_abc_report *r, wms_error *err)
{
    int rc = abc__read_items(db, r->from, next, x, err);
    if (rc < 0)
        return rc;
    qsort(x->ids, (size_t)x->n, sizeof(*x->ids), abc__id_cmp);
    size_t m = (size_t)(x->n > 0 ? x->n : 1);
    wms_abc_item *in = malloc(sizeof(*in) * m);
    wms_abc_result *res = malloc(sizeof(*res) * m);
    int *by_rank = malloc(sizeof(int) * m);
    wms_layout_map lay;
    memset(&lay, 0, sizeof(lay));
    if (in == NULL || res == NULL || by_rank == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory classifying %d items", x->n);
        goto out;
    }
    for (int i = 0; i < x->n; i++)
        in[i] = (wms_abc_item){x->items[i].picks, x->items[i].units};
    rc = wms_abc_classify(in, x->n, &r->abc, res, &r->by_picks, &r->by_units, err);
    if (rc < 0)
        goto out;
    for (int i = 0; i < x->n; i++) {
        x->items[i].r = res[i];
        by_rank[res[i].rank_picks - 1] = i;
    }
    wms_error lerr;
    wms_error_clear(&lerr);
    rc = wms_layout_load(db, &lay, &lerr);
    if (rc == WMS_ENOT_FOUND) {
        rc = 0; /* no layout: classes without advice */
    } else if (rc < 0) {
        if (err != NULL)
            *err = lerr;
        goto out;
    } else {
        r->layout = 1;
        if ((rc = abc__read_bins(db, &lay, x, err)) < 0)
            goto out;
        if ((rc = abc__advise(x, by_rank, o->top ? o->top : WMS_ABC_TOP_DEFAULT, r, err)) < 0)
            goto out;
    }
    r->item = malloc(sizeof(*r->item) * m);
    if (r->item == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory for the report");
        goto out;
    }
    for (int k = 0; k < x->n; k++)
        r->item[k] = x->items[by_rank[k]];
    r->n_items = x->n;
    rc = 0;
out:
    wms_layout_map_free(&lay);
    free(in);
    free(res);
    free(by_rank);
    return rc;
}

void wms_abc_report_free(wms_abc_report *r)
{
    if (r == NULL)
        return;
    free(r->item);
    free(r->move);
    memset(r, 0, sizeof(*r));
}

int wms_abc_report_build(wms_db *db, const wms_abc_report_opts *o, wms_abc_report *out,
                         wms_error *err)
{
    wms_error local;
    if (err == NULL)
        err = &local;
    if (out == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no report given");
    memset(out, 0, sizeof(*out));
    if (db == NULL || o == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "no database or options given");
    if (o->top < 0 || o->top > WMS_ABC_TOP_MAX)
        return wms_error_set(err, WMS_EBAD_ARGS, "top %d: need 1 to %d", o->top, WMS_ABC_TOP_MAX);
    int rc = wms_abc_opts_resolve(&o->abc, &out->abc, err);
    if (rc < 0)
        return rc;
    char next[11];
    if ((rc = abc__period(db, o, out, next, err)) < 0)
        return rc;
    abc__ctx x;
    memset(&x, 0, sizeof(x));
    /* One read transaction, so that picks, stock and bins agree; inside the
     * caller's transaction the reads simply join it. */
    int own = sqlite3_get_autocommit(db->sql);
    if (own && (rc = db__exec(db, "BEGIN", err)) < 0)
        return rc;
    rc = abc__build(db, o, next, &x, out, err);
    if (own)
        db__exec(db, rc < 0 ? "ROLLBACK" : "COMMIT", NULL);
    free(x.items);
    free(x.work);
    free(x.ids);
    free(x.cand);
    free(x.golden);
    if (rc < 0)
        wms_abc_report_free(out);
    return rc < 0 ? rc : 0;
}
