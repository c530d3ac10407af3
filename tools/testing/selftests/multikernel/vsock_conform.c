// SPDX-License-Identifier: GPL-2.0
/*
 * vsock_conform: AF_VSOCK conformance cases, run the same way over any
 * vsock transport so that their results can be compared line by line
 * (msg_test.sh compares the multikernel transport with vsock_loopback).
 * It runs on the host and inside spawns, so it is linked statically.
 *
 *   vsock_conform server PORT       serve the cases: SOCK_STREAM on PORT,
 *                                   SOCK_SEQPACKET on PORT + 1; ends
 *                                   after the client's last case
 *   vsock_conform client CID PORT   run every case against that server;
 *                                   PORT + 2 must have no listener
 *
 * The cases, in this order (each is described where it is defined):
 * stream_basic, stream_credit, stream_shutdown, stream_peek,
 * stream_rcvtimeo, stream_rcvlowat, stream_lowat_credit, stream_siocinq,
 * stream_siocoutq, stream_sockopts, seqpacket_bounds, seqpacket_trunc,
 * seqpacket_peek, seqpacket_siocoutq, connect_refused, peer_close.
 * MSG_ZEROCOPY is left to the tests of its own.
 *
 * Client and server coordinate over the connections under test only:
 * each case is one connection (none for connect_refused) whose first
 * record names the case; the server runs its half and sends its verdict
 * on the same connection, and the client folds it into its own.  Control
 * records are CTRL_LEN bytes, one message on a SOCK_SEQPACKET socket.
 *
 * Output of the client, one line per case, always in the same order:
 *   case NAME: ok
 *   case NAME: ok (NOTE)        passed; NOTE is a fixed fact of the
 *                               kernel, such as an ioctl it lacks
 *   case NAME: FAIL WHAT        WHAT is the first thing that differed
 *                               from what the case expects; "server: "
 *                               first when the server found it
 * then "# N cases, N failed".  Exit status 0 when every case passed,
 * KSFT_FAIL otherwise.  The server prints nothing but errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <linux/vm_sockets.h>

#include "kselftest.h"

#define CTRL_LEN	64		/* bytes of a control record */
#define IO_TIMEOUT_S	20		/* longest wait of one send or recv */
#define CONNECT_S	10		/* connect timeout of the client */
#define IDLE_S		180		/* server: longest wait for a case */
#define WINDOW		65536		/* buffer size of the credit case */
#define BULK		(2 << 20)	/* bytes each way in the credit case */
#define LOWAT		1000		/* SO_RCVLOWAT of the rcvlowat case */
#define DEF_BUF		262144		/* af_vsock's default buffer size */
#define DEF_BUF_MIN	128
#define DEF_BUF_MAX	262144
#define SEQ_MAX		DEF_BUF		/* largest SOCK_SEQPACKET message */

struct vc_case {
	const char *name;
	int type;			/* SOCK_STREAM or SOCK_SEQPACKET */
	bool no_conn;			/* the case makes its own sockets */
	int (*prep)(int fd);		/* client, before connect */
	int (*client)(int fd);
	int (*server)(int fd);
};

static unsigned int peer_cid, base_port;
static char why[160];		/* the first failure of the current case */
static char note[64];		/* what an ok line adds, if anything */

/* Record the first failure of a case; always returns -1. */
static __printf(1, 2) int fail(const char *fmt, ...)
{
	va_list ap;

	if (!why[0]) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* @what failed with errno. */
static int fail_errno(const char *what)
{
	return fail("%s: %s", what, strerrorname_np(errno) ?: "?");
}

/* The byte at @off of pattern @seed: different for every case and side. */
static unsigned char pat(unsigned int seed, size_t off)
{
	return (off * 131 + (off >> 9) + seed * 29) & 0xff;
}

static void fill(unsigned char *buf, size_t len, unsigned int seed, size_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pat(seed, off + i);
}

/* Check @buf against the pattern; -1 and a failure if it differs. */
static int check(const char *what, const unsigned char *buf, size_t len,
		 unsigned int seed, size_t off)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != pat(seed, off + i))
			return fail("%s: wrong byte at offset %zu", what, off + i);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return fail_errno("SO_RCVTIMEO/SO_SNDTIMEO");
	return 0;
}

static int send_all(int fd, const void *buf, size_t len, const char *what)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail_errno(what);
		p += n;
		len -= n;
	}
	return 0;
}

static int recv_all(int fd, void *buf, size_t len, const char *what)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = recv(fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail_errno(what);
		if (!n)
			return fail("%s: early end of stream", what);
		p += n;
		len -= n;
	}
	return 0;
}

/* Send @len bytes of pattern @seed from offset @off, in 4 KiB sends. */
static int send_pat(int fd, size_t len, unsigned int seed, size_t off,
		    const char *what)
{
	unsigned char buf[4096];
	size_t n;

	while (len) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		fill(buf, n, seed, off);
		if (send_all(fd, buf, n, what))
			return -1;
		off += n;
		len -= n;
	}
	return 0;
}

