#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of mkctl, the multikernel CLI: exit status 0 on success, 1 on
# failure with one "mkctl:" line on stderr, 2 on usage errors, and what it
# does visible in configfs (Documentation/multikernel/admin-guide.rst).

DIR="$(dirname "$(readlink -f "$0")")"
source "${DIR}"/../kselftest/ktap_helpers.sh
source "${DIR}"/mk_lib.sh

INSTANCES=/sys/kernel/config/multikernel/instances
SYSFS=/sys/kernel/multikernel
CPU_POSSIBLE=/sys/devices/system/cpu/possible

KERNEL=/boot/bzImage
INITRD=/boot/spawn-initrd.cpio.gz
CMDLINE="quiet loglevel=6"
MEMORY=256M
MEMORY_READBACK=256M
MEMORY_BYTES=$((256 * 1024 * 1024))

# The CPUs to lend when the machine has them, and the highest of them.
PREFERRED_CPUS=2-3
PREFERRED_LAST=3

# mkctl's exit statuses.
EXIT_OK=0
EXIT_FAIL=1
EXIT_USAGE=2
EXIT_EXEC_FAILED=255	# mkctl exec's own failures

# The agent's session limit (mk-agent --max-sessions), and the helper
# that runs a command as nobody (busybox's setpriv cannot).
AGENT_SESSIONS=16
MK_VSOCK="$DIR/mk_vsock"

# Every instance made here; cleanup removes them whatever happened.
NAME=kst-mkctl
NAME_BAD=kst-mkctl-bad
NAME_USAGE=kst-mkctl-usage
NAME_MISSING=kst-mkctl-missing

# Exit status, stdout and stderr of the last run.
RC=0
OUT=
ERR=

# Result of the create that must fail, for the tests that examine it.
BAD_RC=0
BAD_ERR=

TMP=

remove_instances() {
	mk_remove_instances "$NAME" "$NAME_BAD" "$NAME_USAGE" "$NAME_MISSING"
}

cleanup() {
	remove_instances
	rm -rf "$TMP"
}

# run ARGS...: run mkctl, setting RC, OUT and ERR.
run() {
	OUT=$(mkctl "$@" 2>"$TMP/stderr")
	RC=$?
	ERR=$(cat "$TMP/stderr")
}

count_lines() {
	if [ -z "$1" ]; then
		echo 0
	else
		printf '%s\n' "$1" | wc -l
	fi
}

# one_error_line STDERR: exactly one line, starting with "mkctl:".
one_error_line() {
	[ "$(count_lines "$1")" -eq 1 ] && [[ "$1" == mkctl:* ]]
}

# attr NAME ATTR: the value of an instance attribute.
attr() {
	cat "$INSTANCES/$1/$2" 2>/dev/null
}

