#!/bin/sh
# SPDX-License-Identifier: ISC
# The Debian package, end to end, as root: build it with
# packaging/build-deb.sh, lint it, install it, check what it put where,
# run the installed daemon on a high loopback port (also under socket
# activation), prove an edited conffile survives a reinstall, then remove
# and purge. Everything it makes is removed again; a daytimed package
# that was installed before the test is never touched.
#
# Environment: DEB_BUILD_OPTIONS (default "nocheck": make check runs
# elsewhere in CI); PKG_TEST_KEEP=1 keeps the temporary directory.
# When it cannot run, it exits 77 (automake's SKIP), or 1 under CI
# (DAYTIMED_CI, set by .ci/run): CI must not go green untested.
set -u

skip() {
	if [ -n "${DAYTIMED_CI:-}" ]; then
		echo "FAIL: cannot test the package under CI (DAYTIMED_CI): $1"
		exit 1
	fi
	echo "skip: $1"
	exit 77
}

if [ "$(id -u)" -ne 0 ]; then
	skip "not root"
fi
for tool in dpkg-buildpackage dh lintian apt-get python3 timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		skip "$tool is not installed"
	fi
done
if dpkg-query -W -f='${Status}' daytimed 2>/dev/null |
    grep -q 'installed\|config-files\|unpacked'; then
	skip "a daytimed package is already on this system; not touching it"
fi

top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/daytimed-pkgtest.XXXXXX")
chmod 0755 "$tmp"	# the daemon reads its test files after dropping root
installed=0
user_before=0
getent passwd daytimed >/dev/null 2>&1 && user_before=1
run_before=0
[ -e /run/daytimed ] && run_before=1
devlog_ours=0
failures=0
pids=""

say() { printf '%s\n' "$*"; }
fail() { say "FAIL: $*"; failures=$((failures + 1)); }
ok() { say "ok: $*"; }

# Whether a process runs (a zombie child of ours does not count).
alive() {
	[ -r "/proc/$1/stat" ] &&
	    ! sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

# Stop a process we started, by its pid, and wait for it (5 s at most).
stop_pid() {
	p=$1
	alive "$p" || { wait "$p" 2>/dev/null; return 0; }
	kill -TERM "$p" 2>/dev/null
	i=0
	while alive "$p" && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if alive "$p"; then
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		return 1
	fi
	wait "$p" 2>/dev/null
	return 0
}

cleanup() {
	if [ "$installed" -eq 1 ] && [ -x /etc/init.d/daytimed ]; then
		/etc/init.d/daytimed stop >/dev/null 2>&1 || true
	fi
	for p in $pids; do
		stop_pid "$p" || true
	done
	if [ "$installed" -eq 1 ]; then
		dpkg --purge daytimed >/dev/null 2>&1 || true
	fi
	[ "$devlog_ours" -eq 0 ] || rm -f /dev/log
	[ "$run_before" -eq 1 ] || rm -rf /run/daytimed
	if [ "$user_before" -eq 0 ] && getent passwd daytimed >/dev/null 2>&1; then
		deluser --quiet --system daytimed >/dev/null 2>&1 || true
		getent group daytimed >/dev/null 2>&1 &&
		    delgroup --quiet --system daytimed >/dev/null 2>&1 || true
	fi
	if [ "${PKG_TEST_KEEP:-0}" = 1 ]; then
		say "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Wait until a file has contents, or a socket exists (5 s at most).
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ ! -S "$1" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -s "$1" ] || [ -S "$1" ]
}

# A free-looking high port; the caller retries when it turns out taken.
# A port below the ephemeral range that TCP and UDP can both bind now.
pick_port() {
	python3 -c '
import random, socket
for _ in range(200):
    p = random.randrange(20000, 32000)
    try:
        for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            with socket.socket(socket.AF_INET, t) as s:
                s.bind(("127.0.0.1", p))
        print(p)
        break
    except OSError:
        pass
'
}

