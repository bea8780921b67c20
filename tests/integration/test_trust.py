#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Trust, as root: only files root or the run user could have written are
read (FIFOs never block, includes loop by what they are, errors are bounded
and never echo a file), -t predicts every start failure, the pidfile is
never someone else's file, the jail keeps /dev/null on 0-2, and the engine
runs under its seccomp filter."""

import errno
import os
import pwd
import re
import select
import signal
import socket
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

NOBODY = pwd.getpwnam("nobody")
DAEMON = pwd.getpwnam("daemon")     # a run user other than nobody
STRANGER = 54321                    # a uid nobody runs as
SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "seccomp_shim.so")


def head(port=20013, user="nobody"):
    return "listen tcp 127.0.0.1:%d\nident mode off\nuser %s\n" % (port,
                                                                    user)


def dash_t(path, timeout=20):
    """daytimed -t -c PATH, bounded: (status, stdout)."""
    rc, out, _ = h.daytimed("-t", "-c", path, timeout=timeout)
    return rc, out


def t_fails(path, want, lines=None):
    """-t exits 1 and prints want (a str or a list of them)."""
    rc, out = dash_t(path)
    for w in [want] if isinstance(want, str) else want:
        check(rc == 1 and w in out, "-t %s: %d, %r not in:\n%s", path, rc,
              w, out)
    return out


@test
def fifo_include_never_hangs():
    h.need_root()
    port = h.free_port()
    with h.TempDir("dtr-") as t, h.SyslogSink() as sink:
        os.mkdir(t.join("rules.d"), 0o755)
        t.write("rules.d/a.rules", "allow 127.0.0.0/8\n")
        os.mkfifo(t.join("rules.d/zz.rules"), 0o644)
        path = t.write("d.conf", h.daemon_conf(
            port, sink, user="nobody",
            body="include %s/*.rules\n" % t.join("rules.d")))
        # -t returns (run() bounds it) and names the FIFO
        n = open(path).read().splitlines().index(
            "include %s/*.rules" % t.join("rules.d")) + 1
        t_fails(path, "%s:%d: error: include %s: not a regular file "
                "(a FIFO)" % (path, n, t.join("rules.d/zz.rules")))
        os.unlink(t.join("rules.d/zz.rules"))
        with h.Daemon(open(path).read(), ready="proc") as d:
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "answer")
            os.mkfifo(t.join("rules.d/zz.rules"), 0o644)
            d.reload(open(path).read())
            rec = sink.wait_for(r"^event=reload result=failed")
            # the operator's logs hear of it too, in the same words
            op = sink.wait_for(r"^reload failed, the running configuration "
                               r"stays: ")
            check(op.msg == "reload failed, the running configuration "
                  "stays: " + rec.msg.split(" error=", 1)[1], "%r %r",
                  op.msg, rec.msg)
            n = open(d.conf).read().splitlines().index(
                "include %s/*.rules" % t.join("rules.d")) + 1
            check(h.kv(rec.msg)["error"] == "%s:%d: error: include %s: not a "
                  "regular file (a FIFO)" % (d.conf, n,
                                             t.join("rules.d/zz.rules")),
                  "%r", rec.msg)
            # the old rules serve, signals still work, TERM stops it
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "old")
            d.signal(signal.SIGHUP)
            sink.wait_for(r"^event=reload result=failed", count=2)
            check(d.stop() == 0 and not d.killed, "stop: %r", d.returncode)


@test
def untrusted_files_refused():
    h.need_root()
    with h.TempDir("dtr-") as t:
        os.mkdir(t.join("rules.d"), 0o755)
        rules = t.write("rules.d/a.rules", "allow 0.0.0.0/0\n")
        path = t.write("d.conf", head() + "include rules.d/*.rules\n")
        rc, out = dash_t(path)
        check(rc == 0, "a clean tree: %r", out)
        cases = [
            # world-writable include: -t, -e and the start all refuse it
            (lambda: os.chmod(rules, 0o666),
             "file %s is writable by its group and others (mode 0666)"
             % rules, lambda: os.chmod(rules, 0o644)),
            (lambda: os.chmod(rules, 0o620),
             "file %s is writable by its group (mode 0620)" % rules,
             lambda: os.chmod(rules, 0o644)),
            # a 1777 directory listed by the glob: anyone may add a file
            (lambda: os.chmod(t.join("rules.d"), 0o1777),
             "directory %s is writable by its group and others (mode 1777)"
             ": anyone may add what a pattern reads" % t.join("rules.d"),
             lambda: os.chmod(t.join("rules.d"), 0o755)),
            # a writable directory above it
            (lambda: os.chmod(t.path, 0o777),
             "directory %s is writable by its group and others" % t.path,
             lambda: os.chmod(t.path, 0o755)),
            # owned by someone who is neither root nor the run user
            (lambda: os.chown(rules, STRANGER, -1),
             "file %s is owned by uid %d, not root or the run user (uid %d)"
             % (rules, STRANGER, NOBODY.pw_uid),
             lambda: os.chown(rules, 0, -1)),
        ]
        for spoil, want, mend in cases:
            spoil()
            try:
                t_fails(path, "not trusted: " + want)
                rc, out, err = h.daytimed("-c", path, "-e", "192.0.2.7")
                check(rc == 2 and out == "" and want in err,
                      "-e: %d %r %r", rc, out, err)
                rc, out, err = h.daytimed("-c", path, "-f", timeout=20)
                check(rc == 1 and want in err, "start: %d %r", rc, err)
                # inetd mode reads the same files, judged the same way
                rc, out, err = h.daytimed("-t", "-i", "-c", path)
                check(rc == 1 and want in out, "-t -i: %d %r", rc, out)
                rc, out, err = h.daytimed("-i", "-c", path, timeout=20)
                check(rc == 1 and want in err and "not serving" in err,
                      "-i: %d %r", rc, err)
            finally:
                mend()
        # a wildcard above the listed directory: each directory a match
        # was listed from is judged, not only the part before the
        # wildcard (a 1777 one below it: anyone may add what it reads)
        os.makedirs(t.join("g/a"), 0o755)
        t.write("g/a/a.rules", "allow 192.0.2.0/24\n")
        deep = t.write("g.conf", head() + "include g/*/*.rules\n")
        rc, out = dash_t(deep)
        check(rc == 0, "a clean tree, wildcard above: %r", out)
        os.chmod(t.join("g/a"), 0o1777)
        try:
            t_fails(deep, "not trusted: directory %s is writable by its "
                    "group and others (mode 1777): anyone may add what a "
                    "pattern reads" % t.join("g/a"))
            rc, out, err = h.daytimed("-c", deep, "-f", timeout=20)
            check(rc == 1 and "mode 1777" in err, "start: %d %r", rc, err)
        finally:
            os.chmod(t.join("g/a"), 0o755)
        # mended, -i gets past the files to its socket (stdin is none)
        rc, out, err = h.daytimed("-i", "-c", path, timeout=20)
        check(rc == 1 and "is not a socket" in err and "not trusted"
              not in err, "-i: %d %r", rc, err)
        # the run user's own file is trusted; nobody's is not, for daemon
        os.chown(rules, NOBODY.pw_uid, -1)
        rc, out = dash_t(path)
        check(rc == 0, "the run user's file: %r", out)
        t.write("d.conf", head(user="daemon") + "include rules.d/*.rules\n")
        t_fails(path, "not trusted: file %s is owned by uid %d, not root or "
                "the run user (uid %d)" % (rules, NOBODY.pw_uid,
                                           DAEMON.pw_uid))


@test
def dash_t_predicts_each_start_failure():
    h.need_root()
    with h.TempDir("dtr-") as t:
        jail = t.join("jail")
        os.mkdir(jail, 0o755)
        pub, sec = t.join("k.pub"), t.join("k.sec")
        rc, _, err = h.daytimed_audit("keygen", pub, sec)
        check(rc == 0, "keygen: %r", err)
        os.mkfifo(t.join("fifo.pub"))
        os.mkdir(t.join("private"), 0o700)
        t.write("private/p.rules", "allow 10.0.0.0/8\n", mode=0o600)
        t.write("secret.rules", "allow 10.0.0.0/8\n", mode=0o600)
        t.write("notkey.pub", "not a key\n")
        stale = t.write("x.pid", "precious\n")
        port = h.free_port()
        L = "listen tcp 127.0.0.1:%d\n" % port
        cases = [
            # (configuration after the listen line, FILE:LINE, message)
            ("user no-such-user-dt\n", 2, "unknown user 'no-such-user-dt'"),
            ("user nobody\ngroup no-such-group-dt\n", 3,
             "unknown group 'no-such-group-dt'"),
            ("", 0, "started as root with no 'user' directive"),
            ("user root\n", 2, "user 'root' is root"),
            ("user nobody\nchroot %s/none\n" % t.path, 3,
             "chroot %s/none: No such file or directory" % t.path),
            ("user nobody\nchroot %s\n" % t.join("k.pub"), 3,
             "chroot %s: not a directory" % t.join("k.pub")),
            ("user nobody\naudit key %s/none.pub\n" % t.path, 3,
             "audit key %s/none.pub: cannot open: No such file" % t.path),
            ("user nobody\naudit key %s\n" % t.join("fifo.pub"), 3,
             "audit key %s: not a regular file (a FIFO)" % t.join("fifo.pub")),
            ("user nobody\naudit key %s\n" % t.join("notkey.pub"), 3,
             "audit key %s: not a key file" % t.join("notkey.pub")),
            ("user nobody\npidfile %s\n" % stale, 3,
             "pidfile %s exists and does not hold a process id" % stale),
            ("user nobody\nident mode always\nident port %d\n" % port, 4,
             "ident port %d is the port of 'listen tcp 127.0.0.1:%d'"
             % (port, port)),
            ("user nobody\ninclude secret.rules\n", 3,
             "include %s: the run user (uid %d) cannot read file %s"
             % (t.join("secret.rules"), NOBODY.pw_uid,
                t.join("secret.rules"))),
            # found by its path's walk, where the reload finds it
            ("user nobody\ninclude private/p.rules\n", 3,
             "include %s: the run user (uid %d) cannot search directory %s"
             % (t.join("private/p.rules"), NOBODY.pw_uid,
                t.join("private"))),
            # a pattern lists the directory
            ("user nobody\ninclude private/*.rules\n", 3,
             "include %s: the run user (uid %d) cannot list directory %s"
             % (t.join("private/*.rules"), NOBODY.pw_uid,
                t.join("private"))),
        ]
        for body, line, msg in cases:
            path = t.write("c.conf", L + body)
            where = path if line == 0 else "%s:%d" % (path, line)
            t_fails(path, "%s: error: %s" % (where, msg))
            # and the start does fail so, before anything else
            rc, _, err = h.daytimed("-f", "-c", path, timeout=20)
            check(rc == 1 and msg in err, "start %r: %d %r", body, rc, err)
        # key files, chroot: badly owned or writable
        os.chown(pub, STRANGER, -1)
        path = t.write("c.conf", L + "user nobody\naudit key %s\n" % pub)
        t_fails(path, "%s:3: error: audit key %s: not trusted: file %s is "
                "owned by uid %d" % (path, pub, pub, STRANGER))
        os.chown(pub, 0, -1)
        os.chmod(pub, 0o646)
        t_fails(path, "audit key %s: not trusted: file %s is writable by "
                "others (mode 0646)" % (pub, pub))
        os.chmod(pub, 0o644)
        for spoil, msg in (
                (lambda: os.chown(jail, NOBODY.pw_uid, -1),
                 "chroot directory %s is owned by uid %d, not root"
                 % (jail, NOBODY.pw_uid)),
                (lambda: os.chmod(jail, 0o1777),
                 "chroot directory %s is writable by group or others "
                 "(mode 1777)" % jail)):
            spoil()
            path = t.write("c.conf", L + "user nobody\nchroot %s\n" % jail)
            t_fails(path, "%s:3: error: %s" % (path, msg))
            rc, _, err = h.daytimed("-f", "-c", path, timeout=20)
            check(rc == 1 and msg in err, "start: %d %r", rc, err)
            os.chown(jail, 0, -1)
            os.chmod(jail, 0o755)
        # the audit state outside the jail: the engine would hold a
        # directory outside it (".." leads out)
        state = t.join("state")
        os.mkdir(state, 0o700)
        os.chown(state, NOBODY.pw_uid, NOBODY.pw_gid)
        path = t.write("c.conf", L + "user nobody\nchroot %s\naudit key %s\n"
                       "audit state %s/audit.state\n" % (jail, pub, state))
        msg = ("audit state %s/audit.state: its directory is not inside the "
               "chroot %s" % (state, jail))
        rc, out = dash_t(path)
        lines = out.splitlines()
        check(rc == 1 and len(lines) == 2 and lines[0] == "%s:5: error: %s: "
              "the engine keeps that directory open, and from a directory "
              "outside its root \"..\" leads out of the jail; put the state "
              "in a directory of its own inside %s" % (path, msg, jail) and
              lines[1] == "%s: 1 error, 0 warnings" % path, "%d %r", rc, out)
        rc, _, err = h.daytimed("-f", "-c", path, timeout=20)
        check(rc == 1 and msg in err, "start: %d %r", rc, err)
        # all of it well: ok (the audit state in a directory of nobody's
        # inside the jail)
        state = os.path.join(jail, "state")
        os.mkdir(state, 0o700)
        os.chown(state, NOBODY.pw_uid, NOBODY.pw_gid)
        path = t.write("c.conf", L + "user nobody\nchroot %s\naudit key %s\n"
                       "audit state %s/audit.state\n" % (jail, pub, state))
        rc, out = dash_t(path)
        check(rc == 0 and ": ok: " in out, "%r", out)


@test
def refusals_at_the_directive_line():
    # a list (or a directory an include lists) the run user refuses: -t,
    # a start and a reload all name the directive's line, with the same
    # words, also when the file has a bad line too (-t once showed only
    # that) or the run user is unknown
    h.need_root()
    port = h.free_port()
    with h.SyslogSink() as sink:
        d = h.Daemon(h.daemon_conf(port, sink, listen=("tcp",),
                                   body="allow 127.0.0.0/8\n"
                                   "deny file @DIR@/l.txt\n"), start=False)
        lst = os.path.join(d.dir, "l.txt")
        with open(lst, "w") as f:
            f.write("192.0.2.0/24\n")
        os.chmod(lst, 0o644)
        n = d.conf_text.splitlines().index("deny file %s" % lst) + 1

        def agree(want, reload_want=None):
            """-t, a start and a reload: exactly want at line n (a reload
            may meet the kernel's own refusal first: reload_want)."""
            line = "%s:%d: error: deny file %s: %s" % (d.conf, n, lst, want)
            rc, out = dash_t(d.conf)
            check(rc == 1 and out.splitlines() == [
                line, "%s: 1 error, 0 warnings" % d.conf], "-t: %d %r", rc,
                out)
            rc, _, err = h.daytimed("-f", "-c", d.conf, timeout=20)
            check(rc == 1 and line in err, "start: %d %r", rc, err)
            sink.clear()
            d.signal(signal.SIGHUP)
            rec = sink.wait_for(r"^event=reload result=failed")
            check(h.kv(rec.msg)["error"] == line if reload_want is None
                  else "%s:%d: error: deny file %s: %s" % (
                      d.conf, n, lst, reload_want), "reload: %r", rec.msg)

        with d:
            d.start()
            # another user's, with a bad line: the refusal, not the line
            with open(lst, "a") as f:
                f.write("300.0.0.0\n")
            os.chown(lst, STRANGER, -1)
            agree("not trusted: file %s is owned by uid %d, not root or the "
                  "run user (uid %d)" % (lst, STRANGER, NOBODY.pw_uid))
            os.chown(lst, DAEMON.pw_uid, -1)
            agree("not trusted: file %s is owned by uid %d, not root or the "
                  "run user (uid %d)" % (lst, DAEMON.pw_uid, NOBODY.pw_uid))
            # root's, but the run user cannot read it again on reload
            os.chown(lst, 0, -1)
            os.chmod(lst, 0o600)
            agree("the run user (uid %d) cannot read file %s: it reads the "
                  "files again on reload" % (NOBODY.pw_uid, lst),
                  "cannot open: Permission denied")
            # an unknown run user: only root's files; with no other error
            # in the files, what else stops a start is said too
            with open(lst, "w") as f:
                f.write("192.0.2.0/24\n")
            os.chmod(lst, 0o644)
            os.chown(lst, STRANGER, -1)
            path = d.conf + ".u"
            with open(path, "w") as f:
                f.write(d.conf_text.replace("user nobody\n",
                                            "user no-such-dt\n"))
            os.chmod(path, 0o644)
            rc, out = dash_t(path)
            check(rc == 1 and out.splitlines() == [
                "%s:%d: error: deny file %s: not trusted: file %s is owned by "
                "uid %d, not root" % (path, n, lst, lst, STRANGER),
                "%s:4: error: unknown user 'no-such-dt'" % path,
                "%s: 2 errors, 0 warnings" % path], "%d %r", rc, out)
            # a directory an include lists, another user's: its line
            os.chown(lst, 0, -1)
            os.mkdir(os.path.join(d.dir, "r.d"), 0o755)
            os.chown(os.path.join(d.dir, "r.d"), STRANGER, -1)
            with open(path, "w") as f:
                f.write(d.conf_text + "include r.d/*.rules\n")
            m = d.conf_text.count("\n") + 1
            rc, out = dash_t(path)
            check(rc == 1 and out.splitlines() == [
                "%s:%d: error: include %s/*.rules: not trusted: directory "
                "%s is owned by uid %d, not root or the run user (uid %d)"
                % (path, m, os.path.join(d.dir, "r.d"),
                   os.path.join(d.dir, "r.d"), STRANGER, NOBODY.pw_uid),
                "%s: 1 error, 0 warnings" % path], "%d %r", rc, out)


@test
def signing_key_path_walked_as_audit_keys():
    h.need_root()
    with h.TempDir("dtr-") as t:
        af = h.AuditFiles(t)
        keys = t.join("keys")
        os.mkdir(keys, 0o755)
        sec = os.path.join(keys, "host.sec")
        os.rename(af.hsec, sec)
        L = "listen tcp 127.0.0.1:%d\nuser nobody\n" % h.free_port()
        path = t.write("c.conf", L + af.settings.replace(af.hsec, sec))
        rc, out = dash_t(path)
        check(rc == 0, "-t: %d %r", rc, out)
        # its directory another user's: that user could swap the key for
        # a link to another root key, so it is not trusted
        os.chown(keys, STRANGER, -1)
        out = t_fails(path, "%s:4: error: audit signing-key %s: not "
                      "trusted: directory %s is owned by uid %d"
                      % (path, sec, keys, STRANGER))
        rc, _, err = h.daytimed("-f", "-c", path, timeout=20)
        check(rc == 1 and "directory %s is owned by uid %d" % (keys, STRANGER)
              in err, "start: %d %r", rc, err)
        # a link on the way, owned by a stranger: the same
        os.chown(keys, 0, -1)
        os.symlink(sec, t.join("link.sec"))
        os.lchown(t.join("link.sec"), STRANGER, -1)
        path = t.write("c.conf", L + af.settings.replace(af.hsec,
                                                          t.join("link.sec")))
        t_fails(path, "audit signing-key %s: not trusted" % t.join("link.sec"))


@test
def keys_in_a_directory_only_root_searches():
    # the keys are read once, at startup, before the privilege drop and
    # any chroot, and never on reload: a directory only root can search
    # holds them fine (-t and the start said the run user "cannot search
    # directory ..."); their owners are still judged
    h.need_root()
    port = h.free_port()
    with h.TempDir("dtr-") as t, h.SyslogSink() as sink:
        jail = t.join("jail")
        os.mkdir(jail, 0o755)
        af = h.AuditFiles(t, state_in=jail)
        keys = t.join("keys")
        os.mkdir(keys, 0o700)
        pub, sec = os.path.join(keys, "a.pub"), os.path.join(keys, "h.sec")
        os.rename(af.pub, pub)
        os.rename(af.hsec, sec)
        settings = af.settings.replace(af.pub, pub).replace(af.hsec, sec)
        for jailed in ("", "chroot %s\n" % jail):
            text = h.daemon_conf(port, sink, listen=("tcp",),
                                 body=settings + jailed +
                                 "allow 127.0.0.0/8\n")
            path = t.write("c.conf", text)
            rc, out = dash_t(path)
            check(rc == 0 and ": ok: " in out, "-t %r: %d %r", jailed, rc,
                  out)
            with h.Daemon(text) as d:
                check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)),
                      "answer")
                d.signal(signal.SIGHUP)
                sink.wait_for(r"^event=reload result=ok")
            sink.clear()
        os.chown(keys, STRANGER, -1)
        t_fails(path, "%s:5: error: audit key %s: not trusted: directory %s "
                "is owned by uid %d, not root or the run user (uid %d)"
                % (path, pub, keys, STRANGER, NOBODY.pw_uid))


