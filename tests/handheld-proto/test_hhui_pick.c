/* test_hhui_pick.c - the handheld's Pick, Pack and Ship screens
 * (handheld-proto/hhui_pick.c, hhui_pack.c) driven as state machines with
 * results built here, as the server would answer. */
#include "helpers.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "hhui.h"

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                 */
/* ------------------------------------------------------------------------ */

/* A msgpack object built in the test; free with ob_free. */
typedef struct obj_buf {
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_unpacked u;
} obj_buf;

static msgpack_packer *ob_begin(obj_buf *b)
{
    msgpack_sbuffer_init(&b->sb);
    msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
    msgpack_unpacked_init(&b->u);
    return &b->pk;
}

static const msgpack_object *ob_obj(obj_buf *b)
{
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&b->u, b->sb.data, b->sb.size, &off),
                     MSGPACK_UNPACK_SUCCESS);
    return &b->u.data;
}

static void ob_free(obj_buf *b)
{
    msgpack_unpacked_destroy(&b->u);
    msgpack_sbuffer_destroy(&b->sb);
}

static void pack_cstr(msgpack_packer *pk, const char *t)
{
    msgpack_pack_str(pk, strlen(t));
    msgpack_pack_str_body(pk, t, strlen(t));
}

/* The args a request packs (as wms-handheld sends them), as a map. */
static const msgpack_object *packed_args(const wms_hh_req *r, obj_buf *b)
{
    ob_begin(b);
    msgpack_sbuffer pairs;
    msgpack_sbuffer_init(&pairs);
    msgpack_packer pp;
    msgpack_packer_init(&pp, &pairs, msgpack_sbuffer_write);
    int n = wms_hh_req_pack(r, &pp);
    msgpack_pack_map(&b->pk, (size_t)n);
    msgpack_sbuffer_write(&b->sb, pairs.data, pairs.size);
    msgpack_sbuffer_destroy(&pairs);
    return ob_obj(b);
}

static void arg_str_is(const msgpack_object *args, const char *key, const char *want)
{
    char v[160];
    assert_true(wms_client_get_str(args, key, v, sizeof(v)) >= 0);
    assert_string_equal(v, want);
}

static void arg_int_is(const msgpack_object *args, const char *key, int64_t want)
{
    int64_t v = -1;
    assert_int_equal(wms_client_get_int(args, key, &v), 0);
    assert_int_equal(v, want);
}

/* The program's job: give a state-changing request its txn. */
static void give_txn(wms_hh_state *s, const char *txn)
{
    assert_int_equal(s->req.needs_txn, 1);
    assert_string_equal(s->req.txn, "");
    snprintf(s->req.txn, sizeof(s->req.txn), "%s", txn);
}

/* The body line that starts with `prefix`, or NULL. */
static const char *body_line(const wms_hh_state *s, const char *prefix)
{
    for (int i = 0; i < s->nbody; i++)
        if (strncmp(s->body[i], prefix, strlen(prefix)) == 0)
            return s->body[i];
    return NULL;
}

static void login_as(wms_hh_state *s, const char *role)
{
    wms_hh_init(s);
    assert_int_equal(wms_hh_input(s, "pia"), WMS_HH_IDLE);
    assert_int_equal(wms_hh_input(s, "1234"), WMS_HH_SEND);
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 2);
    wms_client_kv_str(pk, "user", "pia");
    wms_client_kv_str(pk, "role", role);
    assert_int_equal(wms_hh_result(s, ob_obj(&b)), WMS_HH_IDLE);
    ob_free(&b);
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);
}

/* A task as task.next / "next" packs it. */
typedef struct task_spec {
    int64_t id;
    const char *kind, *order, *bin, *to_bin, *sku, *lot, *expiry, *tote, *tote_code;
    int64_t qty, case_units, left_in_tour;
} task_spec;

static void pack_task(msgpack_packer *pk, const task_spec *t)
{
    msgpack_pack_map(pk, 20);
    wms_client_kv_int(pk, "id", t->id);
    wms_client_kv_str(pk, "kind", t->kind);
    wms_client_kv_int(pk, "wave", 3);
    wms_client_kv_int(pk, "tour", 1);
    wms_client_kv_int(pk, "seq", 1);
    pack_cstr(pk, "order");
    if (t->order != NULL)
        pack_cstr(pk, t->order);
    else
        msgpack_pack_nil(pk);
    wms_client_kv_int(pk, "line", 1);
    wms_client_kv_str(pk, "bin", t->bin);
    pack_cstr(pk, "to_bin");
    if (t->to_bin != NULL)
        pack_cstr(pk, t->to_bin);
    else
        msgpack_pack_nil(pk);
    wms_client_kv_str(pk, "sku", t->sku);
    wms_client_kv_str(pk, "description", "Apple juice 1l");
    wms_client_kv_str(pk, "lot", t->lot);
    wms_client_kv_str(pk, "expiry", t->expiry);
    wms_client_kv_int(pk, "qty", t->qty);
    wms_client_kv_int(pk, "case_units", t->case_units);
    wms_client_kv_str(pk, "tote", t->tote);
    pack_cstr(pk, "tote_code");
    if (t->tote_code != NULL)
        pack_cstr(pk, t->tote_code);
    else
        msgpack_pack_nil(pk);
    wms_client_kv_int(pk, "left_in_tour", t->left_in_tour);
    wms_client_kv_str(pk, "aisle", "A1");
    pack_cstr(pk, "y_m");
    msgpack_pack_double(pk, 2.0);
}

static const task_spec PICK41 = {41,           "pick",   "SO-1001", "P1", NULL, "A", "L1",
                                 "2027-06-30", "T3-1-1", NULL,      5,    24,   4};
static const task_spec PICK42 = {42, "pick",   "SO-1001",   "P7", NULL, "B", "",
                                 "", "T3-1-1", "TOTE-0042", 2,    1,    3};
static const task_spec REPL7 = {7,  "replenish", NULL, "R-05", "P1", "A", "L1", "2027-06-30",
                                "", NULL,        48,   24,     1};

/* Answers a busy task.next with `t` (NULL: no task) and `waiting`. */
static void answer_task_next(wms_hh_state *s, const task_spec *t, int64_t waiting)
{
    assert_int_equal(s->busy, 1);
    assert_string_equal(s->req.method, "task.next");
    assert_int_equal(s->req.needs_txn, 0);
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 2);
    pack_cstr(pk, "task");
    if (t != NULL)
        pack_task(pk, t);
    else
        msgpack_pack_nil(pk);
    wms_client_kv_int(pk, "waiting", waiting);
    assert_int_equal(wms_hh_result(s, ob_obj(&b)), WMS_HH_IDLE);
    ob_free(&b);
    assert_int_equal(s->busy, 0);
}

