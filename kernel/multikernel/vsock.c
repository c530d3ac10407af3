// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel vsock transport: AF_VSOCK between the kernels of a
 * multikernel machine, over their message channels.
 *
 * The packets are virtio-vsock packets, handled by the kernel's
 * virtio_transport_common (credit flow control, connection state); this
 * file only carries them, one MULTIKERNEL_MSG_VSOCK message each, like
 * vsock_loopback carries them through a queue.  The host registers as the
 * host-to-guest transport with CID 2; a spawn registers as guest-to-host
 * transport with CID MULTIKERNEL_VSOCK_CID_BASE + its instance id, and
 * reaches other spawns through the host, which routes by destination.
 *
 * Trust: a packet from a spawn must carry that spawn's CID as its source
 * and this kernel's as its destination, and its length must match the
 * message; others are dropped.  When an instance goes away, the sockets
 * connected to it are reset, and so are the connects to it still waiting
 * for an answer among the last MK_VSOCK_SYNS sent (their requests went
 * down with it), rather than time out.
 *
 * A CID nobody runs fails at once, as with vhost_vsock: send_pkt() frees
 * a packet for a CID no kernel can have, or, on the host, for an instance
 * with no channel, and returns -ENODEV, which connect() returns.  A spawn
 * cannot know which instances run; the host answers a packet it cannot
 * route for lack of a channel with a RST in the missing instance's name
 * (never a RST for a RST), so the spawn's connect fails with ECONNRESET.
 *
 * No stream goes on with a hole in it: a packet that cannot be delivered
 * resets its connection at both ends (ECONNRESET).  A packet this kernel
 * cannot send resets the local socket, drops the connection's packets
 * still queued behind it and tells the other end with a VSOCK_RESET
 * message; one the host cannot route (the destination's ring stayed
 * full, see channel.c) gets the host to tell both ends.  A VSOCK_RESET
 * from a spawn can only name a connection with that spawn.  A reset
 * socket takes no more data (EPIPE) and its reads fail with ECONNRESET
 * until the error is read (SO_ERROR), then end: nothing sent after a
 * reset is silently lost.
 *
 * Sending: each kernel this one sends to has its own queue and work item,
 * struct mk_vsock_peer: on the host one per instance id, in a spawn one,
 * towards the host, which routes onwards.  send_pkt() queues the packet
 * on its destination's queue; the work item carries the queue's packets
 * in order, each waiting up to MK_VSOCK_TX_TIMEOUT for room in the ring
 * before its connection is reset.  The work items run on mk_vsock_wq,
 * unbound and with room for every peer's work at once, so a peer that
 * stopped reading holds up its own queue only.  A packet the common code
 * built linear (control packets and payloads up to about 32 KiB) has
 * header and payload next to each other at skb->head and is written into
 * the ring from there.  A packet with page frags (a larger payload, or a
 * MSG_ZEROCOPY send, whose frags are the sender's pages) is copied first,
 * into the peer's txbuf, which its work item allocates the first time it
 * needs one and which then stays.  Every packet is consumed once it was
 * copied into the ring, or dropped, and that completes a zero-copy send
 * on the sender's error queue.
 *
 * vsockmon taps see every packet this kernel sent, once it is in the
 * ring, and every packet it accepted, before the common code takes it;
 * packets that are dropped or refused are not shown.
 *
 * Locking and lifetimes: a queue's own lock (BH-safe, the sk_buff_head's)
 * guards it; send_pkt(), cancel_pkt() and mk_vsock_peer_gone() take it,
 * the work item dequeues under it.  A work item never runs twice at once,
 * so a peer's packets leave in the order they were queued and its txbuf
 * has one user.  The work item looks up the peer's channel for every
 * packet and holds a reference only while it sends it; a channel that
 * closes wakes the sender at once (-ECONNRESET).  The peers and their
 * work items live as long as the kernel.  mk_vsock_reset_lock serialises
 * the walks over the sockets that reset them.
 */

#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/init.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/slab.h>
#include <linux/virtio_vsock.h>
#include <linux/workqueue.h>
#include <net/af_vsock.h>

#include "internal.h"
#include "msg.h"

#define MK_VSOCK_TX_TIMEOUT	(5 * HZ)
/* Connection requests per peer whose sockets a peer's end may fail. */
#define MK_VSOCK_SYNS		16
#define MK_VSOCK_MAX_MSG	(sizeof(struct virtio_vsock_hdr) + \
				 VIRTIO_VSOCK_MAX_PKT_BUF_SIZE)

