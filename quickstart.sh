#!/bin/sh
# SPDX-License-Identifier: ISC
# The README's Quick start: install what is missing (Debian 12, as root),
# build, then run the daemon in the foreground or pass the whole suite.
#   ./quickstart.sh run     daytimed -f -c etc/daytimed.conf (port 13013)
#   ./quickstart.sh test    make check (unit and integration tests)
# While apt-get installs, a /usr/sbin/policy-rc.d that says "exit 101"
# keeps the new packages' services from starting (the tests start their
# own oidentd, rsyslogd and haproxy). It is created only when none exists, and the
# trap below removes it on every way out, the file quickstart made and no
# other.
set -eu
cd "$(dirname "$0")"

case "${1:-}" in
run | test) ;;
*)
	echo "usage: $0 run|test" >&2
	exit 2 ;;
esac

need="build-essential autoconf automake pkg-config libevent-dev libsodium-dev
libcidr-dev libseccomp-dev zlib1g-dev check python3"
# test: the real parts the integration tests run (openbsd-inetd is unpacked
# by its test with dpkg-deb -x, as it conflicts with other inetds: it needs
# the libraries below; systemd brings systemd-socket-activate; xinetd and
# tcpserver from ucspi-tcp run daytimed -i too; time: GNU time(1) measures
# the audit tool's memory on a huge line; test_fleet runs haproxy;
# faketime steps the daemon's wall clock in test_limits and the soak;
# libglib2.0-0 libjson-c5 libpcre3: libraries of syslog-ng, unpacked by
# its test like openbsd-inetd, as it conflicts with rsyslog).
# Wanted: installed where it installs, the run goes on without it
# (test_fleet then forwards over plain TCP instead of RELP).
want=""
[ "$1" = test ] && need="$need oidentd rsyslog logrotate systemd libwrap0
libbsd0 libtirpc3 xinetd ucspi-tcp time haproxy faketime libglib2.0-0
libjson-c5 libpcre3" &&
    want="rsyslog-relp"

prc=/usr/sbin/policy-rc.d
prc_made=0
quickstart_cleanup() {
	if [ "$prc_made" -eq 1 ]; then
		rm -f "$prc"
		prc_made=0
	fi
}
quickstart_traps() {
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}
trap quickstart_cleanup EXIT
quickstart_traps

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}
missing=""
for p in $need; do
	installed "$p" || missing="$missing $p"
done
wanted=""
for p in $want; do
	installed "$p" || wanted="$wanted $p"
done
if [ -n "$missing$wanted" ]; then
	echo "quickstart: installing$missing$wanted"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# noclobber: an existing policy-rc.d (e.g. a container's) is left
	# alone. Signals are ignored for the instant between making the file
	# and noting that it is ours.
	trap '' INT TERM HUP
	if (set -C; printf '#!/bin/sh\nexit 101\n' >"$prc") 2>/dev/null; then
		prc_made=1
	fi
	quickstart_traps
	[ "$prc_made" -eq 0 ] || chmod 755 "$prc"
	[ -z "$missing" ] || apt-get install -y -qq --no-install-recommends $missing
	for p in $wanted; do
		apt-get install -y -qq --no-install-recommends "$p" ||
			echo "quickstart: $p did not install; going on without it"
	done
	quickstart_cleanup
fi

[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure --enable-werror
make -j"$(nproc)"

case "$1" in
run)
	exec ./daytimed -f -c etc/daytimed.conf ;;
test)
	make -j"$(nproc)" check || { sh .ci/failed-logs; exit 1; } ;;
esac
