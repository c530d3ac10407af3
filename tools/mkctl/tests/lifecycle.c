// SPDX-License-Identifier: GPL-2.0
/*
 * Command cases for start, spawn, stop and restart: their options, and
 * what they write to the fake tree's state file.
 *
 * The state file is a plain file: mkctl's write of a word ("start",
 * "stop", "kill") goes over its start, without truncating it, as writes
 * to attributes do.  Cases check that the file starts with the word, or
 * begin with an empty state ("\n") when mkctl does not read it first, so
 * that it reads back as just the word.  The cases that need the kernel's
 * answer write it themselves while mkctl waits.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "mkctl.h"
#include "harness.h"

#define START_USAGE	"usage: mkctl start NAME [--wait] [--timeout S]\n"
#define STOP_USAGE	"usage: mkctl stop NAME [--force] [--timeout S]\n"
#define RESTART_USAGE	"usage: mkctl restart NAME [--wait] [--timeout S]\n"
#define CREATE_USAGE \
	"usage: mkctl create NAME (--cpus LIST | --cpu-count N) --memory SIZE\n" \
	"                    --kernel PATH [--initrd PATH] [--cmdline STR]\n"
#define SPAWN_USAGE \
	"usage: mkctl spawn NAME (--cpus LIST | --cpu-count N) --memory SIZE\n" \
	"                   --kernel PATH [--initrd PATH] [--cmdline STR]\n" \
	"                   [--wait] [--timeout S]\n"
#define BAD_TIMEOUT	"not a number of seconds from 0 to 86400\n"
#define STATE		"config/instances/web/state"

static bool web(const char *state)
{
	return !fake_instance("web", "1", state, "2-3", "256M",
			      "/boot/bzImage", "");
}

/* Check that a file of the fake tree starts with @word. */
static bool starts(const char *rel, const char *word)
{
	char head[64];

	snprintf(head, sizeof(head), "%.*s", (int)strlen(word),
		 fake_read(rel));
	return expect_str(rel, head, word);
}

/* Wait up to 5 s for a file of the fake tree to start with @word. */
static bool wait_for(const char *rel, const char *word)
{
	int i;

	for (i = 0; i < 500 && strncmp(fake_read(rel), word, strlen(word));
	     i++)
		sleep_ms(10);
	return starts(rel, word);
}

static bool start_options(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "start", NULL) &&
	     expect_run(&r, 2, "",
			"mkctl: start: missing instance name\n" START_USAGE);
	ok &= !run_mkctl(&r, "start", "web", "--timeout", "5", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: start: --timeout needs --wait\n" START_USAGE);
	ok &= !run_mkctl(&r, "start", "web", "--wait", "--timeout", "1.5",
			 NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: start: --timeout \"1.5\": " BAD_TIMEOUT
			 START_USAGE);
	ok &= !run_mkctl(&r, "start", "web", "--wait", "--timeout", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: start: option --timeout needs a value\n"
			 START_USAGE);
	ok &= !run_mkctl(&r, "start", "web", "--force", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: start: invalid option \"--force\"\n"
			 START_USAGE);
	ok &= !run_mkctl(&r, "start", "web", "db", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: start: unexpected argument \"db\"\n"
			 START_USAGE);
	return ok && expect_int("nothing made",
			       fake_exists("config/instances/web"), false);
}

