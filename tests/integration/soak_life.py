# SPDX-License-Identifier: ISC
"""The soak's faults in the daemon's own processes and its configuration
(soak_faults.py has those of the world around it): the monitor stopped in
the middle of a reload, the engine or the monitor killed, configurations
broken and mended in bursts, include files coming and going, and the audit
state's filesystem full or read-only.  Same contract as soak_faults.py.
"""

import errno
import fcntl
import os
import re
import signal
import threading
import time

import harness as h
import netns
import soak_faults as sf
import soak_load as sl

STOP_BOUND = 5.0        # seconds the survivor may take to notice and exit


def pidfile_state(path):
    """"gone", "unlocked" (stale: a start takes it over) or "locked", as a
    start judges: by the lock file beside the pidfile (daytimed(8))."""
    if not os.path.exists(path):
        return "gone"
    base = path[:-4] if path.endswith(".pid") and len(path) > 4 else path
    try:
        fd = os.open(base + ".lock", os.O_RDONLY)
    except FileNotFoundError:
        return "unlocked"
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return "unlocked"
    except BlockingIOError:
        return "locked"
    finally:
        os.close(fd)


# ---------------------------------------------------------------- processes

def monitor_stop_reload(S):
    """SIGSTOP the monitor, ask the engine for a reload (it waits on the
    monitor), SIGCONT.  Every other time the HUP goes to the stopped
    monitor instead, to be forwarded when it runs again."""
    st = S.stat("monitor stopped (SIGSTOP) during a reload",
                "the engine keeps answering while its reload waits; after "
                "SIGCONT the reload completes (result=ok) and takes effect")
    st.injected += 1
    d, eng = S.svc.d, S.svc.engine
    want = "B" if S.svc.current == "A" else "A"
    d.write_conf(S.svc.conf(want))
    via = ("engine", "monitor")[st.injected % 2]
    t = time.monotonic()
    os.kill(d.pid, signal.SIGSTOP)
    try:
        os.kill(eng if via == "engine" else d.pid, signal.SIGHUP)
        got = sf.probes(S, ("allow",), S.hold(2, 6), expect="allow")
        early = S.tail.find(r"^event=reload ", after=t, pid=eng)
    finally:
        os.kill(d.pid, signal.SIGCONT)
    rec = S.tail.wait(r"^event=reload ", after=t, pid=eng, timeout=15)
    result = rec[0][4].get("result") if rec else None
    st.check(answered(got) == len(got) and got, "%d of %d answered while "
             "the monitor was stopped", answered(got), len(got))
    st.check(not early, "a reload finished while the monitor was stopped: "
             "%r", early)
    if st.check(result == "ok", "reload after SIGCONT: %r", rec):
        S.svc.current = want
        S.reloader.verify()
    st.seen.append("HUP to the %s; %d probes answered while stopped; "
                   "reload %s %.1f s after SIGCONT" % (
                       via, len(got), result or "missing",
                       rec[0][0] - t if rec else -1))


def answered(entries):
    return sf.answered(entries)


def engine_kill(S):
    """SIGKILL the engine; the monitor must notice, say so and exit."""
    st = S.stat("engine killed (SIGKILL)",
                "the monitor logs it and exits 1 within %.0f s, the pidfile "
                "goes; a restart serves at once; only connections in "
                "flight at the kill lose their record" % STOP_BOUND)
    st.injected += 1
    d, eng = S.svc.d, S.svc.engine
    t = time.monotonic()
    S.ledger.window("kill", st, t0=t - 1.0).close(t + 0.2)
    w = S.ledger.window("outage", st)
    S.svc.gens[-1]["engine_killed"] = True
    os.kill(eng, signal.SIGKILL)
    rc = d.wait(STOP_BOUND)
    gone = time.monotonic() - t
    st.check(rc is not None and rc != 0, "monitor exit status %r", rc)
    said = S.tail.wait(r"engine", after=t, pid=d.pid, timeout=5)
    st.check(said, "the monitor logged nothing about the engine's end")
    pf = pidfile_state(S.pidfile)
    st.check(pf in ("gone", "unlocked"), "pidfile %s", pf)
    ready = S.svc.restart()
    w.close()
    st.seen.append("monitor exit %s after %.2f s, %s; pidfile %s; restart "
                   "ready in %.2f s" % (rc, gone, "logged" if said else
                                        "silent", pf, ready))


