"""Resource limits of wmsd.

Disk full: a change that cannot be stored is refused with DISK_FULL ("nothing
was stored"), nothing of it is kept, reads go on being answered, and once
there is room again the same txn goes through, once.  Two ways to fill the
disk: a real 16 MB tmpfs filled up (needs mount privileges; without them
that test uses the second way too, it is never skipped), and an LD_PRELOAD
shim (enospc_preload.c) that makes writes growing the database files fail
with ENOSPC while a marker file exists.

Database locked by another process for longer than the server's give-up
time (BUSY_GIVE_UP_MS, 10 s): reads keep being answered, the pending write
gets BUSY with a clear message (nothing stored), and goes through when
resent after the lock is released.

Run by ctest with /usr/bin/python3 (env WMSD, WMSCTL, WMS_TMP)."""
import errno
import os
import select
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crashkit import TMP, Client, Server, sql  # noqa: E402
from wmsclient import standard_setup  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
UNIT = "4006381333931"  # item A, one unit


def onhand(db, bin_code):
    return sql(db, "SELECT coalesce(sum(s.qty), 0) FROM stock s JOIN bins b ON b.id = s.bin_id "
                   "WHERE b.code = ?", bin_code)[0][0]


def journal_rows(db, txn):
    return sql(db, "SELECT count(*) FROM journal WHERE txn = ?", txn)[0][0]


def outcome_rows(db, txn):
    return sql(db, "SELECT count(*) FROM txn_outcomes WHERE txn = ?", txn)[0][0]


def build_preload(tc):
    d = tempfile.mkdtemp(prefix="enospc-", dir=TMP)
    tc.addCleanup(shutil.rmtree, d, True)
    out = os.path.join(d, "libenospc.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-o", out,
                    os.path.join(HERE, "enospc_preload.c"), "-ldl"], check=True)
    return out


def try_mount_tmpfs(size="16m"):
    """A fresh tmpfs of `size`, or None when mounting is not permitted."""
    d = tempfile.mkdtemp(prefix="tmpfs-", dir=TMP)
    try:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % size, "tmpfs", d],
                           capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        r = None
    if r is None or r.returncode != 0:
        os.rmdir(d)
        return None
    return d


