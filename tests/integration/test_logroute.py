#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The package's log routing, with the real daemon and a private real
rsyslogd: packaging/rsyslog/daytimed.conf sends the audit records (and
nothing else) to the audit file and keeps them out of the general file;
packaging/logrotate/daytimed rotates that file under a running daemon
without losing or breaking the sealed chain.  The snippets are used as
shipped, with their paths moved into a temporary directory."""

import gzip
import os
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

TOP = os.environ.get("TOP_SRCDIR") or os.path.join(h.HERE, "..", "..")
SNIPPET = os.path.join(TOP, "packaging", "rsyslog", "daytimed.conf")
ROTATE = os.path.join(TOP, "packaging", "logrotate", "daytimed")
AUDIT = os.environ.get("DAYTIMED_AUDIT") or os.path.join(
    h.HERE, "..", "..", "daytimed-audit")
LOGDIR = "/var/log/daytimed"


def moved(path, root):
    """The shipped file's text with /var/log/daytimed under root."""
    with open(path) as f:
        text = f.read()
    check(LOGDIR + "/audit.log" in text, "%s names no %s", path, LOGDIR)
    return text.replace(LOGDIR, root + LOGDIR)


def prepare(root):
    os.mkdir(os.path.join(root, "rsyslog.d"))
    with open(os.path.join(root, "rsyslog.d", "daytimed.conf"), "w") as f:
        f.write(moved(SNIPPET, root))


def start_rsyslog():
    rs = h.Rsyslog(include="@DIR@/rsyslog.d/*.conf", prepare=prepare)
    rs.audit = rs.dir + LOGDIR + "/audit.log"
    return rs


def daytimed_lines(text):
    """The text after "daytimed[PID]: " of every line daytimed wrote."""
    out = []
    for line in text.splitlines():
        i = line.find(" daytimed[")
        j = line.find("]: ", i) if i != -1 else -1
        if j != -1:
            out.append(line[j + 3:])
    return out


def is_record(body):
    return body.startswith("conn=") or body.startswith("event=")


def conf_text(port, sock, af):
    text = ("listen tcp 127.0.0.1:%d\nlisten udp 127.0.0.1:%d\n"
            "syslog socket %s\nident mode off\n%s"
            "allow 127.0.0.0/8\ndeny 127.0.0.2\n" % (port, port, sock,
                                                    af.settings))
    if os.geteuid() == 0:
        text += "user nobody\n"
    return text


