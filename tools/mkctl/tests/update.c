// SPDX-License-Identifier: GPL-2.0
/*
 * update cases: mkctl update on the fake tree (with fakekernel.so
 * preloaded, which takes cpus and memory whatever the state, and
 * refuses what fake_refuse() says), its output, its messages and what
 * configfs holds afterwards.
 */
#include <errno.h>
#include <stdio.h>

#include "mkctl.h"
#include "harness.h"

#define USAGE	"usage: mkctl update NAME [--cpus LIST|+N|-N] [--memory SIZE|+SIZE|-SIZE] [--json]\n"
#define CPUS	"config/instances/web/cpus"
#define MEMORY	"config/instances/web/memory"
#define NOT_SIZE	"not a size such as 384M, nor a change such as +128M or -128M\n"
#define NO_PICK		"mkctl: update web: cannot pick 3 CPUs: only 2 are free (online, not CPU 0, not given to an instance)\n"
#define IN_USE		"instance web uses 190M of 256M; free memory inside it before shrinking"
#define STEPS		"a running instance's memory grows and shrinks in multiples of the resize granule"
#define CRASHED		"instance web did not answer and is now crashed; its console may say why: mkctl log web"
#define BOTH_JSON	"{\"name\":\"web\",\"cpus\":{\"old\":\"1\",\"new\":\"1-3\"},\"memory\":{\"old\":134217728,\"new\":402653184}}\n"

/* Eight CPUs, the fake kernel, and web in @state with @cpus and 128M. */
static bool web(const char *state, const char *cpus)
{
	return !fake_online("0-7") && !fake_kernel() &&
	       !fake_instance("web", "1", state, cpus, "128M",
			      "/boot/bzImage", "");
}

/* The host's reason for web's last refused resize. */
static bool reason(const char *line)
{
	return !fake_console("web", "") &&
	       !fake_write("config/instances/web/resize_reason", line);
}

static bool update_usage(void)
{
	static const char * const cases[][4] = {
		{ "web", NULL, NULL,
		  "mkctl: update: missing --cpus or --memory\n" },
		{ "--cpus", "2", NULL,
		  "mkctl: update: missing instance name\n" },
		{ "web", "--cpus", "+0",
		  "mkctl: update: --cpus \"+0\": +N and -N take a number from 1 to 4096\n" },
		{ "web", "--cpus", "-x",
		  "mkctl: update: --cpus \"-x\": +N and -N take a number from 1 to 4096\n" },
		{ "web", "--memory", "1.5G",
		  "mkctl: update: --memory \"1.5G\": " NOT_SIZE },
		{ "web", "--memory", "+0",
		  "mkctl: update: --memory \"+0\": " NOT_SIZE },
		{ "web", "--kernel", "/k",
		  "mkctl: update: invalid option \"--kernel\"\n" },
		{ "web", "db", "--json",
		  "mkctl: update: missing --cpus or --memory\n" },
	};
	char want[512];
	struct run r;
	bool ok = web("running", "1");
	size_t i;

	for (i = 0; ok && i < ARRAY_SIZE(cases); i++) {
		snprintf(want, sizeof(want), "%s" USAGE, cases[i][3]);
		ok &= !run_mkctl(&r, "update", cases[i][0], cases[i][1],
				 cases[i][2], NULL) &&
		      expect_run(&r, 2, "", want);
	}
	ok &= !run_mkctl(&r, "update", "web", "db", "--cpus", "2", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: update: unexpected argument \"db\"\n" USAGE);
	return ok && expect_str("cpus", fake_read(CPUS), "1\n");
}

/* +N picks as --cpu-count does, the instance's own CPUs taken. */
static bool update_add_cpus(void)
{
	struct run r;
	bool ok;

	ok = web("running", "1") &&
	     !fake_instance("db", "2", "running", "4-5", "64M", "/k", "") &&
	     !run_mkctl(&r, "update", "web", "--cpus", "+2", NULL) &&
	     expect_run(&r, 0, "web: cpus 1 -> 1-3\n", "") &&
	     expect_str("cpus", fake_read(CPUS), "1-3");
	ok = ok && !run_mkctl(&r, "update", "web", "--cpus", "+3", NULL) &&
	     expect_run(&r, 1, "",
			NO_PICK) &&
	     expect_str("cpus kept", fake_read(CPUS), "1-3");
	return ok;
}

