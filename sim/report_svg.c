/* report_svg.c - the inline SVG charts of report.html: line charts over
 * simulated time and the latency histogram (the layout drawings are in
 * report_map.c).  Every drawing is one well-formed <svg> element (no xmlns,
 * no links, no entities other than the five XML ones), sized by a viewBox
 * and styled by the page's inline CSS classes. */
#include "metrics_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CW 900.0 /* chart viewBox width */
#define CH 300.0
#define ML 72.0 /* margins: left, right, top, bottom */
#define MR 24.0
#define MT 40.0
#define MB 50.0

void svg__esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

void svg__num(char *b, size_t n, double v)
{
    double a = fabs(v);
    if (a >= 1e9)
        snprintf(b, n, "%.3gG", v / 1e9);
    else if (a >= 1e6)
        snprintf(b, n, "%.3gM", v / 1e6);
    else if (a >= 1e4)
        snprintf(b, n, "%.3gk", v / 1e3);
    else if (a >= 1 || a == 0)
        snprintf(b, n, "%.4g", v);
    else
        snprintf(b, n, "%.3g", v);
}

/* 1, 2 or 5 times a power of ten, about x */
static double svg__nice(double x)
{
    if (!(x > 0))
        return 1;
    double e = pow(10, floor(log10(x))), f = x / e;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * e;
}

typedef struct axis {
    double lo, hi;
    int log;
} axis;

