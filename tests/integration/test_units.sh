#!/bin/sh
# SPDX-License-Identifier: ISC
# The systemd units of packaging/systemd, read without a running systemd:
# the exposure "systemd-analyze security --offline=true" gives each
# service stays at most 1.5 (1.1 when written; openbsd-inetd's own unit
# scores 9.6); a configuration error, exit 1 from the real daytimed, is
# in RestartPreventExitStatus, so the unit does not restart forever; and
# "systemctl reload" runs daytimed -r, which fails when the reload did;
# and the audit state's directory is writable under ProtectSystem=strict.
# Skipped (77) without systemd-analyze. Environment (set by make check):
# DAYTIMED, TOP_SRCDIR.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
units=$top/packaging/systemd
daytimed=${DAYTIMED:-$top/daytimed}
max=1.5
failures=0
say() { printf '%s\n' "$*"; }
fail() { say "FAIL: $*"; failures=$((failures + 1)); }
ok() { say "ok: $*"; }

if ! command -v systemd-analyze >/dev/null 2>&1; then
	say "skip: systemd-analyze is not installed (systemd)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dt-units.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The exposure of each service, as "Overall exposure level for U: N".
for u in daytimed.service daytimed-inetd@.service; do
	systemd-analyze security --offline=true --no-pager "$units/$u" \
	    >"$tmp/sec" 2>&1
	level=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' \
	    "$tmp/sec")
	if [ -z "$level" ]; then
		sed 's/^/systemd-analyze: /' "$tmp/sec" | tail -n 5
		fail "$u: no exposure level"
	elif awk -v l="$level" -v m="$max" 'BEGIN { exit !(l <= m) }'; then
		ok "$u: exposure $level (at most $max)"
	else
		fail "$u: exposure $level, over $max"
	fi
done

# One key of daytimed.service's [Service], its words.
key() {
	sed -n "s/^$1=//p" "$units/daytimed.service"
}

# A configuration error exits 1 (the daemon's own convention), and the
# unit does not restart on it; nor on 2, a usage error.
printf 'listen tcp 127.0.0.1:1\nallow 10.0.0.0/33\n' >"$tmp/bad.conf"
"$daytimed" -f -c "$tmp/bad.conf" >/dev/null 2>&1
rc=$?
if [ "$rc" -eq 1 ]; then
	ok "a configuration error exits 1"
else
	fail "a configuration error exits $rc, not 1"
fi
prevent=" $(key RestartPreventExitStatus) "
case "$prevent" in
*" $rc "*) ok "a configuration error (exit $rc) is not restarted" ;;
*) fail "exit $rc of a bad configuration is not in RestartPreventExitStatus:$prevent" ;;
esac
case "$prevent" in
*" 2 "*) ok "a usage error (exit 2) is not restarted" ;;
*) fail "exit 2 is not in RestartPreventExitStatus:$prevent" ;;
esac
[ "$(key Restart)" = on-failure ] && ok "Restart=on-failure" ||
    fail "Restart=$(key Restart)"

# systemctl reload runs -r with the same configuration and pidfile as
# ExecStart (continuation lines joined).
start=$(sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' "$units/daytimed.service" |
    sed -n 's/^ExecStart=//p')
reload=$(sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' "$units/daytimed.service" |
    sed -n 's/^ExecReload=//p')
[ "$reload" = "$(printf '%s' "$start" | sed 's/ -f / -r /')" ] &&
    ok "ExecReload is daytimed -r: $reload" ||
    fail "ExecReload '$reload' is not -r of ExecStart '$start'"

# ProtectSystem=strict makes /var read-only: the audit state's default
# directory must be the units' StateDirectory, 0700 as the daemon needs
# (else a configuration with "audit key" cannot start under them).
for u in daytimed.service daytimed-inetd@.service; do
	if [ "$(sed -n 's/^ProtectSystem=//p' "$units/$u")" = strict ] &&
	    { [ "$(sed -n 's/^StateDirectory=//p' "$units/$u")" != daytimed ] ||
	    [ "$(sed -n 's/^StateDirectoryMode=//p' "$units/$u")" != 0700 ]; }
	then
		fail "$u: ProtectSystem=strict without StateDirectory=daytimed (0700)"
	else
		ok "$u: the audit state's directory is writable, 0700"
	fi
done

if [ $failures -ne 0 ]; then
	say "FAIL: $failures check(s) failed"
	exit 1
fi
say "PASS: units"
exit 0
