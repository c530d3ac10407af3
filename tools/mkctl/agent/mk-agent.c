// SPDX-License-Identifier: GPL-2.0
/*
 * mk-agent: runs commands for "mkctl exec" and answers "mkctl ping" in a
 * spawn.  Listens on vsock port MK_AGENT_PORT (or another port, or a unix
 * socket for tests) and serves each connection in a child process of its
 * own.  The protocol is in agent_proto.h.
 *
 * The listener itself refuses what it must not serve, so that a refused
 * peer costs no process: a peer other than root on the host (peer.c), and
 * a connection beyond --max-sessions live ones.  It counts the serving
 * children by reaping them as SIGCHLD arrives.
 *
 * It has no SIGTERM handler: killing the listener leaves the connections
 * being served to finish, each in its own process.
 */
#define _GNU_SOURCE	/* accept4(), ppoll() */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "agent_proto.h"
#include "agent.h"
#include "serve_sock.h"

#define BACKLOG		16
#define SESSIONS_MAX	1024		/* highest --max-sessions */
#define TIMEOUT_MAX	86400		/* highest timeout, seconds */
#define RETRY_FIRST_MS	50		/* first wait after accept fails */
#define RETRY_MAX_MS	1000		/* longest wait between retries */
#define RETRY_GIVE_UP_MS (10 * 60 * 1000) /* failing that long: exit */

#define USAGE \
	"usage: mk-agent [--daemon] [--port PORT | --unix PATH]\n" \
	"                [--max-sessions N] [--first-timeout SEC]\n" \
	"                [--idle-timeout SEC]\n"

struct opts {
	unsigned int port;	/* vsock port, if @path is NULL */
	const char *path;	/* unix socket */
	bool daemon;		/* go to the background once listening */
	unsigned int max_sessions;
	struct mk_agent_limits lim;
	/* --unix-peer: unix peers are checked as this vsock address */
	bool fake_peer;
	unsigned int peer_cid, peer_port;
};

/* Where log lines go: stderr, or /dev/kmsg once a daemon; -1: nowhere. */
static int log_fd = STDERR_FILENO;

static __printf(1, 2) void log_line(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	if (log_fd < 0)
		return;
	/* <5>: notice, for /dev/kmsg; not on a quiet console */
	n = snprintf(line, sizeof(line), "%smk-agent: ",
		     log_fd == STDERR_FILENO ? "" : "<5>");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	if (write(log_fd, line, strlen(line)) < 0)
		return;	/* nowhere else to say it */
}

static int print_usage(FILE *f, int status)
{
	fputs(USAGE, f);
	if (f == stdout)
		printf("\n"
		       "Serve \"mkctl exec\" and \"mkctl ping\" to root on the host.\n"
		       "\n"
		       "  --daemon             return once listening, serve in the background\n"
		       "  --port PORT          vsock port (default %d)\n"
		       "  --unix PATH          a unix socket instead, for tests\n"
		       "  --max-sessions N     connections served at once (default %d)\n"
		       "  --first-timeout SEC  wait for a request (default %d, 0: for ever)\n"
		       "  --idle-timeout SEC   wait between pings (default %d, 0: for ever)\n"
		       "  --unix-peer CID:PORT for tests: check unix peers as this\n"
		       "                       vsock address instead of by their uid\n",
		       MK_AGENT_PORT, MK_AGENT_MAX_SESSIONS,
		       MK_AGENT_FIRST_TIMEOUT, MK_AGENT_IDLE_TIMEOUT);
	return status;
}

/* A decimal number from @min to @max, ended by @end; 0 or -1. */
static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      char end, unsigned int *val, const char **rest)
{
	unsigned long v;
	char *e;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || *e != end || v < min || v > max)
		return -1;
	*val = v;
	if (rest)
		*rest = e + 1;
	return 0;
}

static int parse_peer(const char *s, struct opts *o)
{
	const char *port;

	o->fake_peer = true;
	return parse_uint(s, 0, 0xffffffffUL, ':', &o->peer_cid, &port) ||
	       parse_uint(port, 0, 0xffffffffUL, '\0', &o->peer_port, NULL);
}

