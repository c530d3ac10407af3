// SPDX-License-Identifier: GPL-2.0
/*
 * The files installed with mkctl: the manual page agrees with
 * mkctl --version, and the bash completion completes commands, options
 * and the instances of the fake configfs.  Both are found next to the
 * mkctl binary.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "mkctl.h"
#include "harness.h"

static bool man_version(void)
{
	char path[PATH_MAX], line[256];
	bool found = false;
	FILE *f;

	f = fopen(beside_mkctl("mkctl.8", path, sizeof(path)), "r");
	if (!f)
		return expect_str("open", path, "mkctl.8");
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, ".TH ", 4);
	fclose(f);
	return expect_int(".TH line", found, true) &&
	       expect_int(".TH has \"mkctl " MKCTL_VERSION "\"",
			  !!strstr(line, "\"mkctl " MKCTL_VERSION "\""), true);
}

/* Complete @words with the cursor on word @cword; the candidates. */
static const char *complete(const char *words, int cword)
{
	static char out[1024];
	char path[PATH_MAX], cmd[PATH_MAX + 512];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "bash -c 'source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _mkctl; echo \"${COMPREPLY[*]}\"'",
		 beside_mkctl("mkctl.bash-completion", path, sizeof(path)),
		 words, cword);
	out[0] = '\0';
	fflush(stdout);
	p = popen(cmd, "r");
	if (!p)
		return out;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

static bool completion(void)
{
	bool ok;

	ok = !fake_instance("web", "2", "running", "2", "64M", "/k", "") &&
	     !fake_instance("db", "1", "stopped", "3", "64M", "/k", "");
	ok &= expect_str("mkctl st", complete("mkctl st", 1),
			 "start stop status\n");
	ok &= expect_str("mkctl apply --", complete("mkctl apply --", 2),
			 "--dry-run --help\n");
	ok &= expect_str("mkctl create w --cpu", complete("mkctl create w --cpu", 3),
			 "--cpus --cpu-count\n");
	ok &= expect_str("mkctl stop ''", complete("mkctl stop \"\"", 2),
			 "db web\n");
	ok &= expect_str("mkctl log w", complete("mkctl log w", 2), "web\n");
	ok &= expect_str("mkctl help po", complete("mkctl help po", 2),
			 "pool policy\n");
	ok &= expect_str("mkctl e", complete("mkctl e", 1), "exec\n");
	ok &= expect_str("mkctl u", complete("mkctl u", 1), "update upgrade\n");
	ok &= expect_str("mkctl update w", complete("mkctl update w", 2),
			 "web\n");
	ok &= expect_str("mkctl update web --", complete("mkctl update web --", 3),
			 "--cpus --memory --json --help\n");
	ok &= expect_str("mkctl update web --cpus ''",
			 complete("mkctl update web --cpus \"\"", 4), "\n");
	ok &= expect_str("mkctl ping web --", complete("mkctl ping web --", 3),
			 "--count --interval --json --help\n");
	ok &= expect_str("mkctl ping w", complete("mkctl ping w", 2), "web\n");
	ok &= expect_str("mkctl exec --timeout 5 w",
			 complete("mkctl exec --timeout 5 w", 4), "web\n");
	ok &= expect_str("mkctl exec web w", complete("mkctl exec web w", 3),
			 "\n");
	ok &= expect_str("mkctl exec web ls -", complete("mkctl exec web ls -", 4),
			 "\n");
	return ok;
}

static bool policy_completion(void)
{
	bool ok;

	ok = !fake_pin("web", 1, 2) && !fake_pin("auto_restart", 3, 4);
	ok &= expect_str("mkctl po", complete("mkctl po", 1), "pool policy\n");
	ok &= expect_str("mkctl policy ''", complete("mkctl policy \"\"", 2),
			 "load list unload\n");
	ok &= expect_str("mkctl policy -", complete("mkctl policy -", 2),
			 "--help\n");
	ok &= expect_str("mkctl policy load x.bpf.o --",
			 complete("mkctl policy load x.bpf.o --", 4),
			 "--name --set --help\n");
	ok &= expect_str("mkctl policy load --name ''",
			 complete("mkctl policy load --name \"\"", 4), "\n");
	ok &= expect_str("mkctl policy list --", complete("mkctl policy list --", 3),
			 "--json --help\n");
	ok &= expect_str("mkctl policy unload ''",
			 complete("mkctl policy unload \"\"", 3), "auto_restart web\n");
	ok &= expect_str("mkctl policy unload w",
			 complete("mkctl policy unload w", 3), "web\n");
	return ok;
}

const struct test_case file_tests[] = {
	{ "mkctl.8 has the version of mkctl --version", man_version },
	{ "bash completion: commands, options, instances", completion },
	{ "bash completion: policy subcommands, options, policies",
	  policy_completion },
};

const size_t nr_file_tests = ARRAY_SIZE(file_tests);
