// SPDX-License-Identifier: GPL-2.0
/*
 * Agent cases: mk-agent listening on a unix socket in the fake tree, and
 * mkctl exec and ping talking to it through MKCTL_AGENT_SOCKET; raw
 * connections check that garbage ends only the connection it came on.
 */
#define _GNU_SOURCE	/* setresuid() */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent_proto.h"
#include "agent/agent.h"
#include "mkctl.h"
#include "harness.h"

#define SOCK		"agent.sock"
#define AGENT_LOG	"agent.log"	/* mk-agent's stderr */
#define MIB		(1024 * 1024)
#define BIG		(16 * MIB)	/* bytes of the large output */
#define BIG_ERR		MIB		/* bytes of stderr meanwhile */
#define LINE		"0123456789abcde\n"	/* what yes prints, 16 bytes */
#define EXEC_USAGE	"usage: mkctl exec NAME [--timeout SEC] [--] CMD [ARGS...]\n"
#define PING_USAGE	"usage: mkctl ping NAME [-c N] [-i MS] [--json]\n"
#define PING_SUMMARY	"--- web agent ping ---\n%d round trips\n" \
			"rtt min/median/p99 = %llu/%llu/%llu us\n"
#define PING_JSON	"{\"count\":%d,\"min_us\":%llu,\"median_us\":%llu," \
			"\"p99_us\":%llu}\n"

const char *agent_path = "./mk-agent";

static pid_t agent_pid;

/* A connection to the agent's socket, or -1; no read waits for ever. */
static int dial(void)
{
	return fake_dial(SOCK);
}

/*
 * Start mk-agent on the fake tree's socket, with the options @opts (NULL
 * or a NULL-terminated list), and wait until it listens.
 */
static bool agent_start_opts(const char *const *opts)
{
	const char *argv[16] = { agent_path, "--unix", fake_path(SOCK) };
	int i, fd;

	for (i = 0; opts && opts[i] && i < 12; i++)
		argv[3 + i] = opts[i];
	fflush(stdout);
	agent_pid = fork();
	if (!agent_pid) {
		/* its log lines, for the cases to check */
		fd = open(fake_path(AGENT_LOG), O_WRONLY | O_CREAT | O_APPEND,
			  0644);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(126);
		execv(agent_path, (char **)argv);
		_exit(127);
	}
	setenv("MKCTL_AGENT_SOCKET", fake_path(SOCK), 1);
	for (i = 0; i < 200 && agent_pid > 0; i++) {
		fd = dial();
		if (fd >= 0) {
			close(fd);
			return true;
		}
		sleep_ms(10);
	}
	printf("# mk-agent (%s) does not listen\n", agent_path);
	return false;
}

static bool agent_start(void)
{
	return agent_start_opts(NULL);
}

static void agent_stop(void)
{
	if (agent_pid > 0) {
		kill(agent_pid, SIGTERM);
		waitpid(agent_pid, NULL, 0);
	}
	agent_pid = 0;
	unsetenv("MKCTL_AGENT_SOCKET");
}

/* A running instance web with an agent. */
static bool web_with_agent(void)
{
	return !fake_instance("web", "1", "running", "2", "256M",
			      "/boot/bzImage", "") && agent_start();
}

static bool exec_status(void)
{
	struct run r;
	bool ok;

	if (!web_with_agent())
		return false;
	ok = !run_mkctl(&r, "exec", "web", "true", NULL) &&
	     expect_run(&r, 0, "", "");
	ok &= !run_mkctl(&r, "exec", "web", "false", NULL) &&
	      expect_run(&r, 1, "", "");
	ok &= !run_mkctl(&r, "exec", "web", "--", "sh", "-c", "exit 7",
			 NULL) && expect_run(&r, 7, "", "");
	ok &= !run_mkctl(&r, "exec", "web", "sh", "-c", "kill -KILL $$",
			 NULL) && expect_run(&r, 137, "", "");
	ok &= !run_mkctl(&r, "exec", "web", "no-such-command", "x", NULL) &&
	      expect_run(&r, 127, "",
			 "mk-agent: no-such-command: No such file or directory\n");
	ok &= !run_mkctl(&r, "exec", "web", "/", NULL) &&
	      expect_run(&r, 126, "", "mk-agent: /: Permission denied\n");
	agent_stop();
	return ok;
}

