/* devices.c - starting, pacing and stopping the virtual devices (sim.h). */
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double sim_now(const sim *s)
{
    return sim_clock_now(&s->clock);
}

/* ---- physical stock ---- */

int64_t sim_physical(const sim *s, int bin, int item)
{
    int64_t v = sim_ledger_book(s->ledger, bin, item);
    for (int i = 0; i < s->n_miss; i++)
        if (s->miss[i].bin == bin && s->miss[i].item == item)
            v -= s->miss[i].units;
    return v < 0 ? 0 : v;
}

void sim_make_missing(sim *s, int bin, int item, int64_t units)
{
    if (units <= 0)
        return;
    for (int i = 0; i < s->n_miss; i++)
        if (s->miss[i].bin == bin && s->miss[i].item == item) {
            s->miss[i].units += units;
            return;
        }
    if (s->n_miss == s->cap_miss) {
        int cap = s->cap_miss ? s->cap_miss * 2 : 64;
        struct sim_missing *p = realloc(s->miss, (size_t)cap * sizeof(*p));
        if (p == NULL)
            return;
        s->miss = p;
        s->cap_miss = cap;
    }
    s->miss[s->n_miss].bin = bin;
    s->miss[s->n_miss].item = item;
    s->miss[s->n_miss].units = units;
    s->n_miss++;
}

/* ---- pacing ---- */

static void dev_timer_cb(uv_timer_t *t)
{
    sim_device *d = t->data;
    void (*then)(sim_device *) = d->after;
    d->after = NULL;
    if (then != NULL)
        then(d);
}

void sim_dev_wait(sim_device *d, double sim_s, void (*then)(sim_device *d))
{
    d->after = then;
    uv_timer_start(&d->timer, dev_timer_cb, sim_clock_real_ms(&d->s->clock, sim_s), 0);
}

void sim_dev_walk(sim_device *d, wms_pick_loc to, int to_depot, double extra_s,
                  void (*then)(sim_device *d))
{
    sim *s = d->s;
    const wms_layout *l = &s->w->lay;
    double dist;
    if (d->at_depot && to_depot)
        dist = 0;
    else if (d->at_depot)
        dist = wms_route_depot_dist(l, to);
    else if (to_depot)
        dist = wms_route_depot_dist(l, d->pos);
    else
        dist = wms_route_dist(l, d->pos, to);
    if (!isfinite(dist) || dist < 0)
        dist = 0;
    d->at_depot = to_depot;
    if (!to_depot)
        d->pos = to;
    s->walk_m += dist;
    if (d->picker >= 0 && dist > 0) {
        double x = to_depot ? l->depot_x : l->aisle_x[to.aisle];
        sim_metrics_walk(s->m, d->picker, x, to_depot ? 0 : to.y, dist);
    }
    sim_dev_wait(d, dist / s->sc.walk_mps + extra_s, then);
}

int sim_dev_call(sim_device *d, const char *method, sim_args *a, const char *txn,
                 const sim_conn_faults *f, sim_reply_cb cb)
{
    int rc = sim_conn_call(d->conn, method, a, txn, f, cb, d);
    sim_args_free(a);
    return rc;
}

void sim_dev_unexpected(sim_device *d, const char *method, const sim_reply *r)
{
    sim *s = d->s;
    s->errors_unexpected++;
    snprintf(s->last_error, sizeof(s->last_error), "%.40s %.60s: %.47s: %.100s", d->name, method,
             r->code, r->message);
}

void sim_dev_record(sim_device *d, const char *method, const char *txn, const sim_reply *r)
{
    sim_effect e = {.ok = r->ok, .item = -1, .from = -1, .to = -1, .order = -1};
    snprintf(e.txn, sizeof(e.txn), "%s", txn);
    snprintf(e.method, sizeof(e.method), "%s", method);
    sim_ledger_add(d->s->ledger, &e);
}

/* ---- start / stop ---- */

static void on_started(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    if (!r->ok) {
        sim_dev_unexpected(d, "login", r);
        d->stopped = 1;
        return;
    }
    switch (d->kind) {
    case DEV_PICKER:
        sim_picker_begin(d);
        break;
    case DEV_RECEIVER:
        sim_receiver_begin(d);
        break;
    case DEV_OMS:
        sim_oms_begin(d);
        break;
    default:
        sim_supervisor_begin(d);
        break;
    }
}

void sim_devices_init(sim *s)
{
    for (int i = 0; i < s->ndev; i++) {
        sim_device *d = &s->dev[i];
        d->s = s;
        uv_timer_init(s->loop, &d->timer);
        d->timer.data = d;
    }
}

int sim_devices_start(sim *s, wms_error *err)
{
    for (int i = 0; i < s->ndev; i++) {
        sim_device *d = &s->dev[i];
        d->at_depot = 1;
        d->dline = -1;
        sim_rng_seed(&d->faults, s->sc.seed, SIM_RNG_FAULTS, (uint64_t)i);
        sim_rng_seed(&d->beh, s->sc.seed, SIM_RNG_BEHAVIOUR, (uint64_t)i);
        int serial = d->serial_master >= 0;
        sim_conn_opts o = {.loop = s->loop,
                           .clock = &s->clock,
                           .metrics = s->m,
                           .host = s->host,
                           .port = s->port,
                           .serial_fd = d->serial_master,
                           .device = d->name,
                           .user = d->user,
                           .pin = s->sc.pin,
                           .timeout_ms = serial ? s->sc.serial_timeout_ms : s->sc.call_timeout_ms,
                           .serial_corrupt = serial ? s->sc.f_serial_corrupt : 0,
                           .seed = s->sc.seed,
                           .index = (uint64_t)i};
        int rc = sim_conn_new(&o, &d->conn, err);
        if (rc < 0)
            return rc;
    }
    for (int i = 0; i < s->ndev; i++)
        sim_conn_start(s->dev[i].conn, on_started, &s->dev[i]);
    return 0;
}

int sim_devices_busy(const sim *s)
{
    for (int i = 0; i < s->ndev; i++)
        if (s->dev[i].conn != NULL && sim_conn_busy(s->dev[i].conn))
            return 1;
    return 0;
}

void sim_devices_stop(sim *s)
{
    s->stopping = 1;
    for (int i = 0; i < s->ndev; i++) {
        sim_device *d = &s->dev[i];
        /* A device waiting (walking, idle) stops now; one in a call stops
         * when the call's outcome arrives (every step checks stopping). */
        if (!sim_conn_busy(d->conn)) {
            uv_timer_stop(&d->timer);
            d->after = NULL;
            d->stopped = 1;
        }
    }
}

int sim_devices_mark_doubt(sim *s)
{
    int n = 0;
    for (int i = 0; i < s->ndev; i++) {
        sim_device *d = &s->dev[i];
        if (d->conn != NULL && sim_conn_busy(d->conn) && sim_conn_pending_txn(d->conn)[0]) {
            sim_ledger_in_doubt(s->ledger, sim_conn_pending_txn(d->conn),
                                sim_conn_pending_method(d->conn));
            n++;
        }
    }
    return n;
}

void sim_devices_close(sim *s)
{
    for (int i = 0; i < s->ndev; i++) {
        sim_device *d = &s->dev[i];
        sim_conn_free(d->conn);
        d->conn = NULL;
        uv_timer_stop(&d->timer);
        uv_close((uv_handle_t *)&d->timer, NULL);
    }
}
