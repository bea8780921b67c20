#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The audit trail end to end: the real daemon with an auditor's key, into a
private real rsyslogd, checked by daytimed-audit verify; its key files and
state file checked at startup and by -t; the state written from inside a
chroot; the state's filesystem full or read-only (at a start, while
running, and across a restart); its directory's fsync failing after the
rename (fsync_shim.c); one epoch's rotated files read by seq when the
clock went back between them; and back-pressure when the syslog sink
stops reading (no record lost, accepting paused)."""

import errno
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import check, test  # noqa: E402

NOBODY = pwd.getpwnam("nobody").pw_uid


@test
def sealed_chain_through_rsyslog():
    with h.Rsyslog() as rs, h.TempDir("dtk-") as keys:
        af = h.AuditFiles(keys)
        port = h.free_port()
        text = h.daemon_conf(port, rs, "ident mode off\n" + af.settings,
                             "allow 127.0.0.0/8\ndeny 127.0.0.2\n")
        with h.Daemon(text) as d:
            for _ in range(10):
                h.tcp_get("127.0.0.1", port)
                h.udp_get("127.0.0.1", port)
            h.tcp_get("127.0.0.1", port, bind=("127.0.0.2", 0))
            d.reload(text)
            d.signal(signal.SIGUSR1)
            rs.wait_for("event=counters")
            d.stop()
        rs.wait_for("event=stop")
        log = rs.text()
        lines = [l for l in log.splitlines() if "daytimed[" in l]
        check(any("event=start" in l and " sealed=" in l for l in lines),
              "no sealed start record:\n%s", log[:2000])
        records = [l for l in lines if ": conn=" in l or ": event=" in l]
        check(all(" seq=" in l and " mac=" in l for l in records),
              "unsealed records:\n%s", log[:2000])
        check(sum("decision=" in l for l in lines) >= 21, "records: %d",
              len(lines))
        rc, out, err = af.verify(rs.file)
        check(rc == 0, "verify on the intact file: %d\n%s", rc, out + err)
        # modify one record: the verifier names it
        victim = next(i for i, l in enumerate(log.splitlines())
                      if "decision=deny" in l)
        out_lines = log.splitlines()
        out_lines[victim] = out_lines[victim].replace("decision=deny",
                                                      "decision=allow")
        tampered = keys.write("tampered", "\n".join(out_lines) + "\n")
        rc, out, err = af.verify(tampered)
        check(rc == 1 and ":%d:" % (victim + 1) in out + err, "%d\n%s", rc,
              out + err)
        # drop one record
        del out_lines[victim]
        keys.write("tampered", "\n".join(out_lines) + "\n")
        rc, out, err = af.verify(tampered)
        check(rc == 1 and "missing" in out + err, "%d\n%s", rc, out + err)


def write_conf(tmp, text):
    return tmp.write("daytimed.conf", text)


@test
def audit_files_checked():
    """Issue 13, bad input: a signing key or state file that is missing,
    unreadable, wrongly owned or of the wrong size is a startup error
    naming the file, and a -t error; a FIFO never makes either wait."""
    h.need_root("the key's and the state's owners are checked")
    nobody = pwd.getpwnam("nobody").pw_uid
    with h.TempDir("dtk-") as tmp, h.SyslogSink() as sink:
        af = h.AuditFiles(tmp)
        port = h.free_port()
        good = h.daemon_conf(port, sink, "ident mode off\n" + af.settings,
                             "allow 127.0.0.0/8\n")
        rc, out, err = h.daytimed("-t", "-c", write_conf(tmp, good))
        check(rc == 0 and "no state file yet" in out,
              "-t on a good configuration: %d %s %s", rc, out, err)
        fifo = tmp.join("fifo")
        os.mkfifo(fifo)
        # bad state files in a good state directory (the run user's, 0700)
        statedir = os.path.basename(os.path.dirname(af.state))
        statefifo = tmp.join(statedir + "/fifo")
        os.mkfifo(statefifo)
        big = tmp.write(statedir + "/big.state", "x" * 200, mode=0o600)
        os.chown(big, nobody, -1)
        rootstate = tmp.write(statedir + "/root.state",
                              "daytimed-audit-state-v1 0123456789abcdef:1:run\n",
                              mode=0o600)
        with open(af.hpub) as f:
            pubsec = tmp.write("pub-as-sec", f.read(), mode=0o600)
        os.chown(tmp.path, nobody, -1)
        cases = [
            ("a readable signing key", lambda: os.chmod(af.hsec, 0o644),
             af.hsec, "mode 0644 gives group or others access"),
            ("a signing key owned by the run user",
             lambda: os.chown(af.hsec, nobody, -1), af.hsec,
             "owned by uid %d, not root" % nobody),
            ("a public key as the signing key",
             lambda: good.replace(af.hsec, pubsec), pubsec,
             "not a host secret key"),
            ("a missing signing key",
             lambda: good.replace(af.hsec, tmp.join("none.sec")),
             tmp.join("none.sec"), "No such file"),
            ("a FIFO as the signing key", lambda: good.replace(af.hsec, fifo),
             fifo, "not a regular file"),
            ("a state directory that is not there",
             lambda: good.replace(af.state, "/nonexistent/audit.state"),
             "/nonexistent/audit.state", "No such file"),
            ("a state file of the wrong size",
             lambda: good.replace(af.state, big), big, "wrong size"),
            ("a state file owned by root",
             lambda: good.replace(af.state, rootstate), rootstate,
             "must be owned by the user daytimed runs as"),
            ("a FIFO as the state file",
             lambda: good.replace(af.state, statefifo), statefifo,
             "not a regular file"),
            ("a state directory others may open",
             lambda: good.replace(af.state, tmp.join("open.state")),
             tmp.join("open.state"), "gives group or others access (mode "
             "0755)"),
        ]
        for what, change, name, why in cases:
            text = change()
            text = text if isinstance(text, str) else good
            conf = write_conf(tmp, text)
            r = h.run([h.DAYTIMED, "-t", "-c", conf], timeout=20)
            out = r.stdout.decode()
            check(r.returncode == 1 and name in out and why in out and
                  "error" in out, "-t with %s: %d %r", what, r.returncode,
                  out)
            # a start: exits 1 at once, naming the file (run to its end:
            # nothing to wait for, no port to probe)
            r = h.run([h.DAYTIMED, "-f", "-c", conf], timeout=20)
            err = r.stderr.decode()
            check(r.returncode == 1 and name in err and why in err,
                  "start with %s: %d %r", what, r.returncode, err)
            os.chmod(af.hsec, 0o600)
            os.chown(af.hsec, 0, -1)


@test
def state_written_inside_chroot():
    """With chroot, the state's directory must lie inside the jail (a
    directory the engine holds open outside it would lead out of it):
    outside, -t and a start are errors naming both; inside, the file is
    written through the directory opened before the chroot, and the next
    start links to it."""
    h.need_root("chroot")
    with h.TempDir("dtk-") as tmp, h.SyslogSink() as sink:
        jail = tmp.join("jail")
        os.mkdir(jail, 0o755)
        outside = h.AuditFiles(tmp, "o")
        port = h.free_port()
        text = h.daemon_conf(port, sink, "ident mode off\nchroot %s\n%s"
                             % (jail, outside.settings), "allow 127.0.0.0/8\n")
        conf = write_conf(tmp, text)
        why = ("audit state %s: its directory is not inside the chroot %s"
               % (outside.state, jail))
        r = h.run([h.DAYTIMED, "-t", "-c", conf], timeout=20)
        check(r.returncode == 1 and why in r.stdout.decode(), "-t, state "
              "outside the jail: %d %r", r.returncode, r.stdout)
        r = h.run([h.DAYTIMED, "-f", "-c", conf], timeout=20)
        check(r.returncode == 1 and why in r.stderr.decode(), "a start, "
              "state outside the jail: %d %r", r.returncode, r.stderr)
        # a symbolic link inside the jail to a directory outside: refused
        os.symlink(os.path.dirname(outside.state), tmp.join("jail/s"))
        text = text.replace(outside.state, jail + "/s/audit.state")
        r = h.run([h.DAYTIMED, "-t", "-c", write_conf(tmp, text)], timeout=20)
        check(r.returncode == 1 and "is not inside the chroot" in
              r.stdout.decode(), "-t, a link out of the jail: %d %r",
              r.returncode, r.stdout)
        os.unlink(tmp.join("jail/s"))
        af = h.AuditFiles(tmp, "a", state_in=jail)
        text = h.daemon_conf(port, sink, "ident mode off\nchroot %s\n%s"
                             % (jail, af.settings), "allow 127.0.0.0/8\n")
        for run in range(2):
            with h.Daemon(text) as d:
                h.tcp_get("127.0.0.1", port)
                d.stop()
            sink.wait_for(r"event=stop", count=run + 1)
        starts = [r.msg for r in sink.records() if "event=start" in r.msg]
        stops = [r.msg for r in sink.records() if "event=stop" in r.msg]
        first = re.search(r" epoch=(\w+) seq=(\d+) ", stops[0])
        check(" prev=none " in starts[0], "first start: %s", starts[0])
        check(" prev=%s:%s:stop " % first.groups() in starts[1],
              "the second start names the first epoch's stop (%s): %s",
              first.groups(), starts[1])
        with open(af.state) as f:
            last = re.search(r" epoch=(\w+) seq=(\d+) ", stops[1])
            check(f.read() == "daytimed-audit-state-v1 %s:%s:stop\n"
                  % last.groups(), "the state after the second stop")


def default_state_path(conf):
    """The default audit state file, as -T names it."""
    r = h.run([h.DAYTIMED, "-T", "-c", conf], timeout=20)
    m = re.search(r"^# audit state .*default: with an audit key, (\S+)$",
                  r.stdout.decode(), re.M)
    check(m is not None, "-T names no default state: %r", r.stdout)
    return m.group(1)


@test
def first_release_audit_config_starts():
    """A first release's configuration, "audit key" alone, gets the
    default audit state: where its directory is missing (an install by
    "make install"), or lies outside the chroot, the daemon starts with
    unlinked epochs and a warning, as the first release did, instead of
    refusing to start. With "audit signing-key" (links the auditor
    checks) the same default is an error."""
    h.need_root("chroot, and the default state's directory")
    with h.TempDir("dtk-") as tmp, h.SyslogSink() as sink:
        af = h.AuditFiles(tmp)
        jail = tmp.join("jail")
        os.mkdir(jail, 0o755)
        port = h.free_port()
        plain = h.daemon_conf(port, sink, "ident mode off\naudit key %s\n"
                              % af.pub, "allow 127.0.0.0/8\n")
        conf = write_conf(tmp, plain)
        state = default_state_path(conf)
        statedir = os.path.dirname(state)
        made = []
        try:
            # the default's directory missing
            if not os.path.exists(statedir):
                r = h.run([h.DAYTIMED, "-t", "-c", conf], timeout=20)
                out = r.stdout.decode()
                check(r.returncode == 0 and "warning: audit state %s: not "
                      "kept: its directory %s does not exist" % (state,
                      statedir) in out, "-t: %d %r", r.returncode, out)
                signed = write_conf(tmp, plain + "audit signing-key %s\n"
                                    % af.hsec)
                r = h.run([h.DAYTIMED, "-t", "-c", signed], timeout=20)
                check(r.returncode == 1 and "error: audit state %s" % state
                      in r.stdout.decode(), "-t with a signing key: %d %r",
                      r.returncode, r.stdout)
                with h.Daemon(plain) as d:
                    h.tcp_get("127.0.0.1", port)
                    d.stop()
                # ... and made, for the chroot's case below
                d = statedir
                while not os.path.exists(d):
                    made.append(d)
                    d = os.path.dirname(d)
                os.makedirs(statedir, 0o700)
                os.chmod(statedir, 0o700)
                os.chown(statedir, pwd.getpwnam("nobody").pw_uid, -1)
            else:
                print("%s exists: the missing directory's case is not run"
                      % statedir)
            # the default's directory outside the chroot
            jailed = plain + "chroot %s\n" % jail
            conf = write_conf(tmp, jailed)
            r = h.run([h.DAYTIMED, "-t", "-c", conf], timeout=20)
            out = r.stdout.decode()
            check(r.returncode == 0 and "warning: audit state %s: not kept, "
                  "so epochs are not linked: its directory is not inside "
                  "the chroot %s" % (state, jail) in out, "-t, chroot: %d %r",
                  r.returncode, out)
            signed = write_conf(tmp, jailed + "audit signing-key %s\n"
                                % af.hsec)
            r = h.run([h.DAYTIMED, "-t", "-c", signed], timeout=20)
            check(r.returncode == 1 and "is not inside the chroot" in
                  r.stdout.decode(), "-t, chroot, signing key: %d %r",
                  r.returncode, r.stdout)
            with h.Daemon(jailed) as d:
                h.tcp_get("127.0.0.1", port)
                d.stop()
            check(not os.path.exists(state), "%s written" % state)
        finally:
            for d in made:
                if os.path.isdir(d):
                    os.rmdir(d)
        sink.wait_for(r"event=stop", count=len(made) and 2 or 1)
        starts = [r.msg for r in sink.records() if "event=start" in r.msg]
        check(starts and all(" prev=" not in m for m in starts),
              "unlinked starts: %s", starts)
        notes = [r.msg for r in sink.records() if "not kept" in r.msg]
        check(len(notes) == len(starts), "a note a start: %s", notes)


class NsDaemon(h.Daemon):
    """A Daemon run in the mount namespace of process ns (nsenter execs
    it: the PID is the daemon's)."""

    def __init__(self, ns, *args, **kw):
        self.ns = ns
        super().__init__(*args, **kw)

    def command(self):
        return ["nsenter", "-t", str(self.ns), "-m", "--"] + \
            super().command()


def fill(path):
    """A filler file at path until ENOSPC."""
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"f" * 4096)
        except OSError as e:
            check(e.errno == errno.ENOSPC, "filling %s: %s", path, e)


