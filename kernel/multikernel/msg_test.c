// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel message tests: /sys/kernel/debug/multikernel/msg_test.
 *
 * A command is written to the file, runs to completion in the write, and
 * its result line is read back from the file:
 *
 *   send ID COUNT SIZE   host: COUNT test messages to instance ID, checked
 *                        by the spawn for order, loss and content
 *   pull ID COUNT SIZE   host: the spawn sends COUNT, checked here
 *   pull2 ID ID COUNT    host: both spawns send COUNT 64-byte messages at
 *                        once; the rate of both, and the CPUs that ran
 *                        each channel's receive passes
 *   rtt ID COUNT         host: echo round trips to instance ID
 *   ipi COUNT            host: the baseline, a cross-CPU IPI round trip
 *   full ID              host: fill the ring of a spawn that stopped
 *                        reading (see rx-pause) and time out a send
 *   stall ID ASKS        host: stop reading the spawn's ring, let the
 *                        spawn fill it, then send ASKS requests the spawn
 *                        must answer into it; time how long the spawn
 *                        takes to read them, read again, count answers
 *   stats ID             host: the channel's counters
 *   pool-dirty           host: granules of the free pool that were used
 *                        and are not all zero (memory is cleared before
 *                        reuse), and those never used since boot
 *   scribble             spawn: corrupt the ring towards the host
 *   flood COUNT          spawn: ring the host COUNT times for nothing
 *   heartbeat on|off     spawn: resume or stop the heartbeats
 *   rx-pause, rx-resume  spawn: stop or resume reading the host's ring
 *   vsock-spoof ID       spawn: send the host one vsock packet (a connect
 *                        request) whose source is instance ID's CID
 *
 * In a spawn, multikernel/resize_fault makes the next resize request fail:
 * 1 refuses it with -EBUSY, 2 leaves it unanswered, 3 has the spawn write
 * to the memory a removal gave back.
 *
 * Test messages carry a sequence number and a payload derived from it.
 * Commands are serialised by one mutex per kernel.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/ktime.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <uapi/linux/virtio_vsock.h>

#include "internal.h"
#include "msg.h"

#define MK_TEST_RESULT_LEN	512
#define MK_TEST_MAX_COUNT	10000000ULL
#define MK_TEST_TIMEOUT		(60 * HZ)

enum mk_test_op {
	MK_TEST_RESET = 1,
	MK_TEST_REPORT,
	MK_TEST_SEND,
};

struct mk_test_ctl {
	u32 op;
	u32 size;
	u64 count;
};

struct mk_test_report {
	u64 received;
	u64 errors;
};

static DEFINE_MUTEX(mk_test_lock);
static char mk_test_result[MK_TEST_RESULT_LEN];
static DECLARE_WAIT_QUEUE_HEAD(mk_test_wait);
/*
 * Receive-side state per sending kernel, indexed by the channel's peer
 * number (never by a message field); only that channel's work item writes
 * its entry.
 */
static u64 mk_test_received[MK_MAX_INSTANCES + 1];
static u64 mk_test_errors[MK_MAX_INSTANCES + 1];
/* Host: answers to TEST_CTL requests sent without waiting for them. */
static u64 mk_test_answers;
/* Spawn: what the host asked us to send. */
static struct mk_test_ctl mk_test_pull;

static void mk_test_fill(u8 *buf, u32 size, u64 seq)
{
	u32 i;

	memcpy(buf, &seq, sizeof(seq));
	for (i = sizeof(seq); i < size; i++)
		buf[i] = (u8)(seq + i);
}

static bool mk_test_check(const u8 *buf, u32 size, u64 seq)
{
	u64 got;
	u32 i;

	if (size < sizeof(got))
		return false;
	memcpy(&got, buf, sizeof(got));
	if (got != seq)
		return false;
	for (i = sizeof(seq); i < size; i++)
		if (buf[i] != (u8)(seq + i))
			return false;
	return true;
}

static void mk_on_test(struct mk_chan *ch, const struct multikernel_msg *msg,
		       const void *payload)
{
	u64 seq = mk_test_received[ch->peer];

	if (!mk_test_check(payload, msg->len, seq))
		mk_test_errors[ch->peer]++;
	WRITE_ONCE(mk_test_received[ch->peer], seq + 1);
	wake_up(&mk_test_wait);
}

