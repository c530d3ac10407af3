// SPDX-License-Identifier: GPL-2.0
/*
 * mk_vsock: traffic between multikernel instances over vsock, for the
 * test scripts.  It runs on the host and inside spawns, so it is linked
 * statically.
 *
 *   mk_vsock echo-server PORT        accept connections, echo everything
 *   mk_vsock stream CID PORT BYTES   send BYTES pseudo-random bytes to an
 *                                    echo server, check what comes back
 *   mk_vsock tap CID PORT BYTES      stream as above while a vsockmon
 *                                    device, made for the run, shows
 *                                    the packets; count those of the
 *                                    stream's connection
 *   mk_vsock rtt CID PORT COUNT      1-byte ping-pong with an echo server
 *   mk_vsock connect CID PORT        connect once, say how it went
 *   mk_vsock zerocopy CID PORT BYTES send BYTES (at most 256 KiB, the
 *                                    peer's first credit) to an echo
 *                                    server in 64 KiB MSG_ZEROCOPY sends,
 *                                    check what comes back, and wait for
 *                                    every send's completion
 *   mk_vsock pipe-rtt COUNT          the same over pipes between two
 *                                    processes on CPUs 0 and 1: the
 *                                    baseline
 *   mk_vsock hold CID PORT N SECS    open N connections from reserved
 *                                    source ports (as mkctl does), send
 *                                    nothing, and count for up to SECS
 *                                    how the peer ends them
 *   mk_vsock as-nobody CMD [ARGS...] run CMD as uid and gid 65534, with
 *                                    no groups and no capabilities
 *                                    (busybox's setpriv cannot)
 *   mk_vsock kv-load CID PORT SECS [PREFIX]
 *                                    load mk-kv for SECS seconds on one
 *                                    connection: "SET PREFIX-<n> <n>.<h>"
 *                                    for n = 1, 2, ... (h: a hash of n;
 *                                    PREFIX "kv" by default), each one
 *                                    followed by the GET of a random key
 *                                    acknowledged before, checking its
 *                                    value; then, on a new
 *                                    connection, GET every acknowledged
 *                                    key and count those without their
 *                                    value
 *   mk_vsock kv-ask CID PORT         send each line of stdin to mk-kv,
 *                                    print each answer
 *   mk_vsock kv-gap CID PORT SECS    GET one key of mk-kv, back to back,
 *                                    for SECS seconds: how long the
 *                                    service is not there
 *
 * "unix:PATH" may stand for "CID PORT" (and for the server's PORT), so
 * that the program can be tried where there is no vsock; a PORT after it
 * is ignored (kv-load and kv-gap want it all the same).
 *
 * kv-load and kv-gap wait KV_ANSWER_MS for each answer.  Any error (a
 * connection that fails or ends, an answer late or wrong) closes the
 * connection and counts once; the next connect is tried every
 * KV_RETRY_US until one works (or the SECS are over).  A SET counts as
 * acknowledged once its OK came.  The gap is the longest time between two
 * answers; an outage still going on when the SECS are over counts up to
 * their end.  The readback connects within KV_READBACK_MS; keys it cannot
 * check count as lost.
 *
 * Output, one line each:
 *   stream: bytes=N checksum=OK|BAD mb_per_s=X
 *   after reset: so_error=N send=TEXT recv=TEXT   (on stderr, when the
 *     stream ended reset: SO_ERROR's value, and what a send and a read
 *     of the socket then give, "ok" or "EOF" or strerror())
 *   tap: requests=N responses=N out_bytes=N in_bytes=N drops=N
 *     (after tap's stream line) the connection's REQUEST and RESPONSE
 *     packets, the payload bytes it sent and received, and the packets
 *     the capture socket had no room for
 *   rtt: count=N min_us=A median_us=B p99_us=C
 *   connect: errno=N (TEXT)          0 (connected) or connect()'s errno
 *   zerocopy: sends=N completed=N copied=N bytes=N checksum=OK|BAD
 *     completed counts the sends the error queue reported done, copied
 *     those of them the kernel reported as copied instead
 *   pipe-rtt: count=N min_us=A median_us=B p99_us=C
 *   hold: opened=N                     once all N are connected, then
 *   hold: opened=N early=E late=L open=O
 *     (E closed by the peer within HOLD_EARLY_MS of the last connect, as
 *     a refusal is; L closed later, as by a timeout; O still open after
 *     SECS)
 *   kv: ops=N acked=A errors=E reconnects=R max_gap_ms=G lost=L
 *     N answers taken, A SETs acknowledged, E errors, R connections made
 *     again after them, G the gap, L acknowledged keys without their
 *     value at the end (wrong answers also go to stderr, the first few)
 *   kv-gap: ops=N errors=E max_gap_ms=G
 * The median and p99 are nearest-rank percentiles.  Exit status 0 when
 * the data came back intact (kv-load: lost is 0; kv-gap: some answer
 * came), KSFT_FAIL otherwise, KSFT_SKIP when the kernel has no vsock (or
 * no sockets at all).
 */
#define _GNU_SOURCE	/* sched_setaffinity(), setresuid() */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/errqueue.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/vm_sockets.h>
#include <linux/vsockmon.h>

#include "kselftest.h"

#define CHUNK		65536		/* bytes per read or write */
#define STALL_MS	10000		/* longest wait for any progress */
#define MAX_COUNT	10000000
#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL
#define NOBODY		65534		/* uid and gid of as-nobody */
#define ZC_MAX		(4 * CHUNK)	/* the peer's first credit */
#define TAP_DEV		"mkvsockmon0"
#define TAP_RCVBUF	(32 << 20)	/* holds a 1 MiB stream's packets */

/* Where to listen or connect: vsock CID and port, or a unix socket. */
struct addr {
	bool is_unix;
	unsigned int cid;
	unsigned int port;
	const char *path;
};

/* Round-trip times, in nanoseconds. */
struct samples {
	unsigned long long *ns;
	size_t n;
};