/**
 * struct mk_vsock_peer - what this kernel sends to one other kernel
 * @txq: packets waiting to be sent, oldest first
 * @tx_work: sends them
 * @txbuf: MK_VSOCK_MAX_MSG bytes for a packet with frags, or NULL until
 *	one needs it; only @tx_work uses it
 * @syn_lock: guards @syns and @nr_syns
 * @syns: remote CIDs and local ports of the last connection requests
 *	sent through the peer, so that connects never answered fail when
 *	the kernel with that CID goes
 * @nr_syns: requests sent so far; the last MK_VSOCK_SYNS are kept
 */
struct mk_vsock_peer {
	struct sk_buff_head txq;
	struct work_struct tx_work;
	void *txbuf;
	spinlock_t syn_lock;	/* guards the two below */
	struct sockaddr_vm syns[MK_VSOCK_SYNS];
	unsigned int nr_syns;
};

static u32 mk_vsock_cid = VMADDR_CID_ANY;
/* Indexed by kernel number; a spawn uses only the host's. */
static struct mk_vsock_peer mk_vsock_peers[MK_MAX_INSTANCES + 1];
static struct workqueue_struct *mk_vsock_wq;

/*
 * What a reset or a purge concerns: everything with @cid, or with @one
 * only the connection of the two ports (ours and @cid's).
 */
struct mk_vsock_conn {
	u64 cid;
	bool one;
	u32 local_port;
	u32 remote_port;
};

/*
 * The sockets mk_vsock_reset_sock() resets.  Set under
 * mk_vsock_reset_lock, which serialises the walks over the sockets.
 */
static struct mk_vsock_conn mk_vsock_doomed;
static DEFINE_MUTEX(mk_vsock_reset_lock);

/**
 * mk_vsock_cid_of() - the CID of a kernel
 * @id: 0 for the host, else an instance id
 *
 * Return: its vsock CID.
 */
static u64 mk_vsock_cid_of(u32 id)
{
	return id == MK_HOST_ID ? VMADDR_CID_HOST :
	       MULTIKERNEL_VSOCK_CID_BASE + id;
}

/* The kernel that has @cid, or U32_MAX if none can. */
static u32 mk_vsock_kernel_of(u64 cid)
{
	if (cid == VMADDR_CID_HOST)
		return MK_HOST_ID;
	if (cid > MULTIKERNEL_VSOCK_CID_BASE &&
	    cid <= MULTIKERNEL_VSOCK_CID_BASE + MK_MAX_INSTANCES)
		return cid - MULTIKERNEL_VSOCK_CID_BASE;
	return U32_MAX;
}

/*
 * The queue a packet for @cid goes on: its kernel's on the host, the
 * host's in a spawn.  NULL if no other kernel can have @cid (ours
 * included: with no loopback transport, af_vsock hands a connect to our
 * own CID to us).
 */
static struct mk_vsock_peer *mk_vsock_peer_of(u64 cid)
{
	u32 id = mk_vsock_kernel_of(cid);

	if (id == U32_MAX || cid == mk_vsock_cid)
		return NULL;
	if (mk_vsock_cid != VMADDR_CID_HOST)
		return &mk_vsock_peers[MK_HOST_ID];
	return &mk_vsock_peers[id];
}

/* The kernel number of @peer, whose channel its packets take. */
static u32 mk_vsock_peer_id(const struct mk_vsock_peer *peer)
{
	return peer - mk_vsock_peers;
}

/*
 * Whether @peer has a channel now.  One that goes away later drops the
 * packets queued for it and resets their sockets (mk_vsock_peer_gone()).
 */
static bool mk_vsock_reachable(struct mk_vsock_peer *peer)
{
	struct mk_chan *ch = mk_chan_get(mk_vsock_peer_id(peer));

	mk_chan_put(ch);
	return ch;
}

static u32 mk_vsock_get_local_cid(void)
{
	return mk_vsock_cid;
}

/* A connection request through @peer: remember it until its kernel goes. */
static void mk_vsock_note_syn(struct mk_vsock_peer *peer,
			      const struct virtio_vsock_hdr *hdr)
{
	struct sockaddr_vm *a;

	spin_lock_bh(&peer->syn_lock);
	a = &peer->syns[peer->nr_syns++ % MK_VSOCK_SYNS];
	vsock_addr_init(a, le64_to_cpu(hdr->dst_cid), le32_to_cpu(hdr->src_port));
	spin_unlock_bh(&peer->syn_lock);
}

