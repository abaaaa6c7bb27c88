/*
 * hhui_pack.c - the handheld's Pack and Ship screens (see hhui.h,
 * hhui_impl.h).
 *
 * Pack, at the packing bench:
 *
 *     Tote:              scan the tote → pack.open; the lines to pack show
 *     Item (C=close):    each item scanned → pack.scan; what is left shows
 *                        "C" closes the carton:
 *     Box (Enter=skip):  the box type used (optional)
 *     Weight g:          the weight in grams (optional) → pack.close, which
 *                        shows the SSCC as "(00) 0 4006381000000001 7" and
 *                        what the tote still holds unpacked
 *
 * Ship, at the dock: "SSCC:" scan a carton's label → ship.confirm.
 *
 * Errors keep the packer at the prompt (a refused item at Item:); a carton
 * that is closed or gone returns to Tote:.  Esc from Item: leaves the
 * carton open on the server (opening the tote again goes on with it).
 */
#include "hhui_impl.h"

#include <stdio.h>
#include <string.h>

#include "client.h"

#define WEIGHT_MAX_G 10000000 /* pack.close's weight_g range */

enum { PA_TOTE = 0, PA_ITEM, PA_BOX, PA_WEIGHT };

int hhui__pack_owns(const char *m)
{
    return strcmp(m, "pack.open") == 0 || strcmp(m, "pack.scan") == 0 ||
           strcmp(m, "pack.close") == 0 || strcmp(m, "ship.confirm") == 0;
}

int hhui__pack_enter(wms_hh_state *s)
{
    s->carton = 0;
    s->pack_order[0] = s->pack_tote[0] = s->box[0] = '\0';
    if (s->screen == WMS_HH_SCR_SHIP)
        hhui__status_ok(s, "Scan the carton's SSCC label");
    else
        hhui__status_ok(s, "Scan a tote to pack");
    return WMS_HH_IDLE;
}

const char *hhui__pack_layout(wms_hh_state *s)
{
    static const char *const prompts[] = {
        "Tote:", "Item (C=close):", "Box (Enter=skip):", "Weight g:"};
    if (s->screen == WMS_HH_SCR_SHIP)
        return "SSCC:";
    if (s->step < PA_TOTE || s->step > PA_WEIGHT || (s->step > PA_TOTE && s->carton <= 0))
        s->step = PA_TOTE;
    if (s->step >= PA_ITEM) {
        hhui__body_add(s, "Carton %lld %.24s", (long long)s->carton, s->pack_order);
        hhui__body_add(s, "Tote: %.33s", s->pack_tote[0] ? s->pack_tote : "(order)");
    }
    if (s->step == PA_WEIGHT && s->box[0])
        hhui__body_add(s, "Box: %.34s", s->box);
    return prompts[s->step];
}

/* "SSCC (00) 0 4006381000000001 7": extension digit, company prefix and
 * serial, check digit (the prefix length is not known here); other text
 * as is. */
static void sscc_format(const char *sscc, char *buf, size_t n)
{
    size_t len = strlen(sscc);
    int digits = len == 18;
    for (size_t i = 0; digits && i < len; i++)
        digits = sscc[i] >= '0' && sscc[i] <= '9';
    if (digits)
        snprintf(buf, n, "(00) %c %.16s %c", sscc[0], sscc + 1, sscc[17]);
    else
        snprintf(buf, n, "%s", sscc);
}

/* The list `key` ([{"sku", "lot", "qty"}]) as info lines after `head`,
 * keeping the last line for "+N more". */
static void show_list(wms_hh_state *s, const msgpack_object *r, const char *key, const char *head)
{
    const msgpack_object *l = wms_client_get_array(r, key);
    uint32_t n = l != NULL ? l->via.array.size : 0;
    uint32_t shown = 0;
    for (uint32_t i = 0; i < n && s->ninfo < WMS_HH_BODY_LINES - 3; i++, shown++) {
        const msgpack_object *e = &l->via.array.ptr[i];
        char sku[65], lot[21];
        hhui__get(e, "sku", sku, sizeof(sku));
        hhui__get(e, "lot", lot, sizeof(lot));
        hhui__info_add(s, "%s%.16s %lld%s%.12s", head, sku, (long long)hhui__get_int(e, "qty"),
                       lot[0] ? " " : "", lot);
    }
    if (n > shown)
        hhui__info_add(s, "+%u more", (unsigned)(n - shown));
}

static int input_pack(wms_hh_state *s, const char *t)
{
    switch (s->step) {
    case PA_TOTE:
        if (!hhui__need_text(s, t, "the tote"))
            return WMS_HH_IDLE;
        hhui__info_clear(s);
        hhui__req_new(s, "pack.open", 1);
        hhui__req_str(s, "tote", t);
        return hhui__send_req(s);
    case PA_ITEM:
        if ((t[0] == 'C' || t[0] == 'c') && t[1] == '\0') {
            s->box[0] = '\0';
            s->step = PA_BOX;
            hhui__status_ok(s, "Box type used: Enter skips");
            return WMS_HH_IDLE;
        }
        if (!hhui__need_text(s, t, "an item, or C to close"))
            return WMS_HH_IDLE;
        hhui__req_new(s, "pack.scan", 1);
        hhui__req_int(s, "carton", s->carton);
        hhui__req_str(s, "code", t);
        return hhui__send_req(s);
    case PA_BOX:
        snprintf(s->box, sizeof(s->box), "%s", t);
        s->step = PA_WEIGHT;
        hhui__status_ok(s, "Weight in grams: Enter skips");
        return WMS_HH_IDLE;
    default: {
        int64_t g = 0;
        if (t[0] != '\0' && !hhui__need_qty(s, t, &g))
            return WMS_HH_IDLE;
        if (g > WEIGHT_MAX_G) {
            hhui__status_err(s, "BAD_ARGS", "Weight: 1 to 10000000 g");
            return WMS_HH_IDLE;
        }
        hhui__req_new(s, "pack.close", 1);
        hhui__req_int(s, "carton", s->carton);
        hhui__req_str(s, "box", s->box);
        if (g > 0)
            hhui__req_int(s, "weight_g", g);
        return hhui__send_req(s);
    }
    }
}

