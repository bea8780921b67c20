#!/bin/sh
# SPDX-License-Identifier: ISC
# bench/verify.sh: how fast daytimed-audit verify checks sealed records, on
# one core. Generates N records with the real chain code (verify_gen: one
# signed epoch, rsyslog's traditional layout), times REPS runs of
#   taskset -c 0 daytimed-audit verify -k SEC --host-key HOST.pub FILE
# (and one on the same file gzipped), and, as the same-run reference, REPS
# runs of `taskset -c 0 grep -c " mac=" FILE`: reading and scanning the same
# lines, the floor of any line reader. Writes the figures into
# bench/RESULTS.md between the "verify.sh" markers (bench/run.sh keeps
# that section when it rewrites the file). Target: 1,000,000 records/s.
#
#   N=2000000 REPS=3 bench/verify.sh         (from the top of a built tree)
#
# Run it under the lock the suite uses: flock /tmp/dt-check.lock bench/verify.sh
set -eu
BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$BENCH/.." && pwd)}
N=${N:-2000000}
REPS=${REPS:-3}
OUT=${OUT:-$BENCH/RESULTS.md}
TARGET=1000000
AUDIT=$TOP/daytimed-audit
[ -x "$AUDIT" ] || { echo "verify.sh: build the tree first ($AUDIT)" >&2; exit 1; }
make -s -C "$BENCH" TOP="$TOP" verify_gen >/dev/null
WORK=$(mktemp -d /tmp/dtverify.XXXXXX)
trap 'rm -rf "$WORK"' EXIT INT TERM
"$AUDIT" keygen "$WORK/a.pub" "$WORK/a.sec"
"$AUDIT" host-keygen "$WORK/h.pub" "$WORK/h.sec"
"$BENCH/verify_gen" "$WORK/a.pub" "$WORK/h.sec" "$N" "$WORK/log"
gzip -1 -c "$WORK/log" > "$WORK/log.gz"
BYTES=$(stat -c %s "$WORK/log")
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"

# seconds (elapsed) of one verify run of $1; the last output in $WORK/out
run() {
	s=$(date +%s.%N)
	$PIN "$AUDIT" verify -k "$WORK/a.sec" --host-key "$WORK/h.pub" "$1" \
		> "$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f", $2 - $1 }'
}

# seconds (elapsed) of one grep over $1: the same-run reference
ref() {
	s=$(date +%s.%N)
	$PIN grep -c " mac=" "$1" > "$WORK/refout"
	e=$(date +%s.%N)
	echo "$s $e" | awk '{ printf "%.3f", $2 - $1 }'
}

# the median of the numbers given
median() {
	echo "$@" | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

TIMES=""
REFS=""
i=0
while [ "$i" -lt "$REPS" ]; do
	TIMES="$TIMES $(run "$WORK/log")"
	REFS="$REFS $(ref "$WORK/log")"
	i=$((i + 1))
done
GZT=$(run "$WORK/log.gz")
RSS="not measured (no GNU time)"
if [ -x /usr/bin/time ]; then
	/usr/bin/time -f %M -o "$WORK/rss" "$AUDIT" verify -k "$WORK/a.sec" \
		--host-key "$WORK/h.pub" "$WORK/log" >/dev/null 2>&1
	RSS="$(tail -1 "$WORK/rss") kB"
fi
SUMMARY=$(grep "sealed records in" "$WORK/out")
MED=$(median $TIMES)
RMED=$(median $REFS)
RATE=$(awk -v n="$N" -v t="$MED" 'BEGIN { printf "%d", n / t }')
RRATE=$(awk -v n="$N" -v t="$RMED" 'BEGIN { printf "%d", n / t }')
RATIO=$(awk -v a="$RATE" -v b="$RRATE" 'BEGIN { printf "%.2f", a / b }')
GZRATE=$(awk -v n="$N" -v t="$GZT" 'BEGIN { printf "%d", n / t }')
VERDICT="not met"
[ "$RATE" -ge "$TARGET" ] && VERDICT="met"

SECTION=$(cat <<END
<!-- verify.sh -->
## Audit verification speed

- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); machine: \`nproc\` = $(nproc), $(uname -srm), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared)
- command: \`N=$N REPS=$REPS bench/verify.sh\`, which times \`${PIN:+$PIN }daytimed-audit verify -k SEC --host-key HOST.pub FILE\` on one signed epoch of $N records (start, connections, stop) sealed by bench/verify_gen with the real chain code, rsyslog's traditional layout, $BYTES bytes; daytimed-audit $("$AUDIT" -V | cut -d' ' -f2), $(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null || echo '?')
- verify's summary: \`$SUMMARY\`; its peak RSS on the plain file: $RSS

| input | runs (s) | median | records/s |
| --- | --- | ---: | ---: |
| plain file | $(echo $TIMES | sed 's/ / \/ /g') | $MED s | $RATE |
| the same, gzip -1 | $GZT | $GZT s | $GZRATE |
| same-run reference: \`${PIN:+$PIN }grep -c " mac=" FILE\` (lines read and scanned, nothing checked) | $(echo $REFS | sed 's/ / \/ /g') | $RMED s | $RRATE |

verify's rate is $RATIO× the reference's: checking a record (parsing its fields, one ChaCha20 block, one Poly1305) costs $(awk -v a="$MED" -v b="$RMED" 'BEGIN { printf "%.1f", a / b }') times what merely reading and scanning its line does.

| target | measured | verdict |
| --- | --- | --- |
| verification at least 1,000,000 records/s on one core | $RATE records/s (median of $REPS runs) | **$VERDICT** |
<!-- /verify.sh -->
END
)
if [ -f "$OUT" ] && grep -q '^<!-- verify.sh -->$' "$OUT"; then
	awk -v sect="$SECTION" '
	/^<!-- verify.sh -->$/ { print sect; skip = 1; next }
	/^<!-- \/verify.sh -->$/ { skip = 0; next }
	!skip { print }' "$OUT" > "$OUT.tmp"
	mv "$OUT.tmp" "$OUT"
elif [ -f "$OUT" ] && grep -q '^<!-- bench/lists.sh -->$' "$OUT"; then
	# before lists.sh's section, which runs from its marker to the end
	awk -v sect="$SECTION" '
	/^<!-- bench\/lists.sh -->$/ && !done { print sect; print ""; done = 1 }
	{ print }' "$OUT" > "$OUT.tmp"
	mv "$OUT.tmp" "$OUT"
else
	{ [ -f "$OUT" ] && cat "$OUT" && echo; echo "$SECTION"; } > "$OUT.tmp"
	mv "$OUT.tmp" "$OUT"
fi
echo "verify.sh: $RATE records/s ($VERDICT), ${RATIO}x grep's $RRATE; gzip: $GZRATE records/s; wrote $OUT"