static bool exec_streams(void)
{
	struct run r;
	bool ok;

	if (!web_with_agent())
		return false;
	ok = !run_mkctl(&r, "exec", "web", "sh", "-c",
			"echo out; echo err >&2; echo out2", NULL) &&
	     expect_run(&r, 0, "out\nout2\n", "err\n");
	setenv("FOO", "leaked", 1);
	ok &= !run_mkctl(&r, "exec", "--timeout", "5", "web", "sh", "-c",
			 "pwd; echo \"$HOME|$PATH|$FOO\"; cat", NULL) &&
	      expect_run(&r, 0, "/\n/|/bin:/sbin:/usr/bin:/usr/sbin|\n", "");
	unsetenv("FOO");
	ok &= !run_mkctl(&r, "exec", "web", "printf", "%s|", "a b", "", "-c",
			 NULL) && expect_run(&r, 0, "a b||-c|", "");
	agent_stop();
	return ok;
}

/* Check that file @rel holds @size bytes of @line repeated. */
static bool check_pattern(const char *what, const char *rel, size_t size,
			  const char *line)
{
	size_t len = strlen(line), total = 0, bad = 0, i;
	char buf[65536];
	ssize_t n;
	int fd;

	fd = open(fake_path(rel), O_RDONLY);
	if (fd < 0)
		return expect_int(what, -errno, 0);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)n; i++)
			bad += buf[i] != line[(total + i) % len];
		total += n;
	}
	close(fd);
	return expect_int(what, total, size) &&
	       expect_int("bytes that differ", bad, 0);
}

static bool exec_large_output(void)
{
	char script[256];
	struct run r;
	bool ok;

	if (!web_with_agent())
		return false;
	snprintf(script, sizeof(script),
		 "yes e | head -c %d >&2 & yes 0123456789abcde | head -c %d; wait",
		 BIG_ERR, BIG);
	ok = !run_mkctl(&r, "exec", "web", "sh", "-c", script, NULL) &&
	     expect_int("exit status", r.status, 0);
	ok &= check_pattern("stdout bytes", "stdout", BIG, LINE);
	ok &= check_pattern("stderr bytes", "stderr", BIG_ERR, "e\n");
	agent_stop();
	return ok;
}

static bool exec_refused(void)
{
	char want[512];
	struct run r;
	bool ok;

	ok = !fake_instance("web", "1", "stopped", "2", "256M", "/k", "") &&
	     !fake_instance("db", "2", "crashed", "3", "256M", "/k", "") &&
	     !fake_instance("app", "3", "starting", "4", "256M", "/k", "");
	ok &= !run_mkctl(&r, "exec", "web", "true", NULL) &&
	      expect_run(&r, 255, "",
			 "mkctl: exec web: instance web is stopped; start it with 'mkctl start web'\n");
	ok &= !run_mkctl(&r, "exec", "db", "true", NULL) &&
	      expect_run(&r, 255, "",
			 "mkctl: exec db: instance db crashed; see 'mkctl log db', then 'mkctl restart db'\n");
	ok &= !run_mkctl(&r, "ping", "app", NULL) &&
	      expect_run(&r, 1, "",
			 "mkctl: ping app: instance app is still starting; try again once 'mkctl status app' says running\n");
	ok &= !run_mkctl(&r, "exec", "nope", "true", NULL) &&
	      expect_run(&r, 255, "",
			 "mkctl: exec nope: no instance named nope\n");
	ok &= !fake_write("config/instances/web/state", "running\n");
	setenv("MKCTL_AGENT_SOCKET", fake_path(SOCK), 1);
	ok &= !run_mkctl(&r, "exec", "web", "true", NULL);
	unsetenv("MKCTL_AGENT_SOCKET");
	snprintf(want, sizeof(want),
		 "mkctl: exec web: cannot connect to the agent at %s: No such file or directory\n",
		 fake_path(SOCK));
	return ok && expect_run(&r, 255, "", want);
}

static bool exec_usage(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "exec", "web", NULL) &&
	     expect_run(&r, 2, "", "mkctl: exec: missing command\n" EXEC_USAGE);
	ok &= !run_mkctl(&r, "exec", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: exec: missing instance name\n" EXEC_USAGE);
	ok &= !run_mkctl(&r, "exec", "web", "-x", "ls", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: exec: invalid option \"-x\"\n" EXEC_USAGE);
	ok &= !run_mkctl(&r, "exec", "web", "--timeout", "soon", "ls", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: exec: --timeout \"soon\": not a number of seconds from 0 to 86400\n"
			 EXEC_USAGE);
	ok &= !run_mkctl(&r, "exec", "web", "--timeout", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: exec: option --timeout needs a value\n"
			 EXEC_USAGE);
	ok &= !run_mkctl(&r, "exec", "--help", NULL) &&
	      expect_int("exec --help status", r.status, 0) &&
	      expect_int("exec --help starts with usage",
			 strncmp(r.out, EXEC_USAGE, strlen(EXEC_USAGE)), 0);
	return ok;
}

