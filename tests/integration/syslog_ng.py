# SPDX-License-Identifier: ISC
"""A private, real syslog-ng for the integration tests.

Debian's syslog-ng-core conflicts with rsyslog, which the other tests
need, so it is not installed: its package (and the libraries it needs
that this system lacks) is fetched with `apt-get download` and unpacked
with `dpkg-deb -x` by harness.unpacked_deb (kept under its UNPACK_DIR),
once; then run from there with a private configuration, LD_LIBRARY_PATH
pointing at the unpacked libraries. When
the download cannot be done (no network, no apt lists), the test that
wants it is skipped, with the reason (under CI, where .ci/run fetches it
first, it fails). A syslog-ng on PATH is used as is.
"""

import os
import shutil
import subprocess

import harness as h

# The libraries syslog-ng-core needs that this system may lack.
LIBS = (("libivykis0", "libivykis.so.0"), ("libnet1", "libnet.so.1"))
ARCH_LIB = "usr/lib/x86_64-linux-gnu"


def _unpacked():
    """(exe, module dir, library path) of an unpacked syslog-ng, fetched
    on first use by harness.unpacked_deb; Skip when it cannot be had."""
    exe = h.unpacked_deb("syslog-ng-core", "usr/sbin/syslog-ng")
    root = exe[:-len("usr/sbin/syslog-ng")]
    libs = [os.path.join(root, "usr", "lib", "syslog-ng"),
            os.path.join(root, ARCH_LIB)]
    for pkg, lib in LIBS:
        libs.append(os.path.dirname(h.unpacked_deb(pkg, ARCH_LIB + "/" +
                                                   lib)))
    mods = os.path.join(root, "usr", "lib", "syslog-ng")
    vers = sorted(d for d in os.listdir(mods) if d[:1].isdigit())
    if not vers:
        raise h.missing("syslog-ng: no module directory in %s" % mods)
    return exe, os.path.join(mods, vers[-1]), ":".join(libs)


def find():
    """(exe, module path or None, environment) for a usable syslog-ng."""
    exe = shutil.which("syslog-ng")
    if exe is not None:
        return exe, None, None
    exe, modpath, libpath = _unpacked()
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = libpath
    r = subprocess.run([exe, "--version"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    if r.returncode != 0:
        raise h.missing("syslog-ng unpacked in %s does not run: %s"
                     % (exe, r.stdout.decode("utf-8", "replace")[:300]))
    return exe, modpath, env


class SyslogNg(h._Started):
    """A private syslog-ng: its socket (self.path, also self.sock) for
    `syslog socket`; self.file written in its default (traditional) file
    layout, self.file5424 with flags(syslog-protocol), RFC 5424 with
    structured data; stopped by its PID.  stream: the socket is a
    unix-stream() one (LF-framed messages), not unix-dgram().  kill() and
    start() take it away and bring it back (the files are appended to)."""

    def __init__(self, stream=False):
        exe, modpath, env = find()
        self._tmp = h.TempDir("dtn-")
        os.chmod(self._tmp.path, 0o755)
        self.dir = self._tmp.path
        self.path = self.sock = self._tmp.join("log")
        self.file = self._tmp.join("messages")
        self.file5424 = self._tmp.join("messages-5424")
        conf = self._tmp.write("syslog-ng.conf", (
            "@version: 3.38\n"
            "options { chain-hostnames(no); use-dns(no); stats-freq(0); "
            "log-msg-size(65536); };\n"
            "source s { %s(\"%s\" perm(0666)); };\n"
            "destination trad { file(\"%s\"); };\n"
            "destination p5424 { file(\"%s\" flags(syslog-protocol)); };\n"
            "log { source(s); destination(trad); destination(p5424); };\n"
            % ("unix-stream" if stream else "unix-dgram", self.path,
               self.file, self.file5424)))
        self._argv = [exe, "-F", "-f", conf, "-R", self._tmp.join("persist"),
                      "-p", self._tmp.join("pid"), "-c",
                      self._tmp.join("ctl")]
        if modpath is not None:
            self._argv.append("--module-path=" + modpath)
        self._env = env
        self.proc = None
        self.start()

    def start(self):
        """Start syslog-ng (again): ready once its socket exists."""
        if os.path.exists(self.path):
            os.unlink(self.path)    # a killed one leaves it behind
        self.proc = subprocess.Popen(
            self._argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True, env=self._env)
        if not h.poll_until(lambda: os.path.exists(self.path) or
                            self.proc.poll() is not None, 10) or \
                not os.path.exists(self.path):
            self.close()
            raise AssertionError("syslog-ng did not start: %r"
                                 % self.proc.stderr.read())
        return self

    def kill(self):
        """End it with SIGKILL and reap it; start() brings it back."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 9)
            self.proc.wait(10)

    def text(self, path=None):
        return h.file_text(path or self.file)

    def wait_for(self, needle, timeout=10, path=None, count=1):
        if not h.poll_until(lambda: self.text(path).count(needle) >= count,
                            timeout):
            raise AssertionError("%r (x%d) not in %s:\n%s"
                                 % (needle, count, path or self.file,
                                    self.text(path)[-2000:]))

    def close(self):
        h._Started.close(self)
        self._tmp.close()
