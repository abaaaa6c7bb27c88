"""Pieces shared by the crash, backup and resource-limit tests: a wmsd that
can be SIGKILLed and restarted on the same database and port, scanner
threads that keep a ledger of what was sent and acknowledged, and the
checks that compare the database with those ledgers."""
import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
from wmsclient import Client, RpcError, Wmsd  # noqa: E402

WMSD = os.environ.get("WMSD")
WMSCTL = os.environ.get("WMSCTL")
TMP = os.environ.get("WMS_TMP")
if TMP:
    os.makedirs(TMP, exist_ok=True)

# Errors that mean "nothing happened, try again" (PROTOCOL.md section 4).
TRANSIENT = {"STORAGE", "BUSY", "DISK_FULL", "IO", "NOMEM", "SHUTTING_DOWN"}
UNIT_CODE = "4006381333931"  # item A, one unit per scan (standard_setup)


class Server(Wmsd):
    """wmsd on a database made with wmsctl.  After the first start it
    always listens on the same port, so scanners reconnect to the same
    address after a SIGKILL and restart.  The log lives apart from the
    database directory (which may be a tiny file system that fills up)."""

    def __init__(self, setup=None, dbdir=None, env=None, config=None, db=None):
        """db: serve this existing database instead of making a new one."""
        self.wmsd, self.wmsctl = WMSD, WMSCTL
        self.dir = tempfile.mkdtemp(prefix="crash-", dir=dbdir or TMP)
        self.db = db or os.path.join(self.dir, "wms.db")
        self.logdir = tempfile.mkdtemp(prefix="crash-log-", dir=TMP)
        self.log = open(os.path.join(self.logdir, "wmsd.log"), "w+")
        self.extra = []
        self.config = config
        self.env = env
        self.fixed_port = None
        self.proc = None
        self.starts = 0
        if db is None:
            self.ctl("init")
        if setup:
            setup(self)
        self.start()

    def write(self, name, text):
        path = os.path.join(self.logdir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def start(self):
        listen = "127.0.0.1:%d" % (self.fixed_port or 0)
        args = [self.wmsd, "--db", self.db, "--listen", listen]
        if self.config:
            args += ["--config", self.write("wmsd.conf", self.config)]
        env = dict(os.environ, **(self.env or {}))
        deadline = time.time() + 30
        while True:
            proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                    env=env)
            line = proc.stdout.readline()
            if line.startswith("listening on port "):
                break
            proc.wait()
            proc.stdout.close()
            # A port still held by the previous process: try again shortly.
            if "in use" in self.log_text()[-400:] and time.time() < deadline:
                time.sleep(0.05)
                continue
            raise AssertionError("wmsd did not start: %r\n%s" % (line, self.log_text()[-3000:]))
        self.proc = proc
        self.port = int(line.split()[-1])
        self.fixed_port = self.port
        self.starts += 1

    def kill(self):
        """SIGKILL: no cleanup of any kind, like a power cut of the process."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc.stdout.close()
        assert self.proc.returncode == -signal.SIGKILL, self.proc.returncode

    def remove(self):
        """Deletes the database and log directories (a passed test's; a
        failed one keeps them for a look)."""
        self.log.close()
        for d in (self.dir, self.logdir):
            shutil.rmtree(d, ignore_errors=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


def add_bins(w, codes):
    """Adds reserve bins without capacity limit (aisle A1)."""
    rows = "".join("%s,Z1,reserve,A1,%d,0,0\n" % (c, 3 + i % 15) for i, c in enumerate(codes))
    w.ctl("import", "bins", w.write("crash-bins.csv",
                                    "code,zone,type,aisle,y_m,capacity,blocked\n" + rows))


def demo_setup(w):
    """A generated warehouse (3000 bins, 20000 items) and one receiver."""
    out = os.path.join(w.logdir, "demo")
    w.ctl("demo-data", "--out", out, "--bins", "3000", "--items", "20000", "--seed", "3")
    for kind in ("layout", "items", "bins"):
        w.ctl("import", kind, os.path.join(out, kind + ".csv"))
    w.ctl("import", "barcodes", w.write("unit-code.csv",
                                        "code,sku,level\nIMP-UNIT,SKU-00001,each\n"))
    w.ctl("user", "add", "rob", "--role", "receiver", stdin="1234\n")
    w.demo_dir = out


def big_stock_csv(w, rows, seed):
    """A stock file of `rows` distinct quants (lot K00000...) spread over
    the demo warehouse's pick and reserve bins.  Returns (path, qty sum)."""
    rng = random.Random(seed)
    with open(os.path.join(w.demo_dir, "bins.csv")) as f:
        bins = [r["code"] for r in csv.DictReader(f) if r["type"] in ("pick", "reserve")]
    with open(os.path.join(w.demo_dir, "items.csv")) as f:
        skus = [r["sku"] for r in csv.DictReader(f)]
    path = os.path.join(w.logdir, "big-stock.csv")
    total = 0
    with open(path, "w") as f:
        f.write("bin,sku,lot,expiry,qty,status\n")
        for i in range(rows):
            q = rng.randint(1, 50)
            total += q
            f.write("%s,%s,K%05d,,%d,\n" % (rng.choice(bins), rng.choice(skus), i, q))
    return path, total