@test
def include_loops_and_error_bounds():
    with h.TempDir("dtr-") as t:
        # a loop spelled differently is a loop all the same
        t.write("loop2.conf", "include ./loop2.conf\n")
        path = t.write("l.conf", head() + "include loop2.conf\n")
        out = t_fails(path, "%s:1: error: include loop: %s/./loop2.conf is "
                      "already being read (as %s/loop2.conf)"
                      % (t.join("loop2.conf"), t.path, t.path))
        check(len(out.splitlines()) == 2, "%r", out)
        # 300 lines including itself: 100 errors shown, the rest counted
        path = t.write("self.conf", head() + "include ./self.conf\n" * 300)
        rc, out = dash_t(path)
        lines = out.splitlines()
        check(rc == 1 and len(lines) == 102, "%d lines", len(lines))
        check(lines[100] == "%s: error: 200 more errors not shown (at most "
              "100 of each are shown for one file)" % path and
              lines[101] == "%s: 300 errors, 0 warnings" % path, "%r",
              lines[-3:])


@test
def contents_never_echoed():
    with h.TempDir("dtr-") as t:
        os.symlink("/etc/passwd", t.join("passwd.rules"))
        path = t.write("p.conf", head() + "include passwd.rules\n")
        rc, out = dash_t(path)
        with open("/etc/passwd") as f:
            users = [l.split(":")[0] for l in f if l.strip()]
        check(rc == 1 and "not shown" in out, "%r", out)
        for u in users:
            check((u + ":") not in out, "%r echoed:\n%s", u, out)
        # NUL and control bytes are errors, in comments too
        path = t.write("c.conf", head().encode() + b"# a \x00 comment\n"
                       b"allow 10.0.0.0/8 # \x1b[31m red\n")
        t_fails(path, ["%s:4: error: NUL byte in line" % path,
                       "%s:5: error: control byte \\x1b in line" % path])


