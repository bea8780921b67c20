#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""daytimed-audit report end to end: the REAL daemon writes a known mix
of connections and datagrams (allow, deny, drop by two limits; every
ident status, from scripted ident servers on 127.0.0.11-16; a hostile
ident name) through a private rsyslogd with the package's routing
snippet, and the report on that audit.log is checked number by number,
as a page (80 columns, escaped) and as JSON (read back by python's json).
Then --config (rules that never hit, in the file and in a list file, a
netblock only ever denied by default, a configuration that fails; the
rules from the real `daytimed -T`), a sealed log with a tampered
record and an unparseable line (said at the top), and bad input: 1 MB
lines, binary junk, unknown keys, --since after --until."""

import atexit
import gzip
import json
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

TOP = os.environ.get("TOP_SRCDIR") or os.path.join(h.HERE, "..", "..")
SNIPPET = os.path.join(TOP, "packaging", "rsyslog", "daytimed.conf")
LOGDIR = "/var/log/daytimed"
TMP = h.TempDir("dtrep-", at_exit=True)
FORGED = b'root\x1b[31m "x" decision=allow'
_log = {}

# The configuration's rule lines, numbered as the file will number them
# (the listen, syslog, ident and limit lines come first: see conf()).
RULES = [
    "allow 127.0.0.11 user alice",     # hit 3 times (ok, alice)
    "deny 127.0.0.11",                 # never: alice always answers
    "allow 127.0.0.12 user bob",       # never: the ident server errs
    "deny 127.0.0.12",                 # hit 2 times (error:NO-USER)
    "allow 127.0.0.13 user carol",     # never: the ident server is silent
    "allow 127.0.0.13",                # hit once (timeout)
    "allow 127.0.0.14 user dave",      # never: nothing answers ident
    "deny 127.0.0.15 user mallory",    # never: the answer is garbage
    "allow 127.0.0.15",                # hit once (malformed)
    "allow 127.0.0.16 user eve",       # never: the answer is forged
    "deny 127.0.0.16",                 # hit once (ok, the forged name)
    "allow 127.0.0.17",                # TCP 2, UDP 1 (skipped)
    "allow 192.0.2.0/24",              # never: no such traffic
    "allow ::1",                       # hit once over IPv6, when there is
    "allow file @LIST@",               # LIST's rules, below
]
# The list file's lines: each a rule of its own, LIST:LINE.
LIST = [
    "# partners of the list",
    "127.0.0.19",                      # LIST:2, hit once (TCP)
    "198.51.100.0/24",                 # LIST:3, never
]


def conf(port, sock, identport, extra=""):
    """The daemon's configuration; the rule of RULES[i] is on line
    RULE_LINE0 + i."""
    head = ("listen tcp 127.0.0.1:%d\nlisten udp 127.0.0.1:%d\n" % (port, port))
    if h.have_ipv6():
        head += "listen tcp [::1]:%d\n" % port
    else:
        head += "# no IPv6 loopback\n"
    head += ("syslog socket %s\nident mode rules\nident timeout 3\n"
             "ident port %d\nlimit per-source 1\nlimit udp-rate 1\n%s"
             % (sock, identport, extra))
    head += "user nobody\n" if os.geteuid() == 0 else "# not root\n"
    return head, head + "".join(r.replace("@LIST@", list_file()) + "\n"
                                for r in RULES)


def list_file():
    """The list file of RULES, written once."""
    path = TMP.join("partners.list")
    if not os.path.exists(path):
        TMP.write("partners.list", "".join(l + "\n" for l in LIST))
    return path


def rule_line(i, head):
    return head.count("\n") + 1 + i


def prepare(root):
    with open(SNIPPET) as f:
        text = f.read().replace(LOGDIR, root + LOGDIR)
    os.mkdir(os.path.join(root, "rsyslog.d"))
    with open(os.path.join(root, "rsyslog.d", "daytimed.conf"), "w") as f:
        f.write(text)


def tcp_from(src, port):
    """One TCP exchange from src; the answer (b"" when denied)."""
    return h.tcp_get("127.0.0.1", port, bind=(src, 0), timeout=10)


def wait_lookup(identport, timeout=5):
    """Until the daemon's ident connection to a silent server is up."""
    return h.poll_until(lambda: any(
        r == identport and st == h.TCP_ESTABLISHED
        for _, r, st in h.tcp_sockets()), timeout)


def make_log():
    """Run the daemon through the mix once; the audit.log and facts."""
    if _log:
        return _log
    rs = h.Rsyslog(include="@DIR@/rsyslog.d/*.conf", prepare=prepare)
    audit = rs.dir + LOGDIR + "/audit.log"
    ok = h.FakeIdent("ok", "alice", host="127.0.0.11")
    idp = ok.port
    servers = [ok, h.FakeIdent("error", host="127.0.0.12", port=idp),
               h.FakeIdent("silent", host="127.0.0.13", port=idp),
               h.FakeIdent("garbage", host="127.0.0.15", port=idp),
               h.FakeIdent("forged", host="127.0.0.16", port=idp)]
    try:
        port = h.free_port("both")
        head, text = conf(port, rs.sock, idp)
        d = h.Daemon(text, ready="proc")
        try:
            for _ in range(3):
                check(tcp_from("127.0.0.11", port), "alice is answered")
            for _ in range(2):
                check(tcp_from("127.0.0.12", port) == b"", ".12 denied")
            # .13: its lookup hangs for the 3 s timeout; meanwhile a
            # second connection from it is over the per-source limit
            s = socket.create_connection(("127.0.0.1", port), 10,
                                         ("127.0.0.13", 0))
            check(wait_lookup(idp), "the lookup for .13 started")
            check(h.tcp_talk("127.0.0.1", port, 10, ("127.0.0.13", 0),
                             reset_ok=True)[0] == b"",
                  "the second .13 connection is dropped")
            s.settimeout(10)
            data, how = h.read_to_eof(s, time.monotonic() + 10)
            s.close()
            check(data, ".13 answered after the ident timeout: %r", how)
            for _ in range(2):
                check(tcp_from("127.0.0.14", port) == b"", ".14 denied")
            check(tcp_from("127.0.0.15", port), ".15 allowed")
            check(tcp_from("127.0.0.16", port) == b"", ".16 denied")
            for _ in range(2):
                check(tcp_from("127.0.0.17", port), ".17 allowed")
            check(tcp_from("127.0.0.18", port) == b"", ".18 denied")
            check(tcp_from("127.0.0.19", port), ".19 allowed by the list")
            v6 = h.have_ipv6()
            if v6:
                check(h.tcp_get("::1", port, timeout=10), "::1 allowed")
            # UDP: three at once from .17 (one answered, two dropped by
            # udp-rate 1), one from .18 (denied)
            with h.udp_open(port, "127.0.0.1", ("127.0.0.17", 0)) as u:
                for _ in range(3):
                    u.send(b"")
                check(h.recv_or_none(u, 5), "the first datagram is answered")
            check(h.udp_get("127.0.0.1", port, bind=("127.0.0.18", 0),
                            timeout=0.3) is None, ".18 UDP denied")
            want = 19 + (1 if v6 else 0)
            h.poll_until(lambda: rs.text(audit).count(" conn=") >= want, 10)
        finally:
            d.stop()
            # its configuration stays where the records say the rules are
            atexit.register(d.cleanup)
        rs.wait_for("event=stop", path=audit)
        with open(audit, "rb") as f:
            data = f.read()
    finally:
        for s in servers:
            s.close()
        rs.close()
    _log.update(path=TMP.write("audit.log", data), head=head, v6=v6,
                conf=d.conf, data=data)
    return _log


def report(*args, **kw):
    rc, out, err = h.daytimed_audit("report", *args, **kw)
    return rc, out, err


def report_json(*args):
    rc, out, err = report("--json", *args)
    check(rc == 0, "report --json exit 0: %d %s", rc, err)
    return json.loads(out)


def check_page(out):
    for i, line in enumerate(out.split("\n")):
        check(len(line) <= 80, "line %d has %d columns: %r", i + 1,
              len(line), line)
        check(all(0x20 <= ord(c) < 0x7f for c in line),
              "line %d has a byte outside printable ASCII: %r", i + 1, line)


@test(timeout=120)
def numbers():
    log = make_log()
    j = report_json(log["path"])
    # logrotate's .gz copy (named without .gz too) and stdin: the same
    packed = gzip.compress(log["data"])
    gz = TMP.write("audit.log.2.gz", packed)
    for args, stdin in (((gz,), None), ((TMP.write("rotated", packed),), None),
                        ((), log["data"])):
        rc, out, err = report("--json", *args, input=stdin)
        check(rc == 0, "report %s: %d %s", args, rc, err)
        k = json.loads(out)
        check(k["totals"] == j["totals"] and k["input"]["records"] ==
              j["input"]["records"], "%s reads as the plain file: %r",
              args or "stdin", k["totals"])
    v6 = 1 if log["v6"] else 0
    t = j["totals"]
    check(t["tcp"]["ipv4"] == {"allow": 8, "deny": 6, "drop": 1},
          "tcp ipv4: %r", t["tcp"]["ipv4"])
    check(t["tcp"]["ipv6"] == {"allow": v6, "deny": 0, "drop": 0},
          "tcp ipv6: %r", t["tcp"]["ipv6"])
    check(t["udp"]["ipv4"] == {"allow": 1, "deny": 1, "drop": 2},
          "udp ipv4: %r", t["udp"]["ipv4"])
    check(j["input"]["records"] == 19 + v6, "records: %r", j["input"])
    check(j["input"]["events"] == {"start": 1, "stop": 1}, "events: %r",
          j["input"]["events"])
    check(j["input"]["unparsed"]["count"] == 0, "unparsed: %r",
          j["input"]["unparsed"])
    st = j["ident"]["status"]
    check(st == {"ok": 4, "error": 2, "timeout": 1, "refused": 2,
                 "unreachable": 0, "malformed": 1, "skipped": 9 + v6,
                 "other": 0}, "ident status: %r", st)
    check(j["ident"]["error_types"] == {"NO-USER": 2}, "error types: %r",
          j["ident"]["error_types"])
    conf = log["conf"]
    rules = {(r["rule"], r["netblock"]): r for r in j["rules"]["rows"]}

    def hits(i, net):
        r = rules.get(("%s:%d" % (conf, rule_line(i, log["head"])), net))
        return None if r is None else (r["count"], r["allow"], r["deny"],
                                       r["drop"])
    check(hits(0, "127.0.0.11/32") == (3, 3, 0, 0), "alice's rule: %r",
          hits(0, "127.0.0.11/32"))
    check(hits(3, "127.0.0.12/32") == (2, 0, 2, 0), "deny .12")
    check(hits(5, "127.0.0.13/32") == (1, 1, 0, 0), "allow .13")
    check(hits(8, "127.0.0.15/32") == (1, 1, 0, 0), "allow .15")
    check(hits(10, "127.0.0.16/32") == (1, 0, 1, 0), "deny .16")
    check(hits(11, "127.0.0.17/32") == (3, 3, 0, 0), "allow .17")
    check(rules[("default", "127.0.0.14/32")]["deny"] == 2, "default .14")
    r = rules.get(("%s:2" % list_file(), "127.0.0.19/32"))
    check(r is not None and r["allow"] == 1, "the list's rule: %r", r)
    check(rules[("default", None)]["deny"] == 2, "default, no netblock")
    check(rules[("limit:per-source", None)]["drop"] == 1, "per-source")
    check(rules[("limit:udp-rate", None)]["drop"] == 2, "udp-rate")
    check(j["rules"]["others"] == 0, "no others: %r", j["rules"]["others"])
    src = {r["source"]: r["count"] for r in j["denied_sources"]["rows"]}
    check(src == {"127.0.0.12": 2, "127.0.0.14": 2, "127.0.0.16": 1,
                  "127.0.0.18": 2}, "denied sources: %r", src)
    drops = j["drops"]
    check(drops["per-source"]["count"] == 1 and
          drops["per-source"]["sources"][0]["source"] == "127.0.0.13",
          "per-source drops: %r", drops)
    check(drops["udp-rate"]["count"] == 2 and
          drops["udp-rate"]["sources"][0]["source"] == "127.0.0.17",
          "udp-rate drops: %r", drops)
    names = {n["netblock"]: {x["name"]: x["count"] for x in n["names"]}
             for n in j["ident"]["names"]}
    forged = '"root\\x1b[31m \\"x\\" decision%sallow"'
    check(names["127.0.0.11/32"] == {"alice": 3}, "names: %r", names)
    check(list(names["127.0.0.16/32"].values()) == [1] and
          list(names["127.0.0.16/32"])[0] in (forged % "=", forged % "\\x3d"),
          "the forged name, escaped: %r", names["127.0.0.16/32"])
    rows = j["histogram"]["rows"]
    check(sum(r["allow"] + r["deny"] + r["drop"] for r in rows) == 19 + v6,
          "the histogram adds up: %r", rows)
    check(j["verification"]["checked"] is False and
          j["verification"]["sealed_records"] == 0, "not sealed: %r",
          j["verification"])


@test(timeout=120)
def page():
    log = make_log()
    rc, out, err = report(log["path"])
    check(rc == 0, "report exit 0: %d %s", rc, err)
    check_page(out)
    # the same figures on the page
    check(re.search(r"^  tcp IPv4 +8 +6 +1 +15$", out, re.M), "tcp row:\n%s",
          out)
    check(re.search(r"^  udp IPv4 +1 +1 +2 +4$", out, re.M), "udp row")
    check(re.search(r"^ +4  ok$", out, re.M), "ok 4")
    check(re.search(r"^ +2  error: NO-USER 2$", out, re.M), "error:NO-USER")
    check(re.search(r"^ +2  refused$", out, re.M), "refused 2")
    check("no sealed records" in out.split("Period")[0],
          "the top says there is nothing to verify")
    # the forged name is shown escaped, its count in its column
    m = re.search(r'^ +1    ("root\\x1b\[31m \\"x\\" decision(=|\\x3d)allow")$',
                  out, re.M)
    check(m, "the forged name, escaped, in its column:\n%s",
          out.split("Ident names")[1])
    check("\x1b" not in out, "no raw escape byte")
    check(out.index("Verification") < out.index("Period") <
          out.index("Totals") < out.index("Per hour") <
          out.index("Deciding rules") < out.index("Top denied sources") <
          out.index("Top denied netblocks") < out.index("Dropped by") <
          out.index("Ident") < out.index("Rules that decided nothing"),
          "the sections in the issue's order")


@test(timeout=120)
def config_dead_rules():
    log = make_log()
    daytimed = h.DAYTIMED
    j = report_json("--config", log["conf"], "--daytimed", daytimed,
                    log["path"])
    c = j["config"]
    check(c["available"] is True, "config read: %r", c)
    dead = sorted(r["rule"] for r in c["dead_rules"])
    want = sorted(["%s:%d" % (log["conf"], rule_line(i, log["head"]))
                   for i in (1, 2, 4, 6, 7, 9, 12) + (() if log["v6"]
                                                       else (13,))] +
                  ["%s:3" % list_file()])
    check(dead == want, "dead rules: %r, want %r", dead, want)
    # the same name made relative: -T makes it absolute as the daemon
    # did, so the rules are named as the records name them
    other = os.path.relpath(log["conf"])
    c2 = report_json("--config", other, "--daytimed", daytimed,
                     log["path"])["config"]
    check(sorted(r["rule"] for r in c2["dead_rules"]) == want,
          "dead rules with --config %s: %r", other, c2["dead_rules"])
    # through a symbolic link, the link's name, as a daemon started with
    # it names its rules (its includes are the ones beside the link), not
    # the target's: none of the records' rules then
    link = TMP.join("conf-link.conf")
    if not os.path.lexists(link):
        os.symlink(log["conf"], link)
    c2 = report_json("--config", link, "--daytimed", daytimed,
                     log["path"])["config"]
    names = [r["rule"] for r in c2["dead_rules"]]
    check(c2["available"] is True and
          any(n.startswith(link + ":") for n in names) and
          not any(n.startswith(log["conf"] + ":") for n in names),
          "dead rules with --config %s: %r", link, names)
    nets = [n["netblock"] for n in c["default_deny_netblocks"]]
    check(nets == ["127.0.0.14/32"], "only default denies: %r", nets)
    names = {n["netblock"]: n for n in j["ident"]["names"]}
    check(names["127.0.0.11/32"]["names"][0]["user_rule"] is True,
          "alice is a user rule's name")
    check(names["127.0.0.16/32"]["names"][0]["user_rule"] is False,
          "the forged name is no user rule's")
    rc, out, _ = report("--config", log["conf"], "--daytimed", daytimed,
                        log["path"])
    check_page(out)
    sect = out.split("Rules that decided nothing")[1]
    check("allow 192.0.2.0/24 %s:%d" % (log["conf"], rule_line(12,
          log["head"])) in sect, "the dead rule on the page:\n%s", sect)
    check("8 of 16 rules decided nothing" in sect or
          (not log["v6"] and "9 of 16 rules decided nothing" in sect),
          "the count of dead rules:\n%s", sect)
    check("allow 198.51.100.0/24 %s:3" % list_file() in sect,
          "the list's dead rule on the page")
    check(re.search(r"^ +2  127\.0\.0\.14/32$", sect, re.M),
          "the netblock only denied by default, on the page:\n%s", sect)
    check(re.search(r"^ +3  \* alice$", out, re.M), "alice flagged")


@test(timeout=60)
def config_that_fails():
    log = make_log()
    bad = TMP.write("bad.conf", "allow 10.0.0.0/8\nallow 10.0.0.0/8 user\n"
                    "frobnicate yes\n")
    rc, out, err = report("--config", bad, "--daytimed", h.DAYTIMED,
                          log["path"])
    check(rc == 0, "the report is still produced: %d %s", rc, err)
    check_page(out)
    sect = out.split("Rules that decided nothing")[1]
    check("not available" in sect and "bad.conf" in sect,
          "the section says why it is missing:\n%s", sect)
    check(re.search(r"^  tcp IPv4 +8 +6 +1 +15$", out, re.M),
          "the figures are all there")
    j = report_json("--config", bad, "--daytimed", h.DAYTIMED, log["path"])
    check(j["config"]["available"] is False and j["config"]["why"],
          "JSON: why: %r", j["config"])
    # a daytimed that cannot be run at all
    rc, out, _ = report("--config", bad, "--daytimed", TMP.join("nope"),
                        log["path"])
    check(rc == 0 and "cannot run" in out, "no daytimed: said so")


@test(timeout=90)
def config_daytimed_that_hangs():
    """A daytimed -T that writes nothing and does not exit is killed at
    the report's 30 s deadline, and the page says so."""
    log = make_log()
    conf = TMP.write("hang.conf", "listen tcp 127.0.0.1:13\n")
    slow = TMP.write("slowd", "#!/bin/sh\nexec sleep 120\n", mode=0o755)
    t0 = time.monotonic()
    rc, out, err = report("--config", conf, "--daytimed", slow, log["path"])
    took = time.monotonic() - t0
    check(rc == 0 and "-T did not finish within 30 s" in out,
          "%d %s %s", rc, out, err)
    check(took < 60, "the report took %.1f s", took)


@test(timeout=120)
def sealed_tampered_unparseable():
    """A sealed, signed trail through a private rsyslogd: the top of the
    page gives the verification per host and epoch; then one record is
    changed and a broken one inserted, and the top says both."""
    af = h.AuditFiles(TMP, "rep")
    rs = h.Rsyslog()
    try:
        port = h.free_port("both")
        text = h.daemon_conf(port, rs, "ident mode off\n" + af.settings,
                             "allow 127.0.0.0/8\n")
        with h.Daemon(text, ready="proc"):
            for _ in range(4):
                h.tcp_get("127.0.0.1", port)
            h.poll_until(lambda: rs.text().count(" conn=") >= 4, 10)
        rs.wait_for("event=stop")
        lines = [l for l in rs.text().splitlines(keepends=True)
                 if " daytimed[" in l]
    finally:
        rs.close()
    good = TMP.write("sealed.log", lines)
    rc, out, err = report("--secret-key", af.sec, "--host-key", af.hpub,
                          good)
    top = out.split("Period")[0]
    check(rc == 0 and "intact" in top and "NOT" not in top and
          "!!" not in top, "intact and signed:\n%s%s", out, err)
    check(re.search(r"^ +\d+ +\d+ +0  host \S+$", top, re.M) and
          re.search(r"^ +\d+ +\d+ +0    epoch [0-9a-f]{16} stopped\n"
                    r" +origin listed: \S*rep-host\.pub$", top, re.M),
          "per host and epoch, signed by the listed key:\n%s", top)
    check_page(out)
    rc, out, _ = report("--secret-key", af.sec, good)
    top = out.split("Period")[0]
    check(rc == 0 and "origin not authenticated" in top,
          "without --host-key the top says so:\n%s", top)
    rc, out, _ = report(good)
    check("NOT VERIFIED" in out.split("Period")[0],
          "without a key: the top says not verified")
    tampered = list(lines)
    i = next(k for k, l in enumerate(tampered) if " conn=" in l)
    tampered[i] = tampered[i].replace("decision=allow", "decision=deny")
    tampered.insert(i + 1, tampered[i].split("conn=")[0] +
                    'conn=0123 proto="broken\n')
    bad = TMP.write("tampered.log", tampered)
    rc, out, _ = report("--secret-key", af.sec, "--host-key", af.hpub, bad)
    top = out.split("Period")[0]
    check(rc == 1, "exit 1 when the records do not verify: %d", rc)
    check("NOT INTACT" in top and "modified" in top,
          "the top says NOT INTACT:\n%s", top)
    check("1 line looked like daytimed records and did not parse" in top,
          "the top says a line did not parse:\n%s", top)
    check_page(out)
    rc, out, _ = report("--json", "--secret-key", af.sec, "--host-key",
                        af.hpub, bad)
    v = json.loads(out)["verification"]
    check(v["intact"] is False and v["findings"] >= 1 and
          v["epochs"][0]["origin"] == "listed" and
          v["epochs"][0]["findings"] >= 1 and len(v["hosts"]) == 1,
          "JSON: %r", v)


@test(timeout=60)
def unclean_epoch():
    """An epoch that ended without its stop record, as the next one's
    :run link says (verify's exit 4): the top of the page says so, the
    epoch's row says it ended uncleanly, the JSON counts it; the report
    itself exits 0, as for any log without a finding."""
    pub, sec = TMP.join("u-audit.pub"), TMP.join("u-audit.sec")
    hpub, hsec = TMP.join("u-host.pub"), TMP.join("u-host.sec")
    for cmd, a, b in (("keygen", pub, sec), ("host-keygen", hpub, hsec)):
        rc, _, err = h.daytimed_audit(cmd, a, b)
        check(rc == 0, "%s: %s", cmd, err)
    states = TMP.join("u-states")       # no access for others, as a start
    os.mkdir(states, 0o700)             # requires
    state, lines = os.path.join(states, "u.state"), []
    for opts in (["-k"], []):
        r = h.run([h.AUDIT_EMIT, "-H", "web1", "-s", hsec, "-S", state] +
                  opts + [pub, 3])
        check(r.returncode == 0, "audit_emit: %r", r.stderr)
        lines += r.stdout.decode().splitlines(keepends=True)
    p = TMP.write("unclean.log", lines)
    rc, out, err = report("--secret-key", sec, "--host-key", hpub, p)
    top = out.split("Period")[0]
    check(rc == 0 and "verified: intact\n  !! 1 epoch ended uncleanly: no "
          "stop record" in top and "NOT" not in top and
          re.search(r"epoch [0-9a-f]{16} ended uncleanly\n", top),
          "the top says so: %d\n%s%s", rc, out, err)
    check_page(out)
    v = report_json("--secret-key", sec, "--host-key", hpub, p)["verification"]
    check(v["intact"] is True and v["unclean"] == 1 and
          [e["unclean"] for e in v["epochs"]] == [True, False],
          "JSON: %r", v)


@test(timeout=60)
def bad_input():
    junk = bytearray()
    rec = (b"2026-11-26T10:00:00Z h daytimed[1]: conn=00000000000000aa "
           b"proto=tcp peer=10.0.0.1:1 local=10.0.0.2:13 decision=allow "
           b"rule=default ident=- ident_status=skipped bytes=0")
    junk += rec + b" color=blue\n"                     # unknown key: counted
    junk += b"2026-11-26T10:00:01Z h daytimed[1]: conn=" + b"A" * (1 << 20) \
        + b"\n"                                        # a 1 MB line
    junk += bytes(range(256)) * 64 + b"\n"             # binary junk
    junk += b"\x00" * 70000 + b"\n"                    # a long NUL line
    junk += rec + b"\n"
    path = TMP.write("junk.log", bytes(junk))
    rc, out, err = report(path)
    check(rc == 0, "exit 0: %d %s", rc, err)
    check_page(out)
    j = report_json(path)
    check(j["input"]["records"] == 2, "two records: %r", j["input"])
    check(j["input"]["unknown_keys"] == {"records": 1, "keys": {"color": 1}},
          "unknown keys counted: %r", j["input"]["unknown_keys"])
    check(j["input"]["unparsed"]["count"] == 1 and
          j["input"]["unparsed"]["first"][0]["cut"] is True,
          "the 1 MB line: %r", j["input"]["unparsed"])
    # memory stays bounded: a 128 MB line without an end (the child's
    # peak counts the Python it was forked from, hence the margin)
    big = TMP.join("endless.log")
    with open(big, "wb") as f:
        f.write(b"h daytimed[1]: conn=")
        for _ in range(128):
            f.write(b"B" * (1 << 20))
    p = subprocess.Popen([h.DAYTIMED_AUDIT, "report", big],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _, status, ru = h.poll_until(lambda: os.wait4(p.pid, os.WNOHANG),
                                     60, done=lambda w: w[0] == p.pid)
    finally:
        h.stop_process(p)
    check(os.waitstatus_to_exitcode(status) == 0, "endless line: exit 0")
    check(ru.ru_maxrss < 96 * 1024, "a 128 MB line is not held: peak RSS "
          "%d kB", ru.ru_maxrss)
    os.unlink(big)
    # --since after --until
    rc, out, err = report("--since", "2026-11-27", "--until", "2026-11-26",
                          path)
    check(rc == 2 and "--since" in err and "not before --until" in err,
          "--since after --until: %d %r", rc, err)
    rc, _, err = report("--since", "tomorrow", path)
    check(rc == 2 and "not a time" in err, "a bad time: %r", err)
    rc, _, err = report("--frob", path)
    check(rc == 2 and "unknown option" in err, "unknown option: %r", err)
    rc, _, err = report(TMP.join("missing.log"))
    check(rc == 2 and "missing.log" in err, "a missing file: %r", err)


@test(timeout=60)
def hostile_lines():
    """Lines anyone can send with logger(1): values too long for a table
    (counted as the page shows them, cut), an event name too long for its
    buffer, values that share their first 256 bytes (one JSON key, not
    two), and a finding's file name with a C1 control and a bidi
    override (escaped on the page); and records without chain fields
    beside sealed ones (said at the top)."""
    rec = ("Mar  3 10:00:0%d %s daytimed[12]: conn=00000000000000aa "
           "proto=tcp peer=192.0.2.1:5000 local=127.0.0.1:13 decision=allow "
           "rule=/etc/d.conf:3 ident=\"root\" ident_status=%s "
           "netblock=192.0.2.0/24\n")
    long_err = "error:" + "E" * 3000
    lines = [rec % (1, "myhost", "ok"),
             rec % (2, "myhost", long_err),
             rec % (3, "h" * 3000, "ok"),
             rec % (4, "myhost", "error:" + "E" * 300 + "A"),
             rec % (5, "myhost", "error:" + "E" * 300 + "B"),
             "Mar  3 10:00:06 myhost daytimed[12]: event=%s a=1\n" % ("S" * 70),
             "Mar  3 10:00:07 myhost daytimed[12]: event=x a=1\n",
             (rec % (8, "myhost", "ok")).replace("netblock=192.0.2.0/24",
                                                 "netblock=" + "n" * 300)]
    p = TMP.write("hostile.log", lines)
    rc, out, err = report(p)
    check(rc == 0, "exit 0, not out of memory: %d %s", rc, err)
    check_page(out)
    rc, raw, err = report("--json", p)
    check(rc == 0, "json: %d %s", rc, err)

    def no_dupes(pairs):
        keys = [k for k, _ in pairs]
        check(len(keys) == len(set(keys)), "a JSON key twice: %r", keys)
        return dict(pairs)
    j = json.loads(raw, object_pairs_hook=no_dupes)
    hosts = j["hosts"] if "hosts" in j else j["input"]["hosts"]
    check(sorted(hosts.values()) == [1, 5] and any(
        k.endswith("...(cut)\"") and k.startswith('"hhhh') for k in hosts),
          "hosts, the long one cut: %r", hosts)
    ev = j["events"] if "events" in j else j["input"]["events"]
    check(ev == {"S" * 64: 1, "x": 1}, "events: %r", ev)
    errs = json.dumps(j)
    check(errs.count("...(cut)") >= 2, "cut values shown cut: %s", errs)
    # a cut netblock's names stay with it
    cut = [n for n in j["ident"]["names"] if n["netblock"].startswith('"nnn')]
    check(len(cut) == 1 and [x["name"] for x in cut[0]["names"]] ==
          ["root"], "names of a cut netblock: %r", j["ident"]["names"])
    # a finding's file name from a remote host's name
    af = h.AuditFiles(TMP, "hostile")
    r = h.run([h.AUDIT_EMIT, "-H", "web1", af.pub, 3])
    check(r.returncode == 0, "audit_emit: %r", r.stderr)
    sealed = r.stdout.decode().splitlines(keepends=True)
    d = TMP.join("rem\u202eote\x9b2J")
    os.mkdir(d)
    i = next(k for k, l in enumerate(sealed) if " conn=" in l)
    sealed[i] = sealed[i].replace("ident_status=", "ident_status=x", 1)
    tampered = os.path.join(d, "audit.log")
    with open(tampered, "w") as f:
        f.writelines(sealed)
    rc, out, err = report("--secret-key", af.sec, tampered)
    check(rc == 1 and "\\xe2\\x80\\xaeote\\xc2\\x9b2J/audit.log:" in out,
          "the file name escaped: %d\n%s", rc, out)
    check_page(out)
    # records without chain fields beside the sealed ones: said at the top
    p = TMP.write("mixed.log", r.stdout.decode().splitlines(keepends=True) +
                  [rec % (8, "web2", "ok")] * 3)
    rc, out, err = report("--secret-key", af.sec, p)
    top = out.split("Period")[0]
    check(rc == 0 and "!! 3 daytimed records without chain fields: counted "
          "below, vouched for\n  by nothing" in top, "unsealed: %d\n%s", rc,
          top)
    v = report_json("--secret-key", af.sec, p)["verification"]
    check(v["unsealed"] == 3, "JSON: %r", v)


def emit_chain(name, n=20):
    """One intact signed chain of n connections (n + 2 lines) and its
    keys (an AuditFiles named name)."""
    af = h.AuditFiles(TMP, name)
    r = h.run([h.AUDIT_EMIT, "-s", af.hsec, af.pub, n])
    check(r.returncode == 0, "audit_emit: %r", r.stderr)
    lines = r.stdout.decode().splitlines(keepends=True)
    check(len(lines) == n + 2, "%d lines", len(lines))
    return af, lines


@test(timeout=60)
def rotated_newest_first():
    """A chain as logrotate leaves it (audit.log.2.gz, audit.log.1,
    audit.log), named as the glob audit.log* expands, newest first:
    report reads the files as verify does, oldest first, and finds the
    chain intact (the order said on stderr, the page and the JSON on
    stdout untouched); the man page's report of a copy of the logs."""
    af, lines = emit_chain("rot")
    d = TMP.join("rot")
    os.mkdir(d)
    with gzip.open(os.path.join(d, "audit.log.2.gz"), "wb") as f:
        f.write("".join(lines[:7]).encode())
    with open(os.path.join(d, "audit.log.1"), "w") as f:
        f.writelines(lines[7:14])
    with open(os.path.join(d, "audit.log"), "w") as f:
        f.writelines(lines[14:])
    glob = [os.path.join(d, n) for n in
            sorted(os.listdir(d))]      # as the shell expands audit.log*
    rc, out, err = h.daytimed_audit("verify", "-k", af.sec, "-H", af.hpub,
                                    *glob)
    check(rc == 0, "verify: %d\n%s%s", rc, out, err)
    rc, out, err = report("-k", af.sec, "-H", af.hpub, *glob)
    top = out.split("Period")[0]
    check(rc == 0 and "verified: intact" in top and "NOT" not in top and
          "reordered" not in top, "report: %d\n%s%s", rc, out, err)
    want = "daytimed-audit: reading the files oldest first: %s %s %s\n" % (
        glob[2], glob[1], glob[0])
    check(err == want and "oldest first" not in out,
          "the order on stderr only: %r", err)
    check_page(out)
    j = report_json("-k", af.sec, "-H", af.hpub, *glob)
    check(j["verification"]["intact"] is True and
          j["verification"]["records"] == 22 and j["input"]["records"] == 20,
          "JSON: %r %r", j["verification"], j["input"])
    # stdin first, then the files: the older records given on stdin
    rc, out, err = report("-k", af.sec, "-H", af.hpub, glob[0], glob[1],
                          "-", input="".join(lines[:7]).encode())
    check(rc == 0 and "NOT" not in out.split("Period")[0] and
          "oldest first: (stdin) %s %s\n" % (glob[1], glob[0]) in err,
          "stdin read first: %d\n%s%s", rc, out, err)


@test(timeout=60)
def same_file_twice():
    """The same file named twice (or by another name) is read once, as
    verify reads it, with verify's warning: no doubled figures, no
    findings of repeats; "-" twice is standard input once."""
    af, lines = emit_chain("twice")
    c1 = TMP.write("twice1.log", lines[:11])
    c2 = TMP.write("twice2.log", lines[11:])
    rc, out, err = report("-k", af.sec, "-H", af.hpub, c1, c1, c2)
    check(rc == 0 and "NOT" not in out.split("Period")[0] and
          "inserted" not in out, "intact: %d\n%s%s", rc, out, err)
    check("warning: %s is the same file as %s: read once" % (c1, c1) in err,
          "verify's warning: %r", err)
    whole = TMP.write("twice.log", lines)
    one = report_json(whole)["input"]
    rel = os.path.join(TMP.path, ".", os.path.basename(whole))
    rc, out, err = report("--json", whole, rel)
    check(rc == 0 and json.loads(out)["input"] == one and
          "%s is the same file as %s: read once" % (rel, whole) in err,
          "another name, read once: %d %r %s", rc, out, err)
    check(one["records"] == 20, "20 records: %r", one)
    rc, out, err = report("--json", "-", "-", input="".join(lines).encode())
    check(rc == 0 and json.loads(out)["input"] == one,
          "stdin twice, read once: %d %s", rc, err)


@test(timeout=60)
def no_syslog_header():
    """Records without a syslog header (journalctl -o cat) are host "-",
    as verify names them: in the Verification section, in Period and
    input, and as the JSON's keys."""
    af, lines = emit_chain("bare", 3)
    bare = [l.split("]: ", 1)[1] for l in lines]
    p = TMP.write("bare.log", bare)
    rc, out, err = h.daytimed_audit("verify", "-k", af.sec, "-H", af.hpub, p)
    check(rc == 0 and "host -: " in out, "verify: %d\n%s%s", rc, out, err)
    rc, out, err = report("-k", af.sec, "-H", af.hpub, p)
    check(rc == 0 and re.search(r"^ +5 +5 +0  host -$", out, re.M) and
          re.search(r"^ +1  hosts +- 3$", out, re.M) and '""' not in out,
          "the page: %d\n%s%s", rc, out, err)
    j = report_json("-k", af.sec, "-H", af.hpub, p)
    check(j["input"]["hosts"] == {"-": 3} and
          [x["host"] for x in j["verification"]["hosts"]] == ["-"] and
          [e["host"] for e in j["verification"]["epochs"]] == ["-"],
          "JSON: %r %r", j["input"]["hosts"], j["verification"])


LOGWATCH = os.path.join(TOP, "packaging", "logwatch")


def logwatch_program():
    """Debian's logwatch.pl and its BaseDir: the installed one, else the
    package unpacked with dpkg-deb -x (installing it would pull in a mail
    server, as it Depends on an MTA; the run needs only perl)."""
    exe = "/usr/share/logwatch/scripts/logwatch.pl"
    if not os.path.exists(exe) or os.environ.get("DAYTIMED_TEST_UNPACKED"):
        exe = h.unpacked_deb("logwatch",
                             "usr/share/logwatch/scripts/logwatch.pl")
    return exe, os.path.dirname(os.path.dirname(exe))


def logwatch_page(prog, *args, tz="UTC"):
    """Run the private logwatch (TZ=UTC by default, as the log's stamps);
    the daytimed section of its output."""
    r = h.run(["perl", prog, "--service", "daytimed", "--output", "stdout"]
              + list(args), timeout=60, env=dict(os.environ, TZ=tz))
    rc, out, err = r.text()
    check(rc == 0, "logwatch %s exit 0: %d %s", args, rc, err)
    check("--- daytimed Begin ---" in out and "--- daytimed End ---" in out,
          "the service's section (%s):\n%s", args, out)
    page = out.split("--- daytimed Begin ---")[1].split("--- daytimed End")[0]
    check("daytimed-audit report" in page, "the page is in it:\n%s", out)
    for l in page.split("\n"):
        check(len(l) <= 80, "a line of %d columns in logwatch's mail: %r",
              len(l), l)
    return page


def records_on(page):
    m = re.search(r"^ +(\d+)  connection and datagram records$", page, re.M)
    check(m, "the records line:\n%s", page)
    return int(m.group(1))


def logwatch_setup(name, conf):
    """A private logwatch under TMP/NAME running the packaged service
    (its /etc/logwatch and /usr/share/logwatch moved by one edit each of
    a copy of the program), with --config CONF: the program and the log
    directory."""
    exe, base = logwatch_program()
    root = TMP.join(name)
    etc = os.path.join(root, "etc")
    for d in ("conf/services", "conf/logfiles", "scripts/services"):
        os.makedirs(os.path.join(etc, d))
    os.makedirs(os.path.join(root, "log", "daytimed"))
    os.makedirs(os.path.join(root, "cache"))
    with open(exe) as f:
        prog = f.read()
    for var, val in (("ConfigDir", etc), ("BaseDir", base)):
        line = re.search(r'(?m)^my \$%s = "[^"]*";$' % var, prog)
        check(line, "logwatch names its %s as expected", var)
        prog = prog.replace(line.group(0), 'my $%s = "%s";' % (var, val))
    prog = TMP.write(name + "/logwatch", prog)
    with open(os.path.join(LOGWATCH, "conf", "services", "daytimed.conf")) as f:
        svc = f.read()
    for key, val in (("daytimed_audit", h.DAYTIMED_AUDIT),
                     ("daytimed_config", conf),
                     ("daytimed_daytimed", h.DAYTIMED)):
        svc, n = re.subn(r"(?m)^\$%s = .*$" % key, '$%s = "%s"' % (key, val),
                         svc)
        check(n == 1, "the service sets $%s", key)
    TMP.write(name + "/etc/conf/services/daytimed.conf", svc)
    with open(os.path.join(LOGWATCH, "conf", "logfiles", "daytimed.conf")) as f:
        TMP.write(name + "/etc/conf/logfiles/daytimed.conf", f.read())
    with open(os.path.join(LOGWATCH, "services", "daytimed")) as f:
        TMP.write(name + "/etc/scripts/services/daytimed", f.read(),
                  mode=0o755)
    TMP.write(name + "/etc/conf/logwatch.conf",
              "LogDir = %s/log\nTmpDir = %s/cache\n"
              "AppendVarLogToLogDirs = No\nOutput = stdout\n" % (root, root))
    return prog, os.path.join(root, "log", "daytimed")


@test(timeout=180)
def logwatch():
    """The packaged logwatch service under Debian's real logwatch, with a
    private configuration and log directory: the page is in its output,
    with the records of yesterday only by default (the rotated .gz copy
    holds them), of today with --range today, of both with --range all;
    every line fits 80 columns with logwatch's indent."""
    log = make_log()
    prog, logdir = logwatch_setup("lw", log["conf"])
    # the log as logrotate leaves it the morning after: yesterday's half
    # gzipped, today's in audit.log (the daemon's stamps redated, UTC)
    today = time.gmtime()
    days = [time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400)),
            time.strftime("%Y-%m-%d", today)]
    lines = log["data"].splitlines(keepends=True)
    half = len(lines) // 2
    parts = [[days[0].encode() + l[10:] for l in lines[:half]],
             [days[1].encode() + l[10:] for l in lines[half:]]]
    TMP.write("lw/log/daytimed/audit.log", b"".join(parts[1]))
    with gzip.open(os.path.join(logdir, "audit.log.2.gz"), "wb") as f:
        f.write(b"".join(parts[0]))
    conns = [sum(b" conn=" in l for l in p) for p in parts]
    page = logwatch_page(prog)
    check(records_on(page) == conns[0], "yesterday's records only: %d",
          conns[0])
    page = logwatch_page(prog, "--range", "today")
    check(records_on(page) == conns[1], "today's records only: %d",
          conns[1])
    page = logwatch_page(prog, "--range", "all")
    check(re.search(r"^   tcp IPv4 +8 +6 +1 +15$", page, re.M),
          "both files counted:\n%s", page)
    check("allow 192.0.2.0/24" in page, "the dead rules, from --config")


@test(timeout=120)
def logwatch_offsets():
    """The service keeps rsyslog's offsets: in Europe/Berlin's repeated
    hour, a record at 02:10 +0200 then one at 02:20 +0100 (no order could
    tell them apart without the offsets) are one row each."""
    prog, logdir = logwatch_setup("lwo", "")
    rec = ("%s gw daytimed[9]: conn=%016x proto=tcp peer=10.0.0.1:1000 "
           "local=127.0.0.1:13 decision=allow rule=/e:3 ident=- "
           "ident_status=skipped duration_us=5 bytes=0\n")
    TMP.write("lwo/log/daytimed/audit.log", "".join(
        rec % (t, i + 1) for i, t in enumerate(
            ("2026-10-25T02:10:00.000000+02:00",
             "2026-10-25T02:20:00.000000+01:00"))))
    page = logwatch_page(prog, "--range", "all", tz="Europe/Berlin")
    check(re.search(r"^ +2026-10-25 02:00 \+0200 +1 +0 +0 ", page, re.M) and
          re.search(r"^ +2026-10-25 02:00 \+0100 +1 +0 +0 ", page, re.M),
          "one record per pass:\n%s", page)


if __name__ == "__main__":
    h.main()
