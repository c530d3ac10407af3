// SPDX-License-Identifier: GPL-2.0
/*
 * Policy cases: mkctl policy against the fake tree, whose BPF file system
 * is the directory bpf/ and whose bpf() is fakekernel.so's.  No policy
 * gets loaded: the objects of tests/ops.bpf.c are checked and named, and
 * the fake kernel refuses the rest (EPERM).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkctl.h"
#include "harness.h"

#define POLICY_USAGE \
	"usage: mkctl policy load FILE.bpf.o [--name N] [--set VAR=VALUE]... |\n" \
	"                    list [--json] | unload NAME\n"
#define LOAD_USAGE \
	"usage: mkctl policy load FILE.bpf.o [--name N] [--set VAR=VALUE]...\n"
#define LIST_USAGE	"usage: mkctl policy list [--json]\n"
#define UNLOAD_USAGE	"usage: mkctl policy unload NAME\n"
#define HEADER		"NAME  STATE  LINK  MAP  REASON\n"
#define BAD_NAME(name) \
	"mkctl: policy: invalid name '" name "' (1 to 15 letters, digits, '_' and '-'): " \
	"Invalid argument\n"
#define NO_FILE		"No such file or directory\n"
#define LINK_SEC	"SEC(\".struct_ops.link\")"
#define NO_PERMISSION(name) \
	"mkctl: policy: cannot load " name ": permission denied: " \
	"needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN (run as root)\n"

/* The path of test object @obj, tests/@obj.bpf.o. */
static const char *object(const char *obj)
{
	static char bufs[2][PATH_MAX];
	static int next;
	char file[64];

	snprintf(file, sizeof(file), "tests/%s.bpf.o", obj);
	return beside_mkctl(file, bufs[next++ % 2], PATH_MAX);
}

/* What load says of a policy named @name that is loaded already. */
static const char *taken(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf),
		 "mkctl: policy: a policy named %s is loaded already (unload it first: %s %s): %s",
		 name, "mkctl policy unload", name, "File exists\n");
	return buf;
}

/* The last line of @s. */
static const char *last_line(const char *s)
{
	const char *end = s + strlen(s), *p = end;

	if (p > s && p[-1] == '\n')
		p--;
	while (p > s && p[-1] != '\n')
		p--;
	return p;
}

static bool usage_errors(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "policy", NULL) &&
	     expect_run(&r, 2, "", "mkctl: policy: missing subcommand: load, list or unload\n"
			POLICY_USAGE);
	ok &= !run_mkctl(&r, "policy", "frob", NULL) &&
	      expect_run(&r, 2, "", "mkctl: policy: unknown subcommand \"frob\"\n"
			 POLICY_USAGE);
	ok &= !run_mkctl(&r, "policy", "--frob", NULL) &&
	      expect_run(&r, 2, "", "mkctl: policy: invalid option \"--frob\"\n"
			 POLICY_USAGE);
	ok &= !run_mkctl(&r, "policy", "load", NULL) &&
	      expect_run(&r, 2, "", "mkctl: policy load: missing policy file\n"
			 LOAD_USAGE);
	ok &= !run_mkctl(&r, "policy", "load", "x.bpf.o", "--name", NULL) &&
	      expect_run(&r, 2, "", "mkctl: policy load: option --name needs a value\n"
			 LOAD_USAGE);
	ok &= !run_mkctl(&r, "policy", "list", "web", NULL) &&
	      expect_run(&r, 2, "", "mkctl: policy list: unexpected argument \"web\"\n"
			 LIST_USAGE);
	ok &= !run_mkctl(&r, "policy", "unload", NULL) &&
	      expect_run(&r, 2, "", "mkctl: policy unload: missing policy name\n"
			 UNLOAD_USAGE);
	ok &= !run_mkctl(&r, "policy", "unload", "web", "--json", NULL) &&
	      expect_run(&r, 2, "", "mkctl: policy unload: invalid option \"--json\"\n"
			 UNLOAD_USAGE);
	return ok;
}

