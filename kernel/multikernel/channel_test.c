// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the multikernel channel's lifetime rules: a host-side
 * channel on a private communication region, never published, and a bare
 * struct mk_ring that plays the spawn reading the host-to-spawn ring.
 *
 * No doorbell is sent: the "spawn" never sets cons_idle, and the channel
 * has no receive pass.  Should one be sent all the same, it goes to this
 * kernel's CPU 0, where it finds no channel.
 */

#include <kunit/test.h>
#include <linux/irqflags.h>
#include <linux/multikernel.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"
#include "msg.h"

#define CHAN_PEER	MK_MAX_INSTANCES
#define CHAN_BIG	SZ_4K

struct chan_env {
	void *comm;
	struct mk_chan *ch;
	struct mk_ring spawn;	/* the spawn's end of the host-to-spawn ring */
	u8 *buf;
	unsigned int failed;
	bool failed_irqs_off;
};

KUNIT_DEFINE_ACTION_WRAPPER(chan_kvfree, kvfree, const void *);

static void chan_close_put(void *data)
{
	struct mk_chan *ch = data;

	mk_chan_close(ch, -ECONNRESET);
	mk_chan_put(ch);
}

static struct chan_env *chan_env_new(struct kunit *test)
{
	struct chan_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->buf = kunit_kzalloc(test, MULTIKERNEL_MSG_MAX_PAYLOAD, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e->buf);
	e->comm = kvzalloc(MULTIKERNEL_COMM_MSG_END, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e->comm);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, chan_kvfree,
							e->comm), 0);
	e->ch = mk_chan_create(e->comm, true, MK_HOST_ID, CHAN_PEER,
			       multikernel_arch_doorbell_id(0));
	KUNIT_ASSERT_NOT_NULL(test, e->ch);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, chan_close_put,
							e->ch), 0);
	e->ch->owner = e;
	KUNIT_ASSERT_EQ(test, mk_ring_init(&e->spawn,
					   e->comm + MULTIKERNEL_COMM_MSG_H2S,
					   e->comm + MULTIKERNEL_COMM_MSG_H2S_DATA,
					   MULTIKERNEL_COMM_MSG_DATA_SIZE), 0);
	return e;
}

/* Fill the host-to-spawn ring; the number of messages it took. */
static unsigned int chan_fill(struct kunit *test, struct chan_env *e)
{
	unsigned int n = 0;
	int ret;

	while ((ret = mk_msg_send(e->ch, MULTIKERNEL_MSG_TEST, CHAN_PEER,
				  e->buf, CHAN_BIG)) == 0)
		n++;
	KUNIT_EXPECT_EQ(test, ret, -EAGAIN);
	KUNIT_EXPECT_GT(test, n, 0U);
	return n;
}

/* The spawn takes one message; its header, or type PAD if none. */
static struct multikernel_msg chan_take(struct kunit *test,
					struct chan_env *e)
{
	struct multikernel_msg msg = { .type = MULTIKERNEL_MSG_PAD };
	int rec = mk_ring_peek(&e->spawn, &msg, e->buf,
			       MULTIKERNEL_MSG_MAX_PAYLOAD);

	if (rec == -ENODATA)
		return (struct multikernel_msg){ .type = MULTIKERNEL_MSG_PAD };
	KUNIT_EXPECT_GT(test, rec, 0);
	if (rec > 0)
		mk_ring_advance(&e->spawn, rec);
	return msg;
}

static int chan_reply_to(struct chan_env *e, u64 id)
{
	struct multikernel_msg req = {
		.type	= MULTIKERNEL_MSG_ECHO,
		.flags	= MULTIKERNEL_MSG_F_REQUEST,
		.src	= CHAN_PEER,
		.id	= id,
	};

	return mk_msg_reply(e->ch, &req, 0, &id, sizeof(id));
}

