#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside a host VM of its own, with 20 CPUs, two threads per core
# (CPUs 0-1, 2-3, ... are cores), and a pool of 1280M at 0x20000000, which
# reboots when the script ends.  First the SMT selftest, which needs that
# topology, the test of how many instances run at once, which needs that
# many CPUs, and pool_test, for the pool at a fixed address.
# Then two instances are left running, so the host's restart must stop
# both first; check.sh reads how they ended from the kernel log after the
# script.
# Lockdown and kernel.kexec_load_disabled only ever get stricter, and the
# IMA policy (which makes IMA measure every start's command line) can be
# written once: that is why their tests run here, in a VM nothing else
# uses afterwards.
# Prints TAP for what it checks itself.
set -u
. /usr/lib/mk-check-lib.sh
mk_kselftest -t multikernel:smt_test -t multikernel:limit_test \
	-t multikernel:pool_test

i=/sys/kernel/config/multikernel/instances

# $1: name, $2: cpus, $3: smt_split (default 0).  A clean stop may take
# 30 s, the most the host waits in all: 20 TCG vCPUs on a small machine
# are slow, and this test is about the clean stop, not the forced one.
make_instance() {
	mkdir "$i/$1" && echo "${3:-0}" > "$i/$1/smt_split" &&
		echo 30000 > "$i/$1/stop_timeout_ms" &&
		echo "$2" > "$i/$1/cpus" &&
		echo 64M > "$i/$1/memory" &&
		echo /boot/bzImage > "$i/$1/kernel" &&
		echo /boot/spawn-initrd.cpio.gz > "$i/$1/initrd"
}

# $1: name, $2: state; up to 60 s for the instance to get there.
wait_state() {
	n=0
	while [ "$(cat "$i/$1/state")" != "$2" ] && [ $n -lt 600 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ "$(cat "$i/$1/state")" = "$2" ]
}

# Up to 60 s for the instance to run its init.
wait_running() {
	wait_state "$1" running
}

# $1: a string; prints its bytes in hex, as IMA's ima-buf template does.
hex() {
	printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'
}

echo "mk-check: TAP follows"
echo "1..7"
grep -q securityfs /proc/mounts ||
	mount -t securityfs securityfs /sys/kernel/security
# IMA measures the command line of every start, as for kexec_file_load(),
# with the buffer itself in the measurement list (template ima-buf).
echo "measure func=KEXEC_CMDLINE template=ima-buf" \
	> /sys/kernel/security/ima/policy
make_instance rb-a 2-3 && make_instance rb-b 4-5 && make_instance rb-c 1 1 &&
	echo mk_ima=rb-a > "$i/rb-a/cmdline" ||
	{ echo "not ok 1 create the instances"; exit 1; }
echo start > "$i/rb-a/state" && echo start > "$i/rb-b/state"
if wait_running rb-a && wait_running rb-b; then
	echo "ok 1 two instances running before the restart"
else
	echo "not ok 1 two instances running before the restart"
fi
# The spawn gets our command line with the suffix the host adds.
want=$(hex "mk_ima=rb-a console=hvc0 no_ipi_broadcast=1")
if grep -q " kexec-cmdline $want\$" \
	/sys/kernel/security/ima/ascii_runtime_measurements; then
	echo "ok 2 IMA measured rb-a's command line as the spawn got it"
else
	echo "not ok 2 IMA measured rb-a's command line as the spawn got it"
	grep kexec-cmdline /sys/kernel/security/ima/ascii_runtime_measurements
fi

# refused N WHAT LOGLINE: starting rb-c fails with EPERM, says LOGLINE in
# the kernel log, and leaves rb-c stopped and its CPU 1 with the host.
refused() {
	local err

	err=$(echo start 2>&1 > "$i/rb-c/state")
	case $err in
	*"Operation not permitted"*)
		if dmesg | grep -q "rb-c: .*$3"; then
			echo "ok $1 $2: start refused with EPERM: $3"
		else
			echo "not ok $1 $2: start refused with EPERM: no '$3' in the log"
		fi ;;
	*)
		echo "not ok $1 $2: start refused with EPERM (got: $err)" ;;
	esac
	if [ "$(cat "$i/rb-c/state")" = stopped ] &&
	   [ "$(cat /sys/devices/system/cpu/cpu1/online)" = 1 ]; then
		echo "ok $(($1 + 1)) $2: the refused start left CPU 1 with the host"
	else
		echo "not ok $(($1 + 1)) $2: the refused start left CPU 1 with the host"
	fi
}

# Under lockdown, as for kexec_file_load(), an unsigned kernel is refused
# and one signed with a key the kernel trusts (make kernel signs a copy
# with the test key) starts.
echo integrity > /sys/kernel/security/lockdown
refused 3 "lockdown integrity" "signature check failed"
echo /boot/bzImage.signed > "$i/rb-c/kernel"
echo start > "$i/rb-c/state" && wait_running rb-c && echo stop > "$i/rb-c/state"
if wait_state rb-c stopped && [ "$(cat /sys/devices/system/cpu/cpu1/online)" = 1 ]; then
	echo "ok 5 lockdown integrity: a signed kernel starts (and stops)"
else
	echo "not ok 5 lockdown integrity: a signed kernel starts (and stops)" \
		"(state $(cat "$i/rb-c/state"): $(cat "$i/rb-c/crash_reason"))"
fi
echo 1 > /proc/sys/kernel/kexec_load_disabled
refused 6 kexec_load_disabled "start rejected: kexec loading is disabled"
# vm-init keeps informational messages off the console; the shutdown's
# must reach it, as nothing can be read after the restart.
mk_check_end
echo 7 > /proc/sys/kernel/printk
exit 0
