#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/run.sh -- daytimed under load, against a minimal server, xinetd,
# openbsd-inetd and tcpserver, all measured in the same run on this
# machine; writes bench/RESULTS.md.  See bench/README.md.  Rows b and bs
# are the same daytimed logging to rsyslogd over a datagram socket
# (imuxsock) and over a Unix stream socket (imptcp path=).
#
#   bench/run.sh                 (from the top of a built tree)
#   REPS=3 DUR=5 CONC=64 HOLD=10000 PROFILE=1 OUT=bench/RESULTS.md bench/run.sh
#   ROWS="a b i udp" PROFILE=0 OUT=/tmp/r.md bench/run.sh   (some rows only)
#
# Loopback and high ports only (port 113 for oidentd, as root).  Every
# process it starts is stopped by PID on exit; every load is bounded in
# count and time.

set -u

BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
DAYTIMED=${DAYTIMED:-$TOP/daytimed}
FAKEIDENT=$TOP/tests/integration/fakeident.py
REPS=${REPS:-3}
DUR=${DUR:-5}
CONC=${CONC:-64}
HOLD=${HOLD:-10000}
RULES=${RULES:-10000}
PROFILE=${PROFILE:-1}
ROWS=${ROWS:-all}
OUT=${OUT:-$BENCH/RESULTS.md}
CLK=$(getconf CLK_TCK)
CMDLINE="${WORKERS:+WORKERS=$WORKERS }$([ "$ROWS" = all ] || echo "ROWS=\"$ROWS\" ")REPS=$REPS DUR=$DUR CONC=$CONC HOLD=$HOLD RULES=$RULES PROFILE=$PROFILE bench/run.sh"

PIDS=()
WORK=$(mktemp -d /tmp/dtbench.XXXXXX)
chmod 755 "$WORK"

# ---------------------------------------------------------------- plumbing

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
# shellcheck source=bench/results.sh
. "$BENCH/results.sh"

# Whether row $1 is to run (ROWS: "all", or names such as "a b e i udp").
want() {
	[ "$ROWS" = all ] || [[ " $ROWS " == *" $1 "* ]]
}


# ---------------------------------------------------------------- checks

[ -x "$DAYTIMED" ] || { say "no $DAYTIMED: build the tree first"; exit 1; }
make -s -C "$BENCH" >/dev/null || { say "bench build failed"; exit 1; }
# 10,000 held connections need two descriptors each in the daemon.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1
# The daemon needs two descriptors per held connection (client, ident).
HOLD_MAX=$((($(ulimit -n) - 200) / 2))
if [ "$HOLD" -gt "$HOLD_MAX" ]; then
	note "RLIMIT_NOFILE is $(ulimit -n) here (the hard limit; raising it needs CAP_SYS_RESOURCE, which this container lacks): $HOLD_MAX connections held instead of $HOLD, the 10,000 figure is extrapolated per connection"
	HOLD=$HOLD_MAX
fi
say "bench: reps=$REPS dur=${DUR}s conc=$CONC nofile=$(ulimit -n) work=$WORK"
make_rules

HAVE_RS=0
start_rsyslog && HAVE_RS=1
HAVE_RSS=0
[ $HAVE_RS = 1 ] && { want bs || want udp || want als; } && start_rsyslog stream &&
    HAVE_RSS=1

# ---------------------------------------------------------------- c, f. oidentd
#
# First, before the other rows leave tens of thousands of TIME_WAIT sockets:
# oidentd appears to scan the host's socket table for each query, so its
# rate falls as the table grows (the count is reported for each run).

HAVE_OID=0
if ! want c && ! want f; then
	:
elif [ $ROOT = 0 ]; then
	note "not root: oidentd cannot listen on port 113; rows c and f skipped"
elif ! command -v oidentd >/dev/null; then
	note "oidentd is not installed (apt-get install -y oidentd): rows c and f skipped"
elif [ -n "$(ss -Hltn '( sport = :113 )')" ]; then
	note "port 113 is taken by a process this script did not start: rows c and f skipped"
else
	oidentd -i -S -q -a 127.0.0.1 -p 113 </dev/null >"$WORK/oidentd.out" 2>&1 &
	OIDPID=$!
	PIDS+=("$OIDPID")
	wait_port 113 && HAVE_OID=1
fi

