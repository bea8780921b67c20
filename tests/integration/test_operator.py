#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""What an operator reaches for (issue 15): -d shows what syslog gets and
the ident bytes; -v sends the debug messages to syslog; -T reads back through -t; -e - against 1,000 single
queries; the rate limit; HUP and USR1 sent to both processes act once;
-r reports a reload that failed after -t passed; records by facility;
the journal's layout through the verifier; what startup says and what ps
shows.  Inetd mode has its own file (test_inetd.py)."""

import ctypes
import errno
import os
import platform
import pwd
import random
import re
import resource
import signal
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402


def stderr_lines(d):
    """The daemon's stderr, as lines without the "daytimed: " prefix."""
    return [l[len("daytimed: "):] for l in d.stderr_text().splitlines()
            if l.startswith("daytimed: ")]


def strip_comments(text):
    """A configuration's lines without comments and blank lines."""
    out = []
    for l in text.splitlines():
        l = l.split("#", 1)[0].rstrip()
        if l:
            out.append(l)
    return out


@test
def debug_shows_what_syslog_gets():
    port = h.free_port()
    rules = "allow 127.0.0.1\ndeny 127.0.0.2\nallow 127.0.0.3 user alice\n"
    with h.FakeIdent("ok", "alice", host="127.0.0.3") as fi, \
            h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "ident mode rules\nident timeout 3\n"
                             "ident port %d\nlimit rate 1\n" % fi.port, rules,
                             listen=("tcp",))
        with h.Daemon(text, args=["-d"], ready="proc") as d:
            allowed, me1 = h.tcp_talk("127.0.0.1", port, bind=("127.0.0.1", 0))
            denied, me2 = h.tcp_talk("127.0.0.1", port, bind=("127.0.0.2", 0))
            looked, me3 = h.tcp_talk("127.0.0.1", port, bind=("127.0.0.3", 0))
            check(h.CTIME_RE.match(allowed) and denied == b"" and
                  h.CTIME_RE.match(looked), "%r %r %r", allowed, denied, looked)
            # A limit event: 127.0.0.3 again at once is over "limit rate 1".
            dropped, me4 = h.tcp_talk("127.0.0.1", port,
                                      bind=("127.0.0.3", 0), reset_ok=True)
            check(dropped == b"", "%r", dropped)
            recs = [sink.wait_peer(me) for me in (me1, me2, me3, me4)]
            # Every record syslog got is on stderr too, byte for byte.
            got = h.poll_until(lambda: stderr_lines(d), 5,
                               done=lambda ls: all(r.msg in ls for r in recs))
            for r in recs:
                check(r.msg in got, "not on stderr: %r", r.msg)
            k = [r.kv() for r in recs]
            check([x["decision"] for x in k] == ["allow", "deny", "allow",
                                                 "drop"] and
                  k[3]["rule"] == "limit:rate" and
                  k[2]["ident"] == "alice" and k[2]["ident_status"] == "ok",
                  "%r", k)
            # The ident exchange: the bytes sent and received, escaped.
            peerport = int(me3.rsplit(":", 1)[1])
            want = ('ident conn=%s sent="%d , %d\\x0d\\x0a" received="%d , %d '
                    ': USERID : UNIX : alice\\x0d\\x0a" status=ok'
                    % (k[2]["conn"], peerport, port, peerport, port))
            check(want in got, "no %r in:\n%s", want, "\n".join(got))
            # The operational messages are there as well, in the foreground.
            check(any(l.startswith("listening on tcp 127.0.0.1:%d " % port)
                      for l in got), "no listening line")
            # Debug lines are not audit records, and syslog has none (no -v).
            check(not sink.records(r"^ident "), "ident line in syslog")
        stop = sink.wait_for(r"^event=stop ").kv()
        check(stop["accepted"] == "4" and stop["allowed"] == "2" and
              stop["denied"] == "1" and stop["dropped"] == "1" and
              stop["ident_ok"] == "1",
              "stop record counters %r", stop)


@test
def verbose_sends_the_debug_messages_to_syslog():
    port = h.free_port()
    with h.FakeIdent("ok", "alice") as fi, h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "ident mode always\nident timeout 3\n"
                             "ident port %d\n" % fi.port,
                             "allow 127.0.0.1\n", listen=("tcp",))
        with h.Daemon(text, args=["-v"], ready="proc") as d:
            data, me = h.tcp_talk("127.0.0.1", port)
            rec = sink.wait_peer(me).kv()
            check(h.CTIME_RE.match(data) and rec["ident"] == "alice", "%r", rec)
            # The ident exchange reaches syslog at priority debug, with the
            # same facility, and is no audit record.
            dbg = sink.wait_for(r"^ident conn=%s " % rec["conn"])
            check(dbg.severity == 7 and dbg.facility == 3 and
                  'status=ok' in dbg.msg and 'sent="' in dbg.msg,
                  "%r sev %d fac %d", dbg.msg, dbg.severity, dbg.facility)
            check(not dbg.msg.startswith(("conn=", "event=")), "%r", dbg.msg)
            # -f -v, not -d: the records are not copied to stderr (the
            # messages are, as under -f alone).
            d.stop()
            err = stderr_lines(d)
            check(not any(l.startswith(("conn=", "event=")) for l in err),
                  "a record on stderr under -v: %r", err)
        # Without -v, syslog gets no debug message at all.
        sink.clear()
        with h.Daemon(text, ready="proc") as d:
            data, me = h.tcp_talk("127.0.0.1", port)
            sink.wait_peer(me)
            d.stop()
        sink.wait_for(r"^event=stop ")
        check(not sink.records(lambda r: r.severity == 7), "%r",
              sink.records(lambda r: r.severity == 7))


