/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mk-agent's parts: the accept loop (mk-agent.c), one connection
 * (serve.c) and the EXEC operation (run.c).
 */
#ifndef MK_AGENT_H
#define MK_AGENT_H

#include <stddef.h>
#include <stdint.h>

/* The environment of the commands run. */
#define MK_AGENT_ENV_PATH	"/bin:/sbin:/usr/bin:/usr/sbin"

int mk_agent_serve(int sock);
int mk_agent_refuse(int sock, const char *why);
int mk_agent_exec(int sock, const uint8_t *args, size_t len);

#endif /* MK_AGENT_H */
