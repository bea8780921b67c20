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

die() {
	echo "$0: $*" >&2
	exit 1
}

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
# No pipes: each step's failure stops the build (sh has no pipefail), so
# a package is never built from a partial copy of the tree.
if [ -d "$top/.git" ] || [ -f "$top/.git" ]; then
	# What git knows of, edits included; build products stay behind, and
	# so do files deleted from the work tree but not yet from the index.
	(cd "$top" && git ls-files -z --cached --others --exclude-standard) \
	    >"$work/listed" || die "git ls-files failed"
	(cd "$top" && xargs -0 sh -c '
		for f; do
			if [ -e "$f" ]; then printf "%s\0" "$f"; fi
		done' sh) <"$work/listed" >"$work/files" ||
	    die "listing the tree failed"
	tar -C "$top" -cf "$work/tree.tar" --null --no-recursion \
	    -T "$work/files" || die "copying the tree failed (tar)"
else
	tar -C "$top" -cf "$work/tree.tar" --exclude=./debian . ||
	    die "copying the tree failed (tar)"
fi
tar -C "$src" -xf "$work/tree.tar" || die "unpacking the copy failed (tar)"
rm -f "$work/tree.tar" "$work/listed" "$work/files"
rm -rf "$src/debian"
cp -R "$top/packaging/debian" "$src/debian"
cp "$top/packaging/systemd/daytimed.service" \
    "$top/packaging/systemd/daytimed.socket" "$src/debian/"
# The inetd-mode pair is shipped, not enabled (debian/rules installs it).
mkdir -p "$src/debian/extra-units"
cp "$top/packaging/systemd/daytimed-inetd.socket" \
    "$top/packaging/systemd/daytimed-inetd@.service" \
    "$src/debian/extra-units/"

(cd "$src" && dpkg-buildpackage -us -uc -b)

found=0
for f in "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes; do
	[ -e "$f" ] || continue
	cp "$f" "$out/"
	found=1
done
[ "$found" -eq 1 ] || { echo "$0: no package was built" >&2; exit 1; }
ls -1 "$out"/*.deb