CTIME='^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] [0-9]{4}$'

# --- build ---------------------------------------------------------------
# A copy of the tree that fails half way stops the build, loudly.
mkdir "$tmp/badtar"
cat >"$tmp/badtar/tar" <<'EOF'
#!/bin/sh
case "$*" in *-xf*) exec /usr/bin/tar "$@" ;; esac
/usr/bin/tar "$@"
echo "tar: a file could not be read (test stub)" >&2
exit 2
EOF
chmod 755 "$tmp/badtar/tar"
if PATH="$tmp/badtar:$PATH" "$top/packaging/build-deb.sh" "$tmp/badout" \
    >"$tmp/badtar.log" 2>&1; then
	fail "build-deb.sh went on after tar failed"
elif grep -q 'copying the tree failed' "$tmp/badtar.log" &&
    ! ls "$tmp"/badout/*.deb >/dev/null 2>&1; then
	ok "build-deb.sh stops when copying the tree fails"
else
	sed 's/^/build-deb.sh: /' "$tmp/badtar.log"
	fail "build-deb.sh after a failed copy"
fi

say "building the package (log: $tmp/build.log)"
if ! DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck} timeout 1200 \
    "$top/packaging/build-deb.sh" "$tmp/out" >"$tmp/build.log" 2>&1; then
	tail -40 "$tmp/build.log"
	say "FAIL: build-deb.sh"
	exit 1
fi
deb=$(ls "$tmp"/out/daytimed_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { say "FAIL: no daytimed_*.deb in $tmp/out"; exit 1; }
ok "built $(basename "$deb")"

# --- lintian -------------------------------------------------------------
timeout 300 lintian "$deb" >"$tmp/lintian.txt" 2>&1
sed 's/^/lintian: /' "$tmp/lintian.txt"
if grep -q '^[EW]:' "$tmp/lintian.txt"; then
	fail "lintian reports errors or warnings"
else
	ok "lintian: no errors, no warnings"
fi

# --- install -------------------------------------------------------------
installed=1
if ! timeout 600 env DEBIAN_FRONTEND=noninteractive apt-get install -y \
    --no-install-recommends "$deb" >"$tmp/install.log" 2>&1; then
	tail -20 "$tmp/install.log"
	say "FAIL: apt-get install"
	exit 1
fi
ok "installed"

for f in /usr/sbin/daytimed /usr/bin/daytime /usr/bin/daytimed-audit \
    /etc/init.d/daytimed /usr/share/logwatch/scripts/services/daytimed; do
	[ -x "$f" ] && ok "$f" || fail "$f is missing"
done
for f in /lib/systemd/system/daytimed.service \
    /lib/systemd/system/daytimed.socket \
    /lib/systemd/system/daytimed-inetd.socket \
    /lib/systemd/system/daytimed-inetd@.service \
    /usr/lib/tmpfiles.d/daytimed.conf \
    /etc/rsyslog.d/daytimed.conf \
    /etc/logrotate.d/daytimed \
    /usr/share/logwatch/default.conf/services/daytimed.conf \
    /usr/share/logwatch/default.conf/logfiles/daytimed.conf \
    /usr/share/man/man8/daytimed.8.gz \
    /usr/share/man/man1/daytimed-audit.1.gz \
    /usr/share/man/man5/daytimed.conf.5.gz \
    /usr/share/man/man1/daytime.1.gz; do
	[ -f "$f" ] && ok "$f" || fail "$f is missing"
done
# Enabled: daytimed.socket; shipped only: daytimed-inetd.socket, which
# takes port 13 too. An upgrade from 0.1.0, which enabled both, disables
# the inetd socket (its postinst run again as dpkg runs it then).
wants=/etc/systemd/system/sockets.target.wants
[ -L "$wants/daytimed.socket" ] && ok "daytimed.socket is enabled" ||
    fail "daytimed.socket is not enabled"
[ ! -e "$wants/daytimed-inetd.socket" ] &&
    [ ! -L "$wants/daytimed-inetd.socket" ] &&
    ok "daytimed-inetd.socket is not enabled" ||
    fail "the package enabled daytimed-inetd.socket"
# deb-systemd-helper acts only when dpkg runs it: these say it does.
export DPKG_MAINTSCRIPT_PACKAGE=daytimed DPKG_MAINTSCRIPT_NAME=postinst
# As 0.1.0's postinst left it: the unit enabled, its state recorded.
deb-systemd-helper purge daytimed-inetd.socket >/dev/null 2>&1
deb-systemd-helper enable daytimed-inetd.socket >/dev/null 2>&1
[ -L "$wants/daytimed-inetd.socket" ] ||
    fail "deb-systemd-helper enable daytimed-inetd.socket did nothing"
/var/lib/dpkg/info/daytimed.postinst configure 0.1.0 \
    >"$tmp/upgrade.log" 2>&1 || fail "postinst configure 0.1.0"
unset DPKG_MAINTSCRIPT_PACKAGE DPKG_MAINTSCRIPT_NAME
[ ! -e "$wants/daytimed-inetd.socket" ] &&
    [ ! -L "$wants/daytimed-inetd.socket" ] &&
    ok "an upgrade from 0.1.0 disables daytimed-inetd.socket" ||
    fail "an upgrade from 0.1.0 left daytimed-inetd.socket enabled"
[ -L "$wants/daytimed.socket" ] ||
    fail "an upgrade from 0.1.0 disabled daytimed.socket"
for f in /usr/sbin/daytimed-audit /etc/daytimed/daytimed.conf.example; do
	[ ! -e "$f" ] && ok "no $f" || fail "$f is installed"
done
ex=/usr/share/doc/daytimed/examples/daytimed.conf
if [ -f "$ex" ] && cmp -s "$ex" "$top/etc/daytimed.conf"; then
	ok "$ex is the commented example"
elif [ -f "$ex.gz" ] && zcat "$ex.gz" | cmp -s - "$top/etc/daytimed.conf"; then
	ok "$ex.gz is the commented example"
else
	fail "$ex is missing or not etc/daytimed.conf"
fi
[ -d /etc/daytimed/rules.d ] && ok "/etc/daytimed/rules.d" ||
    fail "/etc/daytimed/rules.d is missing"
for f in /etc/daytimed/daytimed.conf /etc/rsyslog.d/daytimed.conf \
    /etc/logrotate.d/daytimed /etc/init.d/daytimed; do
	dpkg-query -W -f='${Conffiles}\n' daytimed | grep -q "^ $f " &&
	    ok "$f is a conffile" || fail "$f is not a conffile"
done
# The pidfile: the conffile, the init script and tmpfiles.d agree.
cpid=$(sed -n 's/^pidfile //p' /etc/daytimed/daytimed.conf)
ipid=$(grep -E '^PID(DIR|FILE)=' /etc/init.d/daytimed |
    sh -c 'eval "$(cat)"; printf %s "$PIDFILE"')
[ "$cpid" = /run/daytimed/daytimed.pid ] && [ "$ipid" = "$cpid" ] &&
    grep -q '^d /run/daytimed 0755 daytimed daytimed' \
    /usr/lib/tmpfiles.d/daytimed.conf &&
    ok "pidfile $cpid in the conffile, the init script and tmpfiles.d" ||
    fail "pidfile: conffile '$cpid', init script '$ipid'"
pw=$(getent passwd daytimed)
case $pw in
daytimed:*:/nonexistent:/usr/sbin/nologin) ok "user daytimed: $pw" ;;
*) fail "user daytimed: '$pw'" ;;
esac
uid=$(id -u daytimed 2>/dev/null)
[ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$uid" -ne 0 ] &&
    ok "daytimed is a system user (uid $uid)" || fail "daytimed uid '$uid'"
/usr/sbin/daytimed -V | grep -q '^daytimed ' && ok "daytimed -V" ||
    fail "daytimed -V"

# --- the shipped configuration ------------------------------------------
out=$(/usr/sbin/daytimed -t 2>&1)
rc=$?
say "daytimed -t: $out"
[ $rc -eq 0 ] && ok "daytimed -t on the shipped configuration" ||
    fail "daytimed -t exit $rc"
out=$(/usr/sbin/daytimed -e 127.0.0.1)
case $out in
"allow rule=/etc/daytimed/daytimed.conf:"*" netblock=127.0.0.0/8 ident=none")
	ok "-e 127.0.0.1: $out" ;;
*) fail "-e 127.0.0.1: '$out'" ;;
esac
out=$(/usr/sbin/daytimed -e 192.0.2.1)
[ "$out" = "deny rule=default netblock=none ident=none" ] &&
    ok "-e 192.0.2.1: $out" || fail "-e 192.0.2.1: '$out'"
# The socket unit and the configuration carry the same addresses.
sock=$(sed -n 's/^Listen\(Stream\|Datagram\)=//p' \
    /lib/systemd/system/daytimed.socket | sort | tr '\n' ' ')
conf=$(sed -n 's/^listen \(tcp\|udp\) //p' /etc/daytimed/daytimed.conf |
    sort | tr '\n' ' ')
[ "$sock" = "$conf" ] && ok "socket unit matches the listen lines: $sock" ||
    fail "socket unit '$sock' vs listen lines '$conf'"
if command -v systemd-analyze >/dev/null 2>&1; then
	if systemd-analyze verify /lib/systemd/system/daytimed.socket \
	    /lib/systemd/system/daytimed.service \
	    /lib/systemd/system/daytimed-inetd.socket \
	    /lib/systemd/system/daytimed-inetd@.service \
	    >"$tmp/verify.txt" 2>&1; then
		ok "systemd-analyze verify"
	else
		sed 's/^/systemd-analyze: /' "$tmp/verify.txt"
		fail "systemd-analyze verify"
	fi
fi

# A syslog socket of ours at $1 (mode 0666), each datagram appended to the
# file $2 as a line, until TERM; its pid joins $pids.
syslog_sink() {
	python3 - "$1" "$2" <<'EOF' &
import os, signal, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
with open(sys.argv[2], "ab", buffering=0) as f:
    while True:
        f.write(s.recv(65536) + b"\n")
EOF
	pids="$pids $!"
	wait_file "$1" || fail "the test syslog socket $1 did not appear"
}

# --- the installed daemon on a test port --------------------------------
# syslog goes to a socket of ours, to read the audit records back.
syslog_sink "$tmp/log" "$tmp/syslog.txt"

started=0
for attempt in 1 2 3 4 5; do
	port=$(pick_port)
	{
		printf 'listen tcp 127.0.0.1:%s\nlisten udp 127.0.0.1:%s\n' \
		    "$port" "$port"
		printf 'syslog socket %s\n' "$tmp/log"
		grep -v '^\(listen\|pidfile\) ' /etc/daytimed/daytimed.conf
	} >"$tmp/test.conf"
	rm -f "$tmp/test.pid"
	if timeout 20 /usr/sbin/daytimed -c "$tmp/test.conf" \
	    -p "$tmp/test.pid" 2>"$tmp/start.err"; then
		started=1
		break
	fi
	grep -q 'in use' "$tmp/start.err" || break
done
if [ $started -eq 1 ] && wait_file "$tmp/test.pid"; then
	dpid=$(cat "$tmp/test.pid")
	pids="$pids $dpid"
	ok "daemonized on 127.0.0.1:$port, pid $dpid"
	duid=$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "/proc/$dpid/status")
	[ "$duid" = "$uid$uid$uid$uid" ] && ok "runs as daytimed" ||
	    fail "runs with uids $duid"
	ans=$(timeout 10 /usr/bin/daytime -w 5 -p "$port" 127.0.0.1 | tr -d '\r')
	printf '%s\n' "$ans" | grep -Eq "$CTIME" &&
	    ok "TCP answer: $ans" || fail "TCP answer: '$ans'"
	ans=$(timeout 10 /usr/bin/daytime -u -w 5 -p "$port" 127.0.0.1 | tr -d '\r')
	printf '%s\n' "$ans" | grep -Eq "$CTIME" &&
	    ok "UDP answer: $ans" || fail "UDP answer: '$ans'"
	stop_pid "$dpid" && ok "stopped on TERM" || fail "did not stop on TERM"
	if grep -q "proto=tcp .*decision=allow rule=$tmp/test.conf:" \
	    "$tmp/syslog.txt" && grep -q 'event=stop' "$tmp/syslog.txt"; then
		ok "audit records reached syslog"
	else
		sed 's/^/syslog: /' "$tmp/syslog.txt"
		fail "no audit records"
	fi
else
	sed 's/^/daytimed: /' "$tmp/start.err"
	fail "the installed daemon did not start"
fi

# --- socket activation ---------------------------------------------------
if command -v systemd-socket-activate >/dev/null 2>&1; then
	port=$(pick_port)
	{
		printf 'listen tcp 127.0.0.1:%s\n' "$port"
		grep -v '^\(listen\|pidfile\) ' /etc/daytimed/daytimed.conf
	} >"$tmp/sa.conf"
	systemd-socket-activate -l "127.0.0.1:$port" \
	    /usr/sbin/daytimed -f -c "$tmp/sa.conf" \
	    >"$tmp/sa.out" 2>"$tmp/sa.err" &
	sapid=$!
	pids="$pids $sapid"
	ans=""
	i=0
	while [ $i -lt 50 ]; do
		ans=$(timeout 10 /usr/bin/daytime -w 2 -p "$port" 127.0.0.1 \
		    2>/dev/null | tr -d '\r')
		[ -n "$ans" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	printf '%s\n' "$ans" | grep -Eq "$CTIME" &&
	    ok "socket-activated answer: $ans" ||
	    { sed 's/^/daytimed: /' "$tmp/sa.err"; fail "socket activation"; }
	stop_pid "$sapid" || fail "socket-activated daemon did not stop"
	# A passed socket that matches no listen line: refused, exit 1.
	port2=$(pick_port)
	[ "$port2" = "$port" ] && port2=$((port + 1))
	systemd-socket-activate -l "127.0.0.1:$port2" \
	    /usr/sbin/daytimed -f -c "$tmp/sa.conf" 2>"$tmp/sa2.err" &
	sapid=$!
	pids="$pids $sapid"
	# It execs the daemon at the first connection: knock until it has.
	i=0
	while ! grep -q '^Execing' "$tmp/sa2.err" && alive "$sapid" &&
	    [ $i -lt 50 ]; do
		timeout 5 /usr/bin/daytime -w 1 -p "$port2" 127.0.0.1 \
		    >/dev/null 2>&1
		sleep 0.1
		i=$((i + 1))
	done
	i=0
	while alive "$sapid" && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	if alive "$sapid"; then
		stop_pid "$sapid"
		rc=running
	else
		wait "$sapid" 2>/dev/null
		rc=$?
	fi
	if [ $rc -eq 1 ] && grep -q 'no socket passed by the service manager matches' \
	    "$tmp/sa2.err"; then
		ok "a listen line without a passed socket is refused"
	else
		sed 's/^/daytimed: /' "$tmp/sa2.err"
		fail "mismatched socket activation: exit $rc"
	fi
fi

# --- the init script, without systemd -----------------------------------
# Run directly, as sysvinit would, with the shipped configuration on port
# 13. The daemonized daytimed needs syslog: when the host has no /dev/log
# the test puts a socket of its own there for the time being.
initd=/etc/init.d/daytimed
pidf=/run/daytimed/daytimed.pid
# Whether port 13 on the loopback addresses is free (TCP and UDP).
port13_free() {
	python3 -c '
import socket, sys
for fam, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
    for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(fam, t) as s:
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((host, 13))
'
}
# The pid in the pidfile, if that process runs.
init_pid() {
	p=$(cat "$pidf" 2>/dev/null)
	[ -n "$p" ] && alive "$p" && printf '%s' "$p"
}
"$initd" status >"$tmp/init.out" 2>&1
rc=$?
if [ $rc -eq 0 ]; then
	ok "the postinst started the daemon (invoke-rc.d)"
	"$initd" stop >>"$tmp/init.out" 2>&1 || fail "init.d stop after install"
else
	say "init.d status after install: exit $rc (the postinst did not start it)"
fi
if [ -e /dev/log ] && [ ! -S /dev/log ]; then
	say "skip: init script: /dev/log is not a socket"
elif ! port13_free 2>"$tmp/port13.err"; then
	sed 's/^/port 13: /' "$tmp/port13.err"
	say "skip: init script: port 13 on the loopback is taken"
else
	if [ ! -e /dev/log ]; then
		devlog_ours=1
		syslog_sink /dev/log "$tmp/devlog.txt"
	fi
	rm -rf /run/daytimed	# as after a boot: /run is empty
	if "$initd" start >"$tmp/init.out" 2>&1 && pid1=$(init_pid); then
		ok "init.d start: pid $pid1"
	else
		sed 's/^/init.d: /' "$tmp/init.out"
		fail "init.d start"
		pid1=""
	fi
	owner=$(stat -c '%U:%G %a' /run/daytimed 2>/dev/null)
	[ "$owner" = "daytimed:daytimed 755" ] &&
	    ok "init.d start made /run/daytimed ($owner)" ||
	    fail "/run/daytimed: '$owner'"
	if [ -n "$pid1" ]; then
		duid=$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "/proc/$pid1/status")
		[ "$duid" = "$uid$uid$uid$uid" ] && ok "runs as daytimed" ||
		    fail "runs with uids $duid"
		"$initd" status >"$tmp/init.out" 2>&1 &&
		    ok "init.d status: $(cat "$tmp/init.out")" ||
		    fail "init.d status while running: $(cat "$tmp/init.out")"
		ans=$(timeout 10 /usr/bin/daytime -w 5 127.0.0.1 | tr -d '\r')
		printf '%s\n' "$ans" | grep -Eq "$CTIME" &&
		    ok "port 13 answers: $ans" || fail "port 13 answer: '$ans'"
		"$initd" start >"$tmp/init.out" 2>&1 && [ "$(init_pid)" = "$pid1" ] &&
		    ok "init.d start when running: exit 0, same daemon" ||
		    fail "init.d start when running"
		"$initd" reload >"$tmp/init.out" 2>&1 && [ "$(init_pid)" = "$pid1" ] &&
		    ok "init.d reload" ||
		    { sed 's/^/init.d: /' "$tmp/init.out"; fail "init.d reload"; }
		# A bad configuration: reload and restart fail, the daemon stays.
		cp /etc/daytimed/daytimed.conf "$tmp/conf.saved"
		printf 'no-such-directive\n' >>/etc/daytimed/daytimed.conf
		if "$initd" reload >"$tmp/init.out" 2>&1; then
			fail "init.d reload with a bad configuration: exit 0"
		else
			grep -q 'daytimed.conf:[0-9]*: error' "$tmp/init.out" &&
			    ok "init.d reload refuses a bad configuration" ||
			    fail "init.d reload: $(cat "$tmp/init.out")"
		fi
		if "$initd" restart >"$tmp/init.out" 2>&1; then
			fail "init.d restart with a bad configuration: exit 0"
		else
			[ "$(init_pid)" = "$pid1" ] &&
			    ok "init.d restart refuses a bad configuration, daemon kept" ||
			    fail "init.d restart with a bad configuration stopped it"
		fi
		cp "$tmp/conf.saved" /etc/daytimed/daytimed.conf
		if "$initd" restart >"$tmp/init.out" 2>&1 && pid2=$(init_pid) &&
		    [ "$pid2" != "$pid1" ] && ! alive "$pid1"; then
			ok "init.d restart: pid $pid2"
		else
			sed 's/^/init.d: /' "$tmp/init.out"
			fail "init.d restart"
		fi
		"$initd" stop >"$tmp/init.out" 2>&1 && [ -z "$(init_pid)" ] &&
		    [ ! -e "$pidf" ] &&
		    ok "init.d stop: stopped, pidfile removed" ||
		    { sed 's/^/init.d: /' "$tmp/init.out"; fail "init.d stop"; }
		"$initd" status >/dev/null 2>&1
		rc=$?
		[ $rc -eq 3 ] && ok "init.d status when stopped: exit 3" ||
		    fail "init.d status when stopped: exit $rc"
		"$initd" stop >/dev/null 2>&1 && ok "init.d stop when stopped: exit 0" ||
		    fail "init.d stop when stopped"
		if [ "$devlog_ours" -eq 1 ]; then
			grep -q 'event=reload' "$tmp/devlog.txt" &&
			    grep -q 'event=stop' "$tmp/devlog.txt" &&
			    ok "the records reached /dev/log" ||
			    fail "no event=reload and event=stop records at /dev/log"
		fi
	fi
fi

# --- conffile edits survive a reinstall ----------------------------------
mark="# local edit $$ $(date +%s)"
printf '%s\nallow 192.0.2.0/24\n' "$mark" >>/etc/daytimed/daytimed.conf
printf 'allow 198.51.100.0/24\n' >/etc/daytimed/rules.d/50-test.rules
if timeout 300 dpkg -i --force-confold "$deb" >"$tmp/reinstall.log" 2>&1; then
	ok "reinstalled"
else
	tail -20 "$tmp/reinstall.log"
	fail "dpkg -i over an edited conffile"
fi
grep -qF "$mark" /etc/daytimed/daytimed.conf &&
    ok "the edited conffile was kept" || fail "the conffile edit was lost"
out=$(/usr/sbin/daytimed -e 198.51.100.7)
[ "$out" = "allow rule=/etc/daytimed/rules.d/50-test.rules:1 netblock=198.51.100.0/24 ident=none" ] &&
    ok "rules.d is included: $out" || fail "rules.d: '$out'"
rm -f /etc/daytimed/rules.d/50-test.rules

# --- remove, then purge --------------------------------------------------
if timeout 300 dpkg -r daytimed >"$tmp/remove.log" 2>&1; then
	ok "removed"
else
	tail -20 "$tmp/remove.log"
	fail "dpkg -r"
fi
[ ! -e /usr/sbin/daytimed ] && ok "the programs are gone" ||
    fail "/usr/sbin/daytimed is still there"
[ -f /etc/daytimed/daytimed.conf ] && ok "remove keeps /etc/daytimed" ||
    fail "remove deleted the configuration"
if timeout 300 dpkg --purge daytimed >"$tmp/purge.log" 2>&1; then
	ok "purged"
	installed=0
else
	tail -20 "$tmp/purge.log"
	fail "dpkg --purge"
fi
[ ! -e /etc/daytimed ] && ok "purge removed /etc/daytimed" ||
    fail "/etc/daytimed is still there after purge"
getent passwd daytimed >/dev/null && ok "purge keeps the daytimed user (policy)" ||
    fail "purge removed the daytimed user"

if [ $failures -ne 0 ]; then
	say "FAIL: $failures check(s) failed"
	exit 1
fi
say "PASS: package"
exit 0
