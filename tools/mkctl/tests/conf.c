// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration file cases: mk_conf_parse() on texts, with the exact
 * messages and line numbers of every kind of error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "harness.h"

#define GOOD	"cpus = 2-3\nmemory = 256M\nkernel = /boot/bzImage\n"

static struct mk_conf conf;

/* Parse @text as file @file; check the error count and messages. */
static bool parses(const char *file, const char *text, int errors,
		   const char *msgs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool ok;
	int n;

	if (!f)
		return false;
	n = mk_conf_parse(&conf, file, text, f);
	fclose(f);
	ok = expect_int("errors", n, errors) && expect_str(file, buf, msgs);
	free(buf);
	return ok;
}

static bool conf_good(void)
{
	bool ok;

	ok = parses("/etc/multikernel/web.conf",
		    "# the web server\n"
		    "\n"
		    "  cpus=2-3 \t\r\n"
		    "memory =256M\r\n"
		    "\tkernel = /boot/bzImage\n"
		    "initrd = /boot/spawn-initrd.cpio.gz\n"
		    "cmdline = console=hvc0 quiet a=b#c\n"
		    "boot_timeout_ms = 5000\n"
		    "stop_timeout_ms = 100\n"
		    "start = yes", 0, "");
	ok = ok && expect_str("name", conf.name, "web") &&
	     expect_str("cpus", conf.cpus, "2-3") &&
	     expect_int("cpu_count", conf.cpu_count, 0) &&
	     expect_int("memory", conf.memory, 256 << 20) &&
	     expect_str("kernel", conf.kernel, "/boot/bzImage") &&
	     expect_str("initrd", conf.initrd, "/boot/spawn-initrd.cpio.gz") &&
	     expect_str("cmdline", conf.cmdline, "console=hvc0 quiet a=b#c") &&
	     expect_int("boot", conf.boot_timeout_ms, 5000) &&
	     expect_int("stop", conf.stop_timeout_ms, 100) &&
	     expect_int("start", conf.start, 1) &&
	     expect_int("cpus line", conf.line[MK_CONF_CPUS], 3) &&
	     expect_int("start line", conf.line[MK_CONF_START], 10);
	return ok;
}

static bool conf_defaults(void)
{
	bool ok;

	ok = parses("db.conf", "name = data-1\ncpu_count = 4\n"
		    "memory = 1G\nkernel = /k\ncmdline =\ninitrd =\n",
		    0, "");
	ok = ok && expect_str("name", conf.name, "data-1") &&
	     expect_str("cpus", conf.cpus, "") &&
	     expect_int("cpu_count", conf.cpu_count, 4) &&
	     expect_str("initrd", conf.initrd, "") &&
	     expect_int("start", conf.start, 0) &&
	     expect_int("no boot timeout", conf.line[MK_CONF_BOOT_TIMEOUT],
			0);
	ok &= parses("dir/plain", GOOD, 0, "") &&
	      expect_str("name without .conf", conf.name, "plain");
	return ok;
}

static bool conf_syntax(void)
{
	bool ok;

	ok = parses("a.conf", GOOD "just words\n", 1,
		    "mkctl: a.conf:4: expected 'key = value'\n");
	ok &= parses("a.conf", "= 3\n" GOOD, 1,
		     "mkctl: a.conf:1: expected 'key = value'\n");
	ok &= parses("a.conf", GOOD "colour = blue\n", 1,
		     "mkctl: a.conf:4: unknown key 'colour'\n");
	ok &= parses("a.conf", GOOD "\n\nmemory = 512M\n", 1,
		     "mkctl: a.conf:6: duplicate key 'memory' (first on line 2)\n");
	ok &= parses("a.conf", GOOD "cpu_count = 2\n", 1,
		     "mkctl: a.conf:4: 'cpu_count' and 'cpus' exclude each other (cpus on line 1)\n");
	return ok;
}

#define NO_CPUS		"memory = 64M\nkernel = /k\n"
#define NO_MEMORY	"cpus = 2\nkernel = /k\n"
#define NO_KERNEL	"cpus = 2\nmemory = 64M\n"

