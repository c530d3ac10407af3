// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel channels: typed messages between two kernels over a pair of
 * rings (ring.c) in the spawn's communication region, with an IPI on
 * MULTIKERNEL_VECTOR as the doorbell.
 *
 * The same code runs at both ends.  On the host a channel exists per
 * started instance; in a spawn there is one, to the host.  Channels are
 * published in mk_chans[], indexed by the peer's kernel number, where the
 * doorbell handler and senders find them.
 *
 * Receiving is NAPI-like: the doorbell handler only queues the channel's
 * work item, which copies messages out and hands them to the handler of
 * their type, MK_CHAN_BUDGET at a time before it requeues itself.  While
 * it drains, the producer sends no doorbell.  A doorbell costs the
 * receiving CPU a few reads per published channel, whatever the sender
 * does.  Every spawn rings the same host CPU, so the work items run on an
 * unbound, high-priority workqueue (mk_rx_wq): the channels of different
 * spawns drain in parallel on whichever host CPUs are free, not one after
 * the other on the CPU the doorbells interrupt.  A work item never runs
 * twice at once, so each channel's order is kept.
 *
 * A message for another kernel that the route cannot take (its ring is
 * full) stays at the head of the ring and is offered again each jiffy,
 * but for MK_ROUTE_TIMEOUT at most: then it is dropped and the owner told
 * (->undeliverable(), which resets the vsock connection it belongs to),
 * and until a message reaches that destination again, the next one for
 * it that would have to wait is dropped at once.  So a peer that stops
 * reading holds up the traffic behind it by about a second, once.
 *
 * Senders never wait in the receive work: a handler's response, and a
 * notice that must not be lost (PEER_GONE), go into the ring if it has
 * room, else onto the channel's small queue, which every later send and
 * every receive pass flush first, oldest first, so that order is kept.
 * A queued entry asks the peer to ring when it frees room; the doorbell
 * handler then wakes the senders that sleep for room itself and pokes the
 * receive work, which sends what is queued.  A queue that is full drops the
 * newest and counts it (tx_dropped): a peer that stops reading cannot make
 * this kernel hold more than MK_CHAN_MAX_REPLIES responses and
 * MK_CHAN_MAX_NOTICES notices.
 *
 * Locking: tx_lock (IRQ-safe) serialises the producer side of the tx ring,
 * the queue and every change of err.  Nothing touches the tx ring, not even
 * its prod_waiting flag or a look at its room, without holding tx_lock and
 * finding err still 0; mk_chan_close() sets err under tx_lock, so once it
 * returned no sender touches the rings.  The receive side has one user,
 * its work item, which close cancels, and the doorbell handler, which
 * close waits out with an expedited RCU grace period.  req_lock (IRQ-safe)
 * guards the pending requests; it nests in no other lock of ours.
 *
 * Lifetime: the channel does not pin its owner.  Instead ->failed(), the
 * only callback that runs outside the receive work, is called once, by the
 * caller that moves err from 0 to -EPROTO, while it holds tx_lock.  Since
 * close takes tx_lock after that and leaves err set, ->failed() has
 * returned, and will never run again, once mk_chan_close() returned; the
 * owner must only outlive the close.  ->failed() must therefore not sleep.
 * mk_chans[] is RCU-protected; a reference keeps a channel's memory, but
 * not its rings, valid.
 *
 * Context: mk_msg_send(), mk_msg_send_try(), mk_msg_forward() and
 * mk_msg_request_async() take only IRQ-safe spinlocks and may be called
 * in any context but NMI; mk_msg_reply() and mk_msg_notify() may allocate
 * and need process context; the senders that wait sleep.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/multikernel.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <trace/events/multikernel.h>

#include "internal.h"
#include "msg.h"

static mk_msg_handler_t mk_handlers[MULTIKERNEL_MSG_NR_TYPES];
static struct mk_chan __rcu *mk_chans[MK_MAX_INSTANCES + 1];
static DEFINE_SPINLOCK(mk_chans_lock);
static atomic64_t mk_doorbells_rx;
static atomic64_t mk_doorbells_idle;
static struct workqueue_struct *mk_rx_wq;

/**
 * struct mk_req - a request waiting for its response
 * @node: entry in the channel's reqs
 * @id: the request's id
 * @done: completed by the response or by the channel closing
 * @resp: where the response payload goes
 * @resp_size: room at @resp
 * @resp_len: bytes of the response copied to @resp
 * @status: the responder's status, or the channel's error
 */
struct mk_req {
	struct list_head node;
	u64 id;
	struct completion done;
	void *resp;
	u32 resp_size;
	u32 resp_len;
	int status;
};

/**
 * struct mk_queued - a response or notice waiting for room in the ring
 * @node: entry in the channel's queued list
 * @msg: its header, as it will be written
 * @payload: @msg.len bytes
 */
struct mk_queued {
	struct list_head node;
	struct multikernel_msg msg;
	u8 payload[];
};