/* A response into a full ring is queued, then sent before what follows. */
static void mk_chan_test_reply_queued(struct kunit *test)
{
	struct chan_env *e = chan_env_new(test);
	struct mk_chan_stats st;
	struct multikernel_msg msg;
	unsigned int i, n = chan_fill(test, e);

	KUNIT_EXPECT_EQ(test, chan_reply_to(e, 7), 0);
	mk_chan_get_stats(e->ch, &st);
	KUNIT_EXPECT_EQ(test, st.tx_queued, 1ULL);
	KUNIT_EXPECT_EQ(test, READ_ONCE(e->ch->nr_queued), 1U);
	/* The response waits for room; nothing may overtake it. */
	KUNIT_EXPECT_EQ(test, mk_msg_send(e->ch, MULTIKERNEL_MSG_TEST,
					  CHAN_PEER, e->buf, 8), -EAGAIN);
	/* It asked the spawn to ring when it frees room. */
	KUNIT_EXPECT_NE(test, READ_ONCE(e->spawn.ctl->prod_waiting), 0U);

	msg = chan_take(test, e);
	KUNIT_EXPECT_EQ(test, msg.type, MULTIKERNEL_MSG_TEST);
	KUNIT_EXPECT_EQ(test, mk_msg_send(e->ch, MULTIKERNEL_MSG_TEST,
					  CHAN_PEER, e->buf, 8), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(e->ch->nr_queued), 0U);
	for (i = 1; i < n; i++)
		KUNIT_EXPECT_EQ(test, chan_take(test, e).len, CHAN_BIG);
	msg = chan_take(test, e);
	KUNIT_EXPECT_EQ(test, msg.type, MULTIKERNEL_MSG_ECHO);
	KUNIT_EXPECT_EQ(test, msg.flags, MULTIKERNEL_MSG_F_RESPONSE);
	KUNIT_EXPECT_EQ(test, msg.id, 7ULL);
	msg = chan_take(test, e);
	KUNIT_EXPECT_EQ(test, msg.type, MULTIKERNEL_MSG_TEST);
	KUNIT_EXPECT_EQ(test, msg.len, 8U);
	KUNIT_EXPECT_EQ(test, chan_take(test, e).type, MULTIKERNEL_MSG_PAD);
}

/* The queue is bounded; equal notices are kept once; order is kept. */
static void mk_chan_test_queue_bounds(struct kunit *test)
{
	struct chan_env *e = chan_env_new(test);
	struct multikernel_msg msg;
	struct mk_chan_stats st;
	u32 gone[] = { 3, 3, 4 };
	unsigned int i;

	chan_fill(test, e);
	for (i = 0; i < MK_CHAN_MAX_REPLIES; i++)
		KUNIT_EXPECT_EQ(test, chan_reply_to(e, i), 0);
	KUNIT_EXPECT_EQ(test, chan_reply_to(e, i), -ENOBUFS);
	for (i = 0; i < ARRAY_SIZE(gone); i++)
		KUNIT_EXPECT_EQ(test, mk_msg_notify(e->ch,
						    MULTIKERNEL_MSG_PEER_GONE,
						    CHAN_PEER, &gone[i],
						    sizeof(gone[i])), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(e->ch->nr_queued),
			MK_CHAN_MAX_REPLIES + 2);
	mk_chan_get_stats(e->ch, &st);
	KUNIT_EXPECT_EQ(test, st.tx_dropped, 1ULL);

	/* The spawn reads everything; the next send flushes the queue. */
	while (chan_take(test, e).type != MULTIKERNEL_MSG_PAD)
		;
	KUNIT_EXPECT_EQ(test, mk_msg_send(e->ch, MULTIKERNEL_MSG_TEST,
					  CHAN_PEER, e->buf, 8), 0);
	for (i = 0; i < MK_CHAN_MAX_REPLIES; i++) {
		msg = chan_take(test, e);
		KUNIT_EXPECT_EQ(test, msg.type, MULTIKERNEL_MSG_ECHO);
		KUNIT_EXPECT_EQ(test, msg.id, (u64)i);
	}
	for (i = 3; i <= 4; i++) {
		msg = chan_take(test, e);
		KUNIT_EXPECT_EQ(test, msg.type, MULTIKERNEL_MSG_PEER_GONE);
		KUNIT_EXPECT_EQ(test, *(u32 *)e->buf, i);
	}
	KUNIT_EXPECT_EQ(test, chan_take(test, e).type, MULTIKERNEL_MSG_TEST);
	KUNIT_EXPECT_EQ(test, READ_ONCE(e->ch->nr_queued), 0U);
}

