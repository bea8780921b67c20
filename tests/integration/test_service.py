#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The service end to end: the real daemon on high loopback ports, TCP and
UDP, IPv4 and IPv6, exact bytes, audit records, reload, limits of bad input."""

import os
import signal
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402


def conf(port, sink, rules="allow 127.0.0.0/8\nallow ::1\n", extra=""):
    """A configuration on 127.0.0.1 and ::1, TCP and UDP, ident off."""
    return h.daemon_conf(port, sink, body=extra + rules,
                         hosts=("127.0.0.1", "::1"))


@test
def tcp_ipv4_exact_bytes():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)):
        data = h.tcp_get("127.0.0.1", port)
        check(h.CTIME_RE.match(data), "not a ctime line: %r", data)
        check(len(data) == 26 and data.endswith(b"\r\n"), "%r", data)
        check(data in h.recent_ctimes(), "not the local time: %r", data)


@test
def tcp_ipv6_exact_bytes():
    h.need_ipv6()
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)):
        data = h.tcp_get("::1", port)
        check(h.CTIME_RE.match(data) and data in h.recent_ctimes(), "%r",
              data)


@test
def udp_any_datagram_one_answer():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)):
        for host in ("127.0.0.1", "::1"):
            for payload in (b"", b"x", b"\0" * 512, b"A" * 65000):
                with h.udp_open(port, host) as s:
                    s.settimeout(3)
                    s.send(payload)
                    data = s.recv(65536)
                    check(h.CTIME_RE.match(data), "%s %d: %r", host,
                          len(payload), data)
                    # exactly one answer: nothing more arrives
                    extra = h.recv_or_none(s, 0.3)
                    check(extra is None, "second answer %r", extra)


@test
def client_program():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)):
        # -r: the answer byte for byte, CR LF included
        r = h.run_client(["-r", "-p", port, "127.0.0.1"])
        check(r.returncode == 0 and h.CTIME_RE.match(r.stdout), "%r", r)
        r = h.run_client(["-r", "-u", "-6", "-p", port, "::1"])
        check(r.returncode == 0 and h.CTIME_RE.match(r.stdout), "%r", r)
        r = h.run_client(["-r", "-u", "-4", "127.0.0.1", port])
        check(r.returncode == 0 and h.CTIME_RE.match(r.stdout), "%r", r)
        # without: the same line ending in LF alone
        r = h.run_client(["-p", port, "127.0.0.1"])
        check(r.returncode == 0 and r.stdout.endswith(b"\n") and
              h.CTIME_RE.match(r.stdout[:-1] + b"\r\n"), "%r", r)


@test
def audit_records_exact():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)) as d:
        data, me = h.tcp_talk("127.0.0.1", port)
        rec = sink.wait_peer(me)
        check(rec.pid == h.engine_pid(d), "pid %d != engine %d", rec.pid,
              h.engine_pid(d))
        check(rec.severity == 6, "severity %d", rec.severity)
        check(rec.facility == 3, "facility %d (daemon is 3)", rec.facility)
        k = h.kv(rec.msg)
        check(len(k["conn"]) == 16 and all(c in "0123456789abcdef"
                                           for c in k["conn"]), "%r", k)
        want = {"proto": "tcp", "peer": me, "local": "127.0.0.1:%d" % port,
                "decision": "allow", "rule": d.conf + ":8", "ident": "-",
                "ident_status": "skipped", "netblock": "127.0.0.0/8",
                "bytes": "26"}
        for key, val in want.items():
            check(k.get(key) == val, "%s=%r, want %r in %r", key,
                  k.get(key), val, rec.msg)
        # allowed: the answer, the 26 bytes the record counts
        check(h.CTIME_RE.match(data), "%r", data)
        # UDP over IPv6
        with h.udp_open(port, "::1") as s:
            s.send(b"")
            s.settimeout(3)
            s.recv(100)
            me6 = "[::1]:%d" % s.getsockname()[1]
        rec = sink.wait_peer(me6)
        k = h.kv(rec.msg)
        check(k["proto"] == "udp" and k["local"] == "[::1]:%d" % port and
              k["rule"] == d.conf + ":9" and k["decision"] == "allow",
              "%r", rec.msg)
        # start record, at notice
        start = sink.wait_for(r"^event=start ")
        check(start.severity == 5, "start severity %d", start.severity)


@test
def denied_peers_get_nothing():
    port = h.free_port()
    rules = "allow 127.0.0.0/8\ndeny 127.0.0.1\ndeny ::1\n"
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink, rules=rules),
                                          ready="proc") as d:
        data, me = h.tcp_talk("127.0.0.1", port, timeout=3)
        check(data == b"", "a denied peer got data")
        rec = sink.wait_peer(me)
        k = h.kv(rec.msg)
        check(k["decision"] == "deny" and k["rule"] == d.conf + ":9" and
              k["netblock"] == "127.0.0.1/32", "%r", rec.msg)
        check(h.udp_get("::1", port, timeout=0.5) is None, "UDP deny answered")
        rec = sink.wait_for(lambda r: "proto=udp" in r.msg and
                            "decision=deny" in r.msg)
        check(h.kv(rec.msg)["rule"] == d.conf + ":10", "%r", rec.msg)
        # 127.0.0.2 is in 127.0.0.0/8 (allowed) but the listener is on
        # 127.0.0.1: bind the client to 127.0.0.2 as its source.
        data = h.tcp_get("127.0.0.1", port, bind=("127.0.0.2", 0))
        check(h.CTIME_RE.match(data), "127.0.0.2 not answered: %r", data)


@test
def no_rule_is_default_deny():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink,
                                               rules="allow 10.0.0.0/8\n"),
                                          ready="proc"):
        check(h.tcp_get("127.0.0.1", port) == b"", "answered without a rule")
        rec = sink.wait_for(r"decision=deny")
        k = h.kv(rec.msg)
        check(k["rule"] == "default" and "netblock" not in k, "%r", rec.msg)


@test
def resets_and_silent_clients_block_nobody():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)) as d:
        h.tcp_get("127.0.0.1", port)
        engine = h.engine_pid(d)
        before = h.settled_fd_count(engine)
        idle = []
        for _ in range(20):
            # connect and reset at once
            s = h.tcp_open(port)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
            s.close()
            # connect, send junk, never read, never close (yet)
            t = h.tcp_open(port)
            t.send(b"hello\r\n" * 100)
            idle.append(t)
        # others are answered at once meanwhile
        for _ in range(5):
            data = h.tcp_get("127.0.0.1", port, timeout=2)
            check(h.CTIME_RE.match(data), "%r", data)
        for t in idle:
            t.close()
        # every descriptor comes back
        after = h.settled_fd_count(engine, want=before)
        check(after == before, "fds %d, were %d", after, before)
        sink.wait_for(r"proto=tcp", count=46)


@test
def wildcard_v4_and_v6_share_a_port():
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, listen=("tcp",),
                             hosts=("0.0.0.0", "::"),
                             body="allow 127.0.0.0/8\nallow ::1\n")
        with h.Daemon(text, ready="proc"):
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "v4")
            check(h.CTIME_RE.match(h.tcp_get("::1", port)), "v6")
            rec = sink.wait_for(r"peer=\[::1\]")
            check(h.kv(rec.msg)["local"] == "[::1]:%d" % port, "%r", rec.msg)


@test
def reload_swaps_rules_and_keeps_them_on_error():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)) as d:
        check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "allowed")
        d.reload(conf(port, sink, rules="deny 127.0.0.0/8\n"))
        sink.wait_for(r"^event=reload result=ok")
        check(h.tcp_get("127.0.0.1", port) == b"", "deny after reload")
        # a broken file changes nothing and is logged at err with FILE:LINE
        d.reload(conf(port, sink, rules="allow 127.0.0.0/8\nallow 300.1.1.1\n"))
        rec = sink.wait_for(r"^event=reload result=failed")
        check(rec.severity == 3, "severity %d", rec.severity)
        check(d.conf + ":9: error:" in h.kv(rec.msg)["error"], "%r", rec.msg)
        check(h.tcp_get("127.0.0.1", port) == b"", "old rules kept")
        # listen changes need a restart: kept, and said
        d.reload(conf(port + 1 if port < 60000 else port - 1, sink,
                      rules="allow 127.0.0.0/8\n"))
        sink.wait_for(r"^event=reload result=ok", count=2)
        sink.wait_for(r"listen changed; needs a restart")
        check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "new rules")


@test
def usr1_logs_counters():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)) as d:
        check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "tcp")
        check(h.CTIME_RE.match(h.udp_get("127.0.0.1", port) or b""), "udp")
        d.signal(signal.SIGUSR1)
        rec = sink.wait_for(r"^event=counters ")
        k = h.kv(rec.msg)
        # exactly ours and the ready probes (TCP connections, answered)
        check(int(k["allowed"]) == len(d.probe_peers) + 2 and
              int(k["udp"]) == 1, "%d probes: %r", len(d.probe_peers),
              rec.msg)


@test
def term_stops_and_logs():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)) as d:
        d.signal(signal.SIGTERM)
        rc = d.wait(5)
        check(rc == 0, "exit %r", rc)
        sink.wait_for(r"^event=stop")


@test
def startup_errors_reach_the_caller():
    port = h.free_port()
    with h.SyslogSink() as sink:
        with h.busy_port(port):
            d = h.start_fails(conf(port, sink), "started on a busy port")
            check(d.wait(5) == 1, "exit code")
            check("Address already in use" in d.stderr_text() and
                  d.conf + ":1: listen tcp 127.0.0.1:%d" % port in
                  d.stderr_text(), "%r", d.stderr_text())
            d.cleanup()
        d = h.start_fails(conf(port, sink, rules="allow 1.2.3.4/33\n"),
                          "started with a bad rule")
        check(d.wait(5) == 1, "exit code")
        check(d.conf + ":8: error: bad netblock '1.2.3.4/33'" in
              d.stderr_text(), "%r", d.stderr_text())
        d.cleanup()


EVFAIL_SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           "evfail_shim.so")


@test
def an_event_loop_error_stops_the_daemon_with_an_error():
    """A loop's epoll_wait fails (ENOMEM, evfail_shim.c, after the first
    answer): the engine says so, stops with reason=error and exits 1, and
    the monitor reports it and exits 1. Before, the engine recorded
    reason=signal though no signal came, and both exited 0 in silence."""
    if h.asan_build():
        raise h.Skip("the sanitizer's interceptors come before the shim's")
    if not os.path.exists(EVFAIL_SHIM):
        raise h.Skip("%s not built (make check builds it)" % EVFAIL_SHIM)
    port = h.free_port()
    env = dict(os.environ, LD_PRELOAD=EVFAIL_SHIM, DT_EVFAIL="wait")
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "ident mode off\nseccomp off\n",
                             "allow 127.0.0.0/8\n", listen=("tcp",))
        with h.Daemon(text, ready="proc", env=env) as d:
            data = h.tcp_get("127.0.0.1", port)
            check(h.CTIME_RE.match(data), "not a ctime line: %r", data)
            rc = d.wait(10)
            check(rc == 1, "exit status %r", rc)
            sink.wait_for(r"^worker \d+: event loop failed \(.+\): stopping")
            stop = h.kv(sink.wait_for(r"^event=stop ").msg)
            check(stop.get("reason") == "error", "stop record: %r", stop)
            sink.wait_for(r"^engine \(pid \d+\) exited with status 1: "
                          r"stopping")


if __name__ == "__main__":
    h.main()