/* Receive and check @len bytes of pattern @seed, in 4 KiB reads. */
static int recv_pat(int fd, size_t len, unsigned int seed, size_t off,
		    const char *what)
{
	unsigned char buf[4096];
	size_t n;

	while (len) {
		n = len < sizeof(buf) ? len : sizeof(buf);
		if (recv_all(fd, buf, n, what) || check(what, buf, n, seed, off))
			return -1;
		off += n;
		len -= n;
	}
	return 0;
}

/* A control record; one message on a SOCK_SEQPACKET socket. */
static int ctrl_send(int fd, const char *text)
{
	char rec[CTRL_LEN] = "";

	snprintf(rec, sizeof(rec), "%s", text);
	return send_all(fd, rec, sizeof(rec), "send control record");
}

static int ctrl_recv(int fd, char *rec)
{
	if (recv_all(fd, rec, CTRL_LEN, "receive control record"))
		return -1;
	rec[CTRL_LEN - 1] = 0;
	return 0;
}

/* Receive control record @want; anything else is a failure. */
static int ctrl_expect(int fd, const char *want)
{
	char rec[CTRL_LEN];

	if (ctrl_recv(fd, rec))
		return -1;
	if (strcmp(rec, want))
		return fail("expected control record \"%s\", got \"%.20s\"",
			    want, rec);
	return 0;
}

/*
 * The server's verdict on its half: "ok", "ok NOTE" or "FAIL WHAT".
 * A note of the server's becomes the case's note.
 */
static int verdict(int fd)
{
	char rec[CTRL_LEN];

	if (ctrl_recv(fd, rec))
		return -1;
	if (!strncmp(rec, "ok", 2) && (!rec[2] || rec[2] == ' ')) {
		if (rec[2])
			snprintf(note, sizeof(note), "%s", rec + 3);
		return 0;
	}
	return fail("server: %s", strncmp(rec, "FAIL ", 5) ? rec : rec + 5);
}

/* Wait until MSG_PEEK sees at least @want bytes; more than @max fails. */
static int wait_queued(int fd, size_t want, size_t max, const char *what)
{
	static unsigned char buf[BULK];
	long long end = now_ms() + IO_TIMEOUT_S * 1000;
	ssize_t n = 0;

	while (now_ms() < end) {
		n = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return fail_errno(what);
		if (n > (ssize_t)max)
			return fail("%s: %zd bytes queued, at most %zu expected",
				    what, n, max);
		if (n >= (ssize_t)want)
			return 0;
		usleep(10000);
	}
	return fail("%s: %zd bytes queued after %d s, %zu expected",
		    what, n < 0 ? 0 : n, IO_TIMEOUT_S, want);
}

static int get_u64(int fd, int opt, unsigned long long *val, const char *what)
{
	socklen_t len = sizeof(*val);

	if (getsockopt(fd, AF_VSOCK, opt, val, &len))
		return fail_errno(what);
	if (len != sizeof(*val))
		return fail("%s: option length %u", what, len);
	return 0;
}

/* Set a 64-bit AF_VSOCK option to @set, then read back @want. */
static int set_u64(int fd, int opt, unsigned long long set,
		   unsigned long long want, const char *what)
{
	unsigned long long val;

	if (setsockopt(fd, AF_VSOCK, opt, &set, sizeof(set)))
		return fail_errno(what);
	if (get_u64(fd, opt, &val, what))
		return -1;
	if (val != want)
		return fail("%s: set %llu, read back %llu, expected %llu",
			    what, set, val, want);
	return 0;
}

static int expect_u64(int fd, int opt, unsigned long long want,
		      const char *what)
{
	unsigned long long val;

	if (get_u64(fd, opt, &val, what))
		return -1;
	if (val != want)
		return fail("%s: %llu, expected %llu", what, val, want);
	return 0;
}

/* A call that must fail with @err; @ret is its return value. */
static int expect_errno(long ret, int err, const char *what)
{
	if (ret >= 0)
		return fail("%s: returned %ld, expected %s", what, ret,
			    strerrorname_np(err));
	if (errno != err)
		return fail("%s: %s, expected %s", what,
			    strerrorname_np(errno) ?: "?", strerrorname_np(err));
	return 0;
}

/*
 * stream_basic: 4 KiB each way; the server's own address is the one the
 * client dialed, and it sees the client's port.
 */
static int basic_client(int fd)
{
	struct sockaddr_vm me, peer;
	socklen_t len = sizeof(me);
	char rec[CTRL_LEN], want[CTRL_LEN];

	if (send_pat(fd, 4096, 1, 0, "send") ||
	    recv_pat(fd, 4096, 2, 0, "receive"))
		return -1;
	if (getsockname(fd, (struct sockaddr *)&me, &len))
		return fail_errno("getsockname");
	len = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &len))
		return fail_errno("getpeername");
	if (peer.svm_cid != peer_cid || peer.svm_port != base_port)
		return fail("getpeername: %u:%u, expected %u:%u", peer.svm_cid,
			    peer.svm_port, peer_cid, base_port);
	if (ctrl_recv(fd, rec))
		return -1;
	snprintf(want, sizeof(want), "%u:%u port=%u", peer_cid, base_port,
		 me.svm_port);
	if (strcmp(rec, want))
		return fail("server is at %s, expected %s", rec, want);
	return verdict(fd);
}

