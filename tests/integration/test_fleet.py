#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A fleet behind a load balancer, end to end, in a network namespace of
its own (loopback only; every address below is one of its 127.x):

  clients 127.0.1.1, 127.0.2.1 (allowed), 127.0.3.1 (denied)
     -> HAProxy (Debian's, TCP mode) 127.0.10.1:13, health checks on
          -> host a: daytimed 127.0.20.1:13 proxy   (send-proxy, v1)
          -> host b: daytimed 127.0.30.1:13 proxy   (send-proxy-v2)
  each daytimed -> its own rsyslogd (localHostname fleet-a / fleet-b)
     -> RELP (omrelp/imrelp; plain TCP when rsyslog-relp is missing)
     -> a central rsyslogd 127.0.40.1 writing one file

Checks: every client is judged by its own address through the proxy, each
record names the real peer and the proxy (via=), what the hosts log while
the central rsyslogd restarts reaches it after, a connection that skips
the proxy is denied (proxy:untrusted), HAProxy's health checks are
answered as the proxy itself, and one daytimed-audit verify over the
central file (the auditor's key, each host's signing key) finds each
host's chain intact, one line per host, then reports the seq of a record
deleted from it and that host alone NOT intact.  Needs root (ip netns), haproxy and rsyslogd; skips with
the reason otherwise.  The configurations are those of "RUNNING A FLEET"
in daytimed(8)."""

import ctypes
import glob
import os
import pwd
import random
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

CLONE_NEWNET = 0x40000000
LB = "127.0.10.1"
HOSTS = {"fleet-a": ("127.0.20.1", "send-proxy"),
         "fleet-b": ("127.0.30.1", "send-proxy-v2")}
CENTRAL = "127.0.40.1"
LOGPORT = 2514
ALLOWED = ("127.0.1.1", "127.0.2.1")
DENIED = "127.0.3.1"
PER_CLIENT = 4          # connections from each client through the proxy

HAPROXY_CONF = """\
global
    maxconn 256
defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend daytime
    bind {lb}:13
    default_backend fleet
backend fleet
    balance roundrobin
    source {lb}
    option tcp-check
    tcp-check expect rstring ^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)
    server fleet-a {a}:13 send-proxy check check-send-proxy inter 500ms
    server fleet-b {b}:13 send-proxy-v2 check check-send-proxy inter 500ms
"""

DAYTIMED_CONF = """\
listen tcp {addr}:13 proxy
syslog socket {log}
user nobody
audit key {pub}
audit signing-key {hsec}
audit state {state}
ident mode always
proxy {lb}
proxy timeout 2
allow {lb}
allow 127.0.1.0/24
allow 127.0.2.0/24
deny 127.0.3.0/24
"""


def relp():
    """Whether rsyslog's RELP modules are installed (rsyslog-relp)."""
    return bool(glob.glob("/usr/lib/*/rsyslog/omrelp.so") and
                glob.glob("/usr/lib/*/rsyslog/imrelp.so"))


def rsyslog_include(name, with_relp, with_tcp):
    """A prepare() for h.Rsyslog: write NAME in its directory, the RELP
    text when rsyslog-relp is installed, else the TCP one (each formatted
    with CENTRAL and LOGPORT)."""
    def prepare(d):
        with open(os.path.join(d, name), "w") as f:
            f.write((with_relp if relp() else with_tcp) % (CENTRAL, LOGPORT))
    return prepare


# A host's rsyslogd: everything to the central one, queued while the
# central one is away and retried every second without end (rsyslog's
# default drops what comes while an action is suspended), as daytimed(8)
# RUNNING A FLEET shows.
KEEP = ('action.resumeRetryCount="-1" action.resumeInterval="1" '
        'queue.type="LinkedList"')
forward_conf = rsyslog_include(
    "forward.conf",
    'module(load="omrelp")\n*.* action(type="omrelp" target="%s" '
    'port="%d" ' + KEEP + ')\n',
    '*.* action(type="omfwd" protocol="tcp" target="%s" port="%d" '
    'TCP_Framing="octet-counted" ' + KEEP + ')\n')
# The central rsyslogd: receive on CENTRAL:LOGPORT.
central_conf = rsyslog_include(
    "receive.conf",
    'module(load="imrelp")\ninput(type="imrelp" address="%s" port="%d")\n',
    'module(load="imtcp")\ninput(type="imtcp" address="%s" port="%d")\n')