/**
 * mk_msg_register_handler() - handle one message type in this kernel
 * @type: enum multikernel_msg_type
 * @fn: the handler
 *
 * Handlers are set once, at initialisation, by built-in code.
 *
 * Return: 0, -EINVAL for an unknown type, -EBUSY if it is taken.
 */
int mk_msg_register_handler(u16 type, mk_msg_handler_t fn)
{
	if (type == MULTIKERNEL_MSG_PAD || type >= MULTIKERNEL_MSG_NR_TYPES)
		return -EINVAL;
	if (cmpxchg(&mk_handlers[type], NULL, fn))
		return -EBUSY;
	return 0;
}

static void mk_chan_kick(struct mk_chan *ch)
{
	u32 apic = READ_ONCE(ch->peer_apic);

	trace_multikernel_doorbell_ring(ch->peer, apic);
	multikernel_arch_doorbell(apic);
}

/*
 * Close the channel with @err unless it is closed already; tx_lock held.
 * The caller that closes it for a protocol error (@why set) tells the
 * owner, here, under the lock: see "Lifetime" at the top of the file.
 */
static bool mk_chan_set_err(struct mk_chan *ch, int err, const char *why)
{
	lockdep_assert_held(&ch->tx_lock);
	if (ch->err)
		return false;
	WRITE_ONCE(ch->err, err);
	if (why && ch->failed)
		ch->failed(ch, why);
	return true;
}

/* After err was set: wake the senders, fail the requests, drop the queue. */
static void mk_chan_release_waiters(struct mk_chan *ch)
{
	struct mk_queued *q, *qtmp;
	struct mk_req *req, *tmp;
	unsigned long flags;
	LIST_HEAD(gone);

	spin_lock_irqsave(&ch->tx_lock, flags);
	list_splice_init(&ch->queued, &gone);
	WRITE_ONCE(ch->nr_queued, 0);
	ch->nr_replies = 0;
	spin_unlock_irqrestore(&ch->tx_lock, flags);
	list_for_each_entry_safe(q, qtmp, &gone, node)
		kfree(q);

	wake_up_all(&ch->tx_wait);

	spin_lock_irqsave(&ch->req_lock, flags);
	list_for_each_entry_safe(req, tmp, &ch->reqs, node) {
		list_del_init(&req->node);
		req->status = READ_ONCE(ch->err);
		complete(&req->done);
	}
	spin_unlock_irqrestore(&ch->req_lock, flags);
}

/* Close for senders and requesters; the receive side is the caller's. */
static void mk_chan_shut(struct mk_chan *ch, int err, const char *why)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->tx_lock, flags);
	mk_chan_set_err(ch, err, why);
	spin_unlock_irqrestore(&ch->tx_lock, flags);
	mk_chan_release_waiters(ch);
}

/* Write one message into the ring; tx_lock held, the channel open. */
static int mk_chan_write_locked(struct mk_chan *ch,
				const struct multikernel_msg *msg,
				const void *payload, bool *kick)
{
	int ret = mk_ring_write(&ch->tx, msg, payload);

	if (ret)
		return ret;
	trace_multikernel_msg_send(ch->peer, msg);
	ch->stats.tx_msgs++;
	ch->stats.tx_bytes += msg->len;
	if (mk_ring_kick_needed(&ch->tx)) {
		ch->stats.tx_doorbells++;
		*kick = true;
	}
	return 0;
}

static void mk_chan_unqueue(struct mk_chan *ch, struct mk_queued *q)
{
	list_del(&q->node);
	WRITE_ONCE(ch->nr_queued, ch->nr_queued - 1);
	if (q->msg.flags & MULTIKERNEL_MSG_F_RESPONSE)
		ch->nr_replies--;
	kfree(q);
}

/*
 * Send what is queued, oldest first; tx_lock held, the channel open.
 * Return: 0 once the queue is empty; -EAGAIN if some must wait, and then
 * the peer has been asked to ring when it frees room; -EPROTO.
 */
static int mk_chan_flush_locked(struct mk_chan *ch, bool *kick)
{
	struct mk_queued *q;
	bool asked = false;
	int ret;

	while ((q = list_first_entry_or_null(&ch->queued, struct mk_queued,
					     node))) {
		ret = mk_chan_write_locked(ch, &q->msg, q->payload, kick);
		if (ret == -EAGAIN && !asked) {
			/* The peer may have freed room before it saw the flag. */
			mk_ring_want_room(&ch->tx);
			asked = true;
			continue;
		}
		if (ret)
			return ret;
		mk_chan_unqueue(ch, q);
	}
	return 0;
}

/*
 * Queue @q, which found no room; tx_lock held, the channel open.  A notice
 * equal to one already queued is redundant and freed.  Return: 0 if @q is
 * the channel's now, -ENOBUFS if the queue is full.
 */
