#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# BPF policies (struct_ops multikernel_ops) through mkctl policy: load,
# list and unload; the sample policies auto_restart, admit_limits and
# vsock_firewall; the kernel's bounds on what a policy asks for (restart
# limit, heartbeat grace, kfuncs); a policy that returns nonsense or asks
# for too many restarts is detached and the default resumes; the verifier
# refuses a program that writes its argument; loading without privileges
# fails.  Needs a pool of 1G and CPUs 1-3.

DIR="$(dirname "$(readlink -f "$0")")"
source "${DIR}"/../kselftest/ktap_helpers.sh
source "${DIR}"/mk_lib.sh

INSTANCES=/sys/kernel/config/multikernel/instances
CONSOLES=/sys/kernel/multikernel/instances
SYS=/sys/kernel/multikernel/policy
PINS=/sys/fs/bpf/multikernel
SAMPLES=/usr/share/multikernel/policies
MSG_TEST=/sys/kernel/debug/multikernel/msg_test
T=/sys/kernel/tracing
KERNEL=/boot/bzImage
INITRD=/boot/spawn-initrd.cpio.gz
PANIC_CMDLINE="quiet rdinit=/nonexistent init=/nonexistent"
A=kst-pol-a
B=kst-pol-b
BOOT_WAIT_S=90
TMP=$(mktemp -d)
ERR=
OK=0

cleanup() {
	local p

	for p in "$PINS"/*; do
		[ -e "$p" ] && mkctl policy unload "${p##*/}" > /dev/null 2>&1
	done
	echo 0 > "$T/events/multikernel/enable" 2>/dev/null
	mk_remove_instances "$A" "$B"
	rm -rf "$TMP"
}

ck_context() {
	ktap_print_msg "policy: $(cat "$SYS/name") $(cat "$SYS/state") $(cat "$SYS/reason")"
	ktap_print_msg "$A: $(cat "$INSTANCES/$A/state") restarts=$(cat "$INSTANCES/$A/restarts")"
}

set_attr() {	# NAME ATTR VALUE
	echo "$3" > "$INSTANCES/$1/$2"
}

load() {	# OBJ [ARGS...]
	mkctl policy load "$@" > "$TMP/load" 2>&1 ||
		{ ktap_print_msg "load $1: $(cat "$TMP/load")"; return 1; }
}

unload() {	# NAME
	mkctl policy unload "$1" > /dev/null
}

policy_is() {	# NAME STATE
	[ "$(cat "$SYS/name")" = "$1" ] && [ "$(cat "$SYS/state")" = "$2" ]
}

# Kernel log lines since the mark; log_count TEXT: how many hold TEXT.
log_mark() {
	dmesg > "$TMP/dmesg.mark"
}

log_count() {
	dmesg | tail -n +"$(($(wc -l < "$TMP/dmesg.mark") + 1))" | grep -c -- "$1"
}

pool_free() {
	cat /sys/kernel/multikernel/pool/free
}

trace_policy() {
	echo 0 > "$T/events/multikernel/enable"
	echo > "$T/trace"
	echo 1 > "$T/events/multikernel/multikernel_policy/enable"
}

policy_events() {
	sed -n 's/^.* multikernel_policy: //p' "$T/trace"
}

has_policy_event() {	# FIELDS: a recorded decision with exactly FIELDS
	policy_events | grep -qxF -- "$1"
}

test_load_list_unload() {
	OK=0
	mk_ck "nothing attached" eq "$(cat "$SYS/state")" none
	mk_ck "load" load "$SAMPLES/admit_limits.bpf.o"
	mk_ck "enabled" policy_is admit_limits enabled
	mk_ck "pinned" test -e "$PINS/admit_limits"
	mkctl policy list --json > "$TMP/list"
	mk_ck "one in the list" eq "$(jq length "$TMP/list")" 1
	mk_ck "its keys" eq "$(jq -c '.[0] | keys' "$TMP/list")" \
		'["link_id","map_id","name","pin","reason","state"]'
	mk_ck "its values" eq \
		"$(jq -r '.[0] | "\(.name) \(.state) \(.pin) \(.reason)"' "$TMP/list")" \
		"admit_limits enabled $PINS/admit_limits "
	mk_ck "ids" jq -e '.[0].link_id > 0 and .[0].map_id > 0' "$TMP/list"
	mk_ck "text list" eval "mkctl policy list | grep -q '^admit_limits *enabled'"
	mk_ck "a second one" refused "second" \
		"mkctl policy load $SAMPLES/auto_restart.bpf.o" "another policy is attached"
	mk_ck "not pinned" test ! -e "$PINS/auto_restart"
	mk_ck "same name" refused "same name" \
		"mkctl policy load $SAMPLES/auto_restart.bpf.o --name admit_limits" \
		"File exists"
	mk_ck "still enabled" policy_is admit_limits enabled
	mk_ck "unload" unload admit_limits
	mk_ck "none" eq "$(cat "$SYS/state")" none
	mk_ck "unpinned" test ! -e "$PINS/admit_limits"
	mk_ck "empty list" eq "$(mkctl policy list --json | jq -c .)" "[]"
	mk_ck "unload again" refused "unload again" \
		"mkctl policy unload admit_limits" "No such file or directory"
	mk_report $OK "policy: load, list --json and unload; one policy at a time"
}

