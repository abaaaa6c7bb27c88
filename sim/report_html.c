/* report_html.c - report.html: one self-contained page (inline CSS and SVG,
 * no scripts, no network) with the run header, key figures, charts over
 * simulated time, the latency histogram and table, the pick heat map, a few
 * picker routes, errors, faults and the ledger check.  The drawings are in
 * report_svg.c. */
#include "metrics_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char css[] =
    "*{box-sizing:border-box}"
    "body{margin:0;background:#f1f3f5;color:#1f2933;font:14px/1.45 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}"
    "header{background:#1f2d3d;color:#f8f9fa;padding:22px 32px 18px}"
    "header h1{margin:0;font-size:24px;font-weight:650}"
    "header .sub{margin-top:4px;color:#ced4da}"
    ".chips{margin-top:10px}.chip{display:inline-block;background:#2f4256;border-radius:12px;"
    "padding:2px 10px;margin:0 6px 6px 0;font-size:12.5px}.chip b{color:#fff;font-weight:600}"
    "main{max-width:1140px;margin:0 auto;padding:18px 24px 36px}"
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px}"
    ".card{background:#fff;border-radius:8px;padding:12px 14px;box-shadow:0 1px 2px "
    "rgba(0,0,0,.08);border-top:3px solid #4c6ef5}"
    ".card .l{font-size:11.5px;color:#616e7c;text-transform:uppercase;letter-spacing:.04em}"
    ".card .v{font-size:23px;font-weight:650;margin-top:2px;font-variant-numeric:tabular-nums}"
    ".card .s{font-size:12px;color:#616e7c}"
    ".card.ok{border-top-color:#2b8a3e}.card.bad{border-top-color:#c92a2a}"
    ".card.warn{border-top-color:#e8590c}.card.none{border-top-color:#adb5bd}"
    "section{background:#fff;border-radius:8px;padding:16px 20px 14px;margin-top:18px;"
    "box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    "h2{font-size:17px;margin:0 0 2px}h3{font-size:14px;margin:14px 0 2px}"
    "p.note{margin:0 0 8px;color:#616e7c;font-size:12.5px}"
    "svg{display:block;width:100%;height:auto}"
    "svg text{font-family:inherit}.tick{font-size:11px;fill:#616e7c}"
    ".lab{font-size:12.5px;fill:#3e4c59}.leg{font-size:12px;fill:#1f2933}"
    ".grid{stroke:#e9ecef}.axis{stroke:#868e96}"
    ".aisle{stroke:#adb5bd;stroke-width:0.8}.cross{stroke:#ced4da;stroke-dasharray:4 3}"
    ".routes{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:14px}"
    ".routes figure{margin:0;border:1px solid #e9ecef;border-radius:6px;padding:6px}"
    ".routes figcaption{font-size:12.5px;color:#3e4c59;margin:2px 4px 4px;font-weight:600}"
    ".cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:20px}"
    "table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums}"
    "th,td{padding:4px 8px;text-align:right;border-bottom:1px solid #e9ecef}"
    "th{color:#616e7c;font-weight:600;font-size:12px;background:#f8f9fa}"
    "th:first-child,td:first-child{text-align:left}"
    "tr.total td{font-weight:650;border-top:2px solid #ced4da}"
    "code{font-size:12.5px}"
    "pre{background:#fff5f5;border:1px solid #ffc9c9;border-radius:6px;padding:8px;"
    "white-space:pre-wrap;font-size:12px}"
    ".verdict{font-weight:650}.verdict.ok{color:#2b8a3e}.verdict.bad{color:#c92a2a}"
    "footer{color:#868e96;font-size:12px;text-align:center;padding:8px 0 24px}";

/* ---- the time series as shown: buckets merged into about 120 display bins ---- */

