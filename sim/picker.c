/* picker.c - a virtual picker: tasks, walking, scans, confirms, shorts (sim.h). */
#include "sim.h"

#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FX_WRONG_BIN, FX_WRONG_ITEM, FX_UNREADABLE, FX_SHORT, FX_SHORT_FRAC, FX_DROP, FX_DUP, FX_N };
/* Attempts at a bin visit, in this order; the real confirms come last. */
enum { AT_WRONG_BIN, AT_WRONG_ITEM, AT_UNREADABLE, AT_REAL };

#define MAX_TASK_FAILS 3

static void p_next(sim_device *d);
static void p_take(sim_device *d, const msgpack_object *task);
static void p_at_bin(sim_device *d);
static void p_attempt(sim_device *d);
static void p_after_task(sim_device *d, const msgpack_object *next);

static int64_t get_int(const msgpack_object *o, const char *key)
{
    int64_t v = 0;
    wms_client_get_int(o, key, &v);
    return v;
}

static int stop_here(sim_device *d)
{
    if (!d->s->stopping)
        return 0;
    d->stopped = 1;
    return 1;
}

static void p_faults(sim_device *d, sim_conn_faults *f)
{
    f->drop = d->fx[FX_DROP] < d->s->sc.f_drop;
    f->dup = d->fx[FX_DUP] < d->s->sc.f_dup;
}

/* ---- task.next ---- */

static void p_on_next(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    if (stop_here(d))
        return;
    if (!r->ok) {
        sim_dev_unexpected(d, "task.next", r);
        sim_dev_wait(d, d->s->sc.idle_s, p_next);
        return;
    }
    const msgpack_object *t = wms_client_get_map(r->result, "task");
    int64_t waiting = 0;
    if (t == NULL && wms_client_get_int(r->result, "waiting", &waiting) == 0 && waiting > 0)
        d->s->waiting_polls++; /* holding picks that wait for a replenishment */
    if (t == NULL) {
        sim_dev_wait(d, d->s->sc.idle_s, p_next);
        return;
    }
    p_take(d, t);
}

static void p_next(sim_device *d)
{
    if (stop_here(d))
        return;
    d->has_task = 0;
    sim_args a;
    sim_args_init(&a);
    sim_dev_call(d, "task.next", &a, NULL, NULL, p_on_next);
}

void sim_picker_begin(sim_device *d)
{
    p_next(d);
}

/* ---- a task ---- */

static void p_walk_to_bin(sim_device *d)
{
    sim_dev_walk(d, sim_world_loc(d->s->w, d->task.bin_idx), 0, d->s->sc.scan_s, p_at_bin);
}

static void p_on_assign(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    sim_dev_record(d, "tote.assign", r->txn, r);
    if (!r->ok) {
        sim_dev_unexpected(d, "tote.assign", r);
        d->task.tote_code[0] = '\0'; /* the first pick's tote scan assigns it */
    } else if (d->n_totes < 64) {
        snprintf(d->totes[d->n_totes++], sizeof(d->totes[0]), "%s", d->task.tote_code);
    }
    if (stop_here(d))
        return;
    p_walk_to_bin(d);
}

/* Reads a task map into *k (indices into the world resolved). */
static void parse_task(const sim *s, const msgpack_object *t, sim_task *k)
{
    memset(k, 0, sizeof(*k));
    k->id = get_int(t, "id");
    wms_client_get_str(t, "kind", k->kind, sizeof(k->kind));
    k->wave = get_int(t, "wave");
    k->tour = get_int(t, "tour");
    k->line = get_int(t, "line");
    wms_client_get_str(t, "order", k->order, sizeof(k->order));
    wms_client_get_str(t, "bin", k->bin, sizeof(k->bin));
    wms_client_get_str(t, "to_bin", k->to_bin, sizeof(k->to_bin));
    wms_client_get_str(t, "sku", k->sku, sizeof(k->sku));
    wms_client_get_str(t, "lot", k->lot, sizeof(k->lot));
    wms_client_get_str(t, "expiry", k->expiry, sizeof(k->expiry));
    k->qty = get_int(t, "qty");
    k->case_units = get_int(t, "case_units");
    wms_client_get_str(t, "tote", k->slot, sizeof(k->slot));
    wms_client_get_str(t, "tote_code", k->tote_code, sizeof(k->tote_code));
    k->bin_idx = sim_world_bin(s->w, k->bin);
    k->to_idx = k->to_bin[0] ? sim_world_bin(s->w, k->to_bin) : -1;
    k->item = sim_world_item(s->w, k->sku);
    k->order_idx = -1;
    for (int o = 0; k->order[0] && o < s->w->n_orders; o++)
        if (!strcmp(s->w->orders[o].ref, k->order)) {
            k->order_idx = o;
            break;
        }
}