def send_foreign(sock, msg):
    """One datagram to the private rsyslogd, as another program's."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.connect(sock)
        s.send(msg)


def wait_lines(read, pred, n, timeout=10.0):
    """Wait until read() holds n daytimed lines that pred accepts."""
    deadline = time.monotonic() + timeout
    while True:
        got = sum(1 for b in daytimed_lines(read()) if pred(b))
        if got >= n:
            return got
        check(time.monotonic() < deadline, "%d of %d lines after %.0f s",
              got, n, timeout)
        time.sleep(h.POLL)


def verify(af, paths, stdin=b""):
    p = subprocess.run([AUDIT, "verify", "--secret-key", af.sec,
                        "--host-key", af.hpub] + paths,
                       input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")


@test
def records_to_the_audit_file_only():
    rs = start_rsyslog()
    keys = h.TempDir("dtk-")
    try:
        af = h.AuditFiles(keys)
        port = h.free_port()
        text = conf_text(port, rs.sock, af)
        with h.Daemon(text) as d:
            for _ in range(3):
                h.tcp_get("127.0.0.1", port)
                h.udp_get("127.0.0.1", port)
            h.tcp_get("127.0.0.1", port, bind=("127.0.0.2", 0))
            # An operational message: a reload that asks for a restart.
            d.reload(text.replace("listen tcp 127.0.0.1:%d\n" % port,
                                  "listen tcp 127.0.0.1:%d\n" % (port + 1)))
            rs.wait_for("event=reload", path=rs.audit)
            d.stop()
        rs.wait_for("event=stop", path=rs.audit)
        # Another program's text that looks like a record stays general.
        send_foreign(rs.sock, b"<14>Nov 26 10:32:52 other[7]: "
                     b"conn=0123456789abcdef forged")
        send_foreign(rs.sock, b"<14>Nov 26 10:32:52 daytimed-audit[8]: "
                     b"event=forged")
        rs.wait_for("event=forged")
        audit = daytimed_lines(rs.text(rs.audit))
        general = daytimed_lines(rs.text())
        check(sum(b.startswith("conn=") for b in audit) >= 7,
              "connection records in the audit file: %r", audit)
        for ev in ("event=start", "event=reload", "event=stop"):
            check(any(b.startswith(ev) for b in audit), "no %s in %r",
                  ev, audit)
        check(all(is_record(b) for b in audit),
              "operational messages in the audit file: %r",
              [b for b in audit if not is_record(b)])
        check(general, "no operational message reached the general file")
        check(not any(is_record(b) for b in general),
              "records in the general file: %r",
              [b for b in general if is_record(b)])
        check("other[7]: conn=0123456789abcdef" in rs.text(),
              "another program's conn= message left the general file")
        check("conn=0123456789abcdef" not in rs.text(rs.audit) and
              "event=forged" not in rs.text(rs.audit),
              "another program's message reached the audit file")
        rc, out = verify(af, [rs.audit])
        check(rc == 0, "verify on the audit file: %d\n%s", rc, out)
    finally:
        rs.close()
        keys.close()


def logrotate_conf(rs):
    """The shipped stanza on rs's files; rsyslog-rotate and systemd are
    kept out (they would signal the host's rsyslogd): the pidfile branch
    signals the private one."""
    with open(ROTATE) as f:
        text = f.read()
    for old in ("/usr/lib/rsyslog/rsyslog-rotate", "/run/systemd/system",
                "/run/rsyslogd.pid"):
        check(old in text, "%s not in %s", old, ROTATE)
    text = text.replace(LOGDIR, rs.dir + LOGDIR)
    text = text.replace("/usr/lib/rsyslog/rsyslog-rotate",
                        rs.dir + "/no-rsyslog-rotate")
    text = text.replace("/run/systemd/system", rs.dir + "/no-systemd")
    text = text.replace("/run/rsyslogd.pid", rs.pidfile)
    path = os.path.join(rs.dir, "logrotate.conf")
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    return path


def rotate(rs, conf):
    exe = shutil.which("logrotate") or "/usr/sbin/logrotate"
    p = subprocess.run([exe, "-f", "-s", os.path.join(rs.dir, "state"),
                        conf], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=60)
    check(p.returncode == 0, "logrotate: %r", p.stdout)


def fill_new_file(rs, port, n):
    """Requests until the reopened audit file has n connection records."""
    deadline = time.monotonic() + 10
    while sum(b.startswith("conn=")
              for b in daytimed_lines(rs.text(rs.audit))) < n:
        check(time.monotonic() < deadline, "the audit file was not reopened")
        h.tcp_get("127.0.0.1", port)
        time.sleep(h.POLL)


@test
def logrotate_under_a_running_daemon():
    if not (shutil.which("logrotate") or os.path.exists("/usr/sbin/logrotate")):
        raise h.Skip("logrotate is not installed (apt-get install logrotate)")
    rs = start_rsyslog()
    keys = h.TempDir("dtk-")
    try:
        af = h.AuditFiles(keys)
        conf = logrotate_conf(rs)
        port = h.free_port()
        with h.Daemon(conf_text(port, rs.sock, af)) as d:
            fill_new_file(rs, port, 3)
            rotate(rs, conf)
            check(os.path.exists(rs.audit + ".1"), "no audit.log.1")
            fill_new_file(rs, port, 3)
            rotate(rs, conf)
            fill_new_file(rs, port, 3)
            d.stop()
        rs.wait_for("event=stop", path=rs.audit)
        # delaycompress: the newest rotated file is plain, older ones gzip
        with open(rs.audit + ".1", "rb") as f:
            check(b"daytimed[" in f.read(), "audit.log.1 is not plain")
        with gzip.open(rs.audit + ".2.gz") as f:
            older = f.read()
        check(b"event=start" in older, "audit.log.2.gz: %r", older[:200])
        # The whole chain, as the logrotate stanza tells the auditor: the
        # files as they are, .gz too, in any order; and through stdin.
        rc, out = verify(af, [rs.audit, rs.audit + ".1", rs.audit + ".2.gz"])
        check(rc == 0 and "NOT" not in out, "verify: %d\n%s", rc, out)
        rc, out = verify(af, ["-", rs.audit + ".1", rs.audit], older)
        check(rc == 0 and "NOT" not in out, "verify, stdin: %d\n%s", rc,
              out)
    finally:
        rs.close()
        keys.close()


if __name__ == "__main__":
    h.main()
