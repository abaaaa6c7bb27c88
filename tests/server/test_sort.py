"""Pick-and-sort over the wire: a sort wave's bulk tasks, bulk picking into
a bulk tote, a put wall opened, scanned and confirmed (slot choice by
cut-off and priority, WRONG_SLOT, NOT_NEEDED, exactly-once replay),
completion pushed as a sort.complete event, packing from the slot, and
wmsctl putwall.  Run by ctest with /usr/bin/python3."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from wmsclient import Wmsd, standard_setup  # noqa: E402

WMSD = os.environ.get("WMSD")
WMSCTL = os.environ.get("WMSCTL")
TMP = os.environ.get("WMS_TMP")
if TMP:
    os.makedirs(TMP, exist_ok=True)

EAN_A = "4006381333931"


def setup(w):
    standard_setup(w)
    w.ctl("import", "stock", w.write("stock.csv",
          "bin,sku,lot,expiry,qty\nP1,A,L1,2027-06-30,40\nP3,E,,,10\n"))
    w.ctl("import", "putwall", w.write("wall.csv", "wall,slot\nW1,W1-A\nW1,W1-B\nW1,W1-C\n"))
    # ranked: SO-2 (10:00), SO-3 (12:00, priority 1), SO-1 (12:00, priority 3)
    w.ctl("import", "orders", w.write("orders.csv",
          "order,customer,line,sku,qty,priority,cutoff,ship_name,ship_street,ship_city,"
          "ship_postcode,ship_country\n"
          "SO-1,GREEN,1,A,2,3,2026-11-23T12:00:00Z,Ann,1 Road,Town,12345,DE\n"
          "SO-1,GREEN,2,E,1,3,2026-11-23T12:00:00Z,Ann,1 Road,Town,12345,DE\n"
          "SO-2,GREEN,1,A,3,3,2026-11-23T10:00:00Z,Bo,2 Road,Town,12345,DE\n"
          "SO-3,GREEN,1,E,2,1,2026-11-23T12:00:00Z,Cy,3 Road,Town,12345,DE\n"))


class PickAndSort(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = Wmsd(WMSD, WMSCTL, setup=setup, tmp=TMP)

    @classmethod
    def tearDownClass(cls):
        rc = cls.w.stop()
        assert rc == 0, "wmsd exit %r\n%s" % (rc, cls.w.log_text())

    def login(self, device, user):
        c = self.w.client(device)
        self.assertEqual(c.login(user, "1234")["user"], user)
        return c

    def test_sort_station(self):
        w = self.w
        sub = self.login("SUB-1", "sue")
        sub.call("events.subscribe", {"topics": ["sort.complete"]})
        sup = self.login("SUP-1", "sue")
        rel = sup.call("wave.release", {"txn": "w1", "method": "sort"})
        self.assertEqual((rel["method"], rel["orders"], rel["tasks"]), ("sort", 3, 2))

        pia = self.login("RF-1", "pia")
        t = pia.call("task.next")["task"]
        self.assertTrue(t["bulk"])
        self.assertIsNone(t["order"])
        self.assertEqual((t["bin"], t["sku"], t["qty"], t["orders"]), ("P1", "A", 5, 2))
        r = pia.call("pick.confirm", {"txn": "p1", "task": t["id"], "bin": "P1", "code": EAN_A,
                                      "qty": 5, "tote": "BULK-7"})
        self.assertEqual((r["picked"], r["status"], r["orders"], r["tote"]),
                         (5, "done", 2, "BULK-7"))
        t = r["next"]
        self.assertEqual((t["bin"], t["sku"], t["qty"], t["orders"]), ("P3", "E", 3, 2))
        r = pia.call("pick.confirm", {"txn": "p2", "task": t["id"], "bin": "P3", "code": "EGG-1",
                                      "qty": 3, "tote": "BULK-7"})
        self.assertIsNone(r["next"])

        st = self.login("ST-1", "lou")
        wall = st.call("sort.open", {"txn": "s1", "wall": "W1"})
        self.assertEqual([s["order"] for s in wall["slot"]], ["SO-2", "SO-3", "SO-1"])
        self.assertEqual(st.call("sort.open", {"txn": "s1", "wall": "W1"}), wall)  # replay
        self.assertEqual(st.error_of("sort.open", {"txn": "s0", "wall": "W9"}), "NOT_FOUND")

        h = st.call("sort.scan", {"wall": "W1", "code": EAN_A})
        self.assertEqual((h["slot"], h["order"], h["need"]), ("W1-A", "SO-2", 3))
        self.assertEqual(st.error_of("sort.confirm", {"txn": "s2", "wall": "W1", "code": EAN_A,
                                                      "slot": "W1-C"}), "WRONG_SLOT")
        self.assertEqual(st.error_of("sort.confirm", {"txn": "s3", "wall": "W1", "code": EAN_A,
                                                      "slot": "W1-A", "qty": 4}),
                         "QTY_ABOVE_TASK")
        c = st.call("sort.confirm", {"txn": "s4", "wall": "W1", "code": EAN_A, "slot": "W1-A",
                                     "qty": 3})
        self.assertEqual((c["sorted"], c["slot_units"], c["left"], c["complete"]),
                         (3, 3, 0, True))
        # the same txn again: the same answer, nothing moved twice
        self.assertEqual(st.call("sort.confirm", {"txn": "s4", "wall": "W1", "code": EAN_A,
                                                  "slot": "W1-A", "qty": 3}), c)
        self.assertEqual(w.sql("SELECT count(*) FROM picks WHERE to_sort = 0 AND tote_id = "
                               "(SELECT id FROM totes WHERE code = 'W1-A')")[0][0], 1)
        # E: SO-3 before SO-1 (same cut-off, priority 1)
        h = st.call("sort.scan", {"wall": "W1", "code": "EGG-1"})
        self.assertEqual((h["slot"], h["need"]), ("W1-B", 2))
        st.call("sort.confirm", {"txn": "s5", "wall": "W1", "code": "EGG-1", "slot": "W1-B",
                                 "qty": 2})
        for n, (code, slot) in enumerate(((EAN_A, "W1-C"), (EAN_A, "W1-C"), ("EGG-1", "W1-C"))):
            c = st.call("sort.confirm", {"txn": "s6-%d" % n, "wall": "W1", "code": code,
                                         "slot": slot})
        self.assertTrue(c["complete"])
        self.assertEqual(st.error_of("sort.scan", {"wall": "W1", "code": EAN_A}), "NOT_NEEDED")
        status = st.call("sort.status", {"wall": "W1"})
        self.assertEqual((status["used"], status["complete"]), (3, 3))

        # packing takes a complete slot like a tote
        pk = self.login("PK-1", "pia")
        po = pk.call("pack.open", {"txn": "k1", "tote": "W1-A"})
        self.assertEqual((po["order"], po["units"]), ("SO-2", 3))

        got = []
        deadline = time.time() + 5
        while time.time() < deadline and len(got) < 3:
            m = sub.recv_msg()
            if m is not None and m[0] == 2 and m[1] == "event":
                got.append(m[2][0])
        self.assertEqual(sorted(e["order"] for e in got), ["SO-1", "SO-2", "SO-3"])
        self.assertTrue(all(e["kind"] == "sort.complete" for e in got))

        d = json.loads(w.ctl("putwall", "W1", "--json").stdout)
        self.assertEqual((d["slots"], d["complete"]), (3, 3))
        for cl in (sub, sup, pia, st, pk):
            cl.close()


if __name__ == "__main__":
    unittest.main()