static void p_tour_end(sim_device *d);

/* Starts work on d->task: a tote for a new cart slot, then the walk. */
static void p_start(sim_device *d)
{
    sim_task *k = &d->task;
    d->has_task = 1;
    d->attempt = 0;
    d->cur_wave = k->wave;
    d->cur_tour = k->tour;
    if (k->bin_idx < 0 || k->item < 0 || k->qty <= 0 || (k->to_bin[0] && k->to_idx < 0)) {
        sim_reply r = {.ok = 0};
        snprintf(r.code, sizeof(r.code), "SIM");
        snprintf(r.message, sizeof(r.message), "task %lld names an unknown bin or item (%s, %s)",
                 (long long)k->id, k->bin, k->sku);
        sim_dev_unexpected(d, "task.next", &r);
        fprintf(stderr, "\nwms-sim: %s stops: %s\n", d->name, r.message);
        d->stopped = 1; /* cannot act on it: this picker stops */
        return;
    }
    if (!strcmp(k->kind, "pick") && k->slot[0] && k->tote_code[0] == '\0') {
        /* A new slot on the cart: put a fresh tote in it. */
        snprintf(k->tote_code, sizeof(k->tote_code), "TOTE-%s-%d", d->name, ++d->tote_seq);
        char txn[SIM_TXN_MAX];
        sim_conn_next_txn(d->conn, txn, sizeof(txn));
        sim_args a;
        sim_args_init(&a);
        sim_args_str(&a, "txn", txn);
        sim_args_str(&a, "tote", k->slot);
        sim_args_str(&a, "code", k->tote_code);
        sim_dev_call(d, "tote.assign", &a, txn, NULL, p_on_assign);
        return;
    }
    p_walk_to_bin(d);
}

/* A task handed out (by task.next, or as "next" in an answer: parsed now,
 * while the answer is alive).  A task of another tour ends the current one
 * first: back to the depot, totes closed, then the new tour. */
static void p_take(sim_device *d, const msgpack_object *t)
{
    parse_task(d->s, t, &d->pending);
    if (d->n_totes > 0 && (d->pending.wave != d->cur_wave || d->pending.tour != d->cur_tour)) {
        d->has_pending = 1;
        p_tour_end(d);
        return;
    }
    d->task = d->pending;
    d->has_pending = 0;
    p_start(d);
}

/* ---- at the bin ---- */

static const sim_item *task_item(const sim_device *d)
{
    return &d->s->w->items[d->task.item];
}

static void p_at_bin(sim_device *d)
{
    sim *s = d->s;
    sim_task *k = &d->task;
    if (stop_here(d))
        return;
    /* This visit's fault draws: always FX_N numbers, whatever is used. */
    for (int i = 0; i < FX_N; i++)
        d->fx[i] = sim_rng_unit(&d->faults);
    int pick = !strcmp(k->kind, "pick");
    if (pick && d->fx[FX_SHORT] < s->sc.f_short) {
        /* Secretly, all but `found` units of the item leave the bin. */
        int64_t found = (int64_t)(d->fx[FX_SHORT_FRAC] * (double)k->qty);
        int64_t phys = sim_physical(s, k->bin_idx, k->item);
        if (phys > found) {
            sim_make_missing(s, k->bin_idx, k->item, phys - found);
            sim_metrics_fault(s->m, "short");
        }
    }
    d->attempt = AT_WRONG_BIN;
    p_attempt(d);
}

/* The item code the picker scans for `units` units: a case code for whole
 * cases, a GS1 code with the task's lot for some lot picks, else the unit
 * code.  *packs gets the scans' qty, *got the units they book. */
