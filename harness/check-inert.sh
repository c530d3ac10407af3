#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the host VM booted without multikernel.pool=: the feature must
# be inert.
. /usr/lib/mk-check-lib.sh
mk_kselftest -t multikernel:inert_test
mk_check_end