static int print_usage(void)
{
	fprintf(stderr,
		"usage: mk_vsock echo-server PORT|unix:PATH\n"
		"       mk_vsock stream CID PORT|unix:PATH BYTES\n"
		"       mk_vsock tap CID PORT BYTES\n"
		"       mk_vsock rtt CID PORT|unix:PATH COUNT\n"
		"       mk_vsock connect CID PORT|unix:PATH\n"
		"       mk_vsock zerocopy CID PORT BYTES\n"
		"       mk_vsock pipe-rtt COUNT\n"
		"       mk_vsock hold CID PORT N SECS\n"
		"       mk_vsock as-nobody CMD [ARGS...]\n"
		"       mk_vsock kv-load CID|unix:PATH PORT SECS [PREFIX]\n"
		"       mk_vsock kv-gap CID|unix:PATH PORT SECS\n"
		"       mk_vsock kv-ask CID|unix:PATH PORT\n");
	return KSFT_FAIL;
}

static int parse_u64(const char *s, unsigned long long max, unsigned long long *val)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*val = strtoull(s, &end, 0);
	return errno || *end || *val > max ? -1 : 0;
}

static int parse_u32(const char *s, unsigned int *val)
{
	unsigned long long v;

	if (parse_u64(s, 0xffffffffULL, &v))
		return -1;
	*val = v;
	return 0;
}

/*
 * Parse the @nargs arguments naming an address: "unix:PATH" (a port after
 * it is ignored), else "PORT" for a @server or "CID PORT" for a client.
 */
static int parse_addr(char **args, int nargs, bool server, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (nargs >= 1 && !strncmp(args[0], "unix:", 5) && args[0][5]) {
		a->is_unix = true;
		a->path = args[0] + 5;
		return nargs == 1 || (nargs == 2 && !server) ? 0 : -1;
	}
	if (server && nargs == 1) {
		a->cid = VMADDR_CID_ANY;
		return parse_u32(args[0], &a->port);
	}
	if (!server && nargs == 2)
		return parse_u32(args[0], &a->cid) ?: parse_u32(args[1], &a->port);
	return -1;
}

static void print_addr(FILE *f, const struct addr *a)
{
	if (a->is_unix)
		fprintf(f, "unix:%s", a->path);
	else if (a->cid == VMADDR_CID_ANY)
		fprintf(f, "vsock port %u", a->port);
	else
		fprintf(f, "vsock %u:%u", a->cid, a->port);
}

/* A stream socket for @a and its sockaddr; -1 if none can be made. */
static int make_socket(const struct addr *a, struct sockaddr_storage *ss,
		       socklen_t *len)
{
	struct sockaddr_un *su = (struct sockaddr_un *)ss;
	struct sockaddr_vm *sv = (struct sockaddr_vm *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->is_unix) {
		if (strlen(a->path) >= sizeof(su->sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		su->sun_family = AF_UNIX;
		memcpy(su->sun_path, a->path, strlen(a->path) + 1);
		*len = sizeof(*su);
		return socket(AF_UNIX, SOCK_STREAM, 0);
	}
	sv->svm_family = AF_VSOCK;
	sv->svm_cid = a->cid;
	sv->svm_port = a->port;
	*len = sizeof(*sv);
	return socket(AF_VSOCK, SOCK_STREAM, 0);
}

/* Say why @what failed on @a. */
static int sock_error(const char *what, const struct addr *a)
{
	int err = errno;

	fprintf(stderr, "mk_vsock: %s ", what);
	print_addr(stderr, a);
	fprintf(stderr, ": %s\n", strerror(err));
	return KSFT_FAIL;
}

/* No socket at all: the kernel lacks vsock (or sockets); skip. */
static int no_socket(const struct addr *a)
{
	sock_error("no socket for", a);
	return KSFT_SKIP;
}

static int dial(const struct addr *a, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len;

	*fd = make_socket(a, &ss, &len);
	if (*fd < 0)
		return no_socket(a);
	if (connect(*fd, (struct sockaddr *)&ss, len)) {
		close(*fd);
		return sock_error("connect to", a);
	}
	return KSFT_PASS;
}

/* One connect; its errno is the result, which the test checks. */
static int connect_once(const struct addr *a)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err = 0;

	fd = make_socket(a, &ss, &len);
	if (fd < 0)
		return no_socket(a);
	if (connect(fd, (struct sockaddr *)&ss, len))
		err = errno;
	close(fd);
	printf("connect: errno=%d (%s)\n", err, err ? strerror(err) : "connected");
	return err ? KSFT_FAIL : KSFT_PASS;
}

static int listen_on(const struct addr *a, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len;

	*fd = make_socket(a, &ss, &len);
	if (*fd < 0)
		return no_socket(a);
	if (a->is_unix)
		unlink(a->path);
	if (bind(*fd, (struct sockaddr *)&ss, len) || listen(*fd, 16)) {
		close(*fd);
		return sock_error("listen on", a);
	}
	return KSFT_PASS;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Echo what @fd receives until it ends. */
static int echo(int fd)
{
	char *buf = malloc(CHUNK);
	ssize_t n;

	if (!buf)
		return KSFT_FAIL;
	while ((n = read(fd, buf, CHUNK)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && write_all(fd, buf, n))
			break;
	free(buf);
	return n ? KSFT_FAIL : KSFT_PASS;
}

static int echo_server(const struct addr *a)
{
	int lfd, fd, ret;

	ret = listen_on(a, &lfd);
	if (ret)
		return ret;
	signal(SIGCHLD, SIG_IGN);
	printf("echo-server: listening on ");
	print_addr(stdout, a);
	printf("\n");
	fflush(stdout);
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (!fork()) {
			close(lfd);
			_exit(echo(fd));
		}
		close(fd);
	}
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static unsigned long long fnv64(unsigned long long h, const unsigned char *p, size_t len)
{
	while (len--) {
		h ^= *p++;
		h *= FNV_PRIME;
	}
	return h;
}

/* xorshift64: pseudo-random bytes, the same for every run. */
static void fill_random(unsigned long long *state, unsigned char *p, size_t len)
{
	unsigned long long x = *state;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = x >> 32;
	}
	*state = x;
}

/* Both directions of a stream test. */
struct stream {
	int fd;
	unsigned long long total, made, recvd;
	unsigned long long rng, h_sent, h_recv;
	size_t off, len;		/* of the chunk being sent */
	unsigned char out[CHUNK], in[CHUNK];
};

/* errno = the socket's pending error, which says why the stream ended. */
static void take_so_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (!getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) && err)
		errno = err;
}

