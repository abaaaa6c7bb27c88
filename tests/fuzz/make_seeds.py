#!/usr/bin/python3
"""make_seeds.py - writes the seed corpus of fuzz_dispatch.c.

    /usr/bin/python3 tests/fuzz/make_seeds.py [OUTDIR]

OUTDIR defaults to tests/fuzz/corpus/dispatch next to this script; then the
libFuzzer dictionary tests/fuzz/dispatch.dict is written too.  Each
seed is one input of fuzz_dispatch: byte 0 sets up the session (see the
comment at the top of fuzz_dispatch.c), then MessagePack-RPC requests back
to back.  There is a valid request for every method of
handheld-proto/PROTOCOL.md, plus the usual error paths (roles, txn replay
and conflict, bad frames), against the warehouse fuzz_dispatch.c loads.
Files are overwritten by name; others in OUTDIR are left alone.  Needs
python3-msgpack.
"""
import os
import sys

import msgpack

# Byte 0 of an input.
NO_HELLO, HELLO = 0x00, 0x01
ADMIN, SUPERVISOR, RECEIVER, PICKER = 0x02, 0x06, 0x0A, 0x0E
PIN_AUTH_FAILED, PIN_SHUTDOWN, PIN_NOMEM = 0x10, 0x20, 0x30
GS_PIPE, LATER_TODAY = 0x40, 0x80