def monitor_kill(S):
    """SIGKILL the monitor; the engine must stop by itself."""
    st = S.stat("monitor killed (SIGKILL)",
                "the engine stops within %.0f s (its in-flight work "
                "recorded, event=stop), the pidfile is left unlocked; a "
                "restart serves at once" % STOP_BOUND)
    st.injected += 1
    d, eng = S.svc.d, S.svc.engine
    t = time.monotonic()
    stop = S.ledger.window("stop", st)
    w = S.ledger.window("outage", st)
    os.kill(d.pid, signal.SIGKILL)
    gone = h.poll_until(lambda: not h.pid_alive(eng), STOP_BOUND)
    stop.close()
    took = time.monotonic() - t
    st.check(gone, "the engine %d still runs %.0f s after its monitor died",
             eng, STOP_BOUND)
    said = S.tail.wait(r"^event=stop ", after=t, pid=eng, timeout=10)
    st.check(said, "no event=stop from the engine")
    d.wait(1)
    pf = pidfile_state(S.pidfile)
    st.check(pf in ("gone", "unlocked"), "pidfile %s", pf)
    ready = S.svc.restart()
    w.close()
    st.seen.append("engine gone after %.2f s, %s; pidfile %s; restart ready "
                   "in %.2f s" % (took, "event=stop logged" if said else
                                  "no stop record", pf, ready))


# ---------------------------------------------------------------- configuration

def config_burst(S):
    """Broken and good configurations in a burst of HUPs; the last good."""
    st = S.stat("configuration broken and mended in bursts",
                "each reload ends ok or failed (at err); the last file "
                "read wins; answers throughout")
    st.injected += 1
    n = int(S.hold(6, 12))
    t = time.monotonic()
    for i in range(n):
        which = S.rng.choice("AB")
        broken = sl.BROKEN[i % len(sl.BROKEN)] if i % 2 == 0 else None
        S.svc.d.write_conf(S.svc.conf(which, broken))
        S.svc.d.signal(signal.SIGHUP)
        time.sleep(0.05)
    final = "B" if S.svc.current == "A" else "A"
    S.svc.d.write_conf(S.svc.conf(final))
    t_final = time.monotonic()
    S.svc.d.signal(signal.SIGHUP)
    recs = quiet_reloads(S, t, t_final)
    results = [r[4].get("result") for r in recs]
    bad = [r for r in recs if r[4].get("result") not in ("ok", "failed") or
           (r[4].get("result") == "failed" and r[1] % 8 != 3)]
    st.check(not bad, "odd reload records: %r", bad[:3])
    st.check(results and results[-1] == "ok", "last reload %r", results[-1:])
    S.svc.current = final
    S.reloader.count(recs)
    S.reloader.verify()
    st.seen.append("%d HUPs in %.1f s: %d reloads, %d ok, %d failed"
                   % (n + 1, t_final - t, len(recs), results.count("ok"),
                      results.count("failed")))