static int basic_server(int fd)
{
	struct sockaddr_vm me, peer;
	socklen_t len = sizeof(me);
	char rec[CTRL_LEN];

	if (recv_pat(fd, 4096, 1, 0, "receive") ||
	    send_pat(fd, 4096, 2, 0, "send"))
		return -1;
	if (getsockname(fd, (struct sockaddr *)&me, &len))
		return fail_errno("getsockname");
	len = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &len))
		return fail_errno("getpeername");
	snprintf(rec, sizeof(rec), "%u:%u port=%u", me.svm_cid, me.svm_port,
		 peer.svm_port);
	return ctrl_send(fd, rec);
}

/*
 * stream_credit: both ends have a WINDOW-byte buffer.  A non-blocking
 * send larger than that takes exactly WINDOW bytes (the credit the peer
 * granted) and the peer sees exactly WINDOW bytes queued; then BULK
 * bytes go each way through reads of 4 KiB, so that the sender only
 * gets on through the receiver's credit updates.
 */
static int fill_window(int fd)
{
	static unsigned char buf[4 * WINDOW];
	ssize_t n;

	fill(buf, sizeof(buf), 3, 0);
	n = send(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return fail_errno("non-blocking send");
	if (n != WINDOW)
		return fail("non-blocking send took %zd bytes, the window is %d",
			    n, WINDOW);
	return 0;
}

static int credit_prep(int fd)
{
	return set_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, WINDOW, WINDOW,
		       "SO_VM_SOCKETS_BUFFER_SIZE before connect");
}

static int credit_client(int fd)
{
	if (ctrl_expect(fd, "ready") || fill_window(fd) ||
	    send_pat(fd, BULK - WINDOW, 3, WINDOW, "send") ||
	    wait_queued(fd, WINDOW, WINDOW, "window from the server") ||
	    recv_pat(fd, BULK, 4, 0, "receive"))
		return -1;
	return verdict(fd);
}

static int credit_server(int fd)
{
	static unsigned char buf[4 * WINDOW];
	ssize_t n;

	if (set_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, WINDOW, WINDOW,
		    "SO_VM_SOCKETS_BUFFER_SIZE after accept") ||
	    ctrl_send(fd, "ready") ||
	    wait_queued(fd, WINDOW, WINDOW, "window from the client") ||
	    recv_pat(fd, BULK, 3, 0, "receive"))
		return -1;
	fill(buf, sizeof(buf), 4, 0);
	n = send(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return fail_errno("non-blocking send");
	if (n != WINDOW)
		return fail("non-blocking send took %zd bytes, the window is %d",
			    n, WINDOW);
	return send_pat(fd, BULK - WINDOW, 4, WINDOW, "send");
}

/* stream_shutdown: SHUT_WR is EOF for the peer, which can still send. */
static int shutdown_client(int fd)
{
	char c = 0;
	int ret;

	if (send_pat(fd, 100, 5, 0, "send"))
		return -1;
	if (shutdown(fd, SHUT_WR))
		return fail_errno("shutdown(SHUT_WR)");
	if (expect_errno(send(fd, &c, 1, MSG_NOSIGNAL), EPIPE,
			 "send after SHUT_WR") ||
	    recv_pat(fd, 100, 6, 0, "receive after SHUT_WR") || verdict(fd))
		return -1;
	ret = recv(fd, &c, 1, 0);
	if (ret < 0)
		return fail_errno("receive after the server closed");
	if (ret)
		return fail("receive after the server closed: a byte, no EOF");
	return 0;
}

static int shutdown_server(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };
	char c;
	int ret;

	if (recv_pat(fd, 100, 5, 0, "receive"))
		return -1;
	ret = recv(fd, &c, 1, 0);
	if (ret < 0)
		return fail_errno("receive after the peer's SHUT_WR");
	if (ret)
		return fail("receive after the peer's SHUT_WR: a byte, no EOF");
	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLRDHUP))
		return fail("poll after EOF: revents 0x%x, no POLLRDHUP",
			    p.revents);
	return send_pat(fd, 100, 6, 0, "send after the peer's SHUT_WR");
}

/* stream_peek: MSG_PEEK leaves the data for the next read. */
static int peek_client(int fd)
{
	return send_pat(fd, 64, 7, 0, "send") ?: verdict(fd);
}

static int peek_server(int fd)
{
	unsigned char buf[128];
	ssize_t n;

	if (wait_queued(fd, 64, 64, "peek"))
		return -1;
	n = recv(fd, buf, sizeof(buf), MSG_PEEK);
	if (n != 64)
		return fail("MSG_PEEK of 128: %zd bytes, expected 64", n);
	if (check("MSG_PEEK", buf, n, 7, 0))
		return -1;
	memset(buf, 0, sizeof(buf));
	n = recv(fd, buf, 16, MSG_PEEK);
	if (n != 16 || check("MSG_PEEK of 16", buf, 16, 7, 0))
		return fail("MSG_PEEK of 16: %zd bytes", n);
	memset(buf, 0, sizeof(buf));
	n = recv(fd, buf, sizeof(buf), 0);
	if (n != 64)
		return fail("read after MSG_PEEK: %zd bytes, expected 64", n);
	if (check("read after MSG_PEEK", buf, n, 7, 0))
		return -1;
	return expect_errno(recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT),
			    EAGAIN, "MSG_PEEK once all was read");
}

