/* report_map.c - the layout drawings of report.html: the pick heat map
 * (aisles, cross aisles, the depot, bins coloured by pick count) and the
 * tours of a few pickers, drawn along aisles and cross aisles the way the
 * router measures distance.  Same SVG rules as report_svg.c. */
#include "metrics_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAP_W 900.0           /* heat map viewBox width */
#define ROUTE_MAX_GROUPS 4000 /* bin groups drawn under the routes */

static const char *const tour_colors[] = {"#1f77b4", "#e8590c", "#2b8a3e", "#9c36b5"};

/* ---- layout geometry ---- */

typedef struct pt {
    double x, y;
    int i;
} pt;

static int cmp_pt(const void *a, const void *b)
{
    const pt *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void svg__geo_free(svg__geo *g)
{
    free(g->ax);
    free(g->grp);
    free(g->members);
    memset(g, 0, sizeof(*g));
}

int svg__geo_build(const sim_metrics *m, svg__geo *g)
{
    memset(g, 0, sizeof(*g));
    pt *p = malloc(((size_t)m->n_bins + 1) * sizeof(*p));
    g->ax = malloc(((size_t)m->n_aisles + 1) * sizeof(double));
    g->grp = malloc(((size_t)m->n_bins + 1) * sizeof(*g->grp));
    g->members = malloc(((size_t)m->n_bins + 1) * sizeof(int));
    if (!p || !g->ax || !g->grp || !g->members) {
        free(p);
        svg__geo_free(g);
        return -1;
    }
    for (int i = 0; i < m->n_aisles; i++) {
        g->ax[g->na++] = m->aisles[i].x;
        if (m->aisles[i].length > g->L)
            g->L = m->aisles[i].length;
    }
    qsort(g->ax, (size_t)g->na, sizeof(double), cmp_dbl);
    int u = 0;
    for (int i = 0; i < g->na; i++)
        if (u == 0 || g->ax[i] != g->ax[u - 1])
            g->ax[u++] = g->ax[i];
    g->na = u;
    int n = 0;
    for (int i = 0; i < m->n_bins; i++)
        if (m->bins[i].has_pos)
            p[n++] = (pt){m->bins[i].x, m->bins[i].y, i};
    qsort(p, (size_t)n, sizeof(*p), cmp_pt);
    double colgap = INFINITY, cellgap = INFINITY;
    for (int i = 0; i < n; i++) {
        if (m->bins[p[i].i].picks > g->max_picks)
            g->max_picks = m->bins[p[i].i].picks;
        svg__grp *last = g->ngrp ? &g->grp[g->ngrp - 1] : NULL;
        if (last && last->x == p[i].x && last->y == p[i].y) {
            last->k++;
        } else {
            if (last && last->x == p[i].x && p[i].y - last->y < cellgap)
                cellgap = p[i].y - last->y;
            if (last && last->x != p[i].x && p[i].x - last->x < colgap)
                colgap = p[i].x - last->x;
            g->grp[g->ngrp++] = (svg__grp){p[i].x, p[i].y, i, 1};
        }
        g->members[i] = p[i].i;
    }
    free(p);
    if (g->na == 0 && g->ngrp == 0)
        return 1;
    g->pitch = INFINITY;
    for (int i = 1; i < g->na; i++)
        if (g->ax[i] - g->ax[i - 1] < g->pitch)
            g->pitch = g->ax[i] - g->ax[i - 1];
    if (!isfinite(g->pitch))
        g->pitch = isfinite(colgap) ? colgap : 2.0;
    g->colw = 0.8 * (isfinite(colgap) && colgap < g->pitch ? colgap : g->pitch);
    g->cellh = isfinite(cellgap) ? cellgap : 1.0;
    double ymin = 0, ymax = g->L, xmin = INFINITY, xmax = -INFINITY;
    for (int i = 0; i < g->ngrp; i++) {
        xmin = fmin(xmin, g->grp[i].x), xmax = fmax(xmax, g->grp[i].x);
        ymin = fmin(ymin, g->grp[i].y), ymax = fmax(ymax, g->grp[i].y);
    }
    if (g->L <= 0)
        g->L = ymax + g->cellh;
    if (g->cellh > g->L / 4)
        g->cellh = g->L / 4;
    if (g->na)
        xmin = fmin(xmin, g->ax[0]), xmax = fmax(xmax, g->ax[g->na - 1]);
    if (m->has_depot) {
        xmin = fmin(xmin, m->depot_x), xmax = fmax(xmax, m->depot_x);
        ymin = fmin(ymin, m->depot_y), ymax = fmax(ymax, m->depot_y);
    }
    double mx = fmax(g->pitch * 0.6, g->colw), my = fmax(g->cellh, 0.03 * (ymax - ymin));
    g->x0 = xmin - mx, g->x1 = xmax + mx, g->y0 = ymin - my, g->y1 = fmax(ymax, g->L) + my;
    g->stops[g->ns++] = 0;
    for (int i = 0; i < m->n_cross; i++)
        if (m->cross[i] > 0 && m->cross[i] < g->L)
            g->stops[g->ns++] = m->cross[i];
    g->stops[g->ns++] = g->L;
    return 0;
}

/* pixel transform of a layout drawing */
typedef struct tf {
    double sx, sy, ox, oy; /* px = ox + (x - x0) * sx; py = oy + (y1 - y) * sy */
    double w, h;           /* plot size in px */
} tf;

static tf tf_fit(const svg__geo *g, double maxw, double maxh, double minh)
{
    tf t;
    double xr = g->x1 - g->x0, yr = g->y1 - g->y0;
    double s = fmin(maxw / xr, maxh / yr);
    t.sx = t.sy = s;
    if (yr * t.sy < minh)
        t.sy = minh / yr;
    t.w = xr * t.sx, t.h = yr * t.sy;
    t.ox = 0, t.oy = 0;
    return t;
}

#define PX(t, g, x) ((t)->ox + ((x) - (g)->x0) * (t)->sx)
#define PY(t, g, y) ((t)->oy + ((g)->y1 - (y)) * (t)->sy)

#define LAYOUT_LINES 1  /* aisle centre lines and cross aisles */
#define LAYOUT_LABELS 2 /* aisle ids */
#define LAYOUT_DEPOT 4

/* the parts of the layout named by `what` (LAYOUT_* bits) */
static void svg__layout(FILE *f, const sim_metrics *m, const svg__geo *g, const tf *t, int what)
{
    for (int i = 0; i < g->ns && (what & LAYOUT_LINES); i++)
        fprintf(f, "<line class=\"cross\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                PX(t, g, g->x0), PY(t, g, g->stops[i]), PX(t, g, g->x1), PY(t, g, g->stops[i]));
    double gap_px = g->pitch * t->sx; /* between neighbouring aisles */
    for (int i = 0; i < g->na && (what & LAYOUT_LINES) && gap_px >= 3; i++)
        fprintf(f, "<line class=\"aisle\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                PX(t, g, g->ax[i]), PY(t, g, 0), PX(t, g, g->ax[i]), PY(t, g, g->L));
    fputc('\n', f);
    if (what & LAYOUT_LABELS) {
        /* label every k-th aisle (by rank in x) so that labels do not overlap */
        size_t longest = 1;
        for (int i = 0; i < m->n_aisles; i++)
            if (strlen(m->aisles[i].id) > longest)
                longest = strlen(m->aisles[i].id);
        double need = 6.6 * (double)longest + 8;
        int every = gap_px >= need ? 1 : (int)ceil(need / fmax(gap_px, 1e-3));
        for (int i = 0; i < m->n_aisles; i++) {
            int lo = 0, hi = g->na; /* rank: first ax >= x */
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (g->ax[mid] < m->aisles[i].x)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo % every)
                continue;
            fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                    PX(t, g, m->aisles[i].x), PY(t, g, g->y0) + 14);
            svg__esc(f, m->aisles[i].id);
            fputs("</text>", f);
        }
    }
    if (m->has_depot && (what & LAYOUT_DEPOT)) {
        double x = PX(t, g, m->depot_x), y = PY(t, g, m->depot_y);
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"#1f2933\"/>"
                "<text class=\"leg\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">depot</text>\n",
                x - 5, y - 5, x, y + 18);
    }
}

