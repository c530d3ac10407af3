// SPDX-License-Identifier: GPL-2.0
/*
 * Command cases: run the mkctl binary against the fake tree and check its
 * exit status, stdout and stderr exactly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mkctl.h"
#include "harness.h"

#define HINT		"Run 'mkctl --help' for the list of commands.\n"
#define CREATE_USAGE \
	"usage: mkctl create NAME (--cpus LIST | --cpu-count N) --memory SIZE\n" \
	"                    --kernel PATH [--initrd PATH] [--cmdline STR]\n"
#define UNAVAILABLE	"mkctl: multikernel is not available: kernel built without CONFIG_MULTIKERNEL?\n"
#define BAD_NAME	"invalid name: must match [a-z0-9][a-z0-9_-]{0,31}\n"
#define HEADER		"NAME  ID  STATE  BOOT  CPUS  MEMORY  KERNEL\n"
#define DB_JSON		"{\"name\":\"db\",\"id\":1,\"state\":\"running\",\"boot_time_ms\":812,\"crash_reason\":\"\",\"cpus\":\"\",\"memory\":0,\"kernel\":\"\",\"initrd\":\"\",\"cmdline\":\"\",\"upgrades\":0,\"last_upgrade\":0}"
#define WEB_JSON	"{\"name\":\"web\",\"id\":2,\"state\":\"stopped\",\"boot_time_ms\":0,\"crash_reason\":\"\",\"cpus\":\"2-3\",\"memory\":268435456,\"kernel\":\"/boot/bzImage\",\"initrd\":\"\",\"cmdline\":\"console=hvc0 \\\"quoted\\\"\",\"upgrades\":0,\"last_upgrade\":0}"
#define CRASHED_JSON	"{\"name\":\"web\",\"id\":3,\"state\":\"crashed\",\"boot_time_ms\":1500,\"crash_reason\":\"panic: \\\"sysrq\\\" triggered\",\"cpus\":\"2\",\"memory\":67108864,\"kernel\":\"/k\",\"initrd\":\"\",\"cmdline\":\"\",\"upgrades\":0,\"last_upgrade\":0}"
#define POOL_JSON	"{\"size\":1073741824,\"free\":1071644672,\"used\":2097152,\"largest_free\":1073741824,\"granule\":2097152,\"host_usable\":0,\"backing\":\"memblock\",\"instances\":1}\n"

/*
 * Two instances whose names sort the other way round from their ids; db
 * booted in 812 ms.
 */
static bool two_instances(void)
{
	return !fake_instance("web", "2", "stopped", "2-3", "256M",
			      "/boot/bzImage", "console=hvc0 \"quoted\"") &&
	       !fake_instance("db", "1", "running", "", "0", "", "") &&
	       !fake_write("config/instances/db/boot_time_ms", "812\n");
}

static bool starts_with(const char *what, const char *s, const char *prefix)
{
	char head[256];

	snprintf(head, sizeof(head), "%.*s", (int)strlen(prefix), s);
	return expect_str(what, head, prefix);
}

static bool version_option(void)
{
	struct run r;

	return !run_mkctl(&r, "--version", NULL) &&
	       expect_run(&r, 0, "mkctl 0.1\n", "");
}

static bool help_options(void)
{
	static const char * const ways[] = { "--help", "-h", "help" };
	bool ok = true;
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ways); i++) {
		ok &= !run_mkctl(&r, ways[i], NULL) &&
		      expect_run(&r, 0, NULL, "") &&
		      starts_with(ways[i], r.out,
				  "usage: mkctl COMMAND [ARGS]\n") &&
		      expect_int("lists pool", !!strstr(r.out, "\n  pool "), 1);
	}
	return ok;
}

static bool no_arguments(void)
{
	struct run r;

	return !run_mkctl(&r, NULL) && expect_run(&r, 2, "", NULL) &&
	       starts_with("stderr", r.err, "usage: mkctl COMMAND [ARGS]\n");
}

static bool unknown_command(void)
{
	struct run r;

	return !run_mkctl(&r, "frob", NULL) &&
	       expect_run(&r, 2, "", "mkctl: unknown command \"frob\"\n" HINT);
}