/* maps v on axis a to [p0, p1] (p0 at lo) */
static double axis_map(const axis *a, double v, double p0, double p1)
{
    double t;
    if (a->log)
        t = (log10(v > 0 ? v : a->lo) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
    else
        t = (v - a->lo) / (a->hi - a->lo);
    if (t < -0.02)
        t = -0.02;
    if (t > 1.02)
        t = 1.02;
    return p0 + t * (p1 - p0);
}

/* Fills ticks (up to max) for axis a; returns the count. */
static int axis_ticks(const axis *a, double *t, int max)
{
    int n = 0;
    if (a->log) {
        double d0 = floor(log10(a->lo) + 1e-9), d1 = ceil(log10(a->hi) - 1e-9);
        int fine = d1 - d0 <= 2;
        for (double d = d0; d <= d1 && n < max; d++)
            for (int k = 0; k < 3 && n < max; k++) {
                static const double mul[] = {1, 2, 5};
                if (k && !fine)
                    break;
                double v = mul[k] * pow(10, d);
                if (v >= a->lo * 0.999 && v <= a->hi * 1.001)
                    t[n++] = v;
            }
        return n;
    }
    double step = svg__nice((a->hi - a->lo) / 5);
    for (double v = ceil(a->lo / step - 1e-9) * step; v <= a->hi + step * 1e-9 && n < max;
         v += step)
        t[n++] = fabs(v) < step * 1e-9 ? 0 : v;
    return n;
}

/* a y axis from 0 (or the smallest positive value when log) to above max */
static axis axis_fit(double minpos, double max, int log)
{
    axis a = {0, 1, log};
    if (log) {
        if (!(minpos > 0) || !(max > 0))
            minpos = max = 1;
        a.lo = pow(10, floor(log10(minpos)));
        a.hi = pow(10, ceil(log10(max)));
        if (a.hi <= a.lo)
            a.hi = a.lo * 10;
        return a;
    }
    if (max > 0) {
        double step = svg__nice(max / 4);
        a.hi = ceil(max * 1.04 / step) * step;
    }
    return a;
}

void svg__open(FILE *f, const char *cls, double w, double h, const char *label)
{
    fprintf(f, "<svg class=\"%s\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", cls, w, h);
    svg__esc(f, label);
    fputs("\"><title>", f);
    svg__esc(f, label);
    fputs("</title>\n", f);
}

/* axes, grid, tick labels and axis titles of a chart */
static void svg__frame(FILE *f, const axis *ax, const axis *ay, const char *xlabel,
                       const char *ylabel)
{
    double t[64];
    char b[32];
    int n = axis_ticks(ay, t, 64);
    for (int i = 0; i < n; i++) {
        double y = axis_map(ay, t[i], CH - MB, MT);
        svg__num(b, sizeof(b), t[i]);
        fprintf(f, "<line class=\"grid\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>", ML, y,
                CW - MR, y);
        fprintf(f, "<text class=\"tick\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                ML - 8, y + 4, b);
    }
    n = axis_ticks(ax, t, 64);
    for (int i = 0; i < n; i++) {
        double x = axis_map(ax, t[i], ML, CW - MR);
        svg__num(b, sizeof(b), t[i]);
        fprintf(f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>", x,
                CH - MB, x, CH - MB + 5);
        fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>\n",
                x, CH - MB + 19, b);
    }
    fprintf(f, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>", ML,
            CH - MB, CW - MR, CH - MB);
    fprintf(f, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n", ML, MT,
            ML, CH - MB);
    fprintf(f, "<text class=\"lab\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">",
            (ML + CW - MR) / 2, CH - 10);
    svg__esc(f, xlabel);
    fprintf(f,
            "</text>\n<text class=\"lab\" transform=\"translate(18 %.0f) rotate(-90)\" "
            "text-anchor=\"middle\">",
            (MT + CH - MB) / 2);
    svg__esc(f, ylabel);
    fputs("</text>\n", f);
}

/* legend entries in a row from (x, y) */
static void svg__legend(FILE *f, double x, double y, const svg__series *s, int ns)
{
    for (int i = 0; i < ns; i++) {
        fprintf(f,
                "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" "
                "stroke-width=\"3\"%s/>",
                x, y - 4, x + 20, y - 4, s[i].color,
                s[i].dashed ? " stroke-dasharray=\"5 3\"" : "");
        fprintf(f, "<text class=\"leg\" x=\"%.0f\" y=\"%.0f\">", x + 26, y);
        svg__esc(f, s[i].name);
        fputs("</text>\n", f);
        x += 44 + 7.2 * (double)strlen(s[i].name);
    }
}

void svg__lines(FILE *f, const svg__chart *c, const svg__series *s, int ns)
{
    double max = 0, minpos = INFINITY;
    for (int k = 0; k < ns; k++)
        for (int i = 0; i < c->n; i++) {
            double v = s[k].y[i];
            if (!isfinite(v))
                continue;
            if (v > max)
                max = v;
            if (v > 0 && v < minpos)
                minpos = v;
        }
    axis ax = {0, c->xmax > 0 ? c->xmax : 1, 0}, ay = axis_fit(minpos, max, c->logy);
    svg__open(f, "chart", CW, CH, c->label);
    svg__frame(f, &ax, &ay, c->xlabel, c->ylabel);
    svg__legend(f, ML, 22, s, ns);
    if (c->n == 0 || max <= 0)
        fprintf(f,
                "<text class=\"lab\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">no data</text>\n",
                (ML + CW - MR) / 2, (MT + CH - MB) / 2);
    for (int k = 0; k < ns && max > 0; k++) {
        const double *y = s[k].y;
        int gaps = 0, pen = 0;
        if (k == 0 && c->area) {
            for (int i = 0; i < c->n; i++)
                gaps |= !isfinite(y[i]);
            if (!gaps && c->n > 1) {
                double base = axis_map(&ay, ay.lo, CH - MB, MT);
                fprintf(f, "<path fill=\"%s\" fill-opacity=\"0.13\" d=\"M%.1f %.1f", s[k].color,
                        axis_map(&ax, c->x[0], ML, CW - MR), base);
                for (int i = 0; i < c->n; i++)
                    fprintf(f, " L%.1f %.1f", axis_map(&ax, c->x[i], ML, CW - MR),
                            axis_map(&ay, y[i], CH - MB, MT));
                fprintf(f, " L%.1f %.1f Z\"/>\n", axis_map(&ax, c->x[c->n - 1], ML, CW - MR), base);
            }
        }
        fprintf(
            f,
            "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\"%s d=\"",
            s[k].color, s[k].dashed ? " stroke-dasharray=\"5 3\"" : "");
        int wrote = 0;
        for (int i = 0; i < c->n; i++) {
            if (!isfinite(y[i]) || (c->logy && y[i] <= 0)) {
                pen = 0;
                continue;
            }
            fprintf(f, "%s%c%.1f %.1f", wrote ? " " : "", pen ? 'L' : 'M',
                    axis_map(&ax, c->x[i], ML, CW - MR), axis_map(&ay, y[i], CH - MB, MT));
            pen = wrote = 1;
        }
        if (!wrote)
            fputs("M0 0", f);
        fputs("\"/>\n", f);
        if (c->n <= 40)
            for (int i = 0; i < c->n; i++)
                if (isfinite(y[i]) && !(c->logy && y[i] <= 0))
                    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
                            axis_map(&ax, c->x[i], ML, CW - MR), axis_map(&ay, y[i], CH - MB, MT),
                            s[k].color);
    }
    fputs("</svg>\n", f);
}

