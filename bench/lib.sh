# SPDX-License-Identifier: ISC
#
# bench/lib.sh -- what the bench scripts (run.sh, lists.sh, proxy.sh)
# share: stopping what they started by PID, ports, the engine of a
# monitor, CPU ticks, medians, notes, a private rsyslogd, one loadgen run
# and the summaries and ratios of rows, daytimed with the rule file, and
# the report's rows.  Sourced after PIDS=() and WORK are set; it sets the
# EXIT trap that stops everything.

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

# start_minimal ARGS...: bench/minimal ARGS -p PORT on a free port, waited
# for; sets MIN_PORT and MIN_PID, and fails when nothing came to listen.
start_minimal() {
	MIN_PORT=$(free_port)
	"$BENCH/minimal" "$@" -p "$MIN_PORT" & MIN_PID=$!
	PIDS+=("$MIN_PID")
	wait_port "$MIN_PORT"
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
# limit; sets RSPID.  "start_rsyslog stream": another one whose socket is
# a Unix stream one (imptcp path=, one message a line), the same omfile
# template; sets RSLOG_S, RSFILE_S, RSPID_S.
start_rsyslog() {
	local exe n dir input pid
	exe=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
	[ -x "$exe" ] || { note "rsyslogd is not installed: rows b-d, g skipped"; return 1; }
	if [ "${1:-}" = stream ]; then
		dir=$WORK/rs-stream
		input="module(load=\"imptcp\")
input(type=\"imptcp\" path=\"$dir/log\" unlink=\"on\" fileCreateMode=\"0666\")"
	else
		dir=$WORK/rs
		input="input(type=\"imuxsock\" Socket=\"$dir/log\" RateLimit.Interval=\"0\")"
	fi
	mkdir -p "$dir"
	chmod 755 "$dir"
	cat > "$dir/rsyslog.conf" <<-EOF
	global(workDirectory="$dir")
	module(load="imuxsock" SysSock.Use="off")
	$input
	*.* action(type="omfile" file="$dir/messages" template="RSYSLOG_TraditionalFileFormat")
	EOF
	"$exe" -n -f "$dir/rsyslog.conf" -i "$dir/pid" \
	    </dev/null >/dev/null 2>"$dir/stderr" &
	pid=$!
	PIDS+=("$pid")
	if [ "${1:-}" = stream ]; then
		RSLOG_S=$dir/log RSFILE_S=$dir/messages RSPID_S=$pid
	else
		RSLOG=$dir/log RSFILE=$dir/messages RSPID=$pid
	fi
	for ((n = 0; n < 100; n++)); do
		[ -S "$dir/log" ] && { chmod 666 "$dir/log"; return 0; }
		sleep 0.1
	done
	note "rsyslogd${1:+ ($1)} did not start: $(cat "$dir/stderr")"
	return 1
}

# ---------------------------------------------------------------- rows

# Results, one row per configuration, kept in files under $WORK/rows.
mkdir -p "$WORK/rows"

# run1 ROW CPU_PIDS -- LOADGEN_ARGS: one loadgen run, appended to ROW.
# CPU_PIDS is a comma-separated list of processes whose CPU use to count
# over the run (their reaped children included).
run1() {
	local name=$1 cpupids=$2 line w0 w1 pid i h0
	local -a tk0
	shift 3
	i=0
	for pid in ${cpupids//,/ }; do tk0[$i]=$(ticks "$pid"); i=$((i + 1)); done
	h0=$(hostcpu)
	w0=$(date +%s.%N)
	line=$("$BENCH/loadgen" "$@")
	w1=$(date +%s.%N)
	echo "$h0 $(hostcpu)" >> "$WORK/rows/$name.host"
	i=0
	for pid in ${cpupids//,/ }; do
		echo "$i $(( $(ticks "$pid") - tk0[$i] ))" >> "$WORK/rows/$name.ticks"
		i=$((i + 1))
	done
	awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }' >> "$WORK/rows/$name.wall"
	say "  $name: $line"
	printf '%s\n' "$line" >> "$WORK/rows/$name.runs"
}

# Median rate, p50, p99, total errors and answers, CPU of a row's runs.
summarize() {
	local f="$WORK/rows/$1.runs" line wall
	[ -s "$f" ] || return 0
	wall=$(awk '{ s += $1 } END { print s }' "$WORK/rows/$1.wall")
	{
		echo "rate=$(while read -r line; do kv rate "$line"; done < "$f" | median)"
		echo "p50=$(while read -r line; do kv p50_us "$line"; done < "$f" | median)"
		echo "p99=$(while read -r line; do kv p99_us "$line"; done < "$f" | median)"
		echo "err=$(while read -r line; do kv err "$line"; done < "$f" | awk '{ s += $1 } END { print s + 0 }')"
		echo "ok=$(while read -r line; do kv ok "$line"; done < "$f" | awk '{ s += $1 } END { print s + 0 }')"
		echo "rates=$(while read -r line; do kv rate "$line"; done < "$f" | tr '\n' '/' | sed 's|/$||')"
		echo "p99s=$(while read -r line; do kv p99_us "$line"; done < "$f" | tr '\n' '/' | sed 's|/$||')"
		awk -v w="$wall" -v k="$CLK" '{ t[$1] += $2; if ($1 > n) n = $1 }
		    END { printf "cpu=\""; for (i = 0; i <= n; i++)
		    printf "%.0f%% ", 100 * t[i] / k / w; print "\"" }' \
		    "$WORK/rows/$1.ticks"
	} > "$WORK/rows/$1.sum"
	echo "host=$(awk '{ b += $3 - $1; t += $4 - $2 }
	    END { if (t > 0) printf "%.0f%%", 100 * b / t }' "$WORK/rows/$1.host")" \
	    >> "$WORK/rows/$1.sum"
	echo "cpuus=\"$(awk -v k="$CLK" -v n="$(get "$1" ok)" \
	    '{ t[$1] += $2; if ($1 > m) m = $1 }
	    END { for (i = 0; i <= m; i++)
	    printf "%s%.1f", (i ? " + " : ""), (n > 0 ? t[i] / k * 1e6 / n : 0) }' \
	    "$WORK/rows/$1.ticks")\"" >> "$WORK/rows/$1.sum"
}

# The median over rounds of ROW's rate divided by BASE's in the same round.
round_ratio() {
	paste <(while read -r l; do kv rate "$l"; done < "$WORK/rows/$1.runs") \
	    <(while read -r l; do kv rate "$l"; done < "$WORK/rows/$2.runs") |
	    awk '$2 > 0 { printf "%.3f\n", $1 / $2 }' | sort -n |
	    awk '{ v[NR] = $1 } END { if (NR) printf "%.2f×", v[int((NR + 1) / 2)] }'
}

get() {	# get ROW KEY
	sed -n "s/^$2=//p" "$WORK/rows/$1.sum" 2>/dev/null | tr -d '"'
}

# ---------------------------------------------------------------- servers

# The rule file: RULES netblocks under 10.0.0.0/8, /24s, allow and deny mixed.
make_rules() {
	awk -v n="$RULES" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "%s 10.%d.%d.0/24\n", (i % 3 ? "allow" : "deny"),
			    int(i / 256) % 256, i % 256
	}' > "$WORK/rules.conf"
}

# start_daytimed NAME EXTRA_CONFIG_TEXT [proxy]: sets DPORT, DMON, DENG.
# With "proxy", the TCP listener is a PROXY protocol one.  It logs to
# $DT_SYSLOG when set (e.g. $RSLOG_S, the stream rsyslogd), else $RSLOG.
start_daytimed() {
	local conf=$WORK/$1.conf
	DPORT=$(free_port) || return 1
	{
		echo "listen tcp 127.0.0.1:$DPORT${3:+ $3}"
		echo "listen udp 127.0.0.1:$DPORT"
		echo "user nobody"
		echo "syslog socket ${DT_SYSLOG:-$RSLOG}"
		[ -z "${WORKERS:-}" ] || echo "workers $WORKERS"
		# All the load comes from 127.0.0.1: the built-in limits (10
		# new connections a second per source, ...) would measure
		# themselves. Off, as before there were any (LIMITS_OFF=0 for
		# a daytimed from before them, which knows no "limit rate":
		# bench/compare.sh).
		[ "${LIMITS_OFF:-1}" = 0 ] ||
		for l in connections per-source rate udp-rate udp-total; do
			echo "limit $l off"
		done
		printf '%b' "$2"
		echo "include $WORK/rules.conf"
	} > "$conf"
	chmod 644 "$conf" "$WORK/rules.conf"
	# Daemonized, as in production: in the foreground (-f) every record
	# would also be copied to stderr.  The command returns once the
	# daemon listens; the pidfile names the monitor.
	if ! "$DAYTIMED" -c "$conf" -p "$WORK/$1.pid" </dev/null \
	    >"$WORK/$1.out" 2>&1; then
		note "daytimed ($1) did not start: $(head -c 500 "$WORK/$1.out")"
		return 1
	fi
	DMON=$(cat "$WORK/$1.pid")
	PIDS+=("$DMON")
	wait_port "$DPORT" || { note "daytimed ($1) does not listen"; return 1; }
	DENG=$(engine_of "$DMON") || { note "daytimed ($1): no engine process"; return 1; }
	PIDS+=("$DENG")
}

stop_daytimed() {
	stop "$DMON"
	stop "$DENG"
}

# ---------------------------------------------------------------- report

ratio() {	# ratio ROW BASEROW
	awk -v a="$(get "$1" rate)" -v b="$(get "$2" rate)" \
	    'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "-" }'
}
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

row() {	# row ROW LABEL BASEROW
	local r=$1
	if [ ! -s "$WORK/rows/$r.sum" ]; then
		printf '| %s | skipped | | | | | | | | |\n' "$2"
		return
	fi
	local rss
	rss=$(cat "$WORK/rows/$r.rss" 2>/dev/null)
	printf '| %s | %s | %s | %s µs | %s µs | %s / %s | %s | %s | %s | %s |\n' \
	    "$2" "$(get "$r" rate)" "$(ratio "$r" "$3")" "$(get "$r" p50)" \
	    "$(get "$r" p99)" "$(get "$r" err)" "$(get "$r" ok)" \
	    "${rss:+$(mb "$rss")}" "$(get "$r" cpu)" "$(get "$r" cpuus)" "$(get "$r" host)"
}

verdict() {	# verdict CONDITION(awk) -> met / not met
	awk "BEGIN { exit !($1) }" && echo "**met**" || echo "**not met**"
}
