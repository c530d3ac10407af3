#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Make (once) the git repository the exported series is built on: the
# pristine base kernel committed as "base" and tagged "base".
#
# Usage: series-base.sh REPO TARBALL KERNEL_VERSION BASE_DESCRIPTION
#
# Extracting and committing some 90,000 files is slow, so an existing
# repository whose "base" tag names the wanted kernel version is reused.
set -eu

repo=$1
tarball=$2
version=$3
desc=$4

if git -C "$repo" rev-parse -q --verify refs/tags/base >/dev/null 2>&1 &&
   [ "$(git -C "$repo" log -1 --format=%s base)" = "base: $desc" ]; then
	exit 0
fi

echo "  BASE    $repo ($desc)"
rm -rf "$repo"
mkdir -p "$repo"
tar -xJf "$tarball" -C "$repo" --strip-components=1
v=$(make -s -C "$repo" kernelversion)
if [ "$v" != "$version" ]; then
	echo "error: $tarball holds Linux $v, the series is made for $version" >&2
	exit 1
fi
cd "$repo"
git init -q -b base-tree
git config core.autocrlf false
git config gc.auto 0
# -f: the tarball holds files that the kernel's own .gitignore rules match.
git add -A -f .
# The base is Debian's tarball and is never exported: it gets a fixed role
# identity, so that no git identity needs to be configured for it.
GIT_AUTHOR_NAME='Multikernel base' GIT_AUTHOR_EMAIL='base@multikernel.invalid' \
GIT_COMMITTER_NAME='Multikernel base' GIT_COMMITTER_EMAIL='base@multikernel.invalid' \
GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
	git commit -q -m "base: $desc"
git tag base
