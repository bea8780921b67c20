#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The command line without a running daemon: -t, -e, -V, -h, usage errors
and hostile configuration files, with exact output and exit codes."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

TMP = h.TempDir("dtc-", at_exit=True)
HEAD = "listen tcp 127.0.0.1:20013\nident mode rules\n"


@test
def version_and_help():
    rc, out, _ = h.daytimed("-V")
    check(rc == 0 and out.startswith("daytimed "), "%r", out)
    rc, out2, _ = h.daytimed("--version")
    check(rc == 0 and out2 == out, "%r", out2)
    rc, out, _ = h.daytimed("-h")
    check(rc == 0 and "usage: daytimed" in out and "-e ADDR" in out, "%r", out)
    rc, out, _ = h.daytimed("--help")
    check(rc == 0 and "usage: daytimed" in out, "%r", out)


@test
def usage_errors_exit_2():
    # What was wrong comes first, naming the culprit; then the usage text.
    for args, first in (
            (["-x"], "unknown option -x"),
            (["--bogus"], "unknown option --bogus"),
            (["stray"], "unexpected argument 'stray'"),
            (["-t", "-e", "1.2.3.4"], "-t and -e cannot be combined"),
            # a second -e would replace the first one's ADDR (and USER)
            (["-e", "9.9.9.9", "bob", "-e", "1.2.3.4"],
             "-e given twice: one ADDR a run (-e - reads a stream of them)"),
            (["-e", "-", "--explain=1.2.3.4"],
             "-e given twice: one ADDR a run (-e - reads a stream of them)"),
            # a second -c or -p would silently replace the first
            (["-t", "-c", "a.conf", "--config=b.conf"],
             "-c given twice: one configuration file a run"),
            (["-r", "-p", "a.pid", "-p", "b.pid"],
             "-p given twice: one pidfile a run"),
            # a value for a long option that takes none, named as given
            (["--test=x"], "option --test takes no argument"),
            (["--foreground=1"], "option --foreground takes no argument"),
            (["--sho=1"], "option --sho takes no argument"),
            (["--config=c.conf", "-x"], "unknown option -x"),
            (["-c"], "option -c needs an argument"),
            (["-e", "1.2.3.4", "alice", "bob"],
             "unexpected argument 'bob' (-e takes ADDR and at most one USER)"),
            (["-e", "-", "alice"],
             "unexpected argument 'alice' (-e - reads its queries from "
             "stdin)"),
            (["-T", "-d"], "-d runs the daemon: not with -T"),
            (["-r", "-i"], "-i cannot be combined with -r"),
            (["-i", "-f"], "-f is not for -i: the super server runs it in "
             "the foreground"),
            (["-t", "-p", "x.pid"], "-p is for running the daemon and for "
             "-r only")):
        rc, out, err = h.daytimed(*args)
        lines = err.splitlines()
        check(rc == 2 and out == "" and len(lines) > 1 and
              lines[0] == "daytimed: " + first and
              lines[1].startswith("usage: daytimed "), "%r: %d %r", args,
              rc, err)


@test
def test_mode_ok_summary():
    inc = TMP.join("rules.d")
    os.makedirs(inc, exist_ok=True)
    TMP.write("rules.d/b.rules", "deny 10.1.0.0/16\n")
    TMP.write("rules.d/a.rules", "allow 2001:db8::/32\n")
    # started as root, a start needs a user to run as: -t says so too
    user = "user nobody\n" if os.geteuid() == 0 else ""
    path = TMP.write("ok.conf", HEAD + "allow 10.0.0.0/8\n"
                     "include rules.d/*.rules\ninclude rules.d/none-*.rules\n"
                     + user)
    rc, out, err = h.daytimed("-t", "-c", path)
    check(rc == 0, "rc %d %r %r", rc, out, err)
    check(out == "%s: ok: 3 rules, 2 IPv4 and 1 IPv6 netblocks, 1 listener, "
          "3 files, 0 warnings\n" % path, "%r", out)
    rc, out, err = h.daytimed("--test", "--config", path)
    check(rc == 0, "long options")


