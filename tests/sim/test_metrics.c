/* test_metrics.c - the wms-sim recorder and its reports: HDR histogram
 * buckets, percentiles against sorted samples, the progress line, the
 * summary, report.json (parsed by Python, totals of a fixed synthetic run),
 * report.html (every <svg> parsed as XML, no links), string cleaning and
 * escaping, and the memory caps under 10 million calls. */
#include "helpers.h"

#include "hdr.h"
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- deterministic PRNG (splitmix64) ---- */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double rng_unit(void) /* (0, 1) */
{
    return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

static int rng_int(int lo, int hi) /* inclusive */
{
    return lo + (int)(rng_next() % (uint64_t)(hi - lo + 1));
}

static double rng_lognormal(double median, double sigma)
{
    double u = rng_unit(), v = rng_unit();
    double z = sqrt(-2 * log(u)) * cos(2 * M_PI * v);
    return median * exp(sigma * z);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* what the recorder stores for a latency: whole nanoseconds */
static uint64_t ns_of(double ms)
{
    return (uint64_t)(ms * 1e6 + 0.5);
}

/* nearest-rank percentile of sorted values */
static uint64_t exact_q(const uint64_t *s, size_t n, double q)
{
    if (q >= 1)
        return s[n - 1];
    size_t r = (size_t)ceil(q * (double)n);
    return s[r < 1 ? 0 : r - 1];
}

static void assert_within_bucket(double est_ms, uint64_t exact_ns)
{
    double exact = (double)exact_ns / 1e6, tol = exact / 128.0 + 1e-6;
    if (fabs(est_ms - exact) > tol)
        fail_msg("percentile %.9f ms, exact %.9f ms (tolerance %.9f)", est_ms, exact, tol);
}

/* ---- HDR buckets ---- */

static void test_hdr_buckets(void **state)
{
    (void)state;
    rng_state = 1;
    int bits[] = {SIM_HDR_FINE_BITS, SIM_HDR_COARSE_BITS};
    for (int b = 0; b < 2; b++) {
        int prev = -1;
        /* exhaustive over small values, then random values of every magnitude */
        for (uint64_t v = 0; v < 5000; v++) {
            int i = sim_hdr_index(v, bits[b]);
            assert_true(i >= prev && i <= prev + 1);
            prev = i;
            assert_true(sim_hdr_lower(i, bits[b]) <= v);
            assert_true(v < sim_hdr_lower(i, bits[b]) + sim_hdr_width(i, bits[b]));
        }
        for (int k = 0; k < 200000; k++) {
            uint64_t v = rng_next() >> (rng_next() % 64);
            int i = sim_hdr_index(v, bits[b]);
            assert_true(i >= 0 && i < SIM_HDR_NBUCKETS(bits[b]));
            uint64_t c = v > SIM_HDR_MAX_VALUE ? SIM_HDR_MAX_VALUE : v;
            uint64_t lo = sim_hdr_lower(i, bits[b]), w = sim_hdr_width(i, bits[b]);
            assert_true(lo <= c && c - lo < w);
            /* relative width bound: 1 / 2^bits of the lower bound */
            assert_true(w == 1 || (w << bits[b]) <= lo);
        }
        assert_int_equal(sim_hdr_index(SIM_HDR_MAX_VALUE, bits[b]), SIM_HDR_NBUCKETS(bits[b]) - 1);
        assert_int_equal(sim_hdr_index(UINT64_MAX, bits[b]), SIM_HDR_NBUCKETS(bits[b]) - 1);
    }
}

/* ---- percentiles of random samples against the sorted array ---- */

static void test_percentiles(void **state)
{
    (void)state;
    enum { N = 200000 };
    static const char *const methods[] = {"pick.confirm", "scan.resolve", "ping"};
    uint64_t *all = malloc(N * sizeof(uint64_t)), *per[3];
    size_t nper[3] = {0, 0, 0};
    assert_non_null(all);
    for (int k = 0; k < 3; k++)
        assert_non_null(per[k] = malloc(N * sizeof(uint64_t)));
    sim_metrics *m = sim_metrics_new();
    assert_non_null(m);
    rng_state = 7;
    for (int i = 0; i < N; i++) {
        int k = rng_int(0, 2);
        double ms;
        switch (rng_int(0, 9)) {
        case 0:
            ms = rng_unit() * 0.05; /* sub-bucket region: tens of microseconds */
            break;
        case 1:
            ms = 20 + rng_unit() * 3000; /* slow tail */
            break;
        default:
            ms = rng_lognormal(k == 0 ? 4 : 1.5, 0.6);
        }
        sim_metrics_call(m, i * 0.01, methods[k], ms, NULL);
        all[i] = ns_of(ms);
        per[k][nper[k]++] = ns_of(ms);
    }
    qsort(all, N, sizeof(uint64_t), cmp_u64);
    static const double qs[] = {0, 0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999, 1};
    for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
        assert_within_bucket(sim_metrics_latency_ms(m, NULL, qs[i]), exact_q(all, N, qs[i]));
    for (int k = 0; k < 3; k++) {
        qsort(per[k], nper[k], sizeof(uint64_t), cmp_u64);
        for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
            assert_within_bucket(sim_metrics_latency_ms(m, methods[k], qs[i]),
                                 exact_q(per[k], nper[k], qs[i]));
        free(per[k]);
    }
    /* the maximum is exact, an unknown method has no latency */
    assert_true(sim_metrics_latency_ms(m, NULL, 1) == (double)all[N - 1] / 1e6);
    assert_true(sim_metrics_latency_ms(m, "no.such", 0.5) == 0);
    free(all);
    sim_metrics_free(m);
}

/* ---- progress line and summary ---- */

static void test_progress_and_summary(void **state)
{
    (void)state;
    sim_metrics *m = sim_metrics_new();
    assert_non_null(m);
    char line[512];
    assert_true(sim_metrics_progress(m, 0, line, sizeof(line)) > 0);
    assert_non_null(strstr(line, "picks 0 (0.0/min)"));
    for (int i = 0; i < 120; i++) /* 120 picks in the first minute */
        sim_metrics_pick(m, i * 0.5, i % 4, "A01-001-L", 2);
    for (int i = 1; i <= 100; i++) /* latencies 1..100 ms */
        sim_metrics_call(m, 59, "pick.confirm", i, i % 10 == 0 ? "WRONG_BIN" : NULL);
    sim_metrics_open_tasks(m, 59, 17);
    int len = sim_metrics_progress(m, 60, line, sizeof(line));
    assert_int_equal(len, (int)strlen(line));
    assert_null(strchr(line, '\n'));
    assert_non_null(strstr(line, "[0:01:00]"));
    assert_non_null(strstr(line, "picks 120 (120.0/min)"));
    assert_non_null(strstr(line, "open tasks 17"));
    assert_non_null(strstr(line, "errors 10"));
    assert_non_null(strstr(line, "p50 50.00 ms p99 99.00 ms"));
    /* a later minute without picks: the rate is of recent picks only */
    sim_metrics_call(m, 200, "ping", 1, NULL);
    sim_metrics_progress(m, 200, line, sizeof(line));
    assert_non_null(strstr(line, "picks 120 (0.0/min)"));
    /* truncation behaves like snprintf */
    char small[8];
    assert_true(sim_metrics_progress(m, 200, small, sizeof(small)) >= (int)sizeof(small));
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_int_equal(sim_metrics_progress(NULL, 0, line, sizeof(line)), -1);

    sim_metrics_run(m, 4, 1, 1, 3600, 120, 30);
    sim_metrics_ledger(m, 0, 50, 2, 1, "bin A01-001-L item SKU-1: journal 5, stock 3");
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    sim_report_summary(m, f);
    fclose(f);
    assert_non_null(strstr(buf, "1:00:00 simulated in 0:02:00 real (speed 30.0x)"));
    assert_non_null(strstr(buf, "120 picks, 240 units; 2.0 picks/min, 30.0 picks per picker-hour"));
    assert_non_null(strstr(buf, "pick.confirm"));
    assert_non_null(strstr(buf, "WRONG_BIN"));
    assert_non_null(strstr(buf, "MISMATCH (50 quants checked, 2 lost, 1 doubled)"));
    assert_non_null(strstr(buf, "journal 5, stock 3"));
    free(buf);
    sim_metrics_free(m);
}

/* ---- a fixed synthetic run ---- */

#define AISLES 16
#define CELLS 40
#define PICKERS 12
#define RUN_S 3600.0
#define SLOTS 360 /* 10-second slots of the run */

typedef struct expect {
    long long picks, units, shorts, missing, calls, errors, receipts, received, tours;
    long long wrong_bin_errors, faults, wrong_bin_faults, restarts;
    double dist;
    uint64_t *lat;
    size_t nlat, cap;
} expect;

static double aisle_x(int a)
{
    return 3.0 + 5.0 * a;
}

static double cell_y(int c)
{
    return 2.0 + c + (c >= CELLS / 2 ? 1.0 : 0.0); /* middle cross aisle at y = 22 */
}

/* walking distance of the router's model (front 0, middle 22, back 44) */
static double walk_dist(double x1, double y1, double x2, double y2)
{
    if (x1 == x2)
        return fabs(y1 - y2);
    static const double c[] = {0, 22, 44};
    double best = INFINITY;
    for (int i = 0; i < 3; i++)
        best = fmin(best, fabs(y1 - c[i]) + fabs(c[i] - y2));
    return fabs(x1 - x2) + best;
}

static void call(sim_metrics *m, expect *e, double t, const char *method, double ms,
                 const char *err)
{
    sim_metrics_call(m, t, method, ms, err);
    e->calls++;
    if (err) {
        e->errors++;
        e->wrong_bin_errors += strcmp(err, "WRONG_BIN") == 0;
    }
    if (e->nlat == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 4096;
        e->lat = realloc(e->lat, e->cap * sizeof(uint64_t));
        assert_non_null(e->lat);
    }
    e->lat[e->nlat++] = ns_of(ms);
}

static void fault(sim_metrics *m, expect *e, const char *kind)
{
    sim_metrics_fault(m, kind);
    e->faults++;
    e->wrong_bin_faults += strcmp(kind, "wrong_bin") == 0;
}

static double latency(double t, double median)
{
    if (t >= 1800 && t < 1830) /* the server restarts: slow answers */
        return 200 + rng_unit() * 600;
    if (rng_unit() < 0.006)
        return 30 + rng_unit() * 120;
    return rng_lognormal(median, 0.45);
}

/* Feeds one hour of 12 pickers and 2 receivers on a 16-aisle layout into m
 * and counts what was fed into e. */
static void synth_run(sim_metrics *m, expect *e)
{
    rng_state = 42;
    memset(e, 0, sizeof(*e));
    sim_metrics_info(m, "scenario", "peak-hour");
    sim_metrics_info(m, "seed", "42");
    sim_metrics_info(m, "server", "127.0.0.1:7878");
    sim_metrics_info(m, "quirks", "say \"hi\" \\ <b>&amp;</b>\n\x01 caf\xc3\xa9 \xff end");
    sim_metrics_run(m, PICKERS, 2, 2, RUN_S, 142.5, RUN_S / 142.5);
    sim_metrics_layout_depot(m, 0, 0);
    sim_metrics_layout_cross(m, 22);
    char code[32];
    static double weight[AISLES * CELLS];
    double wsum = 0;
    for (int a = 0; a < AISLES; a++) {
        snprintf(code, sizeof(code), "A%02d", a + 1);
        sim_metrics_layout_aisle(m, code, aisle_x(a), 44);
        for (int c = 0; c < CELLS; c++) {
            for (int s = 0; s < 2; s++) {
                snprintf(code, sizeof(code), "A%02d-%03d-%c", a + 1, c + 1, s ? 'R' : 'L');
                sim_metrics_bin(m, code, aisle_x(a), cell_y(c));
            }
            /* fast movers slotted near the depot */
            double score = cell_y(c) + 0.6 * aisle_x(a) + 25 * rng_unit();
            weight[a * CELLS + c] = 1.0 / pow(score, 2.2);
            wsum += weight[a * CELLS + c];
        }
    }
    static int per_slot[SLOTS + 1];
    memset(per_slot, 0, sizeof(per_slot));
    for (int p = 0; p < PICKERS; p++) {
        double t = rng_unit() * 20, x = 0, y = 0;
        while (t < RUN_S - 200) {
            int stops[16], k = rng_int(6, 14);
            call(m, e, t, "task.next", latency(t, 2.5), NULL);
            for (int i = 0; i < k; i++) {
                double r = rng_unit() * wsum;
                int b = 0;
                while (b < AISLES * CELLS - 1 && (r -= weight[b]) > 0)
                    b++;
                stops[i] = b;
            }
            /* S-shape order: by aisle, up in even aisles and down in odd ones */
            for (int i = 1; i < k; i++)
                for (int j = i; j > 0; j--) {
                    int a = stops[j - 1], b = stops[j];
                    int sa = a / CELLS, sb = b / CELLS;
                    int before =
                        sa < sb || (sa == sb && ((sa % 2 == 0) ? (a % CELLS <= b % CELLS)
                                                               : (a % CELLS >= b % CELLS)));
                    if (before)
                        break;
                    stops[j - 1] = b, stops[j] = a;
                }
            for (int i = 0; i <= k; i++) {
                double nx = i < k ? aisle_x(stops[i] / CELLS) : 0,
                       ny = i < k ? cell_y(stops[i] % CELLS) : 0;
                double d = walk_dist(x, y, nx, ny);
                sim_metrics_walk(m, p, nx, ny, d);
                e->dist += d;
                t += d / 1.2;
                x = nx, y = ny;
                if (i == k)
                    break;
                snprintf(code, sizeof(code), "A%02d-%03d-%c", stops[i] / CELLS + 1,
                         stops[i] % CELLS + 1, rng_int(0, 1) ? 'R' : 'L');
                if (rng_unit() < 0.015) {
                    fault(m, e, "wrong_bin");
                    call(m, e, t, "pick.scan_bin", latency(t, 1.8), "WRONG_BIN");
                    t += 4;
                }
                const char *err = t >= 1800 && t < 1830 ? "SHUTTING_DOWN" : NULL;
                call(m, e, t, "pick.scan_bin", latency(t, 1.8), err);
                if (rng_unit() < 0.008) {
                    fault(m, e, "unreadable");
                    call(m, e, t, "scan.resolve", latency(t, 1.2), "BAD_BARCODE");
                }
                t += 6 + rng_unit() * 6;
                if (rng_unit() < 0.02) {
                    long long miss = rng_int(1, 4);
                    sim_metrics_short(m, t, p, code, miss);
                    call(m, e, t, "pick.short", latency(t, 4.5), NULL);
                    e->shorts++, e->missing += miss;
                } else {
                    long long u = rng_int(1, 6);
                    call(m, e, t, "pick.confirm", latency(t, 4.5), NULL);
                    sim_metrics_pick(m, t, p, code, u);
                    e->picks++, e->units += u;
                    per_slot[(int)(t / 10) < SLOTS ? (int)(t / 10) : SLOTS]++;
                }
            }
            call(m, e, t, "tote.close", latency(t, 3), NULL);
            sim_metrics_tour_end(m, p);
            e->tours++;
            t += 20 + rng_unit() * 20;
        }
    }
    for (double t = 30; t < RUN_S; t += 60 + rng_unit() * 60) { /* receiving */
        long long u = 24 * rng_int(1, 10);
        for (int i = 0; i < 3; i++)
            call(m, e, t + i, "receive.scan", latency(t, 3.5), NULL);
        call(m, e, t + 3, "receive.close", latency(t, 6), NULL);
        sim_metrics_receipt(m, t + 3, u);
        e->receipts++, e->received += u;
    }
    fault(m, e, "restart");
    e->restarts = 1;
    for (int i = 0; i < 7; i++)
        fault(m, e, i % 2 ? "drop" : "dup_frame");
    long long open = 600, done = 0;
    for (int s = 0; s < SLOTS; s++) {
        if (s % 90 == 0 && s)
            open += 300;
        done += per_slot[s];
        sim_metrics_open_tasks(m, s * 10.0 + 5, open - done > 0 ? open - done : 0);
    }
    sim_metrics_ledger(m, 1, 2534, 0, 0, NULL);
}

/* Python validator: parses report.json (refusing NaN/Infinity) and every
 * <svg> of report.html as XML; prints key=value lines for the C asserts. */
static const char validator[] =
    "import json, re, sys, xml.etree.ElementTree as ET\n"
    "d = sys.argv[1]\n"
    "def bad(c): raise SystemExit('non-finite number in JSON: ' + c)\n"
    "j = json.load(open(d + '/report.json', encoding='utf-8'), parse_constant=bad)\n"
    "raw = open(d + '/report.html', 'rb').read()\n"
    "h = raw.decode('utf-8')\n"
    "svgs = re.findall(r'<svg\\b.*?</svg>', h, re.S)\n"
    "labels = []\n"
    "heat = routes = rpaths = 0\n"
    "for s in svgs:\n"
    "    x = ET.fromstring(s)\n"
    "    labels.append(x.get('aria-label'))\n"
    "    if x.get('class') == 'map':\n"
    "        heat = sum(1 for r in x.iter('rect') if r.find('title') is not None)\n"
    "    if x.get('class') == 'route':\n"
    "        routes += 1\n"
    "        rpaths += sum(1 for p in x.iter('path') if p.get('stroke-opacity'))\n"
    "out = {}\n"
    "def flat(p, v):\n"
    "    if isinstance(v, dict):\n"
    "        for k in v: flat(p + '.' + k if p else k, v[k])\n"
    "    elif not isinstance(v, list): out[p] = v\n"
    "flat('', j)\n"
    "for k in sorted(out): print('%s=%s' % (k, out[k]))\n"
    "ts = j['timeseries']\n"
    "bm = j['latency_ms']['by_method']\n"
    "print('lat.methods=%d' % len(bm))\n"
    "print('lat.sum_method_calls=%d' % sum(v['calls'] for v in bm.values()))\n"
    "print('ts.n=%d' % len(ts['t_s']))\n"
    "print('ts.sum_picks=%d' % sum(ts['picks']))\n"
    "print('ts.sum_calls=%d' % sum(ts['calls']))\n"
    "print('svg.count=%d' % len(svgs))\n"
    "print('svg.heat_rects=%d' % heat)\n"
    "print('svg.routes=%d' % routes)\n"
    "print('svg.route_paths=%d' % rpaths)\n"
    "for l in labels: print('svg.label=%s' % l)\n"
    "print('html.http=%d' % h.lower().count('http'))\n"
    "print('html.external=%d' % "
    "len(re.findall(r'<script|<link|<img|<iframe|@import|src=|url\\((?!#)', h, re.I)))\n"
    "print('html.bytes=%d' % len(raw))\n";

/* value of key in the validator's output, or NULL */
static const char *kv(const char *out, const char *key, char *buf, size_t n)
{
    size_t kl = strlen(key);
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
            const char *v = p + kl + 1, *end = strchr(v, '\n');
            size_t l = end ? (size_t)(end - v) : strlen(v);
            if (l >= n)
                l = n - 1;
            memcpy(buf, v, l);
            buf[l] = 0;
            return buf;
        }
    }
    return NULL;
}

