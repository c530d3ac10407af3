// SPDX-License-Identifier: GPL-2.0
/*
 * Command cases for log and console against the fake tree: the console
 * file is a plain file, console_in one that collects what mkctl sends.
 */
#include <signal.h>
#include <string.h>

#include "mkctl.h"
#include "harness.h"

#define CONSOLE		"sys/instances/web/console"
#define CONSOLE_IN	"sys/instances/web/console_in"
#define STATE		"config/instances/web/state"
#define ATTACHED	"[attached to web; Ctrl-] detaches]\n"
#define DETACHED	"\r\n[detached]\r\n"
#define WAIT_MS		10000	/* for output, on a loaded machine */

static bool web(const char *state, const char *output)
{
	return !fake_instance("web", "1", state, "2-3", "256M",
			      "/boot/bzImage", "") &&
	       !fake_console("web", output);
}

static bool log_options(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "log", NULL) &&
	     expect_run(&r, 2, "",
			"mkctl: log: missing instance name\n"
			"usage: mkctl log NAME [-f]\n");
	ok &= !run_mkctl(&r, "log", "web", "-x", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: log: invalid option \"-x\"\n"
			 "usage: mkctl log NAME [-f]\n");
	ok &= !run_mkctl(&r, "console", "web", "-f", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: console: invalid option \"-f\"\n"
			 "usage: mkctl console NAME\n");
	ok &= !run_mkctl(&r, "console", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: console: missing instance name\n"
			 "usage: mkctl console NAME\n");
	return ok;
}

static bool log_prints(void)
{
	struct run r;

	return web("crashed", "Linux version 6.12\nmk-ready name=web\n") &&
	       !run_mkctl(&r, "log", "web", NULL) &&
	       expect_run(&r, 0, "Linux version 6.12\nmk-ready name=web\n",
			  "");
}

static bool log_empty_and_missing(void)
{
	struct run r;
	bool ok;

	ok = web("stopped", "") && !run_mkctl(&r, "log", "web", NULL) &&
	     expect_run(&r, 0, "", "");
	ok &= !run_mkctl(&r, "log", "db", NULL) &&
	      expect_run(&r, 1, "", "mkctl: log db: no instance named db\n");
	ok &= !run_mkctl(&r, "log", "../web", NULL) &&
	      expect_run(&r, 1, "",
			 "mkctl: log ../web: invalid name: must match [a-z0-9][a-z0-9_-]{0,31}\n");
	return ok;
}

static bool log_follows(void)
{
	struct run r;
	pid_t pid;
	bool ok;

	if (!web("running", "one\n"))
		return false;
	/*
	 * mkctl catches SIGINT before it prints anything: once the output
	 * is there, SIGINT ends it cleanly.
	 */
	pid = start_mkctl(NULL, "log", "web", "-f", NULL);
	ok = wait_file("stdout", "one\n", WAIT_MS);
	fake_append(CONSOLE, "two\n");
	ok = ok && wait_file("stdout", "one\ntwo\n", WAIT_MS);
	return !finish_mkctl(&r, pid, SIGINT) &&
	       expect_run(&r, 0, "one\ntwo\n", "") && ok;
}

static bool log_follows_new_boot(void)
{
	struct run r;
	pid_t pid;
	bool ok;

	if (!web("stopped", "old boot\n"))
		return false;
	pid = start_mkctl(NULL, "log", "web", "--follow", NULL);
	ok = wait_file("stdout", "old boot\n", WAIT_MS);
	/* The instance starts again: its output starts over. */
	fake_write(CONSOLE, "new\n");
	fake_write(STATE, "starting\n");
	ok = ok && wait_file("stdout", "old boot\nnew\n", WAIT_MS);
	return !finish_mkctl(&r, pid, SIGINT) &&
	       expect_run(&r, 0, "old boot\nnew\n", "") && ok;
}

static bool console_detaches(void)
{
	struct run r;

	return web("running", "booted\n/ # ") &&
	       !run_mkctl_input(&r, "ls\n\x1dnot sent", "console", "web",
				NULL) &&
	       expect_run(&r, 0, "booted\n/ # ", ATTACHED DETACHED) &&
	       expect_str("console_in", fake_read(CONSOLE_IN), "ls\n");
}

static bool console_context(void)
{
	char output[3100], want[2100];
	struct run r;
	int i;

	/* 100 lines of 31 bytes; the last 2048 bytes start mid-line. */
	output[0] = '\0';
	for (i = 0; i < 100; i++)
		snprintf(output + strlen(output), sizeof(output) - strlen(output),
			 "line %03d of the earlier output\n", i);
	/* 66 lines are 2046 bytes: those are shown, from line 034. */
	snprintf(want, sizeof(want), "%s", strstr(output, "line 034"));
	return web("starting", output) &&
	       !run_mkctl_input(&r, "\x1d", "console", "web", NULL) &&
	       expect_run(&r, 0, want, ATTACHED DETACHED) &&
	       expect_str("console_in", fake_read(CONSOLE_IN), "");
}

static bool console_end_of_input(void)
{
	struct run r;

	return web("running", "") &&
	       !run_mkctl_input(&r, "echo hi\n", "console", "web", NULL) &&
	       expect_run(&r, 0, "", ATTACHED DETACHED) &&
	       expect_str("console_in", fake_read(CONSOLE_IN), "echo hi\n");
}

static bool console_not_running(void)
{
	struct run r;
	bool ok;

	ok = web("stopped", "earlier\n") &&
	     !run_mkctl_input(&r, "ls\n", "console", "web", NULL) &&
	     expect_run(&r, 1, "",
			"mkctl: console web: instance web is not running (state stopped)\n");
	ok &= !run_mkctl(&r, "console", "db", NULL) &&
	      expect_run(&r, 1, "", "mkctl: console db: no instance named db\n");
	return ok && expect_str("console_in", fake_read(CONSOLE_IN), "");
}

const struct test_case console_tests[] = {
	{ "log, console: usage errors", log_options },
	{ "log prints the console file", log_prints },
	{ "log: empty console, missing instance, bad name",
	  log_empty_and_missing },
	{ "log -f: prints what arrives until SIGINT", log_follows },
	{ "log -f: a new boot starts over", log_follows_new_boot },
	{ "console: input sent, Ctrl-] detaches", console_detaches },
	{ "console: the last 2 KiB from a line start", console_context },
	{ "console: end of stdin detaches", console_end_of_input },
	{ "console: refused unless started", console_not_running },
};

const size_t nr_console_tests = ARRAY_SIZE(console_tests);
