// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl exec NAME [--timeout SEC] [--] CMD [ARGS...]: run a command in a
 * running instance through its agent, with the command's stdout and
 * stderr on ours, and exit with its exit status.  mkctl's own failures
 * exit with EXEC_FAILED instead, as ssh does, so that a script can tell
 * them from the command's.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent_proto.h"
#include "mkctl.h"

#define EXEC_FAILED	255	/* mkctl failed, not the command */

struct exec_args {
	const char *name;
	char **argv;		/* the command and its arguments */
	int argc;
	long timeout_ms;	/* 0 for no limit */
};

/* Parse --timeout's value, given as @val. */
static int parse_timeout(const struct mk_cmd *cmd, const char *val,
			 struct exec_args *a)
{
	if (!val)
		return mk_usage_error(cmd, "option --timeout needs a value");
	return mk_parse_timeout(cmd, val, &a->timeout_ms);
}

/* Options and NAME, up to "--" or the first word of the command. */
static int parse(const struct mk_cmd *cmd, int argc, char **argv,
		 struct exec_args *a)
{
	int i, ret = MK_GO_ON;

	a->name = NULL;
	a->timeout_ms = 0;
	for (i = 1; i < argc && ret == MK_GO_ON; i++) {
		const char *arg = argv[i];

		if (!strcmp(arg, "--")) {
			i++;
			break;
		}
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
			return mk_help(cmd);
		if (!strcmp(arg, "--timeout"))
			ret = parse_timeout(cmd, argv[++i], a);
		else if (!strncmp(arg, "--timeout=", 10))
			ret = parse_timeout(cmd, arg + 10, a);
		else if (arg[0] == '-' && arg[1])
			return mk_usage_error(cmd, "invalid option \"%s\"", arg);
		else if (!a->name)
			a->name = arg;
		else
			break;	/* the command */
	}
	if (ret != MK_GO_ON)
		return ret;
	if (!a->name)
		return mk_usage_error(cmd, "missing instance name");
	if (i >= argc || !argv[i][0])
		return mk_usage_error(cmd, "missing command");
	a->argv = argv + i;
	a->argc = argc - i;
	return MK_GO_ON;
}

/* The EXEC payload: the arguments, each ended by NUL; its size or -1. */
static ssize_t pack_args(const struct exec_args *a, char *buf)
{
	size_t len = 0, n;
	int i;

	if (a->argc > MK_AGENT_ARGS_MAX)
		return -1;
	for (i = 0; i < a->argc; i++) {
		n = strlen(a->argv[i]) + 1;
		if (n > MK_AGENT_PAYLOAD_MAX - len)
			return -1;
		memcpy(buf + len, a->argv[i], n);
		len += n;
	}
	return len;
}

/* Wait until @sock is readable; 0, or -ETIMEDOUT past @deadline. */
static int wait_reply(int sock, unsigned long long deadline)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	unsigned long long now;
	int n;

	do {
		now = mk_now_ms();
		if (deadline && now >= deadline)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, deadline ? (int)(deadline - now) : -1);
	} while (n < 0 && errno == EINTR);
	if (!n)
		return -ETIMEDOUT;
	return n < 0 ? -errno : 0;
}

static void report_lost(const char *cmd, const char *name, int err)
{
	if (err == -ENODATA || err == -EPROTO)
		mk_err("%s %s: the agent closed the connection before the command ended",
		       cmd, name);
	else if (err == -EMSGSIZE)
		mk_err("%s %s: the agent sent a frame that is too large", cmd,
		       name);
	else
		mk_err("%s %s: connection to the agent lost: %s", cmd, name,
		       strerror(-err));
}

/* Act on one frame; MK_GO_ON for more, else mkctl's exit status. */
static int handle(const char *cmd, const char *name,
		  const struct mk_frame *f, const char *buf)
{
	int err;

	switch (f->type) {
	case MK_AGENT_STDOUT:
	case MK_AGENT_STDERR:
		err = mk_write_all(f->type == MK_AGENT_STDOUT ? STDOUT_FILENO :
				   STDERR_FILENO, buf, f->len);
		if (!err)
			return MK_GO_ON;
		mk_err("%s %s: cannot write the output: %s", cmd, name,
		       strerror(-err));
		return EXEC_FAILED;
	case MK_AGENT_EXIT:
		if (f->len == 4 && mk_get_le32((const uint8_t *)buf) <= 255)
			return mk_get_le32((const uint8_t *)buf);
		break;
	case MK_AGENT_ERROR:
		mk_err("%s %s: the agent refused: %.*s", cmd, name,
		       (int)f->len, buf);
		return EXEC_FAILED;
	}
	mk_err("%s %s: the agent broke the protocol (frame type %u)", cmd,
	       name, f->type);
	return EXEC_FAILED;
}

