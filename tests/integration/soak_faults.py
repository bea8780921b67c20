# SPDX-License-Identifier: ISC
"""The soak's faults in the world around the daemon: syslog, identd, the
clock, resources.  soak_life.py has those of the daemon's own processes
and its configuration.

Each fault takes the running soak S (soak.py), injects one failure while
the load goes on, asserts the outcome the design promises, and notes what
it saw in its Stat (the row of the fault table).  A broken promise is a
Stat failure (the soak fails at the end, after the table); the ledger
judges every connection made meanwhile, inside the windows the fault
opened (soak_ledger.Window).
"""

import os
import signal
import time

import harness as h
import soak_load as sl

UDP_RATE = 50           # `limit udp-rate` of the soak's configuration
STEP_TRIES = 3          # clock steps tried when the bursts come too late
STEP_GAP_MAX = 0.5      # s from one burst to the next that still tells
PHASES = [              # the fake identd of 127.0.0.10, phase by phase
    ("killed", None, {"refused"}),
    ("restarted", "ok", {"ok"}),
    ("slow", "slow", {"timeout"}),
    ("resets", "reset", {"malformed"}),
    ("garbage", "garbage", {"malformed"}),
    ("ok", "ok", {"ok"}),
]


class Stat:
    """One row of the fault table."""

    def __init__(self, name, expected):
        self.name, self.expected = name, expected
        self.injected = 0
        self.seen = []          # one short line per injection
        self.failures = []
        self.lost = 0           # records missing in its windows
        self.kernel = 0         # "connected" into a full listen queue
        self.skipped = None

    def check(self, cond, fmt, *args):
        if not cond:
            self.failures.append("%s #%d: %s" % (self.name, self.injected,
                                                 fmt % args if args else fmt))
        return cond


# ---------------------------------------------------------------- helpers

def accept_queue(port):
    """Clients waiting in the daemon's TCP accept queues (all workers)."""
    n = 0
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(path) as f:
            for line in f.read().splitlines()[1:]:
                x = line.split()
                if x[3] == "0A" and int(x[1].rsplit(":", 1)[1], 16) == port:
                    n += int(x[4].split(":")[1], 16)
    return n


def wait_backpressure(S, least, most):
    """Hold at least `least` s; done once clients have waited in the
    accept queue for a second (the engine stopped accepting), or at
    `most` s.  Returns the seconds until back-pressure, or None."""
    t0 = time.monotonic()
    since = seen = None
    while True:
        now = time.monotonic()
        if accept_queue(S.port) > 0:
            since = since or now
            if seen is None and now - since >= 1.0:
                seen = now - t0
        else:
            since = None
        if now - t0 >= most or (seen is not None and now - t0 >= least):
            return seen
        time.sleep(0.1)


def wait_drained(S, timeout, st=None):
    """Seconds until every connection that ended before now has its
    record, or None (and, with st, a failure that says what is missing)."""
    t0 = time.monotonic()
    done = h.poll_until(lambda: S.tail.caught_up(2) and
                        S.ledger.unrecorded(t0) == 0, timeout, interval=0.2)
    if not done and st is not None:
        st.check(False, "after %.0f s, the file read up to %.1f s ago, "
                 "%d connections still without a record, e.g. %s",
                 timeout, time.monotonic() - S.tail.seen_until,
                 S.ledger.unrecorded(t0), S.ledger.unrecorded(t0, True))
    return time.monotonic() - t0 if done else None


def delta(before, after, key):
    if not before or not after:
        return None
    return int(after.get(key, 0)) - int(before.get(key, 0))


def prlimit(S, what, soft):
    """Set the engine's soft limit (hard unchanged).  As the daemon's user:
    prlimit(2) lets a process of the same ids set another's limits, and
    root here lacks CAP_SYS_RESOURCE."""
    ids = os.stat("/proc/%d" % S.svc.engine)
    r = h.run(["prlimit", "--pid", S.svc.engine, "--%s=%s:" % (what, soft)],
              user=ids.st_uid, group=ids.st_gid, timeout=10)
    if r.returncode != 0:
        raise AssertionError("prlimit --%s=%s: %r" % (what, soft, r.stderr))


