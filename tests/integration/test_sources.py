#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Sources and destinations: a datagram sent to a broadcast or multicast
address is dropped once, whatever the number of workers, and costs no
udp-rate token; one from a source no honest peer has (multicast, 0/8:
forged on lo with a raw socket) is dropped; what one source is for the
per-source and rate limits (limit source-prefix), shown in the drop
records. The IPv6 cases (40 addresses of one /64, a multicast group)
run in a network namespace of their own: python3 test_sources.py
--in-netns (as root, under unshare -n)."""

import json
import os
import socket
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

GROUP4 = "239.1.2.3"
GROUP6 = "ff02::1:2:3"
NET6 = "2001:db8:1::"       # the /64 of the 40 sources
OTHER6 = "2001:db8:2::1"    # one address of another /64


def conf(port, sink, extra, hosts=("127.0.0.1",), listen=("tcp", "udp"),
         ident="ident mode off\n"):
    return h.daemon_conf(port, sink, ident, extra, listen=listen,
                         hosts=hosts)


def joined(group, ifaddr=None, ifindex=None):
    """A socket that joins a multicast group (v4 on ifaddr, v6 on ifindex),
    so that the host accepts datagrams sent to it."""
    if ":" in group:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP,
                     socket.inet_pton(socket.AF_INET6, group) +
                     struct.pack("@I", ifindex))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                     socket.inet_aton(group) + socket.inet_aton(ifaddr))
    return s


def sender4(src):
    """A UDP socket from src that may send to broadcast and multicast on
    lo."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                 socket.inet_aton("127.0.0.1"))
    s.bind((src, 0))
    return s


def dropped_once(sink, dest, port, family=socket.AF_INET):
    """After one datagram to dest: its records, once those of 40 datagrams
    from other sources are in. Those spread over every worker's socket
    and each waits behind the copy of the first that its socket got."""
    peers = []
    for i in range(40):
        if family == socket.AF_INET:
            src = ("127.0.1.%d" % (i + 1), 0)
            host = "127.0.0.1"
        else:
            src = ("%s%x" % (NET6, i + 2), 0)
            host = "%s1" % NET6
        with h.udp_open(port, host, bind=src) as c:
            c.send(b"")
            peers.append(h._fmt_addr(c.getsockname()))
    for p in peers:
        sink.wait_peer(p)
    return [k for k in sink.audit() if k["local"].startswith(dest)]


@test
def broadcast_and_multicast_dropped_once_with_four_workers():
    h.need_root("joining a multicast group on lo")
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(
            conf(port, sink, "workers 4\nlimit udp-rate 1\n"
                 "allow 127.0.0.0/8\n", hosts=("0.0.0.0",),
                 listen=("udp",)), ready="proc"):
        with joined(GROUP4, ifaddr="127.0.0.1"):
            # (255.255.255.255 is the judge's alone: lo cannot send to it)
            for dest, src in (("127.255.255.255", "127.0.0.5"),
                              (GROUP4, "127.0.0.6")):
                sink.clear()
                with sender4(src) as s:
                    me = "%s:%d" % (src, s.getsockname()[1])
                    s.sendto(b"", (dest, port))
                    # no answer, and the source's one token is still there
                    s.sendto(b"", ("127.0.0.1", port))
                    s.settimeout(3)
                    data, frm = s.recvfrom(100)
                check(frm[0] == "127.0.0.1" and h.CTIME_RE.match(data),
                      "%r from %r", data, frm)
                recs = dropped_once(sink, dest + ":", port)
                check(len(recs) == 1, "%s: %d records %r", dest,
                      len(recs), recs)
                k = recs[0]
                check(k["decision"] == "drop" and
                      k["rule"] == "limit:udp-destination" and
                      k["peer"] == me and "source" not in k and
                      k["bytes"] == "0", "%r", k)
                allowed = [k for k in sink.audit()
                           if k["peer"] == me and k["decision"] == "allow"]
                check(len(allowed) == 1, "token: %r", allowed)


def held(port, n, src, host="127.0.0.1"):
    """n connections from src that wait on an ident server that never
    answers (admitted: counted against the per-source limit)."""
    return [h.tcp_open(port, host, src=src) for _ in range(n)]


def lookups_open(identport):
    return sum(1 for _, rport, state in h.tcp_sockets()
               if state == h.TCP_ESTABLISHED and rport == identport)


