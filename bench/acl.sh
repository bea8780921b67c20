#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/acl.sh -- the rule table at blocklist scale (issue 17), measured in
# one run on this machine by bench/acl_bench; writes its section of
# bench/RESULTS.md (after the marker line "<!-- bench/acl.sh -->", the last
# section: bench/run.sh and bench/lists.sh keep it).  See bench/README.md.
#
#   flock /tmp/dt-check.lock bench/acl.sh       (from the top of a built tree)
#   SIZES=10000,1000000 MIX=mixed REPS=5 SECS=0.5 BATCH=32 OUT=bench/RESULTS.md bench/acl.sh
#
# No root, no network: acl_bench links the tree's libdaytimed.a and drives
# acl/acl.h on one core, the table (acl/lpm.c) and the reference trie
# (acl/trie.c) alternating in the same run.  The verdicts are computed here
# from the figures, never written by hand.

set -u

BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
SIZES=${SIZES:-10000,1000000}
MIX=${MIX:-mixed}
REPS=${REPS:-5}
SECS=${SECS:-0.5}
BATCH=${BATCH:-32}
OUT=${OUT:-$BENCH/RESULTS.md}
CMDLINE="SIZES=$SIZES MIX=$MIX REPS=$REPS SECS=$SECS BATCH=$BATCH bench/acl.sh"
MARK="<!-- bench/acl.sh -->"

say() { echo "acl.sh: $*" >&2; }

[ -f "$TOP/libdaytimed.a" ] || { say "no libdaytimed.a: build the tree first"; exit 1; }
make -s -C "$BENCH" acl_bench >/dev/null || { say "acl_bench build failed"; exit 1; }
RAW=$(mktemp /tmp/dtacl.XXXXXX)
trap 'rm -f "$RAW"' EXIT
say "acl_bench -n $SIZES -m $MIX -r $REPS -t $SECS -b $BATCH"
"$BENCH/acl_bench" -n "$SIZES" -m "$MIX" -r "$REPS" -t "$SECS" -b "$BATCH" > "$RAW" ||
	{ say "acl_bench failed"; exit 1; }

# get LIST RULES KEY: a value from acl_bench's line for that list and size.
get() {
	awk -v l="list=$1" -v n="rules=$2" -v k="$3" '
	    $1 == l && $2 == n { for (i = 1; i <= NF; i++)
		if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' "$RAW"
}
# mega N: N / 1e6 with one decimal.
mega() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1e6 }'; }
verdict() {	# verdict CONDITION(awk) -> met / not met
	awk "BEGIN { exit !($1) }" && echo "**met**" || echo "**not met**"
}
# target N MILLIONS: the rate target's two lines, one per API, each judged.
target() {
	local s b r
	s=$(get "$MIX" "$1" lookups_per_s)
	b=$(get "$MIX" "$1" batch_lookups_per_s)
	r=$(mega "$(get "$MIX" "$1" ref_lookups_per_s)")
	echo "| $1 rules: ≥ $2M lookups+decisions/s on one core, **one peer at a time** (\`acl_lookup\` + \`acl_decide\`) | $(mega "$s") M/s (reference: $r M/s) | $(verdict "$s >= $2e6") |"
	echo "| $1 rules: ≥ $2M lookups+decisions/s on one core, **in batches of $BATCH peers through \`acl_lookup_many\`** (then \`acl_decide\` for each; the UDP path's recvmmsg batches are up to 32) | $(mega "$b") M/s (single: $(mega "$s") M/s) | $(verdict "$b >= $2e6") |"
}

