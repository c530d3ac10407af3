// SPDX-License-Identifier: GPL-2.0
/*
 * mk-kv: the reference key-value service of the default spawn userspace.
 * Listens on vsock port KV_PORT (or another, or a unix socket for tests)
 * and serves many clients at once from one poll() loop.  One request per
 * line, one answer per line, in order:
 *
 *	SET key value	-> OK
 *	GET key		-> VALUE value, or NONE
 *	COUNT		-> COUNT n (the number of keys)
 *
 * Words are separated by one space; a line ends with "\n" or "\r\n".  Keys
 * and values are printable ASCII other than space, keys at most 64 bytes,
 * values at most 256.  Anything else gets "ERR reason" and the connection
 * goes on; so does a line longer than REQ_MAX bytes, discarded up to its
 * end.
 *
 * Every SET is written to the preserved region "kv" (store.c) before its
 * OK is sent.  Without a region, the keys live in memory only.
 *
 * Upgrades: a successor kernel boots while the old one still serves, and
 * its handover file (/sys/kernel/multikernel/self/handover) then reads
 * "waiting" or "ready"; the region is not there yet.  mk-kv listens first
 * (connections wait in the backlog), then waits until the file says
 * something else, and only then loads the region and accepts.  On SIGTERM
 * or SIGINT it closes every connection and exits 0: the SETs answered are
 * in the region already.  In the old kernel, init passes the handover
 * notice on as SIGUSR1: mk-kv stops serving, lets go of the region, writes
 * "done" to the handover file itself, which ends the handover without a
 * round trip through init, and exits 0; its connections are reset when
 * the kernel goes.
 */
#define _GNU_SOURCE	/* accept4() */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "kv.h"
#include "serve_sock.h"

#define KV_PORT		6000
#define SELF_DIR	"/sys/kernel/multikernel/self"
#define BACKLOG		128
#define CLIENTS_MAX	256	/* connections served at once */
#define REQ_MAX		400	/* bytes of a request line, without "\n" */
#define IN_CAP		512	/* input buffered per client */
#define OUT_CAP		8192	/* answers buffered per client */
#define ANSWER_MAX	300	/* bytes of the longest answer */
#define ACCEPT_BURST	16	/* accepts per turn of the loop */
#define HANDOVER_POLL_MS 100	/* re-read the handover file this often */
#define RETRY_MS	100	/* wait after accept() ran out of fds */

#define USAGE \
	"usage: mk-kv [--daemon] [--pidfile PATH] [--port PORT | --listen unix:PATH]\n" \
	"             [--self DIR] [--region PATH]\n"

struct opts {
	unsigned int port;	/* vsock port, if @path is NULL */
	const char *path;	/* unix socket */
	const char *self;	/* the handover file is in it */
	const char *region;
	const char *pidfile;
	bool daemon;
};

/* One connection: what came of its current line, what to send back. */
struct client {
	int fd;
	bool eof;		/* the client sends no more */
	bool discard;		/* skipping a line that was too long */
	size_t in_len, out_len;
	char in[IN_CAP];
	char out[OUT_CAP];
};

/* The server: the store, the sockets and the signals that stop it. */
struct server {
	struct kv_store store;
	int lfd, sfd;
	unsigned int nclients;
	unsigned long long accept_again_ns;	/* after running out of fds */
	struct client *clients[CLIENTS_MAX];
	struct pollfd pfd[CLIENTS_MAX + 2];
};

/* Where log lines go: stderr, or /dev/kmsg once a daemon; -1: nowhere. */
static int log_fd = STDERR_FILENO;

/**
 * kv_log() - log one line, "mk-kv: " and the message
 * @fmt: printf() format of the message, no newline
 */
void kv_log(const char *fmt, ...)
{
	char line[320];
	va_list ap;
	int n;

	if (log_fd < 0)
		return;
	/* <4>: a warning, for /dev/kmsg */
	n = snprintf(line, sizeof(line), "%smk-kv: ",
		     log_fd == STDERR_FILENO ? "" : "<4>");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	if (write(log_fd, line, strlen(line)) < 0)
		return;	/* nowhere else to say it */
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int print_usage(FILE *f, int status)
{
	fputs(USAGE, f);
	if (f == stdout)
		printf("\n"
		       "Serve SET, GET and COUNT, written through to the preserved region kv.\n"
		       "\n"
		       "  --daemon             return once listening, serve in the background\n"
		       "  --pidfile PATH       write the pid of the server there\n"
		       "  --port PORT          vsock port (default %d)\n"
		       "  --listen unix:PATH   a unix socket instead, for tests\n"
		       "  --self DIR           the spawn's sysfs directory (default %s)\n"
		       "  --region PATH        the region (default DIR/preserved/kv)\n",
		       KV_PORT, SELF_DIR);
	return status;
}

static int parse_port(const char *s, unsigned int *port)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > 0xfffffffeUL)
		return -1;
	*port = v;
	return 0;
}

