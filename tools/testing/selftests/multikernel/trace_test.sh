#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The multikernel trace events, read from tracefs: each one fires with the
# fields it documents for a spawn's start and stop (state, CPU and memory
# moves), a crash (LKDTM), a resize, messages routed between two spawns
# and dropped for an instance that does not run, doorbells, and a lost
# heartbeat.  A libbpf program (mk_trace_count, bpf/trace_count.bpf.c)
# counts the same events through tp_btf meanwhile and must agree.  Needs a
# pool of 1G and CPUs 1-3.

DIR="$(dirname "$(readlink -f "$0")")"
source "${DIR}"/../kselftest/ktap_helpers.sh
source "${DIR}"/mk_lib.sh

INSTANCES=/sys/kernel/config/multikernel/instances
CONSOLES=/sys/kernel/multikernel/instances
LKDTM=/sys/kernel/debug/provoke-crash/DIRECT
MSG_TEST=/sys/kernel/debug/multikernel/msg_test
T=/sys/kernel/tracing
KERNEL=/boot/bzImage
INITRD=/boot/spawn-initrd.cpio.gz
A=kst-tr-a
B=kst-tr-b
BOOT_WAIT_S=90
COUNTS=/tmp/kst-tr-counts.$$
COUNTER=
ERR=
OK=0

cleanup() {
	echo 0 > "$T/events/multikernel/enable" 2>/dev/null
	[ -n "$COUNTER" ] && kill "$COUNTER" 2>/dev/null
	mk_remove_instances "$A" "$B"
	rm -f "$COUNTS" "$COUNTS.out"
}

# trace_only EVENT...: an empty buffer, recording just these events.
trace_only() {
	local e

	echo 0 > "$T/tracing_on"
	echo 0 > "$T/events/multikernel/enable"
	for e in "$@"; do
		echo 1 > "$T/events/multikernel/$e/enable" || return 1
	done
	echo > "$T/trace"
	echo 1 > "$T/tracing_on"
}

# events EVENT: the fields of each recorded EVENT, one line each.
events() {
	sed -n "s/^.* $1: //p" "$T/trace"
}

# lent_at SIZE: the address of the memory of SIZE bytes traced as lent.
lent_at() {
	events multikernel_memory |
		sed -n "s/.* phys=\(0x[0-9a-f]*\) size=$1 lent\$/\1/p"
}

has_event() {	# EVENT FIELDS: a recorded EVENT whose fields are FIELDS
	events "$1" | grep -qxF -- "$2"
}

test_formats() {
	local e

	OK=0
	for e in state cpu memory msg_send msg_recv msg_route msg_drop \
		 doorbell_ring doorbell heartbeat_miss policy; do
		mk_ck "event $e" test -r "$T/events/multikernel/multikernel_$e/format"
	done
	mk_ck "state fields" grep -q "__data_loc char\[\] reason" \
		"$T/events/multikernel/multikernel_state/format"
	mk_ck "memory fields" grep -q "u64 phys" \
		"$T/events/multikernel/multikernel_memory/format"
	mk_report $OK "trace: every multikernel event is in tracefs with its fields"
}

test_start_stop() {
	local id mem

	OK=0
	trace_only multikernel_state multikernel_cpu multikernel_memory
	mk_ck "start" start "$A"
	mk_ck "stop" stop "$A"
	id=$(id_of "$A")
	mk_ck "state sequence" eq "$(events multikernel_state | tr '\n' '|')" \
"name=$A id=$id old=stopped new=starting reason=\"\"|\
name=$A id=$id old=starting new=running reason=\"\"|\
name=$A id=$id old=running new=stopping reason=\"\"|\
name=$A id=$id old=stopping new=stopped reason=\"\"|"
	mk_ck "cpu lent and back" eq "$(events multikernel_cpu | tr '\n' '|')" \
		"name=$A id=$id cpu=1 lent|name=$A id=$id cpu=1 back|"
	mem=$(lent_at 268435456)
	mk_ck "memory lent" test -n "$mem"
	mk_ck "memory back" has_event multikernel_memory \
		"name=$A id=$id phys=$mem size=268435456 back"
	mk_report $OK "trace: a start and a stop trace their states, CPU and memory"
}

