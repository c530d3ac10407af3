// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl start NAME [--wait] [--timeout S]: boot an instance's kernel.
 */
#include <getopt.h>
#include <stdlib.h>

#include "mkctl.h"

static int run_start(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct mk_wait w;
	const char *name;
	int ret;

	ret = mk_parse_wait(cmd, argc, argv, &w);
	if (ret != MK_GO_ON)
		return ret;
	name = argv[optind];
	if (mk_need_instance(cmd->name, name) || mk_start(cmd->name, name))
		return EXIT_FAILURE;
	if (w.wait && mk_wait_running(cmd->name, name, w.timeout_ms))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

const struct mk_cmd mk_cmd_start = {
	.name = "start",
	.summary = "boot an instance's kernel",
	.synopsis = "NAME [--wait] [--timeout S]",
	.help = "Start instance NAME, stopped or crashed: boot its kernel on\n"
		"its CPUs and memory.  Returns once its first CPU runs the\n"
		"kernel (state \"starting\").\n"
		"\n"
		"  --wait        then wait until it runs its init (\"running\")\n"
		"                and print how long the boot took; fail if it\n"
		"                crashes or stops\n"
		"  --timeout S   give up waiting after S seconds (default 60);\n"
		"                the instance keeps booting\n",
	.run = run_start,
};