@test
def test_mode_errors_with_file_and_line():
    path = TMP.write("bad.conf", HEAD +
                     "allow 10.0.0.0/8\n"             # 3
                     "deny 10.0.0.0/8\n"              # 4: conflict
                     "allow 010.0.0.1\n"              # 5: octal-looking
                     "frobnicate on\n"                # 6
                     "listen sctp 127.0.0.1:1\n"      # 7
                     "ident timeout 0\n"              # 8
                     "limit connections -1\n"         # 9
                     "allow 10.2.0.0/16 user\n"       # 10
                     "user a\nuser b\n"               # 11, 12
                     "syslog facility kern\n"         # 13
                     "allow 10.3.0.1/16\n"            # 14: warning, host bits
                     "allow 10.4.0.0/16 user alice\n"  # 15: warning, spoofable
                     )
    rc, out, err = h.daytimed("-t", "-c", path)
    check(rc == 1, "rc %d", rc)
    # every line exact, in the order -t gives them: the lines as read,
    # then the rules' conflicts, the spoofable ident warning, the count
    want = [
        "%s:5: error: bad netblock '010.0.0.1': leading zero in IPv4 octet",
        "%s:6: error: unknown directive 'frobnicate'",
        "%s:7: error: listen: protocol must be tcp or udp, not 'sctp'",
        "%s:8: error: ident timeout must be from 0.001 to 300 seconds "
        "(up to 6 decimals), not '0'",
        "%s:9: error: limit connections must be off or a number from 1 to "
        "1000000, not '-1'",
        "%s:10: error: usage: allow NETBLOCK [user NAME]",
        "%s:12: error: 'user NAME' given twice (first at %s:11)",
        "%s:13: error: unknown syslog facility 'kern' (daemon, auth, "
        "authpriv, local0 ... local7)",
        "%s:14: warning: host bits set in '10.3.0.1/16': read as "
        "10.3.0.0/16",
        "%s:4: error: conflicting rules for 10.0.0.0/8: allow at %s:3, "
        "deny at %s:4",
        "%s:15: warning: allow by ident user 'alice' can be spoofed by "
        "anyone who controls the client host",
        "%s: 9 errors, 2 warnings",
    ]
    want = [w.replace("%s", path) for w in want]
    check(out.splitlines() == want, "-t said:\n%s\nnot:\n%s", out,
          "\n".join(want))


@test
def what_a_start_would_refuse_or_a_terminal_hides():
    """-t says what a start would refuse (a user name past its bound, even
    one the system knows) and what a terminal would hide: a rule's user
    name with a bidi override, shown byte by byte by -t and by -T, whose
    line still reads back the same."""
    path = TMP.write("long-user.conf", "listen tcp 127.0.0.1:1313\n"
                     "user %s\nallow 10.0.0.0/8\n" % ("u" * 300))
    rc, out, err = h.daytimed("-t", "-c", path)
    check(rc == 1 and "%s:2: error: user name too long (300 bytes, at most "
          "255)" % path in out, "rc %d: %s%s", rc, out, err)
    path = TMP.write("odd.conf", ("listen tcp 127.0.0.1:1313\nuser nobody\n"
                                  "ident mode rules\nallow 10.0.0.0/8\n"
                                  "deny 10.0.0.0/8 user \u202eyrollam\n"
                                  ).encode())
    rc, out, err = h.daytimed("-t", "-c", path)
    check(rc == 0 and "%s:5: warning: user name '\\xe2\\x80\\xaeyrollam' "
          "holds bytes outside printable ASCII" % path in out,
          "-t: %d %s%s", rc, out, err)
    r = h.run([h.DAYTIMED, "-T", "-c", path])
    shown = r.stdout.decode("utf-8", "replace").splitlines()
    i = next(k for k, l in enumerate(shown) if l.startswith("deny "))
    check(shown[i].startswith("deny 10.0.0.0/8 user \u202eyrollam ") and
          shown[i + 1] == "# the user name above, byte by byte: "
          "'\\xe2\\x80\\xaeyrollam'", "-T: %r", shown[i:i + 2])


