#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: mkinitramfs.sh BUILD_DIR
#
# Builds BUILD_DIR/spawn-initrd.cpio.gz (the default spawn userspace: static
# busybox, harness/spawn-init, the command agent tools/mkctl/mk-agent, the
# key-value service tools/mkctl/mk-kv and the selftests' mk_vsock,
# vsock_conform and mk_region) and BUILD_DIR/initramfs.cpio.gz
# (the host VM: busybox, bash, the glibc libraries our programs need, mkctl,
# the installed selftests, /boot/bzImage, its signed copy
# /boot/bzImage.signed, the upgrade tests' /boot/bzImage.next and the
# spawn initrd).
set -eu

b=$1
here=$(cd "$(dirname "$0")/.." && pwd)

# Populate $1 with static busybox and its applet links.
busybox_root() {
	mkdir -p "$1/bin" "$1/sbin" "$1/usr/bin" "$1/usr/sbin"
	cp /bin/busybox "$1/bin/busybox"
	for applet in $(/bin/busybox --list-full); do
		[ -e "$1/$applet" ] || ln -s /bin/busybox "$1/$applet"
	done
	mkdir -p "$1/proc" "$1/sys" "$1/dev" "$1/tmp" "$1/run" "$1/root" \
		"$1/etc" "$1/mnt"
}

# Pack directory $1 into the gzip'ed newc archive $2, reproducibly.
pack() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -n -6 > "$2.tmp"
	mv "$2.tmp" "$2"
}

# Copy the shared libraries ELF binary $2 needs into root $1.
copy_libs() {
	ldd "$2" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' |
	while read -r lib; do
		mkdir -p "$1$(dirname "$lib")"
		[ -e "$1$lib" ] || cp -L "$lib" "$1$lib"
	done
}

spawn=$b/spawn-root
rm -rf "$spawn"
busybox_root "$spawn"
install -m 0755 "$here/harness/spawn-init" "$spawn/init"
# All five are static: the spawn has no shared libraries.
install -m 0755 "$here/tools/mkctl/mk-agent" "$spawn/usr/bin/mk-agent"
install -m 0755 "$here/tools/mkctl/mk-kv" "$spawn/usr/bin/mk-kv"
install -m 0755 "$b/kselftest/multikernel/mk_vsock" "$spawn/usr/bin/mk_vsock"
install -m 0755 "$b/kselftest/multikernel/vsock_conform" \
	"$spawn/usr/bin/vsock_conform"
install -m 0755 "$b/kselftest/multikernel/mk_region" "$spawn/usr/bin/mk_region"
pack "$spawn" "$b/spawn-initrd.cpio.gz"

root=$b/initramfs-root
rm -rf "$root"
busybox_root "$root"
mkdir -p "$root/boot" "$root/mk" "$root/lib64"
cp /bin/bash-static "$root/bin/bash"
# The kselftest runner needs coreutils' timeout (--foreground).
rm -f "$root/usr/bin/timeout"
cp /usr/bin/timeout "$root/usr/bin/timeout"
# The tests check JSON by parsing it.
cp /usr/bin/jq "$root/usr/bin/jq"
install -m 0755 "$here/harness/vm-init" "$root/init"
install -m 0755 "$here/tools/mkctl/mkctl" "$root/usr/bin/mkctl"
install -m 0755 "$here/harness/scan-log.sh" "$root/usr/bin/mk-scan-log"
mkdir -p "$root/usr/lib"
install -m 0644 "$here/harness/vm-check-lib.sh" "$root/usr/lib/mk-check-lib.sh"
cp "$b/obj/arch/x86/boot/bzImage" "$root/boot/bzImage"
cp "$b/obj/arch/x86/boot/bzImage.signed" "$root/boot/bzImage.signed"
# The same kernel relinked with another version string, for the upgrades.
cp "$b/bzImage.next" "$root/boot/bzImage.next"
cp "$b/spawn-initrd.cpio.gz" "$root/boot/spawn-initrd.cpio.gz"
# The sample BPF policies, built against this kernel's BTF.
mkdir -p "$root/usr/share/multikernel/policies"
cp "$b/bpf/policies/"*.bpf.o "$root/usr/share/multikernel/policies/"
cp -a "$b/kselftest" "$root/kselftest"
find "$root/usr/bin" "$root/kselftest" -type f -perm -u+x | while read -r f; do
	if head -c 4 "$f" | grep -q ELF; then
		copy_libs "$root" "$f"
	fi
done
pack "$root" "$b/initramfs.cpio.gz"
echo "  INITRD  $b/initramfs.cpio.gz ($(du -k "$b/initramfs.cpio.gz" | cut -f1) KiB)"
