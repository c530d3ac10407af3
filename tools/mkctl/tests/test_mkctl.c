// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl's tests, reported as TAP: test_mkctl [PATH-OF-MKCTL [PATH-OF-MK-AGENT]]
 *
 * Every case runs with a fresh fake tree (see fake_setup()), in a child
 * process of its own: a case that crashes or hangs is reported as failed
 * and the next ones still run.  The unit cases call mkctl's functions;
 * the others run the binary.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mkctl.h"
#include "harness.h"

#define CASE_TIMEOUT	120	/* seconds a case may take */

/* In the child: run the case; exit 0 if it passed. */
static void child(const struct test_case *t)
{
	bool ok;

	setpgid(0, 0);	/* what it leaves behind is killed with it */
	alarm(CASE_TIMEOUT);
	ok = t->fn();
	fflush(stdout);
	_exit(ok ? EXIT_SUCCESS : EXIT_FAILURE);
}

/* Why the child of a case that did not pass ended, or "" for a plain fail. */
static void why_failed(int ws, char *buf, size_t size)
{
	buf[0] = '\0';
	if (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGALRM)
		snprintf(buf, size, " # timed out after %d s", CASE_TIMEOUT);
	else if (WIFSIGNALED(ws))
		snprintf(buf, size, " # crashed by signal %d (%s)",
			 WTERMSIG(ws), strsignal(WTERMSIG(ws)));
	else if (WEXITSTATUS(ws) != EXIT_FAILURE)
		snprintf(buf, size, " # exited with %d", WEXITSTATUS(ws));
}

static bool run_case(const struct test_case *t, int n)
{
	char why[64] = "";
	bool ok = false;
	pid_t pid;
	int ws;

	if (fake_setup()) {
		printf("# cannot make the fake tree\n");
	} else {
		fflush(stdout);
		pid = fork();
		if (!pid)
			child(t);
		if (pid < 0) {
			snprintf(why, sizeof(why), " # cannot fork");
		} else if (waitpid(pid, &ws, 0) == pid) {
			ok = WIFEXITED(ws) && WEXITSTATUS(ws) == EXIT_SUCCESS;
			if (!ok)
				why_failed(ws, why, sizeof(why));
			kill(-pid, SIGKILL);
		}
	}
	fake_teardown();
	printf("%s %d - %s%s\n", ok ? "ok" : "not ok", n, t->name, why);
	return ok;
}

/**
 * main() - run every case and report it in TAP
 * @argc: number of arguments
 * @argv: the arguments: optionally the path of the mkctl binary to test,
 *	then that of mk-agent
 *
 * Return: 0 if every case passed, 1 otherwise.
 */
int main(int argc, char **argv)
{
	const struct {
		const struct test_case *cases;
		size_t n;
	} suites[] = {
		{ unit_tests, nr_unit_tests },
		{ command_tests, nr_command_tests },
		{ lifecycle_tests, nr_lifecycle_tests },
		{ console_tests, nr_console_tests },
		{ cpu_tests, nr_cpu_tests },
		{ conf_tests, nr_conf_tests },
		{ apply_tests, nr_apply_tests },
		{ update_tests, nr_update_tests },
		{ json_key_tests, nr_json_key_tests },
		{ file_tests, nr_file_tests },
		{ agent_tests, nr_agent_tests },
		{ kv_tests, nr_kv_tests },
		{ policy_tests, nr_policy_tests },
	};
	size_t s, i, total = 0, failed = 0;
	int n = 0;

	if (argc > 1)
		mkctl_path = argv[1];
	if (argc > 2)
		agent_path = argv[2];
	for (s = 0; s < ARRAY_SIZE(suites); s++)
		total += suites[s].n;
	printf("TAP version 13\n");
	printf("1..%zu\n", total);
	for (s = 0; s < ARRAY_SIZE(suites); s++)
		for (i = 0; i < suites[s].n; i++)
			failed += !run_case(&suites[s].cases[i], ++n);
	printf("# %zu passed, %zu failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
