/*
 * hhui_pick.c - the handheld's Pick screen (see hhui.h, hhui_impl.h).
 *
 * Entering the screen asks task.next; the task is shown (bin, item, lot,
 * quantity, tote slot and tote, tasks left in the tour; a replenishment's
 * pick face) and the prompts follow the picker's walk:
 *
 *     Bin:      scan the task's bin (checked here: the server compares
 *               labels exactly, so a wrong bin is refused at once)
 *     Tote:     a pick into a slot on the cart: the tote there, or a new
 *               tote for an empty slot (pick.confirm's `tote` assigns it);
 *               asked for every pick because the server requires the scan
 *               once the slot has a tote
 *     Item:     the item's code (unit, case, GS1 with lot)
 *     Qty:      scans of that code, Enter = 1
 *     To bin:   a replenishment: the pick face (checked here as the bin)
 *
 * then pick.confirm; its "next" task is shown at once (the same task with
 * units left goes on at Item:, bin and tote already scanned).
 *
 * Typed commands: "S" at Item:/Qty: = short pick ("Found qty:", then
 * pick.short); "T" at Bin: or with no task = close a tote ("Tote to
 * close:", Enter = the slot's tote, then tote.close).  Errors return to the prompt whose scan
 * was wrong: bin → Bin: (a replenishment's pick face → To bin:), tote →
 * Tote:, item / lot / quantity → Item:; a task that is gone (closed, not
 * yours, waiting for a replenishment) → "Enter=next, T=tote:".
 */
#include "hhui_impl.h"

#include <stdio.h>
#include <string.h>

#include "client.h"

enum {
    PK_NEXT = 0, /* no task: Enter asks task.next */
    PK_BIN,
    PK_TOTE,
    PK_ITEM,
    PK_QTY,
    PK_TO,
    PK_FOUND,
    PK_CLOSE,
};

int hhui__pick_owns(const char *m)
{
    return strcmp(m, "task.next") == 0 || strcmp(m, "pick.confirm") == 0 ||
           strcmp(m, "pick.short") == 0 || strcmp(m, "tote.close") == 0;
}

/* A pick into a slot on the cart (a replenishment has none). */
static int has_slot(const wms_hh_state *s)
{
    return !s->task.replenish && s->task.tote[0] != '\0';
}

/* A typed one-letter command: "S" or "s". */
static int is_cmd(const char *t, char c)
{
    return (t[0] == c || t[0] == c + ('a' - 'A')) && t[1] == '\0';
}

static int ask_next(wms_hh_state *s)
{
    hhui__req_new(s, "task.next", 0); /* repeatable: no txn */
    return hhui__send_req(s);
}

int hhui__pick_enter(wms_hh_state *s)
{
    memset(&s->task, 0, sizeof(s->task));
    s->waiting = 0;
    s->tote_scan[0] = '\0';
    return ask_next(s);
}

/* Fills s->task from a task map (task.next's "task", a result's "next");
 * a missing or malformed task (no id) leaves id 0. */
static void load_task(wms_hh_state *s, const msgpack_object *o)
{
    wms_hh_task *t = &s->task;
    memset(t, 0, sizeof(*t));
    if (o == NULL)
        return;
    char kind[16];
    hhui__get(o, "kind", kind, sizeof(kind));
    t->replenish = strcmp(kind, "replenish") == 0;
    hhui__get(o, "order", t->order, sizeof(t->order));
    hhui__get(o, "bin", t->bin, sizeof(t->bin));
    hhui__get(o, "to_bin", t->to_bin, sizeof(t->to_bin));
    hhui__get(o, "sku", t->sku, sizeof(t->sku));
    hhui__get(o, "description", t->description, sizeof(t->description));
    hhui__get(o, "lot", t->lot, sizeof(t->lot));
    hhui__get(o, "expiry", t->expiry, sizeof(t->expiry));
    hhui__get(o, "tote", t->tote, sizeof(t->tote));
    hhui__get(o, "tote_code", t->tote_code, sizeof(t->tote_code));
    t->qty = hhui__get_int(o, "qty");
    t->case_units = hhui__get_int(o, "case_units");
    t->left_in_tour = hhui__get_int(o, "left_in_tour");
    t->id = t->bin[0] != '\0' ? hhui__get_int(o, "id") : 0;
    if (t->id < 0)
        t->id = 0;
}

