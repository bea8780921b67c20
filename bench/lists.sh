#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/lists.sh -- list files at scale, measured in one run on this
# machine; writes its section of bench/RESULTS.md (after the marker line
# "<!-- bench/lists.sh -->": bench/results.sh).  See bench/README.md.
#
#   bench/lists.sh                       (as root, from the top of a built tree)
#   LINES=1000000 REPS=5 WIN=4 OUT=bench/RESULTS.md bench/lists.sh
#
# 1. `daytimed -t` over a configuration whose one list file holds LINES
#    netblocks (bench/listgen.py), REPS times; the same-run reference is
#    the same netblocks written as `deny NETBLOCK` lines in an included
#    file, the way they had to be written before list files.
# 2. Other clients' p99 while the same configuration reloads in a loop:
#    daytimed (audit to a private rsyslogd) serves loadgen at a bounded
#    rate; windows of WIN seconds alternate between no reload and a HUP
#    every 0.1 s (a reload asked for while one runs starts when it ends,
#    so one is always in flight), REPS of each.  A third kind of window
#    is the machine's own floor: no reload, but a busy loop at SCHED_IDLE
#    (chrt -i 0), which only ever runs on a CPU nothing else wants.
#
# Loopback and high ports only; every process it starts is stopped by PID;
# every load is bounded in count and time.

set -u

BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
DAYTIMED=${DAYTIMED:-$TOP/daytimed}
LINES=${LINES:-1000000}
REPS=${REPS:-5}
WIN=${WIN:-4}
CONC=${CONC:-32}
RATE=${RATE:-10000}
OUT=${OUT:-$BENCH/RESULTS.md}
CMDLINE="LINES=$LINES REPS=$REPS WIN=$WIN CONC=$CONC RATE=$RATE bench/lists.sh"
MARK="<!-- bench/lists.sh -->"

PIDS=()
WORK=$(mktemp -d /tmp/dtlists.XXXXXX)
chmod 755 "$WORK"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
# shellcheck source=bench/results.sh
. "$BENCH/results.sh"

[ -x "$DAYTIMED" ] || { say "no $DAYTIMED: build the tree first"; exit 1; }
[ "$(id -u)" = 0 ] || { say "run as root (the daemon drops to nobody)"; exit 1; }
make -s -C "$BENCH" >/dev/null || { say "bench build failed"; exit 1; }
say "lists: lines=$LINES reps=$REPS win=${WIN}s work=$WORK"

python3 "$BENCH/listgen.py" "$LINES" > "$WORK/list.txt"
grep -v '^#' "$WORK/list.txt" | sed 's/^/deny /' > "$WORK/rules.conf"
chmod 644 "$WORK/list.txt" "$WORK/rules.conf"

# ---------------------------------------------------------------- 1. -t

# secs CMD...: wall seconds of one run (its output in $WORK/t.out; run in
# $(...), so nothing else comes back).
secs() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" > "$WORK/t.out" 2>&1
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# maxrss CMD...: the peak RSS of one run, in kB (GNU time), or empty.
maxrss() {
	[ -x /usr/bin/time ] || return 0
	/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
}

printf 'user nobody\nlisten tcp 127.0.0.1:20013\nident mode off\nallow 127.0.0.0/8\ndeny file list.txt\n' \
    > "$WORK/list.conf"
printf 'user nobody\nlisten tcp 127.0.0.1:20013\nident mode off\nallow 127.0.0.0/8\ninclude rules.conf\n' \
    > "$WORK/inc.conf"
chmod 644 "$WORK/list.conf" "$WORK/inc.conf"
T_LIST=() T_INC=()
for ((r = 1; r <= REPS; r++)); do
	T_LIST+=("$(secs "$DAYTIMED" -t -c "$WORK/list.conf")")
	grep -q ': ok: ' "$WORK/t.out" ||
	    { say "-t failed: $(tail -3 "$WORK/t.out")"; exit 1; }
	T_SUMMARY=$(tail -1 "$WORK/t.out")
	T_INC+=("$(secs "$DAYTIMED" -t -c "$WORK/inc.conf")")
	say "  -t: list ${T_LIST[-1]} s, include ${T_INC[-1]} s"