/* Send @count test messages of @size bytes, waiting for room. */
static int mk_test_send_seq(struct mk_chan *ch, u32 dst, u64 count, u32 size)
{
	u8 *buf = kvzalloc(size, GFP_KERNEL);
	int ret = 0;
	u64 seq;

	if (!buf)
		return -ENOMEM;
	for (seq = 0; seq < count && !ret; seq++) {
		mk_test_fill(buf, size, seq);
		ret = mk_msg_send_timeout(ch, MULTIKERNEL_MSG_TEST, dst, buf,
					  size, 5 * HZ);
		if (!(seq % 1024))
			cond_resched();
	}
	kvfree(buf);
	return ret;
}

static void mk_test_pull_work(struct work_struct *work)
{
	struct mk_chan *ch = mk_chan_get(MK_HOST_ID);

	if (!ch)
		return;
	mk_test_send_seq(ch, MK_HOST_ID, mk_test_pull.count, mk_test_pull.size);
	mk_chan_put(ch);
}

static DECLARE_WORK(mk_test_pull_job, mk_test_pull_work);

/* Spawn: the host's test requests. */
static void mk_on_test_ctl(struct mk_chan *ch,
			   const struct multikernel_msg *msg,
			   const void *payload)
{
	struct mk_test_report rep = { mk_test_received[MK_HOST_ID],
				      mk_test_errors[MK_HOST_ID] };
	struct mk_test_ctl ctl;

	if (msg->len != sizeof(ctl) || msg->src != MK_HOST_ID)
		return;
	memcpy(&ctl, payload, sizeof(ctl));
	switch (ctl.op) {
	case MK_TEST_RESET:
		mk_test_received[MK_HOST_ID] = 0;
		mk_test_errors[MK_HOST_ID] = 0;
		break;
	case MK_TEST_SEND:
		if (ctl.size < sizeof(u64) || ctl.size > SZ_4K ||
		    work_pending(&mk_test_pull_job)) {
			mk_msg_reply(ch, msg, -EINVAL, NULL, 0);
			return;
		}
		mk_test_pull = ctl;
		schedule_work(&mk_test_pull_job);
		break;
	}
	mk_msg_reply(ch, msg, 0, &rep, sizeof(rep));
}

/* Host: an answer to a TEST_CTL request nobody waits for. */
static void mk_on_test_answer(struct mk_chan *ch,
			      const struct multikernel_msg *msg,
			      const void *payload)
{
	if (!(msg->flags & MULTIKERNEL_MSG_F_RESPONSE))
		return;
	WRITE_ONCE(mk_test_answers, mk_test_answers + 1);
	wake_up(&mk_test_wait);
}

static int mk_test_ctl(struct mk_chan *ch, u32 op, u64 count, u32 size,
		       struct mk_test_report *rep)
{
	struct mk_test_ctl ctl = { .op = op, .size = size, .count = count };
	int ret;

	ret = mk_msg_request(ch, MULTIKERNEL_MSG_TEST_CTL, &ctl, sizeof(ctl),
			     rep, sizeof(*rep), MK_TEST_TIMEOUT);
	return ret < 0 ? ret : 0;
}

/* Append to the result line. */
static __printf(1, 2) void mk_test_say(const char *fmt, ...)
{
	size_t len = strlen(mk_test_result);
	va_list args;

	va_start(args, fmt);
	vscnprintf(mk_test_result + len, sizeof(mk_test_result) - len, fmt, args);
	va_end(args);
}