@test
def file_names_escaped_in_t_and_e():
    with h.TempDir("dtr-") as t:
        name = "x\nconn=0 decision=allow \x1b[31m.rules"
        shown = "x\\x0aconn=0 decision=allow \\x1b[31m.rules"
        t.write(name, "allow 192.0.2.0/24\nfrobnicate\n")
        path = t.write("n.conf", head() + "include x*.rules\n")
        rc, out = dash_t(path)
        check(rc == 1 and "\x1b" not in out and "\nconn=" not in out,
              "raw bytes: %r", out)
        check("%s/%s:2: error: unknown directive 'frobnicate'"
              % (t.path, shown) in out, "%r", out)
        t.write(name, "allow 192.0.2.0/24\n")
        rc, out, err = h.daytimed("-c", path, "-T")
        check(rc == 0 and "\x1b" not in out and "\nconn=" not in out and
              "# %s/%s:1" % (t.path, shown) in out, "-T: %r", out)
        rc, out, err = h.daytimed("-c", path, "-e", "192.0.2.7")
        # a record's value: "=" is \x3d too, so no ' KEY=' is spelled
        check(rc == 0 and out == 'allow rule="%s/%s:1" netblock=192.0.2.0/24 '
              'ident=none\n' % (t.path, shown.replace("=", "\\x3d")),
              "%d %r %r", rc, out, err)
        # an address given to -e is shown escaped too
        rc, out, err = h.daytimed("-c", path, "-e", "1.2.3.4\x1b[2J")
        check(rc == 2 and "\x1b" not in err and "\\x1b[2J" in err, "%r", err)