static bool help_output(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "policy", "--help", NULL) &&
	     expect_run(&r, 0, NULL, "") &&
	     expect_int("policy --help", !strncmp(r.out, POLICY_USAGE "\n",
						  strlen(POLICY_USAGE) + 1), 1);
	ok &= !run_mkctl(&r, "help", "policy", NULL) &&
	      expect_run(&r, 0, NULL, "") &&
	      expect_int("help policy", !strncmp(r.out, POLICY_USAGE,
						 strlen(POLICY_USAGE)), 1);
	ok &= !run_mkctl(&r, "policy", "load", "-h", NULL) &&
	      expect_run(&r, 0, NULL, "") &&
	      expect_int("policy load -h", !strncmp(r.out, LOAD_USAGE,
						    strlen(LOAD_USAGE)), 1);
	return ok;
}

static bool load_missing_file(void)
{
	struct run r;

	return !run_mkctl(&r, "policy", "load", "missing.bpf.o", NULL) &&
	       expect_run(&r, 1, "", "mkctl: policy: cannot open missing.bpf.o: " NO_FILE) &&
	       expect_int("pin directory", fake_exists("bpf/multikernel"), false);
}

/* A link to tests/unnamed.bpf.o named @file in the fake tree. */
static const char *unnamed_as(const char *file)
{
	static char path[PATH_MAX];
	char target[PATH_MAX];

	snprintf(path, sizeof(path), "%s", fake_path(file));
	if (!realpath(object("unnamed"), target) || symlink(target, path))
		return "";
	return path;
}

static bool load_invalid_names(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "policy", "load", object("named"), "--name",
			"bad/name", NULL) &&
	     expect_run(&r, 1, "", BAD_NAME("bad/name"));
	ok &= !run_mkctl(&r, "policy", "load", object("named"), "--name",
			 "0123456789abcdef", NULL) &&
	      expect_run(&r, 1, "", BAD_NAME("0123456789abcdef"));
	ok &= !run_mkctl(&r, "policy", "load", "--name", "", "missing.bpf.o",
			 NULL) &&
	      expect_run(&r, 1, "", BAD_NAME(""));
	ok &= !run_mkctl(&r, "policy", "load",
			 unnamed_as("far_too_long_a_name.bpf.o"), NULL) &&
	      expect_run(&r, 1, "", BAD_NAME("far_too_long_a_name"));
	return ok && expect_int("pin directory", fake_exists("bpf/multikernel"),
				false);
}

/*
 * The name is --name's, else the object's, else its file's; a name that
 * is pinned already is refused before anything is loaded (the fake
 * kernel would refuse a load).
 */
static bool load_names(void)
{
	struct run r;
	bool ok;

	ok = !fake_kernel() && !fake_pin("from_data", 1, 2) &&
	     !fake_pin("unnamed", 3, 4) && !fake_pin("other", 5, 6) &&
	     !fake_pin("plain", 7, 8);
	ok = ok && !run_mkctl(&r, "policy", "load", object("named"), NULL) &&
	     expect_run(&r, 1, "", taken("from_data"));
	ok &= !run_mkctl(&r, "policy", "load", object("unnamed"), NULL) &&
	      expect_run(&r, 1, "", taken("unnamed"));
	ok &= !run_mkctl(&r, "policy", "load", "--name", "other",
			 object("named"), NULL) &&
	      expect_run(&r, 1, "", taken("other"));
	ok &= !run_mkctl(&r, "policy", "load", unnamed_as("plain.o"), NULL) &&
	      expect_run(&r, 1, "", taken("plain"));
	return ok;
}

static bool load_not_policies(void)
{
	char want[PATH_MAX + 256], text[PATH_MAX];
	struct run r;
	bool ok;

	snprintf(want, sizeof(want),
		 "mkctl: policy: %s has no struct_ops map: define a struct multikernel_ops in %s\n",
		 object("noops"), LINK_SEC);
	ok = !run_mkctl(&r, "policy", "load", object("noops"), NULL) &&
	     expect_run(&r, 1, "", want);
	snprintf(want, sizeof(want),
		 "mkctl: policy: %s: test_ops is in SEC(\".struct_ops\"); a policy's is in %s\n",
		 object("nolink"), LINK_SEC);
	ok &= !run_mkctl(&r, "policy", "load", object("nolink"), NULL) &&
	      expect_run(&r, 1, "", want);
	ok &= !fake_write("text.bpf.o", "not ELF\n");
	snprintf(text, sizeof(text), "%s", fake_path("text.bpf.o"));
	snprintf(want, sizeof(want),
		 "mkctl: policy: %s is not a BPF object: BPF object format invalid\n",
		 text);
	ok = ok && !run_mkctl(&r, "policy", "load", text, NULL) &&
	     expect_run(&r, 1, "", NULL) &&
	     expect_str("last line", last_line(r.err), want);
	return ok;
}