/* Send what the socket takes; -1 on errors. */
static int stream_send(struct stream *s)
{
	ssize_t n;

	if (s->off == s->len) {
		s->len = s->total - s->made < CHUNK ? s->total - s->made : CHUNK;
		s->off = 0;
		fill_random(&s->rng, s->out, s->len);
		s->h_sent = fnv64(s->h_sent, s->out, s->len);
		s->made += s->len;
	}
	n = send(s->fd, s->out + s->off, s->len - s->off,
		 MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0) {
		if (errno == EPIPE)
			take_so_error(s->fd);
		return -1;
	}
	s->off += n;
	return 0;
}

/* Take what came back; -1 on errors or an early end (as ECONNRESET). */
static int stream_recv(struct stream *s)
{
	ssize_t n = recv(s->fd, s->in, sizeof(s->in), MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (!n) {
		errno = ECONNRESET;
		return -1;
	}
	s->h_recv = fnv64(s->h_recv, s->in, n);
	s->recvd += n;
	return 0;
}

static int stream_pump(struct stream *s)
{
	struct pollfd pfd = { .fd = s->fd };
	int n;

	while (s->recvd < s->total) {
		bool more = s->made < s->total || s->off < s->len;

		pfd.events = POLLIN | (more ? POLLOUT : 0);
		n = poll(&pfd, 1, STALL_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "mk_vsock: stream stalled after %llu bytes back\n",
				s->recvd);
			return -1;
		}
		if (pfd.revents & POLLERR) {
			take_so_error(s->fd);
			return -1;
		}
		if ((pfd.revents & POLLOUT) && stream_send(s))
			return -1;
		if ((pfd.revents & (POLLIN | POLLHUP)) && stream_recv(s))
			return -1;
	}
	return 0;
}

/*
 * What a reset stream's socket does once its error is read: no send is
 * taken, and reads end after what came before the reset.
 */
static void after_reset(int fd)
{
	char buf[4096], sent[64], read[64];
	socklen_t len = sizeof(int);
	int soerr = 0;
	ssize_t n;

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	n = send(fd, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	snprintf(sent, sizeof(sent), "%s", n < 0 ? strerror(errno) : "ok");
	do
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	while (n > 0);
	snprintf(read, sizeof(read), "%s", n ? strerror(errno) : "EOF");
	fprintf(stderr, "mk_vsock: after reset: so_error=%d send=%s recv=%s\n",
		soerr, sent, read);
}

static int stream_test(const struct addr *a, unsigned long long bytes)
{
	struct stream *s = calloc(1, sizeof(*s));
	unsigned long long t0, ns;
	bool ok;
	int ret;

	if (!s)
		return KSFT_FAIL;
	ret = dial(a, &s->fd);
	if (ret) {
		free(s);
		return ret;
	}
	s->total = bytes;
	s->rng = 0x9e3779b97f4a7c15ULL;
	s->h_sent = FNV_OFFSET;
	s->h_recv = FNV_OFFSET;
	t0 = now_ns();
	if (stream_pump(s)) {
		fprintf(stderr, "mk_vsock: stream: %s\n", strerror(errno));
		if (errno == ECONNRESET)
			after_reset(s->fd);
	}
	ns = now_ns() - t0;
	close(s->fd);
	ok = s->recvd == s->total && s->h_recv == s->h_sent;
	printf("stream: bytes=%llu checksum=%s mb_per_s=%.1f\n",
	       s->recvd, ok ? "OK" : "BAD",
	       ns ? s->recvd * 1000.0 / ns : 0.0);
	free(s);
	return ok ? KSFT_PASS : KSFT_FAIL;
}

#define HOLD_MAX	512	/* reserved ports 512-1023 */

/* A vsock stream socket bound to a free reserved port; -1 on errors. */
static int reserved_socket(unsigned int *next_port)
{
	struct sockaddr_vm sv = { .svm_family = AF_VSOCK,
				  .svm_cid = VMADDR_CID_ANY };
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	for (; *next_port >= 512; (*next_port)--) {
		sv.svm_port = *next_port;
		if (!bind(fd, (struct sockaddr *)&sv, sizeof(sv))) {
			(*next_port)--;
			return fd;
		}
		if (errno != EADDRINUSE)
			break;
	}
	close(fd);
	return -1;
}

#define HOLD_EARLY_MS	3000

/* Read what came on a held connection; true once the peer closed it. */
static bool hold_read(struct pollfd *p)
{
	char buf[256];
	ssize_t n = read(p->fd, buf, sizeof(buf));

	if (n > 0 || (n < 0 && errno == EINTR))
		return false;
	close(p->fd);
	p->fd = -1;
	return true;
}

static int hold_connections(const struct addr *a, unsigned int n,
			    unsigned int secs)
{
	struct sockaddr_vm sv = { .svm_family = AF_VSOCK, .svm_cid = a->cid,
				  .svm_port = a->port };
	unsigned int i, port = 1023, early = 0, late = 0;
	unsigned long long t0, end;
	struct pollfd p[HOLD_MAX];

	for (i = 0; i < n; i++) {
		p[i].fd = reserved_socket(&port);
		p[i].events = POLLIN;
		if (p[i].fd < 0 ||
		    connect(p[i].fd, (struct sockaddr *)&sv, sizeof(sv)))
			return sock_error("hold: connect to", a);
	}
	printf("hold: opened=%u\n", n);
	t0 = now_ns();
	end = t0 + secs * 1000000000ULL;
	while (early + late < n && now_ns() < end) {
		if (poll(p, n, 100) < 0 && errno != EINTR)
			return sock_error("hold: poll on", a);
		for (i = 0; i < n; i++) {
			if (p[i].fd < 0 || !p[i].revents || !hold_read(&p[i]))
				continue;
			if (now_ns() - t0 < HOLD_EARLY_MS * 1000000ULL)
				early++;
			else
				late++;
		}
	}
	printf("hold: opened=%u early=%u late=%u open=%u\n", n, early, late,
	       n - early - late);
	return KSFT_PASS;
}

static int run_hold(int argc, char **argv)
{
	unsigned int n, secs;
	struct addr a;

	if (argc != 4 || parse_addr(argv, 2, false, &a) || a.is_unix ||
	    parse_u32(argv[2], &n) || !n || n > HOLD_MAX ||
	    parse_u32(argv[3], &secs))
		return print_usage();
	return hold_connections(&a, n, secs);
}

/* The sends the completions in @fd's error queue report; -1 on errors. */
static int zc_reap(int fd, unsigned int *completed, unsigned int *copied)
{
	char control[CMSG_SPACE(sizeof(struct sock_extended_err))];
	struct msghdr msg = { .msg_control = control,
			      .msg_controllen = sizeof(control) };
	struct sock_extended_err *ee;
	struct cmsghdr *cm;

	socklen_t len = sizeof(int);
	int err = 0;

	if (recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
		if (errno != EAGAIN && errno != EINTR)
			return -1;
		/* POLLERR with nothing queued: the socket's own error. */
		if (!getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) && err) {
			errno = err;
			return -1;
		}
		return 0;
	}
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_VSOCK || cm->cmsg_type != VSOCK_RECVERR)
			continue;
		ee = (struct sock_extended_err *)CMSG_DATA(cm);
		if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY || ee->ee_errno ||
		    ee->ee_data < ee->ee_info) {
			errno = EPROTO;
			return -1;
		}
		*completed += ee->ee_data - ee->ee_info + 1;
		if (ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED)
			*copied += ee->ee_data - ee->ee_info + 1;
	}
	return 0;
}

