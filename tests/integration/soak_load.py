# SPDX-License-Identifier: ISC
"""The soak's load: who the sources are, the rules they meet, the ports
they use, and the client threads (soak.py runs them; soak_ledger.py keeps
what they made and judges it).

Sources are addresses of the soak's own network namespace (netns.py):
dozens of 127.x.y.z and IPv6 aliases fd00:5a:ROLE:N::1 (each in a /64 of
its own), grouped in roles by netblock.  Each connection or datagram binds
its source address and a port from 10000-32767 (below the ephemeral
range), so the record's peer names it; a port rests COOLDOWN s after use
before it is taken again (longer than TIME_WAIT's 60 s and than a record
may be late), which lets the soak run for hours.

A client registers its entry in the ledger before its SYN or datagram
leaves and finishes it when it is done; a closed gate (quiesce) holds new
work back while what is in flight ends.
"""

import collections
import errno
import random
import select
import socket
import struct
import threading
import time

import harness as h

FIRST_PORT, LAST_PORT = 10000, 32767
COOLDOWN = 90.0         # seconds a (source, port) rests after its use
TCP_WAIT = 10.0         # a reader's bound for the whole answer
UDP_WAIT = 1.5          # how long an unanswered datagram is waited for
SERVER = {4: "127.0.0.1", 6: "::1"}
IDENT_USER = "alice"


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def _v4(prefix, n):
    return ["%s.%d" % (prefix, i) for i in range(1, n + 1)]


def _v6(role, n):
    return ["fd00:5a:%x:%x::1" % (role, i) for i in range(1, n + 1)]


# role: its addresses, the netblocks that hold them
SOURCES = {
    "allow": _v4("127.1.0", 16) + _v6(1, 8),
    "deny": _v4("127.2.0", 12) + _v6(2, 6),
    "nobody": _v4("127.9.0", 4) + _v6(9, 2),        # no rule: default
    "alt": _v4("127.3.0", 8) + _v6(3, 4),           # A allows, B denies
    "inc": _v4("127.4.0", 4),           # allowed by rules.d/inc.rules
    "ident-ok": ["127.0.0.10", "fd00:5a:10:1::1"],  # fake identd: alice
    "ident-silent": ["127.0.0.11"],     # fake identd that never answers
    "ident-real": ["fd00:5a:12:1::1"],  # oidentd: the socket's owner, root
}
NETS = {"allow": {"127.1.0.0/24", "fd00:5a:1::/48"},
        "deny": {"127.2.0.0/24", "fd00:5a:2::/48"},
        "nobody": set(),
        "alt": {"127.3.0.0/24", "fd00:5a:3::/48"},
        "inc": {"127.4.0.0/24"},
        "ident-ok": {"127.0.0.10/32", "fd00:5a:10::/48"},
        "ident-silent": {"127.0.0.11/32"},
        "ident-real": {"fd00:5a:12::/48"},
        "burst": {"127.5.0.0/16"}}
ROLE_OF = {a: r for r, addrs in SOURCES.items() for a in addrs}
V6_ALIASES = [a for addrs in SOURCES.values() for a in addrs if ":" in a]
INC_RULES = "allow 127.4.0.0/24\n"
IDENT_ROLES = ("ident-ok", "ident-silent", "ident-real")

# Rule set A on lines 1.., B on lines 21..: a line number names one rule.
RULES_A = ["allow 127.1.0.0/24", "allow fd00:5a:1::/48",
           "deny 127.2.0.0/24", "deny fd00:5a:2::/48",
           "allow 127.3.0.0/24", "allow fd00:5a:3::/48",
           "deny 127.0.0.10", "allow 127.0.0.10 user alice",
           "deny fd00:5a:10::/48", "allow fd00:5a:10::/48 user alice",
           "allow 127.0.0.11", "deny 127.0.0.11 user alice",
           "deny fd00:5a:12::/48", "allow fd00:5a:12::/48 user root",
           "allow 127.5.0.0/16"]
RULES_B = ["allow 127.1.0.0/24", "allow fd00:5a:1::/48",
           "deny 127.2.0.0/24", "deny fd00:5a:2::/48",
           "deny 127.3.0.0/24", "deny fd00:5a:3::/48",
           "allow 127.0.0.10", "deny 127.0.0.10 user alice",
           "allow fd00:5a:10::/48", "deny fd00:5a:10::/48 user alice",
           "allow 127.0.0.11", "deny 127.0.0.11 user alice",
           "deny fd00:5a:12::/48", "allow fd00:5a:12::/48 user root",
           "allow 127.5.0.0/16"]
