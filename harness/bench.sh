#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make bench", inside the host VM: spawn boot time against the host's own
# boot (kernel start to init, both in this VM), and the cost of a
# stop/start cycle.  Medians of RUNS runs, printed as
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
