/* report.c - the end-of-run summary table, report.json, and writing the
 * report files (report.html itself is in report_html.c). */
#include "metrics_internal.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a small JSON writer: indented, strings escaped, numbers finite ---- */

typedef struct jw {
    FILE *f;
    int depth;
    int first; /* no member written yet at this depth */
} jw;

static void jw__str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", f);
            break;
        case '\\':
            fputs("\\\\", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f); /* stored strings are valid UTF-8 (metrics__clean) */
        }
    }
    fputc('"', f);
}

static void jw__sep(jw *w, const char *key)
{
    if (w->depth == 0)
        return;
    if (!w->first)
        fputc(',', w->f);
    w->first = 0;
    fprintf(w->f, "\n%*s", 2 * w->depth, "");
    if (key) {
        jw__str(w->f, key);
        fputs(": ", w->f);
    }
}

static void jw_begin(jw *w, const char *key, char c)
{
    jw__sep(w, key);
    fputc(c, w->f);
    w->depth++;
    w->first = 1;
}

static void jw_end(jw *w, char c)
{
    w->depth--;
    if (!w->first)
        fprintf(w->f, "\n%*s", 2 * w->depth, "");
    fputc(c, w->f);
    w->first = 0;
}

static void jw__num(FILE *f, double v)
{
    v = metrics__finite(v);
    if (v == floor(v) && fabs(v) < 1e15)
        fprintf(f, "%.0f", v);
    else
        fprintf(f, "%.10g", v);
}

static void jw_num(jw *w, const char *key, double v)
{
    jw__sep(w, key);
    jw__num(w->f, v);
}

static void jw_int(jw *w, const char *key, long long v)
{
    jw__sep(w, key);
    fprintf(w->f, "%lld", v);
}

static void jw_uint(jw *w, const char *key, uint64_t v)
{
    jw__sep(w, key);
    fprintf(w->f, "%llu", (unsigned long long)v);
}

static void jw_string(jw *w, const char *key, const char *s)
{
    jw__sep(w, key);
    jw__str(w->f, s);
}

static void jw_lit(jw *w, const char *key, const char *literal)
{
    jw__sep(w, key);
    fputs(literal, w->f);
}

static void report__latency(jw *w, const char *key, const sim_hdr *h, uint64_t calls,
                            uint64_t errors)
{
    jw_begin(w, key, '{');
    jw_uint(w, "calls", calls);
    jw_uint(w, "errors", errors);
    uint64_t n = h->b ? h->count : 0;
    jw_uint(w, "timed", n);
    jw_num(w, "mean", n ? h->sum / (double)n / 1e6 : 0);
    jw_num(w, "p50", n ? metrics__ms(sim_hdr_quantile(h, 0.50)) : 0);
    jw_num(w, "p90", n ? metrics__ms(sim_hdr_quantile(h, 0.90)) : 0);
    jw_num(w, "p99", n ? metrics__ms(sim_hdr_quantile(h, 0.99)) : 0);
    jw_num(w, "max", n ? metrics__ms(h->max) : 0);
    jw_end(w, '}');
}

static void report__counts(jw *w, const char *key, const sim__table *t)
{
    int idx[SIM_MAX_METHODS + SIM_MAX_CODES + SIM_MAX_FAULTS + 1];
    int n = metrics__sorted(t, idx);
    jw_begin(w, key, '{');
    for (int i = 0; i < n; i++)
        jw_uint(w, t->v[idx[i]].name, t->v[idx[i]].count);
    jw_end(w, '}');
}

static uint64_t report__total(const sim__table *t)
{
    uint64_t s = 0;
    for (int i = 0; i <= t->cap; i++)
        s += t->v[i].count;
    return s;
}

enum {
    TS_T,
    TS_CALLS,
    TS_ERRORS,
    TS_PICKS,
    TS_UNITS,
    TS_SHORTS,
    TS_RECEIVED,
    TS_OPEN,
    TS_P50,
    TS_P99,
    TS_N
};
static const char *const ts_names[TS_N] = {"t_s",    "calls",  "errors",         "picks",
                                           "units",  "shorts", "units_received", "open_tasks",
                                           "p50_ms", "p99_ms"};