test_crash() {
	local id why

	OK=0
	mk_ck "start" start "$A"
	trace_only multikernel_state
	mk_expect_report "$A" "LKDTM PANIC, on purpose"
	echo "echo PANIC > $LKDTM" > "$CONSOLES/$A/console_in"
	mk_ck "crashed" wait_until 60 state_is "$A" crashed
	mk_keep_console "$A"
	id=$(id_of "$A")
	why=$(cat "$INSTANCES/$A/crash_reason")
	mk_ck "a reason" test -n "$why"
	mk_ck "crash traced" has_event multikernel_state \
		"name=$A id=$id old=running new=crashed reason=\"$why\""
	mk_report $OK "trace: a crash traces the state with its reason"
}

test_resize() {
	local id mem

	OK=0
	mk_ck "start" start "$A"
	id=$(id_of "$A")
	trace_only multikernel_cpu multikernel_memory
	mk_ck "add CPU 2" eval "echo 1-2 > $INSTANCES/$A/cpus"
	mk_ck "remove CPU 2" eval "echo 1 > $INSTANCES/$A/cpus"
	mk_ck "cpu 2 lent and back" eq "$(events multikernel_cpu | tr '\n' '|')" \
		"name=$A id=$id cpu=2 lent|name=$A id=$id cpu=2 back|"
	mk_ck "grow" eval "echo 384M > $INSTANCES/$A/memory"
	mk_ck "shrink" eval "echo 256M > $INSTANCES/$A/memory"
	mem=$(lent_at 134217728)
	mk_ck "block lent" test -n "$mem"
	mk_ck "block back" has_event multikernel_memory \
		"name=$A id=$id phys=$mem size=134217728 back"
	mk_report $OK "trace: a resize traces the CPU and the memory block it moves"
}

# Spawn A connects to B's mk-kv (vsock port 6000), through the host.
test_routed() {
	local a b out

	OK=0
	mk_ck "start B" start "$B"
	a=$(id_of "$A")
	b=$(id_of "$B")
	trace_only multikernel_msg_route multikernel_msg_send multikernel_msg_recv \
		multikernel_msg_drop multikernel_doorbell multikernel_doorbell_ring
	out=$(mkctl exec "$A" -- mk_vsock connect $((1000 + b)) 6000)
	mk_ck "A reaches B" eq "$out" "connect: errno=0 (connected)"
	mk_ck "routed A to B" has_event multikernel_msg_route \
		"peer=$a src=$a dst=$b type=6 flags=0x0 len=44"
	mk_ck "routed B to A" has_event multikernel_msg_route \
		"peer=$b src=$b dst=$a type=6 flags=0x0 len=44"
	mk_ck "sent on to B" has_event multikernel_msg_send \
		"peer=$b src=$a dst=$b type=6 flags=0x0 len=44"
	mk_ck "exec's traffic received" eval \
		"events multikernel_msg_recv | grep -q '^peer=$a src=$a dst=0 type=6 '"
	mk_ck "doorbells rung" eval \
		"events multikernel_doorbell_ring | grep -q '^peer=$b apicid='"
	mk_ck "doorbells taken" eval "events multikernel_doorbell | grep -q '^cpu=[0-9]'"
	out=$(mkctl exec "$A" -- mk_vsock connect 1063 6000)
	mk_ck "no instance 63" eq "$out" "connect: errno=104 (Connection reset by peer)"
	mk_ck "drop traced" has_event multikernel_msg_drop \
		"peer=$a src=$a dst=63 type=6 len=44 reason=\"no such instance runs\""
	mk_ck "stop B" stop "$B"
	mk_report $OK "trace: messages routed between spawns, sent, received and dropped"
}