@test
def state_filesystem_full_or_read_only():
    """Issue 19: the state's directory on a tiny tmpfs (in a mount
    namespace of the test's own), full or read-only. At a start: an error
    naming the file (-t too). While running: answers and sealed records go
    on, the failure is logged once and "saved again" once, the file keeps
    its last saved position, no temporary file stays. A stop while it
    fails: the next start names the last position saved (prev=ID:SEQ:run),
    never one that was not."""
    h.need_root("a mount namespace and a tmpfs")
    with MountNamespace() as ns:
        _state_fs(ns, pwd.getpwnam("nobody").pw_uid)


class MountNamespace(h.Closing):
    """A private mount namespace held by a sleeping process of ours (its
    PID, self.pid, names it for nsenter); killed by its PID at close."""

    def __init__(self):
        self.holder = subprocess.Popen(["unshare", "--mount", "--propagation",
                                        "private", "sleep", "600"])
        self.pid = self.holder.pid
        mine = os.readlink("/proc/self/ns/mnt")
        if not h.poll_until(lambda: os.readlink("/proc/%d/ns/mnt" %
                                                self.pid) != mine, 5):
            self.close()
            raise AssertionError("no mount namespace")

    def __enter__(self):
        return self.pid

    def close(self):
        self.holder.kill()
        self.holder.wait()


