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
 * does.
 *
 * Locking: tx_lock serialises senders and the closing of a channel, so no
 * sender touches the rings once mk_chan_close() returned; req_lock guards
 * the pending requests; the receive side has one user, its work item.
 * mk_chans[] is RCU-protected; a reference keeps a channel's memory, but
 * not its rings, valid.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/multikernel.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"
#include "msg.h"

/* How long a reply may wait for room before it is dropped. */
#define MK_REPLY_TIMEOUT	HZ

static mk_msg_handler_t mk_handlers[MULTIKERNEL_MSG_NR_TYPES];
static struct mk_chan __rcu *mk_chans[MK_MAX_INSTANCES + 1];
static DEFINE_SPINLOCK(mk_chans_lock);
static atomic64_t mk_doorbells_rx;
static atomic64_t mk_doorbells_idle;

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
	multikernel_arch_doorbell(ch->peer_apic);
}

/* Close for senders and requesters; the receive side is the caller's. */
static void mk_chan_shut(struct mk_chan *ch, int err)
{
	struct mk_req *req, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&ch->tx_lock, flags);
	if (!ch->err)
		WRITE_ONCE(ch->err, err);
	spin_unlock_irqrestore(&ch->tx_lock, flags);
	wake_up_all(&ch->tx_wait);

	spin_lock(&ch->req_lock);
	list_for_each_entry_safe(req, tmp, &ch->reqs, node) {
		list_del_init(&req->node);
		req->status = err;
		complete(&req->done);
	}
	spin_unlock(&ch->req_lock);
}

static void mk_chan_broken(struct mk_chan *ch, const char *why)
{
	mk_chan_shut(ch, -EPROTO);
	if (ch->failed)
		ch->failed(ch, why);
}

/* One message; @try: do not spin for the lock (panic). */
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
	} else {
		spin_lock_irqsave(&ch->tx_lock, flags);
	}
	ret = ch->err;
	if (!ret)
		ret = mk_ring_write(&ch->tx, msg, payload);
	if (!ret) {
		ch->stats.tx_msgs++;
		ch->stats.tx_bytes += msg->len;
		kick = mk_ring_kick_needed(&ch->tx);
		ch->stats.tx_doorbells += kick;
	} else if (ret == -EAGAIN) {
		ch->stats.tx_full++;
	}
	spin_unlock_irqrestore(&ch->tx_lock, flags);

	if (ret == -EPROTO && !try)
		mk_chan_broken(ch, "the peer corrupted its consumer index");
	if (kick)
		mk_chan_kick(ch);
	return ret;
}

static bool mk_chan_room_or_closed(struct mk_chan *ch, u32 len)
{
	return READ_ONCE(ch->err) || mk_ring_has_room(&ch->tx, len);
}