B_FIRST_LINE = 21
EXTRA_B = ["deny 10.%d.%d.0/24\nallow 2001:db8:%x::/48 user u%d"
           % (i // 256, i % 256, i, i) for i in range(300)]
BROKEN = ["allow 127.2.0.0/24\n",       # conflicts with deny 127.2.0.0/24
          "allow 127.0.0.256\n",        # not an address
          "limit bogus 3\n"]            # unknown limit


def _canon(net):
    return net if "/" in net else net + ("/128" if ":" in net else "/32")


def _rule_map():
    """line -> (set, action, netblock, user) for both sets; and
    (set, netblock) -> the users with a rule there."""
    lines, users = {}, {}
    for which, rules, first in (("A", RULES_A, 1), ("B", RULES_B,
                                                    B_FIRST_LINE)):
        for i, text in enumerate(rules):
            w = text.split()
            user = w[3] if len(w) == 4 else None
            lines[first + i] = (which, w[0], _canon(w[1]), user)
            if user:
                users.setdefault((which, _canon(w[1])), set()).add(user)
    return lines, users


RULE_LINES, RULE_USERS = _rule_map()


def rules_text(which, broken=None):
    """The first lines of the configuration: set A or B (and a broken
    line, at the end of the block, when asked)."""
    if which == "A":
        text = "\n".join(RULES_A) + "\n"
        text += "\n" * (B_FIRST_LINE - 1 - len(RULES_A))
    else:
        text = "\n" * (B_FIRST_LINE - 1)
        text += "\n".join(RULES_B + EXTRA_B) + "\n"
    return text + (broken or "")


class Ports:
    """Per source address: a free list of ports, and those resting."""

    def __init__(self, rng):
        self.lock = threading.Lock()
        self.rng = rng
        self.free = {}
        self.resting = {}
        self.taken = 0
        self.reused = 0

    def take(self, src):
        """A port of src that is neither in use nor resting, or None."""
        with self.lock:
            if src not in self.free:
                ports = list(range(FIRST_PORT, LAST_PORT + 1))
                self.rng.shuffle(ports)
                self.free[src] = collections.deque(ports)
                self.resting[src] = collections.deque()
            rest, now = self.resting[src], time.monotonic()
            while rest and rest[0][0] <= now:
                self.free[src].append(rest.popleft()[1])
                self.reused += 1
            if not self.free[src]:
                return None
            self.taken += 1
            return self.free[src].popleft()

    def give_back(self, src, port):
        with self.lock:
            self.resting[src].append((time.monotonic() + COOLDOWN, port))


class Entry:
    """One connection or datagram (or a burst of datagrams from one
    socket: want > 1), from registration to judgement."""

    __slots__ = ("peer", "src", "port", "proto", "kind", "role", "t0", "t1",
                 "connected", "outcome", "data", "answered", "recs", "want",
                 "expect")

    def __init__(self, src, port, proto, kind):
        self.src, self.port, self.proto, self.kind = src, port, proto, kind
        self.peer = "[%s]:%d" % (src, port) if ":" in src else \
            "%s:%d" % (src, port)
        self.role = ROLE_OF.get(src, "burst")
        self.t0 = self.t1 = None
        self.connected = False
        self.outcome = self.data = None
        self.answered = 0       # UDP answers received
        self.recs = []
        self.want = 1           # datagrams sent (records expected)
        self.expect = None      # a probe's expected decision


class Load:
    """What the client threads share: the ledger, ports, stop and gate."""

    def __init__(self, port, ledger, seed):
        self.port = port
        self.ledger = ledger
        self.ports = Ports(random.Random(seed))
        self.stop = threading.Event()
        self.gate = threading.Event()       # set: new work may start
        self.gate.set()
        self.errors = []
        self.threads = []
        self.seed = seed

    def start(self):
        for i, fn in enumerate(CLIENTS):
            t = threading.Thread(target=self._guarded, name=fn.__name__,
                                 args=(fn, self.seed * 31 + i), daemon=True)
            t.start()
            self.threads.append(t)

    def _guarded(self, fn, seed):
        rng = random.Random(seed)
        try:
            fn(self, rng)
        except BaseException as e:  # noqa: B902 - reported at the end
            import traceback
            self.errors.append("%s: %s\n%s" % (fn.__name__, e,
                                               traceback.format_exc()))

    def wait_gate(self):
        """False once stopping; blocks while the gate is closed."""
        while not self.stop.is_set():
            if self.gate.wait(0.2):
                return True
        return False

    def end(self):
        self.stop.set()
        self.gate.set()
        for t in self.threads:
            t.join(30)
        return [t.name for t in self.threads if t.is_alive()]


def pick(rng, roles):
    return rng.choice(SOURCES[rng.choice(roles)])


def bound_socket(load, src, socktype, connect=False):
    """A socket bound to src and a fresh port of its pool, connected to
    the server too when `connect` (a port that fails goes back; 20
    tries): (sock, port), or (None, None)."""
    for _ in range(20):
        port = load.ports.take(src)
        if port is None:
            return None, None
        s = socket.socket(family(src), socktype)
        if socktype == socket.SOCK_STREAM:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((src, port))
            if connect:
                s.connect((SERVER[6 if ":" in src else 4], load.port))
        except OSError:
            s.close()
            load.ports.give_back(src, port)
            continue
        return s, port
    return None, None


def tcp_connect(load, src, kind, timeout=5.0):
    """Bind src and a fresh port, register, connect: (sock or None,
    entry or None); a failed connect finishes its entry."""
    s, port = bound_socket(load, src, socket.SOCK_STREAM)
    if s is None:
        return None, None
    e = Entry(src, port, "tcp", kind)
    load.ledger.register(e)
    s.settimeout(timeout)
    try:
        s.connect((SERVER[6 if ":" in src else 4], load.port))
    except OSError as err:
        s.close()
        e.outcome = "connect: %s" % (errno.errorcode.get(err.errno) or
                                     "timeout")
        load.ledger.finish(e, load.ports)
        return None, e
    e.connected = True
    return s, e


def finish_reader(load, s, e):
    e.data, e.outcome = h.read_to_eof(s, time.monotonic() + TCP_WAIT)
    s.close()
    load.ledger.finish(e, load.ports)


def run_reader(load, rng):
    """Connect, read the whole answer, close."""
    while load.wait_gate():
        s, e = tcp_connect(load, pick(rng, ("allow", "allow", "deny", "alt",
                                            "nobody", "inc")), "reader")
        if s is not None:
            finish_reader(load, s, e)
        load.stop.wait(0.005)


# Clients that leave without waiting for the daemon never come from the
# real identd's source: each of its lookups of a vanished connection scans
# the namespace's whole socket table (30 ms at 12,000 TIME_WAIT sockets).
LEAVERS = tuple(r for r in SOURCES if r != "ident-real")


def run_resetter(load, rng):
    """Connect and reset at once (SO_LINGER 0), sometimes after bytes."""
    roles = LEAVERS
    while load.wait_gate():
        s, e = tcp_connect(load, pick(rng, roles), "resetter")
        if s is not None:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
            if rng.random() < 0.3:
                try:
                    s.send(rng.randbytes(rng.randint(1, 64)))
                except OSError:
                    pass
            s.close()
            e.outcome = "reset"
            load.ledger.finish(e, load.ports)
        load.stop.wait(0.005)


def run_holder(load, rng):
    """Keep up to 16 connections open 0.3-3 s without reading them; let
    them all go while the gate is closed."""
    held = []
    roles = LEAVERS

    def release(items):
        for item in items:
            held.remove(item)
            item[1].close()
            item[2].outcome = "held"
            load.ledger.finish(item[2], load.ports)
    try:
        while not load.stop.is_set():
            now = time.monotonic()
            if not load.gate.is_set():
                release(list(held))
                load.gate.wait(0.2)
                continue
            release([x for x in held if x[0] <= now])
            if len(held) < 16:
                s, e = tcp_connect(load, pick(rng, roles), "holder")
                if s is not None:
                    held.append((now + rng.uniform(0.3, 3.0), s, e))
            load.stop.wait(0.02)
    finally:
        release(list(held))


def run_junk(load, rng):
    """Send junk (sometimes a lot), maybe half-close, then read to EOF."""
    while load.wait_gate():
        s, e = tcp_connect(load, pick(rng, ("allow", "deny", "alt")),
                           "junk")
        if s is not None:
            n = rng.choice((0, 1, 2, 13, 100, 1500, 8192, 70000))
            junk = rng.randbytes(n)
            if rng.random() < 0.3:
                junk = b"\r\n\x00\xff" * (n // 4 + 1)
            try:
                s.sendall(junk)
                if rng.random() < 0.5:
                    s.shutdown(socket.SHUT_WR)
            except OSError:
                pass            # the daemon answered and closed: fine
            data, how = h.read_to_eof(s, time.monotonic() + TCP_WAIT)
            s.close()
            e.data, e.outcome = data, "junk-" + how
            load.ledger.finish(e, load.ports)
        load.stop.wait(0.005)


def run_ident(load, rng):
    """Batches of peers that the rules look up; some close early."""
    while load.wait_gate():
        batch = []
        for _ in range(6):
            s, e = tcp_connect(load, pick(rng, IDENT_ROLES), "ident")
            if s is None:
                continue
            if rng.random() < 0.2:
                s.close()       # gone while its lookup is in flight
                e.outcome = "early-close"
                e.kind = "ident-early"
                load.ledger.finish(e, load.ports)
                continue
            batch.append((s, e))
        for s, e in batch:
            finish_reader(load, s, e)
        load.stop.wait(0.01)


def udp_entry(load, src, kind):
    """A connected UDP socket from src and a fresh port, registered:
    (sock, entry), or (None, None)."""
    s, port = bound_socket(load, src, socket.SOCK_DGRAM, connect=True)
    if s is None:
        return None, None
    e = Entry(src, port, "udp", kind)
    load.ledger.register(e)
    return s, e


def run_udp(load, rng):
    """Datagrams of random sizes from fresh sockets; wait for answers."""
    roles = ("allow", "allow", "deny", "alt", "nobody") + IDENT_ROLES
    pending = {}
    poller = select.poll()

    def settle(fd, readable):
        s, e, _ = pending.pop(fd)
        poller.unregister(fd)
        e.outcome = "silence"
        if readable:
            try:
                e.data = s.recv(4096)
                e.answered = 1
                e.outcome = "answered"
            except ConnectionRefusedError:
                e.outcome = "refused"
            except BlockingIOError:
                pass
        s.close()
        load.ledger.finish(e, load.ports)

    def collect(timeout_ms):
        for fd, _ in poller.poll(timeout_ms):
            if fd in pending:
                settle(fd, True)
        now = time.monotonic()
        for fd in [fd for fd, v in pending.items() if v[2] <= now]:
            settle(fd, False)

    while not load.stop.is_set():
        if load.gate.is_set():
            for _ in range(4):
                s, e = udp_entry(load, pick(rng, roles), "udp")
                if s is None:
                    continue
                s.setblocking(False)
                try:
                    s.send(rng.randbytes(rng.randint(0, 2000)))
                except OSError as err:
                    e.outcome = "send: %s" % err
                    s.close()
                    load.ledger.finish(e, load.ports)
                    continue
                pending[s.fileno()] = (s, e, time.monotonic() + UDP_WAIT)
                poller.register(s.fileno(), select.POLLIN)
        collect(20)
        load.stop.wait(0.01)
    while pending:
        collect(50)


CLIENTS = [run_reader, run_resetter, run_holder, run_junk, run_ident,
           run_udp]


def probe(load, src, expect=None, wait=TCP_WAIT):
    """One reader from src, now, on the caller's thread: the entry
    (outcome "eof" and data), registered and finished like any other."""
    s, e = tcp_connect(load, src, "probe")
    if e is None:
        raise AssertionError("no port left on %s" % src)
    e.expect = expect
    if s is not None:
        e.data, e.outcome = h.read_to_eof(s, time.monotonic() + wait)
        s.close()
        load.ledger.finish(e, load.ports)
    return e


def udp_burst(load, src, n, quiet=0.5):
    """n datagrams from one fresh socket of src as fast as they go; the
    entry (want n) with the number of answers."""
    s, e = udp_entry(load, src, "burst")
    if s is None:
        raise AssertionError("no port left on %s" % src)
    e.want = n
    try:
        e.answered = h.udp_burst(s, n, quiet)
        e.outcome = "burst"
    finally:
        s.close()
        load.ledger.finish(e, load.ports)
    return e
