#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Full check of the exported series: apply the patches one by one onto a
# clean base and build after each, with the test configuration and with
# CONFIG_MULTIKERNEL=n.  TAP on stdout ("make series-check" keeps it in
# SERIES_DIR/check.tap); "make series-check" runs the quick check first.
#
# Usage: series-check.sh SERIES_DIR JOBS FRAGMENT...
#
# The test configuration is the one "make kernel" uses: tinyconfig plus
# the FRAGMENTs.  The patches are copied first and applied in a worktree
# of their own, SERIES_DIR/check-tree, so that "make series" and
# "make series-quick" can run meanwhile.  Both configurations build in
# one object directory, SERIES_DIR/obj: switching MULTIKERNEL on and off
# rebuilds only the files that use the symbols it changes, and a patch to
# a widely included header costs one rebuild instead of two.  A build
# fails on any compiler warning in a multikernel file (W=1), as
# "make kernel" does.
set -u

dir=$(cd "$1" && pwd)
jobs=$2
shift 2
scratch=$dir/check-tree
repo=$dir/repo
log=$dir/check
n=0
fails=0

# git am needs a committer.  The worktree's commits are never exported, so
# without a git identity (a fresh clone) a placeholder one does.
if [ -z "${GIT_COMMITTER_NAME:-$(git -C "$repo" config user.name)}" ] ||
   [ -z "${GIT_COMMITTER_EMAIL:-$(git -C "$repo" config user.email)}" ]; then
	export GIT_COMMITTER_NAME='Multikernel Series Check'
	export GIT_COMMITTER_EMAIL='series-check@multikernel.invalid'
fi

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}

not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n $1"
}

# $1: object directory; $2...: fragments.  Regenerating the same
# configuration leaves the objects valid, so this runs before every build:
# Kconfig symbols appear with the patches.
configure() {
	o=$1
	shift
	mkdir -p "$o"
	make -s -C "$scratch" O="$o" ARCH=x86_64 tinyconfig >/dev/null &&
	(cd "$scratch" && scripts/kconfig/merge_config.sh -m -O "$o" \
		"$o/.config" "$@" >/dev/null) &&
	make -s -C "$scratch" O="$o" ARCH=x86_64 olddefconfig >/dev/null
}

# $1: object directory; $2: log.
build() {
	make -s -C "$scratch" O="$1" ARCH=x86_64 -j"$jobs" W=1 bzImage \
		> "$2" 2>&1 &&
	! grep -E '(multikernel|include/linux/multikernel).*(warning|error):' "$2"
}

done=$dir/check-done
mkdir -p "$done"
printf 'CONFIG_MULTIKERNEL=n\nCONFIG_MULTIKERNEL_KUNIT_TEST=n\n' > "$dir/mk-off.config"
rm -rf "$log"
mkdir -p "$log"
frags=$*
mkdir -p "$log/patches"
cp "$dir"/out/[0-9]*.patch "$log/patches/"
rm -f "$log/patches/0000-cover-letter.patch"
patches=$(ls "$log"/patches/*.patch)
count=$(echo "$patches" | wc -l)

echo "TAP version 13"
echo "1..$((count * 2))"
if [ ! -e "$scratch/.git" ]; then
	rm -rf "$scratch"
	git -C "$repo" worktree prune
	git -C "$repo" worktree add -q --detach "$scratch" base || exit 1
fi
git -C "$scratch" am --abort >/dev/null 2>&1

# Resume: patches already applied in the worktree by an earlier run, whose
# diff and configuration fragments are unchanged and whose two builds
# passed, keep their results; the rest is applied again.  A change late in
# the series then costs only the builds from that patch on.
# $1: a patch file or "-" for a commit on stdin.
result_id() {
	pid=$(git patch-id --stable < "$1" | cut -d' ' -f1)
	echo "$pid-$(cat $frags | md5sum | cut -c1-12)"
}

keep=base
skip=0
set -- $(git -C "$scratch" rev-list --reverse base..HEAD 2>/dev/null)
for p in $patches; do
	[ $# -gt 0 ] || break
	git -C "$scratch" show "$1" > "$log/commit.diff"
	[ "$(result_id "$p")" = "$(result_id "$log/commit.diff")" ] &&
		[ -f "$done/$(result_id "$p")" ] || break
	keep=$1
	skip=$((skip + 1))
	shift
done
git -C "$scratch" reset -q --hard "$keep" &&
	git -C "$scratch" clean -q -f -d -x || exit 1

for p in $patches; do
	name=$(basename "$p" .patch)
	if [ $skip -gt 0 ]; then
		skip=$((skip - 1))
		while read -r line; do
			ok "$line (earlier run)"
		done < "$done/$(result_id "$p")"
		continue
	fi
	: > "$log/result"
	if ! git -C "$scratch" am -q "$p" > "$log/$name.am" 2>&1; then
		not_ok "build $name # git am failed"
		not_ok "build $name with MULTIKERNEL=n # git am failed"
		git -C "$scratch" am --abort >/dev/null 2>&1
		continue
	fi
	for cfg in y n; do
		o=$dir/obj
		if [ $cfg = y ]; then
			# shellcheck disable=SC2086
			configure "$o" $frags
			what="build $name"
		else
			# shellcheck disable=SC2086
			configure "$o" $frags "$dir/mk-off.config"
			what="build $name with MULTIKERNEL=n"
		fi
		# MULTIKERNEL must be on in the test configuration as soon as
		# the series defines it, and never with the override.
		want=0
		[ $cfg = y ] && [ -f "$scratch/kernel/multikernel/Kconfig" ] && want=1
		start=$(date +%s)
		if ! build "$o" "$log/$name.$cfg.log"; then
			not_ok "$what # log: $log/$name.$cfg.log"
			tail -5 "$log/$name.$cfg.log" | sed 's/^/# /'
		elif [ "$(grep -c '^CONFIG_MULTIKERNEL=y' "$o/.config")" != $want ]; then
			not_ok "$what # CONFIG_MULTIKERNEL=y expected $want times in .config"
		else
			ok "$what # $(($(date +%s) - start)) s, MULTIKERNEL=$cfg"
			echo "$what # $(($(date +%s) - start)) s, MULTIKERNEL=$cfg" \
				>> "$log/result"
		fi
	done
	[ "$(wc -l < "$log/result")" = 2 ] &&
		cp "$log/result" "$done/$(result_id "$p")"
done
[ $fails = 0 ]