/* Parse the options; -1 after a message, 1 for --help, else 0. */
static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{ "daemon", no_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "unix", required_argument, NULL, 'u' },
		{ "max-sessions", required_argument, NULL, 'n' },
		{ "first-timeout", required_argument, NULL, 'f' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "unix-peer", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, i, bad;

	*o = (struct opts){
		.port = MK_AGENT_PORT,
		.max_sessions = MK_AGENT_MAX_SESSIONS,
		.lim = { MK_AGENT_FIRST_TIMEOUT, MK_AGENT_IDLE_TIMEOUT },
	};
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->daemon = true;
			continue;
		case 'p':
			bad = parse_uint(optarg, 1, 0xfffffffeUL, '\0',
					 &o->port, NULL);
			break;
		case 'u':
			o->path = optarg;
			bad = !optarg[0];
			break;
		case 'n':
			bad = parse_uint(optarg, 1, SESSIONS_MAX, '\0',
					 &o->max_sessions, NULL);
			break;
		case 'f':
			bad = parse_uint(optarg, 0, TIMEOUT_MAX, '\0',
					 &o->lim.first_timeout, NULL);
			break;
		case 'i':
			bad = parse_uint(optarg, 0, TIMEOUT_MAX, '\0',
					 &o->lim.idle_timeout, NULL);
			break;
		case 'P':
			bad = parse_peer(optarg, o);
			break;
		case 'h':
			return 1;
		default:
			return -1;	/* getopt said why */
		}
		if (bad) {
			for (i = 0; opts[i].val != c; i++)
				;
			fprintf(stderr, "mk-agent: invalid value \"%s\" for --%s\n",
				optarg, opts[i].name);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "mk-agent: unexpected argument \"%s\"\n",
			argv[optind]);
		return -1;
	}
	if (o->fake_peer && !o->path) {
		fputs("mk-agent: --unix-peer goes with --unix only\n", stderr);
		return -1;
	}
	return 0;
}

/* The listening socket, non-blocking, or -1 after saying why. */
static int listen_on(const struct opts *o)
{
	int fd = mk_serve_listen(o->path, o->port, BACKLOG);

	if (fd >= 0)
		return fd;
	if (o->path)
		fprintf(stderr, "mk-agent: cannot listen on %s: %s\n",
			o->path, strerror(errno));
	else
		fprintf(stderr, "mk-agent: cannot listen on vsock port %u: %s\n",
			o->port, strerror(errno));
	return -1;
}

/*
 * Whether the peer of @sock, whose address accept() gave as @sa, may be
 * served; if not, the reason for it in @why.
 */
static bool peer_ok(const struct opts *o, int sock,
		    const struct sockaddr_storage *sa, char *why, size_t size)
{
	const struct sockaddr_vm *vm = (const struct sockaddr_vm *)sa;
	unsigned int cid, port;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (!o->path) {
		cid = vm->svm_cid;
		port = vm->svm_port;
	} else if (o->fake_peer) {
		cid = o->peer_cid;
		port = o->peer_port;
	} else {
		if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
			snprintf(why, size, "cannot tell who the peer is: %s",
				 strerror(errno));
			return false;
		}
		if (mk_agent_uid_allowed(cred.uid, geteuid()))
			return true;
		if (!geteuid())
			snprintf(why, size,
				 "connections are accepted from root only (peer uid %u)",
				 (unsigned int)cred.uid);
		else
			snprintf(why, size,
				 "connections are accepted from uid 0 or %u only (peer uid %u)",
				 (unsigned int)geteuid(), (unsigned int)cred.uid);
		return false;
	}
	if (mk_agent_peer_allowed(cid, port))
		return true;
	mk_agent_peer_refusal(why, size, cid, port);
	return false;
}

/* Send the ERROR frame @why without waiting for the peer, and close. */
static void refuse(int sock, const char *why)
{
	int fl = fcntl(sock, F_GETFL);

	if (fl >= 0)
		fcntl(sock, F_SETFL, fl | O_NONBLOCK);
	mk_agent_refuse(sock, why);
	close(sock);
}

/* The signals as they were, for the serving children. */
static sigset_t old_mask;

static void on_sigchld(int sig)
{
	(void)sig;	/* only wakes ppoll(); the loop reaps */
}

/* Reap the serving children that have exited. */
static void reap(unsigned int *live)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		if (*live)
			(*live)--;
}