static int mk_chan_queue_locked(struct mk_chan *ch, struct mk_queued *q)
{
	bool reply = q->msg.flags & MULTIKERNEL_MSG_F_RESPONSE;
	struct mk_queued *old;

	if (!reply) {
		list_for_each_entry(old, &ch->queued, node) {
			if (!memcmp(&old->msg, &q->msg, sizeof(q->msg)) &&
			    !memcmp(old->payload, q->payload, q->msg.len)) {
				kfree(q);
				return 0;
			}
		}
	}
	if (reply ? ch->nr_replies >= MK_CHAN_MAX_REPLIES :
		    ch->nr_queued - ch->nr_replies >= MK_CHAN_MAX_NOTICES) {
		ch->stats.tx_dropped++;
		return -ENOBUFS;
	}
	list_add_tail(&q->node, &ch->queued);
	WRITE_ONCE(ch->nr_queued, ch->nr_queued + 1);
	ch->nr_replies += reply;
	ch->stats.tx_queued++;
	return 0;
}

/* Finish a send: close on a corrupted index, ring the peer. */
static void mk_chan_sent(struct mk_chan *ch, unsigned long flags, int ret,
			 bool kick)
	__releases(&ch->tx_lock)
{
	bool broken = ret == -EPROTO &&
		      mk_chan_set_err(ch, -EPROTO,
				      "the peer corrupted its consumer index");

	spin_unlock_irqrestore(&ch->tx_lock, flags);
	if (broken)
		mk_chan_release_waiters(ch);
	if (kick)
		mk_chan_kick(ch);
}

/* One message; @try: do not spin for the lock, bypass the queue (panic). */
static int mk_chan_send_msg(struct mk_chan *ch,
			    const struct multikernel_msg *msg,
			    const void *payload, bool try)
{
	unsigned long flags;
	bool kick = false;
	int ret;

	if (try) {
		if (!spin_trylock_irqsave(&ch->tx_lock, flags))
			return -EBUSY;
		ret = ch->err ?: mk_chan_write_locked(ch, msg, payload, &kick);
		if (ret == -EPROTO)
			mk_chan_set_err(ch, ret, NULL);
		spin_unlock_irqrestore(&ch->tx_lock, flags);
		if (kick)
			mk_chan_kick(ch);
		return ret;
	}
	spin_lock_irqsave(&ch->tx_lock, flags);
	ret = ch->err ?: mk_chan_flush_locked(ch, &kick) ?:
	      mk_chan_write_locked(ch, msg, payload, &kick);
	if (ret == -EAGAIN)
		ch->stats.tx_full++;
	mk_chan_sent(ch, flags, ret, kick);
	return ret;
}

/*
 * Send @msg now, or queue a copy that goes before anything sent later.
 * Return: 0 if it was sent or queued; -ENOBUFS if the queue is full;
 * -ENOMEM; -EMSGSIZE; the channel's error.
 */
static int mk_chan_send_or_queue(struct mk_chan *ch,
				 const struct multikernel_msg *msg,
				 const void *payload)
{
	struct mk_queued *q = NULL;
	unsigned long flags;
	bool kick;
	int ret;

	if (msg->len > MULTIKERNEL_MSG_MAX_PAYLOAD)
		return -EMSGSIZE;
	for (;;) {
		kick = false;
		spin_lock_irqsave(&ch->tx_lock, flags);
		ret = ch->err ?: mk_chan_flush_locked(ch, &kick) ?:
		      mk_chan_write_locked(ch, msg, payload, &kick);
		if (ret == -EAGAIN && q) {
			ret = mk_chan_queue_locked(ch, q);
			if (!ret) {
				q = NULL;
				/* Asks for room, and catches room just freed. */
				ret = mk_chan_flush_locked(ch, &kick);
				if (ret == -EAGAIN)
					ret = 0;
			}
		}
		mk_chan_sent(ch, flags, ret, kick);
		if (ret != -EAGAIN)
			break;
		/* No room: copy it, out of the lock, and look again. */
		q = kmalloc(struct_size(q, payload, msg->len), GFP_KERNEL);
		if (!q) {
			spin_lock_irqsave(&ch->tx_lock, flags);
			ch->stats.tx_dropped++;
			spin_unlock_irqrestore(&ch->tx_lock, flags);
			return -ENOMEM;
		}
		q->msg = *msg;
		memcpy(q->payload, payload, msg->len);
	}
	kfree(q);
	return ret;
}

/* Send what is queued, from the receive work. */
static void mk_chan_flush(struct mk_chan *ch)
{
	unsigned long flags;
	bool kick = false;
	int ret;

	if (!READ_ONCE(ch->nr_queued))
		return;
	spin_lock_irqsave(&ch->tx_lock, flags);
	ret = ch->err ?: mk_chan_flush_locked(ch, &kick);
	mk_chan_sent(ch, flags, ret, kick);
}

/*
 * Whether a send of @len bytes may go now, or the channel closed: the
 * queue goes first, so it is room for its oldest entry that counts.  With
 * @ask, first ask the peer to ring when it frees room.
 */
