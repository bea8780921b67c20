#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Ident end to end: the real daemon asks a scripted ident server (every
misbehavior it can show) and Debian's oidentd, in each ident mode; the
decision and the audit fields that result; 50 lookups at once."""

import os
import select
import pwd
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402


def conf(port, sink, identport, mode="always", timeout="2", rules=None):
    if rules is None:
        # line 8 (9 when root): the * rule; then alice's
        rules = "deny 127.0.0.1\nallow 127.0.0.1 user alice\nallow ::1\n"
    return h.daemon_conf(port, sink, "ident mode %s\nident timeout %s\n"
                         "ident port %d\n" % (mode, timeout, identport),
                         rules, listen=("tcp",), hosts=("127.0.0.1", "::1"))


def line_of(d, text):
    """FILE:LINE of the first line of the daemon's config holding text."""
    for i, l in enumerate(d.conf_text.splitlines(), 1):
        if l.strip() == text:
            return "%s:%d" % (d.conf, i)
    raise AssertionError("no line %r" % text)


def ask(port, host="127.0.0.1"):
    """Connect, return (bytes received, our peer string, seconds taken)."""
    start = time.monotonic()
    data, me = h.tcp_talk(host, port, timeout=8)
    return data, me, time.monotonic() - start


def record_for(sink, me):
    rec = sink.wait_peer(me, timeout=8)
    return rec.kv(), rec


def one(mode, user=None, timeout="2", want=None):
    """Run one scripted ident answer; check the decision and audit fields."""
    port = h.free_port()
    with h.FakeIdent(mode, user) as fi, h.SyslogSink() as sink, \
            h.Daemon(conf(port, sink, fi.port, timeout=timeout),
                     ready="proc") as d:
        data, me, took = ask(port)
        k, rec = record_for(sink, me)
        allowed = want.pop("allowed")
        check(bool(h.CTIME_RE.match(data)) == allowed, "%s: data %r, %r",
              mode, data, rec.msg)
        rule = want.pop("rule")
        want["rule"] = line_of(d, rule) if rule != "default" else "default"
        want["decision"] = "allow" if allowed else "deny"
        for key, val in want.items():
            check(k.get(key) == val, "%s: %s=%r want %r in %r", mode, key,
                  k.get(key), val, rec.msg)
        return took, rec


@test
def ident_ok_user_decides():
    one("ok", "alice", want={"allowed": True, "ident": "alice",
                             "ident_status": "ok",
                             "rule": "allow 127.0.0.1 user alice"})
    # another user: the netblock's * rule
    one("ok", "bob", want={"allowed": False, "ident": "bob",
                           "ident_status": "ok", "rule": "deny 127.0.0.1"})
    # byte for byte: case matters
    one("ok", "Alice", want={"allowed": False, "ident": "Alice",
                             "ident_status": "ok", "rule": "deny 127.0.0.1"})


@test
def ident_error_answer():
    one("error", want={"allowed": False, "ident": "-",
                       "ident_status": "error:NO-USER",
                       "rule": "deny 127.0.0.1"})


def times_out(mode, timeout, least, most):
    """The lookup times out after `timeout` s: denied, in least..most s."""
    took, _ = one(mode, timeout=str(timeout),
                  want={"allowed": False, "ident": "-",
                        "ident_status": "timeout", "rule": "deny 127.0.0.1"})
    check(least < took < most, "took %.2f s", took)


@test
def ident_silent_times_out():
    times_out("silent", 0.5, 0.4, 3)


@test
def ident_one_byte_a_second_times_out():
    times_out("slow", 1.5, 1.3, 4)


@test
def ident_hostile_answers_are_malformed():
    for mode in ("garbage", "overlong", "wrongports", "close", "forged-lf"):
        one(mode, want={"allowed": False, "ident": "-",
                        "ident_status": "malformed",
                        "rule": "deny 127.0.0.1"})