static void item_scan(sim_device *d, int64_t left, char *code, size_t n, int64_t *packs,
                      int64_t *got)
{
    const sim_item *it = task_item(d);
    const sim_task *k = &d->task;
    double u = sim_rng_unit(&d->beh);
    int64_t cu = it->case_units;
    if (it->case_code[0] && cu > 1 && cu == k->case_units && left >= cu) {
        snprintf(code, n, "%s", it->case_code);
        *packs = left / cu;
        *got = *packs * cu;
        return;
    }
    if (k->lot[0] && k->expiry[0] && !it->unit_internal && strlen(it->unit_code) == 13 &&
        u < d->s->sc.gs1_share) {
        snprintf(code, n, "]C1010%s17%.2s%.2s%.2s10%s", it->unit_code, k->expiry + 2, k->expiry + 5,
                 k->expiry + 8, k->lot);
    } else {
        snprintf(code, n, "%s", it->unit_code);
    }
    *packs = left;
    *got = left;
}

/* A code the scanner cannot read right: its last (check) digit is off. */
static void garble(char *code)
{
    size_t n = strlen(code);
    if (n == 0)
        return;
    char *c = &code[n - 1];
    *c = (*c >= '0' && *c <= '9') ? (char)('0' + (*c - '0' + 1) % 10) : '0';
}

static void p_on_confirm(void *ctx, const sim_reply *r);

static void p_send_confirm(sim_device *d)
{
    sim *s = d->s;
    sim_task *k = &d->task;
    const sim_item *it = task_item(d);
    char code[SIM_CODE_MAX + 64], bin[WMS_SKU_MAX + 1];
    int64_t packs = 1, got = 0;
    snprintf(bin, sizeof(bin), "%s", k->bin);
    item_scan(d, k->qty, code, sizeof(code), &packs, &got);
    sim_conn_faults f = {0};
    if (d->attempt == AT_WRONG_BIN) {
        int b = (int)sim_rng_below(&d->beh, s->w->n_bins);
        if (b == k->bin_idx)
            b = (b + 1) % s->w->n_bins;
        snprintf(bin, sizeof(bin), "%s", s->w->bins[b].code);
        sim_metrics_fault(s->m, "wrong_bin");
    } else if (d->attempt == AT_WRONG_ITEM) {
        int other = (int)sim_rng_below(&d->beh, s->w->n_items);
        for (int i = 0; i < s->w->n_items; i++, other = (other + 1) % s->w->n_items)
            if (other != k->item && s->w->items[other].unit_code[0] &&
                !s->w->items[other].ambiguous)
                break;
        snprintf(code, sizeof(code), "%s", s->w->items[other].unit_code);
        packs = 1;
        sim_metrics_fault(s->m, "wrong_item");
    } else if (d->attempt == AT_UNREADABLE) {
        snprintf(code, sizeof(code), "%s", it->unit_code);
        garble(code);
        packs = 1;
        sim_metrics_fault(s->m, "unreadable");
    } else if (d->attempt == AT_REAL) {
        p_faults(d, &f); /* the visit's first real confirm */
    }
    d->want = got;
    char txn[SIM_TXN_MAX];
    sim_conn_next_txn(d->conn, txn, sizeof(txn));
    sim_args a;
    sim_args_init(&a);
    sim_args_str(&a, "txn", txn);
    sim_args_int(&a, "task", k->id);
    sim_args_str(&a, "bin", bin);
    sim_args_str(&a, "code", code);
    sim_args_int(&a, "qty", packs);
    if (k->tote_code[0])
        sim_args_str(&a, "tote", k->tote_code);
    if (k->to_bin[0])
        sim_args_str(&a, "to_bin", k->to_bin);
    sim_dev_call(d, "pick.confirm", &a, txn, &f, p_on_confirm);
}

static void p_on_short(void *ctx, const sim_reply *r);

static void p_send_short(sim_device *d, int64_t found)
{
    sim_task *k = &d->task;
    sim_conn_faults f;
    p_faults(d, &f);
    d->want = found;
    char txn[SIM_TXN_MAX];
    sim_conn_next_txn(d->conn, txn, sizeof(txn));
    sim_args a;
    sim_args_init(&a);
    sim_args_str(&a, "txn", txn);
    sim_args_int(&a, "task", k->id);
    sim_args_int(&a, "qty_found", found);
    sim_args_str(&a, "reason", "not in the bin");
    if (k->tote_code[0])
        sim_args_str(&a, "tote", k->tote_code);
    sim_dev_call(d, "pick.short", &a, txn, &f, p_on_short);
}

