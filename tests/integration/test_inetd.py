#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""daytimed -i under real super servers: openbsd-inetd (TCP nowait, UDP
wait), xinetd (the same) and tcpserver (TCP) when installed,
systemd-socket-activate (--inetd, and LISTEN_FDS with Accept=yes),
and a launcher of our own that hands the connection over as stdin, stdout
and stderr at once, as inetd does: nothing but the answer reaches the
client, not even with -d or a broken configuration.

openbsd-inetd may not be installed (it is one inetd among several, and
conflicts with xinetd): INETD (or OBSD_INETD, as bench/run.sh reads it)
names its binary; otherwise the installed one, or else the test fetches
Debian's package and unpacks it with dpkg-deb -x (harness.unpacked_deb)."""

import errno
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

IDLE = 10  # INETD_IDLE_SECS: a datagram socket's idle time before exit


def inetd_conf(sink, rules, settings="ident mode off\n", user="nobody"):
    """A configuration for -i: no listen line."""
    text = "syslog socket %s\n" % sink.path + settings
    if user and os.geteuid() == 0:
        text += "user %s\n" % user
    return text + rules


def private_dir():
    """A temp dir the daemon's user can read (it rereads nothing, but
    opens the configuration as that user when inetd starts it so)."""
    t = h.TempDir("dti-")
    os.chmod(t.path, 0o755)
    return t


def served_by(sink, me):
    rec = sink.wait_peer(me, timeout=10)
    return rec.kv(), rec.pid


def udp_wait_service(sink, port, n, payload):
    """n datagrams to a "wait" service: each answered, each recorded by one
    and the same process, which exits once it has been idle."""
    with h.udp_open(port) as u:
        got = []
        for _ in range(n):
            u.send(payload)
            got.append(h.recv_or_none(u, 5))
        me = h.fmt_addr(u.getsockname())
    check(all(g is not None and h.CTIME_RE.match(g) for g in got), "%r", got)
    recs = sink.wait_for(lambda r: "peer=%s " % me in r.msg, count=n)
    pids = {r.pid for r in recs}
    check(len(pids) == 1 and all(r.kv()["proto"] == "udp" for r in recs),
          "%r", recs)
    pid = pids.pop()
    check(h.poll_until(lambda: not h.pid_alive(pid), IDLE + 10),
          "pid %d not gone after %d s idle", pid, IDLE)


def openbsd_inetd():
    """The openbsd-inetd binary: $INETD, $OBSD_INETD, installed or
    unpacked; skips unless root."""
    exe = (os.environ.get("INETD") or os.environ.get("OBSD_INETD") or
           shutil.which("inetd"))
    if exe is None or not os.path.exists(exe):
        exe = h.unpacked_deb("openbsd-inetd", "usr/sbin/inetd")
    h.need_root("inetd runs daytimed as another user")
    return exe


def start_inetd(exe, t, conf, port, user):
    """inetd -d (in t) running daytimed -i -c conf as user, for TCP nowait
    and UDP wait on port; stop it with h.stop_process, close the returned
    file."""
    itab = t.write("inetd.conf", "".join(
        "127.0.0.1:%d %s %s %s daytimed -i -c %s\n"
        % (port, kind, user, h.DAYTIMED, conf)
        for kind in ("stream tcp nowait", "dgram udp wait")))
    out = open(t.join("inetd.out"), "wb")
    proc = subprocess.Popen([exe, "-d", itab], stdin=subprocess.DEVNULL,
                            stdout=out, stderr=out)
    if not h.poll_until(lambda: h.proc_bound("tcp", "127.0.0.1", port) and
                        h.proc_bound("udp", "127.0.0.1", port), 10):
        h.stop_process(proc)
        out.close()
        raise AssertionError("inetd did not bind port %d" % port)
    return proc, out


