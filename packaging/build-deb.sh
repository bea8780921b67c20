#!/bin/sh
# SPDX-License-Identifier: ISC
# Build the daytimed .deb from this source tree without touching it:
#   packaging/build-deb.sh OUTDIR
# The tree (committed and untracked files, as a git checkout has them, or
# a plain copy when there is no git) goes to a temporary directory, where
# packaging/debian becomes ./debian with the systemd units beside it, and
# dpkg-buildpackage -us -uc -b runs there. The .deb (and its .buildinfo
# and .changes) end up in OUTDIR. DEB_BUILD_OPTIONS passes through, e.g.
# DEB_BUILD_OPTIONS=nocheck to skip "make check" during the build.
set -eu

usage() {
	echo "usage: $0 OUTDIR" >&2
	exit 2
}

[ $# -eq 1 ] || usage
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/daytimed-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
# Tests run during the build may run the programs as another user.
chmod 0755 "$work"
src=$work/daytimed

mkdir "$src"
if [ -d "$top/.git" ] || [ -f "$top/.git" ]; then
	# What git knows of, edits included; build products stay behind.
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\n" "$f"; done' sh |
	    tar -cf - -T - --no-recursion) | (cd "$src" && tar -xf -)
else
	(cd "$top" && tar -cf - --exclude=./debian .) | (cd "$src" && tar -xf -)
fi
rm -rf "$src/debian"
cp -R "$top/packaging/debian" "$src/debian"
cp "$top/packaging/systemd/daytimed.service" \
    "$top/packaging/systemd/daytimed.socket" "$src/debian/"

(cd "$src" && dpkg-buildpackage -us -uc -b)

found=0
for f in "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes; do
	[ -e "$f" ] || continue
	cp "$f" "$out/"
	found=1
done
[ "$found" -eq 1 ] || { echo "$0: no package was built" >&2; exit 1; }
ls -1 "$out"/*.deb
