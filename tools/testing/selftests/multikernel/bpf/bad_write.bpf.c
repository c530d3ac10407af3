// SPDX-License-Identifier: GPL-2.0
/* A policy that writes to its read-only argument: the verifier refuses it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops/admit")
int BPF_PROG(bad_write_admit, struct multikernel_instance_info *inst)
{
	inst->memory = 0;
	return 0;
}

SEC(".struct_ops.link")
struct multikernel_ops bad_write = {
	.admit	= (void *)bad_write_admit,
	.name	= "bad_write",
};