@test
def ident_forged_name_is_escaped():
    _, rec = one("forged", want={"allowed": False, "ident_status": "ok",
                                 "ident": 'root\x1b[31m "x" decision=allow',
                                 "rule": "deny 127.0.0.1"})
    # '=' inside a value is \x3d: grep ' decision=allow ' is not fooled
    check(b'ident="root\\x1b[31m \\"x\\" decision\\x3dallow"' in rec.raw,
          "%r", rec.raw)
    check(b"\x1b" not in rec.raw and rec.raw.count(b"decision=deny") == 1
          and b"decision=allow" not in rec.raw, "%r", rec.raw)


@test
def ident_no_listener_is_refused():
    idport = h.free_port()
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(conf(port, sink, idport),
                                          ready="proc") as d:
        data, me, _ = ask(port)
        k, rec = record_for(sink, me)
        check(data == b"" and k["ident_status"] == "refused" and
              k["ident"] == "-" and k["rule"] == line_of(d, "deny 127.0.0.1"),
              "%r", rec.msg)


@test
def ident_modes_rules_and_off():
    port = h.free_port()
    rules = ("allow 127.0.0.1\nallow ::1\ndeny ::1 user mallory\n")
    with h.FakeIdent("ok", "mallory") as fi, h.SyslogSink() as sink:
        # rules: only the netblock with a user rule is looked up
        with h.Daemon(conf(port, sink, fi.port, mode="rules", rules=rules),
                      ready="proc") as d:
            data, me, _ = ask(port)
            k, _ = record_for(sink, me)
            check(h.CTIME_RE.match(data) and k["ident_status"] == "skipped",
                  "%r", k)
            data, me, _ = ask(port, "::1")
            k, _ = record_for(sink, me)
            # ::1 has a user rule: looked up, but the fake server listens on
            # 127.0.0.1 only, so the lookup to [::1] is refused
            check(h.CTIME_RE.match(data), "%r", data)
            check(k["ident_status"] == "refused" and k["decision"] == "allow"
                  and k["rule"] == line_of(d, "allow ::1"), "%r", k)
        # off: never looked up, user rules can never decide
        port = h.free_port()
        with h.Daemon(conf(port, sink, fi.port, mode="off", rules=rules),
                      ready="proc"):
            data, me, _ = ask(port, "::1")
            k, _ = record_for(sink, me)
            check(h.CTIME_RE.match(data) and k["ident_status"] == "skipped"
                  and k["ident"] == "-", "%r", k)


def time_waits(port, host="127.0.0.1"):
    """TIME_WAIT sockets on the host with host:port at either end (not
    port alone: a test beside this one may have a client on 127.0.0.2
    whose own port number is the same), as (local, remote) pairs."""
    return [(local, remote) for local, remote, state in h.tcp_endpoints()
            if state == h.TCP_TIME_WAIT and (host, port) in (local, remote)]


@test
def lookups_leave_no_time_wait():
    # the daemon resets its ident connection when done: no TIME_WAIT
    # socket per lookup, on its side or the ident server's
    port = h.free_port()
    with h.FakeIdent("ok", "alice") as fi, h.SyslogSink() as sink, \
            h.Daemon(conf(port, sink, fi.port), ready="proc"):
        for _ in range(20):
            data, me, _ = ask(port)
            check(h.CTIME_RE.match(data), "%r", data)
            k, rec = record_for(sink, me)
            check(k["ident_status"] == "ok", "%r", rec.msg)
        tw = time_waits(fi.port)
        check(not tw, "%d TIME_WAIT sockets on the ident port after 20 "
              "lookups: %r", len(tw), tw)