done
T_LIST_MED=$(printf '%s\n' "${T_LIST[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
T_INC_MED=$(printf '%s\n' "${T_INC[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
T_RSS=$(maxrss "$DAYTIMED" -t -c "$WORK/list.conf")
T_WARN=$(grep -c ': warning: ' "$WORK/t.out")

# ---------------------------------------------------------------- 2. reload

start_rsyslog || exit 1
P=$(free_port) || exit 1
cat > "$WORK/d.conf" <<-EOF
listen tcp 127.0.0.1:$P
user nobody
syslog socket $RSLOG
ident mode off
allow 127.0.0.0/8
deny file list.txt
EOF
chmod 644 "$WORK/d.conf"
if ! "$DAYTIMED" -c "$WORK/d.conf" -p "$WORK/d.pid" </dev/null \
    >"$WORK/d.out" 2>&1; then
	say "daytimed did not start: $(head -c 500 "$WORK/d.out")"
	exit 1
fi
DMON=$(cat "$WORK/d.pid")
PIDS+=("$DMON")
wait_port "$P" || exit 1
DENG=$(engine_of "$DMON") || exit 1
PIDS+=("$DENG")

reloads() {	# reloads that ended so far, ok or not
	grep -c 'event=reload result=' "$RSFILE" 2>/dev/null
}

# Wait until no reload has ended for 2 s (at most 60 s): none in flight.
settle() {
	local n last now t=0
	last=$(reloads)
	while [ $t -lt 600 ]; do
		sleep 0.1
		t=$((t + 1))
		now=$(reloads)
		if [ "$now" != "$last" ]; then
			last=$now
			n=0
			continue
		fi
		n=$((${n:-0} + 1))
		[ "$n" -ge 20 ] && return 0
	done
}

hup_loop() {	# hup_loop SECONDS: HUP the monitor every 0.1 s
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		kill -HUP "$DMON" 2>/dev/null || return
		sleep 0.1
	done
}

lg() {	# one window of load; its p99
	"$BENCH/loadgen" -p "$P" -c "$CONC" -r "$RATE" -d "$WIN" -w 10 \
	    > "$WORK/lg.out"
	say "  $1: $(cat "$WORK/lg.out")"
	cat "$WORK/lg.out" >> "$WORK/lg.$1"
}

settle
R_BEFORE=$(reloads)
R_OK=0
for ((r = 1; r <= REPS; r++)); do
	lg quiet
	n0=$(reloads)
	hup_loop $((WIN + 1)) &
	HL=$!
	PIDS+=("$HL")
	sleep 0.3	# the first reload is under way before the window opens
	lg reload
	stop "$HL"
	settle
	R_OK=$((R_OK + $(reloads) - n0))
	chrt -i 0 sh -c 'while :; do :; done' &
	HOG=$!
	PIDS+=("$HOG")
	lg idlehog
	stop "$HOG"
done
R_FAILED=$(grep -c 'event=reload result=failed' "$RSFILE")
R_SAMPLE=$(grep 'event=reload result=ok' "$RSFILE" | tail -1 | cut -c1-200)
R_RSS=$(rss_kb "$DENG")
stop "$DMON"
stop "$DENG"

p99s() { sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' "$WORK/lg.$1"; }
errs() { sed -n 's/.* err=\([0-9]*\).*/\1/p' "$WORK/lg.$1" | awk '{ s += $1 } END { print s + 0 }'; }
P_Q=$(p99s quiet | median)
P_R=$(p99s reload | median)
P_H=$(p99s idlehog | median)

# ---------------------------------------------------------------- report

{
	echo "## List files at scale (bench/lists.sh)"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- machine: \`nproc\` = $(nproc), $(uname -srm); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
	echo "- command: \`$CMDLINE\` (as $(id -un))"
	echo "- daytimed: \`$($DAYTIMED -V 2>&1 | head -1)\`, $(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null)"
	echo "- the list: $LINES netblocks from \`bench/listgen.py $LINES\` (70% IPv4 /8–/32, 30% IPv6 /20–/64, FireHOL-style header), $(wc -c < "$WORK/list.txt") bytes"
	echo
	echo "### A list of $LINES lines through \`daytimed -t\`"
	echo
	echo "| configuration | runs (s) | median | peak RSS |"
	echo "| --- | --- | ---: | ---: |"
	echo "| \`deny file list.txt\` | ${T_LIST[*]} | $T_LIST_MED s | ${T_RSS:+$(awk -v k="$T_RSS" 'BEGIN { printf "%.0f MB", k / 1024 }')} |"
	echo "| same-run reference: the same netblocks as \`deny NETBLOCK\` lines in an included file | ${T_INC[*]} | $T_INC_MED s | |"
	echo
	echo "\`-t\` said: \`$T_SUMMARY\` ($T_WARN warning lines shown: at most 100 a file, then one line counting the rest; random netblocks nest, so some can never decide)."
	echo
	echo "### Other clients' p99 while $LINES rules reload"
	echo
	echo "daytimed (audit records to a private rsyslogd, \`ident mode off\`, \`allow 127.0.0.0/8\`, the list as \`deny file\`); \`loadgen -c $CONC -r $RATE -d $WIN\` (TCP, a bounded rate, so that latency is not the queue of a saturated machine). $REPS windows without a reload alternate with $REPS windows during which the monitor gets a HUP every 0.1 s (a reload asked for while one runs starts as soon as it ends, so one is in flight throughout) and $REPS windows with no reload but a shell busy loop at SCHED_IDLE (\`chrt -i 0\`): the scheduler runs it only on a CPU nothing else wants, so what it costs the clients is what any work on the second CPU costs on this machine (the load generator shares the two CPUs too)."
	echo
	echo "| windows | p99 of each (µs) | median p99 | errors |"
	echo "| --- | --- | ---: | ---: |"
	echo "| no reload | $(p99s quiet | tr '\n' ' ') | $P_Q µs | $(errs quiet) |"
	echo "| reload in flight | $(p99s reload | tr '\n' ' ') | $P_R µs | $(errs reload) |"
	echo "| no reload, a busy loop at SCHED_IDLE (the machine's floor) | $(p99s idlehog | tr '\n' ' ') | $P_H µs | $(errs idlehog) |"
	echo
	echo "Reloads that ended during the reload windows and their settling: $R_OK ($R_FAILED failed in all); engine RSS at the end $(awk -v k="$R_RSS" 'BEGIN { printf "%.0f MB", k / 1024 }'). A reload record: \`$R_SAMPLE\`"
	echo
	echo "### Targets"
	echo
	echo "| target | measured | verdict |"
	echo "| --- | --- | --- |"
	echo "| a $LINES-line list file loads through \`-t\` in under 1.5 s | $T_LIST_MED s (reference, the same rules as lines: $T_INC_MED s) | $(verdict "$T_LIST_MED < 1.5") |"
	echo "| during a reload of $LINES rules, other clients' p99 within 2× of the p99 without a reload | $P_R µs vs $P_Q µs = $(awk -v a="$P_R" -v b="$P_Q" 'BEGIN { if (b > 0) printf "%.2f×", a / b }') (a SCHED_IDLE busy loop alone: $(awk -v a="$P_H" -v b="$P_Q" 'BEGIN { if (b > 0) printf "%.2f×", a / b }')) | $(verdict "$P_R <= 2 * $P_Q") |"
	for n in "${NOTES[@]}"; do echo "- $n"; done
} > "$WORK/section.md"
results_section "$MARK" "$WORK/section.md"
say "wrote $OUT"