static int mk_test_send(struct mk_chan *ch, u64 count, u32 size)
{
	struct mk_chan_stats before, after;
	struct mk_test_report rep = {};
	u64 ns, doorbells;
	ktime_t t0;
	int ret;

	ret = mk_test_ctl(ch, MK_TEST_RESET, 0, 0, &rep);
	if (ret)
		return ret;
	mk_chan_get_stats(ch, &before);
	t0 = ktime_get();
	ret = mk_test_send_seq(ch, ch->peer, count, size);
	if (!ret)
		ret = mk_test_ctl(ch, MK_TEST_REPORT, 0, 0, &rep);
	ns = ktime_to_ns(ktime_sub(ktime_get(), t0)) ?: 1;
	mk_chan_get_stats(ch, &after);
	doorbells = after.tx_doorbells - before.tx_doorbells;
	mk_test_say("send count=%llu size=%u received=%llu errors=%llu ns=%llu",
		    count, size, rep.received, rep.errors, ns);
	mk_test_say(" msgs_per_s=%llu kb_per_s=%llu",
		    div64_u64(count * NSEC_PER_SEC, ns),
		    div64_u64(count * size * (NSEC_PER_SEC / 1024), ns));
	mk_test_say(" doorbells=%llu doorbells_per_kmsg=%llu ret=%d\n",
		    doorbells, div64_u64(doorbells * 1000, count), ret);
	return ret;
}

static bool mk_test_pulled(struct mk_chan *ch, u64 count)
{
	return READ_ONCE(mk_test_received[ch->peer]) >= count ||
	       READ_ONCE(ch->err);
}

/* Ask @ch's spawn to send @count messages of @size bytes. */
static int mk_test_start_pull(struct mk_chan *ch, u64 count, u32 size)
{
	struct mk_test_report rep;

	mk_test_received[ch->peer] = 0;
	mk_test_errors[ch->peer] = 0;
	return mk_test_ctl(ch, MK_TEST_SEND, count, size, &rep);
}

/* Wait for what mk_test_start_pull() asked for. */
static int mk_test_wait_pull(struct mk_chan *ch, u64 count)
{
	long left;
	int ret;

	left = wait_event_interruptible_timeout(mk_test_wait,
						mk_test_pulled(ch, count),
						MK_TEST_TIMEOUT);
	ret = left < 0 ? left : READ_ONCE(ch->err);
	if (!ret && READ_ONCE(mk_test_received[ch->peer]) < count)
		ret = -ETIMEDOUT;
	return ret;
}

static int mk_test_pull_from(struct mk_chan *ch, u64 count, u32 size)
{
	ktime_t t0 = ktime_get();
	u64 ns;
	int ret;

	ret = mk_test_start_pull(ch, count, size);
	if (ret)
		return ret;
	ret = mk_test_wait_pull(ch, count);
	ns = ktime_to_ns(ktime_sub(ktime_get(), t0)) ?: 1;
	mk_test_say("pull count=%llu size=%u received=%llu errors=%llu",
		    count, size, READ_ONCE(mk_test_received[ch->peer]),
		    READ_ONCE(mk_test_errors[ch->peer]));
	mk_test_say(" msgs_per_s=%llu ret=%d\n",
		    div64_u64(count * NSEC_PER_SEC, ns), ret);
	return ret;
}

/* The CPUs in @mask, as a list "0,1" into @buf. */
static const char *mk_test_cpus(u64 mask, char *buf, size_t size)
{
	size_t len = 0;
	int cpu;

	buf[0] = '\0';
	for (cpu = 0; cpu < 64 && len < size; cpu++)
		if (mask & BIT_ULL(cpu))
			len += scnprintf(buf + len, size - len, "%s%d",
					 len ? "," : "", cpu);
	return buf;
}

/*
 * Both spawns send at once: whether their channels' receive passes
 * share one host CPU (the one their doorbells interrupt) or spread.
 */
static int mk_test_pull2(struct mk_chan *a, struct mk_chan *b, u64 count)
{
	struct mk_chan_stats sa, sb;
	char ca[32], cb[32];
	ktime_t t0;
	u64 ns;
	int ret;

	a->stats.rx_cpus = 0;
	b->stats.rx_cpus = 0;
	t0 = ktime_get();
	ret = mk_test_start_pull(a, count, 64) ?:
	      mk_test_start_pull(b, count, 64) ?:
	      mk_test_wait_pull(a, count) ?: mk_test_wait_pull(b, count);
	ns = ktime_to_ns(ktime_sub(ktime_get(), t0)) ?: 1;
	mk_chan_get_stats(a, &sa);
	mk_chan_get_stats(b, &sb);
	mk_test_say("pull2 count=%llu errors=%llu msgs_per_s=%llu",
		    2 * count, mk_test_errors[a->peer] + mk_test_errors[b->peer],
		    div64_u64(2 * count * NSEC_PER_SEC, ns));
	mk_test_say(" rx_cpus_a=%s rx_cpus_b=%s ret=%d\n",
		    mk_test_cpus(sa.rx_cpus, ca, sizeof(ca)),
		    mk_test_cpus(sb.rx_cpus, cb, sizeof(cb)), ret);
	return ret;
}