typedef struct view {
    int n;
    double bin_s;     /* simulated seconds per display bin */
    double unit_s;    /* seconds per x unit */
    const char *unit; /* "s", "min", "h" */
    double xmax;      /* end of the run in x units */
    int has_open;
    double x[SIM_TS_CAP], picks[SIM_TS_CAP], calls[SIM_TS_CAP], errs[SIM_TS_CAP], open[SIM_TS_CAP],
        p50[SIM_TS_CAP], p90[SIM_TS_CAP], p99[SIM_TS_CAP];
    uint32_t lat[SIM_TS_LAT_N];
} view;

static void view_build(const sim_metrics *m, const sim__derived *d, view *v)
{
    double w = m->ts_width, end = fmax(d->sim_s, m->t_last);
    if (end <= 0)
        end = m->ts_n * w;
    if (end <= 0)
        end = 1;
    v->unit_s = end <= 900 ? 1 : end <= 4 * 3600 ? 60 : 3600;
    v->unit = end <= 900 ? "s" : end <= 4 * 3600 ? "min" : "h";
    v->xmax = end / v->unit_s;
    int g = (m->ts_n + 119) / 120, want = (int)ceil(30 / w), tenth = m->ts_n / 10;
    if (want > tenth)
        want = tenth;
    if (want > g)
        g = want;
    if (g < 1)
        g = 1;
    v->bin_s = g * w;
    v->n = 0;
    double open = NAN;
    for (int a = 0; a < m->ts_n; a += g) {
        int b = a + g < m->ts_n ? a + g : m->ts_n, j = v->n++;
        double t0 = a * w, t1 = fmin(b * w, end);
        double dur = t1 > t0 ? t1 - t0 : g * w;
        uint64_t picks = 0, calls = 0, errs = 0;
        memset(v->lat, 0, sizeof(v->lat));
        for (int i = a; i < b; i++) {
            const sim__tsb *s = &m->ts[i];
            picks += s->picks, calls += s->calls, errs += s->errors;
            if (s->open >= 0)
                open = (double)s->open, v->has_open = 1;
            for (int k = 0; k < SIM_TS_LAT_N; k++) {
                uint32_t sum = v->lat[k] + s->lat[k];
                v->lat[k] = sum < v->lat[k] ? UINT32_MAX : sum;
            }
        }
        v->x[j] = (t0 + t0 + dur) / 2 / v->unit_s;
        v->picks[j] = (double)picks * 60 / dur;
        v->calls[j] = (double)calls / dur;
        v->errs[j] = (double)errs / dur;
        v->open[j] = open;
        double *q[] = {&v->p50[j], &v->p90[j], &v->p99[j]};
        static const double qs[] = {0.5, 0.9, 0.99};
        for (int k = 0; k < 3; k++)
            *q[k] = calls ? metrics__ms(sim_hdr_quantile32(v->lat, SIM_TS_LAT_N,
                                                           SIM_HDR_COARSE_BITS, qs[k]))
                          : NAN;
    }
}

/* ---- small HTML pieces ---- */

static void html_int(char *b, size_t n, long long v) /* 12,345,678 */
{
    char t[32];
    unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    int l = snprintf(t, sizeof(t), "%llu", mag), o = 0;
    if (v < 0 && (size_t)o + 1 < n)
        b[o++] = '-';
    for (int i = 0; i < l && (size_t)o + 2 < n; i++) {
        if (i && (l - i) % 3 == 0)
            b[o++] = ',';
        b[o++] = t[i];
    }
    b[o] = 0;
}

static void card(FILE *f, const char *cls, const char *label, const char *value, const char *sub)
{
    fprintf(f, "<div class=\"card %s\"><div class=\"l\">", cls);
    svg__esc(f, label);
    fputs("</div><div class=\"v\">", f);
    svg__esc(f, value);
    fputs("</div><div class=\"s\">", f);
    svg__esc(f, sub);
    fputs("</div></div>\n", f);
}