/* value `what` of time-series bucket i; NAN when there is none (open tasks
 * not reported, latency of a bucket without calls) */
static double report__ts_value(const sim_metrics *m, int i, int what)
{
    const sim__tsb *b = &m->ts[i];
    switch (what) {
    case TS_T:
        return i * m->ts_width;
    case TS_CALLS:
        return (double)b->calls;
    case TS_ERRORS:
        return (double)b->errors;
    case TS_PICKS:
        return (double)b->picks;
    case TS_UNITS:
        return (double)b->units;
    case TS_SHORTS:
        return (double)b->shorts;
    case TS_RECEIVED:
        return (double)b->received;
    case TS_OPEN:
        return b->open >= 0 ? (double)b->open : NAN;
    default:
        if (!b->calls)
            return NAN;
        return metrics__ms(sim_hdr_quantile32(b->lat, SIM_TS_LAT_N, SIM_HDR_COARSE_BITS,
                                              what == TS_P50 ? 0.5 : 0.99));
    }
}

/* the time series as arrays of numbers, one line each (null for NAN) */
static void report__timeseries(jw *w, const sim_metrics *m)
{
    jw_begin(w, "timeseries", '{');
    jw_num(w, "bucket_s", m->ts_width);
    for (int k = 0; k < TS_N; k++) {
        jw__sep(w, ts_names[k]);
        fputc('[', w->f);
        for (int i = 0; i < m->ts_n; i++) {
            double v = report__ts_value(m, i, k);
            if (i)
                fputs(", ", w->f);
            if (isnan(v))
                fputs("null", w->f);
            else
                jw__num(w->f, v);
        }
        fputc(']', w->f);
    }
    jw_end(w, '}');
}

int sim_report_json(const sim_metrics *m, FILE *out)
{
    if (!m || !out)
        return -EINVAL;
    sim__derived d;
    metrics__derive(m, &d);
    jw w = {out, 0, 1};
    jw_begin(&w, NULL, '{');
    jw_string(&w, "format", "wms-sim-report/1");

    jw_begin(&w, "info", '{');
    for (int i = 0; i < m->n_info; i++)
        jw_string(&w, m->info[i].key, m->info[i].value);
    jw_end(&w, '}');

    jw_begin(&w, "run", '{');
    jw_int(&w, "pickers", d.pickers);
    jw_int(&w, "receivers", m->receivers);
    jw_int(&w, "serial_pickers", m->serial_pickers);
    jw_num(&w, "sim_seconds", d.sim_s);
    jw_num(&w, "real_seconds", m->real_seconds);
    jw_num(&w, "speed", m->speed);
    jw_end(&w, '}');

    jw_begin(&w, "throughput", '{');
    jw_uint(&w, "picks", m->picks);
    jw_int(&w, "units_picked", m->units);
    jw_num(&w, "units_per_pick", d.units_per_pick);
    jw_num(&w, "picks_per_min", d.picks_per_min);
    jw_num(&w, "picks_per_picker_hour", d.picks_per_picker_hour);
    jw_uint(&w, "tours", m->tours);
    jw_uint(&w, "receipts", m->receipts);
    jw_int(&w, "units_received", m->received);
    jw_uint(&w, "calls", m->calls);
    jw_num(&w, "calls_per_s", d.calls_per_s);
    if (m->open_last >= 0)
        jw_int(&w, "open_tasks_at_end", m->open_last);
    else
        jw_lit(&w, "open_tasks_at_end", "null");
    jw_end(&w, '}');

    jw_begin(&w, "travel", '{');
    jw_num(&w, "distance_m", m->dist);
    jw_num(&w, "per_pick_m", d.m_per_pick);
    jw_uint(&w, "walks", m->walks);
    jw_end(&w, '}');

    jw_begin(&w, "latency_ms", '{');
    report__latency(&w, "all", &m->all, m->calls, m->errors);
    int idx[SIM_MAX_METHODS + 1];
    int n = metrics__sorted(&m->methods, idx);
    jw_begin(&w, "by_method", '{');
    for (int i = 0; i < n; i++) {
        const sim__named *e = &m->methods.v[idx[i]];
        report__latency(&w, e->name, &e->lat, e->count, e->errors);
    }
    jw_end(&w, '}');
    jw_end(&w, '}');

    jw_begin(&w, "errors", '{');
    jw_uint(&w, "total", m->errors);
    report__counts(&w, "by_code", &m->codes);
    jw_end(&w, '}');

    jw_begin(&w, "shorts", '{');
    jw_uint(&w, "count", m->shorts);
    jw_int(&w, "missing_units", m->missing);
    jw_end(&w, '}');

    jw_begin(&w, "faults", '{');
    jw_uint(&w, "total", report__total(&m->faults));
    report__counts(&w, "by_kind", &m->faults);
    jw_end(&w, '}');

    jw_begin(&w, "ledger", '{');
    jw_lit(&w, "checked", m->ledger_set ? "true" : "false");
    jw_lit(&w, "ok", !m->ledger_set ? "null" : m->ledger_ok ? "true" : "false");
    jw_int(&w, "quants_checked", m->ledger_checked);
    jw_int(&w, "lost", m->ledger_lost);
    jw_int(&w, "doubled", m->ledger_doubled);
    jw_string(&w, "detail", m->ledger_detail);
    jw_end(&w, '}');

    report__timeseries(&w, m);

    jw_begin(&w, "caps", '{');
    jw_lit(&w, "methods_over_cap", m->methods.other_used ? "true" : "false");
    jw_lit(&w, "codes_over_cap", m->codes.other_used ? "true" : "false");
    jw_lit(&w, "faults_over_cap", m->faults.other_used ? "true" : "false");
    jw_uint(&w, "picks_in_bins_over_cap", m->unplaced_picks);
    jw_int(&w, "bins_tracked", m->n_bins);
    jw_int(&w, "pickers_tracked", m->n_pk);
    jw_uint(&w, "calls_without_latency", m->lat_missing);
    jw_uint(&w, "recorder_bytes", m->bytes);
    jw_end(&w, '}');

    jw_end(&w, '}');
    fputc('\n', out);
    return ferror(out) ? -EIO : 0;
}

