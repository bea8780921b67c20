#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Limits and abuse: concurrent and per-source TCP limits (pending ident
lookups count), the UDP rate and source rules, descriptor exhaustion, and
timeouts, durations and rates that a step of the wall clock (libfaketime,
the daemon only) leaves alone."""

import os
import resource
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402


def conf(port, sink, extra, identport=None, identtimeout=5):
    if identport is None:
        ident = "ident mode off\n"
    else:
        ident = "ident mode rules\nident timeout %d\nident port %d\n" % (
            identtimeout, identport)
    return h.daemon_conf(port, sink, ident, extra)


def lookups_to(identport):
    """Connections established to the ident server."""
    return sum(1 for _, rport, state in h.tcp_sockets()
               if state == h.TCP_ESTABLISHED and rport == identport)


def wait_lookups(identport, n, timeout=5):
    """Wait until the daemon has n lookups open (admitted, in flight)."""
    check(h.poll_until(lambda: lookups_to(identport) >= n, timeout),
          "%d lookups, not %d", lookups_to(identport), n)


def held(port, n, src="127.0.0.1"):
    """n connections that wait on an ident server that never answers."""
    return [h.tcp_open(port, src=src) for _ in range(n)]


def refused(port, src):
    """Connect from src; return our peer string once the daemon closed."""
    # the reset may beat connect() itself back
    data, me = h.tcp_talk("127.0.0.1", port, bind=(src, 0), reset_ok=True)
    check(data == b"", "over a limit but answered: %r", data)
    return me


@test
def per_source_and_total_limits_count_pending_lookups():
    port = h.free_port()
    # 127.0.0.1 and 127.0.0.2 have user rules: looked up (and the ident
    # server never answers); 127.0.0.3 needs no lookup. The lookups must
    # outlast the test however slow the machine (a timed-out lookup frees
    # its slot): 60 s, and the connections are closed at the end.
    rules = ("allow 127.0.0.1\nallow 127.0.0.1 user alice\n"
             "allow 127.0.0.2\nallow 127.0.0.2 user alice\n"
             "allow 127.0.0.3\n")
    with h.FakeIdent("silent") as fi, h.SyslogSink() as sink, \
            h.Daemon(conf(port, sink, "limit per-source 2\n"
                          "limit connections 3\n" + rules, fi.port, 60),
                     ready="proc"):
        waiting = held(port, 2, "127.0.0.1")
        # (workers accept in parallel: let these two be admitted first)
        wait_lookups(fi.port, 2)
        me = refused(port, "127.0.0.1")
        rec = sink.wait_peer(me)
        k = h.kv(rec.msg)
        check(k["decision"] == "drop" and k["rule"] == "limit:per-source"
              and k["ident_status"] == "skipped", "%r", rec.msg)
        # a third pending lookup, from 127.0.0.2, fills the total
        with h.FakeIdent("silent", host="127.0.0.2", port=fi.port):
            waiting += held(port, 1, "127.0.0.2")
            wait_lookups(fi.port, 3)
            me = refused(port, "127.0.0.3")
        rec = sink.wait_peer(me)
        check(h.kv(rec.msg)["rule"] == "limit:connections", "%r", rec.msg)
        # a slot freed is a slot taken: 127.0.0.3 is answered again
        waiting.pop().close()
        data, _ = h.poll_until(
            lambda: h.tcp_talk("127.0.0.1", port, bind=("127.0.0.3", 0),
                               reset_ok=True), 5, done=lambda r: r[0])
        check(h.CTIME_RE.match(data), "%r", data)
        for s in waiting:
            s.close()


@test
def trickling_client_is_cut_at_the_drain_deadline():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(
            conf(port, sink, "allow 127.0.0.0/8\n"), ready="proc") as d:
        engine = h.engine_pid(d)
        # input queued before the answer makes the daemon wait for EOF...
        os.kill(engine, signal.SIGSTOP)
        try:
            s = h.tcp_open(port)
            s.send(b"x")
        finally:
            os.kill(engine, signal.SIGCONT)
        check(h.CTIME_RE.match(s.recv(100)), "no answer")
        # ...for 2 s in all, however the client trickles bytes meanwhile
        start = time.monotonic()
        while time.monotonic() - start < 3.5:
            try:
                s.send(b"y")
            except OSError:
                break
            time.sleep(0.3)     # the client's own pace, not a wait
        # still trickling (or cut off): the daemon holds nothing for it
        d.signal(signal.SIGUSR1)
        rec = sink.wait_for(r"^event=counters ")
        check(h.kv(rec.msg)["connections"] == "0", "%r", rec.msg)
        s.close()


@test
def udp_rate_per_source():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(
            conf(port, sink, "limit udp-rate 5\nallow 127.0.0.0/8\n"),
            ready="proc"):
        with h.udp_open(port) as c:
            me = "127.0.0.1:%d" % c.getsockname()[1]
            answers = h.udp_burst(c, 50, 0.5)
        # a burst of 5, plus what refilled while 50 were sent (fast)
        check(5 <= answers <= 7, "%d answers", answers)
        drops = sink.wait_for(lambda r: "peer=%s " % me in r.msg and
                              "rule=limit:udp-rate" in r.msg, count=40)
        check(h.kv(drops[0].msg)["decision"] == "drop", "%r", drops[0].msg)
        # another source has its own bucket
        data = h.udp_get("127.0.0.1", port, bind=("127.0.0.2", 0))
        check(data is not None and h.CTIME_RE.match(data), "other source")


@test
def udp_rate_lowered_by_a_reload_takes_hold():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(
            conf(port, sink, "limit udp-rate 1000\nallow 127.0.0.0/8\n"),
            ready="proc") as d:
        with h.udp_open(port) as c:
            c.settimeout(3)
            c.send(b"")
            check(h.CTIME_RE.match(c.recv(100)), "first answer")
            # the bucket holds ~999 tokens; the new rate is 2 a second
            d.reload(conf(port, sink, "limit udp-rate 2\nallow 127.0.0.0/8\n"))
            sink.wait_for(r"^event=reload result=ok")
            answers = h.udp_burst(c, 30, 0.5)
        check(answers <= 3, "%d answers at 2 a second", answers)


@test
def wall_clock_steps_leave_timeouts_durations_and_rates_alone():
    if h.asan_build():
        raise h.Skip("libfaketime and AddressSanitizer deadlock at start")
    try:
        from fakeclock import FakeClock
        tmp = h.TempDir("dtc-")
        clock = FakeClock(tmp.join("clock"))
    except RuntimeError as e:
        raise h.Skip(str(e))
    port = h.free_port()
    rules = ("allow 127.0.0.0/8\nallow 127.0.0.1\n"
             "allow 127.0.0.1 user alice\n")
    with tmp, h.FakeIdent("silent") as fi, h.SyslogSink() as sink, \
            h.Daemon(conf(port, sink, "limit udp-rate 20\n"
                          # libfaketime opens its timestamp file on every
                          # call, which the seccomp filter refuses
                          "seccomp off\n" + rules, fi.port, 2),
                     ready="proc", env=clock.env()) as d:
        try:
            clock_steps(port, fi, sink, clock)
        finally:
            d.stop()
            clock.forget(d.pid)


def clock_steps(port, fi, sink, clock):
    """The steps of the test above, against its daemon."""
    # a lookup that waits out its 2 s while the clock jumps a day (the
    # step must land inside the wait: with 1 s, a loaded machine once took
    # longer than that to see the lookup in /proc and write the step, and
    # the answer came before the step, at the real time)
    s = h.tcp_open(port, timeout=10)
    me = "127.0.0.1:%d" % s.getsockname()[1]
    wait_lookups(fi.port, 1)
    t0 = time.monotonic()
    clock.shift(86400)
    data, _ = h.read_to_eof(s, t0 + 10)
    waited = time.monotonic() - t0
    s.close()
    k = h.kv(sink.wait_peer(me).msg)
    check(k["ident_status"] == "timeout" and waited < 3 and
          int(k["duration_us"]) < 3000000, "after a step: %.1f s, %r",
          waited, k)
    check(data in h.recent_ctimes(shift=86400), "answer %r", data)
    # a UDP bucket emptied, then the clock a day ahead: still empty
    with h.udp_open(port, bind=("127.0.0.2", 0)) as c:
        first = h.udp_burst(c, 40, 0.2)
        clock.shift(2 * 86400)
        second = h.udp_burst(c, 40, 0.2)
        # and two days back: as real time passes the bucket refills (a
        # monotonic one; one kept by the wall clock, stamped two days
        # ahead, would stay empty): one datagram at a time, until one is
        # answered, for at most 5 s (20 a second: 0.05 s for a token)
        clock.shift(0)
        t0 = time.monotonic()

        def one():
            c.send(b"")
            return h.recv_or_none(c, 0.1)
        third = h.poll_until(one, 5)
        waited = time.monotonic() - t0
    check(first >= 19 and second <= 10, "UDP answers %d, then %d after a "
          "step ahead", first, second)
    check(third is not None and h.CTIME_RE.match(third), "no UDP answer "
          "within %.1f s of real time after a step back: %r", waited, third)


@test
def udp_total_rate_across_sources():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(
            conf(port, sink, "limit udp-total 4\nallow 127.0.0.0/8\n"),
            ready="proc"):
        socks = []
        for i in range(20):
            c = h.udp_open(port, bind=("127.0.0.%d" % (i + 2), 0))
            c.send(b"")
            socks.append(c)
        answers = 0
        for c in socks:
            if h.recv_or_none(c, 0.3) is not None:
                answers += 1
            c.close()
        # a burst of 4 for everyone together, plus what refilled meanwhile
        check(4 <= answers <= 6, "%d answers from 20 sources", answers)
        drops = sink.wait_for(r"rule=limit:udp-total", count=20 - answers)
        check(h.kv(drops[0].msg)["decision"] == "drop", "%r", drops[0].msg)


@test
def udp_limits_count_answers_not_denials():
    """udp-rate and udp-total count answers: datagrams the rules deny are
    recorded as denied and take no token, so a denied network cannot
    starve the allowed ones."""
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(
            conf(port, sink, "limit udp-total 2\nlimit udp-rate 1\n"
                 "deny 127.0.9.0/24\nallow 127.0.0.0/8\n"), ready="proc"):
        with h.udp_open(port, bind=("127.0.9.1", 0)) as c:
            me = h.fmt_addr(c.getsockname())
            for _ in range(10):
                c.send(b"")
            recs = sink.wait_for(lambda r: "peer=%s " % me in r.msg,
                                 count=10)
            check(h.recv_or_none(c, 0.2) is None, "a denied source answered")
        k = [h.kv(r.msg) for r in recs]
        check(all(x["decision"] == "deny" and x["rule"] != "limit:udp-total"
                  and x["rule"] != "limit:udp-rate" for x in k), "%r", k)
        # the whole burst of udp-total is still there for allowed sources
        for i in (2, 3):
            with h.udp_open(port, bind=("127.0.0.%d" % i, 0)) as c:
                c.send(b"")
                got = h.recv_or_none(c, 5)
            check(got is not None and h.CTIME_RE.match(got),
                  "127.0.0.%d after the denials: %r", i, got)


@test
def udp_sources_that_cannot_be_honest():
    h.need_root("binding a privileged source port needs root")
    port = h.free_port()
    for setting, low_answered in (("", False),
                                  ("udp privileged-sources answer\n", True)):
        with h.SyslogSink() as sink, h.Daemon(
                conf(port, sink, setting + "allow 127.0.0.0/8\n"),
                ready="proc"):
            for sport, want in ((7, False), (13, False), (19, False),
                                (37, False), (1000, low_answered),
                                (1023, low_answered)):
                with h.udp_open(port, bind=("127.0.0.1", sport),
                                reuse=True) as c:
                    c.send(b"")
                    got = h.recv_or_none(c, 0.5 if not want else 3)
                check((got is not None) == want, "source port %d (%r): %r",
                      sport, setting, got)
                rec = sink.wait_for(lambda r: "peer=127.0.0.1:%d " % sport
                                    in r.msg)
                k = h.kv(rec.msg)
                check(k["decision"] == ("allow" if want else "drop") and
                      (want or k["rule"] == "limit:udp-source"), "%r",
                      rec.msg)


@test
def descriptor_exhaustion_pauses_without_spinning():
    port = h.free_port()
    # the daemon inherits a low descriptor limit; the test keeps its own
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (32, hard))
    try:
        sink = h.SyslogSink()
        d = h.Daemon(conf(port, sink, "allow 127.0.0.0/8\n"), ready="proc")
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    with sink, d:
        engine = h.engine_pid(d)

        def ticks():
            f = h.proc_stat(engine)
            return int(f[11]) + int(f[12])

        # clients that sent a byte before they were accepted (the engine
        # is stopped meanwhile) and never close: the daemon keeps each one
        # open, waiting for its EOF, and runs out of descriptors
        held = []
        os.kill(engine, signal.SIGSTOP)
        try:
            for _ in range(40):
                s = h.tcp_open(port)
                s.send(b"x")
                held.append(s)
        finally:
            os.kill(engine, signal.SIGCONT)
        rec = sink.wait_for(r"accept: pausing")
        check("Too many open files" in rec.msg, "%r", rec.msg)
        # paused for a second: the engine does not spin
        t0 = ticks()
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            time.sleep(0.05)
        used = ticks() - t0
        check(used < 30, "engine used %d ticks in 1 s while out of fds", used)
        for s in held:
            s.close()
        # it recovers by itself and serves again
        data = h.poll_until(lambda: h.tcp_get("127.0.0.1", port, timeout=5),
                            10, done=h.CTIME_RE.match,
                            retry=(ConnectionResetError, TimeoutError))
        check(h.CTIME_RE.match(data), "not serving after: %r", data)
        # once per episode (out of descriptors until an accept succeeds),
        # not once per failed accept: every episode has its end logged
        # (an episode may begin as the first one's end is logged, while
        # the held clients' descriptors are still being given back: wait
        # for every begun episode's end, not only the first one's)
        def episodes():
            return (len(sink.records(r"accept: pausing")),
                    len(sink.records(r"accept: resumed after \d+ pauses")))
        n, ends = h.poll_until(episodes, 10,
                               done=lambda v: v[1] >= 1 and v[0] == v[1])
        check(1 <= n <= 5 and n == ends, "%d episodes logged, %d ended",
              n, ends)


EVFAIL_SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "evfail_shim.so")


@test
def an_answer_the_loop_cannot_wait_for_frees_its_slot():
    """The answer's send says EAGAIN and the event that was to wait for
    room cannot be added (epoll_ctl fails, evfail_shim.c): the connection
    is closed and recorded at once, and its slot freed, so that with
    `limit connections 1` the next client is served. Before, it stayed
    open, counted, until stop, and every later client was refused."""
    if h.asan_build():
        raise h.Skip("the sanitizer's interceptors come before the shim's")
    if not os.path.exists(EVFAIL_SHIM):
        raise h.Skip("%s not built (make check builds it)" % EVFAIL_SHIM)
    port = h.free_port()
    env = dict(os.environ, LD_PRELOAD=EVFAIL_SHIM, DT_EVFAIL="ctl")
    with h.SyslogSink() as sink, \
            h.Daemon(conf(port, sink, "seccomp off\nlimit connections 1\n"
                          "allow 127.0.0.0/8\n"),
                     ready="proc", env=env):
        data, me = h.tcp_talk("127.0.0.1", port, timeout=10)
        check(data == b"", "answered despite the fault: %r", data)
        k = h.kv(sink.wait_peer(me).msg)
        check(k.get("decision") == "allow" and k.get("bytes") == "0",
              "record: %r", k)
        data = h.tcp_get("127.0.0.1", port)
        check(h.CTIME_RE.match(data), "the next client: %r", data)


if __name__ == "__main__":
    h.main()
