/* scenario.c - scenario keys, defaults, file and flag parsing. */
#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_DBL, K_INT, K_U64, K_STR };

static const struct key {
    const char *name;
    int type;
    size_t off, size;
    double min, max;
} keys[] = {
#define D(n, f, lo, hi)                                                                            \
    {                                                                                              \
        n, K_DBL, offsetof(sim_scenario, f), 0, lo, hi                                             \
    }
#define I(n, f, lo, hi)                                                                            \
    {                                                                                              \
        n, K_INT, offsetof(sim_scenario, f), 0, lo, hi                                             \
    }
#define S(n, f)                                                                                    \
    {                                                                                              \
        n, K_STR, offsetof(sim_scenario, f), sizeof(((sim_scenario *)0)->f), 0, 0                  \
    }
    {"seed", K_U64, offsetof(sim_scenario, seed), 0, 0, 0},
    I("pickers", pickers, 0, SIM_SCEN_MAX_PICKERS),
    I("receivers", receivers, 0, SIM_SCEN_MAX_RECEIVERS),
    I("serial_pickers", serial_pickers, 0, SIM_SCEN_MAX_SERIAL),
    D("duration", duration_s, 1, 1e7),
    D("speed", speed, 0.01, 10000),
    I("bins", bins, 50, 100000),
    I("items", items, 5, 100000),
    I("customers", customers, 1, 100000),
    I("orders", orders, 0, 1000000),
    D("backlog", backlog, 0, 1),
    D("orders_per_picker_hour", orders_per_picker_hour, 0.1, 10000),
    S("order_prefix", order_prefix),
    I("pick_faces", pick_faces, 0, 100000),
    D("walk_mps", walk_mps, 0.05, 20),
    D("scan_s", scan_s, 0, 600),
    D("pick_s", pick_s, 0, 600),
    D("unit_s", unit_s, 0, 600),
    D("idle_s", idle_s, 1, 3600),
    D("tour_s", tour_s, 0, 3600),
    D("wave_every", wave_every_s, 10, 1e6),
    S("wave_method", wave_method),
    I("wave_totes", wave_totes, 1, 64),
    I("wave_max_orders", wave_max_orders, 0, 100000),
    D("hold_review", hold_review_s, 0, 1e6),
    D("release_held", release_held, 0, 1),
    D("inbound_every", inbound_every_s, 10, 1e6),
    D("inbound_cover", inbound_cover, 0, 10),
    D("gs1_share", gs1_share, 0, 1),
    D("unit_scan_share", unit_scan_share, 0, 1),
    D("wrong_bin", f_wrong_bin, 0, 1),
    D("wrong_item", f_wrong_item, 0, 1),
    D("unreadable", f_unreadable, 0, 1),
    D("short", f_short, 0, 1),
    D("drop", f_drop, 0, 1),
    D("dup_frame", f_dup, 0, 1),
    D("serial_corrupt", f_serial_corrupt, 0, 1),
    D("restart_every", restart_every_s, 0, 1e7),
    D("restart_down", restart_down_s, 0, 60),
    I("call_timeout_ms", call_timeout_ms, 100, 600000),
    I("serial_timeout_ms", serial_timeout_ms, 100, 600000),
    S("pin", pin),
#undef D
#undef I
#undef S
};

void sim_scenario_defaults(sim_scenario *s)
{
    memset(s, 0, sizeof(*s));
    s->seed = 1;
    s->pickers = 6;
    s->receivers = 2;
    s->serial_pickers = 0;
    s->duration_s = 3600;
    s->speed = 20;
    s->bins = 903;
    s->items = 300;
    s->customers = 60;
    s->orders = 0;
    s->backlog = 0.25;
    s->orders_per_picker_hour = 40;
    snprintf(s->order_prefix, sizeof(s->order_prefix), "SO");
    s->pick_faces = 30;
    s->walk_mps = 1.0;
    s->scan_s = 2;
    s->pick_s = 6;
    s->unit_s = 1;
    s->idle_s = 30;
    s->tour_s = 60;
    s->wave_every_s = 600;
    snprintf(s->wave_method, sizeof(s->wave_method), "batch");
    s->wave_totes = 8;
    s->wave_max_orders = 0;
    s->hold_review_s = 600;
    s->release_held = 0.8;
    s->inbound_every_s = 900;
    s->inbound_cover = 0.8;
    s->gs1_share = 0.7;
    s->unit_scan_share = 0.1;
    s->f_wrong_bin = 0.02;
    s->f_wrong_item = 0.02;
    s->f_unreadable = 0.03;
    s->f_short = 0.02;
    s->f_drop = 0.01;
    s->f_dup = 0.01;
    s->f_serial_corrupt = 0.02;
    s->restart_every_s = 0;
    s->restart_down_s = 0.5;
    s->call_timeout_ms = 5000;
    s->serial_timeout_ms = 1500;
    snprintf(s->pin, sizeof(s->pin), "2580");
}

