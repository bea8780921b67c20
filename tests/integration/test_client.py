#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""The `daytime` client alone, against tiny in-process servers on loopback.

Each server is a thread owning one listening socket; it serves a fixed
behaviour (answer, close, stay silent, flood) and stops with the test.
Run: DAYTIME=/path/to/daytime python3 tests/integration/test_client.py
"""

import os
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import check, run_client, test  # noqa: E402

ANSWER = b"Thu Nov 26 10:32:52 2026\r\n"


class Server(harness.Closing):
    """One loopback TCP or UDP server in a thread, bounded by a stop flag.

    behaviour(conn_or_sock, peer) runs per TCP connection / UDP datagram.
    For UDP, behaviour returns the bytes to send back (or None: silence).
    """

    def __init__(self, proto, host, behaviour):
        self.proto = proto
        self.host = host
        self.behaviour = behaviour
        self.hits = 0
        self.received = []
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        typ = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        self.sock = socket.socket(fam, typ)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.port = harness.free_port(proto, host)
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

@test
def tcp_answer_printed_exactly():
    with Server("tcp", "127.0.0.1", answer_and_close) as s:
        r = run_client(["-p", s.port, "127.0.0.1"])
    expect(r, 0, ANSWER)
    check(r.stderr == b"", "stderr not empty: %r", r.stderr)


@test
def tcp_raw_bytes_untouched():
    raw = bytes(range(256))

    def send_raw(conn, peer):
        conn.sendall(raw)
        conn.close()
    with Server("tcp", "127.0.0.1", send_raw) as s:
        r = run_client(["-p", s.port, "-4", "127.0.0.1"])
    expect(r, 0, raw)


@test
def tcp_answer_ipv6():
    harness.need_ipv6()
    with Server("tcp", "::1", answer_and_close) as s:
        r = run_client(["-6", "-p", s.port, "::1"])
    expect(r, 0, ANSWER)


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
    expect(r, 0, b"Thu Nov 26")
    check(r.elapsed < 3.0, "deadline not kept: %.3f s", r.elapsed)


@test
def tcp_flood_stops_at_cap():
    with Server("tcp", "127.0.0.1", flood) as s:
        r = run_client(["-w", "5", "-p", s.port, "127.0.0.1"])
    expect(r, 0)
    check(len(r.stdout) == 1024, "printed %d bytes, wanted the 1024 cap",
          len(r.stdout))
    check(r.stdout == b"x" * 1024, "bytes altered")
    check(r.elapsed < 3.0, "took %.3f s", r.elapsed)


@test
def tcp_name_localhost():
    with Server("tcp", "127.0.0.1", answer_and_close) as s:
        r = run_client(["-4", "-p", s.port, "localhost"])
    expect(r, 0, ANSWER)


# ---------------------------------------------------------------- UDP

@test
def udp_answer_ipv4():
    with Server("udp", "127.0.0.1", lambda d, p: ANSWER) as s:
        r = run_client(["-u", "-4", "-p", s.port, "127.0.0.1"])
        received = list(s.received)
    expect(r, 0, ANSWER)
    # Documented choice: one empty datagram (RFC 867: its data is ignored).
    check(received == [b""], "client sent %r", received)


@test
def udp_answer_ipv6():
    harness.need_ipv6()
    with Server("udp", "::1", lambda d, p: ANSWER) as s:
        r = run_client(["-u", "-6", "-p", s.port, "::1"])
    expect(r, 0, ANSWER)


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
    expect(r, 0, b"y" * 1024)


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
        ["127.0.0.1", "extra"],
        [""],
    ]
    for args in cases:
        r = run_client(args)
        check(r.returncode == 2, "%r: exit %r (%r)", args, r.returncode, r.stderr)
        check(r.stdout == b"", "%r: stdout %r", args, r.stdout)
        check(r.stderr.startswith(b"daytime: ") or r.stderr.startswith(b"usage:"),
              "%r: stderr %r", args, r.stderr)


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
    r = run_client(["-h"])
    expect(r, 0)
    check(r.stdout.startswith(b"usage: daytime"), "stdout %r", r.stdout)
    r = run_client(["-V"])
    expect(r, 0)
    check(r.stdout.startswith(b"daytime ") and r.stdout.endswith(b"\n"),
          "stdout %r", r.stdout)


if __name__ == "__main__":
    harness.main()