def per_source_by_prefix(port, sink, identport, sources, other, host,
                         source_text):
    """40 connections from 40 addresses of one source, per-source 4: four
    are admitted (their lookups hang), 36 dropped naming the source; an
    address of another source is admitted."""
    socks = []
    try:
        for src in sources:
            try:
                socks += held(port, 1, src, host)
            except (ConnectionResetError, ConnectionRefusedError):
                pass
        drops = sink.wait_for(r"rule=limit:per-source", count=36)
        for rec in drops:
            k = h.kv(rec.msg)
            check(k["decision"] == "drop" and k["source"] == source_text,
                  "%r", rec.msg)
        check(h.poll_until(lambda: lookups_open(identport) == 4, 5),
              "%d lookups open, not 4", lookups_open(identport))
        socks += held(port, 1, other, host)
        check(h.poll_until(lambda: lookups_open(identport) == 5, 5),
              "another source not admitted")
        check(len(sink.records(r"rule=limit:per-source")) == 36,
              "more drops than 36")
    finally:
        for s in socks:
            s.close()


def udp_checksum(data):
    """The UDP checksum over a pseudo-header, the header and payload."""
    if len(data) % 2:
        data += b"\0"
    c = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while c >> 16:
        c = (c & 0xffff) + (c >> 16)
    return (~c & 0xffff) or 0xffff


def udp6_packet(src, dst, sport, dport, payload):
    """An IPv6 header and UDP datagram, its checksum computed."""
    ln = 8 + len(payload)
    a, b = (socket.inet_pton(socket.AF_INET6, x) for x in (src, dst))
    data = a + b + struct.pack("!I3xB", ln, 17) + struct.pack(
        "!HHHH", sport, dport, ln, 0) + payload
    c = udp_checksum(data)
    return (struct.pack("!IHBB", 6 << 28, ln, 17, 64) + a + b +
            struct.pack("!HHHH", sport, dport, ln, c) + payload)


@test
def a_forged_mapped_source_to_ipv6():
    """A datagram to an IPv6 (v6-only) listener from ::ffff:127.0.0.1 was
    forged on the wire: the kernel refuses such sources for TCP, not for
    UDP. It is a bogus source, not 127.0.0.1 (which would pass the IPv6
    rules and be recorded as a peer that never sent it)."""
    h.need_root("a raw socket needs root")
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(
            conf(port, sink, "allow 127.0.0.1\ndeny ::/0\n",
                 hosts=("::1",), listen=("udp",)), ready="proc"):
        with socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                           socket.IPPROTO_RAW) as raw:
            raw.sendto(udp6_packet("::ffff:127.0.0.1", "::1", 40000, port,
                                   b"x"), ("::1", 0))
        k = sink.wait_for(r"^conn=.* peer=(\[::ffff:)?127\.0\.0\.1\]?:40000 "
                          ).kv()
        check(k["decision"] == "drop" and k["rule"] == "limit:udp-source",
              "%r", k)
        # an honest datagram from ::1 is judged by the IPv6 rules
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as u:
            u.bind(("::1", 0))
            u.sendto(b"y", ("::1", port))
            me = h.fmt_addr(u.getsockname())
        k = sink.wait_peer(me).kv()
        check(k["decision"] == "deny" and k["netblock"] == "::/0", "%r", k)


@test
def unspecified_ipv6_source_dropped():
    """A datagram from :: (the unspecified address) cannot be an honest
    request and its answer would go nowhere: a drop record
    (limit:udp-source), whatever the rules say, and no answer; one from
    ::1 sent the same way is judged by the rules. (A multicast source,
    ff00::/8, which udp.c drops too, cannot be injected: the kernel's
    IPv6 input drops it before any socket.)"""
    h.need_root("a raw socket needs root")
    port = h.free_port(proto="udp")
    with h.SyslogSink() as sink, h.Daemon(
            conf(port, sink, "allow ::/0\n", hosts=("::1",),
                 listen=("udp",)), ready="proc"), \
            socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                          socket.IPPROTO_RAW) as raw:
        for src in ("::", "::1"):
            raw.sendto(udp6_packet(src, "::1", 40001, port, b"x"),
                       ("::1", 0))
        k = sink.wait_for(r"^conn=.* peer=\[::1\]:40001 ").kv()
        check(k["decision"] == "allow" and k["netblock"] == "::/0", "%r", k)
        k = sink.wait_for(r"^conn=.* peer=\[::\]:40001 ").kv()
        check(k["decision"] == "drop" and k["rule"] == "limit:udp-source"
              and k["bytes"] == "0", "%r", k)


