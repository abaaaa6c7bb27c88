/*
 * hhui.h - the screens of the terminal RF handheld (wms-handheld) as pure
 * state machines: no I/O, no curses, no clock.
 *
 * The program feeds the state what the user did and what the server
 * answered; the state says what to show and which request to send:
 *
 *     wms_hh_init(&s);
 *     draw(&s);
 *     on Enter:    act = wms_hh_input(&s, line);
 *     on Esc/F1:   act = wms_hh_back(&s);
 *     while (act == WMS_HH_SEND) {            request in s.req
 *         if (s.req.needs_txn && !s.req.txn[0]) fill s.req.txn (wms_client_next_txn)
 *         pack with wms_hh_req_pack and call;
 *         act = ok ? wms_hh_result(&s, &result)
 *                  : transport failure ? wms_hh_offline(&s, message)
 *                  : wms_hh_error(&s, wire_name, message);
 *     }
 *     act == WMS_HH_QUIT: leave the program.
 *
 * Screens follow an RF gun: one prompt at a time ("Bin:", "Item:",
 * "Qty:"); a scan is a line of keyboard input ending in Enter; Esc/F1 goes
 * one prompt back (from the first prompt: to the menu; from login: quit).
 * Results and errors land in the status line; an error shows the server's
 * message verbatim with its code in brackets: "wrong bin: scan A-01 [WRONG_BIN]".
 *
 * A state-changing request keeps its txn in s.req.txn: after a transport
 * failure (wms_hh_offline) Enter resends the very same request, txn and
 * all, so the server's exactly-once table answers it without a second
 * effect; Esc abandons it.  A new request always starts with an empty txn.
 *
 * The menu shows the screens the user's role may use (numbers stay fixed):
 * 1 Receive, 2 Putaway, 4 Move (receiver, supervisor, admin); 3 Stock,
 * 5 Count (everyone); 6 Pick, 7 Pack, 8 Ship, S Sort at a put wall
 * (picker, supervisor, admin); 9 Returns (receiver, supervisor, admin).
 *
 * Scanner self-test at login (s.selftest set by the program): after the
 * PIN the screen asks "Test label (Enter=skip):"; the scan of the printed
 * self-test label (wmsctl label selftest) goes to scanner.selftest exactly
 * as it arrived (GS and Tab characters kept, nothing trimmed), and the
 * answer - "Scanner OK" or each problem with the setting to change - shows
 * until Enter (R = test again).  A substitute separator the server found is
 * kept in s.gs_sub: the program sends it as hello's "gs" on reconnects.
 * Pick and pack live in hhui_pick.c and hhui_pack.c (see their headers for
 * the prompts and the typed commands: S = short pick, T = close a tote,
 * C = close a carton).
 */
#ifndef WMS_PROTO_HHUI_H
#define WMS_PROTO_HHUI_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "wms.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WMS_HH_LINE_MAX 40   /* characters of one body / title / prompt line */
#define WMS_HH_BODY_LINES 12 /* body lines between title and prompt */
#define WMS_HH_STATUS_MAX 240
#define WMS_HH_INPUT_MAX 128 /* one scan or typed line */
#define WMS_HH_TXN_MAX 64
#define WMS_HH_ARGS_MAX 8
#define WMS_HH_COUNT_LINES_MAX 50

typedef enum {
    WMS_HH_SCR_LOGIN = 0,
    WMS_HH_SCR_MENU,
    WMS_HH_SCR_RECEIVE,
    WMS_HH_SCR_PUTAWAY,
    WMS_HH_SCR_STOCK,
    WMS_HH_SCR_MOVE,
    WMS_HH_SCR_COUNT,
    WMS_HH_SCR_PICK,
    WMS_HH_SCR_PACK,
    WMS_HH_SCR_SHIP,
    WMS_HH_SCR_RETURN,
    WMS_HH_SCR_SORT,
} wms_hh_screen;

/* What the program should do next. */
enum { WMS_HH_IDLE = 0, WMS_HH_SEND = 1, WMS_HH_QUIT = 2 };

typedef struct wms_hh_arg {
    char key[16];
    int is_int;
    int64_t i;
    char s[WMS_HH_INPUT_MAX + 1];
} wms_hh_arg;

typedef struct wms_hh_count_line {
    char code[WMS_HH_INPUT_MAX + 1];
    int64_t qty;
} wms_hh_count_line;

/* A request to send: method, scalar args, and for count.submit its lines. */
typedef struct wms_hh_req {
    char method[32];
    int needs_txn;                /* state-changing: carries "txn" */
    char txn[WMS_HH_TXN_MAX + 1]; /* "" until the program assigns one */
    int nargs;
    wms_hh_arg args[WMS_HH_ARGS_MAX];
    int nlines; /* > 0 or has_lines: packs "lines" */
    int has_lines;
    wms_hh_count_line lines[WMS_HH_COUNT_LINES_MAX];
} wms_hh_req;