static bool mk_chan_may_send(struct mk_chan *ch, u32 len, bool ask)
{
	struct mk_queued *q;
	unsigned long flags;
	bool ret = true;

	spin_lock_irqsave(&ch->tx_lock, flags);
	if (!ch->err) {
		if (ask)
			mk_ring_want_room(&ch->tx);
		q = list_first_entry_or_null(&ch->queued, struct mk_queued,
					     node);
		ret = mk_ring_has_room(&ch->tx, q ? q->msg.len : len);
	}
	spin_unlock_irqrestore(&ch->tx_lock, flags);
	return ret;
}

/* Send, waiting up to @timeout jiffies for room. */
static int mk_chan_send_wait(struct mk_chan *ch,
			     const struct multikernel_msg *msg,
			     const void *payload, unsigned long timeout)
{
	unsigned long deadline = jiffies + timeout;
	long left;
	int ret;

	for (;;) {
		ret = mk_chan_send_msg(ch, msg, payload, false);
		if (ret != -EAGAIN)
			return ret;
		if (mk_chan_may_send(ch, msg->len, true))
			continue;
		left = (long)(deadline - jiffies);	/* read jiffies once */
		if (left <= 0)
			return -ETIMEDOUT;
		/*
		 * Ask again each time we look: the doorbell that woke us may
		 * answer a flag the consumer had taken before we set it
		 * (see ring.c), and then nobody would ring for the room we
		 * still wait for.
		 */
		left = wait_event_interruptible_timeout(ch->tx_wait,
							mk_chan_may_send(ch, msg->len, true),
							left);
		if (left < 0)
			return left;
	}
}

static void mk_msg_fill(struct multikernel_msg *msg, struct mk_chan *ch,
			u16 type, u32 dst, u32 len)
{
	*msg = (struct multikernel_msg) {
		.len	= len,
		.type	= type,
		.src	= ch->self,
		.dst	= dst,
	};
}

/**
 * mk_msg_send() - send a message if the ring has room now
 * @ch: the channel
 * @type: enum multikernel_msg_type
 * @dst: the receiving kernel: the peer, or another instance via the host
 * @data: the payload
 * @len: its size, at most MULTIKERNEL_MSG_MAX_PAYLOAD
 *
 * May be called in any context but NMI: it takes only IRQ-safe spinlocks,
 * and the ->failed() it may call must not sleep.
 *
 * Return: 0; -EAGAIN if the ring is full, or queued responses and notices
 * still wait for room; -EMSGSIZE; the channel's error (-ECONNRESET once the
 * peer is gone, -EPROTO if it broke the protocol).
 */
int mk_msg_send(struct mk_chan *ch, u16 type, u32 dst, const void *data,
		u32 len)
{
	struct multikernel_msg msg;

	mk_msg_fill(&msg, ch, type, dst, len);
	return mk_chan_send_msg(ch, &msg, data, false);
}

/**
 * mk_msg_send_try() - send without spinning on the channel's lock
 * @ch: the channel
 * @type: enum multikernel_msg_type
 * @data: the payload
 * @len: its size
 *
 * For the panic path, where the lock holder may never run again: it does
 * not flush the queue, so the message may overtake queued ones, and it
 * does not tell ->failed() about a protocol error.  Any context but NMI.
 *
 * Return: as mk_msg_send(), or -EBUSY if the lock was taken.
 */
int mk_msg_send_try(struct mk_chan *ch, u16 type, const void *data, u32 len)
{
	struct multikernel_msg msg;

	mk_msg_fill(&msg, ch, type, ch->peer, len);
	return mk_chan_send_msg(ch, &msg, data, true);
}

/**
 * mk_msg_send_timeout() - send a message, waiting for room
 * @ch: the channel
 * @type: enum multikernel_msg_type
 * @dst: the receiving kernel
 * @data: the payload
 * @len: its size
 * @timeout: longest wait, in jiffies
 *
 * Sleeps; process context only.
 *
 * Return: as mk_msg_send(), or -ETIMEDOUT if no room came in time, or
 * -ERESTARTSYS if a signal came first.
 */
int mk_msg_send_timeout(struct mk_chan *ch, u16 type, u32 dst,
			const void *data, u32 len, unsigned long timeout)
{
	struct multikernel_msg msg;

	mk_msg_fill(&msg, ch, type, dst, len);
	return mk_chan_send_wait(ch, &msg, data, timeout);
}

/**
 * mk_msg_forward() - pass on a message received for another kernel
 * @ch: the channel towards its destination
 * @msg: its header, kept as it is
 * @payload: its payload
 *
 * May be called in any context but NMI.
 *
 * Return: as mk_msg_send(); on -EAGAIN the channel's consumer is asked to
 * ring when it frees room.
 */