/* ---- heat map ---- */

static void svg__ramp(double t, char out[8])
{
    static const unsigned char st[][3] = {{255, 237, 160}, {254, 217, 118}, {254, 178, 76},
                                          {253, 141, 60},  {252, 78, 42},   {227, 26, 28},
                                          {177, 0, 38}};
    int n = (int)(sizeof(st) / sizeof(st[0])) - 1;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    int i = (int)(t * n);
    if (i >= n)
        i = n - 1;
    double u = t * n - i;
    int c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (int)lround(st[i][k] + (st[i + 1][k] - st[i][k]) * u);
    snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

static void svg__heat_color(uint64_t picks, uint64_t max, char out[8])
{
    if (picks == 0)
        snprintf(out, 8, "#dde2e8");
    else
        svg__ramp(max > 1 ? log((double)picks) / log((double)max) : 1, out);
}

/* one heat rectangle (metres) with its tooltip */
static void svg__heat_rect(FILE *f, const svg__geo *g, const tf *t, double x0, double x1, double yc,
                           double hm, uint64_t picks, const char *what)
{
    char col[8];
    svg__heat_color(picks, g->max_picks, col);
    double w = (x1 - x0) * t->sx, h = hm * t->sy;
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\">",
            PX(t, g, x0), PY(t, g, yc + hm / 2), w > 0.3 ? w : 0.3, h > 0.3 ? h : 0.3, col);
    fputs("<title>", f);
    svg__esc(f, what);
    fprintf(f, ": %llu picks</title></rect>\n", (unsigned long long)picks);
}