static void html_header(FILE *f, const sim_metrics *m, const sim__derived *d)
{
    const char *sc = metrics__info(m, "scenario");
    char sim_t[32], real_t[32];
    metrics__hms(d->sim_s, sim_t, sizeof(sim_t));
    metrics__hms(m->real_seconds, real_t, sizeof(real_t));
    fputs("<header><h1>wms-sim report", f);
    if (sc && sc[0]) {
        fputs(": ", f);
        svg__esc(f, sc);
    }
    fprintf(f,
            "</h1><div class=\"sub\">%s simulated in %s real time (speed %.1f&#215;) &#183; %d "
            "pickers (%d on serial scanners) &#183; %d receivers</div>\n<div class=\"chips\">",
            sim_t, real_t, m->speed, d->pickers, m->serial_pickers, m->receivers);
    for (int i = 0; i < m->n_info; i++) {
        fputs("<span class=\"chip\">", f);
        svg__esc(f, m->info[i].key);
        fputs(" <b>", f);
        svg__esc(f, m->info[i].value);
        fputs("</b></span>", f);
    }
    fputs("</div></header>\n", f);
}

static void html_cards(FILE *f, const sim_metrics *m, const sim__derived *d)
{
    char v[64], s[96], a[32], b[32];
    fputs("<div class=\"cards\">\n", f);
    html_int(v, sizeof(v), (long long)m->picks);
    html_int(a, sizeof(a), m->units);
    snprintf(s, sizeof(s), "%s units, %.1f per pick", a, d->units_per_pick);
    card(f, "", "Picks", v, s);
    snprintf(v, sizeof(v), "%.1f", d->picks_per_min);
    card(f, "", "Picks per minute", v, "whole run, simulated time");
    snprintf(v, sizeof(v), "%.1f", d->picks_per_picker_hour);
    snprintf(s, sizeof(s), "%d pickers", d->pickers);
    card(f, "", "Picks per picker-hour", v, s);
    snprintf(v, sizeof(v), "%.1f m", d->m_per_pick);
    snprintf(s, sizeof(s), "%.2f km walked, %llu tours", m->dist / 1000,
             (unsigned long long)m->tours);
    card(f, "", "Travel per pick", v, s);
    html_int(v, sizeof(v), (long long)m->calls);
    snprintf(s, sizeof(s), "%.1f per simulated second", d->calls_per_s);
    card(f, "", "RPC calls", v, s);
    svg__num(a, sizeof(a), sim_metrics_latency_ms(m, NULL, 0.5));
    svg__num(b, sizeof(b), sim_metrics_latency_ms(m, NULL, 0.99));
    snprintf(v, sizeof(v), "%s ms", b);
    snprintf(s, sizeof(s), "p50 %s ms (wall clock)", a);
    card(f, "", "Latency p99", v, s);
    html_int(v, sizeof(v), (long long)m->errors);
    snprintf(s, sizeof(s), "%.2f %% of calls",
             m->calls ? 100.0 * (double)m->errors / (double)m->calls : 0.0);
    card(f, m->errors ? "warn" : "ok", "Errors", v, s);
    html_int(v, sizeof(v), (long long)m->shorts);
    html_int(a, sizeof(a), m->missing);
    snprintf(s, sizeof(s), "%s units missing", a);
    card(f, m->shorts ? "warn" : "ok", "Shorts", v, s);
    uint64_t faults = 0;
    for (int i = 0; i <= m->faults.cap; i++)
        faults += m->faults.v[i].count;
    html_int(v, sizeof(v), (long long)faults);
    card(f, faults ? "warn" : "none", "Faults injected", v, "by the simulator");
    if (!m->ledger_set)
        card(f, "none", "Ledger", "-", "not checked");
    else {
        html_int(a, sizeof(a), m->ledger_checked);
        snprintf(s, sizeof(s), "%s quants checked", a);
        card(f, m->ledger_ok ? "ok" : "bad", "Ledger", m->ledger_ok ? "OK" : "MISMATCH", s);
    }
    fputs("</div>\n", f);
}

