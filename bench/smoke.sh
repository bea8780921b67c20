#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/smoke.sh -- run the bench scripts that start the daemon at their
# smallest sizes, each writing into a scratch copy of RESULTS.md: it shows
# that they still run against this tree, and measures nothing (lists.sh
# stopped at its first step for a day once, after -t began to refuse a
# configuration run as root with no user, and nobody saw).  Each script
# must exit 0 and write a section with a date of its own.  .ci/run runs
# it; it needs what the scripts need (rsyslog, haproxy) and root.
#
#   bench/smoke.sh      (from the top of a built tree)

set -u

BENCH=$(cd "$(dirname "$0")" && pwd)
SCRATCH=$(mktemp -d /tmp/dtsmoke.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
OUT=$SCRATCH/RESULTS.md
cp "$BENCH/RESULTS.md" "$OUT"
FAILED=0

# stamp NAME: the date line of NAME's section in OUT (run: the top).
stamp() {
	if [ "$1" = run ]; then
		grep -m1 '^- date: ' "$OUT"
	else
		sed -n "/^<!-- bench\/$1\.sh -->\$/,\$p" "$OUT" | grep -m1 '^- date: '
	fi
}

# one NAME VAR=VALUE...: run bench/NAME.sh with those settings into OUT.
one() {
	local name=$1 before after rc
	shift
	before=$(stamp "$name")
	env "$@" OUT="$OUT" "$BENCH/$name.sh" > "$SCRATCH/$name.log" 2>&1
	rc=$?
	after=$(stamp "$name")
	if [ $rc -ne 0 ] || [ -z "$after" ] || [ "$after" = "$before" ]; then
		echo "FAIL: bench/$name.sh (exit $rc; section date '${after:-none}', before '${before:-none}'); its last lines:"
		tail -n 20 "$SCRATCH/$name.log"
		FAILED=1
	else
		echo "ok: bench/$name.sh"
	fi
}

one acl SIZES=10000 REPS=1 SECS=0.1
one lists LINES=2000 REPS=1 WIN=1 CONC=4 RATE=500
one proxy REPS=1 DUR=1 CONC=8 RULES=100
one run ROWS="a b bs udp" REPS=1 DUR=1 CONC=8 HOLD=10 RULES=100 PROFILE=0
exit $FAILED
