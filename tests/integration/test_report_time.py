#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""daytimed-audit report's times where they are guessed: traditional
(RFC 3164) stamps have no year and no offset, so the report runs under
libfaketime (its "now") and a TZ. A year's end read on Dec 31 (the next
year's Jan 1), a leap day read a year later, a summer time's repeated
hour (the file's order tells its two passes apart), and a half-hour
fall back (Australia/Lord_Howe) with RFC 3339 stamps: each hour row with
its own offset and its own records."""

import calendar
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402
from fakeclock import FakeClock, library  # noqa: E402

TMP = h.TempDir("dtrt-", at_exit=True)
REC = ("h1 daytimed[1]: conn=%016x proto=tcp peer=10.0.0.1:1000 "
       "local=192.0.2.1:13 decision=%s rule=%s ident=- "
       "ident_status=skipped duration_us=10 bytes=26\n")


def log(name, stamps, decisions=None):
    """A file of one record per stamp (allow unless decisions says)."""
    lines = []
    for i, s in enumerate(stamps):
        d = decisions[i] if decisions else "allow"
        lines.append(s + " " + REC % (i + 1, d,
                                      "/e:3" if d == "allow" else "default"))
    return TMP.write(name, "".join(lines))


def report(now, tz, *args):
    """daytimed-audit report ARGS at the UTC time now, in zone tz."""
    if h.asan_build(h.DAYTIMED_AUDIT):
        # the time functions' cases run under ASan as unit tests
        raise h.Skip("libfaketime and AddressSanitizer deadlock at start")
    if library() is None:
        raise h.missing("libfaketime is not installed "
                        "(apt-get install faketime)")
    when = calendar.timegm(time.strptime(now, "%Y-%m-%d %H:%M:%S"))
    clock = FakeClock(TMP.join("clock"))
    clock.shift(when - time.time())
    env = clock.env()
    env["TZ"] = tz
    rc, out, err = h.daytimed_audit("report", *args, env=env)
    check(rc == 0, "report %s exit 0: %d %s", args, rc, err)
    return out


def hist(out):
    """The page's histogram rows: (label, allow, deny, drop)."""
    sect = out.split("\nPer ")[1].split("\n\n")[0].split("\n")[2:]
    rows = []
    for line in sect:
        m = re.match(r"^  (\S.*?) +(\d+) +(\d+) +(\d+) [#!-]*$", line)
        check(m, "a histogram row: %r", line)
        rows.append((m.group(1),) + tuple(int(m.group(i)) for i in (2, 3, 4)))
    return rows


@test(timeout=60)
def next_year():
    """Read at 2026-12-31 23:59:40, "Jan  1 00:00:30" is 2027's (a day
    ahead at most), not last January's: two records 90 s apart, per hour."""
    p = log("y2.log", ["Dec 31 23:59:00", "Jan  1 00:00:30"],
            ["allow", "deny"])
    out = report("2026-12-31 23:59:40", "UTC", p)
    check("records from 2026-12-31 23:59:00 to 2027-01-01 00:00:30" in out,
          "the period:\n%s", out)
    check(hist(out) == [("2026-12-31 23:00", 1, 0, 0),
                        ("2027-01-01 00:00", 0, 1, 0)], "per hour:\n%s", out)


@test(timeout=60)
def leap_day():
    """Read at 2029-03-05, "Feb 29" is 2028's (2029 has none); "Feb 30"
    no year has: that record has no time."""
    p = log("feb.log", ["Feb 29 12:00:00", "Feb 30 12:00:00"])
    d = json.loads(report("2029-03-05 12:00:00", "UTC", "--json", p))
    check(d["period"]["first"] == "2028-02-29T12:00:00+00:00" and
          d["period"]["last"] == d["period"]["first"], "period: %r",
          d["period"])
    check(d["input"]["undated"] == 1, "undated: %r", d["input"])


@test(timeout=60)
def fall_back_order():
    """Europe/Berlin, 2026-10-25: 02:10 and 02:50 twice in one file; the
    second 02:10 goes back in time, so it and what follows in that hour
    are the second pass (+0100): two and two."""
    stamps = ["Oct 25 %s:00" % t for t in
              ("01:30", "02:10", "02:50", "02:10", "02:50", "03:30")]
    p = log("dst.log", stamps)
    out = report("2026-11-02 12:00:00", "Europe/Berlin", p)
    check(hist(out) == [("2026-10-25 01:00 +0200", 1, 0, 0),
                        ("2026-10-25 02:00 +0200", 2, 0, 0),
                        ("2026-10-25 02:00 +0100", 2, 0, 0),
                        ("2026-10-25 03:00 +0100", 1, 0, 0)],
          "per hour:\n%s", out)
    # the first pass in one file, the second in another: each file
    # starts in the first pass again
    a = log("dst-a.log", stamps[:3])
    b = log("dst-b.log", stamps[3:])
    out = report("2026-11-02 12:00:00", "Europe/Berlin", a, b)
    check(hist(out)[1] == ("2026-10-25 02:00 +0200", 4, 0, 0),
          "per file, the first pass:\n%s", out)


@test(timeout=60)
def half_hour():
    """Australia/Lord_Howe goes back half an hour (02:00 +11 to 01:30
    +1030): hour 01 is two rows, +1100 with the two allows, +1030 with
    one deny; every row names its offset, on the page and in JSON."""
    p = log("lh.log", ["2026-04-05T%s" % t for t in
                       ("01:15:00+11:00", "01:45:00+11:00", "01:45:00+10:30",
                        "02:15:00+10:30", "03:15:00+10:30")],
            ["allow", "allow", "deny", "deny", "deny"])
    out = report("2026-04-10 00:00:00", "Australia/Lord_Howe", p)
    check(hist(out) == [("2026-04-05 01:00 +1100", 2, 0, 0),
                        ("2026-04-05 01:00 +1030", 0, 1, 0),
                        ("2026-04-05 02:00 +1030", 0, 1, 0),
                        ("2026-04-05 03:00 +1030", 0, 1, 0)],
          "per hour:\n%s", out)
    d = json.loads(report("2026-04-10 00:00:00", "Australia/Lord_Howe",
                          "--json", p))
    rows = [(r["start"], r["allow"], r["deny"])
            for r in d["histogram"]["rows"]]
    check(rows[:2] == [("2026-04-05T01:00:00+11:00", 2, 0),
                       ("2026-04-05T01:00:00+10:30", 0, 1)], "JSON: %r", rows)
    # only the two halves of hour 01: still two rows, in order
    p = log("lh2.log", ["2026-04-05T01:45:00+11:00",
                        "2026-04-05T01:45:00+10:30"], ["allow", "deny"])
    out = report("2026-04-10 00:00:00", "Australia/Lord_Howe", p)
    check(hist(out) == [("2026-04-05 01:00 +1100", 1, 0, 0),
                        ("2026-04-05 01:00 +1030", 0, 1, 0)],
          "per hour:\n%s", out)


if __name__ == "__main__":
    h.main()