/* stream_rcvtimeo: a read with nothing to read ends at SO_RCVTIMEO. */
static int rcvtimeo_client(int fd)
{
	return verdict(fd);
}

static int rcvtimeo_server(int fd)
{
	struct timeval tv = { .tv_usec = 300000 };
	long long t;
	char c;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return fail_errno("SO_RCVTIMEO");
	t = now_ms();
	if (expect_errno(recv(fd, &c, 1, 0), EAGAIN, "read with SO_RCVTIMEO"))
		return -1;
	t = now_ms() - t;
	if (t < 290)
		return fail("read with SO_RCVTIMEO of 300 ms ended after %lld ms",
			    t);
	return set_timeouts(fd);
}

/*
 * stream_rcvlowat: with SO_RCVLOWAT at LOWAT, poll() does not report
 * POLLIN while LOWAT - 1 bytes are queued and does once LOWAT are.
 */
static int rcvlowat_client(int fd)
{
	if (ctrl_expect(fd, "go") || send_pat(fd, LOWAT - 1, 8, 0, "send") ||
	    ctrl_expect(fd, "more") ||
	    send_pat(fd, 1, 8, LOWAT - 1, "send the last byte"))
		return -1;
	return verdict(fd);
}

static int rcvlowat_server(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	socklen_t len = sizeof(int);
	int val = LOWAT, got = 0, ret;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &val, sizeof(val)))
		return fail_errno("SO_RCVLOWAT");
	if (getsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &got, &len))
		return fail_errno("getsockopt(SO_RCVLOWAT)");
	if (got != LOWAT)
		return fail("SO_RCVLOWAT reads back %d, expected %d", got, LOWAT);
	val = DEF_BUF + 1;
	if (expect_errno(setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &val,
				    sizeof(val)), EINVAL,
			 "SO_RCVLOWAT above the buffer size"))
		return -1;
	if (ctrl_send(fd, "go") ||
	    wait_queued(fd, LOWAT - 1, LOWAT - 1, "data below the mark"))
		return -1;
	ret = poll(&p, 1, 300);
	if (ret < 0)
		return fail_errno("poll");
	if (ret)
		return fail("poll with %d of %d bytes: revents 0x%x",
			    LOWAT - 1, LOWAT, p.revents);
	if (ctrl_send(fd, "more"))
		return -1;
	ret = poll(&p, 1, IO_TIMEOUT_S * 1000);
	if (ret < 0)
		return fail_errno("poll");
	if (ret != 1 || !(p.revents & POLLIN))
		return fail("poll at the mark: revents 0x%x, no POLLIN",
			    p.revents);
	return recv_pat(fd, LOWAT, 8, 0, "receive");
}

/*
 * stream_lowat_credit: the receiver (a LOWAT_BUF buffer, full) reads half
 * of it, which sends no credit update (half the buffer is free), then
 * raises SO_RCVLOWAT above what is left: that must send one, so that
 * the sender's last byte comes and poll() reports POLLIN.
 */
#define LOWAT_BUF	131072

static int lowat_credit_client(int fd)
{
	return ctrl_expect(fd, "ready") ||
	       send_pat(fd, LOWAT_BUF + 1, 12, 0, "send") ? -1 : verdict(fd);
}

static int lowat_credit_server(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int val = LOWAT_BUF / 2 + 1, ret;

	if (set_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, LOWAT_BUF, LOWAT_BUF,
		    "SO_VM_SOCKETS_BUFFER_SIZE") ||
	    ctrl_send(fd, "ready") ||
	    wait_queued(fd, LOWAT_BUF, LOWAT_BUF, "a full buffer") ||
	    recv_pat(fd, LOWAT_BUF / 2, 12, 0, "receive half"))
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &val, sizeof(val)))
		return fail_errno("SO_RCVLOWAT");
	ret = poll(&p, 1, IO_TIMEOUT_S * 1000);
	if (ret < 0)
		return fail_errno("poll");
	if (ret != 1 || !(p.revents & POLLIN))
		return fail("poll after raising SO_RCVLOWAT: revents 0x%x, no POLLIN",
			    p.revents);
	return recv_pat(fd, LOWAT_BUF / 2 + 1, 12, LOWAT_BUF / 2,
			"receive the rest");
}

/*
 * stream_siocinq: SIOCINQ gives the bytes queued to read, as they are
 * read.  A kernel whose vsock lacks it must fail it the same way over
 * every transport: the errno is the case's note.
 */
static int siocinq_client(int fd)
{
	return send_pat(fd, 1000, 9, 0, "send") ?: verdict(fd);
}

