"""Crash safety.  wmsd is SIGKILLed at random moments (seeded) while eight
scanners keep booking, and restarted on the same database and port; the
scanners reconnect and resend their unanswered call with the same txn.
Afterwards every acknowledged change is in the journal exactly once with
its acknowledged effect, nothing unacknowledged is half-applied, the stock
equals the scanners' ledgers and `wmsctl verify` passes.  A `wmsctl import`
SIGKILLed partway leaves none or all of its rows.

Killing a wave release partway: test_crash_wave.py.

Run by ctest with /usr/bin/python3 (env WMSD, WMSCTL, WMS_TMP);
WMS_CRASH_SEED picks another kill schedule."""
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crashkit import (WMSCTL, Client, Device, Server, add_bins, big_stock_csv,  # noqa: E402
                      check_ledgers, demo_setup, sql)
from wmsclient import standard_setup  # noqa: E402

SEED = int(os.environ.get("WMS_CRASH_SEED", "20261123"))
DEVICES = 8


def crash_setup(w):
    standard_setup(w)
    add_bins(w, [b for d in range(1, DEVICES + 1) for b in ("CR%d-S" % d, "CR%d-T" % d)])


def write_locked(db):
    """True while another connection holds the database's write lock."""
    c = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        c.execute("BEGIN IMMEDIATE")
        c.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError as e:
        if "locked" not in str(e):
            raise
        return True
    finally:
        c.close()


