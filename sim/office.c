/* office.c - the order system (order.create) and the supervisor (waves,
 * held orders) (sim.h). */
#include "sim.h"

#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OX_DROP, OX_DUP, OX_N };

static int stop_here(sim_device *d)
{
    if (!d->s->stopping)
        return 0;
    d->stopped = 1;
    return 1;
}

static void draw(sim_device *d, sim_conn_faults *f)
{
    double x[OX_N];
    for (int i = 0; i < OX_N; i++)
        x[i] = sim_rng_unit(&d->faults);
    f->drop = x[OX_DROP] < d->s->sc.f_drop;
    f->dup = x[OX_DUP] < d->s->sc.f_dup;
}

/* ---- the order system ---- */

static void o_next(sim_device *d);

static void o_on_create(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    sim *s = d->s;
    int o = d->dline;
    sim_dev_record(d, "order.create", r->txn, r);
    s->orders_answered++;
    if (r->ok) {
        char status[24] = "";
        wms_client_get_str(r->result, "status", status, sizeof(status));
        sim_ledger_order(s->ledger, o, status);
        s->orders_created++;
        if (!strcmp(status, "held")) {
            s->orders_held++;
            if (s->n_held == s->cap_held) {
                int cap = s->cap_held ? s->cap_held * 2 : 64;
                sim_held *p = realloc(s->held, (size_t)cap * sizeof(*p));
                if (p != NULL) {
                    s->held = p;
                    s->cap_held = cap;
                }
            }
            if (s->n_held < s->cap_held) {
                s->held[s->n_held].order = o;
                s->held[s->n_held].review_s = sim_now(s) + s->sc.hold_review_s;
                s->n_held++;
            }
        }
    } else {
        sim_dev_unexpected(d, "order.create", r);
    }
    if (stop_here(d))
        return;
    o_next(d);
}

static void o_create(sim_device *d, int o)
{
    sim *s = d->s;
    const sim_order *ord = &s->w->orders[o];
    d->dline = o;
    char txn[SIM_TXN_MAX];
    sim_conn_next_txn(d->conn, txn, sizeof(txn));
    sim_args a;
    sim_args_init(&a);
    sim_args_str(&a, "txn", txn);
    sim_args_str(&a, "order", ord->ref);
    sim_args_str(&a, "customer", s->w->customers[ord->customer].code);
    sim_args_int(&a, "priority", ord->priority);
    if (ord->carrier[0])
        sim_args_str(&a, "carrier", ord->carrier);
    if (ord->cutoff[0])
        sim_args_str(&a, "cutoff", ord->cutoff);
    sim_args_str(&a, "ship_name", ord->ship_name);
    sim_args_str(&a, "ship_street", ord->ship_street);
    sim_args_str(&a, "ship_city", ord->ship_city);
    sim_args_str(&a, "ship_postcode", ord->ship_postcode);
    sim_args_str(&a, "ship_country", ord->ship_country);
    msgpack_packer *pk = sim_args_key(&a, "lines");
    msgpack_pack_array(pk, ord->nlines);
    for (int l = 0; l < ord->nlines; l++) {
        const sim_order_line *ln = &ord->line[l];
        const sim_item *it = &s->w->items[ln->item];
        msgpack_pack_map(pk, ln->min_shelf_days > 0 ? 5 : 4);
        sim_pack_str(pk, "item");
        sim_pack_str(pk, it->sku);
        sim_pack_str(pk, "qty");
        msgpack_pack_int64(pk, ln->qty);
        sim_pack_str(pk, "line");
        msgpack_pack_int(pk, l + 1);
        sim_pack_str(pk, "unit_price_cents");
        msgpack_pack_int64(pk, it->price_cents);
        if (ln->min_shelf_days > 0) {
            sim_pack_str(pk, "min_shelf_life_days");
            msgpack_pack_int(pk, ln->min_shelf_days);
        }
    }
    sim_conn_faults f;
    draw(d, &f);
    sim_dev_call(d, "order.create", &a, txn, &f, o_on_create);
}