static bool spawn_options(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "spawn", "web", "--cpus", "2", "--memory", "64M",
			NULL) &&
	     expect_run(&r, 2, "",
			"mkctl: spawn: missing --kernel\n" SPAWN_USAGE);
	ok &= !run_mkctl(&r, "spawn", "web", "--cpus", "2", "--memory", "64M",
			 "--kernel", "/k", "--timeout", "3", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: spawn: --timeout needs --wait\n" SPAWN_USAGE);
	ok &= !run_mkctl(&r, "spawn", "web", "--cpus", "2", "--memory", "64M",
			 "--kernel", "/k", "--wait", "--timeout", "86401",
			 NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: spawn: --timeout \"86401\": " BAD_TIMEOUT
			 SPAWN_USAGE);
	ok &= !run_mkctl(&r, "spawn", "--cpus", "2", "--memory", "64M",
			 "--kernel", "/k", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: spawn: missing instance name\n" SPAWN_USAGE);
	return ok && expect_int("nothing made",
			       fake_exists("config/instances/web"), false);
}

static bool create_has_no_wait(void)
{
	struct run r;

	return !run_mkctl(&r, "create", "web", "--cpus", "2", "--memory",
			  "64M", "--kernel", "/k", "--wait", NULL) &&
	       expect_run(&r, 2, "",
			  "mkctl: create: invalid option \"--wait\"\n"
			  CREATE_USAGE) &&
	       expect_int("nothing made", fake_exists("config/instances/web"),
			  false);
}

static bool stop_restart_options(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "stop", "web", "--force", "--timeout", "3",
			NULL) &&
	     expect_run(&r, 2, "",
			"mkctl: stop: --force does not wait: no --timeout\n"
			STOP_USAGE);
	ok &= !run_mkctl(&r, "stop", "web", "--timeout", "-1", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: stop: --timeout \"-1\": " BAD_TIMEOUT
			 STOP_USAGE);
	ok &= !run_mkctl(&r, "stop", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: stop: missing instance name\n" STOP_USAGE);
	ok &= !run_mkctl(&r, "stop", "web", "--wait", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: stop: invalid option \"--wait\"\n"
			 STOP_USAGE);
	ok &= !run_mkctl(&r, "restart", "web", "--timeout", "3", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: restart: --timeout needs --wait\n"
			 RESTART_USAGE);
	ok &= !run_mkctl(&r, "restart", "a", "b", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: restart: unexpected argument \"b\"\n"
			 RESTART_USAGE);
	return ok;
}

static bool helps(void)
{
	static const char * const cmds[][2] = {
		{ "start", START_USAGE "\nStart " },
		{ "spawn", SPAWN_USAGE "\nCreate " },
		{ "stop", STOP_USAGE "\nStop " },
		{ "restart", RESTART_USAGE "\nStop " },
		{ "log", "usage: mkctl log NAME [-f]\n\nPrint " },
		{ "console", "usage: mkctl console NAME\n\nAttach " },
	};
	char head[512];
	bool ok = true;
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		ok &= !run_mkctl(&r, cmds[i][0], "--help", NULL) &&
		      expect_run(&r, 0, NULL, "");
		snprintf(head, sizeof(head), "%.*s", (int)strlen(cmds[i][1]),
			 r.out);
		ok &= expect_str(cmds[i][0], head, cmds[i][1]);
	}
	return ok;
}

static bool start_writes_start(void)
{
	struct run r;

	return web("") && !run_mkctl(&r, "start", "web", NULL) &&
	       expect_run(&r, 0, "", "") &&
	       expect_str("state", fake_read(STATE), "start");
}

static bool start_wait_times_out(void)
{
	struct run r;

	/* The state file keeps reading "start": never running. */
	return web("") &&
	       !run_mkctl(&r, "start", "web", "--wait", "--timeout", "1",
			  NULL) &&
	       expect_run(&r, 1, "",
			  "mkctl: start web: not running after 1 s (state start)\n") &&
	       expect_str("state", fake_read(STATE), "start");
}

static bool start_wait_running(void)
{
	pid_t pid;
	struct run r;

	if (!web(""))
		return false;
	pid = start_mkctl(NULL, "start", "web", "--wait", "--timeout", "5",
			  NULL);
	if (!wait_for(STATE, "start") ||
	    fake_write("config/instances/web/boot_time_ms", "812\n") ||
	    fake_write(STATE, "running\n")) {
		finish_mkctl(&r, pid, SIGKILL);
		return false;
	}
	return !finish_mkctl(&r, pid, 0) &&
	       expect_run(&r, 0, "web running, booted in 812 ms\n", "");
}

