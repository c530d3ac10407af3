// SPDX-License-Identifier: GPL-2.0
/*
 * vsock_firewall: between instances, let vsock through only to
 * allowed_port: connection requests and data towards it, and the replies
 * of its listener.  Anything else is dropped; a refused connection
 * request gets a reset, so connect() fails at once (ECONNRESET).  The
 * host's own connections do not pass through the filter.
 */
#include "multikernel_policy.h"

char _license[] SEC("license") = "GPL";

const volatile u32 allowed_port = 6000;

SEC("struct_ops/msg_filter")
int BPF_PROG(vsock_firewall_filter, s32 src, s32 dst,
	     const struct multikernel_msg_info *msg)
{
	if (msg->type != MULTIKERNEL_MSG_VSOCK)
		return 0;
	if (msg->dst_port == allowed_port)
		return 0;
	if (msg->src_port == allowed_port &&
	    msg->vsock_op != VIRTIO_VSOCK_OP_REQUEST)
		return 0;
	return -EACCES;
}

SEC(".struct_ops.link")
struct multikernel_ops vsock_firewall = {
	.msg_filter	= (void *)vsock_firewall_filter,
	.name		= "vsock_firewall",
};
