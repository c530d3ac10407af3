#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make bench", inside the host VM: spawn boot time against the host's own
# boot (kernel start to init, both in this VM), the cost of a stop/start
# cycle, messaging (round trips, throughput and doorbells per message)
# and elastic resources (CPU and memory added and removed live); with a
# CMA-backed pool, only the start time with that pool full and empty.  Medians
# of RUNS runs, printed as
#   bench: NAME value=V unit=U [baseline=B ratio=R]
set -e

RUNS=5
I=/sys/kernel/config/multikernel/instances/bench
CON=/sys/kernel/multikernel/instances/bench/console

now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

median() {
	tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

wait_for() {	# state
	n=0
	while [ "$(cat $I/state)" != "$1" ]; do
		n=$((n + 1))
		[ $n -lt 1200 ] || { echo "bench: $1 not reached" >&2; exit 1; }
		sleep 0.05
	done
}

wait_ready() {
	n=0
	until grep -q mk-ready $CON; do
		n=$((n + 1))
		[ $n -lt 1200 ] || { echo "bench: no mk-ready line" >&2; exit 1; }
		sleep 0.05
	done
}

# With the pool backed by CMA (the second VM of make bench), the start time
# of an instance with the pool full of the host's page cache against an
# empty one: the difference is the migration of the host's pages.
P=/sys/kernel/multikernel/pool
cma_kb() {	# FIELD of /proc/meminfo, in kB
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}
host_uses_mb() {	# of the pool, by the host's page allocator
	echo $((($(cat $P/host_usable) / 1024 - $(cma_kb CmaFree)) / 1024))
}
# Copies of a random file in a tmpfs until the host uses half the pool.
fill_pool() {
	rm -f /tmp/bench-fill/copy*
	n=0
	while [ "$(host_uses_mb)" -lt $(($(cat $P/size) >> 21)) ]; do
		cp /tmp/bench-fill/seed /tmp/bench-fill/copy$n
		n=$((n + 1))
		[ $n -lt 80 ] || { echo "bench: the pool does not fill" >&2; exit 1; }
	done
}
timed_start() {
	t0=$(now_ms)
	echo start > $I/state
	wait_for running
	echo $(($(now_ms) - t0))
	echo stop > $I/state
	wait_for stopped
}
if [ "$(cat $P/backing)" = cma ]; then
	mkdir $I
	echo 1 > $I/cpus
	echo 256M > $I/memory
	echo /boot/bzImage > $I/kernel
	echo /boot/spawn-initrd.cpio.gz > $I/initrd
	mkdir -p /tmp/bench-fill
	mount -t tmpfs -o size=2G none /tmp/bench-fill
	dd if=/dev/urandom of=/tmp/bench-fill/seed bs=1M count=32 2>/dev/null
	empty="" full="" used=""
	for i in $(seq $RUNS); do
		rm -f /tmp/bench-fill/copy*
		empty="$empty $(timed_start)"
		fill_pool
		used="$used $(host_uses_mb)"
		full="$full $(timed_start)"
	done
	rmdir $I
	v=$(echo $full | median)
	b=$(echo $empty | median)
	echo "bench: start_cma_pool_full value=$v unit=ms baseline=$b" \
		"ratio=$(awk "BEGIN { printf \"%.2f\", $v / ($b > 0 ? $b : 1) }")" \
		"host_used_mb=$(echo $used | median)" \
		"(baseline: the same start with the CMA pool empty)"
	exit 0
fi

mkdir $I
echo 1 > $I/cpus
echo 128M > $I/memory
echo /boot/bzImage > $I/kernel
echo /boot/spawn-initrd.cpio.gz > $I/initrd

running="" ready="" cycle=""
for i in $(seq $RUNS); do
	t0=$(now_ms)
	echo start > $I/state
	wait_for running
	running="$running $(cat $I/boot_time_ms)"
	wait_ready
	ready="$ready $(($(now_ms) - t0))"
	t0=$(now_ms)
	echo stop > $I/state
	wait_for stopped
	echo start > $I/state
	wait_for running
	cycle="$cycle $(($(now_ms) - t0))"
	echo kill > $I/state
done
rmdir $I

host=$(cat /run/mk-boot-ms)
for m in "spawn_boot_to_running $running" "spawn_boot_to_ready $ready"; do
	set -- $m
	name=$1
	shift
	v=$(echo "$@" | median)
	echo "bench: $name value=$v unit=ms baseline=$host ratio=$(awk "BEGIN { printf \"%.2f\", $v / $host }")"
done
echo "bench: host_boot_to_init value=$host unit=ms"
echo "bench: stop_start_cycle value=$(echo $cycle | median) unit=ms"

# Messaging: one spawn on CPU 2 with the default userspace (its agent and
# mk_vsock).  Baselines run in this VM too: a cross-CPU IPI round trip
# between host CPUs, and a pipe ping-pong between host processes on two CPUs.
T=/sys/kernel/debug/multikernel/msg_test
VS=/kselftest/multikernel/mk_vsock
mkctl spawn mbench --cpus 2 --memory 256M --kernel /boot/bzImage \
	--initrd /boot/spawn-initrd.cpio.gz --cmdline quiet --wait >/dev/null
I=/sys/kernel/config/multikernel/instances/mbench
CON=/sys/kernel/multikernel/instances/mbench/console
wait_ready	# the agent listens before the mk-ready line
id=$(cat $I/id)
cid=$((1000 + id))

dbg() {
	echo "$1" > $T
	cat $T
}

# field LINE KEY
field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

ratio() {
	awk "BEGIN { printf \"%.2f\", $1 / $2 }"
}

rtt=$(dbg "rtt $id 10000")
ipi=$(dbg "ipi 10000")
for q in median p99; do
	v=$(field "$rtt" ${q}_ns)
	b=$(field "$ipi" ${q}_ns)
	echo "bench: msg_rtt_$q value=$v unit=ns baseline=$b ratio=$(ratio $v $b) (baseline: cross-CPU IPI round trip in the host)"
done

mkctl exec mbench -- sh -c "mk_vsock echo-server 7000 >/dev/null 2>&1 &"
sleep 1
vrtt=$(timeout 300 $VS rtt $cid 7000 2000)
prtt=$(timeout 300 $VS pipe-rtt 2000)
for q in median p99; do
	v=$(field "$vrtt" ${q}_us)
	b=$(field "$prtt" ${q}_us)
	echo "bench: vsock_rtt_$q value=$v unit=us baseline=$b ratio=$(ratio $v $b) (baseline: pipe ping-pong between host processes on two CPUs)"
done

small=$(dbg "send $id 100000 64")
echo "bench: msg_throughput_64B value=$(field "$small" msgs_per_s) unit=msgs/s doorbells_per_msg=$(awk "BEGIN { printf \"%.5f\", $(field "$small" doorbells) / $(field "$small" count) }")"
big=$(dbg "send $id 20000 4096")
echo "bench: msg_throughput_4KiB value=$(ratio "$(field "$big" kb_per_s)" 1024) unit=MB/s msgs_per_s=$(field "$big" msgs_per_s) doorbells_per_msg=$(awk "BEGIN { printf \"%.5f\", $(field "$big" doorbells) / $(field "$big" count) }")"

# Two spawns send to the host at once.  Their doorbells all interrupt one
# host CPU; the receive passes should not all run there.  Baseline: one
# spawn alone, in this run.
mkctl spawn mbench2 --cpus 3 --memory 256M --kernel /boot/bzImage \
	--initrd /boot/spawn-initrd.cpio.gz --cmdline quiet --wait >/dev/null
id2=$(cat /sys/kernel/config/multikernel/instances/mbench2/id)
one=$(dbg "pull $id 100000 64")
two=$(dbg "pull2 $id $id2 100000")
v=$(field "$two" msgs_per_s)
b=$(field "$one" msgs_per_s)
echo "bench: msg_rx_two_spawns value=$v unit=msgs/s baseline=$b" \
	"ratio=$(ratio "$v" "$b") rx_cpus_a=$(field "$two" rx_cpus_a)" \
	"rx_cpus_b=$(field "$two" rx_cpus_b) (baseline: one spawn sending alone)"
mkctl stop mbench >/dev/null
mkctl stop mbench2 >/dev/null
mkctl destroy mbench
mkctl destroy mbench2

# Elastic resources: a CPU and a 128M block added to and removed from a
# running spawn (median of RUNS writes each).  Baselines in this VM: the
# host's own offline and online of a CPU, and the spawn boot time above.
# timed_write VALUE FILE: milliseconds the write took (bash's clock).
timed_write() {
	bash -c 't0=${EPOCHREALTIME/./}; echo "$1" > "$2" || exit 1
		echo $(((${EPOCHREALTIME/./} - t0) / 1000))' _ "$1" "$2"
}
mkctl spawn rbench --cpus 1 --memory 256M --kernel /boot/bzImage \
	--initrd /boot/spawn-initrd.cpio.gz --cmdline quiet --wait >/dev/null
I=/sys/kernel/config/multikernel/instances/rbench
CON=/sys/kernel/multikernel/instances/rbench/console
wait_ready
add="" del="" up="" down="" madd="" mdel=""
for i in $(seq $RUNS); do
	add="$add $(timed_write 1-2 $I/cpus)"
	del="$del $(timed_write 1 $I/cpus)"
	down="$down $(timed_write 0 /sys/devices/system/cpu/cpu3/online)"
	up="$up $(timed_write 1 /sys/devices/system/cpu/cpu3/online)"
	madd="$madd $(timed_write 384M $I/memory)"
	mdel="$mdel $(timed_write 256M $I/memory)"
done
# against NAME VALUE BASELINE WHAT: one line with its ratio.
against() {
	echo "bench: $1 value=$2 unit=ms baseline=$3 ratio=$(ratio "$2" "$(($3 > 0 ? $3 : 1))") (baseline: $4)"
}
boot=$(echo $running | median)
against cpu_add "$(echo $add | median)" "$(echo $up | median)" "the host onlining a CPU"
against cpu_remove "$(echo $del | median)" "$(echo $down | median)" "the host offlining a CPU"
against mem_add_128M "$(echo $madd | median)" "$boot" "spawn boot to running"
against mem_remove_128M "$(echo $mdel | median)" "$boot" "spawn boot to running"
mkctl stop rbench >/dev/null
mkctl destroy rbench

# Upgrade: an instance with mk-kv and its region kv is upgraded RUNS times
# (to the relinked kernel and back) while mk_vsock kv-gap sends GETs back
# to back.  upgrade_gap is the median over the upgrades of the longest
# time the client waited for an answer, against the stop + start cycle
# above; upgrade_total is the command's time, which ends once the old
# kernel's CPUs and memory are back in the host.
mkctl spawn ubench --cpus 1 --memory 128M --kernel /boot/bzImage \
	--initrd /boot/spawn-initrd.cpio.gz --cmdline quiet >/dev/null
I=/sys/kernel/config/multikernel/instances/ubench
CON=/sys/kernel/multikernel/instances/ubench/console
echo kill > $I/state
mkdir $I/preserved/kv && echo 4M > $I/preserved/kv/size
echo start > $I/state
wait_for running
wait_ready
cid=$((1000 + $(cat $I/id)))
gaps="" totals="" worst=0
for i in $(seq $RUNS); do
	k=/boot/bzImage.next
	[ $((i % 2)) = 0 ] && k=/boot/bzImage
	$VS kv-gap $cid 6000 15 > /tmp/kv-gap.out &
	sleep 3
	t0=$(now_ms)
	mkctl upgrade ubench --kernel $k >/dev/null || { echo "bench: upgrade failed" >&2; exit 1; }
	totals="$totals $(($(now_ms) - t0))"
	wait $!
	g=$(sed -n 's/.*max_gap_ms=\([0-9.]*\).*/\1/p' /tmp/kv-gap.out)
	echo "upgrade $i: $(cat /tmp/kv-gap.out)"
	gaps="$gaps ${g%.*}"
	[ "${g%.*}" -gt "$worst" ] && worst=${g%.*}
done
cycle_ms=$(echo $cycle | median)
gap=$(echo $gaps | median)
echo "bench: upgrade_gap value=$gap unit=ms baseline=$cycle_ms" \
	"ratio=$(awk "BEGIN { printf \"%.3f\", $gap / $cycle_ms }") worst=$worst" \
	"(baseline: stop_start_cycle; goal: ratio <= 0.02)"
against upgrade_total "$(echo $totals | median)" "$cycle_ms" "stop_start_cycle"
echo kill > $I/state
mkctl destroy ubench