static int bad_value(const char *opt, const char *val)
{
	fprintf(stderr, "mk-kv: invalid value \"%s\" for --%s\n", val, opt);
	return -1;
}

/* Parse the options; -1 after a message, 1 for --help, else 0. */
static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{ "daemon", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'P' },
		{ "port", required_argument, NULL, 'p' },
		{ "listen", required_argument, NULL, 'l' },
		{ "self", required_argument, NULL, 's' },
		{ "region", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .port = KV_PORT, .self = SELF_DIR };
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->daemon = true;
			break;
		case 'P':
			if (!optarg[0])
				return bad_value("pidfile", optarg);
			o->pidfile = optarg;
			break;
		case 'p':
			if (parse_port(optarg, &o->port))
				return bad_value("port", optarg);
			break;
		case 'l':
			if (strncmp(optarg, "unix:", 5) || !optarg[5])
				return bad_value("listen", optarg);
			o->path = optarg + 5;
			break;
		case 's':
			if (!optarg[0])
				return bad_value("self", optarg);
			o->self = optarg;
			break;
		case 'r':
			if (!optarg[0])
				return bad_value("region", optarg);
			o->region = optarg;
			break;
		case 'h':
			return 1;
		default:
			return -1;	/* getopt said why */
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mk-kv: unexpected argument \"%s\"\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

/* Listening. */

/* The listening socket, non-blocking, or -1 after saying why. */
static int listen_on(const struct opts *o)
{
	int fd = mk_serve_listen(o->path, o->port, BACKLOG);

	if (fd >= 0)
		return fd;
	if (o->path)
		kv_log("cannot listen on %s: %s", o->path, strerror(errno));
	else
		kv_log("cannot listen on vsock port %u: %s", o->port,
		       strerror(errno));
	return -1;
}

/* The handover file. */

enum handover {
	HO_NONE,	/* no upgrade going on, or no file */
	HO_WAITING,	/* a successor: the region is not there yet */
	HO_OTHER,	/* requested, done, or a word not known */
};

/* The state the open handover file @fd says; HO_NONE if unreadable. */
static enum handover handover_read(int fd)
{
	char word[32];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return HO_NONE;
	n = read(fd, word, sizeof(word) - 1);
	if (n < 0)
		return HO_NONE;
	while (n > 0 && (word[n - 1] == '\n' || word[n - 1] == ' '))
		n--;
	word[n] = '\0';
	if (!n || !strcmp(word, "none"))
		return HO_NONE;
	if (!strcmp(word, "waiting") || !strcmp(word, "ready"))
		return HO_WAITING;
	return HO_OTHER;
}

/*
 * Open the handover file in @self with @flags; -1 if there is none (state
 * none).
 */
static int handover_open(const char *self, int flags)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/handover", self) >=
	    (int)sizeof(path))
		return -1;
	return open(path, flags | O_CLOEXEC);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Wait while the handover file @fd says "waiting" or "ready": until
 * sysfs_notify() wakes poll() or, failing that, a re-read every
 * HANDOVER_POLL_MS sees a change.  False if a signal on @sfd asks to stop.
 */
static bool handover_wait(int fd, int sfd)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = POLLPRI },
		{ .fd = sfd, .events = POLLIN },
	};
	int n;

	while (handover_read(fd) == HO_WAITING) {
		p[0].revents = 0;
		p[1].revents = 0;
		n = poll(p, 2, HANDOVER_POLL_MS);
		if (n < 0 && errno != EINTR)
			sleep_ms(HANDOVER_POLL_MS);
		if (p[1].revents)
			return false;
		/* a file that is always ready must not make a busy loop */
		if (p[0].revents && handover_read(fd) == HO_WAITING)
			sleep_ms(HANDOVER_POLL_MS / 10);
	}
	return true;
}

/* The region. */