def sql(db, query, *args):
    c = sqlite3.connect(db, timeout=30)
    try:
        return c.execute(query, args).fetchall()
    finally:
        c.close()


class Rec:
    """One state-changing call as the scanner knows it."""
    __slots__ = ("txn", "method", "args", "qty", "state", "result", "sends", "acked_at")

    def __init__(self, txn, method, args, qty):
        self.txn, self.method, self.args, self.qty = txn, method, args, qty
        self.state = "pending"  # -> acked | abandoned | error
        self.result = None
        self.sends = 0
        self.acked_at = None


class Device(threading.Thread):
    """A scanner: receives known quantities of item A into its own source
    bin and moves units to its own target bin, one call at a time.  After a
    lost connection it reconnects, logs in again and resends the same txn;
    with probability `abandon` it instead gives up on that call (a scanner
    rebooted without its state), so that some calls are never acknowledged.
    When `stop` is set it finishes its pending call (never abandoning it
    then) and ends."""

    def __init__(self, name, server, seed, src, dst, stop, abandon=0.0, deadline_s=240,
                 abort=None):
        super().__init__(daemon=True)
        self.abort = abort or threading.Event()  # the test failed: end now
        self.dev = name
        self.server = server
        self.rng = random.Random(seed)
        self.src, self.dst = src, dst
        self.stop = stop
        self.abandon = abandon
        self.deadline = time.time() + deadline_s
        self.recs = {}
        self.n = 0
        self.recv_acked = 0  # units surely in src: acknowledged receipts ...
        self.moved_maybe = 0  # ... minus every move that may have landed
        self.conn = None
        self.stats = dict(sends=0, resends=0, conn_errors=0, logins=0, transient=0,
                          abandoned=0, timeouts=0)
        self.resumes = []  # hello's resume.last_txn after each reconnect
        self.errors = []  # non-transient error answers (none expected)
        self.failure = None

    # -- connection --
    def connect(self):
        while True:
            if time.time() > self.deadline or self.abort.is_set():
                raise AssertionError("%s could not reconnect in time" % self.dev)
            c = None
            try:
                c = Client(self.server.port, timeout=30)
                h = c.hello(self.dev)
                c.login("rob", "1234")
                self.stats["logins"] += 1
                self.resumes.append(h.get("resume", {}).get("last_txn"))
                self.conn = c
                return
            except RpcError as e:
                if c:
                    c.close()
                if e.code not in TRANSIENT:
                    raise
                time.sleep(0.05)
            except (OSError, ConnectionError):
                if c:
                    c.close()
                time.sleep(0.02)

    def drop(self):
        if self.conn:
            self.conn.close()
        self.conn = None

    # -- workload --
    def next_op(self):
        self.n += 1
        txn = "%s-%d" % (self.dev, self.n)
        surely = self.recv_acked - self.moved_maybe
        if surely >= 1 and self.rng.random() < 0.4:
            q = self.rng.randint(1, min(3, surely))
            self.moved_maybe += q
            return Rec(txn, "stock.move", {"txn": txn, "from": self.src, "to": self.dst,
                                           "item": "A", "qty": q}, q)
        k = self.rng.randint(1, 5)
        lot = self.rng.randint(1, 3)
        return Rec(txn, "receive.scan", {"txn": txn, "code": UNIT_CODE, "qty": k,
                                         "bin": self.src, "lot": "L%d" % lot,
                                         "expiry": "2031-%02d-01" % lot}, k)

    def run(self):
        try:
            self.loop()
        except BaseException as e:  # reported by the test
            self.failure = e
        finally:
            self.drop()

    def loop(self):
        pending = None
        while True:
            if pending is None:
                if self.stop.is_set():
                    return
                pending = self.next_op()
                self.recs[pending.txn] = pending
            if time.time() > self.deadline:
                raise AssertionError("%s: %s still unanswered at the deadline"
                                     % (self.dev, pending.txn))
            if self.conn is None:
                self.connect()
            pending.sends += 1
            self.stats["sends"] += 1
            if pending.sends > 1:
                self.stats["resends"] += 1
            try:
                msg = self.conn.call_full(pending.method, pending.args)
            except (OSError, ConnectionError) as e:
                if "timed out" in str(e):
                    self.stats["timeouts"] += 1
                self.stats["conn_errors"] += 1
                self.drop()
                if not self.stop.is_set() and self.rng.random() < self.abandon:
                    pending.state = "abandoned"
                    self.stats["abandoned"] += 1
                    pending = None
                continue
            err, res = msg[2], msg[3]
            if err is None:
                pending.state = "acked"
                pending.result = res
                pending.acked_at = time.time()
                if pending.method == "receive.scan":
                    self.recv_acked += pending.qty
                pending = None
            elif err.get("code") in TRANSIENT:
                self.stats["transient"] += 1
                time.sleep(0.02)
            else:
                pending.state = "error"
                pending.result = err
                self.errors.append((pending.txn, err))
                if pending.method == "stock.move":
                    self.moved_maybe -= pending.qty
                pending = None