@test
def fifty_lookups_at_once_take_one_timeout():
    port = h.free_port()
    rules = "allow 127.0.0.1\nallow 127.0.0.1 user alice\nallow 127.0.0.2\n"
    with h.FakeIdent("silent") as fi, h.SyslogSink() as sink, \
            h.Daemon(conf(port, sink, fi.port, mode="rules", timeout="3",
                          rules=rules), ready="proc"):
        socks = []
        start = time.monotonic()
        for _ in range(50):
            socks.append(h.tcp_open(port, timeout=10))
        deadline = start + 30     # a hang guard only
        # all 50 lookups are held open at the ident server at once
        held = h.poll_until(lambda: sum(
            1 for local, remote, state in h.tcp_endpoints()
            if state == h.TCP_ESTABLISHED and local == ("127.0.0.1", fi.port)),
            10, done=lambda n: n >= 50)
        check(held == 50, "%d lookups held at once, not 50", held)
        # meanwhile a peer that needs no lookup is answered, and none of
        # the 50 is: their lookups are still waiting
        data = h.tcp_get("127.0.0.1", port, bind=("127.0.0.2", 0), timeout=5)
        check(h.CTIME_RE.match(data), "%r", data)
        ready, _, _ = select.select(socks, [], [], 0)
        check(ready == [], "%d answered before their timeout", len(ready))
        for s in socks:
            got, how = h.read_to_eof(s, deadline)
            check(how == "eof" and h.CTIME_RE.match(got), "%r", got)
            s.close()
        # each waited its one timeout (3 s), none queued behind another
        # (in turn, the last would wait 150 s): the daemon's own measure,
        # from the connection to its record (the loop's cached clock may
        # start the timer a few ms after the connection's time is taken)
        recs = sink.wait_for(r"ident_status=timeout", count=50, timeout=30)
        durs = sorted(int(h.kv(r.msg)["duration_us"]) for r in recs)
        check(len(recs) == 50 and durs[0] >= 2900000 and
              durs[-1] < 15000000, "durations %r", durs)


@test
def a_lookup_cut_by_the_stop_is_counted():
    """TERM cuts a pending lookup (ident_status=timeout in its record):
    the stop record's counters count it, as they count a lookup that
    timed out by itself."""
    port = h.free_port()
    with h.FakeIdent("silent") as fi, h.SyslogSink() as sink, \
            h.Daemon(conf(port, sink, fi.port, timeout="30",
                          rules="allow 127.0.0.1\n"), ready="proc") as d:
        s = h.tcp_open(port, timeout=10)
        with s:
            me = h.fmt_addr(s.getsockname())
            # the lookup is held open at the ident server
            check(h.poll_until(lambda: any(
                state == h.TCP_ESTABLISHED and local == ("127.0.0.1",
                                                         fi.port)
                for local, remote, state in h.tcp_endpoints()), 10),
                  "no lookup reached the ident server")
            check(d.stop(10) == 0, "rc %r", d.returncode)
        k, rec = record_for(sink, me)
        check(k["ident_status"] == "timeout", "%r", rec.msg)
        stop = sink.wait_for(r"^event=stop ").kv()
        check(stop["ident_timeout"] == "1" and stop["accepted"] == "1",
              "%r", stop)


def client_as(uid, port):
    """Run the real client as uid; return its stdout and exit status."""
    r = h.run_client(["-r", "-w", "5", "-p", port, "127.0.0.1"], timeout=20,
                     user=uid)
    return r.stdout, r.returncode


@test
def real_oidentd_two_users():
    allowed = pwd.getpwnam("daemon")
    other = pwd.getpwnam("nobody")
    with h.Oidentd():
        port = h.free_port()
        rules = "deny 127.0.0.1\nallow 127.0.0.1 user %s\n" % allowed.pw_name
        with h.SyslogSink() as sink, \
                h.Daemon(conf(port, sink, 113, rules=rules), ready="proc") as d:
            out, rc = client_as(allowed.pw_uid, port)
            check(rc == 0 and h.CTIME_RE.match(out), "%s: %d %r",
                  allowed.pw_name, rc, out)
            rec = sink.wait_for(r"ident=%s " % allowed.pw_name)
            k = h.kv(rec.msg)
            check(k["ident_status"] == "ok" and k["decision"] == "allow" and
                  k["rule"] == line_of(d, "allow 127.0.0.1 user daemon"),
                  "%r", rec.msg)
            out, rc = client_as(other.pw_uid, port)
            check(rc == 1 and out == b"", "%s: %d %r", other.pw_name, rc, out)
            rec = sink.wait_for(r"ident=%s " % other.pw_name)
            k = h.kv(rec.msg)
            check(k["ident_status"] == "ok" and k["decision"] == "deny" and
                  k["rule"] == line_of(d, "deny 127.0.0.1"), "%r", rec.msg)


if __name__ == "__main__":
    h.main()
