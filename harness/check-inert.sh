#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the host VM booted without multikernel.pool=: the feature must
# be inert.
cd /kselftest || exit 1
./run_kselftest.sh -t multikernel:inert_test