def in_ns(ns, *argv, user=None):
    """Run argv in mount namespace ns (as user, a name, when given):
    (status, stdout, stderr)."""
    pre = []
    if user:
        pw = pwd.getpwnam(user)
        pre = ["setpriv", "--reuid", str(pw.pw_uid), "--regid",
               str(pw.pw_gid), "--clear-groups"]
    r = h.run(["nsenter", "-t", str(ns), "-m", "--"] + pre + list(argv),
              timeout=20)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


@test
def state_space_reserved_for_root():
    """The probe at open runs as root, who may write where the run user
    cannot (ext4's blocks reserved for root): the start's own save of seq
    0, as the run user, then fails and the start fails naming the file,
    again and again, and the file keeps naming the last epoch; once there
    is room, the next start names that epoch: one successor, no fork."""
    h.need_root("a mount namespace and a loop device")
    for tool in ("mkfs.ext4", "setpriv"):
        if shutil.which(tool) is None:
            raise h.Skip("%s is not installed" % tool)
    with MountNamespace() as ns, h.TempDir("dtk-") as tmp, \
            h.SyslogSink() as sink:
        af = h.AuditFiles(tmp)
        sdir = os.path.dirname(af.state)
        seen = "/proc/%d/root%s" % (ns, sdir)
        img = tmp.join("state.ext4")
        with open(img, "wb") as f:
            f.truncate(4 << 20)
        r = h.run(["mkfs.ext4", "-q", "-m", "50", "-E", "root_owner=%d:%d"
                   % (NOBODY, NOBODY), img], timeout=30)
        check(r.returncode == 0, "mkfs.ext4: %s", r.stderr)
        rc, _, err = in_ns(ns, "mount", "-o", "loop", img, sdir)
        if rc != 0:
            raise h.Skip("no loop mount here: %s" % err.strip())
        try:
            os.chmod(seen, 0o700)
            port = h.free_port()
            text = h.daemon_conf(port, sink, "ident mode off\n" +
                                 af.settings, "allow 127.0.0.0/8\n")
            conf = write_conf(tmp, text)
            with NsDaemon(ns, text) as d:
                h.tcp_get("127.0.0.1", port)
                d.stop()
            stop = sink.wait_for(r"^event=stop ")
            last = "%s:%s:stop" % re.search(r" epoch=(\w+) seq=(\d+) ",
                                            stop.msg).groups()
            # the user's share of the filesystem full; root's is not
            # (one big file, then small ones for what delayed allocation
            # leaves free)
            rc, _, err = in_ns(ns, "sh", "-c", 'yes > "$0"/filler; i=0; '
                               'while echo > "$0/filler$i"; do i=$((i+1)); '
                               'done', sdir, user="nobody")
            check("No space left on device" in err, "filling as nobody: "
                  "%d %r", rc, err)
            vfs = os.statvfs(seen)
            check(vfs.f_bfree * vfs.f_frsize >= 65536, "no room left for "
                  "root: %d blocks", vfs.f_bfree)
            for _ in range(2):
                # (a daemon that serves anyway is killed: not a hang)
                rc, _, err = in_ns(ns, "timeout", "-s", "KILL", "10",
                                   h.DAYTIMED, "-f", "-c", conf)
                check(rc == 1 and af.state in err and "No space left on "
                      "device" in err and "saved as uid %d" % NOBODY in err,
                      "a start with no room for the run user: %d %r", rc,
                      err)
                with open(seen + "/audit.state") as f:
                    check(f.read().split()[1] == last, "the state after a "
                          "failed start names %s", last)
            check(len(sink.records(r"^event=start ")) == 1, "a failed "
                  "start logged a start record")
            for name in os.listdir(seen):
                if name.startswith("filler"):
                    os.unlink(os.path.join(seen, name))
            with NsDaemon(ns, text) as d:
                h.tcp_get("127.0.0.1", port)
                d.stop()
            starts = sink.records(r"^event=start ")
            check(len(starts) == 2 and " prev=%s " % last in starts[1].msg,
                  "the next start names %s: %s", last, starts[-1].msg)
        finally:
            in_ns(ns, "umount", sdir)