/* ---- the end-of-run table ---- */

static void report__row(FILE *out, int width, const char *name, uint64_t calls, uint64_t errors,
                        const sim_hdr *h)
{
    int timed = h->b && h->count;
    fprintf(out, "  %-*s %9llu %7llu", width, name, (unsigned long long)calls,
            (unsigned long long)errors);
    if (!timed) {
        fprintf(out, " %9s %9s %9s %9s\n", "-", "-", "-", "-");
        return;
    }
    fprintf(out, " %9.2f %9.2f %9.2f %9.2f\n", metrics__ms(sim_hdr_quantile(h, 0.5)),
            metrics__ms(sim_hdr_quantile(h, 0.9)), metrics__ms(sim_hdr_quantile(h, 0.99)),
            metrics__ms(h->max));
}

static void report__list(FILE *out, const char *title, const sim__table *t)
{
    int idx[SIM_MAX_METHODS + SIM_MAX_CODES + SIM_MAX_FAULTS + 1];
    int n = metrics__sorted(t, idx);
    fprintf(out, "%s:%s\n", title, n ? "" : " none");
    for (int i = 0; i < n; i++)
        fprintf(out, "  %-28s %9llu\n", t->v[idx[i]].name, (unsigned long long)t->v[idx[i]].count);
}