/* Serve @sock in a child process, if it may be; the parent closes it. */
static void serve(const struct opts *o, int lfd, int sock,
		  const struct sockaddr_storage *sa, unsigned int *live)
{
	char why[160];
	pid_t pid;

	if (!peer_ok(o, sock, sa, why, sizeof(why))) {
		log_line("refused a connection: %s", why);
		refuse(sock, why);
		return;
	}
	if (*live >= o->max_sessions) {
		snprintf(why, sizeof(why),
			 "too many sessions (%u at most); try again later",
			 o->max_sessions);
		log_line("refused a connection: %s", why);
		refuse(sock, why);
		return;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, sizeof(why), "cannot fork: %s",
			 strerror(errno));
		log_line("refused a connection: %s", why);
		refuse(sock, why);
		return;
	}
	if (!pid) {
		close(lfd);
		signal(SIGCHLD, SIG_DFL);	/* run.c waits for commands */
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		_exit(mk_agent_serve(sock, &o->lim) ? EXIT_FAILURE :
		      EXIT_SUCCESS);
	}
	(*live)++;
	close(sock);
}

/* Leave the foreground: the parent exits once the socket listens. */
static int daemonize(void)
{
	pid_t child;
	int ret = mk_serve_daemon(&child);

	if (ret < 0) {
		fprintf(stderr, "mk-agent: cannot go to the background: %s\n",
			strerror(errno));
		return -1;
	}
	if (ret)
		_exit(EXIT_SUCCESS);
	if (chdir("/"))
		return -1;
	/* Log lines go to the kernel log (dmesg), ratelimited there. */
	log_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	return 0;
}

/* Whether accept() failing with @err is worth trying again at once. */
static bool retry_now(int err)
{
	switch (err) {
	case EINTR:
	case EAGAIN:
	case ECONNABORTED:
	/* the errors of the pending connection, as accept(2) says */
	case EPROTO:
	case ENETDOWN:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETUNREACH:
		return true;
	}
	return false;
}

/* Whether it is worth trying again later: out of fds or memory. */
static bool retry_later(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS ||
	       err == ENOMEM;
}

static void wait_ms(unsigned int ms, const sigset_t *mask)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	ppoll(NULL, 0, &ts, mask);
}

/* Accept and serve connections; returns only on a lasting error. */
static int accept_loop(const struct opts *o, int lfd)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	unsigned int live = 0, delay = 0, failing_ms = 0;
	struct sockaddr_storage sa;
	socklen_t len;
	int sock, err;

	for (;;) {
		reap(&live);
		/* SIGCHLD is blocked but here: no exit goes unseen */
		pfd.revents = 0;
		if (ppoll(&pfd, 1, NULL, &old_mask) < 0 && errno != EINTR) {
			log_line("cannot wait for connections: %s; exiting",
				 strerror(errno));
			return -1;
		}
		reap(&live);
		if (!pfd.revents)
			continue;	/* a signal; else accept() says what */
		len = sizeof(sa);
		memset(&sa, 0, sizeof(sa));
		sock = accept4(lfd, (struct sockaddr *)&sa, &len,
			       SOCK_CLOEXEC);
		if (sock >= 0) {
			delay = 0;
			failing_ms = 0;
			serve(o, lfd, sock, &sa, &live);
			continue;
		}
		err = errno;
		if (retry_later(err)) {
			if (!delay)
				log_line("cannot accept: %s; retrying",
					 strerror(err));
			if (failing_ms >= RETRY_GIVE_UP_MS) {
				log_line("cannot accept for %u s: %s; exiting",
					 RETRY_GIVE_UP_MS / 1000, strerror(err));
				return -1;
			}
			delay = delay ? delay * 2 : RETRY_FIRST_MS;
			if (delay > RETRY_MAX_MS)
				delay = RETRY_MAX_MS;
			wait_ms(delay, &old_mask);
			failing_ms += delay;
		} else if (!retry_now(err)) {
			log_line("cannot accept: %s; exiting", strerror(err));
			return -1;
		}
	}
}

/**
 * main() - listen and serve connections until killed
 * @argc: number of arguments
 * @argv: the arguments, see USAGE
 *
 * With --daemon, the command returns (0) only once the socket listens, so
 * that a script can rely on the agent being reachable after it.
 *
 * Return: 1 if it cannot listen or accept, 2 on a usage error; it does
 * not return otherwise.
 */
int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigchld };
	sigset_t chld;
	struct opts o;
	int lfd, ret;

	ret = parse(argc, argv, &o);
	if (ret)
		return ret > 0 ? print_usage(stdout, EXIT_SUCCESS) :
				 print_usage(stderr, 2);
	signal(SIGPIPE, SIG_IGN);
	/* No SA_RESTART, and blocked but while waiting for connections. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old_mask);
	sigdelset(&old_mask, SIGCHLD);
	lfd = listen_on(&o);
	if (lfd < 0 || (o.daemon && daemonize()))
		return EXIT_FAILURE;
	accept_loop(&o, lfd);
	return EXIT_FAILURE;
}
