/* metrics.c - the recorder of wms-sim: bounded tables, histograms and time
 * series fed by the simulator (see metrics.h for the contract). */
#include "metrics_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIM__MAX_T 1.0e12 /* simulated seconds; later times are clamped */

/* ---- allocation, counted in m->bytes ---- */

void *metrics__calloc(sim_metrics *m, size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p)
        m->bytes += n * size;
    return p;
}

/* Grows *pp (an array of *alloc elements of `size` bytes) to hold `need`
 * elements, doubling up to `cap`.  0, or -1 when at the cap or out of memory
 * (*pp unchanged). */
int metrics__grow(sim_metrics *m, void **pp, int *alloc, int need, int cap, size_t size)
{
    if (need <= *alloc)
        return 0;
    if (need > cap)
        return -1;
    int n = *alloc ? *alloc : 16;
    while (n < need)
        n *= 2;
    if (n > cap)
        n = cap;
    void *p = realloc(*pp, (size_t)n * size);
    if (!p)
        return -1;
    memset((char *)p + (size_t)*alloc * size, 0, (size_t)(n - *alloc) * size);
    m->bytes += (size_t)(n - *alloc) * size;
    *pp = p;
    *alloc = n;
    return 0;
}

/* ---- strings ---- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if s starts an
 * invalid or truncated one. */
static int metrics__utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    int n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

/* Copies src into dst (cap bytes including the NUL), cutting only between
 * characters: invalid UTF-8 bytes become '?', control characters a space
 * (newline and tab kept when keep_nl).  NULL src gives "".  Returns the
 * length. */
size_t metrics__clean(char *dst, size_t cap, const char *src, int keep_nl)
{
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)(src ? src : "");
    while (*s) {
        int n = metrics__utf8_len(s);
        if (n == 0) {
            if (o + 1 >= cap)
                break;
            dst[o++] = '?';
            s++;
            continue;
        }
        if (o + (size_t)n >= cap)
            break;
        if (n == 1 && (*s < 0x20 || *s == 0x7f))
            dst[o++] = (keep_nl && (*s == '\n' || *s == '\t')) ? (char)*s : ' ';
        else
            memcpy(dst + o, s, (size_t)n), o += (size_t)n;
        s += n;
    }
    dst[o] = 0;
    return o;
}

uint32_t metrics__hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int metrics__plain_hash(const char *s, size_t max, uint32_t *h)
{
    if (!s || !*s)
        return -1;
    uint32_t x = 2166136261u;
    size_t n = 0;
    for (; *s; s++, n++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c > 0x7e || n == max)
            return -1;
        x = (x ^ c) * 16777619u;
    }
    *h = x;
    return 0;
}

double metrics__finite(double v)
{
    return isfinite(v) ? v : 0.0;
}

double metrics__ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

void metrics__hms(double s, char *buf, size_t n)
{
    if (!(s >= 0) || s > 1e9)
        s = 0;
    long long t = llround(s);
    snprintf(buf, n, "%lld:%02lld:%02lld", t / 3600, t / 60 % 60, t % 60);
}

/* ---- named tables ---- */

static int table__init(sim_metrics *m, sim__table *t, int cap, int with_lat)
{
    t->v = metrics__calloc(m, (size_t)cap + 1, sizeof(*t->v));
    if (!t->v)
        return -1;
    t->cap = cap;
    t->with_lat = with_lat;
    snprintf(t->v[cap].name, sizeof(t->v[cap].name), "%s", SIM__OTHER);
    return 0;
}

static void table__free(sim__table *t)
{
    if (!t->v)
        return;
    for (int i = 0; i <= t->cap; i++)
        sim_hdr_free(&t->v[i].lat);
    free(t->v);
}

static int table__find(const sim__table *t, const char *name, uint32_t h)
{
    for (int i = 0; i < t->n; i++)
        if (t->v[i].hash == h && strcmp(t->v[i].name, name) == 0)
            return i;
    return -1;
}

/* The entry for raw name `raw` (cleaned; "" and NULL are "(none)"),
 * added when new; past the cap the "(other)" entry.  A method whose
 * histogram could not be allocated keeps lat.b NULL (no latencies). */
