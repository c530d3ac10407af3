/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel messaging: rings (ring.c), channels (channel.c), the host's
 * and the spawn's ends (msg_host.c, msg_spawn.c) and their users.
 */
#ifndef _KERNEL_MULTIKERNEL_MSG_H
#define _KERNEL_MULTIKERNEL_MSG_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/multikernel.h>

/* Kernel numbers in message headers: the host is 0. */
#define MK_HOST_ID		0
/* Messages a channel handles per pass before it lets others run. */
#define MK_CHAN_BUDGET		64
/*
 * Responses, and notices, a channel keeps while the peer's ring is full;
 * more are dropped.  Notices are deduplicated, so one per instance is the
 * most the host has reason to queue (PEER_GONE).
 */
#define MK_CHAN_MAX_REPLIES	16
#define MK_CHAN_MAX_NOTICES	64
/*
 * How long a message for another kernel waits for room in that kernel's
 * ring before it is dropped (and its vsock connection reset).
 */
#define MK_ROUTE_TIMEOUT	HZ

/**
 * struct mk_ring - this kernel's end of one message ring
 * @ctl: the shared control block
 * @data: the shared data area
 * @size: bytes of @data, a power of two
 * @prod: our producer index, when we produce
 * @cons: our consumer index, when we consume
 */
struct mk_ring {
	struct multikernel_msg_ring *ctl;
	u8 *data;
	u32 size;
	u64 prod;
	u64 cons;
};

u32 mk_ring_record_size(u32 len);
int mk_ring_init(struct mk_ring *r, struct multikernel_msg_ring *ctl,
		 void *data, u32 size);
bool mk_ring_has_room(struct mk_ring *r, u32 len);
int mk_ring_write(struct mk_ring *r, const struct multikernel_msg *msg,
		  const void *payload);
bool mk_ring_kick_needed(struct mk_ring *r);
void mk_ring_want_room(struct mk_ring *r);
int mk_ring_peek(struct mk_ring *r, struct multikernel_msg *msg, void *buf,
		 u32 buf_size);
void mk_ring_advance(struct mk_ring *r, u32 rec);
bool mk_ring_idle(struct mk_ring *r);
bool mk_ring_room_wanted(struct mk_ring *r);
bool mk_ring_pending(struct mk_ring *r);

/**
 * struct mk_chan_stats - counters of one channel
 * @tx_msgs: messages sent
 * @tx_bytes: payload bytes sent
 * @tx_doorbells: doorbells rung for data
 * @tx_full: sends that found the ring full
 * @rx_msgs: messages received
 * @rx_bytes: payload bytes received
 * @rx_passes: drain passes (each follows a doorbell or a budget overrun)
 * @rx_unknown: messages of a type nobody handles
 * @rx_dropped: messages that could not be forwarded or delivered
 * @room_doorbells: doorbells rung to tell the producer about room
 * @tx_queued: replies and notices that found no room and were queued
 * @tx_dropped: replies and notices dropped: the queue was full, or no memory
 * @rx_cpus: bit N set when CPU N (of the first 64) ran a receive pass
 */
struct mk_chan_stats {
	u64 tx_msgs;
	u64 tx_bytes;
	u64 tx_doorbells;
	u64 tx_full;
	u64 rx_msgs;
	u64 rx_bytes;
	u64 rx_passes;
	u64 rx_unknown;
	u64 rx_dropped;
	u64 room_doorbells;
	u64 tx_queued;
	u64 tx_dropped;
	u64 rx_cpus;
};

struct mk_chan;

/**
 * typedef mk_msg_handler_t - handles one message type
 * @ch: the channel it came on
 * @msg: its header; @msg->src is checked on the host
 * @payload: @msg->len bytes, a private copy valid during the call
 *
 * Called in process context, one message at a time per channel, in order.
 * A handler must not wait for the peer: it answers with mk_msg_reply(),
 * which queues the response when the ring is full.
 */
typedef void (*mk_msg_handler_t)(struct mk_chan *ch,
				 const struct multikernel_msg *msg,
				 const void *payload);

/**
 * typedef mk_msg_route_t - takes messages not addressed to this kernel
 * @ch: the channel the message came on
 * @msg: the header
 * @payload: the payload
 *
 * Return: 0 when done with the message (delivered or dropped), -EAGAIN to
 * be offered it again later.
 */
typedef int (*mk_msg_route_t)(struct mk_chan *ch,
			      const struct multikernel_msg *msg,
			      const void *payload);

