#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": runs inside the host VM and walks through the control plane
# and the memory pool.  Exits non-zero if a step does not behave as shown.
set -e

step() {
	echo
	echo "==> $*"
}

run() {
	echo "# $*"
	"$@"
}

step "The pool reserved with multikernel.pool= on the kernel command line"
run cat /proc/cmdline
run grep "Multikernel pool" /proc/iomem
run mkctl pool

step "Create two instances"
run mkctl create web --cpus 1 --memory 256M --kernel /boot/bzImage \
	--initrd /boot/spawn-initrd.cpio.gz --cmdline "console=ttyS0"
run mkctl create db --cpus 2-3 --memory 512M --kernel /boot/bzImage
run mkctl list
run mkctl list --json
run mkctl status web

step "The same through configfs"
run ls /sys/kernel/config/multikernel/instances/web
for f in id cpus memory kernel state; do
	printf '%s: %s\n' "$f" "$(cat /sys/kernel/config/multikernel/instances/web/$f)"
done

step "Bad input is refused with a precise error and one log line"
if mkctl create cache --cpus 3 --memory 64M --kernel /boot/bzImage; then
	echo "demo: CPU 3 was lent twice" >&2
	exit 1
fi
if echo 0 > /sys/kernel/config/multikernel/instances/web/cpus; then
	echo "demo: CPU 0 was accepted" >&2
	exit 1
fi
dmesg | grep "multikernel:.*rejected" | tail -2

step "Destroy both; the pool is whole"
run mkctl destroy web
run mkctl destroy db
run mkctl list
run mkctl pool
echo
echo "demo: done"
