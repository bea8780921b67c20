# SPDX-License-Identifier: ISC
"""Integration test harness for daytimed: stdlib only, loopback only.

The one set of helpers every integration script and the soak share: start
the REAL daemon in the foreground on high loopback ports and write its
configuration; collect what it sends to syslog (a socket of our own, or a
private rsyslogd); talk to it over TCP and UDP; run the programs (daytimed,
daytime, daytimed-audit) and the ident servers (fakeident.py, oidentd);
look at processes in /proc and stop the ones we started, by PID; temporary
directories; and a tiny ordered test runner whose every test is bounded in
time.  Nothing here sleeps a fixed time: every wait polls against a
deadline (poll_until).

Environment: DAYTIMED, DAYTIME and DAYTIMED_AUDIT name the programs
(defaults: ../../daytimed, ../../daytime and ../../daytimed-audit relative
to this file, i.e. an in-tree build).
"""

import atexit
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
DAYTIMED = os.environ.get("DAYTIMED") or os.path.join(HERE, "..", "..", "daytimed")
DAYTIME = os.environ.get("DAYTIME") or os.path.join(HERE, "..", "..", "daytime")
DAYTIMED_AUDIT = os.environ.get("DAYTIMED_AUDIT") or os.path.join(
    HERE, "..", "..", "daytimed-audit")
# Seals chains with the daemon's own code (tests/integration/audit_emit.c).
AUDIT_EMIT = os.environ.get("AUDIT_EMIT") or os.path.join(
    os.path.dirname(os.path.abspath(DAYTIMED_AUDIT)), "tests",
    "integration", "audit_emit")

PORT_LOW, PORT_HIGH = 20000, 60000
DEFAULT_TEST_TIMEOUT = 60.0
POLL = 0.02  # seconds between two looks at something we wait for

DAYS = b"Mon|Tue|Wed|Thu|Fri|Sat|Sun"
MONTHS = b"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
# The whole TCP answer or UDP datagram: one ctime line ending in CR LF.
# \Z rather than $: $ would also accept one extra trailing "\n".
CTIME_RE = re.compile(
    rb"^(" + DAYS + rb") (" + MONTHS + rb") [ 1-3]\d \d\d:\d\d:\d\d \d{4}\r\n\Z")


class Skip(Exception):
    """Raise in a test to report it as skipped, with the reason."""


class TestTimeout(Exception):
    """Raised inside a test that ran past its time bound."""


class DaemonError(Exception):
    """The daemon failed to start, or misbehaved while stopping."""


def need_root(why="needs root (privilege drop, chroot)"):
    """Skip the test unless we run as root."""
    if os.geteuid() != 0:
        raise Skip(why)


def asan_build(path=None):
    """True when the program (default $DAYTIMED) is built with
    AddressSanitizer."""
    with open(path or DAYTIMED, "rb") as f:
        return b"__asan_init" in f.read()


def need_ipv6():
    """Skip the test unless ::1 can be bound."""
    if not have_ipv6():
        raise Skip("no IPv6 loopback")


UNPACK_DIR = os.environ.get("DAYTIMED_TEST_DEBS") or "/var/tmp/daytimed-test-debs"

# Set by .ci/run: a real part a test needs that is missing is then a
# failure, not a skip (CI must not go green without running the test).
CI = bool(os.environ.get("DAYTIMED_CI"))


def missing(reason):
    """What a test raises when a real part it needs cannot be had: Skip
    with the reason for a developer's run, AssertionError under CI
    (DAYTIMED_CI set), where .ci/run provides every such part first."""
    if CI:
        return AssertionError("missing under CI (DAYTIMED_CI): %s" % reason)
    return Skip(reason)


def unpacked_deb(package, path):
    """PATH (e.g. "usr/sbin/inetd") from Debian's PACKAGE, unpacked with
    dpkg-deb -x under UNPACK_DIR (kept between runs): for the real parts a
    test needs that conflict with packages already installed (openbsd-inetd
    with xinetd, syslog-ng with rsyslog).  Under CI .ci/run has fetched
    and unpacked them before the tests (tests/integration/fetch_debs.sh):
    one missing fails the test.  Otherwise fetches the .deb with `apt-get
    download` when it is not there yet, and skips the test with the
    reason when that cannot be done."""
    root = os.path.join(UNPACK_DIR, package)
    exe = os.path.join(root, "root", path)
    if os.path.exists(exe):
        return exe
    if CI:
        raise missing("%s not unpacked in %s (.ci/run runs "
                      "tests/integration/fetch_debs.sh before the tests)"
                      % (exe, UNPACK_DIR))
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        raise Skip("%s is not installed and apt-get/dpkg-deb are missing"
                   % package)
    os.makedirs(root, exist_ok=True)
    r = subprocess.run(["apt-get", "download", package], cwd=root,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=300)
    debs = [f for f in os.listdir(root) if f.endswith(".deb")]
    if r.returncode != 0 or not debs:
        raise Skip("apt-get download %s failed: %s"
                   % (package, r.stdout.decode(errors="replace")[-300:]))
    r = subprocess.run(["dpkg-deb", "-x", os.path.join(root, debs[0]),
                        os.path.join(root, "root")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    if r.returncode != 0 or not os.path.exists(exe):
        raise Skip("dpkg-deb -x %s gave no %s: %s"
                   % (debs[0], path, r.stdout.decode(errors="replace")[-300:]))
    return exe


# ---------------------------------------------------------------- waiting

def poll_until(fn, timeout=5.0, done=bool, retry=(), interval=POLL):
    """Call fn every `interval` s until done(result); return that result.

    An exception of a class in `retry` counts as not done.  At the deadline:
    the last result, or the last such exception raised again.  The caller
    checks the result: this never fails a test by itself.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = fn()
        except retry:
            if time.monotonic() >= deadline:
                raise
        else:
            if done(result) or time.monotonic() >= deadline:
                return result
        time.sleep(interval)


# ---------------------------------------------------------------- files

class Closing:
    """For what has a close(): `with` calls it at the end."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class TempDir(Closing):
    """A fresh directory under /tmp, mode 0755 (the daemon's unprivileged
    processes read in it), removed by close(), at the end of `with`, or
    (at_exit=True, for one that lives as long as the script) at exit."""

    def __init__(self, prefix="dtt-", at_exit=False):
        self.path = tempfile.mkdtemp(prefix=prefix, dir="/tmp")
        os.chmod(self.path, 0o755)
        if at_exit:
            atexit.register(self.close)

    def join(self, *names):
        return os.path.join(self.path, *names)

    def write(self, name, data, mode=0o644):
        """Write str, bytes or a list of str lines to NAME; return its path."""
        path = self.join(name)
        if isinstance(data, list):
            data = "".join(data)
        # never through a link a test made (to /etc/passwd, say)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC |
                     os.O_NOFOLLOW | os.O_CLOEXEC, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
            os.fchmod(f.fileno(), mode)
        return path

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)


# ---------------------------------------------------------------- processes

def stop_process(proc, timeout=5.0):
    """SIGTERM a process we started (a Popen), wait, then SIGKILL it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def proc_stat(pid):
    """/proc/PID/stat after the command (which may hold spaces): [0] is the
    state ("Z": zombie), [1] the parent, [3] the session, [4] the tty,
    [11] and [12] user and system time in ticks.  None once pid is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def pid_alive(pid):
    """True while pid exists and is not a zombie."""
    st = proc_stat(pid)
    return st is not None and st[0] != "Z"


HOLD_SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "hold_shim.so")


