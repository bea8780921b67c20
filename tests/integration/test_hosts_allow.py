#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The worked examples of "COMING FROM HOSTS.ALLOW" in daytimed.conf(5),
run as the page prints them.  Each example NAME has a rules block (the
literal display after the roff comment `.\\" example NAME: rules`) and an
explain block (`.\\" example NAME: explain`) of `$ daytimed -e ...`
commands, each followed by its one output line.  The rules go to
rules.d/tcpd.rules under a temporary directory, included by a
configuration with `ident mode rules`; daytimed -t must accept it and
every daytimed -e must print exactly the page's line (with the page's
path of tcpd.rules) and exit 0 for allow, 1 for deny."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

TOP = os.environ.get("TOP_SRCDIR") or os.path.join(h.HERE, "..", "..")
PAGE = os.path.join(TOP, "doc", "daytimed.conf.5.in")
PAGE_RULES = "@sysconfdir@/daytimed/rules.d/tcpd.rules"
MARK = re.compile(r'^\.\\" example (\S+): (rules|explain)$')


def examples():
    """{name: {"rules": [lines], "explain": [lines]}} from the page."""
    with open(PAGE) as f:
        lines = f.read().splitlines()
    out = {}
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i])
        i += 1
        if m is None:
            continue
        check(i < len(lines) and lines[i].startswith(".Bd -literal"),
              "%s:%d: no literal display after the mark", PAGE, i)
        j = lines.index(".Ed", i)
        block = lines[i + 1:j]
        check(all(not l.startswith(".") and "\\" not in l for l in block),
              "%s:%d: roff requests or escapes in the display", PAGE, i)
        out.setdefault(m.group(1), {})[m.group(2)] = block
        i = j + 1
    return out


def daytimed(args):
    p = subprocess.run([h.DAYTIMED] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def run_example(name, ex):
    check("rules" in ex and "explain" in ex, "example %s: %r", name, ex)
    tmp = tempfile.mkdtemp(prefix="dtw-", dir="/tmp")
    try:
        # -t predicts a start: the run user must be able to read the files
        os.chmod(tmp, 0o755)
        os.mkdir(os.path.join(tmp, "rules.d"), 0o755)
        rules = os.path.join(tmp, "rules.d", "tcpd.rules")
        with open(rules, "w") as f:
            f.write("\n".join(ex["rules"]) + "\n")
        conf = os.path.join(tmp, "daytimed.conf")
        with open(conf, "w") as f:
            f.write("listen tcp 127.0.0.1:13013\nident mode rules\n"
                    "include %s/rules.d/*.rules\n" % tmp)
            if os.geteuid() == 0:   # a start as root needs a user
                f.write("user nobody\n")
        rc, out, err = daytimed(["-t", "-c", conf])
        check(rc == 0, "example %s: daytimed -t exit %d:\n%s%s", name, rc,
              out, err)
        explain = ex["explain"]
        check(len(explain) >= 2 and len(explain) % 2 == 0,
              "example %s: explain block %r", name, explain)
        for cmd, want in zip(explain[0::2], explain[1::2]):
            check(cmd.startswith("$ daytimed -e "), "example %s: %r",
                  name, cmd)
            args = cmd.split()[2:]
            rc, out, err = daytimed(args + ["-c", conf])
            got = out.rstrip("\n").replace(rules, PAGE_RULES)
            check(got == want, "example %s: %s printed\n  %s\nthe page "
                  "says\n  %s", name, cmd, got, want)
            wrc = 0 if want.startswith("allow ") else 1
            check(rc == wrc, "example %s: %s: exit %d", name, cmd, rc)
        return len(explain) // 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@test
def hosts_allow_examples():
    found = examples()
    check(len(found) >= 3, "examples found in %s: %r", PAGE, sorted(found))
    asked = sum(run_example(name, ex) for name, ex in sorted(found.items()))
    check(asked >= 10, "only %d daytimed -e lines checked", asked)


if __name__ == "__main__":
    h.main()