def limit_of(pid, name):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith(name):
                return line[len(name):].split()[0]
    raise AssertionError("no %s in /proc/%d/limits" % (name, pid))


def probes(S, roles, seconds, expect=None):
    """Readers from roles, one every 0.3 s for seconds: the entries."""
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        out.append(sl.probe(S.load, S.rng.choice(
            sl.SOURCES[S.rng.choice(roles)]), expect=expect, wait=5))
        time.sleep(0.3)
    return out


def answered(entries):
    return sum(1 for e in entries if h.CTIME_RE.match(e.data or b""))


# ---------------------------------------------------------------- syslog

def syslog_kill(S):
    """rsyslogd killed (SIGKILL and SIGTERM in turn) and started again."""
    st = S.stat("rsyslogd killed and restarted",
                "records queue in the daemon while syslog is gone; "
                "back-pressure once the queue is 3/4 full; every record "
                "arrives after the restart (also when chrooted); "
                "log_lost 0")
    st.injected += 1
    sig = (signal.SIGKILL, signal.SIGTERM)[st.injected % 2]
    if not st.check(S.quiesce(), "the load did not quiesce"):
        return S.resume()
    before = S.counters()
    w = S.ledger.window("outage", st)
    t = time.monotonic()
    S.rs.kill(sig)
    S.resume()
    bp = wait_backpressure(S, S.hold(3, 8), S.hold(6, 25))
    down = time.monotonic() - t
    S.rs.start()
    drained = wait_drained(S, 60, st)
    w.close()
    S.svc.gens[-1]["peaked"] = True
    after = S.counters()
    st.check(delta(before, after, "log_lost") == 0, "log_lost %s -> %s",
             before and before.get("log_lost"), after and after.get("log_lost"))
    st.seen.append("%s, down %.1f s, %s, back-pressure %s, caught up in "
                   "%s s" % (signal.Signals(sig).name, down,
                             "chrooted" if S.svc.chroot else "no chroot",
                             "after %.1f s" % bp if bp is not None else "no",
                             "%.1f" % drained if drained is not None else "-"))


def syslog_stop(S):
    """rsyslogd stopped (SIGSTOP) until the daemon pushes back, then
    continued."""
    st = S.stat("rsyslogd stopped (SIGSTOP) past the queue",
                "the queue fills, the engine stops accepting (clients wait "
                "in the backlog), nothing is lost; after SIGCONT it drains "
                "and accepts again")
    st.injected += 1
    before = S.counters()
    w = S.ledger.window("outage", st)
    t = time.monotonic()
    S.rs.send_signal(signal.SIGSTOP)
    try:
        bp = wait_backpressure(S, S.hold(2, 5) + 1, S.hold(20, 30))
        if bp is not None:
            time.sleep(S.hold(1, 3))
    finally:
        S.rs.send_signal(signal.SIGCONT)
    stopped = time.monotonic() - t
    drained = wait_drained(S, 60, st)
    w.close()
    S.svc.gens[-1]["peaked"] = True
    after = S.counters()
    st.check(bp is not None, "no back-pressure within %.0f s", stopped)
    st.check(delta(before, after, "backpressure") not in (None, 0),
             "the backpressure counter did not move: %s -> %s",
             before and before.get("backpressure"),
             after and after.get("backpressure"))
    st.check(delta(before, after, "log_lost") == 0, "log_lost moved")
    st.seen.append("stopped %.1f s, back-pressure after %s s, caught up "
                   "in %s s" % (stopped, "%.1f" % bp if bp else "-",
                                "%.1f" % drained if drained else "-"))


# ---------------------------------------------------------------- identd