def hold_env(hold, monitor=False):
    """The environment for a Daemon(foreground) whose engine (or, with
    monitor, whose monitor) waits in its privilege drop until the file
    hold exists (hold_shim.c); Skip if the shim is not built."""
    need_root()
    if not os.path.exists(HOLD_SHIM):
        raise Skip("%s not built (make check builds it)" % HOLD_SHIM)
    env = dict(os.environ, LD_PRELOAD=HOLD_SHIM, DT_HOLD=hold)
    if monitor:
        env["DT_HOLD_MONITOR"] = "1"
    return env


def proc_status(pid):
    """/proc/PID/status as {key: [words]}."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def proc_children(pid):
    """The PIDs of pid's children."""
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return [int(x) for x in f.read().split()]


def proc_fds(pid):
    """{descriptor: what it points to} of pid."""
    out = {}
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            out[int(fd)] = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            pass
    return out


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def rss_kb(pid):
    rss = proc_status(pid).get("VmRSS")
    if not rss:
        raise AssertionError("no VmRSS for %d" % pid)
    return int(rss[0])


def settled_fd_count(pid, want=None, timeout=5.0, steady=0.2, hold=0.0):
    """Poll pid's descriptor count until it equals want for `hold` s (or,
    with want None, holds still for `steady` s); return the last count."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while True:
        n = fd_count(pid)
        now = time.monotonic()
        if n != last:
            last, since = n, now
        if want is not None and n == want and now - since >= hold:
            return n
        if want is None and now - since >= steady:
            return n
        if now >= deadline:
            return n
        time.sleep(POLL)


def stop_pid(pid, timeout=5.0):
    """SIGTERM a process we started (by its PID), wait, then SIGKILL."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if not poll_until(lambda: not pid_alive(pid), timeout):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def read_pidfile(path, timeout=5.0):
    """The PID in a pidfile, once it is written whole (ends in a newline)."""
    def pid():
        with open(path) as f:
            text = f.read()
        return int(text) if text.endswith("\n") else None
    found = poll_until(pid, timeout, done=lambda p: p is not None,
                       retry=(OSError, ValueError))
    if found is None:
        raise AssertionError("no pid in %s" % path)
    return found


# ---------------------------------------------------------------- ports

def have_ipv6():
    """True when ::1 can be bound (IPv6 loopback is configured)."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def _hosts(host):
    if host in ("both", "all", None):
        return ["127.0.0.1", "::1"]
    if isinstance(host, str):
        return [host]
    return list(host)


def _bindable(port, protos, hosts):
    for h in hosts:
        fam = socket.AF_INET6 if ":" in h else socket.AF_INET
        for p in protos:
            typ = socket.SOCK_STREAM if p == "tcp" else socket.SOCK_DGRAM
            try:
                with socket.socket(fam, typ) as s:
                    if fam == socket.AF_INET6:
                        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                    s.bind((h, port))
            except OSError:
                return False
    return True


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = f.read().split()
        return int(lo), int(hi)
    except (OSError, ValueError):
        return None


def free_port(proto="tcp", host="127.0.0.1"):
    """A random port in 20000-60000 that is bindable right now.

    The port is checked for BOTH TCP and UDP whatever `proto` says (the
    daemon usually listens on both), on `host`, which may be an address,
    a list of addresses, or "both" for 127.0.0.1 and ::1.  Ports in the
    kernel's ephemeral range are avoided when possible, so that outgoing
    connections (ident lookups, clients) do not take them meanwhile.
    """
    if proto not in ("tcp", "udp", "both"):
        raise ValueError("proto must be tcp, udp or both")
    hosts = _hosts(host)
    if "::1" in hosts and not have_ipv6():
        raise Skip("IPv6 loopback (::1) not available")
    eph = _ephemeral_range()
    candidates = range(PORT_LOW, PORT_HIGH + 1)
    if eph:
        outside = [p for p in (range(PORT_LOW, min(eph[0], PORT_HIGH + 1)))]
        outside += list(range(max(eph[1] + 1, PORT_LOW), PORT_HIGH + 1))
        if len(outside) > 1000:
            candidates = outside
    for _ in range(200):
        port = random.choice(candidates)
        if _bindable(port, ("tcp", "udp"), hosts):
            return port
    raise RuntimeError("no free port found in %d-%d" % (PORT_LOW, PORT_HIGH))


# ---------------------------------------------------------------- syslog

_SYSLOG_RE = re.compile(
    rb"^<(\d{1,3})>([A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d) "
    rb"([^\s\[\]:]+)\[(\d+)\]: (.*)\Z", re.S)


class Record:
    """One RFC 3164 datagram: pri, facility, severity, pid, tag, msg, raw.

    msg is a str (UTF-8, undecodable bytes as backslash escapes); raw is the
    whole datagram as bytes.
    """

    __slots__ = ("pri", "facility", "severity", "pid", "tag", "msg", "raw",
                 "stamp", "received")

    def __init__(self, raw):
        m = _SYSLOG_RE.match(raw)
        if m is None:
            raise ValueError("not an RFC 3164 datagram: %r" % raw[:200])
        self.raw = raw
        self.pri = int(m.group(1))
        if self.pri > 191:
            raise ValueError("PRI out of range: %r" % raw[:200])
        self.facility, self.severity = divmod(self.pri, 8)
        self.stamp = m.group(2).decode("ascii")
        self.tag = m.group(3).decode("ascii", "backslashreplace")
        self.pid = int(m.group(4))
        self.msg = m.group(5).decode("utf-8", "backslashreplace")
        self.received = time.monotonic()

    def __iter__(self):
        return iter((self.pri, self.pid, self.msg))

    def __repr__(self):
        return "Record(pri=%d, pid=%d, msg=%r)" % (self.pri, self.pid, self.msg)

    def kv(self):
        """kv() of the message: the audit record's fields."""
        return kv(self.msg)