/* The status hint for the prompt the picker is at. */
static void hint(wms_hh_state *s)
{
    switch (s->step) {
    case PK_BIN:
        hhui__status_ok(s, "%s bin %s", s->task.replenish ? "Replenish: go to" : "Go to",
                        s->task.bin);
        break;
    case PK_TOTE:
        if (s->task.tote_code[0])
            hhui__status_ok(s, "Scan tote %s (slot %s)", s->task.tote_code, s->task.tote);
        else
            hhui__status_ok(s, "Scan a new tote for slot %s", s->task.tote);
        break;
    case PK_ITEM:
        hhui__status_ok(s, "Scan %s (S=short)", s->task.sku);
        break;
    default:
        break;
    }
}

/* Shows the task in s->task from its first prompt, or "no work". */
static void show_task(wms_hh_state *s)
{
    s->from[0] = s->code[0] = s->to[0] = s->tote_scan[0] = '\0';
    s->qty = 0;
    s->step = s->task.id > 0 ? PK_BIN : PK_NEXT;
}

/* After a confirm or short: the result's "next" task.  The same task with
 * units left goes on at Item: (bin and tote scanned already).  Returns 1
 * when a task is shown. */
static int take_next(wms_hh_state *s, const msgpack_object *r)
{
    int64_t prev = s->task.id;
    const msgpack_object *next = wms_client_get_map(r, "next");
    char from[WMS_HH_INPUT_MAX + 1], tote[WMS_HH_INPUT_MAX + 1];
    snprintf(from, sizeof(from), "%s", s->from);
    snprintf(tote, sizeof(tote), "%s", s->tote_scan);
    load_task(s, next);
    show_task(s);
    if (s->task.id > 0 && s->task.id == prev) {
        snprintf(s->from, sizeof(s->from), "%s", from);
        snprintf(s->tote_scan, sizeof(s->tote_scan), "%s", tote);
        s->step = PK_ITEM;
    }
    return s->task.id > 0;
}

/* ---- layout ------------------------------------------------------------- */

const char *hhui__pick_layout(wms_hh_state *s)
{
    static const char *const prompts[] = {"Enter=next, T=tote:", "Bin (T=close tote):", "Tote:",
                                          "Item (S=short):",     "Qty (Enter=1):",      "To bin:",
                                          "Found qty:",          "Tote to close:"};
    const wms_hh_task *t = &s->task;
    if (s->step < PK_NEXT || s->step > PK_CLOSE)
        s->step = PK_NEXT;
    if (s->step == PK_CLOSE && t->id <= 0)
        return prompts[PK_CLOSE];
    if (s->step == PK_NEXT || t->id <= 0)
        return prompts[PK_NEXT];
    if (t->replenish)
        hhui__body_add(s, "Replenish %lld", (long long)t->id);
    else
        hhui__body_add(s, "Pick %lld %.28s", (long long)t->id, t->order);
    hhui__body_add(s, "%s %.33s", t->replenish ? "From:" : "Bin:", t->bin);
    hhui__body_add(s, "%.16s %s", t->sku, t->description);
    if (t->lot[0] || t->expiry[0])
        hhui__body_add(s, "Lot %.20s%s%s", t->lot[0] ? t->lot : "-", t->expiry[0] ? " exp " : "",
                       t->expiry);
    if (t->case_units > 1)
        hhui__body_add(s, "Qty: %lld (case %lld)", (long long)t->qty, (long long)t->case_units);
    else
        hhui__body_add(s, "Qty: %lld", (long long)t->qty);
    if (t->replenish)
        hhui__body_add(s, "To pick face %.24s", t->to_bin);
    else if (t->tote[0])
        hhui__body_add(s, "Tote %.12s: %.20s", t->tote, t->tote_code[0] ? t->tote_code : "new");
    if (!t->replenish)
        hhui__body_add(s, "Left in tour: %lld", (long long)t->left_in_tour);
    if (s->step >= PK_QTY && s->step <= PK_TO)
        hhui__body_add(s, "Item: %.33s", s->code);
    return prompts[s->step];
}

