# SPDX-License-Identifier: ISC
"""The soak's books: what the clients made (the ledger), what reached
rsyslogd's file (the tail), and the judgement of each against the other.

Matching.  A record names its peer (source address and port); a port
rests long after each use (soak_load.COOLDOWN), so a record belongs to the
latest entry of that peer registered before the record was read (source,
port, time).  Its conn id must never repeat.  An entry is judged SETTLE s
after it ended, once the tail has read that far, and then forgotten, so
memory stays flat however long the soak runs; only tallies and a few
examples of each problem are kept.

Windows.  A fault marks the time it disturbs (Window): client timeouts
and refused connects are expected while the engine cannot accept, a
record may be missing only for what was in flight when a process was
killed, an ident lookup ends as the fault's phase says.  Everything else
is held to the design: exactly one record, the decision the rules give,
the answer the record says.

Order.  With `audit key` every record carries epoch=ID seq=N; in the file
the sequence numbers of an epoch must run 0, 1, 2, ... without a gap, a
repeat or a step back.
"""

import collections
import os
import re
import threading
import time

import harness as h
import soak_load as sl

SETTLE = 60.0           # an entry is judged this long after it ended
LATE = 2.5              # the daemon may work on an entry this long after
                        # its client left (an ident lookup: its timeout)
EXAMPLES = 5
BASE_IDENT = {"ident-ok": {"ok"}, "ident-silent": {"timeout"},
              "ident-real": {"ok"}}
IDENT_NAME = {"ident-ok": sl.IDENT_USER, "ident-real": "root"}
# What a window excuses: client-side trouble; a missing record (in flight
# at a kill; unanswered at a stop); extra ident outcomes.
OUTAGE_KINDS = {"outage", "kill", "stop"}
_LINE_RE = re.compile(r"^(\d+) ([^\s\[]+)\[(\d+)\]: ?(.*)$")


def listen_overflows():
    """The namespace's TcpExt ListenOverflows: handshakes the kernel
    dropped because a listen queue was full."""
    with open("/proc/net/netstat") as f:
        lines = [x.split() for x in f if x.startswith("TcpExt:")]
    return int(dict(zip(lines[0], lines[1])).get("ListenOverflows", 0))


class Window:
    """A stretch of time a fault disturbs: kind, start, end (None while it
    lasts), the fault's stats, and for "ident" the role and statuses.  An
    "outage" also counts the handshakes the kernel dropped meanwhile: a
    client whose last ACK met a full listen queue believes it connected,
    but the daemon never sees it (`overflows`, of which `used` were found
    as connections without a record)."""

    __slots__ = ("kind", "t0", "t1", "stat", "role", "statuses", "ov0",
                 "overflows", "used")

    def __init__(self, kind, stat, t0=None, role=None, statuses=None):
        self.kind, self.stat = kind, stat
        self.t0 = time.monotonic() if t0 is None else t0
        self.t1 = None
        self.role, self.statuses = role, statuses
        self.ov0 = listen_overflows() if kind == "outage" else 0
        self.overflows = self.used = 0

    def close(self, t1=None):
        self.t1 = time.monotonic() if t1 is None else t1
        if self.kind == "outage":
            self.overflows = listen_overflows() - self.ov0
        return self