/* Whether @pid is dead: gone, or a zombie its new parent did not reap. */
static bool pid_dead(pid_t pid)
{
	char path[64], buf[256], *paren;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno == ENOENT;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && paren[1] == ' ' && paren[2] == 'Z';
}

static bool pid_gone(pid_t pid)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (pid_dead(pid))
			return true;
		sleep_ms(10);
	}
	return false;
}

static bool exec_timeout(void)
{
	char script[512];
	unsigned long long t0;
	struct run r;
	long pid;
	bool ok;

	if (!web_with_agent())
		return false;
	snprintf(script, sizeof(script), "echo $$ > %s; exec sleep 30",
		 fake_path("pid"));
	t0 = mk_now_ms();
	ok = !run_mkctl(&r, "exec", "web", "--timeout=1", "sh", "-c", script,
			NULL) &&
	     expect_run(&r, 255, "",
			"mkctl: exec web: sh did not finish within 1 s; killed it\n");
	ok &= expect_int("timed out in time", mk_now_ms() - t0 < 5000, 1);
	pid = atol(fake_read("pid"));
	ok &= expect_int("command started", pid > 0, 1) &&
	      expect_int("command killed", pid_gone(pid), 1);
	agent_stop();
	return ok;
}

static bool exec_background(void)
{
	unsigned long long t0;
	struct run r;
	long pid;
	bool ok;

	if (!web_with_agent())
		return false;
	t0 = mk_now_ms();
	ok = !run_mkctl(&r, "exec", "web", "sh", "-c",
			"sleep 30 >/dev/null 2>&1 & echo $!", NULL) &&
	     expect_int("exit status", r.status, 0) &&
	     expect_int("returned at once", mk_now_ms() - t0 < 5000, 1);
	pid = atol(r.out);
	ok &= expect_int("pid printed", pid > 1, 1);
	if (pid > 1) {
		sleep_ms(100);
		ok &= expect_int("still running", pid_dead(pid), 0);
		kill(pid, SIGKILL);
	}
	agent_stop();
	return ok;
}

/* Read the next frame that is not an echo into @msg; its type or -1. */
static int recv_reply(int fd, char *msg, size_t size)
{
	struct mk_frame f;

	do {
		if (mk_frame_recv_hdr(fd, &f) || f.len >= size ||
		    mk_read_full(fd, msg, f.len))
			return -1;
	} while (f.type == MK_AGENT_ECHO);
	msg[f.len] = '\0';
	return f.type;
}

/*
 * Send @len raw bytes, then read until EOF; the type of the first frame
 * that is not an echo, -1 if there is none, -2 if the agent did not hang
 * up after it.
 */
static int raw_exchange(const void *bytes, size_t len, char *msg,
			size_t size)
{
	int fd = dial(), type = -1, err;
	char c;

	if (fd < 0)
		return -1;
	/* An agent that refuses at once may have hung up before we send */
	mk_write_full(fd, bytes, len);
	type = recv_reply(fd, msg, size);
	err = type >= 0 ? mk_read_full(fd, &c, 1) : -ENODATA;
	/* unread bytes make the agent's close a reset */
	if (err != -ENODATA && err != -ECONNRESET)
		type = -2;
	close(fd);
	return type;
}

static bool garbage_closes(const char *what, const void *bytes, size_t len,
			   const char *want)
{
	char msg[256] = "";
	int type = raw_exchange(bytes, len, msg, sizeof(msg));

	return expect_int(what, type, MK_AGENT_ERROR) &&
	       expect_str(what, msg, want);
}