/*
 * Send @bytes in CHUNK sends with MSG_ZEROCOPY, each from pages of its own
 * that stay untouched until the end; then take the echo and the
 * completions.  Within the peer's first credit every send goes out whole,
 * as one zero-copy packet.
 */
static int zerocopy_test(const struct addr *a, unsigned long long bytes)
{
	unsigned int sends = 0, completed = 0, copied = 0;
	unsigned long long rng = 0x9e3779b97f4a7c15ULL, got = 0;
	struct pollfd pfd = { .events = POLLIN };
	unsigned char *out, *in;
	int one = 1, ret, n;
	ssize_t len;
	bool ok;

	out = aligned_alloc(4096, ZC_MAX);
	in = malloc(bytes);
	if (!out || !in)
		return KSFT_FAIL;
	fill_random(&rng, out, bytes);
	ret = dial(a, &pfd.fd);
	if (ret) {
		free(out);
		free(in);
		return ret;
	}
	if (setsockopt(pfd.fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) {
		ret = sock_error("SO_ZEROCOPY on", a);
		goto out;
	}
	for (len = 0; len < (ssize_t)bytes; len += n, sends++) {
		n = bytes - len < CHUNK ? bytes - len : CHUNK;
		if (send(pfd.fd, out + len, n, MSG_ZEROCOPY | MSG_NOSIGNAL) != n) {
			ret = sock_error("MSG_ZEROCOPY send to", a);
			goto out;
		}
	}
	while (got < bytes || completed < sends) {
		pfd.events = got < bytes ? POLLIN : 0;
		n = poll(&pfd, 1, STALL_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "mk_vsock: zerocopy stalled: %llu bytes back, %u/%u done\n",
				got, completed, sends);
			break;
		}
		if ((pfd.revents & POLLERR) &&
		    zc_reap(pfd.fd, &completed, &copied)) {
			fprintf(stderr, "mk_vsock: zerocopy: %s\n", strerror(errno));
			break;
		}
		if (!(pfd.revents & POLLIN))
			continue;
		len = recv(pfd.fd, in + got, bytes - got, MSG_DONTWAIT);
		if (len == 0 || (len < 0 && errno != EAGAIN && errno != EINTR))
			break;
		if (len > 0)
			got += len;
	}
	ok = got == bytes && !memcmp(in, out, bytes);
	printf("zerocopy: sends=%u completed=%u copied=%u bytes=%llu checksum=%s\n",
	       sends, completed, copied, got, ok ? "OK" : "BAD");
	ret = ok && completed == sends ? KSFT_PASS : KSFT_FAIL;
out:
	close(pfd.fd);
	free(out);
	free(in);
	return ret;
}

/* A netlink request being built: header, ifinfomsg, attributes. */
struct nl_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[256];
};

static struct rtattr *nl_attr(struct nl_req *r, unsigned short type,
			      const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

/* Send @r, wait for its ack; 0 or -1 with errno set to the kernel's. */
static int nl_talk(struct nl_req *r)
{
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	ssize_t n;

	if (fd < 0)
		return -1;
	r->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (send(fd, r, r->nh.nlmsg_len, 0) < 0) {
		close(fd);
		return -1;
	}
	n = recv(fd, &ack, sizeof(ack), 0);
	close(fd);
	if (n < (ssize_t)sizeof(ack) || ack.nh.nlmsg_type != NLMSG_ERROR) {
		errno = EPROTO;
		return -1;
	}
	errno = -ack.err.error;
	return ack.err.error ? -1 : 0;
}

/* RTM_NEWLINK of kind "vsockmon", up; or with @del, RTM_DELLINK. */
static int tap_dev(bool del)
{
	struct nl_req r = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
		.nh.nlmsg_type = del ? RTM_DELLINK : RTM_NEWLINK,
		.nh.nlmsg_flags = del ? 0 : NLM_F_CREATE | NLM_F_EXCL,
		.ifi.ifi_family = AF_UNSPEC,
		.ifi.ifi_flags = del ? 0 : IFF_UP,
		.ifi.ifi_change = del ? 0 : IFF_UP,
	};
	struct rtattr *info;

	nl_attr(&r, IFLA_IFNAME, TAP_DEV, sizeof(TAP_DEV));
	if (!del) {
		info = nl_attr(&r, IFLA_LINKINFO, NULL, 0);
		nl_attr(&r, IFLA_INFO_KIND, "vsockmon", sizeof("vsockmon") - 1);
		info->rta_len = (char *)&r + r.nh.nlmsg_len - (char *)info;
	}
	return nl_talk(&r);
}