static int mk_test_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void mk_test_say_times(const char *what, u64 *ns, u64 count, int ret)
{
	sort(ns, count, sizeof(*ns), mk_test_cmp, NULL);
	mk_test_say("%s count=%llu min_ns=%llu median_ns=%llu p99_ns=%llu ret=%d\n",
		    what, count, ns[0], ns[count / 2],
		    ns[min(count - 1, count * 99 / 100)], ret);
}

static int mk_test_rtt(struct mk_chan *ch, u64 count)
{
	u64 *ns = kvcalloc(count, sizeof(*ns), GFP_KERNEL);
	u64 i, ping = 0, pong;
	ktime_t t0;
	int ret = 0;

	if (!ns)
		return -ENOMEM;
	for (i = 0; i < count && ret >= 0; i++) {
		t0 = ktime_get();
		ping = i;
		ret = mk_msg_request(ch, MULTIKERNEL_MSG_ECHO, &ping,
				     sizeof(ping), &pong, sizeof(pong), HZ);
		ns[i] = ktime_to_ns(ktime_sub(ktime_get(), t0));
		if (ret == sizeof(pong) && pong != ping)
			ret = -EBADMSG;
	}
	ret = ret < 0 ? ret : 0;
	mk_test_say_times("rtt", ns, i, ret);
	kvfree(ns);
	return ret;
}

static void mk_test_nop(void *info)
{
}

static int mk_test_ipi(u64 count)
{
	u64 *ns = kvcalloc(count, sizeof(*ns), GFP_KERNEL);
	unsigned int cpu;
	ktime_t t0;
	int ret = 0;
	u64 i;

	if (!ns)
		return -ENOMEM;
	for (i = 0; i < count && !ret; i++) {
		cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
		if (cpu >= nr_cpu_ids) {
			ret = -ENODEV;
			break;
		}
		t0 = ktime_get();
		ret = smp_call_function_single(cpu, mk_test_nop, NULL, 1);
		ns[i] = ktime_to_ns(ktime_sub(ktime_get(), t0));
	}
	if (i)
		mk_test_say_times("ipi", ns, i, ret);
	kvfree(ns);
	return ret;
}

/* Fill the ring of a spawn that stopped reading, then time out a send. */
static int mk_test_full(struct mk_chan *ch)
{
	u32 size = SZ_4K, max = MULTIKERNEL_COMM_MSG_DATA_SIZE / SZ_4K + 1;
	int nonblock = 0, blocking;
	u8 *buf = kvzalloc(size, GFP_KERNEL);
	ktime_t t0;
	u32 sent;

	if (!buf)
		return -ENOMEM;
	for (sent = 0; sent < max; sent++) {
		nonblock = mk_msg_send(ch, MULTIKERNEL_MSG_TEST, ch->peer, buf,
				       size);
		if (nonblock)
			break;
	}
	t0 = ktime_get();
	blocking = mk_msg_send_timeout(ch, MULTIKERNEL_MSG_TEST, ch->peer, buf,
				       size, msecs_to_jiffies(200));
	mk_test_say("full sent=%u nonblock=%d blocking=%d waited_ms=%lld\n",
		    sent, nonblock, blocking,
		    ktime_ms_delta(ktime_get(), t0));
	kvfree(buf);
	return 0;
}

/* Whether the ring from the spawn, which we stopped reading, is full. */
static bool mk_test_rx_full(struct mk_chan *ch, u32 rec)
{
	u64 used = READ_ONCE(ch->rx.ctl->prod) - READ_ONCE(ch->rx.cons);

	return used + rec > ch->rx.size;
}

