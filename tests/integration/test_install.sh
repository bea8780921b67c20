#!/bin/sh
# SPDX-License-Identifier: ISC
# "make install" and the configuration file: a first install puts the
# example in place as daytimed.conf (and daytimed.conf.example); a second
# install after an edit keeps the edit and refreshes only the example;
# "make uninstall" keeps an edited daytimed.conf and removes one that is
# still the example; the installed manual pages name the configured
# directory; the auditor's tool and the client are in bin, the daemon in
# sbin. Everything goes to DESTDIRs under a temporary directory. Environment (set by make check): TOP_BUILDDIR, TOP_SRCDIR.
set -u

top_build=${TOP_BUILDDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
top_src=${TOP_SRCDIR:-$top_build}
example=$top_src/etc/daytimed.conf
failures=0
say() { printf '%s\n' "$*"; }
fail() { say "FAIL: $*"; failures=$((failures + 1)); }
ok() { say "ok: $*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dt-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# make TARGET DESTDIR=DIR in the build tree, quietly; sets $rc.
mk() {
	# A make of our own: not a job of the make that runs the tests.
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -C "$top_build" \
	    "$1" DESTDIR="$2" >"$tmp/make.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		sed 's/^/make: /' "$tmp/make.log" | tail -n 30
	fi
}

# The installed configuration directory under DESTDIR $1.
confdir() {
	f=$(find "$1" -name daytimed.conf.example -type f | head -n 1)
	[ -n "$f" ] && dirname "$f"
}

d=$tmp/dest
mk install "$d"
[ $rc -eq 0 ] || { say "FAIL: make install"; exit 1; }
dir=$(confdir "$d")
[ -n "$dir" ] || { say "FAIL: no daytimed.conf.example installed"; exit 1; }
cmp -s "$example" "$dir/daytimed.conf" &&
    ok "first install: daytimed.conf is the example" ||
    fail "first install: daytimed.conf differs from etc/daytimed.conf"
cmp -s "$example" "$dir/daytimed.conf.example" &&
    ok "first install: daytimed.conf.example" ||
    fail "first install: daytimed.conf.example differs"

# The manual pages name the configured directory (/usr/local/etc for a
# default ./configure, /etc for the Debian package).
sysconf=$(dirname "${dir#"$d"}")
for page in man8/daytimed.8 man5/daytimed.conf.5 man1/daytimed-audit.1; do
	f=$(find "$d" -path "*/man/$page" -type f | head -n 1)
	if [ -z "$f" ]; then
		fail "$page is not installed"
	elif grep -q '@[a-z]*dir@' "$f"; then
		fail "$page: $(grep -o '@[a-z]*dir@' "$f" | head -n 1) left as is"
	elif grep -q "$sysconf/daytimed/daytimed.conf" "$f"; then
		ok "$page names $sysconf/daytimed/daytimed.conf"
	else
		fail "$page does not name $sysconf/daytimed/daytimed.conf"
	fi
done

# Where the programs go: the auditor's tool and the client in bin, where
# an ordinary account's PATH finds them, the daemon in sbin.
prefix=$(dirname "$sysconf")
for want in bin/daytimed-audit bin/daytime sbin/daytimed; do
	[ -x "$d$prefix/$want" ] && ok "$prefix/$want installed" ||
	    fail "$prefix/$want is not installed"
done
[ ! -e "$d$prefix/sbin/daytimed-audit" ] ||
    fail "daytimed-audit installed in sbin too"
f=$(find "$d" -path "*/man/man1/daytime.1" -type f | head -n 1)
[ -n "$f" ] && ok "man1/daytime.1 installed" || fail "man1/daytime.1 is not installed"

mark="# edited by test_install.sh $$"
printf '%s\n' "$mark" >>"$dir/daytimed.conf"
cp "$dir/daytimed.conf" "$tmp/edited"
printf '# stale\n' >"$dir/daytimed.conf.example"
mk install "$d"
[ $rc -eq 0 ] && ok "second install" || fail "second make install: exit $rc"
cmp -s "$tmp/edited" "$dir/daytimed.conf" &&
    ok "second install keeps the edited daytimed.conf" ||
    fail "second install changed the edited daytimed.conf"
cmp -s "$example" "$dir/daytimed.conf.example" &&
    ok "second install refreshes daytimed.conf.example" ||
    fail "second install left daytimed.conf.example stale"
grep -q 'keeping .*daytimed.conf' "$tmp/make.log" &&
    ok "make install says it kept daytimed.conf" ||
    fail "make install is silent about the kept daytimed.conf"

mk uninstall "$d"
[ $rc -eq 0 ] || fail "make uninstall: exit $rc"
cmp -s "$tmp/edited" "$dir/daytimed.conf" &&
    ok "uninstall keeps the edited daytimed.conf" ||
    fail "uninstall removed or changed the edited daytimed.conf"
[ ! -e "$dir/daytimed.conf.example" ] &&
    ok "uninstall removes daytimed.conf.example" ||
    fail "uninstall left daytimed.conf.example"

d2=$tmp/dest2
mk install "$d2"
[ $rc -eq 0 ] || fail "make install (second DESTDIR)"
mk uninstall "$d2"
[ $rc -eq 0 ] || fail "make uninstall (second DESTDIR)"
left=$(find "$d2" -type f | sed "s|^$d2||")
[ -z "$left" ] && ok "install then uninstall leaves no file" ||
    fail "files left after uninstall: $left"

# A directory given to make, not to ./configure: the programs would look
# elsewhere than the files go, so make refuses before installing any.
d3=$tmp/dest3
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -C "$top_build" \
    install DESTDIR="$d3" sysconfdir=/elsewhere/etc >"$tmp/make3.log" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ ! -e "$d3" ] &&
    grep -q "give other directories to ./configure, not to make" \
    "$tmp/make3.log"; then
	ok "make install sysconfdir=X is refused, nothing installed"
else
	fail "make install sysconfdir=X: exit $rc, $(ls -A "$d3" 2>/dev/null)"
fi

if [ $failures -ne 0 ]; then
	say "FAIL: $failures check(s) failed"
	exit 1
fi
say "PASS: install"
exit 0