static int siocinq_server(int fd)
{
	static const int after[] = { 1000, 600, 0 };
	int i, n;

	if (wait_queued(fd, 1000, 1000, "data"))
		return -1;
	for (i = 0; i < 3; i++) {
		if (note[0]) {
			n = after[i];
		} else if (ioctl(fd, SIOCINQ, &n)) {
			if (i || (errno != ENOTTY && errno != EOPNOTSUPP))
				return fail_errno("SIOCINQ");
			snprintf(note, sizeof(note), "not supported: %s",
				 strerrorname_np(errno));
			n = after[0];
		}
		if (n != after[i])
			return fail("SIOCINQ: %d, expected %d", n, after[i]);
		if (i < 2 && recv_pat(fd, after[i] - after[i + 1], 9,
				      1000 - after[i], "receive"))
			return -1;
	}
	return 0;
}

/*
 * stream_siocoutq and seqpacket_siocoutq: SIOCOUTQ returns to 0 once the
 * peer has taken what was sent: the case record, then 2000 bytes.  The
 * count may trail a little behind the peer's reading (the sender's
 * transport may release a packet only after the peer got it), so "0 at
 * once" is not asked for.
 */
static int outq_drains(int fd, const char *what)
{
	long long end = now_ms() + IO_TIMEOUT_S * 1000;
	int n;

	do {
		if (ioctl(fd, SIOCOUTQ, &n))
			return fail_errno("SIOCOUTQ");
		if (!n)
			return 0;
		usleep(10000);
	} while (now_ms() < end);
	return fail("SIOCOUTQ still %d %d s after the peer took %s", n,
		    IO_TIMEOUT_S, what);
}

static int siocoutq_client(int fd)
{
	return ctrl_expect(fd, "go") ||
	       outq_drains(fd, "the case record") ||
	       send_pat(fd, 2000, 10, 0, "send") || verdict(fd) ||
	       outq_drains(fd, "the data") ? -1 : 0;
}

static int siocoutq_server(int fd)
{
	return ctrl_send(fd, "go") ?: recv_pat(fd, 2000, 10, 0, "receive");
}

static int seq_siocoutq_server(int fd)
{
	unsigned char buf[4096];
	ssize_t n;

	if (ctrl_send(fd, "go"))
		return -1;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return fail_errno("receive");
	if (n != 2000)
		return fail("message of %zd bytes, expected 2000", n);
	return check("receive", buf, n, 10, 0);
}

/*
 * stream_sockopts: SO_VM_SOCKETS_BUFFER_SIZE, _MIN_SIZE, _MAX_SIZE and
 * SO_VM_SOCKETS_CONNECT_TIMEOUT, before and after connect.  af_vsock
 * clamps a size to [min, max]; virtio-vsock then to 32 bits.
 */
static int sockopts_prep(int fd)
{
	struct timeval tv = { .tv_sec = 3, .tv_usec = 500000 };
	socklen_t len = sizeof(tv);

	if (expect_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, DEF_BUF,
		       "default SO_VM_SOCKETS_BUFFER_SIZE") ||
	    expect_u64(fd, SO_VM_SOCKETS_BUFFER_MIN_SIZE, DEF_BUF_MIN,
		       "default SO_VM_SOCKETS_BUFFER_MIN_SIZE") ||
	    expect_u64(fd, SO_VM_SOCKETS_BUFFER_MAX_SIZE, DEF_BUF_MAX,
		       "default SO_VM_SOCKETS_BUFFER_MAX_SIZE") ||
	    set_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, 1 << 20, DEF_BUF_MAX,
		    "SO_VM_SOCKETS_BUFFER_SIZE above the maximum") ||
	    set_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, 100000, 100000,
		    "SO_VM_SOCKETS_BUFFER_SIZE"))
		return -1;
	if (getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, &len))
		return fail_errno("SO_VM_SOCKETS_CONNECT_TIMEOUT");
	if (tv.tv_sec != 2 || tv.tv_usec)
		return fail("default connect timeout %ld.%06ld s, expected 2 s",
			    (long)tv.tv_sec, (long)tv.tv_usec);
	tv.tv_sec = 3;
	tv.tv_usec = 500000;
	if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv,
		       sizeof(tv)))
		return fail_errno("set SO_VM_SOCKETS_CONNECT_TIMEOUT");
	memset(&tv, 0, sizeof(tv));
	if (getsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, &len))
		return fail_errno("SO_VM_SOCKETS_CONNECT_TIMEOUT");
	if (tv.tv_sec != 3 || tv.tv_usec != 500000)
		return fail("connect timeout reads back %ld.%06ld s, set 3.5 s",
			    (long)tv.tv_sec, (long)tv.tv_usec);
	return 0;
}

static int sockopts_client(int fd)
{
	if (expect_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, 100000,
		       "SO_VM_SOCKETS_BUFFER_SIZE set before connect") ||
	    set_u64(fd, SO_VM_SOCKETS_BUFFER_MIN_SIZE, 4096, 4096,
		    "SO_VM_SOCKETS_BUFFER_MIN_SIZE") ||
	    set_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, 2000, 4096,
		    "SO_VM_SOCKETS_BUFFER_SIZE below the minimum") ||
	    set_u64(fd, SO_VM_SOCKETS_BUFFER_MAX_SIZE, 1ULL << 33, 1ULL << 33,
		    "SO_VM_SOCKETS_BUFFER_MAX_SIZE") ||
	    set_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, 1ULL << 33, 0xffffffffULL,
		    "SO_VM_SOCKETS_BUFFER_SIZE over 32 bits") ||
	    set_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, WINDOW, WINDOW,
		    "SO_VM_SOCKETS_BUFFER_SIZE connected"))
		return -1;
	return verdict(fd);
}