test_admit_limits() {
	local free

	OK=0
	mk_ck "load" load "$SAMPLES/admit_limits.bpf.o" --set max_memory_mb=256 \
		--set first_cpu=2
	trace_policy
	log_mark
	free=$(pool_free)
	set_attr "$A" memory 384M
	mk_ck "above the cap" refused "384M" \
		"echo start > $INSTANCES/$A/state" "Disk quota exceeded"
	mk_ck "stays stopped" state_is "$A" stopped
	mk_ck "nothing lent" eq "$(pool_free)" "$free"
	mk_ck "one log line" eq "$(log_count "start rejected by policy admit_limits")" 1
	set_attr "$A" memory 256M
	mk_ck "outside the CPUs" refused "CPU 1" \
		"echo start > $INSTANCES/$A/state" "Numerical result out of range"
	set_attr "$B" memory 256M
	mk_ck "within both" start "$B"
	mk_ck "traced" has_policy_event \
		"policy=admit_limits hook=admit id=$(id_of "$A") ret=-122 verdict=refuse"
	mk_ck "allow traced" has_policy_event \
		"policy=admit_limits hook=admit id=$(id_of "$B") ret=0 verdict=allow"
	mk_ck "stop" stop "$B"
	mk_ck "unload" unload admit_limits
	mk_ck "A starts without it" start "$A"
	mk_ck "stop A" stop "$A"
	mk_report $OK "policy: admit_limits refuses above its caps with its errno"
}

restarts_are() {	# NAME N
	[ "$(cat "$INSTANCES/$1/restarts")" = "$2" ]
}

crashed_for_good() {	# NAME N: crashed after N restarts, no more queued
	state_is "$1" crashed && restarts_are "$1" "$2" &&
		[ "$(log_count "$1: crashed")" -eq $(($2 + 1)) ]
}

test_auto_restart() {
	OK=0
	set_attr "$A" cmdline "$PANIC_CMDLINE"
	mk_ck "load" load "$SAMPLES/auto_restart.bpf.o"
	log_mark
	mk_expect_report "$A" "no init on purpose: panics at boot"
	echo start > "$INSTANCES/$A/state"
	mk_ck "three restarts" wait_until 120 crashed_for_good "$A" 3
	sleep 2
	mk_ck "then stays crashed" crashed_for_good "$A" 3
	mk_ck "restart 3 logged" eq "$(log_count "$A: restart 3 of 3 in 800 ms")" 1
	mk_ck "no fourth" eq "$(log_count "$A: restart 4")" 0
	mk_ck "still enabled" policy_is auto_restart enabled
	mk_ck "unload" unload auto_restart
	log_mark
	mk_keep_console "$A"
	mk_expect_report "$A" "no init on purpose: panics at boot"
	echo start > "$INSTANCES/$A/state"
	mk_ck "crashes" wait_until 60 state_is "$A" crashed
	sleep 2
	mk_ck "no restart without it" crashed_for_good "$A" 0
	mk_keep_console "$A"
	mk_report $OK "policy: auto_restart restarts a panicking instance 3 times, then stops"
}

test_restart_limit() {
	OK=0
	set_attr "$A" restart_limit 1
	mk_ck "load" load "$DIR/always_restart.bpf.o"
	log_mark
	mk_expect_report "$A" "no init on purpose: panics at boot"
	echo start > "$INSTANCES/$A/state"
	mk_ck "one restart" wait_until 120 crashed_for_good "$A" 1
	mk_ck "detached" policy_is always_restart detached
	mk_ck "why" grep -q "crashed() returned 0: a restart beyond the instance's restart_limit" \
		"$SYS/reason"
	mk_ck "one log line" eq "$(log_count "policy always_restart detached")" 1
	mk_ck "listed as detached" eq \
		"$(mkctl policy list --json | jq -r '.[0].state')" detached
	mk_ck "another may attach" load "$SAMPLES/admit_limits.bpf.o"
	mk_ck "unload it" unload admit_limits
	mk_ck "unload the detached one" unload always_restart
	set_attr "$A" restart_limit 3
	mk_keep_console "$A"
	mk_ck "stop" eval "echo stop > $INSTANCES/$A/state"
	set_attr "$A" cmdline "quiet"
	mk_report $OK "policy: a restart beyond restart_limit detaches the policy"
}

test_nonsense() {
	OK=0
	mk_ck "load" load "$DIR/nonsense.bpf.o"
	log_mark
	mk_ck "start goes on" start "$A"
	mk_ck "detached" policy_is nonsense detached
	mk_ck "why" grep -qx "admit() returned 7: not 0 or a negative errno" "$SYS/reason"
	mk_ck "one log line" eq "$(log_count "policy nonsense detached")" 1
	mk_ck "stop" stop "$A"
	mk_ck "default resumes" start "$A"
	mk_ck "still one line" eq "$(log_count "policy nonsense detached")" 1
	mk_ck "stop again" stop "$A"
	mk_ck "unload" unload nonsense
	mk_report $OK "policy: a policy that returns nonsense is detached, the default resumes"
}