/*
 * Fail a connect from local @port to @cid that is still waiting for an
 * answer: the request went down with the kernel that had @cid, in its
 * ring or ours, and would otherwise take the whole connect timeout.  The
 * socket is checked to be that connect, so that a port since reused for
 * another one is left alone.
 */
static void mk_vsock_fail_connect(u64 cid, u32 port)
{
	struct sockaddr_vm addr;
	struct vsock_sock *vsk;
	struct sock *sk;

	vsock_addr_init(&addr, mk_vsock_cid, port);
	sk = vsock_find_bound_socket(&addr);
	if (!sk)
		return;
	vsk = vsock_sk(sk);
	lock_sock(sk);
	if (sk->sk_state == TCP_SYN_SENT && vsk->remote_addr.svm_cid == cid) {
		sk->sk_state = TCP_CLOSE;
		sk->sk_err = ECONNRESET;
		sk_error_report(sk);
	}
	release_sock(sk);
	sock_put(sk);
}

/* The kernel with @cid went: fail the connects to it never answered. */
static void mk_vsock_fail_connects(struct mk_vsock_peer *peer, u64 cid)
{
	u32 ports[MK_VSOCK_SYNS];
	unsigned int i, n = 0;

	spin_lock_bh(&peer->syn_lock);
	for (i = 0; i < min_t(unsigned int, peer->nr_syns, MK_VSOCK_SYNS); i++)
		if (peer->syns[i].svm_cid == cid) {
			ports[n++] = peer->syns[i].svm_port;
			peer->syns[i].svm_cid = VMADDR_CID_ANY;
		}
	spin_unlock_bh(&peer->syn_lock);
	for (i = 0; i < n; i++)
		mk_vsock_fail_connect(cid, ports[i]);
}

static int mk_vsock_send_pkt(struct sk_buff *skb)
{
	struct mk_vsock_peer *peer;
	int len = skb->len;

	/*
	 * As vhost_vsock does for a CID with no VM: the transport frees the
	 * packet, the error fails the connect or send at once.
	 */
	peer = mk_vsock_peer_of(le64_to_cpu(virtio_vsock_hdr(skb)->dst_cid));
	if (!peer || !mk_vsock_reachable(peer)) {
		kfree_skb(skb);
		return -ENODEV;
	}
	if (le16_to_cpu(virtio_vsock_hdr(skb)->op) == VIRTIO_VSOCK_OP_REQUEST)
		mk_vsock_note_syn(peer, virtio_vsock_hdr(skb));
	virtio_vsock_skb_queue_tail(&peer->txq, skb);
	queue_work(mk_vsock_wq, &peer->tx_work);
	return len;
}

static int mk_vsock_cancel_pkt(struct vsock_sock *vsk)
{
	struct mk_vsock_peer *peer = mk_vsock_peer_of(vsk->remote_addr.svm_cid);

	if (peer)
		virtio_transport_purge_skbs(vsk, &peer->txq);
	return 0;
}

static bool mk_vsock_seqpacket_allow(u32 remote_cid)
{
	return true;
}

/*
 * MSG_ZEROCOPY packets carry the sender's pages as frags; the work item
 * copies them into the ring and only then consumes the skb, which is what
 * completes the send on the sender's error queue.
 */
static bool mk_vsock_msgzerocopy_allow(void)
{
	return true;
}