@test
def show_reads_back_through_test():
    port = h.free_port()
    with h.TempDir("dto-") as t, h.SyslogSink() as sink:
        os.mkdir(t.join("rules.d"))
        t.write("rules.d/10-lan.rules", "allow 10.0.0.0/8 user alice\n"
                "deny 10.0.0.0/8\nallow 10.1.0.0/16\n")
        t.write("rules.d/20-v6.rules", "allow 2001:db8::/32\n")
        main = t.write("d.conf", h.daemon_conf(
            port, sink, "ident mode rules\nlimit per-source 3\n",
            "include rules.d/*.rules\nallow 127.0.0.0/8\nallow ::1\n",
            limits=True))
        rc, out, err = h.daytimed("-T", "-c", main)
        check(rc == 0 and out.startswith("# daytimed -T: "), "%d %r", rc, err)
        lines = out.splitlines()
        # Defaults and given settings, each saying where it came from.
        check(any(re.match(r"limit rate 10 +# default$", l) for l in lines),
              "no built-in rate in:\n%s", out)
        check(any(re.match(r"limit per-source 3 +# %s:\d+$" % re.escape(main),
                           l) for l in lines), "no per-source line")
        inc = t.join("rules.d", "10-lan.rules")
        check(any(re.match(r"allow 10\.0\.0\.0/8 user alice +# %s:1$"
                           % re.escape(inc), l) for l in lines),
              "include not expanded with its FILE:LINE:\n%s", out)
        # Most specific netblock first; its "*" rule before its user rules.
        rules = [l for l in strip_comments(out)
                 if l.startswith(("allow ", "deny "))]
        check(rules == ["allow 10.1.0.0/16", "deny 10.0.0.0/8",
                        "allow 10.0.0.0/8 user alice", "allow 127.0.0.0/8",
                        "allow ::1/128", "allow 2001:db8::/32"], "%r", rules)
        # The output is a configuration: -t takes it, -T gives it back.
        shown = t.write("shown.conf", out)
        rc, tout, _ = h.daytimed("-t", "-c", shown)
        check(rc == 0 and ": ok: 6 rules" in tout, "%d %r", rc, tout)
        rc, out2, _ = h.daytimed("-T", "-c", shown)
        check(rc == 0 and strip_comments(out2) == strip_comments(out),
              "-T of -T differs:\n%s\n---\n%s", out, out2)
        # A configuration with errors: nothing on stdout, exit 1.
        bad = t.write("bad.conf", h.daemon_conf(port, sink, body="allow x\n"))
        rc, out, err = h.daytimed("-T", "-c", bad)
        check(rc == 1 and out == "" and "bad.conf:" in err, "%d %r", rc, err)


def explain_lines(rng, n):
    """n queries: addresses in and around the rules, users, bad lines."""
    out = []
    for i in range(n):
        r = rng.random()
        if i % 97 == 5:
            out.append(rng.choice(["bogus", "10.0.0.256", "1.2.3.4 a b",
                                   "010.1.1.1", "::g"]))
            continue
        if r < 0.5:
            addr = "10.%d.%d.%d" % (rng.choice((1, 2, 3)), rng.randrange(256),
                                    rng.randrange(256))
        elif r < 0.7:
            addr = "192.0.2.%d" % rng.randrange(256)
        elif r < 0.85:
            addr = "2001:db8:%x::%x" % (rng.randrange(4), rng.randrange(65536))
        else:
            addr = "198.51.100.%d" % rng.randrange(256)
        user = rng.choice([None, None, "alice", "bob", "mallory"])
        out.append(addr if user is None else "%s %s" % (addr, user))
    return out


@test(timeout=600)
def explain_stream_matches_single_queries():
    with h.TempDir("dto-") as t:
        conf = t.write("e.conf", "listen tcp 127.0.0.1:13\nident mode rules\n"
                       "deny 10.0.0.0/8\nallow 10.1.0.0/16\n"
                       "allow 10.2.0.0/16 user alice\ndeny 10.2.0.0/16\n"
                       "deny 10.2.3.0/24 user bob\nallow 192.0.2.0/25\n"
                       "allow 2001:db8::/34\ndeny 2001:db8:1::/48\n")
        queries = explain_lines(random.Random(15), 1000)
        r = h.run([h.DAYTIMED, "-e", "-", "-c", conf],
                  input=("\n".join(queries) + "\n").encode())
        got = r.stdout.decode().splitlines()
        check(len(got) == 1000, "%d lines for 1000", len(got))
        worst = 0
        for i, q in enumerate(queries, 1):
            rc, out, err = h.daytimed("-e", *q.split(" "), "-c", conf)
            worst = max(worst, rc)
            if rc == 2:
                # a bad line: an error line in its place; for a bad
                # address, the reason -e gives
                last = err.strip().splitlines()[-1]
                m = re.match(r"daytimed: -e \S+: (.*)", last)
                check(got[i - 1].startswith("error line=%d: " % i) and
                      (m is None or got[i - 1].endswith(m.group(1))),
                      "line %d %r: %r vs %r", i, q, got[i - 1], err)
            else:
                check(got[i - 1] == out.strip(), "line %d %r: %r vs %r", i, q,
                      got[i - 1], out)
        check(worst == 2 and r.returncode == 2, "rc %d, worst %d",
              r.returncode, worst)
        # Warnings once, not per query: the configuration's own here.
        check(r.stderr.decode().count("warning: allow by ident user") == 1,
              "%r", r.stderr[:300])
        # Only good lines: 0 when all are allowed, 1 when one is denied.
        r = h.run([h.DAYTIMED, "-e", "-", "-c", conf],
                  input=b"10.1.0.1\n192.0.2.1\n")
        check(r.returncode == 0, "%r", r)
        r = h.run([h.DAYTIMED, "-e", "-", "-c", conf],
                  input=b"10.1.0.1\n10.9.0.1\n")
        check(r.returncode == 1, "%r", r)


