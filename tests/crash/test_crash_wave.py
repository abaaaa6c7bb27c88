"""Crash safety of a wave release.  `wmsctl wave release` (the process that
writes: there is no wave method in wmsd) is SIGKILLed at random moments
(seeded) while it releases a wave of thousands of orders, many times, each
time on the same starting database.  After every kill the database holds
either the whole wave or nothing of it: every table (timestamps aside)
equals, row for row, the database before the release or the one a release
that ran to its end produced; the reservation INVARIANT of
engine/src/store/alloc.h holds; every allocated order carries the wave and
every open allocation its pick task; PRAGMA quick_check and `wmsctl verify`
pass.  (The import case is in test_crash.py.)

Run by ctest with /usr/bin/python3 (env WMSCTL, WMS_TMP); WMS_CRASH_SEED
picks another kill schedule."""
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

WMSCTL = os.environ.get("WMSCTL")
TMP = os.environ.get("WMS_TMP")
if TMP:
    os.makedirs(TMP, exist_ok=True)
SEED = int(os.environ.get("WMS_CRASH_SEED", "20261123"))
ENV = dict(os.environ, WMS_TODAY="2026-11-23")
KILLS = 10  # inside the release's transaction, at random points of it
EARLY_KILLS = 2  # before it (while planning)
LATE_KILLS = 1  # right after its commit (the wave must be there, whole)
# Columns that hold the wall-clock time of a write: the only ones that may
# differ between two releases of the same wave.
CLOCK_COLUMNS = {"ts", "created", "released"}


def is_asan(path):
    with open(path, "rb") as f:
        return b"__asan_init" in f.read()


# The generated warehouse: about 3300 (plain build) or 1000 (ASan) released
# orders; the release holds the write lock for about half a second, resp.
# one, and the test stays well under a minute.
BINS, ITEMS, ORDERS = (1500, 800, 1200) if is_asan(WMSCTL) else (3000, 2000, 4000)