static void p_attempt(sim_device *d)
{
    sim *s = d->s;
    sim_task *k = &d->task;
    if (stop_here(d))
        return;
    /* The injected scan faults, each at most once per visit. */
    while (d->attempt < AT_REAL) {
        double rate = d->attempt == AT_WRONG_BIN    ? s->sc.f_wrong_bin
                      : d->attempt == AT_WRONG_ITEM ? s->sc.f_wrong_item
                                                    : s->sc.f_unreadable;
        if (d->fx[d->attempt] < rate) {
            p_send_confirm(d);
            return;
        }
        d->attempt++;
    }
    int pick = !strcmp(k->kind, "pick");
    int64_t phys = sim_physical(s, k->bin_idx, k->item);
    if (pick && phys < k->qty) {
        p_send_short(d, phys);
        return;
    }
    if (!pick && k->to_idx >= 0 &&
        (d->at_depot || d->pos.aisle != s->w->bins[k->to_idx].aisle ||
         d->pos.y != s->w->bins[k->to_idx].y)) {
        /* Replenishment: carry the goods to the pick face, then confirm. */
        sim_dev_walk(d, sim_world_loc(s->w, k->to_idx), 0, s->sc.scan_s, p_send_confirm);
        return;
    }
    p_send_confirm(d);
}

static int expected_error(int attempt, const char *code)
{
    if (attempt == AT_WRONG_BIN)
        return !strcmp(code, "WRONG_BIN");
    if (attempt == AT_WRONG_ITEM)
        return !strcmp(code, "WRONG_ITEM");
    if (attempt == AT_UNREADABLE)
        return !strcmp(code, "BAD_CHECK_DIGIT") || !strcmp(code, "UNKNOWN_CODE") ||
               !strcmp(code, "BAD_BARCODE");
    return 0;
}

/* Records an acknowledged pick/replenish move of `units`. */
static void record_move(sim_device *d, const char *method, const char *txn, int ok, int64_t units)
{
    sim *s = d->s;
    sim_task *k = &d->task;
    int pick = !strcmp(k->kind, "pick");
    sim_effect e = {.ok = ok,
                    .qty = ok ? units : 0,
                    .item = k->item,
                    .from = k->bin_idx,
                    .to = pick ? SIM_BIN_OUTBOUND : k->to_idx,
                    .order = pick ? k->order_idx : -1,
                    .line = (int)k->line};
    snprintf(e.txn, sizeof(e.txn), "%s", txn);
    snprintf(e.method, sizeof(e.method), "%s", method);
    sim_ledger_add(s->ledger, &e);
}

static void p_task_failed(sim_device *d, const char *method, const sim_reply *r)
{
    sim_dev_unexpected(d, method, r);
    if (d->fail_task == d->task.id) {
        if (++d->fail_count >= MAX_TASK_FAILS) {
            /* The same task keeps failing, and task.next would hand it out
             * again: this picker can do nothing more. */
            fprintf(stderr,
                    "\nwms-sim: %s gives up: task %lld (%s %s, %lld units at %s) "
                    "failed %d times: %s: %s\n",
                    d->name, (long long)d->task.id, d->task.kind, d->task.sku,
                    (long long)d->task.qty, d->task.bin, d->fail_count, r->code, r->message);
            d->s->pickers_stuck++;
            d->stopped = 1;
            return;
        }
    } else {
        d->fail_task = d->task.id;
        d->fail_count = 1;
    }
    sim_dev_wait(d, d->s->sc.idle_s, p_next);
}

