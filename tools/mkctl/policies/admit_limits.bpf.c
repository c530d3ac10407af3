// SPDX-License-Identifier: GPL-2.0
/*
 * admit_limits: refuse to start an instance configured with more than
 * max_memory_mb of memory (EDQUOT), or with a CPU outside
 * first_cpu..last_cpu (ERANGE).  The start fails with that errno.
 */
#include "multikernel_policy.h"

char _license[] SEC("license") = "GPL";

const volatile u64 max_memory_mb = 512;
const volatile s32 first_cpu = 1;
const volatile s32 last_cpu = 4095;

SEC("struct_ops/admit")
int BPF_PROG(admit_limits_admit, const struct multikernel_instance_info *inst)
{
	if (inst->memory > max_memory_mb << 20)
		return -EDQUOT;
	if (inst->first_cpu < first_cpu || inst->last_cpu > last_cpu)
		return -ERANGE;
	return 0;
}

SEC(".struct_ops.link")
struct multikernel_ops admit_limits = {
	.admit		= (void *)admit_limits_admit,
	.name		= "admit_limits",
};