/* -N drops the highest CPUs, and never the last one. */
static bool update_remove_cpus(void)
{
	struct run r;
	bool ok;

	ok = web("running", "1-2,6") &&
	     !run_mkctl(&r, "update", "web", "--cpus", "-2", NULL) &&
	     expect_run(&r, 0, "web: cpus 1-2,6 -> 1\n", "") &&
	     expect_str("cpus", fake_read(CPUS), "1");
	ok = ok && !run_mkctl(&r, "update", "--cpus=-1", "web", NULL) &&
	     expect_run(&r, 2, "",
			"mkctl: update: --cpus \"-1\": would leave web no CPU (it has 1)\n"
			USAGE) &&
	     expect_str("cpus kept", fake_read(CPUS), "1");
	return ok;
}

/* A list and a size are written as the kernel shows them. */
static bool update_both(void)
{
	struct run r;
	bool ok;

	ok = web("running", "1") &&
	     !run_mkctl(&r, "update", "web", "--memory", "402653184",
			"--cpus", "3,1-2", NULL) &&
	     expect_run(&r, 0,
			"web: cpus 1 -> 1-3\nweb: memory 128M -> 384M\n", "");
	return ok && expect_str("cpus", fake_read(CPUS), "1-3") &&
	       expect_str("memory", fake_read(MEMORY), "384M");
}

static bool update_memory_relative(void)
{
	struct run r;
	bool ok;

	ok = web("running", "1") &&
	     !run_mkctl(&r, "update", "web", "--memory", "+256M", NULL) &&
	     expect_run(&r, 0, "web: memory 128M -> 384M\n", "") &&
	     expect_str("memory", fake_read(MEMORY), "384M") &&
	     expect_str("cpus", fake_read(CPUS), "1\n");
	ok = ok && !run_mkctl(&r, "update", "web", "--memory", "-128m", NULL) &&
	     expect_run(&r, 0, "web: memory 384M -> 256M\n", "") &&
	     expect_str("memory", fake_read(MEMORY), "256M");
	ok = ok && !run_mkctl(&r, "update", "web", "--memory", "-256M", NULL) &&
	     expect_run(&r, 2, "",
			"mkctl: update: --memory \"-256M\": would leave web no memory (it has 256M)\n"
			USAGE) &&
	     expect_str("memory kept", fake_read(MEMORY), "256M");
	return ok;
}

static bool update_json(void)
{
	struct run r;
	bool ok;

	ok = web("running", "1") &&
	     !run_mkctl(&r, "update", "web", "--cpus", "+2", "--memory",
			"384M", "--json", NULL) &&
	     expect_run(&r, 0, BOTH_JSON, "");
	ok = ok && !run_mkctl(&r, "update", "web", "--json", "--memory",
			      "-128M", NULL) &&
	     expect_run(&r, 0,
			"{\"name\":\"web\",\"memory\":{\"old\":402653184,\"new\":268435456}}\n",
			"");
	return ok;
}

/* The CPUs changed, the memory refused: both are said, exit 1. */
static bool update_memory_refused(void)
{
	const char *why = "mkctl: update web: memory \"128M\": " IN_USE "\n";
	struct run r;
	bool ok;

	ok = web("running", "1") && !fake_write(MEMORY, "256M\n") &&
	     !fake_refuse("web", "memory", EBUSY) && reason(IN_USE "\n");
	ok = ok && !run_mkctl(&r, "update", "web", "--cpus", "1-2",
			      "--memory", "-128M", NULL) &&
	     expect_run(&r, 1, "web: cpus 1 -> 1-2\n", why) &&
	     expect_str("cpus", fake_read(CPUS), "1-2") &&
	     expect_str("memory kept", fake_read(MEMORY), "256M\n");
	ok = ok && !run_mkctl(&r, "update", "web", "--cpus", "1-3",
			      "--memory", "128M", "--json", NULL) &&
	     expect_run(&r, 1,
			"{\"name\":\"web\",\"cpus\":{\"old\":\"1-2\",\"new\":\"1-3\"}}\n",
			why);
	return ok;
}

/* Refused CPUs: nothing printed, the memory not written. */
static bool update_cpus_refused(void)
{
	struct run r;
	bool ok;

	ok = web("running", "1") && !fake_refuse("web", "cpus", EBUSY) &&
	     !run_mkctl(&r, "update", "web", "--cpus", "+1", "--memory",
			"256M", NULL) &&
	     expect_run(&r, 1, "",
			"mkctl: update web: cpus \"1-2\": a CPU is owned elsewhere or the instance could not take it offline\n");
	ok = ok && expect_str("cpus", fake_read(CPUS), "1\n") &&
	     expect_str("memory", fake_read(MEMORY), "128M\n");
	ok = ok && reason("CPU 3 belongs to instance db\n") &&
	     !run_mkctl(&r, "update", "web", "--cpus", "1,3", NULL) &&
	     expect_run(&r, 1, "",
			"mkctl: update web: cpus \"1,3\": CPU 3 belongs to instance db\n");
	return ok;
}

