#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Daemon life, as root: the double fork seen from /proc, privileges,
descriptors, startup errors on the starter's stderr, the pidfile lock,
reload under chroot, local time under chroot, socket activation."""

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

NOBODY = pwd.getpwnam("nobody")
# With "workers 2": 2 listen lines with a socket for each worker, syslog
# and the monitor's socketpair; per loop an epoll, an eventfd
# (cross-thread wakeups) and a pipe pair; the reload thread's pipe pair.
ENGINE_FDS = sorted(["socket:"] * 6 + ["anon_inode:[eventpoll]"] * 2 +
                    ["anon_inode:[eventfd]"] * 2 + ["pipe:"] * 6)


def need_root():
    if os.geteuid() != 0:
        raise h.Skip("needs root (privilege drop, chroot)")


def conf(port, sink, extra="", rules="allow 127.0.0.0/8\n"):
    return ("listen tcp 127.0.0.1:%d\nlisten udp 127.0.0.1:%d\n"
            "syslog socket %s\nident mode off\nuser nobody\n%s%s"
            % (port, port, sink.path, extra, rules))


def status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.split()
    return out


def stat_fields(pid):
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    # the command may hold spaces: split after the closing parenthesis
    rest = data[data.rindex(")") + 2:].split()
    return {"ppid": int(rest[1]), "pgrp": int(rest[2]),
            "session": int(rest[3]), "tty_nr": int(rest[4])}


def children(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return [int(x) for x in f.read().split()]


def fds(pid):
    out = {}
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            out[int(fd)] = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            pass
    return out


def read_pid(path, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                text = f.read()
            if text.endswith("\n"):
                return int(text)
        except (OSError, ValueError):
            pass
        time.sleep(0.02)
    raise AssertionError("no pid in %s" % path)


def get_retrying(port, timeout=10):
    """tcp_get, retrying refused connects until something listens."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return h.tcp_get("127.0.0.1", port, timeout=timeout)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def start_bg(conf_path, extra_args=()):
    """daytimed without -f; returns (exit status, stdout, stderr)."""
    p = subprocess.run([h.DAYTIMED, "-c", conf_path] + list(extra_args),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def stop_pid(pid, timeout=5):
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not os.path.exists("/proc/%d" % pid):
            return
        with open("/proc/%d/stat" % pid) as f:
            if f.read().split(")")[-1].split()[0] == "Z":
                return
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)


class Tmp:
    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="dtl-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        return self

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        return path

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)


@test
def daemonized_process_shape():
    need_root()
    port = h.free_port()
    with Tmp() as t, h.SyslogSink() as sink:
        pidfile = os.path.join(t.dir, "d.pid")
        path = t.write("d.conf", conf(port, sink, "pidfile %s\nworkers 2\n"
                                      % pidfile))
        # a descriptor the caller leaks must not reach the daemon
        stray = os.open(t.write("stray", "x"), os.O_RDONLY)
        starter = subprocess.Popen([h.DAYTIMED, "-c", path],
                                   stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, pass_fds=(stray,))
        os.close(stray)
        out, err = starter.communicate(timeout=20)
        check(starter.returncode == 0, "starter exit %d: %r",
              starter.returncode, err)
        monitor = read_pid(pidfile)
        try:
            # listening the moment the starter returns
            check(h.CTIME_RE.match(h.tcp_get("127.0.0.1", port)), "answer")
            kids = children(monitor)
            check(len(kids) == 1, "monitor children %r", kids)
            engine = kids[0]
            for pid in (monitor, engine):
                st = stat_fields(pid)
                check(st["ppid"] != starter.pid, "parent is the starter")
                check(st["session"] != pid, "%d is a session leader", pid)
                check(st["tty_nr"] == 0, "controlling tty %d", st["tty_nr"])
                s = status(pid)
                check(s["Uid"] == [str(NOBODY.pw_uid)] * 4, "uids %r", s["Uid"])
                check(s["Gid"] == [str(NOBODY.pw_gid)] * 4, "gids %r", s["Gid"])
                check(s["Groups"] in ([], [str(NOBODY.pw_gid)]),
                      "groups %r", s["Groups"])
                check(s["NoNewPrivs"] == ["1"], "no_new_privs %r",
                      s["NoNewPrivs"])
                check(s["CapEff"] == ["0000000000000000"], "caps %r",
                      s["CapEff"])
                f = fds(pid)
                for fd in (0, 1, 2):
                    check(f.get(fd) == "/dev/null", "%d: fd %d -> %r", pid,
                          fd, f.get(fd))
                files = [v for k, v in f.items() if k > 2 and
                         v.startswith("/")]
                check(files == ([pidfile] if pid == monitor else []),
                      "%d: stray files %r", pid, files)
                check(os.readlink("/proc/%d/cwd" % pid) == "/", "cwd")
            # no stray descriptors: the engine holds its 2 listeners, the
            # syslog socket, the monitor's socketpair, libevent's own
            # (epoll, signal pair/eventfd) and the reload pipe pair.
            # (our own request may still be draining: poll, with a deadline)
            deadline = time.monotonic() + 5
            while True:
                kinds = sorted(re.sub(r"\[\d+\]", "", v) for k, v in
                               fds(engine).items() if k > 2)
                if kinds == ENGINE_FDS or time.monotonic() > deadline:
                    break
                time.sleep(0.02)
            check(kinds == ENGINE_FDS, "engine descriptors %r", kinds)
            mfds = sorted(re.sub(r"\[\d+\]", "", v) for k, v in
                          fds(monitor).items() if k > 2)
            check(mfds.count("socket:") == 2, "monitor fds %r", mfds)
            # the umask and no core dumps
            check(status(engine)["Umask"] == ["0027"], "umask")
            rec = sink.wait_for(r"^event=start ")
            check(rec.pid == engine, "records come from the engine")
        finally:
            stop_pid(monitor)
        deadline = time.monotonic() + 5
        while os.path.exists(pidfile) and time.monotonic() < deadline:
            time.sleep(0.02)
        sink.wait_for(r"^event=stop")


