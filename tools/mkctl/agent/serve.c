// SPDX-License-Identifier: GPL-2.0
/*
 * One connection to mk-agent: its first frame chooses the operation, EXEC
 * or ECHO.  A frame that breaks the protocol gets an ERROR frame and ends
 * the connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

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

/* Refuse a frame whose header mk_frame_recv_hdr() did not accept. */
static int refuse_header(int sock, int err)
{
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
static int echo(int sock, struct mk_frame *f, uint8_t *buf)
{
	int err;

	for (;;) {
		err = mk_frame_send(sock, MK_AGENT_ECHO, buf, f->len);
		if (err)
			return err;
		f->len = 0;
		err = recv_frame(sock, f, buf);
		if (err == -ENODATA)
			return 0;
		if (err)
			return refuse_header(sock, err);
		if (f->type != MK_AGENT_ECHO)
			return mk_agent_refuse(sock, "only ECHO frames may follow ECHO");
	}
}

/**
 * mk_agent_serve() - serve one connection until it ends
 * @sock: the connection
 *
 * Return: 0 when the operation ended normally, else -errno.
 */
int mk_agent_serve(int sock)
{
	struct mk_frame f = { 0 };
	uint8_t *buf;
	int err;

	buf = malloc(MK_AGENT_PAYLOAD_MAX);
	if (!buf)
		return -ENOMEM;
	err = recv_frame(sock, &f, buf);
	if (err == -ENODATA)
		err = 0;
	else if (err)
		err = refuse_header(sock, err);
	else if (f.type == MK_AGENT_EXEC)
		err = mk_agent_exec(sock, buf, f.len);
	else if (f.type == MK_AGENT_ECHO)
		err = echo(sock, &f, buf);
	else
		err = mk_agent_refuse(sock, "the first frame must be EXEC or ECHO");
	free(buf);
	return err;
}