/* libbpf's log, then what is missing; nothing pinned. */
static bool load_unprivileged(void)
{
	struct run r;
	bool ok;

	ok = !fake_kernel() &&
	     !run_mkctl(&r, "policy", "load", object("named"), NULL) &&
	     expect_run(&r, 1, "", NULL) &&
	     expect_int("libbpf's log", !strncmp(r.err, "libbpf: ", 8), 1) &&
	     expect_str("last line", last_line(r.err), NO_PERMISSION("from_data"));
	return ok && expect_int("pinned", fake_exists("bpf/multikernel/from_data"),
				false);
}

/* What policy load --set says of @set; "" if it takes it. */
static const char *set_says(const char *set)
{
	static struct run r;

	if (run_mkctl(&r, "policy", "load", object("named"), "--set", set,
		      NULL) || r.status != 1)
		return "(did not fail)";
	if (!strcmp(last_line(r.err), NO_PERMISSION("from_data")))
		return "";
	return r.err;
}

/* --set gives a const volatile integer a value before the load. */
static bool load_set(void)
{
	char no_var[PATH_MAX + 64], no_int[PATH_MAX + 64];
	struct run r;
	bool ok;

	snprintf(no_var, sizeof(no_var),
		 "mkctl: policy: %s has no const volatile variable 'nosuch'\n",
		 object("named"));
	snprintf(no_int, sizeof(no_int),
		 "mkctl: policy: %s: tag is not an integer; --set gives integers only\n",
		 object("named"));
	ok = !fake_kernel();
	ok &= expect_str("limit=5", set_says("limit=5"), "");
	ok &= expect_str("limit=0xffffffff", set_says("limit=0xffffffff"), "");
	ok &= expect_str("offset=-2147483648", set_says("offset=-2147483648"), "");
	ok &= expect_str("limit=-1", set_says("limit=-1"),
			 "mkctl: policy: --set limit=-1: not an integer of 4 bytes, unsigned\n");
	ok &= expect_str("offset=2147483648", set_says("offset=2147483648"),
			 "mkctl: policy: --set offset=2147483648: not an integer of 4 bytes, signed\n");
	ok &= expect_str("limit=3x", set_says("limit=3x"),
			 "mkctl: policy: --set limit=3x: not an integer of 4 bytes, unsigned\n");
	ok &= expect_str("nosuch=1", set_says("nosuch=1"), no_var);
	ok &= expect_str("tag=1", set_says("tag=1"), no_int);
	ok &= !run_mkctl(&r, "policy", "load", object("named"), "--set", "limit",
			 NULL) &&
	      expect_run(&r, 2, "", "mkctl: policy load: --set \"limit\": not VAR=VALUE\n"
			 LOAD_USAGE);
	return ok;
}

static bool list_empty(void)
{
	struct run r;
	bool ok;

	ok = !run_mkctl(&r, "policy", "list", NULL) &&
	     expect_run(&r, 0, HEADER, "");
	ok &= !run_mkctl(&r, "policy", "list", "--json", NULL) &&
	      expect_run(&r, 0, "[]\n", "");
	ok &= !mkdir(fake_path("bpf/multikernel"), 0700) &&
	      !run_mkctl(&r, "policy", "list", "--json", NULL) &&
	      expect_run(&r, 0, "[]\n", "");
	return ok;
}

/* Pins web and auto_restart; sysfs shows @name as @state for @reason. */
static bool two_policies(const char *name, const char *state,
			 const char *reason)
{
	char val[256];

	snprintf(val, sizeof(val), "%s\n", reason);
	return !fake_kernel() && !fake_pin("web", 7, 8) &&
	       !fake_pin("auto_restart", 3, 4) &&
	       !fake_write("sys/policy/name", name) &&
	       !fake_write("sys/policy/state", state) &&
	       !fake_write("sys/policy/reason", val);
}