@test
def startup_errors_on_the_starters_stderr():
    need_root()
    port = h.free_port()
    with Tmp() as t, h.SyslogSink() as sink:
        cases = []
        with socket.socket() as busy:
            busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            busy.bind(("127.0.0.1", port))
            busy.listen(1)
            p = t.write("busy.conf", conf(port, sink))
            cases.append((p, "listen tcp 127.0.0.1:%d: Address already in use"
                          % port))
            p2 = t.write("user.conf", conf(port + 1, sink).replace(
                "user nobody", "user no-such-user-dt"))
            cases.append((p2, "unknown user 'no-such-user-dt'"))
            p3 = t.write("syntax.conf", conf(port, sink) + "allow 1.2.3/8\n")
            cases.append((p3, "syntax.conf:7: error: bad netblock '1.2.3/8'"))
            p4 = t.write("root.conf", conf(port + 1, sink).replace(
                "user nobody\n", ""))
            cases.append((p4, "started as root with no 'user' directive"))
            p5 = t.write("chroot.conf", conf(port + 1, sink,
                                            "chroot /nonexistent-dt\n"))
            cases.append((p5, "chroot /nonexistent-dt: No such file"))
            p6 = t.write("pid.conf", conf(port + 1, sink,
                                         "pidfile /nonexistent-dt/x.pid\n"))
            cases.append((p6, "pidfile /nonexistent-dt/x.pid: No such file"))
            p7 = t.write("group.conf", conf(port + 1, sink,
                                           "group no-such-group-dt\n"))
            cases.append((p7, "unknown group 'no-such-group-dt'"))
            for path, want in cases:
                rc, out, err = start_bg(path)
                check(rc == 1 and want in err, "%s: exit %d, stderr %r",
                      os.path.basename(path), rc, err)
        # nothing was left running: nobody answers on port+1
        try:
            got = h.udp_get("127.0.0.1", port + 1, timeout=0.3)
        except ConnectionRefusedError:
            got = None
        check(got is None, "a half-started daemon answers")


@test
def second_instance_refused_stale_pidfile_survived():
    need_root()
    port = h.free_port()
    with Tmp() as t, h.SyslogSink() as sink:
        pidfile = os.path.join(t.dir, "d.pid")
        # a stale pidfile, as a killed daemon leaves it
        with open(pidfile, "w") as f:
            f.write("999999\n")
        path = t.write("d.conf", conf(port, sink, "pidfile %s\n" % pidfile))
        rc, _, err = start_bg(path)
        check(rc == 0, "stale pidfile blocked the start: %r", err)
        monitor = read_pid(pidfile)
        try:
            check(monitor != 999999, "pidfile not rewritten")
            port2 = h.free_port()
            path2 = t.write("d2.conf", conf(port2, sink,
                                            "pidfile %s\n" % pidfile))
            rc, _, err = start_bg(path2)
            check(rc == 1 and "already running (pid %d)" % monitor in err,
                  "second instance: %d %r", rc, err)
            # -p overrides the configured pidfile
            rc, _, err = start_bg(path2, ["-p", pidfile])
            check(rc == 1 and "already running" in err, "%r", err)
        finally:
            stop_pid(monitor)