@test
def hostile_files():
    long_line = b"allow 10.0.0.0/8 user " + b"a" * 5000 + b"\n"
    cases = [
        ("nul.conf", HEAD.encode() + b"allow 10.0.0.0/8\x00\n",
         ":3: error: NUL byte in line"),
        ("ctl.conf", HEAD.encode() + b"allow 10.0.0.0/8 user a\x1bb\n",
         ":3: error: control byte \\x1b in line"),
        ("long.conf", HEAD.encode() + long_line,
         ":3: error: line too long (5022 bytes, at most 4096)"),
        ("user.conf", HEAD.encode() + b"allow 10.0.0.0/8 user " + b"u" * 513
         + b"\n", ":3: error: user name too long (513 bytes, at most 512)"),
        ("loop.conf", HEAD.encode() + b"include loop.conf\n",
         ":3: error: include loop: "),
        ("missing.conf", HEAD.encode() + b"include nowhere.conf\n",
         ":3: error: include %s/nowhere.conf: no such file" % TMP.path),
    ]
    for name, data, want in cases:
        path = TMP.write(name, data)
        rc, out, err = h.daytimed("-t", "-c", path)
        check(rc == 1 and (path + want) in out, "%s: %d %r", name, rc, out)
    rc, out, _ = h.daytimed("-t", "-c", TMP.path)
    check(rc == 1 and "is a directory" in out, "%r", out)
    rc, out, _ = h.daytimed("-t", "-c", TMP.join("absent.conf"))
    check(rc == 1 and "cannot open: No such file or directory" in out, "%r", out)
    # a file the user running -t may not read: root's 0600 read by nobody
    # (root reads anything), else our own with no permission at all
    path = TMP.write("unreadable.conf", HEAD, mode=0o600)
    if os.geteuid() == 0:
        os.chown(path, 0, 0)
        rc, out, err = h.daytimed("-t", "-c", path, user="nobody",
                                  group="nogroup")
    else:
        os.chmod(path, 0)
        rc, out, err = h.daytimed("-t", "-c", path)
    check(rc == 1 and out == "%s: error: cannot open: Permission denied\n"
          "%s: 1 error, 0 warnings\n" % (path, path),
          "unreadable: %d %r %r", rc, out, err)
    # the daemon itself refuses to start, exit 1, FILE:LINE on stderr
    rc, out, err = h.daytimed("-f", "-c", TMP.join("nul.conf"))
    check(rc == 1 and ":3: error: NUL byte in line" in err, "%d %r", rc, err)


def dash_t_list(name, data, before=""):
    """-t of a configuration whose one list file holds data: rc, lines."""
    lst = TMP.write(name, data)
    user = "user nobody\n" if os.geteuid() == 0 else ""
    conf = TMP.write(name + ".conf", HEAD + before + user +
                     "deny file %s\n" % name)
    rc, out, _ = h.daytimed("-t", "-c", conf)
    return rc, out.splitlines(), lst, conf


@test
def list_comment_bytes():
    # a NUL or control byte is an error in a list's comment too; a tab is not
    rc, lines, lst, conf = dash_t_list(
        "cmt.txt", b"1.2.3.0/24 ; SBL\x001\n5.6.7.0/24 # \x1b[31mred\n"
        b"10.0.0.0/8 ;\tSBL2\n")
    check(rc == 1 and lines == [
        "%s:1: error: NUL byte in line" % lst,
        "%s:2: error: control byte \\x1b in line" % lst,
        "%s: 2 errors, 0 warnings" % conf], "%d %r", rc, lines)


@test
def list_of_another_file_not_echoed():
    # a list pointed at a shadow file or a key shows none of their words
    shadow = "root:*:20228:0:99999:7:::\nbob:$y$j9T$s$h:20228::::::\n"
    rc, lines, lst, conf = dash_t_list(
        "shadow", shadow + "0123456789abcdef" * 4 + "\n"
        "10.0.0.0/8 SBL1\n10.0.0.0/33\n")
    check(rc == 1 and lines == [
        "%s:1: error: bad netblock (a word of 25 bytes that is not a "
        "netblock; not shown)" % lst,
        "%s:2: error: bad netblock (a word of 26 bytes that is not a "
        "netblock; not shown)" % lst,
        "%s:3: error: bad netblock (a word of 64 bytes that is not a "
        "netblock; not shown)" % lst,
        "%s:4: error: one netblock per line, not '10.0.0.0/8' followed by a "
        "word of 4 bytes (a word that is not a netblock is not shown; a "
        "comment starts with # or ;)" % lst,
        "%s:5: error: bad netblock '10.0.0.0/33': prefix length out of range"
        % lst,
        "%s: 5 errors, 0 warnings" % conf], "%d %r", rc, lines)


