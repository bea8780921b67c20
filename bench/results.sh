# SPDX-License-Identifier: ISC
#
# bench/results.sh -- the sections of bench/RESULTS.md.  bench/run.sh owns
# the top of the file, up to the first marker line; each other script owns
# one section, from its marker line "<!-- bench/NAME.sh -->" to the next
# marker or the end.  Sourced by every bench script that writes a section.

# results_section MARK FILE: put FILE's text after MARK in $OUT, replacing
# the section MARK had, or at the end when there was none.
results_section() {
	local mark=$1 sec=$2
	touch "$OUT"
	awk -v m="$mark" -v sec="$sec" '
		function put() {
			print m; print ""
			while ((getline l < sec) > 0) print l
			print ""; done = 1
		}
		$0 == m { put(); skip = 1; next }
		skip && /^<!-- bench\/[a-z0-9_]*\.sh -->$/ { skip = 0 }
		!skip { print }
		END { if (!done) { print ""; put() } }' "$OUT" > "$OUT.tmp" &&
	    mv "$OUT.tmp" "$OUT"
}

# results_kept: the sections of the other scripts, for bench/run.sh, which
# rewrites the top of $OUT and keeps them.
results_kept() {
	[ -f "$OUT" ] && sed -n '/^<!-- bench\/[a-z0-9_]*\.sh -->$/,$p' "$OUT"
}
