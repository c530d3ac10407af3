// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl create NAME (--cpus LIST | --cpu-count N) --memory SIZE
 *		--kernel PATH [--initrd PATH] [--cmdline STR]
 *
 * The work is in settings.c, which spawn shares.
 */
#include <getopt.h>
#include <stdlib.h>

#include "mkctl.h"

static int run_create(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct mk_settings s;
	int ret;

	ret = mk_parse_settings(cmd, argc, argv, &s, NULL);
	if (ret != MK_GO_ON)
		return ret;
	if (mk_create(cmd->name, argv[optind], &s))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

const struct mk_cmd mk_cmd_create = {
	.name = "create",
	.summary = "create an instance",
	.synopsis = "NAME (--cpus LIST | --cpu-count N) --memory SIZE\n"
		    "                    --kernel PATH [--initrd PATH] [--cmdline STR]",
	.help = "Create instance NAME, stopped, with the given CPUs, memory\n"
		"and kernel.\n"
		"\n"
		"  --cpus LIST     host CPUs to lend, a cpulist such as 2-3,5\n"
		"  --cpu-count N   lend N free CPUs, whole cores and one NUMA\n"
		"                  node if possible, instead of --cpus\n"
		"  --memory SIZE   RAM from the pool: bytes, or K, M, G (256M)\n"
		"  --kernel PATH   the bzImage to boot\n"
		"  --initrd PATH   an initramfs to go with it\n"
		"  --cmdline STR   the kernel command line\n",
	.run = run_create,
};