/* Whether the spawn read everything we sent. */
static bool mk_test_tx_drained(struct mk_chan *ch)
{
	unsigned long flags;
	u64 prod;

	spin_lock_irqsave(&ch->tx_lock, flags);
	prod = ch->tx.prod;
	spin_unlock_irqrestore(&ch->tx_lock, flags);
	return READ_ONCE(ch->tx.ctl->cons) == prod;
}

static bool mk_test_stall_done(struct mk_chan *ch, u64 answers, u64 count)
{
	return (READ_ONCE(mk_test_answers) >= answers &&
		READ_ONCE(mk_test_received[ch->peer]) >= count) ||
	       READ_ONCE(ch->err);
}

/*
 * The spawn answers requests into a ring we do not read.  Its receive
 * work must not wait for room: it reads on at once, its answers wait in
 * its queue, and all of them arrive once we read again.  The spawn fills
 * the ring with records of the size its answers and heartbeats take, so
 * that not even an answer fits.  The whole stall stays below the default
 * heartbeat_timeout_ms.
 */
static int mk_test_stall(struct mk_chan *ch, u64 asks)
{
	u32 size = sizeof(u64), rec = mk_ring_record_size(size);
	u64 fill = MULTIKERNEL_COMM_MSG_DATA_SIZE / rec + 64;
	struct mk_test_ctl send = { .op = MK_TEST_SEND, .size = size,
				    .count = fill };
	struct mk_test_ctl report = { .op = MK_TEST_REPORT };
	s64 drain_ms = -1;
	ktime_t t0;
	long left;
	int ret, i;
	u64 n;

	mk_test_received[ch->peer] = 0;
	mk_test_errors[ch->peer] = 0;
	WRITE_ONCE(mk_test_answers, 0);
	WRITE_ONCE(ch->rx_paused, true);
	ret = mk_msg_request_async(ch, MULTIKERNEL_MSG_TEST_CTL, &send,
				   sizeof(send));
	for (i = 0; !ret && !mk_test_rx_full(ch, rec); i++) {
		if (i == 100) {
			ret = -ETIME;
			break;
		}
		msleep(20);
	}
	for (n = 0; !ret && n < asks; n++)
		ret = mk_msg_request_async(ch, MULTIKERNEL_MSG_TEST_CTL,
					   &report, sizeof(report));
	t0 = ktime_get();
	while (!ret && ktime_ms_delta(ktime_get(), t0) < 2500) {
		if (mk_test_tx_drained(ch)) {
			drain_ms = ktime_ms_delta(ktime_get(), t0);
			break;
		}
		usleep_range(500, 1000);
	}
	WRITE_ONCE(ch->rx_paused, false);
	mk_chan_poke(ch);
	if (!ret) {
		left = wait_event_interruptible_timeout(mk_test_wait,
							mk_test_stall_done(ch, asks + 1, fill),
							10 * HZ);
		ret = left < 0 ? left : READ_ONCE(ch->err);
	}
	mk_test_say("stall asks=%llu drain_ms=%lld answers=%llu sent=%llu",
		    asks, drain_ms, READ_ONCE(mk_test_answers), fill);
	mk_test_say(" received=%llu errors=%llu ret=%d\n",
		    READ_ONCE(mk_test_received[ch->peer]),
		    READ_ONCE(mk_test_errors[ch->peer]), ret);
	return ret;
}

#define MK_TEST_MAX_EXTENTS	64

struct mk_test_extents {
	unsigned int n, lost;
	phys_addr_t start[MK_TEST_MAX_EXTENTS];
	u64 size[MK_TEST_MAX_EXTENTS];
};

static void mk_test_note_extent(phys_addr_t start, u64 size, void *data)
{
	struct mk_test_extents *ext = data;

	if (ext->n == MK_TEST_MAX_EXTENTS) {
		ext->lost++;
		return;
	}
	ext->start[ext->n] = start;
	ext->size[ext->n++] = size;
}

/*
 * Free pool memory must be zero: an instance's memory is cleared before it
 * goes back, and one never used since boot when it is handed out.
 * Scanned a granule at a time, outside the pool walk's RCU section, since
 * the pool may be gigabytes.  Nothing may start meanwhile.
 */