static bool agent_survives_garbage(void)
{
	static const uint8_t bad_ver[] = { 2, 9, 0, 0, 0, 0, 0, 0 };
	static const uint8_t huge[] = { 2, 1, 0, 0, 1, 0, 1, 0 };
	static const uint8_t no_nul[] = { 1, 1, 0, 0, 2, 0, 0, 0, 'l', 's' };
	static const uint8_t reply[] = { 3, 1, 0, 0, 0, 0, 0, 0 };
	static const uint8_t after[] = { 2, 1, 0, 0, 1, 0, 0, 0, 'x',
					 1, 1, 0, 0, 2, 0, 0, 0, 'l', 0 };
	struct run r;
	int idle;
	bool ok;

	if (!web_with_agent())
		return false;
	idle = dial();	/* keeps a half-sent frame open meanwhile */
	ok = expect_int("idle connection", idle >= 0 &&
			write(idle, "\x02\x01", 2) == 2, 1);
	ok &= garbage_closes("text", "GET / HTTP/1.0\r\n\r\n", 18,
			     "bad frame header");
	ok &= garbage_closes("version", bad_ver, 8, "bad frame header");
	ok &= garbage_closes("size", huge, 8, "frame too large");
	ok &= garbage_closes("argv", no_nul, 10, "malformed EXEC arguments");
	ok &= garbage_closes("type", reply, 8,
			     "the first frame must be EXEC or ECHO");
	ok &= garbage_closes("exec after echo", after, sizeof(after),
			     "only ECHO frames may follow ECHO");
	ok &= !run_mkctl(&r, "exec", "web", "echo", "still", "here", NULL) &&
	      expect_run(&r, 0, "still here\n", "");
	ok &= !run_mkctl(&r, "ping", "web", "-c", "3", "-i", "0", "--json",
			 NULL) && expect_int("ping status", r.status, 0);
	if (idle >= 0)
		close(idle);
	agent_stop();
	return ok;
}

/* Run mk-agent --daemon; its exit status, or -1. */
static int run_daemon(void)
{
	int ws;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		execl(agent_path, agent_path, "--daemon", "--unix",
		      fake_path(SOCK), (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws))
		return -1;
	return WEXITSTATUS(ws);
}

static bool agent_daemon(void)
{
	struct run r;
	long pid = 0;
	int fd;
	bool ok;

	ok = !fake_instance("web", "1", "running", "2", "256M", "/k", "") &&
	     expect_int("mk-agent --daemon", run_daemon(), 0);
	fd = dial();	/* at once: it listens by the time it returns */
	ok &= expect_int("connect after --daemon", fd >= 0, 1);
	if (fd >= 0)
		close(fd);
	/* The listener is the parent of the process serving this exec. */
	setenv("MKCTL_AGENT_SOCKET", fake_path(SOCK), 1);
	ok &= !run_mkctl(&r, "exec", "web", "sh", "-c",
			 "cut -d' ' -f4 /proc/$PPID/stat", NULL) &&
	      expect_int("exec status", r.status, 0);
	pid = atol(r.out);
	/* It left the directory it started in and the terminal */
	ok &= !run_mkctl(&r, "exec", "web", "sh", "-c",
			 "cd /proc/$PPID && readlink cwd fd/0 fd/1 fd/2", NULL) &&
	      expect_run(&r, 0, "/\n/dev/null\n/dev/null\n/dev/null\n", "");
	unsetenv("MKCTL_AGENT_SOCKET");
	return expect_int("daemon pid found", pid > 1, 1) &&
	       expect_int("daemon stopped", !kill(pid, SIGTERM) &&
			  pid_gone(pid), 1) && ok;
}

/* Check the lines of a text ping of @n round trips. */
static bool ping_lines(const char *out, int n)
{
	unsigned long long us, min, med, p99;
	const char *p = out;
	char want[64];
	bool ok = true;
	int i;

	for (i = 1; i <= n && ok; i++) {
		snprintf(want, sizeof(want), "8 bytes from web: seq=%d time=",
			 i);
		ok = expect_int(want, strncmp(p, want, strlen(want)), 0) &&
		     expect_int("time", sscanf(p + strlen(want), "%llu us\n",
					       &us), 1);
		p = strchr(p, '\n') + 1;
	}
	ok = ok && expect_int("summary",
			      sscanf(p, PING_SUMMARY, &i, &min, &med, &p99), 4);
	return ok && expect_int("round trips", i, n) &&
	       expect_int("min <= median <= p99", min <= med && med <= p99,
			  1);
}

static bool ping_counts(void)
{
	unsigned long long min, med, p99;
	struct run r;
	int count;
	bool ok;

	if (!web_with_agent())
		return false;
	ok = !run_mkctl(&r, "ping", "web", "-c", "5", "-i", "0", NULL) &&
	     expect_run(&r, 0, NULL, "") && ping_lines(r.out, 5);
	ok &= !run_mkctl(&r, "ping", "--json", "web", "--count=3",
			 "--interval=1", NULL) &&
	      expect_run(&r, 0, NULL, "") &&
	      expect_int("json", sscanf(r.out, PING_JSON, &count, &min,
					&med, &p99), 4) &&
	      expect_int("count", count, 3) && same_keys("ping", r.out);
	ok &= !run_mkctl(&r, "ping", "web", "-c", "0", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: ping: -c \"0\": not a number from 1 to 1000000\n"
			 PING_USAGE);
	ok &= !run_mkctl(&r, "ping", "web", "-i", "-1", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: ping: -i \"-1\": not a number from 0 to 60000\n"
			 PING_USAGE);
	agent_stop();
	return ok;
}

