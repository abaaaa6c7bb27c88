/* receiver.c - a virtual receiver: receive.scan at the dock, putaway (sim.h). */
#include "sim.h"

#include "client.h"

#include <stdio.h>
#include <string.h>

enum { RX_UNREADABLE, RX_DROP, RX_DUP, RX_N };

static void r_next(sim_device *d);
static void r_receive(sim_device *d);

static int stop_here(sim_device *d)
{
    if (!d->s->stopping)
        return 0;
    d->stopped = 1;
    return 1;
}

static const sim_delivery_line *cur_line(const sim_device *d)
{
    return &d->s->w->dlines[d->dline];
}

/* Delivery whose lines include index l. */
static const sim_delivery *delivery_of(const sim_world *w, int l)
{
    for (int i = 0; i < w->n_deliveries; i++)
        if (l >= w->deliveries[i].first && l < w->deliveries[i].first + w->deliveries[i].n)
            return &w->deliveries[i];
    return NULL;
}

void sim_receiver_begin(sim_device *d)
{
    d->pos = sim_world_loc(d->s->w, d->s->w->dock);
    d->at_depot = 0;
    r_next(d);
}

/* The code the receiver scans for line l (GS1-128 with expiry and lot,
 * a case code, or a unit code). */
static void line_code(const sim_world *w, const sim_delivery_line *l, char *code, size_t n)
{
    const sim_item *it = &w->items[l->item];
    if (l->gs1)
        snprintf(code, n, "]C101%s17%.2s%.2s%.2s10%s", it->case_code, l->expiry + 2, l->expiry + 5,
                 l->expiry + 8, l->lot);
    else if (l->by_unit)
        snprintf(code, n, "%s", it->unit_code);
    else
        snprintf(code, n, "%s", it->case_code);
}

static void r_back_to_dock(sim_device *d)
{
    sim_dev_walk(d, sim_world_loc(d->s->w, d->s->w->dock), 0, 0, r_next);
}

static void r_on_confirm(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    sim *s = d->s;
    int to = sim_world_bin(s->w, d->put_bin);
    int64_t qty = 0;
    if (r->ok)
        wms_client_get_int(r->result, "qty", &qty);
    sim_effect e = {.ok = r->ok,
                    .qty = qty,
                    .item = cur_line(d)->item,
                    .from = s->w->dock,
                    .to = to,
                    .order = -1};
    snprintf(e.txn, sizeof(e.txn), "%s", r->txn);
    snprintf(e.method, sizeof(e.method), "putaway.confirm");
    sim_ledger_add(s->ledger, &e);
    if (r->ok)
        s->putaways++;
    else
        sim_dev_unexpected(d, "putaway.confirm", r);
    if (stop_here(d))
        return;
    r_back_to_dock(d);
}

static void r_confirm(sim_device *d)
{
    sim *s = d->s;
    if (stop_here(d))
        return;
    char txn[SIM_TXN_MAX];
    sim_conn_next_txn(d->conn, txn, sizeof(txn));
    sim_args a;
    sim_args_init(&a);
    sim_args_str(&a, "txn", txn);
    sim_args_str(&a, "from", s->w->bins[s->w->dock].code);
    sim_args_str(&a, "to", d->put_bin);
    sim_args_str(&a, "suggested", d->put_bin);
    sim_args_str(&a, "item", s->w->items[cur_line(d)->item].sku);
    sim_args_int(&a, "qty", d->recv_units);
    if (d->recv_lot[0])
        sim_args_str(&a, "lot", d->recv_lot);
    sim_conn_faults f = {.drop = d->fx[RX_DROP] < s->sc.f_drop, .dup = d->fx[RX_DUP] < s->sc.f_dup};
    sim_dev_call(d, "putaway.confirm", &a, txn, &f, r_on_confirm);
}

static void r_on_suggest(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    sim *s = d->s;
    if (stop_here(d))
        return;
    if (!r->ok || wms_client_get_str(r->result, "bin", d->put_bin, sizeof(d->put_bin)) <= 0 ||
        sim_world_bin(s->w, d->put_bin) < 0) {
        /* No room anywhere: the goods wait at the dock. */
        if (r->ok || strcmp(r->code, "NOT_FOUND"))
            sim_dev_unexpected(d, "putaway.suggest", r);
        sim_dev_wait(d, s->sc.scan_s, r_next);
        return;
    }
    sim_dev_walk(d, sim_world_loc(s->w, sim_world_bin(s->w, d->put_bin)), 0, s->sc.scan_s,
                 r_confirm);
}