def start_with_pidfile(t, port, sink, pidfile, refused=True):
    """Start daemonized with that pidfile: (status, stderr). A start that
    should have been refused is stopped (by the PID it wrote) and fails."""
    path = t.write("d.conf", h.daemon_conf(
        port, sink, user="nobody", body="pidfile %s\nallow 127.0.0.0/8\n"
        % pidfile))
    rc, _, err = h.daytimed("-c", path, timeout=20)
    if refused and rc == 0:
        h.stop_pid(h.read_pidfile(pidfile))
        raise AssertionError("started with pidfile %s" % pidfile)
    return rc, err


@test
def pidfile_is_never_someone_elses():
    h.need_root()
    port = h.free_port()
    with h.TempDir("dtr-") as t, h.SyslogSink() as sink:
        # a file that is not a pidfile: refused, untouched
        precious = t.write("precious", "precious data\n")
        rc, err = start_with_pidfile(t, port, sink, precious)
        check(rc == 1 and "does not hold a process id" in err, "%r", err)
        check(open(precious).read() == "precious data\n", "truncated")
        # a pidfile another user made: not adopted
        theirs = t.write("theirs.pid", "1234\n")
        os.chown(theirs, NOBODY.pw_uid, -1)
        rc, err = start_with_pidfile(t, port, sink, theirs)
        check(rc == 1 and "owned by uid %d" % NOBODY.pw_uid in err and
              "not taken over" in err, "%r", err)
        check(open(theirs).read() == "1234\n", "rewritten")
        # a FIFO: refused at once (run() would time out on a hang)
        fifo = t.join("fifo.pid")
        os.mkfifo(fifo)
        rc, err = start_with_pidfile(t, port, sink, fifo)
        check(rc == 1 and "exists and is not a regular file" in err, "%r",
              err)
        # a link to a file: refused, the file untouched
        os.symlink(precious, t.join("link.pid"))
        rc, err = start_with_pidfile(t, port, sink, t.join("link.pid"))
        check(rc == 1 and "is a symbolic link" in err, "%r", err)
        check(open(precious).read() == "precious data\n", "followed")
        # in a directory of the run user's, the monitor removes it at stop
        run = t.join("run")
        os.mkdir(run, 0o755)
        os.chown(run, NOBODY.pw_uid, NOBODY.pw_gid)
        pidfile = os.path.join(run, "d.pid")
        rc, err = start_with_pidfile(t, port, sink, pidfile, refused=False)
        check(rc == 0, "start: %r", err)
        st = os.stat(pidfile)
        check(st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o644,
              "pidfile %o uid %d", st.st_mode, st.st_uid)
        monitor = h.read_pidfile(pidfile)
        h.stop_pid(monitor)
        check(h.poll_until(lambda: not os.path.exists(pidfile), 5),
              "pidfile left behind")
        # where the run user cannot write, -t says it will be left behind
        path = t.write("w.conf", head(port) + "pidfile %s\n"
                       % t.join("x.pid"))
        rc, out = dash_t(path)
        check(rc == 0 and "warning: pidfile %s: the run user (uid %d) cannot "
              "remove it at stop" % (t.join("x.pid"), NOBODY.pw_uid) in out,
              "%r", out)