int mk_msg_forward(struct mk_chan *ch, const struct multikernel_msg *msg,
		   const void *payload)
{
	int ret = mk_chan_send_msg(ch, msg, payload, false);

	if (ret == -EAGAIN)
		mk_chan_may_send(ch, msg->len, true);
	return ret;
}

/**
 * mk_msg_request() - send a request and wait for its response
 * @ch: the channel
 * @type: enum multikernel_msg_type
 * @req: the request payload
 * @len: its size
 * @resp: where the response payload goes
 * @resp_size: room at @resp; a longer response is cut
 * @timeout: longest wait for room and for the response, each, in jiffies
 *
 * Sleeps; process context only.
 *
 * Return: bytes of response copied; the responder's negative status;
 * -ETIMEDOUT; the channel's error if it closes meanwhile; the errors of
 * mk_msg_send_timeout().
 */
int mk_msg_request(struct mk_chan *ch, u16 type, const void *req, u32 len,
		   void *resp, u32 resp_size, unsigned long timeout)
{
	struct mk_req r = { .resp = resp, .resp_size = resp_size };
	struct multikernel_msg msg;
	unsigned long flags;
	int ret;

	init_completion(&r.done);
	spin_lock_irqsave(&ch->req_lock, flags);
	r.id = ++ch->next_id;
	list_add_tail(&r.node, &ch->reqs);
	spin_unlock_irqrestore(&ch->req_lock, flags);

	mk_msg_fill(&msg, ch, type, ch->peer, len);
	msg.flags = MULTIKERNEL_MSG_F_REQUEST;
	msg.id = r.id;
	ret = mk_chan_send_wait(ch, &msg, req, timeout);
	if (!ret && !wait_for_completion_timeout(&r.done, timeout))
		ret = -ETIMEDOUT;

	spin_lock_irqsave(&ch->req_lock, flags);
	list_del_init(&r.node);
	spin_unlock_irqrestore(&ch->req_lock, flags);
	if (ret)
		return ret;
	return r.status ?: r.resp_len;
}

/**
 * mk_msg_request_async() - send a request whose response goes to a handler
 * @ch: the channel
 * @type: enum multikernel_msg_type
 * @req: the request payload
 * @len: its size
 *
 * The response matches no waiting request, so it reaches the handler of
 * @type with MULTIKERNEL_MSG_F_RESPONSE set.  May be called in any context
 * but NMI.
 *
 * Return: as mk_msg_send().
 */
int mk_msg_request_async(struct mk_chan *ch, u16 type, const void *req,
			 u32 len)
{
	struct multikernel_msg msg;
	unsigned long flags;

	mk_msg_fill(&msg, ch, type, ch->peer, len);
	msg.flags = MULTIKERNEL_MSG_F_REQUEST;
	spin_lock_irqsave(&ch->req_lock, flags);
	msg.id = ++ch->next_id;
	spin_unlock_irqrestore(&ch->req_lock, flags);
	return mk_chan_send_msg(ch, &msg, req, false);
}

/**
 * mk_msg_reply() - answer a request
 * @ch: the channel it came on
 * @req: the request's header
 * @status: 0 or a negative errno
 * @data: the response payload
 * @len: its size
 *
 * Never waits for the peer, so that a handler can answer from the receive
 * work: a response that finds the ring full is queued and sent before
 * anything else once the peer frees room (see the top of the file).  May
 * sleep to allocate memory; process context only.
 *
 * Return: 0 if the response was sent or queued; -ENOBUFS if it was
 * dropped because MK_CHAN_MAX_REPLIES already wait; -ENOMEM; -EMSGSIZE;
 * the channel's error.
 */
int mk_msg_reply(struct mk_chan *ch, const struct multikernel_msg *req,
		 int status, const void *data, u32 len)
{
	struct multikernel_msg msg;

	mk_msg_fill(&msg, ch, req->type, req->src, len);
	msg.flags = MULTIKERNEL_MSG_F_RESPONSE;
	msg.id = req->id;
	msg.status = status;
	return mk_chan_send_or_queue(ch, &msg, data);
}

/**
 * mk_msg_notify() - send a notice that a full ring must not make us lose
 * @ch: the channel
 * @type: enum multikernel_msg_type
 * @dst: the receiving kernel
 * @data: the payload
 * @len: its size
 *
 * Like mk_msg_reply(), the notice is queued when the ring is full and sent
 * before anything else once the peer frees room; a notice equal to one
 * still queued is not queued twice.  May sleep to allocate memory; process
 * context only.
 *
 * Return: 0 if it was sent or queued; -ENOBUFS if MK_CHAN_MAX_NOTICES
 * already wait; -ENOMEM; -EMSGSIZE; the channel's error.
 */
int mk_msg_notify(struct mk_chan *ch, u16 type, u32 dst, const void *data,
		  u32 len)
{
	struct multikernel_msg msg;

	mk_msg_fill(&msg, ch, type, dst, len);
	return mk_chan_send_or_queue(ch, &msg, data);
}