/* Logs in a picker and opens the Pick screen on task t. */
static wms_hh_state *pick_screen(const task_spec *t)
{
    wms_hh_state *s = calloc(1, sizeof(*s));
    assert_non_null(s);
    login_as(s, "picker");
    assert_int_equal(wms_hh_input(s, "6"), WMS_HH_SEND);
    assert_int_equal(s->screen, WMS_HH_SCR_PICK);
    answer_task_next(s, t, 0);
    return s;
}

/* A pick.confirm result with "next" = next (NULL: nil). */
static void answer_confirm(wms_hh_state *s, int64_t picked, int64_t left, const char *tote,
                           const char *order_status, const task_spec *next)
{
    assert_string_equal(s->req.method, "pick.confirm");
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 11);
    wms_client_kv_int(pk, "task", s->task.id);
    wms_client_kv_int(pk, "picked", picked);
    wms_client_kv_int(pk, "done_qty", picked);
    wms_client_kv_int(pk, "left", left);
    wms_client_kv_str(pk, "status", left > 0 ? "assigned" : "done");
    wms_client_kv_str(pk, "lot", "L1");
    wms_client_kv_str(pk, "expiry", "2027-06-30");
    wms_client_kv_bool(pk, "substituted", 0);
    wms_client_kv_str(pk, "tote", tote);
    wms_client_kv_str(pk, "order_status", order_status);
    pack_cstr(pk, "next");
    if (next != NULL)
        pack_task(pk, next);
    else
        msgpack_pack_nil(pk);
    assert_int_equal(wms_hh_result(s, ob_obj(&b)), WMS_HH_IDLE);
    ob_free(&b);
}

/* ------------------------------------------------------------------------ */
/* Pick                                                                     */
/* ------------------------------------------------------------------------ */

/* A picker's menu shows the picking screens, not receiving. */
static void test_menu_by_role(void **state)
{
    (void)state;
    wms_hh_state *s = calloc(1, sizeof(*s));
    login_as(s, "picker");
    assert_null(body_line(s, "1 Receive"));
    assert_non_null(body_line(s, "3 Stock inquiry"));
    assert_non_null(body_line(s, "6 Pick"));
    assert_non_null(body_line(s, "7 Pack"));
    assert_non_null(body_line(s, "8 Ship"));
    assert_non_null(body_line(s, "0 Logout"));
    assert_int_equal(wms_hh_input(s, "1"), WMS_HH_IDLE); /* not for pickers */
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);
    assert_int_equal(s->status_error, 1);

    login_as(s, "receiver");
    assert_non_null(body_line(s, "1 Receive"));
    assert_null(body_line(s, "6 Pick"));
    assert_int_equal(wms_hh_input(s, "6"), WMS_HH_IDLE);
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);

    login_as(s, "supervisor");
    assert_non_null(body_line(s, "1 Receive"));
    assert_non_null(body_line(s, "8 Ship"));
    free(s);
}

/* Bin, tote, item, qty → pick.confirm with every argument; the result's
 * next task shows at once. */
