"""Hostile input over the wire, as a matrix.

Every method of handheld-proto/PROTOCOL.md is described in METHODS below
(argument names, types, which are required, a valid value).  The tests
generate from that table: a wrong type for every argument, every missing
required argument, out-of-range numbers for every quantity, NUL bytes,
invalid UTF-8, overlong and empty strings; calls before hello/login and
above one's role; truncated, split, oversized, deeply nested and lying
MessagePack; a client that never reads; connection churn; thousands of
idle connections.  Each case must get a clear error or disconnect, change
nothing in the database, and never disturb a "canary" client that keeps
calling ping + scan.resolve on its own connection.

Run by ctest with /usr/bin/python3 (env WMSD, WMSCTL, WMS_TMP); also
meant to pass against an ASan+UBSan build of wmsd.
"""
import os
import resource
import socket
import sqlite3
import struct
import sys
import threading
import time
import unittest
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
import msgpack  # noqa: E402
from wmsclient import Wmsd, standard_setup  # noqa: E402

# 2000 idle connections need more descriptors than a default soft limit of
# 1024 (raised here, before wmsd is started, so the server inherits it).
_soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if _soft != resource.RLIM_INFINITY and _soft < 8192:
    _want = 8192 if _hard == resource.RLIM_INFINITY else min(8192, _hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(_soft, _want), _hard))

WMSD = os.environ.get("WMSD")
WMSCTL = os.environ.get("WMSCTL")
TMP = os.environ.get("WMS_TMP")
if TMP:
    os.makedirs(TMP, exist_ok=True)

MIB = 1 << 20
LINGER_RST = struct.pack("ii", 1, 0)  # close() sends a RST
EACH = "4006381333931"  # item A, one unit
CASE = "14006381333938"  # item A, case of 24
GS1 = "]C10114006381333938172706301012AB"

# ---- the method table (PROTOCOL.md section 5) ------------------------------

S, I, B, A = "str", "int", "bool", "array"
REQ, OPT = "required", "optional"
EITHER = "item-or-code"  # one of item/code is required (the other may go)
ANY = "bin-item-or-code"  # stock.query: one of bin/item/code
QTY, ID, PCT, PROTO = "qty", "id", "pct", "proto"  # what an integer means

# method -> (roles or None for "no login", state-changing?, [args]).
# An arg is (name, type, presence, valid value[, integer meaning]); "lines[].x"
# is field x of the first element of the array "lines".
METHODS = {
    "hello": (None, False, [
        ("device", S, REQ, "HX-MATRIX"), ("proto", I, OPT, 1, PROTO),
        ("client", S, OPT, "hx/1"), ("gs", S, OPT, "|")]),
    "login": (None, False, [("user", S, REQ, "ada"), ("pin", S, REQ, "1234")]),
    "logout": ("PRSA", False, []),
    "ping": (None, False, []),
    "scan.resolve": ("PRSA", False, [("code", S, REQ, EACH)]),
    "receive.scan": ("RSA", True, [
        ("code", S, REQ, EACH), ("qty", I, OPT, 1, QTY), ("bin", S, OPT, "R1"),
        ("item", S, OPT, "A"), ("lot", S, OPT, "HXL"), ("expiry", S, OPT, "2027-01-31"),
        ("receipt", S, OPT, "HX-ASN"), ("quarantine", B, OPT, False)]),
    "receipt.create": ("SA", True, [
        ("receipt", S, REQ, "HX-NEW"), ("tolerance_pct", I, OPT, 5, PCT),
        ("lines", A, REQ, None), ("lines[].item", S, REQ, "A"),
        ("lines[].qty", I, REQ, 10, QTY)]),
    "receive.close": ("RSA", True, [("receipt", S, REQ, "HX-ASN")]),
    "putaway.suggest": ("RSA", False, [
        ("item", S, EITHER, "A"), ("code", S, EITHER, EACH), ("qty", I, REQ, 1, QTY),
        ("lot", S, OPT, "HXL")]),
    "putaway.confirm": ("RSA", True, [
        ("from", S, REQ, "DOCK-01"), ("to", S, REQ, "P3"), ("suggested", S, OPT, "P3"),
        ("item", S, EITHER, "A"), ("code", S, EITHER, EACH), ("qty", I, REQ, 1, QTY),
        ("lot", S, OPT, "HXL")]),
    "stock.query": ("PRSA", False, [
        ("bin", S, ANY, "R1"), ("item", S, ANY, "A"), ("code", S, ANY, EACH)]),
    "stock.move": ("RSA", True, [
        ("from", S, REQ, "R1"), ("to", S, REQ, "R2"), ("item", S, EITHER, "A"),
        ("code", S, EITHER, EACH), ("qty", I, REQ, 1, QTY), ("lot", S, OPT, "HXL"),
        ("status", S, OPT, "available"), ("to_status", S, OPT, "available"),
        ("reason", S, OPT, "hx")]),
    "count.next": ("PRSA", True, []),
    "count.submit": ("PRSA", True, [
        ("count", I, REQ, 1, ID), ("lines", A, REQ, None), ("lines[].item", S, EITHER, "A"),
        ("lines[].code", S, EITHER, EACH), ("lines[].lot", S, OPT, "HXL"),
        ("lines[].qty", I, REQ, 0, QTY)]),
    "count.create": ("SA", True, [("bin", S, REQ, "P3"), ("reason", S, OPT, "hx")]),
    "count.approve": ("SA", True, [("count", I, REQ, 1, ID), ("approve", B, REQ, True)]),
    "events.subscribe": ("SA", False, [("topics", A, OPT, ["order.status"])]),
    "order.create": ("SA", True, [
        ("order", S, REQ, "HX-ORD"), ("customer", S, REQ, "RED"), ("carrier", S, OPT, "DHL"),
        ("cutoff", S, OPT, "2026-11-23T14:00:00Z"), ("ship_name", S, OPT, "Ann"),
        ("ship_city", S, OPT, "Town"), ("lines", A, REQ, None),
        ("lines[].item", S, REQ, "A"), ("lines[].qty", I, REQ, 1, QTY)]),
    "order.release": ("SA", True, [("order", S, REQ, "HX-ORD")]),
    "order.cancel": ("SA", True, [("order", S, REQ, "HX-ORD"), ("reason", S, OPT, "hx")]),
    "order.status": ("PRSA", False, [("order", S, REQ, "HX-ORD")]),
    "wave.release": ("SA", True, [
        ("method", S, OPT, "discrete"), ("totes", I, OPT, 8, QTY),
        ("max_orders", I, OPT, 10, QTY), ("max_lines", I, OPT, 100, QTY)]),
    "task.next": ("PSA", False, [("zone", S, OPT, "Z1")]),
    "tote.assign": ("PSA", True, [("tote", S, REQ, "T1-1-1"), ("code", S, REQ, "TOTE-HX")]),
    "tote.close": ("PSA", True, [("code", S, REQ, "TOTE-HX")]),
    "pick.confirm": ("PSA", True, [
        ("task", I, REQ, 1, ID), ("bin", S, REQ, "P1"), ("code", S, REQ, EACH),
        ("qty", I, OPT, 1, QTY), ("tote", S, OPT, "TOTE-HX"), ("to_bin", S, OPT, "P3")]),
    "pick.short": ("PSA", True, [
        ("task", I, REQ, 1, ID), ("qty_found", I, REQ, 0, QTY), ("reason", S, OPT, "hx"),
        ("tote", S, OPT, "TOTE-HX")]),
    "pack.open": ("PSA", True, [("tote", S, OPT, "TOTE-HX"), ("order", S, OPT, "HX-ORD")]),
    "pack.scan": ("PSA", True, [
        ("carton", I, REQ, 1, ID), ("code", S, REQ, EACH), ("qty", I, OPT, 1, QTY)]),
    "pack.close": ("PSA", True, [
        ("carton", I, REQ, 1, ID), ("box", S, OPT, "BOX-S"), ("weight_g", I, OPT, 500, QTY)]),
    "ship.confirm": ("PSA", True, [("sscc", S, OPT, "000000000000000000"),
                                   ("order", S, OPT, "HX-ORD")]),
    "sort.open": ("PSA", True, [("wall", S, REQ, "W-HX"), ("wave", I, OPT, 1, ID)]),
    "sort.scan": ("PSA", False, [("wall", S, REQ, "W-HX"), ("code", S, REQ, EACH)]),
    "sort.confirm": ("PSA", True, [
        ("wall", S, REQ, "W-HX"), ("code", S, REQ, EACH), ("slot", S, REQ, "W-HX-1"),
        ("qty", I, OPT, 1, QTY)]),
    "sort.status": ("PSA", False, [("wall", S, REQ, "W-HX")]),
    "return.open": ("RSA", True, [
        ("sscc", S, OPT, "000000000000000000"), ("order", S, OPT, "HX-ORD"),
        ("unknown", B, OPT, False), ("reference", S, OPT, "hx")]),
    "return.scan": ("RSA", True, [
        ("return", I, REQ, 1, ID), ("code", S, REQ, EACH), ("qty", I, OPT, 1, QTY),
        ("item", S, OPT, "A"), ("lot", S, OPT, "HXL"), ("expiry", S, OPT, "2027-01-31"),
        ("serial", S, OPT, "S1")]),
    "return.grade": ("RSA", True, [
        ("line", I, REQ, 1, ID), ("grade", S, REQ, "damaged"), ("bin", S, OPT, "Q1"),
        ("reason", S, OPT, "hx")]),
    "return.close": ("RSA", True, [("return", I, REQ, 1, ID)]),
    "return.match": ("SA", True, [
        ("return", I, REQ, 1, ID), ("order", S, OPT, "HX-ORD"), ("write_off", B, OPT, False),
        ("reason", S, OPT, "hx")]),
    "scanner.selftest": ("PRSA", False, [
        ("scan", S, REQ, "]C10109506000134352" "10Yz-4ab\x1d" "21W8kq5\x1d" "17301231")]),
    "device.list": ("SA", False, [("failed", B, OPT, True), ("limit", I, OPT, 10, QTY)]),
}
ROLE_LETTER = {"pia": "P", "rob": "R", "sue": "S", "ada": "A"}
PUBLIC = ("hello", "login", "ping")