SEVERITIES = {"emerg": 0, "alert": 1, "crit": 2, "err": 3, "warning": 4,
              "notice": 5, "info": 6, "debug": 7}


class SyslogSink(Closing):
    """An AF_UNIX datagram socket standing in for /dev/log.

    Configure the daemon with `syslog socket <sink.path>`.  A thread drains
    the socket continuously, so the daemon's non-blocking writes never find
    it full; with drain=False it reads nothing until drain() (to stall the
    daemon's log on purpose).  Datagrams that do not parse are kept in
    `unparsed`.
    """

    def __init__(self, rcvbuf=1 << 20, drain=True):
        self._tmp = TempDir("dts-")
        self.path = self._tmp.join("log")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        except OSError:
            pass
        self.sock.bind(self.path)
        # The daemon may reopen the log after dropping privileges.
        os.chmod(self.path, 0o666)
        self.sock.setblocking(False)
        self._records = []
        self.unparsed = []
        self._cond = threading.Condition()
        self._stop = False
        self._thread = None
        if drain:
            self.drain()

    def drain(self):
        """Start reading the socket (a thread), if not reading yet."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._drain, daemon=True)
            self._thread.start()

    def _drain(self):
        while not self._stop:
            try:
                r, _, _ = select.select([self.sock], [], [], 0.1)
            except (OSError, ValueError):
                return
            if not r:
                continue
            while True:
                try:
                    data = self.sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    return
                with self._cond:
                    try:
                        self._records.append(Record(data))
                    except ValueError:
                        self.unparsed.append(data)
                    self._cond.notify_all()

    @staticmethod
    def _matcher(pattern):
        if pattern is None:
            return lambda rec: True
        if callable(pattern):
            return pattern
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        return lambda rec: rx.search(rec.msg) is not None

    def records(self, pattern=None):
        """Every record received so far whose msg matches `pattern`.

        pattern: None (all), a regex (str or compiled, searched in msg) or a
        predicate taking a Record.
        """
        match = self._matcher(pattern)
        with self._cond:
            return [r for r in self._records if match(r)]

    def audit(self, pattern=None):
        """kv() of every record that looks like an audit record (has conn=)."""
        out = []
        for r in self.records(pattern):
            if r.msg.startswith("conn=") or " conn=" in r.msg:
                out.append(kv(r.msg))
        return out

    def wait_for(self, predicate, timeout=5.0, count=1):
        """Wait until `count` records match; return the first (or the list).

        predicate as for records().  Raises TimeoutError listing the last
        records seen.
        """
        match = self._matcher(predicate)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                hits = [r for r in self._records if match(r)]
                if len(hits) >= count:
                    return hits[0] if count == 1 else hits[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    tail = "\n  ".join(repr(r) for r in self._records[-10:])
                    raise TimeoutError(
                        "syslog: %d of %d matching records after %.1f s; "
                        "last records:\n  %s" % (len(hits), count, timeout, tail))
                self._cond.wait(min(left, 0.2))

    def wait_peer(self, peer, timeout=5.0):
        """Wait for the record of the client "ADDR:PORT"; return it."""
        return self.wait_for(lambda r: ("peer=%s " % peer) in r.msg,
                             timeout=timeout)

    def barrier(self, timeout=5.0):
        """Wait until every datagram sent to the sink before this call has
        been read: one of our own (an RFC 3164 record from tag
        "barrier", kept out of records()) goes through the same socket,
        whose datagrams are read in order, and is waited for.  For a test
        that counts records once their sender has exited, without a
        fixed sleep."""
        self._barriers = getattr(self, "_barriers", 0) + 1
        mark = "barrier %d %d" % (os.getpid(), self._barriers)
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(("<15>Jan  1 00:00:00 barrier[%d]: %s"
                      % (os.getpid(), mark)).encode(), self.path)
        self.wait_for(lambda r: r.tag == "barrier" and r.msg == mark,
                      timeout)
        with self._cond:
            self._records = [r for r in self._records
                             if r.tag != "barrier"]

    def clear(self):
        """Forget what has been received (the socket stays open)."""
        with self._cond:
            self._records = []
            self.unparsed = []

    def close(self):
        self._stop = True
        if self._thread is not None:
            self._thread.join(2.0)
        self.sock.close()
        self._tmp.close()


_KV_KEY = re.compile(r"[A-Za-z0-9_.-]+\Z")
_HEX = "0123456789abcdefABCDEF"


def kv(msg, as_bytes=False):
    """Parse an audit message `k=v k="q v" ...` into a dict.

    Quoted values undo the \\" \\\\ and \\xHH escapes.  Values are str, with
    every byte mapped to the code point of the same number (latin-1), so an
    escaped byte compares exactly: kv(m)["ident"] == b"\\xff".decode("latin-1").
    With as_bytes=True the values are bytes.  Malformed input (no '=', an
    unknown escape, an unterminated quote, a duplicate key, two spaces) raises
    ValueError: a test must not gloss over a daemon writing such records.
    """
    if isinstance(msg, bytes):
        msg = msg.decode("latin-1")
    out = {}
    i, n = 0, len(msg)
    while i < n:
        eq = msg.find("=", i)
        if eq == -1:
            raise ValueError("kv: no '=' after %r" % msg[i:i + 40])
        key = msg[i:eq]
        if not _KV_KEY.match(key):
            raise ValueError("kv: bad key %r" % key)
        if key in out:
            raise ValueError("kv: duplicate key %r" % key)
        i = eq + 1
        if i < n and msg[i] == '"':
            i += 1
            val = bytearray()
            while True:
                if i >= n:
                    raise ValueError("kv: unterminated quote for %r" % key)
                c = msg[i]
                if c == '"':
                    i += 1
                    break
                if c == "\\":
                    if i + 1 >= n:
                        raise ValueError("kv: dangling backslash for %r" % key)
                    e = msg[i + 1]
                    if e in '"\\':
                        val.append(ord(e))
                        i += 2
                    elif e == "x" and i + 3 < n and msg[i + 2] in _HEX \
                            and msg[i + 3] in _HEX:
                        val.append(int(msg[i + 2:i + 4], 16))
                        i += 4
                    else:
                        raise ValueError("kv: bad escape in %r" % key)
                    continue
                if ord(c) > 255:
                    raise ValueError("kv: non-byte character in %r" % key)
                val.append(ord(c))
                i += 1
            value = bytes(val)
        else:
            sp = msg.find(" ", i)
            end = n if sp == -1 else sp
            raw = msg[i:end]
            if '"' in raw or "\\" in raw:
                raise ValueError("kv: unquoted value with quote or backslash "
                                 "for %r" % key)
            value = raw.encode("latin-1")
            i = end
        out[key] = value if as_bytes else value.decode("latin-1")
        if i < n:
            if msg[i] != " " or i + 1 >= n or msg[i + 1] == " ":
                raise ValueError("kv: expected one space at %r" % msg[i:i + 40])
            i += 1
    return out


SyslogSink.kv = staticmethod(kv)


# ---------------------------------------------------------------- the daemon

_LISTEN_RE = re.compile(
    r"^\s*listen\s+(tcp|udp)\s+(\[[^\]]+\]|[^\s:]+):(\d+)", re.M)
_PIDFILE_RE = re.compile(r"^\s*pidfile\s+(\S+)", re.M)
_live_daemons = []


def _wildcard_to_loopback(addr):
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "*": "127.0.0.1"}.get(addr, addr)


def listen_addresses(conf_text):
    """[(proto, host, port)] of the `listen` lines, brackets removed."""
    out = []
    for m in _LISTEN_RE.finditer(re.sub(r"#[^\n]*", "", conf_text)):
        host = m.group(2)
        if host.startswith("["):
            host = host[1:-1]
        out.append((m.group(1), host, int(m.group(3))))
    return out


def _proc_bound(proto, host, port):
    """True when /proc/net shows a socket bound there (LISTEN for TCP)."""
    v6 = ":" in host
    path = "/proc/net/%s%s" % (proto, "6" if v6 else "")
    try:
        with open(path) as f:
            lines = f.read().splitlines()[1:]
    except OSError:
        return False
    want_port = "%04X" % port
    for line in lines:
        fields = line.split()
        if len(fields) < 4:
            continue
        local, state = fields[1], fields[3]
        if not local.endswith(":" + want_port):
            continue
        if proto == "tcp" and state != "0A":
            continue
        return True
    return False


# For tests: whether /proc/net shows host:port bound (listening, for TCP).
proc_bound = _proc_bound


TCP_ESTABLISHED = "01"
TCP_TIME_WAIT = "06"
TCP_LISTEN = "0A"


def tcp_sockets():
    """(local port, remote port, state) of every TCP socket on the host,
    IPv4 and IPv6, from /proc/net/tcp{,6}; state is the kernel's hex code
    (TCP_ESTABLISHED, TCP_TIME_WAIT, ...)."""
    for local, remote, state in tcp_endpoints():
        yield local[1], remote[1], state


def _proc_addr(field):
    """/proc/net/tcp's "0100007F:0035" as ("127.0.0.1", 53); IPv6 too."""
    hexaddr, hexport = field.rsplit(":", 1)
    raw = bytes.fromhex(hexaddr)
    # the kernel prints each 32-bit word in host order
    raw = b"".join(raw[i:i + 4][::-1] if sys.byteorder == "little"
                   else raw[i:i + 4] for i in range(0, len(raw), 4))
    fam = socket.AF_INET if len(raw) == 4 else socket.AF_INET6
    return socket.inet_ntop(fam, raw), int(hexport, 16)


