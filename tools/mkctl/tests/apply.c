// SPDX-License-Identifier: GPL-2.0
/*
 * apply cases: run mkctl apply on configuration files in the fake tree
 * (with fakekernel.so preloaded, so that mkdir makes an instance) and
 * check what it printed and what configfs holds afterwards.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mkctl.h"
#include "harness.h"

#define WEB_CONF	"cpus = 2-3\nmemory = 256M\nkernel = /boot/bzImage\n" \
			"start = yes\n"
#define DB_CONF		"cpu_count = 2\nmemory = 64M\nkernel = /k\n" \
			"cmdline = quiet\nstop_timeout_ms = 2000\n"

static char etc[PATH_MAX];

/* etc/ with web.conf and db.conf, eight CPUs, the fake kernel. */
static bool setup(void)
{
	snprintf(etc, sizeof(etc), "%s", fake_path("etc"));
	return !mkdir(etc, 0755) && !fake_online("0-7") &&
	       !fake_write("etc/web.conf", WEB_CONF) &&
	       !fake_write("etc/db.conf", DB_CONF) && !fake_kernel();
}

static bool attr_is(const char *name, const char *attr, const char *want)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "config/instances/%s/%s", name, attr);
	return expect_str(rel, fake_read(rel), want);
}

/* Put a newline after every value: a write by mkctl would drop it. */
static bool mark(const char *name)
{
	static const char * const attrs[] = {
		"cpus", "memory", "kernel", "initrd", "cmdline",
		"boot_timeout_ms", "stop_timeout_ms", "state",
	};
	char rel[128], val[4096];
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		snprintf(rel, sizeof(rel), "config/instances/%s/%s", name,
			 attrs[i]);
		snprintf(val, sizeof(val), "%s", fake_read(rel));
		if (!strchr(val, '\n'))
			strcat(val, "\n");
		ok &= !fake_write(rel, val);
	}
	return ok;
}

static bool apply_creates(void)
{
	struct run r;
	bool ok;

	ok = setup() && !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 0, "db: created\nweb: created, started\n", "");
	return ok && attr_is("web", "cpus", "2-3") &&
	       attr_is("web", "memory", "256M") &&
	       attr_is("web", "kernel", "/boot/bzImage") &&
	       attr_is("web", "state", "start") &&
	       attr_is("db", "cpus", "1,4") &&
	       attr_is("db", "memory", "64M") &&
	       attr_is("db", "cmdline", "quiet") &&
	       attr_is("db", "stop_timeout_ms", "2000") &&
	       attr_is("db", "state", "stopped\n");
}

static bool apply_idempotent(void)
{
	struct run r;
	bool ok;

	ok = setup() && !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 0, NULL, "") &&
	     !fake_write("config/instances/web/state", "running\n") &&
	     mark("web") && mark("db");
	ok = ok && !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 0, "db: unchanged\nweb: unchanged\n", "");
	return ok && attr_is("web", "cpus", "2-3\n") &&
	       attr_is("web", "memory", "256M\n") &&
	       attr_is("web", "state", "running\n") &&
	       attr_is("db", "cpus", "1,4\n") &&
	       attr_is("db", "cmdline", "quiet\n") &&
	       attr_is("db", "stop_timeout_ms", "2000\n");
}

static bool apply_dry_run(void)
{
	struct run r;
	bool ok;

	ok = setup() && !run_mkctl(&r, "apply", "--dry-run", etc, NULL) &&
	     expect_run(&r, 0,
			"db: would be created\nweb: would be created, started\n",
			"");
	return ok && expect_int("web made", fake_exists("config/instances/web"),
				false);
}

static bool apply_updates(void)
{
	struct run r;
	bool ok;

	ok = setup() && !fake_unlink("etc/db.conf") &&
	     !fake_instance("web", "1", "stopped", "2,3", "128M",
			    "/boot/bzImage", "old") &&
	     !run_mkctl(&r, "apply", "--dry-run", etc, NULL) &&
	     expect_run(&r, 0,
			"web: would be updated (memory, cmdline), started\n",
			"") &&
	     attr_is("web", "memory", "128M\n");
	ok = ok && !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 0, "web: updated (memory, cmdline), started\n",
			"");
	return ok && attr_is("web", "memory", "256M") &&
	       attr_is("web", "cmdline", "") &&
	       attr_is("web", "cpus", "2,3\n") &&
	       attr_is("web", "state", "start");
}

static bool apply_running_differs(void)
{
	char want[PATH_MAX * 2];
	struct run r;
	bool ok;

	ok = setup() &&
	     !fake_instance("web", "1", "running", "2-3", "128M",
			    "/boot/old-bzImage", "");
	snprintf(want, sizeof(want),
		 "mkctl: apply web: is running and differs from %s/web.conf in memory, kernel; stop it first: mkctl stop web\n",
		 etc);
	ok = ok && !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 1, "", want);
	ok = ok && !fake_write("config/instances/web/kernel", "/boot/bzImage\n") &&
	     !fake_write("config/instances/web/state", "starting\n");
	snprintf(want, sizeof(want),
		 "mkctl: apply web: is starting and differs from %s/web.conf in memory; stop it first: mkctl stop web\n",
		 etc);
	ok = ok && !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 1, "", want);
	return ok && attr_is("web", "memory", "128M\n") &&
	       expect_int("db made", fake_exists("config/instances/db"), false);
}

