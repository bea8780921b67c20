#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/report.sh -- daytimed-audit report over realistic audit logs of 1M
# and 10M records (bench/auditgen, as rsyslog writes the package's
# audit.log), pinned to one core: wall and CPU time, and peak RSS, which
# must not grow with the records. Writes its section of bench/RESULTS.md
# (between the "report.sh" markers, before bench/lists.sh's section;
# run.sh keeps it).
#
#   bench/report.sh                        (from the top of a built tree)
#   N=10000000 REPS=3 CPU=0 OUT=bench/RESULTS.md bench/report.sh
#
# The target: 10M records in under 10 s on one core. Needs GNU time
# (/usr/bin/time) and taskset; about 6 GB of free space under TMPDIR
# for the logs, removed at the end.

set -u

BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
AUDIT=${DAYTIMED_AUDIT:-$TOP/daytimed-audit}
N=${N:-10000000}
REPS=${REPS:-3}
CPU=${CPU:-0}
OUT=${OUT:-$BENCH/RESULTS.md}
CMDLINE="N=$N REPS=$REPS CPU=$CPU bench/report.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dtreport.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

say() { printf '%s\n' "$*" >&2; }

for tool in /usr/bin/time taskset; do
	command -v "$tool" >/dev/null 2>&1 || { say "$tool is missing"; exit 1; }
done
[ -x "$AUDIT" ] || { say "no $AUDIT: build the tree first"; exit 1; }
make -s -C "$BENCH" auditgen || exit 1

# One run: "wall user sys maxrss_kb" of the report over $1 (more args:
# options); with REF set, of that reference command over $1 instead.
run_once() {
	local log=$1
	shift
	if [ -n "${REF:-}" ]; then
		# grep -c exits 1 when it counts nothing: only >1 is a failure
		/usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
		    taskset -c "$CPU" env LC_ALL=C $REF "$log" >"$WORK/page"
		[ $? -le 1 ] || { say "$REF failed on $log"; exit 1; }
	else
		/usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
		    taskset -c "$CPU" "$AUDIT" report "$@" "$log" >"$WORK/page" ||
		    { say "report failed on $log"; exit 1; }
	fi
	cat "$WORK/time"
}

# REPS runs; the one with the median wall time: "wall user sys maxrss".
run_median() {
	local i
	for i in $(seq "$REPS"); do
		run_once "$@"
	done | sort -n -k1,1 | sed -n "$(( (REPS + 1) / 2 ))p"
}

# A table row: label, records, log, options...
row() {
	local label=$1 n=$2 log=$3
	shift 3
	local r size
	r=$(run_median "$log" "$@")
	size=$(stat -c %s "$log")
	set -- $r
	printf '| %s | %s | %.0f MB | %s s | %.2f s | %.1f MB | %.0f MB/s |\n' \
	    "$label" "$n" "$(echo "$size / 1048576" | bc -l)" "$1" \
	    "$(echo "$2 + $3" | bc -l)" "$(echo "$4 / 1024" | bc -l)" \
	    "$(echo "$size / 1048576 / $1" | bc -l)"
	echo "$1" >"$WORK/last_wall"
	echo "$4" >"$WORK/last_rss"
}

# "A/B×", or "n/a" when B is too small to divide by.
ratio() {
	if [ "$(echo "$2 >= 0.01" | bc -l)" = 1 ]; then
		printf '%.2f×' "$(echo "$1 / $2" | bc -l)"
	else
		echo "n/a (under 10 ms)"
	fi
}

say "generating logs of 1M and $N records in $WORK"
"$BENCH/auditgen" -n 1000000 >"$WORK/1m.log" || exit 1
"$BENCH/auditgen" -n "$N" >"$WORK/big.log" || exit 1
"$BENCH/auditgen" -n "$N" -s >"$WORK/sealed.log" || exit 1
"$BENCH/auditgen" -n "$N" -u >"$WORK/flood.log" || exit 1

