// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl ping NAME [-c N] [-i MS] [--json]: round trips to an instance's
 * agent, with their times and a summary, as ping(8) does for hosts.
 *
 * Ctrl-C ends the pings and prints the summary.  SIGINT stays blocked but
 * while waiting (for an echo, or between pings) in ppoll(), so that it
 * cannot slip in just before a wait and be missed by it.
 */
#define _GNU_SOURCE	/* ppoll() */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent_proto.h"
#include "mkctl.h"

#define DEFAULT_COUNT	10
#define MAX_COUNT	1000000
#define DEFAULT_GAP_MS	100	/* between round trips */
#define MAX_GAP_MS	60000
#define REPLY_MS	5000	/* longest wait for an echo */
#define PING_SIZE	8	/* payload: the sequence number */

struct ping_args {
	const char *name;
	unsigned long count;
	unsigned long gap_ms;
	bool json;
};

/* What a ping waits with: the signal mask that lets SIGINT in. */
static sigset_t wait_mask;

/* The text of the agent's ERROR frame, after -EREMOTEIO. */
static char refusal[256];

/* Wait up to @ms for @pfd (none if NULL); poll()'s result, -1 on SIGINT. */
static int wait_for(struct pollfd *pfd, unsigned long ms)
{
	unsigned long long deadline = mk_now_ms() + ms, now;
	struct timespec ts;
	int n;

	for (;;) {
		if (mk_signalled()) {
			errno = EINTR;
			return -1;
		}
		now = mk_now_ms();
		if (now >= deadline)
			return 0;
		ts.tv_sec = (deadline - now) / 1000;
		ts.tv_nsec = (deadline - now) % 1000 * 1000000L;
		n = ppoll(pfd, pfd ? 1 : 0, &ts, &wait_mask);
		if (n >= 0 || errno != EINTR)
			return n;
	}
}

static int parse_num(const struct mk_cmd *cmd, const char *opt,
		     const char *s, unsigned long min, unsigned long max,
		     unsigned long *val)
{
	char *end;

	errno = 0;
	if (*s >= '0' && *s <= '9') {
		*val = strtoul(s, &end, 10);
		if (!errno && !*end && *val >= min && *val <= max)
			return MK_GO_ON;
	}
	return mk_usage_error(cmd, "%s \"%s\": not a number from %lu to %lu",
			      opt, s, min, max);
}

static int parse(const struct mk_cmd *cmd, int argc, char **argv,
		 struct ping_args *a)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = MK_GO_ON;

	a->count = DEFAULT_COUNT;
	a->gap_ms = DEFAULT_GAP_MS;
	a->json = false;
	optind = 0;
	opterr = 0;
	while (ret == MK_GO_ON &&
	       (c = getopt_long(argc, argv, ":c:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			ret = parse_num(cmd, "-c", optarg, 1, MAX_COUNT,
					&a->count);
			break;
		case 'i':
			ret = parse_num(cmd, "-i", optarg, 0, MAX_GAP_MS,
					&a->gap_ms);
			break;
		case 'j':
			a->json = true;
			break;
		case 'h':
			return mk_help(cmd);
		default:
			return mk_opt_error(cmd, c, argv);
		}
	}
	if (ret != MK_GO_ON)
		return ret;
	ret = mk_positional(cmd, argc - optind, argv + optind, 1);
	a->name = argv[optind];
	return ret;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Wait for the echo of @sent; 0, -EINTR on SIGINT, -ETIMEDOUT, -EPROTO or
 * -errno; -EREMOTEIO for an ERROR frame, its text in refusal.
 */
static int recv_echo(int sock, const uint8_t *sent)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	uint8_t buf[PING_SIZE];
	struct mk_frame f;
	int n, err;

	n = wait_for(&pfd, REPLY_MS);
	if (n <= 0)
		return n ? -errno : -ETIMEDOUT;
	err = mk_frame_recv_hdr(sock, &f);
	if (err)
		return err;
	if (f.type == MK_AGENT_ERROR && f.len < sizeof(refusal)) {
		err = mk_read_full(sock, refusal, f.len);
		refusal[err ? 0 : f.len] = '\0';
		return err ?: -EREMOTEIO;
	}
	if (f.type != MK_AGENT_ECHO || f.len != PING_SIZE)
		return -EPROTO;
	err = mk_read_full(sock, buf, sizeof(buf));
	if (!err && memcmp(buf, sent, sizeof(buf)))
		err = -EPROTO;
	return err;
}