if [ $HAVE_OID = 1 ]; then
	HAVE_C=0
	# oidentd listens on 127.0.0.1 only and a lookup goes to the
	# client's address: these clients come from 127.0.0.1.
	if [ $HAVE_RS = 1 ] && start_daytimed c "ident mode always\nident timeout 5\nallow 127.0.0.0/8\n"; then
		HAVE_C=1
		CPORT=$DPORT CMON=$DMON CENG=$DENG
	fi
	HAVE_F=0
	if command -v tcpserver >/dev/null; then
		TP=$(free_port)
		tcpserver -r -H -l0 -c "$CONC" 127.0.0.1 "$TP" "$BENCH/minimal" -o \
		    </dev/null >/dev/null 2>"$WORK/tcpserver.err" &
		TPID=$!
		PIDS+=("$TPID")
		wait_port "$TP" && HAVE_F=1
	else
		note "tcpserver is not installed (apt-get install -y ucspi-tcp): row f skipped"
	fi
	say "c, f: daytimed with ident always, tcpserver -r; both against oidentd"
	# Let earlier TIME_WAIT sockets (ours or other work's) expire: 75 s
	# at most; the count is reported either way.
	for ((n = 0; n < 75; n++)); do
		[ "$(timewait)" -lt 20000 ] && break
		sleep 1
	done
	CF_T0=$(ticks "$OIDPID") CF_H0=$(hostcpu) CF_W0=$(date +%s.%N)
	CF_TW=""
	# oidentd reads the host's socket table for every query, so a table
	# grown by earlier runs sets a later run's rate: these clients close
	# with a reset (-R) and leave no TIME_WAIT behind, and the order
	# alternates (c f, f c, ...) so that neither row always runs on the
	# larger table.
	for ((r = 1; r <= REPS; r++)); do
		for x in $( ((r % 2)) && echo "c f" || echo "f c"); do
			CF_TW="$CF_TW $x:$(timewait)"
			if [ "$x" = c ] && [ $HAVE_C = 1 ]; then
				run1 c "$CENG,$OIDPID,$RSPID" -- -p "$CPORT" \
				    -s 127.0.0.1 -c "$CONC" -d "$DUR" -w 10 -R
			elif [ "$x" = f ] && [ $HAVE_F = 1 ]; then
				run1 f "$TPID,$OIDPID" -- -p "$TP" \
				    -s 127.0.0.1 -c "$CONC" -d "$DUR" -w 10 -R
			fi
		done
	done
	CF_OID=$(awk -v a="$CF_T0" -v b="$(ticks "$OIDPID")" -v w0="$CF_W0" \
	    -v w1="$(date +%s.%N)" -v k="$CLK" -v h="$CF_H0 $(hostcpu)" \
	    'BEGIN { split(h, x, " "); printf "%.0f%% of one core over %.0f s (the host was %.0f%% busy)",
	    100 * (b - a) / k / (w1 - w0), w1 - w0, 100 * (x[3] - x[1]) / (x[4] - x[2]) }')
	if [ $HAVE_C = 1 ]; then
		echo "$(rss_kb "$CENG")" > "$WORK/rows/c.rss"
		sleep 0.5
		C_SAMPLE=$(grep 'proto=tcp' "$RSFILE" | grep 'ident_status=ok' | tail -1 | cut -c1-300)
		C_STATUS=$(grep "daytimed\\[$CENG\\]" "$RSFILE" | grep -o 'ident_status=[a-zA-Z:-]*' | sort | uniq -c | awk '{ printf "%s %s; ", $2, $1 }')
		stop "$CMON"
		stop "$CENG"
	fi
	if [ $HAVE_F = 1 ]; then
		F_SAMPLE=$(grep ' ok ' "$WORK/tcpserver.err" | tail -1)
		stop "$TPID"
	fi
	stop "$OIDPID"
fi

# ---------------------------------------------------------------- start a, b, bs, e

# The reference, daytimed and xinetd all run at once and are measured in
# alternating rounds (a a-log b bs e e2 i a-log-stream, a a-log ...), so
# that the machine's other load falls on all of them alike.
start_minimal || exit 1
P=$MIN_PORT MPID=$MIN_PID
# al, als: the same, sending a record per answer as daytimed does
# (minimal -L) to b's and bs's rsyslogds: what the record alone costs.
HAVE_AL=0
if [ $HAVE_RS = 1 ] && { want al || want udp; } && start_minimal -L "$RSLOG"
then
	HAVE_AL=1 AP=$MIN_PORT MALPID=$MIN_PID
fi
HAVE_ALS=0
if [ $HAVE_RSS = 1 ] && { want als || want udp; } &&
    start_minimal -L "$RSLOG_S"; then
	HAVE_ALS=1 ASP=$MIN_PORT MALSPID=$MIN_PID
fi

HAVE_B=0
if [ $HAVE_RS = 1 ] && { want b || want udp; } &&
    start_daytimed b "ident mode off\nallow 127.0.0.0/8\n"; then
	HAVE_B=1
	BPORT=$DPORT BMON=$DMON BENG=$DENG
fi
# bs: b logging to the stream rsyslogd (its startup log says so)
HAVE_BS=0
if [ $HAVE_RSS = 1 ] &&
    DT_SYSLOG=$RSLOG_S start_daytimed bs "ident mode off\nallow 127.0.0.0/8\n"; then
	HAVE_BS=1
	BSPORT=$DPORT BSMON=$DMON BSENG=$DENG
	BS_STARTUP=$(grep -o 'syslog socket .*: a stream socket[^"]*' "$WORK/bs.out" | head -1)
	[ -n "$BS_STARTUP" ] || note "bs: daytimed did not say its syslog socket is a stream one: $(head -c 300 "$WORK/bs.out")"
fi