static struct virtio_transport mk_vsock_transport = {
	.transport = {
		.module                   = THIS_MODULE,
		.get_local_cid            = mk_vsock_get_local_cid,
		.init                     = virtio_transport_do_socket_init,
		.destruct                 = virtio_transport_destruct,
		.release                  = virtio_transport_release,
		.connect                  = virtio_transport_connect,
		.shutdown                 = virtio_transport_shutdown,
		.cancel_pkt               = mk_vsock_cancel_pkt,

		.dgram_bind               = virtio_transport_dgram_bind,
		.dgram_dequeue            = virtio_transport_dgram_dequeue,
		.dgram_enqueue            = virtio_transport_dgram_enqueue,
		.dgram_allow              = virtio_transport_dgram_allow,

		.stream_dequeue           = virtio_transport_stream_dequeue,
		.stream_enqueue           = virtio_transport_stream_enqueue,
		.stream_has_data          = virtio_transport_stream_has_data,
		.stream_has_space         = virtio_transport_stream_has_space,
		.stream_rcvhiwat          = virtio_transport_stream_rcvhiwat,
		.stream_is_active         = virtio_transport_stream_is_active,
		.stream_allow             = virtio_transport_stream_allow,

		.seqpacket_dequeue        = virtio_transport_seqpacket_dequeue,
		.seqpacket_enqueue        = virtio_transport_seqpacket_enqueue,
		.seqpacket_allow          = mk_vsock_seqpacket_allow,
		.seqpacket_has_data       = virtio_transport_seqpacket_has_data,

		.msgzerocopy_allow        = mk_vsock_msgzerocopy_allow,

		.notify_poll_in           = virtio_transport_notify_poll_in,
		.notify_poll_out          = virtio_transport_notify_poll_out,
		.notify_recv_init         = virtio_transport_notify_recv_init,
		.notify_recv_pre_block    = virtio_transport_notify_recv_pre_block,
		.notify_recv_pre_dequeue  = virtio_transport_notify_recv_pre_dequeue,
		.notify_recv_post_dequeue = virtio_transport_notify_recv_post_dequeue,
		.notify_send_init         = virtio_transport_notify_send_init,
		.notify_send_pre_block    = virtio_transport_notify_send_pre_block,
		.notify_send_pre_enqueue  = virtio_transport_notify_send_pre_enqueue,
		.notify_send_post_enqueue = virtio_transport_notify_send_post_enqueue,
		.notify_buffer_size       = virtio_transport_notify_buffer_size,
		.notify_set_rcvlowat      = virtio_transport_notify_set_rcvlowat,

		.unsent_bytes             = virtio_transport_unsent_bytes,
		.read_skb                 = virtio_transport_read_skb,
	},
	.send_pkt = mk_vsock_send_pkt,
};

static bool mk_vsock_conn_has(const struct mk_vsock_conn *c, u64 cid,
			      u32 local_port, u32 remote_port)
{
	return cid == c->cid && (!c->one || (local_port == c->local_port &&
					     remote_port == c->remote_port));
}

/*
 * Called under vsock's table lock, which keeps @sk alive; like the virtio
 * transports' reset, without the socket lock.  As virtio's own handling
 * of a RST, the socket is done and the peer shut down both ways, so sends
 * fail with EPIPE and reads end (and poll wakes) once what was received is
 * read; a sender blocked for room fails with ECONNRESET.  Beyond that, a
 * connected socket stays TCP_ESTABLISHED with sk_err set: af_vsock checks
 * the state before sk_err, so reads fail with ECONNRESET, not ENOTCONN or
 * a clean end, until the error is read (SO_ERROR).
 */
static void mk_vsock_reset_sock(struct sock *sk)
{
	struct vsock_sock *vsk = vsock_sk(sk);

	if (!mk_vsock_conn_has(&mk_vsock_doomed, vsk->remote_addr.svm_cid,
			       vsk->local_addr.svm_port,
			       vsk->remote_addr.svm_port))
		return;
	if (sk->sk_state != TCP_ESTABLISHED)
		sk->sk_state = TCP_CLOSE;
	sock_set_flag(sk, SOCK_DONE);
	WRITE_ONCE(vsk->peer_shutdown, SHUTDOWN_MASK);
	sk->sk_err = ECONNRESET;
	sk_error_report(sk);
}

/* Reset the sockets of @conn. */
static void mk_vsock_reset(const struct mk_vsock_conn *conn)
{
	mutex_lock(&mk_vsock_reset_lock);
	mk_vsock_doomed = *conn;
	vsock_for_each_connected_socket(&mk_vsock_transport.transport,
					mk_vsock_reset_sock);
	mutex_unlock(&mk_vsock_reset_lock);
}