/**
 * mk_msg_forward_notice() - pass on a notice that a full ring must not lose
 * @ch: the channel towards its destination
 * @msg: its header, kept as it is
 * @payload: its payload
 *
 * Like mk_msg_notify(), for a message whose header the host fills in on
 * another kernel's behalf (a vsock reset).  Process context only.
 *
 * Return: as mk_msg_notify().
 */
int mk_msg_forward_notice(struct mk_chan *ch, const struct multikernel_msg *msg,
			  const void *payload)
{
	return mk_chan_send_or_queue(ch, msg, payload);
}

/* Hand a response to its waiter; false if nobody waits for it. */
static bool mk_chan_complete_req(struct mk_chan *ch,
				 const struct multikernel_msg *msg,
				 const void *payload)
{
	struct mk_req *req;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(&ch->req_lock, flags);
	list_for_each_entry(req, &ch->reqs, node) {
		if (req->id != msg->id)
			continue;
		req->resp_len = min(msg->len, req->resp_size);
		memcpy(req->resp, payload, req->resp_len);
		/* Untrusted: only an errno or 0 passes. */
		req->status = msg->status < 0 && msg->status >= -MAX_ERRNO ?
			      msg->status : 0;
		list_del_init(&req->node);
		complete(&req->done);
		found = true;
		break;
	}
	spin_unlock_irqrestore(&ch->req_lock, flags);
	return found;
}

/**
 * mk_chan_dropped() - count and trace a message received and dropped
 * @ch: the channel it came on; its receive work runs
 * @msg: the message
 * @why: the reason, for the trace
 */
void mk_chan_dropped(struct mk_chan *ch, const struct multikernel_msg *msg,
		     const char *why)
{
	ch->stats.rx_dropped++;
	trace_multikernel_msg_drop(ch->peer, msg, why);
}

static int mk_chan_deliver(struct mk_chan *ch, struct multikernel_msg *msg,
			   const void *payload)
{
	mk_msg_handler_t fn = NULL;

	if (msg->dst != ch->self) {
		if (ch->route)
			return ch->route(ch, msg, payload);
		mk_chan_dropped(ch, msg, "not for this kernel");
		return 0;
	}
	trace_multikernel_msg_recv(ch->peer, msg);
	ch->stats.rx_msgs++;
	ch->stats.rx_bytes += msg->len;
	if ((msg->flags & MULTIKERNEL_MSG_F_RESPONSE) &&
	    mk_chan_complete_req(ch, msg, payload))
		return 0;
	if (msg->type < MULTIKERNEL_MSG_NR_TYPES)
		fn = READ_ONCE(mk_handlers[array_index_nospec(msg->type,
							      MULTIKERNEL_MSG_NR_TYPES)]);
	if (fn) {
		fn(ch, msg, payload);
		return 0;
	}
	ch->stats.rx_unknown++;
	trace_multikernel_msg_drop(ch->peer, msg, "no handler for the type");
	if (msg->flags & MULTIKERNEL_MSG_F_REQUEST)
		mk_msg_reply(ch, msg, -EOPNOTSUPP, NULL, 0);
	return 0;
}

/*
 * The route kept @msg waiting: true to offer it again later, false once it
 * has waited MK_ROUTE_TIMEOUT, or at once behind one that did, and has
 * been dropped.
 */
static bool mk_chan_route_wait(struct mk_chan *ch,
			       const struct multikernel_msg *msg,
			       const void *payload)
{
	if (!ch->rx_dead_end || ch->rx_dead_dst != msg->dst) {
		if (!ch->rx_stuck) {
			ch->rx_stuck = true;
			ch->rx_stuck_since = jiffies;
		}
		if (time_before(jiffies, ch->rx_stuck_since + MK_ROUTE_TIMEOUT))
			return true;
		ch->rx_dead_end = true;
		ch->rx_dead_dst = msg->dst;
	}
	ch->rx_stuck = false;
	mk_chan_dropped(ch, msg, "its destination did not take it in time");
	if (ch->undeliverable)
		ch->undeliverable(ch, msg, payload);
	return false;
}

