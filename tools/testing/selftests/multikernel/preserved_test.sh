#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Preserved regions, instances/NAME/preserved/REGION: each bad input with
# its exact errno; the region's memory taken at the first start and shown
# inside the spawn at /sys/kernel/multikernel/self/preserved/REGION; what
# the spawn wrote there read back after a restart and after a crash
# (LKDTM); mmap and read/write seeing the same bytes, the file's size
# fixed (mk_region); configuration refused while the instance runs; rmdir of the
# region gives its pool bytes back.  Needs a pool of 1G and CPUs 0-1.

DIR="$(dirname "$(readlink -f "$0")")"
source "${DIR}"/../kselftest/ktap_helpers.sh
source "${DIR}"/mk_lib.sh

INSTANCES=/sys/kernel/config/multikernel/instances
CONSOLES=/sys/kernel/multikernel/instances
POOL_FREE=/sys/kernel/multikernel/pool/free
SELF=/sys/kernel/multikernel/self/preserved
LKDTM=/sys/kernel/debug/provoke-crash/DIRECT
KERNEL=/boot/bzImage
INITRD=/boot/spawn-initrd.cpio.gz
A=kst-pres
P=$INSTANCES/$A/preserved
BOOT_WAIT_S=90
ERR=
OK=0
TMP=

cleanup() {
	mk_remove_instances "$A"
	rm -rf "$TMP"
}

state_is() {	# STATE
	[ "$(cat "$INSTANCES/$A/state")" = "$1" ]
}

console_has() {	# TEXT
	grep -q -- "$1" "$CONSOLES/$A/console" 2>/dev/null
}

start() {
	echo start > "$INSTANCES/$A/state" &&
		wait_until "$BOOT_WAIT_S" state_is running &&
		wait_until 30 console_has mk-ready
}

stop() {
	echo stop > "$INSTANCES/$A/state" && wait_until 30 state_is stopped
}

# in_spawn SNIPPET: run SNIPPET in the spawn's shell, print its output.
in_spawn() {
	mkctl exec "$A" -- sh -c "$1"
}

# How many of the first 4096 bytes of the spawn's region kv are not zero.
nonzero() {
	in_spawn "head -c 4096 $SELF/kv | tr -d '\\000' | wc -c | tr -d ' '"
}

# The text at the start of the spawn's region kv.
kv_text() {
	in_spawn "head -c 40 $SELF/kv | tr -d '\\000'"
}

test_bad_inputs() {
	local i

	OK=0
	mk_ck "mkdir kv" mkdir "$P/kv"
	mk_ck "size 0" refused "size 0" "echo 0 > $P/kv/size" "Invalid argument"
	mk_ck "size 3M" refused "size 3M" "echo 3M > $P/kv/size" "Invalid argument"
	mk_ck "size words" refused "size words" "echo lots > $P/kv/size" \
		"Invalid argument"
	mk_ck "size 2G" refused "size 2G" "echo 2G > $P/kv/size" \
		"No space left on device"
	mk_ck "bad name" refused "bad name" "mkdir $P/KV" "Invalid argument"
	for i in 1 2 3 4 5 6 7; do
		mk_ck "region r$i" mkdir "$P/r$i"
	done
	mk_ck "ninth region" refused "ninth region" "mkdir $P/r8" \
		"No space left on device"
	for i in 1 2 3 4 5 6 7; do
		rmdir "$P/r$i"
	done
	mk_ck "size 16M" eval "echo 16M > $P/kv/size"
	mk_ck "reads 16M" eq "$(cat "$P/kv/size")" $((16 << 20))
	mk_report $OK "preserved: bad sizes, names and counts get their exact errnos"
}

test_no_size_no_start() {
	OK=0
	mk_ck "mkdir empty" mkdir "$P/empty"
	mk_ck "start refused" refused "start" "echo start > $INSTANCES/$A/state" \
		"Invalid argument"
	mk_ck "still stopped" state_is stopped
	mk_ck "rmdir empty" rmdir "$P/empty"
	mk_report $OK "preserved: a region without a size keeps the instance from starting"
}

test_taken_at_start() {
	local free

	OK=0
	free=$(cat "$POOL_FREE")
	mk_ck "start" start
	mk_ck "pool gave memory and region" eq "$(cat "$POOL_FREE")" \
		$((free - (256 << 20) - (16 << 20)))
	mk_ck "spawn sees 16M" eq "$(in_spawn "stat -c %s $SELF/kv")" $((16 << 20))
	mk_ck "zero at first" eq "$(nonzero)" 0
	# Listed at the top level of the spawn's /proc/iomem: not in its RAM.
	mk_ck "not RAM in the spawn" in_spawn "grep -Eq '^[0-9a-f]+-[0-9a-f]+ : kv\$' /proc/iomem"
	in_spawn "printf 'kept-1 across kernels' | dd of=$SELF/kv conv=notrunc 2>/dev/null"
	mk_ck "spawn reads its write" eq "$(kv_text)" "kept-1 across kernels"
	mk_report $OK "preserved: taken zeroed at the first start, read and written in the spawn"
}

