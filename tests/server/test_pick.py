"""Pick, pack and ship over the wire: wave.release, task.next, totes,
pick.confirm (mismatch codes, exactly-once replay), pick.short with its
event, pack verification, SSCC labels, ship.confirm, the order's status
history and live events.  Run by ctest with /usr/bin/python3."""
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
PREFIX = "4006381"


def gs1_check(digits):
    """GS1 mod-10 check digit of a digit string."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        total += int(d) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def setup(w):
    standard_setup(w)
    w.ctl("import", "stock", w.write("stock.csv",
          "bin,sku,lot,expiry,qty\nP1,A,L1,2027-06-30,40\nP2,B,,,10\nP3,E,,,3\n"
          "R2,E,,,2\n"))
    w.ctl("sscc", "prefix", PREFIX)
    w.ctl("label", "B")  # B has no manufacturer code: print an internal label
    w.ctl("import", "boxes", w.write("boxes.csv",
          "code,length_mm,width_mm,height_mm,max_weight_g,tare_g\nBOX-M,400,300,200,20000,300\n"))
    w.ctl("import", "orders", w.write("orders.csv",
          "order,customer,line,sku,qty,ship_name,ship_street,ship_city,ship_postcode,"
          "ship_country\n"
          "SO-1,GREEN,1,A,5,Ann Lee,1 Road,Town,12345,DE\n"
          "SO-1,GREEN,2,B,2,Ann Lee,1 Road,Town,12345,DE\n"
          "SO-2,GREEN,1,E,4,Bo Li,2 Road,Town,12345,DE\n"))


class PickPackShip(unittest.TestCase):
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

    def test_whole_flow(self):
        w = self.w
        sub = self.login("SUB-1", "sue")
        sub.call("events.subscribe", {"topics": ["order.status", "pick.short"]})
        sup = self.login("SUP-1", "sue")
        # a picker may not release waves
        pia = self.login("RF-1", "pia")
        self.assertEqual(pia.error_of("wave.release", {"txn": "w0"}), "FORBIDDEN")
        rel = sup.call("wave.release", {"txn": "w1", "method": "batch", "totes": 4})
        self.assertEqual(rel["orders"], 2)
        self.assertGreaterEqual(rel["tasks"], 3)
        # replaying the txn answers the same, releases nothing new
        self.assertEqual(sup.call("wave.release", {"txn": "w1", "method": "batch"}), rel)
        self.assertEqual(w.sql("SELECT count(*) FROM waves")[0][0], 1)

        t = pia.call("task.next")["task"]
        self.assertEqual(t["kind"], "pick")
        self.assertEqual(pia.call("task.next")["task"]["id"], t["id"])  # same task again
        lou = self.login("RF-2", "lou")
        self.assertIsNone(lou.call("task.next")["task"])  # the one tour is pia's
        self.assertEqual(lou.error_of("pick.confirm", {"txn": "l1", "task": t["id"],
                                                       "bin": t["bin"], "code": EAN_A}),
                         "TASK_NOT_YOURS")
        # assign physical totes to both slots of the cart
        slots = sorted({r[0] for r in w.sql("SELECT DISTINCT tote FROM tasks WHERE kind='pick'")})
        self.assertEqual(len(slots), 2)
        totes = {}
        for k, slot in enumerate(slots):
            r = pia.call("tote.assign", {"txn": "ta%d" % k, "tote": slot,
                                         "code": "TOTE-%d" % k})
            totes[r["order"]] = "TOTE-%d" % k
        seen_short = False
        done = 0
        while t is not None:
            code = {"A": EAN_A, "B": "B", "E": "EGG-1"}[t["sku"]]
            tote = totes[t["order"]]
            if t["sku"] == "B":
                # B has no barcode: its SKU is not a code either
                self.assertEqual(pia.error_of("pick.confirm", {
                    "txn": "bad-b", "task": t["id"], "bin": t["bin"], "code": code}),
                    "UNKNOWN_CODE")
                # B is picked by its printed internal label
                code = w.sql("SELECT code FROM barcodes b JOIN items i ON i.id=b.item_id "
                             "WHERE i.sku='B'")[0][0]
            wrong_bin = "P3" if t["bin"] != "P3" else "P1"
            self.assertEqual(pia.error_of("pick.confirm", {
                "txn": "wb%d" % done, "task": t["id"], "bin": wrong_bin, "code": code,
                "tote": tote}), "WRONG_BIN")
            self.assertEqual(pia.error_of("pick.confirm", {
                "txn": "wi%d" % done, "task": t["id"], "bin": t["bin"], "code": "CAN-42",
                "tote": tote}), "WRONG_ITEM")
            other = [v for v in totes.values() if v != tote][0]
            self.assertEqual(pia.error_of("pick.confirm", {
                "txn": "wt%d" % done, "task": t["id"], "bin": t["bin"], "code": code,
                "tote": other}), "WRONG_TOTE")
            if t["sku"] == "E" and not seen_short:
                # 3 of the 4 E were allocated in P3 (1 in R2); only 2 are
                # there: short, the missing one re-allocated from R2
                self.assertEqual((t["bin"], t["qty"]), ("P3", 3))
                r = pia.call("pick.short", {"txn": "sh1", "task": t["id"], "qty_found": 2,
                                            "reason": "only 2", "tote": tote})
                self.assertEqual((r["found"], r["missing"], r["reallocated"], r["short"]),
                                 (2, 1, 1, 0))
                self.assertGreater(r["count"], 0)
                seen_short = True
                t = r["next"]
                continue
            args = {"txn": "pk%d" % done, "task": t["id"], "bin": t["bin"], "code": code,
                    "qty": t["qty"], "tote": tote}
            if t["sku"] == "A":
                self.assertEqual(pia.error_of("pick.confirm", dict(args, txn="case",
                                                                   code="14006381333938",
                                                                   qty=1)),
                                 "QTY_ABOVE_TASK")
            r = pia.call("pick.confirm", args)
            self.assertEqual(r["left"], 0)
            # the same txn again: the stored outcome, nothing booked twice
            self.assertEqual(pia.call("pick.confirm", args), r)
            done += 1
            t = r["next"]
        self.assertTrue(seen_short)
        self.assertEqual(w.sql("SELECT group_concat(status) FROM (SELECT status FROM orders "
                               "ORDER BY ref)")[0][0], "picked,picked")
        self.assertEqual(w.sql("SELECT coalesce(sum(qty),0) FROM stock s JOIN bins b ON "
                               "b.id=s.bin_id WHERE b.code='OUTBOUND'")[0][0], 11)

        # ---- pack SO-1 from its tote: wrong/extra items refused, missing listed
        pk = self.login("PACK-1", "pia")
        op = pk.call("pack.open", {"txn": "po1", "tote": totes["SO-1"]})
        self.assertEqual(op["order"], "SO-1")
        self.assertEqual(op["box"], "BOX-M")  # the cartonization proposal
        self.assertEqual(sorted((e["sku"], e["qty"]) for e in op["expected"]),
                         [("A", 5), ("B", 2)])
        carton = op["carton"]
        self.assertEqual(pk.error_of("pack.scan", {"txn": "ps0", "carton": carton,
                                                   "code": "EGG-1"}), "NOT_IN_TOTE")
        r = pk.call("pack.scan", {"txn": "ps1", "carton": carton, "code": EAN_A, "qty": 5})
        self.assertEqual(r["packed"], 5)
        self.assertEqual(pk.error_of("pack.scan", {"txn": "ps2", "carton": carton,
                                                   "code": EAN_A}), "NOT_IN_TOTE")
        cl = pk.call("pack.close", {"txn": "pc1", "carton": carton, "weight_g": 5200})
        self.assertEqual(cl["missing"], [{"sku": "B", "lot": "", "qty": 2}])
        sscc1 = cl["sscc"]
        self.assertEqual(len(sscc1), 18)
        self.assertTrue(sscc1.startswith("0" + PREFIX))
        self.assertEqual(sscc1[-1], gs1_check(sscc1[:17]))
        self.assertIn("^XA", cl["zpl"])
        self.assertIn(sscc1[:1], cl["zpl"])
        self.assertEqual(cl["order_status"], "picked")
        self.assertEqual(pk.error_of("pack.scan", {"txn": "ps3", "carton": carton,
                                                   "code": EAN_A}), "CLOSED")
        # a second carton for the rest
        op2 = pk.call("pack.open", {"txn": "po2", "tote": totes["SO-1"]})
        bcode = w.sql("SELECT code FROM barcodes b JOIN items i ON i.id=b.item_id "
                      "WHERE i.sku='B'")[0][0]
        pk.call("pack.scan", {"txn": "ps4", "carton": op2["carton"], "code": bcode, "qty": 2})
        cl2 = pk.call("pack.close", {"txn": "pc2", "carton": op2["carton"], "box": "BAG-1"})
        self.assertEqual(cl2["missing"], [])
        self.assertEqual(cl2["order_status"], "packed")
        self.assertNotEqual(cl2["sscc"], sscc1)
        self.assertEqual(int(cl2["sscc"][8:17]), int(sscc1[8:17]) + 1)
        # no box named: the proposal is recorded; a named one is an override
        self.assertEqual(w.sql("SELECT group_concat(box || '/' || box_proposed) FROM (SELECT "
                               "box, box_proposed FROM cartons ORDER BY id)")[0][0],
                         "BOX-M/BOX-M,BAG-1/BOX-M")
        # the tote is free again
        self.assertEqual(w.sql("SELECT status FROM totes WHERE code=?", totes["SO-1"])[0][0],
                         "packed")

        # ---- ship: a carton by its scanned label, then the rest by order
        s1 = pk.call("ship.confirm", {"txn": "sp1", "sscc": "00" + sscc1})
        self.assertEqual((s1["cartons"], s1["units"], s1["order_status"]), (1, 5, "packed"))
        self.assertEqual(pk.error_of("ship.confirm", {"txn": "sp2", "sscc": sscc1}), "CONFLICT")
        s2 = pk.call("ship.confirm", {"txn": "sp3", "order": "SO-1"})
        self.assertEqual((s2["cartons"], s2["units"], s2["order_status"]), (1, 2, "shipped"))
        st = sup.call("order.status", {"order": "SO-1"})
        hist = [h["status"] for h in st["history"] if h["kind"] == "order.status"]
        self.assertEqual(hist, ["received", "released", "allocated", "picking", "picked",
                                "packed", "shipped"])
        self.assertTrue(all(h["user"] for h in st["history"]))
        w.ctl("verify")
        self.assertEqual(w.sql("SELECT coalesce(sum(qty),0) FROM stock s JOIN bins b ON "
                               "b.id=s.bin_id WHERE b.code='OUTBOUND'")[0][0], 4)
        # the label again, with a preview rendered by libzint
        png = os.path.join(w.dir, "label.png")
        w.ctl("carton", "label", sscc1, "--png", png)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

        # ---- the subscriber saw the statuses and the short, in order
        got = []
        deadline = time.time() + 5
        while time.time() < deadline and not any(
                e.get("status") == "shipped" for e in got):
            m = sub.recv_msg()
            if m is not None and m[0] == 2 and m[1] == "event":
                got.append(m[2][0])
        kinds = {e["kind"] for e in got}
        self.assertEqual(kinds, {"order.status", "pick.short"})
        so1 = [e["status"] for e in got if e["order"] == "SO-1" and e["kind"] == "order.status"]
        self.assertEqual(so1, ["allocated", "picking", "picked", "packed", "shipped"])
        self.assertEqual([e["id"] for e in got], sorted(e["id"] for e in got))
        for c in (sub, sup, pia, lou, pk):
            c.close()
        self.returns(sscc1, cl2["sscc"])

    def returns(self, sscc1, sscc2):
        """SO-1 shipped 5 A (lot L1, carton 1) and 2 B (carton 2)."""
        w = self.w
        rob = self.login("RET-1", "rob")
        sue = self.login("RET-2", "sue")
        # never shipped / cancelled orders cannot be returned against
        self.assertEqual(rob.error_of("return.open", {"txn": "r0", "order": "SO-2"}), "CONFLICT")
        self.assertEqual(rob.error_of("return.open", {"txn": "r0b", "order": "NOPE"}),
                         "NOT_FOUND")
        r = rob.call("return.open", {"txn": "r1", "sscc": sscc1})
        self.assertEqual((r["order"], r["kind"]), ("SO-1", "order"))
        self.assertEqual(sorted((i["sku"], i["shipped"]) for i in r["shipped"]),
                         [("A", 5), ("B", 2)])
        ret = r["return"]
        self.assertEqual(rob.error_of("return.scan", {"txn": "r2", "return": ret,
                                                      "code": "EGG-1"}), "NOT_ON_ORDER")
        self.assertEqual(rob.error_of("return.scan", {"txn": "r3", "return": ret,
                                                      "code": "14006381333938"}),
                         "RETURN_EXCEEDS_SHIPPED")
        self.assertEqual(rob.error_of("return.scan", {"txn": "r3b", "return": ret,
                                                      "code": EAN_A, "qty": 0}), "BAD_QTY")
        good = rob.call("return.scan", {"txn": "r4", "return": ret,
                                        "code": "(01)04006381333931(10)L1(17)270630", "qty": 2})
        self.assertEqual((good["sku"], good["qty"], good["lot"]), ("A", 2, "L1"))
        old = rob.call("return.scan", {"txn": "r5", "return": ret,
                                       "code": "(01)04006381333931(10)L0(17)261120"})
        bad = rob.call("return.scan", {"txn": "r6", "return": ret, "code": EAN_A})
        # 4 of 5 are back now: 2 more would exceed
        self.assertEqual(rob.error_of("return.scan", {"txn": "r7", "return": ret,
                                                      "code": EAN_A, "qty": 2}),
                         "RETURN_EXCEEDS_SHIPPED")
        self.assertEqual(rob.error_of("return.close", {"txn": "r8", "return": ret}), "CONFLICT")
        g1 = rob.call("return.grade", {"txn": "g1", "line": good["line"], "grade": "resaleable",
                                       "bin": "P1"})
        self.assertEqual((g1["bin"], g1["status"]), ("P1", "available"))
        self.assertEqual(rob.error_of("return.grade", {"txn": "g1b", "line": good["line"],
                                                       "grade": "damaged"}), "CONFLICT")
        g2 = rob.call("return.grade", {"txn": "g2", "line": old["line"], "grade": "resaleable",
                                       "bin": "P1"})
        self.assertEqual((g2["bin"], g2["status"]), ("Q1", "quarantine"))
        self.assertIn("expired", g2["reason"])
        self.assertEqual(rob.error_of("return.grade", {"txn": "g3", "line": bad["line"],
                                                       "grade": "scrap"}), "BAD_ARGS")
        g3 = rob.call("return.grade", {"txn": "g4", "line": bad["line"], "grade": "scrap",
                                       "reason": "crushed"})
        self.assertEqual(g3["status"], "scrapped")
        cl = rob.call("return.close", {"txn": "r9", "return": ret})
        self.assertEqual(cl["result"], "partially_returned")
        self.assertEqual(rob.error_of("return.scan", {"txn": "r10", "return": ret,
                                                      "code": EAN_A}), "CLOSED")
        hist = sue.call("order.status", {"order": "SO-1"})["history"]
        last = [h for h in hist if h["kind"] == "order.return"]
        self.assertEqual(last[-1]["status"], "partially_returned")
        self.assertIn("2 x A (resaleable)", last[-1]["detail"])
        # an unknown return, matched by a supervisor, closes the order's return
        u = rob.call("return.open", {"txn": "u1", "unknown": True, "reference": "PARCEL-9"})
        self.assertEqual(u["kind"], "unknown")
        rob.call("return.scan", {"txn": "u2", "return": u["return"], "code": EAN_A})
        lb = w.sql("SELECT code FROM barcodes b JOIN items i ON i.id=b.item_id "
                   "WHERE i.sku='B'")[0][0]
        ul = rob.call("return.scan", {"txn": "u3", "return": u["return"], "code": lb,
                                      "qty": 3})
        self.assertEqual(rob.error_of("return.match", {"txn": "u4", "return": u["return"],
                                                       "order": "SO-1"}), "FORBIDDEN")
        self.assertEqual(sue.error_of("return.match", {"txn": "u5", "return": u["return"],
                                                       "order": "SO-1"}),
                         "RETURN_EXCEEDS_SHIPPED")  # 3 B, only 2 shipped
        # write it off instead: its lines are scrapped and journaled
        sue.call("return.match", {"txn": "u6", "return": u["return"], "write_off": True,
                                  "reason": "no order"})
        shown = w.ctl("return", "show", str(u["return"]), "--json").stdout
        self.assertIn('"status":"written_off"', shown)
        self.assertIn('"status":"scrapped"', shown)
        del ul
        listing = w.ctl("return", "list").stdout
        self.assertEqual(len(listing.strip().splitlines()), 2)
        w.ctl("verify")
        self.assertEqual(w.sql("SELECT count(*) FROM journal WHERE kind='scrap'")[0][0], 3)
        rob.close()
        sue.close()


if __name__ == "__main__":
    unittest.main()
