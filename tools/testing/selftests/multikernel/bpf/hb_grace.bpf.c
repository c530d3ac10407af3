// SPDX-License-Identifier: GPL-2.0
/*
 * A policy that grants a silent instance one more second each time it is
 * asked, but only if the kfuncs agree with the snapshot: the instance is
 * running and holds the CPUs it was configured with.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

extern s32 bpf_multikernel_nr_cpus(s32 id) __ksym;
extern int bpf_multikernel_state(s32 id) __ksym;
extern s32 bpf_multikernel_has_cpu(s32 id, u32 cpu) __ksym;

SEC("struct_ops/heartbeat_lost")
int BPF_PROG(hb_grace_lost, const struct multikernel_instance_info *inst)
{
	if (bpf_multikernel_state(inst->id) != MK_RUNNING ||
	    bpf_multikernel_nr_cpus(inst->id) != inst->nr_cpus ||
	    bpf_multikernel_has_cpu(inst->id, inst->first_cpu) != 1 ||
	    bpf_multikernel_has_cpu(inst->id, 0) != 0)
		return 0;
	return 1000;
}

SEC(".struct_ops.link")
struct multikernel_ops hb_grace = {
	.heartbeat_lost	= (void *)hb_grace_lost,
	.name		= "hb_grace",
};
