#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: vm-run.sh BUILD_DIR SCRIPT VM_FILES
#
# Boots BUILD_DIR's kernel as the host in QEMU (TCG), runs SCRIPT as root
# inside, streams the serial console, and exits with the script's status.
# VM_FILES' contents appear read-only at /mnt/files.  Without a SCRIPT the VM
# starts an interactive shell.  Settings come from the environment: VM_CPUS,
# VM_MEM, VM_POOL (empty: no multikernel.pool=), VM_APPEND, VM_TIMEOUT.  The
# serial log of the run is kept in BUILD_DIR/vm/last-run.log, the second
# serial port (spawn early console) in BUILD_DIR/vm/ttyS1.log.  VM_QEMU_ARGS
# adds QEMU options, for debugging.
set -eu

b=$1
script=$2
files=$3
vm=$b/vm
log=$vm/last-run.log
: "${VM_CPUS:=4}" "${VM_MEM:=2G}" "${VM_POOL=1G}" "${VM_APPEND:=}"
: "${VM_TIMEOUT:=900}"

mkdir -p "$vm"
# A log left from an earlier run must never be read as this run's.
rm -f "$log" "$vm/ttyS1.log"
rm -rf "$vm/extra-root"
mkdir -p "$vm/extra-root/mk" "$vm/extra-root/mnt"
if [ -n "$script" ]; then
	[ -f "$script" ] || { echo "vm-run: no script $script" >&2; exit 2; }
	install -m 0755 "$script" "$vm/extra-root/mk/script"
fi
if [ -n "$files" ]; then
	[ -d "$files" ] || { echo "vm-run: VM_FILES $files is not a directory" >&2; exit 2; }
	cp -a "$files/." "$vm/extra-root/mnt/.files/" 2>/dev/null ||
		{ mkdir -p "$vm/extra-root/mnt/.files" && cp -a "$files/." "$vm/extra-root/mnt/.files/"; }
fi
(cd "$vm/extra-root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -n > "$vm/extra.cpio.gz"
cat "$b/initramfs.cpio.gz" "$vm/extra.cpio.gz" > "$vm/run.cpio.gz"

append="console=ttyS0 panic=-1 oops=panic"
[ -n "$VM_POOL" ] && append="$append multikernel.pool=$VM_POOL"
[ -n "$VM_APPEND" ] && append="$append $VM_APPEND"

qemu=(qemu-system-x86_64 -accel tcg -smp "$VM_CPUS" -m "$VM_MEM"
	-kernel "$b/obj/arch/x86/boot/bzImage" -initrd "$vm/run.cpio.gz"
	-append "$append" -no-reboot ${VM_QEMU_ARGS:-})

if [ -z "$script" ]; then
	exec "${qemu[@]}" -nographic -serial mon:stdio \
		-serial "file:$vm/ttyS1.log"
fi

# timeout(1) runs QEMU in a process group of its own, which Ctrl-C on the
# terminal does not reach: whatever ends this script ends QEMU too.
pidfile=$vm/qemu.pid
rm -f "$pidfile"
stop_qemu() {
	[ -s "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2>/dev/null
	rm -f "$pidfile"
}
trap stop_qemu EXIT
trap 'stop_qemu; exit 130' INT
trap 'stop_qemu; exit 143' TERM HUP

set +e
timeout -k 10 "$VM_TIMEOUT" "${qemu[@]}" -display none -monitor none \
	-pidfile "$pidfile" -serial stdio -serial "file:$vm/ttyS1.log" \
	< /dev/null | tee "$log"
qrc=${PIPESTATUS[0]}
set -e

if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vm-run: the VM did not finish within VM_TIMEOUT=$VM_TIMEOUT s;" \
		"killed it (serial log: $log)" >&2
	exit 124
fi
rc=$(sed -n 's/^mk-vm: exit status \([0-9]*\).*/\1/p' "$log" | tail -1)
if [ -z "$rc" ]; then
	echo "vm-run: the VM stopped before the script finished (QEMU exit" \
		"$qrc; serial log: $log)" >&2
	exit 125
fi
exit "$rc"