def _state_fs(ns, nobody):
    def inns(*argv):
        return in_ns(ns, *argv)

    with h.TempDir("dtk-") as tmp, h.SyslogSink() as sink:
        af = h.AuditFiles(tmp)
        sdir = os.path.dirname(af.state)
        seen = "/proc/%d/root%s" % (ns, sdir)   # the tmpfs, from outside
        rc, _, err = inns("mount", "-t", "tmpfs", "-o", "size=16k,mode=0700,"
                          "uid=%d" % nobody, "dt-state", sdir)
        check(rc == 0, "mount: %s", err)
        port = h.free_port()
        text = h.daemon_conf(port, sink, "ident mode off\n" + af.settings,
                             "allow 127.0.0.0/8\n")
        conf = write_conf(tmp, text)

        def remount(how):
            rc, _, err = inns("mount", "-o", "remount," + how, sdir)
            check(rc == 0, "remount,%s: %s", how, err)

        def state():
            with open(seen + "/audit.state") as f:
                return f.read().split()[1]

        # at a start: read-only, then full
        for how, why in (("read-only", "Read-only file system"),
                         ("full", "No space left on device")):
            if how == "full":
                remount("rw")
                fill(seen + "/filler")
            else:
                remount("ro")
            rc, out, err = inns(h.DAYTIMED, "-t", "-c", conf)
            check(rc == 1 and af.state in out and why in out, "-t, %s: %d "
                  "%r %r", how, rc, out, err)
            rc, out, err = inns(h.DAYTIMED, "-f", "-c", conf)
            check(rc == 1 and af.state in err and why in err, "a start, "
                  "%s: %d %r", how, rc, err)
        os.unlink(seen + "/filler")
        check(os.listdir(seen) == [], "left in the state directory: %r",
              os.listdir(seen))
        # running: full, space again, read-only, writable again
        fail_rx = r"^audit state %s: cannot .*: %%s; retried" % \
            re.escape(af.state)
        again_rx = r"^audit state %s: saved again \(" % re.escape(af.state)
        with NsDaemon(ns, text) as d:
            h.tcp_get("127.0.0.1", port)
            epoch = sink.wait_for(r"^event=start ").msg.split(
                " epoch=")[1].split()[0]
            check(h.poll_until(lambda: state().startswith(epoch), 5),
                  "the state never named epoch %s", epoch)
            n = 0
            for how, why, on, off in (
                    ("full", "No space left on device",
                     lambda: fill(seen + "/filler"),
                     lambda: os.unlink(seen + "/filler")),
                    ("read-only", "Read-only file system",
                     lambda: remount("ro"), lambda: remount("rw"))):
                n += 1
                on()
                check(h.tcp_get("127.0.0.1", port), "no answer, %s", how)
                sink.wait_for(fail_rx % why, timeout=10)
                kept = state()
                for _ in range(5):
                    check(h.tcp_get("127.0.0.1", port), "no answer, %s",
                          how)
                check(state() == kept, "the state moved while %s", how)
                check(not os.path.exists(seen + "/audit.state.new"),
                      "a temporary file while %s", how)
                off()
                sink.wait_for(again_rx, timeout=10, count=n)
                check(h.poll_until(lambda: state() != kept, 5),
                      "saves did not resume after %s", how)
                check(len(sink.records(fail_rx % why)) == 1,
                      "%s: the failure logged %d times", how,
                      len(sink.records(fail_rx % why)))
            check(len(sink.records(again_rx)) == 2, "'saved again' %d "
                  "times", len(sink.records(again_rx)))
            # a stop while read-only: its save fails, the file keeps the
            # last position saved
            h.tcp_get("127.0.0.1", port)
            check(h.poll_until(lambda: int(state().split(":")[1]) >= 1, 5),
                  "no save")
            remount("ro")
            kept = state()
            h.tcp_get("127.0.0.1", port)
            d.stop()
        stop = sink.wait_for(r"^event=stop ")
        check(" epoch=%s " % epoch in stop.msg, "stop: %s", stop.msg)
        check(int(stop.msg.split(" seq=")[1].split()[0]) >
              int(kept.split(":")[1]), "the stop is not after %s", kept)
        check(state() == kept and kept.endswith(":run"), "the state after "
              "a stop that could not be saved: %s, want %s", state(), kept)
        check(sink.records(r"^audit state .*Read-only file system: the stop "
                           r"is not saved, the file keeps %s$" % kept),
              "the stop's failure not logged")
        remount("rw")
        with NsDaemon(ns, text) as d:
            h.tcp_get("127.0.0.1", port)
            d.stop()
        starts = sink.records(r"^event=start ")
        check(len(starts) == 2 and " prev=%s " % kept in starts[1].msg,
              "the next start names the last position saved (%s): %s",
              kept, starts[-1].msg)
        rc, _, err = inns("umount", sdir)
        check(rc == 0, "umount: %s", err)


