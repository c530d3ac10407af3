#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the multikernel test scripts.  make check scans every spawn's
# console for kernel reports after the run: before a test removes an
# instance it saves the console in $MK_CONSOLE_DIR (when that is set) with
# mk_keep_console; a test that makes a spawn report on purpose says so
# first with mk_expect_report.  The C tests do the same (mk_spawn.h).

# How many times slower than a plain test kernel this run is (1 to 16):
# the host VM's init sets MK_TIME_SCALE from mk_time_scale= on the kernel
# command line, which make check-sanitizers passes.  The waits of the
# scripts are multiplied by it, as are the C tests' (mk_helpers.h).
MK_TIME_SCALE=${MK_TIME_SCALE:-1}
[[ "$MK_TIME_SCALE" =~ ^[0-9]+$ ]] && [ "$MK_TIME_SCALE" -ge 1 ] &&
	[ "$MK_TIME_SCALE" -le 16 ] || MK_TIME_SCALE=1

# mk_set_timeouts NAME: the instance defaults (30 s to boot, 10 s to stop),
# scaled for a slower run.
mk_set_timeouts() {
	local i=/sys/kernel/config/multikernel/instances/$1

	[ "$MK_TIME_SCALE" -eq 1 ] && return 0
	echo $((30000 * MK_TIME_SCALE)) > "$i/boot_timeout_ms" &&
		echo $((10000 * MK_TIME_SCALE)) > "$i/stop_timeout_ms"
}

# mk_keep_console NAME
mk_keep_console() {
	local dir="${MK_CONSOLE_DIR:-}" con="/sys/kernel/multikernel/instances/$1/console"

	[ -n "$dir" ] && [ -r "$con" ] || return 0
	MK_CONSOLE_SEQ=$((${MK_CONSOLE_SEQ:-0} + 1))
	{
		cat "$dir/$1.expect" 2>/dev/null
		cat "$con"
	} > "$dir/$1.$$.$MK_CONSOLE_SEQ.console"
	rm -f "$dir/$1.expect"
}

# mk_expect_report NAME WHY
mk_expect_report() {
	[ -n "${MK_CONSOLE_DIR:-}" ] || return 0
	echo "mk-console-expects: $2" > "$MK_CONSOLE_DIR/$1.expect"
}

# wait_until SECONDS COMMAND [ARGS...]: run COMMAND every 0.1 s until it
# succeeds; false if it still fails after SECONDS (times MK_TIME_SCALE).
wait_until() {
	local i n=$(($1 * 10 * MK_TIME_SCALE))

	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# The state and console of instance NAME, for the tests of several
# instances; a test of one may define its own, with no NAME.
state_is() {	# NAME STATE
	[ "$(cat "/sys/kernel/config/multikernel/instances/$1/state")" = "$2" ]
}

console_has() {	# NAME TEXT
	grep -q -- "$2" "/sys/kernel/multikernel/instances/$1/console" 2>/dev/null
}

id_of() {	# NAME
	cat "/sys/kernel/config/multikernel/instances/$1/id"
}

# start NAME: boot it until its init said mk-ready; stop NAME: cleanly.
start() {
	echo start > "/sys/kernel/config/multikernel/instances/$1/state" &&
		wait_until "${BOOT_WAIT_S:-90}" state_is "$1" running &&
		wait_until 30 console_has "$1" mk-ready
}

stop() {
	echo stop > "/sys/kernel/config/multikernel/instances/$1/state" &&
		wait_until 30 state_is "$1" stopped
}

# mk_remove_instances NAME...: kill each instance that exists, keep its
# console, remove its preserved regions and it.
mk_remove_instances() {
	local name dir region

	for name in "$@"; do
		dir=/sys/kernel/config/multikernel/instances/$name
		if [ -d "$dir" ]; then
			echo kill > "$dir/state" 2>/dev/null
			mk_keep_console "$name"
			for region in "$dir"/preserved/*/; do
				[ -d "$region" ] && rmdir "$region"
			done
			rmdir "$dir"
		fi
	done
}

# mk_cpu_count LIST: how many CPUs a cpulist such as 1-2,5 holds.
mk_cpu_count() {
	local part n=0

	for part in ${1//,/ }; do
		if [[ "$part" == *-* ]]; then
			n=$((n + ${part#*-} - ${part%-*} + 1))
		else
			n=$((n + 1))
		fi
	done
	echo "$n"
}

# mk_report STATUS WHAT: one KTAP result, ok when STATUS is 0.
mk_report() {
	if [ "$1" -eq 0 ]; then
		ktap_test_pass "$2"
	else
		ktap_test_fail "$2"
	fi
}

# mk_ck WHAT COMMAND [ARGS...]: run COMMAND; if it fails, say WHAT, let the
# script's ck_context (when it has one) show the state, and set OK to 1:
# OK is the status of the test that runs, for mk_report.
mk_ck() {
	local what=$1

	shift
	"$@" && return 0
	ktap_print_msg "failed: $what"
	if declare -F ck_context > /dev/null; then
		ck_context
	fi
	OK=1
	return 1
}

# eq A B: the two are the same string.
eq() {
	[ "$1" = "$2" ]
}

# try SNIPPET: run a shell snippet; ERR is the errno text of its failure
# (what follows the last ": " of its message).  Needs the script's $TMP.
try() {
	ERR=
	if ! sh -c "$1" 2>"$TMP/err"; then
		ERR=$(sed 's/.*: //' "$TMP/err")
		return 1
	fi
}

# refused WHAT SNIPPET ERRNO_TEXT: SNIPPET fails with exactly ERRNO_TEXT.
refused() {
	try "$2" && { ktap_print_msg "$1: accepted"; return 1; }
	[ "$ERR" = "$3" ] || { ktap_print_msg "$1: got '$ERR', not '$3'"; return 1; }
}
