/*
 * hhui_impl.h - what the handheld's screen files share (hhui.c and the
 * flows split from it: hhui_pick.c, hhui_pack.c).  Not an interface: the
 * program and the tests use hhui.h only.
 *
 * hhui.c owns the dispatch: wms_hh_input / _back / _result / _error call a
 * screen file's hooks for its screens and then derive the layout; a hook
 * only changes data, step and the status line.
 */
#ifndef WMS_PROTO_HHUI_IMPL_H
#define WMS_PROTO_HHUI_IMPL_H

#include "hhui.h"

/* ---- hhui.c: helpers ---------------------------------------------------- */

/* Status line: a plain result, or an error "message [CODE]" (code may be
 * NULL or ""). */
void hhui__status_ok(wms_hh_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hhui__status_err(wms_hh_state *s, const char *code, const char *message);

/* Result lines under the flow's context (at most WMS_HH_BODY_LINES, cut). */
void hhui__info_clear(wms_hh_state *s);
void hhui__info_add(wms_hh_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A body line; only from a layout hook. */
void hhui__body_add(wms_hh_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 if t is not empty, else 0 with the error "Scan <what>". */
int hhui__need_text(wms_hh_state *s, const char *t, const char *what);
/* 1 with *q if t is a quantity 1..1,000,000,000, else 0 with a BAD_QTY error. */
int hhui__need_qty(wms_hh_state *s, const char *t, int64_t *q);

/* A new request in s->req (empty txn); empty string args are left out. */
void hhui__req_new(wms_hh_state *s, const char *method, int needs_txn);
void hhui__req_str(wms_hh_state *s, const char *key, const char *val);
void hhui__req_int(wms_hh_state *s, const char *key, int64_t v);
/* Marks s->req busy; returns WMS_HH_SEND. */
int hhui__send_req(wms_hh_state *s);

/* A result's string field into buf ("" when absent, nil or not a string;
 * cut when long) and integer field (0 when absent). */
void hhui__get(const msgpack_object *o, const char *key, char *buf, size_t n);
int64_t hhui__get_int(const msgpack_object *o, const char *key);

void hhui__go(wms_hh_state *s, wms_hh_screen scr, int step);

/* ---- screen hooks ------------------------------------------------------- */
/* enter: from the menu (may send a request).  input: Enter on the cleaned
 * line t.  back: Esc (not busy, not offline).  layout: adds body lines and
 * returns the prompt.  result / error: the answer to s->req, whose method
 * the hook owns (hhui__pick_owns / hhui__pack_owns). */

int hhui__pick_owns(const char *method);
int hhui__pick_enter(wms_hh_state *s);
int hhui__pick_input(wms_hh_state *s, const char *t);
void hhui__pick_back(wms_hh_state *s);
const char *hhui__pick_layout(wms_hh_state *s);
void hhui__pick_result(wms_hh_state *s, const msgpack_object *r);
void hhui__pick_error(wms_hh_state *s, const char *code);

int hhui__pack_owns(const char *method);
int hhui__pack_enter(wms_hh_state *s);
int hhui__pack_input(wms_hh_state *s, const char *t);
void hhui__pack_back(wms_hh_state *s);
const char *hhui__pack_layout(wms_hh_state *s);
void hhui__pack_result(wms_hh_state *s, const msgpack_object *r);
void hhui__pack_error(wms_hh_state *s, const char *code);

int hhui__return_owns(const char *method);
int hhui__return_enter(wms_hh_state *s);
int hhui__return_input(wms_hh_state *s, const char *t);
void hhui__return_back(wms_hh_state *s);
const char *hhui__return_layout(wms_hh_state *s);
void hhui__return_result(wms_hh_state *s, const msgpack_object *r);
void hhui__return_error(wms_hh_state *s, const char *code);

int hhui__sort_owns(const char *method);
int hhui__sort_enter(wms_hh_state *s);
int hhui__sort_input(wms_hh_state *s, const char *t);
void hhui__sort_back(wms_hh_state *s);
const char *hhui__sort_layout(wms_hh_state *s);
void hhui__sort_result(wms_hh_state *s, const msgpack_object *r);
void hhui__sort_error(wms_hh_state *s, const char *code);

/* A boolean argument (packed as true/false). */
void hhui__req_bool(wms_hh_state *s, const char *key, int v);

#endif /* WMS_PROTO_HHUI_IMPL_H */