static bool unknown_global_option(void)
{
	struct run r;

	return !run_mkctl(&r, "--frob", NULL) &&
	       expect_run(&r, 2, "", "mkctl: invalid option \"--frob\"\n" HINT);
}

static bool command_help(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "create", "--help", NULL) &&
	     expect_run(&r, 0, NULL, "") &&
	     starts_with("create --help", r.out, CREATE_USAGE "\nCreate ");
	ok &= !run_mkctl(&r, "help", "pool", NULL) &&
	      expect_run(&r, 0, NULL, "") &&
	      starts_with("help pool", r.out, "usage: mkctl pool [--json]\n");
	ok &= !run_mkctl(&r, "status", "web", "-h", NULL) &&
	      expect_run(&r, 0, NULL, "") &&
	      starts_with("status -h", r.out,
			  "usage: mkctl status NAME [--json]\n");
	ok &= !run_mkctl(&r, "help", "frob", NULL) &&
	      expect_run(&r, 2, "", "mkctl: unknown command \"frob\"\n" HINT);
	return ok;
}

static bool create_missing_option(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "create", "web", "--cpus", "2", "--kernel",
			"/boot/bzImage", NULL) &&
	     expect_run(&r, 2, "",
			"mkctl: create: missing --memory\n" CREATE_USAGE);
	return ok && !fake_exists("config/instances/web");
}

static bool create_name_count(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "create", "--cpus", "2", "--memory", "64M",
			"--kernel", "/k", NULL) &&
	     expect_run(&r, 2, "",
			"mkctl: create: missing instance name\n" CREATE_USAGE);
	ok &= !run_mkctl(&r, "create", "a", "b", "--cpus", "2", "--memory",
			 "64M", "--kernel", "/k", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: create: unexpected argument \"b\"\n"
			 CREATE_USAGE);
	return ok;
}

static bool bad_options(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "create", "web", "--cpus", NULL) &&
	     expect_run(&r, 2, "",
			"mkctl: create: option --cpus needs a value\n"
			CREATE_USAGE);
	ok &= !run_mkctl(&r, "list", "--bogus", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: list: invalid option \"--bogus\"\n"
			 "usage: mkctl list [--json]\n");
	ok &= !run_mkctl(&r, "list", "-x", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: list: invalid option \"-x\"\n"
			 "usage: mkctl list [--json]\n");
	ok &= !run_mkctl(&r, "destroy", "web", "--json", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: destroy: invalid option \"--json\"\n"
			 "usage: mkctl destroy NAME\n");
	ok &= !run_mkctl(&r, "pool", "extra", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: pool: unexpected argument \"extra\"\n"
			 "usage: mkctl pool [--json]\n");
	ok &= !run_mkctl(&r, "status", NULL) &&
	      expect_run(&r, 2, "",
			 "mkctl: status: missing instance name\n"
			 "usage: mkctl status NAME [--json]\n");
	return ok;
}

static bool list_empty(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "list", NULL) && expect_run(&r, 0, HEADER, "");
	ok &= !run_mkctl(&r, "list", "--json", NULL) &&
	      expect_run(&r, 0, "[]\n", "");
	return ok;
}

static bool list_table(void)
{
	struct run r;

	return two_instances() && !run_mkctl(&r, "list", NULL) &&
	       expect_run(&r, 0,
			  "NAME  ID  STATE    BOOT   CPUS  MEMORY  KERNEL\n"
			  "db    1   running  812ms  -     0       -\n"
			  "web   2   stopped  -      2-3   256M    /boot/bzImage\n",
			  "");
}

static bool list_json(void)
{
	struct run r;

	return two_instances() && !run_mkctl(&r, "list", "--json", NULL) &&
	       expect_run(&r, 0, "[" DB_JSON "," WEB_JSON "]\n", "");
}

static bool list_boot_time_missing(void)
{
	struct run r;

	return two_instances() &&
	       !fake_unlink("config/instances/db/boot_time_ms") &&
	       !run_mkctl(&r, "list", NULL) &&
	       expect_run(&r, 1, "",
			  "mkctl: list db: cannot read boot_time_ms: No such file or directory\n");
}

