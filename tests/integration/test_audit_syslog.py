#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The sealed, signed, linked audit trail through real syslog daemons.

The real daemon runs three times (three epochs, linked through its state
file, each signed with the host's key) against a private real rsyslogd
writing three layouts (traditional, RSYSLOG_FileFormat, RFC 5424) and a
private real syslog-ng (unpacked from Debian's package: see syslog_ng.py)
writing two (its default, and RFC 5424 with structured data). Its peers'
ident answers are hostile (issue 13): a forged field (finding 6) and a
daytimed tag inside the value (finding 5). Each file must verify intact;
grep must not be fooled; then one edited line, one deleted line and one
deleted epoch are each reported. Then two hosts' daemons into one central
file (issue 16, item 2), verified together, each host judged alone. Then
both daemons' Unix stream sockets (rsyslog's imptcp path=, syslog-ng's
unix-stream()), each killed and started again under a running daemon.
journald's layouts cannot be made here
(no journald): check_verify_parse.c has them as journalctl prints them."""

import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402
import syslog_ng  # noqa: E402

# Each epoch's peer 127.0.0.1 claims one of these users; it is denied.
IDENTS = (
    'x decision=allow rule=default" ident_status=ok netblock=0.0.0.0/0 \\',
    "x daytimed[1]: y",
    "x daytimed[1]: conn=y",
)
GOOD = "127.0.0.3"	# allowed; its ident lookup is refused (nobody there)


def three_epochs(sink, af, wait):
    """Three runs of the daemon logging to sink; wait(n) waits for the
    n-th stop record. Returns the epochs' ids in order."""
    for n, user in enumerate(IDENTS, 1):
        with h.FakeIdent("ok", user=user) as fi:
            port = h.free_port()
            text = h.daemon_conf(
                port, sink, "ident mode always\nident port %d\n"
                "ident timeout 2\n%s" % (fi.port, af.settings),
                "allow 127.0.0.0/8\ndeny 127.0.0.1\n")
            with h.Daemon(text) as d:
                for _ in range(3):
                    check(h.tcp_get("127.0.0.1", port, bind=(GOOD, 0)),
                          "no answer for %s", GOOD)
                    h.udp_get("127.0.0.1", port, bind=(GOOD, 0))
                check(h.tcp_get("127.0.0.1", port,
                                bind=("127.0.0.1", 0)) == b"",
                      "127.0.0.1 answered")
                d.stop()
        wait(n)


def epochs_of(text):
    seen = []
    for m in re.finditer(r" epoch=([0-9a-f]{16}) seq=0 ", text):
        if m.group(1) not in seen:
            seen.append(m.group(1))
    return seen


def check_file(af, path, what, tmp):
    """Intact with the host key; grep-safe; then three tamperings."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        lines = f.readlines()
    text = "".join(lines)
    ids = epochs_of(text)
    check(len(ids) == 3, "%s: three epochs: %r", what, ids)
    rc, out, err = af.verify(path)
    check(rc == 0, "%s: intact: %d\n%s%s", what, rc, out, err)
    check("3 epochs" in out and "every epoch opened is signed" in out and
          out.count("follows ") == 2, "%s: linked and signed: %s", what, out)
    # the hostile answers are there, escaped, and fool nobody
    check("daytimed[1]: y" in text and "x decision\\x3dallow" in text,
          "%s: the hostile answers are in the records", what)
    allowed = [l for l in lines if " decision=allow " in l]
    check(allowed and all("peer=%s:" % GOOD in l for l in allowed),
          "%s: grep ' decision=allow ' matched a denied record: %r", what,
          [l for l in allowed if "peer=%s:" % GOOD not in l][:2])
    for l in lines:
        if " peer=127.0.0.1:" in l and " ident_status=ok" in l:
            m = re.search(r"netblock=(\S+)", l)
            check(m and m.group(1) == "127.0.0.1/32", "%s: a first-match "
                  "netblock= parser reads %r", what, m and m.group(1))
    # one edited line
    victim = next(i for i, l in enumerate(lines) if " decision=deny " in l)
    edited = list(lines)
    edited[victim] = edited[victim].replace(" decision=deny ",
                                            " decision=allow ")
    p = tmp.write(what + "-edited", "".join(edited))
    rc, out, _ = af.verify(p)
    check(rc == 1 and "%s:%d: modified:" % (p, victim + 1) in out,
          "%s: an edited line: %d %s", what, rc, out)
    # one deleted line (a connection record of the second epoch)
    gone = next(i for i, l in enumerate(lines)
                if " epoch=%s seq=3 " % ids[1] in l)
    p = tmp.write(what + "-deleted", "".join(lines[:gone] + lines[gone + 1:]))
    rc, out, _ = af.verify(p)
    check(rc == 1 and "epoch %s: missing: seq 3 (before %s:%d)"
          % (ids[1], p, gone + 1) in out, "%s: a deleted line: %d %s", what,
          rc, out)
    # one deleted epoch
    p = tmp.write(what + "-no-epoch", "".join(
        l for l in lines if " epoch=%s " % ids[1] not in l))
    rc, out, _ = af.verify(p)
    check(rc == 1 and "epoch %s is missing: epoch %s" % (ids[1], ids[2])
          in out, "%s: a deleted epoch: %d %s", what, rc, out)


@test(timeout=120)
def through_rsyslog():
    with h.Rsyslog(templates=("RSYSLOG_FileFormat",
                              "RSYSLOG_SyslogProtocol23Format")) as rs, \
            h.TempDir("dtk-") as tmp:
        af = h.AuditFiles(tmp)
        files = [rs.file, rs.files["RSYSLOG_FileFormat"],
                 rs.files["RSYSLOG_SyslogProtocol23Format"]]

        def wait(n):
            for f in files:
                check(h.poll_until(lambda: rs.text(f).count("event=stop")
                                   >= n, 10), "stop %d not in %s", n, f)
        three_epochs(rs, af, wait)
        for f, what in zip(files, ("traditional", "fileformat", "rfc5424")):
            check_file(af, f, "rsyslog-" + what, tmp)
        with open(files[2]) as f:
            check(f.readline().startswith("<"), "not RFC 5424: %s", files[2])


@test(timeout=300)
def through_syslog_ng():
    with syslog_ng.SyslogNg() as sn, h.TempDir("dtk-") as tmp:
        af = h.AuditFiles(tmp)

        def wait(n):
            sn.wait_for("event=stop", count=n)
            sn.wait_for("event=stop", count=n, path=sn.file5424)
        three_epochs(sn, af, wait)
        check_file(af, sn.file, "syslog-ng", tmp)
        check_file(af, sn.file5424, "syslog-ng-5424", tmp)
        check("[meta sequenceId=" in sn.text(sn.file5424),
              "syslog-ng's RFC 5424 with structured data: %s",
              sn.text(sn.file5424)[:300])


def stream_restarted(srv, what):
    """Sealed records into srv's stream socket (LF-framed): one a line,
    whole; srv killed and started again while the daemon runs: the
    daemon reconnects (a new connection), the records made meanwhile and
    after arrive, log_lost stays 0, and the file verifies intact. A torn
    start of a record before the whole one (what the old receiver may
    write when a connection breaks mid-record) is reported unsealed, as
    daytimed.conf(5) says, and nothing else."""
    with h.TempDir("dtk-") as tmp:
        af = h.AuditFiles(tmp)
        port = h.free_port()
        text = h.daemon_conf(port, srv, "ident mode off\n" + af.settings,
                             "allow 127.0.0.0/8\n")

        def records(n):
            check(h.poll_until(lambda: srv.text().count(" seq=") >= n, 10),
                  "%s: %d records, not %d:\n%s", what,
                  srv.text().count(" seq="), n, srv.text()[-2000:])

        def clients():
            for _ in range(5):
                check(h.tcp_get("127.0.0.1", port), "%s: no answer", what)
                check(h.udp_get("127.0.0.1", port), "%s: no answer", what)

        with h.Daemon(text) as d:
            check("syslog socket %s: a stream socket, one message a line"
                  % srv.path in d.stderr_text(), "%s: the startup log: %s",
                  what, d.stderr_text())
            clients()
            # all in the file before the kill (what the receiver read but
            # had not written is lost with it): the start record, the
            # harness's readiness probe and ten clients
            records(12)
            srv.kill()
            clients()               # queued: EPIPE on the old connection
            srv.start()
            records(22)
            clients()
            records(32)
            d.signal(signal.SIGUSR1)
            check(h.poll_until(lambda: "event=counters" in srv.text(), 10),
                  "%s: no counters", what)
            d.stop()
        check(h.poll_until(lambda: "event=stop" in srv.text(), 10),
              "%s: no stop record", what)
        lines = srv.text().splitlines()
        m = re.search(r" log_lost=(\d+) ", srv.text())
        check(m and m.group(1) == "0", "%s: log_lost: %s", what,
              m and m.group(0))
        sealed = [l for l in lines if " seq=" in l]
        bad = [l for l in lines if l.count("daytimed[") > 1 or
               l.count(" seq=") > 1 or ("daytimed[" in l) != (
                   re.search(r" daytimed\[\d+\]: ", l) is not None)]
        check(len(sealed) >= 34 and not bad, "%s: not one message a line "
              "(%d records): %r", what, len(sealed), bad[:2])
        rc, out, err = af.verify(srv.file)
        check(rc == 0 and ": intact" in out, "%s: %d\n%s%s", what, rc,
              out, err)
        # a record a broken connection tore, then sent whole: the torn
        # start, written by the old receiver as a line, is only unsealed,
        # wherever the tear fell: in the body, or inside the chain fields
        n = next(i for i, l in enumerate(lines) if " seq=5 " in l)
        rec = lines[n]
        for where, cut in (("body", len(rec) // 2),
                           ("epoch", rec.index(" epoch=") + 10),
                           ("seq", rec.index(" seq=") + 5),
                           ("mac", len(rec) - 10)):
            torn = lines[:n] + [rec[:cut]] + lines[n:]
            p = tmp.write("torn-%s.log" % where, "\n".join(torn) + "\n")
            rc, out, err = af.verify(p)
            check(rc == 1 and "%s:%d: unsealed: 1 daytimed record without "
                  "chain fields" % (p, n + 1) in out and "34 verified" in out
                  and "missing" not in out and "modified" not in out,
                  "%s: a line torn in the %s: %d\n%s%s", what, where, rc,
                  out, err)


@test(timeout=120)
def rsyslog_stream_socket():
    """rsyslog's imptcp with path=: a Unix stream /dev/log."""
    with h.Rsyslog(stream=True) as rs:
        stream_restarted(rs, "rsyslog imptcp")


@test(timeout=300)
def syslog_ng_stream_socket():
    """syslog-ng's unix-stream() source."""
    with syslog_ng.SyslogNg(stream=True) as sn:
        stream_restarted(sn, "syslog-ng unix-stream")


def two_hosts_conf(d):
    """rsyslog inputs for two hosts: a socket each, named by HostName, all
    into the one central file."""
    os.makedirs(os.path.join(d, "in"))
    os.chmod(os.path.join(d, "in"), 0o755)
    with open(os.path.join(d, "inputs.conf"), "w") as f:
        for host in ("web1", "web2"):
            f.write('input(type="imuxsock" Socket="%s/in/%s" HostName="%s" '
                    'RateLimit.Interval="0")\n' % (d, host, host))


@test(timeout=120)
def two_hosts_one_central_file():
    """Issue 16, item 2: web1 and web2, each with its host key and state,
    log at once through one rsyslogd into one file; verify with both host
    keys says each host intact and the total intact; a record of web2
    deleted leaves web1 intact and names web2's missing seq."""
    with h.Rsyslog(include="@DIR@/inputs.conf", prepare=two_hosts_conf) \
            as rs, h.TempDir("dtk-") as tmp:
        af = {n: h.AuditFiles(tmp, n) for n in ("web1", "web2")}
        daemons, ports = [], []
        try:
            for n in ("web1", "web2"):
                sock = os.path.join(rs.dir, "in", n)
                check(h.poll_until(lambda: os.path.exists(sock), 10),
                      "no %s", sock)
                os.chmod(sock, 0o666)
                port = h.free_port()
                # one auditor for both hosts: web1's auditor key
                text = h.daemon_conf(port, rs, "ident mode off\n" +
                                     af[n].settings.replace(
                                         af[n].pub, af["web1"].pub),
                                     "allow 127.0.0.0/8\n")
                text = text.replace(rs.path, sock)
                daemons.append(h.Daemon(text))
                ports.append(port)
            for _ in range(5):
                for port in ports:
                    h.tcp_get("127.0.0.1", port)
                    h.udp_get("127.0.0.1", port)
        finally:
            for d in daemons:
                d.stop()
                d.cleanup()
        check(h.poll_until(lambda: rs.text().count("event=stop") >= 2, 10),
              "stops: %s", rs.text()[-2000:])
        keys = ("--host-key", af["web1"].hpub, "--host-key", af["web2"].hpub)
        rc, out, err = h.daytimed_audit("verify", "--secret-key",
                                        af["web1"].sec, *keys, rs.file)
        n = {host: sum(" %s daytimed[" % host in l and " seq=" in l
                       for l in rs.text().splitlines())
             for host in ("web1", "web2")}
        check(rc == 0 and n["web1"] >= 12 and n["web2"] >= 12 and
              all(re.search(r"host %s: 1 epoch, %d sealed records, %d "
                            r"verified, .*: intact\n" % (host, k, k), out)
                  for host, k in n.items()) and
              "%d sealed records in 2 epochs, %d verified, 2 hosts: intact"
              % (sum(n.values()), sum(n.values())) in out,
              "%d %r\n%s%s", rc, n, out, err)
        lines = rs.text().splitlines(True)
        victim = next(i for i, l in enumerate(lines)
                      if " web2 daytimed[" in l and " seq=4 " in l)
        cut = lines[:victim] + lines[victim + 1:]
        p = tmp.write("central-cut.log", "".join(cut))
        # named before web2's next record, wherever web1's lines put it
        after = next(i for i, l in enumerate(cut)
                     if " web2 daytimed[" in l and " seq=5 " in l)
        rc, out, err = h.daytimed_audit("verify", "--secret-key",
                                        af["web1"].sec, *keys, p)
        check(rc == 1 and "missing: seq 4 (before %s:%d)" % (p, after + 1)
              in out and re.search(r"host web1: .*: intact\n", out) and
              re.search(r"host web2: .*: NOT intact", out),
              "%d\n%s%s", rc, out, err)


if __name__ == "__main__":
    h.main()
