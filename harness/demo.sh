#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": runs inside the host VM.  Spawns two kernels beside the
# host, shows them, stops one, crashes and restarts the other, upgrades
# the first to another kernel under a client's load (printing the gap the
# client saw), and ends with the host's CPUs and pool whole again.  Exits non-zero if a step
# does not behave as shown.
set -e

step() {
	echo
	echo "==> $*"
}

run() {
	echo "# $*"
	"$@"
}

step "The host: 4 CPUs and a 1G pool reserved with multikernel.pool="
run cat /sys/devices/system/cpu/online
run grep "Multikernel pool" /proc/iomem
run mkctl pool

step "Spawn two kernels (the same bzImage) on lent CPUs and pool memory"
run mkctl spawn web --cpus 1 --memory 128M --kernel /boot/bzImage \
	--initrd /boot/spawn-initrd.cpio.gz --wait
run mkctl spawn db --cpus 2-3 --memory 256M --kernel /boot/bzImage \
	--initrd /boot/spawn-initrd.cpio.gz --wait
run mkctl list
echo "# host CPUs now: $(cat /sys/devices/system/cpu/online)"

step "Each spawn announces itself on its own console"
sleep 2
for i in web db; do
	grep mk-ready /sys/kernel/multikernel/instances/$i/console
done
run sh -c "mkctl log db | grep -E 'Hypervisor detected|smp: Brought up'"

step "Bad input is refused with a precise error, and nothing leaks"
mkctl create junk --cpus 1 --memory 64M --kernel /boot/bzImage || true
mkdir -p /tmp/demo && head -c 65536 /boot/bzImage > /tmp/demo/truncated
mkctl spawn junk --cpus 1 --memory 64M --kernel /tmp/demo/truncated || true

step "Stop web cleanly: its init shuts down, then its kernel parks its CPU"
run mkctl stop web
run sh -c "mkctl log web | tail -3"

step "Crash db with LKDTM inside it; the host is unaffected"
printf 'echo PANIC > /sys/kernel/debug/provoke-crash/DIRECT\n' \
	> /sys/kernel/multikernel/instances/db/console_in
n=0
until [ "$(cat /sys/kernel/config/multikernel/instances/db/state)" = crashed ]; do
	n=$((n + 1)); [ $n -lt 300 ] || exit 1; sleep 0.1
done
run mkctl status db
run sh -c "mkctl log db | grep -m1 'Kernel panic'"

step "Restart db"
run mkctl restart db --wait
run mkctl list

step "Upgrade web to another kernel while a client writes to its mk-kv"
run mkctl stop db
run mkctl destroy db
mkctl destroy web
mkctl create web --cpus 1 --memory 128M --kernel /boot/bzImage \
	--initrd /boot/spawn-initrd.cpio.gz >/dev/null
I=/sys/kernel/config/multikernel/instances/web
mkdir $I/preserved/kv && echo 4M > $I/preserved/kv/size
run mkctl start web --wait
n=0
until grep -q mk-ready /sys/kernel/multikernel/instances/web/console; do
	n=$((n + 1)); [ $n -lt 600 ] || exit 1; sleep 0.1
done
run mkctl exec web -- uname -v
cid=$((1000 + $(cat $I/id)))
/kselftest/multikernel/mk_vsock kv-load $cid 6000 20 demo > /tmp/demo/load &
sleep 3
run mkctl upgrade web --kernel /boot/bzImage.next
wait $!
echo "# the client: $(cat /tmp/demo/load)"
run mkctl exec web -- uname -v
run sh -c "mkctl status web | grep -E '^(id|cpus|kernel|upgrades|last_upgrade):'"

step "Stop everything; the host has its CPUs and pool back"
run mkctl stop web
run mkctl destroy web
run cat /sys/devices/system/cpu/online
run mkctl pool
echo
echo "demo: done"