@test
def explain_scoped_peer():
    # A record's link-local peer, [fe80::1%3]:PORT, replayed as the man
    # page says: the zone is dropped, as the daemon judges fe80::1.
    with h.TempDir("dto-") as t:
        conf = t.write("z.conf", "listen tcp 127.0.0.1:13\n"
                       "ident mode off\nallow fe80::/64\n")
        rc, out, err = h.daytimed("-e", "fe80::1%3", "-c", conf)
        check(rc == 0 and out == "allow rule=%s:3 netblock=fe80::/64 "
              "ident=none\n" % conf and err == "", "%d %r %r", rc, out, err)
        r = h.run(["sh", "-c", "sed 's/peer=//; s/:[0-9]*$//; s/^\\[//; "
                   "s/\\]$//' | %s -e - -c %s" % (h.DAYTIMED, conf)],
                  input=b"peer=[fe80::1%3]:40000\n")
        check(r.returncode == 0 and r.stdout.decode() == "allow rule=%s:3 "
              "netblock=fe80::/64 ident=none\n" % conf, "%r", r)


@test
def explain_names_rules_as_the_records_do():
    """-e with a relative -c names a rule by its file's absolute name, as
    the daemon's records do, so that a replayed log compares."""
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "ident mode off\n",
                             "deny 127.0.0.6\nallow 127.0.0.0/8\n",
                             listen=("tcp",))
        with h.Daemon(text, ready="proc") as d:
            h.tcp_talk("127.0.0.1", port, bind=("127.0.0.6", 0),
                       reset_ok=True)
            rec = sink.wait_for(r"peer=127\.0\.0\.6:").kv()
            r = h.run(["sh", "-c", 'cd "$1" && exec "$2" -e 127.0.0.6 -c '
                       'daytimed.conf', "sh", d.dir, h.DAYTIMED])
            check(rec["decision"] == "deny" and r.returncode == 1 and
                  r.stdout.decode() == "deny rule=%s netblock=127.0.0.6/32 "
                  "ident=none\n" % rec["rule"], "%r %r", rec, r)


def in_dir(where, *args):
    """$DAYTIMED with args, run in the directory where."""
    return h.run(["sh", "-c", 'cd "$1" && shift && exec "$@"', "sh", where,
                  h.DAYTIMED] + list(args)).text()


@test
def symlinked_config_reads_the_same_files_in_every_mode():
    """-c names a configuration through a symbolic link, relative or
    absolute: the running daemon, -t, -T and -e all read the include
    beside the link (the file as named), and name it alike. (The daemon
    and -e used to resolve a relative -c to its target's directory, -t
    and -T did not: -t passed a file the daemon would not start with.)"""
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "ident mode off\n",
                             "include r.rules\n", listen=("tcp",))
        for relative in (True, False):
            with h.Daemon(text, ready="proc", start=False) as d:
                for sub in ("real", "link"):
                    os.mkdir(os.path.join(d.dir, sub), 0o755)
                for name, body in (("real/c.conf", text),
                                   ("real/r.rules", "bogus directive\n"),
                                   ("link/r.rules", "deny 127.0.0.7\n"
                                    "allow 127.0.0.0/8\n")):
                    with open(os.path.join(d.dir, name), "w") as f:
                        f.write(body)
                    os.chmod(os.path.join(d.dir, name), 0o644)
                os.symlink("../real/c.conf", os.path.join(d.dir, "link",
                                                          "c.conf"))
                rules = os.path.join(d.dir, "link", "r.rules")
                d.conf = "link/c.conf" if relative else os.path.join(
                    d.dir, "link", "c.conf")
                rc, out, err = in_dir(d.dir, "-t", "-c", d.conf)
                check(rc == 0 and ": ok: 2 rules" in out, "%s: %d %r %r",
                      d.conf, rc, out, err)
                rc, out, err = in_dir(d.dir, "-T", "-c", d.conf)
                check(rc == 0 and re.search(r"^deny 127\.0\.0\.7/32 +# %s:1$"
                                            % re.escape(rules), out, re.M),
                      "%s: %d %r %r", d.conf, rc, out, err)
                rc, out, err = in_dir(d.dir, "-e", "127.0.0.7", "-c", d.conf)
                check(rc == 1 and out == "deny rule=%s:1 netblock="
                      "127.0.0.7/32 ident=none\n" % rules, "%s: %d %r %r",
                      d.conf, rc, out, err)
                here = os.getcwd()
                os.chdir(d.dir)
                try:
                    d.start()
                finally:
                    os.chdir(here)
                _, me = h.tcp_talk("127.0.0.1", port, bind=("127.0.0.7", 0),
                                   reset_ok=True)
                rec = sink.wait_peer(me).kv()
                check(rec["decision"] == "deny" and
                      rec["rule"] == "%s:1" % rules, "%s: %r", d.conf, rec)
                d.stop()


@test
def explain_as_inetd_mode():
    # Only proxy listen lines: the daemon looks no peer up, but -i ignores
    # them and looks a plain socket's peer up; -e -i judges as -i does.
    with h.TempDir("dto-") as t:
        conf = t.write("ip.conf", "listen tcp 127.0.0.1:1013 proxy\n"
                       "proxy 127.0.0.0/8\nident mode rules\n"
                       "allow 127.0.0.0/8\ndeny 127.0.0.0/24\n"
                       "allow 127.0.0.0/24 user alice\n")
        rc, out, err = h.daytimed("-e", "127.0.0.1", "alice", "-i", "-c", conf)
        check(rc == 0 and out == "allow rule=%s:6 netblock=127.0.0.0/24 "
              "ident=lookup\n" % conf and "no tcp listener" not in err,
              "%d %r %r", rc, out, err)
        r = h.run([h.DAYTIMED, "-e", "-", "-i", "-c", conf],
                  input=b"127.0.0.1 alice\n")
        check(r.returncode == 0 and r.stdout.decode() == out, "%r", r)
        # Without -i: today's answer, as the daemon judges it.
        rc, out, err = h.daytimed("-e", "127.0.0.1", "alice", "-c", conf)
        check(rc == 1 and out == "deny rule=%s:5 netblock=127.0.0.0/24 "
              "ident=none\n" % conf and "no tcp listener looks up ident"
              in err, "%d %r %r", rc, out, err)