static bool rtt_summary(void)
{
	unsigned long long five[] = { 50, 10, 40, 20, 30 };
	unsigned long long one[] = { 7 };
	unsigned long long hundred[100];
	struct mk_rtt s;
	bool ok;
	int i;

	mk_rtt_summary(five, 5, &s);
	ok = expect_int("count", s.count, 5) && expect_int("min", s.min, 10) &&
	     expect_int("median", s.median, 30) && expect_int("p99", s.p99, 50);
	mk_rtt_summary(one, 1, &s);
	ok &= expect_int("min", s.min, 7) && expect_int("median", s.median, 7) &&
	      expect_int("p99", s.p99, 7);
	for (i = 0; i < 100; i++)
		hundred[i] = 100 - i;
	mk_rtt_summary(hundred, 100, &s);
	ok &= expect_int("min", s.min, 1) &&
	      expect_int("median", s.median, 50) &&
	      expect_int("p99", s.p99, 99);
	return ok;
}

static bool peer_rules(void)
{
	static const struct {
		unsigned int cid, port;
		bool allowed;
	} peers[] = {
		{ 2, 1023, true }, { 2, 512, true }, { 2, 0, true },
		{ 2, 1024, false }, { 2, 49152, false }, { 2, 0xffffffff, false },
		{ 1001, 1023, false }, { 1002, 5000, false }, { 1, 1023, false },
		{ 3, 100, false }, { 0xffffffff, 1, false },
	};
	char msg[160], what[64];
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(peers); i++) {
		snprintf(what, sizeof(what), "peer CID %u port %u",
			 peers[i].cid, peers[i].port);
		ok &= expect_int(what, mk_agent_peer_allowed(peers[i].cid,
							     peers[i].port),
				 peers[i].allowed);
	}
	ok &= expect_int("uid 0", mk_agent_uid_allowed(0, 1000), 1) &&
	      expect_int("own uid", mk_agent_uid_allowed(1000, 1000), 1) &&
	      expect_int("other uid", mk_agent_uid_allowed(1001, 1000), 0) &&
	      expect_int("nobody", mk_agent_uid_allowed(65534, 0), 0);
	mk_agent_peer_refusal(msg, sizeof(msg), 1001, 1023);
	return expect_str("refusal", msg,
			  "connections are accepted from root on the host only (peer CID 1001 port 1023)") &&
	       ok;
}

/* A fake bind() for mk_agent_bind_reserved(): the result for each port. */
static int busy_above;		/* ports above are in use */
static int bind_err;		/* the error for the others, or 0 */
static unsigned int ports_tried;

static int fake_bind(int fd, unsigned int port)
{
	(void)fd;
	ports_tried++;
	if ((int)port > busy_above)
		return -EADDRINUSE;
	return bind_err;
}

static bool reserved_port(void)
{
	bool ok;

	busy_above = 1023;
	bind_err = 0;
	ports_tried = 0;
	ok = expect_int("free: 1023", mk_agent_bind_reserved(-1, fake_bind),
			1023) && expect_int("tries", ports_tried, 1);
	busy_above = 1000;
	ports_tried = 0;
	ok &= expect_int("busy to 1001", mk_agent_bind_reserved(-1, fake_bind),
			 1000) && expect_int("tries", ports_tried, 24);
	busy_above = 1023;
	bind_err = -EACCES;
	ports_tried = 0;
	ok &= expect_int("unprivileged", mk_agent_bind_reserved(-1, fake_bind),
			 -EACCES) && expect_int("tries", ports_tried, 1);
	busy_above = 0;
	ports_tried = 0;
	ok &= expect_int("all in use", mk_agent_bind_reserved(-1, fake_bind),
			 -EADDRINUSE) &&
	      expect_int("tries", ports_tried,
			 MK_RESV_PORT_HIGH - MK_RESV_PORT_LOW + 1);
	return ok;
}

#define REFUSED(cid, port) \
	"the agent refused: connections are accepted from root on the host only (peer CID " \
	#cid " port " #port ")\n"

#define LOGGED(cid, port) \
	"mk-agent: refused a connection: connections are accepted from root on the host only (peer CID " \
	#cid " port " #port ")\n"

