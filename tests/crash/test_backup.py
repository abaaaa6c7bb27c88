"""`wmsctl backup FILE` while wmsd serves scanners that keep booking, then
`wmsctl restore`: the backup is a consistent snapshot (journal, stock and
stored txn outcomes from one moment), holds everything acknowledged before
it started, passes verify, and a wmsd started on the restored database
answers a resent txn from its stored outcome.

Run by ctest with /usr/bin/python3 (env WMSD, WMSCTL, WMS_TMP)."""
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crashkit import (WMSCTL, Client, Device, Server, add_bins,  # noqa: E402
                      check_ledgers, effect_problem, journal_by_txn, sql)
from wmsclient import standard_setup  # noqa: E402

DEVICES = 4


def backup_setup(w):
    standard_setup(w)
    add_bins(w, [b for d in range(1, DEVICES + 1) for b in ("BK%d-S" % d, "BK%d-T" % d)])
    # Bulk, so that the copy takes a while and scanners book during it: 24 MB
    # in a table of the test's own (the engine ignores tables it does not know).
    c = sqlite3.connect(w.db)
    c.execute("CREATE TABLE test_pad(b BLOB)")
    c.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) "
              "INSERT INTO test_pad SELECT randomblob(4000) FROM n")
    c.commit()
    c.close()


def ctl(db, *args):
    return subprocess.run([WMSCTL, "--db", db] + list(args), capture_output=True, text=True,
                          timeout=120)


