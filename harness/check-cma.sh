#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the host VM booted with multikernel.pool=cma:SIZE: the pool
# backed by CMA, whose idle memory serves the host.
. /usr/lib/mk-check-lib.sh
mk_kselftest -t multikernel:cma_test.sh
mk_check_end