static bool start_wait_crashed(void)
{
	pid_t pid;
	struct run r;

	if (!web(""))
		return false;
	pid = start_mkctl(NULL, "start", "web", "--wait", NULL);
	if (!wait_for(STATE, "start") ||
	    fake_write("config/instances/web/crash_reason",
		       "panic: Kernel panic - not syncing: sysrq\n") ||
	    fake_write(STATE, "crashed\n")) {
		finish_mkctl(&r, pid, SIGKILL);
		return false;
	}
	return !finish_mkctl(&r, pid, 0) &&
	       expect_run(&r, 1, "",
			  "mkctl: start web: crashed: panic: Kernel panic - not syncing: sysrq\n");
}

static bool start_missing(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "start", "web", NULL) &&
	     expect_run(&r, 1, "", "mkctl: start web: no instance named web\n");
	ok &= !run_mkctl(&r, "stop", "web", NULL) &&
	      expect_run(&r, 1, "", "mkctl: stop web: no instance named web\n");
	ok &= !run_mkctl(&r, "restart", "../web", NULL) &&
	      expect_run(&r, 1, "",
			 "mkctl: restart ../web: invalid name: must match [a-z0-9][a-z0-9_-]{0,31}\n");
	return ok;
}

static bool spawn_create_fails(void)
{
	struct run r;
	bool ok;

	/* mkdir works on the fake tree, but there is no cpus file. */
	ok = !run_mkctl(&r, "spawn", "web", "--cpus", "2-3", "--memory",
			"256M", "--kernel", "/boot/bzImage", "--wait", NULL) &&
	     expect_run(&r, 1, "",
			"mkctl: spawn web: cpus \"2-3\": No such file or directory\n");
	return ok && expect_int("rolled back",
			       fake_exists("config/instances/web"), false);
}

static bool stop_force_writes_kill(void)
{
	struct run r;

	return web("running") &&
	       !run_mkctl(&r, "stop", "web", "--force", NULL) &&
	       expect_run(&r, 0, "", "") && starts(STATE, "kill");
}

static bool stop_stopped(void)
{
	struct run r;

	return web("stopped") && !run_mkctl(&r, "stop", "web", NULL) &&
	       expect_run(&r, 0, "", "") &&
	       expect_str("state untouched", fake_read(STATE), "stopped\n");
}

static bool stop_clean(void)
{
	pid_t pid;
	struct run r;

	if (!web("running"))
		return false;
	pid = start_mkctl(NULL, "stop", "web", NULL);
	if (!wait_for(STATE, "stop") || fake_write(STATE, "stopped\n")) {
		finish_mkctl(&r, pid, SIGKILL);
		return false;
	}
	return !finish_mkctl(&r, pid, 0) && expect_run(&r, 0, "", "");
}

static bool stop_times_out(void)
{
	struct run r;

	/* "stop" is written, the state never reads stopped: kill. */
	return web("running") &&
	       !run_mkctl(&r, "stop", "web", "--timeout", "0", NULL) &&
	       expect_run(&r, 0, "",
			  "mkctl: stop web: no clean stop within 0 s; killed\n") &&
	       starts(STATE, "kill");
}

static bool restart_stopped(void)
{
	struct run r;

	return web("stopped") && !run_mkctl(&r, "restart", "web", NULL) &&
	       expect_run(&r, 0, "", "") && starts(STATE, "start");
}

const struct test_case lifecycle_tests[] = {
	{ "start: usage errors", start_options },
	{ "spawn: usage errors", spawn_options },
	{ "create takes no --wait", create_has_no_wait },
	{ "stop, restart: usage errors", stop_restart_options },
	{ "new commands: --help", helps },
	{ "start writes start to state", start_writes_start },
	{ "start --wait: times out on a state that stays", start_wait_times_out },
	{ "start --wait: running, with the boot time", start_wait_running },
	{ "start --wait: crashed, with the reason", start_wait_crashed },
	{ "start, stop, restart: missing instance, bad name", start_missing },
	{ "spawn: failed create leaves nothing", spawn_create_fails },
	{ "stop --force writes kill", stop_force_writes_kill },
	{ "stop of a stopped instance does nothing", stop_stopped },
	{ "stop: waits until stopped", stop_clean },
	{ "stop: kills after the timeout", stop_times_out },
	{ "restart of a stopped instance starts it", restart_stopped },
};

const size_t nr_lifecycle_tests = ARRAY_SIZE(lifecycle_tests);
