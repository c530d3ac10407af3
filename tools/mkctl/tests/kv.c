// SPDX-License-Identifier: GPL-2.0
/*
 * mk-kv cases: the service on a unix socket in the fake tree, with a fake
 * spawn sysfs directory (self/) whose handover file is a plain file, and a
 * plain file as its region: the line protocol, what a restart keeps, and
 * how SIGUSR1 (the handover) and SIGTERM end it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mkctl.h"
#include "harness.h"

#define KV_SOCK		"kv.sock"
#define KV_REGION	"kv.region"
#define KV_REGION_SIZE	(2 << 20)
#define KV_LOG		"kv.log"	/* mk-kv's stderr */

static const char *kv_path = "./mk-kv";

static pid_t kv_pid;

static int kv_dial(void)
{
	return fake_dial(KV_SOCK);
}

/*
 * A fake spawn directory whose handover file says @handover (NULL: no
 * file), and an empty region file unless there is one.
 */
static bool kv_tree(const char *handover)
{
	int fd;

	if (mkdir(fake_path("self"), 0755) && errno != EEXIST)
		return false;
	if (handover && fake_write("self/handover", handover))
		return false;
	fd = open(fake_path(KV_REGION), O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		return false;
	if (ftruncate(fd, KV_REGION_SIZE)) {
		close(fd);
		return false;
	}
	return !close(fd);
}

/* Send @sig to mk-kv and wait for it: its exit status, or -1. */
static int kv_end(int sig)
{
	int status;

	if (kv_pid <= 0)
		return -1;
	kill(kv_pid, sig);
	if (waitpid(kv_pid, &status, 0) != kv_pid)
		return -1;
	kv_pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Start mk-kv on the fake tree and wait until it listens. */
static bool kv_start(void)
{
	const char *sock = fake_path(KV_SOCK);
	char listen[4200];
	int i, fd;

	unlink(sock);
	snprintf(listen, sizeof(listen), "unix:%s", sock);
	fflush(stdout);
	kv_pid = fork();
	if (!kv_pid) {
		fd = open(fake_path(KV_LOG), O_WRONLY | O_CREAT | O_APPEND,
			  0644);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(126);
		execl(kv_path, kv_path, "--listen", listen, "--self",
		      fake_path("self"), "--region", fake_path(KV_REGION),
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && kv_pid > 0; i++) {
		fd = kv_dial();
		if (fd >= 0) {
			close(fd);
			return true;
		}
		sleep_ms(10);
	}
	printf("# mk-kv (%s) does not listen\n", kv_path);
	kv_end(SIGKILL);
	return false;
}

/* Send @req on @fd and read until @want_len bytes came or the peer ends. */
static const char *kv_ask(int fd, const char *req, size_t want_len)
{
	static char buf[1024];
	size_t got = 0;
	ssize_t n;

	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
		return "(write failed)";
	while (got < want_len && got < sizeof(buf) - 1) {
		n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	return buf;
}

static bool kv_expect(int fd, const char *req, const char *want)
{
	return expect_str(req, kv_ask(fd, req, strlen(want)), want);
}

/* The first line of the handover file. */
static const char *handover_word(void)
{
	static char word[32];
	const char *text = fake_read("self/handover");

	snprintf(word, sizeof(word), "%s", text ? text : "(none)");
	word[strcspn(word, "\n")] = '\0';
	return word;
}

static bool kv_protocol(void)
{
	bool ok;
	int fd;

	if (!kv_tree(NULL) || !kv_start())
		return false;
	fd = kv_dial();
	ok = fd >= 0 &&
	     kv_expect(fd, "SET a 1\nGET a\nGET b\nCOUNT\n",
		       "OK\nVALUE 1\nNONE\nCOUNT 1\n") &&
	     kv_expect(fd, "SET a\n", "ERR usage: SET key value\n") &&
	     kv_expect(fd, "PUT a 1\n", "ERR unknown command\n");
	if (fd >= 0)
		close(fd);
	return expect_int("exit after SIGTERM", kv_end(SIGTERM), 0) && ok;
}

static bool kv_restart_keeps(void)
{
	bool ok;
	int fd;

	if (!kv_tree(NULL) || !kv_start())
		return false;
	fd = kv_dial();
	ok = fd >= 0 && kv_expect(fd, "SET kept yes\n", "OK\n");
	if (fd >= 0)
		close(fd);
	ok = expect_int("exit", kv_end(SIGTERM), 0) && ok && kv_start();
	fd = ok ? kv_dial() : -1;
	ok = ok && fd >= 0 && kv_expect(fd, "GET kept\n", "VALUE yes\n");
	if (fd >= 0)
		close(fd);
	return expect_int("exit again", kv_end(SIGTERM), 0) && ok;
}

static bool kv_handover(void)
{
	char c;
	bool ok;
	int fd;

	if (!kv_tree("requested\n") || !kv_start())
		return false;
	fd = kv_dial();
	ok = fd >= 0 && kv_expect(fd, "SET k v\n", "OK\n") &&
	     expect_str("before", handover_word(), "requested");
	ok = expect_int("exit after SIGUSR1", kv_end(SIGUSR1), 0) && ok &&
	     expect_str("after", handover_word(), "done") &&
	     expect_int("connection ended", read(fd, &c, 1) <= 0, 1);
	if (fd >= 0)
		close(fd);
	return ok;
}

static bool kv_term_no_handover(void)
{
	bool ok;

	if (!kv_tree("none\n") || !kv_start())
		return false;
	ok = expect_int("exit after SIGTERM", kv_end(SIGTERM), 0);
	return expect_str("handover file", handover_word(), "none") && ok;
}

const struct test_case kv_tests[] = {
	{ "mk-kv: SET, GET, COUNT and errors, one answer per line",
	  kv_protocol },
	{ "mk-kv: an acknowledged SET is in the region after a restart",
	  kv_restart_keeps },
	{ "mk-kv: SIGUSR1 stops it and writes \"done\" to the handover file",
	  kv_handover },
	{ "mk-kv: SIGTERM stops it without a handover", kv_term_no_handover },
};

const size_t nr_kv_tests = ARRAY_SIZE(kv_tests);