def check_digit(digits):
    """GS1 mod-10 check digit of a digit string without its check digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


SSCC = "034012345000000001"[:17]
SSCC += check_digit(SSCC)


class Seq:
    """A sequence of requests with increasing msgids."""

    def __init__(self, knob):
        self.knob = knob
        self.parts = []
        self.msgid = 0

    def call(self, method, args=None, raw_args=False):
        self.msgid += 1
        params = args if raw_args else ([] if args is None else [args])
        self.parts.append(msgpack.packb([0, self.msgid, method, params], use_bin_type=True))
        return self

    def raw(self, obj):
        """Any value packed as is (bytes are appended unpacked)."""
        if isinstance(obj, bytes):
            self.parts.append(obj)
        else:
            self.parts.append(msgpack.packb(obj, use_bin_type=True))
        return self

    def data(self):
        return bytes([self.knob]) + b"".join(self.parts)


def seeds():
    s = {}
    # --- session -------------------------------------------------------
    s["hello"] = Seq(NO_HELLO).call(
        "hello", {"device": "RF-017", "proto": 1, "client": "seed/1", "gs": "|"})
    s["hello_login_ping"] = (Seq(NO_HELLO)
                             .call("hello", {"device": "FUZZ", "proto": 1})
                             .call("login", {"user": "ada", "pin": "1234"})
                             .call("ping")
                             .call("scan.resolve", {"code": "P1"}))
    s["hello_bad_proto"] = Seq(NO_HELLO).call("hello", {"device": "FUZZ", "proto": 2})
    s["hello_bad_device"] = Seq(NO_HELLO).call("hello", {"device": "RF 17", "proto": 1})
    s["login_no_hello"] = Seq(NO_HELLO).call("login", {"user": "ada", "pin": "1234"})
    s["login_receiver"] = (Seq(HELLO).call("login", {"user": "rob", "pin": "4711"})
                           .call("receive.scan", {"txn": "T1", "code": "4006381333931",
                                                  "bin": "P3", "lot": "L7",
                                                  "expiry": "2027-05-31"}))
    s["login_wrong_pin"] = Seq(HELLO).call("login", {"user": "rob", "pin": "0000"})
    s["login_disabled"] = Seq(HELLO).call("login", {"user": "old", "pin": "9999"})
    s["login_unknown_user"] = Seq(HELLO).call("login", {"user": "nobody", "pin": "1234"})
    s["login_bad_pin_type"] = Seq(HELLO).call("login", {"user": "ada", "pin": 1234})
    lock = Seq(HELLO)
    for _ in range(4):
        lock.call("login", {"user": "sam", "pin": "1111"})
    s["login_lockout"] = lock.call("login", {"user": "sam", "pin": "2345"})
    s["login_verify_failed"] = Seq(HELLO | PIN_AUTH_FAILED).call(
        "login", {"user": "ada", "pin": "1234"})
    s["login_verify_shutdown"] = Seq(HELLO | PIN_SHUTDOWN).call(
        "login", {"user": "ada", "pin": "1234"})
    s["login_verify_nomem"] = Seq(HELLO | PIN_NOMEM).call(
        "login", {"user": "pia", "pin": "5678"})
    s["ping"] = Seq(NO_HELLO).call("ping").call("ping", {}, raw_args=True).call("ping", {})
    s["logout"] = (Seq(ADMIN).call("logout")
                   .call("stock.query", {"bin": "P1"})
                   .call("hello", {"device": "OTHER", "proto": 1}))
    s["not_logged_in"] = Seq(HELLO).call("stock.query", {"bin": "P1"})

    # --- scan.resolve ----------------------------------------------------
    s["resolve_ean13"] = Seq(PICKER).call("scan.resolve", {"code": "4006381333931"})
    s["resolve_case"] = Seq(PICKER).call("scan.resolve", {"code": "14006381333938"})
    s["resolve_gs1_aim"] = Seq(ADMIN).call(
        "scan.resolve", {"code": "]C10114006381333938172706301012AB"})
    s["resolve_gs1_brackets"] = Seq(ADMIN).call(
        "scan.resolve", {"code": "(01)14006381333938(17)270630(10)12AB(21)SER1"})
    s["resolve_gs1_count"] = Seq(ADMIN).call(
        "scan.resolve", {"code": "]C10214006381333938\x1d375"})
    s["resolve_gs_pipe"] = Seq(ADMIN | GS_PIPE).call(
        "scan.resolve", {"code": "]C1011400638133393810L9|375"})
    s["resolve_sscc"] = Seq(RECEIVER).call("scan.resolve", {"code": "(00)" + SSCC})
    s["resolve_ambiguous"] = Seq(PICKER).call("scan.resolve", {"code": "CAN-42"})
    s["resolve_bin"] = Seq(PICKER).call("scan.resolve", {"code": "R1"})
    s["resolve_ean8"] = Seq(PICKER).call("scan.resolve", {"code": "96385074"})
    s["resolve_unknown"] = Seq(PICKER).call("scan.resolve", {"code": "NOPE"})
    s["resolve_bad_check"] = Seq(PICKER).call("scan.resolve", {"code": "4006381333932"})
    s["resolve_bad_gs1"] = Seq(PICKER).call("scan.resolve", {"code": "]C1(17)991399"})

    # --- stock.query -----------------------------------------------------
    s["query_bin"] = Seq(PICKER).call("stock.query", {"bin": "R1"})
    s["query_item"] = Seq(SUPERVISOR).call("stock.query", {"item": "A"})
    s["query_code"] = Seq(RECEIVER).call("stock.query", {"code": "CAN-42"})
    s["query_code_bin"] = Seq(RECEIVER).call("stock.query", {"code": "P2"})
    s["query_none"] = Seq(ADMIN).call("stock.query", {})
    s["query_expired"] = Seq(ADMIN | LATER_TODAY).call("stock.query", {"item": "A"})

    # --- receiving -------------------------------------------------------
    s["receive_case"] = Seq(RECEIVER).call("receive.scan", {
        "txn": "RF-1", "code": "14006381333938", "qty": 2, "bin": "R1", "lot": "L9",
        "expiry": "2027-03-31"})
    s["receive_default_bin"] = Seq(RECEIVER).call("receive.scan", {"txn": "RF-2",
                                                                  "code": "CAN-42",
                                                                  "item": "D"})
    s["receive_gs1"] = Seq(ADMIN).call("receive.scan", {
        "txn": "RF-3", "code": "]C10114006381333938172706301012AB", "bin": "P3"})
    s["receive_ambiguous"] = Seq(RECEIVER).call("receive.scan", {"txn": "RF-4",
                                                                "code": "CAN-42"})
    s["receive_full"] = Seq(RECEIVER).call("receive.scan", {
        "txn": "RF-5", "code": "14006381333938", "qty": 3, "bin": "P1", "lot": "L1",
        "expiry": "2027-06-30"})
    s["receive_blocked"] = Seq(RECEIVER).call("receive.scan", {"txn": "RF-6",
                                                              "code": "96385074", "bin": "X1",
                                                              "lot": "E2",
                                                              "expiry": "2026-12-05"})
    s["receive_expired"] = Seq(RECEIVER | LATER_TODAY).call("receive.scan", {
        "txn": "RF-7", "code": "4006381333931", "lot": "L3", "expiry": "2026-12-01"})
    s["receive_quarantine"] = Seq(SUPERVISOR).call("receive.scan", {
        "txn": "RF-8", "code": "4006381333931", "bin": "Q1", "lot": "LX",
        "expiry": "2026-01-01", "quarantine": True})
    s["receive_forbidden"] = Seq(PICKER).call("receive.scan", {"txn": "RF-9",
                                                              "code": "4006381333931"})
    s["receipt_flow"] = (Seq(SUPERVISOR)
                         .call("receipt.create", {"txn": "R-1", "receipt": "ASN-1",
                                                  "tolerance_pct": 10,
                                                  "lines": [{"item": "A", "qty": 48},
                                                            {"item": "C", "qty": 12}]})
                         .call("receive.scan", {"txn": "R-2", "code": "14006381333938",
                                                "receipt": "ASN-1", "lot": "L5",
                                                "expiry": "2027-04-30"})
                         .call("receive.scan", {"txn": "R-3", "code": "96385074",
                                                "receipt": "ASN-1", "lot": "E5",
                                                "expiry": "2026-12-09"})
                         .call("receive.close", {"txn": "R-4", "receipt": "ASN-1"})
                         .call("receive.close", {"txn": "R-5", "receipt": "ASN-1"}))
    s["receipt_create"] = Seq(ADMIN).call("receipt.create", {
        "txn": "R-6", "receipt": "ASN-2", "lines": [{"item": "B", "qty": 5}]})
    s["receipt_unknown_sku"] = Seq(ADMIN).call("receipt.create", {
        "txn": "R-7", "receipt": "ASN-3", "lines": [{"item": "ZZZ", "qty": 5}]})
    s["receive_close_unknown"] = Seq(RECEIVER).call("receive.close", {"txn": "R-8",
                                                                     "receipt": "NOPE"})

    # --- putaway ---------------------------------------------------------
    s["putaway_suggest"] = Seq(RECEIVER).call("putaway.suggest", {"item": "A", "qty": 24,
                                                                 "lot": "L1"})
    s["putaway_suggest_code"] = Seq(RECEIVER).call("putaway.suggest", {"code": "CAN-42",
                                                                      "item": "C", "qty": 6})
    s["putaway_confirm"] = (Seq(RECEIVER)
                            .call("putaway.suggest", {"item": "B", "qty": 10})
                            .call("putaway.confirm", {"txn": "P-1", "from": "DOCK-01",
                                                      "to": "P3", "suggested": "P3",
                                                      "item": "B", "qty": 10}))
    s["putaway_confirm_short"] = Seq(ADMIN).call("putaway.confirm", {
        "txn": "P-2", "from": "DOCK-01", "to": "R2", "code": "4006381333931", "qty": 5})

    # --- stock.move ------------------------------------------------------
    s["move"] = Seq(RECEIVER).call("stock.move", {"txn": "M-1", "from": "R1", "to": "P1",
                                                  "item": "A", "qty": 24, "lot": "L2",
                                                  "reason": "replenish"})
    s["move_fefo_code"] = Seq(RECEIVER).call("stock.move", {"txn": "M-2", "from": "R1",
                                                           "to": "R2",
                                                           "code": "14006381333938",
                                                           "qty": 30})
    s["move_hold"] = Seq(SUPERVISOR).call("stock.move", {"txn": "M-3", "from": "P2",
                                                        "to": "P2", "item": "C", "qty": 6,
                                                        "to_status": "hold"})
    s["move_hold_forbidden"] = Seq(RECEIVER).call("stock.move", {
        "txn": "M-4", "from": "R2", "to": "R2", "item": "E", "qty": 1, "status": "hold",
        "to_status": "available"})
    s["move_insufficient"] = Seq(ADMIN).call("stock.move", {"txn": "M-5", "from": "P2",
                                                           "to": "P3", "item": "D",
                                                           "qty": 13})
    s["move_blocked"] = Seq(ADMIN).call("stock.move", {"txn": "M-6", "from": "P2", "to": "X1",
                                                      "item": "C", "qty": 1})

    # --- counts ----------------------------------------------------------
    s["count_flow"] = (Seq(ADMIN)
                       .call("count.create", {"txn": "C-1", "bin": "P2", "reason": "cycle"})
                       .call("count.next", {"txn": "C-2"})
                       .call("count.submit", {"txn": "C-3", "count": 1,
                                              "lines": [{"item": "C", "qty": 36},
                                                        {"code": "CAN-42", "item": "D",
                                                         "qty": 11}]}))
    s["count_approve"] = (Seq(SUPERVISOR)
                          .call("count.create", {"txn": "C-4", "bin": "R1"})
                          .call("count.next", {"txn": "C-5"})
                          .call("count.submit", {"txn": "C-6", "count": 1,
                                                 "lines": [{"item": "A", "lot": "L2",
                                                            "qty": 10}]})
                          .call("count.approve", {"txn": "C-7", "count": 1,
                                                  "approve": True}))
    s["count_reject"] = (Seq(ADMIN)
                         .call("count.create", {"txn": "C-8", "bin": "P1"})
                         .call("count.next", {"txn": "C-9"})
                         .call("count.submit", {"txn": "C-10", "count": 1, "lines": []})
                         .call("count.approve", {"txn": "C-11", "count": 1,
                                                 "approve": False}))
    s["count_next_nothing"] = Seq(PICKER).call("count.next", {"txn": "C-12"})
    s["count_picker"] = (Seq(ADMIN)
                         .call("count.create", {"txn": "C-16", "bin": "P1"})
                         .call("logout")
                         .call("login", {"user": "pia", "pin": "5678"})
                         .call("count.next", {"txn": "C-13"})
                         .call("count.submit", {"txn": "C-14", "count": 1,
                                                "lines": [{"code": "4006381333931",
                                                           "lot": "L1", "qty": 48}]}))
    s["count_create_forbidden"] = Seq(PICKER).call("count.create", {"txn": "C-15",
                                                                   "bin": "P1"})

    # --- orders and events -----------------------------------------------
    s["order_create"] = Seq(SUPERVISOR).call("order.create", {
        "txn": "O-1", "order": "SO-1001", "customer": "C17",
        "cutoff": "2026-11-23T14:00:00+01:00", "ship_name": "Ann Lee", "ship_street": "1 Road",
        "ship_city": "Town", "ship_postcode": "12345", "ship_country": "DE", "carrier": "DHL",
        "priority": 2, "short_policy": "ship_short",
        "lines": [{"item": "A", "qty": 2, "unit_price_cents": 199},
                  {"item": "C", "qty": 12, "line": 5, "min_shelf_life_days": 30}]})
    s["order_create_held"] = (Seq(ADMIN)
                              .call("order.create", {"txn": "O-2", "order": "SO-1002",
                                                     "customer": "C99",
                                                     "lines": [{"item": "B", "qty": 1}]})
                              .call("order.status", {"order": "SO-1002"})
                              .call("order.release", {"txn": "O-3", "order": "SO-1002"})
                              .call("order.status", {"order": "SO-1002"}))
    s["order_create_bad"] = (Seq(ADMIN)
                             .call("order.create", {"txn": "O-4", "order": "SO-1",
                                                    "customer": "C17",
                                                    "lines": [{"item": "A", "qty": 1}]})
                             .call("order.create", {"txn": "O-5", "order": "SO-9",
                                                    "customer": "NOPE",
                                                    "lines": [{"item": "A", "qty": 1}]})
                             .call("order.create", {"txn": "O-6", "order": "SO-9",
                                                    "customer": "C17",
                                                    "lines": [{"item": "ZZ", "qty": 1}, 7]}))
    s["order_status"] = Seq(PICKER).call("order.status", {"order": "SO-1"})
    s["order_status_unknown"] = Seq(PICKER).call("order.status", {"order": "SO-404"})
    s["order_release"] = Seq(SUPERVISOR).call("order.release", {"txn": "O-7", "order": "SO-2"})
    s["order_cancel"] = (Seq(ADMIN)
                         .call("order.cancel", {"txn": "O-8", "order": "SO-3",
                                                "reason": "customer called"})
                         .call("order.cancel", {"txn": "O-9", "order": "SO-3"})
                         .call("order.status", {"order": "SO-3"}))
    s["order_forbidden"] = Seq(RECEIVER).call("order.cancel", {"txn": "O-10", "order": "SO-1"})
    s["events_subscribe"] = (Seq(SUPERVISOR)
                             .call("events.subscribe", {"topics": ["order.status",
                                                                   "order.hold"]})
                             .call("order.create", {"txn": "O-11", "order": "SO-1003",
                                                    "customer": "C20",
                                                    "lines": [{"item": "E", "qty": 1}]}))
    s["events_subscribe_all"] = Seq(ADMIN).call("events.subscribe")
    s["events_subscribe_bad"] = Seq(ADMIN).call("events.subscribe", {"topics": ["nope", 1]})
    s["events_forbidden"] = Seq(PICKER).call("events.subscribe", {})

    # --- pick-and-sort: a sort wave, the put wall W1 -----------------------
    s["sort_wave"] = (Seq(ADMIN)
                      .call("wave.release", {"txn": "SW-1", "method": "sort"})
                      .call("task.next")
                      .call("sort.open", {"txn": "SW-2", "wall": "W1"})
                      .call("sort.scan", {"wall": "W1", "code": "4006381333931"})
                      .call("sort.confirm", {"txn": "SW-3", "wall": "W1",
                                             "code": "4006381333931", "slot": "W1-02"})
                      .call("sort.status", {"wall": "W1"}))

    # --- exactly once ----------------------------------------------------
    s["txn_replay"] = (Seq(RECEIVER)
                       .call("stock.move", {"txn": "X-1", "from": "R1", "to": "P1",
                                            "item": "A", "qty": 1})
                       .call("stock.move", {"txn": "X-1", "from": "R1", "to": "P1",
                                            "item": "A", "qty": 1}))
    s["txn_conflict"] = (Seq(ADMIN)
                         .call("count.create", {"txn": "X-2", "bin": "P1"})
                         .call("stock.move", {"txn": "X-2", "from": "R1", "to": "P1",
                                              "item": "A", "qty": 1}))
    s["txn_missing"] = Seq(ADMIN).call("receive.scan", {"code": "4006381333931"})

    # --- malformed -------------------------------------------------------
    s["unknown_method"] = Seq(ADMIN).call("stock.destroy", {"bin": "P1"})
    s["bad_method_chars"] = Seq(ADMIN).call("Stock-Query", {"bin": "P1"})
    s["not_a_request"] = Seq(ADMIN).raw([1, 7, None, {}]).call("ping")
    s["no_msgid"] = Seq(ADMIN).raw([0, -1, "ping", []])
    s["args_not_map"] = Seq(ADMIN).call("ping", [1, 2], raw_args=True)
    s["arg_key_not_str"] = Seq(ADMIN).raw([0, 9, "stock.query", [{1: "P1"}]])
    s["arg_not_utf8"] = Seq(ADMIN).raw(
        [0, 9, "scan.resolve", [{"code": msgpack.ExtType(1, b"x")}]]).raw(
        b"\x94\x00\x0a\xacscan.resolve\x91\x81\xa4code\xa2\xc3\x28")
    s["arg_nul"] = Seq(ADMIN).call("scan.resolve", {"code": "40063\x0081333931"})
    s["arg_too_long"] = Seq(ADMIN).call("stock.query", {"bin": "B" * 600})
    s["qty_negative"] = Seq(ADMIN).call("stock.move", {"txn": "Q-1", "from": "R1", "to": "P1",
                                                      "item": "A", "qty": -5})
    s["qty_huge"] = Seq(ADMIN).call("receive.scan", {"txn": "Q-2", "code": "4006381333931",
                                                    "qty": 2 ** 64 - 1})
    return s


# Words for the libFuzzer dictionary (tests/fuzz/dispatch.dict), each
# written as the MessagePack string it is on the wire.
DICT_WORDS = [
    # methods
    "hello", "login", "logout", "ping", "scan.resolve", "stock.query", "receive.scan",
    "receive.close", "receipt.create", "putaway.suggest", "putaway.confirm", "stock.move",
    "count.next", "count.submit", "count.create", "count.approve",
    "wave.release", "task.next", "pick.confirm", "pick.short", "sort.open", "sort.scan",
    "sort.confirm", "sort.status", "wall", "slot", "method", "sort", "task", "qty_found",
    "W1", "W1-01", "W1-02",
    # argument keys
    "device", "proto", "client", "gs", "user", "pin", "code", "txn", "qty", "bin", "item",
    "lot", "expiry", "receipt", "quarantine", "tolerance_pct", "lines", "from", "to",
    "suggested", "status", "to_status", "reason", "count", "approve",
    "order.create", "order.release", "order.cancel", "order.status", "events.subscribe",
    "order", "customer", "carrier", "cutoff", "short_policy", "ship_name", "ship_street",
    "ship_city", "ship_postcode", "ship_country", "priority", "line", "unit_price_cents",
    "min_shelf_life_days", "topics", "order.hold", "order.short", "pick.short", "gift.rule",
    "replenish.alert", "ship_short", "backorder", "SO-1", "SO-2", "SO-3", "C17", "C20", "C99",
    # values of the warehouse in warehouse.h
    "FUZZ", "ada", "1234", "rob", "4711", "pia", "5678", "old", "9999", "DOCK-01", "P1", "P2",
    "P3", "R1", "R2", "Q1", "X1", "S1", "A", "B", "C", "D", "E", "L1", "L2", "L3",
    "4006381333931", "14006381333938", "CAN-42", "96385074", "2027-06-30", "hold",
    "available", "]C1", "(01)", "(17)", "(10)", "(37)",
]


def write_dict(path):
    """Writes the libFuzzer dictionary: one "\\xNN" escaped token a line."""
    with open(path, "w") as f:
        f.write("# libFuzzer dictionary for fuzz_dispatch (written by make_seeds.py)\n")
        tokens = [msgpack.packb(w) for w in DICT_WORDS]
        tokens += [b"\x94\x00", b"\x91\x80", b"\x91\x81", b"\xc3", b"\xc2", b"\xc0",
                   b"\xcd\x01\x00", b"\xce\xff\xff\xff\xff"]
        for i, t in enumerate(tokens):
            f.write('kw%d="%s"\n' % (i, "".join("\\x%02x" % b for b in t)))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "dispatch")
    os.makedirs(out, exist_ok=True)
    all_seeds = seeds()
    for name, seq in sorted(all_seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(seq.data())
    print("make_seeds: wrote %d seeds to %s" % (len(all_seeds), out))
    if len(sys.argv) <= 1:
        write_dict(os.path.join(here, "dispatch.dict"))
        print("make_seeds: wrote %s" % os.path.join(here, "dispatch.dict"))


if __name__ == "__main__":
    main()