# A stranger's process: the pidfile opened read-only, flocked and, once
# the monitor's POSIX lock is gone, read-locked, both held for good.
LOCKER = """import fcntl, os, sys, time
f = open(sys.argv[1])
print("opened", flush=True)
try:
    os.close(os.open(sys.argv[2], os.O_RDONLY))
    print("lock file opened", flush=True)
except OSError as e:
    print("lock file: %s" % e.strerror, flush=True)
fcntl.flock(f, fcntl.LOCK_EX)
fcntl.lockf(f, fcntl.LOCK_SH)
print("locked", flush=True)
time.sleep(60)
"""


def stranger(*args):
    """python3 -c LOCKER args as uid STRANGER, no groups (the system's
    python3: the one running the tests may live where others cannot go)."""
    py = "/usr/bin/python3"
    if not os.access(py, os.X_OK):
        raise h.Skip("needs %s" % py)
    return subprocess.Popen([py, "-c", LOCKER] + list(args),
                            stdout=subprocess.PIPE, bufsize=0, user=STRANGER,
                            group=STRANGER, extra_groups=[],
                            stdin=subprocess.DEVNULL)


def read_line(p, timeout):
    """A line from p's stdout (unbuffered: select sees all there is) within
    timeout seconds, or None."""
    ready, _, _ = select.select([p.stdout], [], [], timeout)
    return p.stdout.readline().decode() if ready else None


@test
def a_strangers_lock_on_a_leftover_pidfile_blocks_no_start():
    h.need_root()
    port = h.free_port()
    locker = None
    with h.TempDir("dtr-") as t, h.SyslogSink() as sink:
        # root's directory: the monitor (nobody) leaves the pidfile behind
        pidfile, lock = t.join("d9.pid"), t.join("d9.lock")
        path = t.write("d.conf", h.daemon_conf(
            port, sink, user="nobody", body="pidfile %s\nallow "
            "127.0.0.0/8\n" % pidfile))
        rc, _, err = h.daytimed("-c", path, timeout=20)
        check(rc == 0, "start: %r", err)
        monitor = h.read_pidfile(pidfile)
        try:
            st = os.stat(lock)
            check(st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o600,
                  "lock file %o uid %d", st.st_mode, st.st_uid)
            locker = stranger(pidfile, lock)
            check(read_line(locker, 10) == "opened\n", "locker")
            line = read_line(locker, 10)
            check(line == "lock file: Permission denied\n",
                  "the stranger's open of the lock file: %r", line)
            # two daemons on one pidfile: still refused
            rc, _, err = h.daytimed("-c", path, timeout=20)
            check(rc == 1 and "already running (pid %d)" % monitor in err,
                  "second start: %d %r", rc, err)
            # -t, run beside the daemon: the files are fine
            rc, out = dash_t(path)
            check(rc == 0, "-t: %r", out)
        finally:
            h.stop_pid(monitor)
        try:
            check(read_line(locker, 10) == "locked\n", "not locked")
            attacked = os.stat(pidfile)
            # the leftover, locked by a stranger, is taken over
            rc, _, err = h.daytimed("-c", path, timeout=20)
            check(rc == 0, "restart blocked by a stranger's lock: %r", err)
            monitor = h.read_pidfile(pidfile)
            check(os.stat(pidfile).st_ino != attacked.st_ino, "not made anew")
            rc, out, err = h.daytimed("-r", "-c", path, timeout=20)
            check(rc == 0 and "pid %d reloaded" % monitor in out, "-r: %r %r",
                  out, err)
            h.stop_pid(monitor)
        finally:
            locker.kill()
            locker.wait()


# A stranger's watcher: each time the pidfile is made or changed
# (inotify), it opens it read-only and read-locks it at once; a lock
# taken is held. Bounded by its deadline (argv[3] s) and by the test.
WATCHER = """import ctypes, errno, fcntl, os, select, struct, sys, time
d, name, deadline = sys.argv[1], sys.argv[2], time.monotonic() + float(sys.argv[3])
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_CLOEXEC)
# IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO
if fd < 0 or libc.inotify_add_watch(fd, d.encode(), 0x2 | 0x4 | 0x8 |
                                    0x100 | 0x80) < 0:
    sys.exit("inotify: %s" % os.strerror(ctypes.get_errno()))
print("watching", flush=True)
held, tries = [], 0
while time.monotonic() < deadline:
    if not select.select([fd], [], [], deadline - time.monotonic())[0]:
        break
    buf, hit = os.read(fd, 65536), False
    while buf:
        _, _, _, n = struct.unpack("iIII", buf[:16])
        hit = hit or buf[16:16 + n].rstrip(b"\\0").decode() == name
        buf = buf[16 + n:]
    if not hit or held:
        continue
    tries += 1
    try:
        f = open(os.path.join(d, name))
    except OSError:
        continue
    try:
        fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        f.close()
        continue
    held.append(f)
    print("locked after %d tries" % tries, flush=True)
"""