/* Drop the packets of @conn that wait to be sent. */
static void mk_vsock_purge(const struct mk_vsock_conn *conn)
{
	struct mk_vsock_peer *peer = mk_vsock_peer_of(conn->cid);
	struct virtio_vsock_hdr *hdr;
	struct sk_buff_head doomed;
	struct sk_buff *skb, *tmp;

	if (!peer)
		return;
	__skb_queue_head_init(&doomed);
	spin_lock_bh(&peer->txq.lock);
	skb_queue_walk_safe(&peer->txq, skb, tmp) {
		hdr = virtio_vsock_hdr(skb);
		if (!mk_vsock_conn_has(conn, le64_to_cpu(hdr->dst_cid),
				       le32_to_cpu(hdr->src_port),
				       le32_to_cpu(hdr->dst_port)))
			continue;
		__skb_unlink(skb, &peer->txq);
		__skb_queue_tail(&doomed, skb);
	}
	spin_unlock_bh(&peer->txq.lock);
	while ((skb = __skb_dequeue(&doomed))) {
		virtio_transport_consume_skb_sent(skb, false);
		kfree_skb_reason(skb, SKB_DROP_REASON_QUEUE_PURGE);
	}
}

/*
 * End @conn here: drop what of it waits to be sent, which could only
 * follow a lost packet, then reset its sockets.
 */
static void mk_vsock_end(const struct mk_vsock_conn *conn)
{
	mk_vsock_purge(conn);
	mk_vsock_reset(conn);
}

/* Ask kernel @to over @ch to reset its end of a connection. */
static void mk_vsock_tell_reset(struct mk_chan *ch, u32 to, u64 remote_cid,
				u32 local_port, u32 remote_port)
{
	struct multikernel_vsock_reset r = {
		.remote_cid = remote_cid,
		.local_port = local_port,
		.remote_port = remote_port,
	};

	/* A full notice queue or no memory is counted as tx_dropped. */
	mk_msg_notify(ch, MULTIKERNEL_MSG_VSOCK_RESET, to, &r, sizeof(r));
}

/* A packet of ours that could not be sent: end the connection, both ends. */
static void mk_vsock_send_failed(struct mk_chan *ch, u32 dst,
				 const struct virtio_vsock_hdr *hdr)
{
	struct mk_vsock_conn conn = {
		.cid = le64_to_cpu(hdr->dst_cid),
		.one = true,
		.local_port = le32_to_cpu(hdr->src_port),
		.remote_port = le32_to_cpu(hdr->dst_port),
	};

	if (le16_to_cpu(hdr->op) == VIRTIO_VSOCK_OP_RST)
		return;
	mk_vsock_end(&conn);
	mk_vsock_tell_reset(ch, dst, mk_vsock_cid, conn.remote_port,
			    conn.local_port);
}

/*
 * @skb as one message, header first: at skb->head for a linear packet as
 * the common code builds it, else copied into @peer's txbuf.  NULL if
 * that buffer cannot be had or the packet is too long.
 */
static const void *mk_vsock_flat(struct mk_vsock_peer *peer,
				 struct sk_buff *skb)
{
	if (sizeof(struct virtio_vsock_hdr) + skb->len > MK_VSOCK_MAX_MSG)
		return NULL;
	if (!skb_is_nonlinear(skb) &&
	    skb->data == skb->head + VIRTIO_VSOCK_SKB_HEADROOM)
		return skb->head;
	if (!peer->txbuf)
		peer->txbuf = kvmalloc(MK_VSOCK_MAX_MSG, GFP_KERNEL);
	if (!peer->txbuf)
		return NULL;
	memcpy(peer->txbuf, virtio_vsock_hdr(skb),
	       sizeof(struct virtio_vsock_hdr));
	if (skb_copy_bits(skb, 0, peer->txbuf + sizeof(struct virtio_vsock_hdr),
			  skb->len))
		return NULL;
	return peer->txbuf;
}

/* Carry one packet; one that cannot be sent resets its connection. */
static void mk_vsock_tx_one(struct mk_vsock_peer *peer, struct sk_buff *skb)
{
	struct virtio_vsock_hdr *hdr = virtio_vsock_hdr(skb);
	u32 dst = mk_vsock_kernel_of(le64_to_cpu(hdr->dst_cid));
	u32 len = sizeof(*hdr) + skb->len;
	struct mk_chan *ch;
	const void *pkt;

	/* Gone: mk_vsock_peer_gone() resets its sockets. */
	ch = mk_chan_get(mk_vsock_peer_id(peer));
	if (!ch)
		goto drop;
	pkt = mk_vsock_flat(peer, skb);
	if (!pkt || mk_msg_send_timeout(ch, MULTIKERNEL_MSG_VSOCK, dst, pkt,
					len, MK_VSOCK_TX_TIMEOUT)) {
		mk_vsock_send_failed(ch, dst, hdr);
		mk_chan_put(ch);
		goto drop;
	}
	virtio_transport_deliver_tap_pkt(skb);
	mk_chan_put(ch);
	virtio_transport_consume_skb_sent(skb, true);
	return;
drop:
	virtio_transport_consume_skb_sent(skb, false);
	kfree_skb_reason(skb, SKB_DROP_REASON_QUEUE_PURGE);
}