class NetNS(h.Closing):
    """A network namespace of our own (ip netns add, a unique name, its
    loopback up), which this thread enters; close() comes back and
    deletes it.  Processes started meanwhile live in it."""

    def __init__(self):
        self.name = "dtfleet-%d-%d" % (os.getpid(), random.randrange(1 << 30))
        self._libc = ctypes.CDLL(None, use_errno=True)
        self._home = os.open("/proc/self/ns/net", os.O_RDONLY)
        self._in = False
        self._run(["ip", "netns", "add", self.name])
        try:
            self._run(["ip", "-n", self.name, "link", "set", "lo", "up"])
            fd = os.open("/run/netns/" + self.name, os.O_RDONLY)
            try:
                self._setns(fd)
            finally:
                os.close(fd)
            self._in = True
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _run(argv):
        r = h.run(argv, timeout=10)
        if r.returncode != 0:
            raise AssertionError("%s: %r" % (" ".join(argv), r))

    def _setns(self, fd):
        if self._libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, "setns: " + os.strerror(e))

    def close(self):
        if self._in:
            self._setns(self._home)
            self._in = False
        if self._home is not None:
            os.close(self._home)
            self._home = None
            h.run(["ip", "netns", "del", self.name], timeout=10)


def listening(addr, port):
    """Whether a TCP socket listens on addr:port (this namespace's; the
    harness's proc_bound looks at the port alone, and both hosts listen on
    port 13)."""
    return any(local == (addr, port) and state == h.TCP_LISTEN
               for local, _, state in h.tcp_endpoints())


