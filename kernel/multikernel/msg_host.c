// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel messaging, host end: a channel per started instance, the
 * prompts a spawn sends (READY, PANIC; the lifecycle itself travels in the
 * communication region's words, see lifecycle.c), and the routing of
 * messages between instances.
 *
 * Instances share no memory with each other, only each with the host, so
 * a message from one instance to another goes through the host: it copies
 * it from the sender's ring to the receiver's after it replaced the source
 * with the channel's instance id, and it only passes on the types in
 * mk_routable_type().  When the receiver's ring is full the message stays
 * in the sender's ring, which keeps the order and applies backpressure,
 * for MK_ROUTE_TIMEOUT at most: then the channel drops it and the
 * connection it belongs to is reset at both ends.  A vsock packet for an
 * instance that has no channel is answered with a RST in its name, so
 * that a connect to it fails at once.
 *
 * Handlers run in the channel's work item.  They never take run_lock: they
 * note what happened in the instance (under msg_lock) and kick the
 * watchdog, which acts on it.  That lets teardown, under run_lock, wait for
 * the work item.  The channel's ->failed() does the same from whichever
 * sender found the protocol error, under the channel's tx_lock with
 * interrupts off, so msg_lock is IRQ-safe and nests inside tx_lock.  The
 * channel does not pin the instance: the channel calls ->failed() and the
 * handlers only until mk_chan_close() returned, and teardown closes the
 * channel before the instance can go away.
 *
 * When an instance goes away the others get a PEER_GONE notice, which the
 * channel queues if their ring is full rather than lose it.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/string.h>

#include <trace/events/multikernel.h>

#include "internal.h"
#include "msg.h"

static bool mk_routable_type(u16 type)
{
	return type == MULTIKERNEL_MSG_VSOCK ||
	       type == MULTIKERNEL_MSG_VSOCK_RESET ||
	       type == MULTIKERNEL_MSG_ECHO || type == MULTIKERNEL_MSG_TEST;
}

/* Messages from @ch's instance to another one. */
static int mk_host_route(struct mk_chan *ch, const struct multikernel_msg *msg,
			 const void *payload)
{
	struct mk_chan *to;
	int ret = 0;

	if (!mk_routable_type(msg->type)) {
		mk_chan_dropped(ch, msg, "not a type that is routed");
		return 0;
	}
	if (msg->dst == ch->peer) {
		mk_chan_dropped(ch, msg, "addressed to its sender");
		return 0;
	}
	if (mk_policy_msg_filter(ch->peer, msg, payload)) {
		mk_chan_dropped(ch, msg, "refused by the policy");
		/* A connection request gets its RST, as for a missing peer. */
		if (msg->type == MULTIKERNEL_MSG_VSOCK)
			mk_vsock_refuse_routed(ch->peer, msg->dst, payload,
					       msg->len);
		return 0;
	}
	to = mk_chan_get(msg->dst);
	if (!to) {
		mk_chan_dropped(ch, msg, "no such instance runs");
		if (msg->type == MULTIKERNEL_MSG_VSOCK)
			mk_vsock_refuse_routed(ch->peer, msg->dst, payload,
					       msg->len);
		return 0;
	}
	ret = mk_msg_forward(to, msg, payload);
	mk_chan_put(to);
	if (ret == -EAGAIN)
		return ret;
	if (ret)
		mk_chan_dropped(ch, msg, "its destination's channel failed");
	else
		trace_multikernel_msg_route(ch->peer, msg);
	return 0;
}

static void mk_host_kick_watch(struct mk_instance *inst)
{
	mod_delayed_work(mk_wq, &inst->watch, 0);
}

/* Keep what the spawn said for the watchdog; @why is ours or sanitised. */
static void mk_host_note(struct mk_instance *inst, bool *flag, const char *why)
{
	unsigned long flags;

	spin_lock_irqsave(&inst->msg_lock, flags);
	if (!inst->msg_event) {
		strscpy(inst->msg_reason, why, sizeof(inst->msg_reason));
		inst->msg_event = true;
	}
	*flag = true;
	spin_unlock_irqrestore(&inst->msg_lock, flags);
	mk_host_kick_watch(inst);
}

static void mk_host_failed(struct mk_chan *ch, const char *why)
{
	struct mk_instance *inst = ch->owner;

	mk_host_note(inst, &inst->msg_broken, why);
}

/*
 * A message from @ch's instance waited MK_ROUTE_TIMEOUT for room at its
 * destination and was dropped: a vsock connection loses its packet, so
 * both of its ends are reset.
 */
static void mk_host_undeliverable(struct mk_chan *ch,
				  const struct multikernel_msg *msg,
				  const void *payload)
{
	struct mk_instance *inst = ch->owner;

	pr_info_ratelimited("%s: a message for instance %u found no room for %u ms and was dropped\n",
			    mk_instance_name(inst), msg->dst,
			    jiffies_to_msecs(MK_ROUTE_TIMEOUT));
	if (msg->type == MULTIKERNEL_MSG_VSOCK)
		mk_vsock_reset_routed(ch->peer, msg->dst, payload, msg->len);
}

/* spawn_state changed to running: let the watchdog look now. */
static void mk_on_ready(struct mk_chan *ch, const struct multikernel_msg *msg,
			const void *payload)
{
	mk_host_kick_watch(ch->owner);
}

static void mk_on_panic(struct mk_chan *ch, const struct multikernel_msg *msg,
			const void *payload)
{
	struct mk_instance *inst = ch->owner;
	char why[MK_REASON_LEN];

	if (!mk_copy_spawn_text(why, sizeof(why), payload, msg->len))
		strscpy(why, "panic", sizeof(why));
	mk_host_note(inst, &inst->spawn_panicked, why);
}

/**
 * mk_msg_host_open() - set up the channel to an instance being started
 * @inst: the instance; its communication region is zeroed
 *
 * The channel of an upgrade's successor (@inst->dark) stays unpublished:
 * the id is its predecessor's until mk_msg_host_go_live().  Nothing
 * drains it meanwhile, so nothing the successor sends reaches a socket
 * or another instance; the lifecycle words still reach the watchdog.
 *
 * Return: 0, -ENOMEM, or -EBUSY if the id still has a channel.
 */
int mk_msg_host_open(struct mk_instance *inst)
{
	unsigned int cpu = cpumask_first(inst->cpus);
	struct mk_chan *ch;
	int ret;

	inst->doorbell_cpu = cpu;
	ch = mk_chan_create(__va(inst->mem_phys), true, MK_HOST_ID, inst->id,
			    multikernel_arch_doorbell_id(cpu));
	if (!ch)
		return -ENOMEM;
	ch->owner = inst;
	ch->route = mk_host_route;
	ch->failed = mk_host_failed;
	ch->undeliverable = mk_host_undeliverable;
	inst->spawn_panicked = false;
	inst->msg_broken = false;
	inst->msg_event = false;
	ret = inst->dark ? 0 : mk_chan_publish(ch);
	if (ret) {
		mk_chan_put(ch);
		return ret;
	}
	inst->chan = ch;
	return 0;
}

/**
 * mk_msg_host_go_live() - publish the channel of an activated successor
 * @inst: the instance, now running the successor's run-time part; caller
 *	holds run_lock, and the predecessor's channel is closed
 * @from: the struct the successor booted in
 *
 * Its handlers note events in @inst from now on; whatever they noted in
 * @from, the struct the successor booted in, moves over.
 *
 * Return: 0, or -EBUSY if the id still has a channel.
 */
int mk_msg_host_go_live(struct mk_instance *inst, struct mk_instance *from)
{
	unsigned long flags;

	mk_chan_set_owner(inst->chan, inst);
	spin_lock_irqsave(&from->msg_lock, flags);
	spin_lock_nested(&inst->msg_lock, SINGLE_DEPTH_NESTING);
	inst->msg_event = from->msg_event;
	inst->spawn_panicked = from->spawn_panicked;
	inst->msg_broken = from->msg_broken;
	strscpy(inst->msg_reason, from->msg_reason, sizeof(inst->msg_reason));
	from->msg_event = false;
	from->spawn_panicked = false;
	from->msg_broken = false;
	spin_unlock(&inst->msg_lock);
	spin_unlock_irqrestore(&from->msg_lock, flags);
	inst->dark = false;
	return mk_chan_publish(inst->chan);
}

/**
 * mk_msg_host_doorbell_to() - send the doorbells of an instance elsewhere
 * @inst: a started instance
 * @cpu: another CPU it holds, online in the spawn
 *
 * The spawn takes its doorbell on any of its CPUs.  Moved before the CPU
 * that took them goes, so that none is lost.  Caller holds run_lock.
 */
void mk_msg_host_doorbell_to(struct mk_instance *inst, unsigned int cpu)
{
	inst->doorbell_cpu = cpu;
	if (inst->chan)
		WRITE_ONCE(inst->chan->peer_apic,
			   multikernel_arch_doorbell_id(cpu));
}

/* Tell the other instances that @id is gone, for their sockets. */
static void mk_msg_host_announce_gone(u32 id)
{
	struct mk_chan *ch;
	u32 peer;
	int ret;

	for (peer = 1; peer <= MK_MAX_INSTANCES; peer++) {
		if (peer == id)
			continue;
		ch = mk_chan_get(peer);
		if (!ch)
			continue;
		/* Queued when the ring is full: lost, it leaves sockets hanging. */
		ret = mk_msg_notify(ch, MULTIKERNEL_MSG_PEER_GONE, peer, &id,
				    sizeof(id));
		if (ret && ret != -ECONNRESET && ret != -EPROTO)
			pr_warn_ratelimited("instance %u not told that %u is gone: %d\n",
					    peer, id, ret);
		mk_chan_put(ch);
	}
}

/**
 * mk_msg_host_close() - close the channel of an instance going away
 * @inst: the instance; its CPUs are parked already
 *
 * Senders and requesters get -ECONNRESET, sockets connected to the
 * instance are reset, and the other instances are told.  Sleeps.
 */
void mk_msg_host_close(struct mk_instance *inst)
{
	if (!inst->chan)
		return;
	mk_chan_close(inst->chan, -ECONNRESET);
	mk_chan_put(inst->chan);
	inst->chan = NULL;
	/* A successor that never went live: the id is another's. */
	if (inst->dark)
		return;
	mk_vsock_peer_gone(inst->id);
	mk_msg_host_announce_gone(inst->id);
}

/**
 * mk_msg_host_event() - what the spawn reported over the channel
 * @inst: the instance
 * @why: receives the reason of a panic or protocol error
 * @len: room at @why
 *
 * Return: MK_EV_NONE, MK_EV_PANIC or MK_EV_BROKEN.
 */
enum mk_msg_event mk_msg_host_event(struct mk_instance *inst, char *why,
				    size_t len)
{
	enum mk_msg_event ev = MK_EV_NONE;
	unsigned long flags;

	spin_lock_irqsave(&inst->msg_lock, flags);
	if (inst->msg_broken)
		ev = MK_EV_BROKEN;
	else if (inst->spawn_panicked)
		ev = MK_EV_PANIC;
	if (ev)
		strscpy(why, inst->msg_reason, len);
	spin_unlock_irqrestore(&inst->msg_lock, flags);
	return ev;
}

/**
 * mk_msg_host_init() - handle the spawns' control messages
 *
 * Return: 0 or the error of mk_msg_register_handler().
 */
int mk_msg_host_init(void)
{
	return mk_msg_register_handler(MULTIKERNEL_MSG_READY, mk_on_ready) ?:
	       mk_msg_register_handler(MULTIKERNEL_MSG_PANIC, mk_on_panic);
}
