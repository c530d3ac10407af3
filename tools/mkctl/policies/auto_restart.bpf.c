// SPDX-License-Identifier: GPL-2.0
/*
 * auto_restart: restart a crashed instance up to max_restarts times,
 * waiting first_delay_ms before the first restart and twice as long before
 * each next one; then leave it crashed.  The kernel still enforces the
 * instance's restart_limit (3 by default), which this policy respects.
 */
#include "multikernel_policy.h"

char _license[] SEC("license") = "GPL";

const volatile u32 max_restarts = 3;
const volatile u32 first_delay_ms = 200;

SEC("struct_ops/crashed")
int BPF_PROG(auto_restart_crashed, const struct multikernel_instance_info *inst)
{
	u32 n = inst->restarts;

	if (n >= max_restarts || n >= inst->restart_limit || n > 10)
		return -1;
	return first_delay_ms << n;
}

SEC(".struct_ops.link")
struct multikernel_ops auto_restart = {
	.crashed	= (void *)auto_restart_crashed,
	.name		= "auto_restart",
};