class HAProxy(h.Closing):
    """Debian's haproxy in the foreground (-db) with conf; stopped by PID."""

    def __init__(self, exe, conf, tmp):
        path = tmp.write("haproxy.cfg", conf)
        r = h.run([exe, "-c", "-q", "-f", path])
        if r.returncode != 0:
            raise AssertionError("haproxy -c: %r" % r)
        self.err = tmp.join("haproxy.err")
        with open(self.err, "wb") as err:
            self.proc = subprocess.Popen([exe, "-db", "-f", path],
                                         stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL,
                                         stderr=err)
        if not h.poll_until(lambda: listening(LB, 13) or
                            self.proc.poll() is not None, 10) or \
                self.proc.poll() is not None:
            self.close()
            raise AssertionError("haproxy did not listen: %s" % self.text())

    def text(self):
        with open(self.err, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def close(self):
        h.stop_process(self.proc)


def audit_lines(text, host):
    """host's daytimed lines of the central file (RFC 3164 file format:
    "Mmm dd hh:mm:ss HOST TAG: MSG")."""
    out = []
    for line in text.splitlines(keepends=True):
        f = line.split(None, 4)
        if len(f) == 5 and f[3] == host and f[4].startswith("daytimed["):
            out.append(line)
    return out


def records(text, host):
    """kv() of host's connection records in the central file."""
    return [h.kv(l.split(": ", 1)[1].rstrip("\n"))
            for l in audit_lines(text, host) if ": conn=" in l]


def through_proxy(src):
    """One client connection from src through HAProxy: (bytes, "ADDR:PORT")."""
    return h.tcp_talk(LB, 13, timeout=10, bind=(src, 0), reset_ok=True)


@test(timeout=180)
def fleet_behind_haproxy():
    h.need_root("needs root: ip netns, and ports below 1024 in it")
    exe = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not os.path.exists(exe):
        raise h.Skip("haproxy is not installed (apt-get install haproxy)")
    if shutil.which("ip") is None:
        raise h.Skip("ip (iproute2) is not installed")
    with h.TempDir("dtf-") as tmp, NetNS():
        keys = FleetKeys(tmp)
        with h.Rsyslog(include="@DIR@/receive.conf",
                       prepare=central_conf) as central:
            check(h.poll_until(lambda: listening(CENTRAL, LOGPORT), 10),
                  "the central rsyslogd does not listen")
            run_fleet(exe, tmp, keys, central)


class FleetKeys:
    """The auditor's key pair (pub, sec), and for each host its signing
    key pair and a state directory the daemon's user owns:
    hosts[host] = (host.pub, host.sec, the state file)."""

    def __init__(self, tmp):
        os.chmod(tmp.path, 0o755)
        self.pub, self.sec = tmp.join("audit.pub"), tmp.join("audit.sec")
        self._gen("keygen", self.pub, self.sec)
        self.hosts = {}
        for host in HOSTS:
            hpub, hsec = tmp.join(host + ".pub"), tmp.join(host + ".sec")
            self._gen("host-keygen", hpub, hsec)
            statedir = tmp.join(host + "-state")
            os.mkdir(statedir, 0o700)
            os.chown(statedir, pwd.getpwnam("nobody").pw_uid, -1)
            self.hosts[host] = (hpub, hsec,
                                os.path.join(statedir, "audit.state"))

    @staticmethod
    def _gen(cmd, pub, sec):
        rc, _, err = h.daytimed_audit(cmd, pub, sec)
        check(rc == 0, "%s: %s", cmd, err)

    def verify(self, path):
        """verify with the auditor's key and every host's: (status,
        stdout and stderr)."""
        args = ["verify", "--secret-key", self.sec]
        for host, (hpub, _, _) in self.hosts.items():
            args += ["--host-key", "%s=%s" % (host, hpub)]
        rc, out, err = h.daytimed_audit(*(args + [path]))
        return rc, out + err


def run_fleet(exe, tmp, keys, central):
    """The hosts, their logs, HAProxy and the clients; then the checks."""
    logs, daemons = {}, {}
    try:
        for host, (addr, _) in HOSTS.items():
            logs[host] = h.Rsyslog(include="@DIR@/forward.conf",
                                   prepare=forward_conf, hostname=host)
            daemons[host] = h.Daemon(DAYTIMED_CONF.format(
                addr=addr, log=logs[host].path, pub=keys.pub,
                hsec=keys.hosts[host][1], state=keys.hosts[host][2], lb=LB),
                ready=lambda d, a=addr: listening(a, 13))
        with HAProxy(exe, HAPROXY_CONF.format(lb=LB, a=HOSTS["fleet-a"][0],
                                              b=HOSTS["fleet-b"][0]), tmp):
            mine = clients(central)
            # The central log host restarts (an upgrade): what the hosts
            # log meanwhile waits in their queues and arrives after.
            central.kill(signal.SIGTERM)
            later = clients(central, wait=False)
            central.start()
            check(h.poll_until(lambda: listening(CENTRAL, LOGPORT), 10),
                  "the central rsyslogd does not listen again")
            for peer in later:
                central.wait_for(" peer=%s via=" % peer, timeout=30)
            mine.update(later)
            bypass = skip_the_proxy(central)
            # health checks: at least two on each host, answered
            for host in HOSTS:
                h.poll_until(lambda: sum(1 for k in records(
                    central.text(), host) if k["peer"].startswith(LB + ":"))
                    >= 2, 15)
        # HAProxy is gone: stop the hosts, so each chain ends with its stop
        for host, d in daemons.items():
            check(d.stop() == 0, "%s did not stop cleanly", host)
        for host in HOSTS:
            h.poll_until(lambda: any("event=stop " in l for l in
                                     audit_lines(central.text(), host)), 15)
    finally:
        for d in daemons.values():
            d.stop()
            d.cleanup()
        for r in logs.values():
            r.close()
    text = central.text()
    check_records(text, mine, bypass)
    check_audit(tmp, keys, text)


def clients(central, wait=True):
    """PER_CLIENT connections from each client through HAProxy; each is
    answered (or closed without data, for DENIED), and with wait, found
    in the central file. {peer: allowed}."""
    mine = {}
    for _ in range(PER_CLIENT):
        for src in ALLOWED + (DENIED,):
            data, me = through_proxy(src)
            allowed = src != DENIED
            check(bool(h.CTIME_RE.match(data)) == allowed,
                  "%s through the proxy: %r", src, data)
            mine[me] = allowed
    # every one of them reached the central file
    for peer in mine if wait else ():
        central.wait_for(" peer=%s via=" % peer, timeout=15)
    return mine


def skip_the_proxy(central):
    """An allowed client straight to each host's proxy listener, with a
    forged header: denied, untrusted.  {host: peer}."""
    out = {}
    for host, (addr, _) in HOSTS.items():
        data, me = forged(addr)
        check(data == b"", "%s without the proxy: %r", host, data)
        central.wait_for(" peer=%s local=" % me, timeout=15)
        out[host] = me
    return out


def forged(addr):
    """Connect from ALLOWED[0] to addr:13, claim to be a proxy relaying
    ALLOWED[1], read to EOF: (bytes, our "ADDR:PORT")."""
    s = h.tcp_open(13, host=addr, src=ALLOWED[0], timeout=10)
    me = h._fmt_addr(s.getsockname())
    try:
        try:
            s.sendall(b"PROXY TCP4 %s %s 1 13\r\n" % (ALLOWED[1].encode(),
                                                      addr.encode()))
        except OSError:
            pass
        data, _ = h.read_to_eof(s, time.monotonic() + 10)
    finally:
        s.close()
    return data, me


def check_records(text, mine, bypass):
    """One record per client connection, on either host: judged by the
    client's own address, the proxy in via=; the bypass denied; health
    checks answered as the proxy."""
    seen = {}
    for host, (addr, _) in HOSTS.items():
        recs = records(text, host)
        for k in recs:
            check(k["local"] == "%s:13" % addr, "%s: %r", host, k)
            check(k["ident_status"] == "skipped", "%s: %r", host, k)
            # a client's record names the proxy (via=); the bypass,
            # from the same address, may reuse a client's port number
            if k["peer"] in mine and "via" in k:
                check(k["peer"] not in seen, "two records for %s", k["peer"])
                seen[k["peer"]] = host
                allowed = mine[k["peer"]]
                check(k["decision"] == ("allow" if allowed else "deny") and
                      k["via"].startswith(LB + ":") and
                      k["netblock"] == k["peer"].rsplit(".", 1)[0] + ".0/24",
                      "%s: %r", host, k)
        bp = [k for k in recs if k["peer"] == bypass[host]]
        check(len(bp) == 1 and bp[0]["rule"] == "proxy:untrusted" and
              bp[0]["decision"] == "deny" and "via" not in bp[0],
              "%s: the bypass: %r", host, bp)
        checks = [k for k in recs if k["peer"].startswith(LB + ":")]
        check(len(checks) >= 2, "%s: %d health checks", host, len(checks))
        for k in checks:
            check(k["decision"] == "allow" and k["bytes"] == "26" and
                  k["via"].split(":")[0] == LB and k["netblock"] ==
                  LB + "/32", "%s: a health check: %r", host, k)
    check(set(seen) == set(mine), "records for %d of %d connections",
          len(seen), len(mine))
    check(set(seen.values()) == set(HOSTS), "HAProxy used only %r",
          set(seen.values()))


def host_line(out, host, verdict):
    """verify's summary line of host, ending in verdict."""
    return re.search(r"^daytimed-audit: host %s: 1 epoch, \d+ sealed records, "
                     r"\d+ verified, .*: %s$" % (re.escape(host), verdict),
                     out, re.M)


def check_audit(tmp, keys, text):
    """One verify over the central file: each host's chain intact and
    signed, a line per host and the total; then one record deleted."""
    rc, out = keys.verify(tmp.write("central.log", text))
    check(rc == 0 and all(host_line(out, host, "intact") for host in HOSTS)
          and re.search(r"^daytimed-audit: \d+ sealed records in 2 epochs, "
                        r"\d+ verified, 2 hosts: intact$", out, re.M) and
          "every epoch opened is signed by a --host-key given" in out,
          "the central file: %s", out)
    # one of fleet-a's connection records deleted from the central file
    lines = text.splitlines(keepends=True)
    victim = [i for i, l in enumerate(lines) if " fleet-a daytimed[" in l
              and ": conn=" in l][3]
    seq = re.search(r" seq=(\d+) ", lines[victim]).group(1)
    rc, out = keys.verify(tmp.write("cut.log", lines[:victim] +
                                    lines[victim + 1:]))
    check(rc == 1 and re.search(r"epoch [0-9a-f]+: missing: seq %s\b" % seq,
                                out) and
          host_line(out, "fleet-a", r"NOT intact \(1 finding\)") and
          host_line(out, "fleet-b", "intact") and
          re.search(r"^daytimed-audit: .* 2 hosts: NOT intact$", out, re.M),
          "a record deleted: %s", out)


if __name__ == "__main__":
    h.main()
