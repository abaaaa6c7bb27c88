"""A minimal third-party client of the handheld protocol v1 (MessagePack-RPC
over TCP), used by integration tests, benchmarks and the simulator's
checks.  Needs only python3-msgpack."""
import os
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

import msgpack


class RpcError(Exception):
    def __init__(self, err):
        self.code = err.get("code")
        self.message = err.get("message")
        self.err = err
        super().__init__("%s: %s" % (self.code, self.message))


class Client:
    def __init__(self, port, device=None, host="127.0.0.1", timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.unpacker = msgpack.Unpacker(raw=False, max_buffer_size=8 << 20)
        self.msgid = 0
        self.notes = []
        self.backlog = {}
        if device:
            self.hello(device)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send_raw(self, data):
        self.sock.sendall(data)

    def request_bytes(self, method, args=None, msgid=None):
        if msgid is None:
            self.msgid += 1
            msgid = self.msgid
        return msgid, msgpack.packb([0, msgid, method, [args or {}]], use_bin_type=True)

    def recv_msg(self):
        """Next message from the server, or None at EOF."""
        while True:
            for msg in self.unpacker:
                return msg
            data = self.sock.recv(65536)
            if not data:
                return None
            self.unpacker.feed(data)

    def wait(self, msgid):
        if msgid in self.backlog:
            return self.backlog.pop(msgid)
        while True:
            msg = self.recv_msg()
            if msg is None:
                raise ConnectionError("server closed the connection")
            if msg[0] == 2:
                self.notes.append(msg)
                continue
            if msg[1] == msgid:
                return msg
            self.backlog[msg[1]] = msg

    def call_full(self, method, args=None):
        msgid, data = self.request_bytes(method, args)
        self.sock.sendall(data)
        return self.wait(msgid)

    def call(self, method, args=None):
        msg = self.call_full(method, args)
        if msg[2] is not None:
            raise RpcError(msg[2])
        return msg[3]

    def error_of(self, method, args=None):
        msg = self.call_full(method, args)
        if msg[2] is None:
            raise AssertionError("%s succeeded, expected an error: %r" % (method, msg[3]))
        return msg[2]["code"]

    def hello(self, device):
        return self.call("hello", {"device": device, "proto": 1, "client": "pytest/1"})

    def login(self, user, pin):
        return self.call("login", {"user": user, "pin": pin})


class Wmsd:
    """Starts wmsd on a fresh database made with wmsctl, on a free port."""

    def __init__(self, wmsd, wmsctl, setup=None, extra=(), config=None, tmp=None):
        self.wmsd = wmsd
        self.wmsctl = wmsctl
        self.dir = tempfile.mkdtemp(prefix="wmsd-", dir=tmp)
        self.db = os.path.join(self.dir, "wms.db")
        self.log = open(os.path.join(self.dir, "wmsd.log"), "w+")
        self.extra = list(extra)
        self.config = config
        self.ctl("init")
        if setup:
            setup(self)
        self.proc = None
        self.start()

    def ctl(self, *args, stdin=None, check=True):
        r = subprocess.run([self.wmsctl, "--db", self.db] + list(args), input=stdin,
                           capture_output=True, text=True,
                           env=dict(os.environ, WMS_TODAY="2026-11-23"))
        if check and r.returncode != 0:
            raise AssertionError("wmsctl %s failed: %s" % (" ".join(args), r.stderr))
        return r

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def start(self):
        args = [self.wmsd, "--db", self.db, "--listen", "127.0.0.1:0"] + self.extra
        if self.config:
            args += ["--config", self.write("wmsd.conf", self.config)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on port "):
            self.proc.kill()
            raise AssertionError("wmsd did not start: %r\n%s" % (line, self.log_text()))
        self.port = int(line.split()[-1])

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        return self.proc.returncode

    def log_text(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def client(self, device=None):
        return Client(self.port, device)

    def sql(self, query, *args):
        c = sqlite3.connect(self.db, timeout=10)
        try:
            return c.execute(query, args).fetchall()
        finally:
            c.close()


def standard_setup(w):
    """A small warehouse: 2 aisles, bins, items A (case 24) and B, C/D
    sharing a code, and users of each role (PIN 1234 unless noted)."""
    w.ctl("import", "layout", w.write("layout.csv",
          "kind,id,x_m,y_m,length_m\ndepot,D,0,,\naisle,A1,0,,20\naisle,A2,5,,20\n"))
    w.ctl("import", "bins", w.write("bins.csv",
          "code,zone,type,aisle,y_m,capacity,blocked\n"
          "DOCK-01,Z1,dock,A1,1,0,0\nP1,Z1,pick,A1,2,100,0\nP2,Z1,pick,A1,4,0,0\n"
          "R1,Z1,reserve,A2,10,0,0\nQ1,Z1,quarantine,A2,12,0,0\nX1,Z1,pick,A2,14,0,1\n"
          "P3,Z1,pick,A1,6,0,0\nR2,Z1,reserve,A2,16,0,0\n"))
    w.ctl("import", "items", w.write("items.csv",
          "sku,description\nA,Apple juice 1l\nB,Bolts\nC,Cola\nD,Diet cola\nE,Eggs\n"))
    w.ctl("import", "packs", w.write("packs.csv", "sku,level,units\nA,case,24\n"))
    w.ctl("import", "barcodes", w.write("barcodes.csv",
          "code,sku,level\n4006381333931,A,each\n14006381333938,A,case\n"
          "CAN-42,C,each\nCAN-42,D,each\nEGG-1,E,each\n"))
    w.ctl("import", "customers", w.write("customers.csv",
          "customer,name,credit,hold_value\nGREEN,Green Grocer,green,\nRED,Red Rover,red,\n"
          "YEL,Yellow Ltd,yellow,100.00\n"))
    for name, role in (("pia", "picker"), ("rob", "receiver"), ("sue", "supervisor"),
                       ("ada", "admin"), ("lou", "picker")):
        w.ctl("user", "add", name, "--role", role, stdin="1234\n")
