#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The `daytime` client alone, against tiny in-process servers on loopback.

Each server is a thread owning one listening socket; it serves a fixed
behaviour (answer, close, stay silent, flood, hostile bytes) and stops
with the test.
Run: DAYTIME=/path/to/daytime python3 tests/integration/test_client.py
"""

import os
import shutil
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, run_client, test  # noqa: E402

ANSWER = b"Thu Nov 26 10:32:52 2026\r\n"
SHOWN = b"Thu Nov 26 10:32:52 2026\n"      # as printed without -r
# A hostile answer: set the terminal's title, clear the screen, ring.
HOSTILE = b"\x1b]0;pwned\x07\x1b[2J" + ANSWER


def shown(raw):
    """What daytime prints for raw without -r: the trailing CRs and LFs
    dropped, every byte outside printable ASCII and the backslash and
    quotes as \\xHH (record_escape_show, as daytimed's messages), then one
    LF."""
    body = raw.rstrip(b"\r\n")
    out = bytearray()
    for c in body:
        if 0x20 <= c < 0x7f and c not in b"\\\"'":
            out.append(c)
        else:
            out += b"\\x%02x" % c
    return bytes(out) + b"\n"


class Server(harness.Closing):
    """One loopback TCP or UDP server in a thread, bounded by a stop flag.

    behaviour(conn_or_sock, peer) runs per TCP connection / UDP datagram.
    For UDP, behaviour returns the bytes to send back (or None: silence).
    """

    def __init__(self, proto, host, behaviour, port=None):
        self.proto = proto
        self.host = host
        self.behaviour = behaviour
        self.hits = 0
        self.received = []
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        typ = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        self.sock = socket.socket(fam, typ)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.port = port or harness.free_port(proto, host)
        self.sock.bind((host, self.port))
        if proto == "tcp":
            self.sock.listen(8)
        self.sock.settimeout(0.1)
        self._stop = False
        self._conns = []
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                if self.proto == "tcp":
                    conn, peer = self.sock.accept()
                    self.hits += 1
                    self._conns.append(conn)
                    conn.settimeout(5.0)
                    try:
                        self.behaviour(conn, peer)
                    except OSError:
                        pass
                else:
                    data, peer = self.sock.recvfrom(65536)
                    self.hits += 1
                    self.received.append(data)
                    reply = self.behaviour(data, peer)
                    if reply is not None:
                        self.sock.sendto(reply, peer)
            except socket.timeout:
                continue
            except OSError:
                if self._stop:
                    return
                continue

    def close(self):
        self._stop = True
        self._thread.join(5.0)
        for c in self._conns:
            c.close()
        self.sock.close()


def answer_and_close(conn, peer):
    conn.sendall(ANSWER)
    conn.close()


def close_at_once(conn, peer):
    conn.close()


def stay_silent(conn, peer):
    """Hold the connection open and quiet; the test's end closes it."""


def flood(conn, peer):
    """Send 1 MB (or until the client goes away), then close."""
    chunk = b"x" * 65536
    conn.settimeout(5.0)
    try:
        for _ in range(16):
            conn.sendall(chunk)
    except OSError:
        pass
    conn.close()


def expect(r, rc, stdout=None):
    check(r.returncode == rc, "exit %r, wanted %d: %r", r.returncode, rc, r)
    if stdout is not None:
        check(r.stdout == stdout, "stdout %r, wanted %r", r.stdout, stdout)


# ---------------------------------------------------------------- TCP

def sender(data):
    """A TCP behaviour: send data, then close."""
    def send(conn, peer):
        conn.sendall(data)
        conn.close()
    return send


@test
def tcp_answer_printed_as_a_line():
    with Server("tcp", "127.0.0.1", answer_and_close) as s:
        r = run_client(["-p", s.port, "127.0.0.1"])
    expect(r, 0, SHOWN)
    check(r.stderr == b"", "stderr not empty: %r", r.stderr)


@test
def tcp_raw_answer_printed_exactly():
    with Server("tcp", "127.0.0.1", answer_and_close) as s:
        r = run_client(["-r", "-p", s.port, "127.0.0.1"])
        r2 = run_client(["--raw", "-p", s.port, "127.0.0.1"])
    expect(r, 0, ANSWER)
    expect(r2, 0, ANSWER)


@test
def tcp_control_bytes_escaped():
    """A hostile server's escape sequences never reach the terminal."""
    with Server("tcp", "127.0.0.1", sender(HOSTILE)) as s:
        r = run_client(["-p", s.port, "127.0.0.1"])
    expect(r, 0, b"\\x1b]0;pwned\\x07\\x1b[2JThu Nov 26 10:32:52 2026\n")
    check(b"\x1b" not in r.stdout + r.stderr and b"\x07" not in r.stdout,
          "raw control bytes written: %r %r", r.stdout, r.stderr)


@test
def tcp_control_bytes_raw_with_r():
    with Server("tcp", "127.0.0.1", sender(HOSTILE)) as s:
        r = run_client(["-r", "-p", s.port, "127.0.0.1"])
    expect(r, 0, HOSTILE)


@test
def tcp_every_byte_escaped_or_raw():
    raw = bytes(range(256))
    with Server("tcp", "127.0.0.1", sender(raw)) as s:
        r = run_client(["-p", s.port, "-4", "127.0.0.1"])
        rr = run_client(["-r", "-p", s.port, "-4", "127.0.0.1"])
    expect(r, 0, shown(raw))
    check(all(0x20 <= c < 0x7f for c in r.stdout[:-1]),
          "unescaped bytes: %r", r.stdout)
    check(b"\\x0d\\x0e" in r.stdout and b"\\x5c" in r.stdout and
          b"\\xff" in r.stdout, "escapes: %r", r.stdout)
    expect(rr, 0, raw)


@test
def tcp_line_endings_stripped():
    """Only the line end goes: a CR or LF inside the answer is escaped."""
    cases = [(b"Thu\n", b"Thu\n"), (b"Thu\r\r\n", b"Thu\n"),
             (b"Thu", b"Thu\n"), (b"a\rb\nc\r\n", b"a\\x0db\\x0ac\n"),
             (b"\r\n", b"\n")]
    for data, want in cases:
        with Server("tcp", "127.0.0.1", sender(data)) as s:
            r = run_client(["-p", s.port, "127.0.0.1"])
        expect(r, 0, want)


@test
def tcp_answer_ipv6():
    harness.need_ipv6()
    with Server("tcp", "::1", answer_and_close) as s:
        r = run_client(["-6", "-p", s.port, "::1"])
    expect(r, 0, SHOWN)


@test
def tcp_closed_without_data():
    with Server("tcp", "127.0.0.1", close_at_once) as s:
        r = run_client(["-p", s.port, "127.0.0.1"])
        check(s.hits == 1, "server saw %d connections", s.hits)
    expect(r, 1, b"")
    check(b"daytime: " in r.stderr, "no diagnostic: %r", r.stderr)


@test
def tcp_refused():
    port = harness.free_port("tcp", "127.0.0.1")  # bindable, so nobody listens
    r = run_client(["-w", "2", "-p", port, "127.0.0.1"])
    expect(r, 1, b"")
    check(b"daytime: " in r.stderr and b"refused" in r.stderr.lower(),
          "stderr %r", r.stderr)


@test(timeout=60)
def a_name_lookup_bounded_by_the_deadline():
    """A resolver that never answers: the lookup gives up at -w, says so,
    and the next host is asked (glibc 2.36's gai_suspend returns
    EAI_SYSTEM on a timeout, which was once read as a failure of its own:
    'Success', and the request left running on a stack frame that was
    gone). A resolv.conf of the test's own, in a mount namespace."""
    harness.need_root("a mount namespace and port 53 need root")
    if shutil.which("unshare") is None:
        raise harness.Skip("unshare is not installed")
    with harness.TempDir("dtcl-") as t, \
            Server("udp", "127.0.0.77", lambda data, peer: None,
                   port=53) as dns, \
            Server("tcp", "127.0.0.1", answer_and_close) as s:
        resolv = t.write("resolv.conf", "nameserver 127.0.0.77\n"
                         "options timeout:5 attempts:1\n")
        r = harness.run(["unshare", "-m", "sh", "-c",
                         'mount --bind "$1" /etc/resolv.conf && shift && '
                         'exec "$@"', "sh", resolv, harness.DAYTIME,
                         "-w", "1", "-p", str(s.port), "slow.invalid-dt",
                         "127.0.0.1"], timeout=20)
        check(dns.hits >= 1, "the resolver was not asked")
    err = r.stderr.decode()
    check(err == "daytime: slow.invalid-dt: name lookup timed out\n",
          "stderr %r", err)
    check(r.stdout == b"127.0.0.1: " + shown(ANSWER), "the next host's "
          "answer: %r", r.stdout)
    check(r.elapsed < 5.0, "deadline not kept: %.3f s", r.elapsed)


@test
def tcp_silent_server_times_out():
    with Server("tcp", "127.0.0.1", stay_silent) as s:
        r = run_client(["-w", "0.5", "-p", s.port, "127.0.0.1"])
    expect(r, 1, b"")
    check(r.elapsed >= 0.45, "gave up too early: %.3f s", r.elapsed)
    check(r.elapsed < 3.0, "deadline not kept: %.3f s", r.elapsed)


@test
def tcp_partial_answer_then_stall_prints_it():
    done = threading.Event()

    def half(conn, peer):
        conn.sendall(b"Thu Nov 26")
        done.wait(5.0)  # stall, connection open, until the client is done
    with Server("tcp", "127.0.0.1", half) as s:
        try:
            r = run_client(["-w", "0.5", "-p", s.port, "127.0.0.1"])
        finally:
            done.set()
    expect(r, 0, b"Thu Nov 26\n")
    check(r.elapsed < 3.0, "deadline not kept: %.3f s", r.elapsed)


@test
def tcp_flood_stops_at_cap():
    with Server("tcp", "127.0.0.1", flood) as s:
        r = run_client(["-r", "-w", "5", "-p", s.port, "127.0.0.1"])
        r2 = run_client(["-w", "5", "-p", s.port, "127.0.0.1"])
    expect(r, 0)
    check(len(r.stdout) == 1024, "printed %d bytes, wanted the 1024 cap",
          len(r.stdout))
    check(r.stdout == b"x" * 1024, "bytes altered")
    check(r.elapsed < 3.0, "took %.3f s", r.elapsed)
    expect(r2, 0, b"x" * 1024 + b"\n")


@test
def tcp_name_localhost():
    with Server("tcp", "127.0.0.1", answer_and_close) as s:
        r = run_client(["-4", "-p", s.port, "localhost"])
    expect(r, 0, SHOWN)


# ---------------------------------------------------------------- UDP

@test
def udp_answer_ipv4():
    with Server("udp", "127.0.0.1", lambda d, p: ANSWER) as s:
        r = run_client(["-u", "-4", "-p", s.port, "127.0.0.1"])
        received = list(s.received)
    expect(r, 0, SHOWN)
    # Documented choice: one empty datagram (RFC 867: its data is ignored).
    check(received == [b""], "client sent %r", received)


@test
def udp_answer_ipv6():
    harness.need_ipv6()
    with Server("udp", "::1", lambda d, p: ANSWER) as s:
        r = run_client(["-u", "-6", "-p", s.port, "::1"])
    expect(r, 0, SHOWN)


@test
def udp_silent_server_times_out():
    with Server("udp", "127.0.0.1", lambda d, p: None) as s:
        r = run_client(["-u", "-w", "0.5", "-p", s.port, "127.0.0.1"])
        check(s.hits == 1, "server saw %d datagrams", s.hits)
    expect(r, 1, b"")
    check(0.45 <= r.elapsed < 3.0, "elapsed %.3f s", r.elapsed)


@test
def udp_refused():
    port = harness.free_port("udp", "127.0.0.1")
    r = run_client(["-u", "-w", "2", "-p", port, "127.0.0.1"])
    expect(r, 1, b"")
    check(r.elapsed < 1.5, "ICMP refusal not noticed: %.3f s", r.elapsed)


@test
def udp_reply_from_other_address_ignored():
    """Only the server's own address is heard: a third party's datagram,
    sent to the client's port, is not printed."""
    intruder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        intruder.bind(("127.0.0.1", 0))

        def spoofed(data, peer):
            intruder.sendto(b"FORGED\r\n", peer)
            return None  # the real server stays silent
        with Server("udp", "127.0.0.1", spoofed) as s:
            r = run_client(["-u", "-w", "0.5", "-p", s.port, "127.0.0.1"])
    finally:
        intruder.close()
    expect(r, 1, b"")


@test
def udp_truncates_at_cap():
    with Server("udp", "127.0.0.1", lambda d, p: b"y" * 4000) as s:
        r = run_client(["-u", "-p", s.port, "127.0.0.1"])
        rr = run_client(["-u", "-r", "-p", s.port, "127.0.0.1"])
    expect(r, 0, b"y" * 1024 + b"\n")
    expect(rr, 0, b"y" * 1024)


@test
def udp_control_bytes_escaped():
    with Server("udp", "127.0.0.1", lambda d, p: HOSTILE) as s:
        r = run_client(["-u", "-p", s.port, "127.0.0.1"])
        rr = run_client(["-u", "-r", "-p", s.port, "127.0.0.1"])
    expect(r, 0, b"\\x1b]0;pwned\\x07\\x1b[2JThu Nov 26 10:32:52 2026\n")
    expect(rr, 0, HOSTILE)


# ---------------------------------------------------------------- ports

@test
def positional_port():
    with Server("tcp", "127.0.0.1", answer_and_close) as s:
        r = run_client(["127.0.0.1", s.port])
    expect(r, 0, SHOWN)
    with Server("udp", "127.0.0.1", lambda d, p: ANSWER) as s:
        r = run_client(["-u", "127.0.0.1", s.port])
    expect(r, 0, SHOWN)


def bindable_service():
    """(name, port) of a TCP service in the services database whose port
    can be bound on 127.0.0.1 now (above 1024), or Skip."""
    try:
        with open("/etc/services") as f:
            lines = f.read().splitlines()
    except OSError:
        raise harness.Skip("no /etc/services")
    for line in lines:
        fields = line.split("#")[0].split()
        if len(fields) < 2 or not fields[1].endswith("/tcp"):
            continue
        try:
            port = int(fields[1].split("/")[0])
            if port <= 1024 or socket.getservbyname(fields[0], "tcp") != port:
                continue
            with socket.socket() as t:
                t.bind(("127.0.0.1", port))
            return fields[0], port
        except OSError:
            continue
    raise harness.Skip("no bindable service in /etc/services")


@test
def service_names():
    name, port = bindable_service()
    with Server("tcp", "127.0.0.1", answer_and_close, port=port) as s:
        r = run_client(["127.0.0.1", name])
        r2 = run_client(["-p", name, "127.0.0.1"])
        r3 = run_client(["--port=%s" % name, "127.0.0.1"])
    for x in (r, r2, r3):
        expect(x, 0, SHOWN)
    # "daytime" is port 13: whatever answers there, the diagnostics or the
    # answer say the client went to 13.
    try:
        want = socket.getservbyname("daytime", "tcp")
    except OSError:
        raise harness.Skip("no daytime service in the services database")
    check(want == 13, "daytime service is %d", want)
    # in a network namespace of its own (nothing listens there), port 13
    # of its loopback refuses: the one line says where the client went
    harness.need_root("a network namespace (unshare --net) needs root")
    r = harness.run(["unshare", "--net", "--", "sh", "-c",
                     'ip link set lo up && exec "$0" "$@"', harness.DAYTIME,
                     "-w", "2", "-p", "daytime", "127.0.0.1"], timeout=10)
    check(r.returncode == 1 and r.stdout == b"" and r.stderr ==
          b"daytime: 127.0.0.1:13: Connection refused\n", "%r", r)


# ---------------------------------------------------------------- hosts

@test
def several_hosts_one_line_each():
    port = harness.free_port("tcp", ["127.0.0.1", "127.0.0.2"])
    a = b"Thu Nov 26 10:32:52 2026\r\n"
    b = b"Thu Nov 26 10:32:53 2026\r\n"
    with Server("tcp", "127.0.0.1", sender(a), port=port), \
            Server("tcp", "127.0.0.2", sender(b), port=port):
        r = run_client(["-p", port, "127.0.0.1", "127.0.0.2"])
        expect(r, 0, b"127.0.0.1: Thu Nov 26 10:32:52 2026\n"
                     b"127.0.0.2: Thu Nov 26 10:32:53 2026\n")
        # one that does not answer, in the middle: the others still print,
        # in order, and the exit status says not every host answered
        r = run_client(["-w", "2", "-p", port, "127.0.0.1", "127.0.0.3",
                        "127.0.0.2"])
        expect(r, 1, b"127.0.0.1: Thu Nov 26 10:32:52 2026\n"
                     b"127.0.0.2: Thu Nov 26 10:32:53 2026\n")
        check(b"127.0.0.3:%d: " % port in r.stderr, "stderr %r", r.stderr)
        r = run_client(["-r", "-p", port, "127.0.0.1", "127.0.0.2"])
        expect(r, 0, b"127.0.0.1: " + a + b"127.0.0.2: " + b)
        # three operands: never a port, all hosts; digits alone are no
        # host (the resolver's 0.0.x.y), a usage error naming them
        r = run_client(["-w", "2", "127.0.0.1", "127.0.0.2", str(port)])
    check(r.returncode == 2 and r.stdout == b"" and r.stderr.startswith(
        b"daytime: '%d' is not a host; with several hosts, give the port "
        b"with -p\n" % port), "%r", r)


# ---------------------------------------------------------------- usage

@test
def usage_errors_exit_2():
    cases = [
        [],                              # missing HOST
        ["-x", "127.0.0.1"],             # bad flag
        ["-4", "-6", "127.0.0.1"],       # both families
        ["-p", "abc", "127.0.0.1"],      # bad port
        ["-p", "", "127.0.0.1"],
        ["-p", "-1", "127.0.0.1"],
        ["-p", "0x10", "127.0.0.1"],
        ["-w", "abc", "127.0.0.1"],
        ["-w", "0", "127.0.0.1"],        # below 0.001
        ["-w", "0.0009", "127.0.0.1"],
        ["-w", "3600.001", "127.0.0.1"],
        ["-w", "1e3", "127.0.0.1"],
        ["-w", "-1", "127.0.0.1"],
        ["-w", "1.", "127.0.0.1"],
        ["-w", "0.1234567891", "127.0.0.1"],  # more than 9 decimals
        ["-w", "99999999999999999999", "127.0.0.1"],
        ["-p"],                          # missing value
        ["--port"],
        ["-p", "no-such-service", "127.0.0.1"],
        ["--bogus", "127.0.0.1"],
        [""],
        ["127.0.0.1", ""],
    ]
    for args in cases:
        r = run_client(args)
        check(r.returncode == 2, "%r: exit %r (%r)", args, r.returncode, r.stderr)
        check(r.stdout == b"", "%r: stdout %r", args, r.stdout)
        check(r.stderr.startswith(b"daytime: ") or r.stderr.startswith(b"usage:"),
              "%r: stderr %r", args, r.stderr)


@test
def usage_errors_name_the_culprit():
    cases = [
        (["-x", "127.0.0.1"], b"unknown option -x"),
        (["--bogus=1", "127.0.0.1"], b"unknown option --bogus"),
        (["-p"], b"option -p needs a value"),
        (["--wait"], b"option --wait needs a value"),
        (["-p", "abc", "127.0.0.1"], b"port 'abc'"),
        (["-u", "-p", "abc", "127.0.0.1"], b"UDP service"),
        (["-w", "0", "127.0.0.1"], b"-w '0'"),
        (["--wait=1e3", "127.0.0.1"], b"-w '1e3'"),
        (["-4", "-6", "127.0.0.1"], b"-4 and -6"),
        ([], b"no host given"),
        ([""], b"empty host name"),
        # a port where a host goes (getaddrinfo would make it 0.0.0.13)
        (["127.0.0.1", "::1", "13"],
         b"'13' is not a host; with several hosts, give the port with -p"),
        (["13"], b"'13' is not a host; the host comes before the port"),
        (["-p", "13", "127.0.0.1", "13"], b"'13' is not a host"),
    ]
    for args, want in cases:
        r = run_client(args)
        check(r.returncode == 2, "%r: exit %r", args, r.returncode)
        first = r.stderr.split(b"\n")[0]
        check(first.startswith(b"daytime: ") and want in first,
              "%r: first line %r, wanted %r", args, first, want)
        check(b"usage: daytime" in r.stderr, "%r: no synopsis", args)


@test
def port_out_of_range():
    for port in ("0", "65536", "99999999999999999999999"):
        r = run_client(["-p", port, "127.0.0.1"])
        expect(r, 2, b"")
        check(b"port" in r.stderr, "stderr %r", r.stderr)


@test
def wait_bounds_accepted():
    # 0.001 and 3600 are in range: against a refusing port both end at once.
    port = harness.free_port("tcp", "127.0.0.1")
    for w in ("0.001", "3600", "0.5", "1", "2.250"):
        r = run_client(["-w", w, "-p", port, "127.0.0.1"])
        check(r.returncode == 1, "-w %s: exit %r (%r)", w, r.returncode, r.stderr)


@test
def ipv4_only_with_ipv6_literal():
    # Decision: a resolution failure (no IPv4 address for HOST), exit 1,
    # the same as a name without an A record.
    r = run_client(["-4", "-w", "1", "::1"])
    expect(r, 1, b"")
    check(b"IPv4" in r.stderr, "stderr %r", r.stderr)
    r = run_client(["-6", "-w", "1", "127.0.0.1"])
    expect(r, 1, b"")


@test
def help_and_version():
    for flag in ("-h", "--help"):
        r = run_client([flag])
        expect(r, 0)
        check(r.stdout.startswith(b"usage: daytime") and b"--raw" in r.stdout,
              "%s: stdout %r", flag, r.stdout)
    for flag in ("-V", "--version"):
        r = run_client([flag])
        expect(r, 0)
        check(r.stdout.startswith(b"daytime ") and r.stdout.endswith(b"\n"),
              "%s: stdout %r", flag, r.stdout)


if __name__ == "__main__":
    harness.main()
