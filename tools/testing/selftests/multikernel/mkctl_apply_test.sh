#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of "mkctl apply": two configuration files make two instances, the
# values land in configfs, "start = yes" starts one, a second apply says
# "unchanged" and writes nothing, and a running instance whose file
# changed is refused (Documentation/multikernel/mkctl.rst).  MKCTL names
# the mkctl to test (default: mkctl on PATH).

DIR="$(dirname "$(readlink -f "$0")")"
source "${DIR}"/../kselftest/ktap_helpers.sh
source "${DIR}"/mk_lib.sh

MKCTL=${MKCTL:-mkctl}
INSTANCES=/sys/kernel/config/multikernel/instances
SYSFS=/sys/kernel/multikernel

KERNEL=/boot/bzImage
INITRD=/boot/spawn-initrd.cpio.gz
CMDLINE="quiet loglevel=6"
MEMORY_BYTES=$((128 * 1024 * 1024))
STOP_TIMEOUT_MS=2000
BOOT_WAIT_S=$((120 * MK_TIME_SCALE))

# mkctl's exit statuses.
EXIT_OK=0
EXIT_FAIL=1

# The two instances, named after their files, and one that create must
# refuse.
WEB=kst-apply-a
DB=kst-apply-b
CLASH=kst-apply-c

# Exit status, stdout and stderr of the last run.
RC=0
OUT=
ERR=

TMP=
CONF=

remove_instances() {
	mk_remove_instances "$WEB" "$DB" "$CLASH"
}

cleanup() {
	remove_instances
	rm -rf "$TMP"
}

# run ARGS...: run mkctl, setting RC, OUT and ERR.
run() {
	OUT=$("$MKCTL" "$@" 2>"$TMP/stderr")
	RC=$?
	ERR=$(cat "$TMP/stderr")
}

# attr NAME ATTR: the value of an instance attribute.
attr() {
	cat "$INSTANCES/$1/$2" 2>/dev/null
}

# format_size BYTES: how the memory attribute reads BYTES back.
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


report() {
	if [ "$1" -eq 0 ]; then
		ktap_test_pass "$2"
	else
		ktap_print_msg "last mkctl: exit status $RC, stdout: '$OUT', stderr: '$ERR'"
		ktap_test_fail "$2"
	fi
}

# expect_attr NAME ATTR VALUE: 0 if it reads VALUE, else 1 and a message.
expect_attr() {
	local got

	got=$(attr "$1" "$2")
	[ "$got" = "$3" ] && return 0
	ktap_print_msg "$1/$2 reads '$got', expected '$3'"
	return 1
}

write_confs() {
	cat > "$CONF/$WEB.conf" <<-END
	# test instance with a CPU list, started by apply
	cpus = $WEB_CPUS
	memory = $MEMORY
	kernel = $KERNEL
	initrd = $INITRD
	cmdline = $CMDLINE
	start = yes
	END
	cat > "$CONF/$DB.conf" <<-END
	cpu_count = 1
	memory = $MEMORY
	kernel = $KERNEL
	stop_timeout_ms = $STOP_TIMEOUT_MS
	END
}

test_apply_first() {
	run apply "$CONF"
	[ "$RC" -eq "$EXIT_OK" ] &&
		[ "$OUT" = "$WEB: created, started"$'\n'"$DB: created" ]
	report $? "first apply creates both and starts $WEB"
}

test_apply_values() {
	local ok=0 cpus

	expect_attr "$WEB" cpus "$WEB_CPUS" || ok=1
	expect_attr "$WEB" memory "$MEMORY" || ok=1
	expect_attr "$WEB" kernel "$KERNEL" || ok=1
	expect_attr "$WEB" initrd "$INITRD" || ok=1
	expect_attr "$WEB" cmdline "$CMDLINE" || ok=1
	expect_attr "$DB" memory "$MEMORY" || ok=1
	expect_attr "$DB" kernel "$KERNEL" || ok=1
	expect_attr "$DB" initrd "" || ok=1
	expect_attr "$DB" stop_timeout_ms "$STOP_TIMEOUT_MS" || ok=1
	expect_attr "$DB" state stopped || ok=1
	cpus=$(attr "$DB" cpus)
	if [ "$(mk_cpu_count "$cpus")" -ne 1 ] || [ "$cpus" = 0 ] ||
	   [ "$cpus" = "$WEB_CPUS" ]; then
		ktap_print_msg "$DB got CPUs '$cpus': not one free CPU"
		ok=1
	fi
	report $ok "configfs holds the values of both files"
}

test_apply_started() {
	local state

	for _ in $(seq $((BOOT_WAIT_S * 10))); do
		state=$(attr "$WEB" state)
		[ "$state" = running ] && break
		sleep 0.1
	done
	[ "$state" = running ] || ktap_print_msg "$WEB state: $state"
	[ "$state" = running ]
	report $? "start = yes boots $WEB to running"
}

test_busy_cpu_owner() {
	local want

	want="mkctl: create $CLASH: cpus \"$WEB_CPUS\": CPU $WEB_CPUS belongs"
	want="$want to instance $WEB; choose another CPU, or stop $WEB and give"
	want="$want it other CPUs"
	run create "$CLASH" --cpus "$WEB_CPUS" --memory "$MEMORY" \
		--kernel "$KERNEL"
	[ "$RC" -eq "$EXIT_FAIL" ] && [ "$ERR" = "$want" ] &&
		[ ! -e "$INSTANCES/$CLASH" ]
	report $? "a CPU another instance has is refused, naming that instance"
}