# start_xinetd ROW LOGTYPE: xinetd's internal daytime on a port of its own,
# logging HOST on success with LOGTYPE; sets XPORT and XPID.  For SYSLOG,
# xinetd runs in a private mount namespace whose /dev is a tmpfs holding
# null, zero, urandom and a /dev/log that is the bench's rsyslogd socket:
# it then logs like daytimed, through syslog(3) to the same rsyslogd, and
# the host's /dev is not touched.
start_xinetd() {
	local row=$1 logtype=$2 conf=$WORK/xinetd-$1.conf
	XPORT=$(free_port) || return 1
	cat > "$conf" <<-XEOF
	defaults
	{
	    instances      = UNLIMITED
	    cps            = 1000000 1
	    log_type       = $logtype
	}
	service daytime
	{
	    type           = INTERNAL UNLISTED
	    id             = daytime-stream
	    socket_type    = stream
	    protocol       = tcp
	    wait           = no
	    user           = root
	    port           = $XPORT
	    bind           = 127.0.0.1
	    only_from      = 127.0.0.0/8
	    log_on_success = HOST
	    flags          = REUSE
	}
	XEOF
	if [ "${logtype%% *}" = SYSLOG ]; then
		mkdir -p "$WORK/hostdev"
		unshare -m sh -c '
		    mount --make-rprivate / &&
		    mount --bind /dev "$1/hostdev" &&
		    mount -t tmpfs -o mode=755 tmpfs /dev &&
		    for n in null zero urandom random; do
			touch "/dev/$n" && mount --bind "$1/hostdev/$n" "/dev/$n" ||
			    exit 1
		    done &&
		    ln -s "$2" /dev/log &&
		    exec xinetd -dontfork -f "$3" -pidfile "$1/xinetd-$4.pid"' \
		    sh "$WORK" "$RSLOG" "$conf" "$row" \
		    </dev/null >"$WORK/xinetd-$row.out" 2>&1 &
	else
		xinetd -dontfork -f "$conf" -pidfile "$WORK/xinetd-$row.pid" \
		    </dev/null >"$WORK/xinetd-$row.out" 2>&1 &
	fi
	XPID=$!
	PIDS+=("$XPID")
	if ! wait_port "$XPORT"; then
		note "xinetd ($row) did not start: $(head -c 400 "$WORK/xinetd-$row.out")"
		return 1
	fi
}

HAVE_E=0 HAVE_E2=0
if ! want e && ! want e2; then
	:
elif ! command -v xinetd >/dev/null; then
	note "xinetd is not installed (apt-get install -y xinetd): rows e skipped"
else
	if [ $HAVE_RS = 1 ] && want e && start_xinetd e "SYSLOG daemon info"; then
		HAVE_E=1
		EPORT=$XPORT EPID=$XPID
		E_ANSWER=$(python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5); print(s.recv(100).decode("ascii", "replace"))' "$EPORT" 2>/dev/null)
	fi
	if want e2 && start_xinetd e2 "FILE $WORK/xinetd.log"; then
		HAVE_E2=1
		E2PORT=$XPORT E2PID=$XPID
	fi
fi

# openbsd-inetd's inetd: $OBSD_INETD, the installed one, or the binary
# unpacked from Debian's package into $WORK (the package conflicts with
# the other inetds, so it is never installed here).
find_obsd_inetd() {
	local deb
	if [ -n "${OBSD_INETD:-}" ]; then
		echo "$OBSD_INETD"
		return 0
	fi
	if dpkg -s openbsd-inetd >/dev/null 2>&1; then
		echo /usr/sbin/inetd
		return 0
	fi
	mkdir -p "$WORK/obsd"
	(cd "$WORK/obsd" && apt-get download openbsd-inetd) \
	    >"$WORK/obsd/download.out" 2>&1 || return 1
	deb=$(ls "$WORK"/obsd/openbsd-inetd_*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] && dpkg-deb -x "$deb" "$WORK/obsd/root" &&
	    [ -x "$WORK/obsd/root/usr/sbin/inetd" ] &&
	    echo "$WORK/obsd/root/usr/sbin/inetd"
}

# start_obsd_inetd: its internal daytime on a high port of 127.0.0.1; sets
# IPORT and IPID.  An internal service is named by its service name, so
# inetd runs in a private mount namespace whose /etc/services maps daytime
# to IPORT; the host's file is not touched.  -i: no daemon; -R: no rate
# limit worth the name.  Internal services are never logged or wrapped.
start_obsd_inetd() {
	local exe
	exe=$(find_obsd_inetd) || {
		note "openbsd-inetd is not available (apt-get download openbsd-inetd failed): row i skipped"
		return 1
	}
	IPORT=$(free_port) || return 1
	printf 'daytime\t%s/tcp\n' "$IPORT" > "$WORK/obsd-services"
	printf '127.0.0.1:daytime stream tcp nowait root internal\n' \
	    > "$WORK/obsd-inetd.conf"
	unshare -m sh -c '
	    mount --make-rprivate / &&
	    mount --bind "$1" /etc/services &&
	    exec "$2" -i -R 1000000000 "$3"' \
	    sh "$WORK/obsd-services" "$exe" "$WORK/obsd-inetd.conf" \
	    </dev/null >"$WORK/obsd-inetd.out" 2>&1 &
	IPID=$!
	PIDS+=("$IPID")
	OBSD_VERSION=$(dpkg-deb -f "$(ls "$WORK"/obsd/openbsd-inetd_*.deb 2>/dev/null | head -1)" Version 2>/dev/null ||
	    dpkg-query -W -f '${Version}' openbsd-inetd 2>/dev/null)
	if ! wait_port "$IPORT"; then
		note "openbsd-inetd did not start: $(head -c 400 "$WORK/obsd-inetd.out")"
		return 1
	fi
}

HAVE_I=0
if want i && start_obsd_inetd; then
	HAVE_I=1
	I_ANSWER=$(python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5); print(s.recv(100).decode("ascii", "replace"))' "$IPORT" 2>/dev/null)
fi

# ---------------------------------------------------------------- a, b, e rounds

