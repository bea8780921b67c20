# SPDX-License-Identifier: ISC
"""A private rsyslogd for the integration tests: its own socket, its own
files, no rate limits, started and stopped by its own PID.  The host's
syslog is never involved."""

import os
import shutil
import subprocess
import tempfile
import time

import harness as h


class Rsyslog:
    """rsyslogd -n on DIR/log, writing every message to DIR/messages.

    include: a file (or glob) of rsyslog configuration read before the
    catch-all rule, as Debian's rsyslog.conf reads /etc/rsyslog.d/*.conf
    ("@DIR@" stands for the private directory); prepare(dir) is called
    before the start, to write it there.  Skips the test when rsyslogd is
    not installed.
    """

    def __init__(self, include=None, prepare=None):
        exe = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
        if not os.path.exists(exe):
            raise h.Skip("rsyslogd is not installed (apt-get install rsyslog)")
        self.dir = tempfile.mkdtemp(prefix="dtr-", dir="/tmp")
        os.chmod(self.dir, 0o755)
        self.sock = os.path.join(self.dir, "log")
        self.file = os.path.join(self.dir, "messages")
        self.pidfile = os.path.join(self.dir, "pid")
        if prepare is not None:
            prepare(self.dir)
        conf = os.path.join(self.dir, "rsyslog.conf")
        with open(conf, "w") as f:
            f.write('global(workDirectory="%s")\n'
                    'module(load="imuxsock" SysSock.Use="off")\n'
                    'input(type="imuxsock" Socket="%s" RateLimit.Interval="0")\n'
                    % (self.dir, self.sock))
            if include is not None:
                f.write("$IncludeConfig %s\n"
                        % include.replace("@DIR@", self.dir))
            f.write('*.* action(type="omfile" file="%s" '
                    'template="RSYSLOG_TraditionalFileFormat")\n' % self.file)
        self.proc = subprocess.Popen(
            [exe, "-n", "-f", conf, "-i", self.pidfile],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                if self.proc.poll() is None:
                    self.proc.kill()
                err = self.proc.stderr.read()
                self.close()
                raise AssertionError("rsyslogd did not start: %r" % err)
            time.sleep(0.02)
        os.chmod(self.sock, 0o666)

    def text(self, path=None):
        """The contents of path (default: the catch-all file), or ""."""
        try:
            with open(path or self.file, "rb") as f:
                return f.read().decode("utf-8", "backslashreplace")
        except OSError:
            return ""

    def wait_for(self, needle, timeout=10, path=None):
        deadline = time.monotonic() + timeout
        while needle not in self.text(path):
            if time.monotonic() > deadline:
                raise AssertionError("%r not in %s:\n%s"
                                     % (needle, path or self.file,
                                        self.text(path)[-2000:]))
            time.sleep(0.02)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)