def udp4_packet(src, dst, sport, dport, payload):
    """An IPv4 header and UDP datagram (the kernel fills in the header's
    length, id and checksum for a raw socket; the UDP checksum is
    computed)."""
    ln = 8 + len(payload)
    a, b = (socket.inet_aton(x) for x in (src, dst))
    data = a + b + struct.pack("!xBH", 17, ln) + struct.pack(
        "!HHHH", sport, dport, ln, 0) + payload
    c = udp_checksum(data)
    return (struct.pack("!BBHHHBBH", 0x45, 0, 20 + ln, 0, 0, 64, 17, 0) +
            a + b + struct.pack("!HHHH", sport, dport, ln, c) + payload)


@test
def bogus_ipv4_sources_dropped():
    """A datagram from a multicast source (224.0.0.0/4) or from "this
    network" (0.0.0.0/8) cannot be an honest request, and its answer
    would go to a group or nowhere: no answer, a drop record
    (limit:udp-source), whatever the rules say. The kernel never sends
    from such addresses, but takes them in on lo from a raw socket (lo
    keeps the route of the way out: no martian check); one from an
    honest source, sent the same way, is answered."""
    h.need_root("a raw socket needs root")
    port = h.free_port(proto="udp")
    with h.SyslogSink() as sink, h.Daemon(
            conf(port, sink, "allow 0.0.0.0/0\n", listen=("udp",)),
            ready="proc"), \
            socket.socket(socket.AF_INET, socket.SOCK_RAW,
                          socket.IPPROTO_RAW) as raw, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as honest, \
            joined("224.1.2.3", ifaddr="127.0.0.1") as group:
        # where each answer would arrive: the group (on lo, which the
        # answer from 127.0.0.1 would leave by) and the honest source
        group.bind(("224.1.2.3", 0))
        group.setblocking(False)
        honest.bind(("127.0.0.5", 0))
        gport, hport = group.getsockname()[1], honest.getsockname()[1]
        for src, sport in (("224.1.2.3", gport), ("0.1.2.3", gport),
                           ("127.0.0.5", hport)):
            raw.sendto(udp4_packet(src, "127.0.0.1", sport, port, b"x"),
                       ("127.0.0.1", 0))
        # the honest one: answered, so the injected datagrams do arrive
        got = h.recv_or_none(honest, 5)
        check(got is not None and h.CTIME_RE.match(got), "honest: %r", got)
        k = sink.wait_peer("127.0.0.5:%d" % hport).kv()
        check(k["decision"] == "allow" and k["rule"] != "default", "%r", k)
        for src in ("224.1.2.3", "0.1.2.3"):
            k = sink.wait_peer("%s:%d" % (src, gport)).kv()
            check(k["decision"] == "drop" and
                  k["rule"] == "limit:udp-source" and k["bytes"] == "0" and
                  k["local"] == "127.0.0.1:%d" % port, "%s: %r", src, k)
        # every record is in, so any answer has been sent: none reached
        # the group
        try:
            data = group.recvfrom(100)
        except BlockingIOError:
            data = None
        check(data is None, "the group got an answer: %r", data)


@test
def per_source_counts_a_source_prefix_v4():
    port = h.free_port()
    rules = "allow 127.0.0.0/8\nallow 127.0.0.0/8 user alice\n"
    with h.FakeIdent("silent", host="0.0.0.0") as fi, \
            h.SyslogSink() as sink:
        text = conf(port, sink, "limit per-source 4\n"
                    "limit source-prefix 24 64\n" + rules,
                    ident="ident mode rules\nident timeout 60\n"
                    "ident port %d\n" % fi.port)
        with h.Daemon(text, ready="proc"):
            per_source_by_prefix(port, sink, fi.port,
                                 ["127.0.2.%d" % i for i in range(1, 41)],
                                 "127.0.3.1", "127.0.0.1", "127.0.2.0/24")


