// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the multikernel message ring: two struct mk_ring on one
 * control block and data area play the two kernels.
 */

#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "msg.h"

#define RING_SIZE	SZ_256K

struct ring_pair {
	struct multikernel_msg_ring ctl;
	u8 *data;
	struct mk_ring prod;
	struct mk_ring cons;
	u8 *buf;
};

static struct ring_pair *ring_pair_new(struct kunit *test)
{
	struct ring_pair *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	p->data = kunit_kzalloc(test, RING_SIZE, GFP_KERNEL);
	p->buf = kunit_kzalloc(test, MULTIKERNEL_MSG_MAX_PAYLOAD, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p->data);
	KUNIT_ASSERT_NOT_NULL(test, p->buf);
	KUNIT_ASSERT_EQ(test, mk_ring_init(&p->prod, &p->ctl, p->data,
					   RING_SIZE), 0);
	KUNIT_ASSERT_EQ(test, mk_ring_init(&p->cons, &p->ctl, p->data,
					   RING_SIZE), 0);
	return p;
}

static int ring_put(struct ring_pair *p, u16 type, u64 id, u32 len)
{
	struct multikernel_msg msg = { .len = len, .type = type, .id = id };

	memset(p->buf, (u8)id, len);
	return mk_ring_write(&p->prod, &msg, p->buf);
}

/* Take one message and check it is (@type, @id) with its payload. */
static void ring_expect(struct kunit *test, struct ring_pair *p, u16 type,
			u64 id, u32 len)
{
	struct multikernel_msg msg;
	int rec = mk_ring_peek(&p->cons, &msg, p->buf,
			       MULTIKERNEL_MSG_MAX_PAYLOAD);

	KUNIT_ASSERT_GT(test, rec, 0);
	KUNIT_EXPECT_EQ(test, msg.type, type);
	KUNIT_EXPECT_EQ(test, msg.id, id);
	KUNIT_ASSERT_EQ(test, msg.len, len);
	KUNIT_EXPECT_TRUE(test, !len || !memchr_inv(p->buf, (u8)id, len));
	mk_ring_advance(&p->cons, rec);
}

static void mk_ring_test_init(struct kunit *test)
{
	struct multikernel_msg_ring ctl = {};
	struct mk_ring r;
	u8 data[64];

	KUNIT_EXPECT_EQ(test, mk_ring_init(&r, &ctl, data, 3 * SZ_64K), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_ring_init(&r, &ctl, data, SZ_64K), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_ring_record_size(0), MULTIKERNEL_MSG_ALIGN);
	KUNIT_EXPECT_EQ(test, mk_ring_record_size(1), 2 * MULTIKERNEL_MSG_ALIGN);
}

static void mk_ring_test_order(struct kunit *test)
{
	struct ring_pair *p = ring_pair_new(test);
	struct multikernel_msg msg;
	int i;

	KUNIT_EXPECT_EQ(test, mk_ring_peek(&p->cons, &msg, p->buf,
					   MULTIKERNEL_MSG_MAX_PAYLOAD), -ENODATA);
	for (i = 0; i < 10; i++)
		KUNIT_ASSERT_EQ(test, ring_put(p, MULTIKERNEL_MSG_TEST, i, i * 7), 0);
	for (i = 0; i < 10; i++)
		ring_expect(test, p, MULTIKERNEL_MSG_TEST, i, i * 7);
	KUNIT_EXPECT_EQ(test, mk_ring_peek(&p->cons, &msg, p->buf,
					   MULTIKERNEL_MSG_MAX_PAYLOAD), -ENODATA);
}

static void mk_ring_test_full(struct kunit *test)
{
	struct ring_pair *p = ring_pair_new(test);
	u32 len = SZ_4K, n = 0;

	while (ring_put(p, MULTIKERNEL_MSG_TEST, n, len) == 0)
		n++;
	KUNIT_EXPECT_EQ(test, n, RING_SIZE / mk_ring_record_size(len));
	KUNIT_EXPECT_EQ(test, ring_put(p, MULTIKERNEL_MSG_TEST, n, len), -EAGAIN);
	KUNIT_EXPECT_FALSE(test, mk_ring_has_room(&p->prod, len));
	ring_expect(test, p, MULTIKERNEL_MSG_TEST, 0, len);
	KUNIT_EXPECT_TRUE(test, mk_ring_has_room(&p->prod, len));
	KUNIT_EXPECT_EQ(test, ring_put(p, MULTIKERNEL_MSG_TEST, n, len), 0);
	KUNIT_EXPECT_EQ(test, ring_put(p, MULTIKERNEL_MSG_TEST, 0,
				       MULTIKERNEL_MSG_MAX_PAYLOAD + 1), -EMSGSIZE);
}