FSYNC_SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "fsync_shim.so")


def fsync_env(**kw):
    """The environment for a Daemon whose directory fsyncs fail
    (fsync_shim.c, with its DT_FAIL_DIRFSYNC* variables in kw)."""
    if not os.path.exists(FSYNC_SHIM):
        raise h.Skip("%s not built (make check builds it)" % FSYNC_SHIM)
    return dict(os.environ, LD_PRELOAD=FSYNC_SHIM, **kw)


def verify_sink(af, sink):
    """daytimed-audit verify of what the sink received, as a log file."""
    lines = ["Dec  2 01:00:00 testhost daytimed[%d]: %s" % (r.pid, r.msg)
             for r in sink.records(lambda r: r.tag == "daytimed")]
    return af.verify(input=("\n".join(lines) + "\n").encode())


def state_of(af):
    with open(af.state) as f:
        return f.read().split()[1]


@test
def state_start_when_the_directory_fsync_fails():
    """The start's save renamed, then the directory's fsync failed: the
    file names the new epoch, so the start goes on with a warning (its
    start record is logged); failing it left the file naming an epoch that
    logged nothing, which the next start linked to and verify reported
    missing. The stop, renamed but not synced either, says what the file
    says."""
    with h.TempDir("dtk-") as tmp, h.SyslogSink() as sink:
        af = h.AuditFiles(tmp)
        port = h.free_port()
        text = h.daemon_conf(port, sink, "ident mode off\n" + af.settings,
                             "allow 127.0.0.0/8\n")
        with h.Daemon(text) as d:
            h.tcp_get("127.0.0.1", port)
            d.stop()
        first = state_of(af)
        with h.Daemon(text, env=fsync_env(DT_FAIL_DIRFSYNC="1")) as d:
            check(h.tcp_get("127.0.0.1", port), "no answer")
            d.stop()
        starts = sink.records(r"^event=start ")
        check(len(starts) == 2 and " prev=%s " % first in starts[1].msg,
              "the start names %s: %s", first, starts[-1].msg)
        epoch = starts[1].msg.split(" epoch=")[1].split()[0]
        warn = r"^audit state %s: cannot fsync the directory: " \
            r"Input/output error" % re.escape(af.state)
        check(sink.records(warn + r": the file says %s:0, but a crash may "
                           r"undo that; retried" % epoch),
              "the start's warning: %r", sink.records(r"^audit state"))
        stop = sink.wait_for(r"^event=stop ", count=2)[-1]
        seq = stop.msg.split(" seq=")[1].split()[0]
        check(state_of(af) == "%s:%s:stop" % (epoch, seq), "the state "
              "after the stop: %s", state_of(af))
        check(sink.records(warn + r": the file says %s:%s:stop, but a crash "
                           r"may undo that$" % (epoch, seq)),
              "the stop's warning: %r", sink.records(r"^audit state"))
        with h.Daemon(text) as d:
            h.tcp_get("127.0.0.1", port)
            d.stop()
        starts = sink.records(r"^event=start ")
        check(" prev=%s:%s:stop " % (epoch, seq) in starts[2].msg,
              "the next start: %s", starts[2].msg)
        sink.wait_for(r"^event=stop ", count=3)
        rc, out, err = verify_sink(af, sink)
        check(rc == 0 and "missing" not in out + err, "verify: %d %r %r",
              rc, out, err)