void sim_report_summary(const sim_metrics *m, FILE *out)
{
    if (!m || !out)
        return;
    sim__derived d;
    metrics__derive(m, &d);
    char sim_t[32], real_t[32];
    metrics__hms(d.sim_s, sim_t, sizeof(sim_t));
    metrics__hms(m->real_seconds, real_t, sizeof(real_t));

    fprintf(out, "==== wms-sim summary ====\n");
    if (m->n_info) {
        fprintf(out, "run:       ");
        for (int i = 0; i < m->n_info; i++)
            fprintf(out, "%s%s=%s", i ? "  " : "", m->info[i].key, m->info[i].value);
        fputc('\n', out);
    }
    fprintf(out, "time:      %s simulated in %s real (speed %.1fx)\n", sim_t, real_t, m->speed);
    fprintf(out, "staff:     %d pickers (%d on serial), %d receivers\n", d.pickers,
            m->serial_pickers, m->receivers);
    fprintf(out, "picking:   %llu picks, %lld units; %.1f picks/min, %.1f picks per picker-hour\n",
            (unsigned long long)m->picks, m->units, d.picks_per_min, d.picks_per_picker_hour);
    fprintf(out, "travel:    %.1f km walked, %.1f m per pick, %llu tours\n", m->dist / 1000.0,
            d.m_per_pick, (unsigned long long)m->tours);
    fprintf(out, "shorts:    %llu (%lld units missing)\n", (unsigned long long)m->shorts,
            m->missing);
    fprintf(out, "receiving: %llu receipts, %lld units\n", (unsigned long long)m->receipts,
            m->received);
    if (m->open_last >= 0)
        fprintf(out, "open:      %lld tasks open at the end\n", m->open_last);
    fprintf(out, "calls:     %llu (%.1f/s), %llu errors (%.2f %%)\n", (unsigned long long)m->calls,
            d.calls_per_s, (unsigned long long)m->errors,
            m->calls ? 100.0 * (double)m->errors / (double)m->calls : 0.0);

    int idx[SIM_MAX_METHODS + 1];
    int n = metrics__sorted(&m->methods, idx), width = 14;
    for (int i = 0; i < n; i++) {
        int l = (int)strlen(m->methods.v[idx[i]].name);
        if (l > width)
            width = l > 40 ? 40 : l;
    }
    fprintf(out, "\nlatency (ms):\n  %-*s %9s %7s %9s %9s %9s %9s\n", width, "method", "calls",
            "errors", "p50", "p90", "p99", "max");
    for (int i = 0; i < n; i++) {
        const sim__named *e = &m->methods.v[idx[i]];
        report__row(out, width, e->name, e->count, e->errors, &e->lat);
    }
    report__row(out, width, "(all)", m->calls, m->errors, &m->all);

    fputc('\n', out);
    report__list(out, "errors by code", &m->codes);
    report__list(out, "faults injected", &m->faults);
    if (!m->ledger_set)
        fprintf(out, "ledger:    not checked\n");
    else
        fprintf(out, "ledger:    %s (%lld quants checked, %lld lost, %lld doubled)\n",
                m->ledger_ok ? "OK" : "MISMATCH", m->ledger_checked, m->ledger_lost,
                m->ledger_doubled);
    if (m->ledger_set && m->ledger_detail[0])
        fprintf(out, "%s\n", m->ledger_detail);
}

/* ---- files ---- */

int sim_report_html(const sim_metrics *m, FILE *out)
{
    if (!m || !out)
        return -EINVAL;
    int rc = report__html(m, out);
    if (rc == 0 && ferror(out))
        rc = -EIO;
    return rc;
}

/* Writes dir/name through a temporary file renamed into place, so a reader
 * never sees half a report.  0 or -errno. */
static int report__file(const sim_metrics *m, const char *dir, const char *name,
                        int (*fn)(const sim_metrics *, FILE *))
{
    char path[PATH_MAX], tmp[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
        snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >= (int)sizeof(tmp))
        return -ENAMETOOLONG;
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -errno;
    int rc = fn(m, f);
    if (fflush(f) && rc == 0)
        rc = -errno;
    if (fclose(f) && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path))
        rc = -errno;
    if (rc)
        unlink(tmp);
    return rc;
}

int sim_report_write(const sim_metrics *m, const char *dir)
{
    if (!m || !dir || !dir[0])
        return -EINVAL;
    if (mkdir(dir, 0777) && errno != EEXIST)
        return -errno;
    int rc = report__file(m, dir, "report.json", sim_report_json);
    if (rc == 0)
        rc = report__file(m, dir, "report.html", sim_report_html);
    return rc;
}
