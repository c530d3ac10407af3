// SPDX-License-Identifier: GPL-2.0
/*
 * The listening socket and the daemon start of the spawn's servers
 * (mk-agent, mk-kv): on vsock, or on a Unix socket for tests on a
 * machine without vsock.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/vm_sockets.h>

#include "serve_sock.h"

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
		unlink(path);	/* left by an earlier server */
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

/**
 * mk_serve_listen() - the listening socket of a server, non-blocking
 * @path: a Unix socket to listen on, or NULL for vsock
 * @port: the vsock port, without @path
 * @backlog: the listen backlog
 *
 * Return: the socket, or -1 with errno set.
 */
int mk_serve_listen(const char *path, unsigned int port, int backlog)
{
	int fd = socket(path ? AF_UNIX : AF_VSOCK,
			SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int err;

	if (fd < 0)
		return -1;
	if (!(path ? bind_unix(fd, path) : bind_vsock(fd, port)) &&
	    !listen(fd, backlog))
		return fd;
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/**
 * mk_serve_daemon() - fork a server into the background
 * @child: set to the child's pid in the parent
 *
 * The child starts a session of its own with /dev/null as its standard
 * input, output and error; the parent goes on as the caller likes (it
 * usually exits).
 *
 * Return: 1 in the parent, 0 in the child, -1 with errno set if
 * /dev/null cannot be opened or fork() fails.
 */
int mk_serve_daemon(pid_t *child)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid_t pid;

	if (null < 0)
		return -1;
	pid = fork();
	if (pid) {
		close(null);
		*child = pid;
		return pid < 0 ? -1 : 1;
	}
	setsid();
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);
	return 0;
}