def ident_cycle(S):
    """The identd of one source killed, restarted, slow, resetting,
    talking garbage; then Debian's oidentd killed and restarted."""
    st = S.stat("identd killed, restarted, slow, resetting",
                "that source's lookups end as refused, ok, timeout, "
                "malformed as its identd behaves; every other client "
                "unaffected")
    st.injected += 1
    hold = S.hold(1.5, 5)
    host, real = "127.0.0.10", sl.SOURCES["ident-real"][0]
    before = {"ok"}
    for name, mode, statuses in PHASES:
        phase(S, st, host, before, statuses,
              lambda: S.set_ident(host, mode), hold)
        before = statuses

    def kill_real():
        S.oident.proc.kill()
        S.oident.proc.wait()

    def start_real():
        S.oident = h.Oidentd(real, log=S.oident_log)
    phase(S, st, real, {"ok"}, {"refused"}, kill_real, hold)
    phase(S, st, real, {"refused"}, {"ok"}, start_real, hold)
    phase(S, st, real, {"ok"}, {"ok"}, lambda: None, 0)
    st.seen.append("%s; oidentd killed, restarted; %.1f s each"
                   % (", ".join(p[0] for p in PHASES), hold))


def phase(S, st, host, before, after, switch, hold):
    """Switch host's identd and hold: lookups are judged by `after`, and
    around the switch (in flight, or while the new server starts) also by
    `before`, or reset (malformed) or refused."""
    t = time.monotonic()
    S.ledger.window("ident", st, t0=t - 1.0, role=host,
                    statuses=before | after | {"malformed", "refused"}
                    ).close(t + 1.0)
    switch()
    w = S.ledger.window("ident", st, t0=t, role=host, statuses=after)
    time.sleep(hold)
    w.close()


# ---------------------------------------------------------------- clock

def ctime_offset(e):
    """Entry e's answer minus the real time it came, in seconds (None: no
    answer)."""
    if not h.CTIME_RE.match(e.data or b""):
        return None
    t = time.mktime(time.strptime(e.data.decode().strip(),
                                  "%a %b %d %H:%M:%S %Y"))
    return t - (time.time() - (time.monotonic() - e.t1))


def clock_steps(S):
    """The daemon's wall clock a day ahead, a day behind, and back."""
    st = S.stat("wall clock stepped (libfaketime, daemon only)",
                "answers show the shifted time; ident timeouts, durations "
                "and the UDP rate limit keep monotonic time; records stay "
                "in order")
    if S.clock is None:
        st.skipped = ("libfaketime and AddressSanitizer deadlock at start"
                      if S.asan else "libfaketime is not installed "
                      "(apt-get install faketime)")
        return
    st.injected += 1
    notes = []
    for off in (86400, -86400, 0):
        back = off < S.clock.offset
        was = S.clock.offset
        for attempt in range(STEP_TRIES):
            src = S.burst_source()
            t0 = time.monotonic()
            first = sl.udp_burst(S.load, src, 2 * UDP_RATE, quiet=0.3)
            t = time.monotonic()
            S.clock.shift(off)
            if back:
                time.sleep(1.2)     # a monotonic bucket is full again
            # The first burst emptied the bucket after t0: by the second
            # burst a monotonic one has at most UDP_RATE * gap tokens.
            gap = time.monotonic() - t0
            second = sl.udp_burst(S.load, src, 2 * UDP_RATE, quiet=0.3)
            if back or gap <= STEP_GAP_MAX or attempt == STEP_TRIES - 1:
                break
            # Too slow to tell a refilled bucket from a wall-clock one
            # (a loaded machine): undo the step, wait, step again.
            S.clock.shift(was)
            time.sleep(1.2)
        if back:
            st.check(second.answered >= UDP_RATE * 0.8, "after a step back "
                     "and 1.2 s, %d of %d datagrams answered (a bucket on "
                     "the wall clock stays empty)", second.answered,
                     2 * UDP_RATE)
        elif gap <= STEP_GAP_MAX:
            st.check(second.answered <= UDP_RATE * 0.6, "right after a "
                     "step ahead, %d of %d datagrams answered (a bucket on "
                     "the wall clock is full)", second.answered,
                     2 * UDP_RATE)
        else:
            notes.append("%+d s: not judged, %.2f s between the bursts in "
                         "each of %d tries (a loaded machine)"
                         % (off, gap, STEP_TRIES))
        st.check(first.answered <= UDP_RATE * 1.2, "a first burst got %d "
                 "answers", first.answered)
        shifts = [ctime_offset(e) for e in
                  probes(S, ("allow",), S.hold(1, 3))]
        bad = [x for x in shifts if x is None or abs(x - off) > 2.5]
        st.check(shifts and not bad, "answers %s s off real time, want %+d",
                 ["%.0f" % x if x is not None else "-" for x in shifts[:5]],
                 off)
        slow = sl.probe(S.load, "127.0.0.11", wait=8)
        rec = S.record_of(slow)
        if st.check(rec is not None, "no record for the ident probe %s",
                    slow.peer):
            us = int(rec.get("duration_us", -1))
            st.check(rec.get("ident_status") == "timeout" and
                     S.ident_timeout * 1e6 * 0.9 <= us <= 5000000 and
                     S.ident_timeout * 0.9 <= slow.t1 - slow.t0 <= 5,
                     "ident timeout after a "
                     "step: %r, %.2f s at the client", rec,
                     slow.t1 - slow.t0)
        notes.append("%+d s: UDP %d then %d of %d" % (off, first.answered,
                                                       second.answered,
                                                       2 * UDP_RATE))
        time.sleep(max(0.0, S.hold(1, 6) - (time.monotonic() - t)))
    order = S.tail.order
    st.check(not order["gap"] and not order["back"], "sealed records out "
             "of order: %r", dict(order))
    st.seen.append("; ".join(notes))


