#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The pool backed by CMA (multikernel.pool=cma:SIZE): while no instance
# holds it, the host's page cache lives in it; an instance still starts,
# the host's data moved out of its way intact; stopping the instance gives
# the memory back to the host; memory a running spawn gives back waits
# for it to stop.  Needs a host booted with a CMA pool of about a third of
# its RAM (1G of 3G), and CPUs 0-3.

DIR="$(dirname "$(readlink -f "$0")")"
source "${DIR}"/../kselftest/ktap_helpers.sh
source "${DIR}"/mk_lib.sh

INSTANCES=/sys/kernel/config/multikernel/instances
CONSOLES=/sys/kernel/multikernel/instances
POOL=/sys/kernel/multikernel/pool
KERNEL=/boot/bzImage
INITRD=/boot/spawn-initrd.cpio.gz
A=kst-cma-a
# Larger than the pool less what the host uses of it: the start must move
# some of the host's pages, wherever they are.
MEMORY=640M
MEM_BYTES=$((640 << 20))
BOOT_WAIT_S=90
TMP=
OK=0

cleanup() {
	mk_remove_instances "$A"
	[ -n "$TMP" ] && umount "$TMP" 2>/dev/null
	[ -n "$TMP" ] && rmdir "$TMP"
}

# What mk_ck shows when a check fails.
ck_context() {
	ktap_print_msg "  pool free $(cat $POOL/free) host_usable $(cat $POOL/host_usable)," \
		"CmaFree $(cma_free) of $(cma_total)"
}

meminfo() {	# FIELD: its value in bytes
	awk -v f="$1:" '$1 == f { print $2 * 1024 }' /proc/meminfo
}

cma_total() {
	meminfo CmaTotal
}

cma_free() {
	meminfo CmaFree
}

# What the host's page allocator holds of the pool: neither free there nor
# held back by the pool.
host_uses() {
	echo $(($(cat $POOL/host_usable) - $(cma_free)))
}

start_spawn() {	# NAME
	echo start > "$INSTANCES/$1/state" &&
		wait_until "$BOOT_WAIT_S" state_is "$1" running &&
		wait_until 30 console_has "$1" mk-ready
}

stop_spawn() {	# NAME
	echo stop > "$INSTANCES/$1/state" && wait_until 30 state_is "$1" stopped
}

ge() {	# A B
	[ "$1" -ge "$2" ]
}

# Fill a tmpfs with copies of a random file until the host uses at least
# half of the pool.  The page allocator takes CMA pages only while they
# are more than half of its free memory, so that takes most of the RAM;
# 256M stay free for the instance's migration.
fill_page_cache() {
	local i=0 half=$(($(cat $POOL/size) / 2))

	dd if=/dev/urandom of="$TMP/seed" bs=1M count=32 status=none || return 1
	while [ "$(host_uses)" -lt "$half" ]; do
		[ "$(meminfo MemFree)" -gt $((256 << 20)) ] || return 1
		cp "$TMP/seed" "$TMP/copy$i" || { rm -f "$TMP/copy$i"; return 1; }
		i=$((i + 1))
	done
	ktap_print_msg "$i copies of 32M: the host uses $(($(host_uses) >> 20))M of the pool"
}

copies_intact() {
	local f

	for f in "$TMP"/copy*; do
		cmp -s "$TMP/seed" "$f" || return 1
	done
}

test_idle_pool_is_hosts() {
	local size

	OK=0
	size=$(cat $POOL/size)
	mk_ck "backing" eq "$(cat $POOL/backing)" cma
	mk_ck "CmaTotal is the pool" eq "$(cma_total)" "$size"
	mk_ck "all usable by the host" eq "$(cat $POOL/host_usable)" "$size"
	mk_ck "iomem" grep -q "Multikernel pool" /proc/iomem
	mk_report $OK \
		"cma pool: backing, /proc/meminfo and host_usable show the idle pool as the host's"
}

test_page_cache_fills_pool() {
	OK=0
	mk_ck "fill" fill_page_cache
	mk_report $OK "cma pool: the host's page cache fills half of the idle pool"
}

