/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the spawn's servers (mk-agent, mk-kv) share: their listening
 * socket and how they leave the foreground.
 */
#ifndef MK_SERVE_SOCK_H
#define MK_SERVE_SOCK_H

#include <sys/types.h>

int mk_serve_listen(const char *path, unsigned int port, int backlog);
int mk_serve_daemon(pid_t *child);

#endif /* MK_SERVE_SOCK_H */