@test
def list_warnings_hide_no_error():
    # 150 host-bits warnings cannot use up the room of the error after them
    rc, lines, lst, conf = dash_t_list(
        "hbmany", "".join("10.%d.%d.1/31\n" % (i // 256, i % 256)
                          for i in range(150)) + "10.0.0.0/8\n",
        "allow 10.0.0.0/8\n")
    check(rc == 1 and len(lines) == 103 and lines[99] ==
          "%s:100: warning: host bits set in '10.0.99.1/31': read as "
          "10.0.99.0/31" % lst and lines[100:] == [
              "%s:151: error: conflicting rules for 10.0.0.0/8: allow at "
              "%s:3, deny at %s:151" % (lst, conf, lst),
              "%s: warning: 50 more warnings not shown (at most 100 of each "
              "are shown for one file)" % lst,
              "%s: 1 error, 150 warnings" % conf], "%d %r", rc, lines[99:])


@test
def test_mode_counts_problems_not_lines():
    # the summary counts every problem, shown or not, and not the sum line
    rc, lines, lst, conf = dash_t_list(
        "bad150.txt", "".join("bad%d\n" % i for i in range(150)))
    check(rc == 1 and len(lines) == 102 and lines[100:] == [
        "%s: error: 50 more errors not shown (at most 100 of each are shown "
        "for one file)" % lst,
        "%s: 150 errors, 0 warnings" % conf], "%d %r", rc, lines[99:])
    rc, lines, lst, conf = dash_t_list("dup151.txt", "10.0.0.0/8\n" * 151)
    check(rc == 0 and len(lines) == 102 and lines[100:] == [
        "%s: warning: 50 more warnings not shown (at most 100 of each are "
        "shown for one file)" % lst,
        "%s: ok: 151 rules, 1 IPv4 and 0 IPv6 netblocks, 1 listener, 2 "
        "files, 150 warnings" % conf], "%d %r", rc, lines[99:])


@test
def test_mode_mapped_half_never_decides():
    # ::ffff:0:0/96, the other half of the /95, is judged by IPv4 rules
    user = "user nobody\n" if os.geteuid() == 0 else ""
    path = TMP.write("mapped.conf", HEAD + "allow ::fffe:0:0/95\n"
                     "deny ::fffe:0:0/96\n" + user)
    rc, out, err = h.daytimed("-t", "-c", path)
    check(rc == 0 and out == (
        "%s:3: warning: rule for ::fffe:0:0/95 can never decide: more "
        "specific netblocks with rules cover every address in it but the "
        "IPv4-mapped ones, which IPv4 rules judge\n"
        "%s: ok: 2 rules, 0 IPv4 and 2 IPv6 netblocks, 1 listener, 1 file, "
        "1 warning\n") % (path, path), "%d %r %r", rc, out, err)


@test
def test_mode_mapped_address_short_prefix():
    # ::ffff:10.0.0.0/8 would be ::/8, not 10.0.0.0/8: refused, and the
    # same netblock written from its first address is accepted
    why = ("prefix shorter than /96 on an IPv4-mapped address (an IPv4 "
           "netblock is a.b.c.d/n; an IPv6 one is written from its first "
           "address)")
    user = "user nobody\n" if os.geteuid() == 0 else ""
    path = TMP.write("short.conf", HEAD + "allow ::ffff:10.0.0.0/8\n"
                     "deny ::ffff:0:0/95\nallow ::fffe:0:0/95\n" + user)
    rc, out, err = h.daytimed("-t", "-c", path)
    check(rc == 1 and out == (
        "%s:3: error: bad netblock '::ffff:10.0.0.0/8': %s\n"
        "%s:4: error: bad netblock '::ffff:0:0/95': %s\n"
        "%s: 2 errors, 0 warnings\n") % (path, why, path, why, path),
        "%d %r %r", rc, out, err)


@test
def listen_addresses_that_never_bind():
    """-t refuses what a start could never bind (an IPv4-mapped address on
    an IPv6-only socket, link-local without a zone, a zone), saying what
    to write instead; -T shows an address as it was read."""
    cases = [
        ("[::ffff:127.0.0.1]:1313", "an IPv4-mapped address, which the "
         "IPv6-only socket cannot bind; write it as IPv4 (A.B.C.D:PORT)"),
        ("[fe80::1]:1313", "a link-local address binds only with a zone, "
         "which listen does not take; listen on [::] or a global or ULA "
         "address"),
        ("[fe80::1%lo]:1313", "a zone (%IFACE) is not supported in a "
         "listen line; listen on [::] or a global or ULA address"),
    ]
    for addr, why in cases:
        path = TMP.write("nb.conf", "listen tcp %s\nuser nobody\n"
                         "allow ::1\n" % addr)
        rc, out, err = h.daytimed("-t", "-c", path)
        want = "%s:1: error: listen: %s: '%s'\n" % (path, why, addr)
        check(rc == 1 and out.startswith(want), "%s: %d %r %r", addr, rc,
              out, err)
    path = TMP.write("norm.conf", "listen tcp [FD00:0::01]:1313\n"
                     "listen udp [0:0::1]:1313\nuser nobody\nallow ::1\n")
    rc, out, err = h.daytimed("-t", "-c", path)
    check(rc == 0, "%d %r %r", rc, out, err)
    r = h.run([h.DAYTIMED, "-T", "-c", path])
    got = [l.split("#")[0].rstrip() for l in r.stdout.decode().splitlines()
           if l.startswith("listen ")]
    check(got == ["listen tcp [fd00::1]:1313", "listen udp [::1]:1313"],
          "%r", got)


@test
def explain_decisions():
    path = TMP.write("ex.conf", HEAD +
                     "allow 10.0.0.0/8\n"                 # 3
                     "deny 10.1.0.0/16\n"                 # 4
                     "allow 10.1.0.0/16 user alice\n"     # 5
                     "deny 10.2.0.0/16 user mallory\n"    # 6
                     "allow 2001:db8::/32\n"              # 7
                     )
    cases = [
        (["10.9.9.9"], 0, "allow rule=%s:3 netblock=10.0.0.0/8 ident=none"),
        (["10.1.2.3"], 1, "deny rule=%s:4 netblock=10.1.0.0/16 ident=lookup"),
        (["10.1.2.3", "alice"], 0,
         "allow rule=%s:5 netblock=10.1.0.0/16 ident=lookup"),
        (["10.1.2.3", "Alice"], 1,
         "deny rule=%s:4 netblock=10.1.0.0/16 ident=lookup"),
        # the most specific netblock decides; 10/8 is not consulted
        (["10.2.0.1"], 1, "deny rule=default netblock=10.2.0.0/16 ident=lookup"),
        (["::ffff:10.9.9.9"], 0,
         "allow rule=%s:3 netblock=10.0.0.0/8 ident=none"),
        (["2001:db8::1"], 0, "allow rule=%s:7 netblock=2001:db8::/32 ident=none"),
        (["192.0.2.1"], 1, "deny rule=default netblock=none ident=none"),
    ]
    for args, code, want in cases:
        rc, out, err = h.daytimed("-c", path, "-e", *args)
        want = want % path if "%s" in want else want
        check(rc == code and out == want + "\n", "%r: %d %r %r", args, rc,
              out, err)
    rc, out, err = h.daytimed("-c", path, "-e", "10.0.0.300")
    check(rc == 2 and "not an IPv4 or IPv6 address" in err, "%r", err)
    rc, out, err = h.daytimed("-c", TMP.join("nul.conf"), "-e", "10.0.0.1")
    check(rc == 2, "config error with -e exits 2, got %d", rc)


if __name__ == "__main__":
    h.main()
