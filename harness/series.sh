#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the exportable patch series described by series/manifest.
#
# Usage: series.sh OUT_DIR MAKE_TREE NEW_TREES...
#
# OUT_DIR/repo must hold the base kernel tagged "base" (series-base.sh).
# The branch "series" is rebuilt there from the manifest, one commit per
# "commit" block, and exported with git format-patch to OUT_DIR/out.  The
# run fails when the manifest leaves a file of NEW_TREES or an entry of
# patches/series out, and when the series' last tree differs from
# MAKE_TREE, the kernel tree "make tree" produced.
#
# The series is signed off by whoever exports it, as "git format-patch -s"
# does: GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL from the environment, else
# user.name and user.email of git's configuration; without them the run
# fails.  That identity is the author and committer of every commit and
# the maintainer ("M:") of the MAINTAINERS entry: patches/ hold the
# placeholder @MAINTAINER@ there, filled in here, and "make tree" keeps
# it, so the comparison with MAKE_TREE fills it in the same way.
# Sign-offs in the .invalid domain, which no mailbox has (the placeholder
# of patches/ and of early history), are dropped from the messages.
set -eu

out=$(cd "$1" && pwd)
ktree=${2:+$(cd "$2" && pwd)}
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
repo=$out/repo
manifest=$top/series/manifest
work=$out/work

die() {
	echo "error: $*" >&2
	exit 1
}

name=${GIT_AUTHOR_NAME:-$(git -C "$top" config user.name || true)}
email=${GIT_AUTHOR_EMAIL:-$(git -C "$top" config user.email || true)}
if [ -z "$name" ] || [ -z "$email" ]; then
	die 'no git identity to sign the series off with; set one: git config --global user.name "Your Name" && git config --global user.email you@example.org'
fi
case $name$email in
*'<'* | *'>'*) die "git identity \"$name <$email>\": no < or > in a name or address" ;;
esac
ident="$name <$email>"
export GIT_AUTHOR_NAME="$name"
export GIT_AUTHOR_EMAIL="$email"
export GIT_COMMITTER_NAME="$name"
export GIT_COMMITTER_EMAIL="$email"
# Fixed dates: the same manifest and identity give the same patches, byte
# for byte.
export GIT_AUTHOR_DATE='2026-01-01T00:00:00Z'
export GIT_COMMITTER_DATE=$GIT_AUTHOR_DATE

rm -rf "$work"
mkdir -p "$work"
# Every file "make tree" copies in; the manifest loop reuses "$@".
(cd "$top" && for t in "$@"; do [ -e "$t" ] && find "$t" -type f; done) |
	sort > "$work/want-files"
: > "$work/added"
: > "$work/applied"
: > "$work/staged"

# The commit message of a patches/*.patch file: between its Subject: header
# and the "---" line, without the blank line after the headers.
patch_message() {
	sed -n '/^Subject:/,/^---$/p' "$1" | sed '1d;$d' | sed '/./,$!d'
}