def quiet_reloads(S, after, last_write, quiet=2.0, timeout=30.0):
    """The engine's reload records since after, once one that began after
    last_write has ended and none came for `quiet` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recs = S.tail.find(r"^event=reload ", after=after, pid=S.svc.engine)
        if recs and recs[-1][0] > last_write and \
                time.monotonic() - recs[-1][0] >= quiet:
            return recs
        time.sleep(0.2)
    return S.tail.find(r"^event=reload ", after=after, pid=S.svc.engine)


def include_churn(S):
    """Files appear in and vanish from the include directory."""
    st = S.stat("include directory churn",
                "a rule file that appears takes effect at the next reload "
                "and is gone after it vanishes; a broken one fails the "
                "reload and changes nothing; racing files never crash it")
    st.injected += 1
    inc = os.path.join(S.incdir, "inc.rules")
    bad = os.path.join(S.incdir, "bad.rules")
    steps = [("appears", lambda: write(inc, sl.INC_RULES), "ok", "allow"),
             ("vanishes", lambda: os.unlink(inc), "ok", "deny"),
             ("broken one", lambda: (write(bad, "allow 127.4.0.999\n"),
                                     write(inc, sl.INC_RULES)),
              "failed", "deny"),
             ("broken one gone", lambda: os.unlink(bad), "ok", "allow")]
    seen = []
    for name, act, result, decision in steps:
        act()
        got = S.reloader.hup_and_wait()
        e = sl.probe(S.load, S.rng.choice(sl.SOURCES["inc"]),
                     expect=decision)
        ok = st.check(got == result, "%s: reload %s, want %s", name, got,
                      result)
        ok &= st.check(e.outcome == "eof" and (
            bool(h.CTIME_RE.match(e.data or b"")) == (decision == "allow")),
            "%s: inc source got %r", name, e.data)
        seen.append(name + (" ok" if ok else " FAILED"))
    # a race: files flicker while reloads run
    stop = threading.Event()
    flicker = threading.Thread(target=flick, args=(S.incdir, stop))
    flicker.start()
    t = time.monotonic()
    try:
        for _ in range(int(S.hold(5, 20))):
            S.svc.d.signal(signal.SIGHUP)
            time.sleep(0.1)
    finally:
        stop.set()
        flicker.join()
    os.unlink(inc)
    t_last = time.monotonic()
    S.svc.d.signal(signal.SIGHUP)
    recs = quiet_reloads(S, t, t_last)
    results = [r[4].get("result") for r in recs]
    S.reloader.count(recs)
    st.check(results and results[-1] == "ok", "after the flicker: %r",
             results[-1:])
    e = sl.probe(S.load, S.rng.choice(sl.SOURCES["inc"]), expect="deny")
    st.check(not e.data, "inc source answered after its file went")
    seen.append("flicker: %d reloads (%d ok, %d failed)" % (
        len(recs), results.count("ok"), results.count("failed")))
    st.seen.append(", ".join(seen))


def write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.chmod(path + ".tmp", 0o644)
    os.rename(path + ".tmp", path)


def flick(incdir, stop):
    """Create and remove empty rule files until stop."""
    i = 0
    while not stop.is_set():
        path = os.path.join(incdir, "flicker-%d.rules" % (i % 3))
        if os.path.exists(path):
            os.unlink(path)
        else:
            write(path, "# nothing\n")
        i += 1
        time.sleep(0.01)
    for j in range(3):
        path = os.path.join(incdir, "flicker-%d.rules" % j)
        if os.path.exists(path):
            os.unlink(path)


# ---------------------------------------------------------------- audit state

STATE_FS_KB = 64        # the tmpfs the soak mounts on the state directory
STATE_BOUND = 10.0      # seconds for a save to fail, or to work again


def mount_state_fs(S, path):
    """A tiny tmpfs of the daemon's user on the audit state's directory
    (in the soak's own mount namespace: nothing reaches the host's); it
    is unmounted in S.cleanup whatever happens."""
    h.check(netns.inside(), "the state filesystem needs the soak's own "
            "mount namespace")
    r = h.run(["mount", "-t", "tmpfs", "-o", "size=%dk,mode=0700,uid=65534"
               % STATE_FS_KB, "daytimed-soak-state", path])
    h.check(r.returncode == 0, "mount tmpfs on %s: %s", path, r.stderr)
    S.cleanup.callback(h.run, ["umount", "-l", path])


def read_link(path):
    """The state file's (epoch, seq, "run"|"stop"), or None."""
    try:
        with open(path) as f:
            text = f.read()
        epoch, seq, how = text.split()[1].split(":")
        return epoch, int(seq), how
    except (OSError, IndexError, ValueError):
        return None


def remount(path, how):
    """mount -o remount,ro|rw; retried while busy (a save in flight has
    its temporary file open for writing), within STATE_BOUND."""
    rs = []
    ok = h.poll_until(lambda: rs.append(h.run(
        ["mount", "-o", "remount," + how, path])) or rs[-1].returncode == 0,
        STATE_BOUND)
    h.check(ok, "remount,%s %s: %s", how, path, rs[-1].stderr if rs else "")