static double kv_num(const char *out, const char *key)
{
    char b[256];
    if (!kv(out, key, b, sizeof(b)))
        fail_msg("report.json has no %s", key);
    return strtod(b, NULL);
}

static void assert_kv(const char *out, const char *key, double want)
{
    double got = kv_num(out, key);
    if (fabs(got - want) > 1e-9 * fmax(1, fabs(want)))
        fail_msg("%s = %.12g, expected %.12g", key, got, want);
}

/* writes the report of m into a new directory; runs the validator on it */
static char *validate(sim_metrics *m, const char *tag, char *dir, size_t n)
{
    char script[600], *out = NULL;
    th_mkdtemp(dir, n, tag);
    assert_int_equal(sim_report_write(m, dir), 0);
    th_write_file(dir, "validate.py", validator, script, sizeof(script));
    int rc = th_run(&out, "PYTHONIOENCODING=utf-8 /usr/bin/python3 %s %s 2>&1", script, dir);
    if (rc != 0)
        fail_msg("validator failed (%d): %s", rc, out);
    return out;
}

static void test_report_synthetic(void **state)
{
    (void)state;
    sim_metrics *m = sim_metrics_new();
    assert_non_null(m);
    expect e;
    synth_run(m, &e);
    char dir[512];
    char *out = validate(m, "sim-report", dir, sizeof(dir));
    print_message("sample report: %s\n", dir);

    assert_kv(out, "throughput.picks", (double)e.picks);
    assert_kv(out, "throughput.units_picked", (double)e.units);
    assert_kv(out, "throughput.calls", (double)e.calls);
    assert_kv(out, "throughput.tours", (double)e.tours);
    assert_kv(out, "throughput.receipts", (double)e.receipts);
    assert_kv(out, "throughput.units_received", (double)e.received);
    assert_kv(out, "throughput.picks_per_min", (double)e.picks / 60.0);
    assert_kv(out, "throughput.picks_per_picker_hour", (double)e.picks / PICKERS);
    assert_kv(out, "travel.per_pick_m", e.dist / (double)e.picks);
    assert_true(fabs(kv_num(out, "travel.distance_m") - e.dist) < 1e-6 * e.dist);
    assert_kv(out, "errors.total", (double)e.errors);
    assert_kv(out, "errors.by_code.WRONG_BIN", (double)e.wrong_bin_errors);
    assert_true(kv_num(out, "errors.by_code.SHUTTING_DOWN") > 0);
    assert_kv(out, "shorts.count", (double)e.shorts);
    assert_kv(out, "shorts.missing_units", (double)e.missing);
    assert_kv(out, "faults.total", (double)e.faults);
    assert_kv(out, "faults.by_kind.wrong_bin", (double)e.wrong_bin_faults);
    assert_kv(out, "faults.by_kind.restart", 1);
    assert_kv(out, "latency_ms.all.calls", (double)e.calls);
    assert_kv(out, "run.pickers", PICKERS);
    assert_kv(out, "run.sim_seconds", RUN_S);
    assert_kv(out, "ts.sum_picks", (double)e.picks);
    assert_kv(out, "ts.sum_calls", (double)e.calls);
    char b[600];
    assert_string_equal(kv(out, "ledger.ok", b, sizeof(b)), "True");
    assert_string_equal(kv(out, "ledger.checked", b, sizeof(b)), "True");
    assert_string_equal(kv(out, "info.scenario", b, sizeof(b)), "peak-hour");
    /* strings are cleaned (control characters, invalid UTF-8) and escaped */
    assert_string_equal(kv(out, "info.quirks", b, sizeof(b)),
                        "say \"hi\" \\ <b>&amp;</b>   caf\xc3\xa9 ? end");

    /* latency percentiles in the JSON against the exact sorted samples */
    qsort(e.lat, e.nlat, sizeof(uint64_t), cmp_u64);
    assert_within_bucket(kv_num(out, "latency_ms.all.p50"), exact_q(e.lat, e.nlat, 0.5));
    assert_within_bucket(kv_num(out, "latency_ms.all.p90"), exact_q(e.lat, e.nlat, 0.9));
    assert_within_bucket(kv_num(out, "latency_ms.all.p99"), exact_q(e.lat, e.nlat, 0.99));
    assert_kv(out, "latency_ms.all.max", (double)e.lat[e.nlat - 1] / 1e6);
    assert_true(kv_num(out, "latency_ms.by_method.pick.confirm.p50") > 3);

    /* the HTML: every drawing present and well-formed, nothing external */
    assert_true(kv_num(out, "svg.count") >= 11);
    assert_kv(out, "svg.heat_rects", AISLES * CELLS * 2);
    assert_kv(out, "svg.routes", 6);
    assert_kv(out, "svg.route_paths", 6 * 3);
    static const char *const want[] = {"Picks per minute over simulated time",
                                       "RPC calls and errors per second",
                                       "Open tasks over simulated time",
                                       "Latency percentiles over simulated time",
                                       "Latency histogram of all calls",
                                       "Pick activity heat map over the layout",
                                       "Routes of picker 0"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        char line[128];
        snprintf(line, sizeof(line), "svg.label=%s\n", want[i]);
        if (!strstr(out, line))
            fail_msg("report.html lacks the drawing \"%s\"", want[i]);
    }
    assert_kv(out, "html.http", 0);
    assert_kv(out, "html.external", 0);
    assert_true(kv_num(out, "html.bytes") < 2e6);
    free(out);
    free(e.lat);
    sim_metrics_free(m);
}