/* Load the region into the store; 0, or -1 after a message. */
static int load_region(struct kv_store *s, const struct opts *o)
{
	char path[4096];
	int ret;

	if (o->region)
		ret = snprintf(path, sizeof(path), "%s", o->region);
	else
		ret = snprintf(path, sizeof(path), "%s/preserved/kv", o->self);
	if (ret >= (int)sizeof(path)) {
		kv_log("region path too long");
		return -1;
	}
	ret = kv_store_attach(s, path);
	if (ret > 0)
		kv_log("no region kv: writes are not preserved");
	return ret < 0 ? -1 : 0;
}

/* Starting. */

static int write_pidfile(const char *path, pid_t pid)
{
	char buf[32];
	int fd, n, ret = 0;

	n = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, n) != n)
		ret = -1;
	if (fd >= 0 && close(fd))
		ret = -1;
	if (ret)
		kv_log("cannot write %s: %s", path, strerror(errno));
	return ret;
}

/*
 * Leave the foreground: the parent writes the pidfile and exits 0.  The
 * child stays in its directory until it is done with the paths given.
 */
static int daemonize(const struct opts *o)
{
	pid_t pid;
	int ret = mk_serve_daemon(&pid);

	if (ret < 0) {
		kv_log("cannot go to the background: %s", strerror(errno));
		return -1;
	}
	if (ret) {
		if (o->pidfile && write_pidfile(o->pidfile, pid)) {
			kill(pid, SIGKILL);
			_exit(EXIT_FAILURE);
		}
		_exit(EXIT_SUCCESS);
	}
	/* Log lines go to the kernel log (dmesg). */
	log_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	return 0;
}

/* Block SIGTERM and SIGINT, for a signalfd; the fd or -1. */
static int signals(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		kv_log("cannot make a signalfd: %s", strerror(errno));
	return fd;
}

/* Requests. */

/* Append the answer @fmt to @c's output; its room was checked. */
static __printf(2, 3) void answer(struct client *c, const char *fmt, ...)
{
	size_t room = OUT_CAP - c->out_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->out + c->out_len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= room)
		n = room - 1;
	c->out[c->out_len + n] = '\n';
	c->out_len += n + 1;
}

/* Split @line at single spaces into at most @max words; their number. */
static int split(char *line, size_t len, char **word, size_t *wlen, int max)
{
	size_t i, start = 0;
	int n = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (n == max)
			return max + 1;
		word[n] = line + start;
		wlen[n++] = i - start;
		start = i + 1;
	}
	return n;
}

static bool is_word(const char *w, size_t len, const char *cmd)
{
	return len == strlen(cmd) && !memcmp(w, cmd, len);
}

/* The answer to "SET key value", when it is not OK. */
static const char *do_set(struct kv_store *s, char **w, size_t *len)
{
	int err;

	if (len[1] > KV_KEY_MAX)
		return "key too long";
	if (len[2] > KV_VALUE_MAX)
		return "value too long";
	err = kv_set(s, w[1], len[1], w[2], len[2]);
	if (err == -ENOSPC)
		return "full";
	if (err == -ENOMEM)
		return "out of memory";
	if (err) {
		kv_log("cannot write the region: %s", strerror(-err));
		return "cannot store";
	}
	return NULL;
}

static void answer_set(struct client *c, const char *err)
{
	if (err)
		answer(c, "ERR %s", err);
	else
		answer(c, "OK");
}

static void do_get(struct kv_store *s, struct client *c, char **w, size_t *len)
{
	const struct kv_entry *e;

	if (len[1] > KV_KEY_MAX) {
		answer(c, "ERR key too long");
		return;
	}
	e = kv_get(s, w[1], len[1]);
	if (e)
		answer(c, "VALUE %.*s", (int)e->vlen, e->value);
	else
		answer(c, "NONE");
}

/* What is wrong with the @len bytes of @line, or NULL. */
static const char *bad_line(const char *line, size_t len)
{
	size_t i;

	if (!len)
		return "empty request";
	for (i = 0; i < len; i++)
		if (line[i] < 0x20 || line[i] > 0x7e)
			return "bad byte";
	return NULL;
}