@test(timeout=120)
def under_openbsd_inetd():
    exe = openbsd_inetd()
    port = h.free_port()
    with private_dir() as t, h.SyslogSink() as sink, \
            h.FakeIdent("ok", "alice", host="127.0.0.3") as fi:
        conf = t.write("d.conf", inetd_conf(
            sink, "allow 127.0.0.1\ndeny 127.0.0.2\n"
            "allow 127.0.0.3 user alice\n", "ident mode rules\n"
            "ident timeout 3\nident port %d\n" % fi.port))
        proc, out = start_inetd(exe, t, conf, port, "nobody")
        try:
            # TCP nowait: one process per connection, judged as usual.
            data, me1 = h.tcp_talk("127.0.0.1", port, bind=("127.0.0.1", 0))
            denied, me2 = h.tcp_talk("127.0.0.1", port,
                                     bind=("127.0.0.2", 0), reset_ok=True)
            looked, me3 = h.tcp_talk("127.0.0.1", port, bind=("127.0.0.3", 0))
            check(h.CTIME_RE.match(data) and denied == b"" and
                  h.CTIME_RE.match(looked), "%r %r %r", data, denied, looked)
            (k1, p1), (k2, p2), (k3, p3) = (served_by(sink, m)
                                            for m in (me1, me2, me3))
            check(k1["decision"] == "allow" and k2["decision"] == "deny" and
                  k3["decision"] == "allow" and k3["ident"] == "alice" and
                  k3["ident_status"] == "ok", "%r %r %r", k1, k2, k3)
            check(len({p1, p2, p3}) == 3, "one process each: %r",
                  (p1, p2, p3))
            # UDP wait: one process serves datagrams until it is idle.
            udp_wait_service(sink, port, 3, b"")
            # Nothing but the answers went to the clients; the records and
            # nothing else went to syslog (no start/stop per process).
            check(not sink.records(r"^event="), "%r", sink.records(r"^event="))
        finally:
            h.stop_process(proc)
            out.close()


def epochs_of(log):
    """{epoch id: (its start record's prev=, its records' count)} of the
    daytimed lines of a syslog file."""
    found = {}
    for line in log.splitlines():
        kv = dict(f.split("=", 1) for f in line.split(" ") if "=" in f)
        if "daytimed[" not in line or "epoch" not in kv:
            continue
        prev, n = found.get(kv["epoch"], (None, 0))
        found[kv["epoch"]] = (kv.get("prev", prev), n + 1)
    return found


@test(timeout=180)
def signed_linked_epochs_under_inetd():
    """-i with audit key, signing-key and state: each process is an epoch
    with its start and stop records, signed; processes that run at once
    share the state file, locked, so that each epoch names the one that
    started before it, none is named twice, and verify says intact; an
    epoch deleted whole is reported missing."""
    exe = openbsd_inetd()
    port = h.free_port()
    with private_dir() as t, h.Rsyslog() as rs:
        af = h.AuditFiles(t)
        conf = t.write("d.conf", inetd_conf(rs, "allow 127.0.0.0/8\n",
                                            "ident mode off\n" + af.settings))
        # As root: the signing key is root's; daytimed drops to nobody.
        proc, out = start_inetd(exe, t, conf, port, "root")
        try:
            # Eight connections at once, then two datagrams (one process).
            socks = [h.tcp_open(port) for _ in range(8)]
            got = [h.read_to_eof(c, time.monotonic() + 5)[0] for c in socks]
            for c in socks:
                c.close()
            check(all(h.CTIME_RE.match(g) for g in got), "%r", got)
            with h.udp_open(port) as u:
                for _ in range(2):
                    u.send(b"")
                    check(h.recv_or_none(u, 5) is not None, "no answer")
            want = 9
            check(h.poll_until(lambda: rs.text().count("event=stop ") >=
                               want, IDLE + 20), "stops: %d of %d",
                  rs.text().count("event=stop "), want)
        finally:
            h.stop_process(proc)
            out.close()
        log = rs.text()
        epochs = epochs_of(log)
        check(len(epochs) == want, "%d epochs:\n%s", len(epochs), log[-3000:])
        prevs = [p for p, _ in epochs.values()]
        named = [p.split(":")[0] for p in prevs if p not in ("none",)]
        # One chain: the first says none (no state yet), the others name
        # an epoch of the log each, and no epoch is named twice.
        check(prevs.count("none") == 1 and len(set(named)) == want - 1 and
              set(named) <= set(epochs), "%r", prevs)
        check(all(" mode=inetd " in l for l in log.splitlines()
                  if "event=start" in l), "start records:\n%s", log[-3000:])
        # an epoch that finds the next one's link in the file says nothing
        check("names another epoch" not in log, "said:\n%s", log[-3000:])
        rc, vout, verr = af.verify(rs.file)
        check(rc == 0 and "intact" in vout, "%d\n%s", rc, vout + verr)
        # Delete an epoch between two others: reported missing.
        victim = next(e for e in named if epochs[e][0] != "none")
        kept = [l for l in log.splitlines() if "epoch=%s " % victim not in l]
        rc, vout, verr = af.verify(t.write("cut.log", "\n".join(kept) +
                                           "\n"))
        check(rc == 1 and "epoch %s is missing" % victim in vout + verr,
              "%d\n%s", rc, vout + verr)


