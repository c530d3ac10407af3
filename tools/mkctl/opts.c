// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line parsing shared by the commands: usage text, usage errors,
 * the options of the commands that take only --json and --help, and
 * --wait and --timeout.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "mkctl.h"

/**
 * mk_usage() - print a command's usage line
 * @cmd: the command
 * @f: where to print
 */
void mk_usage(const struct mk_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: mkctl %s %s\n", cmd->name, cmd->synopsis);
}

/**
 * mk_help() - print a command's full help on stdout
 * @cmd: the command
 *
 * Return: 0, the exit status of "mkctl CMD --help".
 */
int mk_help(const struct mk_cmd *cmd)
{
	mk_usage(cmd, stdout);
	printf("\n%s", cmd->help);
	return 0;
}

/**
 * mk_usage_error() - report a usage error
 * @cmd: the command
 * @fmt: printf format of what is wrong
 *
 * Return: MK_EXIT_USAGE.
 */
int mk_usage_error(const struct mk_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mkctl: %s: ", cmd->name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	mk_usage(cmd, stderr);
	return MK_EXIT_USAGE;
}

/**
 * mk_opt_error() - report what getopt_long() did not like
 * @cmd: the command
 * @c: what getopt_long() returned: '?' or ':'
 * @argv: the arguments given to getopt_long()
 *
 * The option string must start with ':' and opterr be 0.
 *
 * Return: MK_EXIT_USAGE.
 */
int mk_opt_error(const struct mk_cmd *cmd, int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		return mk_usage_error(cmd, "option %s needs a value", arg);
	if (arg[0] == '-' && arg[1] == '-')
		return mk_usage_error(cmd, "invalid option \"%s\"", arg);
	return mk_usage_error(cmd, "invalid option \"-%c\"", optopt);
}

/**
 * mk_positional() - check the number of arguments that are not options
 * @cmd: the command
 * @argc: number of arguments left after option parsing
 * @argv: those arguments
 * @nargs: how many the command takes, 0 or 1 (an instance name, or what
 *	@cmd->arg says)
 *
 * Return: MK_GO_ON if there are @nargs, else MK_EXIT_USAGE.
 */
int mk_positional(const struct mk_cmd *cmd, int argc, char **argv, int nargs)
{
	if (argc < nargs)
		return mk_usage_error(cmd, "missing %s",
				      cmd->arg ? cmd->arg : "instance name");
	if (argc > nargs)
		return mk_usage_error(cmd, "unexpected argument \"%s\"",
				      argv[nargs]);
	return MK_GO_ON;
}

/**
 * mk_parse_opts() - parse the options of a command without settings
 * @cmd: the command
 * @argc: number of arguments, the command's name included
 * @argv: the arguments
 * @nargs: how many arguments that are not options the command takes
 * @json: set if --json is given; NULL if the command has no --json
 *
 * Return: MK_GO_ON to run the command, else the exit status: 0 after
 * --help, MK_EXIT_USAGE after a usage error.  The arguments that are not
 * options are then at argv[optind].
 */
int mk_parse_opts(const struct mk_cmd *cmd, int argc, char **argv,
		  int nargs, bool *json)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return mk_help(cmd);
		case 'j':
			if (!json)
				return mk_opt_error(cmd, '?', argv);
			*json = true;
			break;
		default:
			return mk_opt_error(cmd, c, argv);
		}
	}
	return mk_positional(cmd, argc - optind, argv + optind, nargs);
}

/**
 * mk_parse_timeout() - parse the value of --timeout
 * @cmd: the command, for the message
 * @arg: the value: whole seconds from 0 to MK_TIMEOUT_MAX
 * @ms: where to store it, in milliseconds
 *
 * Return: MK_GO_ON, or MK_EXIT_USAGE after saying what is wrong.
 */
int mk_parse_timeout(const struct mk_cmd *cmd, const char *arg, long *ms)
{
	if (!mk_seconds_parse(arg, ms))
		return MK_GO_ON;
	return mk_usage_error(cmd, "--timeout \"%s\": not a number of seconds from 0 to %d",
			      arg, MK_TIMEOUT_MAX);
}

/**
 * mk_wait_check() - check that --timeout comes with --wait
 * @cmd: the command
 * @w: what the options asked
 *
 * Return: MK_GO_ON, or MK_EXIT_USAGE.
 */
int mk_wait_check(const struct mk_cmd *cmd, const struct mk_wait *w)
{
	if (w->timeout_ms >= 0 && !w->wait)
		return mk_usage_error(cmd, "--timeout needs --wait");
	return MK_GO_ON;
}

/**
 * mk_parse_wait() - parse the options of start and restart
 * @cmd: the command
 * @argc: number of arguments, the command's name included
 * @argv: the arguments: NAME [--wait] [--timeout S]
 * @w: where to store what --wait and --timeout ask
 *
 * Return: MK_GO_ON to run the command, else the exit status: 0 after
 * --help, MK_EXIT_USAGE after a usage error.  The name is then at
 * argv[optind].
 */
int mk_parse_wait(const struct mk_cmd *cmd, int argc, char **argv,
		  struct mk_wait *w)
{
	static const struct option opts[] = {
		{ "wait", no_argument, NULL, MK_OPT_WAIT },
		{ "timeout", required_argument, NULL, MK_OPT_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	w->wait = false;
	w->timeout_ms = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return mk_help(cmd);
		case MK_OPT_WAIT:
			w->wait = true;
			break;
		case MK_OPT_TIMEOUT:
			ret = mk_parse_timeout(cmd, optarg, &w->timeout_ms);
			if (ret != MK_GO_ON)
				return ret;
			break;
		default:
			return mk_opt_error(cmd, c, argv);
		}
	}
	ret = mk_wait_check(cmd, w);
	if (ret != MK_GO_ON)
		return ret;
	return mk_positional(cmd, argc - optind, argv + optind, 1);
}
