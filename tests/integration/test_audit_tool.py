#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""daytimed-audit end to end: keygen and host-keygen, then verify on sealed
chains written by tests/integration/audit_emit (audit.c + log.c, as the
daemon writes them) and on tampered copies of them; key files that are
wrong in every way; .gz files, files named twice, files out of order;
chains sealed at a set wall clock (libfaketime) in a right/ zone (time=
is POSIX time) and across a summer time's end (report's hours).

Environment: DAYTIMED_AUDIT (the built daytimed-audit); AUDIT_EMIT
(default: tests/integration/audit_emit next to DAYTIMED_AUDIT)."""

import json
import os
import re
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402
from fakeclock import FakeClock, library  # noqa: E402

EMIT = h.AUDIT_EMIT
TMP = h.TempDir("dta-", at_exit=True)
_chain = {}


def emit(pub, n, *opts):
    r = h.run([EMIT] + list(opts) + [pub, n])
    if r.returncode != 0:
        raise RuntimeError("audit_emit failed: " + r.stderr.decode())
    return r.stdout.decode().splitlines(keepends=True)


def emit_at(when, tz, pub, n):
    """emit() with the wall clock at about when (seconds since 1970) and
    TZ=tz, through libfaketime."""
    if library() is None:
        raise h.missing("libfaketime is not installed "
                        "(apt-get install faketime)")
    clock = FakeClock(TMP.join("clock"))
    clock.shift(when - time.time())
    env = clock.env()
    env["TZ"] = tz
    r = h.run([EMIT, pub, n], env=env)
    if r.returncode != 0:
        raise RuntimeError("audit_emit failed: " + r.stderr.decode())
    return r.stdout.decode().splitlines(keepends=True)


def keys(name="audit"):
    """TMP/NAME.pub and TMP/NAME.sec, made by keygen unless they exist."""
    pub, sec = TMP.join(name + ".pub"), TMP.join(name + ".sec")
    if not os.path.exists(sec):
        h.daytimed_audit("keygen", pub, sec)
    return pub, sec


def chain():
    """The 22 lines (start, 20 connections, stop) audit_emit sealed to
    keys(), made once, and TMP/intact.log holding them."""
    if not _chain:
        _chain["lines"] = emit(keys()[0], 20)
        _chain["log"] = TMP.write("intact.log", _chain["lines"])
    return _chain["lines"], _chain["log"]


def epoch_of(lines):
    return re.search(r" epoch=([0-9a-f]{16}) ", lines[0]).group(1)


def verify(path, expect_rc, expect_lines, name, sec=None, opts=()):
    """Run verify on path (with keys()' secret key unless sec); compare the
    finding lines (summary excluded). Unsigned epochs: an intact run exits
    3 (intact, not authenticated)."""
    rc, out, err = h.daytimed_audit("verify", "--secret-key",
                                    sec or keys()[1], *(list(opts) + [path]))
    got = [l for l in out.splitlines() if not l.startswith("daytimed-audit:")]
    check(rc == expect_rc, "%s (exit %d): exit %d, out=%r err=%r", name,
          expect_rc, rc, out, err)
    check(got == expect_lines, "%s (findings): got %r, want %r", name, got,
          expect_lines)
    return out


@test
def command_line():
    pub = TMP.join("audit.pub")
    rc, out, _ = h.daytimed_audit("-h")
    check(rc == 0 and "keygen" in out and "verify" in out
          and "host-keygen" in out and "--host-key" in out,
          "-h exits 0 and shows keygen, host-keygen and verify")
    rc, out, _ = h.daytimed_audit("--help")
    check(rc == 0 and "usage:" in out, "--help exits 0")
    for opt in ("-h", "--help"):
        rc, out, err = h.daytimed_audit("verify", opt)
        check(rc == 0 and err == "" and out.splitlines()[:2] == [
            "usage: daytimed-audit verify --secret-key SECFILE "
            "[--host-key [NAME=]PUBFILE]...",
            "           [--running] [LOGFILE...]"], "verify %s: %d %r %r",
            opt, rc, out, err)
    rc, out, _ = h.daytimed_audit("-V")
    check(rc == 0 and re.match(r"daytimed-audit \d+\.\d+", out) is not None,
          "-V prints the version: %s", out)
    rc, _, err = h.daytimed_audit()
    check(rc == 2 and "usage:" in err, "no command: exit 2")
    rc, _, err = h.daytimed_audit("frobnicate")
    check(rc == 2 and "unknown command" in err, "unknown command: exit 2")
    rc, _, err = h.daytimed_audit("keygen", pub)
    check(rc == 2, "keygen with one file: exit 2")


@test
def keygen():
    pub, sec = TMP.join("audit.pub"), TMP.join("audit.sec")
    rc, out, err = h.daytimed_audit("keygen", pub, sec)
    check(rc == 0, "keygen exits 0: %s", err)
    check(stat.S_IMODE(os.stat(pub).st_mode) == 0o644,
          "public key mode 0644: %s", oct(os.stat(pub).st_mode))
    check(stat.S_IMODE(os.stat(sec).st_mode) == 0o600,
          "secret key mode 0600: %s", oct(os.stat(sec).st_mode))
    for path in (pub, sec):
        with open(path, "rb") as f:
            data = f.read()
        check(re.fullmatch(rb"[0-9a-f]{64}\n", data) is not None,
              "key file format %s: %r", os.path.basename(path), data)

    def both():
        with open(pub) as p, open(sec) as s:
            return p.read(), s.read()
    before = both()
    check(before[0] != before[1], "public and secret differ")
    # daytimed-audit(1), EXIT STATUS: 1 when keygen could not write a file
    exists = "daytimed-audit: %s: exists, not overwriting\n"
    rc, _, err = h.daytimed_audit("keygen", pub, sec)
    check(rc == 1 and err == exists % sec,
          "keygen refuses to overwrite: %d %r", rc, err)
    pub2 = TMP.join("new.pub")
    rc, _, err = h.daytimed_audit("keygen", pub2, sec)
    check(rc == 1 and err == exists % sec and not os.path.exists(pub2),
          "keygen refuses an existing secret file: %d %r", rc, err)
    sec2 = TMP.join("new.sec")
    rc, _, err = h.daytimed_audit("keygen", pub, sec2)
    check(rc == 1 and err == exists % pub and not os.path.exists(sec2),
          "keygen refuses an existing public file, leaves no secret: %d %r",
          rc, err)
    check(both() == before, "refused keygen changed nothing")


@test
def key_errors():
    _, sec = keys()
    bad = TMP.write("bad.sec", "00" * 31 + "\n")
    rc, _, err = h.audit_verify(bad, "/dev/null")
    check(rc == 2 and bad in err,
          "malformed secret key: exit 2, names the file: %s", err)
    TMP.write("bad.sec", "AB" * 32 + "\n")
    rc, _, err = h.audit_verify(bad, "/dev/null")
    check(rc == 2 and bad in err, "uppercase key rejected (strict): %s", err)
    rc, _, err = h.audit_verify(TMP.join("nope"), "/dev/null")
    check(rc == 2 and "nope" in err, "missing secret key: exit 2: %s", err)
    rc, _, err = h.daytimed_audit("verify", "/dev/null")
    check(rc == 2, "verify without --secret-key: exit 2: %s", err)
    rc, _, err = h.audit_verify(sec, TMP.join("no-such.log"))
    check(rc == 2 and "no-such.log" in err, "unreadable log: exit 2: %s",
          err)


@test
def intact_chain():
    # start, 20 connections, stop = seq 0..21
    _, sec = keys()
    lines, log = chain()
    check(len(lines) == 22, "emitter wrote 22 records: %d", len(lines))
    check("event=start " in lines[0] and " sealed=" in lines[0]
          and " seq=0 mac=" in lines[0],
          "start record carries sealed= and seq=0")
    check("event=stop " in lines[-1] and " seq=21 mac=" in lines[-1],
          "stop record ends the chain")
    check(all(l.count("\n") == 1 for l in lines)
          and '"eve\\x0a\\x1b[2J\\"x\\\\\\x00"' in "".join(lines),
          "hostile ident is escaped on one line")
    out = verify(log, 3, [], "intact chain")
    check("22 sealed records in 1 epoch, 22 verified, 1 host: intact" in out,
          "intact summary: %s", out)
    check("not authenticated: no --host-key given" in out,
          "says plainly that the epoch is not authenticated: %s", out)
    rc, out, _ = h.audit_verify(sec, input="".join(lines).encode())
    check(rc == 3 and "intact" in out,
          "reads stdin when no file is named: %s", out)
    rc, out, _ = h.daytimed_audit("verify", "--secret-key=" + sec, "-",
                                  input="".join(lines).encode())
    check(rc == 3, "--secret-key=FILE and - for stdin: %s", out)


def flip_first_mac_digit(line):
    return re.sub(r"mac=([0-9a-f])", lambda m: "mac=" +
                  ("0" if m.group(1) != "0" else "1"), line)


# Tampered copies of the intact chain: the test's name, what the copy is
# (l: the 22 lines; seq N is line N + 1), verify's exit status, and the
# findings it must print ({p}: the copy's path, {ep}: the chain's epoch).
TAMPERED = [
    ("modified_byte",
     lambda l: l[:5] + [l[5].replace("duration_us=104", "duration_us=105")]
     + l[6:], 1,
     ["{p}:6: modified: seq 5 does not verify (mac mismatch)"],
     "one modified byte"),
    ("modified_mac",
     lambda l: l[:3] + [flip_first_mac_digit(l[3])] + l[4:], 1,
     ["{p}:4: modified: seq 3 does not verify (mac mismatch)"],
     "a modified mac"),
    ("deleted_record", lambda l: l[:5] + l[6:], 1,
     ["epoch {ep}: missing: seq 5 (before {p}:6)"], "one deleted record"),
    ("three_deleted_records", lambda l: l[:8] + l[11:], 1,
     ["epoch {ep}: missing: seq 8..10 (3 records, before {p}:9)"],
     "three deleted records"),
    ("swapped_records", lambda l: l[:5] + [l[6], l[5]] + l[7:], 1,
     ["{p}:7: reordered: seq 5 and seq 6 ({p}:6) are swapped"],
     "two records swapped"),
    ("record_moved_later", lambda l: l[:3] + l[4:12] + [l[3]] + l[12:], 1,
     ["{p}:12: reordered: seq 3 comes after seq 11 ({p}:11)"],
     "one record moved later"),
    ("duplicated_record", lambda l: l[:9] + [l[5]] + l[9:], 1,
     ["{p}:10: inserted: repeats seq 5 of {p}:6"], "a duplicated record"),
    ("forged_record_inserted",
     lambda l: l[:7] + [l[5].replace("conn=0000000000001004",
                                     "conn=00000000deadbeef")] + l[7:], 1,
     ["{p}:8: inserted: seq 5 does not verify and seq 5 is at {p}:6"],
     "an inserted forged record"),
    ("forged_record_far_past_the_end",
     lambda l: l[:-1] + [re.sub(r"seq=5 ", "seq=99999999999 ", l[5])]
     + l[-1:], 1,
     ["{p}:22: not checked: seq 99999999999 of epoch {ep} is more than "
      "1048576 records past the last verified record (seq 20): a forged "
      "sequence number, or that many records deleted"],
     "a forged record far past the end"),
    ("forged_record_just_past_the_end",
     lambda l: l[:-1] + [re.sub(r"seq=5 ", "seq=30 ", l[5])] + l[-1:], 1,
     ["{p}:22: modified or inserted: seq 30 does not verify (past the "
      "last verified record)"],
     "a forged record just past the end"),
    # once the stop record and every record before it have verified, the
    # epoch is complete: what comes of it later has no place in it
    ("record_repeated_after_the_stop", lambda l: l + [l[5]], 1,
     ["{p}:23: inserted: seq 5 of epoch {ep} came after the epoch's stop "
      "record ({p}:22)"], "a record repeated after the stop record"),
    ("forged_record_after_the_stop",
     lambda l: l + [re.sub(r"seq=5 ", "seq=30 ", l[5])], 1,
     ["{p}:23: inserted: seq 30 of epoch {ep} came after the epoch's stop "
      "record ({p}:22)"], "a forged record after the stop record"),
    ("broken_chain_fields",
     lambda l: l[:4] + [l[4].replace(" seq=4 ", " seq=04 ")] + l[5:], 1,
     ["{p}:5: modified: a daytimed record with broken chain fields",
      "epoch {ep}: missing: seq 4 (before {p}:6)"], "broken chain fields"),
    ("truncated_tail", lambda l: l[:-3], 1,
     ["epoch {ep}: chain ends at seq 18 ({p}:19) without a stop record "
      "(truncated, or the daemon is still running)"], "truncated tail"),
    ("start_record_missing", lambda l: l[1:], 1,
     ["epoch {ep}: its start record (seq 0, with the sealed key) is "
      "missing: 21 records (from {p}:1) cannot be verified"],
     "start record missing"),
]


def tampered_test(name, copy, rc, findings, what):
    """The test of one TAMPERED entry, registered under its name."""
    def run():
        lines, _ = chain()
        p = TMP.write(name + ".log", copy(lines))
        verify(p, rc, [f.format(p=p, ep=epoch_of(lines)) for f in findings],
               what)
    run.__name__ = name
    return test(run)


for _case in TAMPERED:
    tampered_test(*_case)


@test
def other_programs_interleaved():
    # other programs interleaved, plain daytimed messages, CRLF
    lines, _ = chain()
    t = []
    for i, l in enumerate(lines):
        t.append("Nov 26 10:00:0%d testhost sshd[77]: Accepted key for "
                 "conn=x event=y root\n" % (i % 10))
        if i == 3:
            t.append("Nov 26 10:00:00 testhost daytimed[5]: reload: "
                     "configuration reloaded\n")
            t.append("\n")
        t.append(l if i != 7 else l.replace("\n", "\r\n"))
    p = TMP.write("interleaved.log", t)
    verify(p, 3, [], "other programs' lines interleaved")


@test
def rfc5424_and_iso_layouts():
    lines, _ = chain()
    t = []
    for l in lines:
        msg = l.split("]: ", 1)[1]
        t.append("<30>1 2026-11-26T10:32:52.123456+00:00 testhost daytimed "
                 "4242 - - " + msg)
    p = TMP.write("rfc5424.log", t)
    verify(p, 3, [], "RFC 5424 layout")
    t = ["2026-11-26T10:32:52.123456+00:00 testhost " +
         l.split(" testhost ", 1)[1] for l in lines]
    p = TMP.write("iso.log", t)
    verify(p, 3, [], "ISO timestamp layout")


@test
def two_epochs_in_two_files():
    # two epochs (a restart), across two files
    lines, log = chain()
    ep = epoch_of(lines)
    pub, sec = keys()
    lines2 = emit(pub, 3)
    ep2 = epoch_of(lines2)
    check(ep2 != ep, "a new run draws a new epoch")
    p2 = TMP.write("second.log", lines2)
    rc, out, _ = h.audit_verify(sec, log, p2)
    check(rc == 3 and "27 sealed records in 2 epochs" in out,
          "two epochs in two files intact: %s", out)


@test
def hostile_host_name():
    """A syslog header's host name is untrusted bytes: verify prints it as
    report does (record_escape), in the findings and the summary lines,
    never raw (an ESC sequence there hid the rest of the output)."""
    lines, _ = chain()
    ep = epoch_of(lines)
    bad = [l.encode().replace(b" testhost ", b" web\x1b[8m\r\xff ", 1)
           for l in lines]
    bad[5] = bad[5].replace(b" web\x1b[8m\r\xff ", b" \x1b]0;x\x07 ", 1)
    p = TMP.write("hostile.log", b"".join(bad))
    name, other = r'"web\x1b[8m\x0d\xff"', r'"\x1b]0;x\x07"'
    out = verify(p, 1, ["epoch %s: its records name two hosts, %s and %s "
                        "(first at %s:1): a syslog header was changed"
                        % (ep, name, other, p)], "a hostile host name")
    check(not any(c in out for c in "\x1b\r\x07\ufffd"),
          "no raw byte of the names: %r", out)
    check("daytimed-audit: epoch %s host %s: seq 0..21, 22 records, 22 "
          "verified, " % (ep, name) in out and
          "daytimed-audit: host %s: 1 epoch, 21 sealed records, " % name
          in out and "daytimed-audit: host %s: 0 epochs, 1 sealed record, "
          % other in out, "the summary lines: %s", out)


@test
def wrong_secret_key():
    lines, log = chain()
    ep = epoch_of(lines)
    _, sec = keys()
    other_pub, other_sec = keys("other")
    fp = open(keys()[0]).read()[:16]
    verify(log, 2, ["secret key does not match epoch %s (22 records not "
               "verified): it was sealed to the auditor key %s..."
                    % (ep, fp)], "wrong secret key", sec=other_sec)
    # one epoch sealed to another key: said once, the rest verified
    lines3 = emit(other_pub, 2)
    ep3 = epoch_of(lines3)
    p = TMP.write("mixed.log", lines + lines3)
    verify(p, 1, ["secret key does not match epoch %s (4 records not "
                  "verified): it was sealed to the auditor key %s..."
                  % (ep3, open(other_pub).read()[:16])],
           "one epoch under another key")


@test
def nothing_sealed():
    p = TMP.write("empty.log", ["Nov 26 10:00:00 testhost cron[1]: nothing\n"])
    verify(p, 1, ["no sealed daytimed records found"], "no records")


@test
def host_keygen():
    pub, sec = TMP.join("host.pub"), TMP.join("host.sec")
    rc, _, err = h.daytimed_audit("host-keygen", pub, sec)
    check(rc == 0, "host-keygen exits 0: %s", err)
    check(stat.S_IMODE(os.stat(sec).st_mode) == 0o600,
          "host secret key mode 0600: %s", oct(os.stat(sec).st_mode))
    check(stat.S_IMODE(os.stat(pub).st_mode) == 0o644,
          "host public key mode 0644")
    with open(sec, "rb") as f:
        check(re.fullmatch(rb"[0-9a-f]{128}\n", f.read()) is not None,
              "host secret key: 128 hex digits and a newline")
    with open(pub, "rb") as f:
        check(re.fullmatch(rb"[0-9a-f]{64}\n", f.read()) is not None,
              "host public key: 64 hex digits and a newline")
    rc, _, err = h.daytimed_audit("host-keygen", pub, TMP.join("x.sec"))
    check(rc == 1 and err == "daytimed-audit: %s: exists, not "
          "overwriting\n" % pub and not os.path.exists(TMP.join("x.sec")),
          "host-keygen refuses an existing file: %d %r", rc, err)


@test
def key_file_hazards():
    """Issue 13, finding 7: keys given wrong are named for what they are,
    a FIFO never hangs, a readable secret key draws a warning."""
    pub, sec = keys()
    hpub, hsec = TMP.join("host.pub"), TMP.join("host.sec")
    if not os.path.exists(hsec):
        h.daytimed_audit("host-keygen", hpub, hsec)
    _, log = chain()
    rc, out, err = h.audit_verify(pub, log)
    check(rc == 2 and "the secret key given is the auditor's public key "
          "(the server's 'audit key'), not the secret key" in out,
          "a public key as --secret-key is named: %d %s %s", rc, out, err)
    rc, _, err = h.audit_verify(hsec, log)
    check(rc == 2 and "it is a host's secret key (host-keygen)" in err,
          "a host's secret key as --secret-key is named: %s", err)
    rc, _, err = h.daytimed_audit("verify", "-k", sec, "--host-key", hsec,
                                  log)
    check(rc == 2 and "it is a host's secret key; give the public one" in err,
          "a host's secret key as --host-key is named: %s", err)
    rc, _, err = h.daytimed_audit("verify", "-k", sec, "--host-key", pub,
                                  log)
    check("--host-key %s is the auditor's public key, not a host key" % pub
          in err, "the auditor's key as --host-key is named: %s", err)
    fifo = TMP.join("key.fifo")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    r = h.run([h.DAYTIMED_AUDIT, "verify", "-k", fifo, log], timeout=10)
    check(r.returncode == 2 and b"not a regular file (a FIFO)" in r.stderr,
          "a FIFO as the secret key is refused at once: %r", r)
    r = h.run([h.DAYTIMED_AUDIT, "verify", "-k", sec, "--host-key", fifo,
               log], timeout=10)
    check(r.returncode == 2 and b"not a regular file" in r.stderr,
          "a FIFO as a host key is refused at once: %r", r)
    loose = TMP.join("loose.sec")
    with open(sec) as f:
        TMP.write("loose.sec", f.read(), mode=0o644)
    os.chmod(loose, 0o644)
    rc, _, err = h.audit_verify(loose, log)
    check(rc == 3 and "warning: %s is readable by group or others (mode "
          "0644)" % loose in err, "a readable secret key is warned of: %s",
          err)


@test
def gzip_and_order():
    """Issue 13, finding 7: .gz files read as they are; the same file
    named twice read once; files named newest first read oldest first."""
    import gzip
    pub, sec = keys()
    lines = emit(pub, 30)
    old = TMP.write("rot.log.2", lines[:10])
    with gzip.open(TMP.join("rot.log.2.gz"), "wt") as f:
        f.writelines(lines[:10])
    mid = TMP.write("rot.log.1", lines[10:20])
    new = TMP.write("rot.log", lines[20:])
    gzp = TMP.join("rot.log.2.gz")
    rc, out, err = h.audit_verify(sec, new, mid, gzp)
    check(rc == 3 and "32 sealed records in 1 epoch, 32 verified" in out,
          "newest first, the oldest gzipped: intact: %d %s %s", rc, out, err)
    check("reading the files oldest first: %s %s %s" % (gzp, mid, new) in out,
          "the order it read them in is said: %s", out)
    alias = os.path.join(os.path.dirname(mid), ".", os.path.basename(mid))
    rc, out, err = h.audit_verify(sec, old, mid, new, mid, alias)
    check(rc == 3 and "is the same file as" in err and "repeats" not in out,
          "a file named twice is read once: %d %s %s", rc, out, err)
    cut = TMP.join("cut.gz")
    with open(gzp, "rb") as f:
        data = f.read()
    with open(cut, "wb") as f:
        f.write(data[:len(data) - 12])
    rc, out, err = h.audit_verify(sec, cut)
    check(rc == 2 and "cut or damaged .gz" in err,
          "a cut .gz file is an error, not a quiet end: %d %s", rc, err)


@test
def gzip_trailing_bytes():
    """Red team: bytes after the last gzip member (zlib's gzread drops
    them) are an error, in verify and report alike: a record appended to
    a .gz file, a whole plain log behind an empty member."""
    import gzip
    pub, sec = keys()
    lines = emit(pub, 6)
    member = gzip.compress("".join(lines[:4]).encode())
    forged = lines[4].replace(" decision=allow ", " decision=deny ")
    tail = TMP.join("tail.gz")
    with open(tail, "wb") as f:
        f.write(member + forged.encode())
    hidden = TMP.join("hidden.log")
    with open(hidden, "wb") as f:
        f.write(gzip.compress(b"") + "".join(lines).encode())
    for path in (tail, hidden):
        rc, out, err = h.audit_verify(sec, path)
        check(rc == 2 and "bytes that are not gzip data follow the "
              "compressed data" in err, "%s: an error, not intact: %d %s %s",
              path, rc, out, err)
        rc, out, err = h.daytimed_audit("report", path)
        check(rc == 2 and "not gzip data" in err,
              "report %s: an error: %d %s", path, rc, err)
    # concatenated members, as gzip reads them, are read whole
    whole = TMP.join("members.gz")
    with open(whole, "wb") as f:
        f.write(member + gzip.compress(b"") +
                gzip.compress("".join(lines[4:]).encode()))
    rc, out, err = h.audit_verify(sec, whole)
    check(rc == 3 and "8 sealed records in 1 epoch, 8 verified" in out,
          "concatenated members: intact: %d %s %s", rc, out, err)


@test
def overlong_line():
    """Issue 13, finding 7: a huge line costs bounded memory and is said
    (the peak is measured by GNU time(1), when it is there)."""
    import shutil
    pub, sec = keys()
    lines, _ = chain()
    big = TMP.join("big.log")
    with open(big, "w") as f:
        f.writelines(lines[:5])
        f.write(lines[5][:-1] + " " + "x" * (64 << 20) + "\n")
        f.writelines(lines[6:])
    gnutime = shutil.which("time") or "/usr/bin/time"
    peak = TMP.join("peak")
    if os.path.exists(gnutime):
        r = h.run([gnutime, "-f", "%M", "-o", peak, h.DAYTIMED_AUDIT,
                   "verify", "-k", sec, big])
        rc, out = r.returncode, r.stdout.decode()
    else:
        rc, out, _ = h.audit_verify(sec, big)
    check(rc == 1 and "%s:6: an over-long daytimed record" % big in out
          and "missing: seq 5" in out, "over-long line reported: %s", out)
    if os.path.exists(peak):
        with open(peak) as f:
            kb = int(f.read().split()[-1])
        check(kb < 48 * 1024, "a 64 MB line cost %d kB of memory", kb)
    else:
        print("overlong_line: GNU time(1) not installed: memory not measured")


def refused(sec, p, why):
    """verify and report over p stop at a bound, exit 2, saying why (and
    where) and nothing else."""
    rc, out, err = h.audit_verify(sec, p)
    check(rc == 2 and err == "daytimed-audit: " + why + "\n" and out == "",
          "verify: %d %r %r", rc, err, out[:300])
    rc, out, err = h.daytimed_audit("report", "--secret-key", sec, p)
    check(rc == 2 and why in err, "report: %d %r", rc, err)


@test(timeout=60)
def too_many_hosts():
    """Lines that each name a new host (and a new epoch): the end's work
    grows as n log n, and past 65536 hosts verify stops with an error
    (exit 2) that says where, rather than growing without bound; report
    likewise."""
    _, sec = keys()
    p = TMP.join("hosts.log")
    with open(p, "w") as f:
        for i in range(65537):
            f.write("Nov 26 10:00:00 h%d daytimed[1]: conn=%016x proto=tcp "
                    "decision=allow epoch=%016x seq=1 mac=%s\n"
                    % (i, i, i + 1, "0" * 32))
    refused(sec, p, "%s:65537: more than 65536 hosts (as the syslog headers "
            "name them) in the input: not verified (verify fewer files at "
            "once)" % p)


@test(timeout=60)
def too_many_open_epochs():
    """Epochs that each hold a full ring of keys and never complete: a
    start record, then a record 1023 seqs on (minted with the auditor's
    public key, or forged as here). Past 4194304 keys held, verify stops
    with an error (exit 2) that says where, rather than growing by 57 KB
    an epoch; report likewise."""
    _, sec = keys()
    lines, _ = chain()
    p = TMP.join("open.log")
    with open(p, "w") as f:
        for i in range(4097):
            ep = " epoch=%016x " % (i + 1)
            f.write(re.sub(r" epoch=[0-9a-f]{16} ", ep, lines[0]))
            f.write(re.sub(r" epoch=[0-9a-f]{16} seq=5 mac=[0-9a-f]+",
                           ep + "seq=1023 mac=" + "0" * 32, lines[5]))
    refused(sec, p, "%s:8193: more than 4194304 keys held for the epochs "
            "not yet complete (up to 1024 an epoch) in the input: not "
            "verified (verify fewer files, or fewer hosts, at once)" % p)


@test
def right_zone_time_is_posix():
    """A right/ zone's leap seconds stay out of time=: at time_t
    1483228826 (to right/UTC the leap second 2016-12-31T23:59:60) the
    chain seals 2017-01-01T00:00:26, and verify prints the same span in
    any zone."""
    pub, sec = keys()
    lines = emit_at(1483228826, "right/UTC", pub, 2)
    times = re.findall(r" time=(\S+) ", "".join(lines))
    check(len(times) == 4 and all(t.startswith("2017-01-01T00:00:")
                                  for t in times),
          "time= is POSIX time under right/UTC: %r", times)
    p = TMP.write("right.log", lines)
    spans = []
    for tz in ("UTC", "right/UTC"):
        rc, out, _ = h.audit_verify(sec, p, env=dict(os.environ, TZ=tz))
        m = re.search(r"(\S+Z) \.\. (\S+Z)", out)
        check(rc == 3 and m is not None, "verify under %s: %d %r", tz, rc,
              out)
        spans.append(m.group(0))
    check(spans[0] == spans[1] and spans[0].startswith("2017-01-01T00:00:"),
          "the same span under UTC and right/UTC: %r", spans)


@test
def report_fall_back_hours():
    """Europe/Berlin's 02:00-03:00 happens twice on 2026-10-25 (+0200, then
    +0100): two histogram rows, each with its offset, and a header that
    names both."""
    pub, sec = keys()
    lines = (emit_at(1792888200, "Europe/Berlin", pub, 2) +   # 00:30Z
             emit_at(1792891800, "Europe/Berlin", pub, 3))    # 01:30Z
    p = TMP.write("fallback.log", lines)
    env = dict(os.environ, TZ="Europe/Berlin")
    rc, out, err = h.daytimed_audit("report", "--json", "--secret-key", sec,
                                    p, env=env)
    check(rc in (0, 3), "report --json: %d %r", rc, err)
    rows = [(r["start"], r["allow"] + r["deny"] + r["drop"])
            for r in json.loads(out)["histogram"]["rows"]]
    check(rows == [("2026-10-25T02:00:00+02:00", 2),
                   ("2026-10-25T02:00:00+01:00", 3)],
          "two rows for the two hours 02:00: %r", rows)
    rc, out, err = h.daytimed_audit("report", "--secret-key", sec, p, env=env)
    check("(times are local, UTC+0200 and UTC+0100)" in out.splitlines()[0],
          "the header names both offsets: %r", out.splitlines()[0])
    check(re.search(r"^  2026-10-25 02:00 \+0200 +\d+ +\d+ +\d+ ", out, re.M)
          and re.search(r"^  2026-10-25 02:00 \+0100 +\d+ +\d+ +\d+ ", out,
                        re.M), "the repeated hour is marked:\n%s", out)
    check(all(len(l) <= 80 for l in out.splitlines()), "80 columns:\n%s",
          out)


if __name__ == "__main__":    h.main()
