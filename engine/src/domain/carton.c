/* carton.c - cartonization heuristic (see carton.h for the model and the algorithm). */
#include "domain/carton.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KEY_VOLUME, KEY_LONGEST, KEY_AREA, KEY_SHORTEST, KEY_WEIGHT, NKEYS };
enum { RULE_FIRST, RULE_LOWEST, RULE_UPRIGHT, NRULES };
enum { STRAT_FFD, STRAT_BOXFILL, NSTRATS };

static const char *const key_name[NKEYS] = {"volume", "longest", "area", "shortest", "weight"};
static const char *const strat_name[NSTRATS] = {"ffd", "box-fill"};

/* One unit to pack. */
typedef struct cu {
    int item;
    int geo; /* all three dimensions known */
    int64_t vol, weight;
    int nori;
    int64_t ori[6][3];     /* distinct orientations, preferred first */
    int64_t key[NKEYS][2]; /* sort keys (descending) */
    int64_t sorted[3];     /* dimensions, ascending */
} cu;

/* An extreme point: corner o of a unit (or the origin) projected along
 * -axis onto the nearest face below it (axis -1: not projected). */
typedef struct xpt {
    int64_t p[3], o[3];
    int axis;
} xpt;

/* A box being filled: members in loading order with their positions, and
 * its extreme points sorted by (z, y, x). */
typedef struct cbox {
    int type;
    int n, cap;
    int *mem;
    int64_t (*pos)[3];
    int64_t (*ext)[3];
    int nep, epcap;
    xpt *ep;
    int64_t weight, vol;
} cbox;

typedef struct csol {
    int n, cap;
    cbox *b;
    char how[48];
} csol;

typedef struct pk {
    int nt;
    int64_t (*tdim)[3];
    int64_t *tvol, *tmaxw;
    int64_t (*tsorted)[3];
    int *tord; /* types by ascending volume (ties: input order) */
    int nu;
    cu *u;
    long work, budget;
    struct cbox *deep; /* DEEP_UNITS + 1 levels for deep_search, lazily allocated */
} pk;

/* ---------------------------------------------------------------------- */
/* Boxes                                                                  */
/* ---------------------------------------------------------------------- */

static void box_free(cbox *b)
{
    free(b->mem);
    free(b->pos);
    free(b->ext);
    free(b->ep);
    memset(b, 0, sizeof(*b));
}

/* Empties b and makes it a box of `type` with the point (0,0,0). */
static int box_start(pk *P, cbox *b, int type)
{
    if (b->epcap < 1) {
        xpt *ep = realloc(b->ep, 8 * sizeof(*ep));
        if (ep == NULL)
            return WMS_ENOMEM;
        b->ep = ep;
        b->epcap = 8;
    }
    b->type = type;
    b->n = 0;
    b->weight = b->vol = 0;
    b->nep = 1;
    memset(&b->ep[0], 0, sizeof(b->ep[0]));
    b->ep[0].axis = -1;
    return 0;
}

/* Room for one more member and 6 more points (capped by the unit count). */
static int box_grow(pk *P, cbox *b)
{
    if (b->n >= b->cap) {
        int cap = b->cap ? b->cap * 2 : 8;
        if (cap > P->nu)
            cap = P->nu;
        if (cap <= b->n)
            return WMS_ENOMEM; /* cannot happen: a unit is in one box */
        int *mem = realloc(b->mem, (size_t)cap * sizeof(*mem));
        if (mem == NULL)
            return WMS_ENOMEM;
        b->mem = mem;
        int64_t(*pos)[3] = realloc(b->pos, (size_t)cap * sizeof(*pos));
        if (pos == NULL)
            return WMS_ENOMEM;
        b->pos = pos;
        int64_t(*ext)[3] = realloc(b->ext, (size_t)cap * sizeof(*ext));
        if (ext == NULL)
            return WMS_ENOMEM;
        b->ext = ext;
        b->cap = cap;
    }
    if (b->nep + 6 > b->epcap) {
        int cap = b->epcap * 2;
        if (cap < b->nep + 6)
            cap = b->nep + 6;
        if (cap > 6 * P->nu + 8)
            cap = 6 * P->nu + 8;
        if (cap < b->nep + 6)
            return WMS_ENOMEM;
        xpt *ep = realloc(b->ep, (size_t)cap * sizeof(*ep));
        if (ep == NULL)
            return WMS_ENOMEM;
        b->ep = ep;
        b->epcap = cap;
    }
    return 0;
}

/* Copies box a into b (b's buffers reused). */
static int box_copy(pk *P, cbox *b, const cbox *a)
{
    int rc = box_start(P, b, a->type);
    if (rc < 0)
        return rc;
    if (b->cap < a->n || b->epcap < a->nep) {
        int cap = a->cap, epcap = a->epcap;
        int *mem = realloc(b->mem, (size_t)cap * sizeof(*mem));
        if (mem == NULL)
            return WMS_ENOMEM;
        b->mem = mem;
        int64_t(*pos)[3] = realloc(b->pos, (size_t)cap * sizeof(*pos));
        if (pos == NULL)
            return WMS_ENOMEM;
        b->pos = pos;
        int64_t(*ext)[3] = realloc(b->ext, (size_t)cap * sizeof(*ext));
        if (ext == NULL)
            return WMS_ENOMEM;
        b->ext = ext;
        b->cap = cap;
        xpt *ep = realloc(b->ep, (size_t)epcap * sizeof(*ep));
        if (ep == NULL)
            return WMS_ENOMEM;
        b->ep = ep;
        b->epcap = epcap;
    }
    b->n = a->n;
    b->nep = a->nep;
    b->weight = a->weight;
    b->vol = a->vol;
    if (a->n > 0) {
        memcpy(b->mem, a->mem, (size_t)a->n * sizeof(*b->mem));
        memcpy(b->pos, a->pos, (size_t)a->n * sizeof(*b->pos));
        memcpy(b->ext, a->ext, (size_t)a->n * sizeof(*b->ext));
    }
    memcpy(b->ep, a->ep, (size_t)a->nep * sizeof(*b->ep));
    return 0;
}

/* True when a block at p with extents d overlaps a member of b. */
static int box_overlaps(pk *P, const cbox *b, const int64_t p[3], const int64_t d[3])
{
    P->work += b->n + 1;
    for (int i = 0; i < b->n; i++) {
        const int64_t *q = b->pos[i], *e = b->ext[i];
        if (p[0] < q[0] + e[0] && q[0] < p[0] + d[0] && p[1] < q[1] + e[1] && q[1] < p[1] + d[1] &&
            p[2] < q[2] + e[2] && q[2] < p[2] + d[2])
            return 1;
    }
    return 0;
}

static int pt_less(const int64_t a[3], const int64_t b[3])
{
    if (a[2] != b[2])
        return a[2] < b[2];
    if (a[1] != b[1])
        return a[1] < b[1];
    return a[0] < b[0];
}

/* Adds the point q (corner o projected along -axis) if it is inside the
 * box, free and at a new position, keeping (z, y, x) order. */
static void box_add_ep(pk *P, cbox *b, const int64_t q[3], const int64_t o[3], int axis)
{
    const int64_t *L = P->tdim[b->type];
    if (q[0] >= L[0] || q[1] >= L[1] || q[2] >= L[2])
        return;
    for (int i = 0; i < b->n; i++) {
        const int64_t *p = b->pos[i], *e = b->ext[i];
        if (p[0] <= q[0] && q[0] < p[0] + e[0] && p[1] <= q[1] && q[1] < p[1] + e[1] &&
            p[2] <= q[2] && q[2] < p[2] + e[2])
            return;
    }
    int at = b->nep;
    for (int i = 0; i < b->nep; i++) {
        if (!memcmp(b->ep[i].p, q, sizeof(b->ep[i].p)))
            return;
        if (at == b->nep && pt_less(q, b->ep[i].p))
            at = i;
    }
    memmove(b->ep + at + 1, b->ep + at, (size_t)(b->nep - at) * sizeof(*b->ep));
    memcpy(b->ep[at].p, q, sizeof(b->ep[at].p));
    memcpy(b->ep[at].o, o, sizeof(b->ep[at].o));
    b->ep[at].axis = axis;
    b->nep++;
}