/* What the capture saw of the connection to @a. */
struct tap_count {
	unsigned int requests, responses;
	unsigned long long out_bytes, in_bytes;
};

/* Count one captured packet of @len bytes at @p. */
static void tap_packet(const struct addr *a, const unsigned char *p, size_t len,
		       struct tap_count *c)
{
	struct af_vsockmon_hdr mh;
	struct virtio_vsock_hdr vh;
	bool out, in;

	if (len < sizeof(mh) + sizeof(vh))
		return;
	memcpy(&mh, p, sizeof(mh));
	if (mh.transport != AF_VSOCK_TRANSPORT_VIRTIO || mh.len != sizeof(vh))
		return;
	memcpy(&vh, p + sizeof(mh), sizeof(vh));
	out = vh.dst_cid == a->cid && vh.dst_port == a->port;
	in = vh.src_cid == a->cid && vh.src_port == a->port;
	if (out && vh.op == VIRTIO_VSOCK_OP_REQUEST)
		c->requests++;
	if (in && vh.op == VIRTIO_VSOCK_OP_RESPONSE)
		c->responses++;
	if (vh.op != VIRTIO_VSOCK_OP_RW)
		return;
	if (out)
		c->out_bytes += vh.len;
	if (in)
		c->in_bytes += vh.len;
}

/*
 * A stream with a vsockmon device capturing: every packet this kernel
 * sends or accepts passes the device, where an AF_PACKET socket takes it.
 * The host's (little-endian) byte order is assumed for the headers.
 */
static int tap_test(const struct addr *a, unsigned long long bytes)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	struct tpacket_stats st = { 0 };
	socklen_t stlen = sizeof(st);
	struct ifreq ifr = { .ifr_name = TAP_DEV };
	struct tap_count c = { 0 };
	int fd, ret, rcvbuf = TAP_RCVBUF;
	unsigned char *buf;
	ssize_t n;

	buf = malloc(2 * CHUNK);
	if (!buf)
		return KSFT_FAIL;
	if (tap_dev(false)) {
		perror("mk_vsock: cannot make a vsockmon device");
		free(buf);
		return errno == EOPNOTSUPP ? KSFT_SKIP : KSFT_FAIL;
	}
	ret = KSFT_FAIL;
	/* Not if_nametoindex(): the kernel may have no INET or UNIX sockets. */
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd >= 0 && !ioctl(fd, SIOCGIFINDEX, &ifr))
		sll.sll_ifindex = ifr.ifr_ifindex;
	if (!sll.sll_ifindex ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("mk_vsock: cannot capture on " TAP_DEV);
		goto out;
	}
	ret = stream_test(a, bytes);
	while ((n = recv(fd, buf, 2 * CHUNK, MSG_DONTWAIT)) > 0)
		tap_packet(a, buf, n, &c);
	getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &stlen);
	printf("tap: requests=%u responses=%u out_bytes=%llu in_bytes=%llu drops=%u\n",
	       c.requests, c.responses, c.out_bytes, c.in_bytes, st.tp_drops);
out:
	if (fd >= 0)
		close(fd);
	if (tap_dev(true))
		perror("mk_vsock: cannot remove " TAP_DEV);
	free(buf);
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile @pct of the sorted samples, in microseconds. */
static double rank_us(const struct samples *s, unsigned int pct)
{
	size_t r = (s->n * pct + 99) / 100;

	return s->ns[r ? r - 1 : 0] / 1000.0;
}

static void print_rtt(const char *what, struct samples *s)
{
	qsort(s->ns, s->n, sizeof(*s->ns), cmp_u64);
	printf("%s: count=%zu min_us=%.1f median_us=%.1f p99_us=%.1f\n",
	       what, s->n, s->ns[0] / 1000.0, rank_us(s, 50), rank_us(s, 99));
}

/* One byte to @out and back from @in, @count times; -1 on errors. */
static int ping_pong(int out, int in, struct samples *s, size_t count)
{
	unsigned char c, back;
	unsigned long long t0;

	for (s->n = 0; s->n < count; s->n++) {
		c = s->n;
		t0 = now_ns();
		if (write_all(out, &c, 1) || read(in, &back, 1) != 1)
			return -1;
		s->ns[s->n] = now_ns() - t0;
		if (back != c) {
			errno = EBADMSG;
			return -1;
		}
	}
	return 0;
}

static int socket_rtt(const struct addr *a, struct samples *s, size_t count)
{
	int fd, ret;

	ret = dial(a, &fd);
	if (ret)
		return ret;
	ret = ping_pong(fd, fd, s, count);
	if (ret)
		fprintf(stderr, "mk_vsock: rtt: %s after %zu round trips\n",
			errno ? strerror(errno) : "connection closed", s->n);
	close(fd);
	if (ret)
		return KSFT_FAIL;
	print_rtt("rtt", s);
	return KSFT_PASS;
}

/* Pin the caller to the @nth CPU it may run on (or the last one). */
static int pin_nth(int nth)
{
	cpu_set_t set, one;
	int cpu, seen = 0, last = -1;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		last = cpu;
		if (seen++ == nth)
			break;
	}
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	return sched_setaffinity(0, sizeof(one), &one) ? -1 : last;
}

/* The far end of pipe-rtt: echo bytes from @in to @out until EOF. */
static void pipe_echo(int in, int out)
{
	unsigned char c;

	pin_nth(1);
	while (read(in, &c, 1) == 1)
		if (write_all(out, &c, 1))
			break;
	_exit(0);
}