/* Without the host's reason, the errno tells what to do. */
static bool update_errnos(void)
{
	static const struct {
		const char *why;
		const char *attr;
		int err;
		const char *value;
	} cases[] = {
		{ STEPS " (128M)",
		  "memory", EINVAL, "200M" },
		{ "not enough free memory in the pool to grow it (free: 1G)",
		  "memory", ENOSPC, "1G" },
		{ "free memory inside the instance before shrinking",
		  "memory", EBUSY, "64M" },
		{ CRASHED,
		  "memory", ETIMEDOUT, "256M" },
		{ "the kernel of web cannot resize its memory live; stop it to change it",
		  "memory", EOPNOTSUPP, "256M" },
		{ "the instance would lose its last CPU; keep at least one of its CPUs in the list",
		  "cpus", EINVAL, "4-5" },
		{ "no free CPU to add",
		  "cpus", ENOSPC, "1-2" },
		{ "the kernel of web cannot add or remove CPUs live; stop it to change them",
		  "cpus", EOPNOTSUPP, "1-2" },
	};
	char opt[32], want[512];
	struct run r;
	bool ok = web("running", "1");
	size_t i;

	for (i = 0; ok && i < ARRAY_SIZE(cases); i++) {
		snprintf(opt, sizeof(opt), "--%s", cases[i].attr);
		snprintf(want, sizeof(want),
			 "mkctl: update web: %s \"%s\": %s\n", cases[i].attr,
			 cases[i].value, cases[i].why);
		ok &= !fake_refuse("web", cases[i].attr, cases[i].err) &&
		      !run_mkctl(&r, "update", "web", opt, cases[i].value,
				 NULL) &&
		      expect_run(&r, 1, "", want) &&
		      !fake_refuse("web", cases[i].attr, 0);
	}
	return ok && expect_str("cpus", fake_read(CPUS), "1\n") &&
	       expect_str("memory", fake_read(MEMORY), "128M\n");
}

/* A stopped instance: a new configuration, explained as such. */
static bool update_stopped(void)
{
	struct run r;
	bool ok;

	ok = web("stopped", "1") && reason("stale\n") &&
	     !run_mkctl(&r, "update", "web", "--cpus", "+1", "--memory",
			"+64M", NULL) &&
	     expect_run(&r, 0,
			"web: cpus 1 -> 1-2\nweb: memory 128M -> 192M\n", "");
	ok = ok && !fake_refuse("web", "memory", EINVAL) &&
	     !run_mkctl(&r, "update", "web", "--memory", "3M", NULL) &&
	     expect_run(&r, 1, "",
			"mkctl: update web: memory \"3M\": not a multiple of the pool granule (2M)\n");
	return ok && expect_str("memory", fake_read(MEMORY), "192M");
}

static bool update_not_resizable(void)
{
	struct run r;
	bool ok;

	ok = web("starting", "1") &&
	     !run_mkctl(&r, "update", "web", "--cpus", "+1", NULL) &&
	     expect_run(&r, 1, "",
			"mkctl: update web: is starting; change it once it is running, or stop it first: mkctl stop web\n");
	ok &= !run_mkctl(&r, "update", "db", "--memory", "1G", NULL) &&
	      expect_run(&r, 1, "", "mkctl: update db: no instance named db\n");
	return ok && expect_str("cpus", fake_read(CPUS), "1\n");
}

const struct test_case update_tests[] = {
	{ "update: usage errors change nothing", update_usage },
	{ "update --cpus +N: picked as --cpu-count, own CPUs taken",
	  update_add_cpus },
	{ "update --cpus -N: the highest go, one stays", update_remove_cpus },
	{ "update: cpus, then memory, as the kernel shows them", update_both },
	{ "update --memory +SIZE, -SIZE", update_memory_relative },
	{ "update --json: old and new of what was asked", update_json },
	{ "update: memory refused after the CPUs changed", update_memory_refused },
	{ "update: CPUs refused, memory not tried, reason shown",
	  update_cpus_refused },
	{ "update: what each errno of a live resize says", update_errnos },
	{ "update of a stopped instance", update_stopped },
	{ "update of a starting or missing instance", update_not_resizable },
};

const size_t nr_update_tests = ARRAY_SIZE(update_tests);