@test
def state_running_when_the_directory_fsync_fails():
    """Saves renamed while the directory's fsync fails: logged once with
    the position the file says (not the last durable one, as if the file
    kept it), and the stop likewise."""
    with h.TempDir("dtk-") as tmp, h.SyslogSink() as sink:
        af = h.AuditFiles(tmp)
        port = h.free_port()
        text = h.daemon_conf(port, sink, "ident mode off\n" + af.settings,
                             "allow 127.0.0.0/8\n")
        # the start's save and the writer's first (seq 0 again) work
        env = fsync_env(DT_FAIL_DIRFSYNC_AFTER="2")
        said = r"^audit state %s: cannot fsync the directory: " % \
            re.escape(af.state)
        with h.Daemon(text, env=env) as d:
            # saves come at most once a second while records are
            # written: records until one has failed (at most 15 s)
            warn = None
            for _ in range(75):
                h.tcp_get("127.0.0.1", port)
                try:
                    warn = sink.wait_for(said, timeout=0.2)
                    break
                except TimeoutError:
                    pass
            check(warn is not None, "no save failed: %r",
                  sink.records(r"^audit state"))
            d.stop()
        stop = sink.wait_for(r"^event=stop ")
        epoch = stop.msg.split(" epoch=")[1].split()[0]
        seq = stop.msg.split(" seq=")[1].split()[0]
        said = re.search(r": the file says %s:(\d+), but a crash may undo "
                         r"that; retried" % epoch, warn.msg)
        check(said and int(said.group(1)) >= 1, "the warning: %s", warn.msg)
        check(state_of(af) == "%s:%s:stop" % (epoch, seq), "the state "
              "after the stop: %s", state_of(af))
        msgs = [r.msg for r in sink.records(r"^audit state .*: cannot ")]
        check(len(msgs) == 2 and msgs[1].endswith(
            ": the file says %s:%s:stop, but a crash may undo that" %
            (epoch, seq)), "what was said: %r", msgs)


