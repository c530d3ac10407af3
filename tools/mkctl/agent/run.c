// SPDX-License-Identifier: GPL-2.0
/*
 * The EXEC operation of mk-agent: run a command with stdin from /dev/null
 * and its stdout and stderr on two pipes, forward what they carry as
 * STDOUT and STDERR frames as it arrives, and end with its exit status.
 *
 * The command leads a session of its own, so that the whole process group
 * can be killed when the client goes away or breaks the protocol.
 */
#define _GNU_SOURCE	/* pipe2() */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_proto.h"
#include "agent.h"

#define CHUNK		MK_AGENT_PAYLOAD_MAX

/* A running command and what is still open of it. */
struct job {
	pid_t pid;
	int status;		/* its exit status, or -1 while it runs */
	struct pollfd fds[4];	/* stdout, stderr, pidfd, the client */
};

enum { OUT, ERR, PIDFD, CLIENT };

/* Split @args into @argv; the number of arguments, or -1 if malformed. */
static int split_args(const uint8_t *args, size_t len, char **argv)
{
	size_t off = 0;
	int argc = 0;

	if (len < 2 || !args[0] || args[len - 1])
		return -1;
	while (off < len) {
		if (argc == MK_AGENT_ARGS_MAX)
			return -1;
		argv[argc++] = (char *)args + off;
		off += strlen((const char *)args + off) + 1;
	}
	argv[argc] = NULL;
	return argc;
}

/* In the child: set up the command's process and run it. */
static void child(char **argv, int out, int err)
{
	int null = open("/dev/null", O_RDONLY);
	int e;

	setsid();
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0)
		_exit(MK_AGENT_NOT_EXEC);
	if (chdir("/"))
		_exit(MK_AGENT_NOT_EXEC);
	clearenv();
	setenv("PATH", MK_AGENT_ENV_PATH, 1);
	setenv("HOME", "/", 1);
	execvp(argv[0], argv);
	e = errno;
	dprintf(STDERR_FILENO, "mk-agent: %s: %s\n", argv[0], strerror(e));
	_exit(e == ENOENT || e == ENOTDIR ? MK_AGENT_NOT_FOUND :
	      MK_AGENT_NOT_EXEC);
}

/* Start the command; 0 or -errno. */
static int start(struct job *j, char **argv, int sock)
{
	int out[2], err[2];

	if (pipe2(out, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		close(out[0]);
		close(out[1]);
		return -errno;
	}
	j->pid = fork();
	if (!j->pid)
		child(argv, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	if (j->pid < 0) {
		close(out[0]);
		close(err[0]);
		return -errno;
	}
	j->status = -1;
	j->fds[OUT] = (struct pollfd){ .fd = out[0], .events = POLLIN };
	j->fds[ERR] = (struct pollfd){ .fd = err[0], .events = POLLIN };
	j->fds[PIDFD] = (struct pollfd){ .fd = pidfd_open(j->pid, 0),
					 .events = POLLIN };
	j->fds[CLIENT] = (struct pollfd){ .fd = sock, .events = POLLIN };
	return 0;
}

static void close_fd(struct pollfd *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/* Collect the command's exit status, waiting for it if @block. */
static void reap(struct job *j, bool block)
{
	int ws;

	if (waitpid(j->pid, &ws, block ? 0 : WNOHANG) != j->pid)
		return;
	j->status = WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
	close_fd(&j->fds[PIDFD]);
}

/* Kill the command and everything it started, and reap it. */
static void kill_job(struct job *j)
{
	kill(-j->pid, SIGKILL);
	kill(j->pid, SIGKILL);
	if (j->status < 0)
		reap(j, true);
}

/* Forward what pipe @i holds as one frame; -errno if the client is gone. */
static int forward(struct job *j, int i, uint8_t *buf)
{
	ssize_t n = read(j->fds[i].fd, buf, CHUNK);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		close_fd(&j->fds[i]);
		return 0;
	}
	return mk_frame_send(j->fds[CLIENT].fd,
			     i == OUT ? MK_AGENT_STDOUT : MK_AGENT_STDERR,
			     buf, n);
}

static bool running(const struct job *j)
{
	return j->fds[OUT].fd >= 0 || j->fds[ERR].fd >= 0 ||
	       j->fds[PIDFD].fd >= 0;
}

/* Forward output until the pipes close and the command exits. */
static int pump(struct job *j, uint8_t *buf)
{
	int i, err;

	while (running(j)) {
		if (poll(j->fds, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (j->fds[CLIENT].revents)
			return -ECONNABORTED;
		for (i = OUT; i <= ERR; i++) {
			if (!j->fds[i].revents)
				continue;
			err = forward(j, i, buf);
			if (err)
				return err;
		}
		if (j->fds[PIDFD].revents)
			reap(j, false);
	}
	if (j->status < 0)
		reap(j, true);	/* no pidfd: wait here */
	return 0;
}

/**
 * mk_agent_exec() - run a command for the client, the EXEC operation
 * @sock: the connection
 * @args: the payload of the EXEC frame: NUL-terminated arguments
 * @len: its size
 *
 * Return: 0 once the EXIT frame is sent, else -errno.
 */
int mk_agent_exec(int sock, const uint8_t *args, size_t len)
{
	char *argv[MK_AGENT_ARGS_MAX + 1];
	uint8_t code[4], *buf;
	struct job j;
	int err;

	if (split_args(args, len, argv) < 0)
		return mk_agent_refuse(sock, "malformed EXEC arguments");
	buf = malloc(CHUNK);
	if (!buf)
		return mk_agent_refuse(sock, "out of memory");
	err = start(&j, argv, sock);
	if (err) {
		free(buf);
		return mk_agent_refuse(sock, "cannot start the command");
	}
	err = pump(&j, buf);
	if (err)
		kill_job(&j);
	close_fd(&j.fds[OUT]);
	close_fd(&j.fds[ERR]);
	close_fd(&j.fds[PIDFD]);
	free(buf);
	if (err == -ECONNABORTED)
		return mk_agent_refuse(sock, "unexpected frame during EXEC");
	if (err)
		return err;
	mk_put_le32(code, j.status);
	return mk_frame_send(sock, MK_AGENT_EXIT, code, sizeof(code));
}