def journal_by_txn(db, device_prefix):
    """txn -> list of (device, kind, from bin, to bin, sku, qty) journal rows."""
    rows = sql(db, "SELECT j.txn, j.device, j.kind, fb.code, tb.code, i.sku, j.qty "
                   "FROM journal j JOIN items i ON i.id = j.item_id "
                   "LEFT JOIN bins fb ON fb.id = j.from_bin_id "
                   "LEFT JOIN bins tb ON tb.id = j.to_bin_id "
                   "WHERE j.device LIKE ? ORDER BY j.id", device_prefix + "%")
    out = {}
    for r in rows:
        out.setdefault(r[0], []).append(r[1:])
    return out


def effect_problem(dev, rec, rows):
    """None when `rows` (journal rows of rec.txn) are exactly rec's effect,
    else a description.  receive.scan: one row into the source bin;
    stock.move: one row per quant moved, source to target, summing to qty."""
    if rec.method == "receive.scan":
        want = [(dev.dev, "receive", None, dev.src, "A", rec.qty)]
        return None if rows == want else "want %r" % want
    if not rows:
        return "no rows"
    bad = [r for r in rows if r[:5] != (dev.dev, "move", dev.src, dev.dst, "A")]
    if bad:
        return "rows not %s->%s: %r" % (dev.src, dev.dst, bad)
    if sum(r[5] for r in rows) != rec.qty:
        return "moved %d, want %d" % (sum(r[5] for r in rows), rec.qty)
    return None


def check_ledgers(tc, db, devices, prefix, complete=True):
    """Compares the database with the scanners' ledgers.  complete=True:
    every call is accounted for (acknowledged, abandoned or an error).
    Returns (landed abandoned, lost abandoned) counts."""
    journal = journal_by_txn(db, prefix)
    outcomes = {(d, t): m for d, t, m in sql(
        db, "SELECT device, txn, method FROM txn_outcomes WHERE device LIKE ?", prefix + "%")}
    bins = [b for d in devices for b in (d.src, d.dst)]
    stock = dict(sql(db, "SELECT b.code, sum(s.qty) FROM stock s JOIN bins b ON b.id = s.bin_id "
                         "WHERE b.code IN (%s) GROUP BY b.code" % ",".join("?" * len(bins)),
                     *bins))
    known = set()
    landed_abandoned = lost_abandoned = 0
    for dev in devices:
        src_units = dst_units = 0
        for rec in dev.recs.values():
            known.add(rec.txn)
            rows = journal.get(rec.txn, [])
            where = "%s %s (%s, sent %d times)" % (dev.dev, rec.txn, rec.state, rec.sends)
            if complete:
                tc.assertNotEqual(rec.state, "pending", where)
            if rec.state == "acked":
                # (a) present exactly once with the acknowledged effect.
                tc.assertIsNone(effect_problem(dev, rec, rows), "%s: %r" % (where, rows))
                tc.assertEqual(rec.result["qty"], rec.qty, where)
                # (e) its outcome is stored for replays.
                tc.assertEqual(outcomes.get((dev.dev, rec.txn)), rec.method, where)
                landed = True
            elif rec.state == "abandoned":
                # (b) never acknowledged: all of it or nothing, and the
                # outcome row goes with the change.
                if rows:
                    tc.assertIsNone(effect_problem(dev, rec, rows), "%s: %r" % (where, rows))
                    landed_abandoned += 1
                else:
                    lost_abandoned += 1
                tc.assertEqual((dev.dev, rec.txn) in outcomes, bool(rows), where)
                landed = bool(rows)
            else:
                tc.fail("%s: unexpected %r" % (where, rec.result))
            if landed:
                if rec.method == "receive.scan":
                    src_units += rec.qty
                else:
                    src_units -= rec.qty
                    dst_units += rec.qty
        # (d) stock equals what the ledger implies.
        tc.assertEqual(stock.get(dev.src, 0), src_units, "%s stock in %s" % (dev.dev, dev.src))
        tc.assertEqual(stock.get(dev.dst, 0), dst_units, "%s stock in %s" % (dev.dev, dev.dst))
    # Nothing in the journal or the outcomes that no scanner sent.
    tc.assertEqual(set(journal) - known, set())
    tc.assertEqual({t for _, t in outcomes} - known, set())
    return landed_abandoned, lost_abandoned
