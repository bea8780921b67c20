#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/compare.sh OLD_DAYTIMED -- before and after: rows a (the minimal
# server), b (daytimed, TCP) and udp of bench/run.sh, with an older
# daytimed binary and with this tree's, in alternating rounds.  Each
# daytimed figure is a ratio to the minimal server measured in the same
# run, so that the machine's load cancels out.  Writes its section of
# bench/RESULTS.md (after "<!-- bench/compare.sh -->"; bench/results.sh).
#
#   bench/compare.sh /path/to/old/tree/daytimed
#   ROUNDS=3 REPS=3 DUR=5 bench/compare.sh OLD_DAYTIMED
#
# The verdict: the medians of the two trees' ratios within 10% of each
# other ("within noise" on this shared machine).  Loopback only; every
# process is started and stopped by bench/run.sh, by PID.

set -u
BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
OLD=${1:?usage: bench/compare.sh OLD_DAYTIMED}
NEW=${DAYTIMED:-$TOP/daytimed}
ROUNDS=${ROUNDS:-2}
REPS=${REPS:-3}
DUR=${DUR:-5}
OUT=${OUT:-$BENCH/RESULTS.md}
MARK="<!-- bench/compare.sh -->"
# shellcheck source=bench/results.sh
. "$BENCH/results.sh"

say() { printf 'compare.sh: %s\n' "$*" >&2; }
WORK=$(mktemp -d /tmp/dtcompare.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# A daytimed from before the built-in limits knows no "limit rate" (and
# has no limits to turn off); any other complaint of -t is not this one.
limits_off() {
	printf 'listen tcp 127.0.0.1:9\nlimit rate off\n' > "$WORK/probe.conf"
	if "$1" -t -c "$WORK/probe.conf" 2>&1 | grep -q "unknown limit 'rate'"
	then
		echo 0
	else
		echo 1
	fi
}

# ratio FILE ROW: the "vs minimal" column of a row of run.sh's table.
ratio() {
	awk -F'|' -v r="$2" 'index($2, r) == 2 { gsub(/[ ×]/, "", $4); print $4; exit }' "$1"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for ((r = 1; r <= ROUNDS; r++)); do
	for t in old new; do
		[ "$t" = old ] && bin=$OLD || bin=$NEW
		say "round $r: $t ($bin)"
		DAYTIMED=$bin LIMITS_OFF=$(limits_off "$bin") ROWS="a b udp" \
		    PROFILE=0 REPS=$REPS DUR=$DUR OUT="$WORK/$t-$r.md" \
		    "$BENCH/run.sh" > "$WORK/$t-$r.log" 2>&1
		tcp=$(ratio "$WORK/$t-$r.md" "b. daytimed")
		udp=$(ratio "$WORK/$t-$r.md" "UDP: daytimed")
		[ -n "$tcp" ] && [ -n "$udp" ] || {
			say "round $r, $t: no figures (see below)"
			tail -5 "$WORK/$t-$r.log" >&2
			exit 1
		}
		echo "$r $t $tcp $udp" >> "$WORK/rounds"
	done
done

med() { awk -v t="$1" -v c="$2" '$2 == t { print $c }' "$WORK/rounds" | median; }
OT=$(med old 3) NT=$(med new 3) OU=$(med old 4) NU=$(med new 4)
within() { awk -v a="$1" -v b="$2" 'BEGIN { d = a / b; exit !(d > 0.9 && d < 1.1) }' && echo "within noise" || echo "**differs**"; }

{
	echo "## Before and after (bench/compare.sh)"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); machine: \`nproc\` = $(nproc), $(uname -srm); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)"
	echo "- command: \`ROUNDS=$ROUNDS REPS=$REPS DUR=$DUR bench/compare.sh $OLD\`: rows a, b and udp of bench/run.sh (10000 rules, audit to rsyslogd, ident off, 64 in flight), old and new in alternating rounds"
	echo "- old: \`$OLD\` ($("$OLD" -V 2>&1 | head -1)); new: \`$NEW\`, $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo "- each figure: daytimed's rate as a ratio to the minimal server's in the same run.sh run (the median of its $REPS runs of ${DUR} s)"
	echo
	echo "| round | daytimed TCP, old | new | daytimed UDP, old | new |"
	echo "| ---: | ---: | ---: | ---: | ---: |"
	for ((r = 1; r <= ROUNDS; r++)); do
		echo "| $r | $(awk -v r=$r '$1 == r && $2 == "old" { print $3 "×" }' "$WORK/rounds") | $(awk -v r=$r '$1 == r && $2 == "new" { print $3 "×" }' "$WORK/rounds") | $(awk -v r=$r '$1 == r && $2 == "old" { print $4 "×" }' "$WORK/rounds") | $(awk -v r=$r '$1 == r && $2 == "new" { print $4 "×" }' "$WORK/rounds") |"
	done
	echo "| median | ${OT}× | ${NT}× | ${OU}× | ${NU}× |"
	echo
	echo "TCP: new/old = $(awk -v a="$NT" -v b="$OT" 'BEGIN { printf "%.2f", a / b }') ($(within "$NT" "$OT")); UDP: new/old = $(awk -v a="$NU" -v b="$OU" 'BEGIN { printf "%.2f", a / b }') ($(within "$NU" "$OU"))."
} > "$WORK/section.md"
results_section "$MARK" "$WORK/section.md"
cat "$WORK/section.md"
say "wrote its section in $OUT"
