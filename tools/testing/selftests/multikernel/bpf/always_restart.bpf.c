// SPDX-License-Identifier: GPL-2.0
/*
 * A policy that asks for a restart after every crash, whatever the
 * instance's restart_limit: detached when it asks for one too many.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

SEC("struct_ops/crashed")
int BPF_PROG(always_restart_crashed, const struct multikernel_instance_info *inst)
{
	return 0;
}

SEC(".struct_ops.link")
struct multikernel_ops always_restart = {
	.crashed	= (void *)always_restart_crashed,
	.name		= "always_restart",
};
