# SPDX-License-Identifier: ISC
#
# bench/lib.sh -- what the bench scripts (run.sh, lists.sh) share: stopping
# what they started by PID, ports, the engine of a monitor, CPU ticks,
# medians, notes, and a private rsyslogd.  Sourced after PIDS=() and
# WORK are set; it sets the EXIT trap that stops everything.

say() { printf '%s\n' "$*" >&2; }

# The children of PID (a forking server's workers), by PID.
children() {
	cat /proc/"$1"/task/*/children 2>/dev/null
}

# TERM PID, wait up to 5 s, then KILL; then the same for the children it
# had (oidentd's and tcpserver's per-connection children outlive a parent
# stopped mid-query).
terminate() {
	local pid=$1 kids n k
	kids=$(children "$pid")
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((n = 0; n < 50; n++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for k in $kids; do
		kill -TERM "$k" 2>/dev/null
	done
}

# Stop every process we started, newest first, by PID.
cleanup() {
	local i
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		terminate "${PIDS[$i]}"
	done
	PIDS=()
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Stop one process we started (and forget it).
stop() {
	local pid=$1 i
	terminate "$pid"
	for i in "${!PIDS[@]}"; do
		[ "${PIDS[$i]}" = "$pid" ] && unset 'PIDS[i]'
	done
	PIDS=("${PIDS[@]}")
}

# A TCP and UDP port on 127.0.0.1, below the ephemeral range, free now.
free_port() {
	local p n
	for ((n = 0; n < 200; n++)); do
		p=$((20000 + RANDOM % 12000))
		if [ -z "$(ss -Hatun "( sport = :$p )" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Wait (at most 10 s) until something listens on 127.0.0.1:PORT over TCP.
wait_port() {
	local n
	for ((n = 0; n < 100; n++)); do
		[ -n "$(ss -Hltn "( sport = :$1 )" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	say "nothing listens on port $1"
	return 1
}

# The engine: the monitor's only child (polled, 10 s at most).
engine_of() {
	local n c
	for ((n = 0; n < 100; n++)); do
		c=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
		c=${c%% *}
		if [ -n "$c" ]; then
			echo "$c"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# CPU ticks of PID with its reaped children (utime stime cutime cstime).
ticks() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	s=${s##*) }
	echo "$s" | awk '{ print $12 + $13 + $14 + $15 }'
}

# TIME_WAIT sockets on the host now.
timewait() {
	ss -s | sed -n 's/.*timewait \([0-9]*\).*/\1/p'
}

# Busy and total jiffies of the whole host, from /proc/stat.
hostcpu() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0
}

kv() {	# kv KEY LINE
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

median() {	# median of the numbers on stdin
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0;
	    else if (NR % 2) print v[(NR + 1) / 2];
	    else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

NOTES=()
note() { NOTES+=("$*"); say "note: $*"; }

# A private rsyslogd on its own socket ($RSLOG), writing $RSFILE, no rate
# limit; sets RSPID.
start_rsyslog() {
	local exe n
	exe=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
	[ -x "$exe" ] || { note "rsyslogd is not installed: rows b-d, g skipped"; return 1; }
	mkdir -p "$WORK/rs"
	chmod 755 "$WORK/rs"
	RSLOG=$WORK/rs/log
	RSFILE=$WORK/rs/messages
	cat > "$WORK/rs/rsyslog.conf" <<-EOF
	global(workDirectory="$WORK/rs")
	module(load="imuxsock" SysSock.Use="off")
	input(type="imuxsock" Socket="$RSLOG" RateLimit.Interval="0")
	*.* action(type="omfile" file="$RSFILE" template="RSYSLOG_TraditionalFileFormat")
	EOF
	"$exe" -n -f "$WORK/rs/rsyslog.conf" -i "$WORK/rs/pid" \
	    </dev/null >/dev/null 2>"$WORK/rs/stderr" &
	RSPID=$!
	PIDS+=("$RSPID")
	for ((n = 0; n < 100; n++)); do
		[ -S "$RSLOG" ] && { chmod 666 "$RSLOG"; return 0; }
		sleep 0.1
	done
	note "rsyslogd did not start: $(cat "$WORK/rs/stderr")"
	return 1
}

