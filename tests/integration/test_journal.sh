#!/bin/sh
# SPDX-License-Identifier: ISC
# A host where the journal is the only syslog daemon (daytimed(8), "LOG
# ROUTING"): daytimed with a sealed chain logs to a real systemd-journald,
# and what the README says an auditor runs,
#   journalctl -t daytimed -o short-iso | daytimed-audit verify -k SEC -H HOST.pub
# finds every record intact; a record edited in that output is reported.
# The host's journal is not touched: the test runs in a private mount
# namespace with tmpfs over /run/systemd, /run/log and /var/log/journal
# (when it exists; the test never creates it), and its
# journald is a namespace of its own (systemd-journald NAMESPACE, read with
# journalctl --namespace). Root only (unshare, mount); automake's skip
# status (77) without root or journald. Environment (set by make check):
# DAYTIMED, DAYTIMED_AUDIT.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
daytimed=${DAYTIMED:-$top/daytimed}
audit=${DAYTIMED_AUDIT:-$top/daytimed-audit}
journald=/lib/systemd/systemd-journald
ns=daytimedtest

if [ "${JOURNAL_TEST_INNER:-0}" != 1 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "skip: not root"
		exit 77
	fi
	if [ ! -x "$journald" ] || ! command -v journalctl >/dev/null 2>&1 ||
	    ! command -v python3 >/dev/null 2>&1; then
		echo "skip: systemd-journald, journalctl or python3 is missing"
		exit 77
	fi
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "skip: cannot make a mount namespace"
		exit 77
	fi
	exec unshare -m --propagation private env JOURNAL_TEST_INNER=1 \
	    DAYTIMED="$daytimed" DAYTIMED_AUDIT="$audit" \
	    sh "$top/tests/integration/test_journal.sh"
fi

# --- inside the private mount namespace ------------------------------------
failures=0
say() { printf '%s\n' "$*"; }
fail() { say "FAIL: $*"; failures=$((failures + 1)); }
ok() { say "ok: $*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dt-journal.XXXXXX")
chmod 0755 "$tmp"	# the daemon's user reads nothing here, but may look
jpid="" dpid=""
cleanup() {
	for p in $dpid $jpid; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Poll for up to 10 s until "$@" succeeds.
wait_for() {
	i=0
	while ! "$@" && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	"$@"
}

# journald writes to /var/log/journal when it exists, else /run/log/journal.
# Only directories under /run (volatile) are ever created: a new
# /var/log/journal would make the host's own journal persistent.
over="/run/systemd /run/log"
[ -d /var/log/journal ] && over="$over /var/log/journal"
for d in $over; do
	mkdir -p "$d" && mount -t tmpfs -o size=16m,mode=0755 dt-journal "$d" ||
	    { say "FAIL: mount tmpfs on $d"; exit 1; }
done
"$journald" "$ns" >"$tmp/journald.out" 2>&1 &
jpid=$!
sock=/run/systemd/journal.$ns/dev-log
wait_for test -S "$sock" || { cat "$tmp/journald.out"; say "FAIL: no $sock"; exit 1; }
ok "journald $ns listening on $sock"

# The auditor's keys, the host's (it signs each epoch; verify --host-key
# then exits 0, not 3) and the state's directory, the run user's.
"$audit" keygen "$tmp/a.pub" "$tmp/a.sec" >/dev/null ||
    { say "FAIL: keygen"; exit 1; }
"$audit" host-keygen "$tmp/h.pub" "$tmp/h.sec" >/dev/null ||
    { say "FAIL: host-keygen"; exit 1; }
chmod 0644 "$tmp/a.pub"
mkdir -m 0700 "$tmp/state"
chown nobody "$tmp/state"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/d.conf" <<EOF
listen tcp 127.0.0.1:$port
syslog socket $sock
user nobody
ident mode off
audit key $tmp/a.pub
audit signing-key $tmp/h.sec
audit state $tmp/state/audit.state
allow 127.0.0.1
EOF
chmod 0644 "$tmp/d.conf"
"$daytimed" -f -c "$tmp/d.conf" >"$tmp/d.out" 2>&1 &
dpid=$!
wait_for grep -q 'serving with' "$tmp/d.out" ||
    { cat "$tmp/d.out"; say "FAIL: daytimed did not start"; exit 1; }
n=0
for i in 1 2 3 4 5; do
	python3 - "$port" "$top/tests/integration" <<'EOF' && n=$((n + 1))
import socket, sys
sys.path.insert(0, sys.argv[2])
from harness import CTIME_RE
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5) as c:
    c.settimeout(5)
    data = b""
    while True:
        got = c.recv(100)
        if not got:
            break
        data += got
sys.exit(0 if CTIME_RE.match(data) else 1)
EOF
done
[ $n -eq 5 ] && ok "5 answers" || fail "$n answers of 5"
kill -TERM "$dpid"
wait "$dpid"
dpid=""

# start, 5 connections, stop: 7 sealed records, all in the journal.
want=7
got() {
	journalctl --namespace="$ns" -t daytimed -o short-iso --no-pager \
	    >"$tmp/journal.txt" 2>"$tmp/journalctl.err"
	[ "$(grep -cE 'daytimed\[[0-9]+\]: (conn|event)=' "$tmp/journal.txt")" \
	    -ge $want ]
}
wait_for got || fail "the journal has $(grep -cE ': (conn|event)=' \
    "$tmp/journal.txt") records, wanted $want"
"$audit" verify --secret-key "$tmp/a.sec" --host-key "$tmp/h.pub" \
    <"$tmp/journal.txt" \
    >"$tmp/verify.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -qxF "daytimed-audit: $want sealed records in 1 \
epoch, $want verified, 1 host: intact" "$tmp/verify.out"; then
	ok "journalctl -t daytimed -o short-iso | daytimed-audit verify: $(tail -n 1 "$tmp/verify.out")"
else
	sed 's/^/verify: /' "$tmp/verify.out"
	sed 's/^/journal: /' "$tmp/journal.txt" | head -n 20
	fail "verify of the journal: exit $rc"
fi

# One record edited in journalctl's output: reported, exit 1.
sed '0,/decision=allow/s//decision=deny/' "$tmp/journal.txt" >"$tmp/edited.txt"
"$audit" verify --secret-key "$tmp/a.sec" --host-key "$tmp/h.pub" \
    "$tmp/edited.txt" \
    >"$tmp/verify.out" 2>&1
rc=$?
# the record after the start (seq 1) no longer verifies, and only it
if [ $rc -eq 1 ] &&
    grep -qxE "$tmp/edited.txt:[0-9]+: modified: seq 1 does not verify \
\(mac mismatch\)" "$tmp/verify.out" &&
    grep -qxF "daytimed-audit: $want sealed records in 1 epoch, \
$((want - 1)) verified, 1 host: NOT intact" "$tmp/verify.out" &&
    grep -qxF "daytimed-audit: 1 finding" "$tmp/verify.out"; then
	ok "an edited record is reported: $(head -n 1 "$tmp/verify.out")"
else
	sed 's/^/verify: /' "$tmp/verify.out"
	fail "edited journal: exit $rc"
fi

if [ $failures -ne 0 ]; then
	say "FAIL: $failures check(s) failed"
	exit 1
fi
say "PASS: journal"
exit 0