static void test_pick_full(void **state)
{
    (void)state;
    wms_hh_state *s = pick_screen(&PICK41);
    assert_string_equal(s->title, "PICK");
    assert_string_equal(s->prompt, "Bin (T=close tote):");
    assert_string_equal(s->status, "Go to bin P1");
    assert_non_null(body_line(s, "Pick 41 SO-1001"));
    assert_non_null(body_line(s, "Bin: P1"));
    assert_non_null(body_line(s, "A Apple juice 1l"));
    assert_non_null(body_line(s, "Lot L1 exp 2027-06-30"));
    assert_non_null(body_line(s, "Qty: 5 (case 24)"));
    assert_non_null(body_line(s, "Tote T3-1-1: new"));
    assert_non_null(body_line(s, "Left in tour: 4"));

    /* A wrong bin is refused at once. */
    assert_int_equal(wms_hh_input(s, "P2"), WMS_HH_IDLE);
    assert_string_equal(s->status, "wrong bin: you scanned P2; go to bin P1 [WRONG_BIN]");
    assert_string_equal(s->prompt, "Bin (T=close tote):");
    assert_int_equal(wms_hh_input(s, "P1"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Tote:");
    assert_string_equal(s->status, "Scan a new tote for slot T3-1-1");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_IDLE); /* a tote is required */
    assert_int_equal(s->status_error, 1);
    assert_int_equal(wms_hh_input(s, "TOTE-0042"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Item (S=short):");
    assert_int_equal(wms_hh_input(s, "(01)04006381333931(10)L1"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Qty (Enter=1):");
    assert_non_null(body_line(s, "Item: (01)04006381333931(10)L1"));
    assert_int_equal(wms_hh_input(s, "0"), WMS_HH_IDLE);
    assert_non_null(strstr(s->status, "[BAD_QTY]"));
    assert_int_equal(wms_hh_input(s, "2"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "pick.confirm");
    give_txn(s, "RF-1-52");
    obj_buf a;
    const msgpack_object *args = packed_args(&s->req, &a);
    assert_int_equal(args->via.map.size, 6);
    arg_str_is(args, "txn", "RF-1-52");
    arg_int_is(args, "task", 41);
    arg_str_is(args, "bin", "P1");
    arg_str_is(args, "code", "(01)04006381333931(10)L1");
    arg_int_is(args, "qty", 2);
    arg_str_is(args, "tote", "TOTE-0042");
    assert_null(wms_client_find(args, "to_bin"));
    ob_free(&a);

    /* The task is done: the next one (another bin) shows without a
     * task.next round trip. */
    answer_confirm(s, 5, 0, "TOTE-0042", "picking", &PICK42);
    assert_int_equal(s->busy, 0);
    assert_int_equal(s->task.id, 42);
    assert_string_equal(s->status, "Picked 5 A");
    assert_int_equal(s->status_error, 0);
    assert_string_equal(s->prompt, "Bin (T=close tote):");
    assert_non_null(body_line(s, "Pick 42 SO-1001"));
    assert_non_null(body_line(s, "Bin: P7"));
    assert_non_null(body_line(s, "Qty: 2"));
    assert_null(body_line(s, "Qty: 2 (case"));
    assert_non_null(body_line(s, "Tote T3-1-1: TOTE-0042"));
    assert_non_null(body_line(s, "Picked 5 A > TOTE-0042"));

    /* Enter on the tote prompt with the slot's tote still needs the scan
     * (the server requires it); Enter alone at Qty is one scan. */
    wms_hh_input(s, "P7");
    assert_string_equal(s->status, "Scan tote TOTE-0042 (slot T3-1-1)");
    wms_hh_input(s, "TOTE-0042");
    wms_hh_input(s, "4000000000006");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_SEND);
    assert_int_equal(wms_hh_req_int(&s->req, "qty"), 1);
    assert_int_equal(wms_hh_req_int(&s->req, "task"), 42);
    give_txn(s, "RF-1-53");
    /* The last task of the tour: the order is picked, no more tasks. */
    answer_confirm(s, 2, 0, "TOTE-0042", "picked", NULL);
    assert_int_equal(s->task.id, 0);
    assert_string_equal(s->prompt, "Enter=next, T=tote:");
    assert_string_equal(s->status, "Picked 2 B. No more tasks");
    assert_non_null(body_line(s, "Order SO-1001 picked"));
    /* The tour is over: "T" closes the full tote before it goes to packing. */
    assert_int_equal(wms_hh_input(s, "T"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Tote to close:");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_IDLE); /* no task: scan it */
    assert_int_equal(s->status_error, 1);
    wms_hh_back(s);
    assert_string_equal(s->prompt, "Enter=next, T=tote:");
    wms_hh_input(s, "T");
    assert_int_equal(wms_hh_input(s, "TOTE-0042"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "tote.close");
    assert_string_equal(wms_hh_req_str(&s->req, "code"), "TOTE-0042");
    give_txn(s, "RF-1-54");
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 5);
    wms_client_kv_str(pk, "tote", "TOTE-0042");
    wms_client_kv_str(pk, "slot", "T3-1-1");
    wms_client_kv_str(pk, "order", "SO-1001");
    wms_client_kv_str(pk, "status", "closed");
    wms_client_kv_int(pk, "units", 7);
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->status, "Tote TOTE-0042 closed: 7 units (slot T3-1-1)");
    assert_string_equal(s->prompt, "Enter=next, T=tote:");
    /* Enter asks for more work. */
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_SEND);
    assert_string_equal(s->req.method, "task.next");
    answer_task_next(s, NULL, 3);
    assert_string_equal(s->status, "No work: 3 picks wait for replenishment");
    assert_string_equal(s->prompt, "Enter=next, T=tote:");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_SEND);
    answer_task_next(s, NULL, 0);
    assert_string_equal(s->status, "No work");
    free(s);
}

/* A partial pick keeps the task at Item:, bin and tote already scanned. */
static void test_pick_partial(void **state)
{
    (void)state;
    wms_hh_state *s = pick_screen(&PICK41);
    wms_hh_input(s, "P1");
    wms_hh_input(s, "TOTE-0042");
    wms_hh_input(s, "4006381333931");
    assert_int_equal(wms_hh_input(s, "2"), WMS_HH_SEND);
    give_txn(s, "RF-1-60");
    task_spec rest = PICK41;
    rest.qty = 3;
    rest.tote_code = "TOTE-0042";
    answer_confirm(s, 2, 3, "TOTE-0042", "picking", &rest);
    assert_string_equal(s->prompt, "Item (S=short):");
    assert_string_equal(s->status, "Picked 2, 3 left: scan the next");
    assert_non_null(body_line(s, "Qty: 3 (case 24)"));
    assert_int_equal(wms_hh_input(s, "4006381333931"), WMS_HH_IDLE);
    assert_int_equal(wms_hh_input(s, "3"), WMS_HH_SEND);
    assert_string_equal(wms_hh_req_str(&s->req, "bin"), "P1");
    assert_string_equal(wms_hh_req_str(&s->req, "tote"), "TOTE-0042");
    assert_int_equal(wms_hh_req_int(&s->req, "qty"), 3);
    free(s);
}

/* Server errors return to the prompt that needs a new scan. */
static void test_pick_errors(void **state)
{
    (void)state;
    wms_hh_state *s = pick_screen(&PICK41);
    wms_hh_input(s, "P1");
    wms_hh_input(s, "TOTE-0042");
    wms_hh_input(s, "4006381333931");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_SEND);
    give_txn(s, "RF-1-70");
    assert_int_equal(wms_hh_error(s, "WRONG_BIN", "wrong bin: you scanned P1; go to bin P9"),
                     WMS_HH_IDLE);
    assert_string_equal(s->status, "wrong bin: you scanned P1; go to bin P9 [WRONG_BIN]");
    assert_int_equal(s->status_error, 1);
    assert_string_equal(s->prompt, "Bin (T=close tote):");
    assert_int_equal(s->busy, 0);

    struct {
        const char *code, *prompt;
    } cases[] = {
        {"WRONG_ITEM", "Item (S=short):"},
        {"WRONG_LOT", "Item (S=short):"},
        {"QTY_ABOVE_TASK", "Item (S=short):"},
        {"UNKNOWN_CODE", "Item (S=short):"},
        {"WRONG_TOTE", "Tote:"},
        {"TASK_WAITING", "Enter=next, T=tote:"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (s->task.id == 0)
            break;
        while (strcmp(s->prompt, "Bin (T=close tote):") != 0) /* Esc back to Bin: */
            assert_int_equal(wms_hh_back(s), WMS_HH_IDLE);
        wms_hh_input(s, "P1");
        wms_hh_input(s, "TOTE-0042");
        wms_hh_input(s, "4006381333931");
        assert_int_equal(wms_hh_input(s, "1"), WMS_HH_SEND);
        assert_string_equal(s->req.txn, ""); /* every new call gets a new txn */
        give_txn(s, "RF-1-71");
        wms_hh_error(s, cases[i].code, "the server says no");
        assert_string_equal(s->prompt, cases[i].prompt);
        char want[64];
        snprintf(want, sizeof(want), "the server says no [%s]", cases[i].code);
        assert_string_equal(s->status, want);
    }
    /* The task waits for a replenishment: it is dropped, Enter asks again. */
    assert_int_equal(s->task.id, 0);
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_SEND);
    assert_string_equal(s->req.method, "task.next");
    free(s);
}

/* "S" at Item: → Found qty: → pick.short; its result and next task show. */
static void test_pick_short(void **state)
{
    (void)state;
    wms_hh_state *s = pick_screen(&PICK41);
    wms_hh_input(s, "P1");
    wms_hh_input(s, "TOTE-0042");
    assert_int_equal(wms_hh_input(s, "s"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Found qty:");
    assert_string_equal(s->status, "Units in the bin (0-4)?");
    assert_int_equal(wms_hh_input(s, "5"), WMS_HH_IDLE); /* not short at all */
    assert_non_null(strstr(s->status, "[BAD_QTY]"));
    assert_int_equal(wms_hh_input(s, "x"), WMS_HH_IDLE);
    assert_int_equal(s->status_error, 1);
    assert_int_equal(wms_hh_input(s, "2"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "pick.short");
    give_txn(s, "RF-1-80");
    obj_buf a;
    const msgpack_object *args = packed_args(&s->req, &a);
    assert_int_equal(args->via.map.size, 4);
    arg_str_is(args, "txn", "RF-1-80");
    arg_int_is(args, "task", 41);
    arg_int_is(args, "qty_found", 2);
    arg_str_is(args, "tote", "TOTE-0042");
    ob_free(&a);

    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 10);
    wms_client_kv_int(pk, "task", 41);
    wms_client_kv_int(pk, "found", 2);
    wms_client_kv_int(pk, "missing", 3);
    wms_client_kv_int(pk, "reallocated", 1);
    wms_client_kv_int(pk, "short", 2);
    wms_client_kv_str(pk, "policy", "backorder");
    wms_client_kv_int(pk, "count", 9);
    wms_client_kv_int(pk, "new_tasks", 1);
    wms_client_kv_str(pk, "order_status", "picking");
    pack_cstr(pk, "next");
    pack_task(pk, &PICK42);
    assert_int_equal(wms_hh_result(s, ob_obj(&b)), WMS_HH_IDLE);
    ob_free(&b);
    assert_string_equal(s->status, "Short recorded, count 9 requested");
    assert_non_null(body_line(s, "Found 2, missing 3"));
    assert_non_null(body_line(s, "Realloc 1, short 2 (backorder)"));
    assert_int_equal(s->task.id, 42);
    assert_string_equal(s->prompt, "Bin (T=close tote):");

    /* "0" found is a short of everything; a short may start at Qty: too,
     * and a BAD_QTY from the server goes back to Found qty:. */
    wms_hh_input(s, "P7");
    wms_hh_input(s, "TOTE-0042");
    wms_hh_input(s, "4000000000006");
    assert_int_equal(wms_hh_input(s, "S"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Found qty:");
    assert_int_equal(wms_hh_input(s, "0"), WMS_HH_SEND);
    assert_int_equal(wms_hh_req_int(&s->req, "qty_found"), 0);
    give_txn(s, "RF-1-81");
    wms_hh_error(s, "BAD_QTY", "qty_found: 0 to 1");
    assert_string_equal(s->prompt, "Found qty:");
    free(s);
}

/* A replenishment: no tote, "To bin:" for the pick face. */
static void test_replenish_to_bin(void **state)
{
    (void)state;
    wms_hh_state *s = pick_screen(&REPL7);
    assert_non_null(body_line(s, "Replenish 7"));
    assert_non_null(body_line(s, "From: R-05"));
    assert_non_null(body_line(s, "To pick face P1"));
    assert_null(body_line(s, "Tote"));
    assert_string_equal(s->status, "Replenish: go to bin R-05");
    wms_hh_input(s, "R-05");
    assert_string_equal(s->prompt, "Item (S=short):"); /* no tote */
    assert_int_equal(wms_hh_input(s, "S"), WMS_HH_IDLE);
    assert_string_equal(s->status, "No short for a replenishment: count the bin");
    assert_string_equal(s->prompt, "Item (S=short):");
    wms_hh_input(s, "14006381333938");
    assert_int_equal(wms_hh_input(s, "2"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "To bin:");
    assert_int_equal(wms_hh_input(s, "P2"), WMS_HH_IDLE);
    assert_string_equal(s->status, "wrong bin: put it into pick face P1, not P2 [WRONG_BIN]");
    assert_int_equal(wms_hh_input(s, "P1"), WMS_HH_SEND);
    give_txn(s, "RF-1-90");
    obj_buf a;
    const msgpack_object *args = packed_args(&s->req, &a);
    assert_int_equal(args->via.map.size, 6);
    arg_int_is(args, "task", 7);
    arg_str_is(args, "bin", "R-05");
    arg_str_is(args, "code", "14006381333938");
    arg_int_is(args, "qty", 2);
    arg_str_is(args, "to_bin", "P1");
    assert_null(wms_client_find(args, "tote"));
    ob_free(&a);
    /* The server finds the pick face full: back to To bin:. */
    wms_hh_error(s, "BIN_FULL", "pick face P1 is full");
    assert_string_equal(s->prompt, "To bin:");
    assert_int_equal(wms_hh_input(s, "P1"), WMS_HH_SEND);
    give_txn(s, "RF-1-91");
    wms_hh_error(s, "WRONG_BIN", "wrong bin: put it into pick face P1, not P1X");
    assert_string_equal(s->prompt, "To bin:"); /* the source was right */
    assert_int_equal(wms_hh_input(s, "P1"), WMS_HH_SEND);
    give_txn(s, "RF-1-92");
    answer_confirm(s, 48, 0, "", "", &PICK41);
    assert_string_equal(s->status, "Moved 48 A");
    assert_non_null(body_line(s, "Moved 48 A to P1"));
    assert_int_equal(s->task.id, 41);
    free(s);
}

/* "T" at Bin: closes the slot's tote; the next pick takes a new one. */
static void test_tote_close(void **state)
{
    (void)state;
    wms_hh_state *s = pick_screen(&PICK42);
    assert_int_equal(wms_hh_input(s, "t"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Tote to close:");
    assert_string_equal(s->status, "Scan the tote to close (Enter=TOTE-0042)");
    /* Esc goes back to Bin: */
    wms_hh_back(s);
    assert_string_equal(s->prompt, "Bin (T=close tote):");
    wms_hh_input(s, "T");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_SEND); /* Enter: the slot's tote */
    assert_string_equal(s->req.method, "tote.close");
    give_txn(s, "RF-1-95");
    obj_buf a;
    const msgpack_object *args = packed_args(&s->req, &a);
    assert_int_equal(args->via.map.size, 2);
    arg_str_is(args, "code", "TOTE-0042");
    ob_free(&a);
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 5);
    wms_client_kv_str(pk, "tote", "TOTE-0042");
    wms_client_kv_str(pk, "slot", "T3-1-1");
    wms_client_kv_str(pk, "order", "SO-1001");
    wms_client_kv_str(pk, "status", "closed");
    wms_client_kv_int(pk, "units", 7);
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->status, "Tote TOTE-0042 closed: 7 units (slot T3-1-1)");
    assert_string_equal(s->prompt, "Bin (T=close tote):");
    assert_non_null(body_line(s, "Tote T3-1-1: new"));
    wms_hh_input(s, "P7");
    assert_string_equal(s->status, "Scan a new tote for slot T3-1-1");

    /* A scanned tote is closed by its label; an error returns to Bin:. */
    wms_hh_back(s);
    wms_hh_input(s, "T");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_IDLE); /* no tote in the slot now */
    assert_int_equal(s->status_error, 1);
    assert_int_equal(wms_hh_input(s, "TOTE-0099"), WMS_HH_SEND);
    assert_string_equal(wms_hh_req_str(&s->req, "code"), "TOTE-0099");
    wms_hh_error(s, "NOT_FOUND", "no tote TOTE-0099 in use");
    assert_string_equal(s->prompt, "Bin (T=close tote):");
    /* Esc from Bin: goes to the menu; the task comes back with the screen. */
    wms_hh_back(s);
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);
    free(s);
}

/* A pick.confirm that got no answer is resent with the same txn. */
static void test_pick_offline_resend(void **state)
{
    (void)state;
    wms_hh_state *s = pick_screen(&PICK41);
    wms_hh_input(s, "P1");
    wms_hh_input(s, "TOTE-0042");
    wms_hh_input(s, "4006381333931");
    assert_int_equal(wms_hh_input(s, "2"), WMS_HH_SEND);
    give_txn(s, "RF-1-77");
    assert_int_equal(wms_hh_offline(s, "no answer from the server"), WMS_HH_IDLE);
    assert_int_equal(s->offline, 1);
    assert_int_equal(s->status_error, 1);
    assert_non_null(strstr(s->status, "[IO]"));
    /* Enter (whatever was typed) resends the very same request. */
    assert_int_equal(wms_hh_input(s, "S"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "pick.confirm");
    assert_string_equal(s->req.txn, "RF-1-77");
    obj_buf a;
    const msgpack_object *args = packed_args(&s->req, &a);
    arg_str_is(args, "txn", "RF-1-77");
    arg_int_is(args, "task", 41);
    arg_str_is(args, "bin", "P1");
    arg_str_is(args, "tote", "TOTE-0042");
    arg_int_is(args, "qty", 2);
    ob_free(&a);
    /* The stored outcome comes back: the screen goes on. */
    answer_confirm(s, 2, 3, "TOTE-0042", "picking", &PICK42);
    assert_int_equal(s->offline, 0);
    assert_int_equal(s->task.id, 42);
    /* Offline again on a short, then Esc gives it up. */
    wms_hh_input(s, "P7");
    wms_hh_input(s, "TOTE-0042");
    wms_hh_input(s, "S");
    assert_int_equal(wms_hh_input(s, "1"), WMS_HH_SEND);
    give_txn(s, "RF-1-78");
    wms_hh_offline(s, "still nothing");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_SEND);
    assert_string_equal(s->req.method, "pick.short");
    assert_string_equal(s->req.txn, "RF-1-78");
    wms_hh_offline(s, "still nothing");
    assert_int_equal(wms_hh_back(s), WMS_HH_IDLE);
    assert_int_equal(s->offline, 0);
    assert_non_null(strstr(s->status, "Not confirmed"));
    free(s);
}

/* ------------------------------------------------------------------------ */
/* Pack and ship                                                            */
/* ------------------------------------------------------------------------ */

static void pack_entry(msgpack_packer *pk, const char *sku, const char *lot, int64_t qty)
{
    msgpack_pack_map(pk, 3);
    wms_client_kv_str(pk, "sku", sku);
    wms_client_kv_str(pk, "lot", lot);
    wms_client_kv_int(pk, "qty", qty);
}

static void answer_pack_open(wms_hh_state *s)
{
    assert_string_equal(s->req.method, "pack.open");
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 5);
    wms_client_kv_int(pk, "carton", 12);
    wms_client_kv_str(pk, "order", "SO-1001");
    wms_client_kv_str(pk, "tote", "TOTE-0042");
    wms_client_kv_int(pk, "units", 7);
    pack_cstr(pk, "expected");
    msgpack_pack_array(pk, 2);
    pack_entry(pk, "A", "L1", 5);
    pack_entry(pk, "B", "", 2);
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
}

static void answer_pack_close(wms_hh_state *s, int missing)
{
    assert_string_equal(s->req.method, "pack.close");
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 7);
    wms_client_kv_int(pk, "carton", 12);
    wms_client_kv_str(pk, "sscc", "040063810000000017");
    wms_client_kv_int(pk, "units", 7 - missing);
    wms_client_kv_str(pk, "order_status", missing ? "picked" : "packed");
    wms_client_kv_int(pk, "units_missing", missing);
    pack_cstr(pk, "missing");
    msgpack_pack_array(pk, missing ? 1 : 0);
    if (missing)
        pack_entry(pk, "B", "", missing);
    wms_client_kv_str(pk, "zpl", "^XA^XZ");
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
}

static void test_pack_flow(void **state)
{
    (void)state;
    wms_hh_state *s = calloc(1, sizeof(*s));
    login_as(s, "picker");
    assert_int_equal(wms_hh_input(s, "7"), WMS_HH_IDLE);
    assert_int_equal(s->screen, WMS_HH_SCR_PACK);
    assert_string_equal(s->title, "PACK");
    assert_string_equal(s->prompt, "Tote:");
    assert_int_equal(wms_hh_input(s, "TOTE-0042"), WMS_HH_SEND);
    give_txn(s, "RF-1-100");
    obj_buf a;
    const msgpack_object *args = packed_args(&s->req, &a);
    assert_int_equal(args->via.map.size, 2);
    arg_str_is(args, "tote", "TOTE-0042");
    ob_free(&a);
    answer_pack_open(s);
    assert_string_equal(s->prompt, "Item (C=close):");
    assert_string_equal(s->status, "Pack 7 units: scan each item");
    assert_non_null(body_line(s, "Carton 12 SO-1001"));
    assert_non_null(body_line(s, "Tote: TOTE-0042"));
    assert_non_null(body_line(s, "A 5 L1"));
    assert_non_null(body_line(s, "B 2"));

    assert_int_equal(wms_hh_input(s, "4006381333931"), WMS_HH_SEND);
    give_txn(s, "RF-1-101");
    args = packed_args(&s->req, &a);
    assert_int_equal(args->via.map.size, 3);
    arg_int_is(args, "carton", 12);
    arg_str_is(args, "code", "4006381333931");
    ob_free(&a);
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 5);
    wms_client_kv_str(pk, "sku", "A");
    wms_client_kv_int(pk, "qty", 1);
    wms_client_kv_int(pk, "packed", 1);
    wms_client_kv_int(pk, "units_left", 6);
    pack_cstr(pk, "left");
    msgpack_pack_array(pk, 2);
    pack_entry(pk, "A", "L1", 4);
    pack_entry(pk, "B", "", 2);
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->status, "Packed 1 A: 6 left");
    assert_non_null(body_line(s, "A 4 L1"));
    assert_null(body_line(s, "A 5 L1"));

    /* A wrong item is refused; the packer stays at Item:. */
    assert_int_equal(wms_hh_input(s, "5000000000017"), WMS_HH_SEND);
    give_txn(s, "RF-1-102");
    wms_hh_error(s, "NOT_IN_TOTE", "item C is not in tote TOTE-0042");
    assert_string_equal(s->status, "item C is not in tote TOTE-0042 [NOT_IN_TOTE]");
    assert_string_equal(s->prompt, "Item (C=close):");

    /* C closes: box and weight, then pack.close; the SSCC shows. */
    assert_int_equal(wms_hh_input(s, "C"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Box (Enter=skip):");
    assert_int_equal(wms_hh_input(s, "BOX-M"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Weight g:");
    assert_non_null(body_line(s, "Box: BOX-M"));
    assert_int_equal(wms_hh_input(s, "heavy"), WMS_HH_IDLE);
    assert_int_equal(s->status_error, 1);
    assert_int_equal(wms_hh_input(s, "20000000"), WMS_HH_IDLE);
    assert_int_equal(s->status_error, 1);
    assert_int_equal(wms_hh_input(s, "1250"), WMS_HH_SEND);
    give_txn(s, "RF-1-103");
    args = packed_args(&s->req, &a);
    assert_int_equal(args->via.map.size, 4);
    arg_int_is(args, "carton", 12);
    arg_str_is(args, "box", "BOX-M");
    arg_int_is(args, "weight_g", 1250);
    ob_free(&a);
    /* Offline: the close is resent with its txn. */
    wms_hh_offline(s, "connection lost");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_SEND);
    assert_string_equal(s->req.txn, "RF-1-103");
    assert_int_equal(wms_hh_req_int(&s->req, "weight_g"), 1250);
    answer_pack_close(s, 2);
    assert_string_equal(s->status,
                        "Carton 12 closed: SSCC (00) 0 4006381000000001 7, 5 units, 2 missing");
    assert_non_null(body_line(s, "SSCC 040063810000000017"));
    assert_non_null(body_line(s, "Missing 2 units:"));
    assert_non_null(body_line(s, " B 2"));
    assert_string_equal(s->sscc, "040063810000000017");
    assert_string_equal(s->prompt, "Tote:");
    assert_int_equal(s->carton, 0);

    /* A second carton closed with box and weight skipped. */
    wms_hh_input(s, "TOTE-0042");
    give_txn(s, "RF-1-104");
    answer_pack_open(s);
    wms_hh_input(s, "c");
    wms_hh_input(s, "");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_SEND);
    give_txn(s, "RF-1-105");
    args = packed_args(&s->req, &a);
    assert_int_equal(args->via.map.size, 2); /* txn, carton */
    arg_int_is(args, "carton", 12);
    ob_free(&a);
    answer_pack_close(s, 0);
    assert_string_equal(
        s->status,
        "Carton 12 closed: SSCC (00) 0 4006381000000001 7, 7 units. Order SO-1001 packed");

    /* An empty carton cannot close: back to Item:; a closed one: to Tote:. */
    wms_hh_input(s, "TOTE-0042");
    give_txn(s, "RF-1-106");
    answer_pack_open(s);
    wms_hh_input(s, "C");
    wms_hh_input(s, "");
    wms_hh_input(s, "");
    give_txn(s, "RF-1-107");
    wms_hh_error(s, "BAD_ARGS", "carton 12 is empty");
    assert_string_equal(s->prompt, "Item (C=close):");
    wms_hh_input(s, "4006381333931");
    give_txn(s, "RF-1-108");
    wms_hh_error(s, "CLOSED", "carton 12 is closed");
    assert_string_equal(s->prompt, "Tote:");
    assert_int_equal(s->carton, 0);
    /* Esc walks back: Item: → Tote: → menu. */
    wms_hh_input(s, "TOTE-0042");
    give_txn(s, "RF-1-109");
    answer_pack_open(s);
    wms_hh_back(s);
    assert_string_equal(s->prompt, "Tote:");
    assert_string_equal(s->status, "Carton 12 stays open");
    wms_hh_back(s);
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);
    free(s);
}

static void test_ship_by_sscc(void **state)
{
    (void)state;
    wms_hh_state *s = calloc(1, sizeof(*s));
    login_as(s, "picker");
    assert_int_equal(wms_hh_input(s, "8"), WMS_HH_IDLE);
    assert_int_equal(s->screen, WMS_HH_SCR_SHIP);
    assert_string_equal(s->title, "SHIP");
    assert_string_equal(s->prompt, "SSCC:");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_IDLE);
    assert_int_equal(s->status_error, 1);
    assert_int_equal(wms_hh_input(s, "00040063810000000017"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "ship.confirm");
    give_txn(s, "RF-1-120");
    obj_buf a;
    const msgpack_object *args = packed_args(&s->req, &a);
    assert_int_equal(args->via.map.size, 2);
    arg_str_is(args, "sscc", "00040063810000000017");
    ob_free(&a);
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 4);
    wms_client_kv_str(pk, "order", "SO-1001");
    wms_client_kv_int(pk, "cartons", 1);
    wms_client_kv_int(pk, "units", 5);
    wms_client_kv_str(pk, "order_status", "shipped");
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->status, "Shipped 1 carton, 5 units of SO-1001");
    assert_non_null(body_line(s, "Order SO-1001 shipped"));
    assert_string_equal(s->prompt, "SSCC:");
    /* A carton shipped already: the message, then the next scan. */
    wms_hh_input(s, "00040063810000000017");
    give_txn(s, "RF-1-121");
    wms_hh_error(s, "CONFLICT", "carton 040063810000000017 is shipped already");
    assert_string_equal(s->status, "carton 040063810000000017 is shipped already [CONFLICT]");
    assert_string_equal(s->prompt, "SSCC:");
    wms_hh_back(s);
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);
    free(s);
}