/* Send, waiting up to @timeout jiffies for room. */
static int mk_chan_send_wait(struct mk_chan *ch,
			     const struct multikernel_msg *msg,
			     const void *payload, unsigned long timeout)
{
	unsigned long deadline = jiffies + timeout;
	unsigned long flags;
	long left;
	int ret;

	for (;;) {
		ret = mk_chan_send_msg(ch, msg, payload, false);
		if (ret != -EAGAIN)
			return ret;
		spin_lock_irqsave(&ch->tx_lock, flags);
		mk_ring_want_room(&ch->tx);
		spin_unlock_irqrestore(&ch->tx_lock, flags);
		if (mk_ring_has_room(&ch->tx, msg->len))
			continue;
		if (time_after_eq(jiffies, deadline))
			return -ETIMEDOUT;
		left = wait_event_interruptible_timeout(ch->tx_wait,
							mk_chan_room_or_closed(ch, msg->len),
							deadline - jiffies);
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
 * May be called in any context but NMI.
 *
 * Return: 0; -EAGAIN if the ring is full; -EMSGSIZE; the channel's error
 * (-ECONNRESET once the peer is gone, -EPROTO if it broke the protocol).
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
 * For the panic path, where the lock holder may never run again.
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
 * Return: as mk_msg_send(); on -EAGAIN the channel's consumer is asked to
 * ring when it frees room.
 */
int mk_msg_forward(struct mk_chan *ch, const struct multikernel_msg *msg,
		   const void *payload)
{
	unsigned long flags;
	int ret = mk_chan_send_msg(ch, msg, payload, false);

	if (ret == -EAGAIN) {
		spin_lock_irqsave(&ch->tx_lock, flags);
		mk_ring_want_room(&ch->tx);
		spin_unlock_irqrestore(&ch->tx_lock, flags);
	}
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
 * Return: bytes of response copied; the responder's negative status;
 * -ETIMEDOUT; the channel's error if it closes meanwhile; the errors of
 * mk_msg_send_timeout().
 */
int mk_msg_request(struct mk_chan *ch, u16 type, const void *req, u32 len,
		   void *resp, u32 resp_size, unsigned long timeout)
{
	struct mk_req r = { .resp = resp, .resp_size = resp_size };
	struct multikernel_msg msg;
	int ret;

	init_completion(&r.done);
	spin_lock(&ch->req_lock);
	r.id = ++ch->next_id;
	list_add_tail(&r.node, &ch->reqs);
	spin_unlock(&ch->req_lock);

	mk_msg_fill(&msg, ch, type, ch->peer, len);
	msg.flags = MULTIKERNEL_MSG_F_REQUEST;
	msg.id = r.id;
	ret = mk_chan_send_wait(ch, &msg, req, timeout);
	if (!ret && !wait_for_completion_timeout(&r.done, timeout))
		ret = -ETIMEDOUT;

	spin_lock(&ch->req_lock);
	list_del_init(&r.node);
	spin_unlock(&ch->req_lock);
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
 * @type with MULTIKERNEL_MSG_F_RESPONSE set.
 *
 * Return: as mk_msg_send().
 */
int mk_msg_request_async(struct mk_chan *ch, u16 type, const void *req,
			 u32 len)
{
	struct multikernel_msg msg;

	mk_msg_fill(&msg, ch, type, ch->peer, len);
	msg.flags = MULTIKERNEL_MSG_F_REQUEST;
	spin_lock(&ch->req_lock);
	msg.id = ++ch->next_id;
	spin_unlock(&ch->req_lock);
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
 * Waits up to a second for room, then drops the response.
 *
 * Return: as mk_msg_send_timeout().
 */
int mk_msg_reply(struct mk_chan *ch, const struct multikernel_msg *req,
		 int status, const void *data, u32 len)
{
	struct multikernel_msg msg;

	mk_msg_fill(&msg, ch, req->type, req->src, len);
	msg.flags = MULTIKERNEL_MSG_F_RESPONSE;
	msg.id = req->id;
	msg.status = status;
	return mk_chan_send_wait(ch, &msg, data, MK_REPLY_TIMEOUT);
}

/* Hand a response to its waiter; false if nobody waits for it. */
static bool mk_chan_complete_req(struct mk_chan *ch,
				 const struct multikernel_msg *msg,
				 const void *payload)
{
	struct mk_req *req;
	bool found = false;

	spin_lock(&ch->req_lock);
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
	spin_unlock(&ch->req_lock);
	return found;
}

static int mk_chan_deliver(struct mk_chan *ch, struct multikernel_msg *msg,
			   const void *payload)
{
	mk_msg_handler_t fn = NULL;

	if (msg->dst != ch->self) {
		if (ch->route)
			return ch->route(ch, msg, payload);
		ch->stats.rx_dropped++;
		return 0;
	}
	ch->stats.rx_msgs++;
	ch->stats.rx_bytes += msg->len;
	if ((msg->flags & MULTIKERNEL_MSG_F_RESPONSE) &&
	    mk_chan_complete_req(ch, msg, payload))
		return 0;
	if (msg->type < MULTIKERNEL_MSG_NR_TYPES)
		fn = READ_ONCE(mk_handlers[msg->type]);
	if (fn) {
		fn(ch, msg, payload);
		return 0;
	}
	ch->stats.rx_unknown++;
	if (msg->flags & MULTIKERNEL_MSG_F_REQUEST)
		mk_msg_reply(ch, msg, -EOPNOTSUPP, NULL, 0);
	return 0;
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
	wake_up(&ch->tx_wait);	/* the doorbell may announce room */
	for (n = 0; n < MK_CHAN_BUDGET; n++) {
		rec = mk_ring_peek(&ch->rx, &msg, ch->rx_buf,
				   MULTIKERNEL_MSG_MAX_PAYLOAD);
		if (rec == -ENODATA) {
			if (mk_ring_idle(&ch->rx))
				return;
			continue;
		}
		if (rec < 0) {
			mk_chan_broken(ch, "the peer wrote a malformed message");
			return;
		}
		if (ch->self == MK_HOST_ID)
			msg.src = ch->peer;	/* never the spawn's word */
		if (mk_chan_deliver(ch, &msg, ch->rx_buf) == -EAGAIN) {
			queue_delayed_work(system_highpri_wq, &ch->rx_work, 1);
			return;
		}
		mk_ring_advance(&ch->rx, rec);
		if (mk_ring_room_wanted(&ch->rx)) {
			ch->stats.room_doorbells++;
			mk_chan_kick(ch);
		}
		if (READ_ONCE(ch->err))
			return;
	}
	queue_delayed_work(system_highpri_wq, &ch->rx_work, 0);
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
	struct mk_chan *ch = kzalloc(sizeof(*ch), GFP_KERNEL);

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
	synchronize_rcu();	/* no doorbell handler sees it any more */
	mk_chan_shut(ch, err);
	cancel_delayed_work_sync(&ch->rx_work);
}

static void mk_chan_release(struct kref *ref)
{
	struct mk_chan *ch = container_of(ref, struct mk_chan, ref);

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
	ch = rcu_dereference(mk_chans[peer]);
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
	queue_delayed_work(system_highpri_wq, &ch->rx_work, 0);
}

/**
 * multikernel_doorbell() - another kernel rang this one
 *
 * Called by the architecture's interrupt handler.  The doorbell does not
 * say who rang: each published channel with unread data or a waiting
 * sender gets a receive pass.  Bounded by the number of instances.
 */
void multikernel_doorbell(void)
{
	struct mk_chan *ch;
	bool busy = false;
	unsigned int i;

	atomic64_inc(&mk_doorbells_rx);
	rcu_read_lock();
	for (i = 0; i <= MK_MAX_INSTANCES; i++) {
		ch = rcu_dereference(mk_chans[i]);
		if (!ch || READ_ONCE(ch->err))
			continue;
		if (mk_ring_pending(&ch->rx) || wq_has_sleeper(&ch->tx_wait)) {
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
	return mk_msg_register_handler(MULTIKERNEL_MSG_ECHO, mk_on_echo);
}
subsys_initcall(mk_msg_core_init);
