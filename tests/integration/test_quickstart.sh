#!/bin/sh
# SPDX-License-Identifier: ISC
# quickstart.sh's install step alone: the policy-rc.d it puts in place
# while apt-get runs is gone on every way out (apt-get fails, quickstart
# is killed, all goes well), and a policy-rc.d that was there before is
# never touched. The host is not changed: the test runs in a private
# mount namespace with an empty tmpfs over /usr/sbin, a copy of
# quickstart.sh in a temporary directory, and stubs for dpkg-query,
# apt-get and make first on PATH. Root only (unshare, mount); automake's
# skip status (77) otherwise.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${QS_TEST_INNER:-0}" != 1 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "skip: not root"
		exit 77
	fi
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "skip: cannot make a mount namespace"
		exit 77
	fi
	exec unshare -m --propagation private env QS_TEST_INNER=1 \
	    sh "$top/tests/integration/test_quickstart.sh"
fi

# --- inside the private mount namespace ------------------------------------
failures=0
say() { printf '%s\n' "$*"; }
fail() { say "FAIL: $*"; failures=$((failures + 1)); }
ok() { say "ok: $*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dt-quickstart.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mount -t tmpfs -o size=1m,mode=0755 dt-quickstart /usr/sbin || {
	say "FAIL: mount tmpfs on /usr/sbin"
	exit 1
}
prc=/usr/sbin/policy-rc.d

# A tree quickstart believes is configured: it goes straight to make.
mkdir "$tmp/tree" "$tmp/stubs"
cp "$top/quickstart.sh" "$tmp/tree/"
printf '#!/bin/sh\nexit 0\n' >"$tmp/tree/configure"
: >"$tmp/tree/Makefile"
chmod 755 "$tmp/tree/configure"

# dpkg-query: nothing is installed, so every package is "missing".
printf '#!/bin/sh\nexit 1\n' >"$tmp/stubs/dpkg-query"
printf '#!/bin/sh\nexit 0\n' >"$tmp/stubs/make"
# apt-get: "update" succeeds unless STUB_UPDATE=fail; "install" notes the
# policy-rc.d it finds (in $STUB_SEEN) then does what STUB_INSTALL says:
# ok, fail (exit 100), term (SIGTERM to quickstart), int (SIGINT).
cat >"$tmp/stubs/apt-get" <<'EOF'
#!/bin/sh
case "$*" in
*update*)
	[ "${STUB_UPDATE:-ok}" = ok ] || exit 100
	exit 0 ;;
esac
if [ -f /usr/sbin/policy-rc.d ]; then
	cat /usr/sbin/policy-rc.d >"$STUB_SEEN"
else
	echo "none" >"$STUB_SEEN"
fi
case "$STUB_INSTALL" in
ok) exit 0 ;;
fail) exit 100 ;;
term) kill -TERM "$PPID"; exit 0 ;;
int) kill -INT "$PPID"; exit 0 ;;
esac
exit 99
EOF
chmod 755 "$tmp/stubs/dpkg-query" "$tmp/stubs/make" "$tmp/stubs/apt-get"

# quickstart.sh test with the stubs; sets $rc.
run_quickstart() {
	rm -f "$tmp/seen"
	# --default-signal: a shell started with SIGINT ignored (a
	# background job of a script, nohup) could not trap it
	env --default-signal=INT,TERM PATH="$tmp/stubs:$PATH" \
	    STUB_SEEN="$tmp/seen" "$@" \
	    sh "$tmp/tree/quickstart.sh" test >"$tmp/out" 2>&1
	rc=$?
}

blocks='#!/bin/sh
exit 101'

# One case: the apt-get behaviour, the exit wanted. quickstart.sh runs
# under set -e, so a failing apt-get's status (the stub's 100) is its
# own; its traps exit 143 on SIGTERM and 130 on SIGINT.
check_case() {
	what=$1 want=$2
	shift 2
	run_quickstart "$@"
	if [ $rc -ne "$want" ]; then
		fail "$what: quickstart exit $rc, not $want"
		sed 's/^/  /' "$tmp/out"
	fi
	[ ! -e "$prc" ] && ok "$what: exit $rc, no policy-rc.d left" ||
	    { fail "$what: policy-rc.d left behind"; rm -f "$prc"; }
}

check_case "apt-get install fails" 100 STUB_INSTALL=fail
[ "$(cat "$tmp/seen")" = "$blocks" ] &&
    ok "apt-get ran with policy-rc.d saying exit 101" ||
    fail "apt-get saw policy-rc.d: '$(cat "$tmp/seen")'"
check_case "SIGTERM during apt-get" 143 STUB_INSTALL=term
check_case "SIGINT during apt-get" 130 STUB_INSTALL=int
check_case "apt-get update fails" 100 STUB_UPDATE=fail STUB_INSTALL=ok
[ ! -e "$tmp/seen" ] && ok "no install after a failed update" ||
    fail "install ran after a failed update"
check_case "all goes well" 0 STUB_INSTALL=ok
[ "$(cat "$tmp/seen")" = "$blocks" ] &&
    ok "all goes well: apt-get ran with policy-rc.d in place" ||
    fail "all goes well: apt-get saw '$(cat "$tmp/seen")'"

# A policy-rc.d that was there first stays, byte for byte.
theirs='#!/bin/sh
# the container'"'"'s own
exit 101'
for mode in fail term ok; do
	printf '%s\n' "$theirs" >"$prc"
	chmod 755 "$prc"
	run_quickstart STUB_INSTALL=$mode
	if [ "$(cat "$prc" 2>/dev/null)" = "$theirs" ]; then
		ok "an existing policy-rc.d is kept (apt-get $mode, exit $rc)"
	else
		fail "an existing policy-rc.d was changed (apt-get $mode)"
	fi
	rm -f "$prc"
done

if [ $failures -ne 0 ]; then
	say "FAIL: $failures check(s) failed"
	exit 1
fi
say "PASS: quickstart"
exit 0