/* The accepted socket has the defaults (the listener has them). */
static int sockopts_server(int fd)
{
	return expect_u64(fd, SO_VM_SOCKETS_BUFFER_SIZE, DEF_BUF,
			  "SO_VM_SOCKETS_BUFFER_SIZE of the accepted socket");
}

/*
 * seqpacket_bounds: each send is one message, read whole by one recv,
 * with MSG_EOR as the sender set it; larger than the buffer is
 * EMSGSIZE, the buffer size itself goes.
 */
static const size_t seq_sizes[] = { 1, 100, 4096, 65536, 65537, 200000,
				    SEQ_MAX };
#define SEQ_COUNT	ARRAY_SIZE(seq_sizes)

static int bounds_client(int fd)
{
	static unsigned char buf[SEQ_MAX + 1];
	unsigned int i;
	ssize_t n;

	for (i = 0; i < SEQ_COUNT; i++) {
		if (i == SEQ_COUNT - 1 &&
		    expect_errno(send(fd, buf, SEQ_MAX + 1, MSG_NOSIGNAL),
				 EMSGSIZE, "message larger than the buffer"))
			return -1;
		fill(buf, seq_sizes[i], 11 + i, 0);
		n = send(fd, buf, seq_sizes[i],
			 MSG_NOSIGNAL | (i & 1 ? MSG_EOR : 0));
		if (n < 0)
			return fail("send of %zu: %s", seq_sizes[i],
				    strerrorname_np(errno));
		if (n != (ssize_t)seq_sizes[i])
			return fail("send of %zu took %zd", seq_sizes[i], n);
	}
	return verdict(fd);
}

static int bounds_server(int fd)
{
	static unsigned char buf[SEQ_MAX + 4096];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	unsigned int i;
	ssize_t n;
	int eor;

	for (i = 0; i < SEQ_COUNT; i++) {
		m.msg_flags = 0;
		n = recvmsg(fd, &m, 0);
		if (n < 0)
			return fail("message %u: %s", i, strerrorname_np(errno));
		if (n != (ssize_t)seq_sizes[i])
			return fail("message %u: %zd bytes, sent %zu", i, n,
				    seq_sizes[i]);
		if (check("message", buf, n, 11 + i, 0))
			return -1;
		eor = !!(m.msg_flags & MSG_EOR);
		if (eor != (int)(i & 1) || (m.msg_flags & MSG_TRUNC))
			return fail("message %u: msg_flags 0x%x, MSG_EOR %s", i,
				    m.msg_flags, i & 1 ? "sent" : "not sent");
	}
	return expect_errno(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN,
			    "receive after the last message");
}

/*
 * seqpacket_trunc: a buffer shorter than the message gets its start and
 * MSG_TRUNC, the rest of the message is gone; with MSG_TRUNC in the
 * flags recv returns the message's real length.
 */
static int trunc_client(int fd)
{
	return send_pat(fd, 1000, 20, 0, "send") ||
	       send_pat(fd, 1000, 21, 0, "send") ||
	       send_pat(fd, 50, 22, 0, "send") ? -1 : verdict(fd);
}

static int trunc_server(int fd)
{
	static const struct {
		int flags, ret, truncated;
		unsigned int seed;
	} want[] = {
		{ 0, 100, 1, 20 }, { MSG_TRUNC, 1000, 1, 21 }, { 0, 50, 0, 22 },
	};
	unsigned char buf[100];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	unsigned int i;
	ssize_t n;

	for (i = 0; i < 3; i++) {
		m.msg_flags = 0;
		n = recvmsg(fd, &m, want[i].flags);
		if (n < 0)
			return fail("recvmsg %u: %s", i, strerrorname_np(errno));
		if (n != want[i].ret)
			return fail("recvmsg %u of 100%s: %zd, expected %d", i,
				    want[i].flags ? " with MSG_TRUNC" : "", n,
				    want[i].ret);
		if (!!(m.msg_flags & MSG_TRUNC) != want[i].truncated)
			return fail("recvmsg %u: msg_flags 0x%x", i, m.msg_flags);
		if (check("recvmsg", buf, n < 100 ? n : 100, want[i].seed, 0))
			return -1;
	}
	return 0;
}

/* seqpacket_peek: MSG_PEEK shows the first message and leaves it. */
static int seqpeek_client(int fd)
{
	return send_pat(fd, 300, 23, 0, "send") ||
	       send_pat(fd, 200, 24, 0, "send") ? -1 : verdict(fd);
}