static void o_next(sim_device *d)
{
    sim *s = d->s;
    if (stop_here(d))
        return;
    if (s->next_order >= s->w->n_orders) {
        d->stopped = 1; /* every order is in */
        return;
    }
    double now = sim_now(s), at = s->w->orders[s->next_order].arrive_s;
    if (at > now) {
        double wait = at - now;
        sim_dev_wait(d, wait < s->sc.idle_s ? wait : s->sc.idle_s, o_next);
        return;
    }
    o_create(d, s->next_order++);
}

void sim_oms_begin(sim_device *d)
{
    o_next(d);
}

/* ---- the supervisor ---- */

static void s_tick(sim_device *d);

static void s_on_review(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    sim *s = d->s;
    sim_dev_record(d, r->method, r->txn, r);
    if (r->ok) {
        if (!strcmp(r->method, "order.cancel")) {
            sim_ledger_order_cancelled(s->ledger, d->dline);
            s->orders_cancelled++;
        } else {
            s->orders_released++;
        }
    } else {
        sim_dev_unexpected(d, r->method, r);
    }
    if (stop_here(d))
        return;
    s_tick(d);
}

static void s_on_wave(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    sim *s = d->s;
    sim_dev_record(d, "wave.release", r->txn, r);
    if (r->ok) {
        int64_t tasks = 0;
        wms_client_get_int(r->result, "tasks", &tasks);
        s->waves++;
        s->tasks_released += tasks;
    } else if (strcmp(r->code, "NOT_FOUND")) {
        sim_dev_unexpected(d, "wave.release", r);
    }
    d->next_wave_s = sim_now(s) + s->sc.wave_every_s;
    if (stop_here(d))
        return;
    s_tick(d);
}

static void s_tick(sim_device *d)
{
    sim *s = d->s;
    if (stop_here(d))
        return;
    double now = sim_now(s), next = d->next_wave_s;
    /* Held orders due for review, one call at a time. */
    for (int i = 0; i < s->n_held; i++) {
        if (s->held[i].review_s > now) {
            if (s->held[i].review_s < next)
                next = s->held[i].review_s;
            continue;
        }
        int o = s->held[i].order;
        s->held[i] = s->held[--s->n_held];
        d->dline = o;
        int release = sim_rng_unit(&d->beh) < s->sc.release_held;
        char txn[SIM_TXN_MAX];
        sim_conn_next_txn(d->conn, txn, sizeof(txn));
        sim_args a;
        sim_args_init(&a);
        sim_args_str(&a, "txn", txn);
        sim_args_str(&a, "order", s->w->orders[o].ref);
        if (!release)
            sim_args_str(&a, "reason", "credit review: declined");
        sim_conn_faults f;
        draw(d, &f);
        sim_dev_call(d, release ? "order.release" : "order.cancel", &a, txn, &f, s_on_review);
        return;
    }
    if (now >= d->next_wave_s && s->orders_answered < s->backlog_n) {
        /* The first wave waits for the backlog to be in. */
        sim_dev_wait(d, 2, s_tick);
        return;
    }
    if (now >= d->next_wave_s) {
        char txn[SIM_TXN_MAX];
        sim_conn_next_txn(d->conn, txn, sizeof(txn));
        sim_args a;
        sim_args_init(&a);
        sim_args_str(&a, "txn", txn);
        sim_args_str(&a, "method", s->sc.wave_method);
        sim_args_int(&a, "totes", s->sc.wave_totes);
        if (s->sc.wave_max_orders > 0)
            sim_args_int(&a, "max_orders", s->sc.wave_max_orders);
        sim_conn_faults f;
        draw(d, &f);
        sim_dev_call(d, "wave.release", &a, txn, &f, s_on_wave);
        return;
    }
    double wait = next - now;
    sim_dev_wait(d, wait < s->sc.idle_s ? wait : s->sc.idle_s, s_tick);
}

void sim_supervisor_begin(sim_device *d)
{
    d->next_wave_s = 1; /* the first wave right away (after the backlog is in) */
    s_tick(d);
}
