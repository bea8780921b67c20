# SPDX-License-Identifier: ISC
"""The soak's words: the summary every few minutes, the final figures and
the fault table (printed, and written as Markdown to SOAK_REPORT), and the
assertions that end the run."""

import os
import platform
import re
import subprocess
import sys
import time

import harness as h

SANITIZER_RE = re.compile(r"==\d+==ERROR: |runtime error:|LeakSanitizer|"
                          r"AddressSanitizer|UndefinedBehaviorSanitizer")
# what verify says of an engine killed with SIGKILL (chain v1 and v2)
ALLOWED_FINDING = re.compile(r"^(?:warning: )?epoch ([0-9a-f]+):?(?: chain)? "
                             r"ends at seq \d+ .*without a stop record")
# what verify says of the wall clock stepped back (the clock fault)
CLOCK_FINDING = re.compile(r"^warning: .*epoch ([0-9a-f]+): time goes back "
                           r"at seq \d+: .*\(the host's clock was set back\)$")
_last = {}


def summary_head():
    print("  time  gen  conn/s dgram/s   records   missing  problems  fds "
          "  RSS kB  queue lost bp  reloads ok/failed  faults")


def summary(S, elapsed):
    """One line: rates since the last one, books, the engine's state."""
    t = S.ledger.tally
    c = S.counters(timeout=5) or {}
    now = time.monotonic()
    prev = _last or {"t": now - elapsed, "tcp": 0, "udp": 0}
    span = max(1e-3, now - prev["t"])
    conn, dgram = t["made:tcp"], t["made:udp"]
    eng = S.svc.engine
    print("%6.0f %4d %7.0f %7.0f %9d %9d %9d %4d %8d %5s %4s %2s %9d/%-7d "
          "%6d" % (elapsed, S.svc.gen, (conn - prev["tcp"]) / span,
                   (dgram - prev["udp"]) / span, t["records"], t["missing"],
                   sum(n for n, _ in S.ledger.problems.values()),
                   h.fd_count(eng), h.rss_kb(eng), c.get("log_queue", "?"),
                   c.get("log_lost", "?"), c.get("backpressure", "?"),
                   S.reloader.ok, S.reloader.failed,
                   sum(st.injected for st in S.stats.values())))
    sys.stdout.flush()
    _last.update({"t": now, "tcp": conn, "udp": dgram})


def cell(st):
    if st.skipped:
        return "skipped: " + st.skipped
    seen = st.seen
    if len(seen) > 3:
        seen = seen[:2] + ["… %d more …" % (len(seen) - 3), seen[-1]]
    return "; ".join(seen) or "-"


def fault_table(S):
    rows = ["| fault | injected | expected | observed | records lost | "
            "result |", "| --- | ---: | --- | --- | ---: | --- |"]
    for st in S.stats.values():
        result = "skipped" if st.skipped else (
            "**FAILED**: " + " / ".join(f.splitlines()[0]
                                        for f in st.failures[:3])
            if st.failures else "ok")
        lost = str(st.lost)
        if st.lost and st.name.startswith(("engine killed",
                                            "monitor killed")):
            lost += " (in flight at the kill)"
        if st.kernel:
            lost += "; %d handshakes the kernel dropped (full listen " \
                "queue: the daemon never saw them)" % st.kernel
        rows.append("| %s | %d | %s | %s | %s | %s |"
                    % (st.name, st.injected, st.expected, cell(st), lost,
                       result))
    return rows


