#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""PROXY protocol listeners end to end, with this script as the proxy: the
header's source judged, limited and recorded (via= the proxy), no ident
lookup, the proxy's own LOCAL connections, and every denial the contract
names (proxy:untrusted, proxy:malformed, proxy:timeout), each with one
record and no data. HAProxy in front of two daemons: test_fleet.py."""

import os
import re
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def v1(src, sport, dst="127.0.0.1", dport=13):
    fam = "TCP6" if ":" in src else "TCP4"
    return ("PROXY %s %s %s %d %d\r\n" % (fam, src, dst, sport, dport)).encode()


def v2(src, sport, dst="127.0.0.1", dport=13, tlvs=b"", local=False):
    if local:
        return SIG + b"\x20\x00" + struct.pack("!H", len(tlvs)) + tlvs
    if ":" in src:
        fam, a = b"\x21", (socket.inet_pton(socket.AF_INET6, src) +
                           socket.inet_pton(socket.AF_INET6, dst))
    else:
        fam, a = b"\x11", socket.inet_aton(src) + socket.inet_aton(dst)
    block = a + struct.pack("!HH", sport, dport) + tlvs
    return SIG + b"\x21" + fam + struct.pack("!H", len(block)) + block


def conf(port, sink, extra="", ident="ident mode always\nident port 9\n"):
    """A proxy listener on 127.0.0.1 trusting 127.0.0.1; clients of
    10.1.0.0/16 allowed, 10.2.0.0/16 denied, the proxy itself allowed."""
    return "listen tcp 127.0.0.1:%d proxy\n" % port + h.daemon_conf(
        port, sink, ident, "proxy 127.0.0.1\n" + extra +
        "allow 10.1.0.0/16\ndeny 10.2.0.0/16\n"
        "allow 127.0.0.1\nallow 2001:db8::/32\n", listen=())


def daemon(port, sink, extra="", **kw):
    return h.Daemon(conf(port, sink, extra, **kw), ready="proc")


def send(port, chunks, src="127.0.0.1", pause=0.0, timeout=5.0):
    """Connect from src as the proxy, send the chunks (pause s between),
    read to EOF: (bytes, how it ended, our end "ADDR:PORT")."""
    s = h.tcp_open(port, src=src, timeout=timeout)
    me = h._fmt_addr(s.getsockname())
    try:
        try:
            for c in chunks:
                s.sendall(c)
                if pause:
                    time.sleep(pause)   # a slow proxy's pace, not a wait
        except OSError:
            pass                        # the daemon gave up on us first
        data, how = h.read_to_eof(s, time.monotonic() + timeout)
    finally:
        s.close()
    return data, how, me


def record_via(sink, me, timeout=8.0):
    """The record of the connection the proxy made from me."""
    return sink.wait_for(lambda r: (" via=%s " % me) in r.msg,
                         timeout=timeout).kv()


def settled(port, sink):
    """A later allowed connection, its record waited for, then the sink's
    barrier: a record the daemon still had to write for an earlier one
    would be in by now (the same engine thread writes both)."""
    data, how, me = send(port, [v1("10.1.9.1", 9)])
    check(h.CTIME_RE.match(data), "the later connection: %r", data)
    record_via(sink, me)
    sink.barrier()


def count_of(sink, me):
    """How many records name me, as peer or as via."""
    return len(sink.records(lambda r: ("peer=%s " % me) in r.msg or
                            (" via=%s " % me) in r.msg))


def one_record_each(port, sink, ours):
    """Once settled, exactly one record names each connection in ours."""
    settled(port, sink)
    for me in ours:
        n = count_of(sink, me)
        check(n == 1, "%d records for %s", n, me)


def line_of(d, text):
    for i, l in enumerate(d.conf_text.splitlines(), 1):
        if l.strip() == text:
            return "%s:%d" % (d.conf, i)
    raise AssertionError("no line %r" % text)


@test
def each_client_judged_by_the_header():
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink) as d:
        cases = [
            (v1("10.1.2.3", 40001), "10.1.2.3:40001", "allow 10.1.0.0/16"),
            (v2("10.1.2.4", 40002), "10.1.2.4:40002", "allow 10.1.0.0/16"),
            (v1("10.2.0.9", 40003), "10.2.0.9:40003", "deny 10.2.0.0/16"),
            (v2("10.2.0.9", 40004), "10.2.0.9:40004", "deny 10.2.0.0/16"),
            (v1("192.0.2.1", 0), "192.0.2.1:0", None),
            (v2("192.0.2.1", 65535), "192.0.2.1:65535", None),
            # IPv4-mapped: judged and recorded as the IPv4 address
            (v1("::ffff:10.1.9.9", 1, "::1"), "10.1.9.9:1",
             "allow 10.1.0.0/16"),
            (v2("::ffff:10.2.9.9", 2, "::1"), "10.2.9.9:2",
             "deny 10.2.0.0/16"),
            (v2("2001:db8::7", 3, "::1"), "[2001:db8::7]:3",
             "allow 2001:db8::/32"),
            # TLVs (NOOP, ALPN, a custom one) are skipped
            (v2("10.1.0.1", 4, tlvs=b"\x04\x00\x02ab\x01\x00\x02h2"
                b"\xe0\x00\x00"), "10.1.0.1:4", "allow 10.1.0.0/16"),
        ]
        for header, peer, rule in cases:
            data, how, me = send(port, [header])
            k = record_via(sink, me)
            allowed = rule is not None and rule.startswith("allow")
            check(bool(h.CTIME_RE.match(data)) == allowed and how == "eof",
                  "%r: %r %s", header, data, how)
            check(k["peer"] == peer, "%r: %r", header, k)
            check(k["decision"] == ("allow" if allowed else "deny"), "%r", k)
            check(k["rule"] == (line_of(d, rule) if rule else "default"),
                  "%r: %r", header, k)
            # ident mode always, yet no lookup: the client's identd
            # cannot see a connection to this host
            check(k["ident_status"] == "skipped" and k["ident"] == "-",
                  "%r", k)
            check(k["local"] == "127.0.0.1:%d" % port, "%r", k)


@test
def the_proxys_own_connections():
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink) as d:
        for header in (v2("", 0, local=True),
                       v2("", 0, local=True, tlvs=b"\x04\x00\x01x"),
                       b"PROXY UNKNOWN\r\n",
                       b"PROXY UNKNOWN 10.2.0.1 127.0.0.1 1 13\r\n",
                       SIG + b"\x21\x00\x00\x00"):
            data, how, me = send(port, [header])
            k = record_via(sink, me)
            check(h.CTIME_RE.match(data), "%r: %r", header, data)
            check(k["peer"] == me and k["decision"] == "allow" and
                  k["rule"] == line_of(d, "allow 127.0.0.1") and
                  k["ident_status"] == "skipped", "%r: %r", header, k)


@test
def untrusted_peers_are_denied_at_once():
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink):
        ours = []
        # with a header that would be allowed, and with none at all
        for chunks in ([v1("10.1.2.3", 1)], []):
            s = h.tcp_open(port, src="127.0.0.2")
            me = h._fmt_addr(s.getsockname())
            for c in chunks:
                s.sendall(c)
            data, how = h.read_to_eof(s, time.monotonic() + 5)
            s.close()
            check(data == b"" and how in ("eof", "reset"), "%r %s", data, how)
            k = sink.wait_peer(me).kv()
            check(k["decision"] == "deny" and k["rule"] == "proxy:untrusted"
                  and "via" not in k and k["ident_status"] == "skipped" and
                  k["bytes"] == "0", "%r", k)
            ours.append(me)
        # one record each, no more
        one_record_each(port, sink, ours)


# Hostile headers from a trusted proxy: each is denied, one record, no data.
MALFORMED = [
    b"PROXY TCP4 10.1.2.3 127.0.0.1 1 13\n",          # a bare LF
    b"PROXY TCP4 10.1.2.3 127.0.0.1 01 13\r\n",       # a leading zero
    b"PROXY TCP4 10.1.2.3 127.0.0.1 65536 13\r\n",
    b"PROXY TCP6 10.1.2.3 127.0.0.1 1 13\r\n",        # the wrong family
    b"PROXY TCP4 10.1.2.3  127.0.0.1 1 13\r\n",
    b"PROXY UNKNOWN" + b"x" * 100 + b"\r\n",          # over-long
    b"PROXY " + b"A" * 200,                           # no CR LF in 107
    b"GET / HTTP/1.0\r\n\r\n",
    b"\x16\x03\x01\x00\x05hello",
    SIG[:11] + b"\r" + v2("10.1.2.3", 1)[12:],         # a bad signature
    SIG + b"\x11" + v2("10.1.2.3", 1)[13:],            # version 1
    SIG + b"\x31" + v2("10.1.2.3", 1)[13:],            # version 3
    SIG + b"\x23" + v2("10.1.2.3", 1)[13:],            # command 3
    SIG + b"\x21\x41\x00\x0c" + b"\x00" * 12,          # family 4
    SIG + b"\x21\x31\x00\xd8" + b"/run/lb.sock".ljust(108, b"\0") * 2,
    SIG + b"\x21\x11\x00\x08" + b"\x00" * 8,           # short of addresses
    SIG + b"\x21\x11\xff\xff" + b"\x00" * 12,          # longer than allowed
    v2("10.1.2.3", 1, tlvs=b"\x04\x00\x09ab"),         # a TLV runs past
    SIG + b"\x21\x11\x00\x0c" + b"\x00" * 6,           # cut short, then EOF
    b"PROXY TCP4 10.1.2.3",                            # cut short, then EOF
]


@test
def malformed_headers_are_denied():
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink, "proxy timeout 5\n"):
        ours = []
        for header in MALFORMED:
            s = h.tcp_open(port)
            me = h._fmt_addr(s.getsockname())
            try:
                s.sendall(header)
                s.shutdown(socket.SHUT_WR)      # EOF: no more is coming
            except OSError:
                pass                # already refused (and reset)
            data, how = h.read_to_eof(s, time.monotonic() + 5)
            s.close()
            ours.append(me)
            k = record_via(sink, me)
            check(data == b"", "%r: answered %r", header, data)
            check(k["decision"] == "deny" and k["rule"] == "proxy:malformed"
                  and k["peer"] == me and k["bytes"] == "0", "%r: %r",
                  header, k)
            # judged on what came (proxy:malformed above), not at the
            # deadline, which would say proxy:timeout
        for me in ours:
            n = len(sink.records(" via=%s " % me))
            check(n == 1, "%d records for %s", n, me)


@test
def a_header_not_complete_in_time():
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink, "proxy timeout 0.5\n"):
        header = v1("10.1.2.3", 7)
        ours = []
        # nothing at all, half a header, and a header dribbled byte by
        # byte too slowly for the one deadline (each byte resets nothing)
        for chunks, pause in (([], 0), ([header[:20]], 0),
                              ([bytes([b]) for b in header], 0.05)):
            start = time.monotonic()
            data, how, me = send(port, chunks, pause=pause)
            took = time.monotonic() - start
            k = record_via(sink, me)
            check(data == b"" and k["rule"] == "proxy:timeout" and
                  k["decision"] == "deny", "%r %r", data, k)
            check(0.4 < took < 3, "denied after %.2f s", took)
            check(int(k["duration_us"]) >= 450000, "%r", k)
            check(k["peer"] == me and k["bytes"] == "0", "%r", k)
            ours.append(me)
        # a dribble that completes in time is fine
        data, how, me = send(port, [header[:10], header[10:30], header[30:]],
                             pause=0.05)
        check(h.CTIME_RE.match(data), "%r", data)
        check(record_via(sink, me)["peer"] == "10.1.2.3:7", "slow header")
        ours.append(me)
        # one record each: the deadline's, and none when the proxy closes
        one_record_each(port, sink, ours)


@test
def a_pending_header_holds_up_no_one():
    """The header is read without blocking the loop: with one worker, a
    proxy that has sent half a header and waits does not delay another
    connection, which is answered and recorded long before the first
    one's deadline; the first, completed later, is then judged by its
    header."""
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink,
                                        "workers 1\nproxy timeout 8\n"):
        header = v1("10.1.2.3", 41)
        slow = h.tcp_open(port, timeout=10)
        slow_me = h._fmt_addr(slow.getsockname())
        try:
            slow.sendall(header[:12])
            # the engine has it (no record yet: it waits for the rest)
            start = time.monotonic()
            data, how, me = send(port, [v2("10.1.2.4", 42)])
            took = time.monotonic() - start
            check(h.CTIME_RE.match(data) and how == "eof" and took < 3,
                  "the other connection: %r %s after %.2f s", data, how,
                  took)
            k = record_via(sink, me)
            check(k["peer"] == "10.1.2.4:42" and k["decision"] == "allow",
                  "%r", k)
            check(count_of(sink, slow_me) == 0, "the slow one is recorded "
                  "already: %r", sink.records(" via=%s " % slow_me))
            slow.sendall(header[12:])
            data, how = h.read_to_eof(slow, time.monotonic() + 5)
        finally:
            slow.close()
        check(h.CTIME_RE.match(data), "the slow one: %r %s", data, how)
        k = record_via(sink, slow_me)
        check(k["peer"] == "10.1.2.3:41" and k["decision"] == "allow" and
              int(k["duration_us"]) < 8000000, "%r", k)


@test(timeout=90)
def a_reload_changes_the_kernels_wait_for_a_silent_proxy():
    """A proxy listener asks the kernel to hand over a connection only
    once bytes are in, for about proxy timeout (TCP_DEFER_ACCEPT): a
    reload that lowers the timeout lowers that wait too, so a proxy that
    connects and sends nothing is closed after about twice the new
    timeout, not the old one (20 s here: some 30 s before the fix)."""
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink,
                                        "proxy timeout 20\n") as d:
        d.reload(conf(port, sink, "proxy timeout 1\n"))
        sink.wait_for(r"^event=reload result=ok")
        start = time.monotonic()
        data, how, me = send(port, [], timeout=15)
        took = time.monotonic() - start
        k = record_via(sink, me, timeout=20)
        check(data == b"" and k["rule"] == "proxy:timeout" and took < 10,
              "%r %r after %.1f s", data, k, took)


@test
def nothing_is_read_past_the_header():
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink) as d:
        ours = []
        # a second header after the first is the client's own bytes: the
        # first decides (allowed), the second is never taken for a header
        for first, second in ((v1("10.1.2.3", 8), v1("10.2.0.1", 9)),
                              (v2("10.1.2.3", 8), v2("10.2.0.1", 9)),
                              (v1("10.2.0.1", 9), v1("10.1.2.3", 8))):
            data, how, me = send(port, [first + second])
            k = record_via(sink, me)
            allowed = k["peer"] == "10.1.2.3:8"
            check(bool(h.CTIME_RE.match(data)) == allowed, "%r %r", data, k)
            check(k["decision"] == ("allow" if allowed else "deny"), "%r", k)
            # judged by the first header's own line: the second is data
            check(k["rule"] == line_of(d, "allow 10.1.0.0/16" if allowed
                                       else "deny 10.2.0.0/16") and
                  k["bytes"] == ("26" if allowed else "0"), "%r", k)
            ours.append(me)
        one_record_each(port, sink, ours)


@test
def per_source_limits_count_the_client():
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink, "limit per-source 1\n"):
        # held: the header and one more byte, so the daemon answers and
        # then waits for our EOF before it lets go
        held = h.tcp_open(port)
        held.sendall(v1("10.1.2.3", 10) + b"x")
        check(h.CTIME_RE.match(held.recv(100)), "the held client")
        # the same client through the same proxy: over its limit
        data, how, me = send(port, [v1("10.1.2.3", 11)])
        k = record_via(sink, me)
        check(data == b"" and k["decision"] == "drop" and
              k["rule"] == "limit:per-source" and k["peer"] ==
              "10.1.2.3:11", "%r %r", data, k)
        # another client through the same proxy is its own source
        data, how, me = send(port, [v2("10.1.2.4", 12)])
        check(h.CTIME_RE.match(data), "another client: %r", data)
        held.close()
        data, how, me = h.poll_until(
            lambda: send(port, [v1("10.1.2.3", 13)]), 5,
            done=lambda r: r[0] != b"")
        check(h.CTIME_RE.match(data), "the client again: %r", data)


@test
def the_rate_limit_counts_the_client():
    """limit rate: the header's client has the bucket, not the proxy that
    makes every connection."""
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink, "limit rate 2\n"):
        # a burst of 2, then one token each 0.5 s: a third connection at
        # once is over, unless this host is slower than that (then a
        # fourth, ... up to 8, is)
        dropped = None
        for i in range(8):
            data, how, me = send(port, [v1("10.1.2.3", 20 + i)])
            if data == b"":
                dropped = record_via(sink, me)
                break
            check(h.CTIME_RE.match(data), "%d: %r", i, data)
        check(dropped is not None and i >= 2, "never over its rate")
        check(dropped["decision"] == "drop" and
              dropped["rule"] == "limit:rate" and
              dropped["peer"] == "10.1.2.3:%d" % (20 + i), "%r", dropped)
        # other clients through the same proxy have their own buckets
        for j, src in enumerate(("10.1.2.4", "10.1.2.5", "10.1.2.6")):
            data, how, me = send(port, [v2(src, 30 + j)])
            check(h.CTIME_RE.match(data), "%s: %r", src, data)


@test
def a_reload_changes_the_trusted_proxies():
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink) as d:
        data, how, me = send(port, [v1("10.1.2.3", 1)], src="127.0.0.2")
        check(sink.wait_peer(me).kv()["rule"] == "proxy:untrusted", "before")
        d.reload(d.conf_text.replace("proxy 127.0.0.1\n",
                                     "proxy 127.0.0.2\nproxy timeout 1\n"))
        sink.wait_for(r"^event=reload ")
        data, how, me = send(port, [v1("10.1.2.3", 2)], src="127.0.0.2")
        check(h.CTIME_RE.match(data), "after: %r", data)
        check(record_via(sink, me)["peer"] == "10.1.2.3:2", "after")
        data, how, me = send(port, [v1("10.1.2.3", 3)])
        check(sink.wait_peer(me).kv()["rule"] == "proxy:untrusted", "old")
        # the proxy listener (for a plain one) and every proxy line
        # removed: the listener is kept until a restart, and trusts no
        # one now: said so
        sink.clear()
        d.reload(re.sub(r"(?m)^proxy [0-9].*\n", "", d.conf_text).replace(
            "listen tcp 127.0.0.1:%d proxy\n" % port,
            "listen tcp 127.0.0.1:%d\n" % h.free_port()))
        sink.wait_for(r"^event=reload ")
        sink.wait_for(r"^reload: listen tcp 127\.0\.0\.1:%d proxy, kept: "
                      r"no 'proxy NETBLOCK' line, so every connection to it "
                      r"is denied \(proxy:untrusted\)$" % port)
        check(len(sink.records(r"proxy:untrusted\)$")) == 1, "said once: %r",
              sink.records(r"proxy:untrusted\)$"))
        data, how, me = send(port, [v1("10.1.2.3", 4)])
        check(data == b"" and
              sink.wait_peer(me).kv()["rule"] == "proxy:untrusted", "none")


@test
def a_reload_that_trusts_no_proxy_says_so():
    """Only the proxy lines removed, the listener unchanged: the reload
    says once that every connection to it is now denied (the parse's own
    warnings are not logged by a reload)."""
    port = h.free_port()
    with h.SyslogSink() as sink, daemon(port, sink) as d:
        d.reload(re.sub(r"(?m)^proxy [0-9].*\n", "", d.conf_text))
        sink.wait_for(r"^event=reload result=ok")
        sink.wait_for(r"^reload: listen tcp 127\.0\.0\.1:%d proxy, kept: "
                      r"no 'proxy NETBLOCK' line" % port)
        check(len(sink.records(r"proxy:untrusted\)$")) == 1, "said once: %r",
              sink.records(r"proxy:untrusted\)$"))
        data, how, me = send(port, [v1("10.1.2.3", 5)])
        check(data == b"" and
              sink.wait_peer(me).kv()["rule"] == "proxy:untrusted", "none")


@test
def ipv6_proxy_ipv4_client():
    h.need_ipv6()
    port = h.free_port(host="::1")
    with h.SyslogSink() as sink, h.Daemon(
            "listen tcp [::1]:%d proxy\n" % port + h.daemon_conf(
                port, sink, "ident mode off\n",
                "proxy ::1\nallow 10.1.0.0/16\n", listen=()),
            ready="proc"):
        s = h.tcp_open(port, host="::1")
        me = h._fmt_addr(s.getsockname())
        s.sendall(v2("10.1.2.3", 5))
        data, how = h.read_to_eof(s, time.monotonic() + 5)
        s.close()
        check(h.CTIME_RE.match(data), "%r", data)
        k = record_via(sink, me)
        check(k["peer"] == "10.1.2.3:5" and k["via"] == me and
              k["local"] == "[::1]:%d" % port, "%r", k)


@test
def one_address_one_text():
    """A listen address written long and an IPv4-compatible client
    (::1.2.3.4) are written once each way: the start log, peer= and
    netblock= in the same RFC 5952 hex (::102:304), not as typed and not
    in inet_ntop's dotted tail."""
    h.need_ipv6()
    port = h.free_port(host="::1")
    with h.SyslogSink() as sink, h.Daemon(
            "listen tcp [0:0:0::0:1]:%d proxy\n" % port + h.daemon_conf(
                port, sink, "ident mode off\n",
                "proxy ::1\nallow ::1.2.3.4/128\n", listen=()),
            ready="proc"):
        sink.wait_for(r"^listening on tcp \[::1\]:%d " % port)
        s = h.tcp_open(port, host="::1")
        me = h._fmt_addr(s.getsockname())
        s.sendall(v1("::1.2.3.4", 7, dst="::1"))
        data, how = h.read_to_eof(s, time.monotonic() + 5)
        s.close()
        check(h.CTIME_RE.match(data), "%r", data)
        k = record_via(sink, me)
        check(k["peer"] == "[::102:304]:7" and
              k["netblock"] == "::102:304/128" and
              k["local"] == "[::1]:%d" % port, "%r", k)


@test
def udp_cannot_be_a_proxy_listener():
    with h.TempDir() as t:
        path = t.write("d.conf", "listen udp 127.0.0.1:13013 proxy\n"
                       "listen tcp 127.0.0.1:13013 proxy\n")
        rc, out, err = h.daytimed("-t", "-c", path)
        check(rc == 1, "rc %d: %s %s", rc, out, err)
        check("d.conf:1: error: listen: only a tcp listener can take a "
              "PROXY header" in out, "%r", out)
        check("d.conf:2: warning: listen tcp 127.0.0.1:13013 proxy: no "
              "'proxy NETBLOCK' line" in out, "%r", out)


if __name__ == "__main__":
    h.main()