/* ---- latency histogram ---- */

#define HIST_BARS 60

void svg__latency_hist(FILE *f, const sim_hdr *h)
{
    svg__open(f, "chart", CW, CH, "Latency histogram of all calls");
    if (!h->b || h->count == 0) {
        fprintf(f,
                "<text class=\"lab\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">no "
                "calls</text></svg>\n",
                CW / 2, CH / 2);
        return;
    }
    double lo = log10(metrics__ms(h->min > 1000 ? h->min : 1000)), /* from 1 us */
        hi = log10(metrics__ms(h->max > 1000 ? h->max : 1000));
    lo -= 0.05, hi += 0.05;
    if (hi - lo < 1) {
        double mid = (hi + lo) / 2;
        lo = mid - 0.5, hi = mid + 0.5;
    }
    uint64_t bars[HIST_BARS] = {0}, top = 0;
    int nb = SIM_HDR_NBUCKETS(SIM_HDR_FINE_BITS);
    for (int i = 0; i < nb; i++) {
        if (!h->b[i])
            continue;
        double v = sim_hdr_lower(i, SIM_HDR_FINE_BITS) + sim_hdr_width(i, SIM_HDR_FINE_BITS) / 2.0;
        double ms = v / 1e6;
        int k = ms > 0 ? (int)floor((log10(ms) - lo) / (hi - lo) * HIST_BARS) : 0;
        k = k < 0 ? 0 : k >= HIST_BARS ? HIST_BARS - 1 : k;
        bars[k] += h->b[i];
    }
    for (int k = 0; k < HIST_BARS; k++)
        if (bars[k] > top)
            top = bars[k];
    axis ax = {pow(10, lo), pow(10, hi), 1}, ay = axis_fit(0, (double)top, 0);
    svg__frame(f, &ax, &ay, "latency (ms, log scale)", "calls");
    double bw = (CW - MR - ML) / HIST_BARS;
    for (int k = 0; k < HIST_BARS; k++) {
        if (!bars[k])
            continue;
        double y = axis_map(&ay, (double)bars[k], CH - MB, MT);
        if (y > CH - MB - 2)
            y = CH - MB - 2; /* a few calls in the tail stay visible */
        double a = pow(10, lo + (hi - lo) * k / HIST_BARS) * 1e3,
               b = pow(10, lo + (hi - lo) * (k + 1) / HIST_BARS) * 1e3;
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4c6ef5\">"
                "<title>%.3g-%.3g us: %llu calls</title></rect>\n",
                ML + k * bw + 0.5, y, bw - 1, CH - MB - y, a, b, (unsigned long long)bars[k]);
    }
    static const double qs[] = {0.5, 0.9, 0.99};
    static const char *const qn[] = {"p50", "p90", "p99"};
    static const char *const qc[] = {"#2b8a3e", "#e8590c", "#c92a2a"};
    for (int i = 0; i < 3; i++) {
        double ms = metrics__ms(sim_hdr_quantile(h, qs[i]));
        double x = axis_map(&ax, ms > 0 ? ms : ax.lo, ML, CW - MR);
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"%s\" "
                "stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
                x, MT - 2, x, CH - MB, qc[i]);
        char b[32];
        svg__num(b, sizeof(b), ms);
        int right = x > CW - 160;
        fprintf(f,
                "<text class=\"leg\" x=\"%.1f\" y=\"%.0f\" fill=\"%s\" text-anchor=\"%s\">%s %s "
                "ms</text>\n",
                right ? x - 5 : x + 5, MT - 22 + 13 * i, qc[i], right ? "end" : "start", qn[i], b);
    }
    fputs("</svg>\n", f);
}