@test(timeout=120)
def a_stranger_watching_for_a_new_pidfile_blocks_no_start():
    h.need_root()
    if not os.access("/usr/bin/python3", os.X_OK):
        raise h.Skip("needs /usr/bin/python3")
    port = h.free_port()
    with h.TempDir("dtr-") as t, h.SyslogSink() as sink:
        pidfile, _ = run_dir(t)
        path = t.write("d.conf", h.daemon_conf(
            port, sink, user="nobody", body="pidfile %s\nallow "
            "127.0.0.0/8\n" % pidfile))
        for i in range(10):
            watcher = subprocess.Popen(
                ["/usr/bin/python3", "-c", WATCHER, os.path.dirname(pidfile),
                 os.path.basename(pidfile), "30"], stdout=subprocess.PIPE,
                bufsize=0, user=STRANGER, group=STRANGER, extra_groups=[],
                stdin=subprocess.DEVNULL)
            try:
                check(read_line(watcher, 10) == "watching\n", "watcher")
                rc, _, err = h.daytimed("-c", path, timeout=20)
                check(rc == 0, "start %d, a stranger watching: %r", i, err)
                monitor = h.read_pidfile(pidfile)
                st = os.stat(pidfile)
                check(st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o644,
                      "pidfile %o uid %d", st.st_mode, st.st_uid)
                h.stop_pid(monitor)
                check(h.poll_until(lambda: not os.path.exists(pidfile), 5),
                      "pidfile left behind")
            finally:
                watcher.kill()
                watcher.wait()


def run_dir(t):
    """t/run, the run user's as /run/daytimed is: (pidfile, status file)."""
    run = t.join("run")
    os.mkdir(run, 0o755)
    os.chown(run, NOBODY.pw_uid, NOBODY.pw_gid)
    return os.path.join(run, "d.pid"), os.path.join(run, "d.status")


def replace_as_run_user(path, text):
    """What the run user can do in its own directory: a new file there."""
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.chown(tmp, NOBODY.pw_uid, NOBODY.pw_gid)
    os.rename(tmp, path)


def dash_r(conf, want):
    """daytimed -r -c CONF fails, saying want, and returns at once."""
    rc, out, err = h.daytimed("-r", "-c", conf, timeout=10)
    check(rc == 1 and want in err, "-r: %d %r %r (want %r)", rc, out, err,
          want)


@test
def reload_signals_only_the_pidfiles_lock_holder():
    h.need_root()
    port = h.free_port()
    victim = subprocess.Popen(["sleep", "60"])
    locker = monitor = None
    with h.TempDir("dtr-") as t, h.SyslogSink() as sink:
        try:
            pidfile, status = run_dir(t)
            rc, err = start_with_pidfile(t, port, sink, pidfile,
                                         refused=False)
            check(rc == 0, "start: %r", err)
            monitor = h.read_pidfile(pidfile)
            conf = t.join("d.conf")
            rc, out, err = h.daytimed("-r", "-c", conf, timeout=20)
            check(rc == 0 and "pid %d reloaded" % monitor in out, "%r %r",
                  out, err)
            # a FIFO for the status file: refused at once, never waited on
            os.rename(status, status + ".real")
            os.mkfifo(status)
            dash_r(conf, "%s: not a regular file" % status)
            os.unlink(status)
            os.rename(status + ".real", status)
            # the run user names another process (and describes it): the
            # file it put there is locked by no one, so no signal is sent
            os.rename(pidfile, pidfile + ".real")
            replace_as_run_user(pidfile, "%d\n" % victim.pid)
            replace_as_run_user(status, "pid=%d reads=0 done=0 result=ok "
                                "error=-\n" % victim.pid)
            dash_r(conf, "the pidfile names pid %d, but the lock on it is "
                   "held by no one" % victim.pid)
            # ... or locked by a process of its own: not the pid named
            locker = subprocess.Popen(
                [sys.executable, "-c", "import fcntl, sys, time\n"
                 "f = open(sys.argv[1], 'r+')\n"
                 "fcntl.lockf(f, fcntl.LOCK_EX)\n"
                 "print('locked', flush=True)\ntime.sleep(60)\n", pidfile],
                stdout=subprocess.PIPE)
            check(locker.stdout.readline() == b"locked\n", "locker")
            dash_r(conf, "the pidfile names pid %d, but the lock on it is "
                   "held by pid %d" % (victim.pid, locker.pid))
            # a FIFO for the pidfile: refused at once
            os.unlink(pidfile)
            os.mkfifo(pidfile)
            dash_r(conf, "%s: not a regular file" % pidfile)
            check(victim.poll() is None, "the victim got a signal: %r",
                  victim.returncode)
            os.unlink(pidfile)
            os.rename(pidfile + ".real", pidfile)
        finally:
            if monitor is not None:
                h.stop_pid(monitor)
            for p in (victim, locker):
                if p is not None:
                    p.kill()
                    p.wait()


@test
def pidfile_directory_walked_as_trusted_ones():
    h.need_root()
    port = h.free_port()
    with h.TempDir("dtr-") as t, h.SyslogSink() as sink:
        theirs = t.join("theirs")
        os.mkdir(theirs, 0o755)
        os.chown(theirs, STRANGER, -1)
        # a directory a stranger owns: the pidfile is not made there
        pidfile = os.path.join(theirs, "d.pid")
        rc, err = start_with_pidfile(t, port, sink, pidfile)
        want = "not trusted: directory %s is owned by uid %d" % (theirs,
                                                                 STRANGER)
        check(rc == 1 and want in err, "%r", err)
        check(os.listdir(theirs) == [], "made: %r", os.listdir(theirs))
        t_fails(t.join("d.conf"), want)
        # nor through a link of theirs in the middle of the path
        os.chown(theirs, 0, -1)
        os.symlink(theirs, t.join("run"))
        os.lchown(t.join("run"), STRANGER, -1)
        rc, err = start_with_pidfile(t, port, sink, t.join("run/d.pid"))
        check(rc == 1 and "not trusted: symbolic link %s is owned by uid %d"
              % (t.join("run"), STRANGER) in err, "%r", err)
        check(os.listdir(theirs) == [], "made: %r", os.listdir(theirs))


