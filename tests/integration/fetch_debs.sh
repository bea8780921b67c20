#!/bin/sh
# SPDX-License-Identifier: ISC
# Fetch (apt-get download) and unpack (dpkg-deb -x) the Debian packages
# the integration tests run without installing them, into the layout
# harness.unpacked_deb reads: $DAYTIMED_TEST_DEBS (default
# /var/tmp/daytimed-test-debs)/PACKAGE/root/. .ci/run runs it before the
# tests, after apt-get update; under CI (DAYTIMED_CI) a test that finds
# one missing fails. A package already unpacked is left as it is. Any
# failure is this script's: exit 1, saying which.
set -eu

dir=${DAYTIMED_TEST_DEBS:-/var/tmp/daytimed-test-debs}
lib=usr/lib/$(uname -m)-linux-gnu

# PACKAGE and the file of it a test runs (as the tests name them:
# test_inetd.py, syslog_ng.py, test_report.py)
while read -r pkg path; do
	root=$dir/$pkg
	[ -e "$root/root/$path" ] && continue
	rm -rf "$root"
	mkdir -p "$root"
	# as root: no "unsandboxed" warning for a directory _apt cannot write
	if ! (cd "$root" && apt-get download -q -o APT::Sandbox::User=root \
	    "$pkg" >/dev/null); then
		echo "fetch_debs: apt-get download $pkg failed" >&2
		exit 1
	fi
	set -- "$root"/*.deb
	if [ "$#" -ne 1 ] || [ ! -f "$1" ]; then
		echo "fetch_debs: $pkg: no single .deb in $root" >&2
		exit 1
	fi
	dpkg-deb -x "$1" "$root/root"
	if [ ! -e "$root/root/$path" ]; then
		echo "fetch_debs: $pkg unpacked has no $path" >&2
		exit 1
	fi
	echo "fetch_debs: $pkg unpacked in $root/root"
done <<LIST
openbsd-inetd usr/sbin/inetd
syslog-ng-core usr/sbin/syslog-ng
libivykis0 $lib/libivykis.so.0
libnet1 $lib/libnet.so.1
logwatch usr/share/logwatch/scripts/logwatch.pl
LIST