say "a, b, bs, e, e2, i: minimal, daytimed ($RULES rules, audit to rsyslogd over a datagram and a stream socket, ident off), xinetd (syslog, file), openbsd-inetd"
# xinetd (e) logs to the same rsyslogd: count the engine's lines only.
[ $HAVE_B = 1 ] && B_L0=$(grep -c "daytimed\[$BENG\]" "$RSFILE")
[ $HAVE_BS = 1 ] && BS_L0=$(grep -c "daytimed\[$BSENG\]" "$RSFILE_S")
for ((r = 1; r <= REPS; r++)); do
	want a &&
	    run1 a "$MPID" -- -p "$P" -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_AL = 1 ] && want al &&
	    run1 al "$MALPID,$RSPID" -- -p "$AP" -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_B = 1 ] && want b &&
	    run1 b "$BENG,$RSPID" -- -p "$BPORT" -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_BS = 1 ] && want bs &&
	    run1 bs "$BSENG,$RSPID_S" -- -p "$BSPORT" -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_E = 1 ] &&
	    run1 e "$EPID,$RSPID" -- -A -p "$EPORT" -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_E2 = 1 ] &&
	    run1 e2 "$E2PID" -- -A -p "$E2PORT" -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_I = 1 ] &&
	    run1 i "$IPID" -- -p "$IPORT" -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_ALS = 1 ] && want als &&
	    run1 als "$MALSPID,$RSPID_S" -- -p "$ASP" -c "$CONC" -d "$DUR" -w 10
done
echo "$(rss_kb "$MPID")" > "$WORK/rows/a.rss"
if [ $HAVE_B = 1 ]; then
	echo "$(rss_kb "$BENG")" > "$WORK/rows/b.rss"
	# Every answered connection should have left one record.
	sleep 1
	B_RECORDS=$(( $(grep -c "daytimed\[$BENG\]" "$RSFILE") - B_L0 ))
	B_SAMPLE=$(grep "daytimed\[$BENG\].*proto=tcp" "$RSFILE" | tail -1 | cut -c1-300)
fi
if [ $HAVE_BS = 1 ]; then
	echo "$(rss_kb "$BSENG")" > "$WORK/rows/bs.rss"
	BS_RECORDS=$(( $(grep -c "daytimed\[$BSENG\]" "$RSFILE_S") - BS_L0 ))
	BS_SAMPLE=$(grep "daytimed\[$BSENG\].*proto=tcp" "$RSFILE_S" | tail -1 | cut -c1-300)
fi
if [ $HAVE_E = 1 ]; then
	echo "$(rss_kb "$EPID")" > "$WORK/rows/e.rss"
	E_LOG=$(grep -c "xinetd\[$EPID\]" "$RSFILE")
	E_SAMPLE=$(grep "xinetd\[$EPID\]" "$RSFILE" | tail -1 | cut -c1-200)
	stop "$EPID"
fi
if [ $HAVE_E2 = 1 ]; then
	echo "$(rss_kb "$E2PID")" > "$WORK/rows/e2.rss"
	E2_LOG=$(wc -l < "$WORK/xinetd.log")
	stop "$E2PID"
fi
if [ $HAVE_I = 1 ]; then
	echo "$(rss_kb "$IPID")" > "$WORK/rows/i.rss"
	stop "$IPID"
fi

say "UDP: minimal, daytimed (b, bs)"
for ((r = 1; r <= REPS; r++)); do
	want udp || break
	run1 a_udp "$MPID" -- -p "$P" -u -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_B = 1 ] &&
	    run1 b_udp "$BENG,$RSPID" -- -p "$BPORT" -u -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_BS = 1 ] &&
	    run1 bs_udp "$BSENG,$RSPID_S" -- -p "$BSPORT" -u -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_AL = 1 ] &&
	    run1 al_udp "$MALPID,$RSPID" -- -p "$AP" -u -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_ALS = 1 ] &&
	    run1 als_udp "$MALSPID,$RSPID_S" -- -p "$ASP" -u -c "$CONC" -d "$DUR" -w 10
done
stop "$MPID"
[ $HAVE_AL = 1 ] && stop "$MALPID"
[ $HAVE_ALS = 1 ] && stop "$MALSPID"

# strace_engine ENG PORT tcp|udp N FILE: strace -c -f on the engine ENG
# for 3 s of load (at most N connections or datagrams), into FILE;
# outside the measured runs.
strace_engine() {
	local lgp
	"$BENCH/loadgen" -p "$2" $([ "$3" = udp ] && echo -u) -c "$CONC" \
	    -n "$4" -d 30 >/dev/null &
	lgp=$!
	PIDS+=("$lgp")
	timeout -s INT 3 strace -c -f -p "$1" -o "$5" 2>/dev/null
	stop "$lgp"
}

if [ $HAVE_BS = 1 ]; then
	if [ "$PROFILE" = 1 ] && command -v strace >/dev/null; then
		# bs's system calls per connection and per datagram, as b's below
		for x in tcp udp; do
			strace_engine "$BSENG" "$BSPORT" $x 40000 "$WORK/strace_bs_$x.txt"
		done
	fi
	stop "$BSMON"
	stop "$BSENG"
fi