void svg__heatmap(FILE *f, const sim_metrics *m, const svg__geo *g)
{
    tf t = tf_fit(g, MAP_W - 40, 560, 240);
    double top = 52, bottom = 30;
    t.ox = (MAP_W - t.w) / 2, t.oy = top;
    svg__open(f, "map", MAP_W, top + t.h + bottom, "Pick activity heat map over the layout");
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f8f9fa\"/>\n",
            t.ox, t.oy, t.w, t.h);
    svg__layout(f, m, g, &t, LAYOUT_LINES);
    int placed = 0;
    for (int i = 0; i < g->ngrp; i++)
        placed += g->grp[i].k;
    double hm = g->cellh * 0.86;
    if (placed <= SIM__HEAT_MAX_RECTS) {
        for (int i = 0; i < g->ngrp; i++) {
            const svg__grp *gr = &g->grp[i];
            double W = g->colw, gap = gr->k > 1 ? 0.18 * W : 0, sw = (W - gap) / gr->k;
            for (int j = 0; j < gr->k; j++) {
                const sim__bin *b = &m->bins[g->members[gr->first + j]];
                double x0 = gr->x - W / 2 + j * sw + (j >= gr->k / 2 && gr->k > 1 ? gap : 0);
                svg__heat_rect(f, g, &t, x0 + sw * 0.04, x0 + sw * 0.96, gr->y, hm, b->picks,
                               b->code);
            }
        }
    } else {
        /* too many bins: aggregate into a grid of at most SIM__HEAT_MAX_RECTS cells */
        int gx = 200, gy = SIM__HEAT_MAX_RECTS / 200;
        uint64_t *cell = calloc((size_t)gx * gy, sizeof(uint64_t));
        int *cnt = calloc((size_t)gx * gy, sizeof(int));
        if (cell && cnt) {
            double cw = (g->x1 - g->x0) / gx, ch = (g->y1 - g->y0) / gy;
            for (int i = 0; i < g->ngrp; i++) {
                int cx = (int)((g->grp[i].x - g->x0) / cw), cy = (int)((g->grp[i].y - g->y0) / ch);
                cx = cx < 0 ? 0 : cx >= gx ? gx - 1 : cx;
                cy = cy < 0 ? 0 : cy >= gy ? gy - 1 : cy;
                for (int j = 0; j < g->grp[i].k; j++)
                    cell[cy * gx + cx] += m->bins[g->members[g->grp[i].first + j]].picks;
                cnt[cy * gx + cx] += g->grp[i].k;
            }
            svg__geo scaled = *g;
            scaled.max_picks = 0;
            for (int i = 0; i < gx * gy; i++)
                if (cell[i] > scaled.max_picks)
                    scaled.max_picks = cell[i];
            for (int i = 0; i < gx * gy; i++) {
                if (!cnt[i])
                    continue;
                char what[64];
                snprintf(what, sizeof(what), "%d bins", cnt[i]);
                double x0 = g->x0 + (i % gx) * cw;
                svg__heat_rect(f, &scaled, &t, x0, x0 + cw, g->y0 + (i / gx + 0.5) * ch, ch,
                               cell[i], what);
            }
        }
        free(cell);
        free(cnt);
    }
    svg__layout(f, m, g, &t, LAYOUT_LABELS | LAYOUT_DEPOT);
    /* legend: colour ramp on a log scale */
    double lx = MAP_W - 300, lw = 220;
    fputs("<defs><linearGradient id=\"heat-ramp\">", f);
    for (int i = 0; i <= 6; i++) {
        char col[8];
        svg__ramp(i / 6.0, col);
        fprintf(f, "<stop offset=\"%.3f\" stop-color=\"%s\"/>", i / 6.0, col);
    }
    fputs("</linearGradient></defs>\n", f);
    fprintf(f,
            "<text class=\"leg\" x=\"%.0f\" y=\"20\" text-anchor=\"end\">picks per bin (log "
            "scale)</text><rect x=\"%.0f\" y=\"10\" width=\"%.0f\" height=\"12\" "
            "fill=\"url(#heat-ramp)\"/>\n",
            lx - 10, lx, lw);
    /* ticks at 1, 2, 5, 10, ... and at the maximum, none closer than 28 px */
    double mx = (double)(g->max_picks > 1 ? g->max_picks : 1), tv[40];
    int nt = 0;
    for (double d = 1; d <= mx && nt < 36; d *= 10)
        for (int k = 0; k < 3; k++) {
            static const double mul[] = {1, 2, 5};
            if (mul[k] * d < mx)
                tv[nt++] = mul[k] * d;
        }
    tv[nt++] = mx;
    double last = -100;
    for (int i = 0; i < nt; i++) {
        double x = lx + (mx > 1 ? lw * log(tv[i]) / log(mx) : lw);
        double next = i + 1 < nt ? lx + lw * log(tv[i + 1]) / log(mx) : 1e9;
        if (x - last < 28 || (i + 1 == nt - 1 && next - x < 28))
            continue; /* too close to the previous tick, or crowding the maximum */
        char b[32];
        svg__num(b, sizeof(b), tv[i]);
        fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"36\" text-anchor=\"middle\">%s</text>", x,
                b);
        last = x;
    }
    fprintf(f, "\n<rect x=\"24\" y=\"10\" width=\"14\" height=\"12\" fill=\"#dde2e8\"/><text "
               "class=\"leg\" x=\"44\" y=\"20\">no picks</text>\n");
    fputs("</svg>\n", f);
}