@test
def state_put_back_from_a_copy():
    """The state file replaced while running by a copy naming an earlier
    epoch (a backup put back): not written over, said once (a notice)
    and at the stop (not saved), and the next start names what the copy
    names."""
    with h.TempDir("dtk-") as tmp, h.SyslogSink() as sink:
        af = h.AuditFiles(tmp)
        port = h.free_port()
        text = h.daemon_conf(port, sink, "ident mode off\n" + af.settings,
                             "allow 127.0.0.0/8\n")
        with h.Daemon(text) as d:
            h.tcp_get("127.0.0.1", port)
            d.stop()
        copy = tmp.join("copy")
        shutil.copy2(af.state, copy)
        os.chown(copy, NOBODY, -1)
        old = state_of(af)
        with h.Daemon(text) as d:
            h.tcp_get("127.0.0.1", port)
            epoch = sink.wait_for(r"^event=start ", count=2)[-1].msg.split(
                " epoch=")[1].split()[0]
            check(h.poll_until(lambda: state_of(af).startswith(epoch) and
                               not state_of(af).endswith(":0:run"), 5),
                  "never saved: %s", state_of(af))
            os.rename(copy, af.state)
            for _ in range(4):
                h.tcp_get("127.0.0.1", port)
            said = sink.wait_for(r"^audit state .*another epoch", timeout=10)
            d.stop()
        sink.wait_for(r"^event=stop ", count=2)
        check(state_of(af) == old, "the copy written over: %s", state_of(af))
        check(said.severity == 5 and said.msg.startswith(
            "audit state %s: the file names another epoch (%s), not this "
            "one (%s): nothing more" % (af.state, old, epoch)),
            "the notice: %d %s", said.severity, said.msg)
        # the first start's note, the notice, and the stop's warning
        msgs = [r.msg for r in sink.records(r"^audit state ")]
        check(len(msgs) == 3 and msgs[2] == "audit state %s: the stop is "
              "not saved, the file names another epoch" % af.state,
              "said: %r", msgs)


