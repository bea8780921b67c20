#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The audit trail end to end: the real daemon with an auditor's key, into a
private real rsyslogd, checked by daytimed-audit verify; its key files and
state file checked at startup and by -t; the state written from inside a
chroot; and back-pressure when the syslog sink stops reading (no record
lost, accepting paused)."""

import os
import pwd
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402


@test
def sealed_chain_through_rsyslog():
    with h.Rsyslog() as rs, h.TempDir("dtk-") as keys:
        af = h.AuditFiles(keys)
        port = h.free_port()
        text = h.daemon_conf(port, rs, "ident mode off\n" + af.settings,
                             "allow 127.0.0.0/8\ndeny 127.0.0.2\n")
        with h.Daemon(text) as d:
            for _ in range(10):
                h.tcp_get("127.0.0.1", port)
                h.udp_get("127.0.0.1", port)
            h.tcp_get("127.0.0.1", port, bind=("127.0.0.2", 0))
            d.reload(text)
            d.signal(signal.SIGUSR1)
            rs.wait_for("event=counters")
            d.stop()
        rs.wait_for("event=stop")
        log = rs.text()
        lines = [l for l in log.splitlines() if "daytimed[" in l]
        check(any("event=start" in l and " sealed=" in l for l in lines),
              "no sealed start record:\n%s", log[:2000])
        records = [l for l in lines if ": conn=" in l or ": event=" in l]
        check(all(" seq=" in l and " mac=" in l for l in records),
              "unsealed records:\n%s", log[:2000])
        check(sum("decision=" in l for l in lines) >= 21, "records: %d",
              len(lines))
        rc, out, err = af.verify(rs.file)
        check(rc == 0, "verify on the intact file: %d\n%s", rc, out + err)
        # modify one record: the verifier names it
        victim = next(i for i, l in enumerate(log.splitlines())
                      if "decision=deny" in l)
        out_lines = log.splitlines()
        out_lines[victim] = out_lines[victim].replace("decision=deny",
                                                      "decision=allow")
        tampered = keys.write("tampered", "\n".join(out_lines) + "\n")
        rc, out, err = af.verify(tampered)
        check(rc == 1 and ":%d:" % (victim + 1) in out + err, "%d\n%s", rc,
              out + err)
        # drop one record
        del out_lines[victim]
        keys.write("tampered", "\n".join(out_lines) + "\n")
        rc, out, err = af.verify(tampered)
        check(rc == 1 and "missing" in out + err, "%d\n%s", rc, out + err)


def write_conf(tmp, text):
    return tmp.write("daytimed.conf", text)


@test
def audit_files_checked():
    """Issue 13, bad input: a signing key or state file that is missing,
    unreadable, wrongly owned or of the wrong size is a startup error
    naming the file, and a -t error; a FIFO never makes either wait."""
    h.need_root("the key's and the state's owners are checked")
    nobody = pwd.getpwnam("nobody").pw_uid
    with h.TempDir("dtk-") as tmp, h.SyslogSink() as sink:
        af = h.AuditFiles(tmp)
        port = h.free_port()
        good = h.daemon_conf(port, sink, "ident mode off\n" + af.settings,
                             "allow 127.0.0.0/8\n")
        rc, out, err = h.daytimed("-t", "-c", write_conf(tmp, good))
        check(rc == 0 and "no state file yet" in out,
              "-t on a good configuration: %d %s %s", rc, out, err)
        fifo = tmp.join("fifo")
        os.mkfifo(fifo)
        big = tmp.write("big.state", "x" * 200, mode=0o600)
        os.chown(big, nobody, -1)
        rootstate = tmp.write("root.state",
                              "daytimed-audit-state-v1 0123456789abcdef:1:run\n",
                              mode=0o600)
        with open(af.hpub) as f:
            pubsec = tmp.write("pub-as-sec", f.read(), mode=0o600)
        os.chown(tmp.path, nobody, -1)
        cases = [
            ("a readable signing key", lambda: os.chmod(af.hsec, 0o644),
             af.hsec, "mode 0644 gives group or others access"),
            ("a signing key owned by the run user",
             lambda: os.chown(af.hsec, nobody, -1), af.hsec,
             "owned by uid %d, not root" % nobody),
            ("a public key as the signing key",
             lambda: good.replace(af.hsec, pubsec), pubsec,
             "not a host secret key"),
            ("a missing signing key",
             lambda: good.replace(af.hsec, tmp.join("none.sec")),
             tmp.join("none.sec"), "No such file"),
            ("a FIFO as the signing key", lambda: good.replace(af.hsec, fifo),
             fifo, "not a regular file"),
            ("a state directory that is not there",
             lambda: good.replace(af.state, "/nonexistent/audit.state"),
             "/nonexistent/audit.state", "No such file"),
            ("a state file of the wrong size",
             lambda: good.replace(af.state, big), big, "wrong size"),
            ("a state file owned by root",
             lambda: good.replace(af.state, rootstate), rootstate,
             "must be owned by the user daytimed runs as"),
            ("a FIFO as the state file",
             lambda: good.replace(af.state, fifo), fifo,
             "not a regular file"),
        ]
        for what, change, name, why in cases:
            text = change()
            text = text if isinstance(text, str) else good
            conf = write_conf(tmp, text)
            r = h.run([h.DAYTIMED, "-t", "-c", conf], timeout=20)
            out = r.stdout.decode()
            check(r.returncode == 1 and name in out and why in out and
                  "error" in out, "-t with %s: %d %r", what, r.returncode,
                  out)
            # a start: exits 1 at once, naming the file (run to its end:
            # nothing to wait for, no port to probe)
            r = h.run([h.DAYTIMED, "-f", "-c", conf], timeout=20)
            err = r.stderr.decode()
            check(r.returncode == 1 and name in err and why in err,
                  "start with %s: %d %r", what, r.returncode, err)
            os.chmod(af.hsec, 0o600)
            os.chown(af.hsec, 0, -1)


@test
def state_written_inside_chroot():
    """The state file is outside the chroot: it is written through the
    directory opened before it, and the next start links to it."""
    h.need_root("chroot")
    with h.TempDir("dtk-") as tmp, h.SyslogSink() as sink:
        af = h.AuditFiles(tmp)
        jail = tmp.join("jail")
        os.mkdir(jail, 0o755)
        port = h.free_port()
        text = h.daemon_conf(port, sink, "ident mode off\nchroot %s\n%s"
                             % (jail, af.settings), "allow 127.0.0.0/8\n")
        for run in range(2):
            with h.Daemon(text) as d:
                h.tcp_get("127.0.0.1", port)
                d.stop()
            sink.wait_for(r"event=stop", count=run + 1)
        starts = [r.msg for r in sink.records() if "event=start" in r.msg]
        stops = [r.msg for r in sink.records() if "event=stop" in r.msg]
        first = re.search(r" epoch=(\w+) seq=(\d+) ", stops[0])
        check(" prev=none " in starts[0], "first start: %s", starts[0])
        check(" prev=%s:%s:stop " % first.groups() in starts[1],
              "the second start names the first epoch's stop (%s): %s",
              first.groups(), starts[1])
        with open(af.state) as f:
            last = re.search(r" epoch=(\w+) seq=(\d+) ", stops[1])
            check(f.read() == "daytimed-audit-state-v1 %s:%s:stop\n"
                  % last.groups(), "the state after the second stop")
        check(os.listdir(jail) == [], "nothing written in the jail: %r",
              os.listdir(jail))


@test
def backpressure_when_syslog_stalls():
    port = h.free_port()
    # the sink does not read until told: the daemon's queue fills, then it
    # stops taking requests rather than lose or grow
    with h.SyslogSink(rcvbuf=4096, drain=False) as sink, \
            h.Daemon(h.daemon_conf(port, sink, body="allow 127.0.0.0/8\n"),
                     ready="proc") as d, \
            h.udp_open(port, bind=("127.0.0.1", 0)) as c:
        cport = c.getsockname()[1]
        answers = 0
        silent_bursts = 0
        for burst in range(60):
            got = h.udp_burst(c, 200, 0.3)
            answers += got
            if got == 0:
                silent_bursts += 1
                if silent_bursts == 2:
                    break
        check(silent_bursts == 2, "never stalled: %d answers", answers)
        # TCP waits too, in the backlog, unanswered
        with h.tcp_open(port, timeout=0.5) as t:
            early = h.recv_or_none(t, 0.5)
            check(early is None, "answered while congested: %r", early)
            sink.drain()
            t.settimeout(10)
            data = t.recv(100)
            check(h.CTIME_RE.match(data), "not answered after the drain: %r",
                  data)
        d.signal(signal.SIGUSR1)
        counters = sink.wait_for(r"event=counters", timeout=10).kv()
        check(int(counters["backpressure"]) >= 1 and
              counters["log_lost"] == "0", "%r", counters)
        # every datagram the daemon took has its record: none lost
        # (the backlog in its socket is read after the counters, too; a
        # datagram counted just before the counters has its record soon
        # after them)
        def mine_now():
            return [r.msg for r in sink.records()
                    if "peer=127.0.0.1:%d " % cport in r.msg and
                    "decision=allow" in r.msg]
        h.poll_until(mine_now, 5,
                     done=lambda m: len(m) >= int(counters["udp"]))
        received = [r.msg for r in sink.records()]
        upto = next(i for i, r in enumerate(received)
                    if "event=counters" in r)
        before = [r for r in received[:upto]
                  if "peer=127.0.0.1:%d " % cport in r]
        mine = mine_now()
        ids = [r.split("conn=")[1][:16] for r in mine]
        check(len(set(ids)) == len(ids), "%d duplicate records",
              len(ids) - len(set(ids)))
        check(len(before) <= int(counters["udp"]) <= len(mine) and
              len(mine) >= answers, "%d records (%d before the "
              "counters), %s datagrams taken, %d answers seen",
              len(mine), len(before), counters["udp"], answers)


if __name__ == "__main__":
    h.main()
