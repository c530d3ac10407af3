/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mk-agent's parts: the accept loop (mk-agent.c), who may connect
 * (peer.c), one connection (serve.c) and the EXEC operation (run.c).
 */
#ifndef MK_AGENT_H
#define MK_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __printf
#define __printf(a, b)		__attribute__((format(printf, a, b)))
#endif

/* The environment of the commands run. */
#define MK_AGENT_ENV_PATH	"/bin:/sbin:/usr/bin:/usr/sbin"

/* Defaults of the limits, changed by mk-agent's options. */
#define MK_AGENT_MAX_SESSIONS	16	/* connections served at once */
#define MK_AGENT_FIRST_TIMEOUT	10	/* s to send the first frame */
#define MK_AGENT_IDLE_TIMEOUT	120	/* s between ECHO frames */

/* How long one connection may wait for its client; 0 for ever. */
struct mk_agent_limits {
	unsigned int first_timeout;	/* seconds, until the first frame */
	unsigned int idle_timeout;	/* seconds, between ECHO frames */
};

bool mk_agent_peer_allowed(unsigned int cid, unsigned int port);
bool mk_agent_uid_allowed(unsigned int uid, unsigned int self);
void mk_agent_peer_refusal(char *buf, size_t size, unsigned int cid,
			   unsigned int port);

int mk_agent_serve(int sock, const struct mk_agent_limits *lim);
int mk_agent_refuse(int sock, const char *why);
int mk_agent_exec(int sock, const uint8_t *args, size_t len);

#endif /* MK_AGENT_H */
