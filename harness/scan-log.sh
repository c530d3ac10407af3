#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: scan-log.sh LABEL FILE...
#
# Finds kernel reports in serial logs and saved spawn consoles: WARNING,
# BUG (sleep in atomic context, KASAN, soft lockup), Oops, panics, lockdep
# reports, RCU stalls, hung tasks and UBSAN.  Prints each one it finds as
# "LABEL: FILE: LINE" (at most 10 per file) and exits 1 when it found one.
# Runs with busybox inside the VM (on saved consoles) and on the build
# host (on the serial logs).
#
# A report a test provokes on purpose is not a failure when the test says
# so first:
#  - in a saved spawn console, by a first line "mk-console-expects: WHY";
#    the whole console is then skipped;
#  - in a host log, by writing "multikernel-test: expect report: ERE" to
#    /dev/kmsg before provoking it, and "multikernel-test: report over"
#    after; reports matching ERE in between are skipped.
set -u

label=$1
shift

# At the start of the message (after a printk timestamp), so that the text
# a spawn sent, quoted in a host log line, cannot match.
REPORT='^(WARNING:|BUG:|kernel BUG at|Kernel panic|Oops|general protection fault|UBSAN:|watchdog: BUG:|NMI watchdog: Watchdog detected hard LOCKUP|rcu: INFO: |INFO: rcu_|INFO: task .* blocked for more than|Unable to handle kernel)'

found=0
for f in "$@"; do
	[ -s "$f" ] || continue
	if head -n 1 "$f" | grep -q '^mk-console-expects: '; then
		continue
	fi
	hits=$(tr -d '\r' < "$f" | sed 's/^\[ *[0-9.]*\] //' | awk -v report="$REPORT" '
	/^multikernel-test: expect report: / {
		allow = $0; sub(/^multikernel-test: expect report: /, "", allow)
		next
	}
	/^multikernel-test: report over/ { allow = ""; next }
	$0 ~ report {
		if (allow != "" && $0 ~ allow)
			next
		print
	}' | head -n 10)
	[ -n "$hits" ] || continue
	found=1
	echo "$hits" | while IFS= read -r line; do
		echo "$label: $(basename "$f"): $line"
	done
done
exit $found
