#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: check.sh BUILD_DIR
#
# Everything "make check" runs once the pieces are built: mkctl's unit tests
# on this machine, five VM boots (with the pool, without it, with a
# malformed pool parameter, with the pool backed by CMA, and with SMT, a
# pool at a fixed address and a restart at the end) for KUnit and the kselftests, and the exported
# series.  Ends with the "N passed, N failed" line.
#
# Beside the tests' own results it checks the run itself, as TAP in
# results/harness.tap: every step exited 0, every VM script ran to its
# end, every program of harness/expected-tests printed a result, and no
# kernel log of the run (host serial console, spawn early console, saved
# spawn consoles) holds a kernel report (harness/scan-log.sh).
set -u

b=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$b/results
rm -rf "$out"
mkdir -p "$out"

# $1: status (0 is ok); $2: what was checked.  Numbered at the end, as
# some checks run in subshells.
check() {
	if [ "$1" -eq 0 ]; then
		echo "ok $2"
	else
		echo "not ok $2"
		echo "  not ok: $2" >&2
	fi >> "$out/harness.body"
}

echo "  TEST    mkctl unit tests"
make -s -C "$here/tools/mkctl" test > "$out/mkctl-unit.tap" 2>&1
check $? "mkctl unit tests: make test exits 0"
grep '^not ok' "$out/mkctl-unit.tap"

# $1: name; $2: script; the environment carries VM_POOL and friends.
run_vm() {
	echo "  VM      $1 (log: $out/$1.log)"
	"$here/harness/vm-run.sh" "$b" "$2" "" > /dev/null 2>&1
	check $? "$1: the VM ran its script, which exited 0"
	cp "$b/vm/last-run.log" "$out/$1.log" 2>/dev/null || : > "$out/$1.log"
	cp "$b/vm/ttyS1.log" "$out/$1.ttyS1.log" 2>/dev/null ||
		: > "$out/$1.ttyS1.log"
	grep -E '^(# )?not ok|^vm-run:' "$out/$1.log"
	# TAP a script prints itself, after its selftests'.
	tr -d '\r' < "$out/$1.log" |
		sed -n '/^mk-check: TAP follows/,/^mk-vm: kernel log follows/p' |
		grep -E '^1\.\.[0-9]+$|^(not )?ok [0-9]+' > "$out/$1.tap"

	grep -q '^mk-check: script complete' "$out/$1.log"
	check $? "$1: the script ran to its end"
	! grep -q 'No such test' "$out/$1.log"
	check $? "$1: every test of the run list exists"
	awk -v vm="$1" '$1 == vm { print $2 }' "$here/harness/expected-tests" |
	while read -r t; do
		grep -Eq "^(not )?ok [0-9]+ selftests: ${t%%:*}: ${t#*:}([[:space:]]|\$)" \
			"$out/$1.log"
		check $? "$1: $t ran"
	done

	"$here/harness/scan-log.sh" "$1: host" "$out/$1.log" "$out/$1.ttyS1.log" \
		> "$out/$1.reports"
	grep '^mk-splat: ' "$out/$1.log" >> "$out/$1.reports"
	cat "$out/$1.reports"
	[ ! -s "$out/$1.reports" ]
	check $? "$1: no kernel report in the host's or a spawn's log"
}

run_vm vm-pool "$here/harness/check-vm.sh"
grep -Eq '^mk-check: [1-9][0-9]* spawn consoles saved' "$out/vm-pool.log"
check $? "vm-pool: the tests saved the spawn consoles for the scan"
(VM_POOL=; export VM_POOL; run_vm vm-inert "$here/harness/check-inert.sh")
(VM_POOL=1G@junk; export VM_POOL; run_vm vm-badpool "$here/harness/check-badpool.sh")
# The pool backed by CMA, with room for the host's page cache beside it.
(VM_MEM=3G VM_POOL=cma:1G; export VM_MEM VM_POOL
 run_vm vm-cma "$here/harness/check-cma.sh")

# SMT, the most instances at once, and a restart with two instances
# running: each must stop cleanly first.
# Twenty emulated CPUs on a machine of two cores go minutes without
# running when seventeen spawns boot: the soft-lockup detector then reports
# CPUs that were only not scheduled by the emulator (every CPU at once,
# mid-memset).  Its threshold there is 120 s instead of 20 s.
# The pool at a fixed address, which pool_test checks there.
(VM_CPUS=20,sockets=1,cores=10,threads=2 VM_POOL=1280M@0x20000000
 VM_APPEND="${VM_APPEND:+$VM_APPEND }watchdog_thresh=60"
 export VM_CPUS VM_POOL VM_APPEND
 run_vm vm-reboot "$here/harness/check-reboot.sh")
for inst in rb-a rb-b; do
	grep -q "multikernel: $inst: stopped before the host goes down; its console ended: reboot: " \
		"$out/vm-reboot.log"
	check $? "restart: $inst stopped cleanly first"
done

# The exported series: git am onto a clean base, checkpatch on each patch.
echo "  TEST    series (git am + checkpatch; log: $out/series.log)"
rm -f "$b/series/quick.tap"
make -s -C "$here" series-quick > "$out/series.log" 2>&1
check $? "series-quick exits 0"
mkdir -p "$b/series" && touch "$b/series/quick.tap"
grep '^not ok' "$b/series/quick.tap"

awk '{ sub(/^ok /, "ok " NR " "); sub(/^not ok /, "not ok " NR " "); print }
     END { print "1.." NR }' "$out/harness.body" > "$out/harness.tap"

echo "  SUMMARY"
exec "$here/harness/tap-summary.sh" \
	--skips "$here/harness/skip-allowed" \
	--tap "$out/mkctl-unit.tap" \
	--kunit "$out/vm-pool.log" \
	--kselftest "$out/vm-pool.log" \
	--kselftest "$out/vm-inert.log" \
	--kselftest "$out/vm-cma.log" \
	--kselftest "$out/vm-reboot.log" \
	--tap "$out/vm-badpool.tap" \
	--tap "$out/vm-reboot.tap" \
	--tap "$b/series/quick.tap" \
	--tap "$out/harness.tap"
