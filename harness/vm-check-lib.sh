#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the check scripts that run inside the host VM (check-*.sh),
# installed there as /usr/lib/mk-check-lib.sh.  The tests save every
# spawn's console in $MK_CONSOLE_DIR before they remove its instance;
# mk_check_end scans those consoles for kernel reports (scan-log.sh, as
# /usr/bin/mk-scan-log) and prints the line that tells check.sh the script
# ran to its end.  A check script's exit status only says whether the
# script itself could run: check.sh counts the tests from their TAP.

MK_CONSOLE_DIR=/tmp/mk-consoles
export MK_CONSOLE_DIR
rm -rf "$MK_CONSOLE_DIR"
mkdir -p "$MK_CONSOLE_DIR"

# mk_kselftest ARGS...: run_kselftest.sh ARGS in /kselftest, with the
# per-program timeout of the settings file (600 s) times MK_TIME_SCALE.
mk_kselftest() {
	if [ "${MK_TIME_SCALE:-1}" -gt 1 ]; then
		set -- -o $((600 * MK_TIME_SCALE)) "$@"
	fi
	(cd /kselftest && ./run_kselftest.sh "$@")
}

mk_check_end() {
	set -- "$MK_CONSOLE_DIR"/*.console
	[ -e "$1" ] || set --
	echo "mk-check: $# spawn consoles saved"
	mk-scan-log "mk-splat: spawn console" "$@"
	echo "mk-check: script complete"
}
