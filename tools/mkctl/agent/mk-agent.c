// SPDX-License-Identifier: GPL-2.0
/*
 * mk-agent: runs commands for "mkctl exec" and answers "mkctl ping" in a
 * spawn.  Listens on vsock port MK_AGENT_PORT (or another port, or a unix
 * socket for tests) and serves each connection in a child process of its
 * own.  The protocol is in agent_proto.h.
 *
 * usage: mk-agent [--daemon] [--port PORT | --unix PATH]
 */
#define _GNU_SOURCE	/* accept4() */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "agent_proto.h"
#include "agent.h"

#define BACKLOG		16

struct where {
	unsigned int port;	/* vsock port, if @path is NULL */
	const char *path;	/* unix socket */
	bool daemon;		/* go to the background once listening */
};

static int print_usage(void)
{
	fputs("usage: mk-agent [--daemon] [--port PORT | --unix PATH]\n",
	      stderr);
	return 2;
}

static int parse_port(const char *s, unsigned int *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v || v > 0xffffffffUL - 1)
		return -1;
	*port = v;
	return 0;
}

static int parse(int argc, char **argv, struct where *w)
{
	int i;

	w->port = MK_AGENT_PORT;
	w->path = NULL;
	w->daemon = false;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--daemon"))
			w->daemon = true;
		else if (i + 1 == argc)
			return -1;
		else if (!strcmp(argv[i], "--unix") && argv[i + 1][0])
			w->path = argv[++i];
		else if (strcmp(argv[i], "--port") ||
			 parse_port(argv[++i], &w->port))
			return -1;
	}
	return 0;
}

static int bind_unix(int fd, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);	/* left by an earlier agent */
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa));
}

static int bind_vsock(int fd, unsigned int port)
{
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};

	return bind(fd, (struct sockaddr *)&sa, sizeof(sa));
}

/* The listening socket, or -1 after saying why there is none. */
static int listen_on(const struct where *w)
{
	int fd = socket(w->path ? AF_UNIX : AF_VSOCK,
			SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && !(w->path ? bind_unix(fd, w->path) :
			 bind_vsock(fd, w->port)) && !listen(fd, BACKLOG))
		return fd;
	if (w->path)
		fprintf(stderr, "mk-agent: cannot listen on %s: %s\n",
			w->path, strerror(errno));
	else
		fprintf(stderr, "mk-agent: cannot listen on vsock port %u: %s\n",
			w->port, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Serve @sock in a child process; the parent only closes it. */
static void spawn_server(int lfd, int sock)
{
	pid_t pid = fork();

	if (!pid) {
		close(lfd);
		signal(SIGCHLD, SIG_DFL);	/* run.c waits for commands */
		_exit(mk_agent_serve(sock) ? EXIT_FAILURE : EXIT_SUCCESS);
	}
	close(sock);
}

/* Leave the foreground: the parent exits once the socket listens. */
static int daemonize(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "mk-agent: cannot fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid)
		_exit(EXIT_SUCCESS);
	setsid();
	return 0;
}

/**
 * main() - listen and serve connections until killed
 * @argc: number of arguments
 * @argv: the arguments: [--daemon] [--port PORT | --unix PATH]
 *
 * With --daemon, the command returns (0) only once the socket listens, so
 * that a script can rely on the agent being reachable after it.
 *
 * Return: 1 if it cannot listen, 2 on a usage error; it does not return
 * otherwise.
 */
int main(int argc, char **argv)
{
	struct where w;
	int lfd, sock;

	if (parse(argc, argv, &w))
		return print_usage();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN);	/* connection servers reap themselves */
	lfd = listen_on(&w);
	if (lfd < 0 || (w.daemon && daemonize()))
		return EXIT_FAILURE;
	for (;;) {
		sock = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (sock >= 0)
			spawn_server(lfd, sock);
		else if (errno != EINTR && errno != ECONNABORTED)
			usleep(100000);	/* out of fds or memory: wait */
	}
}
