#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""List files (allow file / deny file): -t over published formats and
hostile lists (CR LF, a byte order mark, host bits, IPv4-mapped entries, a
1 MB line, 10 million lines, 2 million bad lines read as root in bounded
memory, a FIFO, a list writable by group or others), with exact output;
and a running daemon that re-reads a list on HUP, keeps its rules when a
list goes bad, and names PATH:LINE in its records."""

import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

TMP = h.TempDir("dtls-", at_exit=True)
HEAD = "listen tcp 127.0.0.1:20013\n"
# -t predicts a start, and a start as root needs a user: last, so that
# the lines above keep their numbers
USER = "user nobody\n" if os.geteuid() == 0 else ""

DROP = ("; Spamhaus DROP List 2026/05/26 - (c) 2026 The Spamhaus Project SLU\n"
        "; https://www.spamhaus.org/drop/drop.txt\n"
        "; Last-Modified: Tue, 26 May 2026 11:00:16 GMT\n"
        "; Expires: Tue, 26 May 2026 12:14:02 GMT\n"
        "1.10.16.0/20 ; SBL256894\n"
        "1.19.0.0/16 ; SBL434604\n"
        "2001:678:738::/48 ; SBL601234\n")
NETSET = ("#\n# firehol_level1\n#\n# ipv4 hash:net ipset\n#\n"
          "# Maintainer      : FireHOL\n"
          "# This File Date  : Tue May 26 10:14:11 UTC 2026\n"
          "# Entries         : 3 subnets, 16781568 unique IPs\n#\n"
          "0.0.0.0/8\n5.8.37.0/24\n223.254.0.0/16\n")


@test
def published_formats():
    os.makedirs(TMP.join("lists"), exist_ok=True)
    TMP.write("lists/drop.txt", DROP)
    TMP.write("level1.netset", NETSET)
    path = TMP.write("pub.conf", HEAD + "ident mode off\n"
                     "deny file lists/drop.txt\n"
                     "deny file %s\nallow 0.0.0.0/0\n"
                     % TMP.join("level1.netset") + USER)
    rc, out, err = h.daytimed("-t", "-c", path)
    check(rc == 0 and out == "%s: ok: 7 rules, 6 IPv4 and 1 IPv6 netblocks, "
          "1 listener, 3 files, 0 warnings\n" % path, "%d %r %r", rc, out, err)
    # -e names the list and its line
    for addr, code, want in (
            ("1.19.2.3", 1, "deny rule=%s:6 netblock=1.19.0.0/16 ident=none"
             % TMP.join("lists/drop.txt")),
            ("2001:678:738::1", 1, "deny rule=%s:7 netblock=2001:678:738::/48 "
             "ident=none" % TMP.join("lists/drop.txt")),
            ("5.8.37.9", 1, "deny rule=%s:11 netblock=5.8.37.0/24 ident=none"
             % TMP.join("level1.netset")),
            ("192.0.2.1", 0, "allow rule=%s:5 netblock=0.0.0.0/0 ident=none"
             % path)):
        rc, out, err = h.daytimed("-c", path, "-e", addr)
        check(rc == code and out == want + "\n", "%s: %d %r %r", addr, rc,
              out, err)


@test
def hostile_lists():
    big = b"1" * (1 << 20)
    data = (b"\xef\xbb\xbf; saved on Windows\r\n"   # 1
            b"192.0.2.1/24\r\n"                     # 2: host bits
            b"::ffff:198.51.100.0/120\r\n"          # 3: mapped
            + big + b"\r\n"                         # 4: 1 MB line
            b"203.0.113.0/24\r\n"                   # 5: fine
            b"10.0.0.0/8 SBL1\r\n"                  # 6: two words
            b"10.1.0.0/16\x00\r\n"                  # 7: NUL
            b"192.0.2.0/24 ; again\r\n")            # 8: duplicate of 2
    lst = TMP.write("hostile.txt", data)
    path = TMP.write("hostile.conf", HEAD + "allow file hostile.txt\n"
                     "deny 203.0.113.0/24\n" + USER)
    rc, out, err = h.daytimed("-t", "-c", path)
    want = [
        "%s:1: warning: UTF-8 byte order mark at the start of the list: "
        "ignored" % lst,
        "%s:2: warning: host bits set in '192.0.2.1/24': read as 192.0.2.0/24"
        % lst,
        "%s:3: warning: IPv4-mapped netblock '::ffff:198.51.100.0/120' is "
        "read as 198.51.100.0/24" % lst,
        "%s:4: error: line too long (1048576 bytes, at most 4096)" % lst,
        "%s:6: error: one netblock per line, not '10.0.0.0/8' followed by "
        "a word of 4 bytes (a word that is not a netblock is not shown; a "
        "comment starts with # or ;)" % lst,
        "%s:7: error: NUL byte in line" % lst,
        "%s:8: warning: duplicate of %s:2" % (lst, lst),
        "%s:3: error: conflicting rules for 203.0.113.0/24: allow at %s:5, "
        "deny at %s:3" % (path, lst, path),
        "%s: 4 errors, 4 warnings" % path,
    ]
    check(rc == 1 and out.splitlines() == want, "%d\n%s\n%r", rc, out, err)


@test
def a_fifo_or_writable_list():
    """A list that is a FIFO (never opened, so nothing waits on a writer)
    or one writable by group or others: -t, -e and a start refuse it at
    the directive's line, exactly, in bounded time; a reload to it fails
    and the rules in force stay."""
    fifo, lst = TMP.join("fifo.txt"), TMP.join("open.txt")
    os.mkfifo(fifo, 0o644)
    os.chmod(fifo, 0o644)
    TMP.write("open.txt", "10.0.0.0/8\n")
    for name, mode, why in (
            (fifo, 0o644, "not a regular file (a FIFO)"),
            (lst, 0o666, "not trusted: file %s is writable by its group and "
             "others (mode 0666)" % lst),
            (lst, 0o646, "not trusted: file %s is writable by others (mode "
             "0646)" % lst),
            (lst, 0o664, "not trusted: file %s is writable by its group "
             "(mode 0664)" % lst)):
        os.chmod(name, mode)
        conf = TMP.write("bad-%s-%o.conf" % (os.path.basename(name), mode),
                         HEAD + "deny file %s\n" % name + USER)
        line = "%s:2: error: deny file %s: %s" % (conf, name, why)
        start = time.monotonic()
        rc, out, err = h.daytimed("-t", "-c", conf, timeout=10)
        check(rc == 1 and out.splitlines() == [
            line, "%s: 1 error, 0 warnings" % conf], "-t: %d %r %r", rc, out,
            err)
        rc, out, err = h.daytimed("-c", conf, "-e", "10.1.2.3", timeout=10)
        check(rc == 2 and out == "" and line in err.splitlines(),
              "-e: %d %r %r", rc, out, err)
        rc, out, err = h.daytimed("-f", "-c", conf, timeout=10)
        check(rc == 1 and line in err.splitlines(), "start: %d %r", rc, err)
        check(time.monotonic() - start < 10, "%.1f s", time.monotonic() -
              start)
    os.chmod(lst, 0o644)
    # a running daemon: the list turns into a FIFO, or writable by
    # others: the reload fails at the directive's line, the list's rules
    # in force
    port = h.free_port()
    with h.SyslogSink() as sink:
        d = h.Daemon(h.daemon_conf(port, sink, listen=("tcp",),
                                   body="allow 127.0.0.0/8\n"
                                   "deny file @DIR@/block.txt\n"),
                     start=False)
        block = os.path.join(d.dir, "block.txt")
        with open(block, "w") as f:
            f.write("127.0.0.2\n")
        os.chmod(block, 0o644)
        n = d.conf_text.splitlines().index("deny file %s" % block) + 1
        with d:
            d.start()
            for fifo_now, why in (
                    (True, "not a regular file (a FIFO)"),
                    (False, "not trusted: file %s is writable by others "
                     "(mode 0646)" % block)):
                os.unlink(block)
                if fifo_now:
                    os.mkfifo(block, 0o644)
                    os.chmod(block, 0o644)
                else:
                    with open(block, "w") as f:
                        f.write("127.0.0.2\n")
                    os.chmod(block, 0o646)
                sink.clear()
                d.signal(signal.SIGHUP)
                rec = sink.wait_for(r"^event=reload result=failed")
                check(h.kv(rec.msg)["error"] == "%s:%d: error: deny file %s: "
                      "%s" % (d.conf, n, block, why), "%r", rec.msg)
                check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)),
                      "127.0.0.1 not answered")
                check(h.tcp_get("127.0.0.1", port, bind=("127.0.0.2", 0)) == b"",
                      "the list's rule lost")
    os.unlink(fifo)


@test
def ten_million_lines():
    # 10M entries do not fit the 64 MiB bound on a file: refused at once.
    path = TMP.join("10m.txt")
    with open(path, "wb") as f:
        chunk = b"1.2.3.4\n" * 100000
        for _ in range(100):
            f.write(chunk)
    os.chmod(path, 0o644)
    conf = TMP.write("10m.conf", HEAD + "deny file 10m.txt\n" + USER)
    rc, out, _ = h.daytimed("-t", "-c", conf, timeout=60)
    check(rc == 1 and out.splitlines()[0] ==
          "%s:2: error: deny file %s: too large (80000000 bytes, at most "
          "67108864)" % (conf, path), "%d %r", rc, out)
    # 10M comment lines fit: read to the end, and said to hold nothing.
    with open(path, "wb") as f:
        chunk = b"#\n" * 100000
        for _ in range(100):
            f.write(chunk)
    rc, out, _ = h.daytimed("-t", "-c", conf, timeout=60)
    check(rc == 0 and out.splitlines() == [
        "%s:2: warning: deny file %s: the list holds no netblock" % (conf, path),
        "%s: ok: 0 rules, 0 IPv4 and 0 IPv6 netblocks, 1 listener, 2 files, "
        "1 warning" % conf], "%d %r", rc, out)
    os.unlink(path)


@test
def show_says_when_its_output_outgrows_a_file():
    # -T prints a rule a line with its FILE:LINE: a list under a long
    # directory name prints more than the 64 MiB -t reads from one file,
    # and -T says so on stderr (its output still whole, exit 0).
    d = TMP.join("d" * 200, "e" * 200)
    os.makedirs(d)
    path = os.path.join(d, "l.txt")
    with open(path, "w") as f:
        for i in range(160000):
            f.write("%d.%d.%d.0/24\n" % (10 + (i >> 16), (i >> 8) & 255,
                                           i & 255))
    os.chmod(path, 0o644)
    conf = TMP.write("big-show.conf", HEAD + "deny file %s\n" % path + USER)
    # the output to a file, not into this process: run_peak's children
    # would inherit a peak RSS of ours as their own (exec keeps it)
    shown = TMP.join("big-show.out")
    with open(shown, "wb") as f:
        r = subprocess.run([h.DAYTIMED, "-T", "-c", conf], stdout=f,
                           stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           timeout=60)
    rc, err, size, rules = r.returncode, r.stderr.decode(), 0, 0
    with open(shown, "rb") as f:
        for chunk in iter(lambda: f.readline(), b""):
            size += len(chunk)
            rules += chunk.startswith(b"deny ")
    os.unlink(shown)
    check(rc == 0 and size > 64 << 20 and rules == 160000 and
          err == "daytimed: warning: -T printed %d bytes, more than the 64 "
          "MiB a configuration file may hold: -t refuses that output as one "
          "file\n" % size, "%d %d %d %r", rc, size, rules, err[:300])
    # a smaller one: no word
    with open(path, "w") as f:
        f.write("10.0.0.0/24\n")
    rc, out, err = h.daytimed("-T", "-c", conf)
    check(rc == 0 and err == "", "%d %r", rc, err)
    os.unlink(path)


@test
def many_diagnostics_bounded():
    # host bits in each of 5000 distinct entries: 5000 warnings
    lst = TMP.write("many.txt", "".join("10.%d.%d.1/31\n" % (i // 256, i % 256)
                                        for i in range(5000)))
    conf = TMP.write("many.conf", HEAD + "allow file many.txt\n" + USER)
    rc, out, _ = h.daytimed("-t", "-c", conf)
    lines = out.splitlines()
    check(rc == 0 and len(lines) == 102, "%d %d lines", rc, len(lines))
    check(lines[100] == "%s: warning: 4900 more warnings not shown (at most "
          "100 of each are shown for one file)" % lst, "%r", lines[100])
    check(lines[101].startswith("%s: ok: 5000 rules" % conf), "%r", lines[101])


def run_peak(argv, timeout=30.0):
    """Run argv to its end, stdout and stderr to files: (status, stdout,
    peak RSS in KB), the peak of that one process (wait4), not of every
    child this script has waited for (RUSAGE_CHILDREN). The kernel counts
    this script's own peak into it (the spawned child starts in our
    memory, and exec keeps the peak): no test here may grow it."""
    out, err = TMP.join("peak.out"), TMP.join("peak.err")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, out, flags, 0o600),
        (os.POSIX_SPAWN_OPEN, 2, err, flags, 0o600)])
    deadline = time.monotonic() + timeout
    while True:
        got, status, ru = os.wait4(pid, os.WNOHANG)
        if got == pid:
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.wait4(pid, 0)
            raise AssertionError("%s: still running after %g s"
                                 % (argv, timeout))
        time.sleep(0.01)
    with open(out) as f:
        return os.waitstatus_to_exitcode(status), f.read(), ru.ru_maxrss


@test
def counted_diagnostics_bounded_as_root():
    # As root the first read holds its diagnostics back until the run
    # user is known; those past the bounds were each kept (a 2M-line junk
    # list took 130 MB): they are counted only, and root's -t says
    # exactly what the run user's says.
    h.need_root()
    lst = TMP.write("junk.txt", b"x\n" * 2000000)
    conf = TMP.write("junk.conf", HEAD + "ident mode off\n"
                     "allow 127.0.0.0/8\ndeny file junk.txt\nuser nobody\n")
    rc, out, peak = run_peak([h.DAYTIMED, "-t", "-c", conf])
    want = ["%s:%d: error: bad netblock (a word of 1 bytes that is not a "
            "netblock; not shown)" % (lst, i) for i in range(1, 101)] + [
        "%s: error: 1999900 more errors not shown (at most 100 of each are "
        "shown for one file)" % lst,
        "%s: 2000000 errors, 0 warnings" % conf]
    check(rc == 1 and out.splitlines() == want, "%d %r", rc, out[-500:])
    # ASan's shadow memory is not the daemon's to bound
    check(h.asan_build() or peak < 64 * 1024, "peak RSS %d KB", peak)
    rc2, out2, _ = h.daytimed("-t", "-c", conf, user="nobody")
    check(rc2 == rc and out2 == out, "as nobody: %d %r", rc2, out2[-500:])


@test
def reload_rereads_lists():
    port = h.free_port()
    with h.SyslogSink() as sink:
        conf = h.daemon_conf(port, sink, listen=("tcp",),
                             body="allow 127.0.0.0/8\n"
                             "deny file @DIR@/block.txt\n")
        d = h.Daemon(conf, start=False)
        block = os.path.join(d.dir, "block.txt")

        def put(text):
            with open(block + ".new", "w") as f:
                f.write(text)
            os.chmod(block + ".new", 0o644)
            os.rename(block + ".new", block)

        put("# nothing yet\n")
        with d:
            d.start()
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)),
                  "not allowed at start")
            # the list gains an entry: HUP, and the entry decides
            put("; blocklist\n127.0.0.2\n127.0.0.1 ; SBL1\n")
            d.signal(signal.SIGHUP)
            sink.wait_for(r"^event=reload result=ok rules=3 ")
            check(h.tcp_get("127.0.0.1", port) == b"", "list not applied")
            rec = sink.wait_for(r"^conn=.* decision=deny")
            check(h.kv(rec.msg)["rule"] == "%s:3" % block, "%r", rec.msg)
            # a broken list: the reload fails and the old rules stay
            put("127.0.0.1\n127.0.0.0/33\n")
            sink.clear()
            d.signal(signal.SIGHUP)
            rec = sink.wait_for(r"^event=reload result=failed")
            check("block.txt:2: error: bad netblock '127.0.0.0/33'"
                  in h.kv(rec.msg)["error"], "%r", rec.msg)
            check(h.tcp_get("127.0.0.1", port) == b"", "old rules lost")
            # a list gone: the same
            os.unlink(block)
            sink.clear()
            d.signal(signal.SIGHUP)
            rec = sink.wait_for(r"^event=reload result=failed")
            check("deny file %s: cannot open: No such file or directory"
                  % block in h.kv(rec.msg)["error"], "%r", rec.msg)
            check(h.tcp_get("127.0.0.1", port) == b"", "old rules lost")



@test
def lists_over_the_bundle_cap():
    # 4 lists of 60 MB fit the 256 MiB a reload hands over in one piece;
    # a fifth does not: -t, a start and a reload all fail at its line,
    # saying so (the reload once said "not read by the monitor")
    port = h.free_port()
    line = b"#" + b"x" * 998 + b"\n"
    with h.SyslogSink() as sink:
        body = "allow 127.0.0.0/8\n" + "".join(
            "deny file @DIR@/huge%d\n" % i for i in range(4))
        d = h.Daemon(h.daemon_conf(port, sink, listen=("tcp",), body=body),
                     start=False, timeout=60)
        for i in range(5):
            with open(os.path.join(d.dir, "huge%d" % i), "wb") as f:
                for _ in range(60):
                    f.write(line * 1000)
            os.chmod(os.path.join(d.dir, "huge%d" % i), 0o644)
        with d:
            d.start()
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)),
                  "not answered")
            text = d.conf_text + "deny file %s/huge4\nallow 10.0.0.0/8\n" \
                % d.dir
            n = text.count("\n") - 1
            want = ("deny file %s/huge4: the files named by the "
                    "configuration exceed 256 MiB in all" % d.dir)
            d.reload(text)
            rec = sink.wait_for(r"^event=reload result=failed", timeout=60)
            check(h.kv(rec.msg)["error"] == "%s:%d: error: %s"
                  % (d.conf, n, want), "%r", rec.msg)
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)),
                  "old rules lost")
            rc, out, _ = h.daytimed("-t", "-c", d.conf, timeout=60)
            check(rc == 1 and out.splitlines()[-2:] == [
                "%s:%d: error: %s" % (d.conf, n, want),
                "%s: 1 error, 4 warnings" % d.conf], "%d %r", rc, out)
            # refused before it binds: the port in use makes no difference
            rc, _, err = h.daytimed("-f", "-c", d.conf, timeout=60)
            check(rc == 1 and want in err, "start: %d %r", rc, err)


if __name__ == "__main__":
    h.main()
