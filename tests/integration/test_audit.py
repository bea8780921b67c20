#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The audit trail end to end: the real daemon with an auditor's key, into a
private real rsyslogd, checked by daytimed-audit verify; and back-pressure
when the syslog sink stops reading (no record lost, accepting paused)."""

import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402


@test
def sealed_chain_through_rsyslog():
    with h.Rsyslog() as rs, h.TempDir("dtk-") as keys:
        pub, sec = keys.join("a.pub"), keys.join("a.sec")
        rc, _, err = h.daytimed_audit("keygen", pub, sec)
        check(rc == 0, "keygen: %r", err)
        port = h.free_port()
        text = h.daemon_conf(port, rs,
                             "ident mode off\naudit key %s\n" % pub,
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
        rc, out, err = h.audit_verify(sec, rs.file)
        check(rc == 0, "verify on the intact file: %d\n%s", rc, out + err)
        # modify one record: the verifier names it
        victim = next(i for i, l in enumerate(log.splitlines())
                      if "decision=deny" in l)
        out_lines = log.splitlines()
        out_lines[victim] = out_lines[victim].replace("decision=deny",
                                                      "decision=allow")
        tampered = keys.write("tampered", "\n".join(out_lines) + "\n")
        rc, out, err = h.audit_verify(sec, tampered)
        check(rc == 1 and ":%d:" % (victim + 1) in out + err, "%d\n%s", rc,
              out + err)
        # drop one record
        del out_lines[victim]
        keys.write("tampered", "\n".join(out_lines) + "\n")
        rc, out, err = h.audit_verify(sec, tampered)
        check(rc == 1 and "missing" in out + err, "%d\n%s", rc, out + err)


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