class IdentdBook:
    """What Debian's oidentd says it answered (its log, Oidentd(log=)):
    how many times it answered NO-USER for each (LPORT, FPORT) query.
    A record's `error:NO-USER` from that identd is held against it: the
    lookup is daytimed's, the answer oidentd's.  oidentd answers NO-USER
    for a live connection, rarely, when queries run at once: its forked
    children share one netlink socket and every request is sequence 1,
    so a child can read another's reply and then scan /proc/net/tcp6,
    which the kernel does not list atomically (bench/RELIABILITY.md)."""

    _RE = re.compile(r"^\[[^\]]*\] (\d+) , (\d+) : ERROR : NO-USER$")

    def __init__(self, path):
        self.path = path
        self.pos = 0
        self.rest = b""
        self.no_user = collections.Counter()

    def _read(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except OSError:
            return
        self.pos += len(data)
        lines = (self.rest + data).split(b"\n")
        self.rest = lines.pop()
        for line in lines:
            m = self._RE.match(line.decode("ascii", "replace"))
            if m:
                self.no_user[(int(m.group(1)), int(m.group(2)))] += 1

    def said_no_user(self, lport, fport):
        """Whether oidentd answered NO-USER to "LPORT , FPORT" (each
        answer vouches for one record)."""
        key = (lport, fport)
        if not self.no_user[key]:
            self._read()
        if not self.no_user[key]:
            del self.no_user[key]
            return False
        self.no_user[key] -= 1
        if not self.no_user[key]:
            del self.no_user[key]
        return True


def port_of(endpoint):
    """The port of "ADDR:PORT" or "[ADDR6]:PORT" (a record's peer or
    local), or None."""
    port = (endpoint or "").rpartition(":")[2]
    return int(port) if port.isdigit() else None


class Ledger:
    """Entries by peer until judged; tallies and problems."""

    def __init__(self, port):
        self.lock = threading.RLock()
        self.port = port
        self.by_peer = {}
        self.queue = collections.deque()
        self.inflight = 0
        self.windows = []
        self.tally = collections.Counter()
        self.problems = collections.OrderedDict()
        self.ids = [set(), set()]       # conn ids of this and the last slot
        self.ids_slot = 0
        self.since = 0.0        # unrecorded() looks at entries begun since
        self.identd_book = None  # IdentdBook of the real identd's answers
        self.identd_no_user = []  # (when, record) oidentd's NO-USER, live
        self.t_start = time.monotonic()

    # -- the clients' side

    def register(self, e):
        with self.lock:
            e.t0 = time.monotonic()
            self.tally["made:" + e.proto] += 1
            self.by_peer.setdefault(e.peer, []).append(e)
            self.queue.append(e)
            self.inflight += 1

    def finish(self, e, ports):
        with self.lock:
            e.t1 = time.monotonic()
            self.inflight -= 1
        ports.give_back(e.src, e.port)

    def window(self, kind, stat, **kw):
        w = Window(kind, stat, **kw)
        with self.lock:
            self.windows.append(w)
        return w

    # -- the tail's side

    def record(self, k, t):
        """Attribute a conn= record read at monotonic time t."""
        cid = k.get("conn")
        with self.lock:
            slot = int(t // 300)
            if slot != self.ids_slot:
                self.ids = [set(), self.ids[0]]
                self.ids_slot = slot
            if cid in self.ids[0] or cid in self.ids[1]:
                self.problem("conn id seen twice", k)
            self.ids[0].add(cid)
            self.tally["records"] += 1
            for e in reversed(self.by_peer.get(k.get("peer"), ())):
                if e.t0 <= t:
                    e.recs.append(k)
                    return
            self.problem("record for a peer nobody made (then)", k)

    def problem(self, what, detail):
        """Count a problem of kind `what`; keep the first few details."""
        with self.lock:
            n, ex = self.problems.get(what, (0, []))
            if len(ex) < EXAMPLES:
                ex.append(str(detail)[:400])
            self.problems[what] = (n + 1, ex)

    # -- judgement

    def unrecorded(self, before=None, sample=False):
        """Entries finished (before `before`) that must have a record and
        have none yet: how many, or a few of them described.  Only those
        begun since self.since (the current daemon's start) count: what
        was in flight at a kill never gets one, and a killed engine that
        is slow to die (AddressSanitizer's mappings) may still take a
        connection into its backlog after the restart began."""
        with self.lock:
            kills = [w for w in self.windows if w.kind == "kill"]
            late = [e for e in self.queue if e.t1 is not None and
                    e.t0 >= self.since and
                    (before is None or e.t1 < before) and
                    not e.recs and ((e.proto == "tcp" and e.connected)
                                    or e.answered) and
                    not any(w.t0 <= e.t1 + LATE and
                            (w.t1 is None or w.t1 >= e.t0) for w in kills)]
            if not sample:
                return len(late)
            now = time.monotonic()
            return ["%s %s %s %.1f s ago" % (e.peer, e.kind, e.outcome,
                                            now - e.t1) for e in late[:5]]

    def settle(self, seen_until, final=False):
        """Judge entries that ended SETTLE s before seen_until (the tail
        has read everything written before it); all finished ones when
        final."""
        with self.lock:
            oldest = self.queue[0].t0 if self.queue else seen_until
            wins = [w for w in self.windows
                    if w.t1 is None or w.t1 >= oldest - 1]
            while self.queue:
                e = self.queue[0]
                if e.t1 is None or (not final and
                                    e.t1 + SETTLE > seen_until):
                    break
                self.queue.popleft()
                peers = self.by_peer[e.peer]
                peers.remove(e)
                if not peers:
                    del self.by_peer[e.peer]
                self.judge(e, [w for w in wins if w.t0 <= e.t1 + LATE and
                               (w.t1 is None or w.t1 >= e.t0)])

    def judge(self, e, wins):
        kinds = {w.kind for w in wins}
        outage = bool(kinds & OUTAGE_KINDS)
        t = self.tally
        t["kind:" + e.kind] += 1
        if e.proto == "udp":
            self._judge_udp(e, wins)
            return
        if not e.connected:
            t["tcp_failed"] += 1
            if len(e.recs) > 1:
                self.problem("failed connect with records", (e.peer, e.recs))
            if not outage:
                self.problem("connect failed outside a fault",
                             (e.peer, e.outcome))
            return
        t["tcp"] += 1
        answered = bool(h.CTIME_RE.match(e.data or b""))
        if not e.recs:
            kill = [w for w in wins if w.kind == "kill" or
                    (w.kind == "stop" and not answered)]
            full = [w for w in wins if w.kind == "outage" and
                    w.used < w.overflows and not e.data]
            if kill:
                for w in kill:
                    w.stat.lost += 1
                t["lost_in_flight"] += 1
            elif full:
                full[0].used += 1
                full[0].stat.kernel += 1
                t["kernel_dropped"] += 1
            else:
                for w in wins:
                    w.stat.lost += 1
                t["missing"] += 1
                self.problem("connection without a record",
                             (e.peer, e.kind, e.outcome, e.data,
                              "%.1f s" % (e.t0 - self.t_start)))
            return
        if len(e.recs) > 1:
            t["duplicates"] += 1
            self.problem("connection with %d records" % len(e.recs),
                         (e.peer, e.recs))
        k = e.recs[0]
        dec = k.get("decision")
        t[dec] += 1
        self._check_common(e, k, "tcp")
        if e.kind in ("reader", "ident", "probe") and e.outcome == "eof":
            if answered != (dec == "allow") or (not answered and e.data):
                self.problem("answer does not match the record",
                             (e.peer, e.data, k))
        elif e.outcome in ("timeout", "junk-timeout") and not outage:
            self.problem("no EOF within %.0f s outside a fault" % sl.TCP_WAIT,
                         (e.peer, e.kind, k))
        if e.expect is not None and dec != e.expect:
            self.problem("probe decided otherwise", (e.expect, e.peer, k))
        if dec != "drop":
            self._check_ident(e, k, wins, kinds)

    def _judge_udp(self, e, wins):
        t = self.tally
        t["udp"] += e.want
        t["udp_answered"] += e.answered
        allowed = [k for k in e.recs if k.get("decision") == "allow"]
        for k in e.recs:
            t[k.get("decision")] += 1
            self._check_common(e, k, "udp")
            if k.get("ident_status") != "skipped":
                self.problem("udp record with a lookup", k)
        if len(e.recs) > e.want:
            t["duplicates"] += len(e.recs) - e.want
            self.problem("datagrams with more records than sent",
                         (e.peer, e.want, len(e.recs)))
        if len(allowed) < e.answered:
            t["missing"] += e.answered - len(allowed)
            for w in wins:
                w.stat.lost += e.answered - len(allowed)
            self.problem("answered datagrams without an allow record",
                         (e.peer, e.answered, e.recs))
        if e.want == 1 and allowed and not e.answered:
            t["udp_late"] += 1
        if e.answered and not h.CTIME_RE.match(e.data or b"") and \
                e.kind != "burst":
            self.problem("udp answer", (e.peer, e.data))

    def _check_common(self, e, k, proto):
        server = "[::1]" if ":" in e.src else "127.0.0.1"
        if k.get("proto") != proto or \
                k.get("local") != "%s:%d" % (server, self.port):
            self.problem("record fields", k)
        try:
            if int(k.get("duration_us", "0")) > 60 * 1000000:
                self.problem("duration_us over a minute (a wall clock?)", k)
        except ValueError:
            self.problem("duration_us", k)
        why = rule_problem(e.role, k)
        if why:
            self.problem("decision against the rules: " + why, k)

    def _check_ident(self, e, k, wins, kinds):
        st = k.get("ident_status")
        want = set(BASE_IDENT.get(e.role, {"skipped"}))
        strict = None
        for w in wins:
            if w.kind == "ident" and w.role in (e.role, e.src):
                want |= w.statuses
                if w.t0 + 1.0 <= e.t0 and w.t1 is not None and \
                        e.t1 + LATE <= w.t1:
                    strict = w.statuses
            elif w.kind in ("fd", "mem") and e.role in BASE_IDENT:
                want |= {"unreachable", "malformed"}
            elif w.kind in OUTAGE_KINDS and e.role in BASE_IDENT:
                want.add("timeout")
        if strict is not None and not kinds & {"fd", "mem", "stop"}:
            want = set(strict)
        if e.role == "ident-real":
            self.tally["ident-real lookups"] += 1
            if st == "error:NO-USER" and self._real_no_user(e, k):
                return
            if e.kind == "ident-early":
                # the client may leave before the lookup: a real identd
                # then finds no such connection
                want.add("error:NO-USER")
        if st not in want:
            self.problem("ident_status %s, expected %s" %
                         (st, "/".join(sorted(want))),
                         (e.role, e.kind, "%.1f s" % (e.t0 - self.t_start),
                          k))
        elif st == "ok" and k.get("ident") != IDENT_NAME.get(e.role):
            self.problem("ident answer", (e.role, k))


    def _real_no_user(self, e, k):
        """Judge a NO-USER from the real identd against its own log: True
        when judged here, False to judge it as any other status."""
        book = self.identd_book
        if book is None:
            return False
        if not book.said_no_user(port_of(k.get("peer")),
                                 port_of(k.get("local"))):
            self.problem("NO-USER that oidentd's log does not show",
                         (e.role, e.kind, k))
        elif e.kind != "ident-early":
            # oidentd's answer for a client still connected: counted and
            # bounded (soak_report), not the daemon's doing
            self.tally["ident-real no-user"] += 1
            if len(self.identd_no_user) < EXAMPLES:
                self.identd_no_user.append(
                    ("%.1f s" % (e.t0 - self.t_start), k))
        return True


def rule_problem(role, k):
    """Why the record's decision is not what the rules say, or None."""
    dec, rule = k.get("decision"), k.get("rule", "")
    if dec == "drop":
        return None if rule.startswith("limit:") else "drop by " + rule
    if rule == "default":
        return None if dec == "deny" and role in ("nobody", "inc") else \
            "default for role %s" % role
    path, _, line = rule.rpartition(":")
    if path.endswith("/inc.rules") and line == "1":
        which, action, net, user = "inc", "allow", "127.4.0.0/24", None
    elif path.endswith("/daytimed.conf") and line.isdigit() and \
            int(line) in sl.RULE_LINES:
        which, action, net, user = sl.RULE_LINES[int(line)]
    else:
        return "unknown rule " + rule
    if action != dec or k.get("netblock") != net:
        return "rule %s (%s %s) gave %s for %s" % (rule, action, net, dec,
                                                   k.get("netblock"))
    if net not in sl.NETS.get(role, ()):
        return "role %s judged by %s" % (role, net)
    ok_user = k.get("ident") if k.get("ident_status") == "ok" else None
    if user is not None and ok_user != user:
        return "user rule %s without that answer" % rule
    if user is None and ok_user in sl.RULE_USERS.get((which, net), ()):
        return "the * rule %s beat a user rule" % rule
    return None


class Tail(h.Closing):
    """Reads rsyslogd's file as it grows (RSYSLOG_PRI_FORMAT lines): conn=
    records go to the ledger, other daytimed lines to self.lines."""

    def __init__(self, path, ledger):
        self.path, self.ledger = path, ledger
        self.cond = threading.Condition()
        self.lines = []         # (t, pri, pid, msg, kv or None)
        self.seen_until = 0.0   # everything written before this is read
        self.seq = {}           # epoch -> the next seq
        self.order = collections.Counter()
        self.bad = []
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        buf, f = b"", None
        while not self.stop:
            # Written before `before` is in this read; what is read was
            # written before `after` (a record's time, for matching).
            before = time.monotonic()
            if f is None and os.path.exists(self.path):
                f = open(self.path, "rb")
            chunk = f.read(1 << 20) if f is not None else b""
            after = time.monotonic()
            if chunk:
                buf += chunk
                lines = buf.split(b"\n")
                buf = lines.pop()
                for line in lines:
                    self._line(line.decode("utf-8", "backslashreplace"),
                               after)
            if len(chunk) < 1 << 20:
                with self.cond:
                    self.seen_until = before
                    self.cond.notify_all()
                time.sleep(0.1)
        if f is not None:
            f.close()

    def _line(self, line, t):
        m = _LINE_RE.match(line)
        if m is None or m.group(2) != "daytimed":
            return
        pri, pid, msg = int(m.group(1)), int(m.group(3)), m.group(4)
        k = None
        if msg.startswith("conn=") or msg.startswith("event="):
            try:
                k = h.kv(msg)
            except ValueError as err:
                self.bad.append("%s: %s" % (err, msg[:200]))
                return
            self._order(k)
        if msg.startswith("conn="):
            self.ledger.record(k, t)
            return
        with self.cond:
            self.lines.append((t, pri, pid, msg, k))
            self.cond.notify_all()

    def _order(self, k):
        ep, seq = k.get("epoch"), k.get("seq")
        if ep is None or seq is None:
            return
        seq = int(seq)
        want = self.seq.get(ep, 0)
        if seq == want:
            self.order["in order"] += 1
        elif seq > want:
            self.order["gap"] += seq - want
            self.bad.append("epoch %s: seq %d after %d" % (ep, seq, want - 1))
        else:
            self.order["back"] += 1
            self.bad.append("epoch %s: seq %d after %d" % (ep, seq, want - 1))
            return
        self.seq[ep] = seq + 1

    def caught_up(self, timeout=10.0):
        """Wait until the file has been read up to now."""
        t = time.monotonic()
        with self.cond:
            self.cond.wait_for(lambda: self.seen_until >= t, timeout)
            return self.seen_until >= t

    def find(self, pattern, after=0.0, pid=None):
        """The lines (t, pri, pid, msg, kv) matching pattern, read after."""
        rx = re.compile(pattern)
        with self.cond:
            return [x for x in self.lines if x[0] >= after and
                    (pid is None or x[2] == pid) and rx.search(x[3])]

    def wait(self, pattern, after=0.0, pid=None, timeout=10.0, count=1):
        """The first count lines matching (see find); [] at the timeout."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = self.find(pattern, after, pid)
                if len(got) >= count or time.monotonic() >= deadline:
                    return got[:count] if len(got) >= count else []
                self.cond.wait(min(0.2, max(0.0, deadline -
                                            time.monotonic())))

    def close(self):
        self.stop = True
        self.thread.join(5)