/* ---- edge cases: empty run, non-finite inputs, failing ledger, write errors ---- */

static void test_report_edges(void **state)
{
    (void)state;
    sim_metrics *m = sim_metrics_new();
    assert_non_null(m);
    char dir[512];
    char *out = validate(m, "sim-empty", dir, sizeof(dir)); /* nothing recorded */
    assert_kv(out, "throughput.picks", 0);
    assert_kv(out, "latency_ms.all.p99", 0);
    assert_kv(out, "html.http", 0);
    free(out);

    sim_metrics_run(m, 0, 0, 0, NAN, INFINITY, -1);
    sim_metrics_call(m, NAN, "ping", NAN, NULL);
    sim_metrics_call(m, INFINITY, NULL, -5, "");
    sim_metrics_call(m, -3, "", 1e300, "E\"</svg>");
    sim_metrics_pick(m, 1e300, 1, NULL, -4);
    sim_metrics_walk(m, 1, NAN, 1, INFINITY);
    sim_metrics_bin(m, "X", NAN, 0);
    sim_metrics_layout_aisle(m, "A", 1, NAN);
    sim_metrics_ledger(m, 0, 10, 1, 0, "bin \"B1\": lost 1\n<script>");
    out = validate(m, "sim-edges", dir, sizeof(dir));
    assert_kv(out, "throughput.calls", 3);
    assert_kv(out, "caps.calls_without_latency", 1);
    assert_kv(out, "errors.by_code.(none)", 1);
    assert_kv(out, "errors.by_code.E\"</svg>", 1);
    assert_kv(out, "latency_ms.by_method.(none).calls", 2);
    char b[256];
    assert_string_equal(kv(out, "ledger.ok", b, sizeof(b)), "False");
    assert_kv(out, "html.external", 0); /* the "<script>" of the detail is escaped */
    free(out);

    /* a stream that fails, a directory that cannot exist */
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        setvbuf(full, NULL, _IONBF, 0);
        assert_int_equal(sim_report_json(m, full), -EIO);
        assert_int_equal(sim_report_html(m, full), -EIO);
        fclose(full);
    }
    assert_int_equal(sim_report_write(m, "/nonexistent-dir/sub"), -ENOENT);
    assert_int_equal(sim_report_write(NULL, dir), -EINVAL);
    sim_metrics_free(m);

    /* NULL recorder: every call is a no-op */
    sim_metrics_call(NULL, 0, "x", 1, NULL);
    sim_metrics_pick(NULL, 0, 0, "b", 1);
    sim_report_summary(NULL, stdout);
    assert_int_equal(sim_metrics_memory(NULL), 0);
}

