"""The scanner self-test over the wire: scanner.selftest diagnoses a
keyboard-wedge scanner that types '|' for the GS1 separator, the session
then accepts GS1 codes with '|' (and only that session), every test is
recorded per device, and a supervisor sees the failed devices through
device.list and `wmsctl device list --failed`.  Also the test label
(`wmsctl label selftest`) and `wmsctl device check`.  Run by ctest with
/usr/bin/python3 (env WMSD, WMSCTL, WMS_TMP)."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from wmsclient import RpcError, Wmsd, standard_setup  # noqa: E402

WMSD = os.environ.get("WMSD")
WMSCTL = os.environ.get("WMSCTL")
TMP = os.environ.get("WMS_TMP")
if TMP:
    os.makedirs(TMP, exist_ok=True)

# What the self-test label holds, as a well set-up scanner sends it.
BODY = "0109506000134352" "10Yz-4ab{gs}" "21W8kq5{gs}" "17301231"
EXACT = "]C1" + BODY.format(gs="\x1d")
# A cheap keyboard wedge: no AIM prefix, '|' for GS, Enter after the data.
WEDGE = BODY.format(gs="|") + "\r"
# Item A's case GTIN with a lot (variable length, so a separator follows) and
# an expiry, as that wedge types it.
A_LOT_PIPE = "0114006381333938" "10LOT7|" "17270630"
A_LOT_GS = "]C10114006381333938" "10LOT7\x1d" "17270630"


def codes(result):
    return [q["code"] for q in result["quirks"]]


class SelfTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.w = Wmsd(WMSD, WMSCTL, setup=standard_setup, tmp=TMP)

    @classmethod
    def tearDownClass(cls):
        rc = cls.w.stop()
        log = cls.w.log_text()
        assert rc == 0, "wmsd exit %r\n%s" % (rc, log)
        for bad in ("AddressSanitizer", "runtime error", "LeakSanitizer"):
            assert bad not in log, log[-3000:]

    def login(self, device, user):
        c = self.w.client(device)
        self.assertEqual(c.login(user, "1234")["user"], user)
        return c

    def test_a_pipe_substitute_is_found_and_accepted(self):
        c = self.login("RF-WEDGE", "pia")
        # Before the self-test the session cannot read the wedge's GS1 codes
        # (not GS1 data, so looked up as a plain code: unknown).
        with self.assertRaises(RpcError) as e:
            c.call("scan.resolve", {"code": A_LOT_PIPE})
        self.assertIn(e.exception.code, ("BAD_BARCODE", "UNKNOWN_CODE"))
        r = c.call("scanner.selftest", {"scan": WEDGE})
        self.assertEqual(codes(r), ["NO_AIM", "GS_REPLACED", "SUFFIX"])
        self.assertFalse(r["ok"])
        self.assertTrue(r["usable"])
        self.assertEqual(r["gs_sub"], "|")
        q = {x["code"]: x for x in r["quirks"]}
        self.assertIn("'|' instead of the GS1 separator", q["GS_REPLACED"]["message"])
        self.assertIn("This session now accepts '|'", q["GS_REPLACED"]["message"])
        self.assertIn("ASCII 29", q["GS_REPLACED"]["setting"])
        self.assertIn("AIM", q["NO_AIM"]["setting"])
        self.assertEqual(q["SUFFIX"]["setting"], "Disable the Enter (CR) suffix.")
        # Now the same code parses on this session: lot and expiry are right.
        res = c.call("scan.resolve", {"code": A_LOT_PIPE})
        self.assertEqual((res["kind"], res["qty"]), ("item", 24))
        self.assertEqual(res["items"][0]["sku"], "A")
        self.assertEqual((res["lot"], res["expiry"]), ("LOT7", "2027-06-30"))
        # GS codes still work too.
        self.assertEqual(c.call("scan.resolve", {"code": A_LOT_GS})["lot"], "LOT7")
        # Another session (same user, another handheld) did not run the test.
        other = self.login("RF-OTHER", "pia")
        self.assertIn(other.error_of("scan.resolve", {"code": A_LOT_PIPE}),
                      ("BAD_BARCODE", "UNKNOWN_CODE"))
        other.close()
        # Recorded with device, user, quirks and the substitute.
        rows = self.w.sql("SELECT device, user, ok, usable, quirks, gs_sub, detail "
                          "FROM scanner_selftests WHERE device = 'RF-WEDGE'")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][:6], ("RF-WEDGE", "pia", 0, 1, "NO_AIM,GS_REPLACED,SUFFIX", "|"))
        self.assertIn("GS_REPLACED: The scanner sends '|'", rows[0][6])
        c.close()

    def test_b_quirks_over_the_wire(self):
        c = self.login("RF-QUIRKS", "rob")
        r = c.call("scanner.selftest", {"scan": EXACT})
        self.assertEqual((r["ok"], r["usable"], r["quirks"], r["gs_sub"]), (True, True, [], None))
        r = c.call("scanner.selftest", {"scan": "]C1" + BODY.format(gs="")})
        self.assertEqual(codes(r), ["GS_MISSING"])
        self.assertEqual((r["ok"], r["usable"], r["gs_sub"]), (False, False, None))
        r = c.call("scanner.selftest", {"scan": "]c1" + BODY.format(gs="\x1d").swapcase()})
        self.assertEqual(codes(r), ["CASE_CHANGED"])
        self.assertIn("Caps Lock", r["quirks"][0]["setting"])
        r = c.call("scanner.selftest", {"scan": "]C1" + BODY.format(gs="-")})
        self.assertEqual((codes(r), r["gs_sub"]), (["GS_REPLACED"], None))
        # The session took no substitute ('-' can be part of a lot).
        self.assertIn(c.error_of("scan.resolve", {"code": A_LOT_PIPE}),
                      ("BAD_BARCODE", "UNKNOWN_CODE"))
        r = c.call("scanner.selftest", {"scan": "4006381333931"})
        self.assertEqual(codes(r), ["WRONG_LABEL"])
        for bad in ("", "a\x00b", "x" * 600):
            self.assertEqual(c.error_of("scanner.selftest", {"scan": bad}), "BAD_ARGS")
        self.assertEqual(c.error_of("scanner.selftest", {}), "BAD_ARGS")
        self.assertEqual(self.w.sql("SELECT count(*) FROM scanner_selftests "
                                    "WHERE device = 'RF-QUIRKS'")[0][0], 5)
        c.close()

    def test_c_login_is_needed(self):
        c = self.w.client("RF-ANON")
        self.assertEqual(c.error_of("scanner.selftest", {"scan": EXACT}), "NOT_LOGGED_IN")
        c.close()
        self.assertEqual(self.w.sql("SELECT count(*) FROM scanner_selftests "
                                    "WHERE device = 'RF-ANON'")[0][0], 0)

    def test_d_supervisor_sees_failed_devices(self):
        good = self.login("RF-GOOD", "pia")
        self.assertTrue(good.call("scanner.selftest", {"scan": EXACT})["ok"])
        bad = self.login("RF-BAD", "lou")
        r = bad.call("scanner.selftest", {"scan": "]C1" + BODY.format(gs="")})
        self.assertFalse(r["usable"])
        # A picker may not list devices.
        self.assertEqual(bad.error_of("device.list", {}), "FORBIDDEN")
        sue = self.login("SUP-1", "sue")
        failed = sue.call("device.list", {"failed": True})
        names = [d["device"] for d in failed["devices"]]
        self.assertIn("RF-BAD", names)
        self.assertIn("RF-WEDGE", names)
        self.assertNotIn("RF-GOOD", names)
        self.assertEqual(names, sorted(names))
        self.assertFalse(failed["more"])
        d = {x["device"]: x for x in failed["devices"]}
        self.assertEqual((d["RF-BAD"]["user"], d["RF-BAD"]["ok"], d["RF-BAD"]["usable"]),
                         ("lou", False, False))
        self.assertEqual(d["RF-BAD"]["quirks"], ["GS_MISSING"])
        self.assertIn("GS_MISSING: ", d["RF-BAD"]["detail"])
        self.assertIsNone(d["RF-BAD"]["last_ok"])
        self.assertEqual(d["RF-WEDGE"]["gs_sub"], "|")
        every = sue.call("device.list")
        self.assertIn("RF-GOOD", [x["device"] for x in every["devices"]])
        g = {x["device"]: x for x in every["devices"]}["RF-GOOD"]
        self.assertEqual((g["ok"], g["quirks"], g["gs_sub"], g["tests"]), (True, [], None, 1))
        self.assertTrue(g["last_ok"])
        limited = sue.call("device.list", {"limit": 1})
        self.assertEqual((len(limited["devices"]), limited["more"]), (1, True))
        # The command line shows the same.
        out = self.w.ctl("device", "list", "--failed").stdout
        self.assertIn("RF-BAD", out)
        self.assertIn("GS_MISSING", out)
        self.assertIn("FAILED", out)
        self.assertIn("RF-WEDGE", out)
        self.assertNotIn("RF-GOOD", out)
        js = json.loads(self.w.ctl("device", "list", "--failed", "--json").stdout)
        self.assertEqual([x["device"] for x in js["devices"]], names)
        self.assertEqual({x["device"]: x["gs_sub"] for x in js["devices"]}["RF-WEDGE"], "|")
        # A device that passes its next test is no longer listed as failed.
        bad.call("scanner.selftest", {"scan": EXACT})
        names = [x["device"] for x in sue.call("device.list", {"failed": True})["devices"]]
        self.assertNotIn("RF-BAD", names)
        self.assertNotIn("RF-BAD", self.w.ctl("device", "list", "--failed").stdout)
        for c in (good, bad, sue):
            c.close()

    def test_e_history_is_capped(self):
        c = self.login("RF-MANY", "pia")
        for i in range(25):
            c.call("scanner.selftest", {"scan": EXACT if i % 2 else WEDGE})
        n, last_ok = self.w.sql("SELECT count(*), max(id) FROM scanner_selftests "
                                "WHERE device = 'RF-MANY'")[0]
        self.assertEqual(n, 20)
        # The newest test is kept (i = 24: the wedge's).
        newest = self.w.sql("SELECT quirks FROM scanner_selftests WHERE id = ?", last_ok)[0][0]
        self.assertEqual(newest, "NO_AIM,GS_REPLACED,SUFFIX")
        c.close()

    def test_f_label_and_check_commands(self):
        png = os.path.join(self.w.dir, "selftest.png")
        svg = os.path.join(self.w.dir, "selftest.svg")
        r = self.w.ctl("label", "selftest", "--png", png, "--svg", svg)
        zpl = r.stdout
        self.assertTrue(zpl.startswith("^XA"))
        self.assertIn("SCANNER SELF-TEST", zpl)
        # GS1-128: start C + FNC1, then FNC1 (>8) after the lot and the serial.
        bc = [line for line in zpl.splitlines() if "^BC" in line][0]
        self.assertIn(">;>8", bc)
        self.assertEqual(bc.count(">8"), 3)
        self.assertIn("(01)09506000134352(10)Yz-4ab(21)W8kq5(17)301231", zpl)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        with open(svg) as f:
            self.assertIn("<svg", f.read())
        ok = self.w.ctl("device", "check", EXACT, check=False)
        self.assertEqual(ok.returncode, 0)
        self.assertIn("self-test ok", ok.stdout)
        r = self.w.ctl("device", "check", WEDGE, "--json", check=False)
        self.assertEqual(r.returncode, 1)
        js = json.loads(r.stdout)
        self.assertEqual(([q["code"] for q in js["quirks"]], js["gs_sub"], js["usable"]),
                         (["NO_AIM", "GS_REPLACED", "SUFFIX"], "|", True))


if __name__ == "__main__":
    unittest.main(verbosity=2)
