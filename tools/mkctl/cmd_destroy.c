// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl destroy NAME: remove a stopped instance, its preserved regions
 * first.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "mkctl.h"

static int run_destroy(const struct mk_cmd *cmd, int argc, char **argv)
{
	const char *name;
	char why[256];
	int ret;

	ret = mk_parse_opts(cmd, argc, argv, 1, NULL);
	if (ret != MK_GO_ON)
		return ret;
	name = argv[optind];
	if (mk_check_name(cmd->name, name) || mk_need_configfs())
		return EXIT_FAILURE;
	ret = mk_instance_remove(name);
	if (!ret)
		return EXIT_SUCCESS;
	mk_err("destroy %s: %s", name,
	       mk_explain(why, sizeof(why), MK_RMDIR, name, NULL, -ret));
	return EXIT_FAILURE;
}

const struct mk_cmd mk_cmd_destroy = {
	.name = "destroy",
	.summary = "destroy a stopped instance",
	.synopsis = "NAME",
	.help = "Destroy instance NAME, which must be stopped, and its\n"
		"preserved regions with the data they hold.\n",
	.run = run_destroy,
};