# One value of each MessagePack type; a wrong type for an argument is every
# one of these that is not its own type.  nil is "absent": it is wrong only
# where the argument is required.
WRONG = {
    "int": 7, "str": "seven", "map": {"a": 1}, "array": [1, 2], "bool": True, "float": 1.5,
    "bin": b"\x01\x02", "ext": msgpack.ExtType(5, b"xy"), "nil": None,
}
OWN_TYPE = {S: "str", I: "int", B: "bool", A: "array"}

BAD_UTF8 = [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"ab\xe2\x82", b"\x80z"]

txn_counter = [0]


def next_txn():
    txn_counter[0] += 1
    return "hx-%d" % txn_counter[0]


def documented_methods():
    """method -> (roles or None, txn?) from the "### name — roles — txn"
    headings of PROTOCOL.md section 5."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "handheld-proto",
                        "PROTOCOL.md")
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("### "):
                continue
            parts = [p.strip() for p in line[4:].split("\u2014")]
            roles = None if parts[1].startswith("all") else parts[1].replace(" ", "")
            for name in parts[0].split(" / "):
                out[name.strip()] = (roles, parts[-1] == "txn")
    return out


def all_args(method):
    """The method's args, with txn first for state-changing methods."""
    roles, txn, args = METHODS[method]
    return ([("txn", S, REQ, None)] if txn else []) + list(args)


def base_args(method):
    """A dict of valid values for every argument of `method` (fresh txn)."""
    roles, txn, args = METHODS[method]
    d = {}
    line = {}
    for a in args:
        name, value = a[0], a[3]
        if name.startswith("lines[]."):
            line[name[len("lines[]."):]] = value
        elif name != "lines":
            d[name] = value
    if line:
        d["lines"] = [line]
    if txn:
        d["txn"] = next_txn()
    return d


def with_arg(args, name, value, drop=False):
    """A copy of args with `name` ("x" or "lines[].x") set to value or dropped."""
    out = dict(args)
    target = out
    if name.startswith("lines[]."):
        out["lines"] = [dict(out["lines"][0])]
        target = out["lines"][0]
        name = name[len("lines[]."):]
    if drop:
        target.pop(name, None)
    else:
        target[name] = value
    return out


def leaf(name):
    return name.split(".")[-1]


def pack_request(msgid, method, args, raw_strings=False):
    """A request; raw_strings packs bytes as MessagePack str (for bad UTF-8)."""
    if raw_strings:
        return msgpack.Packer(use_bin_type=False).pack([0, msgid, method, [args]])
    return msgpack.packb([0, msgid, method, [args]], use_bin_type=True)


# ---- helpers: the server process, the database, raw sockets ---------------

def proc_status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def rss_kb(w):
    return proc_status(w.proc.pid, "VmRSS")


def fd_count(w):
    return len(os.listdir("/proc/%d/fd" % w.proc.pid))