static sim__named *table__get(sim_metrics *m, sim__table *t, const char *raw)
{
    uint32_t h;
    int i;
    if (metrics__plain_hash(raw, SIM_MAX_NAME, &h) == 0 && (i = table__find(t, raw, h)) >= 0)
        return &t->v[i]; /* the common case: a known name that needs no cleaning */
    char name[SIM_MAX_NAME + 1];
    if (metrics__clean(name, sizeof(name), raw, 0) == 0)
        snprintf(name, sizeof(name), "(none)");
    h = metrics__hash(name);
    i = table__find(t, name, h);
    if (i >= 0)
        return &t->v[i];
    sim__named *e;
    if (t->n < t->cap) {
        e = &t->v[t->n++];
        memcpy(e->name, name, sizeof(name));
        e->hash = h;
    } else {
        e = &t->v[t->cap];
        t->other_used = 1;
    }
    if (t->with_lat && !e->lat.b && sim_hdr_init(&e->lat) == 0)
        m->bytes += sim_hdr_bytes();
    return e;
}

int metrics__sorted(const sim__table *t, int *idx)
{
    int n = 0;
    for (int i = 0; i < t->n; i++) {
        int j = n++;
        while (j > 0) {
            const sim__named *a = &t->v[idx[j - 1]], *b = &t->v[i];
            if (a->count > b->count || (a->count == b->count && strcmp(a->name, b->name) <= 0))
                break;
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
    }
    if (t->other_used)
        idx[n++] = t->cap;
    return n;
}

/* ---- life cycle ---- */

sim_metrics *sim_metrics_new(void)
{
    sim_metrics *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->bytes = sizeof(*m);
    m->ts_width = 1.0;
    m->open_last = -1;
    for (int i = 0; i < 2 * SIM_MAX_PICKERS; i++)
        m->pk_slot[i] = -1;
    if (table__init(m, &m->methods, SIM_MAX_METHODS, 1) ||
        table__init(m, &m->codes, SIM_MAX_CODES, 0) ||
        table__init(m, &m->faults, SIM_MAX_FAULTS, 0) || sim_hdr_init(&m->all))
        goto fail;
    m->bytes += sim_hdr_bytes();
    m->ts = metrics__calloc(m, SIM_TS_CAP, sizeof(*m->ts));
    if (!m->ts)
        goto fail;
    for (int i = 0; i < SIM_TS_CAP; i++)
        m->ts[i].open = -1;
    return m;
fail:
    sim_metrics_free(m);
    return NULL;
}

void sim_metrics_free(sim_metrics *m)
{
    if (!m)
        return;
    table__free(&m->methods);
    table__free(&m->codes);
    table__free(&m->faults);
    sim_hdr_free(&m->all);
    free(m->ts);
    free(m->aisles);
    free(m->bins);
    free(m->bin_slot);
    for (int i = 0; i < m->n_chunks; i++)
        free(m->chunks[i]);
    free(m->pk);
    for (int i = 0; i < m->n_routes; i++) {
        free(m->routes[i].x);
        free(m->routes[i].y);
    }
    free(m);
}

size_t sim_metrics_memory(const sim_metrics *m)
{
    return m ? m->bytes : 0;
}

/* ---- run description ---- */

void sim_metrics_info(sim_metrics *m, const char *key, const char *value)
{
    if (!m || !key)
        return;
    char k[SIM_MAX_NAME + 1];
    if (metrics__clean(k, sizeof(k), key, 0) == 0)
        return;
    int i;
    for (i = 0; i < m->n_info; i++)
        if (strcmp(m->info[i].key, k) == 0)
            break;
    if (i == m->n_info) {
        if (m->n_info == SIM_MAX_INFO)
            return;
        m->n_info++;
        memcpy(m->info[i].key, k, sizeof(k));
    }
    metrics__clean(m->info[i].value, sizeof(m->info[i].value), value, 0);
}

const char *metrics__info(const sim_metrics *m, const char *key)
{
    for (int i = 0; i < m->n_info; i++)
        if (strcmp(m->info[i].key, key) == 0)
            return m->info[i].value;
    return NULL;
}

double metrics__nonneg(double v)
{
    return isfinite(v) && v > 0 ? v : 0.0;
}

void sim_metrics_run(sim_metrics *m, int pickers, int receivers, int serial_pickers,
                     double sim_seconds, double real_seconds, double speed)
{
    if (!m)
        return;
    m->run_set = 1;
    m->pickers = pickers > 0 ? pickers : 0;
    m->receivers = receivers > 0 ? receivers : 0;
    m->serial_pickers = serial_pickers > 0 ? serial_pickers : 0;
    m->sim_seconds = metrics__nonneg(sim_seconds);
    m->real_seconds = metrics__nonneg(real_seconds);
    m->speed = metrics__nonneg(speed);
}

/* ---- time series ---- */

/* Merges bucket pairs: half as many buckets, twice as wide. */
static void ts__halve(sim_metrics *m)
{
    int n = (m->ts_n + 1) / 2;
    for (int i = 0; i < n; i++) {
        sim__tsb *d = &m->ts[i], *a = &m->ts[2 * i],
                 *b = 2 * i + 1 < m->ts_n ? &m->ts[2 * i + 1] : NULL;
        if (d != a)
            *d = *a;
        if (!b)
            continue;
        d->calls += b->calls;
        d->errors += b->errors;
        d->picks += b->picks;
        d->shorts += b->shorts;
        d->units += b->units;
        d->received += b->received;
        if (b->open >= 0)
            d->open = b->open;
        for (int j = 0; j < SIM_TS_LAT_N; j++) {
            uint32_t s = d->lat[j] + b->lat[j];
            d->lat[j] = s < d->lat[j] ? UINT32_MAX : s;
        }
    }
    for (int i = n; i < m->ts_n; i++) {
        memset(&m->ts[i], 0, sizeof(m->ts[i]));
        m->ts[i].open = -1;
    }
    m->ts_n = n;
    m->ts_width *= 2;
}

/* The bucket of simulated time t (NULL for NaN or infinity); negative
 * times count at 0, times past SIM__MAX_T at SIM__MAX_T. */
static sim__tsb *ts__at(sim_metrics *m, double t)
{
    if (!isfinite(t))
        return NULL;
    if (t < 0)
        t = 0;
    if (t > SIM__MAX_T)
        t = SIM__MAX_T;
    if (t > m->t_last)
        m->t_last = t;
    double k = floor(t / m->ts_width);
    while (k >= SIM_TS_CAP) {
        ts__halve(m);
        k = floor(t / m->ts_width);
    }
    int i = (int)k;
    if (i >= m->ts_n)
        m->ts_n = i + 1;
    return &m->ts[i];
}

/* ---- events ---- */

void sim_metrics_call(sim_metrics *m, double t_s, const char *method, double latency_ms,
                      const char *error_code)
{
    if (!m)
        return;
    m->calls++;
    sim__named *e = table__get(m, &m->methods, method);
    e->count++;
    sim__tsb *b = ts__at(m, t_s);
    if (b)
        b->calls++;
    if (error_code) {
        m->errors++;
        e->errors++;
        table__get(m, &m->codes, error_code)->count++;
        if (b)
            b->errors++;
    }
    if (!isfinite(latency_ms)) {
        m->lat_missing++;
        return;
    }
    double ns = latency_ms > 0 ? latency_ms * 1e6 + 0.5 : 0;
    uint64_t v = ns >= (double)SIM_HDR_MAX_VALUE ? SIM_HDR_MAX_VALUE : (uint64_t)ns;
    sim_hdr_add(&m->all, v);
    if (e->lat.b)
        sim_hdr_add(&e->lat, v);
    m->recent[m->n_recent++ % SIM_RECENT] = (float)metrics__ms(v);
    if (b) {
        uint32_t *c = &b->lat[sim_hdr_index(v, SIM_HDR_COARSE_BITS)];
        if (*c != UINT32_MAX)
            (*c)++;
    }
}

void sim_metrics_pick(sim_metrics *m, double t_s, int picker, const char *bin, long long units)
{
    if (!m)
        return;
    long long u = units > 0 ? units : 0;
    m->picks++;
    m->units += u;
    sim__tsb *b = ts__at(m, t_s);
    if (b)
        b->picks++, b->units += u;
    sim__bin *n = metrics__bin(m, bin);
    if (n)
        n->picks++, n->units += (uint64_t)u;
    else
        m->unplaced_picks++;
    sim__picker *k = metrics__picker(m, picker);
    if (k)
        k->picks++, k->units += (uint64_t)u;
}

void sim_metrics_short(sim_metrics *m, double t_s, int picker, const char *bin, long long missing)
{
    if (!m)
        return;
    m->shorts++;
    m->missing += missing > 0 ? missing : 0;
    sim__tsb *b = ts__at(m, t_s);
    if (b)
        b->shorts++;
    sim__bin *n = metrics__bin(m, bin);
    if (n)
        n->shorts++;
    sim__picker *k = metrics__picker(m, picker);
    if (k)
        k->shorts++;
}

void sim_metrics_fault(sim_metrics *m, const char *kind)
{
    if (m)
        table__get(m, &m->faults, kind)->count++;
}

void sim_metrics_receipt(sim_metrics *m, double t_s, long long units)
{
    if (!m)
        return;
    long long u = units > 0 ? units : 0;
    m->receipts++;
    m->received += u;
    sim__tsb *b = ts__at(m, t_s);
    if (b)
        b->received += u;
}

void sim_metrics_open_tasks(sim_metrics *m, double t_s, long long open)
{
    if (!m)
        return;
    long long o = open > 0 ? open : 0;
    m->open_last = o;
    sim__tsb *b = ts__at(m, t_s);
    if (b)
        b->open = o;
}

void sim_metrics_ledger(sim_metrics *m, int ok, long long checked, long long lost,
                        long long doubled, const char *detail)
{
    if (!m)
        return;
    m->ledger_set = 1;
    m->ledger_ok = ok != 0;
    m->ledger_checked = checked;
    m->ledger_lost = lost;
    m->ledger_doubled = doubled;
    metrics__clean(m->ledger_detail, sizeof(m->ledger_detail), detail, 1);
}

/* ---- queries ---- */

double sim_metrics_latency_ms(const sim_metrics *m, const char *method, double q)
{
    if (!m)
        return 0;
    const sim_hdr *h = &m->all;
    if (method) {
        char name[SIM_MAX_NAME + 1];
        metrics__clean(name, sizeof(name), method, 0);
        int i = table__find(&m->methods, name, metrics__hash(name));
        if (i < 0)
            return 0;
        h = &m->methods.v[i].lat;
    }
    return h->b ? metrics__ms(sim_hdr_quantile(h, q)) : 0;
}

void metrics__derive(const sim_metrics *m, sim__derived *d)
{
    memset(d, 0, sizeof(*d));
    d->sim_s = m->sim_seconds > 0 ? m->sim_seconds : m->t_last;
    d->pickers = m->pickers > 0 ? m->pickers : m->n_pk;
    if (d->sim_s > 0) {
        d->picks_per_min = (double)m->picks * 60.0 / d->sim_s;
        d->calls_per_s = (double)m->calls / d->sim_s;
        if (d->pickers > 0)
            d->picks_per_picker_hour = (double)m->picks / (d->pickers * d->sim_s / 3600.0);
    }
    if (m->picks) {
        d->m_per_pick = m->dist / (double)m->picks;
        d->units_per_pick = (double)m->units / (double)m->picks;
    }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

int sim_metrics_progress(const sim_metrics *m, double t_s, char *buf, size_t n)
{
    if (!m || !buf || n == 0)
        return -1;
    char hms[32];
    metrics__hms(t_s, hms, sizeof(hms));
    /* picks per minute over the last simulated minute (whole buckets) */
    double rate = 0;
    if (isfinite(t_s) && t_s > 0 && m->ts_n > 0) {
        double w = m->ts_width, lo = t_s > 60 ? t_s - 60 : 0;
        int i0 = (int)floor(lo / w), i1 = (int)floor(t_s / w);
        if (i1 >= m->ts_n)
            i1 = m->ts_n - 1;
        uint64_t picks = 0;
        for (int i = i0; i <= i1; i++)
            picks += m->ts[i].picks;
        double span = t_s - i0 * w;
        if (span > 0)
            rate = (double)picks * 60.0 / span;
    }
    /* latency of the latest calls */
    float s[SIM_RECENT];
    int k = m->n_recent < SIM_RECENT ? (int)m->n_recent : SIM_RECENT;
    memcpy(s, m->recent, (size_t)k * sizeof(float));
    qsort(s, (size_t)k, sizeof(float), cmp_float);
    double p50 = k ? s[(k - 1) / 2] : 0, p99 = k ? s[(int)ceil(0.99 * k) - 1] : 0;
    char open[32] = "-";
    if (m->open_last >= 0)
        snprintf(open, sizeof(open), "%lld", m->open_last);
    return snprintf(buf, n,
                    "[%s] picks %llu (%.1f/min)  open tasks %s  calls %llu  errors %llu  "
                    "latency p50 %.2f ms p99 %.2f ms",
                    hms, (unsigned long long)m->picks, rate, open, (unsigned long long)m->calls,
                    (unsigned long long)m->errors, p50, p99);
}
