// SPDX-License-Identifier: GPL-2.0
/*
 * Counts the multikernel trace events about one instance (target_id, set
 * by mk_trace_count before loading) through tp_btf programs, which see
 * each event's arguments with their kernel types.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

/* In .data, so that the loader can set it before loading. */
u32 target_id = -1;

/* Indexes of counts[]; mk_trace_count.c names them in the same order. */
enum {
	C_STATE, C_CRASHED, C_CPU, C_MEMORY, C_MSG_SEND, C_MSG_RECV,
	C_MSG_ROUTE, C_MSG_DROP, C_DOORBELL_RING, C_DOORBELL,
	C_HEARTBEAT_MISS, C_POLICY, C_NR
};

u64 counts[C_NR];

static void count(int i)
{
	__sync_fetch_and_add(&counts[i], 1);
}

SEC("tp_btf/multikernel_state")
int BPF_PROG(on_state, const char *name, u32 id, const char *old_state,
	     const char *new_state, const char *reason)
{
	char now[8] = {};

	if (id != target_id)
		return 0;
	count(C_STATE);
	bpf_probe_read_kernel_str(now, sizeof(now), new_state);
	if (!__builtin_memcmp(now, "crashed", 8))
		count(C_CRASHED);
	return 0;
}

SEC("tp_btf/multikernel_cpu")
int BPF_PROG(on_cpu, const char *name, u32 id, unsigned int cpu, bool lent)
{
	if (id == target_id)
		count(C_CPU);
	return 0;
}

SEC("tp_btf/multikernel_memory")
int BPF_PROG(on_memory, const char *name, u32 id, u64 phys, u64 size,
	     bool lent)
{
	if (id == target_id && size)
		count(C_MEMORY);
	return 0;
}

SEC("tp_btf/multikernel_msg_send")
int BPF_PROG(on_msg_send, u32 peer, const struct multikernel_msg *msg)
{
	if (peer == target_id || msg->src == target_id)
		count(C_MSG_SEND);
	return 0;
}

SEC("tp_btf/multikernel_msg_recv")
int BPF_PROG(on_msg_recv, u32 peer, const struct multikernel_msg *msg)
{
	if (peer == target_id)
		count(C_MSG_RECV);
	return 0;
}

SEC("tp_btf/multikernel_msg_route")
int BPF_PROG(on_msg_route, u32 peer, const struct multikernel_msg *msg)
{
	if (peer == target_id && msg->dst != target_id)
		count(C_MSG_ROUTE);
	return 0;
}

SEC("tp_btf/multikernel_msg_drop")
int BPF_PROG(on_msg_drop, u32 peer, const struct multikernel_msg *msg,
	     const char *reason)
{
	if (peer == target_id)
		count(C_MSG_DROP);
	return 0;
}

SEC("tp_btf/multikernel_doorbell_ring")
int BPF_PROG(on_doorbell_ring, u32 peer, u32 apicid)
{
	if (peer == target_id)
		count(C_DOORBELL_RING);
	return 0;
}

SEC("tp_btf/multikernel_doorbell")
int BPF_PROG(on_doorbell, unsigned int cpu)
{
	count(C_DOORBELL);
	return 0;
}

SEC("tp_btf/multikernel_heartbeat_miss")
int BPF_PROG(on_heartbeat_miss, const char *name, u32 id, u64 silent_ms,
	     u32 timeout_ms)
{
	if (id == target_id && silent_ms > 250)
		count(C_HEARTBEAT_MISS);
	return 0;
}

SEC("tp_btf/multikernel_policy")
int BPF_PROG(on_policy, const char *policy, const char *hook, u32 id, int ret,
	     const char *verdict)
{
	if (id == target_id)
		count(C_POLICY);
	return 0;
}