# $1: repository path of the body file, or git:REV for the message of
# commit REV without its subject line.
write_body() {
	case $1 in
	git:*)
		git -C "$top" log -1 --format=%b "${1#git:}" 2>/dev/null |
			sed '/./,$!d' | grep . >/dev/null ||
			die "manifest: no commit message in ${1#git:}"
		git -C "$top" log -1 --format=%b "${1#git:}" | sed '/./,$!d'
		return
		;;
	esac
	f=$top/$1
	[ -f "$f" ] || die "manifest: no body file $1"
	case $1 in
	patches/*.patch) patch_message "$f" ;;
	*) cat "$f" ;;
	esac
}

# Commit what the current block did.
finish_commit() {
	[ -n "$subject" ] || return 0
	[ -s "$work/body" ] || die "manifest: \"$subject\" has no body"
	git -C "$repo" add -A -f .
	git -C "$repo" diff --cached --quiet &&
		die "manifest: \"$subject\" changes nothing"
	{
		echo "$subject"
		echo
		grep -v '^Signed-off-by: .*@[^>]*\.invalid>$' "$work/body"
	} > "$work/msg"
	grep -qxF "Signed-off-by: $ident" "$work/msg" ||
		printf '\nSigned-off-by: %s\n' "$ident" >> "$work/msg"
	git -C "$repo" commit -q -F "$work/msg"
	if [ -n "$notes" ]; then
		git -C "$repo" notes add -F "$top/$notes" HEAD
	fi
	echo "  COMMIT  $subject"
	subject=
	notes=
}

# $1: file or directory of the repository.
add_path() {
	[ -e "$top/$1" ] || die "manifest: no such file $1"
	(cd "$top" && find "$1" -type f) | sort > "$work/files"
	[ -s "$work/files" ] || die "manifest: $1 holds no file"
	while read -r f; do
		mkdir -p "$repo/$(dirname "$f")"
		cp "$top/$f" "$repo/$f"
		chmod "$(stat -c %a "$top/$f")" "$repo/$f"
		echo "$f" >> "$work/added"
	done < "$work/files"
}

apply_patch() {
	grep -qx "$1" "$work/applied" && die "manifest: $1 applied twice"
	[ -f "$top/patches/$1" ] || die "manifest: no patch patches/$1"
	patch -d "$repo" -p1 -s -N -E --no-backup-if-mismatch \
		< "$top/patches/$1" || die "patches/$1 does not apply"
	if grep -q '@MAINTAINER@' "$repo/MAINTAINERS"; then
		fill_maintainer < "$repo/MAINTAINERS" > "$work/MAINTAINERS"
		mv "$work/MAINTAINERS" "$repo/MAINTAINERS"
	fi
	echo "$1" >> "$work/applied"
}

# stdin to stdout with @MAINTAINER@ replaced by the identity, taken
# literally (awk's -v and sub() would read backslashes and "&").
fill_maintainer() {
	MK_IDENT=$ident awk '{
		out = ""
		while ((i = index($0, "@MAINTAINER@")) > 0) {
			out = out substr($0, 1, i - 1) ENVIRON["MK_IDENT"]
			$0 = substr($0, i + 12)
		}
		print out $0
	}'
}

# $1: the kernel path; $2: a snapshot file, or git:REV for the file as it
# was at commit REV of this repository.
stage_file() {
	mkdir -p "$repo/$(dirname "$1")"
	case $2 in
	git:*)
		git -C "$top" show "${2#git:}:$1" > "$repo/$1" 2>/dev/null ||
			die "manifest: no $1 in commit ${2#git:}"
		;;
	*)
		[ -f "$top/$2" ] || die "manifest: no stage file $2"
		cp "$top/$2" "$repo/$1"
		;;
	esac
	echo "$1" >> "$work/staged"
}

# $1: template (first line: subject; then the text); $2: the cover letter
# git format-patch left with placeholders.
fill_cover() {
	grep -q '^\*\*\* BLURB HERE \*\*\*$' "$2" || die "$2: no placeholder"
	awk -v tmpl="$1" '
	BEGIN {
		getline subj < tmpl
		while ((getline l < tmpl) > 0)
			blurb = blurb l "\n"
		sub(/^\n+/, "", blurb)
		sub(/\n+$/, "", blurb)
	}
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subj) }
	/^\*\*\* BLURB HERE \*\*\*$/ { print blurb; next }
	{ print }' "$2" > "$2.new"
	mv "$2.new" "$2"
}

echo "  SERIES  $repo"
git -C "$repo" checkout -q -f -B series base
git -C "$repo" clean -q -f -d -x
git -C "$repo" notes remove --ignore-missing HEAD 2>/dev/null || true
rm -rf "$repo/.git/refs/notes"

subject=
notes=
while IFS= read -r line; do
	case $line in
	'#'* | '') continue ;;
	esac
	# Fields are separated by tabs or spaces; the subject keeps its spaces.
	set -f
	# shellcheck disable=SC2086
	set -- $line
	set +f
	key=$1
	shift
	case $key in
	commit)
		finish_commit
		subject=$*
		: > "$work/body"
		;;
	body) write_body "$1" > "$work/body" ;;
	notes) notes=$1 ;;
	apply) apply_patch "$1" ;;
	add) add_path "$1" ;;
	stage) stage_file "$1" "$2" ;;
	*) die "manifest: unknown keyword \"$key\"" ;;
	esac
	[ -n "$subject" ] || die "manifest: \"$key\" before the first commit"
done < "$manifest"
finish_commit

# Coverage: every new file exactly once, every patch of patches/series.
sort "$work/added" | uniq -d > "$work/dups"
[ -s "$work/dups" ] && die "manifest: added twice: $(cat "$work/dups")"
sort "$work/added" > "$work/have-files"
missing=$(comm -23 "$work/want-files" "$work/have-files")
[ -z "$missing" ] || die "manifest: not in any patch: $missing"
extra=$(comm -13 "$work/want-files" "$work/have-files")
[ -z "$extra" ] || die "manifest: added but not in NEW_TREES: $extra"
grep -v -e '^#' -e '^[[:space:]]*$' "$top/patches/series" | sort > "$work/want-p"
sort "$work/applied" > "$work/have-p"
missing=$(comm -23 "$work/want-p" "$work/have-p")
[ -z "$missing" ] || die "manifest: patches/series entries not applied: $missing"
extra=$(comm -13 "$work/want-p" "$work/have-p")
[ -z "$extra" ] || die "manifest: applied but not in patches/series: $extra"
for f in $(sort -u "$work/staged"); do
	grep -qx "$f" "$work/added" ||
		die "manifest: $f is staged but never gets its final form"
	cmp -s "$top/$f" "$repo/$f" ||
		die "manifest: $f is staged after its final form"
done

# The series' last tree must be what "make tree" builds.
if [ -n "$ktree" ]; then
	[ -f "$ktree/.mk-applied/series" ] || die "$ktree: run make tree first"
	echo "  COMPARE $ktree"
	GIT_INDEX_FILE=$work/index git -C "$repo" --work-tree="$ktree" \
		add -A -f -- . ':!.mk-applied' ':!.mk-base'
	# MAINTAINERS as "make tree" has it, with the maintainer filled in.
	blob=$(fill_maintainer < "$ktree/MAINTAINERS" |
		git -C "$repo" hash-object -w --stdin)
	GIT_INDEX_FILE=$work/index git -C "$repo" update-index \
		--cacheinfo "100644,$blob,MAINTAINERS"
	GIT_INDEX_FILE=$work/index git -C "$repo" diff --cached --stat HEAD \
		> "$work/tree-diff"
	[ -s "$work/tree-diff" ] && {
		cat "$work/tree-diff" >&2
		die "the series' last tree differs from $ktree"
	}
fi

echo "  EXPORT  $out/out"
rm -rf "$out/out"
git -C "$repo" format-patch -q --cover-letter --notes -o "$out/out" base..series
fill_cover "$top/series/cover-letter.txt" "$out/out/0000-cover-letter.patch"
ls "$out/out"
