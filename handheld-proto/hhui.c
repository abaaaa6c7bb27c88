/*
 * hhui.c - the RF handheld's screens as pure state machines (see hhui.h).
 *
 * Each screen is a numbered sequence of prompts (s->step).  layout()
 * derives title, prompt and body from the state after every event, so the
 * event handlers only change data and step.  This file holds the helpers,
 * the dispatch, login, menu, receive, putaway, stock, move and count; pick
 * and pack/ship are in hhui_pick.c and hhui_pack.c (hooks in hhui_impl.h).
 */
#include "hhui.h"
#include "hhui_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client.h"

#define QTY_MAX 1000000000LL

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static void set_line(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_line(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

void hhui__status_ok(wms_hh_state *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->status, sizeof(s->status), fmt, ap);
    va_end(ap);
    s->status_error = 0;
}

/* Error status: the message verbatim, then the code in brackets. */
void hhui__status_err(wms_hh_state *s, const char *code, const char *message)
{
    if (message == NULL || message[0] == '\0')
        message = "error";
    if (code != NULL && code[0] != '\0') {
        /* A long message is cut; the code in brackets then may be too. */
        if (snprintf(s->status, sizeof(s->status), "%s [%s]", message, code) < 0)
            s->status[0] = '\0';
    } else
        snprintf(s->status, sizeof(s->status), "%s", message);
    s->status_error = 1;
}

void hhui__info_clear(wms_hh_state *s)
{
    s->ninfo = 0;
}

void hhui__info_add(wms_hh_state *s, const char *fmt, ...)
{
    if (s->ninfo >= WMS_HH_BODY_LINES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->info[s->ninfo], sizeof(s->info[0]), fmt, ap);
    va_end(ap);
    s->ninfo++;
}

void hhui__body_add(wms_hh_state *s, const char *fmt, ...)
{
    if (s->nbody >= WMS_HH_BODY_LINES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->body[s->nbody], sizeof(s->body[0]), fmt, ap);
    va_end(ap);
    s->nbody++;
}

/* Copies `line` into buf (WMS_HH_INPUT_MAX + 1 bytes) without leading and
 * trailing blanks and without control bytes other than GS (0x1d, the GS1
 * separator a scanner may send).  Returns the length, or -1 if too long. */
static int clean_input(const char *line, char *buf)
{
    if (line == NULL)
        line = "";
    size_t n = 0;
    for (const char *p = line; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 && ch != 0x1d)
            ch = ' ';
        if (ch == 0x7f)
            continue;
        if (n >= WMS_HH_INPUT_MAX)
            return -1;
        buf[n++] = (char)ch;
    }
    while (n > 0 && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    size_t lead = 0;
    while (buf[lead] == ' ')
        lead++;
    if (lead > 0)
        memmove(buf, buf + lead, n - lead + 1);
    return (int)(n - lead);
}

/* A quantity: digits only, 1..1,000,000,000.  Returns 0 or -1. */
static int parse_qty(const char *t, int64_t *out)
{
    int64_t v = 0;
    if (*t == '\0')
        return -1;
    for (; *t != '\0'; t++) {
        if (*t < '0' || *t > '9')
            return -1;
        v = v * 10 + (*t - '0');
        if (v > QTY_MAX)
            return -1;
    }
    if (v < 1)
        return -1;
    *out = v;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */
/* ------------------------------------------------------------------------ */

void hhui__req_new(wms_hh_state *s, const char *method, int needs_txn)
{
    memset(&s->req, 0, sizeof(s->req));
    snprintf(s->req.method, sizeof(s->req.method), "%s", method);
    s->req.needs_txn = needs_txn;
}

void hhui__req_str(wms_hh_state *s, const char *key, const char *val)
{
    if (s->req.nargs >= WMS_HH_ARGS_MAX || val == NULL || val[0] == '\0')
        return;
    wms_hh_arg *a = &s->req.args[s->req.nargs++];
    snprintf(a->key, sizeof(a->key), "%s", key);
    snprintf(a->s, sizeof(a->s), "%s", val);
}

void hhui__req_int(wms_hh_state *s, const char *key, int64_t v)
{
    if (s->req.nargs >= WMS_HH_ARGS_MAX)
        return;
    wms_hh_arg *a = &s->req.args[s->req.nargs++];
    snprintf(a->key, sizeof(a->key), "%s", key);
    a->is_int = 1;
    a->i = v;
}

void hhui__req_bool(wms_hh_state *s, const char *key, int v)
{
    hhui__req_int(s, key, v != 0);
    if (s->req.nargs > 0 && !strcmp(s->req.args[s->req.nargs - 1].key, key))
        s->req.args[s->req.nargs - 1].is_int = 2;
}

/* Marks s->req ready: the program sends it. */
int hhui__send_req(wms_hh_state *s)
{
    s->busy = 1;
    s->offline = 0;
    return WMS_HH_SEND;
}

static void pack_cstr(msgpack_packer *pk, const char *t)
{
    size_t n = strlen(t);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, t, n);
}

int wms_hh_req_pack(const wms_hh_req *r, msgpack_packer *pk)
{
    int pairs = 0;
    if (r->txn[0] != '\0') {
        wms_client_kv_str(pk, "txn", r->txn);
        pairs++;
    }
    for (int i = 0; i < r->nargs && i < WMS_HH_ARGS_MAX; i++, pairs++) {
        if (r->args[i].is_int == 2) {
            pack_cstr(pk, r->args[i].key);
            if (r->args[i].i)
                msgpack_pack_true(pk);
            else
                msgpack_pack_false(pk);
        } else if (r->args[i].is_int)
            wms_client_kv_int(pk, r->args[i].key, r->args[i].i);
        else
            wms_client_kv_str(pk, r->args[i].key, r->args[i].s);
    }
    if (r->has_lines || r->nlines > 0) {
        int n = r->nlines < WMS_HH_COUNT_LINES_MAX ? r->nlines : WMS_HH_COUNT_LINES_MAX;
        pack_cstr(pk, "lines");
        msgpack_pack_array(pk, (size_t)n);
        for (int i = 0; i < n; i++) {
            msgpack_pack_map(pk, 2);
            wms_client_kv_str(pk, "code", r->lines[i].code);
            wms_client_kv_int(pk, "qty", r->lines[i].qty);
        }
        pairs++;
    }
    return pairs;
}

const char *wms_hh_req_str(const wms_hh_req *r, const char *key)
{
    if (strcmp(key, "txn") == 0)
        return r->txn[0] != '\0' ? r->txn : NULL;
    for (int i = 0; i < r->nargs && i < WMS_HH_ARGS_MAX; i++)
        if (!r->args[i].is_int && strcmp(r->args[i].key, key) == 0)
            return r->args[i].s;
    return NULL;
}

int64_t wms_hh_req_int(const wms_hh_req *r, const char *key)
{
    for (int i = 0; i < r->nargs && i < WMS_HH_ARGS_MAX; i++)
        if (r->args[i].is_int && strcmp(r->args[i].key, key) == 0)
            return r->args[i].i;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Layout                                                                   */
/* ------------------------------------------------------------------------ */

/* The menu: fixed numbers; the roles that may use each screen. */
enum { ROLE_P = 1, ROLE_R = 2, ROLE_S = 4, ROLE_A = 8, ROLE_ALL = 15 };

static const struct menu_entry {
    char key;
    const char *label;
    wms_hh_screen screen;
    int roles;
} menu[] = {
    {'1', "Receive", WMS_HH_SCR_RECEIVE, ROLE_R | ROLE_S | ROLE_A},
    {'2', "Putaway", WMS_HH_SCR_PUTAWAY, ROLE_R | ROLE_S | ROLE_A},
    {'3', "Stock inquiry", WMS_HH_SCR_STOCK, ROLE_ALL},
    {'4', "Move", WMS_HH_SCR_MOVE, ROLE_R | ROLE_S | ROLE_A},
    {'5', "Count", WMS_HH_SCR_COUNT, ROLE_ALL},
    {'6', "Pick", WMS_HH_SCR_PICK, ROLE_P | ROLE_S | ROLE_A},
    {'7', "Pack", WMS_HH_SCR_PACK, ROLE_P | ROLE_S | ROLE_A},
    {'8', "Ship", WMS_HH_SCR_SHIP, ROLE_P | ROLE_S | ROLE_A},
    {'9', "Returns", WMS_HH_SCR_RETURN, ROLE_R | ROLE_S | ROLE_A},
    {'S', "Sort (put wall)", WMS_HH_SCR_SORT, ROLE_P | ROLE_S | ROLE_A},
};

/* The role's bit; an unknown or missing role sees every screen (the
 * server still checks). */
static int role_bit(const char *role)
{
    static const char *const names[] = {"picker", "receiver", "supervisor", "admin"};
    for (int i = 0; i < 4; i++)
        if (strcmp(role, names[i]) == 0)
            return 1 << i;
    return ROLE_ALL;
}

/* Derives title, prompt, hidden and body from screen, step and data. */
static void layout(wms_hh_state *s)
{
    static const char *const titles[] = {"LOGIN", "MENU", "RECEIVE", "PUTAWAY", "STOCK",   "MOVE",
                                         "COUNT", "PICK", "PACK",    "SHIP",    "RETURNS", "SORT"};
    const char *prompt = "";
    s->hidden = 0;
    s->nbody = 0;
    set_line(s->title, sizeof(s->title), "%s", titles[s->screen]);
    switch (s->screen) {
    case WMS_HH_SCR_LOGIN: {
        static const char *const p[] = {
            "User:", "PIN:", "Test label (Enter=skip):", "Enter=menu R=test again:"};
        prompt = p[s->step];
        s->hidden = s->step == 1;
        if (s->step >= 1)
            hhui__body_add(s, "User: %.32s", s->user);
        if (s->step == 2)
            hhui__body_add(s, "Scan the scanner test label");
        break;
    }
    case WMS_HH_SCR_MENU:
        set_line(s->title, sizeof(s->title), "MENU %.20s", s->user);
        for (size_t i = 0; i < sizeof(menu) / sizeof(menu[0]); i++)
            if (menu[i].roles & role_bit(s->role))
                hhui__body_add(s, "%c %s", menu[i].key, menu[i].label);
        hhui__body_add(s, "0 Logout");
        prompt = "Choice:";
        break;
    case WMS_HH_SCR_RECEIVE: {
        static const char *const p[] = {"Bin (Enter=dock):", "Item:", "Qty (Enter=1):", "SKU:"};
        prompt = p[s->step];
        hhui__body_add(s, "Bin: %.34s", s->from[0] ? s->from : "(dock)");
        if (s->step >= 2)
            hhui__body_add(s, "Item: %.33s", s->code);
        break;
    }
    case WMS_HH_SCR_PUTAWAY:
    case WMS_HH_SCR_MOVE: {
        static const char *const p[] = {"From bin:", "Item:", "Qty:", "To bin:"};
        prompt = p[s->step];
        if (s->step >= 1)
            hhui__body_add(s, "From: %.33s", s->from);
        if (s->step >= 2)
            hhui__body_add(s, "Item: %.33s", s->code);
        if (s->step >= 3)
            hhui__body_add(s, "Qty: %lld", (long long)s->qty);
        break;
    }
    case WMS_HH_SCR_STOCK:
        prompt = "Bin/item:";
        break;
    case WMS_HH_SCR_COUNT: {
        static const char *const p[] = {"Enter=next count",
                                        "Scan bin:", "Item (Enter=end):", "Qty:"};
        prompt = p[s->step];
        if (s->step >= 1) {
            hhui__body_add(s, "Count %lld bin %.20s", (long long)s->count_id, s->count_bin);
        }
        if (s->step >= 2)
            hhui__body_add(s, "Lines: %d", s->ncount);
        if (s->step == 3)
            hhui__body_add(s, "Item: %.33s", s->code);
        break;
    }
    case WMS_HH_SCR_PICK:
        prompt = hhui__pick_layout(s);
        break;
    case WMS_HH_SCR_PACK:
    case WMS_HH_SCR_SHIP:
        prompt = hhui__pack_layout(s);
        break;
    case WMS_HH_SCR_RETURN:
        prompt = hhui__return_layout(s);
        break;
    case WMS_HH_SCR_SORT:
        prompt = hhui__sort_layout(s);
        break;
    }
    for (int i = 0; i < s->ninfo; i++)
        hhui__body_add(s, "%s", s->info[i]);
    set_line(s->prompt, sizeof(s->prompt), "%s", prompt);
}

void hhui__go(wms_hh_state *s, wms_hh_screen scr, int step)
{
    s->screen = scr;
    s->step = step;
}

void wms_hh_init(wms_hh_state *s)
{
    memset(s, 0, sizeof(*s));
    hhui__go(s, WMS_HH_SCR_LOGIN, 0);
    hhui__status_ok(s, "Log in");
    layout(s);
}

/* Enters a screen from the menu; Count and Pick ask for their task at once. */
static int enter_screen(wms_hh_state *s, wms_hh_screen scr)
{
    s->from[0] = s->code[0] = s->to[0] = s->sku[0] = s->suggested[0] = '\0';
    s->qty = 0;
    s->ncount = 0;
    hhui__info_clear(s);
    hhui__status_ok(s, "%s", "");
    hhui__go(s, scr, 0);
    if (scr == WMS_HH_SCR_COUNT) {
        hhui__req_new(s, "count.next", 1);
        return hhui__send_req(s);
    }
    if (scr == WMS_HH_SCR_PICK)
        return hhui__pick_enter(s);
    if (scr == WMS_HH_SCR_PACK || scr == WMS_HH_SCR_SHIP)
        return hhui__pack_enter(s);
    if (scr == WMS_HH_SCR_RETURN)
        return hhui__return_enter(s);
    if (scr == WMS_HH_SCR_SORT)
        return hhui__sort_enter(s);
    return WMS_HH_IDLE;
}

/* ------------------------------------------------------------------------ */
/* Input                                                                    */
/* ------------------------------------------------------------------------ */

/* The self-test steps after login: 2 = the test label's raw scan, 3 =
 * the diagnosis shown. */
static int input_selftest(wms_hh_state *s, const char *raw, const char *t)
{
    if (s->step == 3) {
        if ((t[0] == 'R' || t[0] == 'r') && t[1] == '\0') {
            hhui__info_clear(s);
            s->step = 2;
            hhui__status_ok(s, "Scan the test label again");
            return WMS_HH_IDLE;
        }
        hhui__info_clear(s);
        hhui__go(s, WMS_HH_SCR_MENU, 0);
        return WMS_HH_IDLE;
    }
    if (t[0] == '\0') {
        hhui__go(s, WMS_HH_SCR_MENU, 0);
        hhui__status_ok(s, "Hello %s (scanner test skipped)", s->user);
        return WMS_HH_IDLE;
    }
    if (strlen(raw) > WMS_HH_INPUT_MAX) {
        hhui__status_err(s, NULL, "Input too long");
        return WMS_HH_IDLE;
    }
    hhui__req_new(s, "scanner.selftest", 0);
    hhui__req_str(s, "scan", raw); /* exactly as scanned */
    return hhui__send_req(s);
}

static int input_login(wms_hh_state *s, const char *t)
{
    if (s->step == 0) {
        if (t[0] == '\0' || strlen(t) >= sizeof(s->user)) {
            hhui__status_err(s, NULL, "Enter your user name");
            return WMS_HH_IDLE;
        }
        snprintf(s->user, sizeof(s->user), "%s", t);
        s->step = 1;
        hhui__status_ok(s, "%s", "");
        return WMS_HH_IDLE;
    }
    if (t[0] == '\0') {
        hhui__status_err(s, NULL, "Enter your PIN");
        return WMS_HH_IDLE;
    }
    hhui__req_new(s, "login", 0);
    hhui__req_str(s, "user", s->user);
    hhui__req_str(s, "pin", t);
    return hhui__send_req(s);
}

static int input_menu(wms_hh_state *s, const char *t)
{
    for (size_t i = 0; strlen(t) == 1 && i < sizeof(menu) / sizeof(menu[0]); i++)
        if ((t[0] == menu[i].key || (t[0] | 0x20) == (menu[i].key | 0x20)) &&
            (menu[i].roles & role_bit(s->role)))
            return enter_screen(s, menu[i].screen);
    if (strcmp(t, "0") == 0) {
        hhui__req_new(s, "logout", 0);
        return hhui__send_req(s);
    }
    hhui__status_err(s, NULL, "Choose a number shown, or 0 to log out");
    return WMS_HH_IDLE;
}

int hhui__need_text(wms_hh_state *s, const char *t, const char *what)
{
    if (t[0] != '\0')
        return 1;
    char msg[64];
    snprintf(msg, sizeof(msg), "Scan %s", what);
    hhui__status_err(s, NULL, msg);
    return 0;
}

int hhui__need_qty(wms_hh_state *s, const char *t, int64_t *q)
{
    if (parse_qty(t, q) == 0)
        return 1;
    hhui__status_err(s, "BAD_QTY", "Enter a quantity from 1 to 1000000000");
    return 0;
}

static int send_receive(wms_hh_state *s)
{
    hhui__req_new(s, "receive.scan", 1);
    hhui__req_str(s, "code", s->code);
    hhui__req_str(s, "bin", s->from);
    hhui__req_str(s, "item", s->sku);
    if (s->qty > 0)
        hhui__req_int(s, "qty", s->qty);
    return hhui__send_req(s);
}

static int input_receive(wms_hh_state *s, const char *t)
{
    switch (s->step) {
    case 0:
        snprintf(s->from, sizeof(s->from), "%s", t); /* empty: the server's dock */
        s->step = 1;
        return WMS_HH_IDLE;
    case 1:
        if (!hhui__need_text(s, t, "an item"))
            return WMS_HH_IDLE;
        snprintf(s->code, sizeof(s->code), "%s", t);
        s->sku[0] = '\0';
        s->step = 2;
        return WMS_HH_IDLE;
    case 2:
        s->qty = 0;
        if (t[0] != '\0' && !hhui__need_qty(s, t, &s->qty))
            return WMS_HH_IDLE;
        return send_receive(s);
    default:
        if (!hhui__need_text(s, t, "or type the SKU"))
            return WMS_HH_IDLE;
        snprintf(s->sku, sizeof(s->sku), "%s", t);
        return send_receive(s);
    }
}

static int input_putaway_move(wms_hh_state *s, const char *t)
{
    switch (s->step) {
    case 0:
        if (!hhui__need_text(s, t, "the bin the goods are in"))
            return WMS_HH_IDLE;
        snprintf(s->from, sizeof(s->from), "%s", t);
        s->step = 1;
        hhui__info_clear(s);
        return WMS_HH_IDLE;
    case 1:
        if (!hhui__need_text(s, t, "an item"))
            return WMS_HH_IDLE;
        snprintf(s->code, sizeof(s->code), "%s", t);
        s->step = 2;
        hhui__info_clear(s);
        return WMS_HH_IDLE;
    case 2:
        if (!hhui__need_qty(s, t, &s->qty))
            return WMS_HH_IDLE;
        if (s->screen == WMS_HH_SCR_MOVE) {
            s->step = 3;
            return WMS_HH_IDLE;
        }
        s->suggested[0] = '\0';
        hhui__req_new(s, "putaway.suggest", 0);
        hhui__req_str(s, "code", s->code);
        hhui__req_int(s, "qty", s->qty);
        return hhui__send_req(s);
    default:
        if (!hhui__need_text(s, t, "the bin"))
            return WMS_HH_IDLE;
        snprintf(s->to, sizeof(s->to), "%s", t);
        if (s->screen == WMS_HH_SCR_MOVE) {
            hhui__req_new(s, "stock.move", 1);
            hhui__req_str(s, "from", s->from);
            hhui__req_str(s, "to", s->to);
            hhui__req_str(s, "code", s->code);
            hhui__req_int(s, "qty", s->qty);
            return hhui__send_req(s);
        }
        hhui__req_new(s, "putaway.confirm", 1);
        hhui__req_str(s, "from", s->from);
        hhui__req_str(s, "to", s->to);
        hhui__req_str(s, "suggested", s->suggested);
        hhui__req_str(s, "code", s->code);
        hhui__req_int(s, "qty", s->qty);
        return hhui__send_req(s);
    }
}

static int input_stock(wms_hh_state *s, const char *t)
{
    if (!hhui__need_text(s, t, "a bin or an item"))
        return WMS_HH_IDLE;
    snprintf(s->code, sizeof(s->code), "%s", t);
    hhui__req_new(s, "stock.query", 0);
    hhui__req_str(s, "code", t);
    return hhui__send_req(s);
}

static int send_count(wms_hh_state *s)
{
    hhui__req_new(s, "count.submit", 1);
    hhui__req_int(s, "count", s->count_id);
    s->req.has_lines = 1;
    s->req.nlines = s->ncount;
    memcpy(s->req.lines, s->count_lines, sizeof(s->count_lines[0]) * (size_t)s->ncount);
    return hhui__send_req(s);
}

static int input_count(wms_hh_state *s, const char *t)
{
    switch (s->step) {
    case 0:
        hhui__info_clear(s);
        hhui__req_new(s, "count.next", 1);
        return hhui__send_req(s);
    case 1:
        if (!hhui__need_text(s, t, "the bin"))
            return WMS_HH_IDLE;
        if (strcmp(t, s->count_bin) != 0) {
            char msg[WMS_HH_STATUS_MAX];
            snprintf(msg, sizeof(msg), "wrong bin: scan %.60s", s->count_bin);
            hhui__status_err(s, "WRONG_BIN", msg);
            return WMS_HH_IDLE;
        }
        s->ncount = 0;
        s->step = 2;
        hhui__status_ok(s, "Scan every item in the bin");
        return WMS_HH_IDLE;
    case 2:
        if (t[0] == '\0')
            return send_count(s);
        if (s->ncount >= WMS_HH_COUNT_LINES_MAX) {
            hhui__status_err(s, NULL, "No more lines: press Enter to finish");
            return WMS_HH_IDLE;
        }
        snprintf(s->code, sizeof(s->code), "%s", t);
        s->step = 3;
        return WMS_HH_IDLE;
    default: {
        int64_t q;
        /* 0 is a valid count here: the item is not in the bin. */
        if (strcmp(t, "0") == 0)
            q = 0;
        else if (!hhui__need_qty(s, t, &q))
            return WMS_HH_IDLE;
        wms_hh_count_line *l = &s->count_lines[s->ncount++];
        snprintf(l->code, sizeof(l->code), "%s", s->code);
        l->qty = q;
        hhui__info_clear(s);
        hhui__info_add(s, "+ %.24s x %lld", s->code, (long long)q);
        s->step = 2;
        return WMS_HH_IDLE;
    }
    }
}

int wms_hh_input(wms_hh_state *s, const char *line)
{
    if (s->busy)
        return WMS_HH_IDLE;
    if (s->offline) { /* Enter resends the same request, txn and all */
        hhui__status_ok(s, "Sending again...");
        layout(s);
        return hhui__send_req(s);
    }
    char t[WMS_HH_INPUT_MAX + 1];
    int rc = WMS_HH_IDLE;
    if (clean_input(line, t) < 0) {
        hhui__status_err(s, NULL, "Input too long");
    } else {
        if (!(s->screen == WMS_HH_SCR_COUNT && s->step == 0))
            hhui__status_ok(s, "%s", "");
        switch (s->screen) {
        case WMS_HH_SCR_LOGIN:
            rc = s->step >= 2 ? input_selftest(s, line ? line : "", t) : input_login(s, t);
            break;
        case WMS_HH_SCR_MENU:
            rc = input_menu(s, t);
            break;
        case WMS_HH_SCR_RECEIVE:
            rc = input_receive(s, t);
            break;
        case WMS_HH_SCR_PUTAWAY:
        case WMS_HH_SCR_MOVE:
            rc = input_putaway_move(s, t);
            break;
        case WMS_HH_SCR_STOCK:
            rc = input_stock(s, t);
            break;
        case WMS_HH_SCR_COUNT:
            rc = input_count(s, t);
            break;
        case WMS_HH_SCR_PICK:
            rc = hhui__pick_input(s, t);
            break;
        case WMS_HH_SCR_PACK:
        case WMS_HH_SCR_SHIP:
            rc = hhui__pack_input(s, t);
            break;
        case WMS_HH_SCR_RETURN:
            rc = hhui__return_input(s, t);
            break;
        case WMS_HH_SCR_SORT:
            rc = hhui__sort_input(s, t);
            break;
        }
    }
    layout(s);
    return rc;
}

int wms_hh_back(wms_hh_state *s)
{
    if (s->busy)
        return WMS_HH_IDLE;
    int rc = WMS_HH_IDLE;
    if (s->offline) {
        s->offline = 0;
        hhui__status_err(s, NULL, "Not confirmed: check the stock before repeating");
        layout(s);
        return rc;
    }
    hhui__status_ok(s, "%s", "");
    switch (s->screen) {
    case WMS_HH_SCR_LOGIN:
        if (s->step == 0)
            return WMS_HH_QUIT;
        if (s->step >= 2) { /* logged in: skip the test */
            hhui__info_clear(s);
            hhui__go(s, WMS_HH_SCR_MENU, 0);
            break;
        }
        s->step = 0;
        break;
    case WMS_HH_SCR_MENU:
        hhui__req_new(s, "logout", 0);
        rc = hhui__send_req(s);
        break;
    case WMS_HH_SCR_COUNT:
        if (s->step == 3)
            s->step = 2;
        else
            hhui__go(s, WMS_HH_SCR_MENU, 0);
        break;
    case WMS_HH_SCR_PICK:
        hhui__pick_back(s);
        break;
    case WMS_HH_SCR_PACK:
    case WMS_HH_SCR_SHIP:
        hhui__pack_back(s);
        break;
    case WMS_HH_SCR_RETURN:
        hhui__return_back(s);
        break;
    case WMS_HH_SCR_SORT:
        hhui__sort_back(s);
        break;
    case WMS_HH_SCR_RECEIVE:
        if (s->step == 3)
            s->step = 1;
        else if (s->step > 0)
            s->step--;
        else
            hhui__go(s, WMS_HH_SCR_MENU, 0);
        break;
    default:
        if (s->step > 0)
            s->step--;
        else
            hhui__go(s, WMS_HH_SCR_MENU, 0);
        break;
    }
    if (s->screen == WMS_HH_SCR_MENU)
        hhui__info_clear(s);
    layout(s);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Answers                                                                  */
/* ------------------------------------------------------------------------ */

/* Reads a string field, "" when absent or not a string (cut when long). */
void hhui__get(const msgpack_object *o, const char *key, char *buf, size_t n)
{
    (void)wms_client_get_str(o, key, buf, n);
}

int64_t hhui__get_int(const msgpack_object *o, const char *key)
{
    int64_t v = 0;
    if (wms_client_get_int(o, key, &v) < 0)
        v = 0;
    return v;
}

/* "Booked 48 A in R1 (L9, 2027-03-31, available)" from a booking result:
 * verb, quantity, SKU, preposition, bin, details. */
static void booking_status(wms_hh_state *s, const char *verb, const char *prep,
                           const msgpack_object *r)
{
    char sku[65], bin[65], lot[21], exp[11], st[16];
    hhui__get(r, "sku", sku, sizeof(sku));
    hhui__get(r, "bin", bin, sizeof(bin));
    hhui__get(r, "lot", lot, sizeof(lot));
    hhui__get(r, "expiry", exp, sizeof(exp));
    hhui__get(r, "status", st, sizeof(st));
    char detail[64] = "";
    size_t dl = 0;
    const char *parts[] = {lot, exp, st};
    for (int i = 0; i < 3; i++) {
        if (parts[i][0] == '\0')
            continue;
        int w = snprintf(detail + dl, sizeof(detail) - dl, "%s%s", dl ? ", " : "", parts[i]);
        if (w < 0 || (size_t)w >= sizeof(detail) - dl)
            break;
        dl += (size_t)w;
    }
    hhui__status_ok(s, "%s %lld %s %s %s%s%s%s", verb, (long long)hhui__get_int(r, "qty"), sku,
                    prep, bin, dl ? " (" : "", detail, dl ? ")" : "");
}

static void stock_rows(wms_hh_state *s, const msgpack_object *r)
{
    hhui__info_clear(s);
    const msgpack_object *rows = wms_client_get_array(r, "rows");
    uint32_t n = rows != NULL ? rows->via.array.size : 0;
    for (uint32_t i = 0; i < n && s->ninfo < WMS_HH_BODY_LINES - 1; i++) {
        const msgpack_object *row = &rows->via.array.ptr[i];
        char bin[65], sku[65], lot[21];
        hhui__get(row, "bin", bin, sizeof(bin));
        hhui__get(row, "sku", sku, sizeof(sku));
        hhui__get(row, "lot", lot, sizeof(lot));
        hhui__info_add(s, "%.12s %.12s %lld%s%.10s", bin, sku, (long long)hhui__get_int(row, "qty"),
                       lot[0] ? " " : "", lot);
    }
    if (n > (uint32_t)s->ninfo)
        hhui__info_add(s, "+%u more", (unsigned)(n - (uint32_t)s->ninfo));
    int64_t avail = 0;
    if (n == 0)
        hhui__status_ok(s, "No stock for %s", s->code);
    else if (wms_client_get_int(r, "available", &avail) == 0)
        hhui__status_ok(s, "%u rows, %lld available", (unsigned)n, (long long)avail);
    else
        hhui__status_ok(s, "%u rows", (unsigned)n);
}

/* scanner.selftest's answer: OK, or each quirk's code and setting; a
 * substitute separator is kept for reconnects. */
static void selftest_result(wms_hh_state *s, const msgpack_object *r)
{
    char sub[8] = "";
    hhui__get(r, "gs_sub", sub, sizeof(sub));
    if (sub[0] != '\0' && sub[1] == '\0')
        s->gs_sub = sub[0];
    hhui__info_clear(s);
    const msgpack_object *q = wms_client_get_array(r, "quirks");
    uint32_t n = q != NULL ? q->via.array.size : 0;
    for (uint32_t i = 0; i < n && s->ninfo < WMS_HH_BODY_LINES - 4; i++) {
        char code[24], setting[WMS_HH_STATUS_MAX];
        hhui__get(&q->via.array.ptr[i], "code", code, sizeof(code));
        hhui__get(&q->via.array.ptr[i], "setting", setting, sizeof(setting));
        hhui__info_add(s, "%s:", code);
        /* the setting over up to two lines */
        size_t len = strlen(setting), w = WMS_HH_LINE_MAX - 1;
        hhui__info_add(s, " %.*s", (int)w, setting);
        if (len > w && s->ninfo < WMS_HH_BODY_LINES - 4)
            hhui__info_add(s, " %.*s", (int)w, setting + w);
    }
    if (wms_client_get_bool(r, "ok") == 1)
        hhui__status_ok(s, "Scanner OK");
    else if (wms_client_get_bool(r, "usable") == 1)
        hhui__status_ok(s, "Scanner usable with %u problem%s%s: fix the settings shown", n,
                        n == 1 ? "" : "s", s->gs_sub ? " (separator accepted)" : "");
    else
        hhui__status_err(s, "SCANNER", "This scanner garbles GS1 codes: change the settings shown");
    hhui__go(s, WMS_HH_SCR_LOGIN, 3);
}

int wms_hh_result(wms_hh_state *s, const msgpack_object *r)
{
    if (!s->busy)
        return WMS_HH_IDLE;
    s->busy = 0;
    s->offline = 0;
    const char *m = s->req.method;
    int rc = WMS_HH_IDLE;
    if (strcmp(m, "login") == 0) {
        hhui__get(r, "role", s->role, sizeof(s->role));
        hhui__go(s, WMS_HH_SCR_MENU, 0);
        hhui__info_clear(s);
        hhui__status_ok(s, "Hello %s%s%s", s->user, s->role[0] ? ", " : "", s->role);
        if (s->selftest)
            hhui__go(s, WMS_HH_SCR_LOGIN, 2);
    } else if (strcmp(m, "scanner.selftest") == 0) {
        selftest_result(s, r);
    } else if (strcmp(m, "logout") == 0) {
        s->user[0] = s->role[0] = '\0';
        hhui__go(s, WMS_HH_SCR_LOGIN, 0);
        hhui__info_clear(s);
        hhui__status_ok(s, "Logged out");
    } else if (strcmp(m, "receive.scan") == 0) {
        booking_status(s, "Booked", "in", r);
        s->sku[0] = '\0';
        s->step = 1;
    } else if (strcmp(m, "putaway.suggest") == 0) {
        hhui__get(r, "bin", s->suggested, sizeof(s->suggested));
        char reason[WMS_HH_LINE_MAX + 1];
        hhui__get(r, "reason", reason, sizeof(reason));
        hhui__info_clear(s);
        hhui__info_add(s, "Put to: %.30s", s->suggested);
        if (reason[0])
            hhui__info_add(s, "(%s)", reason);
        hhui__status_ok(s, "Scan the bin you put it in");
        s->step = 3;
    } else if (strcmp(m, "putaway.confirm") == 0) {
        booking_status(s, "Put", "in", r);
        hhui__info_clear(s);
        s->step = 1;
    } else if (strcmp(m, "stock.query") == 0) {
        stock_rows(s, r);
    } else if (strcmp(m, "stock.move") == 0) {
        booking_status(s, "Moved", "to", r);
        hhui__info_clear(s);
        s->step = 0;
    } else if (hhui__pick_owns(m)) {
        hhui__pick_result(s, r);
    } else if (hhui__pack_owns(m)) {
        hhui__pack_result(s, r);
    } else if (hhui__return_owns(m)) {
        hhui__return_result(s, r);
    } else if (hhui__sort_owns(m)) {
        hhui__sort_result(s, r);
    } else if (strcmp(m, "count.next") == 0) {
        s->count_id = hhui__get_int(r, "count");
        hhui__get(r, "bin", s->count_bin, sizeof(s->count_bin));
        s->ncount = 0;
        hhui__info_clear(s);
        hhui__status_ok(s, "Go to bin %s", s->count_bin);
        s->step = 1;
    } else if (strcmp(m, "count.submit") == 0) {
        char st[24];
        hhui__get(r, "status", st, sizeof(st));
        hhui__info_clear(s);
        const msgpack_object *lines = wms_client_get_array(r, "lines");
        for (uint32_t i = 0; lines != NULL && i < lines->via.array.size; i++) {
            const msgpack_object *l = &lines->via.array.ptr[i];
            char sku[65];
            hhui__get(l, "sku", sku, sizeof(sku));
            hhui__info_add(s, "%.16s %lld->%lld", sku, (long long)hhui__get_int(l, "expected"),
                           (long long)hhui__get_int(l, "counted"));
        }
        if (strcmp(st, "pending_approval") == 0)
            hhui__status_ok(s, "Count %lld waits for a supervisor", (long long)s->count_id);
        else
            hhui__status_ok(s, "Count %lld %s", (long long)s->count_id, st[0] ? st : "done");
        s->ncount = 0;
        s->step = 0;
    } else {
        hhui__status_ok(s, "OK");
    }
    layout(s);
    return rc;
}

/* Where an error sends each flow back to. */
static int error_step(const wms_hh_state *s, const char *code)
{
    const char *m = s->req.method;
    int bin_err = strcmp(code, "WRONG_BIN") == 0 || strcmp(code, "BIN_BLOCKED") == 0 ||
                  strcmp(code, "BIN_FULL") == 0;
    switch (s->screen) {
    case WMS_HH_SCR_RECEIVE:
        if (strcmp(code, "AMBIGUOUS_CODE") == 0 && strcmp(m, "receive.scan") == 0)
            return 3;
        return bin_err ? 0 : 1;
    case WMS_HH_SCR_PUTAWAY:
        if (strcmp(m, "putaway.suggest") == 0)
            return strcmp(code, "NOT_FOUND") == 0 ? 3 : 1; /* no room anywhere: choose */
        return bin_err || strcmp(code, "NOT_FOUND") == 0 ? 3 : 1;
    case WMS_HH_SCR_MOVE:
        if (strcmp(code, "INSUFFICIENT_STOCK") == 0)
            return 2;
        return bin_err ? 3 : 1;
    case WMS_HH_SCR_COUNT:
        return strcmp(m, "count.submit") == 0 ? 2 : 0;
    default:
        return 0;
    }
}

int wms_hh_error(wms_hh_state *s, const char *code, const char *message)
{
    if (!s->busy)
        return WMS_HH_IDLE;
    s->busy = 0;
    s->offline = 0;
    if (code == NULL)
        code = "";
    hhui__status_err(s, code, message);
    const char *m = s->req.method;
    if (strcmp(m, "login") == 0) {
        hhui__go(s, WMS_HH_SCR_LOGIN, 0);
    } else if (strcmp(m, "logout") == 0) {
        s->user[0] = s->role[0] = '\0';
        hhui__go(s, WMS_HH_SCR_LOGIN, 0);
    } else if (strcmp(code, "NOT_LOGGED_IN") == 0) {
        hhui__go(s, WMS_HH_SCR_LOGIN, 0);
    } else if (hhui__pick_owns(m)) {
        hhui__pick_error(s, code);
    } else if (hhui__pack_owns(m)) {
        hhui__pack_error(s, code);
    } else if (hhui__return_owns(m)) {
        hhui__return_error(s, code);
    } else if (hhui__sort_owns(m)) {
        hhui__sort_error(s, code);
    } else if (strcmp(m, "scanner.selftest") == 0) {
        hhui__go(s, WMS_HH_SCR_LOGIN, 2); /* scan again, or Enter to skip */
    } else {
        s->step = error_step(s, code);
        if (s->screen == WMS_HH_SCR_PUTAWAY && s->step == 3)
            hhui__info_clear(s);
    }
    layout(s);
    return WMS_HH_IDLE;
}

int wms_hh_offline(wms_hh_state *s, const char *message)
{
    if (!s->busy)
        return WMS_HH_IDLE;
    s->busy = 0;
    s->offline = 1;
    char msg[WMS_HH_STATUS_MAX + 1];
    snprintf(msg, sizeof(msg), "No connection: Enter=send again, Esc=give up (%.150s)",
             message != NULL ? message : "");
    hhui__status_err(s, "IO", msg);
    layout(s);
    return WMS_HH_IDLE;
}