/* Drain up to MK_CHAN_BUDGET messages; see the top of the file. */
static void mk_chan_rx_work(struct work_struct *work)
{
	struct mk_chan *ch = container_of(to_delayed_work(work),
					  struct mk_chan, rx_work);
	struct multikernel_msg msg;
	int n, rec;

	if (READ_ONCE(ch->err) || READ_ONCE(ch->rx_paused))
		return;
	ch->stats.rx_passes++;
	ch->stats.rx_cpus |= BIT_ULL(raw_smp_processor_id() & 63);
	mk_chan_flush(ch);	/* the doorbell may announce room */
	for (n = 0; n < MK_CHAN_BUDGET; n++) {
		rec = mk_ring_peek(&ch->rx, &msg, ch->rx_buf,
				   MULTIKERNEL_MSG_MAX_PAYLOAD);
		if (rec == -ENODATA) {
			if (mk_ring_idle(&ch->rx))
				return;
			continue;
		}
		if (rec < 0) {
			mk_chan_shut(ch, -EPROTO,
				     "the peer wrote a malformed message");
			return;
		}
		if (ch->self == MK_HOST_ID)
			msg.src = ch->peer;	/* never the spawn's word */
		if (mk_chan_deliver(ch, &msg, ch->rx_buf) == -EAGAIN) {
			if (mk_chan_route_wait(ch, &msg, ch->rx_buf)) {
				queue_delayed_work(mk_rx_wq, &ch->rx_work, 1);
				return;
			}
		} else {
			ch->rx_stuck = false;
			if (ch->rx_dead_end && msg.dst == ch->rx_dead_dst)
				ch->rx_dead_end = false;
		}
		mk_ring_advance(&ch->rx, rec);
		if (mk_ring_room_wanted(&ch->rx)) {
			ch->stats.room_doorbells++;
			mk_chan_kick(ch);
		}
		if (READ_ONCE(ch->err))
			return;
	}
	queue_delayed_work(mk_rx_wq, &ch->rx_work, 0);
}

/**
 * mk_chan_create() - set up this kernel's end of a communication region
 * @comm: the region, mapped, at least MULTIKERNEL_COMM_MSG_END bytes
 * @host_side: we are the host; else the spawn
 * @self: our kernel number
 * @peer: the peer's
 * @peer_apic: where the peer's doorbell goes
 *
 * The host zeroes the rings' control blocks before the spawn starts.
 *
 * Return: the channel with one reference, or NULL without memory.
 */
struct mk_chan *mk_chan_create(void *comm, bool host_side, u32 self, u32 peer,
			       u32 peer_apic)
{
	u32 size = MULTIKERNEL_COMM_MSG_DATA_SIZE;
	void *h2s = comm + MULTIKERNEL_COMM_MSG_H2S;
	void *s2h = comm + MULTIKERNEL_COMM_MSG_S2H;
	void *h2s_data = comm + MULTIKERNEL_COMM_MSG_H2S_DATA;
	void *s2h_data = comm + MULTIKERNEL_COMM_MSG_S2H_DATA;
	struct mk_chan *ch;

	if (!mk_rx_wq)		/* mk_msg_core_init() found no memory */
		return NULL;
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return NULL;
	ch->rx_buf = kvmalloc(MULTIKERNEL_MSG_MAX_PAYLOAD, GFP_KERNEL);
	if (!ch->rx_buf) {
		kfree(ch);
		return NULL;
	}
	if (host_side) {
		mk_ring_init(&ch->tx, h2s, h2s_data, size);
		mk_ring_init(&ch->rx, s2h, s2h_data, size);
	} else {
		mk_ring_init(&ch->tx, s2h, s2h_data, size);
		mk_ring_init(&ch->rx, h2s, h2s_data, size);
	}
	kref_init(&ch->ref);
	ch->self = self;
	ch->peer = peer;
	ch->peer_apic = peer_apic;
	spin_lock_init(&ch->tx_lock);
	init_waitqueue_head(&ch->tx_wait);
	INIT_LIST_HEAD(&ch->queued);
	INIT_DELAYED_WORK(&ch->rx_work, mk_chan_rx_work);
	spin_lock_init(&ch->req_lock);
	INIT_LIST_HEAD(&ch->reqs);
	return ch;
}

/**
 * mk_chan_publish() - let doorbells and senders find a channel
 * @ch: a new channel
 *
 * Also drains whatever the peer sent before.
 *
 * Return: 0, -EINVAL for a bad peer number, -EBUSY if the peer has a
 * channel already.
 */
int mk_chan_publish(struct mk_chan *ch)
{
	int ret = 0;

	if (ch->peer > MK_MAX_INSTANCES)
		return -EINVAL;
	spin_lock(&mk_chans_lock);
	if (rcu_access_pointer(mk_chans[ch->peer]))
		ret = -EBUSY;
	else
		rcu_assign_pointer(mk_chans[ch->peer], ch);
	spin_unlock(&mk_chans_lock);
	if (!ret)
		mk_chan_poke(ch);
	return ret;
}

/**
 * mk_chan_close() - unpublish a channel and stop all use of its rings
 * @ch: the channel
 * @err: what senders and waiting requesters get from now on
 *
 * Once it returns, the memory of the rings may be reused.  Sleeps.
 */
void mk_chan_close(struct mk_chan *ch, int err)
{
	spin_lock(&mk_chans_lock);
	if (rcu_access_pointer(mk_chans[ch->peer]) == ch)
		RCU_INIT_POINTER(mk_chans[ch->peer], NULL);
	spin_unlock(&mk_chans_lock);
	/*
	 * No doorbell handler sees it any more.  Expedited: an instance's
	 * stop and an upgrade's switch wait for this, and in an upgrade the
	 * instance's clients wait with them.
	 */
	synchronize_rcu_expedited();
	mk_chan_shut(ch, err, NULL);	/* ->failed() is done with the owner */
	cancel_delayed_work_sync(&ch->rx_work);
}

