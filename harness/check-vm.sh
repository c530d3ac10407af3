#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the host VM booted with multikernel.pool=: the multikernel
# selftests, then the kernel's own CPU hotplug selftest, which must still
# pass after all the lending and reclaiming.  harness/expected-tests lists
# what must have run.
. /usr/lib/mk-check-lib.sh
mk_kselftest -t multikernel:configfs_test -t multikernel:pool_test \
	-t multikernel:mkctl_test.sh -t multikernel:spawn_test \
	-t multikernel:host_safety_test -t multikernel:boot_contract_test \
	-t multikernel:mkctl_apply_test.sh -t multikernel:msg_test.sh \
	-t multikernel:resize_test.sh -t multikernel:preserved_test.sh \
	-t multikernel:upgrade_test.sh -t multikernel:trace_test.sh \
	-t multikernel:policy_test.sh
mk_kselftest -c cpu-hotplug
mk_check_end
