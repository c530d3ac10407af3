// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl stop NAME [--force] [--timeout S]: stop an instance, cleanly if
 * it can.
 */
#include <getopt.h>
#include <stdlib.h>

#include "mkctl.h"

#define OPT_FORCE	'f'

static int parse(const struct mk_cmd *cmd, int argc, char **argv,
		 bool *force, long *timeout_ms)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "timeout", required_argument, NULL, MK_OPT_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret;

	*force = false;
	*timeout_ms = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return mk_help(cmd);
		case OPT_FORCE:
			*force = true;
			break;
		case MK_OPT_TIMEOUT:
			ret = mk_parse_timeout(cmd, optarg, timeout_ms);
			if (ret != MK_GO_ON)
				return ret;
			break;
		default:
			return mk_opt_error(cmd, c, argv);
		}
	}
	if (*force && *timeout_ms >= 0)
		return mk_usage_error(cmd, "--force does not wait: no --timeout");
	return mk_positional(cmd, argc - optind, argv + optind, 1);
}

static int run_stop(const struct mk_cmd *cmd, int argc, char **argv)
{
	const char *name;
	long timeout_ms;
	bool force;
	int ret;

	ret = parse(cmd, argc, argv, &force, &timeout_ms);
	if (ret != MK_GO_ON)
		return ret;
	name = argv[optind];
	if (mk_need_instance(cmd->name, name) ||
	    mk_stop(cmd->name, name, force, timeout_ms))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

const struct mk_cmd mk_cmd_stop = {
	.name = "stop",
	.summary = "stop an instance",
	.synopsis = "NAME [--force] [--timeout S]",
	.help = "Stop instance NAME: ask its kernel to shut down and wait until\n"
		"it is stopped.  If that takes too long, force it.  Stopping a\n"
		"stopped instance does nothing; a crashed one becomes stopped.\n"
		"Either way its CPUs and memory go back to the host.\n"
		"\n"
		"  --force       force the stop at once, whatever the instance\n"
		"                is doing (writes \"kill\" to its state)\n"
		"  --timeout S   force it after S seconds (default: the\n"
		"                instance's stop_timeout_ms, plus 5 s)\n",
	.run = run_stop,
};
