// SPDX-License-Identifier: GPL-2.0
/* A policy whose admit() returns a value no hook may return: detached. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops/admit")
int BPF_PROG(nonsense_admit, const struct multikernel_instance_info *inst)
{
	return 7;
}

SEC(".struct_ops.link")
struct multikernel_ops nonsense = {
	.admit	= (void *)nonsense_admit,
	.name	= "nonsense",
};