@test
def rate_limit_drops_one_source_only():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(h.daemon_conf(
            port, sink, "ident mode off\nlimit rate 1\n", "allow 127.0.0.0/8\n",
            listen=("tcp",)), ready="proc") as d:
        answers = []
        for _ in range(5):
            data, me = h.tcp_talk("127.0.0.1", port, bind=("127.0.0.4", 0),
                                  reset_ok=True)
            answers.append((data, me))
        recs = [sink.wait_peer(me).kv() for _, me in answers]
        # A burst of 1, then drops: reset, recorded rule=limit:rate.
        check(h.CTIME_RE.match(answers[0][0]) and recs[0]["decision"] ==
              "allow", "%r", recs[0])
        for (data, _), k in zip(answers[1:], recs[1:]):
            check(data == b"" and k["decision"] == "drop" and
                  k["rule"] == "limit:rate" and
                  k["source"] == "127.0.0.4/32", "%r %r", data, k)
        # Never an outage: another source is served meanwhile.
        data, me = h.tcp_talk("127.0.0.1", port, bind=("127.0.0.5", 0))
        check(h.CTIME_RE.match(data), "other source: %r", data)
        # And the first is served again once its bucket refills.
        data = h.poll_until(lambda: h.tcp_talk(
            "127.0.0.1", port, bind=("127.0.0.4", 0), reset_ok=True)[0], 5,
            done=lambda x: h.CTIME_RE.match(x) is not None)
        check(h.CTIME_RE.match(data), "the limited source stays out")
        d.stop()


def reads(statusfile):
    """The reads= of a status file."""
    with open(statusfile) as f:
        return int(re.search(r"\breads=(\d+)", f.read()).group(1))


@test
def hup_to_both_processes_reloads_once():
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "pidfile @DIR@/d.pid\n",
                             "allow 127.0.0.0/8\n", listen=("tcp",))
        with h.Daemon(text, ready="proc") as d:
            status = os.path.join(d.dir, "d.status")
            engine = h.engine_pid(d)
            h.poll_until(lambda: os.path.exists(status), 5)
            # As pkill -HUP daytimed does: both, from one sender.
            os.kill(d.pid, signal.SIGHUP)
            os.kill(engine, signal.SIGHUP)
            sink.wait_for(r"^event=reload result=ok")
            # -r HUPs the monitor alone and waits for its own outcome:
            # by then a second reload of the pair would have been read.
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 0 and "reloaded" in out, "%d %r %r", rc, out, err)
            check(reads(status) == 2, "reads %d", reads(status))
            check(len(sink.records(r"^event=reload ")) == 2, "%r",
                  sink.records(r"^event=reload "))
            # HUP to the engine alone is a reload too (handed over).
            os.kill(engine, signal.SIGHUP)
            sink.wait_for(r"^event=reload ", count=3)
            # USR1 to both: one counters record.
            os.kill(d.pid, signal.SIGUSR1)
            os.kill(engine, signal.SIGUSR1)
            sink.wait_for(r"^event=counters ")
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 0, "%d %r", rc, err)
            check(reads(status) == 4, "reads %d", reads(status))
            d.stop()
        check(len(sink.records(r"^event=counters ")) == 1, "%r",
              sink.records(r"^event=counters "))
        check(len(sink.records(r"^event=reload ")) == 4, "%r",
              sink.records(r"^event=reload "))
        stop = sink.wait_for(r"^event=stop ").kv()
        check(stop["reloads"] == "4" and stop["reload_failures"] == "0",
              "%r", stop)


SPLIT_SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "split_shim.so")


@test
def monitor_not_stalled_by_a_cut_message():
    """An engine that sends the monitor part of a message and no more (an
    engine taken over could): the monitor stops reading its channel
    within 5 s, says why in the log and to -r, and still forwards TERM;
    before, it waited for the rest for ever, TERM with it."""
    if h.asan_build():
        raise h.Skip("the sanitizer's own write() comes before the shim's")
    if not os.path.exists(SPLIT_SHIM):
        raise h.Skip("%s not built (make check builds it)" % SPLIT_SHIM)
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "pidfile @DIR@/d.pid\n",
                             "allow 127.0.0.0/8\n", listen=("tcp",))
        env = dict(os.environ, LD_PRELOAD=SPLIT_SHIM, DT_SPLIT_OUTCOME="1")
        with h.Daemon(text, ready="proc", env=env) as d:
            rc, out, err = h.daytimed("-r", "-c", d.conf, timeout=30)
            check(rc == 1 and "the engine's messages to the monitor are "
                  "out of step: it cannot reload; restart it" in out + err,
                  "-r: %d %r %r", rc, out, err)
            sink.wait_for(r"^monitor: a message from the engine out of "
                          r"step, or not whole within 5 s")
            h.tcp_get("127.0.0.1", port)    # the engine goes on
            os.kill(d.pid, signal.SIGTERM)
            stop = sink.wait_for(r"^event=stop ", timeout=5)
            check(stop is not None, "no stop")
            d.stop()


def queue_signal(pid, sig, sender):
    """rt_sigqueueinfo(2): sig to pid, its si_pid written by the sender."""
    libc = ctypes.CDLL(None, use_errno=True)
    info = struct.pack("iiii", sig, 0, -1, 0)   # SI_QUEUE, then padding
    info += struct.pack("ii", sender, 0)        # si_pid, si_uid
    buf = ctypes.create_string_buffer(info.ljust(128, b"\0"), 128)
    rc = libc.syscall(129, pid, sig, buf)       # x86_64 rt_sigqueueinfo
    check(rc == 0, "rt_sigqueueinfo: %s", os.strerror(ctypes.get_errno()))