/* Only cpus and memory differ: a running instance gets them live. */
static bool apply_running_resizes(void)
{
	struct run r;
	bool ok;

	ok = setup() && !fake_unlink("etc/db.conf") &&
	     !fake_instance("web", "1", "running", "2", "128M",
			    "/boot/bzImage", "") &&
	     !run_mkctl(&r, "apply", "--dry-run", etc, NULL) &&
	     expect_run(&r, 0, "web: would be updated live (cpus, memory)\n",
			"") &&
	     attr_is("web", "cpus", "2\n");
	ok = ok && !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 0, "web: updated live (cpus, memory)\n", "");
	return ok && attr_is("web", "cpus", "2-3") &&
	       attr_is("web", "memory", "256M") &&
	       attr_is("web", "state", "running\n") &&
	       attr_is("web", "kernel", "/boot/bzImage\n");
}

/* cpu_count of a running instance: its CPUs kept, more or fewer. */
static bool apply_running_cpu_count(void)
{
	struct run r;
	bool ok;

	ok = setup() &&
	     !fake_write("etc/db.conf", "cpu_count = 3\nmemory = 64M\nkernel = /k\n") &&
	     !fake_instance("web", "1", "stopped", "2-3", "256M",
			    "/boot/bzImage", "") &&
	     !fake_instance("db", "2", "running", "1,4", "64M", "/k", "") &&
	     !fake_write("etc/web.conf", "cpus = 2-3\nmemory = 256M\nkernel = /boot/bzImage\n");
	ok = ok && !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 0, "db: updated live (cpus)\nweb: unchanged\n",
			"") &&
	     attr_is("db", "cpus", "1,4-5");
	ok = ok && !fake_write("etc/db.conf", "cpu_count = 1\nmemory = 64M\nkernel = /k\n") &&
	     !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 0, "db: updated live (cpus)\nweb: unchanged\n",
			"") &&
	     attr_is("db", "cpus", "1");
	return ok;
}

/* The memory refused after the CPUs changed: both are said. */
static bool apply_running_refused(void)
{
	struct run r;
	bool ok;

	ok = setup() && !fake_unlink("etc/db.conf") &&
	     !fake_instance("web", "1", "running", "2", "512M",
			    "/boot/bzImage", "") &&
	     !fake_refuse("web", "memory", EBUSY) &&
	     !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 1, "web: updated live (cpus)\n",
			"mkctl: apply web: memory \"256M\": free memory inside the instance before shrinking\n");
	return ok && attr_is("web", "cpus", "2-3") &&
	       attr_is("web", "memory", "512M\n");
}

static bool apply_start_only(void)
{
	char file[PATH_MAX + 16];
	struct run r;
	bool ok;

	ok = setup();
	snprintf(file, sizeof(file), "%s/web.conf", etc);
	ok = ok && !fake_unlink("etc/db.conf") &&
	     !fake_instance("web", "1", "crashed", "2-3", "256M",
			    "/boot/bzImage", "") &&
	     !run_mkctl(&r, "apply", file, NULL) &&
	     expect_run(&r, 0, "web: started\n", "");
	return ok && attr_is("web", "state", "start");
}

static bool apply_bad_file(void)
{
	char want[PATH_MAX * 2];
	struct run r;
	bool ok;

	ok = setup() && !fake_write("etc/web.conf", WEB_CONF "memory = 1G\n");
	snprintf(want, sizeof(want),
		 "mkctl: %s/web.conf:5: duplicate key 'memory' (first on line 2)\n",
		 etc);
	ok = ok && !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 1, "", want);
	return ok && expect_int("db made", fake_exists("config/instances/db"),
				false);
}

static bool apply_same_name(void)
{
	char want[PATH_MAX * 3];
	struct run r;
	bool ok;

	ok = setup() && !fake_write("etc/www.conf", "name = web\n" WEB_CONF);
	snprintf(want, sizeof(want),
		 "mkctl: %s/www.conf: instance web is in %s/web.conf too\n",
		 etc, etc);
	ok = ok && !run_mkctl(&r, "apply", etc, NULL) &&
	     expect_run(&r, 1, "", want);
	return ok && expect_int("db made", fake_exists("config/instances/db"),
				false);
}

static bool apply_usage(void)
{
	char dir[PATH_MAX];
	struct run r;
	bool ok;

	snprintf(dir, sizeof(dir), "%s", fake_path("devices"));
	ok = setup() && !run_mkctl(&r, "apply", "--bogus", NULL) &&
	     expect_run(&r, 2, "",
			"mkctl: apply: invalid option \"--bogus\"\n"
			"usage: mkctl apply [--dry-run] [FILE|DIR]...\n");
	ok &= !run_mkctl(&r, "apply", "/no/such", NULL) &&
	      expect_run(&r, 1, "",
			 "mkctl: apply: /no/such: No such file or directory\n");
	ok &= !run_mkctl(&r, "apply", dir, NULL) &&
	      expect_run(&r, 1, "",
			 "mkctl: apply: no configuration files (*.conf) found\n");
	return ok;
}

const struct test_case apply_tests[] = {
	{ "apply: creates, sets, picks CPUs, starts", apply_creates },
	{ "apply: a second run writes nothing, says unchanged",
	  apply_idempotent },
	{ "apply --dry-run: the plan, no change", apply_dry_run },
	{ "apply: updates what differs on a stopped instance", apply_updates },
	{ "apply: a running instance that differs stops everything",
	  apply_running_differs },
	{ "apply: a running instance's cpus and memory change live",
	  apply_running_resizes },
	{ "apply: cpu_count of a running instance adds or drops CPUs",
	  apply_running_cpu_count },
	{ "apply: memory refused live after the CPUs changed",
	  apply_running_refused },
	{ "apply: starts a crashed instance with the same config",
	  apply_start_only },
	{ "apply: a bad file changes nothing", apply_bad_file },
	{ "apply: two files for one instance", apply_same_name },
	{ "apply: usage and file errors", apply_usage },
};

const size_t nr_apply_tests = ARRAY_SIZE(apply_tests);