/* Many sizes through many wraps: pads are skipped, nothing lost. */
static void mk_ring_test_wrap(struct kunit *test)
{
	struct ring_pair *p = ring_pair_new(test);
	u64 sent = 0, got = 0;

	while (got < 3000) {
		while (sent - got < 20 &&
		       ring_put(p, MULTIKERNEL_MSG_TEST, sent,
				(sent * 977) % SZ_8K) == 0)
			sent++;
		ring_expect(test, p, MULTIKERNEL_MSG_TEST, got,
			    (got * 977) % SZ_8K);
		got++;
	}
	KUNIT_EXPECT_GT(test, p->cons.cons, 10ULL * RING_SIZE);
}

static void mk_ring_test_doorbells(struct kunit *test)
{
	struct ring_pair *p = ring_pair_new(test);
	struct multikernel_msg msg;
	int rec;

	/* Consumer busy: no doorbell. */
	ring_put(p, MULTIKERNEL_MSG_TEST, 1, 8);
	KUNIT_EXPECT_FALSE(test, mk_ring_kick_needed(&p->prod));
	/* Not idle while something is there. */
	KUNIT_EXPECT_FALSE(test, mk_ring_idle(&p->cons));
	rec = mk_ring_peek(&p->cons, &msg, p->buf, MULTIKERNEL_MSG_MAX_PAYLOAD);
	mk_ring_advance(&p->cons, rec);
	KUNIT_EXPECT_TRUE(test, mk_ring_idle(&p->cons));
	/* A burst after that rings once. */
	ring_put(p, MULTIKERNEL_MSG_TEST, 2, 8);
	KUNIT_EXPECT_TRUE(test, mk_ring_kick_needed(&p->prod));
	ring_put(p, MULTIKERNEL_MSG_TEST, 3, 8);
	KUNIT_EXPECT_FALSE(test, mk_ring_kick_needed(&p->prod));
	/* Room: asked for once, announced once. */
	KUNIT_EXPECT_FALSE(test, mk_ring_room_wanted(&p->cons));
	mk_ring_want_room(&p->prod);
	KUNIT_EXPECT_TRUE(test, mk_ring_room_wanted(&p->cons));
	KUNIT_EXPECT_FALSE(test, mk_ring_room_wanted(&p->cons));
}

static int ring_peek(struct ring_pair *p)
{
	struct multikernel_msg msg;

	return mk_ring_peek(&p->cons, &msg, p->buf, MULTIKERNEL_MSG_MAX_PAYLOAD);
}

/* Whatever the producer writes, the consumer gets -EPROTO, not a crash. */
static void mk_ring_test_bad_producer(struct kunit *test)
{
	struct ring_pair *p = ring_pair_new(test);
	struct multikernel_msg *hdr = (void *)p->data;

	p->ctl.prod = RING_SIZE + MULTIKERNEL_MSG_ALIGN;	/* beyond size */
	KUNIT_EXPECT_EQ(test, ring_peek(p), -EPROTO);
	p->ctl.prod = 8;					/* misaligned */
	KUNIT_EXPECT_EQ(test, ring_peek(p), -EPROTO);
	p->ctl.prod = 64;
	hdr->len = U32_MAX;					/* huge length */
	KUNIT_EXPECT_EQ(test, ring_peek(p), -EPROTO);
	hdr->len = 64;						/* past prod */
	KUNIT_EXPECT_EQ(test, ring_peek(p), -EPROTO);
	hdr->len = 0;
	hdr->type = MULTIKERNEL_MSG_PAD;			/* pad mid-ring */
	KUNIT_EXPECT_EQ(test, ring_peek(p), -EPROTO);
	hdr->type = MULTIKERNEL_MSG_TEST;			/* fine again */
	KUNIT_EXPECT_EQ(test, ring_peek(p), MULTIKERNEL_MSG_ALIGN);
}

static void mk_ring_test_bad_consumer(struct kunit *test)
{
	struct ring_pair *p = ring_pair_new(test);

	p->ctl.cons = 2 * RING_SIZE;	/* "consumed" more than was written */
	KUNIT_EXPECT_EQ(test, ring_put(p, MULTIKERNEL_MSG_TEST, 0, 8), -EPROTO);
	p->ctl.cons = 5;
	KUNIT_EXPECT_EQ(test, ring_put(p, MULTIKERNEL_MSG_TEST, 0, 8), -EPROTO);
	p->ctl.cons = 0;
	KUNIT_EXPECT_EQ(test, ring_put(p, MULTIKERNEL_MSG_TEST, 0, 8), 0);
}

static struct kunit_case mk_ring_cases[] = {
	KUNIT_CASE(mk_ring_test_init),
	KUNIT_CASE(mk_ring_test_order),
	KUNIT_CASE(mk_ring_test_full),
	KUNIT_CASE(mk_ring_test_wrap),
	KUNIT_CASE(mk_ring_test_doorbells),
	KUNIT_CASE(mk_ring_test_bad_producer),
	KUNIT_CASE(mk_ring_test_bad_consumer),
	{}
};

static struct kunit_suite mk_ring_suite = {
	.name = "multikernel-ring",
	.test_cases = mk_ring_cases,
};

kunit_test_suite(mk_ring_suite);
