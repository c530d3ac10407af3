#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the host VM booted without multikernel.pool=: the feature must
# be inert.
. /usr/lib/mk-check-lib.sh
cd /kselftest || exit 1
./run_kselftest.sh -t multikernel:inert_test
mk_check_end
