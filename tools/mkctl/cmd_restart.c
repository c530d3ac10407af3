// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl restart NAME [--wait] [--timeout S]: stop cleanly, then start.
 */
#include <getopt.h>
#include <stdlib.h>

#include "mkctl.h"

static int run_restart(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct mk_wait w;
	const char *name;
	int ret;

	ret = mk_parse_wait(cmd, argc, argv, &w);
	if (ret != MK_GO_ON)
		return ret;
	name = argv[optind];
	if (mk_need_instance(cmd->name, name) ||
	    mk_stop(cmd->name, name, false, -1) ||
	    mk_start(cmd->name, name))
		return EXIT_FAILURE;
	if (w.wait && mk_wait_running(cmd->name, name, w.timeout_ms))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

const struct mk_cmd mk_cmd_restart = {
	.name = "restart",
	.summary = "stop an instance, then start it",
	.synopsis = "NAME [--wait] [--timeout S]",
	.help = "Stop instance NAME as 'mkctl stop NAME' does (cleanly, forced\n"
		"after its stop timeout), then start it.  A stopped instance\n"
		"is just started.\n"
		"\n"
		"  --wait        wait until it runs its init (\"running\")\n"
		"  --timeout S   give up waiting after S seconds (default 60)\n",
	.run = run_restart,
};
