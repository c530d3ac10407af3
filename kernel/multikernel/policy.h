/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel BPF policies: the struct_ops type multikernel_ops and the
 * snapshots its programs read.
 *
 * These types reach BPF programs through the kernel's BTF (vmlinux.h), not
 * through uapi: a policy is built against the kernel it runs on.  Every
 * hook is optional; without a policy, or after one was detached, the
 * built-in behaviour applies.  Programs see copies made for the call,
 * never an instance or shared memory, and cannot write to them (the
 * struct_ops has no btf_struct_access).  Their decisions are return
 * values the kernel checks (policy.c).
 */
#ifndef _KERNEL_MULTIKERNEL_POLICY_H
#define _KERNEL_MULTIKERNEL_POLICY_H

#include <linux/types.h>

#include "internal.h"


/**
 * struct multikernel_instance_info - what a hook sees of an instance
 * @name: the instance's name
 * @id: its id (1..64)
 * @state: its state: MK_STARTING for admit(), MK_CRASHED for crashed(),
 *	MK_RUNNING for heartbeat_lost()
 * @nr_cpus: CPUs it is configured with
 * @first_cpu: the lowest of them, -1 for none
 * @last_cpu: the highest of them, -1 for none
 * @memory: bytes of pool memory it is configured with
 * @restarts: restarts a policy asked for since the admin last started it
 * @restart_limit: how many of those the admin allows (configfs)
 * @heartbeat_timeout_ms: its heartbeat timeout (configfs)
 * @silent_ms: for heartbeat_lost(): how long the spawn has been silent
 * @grants: for heartbeat_lost(): grace periods granted in this silence
 * @boot_ms: start to running of its last boot, 0 if it never ran
 * @reason: for crashed(): why it crashed
 */
struct multikernel_instance_info {
	char name[MK_NAME_MAX + 1];
	s32 id;
	enum mk_state state;
	u32 nr_cpus;
	s32 first_cpu;
	s32 last_cpu;
	u64 memory;
	u32 restarts;
	u32 restart_limit;
	u32 heartbeat_timeout_ms;
	u32 grants;
	u64 silent_ms;
	u64 boot_ms;
	char reason[MK_REASON_LEN];
};

/**
 * struct multikernel_msg_info - what msg_filter() sees of a message
 * @type: MULTIKERNEL_MSG_* of include/uapi/linux/multikernel.h
 * @len: payload bytes
 * @vsock_op: for MULTIKERNEL_MSG_VSOCK: VIRTIO_VSOCK_OP_*, else 0
 * @src_cid: for vsock: the sender's CID as the packet gives it
 * @dst_cid: for vsock: the CID it is addressed to
 * @src_port: for vsock: the source port
 * @dst_port: for vsock: the destination port
 *
 * The vsock fields are copied from the sender's packet header; the
 * sender and the destination are the filter's own arguments, from the
 * channel the message came in on and its header.
 */
struct multikernel_msg_info {
	u32 type;
	u32 len;
	u32 vsock_op;
	u32 src_port;
	u64 src_cid;
	u64 dst_cid;
	u32 dst_port;
};

/**
 * struct multikernel_ops - a multikernel policy (BPF struct_ops)
 * @admit: before a start, by the admin or a policy restart: 0 lets it go
 *	on, a negative errno (-4095..-1) is what the start returns
 * @crashed: after a crash, once everything is back in the host: a
 *	negative value leaves it crashed; 0..3600000 restarts it after that
 *	many ms (at least 100), if its restart_limit allows
 * @heartbeat_lost: when a running instance stayed silent past its
 *	heartbeat timeout: 0 crashes it now, 1..60000 waits that many ms
 *	longer, at most 3 times before it beats again
 * @msg_filter: for each message routed between two instances, in a
 *	context that cannot sleep: 0 passes it, a negative errno drops it
 *	(a vsock connection request is refused)
 * @name: the policy's name: letters, digits, '_' and '-'
 *
 * Any other return value, or a restart asked for beyond restart_limit,
 * detaches the policy with one log line; the call it came from then
 * gets the built-in behaviour.  The lifecycle messages, stop and kill
 * never pass through a policy.
 */
struct multikernel_ops {
	int (*admit)(const struct multikernel_instance_info *inst);
	int (*crashed)(const struct multikernel_instance_info *inst);
	int (*heartbeat_lost)(const struct multikernel_instance_info *inst);
	int (*msg_filter)(s32 src, s32 dst,
			  const struct multikernel_msg_info *msg);
	char name[MK_POLICY_NAME_LEN];
};

#endif /* _KERNEL_MULTIKERNEL_POLICY_H */