/* q projected along -axis onto the nearest face of a member (or the wall). */
static void project(const cbox *b, const int64_t q[3], int axis, int64_t out[3])
{
    int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
    int64_t best = 0;
    for (int i = 0; i < b->n; i++) {
        const int64_t *p = b->pos[i], *e = b->ext[i];
        int64_t top = p[axis] + e[axis];
        if (top <= q[axis] && top > best && p[a1] <= q[a1] && q[a1] < p[a1] + e[a1] &&
            p[a2] <= q[a2] && q[a2] < p[a2] + e[a2])
            best = top;
    }
    memcpy(out, q, 3 * sizeof(*out));
    out[axis] = best;
}

/* Puts unit u at p with extents d into b (checked by the caller) and
 * updates the extreme points: a point whose projection the new unit now
 * stops earlier moves up to its face; points inside it go; its own corners,
 * projected, come in. */
static int box_put(pk *P, cbox *b, int u, const int64_t p0[3], const int64_t d[3])
{
    int rc = box_grow(P, b);
    if (rc < 0)
        return rc;
    int64_t p[3] = {p0[0], p0[1], p0[2]};
    int k = b->n++;
    b->mem[k] = u;
    memcpy(b->pos[k], p, sizeof(b->pos[k]));
    memcpy(b->ext[k], d, sizeof(b->ext[k]));
    b->weight += P->u[u].weight;
    b->vol += P->u[u].vol;
    int w = 0, moved = 0;
    for (int i = 0; i < b->nep; i++) {
        xpt *x = &b->ep[i];
        int a = x->axis;
        if (a >= 0) {
            int a1 = (a + 1) % 3, a2 = (a + 2) % 3;
            int64_t top = p[a] + d[a];
            if (x->p[a] < top && top <= x->o[a] && p[a1] <= x->o[a1] && x->o[a1] < p[a1] + d[a1] &&
                p[a2] <= x->o[a2] && x->o[a2] < p[a2] + d[a2]) {
                x->p[a] = top;
                moved = 1;
            }
        }
        const int64_t *q = x->p;
        if (p[0] <= q[0] && q[0] < p[0] + d[0] && p[1] <= q[1] && q[1] < p[1] + d[1] &&
            p[2] <= q[2] && q[2] < p[2] + d[2])
            continue;
        if (w != i)
            b->ep[w] = *x;
        w++;
    }
    b->nep = w;
    if (moved) /* back into (z, y, x) order: insertion sort, nearly sorted */
        for (int i = 1; i < b->nep; i++) {
            xpt x = b->ep[i];
            int j = i;
            while (j > 0 && pt_less(x.p, b->ep[j - 1].p)) {
                b->ep[j] = b->ep[j - 1];
                j--;
            }
            b->ep[j] = x;
        }
    for (int a = 0; a < 3; a++) {
        int64_t q[3] = {p[0], p[1], p[2]}, r[3];
        q[a] += d[a];
        for (int c = 0; c < 3; c++) {
            if (c == a)
                continue;
            project(b, q, c, r);
            box_add_ep(P, b, r, q, c);
        }
    }
    return 0;
}

/* Tries to place unit u in b by `rule`.  Returns 1 placed, 0 not, < 0 error. */
static int box_place(pk *P, cbox *b, int u, int rule)
{
    const cu *c = &P->u[u];
    const int64_t *L = P->tdim[b->type];
    if (b->weight + c->weight > P->tmaxw[b->type] || b->vol + c->vol > P->tvol[b->type])
        return 0;
    for (int a = 0; a < 3; a++)
        if (c->sorted[a] > P->tsorted[b->type][a])
            return 0;
    int be = -1, bo = -1;
    int64_t bm[3] = {0, 0, 0};
    P->work += b->nep;
    for (int e = 0; e < b->nep; e++) {
        const int64_t *p = b->ep[e].p;
        if (e > 0 && !memcmp(p, b->ep[e - 1].p, sizeof(b->ep[e].p)))
            continue;
        for (int oi = 0; oi < c->nori; oi++) {
            int o = rule == RULE_UPRIGHT ? c->nori - 1 - oi : oi;
            const int64_t *d = c->ori[o];
            if (p[0] + d[0] > L[0] || p[1] + d[1] > L[1] || p[2] + d[2] > L[2])
                continue;
            if (rule == RULE_LOWEST) {
                int64_t m[3] = {p[0] + d[0], p[1] + d[1], p[2] + d[2]};
                if (be >= 0 && !pt_less(m, bm))
                    continue;
                if (box_overlaps(P, b, p, d))
                    continue;
                be = e, bo = o;
                memcpy(bm, m, sizeof(bm));
                continue;
            }
            if (box_overlaps(P, b, p, d))
                continue;
            be = e, bo = o;
            goto found;
        }
    }
    if (be < 0)
        return 0;
found:;
    int64_t p[3];
    memcpy(p, b->ep[be].p, sizeof(p));
    int rc = box_put(P, b, u, p, c->ori[bo]);
    return rc < 0 ? rc : 1;
}

/* Fills b (a fresh box of `type`) with all k units of list in that order.
 * Returns 1 when all fit, 0 when one does not, < 0 error. */
static int box_fill_all(pk *P, cbox *b, int type, const int *list, int k, int rule)
{
    int rc = box_start(P, b, type);
    if (rc < 0)
        return rc;
    for (int i = 0; i < k; i++)
        if ((rc = box_place(P, b, list[i], rule)) <= 0)
            return rc;
    return 1;
}

/* Deep search: every unit order, candidate point and orientation, depth
 * first, up to DEEP_NODES placements per pass, for sets of at most
 * DEEP_UNITS units that the ordered fills did not fit.  Pass 1 uses the
 * extreme points; pass 2 every "normal" position, whose x is 0 or the far
 * x face of a unit already placed (likewise y and z) - a superset of the
 * extreme points that also reaches packings where a unit rests against
 * faces no projection leads to. */
#define DEEP_UNITS 6
#define DEEP_NODES 20000
#define DEEP_POINTS ((DEEP_UNITS + 1) * (DEEP_UNITS + 1) * (DEEP_UNITS + 1))

typedef struct deep {
    pk *P;
    const int *list;
    int k, grid;
    long nodes;
    int64_t pt[DEEP_UNITS][DEEP_POINTS][3];
} deep;

