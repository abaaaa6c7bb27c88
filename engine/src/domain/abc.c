/* abc.c - ABC classification by picks and by units (see abc.h). */
#include "domain/abc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct abc__entry {
    int64_t v;
    int idx;
} abc__entry;

/* Largest value first; equal values in input order. */
static int abc__cmp(const void *pa, const void *pb)
{
    const abc__entry *a = pa, *b = pb;
    if (a->v != b->v)
        return a->v > b->v ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

const char *wms_abc_class_name(wms_abc_class c)
{
    switch (c) {
    case WMS_ABC_A:
        return "A";
    case WMS_ABC_B:
        return "B";
    case WMS_ABC_C:
        return "C";
    }
    return "?";
}

int wms_abc_opts_resolve(const wms_abc_opts *o, wms_abc_opts *out, wms_error *err)
{
    wms_abc_opts r = {WMS_ABC_A_SHARE, WMS_ABC_B_SHARE};
    if (o != NULL && (o->a_share != 0.0 || o->b_share != 0.0))
        r = *o;
    if (!isfinite(r.a_share) || !isfinite(r.b_share) || !(r.a_share > 0.0) ||
        !(r.a_share <= r.b_share) || !(r.b_share <= 1.0))
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "ABC thresholds A %g / B %g: need 0 < A <= B <= 1 (shares)", r.a_share,
                             r.b_share);
    if (out != NULL)
        *out = r;
    return 0;
}

/* The rank of one measure; `what` names it in messages.  See abc.h. */
static int abc__rank(const int64_t *value, int n, const wms_abc_opts *o, const char *what,
                     wms_abc_class *cls, double *cum, int *rank, wms_abc_summary *sum,
                     wms_error *err)
{
    wms_abc_opts t;
    int rc = wms_abc_opts_resolve(o, &t, err);
    if (rc < 0)
        return rc;
    if (n < 0 || (n > 0 && (value == NULL || cls == NULL)))
        return wms_error_set(err, WMS_EBAD_ARGS, "ABC: no %s given", what);
    if (n > WMS_ABC_MAX_ITEMS)
        return wms_error_set(err, WMS_ETOO_LARGE, "ABC: %d items; at most %d", n,
                             WMS_ABC_MAX_ITEMS);
    abc__entry *e = malloc(sizeof(*e) * (size_t)(n > 0 ? n : 1));
    if (e == NULL)
        return wms_error_set(err, WMS_ENOMEM, "out of memory classifying %d items", n);
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        int64_t v = value[i];
        if (v < 0) {
            rc = wms_error_set(err, WMS_EBAD_ARGS, "ABC: item %d has %lld %s (negative)", i,
                               (long long)v, what);
            goto out;
        }
        if (__builtin_add_overflow(total, v, &total)) {
            rc = wms_error_set(err, WMS_ETOO_LARGE, "ABC: the total of %s overflows", what);
            goto out;
        }
        e[i].v = v;
        e[i].idx = i;
    }
    qsort(e, (size_t)n, sizeof(*e), abc__cmp);
    if (sum != NULL) {
        memset(sum, 0, sizeof(*sum));
        sum->n = n;
        sum->total = total;
    }
    int64_t run = 0, ahead = 0;
    for (int k = 0; k < n; k++) {
        if (k == 0 || e[k].v != e[k - 1].v)
            ahead = run; /* the items with a strictly larger value */
        run += e[k].v;
        wms_abc_class c = WMS_ABC_C;
        if (e[k].v > 0) {
            double share = (double)ahead / (double)total;
            c = share < t.a_share ? WMS_ABC_A : share < t.b_share ? WMS_ABC_B : WMS_ABC_C;
        }
        int i = e[k].idx;
        cls[i] = c;
        if (cum != NULL)
            cum[i] = total > 0 ? (double)run / (double)total : 0.0;
        if (rank != NULL)
            rank[i] = k + 1;
        if (sum != NULL) {
            sum->items[c]++;
            sum->value[c] += e[k].v;
        }
    }
    rc = 0;
out:
    free(e);
    return rc;
}

int wms_abc_rank(const int64_t *value, int n, const wms_abc_opts *o, wms_abc_class *cls,
                 double *cum, int *rank, wms_abc_summary *sum, wms_error *err)
{
    return abc__rank(value, n, o, "value", cls, cum, rank, sum, err);
}

int wms_abc_classify(const wms_abc_item *items, int n, const wms_abc_opts *o, wms_abc_result *out,
                     wms_abc_summary *by_picks, wms_abc_summary *by_units, wms_error *err)
{
    if (n < 0 || (n > 0 && (items == NULL || out == NULL)))
        return wms_error_set(err, WMS_EBAD_ARGS, "ABC: no items given");
    if (n > WMS_ABC_MAX_ITEMS)
        return wms_error_set(err, WMS_ETOO_LARGE, "ABC: %d items; at most %d", n,
                             WMS_ABC_MAX_ITEMS);
    size_t m = (size_t)(n > 0 ? n : 1);
    wms_abc_class *cls = calloc(m, sizeof(*cls));
    double *cum = calloc(m, sizeof(*cum));
    int *rank = calloc(m, sizeof(*rank));
    int64_t *v = calloc(m, sizeof(*v));
    int rc;
    if (cls == NULL || cum == NULL || rank == NULL || v == NULL) {
        rc = wms_error_set(err, WMS_ENOMEM, "out of memory classifying %d items", n);
        goto out;
    }
    for (int i = 0; i < n; i++)
        v[i] = items[i].picks;
    if ((rc = abc__rank(v, n, o, "picks", cls, cum, rank, by_picks, err)) < 0)
        goto out;
    for (int i = 0; i < n; i++) {
        out[i].by_picks = cls[i];
        out[i].cum_picks = cum[i];
        out[i].rank_picks = rank[i];
        v[i] = items[i].units;
    }
    if ((rc = abc__rank(v, n, o, "units", cls, cum, rank, by_units, err)) < 0)
        goto out;
    for (int i = 0; i < n; i++) {
        out[i].by_units = cls[i];
        out[i].cum_units = cum[i];
        out[i].rank_units = rank[i];
    }
    rc = 0;
out:
    free(cls);
    free(cum);
    free(rank);
    free(v);
    return rc;
}
