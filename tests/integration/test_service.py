#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The service end to end: the real daemon on high loopback ports, TCP and
UDP, IPv4 and IPv6, exact bytes, audit records, reload, limits of bad input."""

import os
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402


def conf(port, sink, rules="allow 127.0.0.0/8\nallow ::1\n", extra=""):
    """A configuration on 127.0.0.1 and ::1, TCP and UDP, ident off."""
    text = ("listen tcp 127.0.0.1:%d\nlisten udp 127.0.0.1:%d\n"
            "listen tcp [::1]:%d\nlisten udp [::1]:%d\n"
            "syslog socket %s\nident mode off\n" % (port, port, port, port,
                                                   sink.path))
    if os.geteuid() == 0:
        text += "user nobody\n"
    return text + extra + rules


def local_ctime_near(line):
    """The line must be one of the ctime strings of the last few seconds."""
    now = time.time()
    want = set()
    for d in range(-3, 2):
        t = time.localtime(now + d)
        want.add((time.strftime("%a %b ", t) + "%2d" % t.tm_mday +
                  time.strftime(" %H:%M:%S %Y", t) + "\r\n").encode())
    return line in want


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def settled_fd_count(pid, want=None, timeout=5):
    """Poll until the count is want (or, with want None, steady for 0.2 s)."""
    deadline = time.monotonic() + timeout
    last, same = None, 0
    while time.monotonic() < deadline:
        n = fd_count(pid)
        if want is not None and n == want:
            return n
        same = same + 1 if n == last else 0
        last = n
        if want is None and same >= 10:
            return n
        time.sleep(0.02)
    return last




@test
def tcp_ipv4_exact_bytes():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)):
        data = h.tcp_get("127.0.0.1", port)
        check(h.CTIME_RE.match(data), "not a ctime line: %r", data)
        check(len(data) == 26 and data.endswith(b"\r\n"), "%r", data)
        check(local_ctime_near(data), "not the local time: %r", data)


@test
def tcp_ipv6_exact_bytes():
    if not h.have_ipv6():
        raise h.Skip("no IPv6 loopback")
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)):
        data = h.tcp_get("::1", port)
        check(h.CTIME_RE.match(data) and local_ctime_near(data), "%r", data)


@test
def udp_any_datagram_one_answer():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink)):
        for host in ("127.0.0.1", "::1"):
            for payload in (b"", b"x", b"\0" * 512, b"A" * 65000):
                with socket.socket(socket.AF_INET6 if ":" in host
                                   else socket.AF_INET,
                                   socket.SOCK_DGRAM) as s:
                    s.connect((host, port))
                    s.settimeout(3)
                    s.send(payload)
                    data = s.recv(65536)
                    check(h.CTIME_RE.match(data), "%s %d: %r", host,
                          len(payload), data)
                    # exactly one answer: nothing more arrives
                    s.settimeout(0.3)
                    try:
                        extra = s.recv(65536)
                        check(False, "second answer %r", extra)
                    except socket.timeout:
                        pass


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
        with socket.socket() as s:
            s.connect(("127.0.0.1", port))
            me = "127.0.0.1:%d" % s.getsockname()[1]
            data = s.recv(100)
        rec = sink.wait_for(lambda r: ("peer=%s " % me) in r.msg)
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
        check(data == b"" or h.CTIME_RE.match(data), "%r", data)
        # UDP over IPv6
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.connect(("::1", port))
            s.send(b"")
            s.settimeout(3)
            s.recv(100)
            me6 = "[::1]:%d" % s.getsockname()[1]
        rec = sink.wait_for(lambda r: ("peer=%s " % me6) in r.msg)
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
        with socket.socket() as s:
            s.settimeout(3)
            s.connect(("127.0.0.1", port))
            me = "127.0.0.1:%d" % s.getsockname()[1]
            check(s.recv(100) == b"", "a denied peer got data")
        rec = sink.wait_for(lambda r: ("peer=%s " % me) in r.msg)
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
        before = settled_fd_count(engine)
        idle = []
        for _ in range(20):
            # connect and reset at once
            s = socket.socket()
            s.connect(("127.0.0.1", port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
            s.close()
            # connect, send junk, never read, never close (yet)
            t = socket.socket()
            t.connect(("127.0.0.1", port))
            t.send(b"hello\r\n" * 100)
            idle.append(t)
        # others are answered at once meanwhile
        for _ in range(5):
            data = h.tcp_get("127.0.0.1", port, timeout=2)
            check(h.CTIME_RE.match(data), "%r", data)
        for t in idle:
            t.close()
        # every descriptor comes back
        after = settled_fd_count(engine, want=before)
        check(after == before, "fds %d, were %d", after, before)
        sink.wait_for(r"proto=tcp", count=46)


@test
def wildcard_v4_and_v6_share_a_port():
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = ("listen tcp 0.0.0.0:%d\nlisten tcp [::]:%d\n"
                "syslog socket %s\nident mode off\nallow 127.0.0.0/8\n"
                "allow ::1\n" % (port, port, sink.path))
        if os.geteuid() == 0:
            text += "user nobody\n"
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
        h.tcp_get("127.0.0.1", port)
        h.udp_get("127.0.0.1", port)
        d.signal(signal.SIGUSR1)
        rec = sink.wait_for(r"^event=counters ")
        k = h.kv(rec.msg)
        check(int(k["allowed"]) >= 2 and int(k["udp"]) >= 1, "%r", rec.msg)


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
        with socket.socket() as busy:
            busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            busy.bind(("127.0.0.1", port))
            busy.listen(1)
            d = h.Daemon(conf(port, sink), start=False)
            try:
                d.start()
                check(False, "started on a busy port")
            except h.DaemonError:
                pass
            check(d.wait(5) == 1, "exit code")
            check("Address already in use" in d.stderr_text() and
                  d.conf + ":1: listen tcp 127.0.0.1:%d" % port in
                  d.stderr_text(), "%r", d.stderr_text())
            d.cleanup()
        d = h.Daemon(conf(port, sink, rules="allow 1.2.3.4/33\n"), start=False)
        try:
            d.start()
            check(False, "started with a bad rule")
        except h.DaemonError:
            pass
        check(d.wait(5) == 1, "exit code")
        check(d.conf + ":8: error: bad netblock '1.2.3.4/33'" in
              d.stderr_text(), "%r", d.stderr_text())
        d.cleanup()


if __name__ == "__main__":
    h.main()
