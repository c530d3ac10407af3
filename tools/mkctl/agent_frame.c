// SPDX-License-Identifier: GPL-2.0
/*
 * Frames of the agent protocol (agent_proto.h): reading and writing whole
 * buffers on a stream socket, and the 8-byte header.  Shared by mk-agent
 * and mkctl.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent_proto.h"

/**
 * mk_put_le32() - store a 32-bit number in little-endian order
 * @p: where, 4 bytes
 * @v: the number
 */
void mk_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/**
 * mk_get_le32() - load a 32-bit little-endian number
 * @p: where it is, 4 bytes
 *
 * Return: the number.
 */
uint32_t mk_get_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/**
 * mk_write_full() - write a whole buffer to a socket
 * @fd: the socket
 * @buf: the bytes
 * @len: how many
 *
 * Uses MSG_NOSIGNAL, so a closed peer gives -EPIPE and no SIGPIPE.
 *
 * Return: 0 or -errno.
 */
int mk_write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/**
 * mk_read_full() - read exactly @len bytes
 * @fd: the socket
 * @buf: where to put them
 * @len: how many
 *
 * Return: 0, -ENODATA if the stream ended before the first byte, -EPROTO
 * if it ended after some, or the -errno of read().
 */
int mk_read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, p + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return got ? -EPROTO : -ENODATA;
		got += n;
	}
	return 0;
}

/**
 * mk_frame_send() - send one frame
 * @fd: the socket
 * @type: its type, enum mk_agent_type
 * @buf: the payload
 * @len: its size, at most MK_AGENT_PAYLOAD_MAX
 *
 * Return: 0, -EMSGSIZE if @len is too large, or -errno.
 */
int mk_frame_send(int fd, uint8_t type, const void *buf, size_t len)
{
	uint8_t hdr[MK_AGENT_HDR_SIZE] = { type, MK_AGENT_VERSION, 0, 0 };
	int err;

	if (len > MK_AGENT_PAYLOAD_MAX)
		return -EMSGSIZE;
	mk_put_le32(hdr + 4, len);
	err = mk_write_full(fd, hdr, sizeof(hdr));
	if (!err && len)
		err = mk_write_full(fd, buf, len);
	return err;
}

/**
 * mk_frame_recv_hdr() - read and check the header of the next frame
 * @fd: the socket
 * @f: where to store its type and payload size
 *
 * The caller reads the payload next, with mk_read_full().
 *
 * Return: 0, -ENODATA at the end of the stream, -EPROTO for a header
 * that is not one of this protocol's, -EMSGSIZE for a payload that is too
 * large, or the -errno of read().
 */
int mk_frame_recv_hdr(int fd, struct mk_frame *f)
{
	uint8_t hdr[MK_AGENT_HDR_SIZE];
	int err;

	err = mk_read_full(fd, hdr, sizeof(hdr));
	if (err)
		return err;
	if (hdr[1] != MK_AGENT_VERSION || hdr[2] || hdr[3] ||
	    hdr[0] < MK_AGENT_EXEC || hdr[0] > MK_AGENT_ERROR)
		return -EPROTO;
	f->type = hdr[0];
	f->len = mk_get_le32(hdr + 4);
	if (f->len > MK_AGENT_PAYLOAD_MAX)
		return -EMSGSIZE;
	return 0;
}