@test
def a_sender_pid_no_process_has_keeps_the_channel():
    """A HUP queued to the engine with a sender pid of the sender's
    choosing that no process can have (-1, past the kernel's limit), as
    root or the run user can with rt_sigqueueinfo: the engine names no
    sender to the monitor, which reloads; before, the monitor refused the
    message, closed its channel, and no reload worked again."""
    if platform.machine() != "x86_64":
        raise h.Skip("the syscall number is x86_64's")
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "pidfile @DIR@/d.pid\n",
                             "allow 127.0.0.0/8\n", listen=("tcp",))
        with h.Daemon(text, ready="proc") as d:
            engine = h.engine_pid(d)
            for sender in (-1, 4194305):
                sink.clear()
                queue_signal(engine, signal.SIGHUP, sender)
                sink.wait_for(r"^event=reload result=ok", timeout=10)
                rc, out, err = h.daytimed("-r", "-c", d.conf, timeout=30)
                check(rc == 0 and out == "daytimed: pid %d reloaded its "
                      "configuration\n" % d.pid, "sender %d, then -r: %d %r "
                      "%r", sender, rc, out, err)
            check(not sink.records(r"out of step"), "channel closed")
            d.stop()


@test
def dash_r_says_what_needs_a_restart():
    """-r reports a reload that took, and the settings it kept as they
    were until a restart, as the log says them."""
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "pidfile @DIR@/d.pid\n",
                             "allow 127.0.0.0/8\n", listen=("tcp",))
        with h.Daemon(text, ready="proc") as d:
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 0 and out == "daytimed: pid %d reloaded its "
                  "configuration\n" % d.pid, "%d %r %r", rc, out, err)
            d.write_conf(d.conf_text + "workers 1\nseccomp off\n")
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 0 and out == "daytimed: pid %d reloaded its "
                  "configuration, and kept some settings as they were: "
                  "\"workers changed; needs a restart, kept as is; seccomp "
                  "changed; needs a restart, kept as is\"\n" % d.pid,
                  "%d %r %r", rc, out, err)
            sink.wait_for(r"^reload: seccomp changed; needs a restart")
            # the next reload that keeps nothing says nothing of it
            d.write_conf(text.replace("@DIR@", d.dir))
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 0 and out == "daytimed: pid %d reloaded its "
                  "configuration\n" % d.pid, "%d %r %r", rc, out, err)
            d.stop()


@test
def relative_pidfile_option_stays_where_it_was_said():
    """-p rel.pid names a file in the directory daytimed started in, though
    the daemon changes to /: its stop removes it and the status file, and
    a reload does not report -p's pidfile as a changed one."""
    h.need_root("the run user must differ from root's files")
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "", "allow 127.0.0.0/8\n",
                             listen=("tcp",))
        with h.Daemon(text, args=("-p", "rel.pid"), foreground=False,
                      ready="proc", start=False) as d:
            # a directory the run user may remove its files from
            run = os.path.join(d.dir, "run")
            os.mkdir(run, 0o755)
            nobody = pwd.getpwnam("nobody")
            os.chown(run, nobody.pw_uid, nobody.pw_gid)
            here = os.getcwd()
            os.chdir(run)
            try:
                d.start()
            finally:
                os.chdir(here)
            pidfile = os.path.join(run, "rel.pid")
            status = os.path.join(run, "rel.status")
            check(h.read_pidfile(pidfile) == d.pid, "%r", pidfile)
            h.poll_until(lambda: os.path.exists(status), 5)
            rc, out, err = h.daytimed("-r", "-c", d.conf, "-p", pidfile)
            check(rc == 0 and out == "daytimed: pid %d reloaded its "
                  "configuration\n" % d.pid, "%d %r %r", rc, out, err)
            d.stop()
            check(not d.killed, "killed")
            gone = h.poll_until(lambda: not os.path.exists(pidfile) and
                                not os.path.exists(status), 5)
            check(gone, "left behind: %r", sorted(os.listdir(run)))
        check(not sink.records(r"changed; needs a restart"), "%r",
              sink.records(r"changed; needs a restart"))


def set_as_limit(pid, soft, user="nobody"):
    """Set the soft RLIMIT_AS of pid, a process of user, from a child of
    ours that becomes that user (root here may lack CAP_SYS_RESOURCE);
    the hard limit stays, so the soft one can go back up to it."""
    pw = pwd.getpwnam(user)
    child = os.fork()
    if child == 0:
        try:
            os.setgroups([])
            os.setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid)
            os.setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid)
            hard = resource.prlimit(pid, resource.RLIMIT_AS)[1]
            resource.prlimit(pid, resource.RLIMIT_AS,
                             (soft if hard == resource.RLIM_INFINITY
                              else min(soft, hard), hard))
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, st = os.waitpid(child, 0)
    check(st == 0, "prlimit as %s: status %#x", user, st)


def vm_size(pid):
    """A process's address space in bytes (VmSize)."""
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"^VmSize:\s+(\d+) kB", f.read(),
                             re.M).group(1)) * 1024


def null_on_failure_env():
    """The environment for a daemon whose allocations are made to fail:
    ASan's allocator aborts on a failed one unless told not to."""
    return dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "")
                + ":allocator_may_return_null=1")


def serving_engine(d):
    """The engine's pid once all its workers serve ("serving with" is
    said after the last one started): its address space no longer grows
    by a thread's stack, so a limit set from it leaves what it says."""
    check(h.poll_until(lambda: "daytimed: serving with " in d.stderr_text(),
                       10), "the engine never served: %s", d.stderr_text())
    return h.engine_pid(d)


