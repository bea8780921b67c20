#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Soak: the real daemon for SOAK_SECONDS under mixed load, while the
world around it fails (make check-soak; needs root).

The run lives in a network and mount namespace of its own (netns.py):
the daemon listens on 127.0.0.1 and ::1, clients come from dozens of 127.x
and IPv6 alias addresses (soak_load.py), identd servers answer on port 113 (fake
ones with modes, and Debian's oidentd), and the records go to a private
Debian rsyslogd, whose file the soak reads as it grows (soak_ledger.py).
The daemon runs chrooted every other generation, with an auditor's key
(sealed records), and under libfaketime, so that its wall clock alone can
be stepped.  Every ~3 s between faults the configuration is reloaded (rule
sets A and B, every fourth a broken one that must fail at err).

Faults (soak_faults.py, soak_life.py): rsyslogd killed and restarted,
rsyslogd stopped past the daemon's queue, identd killed, restarted, slow,
resetting, the monitor stopped during a reload, the engine and the monitor
killed, descriptors exhausted, memory limited, the wall clock stepped,
configurations broken in bursts, include files coming and going, the
audit state's filesystem (a tiny tmpfs) full and read-only.  Each
asserts its outcome and fills a row of the fault table printed at the
end.  Runs shorter than LONG s go through the faults once with short
holds (the CI form; the run then lasts about two minutes whatever
SOAK_SECONDS says); longer runs cycle through them, with the kills only
in the first half, so the last daemon lives half the run and its
descriptors and memory can be compared at the end.

At the end: every connection and answered datagram has exactly one
record (but what was in flight at a kill), decisions follow the rules,
sealed records are in order and `daytimed-audit verify` agrees, log_lost
is 0, descriptors are back, RSS within SOAK_RSS_SLACK_KB, no sanitizer
output.

Environment: SOAK_SECONDS (60), SOAK_SEED, SOAK_FAULTS ("all", "none",
or names such as syslog_kill,engine_kill), SOAK_SUMMARY (seconds between
summaries; 120 in long runs), SOAK_RSS_SLACK_KB (2048), SOAK_REPORT (also
write the summary and table, in Markdown, to this file).
"""

import collections
import contextlib
import os
import random
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import netns  # noqa: E402
import soak_faults as sf  # noqa: E402
import soak_life as life  # noqa: E402
import soak_load as sl  # noqa: E402
import soak_report as report  # noqa: E402
from fakeclock import FakeClock, library  # noqa: E402
from soak_ledger import IdentdBook, Ledger, Tail  # noqa: E402

SOAK_SECONDS = float(os.environ.get("SOAK_SECONDS") or 60)
SEED = int(os.environ.get("SOAK_SEED") or
           random.SystemRandom().randrange(1 << 31))
FAULTS = os.environ.get("SOAK_FAULTS") or "all"
RSS_SLACK_KB = int(os.environ.get("SOAK_RSS_SLACK_KB") or 2048)
LONG = 600.0
SUMMARY = float(os.environ.get("SOAK_SUMMARY") or
                (120 if SOAK_SECONDS >= LONG else 1e9))
RELOAD_EVERY = 3.0
GAP = 30.0              # plain load between two faults in a long run
IDENT_TIMEOUT = 2.0     # a Python identd on a loaded 2-core machine
ORDER = [sf.syslog_kill, sf.ident_cycle, life.config_burst,
         life.monitor_stop_reload, sf.clock_steps, sf.syslog_stop,
         life.include_churn, sf.fd_exhaustion, sf.memory_pressure,
         life.engine_kill, sf.syslog_kill, life.monitor_kill,
         life.audit_state]
RESTARTS = (life.engine_kill, life.monitor_kill)
TRADITIONAL = "RSYSLOG_TraditionalFileFormat"


class Service:
    """The daemon, generation after generation (a kill and a restart
    begin a new one); even generations run chrooted."""

    def __init__(self, S):
        self.S = S
        self.gen = -1
        self.d = self.engine = None
        self.chroot = False
        self.current = "A"
        self.gens = []
        self.old = []

    def conf(self, which, broken=None):
        S = self.S
        text = sl.rules_text(which, broken)
        text += "include %s/*.rules\n" % S.incdir
        for host in ("127.0.0.1", "[::1]"):
            for proto in ("tcp", "udp"):
                text += "listen %s %s:%d\n" % (proto, host, S.port)
        text += ("syslog socket %s\nuser nobody\npidfile %s\n"
                 "ident mode rules\nident timeout %s\nident port 113\n"
                 "limit connections 4096\nlimit per-source 1024\n"
                 "limit rate off\nlimit udp-total off\n"
                 "limit udp-rate %d\n%s"
                 # libfaketime (the clock fault) re-reads its timestamp
                 # file on every call: an open the engine's seccomp
                 # filter refuses, so the filter is off in the soak
                 "seccomp off\n"
                 % (S.rs.path, S.pidfile, IDENT_TIMEOUT, sf.UDP_RATE,
                    S.audit.settings))
        if self.chroot:
            text += "chroot %s\n" % S.jail
        return text

    def start(self):
        """A new generation; the seconds until it listened."""
        S = self.S
        self.gen += 1
        self.chroot = self.gen % 2 == 0
        env = S.clock.env() if S.clock else dict(os.environ)
        if S.asan and self.chroot:
            # LeakSanitizer reads /proc at exit, which a chroot lacks
            env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + \
                ":detect_leaks=0"
        t = time.monotonic()
        self.d = h.Daemon(self.conf(self.current), ready="proc", timeout=20,
                          env=env)
        took = time.monotonic() - t
        self.engine = h.engine_pid(self.d, 10)
        S.ledger.since = t
        start = S.tail.wait(r"^event=start ", pid=self.engine, timeout=20)
        self.gens.append({
            "gen": self.gen, "chroot": self.chroot, "monitor": self.d.pid,
            "engine": self.engine, "t": time.monotonic(),
            "epoch": start[0][4].get("epoch") if start else None,
            "fds": h.fd_count(self.engine), "rss": h.rss_kb(self.engine),
            "base": None, "killed": False})
        return took

    def restart(self):
        """The old generation is gone (or killed): start the next one."""
        self.gens[-1]["killed"] = True
        self.retire()
        return self.start()

    def retire(self):
        d = self.d
        rc = d.stop()
        if self.S.clock is not None:
            FakeClock.forget(d.pid)
            FakeClock.forget(self.engine)
        self.old.append(d)
        return rc

    def reload(self, which, broken=None):
        self.d.reload(self.conf(which, broken))

    def mend(self):
        """Write the configuration in effect again, unbroken, without a
        HUP: a periodic broken reload leaves its file on disk, and a fault
        that only sends HUP must read the good one."""
        self.d.write_conf(self.conf(self.current))


class Reloader:
    """Every RELOAD_EVERY s: A, B, A, broken, B, A, B, broken, ..."""

    def __init__(self, S):
        self.S = S
        self.n = self.ok = self.failed = 0
        self.results = collections.Counter()    # of the periodic ones

    def count(self, recs):
        for r in recs:
            if r[4].get("result") == "ok":
                self.ok += 1
            else:
                self.failed += 1

    def reload(self):
        """The next reload of the cycle, its record and its effect checked
        (a failure goes to the table's row, and the soak goes on)."""
        S, svc = self.S, self.S.svc
        st = S.stat("configuration reloaded every %.0f s" % RELOAD_EVERY,
                    "A and B in turn take effect at once (a fresh peer of "
                    "the flipping netblock sees the new set); every fourth "
                    "file is broken: result=failed at err, nothing changes")
        st.injected += 1
        self.n += 1
        want, broken = ("B" if svc.current == "A" else "A"), None
        if self.n % 4 == 0:
            want, broken = svc.current, sl.BROKEN[(self.n // 4) %
                                                  len(sl.BROKEN)]
        t = time.monotonic()
        svc.reload(want, broken)
        rec = S.tail.wait(r"^event=reload ", after=t, pid=svc.engine,
                          timeout=20)
        if not st.check(rec, "reload %d: no record within 20 s", self.n):
            return
        self.count(rec)
        _, pri, _, msg, k = rec[0]
        if broken is None:
            st.check(k.get("result") == "ok", "reload %d: %r", self.n, msg)
        else:
            st.check(k.get("result") == "failed" and pri % 8 == 3 and
                     k.get("error"), "broken reload %d (%r) is not a "
                     "failure at err: %r", self.n, broken, msg)
        if k.get("result") == "ok" or broken is not None:
            svc.current = want
        self.results[k.get("result")] += 1
        st.seen[:] = ["%d ok, %d failed as they should; a probe after "
                      "each" % (self.results["ok"], self.results["failed"])]
        return self.verify()

    def hup_and_wait(self):
        """HUP the monitor; the result of the reload it starts."""
        t = time.monotonic()
        self.S.svc.d.signal(signal.SIGHUP)
        rec = self.S.tail.wait(r"^event=reload ", after=t,
                               pid=self.S.svc.engine, timeout=20)
        self.count(rec)
        return rec[0][4].get("result") if rec else None

    def verify(self):
        """A fresh peer from an alternating source sees the set in effect
        (the ledger checks the probe's record against `expect`)."""
        want = "allow" if self.S.svc.current == "A" else "deny"
        e = sl.probe(self.S.load, self.S.rng.choice(sl.SOURCES["alt"]),
                     expect=want)
        got = "allow" if h.CTIME_RE.match(e.data or b"") else "deny"
        if e.outcome != "eof" or got != want:
            self.S.ledger.problem("probe after a reload saw the other set",
                                  (self.n, self.S.svc.current, e.peer,
                                   e.outcome, e.data))
        return e


class Soak:
    """The world of one run and what the faults need from it."""

    def __init__(self, world):
        self.rng = random.Random(SEED)
        self.ident_timeout = IDENT_TIMEOUT
        self.compressed = SOAK_SECONDS < LONG
        self.asan = h.asan_build()
        self.port = h.free_port(host=["127.0.0.1", "::1"])
        self.jail = world.join("jail")
        self.incdir = world.join("rules.d")
        run = world.join("run")
        for d in (self.jail, self.incdir, run):
            os.mkdir(d, 0o755)
        os.chown(run, 65534, 65534)     # the monitor removes the pidfile
        self.pidfile = os.path.join(run, "daytimed.pid")
        # sealed, signed and linked records (auditor's and host's keys,
        # the audit state in a directory of the daemon's user, inside the
        # jail: with chroot it must be)
        self.audit = h.AuditFiles(world, state_in=self.jail)
        # libfaketime and AddressSanitizer deadlock at start: no clock fault
        self.clock = FakeClock(world.join("clock"), self.jail) \
            if library() and not self.asan else None
        self.idents = {}
        self.oident = self.load = self.svc = None
        self.ledger = Ledger(self.port)
        self.stats = collections.OrderedDict()
        self.bursts = 0
        self.cleanup = contextlib.ExitStack()
        try:
            # the ledger reads "PRI TAG: MSG"; daytimed-audit verify reads
            # a syslog format it knows (the traditional one, beside it)
            self.rs = h.Rsyslog(jail=self.jail,
                                template=h.RSYSLOG_PRI_FORMAT,
                                templates=(TRADITIONAL,))
            self.cleanup.callback(self.rs.close)
            # the audit state on a tiny tmpfs of its own (the state fault)
            life.mount_state_fs(self, os.path.dirname(self.audit.state))
            self.cleanup.callback(self._close_idents)
            self.set_ident("127.0.0.10", "ok")
            self.set_ident("fd00:5a:10:1::1", "ok")
            self.set_ident("127.0.0.11", "silent")
            # oidentd's log vouches for its NO-USER answers (the ledger)
            self.oident_log = world.join("oidentd.log")
            self.ledger.identd_book = IdentdBook(self.oident_log)
            self.oident = h.Oidentd(sl.SOURCES["ident-real"][0],
                                    log=self.oident_log)
            self.tail = Tail(self.rs.file, self.ledger)
            self.cleanup.callback(self.tail.close)
        except BaseException:
            self.cleanup.close()
            raise
        self.load = sl.Load(self.port, self.ledger, SEED)
        self.svc = Service(self)
        self.reloader = Reloader(self)

    def _close_idents(self):
        for fi in list(self.idents.values()) + [self.oident]:
            if fi is not None:
                fi.close()

    def close(self):
        """Stop the load, every daemon generation, then the rest."""
        self.load.end()
        for d in [self.svc.d] + self.svc.old:
            if d is not None:
                d.stop()
                d.cleanup()
        self.cleanup.close()

    def stat(self, name, expected):
        if name not in self.stats:
            self.stats[name] = sf.Stat(name, expected)
        return self.stats[name]

    def hold(self, short, long):
        return short if self.compressed else long

    def set_ident(self, host, mode):
        """The fake identd on host:113 now behaves as mode (None: none)."""
        old = self.idents.get(host)
        if old is not None:
            old.proc.kill()
            old.proc.wait()
        self.idents[host] = None if mode is None else \
            h.FakeIdent(mode, sl.IDENT_USER, host, 113)

    def burst_source(self):
        self.bursts += 1
        return "127.5.%d.%d" % (self.bursts // 250, self.bursts % 250 + 1)

    def quiesce(self, timeout=30.0):
        """Close the gate; True once nothing is in flight and every
        finished connection has its record.  resume() reopens it."""
        self.load.gate.clear()
        return bool(h.poll_until(
            lambda: self.ledger.inflight == 0 and self.tail.caught_up(2) and
            self.ledger.unrecorded() == 0, timeout, interval=0.1))

    def resume(self):
        self.load.gate.set()

    def counters(self, timeout=20.0):
        """USR1: the engine's next counters record as a dict, or None."""
        t = time.monotonic()
        self.svc.d.signal(signal.SIGUSR1)
        got = self.tail.wait(r"^event=counters ", after=t,
                             pid=self.svc.engine, timeout=timeout)
        return got[0][4] if got else None

    def record_of(self, e, timeout=10.0):
        h.poll_until(lambda: e.recs, timeout)
        return e.recs[0] if e.recs else None

    def measure(self, label):
        """Descriptors and RSS of the engine with nothing in flight."""
        quiet = self.quiesce()
        fds = h.settled_fd_count(self.svc.engine, timeout=10, steady=1.0)
        rss = h.rss_kb(self.svc.engine)
        self.resume()
        print("  measure (%s): gen %d engine fds %d, RSS %d kB%s"
              % (label, self.svc.gen, fds, rss, "" if quiet else
                 " (not quiet)"))
        return fds, rss


def chosen_faults():
    if FAULTS == "none":
        return []
    if FAULTS == "all":
        return list(ORDER)
    names = set(FAULTS.split(","))
    unknown = names - {f.__name__ for f in ORDER}
    h.check(not unknown, "SOAK_FAULTS: unknown %s", sorted(unknown))
    return [f for f in ORDER if f.__name__ in names]


def run_fault(S, fn, t0):
    t = time.monotonic()
    print("  %5.0f s fault %s (gen %d%s)" % (t - t0, fn.__name__, S.svc.gen,
                                            ", chrooted" if S.svc.chroot
                                            else ""))
    sys.stdout.flush()
    before = {st.name: len(st.seen) for st in S.stats.values()}
    S.svc.mend()
    try:
        fn(S)
    except AssertionError:
        raise
    except Exception as e:  # noqa: B902 - a fault's own failure
        import traceback
        S.stat(fn.__name__, "-").failures.append(
            "%s raised %r\n%s" % (fn.__name__, e, traceback.format_exc()))
    finally:
        S.resume()
    for st in S.stats.values():
        for line in st.seen[before.get(st.name, 0):] + (
                ["skipped: " + st.skipped] if st.skipped and
                st.name not in before else []):
            print("          %.1f s: %s" % (time.monotonic() - t, line))


def main_loop(S, faults):
    """Load, reloads, faults and summaries until the time is up."""
    t0 = time.monotonic()
    warm = 5.0 if S.compressed else min(300.0, SOAK_SECONDS / 8)
    end = t0 + max(SOAK_SECONDS, warm + 5)
    half = t0 + warm + (SOAK_SECONDS - warm) / 2
    after = 5.0 if S.compressed else 60.0
    todo = list(faults)
    next_fault = t0 + warm
    next_reload = t0 + RELOAD_EVERY
    next_summary = t0 + SUMMARY
    report.summary_head()
    while True:
        now = time.monotonic()
        gen = S.svc.gens[-1]
        # The baseline: once its queue has been full (a syslog fault), in
        # a long run, so that a high-water mark is not taken for a leak.
        if gen["base"] is None and now - gen["t"] >= after and \
                now >= t0 + warm and (S.compressed or gen.get("peaked")):
            gen["base"] = S.measure("baseline")
            gen["t_base"] = time.monotonic()
        if not todo and not S.compressed and now < end - GAP:
            todo = list(faults)
        if todo and now >= next_fault and (now < end or S.compressed):
            fn = todo.pop(0)
            if fn in RESTARTS and not S.compressed and now >= half:
                continue
            run_fault(S, fn, t0)
            next_fault = time.monotonic() + (1.0 if S.compressed else GAP)
            next_reload = time.monotonic() + RELOAD_EVERY
        elif now >= end and not (S.compressed and todo) and (
                gen["base"] is None and not S.compressed or
                gen["base"] is not None and now - gen["t_base"] >= after):
            break       # and the last daemon ran a while after its baseline
        elif now >= next_reload:
            S.reloader.reload()
            next_reload = time.monotonic() + RELOAD_EVERY
        if now >= next_summary:
            report.summary(S, now - t0)
            next_summary = now + SUMMARY
        h.check(S.svc.d.alive() and h.pid_alive(S.svc.engine),
                "the daemon died outside a fault (gen %d)", S.svc.gen)
        S.ledger.settle(S.tail.seen_until)
        time.sleep(0.2)
    return time.monotonic() - t0


def finish(S):
    """Stop the load, take the last figures, stop the daemon, judge."""
    stuck = S.load.end()
    h.check(not stuck, "client threads did not stop: %s", stuck)
    h.check(not S.load.errors, "client thread failed:\n%s",
            "\n".join(S.load.errors))
    drained = sf.wait_drained(S, 60)
    last = {"v4": sl.probe(S.load, "127.1.0.1", expect="allow"),
            "v6": sl.probe(S.load, sl.SOURCES["allow"][-1], expect="allow")}
    udp = sl.udp_burst(S.load, "127.1.0.2", 1, quiet=2.0)
    counters = S.counters()
    fds_end, rss_end = S.measure("end")
    sf.wait_drained(S, 30)
    S.tail.caught_up(10)
    S.ledger.settle(S.tail.seen_until, final=True)
    rc = S.svc.retire()
    S.tail.wait(r"^event=stop ", pid=S.svc.engine, timeout=10)
    verify = S.audit.verify(S.rs.files[TRADITIONAL], timeout=600)
    # what the daemons said, before their directories go
    stderr = "\n".join(d.stderr_text() for d in S.svc.old)
    said = [x[3] for x in S.tail.find(".", pid=S.svc.d.pid) +
            S.tail.find("^(?!event=)", pid=S.svc.engine)]
    return {"drained": drained, "last": last, "udp": udp,
            "counters": counters, "fds_end": fds_end, "rss_end": rss_end,
            "rc": rc, "verify": verify, "stderr": stderr, "said": said}


@h.test(timeout=SOAK_SECONDS * 2 + 900)
def soak():
    random.seed(SEED)
    print("soak: %.0f s%s, seed %d, faults %s (SOAK_SECONDS, SOAK_SEED, "
          "SOAK_FAULTS)" % (SOAK_SECONDS, ", compressed" if SOAK_SECONDS <
                            LONG else "", SEED, FAULTS))
    netns.up()
    netns.aliases(sl.V6_ALIASES)
    with h.TempDir("dtsoak-") as world:
        S = Soak(world)
        try:
            S.svc.start()
            S.load.start()
            elapsed = main_loop(S, chosen_faults())
            end = finish(S)
        finally:
            S.close()
        report.final(S, elapsed, end, SOAK_SECONDS, SEED)
        report.assert_all(S, end, RSS_SLACK_KB)


def main():
    if os.geteuid() != 0:
        print("skip soak: needs root (a network namespace of its own, "
              "port 113, chroot, the daemon's privilege drop)")
        return 0
    netns.enter()
    h.main(["soak"])


if __name__ == "__main__":
    sys.exit(main())