/* Returns: open by SSCC, scan, grade resaleable into a bin, scrap with a
 * reason, close; an unknown return packs "unknown": true. */
static void test_returns_flow(void **state)
{
    (void)state;
    wms_hh_state *s = calloc(1, sizeof(*s));
    login_as(s, "receiver");
    assert_int_equal(wms_hh_input(s, "9"), WMS_HH_IDLE);
    assert_int_equal(s->screen, WMS_HH_SCR_RETURN);
    assert_string_equal(s->prompt, "Carton/order (U=unknown):");
    assert_int_equal(wms_hh_input(s, "00040063810000000017"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "return.open");
    give_txn(s, "RF-1-200");
    obj_buf a;
    const msgpack_object *args = packed_args(&s->req, &a);
    arg_str_is(args, "sscc", "00040063810000000017");
    ob_free(&a);
    obj_buf b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 2);
    wms_client_kv_int(pk, "return", 7);
    wms_client_kv_str(pk, "order", "SO-1");
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->prompt, "Item (C=close):");
    assert_non_null(body_line(s, "Return 7 SO-1"));
    /* an item that was not on the order: the message, and scan again */
    assert_int_equal(wms_hh_input(s, "EGG-1"), WMS_HH_SEND);
    give_txn(s, "RF-1-201");
    wms_hh_error(s, "NOT_ON_ORDER", "E was not shipped on this order");
    assert_string_equal(s->prompt, "Item (C=close):");
    assert_int_equal(wms_hh_input(s, "4006381333931"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "return.scan");
    give_txn(s, "RF-1-202");
    args = packed_args(&s->req, &a);
    arg_int_is(args, "return", 7);
    arg_str_is(args, "code", "4006381333931");
    ob_free(&a);
    pk = ob_begin(&b);
    msgpack_pack_map(pk, 3);
    wms_client_kv_int(pk, "line", 31);
    wms_client_kv_str(pk, "sku", "A");
    wms_client_kv_int(pk, "qty", 1);
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->prompt, "Grade R/D/S:");
    assert_int_equal(wms_hh_input(s, "X"), WMS_HH_IDLE);
    assert_int_equal(s->status_error, 1);
    assert_int_equal(wms_hh_input(s, "R"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Bin (Enter=dock):");
    assert_int_equal(wms_hh_input(s, "P1"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "return.grade");
    give_txn(s, "RF-1-203");
    args = packed_args(&s->req, &a);
    arg_int_is(args, "line", 31);
    arg_str_is(args, "grade", "resaleable");
    arg_str_is(args, "bin", "P1");
    ob_free(&a);
    pk = ob_begin(&b);
    msgpack_pack_map(pk, 3);
    wms_client_kv_str(pk, "sku", "A");
    wms_client_kv_str(pk, "status", "quarantine");
    wms_client_kv_str(pk, "bin", "Q1");
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_non_null(strstr(s->status, "quarantine in Q1"));
    assert_string_equal(s->prompt, "Item (C=close):");
    /* close */
    assert_int_equal(wms_hh_input(s, "C"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "return.close");
    give_txn(s, "RF-1-204");
    pk = ob_begin(&b);
    msgpack_pack_map(pk, 1);
    wms_client_kv_str(pk, "result", "partially_returned");
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->status, "Return 7 closed: partially_returned");
    assert_string_equal(s->prompt, "Carton/order (U=unknown):");
    /* an unknown return */
    assert_int_equal(wms_hh_input(s, "U"), WMS_HH_SEND);
    give_txn(s, "RF-1-205");
    args = packed_args(&s->req, &a);
    const msgpack_object *v = NULL;
    for (uint32_t i = 0; i < args->via.map.size; i++)
        if (args->via.map.ptr[i].key.via.str.size == 7 &&
            !memcmp(args->via.map.ptr[i].key.via.str.ptr, "unknown", 7))
            v = &args->via.map.ptr[i].val;
    assert_non_null(v);
    assert_int_equal(v->type, MSGPACK_OBJECT_BOOLEAN);
    assert_true(v->via.boolean);
    ob_free(&a);
    free(s);
}

/* Sort station: wall → sort.open, item → sort.scan shows the slot, a wrong
 * slot keeps the operator at Slot:, the right one → sort.confirm; a
 * complete order says "to packing". */
static void test_sort_station(void **state)
{
    (void)state;
    wms_hh_state *s = calloc(1, sizeof(*s));
    login_as(s, "picker");
    assert_non_null(body_line(s, "S Sort (put wall)"));
    assert_int_equal(wms_hh_input(s, "s"), WMS_HH_IDLE);
    assert_int_equal(s->screen, WMS_HH_SCR_SORT);
    assert_string_equal(s->prompt, "Wall:");
    assert_int_equal(wms_hh_input(s, "W1"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "sort.open");
    give_txn(s, "RF-1-300");
    obj_buf a, b;
    const msgpack_object *args = packed_args(&s->req, &a);
    arg_str_is(args, "wall", "W1");
    ob_free(&a);
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 7);
    wms_client_kv_str(pk, "wall", "W1");
    wms_client_kv_int(pk, "slots", 3);
    wms_client_kv_int(pk, "used", 3);
    wms_client_kv_int(pk, "complete", 1);
    wms_client_kv_int(pk, "waiting_orders", 4);
    wms_client_kv_int(pk, "assigned", 2);
    pack_cstr(pk, "slot");
    msgpack_pack_array(pk, 1);
    msgpack_pack_map(pk, 3);
    wms_client_kv_str(pk, "slot", "W1-A");
    wms_client_kv_str(pk, "order", "SO-2");
    wms_client_kv_bool(pk, "complete", 1);
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->prompt, "Item (O=open L=list):");
    assert_non_null(body_line(s, "3/3 slots used, 1 done"));
    assert_non_null(body_line(s, "4 orders wait for a slot"));
    assert_non_null(body_line(s, "W1-A SO-2 PACK"));
    /* an item: where it goes */
    assert_int_equal(wms_hh_input(s, "4006381333931"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "sort.scan");
    assert_int_equal(s->req.needs_txn, 0);
    pk = ob_begin(&b);
    msgpack_pack_map(pk, 5);
    wms_client_kv_str(pk, "slot", "W1-C");
    wms_client_kv_str(pk, "order", "SO-1");
    wms_client_kv_str(pk, "sku", "A");
    wms_client_kv_int(pk, "per_scan", 1);
    wms_client_kv_int(pk, "need", 2);
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->prompt, "Slot W1-C:");
    assert_non_null(body_line(s, ">>> SLOT W1-C <<<"));
    /* the wrong slot: stay, scan again */
    assert_int_equal(wms_hh_input(s, "W1-B"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "sort.confirm");
    give_txn(s, "RF-1-301");
    wms_hh_error(s, "WRONG_SLOT", "wrong slot W1-B: put A into slot W1-C (order SO-1)");
    assert_string_equal(s->prompt, "Slot W1-C:");
    assert_non_null(strstr(s->status, "[WRONG_SLOT]"));
    assert_int_equal(wms_hh_input(s, "W1-C"), WMS_HH_SEND);
    give_txn(s, "RF-1-302");
    args = packed_args(&s->req, &a);
    arg_str_is(args, "wall", "W1");
    arg_str_is(args, "code", "4006381333931");
    arg_str_is(args, "slot", "W1-C");
    ob_free(&a);
    pk = ob_begin(&b);
    msgpack_pack_map(pk, 5);
    wms_client_kv_str(pk, "slot", "W1-C");
    wms_client_kv_str(pk, "sku", "A");
    wms_client_kv_int(pk, "sorted", 1);
    wms_client_kv_int(pk, "slot_units", 3);
    wms_client_kv_bool(pk, "complete", 1);
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_string_equal(s->status, "Slot W1-C complete: order SO-1 to packing (3 units)");
    assert_string_equal(s->prompt, "Item (O=open L=list):");
    /* an item nobody needs: back at Item: */
    assert_int_equal(wms_hh_input(s, "EGG-1"), WMS_HH_SEND);
    wms_hh_error(s, "NOT_NEEDED", "no open order at wall W1 needs E");
    assert_string_equal(s->prompt, "Item (O=open L=list):");
    /* L lists the wall (a read: no txn) */
    assert_int_equal(wms_hh_input(s, "L"), WMS_HH_SEND);
    assert_string_equal(s->req.method, "sort.status");
    assert_int_equal(s->req.needs_txn, 0);
    wms_hh_error(s, "IO", "x");
    assert_int_equal(wms_hh_back(s), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Wall:");
    free(s);
}

/* Login with the scanner self-test: the raw scan (GS and Tab kept) goes to
 * scanner.selftest; the settings to change show; a substitute separator
 * is kept for the next hello. */
static void test_login_selftest(void **state)
{
    (void)state;
    wms_hh_state *s = calloc(1, sizeof(*s));
    wms_hh_init(s);
    s->selftest = 1;
    assert_int_equal(wms_hh_input(s, "pia"), WMS_HH_IDLE);
    assert_int_equal(wms_hh_input(s, "1234"), WMS_HH_SEND);
    obj_buf a, b;
    msgpack_packer *pk = ob_begin(&b);
    msgpack_pack_map(pk, 2);
    wms_client_kv_str(pk, "user", "pia");
    wms_client_kv_str(pk, "role", "picker");
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_int_equal(s->screen, WMS_HH_SCR_LOGIN);
    assert_string_equal(s->prompt, "Test label (Enter=skip):");
    const char *raw = " 010950600013435210Yz-4ab|21W8kq5|17301231\t";
    assert_int_equal(wms_hh_input(s, raw), WMS_HH_SEND);
    assert_string_equal(s->req.method, "scanner.selftest");
    assert_int_equal(s->req.needs_txn, 0);
    const msgpack_object *args = packed_args(&s->req, &a);
    arg_str_is(args, "scan", raw); /* exactly as scanned */
    ob_free(&a);
    pk = ob_begin(&b);
    msgpack_pack_map(pk, 4);
    wms_client_kv_bool(pk, "ok", 0);
    wms_client_kv_bool(pk, "usable", 1);
    pack_cstr(pk, "quirks");
    msgpack_pack_array(pk, 2);
    msgpack_pack_map(pk, 2);
    wms_client_kv_str(pk, "code", "NO_AIM");
    wms_client_kv_str(pk, "setting", "Turn on AIM symbology identifiers.");
    msgpack_pack_map(pk, 2);
    wms_client_kv_str(pk, "code", "GS_REPLACED");
    wms_client_kv_str(pk, "setting", "Set the FNC1/GS substitution to ASCII 29 (GS).");
    wms_client_kv_str(pk, "gs_sub", "|");
    wms_hh_result(s, ob_obj(&b));
    ob_free(&b);
    assert_int_equal(s->gs_sub, '|');
    assert_string_equal(s->prompt, "Enter=menu R=test again:");
    assert_non_null(body_line(s, "NO_AIM:"));
    assert_non_null(body_line(s, "GS_REPLACED:"));
    assert_non_null(body_line(s, " Set the FNC1/GS substitution"));
    assert_non_null(strstr(s->status, "2 problems"));
    /* R: again; Enter at the label skips to the menu */
    assert_int_equal(wms_hh_input(s, "R"), WMS_HH_IDLE);
    assert_string_equal(s->prompt, "Test label (Enter=skip):");
    assert_int_equal(wms_hh_input(s, ""), WMS_HH_IDLE);
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);
    assert_non_null(strstr(s->status, "skipped"));
    /* without selftest the login goes straight to the menu */
    login_as(s, "picker");
    assert_int_equal(s->screen, WMS_HH_SCR_MENU);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_menu_by_role),   cmocka_unit_test(test_pick_full),
        cmocka_unit_test(test_pick_partial),   cmocka_unit_test(test_pick_errors),
        cmocka_unit_test(test_pick_short),     cmocka_unit_test(test_replenish_to_bin),
        cmocka_unit_test(test_tote_close),     cmocka_unit_test(test_pick_offline_resend),
        cmocka_unit_test(test_pack_flow),      cmocka_unit_test(test_ship_by_sscc),
        cmocka_unit_test(test_returns_flow),   cmocka_unit_test(test_sort_station),
        cmocka_unit_test(test_login_selftest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
