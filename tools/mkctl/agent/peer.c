// SPDX-License-Identifier: GPL-2.0
/*
 * Who may talk to mk-agent.  The agent runs what it is sent as root, so it
 * serves only root on the host: a vsock peer must come from the host's
 * CID and from a reserved port, which only a process with
 * CAP_NET_BIND_SERVICE can bind (net/vmw_vsock/af_vsock.c refuses others
 * with EACCES), as rsh and NFS servers do for TCP.  Other instances are
 * refused whatever port they use: root in a spawn is not root on the host.
 *
 * These are pure functions, so that the unit tests can call them.
 */
#include <stdio.h>

#include "agent_proto.h"
#include "agent.h"

/**
 * mk_agent_peer_allowed() - may this vsock peer use the agent
 * @cid: the peer's CID, from accept()
 * @port: its port
 *
 * Return: true for the host's CID and a port below MK_AGENT_RESERVED_PORTS.
 */
bool mk_agent_peer_allowed(unsigned int cid, unsigned int port)
{
	return cid == MK_AGENT_HOST_CID && port < MK_AGENT_RESERVED_PORTS;
}

/**
 * mk_agent_uid_allowed() - may this unix socket peer use the agent
 * @uid: the peer's user, from SO_PEERCRED
 * @self: the agent's effective user
 *
 * A peer running as the agent's own user can do all that the agent can
 * already, so it gains nothing; root can anyway.
 *
 * Return: true for root and for @self.
 */
bool mk_agent_uid_allowed(unsigned int uid, unsigned int self)
{
	return uid == 0 || uid == self;
}

/**
 * mk_agent_peer_refusal() - the text of the ERROR frame for a refused peer
 * @buf: where to write it
 * @size: its size
 * @cid: the peer's CID
 * @port: its port
 */
void mk_agent_peer_refusal(char *buf, size_t size, unsigned int cid,
			   unsigned int port)
{
	snprintf(buf, size,
		 "connections are accepted from root on the host only (peer CID %u port %u)",
		 cid, port);
}