class CrashTest(unittest.TestCase):
    def test_sigkill_under_load(self):
        rng = random.Random(SEED)
        w = Server(setup=crash_setup)
        stop, abort = threading.Event(), threading.Event()
        devs = [Device("CR-%d" % d, w, SEED * 100 + d, "CR%d-S" % d, "CR%d-T" % d, stop,
                       abandon=0.2, abort=abort) for d in range(1, DEVICES + 1)]
        for d in devs:
            d.start()
        kills = rng.randint(15, 25)
        ok = False
        try:
            for _ in range(kills):
                time.sleep(rng.uniform(0.2, 1.5))
                w.kill()
                time.sleep(rng.uniform(0.0, 0.15))  # down for a moment
                w.start()
                self.assertTrue(all(d.is_alive() for d in devs),
                                [repr(d.failure) for d in devs if d.failure])
            time.sleep(0.5)  # the last server sees everyone reconnect
            ok = True
        finally:
            if not ok:
                abort.set()
            stop.set()
            for d in devs:
                d.join(timeout=120)
        for d in devs:
            self.assertFalse(d.is_alive(), "%s did not finish" % d.dev)
            self.assertIsNone(d.failure, d.dev)
            self.assertEqual(d.errors, [], d.dev)
            self.assertEqual(d.stats["timeouts"], 0, "%s: a call hung 30 s" % d.dev)
            for t in d.resumes:  # hello's resume names a txn this scanner sent
                self.assertTrue(t is None or t in d.recs, (d.dev, t))
        total = {k: sum(d.stats[k] for d in devs) for k in devs[0].stats}
        acked_after_resend = sum(1 for d in devs for r in d.recs.values()
                                 if r.state == "acked" and r.sends > 1)
        # The kills really cut calls off, and resent txns were answered.
        self.assertEqual(w.starts, kills + 1)
        self.assertGreaterEqual(total["conn_errors"], kills)
        self.assertGreater(acked_after_resend, 0, total)
        self.assertGreater(total["abandoned"], 0, total)
        # (c) the journal and the stock table agree.
        r = w.ctl("verify", check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # (a), (b), (d), (e): see crashkit.check_ledgers.
        landed, lost = check_ledgers(self, w.db, devs, "CR-")
        self.assertEqual(landed + lost, total["abandoned"])
        calls = sum(len(d.recs) for d in devs)
        self.assertGreater(calls, 200, total)
        sys.stderr.write("\n%d kills, %d calls, %d acknowledged after a resend, %d abandoned "
                         "(%d had landed), %s\n" % (kills, calls, acked_after_resend,
                                                    total["abandoned"], landed, total))
        self.assertEqual(w.stop(), 0, w.log_text()[-3000:])
        self.assertEqual(w.ctl("verify", check=False).returncode, 0)
        w.remove()

    def test_sigkill_during_import(self):
        w = Server(setup=demo_setup)
        rows = 50000
        path, qty = big_stock_csv(w, rows, SEED)

        def imported():
            j = sql(w.db, "SELECT count(*), coalesce(sum(qty), 0) FROM journal "
                          "WHERE kind = 'import' AND lot LIKE 'K%'")[0]
            s = sql(w.db, "SELECT count(*), coalesce(sum(qty), 0) FROM stock "
                          "WHERE lot LIKE 'K%'")[0]
            return j, s

        none, every = (0, 0), (rows, qty)
        c = Client(w.port, timeout=30)
        c.hello("IMP-1")
        c.login("rob", "1234")
        bin_code = sql(w.db, "SELECT code FROM bins WHERE type = 'reserve' AND blocked = 0 "
                             "ORDER BY code LIMIT 1")[0][0]
        unit_code = "IMP-UNIT"
        rng = random.Random(SEED + 1)
        # Kills well inside the import (about 2 s plain, 5 s under ASan).
        delays = [0.3, rng.uniform(0.3, 0.8)]
        cut_midway, log = 0, []
        for n, delay in enumerate(delays):
            p = subprocess.Popen([WMSCTL, "--db", w.db, "import", "stock", path],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            # Wait until the import's transaction holds the write lock
            # (three looks in a row, so not one of wmsd's short commits).
            seen, deadline = 0, time.time() + 60
            while seen < 3 and p.poll() is None and time.time() < deadline:
                seen = seen + 1 if write_locked(w.db) else 0
                time.sleep(0.03)
            running = p.poll() is None
            if running:
                # wmsd answers reads meanwhile; a write waits for the lock.
                t = time.time()
                self.assertEqual(c.call("scan.resolve", {"code": bin_code})["kind"], "bin")
                self.assertLess(time.time() - t, 2.0)
                txn = "imp-w%d" % n
                args = {"txn": txn, "code": unit_code, "bin": bin_code}
                mid, data = c.request_bytes("receive.scan", args)
                c.send_raw(data)
                time.sleep(delay)
                running = p.poll() is None
                p.kill()
            out, err = p.communicate()
            got = imported()
            # Nothing half-applied: none of the file's rows, or all of them.
            self.assertIn(got[0], (none, every), "round %d: journal %r" % (n, got))
            self.assertEqual(got[1], got[0], "round %d: stock %r" % (n, got))
            r = w.ctl("verify", check=False)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            if seen >= 3:
                # The killed import's lock is gone: the waiting write lands,
                # exactly once (a BUSY answer is retried with the same txn).
                res = c.wait(mid)
                while res[2] is not None and res[2]["code"] == "BUSY":
                    res = c.call_full("receive.scan", args)
                self.assertIsNone(res[2], res)
                self.assertEqual(sql(w.db, "SELECT count(*) FROM journal WHERE txn = ?", txn),
                                 [(1,)])
            if running and got[0] == none:
                cut_midway += 1
            log.append("round %d: %s after %.2f s, %s" % (
                n, "killed" if running else "finished", delay,
                "none" if got[0] == none else "all"))
            if got[0] == every:
                break  # completed before the kill: later rounds would change nothing
        sys.stderr.write("\n" + "; ".join(log) + "\n")
        self.assertGreater(cut_midway, 0, "no kill landed inside the import's transaction")
        # The whole file imports afterwards.  (No verify of that state here:
        # wms_stock_verify is quadratic in the number of quants for now, about
        # a minute for 50000; verify ran after every kill above.)
        w.ctl("import", "stock", path)
        self.assertEqual(imported(), (every, every))
        self.assertTrue(c.call("ping")["pong"])
        c.close()
        self.assertEqual(w.stop(), 0, w.log_text()[-3000:])
        w.remove()


if __name__ == "__main__":
    warnings.simplefilter("ignore", ResourceWarning)
    unittest.main(verbosity=2)
