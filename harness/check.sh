#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Usage: check.sh BUILD_DIR
#
# Everything "make check" runs once the pieces are built: mkctl's unit tests
# on this machine, then two VM boots (with and without the pool) for KUnit
# and the kselftests.  Ends with the "N passed, N failed" line.
set -u

b=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=$b/results
rm -rf "$out"
mkdir -p "$out"

echo "  TEST    mkctl unit tests"
make -s -C "$here/tools/mkctl" test > "$out/mkctl-unit.tap" 2>&1
grep '^not ok' "$out/mkctl-unit.tap"

# $1: name; $2: script; the environment carries VM_POOL and friends.
run_vm() {
	echo "  VM      $1 (log: $out/$1.log)"
	"$here/harness/vm-run.sh" "$b" "$2" "" > /dev/null 2>&1
	rc=$?
	cp "$b/vm/last-run.log" "$out/$1.log"
	grep -E '^(# )?not ok|^vm-run:|Kernel panic|BUG:|WARNING:' "$out/$1.log"
	if [ $rc -ge 124 ]; then
		echo "not ok 1 vm $1 did not finish (vm-run exit $rc)" >> "$out/vm-failures.tap"
	fi
}

run_vm vm-pool "$here/harness/check-vm.sh"
(VM_POOL=; export VM_POOL; run_vm vm-inert "$here/harness/check-inert.sh")
touch "$out/vm-failures.tap"

# SMT, the most instances at once, and a restart with two instances
# running: each must stop cleanly first.
(VM_CPUS=20,sockets=1,cores=10,threads=2 VM_POOL=1280M
 export VM_CPUS VM_POOL
 run_vm vm-reboot "$here/harness/check-reboot.sh")
sed -n '/^mk-vm: running script/,/^mk-vm: exit status/p' "$out/vm-reboot.log" |
	grep -E '^(not )?ok [0-9]+' | grep -v ' selftests: ' > "$out/reboot.tap"
for inst in rb-a rb-b; do
	if grep -q "multikernel: $inst: stopped before the host goes down; its console ended: reboot: " \
		"$out/vm-reboot.log"; then
		echo "ok 1 restart: $inst stopped cleanly first" >> "$out/reboot.tap"
	else
		echo "not ok 1 restart: $inst stopped cleanly first" >> "$out/reboot.tap"
	fi
done
grep '^not ok' "$out/reboot.tap"

# The exported series: git am onto a clean base, checkpatch on each patch.
echo "  TEST    series (git am + checkpatch; log: $out/series.log)"
rm -f "$b/series/quick.tap"
make -s -C "$here" series-quick > "$out/series.log" 2>&1
if [ ! -s "$b/series/quick.tap" ]; then
	echo "not ok 1 series-quick produced no results" >> "$out/vm-failures.tap"
	mkdir -p "$b/series" && touch "$b/series/quick.tap"
fi
grep '^not ok' "$b/series/quick.tap"

echo "  SUMMARY"
exec "$here/harness/tap-summary.sh" \
	--tap "$out/mkctl-unit.tap" \
	--kunit "$out/vm-pool.log" \
	--kselftest "$out/vm-pool.log" \
	--kselftest "$out/vm-inert.log" \
	--kselftest "$out/vm-reboot.log" \
	--tap "$out/reboot.tap" \
	--tap "$b/series/quick.tap" \
	--tap "$out/vm-failures.tap"
