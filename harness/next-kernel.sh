#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# harness/next-kernel.sh BUILD_DIR KMAKE...: make BUILD_DIR/bzImage.next,
# the kernel just built relinked with another version string ("uname -v"
# starts with "#next"), so that the upgrade tests and the demo replace a
# kernel with one that is visibly different.  Only the version object and
# the link are redone.  The relink leaves the next kernel in the tree, so
# the first bzImage goes back in its place afterwards; the next build of
# the tree relinks it once more.  Nothing is done while bzImage.next was
# made from the bzImage there now.
set -e
b=$1
shift
bz=$b/obj/arch/x86/boot/bzImage
sum=$(md5sum < "$bz")
if [ -e "$b/bzImage.next" ] && [ "$(cat "$b/bzImage.next.from" 2>/dev/null)" = "$sum" ]
then
	exit 0
fi
cp "$bz" "$b/bzImage.main"
"$@" -s KBUILD_BUILD_VERSION=next bzImage > "$b/next-kernel.log" 2>&1 ||
	{ tail -20 "$b/next-kernel.log"; exit 1; }
cp "$bz" "$b/bzImage.next"
cp "$b/bzImage.main" "$bz"
echo "$sum" > "$b/bzImage.next.from"
echo "  KERNEL  $b/bzImage.next (uname -v: #next ...)"