@test
def rotated_files_of_one_epoch_clock_set_back():
    """One epoch's log rotated, then the host's clock set back an hour:
    the files are read by seq, not by the times of their first records
    (the later file's first record now looks an hour older)."""
    if h.asan_build():
        raise h.Skip("libfaketime and AddressSanitizer deadlock at start")
    try:
        from fakeclock import FakeClock
        tmp = h.TempDir("dtk-")
        clock = FakeClock(tmp.join("clock"))
    except RuntimeError as e:
        raise h.Skip(str(e))
    with tmp, h.SyslogSink() as sink:
        af = h.AuditFiles(tmp)
        port = h.free_port()
        # libfaketime opens its timestamp file, which seccomp refuses
        text = h.daemon_conf(port, sink, "ident mode off\nseccomp off\n" +
                             af.settings, "allow 127.0.0.0/8\n")
        with h.Daemon(text, env=clock.env()) as d:
            try:
                h.tcp_get("127.0.0.1", port)
                sink.wait_for(r"^conn=")
                n = len(sink.records())
                clock.shift(-3600)
                h.tcp_get("127.0.0.1", port)
                sink.wait_for(r"^conn=", count=2)
                d.stop()
            finally:
                clock.forget(d.pid)
        sink.wait_for(r"^event=stop ")
        lines = [r.raw + b"\n" for r in sink.records()]
        old = tmp.write("rot.1", b"".join(lines[:n]))
        new = tmp.write("rot.2", b"".join(lines[n:]))
        rc, out, err = af.verify(old, new)
        check(rc == 0 and "reading the files" not in out and
              "time goes back at seq" in out, "rotated, clock set back: "
              "%d\n%s", rc, out + err)
        rc, out, err = af.verify(new, old)
        check(rc == 0 and "reading the files oldest first: %s %s" %
              (old, new) in out, "named newest first: %d\n%s", rc,
              out + err)


@test
def backpressure_when_syslog_stalls():
    port = h.free_port()
    # the sink does not read until told: the daemon's queue fills, then it
    # stops taking requests rather than lose or grow. One loop: with two,
    # one may send records counted after the counters' snapshot before
    # the other sends the counters record (seen under ASan: 3327 records
    # before a snapshot of 3135), and the count below could not hold.
    with h.SyslogSink(rcvbuf=4096, drain=False) as sink, \
            h.Daemon(h.daemon_conf(port, sink,
                                   "ident mode off\nworkers 1\n",
                                   body="allow 127.0.0.0/8\n"),
                     ready="proc") as d, \
            h.udp_open(port, bind=("127.0.0.1", 0)) as c:
        cport = c.getsockname()[1]
        answers = 0
        silent_bursts = 0
        for burst in range(60):
            got = h.udp_burst(c, 200, 0.3)
            answers += got
            if got == 0:
                silent_bursts += 1
                if silent_bursts == 2:
                    break
        check(silent_bursts == 2, "never stalled: %d answers", answers)
        # TCP waits too, in the backlog, unanswered
        with h.tcp_open(port, timeout=0.5) as t:
            early = h.recv_or_none(t, 0.5)
            check(early is None, "answered while congested: %r", early)
            sink.drain()
            t.settimeout(10)
            data = t.recv(100)
            check(h.CTIME_RE.match(data), "not answered after the drain: %r",
                  data)
        d.signal(signal.SIGUSR1)
        counters = sink.wait_for(r"event=counters", timeout=10).kv()
        check(int(counters["backpressure"]) >= 1 and
              counters["log_lost"] == "0", "%r", counters)
        # every datagram the daemon took has its record: none lost
        # (the backlog in its socket is read after the counters, too; a
        # datagram counted just before the counters has its record soon
        # after them)
        def mine_now():
            return [r.msg for r in sink.records()
                    if "peer=127.0.0.1:%d " % cport in r.msg and
                    "decision=allow" in r.msg]
        h.poll_until(mine_now, 5,
                     done=lambda m: len(m) >= int(counters["udp"]))
        received = [r.msg for r in sink.records()]
        upto = next(i for i, r in enumerate(received)
                    if "event=counters" in r)
        before = [r for r in received[:upto]
                  if "peer=127.0.0.1:%d " % cport in r]
        mine = mine_now()
        ids = [r.split("conn=")[1][:16] for r in mine]
        check(len(set(ids)) == len(ids), "%d duplicate records",
              len(ids) - len(set(ids)))
        check(len(before) <= int(counters["udp"]) <= len(mine) and
              len(mine) >= answers, "%d records (%d before the "
              "counters), %s datagrams taken, %d answers seen",
              len(mine), len(before), counters["udp"], answers)


if __name__ == "__main__":
    h.main()
