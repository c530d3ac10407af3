#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# CPUs and memory added to and removed from running instances by writing
# their cpus and memory attributes: what the spawn sees after each write,
# that its processes and files survive, every refusal with its exact errno
# and reason, CPUs moved between instances and resizes of two instances
# at once, and that after many cycles the host has exactly the CPUs and
# pool memory it had.  Two spawns, A (starts on CPU 1) and B (on CPU 3),
# need CPUs 0-3 and a pool of 1G.

DIR="$(dirname "$(readlink -f "$0")")"
source "${DIR}"/../kselftest/ktap_helpers.sh
source "${DIR}"/mk_lib.sh

INSTANCES=/sys/kernel/config/multikernel/instances
CONSOLES=/sys/kernel/multikernel/instances
ONLINE=/sys/devices/system/cpu/online
POOL_FREE=/sys/kernel/multikernel/pool/free
FAULT=/sys/kernel/debug/multikernel/resize_fault
KERNEL=/boot/bzImage
INITRD=/boot/spawn-initrd.cpio.gz
A=kst-rsz-a
B=kst-rsz-b
BOOT_WAIT_S=90
CYCLES=50
# What the host logs when it finds memory written after it was given back.
WROTE="wrote to pool memory at .* after it gave it back; cleared again"
# Inside the spawn: a file that fits only in the memory it grew by.
FILL='mount -o remount,size=400M /tmp && dd if=/dev/zero of=/tmp/fill bs=1M count=300'
TMP=
ERR=
HOST_ONLINE=
HOST_POOL=

remove_instances() {
	mk_remove_instances "$A" "$B"
}

cleanup() {
	jobs -p | xargs -r kill 2>/dev/null
	remove_instances
	rm -rf "$TMP"
}

attr() {
	cat "$INSTANCES/$1/$2" 2>/dev/null
}

# create_spawn NAME CPUS: boot NAME until its agent answers.
create_spawn() {
	mkctl create "$1" --cpus "$2" --memory 256M --kernel "$KERNEL" \
		--initrd "$INITRD" --cmdline "quiet loglevel=6" >/dev/null &&
		mk_set_timeouts "$1" &&
		echo start > "$INSTANCES/$1/state" &&
		wait_until "$BOOT_WAIT_S" state_is "$1" running &&
		wait_until 30 console_has "$1" mk-ready
}

# put NAME CPUS: write NAME's cpus; ERR is the errno text of a refusal.
put() {
	ERR=
	if ! { echo "$2" > "$INSTANCES/$1/cpus"; } 2>"$TMP/err"; then
		ERR=$(sed 's/.*: //' "$TMP/err")
		return 1
	fi
}

# put_mem NAME SIZE: write NAME's memory; ERR as for put.
put_mem() {
	ERR=
	if ! { echo "$2" > "$INSTANCES/$1/memory"; } 2>"$TMP/err"; then
		ERR=$(sed 's/.*: //' "$TMP/err")
		return 1
	fi
}

# memtotal NAME: MemTotal inside the spawn, in kB.
memtotal() {
	mkctl exec "$1" -- awk '/^MemTotal:/ { print $2 }' /proc/meminfo
}

# added NAME: how many extents were added to NAME while it runs.
added() {
	grep -c " added$" "$CONSOLES/$1/memory_extents"
}

# sees NAME: the spawn's online CPUs and nproc, "LIST/N".
sees() {
	echo "$(mkctl exec "$1" -- cat "$ONLINE")/$(mkctl exec "$1" -- nproc)"
}