/* Answer the request @line of @len bytes, its "\n" gone. */
static void request(struct kv_store *s, struct client *c, char *line,
		    size_t len)
{
	const char *err;
	size_t wlen[3];
	char *w[3];
	int n, i;

	if (len && line[len - 1] == '\r')
		len--;
	err = bad_line(line, len);
	n = err ? 0 : split(line, len, w, wlen, 3);
	for (i = 0; i < n && i < 3 && !err; i++)
		if (!wlen[i])
			err = "empty word";
	if (err)
		answer(c, "ERR %s", err);
	else if (is_word(w[0], wlen[0], "SET") && n == 3)
		answer_set(c, do_set(s, w, wlen));
	else if (is_word(w[0], wlen[0], "SET"))
		answer(c, "ERR usage: SET key value");
	else if (is_word(w[0], wlen[0], "GET") && n == 2)
		do_get(s, c, w, wlen);
	else if (is_word(w[0], wlen[0], "GET"))
		answer(c, "ERR usage: GET key");
	else if (is_word(w[0], wlen[0], "COUNT") && n == 1)
		answer(c, "COUNT %zu", s->count);
	else if (is_word(w[0], wlen[0], "COUNT"))
		answer(c, "ERR usage: COUNT");
	else
		answer(c, "ERR unknown command");
}

/* Clients. */

/* Drop the input up to the end of the line too long; false: no end yet. */
static bool skip_line(struct client *c)
{
	char *nl = memchr(c->in, '\n', c->in_len);
	size_t used = nl ? (size_t)(nl - c->in) + 1 : c->in_len;

	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
	if (nl)
		c->discard = false;
	return nl;
}

/* Answer the complete lines @c sent, as far as its output has room. */
static void client_process(struct kv_store *s, struct client *c)
{
	size_t used = 0, len;
	char *p, *nl;

	if (c->discard && !skip_line(c))
		return;
	while (OUT_CAP - c->out_len >= ANSWER_MAX) {
		p = c->in + used;
		nl = memchr(p, '\n', c->in_len - used);
		len = nl ? (size_t)(nl - p) : c->in_len - used;
		if (len > REQ_MAX) {
			answer(c, "ERR line too long");
			used += nl ? len + 1 : len;
			c->discard = !nl;
			continue;
		}
		if (!nl)
			break;
		request(s, c, p, len);
		used += len + 1;
	}
	memmove(c->in, c->in + used, c->in_len - used);
	c->in_len -= used;
}

/* Send what the socket takes; -1 if the connection is gone. */
static int client_flush(struct client *c)
{
	ssize_t n;

	while (c->out_len) {
		n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		memmove(c->out, c->out + n, c->out_len - n);
		c->out_len -= n;
	}
	return 0;
}

/* Whether @c would take more input now. */
static bool client_wants_input(const struct client *c)
{
	return !c->eof && c->in_len < IN_CAP &&
	       OUT_CAP - c->out_len >= ANSWER_MAX;
}

