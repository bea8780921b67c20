#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""A scripted RFC 1413 server for daytimed's integration tests.

    python3 fakeident.py --port N --mode MODE [--user NAME] [--host ADDR]

Listens on ADDR (127.0.0.1 by default, ::1 with --host ::1) port N (0: any
free port), prints "ready PORT" on stdout once listening, and for every
connection reads the query line and behaves by MODE:

  ok          "P , L : USERID : UNIX : NAME\\r\\n", echoing the query's ports
  error       "P , L : ERROR : NO-USER\\r\\n"
  silent      reads the query, never answers, keeps the socket open
  slow        the ok answer, one byte per second
  garbage     binary junk, then CRLF
  overlong    a 1 MB line (the ok answer with a 1 MB user), then CRLF
  wrongports  the ok answer with the ports swapped (or changed when equal)
  forged      the ok answer for a hostile but RFC-valid user (ESC, quotes,
              spaces, "key=value"): b'root\\x1b[31m "x" decision=allow'
  forged-lf   the ok answer with a LF inside the user, then a second line
  close       accepts, then closes at once without reading
  reset       reads the query, then resets the connection (SO_LINGER 0)

NAME is --user (default "alice"), or --user-hex HEX for arbitrary bytes.
Each query is logged to stderr, escaped. SIGTERM or SIGINT ends it (exit 0).
One thread per connection; threads are daemons, so exit never waits.
`python3 fakeident.py --self-test` checks every mode against itself.
"""

import argparse
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

QUERY_MAX = 1000
FORGED = b'root\x1b[31m "x" decision=allow'
GARBAGE = b'\x00\xff\xfe\x1b[2J\x80\x90garbage\x01\x7f :: ,, \x00'
QUERY_RE = re.compile(rb'^[ \t]*(\d{1,5})[ \t]*,[ \t]*(\d{1,5})[ \t]*\r?\n?$')


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def read_query(conn):
    """The query line (up to QUERY_MAX bytes), or what came before EOF."""
    buf = b""
    while b"\n" not in buf and len(buf) < QUERY_MAX:
        chunk = conn.recv(QUERY_MAX - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def ports_of(query):
    m = QUERY_RE.match(query)
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2))


def answer(mode, p, l, user):
    """The bytes to send for MODE and the query's ports (p, l)."""
    head = b"%d , %d : " % (p, l)
    if mode == "ok" or mode == "slow":
        return head + b"USERID : UNIX : " + user + b"\r\n"
    if mode == "error":
        return head + b"ERROR : NO-USER\r\n"
    if mode == "garbage":
        return GARBAGE + b"\r\n"
    if mode == "overlong":
        return head + b"USERID : UNIX : " + b"A" * (1 << 20) + b"\r\n"
    if mode == "wrongports":
        if p != l:
            q, r = l, p
        else:
            q, r = p % 65535 + 1, l
        return b"%d , %d : USERID : UNIX : " % (q, r) + user + b"\r\n"
    if mode == "forged":
        return head + b"USERID : UNIX : " + FORGED + b"\r\n"
    if mode == "forged-lf":
        return (head + b"USERID : UNIX : root\nadmin\r\n" +
                head + b"USERID : UNIX : admin\r\n")
    raise ValueError(mode)


def serve_one(conn, peer, mode, user):
    try:
        with conn:
            if mode == "close":
                log("close %s" % (peer,))
                return
            conn.settimeout(60)
            query = read_query(conn)
            if mode == "reset":
                log("reset %s" % (peer,))
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
                return
            log("query from %s: %r" % (peer, query))
            ports = ports_of(query)
            if ports is None:
                conn.sendall(b"0 , 0 : ERROR : INVALID-PORT\r\n")
                return
            p, l = ports
            if mode == "silent":
                conn.settimeout(None)
                while conn.recv(4096):
                    pass
                return
            data = answer(mode, p, l, user)
            if mode == "slow":
                for i in range(len(data)):
                    conn.sendall(data[i:i + 1])
                    time.sleep(1)
                return
            conn.sendall(data)
    except OSError as e:
        log("connection from %s: %s" % (peer, e))


def serve(args, user):
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    srv = socket.socket(family, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.host, args.port))
    srv.listen(1024)
    print("ready %d" % srv.getsockname()[1], flush=True)
    while True:
        try:
            conn, peer = srv.accept()
        except OSError as e:
            log("accept: %s" % e)
            time.sleep(0.05)
            continue
        t = threading.Thread(target=serve_one,
                             args=(conn, peer[:2], args.mode, user),
                             daemon=True)
        t.start()


def self_test():
    """Run each mode in a child server and check what a client sees."""
    me = os.path.abspath(__file__)
    want = {
        "ok": b"4321 , 113 : USERID : UNIX : alice\r\n",
        "error": b"4321 , 113 : ERROR : NO-USER\r\n",
        "garbage": GARBAGE + b"\r\n",
        "wrongports": b"113 , 4321 : USERID : UNIX : alice\r\n",
        "forged": b"4321 , 113 : USERID : UNIX : " + FORGED + b"\r\n",
        "forged-lf": b"4321 , 113 : USERID : UNIX : root\nadmin\r\n"
                     b"4321 , 113 : USERID : UNIX : admin\r\n",
        "close": b"",
        "reset": b"",
        "slow": b"4321",	# the first bytes only: it is slow
        "silent": None,		# nothing within the wait
        "overlong": 1048576 + 31,
    }
    failed = 0
    for mode, expect in want.items():
        for host in ("127.0.0.1", "::1"):
            p = subprocess.Popen([sys.executable, me, "--port", "0",
                                  "--host", host, "--mode", mode],
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL)
            try:
                line = p.stdout.readline().decode()
                port = int(line.split()[1])
                got = b""
                with socket.create_connection((host, port), timeout=5) as c:
                    c.sendall(b"4321 , 113\r\n")
                    deadline = time.monotonic() + (
                        1.5 if mode in ("silent", "slow") else 10)
                    while time.monotonic() < deadline:
                        c.settimeout(max(0.01, deadline - time.monotonic()))
                        try:
                            chunk = c.recv(65536)
                        except socket.timeout:
                            break
                        except ConnectionResetError:
                            break
                        if not chunk:
                            break
                        got += chunk
                        if mode == "slow" and len(got) >= 1:
                            break
                if expect is None:
                    ok = got == b""
                elif isinstance(expect, int):
                    ok = len(got) == expect and got.endswith(b"\r\n")
                elif mode == "slow":
                    ok = expect.startswith(got) and len(got) == 1
                else:
                    ok = got == expect
                print("%-10s %-9s %s" % (mode, host, "ok" if ok else
                                         "FAIL %r" % got[:80]))
                failed += not ok
            finally:
                p.send_signal(signal.SIGTERM)
                if p.wait(timeout=10) != 0:
                    print("%s: exit status %d" % (mode, p.returncode))
                    failed += 1
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mode", default="ok",
                    choices=["ok", "error", "silent", "slow", "garbage",
                             "overlong", "wrongports", "forged", "forged-lf",
                             "close", "reset"])
    ap.add_argument("--user", default="alice")
    ap.add_argument("--user-hex")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    user = (bytes.fromhex(args.user_hex) if args.user_hex is not None
            else os.fsencode(args.user))

    def stop(signum, frame):
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    serve(args, user)
    return 0


if __name__ == "__main__":
    sys.exit(main())