def final(S, elapsed, end, seconds, seed):
    t = S.ledger.tally
    gens = S.svc.gens
    first, last = gens[0], gens[-1]
    c = end["counters"] or {}
    lines = [
        "- command: `SOAK_SECONDS=%.0f make check-soak` (seed %d)"
        % (seconds, seed),
        "- date: %s; `nproc` = %d; %s %s; daytimed %s"
        % (time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
           os.cpu_count(), platform.system(), platform.release(),
           revision()),
        "- load ran %.0f s; %d daemon generations (%d chrooted), %d "
        "killed" % (elapsed, len(gens), sum(g["chroot"] for g in gens),
                    sum(g["killed"] for g in gens)),
        "- TCP connections %d (+%d connects that failed while the daemon "
        "was down or pushing back); UDP datagrams %d, answered %d "
        "(%d answered after the client stopped waiting)"
        % (t["tcp"], t["tcp_failed"], t["udp"], t["udp_answered"],
           t["udp_late"]),
        "- audit records %d (allow %d, deny %d, drop %d); **missing %d, "
        "duplicates %d**; lost with a killed process %d (in flight at the "
        "kill); connects the kernel dropped at a full listen queue %d"
        % (t["records"], t["allow"], t["deny"], t["drop"], t["missing"],
           t["duplicates"], t["lost_in_flight"], t["kernel_dropped"]),
        "- sealed records in order: %d; gaps %d, steps back %d; "
        "`daytimed-audit verify`: %s"
        % (S.tail.order["in order"], S.tail.order["gap"],
           S.tail.order["back"], verify_line(S, end["verify"])),
        "- engine descriptors: %d at the start, %s after warm-up, last "
        "generation %s at its baseline and %d at the end"
        % (first["fds"], first["base"][0] if first["base"] else "-",
           last["base"][0] if last["base"] else "-", end["fds_end"]),
        "- engine RSS: %d kB at the start, %s kB after warm-up, last "
        "generation %s kB at its baseline and %d kB at the end"
        % (first["rss"], first["base"][1] if first["base"] else "-",
           last["base"][1] if last["base"] else "-", end["rss_end"]),
        "- the real identd (Debian's oidentd): %d lookups; it answered "
        "NO-USER for a client still connected %d times (each in its own "
        "log for that query; at most %d allowed)"
        % (t["ident-real lookups"], t["ident-real no-user"],
           identd_no_user_bound(t)),
        "- reloads ok %d, failed %d (records); last engine's counters: %s"
        % (S.reloader.ok, S.reloader.failed, " ".join(
            "%s=%s" % (k, c.get(k)) for k in
            ("accepted", "allowed", "denied", "dropped", "udp",
             "emfile_pauses", "backpressure", "log_lost", "log_queue"))),
    ]
    print("soak summary (%s build)" % ("ASan" if S.asan else "plain"))
    for line in lines:
        print("  " + line)
    for what, (n, ex) in S.ledger.problems.items():
        print("  problem x%d: %s\n    e.g. %s" % (n, what, "\n    e.g. "
                                                  .join(ex[:3])))
    for when, k in S.ledger.identd_no_user:
        print("  oidentd NO-USER at %s: %s" % (when, k))
    print("fault table:")
    table = fault_table(S)
    for row in table:
        print(row)
    for st in S.stats.values():
        for f in st.failures:
            print("  FAILED %s" % f)
    sys.stdout.flush()
    path = os.environ.get("SOAK_REPORT")
    if path:
        with open(path, "w") as f:
            f.write("\n".join(lines + [""] + table) + "\n")


def revision():
    top = os.environ.get("TOP_SRCDIR") or os.path.join(h.HERE, "..", "..")
    try:
        rev = subprocess.run(["git", "-C", top, "rev-parse", "--short",
                              "HEAD"], capture_output=True, text=True,
                             timeout=10).stdout.strip()
    except OSError:
        rev = ""
    out = h.daytimed("-V")[1].strip()
    return "%s%s" % (out.split()[-1] if out else "?",
                     ", " + rev if rev else "")


def verify_line(S, v):
    rc, out, err = v
    lines = [x for x in out.strip().splitlines()
             if x.startswith("daytimed-audit:")]
    found = [x for x in out.splitlines() if not x.startswith(
        "daytimed-audit:")]
    text = "exit %d, %s" % (rc, lines[0] if lines else (out + err)[:200])
    if found:
        text += "; findings: %s" % "; ".join(found[:4])
        if not findings(S, v):
            text += " (each the end of an engine killed with SIGKILL)"
    return text