def wait_until(pred, timeout, step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


STATE_TABLES = ("stock", "journal", "receipts", "receipt_lines", "counts", "count_lines",
                "items", "bins", "barcodes")


def snapshot(w, tables=STATE_TABLES):
    c = sqlite3.connect(w.db, timeout=10)
    try:
        return {t: sorted(c.execute("SELECT * FROM %s" % t).fetchall(), key=repr)
                for t in tables}
    finally:
        c.close()


def stored_outcomes(w):
    """(device, txn) -> the stored outcome blob decoded: [error, result]."""
    rows = w.sql("SELECT device, txn, outcome FROM txn_outcomes")
    return {(d, t): msgpack.unpackb(o, raw=False) for d, t, o in rows}


def report(what, **kv):
    """Prints a measured figure for the record (stderr, kept by ctest)."""
    sys.stderr.write("[hostile] %s: %s\n" % (what, ", ".join("%s=%s" % x for x in kv.items())))


def is_asan(path):
    with open(path, "rb") as f:
        return b"__asan_init" in f.read()


def start_server(config=None):
    """wmsd on a fresh standard database.  Under ASan, freed memory sits in
    a 256 MB quarantine that VmRSS counts; a small quarantine keeps the RSS
    figures about live memory (use-after-free detection stays on)."""
    old = os.environ.get("ASAN_OPTIONS")
    if is_asan(WMSD):
        os.environ["ASAN_OPTIONS"] = ((old + ":") if old else "") + "quarantine_size_mb=4"
    try:
        return Wmsd(WMSD, WMSCTL, setup=standard_setup, tmp=TMP, config=config)
    finally:
        if old is None:
            os.environ.pop("ASAN_OPTIONS", None)
        else:
            os.environ["ASAN_OPTIONS"] = old


def stop_server(test, w):
    rc = w.stop()
    log = w.log_text()
    test.assertEqual(rc, 0, "wmsd exit %r\n%s" % (rc, log[-3000:]))
    for bad in ("AddressSanitizer", "runtime error", "LeakSanitizer"):
        test.assertNotIn(bad, log, log[-3000:])
    test.assertEqual(w.ctl("verify").returncode, 0)


class Raw:
    """A bare connection: bytes in, MessagePack messages out."""

    def __init__(self, port, rcvbuf=None, timeout=10.0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.unpacker = msgpack.Unpacker(raw=False, strict_map_key=False,
                                         max_buffer_size=8 * MIB)
        self.backlog = {}

    def send(self, data):
        """Sends, tolerating a server that already closed (returns False)."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def next(self):
        """The next message, or None when the server closed."""
        while True:
            for m in self.unpacker:
                return m
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                return None
            if not data:
                return None
            self.unpacker.feed(data)

    def until_closed(self):
        """Every message the server sends until it closes (times out if it
        never does)."""
        out = []
        while True:
            m = self.next()
            if m is None:
                return out
            out.append(m)

    def response(self, msgid):
        """The response to msgid (others are kept for later)."""
        if msgid in self.backlog:
            return self.backlog.pop(msgid)
        while True:
            m = self.next()
            if m is None:
                raise ConnectionError("closed while waiting for %d" % msgid)
            if m[0] == 1 and m[1] == msgid:
                return m
            if m[0] == 1:
                self.backlog[m[1]] = m

    def close(self):
        self.sock.close()


class Canary(threading.Thread):
    """Another session that keeps calling ping + scan.resolve; it must never
    fail while the hostile traffic goes on."""

    def __init__(self, w):
        super().__init__(daemon=True)
        self.client = w.client("HX-CANARY")
        self.client.login("rob", "1234")
        self.ok = 0
        self.failures = []
        self.worst = 0.0
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            t0 = time.time()
            try:
                if self.client.call("ping")["pong"] is not True:
                    raise AssertionError("ping without pong")
                r = self.client.call("scan.resolve", {"code": CASE})
                if (r["kind"], r["qty"]) != ("item", 24):
                    raise AssertionError("scan.resolve answered %r" % r)
            except Exception as e:  # noqa: BLE001 - any failure is reported
                self.failures.append(repr(e))
                return
            self.worst = max(self.worst, time.time() - t0)
            self.ok += 1
            self.halt.wait(0.005)

    def check(self, test, since):
        """Asserts no failure and progress since the count `since`."""
        test.assertEqual(self.failures, [])
        test.assertTrue(wait_until(lambda: self.ok > since + 2, 10), "canary stalled")

    def finish(self, test):
        self.halt.set()
        self.join(20)
        report("canary", calls=2 * self.ok, worst_round_trip_ms=int(self.worst * 1000))
        test.assertEqual(self.failures, [])
        self.client.close()


class HostileBase(unittest.TestCase):
    config = None

    @classmethod
    def setUpClass(cls):
        cls.w = start_server(cls.config)
        cls.canary = Canary(cls.w)
        cls.canary.start()

    @classmethod
    def tearDownClass(cls):
        tc = unittest.TestCase()  # for its assert methods
        try:
            cls.canary.finish(tc)
        finally:
            stop_server(tc, cls.w)

    def setUp(self):
        self.canary_at = self.canary.ok

    def tearDown(self):
        self.canary.check(self, self.canary_at)

    def baseline(self):
        """The server's (VmRSS KB, open descriptors) once it settled."""
        time.sleep(0.2)
        return rss_kb(self.w), fd_count(self.w)

    def assert_fds_back(self, fds0, timeout):
        self.assertTrue(wait_until(lambda: fd_count(self.w) <= fds0, timeout),
                        "server fds %d, baseline %d" % (fd_count(self.w), fds0))

    def login(self, device, user="ada"):
        c = self.w.client(device)
        self.assertEqual(c.login(user, "1234")["user"], user)
        return c

    def expect_error(self, c, method, args, codes, name=None, raw=False, why=""):
        """Sends one call, asserts an error in `codes` whose message names
        `name`; returns the error map."""
        c.msgid += 1
        c.send_raw(pack_request(c.msgid, method, args, raw_strings=raw))
        msg = c.wait(c.msgid)
        case = "%s %s %r" % (method, why, args if len(repr(args)) < 300 else "...")
        self.assertIsNotNone(msg[2], "accepted: " + case + " -> %r" % (msg[3],))
        self.assertIn(msg[2]["code"], codes, case + " -> %r" % msg[2])
        self.assertTrue(msg[2]["message"], case)
        if name is not None:
            self.assertIn("'%s'" % name, msg[2]["message"], case + " -> %r" % msg[2])
        return msg[2]


# ---- arguments -------------------------------------------------------------

class ArgumentMatrixTest(HostileBase):
    def test_table_is_protocol_md(self):
        """The table has every method of PROTOCOL.md, with its roles and txn
        flag: a method added there must be added here."""
        doc = documented_methods()
        self.assertEqual(sorted(doc), sorted(METHODS))
        for name, (roles, txn) in doc.items():
            self.assertEqual((METHODS[name][0], METHODS[name][1]), (roles, txn), name)

    def test_wrong_type_for_every_argument(self):
        c = self.login("HX-MATRIX")
        before = snapshot(self.w)
        n = 0
        for method in METHODS:
            for a in all_args(method):
                name, typ, presence = a[0], a[1], a[2]
                for wname, wval in WRONG.items():
                    if wname == OWN_TYPE[typ] or (wname == "nil" and presence != REQ):
                        continue
                    args = with_arg(base_args(method), name, wval)
                    self.expect_error(c, method, args, ("BAD_ARGS",), leaf(name),
                                      why="%s=%s" % (name, wname))
                    n += 1
                if typ == A:
                    # An element that is not what the array holds.
                    for elem in (5, "x", None):
                        err = self.expect_error(c, method, with_arg(base_args(method), name,
                                                                    [elem]), ("BAD_ARGS",))
                        self.assertIn(name + "[0]", err["message"])
                        n += 1
        self.assertGreater(n, 300)
        self.assertEqual(snapshot(self.w), before)
        c.close()
        report("wrong types", cases=n)

    def test_missing_required_arguments(self):
        c = self.login("HX-MISSING")
        before = snapshot(self.w)
        n = 0
        for method in METHODS:
            groups = {}
            for a in all_args(method):
                name, presence = a[0], a[2]
                if presence == REQ:
                    args = with_arg(base_args(method), name, None, drop=True)
                    self.expect_error(c, method, args, ("BAD_ARGS",), leaf(name),
                                      why="without " + name)
                    n += 1
                elif presence in (EITHER, ANY):
                    prefix = name.rsplit(".", 1)[0] if "." in name else ""
                    groups.setdefault((presence, prefix), []).append(name)
            for (presence, prefix), names in groups.items():
                args = base_args(method)
                for name in names:
                    args = with_arg(args, name, None, drop=True)
                err = self.expect_error(c, method, args, ("BAD_ARGS",), why="without any of "
                                        + "/".join(names))
                self.assertIn("'item'", err["message"])  # names what to give
                n += 1
        # No args at all: [] and [{}] for a method that needs some.
        for params in ([], [{}]):
            c.msgid += 1
            c.send_raw(msgpack.packb([0, c.msgid, "scan.resolve", params]))
            self.assertEqual(c.wait(c.msgid)[2]["code"], "BAD_ARGS")
            n += 1
        report("missing arguments", cases=n)
        self.assertEqual(snapshot(self.w), before)
        c.close()

    def test_unknown_extra_arguments_are_ignored(self):
        """Every method, called with valid args plus junk keys (of every
        type, also inside `lines`), succeeds as it would without them; the
        calls run in an order that makes each one succeed."""
        junk = {"zz_unknown": {"deep": [1, {"x": None}]}, "": 1, "qty2": -1, "Z" * 200: "y",
                "bin_blob": b"\xff\x00", "f": 2.5, "e": msgpack.ExtType(1, b"\x00")}

        def j(d):
            out = dict(junk)
            out.update(d)
            return out

        c = self.w.client()
        self.assertTrue(c.call("ping", j({}))["pong"])
        self.assertEqual(c.call("hello", j({"device": "HX-EXTRA", "proto": 1}))["device"],
                         "HX-EXTRA")
        self.assertEqual(c.call("login", j({"user": "ada", "pin": "1234"}))["role"], "admin")
        r = c.call("scan.resolve", j({"code": CASE}))
        self.assertEqual((r["kind"], r["qty"]), ("item", 24))
        c.call("receipt.create", j({"txn": next_txn(), "receipt": "HX-EXTRA-ASN",
                                    "lines": [j({"item": "B", "qty": 5})]}))
        r = c.call("receive.scan", j({"txn": next_txn(), "code": EACH, "qty": 3, "bin": "DOCK-01",
                                      "lot": "XL", "expiry": "2027-02-28"}))
        self.assertEqual((r["qty"], r["bin"]), (3, "DOCK-01"))
        r = c.call("receive.close", j({"txn": next_txn(), "receipt": "HX-EXTRA-ASN"}))
        self.assertEqual(r["lines"][0]["verdict"], "under")
        q = c.call("stock.query", j({"bin": "DOCK-01"}))
        self.assertTrue(any(row["lot"] == "XL" for row in q["rows"]))
        s = c.call("putaway.suggest", j({"item": "A", "qty": 1, "lot": "XL"}))
        self.assertIn("bin", s)
        r = c.call("putaway.confirm", j({"txn": next_txn(), "from": "DOCK-01", "to": "P3",
                                         "item": "A", "qty": 2, "lot": "XL"}))
        self.assertEqual(r["bin"], "P3")
        r = c.call("stock.move", j({"txn": next_txn(), "from": "P3", "to": "R2", "code": EACH,
                                    "qty": 1, "lot": "XL", "reason": "Umlagerung \u2713"}))
        self.assertEqual((r["bin"], r["qty"]), ("R2", 1))
        cnt = c.call("count.create", j({"txn": next_txn(), "bin": "R2", "reason": "Z\u00e4hlung"}))
        task = c.call("count.next", j({"txn": next_txn()}))
        self.assertEqual(task["bin"], cnt["bin"])
        res = c.call("count.submit", j({"txn": next_txn(), "count": task["count"],
                                        "lines": [j({"item": "A", "lot": "XL", "qty": 900})]}))
        self.assertEqual(res["status"], "pending_approval")
        res = c.call("count.approve", j({"txn": next_txn(), "count": task["count"],
                                         "approve": False}))
        self.assertEqual(res["count"], task["count"])
        r = c.call("events.subscribe", j({"topics": ["order.status", "pick.short"]}))
        self.assertEqual((r["topics"], type(r["after"])), (["order.status", "pick.short"], int))
        self.assertEqual(c.call("logout", j({})), {})
        self.assertEqual(c.error_of("stock.query", {"bin": "R2"}), "NOT_LOGGED_IN")
        c.close()

    def test_quantities_out_of_range_store_nothing(self):
        c = self.login("HX-QTY")
        before = snapshot(self.w)
        outcomes_before = stored_outcomes(self.w)
        n = 0
        values = (0, -1, -2 ** 31, -2 ** 63, 10 ** 9 + 1, 10 ** 12, 2 ** 63 - 1, 2 ** 63,
                  2 ** 64 - 1)
        for method in METHODS:
            for a in all_args(method):
                if a[1] != I:
                    continue
                name, meaning = a[0], a[4]
                for v in values:
                    if meaning == PROTO and 2 <= v <= 1000:
                        continue
                    if v == 0 and (meaning == PCT or name in ("lines[].qty", "qty_found")):
                        continue  # zero: a valid tolerance, expected or counted quantity
                    if meaning == PCT and 0 <= v <= 100:
                        continue
                    codes = ("BAD_QTY", "BAD_ARGS")
                    named = leaf(name)
                    if meaning == ID and 1 <= v < 2 ** 63:
                        codes, named = ("NOT_FOUND",), None  # a valid id, no such count
                    if meaning == PROTO:
                        codes = codes + ("UNSUPPORTED",)
                    self.expect_error(c, method, with_arg(base_args(method), name, v), codes,
                                      named, why="%s=%d" % (name, v))
                    n += 1
        # In range, but the case multiplies it past one booking's limit.
        err = self.expect_error(c, "receive.scan", {"txn": next_txn(), "code": CASE,
                                                    "qty": 41666667, "bin": "R1"}, ("BAD_QTY",))
        self.assertIn("24", err["message"])
        # Non-canonical encodings of a bad number (int8 0, int64 -1, uint64 0)
        # are numbers too.
        for enc in (b"\xd0\x00", b"\xd3" + b"\xff" * 8, b"\xcf" + b"\x00" * 8):
            c.msgid += 1
            body = msgpack.packb({"code": EACH, "bin": "R1", "txn": next_txn()})
            # map of 3 + "qty": <enc>
            body = bytes([0x84]) + body[1:] + msgpack.packb("qty") + enc
            c.send_raw(bytes([0x94, 0x00]) + msgpack.packb(c.msgid) +
                       msgpack.packb("receive.scan") + b"\x91" + body)
            msg = c.wait(c.msgid)
            self.assertEqual(msg[2]["code"], "BAD_QTY", msg)
            n += 1
        self.assertGreater(n, 60)
        report("quantities", cases=n)
        self.assertEqual(snapshot(self.w), before)
        # Only error outcomes were remembered for the refused txns.
        for key, outcome in stored_outcomes(self.w).items():
            if key not in outcomes_before:
                self.assertEqual(key[0], "HX-QTY")
                self.assertIsNotNone(outcome[0], (key, outcome))
        self.assertEqual(self.w.ctl("verify").returncode, 0)
        c.close()

    def test_hostile_strings(self):
        c = self.login("HX-STR")
        before = snapshot(self.w)
        n = 0
        k = 0
        for method in METHODS:
            for a in all_args(method):
                name, typ, presence = a[0], a[1], a[2]
                if typ != S:
                    continue
                nm = leaf(name)
                # A NUL byte inside.  (Every case gets a fresh txn: a txn used
                # again would get the first case's stored outcome.)
                err = self.expect_error(c, method, with_arg(base_args(method), name, "a\x00b"),
                                        ("BAD_ARGS",), nm, why=name + " with NUL")
                self.assertIn("NUL", err["message"])
                # Invalid UTF-8 in a MessagePack str (each variant in turn).
                bad = BAD_UTF8[k % len(BAD_UTF8)]
                k += 1
                args = with_arg(base_args(method), name, bad)  # packed as a str, not bin
                err = self.expect_error(c, method, args, ("BAD_ARGS",), nm, raw=True,
                                        why=name + " invalid UTF-8 %r" % bad)
                self.assertIn("UTF-8", err["message"], (method, name, bad))
                # 10 KB: longer than any argument may be.
                err = self.expect_error(c, method, with_arg(base_args(method), name, "x" * 10240),
                                        ("BAD_ARGS",), nm, why=name + " 10 KB")
                self.assertIn("longer", err["message"])
                n += 3
                if presence == REQ:
                    err = self.expect_error(c, method, with_arg(base_args(method), name, ""),
                                            ("BAD_ARGS",), nm, why=name + " empty")
                    self.assertIn("empty", err["message"])
                    n += 1
        # Every invalid UTF-8 variant on one argument, and valid UTF-8 that
        # is not printable ASCII where the protocol wants a device id.
        for bad in BAD_UTF8:
            self.expect_error(c, "scan.resolve", {"code": bad}, ("BAD_ARGS",), "code", raw=True)
            n += 1
        for dev in ("RF 1", "RF-\u00e9", "RF\x7f", "RF\t1"):
            self.expect_error(c, "hello", {"device": dev, "proto": 1}, ("BAD_ARGS",))
            n += 1
        # The largest string the stream accepts (64 KiB) gets a normal error
        # and the connection stays; one byte more is a BAD_FRAME (below).
        self.expect_error(c, "scan.resolve", {"code": "9" * 65536}, ("BAD_ARGS",), "code")
        self.assertTrue(c.call("ping")["pong"])
        self.assertGreater(n, 150)
        report("strings", cases=n)
        self.assertEqual(snapshot(self.w), before)
        c.close()

    def test_megabyte_strings_close_the_connection(self):
        """A string over 64 KiB (here 1 MB, and 64 KiB + 1) is a BAD_FRAME
        and a disconnect, whatever the method; other sessions go on."""
        before = snapshot(self.w)
        for method in METHODS:
            strs = [a[0] for a in all_args(method) if a[1] == S and "[" not in a[0]]
            if not strs:
                continue
            size = 10 ** 6 if method != "scan.resolve" else 65537
            args = with_arg(base_args(method), strs[0], "m" * size)
            r = Raw(self.w.port)
            r.send(pack_request(1, method, args))
            msgs = r.until_closed()
            self.assertEqual(len(msgs), 1, (method, msgs))
            self.assertEqual(msgs[0][:2], [2, "error"])
            self.assertEqual(msgs[0][2][0]["code"], "BAD_FRAME")
            self.assertIn("max_str", msgs[0][2][0]["message"])
            r.close()
        self.assertEqual(snapshot(self.w), before)


# ---- sessions and roles ----------------------------------------------------

class AuthMatrixTest(HostileBase):
    def call_all(self, c, expect, skip=()):
        n = 0
        for method in METHODS:
            if method in PUBLIC or method in skip:
                continue
            self.expect_error(c, method, base_args(method), (expect,), why="(%s)" % expect)
            n += 1
        return n

    def test_calls_before_hello_and_before_login(self):
        before = snapshot(self.w, STATE_TABLES + ("txn_outcomes",))
        c = self.w.client()  # no hello
        n = self.call_all(c, "NOT_LOGGED_IN")
        self.assertEqual(c.error_of("login", {"user": "ada", "pin": "1234"}), "BAD_ARGS")
        self.assertEqual(c.error_of("no.such.method", {}), "UNKNOWN_METHOD")
        self.assertTrue(c.call("ping")["pong"])
        c.hello("HX-ANON")
        n += self.call_all(c, "NOT_LOGGED_IN")
        self.assertTrue(c.call("ping")["pong"])
        # A failed login leaves the session logged out.
        self.assertEqual(c.error_of("login", {"user": "ada", "pin": "9999"}), "AUTH_FAILED")
        after_fail = snapshot(self.w, STATE_TABLES + ("txn_outcomes",))
        n += self.call_all(c, "NOT_LOGGED_IN")
        c.close()
        self.assertEqual(n, 3 * (len(METHODS) - len(PUBLIC)))
        self.assertEqual(snapshot(self.w, STATE_TABLES + ("txn_outcomes",)), after_fail)
        for t in STATE_TABLES + ("txn_outcomes",):
            self.assertEqual(after_fail[t], before[t], t)
        # After logout: the same refusals.
        c = self.login("HX-OUT", "sue")
        c.call("logout")
        n += self.call_all(c, "NOT_LOGGED_IN")
        c.close()
        report("calls before hello/login, after logout", cases=n + 3)
        self.assertEqual(snapshot(self.w, STATE_TABLES + ("txn_outcomes",)), after_fail)

    def test_calls_above_ones_role(self):
        before = snapshot(self.w, STATE_TABLES + ("txn_outcomes",))
        n = 0
        for user in ("pia", "rob"):
            c = self.login("HX-ROLE-" + user, user)
            for method, (roles, txn, _) in METHODS.items():
                if roles is None or ROLE_LETTER[user] in roles:
                    continue
                self.expect_error(c, method, base_args(method), ("FORBIDDEN",), why=user)
                n += 1
            c.close()
        self.assertEqual(n, sum((r is not None and "P" not in r) + (r is not None and "R" not in r)
                                for r, _, _ in METHODS.values()))
        self.assertGreaterEqual(n, 8 + 3)  # a picker: 8 methods or more; a receiver: 3
        self.assertEqual(snapshot(self.w, STATE_TABLES + ("txn_outcomes",)), before)
        # Supervisor-only options of methods a receiver may call: refused as
        # FORBIDDEN (remembered under the txn as an error), nothing booked.
        c = self.login("HX-ROLE-opt", "rob")
        self.expect_error(c, "receive.scan", {"txn": next_txn(), "code": EACH, "bin": "Q1",
                                              "quarantine": True}, ("FORBIDDEN",))
        for status, to_status in (("hold", None), (None, "quarantine"), ("quarantine", "hold")):
            args = {"txn": next_txn(), "from": "R1", "to": "R2", "item": "A", "qty": 1}
            if status:
                args["status"] = status
            if to_status:
                args["to_status"] = to_status
            self.expect_error(c, "stock.move", args, ("FORBIDDEN",))
        c.close()
        report("calls above one's role", cases=n + 4)
        after = snapshot(self.w, STATE_TABLES)
        for t in STATE_TABLES:
            self.assertEqual(after[t], before[t], t)


# ---- framing ---------------------------------------------------------------

def nested(depth):
    """A ping whose deepest container is at `depth` (the request array is at
    1, params 2, the args map 3, then arrays down to an empty one)."""
    return (msgpack.packb([0, 1, "ping"]).replace(b"\x93", b"\x94", 1) +
            b"\x91\x81" + msgpack.packb("pad") + b"\x91" * (depth - 4) + b"\x90")


PING = msgpack.packb([0, 1, "ping", []])

# Bytes that must get one BAD_FRAME notification and a disconnect.
CLOSE_CASES = [
    ("reserved byte 0xc1", b"\xc1"),
    ("0xc1 inside a request", PING[:-1] + b"\xc1"),
    ("nesting 17", nested(17)),
    ("nesting 1000", nested(1000)),
    ("bare nesting 1000", b"\x91" * 1000 + b"\xc0"),
    ("map32 of 2^32-1 entries", b"\xdf\xff\xff\xff\xff"),
    ("map32 of 2^32-1 entries in args", PING[:-1] + b"\x91\xdf\xff\xff\xff\xff"),
    ("array32 of 2^32-1", b"\xdd\xff\xff\xff\xff"),
    ("array16 of 4097", b"\xdc\x10\x01" + b"\x00" * 4097),
    ("map16 of 4097 header only", b"\xde\x10\x01"),
    ("str32 of 4 GB", b"\xdb\xff\xff\xff\xff"),
    ("str32 of 4 GB, 2 length bytes", b"\xdb\xff\xff"),
    ("str32 of 4 GB as the method", PING[:3] + b"\xdb\xff\xff\xff\xff"),
    ("bin32 of 4 GB", b"\xc6\xff\xff\xff\xff"),
    ("ext32 of 4 GB", b"\xc9\xff\xff\xff\xff\x05"),
    ("str16 of 65535 then str32 of 65537", b"\x92\xda\xff\xff" + b"s" * 65535 +
     b"\xdb\x00\x01\x00\x01"),
    ("ext16 of 65535 x 17 in one message (over 1 MiB)",
     b"\xdc\x00\x11" + (b"\xc8\xff\xff\x01" + b"e" * 65535) * 17),
    ("a scalar", b"\x05"),
    ("nil", b"\xc0"),
    ("a map", msgpack.packb({"a": 1})),
    ("empty array", b"\x90"),
    ("3 elements", msgpack.packb([0, 1, "ping"])),
    ("5 elements", msgpack.packb([0, 1, "ping", [], 0])),
    ("negative msgid", msgpack.packb([0, -1, "ping", []])),
    ("msgid 2^32", msgpack.packb([0, 2 ** 32, "ping", []])),
    ("msgid a string", msgpack.packb([0, "1", "ping", []])),
    ("msgid a float", msgpack.packb([0, 1.0, "ping", []])),
    ("notification from the client", msgpack.packb([2, "ping", [{}]])),
]

# Valid MessagePack with a readable msgid: a normal error, connection stays.
ANSWER_CASES = [
    ("type 1", [1, 5, "ping", []], "BAD_FRAME"),
    ("a response", [1, 5, None, None], "BAD_FRAME"),
    ("type -1", [-1, 5, "ping", []], "BAD_FRAME"),
    ("method an int", [0, 5, 123, []], "BAD_FRAME"),
    ("method nil", [0, 5, None, []], "BAD_FRAME"),
    ("method binary", [0, 5, b"ping", []], "BAD_FRAME"),
    ("method empty", [0, 5, "", []], "BAD_FRAME"),
    ("method 33 bytes", [0, 5, "p" * 33, []], "BAD_FRAME"),
    ("method 10 KB", [0, 5, "p" * 10240, []], "BAD_FRAME"),
    ("method upper case", [0, 5, "PING", []], "UNKNOWN_METHOD"),
    ("method with NUL", [0, 5, "ping\x00", []], "UNKNOWN_METHOD"),
    ("method unknown", [0, 5, "no.such", []], "UNKNOWN_METHOD"),
    ("args a string", [0, 5, "ping", "not-a-list"], "BAD_ARGS"),
    ("args a map", [0, 5, "ping", {}], "BAD_ARGS"),
    ("args nil", [0, 5, "ping", None], "BAD_ARGS"),
    ("args two maps", [0, 5, "ping", [{}, {}]], "BAD_ARGS"),
    ("args [5]", [0, 5, "ping", [5]], "BAD_ARGS"),
    ("args [[]]", [0, 5, "ping", [[]]], "BAD_ARGS"),
    ("args with an int key", [0, 5, "ping", [{1: 2}]], "BAD_ARGS"),
    ("args with a binary key", [0, 5, "ping", [{b"k": 2}]], "BAD_ARGS"),
]


class FramingTest(HostileBase):
    def expect_close(self, why, data, chunk=None):
        r = Raw(self.w.port)
        if chunk:
            for i in range(0, len(data), chunk):
                if not r.send(data[i:i + chunk]):
                    break
        else:
            r.send(data)
        msgs = r.until_closed()
        r.close()
        self.assertEqual(len(msgs), 1, "%s: %r" % (why, msgs))
        self.assertEqual(msgs[0][:2], [2, "error"], why)
        self.assertEqual(msgs[0][2][0]["code"], "BAD_FRAME", why)
        return msgs[0][2][0]["message"]

    def test_malformed_streams_are_closed(self):
        for why, data in CLOSE_CASES:
            self.expect_close(why, data)
        report("malformed streams", cases=len(CLOSE_CASES) + 1)
        # The guard judges a header as soon as its bytes arrive: a 4 GB
        # claim is refused without the client sending anything more.
        r = Raw(self.w.port, timeout=5)
        r.send(b"\x94\x00\x01\xdb\xff")
        self.assertEqual(r.next()[2][0]["code"], "BAD_FRAME")
        r.close()

    def test_wrong_shape_with_msgid_is_answered(self):
        r = Raw(self.w.port)
        for i, (why, req, code) in enumerate(ANSWER_CASES):
            req = list(req)
            req[1] = 100 + i
            r.send(msgpack.packb(req, use_bin_type=True))
            m = r.response(100 + i)
            self.assertIsNotNone(m[2], why)
            self.assertEqual(m[2]["code"], code, "%s: %r" % (why, m))
        # Invalid UTF-8 in the method name.
        r.send(msgpack.Packer(use_bin_type=False).pack([0, 200, b"p\xffng", []]))
        self.assertEqual(r.response(200)[2]["code"], "UNKNOWN_METHOD")
        # The connection is still good, and edge msgids are echoed.
        for msgid in (0, 2 ** 32 - 1):
            r.send(msgpack.packb([0, msgid, "ping", [{}]]))
            self.assertTrue(r.response(msgid)[3]["pong"])
        # A msgid in a non-canonical encoding (uint64, int8) is still a msgid.
        for enc, msgid in ((b"\xcf" + (7).to_bytes(8, "big"), 7), (b"\xd0\x08", 8)):
            r.send(b"\x94\x00" + enc + msgpack.packb("ping") + b"\x90")
            self.assertTrue(r.response(msgid)[3]["pong"])
        r.close()
        report("wrong shapes answered", cases=len(ANSWER_CASES) + 5)

    def test_size_limit_boundary(self):
        """A message of exactly 1 MiB is served; one byte more is refused
        (also when it arrives in pieces)."""
        def ping_of(total):
            """A ping of exactly `total` bytes, padded with 60 KB strings."""
            pads = {}
            while len(msgpack.packb([0, 9, "ping", [pads]])) + 60010 < total - 1000:
                pads["p%03d" % len(pads)] = "x" * 60000
            pads["last"] = ""
            # "last" gets a str16 header (3 bytes instead of 1): 1000..62000 bytes
            pads["last"] = "y" * (total - len(msgpack.packb([0, 9, "ping", [pads]])) - 2)
            data = msgpack.packb([0, 9, "ping", [pads]])
            self.assertEqual(len(data), total)
            return data

        r = Raw(self.w.port)
        r.send(ping_of(MIB))
        self.assertTrue(r.response(9)[3]["pong"])
        # A 1 MiB message with more calls right behind it in the stream (the
        # server once took the read that carried both for one oversized
        # message).
        pings = b"".join(msgpack.packb([0, 100 + i, "ping", []]) for i in range(50))
        for _ in range(3):
            r.send(ping_of(MIB) + pings)
            self.assertTrue(r.response(9)[3]["pong"])
            self.assertTrue(all(r.response(100 + i)[3]["pong"] for i in range(50)))
        r.close()
        msg = self.expect_close("1 MiB + 1", ping_of(MIB + 1))
        self.assertIn("max_bytes", msg)
        self.expect_close("1 MiB + 1 in 4 KiB pieces", ping_of(MIB + 1), chunk=4096)
        # Depth 16 is the deepest allowed.
        r = Raw(self.w.port)
        r.send(nested(16))
        self.assertTrue(r.response(1)[3]["pong"])
        r.close()

    def test_truncated_requests_at_every_byte(self):
        """A request cut at every byte and the connection closed (shutdown
        for writing): the server answers nothing, closes, and lives on."""
        c = self.w.client("HX-TRUNC")
        req = msgpack.packb([0, 77, "login", [{"user": "rob", "pin": "1234"}]])
        scan = msgpack.packb([0, 78, "scan.resolve", [{"code": GS1}]])
        n = 0
        for data in (req, scan):
            for cut in range(1, len(data)):
                r = Raw(self.w.port, timeout=10)
                r.send(data[:cut])
                r.sock.shutdown(socket.SHUT_WR)
                self.assertEqual(r.until_closed(), [], "cut at %d" % cut)
                r.close()
                n += 1
        # Cut mid-message after a whole one: the whole one is answered.
        r = Raw(self.w.port)
        r.send(PING + scan[:10])
        self.assertTrue(r.response(1)[3]["pong"])
        r.sock.shutdown(socket.SHUT_WR)
        self.assertEqual(r.until_closed(), [])
        r.close()
        # And cut with an abortive close (RST) at a few places.
        for cut in (1, 5, len(scan) // 2, len(scan) - 1):
            s = socket.create_connection(("127.0.0.1", self.w.port))
            s.sendall(scan[:cut])
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
            s.close()
        self.assertEqual(n, len(req) + len(scan) - 2)
        report("truncated requests", cases=n + 5)
        self.assertTrue(c.call("ping")["pong"])
        c.close()

    def test_one_byte_at_a_time(self):
        r = Raw(self.w.port)
        reqs = [(1, "hello", {"device": "HX-DRIP", "proto": 1}),
                (2, "login", {"user": "rob", "pin": "1234"}),
                (3, "scan.resolve", {"code": GS1}),
                (4, "receive.scan", {"txn": "drip-1", "code": EACH, "bin": "R2", "qty": 2})]
        res = {}
        for i, m, a in reqs:
            # Each request waits for the one before (login takes effect when
            # its answer is out, not when it was sent).
            for b in msgpack.packb([0, i, m, [a]]):
                r.sock.send(bytes([b]))
                time.sleep(0.0003)
            res[i] = r.response(i)
        self.assertEqual(res[2][3]["role"], "receiver")
        self.assertEqual(res[3][3]["lot"], "12AB")
        self.assertEqual((res[4][2], res[4][3]["qty"]), (None, 2))
        self.assertEqual(self.w.sql("SELECT count(*) FROM journal WHERE txn='drip-1'")[0][0], 1)
        r.close()


# ---- resources ---------------------------------------------------------------

class RssPeak(threading.Thread):
    """Samples the server's VmRSS every 10 ms until stopped; .peak in KB."""

    def __init__(self, w):
        super().__init__(daemon=True)
        self.w = w
        self.peak = rss_kb(w)
        self.halt = threading.Event()

    def run(self):
        while not self.halt.wait(0.01):
            self.peak = max(self.peak, rss_kb(self.w))

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.halt.set()
        self.join(5)


class ResourceTest(HostileBase):
    """Memory and descriptors under floods, churn and many idle sessions.
    The figures measured are printed to stderr for the record."""

    def hog(self, device):
        """A logged-in session with a tiny receive buffer that never reads.
        (Logged in before any RSS is sampled: a PIN check briefly takes
        32 MiB for Argon2.)"""
        r = Raw(self.w.port, rcvbuf=4096, timeout=5)
        r.send(msgpack.packb([0, 1, "hello", [{"device": device, "proto": 1}]]) +
               msgpack.packb([0, 2, "login", [{"user": "rob", "pin": "1234"}]]))
        time.sleep(0.3)
        return r

    def flood(self, r, req, burst, pause, limit_s):
        """Sends `req` in bursts until the server cuts the session off;
        returns the number of requests sent by then."""
        data = req * burst
        sent = 0
        end = time.time() + limit_s
        while time.time() < end:
            if not r.send(data):
                return sent
            sent += burst
            if pause:
                time.sleep(pause)
        self.fail("a client that never reads was not cut off after %d requests" % sent)

    def test_a_client_that_never_reads(self):
        # A bin with 500 stock rows: a stock.query answer of about 35 KB.
        c = self.login("HX-FILL", "rob")
        ids = []
        blob = b""
        for i in range(500):
            mid, d = c.request_bytes("receive.scan", {"txn": "fill-%d" % i, "code": EACH,
                                                      "bin": "R2", "lot": "F%03d" % i})
            ids.append(mid)
            blob += d
        c.send_raw(blob)
        for mid in ids:
            self.assertIsNone(c.wait(mid)[2])
        c.close()
        rss0, fds0 = self.baseline()
        # 1. Pipelining pings without waiting (20000 per write): cut at the
        # in-flight cap.  (Before that cap, 1M pings grew the server 1.4 GB.)
        r = self.hog("HX-HOG-1")
        time.sleep(0.3)
        with RssPeak(self.w) as peak:
            sent = self.flood(r, msgpack.packb([0, 3, "ping", []]), 20000, 0, 20)
            time.sleep(0.3)
        report("non-reader pipelining", requests=sent, base_rss_kb=rss0, peak_rss_kb=peak.peak,
               after_rss_kb=rss_kb(self.w))
        self.assertLess(peak.peak - rss0, 64 * 1024)
        # The peer stays connected and silent: the server drops it anyway
        # (after trying to flush its last words for a few seconds).
        self.assert_fds_back(fds0, 10)
        r.close()
        self.assertIn("BUSY: client is not reading", self.w.log_text())
        # 2. Paced so the server keeps up: cut at the output queue cap
        # (4 MiB), and dropped at once.
        r = self.hog("HX-HOG-2")
        time.sleep(0.3)
        with RssPeak(self.w) as peak:
            query = msgpack.packb([0, 3, "stock.query", [{"bin": "R2"}]])
            sent = self.flood(r, query, 10, 0.02, 30)
            time.sleep(0.3)
        report("non-reader paced", requests=sent, base_rss_kb=rss0, peak_rss_kb=peak.peak,
               after_rss_kb=rss_kb(self.w))
        self.assertLess(peak.peak - rss0, 64 * 1024)
        self.assert_fds_back(fds0, 3)
        r.close()
        self.assertIn("TOO_LARGE: client is not reading", self.w.log_text())
        self.assertLess(rss_kb(self.w) - rss0, 64 * 1024)
        # A fresh client works.
        c = self.login("HX-AFTER-HOG", "rob")
        self.assertEqual(c.call("scan.resolve", {"code": CASE})["qty"], 24)
        c.close()

    def test_b_connection_churn(self):
        rss0, fds0 = self.baseline()
        hello = msgpack.packb([0, 1, "hello", [{"device": "HX-CHURN", "proto": 1}]])
        t0 = time.time()
        with RssPeak(self.w) as peak:
            for i in range(3000):
                s = socket.create_connection(("127.0.0.1", self.w.port))
                k = i % 6
                if k == 1:
                    s.sendall(PING[:3])  # mid-message
                elif k == 2:
                    s.sendall(hello)  # after hello, the answer unread
                elif k == 3:
                    s.sendall(PING)
                    s.recv(100)
                elif k == 4:
                    s.sendall(b"\xc1")  # garbage
                elif k == 5:  # abortive close mid-message
                    s.sendall(hello[:9])
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
                s.close()
            secs = time.time() - t0
            self.assert_fds_back(fds0, 10)
        rss1 = rss_kb(self.w)
        report("3000 connect/close", secs="%.1f" % secs, rss_before_kb=rss0,
               peak_rss_kb=peak.peak, rss_after_kb=rss1, fds_before=fds0,
               fds_after=fd_count(self.w))
        self.assertLess(rss1 - rss0, 16 * 1024)
        self.assertLess(peak.peak - rss0, 64 * 1024)
        c = self.login("HX-AFTER-CHURN", "rob")
        self.assertTrue(c.call("ping")["pong"])
        c.close()


class IdleConnectionsTest(HostileBase):
    """On a server of its own, so the heap freed by other tests does not
    hide what the connections cost."""

    def open_conns(self, n, hello):
        conns = []
        try:
            for _ in range(n):
                conns.append(socket.create_connection(("127.0.0.1", self.w.port)))
        except OSError:
            for s in conns:
                s.close()
            raise
        if hello:
            data = msgpack.packb([0, 1, "hello", [{"device": "HX-IDLE", "proto": 1}]])
            for s in conns:
                s.sendall(data)
            for s in conns:
                s.settimeout(10)
                self.assertEqual(s.recv(4096)[:4], b"\x94\x01\x01\xc0")  # [1, 1, nil, ...
        return conns

    def settled_rss(self, fds):
        self.assertTrue(wait_until(lambda: fd_count(self.w) >= fds, 10))
        time.sleep(0.3)
        return rss_kb(self.w)

    def test_idle_connections(self):
        """2000 connections held open: 1000 after hello (which also warms
        the allocator), then 1000 more idle, then those say hello too.  The
        cost per connection is the RSS growth over the second 1000.  (Fewer
        only where the descriptor limit cannot be raised to 2000 + some.)"""
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        half = 1000 if soft == resource.RLIM_INFINITY else min(1000, (soft - 100) // 2)
        rss0, fds0 = self.baseline()
        conns = []
        try:
            conns += self.open_conns(half, True)
            rss1 = self.settled_rss(fds0 + half)
            more = self.open_conns(half, False)
            conns += more
            rss2 = self.settled_rss(fds0 + 2 * half)
            for s in more:
                s.sendall(msgpack.packb([0, 1, "hello", [{"device": "HX-IDLE", "proto": 1}]]))
            for s in more:
                s.settimeout(10)
                self.assertEqual(s.recv(4096)[:4], b"\x94\x01\x01\xc0")
            rss3 = self.settled_rss(fds0 + 2 * half)
            idle = (rss2 - rss1) * 1024 / half
            hello = (rss3 - rss1) * 1024 / half
            overall = (rss3 - rss0) * 1024 / (2 * half)
            report("%d idle connections" % (2 * half), rss_base_kb=rss0,
                   rss_half_hello_kb=rss1, rss_plus_half_idle_kb=rss2, rss_all_hello_kb=rss3,
                   bytes_per_idle_conn=int(idle), bytes_per_conn_after_hello=int(hello),
                   bytes_per_conn_overall=int(overall))
            self.assertLess(idle, 16 * 1024)
            self.assertLess(hello, 16 * 1024)
            # The canary is served while they sit there.
            self.canary.check(self, self.canary.ok)
        finally:
            for s in conns:
                s.close()
        self.assert_fds_back(fds0, 10)
        c = self.login("HX-AFTER-IDLE", "rob")
        self.assertTrue(c.call("ping")["pong"])
        c.close()


if __name__ == "__main__":
    warnings.simplefilter("ignore", ResourceWarning)
    unittest.main(verbosity=2)