@test
def reload_thread_that_cannot_start_fails_at_once():
    """The engine cannot start its reload thread (no address space for
    its stack): the reload fails like any other, recorded, and -r says so
    at once. (It used to be a warning alone: -r waited its 60 s for an
    outcome that never came.)"""
    h.need_root("prlimit on the daemon's engine")
    if h.asan_build():
        raise h.Skip("under AddressSanitizer, whose runtime maps memory "
                     "of its own, a cap at the engine's size does not fail "
                     "the thread alone (-r gets no answer); the plain "
                     "build runs this test")
    port = h.free_port()
    env = null_on_failure_env()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "pidfile @DIR@/d.pid\n",
                             "allow 127.0.0.0/8\n", listen=("tcp",))
        with h.Daemon(text, ready="proc", env=env) as d:
            engine = serving_engine(d)
            set_as_limit(engine, vm_size(engine))
            t0 = time.monotonic()
            rc, out, err = h.daytimed("-r", "-c", d.conf, timeout=20)
            took = time.monotonic() - t0
            check(rc == 1 and err.startswith(
                "daytimed: pid %d kept its old configuration: the reload "
                "failed: \"cannot start the reload thread: " % d.pid)
                and took < 10, "%d %r %r after %.1f s", rc, out, err, took)
            sink.wait_for(r"^event=reload result=failed "
                          r"error=\"cannot start the reload thread: ")
            set_as_limit(engine, resource.RLIM_INFINITY)
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 0 and out == "daytimed: pid %d reloaded its "
                  "configuration\n" % d.pid, "%d %r %r", rc, out, err)
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "down")
            rc = d.stop()
            check(rc == 0 and not d.killed, "exit %r", rc)
        stop = sink.wait_for(r"^event=stop ").kv()
        check(stop["reloads"] == "1" and stop["reload_failures"] == "1",
              "%r", stop)


@test
def reload_without_memory_fails_and_the_next_works():
    """The engine cannot take a reload's configuration (its address space
    is limited): that reload fails, -r says why at once, and the channel
    to the monitor stays in step, so the next reload works and TERM
    stops the daemon. (The engine used to close the channel, the monitor
    to take that for the engine's end and wait, ignoring TERM.)"""
    h.need_root("prlimit on the daemon's engine")
    port = h.free_port()
    env = null_on_failure_env()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "pidfile @DIR@/d.pid\n",
                             "include @DIR@/big*.rules\n"
                             "allow 127.0.0.0/8\n", listen=("tcp",))
        with h.Daemon(text, ready="proc", env=env) as d:
            engine = serving_engine(d)
            set_as_limit(engine, vm_size(engine) + (32 << 20))
            big = os.path.join(d.dir, "big1.rules")
            line = "#" + "x" * 1022 + "\n"
            with open(big, "w") as f:
                f.write(line * (64 << 10))          # 64 MB
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 1 and err.startswith(
                "daytimed: pid %d kept its old configuration: the reload "
                "failed: \"%s: error: out of memory for the configuration "
                "(" % (d.pid, d.conf)),
                "%d %r %r", rc, out, err)
            sink.wait_for(r"^event=reload result=failed ")
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "down")
            os.unlink(big)
            set_as_limit(engine, resource.RLIM_INFINITY)
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 0 and out == "daytimed: pid %d reloaded its "
                  "configuration\n" % d.pid, "%d %r %r", rc, out, err)
            rc = d.stop()
            check(rc == 0 and not d.killed, "exit %r", rc)
        stop = sink.wait_for(r"^event=stop ").kv()
        check(stop["reloads"] == "1" and stop["reload_failures"] == "1",
              "%r", stop)


def held_daemon(sink, hold):
    """A daemon whose engine waits, as root, until the file hold exists."""
    env = h.hold_env(hold)
    text = h.daemon_conf(h.free_port(), sink, "pidfile @DIR@/d.pid\n",
                         "allow 127.0.0.0/8\n", listen=("tcp",))
    return h.Daemon(text, ready=None, env=env)


def signals_taken(pid):
    """No signal waits for pid: its handlers have run."""
    st = h.proc_status(pid)
    return int(st["SigPnd"][0], 16) == 0 and int(st["ShdPnd"][0], 16) == 0


def monitor_up(d):
    """The monitor has dropped its privileges and written its status (the
    file itself is made before the fork, empty)."""
    try:
        with open(os.path.join(d.dir, "d.status")) as f:
            text = f.read()
    except OSError:
        return False
    return "result=" in text and h.proc_status(d.pid)["Uid"][0] != "0"


def hold_until_signalled(d, sigs):
    """The monitor is up and the engine still root: send sigs to the
    monitor, wait until it has taken them; return the engine."""
    check(h.poll_until(lambda: monitor_up(d), 10), "monitor not up")
    engine = h.engine_pid(d)
    check(h.proc_status(engine)["Uid"][0] == "0", "engine dropped early")
    for sig in sigs:
        os.kill(d.pid, sig)
    check(h.poll_until(lambda: signals_taken(d.pid), 5), "not taken")
    check(h.proc_status(engine)["Uid"][0] == "0", "engine dropped early")
    return engine