/* Take what @c sent; -1 if the connection is gone. */
static int client_read(struct client *c)
{
	ssize_t n;

	if (!client_wants_input(c))
		return 0;
	n = recv(c->fd, c->in + c->in_len, IN_CAP - c->in_len, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ||
		       errno == EINTR ? 0 : -1;
	if (!n)
		c->eof = true;
	c->in_len += n;
	return 0;
}

/* Serve @c after poll() said @revents; false once it is to be closed. */
static bool client_serve(struct kv_store *s, struct client *c, short revents)
{
	if ((revents & (POLLIN | POLLHUP | POLLERR)) && client_read(c))
		return false;
	client_process(s, c);
	if (client_flush(c))
		return false;
	/* after the answers went, there may be room for more lines */
	if (c->in_len && OUT_CAP - c->out_len >= ANSWER_MAX) {
		client_process(s, c);
		if (client_flush(c))
			return false;
	}
	return !c->eof || c->out_len;
}

static void client_close(struct server *sv, unsigned int i)
{
	close(sv->clients[i]->fd);
	free(sv->clients[i]);
	sv->clients[i] = sv->clients[--sv->nclients];
}

/* Accept the connections waiting, as many as there is room for. */
static void accept_clients(struct server *sv)
{
	struct client *c;
	int fd, i;

	for (i = 0; i < ACCEPT_BURST && sv->nclients < CLIENTS_MAX; i++) {
		fd = accept4(sv->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				sv->accept_again_ns = now_ns() +
						      RETRY_MS * 1000000ULL;
			return;
		}
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->eof = false;
		c->discard = false;
		c->in_len = 0;
		c->out_len = 0;
		sv->clients[sv->nclients++] = c;
	}
}

/* Fill the pollfds: the signals, the listener, the clients; how many. */
static nfds_t poll_setup(struct server *sv, int *timeout)
{
	unsigned long long now = now_ns();
	struct client *c;
	unsigned int i;

	*timeout = -1;
	sv->pfd[0] = (struct pollfd){ .fd = sv->sfd, .events = POLLIN };
	sv->pfd[1] = (struct pollfd){ .fd = sv->lfd, .events = POLLIN };
	if (sv->nclients >= CLIENTS_MAX) {
		sv->pfd[1].fd = -1;	/* the backlog waits */
	} else if (now < sv->accept_again_ns) {
		sv->pfd[1].fd = -1;
		*timeout = (sv->accept_again_ns - now) / 1000000 + 1;
	}
	for (i = 0; i < sv->nclients; i++) {
		c = sv->clients[i];
		sv->pfd[i + 2] = (struct pollfd){
			.fd = c->fd,
			.events = (client_wants_input(c) ? POLLIN : 0) |
				  (c->out_len ? POLLOUT : 0),
		};
	}
	return sv->nclients + 2;
}

/* The signal that came on @sfd: SIGUSR1 asks for the handover. */
static bool handover_asked(int sfd)
{
	struct signalfd_siginfo si;

	return read(sfd, &si, sizeof(si)) == sizeof(si) &&
	       si.ssi_signo == SIGUSR1;
}

/*
 * Serve until a signal asks to stop: 0, 1 for a handover, or -1 if poll()
 * fails.
 */
static int serve(struct server *sv)
{
	unsigned int i, n;
	int timeout;

	for (;;) {
		n = poll_setup(sv, &timeout);
		if (poll(sv->pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			kv_log("cannot poll: %s", strerror(errno));
			return -1;
		}
		if (sv->pfd[0].revents)
			return handover_asked(sv->sfd);
		/* clients first: those accepted below have no pollfd yet */
		for (i = n - 2; i-- > 0;)
			if (sv->pfd[i + 2].revents &&
			    !client_serve(&sv->store, sv->clients[i],
					  sv->pfd[i + 2].revents))
				client_close(sv, i);
		if (sv->pfd[1].revents)
			accept_clients(sv);
	}
}

/*
 * Wait out a handover in progress, then load the region: 0, 1 if a
 * signal came first, -1 after a message.
 */
static int prepare_store(struct server *sv, const struct opts *o, int hfd)
{
	if (hfd >= 0 && !handover_wait(hfd, sv->sfd))
		return 1;
	return load_region(&sv->store, o);
}

/*
 * The handover: serve() returned, so no SET writes the region any more;
 * tell the host it may switch now, before the connections are closed.
 * If that fails, init and then the host's handover timeout end it.
 */
static void hand_over(const struct opts *o)
{
	int fd = handover_open(o->self, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, "done\n", 5) != 5)
		kv_log("the handover was not acknowledged: %s", strerror(errno));
	close(fd);
}

static void shut_down(struct server *sv, const struct opts *o)
{
	while (sv->nclients)
		client_close(sv, sv->nclients - 1);
	close(sv->lfd);
	kv_store_close(&sv->store);
	if (o->pidfile)
		unlink(o->pidfile);
}

/**
 * main() - listen, load the region, serve until SIGTERM, SIGINT or SIGUSR1
 * @argc: number of arguments
 * @argv: the arguments, see USAGE
 *
 * With --daemon, the command returns (0) once the socket listens and,
 * unless a handover is in progress, the region is loaded.
 *
 * Return: 0 after a signal, 1 if it cannot start, 2 on a usage error.
 */
int main(int argc, char **argv)
{
	static struct server sv;
	bool waiting;
	struct opts o;
	int ret, hfd;

	ret = parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? print_usage(stdout, EXIT_SUCCESS) :
				 print_usage(stderr, 2);
	sv.sfd = signals();
	if (sv.sfd < 0 || kv_store_init(&sv.store))
		return EXIT_FAILURE;
	sv.lfd = listen_on(&o);
	if (sv.lfd < 0)
		return EXIT_FAILURE;
	hfd = handover_open(o.self, O_RDONLY);
	waiting = hfd >= 0 && handover_read(hfd) == HO_WAITING;
	/* Load now if it can be, so that its errors are the command's. */
	if (!waiting && load_region(&sv.store, &o))
		return EXIT_FAILURE;
	if (o.daemon ? daemonize(&o) :
	    o.pidfile && write_pidfile(o.pidfile, getpid()))
		return EXIT_FAILURE;
	ret = waiting ? prepare_store(&sv, &o, hfd) : 0;
	if (hfd >= 0)
		close(hfd);
	if (o.daemon && chdir("/"))
		ret = -1;
	if (!ret) {
		ret = serve(&sv);
		if (ret == 1)
			hand_over(&o);
	}
	shut_down(&sv, &o);
	return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
