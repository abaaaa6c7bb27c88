/* metrics_layout.c - the recorder's layout, bins, pickers and routes (see
 * metrics.h): bounded hash tables of bins and pickers, and the route points
 * of the first few pickers to walk. */
#include "metrics_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sim_metrics_layout_aisle(sim_metrics *m, const char *id, double x_m, double length_m)
{
    if (!m || !isfinite(x_m) || !isfinite(length_m) || length_m < 0)
        return;
    char name[SIM_MAX_NAME + 1];
    metrics__clean(name, sizeof(name), id, 0);
    int i;
    for (i = 0; i < m->n_aisles; i++)
        if (strcmp(m->aisles[i].id, name) == 0)
            break;
    if (i == m->n_aisles) {
        if (m->n_aisles == SIM_MAX_AISLES)
            return;
        if (!m->aisles) {
            m->aisles = metrics__calloc(m, SIM_MAX_AISLES, sizeof(*m->aisles));
            if (!m->aisles)
                return;
        }
        m->n_aisles++;
        memcpy(m->aisles[i].id, name, sizeof(name));
    }
    m->aisles[i].x = x_m;
    m->aisles[i].length = length_m;
}

void sim_metrics_layout_cross(sim_metrics *m, double y_m)
{
    if (!m || !isfinite(y_m) || m->n_cross == SIM_MAX_CROSS)
        return;
    for (int i = 0; i < m->n_cross; i++)
        if (m->cross[i] == y_m)
            return;
    m->cross[m->n_cross++] = y_m;
}

void sim_metrics_layout_depot(sim_metrics *m, double x_m, double y_m)
{
    if (!m || !isfinite(x_m) || !isfinite(y_m))
        return;
    m->depot_x = x_m;
    m->depot_y = y_m;
    m->has_depot = 1;
}

/* ---- bins ---- */

static const char *metrics__strdup(sim_metrics *m, const char *s, size_t len)
{
    if (m->n_chunks == 0 || m->chunk_used + len + 1 > SIM__CHUNK) {
        if (m->n_chunks == SIM__MAX_CHUNKS)
            return NULL;
        char *c = metrics__calloc(m, 1, SIM__CHUNK);
        if (!c)
            return NULL;
        m->chunks[m->n_chunks++] = c;
        m->chunk_used = 0;
    }
    char *p = m->chunks[m->n_chunks - 1] + m->chunk_used;
    memcpy(p, s, len + 1);
    m->chunk_used += len + 1;
    return p;
}

static int metrics__rehash_bins(sim_metrics *m, int slots)
{
    int32_t *t = malloc((size_t)slots * sizeof(*t));
    if (!t)
        return -1;
    for (int i = 0; i < slots; i++)
        t[i] = -1;
    for (int i = 0; i < m->n_bins; i++) {
        uint32_t s = m->bins[i].hash & (uint32_t)(slots - 1);
        while (t[s] >= 0)
            s = (s + 1) & (uint32_t)(slots - 1);
        t[s] = i;
    }
    m->bytes += (size_t)(slots - m->bin_slots) * sizeof(*t);
    free(m->bin_slot);
    m->bin_slot = t;
    m->bin_slots = slots;
    return 0;
}

/* The bin with code `raw`, created (without a position) when new; NULL
 * when the code is empty or past SIM_MAX_BINS (or out of memory). */
static sim__bin *metrics__bin_find(sim_metrics *m, const char *code, uint32_t h)
{
    if (!m->bin_slots)
        return NULL;
    uint32_t s = h & (uint32_t)(m->bin_slots - 1);
    for (; m->bin_slot[s] >= 0; s = (s + 1) & (uint32_t)(m->bin_slots - 1)) {
        sim__bin *b = &m->bins[m->bin_slot[s]];
        if (b->hash == h && strcmp(b->code, code) == 0)
            return b;
    }
    return NULL;
}