@test
def signals_before_the_engine_is_up_wait_for_it():
    # The unprivileged monitor cannot signal an engine that is still root;
    # what it is sent meanwhile waits for the engine's word that it is up.
    with h.TempDir("dth-") as t, h.SyslogSink() as sink:
        hold = t.join("go")
        with held_daemon(sink, hold) as d:
            try:
                engine = hold_until_signalled(d, (signal.SIGHUP,
                                                  signal.SIGUSR1))
                # As pkill -HUP does: the engine's copy waits in it, and
                # pairs with the monitor's once both act (one reload).
                os.kill(engine, signal.SIGHUP)
            finally:
                open(hold, "w").close()
            sink.wait_for(r"^event=reload result=ok")
            sink.wait_for(r"^event=counters ")
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 0 and "reloaded" in out, "%d %r %r", rc, out, err)
            check(reads(os.path.join(d.dir, "d.status")) == 2, "reads")
            check(d.stop() == 0 and not d.killed, "stop: %r", d.returncode)
        check(len(sink.records(r"^event=reload ")) == 2, "%r",
              sink.records(r"^event=reload "))
        check(len(sink.records(r"^event=counters ")) == 1, "%r",
              sink.records(r"^event=counters "))
        check(not sink.records(r"cannot send signal"), "%r",
              sink.records(r"cannot send signal"))
        # TERM too: it stops the daemon once the engine is up.
        sink.clear()
        os.unlink(hold)
        with held_daemon(sink, hold) as d:
            try:
                hold_until_signalled(d, (signal.SIGTERM,))
            finally:
                open(hold, "w").close()
            rc = d.wait(10)
            check(rc == 0 and not d.killed, "exit %r", rc)
        stop = sink.wait_for(r"^event=stop ").kv()
        check(stop["reloads"] == "0", "%r", stop)


@test
def reload_command_reports_what_the_daemon_could_not_read():
    h.need_root("the daemon must run as another user than -t")
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "pidfile @DIR@/d.pid\n",
                             "include @DIR@/extra.rules\nallow 127.0.0.1\n",
                             listen=("tcp",), user="nobody")
        with h.Daemon(text, ready="proc", start=False) as d:
            extra = os.path.join(d.dir, "extra.rules")
            with open(extra, "w") as f:
                f.write("allow 127.0.0.2\n")
            os.chmod(extra, 0o644)
            d.start()
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 0, "%d %r", rc, err)
            # Readable by root, not by the daemon's user: -t predicts that
            # the reload cannot read it, -r refuses before asking, and HUP
            # fails the reload, logged.
            os.chmod(extra, 0o600)
            rc, out, err = h.daytimed("-t", "-c", d.conf)
            check(rc == 1 and "the run user (uid %d) cannot read file %s"
                  % (pwd.getpwnam("nobody").pw_uid, extra) in out,
                  "-t: %d %r", rc, out)
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 1 and "not reloaded" in err and
                  "extra.rules" in err, "%d %r %r", rc, out, err)
            os.kill(h.read_pidfile(os.path.join(d.dir, "d.pid")),
                    signal.SIGHUP)
            sink.wait_for(r"^event=reload result=failed ")
            # The daemon still serves, with the old rules.
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "down")
            os.chmod(extra, 0o644)
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 0, "%d %r", rc, err)
            # No daemon behind the pidfile: exit 1, said on stderr.
            d.stop()
            rc, out, err = h.daytimed("-r", "-c", d.conf)
            check(rc == 1 and err.startswith("daytimed: -r: "), "%d %r",
                  rc, err)


def fill_leaving(path, pages):
    """Fill path's filesystem with a file at path, then give `pages` of
    its pages back: what a daemon writes next finds that much room."""
    page = os.sysconf("SC_PAGE_SIZE")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * page)
    except OSError as e:
        check(e.errno == errno.ENOSPC, "filling %s: %s", path, e)
    finally:
        os.close(fd)
    size = os.path.getsize(path)
    os.truncate(path, max(0, size - pages * page))


@test
def reload_command_with_a_status_file_not_written():
    """The pidfile takes a full filesystem's last page, its status file
    none: the start says so on the starter's stderr and goes on; -r still
    signals the lock's holder, and exits 2, the outcome untold; once
    there is room the monitor writes the file again by itself (said once
    in the log, as the failure was), and -r reports as ever."""
    h.need_root("a tmpfs")
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "", "allow 127.0.0.0/8\n",
                             listen=("tcp",))
        with h.Daemon(text, foreground=False, ready="proc",
                      start=False) as d:
            run = os.path.join(d.dir, "run")
            os.mkdir(run, 0o755)
            r = h.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755",
                       "tmpfs", run])
            check(r.returncode == 0, "mount tmpfs on %s: %s", run, r.stderr)
            try:
                pidfile = os.path.join(run, "d.pid")
                status = os.path.join(run, "d.status")
                filler = os.path.join(run, "filler")
                fill_leaving(filler, 1)
                d.args = ["-p", pidfile]
                d.start()
                warned = [l for l in stderr_lines(d)
                          if l.startswith("status file %s: No space left "
                                          "on device: " % status)]
                check(warned, "starter's stderr: %r", d.stderr_text())
                check(os.path.getsize(status) == 0, "%r", h.file_text(status))
                rc, out, err = h.daytimed("-r", "-c", d.conf, "-p", pidfile)
                check(rc == 2 and err == "daytimed: -r: sent SIGHUP to pid "
                      "%d, but cannot report the outcome: its status file %s "
                      "is empty, the daemon could not write it (see its "
                      "log)\n" % (d.pid, status), "%d %r %r", rc, out, err)
                sink.wait_for(r"^event=reload result=ok ")
                # Room again: written at the monitor's next try (5 s).
                os.unlink(filler)
                sink.wait_for(r"^status file %s written again$"
                              % re.escape(status), timeout=10)
                line = "pid=%d reads=1 done=1 result=ok error=-\n" % d.pid
                check(h.poll_until(lambda: h.file_text(status) == line, 5),
                      "%r", h.file_text(status))
                rc, out, err = h.daytimed("-r", "-c", d.conf, "-p", pidfile)
                check(rc == 0 and out == "daytimed: pid %d reloaded its "
                      "configuration\n" % d.pid, "%d %r %r", rc, out, err)
                check(reads(status) == 2, "reads %d", reads(status))
                failed = sink.records(r"^status file .*: No space left")
                check(len(failed) == 1, "%r", failed)
            finally:
                d.stop()
                r = h.run(["umount", run])
                if r.returncode != 0:
                    h.run(["umount", "-l", run])
                check(r.returncode == 0, "umount %s: %s", run, r.stderr)


