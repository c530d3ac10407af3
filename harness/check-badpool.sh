#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside a host VM booted with a malformed multikernel.pool=1G@junk:
# the kernel must say so in one line, reserve nothing and stay inert.
# Prints TAP for what it checks.
. /usr/lib/mk-check-lib.sh

line='multikernel: multikernel.pool=1G@junk is malformed, expected SIZE[@ADDR]; no pool reserved'
echo "mk-check: TAP follows"
echo "1..3"
n=$(dmesg | grep -cxF "$line")
if [ "$n" = 1 ]; then
	echo "ok 1 malformed pool: one log line says so"
else
	echo "not ok 1 malformed pool: one log line says so (found $n)"
fi
size=$(cat /sys/kernel/multikernel/pool/size)
if [ "$size" = 0 ] && ! grep -q "Multikernel pool" /proc/iomem; then
	echo "ok 2 malformed pool: nothing reserved"
else
	echo "not ok 2 malformed pool: nothing reserved (pool/size $size)"
fi
err=$(mkdir /sys/kernel/config/multikernel/instances/kst-bad 2>&1)
case $err in
*"No such device"*) echo "ok 3 malformed pool: mkdir of an instance fails with ENODEV" ;;
*) echo "not ok 3 malformed pool: mkdir of an instance fails with ENODEV (got: $err)" ;;
esac
mk_check_end