if [ $HAVE_B = 1 ]; then
	if [ "$PROFILE" = 1 ] && command -v strace >/dev/null; then
		# Syscalls per connection, then per datagram.
		strace_engine "$BENG" "$BPORT" tcp 20000 "$WORK/strace.txt"
		strace_engine "$BENG" "$BPORT" udp 40000 "$WORK/strace_udp.txt"
	fi
	if [ "$PROFILE" = 1 ] && command -v perf >/dev/null; then
		for x in tcp udp; do
			"$BENCH/loadgen" -p "$BPORT" $([ $x = udp ] && echo -u) \
			    -c "$CONC" -n 400000 -d 6 >/dev/null &
			lgp=$!
			PIDS+=("$lgp")
			perf record -q -g -o "$WORK/perf_$x.data" -p "$BENG" \
			    -- sleep 4 >/dev/null 2>&1
			stop "$lgp"
			perf report -q -i "$WORK/perf_$x.data" --stdio \
			    --no-children --sort dso,symbol -g none 2>/dev/null |
			    grep -v '^$' | sed 's/ *$//' | head -30 \
			    > "$WORK/perf_$x.txt"
		done
	fi
	stop "$BMON"
	stop "$BENG"
fi

# ---------------------------------------------------------------- d. silent ident

if [ $HAVE_RS = 1 ] && want d; then
	say "d. daytimed, ident against a server that never answers"
	IP=$(free_port)
	python3 "$FAKEIDENT" --port "$IP" --mode silent >"$WORK/fake.out" 2>/dev/null &
	FPID=$!
	PIDS+=("$FPID")
	if wait_port "$IP" && start_daytimed d "ident mode rules\nident timeout 5\nident port $IP\nallow 127.0.0.1 user alice\nallow 127.0.0.1\nallow 127.0.0.2\n"; then
		D_HELD=""
		for ((r = 1; r <= REPS; r++)); do
			# The no-lookup client (127.0.0.2: only a * rule) alone ...
			run1 d_alone "$DENG" -- -p "$DPORT" -s 127.0.0.2 -c 8 -d "$DUR" -w 10
			# ... and with 64 connections held by lookups that never
			# end (127.0.0.1: a user rule, so a lookup; fakeident).
			"$BENCH/loadgen" -p "$DPORT" -s 127.0.0.1 -c 64 \
			    -d $((DUR + 12)) -w 10 > "$WORK/d_silent.out" &
			SLP=$!
			PIDS+=("$SLP")
			for ((n = 0; n < 100; n++)); do
				held=$(ss -Htn state established "( dport = :$IP )" | wc -l)
				[ "$held" -ge 64 ] && break
				sleep 0.1
			done
			run1 d_loaded "$DENG" -- -p "$DPORT" -s 127.0.0.2 -c 8 -d "$DUR" -w 10
			held_end=$(ss -Htn state established "( dport = :$IP )" | wc -l)
			D_HELD="$D_HELD $held/$held_end"
			stop "$SLP"
			# Let the abandoned lookups end (timeout 5 s) before
			# the next "alone" run.
			for ((n = 0; n < 100; n++)); do
				[ "$(ss -Htn state established "( dport = :$IP )" | wc -l)" = 0 ] && break
				sleep 0.1
			done
		done
		stop "$DMON"
		stop "$DENG"
	fi
	stop "$FPID"
fi

# ---------------------------------------------------------------- g. memory

if [ $HAVE_RS = 1 ] && want g; then
	say "g. $HOLD connections waiting on ident"
	SP=$(free_port)
	"$BENCH/minimal" -S -p "$SP" & SPID=$!
	PIDS+=("$SPID")
	if wait_port "$SP" && start_daytimed g "ident mode always\nident timeout 30\nident port $SP\nallow 127.0.0.0/8\n"; then
		# A few hundred answered first, so the "before" is a warm engine
		# (127.0.0.2: its lookup is refused at once).
		"$BENCH/loadgen" -p "$DPORT" -s 127.0.0.2 -c 8 -n 500 -d 5 >/dev/null
		G_BEFORE=$(rss_kb "$DENG")
		# Opened at 2,000/s so the listen queue (511) never overflows;
		# all are held within ~5 s, well inside the 30 s ident timeout.
		"$BENCH/loadgen" -p "$DPORT" -s 127.0.0.1 -c "$HOLD" -n "$HOLD" \
		    -r 2000 -d 60 -w 60 > "$WORK/g.out" &
		GLP=$!
		PIDS+=("$GLP")
		t0=$(date +%s)
		for ((n = 0; n < 250; n++)); do
			G_HELD=$(ss -Htn state established "( dport = :$SP )" | wc -l)
			[ "$G_HELD" -ge "$HOLD" ] && break
			sleep 0.1
		done
		G_SECS=$(( $(date +%s) - t0 ))
		G_WITH=$(rss_kb "$DENG")
		G_FDS=$(ls "/proc/$DENG/fd" | wc -l)
		stop "$GLP"
		G_LG=$(cat "$WORK/g.out")
		stop_daytimed
	fi
	stop "$SPID"
fi

# ---------------------------------------------------------------- report

for r in a b bs c e e2 i f d_alone d_loaded a_udp b_udp bs_udp al als al_udp als_udp; do summarize "$r"; done


