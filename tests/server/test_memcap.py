"""The server-wide memory cap (config key max_buffered): many connections
together may not make wmsd hold more than max_buffered bytes of input being
assembled, requests waiting, responses prepared and output queued.

Each connection alone stays under its own caps (a 1 MiB message, 4 MiB of
queued output), so without the global cap 16 logged-in clients that send
queries with 35 KB answers and never read them make the server grow by
about 60 MiB (70 MB of answers prepared in one batch), and 56 clients that
each send most of a 1 MiB message and stop make it hold 56 MiB.  Each crowd
runs twice, on a fresh server each time: with the default cap (256 MiB:
the growth is measured, and must break the bound below, or the test
proves nothing) and with max_buffered = 8 MiB, where the server's VmRSS
must grow by less than the cap plus a fixed allowance, the connections
holding the most are closed with a BUSY notice naming the limit, and a
canary client that reads its answers is served throughout.
(What holds the hogs is mostly that a batch stops preparing answers once
the cap is full, the rest waiting for the next batch; what holds the
drippers is closing the biggest and pausing reads until memory is freed.)

Run by ctest with /usr/bin/python3 (env WMSD, WMSCTL, WMS_TMP); meant to
pass against the ASan+UBSan build too."""
import os
import socket
import sys
import threading
import time
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import msgpack  # noqa: E402
from test_hostile import (MIB, WMSD, Canary, Raw, RssPeak, fd_count, is_asan,  # noqa: E402
                          report, rss_kb, start_server, stop_server, wait_until)

CAP = 8 * MIB
CAPPED = "max_buffered = %d\n" % CAP
# What the capped server may grow by: the cap, plus what is not counted in
# it (the 64 KiB read buffer, libuv and SQLite working memory, allocator
# slack; under ASan also its 4 MB quarantine, redzones and shadow memory).
# Measured growth with the cap: hogs 6.5 MiB, drippers 9 MiB (plain), 21 and
# 16 MiB (ASan); without it: 59 and 51 MiB, resp. 124 and 62 MiB.
ALLOWANCE = (24 if is_asan(WMSD) else 8) * MIB
BOUND = CAP + ALLOWANCE
HOGS = 16
QUERIES = 125  # per hog: 4.4 MB of answers, over the 4 MiB a connection may queue
DRIPPERS = 56


def fill_bin(w):
    """A bin with 500 quants: a stock.query answer of about 35 KB."""
    c = w.client("MC-FILL")
    c.login("rob", "1234")
    ids, blob = [], b""
    for i in range(500):
        mid, d = c.request_bytes("receive.scan", {"txn": "mc-fill-%d" % i, "code": "4006381333931",
                                                  "bin": "R2", "lot": "M%03d" % i})
        ids.append(mid)
        blob += d
    c.send_raw(blob)
    for mid in ids:
        assert c.wait(mid)[2] is None
    c.close()