static void section(FILE *f, const char *title, const char *note)
{
    fputs("<section><h2>", f);
    svg__esc(f, title);
    fputs("</h2><p class=\"note\">", f);
    svg__esc(f, note);
    fputs("</p>\n", f);
}

static void html_timecharts(FILE *f, const sim_metrics *m, const view *v)
{
    char note[256], xl[64];
    snprintf(xl, sizeof(xl), "simulated time (%s)", v->unit);
    snprintf(note, sizeof(note),
             "Per %.0f simulated seconds; rates are per simulated minute or second.", v->bin_s);
    section(f, "Throughput over time", note);
    svg__chart c = {
        "Picks per minute over simulated time", xl, "picks per minute", v->x, v->n, v->xmax, 0, 1};
    svg__series sp[] = {{"picks per minute", "#4c6ef5", v->picks, 0}};
    svg__lines(f, &c, sp, 1);
    c.label = "RPC calls and errors per second";
    c.ylabel = "calls per second";
    c.area = 0;
    svg__series sc[] = {{"calls per second", "#495057", v->calls, 0},
                        {"errors per second", "#c92a2a", v->errs, 0}};
    fputs("<h3>RPC calls and errors</h3>\n", f);
    svg__lines(f, &c, sc, 2);
    if (v->has_open) {
        c.label = "Open tasks over simulated time";
        c.ylabel = "open tasks";
        c.area = 1;
        svg__series so[] = {{"open tasks", "#7048e8", v->open, 0}};
        fputs("<h3>Open tasks</h3>\n", f);
        svg__lines(f, &c, so, 1);
    }
    fputs("</section>\n", f);

    snprintf(note, sizeof(note),
             "Wall-clock latency of the RPCs, percentiles per %.0f simulated seconds (log scale; "
             "from coarse per-interval histograms, within about 6 %%).",
             v->bin_s);
    section(f, "Latency", note);
    fputs("<h3>Percentiles over time</h3>\n", f);
    c.label = "Latency percentiles over simulated time";
    c.ylabel = "latency (ms, log scale)";
    c.logy = 1;
    c.area = 0;
    svg__series sl[] = {{"p50", "#2b8a3e", v->p50, 0},
                        {"p90", "#e8590c", v->p90, 0},
                        {"p99", "#c92a2a", v->p99, 1}};
    svg__lines(f, &c, sl, 3);
    (void)m;
}

static void lat_row(FILE *f, const char *cls, const char *name, uint64_t calls, uint64_t errors,
                    const sim_hdr *h)
{
    char b[32], e[32];
    fprintf(f, "<tr%s><td><code>", cls);
    svg__esc(f, name);
    html_int(b, sizeof(b), (long long)calls);
    html_int(e, sizeof(e), (long long)errors);
    fprintf(f, "</code></td><td>%s</td><td>%s</td><td>%.2f %%</td>", b, e,
            calls ? 100.0 * (double)errors / (double)calls : 0.0);
    static const double qs[] = {0.5, 0.9, 0.99, 1};
    for (int i = 0; i < 4; i++) {
        if (h->b && h->count)
            fprintf(f, "<td>%.3f</td>", metrics__ms(sim_hdr_quantile(h, qs[i])));
        else
            fputs("<td>-</td>", f);
    }
    fputs("</tr>\n", f);
}