static bool conf_bad_values(void)
{
	static const struct {
		const char *line;
		const char *rest;	/* the other required keys */
		const char *msg;
	} cases[] = {
		{ "name = Web", GOOD,
		  "bad value 'Web' for name: must match [a-z0-9][a-z0-9_-]{0,31}" },
		{ "cpus = 2-", NO_CPUS,
		  "bad value '2-' for cpus: not a CPU list like 2-3,5" },
		{ "cpus =", NO_CPUS,
		  "bad value '' for cpus: not a CPU list like 2-3,5" },
		{ "cpus = 0-1", NO_CPUS,
		  "bad value '0-1' for cpus: CPU 0 is the host's boot CPU and cannot be lent" },
		{ "cpu_count = 0", NO_CPUS,
		  "bad value '0' for cpu_count: not a number from 1 to 4096" },
		{ "cpu_count = two", NO_CPUS,
		  "bad value 'two' for cpu_count: not a number from 1 to 4096" },
		{ "memory = 1.5G", NO_MEMORY,
		  "bad value '1.5G' for memory: not a size like 256M" },
		{ "memory = 0M", NO_MEMORY,
		  "bad value '0M' for memory: cannot be zero" },
		{ "kernel = boot/bzImage", NO_KERNEL,
		  "bad value 'boot/bzImage' for kernel: not an absolute path" },
		{ "kernel =", NO_KERNEL,
		  "bad value '' for kernel: not an absolute path" },
		{ "initrd = x.cpio", GOOD,
		  "bad value 'x.cpio' for initrd: not an absolute path" },
		{ "boot_timeout_ms = 99", GOOD,
		  "bad value '99' for boot_timeout_ms: not a number from 100 to 3600000" },
		{ "stop_timeout_ms = 3600001", GOOD,
		  "bad value '3600001' for stop_timeout_ms: not a number from 100 to 3600000" },
		{ "stop_timeout_ms = 1e3", GOOD,
		  "bad value '1e3' for stop_timeout_ms: not a number from 100 to 3600000" },
		{ "start = true", GOOD,
		  "bad value 'true' for start: not yes or no" },
	};
	char text[512], want[512];
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* The bad line is line 2, after a comment. */
		snprintf(text, sizeof(text), "# x\n%s\n%s", cases[i].line,
			 cases[i].rest);
		snprintf(want, sizeof(want), "mkctl: t.conf:2: %s\n",
			 cases[i].msg);
		ok &= parses("t.conf", text, 1, want);
	}
	return ok;
}

static bool conf_missing(void)
{
	bool ok;

	ok = parses("/etc/multikernel/web.conf", "# nothing\n", 3,
		    "mkctl: /etc/multikernel/web.conf: missing required key 'cpus' or 'cpu_count'\n"
		    "mkctl: /etc/multikernel/web.conf: missing required key 'memory'\n"
		    "mkctl: /etc/multikernel/web.conf: missing required key 'kernel'\n");
	ok &= parses("w.conf", "cpus = 2\nmemory = 64M\n", 1,
		     "mkctl: w.conf: missing required key 'kernel'\n");
	ok &= parses("w.conf", "cpus = 2\nmemory = x\nfoo = 1\n", 3,
		     "mkctl: w.conf:2: bad value 'x' for memory: not a size like 256M\n"
		     "mkctl: w.conf:3: unknown key 'foo'\n"
		     "mkctl: w.conf: missing required key 'kernel'\n");
	ok &= parses("Web.conf", GOOD, 1,
		     "mkctl: Web.conf: the file name gives no valid instance name; set name = NAME\n");
	ok &= parses("Web.conf", "name = web\n" GOOD, 0, "");
	return ok;
}

static bool conf_load(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bool ok;

	if (!f || fake_write("web.conf", GOOD "start = yes\n"))
		return false;
	ok = expect_int("load", mk_conf_load(&conf, fake_path("web.conf"), f),
			0);
	ok &= expect_int("missing", mk_conf_load(&conf, "/no/such.conf", f), 1);
	fclose(f);
	ok = ok && expect_str("name", conf.name, "web") &&
	     expect_str("stderr", buf,
			"mkctl: /no/such.conf: cannot read: No such file or directory\n");
	free(buf);
	return ok;
}

const struct test_case conf_tests[] = {
	{ "mk_conf_parse: every key, blanks, comments, CRLF", conf_good },
	{ "mk_conf_parse: defaults, name from the file", conf_defaults },
	{ "mk_conf_parse: no '=', unknown, duplicate, cpus+cpu_count",
	  conf_syntax },
	{ "mk_conf_parse: a bad value of every key", conf_bad_values },
	{ "mk_conf_parse: missing keys, bad file name", conf_missing },
	{ "mk_conf_load: reads a file, or says why not", conf_load },
};

const size_t nr_conf_tests = ARRAY_SIZE(conf_tests);
