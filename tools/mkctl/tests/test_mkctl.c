// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl's tests, reported as TAP: test_mkctl [PATH-OF-MKCTL [PATH-OF-MK-AGENT]]
 *
 * Every case runs with a fresh fake tree (see fake_setup()).  The unit
 * cases call mkctl's functions; the others run the binary.
 */
#include <stdio.h>

#include "mkctl.h"
#include "harness.h"

static bool run_case(const struct test_case *t, int n)
{
	bool ok;

	if (fake_setup()) {
		printf("# cannot make the fake tree\n");
		ok = false;
	} else {
		ok = t->fn();
	}
	fake_teardown();
	printf("%s %d - %s\n", ok ? "ok" : "not ok", n, t->name);
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
		{ json_key_tests, nr_json_key_tests },
		{ file_tests, nr_file_tests },
		{ agent_tests, nr_agent_tests },
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
