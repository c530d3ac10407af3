/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trace events of multikernel: what happens to instances, their CPUs and
 * memory, and the messages between kernels.
 *
 * The host traces its instances; a spawn, running the same code, traces
 * its own channel to the host, visible only inside that spawn.  Instances
 * are named by name and id, CPUs by the host's numbers, memory by
 * physical address.  Message fields are copied from the ring as received:
 * a spawn's words, except "src" on the host, which is the channel's peer.
 * See Documentation/multikernel/admin-guide.rst for an example of each.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM multikernel

#if !defined(_TRACE_MULTIKERNEL_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_MULTIKERNEL_H

#include <linux/multikernel.h>
#include <linux/tracepoint.h>

/*
 * multikernel_state - an instance changed state
 * @reason: why it crashed or failed, "" otherwise
 */
TRACE_EVENT(multikernel_state,

	TP_PROTO(const char *name, u32 id, const char *old_state,
		 const char *new_state, const char *reason),

	TP_ARGS(name, id, old_state, new_state, reason),

	TP_STRUCT__entry(
		__string(name, name)
		__field(u32, id)
		__string(old_state, old_state)
		__string(new_state, new_state)
		__string(reason, reason)
	),

	TP_fast_assign(
		__assign_str(name);
		__entry->id = id;
		__assign_str(old_state);
		__assign_str(new_state);
		__assign_str(reason);
	),

	TP_printk("name=%s id=%u old=%s new=%s reason=\"%s\"",
		  __get_str(name), __entry->id, __get_str(old_state),
		  __get_str(new_state), __get_str(reason))
);

/* multikernel_cpu - a CPU was lent to an instance, or came back */
TRACE_EVENT(multikernel_cpu,

	TP_PROTO(const char *name, u32 id, unsigned int cpu, bool lent),

	TP_ARGS(name, id, cpu, lent),

	TP_STRUCT__entry(
		__string(name, name)
		__field(u32, id)
		__field(unsigned int, cpu)
		__field(bool, lent)
	),

	TP_fast_assign(
		__assign_str(name);
		__entry->id = id;
		__entry->cpu = cpu;
		__entry->lent = lent;
	),

	TP_printk("name=%s id=%u cpu=%u %s", __get_str(name), __entry->id,
		  __entry->cpu, __entry->lent ? "lent" : "back")
);

/*
 * multikernel_memory - pool memory was lent to an instance, or came back
 * @phys: its first byte
 * @size: its length in bytes
 */
TRACE_EVENT(multikernel_memory,

	TP_PROTO(const char *name, u32 id, u64 phys, u64 size, bool lent),

	TP_ARGS(name, id, phys, size, lent),

	TP_STRUCT__entry(
		__string(name, name)
		__field(u32, id)
		__field(u64, phys)
		__field(u64, size)
		__field(bool, lent)
	),

	TP_fast_assign(
		__assign_str(name);
		__entry->id = id;
		__entry->phys = phys;
		__entry->size = size;
		__entry->lent = lent;
	),

	TP_printk("name=%s id=%u phys=%#llx size=%llu %s", __get_str(name),
		  __entry->id, __entry->phys, __entry->size,
		  __entry->lent ? "lent" : "back")
);

DECLARE_EVENT_CLASS(multikernel_msg_class,

	TP_PROTO(u32 peer, const struct multikernel_msg *msg),

	TP_ARGS(peer, msg),

	TP_STRUCT__entry(
		__field(u32, peer)
		__field(u32, src)
		__field(u32, dst)
		__field(u16, type)
		__field(u16, flags)
		__field(u32, len)
	),

	TP_fast_assign(
		__entry->peer = peer;
		__entry->src = msg->src;
		__entry->dst = msg->dst;
		__entry->type = msg->type;
		__entry->flags = msg->flags;
		__entry->len = msg->len;
	),

	TP_printk("peer=%u src=%u dst=%u type=%u flags=%#x len=%u",
		  __entry->peer, __entry->src, __entry->dst, __entry->type,
		  __entry->flags, __entry->len)
);

/* multikernel_msg_send - a message went into the ring to @peer */
DEFINE_EVENT(multikernel_msg_class, multikernel_msg_send,
	TP_PROTO(u32 peer, const struct multikernel_msg *msg),
	TP_ARGS(peer, msg)
);

/* multikernel_msg_recv - a message from @peer was taken for this kernel */
DEFINE_EVENT(multikernel_msg_class, multikernel_msg_recv,
	TP_PROTO(u32 peer, const struct multikernel_msg *msg),
	TP_ARGS(peer, msg)
);

