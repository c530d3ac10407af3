#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Messaging between kernels: the channel (through the debugfs test file of
# CONFIG_MULTIKERNEL_MSG_TEST), AF_VSOCK, mkctl exec and ping, heartbeats,
# and spawns that misbehave on purpose.  Two spawns, A and B; spawn-side
# commands go through the console, which does not use the channel.

DIR="$(dirname "$(readlink -f "$0")")"
source "${DIR}"/../kselftest/ktap_helpers.sh
source "${DIR}"/mk_lib.sh

INSTANCES=/sys/kernel/config/multikernel/instances
CONSOLES=/sys/kernel/multikernel/instances
MSG_TEST=/sys/kernel/debug/multikernel/msg_test
KERNEL=/boot/bzImage
INITRD=/boot/spawn-initrd.cpio.gz
MK_VSOCK="$DIR/mk_vsock"
CONFORM="$DIR/vsock_conform"
CID_BASE=1000
A=kst-msg-a
B=kst-msg-b
COUNT=100000
HB_TIMEOUT_MS=1000
BOOT_WAIT_S=90
RESULT=
TMP=

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

id_of() {
	attr "$1" id
}

cid_of() {
	echo $((CID_BASE + $(id_of "$1")))
}

state_is() {	# NAME STATE
	[ "$(attr "$1" state)" = "$2" ]
}

# wait_state NAME STATE SECONDS
wait_state() {
	wait_until "$3" state_is "$1" "$2"
}

# start_spawn NAME CPU: boot NAME until its agent answered.
start_spawn() {
	echo start > "$INSTANCES/$1/state" || return 1
	wait_state "$1" running "$BOOT_WAIT_S" || return 1
	wait_console "$1" "mk-ready" 30
}

create_spawn() {
	mkctl create "$1" --cpus "$2" --memory 256M --kernel "$KERNEL" \
		--initrd "$INITRD" --cmdline "quiet loglevel=6" >/dev/null &&
		mk_set_timeouts "$1" && start_spawn "$1"
}

console_has() {	# NAME TEXT
	grep -q -- "$2" "$CONSOLES/$1/console" 2>/dev/null
}

# wait_console NAME TEXT SECONDS
wait_console() {
	wait_until "$3" console_has "$1" "$2"
}

# console_count NAME TEXT: how many lines of NAME's console have TEXT.
console_count() {
	grep -c -- "$2" "$CONSOLES/$1/console" 2>/dev/null
}

console_count_at_least() {	# NAME TEXT COUNT
	[ "$(console_count "$1" "$2")" -ge "$3" ]
}

# wait_console_count NAME TEXT COUNT SECONDS: wait until COUNT lines of
# NAME's console have TEXT (a result line seen before does not count).
wait_console_count() {
	wait_until "$4" console_count_at_least "$1" "$2" "$3"
}

# wait_shell NAME: wait until the spawn's console shell runs what is typed
# (its mk-ready line comes before the shell starts reading).  Only the
# shell's arithmetic prints the marker; the tty's echo of the typed line
# does not contain it.
wait_shell() {
	local i

	for ((i = 0; i < 15; i++)); do
		printf 'echo mk-shell-$((40 + %d))\n' "$i" > "$CONSOLES/$1/console_in"
		wait_console "$1" "mk-shell-$((40 + i))" 2 && return 0
	done
	return 1
}

# in_spawn NAME COMMAND: run a msg_test command in the spawn, typed on its
# console, which shows the result line.
in_spawn() {
	printf 'echo %s > %s; cat %s\n' "$2" "$MSG_TEST" "$MSG_TEST" \
		> "$CONSOLES/$1/console_in"
}

gone() {	# PID
	! kill -0 "$1" 2>/dev/null
}

# wait_exit PID SECONDS: wait for a background job to end; false if it
# still runs.
wait_exit() {
	wait_until "$2" gone "$1"
}

echo_answers() {	# CID PORT
	"$MK_VSOCK" rtt "$1" "$2" 1 >/dev/null 2>&1
}

# wait_echo CID PORT: wait until an echo server there answers, 10 s at most.
wait_echo() {
	wait_until 10 echo_answers "$1" "$2"
}

