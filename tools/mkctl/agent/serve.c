// SPDX-License-Identifier: GPL-2.0
/*
 * One connection to mk-agent: its first frame chooses the operation, EXEC
 * or ECHO.  A frame that breaks the protocol gets an ERROR frame and ends
 * the connection.  So does a client that is too slow: the first frame
 * must arrive within the first timeout, and each ECHO frame within the
 * idle timeout of the one before.  While EXEC runs a command, there is no
 * limit: the command may take its time, and the client leaves when it
 * wants (mkctl exec --timeout).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "agent_proto.h"
#include "agent.h"

/**
 * mk_agent_refuse() - tell the client its frame was refused, and hang up
 * @sock: the connection
 * @why: what was wrong, one line
 *
 * Return: -EPROTO.
 */
int mk_agent_refuse(int sock, const char *why)
{
	mk_frame_send(sock, MK_AGENT_ERROR, why, strlen(why));
	shutdown(sock, SHUT_RDWR);
	return -EPROTO;
}

/* Make a read wait at most @secs seconds (0: for ever); 0 or -errno. */
static int set_timeout(int sock, unsigned int secs)
{
	struct timeval tv = { .tv_sec = secs };

	if (setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	return 0;
}

/*
 * Refuse a frame that recv_frame() did not accept; @timeout is the
 * reason to give when it did not arrive in time.
 */
static int refuse_header(int sock, int err, const char *timeout)
{
	if (err == -EAGAIN || err == -EWOULDBLOCK)
		return mk_agent_refuse(sock, timeout);
	if (err == -EMSGSIZE)
		return mk_agent_refuse(sock, "frame too large");
	if (err == -EPROTO)
		return mk_agent_refuse(sock, "bad frame header");
	return err;
}

/* Read the next frame into @buf; 0, -ENODATA at the end, or -errno. */
static int recv_frame(int sock, struct mk_frame *f, uint8_t *buf)
{
	int err;

	err = mk_frame_recv_hdr(sock, f);
	if (!err)
		err = mk_read_full(sock, buf, f->len);
	if (err == -ENODATA && f->len)
		err = -EPROTO;	/* the payload was cut off */
	return err;
}

/* Send every ECHO frame back, starting with the first one, in @buf. */
static int echo(int sock, struct mk_frame *f, uint8_t *buf,
		const struct mk_agent_limits *lim)
{
	char idle[64];
	int err;

	snprintf(idle, sizeof(idle), "no ECHO frame for %u s; closing",
		 lim->idle_timeout);
	err = set_timeout(sock, lim->idle_timeout);
	if (err)
		return err;
	for (;;) {
		err = mk_frame_send(sock, MK_AGENT_ECHO, buf, f->len);
		if (err)
			return err;
		f->len = 0;
		err = recv_frame(sock, f, buf);
		if (err == -ENODATA)
			return 0;
		if (err)
			return refuse_header(sock, err, idle);
		if (f->type != MK_AGENT_ECHO)
			return mk_agent_refuse(sock, "only ECHO frames may follow ECHO");
	}
}

/**
 * mk_agent_serve() - serve one connection until it ends
 * @sock: the connection
 * @lim: how long to wait for the client's frames
 *
 * Return: 0 when the operation ended normally, else -errno.
 */
int mk_agent_serve(int sock, const struct mk_agent_limits *lim)
{
	struct mk_frame f = { 0 };
	char late[64];
	uint8_t *buf;
	int err;

	buf = malloc(MK_AGENT_PAYLOAD_MAX);
	if (!buf)
		return mk_agent_refuse(sock, "out of memory");
	snprintf(late, sizeof(late), "no request within %u s; closing",
		 lim->first_timeout);
	err = set_timeout(sock, lim->first_timeout);
	if (!err)
		err = recv_frame(sock, &f, buf);
	if (err == -ENODATA)
		err = 0;
	else if (err)
		err = refuse_header(sock, err, late);
	else if (f.type == MK_AGENT_EXEC)
		err = set_timeout(sock, 0) ?: mk_agent_exec(sock, buf, f.len);
	else if (f.type == MK_AGENT_ECHO)
		err = echo(sock, &f, buf, lim);
	else
		err = mk_agent_refuse(sock, "the first frame must be EXEC or ECHO");
	free(buf);
	return err;
}
