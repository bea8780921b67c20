#!/bin/sh
# SPDX-License-Identifier: ISC
# The README's Quick start: install what is missing (Debian 12, as root),
# build, then run the daemon in the foreground or pass the whole suite.
#   ./quickstart.sh run     daytimed -f -c etc/daytimed.conf (port 13013)
#   ./quickstart.sh test    make check (unit and integration tests)
set -eu
cd "$(dirname "$0")"

need="build-essential autoconf automake pkg-config libevent-dev libsodium-dev
libcidr-dev check python3"
[ "${1:-}" = test ] && need="$need oidentd rsyslog"

missing=""
for p in $need; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "quickstart: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# oidentd and rsyslog are started by the tests themselves, not by dpkg
	prc=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		prc=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' > "$prc"
		chmod 755 "$prc"
	fi
	apt-get install -y -qq --no-install-recommends $missing
	[ -z "$prc" ] || rm -f "$prc"
fi

[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure --enable-werror
make -j"$(nproc)"

case "${1:-}" in
run)
	exec ./daytimed -f -c etc/daytimed.conf ;;
test)
	make -j"$(nproc)" check || { cat tests/*/*.log 2>/dev/null | tail -n 200; exit 1; } ;;
*)
	echo "usage: $0 run|test" >&2
	exit 2 ;;
esac