def inetd_once(conf):
    """daytimed -i -c CONF for one TCP client, bounded: (status, its
    stderr, what the client got)."""
    with socket.socket() as ls:
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        with socket.create_connection(ls.getsockname(), timeout=10) as c:
            conn, _ = ls.accept()
            with conn:
                p = subprocess.run([h.DAYTIMED, "-i", "-c", conf],
                                   stdin=conn, stdout=conn,
                                   stderr=subprocess.PIPE, timeout=20)
            got = c.recv(1024)
    return p.returncode, p.stderr.decode(errors="replace"), got


def quiet(sock):
    """What a datagram socket received so far (nothing, we hope)."""
    got = []
    sock.setblocking(False)
    while True:
        try:
            got.append(sock.recv(65536))
        except BlockingIOError:
            return got


@test
def syslog_socket_walked_as_trusted_ones():
    # a socket in a stranger's directory: they could bind one of their
    # own there and read every record (or stall the daemon); -t, a start
    # and -i refuse it, as they refuse a key there
    h.need_root()
    port = h.free_port()
    with h.TempDir("dtr-") as t:
        theirs = t.join("theirs")
        os.mkdir(theirs, 0o755)
        os.chown(theirs, STRANGER, -1)
        path = os.path.join(theirs, "log")
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as log:
            log.bind(path)
            os.chmod(path, 0o666)
            conf = t.write("c.conf", h.daemon_conf(port, path, listen=("tcp",),
                                                   user="nobody"))
            want = ("%s:2: error: syslog socket %s: not trusted: directory %s "
                    "is owned by uid %d, not root or the run user (uid %d)"
                    % (conf, path, theirs, STRANGER, NOBODY.pw_uid))
            t_fails(conf, want)
            rc, _, err = h.daytimed("-f", "-c", conf, timeout=20)
            check(rc == 1 and want.split(" error: ")[1] in err, "start: %d %r",
                  rc, err)
            rc, err, got = inetd_once(conf)
            check(rc == 1 and want.split(" error: ")[1] in err and got == b"",
                  "-i: %d %r %r", rc, err, got)
            check(quiet(log) == [], "the stranger's socket heard something")
            # the directory root's again, the socket a stranger's: refused
            os.chown(theirs, 0, -1)
            os.chown(path, STRANGER, -1)
            t_fails(conf, "%s:2: error: syslog socket %s: not trusted: socket "
                    "%s is owned by uid %d" % (conf, path, path, STRANGER))
            os.chown(path, 0, -1)
            # reached through a link, as /dev/log is: one of root's is
            # followed, a stranger's is not
            link = t.join("dev-log")
            os.symlink(path, link)
            conf = t.write("c.conf", h.daemon_conf(port, link, listen=("tcp",),
                                                   user="nobody"))
            rc, out = dash_t(conf)
            check(rc == 0 and ": ok: " in out, "%r", out)
            os.lchown(link, STRANGER, -1)
            t_fails(conf, "%s:2: error: syslog socket %s: not trusted: "
                    "symbolic link %s is owned by uid %d"
                    % (conf, link, link, STRANGER))
            # nothing there yet: the start's connect is the judge, as before
            conf = t.write("c.conf", h.daemon_conf(port, t.join("none"),
                                                   listen=("tcp",),
                                                   user="nobody"))
            rc, out = dash_t(conf)
            check(rc == 0 and ": ok: " in out, "%r", out)


@test
def audit_state_directory_walked_as_trusted_ones():
    # without chroot too: a stranger owning a directory (or a link) above
    # the state's could swap in another instance's state directory, which
    # the start would read and overwrite
    h.need_root()
    port = h.free_port()
    with h.TempDir("dtr-") as t, h.SyslogSink() as sink:
        af = h.AuditFiles(t)
        other = os.path.dirname(af.state)   # another instance's state
        kept = "daytimed-audit-state-v1 0123456789abcdef:1:run\n"
        with open(af.state, "w") as f:
            f.write(kept)
        os.chmod(af.state, 0o600)
        os.chown(af.state, NOBODY.pw_uid, -1)
        theirs = t.join("theirs")
        os.mkdir(theirs, 0o755)
        os.chown(theirs, STRANGER, -1)
        st = os.path.join(theirs, "st")
        os.mkdir(st, 0o700)
        os.chown(st, NOBODY.pw_uid, -1)
        state = os.path.join(st, "audit.state")
        conf = t.write("c.conf", h.daemon_conf(
            port, sink, listen=("tcp",), user="nobody",
            body="audit key %s\naudit state %s\n" % (af.pub, state)))
        n = open(conf).read().splitlines().index("audit state %s" % state) + 1

        def refused(what):
            want = ("audit state %s: not trusted: %s is owned by uid %d, not "
                    "root or the run user (uid %d): its owner could swap in "
                    "another directory" % (state, what, STRANGER,
                                           NOBODY.pw_uid))
            t_fails(conf, "%s:%d: error: %s" % (conf, n, want))
            rc, _, err = h.daytimed("-f", "-c", conf, timeout=20)
            check(rc == 1 and want in err, "start: %d %r", rc, err)
            # -i says it to syslog once it has one
            rc, _, got = inetd_once(conf)
            check(rc == 1 and got == b"", "-i: %d %r", rc, got)
            sink.wait_for(re.escape(want))
            check(open(af.state).read() == kept, "the other state written")

        refused("directory %s" % theirs)
        # the directory root's, but the stranger's link in its place
        os.chown(theirs, 0, -1)
        os.rename(st, st + ".x")
        os.symlink(other, st)
        os.lchown(st, STRANGER, -1)
        refused("symbolic link %s" % st)
        # root's link: followed (root may put the state where it likes)
        os.lchown(st, 0, -1)
        rc, out = dash_t(conf)
        check(rc == 0 and ": ok: " in out, "%r", out)
        # the run user's own layout, as packaged: ok
        os.unlink(st)
        os.rename(st + ".x", st)
        rc, out = dash_t(conf)
        check(rc == 0 and ": ok: " in out, "%r", out)