static bool list_unreadable(void)
{
	struct run r;

	return two_instances() &&
	       !fake_unlink("config/instances/web/state") &&
	       !run_mkctl(&r, "list", NULL) &&
	       expect_run(&r, 1, "",
			  "mkctl: list web: cannot read state: No such file or directory\n");
}

static bool status_text(void)
{
	struct run r;

	return two_instances() && !run_mkctl(&r, "status", "web", NULL) &&
	       expect_run(&r, 0,
			  "name: web\nid: 2\nstate: stopped\n"
			  "boot_time_ms: 0\ncrash_reason:\ncpus: 2-3\n"
			  "memory: 256M\nkernel: /boot/bzImage\ninitrd:\n"
			  "cmdline: console=hvc0 \"quoted\"\n"
			  "upgrades: 0\nlast_upgrade:\n", "");
}

static bool status_upgraded(void)
{
	struct run r;

	return two_instances() &&
	       !mkdir(fake_path("config/instances/web/upgrade"), 0755) &&
	       !fake_write("config/instances/web/upgrade/count", "2\n") &&
	       !fake_write("config/instances/web/upgrade/last", "1796191200\n") &&
	       !run_mkctl(&r, "status", "web", NULL) &&
	       expect_run(&r, 0,
			  "name: web\nid: 2\nstate: stopped\n"
			  "boot_time_ms: 0\ncrash_reason:\ncpus: 2-3\n"
			  "memory: 256M\nkernel: /boot/bzImage\ninitrd:\n"
			  "cmdline: console=hvc0 \"quoted\"\n"
			  "upgrades: 2\nlast_upgrade: 2026-12-02T06:00:00Z\n", "");
}

static bool status_json(void)
{
	struct run r;

	return two_instances() &&
	       !run_mkctl(&r, "status", "--json", "db", NULL) &&
	       expect_run(&r, 0, DB_JSON "\n", "");
}

static bool status_crashed(void)
{
	struct run r;
	bool ok;

	ok = !fake_instance("web", "3", "crashed", "2", "64M", "/k", "") &&
	     !fake_write("config/instances/web/boot_time_ms", "1500\n") &&
	     !fake_write("config/instances/web/crash_reason",
			 "panic: \"sysrq\" triggered\n");
	ok = ok && !run_mkctl(&r, "status", "web", "--json", NULL) &&
	     expect_run(&r, 0,
			CRASHED_JSON "\n", "");
	ok &= !run_mkctl(&r, "status", "web", NULL) &&
	      expect_run(&r, 0,
			 "name: web\nid: 3\nstate: crashed\n"
			 "boot_time_ms: 1500\n"
			 "crash_reason: panic: \"sysrq\" triggered\n"
			 "cpus: 2\nmemory: 64M\nkernel: /k\ninitrd:\n"
			 "cmdline:\nupgrades: 0\nlast_upgrade:\n", "");
	return ok;
}

static bool status_missing(void)
{
	struct run r;

	return !run_mkctl(&r, "status", "nope", NULL) &&
	       expect_run(&r, 1, "",
			  "mkctl: status nope: no instance named nope\n");
}

static bool status_bad_memory(void)
{
	struct run r;

	return two_instances() &&
	       !fake_write("config/instances/web/memory", "lots\n") &&
	       !run_mkctl(&r, "status", "web", NULL) &&
	       expect_run(&r, 1, "",
			  "mkctl: status web: cannot read memory: Invalid argument\n");
}

static bool invalid_names(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "status", "../sys", NULL) &&
	     expect_run(&r, 1, "", "mkctl: status ../sys: " BAD_NAME);
	ok &= !run_mkctl(&r, "destroy", "../sys", NULL) &&
	      expect_run(&r, 1, "", "mkctl: destroy ../sys: " BAD_NAME);
	return ok && expect_int("sys kept", fake_exists("sys"), true);
}