def ctl(db, *args, check=True):
    r = subprocess.run([WMSCTL, "--db", db] + list(args), capture_output=True, text=True,
                       env=ENV)
    if check and r.returncode != 0:
        raise AssertionError("wmsctl %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
    return r


def connect(db):
    return sqlite3.connect(db, timeout=30, isolation_level=None)


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


def dump(db):
    """Every table, rows sorted (by SQLite), without the wall-clock columns."""
    c = connect(db)
    try:
        out = {}
        tables = [r[0] for r in c.execute("SELECT name FROM sqlite_schema WHERE type = 'table' "
                                          "ORDER BY name")]
        for t in tables:
            cols = [r[1] for r in c.execute("PRAGMA table_info(%s)" % t)
                    if r[1] not in CLOCK_COLUMNS]
            order = ", ".join(str(i + 1) for i in range(len(cols)))
            out[t] = c.execute("SELECT %s FROM %s ORDER BY %s" % (
                ", ".join('"%s"' % x for x in cols), t, order)).fetchall()
        return out
    finally:
        c.close()


def diff(a, b):
    """Tables that differ between two dumps, with row counts."""
    return ["%s (%d vs %d rows)" % (t, len(a.get(t, [])), len(b.get(t, [])))
            for t in sorted(set(a) | set(b)) if a.get(t) != b.get(t)]


def consistency_problems(db):
    """The checks that must hold in any state: the reservation INVARIANT
    (stock.reserved = what the open allocations hold on the quant), order
    lines' allocated units, waves with their orders and tasks."""
    checks = {
        "reserved != open allocations":
            "SELECT count(*) FROM stock s WHERE s.reserved <> CASE WHEN s.status = 'available' "
            "THEN coalesce((SELECT sum(a.qty - a.picked) FROM allocations a WHERE a.status = "
            "'open' AND a.bin_id = s.bin_id AND a.item_id = s.item_id AND a.lot = s.lot AND "
            "a.expiry = s.expiry), 0) ELSE 0 END",
        "reserved out of range": "SELECT count(*) FROM stock WHERE reserved < 0 OR reserved > qty",
        "allocation without its quant":
            "SELECT count(*) FROM allocations a WHERE a.status = 'open' AND NOT EXISTS (SELECT 1 "
            "FROM stock s WHERE s.bin_id = a.bin_id AND s.item_id = a.item_id AND s.lot = a.lot "
            "AND s.expiry = a.expiry AND s.status = 'available')",
        "order_lines.allocated != allocations":
            "SELECT count(*) FROM order_lines l WHERE l.allocated <> coalesce((SELECT sum(a.qty) "
            "FROM allocations a WHERE a.order_id = l.order_id AND a.line = l.line AND a.status "
            "IN ('open', 'picked')), 0)",
        "allocated order without a wave":
            "SELECT count(*) FROM orders WHERE status = 'allocated' AND wave_id IS NULL",
        "open allocation without one pick task":
            "SELECT count(*) FROM allocations a LEFT JOIN (SELECT allocation_id, count(*) AS n "
            "FROM tasks WHERE kind = 'pick' GROUP BY allocation_id) t ON t.allocation_id = a.id "
            "WHERE a.status = 'open' AND coalesce(t.n, 0) <> 1",
        "wave without orders or tasks":
            "SELECT count(*) FROM waves w WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE "
            "o.wave_id = w.id) OR NOT EXISTS (SELECT 1 FROM tasks t WHERE t.wave_id = w.id)",
        "task of no wave": "SELECT count(*) FROM tasks WHERE kind = 'pick' AND wave_id NOT IN "
                           "(SELECT id FROM waves)",
    }
    c = connect(db)
    try:
        bad = ["%s: %d" % (what, n) for what, q in checks.items()
               for (n,) in [c.execute(q).fetchone()] if n]
        qc = c.execute("PRAGMA quick_check").fetchone()[0]
        if qc != "ok":
            bad.append("quick_check: " + qc)
        return bad
    finally:
        c.close()


class WaveReleaseCrashTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="crash-wave-", dir=TMP)
        cls.base = os.path.join(cls.dir, "base.db")
        data = os.path.join(cls.dir, "demo")
        ctl(cls.base, "init")
        ctl(cls.base, "demo-data", "--out", data, "--bins", str(BINS), "--items", str(ITEMS),
            "--orders", str(ORDERS), "--seed", "3")
        for kind in ("layout", "items", "packs", "barcodes", "bins", "stock", "customers",
                     "orders"):
            ctl(cls.base, "import", kind, os.path.join(data, kind + ".csv"))
        # One self-contained file to start every round from.
        c = connect(cls.base)
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        c.close()

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "passed", False):
            shutil.rmtree(cls.dir, ignore_errors=True)

    def fresh(self, name):
        """A copy of the starting database."""
        path = os.path.join(self.dir, name)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        shutil.copyfile(self.base, path)
        return path

    def release(self, db):
        return subprocess.Popen([WMSCTL, "--db", db, "wave", "release", "--method", "discrete",
                                 "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=ENV)

    def wait_for_lock(self, db, p, deadline_s=120):
        """Waits until p's release transaction holds the write lock (two
        looks in a row); returns the time it was first seen, or None if p
        ended first."""
        seen, first, end = 0, None, time.time() + deadline_s
        while p.poll() is None and time.time() < end:
            if write_locked(db):
                first = first or time.time()
                seen += 1
                if seen >= 2:
                    return first
            else:
                seen, first = 0, None
            time.sleep(0.005)
        return None

    def test_sigkill_during_wave_release(self):
        rng = random.Random(SEED)
        t_setup = time.time()
        before = dump(self.base)
        released = connect(self.base).execute(
            "SELECT count(*) FROM orders WHERE status = 'released'").fetchone()[0]
        self.assertGreater(released, ORDERS * 3 // 4)
        self.assertEqual(consistency_problems(self.base), [])

        # The reference: one release run to its end, timed.
        ref = self.fresh("reference.db")
        t0 = time.time()
        p = self.release(ref)
        t_lock = self.wait_for_lock(ref, p)
        self.assertIsNotNone(t_lock, "the release never held the write lock long enough to see")
        while p.poll() is None and write_locked(ref):
            time.sleep(0.005)
        t_unlock = time.time()
        out, err = p.communicate(timeout=300)
        self.assertEqual(p.returncode, 0, err)
        plan_s, write_s = t_lock - t0, t_unlock - t_lock
        after = dump(ref)
        self.assertEqual(consistency_problems(ref), [])
        self.assertEqual(ctl(ref, "verify", check=False).returncode, 0)
        # It is a whole wave: one wave, thousands of orders stamped and
        # allocated, a pick task per open allocation, units reserved.
        c = connect(ref)
        waves, stamped, tasks, reserved = c.execute(
            "SELECT (SELECT count(*) FROM waves), (SELECT count(*) FROM orders WHERE wave_id = 1), "
            "(SELECT count(*) FROM tasks WHERE wave_id = 1), (SELECT sum(reserved) FROM stock)"
        ).fetchone()
        c.close()
        self.assertEqual(waves, 1)
        self.assertGreater(stamped, ORDERS // 2)
        self.assertGreater(tasks, stamped)
        self.assertGreater(reserved, 0)
        self.assertNotEqual(diff(before, after), [])

        # The kills: most inside the write transaction (from when its lock
        # is seen to a little past when the reference's was released, so
        # some land after the commit), a few while it is still planning.
        outcomes = {"none": 0, "all": 0}
        cut_inside = 0
        log = []
        rounds = EARLY_KILLS + KILLS + LATE_KILLS
        for n in range(rounds):
            db = self.fresh("round.db")
            p = self.release(db)
            if n >= EARLY_KILLS + KILLS:
                self.assertIsNotNone(self.wait_for_lock(db, p), "round %d" % n)
                while p.poll() is None and write_locked(db):
                    time.sleep(0.002)
                delay, where, locked = 0.0, "committed", False
            elif n < EARLY_KILLS:
                delay = rng.uniform(0.0, plan_s * 0.8)
                time.sleep(delay)
                where = "planning"
                locked = False
            else:
                if self.wait_for_lock(db, p) is None:
                    p.communicate()
                    self.fail("round %d: the release ended before its lock was seen" % n)
                delay = rng.uniform(0.0, write_s * 1.1)
                time.sleep(delay)
                where = "writing"
                locked = write_locked(db)  # still inside its transaction?
            finished = p.poll() is not None
            p.send_signal(signal.SIGKILL)
            p.communicate()
            got = dump(db)
            if got == before:
                state = "none"
            elif got == after:
                state = "all"
            else:
                self.fail("round %d (killed %.3f s into %s): half a wave: %s"
                          % (n, delay, where, diff(got, before)))
            if where == "committed":
                self.assertEqual(state, "all", "round %d: the committed wave is gone" % n)
            self.assertEqual(consistency_problems(db), [], "round %d" % n)
            r = ctl(db, "verify", check=False)
            self.assertEqual(r.returncode, 0, "round %d: %s%s" % (n, r.stdout, r.stderr))
            outcomes[state] += 1
            if locked and not finished and state == "none":
                cut_inside += 1
            log.append("%s+%.2fs:%s" % (where[0], delay, state))
        sys.stderr.write("\nwave of %d orders, %d tasks: planning %.2f s, writing %.2f s; "
                         "%d kills: %s; %d inside the transaction\n%s\n"
                         % (stamped, tasks, plan_s, write_s, rounds, outcomes,
                            cut_inside, " ".join(log)))
        # Kills really landed inside the transaction (and left nothing).
        self.assertGreaterEqual(cut_inside, KILLS // 2, log)
        # A database left by a killed release takes the release afterwards,
        # with exactly the reference's result (a completed release is
        # deterministic, so "all" above means this very wave).
        db = self.fresh("round.db")
        p = self.release(db)
        self.assertIsNotNone(self.wait_for_lock(db, p))
        p.send_signal(signal.SIGKILL)
        p.communicate()
        ctl(db, "wave", "release", "--method", "discrete")
        self.assertEqual(diff(dump(db), after), [])
        sys.stderr.write("test took %.1f s\n" % (time.time() - t_setup))
        type(self).passed = True


if __name__ == "__main__":
    unittest.main(verbosity=2)