/* ---- routes ---- */

/* x of the aisle a point at x belongs to (x itself when between aisles) */
static double svg__snap(const svg__geo *g, double x)
{
    double best = x, d = 0.45 * g->pitch;
    for (int i = 0; i < g->na; i++)
        if (fabs(g->ax[i] - x) <= d)
            d = fabs(g->ax[i] - x), best = g->ax[i];
    return best;
}

/* walks from (x1,y1) to (x2,y2) along aisles and cross aisles (the
 * distance model of the router): appends " Lx y" commands */
static void svg__walk(FILE *f, const svg__geo *g, const tf *t, double off, double x1, double y1,
                      double x2, double y2)
{
#define LTO(x, y) fprintf(f, " L%.1f %.1f", PX(t, g, x) + off, PY(t, g, y) + off)
    if (g->na == 0) {
        LTO(x2, y2);
        return;
    }
    double a = svg__snap(g, x1), b = svg__snap(g, x2);
    if (a != x1)
        LTO(a, y1);
    if (a != b) {
        double c = g->stops[0], best = INFINITY;
        for (int i = 0; i < g->ns; i++) {
            double d = fabs(y1 - g->stops[i]) + fabs(g->stops[i] - y2);
            if (d < best)
                best = d, c = g->stops[i];
        }
        LTO(a, c);
        LTO(b, c);
    }
    LTO(b, y2);
    if (b != x2)
        LTO(x2, y2);
#undef LTO
}

