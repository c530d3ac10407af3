#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Quick check of the exported series: generate it (series.sh), git am
# every patch onto a clean base, then checkpatch --strict on each patch.
# TAP on stdout, the plan last.
#
# Usage: series-quick.sh SERIES_DIR MAKE_TREE NEW_TREES...
#
# SERIES_DIR holds repo/ (the base, from series-base.sh); the arguments
# are passed to series.sh, which fills SERIES_DIR/out.  The patches are
# applied in SERIES_DIR/scratch, a worktree of repo/.  A patch passes checkpatch with 0 errors and 0 warnings; CHECKs
# must be explained in the patch's notes, below its "---" line.
#
# checkpatch warns "does MAINTAINERS need updating?" for every patch that
# adds a file without touching MAINTAINERS.  The series adds the entry in
# its last patch, so that warning is replaced here by an exact test: every
# file the patch adds must be covered by an F: line of the MULTIKERNEL
# entry once the whole series is applied.
#
# The patches are signed off as "make series" does, by the git identity of
# whoever runs the check.  Without one (a fresh clone in CI) the check
# still runs: its throw-away output is signed off by a placeholder in the
# .invalid domain, said in a TAP comment; "make series" refuses instead.
set -u

dir=$(cd "$1" && pwd)
repo=$dir/repo
scratch=$dir/scratch
log=$dir/quick
n=0
fails=0

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}

not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n $1"
}

# Scratch worktree at base, cleaned of anything a previous run left.
prepare_scratch() {
	if [ ! -e "$scratch/.git" ]; then
		rm -rf "$scratch"
		git -C "$repo" worktree prune
		git -C "$repo" worktree add -q --detach "$scratch" base ||
			return 1
	fi
	git -C "$scratch" am --abort >/dev/null 2>&1
	git -C "$scratch" checkout -q -f --detach base &&
		git -C "$scratch" clean -q -f -d -x
}

# Files a patch adds, one per line.
added_files() {
	awk '/^diff --git / { f = substr($4, 3) }
	     /^new file mode/ { print f }' "$1"
}

# F: patterns of the MULTIKERNEL entry in the scratch tree's MAINTAINERS.
maintained_patterns() {
	awk '/^MULTIKERNEL$/ { on = 1; next }
	     on && /^$/ { exit }
	     on && /^F:/ { print $2 }' "$scratch/MAINTAINERS"
}

# $1: file; true if an F: pattern (a file, or a directory ending in /)
# covers it.
maintained() {
	for pat in $(maintained_patterns); do
		case $pat in
		*/) case $1 in "$pat"*) return 0 ;; esac ;;
		*) [ "$1" = "$pat" ] && return 0 ;;
		esac
	done
	return 1
}

# $1: the patch.  Text between "---" and the diffstat: reviewer notes.
has_notes() {
	awk '/^---$/ { on = 1; next }
	     on && /^ .*\|/ { exit }
	     on && /[^ ]/ { found = 1 }
	     END { exit !found }' "$1"
}

echo "TAP version 13"
top=$(cd "$(dirname "$0")/.." && pwd)
name=${GIT_AUTHOR_NAME:-$(git -C "$top" config user.name)}
email=${GIT_AUTHOR_EMAIL:-$(git -C "$top" config user.email)}
if [ -z "$name" ] || [ -z "$email" ]; then
	name='Multikernel Series Check'
	email='series-check@multikernel.invalid'
	echo "# no git identity (git config user.name/user.email): check output signed off by $name <$email>"
fi
# The committer too: git am commits in the scratch worktree.
export GIT_AUTHOR_NAME="$name" GIT_AUTHOR_EMAIL="$email"
export GIT_COMMITTER_NAME="$name" GIT_COMMITTER_EMAIL="$email"
rm -rf "$log"
mkdir -p "$log"
shift
if "$(dirname "$0")/series.sh" "$dir" "$@" > "$log/series.log" 2>&1; then
	ok "series: generate from the manifest, last tree equals make tree"
else
	not_ok "series: generate from the manifest (log: $log/series.log)"
	grep -i 'error' "$log/series.log" | sed 's/^/# /'
	echo "1..$n"
	exit 1
fi
set -- $(ls "$dir"/out/[0-9]*.patch | grep -v '/0000-cover-letter.patch$')

if prepare_scratch > "$log/scratch.log" 2>&1 &&
   git -C "$scratch" am -q "$@" > "$log/am.log" 2>&1; then
	ok "series: git am"
	am=1
else
	not_ok "series: git am"
	sed 's/^/# /' "$log/scratch.log" "$log/am.log"
	am=0
fi

for p in "$@"; do
	name=$(basename "$p" .patch)
	if [ $am = 0 ]; then
		not_ok "checkpatch $name (git am failed)"
		continue
	fi
	ignore=
	uncovered=
	for f in $(added_files "$p"); do
		maintained "$f" || uncovered="$uncovered $f"
	done
	[ -z "$uncovered" ] && ignore=--ignore=FILE_PATH_CHANGES
	# /usr/bin first: spdxcheck.py needs the python3 that has Debian's
	# python3-ply and python3-git, not one a user installed elsewhere.
	(cd "$scratch" && PATH=/usr/bin:$PATH scripts/checkpatch.pl --strict --no-signoff \
		--show-types $ignore "$p") > "$log/$name.log" 2>&1
	total=$(grep '^total:' "$log/$name.log")
	set -- $total
	errors=$2 warnings=$4 checks=$6
	why=
	[ -n "$uncovered" ] && why="; not in MAINTAINERS:$uncovered"
	[ "$checks" != 0 ] && ! has_notes "$p" && why="$why; CHECKs without notes"
	if [ "$errors" = 0 ] && [ "$warnings" = 0 ] && [ -z "$why" ]; then
		ok "checkpatch $name # $errors errors, $warnings warnings, $checks checks"
	else
		not_ok "checkpatch $name # $errors errors, $warnings warnings, $checks checks$why"
		grep -E '^(ERROR|WARNING|CHECK):' "$log/$name.log" | sed 's/^/# /'
	fi
done
echo "1..$n"
[ $fails = 0 ]
