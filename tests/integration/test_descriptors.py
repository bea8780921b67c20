#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The engine out of descriptors (prlimit --nofile=32, clients that hold
their connections with a PROXY header never finished): datagrams are still
served, and lookups that never started for lack of a descriptor are
counted."""

import os
import select
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

NOFILE = 32     # the engine needs about 21 of its own
HOLDERS = 40    # more than the rest: some stay in the listen queue


class Starved(h.Daemon):
    """daytimed under prlimit --nofile=NOFILE."""

    def command(self):
        return (["prlimit", "--nofile=%d:%d" % (NOFILE, NOFILE), "--"] +
                super().command())


def proxy_conf(sink, port, uport=None):
    """A proxy listener on port (whose clients hold it), a datagram one on
    uport."""
    text = "listen tcp 127.0.0.1:%d proxy\n" % port
    if uport is not None:
        text += "listen udp 127.0.0.1:%d\n" % uport
    return text + h.daemon_conf(port, sink, "ident mode off\n"
                                "proxy timeout 30\n", "proxy 127.0.0.1\n"
                                "allow 127.0.0.0/8\n", listen=())


def hold(port, n):
    """n clients that send an unfinished PROXY header and wait: each holds
    a descriptor of the engine once accepted."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    for s in socks:
        h.poll_until(lambda: select.select([], [s], [], 0)[1], 5)
        s.send(b"PROXY TCP4 ")
    return socks


def starved(sink, d):
    """Wait until the engine has run out of descriptors and paused."""
    engine = h.engine_pid(d)
    check(h.poll_until(lambda: h.fd_count(engine) >= NOFILE, 10),
          "the engine has %d descriptors", h.fd_count(engine))
    sink.wait_for(r"^accept: pausing ", timeout=10)


@test
def datagrams_are_served_while_accept_pauses():
    """Out of descriptors, accepting pauses; a datagram needs none and is
    answered and recorded all the same."""
    port, uport = h.free_port(), h.free_port("udp")
    with h.SyslogSink() as sink, Starved(proxy_conf(sink, port, uport),
                                         ready="proc") as d:
        socks = hold(port, HOLDERS)
        try:
            starved(sink, d)
            u = h.udp_open(uport)
            me = h._fmt_addr(u.getsockname())
            deadline = time.monotonic() + 5     # 10 tries, bounded
            got = None
            for _ in range(10):
                if got is not None or time.monotonic() > deadline:
                    break
                u.send(b"")
                got = h.recv_or_none(u, 0.5)
            check(got is not None and h.CTIME_RE.match(got),
                  "no answer while accept pauses: %r", got)
            rec = h.kv(sink.wait_peer(me).msg)
            check(rec["proto"] == "udp" and rec["decision"] == "allow",
                  "%r", rec)
            u.close()
        finally:
            for s in socks:
                s.close()


@test
def lookups_never_started_are_counted_unreachable():
    """A lookup that cannot start for lack of a descriptor is recorded
    ident_status=unreachable and counted in ident_unreachable."""
    n = 30
    with h.FakeIdent("silent") as fi, h.SyslogSink() as sink:
        port = h.free_port()
        conf = h.daemon_conf(port, sink, "ident mode always\nident port %d\n"
                             "ident timeout 2\n" % fi.port,
                             "allow 127.0.0.0/8\n", listen=("tcp",))
        with Starved(conf, ready="proc") as d:
            socks = []
            for _ in range(n):
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex(("127.0.0.1", port))
                socks.append(s)
            try:
                sink.wait_for(lambda r: "conn=" in r.msg, timeout=20,
                              count=n)
            finally:
                for s in socks:
                    s.close()
            d.signal(signal.SIGUSR1)
            counters = h.kv(sink.wait_for(r"^event=counters ").msg)
            statuses = [r["ident_status"] for r in sink.audit()]
            unreachable = statuses.count("unreachable")
            check(unreachable > 0, "no lookup went without: %r", statuses)
            check(int(counters["ident_unreachable"]) == unreachable,
                  "ident_unreachable=%s, %d records say unreachable",
                  counters["ident_unreachable"], unreachable)


if __name__ == "__main__":
    h.main()