class BackupTest(unittest.TestCase):
    def test_backup_while_serving_and_restore(self):
        w = Server(setup=backup_setup)
        stop = threading.Event()
        devs = [Device("BK-%d" % d, w, 7000 + d, "BK%d-S" % d, "BK%d-T" % d, stop)
                for d in range(1, DEVICES + 1)]
        for d in devs:
            d.start()
        try:
            time.sleep(1.0)
            out = os.path.join(w.dir, "backup.db")
            t0 = time.time()
            acked_before = {r.txn for d in devs for r in list(d.recs.values())
                            if r.state == "acked"}
            r = ctl(w.db, "backup", out)
            t1 = time.time()
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stdout, r"written to .*backup\.db: \d+ pages .*schema version \d+")
            time.sleep(0.3)
        finally:
            stop.set()
            for d in devs:
                d.join(timeout=60)
        for d in devs:
            self.assertIsNone(d.failure, d.dev)
            self.assertEqual(d.errors, [], d.dev)
        during = [r for d in devs for r in d.recs.values()
                  if r.state == "acked" and t0 < r.acked_at < t1]
        # wmsd kept acknowledging while the backup ran.
        self.assertGreater(len(during), 0, "backup took %.3f s" % (t1 - t0))
        self.assertGreater(len(acked_before), 20)
        sys.stderr.write("\nbackup took %.3f s; %d calls acknowledged before it, %d during it\n"
                         % (t1 - t0, len(acked_before), len(during)))

        # One self-contained file in rollback-journal mode.
        self.assertFalse(os.path.exists(out + "-wal"))
        self.assertFalse(os.path.exists(out + ".tmp"))
        with open(out, "rb") as f:
            self.assertEqual(f.read(20)[18], 1)
        check = os.path.join(w.dir, "check.db")
        shutil.copy(out, check)
        r = ctl(check, "verify")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

        # A consistent snapshot: each txn in it is whole, with its outcome;
        # it holds everything acknowledged before it started; the stock of
        # each scanner's bins equals the effects of the txns it holds.
        journal = journal_by_txn(out, "BK-")
        outcomes = {t for (t,) in sql(out, "SELECT txn FROM txn_outcomes WHERE device LIKE 'BK-%'")}
        stock = dict(sql(out, "SELECT b.code, sum(s.qty) FROM stock s JOIN bins b ON "
                              "b.id = s.bin_id WHERE b.code LIKE 'BK%' GROUP BY b.code"))
        for d in devs:
            src = dst = 0
            for rec in d.recs.values():
                rows = journal.get(rec.txn, [])
                self.assertEqual(rec.txn in outcomes, bool(rows), rec.txn)
                if rec.txn in acked_before:
                    self.assertTrue(rows, "%s acknowledged before the backup, missing" % rec.txn)
                if not rows:
                    continue
                self.assertIsNone(effect_problem(d, rec, rows), (rec.txn, rows))
                if rec.method == "receive.scan":
                    src += rec.qty
                else:
                    src -= rec.qty
                    dst += rec.qty
            self.assertEqual(stock.get(d.src, 0), src, d.dev)
            self.assertEqual(stock.get(d.dst, 0), dst, d.dev)
        self.assertEqual(set(journal) - {t for d in devs for t in d.recs}, set())
        # The live database: everything acknowledged, once.
        check_ledgers(self, w.db, devs, "BK-")
        self.assertEqual(w.ctl("verify", check=False).returncode, 0)

        # Never over an existing file unless asked.
        r = ctl(w.db, "backup", out)
        self.assertEqual(r.returncode, 2)
        self.assertIn("exists", r.stderr)
        r = ctl(w.db, "backup", out, "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(w.stop(), 0, w.log_text()[-3000:])
        r = ctl(w.db, "backup", out, "--force")  # the final state, for the restore below
        self.assertEqual(r.returncode, 0, r.stderr)

        # Restore into a new path and serve it.
        new_db = os.path.join(w.dir, "restored.db")
        r = ctl(new_db, "restore", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("restored", r.stdout)
        self.assertEqual(ctl(new_db, "verify").returncode, 0)
        w2 = Server(db=new_db)
        try:
            d = devs[0]
            c = Client(w2.port, timeout=30)
            hello = c.hello(d.dev)
            self.assertIn(hello["resume"]["last_txn"], d.recs)
            c.login("rob", "1234")
            old = next(r for r in d.recs.values() if r.state == "acked")
            again = c.call_full(old.method, old.args)
            self.assertIsNone(again[2])
            self.assertEqual(again[3], old.result)  # the stored answer, no second effect
            self.assertEqual(len(journal_by_txn(new_db, d.dev)[old.txn]),
                             len(journal_by_txn(w.db, d.dev)[old.txn]))
            q = c.call("stock.query", {"bin": d.src})
            self.assertEqual(sum(row["qty"] for row in q["rows"]),
                             sql(w.db, "SELECT coalesce(sum(s.qty), 0) FROM stock s JOIN bins b "
                                       "ON b.id = s.bin_id WHERE b.code = ?", d.src)[0][0])
            res = c.call("receive.scan", {"txn": "after-restore-1", "code": "4006381333931",
                                          "qty": 2, "bin": d.src})
            self.assertEqual(res["qty"], 2)
            c.close()
            # A restore over a database that exists needs --force.
            r = ctl(new_db, "restore", out)
            self.assertEqual(r.returncode, 2)
            self.assertIn("exists", r.stderr)
        finally:
            self.assertEqual(w2.stop(), 0, w2.log_text()[-3000:])
        r = ctl(new_db, "restore", out, "--force")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sql(new_db, "SELECT count(*) FROM journal WHERE txn = 'after-restore-1'"),
                         [(0,)])
        self.assertEqual(ctl(new_db, "verify").returncode, 0)
        # Not a database: refused, and the target keeps its content.
        junk = os.path.join(w.dir, "junk.db")
        with open(junk, "w") as f:
            f.write("not a database\n" * 400)
        r = ctl(new_db, "restore", junk, "--force")
        self.assertEqual(r.returncode, 1)
        self.assertIn("STORAGE", r.stderr)
        self.assertEqual(ctl(new_db, "verify").returncode, 0)
        w2.remove()
        w.remove()


if __name__ == "__main__":
    warnings.simplefilter("ignore", ResourceWarning)
    unittest.main(verbosity=2)