/* One round trip; its time in microseconds in @us. */
static int round_trip(int sock, unsigned long long seq,
		      unsigned long long *us)
{
	unsigned long long t0 = now_ns();
	uint8_t msg[PING_SIZE];
	int err;

	mk_put_le32(msg, seq);
	mk_put_le32(msg + 4, seq >> 32);
	err = mk_frame_send(sock, MK_AGENT_ECHO, msg, sizeof(msg));
	if (!err)
		err = recv_echo(sock, msg);
	else if (!mk_agent_refusal(sock, refusal, sizeof(refusal)))
		err = -EREMOTEIO;	/* it hung up before we sent */
	*us = (now_ns() - t0) / 1000;
	return err;
}

static void report(const char *cmd, const char *name, int err)
{
	if (err == -ETIMEDOUT)
		mk_err("%s %s: no echo from the agent within %d s", cmd, name,
		       REPLY_MS / 1000);
	else if (err == -EREMOTEIO)
		mk_err("%s %s: the agent refused: %s", cmd, name, refusal);
	else if (err == -EPROTO || err == -EMSGSIZE)
		mk_err("%s %s: the agent's echo does not match what was sent",
		       cmd, name);
	else if (err == -ENODATA)
		mk_err("%s %s: the agent closed the connection", cmd, name);
	else
		mk_err("%s %s: connection to the agent lost: %s", cmd, name,
		       strerror(-err));
}

/* Ping until done or interrupted; the number of samples, or -1. */
static long pings(const char *cmd, const struct ping_args *a, int sock,
		  unsigned long long *us)
{
	unsigned long i;
	int err;

	for (i = 0; i < a->count && !mk_signalled(); i++) {
		if (i && a->gap_ms && wait_for(NULL, a->gap_ms) < 0)
			break;
		err = round_trip(sock, i + 1, &us[i]);
		if (err == -EINTR)
			break;	/* Ctrl-C: this one does not count */
		if (err) {
			report(cmd, a->name, err);
			return -1;
		}
		if (!a->json)
			printf("%d bytes from %s: seq=%lu time=%llu us\n",
			       PING_SIZE, a->name, i + 1, us[i]);
		fflush(stdout);
	}
	return i;
}

static void summary(const struct ping_args *a, const struct mk_rtt *s)
{
	struct json_obj o;

	if (a->json) {
		json_obj_begin(&o, stdout);
		json_obj_num(&o, "count", s->count);
		json_obj_num(&o, "min_us", s->min);
		json_obj_num(&o, "median_us", s->median);
		json_obj_num(&o, "p99_us", s->p99);
		json_obj_end(&o);
		putchar('\n');
		return;
	}
	printf("--- %s agent ping ---\n", a->name);
	printf("%zu round trips\n", s->count);
	printf("rtt min/median/p99 = %llu/%llu/%llu us\n", s->min, s->median,
	       s->p99);
}

static int run_ping(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct ping_args a;
	unsigned long long *us;
	sigset_t sigint, old;
	struct mk_rtt s;
	int sock, ret;
	long n;

	ret = parse(cmd, argc, argv, &a);
	if (ret != MK_GO_ON)
		return ret;
	us = calloc(a.count, sizeof(*us));
	if (!us) {
		mk_err("%s %s: out of memory", cmd->name, a.name);
		return EXIT_FAILURE;
	}
	sigemptyset(&sigint);
	sigaddset(&sigint, SIGINT);
	sigprocmask(SIG_BLOCK, &sigint, &old);
	wait_mask = old;
	sigdelset(&wait_mask, SIGINT);
	mk_catch_signal(SIGINT);
	sock = mk_agent_connect(cmd->name, a.name);
	n = sock < 0 ? -1 : pings(cmd->name, &a, sock, us);
	if (sock >= 0)
		close(sock);
	ret = EXIT_FAILURE;
	if (n > 0) {
		mk_rtt_summary(us, n, &s);
		summary(&a, &s);
		ret = EXIT_SUCCESS;
	} else if (!n) {
		mk_err("%s %s: interrupted before the first echo", cmd->name,
		       a.name);
	}
	free(us);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

const struct mk_cmd mk_cmd_ping = {
	.name = "ping",
	.summary = "time round trips to an instance",
	.synopsis = "NAME [-c N] [-i MS] [--json]",
	.help = "Send N small messages, one at a time, to the agent of the\n"
		"running instance NAME and time each round trip.  Prints one\n"
		"line per reply, then \"rtt min/median/p99 = A/B/C us\".  Ctrl-C\n"
		"stops early and prints the summary of the replies so far.\n"
		"Only root on the host may use the agent.\n"
		"\n"
		"  -c, --count N      round trips (default 10)\n"
		"  -i, --interval MS  pause between them (default 100, may be 0)\n"
		"  --json             print only a JSON object with count,\n"
		"                     min_us, median_us and p99_us\n",
	.run = run_ping,
};
