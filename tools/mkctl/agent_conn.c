// SPDX-License-Identifier: GPL-2.0
/*
 * Connecting to the agent of an instance (mk-agent, agent_proto.h): check
 * that the instance is running, find its vsock address (CID 1000 + id,
 * port 5000) and connect.  MKCTL_AGENT_SOCKET=PATH connects to a unix
 * socket instead, for tests on machines without vsock.
 *
 * The agent serves only root on the host, which it tells by the source
 * port: one below 1024, which only CAP_NET_BIND_SERVICE can bind.  So the
 * socket is bound to a free reserved port first, the highest one free as
 * rresvport(3) does.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#include "agent_proto.h"
#include "mkctl.h"

#define REFUSAL_MS	1000	/* wait for the reason of a refusal */

/* What to say when the instance is in @state, not "running". */
static void not_running(const char *cmd, const char *name, const char *state)
{
	if (!strcmp(state, "stopped"))
		mk_err("%s %s: instance %s is stopped; start it with 'mkctl start %s'",
		       cmd, name, name, name);
	else if (!strcmp(state, "crashed"))
		mk_err("%s %s: instance %s crashed; see 'mkctl log %s', then 'mkctl restart %s'",
		       cmd, name, name, name, name);
	else if (!strcmp(state, "starting"))
		mk_err("%s %s: instance %s is still starting; try again once 'mkctl status %s' says running",
		       cmd, name, name, name);
	else
		mk_err("%s %s: instance %s is %s, not running", cmd, name,
		       name, state);
}

/* Check that @name is running and read its id; 0 or -1 after a message. */
static int running_id(const char *cmd, const char *name,
		      unsigned long long *id)
{
	char state[32], file[PATH_MAX];
	int err;

	if (mk_need_instance(cmd, name))
		return -1;
	err = mk_state(name, state, sizeof(state));
	if (err) {
		mk_err("%s %s: cannot read state: %s", cmd, name,
		       strerror(-err));
		return -1;
	}
	if (strcmp(state, "running")) {
		not_running(cmd, name, state);
		return -1;
	}
	err = mk_inst_path(file, sizeof(file), name, "id");
	if (!err)
		err = mk_read_u64(file, id);
	if (err) {
		mk_err("%s %s: cannot read id: %s", cmd, name, strerror(-err));
		return -1;
	}
	return 0;
}

static int connect_unix(const char *cmd, const char *name, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	int fd;

	if (len >= sizeof(sa.sun_path)) {
		mk_err("%s %s: MKCTL_AGENT_SOCKET is too long", cmd, name);
		return -1;
	}
	memcpy(sa.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	mk_err("%s %s: cannot connect to the agent at %s: %s", cmd, name,
	       path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static void vsock_error(const char *cmd, const char *name, unsigned int cid,
			int err)
{
	if (err == ECONNREFUSED || err == ECONNRESET)
		mk_err("%s %s: no agent listens on vsock port %d of instance %s (cid %u); its initrd must start mk-agent",
		       cmd, name, MK_AGENT_PORT, name, cid);
	else if (err == ETIMEDOUT)
		mk_err("%s %s: the agent of instance %s (cid %u) did not answer: %s",
		       cmd, name, name, cid, strerror(err));
	else
		mk_err("%s %s: cannot connect to the agent of instance %s (cid %u): %s",
		       cmd, name, name, cid, strerror(err));
}

static int bind_vsock_port(int fd, unsigned int port)
{
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
		.svm_port = port,
	};

	return bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
}

/**
 * mk_agent_bind_reserved() - bind a socket to a free reserved port
 * @fd: the socket
 * @bind_port: binds @fd to a port; 0 or -errno
 *
 * Tries the ports from MK_RESV_PORT_HIGH down to MK_RESV_PORT_LOW, past
 * those in use.
 *
 * Return: the port, -EADDRINUSE if every one is in use, or the first
 * other -errno of @bind_port (-EACCES without CAP_NET_BIND_SERVICE).
 */
int mk_agent_bind_reserved(int fd, int (*bind_port)(int fd, unsigned int port))
{
	unsigned int port;
	int err;

	for (port = MK_RESV_PORT_HIGH; port >= MK_RESV_PORT_LOW; port--) {
		err = bind_port(fd, port);
		if (!err)
			return port;
		if (err != -EADDRINUSE)
			return err;
	}
	return -EADDRINUSE;
}

static void bind_error(const char *cmd, const char *name, int err)
{
	if (err == -EACCES || err == -EPERM)
		mk_err("%s %s: exec and ping need root on the host: binding a vsock port below 1024 needs CAP_NET_BIND_SERVICE",
		       cmd, name);
	else if (err == -EADDRINUSE)
		mk_err("%s %s: every vsock port from %d to %d is in use", cmd,
		       name, MK_RESV_PORT_LOW, MK_RESV_PORT_HIGH);
	else
		mk_err("%s %s: cannot bind a vsock port below 1024: %s", cmd,
		       name, strerror(-err));
}

static int connect_vsock(const char *cmd, const char *name, unsigned int cid)
{
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK,
		.svm_cid = cid,
		.svm_port = MK_AGENT_PORT,
	};
	int fd, err;

	fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		mk_err("%s %s: vsock is not available (%s): kernel without CONFIG_VSOCKETS?",
		       cmd, name, strerror(errno));
		return -1;
	}
	err = mk_agent_bind_reserved(fd, bind_vsock_port);
	if (err < 0) {
		bind_error(cmd, name, err);
		close(fd);
		return -1;
	}
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fd;
	vsock_error(cmd, name, cid, errno);
	close(fd);
	return -1;
}

/**
 * mk_agent_refusal() - read the reason of an agent that refused us
 * @sock: the connection, on which sending failed
 * @why: where to store the text of its ERROR frame
 * @size: the size of @why
 *
 * An agent that refuses a connection sends an ERROR frame and closes it
 * at once, so sending the request may fail before its reason is read.
 * Waits at most REFUSAL_MS for it.
 *
 * Return: 0 if there was an ERROR frame, else -1.
 */
int mk_agent_refusal(int sock, char *why, size_t size)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct mk_frame f;

	if (poll(&pfd, 1, REFUSAL_MS) != 1 || mk_frame_recv_hdr(sock, &f) ||
	    f.type != MK_AGENT_ERROR || f.len >= size ||
	    mk_read_full(sock, why, f.len))
		return -1;
	why[f.len] = '\0';
	return 0;
}

/**
 * mk_agent_connect() - connect to the agent of a running instance
 * @cmd: the command, for messages
 * @name: the instance
 *
 * Return: the connected socket, or -1 after printing one line that says
 * what is wrong (no such instance, not running, no agent answering).
 */
int mk_agent_connect(const char *cmd, const char *name)
{
	const char *path = getenv("MKCTL_AGENT_SOCKET");
	unsigned long long id;

	if (running_id(cmd, name, &id))
		return -1;
	if (path && *path)
		return connect_unix(cmd, name, path);
	if (id > UINT_MAX - MK_AGENT_CID_BASE) {
		mk_err("%s %s: id %llu has no vsock address", cmd, name, id);
		return -1;
	}
	return connect_vsock(cmd, name, MK_AGENT_CID_BASE + id);
}