static int seqpeek_server(int fd)
{
	static const struct {
		int flags, ret;
		unsigned int seed;
		size_t len;
	} want[] = {
		{ MSG_PEEK, 300, 23, 1000 }, { MSG_PEEK, 100, 23, 100 },
		{ 0, 300, 23, 1000 }, { 0, 200, 24, 1000 },
	};
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned char buf[1000];
	unsigned int i;
	ssize_t n;

	if (poll(&p, 1, IO_TIMEOUT_S * 1000) != 1)
		return fail("poll: no message");
	for (i = 0; i < 4; i++) {
		n = recv(fd, buf, want[i].len, want[i].flags);
		if (n < 0)
			return fail("recv %u: %s", i, strerrorname_np(errno));
		if (n != want[i].ret)
			return fail("recv %u%s of %zu: %zd, expected %d", i,
				    want[i].flags ? " MSG_PEEK" : "",
				    want[i].len, n, want[i].ret);
		if (check("recv", buf, n, want[i].seed, 0))
			return -1;
	}
	return expect_errno(recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT),
			    EAGAIN, "MSG_PEEK once all was read");
}

/* connect_refused: connect to a port without a listener: ECONNRESET. */
static int refused_client(int unused)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET, SOCK_STREAM };
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK,
		.svm_cid = peer_cid,
		.svm_port = base_port + 2,
	};
	unsigned int i;
	int fd, ret;

	for (i = 0; i < 3; i++) {
		fd = socket(AF_VSOCK, types[i], 0);
		if (fd < 0)
			return fail_errno("socket");
		ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		ret = expect_errno(ret, ECONNRESET,
				   types[i] == SOCK_STREAM ? "stream connect" :
				   "seqpacket connect");
		close(fd);
		if (ret)
			return -1;
	}
	return 0;
}

/* peer_close: the server writes and closes; the client reads, then EOF. */
static int close_client(int fd)
{
	char c = 0;
	int ret;

	if (recv_pat(fd, 10, 25, 0, "receive") || verdict(fd))
		return -1;
	ret = recv(fd, &c, 1, 0);
	if (ret < 0)
		return fail_errno("read after the peer closed");
	if (ret)
		return fail("read after the peer closed: a byte, no EOF");
	ret = recv(fd, &c, 1, 0);
	if (ret)
		return fail("second read after the peer closed: %d (%s)", ret,
			    ret < 0 ? strerrorname_np(errno) : "data");
	return expect_errno(send(fd, &c, 1, MSG_NOSIGNAL), EPIPE,
			    "send after the peer closed");
}

static int close_server(int fd)
{
	return send_pat(fd, 10, 25, 0, "send");
}

static const struct vc_case cases[] = {
	{ "stream_basic", SOCK_STREAM, false, NULL,
	  basic_client, basic_server },
	{ "stream_credit", SOCK_STREAM, false, credit_prep,
	  credit_client, credit_server },
	{ "stream_shutdown", SOCK_STREAM, false, NULL,
	  shutdown_client, shutdown_server },
	{ "stream_peek", SOCK_STREAM, false, NULL,
	  peek_client, peek_server },
	{ "stream_rcvtimeo", SOCK_STREAM, false, NULL,
	  rcvtimeo_client, rcvtimeo_server },
	{ "stream_rcvlowat", SOCK_STREAM, false, NULL,
	  rcvlowat_client, rcvlowat_server },
	{ "stream_lowat_credit", SOCK_STREAM, false, NULL,
	  lowat_credit_client, lowat_credit_server },
	{ "stream_siocinq", SOCK_STREAM, false, NULL,
	  siocinq_client, siocinq_server },
	{ "stream_siocoutq", SOCK_STREAM, false, NULL,
	  siocoutq_client, siocoutq_server },
	{ "stream_sockopts", SOCK_STREAM, false, sockopts_prep,
	  sockopts_client, sockopts_server },
	{ "seqpacket_bounds", SOCK_SEQPACKET, false, NULL,
	  bounds_client, bounds_server },
	{ "seqpacket_trunc", SOCK_SEQPACKET, false, NULL,
	  trunc_client, trunc_server },
	{ "seqpacket_peek", SOCK_SEQPACKET, false, NULL,
	  seqpeek_client, seqpeek_server },
	{ "seqpacket_siocoutq", SOCK_SEQPACKET, false, NULL,
	  siocoutq_client, seq_siocoutq_server },
	{ "connect_refused", SOCK_STREAM, true, NULL,
	  refused_client, NULL },
	{ "peer_close", SOCK_STREAM, false, NULL,
	  close_client, close_server },
};

#define N_CASES		ARRAY_SIZE(cases)

/* A connection to the server's listener for @type; -1 and a failure if none. */
static int dial(int type, int (*prep)(int fd))
{
	struct timeval tv = { .tv_sec = CONNECT_S };
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK,
		.svm_cid = peer_cid,
		.svm_port = base_port + (type == SOCK_SEQPACKET),
	};
	int fd = socket(AF_VSOCK, type, 0);

	if (fd < 0)
		return fail_errno("socket");
	if ((prep && prep(fd)) || set_timeouts(fd))
		goto out;
	if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv,
		       sizeof(tv))) {
		fail_errno("SO_VM_SOCKETS_CONNECT_TIMEOUT");
		goto out;
	}
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	fail_errno("connect");
out:
	close(fd);
	return -1;
}

