// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl console NAME: attach the terminal to an instance's console.
 *
 * Bytes read from stdin go to the sysfs file console_in, new output of the
 * console file goes to stdout.  On attach, the last CONTEXT bytes of
 * earlier output are shown, from the start of a line, so that a prompt
 * printed before is visible.  Ctrl-] detaches, as do SIGINT, SIGTERM and
 * SIGHUP (Ctrl-C itself goes to the spawn when stdin is a terminal, which
 * is put in raw mode).  When stdin ends, its last bytes are sent and the
 * output of LINGER_MS more is shown, so that commands can be piped in.
 * The session also ends when the instance stops or crashes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mkctl.h"

#define DETACH		0x1d	/* Ctrl-] */
#define CONTEXT		2048	/* bytes of earlier output shown */
#define POLL_MS		100	/* longest wait for input between reads */
#define RETRY_MS	10	/* wait when the spawn took no input */
#define LINGER_MS	500	/* output still shown after stdin ended */

struct session {
	struct mk_follow out;	/* the console output */
	int in_fd;		/* console_in */
	char buf[4096];		/* stdin bytes the spawn did not take yet */
	size_t off, len;
	bool eof;		/* stdin ended, or Ctrl-] was read */
	bool detach;		/* Ctrl-] was read */
	bool gone;		/* the instance is not started any more */
};

/* Nothing to attach to unless the instance is starting or running. */
static int check_state(const char *cmd, const char *name)
{
	char state[32];
	int err;

	err = mk_state(name, state, sizeof(state));
	if (err) {
		mk_err("%s %s: cannot read state: %s", cmd, name,
		       strerror(-err));
		return -1;
	}
	if (!strcmp(state, "starting") || !strcmp(state, "running"))
		return 0;
	mk_err("%s %s: instance %s is not running (state %s)", cmd, name,
	       name, state);
	return -1;
}

static int open_input(struct session *s, const char *cmd, const char *name)
{
	char file[PATH_MAX];
	int err;

	err = mk_sys_inst_path(file, sizeof(file), name, "console_in");
	if (!err) {
		s->in_fd = open(file, O_WRONLY | O_CLOEXEC);
		if (s->in_fd >= 0)
			return 0;
		err = -errno;
	}
	if (err == -EACCES || err == -EPERM)
		mk_err("%s %s: cannot write to the console: permission denied (run as root)",
		       cmd, name);
	else
		mk_err("%s %s: cannot write to the console: %s", cmd, name,
		       strerror(-err));
	return -1;
}

/* Send what the spawn will take of the pending input; -1 on errors. */
static int send_input(struct session *s)
{
	ssize_t n;

	while (s->off < s->len) {
		n = write(s->in_fd, s->buf + s->off, s->len - s->off);
		if (n > 0) {
			s->off += n;
			continue;
		}
		if (n == 0 || errno == EAGAIN || errno == EINTR)
			return 0;
		if (errno == ENXIO) {
			s->gone = true;
			return 0;
		}
		mk_err("%s %s: cannot write to the console: %s", s->out.cmd,
		       s->out.name, strerror(errno));
		return -1;
	}
	s->off = 0;
	s->len = 0;
	return 0;
}

/* Take bytes from stdin, up to Ctrl-]; -1 on errors. */
static int read_input(struct session *s)
{
	char *detach;
	ssize_t n;

	if (s->off) {
		memmove(s->buf, s->buf + s->off, s->len - s->off);
		s->len -= s->off;
		s->off = 0;
	}
	n = read(STDIN_FILENO, s->buf + s->len, sizeof(s->buf) - s->len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0) {
		mk_err("%s %s: cannot read stdin: %s", s->out.cmd,
		       s->out.name, strerror(errno));
		return -1;
	}
	detach = memchr(s->buf + s->len, DETACH, n);
	if (detach) {
		n = detach - (s->buf + s->len);
		s->detach = true;
	}
	s->len += n;
	if (!n || s->detach)
		s->eof = true;
	return 0;
}

/* Wait up to @ms for stdin, if more of it is wanted; -1 on errors. */
static int wait_input(struct session *s, int ms)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };

	if (s->eof || s->len == sizeof(s->buf)) {
		poll(NULL, 0, ms);
		return 0;
	}
	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	if (pfd.revents & POLLNVAL) {
		s->eof = true;
		return 0;
	}
	return read_input(s);
}

static bool ended(const char *state)
{
	return !strcmp(state, "stopped") || !strcmp(state, "crashed");
}

/* Copy output and input until the session ends; 0, or -1 on errors. */
static int attach(struct session *s)
{
	unsigned long long linger = 0;
	int more;

	for (;;) {
		more = mk_follow_copy(&s->out, true);
		if (more < 0 || send_input(s))
			return -1;
		if (mk_signalled() || s->detach || s->gone ||
		    ended(s->out.state))
			return 0;
		if (s->eof && !s->len && !linger)
			linger = mk_now_ms() + LINGER_MS;
		if (linger && mk_now_ms() >= linger)
			return 0;
		if (wait_input(s, more ? 0 : s->len ? RETRY_MS : POLL_MS))
			return -1;
	}
}

static void farewell(struct session *s)
{
	if (s->detach || mk_signalled() || s->eof)
		fputs("\r\n[detached]\r\n", stderr);
	else if (!mk_state(s->out.name, s->out.state, sizeof(s->out.state)))
		fprintf(stderr, "\r\n[%s %s]\r\n", s->out.name, s->out.state);
	else
		fprintf(stderr, "\r\n[%s stopped]\r\n", s->out.name);
}

static int session(struct session *s, const char *name)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		mk_catch_signal(sigs[i]);
	signal(SIGPIPE, SIG_IGN);	/* restore the terminal on EPIPE */
	if (isatty(STDIN_FILENO))
		mk_tty_raw(STDIN_FILENO);
	fprintf(stderr, "[attached to %s; Ctrl-] detaches]\n", name);
	ret = mk_follow_tail(&s->out, CONTEXT);
	if (!ret)
		ret = attach(s);
	if (!ret)
		farewell(s);
	mk_tty_restore();
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int run_console(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct session *s;
	const char *name;
	int ret;

	ret = mk_parse_opts(cmd, argc, argv, 1, NULL);
	if (ret != MK_GO_ON)
		return ret;
	name = argv[optind];
	if (mk_need_instance(cmd->name, name) || mk_need_sysfs() ||
	    check_state(cmd->name, name))
		return EXIT_FAILURE;
	s = calloc(1, sizeof(*s));
	if (!s) {
		mk_err("%s %s: out of memory", cmd->name, name);
		return EXIT_FAILURE;
	}
	ret = EXIT_FAILURE;
	if (!mk_follow_open(&s->out, cmd->name, name)) {
		if (!open_input(s, cmd->name, name)) {
			ret = session(s, name);
			close(s->in_fd);
		}
		mk_follow_close(&s->out);
	}
	free(s);
	return ret;
}

const struct mk_cmd mk_cmd_console = {
	.name = "console",
	.summary = "attach to an instance's console",
	.synopsis = "NAME",
	.help = "Attach the terminal to the console of instance NAME, which\n"
		"must be starting or running: what you type goes to it, what\n"
		"it prints appears, starting with the last 2 KiB printed\n"
		"before.  The terminal is in raw mode meanwhile, so Ctrl-C goes\n"
		"to the instance.\n"
		"\n"
		"Ctrl-] detaches.  So does the end of stdin, half a second\n"
		"later, when input is piped in.  The session ends by itself\n"
		"when the instance stops or crashes.\n",
	.run = run_console,
};