int sim_scenario_set(sim_scenario *s, const char *key, const char *value, wms_error *err)
{
    const struct key *k = NULL;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!strcmp(keys[i].name, key))
            k = &keys[i];
    if (k == NULL)
        return wms_error_set(err, WMS_EBAD_ARGS, "unknown scenario key '%s'", key);
    char *end = NULL;
    errno = 0;
    char *base = (char *)s + k->off;
    if (k->type == K_STR) {
        size_t n = strlen(value);
        if (n == 0 || n >= k->size)
            return wms_error_set(err, WMS_EBAD_ARGS, "%s: '%s' must be 1..%zu characters", key,
                                 value, k->size - 1);
        for (const char *p = value; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
                return wms_error_set(err, WMS_EBAD_ARGS,
                                     "%s: '%s' may hold only letters, digits, '-' and '_'", key,
                                     value);
        memcpy(base, value, n + 1);
        return 0;
    }
    if (k->type == K_U64) {
        unsigned long long v = strtoull(value, &end, 10);
        if (errno || end == value || *end || value[0] == '-')
            return wms_error_set(err, WMS_EBAD_ARGS, "%s: '%s' is not an unsigned integer", key,
                                 value);
        *(uint64_t *)(void *)base = v;
        return 0;
    }
    double v = strtod(value, &end);
    if (errno || end == value || *end || !isfinite(v))
        return wms_error_set(err, WMS_EBAD_ARGS, "%s: '%s' is not a number", key, value);
    if (v < k->min || v > k->max)
        return wms_error_set(err, WMS_EBAD_ARGS, "%s: %s is outside %g..%g", key, value, k->min,
                             k->max);
    if (k->type == K_INT) {
        if (v != floor(v))
            return wms_error_set(err, WMS_EBAD_ARGS, "%s: '%s' is not an integer", key, value);
        *(int *)(void *)base = (int)v;
    } else {
        *(double *)(void *)base = v;
    }
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int sim_scenario_load(sim_scenario *s, const char *path, wms_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return wms_error_set(err, WMS_EIO, "cannot read scenario %s: %s", path, strerror(errno));
    char line[512];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        if (strchr(line, '\n') == NULL && !feof(f)) {
            rc = wms_error_set(err, WMS_EBAD_ARGS, "%s:%d: line too long", path, lineno);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        char *t = trim(line);
        if (*t == '\0')
            continue;
        char *eq = strchr(t, '=');
        if (eq == NULL) {
            rc = wms_error_set(err, WMS_EBAD_ARGS, "%s:%d: expected key = value", path, lineno);
            break;
        }
        *eq = '\0';
        wms_error e2;
        wms_error_clear(&e2);
        if (sim_scenario_set(s, trim(t), trim(eq + 1), &e2) < 0)
            rc = wms_error_set(err, WMS_EBAD_ARGS, "%s:%d: %s", path, lineno, e2.msg);
    }
    if (rc == 0 && ferror(f))
        rc = wms_error_set(err, WMS_EIO, "cannot read scenario %s", path);
    fclose(f);
    return rc;
}

int sim_scenario_check(const sim_scenario *s, wms_error *err)
{
    if (s->serial_pickers > s->pickers)
        return wms_error_set(err, WMS_EBAD_ARGS,
                             "serial_pickers (%d) must not exceed pickers (%d): serial pickers "
                             "are pickers on a serial line",
                             s->serial_pickers, s->pickers);
    if (s->customers < 1 || s->items < 5)
        return wms_error_set(err, WMS_EBAD_ARGS, "need at least 1 customer and 5 items");
    if (strcmp(s->wave_method, "batch") && strcmp(s->wave_method, "discrete") &&
        strcmp(s->wave_method, "zone"))
        return wms_error_set(err, WMS_EBAD_ARGS, "wave_method: '%s' is not batch|discrete|zone",
                             s->wave_method);
    size_t pl = strlen(s->pin);
    if (pl < 4 || pl > 12 || strspn(s->pin, "0123456789") != pl)
        return wms_error_set(err, WMS_EBAD_ARGS, "pin must be 4-12 digits");
    return 0;
}

void sim_scenario_print(const sim_scenario *s, FILE *out)
{
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const struct key *k = &keys[i];
        const char *base = (const char *)s + k->off;
        fprintf(out, "%s = ", k->name);
        if (k->type == K_STR)
            fprintf(out, "%s\n", base);
        else if (k->type == K_U64)
            fprintf(out, "%llu\n", (unsigned long long)*(const uint64_t *)(const void *)base);
        else if (k->type == K_INT)
            fprintf(out, "%d\n", *(const int *)(const void *)base);
        else
            fprintf(out, "%g\n", *(const double *)(const void *)base);
    }
}