@test
def status_file_is_never_someone_elses():
    h.need_root()
    port = h.free_port()
    with h.TempDir("dtr-") as t, h.SyslogSink() as sink:
        pidfile, status = run_dir(t)
        # a hard link to a root file (fs.protected_hardlinks=0, or a file
        # the run user may link): refused, the file untouched
        precious = t.write("precious", "precious data\n")
        os.link(precious, status)
        rc, err = start_with_pidfile(t, port, sink, pidfile)
        check(rc == 1 and "status file %s exists with 2 links" % status
              in err, "%r", err)
        check(open(precious).read() == "precious data\n", "truncated")
        os.unlink(status)
        # another user's file: refused too
        replace_as_run_user(status, "x\n")
        os.chown(status, STRANGER, -1)
        rc, err = start_with_pidfile(t, port, sink, pidfile)
        check(rc == 1 and "owned by uid %d" % STRANGER in err, "%r", err)
        os.unlink(status)
        # a leftover of root's or the run user's, one link: made anew
        replace_as_run_user(status, "pid=1 reads=0 done=0 result=ok "
                            "error=-\n")
        rc, err = start_with_pidfile(t, port, sink, pidfile, refused=False)
        check(rc == 0, "start: %r", err)
        monitor = h.read_pidfile(pidfile)
        try:
            st = os.stat(status)    # the run user's file was nobody's
            check(st.st_uid == 0 and st.st_nlink == 1, "not made anew: %r",
                  st)
            check(h.poll_until(lambda: open(status).read().startswith(
                "pid=%d " % monitor), 5), "%r", open(status).read())
        finally:
            h.stop_pid(monitor)
        # a start that fails after both files were made (the port is
        # taken) leaves neither behind
        with h.busy_port(port):
            rc, err = start_with_pidfile(t, port, sink, pidfile)
        check(rc == 1 and "listen tcp 127.0.0.1:%d: Address already in use"
              % port in err, "%r", err)
        check(not os.path.lexists(pidfile) and
              not os.path.lexists(status), "left: %r",
              os.listdir(os.path.dirname(status)))


@test
def jail_keeps_dev_null_on_0_to_2():
    h.need_root()
    port = h.free_port()
    with h.TempDir("dtr-") as t, h.SyslogSink() as sink:
        jail = t.join("jail")
        os.mkdir(jail, 0o755)
        pidfile = t.join("d.pid")
        path = t.write("d.conf", h.daemon_conf(
            port, sink, user="nobody", body="chroot %s\npidfile %s\n"
            "allow 127.0.0.0/8\n" % (jail, pidfile)))
        rc, _, err = h.daytimed("-c", path, timeout=20)
        check(rc == 0, "start: %r", err)
        monitor = h.read_pidfile(pidfile)
        try:
            engine = h.proc_children(monitor)[0]
            check(os.readlink("/proc/%d/root" % engine) == jail, "no jail")
            for pid in (monitor, engine):
                # the monitor lets go of the starter's pipe once it sees
                # the starter gone, which it may not have yet
                fds = h.poll_until(lambda: h.proc_fds(pid), 5,
                                   done=lambda f: f.get(2) == "/dev/null")
                for fd in (0, 1, 2):
                    check(fds.get(fd) == "/dev/null", "%d: fd %d is %r", pid,
                          fd, fds.get(fd))
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "answer")
        finally:
            h.stop_pid(monitor)


@test
def seccomp_kills_a_call_outside_the_filter():
    h.need_root()
    if not os.path.exists(SHIM):
        raise h.Skip("%s not built (make check builds it)" % SHIM)
    port = h.free_port()
    env = dict(os.environ, LD_PRELOAD=SHIM)
    with h.SyslogSink() as sink:
        with h.Daemon(h.daemon_conf(port, sink, body="seccomp off\n"
                                    "allow 127.0.0.0/8\n"), env=env) as d:
            engine = h.engine_pid(d)
            sink.wait_for(r"seccomp off: the engine runs without")
            check(h.proc_status(engine)["Seccomp"] == ["0"], "filtered")
        sink.clear()
        d = h.Daemon(h.daemon_conf(port, sink, body="allow 127.0.0.0/8\n"),
                     env=env)
        with d:
            engine = h.engine_pid(d)
            rec = sink.wait_for(r"^seccomp (on|off)")
            if "sanitizer" in rec.msg:
                raise h.Skip("a sanitizer build runs without the filter")
            check(h.proc_status(engine)["Seccomp"] == ["2"], "not filtered")
            # it serves, reloads and logs its counters under the filter
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "answer")
            d.signal(signal.SIGHUP)
            sink.wait_for(r"^event=reload result=ok")
            d.signal(signal.SIGUSR1)
            sink.wait_for(r"^event=counters ")
            # the shim makes the engine call ptrace on SIGUSR2
            os.kill(engine, signal.SIGUSR2)
            rc = d.wait(10)
            check(rc == 1, "monitor exit %r", rc)
            sink.wait_for(r"engine killed by seccomp \(SIGSYS\)")
        # tgkill: to its own threads (raise, pthread_kill), not to the
        # monitor or any other process (signal 0 to pid 1 here); nor
        # through fcntl (F_SETOWN, O_ASYNC); a call of another ABI (x32)
        # ends the whole process, logged, not just its thread. The
        # argument rules: socket for AF_UNIX, AF_INET and AF_INET6 only
        # (AF_PACKET, AF_NETLINK end it); clone for a thread only (a
        # fork ends it); openat relative to a directory held only (with
        # AT_FDCWD it fails with EACCES, and the engine goes on)
        eacces = "seccomp_shim: openat-cwd: errno %d\n" % errno.EACCES
        for call, dies, says in (
                ("tgkill-self", False, None), ("tgkill-other", True, None),
                ("fcntl-setown", True, None), ("fcntl-async", True, None),
                ("x32", True, None), ("socket-packet", True, None),
                ("socket-netlink", True, None), ("fork", True, None),
                ("openat-cwd", False, eacces)):
            sink.clear()
            d = h.Daemon(h.daemon_conf(port, sink,
                                       body="allow 127.0.0.0/8\n"),
                         env=dict(env, DT_SHIM_CALL=call))
            with d:
                engine = h.engine_pid(d)
                sink.wait_for(r"^event=start ")
                os.kill(engine, signal.SIGUSR2)
                if dies:
                    check(d.wait(10) == 1, "%s: monitor exit %r", call,
                          d.returncode)
                    sink.wait_for(r"engine killed by seccomp \(SIGSYS\)")
                else:
                    # the handler has run once the engine serves after it
                    check(h.poll_until(lambda: h.proc_status(engine)[
                        "SigPnd"] == ["0000000000000000"] and h.proc_status(
                            engine)["ShdPnd"] == ["0000000000000000"], 5),
                          "%s: SIGUSR2 still pending", call)
                    check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)),
                          "%s: answer after it", call)
                    check(not sink.records(r"killed by seccomp"), "%s: killed",
                          call)
                if says is not None:
                    # what the call got, as the shim tells it on stderr
                    check(h.poll_until(lambda: says in d.stderr_text(), 5),
                          "%s: %r not on stderr:\n%s", call, says,
                          d.stderr_text())


if __name__ == "__main__":
    h.main()