static int same_unit(const cu *a, const cu *b)
{
    return a->weight == b->weight && !memcmp(a->ori[0], b->ori[0], sizeof(a->ori[0]));
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Candidate points of box b into pt, in (z, y, x) order; returns how many. */
static int deep_points(const deep *D, const cbox *b, int64_t (*pt)[3])
{
    int n = 0;
    if (!D->grid) {
        for (int e = 0; e < b->nep; e++)
            if (e == 0 || memcmp(b->ep[e].p, b->ep[e - 1].p, sizeof(b->ep[e].p)))
                memcpy(pt[n++], b->ep[e].p, sizeof(pt[0]));
        return n;
    }
    const int64_t *L = D->P->tdim[b->type];
    int64_t v[3][DEEP_UNITS + 1];
    int nv[3];
    for (int a = 0; a < 3; a++) {
        v[a][0] = 0;
        nv[a] = 1;
        for (int i = 0; i < b->n; i++) {
            int64_t f = b->pos[i][a] + b->ext[i][a];
            int dup = 0;
            for (int j = 0; j < nv[a] && !dup; j++)
                dup = v[a][j] == f;
            if (!dup && f < L[a])
                v[a][nv[a]++] = f;
        }
        qsort(v[a], (size_t)nv[a], sizeof(v[a][0]), cmp_i64);
    }
    for (int z = 0; z < nv[2]; z++)
        for (int y = 0; y < nv[1]; y++)
            for (int x = 0; x < nv[0]; x++) {
                int64_t q[3] = {v[0][x], v[1][y], v[2][z]};
                int inside = 0;
                for (int i = 0; i < b->n && !inside; i++)
                    inside = b->pos[i][0] <= q[0] && q[0] < b->pos[i][0] + b->ext[i][0] &&
                             b->pos[i][1] <= q[1] && q[1] < b->pos[i][1] + b->ext[i][1] &&
                             b->pos[i][2] <= q[2] && q[2] < b->pos[i][2] + b->ext[i][2];
                if (!inside)
                    memcpy(pt[n++], q, sizeof(q));
            }
    return n;
}

/* Returns 1 (P->deep[k] holds the box), 0 (not found, out of nodes or past
 * the work budget), < 0. */
static int deep_dfs(deep *D, int depth, unsigned used)
{
    pk *P = D->P;
    if (depth == D->k)
        return 1;
    cbox *b = &P->deep[depth];
    const int64_t *L = P->tdim[b->type];
    int64_t(*pt)[3] = D->pt[depth];
    int npt = deep_points(D, b, pt);
    P->work += (long)npt * (b->n + 1);
    for (int i = 0; i < D->k; i++) {
        if (used & (1u << i))
            continue;
        const cu *c = &P->u[D->list[i]];
        int dup = 0; /* an identical unit was tried at this depth */
        for (int j = 0; j < i && !dup; j++)
            dup = !(used & (1u << j)) && same_unit(&P->u[D->list[j]], c);
        if (dup)
            continue;
        for (int e = 0; e < npt; e++) {
            const int64_t *p = pt[e];
            for (int o = 0; o < c->nori; o++) {
                const int64_t *d = c->ori[o];
                if (p[0] + d[0] > L[0] || p[1] + d[1] > L[1] || p[2] + d[2] > L[2] ||
                    box_overlaps(P, b, p, d))
                    continue;
                if (++D->nodes > DEEP_NODES || P->work > P->budget) {
                    D->nodes = DEEP_NODES + 1; /* out of nodes or work: unwind */
                    return 0;
                }
                P->work += 8L * (b->n + b->nep) + 16; /* copy, points, projections */
                int64_t q[3];
                memcpy(q, p, sizeof(q));
                int rc = box_copy(P, &P->deep[depth + 1], b);
                if (rc < 0 || (rc = box_put(P, &P->deep[depth + 1], D->list[i], q, d)) < 0)
                    return rc;
                if ((rc = deep_dfs(D, depth + 1, used | (1u << i))) != 0 || D->nodes > DEEP_NODES)
                    return rc;
            }
        }
    }
    return 0;
}

static int deep_search(pk *P, int type, const int *list, int k, cbox *out)
{
    if (P->deep == NULL && (P->deep = calloc(DEEP_UNITS + 1, sizeof(*P->deep))) == NULL)
        return WMS_ENOMEM;
    deep *D = malloc(sizeof(*D));
    if (D == NULL)
        return WMS_ENOMEM;
    int ord[DEEP_UNITS]; /* largest first: big units decide feasibility */
    for (int i = 0; i < k; i++) {
        int at = i;
        while (at > 0 && P->u[ord[at - 1]].vol < P->u[list[i]].vol) {
            ord[at] = ord[at - 1];
            at--;
        }
        ord[at] = list[i];
    }
    D->P = P;
    D->list = ord;
    D->k = k;
    int rc = 0;
    for (D->grid = 0; D->grid < 2 && rc == 0; D->grid++) {
        D->nodes = 0;
        if ((rc = box_start(P, &P->deep[0], type)) < 0)
            break;
        rc = deep_dfs(D, 0, 0);
    }
    free(D);
    if (rc <= 0)
        return rc;
    return box_copy(P, out, &P->deep[k]) < 0 ? WMS_ENOMEM : 1;
}

/* ---------------------------------------------------------------------- */
/* Unit orders                                                            */
/* ---------------------------------------------------------------------- */

/* Stable merge sort of list[0..k) by P->u[].key[key] descending. */
static void sort_units(const pk *P, int *list, int *tmp, int k, int key)
{
    for (int w = 1; w < k; w *= 2) {
        for (int lo = 0; lo < k; lo += 2 * w) {
            int mid = lo + w < k ? lo + w : k, hi = lo + 2 * w < k ? lo + 2 * w : k;
            int i = lo, j = mid, o = lo;
            while (i < mid && j < hi) {
                const int64_t *a = P->u[list[i]].key[key], *b = P->u[list[j]].key[key];
                int take_b = b[0] > a[0] || (b[0] == a[0] && b[1] > a[1]);
                tmp[o++] = take_b ? list[j++] : list[i++];
            }
            while (i < mid)
                tmp[o++] = list[i++];
            while (j < hi)
                tmp[o++] = list[j++];
        }
        memcpy(list, tmp, (size_t)k * sizeof(*list));
    }
}

/* Packs the k units of `list` into one fresh box of `type`, trying the
 * given order, then every key order, under each placement rule (full >= 1;
 * full 0: first fit, given and volume order only); full 2 adds the deep
 * search for small sets.  Past the work budget only the given order.
 * Returns 1 (out holds the box), 0 (no order worked) or < 0. */
static int pack_one(pk *P, int type, const int *list, int k, int *ord, int *tmp, cbox *out,
                    int full)
{
    int64_t w = 0, v = 0;
    for (int i = 0; i < k; i++)
        w += P->u[list[i]].weight, v += P->u[list[i]].vol;
    if (w > P->tmaxw[type] || v > P->tvol[type])
        return 0;
    for (int i = 0; i < k; i++)
        for (int a = 0; a < 3; a++)
            if (P->u[list[i]].sorted[a] > P->tsorted[type][a])
                return 0;
    int nrules = full ? NRULES : 1;
    for (int r = 0; r < nrules; r++) {
        for (int key = -1; key < NKEYS; key++) {
            if ((r > 0 || key >= 0) && P->work > P->budget)
                return 0;
            memcpy(ord, list, (size_t)k * sizeof(*ord));
            if (key >= 0)
                sort_units(P, ord, tmp, k, key);
            int rc = box_fill_all(P, out, type, ord, k, r);
            if (rc != 0)
                return rc;
            if (!full && key >= KEY_VOLUME)
                break;
        }
    }
    if (full >= 2 && k <= DEEP_UNITS && P->work <= P->budget)
        return deep_search(P, type, list, k, out);
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Solutions                                                              */
/* ---------------------------------------------------------------------- */

static void sol_free(csol *s)
{
    for (int i = 0; i < s->cap; i++)
        box_free(&s->b[i]);
    free(s->b);
    memset(s, 0, sizeof(*s));
}

/* A new empty box at the end of s (buffers of a dropped box are reused). */
static cbox *sol_add(pk *P, csol *s)
{
    if (s->n >= s->cap) {
        int cap = s->cap ? s->cap * 2 : 4;
        if (cap > P->nu + 1)
            cap = P->nu + 1;
        if (cap <= s->n)
            return NULL;
        cbox *b = realloc(s->b, (size_t)cap * sizeof(*b));
        if (b == NULL)
            return NULL;
        memset(b + s->cap, 0, (size_t)(cap - s->cap) * sizeof(*b));
        s->b = b;
        s->cap = cap;
    }
    return &s->b[s->n++];
}

/* Removes box i (its buffers kept for reuse at the end). */
static void sol_remove(csol *s, int i)
{
    cbox t = s->b[i];
    memmove(s->b + i, s->b + i + 1, (size_t)(s->n - i - 1) * sizeof(*s->b));
    s->b[s->n - 1] = t;
    s->n--;
}

static int64_t sol_volume(const pk *P, const csol *s)
{
    int64_t v = 0;
    for (int i = 0; i < s->n; i++)
        v += P->tvol[s->b[i].type];
    return v;
}

/* 1 when a is better than b (fewer boxes, then less volume). */
static int sol_better(const pk *P, const csol *a, const csol *b)
{
    if (a->n != b->n)
        return a->n < b->n;
    return sol_volume(P, a) < sol_volume(P, b);
}

static int sol_copy(pk *P, csol *dst, const csol *src)
{
    dst->n = 0;
    for (int i = 0; i < src->n; i++) {
        cbox *b = sol_add(P, dst);
        if (b == NULL)
            return WMS_ENOMEM;
        int rc = box_copy(P, b, &src->b[i]);
        if (rc < 0)
            return rc;
    }
    memcpy(dst->how, src->how, sizeof(dst->how));
    return 0;
}

/* The largest-volume type that takes unit u alone, or -1. */
static int type_for_unit(const pk *P, int u)
{
    const cu *c = &P->u[u];
    for (int i = P->nt - 1; i >= 0; i--) {
        int t = P->tord[i];
        if (c->weight > P->tmaxw[t])
            continue;
        if (c->sorted[0] <= P->tsorted[t][0] && c->sorted[1] <= P->tsorted[t][1] &&
            c->sorted[2] <= P->tsorted[t][2])
            return t;
    }
    return -1;
}

/* FFD: first open box that takes the unit, else a new box of the largest
 * type that takes it. */
static int strat_ffd(pk *P, const int *order, int k, int rule, csol *s)
{
    for (int i = 0; i < k; i++) {
        int u = order[i], rc = 0;
        for (int j = 0; j < s->n; j++)
            if ((rc = box_place(P, &s->b[j], u, rule)) != 0)
                break;
        if (rc < 0)
            return rc;
        if (rc > 0)
            continue;
        int t = type_for_unit(P, u);
        cbox *b = sol_add(P, s);
        if (t < 0 || b == NULL)
            return WMS_ENOMEM;
        if ((rc = box_start(P, b, t)) < 0)
            return rc;
        if ((rc = box_place(P, b, u, rule)) <= 0)
            return rc < 0 ? rc : WMS_ENOMEM; /* an empty box of a fitting type always takes it */
    }
    return 0;
}

/* Box by box: fills one trial box of each type greedily from the remaining
 * units and keeps the best trial: the smallest type that takes them all,
 * else the best fill ratio (see carton.h). */
static int strat_boxwise(pk *P, const int *order, int k, int rule, csol *s, int *rest, cbox *trial,
                         cbox *keep)
{
    int nrest = k;
    memcpy(rest, order, (size_t)k * sizeof(*rest));
    while (nrest > 0) {
        int have = 0, all = 0;
        int64_t best_v = 0;
        for (int ti = 0; ti < P->nt && !all; ti++) {
            int t = P->tord[ti], rc = box_start(P, trial, t), placed = 0;
            if (rc < 0)
                return rc;
            for (int i = 0; i < nrest; i++) {
                if ((rc = box_place(P, trial, rest[i], rule)) < 0)
                    return rc;
                placed += rc;
            }
            if (placed == 0)
                continue;
            all = placed == nrest;
            int better;
            if (!have || all)
                better = 1;
            else /* trial->vol / tvol[t] > best_v / tvol[keep->type] */
                better = (__int128)trial->vol * P->tvol[keep->type] > (__int128)best_v * P->tvol[t];
            if (better) {
                cbox tmp = *keep;
                *keep = *trial;
                *trial = tmp;
                best_v = keep->vol;
                have = 1;
            }
        }
        if (!have)
            return WMS_ENOMEM; /* cannot happen: each unit fits some type */
        cbox *b = sol_add(P, s);
        if (b == NULL)
            return WMS_ENOMEM;
        int rc = box_copy(P, b, keep);
        if (rc < 0)
            return rc;
        /* Drop the packed units from rest. */
        int w = 0;
        for (int i = 0; i < nrest; i++) {
            int in = 0;
            for (int j = 0; j < keep->n && !in; j++)
                in = keep->mem[j] == rest[i];
            if (!in)
                rest[w++] = rest[i];
        }
        nrest = w;
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Improvement                                                            */
/* ---------------------------------------------------------------------- */

typedef struct scratch {
    int *list, *ord, *tmp, *rest, *tmp2, *wo;
    cbox a, b, c;
    csol sol;
} scratch;

/* Shrinks box i to the smallest type its content can be repacked into. */
static int improve_shrink(pk *P, csol *s, int i, scratch *w, int full)
{
    cbox *b = &s->b[i];
    for (int ti = 0; ti < P->nt; ti++) {
        int t = P->tord[ti];
        if (P->tvol[t] >= P->tvol[b->type])
            break;
        int rc = pack_one(P, t, b->mem, b->n, w->ord, w->tmp, &w->a, full);
        if (rc < 0)
            return rc;
        if (rc > 0) {
            cbox tmp = *b;
            *b = w->a;
            w->a = tmp;
            return 1;
        }
    }
    return 0;
}

/* Merges two boxes into one when some type takes both contents. */
static int improve_merge(pk *P, csol *s, scratch *w, int full)
{
    for (int i = 0; i < s->n; i++) {
        for (int j = i + 1; j < s->n; j++) {
            if (P->work > P->budget)
                return 0;
            const cbox *bi = &s->b[i], *bj = &s->b[j];
            int k = 0;
            for (int m = 0; m < bi->n; m++)
                w->list[k++] = bi->mem[m];
            for (int m = 0; m < bj->n; m++)
                w->list[k++] = bj->mem[m];
            for (int ti = 0; ti < P->nt; ti++) {
                int t = P->tord[ti];
                int rc = pack_one(P, t, w->list, k, w->ord, w->tmp, &w->a, full);
                if (rc < 0)
                    return rc;
                if (rc > 0) {
                    cbox tmp = s->b[i];
                    s->b[i] = w->a;
                    w->a = tmp;
                    sol_remove(s, j);
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* Packs list into two fresh boxes of types ta and tb, first fit over
 * (a, b) in several orders.  Returns 1 when all fit. */
static int pack_two(pk *P, int ta, int tb, const int *list, int k, scratch *w, int full)
{
    int nrules = full ? NRULES : 1;
    for (int r = 0; r < nrules; r++) {
        for (int key = -1; key < NKEYS; key++) {
            memcpy(w->ord, list, (size_t)k * sizeof(*w->ord));
            if (key >= 0)
                sort_units(P, w->ord, w->tmp, k, key);
            int rc;
            if ((rc = box_start(P, &w->b, ta)) < 0 || (rc = box_start(P, &w->c, tb)) < 0)
                return rc;
            int ok = 1;
            for (int i = 0; i < k && ok; i++) {
                rc = box_place(P, &w->b, w->ord[i], r);
                if (rc == 0)
                    rc = box_place(P, &w->c, w->ord[i], r);
                if (rc < 0)
                    return rc;
                ok = rc > 0;
            }
            if (ok)
                return 1;
        }
    }
    return 0;
}

#define PAIR_TRIES 12 /* type pairs tried per pair of boxes */

/* Repacks two boxes into two of smaller total volume when possible: type
 * pairs below the current volume, smallest total first (at most
 * PAIR_TRIES that pass the weight and volume checks). */
static int improve_pairs(pk *P, csol *s, scratch *w, int full)
{
    for (int i = 0; i < s->n; i++) {
        for (int j = i + 1; j < s->n; j++) {
            const cbox *bi = &s->b[i], *bj = &s->b[j];
            int64_t cur = P->tvol[bi->type] + P->tvol[bj->type];
            int64_t need = bi->vol + bj->vol, wt = bi->weight + bj->weight;
            int k = 0;
            for (int m = 0; m < bi->n; m++)
                w->list[k++] = bi->mem[m];
            for (int m = 0; m < bj->n; m++)
                w->list[k++] = bj->mem[m];
            /* The PAIR_TRIES smallest pairs (a <= b in tord) with need <= v < cur. */
            int pa[PAIR_TRIES], pb[PAIR_TRIES], np = 0;
            int64_t pv[PAIR_TRIES];
            for (int x = 0; x < P->nt; x++) {
                for (int y = x; y < P->nt; y++) {
                    int a = P->tord[x], b = P->tord[y];
                    int64_t v = P->tvol[a] + P->tvol[b];
                    if (v >= cur || v < need || P->tmaxw[a] + P->tmaxw[b] < wt)
                        continue;
                    if (np == PAIR_TRIES && v >= pv[np - 1])
                        continue;
                    int at = np < PAIR_TRIES ? np++ : np - 1;
                    while (at > 0 && pv[at - 1] > v) {
                        pa[at] = pa[at - 1], pb[at] = pb[at - 1], pv[at] = pv[at - 1];
                        at--;
                    }
                    pa[at] = a, pb[at] = b, pv[at] = v;
                }
            }
            for (int q = 0; q < np; q++) {
                if (P->work > P->budget)
                    return 0;
                int rc = pack_two(P, pa[q], pb[q], w->list, k, w, full);
                if (rc == 0 && pa[q] != pb[q])
                    rc = pack_two(P, pb[q], pa[q], w->list, k, w, full);
                if (rc < 0)
                    return rc;
                if (rc > 0) {
                    cbox tmp = s->b[i];
                    s->b[i] = w->b;
                    w->b = tmp;
                    tmp = s->b[j];
                    s->b[j] = w->c;
                    w->c = tmp;
                    if (s->b[j].n == 0) /* all went into the first box */
                        sol_remove(s, j);
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* Tries to empty box e: each of its units, largest first, goes into
 * another box as it stands, or else into another box repacked (any type,
 * smallest first).  Works on a copy (w->sol); returns 1 when box e could be
 * removed (s then holds the new solution), 0 when not. */
static int improve_empty_one(pk *P, csol *s, int e, scratch *w, int full)
{
    csol *t = &w->sol;
    int rc = sol_copy(P, t, s);
    if (rc < 0)
        return rc;
    cbox *be = &t->b[e];
    int k = be->n;
    memcpy(w->rest, be->mem, (size_t)k * sizeof(int));
    sort_units(P, w->rest, w->tmp, k, KEY_VOLUME);
    for (int i = 0; i < k; i++) {
        int u = w->rest[i], placed = 0;
        for (int j = 0; j < t->n && !placed; j++)
            if (j != e && (rc = box_place(P, &t->b[j], u, RULE_FIRST)) != 0) {
                if (rc < 0)
                    return rc;
                placed = 1;
            }
        for (int j = 0; j < t->n && !placed; j++) {
            if (j == e)
                continue;
            if (P->work > P->budget)
                return 0;
            cbox *bj = &t->b[j];
            memcpy(w->list, bj->mem, (size_t)bj->n * sizeof(int));
            w->list[bj->n] = u;
            for (int ti = 0; ti < P->nt && !placed; ti++) {
                if ((rc = pack_one(P, P->tord[ti], w->list, bj->n + 1, w->ord, w->tmp, &w->a,
                                   full)) < 0)
                    return rc;
                if (rc > 0) {
                    cbox tmp = *bj;
                    *bj = w->a;
                    w->a = tmp;
                    placed = 1;
                }
            }
        }
        if (!placed)
            return 0;
    }
    sol_remove(t, e);
    csol x = *s;
    *s = *t;
    *t = x;
    return 1;
}

/* Empties one box if possible (boxes with the least content first). */
static int improve_empty(pk *P, csol *s, scratch *w, int full)
{
    if (s->n < 2)
        return 0;
    int *idx = w->tmp2;
    for (int i = 0; i < s->n; i++) {
        int at = i;
        while (at > 0 && s->b[idx[at - 1]].vol > s->b[i].vol) {
            idx[at] = idx[at - 1];
            at--;
        }
        idx[at] = i;
    }
    for (int q = 0; q < s->n; q++) {
        if (P->work > P->budget)
            return 0;
        int rc = improve_empty_one(P, s, idx[q], w, full);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Local improvement of s (see carton.h, step 4): merges, then pair
 * repacks, again while something changes; then every box is shrunk. */
static int improve(pk *P, csol *s, scratch *w, int quick)
{
    int rc, full = !quick;
    for (int i = 0; i < s->n && !quick; i++)
        if ((rc = improve_shrink(P, s, i, w, full)) < 0)
            return rc;
    for (int round = 0; !quick && round < P->nu && P->work <= P->budget; round++) {
        int changed = 0;
        while ((rc = improve_merge(P, s, w, full)) > 0)
            changed = 1;
        if (rc < 0)
            return rc;
        while ((rc = improve_empty(P, s, w, full)) > 0)
            changed = 1;
        if (rc < 0)
            return rc;
        if ((rc = improve_pairs(P, s, w, full)) < 0)
            return rc;
        if (rc == 0 && !changed)
            break;
    }
    for (int i = 0; i < s->n; i++)
        if ((rc = improve_shrink(P, s, i, w, full)) < 0)
            return rc;
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Subset search (small orders)                                           */
/* ---------------------------------------------------------------------- */

/* For k <= WMS_CARTON_SUBSET_UNITS units: for every subset of them and
 * every type, whether one box of the type takes the subset (by pack_one;
 * tried only when every subset one unit smaller fits that type: a set can
 * only fit where its subsets do), then the best partition into boxes of the
 * smallest fitting types by dynamic programming over subsets.  Returns 1
 * (s holds the boxes of the best partition), 0 (none found) or < 0. */
static int subset_search(pk *P, const int *units, int k, scratch *w, csol *s)
{
    int n = 1 << k, rc = 0;
    int *bt = malloc((size_t)n * sizeof(int));  /* best type of the subset, -1 none */
    int *cnt = malloc((size_t)n * sizeof(int)); /* DP: boxes of the best partition */
    int64_t *vol = malloc((size_t)n * sizeof(int64_t));
    int *pick = malloc((size_t)n * sizeof(int)); /* DP: the block with the lowest unit */
    unsigned char *fit = calloc((size_t)n * (size_t)P->nt, 1); /* fit[m * nt + t] */
    if (!bt || !cnt || !vol || !pick || !fit) {
        rc = WMS_ENOMEM;
        goto done;
    }
    bt[0] = -1;
    for (int m = 1; m < n; m++) {
        bt[m] = -1;
        int k2 = 0;
        for (int i = 0; i < k; i++)
            if (m & (1 << i))
                w->list[k2++] = units[i];
        for (int ti = 0; ti < P->nt; ti++) {
            int t = P->tord[ti], ok = 1;
            for (int i = 0; i < k && ok; i++) {
                int sub = m & ~(1 << i);
                if (sub != m && sub != 0)
                    ok = fit[(size_t)sub * (size_t)P->nt + (size_t)t];
            }
            if (!ok)
                continue;
            if ((rc = pack_one(P, t, w->list, k2, w->ord, w->tmp, &w->a, 2)) < 0)
                goto done;
            if (rc > 0) {
                fit[(size_t)m * (size_t)P->nt + (size_t)t] = 1;
                if (bt[m] < 0)
                    bt[m] = t;
            }
        }
    }
    /* best partition of m: the block with m's lowest unit, plus the rest */
    cnt[0] = 0, vol[0] = 0;
    for (int m = 1; m < n; m++) {
        cnt[m] = -1;
        int low = m & -m, rest = m & ~low;
        for (int sub = rest;; sub = (sub - 1) & rest) {
            int blk = sub | low, other = m & ~blk;
            if (bt[blk] >= 0 && cnt[other] >= 0) {
                int c = cnt[other] + 1;
                int64_t x = vol[other] + P->tvol[bt[blk]];
                if (cnt[m] < 0 || c < cnt[m] || (c == cnt[m] && x < vol[m]))
                    cnt[m] = c, vol[m] = x, pick[m] = blk;
            }
            if (sub == 0)
                break;
        }
    }
    /* Rebuild the chosen boxes: pack_one is deterministic, and without the
     * budget it repeats every attempt it made when the block first fitted. */
    s->n = 0;
    long budget = P->budget;
    P->budget = LONG_MAX;
    for (int m = n - 1; m != 0 && cnt[n - 1] > 0; m &= ~pick[m]) {
        int blk = pick[m], k2 = 0;
        for (int i = 0; i < k; i++)
            if (blk & (1 << i))
                w->list[k2++] = units[i];
        cbox *b = sol_add(P, s);
        if (b == NULL) {
            rc = WMS_ENOMEM;
            break;
        }
        if ((rc = pack_one(P, bt[blk], w->list, k2, w->ord, w->tmp, b, 2)) <= 0) {
            rc = rc < 0 ? rc : WMS_ENOMEM; /* cannot happen: it fitted before */
            break;
        }
    }
    P->budget = budget;
    if (rc >= 0)
        rc = s->n > 0;
done:
    free(bt);
    free(cnt);
    free(vol);
    free(pick);
    free(fit);
    return rc;
}

/* ---------------------------------------------------------------------- */
/* Units without dimensions                                               */
/* ---------------------------------------------------------------------- */

/* Adds the weight-only units (heaviest first) to s: into the first box with
 * weight to spare, else a new box.  Members without dimensions are appended
 * with no position. */
static int add_weight_only(pk *P, csol *s, int *list, int k, int *tmp)
{
    sort_units(P, list, tmp, k, KEY_VOLUME); /* key[KEY_VOLUME] = (0, weight) for these */
    int first_new = s->n;
    for (int i = 0; i < k; i++) {
        int u = list[i], rc;
        const cu *c = &P->u[u];
        cbox *b = NULL;
        for (int j = 0; j < s->n && b == NULL; j++)
            if (s->b[j].weight + c->weight <= P->tmaxw[s->b[j].type])
                b = &s->b[j];
        if (b == NULL) {
            int t = -1;
            for (int ti = 0; ti < P->nt; ti++) /* heaviest limit, then smallest */
                if (t < 0 || P->tmaxw[P->tord[ti]] > P->tmaxw[t])
                    t = P->tord[ti];
            if ((b = sol_add(P, s)) == NULL)
                return WMS_ENOMEM;
            if ((rc = box_start(P, b, t)) < 0)
                return rc;
        }
        if ((rc = box_grow(P, b)) < 0)
            return rc;
        int m = b->n++;
        b->mem[m] = u;
        memset(b->pos[m], 0, sizeof(b->pos[m]));
        memset(b->ext[m], 0, sizeof(b->ext[m]));
        b->weight += c->weight;
    }
    /* Shrink the new boxes (weight only) to the smallest type that takes them. */
    for (int j = first_new; j < s->n; j++) {
        cbox *b = &s->b[j];
        for (int ti = 0; ti < P->nt; ti++)
            if (P->tmaxw[P->tord[ti]] >= b->weight) {
                b->type = P->tord[ti];
                break;
            }
    }
    return 0;
}

/* ---------------------------------------------------------------------- */
/* Input and result                                                       */
/* ---------------------------------------------------------------------- */

void wms_carton_result_free(wms_carton_result *r)
{
    if (r == NULL)
        return;
    free(r->types);
    free(r->items);
    free(r->box);
    free(r->place);
    memset(r, 0, sizeof(*r));
}

int64_t wms_box_type_volume(const wms_box_type *t)
{
    return t->length_mm * t->width_mm * t->height_mm;
}

static void sort3(int64_t d[3])
{
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2 - i; j++)
            if (d[j] > d[j + 1]) {
                int64_t t = d[j];
                d[j] = d[j + 1];
                d[j + 1] = t;
            }
}

static int check_input(const wms_box_type *types, int ntypes, const wms_carton_item *items,
                       int nitems, long *units, wms_error *err)
{
    if (ntypes <= 0)
        return wms_error_set(err, WMS_ENOT_FOUND, "no box types: import boxes first");
    if (ntypes > WMS_CARTON_TYPES_MAX)
        return wms_error_set(err, WMS_ETOO_LARGE, "%d box types: at most %d", ntypes,
                             WMS_CARTON_TYPES_MAX);
    for (int i = 0; i < ntypes; i++) {
        const wms_box_type *t = &types[i];
        if (t->length_mm < 1 || t->length_mm > WMS_BOX_SIDE_MAX_MM || t->width_mm < 1 ||
            t->width_mm > WMS_BOX_SIDE_MAX_MM || t->height_mm < 1 ||
            t->height_mm > WMS_BOX_SIDE_MAX_MM)
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "box %s: inner size %lld x %lld x %lld mm: each side must be 1 to "
                                 "%d mm",
                                 t->code, (long long)t->length_mm, (long long)t->width_mm,
                                 (long long)t->height_mm, WMS_BOX_SIDE_MAX_MM);
        if (t->max_weight_g < 1 || t->max_weight_g > WMS_BOX_WEIGHT_MAX_G)
            return wms_error_set(err, WMS_EBAD_ARGS,
                                 "box %s: weight limit %lld g must be 1 to %d g", t->code,
                                 (long long)t->max_weight_g, WMS_BOX_WEIGHT_MAX_G);
        if (t->tare_g < 0 || t->tare_g > WMS_BOX_WEIGHT_MAX_G)
            return wms_error_set(err, WMS_EBAD_ARGS, "box %s: tare %lld g must be 0 to %d g",
                                 t->code, (long long)t->tare_g, WMS_BOX_WEIGHT_MAX_G);
    }
    if (nitems < 0 || (nitems > 0 && items == NULL))
        return wms_error_set(err, WMS_EBAD_ARGS, "bad item list");
    long n = 0;
    for (int i = 0; i < nitems; i++) {
        const wms_carton_item *it = &items[i];
        if (it->length_mm < 0 || it->width_mm < 0 || it->height_mm < 0 || it->weight_g < 0 ||
            it->qty < 0)
            return wms_error_set(err, WMS_EBAD_ARGS, "item %s: negative size, weight or quantity",
                                 it->sku);
        if (it->qty > WMS_CARTON_UNITS_MAX || (n += (long)it->qty) > WMS_CARTON_UNITS_MAX)
            return wms_error_set(err, WMS_ETOO_LARGE, "more than %d units to cartonize",
                                 WMS_CARTON_UNITS_MAX);
    }
    if (n == 0)
        return wms_error_set(err, WMS_EBAD_QTY, "nothing to cartonize: no units");
    /* Every item must fit some box type alone: by size (in some
     * orientation), by weight, and both in the same type. */
    int64_t maxw = 0;
    int big = 0;
    for (int t = 0; t < ntypes; t++) {
        if (types[t].max_weight_g > maxw)
            maxw = types[t].max_weight_g;
        if (wms_box_type_volume(&types[t]) > wms_box_type_volume(&types[big]))
            big = t;
    }
    for (int i = 0; i < nitems; i++) {
        const wms_carton_item *it = &items[i];
        if (it->qty == 0)
            continue;
        int geo = it->length_mm > 0 && it->width_mm > 0 && it->height_mm > 0;
        int64_t d[3] = {it->length_mm, it->width_mm, it->height_mm}, both_w = -1;
        sort3(d);
        int by_size = !geo;
        for (int t = 0; t < ntypes; t++) {
            int64_t b[3] = {types[t].length_mm, types[t].width_mm, types[t].height_mm};
            sort3(b);
            if (geo && (d[0] > b[0] || d[1] > b[1] || d[2] > b[2]))
                continue;
            by_size = 1;
            if (types[t].max_weight_g > both_w)
                both_w = types[t].max_weight_g; /* the most a box it fits takes */
        }
        if (!by_size)
            return wms_error_set(err, WMS_EITEM_TOO_LARGE,
                                 "item %s (%lld x %lld x %lld mm, %lld g) fits in no box type in "
                                 "any orientation (largest box %s: %lld x %lld x %lld mm, up to "
                                 "%lld g)",
                                 it->sku, (long long)it->length_mm, (long long)it->width_mm,
                                 (long long)it->height_mm, (long long)it->weight_g, types[big].code,
                                 (long long)types[big].length_mm, (long long)types[big].width_mm,
                                 (long long)types[big].height_mm,
                                 (long long)types[big].max_weight_g);
        if (it->weight_g > maxw)
            return wms_error_set(err, WMS_EITEM_TOO_LARGE,
                                 "item %s weighs %lld g: no box type takes more than %lld g",
                                 it->sku, (long long)it->weight_g, (long long)maxw);
        if (it->weight_g > both_w)
            return wms_error_set(err, WMS_EITEM_TOO_LARGE,
                                 "item %s (%lld x %lld x %lld mm) weighs %lld g: the box types "
                                 "large enough for it take at most %lld g",
                                 it->sku, (long long)it->length_mm, (long long)it->width_mm,
                                 (long long)it->height_mm, (long long)it->weight_g,
                                 (long long)both_w);
    }
    *units = n;
    return 0;
}

/* Orientations of d, flattest first, then longest side along x. */
static int orientations(const int64_t d[3], int64_t ori[6][3])
{
    static const int perm[6][3] = {{0, 1, 2}, {1, 0, 2}, {0, 2, 1},
                                   {2, 0, 1}, {1, 2, 0}, {2, 1, 0}};
    int n = 0;
    for (int p = 0; p < 6; p++) {
        int64_t e[3] = {d[perm[p][0]], d[perm[p][1]], d[perm[p][2]]};
        int dup = 0;
        for (int i = 0; i < n && !dup; i++)
            dup = !memcmp(ori[i], e, sizeof(e));
        if (dup)
            continue;
        int at = n;
        while (at > 0 &&
               (ori[at - 1][2] > e[2] || (ori[at - 1][2] == e[2] && ori[at - 1][0] < e[0])))
            at--;
        memmove(ori + at + 1, ori + at, (size_t)(n - at) * sizeof(*ori));
        memcpy(ori[at], e, sizeof(e));
        n++;
    }
    return n;
}

static int pk_init(pk *P, const wms_box_type *types, int ntypes, const wms_carton_item *items,
                   int nitems, long nu)
{
    memset(P, 0, sizeof(*P));
    P->nt = ntypes;
    P->nu = (int)nu;
    P->budget = getenv("CB") ? atol(getenv("CB")) : WMS_CARTON_WORK_BUDGET;
    P->tdim = calloc((size_t)ntypes, sizeof(*P->tdim));
    P->tsorted = calloc((size_t)ntypes, sizeof(*P->tsorted));
    P->tvol = calloc((size_t)ntypes, sizeof(*P->tvol));
    P->tmaxw = calloc((size_t)ntypes, sizeof(*P->tmaxw));
    P->tord = calloc((size_t)ntypes, sizeof(*P->tord));
    P->u = calloc((size_t)nu, sizeof(*P->u));
    if (!P->tdim || !P->tsorted || !P->tvol || !P->tmaxw || !P->tord || !P->u)
        return WMS_ENOMEM;
    for (int t = 0; t < ntypes; t++) {
        P->tdim[t][0] = types[t].length_mm;
        P->tdim[t][1] = types[t].width_mm;
        P->tdim[t][2] = types[t].height_mm;
        memcpy(P->tsorted[t], P->tdim[t], sizeof(P->tsorted[t]));
        sort3(P->tsorted[t]);
        P->tvol[t] = wms_box_type_volume(&types[t]);
        P->tmaxw[t] = types[t].max_weight_g;
        int at = t;
        while (at > 0 && P->tvol[P->tord[at - 1]] > P->tvol[t]) {
            P->tord[at] = P->tord[at - 1];
            at--;
        }
        P->tord[at] = t;
    }
    int k = 0;
    for (int i = 0; i < nitems; i++) {
        const wms_carton_item *it = &items[i];
        int geo = it->length_mm > 0 && it->width_mm > 0 && it->height_mm > 0;
        for (int64_t q = 0; q < it->qty; q++, k++) {
            cu *c = &P->u[k];
            c->item = i;
            c->geo = geo;
            c->weight = it->weight_g;
            if (!geo) {
                c->key[KEY_VOLUME][1] = it->weight_g;
                continue;
            }
            int64_t d[3] = {it->length_mm, it->width_mm, it->height_mm};
            c->vol = d[0] * d[1] * d[2]; /* each side fits a box: <= 10^12 */
            c->nori = orientations(d, c->ori);
            memcpy(c->sorted, d, sizeof(d));
            sort3(c->sorted);
            const int64_t *s = c->sorted;
            c->key[KEY_VOLUME][0] = c->vol, c->key[KEY_VOLUME][1] = s[2];
            c->key[KEY_LONGEST][0] = s[2], c->key[KEY_LONGEST][1] = c->vol;
            c->key[KEY_AREA][0] = s[2] * s[1], c->key[KEY_AREA][1] = c->vol;
            c->key[KEY_SHORTEST][0] = s[0], c->key[KEY_SHORTEST][1] = c->vol;
            c->key[KEY_WEIGHT][0] = c->weight, c->key[KEY_WEIGHT][1] = c->vol;
        }
    }
    return 0;
}

static void pk_free(pk *P)
{
    if (P->deep != NULL)
        for (int i = 0; i <= DEEP_UNITS; i++)
            box_free(&P->deep[i]);
    free(P->deep);
    free(P->tdim);
    free(P->tsorted);
    free(P->tvol);
    free(P->tmaxw);
    free(P->tord);
    free(P->u);
}

/* Builds the result from solution s. */
static int make_result(const pk *P, const csol *s, const wms_box_type *types,
                       const wms_carton_item *items, int nitems, wms_carton_result *out)
{
    out->ntypes = P->nt;
    out->nitems = nitems;
    out->nbox = s->n;
    out->nplace = P->nu;
    out->types = malloc((size_t)P->nt * sizeof(*out->types));
    out->items = malloc((size_t)(nitems > 0 ? nitems : 1) * sizeof(*out->items));
    out->box = calloc((size_t)(s->n > 0 ? s->n : 1), sizeof(*out->box));
    out->place = calloc((size_t)P->nu, sizeof(*out->place));
    if (!out->types || !out->items || !out->box || !out->place)
        return WMS_ENOMEM;
    memcpy(out->types, types, (size_t)P->nt * sizeof(*out->types));
    if (nitems > 0)
        memcpy(out->items, items, (size_t)nitems * sizeof(*out->items));
    int k = 0;
    for (int i = 0; i < s->n; i++) {
        const cbox *b = &s->b[i];
        wms_carton_box *ob = &out->box[i];
        ob->type = b->type;
        ob->units = b->n;
        ob->first_place = k;
        ob->content_weight_g = b->weight;
        ob->content_volume_mm3 = b->vol;
        out->box_volume_mm3 += P->tvol[b->type];
        for (int m = 0; m < b->n; m++, k++) {
            const cu *c = &P->u[b->mem[m]];
            wms_carton_place *pl = &out->place[k];
            pl->item = c->item;
            pl->box = i;
            pl->placed = c->geo;
            pl->x_mm = b->pos[m][0], pl->y_mm = b->pos[m][1], pl->z_mm = b->pos[m][2];
            pl->dx_mm = b->ext[m][0], pl->dy_mm = b->ext[m][1], pl->dz_mm = b->ext[m][2];
            out->units_volume_mm3 += c->vol;
            out->units_weight_g += c->weight;
            out->units_no_dims += !c->geo;
            out->units_no_weight += c->weight == 0;
        }
    }
    snprintf(out->strategy, sizeof(out->strategy), "%s", s->how);
    return 0;
}

#define TOP_KEEP 3 /* constructions improved further */

/* The measured units in `key` order (in w->list). */
static const int *sorted_geo(pk *P, scratch *w, const int *geo, int ngeo, int key)
{
    memcpy(w->list, geo, (size_t)ngeo * sizeof(int));
    sort_units(P, w->list, w->tmp, ngeo, key);
    return w->list;
}

/* Keeps a copy of c among the TOP_KEEP best (fewest boxes, least volume)
 * solutions of different value, best first. */
static int keep_top(pk *P, const csol *c, csol *top, int *ntop)
{
    int64_t v = sol_volume(P, c);
    for (int i = 0; i < *ntop; i++)
        if (top[i].n == c->n && sol_volume(P, &top[i]) == v)
            return 0;
    int at;
    if (*ntop < TOP_KEEP)
        at = (*ntop)++;
    else if (sol_better(P, c, &top[TOP_KEEP - 1]))
        at = TOP_KEEP - 1;
    else
        return 0;
    int rc = sol_copy(P, &top[at], c);
    if (rc < 0)
        return rc;
    for (; at > 0 && sol_better(P, &top[at], &top[at - 1]); at--) {
        csol t = top[at];
        top[at] = top[at - 1];
        top[at - 1] = t;
    }
    return 0;
}

/* Completes candidate c with the units without dimensions and makes it the
 * best when it is better. */
static int offer(pk *P, csol *c, csol *best, int *have, const int *nodim, int nnodim, scratch *w)
{
    int rc;
    memcpy(w->wo, nodim, (size_t)nnodim * sizeof(int));
    if (nnodim > 0 && (rc = add_weight_only(P, c, w->wo, nnodim, w->tmp)) < 0)
        return rc;
    if (!*have || sol_better(P, c, best)) {
        if ((rc = sol_copy(P, best, c)) < 0)
            return rc;
        *have = 1;
    }
    return 0;
}

int wms_carton_pack(const wms_box_type *types, int ntypes, const wms_carton_item *items, int nitems,
                    int flags, wms_carton_result *out, wms_error *err)
{
    if (out == NULL || (ntypes > 0 && types == NULL))
        return wms_error_set(err, WMS_EBAD_ARGS, "cartonize: NULL argument");
    memset(out, 0, sizeof(*out));
    long nu = 0;
    int rc = check_input(types, ntypes, items, nitems, &nu, err);
    if (rc < 0)
        return rc;
    pk P;
    csol best, cand, top[TOP_KEEP];
    int ntop = 0;
    scratch w;
    memset(top, 0, sizeof(top));
    memset(&best, 0, sizeof(best));
    memset(&cand, 0, sizeof(cand));
    memset(&w, 0, sizeof(w));
    int *geo = NULL, *nodim = NULL;
    int ngeo = 0, nnodim = 0, have = 0, quick = (flags & WMS_CARTON_QUICK) != 0;
    if ((rc = pk_init(&P, types, ntypes, items, nitems, nu)) < 0)
        goto cleanup;
    rc = WMS_ENOMEM;
    w.list = malloc((size_t)nu * sizeof(int));
    w.ord = malloc((size_t)nu * sizeof(int));
    w.tmp = malloc((size_t)nu * sizeof(int));
    w.rest = malloc((size_t)nu * sizeof(int));
    w.tmp2 = malloc((size_t)(nu + 1) * sizeof(int));
    w.wo = malloc((size_t)nu * sizeof(int));
    geo = malloc((size_t)nu * sizeof(int));
    nodim = malloc((size_t)nu * sizeof(int));
    if (!w.list || !w.ord || !w.tmp || !w.rest || !w.tmp2 || !w.wo || !geo || !nodim)
        goto cleanup;
    for (int i = 0; i < P.nu; i++) {
        if (P.u[i].geo)
            geo[ngeo++] = i;
        else
            nodim[nnodim++] = i;
    }
    /* 1. The quick candidate: FFD, volume order, first fit, shrink only. */
    if ((rc = strat_ffd(&P, sorted_geo(&P, &w, geo, ngeo, KEY_VOLUME), ngeo, RULE_FIRST, &cand)) <
            0 ||
        (rc = improve(&P, &cand, &w, 1)) < 0)
        goto cleanup;
    snprintf(cand.how, sizeof(cand.how), "ffd/volume/first-fit/quick");
    if ((rc = offer(&P, &cand, &best, &have, nodim, nnodim, &w)) < 0)
        goto cleanup;
    out->candidates++;
    /* 2. Constructions: every strategy x order (first fit), shrunk; the
     * TOP_KEEP best distinct ones go on. */
    for (int c = 0; c < NSTRATS * NKEYS && !quick && P.work <= P.budget; c++) {
        int st = c / NKEYS, key = c % NKEYS;
        const int *ord = sorted_geo(&P, &w, geo, ngeo, key);
        cand.n = 0;
        if (st == STRAT_FFD)
            rc = strat_ffd(&P, ord, ngeo, RULE_FIRST, &cand);
        else
            rc = strat_boxwise(&P, ord, ngeo, RULE_FIRST, &cand, w.rest, &w.b, &w.c);
        if (rc < 0 || (rc = improve(&P, &cand, &w, 1)) < 0)
            goto cleanup;
        snprintf(cand.how, sizeof(cand.how), "%s/%s", strat_name[st], key_name[key]);
        out->candidates++;
        if ((rc = keep_top(&P, &cand, top, &ntop)) < 0)
            goto cleanup;
    }
    /* 3. Local improvement of the kept ones (while the budget lasts). */
    for (int i = 0; i < ntop; i++) {
        if (P.work <= P.budget) {
            size_t len = strlen(top[i].how);
            snprintf(top[i].how + len, sizeof(top[i].how) - len, "+improved");
            if ((rc = improve(&P, &top[i], &w, 0)) < 0)
                goto cleanup;
        }
        if ((rc = offer(&P, &top[i], &best, &have, nodim, nnodim, &w)) < 0)
            goto cleanup;
    }
    /* 4. Small orders: the subset search (with a budget of its own). */
    if (!quick && ngeo <= WMS_CARTON_SUBSET_UNITS && !(flags & WMS_CARTON_NO_SUBSETS)) {
        cand.n = 0;
        P.budget = P.work + WMS_CARTON_WORK_BUDGET;
        if ((rc = subset_search(&P, geo, ngeo, &w, &cand)) < 0)
            goto cleanup;
        snprintf(cand.how, sizeof(cand.how), "subsets");
        out->candidates++;
        if (rc > 0 && (rc = offer(&P, &cand, &best, &have, nodim, nnodim, &w)) < 0)
            goto cleanup;
    }
    int cands = out->candidates;
    rc = make_result(&P, &best, types, items, nitems, out);
    out->candidates = cands;
    out->work = P.work;
cleanup:
    if (rc < 0) {
        wms_carton_result_free(out);
        if (rc == WMS_ENOMEM)
            wms_error_set(err, rc, "cartonize: out of memory");
    }
    sol_free(&best);
    sol_free(&cand);
    for (int i = 0; i < TOP_KEEP; i++)
        sol_free(&top[i]);
    box_free(&w.a);
    box_free(&w.b);
    box_free(&w.c);
    free(w.list);
    free(w.ord);
    free(w.tmp);
    free(w.rest);
    free(w.tmp2);
    free(w.wo);
    sol_free(&w.sol);
    free(geo);
    free(nodim);
    pk_free(&P);
    return rc < 0 ? rc : 0;
}