static void html_latency(FILE *f, const sim_metrics *m)
{
    fputs("<h3>Latency distribution (all calls)</h3>\n<p class=\"note\">Each bar is a range of "
          "latencies on a log scale; dashed lines mark the percentiles.</p>\n",
          f);
    svg__latency_hist(f, &m->all);
    fputs("<h3>Latency by method (ms)</h3>\n<p class=\"note\">From log-bucketed histograms: "
          "every percentile is within 0.8 %.</p>\n<table><tr><th>method</th><th>calls</th>"
          "<th>errors</th><th>error rate</th><th>p50</th><th>p90</th><th>p99</th><th>max</th>"
          "</tr>\n",
          f);
    int idx[SIM_MAX_METHODS + 1], n = metrics__sorted(&m->methods, idx);
    for (int i = 0; i < n; i++) {
        const sim__named *e = &m->methods.v[idx[i]];
        lat_row(f, "", e->name, e->count, e->errors, &e->lat);
    }
    lat_row(f, " class=\"total\"", "all methods", m->calls, m->errors, &m->all);
    fputs("</table></section>\n", f);
}

/* the ten bins with the most picks */
static void html_top_bins(FILE *f, const sim_metrics *m)
{
    int top[10], n = 0;
    for (int i = 0; i < m->n_bins; i++) {
        if (!m->bins[i].picks)
            continue;
        int j = n < 10 ? n++ : 10;
        if (j == 10 && m->bins[i].picks <= m->bins[top[9]].picks)
            continue;
        if (j == 10)
            j = 9;
        while (j > 0 && m->bins[top[j - 1]].picks < m->bins[i].picks) {
            top[j] = top[j - 1];
            j--;
        }
        top[j] = i;
    }
    if (!n)
        return;
    fputs("<h3>Busiest bins</h3>\n<table><tr><th>bin</th><th>picks</th><th>units</th>"
          "<th>shorts</th></tr>\n",
          f);
    for (int i = 0; i < n; i++) {
        const sim__bin *b = &m->bins[top[i]];
        fputs("<tr><td><code>", f);
        svg__esc(f, b->code);
        fprintf(f, "</code></td><td>%llu</td><td>%llu</td><td>%llu</td></tr>\n",
                (unsigned long long)b->picks, (unsigned long long)b->units,
                (unsigned long long)b->shorts);
    }
    fputs("</table>\n", f);
}

static void html_layout(FILE *f, const sim_metrics *m, const svg__geo *g, int have)
{
    char note[320];
    int placed = 0;
    for (int i = 0; i < (have ? g->ngrp : 0); i++)
        placed += g->grp[i].k;
    snprintf(note, sizeof(note),
             "Layout seen from above, front cross aisle (y = 0) at the bottom. %d bins placed; "
             "each is coloured by its pick count (hover for the bin code)%s.",
             placed,
             placed > SIM__HEAT_MAX_RECTS
                 ? "; too many bins to draw one by one, so picks are summed per grid "
                   "cell"
                 : "");
    section(f, "Pick activity heat map", have ? note : "No layout was recorded.");
    if (have)
        svg__heatmap(f, m, g);
    html_top_bins(f, m);
    fputs("</section>\n", f);

    snprintf(note, sizeof(note),
             "The first %d pickers to walk, up to %d complete tours each. Lines follow the "
             "aisles and cross aisles the way the router measures distance; dots are stops, "
             "distances are what the simulator reported.",
             SIM_ROUTE_PICKERS, SIM_ROUTE_TOURS);
    section(f, "Picker routes", m->n_routes ? note : "No walks were recorded.");
    if (have && m->n_routes) {
        fputs("<div class=\"routes\">\n", f);
        for (int i = 0; i < m->n_routes; i++) {
            const sim__route *r = &m->routes[i];
            fprintf(f, "<figure><figcaption>picker %d%s</figcaption>\n", r->picker,
                    r->truncated ? " (route cut at the point cap)" : "");
            svg__route(f, m, g, r);
            fputs("</figure>\n", f);
        }
        fputs("</div>\n", f);
    }
    fputs("</section>\n", f);
}

