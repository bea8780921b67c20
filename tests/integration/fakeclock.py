# SPDX-License-Identifier: ISC
"""A wall clock of its own for one process tree: Debian's libfaketime.

    clock = FakeClock(path, jail=None)
    Daemon(conf, env=clock.env())       # the daemon sees the shifted time
    clock.shift(86400)                  # a day ahead, at once
    clock.shift(-3600)                  # an hour behind real time

The offset lives in a timestamp file (FAKETIME_TIMESTAMP_FILE) that the
preloaded library re-reads on every call (FAKETIME_NO_CACHE): its cache
(FAKETIME_CACHE_DURATION) was seen to miss steps in a running
multi-threaded daemon.  Only the wall clock moves: CLOCK_MONOTONIC is left
alone (FAKETIME_DONT_FAKE_MONOTONIC), so a program that times its limits
and timeouts on it should not notice a step.  The file is rewritten in
place, always the same length, so a reader never sees it empty.  With
jail (a chroot directory) the file is also hard-linked at the same path
inside it, where a chrooted process reads it.  The machine's clock never
changes.  libfaketime leaves its shared memory behind when a process is
killed: forget(pid) removes it.  A program built with AddressSanitizer
hangs at start under libfaketime: do not use it there.
"""

import glob
import os

_LIBS = "/usr/lib/*/faketime/libfaketimeMT.so.1"


def library():
    """The thread-safe libfaketime, or None when it is not installed
    (apt-get install faketime)."""
    found = sorted(glob.glob(_LIBS))
    return found[0] if found else None


class FakeClock:
    """The timestamp file, the environment that preloads the library, and
    the steps."""

    def __init__(self, path, jail=None):
        self.lib = library()
        if self.lib is None:
            raise RuntimeError("libfaketime is not installed")
        self.path = path
        self.offset = 0
        self._write()
        os.chmod(path, 0o644)
        if jail is not None:
            mirror = os.path.join(jail, path.lstrip("/"))
            os.makedirs(os.path.dirname(mirror), mode=0o755, exist_ok=True)
            if os.path.exists(mirror):
                os.unlink(mirror)
            os.link(path, mirror)

    def env(self, base=None):
        """base (default os.environ) with the library preloaded."""
        env = dict(os.environ if base is None else base)
        env.update({"LD_PRELOAD": self.lib,
                    "FAKETIME_TIMESTAMP_FILE": self.path,
                    "FAKETIME_NO_CACHE": "1",
                    "FAKETIME_DONT_FAKE_MONOTONIC": "1"})
        return env

    def shift(self, seconds):
        """From now on the process sees real time + seconds."""
        self.offset = int(seconds)
        self._write()

    def _write(self):
        text = ("%+015d\n" % self.offset).encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.pwrite(fd, text, 0)
        finally:
            os.close(fd)

    @staticmethod
    def forget(pid):
        """Remove what libfaketime left in /dev/shm for process pid."""
        for name in ("faketime_shm_%d" % pid, "sem.faketime_sem_%d" % pid):
            try:
                os.unlink(os.path.join("/dev/shm", name))
            except OSError:
                pass