static bool peer_refused(void)
{
	static const char *const other_cid[] = { "--unix-peer", "1002:1023",
						 NULL };
	static const char *const high_port[] = { "--unix-peer", "2:1024",
						 NULL };
	static const char *const host_root[] = { "--unix-peer", "2:1023",
						 NULL };
	struct run r;
	bool ok;

	ok = !fake_instance("web", "1", "running", "2", "256M", "/k", "") &&
	     agent_start_opts(other_cid);
	ok = ok && !run_mkctl(&r, "exec", "web", "id", NULL) &&
	     expect_run(&r, 255, "", "mkctl: exec web: " REFUSED(1002, 1023));
	agent_stop();
	/* One line for each: agent_start()'s connection, then mkctl's */
	ok = ok && expect_str("agent log", fake_read(AGENT_LOG),
			      LOGGED(1002, 1023) LOGGED(1002, 1023));
	ok = ok && agent_start_opts(high_port);
	ok = ok && !run_mkctl(&r, "exec", "web", "id", NULL) &&
	     expect_run(&r, 255, "", "mkctl: exec web: " REFUSED(2, 1024));
	ok = ok && !run_mkctl(&r, "ping", "web", "-c", "1", NULL) &&
	     expect_run(&r, 1, "", "mkctl: ping web: " REFUSED(2, 1024));
	agent_stop();
	ok = ok && agent_start_opts(host_root);
	ok = ok && !run_mkctl(&r, "exec", "web", "echo", "hi", NULL) &&
	     expect_run(&r, 0, "hi\n", "");
	agent_stop();
	return ok;
}

/* As root: a peer of another uid is refused on the unix socket. */
static bool unix_uid_refused(void)
{
	char msg[256] = "";
	int type = -1, ws;
	pid_t pid;
	bool ok;

	if (geteuid()) {
		printf("# not root: only the rule is checked (peer rules)\n");
		return true;
	}
	ok = !fake_instance("web", "1", "running", "2", "256M", "/k", "") &&
	     agent_start();
	/* let nobody reach the socket */
	ok = ok && !chmod(fake_path(""), 0755) &&
	     !chmod(fake_path(SOCK), 0777);
	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100);
		type = raw_exchange("\x02\x01\0\0\0\0\0\0", 8, msg,
				    sizeof(msg));
		_exit(type == MK_AGENT_ERROR &&
		      !strcmp(msg, "connections are accepted from root only (peer uid 65534)") ?
		      0 : 1);
	}
	ok = ok && expect_int("nobody refused", waitpid(pid, &ws, 0) == pid &&
			      WIFEXITED(ws) ? WEXITSTATUS(ws) : -1, 0);
	agent_stop();
	return ok;
}

/*
 * Hold @n connections to the agent, each served: it echoed a ping.  The
 * connections tests make to see the agent listen may still hold a place
 * for a moment: the agent refuses one then, and it is tried again.
 */
static bool hold(int *fds, int n)
{
	static const uint8_t ping[] = { 2, 1, 0, 0, 0, 0, 0, 0 };
	struct mk_frame f;
	int i, tries = 0;

	for (i = 0; i < n && tries < 200; tries++) {
		fds[i] = dial();
		if (fds[i] >= 0 && !mk_write_full(fds[i], ping, sizeof(ping)) &&
		    !mk_frame_recv_hdr(fds[i], &f) && f.type == MK_AGENT_ECHO) {
			i++;
			continue;
		}
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
		sleep_ms(10);
	}
	return expect_int("connections held", i, n);
}