def findings(S, v):
    """verify's findings that no SIGKILL or clock step explains."""
    killed = {g["epoch"] for g in S.svc.gens if g.get("engine_killed")}
    stepped = any(st.name.startswith("wall clock") and st.injected
                  for st in S.stats.values())
    bad = []
    for line in v[1].splitlines():
        if line.startswith("daytimed-audit:") or (
                stepped and CLOCK_FINDING.match(line)):
            continue
        m = ALLOWED_FINDING.match(line)
        if m is None or m.group(1) not in killed:
            bad.append(line)
    return bad


def identd_no_user_bound(t):
    """How many NO-USER answers oidentd may give for connected clients:
    one in 200 of its lookups (at least 3).  Each is already vouched for
    by oidentd's log (the query daytimed sent was the right one); the
    hour-long runs saw 0 to 3 in some 4,000 lookups, and many more would
    mean the identd's trouble has changed and needs a look."""
    return max(3, t["ident-real lookups"] // 200)


def assert_all(S, end, slack):
    """Everything the soak promises, after the table is out."""
    t = S.ledger.tally
    h.check(t["ident-real no-user"] <= identd_no_user_bound(t),
            "oidentd answered NO-USER for %d connected clients in %d "
            "lookups", t["ident-real no-user"], t["ident-real lookups"])
    failed = [f for st in S.stats.values() for f in st.failures]
    h.check(not failed, "%d fault checks failed, e.g.:\n%s", len(failed),
            "\n".join(failed[:10]))
    h.check(not S.tail.bad, "%d malformed or out-of-order records, e.g. "
            "%r", len(S.tail.bad), S.tail.bad[:5])
    h.check(not S.ledger.problems, "%d kinds of problem: %s",
            len(S.ledger.problems), list(S.ledger.problems)[:10])
    h.check(t["missing"] == 0 and t["duplicates"] == 0, "missing %d, "
            "duplicates %d", t["missing"], t["duplicates"])
    bad = findings(S, end["verify"])
    # 4: intact, but an epoch ended uncleanly (as the next one says):
    # only an engine killed with SIGKILL may have done that
    killed = any(g.get("engine_killed") for g in S.svc.gens)
    h.check(end["verify"][0] in ((0, 1, 4) if killed else (0, 1)) and
            not bad, "daytimed-audit verify: %s", "\n".join(bad[:10]) or
            end["verify"])
    for name, e in end["last"].items():
        h.check(e.outcome == "eof" and h.CTIME_RE.match(e.data or b""),
                "final %s TCP request: %r %r", name, e.outcome, e.data)
    h.check(end["udp"].answered == 1, "final UDP request unanswered")
    lost = [x[4].get("log_lost") for x in S.tail.find(r"^event=counters ")]
    h.check(lost and all(v == "0" for v in lost), "log_lost in the "
            "counters: %r", lost)
    san = [x for x in end["stderr"].splitlines() if SANITIZER_RE.search(x)]
    h.check(not san, "sanitizer output on stderr:\n%s", "\n".join(san[:20]))
    h.check(end["rc"] == 0, "daemon exit status %s; its last messages:\n%s"
            "\nits stderr ends:\n%s", end["rc"], "\n".join(end["said"][-10:]),
            end["stderr"][-3000:])
    base = S.svc.gens[-1]["base"]
    if base is not None:
        h.check(end["fds_end"] == base[0], "engine descriptors %d at the "
                "baseline, %d at the end", base[0], end["fds_end"])
        if not S.asan:
            h.check(end["rss_end"] <= base[1] + slack, "engine RSS grew "
                    "from %d to %d kB (slack %d kB)", base[1],
                    end["rss_end"], slack)