void svg__route(FILE *f, const sim_metrics *m, const svg__geo *g, const sim__route *r)
{
    const double W = 440, top = 12 + 16.0 * (r->tours > 1 ? 2 : 1);
    tf t = tf_fit(g, W - 20, 380, 200);
    t.ox = (W - t.w) / 2, t.oy = top;
    char label[96];
    snprintf(label, sizeof(label), "Routes of picker %d", r->picker);
    svg__open(f, "route", W, top + t.h + 24, label);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f8f9fa\"/>\n",
            t.ox, t.oy, t.w, t.h);
    if (g->ngrp <= ROUTE_MAX_GROUPS)
        for (int i = 0; i < g->ngrp; i++)
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.2f\" fill=\"#dde2e8\"/>",
                    PX(&t, g, g->grp[i].x - g->colw / 2), PY(&t, g, g->grp[i].y + g->cellh * 0.45),
                    g->colw * t.sx, g->cellh * 0.9 * t.sy);
    fputc('\n', f);
    svg__layout(f, m, g, &t, LAYOUT_LINES);
    int tours = r->tours ? r->tours : (r->n > 0);
    for (int k = 0; k < tours; k++) {
        int a = r->tour_start[k], b = k < r->tours ? r->tour_start[k + 1] : r->n;
        const char *col = tour_colors[k % 4];
        double off = (k - (tours - 1) / 2.0) * 2.0;
        if (b - a < 1)
            continue;
        fprintf(f,
                "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-opacity=\"0.85\" "
                "stroke-linejoin=\"round\" d=\"M%.1f %.1f",
                col, PX(&t, g, r->x[a]) + off, PY(&t, g, r->y[a]) + off);
        for (int i = a + 1; i < b; i++)
            svg__walk(f, g, &t, off, r->x[i - 1], r->y[i - 1], r->x[i], r->y[i]);
        fputs("\"/>\n", f);
        int stops = 0;
        for (int i = a + 1; i < b; i++) {
            if (m->has_depot && r->x[i] == (float)m->depot_x && r->y[i] == (float)m->depot_y)
                continue;
            stops++;
            fprintf(f,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.6\" fill=\"%s\" stroke=\"#fff\" "
                    "stroke-width=\"0.8\"/>",
                    PX(&t, g, r->x[i]) + off, PY(&t, g, r->y[i]) + off, col);
        }
        fputc('\n', f);
        char b2[32];
        svg__num(b2, sizeof(b2), round(r->tour_dist[k]));
        double lx = 10 + (k % 2) * 215, ly = 20 + 16 * (k / 2);
        fprintf(f,
                "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" "
                "stroke-width=\"3\"/><text class=\"leg\" x=\"%.0f\" y=\"%.0f\">tour %d%s: %s m, "
                "%d stops</text>\n",
                lx, ly - 4, lx + 18, ly - 4, col, lx + 24, ly, k + 1,
                k < r->tours ? "" : " (unfinished)", b2, stops);
    }
    svg__layout(f, m, g, &t, LAYOUT_DEPOT);
    fputs("</svg>\n", f);
}