static int pipe_rtt(struct samples *s, size_t count)
{
	int there[2], back[2], ret;
	pid_t pid;

	if (pipe(there) || pipe(back))
		return KSFT_FAIL;
	pid = fork();
	if (pid < 0)
		return KSFT_FAIL;
	if (!pid) {
		close(there[1]);
		close(back[0]);
		pipe_echo(there[0], back[1]);
	}
	close(there[0]);
	close(back[1]);
	if (pin_nth(0) < 0)
		fprintf(stderr, "mk_vsock: cannot pin to a CPU: %s\n",
			strerror(errno));
	ret = ping_pong(there[1], back[0], s, count);
	close(there[1]);
	close(back[0]);
	waitpid(pid, NULL, 0);
	if (ret) {
		fprintf(stderr, "mk_vsock: pipe-rtt failed after %zu round trips\n",
			s->n);
		return KSFT_FAIL;
	}
	print_rtt("pipe-rtt", s);
	return KSFT_PASS;
}

/* rtt and pipe-rtt: @argv is "[CID PORT|unix:PATH] COUNT". */
static int run_rtt(bool pipes, int argc, char **argv)
{
	struct samples s = { 0 };
	struct addr a;
	unsigned long long count;
	int ret;

	if (argc < 1 || parse_u64(argv[argc - 1], MAX_COUNT, &count) ||
	    !count)
		return print_usage();
	if (pipes ? argc != 1 : parse_addr(argv, argc - 1, false, &a))
		return print_usage();
	s.ns = calloc(count, sizeof(*s.ns));
	if (!s.ns)
		return KSFT_FAIL;
	ret = pipes ? pipe_rtt(&s, count) : socket_rtt(&a, &s, count);
	free(s.ns);
	return ret;
}

#define KV_ANSWER_MS	2000	/* longest wait for one answer of mk-kv */
#define KV_RETRY_US	1000	/* between attempts to connect again */
#define KV_READBACK_MS	10000	/* to connect for the readback */
#define KV_READBACK_TRIES 10	/* readback batches that got no answer */
#define KV_BATCH	64	/* GETs sent at once by the readback */
#define KV_PREFIX_MAX	40	/* so that PREFIX-<n> is a valid key */
#define KV_LINE		512	/* longest answer line taken */
#define KV_REPORT	5	/* wrong answers told on stderr */

/* A connection to mk-kv, made again after each error. */
struct kv_conn {
	const struct addr *a;
	int fd;				/* -1: to be made (again) */
	bool down;			/* since an error, not connected */
	bool made;			/* a connection was made once */
	bool no_socket;			/* socket() failed: no vsock */
	int last_err;			/* of the last connect that failed */
	size_t len;			/* bytes in @in */
	unsigned long long last_ns;	/* of the last answer, or 0 */
	unsigned long long max_gap_ns;
	unsigned long long ops;
	unsigned int errors, reconnects, reported;
	char in[KV_LINE];
};

/* The SETs acknowledged, by their number n. */
struct kv_acked {
	unsigned long long *n;
	size_t count, size;
};

/* A connected non-blocking socket to @a, or -1; -2 if none can be made. */
static int kv_dial(const struct addr *a, unsigned int timeout_ms)
{
	struct pollfd pfd = { .events = POLLOUT };
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err = 0;

	fd = make_socket(a, &ss, &len);
	if (fd < 0)
		return -2;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		err = errno;
		pfd.fd = fd;
		if (err == EINPROGRESS && poll(&pfd, 1, timeout_ms) != 1)
			err = ETIMEDOUT;
		len = sizeof(err);
		if (err == EINPROGRESS &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
			err = errno;
	}
	if (!err)
		return fd;
	close(fd);
	errno = err;
	return -1;
}

/* A gap ends with an answer, or with the run while it is down. */
static void kv_gap_end(struct kv_conn *c, unsigned long long now)
{
	if (c->last_ns && now - c->last_ns > c->max_gap_ns)
		c->max_gap_ns = now - c->last_ns;
}

/* Never connected: KSFT_SKIP if there is no vsock, else KSFT_FAIL. */
static int kv_no_socket(struct kv_conn *c)
{
	if (c->no_socket)
		return no_socket(c->a);
	errno = c->last_err ?: ETIMEDOUT;
	return sock_error("kv: cannot connect to", c->a);
}

/* The run is over: an outage going on ends its gap now. */
static void kv_run_end(struct kv_conn *c)
{
	if (c->fd < 0)
		kv_gap_end(c, now_ns());
	else
		close(c->fd);
	c->fd = -1;
}

/* After an error: close, count it. */
static void kv_fail(struct kv_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
	if (!c->down)
		c->errors++;
	c->down = true;
}

/* Connect, every KV_RETRY_US until it works or @end; 0 or -1. */
static int kv_connect(struct kv_conn *c, unsigned long long end)
{
	unsigned long long now;
	int fd;

	for (now = now_ns(); now < end; now = now_ns()) {
		fd = kv_dial(c->a, (end - now) / 1000000 < KV_ANSWER_MS ?
				   (end - now) / 1000000 + 1 : KV_ANSWER_MS);
		if (fd == -2) {
			c->no_socket = true;
			return -1;
		}
		if (fd >= 0) {
			c->fd = fd;
			c->reconnects += c->made;
			c->made = true;
			c->down = false;
			return 0;
		}
		c->last_err = errno;
		kv_fail(c);
		usleep(KV_RETRY_US);
	}
	return -1;
}

/* Send the @len bytes of @buf, in at most KV_ANSWER_MS; 0 or -1. */
static int kv_send(struct kv_conn *c, const char *buf, size_t len)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
	ssize_t n;

	while (len) {
		n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN &&
		    poll(&pfd, 1, KV_ANSWER_MS) == 1)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* The next answer line, "\n" cut, into @line, in KV_ANSWER_MS; 0 or -1. */
static int kv_recv(struct kv_conn *c, char *line)
{
	unsigned long long end = now_ns() + KV_ANSWER_MS * 1000000ULL, now;
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	char *nl;
	ssize_t n;

	while (!(nl = memchr(c->in, '\n', c->len))) {
		now = now_ns();
		if (c->len == sizeof(c->in) || now >= end ||
		    poll(&pfd, 1, (end - now) / 1000000 + 1) < 0)
			return -1;
		n = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len,
			 MSG_DONTWAIT);
		if (!n || (n < 0 && errno != EAGAIN && errno != EINTR))
			return -1;
		if (n > 0)
			c->len += n;
	}
	*nl = '\0';
	memcpy(line, c->in, nl - c->in + 1);
	c->len -= nl - c->in + 1;
	memmove(c->in, nl + 1, c->len);
	return 0;
}

