#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/proxy.sh -- daytimed behind HAProxy against the minimal server
# behind the same HAProxy, measured in alternating rounds in one run: the
# ratio is the cost of reading the PROXY header (and of the rules and the
# audit record) when a load balancer sits in front.  Writes its section
# into bench/RESULTS.md after the marker <!-- bench/proxy.sh --> (replacing
# the last one; before bench/lists.sh's section, which stays the last);
# bench/run.sh runs it at its end.  See bench/README.md.  Row j-stream is
# row j with daytimed logging to an rsyslogd on a Unix stream socket
# (imptcp path=), as run.sh's b-stream.  Rows h-log and h-log-stream are
# the minimal server sending, for each answer, a record of the fields and
# length of daytimed's to the same rsyslogds (minimal -L): what the
# record the contract asks for costs a server by itself.
#
#   REPS=3 DUR=5 CONC=64 RULES=10000 bench/proxy.sh    (from a built tree)
#
# Loopback and high ports only.  Every process it starts is stopped by PID
# on exit; every load is bounded in count and time.

set -u

BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
DAYTIMED=${DAYTIMED:-$TOP/daytimed}
REPS=${REPS:-3}
DUR=${DUR:-5}
CONC=${CONC:-64}
RULES=${RULES:-10000}
OUT=${OUT:-$BENCH/RESULTS.md}
CLK=$(getconf CLK_TCK)
CMDLINE="${WORKERS:+WORKERS=$WORKERS }REPS=$REPS DUR=$DUR CONC=$CONC RULES=$RULES bench/proxy.sh"
MARK="<!-- bench/proxy.sh -->"

PIDS=()
WORK=$(mktemp -d /tmp/dtproxy.XXXXXX)
chmod 755 "$WORK"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
# shellcheck source=bench/results.sh
. "$BENCH/results.sh"

[ -x "$DAYTIMED" ] || { say "no $DAYTIMED: build the tree first"; exit 1; }
make -s -C "$BENCH" >/dev/null || { say "bench build failed"; exit 1; }
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
[ -x "$HAPROXY" ] || { say "haproxy is not installed (apt-get install -y haproxy): nothing measured"; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
make_rules
start_rsyslog || exit 1
HAVE_RSS=0
start_rsyslog stream && HAVE_RSS=1

# The reference: bench/minimal -P reads the header (one read) and answers.
start_minimal -P || exit 1
MP=$MIN_PORT MPID=$MIN_PID
# ... and the same, sending a record per answer (-L) to each rsyslogd.
start_minimal -P -L "$RSLOG" || exit 1
ML=$MIN_PORT MLPID=$MIN_PID
MLS=
if [ $HAVE_RSS = 1 ]; then
	start_minimal -P -L "$RSLOG_S" || exit 1
	MLS=$MIN_PORT MLSPID=$MIN_PID
fi

# daytimed as run.sh's row b (the rules, audit records to rsyslogd, ident
# off), on a proxy listener that trusts HAProxy's address, and on a plain
# listener beside it (row j0: the same path without a header).
PLAIN=$(free_port)
start_daytimed p "ident mode off\nlisten tcp 127.0.0.1:$PLAIN\nproxy 127.0.0.1\nallow 127.0.0.0/8\n" proxy ||
    exit 1
PPORT=$DPORT PMON=$DMON PENG=$DENG
# j-stream: the same daytimed, logging to the stream rsyslogd
HAVE_JS=0
if [ $HAVE_RSS = 1 ] &&
    DT_SYSLOG=$RSLOG_S start_daytimed ps "ident mode off\nproxy 127.0.0.1\nallow 127.0.0.0/8\n" proxy; then
	HAVE_JS=1
	SPORT=$DPORT SMON=$DMON SENG=$DENG
fi

# One HAProxy, a frontend for each: the same proxy in front of all.
FH=$(free_port) FI=$(free_port) FV=$(free_port) F0=$(free_port)
FS=$(free_port) FL=$(free_port) FLS=$(free_port)
while [ "$(printf '%s\n' "$FH" "$FI" "$FV" "$F0" "$FS" "$FL" "$FLS" "$PLAIN" \
    "$PPORT" "$MP" "$ML" "${MLS:-none}" "${SPORT:-0}" | sort -u | wc -l)" -ne 13 ]; do
	FI=$(free_port) FV=$(free_port) F0=$(free_port) FS=$(free_port)
	FL=$(free_port) FLS=$(free_port)
done
cat > "$WORK/haproxy.cfg" <<EOF
global
    maxconn 4096
defaults
    mode tcp
    timeout connect 5s
    timeout client 10s
    timeout server 10s
listen minimal
    bind 127.0.0.1:$FH
    server minimal 127.0.0.1:$MP send-proxy-v2
listen minimal-log
    bind 127.0.0.1:$FL
    server minimal 127.0.0.1:$ML send-proxy-v2
listen minimal-log-stream
    bind 127.0.0.1:$FLS
    server minimal 127.0.0.1:${MLS:-1} send-proxy-v2
listen daytimed
    bind 127.0.0.1:$FI
    server daytimed 127.0.0.1:$PPORT send-proxy-v2
listen daytimed-v1
    bind 127.0.0.1:$FV
    server daytimed 127.0.0.1:$PPORT send-proxy
listen daytimed-plain
    bind 127.0.0.1:$F0
    server daytimed 127.0.0.1:$PLAIN
listen daytimed-stream
    bind 127.0.0.1:$FS
    server daytimed 127.0.0.1:${SPORT:-1} send-proxy-v2
EOF
"$HAPROXY" -db -f "$WORK/haproxy.cfg" </dev/null >"$WORK/haproxy.out" 2>&1 &
HPID=$!
PIDS+=("$HPID")
for p in "$FH" "$FI" "$FV" "$F0" "$FS" "$FL" "$FLS"; do
	wait_port "$p" || { say "haproxy: $(head -c 500 "$WORK/haproxy.out")"; exit 1; }
done

say "proxy: minimal -P (alone, and logging as daytimed does), daytimed (send-proxy-v2, send-proxy, none; send-proxy-v2 logging over a stream socket), all behind one HAProxy"
P_L0=$(grep -c "daytimed\[$PENG\]" "$RSFILE")
[ $HAVE_JS = 1 ] && S_L0=$(grep -c "daytimed\[$SENG\]" "$RSFILE_S")
for ((r = 1; r <= REPS; r++)); do
	run1 h "$MPID,$HPID" -- -p "$FH" -c "$CONC" -d "$DUR" -w 10
	run1 hl "$MLPID,$RSPID,$HPID" -- -p "$FL" -c "$CONC" -d "$DUR" -w 10
	run1 j "$PENG,$RSPID,$HPID" -- -p "$FI" -c "$CONC" -d "$DUR" -w 10
	run1 j1 "$PENG,$RSPID,$HPID" -- -p "$FV" -c "$CONC" -d "$DUR" -w 10
	run1 j0 "$PENG,$RSPID,$HPID" -- -p "$F0" -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_JS = 1 ] &&
	    run1 js "$SENG,$RSPID_S,$HPID" -- -p "$FS" -c "$CONC" -d "$DUR" -w 10
	[ $HAVE_RSS = 1 ] &&
	    run1 hls "$MLSPID,$RSPID_S,$HPID" -- -p "$FLS" -c "$CONC" -d "$DUR" -w 10