int hhui__pack_input(wms_hh_state *s, const char *t)
{
    if (s->screen == WMS_HH_SCR_PACK)
        return input_pack(s, t);
    if (!hhui__need_text(s, t, "the SSCC label"))
        return WMS_HH_IDLE;
    hhui__req_new(s, "ship.confirm", 1);
    hhui__req_str(s, "sscc", t);
    return hhui__send_req(s);
}

void hhui__pack_back(wms_hh_state *s)
{
    if (s->screen == WMS_HH_SCR_PACK && s->step > PA_TOTE) {
        s->step--;
        if (s->step == PA_TOTE) {
            hhui__info_clear(s);
            hhui__status_ok(s, "Carton %lld stays open", (long long)s->carton);
            s->carton = 0;
        }
        return;
    }
    hhui__go(s, WMS_HH_SCR_MENU, 0);
}

static void result_close(wms_hh_state *s, const msgpack_object *r)
{
    char sscc[sizeof(s->sscc)], shown[48], ost[16];
    hhui__get(r, "sscc", sscc, sizeof(sscc));
    hhui__get(r, "order_status", ost, sizeof(ost));
    snprintf(s->sscc, sizeof(s->sscc), "%s", sscc);
    sscc_format(sscc, shown, sizeof(shown));
    int64_t units = hhui__get_int(r, "units"), missing = hhui__get_int(r, "units_missing");
    hhui__info_clear(s);
    hhui__info_add(s, "SSCC %s", sscc);
    if (missing > 0) {
        hhui__info_add(s, "Missing %lld units:", (long long)missing);
        show_list(s, r, "missing", " ");
    }
    char extra[64] = "";
    if (missing > 0)
        snprintf(extra, sizeof(extra), ", %lld missing", (long long)missing);
    else if (strcmp(ost, "packed") == 0)
        snprintf(extra, sizeof(extra), ". Order %.24s packed", s->pack_order);
    hhui__status_ok(s, "Carton %lld closed: SSCC %s, %lld units%s",
                    (long long)hhui__get_int(r, "carton"), shown, (long long)units, extra);
    s->carton = 0;
    s->step = PA_TOTE;
}

void hhui__pack_result(wms_hh_state *s, const msgpack_object *r)
{
    const char *m = s->req.method;
    if (strcmp(m, "pack.open") == 0) {
        s->carton = hhui__get_int(r, "carton");
        hhui__get(r, "order", s->pack_order, sizeof(s->pack_order));
        hhui__get(r, "tote", s->pack_tote, sizeof(s->pack_tote));
        hhui__info_clear(s);
        char box[65] = "";
        hhui__get(r, "box", box, sizeof(box));
        if (box[0])
            hhui__info_add(s, "Use box %.30s", box);
        show_list(s, r, "expected", "");
        hhui__status_ok(s, "Pack %lld units%s%.30s: scan each item",
                        (long long)hhui__get_int(r, "units"), box[0] ? " in box " : "", box);
        s->step = s->carton > 0 ? PA_ITEM : PA_TOTE;
    } else if (strcmp(m, "pack.scan") == 0) {
        char sku[65];
        hhui__get(r, "sku", sku, sizeof(sku));
        int64_t qty = hhui__get_int(r, "qty"), left = hhui__get_int(r, "units_left");
        hhui__info_clear(s);
        show_list(s, r, "left", "");
        if (left > 0)
            hhui__status_ok(s, "Packed %lld %s: %lld left", (long long)qty, sku, (long long)left);
        else
            hhui__status_ok(s, "Packed %lld %s: all packed, C to close", (long long)qty, sku);
    } else if (strcmp(m, "pack.close") == 0) {
        result_close(s, r);
    } else { /* ship.confirm */
        char order[65], ost[16];
        hhui__get(r, "order", order, sizeof(order));
        hhui__get(r, "order_status", ost, sizeof(ost));
        int64_t cartons = hhui__get_int(r, "cartons");
        hhui__info_clear(s);
        hhui__info_add(s, "Order %.24s %s", order, ost);
        hhui__status_ok(s, "Shipped %lld carton%s, %lld units of %s", (long long)cartons,
                        cartons == 1 ? "" : "s", (long long)hhui__get_int(r, "units"), order);
    }
}

void hhui__pack_error(wms_hh_state *s, const char *code)
{
    const char *m = s->req.method;
    if (s->screen != WMS_HH_SCR_PACK)
        return; /* Ship: scan again */
    if (strcmp(m, "pack.open") == 0) {
        s->step = PA_TOTE;
    } else if (!strcmp(code, "CLOSED") || !strcmp(code, "NOT_FOUND")) {
        s->carton = 0; /* the carton is closed or gone */
        s->step = PA_TOTE;
    } else {
        s->step = PA_ITEM; /* a refused item, an empty carton, no SSCC prefix */
    }
}