/* ---- input -------------------------------------------------------------- */

static int send_confirm(wms_hh_state *s)
{
    hhui__req_new(s, "pick.confirm", 1);
    hhui__req_int(s, "task", s->task.id);
    hhui__req_str(s, "bin", s->from);
    hhui__req_str(s, "code", s->code);
    hhui__req_int(s, "qty", s->qty > 0 ? s->qty : 1);
    if (has_slot(s))
        hhui__req_str(s, "tote", s->tote_scan);
    if (s->task.replenish)
        hhui__req_str(s, "to_bin", s->to);
    return hhui__send_req(s);
}

/* "S": a short pick asks for the units found. */
static int start_short(wms_hh_state *s)
{
    if (s->task.replenish) {
        hhui__status_err(s, NULL, "No short for a replenishment: count the bin");
        return WMS_HH_IDLE;
    }
    s->step = PK_FOUND;
    hhui__status_ok(s, "Units in the bin (0-%lld)?", (long long)(s->task.qty - 1));
    return WMS_HH_IDLE;
}

static int input_found(wms_hh_state *s, const char *t)
{
    int64_t found = 0;
    if (strcmp(t, "0") != 0 && !hhui__need_qty(s, t, &found))
        return WMS_HH_IDLE;
    if (found >= s->task.qty) {
        char msg[96];
        snprintf(msg, sizeof(msg), "Found must be below %lld: else confirm the pick",
                 (long long)s->task.qty);
        hhui__status_err(s, "BAD_QTY", msg);
        return WMS_HH_IDLE;
    }
    hhui__req_new(s, "pick.short", 1);
    hhui__req_int(s, "task", s->task.id);
    hhui__req_int(s, "qty_found", found);
    if (has_slot(s))
        hhui__req_str(s, "tote", s->tote_scan);
    return hhui__send_req(s);
}

/* "T": close a tote (Enter = the slot's tote, when the task has one). */
static int start_close(wms_hh_state *s)
{
    s->step = PK_CLOSE;
    if (s->task.id > 0 && s->task.tote_code[0])
        hhui__status_ok(s, "Scan the tote to close (Enter=%s)", s->task.tote_code);
    else
        hhui__status_ok(s, "Scan the tote to close");
    return WMS_HH_IDLE;
}

static int input_bin(wms_hh_state *s, const char *t)
{
    if (is_cmd(t, 'T'))
        return start_close(s);
    if (!hhui__need_text(s, t, "the bin"))
        return WMS_HH_IDLE;
    if (strcmp(t, s->task.bin) != 0) {
        char msg[WMS_HH_STATUS_MAX];
        snprintf(msg, sizeof(msg), "wrong bin: you scanned %.64s; go to bin %.64s", t, s->task.bin);
        hhui__status_err(s, "WRONG_BIN", msg);
        return WMS_HH_IDLE;
    }
    snprintf(s->from, sizeof(s->from), "%s", t);
    hhui__info_clear(s);
    s->step = has_slot(s) ? PK_TOTE : PK_ITEM;
    hint(s);
    return WMS_HH_IDLE;
}

static int input_close(wms_hh_state *s, const char *t)
{
    const char *code = t[0] != '\0' ? t : s->task.tote_code;
    if (!hhui__need_text(s, code, "the tote to close"))
        return WMS_HH_IDLE;
    hhui__req_new(s, "tote.close", 1);
    hhui__req_str(s, "code", code);
    return hhui__send_req(s);
}