def tcp_endpoints():
    """((local addr, port), (remote addr, port), state) of every TCP
    socket on the host, as tcp_sockets(): for a test that must not count
    the sockets of tests running beside it on other addresses."""
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 4:
                continue
            yield _proc_addr(fields[1]), _proc_addr(fields[2]), fields[3]


class Daemon:
    """The real daytimed, started with -f -c CONF, stopped by its own PID.

    conf_text is written to CONF in a fresh temp dir (self.dir), after
    replacing every "@DIR@" with that directory (for pidfiles and the like).
    ready says how start() knows the daemon serves:
      "probe" (default): connect to the first TCP listen address and wait
        for the server to answer or close (which proves the event loop runs);
        for a UDP-only config, send empty datagrams until one is answered.
        Probes are real requests: their peers ("ADDR:PORT" strings) are in
        self.probe_peers so tests can tell them from their own.
      "proc": wait until /proc/net shows every listen address bound.
      None: do not wait; or a callable(daemon) -> bool polled until true.
    With foreground=False the daemon daemonizes: start() waits for the
    starting command to exit 0 and reads the PID from the pidfile (which the
    config or args must name).
    """

    def __init__(self, conf_text, args=(), foreground=True, ready="probe",
                 timeout=10.0, start=True, env=None):
        self._tmp = TempDir("dtd-")  # the unprivileged monitor rereads CONF
        self.dir = self._tmp.path
        self.conf = os.path.join(self.dir, "daytimed.conf")
        self.conf_text = None
        self.args = list(args)
        self.foreground = foreground
        self.ready = ready
        self.timeout = timeout
        self.env = env
        self.proc = None
        self.pid = None
        self.returncode = None
        self.probe_peers = set()
        self.stopped = False
        self.killed = False
        self._out = os.path.join(self.dir, "stdout")
        self._err = os.path.join(self.dir, "stderr")
        self.write_conf(conf_text)
        if start:
            try:
                self.start()
            except BaseException:
                # No object reaches the caller: nobody else can clean up.
                self.cleanup()
                raise

    # -- files

    def write_conf(self, text):
        """Replace CONF atomically (temp file + rename), as an editor would."""
        text = text.replace("@DIR@", self.dir)
        tmp = self.conf + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, self.conf)
        self.conf_text = text

    def stderr_text(self):
        try:
            with open(self._err, "rb") as f:
                return f.read().decode("utf-8", "backslashreplace")
        except OSError:
            return ""

    def stdout_text(self):
        try:
            with open(self._out, "rb") as f:
                return f.read().decode("utf-8", "backslashreplace")
        except OSError:
            return ""

    # -- life

    def command(self):
        cmd = [DAYTIMED]
        if self.foreground:
            cmd.append("-f")
        return cmd + ["-c", self.conf] + self.args

    def start(self):
        if self.proc is not None or self.pid is not None:
            raise DaemonError("already started (use a new Daemon)")
        deadline = time.monotonic() + self.timeout
        with open(self._out, "wb") as out, open(self._err, "wb") as err:
            # Own session: an escalated stop can reach the engine child too.
            self.proc = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=out,
                stderr=err, start_new_session=True, env=self.env)
        _live_daemons.append(self)
        if self.foreground:
            self.pid = self.proc.pid
        else:
            self._wait_parent(deadline)
        try:
            self._wait_ready(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_parent(self, deadline):
        try:
            rc = self.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise DaemonError("daytimed did not detach within %.1f s; stderr:\n%s"
                              % (self.timeout, self.stderr_text()))
        if rc != 0:
            self.returncode = rc
            raise DaemonError("daytimed exited %d at startup; stderr:\n%s"
                              % (rc, self.stderr_text()))
        m = None
        for i, a in enumerate(self.args):
            if a in ("-p", "--pidfile") and i + 1 < len(self.args):
                m = self.args[i + 1]
        if m is None:
            found = _PIDFILE_RE.search(self.conf_text)
            m = found.group(1) if found else None
        if m is None:
            raise DaemonError("foreground=False needs a pidfile to find the PID")
        self.pid = read_pidfile(m)

    def alive(self):
        """True while our daemon process exists (a zombie counts as gone)."""
        if self.pid is None or self.stopped:
            return False
        if self.proc is not None and self.foreground:
            return self.proc.poll() is None
        return pid_alive(self.pid)

    def _check_alive(self):
        if not self.alive():
            rc = self.proc.poll() if self.proc is not None else None
            self.returncode = rc
            raise DaemonError("daytimed exited early (status %s); stderr:\n%s"
                              % (rc, self.stderr_text()))

    def _wait_ready(self, deadline):
        if self.ready is None:
            return
        addrs = listen_addresses(self.conf_text)
        if self.ready == "probe" and not addrs:
            # Say why the daemon died, if it does, rather than blame the config.
            self.wait(min(1.0, max(0.0, deadline - time.monotonic())))
            self._check_alive()
            raise DaemonError("ready='probe' needs a listen line in the "
                              "config (listen lines in includes are not "
                              "seen: pass ready='proc' or a callable)")
        while True:
            self._check_alive()
            if self._is_ready(addrs, deadline):
                return
            if time.monotonic() >= deadline:
                self._check_alive()
                raise DaemonError("daytimed not ready within %.1f s; stderr:\n%s"
                                  % (self.timeout, self.stderr_text()))
            time.sleep(POLL)

    def _is_ready(self, addrs, deadline):
        if callable(self.ready):
            return bool(self.ready(self))
        if self.ready == "proc":
            return all(_proc_bound(p, h, port) for p, h, port in addrs)
        if self.ready != "probe":
            raise ValueError("ready must be 'probe', 'proc', None or callable")
        tcp = [(h, p) for proto, h, p in addrs if proto == "tcp"]
        udp = [(h, p) for proto, h, p in addrs if proto == "udp"]
        left = max(0.05, min(1.0, deadline - time.monotonic()))
        if tcp:
            host, port = tcp[0]
            return self._probe_tcp(_wildcard_to_loopback(host), port, left)
        if udp:
            host, port = udp[0]
            return self._probe_udp(_wildcard_to_loopback(host), port,
                                   min(left, 0.25))
        raise DaemonError("ready='probe' needs a listen line in the config")

    def _probe_tcp(self, host, port, timeout):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(fam, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            try:
                s.connect((host, port))
            except (ConnectionRefusedError, socket.timeout):
                return False
            self.probe_peers.add(_fmt_addr(s.getsockname()))
            end = time.monotonic() + timeout
            try:
                while time.monotonic() < end:
                    if not s.recv(4096):
                        return True  # answered (or denied) and closed
            except ConnectionResetError:
                return True
            except socket.timeout:
                return False
            return False

    def _probe_udp(self, host, port, timeout):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(fam, socket.SOCK_DGRAM) as s:
            s.connect((host, port))
            self.probe_peers.add(_fmt_addr(s.getsockname()))
            s.settimeout(timeout)
            try:
                s.send(b"")
                return bool(s.recv(4096))
            except (ConnectionRefusedError, socket.timeout):
                return False

    def signal(self, sig):
        """Send sig to our daemon's PID (and nothing else)."""
        if self.pid is None or self.stopped:
            raise DaemonError("not running")
        os.kill(self.pid, sig)

    def reload(self, new_text):
        """Rewrite the configuration and send SIGHUP."""
        self.write_conf(new_text)
        self.signal(signal.SIGHUP)

    def wait(self, timeout=5.0):
        """Wait for the daemon to exit by itself; return its status or None."""
        if not poll_until(lambda: not self.alive(), timeout):
            return None
        if self.proc is not None and self.foreground:
            self.returncode = self.proc.wait()
        return self.returncode

    def stop(self, timeout=5.0):
        """SIGTERM, wait up to timeout, then SIGKILL; return the exit status."""
        if self.pid is None or self.stopped:
            return self.returncode
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if self.wait(timeout) is None and self.alive():
                # Our session only: the daemon and the engine it forked.
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.wait(timeout)
                self.killed = True
        if self.proc is not None:
            try:
                rc = self.proc.wait(timeout)
                if self.foreground:
                    self.returncode = rc
            except subprocess.TimeoutExpired:
                pass
        if self in _live_daemons:
            _live_daemons.remove(self)
        self.stopped = True
        return self.returncode

    def cleanup(self):
        """Remove the temp dir (after stop())."""
        self._tmp.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        self.cleanup()


@atexit.register
def _stop_leftover_daemons():
    for d in list(_live_daemons):
        try:
            d.stop(2.0)
            d.cleanup()
        except Exception:
            pass


def _fmt_addr(sa):
    host, port = sa[0], sa[1]
    return "[%s]:%d" % (host, port) if ":" in host else "%s:%d" % (host, port)


# For tests: a socket's name as records write it, "ADDR:PORT" ("[ADDR]:PORT").
fmt_addr = _fmt_addr


# daytimed's built-in limits (daytimed.conf(5)); daemon_conf turns off
# those a test does not set, unless it asks for them (limits=True).
LIMITS = ("connections", "per-source", "rate", "udp-rate", "udp-total")


def daemon_conf(port, sink, settings="ident mode off\n", body="",
                listen=("tcp", "udp"), hosts=("127.0.0.1",), user=None,
                limits=False):
    """A daemon configuration, in this order: a listen line for every host
    and protocol (hosts outer), `syslog socket` (a SyslogSink, a Rsyslog or
    a path), settings, `user nobody` when we run as root (user: a name to
    set whatever we run as, or "" for no user line), body, and last (so
    that no line number above moves) `limit NAME off` for each built-in
    limit that settings and body leave alone, unless limits: a test about
    something else must not meet them."""
    text = "".join("listen %s %s:%d\n"
                   % (proto, "[%s]" % host if ":" in host else host, port)
                   for host in hosts for proto in listen)
    text += "syslog socket %s\n" % getattr(sink, "path", sink)
    text += settings
    if user is None:
        user = "nobody" if os.geteuid() == 0 else ""
    if user:
        text += "user %s\n" % user
    text += body
    if not limits:
        if text and not text.endswith("\n"):
            text += "\n"
        text += "".join("limit %s off\n" % name for name in LIMITS
                        if not re.search(r"^limit %s\s" % re.escape(name),
                                         settings + body, re.M))
    return text


def start_fails(conf_text, what):
    """A Daemon whose start must fail (DaemonError); `what` says what it
    would mean if it did not.  Returns it, exited, still to clean up."""
    d = Daemon(conf_text, start=False)
    try:
        d.start()
    except DaemonError:
        return d
    raise AssertionError(what)


def recent_ctimes(tz=None, shift=0):
    """The answers (ctime lines with CR LF) for the local time from 3 s ago
    to 1 s ahead; with tz, the local time of that zone; with shift, that
    many seconds later (a daemon under fakeclock.py)."""
    old = os.environ.get("TZ")
    if tz is not None:
        os.environ["TZ"] = tz
        time.tzset()
    try:
        now = time.time() + shift
        want = set()
        for d in range(-3, 2):
            t = time.localtime(now + d)
            want.add((time.strftime("%a %b ", t) + "%2d" % t.tm_mday +
                      time.strftime(" %H:%M:%S %Y", t) + "\r\n").encode())
        return want
    finally:
        if tz is not None:
            if old is None:
                del os.environ["TZ"]
            else:
                os.environ["TZ"] = old
            time.tzset()


def engine_pid(d, timeout=5.0):
    """The engine: the only child of the daemon's monitor (d.pid)."""
    kids = poll_until(lambda: proc_children(d.pid), timeout,
                      done=lambda k: len(k) == 1)
    if len(kids) != 1:
        raise DaemonError("no engine process under %d" % d.pid)
    return kids[0]


# ---------------------------------------------------------------- clients

def _family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def read_to_eof(s, deadline):
    """Read a TCP socket to EOF or the deadline (time.monotonic()); return
    (bytes, "eof" | "reset" | "timeout")."""
    data = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return data, "timeout"
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return data, "timeout"
        except ConnectionResetError:
            return data, "reset"
        if not chunk:
            return data, "eof"
        data += chunk


def _connected(kind, host, port, bind=None, timeout=None, reuse=False):
    """A socket of kind connected to host:port, bound first to bind (an
    (address, port) pair) when given, with SO_REUSEADDR when reuse."""
    s = socket.socket(_family(host), kind)
    try:
        if reuse:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if bind is not None:
            s.bind(bind)
        s.settimeout(timeout)
        s.connect((host, port))
    except BaseException:
        s.close()
        raise
    return s


def tcp_open(port, host="127.0.0.1", src=None, timeout=5.0):
    """A TCP socket connected to host:port (from src, an address, when
    given), with `timeout` on each operation."""
    return _connected(socket.SOCK_STREAM, host, port,
                      None if src is None else (src, 0), timeout)


def udp_open(port, host="127.0.0.1", bind=None, reuse=False):
    """A UDP socket connected to host:port, bound first to bind (an
    (address, port) pair) when given, with SO_REUSEADDR when reuse."""
    return _connected(socket.SOCK_DGRAM, host, port, bind, reuse=reuse)


def recv_or_none(s, timeout):
    """What one recv on s brings within timeout s, or None."""
    s.settimeout(timeout)
    try:
        return s.recv(65536)
    except socket.timeout:
        return None


def busy_port(port, host="127.0.0.1"):
    """A socket listening on host:port, to make the port busy."""
    s = socket.socket(_family(host), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(1)
    return s


def tcp_talk(host, port, timeout=5.0, bind=None, reset_ok=False):
    """Connect (from bind), read until EOF: (bytes, our end "ADDR:PORT").

    One deadline covers connect and reads; past it, TimeoutError.
    ConnectionRefusedError propagates, and so does ConnectionResetError
    unless reset_ok (then a reset ends the bytes, even one that beats
    connect() back, as long as bind gave our end its name before).
    """
    deadline = time.monotonic() + timeout
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        me = None
        if bind is not None:
            s.bind(bind)
            me = _fmt_addr(s.getsockname())
        s.settimeout(timeout)
        try:
            s.connect((host, port))
        except socket.timeout:
            raise TimeoutError("tcp_talk %s port %d: no connection within "
                               "%.1f s" % (host, port, timeout))
        except ConnectionResetError:
            if reset_ok and me is not None:
                return b"", me
            raise
        me = _fmt_addr(s.getsockname())
        data, how = read_to_eof(s, deadline)
        if how == "reset" and not reset_ok:
            raise ConnectionResetError("tcp_talk %s port %d: reset after %r"
                                       % (host, port, data[:200]))
        if how == "timeout":
            raise TimeoutError("tcp_talk %s port %d: no EOF within %.1f s "
                               "(got %r)" % (host, port, timeout, data[:200]))
        return data, me


def tcp_get(host, port, timeout=5.0, bind=None):
    """Connect, read every byte until EOF: tcp_talk without our name."""
    return tcp_talk(host, port, timeout, bind)[0]


def udp_get(host, port, payload=b"", timeout=2.0, bind=None):
    """Send one datagram; return the first reply from host:port, or None.

    None means silence until the timeout (a denied UDP peer gets nothing).
    The socket is connected, so only the server's own address is heard; an
    ICMP port unreachable raises ConnectionRefusedError.
    """
    with udp_open(port, host, bind) as s:
        s.send(payload)
        return recv_or_none(s, timeout)


def udp_burst(s, n, quiet):
    """Send n empty datagrams on the connected UDP socket s, then count the
    answers that come until none has come for `quiet` s."""
    for _ in range(n):
        s.send(b"")
    s.settimeout(quiet)
    answers = 0
    try:
        while True:
            s.recv(100)
            answers += 1
    except socket.timeout:
        pass
    return answers


# ---------------------------------------------------------------- programs

class Result:
    """What run() saw: returncode, stdout, stderr (bytes), elapsed (s)."""

    def __init__(self, returncode, stdout, stderr, elapsed):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.elapsed = elapsed

    def text(self):
        """(returncode, stdout, stderr), the outputs as text."""
        return (self.returncode, self.stdout.decode("utf-8", "replace"),
                self.stderr.decode("utf-8", "replace"))

    def __repr__(self):
        return ("Result(rc=%r, stdout=%r, stderr=%r, elapsed=%.3f)"
                % (self.returncode, self.stdout[:200], self.stderr[:500],
                   self.elapsed))


def run(argv, input=None, timeout=60.0, user=None, env=None, group=None):
    """Run a program to its end; subprocess.TimeoutExpired past timeout.
    stdin is `input` (bytes), or /dev/null; user and group as for
    subprocess."""
    start = time.monotonic()
    p = subprocess.run([str(a) for a in argv], input=input,
                       stdin=subprocess.DEVNULL if input is None else None,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, user=user, group=group, env=env)
    return Result(p.returncode, p.stdout, p.stderr, time.monotonic() - start)


def run_client(args, timeout=10.0, user=None):
    """Run $DAYTIME with args (as user, a uid or name)."""
    return run([DAYTIME] + list(args), timeout=timeout, user=user)


def daytimed(*args, **kw):
    """Run $DAYTIMED with args to its end: (status, stdout, stderr) as text.
    Keywords as for run()."""
    return run([DAYTIMED] + list(args), **kw).text()


def daytimed_audit(*args, **kw):
    """Run $DAYTIMED_AUDIT with args: (status, stdout, stderr) as text."""
    return run([DAYTIMED_AUDIT] + list(args), **kw).text()


def audit_verify(seckey, *paths, **kw):
    """daytimed-audit verify --secret-key SECKEY [PATH...]."""
    return daytimed_audit("verify", "--secret-key", seckey, *paths, **kw)


class AuditFiles:
    """Everything a sealed, signed, linked audit trail needs, in tmp (a
    TempDir): the auditor's keys (self.pub, self.sec), the host's keys
    (self.hpub, self.hsec), and a state directory owned by the user the
    daemon runs as (self.state is the file in it), in state_in when given
    (a chroot directory: the state must lie inside it), else in tmp.
    self.settings is the configuration text naming them; verify(*paths)
    runs daytimed-audit verify with both keys."""

    def __init__(self, tmp, name="a", state_in=None):
        os.chmod(tmp.path, 0o755)
        self.pub, self.sec = tmp.join(name + ".pub"), tmp.join(name + ".sec")
        self.hpub = tmp.join(name + "-host.pub")
        self.hsec = tmp.join(name + "-host.sec")
        for cmd, pub, sec in (("keygen", self.pub, self.sec),
                              ("host-keygen", self.hpub, self.hsec)):
            rc, _, err = daytimed_audit(cmd, pub, sec)
            if rc != 0:
                raise AssertionError("daytimed-audit %s: %s" % (cmd, err))
        statedir = os.path.join(state_in or tmp.path, name + "-state")
        os.mkdir(statedir, 0o700)
        if os.geteuid() == 0:
            import pwd
            os.chown(statedir, pwd.getpwnam("nobody").pw_uid, -1)
        self.state = os.path.join(statedir, "audit.state")
        self.settings = ("audit key %s\naudit signing-key %s\n"
                         "audit state %s\n" % (self.pub, self.hsec,
                                               self.state))

    def verify(self, *paths, **kw):
        """verify --secret-key SEC --host-key HPUB PATH...:
        (status, stdout, stderr)."""
        return daytimed_audit("verify", "--secret-key", self.sec,
                              "--host-key", self.hpub, *paths, **kw)


# ---------------------------------------------------------------- servers

class _Started(Closing):
    """A process we started (self.proc): close() stops it by its PID, as
    does the end of `with`."""

    def close(self):
        stop_process(self.proc)


class FakeIdent(_Started):
    """tests/integration/fakeident.py on host:port (port 0: any free one),
    answering as `mode` says; stopped by its PID."""

    def __init__(self, mode, user=None, host="127.0.0.1", port=0):
        args = [sys.executable, os.path.join(HERE, "fakeident.py"),
                "--port", str(port), "--mode", mode, "--host", host]
        if user is not None:
            args += ["--user", user]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL,
                                     stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("ready "):
            self.close()
            raise AssertionError("fakeident %s: %r" % (mode, line))
        self.port = int(line.split()[1])


class Oidentd(_Started):
    """Debian's oidentd on host:113 (default 127.0.0.1; skips unless
    installed, root and the port free); stopped by its PID.  log: a file
    its messages are appended to, one line per lookup ("[QUERIER] LPORT ,
    FPORT : ERROR : NO-USER", "... Successful lookup: ..."); without it
    only its errors, to a pipe nobody reads."""

    def __init__(self, host="127.0.0.1", log=None):
        exe = shutil.which("oidentd")
        if exe is None:
            raise Skip("oidentd is not installed (apt-get install oidentd)")
        need_root("oidentd must bind port 113: needs root")
        self.host = host
        if self._listening():
            raise Skip("something already listens on %s:113" % host)
        args = [exe, "-i", "-S", "-a", host, "-p", "113"]
        if log is None:
            args.insert(3, "-q")
            err = subprocess.PIPE
        else:
            err = open(log, "ab")
        try:
            self.proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=err)
        finally:
            if log is not None:
                err.close()
        state = poll_until(self._state, 5)
        if state == "exited":
            raise AssertionError("oidentd exited: %r" % (
                self.proc.stderr.read() if log is None
                else file_text(log)[-400:]))
        if state is None:
            self.close()
            raise AssertionError("oidentd did not listen on %s:113" % host)

    def _state(self):
        if self._listening():
            return "listening"
        if self.proc.poll() is not None:
            return "exited"
        return None

    def _listening(self):
        with socket.socket(_family(self.host)) as s:
            return s.connect_ex((self.host, 113)) == 0


# rsyslog's property replacer: "PRI TAG: MSG", one line per message.
RSYSLOG_PRI_FORMAT = ("%PRI% %syslogtag%%msg:::sp-if-no-1st-sp%"
                      "%msg:::drop-last-lf%\\n")


def file_text(path):
    """The contents of a log file as text (bytes that are not UTF-8 as
    backslash escapes), or "" when it is not there (yet)."""
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "backslashreplace")
    except OSError:
        return ""


class Rsyslog(_Started):
    """A private rsyslogd: its own socket (self.path, also self.sock, for
    `syslog socket`), its own file (self.file), no rate limits; stopped by
    its PID.

    include: a file or glob of rsyslog configuration read before the
    catch-all rule, as Debian's rsyslog.conf reads /etc/rsyslog.d ("@DIR@"
    stands for the private directory, self.dir); prepare(dir) is called
    before the start, to write it there.  jail: a chroot directory;
    rsyslogd then also listens at the same path inside it (JAIL +
    self.path), which is where a chrooted daemon finds `syslog socket`
    again when it reconnects.  template: an rsyslog template string for
    the catch-all file (default the traditional format; see
    RSYSLOG_PRI_FORMAT).  hostname: the name it gives its own messages
    (and those it forwards) instead of the host's.  templates: more files
    for the catch-all rule to write, one per rsyslog template name (e.g.
    "RSYSLOG_FileFormat", "RSYSLOG_SyslogProtocol23Format" for RFC 5424):
    self.files maps each name to its file (self.file is the catch-all
    one).  kill(), send_signal() and start() let a test take it away and
    bring it back: the files are appended to.  stream: the sockets are
    Unix stream ones, rsyslog's imptcp with path= (LF-framed messages)
    instead of imuxsock's datagram ones.
    """

    def __init__(self, include=None, prepare=None, jail=None, template=None,
                 hostname=None,
                 templates=(), stream=False):
        exe = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
        if not os.path.exists(exe):
            raise Skip("rsyslogd is not installed (apt-get install rsyslog)")
        self.exe = exe
        self._tmp = TempDir("dtr-")
        os.chmod(self._tmp.path, 0o755)
        self.dir = self._tmp.path
        self.path = self.sock = self._tmp.join("log")
        self.file = self._tmp.join("messages")
        self.files = {"RSYSLOG_TraditionalFileFormat": self.file}
        self.pidfile = self._tmp.join("pid")
        self.sockets = [self.path]
        if jail is not None:
            mirror = os.path.join(jail, self.path.lstrip("/"))
            os.makedirs(os.path.dirname(mirror), mode=0o755, exist_ok=True)
            self.sockets.append(mirror)
        if prepare is not None:
            prepare(self.dir)
        self.stream = stream
        conf = ('global(workDirectory="%s"%s)\n'
                'module(load="imuxsock" SysSock.Use="off")\n'
                % (self.dir, "" if hostname is None else
                   ' localHostname="%s"' % hostname))
        if stream:
            conf += 'module(load="imptcp")\n'
        for path in self.sockets:
            if stream:  # unlink: a killed one leaves its socket behind
                conf += ('input(type="imptcp" path="%s" unlink="on" '
                         'fileCreateMode="0666")\n' % path)
            else:
                conf += ('input(type="imuxsock" Socket="%s" '
                         'RateLimit.Interval="0")\n' % path)
        if include is not None:
            conf += "$IncludeConfig %s\n" % include.replace("@DIR@", self.dir)
        for t in templates:
            self.files[t] = self._tmp.join(t)
            conf += ('*.* action(type="omfile" file="%s" template="%s")\n'
                     % (self.files[t], t))
        tmpl = "RSYSLOG_TraditionalFileFormat"
        if template is not None:
            conf += 'template(name="dt" type="string" string="%s")\n' \
                % template
            tmpl = "dt"
        conf += '*.* action(type="omfile" file="%s" template="%s")\n' \
            % (self.file, tmpl)
        self.conf = self._tmp.write("rsyslog.conf", conf)
        self.proc = None
        self.start()

    def start(self):
        """Start rsyslogd (again): ready once every socket takes a
        connection (a killed one leaves its socket files behind)."""
        if self.proc is not None and self.proc.poll() is None:
            raise AssertionError("rsyslogd %d still runs" % self.proc.pid)
        if os.path.exists(self.pidfile):
            os.unlink(self.pidfile)     # a stale one would stop it starting
        self.proc = subprocess.Popen(
            [self.exe, "-n", "-f", self.conf, "-i", self.pidfile],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)
        if not poll_until(lambda: self._ready() or
                          self.proc.poll() is not None, 10) or \
                not self._ready():
            err = self.proc.stderr.read() if self.proc.poll() is not None \
                else b""
            self.close()
            raise AssertionError("rsyslogd did not start: %r" % err)
        for path in self.sockets:
            os.chmod(path, 0o666)
        return self

    def _ready(self):
        kind = socket.SOCK_STREAM if self.stream else socket.SOCK_DGRAM
        for path in self.sockets:
            with socket.socket(socket.AF_UNIX, kind) as s:
                try:
                    s.connect(path)
                except OSError:
                    return False
        return True

    def send_signal(self, sig):
        """Send sig to our rsyslogd (SIGSTOP, SIGCONT...)."""
        os.kill(self.proc.pid, sig)

    def kill(self, sig=signal.SIGKILL, timeout=10.0):
        """End it with sig and reap it; start() brings it back."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def text(self, path=None):
        """The contents of path (default: the catch-all file), or ""."""
        return file_text(path or self.file)

    def wait_for(self, needle, timeout=10, path=None):
        if not poll_until(lambda: needle in self.text(path), timeout):
            raise AssertionError("%r not in %s:\n%s"
                                 % (needle, path or self.file,
                                    self.text(path)[-2000:]))

    def close(self):
        if self.proc is not None:
            try:
                os.kill(self.proc.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
            _Started.close(self)
        self._tmp.close()


# ---------------------------------------------------------------- runner

_tests = []


def test(fn=None, timeout=DEFAULT_TEST_TIMEOUT):
    """Register a test; use as @test or @test(timeout=SECONDS).

    Tests run in the order they are defined.
    """
    def register(f):
        f._harness_timeout = timeout
        _tests.append(f)
        return f
    if fn is not None:
        return register(fn)
    return register


_current_bound = [0.0]


def _on_alarm(signum, frame):
    raise TestTimeout("test ran past its time bound (%g s)" % _current_bound[0])


def check(cond, fmt="check failed", *args):
    """assert that survives python -O, with a formatted message."""
    if not cond:
        raise AssertionError(fmt % args if args else fmt)


def main(argv=None):
    """Run the registered tests (or those named in argv); exit 1 if one
    failed, else 77 (automake's SKIP) if every one skipped, else 0."""
    argv = sys.argv[1:] if argv is None else argv
    selected = [t for t in _tests if not argv or t.__name__ in argv]
    unknown = set(argv) - {t.__name__ for t in _tests}
    if unknown:
        print("unknown test(s): %s" % " ".join(sorted(unknown)))
        sys.exit(2)
    passed = failed = skipped = 0
    old = signal.signal(signal.SIGALRM, _on_alarm)
    for t in selected:
        name = t.__name__
        started = list(_live_daemons)
        try:
            _current_bound[0] = t._harness_timeout
            signal.setitimer(signal.ITIMER_REAL, t._harness_timeout)
            try:
                t()
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except Skip as e:
            skipped += 1
            print("skip %s: %s" % (name, e))
        except BaseException as e:
            if isinstance(e, KeyboardInterrupt):
                raise
            failed += 1
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            if len(reason) > 300:
                reason = reason[:300] + "..."
            print("FAIL %s: %s" % (name, reason))
            traceback.print_exc(file=sys.stdout)
            for d in _live_daemons:
                if d not in started:
                    print("-- daytimed stderr (pid %s):\n%s"
                          % (d.pid, d.stderr_text()))
        else:
            passed += 1
            print("ok %s" % name)
        finally:
            # A test that forgot to stop its daemon must not affect the next.
            for d in list(_live_daemons):
                if d not in started:
                    d.stop(2.0)
                    d.cleanup()
        sys.stdout.flush()
    signal.signal(signal.SIGALRM, old)
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    sys.stdout.flush()
    # 77: automake's SKIP, when nothing ran (every selected test skipped)
    sys.exit(1 if failed else 77 if skipped and not passed else 0)
