#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Zero-downtime upgrade: a host client writes keys to mk-kv (vsock port
# 6000) without pause while the instance is upgraded to the second kernel
# (/boot/bzImage.next, whose uname -v differs); every acknowledged key
# reads back from the successor, which has the instance's name, id and
# CID.  Successors that are garbage, panic at boot or never become ready
# leave the old kernel serving and nothing leaked; an old kernel that
# ignores the handover notice is stopped by force without losing an
# acknowledged write; bad settings get their exact errnos; ten upgrades in
# a row give back every CPU and pool byte.  Needs a pool of 1G and CPUs 0-3.

DIR="$(dirname "$(readlink -f "$0")")"
source "${DIR}"/../kselftest/ktap_helpers.sh
source "${DIR}"/mk_lib.sh

INSTANCES=/sys/kernel/config/multikernel/instances
CONSOLES=/sys/kernel/multikernel/instances
POOL_FREE=/sys/kernel/multikernel/pool/free
KERNEL=/boot/bzImage
NEXT=/boot/bzImage.next
INITRD=/boot/spawn-initrd.cpio.gz
A=kst-up
I=$INSTANCES/$A
U=$I/upgrade
BOOT_WAIT_S=90
LOAD_S=25
ERR=
OK=0
TMP=
CID=

cleanup() {
	mk_remove_instances "$A"
	rm -rf "$TMP"
}

state_is() {	# STATE
	[ "$(cat "$I/state")" = "$1" ]
}

console_has() {	# TEXT
	grep -q -- "$1" "$CONSOLES/$A/console" 2>/dev/null
}

in_spawn() {	# SNIPPET
	mkctl exec "$A" -- sh -c "$1"
}

# One request to mk-kv, its answer printed.
kv() {	# LINE
	printf '%s\n' "$1" | timeout 10 "$DIR/mk_vsock" kv-ask "$CID" 6000 2>/dev/null
}

# The host's online CPUs and the pool's free bytes, to compare with later.
resources() {
	echo "$(cat /sys/devices/system/cpu/online) $(cat "$POOL_FREE")"
}

# upgrade ARGS...: mkctl upgrade of the instance; its stderr in $TMP/up.
upgrade() {
	mkctl upgrade "$A" "$@" > "$TMP/up.out" 2> "$TMP/up"
}

# The kernel the instance runs, as uname -v says inside.
uname_v() {
	in_spawn "uname -v"
}

test_upgrade_under_load() {
	local out id before

	OK=0
	id=$(cat "$I/id")
	before=$(uname_v)
	mk_ck "kv SET before" eq "$(kv 'SET before kept')" OK
	"$DIR/mk_vsock" kv-load "$CID" 6000 "$LOAD_S" load > "$TMP/load" 2>&1 &
	sleep 5
	mk_ck "upgrade" upgrade --kernel "$NEXT"
	cat "$TMP/up" "$TMP/up.out" | while read -r l; do ktap_print_msg "$l"; done
	mk_ck "load finished" wait "$!"
	out=$(cat "$TMP/load")
	ktap_print_msg "$out"
	mk_ck "keys acked" grep -Eq 'acked=[1-9]' "$TMP/load"
	mk_ck "no key lost" grep -q 'lost=0' "$TMP/load"
	mk_ck "key from before" eq "$(kv 'GET before')" "VALUE kept"
	mk_ck "running" state_is running
	mk_ck "kernel is next" eq "$(cat "$I/kernel")" "$NEXT"
	mk_ck "uname -v changed" eq "$(uname_v | cut -c1-5)" "#next"
	mk_ck "uname -v was another" test "$before" != "$(uname_v)"
	mk_ck "same id" eq "$(in_spawn 'cat /sys/kernel/multikernel/self/id')" "$id"
	mk_ck "same name" eq "$(in_spawn 'cat /sys/kernel/multikernel/self/name')" "$A"
	mk_ck "upgrade count 1" eq "$(cat "$U/count")" 1
	mk_ck "upgrade time" test "$(cat "$U/last")" -gt 0
	mk_ck "no reason" eq "$(cat "$U/reason")" ""
	mk_ck "status shows the kernel" mkctl status "$A" | grep -q "$NEXT"
	mk_report $OK "upgrade: every acknowledged key survives an upgrade under load"
}

upgrade_fails() {	# ARGS...
	! upgrade "$@"
}

# fails WHAT REASON_TEXT ARGS...: the upgrade fails with REASON_TEXT in
# its message, and the old kernel serves on with nothing changed.
fails() {
	local what=$1 reason=$2 res kernel

	shift 2
	res=$(resources)
	kernel=$(cat "$I/kernel")
	mk_ck "$what: refused" upgrade_fails "$@"
	mk_ck "$what: says why" grep -q -- "$reason" "$TMP/up"
	grep . "$TMP/up" | while read -r l; do ktap_print_msg "$l"; done
	mk_ck "$what: reason kept" grep -q -- "$reason" "$U/reason"
	mk_ck "$what: old serves" eq "$(kv 'GET before')" "VALUE kept"
	mk_ck "$what: running" state_is running
	mk_ck "$what: same kernel" eq "$(cat "$I/kernel")" "$kernel"
	mk_ck "$what: nothing leaked" eq "$(resources)" "$res"
}

