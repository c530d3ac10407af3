// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel message ring: one producer, one consumer, each in its own
 * kernel, sharing a control block and a data area.
 *
 * Both indices count bytes and run free; the data offset is the index
 * modulo the (power of two) data size.  Each side keeps its own index in
 * struct mk_ring and only ever writes it out: it never reads its own index
 * back from shared memory, and it checks every value the other side wrote
 * before using it.  A record is copied out of the ring before any of it is
 * looked at twice.  Nothing here loops on a value the peer controls.
 *
 * Wake-ups follow the "need wakeup" pattern: a consumer about to sleep sets
 * cons_idle and looks again; a producer that published clears it and, if it
 * was set, rings.  A burst costs one doorbell, and none is sent while the
 * consumer is draining.  prod_waiting does the same for room.
 *
 * The flag a producer clears is not necessarily the one set before its
 * message: the consumer may have read the message and gone idle again in
 * between.  So a doorbell that finds cons_idle clear owes the consumer a
 * pass even when there is nothing to read, which sets the flag again; see
 * mk_ring_pending().
 *
 * No locking: the caller serialises producers and consumers of one ring.
 */

#include <linux/align.h>
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/string.h>

#include "msg.h"

/**
 * mk_ring_record_size() - bytes a message takes in a ring
 * @len: payload bytes
 *
 * Return: header and payload, rounded up to MULTIKERNEL_MSG_ALIGN.
 */
u32 mk_ring_record_size(u32 len)
{
	return ALIGN(sizeof(struct multikernel_msg) + len, MULTIKERNEL_MSG_ALIGN);
}

/**
 * mk_ring_init() - attach to a ring in shared memory
 * @r: the ring
 * @ctl: its control block
 * @data: its data area
 * @size: bytes of @data, a power of two
 *
 * The indices start at zero: the caller zeroed the control block, or the
 * peer did before it told us about the ring.
 *
 * Return: 0, or -EINVAL if @size is not a power of two of at least
 * twice the largest record.
 */
int mk_ring_init(struct mk_ring *r, struct multikernel_msg_ring *ctl,
		 void *data, u32 size)
{
	if (!is_power_of_2(size) ||
	    size < 2 * mk_ring_record_size(MULTIKERNEL_MSG_MAX_PAYLOAD))
		return -EINVAL;
	r->ctl = ctl;
	r->data = data;
	r->size = size;
	r->prod = 0;
	r->cons = 0;
	return 0;
}

/* Free bytes from the producer's view; -EPROTO if cons makes no sense. */
static s64 mk_ring_room(struct mk_ring *r)
{
	u64 cons = smp_load_acquire(&r->ctl->cons);	/* slots before reuse */
	u64 used = r->prod - cons;

	if (used > r->size || cons % MULTIKERNEL_MSG_ALIGN)
		return -EPROTO;
	return r->size - used;
}

/* Bytes a record of @rec bytes needs at @prod, pad included. */
static u32 mk_ring_need(const struct mk_ring *r, u32 rec)
{
	u32 off = r->prod & (r->size - 1);
	u32 tail = r->size - off;

	return rec <= tail ? rec : tail + rec;
}

/**
 * mk_ring_has_room() - tell whether a payload fits now
 * @r: the ring, producer side
 * @len: payload bytes
 *
 * Return: true if mk_ring_write() of @len bytes would not fail -EAGAIN;
 * also true if the ring is corrupted, so that waiters look again and get
 * the error.
 */
bool mk_ring_has_room(struct mk_ring *r, u32 len)
{
	s64 room = mk_ring_room(r);

	return room < 0 || room >= mk_ring_need(r, mk_ring_record_size(len));
}

static void mk_ring_put(struct mk_ring *r, u32 off, const void *src, u32 n)
{
	memcpy(r->data + off, src, n);
}

/**
 * mk_ring_write() - publish one message
 * @r: the ring, producer side
 * @msg: the header; @msg->len gives the payload size
 * @payload: @msg->len bytes
 *
 * Return: 0; -EMSGSIZE if the payload is larger than
 * MULTIKERNEL_MSG_MAX_PAYLOAD; -EAGAIN if the ring has no room now;
 * -EPROTO if the consumer's index is corrupted.
 */
int mk_ring_write(struct mk_ring *r, const struct multikernel_msg *msg,
		  const void *payload)
{
	u32 rec, off, tail;
	s64 room;

	if (msg->len > MULTIKERNEL_MSG_MAX_PAYLOAD)
		return -EMSGSIZE;
	room = mk_ring_room(r);
	if (room < 0)
		return room;
	rec = mk_ring_record_size(msg->len);
	if (room < mk_ring_need(r, rec))
		return -EAGAIN;

	off = r->prod & (r->size - 1);
	tail = r->size - off;
	if (rec > tail) {
		struct multikernel_msg pad = {
			.len	= tail - sizeof(pad),
			.type	= MULTIKERNEL_MSG_PAD,
		};

		mk_ring_put(r, off, &pad, sizeof(pad));
		r->prod += tail;
		off = 0;
	}
	mk_ring_put(r, off, msg, sizeof(*msg));
	mk_ring_put(r, off + sizeof(*msg), payload, msg->len);
	r->prod += rec;
	smp_store_release(&r->ctl->prod, r->prod);	/* data before index */
	return 0;
}

/**
 * mk_ring_kick_needed() - after publishing, tell whether to ring
 * @r: the ring, producer side
 *
 * Return: true if the consumer was idle; it is not any more, so only the
 * first message of a burst rings.
 */
