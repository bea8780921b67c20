#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""daytimed-audit end to end: keygen, then verify on sealed chains written
by tests/integration/audit_emit (audit.c + log.c, as the daemon writes
them) and on tampered copies of them. Exits 0 when every check passes.

Environment: DAYTIMED_AUDIT (the built daytimed-audit); AUDIT_EMIT
(default: tests/integration/audit_emit next to DAYTIMED_AUDIT)."""

import os
import re
import stat
import subprocess
import sys
import tempfile

AUDIT = os.environ.get("DAYTIMED_AUDIT", "./daytimed-audit")
EMIT = os.environ.get("AUDIT_EMIT") or os.path.join(
    os.path.dirname(os.path.abspath(AUDIT)), "tests", "integration",
    "audit_emit")
TIMEOUT = 60

passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + detail if detail else ""))


def run(args, stdin=None):
    p = subprocess.run([AUDIT] + args, input=stdin, capture_output=True,
                       timeout=TIMEOUT)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace")


def emit(pub, n):
    p = subprocess.run([EMIT, pub, str(n)], capture_output=True,
                       timeout=TIMEOUT)
    if p.returncode != 0:
        raise RuntimeError("audit_emit failed: " + p.stderr.decode())
    return p.stdout.decode().splitlines(keepends=True)


def write(path, lines):
    with open(path, "w") as f:
        f.writelines(lines)


def epoch_of(lines):
    return re.search(r" epoch=([0-9a-f]{16}) ", lines[0]).group(1)


def verify(sec, path, expect_rc, expect_lines, name, exact=True):
    """Run verify on path; compare the finding lines (summary excluded)."""
    rc, out, err = run(["verify", "--secret-key", sec, path])
    got = [l for l in out.splitlines() if not l.startswith("daytimed-audit:")]
    check(name + " (exit %d)" % expect_rc, rc == expect_rc,
          "exit %d, out=%r err=%r" % (rc, out, err))
    if exact:
        check(name + " (findings)", got == expect_lines,
              "got %r, want %r" % (got, expect_lines))
    else:
        for want in expect_lines:
            check(name + " (" + want[:40] + "...)", want in got,
                  "got %r" % got)
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="test_audit_tool.")
    pub = os.path.join(tmp, "audit.pub")
    sec = os.path.join(tmp, "audit.sec")

    # --- the command line
    rc, out, _ = run(["-h"])
    check("-h exits 0 and shows keygen and verify",
          rc == 0 and "keygen" in out and "verify" in out)
    rc, out, _ = run(["--help"])
    check("--help exits 0", rc == 0 and "usage:" in out)
    rc, out, _ = run(["-V"])
    check("-V prints the version", rc == 0 and
          re.match(r"daytimed-audit \d+\.\d+", out) is not None, out)
    rc, _, err = run([])
    check("no command: exit 2", rc == 2 and "usage:" in err)
    rc, _, err = run(["frobnicate"])
    check("unknown command: exit 2", rc == 2 and "unknown command" in err)
    rc, _, err = run(["keygen", pub])
    check("keygen with one file: exit 2", rc == 2)

    # --- keygen
    rc, out, err = run(["keygen", pub, sec])
    check("keygen exits 0", rc == 0, err)
    check("public key mode 0644",
          stat.S_IMODE(os.stat(pub).st_mode) == 0o644,
          oct(os.stat(pub).st_mode))
    check("secret key mode 0600",
          stat.S_IMODE(os.stat(sec).st_mode) == 0o600,
          oct(os.stat(sec).st_mode))
    for path in (pub, sec):
        data = open(path, "rb").read()
        check("key file format " + os.path.basename(path),
              re.fullmatch(rb"[0-9a-f]{64}\n", data) is not None, repr(data))
    check("public and secret differ",
          open(pub).read() != open(sec).read())
    before = (open(pub).read(), open(sec).read())
    rc, _, err = run(["keygen", pub, sec])
    check("keygen refuses to overwrite", rc != 0 and "exists" in err, err)
    pub2 = os.path.join(tmp, "new.pub")
    rc, _, err = run(["keygen", pub2, sec])
    check("keygen refuses an existing secret file",
          rc != 0 and not os.path.exists(pub2), err)
    sec2 = os.path.join(tmp, "new.sec")
    rc, _, err = run(["keygen", pub, sec2])
    check("keygen refuses an existing public file, leaves no secret",
          rc != 0 and not os.path.exists(sec2), err)
    check("refused keygen changed nothing",
          (open(pub).read(), open(sec).read()) == before)
    other_pub = os.path.join(tmp, "other.pub")
    other_sec = os.path.join(tmp, "other.sec")
    run(["keygen", other_pub, other_sec])

    # --- key errors
    bad = os.path.join(tmp, "bad.sec")
    with open(bad, "w") as f:
        f.write("00" * 31 + "\n")
    rc, _, err = run(["verify", "--secret-key", bad, "/dev/null"])
    check("malformed secret key: exit 2, names the file",
          rc == 2 and bad in err, err)
    with open(bad, "w") as f:
        f.write("AB" * 32 + "\n")
    rc, _, err = run(["verify", "--secret-key", bad, "/dev/null"])
    check("uppercase key rejected (strict)", rc == 2 and bad in err, err)
    rc, _, err = run(["verify", "--secret-key", os.path.join(tmp, "nope"),
                      "/dev/null"])
    check("missing secret key: exit 2", rc == 2 and "nope" in err, err)
    rc, _, err = run(["verify", "/dev/null"])
    check("verify without --secret-key: exit 2", rc == 2, err)
    rc, _, err = run(["verify", "--secret-key", sec,
                      os.path.join(tmp, "no-such.log")])
    check("unreadable log: exit 2", rc == 2 and "no-such.log" in err, err)

    # --- an intact chain: start, 20 connections, stop = seq 0..21
    lines = emit(pub, 20)
    check("emitter wrote 22 records", len(lines) == 22, str(len(lines)))
    ep = epoch_of(lines)
    check("start record carries sealed= and seq=0",
          "event=start " in lines[0] and " sealed=" in lines[0]
          and " seq=0 mac=" in lines[0])
    check("stop record ends the chain",
          "event=stop " in lines[-1] and " seq=21 mac=" in lines[-1])
    check("hostile ident is escaped on one line",
          all(l.count("\n") == 1 for l in lines)
          and '"eve\\x0a\\x1b[2J\\"x\\\\\\x00"' in "".join(lines))
    log = os.path.join(tmp, "intact.log")
    write(log, lines)
    out = verify(sec, log, 0, [], "intact chain")
    check("intact summary", "22 sealed records in 1 epochs, 22 verified: "
          "intact" in out, out)
    rc, out, _ = run(["verify", "--secret-key", sec], stdin="".join(
        lines).encode())
    check("reads stdin when no file is named", rc == 0 and "intact" in out,
          out)
    rc, out, _ = run(["verify", "--secret-key=" + sec, "-"],
                     stdin="".join(lines).encode())
    check("--secret-key=FILE and - for stdin", rc == 0, out)

    # --- a modified byte (seq 5 is line 6)
    t = list(lines)
    t[5] = t[5].replace("duration_us=104", "duration_us=105")
    p = os.path.join(tmp, "modified.log")
    write(p, t)
    verify(sec, p, 1, ["%s:6: modified: seq 5 does not verify "
                       "(mac mismatch)" % p], "one modified byte")

    # --- a modified mac
    t = list(lines)
    t[3] = re.sub(r"mac=([0-9a-f])", lambda m: "mac=" +
                  ("0" if m.group(1) != "0" else "1"), t[3])
    p = os.path.join(tmp, "mac.log")
    write(p, t)
    verify(sec, p, 1, ["%s:4: modified: seq 3 does not verify "
                       "(mac mismatch)" % p], "a modified mac")

    # --- a deleted line
    t = lines[:5] + lines[6:]
    p = os.path.join(tmp, "deleted.log")
    write(p, t)
    verify(sec, p, 1, ["epoch %s: missing: seq 5 (before %s:6)" % (ep, p)],
           "one deleted record")

    # --- three deleted lines
    t = lines[:8] + lines[11:]
    p = os.path.join(tmp, "deleted3.log")
    write(p, t)
    verify(sec, p, 1, ["epoch %s: missing: seq 8..10 (3 records, before "
                       "%s:9)" % (ep, p)], "three deleted records")

    # --- two lines swapped (seq 5 and 6)
    t = list(lines)
    t[5], t[6] = t[6], t[5]
    p = os.path.join(tmp, "swapped.log")
    write(p, t)
    verify(sec, p, 1, ["%s:6: reordered: seq 6 comes after seq 4" % p],
           "two records swapped")

    # --- a record moved far back
    t = lines[:3] + lines[4:12] + [lines[3]] + lines[12:]
    p = os.path.join(tmp, "moved.log")
    write(p, t)
    verify(sec, p, 1, ["%s:12: reordered: seq 3 comes after seq 11" % p],
           "one record moved later")

    # --- a replayed (duplicated) record
    t = lines[:9] + [lines[5]] + lines[9:]
    p = os.path.join(tmp, "dup.log")
    write(p, t)
    verify(sec, p, 1, ["%s:10: inserted: repeats seq 5 of %s:6" % (p, p)],
           "a duplicated record")

    # --- a forged record with an existing seq
    forged = lines[5].replace("conn=0000000000001004", "conn=00000000deadbeef")
    t = lines[:7] + [forged] + lines[7:]
    p = os.path.join(tmp, "forged.log")
    write(p, t)
    verify(sec, p, 1, ["%s:8: inserted: seq 5 does not verify and seq 5 is "
                       "at %s:6" % (p, p)], "an inserted forged record")

    # --- a forged record far past the end
    forged = re.sub(r"seq=5 ", "seq=99999999999 ", lines[5])
    t = lines + [forged]
    p = os.path.join(tmp, "far.log")
    write(p, t)
    verify(sec, p, 1, ["%s:23: modified or inserted: seq 99999999999 does "
                       "not verify (past the last verified record)" % p],
           "a forged record far past the end")

    # --- broken chain fields
    t = list(lines)
    t[4] = t[4].replace(" seq=4 ", " seq=04 ")
    p = os.path.join(tmp, "broken.log")
    write(p, t)
    verify(sec, p, 1, ["%s:5: modified: a daytimed record with broken chain "
                       "fields" % p, "epoch %s: missing: seq 4 (before "
                       "%s:6)" % (ep, p)], "broken chain fields")

    # --- a truncated tail
    t = lines[:-3]
    p = os.path.join(tmp, "truncated.log")
    write(p, t)
    verify(sec, p, 1, ["epoch %s: chain ends at seq 18 (%s:19) without a "
                       "stop record (truncated or still running)" % (ep, p)],
           "truncated tail")

    # --- the start record missing
    t = lines[1:]
    p = os.path.join(tmp, "nostart.log")
    write(p, t)
    verify(sec, p, 1, ["epoch %s: its start record (seq 0, with the sealed "
                       "key) is missing: 21 records cannot be verified" % ep],
           "start record missing")

    # --- other programs interleaved, plain daytimed messages, CRLF
    t = []
    for i, l in enumerate(lines):
        t.append("Nov 26 10:00:0%d testhost sshd[77]: Accepted key for "
                 "conn=x event=y root\n" % (i % 10))
        if i == 3:
            t.append("Nov 26 10:00:00 testhost daytimed[5]: reload: "
                     "configuration reloaded\n")
            t.append("Nov 26 10:00:00 testhost daytimed[5]: conn=0000000000"
                     "000001 proto=tcp peer=127.0.0.1:1 decision=allow\n")
            t.append("\n")
        t.append(l if i != 7 else l.replace("\n", "\r\n"))
    p = os.path.join(tmp, "interleaved.log")
    write(p, t)
    verify(sec, p, 0, [], "other programs' lines interleaved")

    # --- RFC 5424 and ISO timestamp layouts
    t = []
    for l in lines:
        msg = l.split("]: ", 1)[1]
        t.append("<30>1 2026-11-26T10:32:52.123456+00:00 testhost daytimed "
                 "4242 - - " + msg)
    p = os.path.join(tmp, "rfc5424.log")
    write(p, t)
    verify(sec, p, 0, [], "RFC 5424 layout")
    t = ["2026-11-26T10:32:52.123456+00:00 testhost " +
         l.split(" testhost ", 1)[1] for l in lines]
    p = os.path.join(tmp, "iso.log")
    write(p, t)
    verify(sec, p, 0, [], "ISO timestamp layout")

    # --- two epochs (a restart), across two files
    lines2 = emit(pub, 3)
    ep2 = epoch_of(lines2)
    check("a new run draws a new epoch", ep2 != ep)
    p2 = os.path.join(tmp, "second.log")
    write(p2, lines2)
    rc, out, _ = run(["verify", "--secret-key", sec, log, p2])
    check("two epochs in two files intact",
          rc == 0 and "27 sealed records in 2 epochs" in out, out)

    # --- the wrong secret key
    verify(other_sec, log, 2, ["secret key does not match epoch %s (22 "
                               "records not verified)" % ep],
           "wrong secret key")
    # one epoch sealed to another key: said once, the rest verified
    lines3 = emit(other_pub, 2)
    ep3 = epoch_of(lines3)
    p = os.path.join(tmp, "mixed.log")
    write(p, lines + lines3)
    verify(sec, p, 1, ["secret key does not match epoch %s (4 records not "
                       "verified)" % ep3], "one epoch under another key")

    # --- nothing sealed
    p = os.path.join(tmp, "empty.log")
    write(p, ["Nov 26 10:00:00 testhost cron[1]: nothing\n"])
    verify(sec, p, 1, ["no sealed daytimed records found"], "no records")

    # clean up what we made
    for name in os.listdir(tmp):
        os.unlink(os.path.join(tmp, name))
    os.rmdir(tmp)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash is a failure, reported as such
        failed += 1
        print("FAIL exception: %r" % (e,))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(0 if failed == 0 else 1)