/**
 * struct mk_chan - this kernel's end of the rings shared with one peer
 * @ref: references; the channel and its rings stay valid while held
 * @tx: the ring we produce into
 * @rx: the ring we consume
 * @self: our kernel number
 * @peer: the peer's kernel number
 * @peer_apic: APIC ID the peer's doorbell goes to; the host may move it
 *	while the channel is open (mk_msg_host_doorbell_to()), so it is read
 *	with READ_ONCE()
 * @owner: the user's context (the host's instance); it must stay valid
 *	until mk_chan_close() returned, not longer
 * @route: takes messages whose dst is not @self, or NULL
 * @failed: told that the peer broke the protocol, once, by the caller that
 *	closed the channel for it, under @tx_lock with interrupts off: it must
 *	not sleep; never called once mk_chan_close() returned
 * @undeliverable: told of a message @route kept offering for
 *	MK_ROUTE_TIMEOUT, which is then dropped; from @rx_work, or NULL
 * @rx_paused: test hook (msg_test.c): leave @rx alone
 * @err: 0 while usable; the error senders and waiters get once closed
 * @tx_lock: serialises producers, @queued and @err changes; nothing
 *	touches @tx without it and without checking @err under it
 * @tx_wait: senders waiting for room, and closing
 * @queued: replies and notices waiting for room, oldest first; every send
 *	flushes them first, so nothing overtakes them
 * @nr_queued: entries in @queued; read locklessly by the doorbell handler
 * @nr_replies: those of them that are responses
 * @rx_work: drains @rx; one pass at a time, so order is kept
 * @rx_buf: copy of the message being handled
 * @rx_stuck: the message at the head of @rx waits for its route
 * @rx_stuck_since: jiffies when it started to wait
 * @rx_dead_end: a route to @rx_dead_dst timed out and nothing reached it
 *	since: the next message for it that must wait is dropped at once
 * @rx_dead_dst: that destination
 * @req_lock: protects @reqs and @next_id
 * @reqs: requests waiting for their response
 * @next_id: id of the next request
 * @stats: counters; tx ones under @tx_lock, rx ones by @rx_work
 */
struct mk_chan {
	struct kref ref;
	struct mk_ring tx;
	struct mk_ring rx;
	u32 self;
	u32 peer;
	u32 peer_apic;
	void *owner;
	mk_msg_route_t route;
	void (*failed)(struct mk_chan *ch, const char *why);
	void (*undeliverable)(struct mk_chan *ch,
			      const struct multikernel_msg *msg,
			      const void *payload);
	bool rx_paused;
	int err;
	spinlock_t tx_lock;	/* see above */
	wait_queue_head_t tx_wait;
	struct list_head queued;
	unsigned int nr_queued;
	unsigned int nr_replies;
	struct delayed_work rx_work;
	void *rx_buf;
	bool rx_stuck;
	unsigned long rx_stuck_since;
	bool rx_dead_end;
	u32 rx_dead_dst;
	spinlock_t req_lock;	/* see above */
	struct list_head reqs;
	u64 next_id;
	struct mk_chan_stats stats;
};

/* channel.c */
struct mk_chan *mk_chan_create(void *comm, bool host_side, u32 self, u32 peer,
			       u32 peer_apic);
int mk_chan_publish(struct mk_chan *ch);
void mk_chan_close(struct mk_chan *ch, int err);
void mk_chan_dropped(struct mk_chan *ch, const struct multikernel_msg *msg,
		     const char *why);
void mk_chan_set_owner(struct mk_chan *ch, void *owner);
struct mk_chan *mk_chan_get(u32 peer);
void mk_chan_put(struct mk_chan *ch);
void mk_chan_poke(struct mk_chan *ch);
void mk_doorbell_counts(u64 *total, u64 *idle);
int mk_msg_register_handler(u16 type, mk_msg_handler_t fn);
int mk_msg_forward_notice(struct mk_chan *ch, const struct multikernel_msg *msg,
			  const void *payload);
int mk_msg_send(struct mk_chan *ch, u16 type, u32 dst,
		const void *data, u32 len);
int mk_msg_send_try(struct mk_chan *ch, u16 type, const void *data, u32 len);
int mk_msg_send_timeout(struct mk_chan *ch, u16 type, u32 dst,
			const void *data, u32 len, unsigned long timeout);
int mk_msg_forward(struct mk_chan *ch, const struct multikernel_msg *msg,
		   const void *payload);
int mk_msg_request(struct mk_chan *ch, u16 type, const void *req, u32 len,
		   void *resp, u32 resp_size, unsigned long timeout);
int mk_msg_request_async(struct mk_chan *ch, u16 type, const void *req,
			 u32 len);
int mk_msg_reply(struct mk_chan *ch, const struct multikernel_msg *req,
		 int status, const void *data, u32 len);
int mk_msg_notify(struct mk_chan *ch, u16 type, u32 dst, const void *data,
		  u32 len);
void mk_chan_get_stats(struct mk_chan *ch, struct mk_chan_stats *st);

/**
 * struct mk_resize_resp - response to a resize request
 * @rz: the request's payload, echoed
 * @why: on a refusal, text saying why; not terminated when full
 */
struct mk_resize_resp {
	struct multikernel_resize rz;
	char why[MULTIKERNEL_RESIZE_REASON_LEN];
};

/* msg_spawn.c */
void mk_spawn_heartbeat_pause(bool pause);

#endif /* _KERNEL_MULTIKERNEL_MSG_H */
