/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wire protocol of mk-agent, the daemon in each spawn that runs
 * commands for "mkctl exec" and answers "mkctl ping".  See also
 * Documentation/multikernel/agent.rst.
 *
 * Transport: a stream socket.  The agent listens on vsock port
 * MK_AGENT_PORT of the instance (CID MK_AGENT_CID_BASE + instance id), or
 * on a unix socket for tests.
 *
 * Who may connect: the agent serves only root on the host.  It accepts a
 * vsock connection only from CID MK_AGENT_HOST_CID and from a source port
 * below MK_AGENT_RESERVED_PORTS, which only CAP_NET_BIND_SERVICE can bind,
 * so mkctl binds one before it connects.  Other peers get one ERROR frame
 * and the connection is closed.  The agent also serves a limited number
 * of connections at once and closes one that sends no complete first
 * frame in time, or no ECHO for a while, with an ERROR frame too.
 *
 * Every message is a frame: an 8-byte header, then @len bytes of payload.
 *
 *	offset	size	field
 *	0	1	type	(enum mk_agent_type)
 *	1	1	version	(MK_AGENT_VERSION)
 *	2	2	zero	(must be 0)
 *	4	4	len	(payload bytes, little-endian, <= MK_AGENT_PAYLOAD_MAX)
 *
 * The first frame a client sends chooses the operation of the connection:
 *
 * EXEC: the payload is the command's argv, each argument ended by a NUL
 *	byte (at least one, at most MK_AGENT_ARGS_MAX, the first not empty).
 *	The agent runs it with stdin from /dev/null, cwd "/" and an
 *	environment holding only PATH and HOME, and sends back STDOUT and
 *	STDERR frames as output arrives, then one EXIT frame whose payload is
 *	the exit status as a 4-byte little-endian number: the exit code, or
 *	128 + the signal that killed the command.  A command that cannot be
 *	run ends with 127 (not found) or 126 (found but not executable) after
 *	a line on its stderr, as in a shell.  The connection then ends.  A
 *	client that closes the connection or sends anything more before EXIT
 *	gets the command and its process group killed.
 *
 * ECHO: the agent sends every ECHO frame back unchanged, until the client
 *	closes the connection.  Any other frame ends it.
 *
 * A frame the agent cannot accept (bad version, zero field, type or size,
 * malformed argv) makes it send one ERROR frame whose payload is a message
 * (no NUL) and close that connection; other connections are not affected.
 */
#ifndef MK_AGENT_PROTO_H
#define MK_AGENT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define MK_AGENT_PORT		5000	/* vsock port of the agent */
#define MK_AGENT_CID_BASE	1000	/* CID of instance N is 1000 + N */
#define MK_AGENT_HOST_CID	2	/* VMADDR_CID_HOST */
#define MK_AGENT_RESERVED_PORTS	1024	/* peers' ports must be below */

#define MK_AGENT_VERSION	1
#define MK_AGENT_HDR_SIZE	8
#define MK_AGENT_PAYLOAD_MAX	65536	/* largest payload of a frame */
#define MK_AGENT_ARGS_MAX	256	/* most arguments of an EXEC */

/* Exit status of a command the agent could not run, as in a shell. */
#define MK_AGENT_NOT_FOUND	127
#define MK_AGENT_NOT_EXEC	126

enum mk_agent_type {
	MK_AGENT_EXEC	= 1,	/* client: run a command */
	MK_AGENT_ECHO	= 2,	/* both ways: echo this payload */
	MK_AGENT_STDOUT	= 3,	/* agent: output of the command */
	MK_AGENT_STDERR	= 4,	/* agent: error output of the command */
	MK_AGENT_EXIT	= 5,	/* agent: its exit status, u32 */
	MK_AGENT_ERROR	= 6,	/* agent: the frame was refused; text */
};

/* A frame header, decoded. */
struct mk_frame {
	uint8_t type;
	uint32_t len;
};

int mk_frame_send(int fd, uint8_t type, const void *buf, size_t len);
int mk_frame_recv_hdr(int fd, struct mk_frame *f);
int mk_read_full(int fd, void *buf, size_t len);
int mk_write_full(int fd, const void *buf, size_t len);
void mk_put_le32(uint8_t *p, uint32_t v);
uint32_t mk_get_le32(const uint8_t *p);

#endif /* MK_AGENT_PROTO_H */