@test
def udp_rate_counts_a_source_prefix():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(
            conf(port, sink, "limit udp-rate 1\nlimit source-prefix 24 64\n"
                 "allow 127.0.0.0/8\n"), ready="proc"):
        got = h.udp_get("127.0.0.1", port, bind=("127.0.4.1", 0), timeout=3)
        check(got is not None and h.CTIME_RE.match(got), "first of the /24: %r",
              got)
        with h.udp_open(port, bind=("127.0.4.2", 0)) as c:
            c.send(b"")
            check(h.recv_or_none(c, 0.5) is None, "second of the /24")
            me = "127.0.4.2:%d" % c.getsockname()[1]
        k = h.kv(sink.wait_peer(me).msg)
        check(k["rule"] == "limit:udp-rate" and k["source"] == "127.0.4.0/24",
              "%r", k)
        got = h.udp_get("127.0.0.1", port, bind=("127.0.5.1", 0), timeout=3)
        check(got is not None and h.CTIME_RE.match(got), "another /24: %r", got)


@test
def rate_counts_a_source_prefix():
    """limit rate charges the source prefix, as per-source does: a second
    address of the same /24 finds the bucket empty; another /24 does not."""
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(
            conf(port, sink, "limit rate 1\nlimit source-prefix 24 64\n"
                 "allow 127.0.0.0/8\n", listen=("tcp",)), ready="proc"):
        check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port,
                                         bind=("127.0.8.1", 0))), "first")
        got, me = h.tcp_talk("127.0.0.1", port, bind=("127.0.8.2", 0),
                             reset_ok=True)
        check(not got, "second of the /24 answered: %r", got)
        rec = sink.wait_peer(me)
        k = h.kv(rec.msg)
        check(k["decision"] == "drop" and k["rule"] == "limit:rate" and
              k["source"] == "127.0.8.0/24", "%r", rec.msg)
        check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port,
                                         bind=("127.0.9.1", 0))), "other /24")


@test(timeout=120)
def ipv6_in_a_network_namespace():
    h.need_root("a network namespace of its own")
    if subprocess.run(["unshare", "-n", "true"]).returncode != 0:
        raise h.Skip("unshare -n does not work here")
    r = subprocess.run(["unshare", "-n", sys.executable,
                        os.path.abspath(__file__), "--in-netns"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=100)
    out = r.stdout.decode("utf-8", "replace")
    check(r.returncode == 0, "in the namespace:\n%s", out)
    print(out.rstrip())


def netns_setup():
    """lo up with the /64's 40 addresses and one of another /64, and a
    veth pair (lo carries no IPv6 multicast) whose v0 is in the group."""
    cmds = ["link set lo up",
            "link add dtv0 type veth peer name dtv1",
            "link set dtv1 up", "link set dtv0 up",
            "addr add 2001:db8:9::1/64 dev dtv0 nodad",
            "addr add %s/64 dev lo nodad" % OTHER6]
    cmds += ["addr add %s%x/64 dev lo nodad" % (NET6, i)
             for i in range(1, 42)]
    r = subprocess.run(["ip", "-batch", "-"], input="\n".join(cmds).encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise h.Skip("ip: %s" % r.stdout.decode())


def in_netns():
    """The IPv6 cases, inside the namespace test_sources.py made."""
    netns_setup()
    port = h.free_port(host="::1")
    rules = ("allow 2001:db8::/32\nallow 2001:db8::/32 user alice\n"
             "allow ::1\n")
    with h.FakeIdent("silent", host="::") as fi, h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "ident mode rules\nident timeout 60"
                             "\nident port %d\n" % fi.port,
                             "limit per-source 4\nworkers 4\n" + rules,
                             hosts=("::",))
        with h.Daemon(text, ready="proc"):
            # 40 addresses of one /64, per-source 4: 4 admitted
            per_source_by_prefix(port, sink, fi.port,
                                 ["%s%x" % (NET6, i) for i in range(2, 42)],
                                 OTHER6, "%s1" % NET6, "2001:db8:1::/64")
            # a datagram to a joined group: dropped once, from 4 workers
            idx = socket.if_nametoindex("dtv0")
            with joined(GROUP6, ifindex=idx), socket.socket(
                    socket.AF_INET6, socket.SOCK_DGRAM) as s:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF,
                             idx)
                s.sendto(b"", (GROUP6, port, 0, idx))
                recs = dropped_once(sink, "[%s]:" % GROUP6, port,
                                    socket.AF_INET6)
                check(len(recs) == 1 and recs[0]["rule"] ==
                      "limit:udp-destination", "%r", recs)
    print(json.dumps({"ipv6": "ok"}))


if __name__ == "__main__":
    if sys.argv[1:] == ["--in-netns"]:
        in_netns()
        sys.exit(0)
    h.main()
