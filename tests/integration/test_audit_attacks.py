#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The attacks of issue 13 on the audit trail, each done as reported and
each now found by daytimed-audit verify; and issue 16's many hosts in one
file; files whose first sealed record is deep in them. Chains are sealed
by tests/integration/audit_emit (the daemon's audit code), signed with a
host key and linked through a state file as the daemon does; the real daemon through real syslog daemons is
test_audit_syslog.py.

Environment: DAYTIMED_AUDIT; AUDIT_EMIT (default: next to it)."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

EMIT = h.AUDIT_EMIT
TMP = h.TempDir("dtx-", at_exit=True)
STATES = TMP.join("states")     # no access for others, as a start requires
os.mkdir(STATES, 0o700)
_keys = {}


def keys():
    """The auditor's pair and two hosts' pairs, made once."""
    if not _keys:
        for name, cmd in (("audit", "keygen"), ("web1", "host-keygen"),
                          ("web2", "host-keygen")):
            pub, sec = TMP.join(name + ".pub"), TMP.join(name + ".sec")
            rc, _, err = h.daytimed_audit(cmd, pub, sec)
            check(rc == 0, "%s: %s", cmd, err)
            _keys[name] = (pub, sec)
    return _keys


def emit(n, host="web1", sign=True, state=None, stop=True, epoch=None,
         env=None):
    """One epoch of n connections from host, as log lines (epoch: its id,
    as a host whose daemon was changed could choose it; env: its
    environment, e.g. a FakeClock's)."""
    k = keys()
    args = [EMIT, "-H", host]
    if sign:
        args += ["-s", k[host][1]]
    if state is not None:
        args += ["-S", state]
    if epoch is not None:
        args += ["-E", epoch]
    if not stop:
        args += ["-k"]
    r = h.run(args + [k["audit"][0], n], env=env)
    check(r.returncode == 0, "audit_emit: %r", r.stderr)
    return r.stdout.decode().splitlines(keepends=True)


def linked(n_epochs, host="web1"):
    """n_epochs epochs of host, linked through one state file."""
    state = os.path.join(STATES, "%s-%d.state" % (host,
                                                  len(os.listdir(STATES))))
    return [emit(3 + i, host=host, state=state) for i in range(n_epochs)]


def central():
    """Two hosts' two linked epochs each, and one central file's lines
    of them interleaved: (web1's epochs, web2's, the file's lines)."""
    a = linked(2, host="web1")
    b = linked(2, host="web2")
    la, lb = sum(a, []), sum(b, [])
    mixed = []
    for i in range(max(len(la), len(lb))):
        mixed += la[i:i + 1] + lb[i:i + 1]
    return a, b, mixed


def epoch_of(lines):
    return re.search(r" epoch=([0-9a-f]{16}) ", lines[0]).group(1)


def verify(path, *opts):
    """verify with the auditor's key and opts: (rc, findings, all output)."""
    rc, out, err = h.daytimed_audit("verify", "--secret-key",
                                    keys()["audit"][1], *(list(opts) + [path]))
    findings = [l for l in out.splitlines()
                if not l.startswith(("daytimed-audit:", "warning:"))]
    return rc, findings, out + err


def hostkeys(*names):
    opts = []
    for n in names or ("web1",):
        opts += ["--host-key", keys()[n][0]]
    return opts


def named_keys(*names):
    """--host-key NAME=PUBFILE for each host name."""
    opts = []
    for n in names:
        opts += ["--host-key", "%s=%s" % (n, keys()[n][0])]
    return opts


def strip(lines):
    """The lines without their syslog header (journalctl -o cat)."""
    return [l.split("daytimed[", 1)[1].split(": ", 1)[1] for l in lines]


@test
def signed_linked_intact():
    epochs = linked(3)
    p = TMP.write("intact.log", sum(epochs, []))
    rc, f, out = verify(p, *hostkeys())
    check(rc == 0 and f == [], "three signed, linked epochs: %d %r\n%s", rc,
          f, out)
    check(out.count("signed by %s" % keys()["web1"][0]) == 3 and
          "follows %s:4:stop" % epoch_of(epochs[0]) in out and
          "first of its chain" in out, "epoch lines: %s", out)
    check("host web1: 3 epochs, 18 sealed records, 18 verified" in out,
          "host line: %s", out)


@test
def forged_epoch_public_key_only():
    """Finding 1: an epoch minted with the auditor's public key only."""
    epochs = linked(2)
    # minted with the project's own audit code and the public key only
    forged = emit(3, sign=False)
    fe = epoch_of(forged)
    p = TMP.write("forged.log", epochs[0] + forged + epochs[1])
    rc, f, out = verify(p, *hostkeys())
    want = "%s:6: epoch %s (host web1) rejected: not signed by any " \
        "--host-key given: it is not signed" % (p, fe)
    check(rc == 1 and f == [want], "with the host key: rejected by name: "
          "%d %r\n%s", rc, f, out)
    check("11 verified" in out, "the real epochs verified: %s", out)
    rc, f, out = verify(p)
    check(rc == 3 and f == [] and "not authenticated: no --host-key given"
          in out, "without: intact but not authenticated, exit 3: %d %s",
          rc, out)
    check("warning: host web1: 2 of its epochs are signed and 1 are not "
          "(epoch %s" % fe in out, "the unsigned one pointed at: %s", out)


@test
def unsealed_line():
    """Finding 2: a logger-style line without seq/mac in a sealed log."""
    lines = emit(5)
    fake = ("Nov 26 10:00:00 web1 daytimed[4242]: conn=0000000000000666 "
            "proto=tcp peer=6.6.6.6:1 decision=allow rule=default ident=root "
            "ident_status=ok\n")
    p = TMP.write("unsealed.log", lines[:3] + [fake] + lines[3:])
    rc, f, out = verify(p, *hostkeys())
    check(rc == 1 and f == ["%s:4: unsealed: 1 daytimed record without chain "
                            "fields, inside epoch %s" % (p, epoch_of(lines))],
          "an unsealed line is a finding: %d %r", rc, f)
    check("daytimed-audit: 1 daytimed record without chain fields" in out,
          "and counted: %s", out)


@test
def deleted_epoch():
    """Finding 3: a whole epoch deleted between two others."""
    epochs = linked(3)
    p = TMP.write("gone.log", epochs[0] + epochs[2])
    rc, f, out = verify(p, *hostkeys())
    # epochs[2] starts on the line after epochs[0]'s: 6, or more when the
    # emitter's log layer added a line of its own (back-pressure on a
    # loaded machine)
    want = ("epoch %s is missing: epoch %s (%s:%d) follows it (its seq "
            "0..5), and epoch %s, before them on host web1, is here"
            % (epoch_of(epochs[1]), epoch_of(epochs[2]), p,
               len(epochs[0]) + 1, epoch_of(epochs[0])))
    check(rc == 1 and f == [want], "deleted epoch: %d %r", rc, f)
    # its end cut instead: told apart from a crash
    p = TMP.write("cut.log", epochs[0] + epochs[1][:-2] + epochs[2])
    rc, f, out = verify(p, *hostkeys())
    check(rc == 1 and f == ["epoch %s: its end is missing: seq 4..5 (epoch "
                            "%s says it stopped at seq 5)"
                            % (epoch_of(epochs[1]), epoch_of(epochs[2]))],
          "an end cut short: %d %r", rc, f)


@test
def deleted_epoch_header_renamed():
    """An epoch deleted whole and its successor's syslog header renamed,
    or stripped: the header's host name is untrusted text, so the chain
    is also followed by the host key that signed each epoch."""
    epochs = linked(3)
    e1, e2, e3 = (epoch_of(e) for e in epochs)
    renamed = [l.replace(" web1 ", " web1.example.com ", 1)
               for l in epochs[2]]
    p = TMP.write("renamed.log", epochs[0] + renamed)
    rc, f, out = verify(p, *hostkeys())
    want = ("epoch %s is missing: epoch %s (%s:%d, host web1.example.com) "
            "follows it (its seq 0..5), and epoch %s (host web1), before "
            "them signed by the same host key (%s), is here"
            % (e2, e3, p, len(epochs[0]) + 1, e1, keys()["web1"][0]))
    # and one key signing under two host names is a finding of its own,
    # counted to both hosts
    two = ("host key %s: it signs the epochs of more than one host (%s): "
           "one key per host, so it signed another host's epoch, or a "
           "syslog header was changed")
    check(rc == 1 and f == [want, two % (keys()["web1"][0],
                                         "web1, web1.example.com")],
          "header renamed: %d %r\n%s", rc, f, out)
    check(re.search(r"host web1: .*: NOT intact \(1 finding\)\n", out) and
          re.search(r"host web1\.example\.com: .*: NOT intact \(2 "
                    r"findings\)\n", out), "the host lines: %s", out)
    # the headers stripped (journalctl -o cat): the same finding (a line
    # without a header names no second host)
    bare = [l.split("daytimed[", 1)[1].split(": ", 1)[1]
            for l in epochs[2]]
    p = TMP.write("stripped.log", epochs[0] + bare)
    rc, f, out = verify(p, *hostkeys())
    check(rc == 1 and len(f) == 1 and ("epoch %s is missing: epoch %s "
                                       "(%s:%d, host -)" % (e2, e3, p,
                                                            len(epochs[0]) + 1))
          in f[0] and "signed by the same host key" in f[0],
          "header stripped: %d %r\n%s", rc, f, out)
    # the same deletion under one name: said once, by host
    p = TMP.write("gone-once.log", epochs[0] + epochs[2])
    rc, f, out = verify(p, *hostkeys())
    check(rc == 1 and len(f) == 1 and "before them on host web1" in f[0],
          "said once: %d %r", rc, f)
    # the first epoch of a key in the files may name one before them
    p = TMP.write("tail.log", renamed)
    rc, f, out = verify(p, *hostkeys())
    check(rc == 0 and f == [], "the key's first epoch: %d %r\n%s", rc, f,
          out)


@test
def new_chain_header_renamed():
    """An epoch started without its state file (prev=none) after
    another of the same key, under another header name: found by key."""
    first = linked(1)[0]
    second = emit(3, state=os.path.join(STATES, "fresh.state"))
    moved = [l.replace(" web1 ", " other ", 1) for l in second]
    p = TMP.write("newchain.log", first + moved)
    rc, f, out = verify(p, *hostkeys())
    check(rc == 1 and len(f) == 2 and ("epoch %s (%s:%d, host other): starts "
                                       "a new chain of epochs"
                                       % (epoch_of(second), p, len(first) + 1))
          in f[0] and "signed by the same host key" in f[0] and
          f[1].startswith("host key %s: it signs the epochs of more than "
                          "one host (web1, other): " % keys()["web1"][0]),
          "prev=none under another name: %d %r\n%s", rc, f, out)


@test
def crash_then_restart():
    """An epoch without its stop record, which the next one's :run link
    explains: a warning, not a finding, but not a plain intact either:
    exit 4, since a crash and its tail removed look the same."""
    state = os.path.join(STATES, "crash.state")
    a = emit(4, state=state, stop=False)
    b = emit(2, state=state)
    p = TMP.write("crash.log", a + b)
    rc, f, out = verify(p, *hostkeys())
    check(rc == 4 and f == [] and "warning: epoch %s ends at seq 4 " %
          epoch_of(a) in out and "stopped uncleanly (a crash or a kill)" in out,
          "a crash is a warning, not a finding, exit 4: %d %r\n%s", rc, f,
          out)
    check(re.search(r"host web1: 2 epochs, .*: intact, 1 epoch ended "
                    r"uncleanly\n", out) and
          "9 verified, 1 host: intact, 1 epoch ended uncleanly\n" in out and
          "daytimed-audit: 1 epoch ended without a stop record, as a later "
          "epoch's :run link says (a crash or a kill, or records removed "
          "after the last position saved: verify cannot tell which); its "
          "records after that position are not vouched for\n" in out,
          "the summary says so: %s", out)
    # without --host-key: 4 too, and the last line says unauthenticated
    rc, f, out = verify(p)
    last = out.strip().splitlines()[-1]
    check(rc == 4 and f == [] and last.startswith(
        "daytimed-audit: not authenticated: no --host-key given"),
          "4 before 3: %d %r\n%s", rc, f, out)
    # a clean stop, then the state file rewritten (by root) to an earlier
    # position, :run, before the restart, and the epoch's tail and stop
    # record removed: verify cannot tell it from a crash, and says 4
    state = os.path.join(STATES, "rewritten.state")
    a = emit(6, state=state)
    with open(state, "w") as s:
        s.write("daytimed-audit-state-v1 %s:3:run\n" % epoch_of(a))
    b = emit(2, state=state)
    p = TMP.write("rewritten.log", a[:4] + b)
    rc, f, out = verify(p, *hostkeys())
    check(rc == 4 and f == [] and "warning: epoch %s ends at seq 3 " %
          epoch_of(a) in out, "a tail removed, state rewritten: %d %r\n%s",
          rc, f, out)


@test
def moved_time_and_host():
    """Finding 3: an epoch's syslog time stamp, host and PID rewritten."""
    epochs = linked(2)
    moved = [re.sub(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d web1 daytimed\[\d+\]",
                    "Jan  1 00:00:00 web1 daytimed[1]", l) for l in epochs[1]]
    p = TMP.write("moved.log", epochs[0] + moved)
    rc, f, out = verify(p, *hostkeys())
    span = re.search(r" time=(\S+) ", epochs[1][0]).group(1)
    check(rc == 0 and span in out, "the header is not evidence; the span "
          "shown is time= (%s): %d %s", span, rc, out)
    # the host too: the link names the epoch's true host
    moved = [l.replace(" web1 ", " evil ", 1) for l in moved]
    p = TMP.write("moved2.log", epochs[0] + moved)
    rc, f, out = verify(p, *hostkeys())
    check(rc == 1 and any("(host evil) follows epoch %s, whose records name "
                          "host web1: a syslog header was changed"
                          % epoch_of(epochs[0]) in x for x in f),
          "a host name moved: %d %r", rc, f)
    # and time= itself: inside the MAC
    edited = list(epochs[1])
    edited[2] = re.sub(r" time=\d{4}", " time=2001", edited[2])
    p = TMP.write("moved3.log", epochs[0] + edited)
    rc, f, out = verify(p, *hostkeys())
    check(rc == 1 and f == ["%s:8: modified: seq 2 does not verify (mac "
                            "mismatch)" % p], "time= edited: %d %r", rc, f)


@test(timeout=60)
def huge_seq_lines():
    """Finding 4: forged lines with the real epoch id and seq 10M..50M.
    The work is counted in the unit suite (check_verify.c); here, the run
    ends well inside this test's bound and names each line."""
    lines = emit(5)
    forged = [re.sub(r" seq=3 mac=[0-9a-f]+", " seq=%d0000000 mac=%s" %
                     (i, "0" * 64), lines[3]) for i in range(1, 6)]
    # before the stop record: after it, the epoch is complete, and what
    # comes of it is not walked at all
    stop = next(i for i, l in enumerate(lines) if "event=stop " in l)
    p = TMP.write("huge.log", lines[:stop] + forged + lines[stop:])
    rc, f, out = verify(p, *hostkeys())
    check(rc == 1 and len(f) == 5 and all("not checked" in x for x in f),
          "five forged lines named, none walked to: %d %r", rc, f)


@test
def many_hosts_one_file():
    """Issue 16, item 2: one central file, records of two hosts
    interleaved, each host's key, one line per host and a total."""
    _, _, mixed = central()
    p = TMP.write("central.log", mixed)
    rc, f, out = verify(p, *hostkeys("web1", "web2"))
    check(rc == 0 and f == [], "two hosts intact: %d %r\n%s", rc, f, out)
    check("host web1: 2 epochs, 11 sealed records, 11 verified" in out and
          "host web2: 2 epochs, 11 sealed records, 11 verified" in out and
          "22 sealed records in 4 epochs, 22 verified, 2 hosts: intact" in out,
          "per host and in all: %s", out)
    # without host keys: grouped by the header's names, unauthenticated
    rc, f, out = verify(p)
    check(rc == 3 and "host web2: 2 epochs" in out, "names from the "
          "header: %d %s", rc, out)
    # only web1's key: web2's epochs are rejected
    rc, f, out = verify(p, *hostkeys("web1"))
    check(rc == 1 and len(f) == 2 and all("rejected" in x for x in f),
          "web2 not listed: rejected: %r", f)
    # one record of web2 deleted: web2 not intact, web1 intact
    victim = next(i for i, l in enumerate(mixed)
                  if " web2 " in l and "conn=0000000000001001" in l)
    p = TMP.write("central-cut.log", mixed[:victim] + mixed[victim + 1:])
    rc, f, out = verify(p, *hostkeys("web1", "web2"))
    check(rc == 1 and len(f) == 1 and "missing: seq 2 (before" in f[0],
          "web2's missing record: %d %r", rc, f)
    check(re.search(r"host web1: .*: intact\n", out) and
          re.search(r"host web2: .*: NOT intact \(1 finding\)\n", out),
          "each host judged alone: %s", out)



@test
def names_exchanged_between_hosts():
    """Two hosts' syslog header names exchanged: one key per host still
    holds both ways, so only keys given for a name (NAME=PUBFILE) can
    tell; each epoch under the other's name is then a finding."""
    a, b, mixed = central()
    swapped = [l.replace(" web1 ", " webX ", 1).replace(
        " web2 ", " web1 ", 1).replace(" webX ", " web2 ", 1) for l in mixed]
    p = TMP.write("swapped.log", swapped)
    rc, f, out = verify(p, *hostkeys("web1", "web2"))
    check(rc == 0 and f == [], "keys without names cannot tell: %d %r", rc,
          f)
    rc, f, out = verify(TMP.write("named.log", mixed),
                        *named_keys("web1", "web2"))
    check(rc == 0 and f == [], "named keys, the real names: %d %r\n%s", rc,
          f, out)
    rc, f, out = verify(p, *named_keys("web1", "web2"))
    want = sorted(["epoch %s (host %s) is signed by %s, the key given for "
                   "host %s: a syslog header was changed, or that host's "
                   "key signed another host's epoch"
                   % (epoch_of(e), other, keys()[real][0], real)
                   for real, other, es in (("web1", "web2", a),
                                           ("web2", "web1", b))
                   for e in es])
    check(rc == 1 and sorted(f) == want, "named keys: %d %r\n%s", rc, f,
          out)
    check(re.search(r"host web1: .*: NOT intact \(2 findings\)\n", out) and
          re.search(r"host web2: .*: NOT intact \(2 findings\)\n", out),
          "both hosts: %s", out)
    # a key given for one name, another key signing under that name
    rc, f, out = verify(p, "--host-key", "web1=" + keys()["web1"][0],
                        *hostkeys("web2"))
    check(rc == 1 and len(f) == 4 and sum(
        "is signed by %s, not by %s, the key given for host web1: "
        % (keys()["web2"][0], keys()["web1"][0]) in x for x in f) == 2,
          "one name given: %d %r", rc, f)
    # the command line: a name must be one, and one key per host
    for bad in ("=" + keys()["web1"][0], "we b=" + keys()["web1"][0]):
        rc, f, out = verify(p, "--host-key", bad)
        check(rc == 2 and "the host name before '=' must be" in out,
              "%r: %d %s", bad, rc, out)
    rc, f, out = verify(p, *(named_keys("web1") + [
        "--host-key", "web3=" + keys()["web1"][0]]))
    check(rc == 2 and "one key per host" in out, "a key for two names: %d "
          "%s", rc, out)
    rc, f, out = verify(p, *(named_keys("web1") + [
        "--host-key", "web1=" + keys()["web2"][0]]))
    check(rc == 2 and "one key per host" in out, "a name with two keys: %d "
          "%s", rc, out)
    # a file whose name has '=': written with a '/'
    odd = TMP.join("k=web1.pub")
    with open(keys()["web1"][0]) as src, open(odd, "w") as dst:
        dst.write(src.read())
    rc, f, out = verify(TMP.write("web1.log", sum(a, [])), "--host-key",
                        os.path.join(".", os.path.relpath(odd)))
    check(rc == 0, "./k=web1.pub is a file: %d %s", rc, out)


@test
def predecessor_signed_by_another_host():
    """An epoch of web1 deleted, and web2 (its daemon changed) signs an
    epoch with the deleted one's id in its place, headers stripped: an
    epoch id is no secret, so a link must also stay with one key."""
    epochs = linked(3)
    e2 = epoch_of(epochs[1])
    fake = emit(4, host="web2", epoch=e2)
    check(epoch_of(fake) == e2, "the id chosen: %s", fake[0])
    p = TMP.write("forged-prev.log", epochs[0] + strip(fake) +
                  strip(epochs[2]))
    rc, f, out = verify(p, *hostkeys("web1", "web2"))
    want = ("epoch %s (host -, signed by %s) follows epoch %s (host -), "
            "signed by another host key (%s): one key per host, so one of "
            "them was signed by another host's key in the place of an "
            "epoch deleted" % (epoch_of(epochs[2]), keys()["web1"][0], e2,
                               keys()["web2"][0]))
    check(rc == 1 and f == [want], "forged predecessor: %d %r\n%s", rc, f,
          out)


@test
def a_host_that_seals_nothing():
    """A host seen only through records without chain fields: with host
    keys given nothing vouches for it (a finding); without, a warning, and
    its line does not say intact."""
    _, _, mixed = central()
    fake = ("Nov 26 10:00:00 hostq daytimed[4242]: conn=0000000000000666 "
            "proto=tcp peer=6.6.6.6:1 decision=allow rule=default ident=- "
            "ident_status=skipped\n")
    p = TMP.write("hostq.log", mixed + [fake])
    rc, f, out = verify(p, *hostkeys("web1", "web2"))
    check(rc == 1 and f == ["host hostq: 1 daytimed record without chain "
                            "fields (the host seals none, and --host-key "
                            "was given: nothing vouches for them): %s:%d"
                            % (p, len(mixed) + 1)],
          "with host keys: %d %r\n%s", rc, f, out)
    check(re.search(r"host hostq: 0 epochs, .*: NOT intact \(1 finding\)\n",
                    out), "its line: %s", out)
    rc, f, out = verify(p)
    check(rc == 3 and f == [] and "warning: host hostq: 1 daytimed record "
          "without chain fields (the host seals none)" in out and
          re.search(r"host hostq: 0 epochs, .*: nothing sealed\n", out),
          "without: %d %r\n%s", rc, f, out)


@test
def an_epoch_under_three_names():
    """One epoch's records under three header names: each other name is
    told, and no host line says intact."""
    lines = emit(4)
    e = epoch_of(lines)
    three = [lines[0], lines[1].replace(" web1 ", " web2 ", 1),
             lines[2].replace(" web1 ", " web3 ", 1)] + lines[3:]
    p = TMP.write("three.log", three)
    rc, f, out = verify(p, *hostkeys())
    check(rc == 1 and sum("epoch %s: its records name two hosts, web1 and "
                          "%s" % (e, n) in x for x in f
                          for n in ("web2", "web3")) == 2,
          "each name told: %d %r", rc, f)
    for n in ("web1", "web2", "web3"):
        check(re.search(r"host %s: .*: NOT intact" % n, out),
              "host %s: %s", n, out)


@test
def moved_into_a_later_file():
    """A central file of two hosts, rotated in two, and web2's seq 1 of
    its first epoch moved to the end of the later file, after that
    epoch's stop record and after the next epoch: the files are read
    oldest first (whatever order they are named in), and a record below a
    seq of its epoch verified in an earlier file was moved."""
    _, b, mixed = central()
    moved = next(l for l in b[0] if " seq=1 " in l)
    old = [l for l in mixed[:14] if l is not moved]
    new = mixed[14:] + [moved]
    p1 = TMP.write("split.log.1", old)
    p2 = TMP.write("split.log", new)
    stop = old.index(b[0][-1]) + 1
    last = re.search(r" seq=(\d+) ", b[0][-1]).group(1)
    rc, f, out = verify(p1, *(hostkeys("web1", "web2") + [p2]))  # p2 first
    check(rc == 1 and f == ["%s:%d: reordered: seq 1 comes after seq %s "
                            "(%s:%d)" % (p2, len(new), last, p1, stop)],
          "moved into the later file: %d %r\n%s", rc, f, out)
    check("reading the files oldest first: %s %s" % (p1, p2) in out,
          "oldest first: %s", out)


def padded(name, head, lines):
    """TMP/name: more than 16 MiB of another program's lines, then head
    and lines: the first sealed record deep in the file."""
    pad = ("Nov 26 10:00:00 web1 sshd[77]: Accepted publickey for root from "
           "10.0.0.%d port 22 ssh2\n")
    path = TMP.join(name)
    with open(path, "w") as f:
        chunk = "".join(pad % (i % 250) for i in range(4096))
        for _ in range((17 << 20) // len(chunk) + 1):
            f.write(chunk)
        f.writelines(head + lines)
    return path


@test(timeout=120)
def first_sealed_record_deep_in_a_file():
    """Red team: a file's first sealed record after 16 MiB of other lines
    still gives it its time, so the files are read oldest first: a forged
    unsealed line in the newer file is found, and an epoch rotated into
    a padded file is not called reordered."""
    a, b = linked(2)
    fake = ("Nov 26 10:00:00 web1 daytimed[4242]: conn=0000000000000666 "
            "proto=tcp peer=6.6.6.6:1 decision=allow rule=default ident=root "
            "ident_status=ok\n")
    old = TMP.write("deep.log.1", a)
    new = padded("deep.log", [fake], b)
    rc, f, out = verify(old, *(hostkeys() + [new]))  # new first
    check(rc == 1 and len(f) == 1 and "unsealed" in f[0] and
          "from host web1, which seals its records" in f[0],
          "the forged line is found: %d %r\n%s", rc, f, out)
    check("reading the files oldest first: %s %s" % (old, new) in out,
          "oldest first: %s", out)
    lines = emit(20)
    old = TMP.write("rot.log.1", lines[:10])
    new = padded("rot.log", [], lines[10:])
    rc, f, out = verify(old, *(hostkeys() + [new]))  # new first
    check(rc == 0 and f == [] and "22 verified" in out,
          "an epoch rotated into a padded file: intact: %d %r\n%s", rc, f,
          out)
    os.unlink(TMP.join("deep.log"))
    os.unlink(new)


@test
def start_record_moved():
    """An epoch's start record moved later: after its stop record, or
    swapped with seq 1 in an epoch still running (--running). Records
    before a start wait for it, but it is judged where it was: reordered,
    in report too."""
    a = emit(3)
    p = TMP.write("start-last.log", a[1:] + a[:1])
    rc, f, out = verify(p, *hostkeys())
    want = "%s:%d: reordered: seq 0 comes after seq %d (%s:%d)" % (
        p, len(a), len(a) - 1, p, len(a) - 1)
    check(rc == 1 and f == [want] and "5 verified" in out,
          "the start after the stop record: %d %r\n%s", rc, f, out)
    rc, page, err = h.daytimed_audit("report", "--secret-key",
                                     keys()["audit"][1], *(hostkeys() + [p]))
    check(rc == 1 and "NOT INTACT" in page and
          "%s:%d: reordered: seq 0 comes after seq" % (p, len(a)) in page,
          "report: %d %s %s", rc, page, err)
    b = emit(3, stop=False)                     # the daemon still runs
    p = TMP.write("start-swapped.log", b[1:2] + b[:1] + b[2:])
    rc, f, out = verify(p, "--running", *hostkeys())
    check(rc == 1 and f == ["%s:2: reordered: seq 0 and seq 1 (%s:1) are "
                            "swapped" % (p, p)],
          "the start swapped with seq 1, --running: %d %r\n%s", rc, f, out)


@test
def running_leaves_each_hosts_last_epoch_open():
    """--running: each host's last epoch may lack its stop record (its
    daemon still writes): a warning, not a finding. An earlier epoch
    without one stays a finding."""
    state = os.path.join(STATES, "run-%d.state" % len(os.listdir(STATES)))
    a = emit(3, state=state)
    b = emit(4, state=state, stop=False)        # the daemon still runs
    web2 = linked(2, host="web2")               # stopped cleanly
    p = TMP.write("running.log", a + b + sum(web2, []))
    eb, at = epoch_of(b), len(a) + len(b)
    seq = int(re.search(r" seq=(\d+) ", b[-1]).group(1))
    keys_ = named_keys("web1", "web2")
    rc, f, out = verify(p, *keys_)
    check(rc == 1 and f == ["epoch %s: chain ends at seq %d (%s:%d) without "
                            "a stop record (truncated, or the daemon is "
                            "still running)" % (eb, seq, p, at)],
          "without --running: %d %r\n%s", rc, f, out)
    rc, f, out = verify(p, "--running", *keys_)
    lines = out.splitlines()
    check(rc == 0 and f == [] and
          "warning: epoch %s is open at seq %d (%s:%d): the daemon is still "
          "running (--running); what comes after that record is not "
          "vouched for" % (eb, seq, p, at) in lines and
          any(l.startswith("daytimed-audit: host web1: 2 epochs,") and
              l.endswith(": intact so far, running") for l in lines) and
          any(l.startswith("daytimed-audit: host web2: 2 epochs,") and
              l.endswith(": intact") for l in lines) and
          lines[-2].endswith(": intact, 1 epoch still open (--running)"),
          "with --running: %d %r\n%s", rc, f, out)
    # the auditor's page says the same
    rc, page, err = h.daytimed_audit("report", "--secret-key",
                                     keys()["audit"][1], "--running",
                                     *(keys_ + [p]))
    check(rc == 0 and ": intact so far\n" in page and
          "1 epoch still open (--running)" in page and
          "epoch %s running (--running)" % eb in page, "report: %d %s %s",
          rc, page, err)
    # an open epoch that is not its host's last stays a finding: a later
    # epoch (a chain of its own) follows it
    c = emit(3)
    p = TMP.write("running2.log", a + b + c)
    rc, f, out = verify(p, "--running", *named_keys("web1"))
    check(rc == 1 and f == ["epoch %s: chain ends at seq %d (%s:%d) without "
                            "a stop record (truncated, or the daemon is "
                            "still running)" % (eb, seq, p, at)] and
          "warning: epoch %s is open" % epoch_of(c) not in out,
          "an earlier open epoch: %d %r\n%s", rc, f, out)
    # ... also when the later epoch's header names another host: the
    # host's last is told by its key, not by the header
    cut = "epoch %s: chain ends at seq %d (%s:%d) without a stop record " \
        "(truncated, or the daemon is still running)"
    renamed = [l.replace(" web1 daytimed[", " web9 daytimed[") for l in c]
    check(renamed != c, "renamed")
    p = TMP.write("running3.log", a + b + renamed)
    for opts in (hostkeys("web1"), named_keys("web1")):
        rc, f, out = verify(p, "--running", *opts)
        check(rc == 1 and cut % (eb, seq, p, at) in f and
              "warning: epoch %s is open" % eb not in out,
              "a later epoch renamed, %r: %d %r\n%s", opts, rc, f, out)
    # and without a host key there is no telling: a usage error
    rc, out, err = h.daytimed_audit("verify", "--secret-key",
                                    keys()["audit"][1], "--running", p)
    check(rc == 2 and out == "" and err == "daytimed-audit: verify: "
          "--running needs --host-key: a host's last epoch is told only by "
          "its key, not by the name in a syslog header\n", "%d %r %r", rc,
          out, err)
    rc, out, err = h.daytimed_audit("report", "--running", p)
    check(rc == 2 and err.startswith("daytimed-audit: report: --running "
                                     "needs --secret-key and --host-key\n"),
          "%d %r", rc, err)


@test
def clock_set_back_between_runs():
    """The host's clock set back a day between two runs: the second epoch
    names the first (audit state), so the links, not the times, give the
    host's order: intact; and with --running the open epoch, linked last,
    is the host's last although its times are the earliest."""
    if h.asan_build(EMIT):
        raise h.Skip("libfaketime and AddressSanitizer deadlock at start")
    try:
        from fakeclock import FakeClock
        clock = FakeClock(TMP.join("clock"))
    except RuntimeError as e:
        raise h.Skip(str(e))
    epochs = []
    for stop in (True, False):
        state = os.path.join(STATES, "back-%d.state" %
                             len(os.listdir(STATES)))
        clock.shift(0)
        a = emit(3, state=state, env=clock.env())
        clock.shift(-86400)
        epochs.append((a, emit(4, state=state, stop=stop, env=clock.env())))
    a, b = epochs[0]
    check(" prev=%s:" % epoch_of(a) in b[0], "B names A: %s", b[0])
    p = TMP.write("clockback.log", a + b)
    rc, f, out = verify(p, *named_keys("web1"))
    check(rc == 0 and f == [] and "warning:" not in out,
          "clock set back between linked epochs: %d %r\n%s", rc, f, out)
    a, b = epochs[1]
    p = TMP.write("clockback-running.log", a + b)
    rc, f, out = verify(p, "--running", *named_keys("web1"))
    check(rc == 0 and f == [] and
          "warning: epoch %s is open" % epoch_of(b) in out,
          "... and the later one still running: %d %r\n%s", rc, f, out)


@test(timeout=60)
def links_in_a_cycle():
    """Two epochs whose signed starts name each other (ids chosen, state
    files written by hand, as a host whose daemon was changed could): no
    chain of epochs begins there; verify ends, checks both, and reports
    each as a loop, since a start can name only an epoch before it."""
    ids = ("00000000000c7c1a", "00000000000c7c1b")
    eps = []
    for me, other in (ids, ids[::-1]):
        state = os.path.join(STATES, "cycle-%s.state" % me)
        fd = os.open(state, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, b"daytimed-audit-state-v1 %s:4:stop\n" %
                 other.encode())
        os.close(fd)
        eps.append(emit(3, state=state, epoch=me))
    check(all(" prev=%s:4:stop " % o in e[0] and epoch_of(e) == m
              for e, m, o in zip(eps, ids, ids[::-1])), "a cycle: %r", eps)
    p = TMP.write("cycle.log", sum(eps, []))
    rc, f, out = verify(p, *named_keys("web1"))
    check(rc == 1 and "10 sealed records in 2 epochs, 10 verified" in out,
          "a cycle of links: %d %r\n%s", rc, f, out)
    loops = [x for x in f if "its links lead back to it" in x]
    check(len(loops) == 2 and all(any(i in x for x in loops) for i in ids),
          "each epoch of the loop is a finding: %r", f)


@test
def root_remints_an_earlier_epoch():
    """Whoever becomes root on the server reads the host's signing key
    and can mint a replacement for an epoch already written: its id, its
    last seq, records of its choosing. A later epoch's link names only
    the id and the seq, so the server's copy with the replacement
    verifies; the copy taken off the host as the records were written
    still has the original start record, and the two together show two
    start records for one epoch (daytimed-audit(1), CAVEATS)."""
    epochs = linked(2)
    first = epoch_of(epochs[0])
    fake = emit(3, epoch=first)     # the same id and stop seq, a new key
    check(epoch_of(fake) == first and fake[0] != epochs[0][0],
          "a replacement start: %r", fake[0])
    p = TMP.write("reminted.log", fake + epochs[1])
    rc, f, out = verify(p, *hostkeys())
    check(rc == 0 and f == [] and "follows %s:4:stop" % first in out,
          "the server's copy alone cannot tell: %d %r\n%s", rc, f, out)
    central = TMP.write("central.log", sum(epochs, []))
    rc, f, out = verify(central, *hostkeys())
    check(rc == 0 and f == [], "the central copy is intact: %d %r", rc, f)
    rc, out, err = h.daytimed_audit("verify", "--secret-key",
                                    keys()["audit"][1], *hostkeys(), central,
                                    p)
    want = "%s:1: forged: a second start record of epoch %s with another " \
        "sealed key (the first at %s:1)" % (p, first, central)
    check(rc == 1 and want in out.splitlines(), "both copies: the "
          "replacement is found: %d\n%s", rc, out + err)


if __name__ == "__main__":
    h.main()