static bool pool_text(void)
{
	struct run r;

	return two_instances() &&
	       !fake_write("sys/pool/free", "805306368\n") &&
	       !fake_write("sys/pool/largest_free", "536870912\n") &&
	       !run_mkctl(&r, "pool", NULL) &&
	       expect_run(&r, 0,
			  "size: 1G (1073741824 bytes)\n"
			  "free: 768M (805306368 bytes)\n"
			  "used: 256M (268435456 bytes)\n"
			  "largest_free: 512M (536870912 bytes)\n"
			  "granule: 2M (2097152 bytes)\n"
			  "host_usable: 0 (0 bytes)\n"
			  "backing: memblock\n"
			  "instances: 2\n", "");
}

static bool pool_json(void)
{
	struct run r;

	return !fake_instance("web", "1", "stopped", "2", "2M", "/k", "") &&
	       !fake_write("sys/pool/free", "1071644672\n") &&
	       !run_mkctl(&r, "pool", "--json", NULL) &&
	       expect_run(&r, 0, POOL_JSON, "");
}

static bool pool_without_pool(void)
{
	static const char * const files[] = {
		"sys/pool/size", "sys/pool/free", "sys/pool/largest_free",
	};
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(files); i++)
		if (fake_write(files[i], "0\n"))
			return false;
	return !run_mkctl(&r, "pool", NULL) &&
	       expect_run(&r, 0,
			  "size: 0 (0 bytes)\nfree: 0 (0 bytes)\n"
			  "used: 0 (0 bytes)\nlargest_free: 0 (0 bytes)\n"
			  "granule: 2M (2097152 bytes)\n"
			  "host_usable: 0 (0 bytes)\nbacking: memblock\n"
			  "instances: 0\n", "");
}

static bool pool_cma(void)
{
	struct run r;

	return !fake_write("sys/pool/backing", "cma\n") &&
	       !fake_write("sys/pool/free", "805306368\n") &&
	       !fake_write("sys/pool/host_usable", "671088640\n") &&
	       !run_mkctl(&r, "pool", NULL) &&
	       expect_run(&r, 0,
			  "size: 1G (1073741824 bytes)\n"
			  "free: 768M (805306368 bytes)\n"
			  "used: 256M (268435456 bytes)\n"
			  "largest_free: 1G (1073741824 bytes)\n"
			  "granule: 2M (2097152 bytes)\n"
			  "host_usable: 640M (671088640 bytes)\n"
			  "backing: cma\n"
			  "instances: 0\n", "");
}

/* A kernel older than the CMA backing: memblock, nothing for the host. */
static bool pool_old_kernel(void)
{
	struct run r;

	return !fake_unlink("sys/pool/backing") &&
	       !fake_unlink("sys/pool/host_usable") &&
	       !run_mkctl(&r, "pool", "--json", NULL) &&
	       expect_run(&r, 0,
			  "{\"size\":1073741824,\"free\":1073741824,\"used\":0,"
			  "\"largest_free\":1073741824,\"granule\":2097152,"
			  "\"host_usable\":0,\"backing\":\"memblock\","
			  "\"instances\":0}\n", "");
}

static bool unavailable(void)
{
	struct run r;
	bool ok;

	setenv("MKCTL_SYSFS", fake_path("nope"), 1);
	ok = !run_mkctl(&r, "pool", NULL) &&
	     expect_run(&r, 1, "", UNAVAILABLE);
	setenv("MKCTL_CONFIGFS", fake_path("nope"), 1);
	ok &= !run_mkctl(&r, "list", "--json", NULL) &&
	      expect_run(&r, 1, "", UNAVAILABLE);
	ok &= !run_mkctl(&r, "create", "web", "--cpus", "2", "--memory",
			 "64M", "--kernel", "/k", NULL) &&
	      expect_run(&r, 1, "", UNAVAILABLE);
	return ok;
}

static bool create_rollback(void)
{
	struct run r;
	bool ok;

	/* mkdir works on the fake tree, but there is no cpus file. */
	ok = !run_mkctl(&r, "create", "web", "--cpus", "2-3", "--memory",
			"256M", "--kernel", "/boot/bzImage", NULL) &&
	     expect_run(&r, 1, "",
			"mkctl: create web: cpus \"2-3\": No such file or directory\n");
	return ok && expect_int("rolled back",
			       fake_exists("config/instances/web"), false);
}