/* Copy the command's output until its exit status arrives. */
static int relay(const char *cmd, const struct exec_args *a, int sock,
		 char *buf)
{
	unsigned long long deadline = 0;
	struct mk_frame f;
	int err, ret;

	if (a->timeout_ms)
		deadline = mk_now_ms() + a->timeout_ms;
	do {
		err = wait_reply(sock, deadline);
		if (err == -ETIMEDOUT) {
			mk_err("%s %s: %s did not finish within %ld s; killed it",
			       cmd, a->name, a->argv[0], a->timeout_ms / 1000);
			return EXEC_FAILED;
		}
		if (!err)
			err = mk_frame_recv_hdr(sock, &f);
		if (!err)
			err = mk_read_full(sock, buf, f.len);
		if (err) {
			report_lost(cmd, a->name, err);
			return EXEC_FAILED;
		}
		ret = handle(cmd, a->name, &f, buf);
	} while (ret == MK_GO_ON);
	return ret;
}

/* Send the command, then relay its output; mkctl's exit status. */
static int start(const char *cmd, const struct exec_args *a, int sock,
		 char *buf, size_t len)
{
	int err = mk_frame_send(sock, MK_AGENT_EXEC, buf, len);
	char why[256];

	if (!err)
		return relay(cmd, a, sock, buf);
	/* An agent that refuses us may hang up before we send */
	if (!mk_agent_refusal(sock, why, sizeof(why)))
		mk_err("%s %s: the agent refused: %s", cmd, a->name, why);
	else
		report_lost(cmd, a->name, err);
	return EXEC_FAILED;
}

static int run_exec(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct exec_args a;
	ssize_t len;
	char *buf;
	int sock, ret;

	ret = parse(cmd, argc, argv, &a);
	if (ret != MK_GO_ON)
		return ret;
	buf = malloc(MK_AGENT_PAYLOAD_MAX);
	if (!buf) {
		mk_err("%s %s: out of memory", cmd->name, a.name);
		return EXEC_FAILED;
	}
	ret = EXEC_FAILED;
	len = pack_args(&a, buf);
	if (len < 0) {
		ret = mk_usage_error(cmd, "command too long: at most %d arguments and %d bytes",
				     MK_AGENT_ARGS_MAX, MK_AGENT_PAYLOAD_MAX);
	} else {
		sock = mk_agent_connect(cmd->name, a.name);
		if (sock >= 0) {
			ret = start(cmd->name, &a, sock, buf, len);
			close(sock);
		}
	}
	free(buf);
	return ret;
}

const struct mk_cmd mk_cmd_exec = {
	.name = "exec",
	.summary = "run a command in an instance",
	.synopsis = "NAME [--timeout SEC] [--] CMD [ARGS...]",
	.help = "Run CMD with ARGS in the running instance NAME, through the\n"
		"agent (mk-agent) its initrd starts.  The command runs as root\n"
		"in \"/\", with stdin from /dev/null and only PATH and HOME in\n"
		"its environment.  Its stdout and stderr appear on mkctl's, and\n"
		"mkctl exits with its exit status: 128 + N if signal N killed\n"
		"it, 127 if it was not found.  mkctl's own failures (no such\n"
		"instance, not running, no agent, refused by it, lost\n"
		"connection, --timeout) exit with 255 and one line on stderr,\n"
		"as ssh does; usage errors exit with 2.  Only root on the host\n"
		"may use the agent.  \"--\" is needed only if CMD starts with\n"
		"'-'.\n"
		"\n"
		"mkctl returns once the command has exited and its stdout and\n"
		"stderr are closed: redirect the output of anything it leaves\n"
		"running in the background.\n"
		"\n"
		"  --timeout SEC   kill the command if it has not finished in\n"
		"                  SEC seconds, and exit with 255 (0: no limit)\n",
	.run = run_exec,
};
