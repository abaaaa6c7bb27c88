"""wmsd over TCP: sessions, roles, exactly-once txns, group commit,
malformed input, limits, shutdown.  Run by ctest with /usr/bin/python3."""
import os
import signal
import socket
import sys
import time
import unittest
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
import msgpack  # noqa: E402
from wmsclient import Client, RpcError, Wmsd, standard_setup  # noqa: E402

WMSD = os.environ.get("WMSD")
WMSCTL = os.environ.get("WMSCTL")
TMP = os.environ.get("WMS_TMP")
if TMP:
    os.makedirs(TMP, exist_ok=True)


def onhand(w, bin_code, sku):
    rows = w.sql("SELECT coalesce(sum(s.qty),0) FROM stock s JOIN bins b ON b.id=s.bin_id "
                 "JOIN items i ON i.id=s.item_id WHERE b.code=? AND i.sku=?", bin_code, sku)
    return rows[0][0]


class ServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = Wmsd(WMSD, WMSCTL, setup=standard_setup, tmp=TMP)

    @classmethod
    def tearDownClass(cls):
        rc = cls.w.stop()
        assert rc == 0, "wmsd exit %r\n%s" % (rc, cls.w.log_text())

    def login(self, device, user="rob"):
        c = self.w.client(device)
        self.assertEqual(c.login(user, "1234")["user"], user)
        return c

    # ---- sessions and roles ----

    def test_hello_login_ping_logout(self):
        c = self.w.client()
        self.assertTrue(c.call("ping")["pong"])
        self.assertEqual(c.error_of("stock.query", {"bin": "P1"}), "NOT_LOGGED_IN")
        self.assertEqual(c.error_of("login", {"user": "rob", "pin": "1234"}), "BAD_ARGS")
        h = c.hello("RF-HELLO")
        self.assertEqual(h["proto"], 1)
        self.assertIn("resume", h)
        self.assertEqual(c.login("rob", "1234")["role"], "receiver")
        c.call("stock.query", {"bin": "P1"})
        c.call("logout")
        self.assertEqual(c.error_of("stock.query", {"bin": "P1"}), "NOT_LOGGED_IN")
        c.close()

    def test_call_pipelined_behind_login_runs_logged_in(self):
        c = self.w.client()
        blob = b""
        ids = []
        for m, a in (("hello", {"device": "RF-PIPE", "proto": 1}),
                     ("login", {"user": "rob", "pin": "1234"}),
                     ("scan.resolve", {"code": "14006381333938"}),
                     ("ping", {})):
            i, d = c.request_bytes(m, a)
            ids.append(i)
            blob += d
        c.send_raw(blob)  # one write: the PIN check is still running
        res = [c.wait(i) for i in ids]
        self.assertTrue(all(r[2] is None for r in res), res)
        self.assertEqual(res[2][3]["qty"], 24)
        self.assertEqual(c.error_of("hello", {"device": "RF-PIPE", "proto": 2}), "UNSUPPORTED")
        c.close()

    def test_wrong_pin_and_roles(self):
        c = self.w.client("RF-ROLES")
        self.assertEqual(c.error_of("login", {"user": "rob", "pin": "9999"}), "AUTH_FAILED")
        self.assertEqual(c.error_of("login", {"user": "nobody", "pin": "1234"}), "AUTH_FAILED")
        c.login("pia", "1234")
        # A picker may not receive.
        self.assertEqual(c.error_of("receive.scan", {"txn": "r1", "code": "4006381333931"}),
                         "FORBIDDEN")
        self.assertEqual(c.error_of("no.such", {}), "UNKNOWN_METHOD")
        c.close()

    def test_lockout_after_failures(self):
        c = self.w.client("RF-LOCK")
        for _ in range(3):
            self.assertEqual(c.error_of("login", {"user": "lou", "pin": "0000"}), "AUTH_FAILED")
        self.assertEqual(c.error_of("login", {"user": "lou", "pin": "1234"}), "LOCKED_OUT")
        self.assertIn("login failed", self.w.log_text())
        c.close()

    # ---- bad arguments ----

    def test_bad_args_name_the_key(self):
        c = self.login("RF-ARGS")
        for args, key in (({"code": "4006381333931"}, "txn"),
                          ({"txn": "a1"}, "code"),
                          ({"txn": "a2", "code": 12}, "code"),
                          ({"txn": "a3", "code": "4006381333931", "qty": "two"}, "qty"),
                          ({"txn": "a4", "code": "4006381333931", "lot": "a\x00b"}, "lot")):
            msg = c.call_full("receive.scan", args)
            self.assertEqual(msg[2]["code"], "BAD_ARGS", msg)
            self.assertIn(key, msg[2]["message"])
        for qty in (0, -5, 10**12):
            msg = c.call_full("receive.scan", {"txn": "q%d" % qty, "code": "4006381333931",
                                               "qty": qty})
            self.assertEqual(msg[2]["code"], "BAD_QTY", msg)
        # Invalid UTF-8 arrives as a str with bad bytes.
        raw = msgpack.packb([0, 99, "scan.resolve", [{"code": b"\xff\xfe"}]],
                            use_bin_type=False)
        c.send_raw(raw)
        msg = c.wait(99)
        self.assertEqual(msg[2]["code"], "BAD_ARGS")
        self.assertEqual(c.call("ping")["pong"], True)
        c.close()

    # ---- scanning and receiving ----

    def test_scan_resolve(self):
        c = self.login("RF-SCAN")
        r = c.call("scan.resolve", {"code": "14006381333938"})
        self.assertEqual((r["kind"], r["qty"], r["items"][0]["level"]), ("item", 24, "case"))
        r = c.call("scan.resolve", {"code": "]C10114006381333938172706301012AB"})
        self.assertEqual((r["lot"], r["expiry"]), ("12AB", "2027-06-30"))
        r = c.call("scan.resolve", {"code": "CAN-42"})
        self.assertTrue(r["ambiguous"])
        self.assertEqual([i["sku"] for i in r["items"]], ["C", "D"])
        self.assertEqual(c.call("scan.resolve", {"code": "P1"})["kind"], "bin")
        msg = c.call_full("scan.resolve", {"code": "9501101530003"})
        self.assertEqual(msg[2]["code"], "UNKNOWN_CODE")
        self.assertIn("09501101530003", msg[2]["message"])
        self.assertEqual(c.error_of("scan.resolve", {"code": "4006381333932"}),
                         "BAD_CHECK_DIGIT")
        c.close()

    def test_receive_case_and_errors(self):
        c = self.login("RF-RCV")
        before = onhand(self.w, "R1", "A")
        r = c.call("receive.scan", {"txn": "rcv-1", "code": "14006381333938", "qty": 2,
                                    "bin": "R1", "lot": "L9", "expiry": "2027-03-31"})
        self.assertEqual((r["qty"], r["sku"], r["bin"]), (48, "A", "R1"))
        self.assertEqual(onhand(self.w, "R1", "A"), before + 48)
        self.assertEqual(c.error_of("receive.scan", {"txn": "rcv-2", "code": "CAN-42",
                                                     "bin": "R1"}), "AMBIGUOUS_CODE")
        r = c.call("receive.scan", {"txn": "rcv-3", "code": "CAN-42", "item": "D", "bin": "R1"})
        self.assertEqual(r["sku"], "D")
        self.assertEqual(c.error_of("receive.scan", {"txn": "rcv-4", "bin": "R1",
                         "code": "(01)14006381333938(17)240101(10)OLD"}), "EXPIRED_LOT")
        self.assertEqual(c.error_of("receive.scan", {"txn": "rcv-5", "bin": "X1",
                                                     "code": "4006381333931"}), "BIN_BLOCKED")
        self.assertEqual(c.error_of("receive.scan", {"txn": "rcv-6", "bin": "R1",
                                    "code": "4006381333931", "quarantine": True}), "FORBIDDEN")
        # Default bin: the receiving dock.
        self.assertEqual(c.call("receive.scan", {"txn": "rcv-7", "code": "4006381333931"})["bin"],
                         "DOCK-01")
        c.close()
        s = self.login("RF-SUP", "sue")
        r = s.call("receive.scan", {"txn": "q-1", "bin": "Q1", "quarantine": True,
                                    "code": "(01)14006381333938(17)240101(10)OLD"})
        self.assertEqual(r["status"], "quarantine")
        s.close()

    def test_stock_query_and_move(self):
        c = self.login("RF-MOVE")
        c.call("receive.scan", {"txn": "m-1", "code": "4006381333931", "qty": 10, "bin": "P2"})
        c.call("stock.move", {"txn": "m-2", "from": "P2", "to": "R1", "item": "A", "qty": 4})
        rows = c.call("stock.query", {"bin": "P2"})["rows"]
        self.assertTrue(any(r["sku"] == "A" for r in rows))
        q = c.call("stock.query", {"code": "4006381333931"})
        self.assertGreaterEqual(q["available"], 6)
        self.assertEqual(c.error_of("stock.move", {"txn": "m-3", "from": "P2", "to": "R1",
                                                   "item": "A", "qty": 10**6}),
                         "INSUFFICIENT_STOCK")
        self.assertEqual(c.error_of("stock.query", {"bin": "NOPE"}), "NOT_FOUND")
        c.close()

    def test_putaway_suggest_and_confirm(self):
        c = self.login("RF-PUT")
        c.call("receive.scan", {"txn": "pa-1", "code": "4006381333931", "qty": 6,
                                "lot": "PL1", "expiry": "2027-08-01"})  # into DOCK-01
        s = c.call("putaway.suggest", {"code": "4006381333931", "qty": 6, "lot": "PL1"})
        self.assertIn(s["bin"], ("P1", "P2", "P3", "R1", "R2"))
        self.assertNotIn(s["bin"], ("X1", "Q1", "DOCK-01"))
        r = c.call("putaway.confirm", {"txn": "pa-2", "from": "DOCK-01", "to": s["bin"],
                                       "suggested": s["bin"], "code": "4006381333931",
                                       "qty": 4, "lot": "PL1"})
        self.assertTrue(r["followed_suggestion"])
        other = "R1" if s["bin"] != "R1" else "P2"
        r = c.call("putaway.confirm", {"txn": "pa-3", "from": "DOCK-01", "to": other,
                                       "suggested": s["bin"], "item": "A", "qty": 2,
                                       "lot": "PL1"})
        self.assertFalse(r["followed_suggestion"])
        reason = self.w.sql("SELECT reason FROM journal WHERE txn='pa-3'")[0][0]
        self.assertIn("instead of suggested", reason)
        self.assertEqual(c.error_of("putaway.confirm", {"txn": "pa-4", "from": "DOCK-01",
                                    "to": "X1", "item": "A", "qty": 1}), "BIN_BLOCKED")
        self.assertEqual(c.error_of("putaway.confirm", {"txn": "pa-5", "from": "DOCK-01",
                                    "to": "P2", "item": "A", "qty": 10**6}),
                         "INSUFFICIENT_STOCK")
        c.close()

    def test_receipt_against_expected_list(self):
        sup = self.login("RF-ASN-S", "sue")
        sup.call("receipt.create", {"txn": "asn-1", "receipt": "ASN-77", "tolerance_pct": 10,
                                    "lines": [{"item": "A", "qty": 48}, {"item": "B", "qty": 5}]})
        self.assertEqual(sup.error_of("receipt.create", {"txn": "asn-2", "receipt": "ASN-77",
                                                         "lines": []}), "EXISTS")
        c = self.login("RF-ASN")
        c.call("receive.scan", {"txn": "asn-3", "code": "14006381333938", "qty": 2, "bin": "R1",
                                "receipt": "ASN-77"})
        c.call("receive.scan", {"txn": "asn-4", "code": "EGG-1", "bin": "R1",
                                "receipt": "ASN-77"})
        rep = c.call("receive.close", {"txn": "asn-5", "receipt": "ASN-77"})
        verdicts = {l["sku"]: l["verdict"] for l in rep["lines"]}
        self.assertEqual(verdicts, {"A": "ok", "B": "under", "E": "unexpected"})
        self.assertEqual(c.error_of("receive.close", {"txn": "asn-6", "receipt": "ASN-77"}),
                         "CLOSED")
        before = onhand(self.w, "R1", "A")
        self.assertEqual(c.error_of("receive.scan", {"txn": "asn-7", "code": "4006381333931",
                                    "bin": "R1", "receipt": "ASN-77"}), "CLOSED")
        self.assertEqual(onhand(self.w, "R1", "A"), before)  # the booking was undone
        sup.close()
        c.close()

    def test_blind_count_while_stock_moves(self):
        sup = self.login("RF-CNT-S", "sue")
        c = self.login("RF-CNT-R")
        c.call("receive.scan", {"txn": "cn-1", "code": "4006381333931", "qty": 9, "bin": "P1",
                                "lot": "CL", "expiry": "2027-09-01"})
        sup.call("count.create", {"txn": "cn-2", "bin": "P1", "reason": "test"})
        picker = self.login("RF-CNT-P", "pia")
        task = picker.call("count.next", {"txn": "cn-3"})
        self.assertEqual(task["bin"], "P1")
        self.assertNotIn("expected", task)
        start = onhand(self.w, "P1", "A")
        # Stock moves out of the bin while the count is going on.
        c.call("stock.move", {"txn": "cn-4", "from": "P1", "to": "R1", "item": "A", "qty": 2})
        lines = [{"item": sku, "lot": lot, "qty": q} for sku, lot, q in self.w.sql(
            "SELECT i.sku, s.lot, 0 FROM stock s JOIN bins b ON b.id=s.bin_id JOIN items i ON "
            "i.id=s.item_id WHERE b.code='P1' GROUP BY i.sku, s.lot")]
        # The physical count saw the bin as it was at the start.
        for l in lines:
            l["qty"] = self.w.sql(
                "SELECT coalesce(sum(s.qty),0) FROM stock s JOIN bins b ON b.id=s.bin_id JOIN "
                "items i ON i.id=s.item_id WHERE b.code='P1' AND i.sku=? AND s.lot=?",
                l["item"], l["lot"])[0][0] + (2 if (l["item"], l["lot"]) == ("A", "CL") else 0)
        res = picker.call("count.submit", {"txn": "cn-5", "count": task["count"],
                                           "lines": lines})
        self.assertEqual(res["status"], "done")
        self.assertTrue(all("expected" not in l for l in res["lines"]))  # blind
        self.assertEqual(onhand(self.w, "P1", "A"), start - 2)  # no adjustment
        self.assertEqual(self.w.sql("SELECT count(*) FROM journal WHERE kind='adjust' AND "
                                    "reason LIKE 'cycle count %'")[0][0], 0)
        self.assertEqual(picker.error_of("count.submit", {"txn": "cn-6", "count": task["count"],
                                                          "lines": []}), "CLOSED")
        for x in (sup, c, picker):
            x.close()
        self.assertEqual(self.w.ctl("verify").returncode, 0)

    def test_orders_and_live_events(self):
        sup = self.login("RF-ORD-S", "sue")
        feed = self.login("RF-ORD-FEED", "ada")
        sub = feed.call("events.subscribe", {"topics": ["order.status", "order.hold"]})
        self.assertEqual(sorted(sub["topics"]), ["order.hold", "order.status"])
        self.assertEqual(feed.error_of("events.subscribe", {"topics": ["nope"]}), "BAD_ARGS")
        self.assertEqual(feed.error_of("events.subscribe", {"topics": ["order.status\x00junk"]}),
                         "BAD_ARGS")
        ship = {"ship_name": "Ann", "ship_street": "1 Road", "ship_city": "Town",
                "ship_postcode": "12345", "ship_country": "DE"}
        r = sup.call("order.create", dict(ship, txn="o-1", order="SO-1", customer="GREEN",
                                          cutoff="2026-11-23T14:00:00+01:00",
                                          lines=[{"item": "A", "qty": 2}]))
        self.assertEqual(r["status"], "released")
        r = sup.call("order.create", dict(ship, txn="o-2", order="SO-2", customer="RED",
                                          lines=[{"item": "B", "qty": 1}]))
        self.assertEqual(r["status"], "held")
        self.assertIn("red", r["hold_reason"])
        self.assertEqual(sup.error_of("order.create", dict(ship, txn="o-3", order="SO-1",
                         customer="GREEN", lines=[{"item": "A", "qty": 1}])), "EXISTS")
        msg = sup.call_full("order.create", dict(ship, txn="o-4", order="SO-4", customer="GREEN",
                            lines=[{"item": "A", "qty": 1}, {"item": "NOPE", "qty": 1}]))
        self.assertEqual(msg[2]["code"], "NOT_FOUND")
        self.assertIn("line 2", msg[2]["message"])
        sup.call("order.release", {"txn": "o-5", "order": "SO-2"})
        # The feed saw every status change as it happened, in order.
        want = [("SO-1", "order.status", "received"), ("SO-1", "order.status", "released"),
                ("SO-2", "order.status", "received"), ("SO-2", "order.status", "held"),
                ("SO-2", "order.hold", ""), ("SO-2", "order.status", "released")]
        got = []
        deadline = time.time() + 5
        while len(got) < len(want) and time.time() < deadline:
            m = feed.recv_msg()
            if m and m[0] == 2 and m[1] == "event":
                e = m[2][0]
                got.append((e["order"], e["kind"], e["status"]))
        self.assertEqual(sorted(got), sorted(want))
        self.assertEqual(got[0], want[0])
        # A picker may read status but not create orders.
        p = self.login("RF-ORD-P", "pia")
        st = p.call("order.status", {"order": "SO-2"})
        self.assertEqual(st["status"], "released")
        statuses = [h["status"] for h in st["history"] if h["kind"] == "order.status"]
        self.assertEqual(statuses, ["received", "held", "released"])
        self.assertEqual(st["history"][-1]["device"], "RF-ORD-S")
        self.assertEqual(p.error_of("order.create", dict(ship, txn="o-6", order="SO-6",
                         customer="GREEN", lines=[{"item": "A", "qty": 1}])), "FORBIDDEN")
        sup.call("order.cancel", {"txn": "o-7", "order": "SO-1", "reason": "customer called"})
        self.assertEqual(p.call("order.status", {"order": "SO-1"})["status"], "cancelled")
        for x in (sup, feed, p):
            x.close()

    # ---- exactly once ----

    def test_retry_same_connection_replays(self):
        c = self.login("RF-EO1")
        before = onhand(self.w, "P2", "A")
        args = {"txn": "eo-1", "code": "4006381333931", "qty": 3, "bin": "P2"}
        m1 = c.call_full("receive.scan", args)
        m2 = c.call_full("receive.scan", args)
        self.assertIsNone(m1[2])
        self.assertEqual(m1[2:], m2[2:])
        self.assertEqual(onhand(self.w, "P2", "A"), before + 3)
        # An error outcome is remembered too.
        bad = {"txn": "eo-2", "code": "4006381333931", "bin": "X1"}
        self.assertEqual(c.error_of("receive.scan", bad), "BIN_BLOCKED")
        self.assertEqual(c.error_of("receive.scan", bad), "BIN_BLOCKED")
        # The same txn for another method is refused, not replayed.
        self.assertEqual(c.error_of("stock.move", {"txn": "eo-1", "from": "P2", "to": "R1",
                                                   "item": "A", "qty": 1}), "TXN_CONFLICT")
        c.close()

    def test_retry_after_dropped_connection_applies_once(self):
        before = onhand(self.w, "P2", "A")
        c = self.login("RF-EO2")
        _, data = c.request_bytes("receive.scan", {"txn": "drop-1", "code": "4006381333931",
                                                   "qty": 5, "bin": "P2"})
        c.send_raw(data)
        c.sock.shutdown(socket.SHUT_RDWR)  # gone before the answer
        c.close()
        time.sleep(0.3)
        c2 = self.login("RF-EO2")
        self.assertEqual(c2.hello("RF-EO2")["resume"].get("last_txn"), "drop-1")
        r = c2.call("receive.scan", {"txn": "drop-1", "code": "4006381333931", "qty": 5,
                                     "bin": "P2"})
        self.assertEqual(r["qty"], 5)
        self.assertEqual(onhand(self.w, "P2", "A"), before + 5)
        n = self.w.sql("SELECT count(*) FROM journal WHERE txn='drop-1'")[0][0]
        self.assertEqual(n, 1)
        c2.close()

    # ---- group commit ----

    def test_failing_request_in_batch_rolls_back_only_itself(self):
        c = self.login("RF-GC")
        self.w.ctl("receipt", "create", "ASN-GC", "A=10", check=False)
        before_p2 = onhand(self.w, "P2", "A")
        before_r1 = onhand(self.w, "R1", "A")
        reqs = [
            ("receive.scan", {"txn": "gc-1", "code": "4006381333931", "qty": 2, "bin": "P2"}),
            # Books stock, then fails on the unknown receipt: must leave nothing.
            ("receive.scan", {"txn": "gc-2", "code": "4006381333931", "qty": 7, "bin": "R1",
                              "receipt": "NO-SUCH-ASN"}),
            ("receive.scan", {"txn": "gc-3", "code": "4006381333931", "qty": 1, "bin": "P2"}),
        ]
        blob = b""
        ids = []
        for m, a in reqs:
            i, d = c.request_bytes(m, a)
            ids.append(i)
            blob += d
        c.send_raw(blob)  # one write: one loop turn, one batch
        res = [c.wait(i) for i in ids]
        self.assertIsNone(res[0][2])
        self.assertEqual(res[1][2]["code"], "NOT_FOUND")
        self.assertIsNone(res[2][2])
        self.assertEqual(onhand(self.w, "P2", "A"), before_p2 + 3)
        self.assertEqual(onhand(self.w, "R1", "A"), before_r1)
        self.assertEqual(self.w.sql("SELECT count(*) FROM journal WHERE txn='gc-2'")[0][0], 0)
        c.close()

    def test_many_connections_one_commit_each_turn(self):
        clients = [self.login("RF-MANY-%d" % i) for i in range(20)]
        before = onhand(self.w, "P2", "A")
        ids = []
        for i, c in enumerate(clients):
            mid, d = c.request_bytes("receive.scan", {"txn": "many-%d" % i,
                                                      "code": "4006381333931", "bin": "P2"})
            c.send_raw(d)
            ids.append(mid)
        for c, mid in zip(clients, ids):
            self.assertIsNone(c.wait(mid)[2])
            c.close()
        self.assertEqual(onhand(self.w, "P2", "A"), before + 20)

    # ---- malformed input ----

    def test_malformed_stream_closes_only_that_connection(self):
        good = self.login("RF-GOOD")
        bad = self.w.client()
        bad.send_raw(b"\xc1garbage")
        note = bad.recv_msg()
        self.assertEqual(note[0], 2)
        self.assertEqual(note[2][0]["code"], "BAD_FRAME")
        self.assertIsNone(bad.recv_msg())  # closed
        bad.close()
        # msgpack-c issue #1013: a 4-billion-element array header.
        bomb = self.w.client()
        bomb.send_raw(b"\xdd\xff\x00\x00\x00")
        self.assertEqual(bomb.recv_msg()[2][0]["code"], "BAD_FRAME")
        bomb.close()
        # Not a request shape, but with a msgid: answered, connection stays.
        odd = self.w.client()
        odd.send_raw(msgpack.packb([0, 5, "ping", "not-a-list"]))
        self.assertEqual(odd.wait(5)[2]["code"], "BAD_ARGS")
        self.assertTrue(odd.call("ping")["pong"])
        odd.close()
        self.assertTrue(good.call("ping")["pong"])
        good.close()

    def test_oversized_message(self):
        c = self.w.client()
        big = msgpack.packb([0, 1, "ping", [{"pad": "x" * (2 << 20)}]])
        try:
            c.send_raw(big)
        except OSError:
            pass
        note = c.recv_msg()
        self.assertEqual(note[2][0]["code"], "BAD_FRAME")
        c.close()
        self.assertTrue(self.w.client().call("ping")["pong"])

    def test_write_lock_held_elsewhere_does_not_stall_scans(self):
        import sqlite3
        import threading
        c = self.login("RF-LOCKED")
        before = onhand(self.w, "P2", "A")
        other = sqlite3.connect(self.w.db, timeout=5, isolation_level=None,
                                check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # like a long wmsctl import
        try:
            t0 = time.time()
            mid, data = c.request_bytes("receive.scan", {"txn": "lock-1", "bin": "P2",
                                                         "code": "4006381333931"})
            c.send_raw(data)
            # Reads are answered from a snapshot while the writer waits.
            for _ in range(5):
                r = c.call("scan.resolve", {"code": "14006381333938"})
                self.assertEqual(r["qty"], 24)
            self.assertTrue(c.call("stock.query", {"bin": "P2"}) is not None)
            self.assertLess(time.time() - t0, 1.0)
            threading.Timer(0.8, lambda: other.execute("COMMIT")).start()
            res = c.wait(mid)  # answered once the lock is gone, and durable
            self.assertIsNone(res[2])
            self.assertGreaterEqual(time.time() - t0, 0.7)
        finally:
            time.sleep(0.9)
            other.close()
        self.assertEqual(onhand(self.w, "P2", "A"), before + 1)
        c.close()

    def test_wmsctl_change_seen_by_server(self):
        c = self.login("RF-DV")
        self.assertEqual(c.error_of("scan.resolve", {"code": "NEW-CODE-1"}), "UNKNOWN_CODE")
        self.assertFalse(c.call("scan.resolve", {"code": "EGG-1"})["ambiguous"])  # cached now
        self.w.ctl("import", "barcodes", self.w.write("more.csv",
                   "code,sku,level\nNEW-CODE-1,B,each\nEGG-1,B,each\n"))
        self.assertEqual(c.call("scan.resolve", {"code": "NEW-CODE-1"})["items"][0]["sku"], "B")
        # The cached unambiguous code is now shared: the cache was dropped.
        self.assertTrue(c.call("scan.resolve", {"code": "EGG-1"})["ambiguous"])
        c.close()


class ServerLifecycleTest(unittest.TestCase):
    def test_port_taken_and_bad_db(self):
        w = Wmsd(WMSD, WMSCTL, tmp=TMP)
        try:
            import subprocess
            r = subprocess.run([WMSD, "--db", w.db, "--listen", "127.0.0.1:%d" % w.port],
                               capture_output=True, text=True, timeout=20)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("address already in use", r.stderr)
            junk = w.write("junk.db", "this is not a database " * 100)
            r = subprocess.run([WMSD, "--db", junk, "--listen", "127.0.0.1:0"],
                               capture_output=True, text=True, timeout=20)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("database", r.stderr)
        finally:
            self.assertEqual(w.stop(), 0)

    def test_limits_idle_and_output_cap_and_connections(self):
        w = Wmsd(WMSD, WMSCTL, setup=standard_setup, tmp=TMP,
                 config="idle_timeout = 1\nmax_queued = 65536\nmax_connections = 5\n")
        try:
            idle = w.client()
            time.sleep(2.5)
            note = idle.recv_msg()
            self.assertEqual(note[2][0]["code"], "BUSY")
            self.assertIn("idle", note[2][0]["message"])
            idle.close()
            # A client that never reads its responses is cut off.
            hog = w.client("RF-HOG")
            hog.login("rob", "1234")
            hog.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            _, req = hog.request_bytes("scan.resolve", {"code": "14006381333938"})
            cut = False
            try:
                for _ in range(20000):
                    hog.send_raw(req)
            except OSError:
                cut = True
            time.sleep(0.5)
            self.assertTrue(cut or "not reading" in w.log_text(), w.log_text()[-2000:])
            hog.close()
            # The connection limit refuses the sixth, with a message.
            conns = [w.client() for _ in range(5)]
            extra = w.client()
            note = extra.recv_msg()
            self.assertEqual(note[2][0]["code"], "BUSY")
            self.assertIn("limit", note[2][0]["message"])
            for c in conns + [extra]:
                c.close()
            time.sleep(0.3)
            self.assertTrue(w.client().call("ping")["pong"])
        finally:
            self.assertEqual(w.stop(), 0)

    def test_slow_event_subscriber_is_cut_off(self):
        w = Wmsd(WMSD, WMSCTL, setup=standard_setup, tmp=TMP, config="max_queued = 16384\n")
        try:
            feed = w.client("RF-SLOW")
            feed.login("ada", "1234")
            feed.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            feed.call("events.subscribe", {})
            sup = w.client("RF-SLOW-S")
            sup.login("sue", "1234")
            ship = {"ship_name": "Ann", "ship_street": "1 Road", "ship_city": "Town",
                    "ship_postcode": "12345", "ship_country": "DE"}
            # Each order makes 3 events the feed never reads: far more than
            # the kernel's socket buffers and the 16 KiB output cap hold.
            cut = False
            for chunk in range(300):
                ids = []
                for i in range(chunk * 40, chunk * 40 + 40):  # under the in-flight cap
                    mid, data = sup.request_bytes("order.create", dict(
                        ship, txn="slow-%d" % i, order="SL-%d" % i, customer="RED",
                        lines=[{"item": "A", "qty": 1}]))
                    sup.send_raw(data)
                    ids.append(mid)
                for mid in ids:
                    self.assertIsNone(sup.wait(mid)[2])
                if "event subscriber is not reading" in w.log_text():
                    cut = True
                    break
            self.assertTrue(cut, w.log_text()[-1000:])
            self.assertTrue(sup.call("ping")["pong"])  # everyone else goes on
            sup.close()
            feed.close()
        finally:
            self.assertEqual(w.stop(), 0)

    def test_sigterm_finishes_and_logs(self):
        w = Wmsd(WMSD, WMSCTL, setup=standard_setup, tmp=TMP)
        c = w.client("RF-TERM")
        c.login("rob", "1234")
        c.call("receive.scan", {"txn": "t-1", "code": "4006381333931", "bin": "P2"})
        self.assertEqual(w.stop(signal.SIGTERM), 0)
        log = w.log_text()
        self.assertIn("shutting down", log)
        self.assertIn("session", log)
        self.assertIn("wmsd stopped", log)
        self.assertEqual(w.ctl("verify").returncode, 0)


if __name__ == "__main__":
    warnings.simplefilter("ignore", ResourceWarning)
    unittest.main(verbosity=2)