test_apply_unchanged() {
	run apply "$CONF"
	[ "$RC" -eq "$EXIT_OK" ] && [ -z "$ERR" ] &&
		[ "$OUT" = "$WEB: unchanged"$'\n'"$DB: unchanged" ] &&
		[ "$(attr "$WEB" state)" = running ]
	report $? "second apply says unchanged for both"
}

test_apply_dry_run() {
	sed -i "s/^stop_timeout_ms = .*/stop_timeout_ms = 3000/" \
		"$CONF/$DB.conf"
	run apply --dry-run "$CONF"
	[ "$RC" -eq "$EXIT_OK" ] &&
		[ "$OUT" = "$WEB: unchanged"$'\n'"$DB: would be updated (stop_timeout_ms)" ] &&
		expect_attr "$DB" stop_timeout_ms "$STOP_TIMEOUT_MS"
	report $? "apply --dry-run shows the update and changes nothing"
}

test_apply_update() {
	run apply "$CONF"
	[ "$RC" -eq "$EXIT_OK" ] &&
		[ "$OUT" = "$WEB: unchanged"$'\n'"$DB: updated (stop_timeout_ms)" ] &&
		expect_attr "$DB" stop_timeout_ms 3000
	report $? "apply updates a stopped instance's changed value"
}

# A running instance whose file changed only in cpus gets them live.
test_apply_running_live() {
	local c free= want ok=0

	for c in 1 2; do
		[ "$c" != "$(attr "$DB" cpus)" ] && [ "$c" != "$WEB_CPUS" ] &&
			free=$c && break
	done
	want="$free,$WEB_CPUS"
	[ $((free + 1)) -eq "$WEB_CPUS" ] && want="$free-$WEB_CPUS"
	sed -i "s/^cpus = .*/cpus = $want/" "$CONF/$WEB.conf"
	run apply "$CONF"
	[ "$RC" -eq "$EXIT_OK" ] && grep -qx "$WEB: updated live (cpus)" <<< "$OUT" &&
		expect_attr "$WEB" cpus "$want" &&
		[ "$(attr "$WEB" state)" = running ] || ok=1
	sed -i "s/^cpus = .*/cpus = $WEB_CPUS/" "$CONF/$WEB.conf"
	run apply "$CONF"
	[ "$RC" -eq "$EXIT_OK" ] && grep -qx "$WEB: updated live (cpus)" <<< "$OUT" &&
		expect_attr "$WEB" cpus "$WEB_CPUS" &&
		[ "$(attr "$WEB" state)" = running ] || ok=1
	[ "$ok" -eq 0 ] || ktap_print_msg "out: $OUT $ERR"
	report $ok "apply gives a running instance its changed CPUs live, and takes them back"
}

test_apply_running_refused() {
	local want

	want="mkctl: apply $WEB: is running and differs from $CONF/$WEB.conf"
	want="$want in cmdline; stop it first: mkctl stop $WEB"
	sed -i "s/^cmdline = .*/cmdline = other/" "$CONF/$WEB.conf"
	run apply "$CONF"
	[ "$RC" -eq "$EXIT_FAIL" ] && [ -z "$OUT" ] && [ "$ERR" = "$want" ] &&
		expect_attr "$WEB" cmdline "$CMDLINE"
	report $? "apply refuses to change a running instance and says why"
}

TESTS=(
	test_apply_first
	test_apply_values
	test_apply_started
	test_busy_cpu_owner
	test_apply_unchanged
	test_apply_dry_run
	test_apply_update
	test_apply_running_live
	test_apply_running_refused
)

ktap_print_header

if ! command -v "$MKCTL" > /dev/null; then
	ktap_skip_all "$MKCTL not found"
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
	ktap_exit_fail_msg "multikernel configfs tree missing"
fi

# $WEB gets the last CPU, $DB one picked by cpu_count: three CPUs at least.
read -r POSSIBLE < /sys/devices/system/cpu/online
LAST_CPU=${POSSIBLE##*[,-]}
if [ "$LAST_CPU" -lt 2 ]; then
	ktap_skip_all "needs three online CPUs"
	exit "$KSFT_SKIP"
fi
WEB_CPUS=$LAST_CPU

# 128M unless min_memory rules it out; both must fit in the pool.
MIN_MEMORY=$(cat "$SYSFS/min_memory")
GRANULE=$(cat "$SYSFS/pool/granule")
if [ "$MEMORY_BYTES" -lt "$MIN_MEMORY" ]; then
	MEMORY_BYTES=$(( (MIN_MEMORY + GRANULE - 1) / GRANULE * GRANULE ))
fi
if [ $((2 * MEMORY_BYTES)) -gt "$(cat "$SYSFS/pool/size")" ]; then
	ktap_skip_all "the pool cannot hold two instances of $MEMORY_BYTES bytes"
	exit "$KSFT_SKIP"
fi
MEMORY=$(format_size "$MEMORY_BYTES")

remove_instances
TMP=$(mktemp -d) || ktap_exit_fail_msg "mktemp failed"
CONF=$TMP/conf
mkdir "$CONF"
trap cleanup EXIT
write_confs

ktap_set_plan "${#TESTS[@]}"
for t in "${TESTS[@]}"; do
	"$t"
done
ktap_finished