in_write() {	# PID: inside write(2), syscall 1 on x86_64
	[ "$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null)" = 1 ]
}

# wait_in_write PID: wait until PID is inside a write(2), 10 s at most: a
# msg_test command it writes is running.
wait_in_write() {
	wait_until 10 in_write "$1"
}

# now_ms: milliseconds since boot.
now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# dbg COMMAND: run a msg_test command on the host; RESULT is its line.
dbg() {
	echo "$1" > "$MSG_TEST"
	local rc=$?

	RESULT=$(cat "$MSG_TEST")
	return $rc
}

# field KEY: the value of KEY=... in RESULT.
field() {
	printf '%s\n' "$RESULT" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

report() {
	if [ "$1" -eq 0 ]; then
		ktap_test_pass "$2"
	else
		ktap_print_msg "result: $RESULT"
		ktap_test_fail "$2"
	fi
}

test_send_each_way() {
	local ok=0 id

	id=$(id_of "$A")
	dbg "send $id $COUNT 64" || ok=1
	[ "$(field received)" = "$COUNT" ] && [ "$(field errors)" = 0 ] || ok=1
	report $ok "host to spawn: $COUNT messages, none lost, duplicated or reordered"
	ok=0
	dbg "pull $id $COUNT 64" || ok=1
	[ "$(field received)" = "$COUNT" ] && [ "$(field errors)" = 0 ] || ok=1
	report $ok "spawn to host: $COUNT messages, none lost, duplicated or reordered"
}

test_batching() {
	local id

	id=$(id_of "$A")
	dbg "send $id 20000 64"
	# Fewer doorbells than messages: bursts ring once.
	[ "$(field ret)" = 0 ] && [ "$(field doorbells)" -lt 20000 ]
	report $? "a burst of 20000 messages rings fewer than 20000 doorbells"
}

test_rtt() {
	dbg "rtt $(id_of "$A") 1000"
	[ "$(field ret)" = 0 ] && [ "$(field count)" = 1000 ] &&
		[ "$(field min_ns)" -gt 0 ]
	report $? "1000 request/response round trips match their ids"
}

test_ring_full() {
	local ok=0 id waited

	id=$(id_of "$A")
	in_spawn "$A" rx-pause
	wait_console "$A" "rx paused" 10 || ok=1
	dbg "full $id"
	[ "$(field nonblock)" = -11 ] || ok=1
	[ "$(field blocking)" = -110 ] || ok=1
	waited=$(field waited_ms)
	[ -n "$waited" ] && [ "$waited" -ge 190 ] && [ "$waited" -lt 2000 ] || ok=1
	[ "$(field sent)" -gt 100 ] || ok=1
	report $ok "full ring: -EAGAIN without waiting, -ETIMEDOUT after 200 ms"
	in_spawn "$A" rx-resume
	wait_console "$A" "rx resumed" 10
	dbg "rtt $id 10"
	[ "$(field ret)" = 0 ]
	report $? "the channel works again once the spawn reads"
}

# The spawn answers requests into a ring the host stopped reading: its
# receive work must read on at once (its answers wait in its queue) rather
# than stall for a timeout per answer, and every answer must arrive once
# the host reads again.
test_reply_full() {
	local ok=0 drain

	dbg "stall $(id_of "$A") 2" || ok=1
	[ "$(field ret)" = 0 ] || ok=1
	[ "$(field answers)" = 3 ] || ok=1
	[ "$(field errors)" = 0 ] || ok=1
	[ -n "$(field sent)" ] && [ "$(field received)" = "$(field sent)" ] || ok=1
	drain=$(field drain_ms)
	[ -n "$drain" ] && [ "$drain" -ge 0 ] && [ "$drain" -lt 500 ] || ok=1
	report $ok "answers into a full ring are queued; the receive work reads on (${drain} ms)"
	dbg "rtt $(id_of "$A") 10"
	[ "$(field ret)" = 0 ]
	report $? "the channel works once the answers went out"
}

test_exec() {
	local ok=0 rc want got

	mkctl exec "$A" -- true || ok=1
	mkctl exec "$A" -- sh -c 'exit 7'
	rc=$?
	[ $rc -eq 7 ] || ok=1
	report $ok "exec returns the command's exit status (0, then 7: got $rc)"
	want=$(seq 1 200000 | md5sum)
	got=$(mkctl exec "$A" -- seq 1 200000 | md5sum)
	[ "$want" = "$got" ]
	report $? "exec carries 1.3 MB of output intact"
	got=$(mkctl exec "$A" -- sh -c 'echo out; echo err >&2' 2>"$TMP/err")
	[ "$got" = out ] && [ "$(cat "$TMP/err")" = err ]
	report $? "exec keeps stdout and stderr apart"
}

test_vsock_stream() {
	local cid_a cid_b

	cid_a=$(cid_of "$A")
	cid_b=$(cid_of "$B")
	mkctl exec "$A" -- sh -c 'mk_vsock echo-server 6003 >/dev/null 2>&1 &'
	mkctl exec "$B" -- sh -c 'mk_vsock echo-server 6002 >/dev/null 2>&1 &'
	wait_echo "$cid_a" 6003
	wait_echo "$cid_b" 6002
	RESULT=$("$MK_VSOCK" stream "$cid_a" 6003 $((16 << 20)))
	[ $? -eq 0 ] && [[ "$RESULT" == *checksum=OK* ]]
	report $? "vsock stream host to spawn: 16 MiB echoed, checksum OK"

	"$MK_VSOCK" echo-server 6001 >/dev/null 2>&1 &
	mkctl exec "$A" -- sh -c 'i=0; until mk_vsock rtt 2 6001 1; do
		i=$((i + 1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done' >/dev/null
	RESULT=$(mkctl exec "$A" -- mk_vsock stream 2 6001 $((4 << 20)))
	[ $? -eq 0 ] && [[ "$RESULT" == *checksum=OK* ]]
	report $? "vsock stream spawn to host: 4 MiB echoed, checksum OK"

	RESULT=$(mkctl exec "$A" -- mk_vsock stream "$cid_b" 6002 $((1 << 20)))
	[ $? -eq 0 ] && [[ "$RESULT" == *checksum=OK* ]]
	report $? "vsock stream spawn to spawn through the host: checksum OK"
}

# conform_show WHAT NAME: print vsock_conform's output over path WHAT,
# in $TMP/NAME.out, and keep its case lines in $TMP/NAME.cases.
conform_show() {
	local line

	tr -d '\r' < "$TMP/$2.out" > "$TMP/$2.txt"
	while read -r line; do
		ktap_print_msg "$1: $line"
	done < "$TMP/$2.txt"
	grep '^case ' "$TMP/$2.txt" > "$TMP/$2.cases"
	RESULT=$(grep '^# ' "$TMP/$2.txt" | tail -n 1)
}

# conform_ok NAME: NAME has case lines, and every one is ok.
conform_ok() {
	[ -s "$TMP/$1.cases" ] && ! grep -qv '^case [a-z0-9_]*: ok' "$TMP/$1.cases"
}

# conform_check WHAT NAME: the case lines over path WHAT are exactly the
# loopback reference's, and all ok.
conform_check() {
	local ok=0 line n

	n=$(wc -l < "$TMP/conform-lo.cases")
	if ! diff "$TMP/conform-lo.cases" "$TMP/$2.cases" > "$TMP/$2.diff"; then
		ok=1
		grep '^[-+]case' "$TMP/$2.diff" | while read -r line; do
			ktap_print_msg "$1 differs from loopback: $line"
		done
	fi
	conform_ok "$2" || ok=1
	report $ok "vsock conformance, $1: loopback's $n cases, all ok"
}

# vsock_conform's cases (socket types, options, ioctls, shutdown and
# close) over vsock_loopback on the host, the reference, then over the
# multikernel transport between the host and spawn A, each end serving
# once.  A case that fails over loopback as well is a fault of the test.
test_vsock_conformance() {
	local pid cid_a

	cid_a=$(cid_of "$A")
	"$CONFORM" server 7000 > "$TMP/conform-lo.srv" 2>&1 &
	pid=$!
	timeout 300 "$CONFORM" client 1 7000 > "$TMP/conform-lo.out" 2>&1
	wait_exit $pid 30 || kill $pid
	cat "$TMP/conform-lo.srv" >> "$TMP/conform-lo.out"
	conform_show loopback conform-lo
	conform_ok conform-lo
	report $? "vsock conformance over vsock_loopback, the reference: every case ok"

	"$CONFORM" server 7100 > "$TMP/conform-h.srv" 2>&1 &
	pid=$!
	mkctl exec "$A" --timeout 300 -- vsock_conform client 2 7100 \
		> "$TMP/conform-h.out" 2>&1
	wait_exit $pid 30 || kill $pid
	cat "$TMP/conform-h.srv" >> "$TMP/conform-h.out"
	conform_show "host server, spawn client" conform-h
	conform_check "host server, spawn client" conform-h

	mkctl exec "$A" -- sh -c \
		'vsock_conform server 7200 > /tmp/conform.srv 2>&1 &'
	timeout 300 "$CONFORM" client "$cid_a" 7200 > "$TMP/conform-s.out" 2>&1
	mkctl exec "$A" --timeout 60 -- sh -c 'while pidof vsock_conform \
		>/dev/null; do sleep 0.2; done; cat /tmp/conform.srv' \
		>> "$TMP/conform-s.out" 2>&1
	conform_show "spawn server, host client" conform-s
	conform_check "spawn server, host client" conform-s
}

# B stops reading while A streams to it: the host drops what waits a
# second for room in B's ring and resets those connections at both ends.
# A must stay running for three of its heartbeat timeouts (5 s each, the
# default; waiting that long is the test) and keep talking to the host.
# Every stream ends reset, stalled by B's flow control, or complete: none
# ends with missing data and no error.  The streams start before B stops
# reading (a connect B never reads would only time out), and the test
# waits for their own processes, not for every mk_vsock in A.
test_stalled_receiver() {
	local ok=0 i out cid_b id_b sent

	cid_b=$(cid_of "$B")
	id_b=$(id_of "$B")
	wait_shell "$B" || ok=1
	dbg "stats $id_b"
	sent=$(field tx_msgs)
	mkctl exec "$A" -- sh -c "rm -f /tmp/stall.*; for i in 1 2 3 4; do
		mk_vsock stream $cid_b 6002 $((64 << 20)) > /tmp/stall.\$i 2>&1 &
		echo \$! >> /tmp/stall.pids; done" || ok=1
	# B takes data: the host has sent it 256 messages more.
	for ((i = 0; i < 300; i++)); do
		dbg "stats $id_b"
		[ $(($(field tx_msgs) - sent)) -ge 256 ] && break
		sleep 0.1
	done
	[ "$i" -lt 300 ] || { ktap_print_msg "no stream got going"; ok=1; }
	in_spawn "$B" rx-pause
	wait_console "$B" "rx paused" 10 || ok=1
	for i in 1 2 3; do
		sleep 5
		[ "$(attr "$A" state)" = running ] || ok=1
		out=$(mkctl exec "$A" --timeout 10 -- echo alive)
		[ "$out" = alive ] || ok=1
	done
	in_spawn "$B" rx-resume
	wait_console "$B" "rx resumed" 10 || ok=1
	# A stream that is neither reset nor done gives up after 10 s
	# without progress (mk_vsock's STALL_MS).
	out=$(mkctl exec "$A" --timeout 120 -- sh -c 'for p in $(cat /tmp/stall.pids); do
		while kill -0 $p 2>/dev/null; do sleep 0.2; done; done
		for f in /tmp/stall.[0-9]; do tr "\n" " " < $f; echo; done')
	ktap_print_msg "streams: $out"
	[ "$(printf '%s\n' "$out" | grep -c 'stream')" -eq 4 ] || ok=1
	[ "$(printf '%s\n' "$out" | grep -c 'reset by peer')" -ge 1 ] || ok=1
	! printf '%s\n' "$out" | grep 'checksum=BAD' | grep -vq 'mk_vsock:' || ok=1
	[ "$(attr "$A" state)" = running ] && [ "$(attr "$B" state)" = running ] ||
		ok=1
	report $ok "a spawn that stops reading gets neither the sender crashed nor data lost"
}

# Each destination has its own send queue.  Four host to B streams run
# (more data than B's ring holds: each has 256 KiB of credit) when B stops
# reading; once the host's sends to B find B's ring full, host to B is
# stuck until B reads again.  A host to A stream must still go through:
# behind one queue for every peer, its connect would wait for B's packets,
# up to 5 s each, and time out after 2 s.
test_peer_queues() {
	local ok=0 i cid_a cid_b id_b sent full paused resumed pid pids=()

	cid_a=$(cid_of "$A")
	cid_b=$(cid_of "$B")
	id_b=$(id_of "$B")
	wait_shell "$B" || ok=1
	mkctl exec "$A" -- sh -c 'mk_vsock echo-server 6010 >/dev/null 2>&1 &'
	mkctl exec "$B" -- sh -c 'mk_vsock echo-server 6012 >/dev/null 2>&1 &'
	sleep 1
	dbg "stats $id_b"
	sent=$(field tx_msgs)
	for i in 1 2 3 4; do
		"$MK_VSOCK" stream "$cid_b" 6012 $((64 << 20)) >/dev/null 2>&1 &
		pids+=($!)
	done
	for ((i = 0; i < 300; i++)); do
		dbg "stats $id_b"
		[ $(($(field tx_msgs) - sent)) -ge 256 ] && break
		sleep 0.1
	done
	[ "$i" -lt 300 ] || { ktap_print_msg "no stream to B got going"; ok=1; }
	paused=$(console_count "$B" "rx paused")
	resumed=$(console_count "$B" "rx resumed")
	in_spawn "$B" rx-pause
	wait_console_count "$B" "rx paused" $((paused + 1)) 10 || ok=1
	dbg "stats $id_b"
	full=$(field tx_full)
	for ((i = 0; i < 100; i++)); do
		dbg "stats $id_b"
		[ "$(field tx_full)" -gt "$full" ] && break
		sleep 0.1
	done
	[ "$i" -lt 100 ] || { ktap_print_msg "B's ring never filled"; ok=1; }
	RESULT=$("$MK_VSOCK" stream "$cid_a" 6010 $((16 << 20)))
	[ $? -eq 0 ] && [[ "$RESULT" == *checksum=OK* ]] || ok=1
	ktap_print_msg "host to A with host to B stuck: $RESULT"
	in_spawn "$B" rx-resume
	wait_console_count "$B" "rx resumed" $((resumed + 1)) 10 || ok=1
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid"
	done
	[ "$(attr "$B" state)" = running ] || ok=1
	report $ok "a peer that stops reading holds up only its own send queue"
}

# unused_cid: the CID of an instance id neither A nor B has.
unused_cid() {
	local id

	for ((id = 64; id > 0; id--)); do
		[ "$id" != "$(id_of "$A")" ] && [ "$id" != "$(id_of "$B")" ] &&
			break
	done
	echo $((CID_BASE + id))
}

# A CID nobody runs fails connect() at once, never with the 2 s connect
# timeout's ETIMEDOUT (110).  From the host: ENODEV (19), what vhost_vsock
# gives for a CID with no VM.  From a spawn, which cannot know which
# instances run: ECONNRESET (104), the RST the host sends in the missing
# instance's name; a CID no instance can have (5000) fails in the spawn
# itself with ENODEV.
test_vsock_no_instance() {
	local ok=0 free

	free=$(unused_cid)
	RESULT=$("$MK_VSOCK" connect "$free" 6000)
	[[ "$RESULT" == "connect: errno=19 "* ]] || ok=1
	RESULT=$("$MK_VSOCK" connect 5000 6000)
	[[ "$RESULT" == "connect: errno=19 "* ]] || ok=1
	report $ok "host connect to CIDs nobody runs ($free, 5000): ENODEV"
	ok=0
	RESULT=$(mkctl exec "$A" -- mk_vsock connect "$free" 6000)
	[[ "$RESULT" == "connect: errno=104 "* ]] || ok=1
	RESULT=$(mkctl exec "$A" -- mk_vsock connect 5000 6000)
	[[ "$RESULT" == "connect: errno=19 "* ]] || ok=1
	report $ok "spawn connect to CID $free: ECONNRESET from the host; to 5000: ENODEV"
}

# MSG_ZEROCOPY as on vsock_loopback: 4 sends of 64 KiB, within the
# peer's first credit, each go out whole from the sender's pages; the echo
# comes back intact and the error queue reports all 4 sends done, none of
# them copied into the skb (the transport copies the pages into the ring).
test_vsock_zerocopy() {
	local ok=0 want="zerocopy: sends=4 completed=4 copied=0 bytes=262144 checksum=OK"

	mkctl exec "$A" -- sh -c 'mk_vsock echo-server 6020 >/dev/null 2>&1 &'
	"$MK_VSOCK" echo-server 6021 >/dev/null 2>&1 &
	sleep 1
	RESULT=$("$MK_VSOCK" zerocopy "$(cid_of "$A")" 6020 262144)
	[ $? -eq 0 ] && [ "$RESULT" = "$want" ]
	report $? "MSG_ZEROCOPY host to spawn: 4 sends, 4 completions, data intact"
	RESULT=$(mkctl exec "$A" -- mk_vsock zerocopy 2 6021 262144)
	[ $? -eq 0 ] && [ "$RESULT" = "$want" ]
	report $? "MSG_ZEROCOPY spawn to host: 4 sends, 4 completions, data intact"
}

# The host drops a spawn's vsock packet whose source CID is not the
# spawn's: A sends one connect request in B's name (msg_test's
# vsock-spoof), and the host's channel from A counts exactly one more
# rx_dropped.  Nothing else runs meanwhile.
test_vsock_spoof() {
	local ok=0 i id_a cid_b before n

	id_a=$(id_of "$A")
	cid_b=$(cid_of "$B")
	wait_shell "$A" || ok=1
	dbg "stats $id_a"
	before=$(field rx_dropped)
	n=$(console_count "$A" "vsock-spoof cid=$cid_b ret=0")
	in_spawn "$A" "vsock-spoof $(id_of "$B")"
	wait_console_count "$A" "vsock-spoof cid=$cid_b ret=0" $((n + 1)) 10 ||
		ok=1
	for ((i = 0; i < 50; i++)); do
		dbg "stats $id_a"
		[ "$(field rx_dropped)" -gt "$before" ] && break
		sleep 0.1
	done
	sleep 0.5
	dbg "stats $id_a"
	[ "$(field rx_dropped)" -eq $((before + 1)) ] || ok=1
	ktap_print_msg "rx_dropped: $before -> $(field rx_dropped)"
	report $ok "a vsock packet from A in B's name is dropped, counted once"
}

# vsockmon taps see the packets, on the host and in a spawn: a vsockmon
# device made for the run captures a 1 MiB stream's connection: one
# REQUEST out, one RESPONSE back, and every payload byte in each direction.
test_vsock_tap() {
	local want="tap: requests=1 responses=1 out_bytes=1048576 in_bytes=1048576 drops=0"

	mkctl exec "$A" -- sh -c 'mk_vsock echo-server 6030 >/dev/null 2>&1 &'
	"$MK_VSOCK" echo-server 6031 >/dev/null 2>&1 &
	sleep 1
	RESULT=$("$MK_VSOCK" tap "$(cid_of "$A")" 6030 $((1 << 20)))
	[ $? -eq 0 ] && [[ "$RESULT" == *checksum=OK* ]] &&
		[ "$(printf '%s\n' "$RESULT" | tail -n 1)" = "$want" ]
	report $? "vsockmon on the host sees a stream's packets both ways"
	RESULT=$(mkctl exec "$A" -- mk_vsock tap 2 6031 $((1 << 20)))
	[ $? -eq 0 ] && [[ "$RESULT" == *checksum=OK* ]] &&
		[ "$(printf '%s\n' "$RESULT" | tail -n 1)" = "$want" ]
	report $? "vsockmon in a spawn sees a stream's packets both ways"
}

test_ping() {
	RESULT=$(mkctl ping "$A" -c 20 -i 0 --json)
	jq -e '.count == 20 and .min_us > 0 and .min_us <= .median_us and
	       .median_us <= .p99_us' <<< "$RESULT" >/dev/null
	report $? "mkctl ping -c 20 --json parses: 20 round trips, min <= median <= p99"
}

# Console input the spawn does not read: A's console shell is stopped, so
# its tty, then the tty's buffers, then the input ring fill up, and the
# writer gets EAGAIN instead of blocking or losing bytes silently.  Once
# the shell runs again, typed commands work again.
test_console_in_full() {
	local ok=0 err

	wait_shell "$A" || ok=1
	mkctl exec "$A" -- sh -c \
		'kill -STOP $(ps | awk '\''$3 == "sh" && $4 == "-l" { print $1 }'\'')' ||
		ok=1
	err=$( (printf '%262144s' '' > "$CONSOLES/$A/console_in") 2>&1)
	ktap_print_msg "write: $err"
	[[ "$err" == *"Resource temporarily unavailable"* ]] || ok=1
	mkctl exec "$A" -- sh -c \
		'kill -CONT $(ps | awk '\''$3 == "sh" && $4 == "-l" { print $1 }'\'')' ||
		ok=1
	wait_shell "$A" || ok=1
	report $ok "console_in a spawn does not read fails with EAGAIN; input works after"
}

test_flood() {
	local ok=0 before after idb

	dbg "stats $(id_of "$B")"
	before=$(field doorbells_idle)
	in_spawn "$B" "flood 200000"
	wait_console "$B" "flood doorbells=200000" 120 || ok=1
	dbg "stats $(id_of "$B")"
	after=$(field doorbells_idle)
	idb=$((after - before))
	ktap_print_msg "host saw $idb idle doorbells"
	[ "$idb" -ge 100 ] || ok=1
	dbg "rtt $(id_of "$B") 100"
	[ "$(field ret)" = 0 ] || ok=1
	[ "$(attr "$B" state)" = running ] || ok=1
	report $ok "a doorbell flood leaves host and spawn working (injector ran)"
}

# The watchdog looks every 100 ms, so the silence it reports must lie
# between the timeout and the timeout plus a few of its periods.
test_heartbeat_loss() {
	local ok=0 reason silent

	mkctl stop "$B" >/dev/null || ok=1
	echo "$HB_TIMEOUT_MS" > "$INSTANCES/$B/heartbeat_timeout_ms" || ok=1
	start_spawn "$B" || ok=1
	in_spawn "$B" "heartbeat off"
	wait_state "$B" crashed 30 || ok=1
	reason=$(attr "$B" crash_reason)
	ktap_print_msg "crash_reason: $reason"
	silent=$(printf '%s\n' "$reason" | sed -n 's/^no heartbeat for \([0-9]*\) ms$/\1/p')
	[ -n "$silent" ] && [ "$silent" -gt "$HB_TIMEOUT_MS" ] &&
		[ "$silent" -le $((HB_TIMEOUT_MS + 500)) ] || ok=1
	report $ok "heartbeat loss is detected within heartbeat_timeout_ms"
	echo kill > "$INSTANCES/$B/state"
}

test_kill_mid_transfer() {
	local ok=0 pid rc

	start_spawn "$B" || ok=1
	echo "send $(id_of "$B") 10000000 64" > "$MSG_TEST" 2>"$TMP/send-err" &
	pid=$!
	wait_in_write $pid
	echo kill > "$INSTANCES/$B/state"
	wait_exit $pid 30 || kill $pid
	wait $pid
	rc=$?
	ktap_print_msg "send: exit $rc, $(cat "$TMP/send-err")"
	[ $rc -ne 0 ] && grep -q "reset by peer" "$TMP/send-err" || ok=1
	report $ok "a spawn killed mid-transfer gives the sender ECONNRESET"
}

test_vsock_peer_dies() {
	local ok=0 pid rc id sent i

	id=$(id_of "$A")
	dbg "stats $id"
	sent=$(field tx_msgs)
	"$MK_VSOCK" stream "$(cid_of "$A")" 6003 $((1 << 30)) >/dev/null \
		2>"$TMP/stream-err" &
	pid=$!
	# Kill A once the stream is under way: 64 messages more to A.
	for ((i = 0; i < 100; i++)); do
		dbg "stats $id"
		[ $(($(field tx_msgs) - sent)) -ge 64 ] && break
		sleep 0.1
	done
	echo kill > "$INSTANCES/$A/state"
	if ! wait_exit $pid 30; then
		ok=1
		kill $pid
	fi
	wait $pid
	rc=$?
	ktap_print_msg "stream: exit $rc, $(tr '\n' ' ' < "$TMP/stream-err")"
	[ $rc -ne 0 ] && grep -q "stream: Connection reset by peer" "$TMP/stream-err" ||
		ok=1
	# Once the error is read the socket takes nothing more (nothing can
	# vanish unseen) and its reads end.
	grep -q "after reset: so_error=[0-9]* send=Broken pipe recv=EOF" \
		"$TMP/stream-err" || ok=1
	report $ok "a vsock stream to a killed spawn fails with ECONNRESET, then EPIPE (exit $rc)"
}

test_scribble() {
	local ok=0 reason

	start_spawn "$A" && wait_shell "$A" || ok=1
	in_spawn "$A" scribble
	wait_state "$A" crashed 20 || ok=1
	reason=$(attr "$A" crash_reason)
	ktap_print_msg "crash_reason: $reason"
	grep -q "scribbling the ring" "$CONSOLES/$A/console" || ok=1
	[[ "$reason" == *malformed* ]] || ok=1
	[ "$(cat /sys/devices/system/cpu/online)" = 0-3 ] || ok=1
	report $ok "a spawn that scribbles its ring is stopped; the host is whole"
}

# Memory goes back to the pool cleared: after A and B ran and were killed
# or crashed, no granule of the free pool that an instance used holds a
# byte of its data.  Granules never used since boot are cleared when they
# are first handed out; the two spawns' 512 MiB must not be among them.
test_memory_cleared() {
	local size used

	size=$(cat /sys/kernel/multikernel/pool/size)
	dbg "pool-dirty"
	used=$(($(field free) - $(field unused) * (2 << 20)))
	[ "$(field free)" = "$size" ] && [ "$(field unscanned)" = 0 ] &&
		[ "$used" -ge $((512 << 20)) ] && [ "$(field dirty)" = 0 ]
	report $? "the pool is free again and the $((used >> 20)) MiB instances used are zero"
}

TESTS=(test_send_each_way test_batching test_rtt test_ring_full
       test_reply_full test_exec
       test_vsock_stream test_vsock_conformance test_stalled_receiver
       test_peer_queues test_vsock_no_instance test_vsock_zerocopy
       test_vsock_spoof test_vsock_tap test_ping test_console_in_full
       test_flood test_heartbeat_loss test_kill_mid_transfer
       test_vsock_peer_dies test_scribble test_memory_cleared)

ktap_print_header
if [ ! -w "$MSG_TEST" ]; then
	ktap_skip_all "no $MSG_TEST (CONFIG_MULTIKERNEL_MSG_TEST)"
	exit "$KSFT_SKIP"
fi
if [ "$(cat /sys/devices/system/cpu/online)" != 0-3 ]; then
	ktap_skip_all "needs CPUs 0-3 online"
	exit "$KSFT_SKIP"
fi
remove_instances
TMP=$(mktemp -d) || ktap_exit_fail_msg "mktemp failed"
trap cleanup EXIT
create_spawn "$A" 2 || ktap_exit_fail_msg "spawn $A did not start"
create_spawn "$B" 3 || ktap_exit_fail_msg "spawn $B did not start"

# 34 results: some tests report more than one.  MSG_TEST_ONLY="test_a ..."
# runs a subset, for debugging.
if [ -n "${MSG_TEST_ONLY:-}" ]; then
	read -r -a TESTS <<< "$MSG_TEST_ONLY"
else
	ktap_set_plan 34
fi
for t in "${TESTS[@]}"; do
	"$t"
done
ktap_finished