# mk_region ARGS...: the spawn's mmap helper on its region kv.
region() {	# VERB ARGS...
	local verb=$1

	shift
	in_spawn "mk_region $verb $SELF/kv $*"
}

test_mmap() {
	local size=$((16 << 20))

	OK=0
	mk_ck "poke" region poke 4096 by-mmap
	mk_ck "read() sees the mmap write" eq \
		"$(in_spawn "dd if=$SELF/kv bs=4096 skip=1 count=1 2>/dev/null | tr -d '\\000'")" \
		by-mmap
	in_spawn "printf by-write | dd of=$SELF/kv bs=4096 seek=2 conv=notrunc 2>/dev/null"
	mk_ck "mmap sees the write()" eq "$(region peek 8192 16)" by-write
	mk_ck "map all of it" eq "$(region map $size)" ok
	mk_ck "map past the end" eq "$(region map $((size + 4096)))" EINVAL
	mk_ck "pwrite at the end" eq "$(region pwrite $size x)" EFBIG
	mk_ck "pwrite before the end" eq "$(region pwrite $((size - 1)) x)" ok
	mk_report $OK "preserved: mmap and read/write see the same bytes; the size is fixed"
}

test_refused_while_running() {
	OK=0
	mk_ck "mkdir" refused "mkdir" "mkdir $P/late" "Device or resource busy"
	mk_ck "rmdir" refused "rmdir" "rmdir $P/kv" "Device or resource busy"
	mk_ck "size" refused "size" "echo 32M > $P/kv/size" "Device or resource busy"
	mk_ck "kv still there" test -d "$P/kv"
	mk_report $OK "preserved: mkdir, rmdir and size of a running instance are EBUSY"
}

test_survives_restart() {
	local free

	OK=0
	mk_ck "stop" stop
	free=$(cat "$POOL_FREE")
	mk_ck "stop keeps the region" eq "$free" \
		$(($(cat /sys/kernel/multikernel/pool/size) - (16 << 20)))
	mk_ck "size fixed once taken" refused "size" "echo 32M > $P/kv/size" \
		"Device or resource busy"
	mk_ck "start again" start
	mk_ck "data kept" eq "$(kv_text)" "kept-1 across kernels"
	mk_ck "mmap write kept" eq "$(region peek 4096 16)" by-mmap
	mk_report $OK "preserved: what a kernel wrote survives a stop and the next start"
}

test_survives_crash() {
	OK=0
	in_spawn "printf 'kept-2 across a crash!' | dd of=$SELF/kv conv=notrunc 2>/dev/null"
	mk_expect_report "$A" "LKDTM PANIC, on purpose"
	echo "echo PANIC > $LKDTM" > "$CONSOLES/$A/console_in"
	mk_ck "crashed" wait_until 60 state_is crashed
	mk_keep_console "$A"
	mk_ck "start after crash" start
	mk_ck "data kept" eq "$(kv_text)" "kept-2 across a crash!"
	mk_ck "stop" stop
	mk_report $OK "preserved: what a kernel wrote survives its crash"
}

test_rmdir_gives_back() {
	local size

	OK=0
	size=$(cat /sys/kernel/multikernel/pool/size)
	mk_ck "rmdir kv" rmdir "$P/kv"
	mk_ck "pool whole" eq "$(cat "$POOL_FREE")" "$size"
	mk_ck "mkdir kv again" mkdir "$P/kv"
	mk_ck "size" eval "echo 16M > $P/kv/size"
	mk_ck "start" start
	mk_ck "a new region is zero" eq "$(nonzero)" 0
	mk_ck "stop" stop
	mk_ck "rmdir of the instance first" refused "rmdir" "rmdir $INSTANCES/$A" \
		"Directory not empty"
	mk_ck "mkctl destroy" mkctl destroy "$A"
	mk_ck "instance gone" test ! -d "$INSTANCES/$A"
	mk_ck "pool whole at the end" eq "$(cat "$POOL_FREE")" "$size"
	mk_report $OK \
		"preserved: rmdir gives a region's pool bytes back; mkctl destroy removes all"
}

ktap_print_header
mk_remove_instances "$A"
TMP=$(mktemp -d) || ktap_exit_fail_msg "mktemp failed"
trap cleanup EXIT
mkctl create "$A" --cpus 1 --memory 256M --kernel "$KERNEL" \
	--initrd "$INITRD" --cmdline "quiet loglevel=6" > /dev/null ||
	ktap_exit_fail_msg "mkctl create failed"
mk_set_timeouts "$A"

ktap_set_plan 8
test_bad_inputs
test_no_size_no_start
test_taken_at_start
test_mmap
test_refused_while_running
test_survives_restart
test_survives_crash
test_rmdir_gives_back
ktap_finished