sim__bin *metrics__bin(sim_metrics *m, const char *raw)
{
    uint32_t h;
    sim__bin *b;
    if (metrics__plain_hash(raw, SIM_MAX_BIN_CODE, &h) == 0 && (b = metrics__bin_find(m, raw, h)))
        return b; /* the common case: a known code that needs no cleaning */
    char code[SIM_MAX_BIN_CODE + 1];
    size_t len = metrics__clean(code, sizeof(code), raw, 0);
    if (len == 0)
        return NULL;
    h = metrics__hash(code);
    if ((b = metrics__bin_find(m, code, h)))
        return b;
    if (m->n_bins == SIM_MAX_BINS)
        return NULL;
    if (2 * (m->n_bins + 1) > m->bin_slots &&
        metrics__rehash_bins(m, m->bin_slots ? 2 * m->bin_slots : 1024))
        return NULL;
    void *p = m->bins;
    if (metrics__grow(m, &p, &m->bins_alloc, m->n_bins + 1, SIM_MAX_BINS, sizeof(*m->bins)))
        return NULL;
    m->bins = p;
    const char *copy = metrics__strdup(m, code, len);
    if (!copy)
        return NULL;
    b = &m->bins[m->n_bins];
    memset(b, 0, sizeof(*b));
    b->code = copy;
    b->hash = h;
    uint32_t s = h & (uint32_t)(m->bin_slots - 1);
    while (m->bin_slot[s] >= 0)
        s = (s + 1) & (uint32_t)(m->bin_slots - 1);
    m->bin_slot[s] = m->n_bins++;
    return b;
}

void sim_metrics_bin(sim_metrics *m, const char *code, double x_m, double y_m)
{
    if (!m || !isfinite(x_m) || !isfinite(y_m))
        return;
    sim__bin *b = metrics__bin(m, code);
    if (!b)
        return;
    b->x = x_m;
    b->y = y_m;
    b->has_pos = 1;
}

/* ---- pickers and routes ---- */

/* The counters of picker `id`, created when new; NULL past SIM_MAX_PICKERS. */
sim__picker *metrics__picker(sim_metrics *m, int id)
{
    uint32_t mask = 2 * SIM_MAX_PICKERS - 1;
    uint32_t s = ((uint32_t)id * 2654435761u) & mask;
    for (; m->pk_slot[s] >= 0; s = (s + 1) & mask)
        if (m->pk[m->pk_slot[s]].id == id)
            return &m->pk[m->pk_slot[s]];
    void *p = m->pk;
    if (metrics__grow(m, &p, &m->pk_alloc, m->n_pk + 1, SIM_MAX_PICKERS, sizeof(*m->pk)))
        return NULL;
    m->pk = p;
    sim__picker *k = &m->pk[m->n_pk];
    memset(k, 0, sizeof(*k));
    k->id = id;
    k->route = -1;
    m->pk_slot[s] = m->n_pk++;
    return k;
}

static void route__push(sim__route *r, double x, double y)
{
    r->x[r->n] = (float)x;
    r->y[r->n] = (float)y;
    r->n++;
}

void sim_metrics_walk(sim_metrics *m, int picker, double x_m, double y_m, double dist_m)
{
    if (!m)
        return;
    double d = metrics__nonneg(dist_m);
    m->walks++;
    m->dist += d;
    sim__picker *k = metrics__picker(m, picker);
    if (!k)
        return;
    k->dist += d;
    if (!isfinite(x_m) || !isfinite(y_m))
        return;
    if (k->route < 0 && m->n_routes < SIM_ROUTE_PICKERS) {
        sim__route *r = &m->routes[m->n_routes];
        r->x = metrics__calloc(m, SIM_ROUTE_POINTS, sizeof(float));
        r->y = metrics__calloc(m, SIM_ROUTE_POINTS, sizeof(float));
        if (r->x && r->y) {
            r->picker = picker;
            k->route = m->n_routes++;
        } else {
            free(r->x), free(r->y);
            r->x = r->y = NULL;
        }
    }
    if (k->route >= 0) {
        sim__route *r = &m->routes[k->route];
        if (!r->full) {
            int first = r->n == r->tour_start[r->tours];
            if (r->n + 2 > SIM_ROUTE_POINTS) {
                r->truncated = 1;
                r->full = 1;
            } else {
                if (first && k->has_pos)
                    route__push(r, k->x, k->y);
                else if (first && m->has_depot)
                    route__push(r, m->depot_x, m->depot_y);
                route__push(r, x_m, y_m);
                r->tour_dist[r->tours] += d;
            }
        }
    }
    k->x = x_m;
    k->y = y_m;
    k->has_pos = 1;
}

void sim_metrics_tour_end(sim_metrics *m, int picker)
{
    if (!m)
        return;
    m->tours++;
    sim__picker *k = metrics__picker(m, picker);
    if (!k)
        return;
    k->tours++;
    if (k->route < 0)
        return;
    sim__route *r = &m->routes[k->route];
    if (r->full || r->n == r->tour_start[r->tours])
        return;
    r->tours++;
    r->tour_start[r->tours] = r->n;
    if (r->tours == SIM_ROUTE_TOURS)
        r->full = 1;
}