static int mk_test_pool_dirty(void)
{
	struct mk_test_extents *ext = kzalloc(sizeof(*ext), GFP_KERNEL);
	u64 off, free = 0, dirty = 0, unused = 0;
	phys_addr_t first = 0, addr;
	unsigned int i;

	if (!ext)
		return -ENOMEM;
	mk_pool_walk_free(mk_test_note_extent, ext);
	for (i = 0; i < ext->n; i++) {
		free += ext->size[i];
		for (off = 0; off < ext->size[i]; off += MK_GRANULE) {
			addr = ext->start[i] + off;
			if (!mk_pool_granule_clean(addr))
				unused++;
			else if (memchr_inv(__va(addr), 0, MK_GRANULE) &&
				 !dirty++)
				first = addr;
			cond_resched();
		}
	}
	mk_test_say("pool-dirty free=%llu extents=%u unscanned=%u unused=%llu",
		    free, ext->n, ext->lost, unused);
	mk_test_say(" dirty=%llu first=%pa\n", dirty, &first);
	kfree(ext);
	return 0;
}

static int mk_test_stats(struct mk_chan *ch)
{
	struct mk_chan_stats st;
	u64 total, idle;

	mk_chan_get_stats(ch, &st);
	mk_doorbell_counts(&total, &idle);
	mk_test_say("stats tx_msgs=%llu tx_doorbells=%llu tx_full=%llu",
		    st.tx_msgs, st.tx_doorbells, st.tx_full);
	mk_test_say(" rx_msgs=%llu rx_passes=%llu rx_unknown=%llu rx_dropped=%llu",
		    st.rx_msgs, st.rx_passes, st.rx_unknown, st.rx_dropped);
	mk_test_say(" room_doorbells=%llu doorbells_in=%llu doorbells_idle=%llu",
		    st.room_doorbells, total, idle);
	mk_test_say(" tx_queued=%llu tx_dropped=%llu",
		    st.tx_queued, st.tx_dropped);
	mk_test_say(" err=%d\n", READ_ONCE(ch->err));
	return 0;
}

/* Spawn: write garbage where the host reads our next message. */
static int mk_test_scribble(struct mk_chan *ch)
{
	struct multikernel_msg bad = {
		.len	= U32_MAX,
		.type	= MULTIKERNEL_MSG_TEST,
	};
	unsigned long flags;
	int ret;

	/* Said first: the host stops this kernel as soon as it notices. */
	pr_notice("msg_test: scribbling the ring to the host\n");
	spin_lock_irqsave(&ch->tx_lock, flags);
	ret = ch->err;	/* a closed channel's ring is not ours any more */
	if (ret) {
		spin_unlock_irqrestore(&ch->tx_lock, flags);
		return ret;
	}
	memcpy(ch->tx.data + (ch->tx.prod & (ch->tx.size - 1)), &bad,
	       sizeof(bad));
	/* The garbage header before the index that exposes it. */
	smp_store_release(&ch->tx.ctl->prod, ch->tx.prod + 64);
	spin_unlock_irqrestore(&ch->tx_lock, flags);
	multikernel_arch_doorbell(ch->peer_apic);
	mk_test_say("scribble done\n");
	return 0;
}

static int mk_test_flood(struct mk_chan *ch, u64 count)
{
	u64 i;

	for (i = 0; i < count; i++) {
		multikernel_arch_doorbell(ch->peer_apic);
		if (!(i % 4096))
			cond_resched();
	}
	mk_test_say("flood doorbells=%llu\n", count);
	pr_notice("msg_test: rang the host %llu times\n", count);
	return 0;
}

static int mk_test_rx_pause(struct mk_chan *ch, bool pause)
{
	WRITE_ONCE(ch->rx_paused, pause);
	if (!pause)
		mk_chan_poke(ch);
	mk_test_say("rx %s\n", pause ? "paused" : "resumed");
	return 0;
}

/*
 * Spawn: a vsock packet in another instance's name, which the host must
 * drop (and count in rx_dropped) without looking further.
 */