static void count_table(FILE *f, const char *title, const char *col, const sim__table *t,
                        uint64_t calls)
{
    int idx[SIM_MAX_METHODS + SIM_MAX_CODES + SIM_MAX_FAULTS + 1], n = metrics__sorted(t, idx);
    fputs("<div><h3>", f);
    svg__esc(f, title);
    fputs("</h3>", f);
    if (!n) {
        fputs("<p class=\"note\">none</p></div>\n", f);
        return;
    }
    fprintf(f, "<table><tr><th>%s</th><th>count</th>%s</tr>\n", col,
            calls ? "<th>of all calls</th>" : "");
    for (int i = 0; i < n; i++) {
        const sim__named *e = &t->v[idx[i]];
        fputs("<tr><td><code>", f);
        svg__esc(f, e->name);
        fprintf(f, "</code></td><td>%llu</td>", (unsigned long long)e->count);
        if (calls)
            fprintf(f, "<td>%.2f %%</td>", 100.0 * (double)e->count / (double)calls);
        fputs("</tr>\n", f);
    }
    fputs("</table></div>\n", f);
}

static void html_problems(FILE *f, const sim_metrics *m)
{
    section(f, "Errors, shorts, faults and the ledger",
            "Errors are the codes the server returned; faults are what the simulator injected on "
            "purpose.");
    fputs("<div class=\"cols\">\n", f);
    count_table(f, "Errors by code", "code", &m->codes, m->calls);
    count_table(f, "Faults injected by kind", "kind", &m->faults, 0);
    fprintf(f,
            "<div><h3>Shorts and "
            "receipts</h3><table><tr><th>shorts</th><td>%llu</td></tr><tr><th>units "
            "missing</th><td>%lld</td></tr><tr><th>receipts</th><td>%llu</td></tr><tr><th>units "
            "received</th><td>%lld</td></tr></table></div>\n",
            (unsigned long long)m->shorts, m->missing, (unsigned long long)m->receipts,
            m->received);
    fputs("</div>\n<h3>Ledger check</h3>\n", f);
    if (!m->ledger_set)
        fputs("<p class=\"verdict\">not checked</p>\n", f);
    else
        fprintf(f, "<p class=\"verdict %s\">%s: %lld quants checked, %lld lost, %lld doubled</p>\n",
                m->ledger_ok ? "ok" : "bad",
                m->ledger_ok ? "OK (the journal and the stock agree)" : "MISMATCH",
                m->ledger_checked, m->ledger_lost, m->ledger_doubled);
    if (m->ledger_set && m->ledger_detail[0]) {
        fputs("<pre>", f);
        svg__esc(f, m->ledger_detail);
        fputs("</pre>\n", f);
    }
    fputs("</section>\n", f);
}

int report__html(const sim_metrics *m, FILE *f)
{
    sim__derived d;
    metrics__derive(m, &d);
    view *v = calloc(1, sizeof(*v));
    svg__geo g;
    int geo = svg__geo_build(m, &g);
    if (!v || geo < 0) {
        free(v);
        if (geo >= 0)
            svg__geo_free(&g);
        return -ENOMEM;
    }
    view_build(m, &d, v);
    const char *sc = metrics__info(m, "scenario");
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta "
          "name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>wms-sim "
          "report",
          f);
    if (sc && sc[0]) {
        fputs(": ", f);
        svg__esc(f, sc);
    }
    fprintf(f, "</title>\n<style>%s</style></head><body>\n", css);
    html_header(f, m, &d);
    fputs("<main>\n", f);
    html_cards(f, m, &d);
    html_timecharts(f, m, v);
    html_latency(f, m);
    html_layout(f, m, &g, geo == 0);
    html_problems(f, m);
    fprintf(f,
            "</main><footer>wms-sim report &#183; recorder memory %.1f MiB (capped at %u MiB) "
            "&#183; time series in %.0f s buckets</footer>\n</body></html>\n",
            (double)m->bytes / 1048576.0, SIM_METRICS_MAX_BYTES >> 20, m->ts_width);
    svg__geo_free(&g);
    free(v);
    return 0;
}