/* Send the request @req, take its answer into @line; 0 or -1 (an error). */
static int kv_ask(struct kv_conn *c, const char *req, char *line)
{
	unsigned long long now;

	if (kv_send(c, req, strlen(req)) || kv_recv(c, line)) {
		kv_fail(c);
		return -1;
	}
	now = now_ns();
	kv_gap_end(c, now);
	c->last_ns = now;
	c->ops++;
	return 0;
}

/* Say on stderr (the first few times) that @key got @line, not @want. */
static void kv_report(struct kv_conn *c, const char *what, const char *key,
		      const char *line, const char *want)
{
	if (c->reported++ < KV_REPORT)
		fprintf(stderr, "mk_vsock: %s: %s: got \"%s\", not \"%s\"\n",
			what, key, line, want);
}

/* The key and the value of SET number @n. */
static void kv_pair(const char *prefix, unsigned long long n, char *key,
		    char *value)
{
	sprintf(key, "%s-%llu", prefix, n);
	sprintf(value, "%llu.%08llx", n, (n * 0x9e3779b97f4a7c15ULL) >> 32);
}

static int kv_ack(struct kv_acked *k, unsigned long long n)
{
	unsigned long long *p;

	if (k->count == k->size) {
		p = realloc(k->n, (k->size * 2 + 1024) * sizeof(*p));
		if (!p)
			return -1;
		k->n = p;
		k->size = k->size * 2 + 1024;
	}
	k->n[k->count++] = n;
	return 0;
}

/* SET number @n; -1 if it cannot be counted as acknowledged. */
static int kv_load_set(struct kv_conn *c, struct kv_acked *k,
		       const char *prefix, unsigned long long n)
{
	char key[80], value[48], req[160], line[KV_LINE];

	kv_pair(prefix, n, key, value);
	snprintf(req, sizeof(req), "SET %s %s\n", key, value);
	if (kv_ask(c, req, line))
		return 0;
	if (!strcmp(line, "OK"))
		return kv_ack(k, n);
	kv_report(c, "kv", key, line, "OK");
	kv_fail(c);
	return 0;
}

/* GET a key acknowledged before, picked by @rng, and check its value. */
static void kv_load_get(struct kv_conn *c, const struct kv_acked *k,
			const char *prefix, unsigned long long *rng)
{
	char key[80], value[48], req[160], want[64], line[KV_LINE];
	unsigned char r[8];

	fill_random(rng, r, sizeof(r));
	kv_pair(prefix, k->n[(r[0] | r[1] << 8 | r[2] << 16 |
			      (unsigned long)r[3] << 24) % k->count],
		key, value);
	snprintf(req, sizeof(req), "GET %s\n", key);
	snprintf(want, sizeof(want), "VALUE %s", value);
	if (kv_ask(c, req, line) || !strcmp(line, want))
		return;
	kv_report(c, "kv", key, line, want);
	kv_fail(c);
}

/*
 * Check the answers to the GETs of acknowledged SETs @from to @to sent on
 * @c; how many answers came, *@lost counts the wrong ones.
 */
static size_t kv_check_batch(struct kv_conn *c, const struct kv_acked *k,
			     const char *prefix, size_t from, size_t to,
			     unsigned long long *lost)
{
	char key[80], value[48], want[64], line[KV_LINE];
	size_t i;

	for (i = from; i < to; i++) {
		if (kv_recv(c, line))
			break;
		kv_pair(prefix, k->n[i], key, value);
		snprintf(want, sizeof(want), "VALUE %s", value);
		if (strcmp(line, want)) {
			kv_report(c, "kv: lost", key, line, want);
			(*lost)++;
		}
	}
	return i - from;
}

/* Send the GETs of acknowledged SETs @from to @to; 0 or -1. */
static int kv_send_batch(struct kv_conn *c, const struct kv_acked *k,
			 const char *prefix, size_t from, size_t to)
{
	char buf[KV_BATCH * 80], key[80], value[48];
	size_t i, len = 0;

	for (i = from; i < to; i++) {
		kv_pair(prefix, k->n[i], key, value);
		len += sprintf(buf + len, "GET %s\n", key);
	}
	return kv_send(c, buf, len);
}

/*
 * GET every acknowledged key on a new connection, KV_BATCH at a time;
 * the number of keys without their value, counting those not checked.
 */
static unsigned long long kv_readback(const struct addr *a,
				      const struct kv_acked *k,
				      const char *prefix)
{
	struct kv_conn c = { .a = a, .fd = -1 };
	unsigned long long lost = 0;
	unsigned int tries = 0;
	size_t i = 0, to, got;

	while (i < k->count && tries < KV_READBACK_TRIES) {
		if (c.fd < 0 &&
		    kv_connect(&c, now_ns() + KV_READBACK_MS * 1000000ULL))
			break;
		to = k->count - i < KV_BATCH ? k->count : i + KV_BATCH;
		got = kv_send_batch(&c, k, prefix, i, to) ? 0 :
		      kv_check_batch(&c, k, prefix, i, to, &lost);
		i += got;
		tries = got ? 0 : tries + 1;
		if (i < to)
			kv_fail(&c);
	}
	if (c.fd >= 0)
		close(c.fd);
	if (i < k->count)
		fprintf(stderr, "mk_vsock: kv: could not read back %zu of %zu keys\n",
			k->count - i, k->count);
	return lost + k->count - i;
}

/*
 * kv-load: SETs of new keys, each followed by the GET of a key
 * acknowledged before, for @secs; then the readback of every key.
 */
