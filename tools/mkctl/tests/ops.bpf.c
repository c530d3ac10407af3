// SPDX-License-Identifier: GPL-2.0
/*
 * A policy object for the unit tests, built with clang and never loaded:
 * mkctl policy load checks it, names it, sets its variables and stops
 * before the kernel.
 * -DOPS_NAME='"N"' names it in its data, -DOPS_SEC='".struct_ops"' puts
 * its ops where no link attaches them, -DNO_OPS leaves them out.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#ifndef OPS_NAME
#define OPS_NAME	""
#endif
#ifndef OPS_SEC
#define OPS_SEC		".struct_ops.link"
#endif

struct multikernel_instance_info;
struct multikernel_msg_info;

/* As kernel/multikernel/policy.h has it. */
struct multikernel_ops {
	int (*admit)(const struct multikernel_instance_info *inst);
	int (*crashed)(const struct multikernel_instance_info *inst);
	int (*heartbeat_lost)(const struct multikernel_instance_info *inst);
	int (*msg_filter)(int src, int dst,
			  const struct multikernel_msg_info *msg);
	char name[16];
};

char _license[] SEC("license") = "GPL";

/*
 * For --set: two integers and what is none.  A policy's are const
 * volatile; const alone puts them in .rodata as well.
 */
struct pair {
	int a, b;
};

const unsigned int limit = 3;
const int offset = -1;
const struct pair tag = { 1, 2 };

SEC("struct_ops/admit")
int test_admit(unsigned long long *ctx)
{
	return limit + offset + tag.a;
}

#ifndef NO_OPS
SEC(OPS_SEC)
struct multikernel_ops test_ops = {
	.admit	= (void *)test_admit,
	.name	= OPS_NAME,
};
#endif