@test
def records_have_a_facility_of_their_own():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(h.daemon_conf(
            port, sink, "ident mode off\nsyslog facility local2\n"
            "syslog audit-facility local5\n", "allow 127.0.0.0/8\n",
            listen=("tcp",)), ready="proc") as d:
        data, me = h.tcp_talk("127.0.0.1", port)
        rec = sink.wait_peer(me)
        d.stop()
        start = sink.wait_for(r"^event=start ")
        stop = sink.wait_for(r"^event=stop ")
        ops = sink.records(r"^stopping on signal")
        check(rec.facility == 21 and start.facility == 21 and
              stop.facility == 21, "records at %d %d %d", rec.facility,
              start.facility, stop.facility)
        check(ops and all(r.facility == 18 for r in ops), "messages %r", ops)


@test
def journal_layout_through_the_verifier():
    port = h.free_port()
    with h.TempDir("dto-") as t, h.SyslogSink() as sink:
        af = h.AuditFiles(t)
        with h.Daemon(h.daemon_conf(port, sink, "ident mode off\n" +
                                    af.settings,
                                    "allow 127.0.0.0/8\n", listen=("tcp",)),
                      ready="proc") as d:
            for _ in range(3):
                h.tcp_get("127.0.0.1", port)
            d.stop()
        sink.wait_for(r"^event=stop ")
        # What "journalctl -t daytimed -o short-iso" prints: its header and
        # boot lines, the records, and the daemon's operational messages.
        lines = ["-- Journal begins at Mon 2026-11-30 10:00:00 UTC, ends at "
                 "Mon 2026-11-30 10:05:00 UTC. --",
                 "-- Boot 0123456789abcdef0123456789abcdef --"]
        for r in sink.records(lambda r: r.tag == "daytimed"):
            lines.append("2026-11-30T10:01:02+0000 testhost daytimed[%d]: %s"
                         % (r.pid, r.msg))
        rc, out, err = af.verify(input=("\n".join(lines) + "\n").encode())
        n = len(sink.records(r"^(conn|event)="))
        check(rc == 0 and ("%d sealed records" % n) in out, "%d %r %r", rc,
              out, err)


def bound_sockets(proto, port):
    """How many sockets /proc/net shows bound to port (listening, for TCP)."""
    n = 0
    for name in (proto, proto + "6"):
        with open("/proc/net/" + name) as f:
            for line in f.readlines()[1:]:
                f2 = line.split()
                if int(f2[1].split(":")[1], 16) == port and \
                        (proto == "udp" or f2[3] == "0A"):
                    n += 1
    return n


def thread_names(pid):
    """The comm of each of pid's threads, as a set."""
    names = set()
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
            names.add(f.read().strip())
    return names


@test
def startup_says_what_is_true_and_ps_tells_processes_apart():
    port = h.free_port()
    with h.SyslogSink() as sink, h.Daemon(h.daemon_conf(
            port, sink, "ident mode off\nworkers 2\n", "allow 127.0.0.0/8\n"),
            ready="proc") as d:
        engine = h.engine_pid(d)
        lines = h.poll_until(lambda: stderr_lines(d), 5,
                             done=lambda ls: any("serving with" in l
                                                 for l in ls))
        for proto in ("tcp", "udp"):
            want = "listening on %s 127.0.0.1:%d (2 sockets, one per worker)" \
                % (proto, port)
            check(want in lines, "no %r in %r", want, lines)
        total = bound_sockets("tcp", port) + bound_sockets("udp", port)
        want = "serving with 2 workers and 4 listening sockets as uid %s" \
            % h.proc_status(engine)["Uid"][0]
        check(total == 4 and want in lines, "%d bound, %r", total, lines)
        for pid, title in ((d.pid, "daytimed: monitor"),
                           (engine, "daytimed: engine")):
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                cmd = f.read().rstrip(b"\0").decode()
            with open("/proc/%d/comm" % pid) as f:
                comm = f.read().strip()
            check(cmd == title and comm == "daytimed", "%d: %r %r", pid, cmd,
                  comm)
        # The workers start after "serving with": poll for the name.
        threads = h.poll_until(lambda: thread_names(engine), 5,
                               done=lambda t: "daytimed-w1" in t,
                               retry=(OSError,))
        check("daytimed-w1" in threads, "threads %r", threads)


@test
def journal_stream_names_stderr_or_is_ignored():
    """-f under systemd says things once: only when JOURNAL_STREAM names
    the stderr it has (device and inode); a value inherited from
    elsewhere leaves stderr as it is."""
    port = h.free_port()
    with h.SyslogSink() as sink:
        text = h.daemon_conf(port, sink, "ident mode off\n",
                             "allow 127.0.0.0/8\n", listen=("tcp",))
        for named in (False, True):
            d = h.Daemon(text, ready="proc", start=False,
                         env=dict(os.environ))
            with open(d._err, "wb"):
                pass    # start() truncates it: the same inode
            st = os.stat(d._err)
            d.env["JOURNAL_STREAM"] = "%d:%d" % (
                st.st_dev, st.st_ino if named else st.st_ino + 1)
            sink.clear()
            with d:
                d.start()
                want = "listening on tcp 127.0.0.1:%d " % port
                sink.wait_for(lambda r: r.msg.startswith(want))

                def shown():
                    return [l for l in stderr_lines(d) if l.startswith(want)]
                if named:       # syslog has it: stderr does not
                    check(shown() == [], "%r", d.stderr_text())
                else:
                    check(len(h.poll_until(shown, 5)) == 1, "%r",
                          d.stderr_text())
                check(d.stop() == 0, "stop")


if __name__ == "__main__":
    h.main()