/* Once closed, no send of any kind writes a byte of the rings. */
static void mk_chan_test_closed(struct kunit *test)
{
	struct chan_env *e = chan_env_new(test);
	struct multikernel_msg fwd = { .type = MULTIKERNEL_MSG_TEST,
				       .dst = CHAN_PEER };
	unsigned long t0;
	u32 id = 5;

	chan_fill(test, e);
	KUNIT_EXPECT_EQ(test, chan_reply_to(e, 1), 0);
	mk_chan_close(e->ch, -ECONNRESET);
	KUNIT_EXPECT_EQ(test, READ_ONCE(e->ch->nr_queued), 0U);

	/* The memory is someone else's now. */
	memset(e->comm, 0xa5, MULTIKERNEL_COMM_MSG_END);
	KUNIT_EXPECT_EQ(test, mk_msg_send(e->ch, MULTIKERNEL_MSG_TEST,
					  CHAN_PEER, e->buf, 8), -ECONNRESET);
	KUNIT_EXPECT_EQ(test, mk_msg_forward(e->ch, &fwd, e->buf),
			-ECONNRESET);
	t0 = jiffies;
	KUNIT_EXPECT_EQ(test, mk_msg_send_timeout(e->ch, MULTIKERNEL_MSG_TEST,
						  CHAN_PEER, e->buf, 8, HZ),
			-ECONNRESET);
	KUNIT_EXPECT_LT(test, jiffies - t0, (unsigned long)HZ / 2);
	KUNIT_EXPECT_EQ(test, chan_reply_to(e, 2), -ECONNRESET);
	KUNIT_EXPECT_EQ(test, mk_msg_notify(e->ch, MULTIKERNEL_MSG_PEER_GONE,
					    CHAN_PEER, &id, sizeof(id)),
			-ECONNRESET);
	KUNIT_EXPECT_EQ(test, mk_msg_request_async(e->ch, MULTIKERNEL_MSG_ECHO,
						   NULL, 0), -ECONNRESET);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(e->comm, 0xa5,
					     MULTIKERNEL_COMM_MSG_END), NULL);
}

static void chan_failed(struct mk_chan *ch, const char *why)
{
	struct chan_env *e = ch->owner;

	e->failed++;
	e->failed_irqs_off = irqs_disabled();
}

/* A corrupted index closes the channel; the owner hears of it once. */
static void mk_chan_test_failed_once(struct kunit *test)
{
	struct chan_env *e = chan_env_new(test);

	e->ch->failed = chan_failed;
	WRITE_ONCE(e->spawn.ctl->cons, 5);	/* not aligned */
	KUNIT_EXPECT_EQ(test, mk_msg_send(e->ch, MULTIKERNEL_MSG_TEST,
					  CHAN_PEER, e->buf, 8), -EPROTO);
	KUNIT_EXPECT_EQ(test, e->failed, 1U);
	KUNIT_EXPECT_TRUE(test, e->failed_irqs_off);
	KUNIT_EXPECT_EQ(test, mk_msg_send(e->ch, MULTIKERNEL_MSG_TEST,
					  CHAN_PEER, e->buf, 8), -EPROTO);
	KUNIT_EXPECT_EQ(test, chan_reply_to(e, 1), -EPROTO);
	mk_chan_close(e->ch, -ECONNRESET);
	KUNIT_EXPECT_EQ(test, READ_ONCE(e->ch->err), -EPROTO);
	KUNIT_EXPECT_EQ(test, e->failed, 1U);
}

static struct kunit_case mk_chan_cases[] = {
	KUNIT_CASE(mk_chan_test_reply_queued),
	KUNIT_CASE(mk_chan_test_queue_bounds),
	KUNIT_CASE(mk_chan_test_closed),
	KUNIT_CASE(mk_chan_test_failed_once),
	{}
};

static struct kunit_suite mk_chan_suite = {
	.name = "multikernel-channel",
	.test_cases = mk_chan_cases,
};

kunit_test_suite(mk_chan_suite);