static int mk_test_vsock_spoof(struct mk_chan *ch, u64 id)
{
	u64 cid = MULTIKERNEL_VSOCK_CID_BASE + id;
	struct virtio_vsock_hdr hdr = {
		.src_cid	= cpu_to_le64(cid),
		.dst_cid	= cpu_to_le64(2),	/* VMADDR_CID_HOST */
		.src_port	= cpu_to_le32(40000),
		.dst_port	= cpu_to_le32(6099),
		.type		= cpu_to_le16(VIRTIO_VSOCK_TYPE_STREAM),
		.op		= cpu_to_le16(VIRTIO_VSOCK_OP_REQUEST),
		.buf_alloc	= cpu_to_le32(SZ_256K),
	};
	int ret;

	if (!id || id > MK_MAX_INSTANCES || id == multikernel_spawn_info()->id)
		return -EINVAL;
	ret = mk_msg_send_timeout(ch, MULTIKERNEL_MSG_VSOCK, MK_HOST_ID, &hdr,
				  sizeof(hdr), HZ);
	mk_test_say("vsock-spoof cid=%llu ret=%d\n", cid, ret);
	return ret;
}

static int mk_test_spawn_cmd(struct mk_chan *ch, const char *cmd, u64 n,
			     const char *arg)
{
	if (!strcmp(cmd, "scribble"))
		return mk_test_scribble(ch);
	if (!strcmp(cmd, "flood") && n)
		return mk_test_flood(ch, min(n, MK_TEST_MAX_COUNT));
	if (!strcmp(cmd, "heartbeat") && (!strcmp(arg, "on") ||
					  !strcmp(arg, "off"))) {
		mk_spawn_heartbeat_pause(!strcmp(arg, "off"));
		mk_test_say("heartbeat %s\n", arg);
		return 0;
	}
	if (!strcmp(cmd, "rx-pause") || !strcmp(cmd, "rx-resume"))
		return mk_test_rx_pause(ch, !strcmp(cmd, "rx-pause"));
	if (!strcmp(cmd, "pull"))
		return mk_test_pull_from(ch, n, 64);
	if (!strcmp(cmd, "stats"))
		return mk_test_stats(ch);
	if (!strcmp(cmd, "vsock-spoof"))
		return mk_test_vsock_spoof(ch, n);
	return -EINVAL;
}

static int mk_test_host_cmd(struct mk_chan *ch, const char *cmd, u64 count,
			    u32 size)
{
	if (!strcmp(cmd, "send") || !strcmp(cmd, "pull")) {
		if (!count || count > MK_TEST_MAX_COUNT || size < sizeof(u64) ||
		    size > SZ_4K)
			return -EINVAL;
		return !strcmp(cmd, "send") ? mk_test_send(ch, count, size) :
					      mk_test_pull_from(ch, count, size);
	}
	if (!strcmp(cmd, "rtt") && count && count <= MK_TEST_MAX_COUNT)
		return mk_test_rtt(ch, count);
	if (!strcmp(cmd, "full"))
		return mk_test_full(ch);
	if (!strcmp(cmd, "stall") && count && count <= MK_CHAN_MAX_REPLIES)
		return mk_test_stall(ch, count);
	if (!strcmp(cmd, "stats"))
		return mk_test_stats(ch);
	return -EINVAL;
}

static int mk_test_run_pull2(u64 id_a, u64 id_b, u64 count)
{
	struct mk_chan *a, *b;
	int ret = -ENOTCONN;

	if (!count || count > MK_TEST_MAX_COUNT || id_a == id_b ||
	    id_a > MK_MAX_INSTANCES || id_b > MK_MAX_INSTANCES)
		return -EINVAL;
	a = mk_chan_get(id_a);
	b = mk_chan_get(id_b);
	if (a && b)
		ret = mk_test_pull2(a, b, count);
	mk_chan_put(b);
	mk_chan_put(a);
	return ret;
}

