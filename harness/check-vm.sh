#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the host VM booted with multikernel.pool=: the multikernel
# selftests and the kernel's own CPU hotplug selftest.
cd /kselftest || exit 1
./run_kselftest.sh -c cpu-hotplug -t multikernel:configfs_test \
	-t multikernel:pool_test -t multikernel:mkctl_test.sh