int hhui__pick_input(wms_hh_state *s, const char *t)
{
    if (s->step != PK_NEXT && s->step != PK_CLOSE && s->task.id <= 0)
        s->step = PK_NEXT;
    switch (s->step) {
    case PK_NEXT:
        if (is_cmd(t, 'T'))
            return start_close(s);
        hhui__info_clear(s);
        return ask_next(s);
    case PK_BIN:
        return input_bin(s, t);
    case PK_TOTE:
        if (!hhui__need_text(s, t, "the tote"))
            return WMS_HH_IDLE;
        snprintf(s->tote_scan, sizeof(s->tote_scan), "%s", t);
        s->step = PK_ITEM;
        hint(s);
        return WMS_HH_IDLE;
    case PK_ITEM:
        if (is_cmd(t, 'S'))
            return start_short(s);
        if (!hhui__need_text(s, t, "the item"))
            return WMS_HH_IDLE;
        snprintf(s->code, sizeof(s->code), "%s", t);
        hhui__info_clear(s);
        s->step = PK_QTY;
        return WMS_HH_IDLE;
    case PK_QTY:
        if (is_cmd(t, 'S'))
            return start_short(s);
        s->qty = 1;
        if (t[0] != '\0' && !hhui__need_qty(s, t, &s->qty))
            return WMS_HH_IDLE;
        if (s->task.replenish) {
            s->step = PK_TO;
            hhui__status_ok(s, "Put it into pick face %s", s->task.to_bin);
            return WMS_HH_IDLE;
        }
        return send_confirm(s);
    case PK_TO:
        if (!hhui__need_text(s, t, "the pick face"))
            return WMS_HH_IDLE;
        if (strcmp(t, s->task.to_bin) != 0) {
            char msg[WMS_HH_STATUS_MAX];
            snprintf(msg, sizeof(msg), "wrong bin: put it into pick face %.64s, not %.64s",
                     s->task.to_bin, t);
            hhui__status_err(s, "WRONG_BIN", msg);
            return WMS_HH_IDLE;
        }
        snprintf(s->to, sizeof(s->to), "%s", t);
        return send_confirm(s);
    case PK_FOUND:
        return input_found(s, t);
    default:
        return input_close(s, t);
    }
}

void hhui__pick_back(wms_hh_state *s)
{
    switch (s->step) {
    case PK_CLOSE:
        s->step = s->task.id > 0 ? PK_BIN : PK_NEXT;
        break;
    case PK_TOTE:
        s->step = PK_BIN;
        break;
    case PK_ITEM:
        s->step = has_slot(s) ? PK_TOTE : PK_BIN;
        break;
    case PK_QTY:
    case PK_FOUND:
        s->step = PK_ITEM;
        break;
    case PK_TO:
        s->step = PK_QTY;
        break;
    default: /* the task stays assigned: the screen shows it again */
        hhui__go(s, WMS_HH_SCR_MENU, 0);
        return;
    }
    hint(s);
}

/* ---- answers ------------------------------------------------------------ */

/* " No more tasks" / "" after a result, per the task now shown. */
static const char *tail(const wms_hh_state *s)
{
    return s->task.id > 0 ? "" : ". No more tasks";
}

static void result_confirm(wms_hh_state *s, const msgpack_object *r)
{
    char sku[65], lot[21], tote[WMS_HH_LINE_MAX + 1], ost[16], to[WMS_HH_INPUT_MAX + 1];
    int replenish = s->task.replenish;
    snprintf(sku, sizeof(sku), "%s", s->task.sku);
    snprintf(to, sizeof(to), "%s", s->task.to_bin);
    hhui__get(r, "lot", lot, sizeof(lot));
    hhui__get(r, "tote", tote, sizeof(tote));
    hhui__get(r, "order_status", ost, sizeof(ost));
    int64_t picked = hhui__get_int(r, "picked"), left = hhui__get_int(r, "left");
    hhui__info_clear(s);
    if (replenish)
        hhui__info_add(s, "Moved %lld %.16s to %.16s", (long long)picked, sku, to);
    else
        hhui__info_add(s, "Picked %lld %.16s%s%.16s", (long long)picked, sku, tote[0] ? " > " : "",
                       tote);
    if (wms_client_get_bool(r, "substituted") == 1)
        hhui__info_add(s, "Lot %.20s substituted", lot);
    if (strcmp(ost, "picked") == 0 || strcmp(ost, "short") == 0)
        hhui__info_add(s, "Order %.20s %s", s->task.order, ost);
    take_next(s, r);
    if (left > 0 && s->step == PK_ITEM)
        hhui__status_ok(s, "%s %lld, %lld left: scan the next", replenish ? "Moved" : "Picked",
                        (long long)picked, (long long)left);
    else
        hhui__status_ok(s, "%s %lld %s%s", replenish ? "Moved" : "Picked", (long long)picked, sku,
                        tail(s));
}

