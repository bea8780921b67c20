#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The audit trail end to end: the real daemon with an auditor's key, into a
private real rsyslogd, checked by daytimed-audit verify; and back-pressure
when the syslog sink stops reading (no record lost, accepting paused)."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402
from rsyslog_private import Rsyslog  # noqa: E402

AUDIT = os.environ.get("DAYTIMED_AUDIT") or os.path.join(
    h.HERE, "..", "..", "daytimed-audit")


def verify(seckey, path):
    p = subprocess.run([AUDIT, "verify", "--secret-key", seckey, path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    return p.returncode, p.stdout.decode() + p.stderr.decode()


@test
def sealed_chain_through_rsyslog():
    rs = Rsyslog()
    keys = tempfile.mkdtemp(prefix="dtk-", dir="/tmp")
    try:
        pub, sec = os.path.join(keys, "a.pub"), os.path.join(keys, "a.sec")
        p = subprocess.run([AUDIT, "keygen", pub, sec], timeout=30,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        check(p.returncode == 0, "keygen: %r", p.stderr)
        os.chmod(keys, 0o755)
        port = h.free_port()
        text = ("listen tcp 127.0.0.1:%d\nlisten udp 127.0.0.1:%d\n"
                "syslog socket %s\nident mode off\naudit key %s\n"
                "allow 127.0.0.0/8\ndeny 127.0.0.2\n"
                % (port, port, rs.sock, pub))
        if os.geteuid() == 0:
            text += "user nobody\n"
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
        rc, out = verify(sec, rs.file)
        check(rc == 0, "verify on the intact file: %d\n%s", rc, out)
        # modify one record: the verifier names it
        tampered = os.path.join(keys, "tampered")
        victim = next(i for i, l in enumerate(log.splitlines())
                      if "decision=deny" in l)
        out_lines = log.splitlines()
        out_lines[victim] = out_lines[victim].replace("decision=deny",
                                                      "decision=allow")
        with open(tampered, "w") as f:
            f.write("\n".join(out_lines) + "\n")
        rc, out = verify(sec, tampered)
        check(rc == 1 and ":%d:" % (victim + 1) in out, "%d\n%s", rc, out)
        # drop one record
        del out_lines[victim]
        with open(tampered, "w") as f:
            f.write("\n".join(out_lines) + "\n")
        rc, out = verify(sec, tampered)
        check(rc == 1 and "missing" in out, "%d\n%s", rc, out)
    finally:
        rs.close()
        shutil.rmtree(keys, ignore_errors=True)


@test
def backpressure_when_syslog_stalls():
    tmp = tempfile.mkdtemp(prefix="dtb-", dir="/tmp")
    os.chmod(tmp, 0o755)
    path = os.path.join(tmp, "log")
    sink = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sink.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sink.bind(path)
    os.chmod(path, 0o666)
    port = h.free_port()
    text = ("listen tcp 127.0.0.1:%d\nlisten udp 127.0.0.1:%d\n"
            "syslog socket %s\nident mode off\nallow 127.0.0.0/8\n"
            % (port, port, path))
    if os.geteuid() == 0:
        text += "user nobody\n"
    received = []
    stop = threading.Event()
    try:
        with h.Daemon(text, ready="proc") as d:
            # the sink does not read: the daemon's queue fills, then it
            # stops taking requests rather than lose or grow
            c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            c.bind(("127.0.0.1", 0))
            c.connect(("127.0.0.1", port))
            cport = c.getsockname()[1]
            answers = 0
            silent_bursts = 0
            for burst in range(60):
                for _ in range(200):
                    c.send(b"")
                c.settimeout(0.3)
                got = 0
                try:
                    while True:
                        c.recv(100)
                        got += 1
                except socket.timeout:
                    pass
                answers += got
                if got == 0:
                    silent_bursts += 1
                    if silent_bursts == 2:
                        break
            check(silent_bursts == 2, "never stalled: %d answers", answers)
            # TCP waits too, in the backlog, unanswered
            t = socket.socket()
            t.settimeout(0.5)
            t.connect(("127.0.0.1", port))
            try:
                early = t.recv(100)
            except socket.timeout:
                early = None
            check(early is None, "answered while congested: %r", early)

            def drain():
                sink.settimeout(0.1)
                while not stop.is_set():
                    try:
                        received.append(sink.recv(65536))
                    except socket.timeout:
                        pass

            th = threading.Thread(target=drain, daemon=True)
            th.start()
            t.settimeout(10)
            data = t.recv(100)
            check(h.CTIME_RE.match(data), "not answered after the drain: %r",
                  data)
            t.close()
            d.signal(signal.SIGUSR1)
            deadline = time.monotonic() + 10
            while not any(b"event=counters" in r for r in received):
                check(time.monotonic() < deadline, "no counters record")
                time.sleep(0.02)
            counters = h.kv(next(r for r in received
                                 if b"event=counters" in r)
                            .decode().split(": ", 1)[1])
            check(int(counters["backpressure"]) >= 1 and
                  counters["log_lost"] == "0", "%r", counters)
            # every datagram the daemon took has its record: none lost
            # (the backlog in its socket is read after the counters, too)
            upto = next(i for i, r in enumerate(received)
                        if b"event=counters" in r)
            before = [r for r in received[:upto]
                      if b"peer=127.0.0.1:%d " % cport in r]
            mine = [r for r in received
                    if b"peer=127.0.0.1:%d " % cport in r and
                    b"decision=allow" in r]
            ids = [r.split(b"conn=")[1][:16] for r in mine]
            check(len(set(ids)) == len(ids), "%d duplicate records",
                  len(ids) - len(set(ids)))
            check(len(before) <= int(counters["udp"]) <= len(mine) and
                  len(mine) >= answers, "%d records (%d before the "
                  "counters), %s datagrams taken, %d answers seen",
                  len(mine), len(before), counters["udp"], answers)
            c.close()
    finally:
        stop.set()
        sink.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    h.main()