test_heartbeat_miss() {
	local n min

	OK=0
	mk_ck "stop" stop "$A"
	echo 1000 > "$INSTANCES/$A/heartbeat_timeout_ms"
	mk_ck "start" start "$A"
	trace_only multikernel_heartbeat_miss multikernel_state
	printf 'echo heartbeat off > %s\n' "$MSG_TEST" > "$CONSOLES/$A/console_in"
	mk_ck "crashed" wait_until 30 state_is "$A" crashed
	n=$(events multikernel_heartbeat_miss |
	    grep -c "^name=$A id=$(id_of "$A") silent_ms=[0-9]* timeout_ms=1000$")
	ktap_print_msg "$n heartbeat misses traced"
	mk_ck "misses traced" test "$n" -ge 3
	min=$(events multikernel_heartbeat_miss |
	      sed -n 's/.* silent_ms=\([0-9]*\) .*/\1/p' | sort -n | head -1)
	mk_ck "none at 250 ms or less" test "${min:-0}" -gt 250
	mk_ck "crash after them" eval \
		"events multikernel_state | grep -q 'new=crashed reason=\"no heartbeat for'"
	mk_ck "a miss first" eq "$(grep -e 'multikernel_heartbeat_miss:' -e 'new=crashed' \
		"$T/trace" | head -1 | grep -c multikernel_heartbeat_miss)" 1
	mk_report $OK "trace: heartbeat misses come before the crash they lead to"
}

ktap_print_header
[ -d "$T/events/multikernel" ] || ktap_exit_fail_msg "no multikernel events in $T"
mk_remove_instances "$A" "$B"
trap cleanup EXIT
mkctl create "$A" --cpus 1 --memory 256M --kernel "$KERNEL" \
	--initrd "$INITRD" --cmdline "quiet loglevel=6" > /dev/null ||
	ktap_exit_fail_msg "mkctl create $A failed"
mkctl create "$B" --cpus 3 --memory 256M --kernel "$KERNEL" \
	--initrd "$INITRD" --cmdline "quiet" > /dev/null ||
	ktap_exit_fail_msg "mkctl create $B failed"
mk_set_timeouts "$A"
mk_set_timeouts "$B"

# Count A's events with tp_btf programs until test_bpf_counts.
counter_start() {
	: > "$COUNTS.out"
	"$DIR/mk_trace_count" "$DIR/trace_count.bpf.o" "$(id_of "$A")" \
		"$COUNTS" > "$COUNTS.out" 2>&1 &
	COUNTER=$!
	wait_until 60 grep -q attached "$COUNTS.out" ||
		ktap_print_msg "mk_trace_count: $(cat "$COUNTS.out")"
}

counted() {	# EVENT
	sed -n "s/^$1 //p" "$COUNTS"
}

test_bpf_counts() {
	local e

	OK=0
	mk_ck "counter stops" kill -TERM "$COUNTER"
	mk_ck "counter wrote" wait "$COUNTER"
	COUNTER=
	while read -r e; do ktap_print_msg "counted: $e"; done < "$COUNTS"
	for e in state cpu memory msg_send msg_recv msg_route msg_drop \
		 doorbell_ring doorbell heartbeat_miss; do
		mk_ck "$e counted" test "$(counted "$e")" -ge 1
	done
	# Every start and stop above: at least 4 states each, 2 crashes.
	mk_ck "states counted" test "$(counted state)" -ge 12
	mk_ck "two crashes" eq "$(counted crashed)" 2
	mk_ck "no policy" eq "$(counted policy)" 0
	mk_report $OK "trace: a libbpf tp_btf program counts the same events"
}

ktap_set_plan 7
counter_start
test_formats
test_start_stop
test_crash
test_resize
test_routed
test_heartbeat_miss
test_bpf_counts
ktap_finished
