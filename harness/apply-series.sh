#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Bring the kernel tree's applied patches in line with patches/series.
#
# Usage: apply-series.sh KERNEL_TREE PATCH_DIR
#
# The patches applied last time are kept in KERNEL_TREE/.mk-applied/.  When
# the series or any patch changed, they are reverse-applied (newest first) and
# the new series applied, so the tree is never re-extracted and only the files
# the patches touch get a new modification time.  A patch that does not apply
# stops the build with its name.
set -eu

tree=$1
pdir=$2
applied=$tree/.mk-applied

series_of() {
	grep -v -e '^#' -e '^[[:space:]]*$' "$1" || true
}

# Nothing to do when the recorded series equals the wanted one, file by file.
if [ -f "$applied/series" ] &&
   [ "$(series_of "$applied/series")" = "$(series_of "$pdir/series")" ]; then
	same=1
	for p in $(series_of "$pdir/series"); do
		cmp -s "$applied/$p" "$pdir/$p" || { same=0; break; }
	done
	[ $same = 1 ] && exit 0
fi

if [ -f "$applied/series" ]; then
	for p in $(series_of "$applied/series" | tac); do
		echo "  UNPATCH $p"
		patch -d "$tree" -p1 -R -s -N -E < "$applied/$p" || {
			echo "error: cannot reverse $p; remove $tree and rebuild" >&2
			exit 1
		}
	done
fi
rm -rf "$applied"
mkdir -p "$applied"
: > "$applied/series"

for p in $(series_of "$pdir/series"); do
	echo "  PATCH   $p"
	if ! patch -d "$tree" -p1 -s -N -E --dry-run < "$pdir/$p" >/dev/null; then
		echo "error: patch $p does not apply to $(cat "$tree/.mk-base")" >&2
		patch -d "$tree" -p1 -N -E --dry-run < "$pdir/$p" >&2 || true
		exit 1
	fi
	patch -d "$tree" -p1 -s -N -E < "$pdir/$p"
	cp "$pdir/$p" "$applied/$p"
	echo "$p" >> "$applied/series"
done