# The start must move host pages: MEM_BYTES of the pool become the
# instance's, of which at least this many were the host's pages (less 16M
# that may only wait in per-CPU free lists, which CmaFree does not count).
# The test kernel has no vm event counters to count the migrations.
host_pages_in_the_way() {
	echo $(($(host_uses) + MEM_BYTES - $(cat $POOL/size) - (16 << 20)))
}

test_start_moves_host_pages() {
	local free=$(cat $POOL/free) size=$(cat $POOL/size)
	local least=$(host_pages_in_the_way)

	OK=0
	ktap_print_msg "at least $((least >> 20))M of the host's pages are in the way"
	mk_ck "host pages in the way" ge "$least" $((64 << 20))
	mk_ck "start" start_spawn "$A"
	mk_ck "pool free" eq "$(cat $POOL/free)" $((free - MEM_BYTES))
	mk_ck "host_usable" eq "$(cat $POOL/host_usable)" $((size - MEM_BYTES))
	mk_ck "spawn answers" eq "$(mkctl exec "$A" -- cat /sys/kernel/multikernel/self/name)" "$A"
	mk_ck "host data intact" copies_intact
	mk_report $OK \
		"cma pool: an instance starts in a pool full of page cache, which moves out intact"
}

test_stop_gives_back() {
	local before=$(cma_free) size=$(cat $POOL/size)

	OK=0
	mk_ck "stop" stop_spawn "$A"
	mk_ck "pool free" eq "$(cat $POOL/free)" "$size"
	mk_ck "host_usable" eq "$(cat $POOL/host_usable)" "$size"
	# Up to 16M of it may still wait in per-CPU free lists, and with
	# that much CMA memory free again the host's page allocator takes
	# some of it for new movable pages at once (it did 30M in one CI
	# run): 64M of slack, a tenth of the instance's memory.
	mk_ck "CmaFree grew by the instance's memory: $before -> $(cma_free)" \
		ge "$(cma_free)" $((before + MEM_BYTES - (64 << 20)))
	mk_report $OK "cma pool: stopping the instance gives its memory back to the host"
}

# A block a running spawn gives back is the pool's, not the host's, until
# the spawn stops: it could still write to it.
test_given_back_waits_for_giver() {
	local size=$(cat $POOL/size) block

	OK=0
	block=$(cat /sys/kernel/multikernel/resize_granule)
	mk_ck "start" start_spawn "$A"
	mk_ck "grow" eval "echo $((MEM_BYTES + block)) > $INSTANCES/$A/memory"
	mk_ck "shrink" eval "echo $MEM_BYTES > $INSTANCES/$A/memory"
	mk_ck "pool free" eq "$(cat $POOL/free)" $((size - MEM_BYTES))
	mk_ck "host_usable" eq "$(cat $POOL/host_usable)" $((size - MEM_BYTES - block))
	mk_ck "stop" stop_spawn "$A"
	mk_ck "host_usable after stop" eq "$(cat $POOL/host_usable)" "$size"
	mk_report $OK "cma pool: memory a running spawn gives back waits for it to stop"
}

ktap_print_header
if [ "$(cat $POOL/backing 2>/dev/null)" != cma ]; then
	ktap_skip_all "the pool is not backed by CMA (multikernel.pool=cma:SIZE)"
	exit "$KSFT_SKIP"
fi
mk_remove_instances "$A"
TMP=$(mktemp -d) || ktap_exit_fail_msg "mktemp failed"
trap cleanup EXIT
mount -t tmpfs -o size=90% none "$TMP" || ktap_exit_fail_msg "no tmpfs"
mkctl create "$A" --cpus 1 --memory "$MEMORY" --kernel "$KERNEL" \
	--initrd "$INITRD" --cmdline "quiet loglevel=6" > /dev/null ||
	ktap_exit_fail_msg "mkctl create failed"
mk_set_timeouts "$A"

ktap_set_plan 5
test_idle_pool_is_hosts
test_page_cache_fills_pool
test_start_moves_host_pages
test_stop_gives_back
test_given_back_waits_for_giver
ktap_finished
