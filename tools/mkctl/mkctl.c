// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl: control multikernel instances.
 *
 * A thin client of the configfs and sysfs files documented in
 * Documentation/multikernel/admin-guide.rst.  Exit status: 0 on success,
 * 1 on failure (one line on stderr says why), 2 on usage errors.
 *
 * A new command is a cmd_*.c file defining a struct mk_cmd, and one line
 * in cmds[] below.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkctl.h"

static const struct mk_cmd * const cmds[] = {
	&mk_cmd_create,
	&mk_cmd_start,
	&mk_cmd_spawn,
	&mk_cmd_stop,
	&mk_cmd_restart,
	&mk_cmd_update,
	&mk_cmd_upgrade,
	&mk_cmd_destroy,
	&mk_cmd_list,
	&mk_cmd_status,
	&mk_cmd_log,
	&mk_cmd_console,
	&mk_cmd_exec,
	&mk_cmd_ping,
	&mk_cmd_pool,
	&mk_cmd_apply,
	&mk_cmd_policy,
};

static const struct mk_cmd *find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i]->name, name))
			return cmds[i];
	return NULL;
}

static void print_usage(FILE *f)
{
	size_t i;

	fputs("usage: mkctl COMMAND [ARGS]\n"
	      "       mkctl --help | --version\n"
	      "\n"
	      "Commands:\n", f);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-9s%s\n", cmds[i]->name, cmds[i]->summary);
	fputs("\nRun 'mkctl COMMAND --help' for the arguments of a command.\n",
	      f);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "mkctl: %s \"%s\"\n", what, arg);
	fputs("Run 'mkctl --help' for the list of commands.\n", stderr);
	return MK_EXIT_USAGE;
}

/* mkctl help [COMMAND] */
static int run_help(int argc, char **argv)
{
	const struct mk_cmd *cmd;

	if (argc < 3) {
		print_usage(stdout);
		return EXIT_SUCCESS;
	}
	cmd = find(argv[2]);
	if (!cmd)
		return usage_error("unknown command", argv[2]);
	if (argc > 3)
		return usage_error("help: unexpected argument", argv[3]);
	return mk_help(cmd);
}

static int run(int argc, char **argv)
{
	const struct mk_cmd *cmd;
	const char *arg;

	if (argc < 2) {
		print_usage(stderr);
		return MK_EXIT_USAGE;
	}
	arg = argv[1];
	if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
		print_usage(stdout);
		return EXIT_SUCCESS;
	}
	if (!strcmp(arg, "--version")) {
		puts("mkctl " MKCTL_VERSION);
		return EXIT_SUCCESS;
	}
	if (!strcmp(arg, "help"))
		return run_help(argc, argv);
	cmd = find(arg);
	if (!cmd)
		return usage_error(arg[0] == '-' ? "invalid option" :
				   "unknown command", arg);
	return cmd->run(cmd, argc - 1, argv + 1);
}

/**
 * main() - run one mkctl command
 * @argc: number of arguments
 * @argv: the arguments: a command and its own arguments
 *
 * Return: 0 on success, 1 on failure, 2 on a usage error.
 */
int main(int argc, char **argv)
{
	int ret = run(argc, argv);

	if (fflush(stdout) || ferror(stdout)) {
		mk_err("cannot write the output: %s", strerror(errno));
		if (!ret)
			ret = EXIT_FAILURE;
	}
	return ret;
}