static bool list_table(void)
{
	struct run r;

	return two_policies("web\n", "enabled\n", "") &&
	       !run_mkctl(&r, "policy", "list", NULL) &&
	       expect_run(&r, 0,
			  "NAME          STATE     LINK  MAP  REASON\n"
			  "auto_restart  detached  3     4    -\n"
			  "web           enabled   7     8    -\n", "");
}

/* The JSON object of a policy pinned in the fake tree, in @buf. */
static char *entry_json(char *buf, size_t size, const char *name,
			const char *state, unsigned int link_id,
			unsigned int map_id, const char *reason)
{
	char rel[64];
	int n;

	snprintf(rel, sizeof(rel), "bpf/multikernel/%s", name);
	n = snprintf(buf, size, "{\"name\":\"%s\",\"state\":\"%s\",\"pin\":\"%s\",",
		     name, state, fake_path(rel));
	snprintf(buf + n, size - n, "\"link_id\":%u,\"map_id\":%u,\"reason\":\"%s\"}",
		 link_id, map_id, reason);
	return buf;
}

static bool list_json(void)
{
	char auto_restart[PATH_MAX + 256], web[PATH_MAX + 256];
	char want[sizeof(auto_restart) + sizeof(web) + 8];
	struct run r;

	snprintf(want, sizeof(want), "[%s,%s]\n",
		 entry_json(auto_restart, sizeof(auto_restart), "auto_restart",
			    "detached", 3, 4, "crashed() returned \\\"5000000\\\""),
		 entry_json(web, sizeof(web), "web", "detached", 7, 8, ""));
	return two_policies("auto_restart\n", "detached\n",
			    "crashed() returned \"5000000\"") &&
	       !run_mkctl(&r, "policy", "list", "--json", NULL) &&
	       expect_run(&r, 0, want, "");
}

static bool list_unreadable(void)
{
	char want[PATH_MAX + 64];
	struct run r;

	snprintf(want, sizeof(want),
		 "mkctl: policy: cannot read the link %s: Invalid argument\n",
		 fake_path("bpf/multikernel/web"));
	return two_policies("web\n", "enabled\n", "") &&
	       !fake_write("bpf/multikernel/web", "garbage\n") &&
	       !run_mkctl(&r, "policy", "list", NULL) &&
	       expect_run(&r, 1, "", want);
}

static bool unload(void)
{
	struct run r;
	bool ok;

	ok = two_policies("web\n", "enabled\n", "") &&
	     !run_mkctl(&r, "policy", "unload", "web", NULL) &&
	     expect_run(&r, 0, "policy web unloaded\n", "");
	ok = ok && expect_int("pin removed",
			      fake_exists("bpf/multikernel/web"), false) &&
	     expect_int("other pin kept",
			fake_exists("bpf/multikernel/auto_restart"), true) &&
	     expect_str("bpf() calls", fake_read("bpf.log"), "detach 7\n");
	return ok;
}

static bool unload_missing(void)
{
	struct run r;
	bool ok;

	ok = !fake_kernel() &&
	     !run_mkctl(&r, "policy", "unload", "web", NULL) &&
	     expect_run(&r, 1, "", "mkctl: policy: no policy web: " NO_FILE);
	ok &= !run_mkctl(&r, "policy", "unload", "../sys", NULL) &&
	      expect_run(&r, 1, "", BAD_NAME("../sys"));
	return ok && expect_int("sys kept", fake_exists("sys"), true);
}

const struct test_case policy_tests[] = {
	{ "policy: usage errors", usage_errors },
	{ "policy --help, help policy, policy load -h", help_output },
	{ "policy load of a missing file", load_missing_file },
	{ "policy load: invalid names", load_invalid_names },
	{ "policy load: --name, the object's name, the file's; taken",
	  load_names },
	{ "policy load: objects that are no policy", load_not_policies },
	{ "policy load without privilege: libbpf's log, the cause",
	  load_unprivileged },
	{ "policy load --set: integers that fit, variables that exist",
	  load_set },
	{ "policy list with no policy", list_empty },
	{ "policy list: by name, state from sysfs", list_table },
	{ "policy list --json", list_json },
	{ "policy list: a pin that is no link", list_unreadable },
	{ "policy unload detaches and unpins", unload },
	{ "policy unload of a missing or invalid name", unload_missing },
};

const size_t nr_policy_tests = ARRAY_SIZE(policy_tests);