/*
 * multikernel_msg_route - the host passed a message from one instance
 * (@peer, the message's src) on to another (its dst)
 */
DEFINE_EVENT(multikernel_msg_class, multikernel_msg_route,
	TP_PROTO(u32 peer, const struct multikernel_msg *msg),
	TP_ARGS(peer, msg)
);

/* multikernel_msg_drop - a message from @peer was dropped, and why */
TRACE_EVENT(multikernel_msg_drop,

	TP_PROTO(u32 peer, const struct multikernel_msg *msg,
		 const char *reason),

	TP_ARGS(peer, msg, reason),

	TP_STRUCT__entry(
		__field(u32, peer)
		__field(u32, src)
		__field(u32, dst)
		__field(u16, type)
		__field(u32, len)
		__string(reason, reason)
	),

	TP_fast_assign(
		__entry->peer = peer;
		__entry->src = msg->src;
		__entry->dst = msg->dst;
		__entry->type = msg->type;
		__entry->len = msg->len;
		__assign_str(reason);
	),

	TP_printk("peer=%u src=%u dst=%u type=%u len=%u reason=\"%s\"",
		  __entry->peer, __entry->src, __entry->dst, __entry->type,
		  __entry->len, __get_str(reason))
);

/* multikernel_doorbell_ring - this kernel rang @peer's doorbell */
TRACE_EVENT(multikernel_doorbell_ring,

	TP_PROTO(u32 peer, u32 apicid),

	TP_ARGS(peer, apicid),

	TP_STRUCT__entry(
		__field(u32, peer)
		__field(u32, apicid)
	),

	TP_fast_assign(
		__entry->peer = peer;
		__entry->apicid = apicid;
	),

	TP_printk("peer=%u apicid=%u", __entry->peer, __entry->apicid)
);

/*
 * multikernel_doorbell - another kernel rang this one's doorbell; hard
 * IRQ context, on the CPU that took it
 */
TRACE_EVENT(multikernel_doorbell,

	TP_PROTO(unsigned int cpu),

	TP_ARGS(cpu),

	TP_STRUCT__entry(
		__field(unsigned int, cpu)
	),

	TP_fast_assign(
		__entry->cpu = cpu;
	),

	TP_printk("cpu=%u", __entry->cpu)
);

/*
 * multikernel_heartbeat_miss - a watchdog pass found a running instance's
 * heartbeat unchanged for longer than a beat
 * @silent_ms: since the last change
 * @timeout_ms: heartbeat_timeout_ms, after which it is crashed
 */
TRACE_EVENT(multikernel_heartbeat_miss,

	TP_PROTO(const char *name, u32 id, u64 silent_ms, u32 timeout_ms),

	TP_ARGS(name, id, silent_ms, timeout_ms),

	TP_STRUCT__entry(
		__string(name, name)
		__field(u32, id)
		__field(u64, silent_ms)
		__field(u32, timeout_ms)
	),

	TP_fast_assign(
		__assign_str(name);
		__entry->id = id;
		__entry->silent_ms = silent_ms;
		__entry->timeout_ms = timeout_ms;
	),

	TP_printk("name=%s id=%u silent_ms=%llu timeout_ms=%u",
		  __get_str(name), __entry->id, __entry->silent_ms,
		  __entry->timeout_ms)
);

/*
 * multikernel_policy - a BPF policy decided, or was detached
 * @policy: the policy's name
 * @hook: admit, crashed, heartbeat_lost or msg_filter
 * @id: the instance the call was about (for msg_filter: the sender)
 * @ret: what the program returned
 * @verdict: what the kernel made of it: allow, refuse, restart, stay,
 *	crash, grace, pass, drop, or detached when the value was refused
 */
TRACE_EVENT(multikernel_policy,

	TP_PROTO(const char *policy, const char *hook, u32 id, int ret,
		 const char *verdict),

	TP_ARGS(policy, hook, id, ret, verdict),

	TP_STRUCT__entry(
		__string(policy, policy)
		__string(hook, hook)
		__field(u32, id)
		__field(int, ret)
		__string(verdict, verdict)
	),

	TP_fast_assign(
		__assign_str(policy);
		__assign_str(hook);
		__entry->id = id;
		__entry->ret = ret;
		__assign_str(verdict);
	),

	TP_printk("policy=%s hook=%s id=%u ret=%d verdict=%s",
		  __get_str(policy), __get_str(hook), __entry->id,
		  __entry->ret, __get_str(verdict))
);

#endif /* _TRACE_MULTIKERNEL_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