static void result_short(wms_hh_state *s, const msgpack_object *r)
{
    char policy[16];
    hhui__get(r, "policy", policy, sizeof(policy));
    int64_t count = hhui__get_int(r, "count");
    hhui__info_clear(s);
    hhui__info_add(s, "Found %lld, missing %lld", (long long)hhui__get_int(r, "found"),
                   (long long)hhui__get_int(r, "missing"));
    hhui__info_add(s, "Realloc %lld, short %lld%s", (long long)hhui__get_int(r, "reallocated"),
                   (long long)hhui__get_int(r, "short"),
                   strcmp(policy, "backorder") == 0 ? " (backorder)" : "");
    take_next(s, r);
    if (count > 0)
        hhui__status_ok(s, "Short recorded, count %lld requested%s", (long long)count, tail(s));
    else
        hhui__status_ok(s, "Short recorded%s", tail(s));
}

void hhui__pick_result(wms_hh_state *s, const msgpack_object *r)
{
    const char *m = s->req.method;
    if (strcmp(m, "task.next") == 0) {
        load_task(s, wms_client_get_map(r, "task"));
        s->waiting = hhui__get_int(r, "waiting");
        show_task(s);
        if (s->task.id > 0)
            hint(s);
        else if (s->waiting > 0)
            hhui__status_ok(s, "No work: %lld picks wait for replenishment", (long long)s->waiting);
        else
            hhui__status_ok(s, "No work");
    } else if (strcmp(m, "pick.confirm") == 0) {
        result_confirm(s, r);
    } else if (strcmp(m, "pick.short") == 0) {
        result_short(s, r);
    } else { /* tote.close */
        char tote[WMS_HH_INPUT_MAX + 1], slot[33];
        hhui__get(r, "tote", tote, sizeof(tote));
        hhui__get(r, "slot", slot, sizeof(slot));
        if (tote[0] && strcmp(tote, s->task.tote_code) == 0)
            s->task.tote_code[0] = '\0'; /* the slot's next pick takes a new tote */
        if (tote[0] && strcmp(tote, s->tote_scan) == 0)
            s->tote_scan[0] = '\0';
        hhui__status_ok(s, "Tote %s closed: %lld units (slot %s)", tote,
                        (long long)hhui__get_int(r, "units"), slot);
        s->step = s->task.id > 0 ? PK_BIN : PK_NEXT;
    }
}

/* Where an error of pick.confirm / pick.short sends the picker. */
static int error_step(const wms_hh_state *s, const char *code)
{
    const char *m = s->req.method;
    if (!strcmp(code, "TASK_CLOSED") || !strcmp(code, "TASK_NOT_YOURS") ||
        !strcmp(code, "TASK_WAITING") || !strcmp(code, "NOT_FOUND"))
        return PK_NEXT;
    if (!strcmp(code, "WRONG_BIN") || !strcmp(code, "BIN_FULL") || !strcmp(code, "BIN_BLOCKED")) {
        /* A replenishment's source bin was scanned right: the pick face is wrong. */
        const char *bin = wms_hh_req_str(&s->req, "bin");
        if (s->task.replenish &&
            (strcmp(code, "WRONG_BIN") != 0 || (bin != NULL && strcmp(bin, s->task.bin) == 0)))
            return PK_TO;
        return PK_BIN;
    }
    if (!strcmp(code, "WRONG_TOTE"))
        return has_slot(s) ? PK_TOTE : PK_ITEM;
    if (!strcmp(code, "BAD_QTY") && !strcmp(m, "pick.short"))
        return PK_FOUND;
    return PK_ITEM; /* WRONG_ITEM, WRONG_LOT, QTY_ABOVE_TASK, UNKNOWN_CODE, ... */
}

void hhui__pick_error(wms_hh_state *s, const char *code)
{
    const char *m = s->req.method;
    if (strcmp(m, "task.next") == 0) {
        s->step = PK_NEXT;
    } else if (strcmp(m, "tote.close") == 0) {
        s->step = s->task.id > 0 ? PK_BIN : PK_NEXT;
    } else {
        s->step = error_step(s, code);
        if (s->step == PK_NEXT)
            memset(&s->task, 0, sizeof(s->task));
    }
}