static void r_suggest(sim_device *d)
{
    sim *s = d->s;
    sim_args a;
    sim_args_init(&a);
    sim_args_str(&a, "item", s->w->items[cur_line(d)->item].sku);
    sim_args_int(&a, "qty", d->recv_units);
    if (d->recv_lot[0])
        sim_args_str(&a, "lot", d->recv_lot);
    sim_dev_call(d, "putaway.suggest", &a, NULL, NULL, r_on_suggest);
}

static void r_on_receive(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    sim *s = d->s;
    const sim_delivery_line *l = cur_line(d);
    int garbled = d->attempt == 0 && d->fx[RX_UNREADABLE] < s->sc.f_unreadable;
    int64_t qty = 0;
    if (r->ok)
        wms_client_get_int(r->result, "qty", &qty);
    sim_effect e = {
        .ok = r->ok, .qty = qty, .item = l->item, .from = -1, .to = s->w->dock, .order = -1};
    snprintf(e.txn, sizeof(e.txn), "%s", r->txn);
    snprintf(e.method, sizeof(e.method), "receive.scan");
    sim_ledger_add(s->ledger, &e);
    if (garbled) {
        if (!r->ok && (!strcmp(r->code, "BAD_CHECK_DIGIT") || !strcmp(r->code, "UNKNOWN_CODE") ||
                       !strcmp(r->code, "BAD_BARCODE"))) {
            s->faults_expected++;
        } else {
            s->faults_missed++;
            sim_dev_unexpected(d, "receive.scan (injected unreadable code)", r);
        }
        d->attempt = 1;
        if (r->ok) {
            /* booked anyway: put away what was booked */
        } else {
            if (stop_here(d))
                return;
            sim_dev_wait(d, s->sc.scan_s, r_receive);
            return;
        }
    }
    if (!r->ok) {
        sim_dev_unexpected(d, "receive.scan", r);
        if (stop_here(d))
            return;
        sim_dev_wait(d, s->sc.scan_s, r_next);
        return;
    }
    s->receipts++;
    s->receipt_units += qty;
    sim_metrics_receipt(s->m, sim_now(s), qty);
    d->recv_units = qty;
    wms_client_get_str(r->result, "lot", d->recv_lot, sizeof(d->recv_lot));
    if (stop_here(d))
        return;
    r_suggest(d);
}

static void r_receive(sim_device *d)
{
    sim *s = d->s;
    if (stop_here(d))
        return;
    const sim_delivery_line *l = cur_line(d);
    char code[SIM_CODE_MAX + 64];
    line_code(s->w, l, code, sizeof(code));
    int garble = d->attempt == 0 && d->fx[RX_UNREADABLE] < s->sc.f_unreadable;
    if (garble) {
        /* The scanner misreads the code: the check digit comes out wrong.
         * (GS1 strings: the GTIN's check digit, position 17.) */
        size_t at = l->gs1 ? 3 + 2 + 13 : strlen(code) - 1;
        if (at < strlen(code))
            code[at] = (char)('0' + (code[at] - '0' + 1) % 10);
        sim_metrics_fault(s->m, "unreadable");
    }
    char txn[SIM_TXN_MAX];
    sim_conn_next_txn(d->conn, txn, sizeof(txn));
    sim_args a;
    sim_args_init(&a);
    sim_args_str(&a, "txn", txn);
    sim_args_str(&a, "code", code);
    sim_args_int(&a, "qty", l->packs);
    sim_args_str(&a, "bin", s->w->bins[s->w->dock].code);
    if (!l->gs1 && l->lot[0]) {
        sim_args_str(&a, "lot", l->lot);
        sim_args_str(&a, "expiry", l->expiry);
    }
    sim_conn_faults f = {0};
    if (!garble) {
        f.drop = d->fx[RX_DROP] < s->sc.f_drop;
        f.dup = d->fx[RX_DUP] < s->sc.f_dup;
    }
    sim_dev_call(d, "receive.scan", &a, txn, &f, r_on_receive);
}

static void r_next(sim_device *d)
{
    sim *s = d->s;
    const sim_world *w = s->w;
    if (stop_here(d))
        return;
    if (s->next_dline >= w->n_dlines) {
        d->stopped = 1; /* every delivery is in */
        return;
    }
    const sim_delivery *dv = delivery_of(w, s->next_dline);
    double now = sim_now(s);
    if (dv == NULL || dv->arrive_s > now) {
        double wait = dv ? dv->arrive_s - now : s->sc.idle_s;
        sim_dev_wait(d, wait < s->sc.idle_s ? wait : s->sc.idle_s, r_next);
        return;
    }
    d->dline = s->next_dline++;
    d->attempt = 0;
    d->recv_lot[0] = '\0';
    for (int i = 0; i < RX_N; i++)
        d->fx[i] = sim_rng_unit(&d->faults);
    sim_dev_wait(d, s->sc.scan_s, r_receive);
}