test_bad_successors() {
	OK=0
	head -c 65536 /dev/urandom > "$TMP/garbage"
	fails "garbage" "not a kernel" --kernel "$TMP/garbage"
	fails "panics" "crashed" --kernel "$NEXT" \
		--cmdline "quiet rdinit=/nonexistent init=/nonexistent"
	fails "never ready" "not ready within boot_timeout_ms" --kernel "$NEXT" \
		--cmdline "quiet mk.test_noready"
	mk_report $OK \
		"upgrade: a garbage, panicking or never-ready successor: the old kernel serves on"
}

test_bad_settings() {
	OK=0
	mk_ck "kernel set" eval "echo $NEXT > $U/kernel"
	mk_ck "cpus in use" refused "cpus in use" \
		"echo $(cat "$I/cpus") > $U/cpus && echo upgrade > $I/state" \
		"Device or resource busy"
	mk_ck "kernel cleared" eval "echo > $U/kernel"
	mk_ck "no kernel" refused "no kernel" "echo 3 > $U/cpus && echo upgrade > $I/state" \
		"Invalid argument"
	mk_ck "relative kernel" refused "relative" "echo boot/x > $U/kernel" \
		"Invalid argument"
	mk_ck "missing kernel" refused "missing" "echo /boot/none > $U/kernel" \
		"No such file or directory"
	mk_ck "bad cpus" refused "bad cpus" "echo 99 > $U/cpus" "No such device"
	mk_ck "bad timeout" refused "bad timeout" "echo 5 > $U/handover_timeout_ms" \
		"Invalid argument"
	mk_ck "kernel again" eval "echo $NEXT > $U/kernel"
	mk_ck "stop" eval "echo stop > $I/state"
	mk_ck "stopped" wait_until 30 state_is stopped
	mk_ck "stopped instance" refused "stopped" "echo upgrade > $I/state" \
		"Device or resource busy"
	mk_ck "start again" eval "echo start > $I/state"
	mk_ck "running" wait_until "$BOOT_WAIT_S" state_is running
	mk_ck "ready" wait_until 30 in_spawn "test -e /run/mk-kv.pid"
	mk_report $OK "upgrade: bad settings and a stopped instance get their exact errnos"
}

forced() {
	dmesg | grep -q "$A: upgrade: the old kernel did not hand over within 1000 ms"
}

test_ignored_handover() {
	OK=0
	in_spawn "touch /tmp/mk-ignore-handover"
	"$DIR/mk_vsock" kv-load "$CID" 6000 "$LOAD_S" ign > "$TMP/load" 2>&1 &
	sleep 5
	mk_ck "upgrade" upgrade --kernel "$KERNEL" --timeout 1
	mk_ck "load finished" wait "$!"
	ktap_print_msg "$(cat "$TMP/load")"
	mk_ck "no key lost" grep -q 'lost=0' "$TMP/load"
	mk_ck "forced" forced
	mk_ck "kernel is back" eq "$(cat "$I/kernel")" "$KERNEL"
	mk_report $OK \
		"upgrade: an old kernel that ignores the notice is stopped by force, no write lost"
}

test_ten_upgrades() {
	local res n k

	OK=0
	res=$(resources)
	for n in 1 2 3 4 5 6 7 8 9 10; do
		k=$NEXT
		[ $((n % 2)) = 0 ] && k=$KERNEL
		mk_ck "upgrade $n" upgrade --kernel "$k"
		mk_ck "write $n" eq "$(kv "SET round $n")" OK
	done
	mk_ck "last write" eq "$(kv 'GET round')" "VALUE 10"
	mk_ck "key from before" eq "$(kv 'GET before')" "VALUE kept"
	mk_ck "CPUs and pool as before" eq "$(resources)" "$res"
	mk_report $OK "upgrade: ten upgrades in a row leak no CPU and no pool byte"
}

ktap_print_header
mk_remove_instances "$A"
TMP=$(mktemp -d) || ktap_exit_fail_msg "mktemp failed"
trap cleanup EXIT
[ -e "$NEXT" ] || ktap_exit_fail_msg "$NEXT is missing"
mkctl create "$A" --cpus 1 --memory 128M --kernel "$KERNEL" \
	--initrd "$INITRD" --cmdline "quiet" > /dev/null ||
	ktap_exit_fail_msg "mkctl create failed"
mk_set_timeouts "$A"
echo 20000 > "$I/boot_timeout_ms"
mkdir "$I/preserved/kv" && echo 4M > "$I/preserved/kv/size" ||
	ktap_exit_fail_msg "no region kv"
echo start > "$I/state" && wait_until "$BOOT_WAIT_S" state_is running &&
	wait_until 30 console_has mk-ready || ktap_exit_fail_msg "$A did not start"
CID=$((1000 + $(cat "$I/id")))

ktap_set_plan 5
test_upgrade_under_load
test_bad_successors
test_bad_settings
test_ignored_handover
test_ten_upgrades
ktap_finished
