/*
 * hhui_return.c - the handheld's Returns screen (see hhui.h, hhui_impl.h).
 *
 * At the returns desk:
 *
 *     Carton/order (U=unknown):  the carton's SSCC label or the order id
 *                                from the return label → return.open;
 *                                "U" opens an unknown return
 *     Item (C=close):            each returned item → return.scan (a line)
 *     Grade R/D/S:               resaleable, damaged, scrap
 *     Bin (Enter=dock):          resaleable: where it goes
 *     Reason:                    scrap: why → return.grade
 *     "C" at Item closes the return → return.close (every line graded).
 *
 * Each scanned line is graded at once, so a return is always one item
 * ahead at most; errors (NOT_ON_ORDER, RETURN_EXCEEDS_SHIPPED, ...) keep the
 * clerk at the prompt that needs a new scan.
 */
#include "hhui_impl.h"

#include <stdio.h>
#include <string.h>

enum { RT_OPEN = 0, RT_ITEM, RT_GRADE, RT_BIN, RT_REASON };

int hhui__return_owns(const char *m)
{
    return strncmp(m, "return.", 7) == 0;
}

int hhui__return_enter(wms_hh_state *s)
{
    s->return_id = 0;
    s->return_line = 0;
    s->return_order[0] = '\0';
    hhui__status_ok(s, "Scan the carton label or the return label");
    return WMS_HH_IDLE;
}

const char *hhui__return_layout(wms_hh_state *s)
{
    static const char *const prompts[] = {"Carton/order (U=unknown):", "Item (C=close):",
                                          "Grade R/D/S:", "Bin (Enter=dock):", "Reason:"};
    if (s->step < RT_OPEN || s->step > RT_REASON || (s->step > RT_OPEN && s->return_id <= 0))
        s->step = RT_OPEN;
    if (s->step >= RT_ITEM)
        hhui__body_add(s, "Return %lld %.26s", (long long)s->return_id,
                       s->return_order[0] ? s->return_order : "(unknown)");
    if (s->step >= RT_GRADE)
        hhui__body_add(s, "Line %lld: grade it", (long long)s->return_line);
    return prompts[s->step];
}

static int send_grade(wms_hh_state *s, const char *bin, const char *reason)
{
    hhui__req_new(s, "return.grade", 1);
    hhui__req_int(s, "line", s->return_line);
    hhui__req_str(s, "grade", s->return_grade);
    hhui__req_str(s, "bin", bin);
    hhui__req_str(s, "reason", reason);
    return hhui__send_req(s);
}

int hhui__return_input(wms_hh_state *s, const char *t)
{
    int one = t[0] != '\0' && t[1] == '\0';
    switch (s->step) {
    case RT_OPEN:
        if (one && (t[0] == 'U' || t[0] == 'u')) {
            hhui__req_new(s, "return.open", 1);
            hhui__req_bool(s, "unknown", 1);
            return hhui__send_req(s);
        }
        if (!hhui__need_text(s, t, "the carton or return label"))
            return WMS_HH_IDLE;
        hhui__req_new(s, "return.open", 1);
        /* 18 digits or a scanned (00) label: an SSCC; else an order id */
        if ((strlen(t) == 18 && strspn(t, "0123456789") == 18) || strncmp(t, "00", 2) == 0 ||
            strncmp(t, "(00)", 4) == 0 || strncmp(t, "]C1", 3) == 0)
            hhui__req_str(s, "sscc", t);
        else
            hhui__req_str(s, "order", t);
        return hhui__send_req(s);
    case RT_ITEM:
        if (one && (t[0] == 'C' || t[0] == 'c')) {
            hhui__req_new(s, "return.close", 1);
            hhui__req_int(s, "return", s->return_id);
            return hhui__send_req(s);
        }
        if (!hhui__need_text(s, t, "the returned item, or C to close"))
            return WMS_HH_IDLE;
        hhui__req_new(s, "return.scan", 1);
        hhui__req_int(s, "return", s->return_id);
        hhui__req_str(s, "code", t);
        return hhui__send_req(s);
    case RT_GRADE: {
        static const char *const grades[] = {"resaleable", "damaged", "scrap"};
        int g = !one                           ? -1
                : (t[0] == 'R' || t[0] == 'r') ? 0
                : (t[0] == 'D' || t[0] == 'd') ? 1
                : (t[0] == 'S' || t[0] == 's') ? 2
                                               : -1;
        if (g < 0) {
            hhui__status_err(s, "BAD_ARGS", "R resaleable, D damaged, S scrap");
            return WMS_HH_IDLE;
        }
        snprintf(s->return_grade, sizeof(s->return_grade), "%s", grades[g]);
        if (g == 1)
            return send_grade(s, "", "");
        s->step = g == 0 ? RT_BIN : RT_REASON;
        hhui__status_ok(s, g == 0 ? "Scan the bin it goes to (Enter: the dock)"
                                  : "Why is it scrapped?");
        return WMS_HH_IDLE;
    }
    case RT_BIN:
        return send_grade(s, t, "");
    default:
        if (!hhui__need_text(s, t, "a reason"))
            return WMS_HH_IDLE;
        return send_grade(s, "", t);
    }
}