/* A pick or replenishment task as task.next (or a pick result's "next")
 * gives it; id 0 = none.  Codes the user must scan match these exactly. */
typedef struct wms_hh_task {
    int64_t id;
    int replenish; /* kind "replenish": from bin to the pick face to_bin */
    char order[65];
    char bin[WMS_HH_INPUT_MAX + 1], to_bin[WMS_HH_INPUT_MAX + 1];
    char sku[65];
    char description[WMS_HH_LINE_MAX + 1];
    char lot[21], expiry[11];
    int64_t qty;                          /* units still to do */
    int64_t case_units;                   /* units in a case of the item */
    char tote[33];                        /* the slot on the cart, "" = none */
    char tote_code[WMS_HH_INPUT_MAX + 1]; /* the physical tote in the slot, "" = none yet */
    int64_t left_in_tour;
} wms_hh_task;

typedef struct wms_hh_state {
    wms_hh_screen screen;
    int step; /* the screen's current prompt */
    char title[WMS_HH_LINE_MAX + 1];
    char prompt[WMS_HH_LINE_MAX + 1];
    int hidden; /* the input is a PIN: echo '*' */
    int nbody;
    char body[WMS_HH_BODY_LINES][WMS_HH_LINE_MAX + 1];
    char status[WMS_HH_STATUS_MAX + 1];
    int status_error; /* the status line shows an error */
    int busy;         /* s.req is waiting for its answer */
    int offline;      /* s.req failed in transport: Enter resends it */
    wms_hh_req req;

    /* result lines shown under the flow's context in the body */
    int ninfo;
    char info[WMS_HH_BODY_LINES][WMS_HH_LINE_MAX + 1];

    /* what the flows have collected so far */
    char user[33], role[16];
    char from[WMS_HH_INPUT_MAX + 1], code[WMS_HH_INPUT_MAX + 1], to[WMS_HH_INPUT_MAX + 1];
    char sku[WMS_HH_INPUT_MAX + 1], suggested[WMS_HH_INPUT_MAX + 1];
    int64_t qty; /* 0 = not given */
    int64_t count_id;
    char count_bin[WMS_HH_INPUT_MAX + 1];
    int ncount;
    wms_hh_count_line count_lines[WMS_HH_COUNT_LINES_MAX];

    /* picking (hhui_pick.c): the task shown, and the tote scanned for it */
    wms_hh_task task;
    int64_t waiting; /* picks waiting for a replenishment (no task) */
    char tote_scan[WMS_HH_INPUT_MAX + 1];

    /* packing and shipping (hhui_pack.c): the open carton, 0 = none */
    int64_t carton;
    char pack_order[65], pack_tote[65];
    char box[WMS_HH_INPUT_MAX + 1];
    char sscc[24]; /* the last carton closed */

    /* scanner self-test at login: asked when selftest is set; gs_sub = the
     * substitute GS1 separator the server accepts for this device (0 = none) */
    int selftest;
    char gs_sub;

    /* sorting at a put wall (hhui_sort.c): the wall, the slot shown */
    char wall[25];
    char sort_slot[33], sort_order[65];

    /* returns (hhui_return.c): the open return (0 = none), its line being graded */
    int64_t return_id, return_line;
    char return_order[65];
    char return_grade[16];
} wms_hh_state;

/* Starts at the login screen. */
void wms_hh_init(wms_hh_state *s);

/* The user pressed Enter on `line` (a scan or typed text; NULL = "").
 * Returns WMS_HH_SEND (request in s->req), WMS_HH_IDLE or WMS_HH_QUIT.
 * Ignored (IDLE) while a request is busy. */
int wms_hh_input(wms_hh_state *s, const char *line);

/* Esc / F1: one prompt back; from the first prompt to the menu (a logout
 * request from the menu, WMS_HH_QUIT from the login screen). */
int wms_hh_back(wms_hh_state *s);

/* The server answered s->req with `result` (a map). */
int wms_hh_result(wms_hh_state *s, const msgpack_object *result);

/* The server answered s->req with an error: its wire code name (may be
 * NULL) and message, shown as "message [CODE]". */
int wms_hh_error(wms_hh_state *s, const char *code, const char *message);

/* s->req could not be delivered or answered (no connection after every
 * retry): keeps it, with its txn, for a resend on Enter. */
int wms_hh_offline(wms_hh_state *s, const char *message);

/* Packs the request's arguments as key/value pairs (no map header) for
 * wms_client_begin's packer: "txn" first when set, then the args, then
 * "lines" for count.submit.  Returns the number of pairs. */
int wms_hh_req_pack(const wms_hh_req *r, msgpack_packer *pk);

/* The string / integer argument `key` of a request, or NULL / -1. */
const char *wms_hh_req_str(const wms_hh_req *r, const char *key);
int64_t wms_hh_req_int(const wms_hh_req *r, const char *key);

#ifdef __cplusplus
}
#endif
#endif /* WMS_PROTO_HHUI_H */