/* ---- caps: 10 million calls and far more names than the caps ---- */

static void test_caps(void **state)
{
    (void)state;
    enum { NAMES = 1000 };
    static char names[NAMES][24], codes[NAMES][24];
    for (int i = 0; i < NAMES; i++) {
        snprintf(names[i], sizeof(names[i]), "method.%d", i);
        snprintf(codes[i], sizeof(codes[i]), "CODE_%d", i);
    }
    sim_metrics *m = sim_metrics_new();
    assert_non_null(m);
    char buf[80];
    for (int i = 0; i < 300; i++) { /* more of everything than the caps */
        snprintf(buf, sizeof(buf), "key%d", i);
        sim_metrics_info(m, buf, "v");
        snprintf(buf, sizeof(buf), "kind%d", i);
        sim_metrics_fault(m, buf);
        sim_metrics_layout_cross(m, i);
    }
    for (int i = 0; i < 6000; i++) {
        snprintf(buf, sizeof(buf), "A%d", i);
        sim_metrics_layout_aisle(m, buf, i * 3.0, 40);
    }
    rng_state = 99;
    size_t mem_1m = 0;
    clock_t c0 = clock();
    const long total = 10 * 1000 * 1000;
    for (long i = 0; i < total; i++) {
        double t = (double)i * 0.5; /* 5 million simulated seconds */
        int k = (int)(rng_next() % NAMES);
        sim_metrics_call(m, t, names[k], rng_lognormal(2, 1), i % 7 == 0 ? codes[k] : NULL);
        if (i % 10 == 0) {
            int bin = (int)(i / 10 % 200000), picker = (int)(i % 10007);
            /* long codes: the string arena fills up as far as it can */
            snprintf(buf, sizeof(buf), "B%06d-%s", bin,
                     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
            if (i < 2000000)
                sim_metrics_bin(m, buf, bin % 1000, bin / 1000);
            sim_metrics_pick(m, t, picker, buf, 1);
            sim_metrics_walk(m, picker % 20, bin % 1000, bin / 1000, 3);
            if (i % 200 == 0)
                sim_metrics_tour_end(m, picker % 20);
        }
        if (i == 1000000)
            mem_1m = sim_metrics_memory(m);
    }
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    size_t mem = sim_metrics_memory(m);
    print_message("10M calls: %.2f s CPU (%.0f ns per call incl. picks), recorder %.2f MiB "
                  "(%.2f MiB after 1M)\n",
                  secs, secs * 1e9 / total, mem / 1048576.0, mem_1m / 1048576.0);
    assert_true(mem <= SIM_METRICS_MAX_BYTES);
    /* all tables reached their caps in the first million calls: no growth after */
    assert_int_equal(mem, mem_1m);
    char line[512];
    assert_true(sim_metrics_progress(m, total * 0.5, line, sizeof(line)) > 0);
    assert_non_null(strstr(line, "calls 10000000"));
    char dir[512];
    char *out = validate(m, "sim-caps", dir, sizeof(dir));
    assert_kv(out, "throughput.calls", (double)total);
    assert_kv(out, "throughput.picks", (double)total / 10);
    assert_kv(out, "caps.bins_tracked", SIM_MAX_BINS);
    assert_kv(out, "caps.pickers_tracked", SIM_MAX_PICKERS);
    assert_kv(out, "caps.picks_in_bins_over_cap", (double)total / 10 - 65536.0 * 5);
    char b[64];
    assert_string_equal(kv(out, "caps.methods_over_cap", b, sizeof(b)), "True");
    assert_kv(out, "lat.methods", SIM_MAX_METHODS + 1); /* the cap and "(other)" */
    assert_kv(out, "lat.sum_method_calls", (double)total);
    assert_true(kv_num(out, "latency_ms.by_method.(other).calls") > total / 2);
    assert_true(kv_num(out, "ts.n") <= SIM_TS_CAP);
    assert_kv(out, "ts.sum_calls", (double)total);
    assert_kv(out, "svg.routes", SIM_ROUTE_PICKERS);
    assert_true(kv_num(out, "svg.heat_rects") <= 20000);
    assert_true(kv_num(out, "html.bytes") < 8e6);
    free(out);
    sim_metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hdr_buckets),          cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_progress_and_summary), cmocka_unit_test(test_report_synthetic),
        cmocka_unit_test(test_report_edges),         cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