def fill(path):
    """A filler file until ENOSPC; its path."""
    filler = os.path.join(path, "filler")
    block = b"f" * 4096
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(block)
        except OSError as e:
            h.check(e.errno == errno.ENOSPC, "filling %s: %s", path, e)
    return filler


def audit_state(S):
    """The audit state's filesystem (a tiny tmpfs) full, then read-only,
    each for a while under load, then usable again."""
    st = S.stat("audit state file: filesystem full or read-only",
                "answers and sealed records go on (in order, none "
                "missing); per episode the engine logs the failure once "
                "(file, errno, the position kept) and 'saved again' once "
                "after; meanwhile the file keeps its last saved seq and "
                "no temporary file stays; then saves resume (seq "
                "advances)")
    st.injected += 1
    d = os.path.dirname(S.audit.state)
    filler = []
    seen = []
    for name, on, off, err in (
            ("full", lambda: filler.append(fill(d)),
             lambda: os.unlink(filler.pop()), "No space left on device"),
            ("read-only", lambda: remount(d, "ro"),
             lambda: remount(d, "rw"), "Read-only file system")):
        seen.append(state_episode(S, st, name, on, off, err))
    st.seen.append("; ".join(seen))


def state_episode(S, st, name, on, off, err):
    """One episode: on() breaks saving, off() mends it; the checks."""
    eng, path = S.svc.engine, S.audit.state
    fail_rx = r"^audit state %s: cannot .*: %s; retried" % (
        re.escape(path), err)
    again_rx = r"^audit state %s: saved again \(" % re.escape(path)
    order = {k: S.tail.order[k] for k in ("in order", "gap", "back")}
    t = time.monotonic()
    on()
    try:
        said = S.tail.wait(fail_rx, after=t, pid=eng, timeout=STATE_BOUND)
        kept = read_link(path)
        got = sf.probes(S, ("allow",), S.hold(3, 20), expect="allow")
        still = read_link(path)
        tmp = os.path.exists(path + ".new")
    finally:
        off()
    t_off = time.monotonic()
    again = S.tail.wait(again_rx, after=t_off, pid=eng, timeout=STATE_BOUND)
    resumed = h.poll_until(lambda: (read_link(path) or ("", -1, ""))[1] >
                           (kept or ("", -1, ""))[1], STATE_BOUND)
    after = read_link(path)
    S.tail.caught_up(10)
    fails = S.tail.find(fail_rx, after=t, pid=eng)
    agains = S.tail.find(again_rx, after=t, pid=eng)
    sealed = S.tail.order["in order"] - order["in order"]
    epoch = S.svc.gens[-1].get("epoch")
    checks = [
        (said, "no failure logged within %.0f s" % STATE_BOUND),
        (len(fails) == 1, "the failure logged %d times" % len(fails)),
        (kept is not None and kept == still and kept[0] == (epoch or
                                                            kept[0]),
         "the state moved while failing: %r then %r" % (kept, still)),
        (not said or kept is None or "keeps %s:%d," % kept[:2] in
         said[0][3], "the message does not name the position the file "
         "keeps (%r): %r" % (kept, said[:1])),
        (not tmp, "a temporary file stayed"),
        (got and sf.answered(got) == len(got), "%d of %d probes answered"
         % (sf.answered(got), len(got))),
        (sealed > 0 and S.tail.order["gap"] == order["gap"] and
         S.tail.order["back"] == order["back"], "sealed records %d, gaps "
         "+%d, back +%d" % (sealed, S.tail.order["gap"] - order["gap"],
                            S.tail.order["back"] - order["back"])),
        (again and len(agains) == 1, "'saved again' logged %d times"
         % len(agains)),
        (resumed and after and kept and after[0] == kept[0],
         "saves did not resume: %r after %r" % (after, kept)),
    ]
    ok = all([bool(st.check(bool(c), "%s: %s", name, text))
              for c, text in checks])
    return "%s: failure logged %d, kept seq %s, %d probes answered, %d "\
        "records sealed; saved again %.2f s after, seq %s%s" % (
            name, len(fails), kept[1] if kept else "?", sf.answered(got),
            sealed, again[0][0] - t_off if again else -1,
            after[1] if after else "?", "" if ok else " FAILED")