{
	# What comes before the marker, without its trailing blank lines.
	[ -f "$OUT" ] && awk -v m="$MARK" '$0 == m { exit }
	    /^$/ { b++; next } { for (; b > 0; b--) print ""; print }' "$OUT"
	echo
	echo "$MARK"
	echo
	echo "## The rule table at blocklist scale (bench/acl.sh)"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- machine: \`nproc\` = $(nproc), $(uname -srm), $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), L3 $(lscpu 2>/dev/null | awk -F': *' '/^L3/ { print $2 }'); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
	echo "- command: \`$CMDLINE\`, i.e. \`$(head -1 "$RAW" | sed 's/^# //')\`"
	echo "- tree: $(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null)$(cd "$TOP" && git diff --quiet HEAD -- acl 2>/dev/null || echo ' (acl/ modified)')"
	echo "- rules: $MIX list (70% IPv4 /8–/32, 30% IPv6 /20–/64, random addresses, 1 rule in 100 naming a user), built through \`acl_build_add\` + \`acl_build_finish\`; 2^20 peers, half inside a random rule's netblock; each rate is lookups, each followed by \`acl_decide\`, per second of the thread's CPU time on one pinned core, the median of $REPS runs of ${SECS} s: *single* is one peer at a time through \`acl_lookup\`, *batch* is $BATCH peers at a time through \`acl_lookup_many\` (then \`acl_decide\` for each), the same peers in the same order; the reference (\`acl_reftrie_lookup\`, the patricia trie, one at a time) alternates with both in the same run, and every peer's netblock was checked equal between the reference and the single lookup, and between the single lookup and the batch, first"
	echo
	echo "| rules | netblocks (v4 + v6) | build (its CPU time) | table (acl_stats) | heap held | RSS grown | single: lookups+decisions/s | single, with an ident answer | batch of $BATCH (acl_lookup_many) | batch, with an ident answer | reference (single) | single / reference | batch / single | CPU share |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for n in ${SIZES//,/ }; do
		echo "| $n | $(get "$MIX" "$n" v4_blocks) + $(get "$MIX" "$n" v6_blocks) | $(get "$MIX" "$n" build_s) s ($(get "$MIX" "$n" build_cpu_s) s) | $(mega "$(get "$MIX" "$n" table_bytes)") MB | $(mega "$(get "$MIX" "$n" heap_bytes)") MB | $(mega "$(get "$MIX" "$n" rss_bytes)") MB | $(mega "$(get "$MIX" "$n" lookups_per_s)") M | $(mega "$(get "$MIX" "$n" user_lookups_per_s)") M | $(mega "$(get "$MIX" "$n" batch_lookups_per_s)") M | $(mega "$(get "$MIX" "$n" batch_user_lookups_per_s)") M | $(mega "$(get "$MIX" "$n" ref_lookups_per_s)") M | $(get "$MIX" "$n" ratio)× | $(get "$MIX" "$n" batch_ratio)× | $(get "$MIX" "$n" cpu_share) |"
	done
	echo
	echo "The build is timed on the wall clock, and the machine is shared: its CPU time says how much of that was the build's own. RSS grown includes what the build freed and the allocator kept (the sorted rules); the reference trie's own nodes are not in the table's figures."
	echo
	echo "### Targets"
	echo
	echo "| target | measured | verdict |"
	echo "| --- | --- | --- |"
	M=1000000
	if [ -n "$(get "$MIX" $M build_s)" ]; then
		B=$(get "$MIX" $M build_s)
		TB=$(get "$MIX" $M table_bytes)
		HB=$(get "$MIX" $M heap_bytes)
		echo "| $M rules: build < 1 s (wall clock) | $B s (CPU time: $(get "$MIX" $M build_cpu_s) s) | $(verdict "$B < 1") |"
		echo "| $M rules: table < 100 MB | $(mega "$TB") MB (heap held: $(mega "$HB") MB) | $(verdict "$TB < 100e6 && $HB < 100e6") |"
		target $M 20
	fi
	[ -n "$(get "$MIX" 10000 lookups_per_s)" ] && target 10000 50
	echo
	echo "Why the rate at 1,000,000 rules stops where it does, and what was tried: bench/README.md, \"acl_bench\"."
	echo
	echo "acl_bench's lines:"
	echo
	echo '```'
	cat "$RAW"
	echo '```'
} > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "wrote $OUT"