static void release(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static bool session_cap(void)
{
	const char *full = "too many sessions (16 at most); try again later";
	int fds[MK_AGENT_MAX_SESSIONS], i;
	char msg[256] = "";
	struct run r;
	bool ok;

	for (i = 0; i < MK_AGENT_MAX_SESSIONS; i++)
		fds[i] = -1;
	if (!web_with_agent())
		return false;
	ok = hold(fds, MK_AGENT_MAX_SESSIONS);
	ok &= expect_int("17th refused",
			 raw_exchange("\x02\x01\0\0\0\0\0\0", 8, msg,
				      sizeof(msg)), MK_AGENT_ERROR) &&
	      expect_str("17th refused", msg, full);
	ok &= !run_mkctl(&r, "exec", "web", "true", NULL) &&
	      expect_run(&r, 255, "", NULL) &&
	      expect_str("stderr", r.err,
			 "mkctl: exec web: the agent refused: too many sessions (16 at most); try again later\n");
	/* Once one ends, its place is free again. */
	close(fds[0]);
	fds[0] = -1;
	for (i = 0; i < 200; i++) {
		if (!run_mkctl(&r, "exec", "web", "true", NULL) && !r.status)
			break;
		sleep_ms(10);
	}
	ok &= expect_run(&r, 0, "", "");
	release(fds, MK_AGENT_MAX_SESSIONS);
	agent_stop();
	return ok;
}

static bool session_cap_option(void)
{
	static const char *const opts[] = { "--max-sessions", "2", NULL };
	int fds[2] = { -1, -1 };
	char msg[256] = "";
	bool ok;

	ok = !fake_instance("web", "1", "running", "2", "256M", "/k", "") &&
	     agent_start_opts(opts) && hold(fds, 2);
	ok = ok && expect_int("3rd refused",
			      raw_exchange("\x02\x01\0\0\0\0\0\0", 8, msg,
					   sizeof(msg)), MK_AGENT_ERROR) &&
	     expect_str("3rd refused", msg,
			"too many sessions (2 at most); try again later");
	release(fds, 2);
	agent_stop();
	return ok;
}

/* Connect, send @len bytes, and read the ERROR that should follow. */
static bool times_out(const char *what, const void *bytes, size_t len,
		      const char *want)
{
	unsigned long long t0 = mk_now_ms(), ms;
	char msg[256] = "";
	int type;

	type = raw_exchange(bytes, len, msg, sizeof(msg));
	ms = mk_now_ms() - t0;
	return expect_int(what, type, MK_AGENT_ERROR) &&
	       expect_str(what, msg, want) &&
	       expect_int("after about 1 s", ms >= 900 && ms < 5000, 1);
}

static bool agent_timeouts(void)
{
	static const char *const opts[] = { "--first-timeout", "1",
					    "--idle-timeout", "1", NULL };
	static const uint8_t ping[] = { 2, 1, 0, 0, 1, 0, 0, 0, 'x' };
	const char *late = "no request within 1 s; closing";
	struct run r;
	bool ok;

	ok = !fake_instance("web", "1", "running", "2", "256M", "/k", "") &&
	     agent_start_opts(opts);
	ok = ok && times_out("nothing sent", "", 0, late);
	ok = ok && times_out("half a header", "\x02\x01", 2, late);
	ok = ok && times_out("no payload", "\x02\x01\0\0\x04\0\0\0", 8, late);
	ok = ok && times_out("one ping, then silence", ping, sizeof(ping),
			     "no ECHO frame for 1 s; closing");
	/* No limit while a command runs, even a silent one. */
	ok = ok && !run_mkctl(&r, "exec", "web", "sleep", "2", NULL) &&
	     expect_run(&r, 0, "", "");
	agent_stop();
	return ok;
}

/*
 * A fake agent on the fake tree's socket: echoes the first @echoes ECHO
 * frames of its one connection, then reads and answers nothing more; or,
 * if @reply, answers the first frame with these @len bytes and closes.
 */
static pid_t fake_agent(int echoes, const void *reply, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0), fd, i;
	uint8_t buf[MK_AGENT_PAYLOAD_MAX];
	struct mk_frame f;
	pid_t pid;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fake_path(SOCK));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(lfd, 1))
		return -1;
	setenv("MKCTL_AGENT_SOCKET", fake_path(SOCK), 1);
	fflush(stdout);
	pid = fork();
	if (pid) {
		close(lfd);
		return pid;
	}
	fd = accept(lfd, NULL, NULL);
	for (i = 0; fd >= 0; i++) {
		if (mk_frame_recv_hdr(fd, &f) || mk_read_full(fd, buf, f.len))
			break;
		if (reply) {
			mk_write_full(fd, reply, len);
			break;
		}
		if (i < echoes)
			mk_frame_send(fd, f.type, buf, f.len);
		else
			pause();
	}
	_exit(0);
}

static void fake_agent_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	unsetenv("MKCTL_AGENT_SOCKET");
	fake_unlink(SOCK);
}

/* Whether the summary ends file @rel, however long it is. */
static bool ends_in_summary(const char *rel)
{
	unsigned long long min, med, p99;
	char buf[512];
	int fd, count;
	ssize_t n;
	char *p;

	fd = open(fake_path(rel), O_RDONLY);
	if (fd < 0)
		return false;
	lseek(fd, -(off_t)(sizeof(buf) - 1), SEEK_END);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	p = strstr(buf, "--- web agent ping ---");
	return expect_int("summary at the end", p &&
			  sscanf(p, PING_SUMMARY, &count, &min, &med, &p99) == 4,
			  1);
}

