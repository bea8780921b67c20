#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Soak: the real daemon under a bounded, mixed load (make check-soak).

For SOAK_SECONDS (default 60) of load, six client threads talk to one
daemon on loopback: TCP readers, resetters (SO_LINGER 0), holders that never
read, junk senders, ident peers (a scripted ident server that answers "alice"
for one netblock, one that stays silent for another, `ident timeout 0.5`)
and UDP datagrams of random sizes 0..2000, from allowed, denied and
alternating sources (127.0.0.X).  Meanwhile the configuration is reloaded
about every 3 s, alternating two valid rule sets, every fourth time a
broken one, which must be logged as `result=failed` and change nothing.

The first quarter of the time is a warm-up; then the engine's descriptors
and RSS are measured, and measured again after the main phase, once the
work in flight has finished.  At the end: descriptors exact, RSS within
SOAK_RSS_SLACK_KB (default 2048) of the warm baseline (not asserted under
AddressSanitizer, whose quarantine holds freed memory by design), exactly
one audit record for every connection that was made and every datagram
that was answered (peers are unique: every client binds its own
127.0.0.X:PORT), none twice, none for a peer we did not make, the daemon
still answers, and nothing from a sanitizer on its stderr.

SOAK_SEED fixes the random choices (the seed is printed).
"""

import errno
import os
import random
import re
import select
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS") or 60)
RSS_SLACK_KB = int(os.environ.get("SOAK_RSS_SLACK_KB") or 2048)
SEED = int(os.environ.get("SOAK_SEED") or random.SystemRandom().randrange(1 << 31))
RELOAD_EVERY = 3.0
SERVER = "127.0.0.1"
FIRST_PORT, LAST_PORT = 10000, 32767  # below the kernel's ephemeral range
TCP_WAIT = 10.0         # a reader's bound for the whole answer
UDP_WAIT = 1.5          # how long an unanswered datagram is waited for
SANITIZER_RE = re.compile(r"==\d+==ERROR: |runtime error:|LeakSanitizer|"
                          r"AddressSanitizer|UndefinedBehaviorSanitizer")

# Who is who.  "alt" sources flip between the two rule sets; the ident
# sources have a user rule, so `ident mode rules` looks them up.
ALLOW = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
DENY = ["127.0.0.5", "127.0.0.20"]      # .20 has no rule: default deny
ALT = ["127.0.0.6"]
IDENT_OK = "127.0.0.10"                  # ident answers alice
IDENT_SILENT = "127.0.0.11"              # ident never answers
ROLE = {a: "allow" for a in ALLOW}
ROLE.update({a: "deny" for a in DENY})
ROLE.update({a: "alt" for a in ALT})
ROLE[IDENT_OK] = "ident-ok"
ROLE[IDENT_SILENT] = "ident-silent"
PLAIN = ALLOW + DENY + ALT

# TCP decisions by role and rule set ("A" or "B"); drop (a limit) is
# always a legitimate outcome and counted.
TCP_WANT = {"allow": {"A": "allow", "B": "allow"},
            "deny": {"A": "deny", "B": "deny"},
            "alt": {"A": "allow", "B": "deny"},
            "ident-ok": {"A": "allow", "B": "deny"},
            "ident-silent": {"A": "allow", "B": "allow"}}
# UDP has no ident answer: the netblock's * rule decides.
UDP_WANT = {"allow": {"A": "allow", "B": "allow"},
            "deny": {"A": "deny", "B": "deny"},
            "alt": {"A": "allow", "B": "deny"},
            "ident-ok": {"A": "deny", "B": "allow"},
            "ident-silent": {"A": "allow", "B": "allow"}}
IDENT_STATUS = {"ok", "timeout", "refused", "unreachable", "malformed",
                "skipped"}


def rules(which):
    """The rule lines of set A or B (B also carries a bigger table)."""
    if which == "A":
        return ("allow 127.0.0.2\nallow 127.0.0.3/32\nallow 127.0.0.4\n"
                "deny 127.0.0.5\nallow 127.0.0.6\n"
                "deny 127.0.0.10\nallow 127.0.0.10 user alice\n"
                "allow 127.0.0.11\ndeny 127.0.0.11 user alice\n")
    extra = "".join("deny 10.%d.%d.0/24\nallow 2001:db8:%x::/48 user u%d\n"
                    % (i // 256, i % 256, i, i) for i in range(300))
    return ("allow 127.0.0.2/31\nallow 127.0.0.4\n"
            "deny 127.0.0.5\ndeny 127.0.0.6\n"
            "allow 127.0.0.10\ndeny 127.0.0.10 user alice\n"
            "allow 127.0.0.11\ndeny 127.0.0.11 user alice\n" + extra)


BROKEN = ["allow 127.0.0.5\n",            # conflicts with deny 127.0.0.5
          "allow 127.0.0.256\n",          # not an address
          "limit bogus 3\n"]              # unknown limit


def conf_text(port, identport, sink, which, broken=None):
    return h.daemon_conf(port, sink,
                         "ident mode rules\nident timeout 0.5\n"
                         "ident port %d\nlimit connections 4096\n"
                         "limit per-source 1024\nlimit udp-rate 1000000\n"
                         % identport, rules(which) + (broken or ""),
                         hosts=(SERVER,))


class Ports:
    """Unique source ports per source address, so a peer names one client."""

    def __init__(self, avoid):
        self.lock = threading.Lock()
        self.avoid = set(avoid)
        self.next = {}
        self.used = {}

    def take(self, src):
        with self.lock:
            n = self.used.get(src, 0)
            if n >= LAST_PORT - FIRST_PORT:
                return None
            if src not in self.next:
                self.next[src] = random.randint(FIRST_PORT, LAST_PORT)
            while True:
                p = self.next[src]
                self.next[src] = FIRST_PORT if p >= LAST_PORT else p + 1
                n += 1
                if p not in self.avoid:
                    break
            self.used[src] = n
            return p


class Load:
    """The shared state of one phase: stop flag, what was made, problems."""

    def __init__(self, port, ports, rng_seed):
        self.port = port
        self.ports = ports
        self.stop = threading.Event()
        self.made = []          # one dict per connection or datagram
        self.problems = []      # client-side violations, as text
        self.errors = []        # exceptions in client threads
        self.rng_seed = rng_seed

    def problem(self, fmt, *args):
        self.problems.append(fmt % args if args else fmt)


def tcp_connect(load, src, timeout=5.0):
    """Bind src:unique port, connect; return (sock or None, entry)."""
    for _ in range(50):
        p = load.ports.take(src)
        if p is None:
            return None, None
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((src, p))
        except OSError:
            s.close()
            continue
        entry = {"peer": "%s:%d" % (src, p), "proto": "tcp",
                 "role": ROLE[src], "connected": False, "data": None,
                 "outcome": None}
        s.settimeout(timeout)
        try:
            s.connect((SERVER, load.port))
        except OSError as e:
            s.close()
            if e.errno in (errno.EADDRNOTAVAIL, errno.EADDRINUSE):
                continue        # never left this host: no SYN, no record
            entry["outcome"] = "connect: %s" % e
            load.made.append(entry)
            return None, entry
        entry["connected"] = True
        load.made.append(entry)
        return s, entry
    return None, None


def finish_reader(load, s, entry):
    data, how = h.read_to_eof(s, time.monotonic() + TCP_WAIT)
    s.close()
    entry["data"], entry["outcome"] = data, how
    if how == "timeout":
        load.problem("%s %s: no EOF within %.0f s", entry["kind"],
                     entry["peer"], TCP_WAIT)


def run_reader(load, rng):
    """Connect, read the whole answer, close."""
    while not load.stop.is_set():
        s, entry = tcp_connect(load, rng.choice(PLAIN))
        if s is not None:
            entry["kind"] = "reader"
            finish_reader(load, s, entry)
        elif entry is not None:
            entry["kind"] = "reader"
        load.stop.wait(0.005)


def run_resetter(load, rng):
    """Connect and reset at once (SO_LINGER 0), sometimes after a few bytes."""
    srcs = PLAIN + [IDENT_OK, IDENT_SILENT]
    while not load.stop.is_set():
        s, entry = tcp_connect(load, rng.choice(srcs))
        if entry is not None:
            entry["kind"] = "resetter"
        if s is not None:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         b"\x01\x00\x00\x00\x00\x00\x00\x00")
            if rng.random() < 0.3:
                try:
                    s.send(rng.randbytes(rng.randint(1, 64)))
                except OSError:
                    pass
            s.close()
            entry["outcome"] = "reset"
        load.stop.wait(0.005)


def run_holder(load, rng):
    """Keep up to 16 connections open a while without reading them."""
    held = []
    srcs = PLAIN + [IDENT_OK, IDENT_SILENT]
    try:
        while not load.stop.is_set():
            now = time.monotonic()
            for item in [x for x in held if x[0] <= now]:
                held.remove(item)
                item[1].close()
                item[2]["outcome"] = "held"
            if len(held) < 16:
                s, entry = tcp_connect(load, rng.choice(srcs))
                if entry is not None:
                    entry["kind"] = "holder"
                if s is not None:
                    held.append((now + rng.uniform(0.3, 3.0), s, entry))
            load.stop.wait(0.02)
    finally:
        for _, s, entry in held:
            s.close()
            entry["outcome"] = "held"


def run_junk(load, rng):
    """Send junk (sometimes a lot), maybe half-close, then read to EOF."""
    while not load.stop.is_set():
        s, entry = tcp_connect(load, rng.choice(PLAIN))
        if entry is not None:
            entry["kind"] = "junk"
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
            entry["data"], entry["outcome"] = data, "junk-" + how
            if how == "timeout":
                load.problem("junk %s: no EOF within %.0f s", entry["peer"],
                             TCP_WAIT)
        load.stop.wait(0.005)


def run_ident(load, rng):
    """Batches of ident peers (answering and silent); some close early."""
    while not load.stop.is_set():
        batch = []
        for _ in range(6):
            s, entry = tcp_connect(load, rng.choice((IDENT_OK,
                                                     IDENT_SILENT)))
            if entry is None:
                continue
            entry["kind"] = "ident"
            if s is None:
                continue
            if rng.random() < 0.2:
                s.close()       # gone while its lookup is in flight
                entry["outcome"] = "early-close"
                entry["kind"] = "ident-early"
                continue
            batch.append((s, entry))
        for s, entry in batch:
            finish_reader(load, s, entry)
        load.stop.wait(0.01)


def udp_socket(load, src):
    for _ in range(50):
        p = load.ports.take(src)
        if p is None:
            return None, None
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind((src, p))
            s.connect((SERVER, load.port))
        except OSError:
            s.close()
            continue
        return s, "%s:%d" % (src, p)
    return None, None


def run_udp(load, rng):
    """Datagrams of random sizes from fresh sockets; wait for answers."""
    srcs = PLAIN + [IDENT_OK, IDENT_SILENT]
    pending = {}
    poller = select.poll()

    def settle(fd, answered):
        s, entry, _ = pending.pop(fd)
        poller.unregister(fd)
        if answered:
            try:
                entry["data"] = s.recv(4096)
                entry["answered"] = True
                entry["outcome"] = "answered"
            except ConnectionRefusedError:
                entry["outcome"] = "refused"
            except BlockingIOError:
                entry["outcome"] = "silence"
        else:
            entry["outcome"] = "silence"
        s.close()

    def collect(timeout_ms):
        for fd, _ in poller.poll(timeout_ms):
            if fd in pending:
                settle(fd, True)
        now = time.monotonic()
        for fd in [fd for fd, v in pending.items() if v[2] <= now]:
            settle(fd, False)

    while not load.stop.is_set():
        for _ in range(4):
            s, peer = udp_socket(load, rng.choice(srcs))
            if s is None:
                continue
            s.setblocking(False)
            entry = {"peer": peer, "proto": "udp", "kind": "udp",
                     "role": ROLE[peer.split(":")[0]], "answered": False,
                     "data": None, "outcome": None}
            load.made.append(entry)
            try:
                s.send(rng.randbytes(rng.randint(0, 2000)))
            except OSError as e:
                entry["outcome"] = "send: %s" % e
                s.close()
                continue
            pending[s.fileno()] = (s, entry, time.monotonic() + UDP_WAIT)
            poller.register(s.fileno(), select.POLLIN)
        collect(20)
        load.stop.wait(0.01)
    while pending:
        collect(50)


def guarded(load, fn, seed):
    """Run a client loop; an exception is a failure, not a silent death."""
    rng = random.Random(seed)
    try:
        fn(load, rng)
    except BaseException as e:  # noqa: B902 - reported at the end
        import traceback
        load.errors.append("%s: %s\n%s" % (fn.__name__, e,
                                           traceback.format_exc()))


CLIENTS = [run_reader, run_resetter, run_holder, run_junk, run_ident, run_udp]


def is_asan(path):
    with open(path, "rb") as f:
        return b"__asan_init" in f.read()


class Reloader:
    """SIGHUP the monitor every ~3 s: A, B, A, broken, B, A, B, broken..."""

    def __init__(self, d, sink, port, identport, load_ref):
        self.d, self.sink = d, sink
        self.port, self.identport = port, identport
        self.current = "A"          # the set in effect
        self.n = 0
        self.ok = self.failed = 0
        self.seen = 0               # reload records already accounted for
        self.load_ref = load_ref

    def reload(self):
        self.n += 1
        broken = None
        want = "B" if self.current == "A" else "A"
        if self.n % 4 == 0:
            broken = BROKEN[(self.n // 4) % len(BROKEN)]
            want = self.current
        self.d.reload(conf_text(self.port, self.identport, self.sink,
                                want, broken))
        self.seen += 1
        recs = self.sink.wait_for(r"^event=reload ", timeout=15,
                                  count=self.seen)
        rec = recs[-1] if isinstance(recs, list) else recs
        k = h.kv(rec.msg)
        if broken is None:
            check(k.get("result") == "ok", "reload %d: %r", self.n, rec.msg)
            self.ok += 1
        else:
            check(k.get("result") == "failed" and rec.severity == 3 and
                  k.get("error"), "broken reload %d (%r) not a failure at "
                  "err: %r", self.n, broken, rec.msg)
            self.failed += 1
        self.current = want
        self.verify()

    def verify(self):
        """A fresh peer from an alternating source sees the set in effect."""
        load = self.load_ref[0]
        s, entry = tcp_connect(load, ALT[0])
        check(s is not None, "reload probe could not connect: %r", entry)
        entry["kind"] = "probe"
        entry["want"] = TCP_WANT["alt"][self.current]
        finish_reader(load, s, entry)
        got = "allow" if h.CTIME_RE.match(entry["data"]) else "deny"
        check(got == entry["want"], "after reload %d (set %s) %s got %s "
              "(%r)", self.n, self.current, entry["peer"], got,
              entry["data"])


def run_phase(load, seconds, reloader, seed):
    threads = [threading.Thread(target=guarded, args=(load, fn, seed * 31 + i),
                                daemon=True, name=fn.__name__)
               for i, fn in enumerate(CLIENTS)]
    for t in threads:
        t.start()
    end = time.monotonic() + seconds
    next_reload = time.monotonic() + RELOAD_EVERY
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if now >= next_reload:
            reloader.reload()
            next_reload = time.monotonic() + RELOAD_EVERY
        load.stop.wait(min(end, next_reload) - time.monotonic())
    load.stop.set()
    for t in threads:
        t.join(30)
        check(not t.is_alive(), "client thread %s did not stop", t.name)
    check(not load.errors, "client thread failed:\n%s",
          "\n".join(load.errors))


class Records:
    """The audit records received so far, by peer, parsed incrementally."""

    def __init__(self, sink):
        self.sink = sink
        self.done = 0
        self.by_peer = {}
        self.conns = {}
        self.dup_conn = []

    def update(self):
        recs = self.sink.records()
        for r in recs[self.done:]:
            if not r.msg.startswith("conn="):
                continue
            k = h.kv(r.msg)
            self.by_peer.setdefault(k["peer"], []).append(k)
            if k["conn"] in self.conns:
                self.dup_conn.append(k["conn"])
            self.conns[k["conn"]] = k
        self.done = len(recs)


def wait_records(recs, made, timeout):
    """Poll until every connect that succeeded and every answered datagram
    has a record; return the peers still missing."""
    want = {m["peer"] for m in made
            if (m["proto"] == "tcp" and m["connected"]) or
            (m["proto"] == "udp" and m.get("answered"))}

    def missing():
        recs.update()
        return want - set(recs.by_peer)
    return h.poll_until(missing, timeout, done=lambda m: not m, interval=0.1)


def judge(made, recs, probe_peers, local):
    """Check records against what the clients made; return (problems,
    tallies)."""
    bad = []
    tally = {"tcp": 0, "tcp_failed": 0, "udp": 0, "udp_answered": 0,
             "udp_late": 0, "drops": 0, "allow": 0, "deny": 0}
    peers = set()
    for m in made:
        peer = m["peer"]
        if peer in peers:
            bad.append("peer %s made twice (test bug)" % peer)
        peers.add(peer)
        got = recs.by_peer.get(peer, [])
        role = m["role"]
        if m["proto"] == "tcp":
            if not m["connected"]:
                tally["tcp_failed"] += 1
                if len(got) > 1:
                    bad.append("%s (failed connect %s): %d records"
                               % (peer, m["outcome"], len(got)))
                continue
            tally["tcp"] += 1
            if len(got) != 1:
                bad.append("tcp %s (%s): %d records" % (peer, m["kind"],
                                                         len(got)))
                continue
            k = got[0]
            dec = k.get("decision")
            if dec in tally:
                tally[dec] += 1
            if dec == "drop":
                tally["drops"] += 1
            wants = set(TCP_WANT[role].values()) | {"drop"}
            if k.get("proto") != "tcp" or dec not in wants or \
                    k.get("local") != local or \
                    k.get("ident_status") not in IDENT_STATUS:
                bad.append("tcp %s (%s, %s): %r" % (peer, m["kind"], role, k))
                continue
            if m["kind"] in ("reader", "ident", "probe", "final") and \
                    m["outcome"] == "eof":
                answered = bool(h.CTIME_RE.match(m["data"]))
                if answered != (dec == "allow") or \
                        (not answered and m["data"]):
                    bad.append("tcp %s (%s): got %r, record %r"
                               % (peer, m["kind"], m["data"], k))
            if m["kind"] == "ident" and dec != "drop":
                ok = (k["ident_status"] == "ok" and k["ident"] == "alice") \
                    if role == "ident-ok" else \
                    (k["ident_status"] == "timeout" and k["ident"] == "-")
                if not ok:
                    bad.append("ident %s (%s): %r" % (peer, role, k))
            if role in ("allow", "deny", "alt") and dec != "drop" and \
                    k["ident_status"] != "skipped":
                bad.append("no lookup expected for %s: %r" % (peer, k))
        else:
            tally["udp"] += 1
            if m.get("answered"):
                tally["udp_answered"] += 1
                if len(got) != 1 or got[0].get("decision") != "allow" or \
                        got[0].get("proto") != "udp":
                    bad.append("udp %s answered, records %r" % (peer, got))
                if role == "deny":
                    bad.append("udp %s (denied) was answered" % peer)
                if not h.CTIME_RE.match(m["data"] or b""):
                    bad.append("udp %s answer %r" % (peer, m["data"]))
                continue
            if len(got) > 1:
                bad.append("udp %s: %d records" % (peer, len(got)))
            elif got:
                k = got[0]
                dec = k.get("decision")
                if k.get("proto") != "udp" or dec not in \
                        set(UDP_WANT[role].values()) | {"drop"}:
                    bad.append("udp %s (%s): %r" % (peer, role, k))
                if dec == "allow":
                    tally["udp_late"] += 1   # answered after we stopped waiting
                if dec == "drop":
                    tally["drops"] += 1
    for peer, got in recs.by_peer.items():
        if peer not in peers and peer not in probe_peers:
            bad.append("record for a peer nobody made: %r" % got)
    if recs.dup_conn:
        bad.append("conn ids seen twice: %r" % recs.dup_conn[:5])
    return bad, tally


@test(timeout=SOAK_SECONDS * 2 + 240)
def soak():
    random.seed(SEED)
    print("soak: %.0f s, seed %d (SOAK_SECONDS, SOAK_SEED)" % (SOAK_SECONDS,
                                                               SEED))
    asan = is_asan(h.DAYTIMED)
    port = h.free_port()
    identport = h.free_port(host=[IDENT_OK, IDENT_SILENT])
    ok_ident = h.FakeIdent("ok", "alice", IDENT_OK, identport)
    silent_ident = h.FakeIdent("silent", "alice", IDENT_SILENT, identport)
    sink = h.SyslogSink(rcvbuf=8 << 20)
    d = h.Daemon(conf_text(port, identport, sink, "A"), ready="proc")
    try:
        _soak(d, sink, port, identport, asan)
    finally:
        d.stop()
        d.cleanup()
        sink.close()
        ok_ident.close()
        silent_ident.close()


def _soak(d, sink, port, identport, asan):
    ports = Ports([port, identport])
    engine = h.engine_pid(d, 10)
    fds_start = h.fd_count(engine)
    load_ref = [None]
    reloader = Reloader(d, sink, port, identport, load_ref)
    recs = Records(sink)
    warm = max(5.0, SOAK_SECONDS / 4)
    main = max(5.0, SOAK_SECONDS - warm)
    made = []

    # warm-up: the same load, so pools, tables and arenas reach their size
    load = load_ref[0] = Load(port, ports, SEED)
    run_phase(load, warm, reloader, SEED)
    made += load.made
    missing = wait_records(recs, made, 30)
    check(not missing, "after warm-up, %d peers without a record, e.g. %r",
          len(missing), sorted(missing)[:5])
    fds_base = h.settled_fd_count(engine, timeout=15, steady=1.0)
    rss_base = h.rss_kb(engine)
    reloads_warm = (reloader.ok, reloader.failed)

    load = load_ref[0] = Load(port, ports, SEED + 1)
    t0 = time.monotonic()
    run_phase(load, main, reloader, SEED + 1)
    elapsed = time.monotonic() - t0
    problems = list(load.problems)
    made += load.made
    missing = wait_records(recs, made, 60)
    fds_end = h.settled_fd_count(engine, want=fds_base, timeout=15, hold=0.3)
    rss_end = h.rss_kb(engine)

    # (c) still answering, over both protocols
    final = Load(port, ports, SEED + 2)
    s, entry = tcp_connect(final, ALLOW[0])
    check(s is not None, "final TCP connect failed: %r", entry)
    entry["kind"] = "final"
    finish_reader(final, s, entry)
    us, upeer = udp_socket(final, ALLOW[0])
    uentry = {"peer": upeer, "proto": "udp", "kind": "final", "role": "allow",
              "answered": False, "data": None, "outcome": None}
    final.made.append(uentry)
    us.settimeout(5)
    us.send(b"")
    try:
        uentry["data"] = us.recv(4096)
        uentry["answered"] = True
    except (socket.timeout, ConnectionRefusedError):
        pass
    us.close()
    made += final.made
    missing |= wait_records(recs, made, 10)

    # the counters, for the summary (log_lost must be 0)
    n = len(sink.records(r"^event=counters "))
    d.signal(signal.SIGUSR1)
    got = sink.wait_for(r"^event=counters ", count=n + 1, timeout=10)
    counters = h.kv((got[-1] if isinstance(got, list) else got).msg)
    engine_alive = os.path.exists("/proc/%d" % engine) and \
        h.engine_pid(d, 10) == engine
    recs.update()
    bad, tally = judge(made, recs, d.probe_peers, "%s:%d" % (SERVER, port))
    rc = d.stop()
    stderr = d.stderr_text()
    sanitizer = [l for l in stderr.splitlines() if SANITIZER_RE.search(l)]

    nrec = sum(len(v) for v in recs.by_peer.values())
    kinds = {}
    for m in made:
        kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
    print("soak summary (%s build): warm-up %.0f s, main %.1f s"
          % ("ASan" if asan else "plain", warm, elapsed))
    print("  tcp connections %d (+%d failed connects), by kind %s"
          % (tally["tcp"], tally["tcp_failed"],
             " ".join("%s=%d" % kv for kv in sorted(kinds.items()))))
    print("  udp datagrams %d, answered %d, answered late %d"
          % (tally["udp"], tally["udp_answered"], tally["udp_late"]))
    print("  audit records %d (allow %d, deny %d, drop %d); missing %d"
          % (nrec, tally["allow"], tally["deny"], tally["drops"],
             len(missing)))
    print("  reloads ok %d, failed %d (warm-up %d/%d)"
          % (reloader.ok, reloader.failed, reloads_warm[0], reloads_warm[1]))
    print("  engine fds start %d, after warm-up %d, at end %d"
          % (fds_start, fds_base, fds_end))
    print("  engine RSS after warm-up %d kB, at end %d kB (%+d kB)"
          % (rss_base, rss_end, rss_end - rss_base))
    print("  counters: %s" % " ".join(
        "%s=%s" % (k, counters.get(k)) for k in
        ("accepted", "allowed", "denied", "dropped", "udp", "ident_ok",
         "ident_timeout", "reloads", "reload_failures", "backpressure",
         "log_lost")))
    most = max(ports.used.values())
    print("  source ports used: at most %d of %d on one address%s"
          % (most, LAST_PORT - FIRST_PORT,
             " (exhausted: the load thinned out)"
             if most >= LAST_PORT - FIRST_PORT else ""))
    print("  daemon exit status %s, stderr %d bytes" % (rc, len(stderr)))
    sys.stdout.flush()

    check(engine_alive, "the engine %d is gone or was replaced", engine)
    check(not sanitizer, "sanitizer output on stderr:\n%s",
          "\n".join(sanitizer[:20]))
    check(entry["outcome"] == "eof" and h.CTIME_RE.match(entry["data"]),
          "final TCP request: %r", entry)
    check(uentry["answered"] and h.CTIME_RE.match(uentry["data"]),
          "final UDP request unanswered: %r", uentry)
    check(not problems, "%d client-side problems, e.g.:\n%s", len(problems),
          "\n".join(problems[:10]))
    check(not missing, "%d peers without a record, e.g. %r", len(missing),
          sorted(missing)[:5])
    check(not bad, "%d record mismatches, e.g.:\n%s", len(bad),
          "\n".join(str(b)[:300] for b in bad[:10]))
    check(counters.get("log_lost") == "0", "log lost %s messages",
          counters.get("log_lost"))
    check(fds_end == fds_base, "engine descriptors %d after warm-up, %d at "
          "end", fds_base, fds_end)
    if asan:
        print("  (RSS not asserted: AddressSanitizer's quarantine keeps "
              "freed memory)")
    else:
        check(rss_end <= rss_base + RSS_SLACK_KB, "engine RSS grew from %d "
              "to %d kB (slack %d kB)", rss_base, rss_end, RSS_SLACK_KB)
    check(rc == 0, "daemon exit status %s", rc)


if __name__ == "__main__":
    h.main()