/**
 * mk_chan_set_owner() - hand a channel's callbacks to another owner
 * @ch: the channel
 * @owner: what ->failed() and the handlers see from now on
 *
 * ->failed() runs under tx_lock, the handlers in the receive work: once
 * this returns, neither still works with the old owner.  Sleeps.
 */
void mk_chan_set_owner(struct mk_chan *ch, void *owner)
{
	unsigned long flags;

	spin_lock_irqsave(&ch->tx_lock, flags);
	WRITE_ONCE(ch->owner, owner);
	spin_unlock_irqrestore(&ch->tx_lock, flags);
	flush_delayed_work(&ch->rx_work);
}

static void mk_chan_release(struct kref *ref)
{
	struct mk_chan *ch = container_of(ref, struct mk_chan, ref);
	struct mk_queued *q, *tmp;

	list_for_each_entry_safe(q, tmp, &ch->queued, node)
		kfree(q);
	kvfree(ch->rx_buf);
	kfree(ch);
}

/**
 * mk_chan_put() - drop a reference
 * @ch: the channel, or NULL
 */
void mk_chan_put(struct mk_chan *ch)
{
	if (ch)
		kref_put(&ch->ref, mk_chan_release);
}

/**
 * mk_chan_get() - find the channel to a kernel and take a reference
 * @peer: its kernel number: an instance id on the host, 0 in a spawn
 *
 * Return: the channel, or NULL if there is none.
 */
struct mk_chan *mk_chan_get(u32 peer)
{
	struct mk_chan *ch;

	if (peer > MK_MAX_INSTANCES)
		return NULL;
	rcu_read_lock();
	/* @peer may come from a spawn's message header. */
	ch = rcu_dereference(mk_chans[array_index_nospec(peer,
							 MK_MAX_INSTANCES + 1)]);
	if (ch && !kref_get_unless_zero(&ch->ref))
		ch = NULL;
	rcu_read_unlock();
	return ch;
}

/**
 * mk_chan_poke() - run the channel's receive pass soon
 * @ch: the channel
 *
 * Any context.
 */
void mk_chan_poke(struct mk_chan *ch)
{
	queue_delayed_work(mk_rx_wq, &ch->rx_work, 0);
}

/**
 * multikernel_doorbell() - another kernel rang this one
 *
 * Called by the architecture's interrupt handler.  The doorbell does not
 * say who rang: on each published channel, senders that sleep for room are
 * woken, and a channel with unread data, with cons_idle cleared by the
 * peer (see mk_ring_pending()) or with queued messages gets a receive
 * pass.  Bounded by the number of instances.
 */
void multikernel_doorbell(void)
{
	struct mk_chan *ch;
	bool busy = false;
	unsigned int i;

	atomic64_inc(&mk_doorbells_rx);
	trace_multikernel_doorbell(smp_processor_id());
	rcu_read_lock();
	for (i = 0; i <= MK_MAX_INSTANCES; i++) {
		ch = rcu_dereference(mk_chans[i]);
		if (!ch || READ_ONCE(ch->err))
			continue;
		if (wq_has_sleeper(&ch->tx_wait)) {
			wake_up(&ch->tx_wait);	/* the doorbell may be for room */
			busy = true;
		}
		if (mk_ring_pending(&ch->rx) || READ_ONCE(ch->nr_queued)) {
			mk_chan_poke(ch);
			busy = true;
		}
	}
	rcu_read_unlock();
	if (!busy)
		atomic64_inc(&mk_doorbells_idle);
}

/**
 * mk_doorbell_counts() - doorbells this kernel received
 * @total: all of them
 * @idle: those that found no work
 */
void mk_doorbell_counts(u64 *total, u64 *idle)
{
	*total = atomic64_read(&mk_doorbells_rx);
	*idle = atomic64_read(&mk_doorbells_idle);
}

/**
 * mk_chan_get_stats() - copy a channel's counters
 * @ch: the channel
 * @st: where to put them; racy snapshot, for reporting
 */
void mk_chan_get_stats(struct mk_chan *ch, struct mk_chan_stats *st)
{
	memcpy(st, &ch->stats, sizeof(*st));
}

static void mk_on_echo(struct mk_chan *ch, const struct multikernel_msg *msg,
		       const void *payload)
{
	if (msg->flags & MULTIKERNEL_MSG_F_REQUEST)
		mk_msg_reply(ch, msg, 0, payload, msg->len);
}

static int __init mk_msg_core_init(void)
{
	mk_rx_wq = alloc_workqueue("mk-rx", WQ_UNBOUND | WQ_HIGHPRI, 0);
	if (!mk_rx_wq)
		return -ENOMEM;
	return mk_msg_register_handler(MULTIKERNEL_MSG_ECHO, mk_on_echo);
}
subsys_initcall(mk_msg_core_init);