static void p_on_confirm(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    sim *s = d->s;
    sim_task *k = &d->task;
    int fault = d->attempt < AT_REAL;
    int64_t picked = 0;
    if (r->ok)
        wms_client_get_int(r->result, "picked", &picked);
    record_move(d, "pick.confirm", r->txn, r->ok, picked);
    const msgpack_object *next = r->ok ? wms_client_find(r->result, "next") : NULL;
    if (fault) {
        if (!r->ok && expected_error(d->attempt, r->code)) {
            s->faults_expected++;
        } else {
            s->faults_missed++;
            sim_dev_unexpected(d, "pick.confirm (injected bad scan)", r);
        }
        d->attempt++;
        if (r->ok)
            k->qty -= picked; /* accepted anyway: carry on with what is left */
        if (stop_here(d))
            return;
        if (k->qty <= 0) {
            s->tasks_closed += !strcmp(k->kind, "pick");
            p_after_task(d, next);
            return;
        }
        sim_dev_wait(d, s->sc.scan_s, p_attempt);
        return;
    }
    if (!r->ok) {
        if (stop_here(d))
            return;
        p_task_failed(d, "pick.confirm", r);
        return;
    }
    d->fail_task = 0;
    if (!strcmp(k->kind, "pick")) {
        s->picks++;
        s->pick_units += picked;
        sim_metrics_pick(s->m, sim_now(s), d->picker, k->bin, picked);
    }
    int64_t left = 0;
    wms_client_get_int(r->result, "left", &left);
    char tote[65] = "";
    if (wms_client_get_str(r->result, "tote", tote, sizeof(tote)) > 0)
        snprintf(k->tote_code, sizeof(k->tote_code), "%s", tote);
    k->qty = left;
    d->attempt = AT_REAL + 1; /* later confirms of this visit: no network faults */
    if (stop_here(d))
        return;
    if (left > 0) {
        sim_dev_wait(d, s->sc.pick_s + s->sc.unit_s * (double)picked, p_attempt);
        return;
    }
    if (!strcmp(k->kind, "pick"))
        s->tasks_closed++; /* wave.release counts pick tasks */
    p_after_task(d, next);
}

static void p_on_short(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    sim *s = d->s;
    sim_task *k = &d->task;
    int64_t found = 0, missing = 0, new_tasks = 0;
    if (r->ok) {
        wms_client_get_int(r->result, "found", &found);
        wms_client_get_int(r->result, "missing", &missing);
        wms_client_get_int(r->result, "new_tasks", &new_tasks);
    }
    record_move(d, "pick.short", r->txn, r->ok, found);
    if (!r->ok) {
        if (stop_here(d))
            return;
        p_task_failed(d, "pick.short", r);
        return;
    }
    d->fail_task = 0;
    s->shorts++;
    s->short_units += missing;
    s->tasks_closed++;
    s->tasks_released += new_tasks;
    sim_metrics_short(s->m, sim_now(s), d->picker, k->bin, missing);
    if (found > 0) {
        s->picks++;
        s->pick_units += found;
        sim_metrics_pick(s->m, sim_now(s), d->picker, k->bin, found);
    }
    if (stop_here(d))
        return;
    p_after_task(d, wms_client_find(r->result, "next"));
}

/* ---- the end of a tour: back to the depot, close the totes ---- */

static void p_close_tote(sim_device *d);

/* The next tour's first task, handed out before the depot. */
static void p_start_pending(sim_device *d)
{
    if (stop_here(d))
        return;
    d->task = d->pending;
    d->has_pending = 0;
    p_start(d);
}

static void p_on_close(void *ctx, const sim_reply *r)
{
    sim_device *d = ctx;
    sim_dev_record(d, "tote.close", r->txn, r);
    if (!r->ok)
        sim_dev_unexpected(d, "tote.close", r);
    if (stop_here(d))
        return;
    p_close_tote(d);
}

static void p_close_tote(sim_device *d)
{
    if (stop_here(d))
        return;
    if (d->close_next >= d->n_totes) {
        d->n_totes = 0;
        d->close_next = 0;
        d->s->tours++;
        d->tours++;
        sim_metrics_tour_end(d->s->m, d->picker);
        sim_dev_wait(d, d->s->sc.tour_s / 2, d->has_pending ? p_start_pending : p_next);
        return;
    }
    char txn[SIM_TXN_MAX];
    sim_conn_next_txn(d->conn, txn, sizeof(txn));
    sim_args a;
    sim_args_init(&a);
    sim_args_str(&a, "txn", txn);
    sim_args_str(&a, "code", d->totes[d->close_next++]);
    sim_dev_call(d, "tote.close", &a, txn, NULL, p_on_close);
}

static void p_at_depot(sim_device *d)
{
    d->close_next = 0;
    p_close_tote(d);
}

static void p_tour_end(sim_device *d)
{
    d->has_task = 0;
    sim_dev_walk(d, d->pos, 1, d->s->sc.tour_s / 2, p_at_depot);
}

/* After a task: the next one (it came with the answer), or back to the
 * depot when there is none. */
static void p_after_task(sim_device *d, const msgpack_object *next)
{
    if (next != NULL && next->type == MSGPACK_OBJECT_MAP) {
        p_take(d, next);
        return;
    }
    d->has_pending = 0;
    p_tour_end(d);
}
