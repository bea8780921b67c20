#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The engine out of descriptors (prlimit --nofile=32, clients that hold
their connections with a PROXY header never finished): datagrams are still
served, the stop still records every client it took from the queue, and
lookups that never started for lack of a descriptor are counted."""

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


def connect_many(port, n):
    """n non-blocking connects to 127.0.0.1:port, under way."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    return socks


def hold(port, n):
    """n clients that send an unfinished PROXY header and wait: each holds
    a descriptor of the engine once accepted."""
    socks = connect_many(port, n)
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
def the_stop_records_every_queued_client():
    """SIGTERM while out of descriptors: the clients in flight are cut at
    the stop deadline (proxy:timeout) and the ones still queued are taken
    as the cuts give descriptors back, and cut too. Every client that
    connected sees its connection closed, none reset, and has its record;
    the stop still takes about a second."""
    port = h.free_port()
    with h.SyslogSink() as sink, Starved(proxy_conf(sink, port),
                                         ready="proc") as d:
        socks = hold(port, HOLDERS)
        try:
            starved(sink, d)
            mine = {h._fmt_addr(s.getsockname()): s for s in socks}
            t0 = time.monotonic()
            d.signal(signal.SIGTERM)
            check(d.wait(10) == 0, "exit status %r", d.returncode)
            took = time.monotonic() - t0
            check(took < 5, "the stop took %.1f s", took)
            outcome = {}
            for me, s in mine.items():
                data, how = h.read_to_eof(s, time.monotonic() + 2)
                outcome[me] = (data, how)
            bad = {me: o for me, o in outcome.items() if o != (b"", "eof")}
            check(not bad, "not closed cleanly: %r", bad)
            h.poll_until(lambda: sink.records(r"^event=stop "), 5)
            recs = {}
            for r in sink.audit():
                recs[r.get("via", r.get("peer"))] = r
            lost = sorted(set(mine) - set(recs))
            check(not lost, "%d of %d clients with no record: %r",
                  len(lost), len(mine), lost)
            for me in mine:
                check(recs[me]["decision"] == "deny" and
                      recs[me]["rule"] == "proxy:timeout", "%r", recs[me])
        finally:
            for s in socks:
                s.close()


@test
def the_stop_serves_the_queue_as_descriptors_come_back():
    """SIGTERM while out of descriptors, then every client finishes its
    header: the ones in flight are answered, and each end gives a
    descriptor back for a client still queued, well before the deadline.
    Every client gets its answer and its record."""
    port = h.free_port()
    with h.SyslogSink() as sink, Starved(proxy_conf(sink, port),
                                         ready="proc") as d:
        socks = hold(port, HOLDERS)
        try:
            starved(sink, d)
            d.signal(signal.SIGTERM)
            sink.wait_for(r"^stopping on signal 15")
            clients = {}
            for i, s in enumerate(socks):
                client = "127.0.1.%d:%d" % (1 + i, 2000 + i)
                try:
                    s.send(b"127.0.1.%d 127.0.0.1 %d %d\r\n"
                           % (1 + i, 2000 + i, port))
                except OSError:
                    pass                # reset: the read below says so
                clients[client] = s
            check(d.wait(10) == 0, "exit status %r", d.returncode)
            unanswered = {}
            for client, s in clients.items():
                data, how = h.read_to_eof(s, time.monotonic() + 2)
                if not h.CTIME_RE.match(data) or how != "eof":
                    unanswered[client] = (data, how)
            check(not unanswered, "%d of %d not answered: %r",
                  len(unanswered), len(clients), unanswered)
            h.poll_until(lambda: sink.records(r"^event=stop "), 5)
            recs = {r["peer"]: r for r in sink.audit()}
            for client in clients:
                check(client in recs and recs[client]["decision"] ==
                      "allow", "%s: %r", client, recs.get(client))
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
            socks = connect_many(port, n)
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