static bool create_refused(void)
{
	struct run r;
	bool ok;

	ok = !fake_kernel() && !fake_refuse("web", "memory", EINVAL) &&
	     !run_mkctl(&r, "create", "web", "--cpus", "2-3", "--memory",
			"3M", "--kernel", "/boot/bzImage", NULL) &&
	     expect_run(&r, 1, "",
			"mkctl: create web: memory \"3M\": not a multiple of the pool granule (2M)\n");
	return ok && expect_int("rolled back",
			       fake_exists("config/instances/web"), false);
}

static bool create_exists(void)
{
	struct run r;
	bool ok;

	ok = two_instances() &&
	     !run_mkctl(&r, "create", "web", "--cpus", "4", "--memory", "64M",
			"--kernel", "/k", NULL) &&
	     expect_run(&r, 1, "",
			"mkctl: create web: an instance named web exists already\n");
	return ok && expect_int("kept",
			       fake_exists("config/instances/web/cpus"), true);
}

static bool create_relative_kernel(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "create", "web", "--cpus", "2", "--memory", "64M",
			"--kernel", "no/such/bzImage", NULL) &&
	     expect_run(&r, 1, "",
			"mkctl: create web: kernel \"no/such/bzImage\": no such file\n");
	return ok && expect_int("no mkdir",
			       fake_exists("config/instances/web"), false);
}

static bool create_invalid_name(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "create", "Web", "--cpus", "2", "--memory", "64M",
			"--kernel", "/k", NULL) &&
	     expect_run(&r, 1, "", "mkctl: create Web: " BAD_NAME);
	return ok && expect_int("no mkdir",
			       fake_exists("config/instances/Web"), false);
}

static bool destroy_instance(void)
{
	struct run r;
	bool ok;

	ok = !mkdir(fake_path("config/instances/web"), 0755) &&
	     !run_mkctl(&r, "destroy", "web", NULL) &&
	     expect_run(&r, 0, "", "");
	return ok && expect_int("removed",
			       fake_exists("config/instances/web"), false);
}

static bool destroy_missing(void)
{
	struct run r;

	return !run_mkctl(&r, "destroy", "web", NULL) &&
	       expect_run(&r, 1, "",
			  "mkctl: destroy web: no instance named web\n");
}

const struct test_case command_tests[] = {
	{ "mkctl --version", version_option },
	{ "mkctl --help, -h, help: usage on stdout", help_options },
	{ "mkctl without arguments: usage error", no_arguments },
	{ "unknown command: exit 2", unknown_command },
	{ "unknown global option: exit 2", unknown_global_option },
	{ "CMD --help and help CMD", command_help },
	{ "create without --memory: exit 2, nothing made",
	  create_missing_option },
	{ "create with no name or two names: exit 2", create_name_count },
	{ "invalid options and arguments: exit 2", bad_options },
	{ "list with no instances", list_empty },
	{ "list: table sorted by id", list_table },
	{ "list --json", list_json },
	{ "list: unreadable attribute fails", list_unreadable },
	{ "list: boot_time_ms is needed too", list_boot_time_missing },
	{ "status: key: value lines", status_text },
	{ "status --json", status_json },
	{ "status: upgrades and the last one, UTC", status_upgraded },
	{ "status of a crashed instance: boot time, reason",
	  status_crashed },
	{ "status of a missing instance", status_missing },
	{ "status: memory that does not parse", status_bad_memory },
	{ "status, destroy: invalid names touch nothing", invalid_names },
	{ "pool: sizes and instance count", pool_text },
	{ "pool --json", pool_json },
	{ "pool without a pool reserved", pool_without_pool },
	{ "pool backed by CMA", pool_cma },
	{ "pool on a kernel without pool/backing", pool_old_kernel },
	{ "no multikernel tree: not available", unavailable },
	{ "create: failed write removes the instance", create_rollback },
	{ "create: a value the kernel refuses is explained, rolled back",
	  create_refused },
	{ "create: name taken", create_exists },
	{ "create: relative kernel that does not exist",
	  create_relative_kernel },
	{ "create: invalid name", create_invalid_name },
	{ "destroy removes the instance", destroy_instance },
	{ "destroy a missing instance", destroy_missing },
};

const size_t nr_command_tests = ARRAY_SIZE(command_tests);