static int kv_load(const struct addr *a, unsigned int secs, const char *prefix)
{
	unsigned long long end = now_ns() + secs * 1000000000ULL, n = 0;
	unsigned long long rng = 0x9e3779b97f4a7c15ULL, lost;
	struct kv_conn c = { .a = a, .fd = -1 };
	struct kv_acked k = { 0 };
	bool get = false;
	int ret = 0;

	while (now_ns() < end) {
		if (c.fd < 0 && kv_connect(&c, end)) {
			ret = c.made ? 0 : kv_no_socket(&c);
			break;
		}
		if (get && k.count) {
			kv_load_get(&c, &k, prefix, &rng);
		} else if (kv_load_set(&c, &k, prefix, ++n)) {
			fprintf(stderr, "mk_vsock: kv: out of memory\n");
			ret = KSFT_FAIL;
			break;
		}
		get = !get;
	}
	if (ret == KSFT_SKIP) {
		free(k.n);
		return KSFT_SKIP;
	}
	kv_run_end(&c);
	lost = kv_readback(a, &k, prefix);
	printf("kv: ops=%llu acked=%zu errors=%u reconnects=%u max_gap_ms=%.1f lost=%llu\n",
	       c.ops, k.count, c.errors, c.reconnects, c.max_gap_ns / 1e6, lost);
	free(k.n);
	return lost || ret ? KSFT_FAIL : KSFT_PASS;
}

/* kv-gap: GETs of one key, back to back, for @secs. */
static int kv_gap(const struct addr *a, unsigned int secs)
{
	unsigned long long end = now_ns() + secs * 1000000000ULL;
	struct kv_conn c = { .a = a, .fd = -1 };
	char line[KV_LINE];

	while (now_ns() < end) {
		if (c.fd < 0 && kv_connect(&c, end)) {
			if (!c.made && kv_no_socket(&c) == KSFT_SKIP)
				return KSFT_SKIP;
			break;
		}
		kv_ask(&c, "GET kv-gap\n", line);
	}
	kv_run_end(&c);
	printf("kv-gap: ops=%llu errors=%u max_gap_ms=%.1f\n", c.ops, c.errors,
	       c.max_gap_ns / 1e6);
	return c.ops ? KSFT_PASS : KSFT_FAIL;
}

static bool kv_valid_prefix(const char *p)
{
	size_t len = strlen(p), i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return false;
	return len && len <= KV_PREFIX_MAX;
}

/* kv-ask: each line of stdin is a request; its answer goes to stdout. */
static int kv_ask_lines(const struct addr *a)
{
	unsigned long long end = now_ns() + KV_ANSWER_MS * 1000000ULL;
	struct kv_conn c = { .a = a, .fd = -1 };
	char req[KV_LINE + 1], line[KV_LINE];
	size_t len;

	if (kv_connect(&c, end))
		return kv_no_socket(&c);
	while (fgets(req, sizeof(req) - 1, stdin)) {
		len = strlen(req);
		if (!len || req[len - 1] != '\n') {
			req[len] = '\n';
			req[len + 1] = '\0';
		}
		if (kv_ask(&c, req, line)) {
			fprintf(stderr, "mk_vsock: kv-ask: no answer\n");
			return KSFT_FAIL;
		}
		printf("%s\n", line);
	}
	kv_run_end(&c);
	return KSFT_PASS;
}

/* kv-load and kv-gap: @argv is "CID PORT SECS [PREFIX]". */
static int run_kv(bool load, int argc, char **argv)
{
	const char *prefix = argc == 4 ? argv[3] : "kv";
	unsigned int secs;
	struct addr a;

	if (argc < 3 || argc > (load ? 4 : 3) ||
	    parse_addr(argv, 2, false, &a) || parse_u32(argv[2], &secs) ||
	    secs > 86400 || !kv_valid_prefix(prefix))
		return print_usage();
	return load ? kv_load(&a, secs, prefix) : kv_gap(&a, secs);
}

/* Become nobody, which drops every capability, and run @argv. */
static int as_nobody(char **argv)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		perror("mk_vsock: cannot become nobody");
		return KSFT_FAIL;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "mk_vsock: %s: %s\n", argv[0], strerror(errno));
	return KSFT_FAIL;
}

/**
 * main() - run one mode
 * @argc: number of arguments
 * @argv: the mode and its arguments (see the top of this file)
 *
 * Return: 0 on success, KSFT_SKIP without vsock, KSFT_FAIL otherwise.
 */
int main(int argc, char **argv)
{
	struct addr a;
	unsigned long long bytes;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);	/* a closed peer is an error, EPIPE */
	if (argc < 3)
		return print_usage();
	if (!strcmp(argv[1], "echo-server") &&
	    !parse_addr(argv + 2, argc - 2, true, &a))
		return echo_server(&a);
	if (!strcmp(argv[1], "stream") &&
	    !parse_u64(argv[argc - 1], ~0ULL, &bytes) &&
	    !parse_addr(argv + 2, argc - 3, false, &a))
		return stream_test(&a, bytes);
	if (!strcmp(argv[1], "rtt"))
		return run_rtt(false, argc - 2, argv + 2);
	if (!strcmp(argv[1], "tap") && argc == 5 &&
	    !parse_u64(argv[4], ~0ULL, &bytes) &&
	    !parse_addr(argv + 2, 2, false, &a) && !a.is_unix)
		return tap_test(&a, bytes);
	if (!strcmp(argv[1], "zerocopy") && argc == 5 &&
	    !parse_u64(argv[4], ZC_MAX, &bytes) && bytes &&
	    !parse_addr(argv + 2, 2, false, &a))
		return zerocopy_test(&a, bytes);
	if (!strcmp(argv[1], "connect") &&
	    !parse_addr(argv + 2, argc - 2, false, &a))
		return connect_once(&a);
	if (!strcmp(argv[1], "pipe-rtt"))
		return run_rtt(true, argc - 2, argv + 2);
	if (!strcmp(argv[1], "hold"))
		return run_hold(argc - 2, argv + 2);
	if (!strcmp(argv[1], "kv-ask") && argc == 4 &&
	    !parse_addr(argv + 2, 2, false, &a))
		return kv_ask_lines(&a);
	if (!strcmp(argv[1], "as-nobody"))
		return as_nobody(argv + 2);
	if (!strcmp(argv[1], "kv-load"))
		return run_kv(true, argc - 2, argv + 2);
	if (!strcmp(argv[1], "kv-gap"))
		return run_kv(false, argc - 2, argv + 2);
	return print_usage();
}