@test
def reload_under_chroot_and_local_time():
    need_root()
    port = h.free_port()
    with Tmp() as t, h.SyslogSink() as sink:
        jail = os.path.join(t.dir, "jail")
        os.mkdir(jail, 0o755)
        rules_d = os.path.join(t.dir, "rules.d")
        os.mkdir(rules_d, 0o755)
        with open(os.path.join(rules_d, "a.rules"), "w") as f:
            f.write("allow 127.0.0.0/8\n")
        pidfile = os.path.join(t.dir, "d.pid")
        text = conf(port, sink, "chroot %s\npidfile %s\n" % (jail, pidfile),
                    rules="include rules.d/*.rules\n")
        path = t.write("d.conf", text)
        env = dict(os.environ, TZ="Asia/Kolkata")
        p = subprocess.run([h.DAYTIMED, "-c", path], env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        check(p.returncode == 0, "start: %r", p.stderr)
        monitor = read_pid(pidfile)
        try:
            engine = children(monitor)[0]
            check(os.readlink("/proc/%d/root" % engine) == jail, "not chrooted")
            check(os.readlink("/proc/%d/root" % monitor) == "/",
                  "monitor chrooted")
            data = h.tcp_get("127.0.0.1", port)
            # the daemon's zone, not UTC, although the jail has no zoneinfo
            os.environ["TZ"] = "Asia/Kolkata"
            time.tzset()
            try:
                want = set()
                for d in range(-3, 2):
                    tm = time.localtime(time.time() + d)
                    want.add((time.strftime("%a %b ", tm) +
                              "%2d" % tm.tm_mday +
                              time.strftime(" %H:%M:%S %Y", tm) +
                              "\r\n").encode())
            finally:
                del os.environ["TZ"]
                time.tzset()
            check(data in want, "%r not the time in Asia/Kolkata", data)
            # edit an included file outside the jail, HUP the monitor
            with open(os.path.join(rules_d, "a.rules"), "w") as f:
                f.write("deny 127.0.0.0/8\n")
            os.kill(monitor, signal.SIGHUP)
            sink.wait_for(r"^event=reload result=ok")
            check(h.tcp_get("127.0.0.1", port) == b"", "reload not applied")
            # a broken included file: the old rules stay
            with open(os.path.join(rules_d, "b.rules"), "w") as f:
                f.write("allow 127.0.0.0/33\n")
            os.kill(monitor, signal.SIGHUP)
            rec = sink.wait_for(r"^event=reload result=failed")
            check("b.rules:1: error:" in h.kv(rec.msg)["error"], "%r", rec.msg)
            check(h.tcp_get("127.0.0.1", port) == b"", "old rules lost")
        finally:
            stop_pid(monitor)


@test
def socket_activation():
    exe = shutil.which("systemd-socket-activate")
    if exe is None:
        raise h.Skip("systemd-socket-activate is not installed")
    port = h.free_port()
    with Tmp() as t, h.SyslogSink() as sink:
        text = ("listen tcp 127.0.0.1:%d\nsyslog socket %s\nident mode off\n"
                "allow 127.0.0.0/8\n" % (port, sink.path))
        if os.geteuid() == 0:
            text += "user nobody\n"
        path = t.write("d.conf", text)
        p = subprocess.Popen([exe, "-l", "127.0.0.1:%d" % port, h.DAYTIMED,
                              "-f", "-c", path], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True)
        try:
            # the first connection starts the daemon on the passed socket
            data = get_retrying(port)
            check(h.CTIME_RE.match(data), "%r", data)
            rec = sink.wait_for(r"^conn=.* decision=allow")
            check(h.kv(rec.msg)["local"] == "127.0.0.1:%d" % port, "%r",
                  rec.msg)
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        # a passed socket that matches no listen line is a startup error
        port2 = h.free_port()
        p = subprocess.Popen([exe, "-l", "127.0.0.1:%d" % port2, h.DAYTIMED,
                              "-f", "-c", path], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True)
        try:
            try:
                get_retrying(port2, timeout=5)
            except OSError:
                pass
            deadline = time.monotonic() + 5
            while p.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            err = p.stderr.read().decode() if p.poll() is not None else ""
            check("no socket passed by the service manager matches" in err,
                  "%r", err)
        finally:
            if p.poll() is None:
                p.kill()
            p.wait()


if __name__ == "__main__":
    h.main()