static void mk_vsock_tx_work(struct work_struct *work)
{
	struct mk_vsock_peer *peer = container_of(work, struct mk_vsock_peer,
						  tx_work);
	struct sk_buff *skb;

	while ((skb = virtio_vsock_skb_dequeue(&peer->txq))) {
		mk_vsock_tx_one(peer, skb);
		cond_resched();
	}
}

/* A packet from another kernel; see the trust rules at the top. */
static void mk_on_vsock(struct mk_chan *ch, const struct multikernel_msg *msg,
			const void *payload)
{
	struct virtio_vsock_hdr hdr;
	struct sk_buff *skb;
	u32 len;

	if (msg->len < sizeof(hdr))
		return;
	memcpy(&hdr, payload, sizeof(hdr));
	len = le32_to_cpu(hdr.len);
	if (len != msg->len - sizeof(hdr) ||
	    le64_to_cpu(hdr.src_cid) != mk_vsock_cid_of(msg->src) ||
	    le64_to_cpu(hdr.dst_cid) != mk_vsock_cid) {
		ch->stats.rx_dropped++;
		return;
	}
	skb = virtio_vsock_alloc_skb(VIRTIO_VSOCK_SKB_HEADROOM + len,
				     GFP_KERNEL);
	if (!skb) {
		ch->stats.rx_dropped++;
		return;
	}
	memcpy(virtio_vsock_hdr(skb), &hdr, sizeof(hdr));
	virtio_vsock_skb_put(skb, len);
	if (len && skb_store_bits(skb, 0, payload + sizeof(hdr), len)) {
		kfree_skb(skb);
		return;
	}
	virtio_transport_deliver_tap_pkt(skb);
	virtio_transport_recv_pkt(&mk_vsock_transport, skb);
}

/**
 * mk_vsock_reset_routed() - reset both ends of a packet the host dropped
 * @from: the kernel that sent it
 * @to: the kernel it was for, whose ring stayed full
 * @pkt: the packet, struct virtio_vsock_hdr first
 * @len: its length
 *
 * Host only, from the receive work of @from's channel.
 */
void mk_vsock_reset_routed(u32 from, u32 to, const void *pkt, u32 len)
{
	struct virtio_vsock_hdr hdr;
	struct mk_chan *ch;

	if (len < sizeof(hdr))
		return;
	memcpy(&hdr, pkt, sizeof(hdr));
	if (le16_to_cpu(hdr.op) == VIRTIO_VSOCK_OP_RST)
		return;
	ch = mk_chan_get(from);
	if (ch) {
		mk_vsock_tell_reset(ch, from, mk_vsock_cid_of(to),
				    le32_to_cpu(hdr.src_port),
				    le32_to_cpu(hdr.dst_port));
		mk_chan_put(ch);
	}
	ch = mk_chan_get(to);
	if (ch) {
		mk_vsock_tell_reset(ch, to, mk_vsock_cid_of(from),
				    le32_to_cpu(hdr.dst_port),
				    le32_to_cpu(hdr.src_port));
		mk_chan_put(ch);
	}
}

/**
 * mk_vsock_refuse_routed() - answer a packet for an instance that is not there
 * @from: the kernel that sent it
 * @to: the instance it was for, which has no channel
 * @pkt: the packet, struct virtio_vsock_hdr first
 * @len: its length
 *
 * Host only, from the receive work of @from's channel.  @from gets a RST
 * in @to's name, which is what a kernel answers when it has no socket for
 * a packet, so that a connect to a CID nobody runs fails at once with
 * ECONNRESET instead of timing out.  A RST is never answered.  The RST is
 * queued if @from's ring is full, like a reset notice.
 */