/*
 * ping, interrupted by SIGINT once stdout holds @seen: it prints @n
 * lines and the summary (any number of lines if @n < 0).
 */
static bool ping_interrupted(const char *what, const char *seen, int n,
			     const char *count, const char *gap)
{
	struct run r;
	pid_t pid;
	bool ok;

	pid = start_mkctl(NULL, "ping", "web", "-c", count, "-i", gap, NULL);
	ok = wait_file_has("stdout", seen, 10000);
	ok &= !finish_mkctl(&r, pid, SIGINT);
	ok = ok && expect_run(&r, 0, NULL, "");
	if (n < 0)
		ok = ok && ends_in_summary("stdout");
	else
		ok = ok && ping_lines(r.out, n);
	if (!ok)
		printf("# ... when interrupted %s\n", what);
	return ok;
}

static bool ping_ctrl_c(void)
{
	pid_t pid;
	bool ok;

	if (fake_instance("web", "1", "running", "2", "256M", "/k", ""))
		return false;
	/* The 4th echo never comes: SIGINT lands while mkctl waits for it. */
	pid = fake_agent(3, NULL, 0);
	ok = expect_int("fake agent", pid > 0, 1) &&
	     ping_interrupted("waiting for an echo", "seq=3 ", 3, "100", "0");
	fake_agent_stop(pid);
	/* Between two pings, and against the real agent at full speed. */
	ok &= agent_start() &&
	      ping_interrupted("between pings", "seq=1 ", 1, "100", "60000");
	ok &= ping_interrupted("at full speed", "seq=50 ", -1, "1000000", "0");
	agent_stop();
	return ok;
}

static bool exec_fails_255(void)
{
	static const uint8_t bad_exit[] = { 5, 1, 0, 0, 3, 0, 0, 0, 1, 2, 3 };
	static const uint8_t half[] = { 3, 1, 0, 0, 9, 0, 0, 0, 'o' };
	struct run r;
	pid_t pid;
	bool ok;

	if (fake_instance("web", "1", "running", "2", "256M", "/k", ""))
		return false;
	pid = fake_agent(0, bad_exit, sizeof(bad_exit));
	ok = !run_mkctl(&r, "exec", "web", "true", NULL) &&
	     expect_run(&r, 255, "",
			"mkctl: exec web: the agent broke the protocol (frame type 5)\n");
	fake_agent_stop(pid);
	pid = fake_agent(0, half, sizeof(half));
	ok &= !run_mkctl(&r, "exec", "web", "true", NULL) &&
	      expect_run(&r, 255, "",
			 "mkctl: exec web: the agent closed the connection before the command ended\n");
	fake_agent_stop(pid);
	/* The command's own 255 is passed on; it cannot be told apart. */
	ok &= agent_start() &&
	      !run_mkctl(&r, "exec", "web", "sh", "-c", "exit 255", NULL) &&
	      expect_run(&r, 255, "", "");
	agent_stop();
	return ok;
}

const struct test_case agent_tests[] = {
	{ "rtt summary: min, nearest-rank median and p99", rtt_summary },
	{ "exec: exit codes, signals, missing command", exec_status },
	{ "exec: stdout and stderr apart, clean env, args", exec_streams },
	{ "exec: 16 MiB of stdout and 1 MiB of stderr intact",
	  exec_large_output },
	{ "exec: not running, no instance, no agent", exec_refused },
	{ "exec: usage errors", exec_usage },
	{ "exec --timeout kills the command", exec_timeout },
	{ "exec: a background process with its output redirected stays",
	  exec_background },
	{ "agent: garbage ends only its connection", agent_survives_garbage },
	{ "ping: N samples, text and JSON with mkctl.rst's keys", ping_counts },
	{ "agent --daemon returns once it listens, in / without a tty",
	  agent_daemon },
	{ "agent: only the host CID and a port below 1024 may connect",
	  peer_rules },
	{ "mkctl binds the highest free port below 1024, or says why not",
	  reserved_port },
	{ "agent: another CID or an unreserved port gets an ERROR, exit 255",
	  peer_refused },
	{ "agent: a unix peer of another uid is refused", unix_uid_refused },
	{ "agent: the 17th session is refused while 16 are open",
	  session_cap },
	{ "agent --max-sessions", session_cap_option },
	{ "agent: no first frame or no ECHO in time gets an ERROR",
	  agent_timeouts },
	{ "ping: Ctrl-C prints the summary, whenever it comes", ping_ctrl_c },
	{ "exec: mkctl's own failures exit 255", exec_fails_255 },
};

const size_t nr_agent_tests = ARRAY_SIZE(agent_tests);