test_verifier() {
	OK=0
	mk_ck "refused" eval "! mkctl policy load $DIR/bad_write.bpf.o > $TMP/out 2>&1"
	mk_ck "says the kernel refused it" grep -q "the kernel refused the program" "$TMP/out"
	mk_ck "the verifier's reason" grep -q "only read is supported" "$TMP/out"
	mk_ck "nothing attached" eq "$(cat "$SYS/state")" none
	mk_ck "nothing pinned" test ! -e "$PINS/bad_write"
	mk_report $OK "policy: the verifier refuses a program that writes its argument"
}

test_unprivileged() {
	OK=0
	chmod 0755 "$TMP"
	mk_ck "refused" eval "! $DIR/mk_unpriv mkctl policy load \
		$SAMPLES/auto_restart.bpf.o --name unpriv > $TMP/out 2>&1"
	ktap_print_msg "$(head -1 "$TMP/out")"
	mk_ck "for want of privilege" grep -q "CAP_BPF" "$TMP/out"
	mk_ck "nothing attached" eq "$(cat "$SYS/state")" none
	mk_report $OK "policy: loading without CAP_BPF and CAP_SYS_ADMIN fails"
}

connect_from() {	# FROM TO PORT: mk_vsock's verdict
	mkctl exec "$1" -- mk_vsock connect $((1000 + $(id_of "$2"))) "$3"
}

test_vsock_firewall() {
	local connected="connect: errno=0 (connected)"
	local reset="connect: errno=104 (Connection reset by peer)"

	OK=0
	mk_ck "start A" start "$A"
	mk_ck "start B" start "$B"
	mk_ck "agent port before" eq "$(connect_from "$A" "$B" 5000)" "$connected"
	mk_ck "load" load "$SAMPLES/vsock_firewall.bpf.o"
	trace_policy
	mk_ck "allowed port" eq "$(connect_from "$A" "$B" 6000)" "$connected"
	mk_ck "other port" eq "$(connect_from "$A" "$B" 5000)" "$reset"
	mk_ck "drop traced" has_policy_event \
		"policy=vsock_firewall hook=msg_filter id=$(id_of "$A") ret=-13 verdict=drop"
	mk_ck "host to B" eq "$(mkctl exec "$B" -- echo hi)" hi
	mk_ck "unload" unload vsock_firewall
	mk_ck "agent port after" eq "$(connect_from "$A" "$B" 5000)" "$connected"
	mk_ck "stop B" stop "$B"
	mk_report $OK "policy: vsock_firewall lets instance-to-instance vsock through to one port"
}

# A is running.  Crash reason "no heartbeat for N ms": N.
silent_ms_at_crash() {
	sed -n 's/^no heartbeat for \([0-9]*\) ms$/\1/p' "$INSTANCES/$A/crash_reason"
}

test_heartbeat_grace() {
	local n

	OK=0
	mk_ck "stop" stop "$A"
	set_attr "$A" heartbeat_timeout_ms 1000
	mk_ck "load" load "$DIR/hb_grace.bpf.o"
	mk_ck "start" start "$A"
	log_mark
	printf 'echo heartbeat off > %s\n' "$MSG_TEST" > "$CONSOLES/$A/console_in"
	mk_ck "crashed" wait_until 60 state_is "$A" crashed
	n=$(silent_ms_at_crash)
	ktap_print_msg "crashed after ${n:-?} ms of silence"
	mk_ck "three grants" eq \
		"$(log_count "$A: no heartbeat for .* ms, the policy waits 1000 ms more")" 3
	mk_ck "after the grace" test "${n:-0}" -ge 4000
	mk_ck "still enabled" policy_is hb_grace enabled
	mk_ck "unload" unload hb_grace
	mk_ck "stop it" eval "echo stop > $INSTANCES/$A/state"
	set_attr "$A" heartbeat_timeout_ms 5000
	mk_keep_console "$A"
	mk_report $OK "policy: heartbeat_lost grants grace, at most three times, with kfuncs"
}

ktap_print_header
[ -d "$SYS" ] || ktap_exit_fail_msg "no $SYS: a kernel without MULTIKERNEL_BPF"
mk_remove_instances "$A" "$B"
trap cleanup EXIT
mkctl create "$A" --cpus 1 --memory 256M --kernel "$KERNEL" \
	--initrd "$INITRD" --cmdline "quiet" > /dev/null ||
	ktap_exit_fail_msg "mkctl create $A failed"
mkctl create "$B" --cpus 3 --memory 256M --kernel "$KERNEL" \
	--initrd "$INITRD" --cmdline "quiet" > /dev/null ||
	ktap_exit_fail_msg "mkctl create $B failed"
mk_set_timeouts "$A"
mk_set_timeouts "$B"

ktap_set_plan 9
test_load_list_unload
test_admit_limits
test_auto_restart
test_restart_limit
test_nonsense
test_verifier
test_unprivileged
test_vsock_firewall
test_heartbeat_grace
ktap_finished