XINETD_SERVICE = """service dt-%(proto)s
{
	type		= UNLISTED
	id		= dt-%(proto)s
	socket_type	= %(kind)s
	protocol	= %(proto)s
	wait		= %(wait)s
	user		= nobody
	server		= %(exe)s
	server_args	= -i -c %(conf)s
	port		= %(port)d
	bind		= 127.0.0.1
	flags		= IPv4
}
"""


def tcp_judged(sink, port):
    """An allowed and a denied TCP peer (by a rule, not the default), each
    served by a process of its own: the answers and the records."""
    data, me1 = h.tcp_talk("127.0.0.1", port, bind=("127.0.0.1", 0))
    denied, me2 = h.tcp_talk("127.0.0.1", port, bind=("127.0.0.2", 0),
                             reset_ok=True)
    check(h.CTIME_RE.match(data) and denied == b"", "%r %r", data, denied)
    (k1, p1), (k2, p2) = (served_by(sink, m) for m in (me1, me2))
    check(k1["decision"] == "allow" and k2["decision"] == "deny" and
          k2["rule"] != "default" and p1 != p2, "%r %r", k1, k2)


@test(timeout=120)
def under_xinetd_and_tcpserver():
    h.need_root("xinetd runs daytimed as nobody")
    xinetd, tcpserver = shutil.which("xinetd"), shutil.which("tcpserver")
    if xinetd is None and tcpserver is None:
        raise h.missing("neither xinetd nor tcpserver (ucspi-tcp) is installed")
    exe = os.path.abspath(h.DAYTIMED)
    with private_dir() as t, h.SyslogSink() as sink:
        conf = t.write("d.conf", inetd_conf(
            sink, "allow 127.0.0.1\ndeny 127.0.0.2\n"))
        if xinetd is not None:
            # TCP nowait and UDP wait, as xinetd's own daytime has them.
            port = h.free_port()
            xconf = t.write("xinetd.conf", "defaults\n{\n}\n" + "".join(
                XINETD_SERVICE % dict(proto=p, kind=k, wait=w, exe=exe,
                                      conf=conf, port=port)
                for p, k, w in (("tcp", "stream", "no"),
                                ("udp", "dgram", "yes"))))
            out = open(t.join("xinetd.out"), "wb")
            proc = subprocess.Popen([xinetd, "-dontfork", "-f", xconf,
                                     "-pidfile", t.join("xinetd.pid")],
                                    stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=out)
            try:
                check(h.poll_until(lambda: h.proc_bound("tcp", "127.0.0.1",
                                                        port) and
                                   h.proc_bound("udp", "127.0.0.1", port),
                                   10), "xinetd did not bind port %d" % port)
                tcp_judged(sink, port)
                udp_wait_service(sink, port, 2, b"x")
            finally:
                h.stop_process(proc)
                out.close()
        if tcpserver is not None:
            # ucspi-tcp: the connection is fd 0 and fd 1; stderr is
            # tcpserver's own.
            port = h.free_port()
            proc = subprocess.Popen([tcpserver, "-HR", "127.0.0.1",
                                     str(port), exe, "-i", "-c", conf],
                                    stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            try:
                check(h.poll_until(lambda: h.proc_bound("tcp", "127.0.0.1",
                                                        port), 10),
                      "tcpserver did not bind port %d" % port)
                tcp_judged(sink, port)
            finally:
                h.stop_process(proc)
        check(not sink.records(r"^event="), "%r", sink.records(r"^event="))


def socket_activate(args, port, conf, proto="tcp", addr="127.0.0.1"):
    """systemd-socket-activate with args on addr:port running -i (addr
    None: the port alone, a dual-stack [::] socket, systemd's default)."""
    exe = shutil.which("systemd-socket-activate")
    if exe is None:
        raise h.missing("systemd-socket-activate is not installed (systemd)")
    where = str(port) if addr is None else "%s:%d" % (addr, port)
    proc = subprocess.Popen([exe] + args + ["-l", where,
                                            h.DAYTIMED, "-i", "-c", conf],
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    if not h.poll_until(lambda: h.proc_bound(proto, addr or "::", port),
                        10):
        h.stop_process(proc)
        raise AssertionError("systemd-socket-activate did not bind")
    return proc


@test(timeout=90)
def under_systemd_socket_activation():
    with private_dir() as t, h.SyslogSink() as sink:
        conf = t.write("d.conf", inetd_conf(sink, "allow 127.0.0.1\n"))
        # --inetd -a: the connection is stdin and stdout (as Accept=yes
        # with StandardInput=socket); -a alone: LISTEN_FDS=1, fd 3.
        for args in (["--inetd", "-a"], ["-a"]):
            port = h.free_port()
            proc = socket_activate(args, port, conf)
            try:
                for _ in range(2):
                    data, me = h.tcp_talk("127.0.0.1", port)
                    check(h.CTIME_RE.match(data), "%r: %r", args, data)
                    k, _ = served_by(sink, me)
                    check(k["decision"] == "allow" and
                          k["local"] == "127.0.0.1:%d" % port, "%r", k)
            finally:
                h.stop_process(proc)
        # --datagram --inetd: the datagram socket on stdin, served until idle.
        port = h.free_port()
        proc = socket_activate(["--datagram", "--inetd"], port, conf, "udp")
        try:
            udp_wait_service(sink, port, 2, b"x")
        finally:
            h.stop_process(proc)
        # The limits that make sense for one process hold: udp-rate over
        # the datagrams it serves (a burst of 1, then drops, recorded).
        rated = t.write("rated.conf", inetd_conf(
            sink, "allow 127.0.0.1\n", "ident mode off\nlimit udp-rate 1\n"))
        port = h.free_port()
        proc = socket_activate(["--datagram", "--inetd"], port, rated, "udp")
        try:
            with h.udp_open(port) as u:
                for _ in range(3):
                    u.send(b"x")
                got = [h.recv_or_none(u, 2) for _ in range(2)]
                me = h.fmt_addr(u.getsockname())
            check(h.CTIME_RE.match(got[0] or b"") and got[1] is None,
                  "%r", got)
            recs = sink.wait_for(lambda r: "peer=%s " % me in r.msg, count=3)
            k = [r.kv() for r in recs]
            check([x["decision"] for x in k] == ["allow", "drop", "drop"] and
                  k[1]["rule"] == "limit:udp-rate", "%r", k)
            pid = recs[0].pid
            check(h.poll_until(lambda: not h.pid_alive(pid), IDLE + 10),
                  "pid %d not gone after %d s idle", pid, IDLE)
        finally:
            h.stop_process(proc)


@test(timeout=90)
def a_proxy_listen_line_under_inetd():
    """-i on a socket a `listen tcp ... proxy` line names reads the PROXY
    header as that listener would; on any other socket there is none."""
    with private_dir() as t, h.SyslogSink() as sink:
        port = h.free_port()
        rules = ("listen tcp 0.0.0.0:%d proxy\nproxy 127.0.0.1\n"
                 "allow 127.0.0.1\nallow 10.1.0.0/16\ndeny 10.2.0.0/16\n"
                 % port)
        conf = t.write("d.conf", inetd_conf(sink, rules))
        # a socket of its own, and a dual-stack [::] one, where an IPv4
        # connection's address is ::ffff:127.0.0.1: the IPv4 line names
        # it all the same (else the header would go unread, the proxy
        # judged as the peer: allowed)
        for addr in ("127.0.0.1", None):
            proc = socket_activate(["--inetd", "-a"], port, conf, addr=addr)
            try:
                for src, want in (("10.1.0.7", "allow"),
                                  ("10.2.0.7", "deny")):
                    with h.tcp_open(port) as s:
                        me = h.fmt_addr(s.getsockname())
                        s.sendall(("PROXY TCP4 %s 127.0.0.1 4242 %d\r\n"
                                   % (src, port)).encode())
                        data, how = h.read_to_eof(s, time.monotonic() + 10)
                    rec = sink.wait_for(lambda r: " via=%s " % me in r.msg,
                                        timeout=10).kv()
                    check(rec["peer"] == "%s:4242" % src and
                          rec["decision"] == want and
                          rec["ident_status"] == "skipped", "%r %r", addr,
                          rec)
                    check(bool(h.CTIME_RE.match(data)) == (want == "allow"),
                          "%r %s: %r %s", addr, src, data, how)
            finally:
                h.stop_process(proc)
            check(h.poll_until(lambda: not h.proc_bound("tcp", addr or "::",
                                                        port), 10),
                  "port %d still bound", port)
        # Another port: no proxy line names it, the peer is itself.
        port2 = h.free_port()
        proc = socket_activate(["--inetd", "-a"], port2, conf)
        try:
            data, me = h.tcp_talk("127.0.0.1", port2)
            check(h.CTIME_RE.match(data), "%r", data)
            k, _ = served_by(sink, me)
            check(k["decision"] == "allow" and "via" not in k, "%r", k)
        finally:
            h.stop_process(proc)


def launch(conf, args=()):
    """As inetd does: accept one connection on a port of ours and run
    daytimed -i with it as stdin, stdout and stderr; return what the
    client read and the process's exit status."""
    with socket.socket() as ls:
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        with socket.create_connection(ls.getsockname(), timeout=10) as c:
            conn, _ = ls.accept()
            with conn:
                p = subprocess.Popen([h.DAYTIMED, "-i", "-c", conf] +
                                     list(args), stdin=conn, stdout=conn,
                                     stderr=conn)
            data, how = h.read_to_eof(c, time.monotonic() + 10)
            rc = p.wait(10)
            me = h.fmt_addr(c.getsockname())
    return data, how, rc, me


@test
def stdout_and_stderr_are_the_socket():
    with private_dir() as t, h.SyslogSink() as sink:
        good = t.write("good.conf", inetd_conf(sink, "allow 127.0.0.1\n"))
        # -d asks for stderr, which is the connection: it stays silent.
        for args in ((), ("-d",), ("-v",)):
            data, how, rc, me = launch(good, args)
            check(how == "eof" and h.CTIME_RE.match(data) and rc == 0,
                  "%r: %r %s %d", args, data, how, rc)
            served_by(sink, me)
        # A broken configuration: the client gets nothing, the errors go
        # to syslog (the configuration's socket is unknown: /dev/log).
        bad = t.write("bad.conf", inetd_conf(sink, "allow 127.0.0.1/33\n"))
        data, how, rc, me = launch(bad)
        check(data == b"" and rc == 1, "%r %s %d", data, how, rc)
        # No syslog at all: the request is not served (its record would be
        # lost), and still nothing reaches the client.
        nolog = t.write("nolog.conf", inetd_conf(sink, "allow 127.0.0.1\n")
                        .replace(sink.path, t.join("no-such-socket")))
        data, how, rc, me = launch(nolog)
        check(data == b"" and rc == 1, "%r %s %d", data, how, rc)


@test
def debug_reaches_a_unix_stderr():
    # Under systemd stderr is the journal, a Unix socket: -d prints there.
    # When stderr is the connection itself, the client gets the answer only.
    with private_dir() as t, h.SyslogSink() as sink:
        conf = t.write("d.conf", inetd_conf(sink, "allow 127.0.0.1\n"))
        for journal in (True, False):
            with socket.socket() as ls:
                ls.bind(("127.0.0.1", 0))
                ls.listen(1)
                c = socket.create_connection(ls.getsockname(), timeout=10)
                conn, _ = ls.accept()
                j, jd = socket.socketpair()
                with c, conn, j, jd:
                    p = subprocess.Popen([h.DAYTIMED, "-i", "-d", "-c", conf],
                                         stdin=conn, stdout=conn,
                                         stderr=jd if journal else conn)
                    conn.close()
                    jd.close()
                    data, how = h.read_to_eof(c, time.monotonic() + 10)
                    rc = p.wait(10)
                    me = h.fmt_addr(c.getsockname())
                    err, _ = h.read_to_eof(j, time.monotonic() + 5)
            # CTIME_RE ends at \Z: the answer and not one byte more.
            check(rc == 0 and how == "eof" and h.CTIME_RE.match(data),
                  "%r %s %d", data, how, rc)
            served_by(sink, me)
            if journal:
                check(("peer=%s " % me).encode() in err and
                      b"decision=allow" in err, "%r", err)
            else:
                check(err == b"", "%r", err)

def peer_gone(sock):
    """True once sock has no peer any more (getpeername: ENOTCONN)."""
    try:
        sock.getpeername()
    except OSError as e:
        if e.errno == errno.ENOTCONN:
            return True
        raise
    return False


@test
def a_connection_reset_before_start_is_recorded():
    # getpeername fails (ENOTCONN) once the client has reset: the
    # connection still gets its one record, with no peer, and -i exits 1.
    with private_dir() as t, h.SyslogSink() as sink:
        conf = t.write("i.conf", inetd_conf(sink, "allow 127.0.0.1\n"))
        with socket.socket() as ls:
            ls.bind(("127.0.0.1", 0))
            ls.listen(1)
            c = socket.create_connection(ls.getsockname(), timeout=10)
            conn, _ = ls.accept()
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
            c.close()
            # until the reset has reached conn: getpeername then fails
            check(h.poll_until(lambda: peer_gone(conn), 5),
                  "the reset did not reach the accepted socket")
            with conn:
                p = subprocess.run([h.DAYTIMED, "-i", "-c", conf],
                                   stdin=conn, stdout=conn, stderr=conn,
                                   timeout=10)
        check(p.returncode == 1, "rc %d", p.returncode)
        rec = sink.wait_for("decision=").kv()
        sink.barrier()      # -i has exited: all it sent has been read
        recs = sink.records("decision=")
        check(len(recs) == 1 and rec["decision"] == "drop" and
              rec["rule"] == "limit:address" and rec["peer"] == "-",
              "%r", [r.msg for r in recs])


def stopped_cleanly(p, rs, af, conf):
    """p (an -i process) exits 0 after a stop record carrying
    reason=signal; a next process (on conf) links to its epoch, and
    verify says the trail is intact (an epoch that ended without its
    stop record would be an unclean end, exit 4)."""
    check(p.wait(10) == 0, "rc %r", p.returncode)
    rs.wait_for("daytimed[%d]: event=stop reason=signal " % p.pid)
    data, _, rc, _ = launch(conf)
    check(h.CTIME_RE.match(data) and rc == 0, "%r %d", data, rc)
    check(h.poll_until(lambda: rs.text().count("event=stop ") >= 2, 10),
          "%s", rs.text()[-3000:])
    rc, vout, verr = af.verify(rs.file)
    check(rc == 0 and "intact" in vout, "%d\n%s", rc, vout + verr)


@test(timeout=90)
def term_cuts_a_pending_lookup():
    """TERM (what systemd sends a daytimed-inetd@ instance on stop) while
    an ident lookup is pending: as the daemon's stop, the lookup is cut
    (timeout), the client gets what that decides, the connection its
    record, the epoch its stop record, and the process exits 0."""
    with private_dir() as t, h.Rsyslog() as rs, \
            h.FakeIdent("silent") as fi:
        af = h.AuditFiles(t)
        conf = t.write("d.conf", inetd_conf(
            rs, "allow 127.0.0.1\n", "ident mode always\n"
            "ident timeout 30\nident port %d\n" % fi.port + af.settings,
            user="nobody"))
        with socket.socket() as ls:
            ls.bind(("127.0.0.1", 0))
            ls.listen(1)
            with socket.create_connection(ls.getsockname(), timeout=10) as c:
                conn, _ = ls.accept()
                with conn:
                    p = subprocess.Popen([h.DAYTIMED, "-i", "-c", conf],
                                         stdin=conn, stdout=conn,
                                         stderr=subprocess.DEVNULL)
                try:
                    # the lookup starts before the loop takes a signal
                    rs.wait_for("daytimed[%d]: event=start " % p.pid)
                    p.send_signal(signal.SIGTERM)
                    data, how = h.read_to_eof(c, time.monotonic() + 10)
                    me = h.fmt_addr(c.getsockname())
                except BaseException:
                    h.stop_process(p)
                    raise

        def recs():
            return [h.kv(l.split(": ", 1)[1]) for l in
                    rs.text().splitlines() if " peer=%s " % me in l]
        check(h.poll_until(recs, 10), "no record: %r\n%s", data,
              rs.text()[-3000:])
        rec = recs()[0]
        check(h.CTIME_RE.match(data) and rec["decision"] == "allow" and
              rec["ident_status"] == "timeout", "%r %s %r", data, how, rec)
        # the next process asks no silent identd
        stopped_cleanly(p, rs, af, t.write("n.conf", inetd_conf(
            rs, "allow 127.0.0.1\n", "ident mode off\n" + af.settings)))


@test(timeout=90)
def udp_wait_ignores_hup_and_stops_on_term():
    """A UDP "wait" process: HUP ("pkill -HUP daytimed" reaches it too)
    changes nothing, and the next datagram is answered; TERM stops it
    with its stop record, each datagram recorded."""
    with private_dir() as t, h.Rsyslog() as rs:
        af = h.AuditFiles(t)
        conf = t.write("d.conf", inetd_conf(
            rs, "allow 127.0.0.1\n", "ident mode off\n" + af.settings,
            user="nobody"))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as ls:
            ls.bind(("127.0.0.1", 0))
            port = ls.getsockname()[1]
            p = subprocess.Popen([h.DAYTIMED, "-i", "-c", conf],
                                 stdin=ls, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            got = []
            with h.udp_open(port) as u:
                me = h.fmt_addr(u.getsockname())

                def recorded():
                    return rs.text().count(" peer=%s " % me)
                for sig in (signal.SIGHUP, signal.SIGUSR1):
                    u.send(b"x")
                    got.append(h.recv_or_none(u, 5))
                    # recorded: the process waits, idle, for the next
                    check(h.poll_until(lambda: recorded() == len(got), 10),
                          "%s", rs.text()[-3000:])
                    p.send_signal(sig)
                u.send(b"x")
                got.append(h.recv_or_none(u, 5))
            check(all(g is not None and h.CTIME_RE.match(g) for g in got),
                  "%r (rc %r)", got, p.poll())
            p.send_signal(signal.SIGTERM)
        except BaseException:
            h.stop_process(p)
            raise
        check(h.poll_until(lambda: recorded() == 3, 10), "%s",
              rs.text()[-3000:])
        stopped_cleanly(p, rs, af, conf)


# A private network namespace (unshare -n, as test_sources.py does): its
# lo with a /24 whose broadcast address the kernel knows, a link-local
# address, and net.ipv6.bindv6only=1, which the host may set too.
NETNS_SETUP = ["link set lo up", "addr add 10.20.0.1/24 brd + dev lo",
               "addr add fe80::1/64 dev lo nodad"]


def in_a_netns(case):
    """Run this script's case `case` in a network namespace of its own."""
    h.need_root("a network namespace of its own")
    if subprocess.run(["unshare", "-n", "true"]).returncode != 0:
        raise h.Skip("unshare -n does not work here")
    r = subprocess.run(["unshare", "-n", sys.executable,
                        os.path.abspath(__file__), "--in-netns", case],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=100)
    out = r.stdout.decode("utf-8", "replace")
    check(r.returncode == 0, "in the namespace:\n%s", out)


def netns_setup():
    r = subprocess.run(["ip", "-batch", "-"],
                       input="\n".join(NETNS_SETUP).encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        raise AssertionError("ip: %s" % r.stdout.decode())
    with open("/proc/sys/net/ipv6/bindv6only", "w") as f:
        f.write("1\n")


def dual_stack(kind):
    """An AF_INET6 socket of kind on [::], any port, that takes IPv4 too
    (IPV6_V6ONLY 0, as inetd and systemd make it whatever bindv6only
    says)."""
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", 0))
    return s


def netns_ident_over_ipv4():
    # An IPv4 client of a dual-stack socket: its ident query goes over
    # IPv4 (an AF_INET6 socket is v6-only here and could not bind the
    # mapped local address), and the rule naming its user decides.
    with private_dir() as t, h.SyslogSink() as sink, \
            h.FakeIdent("ok", "eve") as fi:
        conf = t.write("i.conf", inetd_conf(
            sink, "allow 127.0.0.0/8\ndeny 127.0.0.0/8 user eve\n",
            "ident mode always\nident timeout 3\nident port %d\n" %
            fi.port))
        with dual_stack(socket.SOCK_STREAM) as ls:
            ls.listen(1)
            c = socket.create_connection(("127.0.0.1", ls.getsockname()[1]),
                                         timeout=10)
            conn, _ = ls.accept()
        with c:
            with conn:
                p = subprocess.Popen([h.DAYTIMED, "-i", "-c", conf],
                                     stdin=conn, stdout=conn,
                                     stderr=subprocess.DEVNULL)
            data, how = h.read_to_eof(c, time.monotonic() + 10)
            me = h.fmt_addr(c.getsockname())
        p.wait(10)
        k, _ = served_by(sink, me)
        check(data == b"" and k["decision"] == "deny" and
              k["ident"] == "eve" and k["ident_status"] == "ok" and
              k["local"].startswith("127.0.0.1:"), "%r %r", data, k)


def netns_subnet_broadcast_dropped():
    # A subnet's broadcast reaches a dual-stack socket as a mapped address:
    # only IP_PKTINFO tells it from one of the host's, and it is dropped,
    # as on an AF_INET socket; a datagram to the host's address is answered.
    with private_dir() as t, h.SyslogSink() as sink:
        conf = t.write("u.conf", inetd_conf(
            sink, "allow 10.20.0.0/24\n",
            "ident mode off\nlimit udp-rate off\n"))
        with dual_stack(socket.SOCK_DGRAM) as ls:
            port = ls.getsockname()[1]
            p = subprocess.Popen([h.DAYTIMED, "-i", "-c", conf], stdin=ls,
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            for dst, answered in (("10.20.0.1", True),
                                  ("10.20.0.255", False)):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                    u.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
                    u.bind(("10.20.0.1", 0))
                    u.sendto(b"x", (dst, port))
                    got = h.recv_or_none(u, 2 if answered else 1)
                    me = h.fmt_addr(u.getsockname())
                k, _ = served_by(sink, me)
                check(k["local"] == "%s:%d" % (dst, port), "%r", k)
                if answered:
                    check(got is not None and h.CTIME_RE.match(got) and
                          k["decision"] == "allow", "%r %r", got, k)
                else:
                    check(got is None and k["decision"] == "drop" and
                          k["rule"] == "limit:udp-destination",
                          "%r %r", got, k)
        finally:
            h.stop_process(p)


def netns_udp_link_local_zone():
    # A datagram to a link-local address: its local= keeps the zone, the
    # interface it came in on, as a TCP connection's does.
    idx = socket.if_nametoindex("lo")
    with private_dir() as t, h.SyslogSink() as sink:
        conf = t.write("l.conf", inetd_conf(
            sink, "allow fe80::/10\n", "ident mode off\n"))
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as ls:
            ls.bind(("::", 0))
            port = ls.getsockname()[1]
            p = subprocess.Popen([h.DAYTIMED, "-i", "-c", conf], stdin=ls,
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as u:
                u.bind(("fe80::1", 0, 0, idx))
                u.sendto(b"x", ("fe80::1", port, 0, idx))
                got = h.recv_or_none(u, 3)
                me = "[fe80::1%%%d]:%d" % (idx, u.getsockname()[1])
            k, _ = served_by(sink, me)
            check(got is not None and h.CTIME_RE.match(got) and
                  k["local"] == "[fe80::1%%%d]:%d" % (idx, port),
                  "%r %r", got, k)
        finally:
            h.stop_process(p)


NETNS_CASES = {"ident": netns_ident_over_ipv4,
               "broadcast": netns_subnet_broadcast_dropped,
               "zone": netns_udp_link_local_zone}


@test(timeout=120)
def dual_stack_ident_goes_over_ipv4():
    in_a_netns("ident")


@test(timeout=120)
def dual_stack_subnet_broadcast_is_dropped():
    in_a_netns("broadcast")


@test(timeout=120)
def udp_link_local_local_keeps_its_zone():
    in_a_netns("zone")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--in-netns"]:
        netns_setup()
        NETNS_CASES[sys.argv[2]]()
        sys.exit(0)
    h.main()