say "measuring ($REPS runs each, on CPU $CPU)"
{
	R1=$(row "the mix" 1000000 "$WORK/1m.log")
	RSS1=$(cat "$WORK/last_rss")
	RB=$(row "the mix" "$N" "$WORK/big.log")
	WALL=$(cat "$WORK/last_wall")
	RSSB=$(cat "$WORK/last_rss")
	RJ=$(row "the mix, --json" "$N" "$WORK/big.log" --json)
	RS=$(row "sealed-looking records (time=, chain fields), no key" "$N" \
	    "$WORK/sealed.log")
	RF=$(row "every denied source new (a spoofed flood)" "$N" \
	    "$WORK/flood.log")
	RSSF=$(cat "$WORK/last_rss")
	# references, the same log, the same core: what auditing costs today
	# (one grep pass for one question) and the floor of reading it at all
	RG=$(REF="grep -c -F decision=deny" row "reference: \`grep -c -F decision=deny\` (one question)" "$N" "$WORK/big.log")
	GREP=$(cat "$WORK/last_wall")
	RW=$(REF="wc -l" row "reference: \`wc -l\` (reading the file)" "$N" "$WORK/big.log")
	WC=$(cat "$WORK/last_wall")
	printf '%s\n' "$R1" "$RB" "$RJ" "$RS" "$RF" "$RG" "$RW" >"$WORK/rows"
	echo "$WALL $RSS1 $RSSB $RSSF $GREP $WC" >"$WORK/figures"
}
read -r WALL RSS1 RSSB RSSF GREP WC <"$WORK/figures"
met=$(echo "$WALL < 10" | bc -l)
bounded=$(echo "$RSSB < 2 * $RSS1 && $RSSF < 4 * $RSS1" | bc -l)

{
	echo "<!-- report.sh: begin -->"
	echo "## daytimed-audit report over large logs (bench/report.sh)"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- machine: \`nproc\` = $(nproc), $(uname -srm), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)"
	echo "- command: \`$CMDLINE\`; each row: \`taskset -c $CPU daytimed-audit report [OPTIONS] LOG >/dev/null\` under GNU time, the median of $REPS runs by wall time; the logs are in the page cache (just written)"
	echo "- logs: \`bench/auditgen -n RECORDS [-s|-u]\`: RSYSLOG_FileFormat lines as the package's rsyslog snippet writes them, one day, 70% allowed partners (ident answers, 40 rules), 25% denied scans from ~200,000 sources (30% from 20 heavy ones), 5% dropped by three limits"
	echo "- daytimed-audit: \`$("$AUDIT" -V)\`, $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo
	echo "| log | records | size | wall | user + sys | peak RSS | read rate |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
	cat "$WORK/rows"
	echo
	echo "| target | measured | verdict |"
	echo "| --- | --- | --- |"
	echo "| $N records in under 10 s on one core | $WALL s ($(ratio "$WALL" "$GREP") one \`grep -c\` pass, $(ratio "$WALL" "$WC") \`wc -l\`, same log, same core, same run) | **$([ "$met" = 1 ] && echo met || echo "not met")** |"
	echo "| memory bounded by the keys kept, not the records (cap: 10,000 keys a table) | peak RSS $(echo "$RSS1 / 1024" | bc -l | xargs printf '%.1f') MB at 1M, $(echo "$RSSB / 1024" | bc -l | xargs printf '%.1f') MB at $N, $(echo "$RSSF / 1024" | bc -l | xargs printf '%.1f') MB at $N with every denied source new | **$([ "$bounded" = 1 ] && echo met || echo "not met")** |"
	echo "<!-- report.sh: end -->"
} >"$WORK/section"

# Replace the old section, or append one.
if [ -f "$OUT" ] && grep -q '^<!-- report.sh: begin -->$' "$OUT"; then
	awk -v f="$WORK/section" '
		/^<!-- report.sh: begin -->$/ { while ((getline l < f) > 0) print l; skip = 1; next }
		/^<!-- report.sh: end -->$/ { skip = 0; next }
		!skip { print }' "$OUT" >"$OUT.tmp"
elif [ -f "$OUT" ] && grep -q '^<!-- bench/lists.sh -->$' "$OUT"; then
	# before bench/lists.sh's section, which runs to the end of the file
	awk -v f="$WORK/section" '
		$0 == "<!-- bench/lists.sh -->" && !done {
			while ((getline l < f) > 0) print l
			print ""
			done = 1
		}
		{ print }' "$OUT" >"$OUT.tmp"
else
	{ [ -f "$OUT" ] && cat "$OUT" && echo; cat "$WORK/section"; } >"$OUT.tmp"
fi
mv "$OUT.tmp" "$OUT"
cat "$WORK/section"
say "wrote $OUT"