def cpu_s(w):
    """CPU seconds the server has used."""
    with open("/proc/%d/stat" % w.proc.pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(w, timeout=60):
    """Waits until the server uses under 20% of a CPU for half a second."""
    end = time.time() + timeout
    last = cpu_s(w)
    while time.time() < end:
        time.sleep(0.5)
        now = cpu_s(w)
        if now - last < 0.1:
            return True
        last = now
    return False


class Hog(threading.Thread):
    """A logged-in connection that sends QUERIES stock.query calls at once
    (4 KB) and never reads an answer."""

    def __init__(self, port, n, deadline):
        super().__init__(daemon=True)
        self.r = Raw(port, rcvbuf=4096, timeout=0.5)
        self.r.sock.sendall(msgpack.packb([0, 1, "hello", [{"device": "MC-HOG-%d" % n,
                                                             "proto": 1}]]) +
                            msgpack.packb([0, 2, "login", [{"user": "rob", "pin": "1234"}]]))
        self.deadline = deadline
        self.sent = 0

    def run(self):
        burst = msgpack.packb([0, 3, "stock.query", [{"bin": "R2"}]]) * QUERIES
        while time.time() < self.deadline:
            try:
                self.r.sock.sendall(burst)
                self.sent = QUERIES
                return
            except socket.timeout:
                continue  # the server is not reading (paused)
            except OSError:
                return  # closed by the server

    def close(self):
        self.r.close()


def big_ping():
    """A legal ping of about 1 MB (strings stay under max_str, 64 KiB)."""
    data = msgpack.packb([0, 9, "ping", [{"p%02d" % i: "x" * 60000 for i in range(17)}]])
    assert MIB - 65536 < len(data) <= MIB
    return data


class MemCapTest(unittest.TestCase):
    def run_hogs(self, w):
        """HOGS non-reading hogs, until the server has answered (or
        dropped) every call they sent; returns (RSS growth KB, hogs shed
        for the memory cap, calls sent)."""
        fds0 = fd_count(w)
        shed0 = w.log_text().count("server memory limit reached")
        hogs = [Hog(w.port, n, time.time() + 30) for n in range(HOGS)]
        time.sleep(1.5)  # logged in (argon2 runs before any RSS is sampled)
        rss0 = rss_kb(w)
        with RssPeak(w) as peak:
            for h in hogs:
                h.start()
            for h in hogs:
                h.join(40)
            calls = sum(h.sent for h in hogs)
            # The calls the server took are all run once it is idle (the
            # answers wait in the queues of the hogs not closed).
            self.assertTrue(wait_idle(w), "wmsd still busy after 60 s")
        for h in hogs:
            h.r.close()
        self.assertTrue(wait_until(lambda: fd_count(w) <= fds0, 15))
        shed = w.log_text().count("server memory limit reached") - shed0
        return peak.peak - rss0, shed, calls

    def run_drippers(self, w):
        """DRIPPERS connections each sending all but 64 KB of a 1 MB message and
        then nothing; returns (RSS growth KB, BUSY notices they got)."""
        rss0, fds0 = rss_kb(w), fd_count(w)
        data = big_ping()
        part = data[:len(data) - 65536]
        conns = []
        with RssPeak(w) as peak:
            for _ in range(DRIPPERS):
                r = Raw(w.port, timeout=10)
                r.send(part)
                conns.append(r)
            time.sleep(1.5)
        notices = []
        for r in conns:
            r.sock.settimeout(0.2)
            try:
                m = r.next()
            except (socket.timeout, OSError):
                m = None
            if m is not None and m[:2] == [2, "error"]:
                notices.append(m[2][0])
            r.close()
        self.assertTrue(wait_until(lambda: fd_count(w) <= fds0, 15))
        return peak.peak - rss0, notices

    def crowd(self, config, which):
        """Runs one crowd ("hogs" or "drippers") against a fresh server
        (so no heap freed by another crowd hides what this one costs) with a
        canary that reads its answers; returns (RSS growth KB, detail, log)."""
        w = start_server(config)
        canary = None
        try:
            if which == "hogs":
                fill_bin(w)
            canary = Canary(w)
            canary.start()
            at = canary.ok
            if which == "hogs":
                growth, shed, sent = self.run_hogs(w)
                detail = {"shed": shed, "requests": sent}
            else:
                growth, notices = self.run_drippers(w)
                detail = {"notices": notices}
            canary.check(self, at)
            if which == "hogs":
                # The server is whole: a fresh client logs in and works.
                c = w.client("MC-AFTER")
                c.login("rob", "1234")
                self.assertEqual(len(c.call("stock.query", {"bin": "R2"})["rows"]), 500)
                c.close()
            return growth, detail, w.log_text()
        finally:
            if canary is not None:
                canary.finish(self)
            stop_server(self, w)

    def test_hogs_that_never_read(self):
        free, fd, _ = self.crowd(None, "hogs")
        capped, cd, _ = self.crowd(CAPPED, "hogs")
        report("16 non-reading hogs", rss_growth_kb_default_cap=free, rss_growth_kb_8mib_cap=capped,
               requests=cd["requests"], shed=cd["shed"])
        # Without the cap they break the bound; with it, VmRSS grows by less
        # than the cap and the allowance.
        self.assertEqual(fd["shed"], 0)
        self.assertGreater(free, BOUND // 1024)
        self.assertLess(capped, BOUND // 1024)
        self.assertEqual(cd["requests"], HOGS * QUERIES)
        # (Held mostly by a batch not preparing more answers than the cap:
        # the rest waits for the next batch.  The kernel's socket buffers
        # take much of what is sent, so the hogs' queues rarely reach the
        # cap; `shed` says how often one was closed for it.)

    def test_drippers_that_never_finish(self):
        free, fd, flog = self.crowd(None, "drippers")
        capped, cd, clog = self.crowd(CAPPED, "drippers")
        notices = cd["notices"]
        report("56 unfinished 1 MB messages", rss_growth_kb_default_cap=free,
               rss_growth_kb_8mib_cap=capped, busy_notices=len(notices),
               shed_in_log=clog.count("server memory limit reached"))
        self.assertEqual(fd["notices"], [])
        self.assertNotIn("server memory limit", flog)
        self.assertGreater(free, BOUND // 1024)
        self.assertLess(capped, BOUND // 1024)
        # Shed: the connections holding the most were closed with a BUSY
        # notice naming the limit, and reading resumed once memory was freed.
        self.assertIn("BUSY: server memory limit reached (max_buffered %d bytes)" % CAP, clog)
        self.assertIn("reading again", clog)
        self.assertGreater(len(notices), DRIPPERS // 4)
        self.assertLess(len(notices), DRIPPERS)  # not everyone: only down to 7/8 of the cap
        for n in notices:
            self.assertEqual(n["code"], "BUSY", n)
            self.assertIn("max_buffered", n["message"])


if __name__ == "__main__":
    warnings.simplefilter("ignore", ResourceWarning)
    unittest.main(verbosity=2)