void hhui__return_back(wms_hh_state *s)
{
    if (s->step == RT_BIN || s->step == RT_REASON)
        s->step = RT_GRADE;
    else if (s->step == RT_OPEN || s->step == RT_ITEM)
        hhui__go(s, WMS_HH_SCR_MENU, 0); /* the return stays open on the server */
}

void hhui__return_result(wms_hh_state *s, const msgpack_object *r)
{
    const char *m = s->req.method;
    char sku[65], st[24], bin[65];
    if (strcmp(m, "return.open") == 0) {
        s->return_id = hhui__get_int(r, "return");
        hhui__get(r, "order", s->return_order, sizeof(s->return_order));
        hhui__info_clear(s);
        s->step = RT_ITEM;
        hhui__status_ok(s, "Return %lld open: scan each item", (long long)s->return_id);
    } else if (strcmp(m, "return.scan") == 0) {
        s->return_line = hhui__get_int(r, "line");
        hhui__get(r, "sku", sku, sizeof(sku));
        s->step = RT_GRADE;
        hhui__status_ok(s, "%lld x %.20s: grade R, D or S", (long long)hhui__get_int(r, "qty"),
                        sku);
    } else if (strcmp(m, "return.grade") == 0) {
        hhui__get(r, "sku", sku, sizeof(sku));
        hhui__get(r, "status", st, sizeof(st));
        hhui__get(r, "bin", bin, sizeof(bin));
        hhui__info_add(s, "%.16s %.10s -> %.12s", sku, st, bin);
        s->step = RT_ITEM;
        hhui__status_ok(s, "%.20s: %.12s in %.16s. Next item or C", sku, st, bin);
    } else if (strcmp(m, "return.close") == 0) {
        hhui__get(r, "result", st, sizeof(st));
        hhui__status_ok(s, "Return %lld closed%s%.20s", (long long)s->return_id, st[0] ? ": " : "",
                        st);
        s->return_id = 0;
        s->step = RT_OPEN;
    }
}

void hhui__return_error(wms_hh_state *s, const char *code)
{
    const char *m = s->req.method;
    if (strcmp(m, "return.grade") == 0 && strcmp(code, "CONFLICT") != 0)
        s->step = RT_GRADE; /* choose again */
    else if (strcmp(m, "return.grade") == 0 || strcmp(m, "return.scan") == 0 ||
             strcmp(m, "return.close") == 0)
        s->step = strcmp(code, "CLOSED") == 0 || strcmp(code, "NOT_FOUND") == 0 ? RT_OPEN : RT_ITEM;
    else
        s->step = RT_OPEN;
}
