#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The audit state's directory under chroot must stay inside the jail
while the daemon runs: the engine keeps it open, so were it moved out,
".." from it would lead out of the jail. Every directory from the chroot
down to the state directory's parent must be root's and writable by no
group or others, or the run user could rename the state's directory out
(a reviewer did, with mv, into a sticky world-writable directory): -t
and a start refuse such a layout, naming the directory; with those
directories root's, the daemon starts and the run user's mv fails."""

import os
import pwd
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

NOBODY = pwd.getpwnam("nobody")


def as_nobody(*argv):
    """Run argv as nobody, with nobody's group and no other."""
    return h.run(["setpriv", "--reuid", str(NOBODY.pw_uid), "--regid",
                  str(NOBODY.pw_gid), "--clear-groups"] + list(argv),
                 timeout=20)


def mkdir(path, mode, uid):
    os.mkdir(path)
    os.chown(path, uid, -1)
    os.chmod(path, mode)


@test
def state_directory_cannot_leave_the_jail():
    h.need_root("chroot, and directories of nobody's")
    with h.TempDir("dtj-") as tmp, h.SyslogSink() as sink:
        af = h.AuditFiles(tmp, "k")     # its keys; tmp made 0755
        jail = tmp.join("jail")
        mkdir(jail, 0o755, 0)
        var = os.path.join(jail, "var")
        mkdir(var, 0o755, NOBODY.pw_uid)
        st = os.path.join(var, "st")
        mkdir(st, 0o700, NOBODY.pw_uid)
        outside = tmp.join("outside")
        mkdir(outside, 0o1777, 0)
        state = os.path.join(st, "audit.state")
        port = h.free_port()
        text = h.daemon_conf(port, sink, "ident mode off\nchroot %s\n"
                             "audit key %s\naudit signing-key %s\n"
                             "audit state %s\n" % (jail, af.pub, af.hsec,
                                                   state),
                             "allow 127.0.0.0/8\n")
        conf = tmp.write("daytimed.conf", text)
        real = os.path.realpath(var)
        for uid, mode, what in (
                (NOBODY.pw_uid, 0o755, "not root's"),
                (0, 0o775, None),
                (0, 0o1777, "writable by group or others")):
            os.chown(var, uid, -1)
            os.chmod(var, mode)
            why = ("audit state %s: directory %s, between the chroot %s and "
                   "the state's directory, is %s (uid %d, mode %04o): the "
                   "run user could move the state's directory "
                   "out of the jail while the engine holds it open; chown "
                   "root and chmod go-w %s, or put the state directory "
                   "directly in the jail" % (state, real, jail, what, uid,
                                             mode, real))
            if what is None:
                # untrusted on the way, as for a key: its group could swap
                # the state's directory itself, jail or no jail
                what = "writable by its group"
                why = ("audit state %s: not trusted: directory %s is "
                       "writable by its group (mode 0775): its owner could "
                       "swap in another directory" % (state, var))
            r = h.run([h.DAYTIMED, "-t", "-c", conf], timeout=20)
            out = r.stdout.decode()
            check(r.returncode == 1 and "error: " + why in out,
                  "-t, %s mode %04o: %d %r", what, mode, r.returncode, out)
            r = h.run([h.DAYTIMED, "-f", "-c", conf], timeout=20)
            err = r.stderr.decode()
            check(r.returncode == 1 and why in err, "a start, %s mode %04o: "
                  "%d %r", what, mode, r.returncode, err)
        check(not os.path.exists(state), "a refused start wrote %s" % state)
        # the reviewer's layout, as refused: nobody can move it out
        os.chown(var, NOBODY.pw_uid, -1)
        os.chmod(var, 0o755)
        r = as_nobody("mv", st, os.path.join(outside, "probe"))
        check(r.returncode == 0, "mv as nobody: %d %r", r.returncode,
              r.stderr)
        r = as_nobody("mv", os.path.join(outside, "probe"), st)
        check(r.returncode == 0, "mv back: %d %r", r.returncode, r.stderr)
        # root's, 0755: it starts, and the same mv fails while it runs
        os.chown(var, 0, -1)
        r = h.run([h.DAYTIMED, "-t", "-c", conf], timeout=20)
        check(r.returncode == 0, "-t, root's: %d %r", r.returncode,
              r.stdout)
        with h.Daemon(text) as d:
            h.tcp_get("127.0.0.1", port)
            r = as_nobody("mv", st, os.path.join(outside, "moved"))
            check(r.returncode != 0 and os.path.isdir(st) and
                  not os.path.exists(os.path.join(outside, "moved")),
                  "mv as nobody while it runs: %d %r", r.returncode,
                  r.stderr)
            d.stop()
        sink.wait_for(r"event=stop")
        stop = [r.msg for r in sink.records() if "event=stop" in r.msg][0]
        m = re.search(r" epoch=(\w+) seq=(\d+) ", stop)
        with open(state) as f:
            saved = f.read()
        check(m is not None and saved == "daytimed-audit-state-v1 %s:%s:stop"
              "\n" % m.groups(), "the state after the stop: %r", saved)


if __name__ == "__main__":
    h.main()