{
	echo "# daytimed benchmark results"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- machine: \`nproc\` = $(nproc), $(uname -srm), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
	echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared; other jobs ran meanwhile)"
	echo "- command: \`$CMDLINE\` (as $(id -un))"
	echo "- daytimed: \`$($DAYTIMED -V 2>&1 | head -1)\`, $(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null)"
	echo "- each row: $REPS runs of ${DUR} s of \`bench/loadgen\`, in alternating rounds with the rows it is compared with (a a-log b bs e e2 i a-log-stream, c f, d alone / d loaded, UDP a b bs a-log a-log-stream), the median rate, the median p50 and p99 (connect to EOF); errors and answers are summed over the runs; CPU is each listed process's share of one core over the runs, children included (children count when reaped, so a forking server's share can leak into the next run); host busy is the whole machine's CPU use (2 cores = 100%) during the row's runs"
	echo
	echo "| configuration | conn/s | vs minimal | p50 | p99 | errors / ok | RSS | CPU (listed processes) | CPU µs per answer (listed processes) | host busy |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"
	row a "a. minimal epoll server, $CONC in flight" a
	row al "a-log. the minimal server sending a record per answer (daytimed's fields and length, minimal -L) to b's rsyslogd, $CONC in flight (CPU: minimal, rsyslogd)" a
	row als "a-log-stream. as a-log, to bs's stream rsyslogd (CPU: minimal, rsyslogd)" a
	row b "b. daytimed, $RULES rules + allow 127/8, audit to rsyslogd, ident off, $CONC in flight (CPU: engine, rsyslogd)" a
	row bs "b-stream. daytimed as b, logging to an rsyslogd on a Unix stream socket (imptcp path=, one record a line), $CONC in flight (CPU: engine, rsyslogd)" a
	row c "c. daytimed as b, ident always against oidentd, clients from 127.0.0.1 (CPU: engine, oidentd, rsyslogd)" a
	row e "e. xinetd internal daytime, HOST logged through syslog(3) to the same rsyslogd, $CONC in flight (CPU: xinetd, rsyslogd)" a
	row e2 "e2. xinetd as e, logging to its own file instead, $CONC in flight (CPU: xinetd)" a
	row i "i. openbsd-inetd ${OBSD_VERSION:-} internal daytime (no rules, no log), $CONC in flight (CPU: inetd)" a
	row f "f. tcpserver -r -H -l0 -c $CONC + bench/minimal -o, against oidentd, clients from 127.0.0.1 (CPU: tcpserver, oidentd)" a
	row d_alone "d. daytimed, no-lookup client 127.0.0.2, 8 in flight, alone" a
	row d_loaded "d. the same, with 64 connections held by a silent ident server" a
	row a_udp "UDP: minimal server, $CONC in flight" a_udp
	row b_udp "UDP: daytimed as b, $CONC in flight" a_udp
	row bs_udp "UDP: daytimed as b-stream, $CONC in flight" a_udp
	row al_udp "UDP: the minimal server as a-log (a record per answer to b's rsyslogd) (CPU: minimal, rsyslogd)" a_udp
	row als_udp "UDP: the minimal server as a-log-stream (CPU: minimal, rsyslogd)" a_udp
	echo
	echo "Runs (conn/s of each run): a $(get a rates); b $(get b rates); c $(get c rates); e $(get e rates); e2 $(get e2 rates); i $(get i rates); f $(get f rates); d alone $(get d_alone rates); d loaded $(get d_loaded rates); UDP a $(get a_udp rates); UDP b $(get b_udp rates); b-stream $(get bs rates); UDP b-stream $(get bs_udp rates); a-log $(get al rates); a-log-stream $(get als rates); UDP a-log $(get al_udp rates); UDP a-log-stream $(get als_udp rates)."
	echo
	echo "## Memory: connections waiting on ident"
	echo
	if [ -n "${G_WITH:-}" ]; then
		echo "daytimed (ident always, timeout 30 s, no connection limit) against \`bench/minimal -S\`, a server that accepts and never answers; $HOLD clients from 127.0.0.1."
		echo
		echo "| engine RSS before | with held connections | held (ident connections established) | engine descriptors | per connection |"
		echo "| ---: | ---: | ---: | ---: | ---: |"
		awk -v b="$G_BEFORE" -v w="$G_WITH" -v h="$G_HELD" -v f="$G_FDS" \
		    'BEGIN { printf "| %.1f MB | %.1f MB | %d | %d | %.0f bytes |\n",
		    b / 1024, w / 1024, h, f, (h > 0 ? (w - b) * 1024 / h : 0) }'
		echo
		echo "$G_HELD held after ${G_SECS} s (clients opened at 2,000/s). loadgen: \`$G_LG\` (stopped on purpose while the lookups were pending: unfinished is expected)."
	else
		echo "skipped"
	fi
	echo
	echo "## Targets"
	echo
	echo "| target | measured | verdict |"
	echo "| --- | --- | --- |"
	if [ -s "$WORK/rows/b.sum" ]; then
		br=$(get b rate); ar=$(get a rate); er=$(get e rate)
		echo "| daytimed with rules and audit ≥ 0.9× the minimal server at $CONC in flight | $br vs $ar conn/s = $(ratio b a) (median of the per-round ratios: $(round_ratio b a)) | $(verdict "$br >= 0.9 * $ar") |"
		[ -s "$WORK/rows/e.sum" ] &&
		echo "| … and ahead of xinetd (e: both log each connection to the same rsyslogd) | $br vs $er conn/s = $(ratio b e) (per round: $(round_ratio b e)) | $(verdict "$br > $er") |"
		[ -s "$WORK/rows/e2.sum" ] &&
		echo "| … and at least equal to xinetd logging to its own file (e2) | $br vs $(get e2 rate) conn/s = $(ratio b e2) (per round: $(round_ratio b e2)) | $(verdict "$br >= $(get e2 rate)") |"
		[ -s "$WORK/rows/i.sum" ] &&
		echo "| … and at least equal to openbsd-inetd's internal daytime (i: no rules, no log) | $br vs $(get i rate) conn/s = $(ratio b i) (per round: $(round_ratio b i)) | $(verdict "$br >= $(get i rate)") |"
	fi
	if [ -s "$WORK/rows/b_udp.sum" ]; then
		echo "| UDP: daytimed ≥ 0.9× the minimal server | $(get b_udp rate) vs $(get a_udp rate) datagrams/s = $(ratio b_udp a_udp) (per round: $(round_ratio b_udp a_udp)) | $(verdict "$(get b_udp rate) >= 0.9 * $(get a_udp rate)") |"
	fi
	if [ -s "$WORK/rows/bs.sum" ]; then
		bsr=$(get bs rate)
		[ -s "$WORK/rows/e.sum" ] &&
		echo "| b-stream (audit to rsyslogd over a stream socket) at least equal to xinetd logging through syslog(3) (e) | $bsr vs $(get e rate) conn/s = $(ratio bs e) (per round: $(round_ratio bs e)) | $(verdict "$bsr >= $(get e rate)") |"
		[ -s "$WORK/rows/e2.sum" ] &&
		echo "| b-stream at least equal to xinetd logging to its own file (e2) | $bsr vs $(get e2 rate) conn/s = $(ratio bs e2) (per round: $(round_ratio bs e2)) | $(verdict "$bsr >= $(get e2 rate)") |"
		[ -s "$WORK/rows/i.sum" ] &&
		echo "| b-stream at least equal to openbsd-inetd's internal daytime (i) | $bsr vs $(get i rate) conn/s = $(ratio bs i) (per round: $(round_ratio bs i)) | $(verdict "$bsr >= $(get i rate)") |"
		echo "| (b-stream against b: the stream socket's gain) | $bsr vs $(get b rate) conn/s = $(ratio bs b) (per round: $(round_ratio bs b)); CPU µs per answer (engine + rsyslogd): $(get bs cpuus) vs $(get b cpuus) | |"
	fi
	if [ -s "$WORK/rows/bs_udp.sum" ]; then
		echo "| UDP: daytimed as b-stream ≥ 0.9× the minimal server | $(get bs_udp rate) vs $(get a_udp rate) datagrams/s = $(ratio bs_udp a_udp) (per round: $(round_ratio bs_udp a_udp)); CPU µs per answer (engine + rsyslogd): $(get bs_udp cpuus) vs b's $(get b_udp cpuus) | $(verdict "$(get bs_udp rate) >= 0.9 * $(get a_udp rate)") |"
	fi
	# The record's own cost: the minimal server logging as daytimed does.
	[ -s "$WORK/rows/al.sum" ] &&
	echo "| (the record's own cost: a-log, the minimal server sending daytimed's record to b's rsyslogd, against a) | $(get al rate) vs $(get a rate) conn/s = $(ratio al a) (per round: $(round_ratio al a)); CPU µs per answer (minimal + rsyslogd): $(get al cpuus) | |"
	[ -s "$WORK/rows/al.sum" ] && [ -s "$WORK/rows/e2.sum" ] &&
	echo "| (a-log against xinetd logging to its own file, e2: what a server that logs each connection through rsyslogd's datagram socket reaches against e2 here) | $(get al rate) vs $(get e2 rate) conn/s = $(ratio al e2) (per round: $(round_ratio al e2)) | |"
	[ -s "$WORK/rows/als.sum" ] && [ -s "$WORK/rows/e2.sum" ] &&
	echo "| (the same through the stream socket: a-log-stream against e2; against a) | $(get als rate) vs $(get e2 rate) conn/s = $(ratio als e2) (per round: $(round_ratio als e2)); against a: $(ratio als a) | |"
	[ -s "$WORK/rows/al_udp.sum" ] &&
	echo "| (UDP: the record's own cost, a-log against a; daytimed b against a-log) | $(get al_udp rate) vs $(get a_udp rate) datagrams/s = $(ratio al_udp a_udp) (per round: $(round_ratio al_udp a_udp)); b: $(ratio b_udp al_udp) of a-log (per round: $(round_ratio b_udp al_udp)); CPU µs per answer (minimal + rsyslogd): $(get al_udp cpuus) | |"
	[ -s "$WORK/rows/als_udp.sum" ] &&
	echo "| (UDP over the stream socket: a-log-stream against a; b-stream against a-log-stream) | $(get als_udp rate) vs $(get a_udp rate) datagrams/s = $(ratio als_udp a_udp) (per round: $(round_ratio als_udp a_udp)); b-stream: $(ratio bs_udp als_udp) of a-log-stream | |"
	if [ -s "$WORK/rows/c.sum" ] && [ -s "$WORK/rows/f.sum" ]; then
		cr=$(get c rate); fr=$(get f rate)
		echo "| with ident against oidentd ≥ 1.5× tcpserver -r | $cr vs $fr conn/s = $(ratio c f) (per round: $(round_ratio c f)) | $(verdict "$cr >= 1.5 * $fr") |"
		# oidentd's share over the c/f rounds; the engine's during c
		oidp=$(printf '%s' "${CF_OID:-0}" | sed 's/%.*//')
		engp=$(get c cpu | cut -d' ' -f1 | tr -d '%')
		echo "| … limited by oidentd's own rate, not by daytimed (oidentd busy, at least 90% of a core; daytimed's engine at most half of oidentd's share) | oidentd with its children: ${CF_OID:-?} over the c/f rounds; daytimed's engine: ${engp:-?}% of one core during c | $(verdict "${oidp:-0} >= 90 && ${engp:-999} <= ${oidp:-0} / 2") |"
	fi
	if [ -s "$WORK/rows/d_loaded.sum" ]; then
		pa=$(get d_alone p99); pl=$(get d_loaded p99)
		echo "| no-lookup client's p99 with the silent-ident load within 20% of without | $pl µs vs $pa µs (runs: $(get d_loaded p99s) vs $(get d_alone p99s); $(awk -v a="$pa" -v l="$pl" 'BEGIN { printf "%+.0f%%", (a > 0 ? 100 * (l - a) / a : 0) }')) | $(verdict "$pl <= 1.2 * $pa") |"
	fi
	if [ -n "${G_WITH:-}" ]; then
		G_10K=$(awk -v b="$G_BEFORE" -v w="$G_WITH" -v h="$G_HELD" 'BEGIN { printf "%.0f", (h > 0 ? b + (w - b) * 10000 / h : 0) }')
		echo "| 10,000 connections waiting on ident under 20 MB RSS | $(mb "$G_WITH") with $G_HELD held; $(mb "$G_10K") at 10,000 by the per-connection figure | $(verdict "$G_10K < 20 * 1024 && $G_HELD >= 0.95 * $HOLD") |"
	fi
	echo
	echo "## Details"
	echo
	[ -n "${B_RECORDS:-}" ] && echo "- b: rsyslogd's file grew by $B_RECORDS lines during b's TCP runs ($(get b ok) answers). A record: \`$B_SAMPLE\`"
	[ -n "${BS_RECORDS:-}" ] && echo "- b-stream: rsyslogd's (imptcp) file grew by $BS_RECORDS lines during b-stream's TCP runs ($(get bs ok) answers); daytimed's startup log: \`${BS_STARTUP:-}\`. A record: \`$BS_SAMPLE\`"
	[ -n "${C_SAMPLE:-}" ] && echo "- c: a record: \`$C_SAMPLE\`; ident_status counts over c's engine's records: $C_STATUS"
	[ -n "${D_HELD:-}" ] && echo "- d: ident connections held by the silent-ident load at the start/end of each loaded run:$D_HELD"
	[ -n "${E_LOG:-}" ] && echo "- e: xinetd's lines in rsyslogd's file: $E_LOG, e.g. \`$E_SAMPLE\` (xinetd runs in a private mount namespace whose /dev is a tmpfs with null, zero, urandom and random from the host and /dev/log linked to the bench's rsyslogd socket: this machine has no /dev/log, and creating one on the host would disturb other work). For e and e2, \`cps\` is raised from its default 50/s, which would stop the service for 10 s, and \`instances = UNLIMITED\`; xinetd's daytime answer is not in ctime form, e.g. \`$(printf '%s' "${E_ANSWER:-}" | tr -d '\r\n')\`, so its loadgen runs with -A: any one CR LF line"
	[ -n "${E2_LOG:-}" ] && echo "- e2: xinetd logged $E2_LOG lines to its file (\`log_type = FILE\`)"
	[ -n "${I_ANSWER:-}" ] && echo "- i: openbsd-inetd's \`inetd -i -R 1000000000\` with \`127.0.0.1:daytime stream tcp nowait root internal\`, in a private mount namespace whose /etc/services maps daytime to the row's port (an internal service is found by its name); it logs nothing for internal services. Its answer: \`$(printf '%s' "$I_ANSWER" | tr -d '\r\n')\`"
	[ -n "${F_SAMPLE:-}" ] && echo "- f: a tcpserver log line: \`$F_SAMPLE\`"
	[ -n "${CF_TW:-}" ] && echo "- c, f: TIME_WAIT sockets on the host before each run, in run order:$CF_TW (oidentd appears to scan the host's socket table for each query; the order alternates so that neither row always meets the larger table)"
	for n in "${NOTES[@]}"; do echo "- $n"; done
	if [ -s "$WORK/strace.txt" ]; then
		echo
		echo "### strace -c -f on the engine, 3 s of load as in b"
		echo
		echo '```'
		head -30 "$WORK/strace.txt"
		echo '```'
	fi
	if [ -s "$WORK/strace_udp.txt" ]; then
		echo
		echo "### strace -c -f on the engine, 3 s of UDP load as in b"
		echo
		echo '```'
		head -30 "$WORK/strace_udp.txt"
		echo '```'
	fi
	for x in tcp udp; do
		[ -s "$WORK/strace_bs_$x.txt" ] || continue
		echo
		echo "### strace -c -f on b-stream's engine, 3 s of $x load"
		echo
		echo '```'
		head -30 "$WORK/strace_bs_$x.txt"
		echo '```'
	done
	for x in tcp udp; do
		[ -s "$WORK/perf_$x.txt" ] || continue
		echo
		echo "### perf record -g on the engine, 4 s of $x load as in b (self time, top symbols; cpu-clock, this VM has no hardware counters)"
		echo
		echo '```'
		cat "$WORK/perf_$x.txt"
		echo '```'
	done
	# The other scripts' sections follow their markers: kept.
	echo
	results_kept
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "wrote $OUT"

# Behind HAProxy: a script of its own, which replaces its section in OUT.
if want proxy; then
	if command -v haproxy >/dev/null; then
		REPS=$REPS DUR=$DUR CONC=$CONC RULES=$RULES OUT=$OUT \
		    "$BENCH/proxy.sh" || say "bench/proxy.sh failed"
	else
		say "haproxy is not installed (apt-get install -y haproxy): no rows behind HAProxy"
	fi
fi