# spawn_has NAME N: the spawn has N CPUs online and nproc agrees.
spawn_has() {
	local seen

	seen=$(sees "$1")
	[ "$(mk_cpu_count "${seen%/*}")" = "$2" ] && [ "${seen#*/}" = "$2" ]
}

# What mk_ck shows when a check fails.
ck_context() {
	ktap_print_msg "  cpus A=$(attr "$A" cpus) B=$(attr "$B" cpus), host $(cat "$ONLINE")"
	ktap_print_msg "  err '$ERR', reason '$(reason_of "$A")'"
}

online_is() {	# LIST
	[ "$(cat "$ONLINE")" = "$1" ]
}

reason_of() {
	attr "$1" resize_reason
}

# Each step of 1 -> 1-3 -> 1 while a busy loop runs in the spawn.
test_grow_shrink_busy() {
	local pid step

	OK=0
	mkctl exec "$A" -- sh -c 'echo $$ > /tmp/busy; while :; do :; done' \
		> /dev/null 2>&1 &
	mk_ck "busy loop starts" wait_until 10 mkctl exec "$A" -- test -s /tmp/busy
	pid=$(mkctl exec "$A" -- cat /tmp/busy)
	for step in 1-2 1-3 1-2 1; do
		mk_ck "write $step" put "$A" "$step"
		mk_ck "cpus reads $step" [ "$(attr "$A" cpus)" = "$step" ]
		mk_ck "spawn on $step ($(sees "$A"))" spawn_has "$A" "$(mk_cpu_count "$step")"
	done
	mk_ck "busy loop survives" mkctl exec "$A" -- kill -0 "$pid"
	mkctl exec "$A" -- kill "$pid"
	mk_ck "host online" online_is 0,2-3
	mk_report $OK \
		"grow 1 -> 3 CPUs and back under load: the spawn follows, its process survives"
}

# The spawn's first CPU goes (1-2, then 2): exec, ping, console still work.
test_remove_first_cpu() {
	OK=0
	mk_ck "write 1-2" put "$A" 1-2
	mk_ck "write 2" put "$A" 2
	mk_ck "spawn on one CPU" spawn_has "$A" 1
	mk_ck "exec" [ "$(mkctl exec "$A" -- cat /sys/kernel/multikernel/self/name)" = "$A" ]
	mk_ck "ping" mkctl ping -c 3 "$A" > /dev/null
	echo 'echo mk-resize-echo-$((6 * 7))' > "$CONSOLES/$A/console_in"
	mk_ck "console echoes" wait_until 10 console_has "$A" mk-resize-echo-42
	mk_ck "host online" online_is 0-1,3
	mk_ck "write 1" put "$A" 1
	mk_report $OK "remove the spawn's first CPU: exec, ping and the console still work"
}

# Each refusal with its errno and reason, and the instance unchanged.
test_refusals() {
	local ok=0

	put "$A" "" && ok=1
	[ "$ERR" = "Invalid argument" ] || { ktap_print_msg "empty: $ERR"; ok=1; }
	[ "$(reason_of "$A")" = "a running instance keeps at least one CPU" ] || ok=1

	put "$A" 1,3 && ok=1
	[ "$ERR" = "Device or resource busy" ] || { ktap_print_msg "owned: $ERR"; ok=1; }
	[ "$(reason_of "$A")" = "CPU 3 belongs to instance $B" ] || {
		ktap_print_msg "owned: $(reason_of "$A")"; ok=1; }

	put "$A" 0,1 && ok=1
	[ "$ERR" = "Invalid argument" ] || { ktap_print_msg "CPU 0: $ERR"; ok=1; }

	mkctl exec "$A" -- sh -c "echo 1 > $FAULT" || ok=1
	put "$A" 1-2 && ok=1
	[ "$ERR" = "Device or resource busy" ] || { ktap_print_msg "spawn: $ERR"; ok=1; }
	[ "$(reason_of "$A")" = "CPU 2: refused by the test hook" ] || {
		ktap_print_msg "spawn: $(reason_of "$A")"; ok=1; }
	[ "$(cat "$ONLINE")" = 0,2 ] || ok=1

	put "$A" 1-2 || ok=1
	mkctl exec "$A" -- sh -c "echo 1 > $FAULT" || ok=1
	put "$A" 2 && ok=1
	[ "$ERR" = "Device or resource busy" ] || { ktap_print_msg "remove: $ERR"; ok=1; }
	[ "$(reason_of "$A")" = "CPU 1: refused by the test hook" ] || ok=1
	[ "$(attr "$A" cpus)" = 1-2 ] && spawn_has "$A" 2 || ok=1
	put "$A" 1 || ok=1
	spawn_has "$A" 1 && [ "$(cat "$ONLINE")" = 0,2 ] || ok=1
	mk_report $ok "refusals, each with its errno and reason; nothing changes"
}

# A removed CPU is gone for the spawn's own user space too.
test_spawn_cannot_online_removed() {
	local ok=0

	put "$A" 1-2 && put "$A" 1 || ok=1
	mkctl exec "$A" -- test -e /sys/devices/system/cpu/cpu1 && ok=1
	mkctl exec "$A" -- sh -c 'echo 1 > /sys/devices/system/cpu/cpu1/online' \
		2>/dev/null && ok=1
	spawn_has "$A" 1 && [ "$(cat "$ONLINE")" = 0,2 ] || ok=1
	mk_report $ok "the spawn's user space cannot bring back a CPU it gave up"
}

# CPU 3 goes from B to A, and back.
test_move_between_instances() {
	OK=0
	mk_ck "B 2-3" put "$B" 2-3
	mk_ck "B 2" put "$B" 2
	mk_ck "A 1,3" put "$A" 1,3
	mk_ck "A on two" spawn_has "$A" 2
	mk_ck "B on one" spawn_has "$B" 1
	mk_ck "A 1" put "$A" 1
	mk_ck "B 3" put "$B" 3
	mk_ck "A on one" spawn_has "$A" 1
	mk_ck "B on one" spawn_has "$B" 1
	mk_ck "host online" online_is 0,2
	mk_report $OK "a CPU moves from one running instance to another and back"
}

# A and B grow and shrink at the same time, CPU 2 between them.
test_two_at_once() {
	local i pa pb

	OK=0
	for i in 1 2 3; do
		( put "$A" 1-2; put "$A" 1 ) & pa=$!
		( put "$B" 2-3; put "$B" 3 ) & pb=$!
		mk_ck "A ends" wait $pa
		mk_ck "B ends" wait $pb
	done
	mk_ck "A cpus" [ "$(attr "$A" cpus)" = 1 ]
	mk_ck "B cpus" [ "$(attr "$B" cpus)" = 3 ]
	mk_ck "A on one" spawn_has "$A" 1
	mk_ck "B on one" spawn_has "$B" 1
	mk_ck "host online" online_is 0,2
	mk_report $OK "two instances resized at once: each ends as asked"
}

# Many mixed steps, CPUs and memory; afterwards the host is exactly as
# before.
test_cycles() {
	local i free0 sets=(1-2 1 2 1,2 1) mems=(384M 256M 512M 384M 256M)

	OK=0
	free0=$(cat "$POOL_FREE")
	for ((i = 0; i < CYCLES; i++)); do
		mk_ck "cycle $i: cpus" put "$A" "${sets[i % ${#sets[@]}]}" || break
		((i % 2)) && continue
		mk_ck "cycle $i: memory" put_mem "$A" "${mems[i / 2 % ${#mems[@]}]}" ||
			break
	done
	mk_ck "back to CPU 1" put "$A" 1
	mk_ck "back to 256M" put_mem "$A" 256M
	mk_ck "on one CPU" spawn_has "$A" 1
	mk_ck "answers" mkctl ping -c 1 "$A" > /dev/null
	mk_ck "host online" online_is 0,2
	mk_ck "pool free back" [ "$(cat "$POOL_FREE")" = "$free0" ]
	mk_report $OK \
		"$CYCLES mixed CPU and memory cycles: it answers, the host has its CPUs and pool"
}

# A spawn that writes to memory it gave back is found before the memory
# goes to anyone else, and the memory is cleared again.
test_mem_written_after_removal() {
	local since

	OK=0
	mk_ck "grow" put_mem "$A" 384M
	mk_ck "fault set" mkctl exec "$A" -- sh -c "echo 3 > $FAULT"
	mk_expect_report "$A" "writes to memory it gave back, on purpose"
	mk_ck "shrink" put_mem "$A" 256M
	mk_ck "the spawn wrote" wait_until 10 console_has "$A" "after giving it back"
	since=$(dmesg | grep -c "$WROTE")
	mk_ck "grow again" put_mem "$A" 384M
	mk_ck "the host names the writer" [ "$(dmesg | grep -c "$WROTE")" -gt "$since" ]
	mk_ck "the writer is named" eval \
		'dmesg | grep "$WROTE" | tail -1 | grep -q "instance $(attr "$A" id) "'
	mk_ck "shrink" put_mem "$A" 256M
	mk_report $OK \
		"memory a spawn wrote to after giving it back is found and cleared before reuse"
}

# 256M -> 512M, a file that fits only then, a shrink refused while it is
# there, and back once it is gone.
test_mem_grow_fill_shrink() {
	local total0 free0 total

	OK=0
	total0=$(memtotal "$A")
	free0=$(cat "$POOL_FREE")
	mk_ck "grow to 512M" put_mem "$A" 512M
	mk_ck "memory reads 512M" [ "$(attr "$A" memory)" = 512M ]
	total=$(memtotal "$A")
	ktap_print_msg "MemTotal ${total0} kB -> ${total} kB"
	mk_ck "MemTotal grew by 240M at least" [ $((total - total0)) -ge $((240 * 1024)) ]
	mk_ck "two extents added" [ "$(added "$A")" = 2 ]
	mk_ck "pool gave 256M" [ $((free0 - $(cat "$POOL_FREE"))) = $((256 << 20)) ]
	mk_ck "movable" mkctl exec "$A" -- grep -q "^Node 0, zone  Movable" /proc/zoneinfo
	mk_ck "a 300M file fits" mkctl exec "$A" -- sh -c "$FILL"
	put_mem "$A" 256M && OK=1
	mk_ck "shrink refused: EBUSY" [ "$ERR" = "Device or resource busy" ]
	mk_ck "the reason says what to do" eval \
		'reason_of "$A" | grep -q "free memory inside it before shrinking"'
	mk_ck "still 512M" [ "$(attr "$A" memory)" = 512M ]
	mk_ck "MemTotal unchanged" [ "$(memtotal "$A")" = "$total" ]
	mk_ck "file removed" mkctl exec "$A" -- rm /tmp/fill
	mk_ck "shrink to 256M" put_mem "$A" 256M
	mk_ck "MemTotal back" [ "$(memtotal "$A")" = "$total0" ]
	mk_ck "no extent left" [ "$(added "$A")" = 0 ]
	mk_ck "pool free back" [ "$(cat "$POOL_FREE")" = "$free0" ]
	mk_report $OK "memory 256M -> 512M and back; a shrink under a file that needs it is EBUSY"
}

# Each memory refusal with its errno; nothing changes.
test_mem_refusals() {
	local total0 free0

	OK=0
	total0=$(memtotal "$A")
	free0=$(cat "$POOL_FREE")
	put_mem "$A" 300M && OK=1
	mk_ck "300M: EINVAL" [ "$ERR" = "Invalid argument" ]
	mk_ck "300M: reason" eval 'reason_of "$A" | grep -q "steps of resize_granule"'
	put_mem "$A" 128M && OK=1
	mk_ck "below the boot memory: EINVAL" [ "$ERR" = "Invalid argument" ]
	put_mem "$A" 1280M && OK=1
	mk_ck "more than the pool has: ENOSPC" [ "$ERR" = "No space left on device" ]
	mk_ck "still 256M" [ "$(attr "$A" memory)" = 256M ]
	mk_ck "MemTotal unchanged" [ "$(memtotal "$A")" = "$total0" ]
	mk_ck "pool free unchanged" [ "$(cat "$POOL_FREE")" = "$free0" ]
	mk_report $OK "memory refusals: not a step or below boot EINVAL, no room ENOSPC"
}

# A spawn that does not answer is crashed, and everything comes back.
test_spawn_silent() {
	local ok=0

	mkctl exec "$A" -- sh -c "echo 2 > $FAULT" || ok=1
	mk_expect_report "$A" "crashed on purpose: resize not answered"
	put "$A" 1-2 && ok=1
	[ "$ERR" = "Connection timed out" ] || { ktap_print_msg "silent: $ERR"; ok=1; }
	state_is "$A" crashed || ok=1
	attr "$A" crash_reason | grep -q "^no answer within 30000 ms to adding CPU 2" || ok=1
	[ "$(attr "$A" cpus)" = 1 ] || ok=1
	[ "$(cat "$ONLINE")" = 0-2 ] || ok=1
	mk_report $ok "a spawn that does not answer is crashed (ETIMEDOUT); its CPUs come back"
}

# B starts once A has grown to every CPU there is.
test_second_instance() {
	create_spawn "$B" 3
	mk_report $? "a second instance starts on the CPU the first one gave back"
}

# A kill while the spawn holds a CPU add: the write fails, all comes back.
test_kill_during_add() {
	local pid

	OK=0
	mk_ck "fault set" mkctl exec "$B" -- sh -c "echo 2 > $FAULT"
	( put "$B" 2-3; echo "$ERR" > "$TMP/kill-err" ) & pid=$!
	mk_ck "CPU 2 taken" wait_until 10 online_is 0-1
	mk_ck "kill" eval 'echo kill > "$INSTANCES/$B/state"'
	mk_ck "write ends" wait $pid
	mk_ck "write reset ($(cat "$TMP/kill-err"))" \
		[ "$(cat "$TMP/kill-err")" = "Connection reset by peer" ]
	mk_ck "B stopped" state_is "$B" stopped
	mk_ck "B cpus as before" [ "$(attr "$B" cpus)" = 3 ]
	mk_ck "host online" online_is 0-3
	mk_report $OK "a kill during a CPU add: the write fails with ECONNRESET, every CPU is back"
}

TESTS=(test_grow_shrink_busy test_remove_first_cpu test_second_instance
       test_refusals
       test_spawn_cannot_online_removed test_move_between_instances
       test_two_at_once test_mem_grow_fill_shrink test_mem_refusals
       test_cycles test_mem_written_after_removal test_spawn_silent
       test_kill_during_add)

ktap_print_header
if [ ! -w "$FAULT" ] && [ ! -d /sys/kernel/debug/multikernel ]; then
	ktap_skip_all "no multikernel debugfs (CONFIG_MULTIKERNEL_MSG_TEST)"
	exit "$KSFT_SKIP"
fi
if [ "$(cat "$ONLINE")" != 0-3 ]; then
	ktap_skip_all "needs CPUs 0-3 online"
	exit "$KSFT_SKIP"
fi
remove_instances
TMP=$(mktemp -d) || ktap_exit_fail_msg "mktemp failed"
trap cleanup EXIT
HOST_POOL=$(cat "$POOL_FREE")
HOST_ONLINE=$(cat "$ONLINE")
create_spawn "$A" 1 || ktap_exit_fail_msg "spawn $A did not start"

if [ -n "${RESIZE_TEST_ONLY:-}" ]; then
	read -r -a TESTS <<< "$RESIZE_TEST_ONLY"
else
	ktap_set_plan $((${#TESTS[@]} + 1))
fi
for t in "${TESTS[@]}"; do
	"$t"
done
remove_instances
[ "$(cat "$ONLINE")" = "$HOST_ONLINE" ] && [ "$(cat "$POOL_FREE")" = "$HOST_POOL" ]
mk_report $? "afterwards the host has its CPUs ($HOST_ONLINE) and pool bytes ($HOST_POOL) again"
ktap_finished