def fill(path):
    """Writes a file until the file system has no block left."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 65536, 4096, 512, 1):
            chunk = b"\0" * size
            while True:
                try:
                    if os.write(fd, chunk) < size:
                        break
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)


class DiskFullTest(unittest.TestCase):
    def scenario(self, w, make_full, make_room):
        c = Client(w.port, timeout=30)
        c.hello("DF-1")
        c.login("rob", "1234")
        r = c.call("receive.scan", {"txn": "df-0", "code": UNIT, "qty": 3, "bin": "P2"})
        self.assertEqual(r["qty"], 3)
        acked = 3
        make_full()
        # Writes are refused once the disk is full.  A few may still fit in
        # space the files already have (SQLite rewrites its WAL in place).
        refused = None
        for i in range(300):
            txn = "df-%d" % (i + 1)
            msg = c.call_full("receive.scan", {"txn": txn, "code": UNIT, "qty": 2, "bin": "P2"})
            if msg[2] is None:
                acked += 2
                continue
            refused = (txn, msg[2])
            break
        self.assertIsNotNone(refused, "300 writes stored on a full disk")
        txn, err = refused
        self.assertEqual(err["code"], "DISK_FULL", err)
        self.assertIn("disk is full", err["message"])
        self.assertIn("nothing was stored", err["message"])
        # Nothing of it is kept, not even its outcome (a retry must run it).
        self.assertEqual(journal_rows(w.db, txn), 0)
        self.assertEqual(outcome_rows(w.db, txn), 0)
        self.assertEqual(onhand(w.db, "P2"), acked)
        # Still full: the retry is refused again; a move too.
        again = c.call_full("receive.scan", {"txn": txn, "code": UNIT, "qty": 2, "bin": "P2"})
        self.assertEqual(again[2]["code"], "DISK_FULL", again)
        mv = c.call_full("stock.move", {"txn": "df-mv", "from": "P2", "to": "R1", "item": "A",
                                        "qty": 1})
        self.assertEqual(mv[2]["code"], "DISK_FULL", mv)
        # Reads are served all the while, from what was acknowledged.
        q = c.call("stock.query", {"bin": "P2"})
        self.assertEqual(sum(row["qty"] for row in q["rows"]), acked)
        self.assertEqual(c.call("scan.resolve", {"code": "14006381333938"})["qty"], 24)
        self.assertTrue(w.alive())
        r = w.ctl("verify", check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("DISK_FULL", w.log_text())
        make_room()
        # Room again: the same txn goes through, once; so does the rest.
        r = c.call("receive.scan", {"txn": txn, "code": UNIT, "qty": 2, "bin": "P2"})
        self.assertEqual(r["qty"], 2)
        self.assertEqual(c.call("receive.scan", {"txn": txn, "code": UNIT, "qty": 2,
                                                 "bin": "P2"}), r)
        self.assertEqual(journal_rows(w.db, txn), 1)
        c.call("stock.move", {"txn": "df-mv", "from": "P2", "to": "R1", "item": "A", "qty": 1})
        self.assertEqual(onhand(w.db, "P2"), acked + 2 - 1)
        c.close()
        r = w.ctl("verify", check=False)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(w.stop(), 0, w.log_text()[-3000:])
        w.remove()

    def preload_server(self):
        lib = build_preload(self)
        marker = os.path.join(os.path.dirname(lib), "disk-is-full")
        server = [None]

        def setup(w):
            # The shim matches the path the kernel reports for the file.
            server[0] = w
            w.env = {"LD_PRELOAD": lib, "WMS_ENOSPC_MARKER": marker,
                     "WMS_ENOSPC_DB": os.path.realpath(w.db),
                     # An ASan wmsd: its runtime need not come first.
                     "ASAN_OPTIONS": (os.environ.get("ASAN_OPTIONS", "") +
                                      ":verify_asan_link_order=0").lstrip(":")}
        w = Server(setup=lambda w: (standard_setup(w), setup(w)))
        return w, (lambda: open(marker, "w").close()), (lambda: os.unlink(marker))

    def test_disk_full_tmpfs(self):
        mnt = try_mount_tmpfs()
        if mnt is None:
            sys.stderr.write("\nno permission to mount a tmpfs: using the LD_PRELOAD shim\n")
            self.scenario(*self.preload_server())
            return
        try:
            w = Server(setup=standard_setup, dbdir=mnt)
            filler = os.path.join(mnt, "filler")
            self.scenario(w, lambda: fill(filler), lambda: os.unlink(filler))
        finally:
            if "w" in locals() and w.alive():
                w.stop()
            r = subprocess.run(["umount", mnt], capture_output=True)
            if r.returncode != 0:
                subprocess.run(["umount", "-l", mnt], capture_output=True)
            os.rmdir(mnt)

    def test_disk_full_preload(self):
        self.scenario(*self.preload_server())


class LockTest(unittest.TestCase):
    GIVE_UP_S = 10.0  # BUSY_GIVE_UP_MS in engine/server/server.c

    def test_lock_held_past_give_up(self):
        w = Server(setup=standard_setup)
        writer = Client(w.port, timeout=60)
        writer.hello("LK-W")
        writer.login("rob", "1234")
        reader = Client(w.port, timeout=60)
        reader.hello("LK-R")
        reader.login("pia", "1234")  # logins are stored: before the lock
        writer.call("receive.scan", {"txn": "lk-0", "code": UNIT, "qty": 4, "bin": "P2"})
        other = sqlite3.connect(w.db, timeout=5, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # like a long import in another process
        try:
            args = {"txn": "lk-1", "code": UNIT, "qty": 2, "bin": "P2"}
            mid, data = writer.request_bytes("receive.scan", args)
            t0 = time.time()
            writer.send_raw(data)
            answer, answered_at = None, None
            reads, slowest, busy_reads = 0, 0.0, []
            while answer is None and time.time() - t0 < self.GIVE_UP_S + 20:
                t = time.time()
                msg = reader.call_full("stock.query", {"bin": "P2"})
                slowest = max(slowest, time.time() - t)
                if msg[2] is not None:
                    busy_reads.append((time.time() - t0, msg[2]))
                else:
                    self.assertEqual(sum(r["qty"] for r in msg[3]["rows"]), 4)
                    reads += 1
                if select.select([writer.sock], [], [], 0.05)[0]:
                    answer, answered_at = writer.wait(mid), time.time() - t0
            self.assertIsNotNone(answer, "the write was not answered in %.0f s"
                                 % (self.GIVE_UP_S + 20))
            # The write waited for the give-up time, then BUSY, nothing stored.
            self.assertEqual(answer[2]["code"], "BUSY", answer)
            self.assertIn("locked by another process", answer[2]["message"])
            self.assertGreater(answered_at, self.GIVE_UP_S - 0.5)
            self.assertLess(answered_at, self.GIVE_UP_S + 5)
            self.assertEqual(journal_rows(w.db, "lk-1"), 0)
            self.assertEqual(outcome_rows(w.db, "lk-1"), 0)
            # Reads were answered all along, quickly.
            self.assertGreater(reads, 50)
            self.assertLess(slowest, 1.0)
            # A read queued at the very moment of the give-up may share the
            # write's BUSY (see the report); never at any other time.
            for at, err in busy_reads:
                self.assertEqual(err["code"], "BUSY")
                self.assertLess(abs(at - answered_at), 0.5, busy_reads)
            self.assertLessEqual(len(busy_reads), 1, busy_reads)
        finally:
            other.execute("ROLLBACK")
            other.close()
        # Lock released: the same txn now goes through, once.
        r = writer.call("receive.scan", args)
        self.assertEqual(r["qty"], 2)
        self.assertEqual(writer.call("receive.scan", args), r)
        self.assertEqual(journal_rows(w.db, "lk-1"), 1)
        self.assertEqual(onhand(w.db, "P2"), 6)
        writer.close()
        reader.close()
        self.assertEqual(w.ctl("verify", check=False).returncode, 0)
        self.assertEqual(w.stop(), 0, w.log_text()[-3000:])
        w.remove()


if __name__ == "__main__":
    warnings.simplefilter("ignore", ResourceWarning)
    unittest.main(verbosity=2)