# ---------------------------------------------------------------- resources

def fd_exhaustion(S):
    """The engine's RLIMIT_NOFILE lowered to six above what it held at
    its start."""
    st = S.stat("descriptors exhausted (RLIMIT_NOFILE)",
                "accept pauses (never spins), lookups that get no socket "
                "end unreachable, every accepted connection is recorded; "
                "service resumes when the limit is back")
    st.injected += 1
    eng = S.svc.engine
    before = S.counters()
    orig = limit_of(eng, "Max open files")
    n = S.svc.gens[-1]["fds"] + 6   # what it holds idle, and 6 more
    w = S.ledger.window("outage", st)
    wf = S.ledger.window("fd", st)
    prlimit(S, "nofile", n)
    try:
        got = probes(S, ("allow",), S.hold(2, 10))
    finally:
        prlimit(S, "nofile", orig)
    wf.close()
    after_probe = sl.probe(S.load, "127.1.0.1", expect="allow", wait=5)
    w.close()
    after = S.counters()
    st.check(h.CTIME_RE.match(after_probe.data or b""), "not answering "
             "after the limit was restored: %r", after_probe.outcome)
    st.check(h.pid_alive(eng), "the engine died")
    pauses = delta(before, after, "emfile_pauses")
    st.check(pauses, "accept never paused (%s)", pauses)
    st.seen.append("limit %d, %s EMFILE pauses, %d of %d probes answered "
                   "meanwhile" % (n, pauses, answered(got), len(got)))


def memory_pressure(S):
    """The engine's RLIMIT_AS lowered to what it has mapped: no new
    mapping (heap, thread stack) can be made; a reload is asked for."""
    st = S.stat("memory pressure (RLIMIT_AS)",
                "the engine keeps serving or drops with a record "
                "(limit:memory); a reload completes or fails with a "
                "record; nothing unrecorded, no crash")
    if S.asan:
        st.skipped = "AddressSanitizer needs terabytes of address space"
        return
    st.injected += 1
    eng = S.svc.engine
    vm = int(h.proc_status(eng)["VmSize"][0])
    w = S.ledger.window("outage", st)
    wm = S.ledger.window("mem", st)
    prlimit(S, "as", vm * 1024)
    try:
        t = time.monotonic()
        want = "B" if S.svc.current == "A" else "A"
        S.svc.reload(want)
        rec = S.tail.wait(r"^event=reload ", after=t, pid=eng, timeout=15)
        got = probes(S, ("allow",), S.hold(2, 8))
    finally:
        prlimit(S, "as", "unlimited")
    wm.close()
    result = rec[0][4].get("result") if rec else None
    if result == "ok":
        S.svc.current = want
    st.check(result in ("ok", "failed"), "no reload record under the "
             "limit (a HUP that did nothing)")
    S.reloader.reload()     # and one after: it must work
    w.close()
    st.check(h.pid_alive(eng), "the engine died")
    st.seen.append("limit %d kB; reload under it: %s; %d of %d probes "
                   "answered" % (vm, result or "no record", answered(got),
                                 len(got)))
