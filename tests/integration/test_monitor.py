#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The monitor when a call of its fails once, made so by monfail_shim.c:
a reload's answer the kernel refuses for want of memory is sent again;
an answer that never comes fails the reload at the engine's bound and
holds no stop up; a stop the monitor cannot forward sets no deadline;
a ppoll that fails with ENOMEM is tried again."""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

MONFAIL_SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "monfail_shim.so")


def monfail(mode):
    """The environment of a daemon whose monitor fails as mode says."""
    if h.asan_build():
        raise h.Skip("the sanitizer's interceptors come before the shim's")
    if not os.path.exists(MONFAIL_SHIM):
        raise h.Skip("%s not built (make check builds it)" % MONFAIL_SHIM)
    return dict(os.environ, LD_PRELOAD=MONFAIL_SHIM, DT_MONFAIL=mode)


def conf(port, sink):
    return h.daemon_conf(port, sink, "pidfile @DIR@/d.pid\n",
                         "allow 127.0.0.0/8\n", listen=("tcp",))


def up(d, sink):
    """The engine's pid, once its start record is out (it is up: the
    monitor forwards from there on)."""
    engine = h.engine_pid(d)
    sink.wait_for(lambda r: r.pid == engine and
                  r.msg.startswith("event=start "))
    return engine


def stops_at_once(d, sink):
    """TERM to the monitor: the engine stops within its own stop's time,
    its stop record written, exit 0; that record's counters."""
    start = time.monotonic()
    rc = d.stop(10)
    took = time.monotonic() - start
    check(rc == 0 and not d.killed and took < 4, "stop: exit %r after "
          "%.1f s (killed: %r)", rc, took, d.killed)
    return sink.wait_for(r"^event=stop reason=signal ").kv()


@test(timeout=150)
def a_reload_answer_refused_for_memory_is_sent_again():
    """The monitor's first send of a reload's answer fails with ENOBUFS:
    it tries again 100 ms later and the reload takes. It used to drop the
    answer, leaving the engine's reload thread waiting for it for ever:
    every later HUP was queued behind it, -r gave up after 60 s, and the
    stop waited for the thread until the monitor killed the engine."""
    port = h.free_port()
    with h.SyslogSink() as sink, \
            h.Daemon(conf(port, sink), ready="proc",
                     env=monfail("nobufs")) as d:
        up(d, sink)
        for i in (1, 2):
            rc, out, err = h.daytimed("-r", "-c", d.conf, timeout=70)
            check(rc == 0 and out == "daytimed: pid %d reloaded its "
                  "configuration\n" % d.pid, "reload %d: %d %r %r", i, rc,
                  out, err)
        check(len(sink.records(r"^event=reload result=ok ")) == 2, "%r",
              sink.records(r"^event=reload "))
        said = sink.records(r"^monitor: handing the configuration over ")
        check(len(said) == 1 and said[0].pid == d.pid and said[0].msg ==
              "monitor: handing the configuration over (trying again "
              "every 100 ms): No buffer space available", "%r", said)
        check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "serving")
        stop = stops_at_once(d, sink)
        check(stop["reloads"] == "2" and stop["reload_failures"] == "0",
              "%r", stop)


@test(timeout=90)
def an_answer_that_never_comes_fails_the_reload_and_holds_no_stop():
    """The monitor's answer never comes (the shim says it was sent): the
    engine's reload thread gives up at its bound (60 s, cut to 1 s by
    the shim), the reload fails saying why, and the stop is not held by
    a thread still waiting. It used to wait for ever."""
    port = h.free_port()
    with h.SyslogSink() as sink, \
            h.Daemon(conf(port, sink), ready="proc",
                     env=monfail("lose")) as d:
        engine = up(d, sink)
        d.signal(signal.SIGHUP)
        rec = sink.wait_for(r"^event=reload result=failed ", timeout=15)
        check(rec.pid == engine and h.kv(rec.msg)["error"].endswith(
              "error: the monitor sent no configuration for 60 s: lost "
              "its channel; restart to reload"), "%r", rec.msg)
        check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "serving")
        stop = stops_at_once(d, sink)
        check(stop["reloads"] == "0" and stop["reload_failures"] == "1",
              "%r", stop)


@test(timeout=60)
def a_stop_the_monitor_cannot_forward_sets_no_deadline():
    """The monitor's kill of its TERM fails (EPERM): as daytimed(8)
    says, the daemon goes on and that stop did not happen, so nothing
    comes of it 5 s later; a TERM sent again stops the daemon. The
    monitor used to set the stop's deadline all the same, say the engine
    was "still stopping" 5 s later and kill it at 60 s."""
    port = h.free_port()
    with h.SyslogSink() as sink, \
            h.Daemon(conf(port, sink), ready="proc",
                     env=monfail("kill")) as d:
        engine = up(d, sink)
        d.signal(signal.SIGTERM)
        rec = sink.wait_for(r"^monitor: cannot send signal 15 to the "
                            r"engine \(pid %d\): Operation not permitted$"
                            % engine)
        check(rec.pid == d.pid, "%r", rec)
        late = h.poll_until(lambda: sink.records(
            r"still stopping|did not stop within"), 5 + 2)
        check(not late, "a deadline for a stop not forwarded: %r", late)
        check(h.pid_alive(engine) and d.alive(), "the daemon went")
        check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "serving")
        stops_at_once(d, sink)


@test
def a_poll_that_fails_for_want_of_memory_is_tried_again():
    """The monitor's first three ppolls fail with ENOMEM (poll(2)): it
    says so once, tries again, and the daemon starts, serves, reloads
    and stops. One such failure used to be fatal ("monitor: poll"), the
    engine following through its parent-death signal."""
    port = h.free_port()
    with h.SyslogSink() as sink, \
            h.Daemon(conf(port, sink), ready="proc",
                     env=monfail("poll")) as d:
        up(d, sink)
        rec = sink.wait_for(r"^monitor: poll works again$")
        check(rec.pid == d.pid, "%r", rec)
        said = sink.records(r"^monitor: poll")
        check([r.msg for r in said] == [
            "monitor: poll (trying again every 100 ms): Cannot allocate "
            "memory", "monitor: poll works again"], "%r", said)
        check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "serving")
        rc, out, err = h.daytimed("-r", "-c", d.conf)
        check(rc == 0, "-r: %d %r %r", rc, out, err)
        stops_at_once(d, sink)


if __name__ == "__main__":
    h.main()