/* Run case @c from the client's side and print its line. */
static bool run_client_case(const struct vc_case *c)
{
	int fd = -1, ret = -1;

	why[0] = 0;
	note[0] = 0;
	if (c->no_conn) {
		ret = c->client(-1);
	} else {
		fd = dial(c->type, c->prep);
		if (fd >= 0 && !ctrl_send(fd, c->name))
			ret = c->client(fd);
	}
	if (fd >= 0)
		close(fd);
	if (ret && !why[0])
		fail("failed");
	if (ret)
		printf("case %s: FAIL %s\n", c->name, why);
	else if (note[0])
		printf("case %s: ok (%s)\n", c->name, note);
	else
		printf("case %s: ok\n", c->name);
	fflush(stdout);
	return !ret;
}

/* Say hello until the server answers; it may still be starting. */
static int wait_server(void)
{
	long long end = now_ms() + IDLE_S * 1000;
	int fd;

	do {
		why[0] = 0;
		fd = dial(SOCK_STREAM, NULL);
		if (fd >= 0) {
			if (!ctrl_send(fd, "hello") && !ctrl_expect(fd, "ok")) {
				close(fd);
				return 0;
			}
			close(fd);
			break;
		}
		sleep(1);
	} while (now_ms() < end);
	fprintf(stderr, "vsock_conform: no server at %u:%u: %s\n", peer_cid,
		base_port, why);
	return -1;
}

static int client(void)
{
	unsigned int i, failed = 0;
	int fd;

	if (wait_server())
		return KSFT_FAIL;
	for (i = 0; i < N_CASES; i++)
		failed += !run_client_case(&cases[i]);
	why[0] = 0;
	fd = dial(SOCK_STREAM, NULL);
	if (fd < 0 || ctrl_send(fd, "done") || ctrl_expect(fd, "ok"))
		fprintf(stderr, "vsock_conform: the server did not end: %s\n",
			why);
	if (fd >= 0)
		close(fd);
	printf("# %zu cases, %u failed\n", N_CASES, failed);
	return failed ? KSFT_FAIL : KSFT_PASS;
}

static int listen_on(int type, unsigned int port)
{
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};
	int fd = socket(AF_VSOCK, type, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 8)) {
		fprintf(stderr, "vsock_conform: listen on port %u: %s\n", port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Serve the case the connection @fd names; true when it was "done". */
static bool serve(int fd)
{
	char name[CTRL_LEN], rec[CTRL_LEN];
	const struct vc_case *c = NULL;
	unsigned int i;
	int ret;

	why[0] = 0;
	note[0] = 0;
	if (set_timeouts(fd) || ctrl_recv(fd, name)) {
		fprintf(stderr, "vsock_conform: no case name: %s\n", why);
		return false;
	}
	if (!strcmp(name, "hello") || !strcmp(name, "done")) {
		ctrl_send(fd, "ok");
		return !strcmp(name, "done");
	}
	for (i = 0; i < N_CASES; i++)
		if (!strcmp(name, cases[i].name) && cases[i].server)
			c = &cases[i];
	if (!c)
		ret = fail("unknown case \"%.20s\"", name);
	else
		ret = c->server(fd);
	if (ret)
		snprintf(rec, sizeof(rec), "FAIL %s", why);
	else
		snprintf(rec, sizeof(rec), "ok%s%s", note[0] ? " " : "", note);
	if (ret)
		fprintf(stderr, "vsock_conform: server: case %s: %s\n", name, why);
	ctrl_send(fd, rec);
	return false;
}

static int server(void)
{
	struct pollfd p[2];
	int i, fd, ret;

	p[0].fd = listen_on(SOCK_STREAM, base_port);
	p[1].fd = listen_on(SOCK_SEQPACKET, base_port + 1);
	if (p[0].fd < 0 || p[1].fd < 0)
		return KSFT_FAIL;
	p[0].events = POLLIN;
	p[1].events = POLLIN;
	for (;;) {
		ret = poll(p, 2, IDLE_S * 1000);
		if (ret <= 0) {
			fprintf(stderr, "vsock_conform: listening: %s\n",
				ret ? strerror(errno) : "no client came");
			return KSFT_FAIL;
		}
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			fd = accept(p[i].fd, NULL, NULL);
			if (fd < 0)
				continue;
			ret = serve(fd);
			close(fd);
			if (ret)
				return KSFT_PASS;
		}
	}
}

static int parse_u32(const char *s, unsigned int *val)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > 0xffffffffUL)
		return -1;
	*val = v;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server") &&
	    !parse_u32(argv[2], &base_port) && base_port < 0xfffffffdU)
		return server();
	if (argc == 4 && !strcmp(argv[1], "client") &&
	    !parse_u32(argv[2], &peer_cid) &&
	    !parse_u32(argv[3], &base_port) && base_port < 0xfffffffdU)
		return client();
	fprintf(stderr, "usage: vsock_conform server PORT\n"
		"       vsock_conform client CID PORT\n");
	return KSFT_FAIL;
}