done
echo "$(rss_kb "$MPID")" > "$WORK/rows/h.rss"
echo "$(rss_kb "$PENG")" > "$WORK/rows/j.rss"
sleep 1		# the last records reach rsyslogd's file
P_RECORDS=$(( $(grep -c "daytimed\[$PENG\]" "$RSFILE") - P_L0 ))
[ $HAVE_JS = 1 ] &&
    S_RECORDS=$(( $(grep -c "daytimed\[$SENG\]" "$RSFILE_S") - S_L0 ))
P_VIA=$(grep "daytimed\[$PENG\].* via=" "$RSFILE" | grep -vc " peer=127\.0\.0\.1:")
P_SAMPLE=$(grep "daytimed\[$PENG\].* via=" "$RSFILE" | tail -1 | cut -c1-320)
HAPROXY_V=$("$HAPROXY" -v | head -1)
for r in h hl j j1 j0 js hls; do summarize "$r"; done

cpu() {	# cpu ROW N: the Nth process's CPU µs per answer in ROW
	get "$1" cpuus | awk -F ' [+] ' -v n="$2" '{ print $n }'
}

section() {
	echo "## Behind HAProxy (bench/proxy.sh)"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- machine: \`nproc\` = $(nproc), $(uname -srm); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- command: \`$CMDLINE\` (as $(id -un))"
	echo "- daytimed: \`$($DAYTIMED -V 2>&1 | head -1)\`, $(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null); \`$HAPROXY_V\`"
	echo "- one HAProxy (TCP mode, one frontend per server) in front of \`bench/minimal -P\` (one read of the header, discarded, then the line) and of daytimed as row b on a \`proxy\` listener; $REPS runs of ${DUR} s each, in alternating rounds (h h-log j j1 j0 js h-log-stream, h h-log …), $CONC in flight from spread sources"
	echo
	echo "| configuration | conn/s | vs minimal behind HAProxy | p50 | p99 | errors / ok | RSS | CPU (listed processes) | CPU µs per answer (listed processes) | host busy |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"
	row h "h. HAProxy send-proxy-v2 → bench/minimal -P (CPU: minimal, haproxy)" h
	row hl "h-log. as h, the minimal server sending a record per answer (daytimed's fields and length, minimal -L) to the rsyslogd of j (CPU: minimal, rsyslogd, haproxy)" h
	row hls "h-log-stream. as h-log, to the stream rsyslogd of j-stream (CPU: minimal, rsyslogd, haproxy)" h
	row j "j. HAProxy send-proxy-v2 → daytimed, $RULES rules, audit to rsyslogd (CPU: engine, rsyslogd, haproxy)" h
	row j1 "j1. HAProxy send-proxy (v1 text) → the same daytimed (CPU: engine, rsyslogd, haproxy)" h
	row j0 "j0. HAProxy with no header → the same daytimed on a plain listener, every peer HAProxy itself (CPU: engine, rsyslogd, haproxy)" h
	row js "j-stream. as j, daytimed logging to an rsyslogd on a Unix stream socket (imptcp path=) (CPU: engine, rsyslogd, haproxy)" h
	echo
	echo "Runs (conn/s of each run): h $(get h rates); h-log $(get hl rates); h-log-stream $(get hls rates); j $(get j rates); j1 $(get j1 rates); j0 $(get j0 rates); j-stream $(get js rates)."
	echo
	echo "| target | measured | verdict |"
	echo "| --- | --- | --- |"
	if [ -s "$WORK/rows/j.sum" ] && [ -s "$WORK/rows/h.sum" ]; then
		jr=$(get j rate); hr=$(get h rate)
		echo "| daytimed behind HAProxy ≥ 0.95× the minimal server behind the same HAProxy (send-proxy-v2) | $jr vs $hr conn/s = $(ratio j h) (median of the per-round ratios: $(round_ratio j h)) | $(verdict "$jr >= 0.95 * $hr") |"
		echo "| (for reference: the same with v1 text headers, j1) | $(get j1 rate) vs $hr conn/s = $(ratio j1 h) (per round: $(round_ratio j1 h)) | $(verdict "$(get j1 rate) >= 0.95 * $hr") |"
		echo "| (the header's own cost: j against j0, the same daytimed behind the same HAProxy with no header) | $jr vs $(get j0 rate) conn/s = $(ratio j j0) (per round: $(round_ratio j j0)) | $(verdict "$jr >= 0.95 * $(get j0 rate)") |"
		[ -s "$WORK/rows/js.sum" ] &&
		echo "| j-stream (logging over a stream socket) ≥ 0.95× the minimal server behind the same HAProxy | $(get js rate) vs $hr conn/s = $(ratio js h) (per round: $(round_ratio js h)) | $(verdict "$(get js rate) >= 0.95 * $hr") |"
		[ -s "$WORK/rows/hl.sum" ] &&
		echo "| (the record's own cost, the ceiling for any server that logs each connection through rsyslogd's datagram socket: h-log against h) | $(get hl rate) vs $hr conn/s = $(ratio hl h) (per round: $(round_ratio hl h)) | |"
		[ -s "$WORK/rows/hls.sum" ] &&
		echo "| (the same through the stream socket: h-log-stream against h) | $(get hls rate) vs $hr conn/s = $(ratio hls h) (per round: $(round_ratio hls h)) | |"
		[ -s "$WORK/rows/hl.sum" ] &&
		echo "| (daytimed against the minimal server when both log: j against h-log) | $jr vs $(get hl rate) conn/s = $(ratio j hl) (per round: $(round_ratio j hl)) | |"
		[ -s "$WORK/rows/hls.sum" ] && [ -s "$WORK/rows/js.sum" ] &&
		echo "| (the same over the stream socket: j-stream against h-log-stream) | $(get js rate) vs $(get hls rate) conn/s = $(ratio js hls) (per round: $(round_ratio js hls)) | |"
	fi
	echo
	echo "- where the time goes, in CPU µs per answer: daytimed's engine $(cpu j 1) with a v2 header (j), $(cpu j0 1) with none (j0): the header's own cost in daytimed is the difference; \`minimal -P\` $(cpu h 1); rsyslogd $(cpu j 2) for daytimed's record; HAProxy $(cpu h 2) (h), $(cpu j 3) (j), $(cpu j0 3) (j0); the minimal server logging (h-log) $(cpu hl 1), rsyslogd $(cpu hl 2) for its record, HAProxy $(cpu hl 3). Two cores carry HAProxy, the load generator and the server, so the server's CPU per answer sets the rate."
	[ -s "$WORK/rows/js.sum" ] && echo "- j-stream: daytimed's engine $(cpu js 1), rsyslogd $(cpu js 2) (imptcp, against $(cpu j 2) through imuxsock in j), HAProxy $(cpu js 3) CPU µs per answer; rsyslogd's file grew by ${S_RECORDS:-?} lines ($(get js ok) answers)."
	echo "- daytimed wrote $P_RECORDS records during the runs ($(( $(get j ok) + $(get j1 ok) + $(get j0 ok) )) answers); $P_VIA of them name a client other than HAProxy's 127.0.0.1, from the header ($(( $(get j ok) + $(get j1 ok) )) answers through j and j1). A record: \`$P_SAMPLE\`"
	for n in "${NOTES[@]}"; do echo "- $n"; done
}

# The section goes after MARK (bench/results.sh).
section > "$WORK/section.md"
results_section "$MARK" "$WORK/section.md"
say "wrote its section in $OUT"
