# SPDX-License-Identifier: ISC
"""A private network namespace for a test that needs its own addresses.

enter() runs the calling script again under `unshare --net --mount`
(util-linux), so that it and every process it starts (the daemon,
rsyslogd, identd servers) live in namespaces of their own (a mount made
there, such as the soak's tmpfs, stays there: the new mount namespace's
propagation is private): its loopback is brought up,
and aliases() adds IPv6 addresses to it.  Nothing on the host's network
changes, ports such as 113 are free there, and the namespace ends with its
last process.  Needs root; a script that cannot have it should skip.
"""

import os
import subprocess
import sys

_MARK = "DT_NETNS"      # set in the environment once inside


def inside():
    """True when this process runs in the namespace enter() made."""
    return os.environ.get(_MARK) == str(os.getpid())


def enter():
    """Re-run this script in a new network and mount namespace; return
    only there.  The exec keeps the PID, which marks the namespace."""
    if inside():
        return
    os.environ[_MARK] = str(os.getpid())
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvp("unshare", ["unshare", "--net", "--mount", "--",
                          sys.executable, os.path.abspath(sys.argv[0])] +
              sys.argv[1:])


def up():
    """Bring the namespace's loopback up (127.0.0.0/8 and ::1)."""
    _ip(["link", "set", "lo", "up"])


def aliases(addrs):
    """Add each IPv6 address to lo, as a /128 without duplicate detection
    (usable at once)."""
    batch = "".join("addr add %s/128 dev lo nodad\n" % a for a in addrs)
    _ip(["-batch", "-"], batch)


def sysctl(name, value):
    """Set a per-namespace sysctl, e.g. ("net/unix/max_dgram_qlen", 512)."""
    with open("/proc/sys/" + name, "w") as f:
        f.write("%s\n" % value)


def _ip(args, stdin=None):
    r = subprocess.run(["ip"] + args, input=stdin, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    if r.returncode != 0:
        raise RuntimeError("ip %s: %s" % (" ".join(args), r.stderr.strip()))