# format_size BYTES: how the memory attribute reads BYTES back, with the
# largest of G, M and K that divides it exactly.
format_size() {
	local unit div

	for unit in G:$((1 << 30)) M:$((1 << 20)) K:$((1 << 10)); do
		div=${unit#*:}
		if [ "$1" -ne 0 ] && [ $(($1 % div)) -eq 0 ]; then
			echo "$(($1 / div))${unit%%:*}"
			return
		fi
	done
	echo "$1"
}

# report COND DESCRIPTION: pass when COND is 0; otherwise fail, showing
# what mkctl said.
report() {
	if [ "$1" -eq 0 ]; then
		ktap_test_pass "$2"
	else
		ktap_print_msg "last mkctl: exit status $RC, stderr: '$ERR'"
		ktap_test_fail "$2"
	fi
}

test_create() {
	run create "$NAME" --cpus "$CPUS" --memory "$MEMORY" \
		--kernel "$KERNEL" --initrd "$INITRD" --cmdline "$CMDLINE"
	[ "$RC" -eq "$EXIT_OK" ]
	report $? "create exits 0"
}

test_create_configfs() {
	local ok=0 pair got

	if [ ! -d "$INSTANCES/$NAME" ]; then
		ktap_print_msg "$INSTANCES/$NAME does not exist"
		ok=1
	fi
	for pair in "cpus=$CPUS" "memory=$MEMORY_READBACK" \
		    "kernel=$KERNEL" "initrd=$INITRD" \
		    "cmdline=$CMDLINE" "state=stopped"; do
		got=$(attr "$NAME" "${pair%%=*}")
		if [ "$got" != "${pair#*=}" ]; then
			ktap_print_msg "${pair%%=*} reads '$got', expected '${pair#*=}'"
			ok=1
		fi
	done
	report $ok "create makes the instance in configfs with its values"
}

test_list() {
	run list
	[ "$RC" -eq "$EXIT_OK" ] &&
		grep -Eq "(^|[^a-z0-9_-])$NAME([^a-z0-9_-]|\$)" <<< "$OUT"
	report $? "list shows the instance"
}

# JSON is checked by parsing it (jq), never by matching its text.
test_list_json() {
	run list --json
	[ "$RC" -eq "$EXIT_OK" ] &&
		jq -e --arg n "$NAME" --arg c "$(attr "$NAME" cpus)" \
			--arg s "$(attr "$NAME" state)" \
			--argjson id "$(attr "$NAME" id)" \
			'map(select(.name == $n)) | length == 1 and
			 .[0].cpus == $c and .[0].state == $s and .[0].id == $id and
			 (.[0].memory | type) == "number"' <<< "$OUT" >/dev/null
	report $? "list --json parses, with the instance's name, id, state and cpus"
}

test_status() {
	run status "$NAME"
	[ "$RC" -eq "$EXIT_OK" ] && grep -qF -- "$CPUS" <<< "$OUT"
	report $? "status shows the instance's cpus"
}

test_pool() {
	run pool
	[ "$RC" -eq "$EXIT_OK" ]
	report $? "pool exits 0"
}

test_pool_json() {
	local size free

	size=$(cat "$SYSFS/pool/size")
	free=$(cat "$SYSFS/pool/free")
	run pool --json
	[ "$RC" -eq "$EXIT_OK" ] &&
		jq -e --argjson size "$size" --argjson free "$free" \
			'.size == $size and .free == $free and
			 .used == $size - $free and (.instances | type) == "number"' \
			<<< "$OUT" >/dev/null
	report $? "pool --json parses, with size and free as sysfs has them ($size, $free)"
}

test_create_cpu0() {
	run create "$NAME_BAD" --cpus 0 --memory "$MEMORY" --kernel "$KERNEL"
	BAD_RC=$RC
	BAD_ERR=$ERR
	[ "$RC" -eq "$EXIT_FAIL" ]
	report $? "create with CPU 0 exits 1"
}

test_create_cpu0_message() {
	RC=$BAD_RC
	ERR=$BAD_ERR
	one_error_line "$ERR"
	report $? "create with CPU 0 prints one mkctl: line on stderr"
}

test_create_cpu0_rollback() {
	RC=$BAD_RC
	ERR=$BAD_ERR
	[ ! -e "$INSTANCES/$NAME_BAD" ]
	report $? "create with CPU 0 leaves no instance behind"
}

# Console input of an instance that is not started: ENXIO.
test_console_in_stopped() {
	local err

	err=$( (printf 'x\n' > "$SYSFS/instances/$NAME/console_in") 2>&1)
	[ "$(attr "$NAME" state)" = stopped ] &&
		[[ "$err" == *"No such device or address"* ]]
	report $? "console_in of a stopped instance fails with ENXIO"
}

test_start_wait() {
	run start "$NAME" --wait --timeout 120
	[ "$RC" -eq "$EXIT_OK" ] && [[ "$OUT" == *"running, booted in"* ]] &&
		[ "$(attr "$NAME" state)" = running ]
	report $? "start --wait exits 0 once the instance runs"
}

test_log_ready() {
	local i

	for i in $(seq 300); do
		run log "$NAME"
		[[ "$OUT" == *"mk-ready name=$NAME "* ]] && break
		sleep 0.1
	done
	[ "$RC" -eq "$EXIT_OK" ] && [[ "$OUT" == *"mk-ready name=$NAME "* ]]
	report $? "log shows the spawn's mk-ready line"
}

test_exec_root() {
	run exec "$NAME" -- id -u
	[ "$RC" -eq "$EXIT_OK" ] && [ "$OUT" = 0 ] && [ -z "$ERR" ]
	report $? "exec as root on the host runs the command as root"
}

test_exec_unprivileged() {
	OUT=$("$MK_VSOCK" as-nobody mkctl exec "$NAME" -- id 2>"$TMP/stderr")
	RC=$?
	ERR=$(cat "$TMP/stderr")
	[ "$RC" -eq "$EXIT_EXEC_FAILED" ] && [ -z "$OUT" ] &&
		one_error_line "$ERR" &&
		[[ "$ERR" == *"need root on the host"*CAP_NET_BIND_SERVICE* ]]
	report $? "exec by an unprivileged user exits 255 saying it needs root"
}

test_exec_session_cap() {
	local pids=() i j ok=1

	# Each of these holds a session until it is killed.
	for i in $(seq "$AGENT_SESSIONS"); do
		mkctl exec "$NAME" -- sleep 60 > /dev/null 2>&1 &
		pids+=($!)
	done
	for i in $(seq 100); do
		# A holder that came while a probe had a place was refused and
		# ended: start it again, or the places never fill up.
		for j in "${!pids[@]}"; do
			kill -0 "${pids[j]}" 2>/dev/null && continue
			mkctl exec "$NAME" -- sleep 60 > /dev/null 2>&1 &
			pids[j]=$!
		done
		run exec "$NAME" -- true
		if [ "$RC" -eq "$EXIT_EXEC_FAILED" ] &&
		   [[ "$ERR" == *"too many sessions ($AGENT_SESSIONS at most)"* ]]; then
			ok=0
			break
		fi
		sleep 0.1
	done
	kill "${pids[@]}" 2>/dev/null
	wait "${pids[@]}" 2>/dev/null
	report $ok "exec beyond $AGENT_SESSIONS sessions is refused with exit 255"
}

# After test_exec_session_cap: the places are free again once the
# sessions are gone.
test_exec_after_cap() {
	local i ok=1

	for i in $(seq 100); do
		run exec "$NAME" -- true
		if [ "$RC" -eq "$EXIT_OK" ]; then
			ok=0
			break
		fi
		sleep 0.1
	done
	report $ok "exec works again once the sessions have ended"
}

# 100 connections that never say a word: the agent keeps at most
# $AGENT_SESSIONS of them (a process each, so its memory is bounded),
# refuses the rest at once (mk_vsock hold counts them "early"), closes the
# ones it kept when the first-frame timeout (10 s) expires ("late"), and
# meanwhile refuses a real exec with a clear error.  Then exec works again.
test_agent_idle_connections() {
	local cid ok=0 i line pid want

	cid=$((1000 + $(attr "$NAME" id)))
	"$MK_VSOCK" hold "$cid" 5000 100 30 > "$TMP/hold" 2>&1 &
	pid=$!
	for i in $(seq 200); do
		grep -q '^hold: opened=100$' "$TMP/hold" && break
		sleep 0.1
	done
	run exec "$NAME" -- true
	[ "$RC" -eq "$EXIT_EXEC_FAILED" ] &&
		[[ "$ERR" == *"too many sessions ($AGENT_SESSIONS at most)"* ]] || {
		ktap_print_msg "exec while held: exit $RC: $ERR"
		ok=1
	}
	wait $pid
	line=$(tail -n 1 "$TMP/hold")
	ktap_print_msg "$line"
	want="hold: opened=100 early=$((100 - AGENT_SESSIONS))"
	want+=" late=$AGENT_SESSIONS open=0"
	[ "$line" = "$want" ] || ok=1
	for i in $(seq 100); do
		run exec "$NAME" -- true
		[ "$RC" -eq "$EXIT_OK" ] && break
		sleep 0.1
	done
	[ "$RC" -eq "$EXIT_OK" ] || ok=1
	want="100 idle agent connections: $AGENT_SESSIONS kept,"
	report $ok "$want the rest and exec refused, all closed in time"
}

test_stop() {
	run stop "$NAME"
	[ "$RC" -eq "$EXIT_OK" ] && [ "$(attr "$NAME" state)" = stopped ]
	report $? "stop exits 0 with the instance stopped"
}

test_spawn_refused() {
	head -c 65536 "$KERNEL" > "$TMP/truncated"
	run spawn "$NAME_BAD" --cpus "$CPUS" --memory "$MEMORY" \
		--kernel "$TMP/truncated"
	[ "$RC" -eq "$EXIT_FAIL" ] && one_error_line "$ERR" &&
		[ ! -e "$INSTANCES/$NAME_BAD" ]
	report $? "spawn of a truncated kernel exits 1 and leaves nothing"
}

test_create_no_memory() {
	run create "$NAME_USAGE" --cpus "$CPUS" --kernel "$KERNEL"
	[ "$RC" -eq "$EXIT_USAGE" ] && [ ! -e "$INSTANCES/$NAME_USAGE" ]
	report $? "create without --memory exits 2 and creates nothing"
}

test_unknown_subcommand() {
	run frobnicate
	[ "$RC" -eq "$EXIT_USAGE" ]
	report $? "unknown subcommand exits 2"
}

test_destroy() {
	mk_keep_console "$NAME"
	run destroy "$NAME"
	[ "$RC" -eq "$EXIT_OK" ]
	report $? "destroy exits 0"
}

test_destroy_removes() {
	[ ! -e "$INSTANCES/$NAME" ]
	report $? "destroy removes the instance from configfs"
}

test_destroy_missing() {
	run destroy "$NAME_MISSING"
	[ "$RC" -eq "$EXIT_FAIL" ] && one_error_line "$ERR"
	report $? "destroy of a missing instance exits 1 with one mkctl: line"
}

TESTS=(
	test_create
	test_create_configfs
	test_list
	test_list_json
	test_status
	test_pool
	test_pool_json
	test_create_cpu0
	test_create_cpu0_message
	test_create_cpu0_rollback
	test_console_in_stopped
	test_start_wait
	test_log_ready
	test_exec_root
	test_exec_unprivileged
	test_exec_session_cap
	test_exec_after_cap
	test_agent_idle_connections
	test_stop
	test_spawn_refused
	test_create_no_memory
	test_unknown_subcommand
	test_destroy
	test_destroy_removes
	test_destroy_missing
)

ktap_print_header

if ! command -v mkctl > /dev/null; then
	ktap_skip_all "mkctl is not on PATH"
	exit "$KSFT_SKIP"
fi
if ! grep -q "multikernel\.pool=" /proc/cmdline; then
	ktap_skip_all "no multikernel.pool= on the kernel command line"
	exit "$KSFT_SKIP"
fi
if [ ! -f "$KERNEL" ] || [ ! -f "$INITRD" ]; then
	ktap_skip_all "needs $KERNEL and $INITRD"
	exit "$KSFT_SKIP"
fi
if [ ! -d "$INSTANCES" ]; then
	ktap_print_msg "$INSTANCES does not exist"
	ktap_exit_fail_msg "multikernel configfs tree missing"
fi

# The preferred CPUs when the machine has them, else its last CPU (never
# CPU 0, which is never lent).
LAST_CPU=0
read -r POSSIBLE < "$CPU_POSSIBLE"
for cpu in ${POSSIBLE//[,-]/ }; do
	[ "$cpu" -gt "$LAST_CPU" ] && LAST_CPU=$cpu
done
if [ "$LAST_CPU" -ge "$PREFERRED_LAST" ]; then
	CPUS=$PREFERRED_CPUS
elif [ "$LAST_CPU" -ge 1 ]; then
	CPUS=$LAST_CPU
else
	ktap_skip_all "needs a CPU besides CPU 0"
	exit "$KSFT_SKIP"
fi

# 256M unless min_memory or the pool size rule it out.
MIN_MEMORY=$(cat "$SYSFS/min_memory")
POOL_SIZE=$(cat "$SYSFS/pool/size")
GRANULE=$(cat "$SYSFS/pool/granule")
if [ "$MEMORY_BYTES" -lt "$MIN_MEMORY" ] ||
   [ "$MEMORY_BYTES" -gt "$POOL_SIZE" ]; then
	MEMORY=$(( (MIN_MEMORY + GRANULE - 1) / GRANULE * GRANULE ))
	MEMORY_READBACK=$(format_size "$MEMORY")
fi

# Leftovers of an earlier run that was killed.
remove_instances
TMP=$(mktemp -d) || ktap_exit_fail_msg "mktemp failed"
trap cleanup EXIT

ktap_set_plan "${#TESTS[@]}"
for t in "${TESTS[@]}"; do
	"$t"
done
ktap_finished
