#!/bin/sh
# SPDX-License-Identifier: ISC
#
# tests/skip_or_run.sh -- how `make check` runs a test whose tool may be
# missing: `skip_or_run.sh WHAT TOOL [ARGS...]`.  With TOOL "no" (what
# configure records when it found no such program) or not executable, it
# says so and exits 77, which automake counts as SKIP: the summary shows
# the test as not run, never as passed or failed; under DAYTIMED_CI=1
# (.ci/run), where every part must be there, it fails instead.  Otherwise
# it runs TOOL.
what=$1
tool=$2
shift 2
missing() {
	if [ "${DAYTIMED_CI:-0}" = 1 ]; then
		echo "FAIL: $what: $1 (DAYTIMED_CI=1: nothing may be skipped)"
		exit 1
	fi
	echo "SKIP: $what: $1"
	exit 77
}
case $tool in
no | '')	missing "not found at configure time (see configure's warnings)" ;;
esac
command -v "$tool" >/dev/null 2>&1 || missing "$tool is not executable"
exec "$tool" "$@"