static int mk_test_run(char *line)
{
	char cmd[16] = "", arg[16] = "";
	u64 a = 0, b = 0, c = 0;
	struct mk_chan *ch;
	int ret;

	if (sscanf(line, "%15s %llu %llu %llu", cmd, &a, &b, &c) < 1 ||
	    sscanf(line, "%15s %15s", cmd, arg) < 1)
		return -EINVAL;
	if (!multikernel_spawn_info() && !strcmp(cmd, "ipi"))
		return a && a <= MK_TEST_MAX_COUNT ? mk_test_ipi(a) : -EINVAL;
	if (!multikernel_spawn_info() && !strcmp(cmd, "pool-dirty"))
		return mk_test_pool_dirty();
	if (!multikernel_spawn_info() && !strcmp(cmd, "pull2"))
		return mk_test_run_pull2(a, b, c);
	ch = mk_chan_get(multikernel_spawn_info() ? MK_HOST_ID : a);
	if (!ch)
		return -ENOTCONN;
	if (multikernel_spawn_info())
		ret = mk_test_spawn_cmd(ch, cmd, a, arg);
	else
		ret = mk_test_host_cmd(ch, cmd, b, c);
	mk_chan_put(ch);
	return ret;
}

static ssize_t mk_test_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	char line[64];
	int ret;

	if (count >= sizeof(line))
		return -EINVAL;
	if (copy_from_user(line, ubuf, count))
		return -EFAULT;
	line[count] = '\0';
	if (mutex_lock_interruptible(&mk_test_lock))
		return -EINTR;
	mk_test_result[0] = '\0';
	ret = mk_test_run(strim(line));
	if (ret && !mk_test_result[0])
		mk_test_say("error %d\n", ret);
	mutex_unlock(&mk_test_lock);
	return ret ?: count;
}

static ssize_t mk_test_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char buf[MK_TEST_RESULT_LEN];
	size_t len;

	mutex_lock(&mk_test_lock);
	len = strscpy(buf, mk_test_result, sizeof(buf));
	mutex_unlock(&mk_test_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations mk_test_fops = {
	.owner	= THIS_MODULE,
	.read	= mk_test_read,
	.write	= mk_test_write,
	.llseek	= default_llseek,
};

/* A host CPU whose reclaim is made to fail; 0 (never lent) for none. */
static u32 mk_fail_reclaim_cpu;

/**
 * mk_test_fail_reclaim() - should the proof that @cpu is back fail
 * @cpu: a CPU being taken back from an instance
 *
 * Set through debugfs multikernel/fail_reclaim_cpu; the CPU has had its
 * INIT but is not brought up, as if it never answered.
 *
 * Return: true to make the reclaim of @cpu fail.
 */
bool mk_test_fail_reclaim(unsigned int cpu)
{
	return cpu && READ_ONCE(mk_fail_reclaim_cpu) == cpu;
}

/* Spawn: what the next resize request meets (MK_TEST_RESIZE_*), once. */
static u32 mk_resize_fault;

/**
 * mk_test_resize_fault() - take the fault set for the next resize request
 *
 * Return: 0 or an MK_TEST_RESIZE_* value; the fault is then cleared.
 */
int mk_test_resize_fault(void)
{
	return xchg(&mk_resize_fault, 0);
}

static int __init mk_msg_test_init(void)
{
	struct dentry *dir;

	if (!multikernel_spawn_info() && !mk_pool_present())
		return 0;
	if (mk_msg_register_handler(MULTIKERNEL_MSG_TEST, mk_on_test) ||
	    mk_msg_register_handler(MULTIKERNEL_MSG_TEST_CTL,
				    multikernel_spawn_info() ? mk_on_test_ctl :
							       mk_on_test_answer))
		return -EBUSY;
	dir = debugfs_create_dir("multikernel", NULL);
	debugfs_create_file("msg_test", 0600, dir, NULL, &mk_test_fops);
	if (!multikernel_spawn_info())
		debugfs_create_u32("fail_reclaim_cpu", 0600, dir,
				   &mk_fail_reclaim_cpu);
	else
		debugfs_create_u32("resize_fault", 0600, dir,
				   &mk_resize_fault);
	if (mk_pool_present())
		multikernel_boot_record_hook_init(dir);
	pr_warn("message test hooks enabled: not for production\n");
	return 0;
}
late_initcall(mk_msg_test_init);