void mk_vsock_refuse_routed(u32 from, u32 to, const void *pkt, u32 len)
{
	struct virtio_vsock_hdr hdr, rst = {};
	struct multikernel_msg msg = {
		.len	= sizeof(rst),
		.type	= MULTIKERNEL_MSG_VSOCK,
		.src	= to,
		.dst	= from,
	};
	struct mk_chan *ch;

	if (len < sizeof(hdr) || to == MK_HOST_ID || to > MK_MAX_INSTANCES)
		return;
	memcpy(&hdr, pkt, sizeof(hdr));
	if (le16_to_cpu(hdr.op) == VIRTIO_VSOCK_OP_RST)
		return;
	rst.src_cid = cpu_to_le64(mk_vsock_cid_of(to));
	rst.dst_cid = cpu_to_le64(mk_vsock_cid_of(from));
	rst.src_port = hdr.dst_port;
	rst.dst_port = hdr.src_port;
	/* The receiver looks the socket up by type too. */
	rst.type = hdr.type;
	rst.op = cpu_to_le16(VIRTIO_VSOCK_OP_RST);
	ch = mk_chan_get(from);
	if (ch) {
		/* A full queue or no memory is counted as tx_dropped. */
		mk_msg_forward_notice(ch, &msg, &rst);
		mk_chan_put(ch);
	}
}

/* The other end could not deliver a packet of the connection it names. */
static void mk_on_vsock_reset(struct mk_chan *ch,
			      const struct multikernel_msg *msg,
			      const void *payload)
{
	struct mk_vsock_conn conn = { .one = true };
	struct multikernel_vsock_reset r;

	if (msg->len != sizeof(r)) {
		ch->stats.rx_dropped++;
		return;
	}
	memcpy(&r, payload, sizeof(r));
	/* Only the host speaks for another kernel. */
	conn.cid = msg->src == MK_HOST_ID ? r.remote_cid :
					    mk_vsock_cid_of(msg->src);
	conn.local_port = r.local_port;
	conn.remote_port = r.remote_port;
	mk_vsock_end(&conn);
}

/**
 * mk_vsock_peer_gone() - forget a dead kernel
 * @id: its instance id
 *
 * Drops the packets still queued for it and resets the sockets connected
 * to it.
 *
 * Context: process context; sleeps.
 */
void mk_vsock_peer_gone(u32 id)
{
	struct mk_vsock_conn conn = { .cid = mk_vsock_cid_of(id) };
	struct mk_vsock_peer *peer;

	if (mk_vsock_cid == VMADDR_CID_ANY || id > MK_MAX_INSTANCES)
		return;
	mk_vsock_end(&conn);
	peer = mk_vsock_peer_of(conn.cid);
	if (peer)
		mk_vsock_fail_connects(peer, conn.cid);
}

static int __init mk_vsock_init(void)
{
	const struct multikernel_boot_info *info = multikernel_spawn_info();
	int features = info ? VSOCK_TRANSPORT_F_G2H : VSOCK_TRANSPORT_F_H2G;
	u32 i;
	int ret;

	if (!info && !mk_pool_present())
		return 0;
	/* One work item per peer may wait for room at once. */
	mk_vsock_wq = alloc_workqueue("mk-vsock", WQ_UNBOUND,
				      ARRAY_SIZE(mk_vsock_peers));
	if (!mk_vsock_wq) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < ARRAY_SIZE(mk_vsock_peers); i++) {
		skb_queue_head_init(&mk_vsock_peers[i].txq);
		spin_lock_init(&mk_vsock_peers[i].syn_lock);
		INIT_WORK(&mk_vsock_peers[i].tx_work, mk_vsock_tx_work);
	}
	ret = mk_msg_register_handler(MULTIKERNEL_MSG_VSOCK, mk_on_vsock) ?:
	      mk_msg_register_handler(MULTIKERNEL_MSG_VSOCK_RESET,
				      mk_on_vsock_reset);
	if (ret)
		goto fail;
	mk_vsock_cid = mk_vsock_cid_of(info ? info->id : MK_HOST_ID);
	ret = vsock_core_register(&mk_vsock_transport.transport, features);
	if (ret) {
		mk_vsock_cid = VMADDR_CID_ANY;
		goto fail;
	}
	pr_info("vsock transport up, local CID %u\n", mk_vsock_cid);
	return 0;
fail:
	pr_err("no vsock transport: %d\n", ret);
	if (mk_vsock_wq)
		destroy_workqueue(mk_vsock_wq);
	return ret;
}
late_initcall(mk_vsock_init);