bool mk_ring_kick_needed(struct mk_ring *r)
{
	smp_mb();	/* index published before the flag is read */
	return READ_ONCE(r->ctl->cons_idle) && xchg(&r->ctl->cons_idle, 0);
}

/**
 * mk_ring_want_room() - ask the consumer to ring when it frees room
 * @r: the ring, producer side
 *
 * The caller checks for room again afterwards: the consumer may have
 * freed it before it saw the flag.
 */
void mk_ring_want_room(struct mk_ring *r)
{
	WRITE_ONCE(r->ctl->prod_waiting, 1);
	smp_mb();	/* flag before the index is read again */
}

/* Bytes to read from the consumer's view; -EPROTO if prod makes no sense. */
static s64 mk_ring_avail(struct mk_ring *r)
{
	u64 prod = smp_load_acquire(&r->ctl->prod);	/* index before data */
	u64 avail = prod - r->cons;

	if (avail > r->size || prod % MULTIKERNEL_MSG_ALIGN)
		return -EPROTO;
	return avail;
}

/* Copy and check the record at cons; its size, or a negative errno. */
static int mk_ring_peek_one(struct mk_ring *r, struct multikernel_msg *msg,
			    void *buf, u32 buf_size)
{
	u32 off = r->cons & (r->size - 1);
	s64 avail = mk_ring_avail(r);
	u32 rec;

	if (avail <= 0)
		return avail ? avail : -ENODATA;
	if (avail < sizeof(*msg))
		return -EPROTO;
	memcpy(msg, r->data + off, sizeof(*msg));
	if (msg->len > MULTIKERNEL_MSG_MAX_PAYLOAD)
		return -EPROTO;
	rec = mk_ring_record_size(msg->len);
	if (rec > avail || rec > r->size - off)
		return -EPROTO;
	if (msg->type == MULTIKERNEL_MSG_PAD)
		return rec == r->size - off ? rec : -EPROTO;
	if (msg->len > buf_size)
		return -EPROTO;
	memcpy(buf, r->data + off + sizeof(*msg), msg->len);
	return rec;
}

/**
 * mk_ring_peek() - copy out the next message without consuming it
 * @r: the ring, consumer side
 * @msg: receives the header
 * @buf: receives the payload
 * @buf_size: room in @buf, at least MULTIKERNEL_MSG_MAX_PAYLOAD
 *
 * A pad record at the end of the data area is consumed on the way.
 *
 * Return: the record size to pass to mk_ring_advance(); -ENODATA if the
 * ring is empty; -EPROTO if the producer wrote something inconsistent.
 */
int mk_ring_peek(struct mk_ring *r, struct multikernel_msg *msg, void *buf,
		 u32 buf_size)
{
	int rec = mk_ring_peek_one(r, msg, buf, buf_size);

	if (rec <= 0 || msg->type != MULTIKERNEL_MSG_PAD)
		return rec;
	mk_ring_advance(r, rec);
	rec = mk_ring_peek_one(r, msg, buf, buf_size);
	/* A pad is only ever followed by a record at offset 0. */
	return rec > 0 && msg->type == MULTIKERNEL_MSG_PAD ? -EPROTO : rec;
}

/**
 * mk_ring_advance() - consume the record mk_ring_peek() returned
 * @r: the ring, consumer side
 * @rec: its size
 */
void mk_ring_advance(struct mk_ring *r, u32 rec)
{
	r->cons += rec;
	smp_store_release(&r->ctl->cons, r->cons);	/* copied before reuse */
}

/**
 * mk_ring_idle() - tell the producer to ring for the next message
 * @r: the ring, consumer side, found empty
 *
 * Return: true if the ring is still empty: sleep until the doorbell; false
 * if a message arrived meanwhile: keep draining.
 */
bool mk_ring_idle(struct mk_ring *r)
{
	WRITE_ONCE(r->ctl->cons_idle, 1);
	smp_mb();	/* flag before the index is read again */
	if (mk_ring_avail(r) == 0)
		return true;
	WRITE_ONCE(r->ctl->cons_idle, 0);
	return false;
}

/**
 * mk_ring_room_wanted() - after consuming, tell whether to ring the producer
 * @r: the ring, consumer side
 *
 * Return: true if the producer waits for room; the flag is cleared.
 */
bool mk_ring_room_wanted(struct mk_ring *r)
{
	smp_mb();	/* index published before the flag is read */
	return READ_ONCE(r->ctl->prod_waiting) &&
	       xchg(&r->ctl->prod_waiting, 0);
}

/**
 * mk_ring_pending() - after a doorbell, tell whether the consumer must look
 * @r: the ring, consumer side
 *
 * Cheap and lockless, for interrupt context.  Invariant: the consumer
 * sleeps only with cons_idle set.  A producer may clear a flag the consumer
 * set after it had read the producer's message already: it published,
 * the consumer drained and went idle, and only then the producer cleared
 * the flag and rang.  That doorbell finds nothing to read, yet the
 * consumer must look, to set the flag again; else no later message rings.
 *
 * Return: true if the producer's index differs from ours, or if cons_idle
 * is clear (a pass sets it again once the ring is empty).
 */
bool mk_ring_pending(struct mk_ring *r)
{
	return READ_ONCE(r->ctl->prod) != r->cons ||
	       !READ_ONCE(r->ctl->cons_idle);
}
