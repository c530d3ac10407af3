// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl spawn NAME --cpus LIST --memory SIZE --kernel PATH
 *		[--initrd PATH] [--cmdline STR] [--wait] [--timeout S]
 *
 * create, then start.  If the kernel refuses to start the instance, it is
 * destroyed again, so a failed spawn leaves nothing behind.  One that
 * starts but crashes or times out while --wait waits is kept, so that its
 * console can be read.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mkctl.h"

static int start(const char *cmd, const char *name)
{
	char dir[PATH_MAX], why[256];
	int err, gone;

	err = mk_request(name, "start");
	if (!err)
		return 0;
	mk_explain_start(why, sizeof(why), name, -err);
	gone = mk_inst_path(dir, sizeof(dir), name, NULL);
	if (!gone && rmdir(dir))
		gone = -errno;
	if (gone)
		mk_err("%s %s: %s; removing the instance failed: %s", cmd, name,
		       why, strerror(-gone));
	else
		mk_err("%s %s: %s", cmd, name, why);
	return -1;
}

static int run_spawn(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct mk_settings s;
	struct mk_wait w;
	const char *name;
	int ret;

	ret = mk_parse_settings(cmd, argc, argv, &s, &w);
	if (ret != MK_GO_ON)
		return ret;
	name = argv[optind];
	if (mk_create(cmd->name, name, &s) || start(cmd->name, name))
		return EXIT_FAILURE;
	if (w.wait && mk_wait_running(cmd->name, name, w.timeout_ms))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

const struct mk_cmd mk_cmd_spawn = {
	.name = "spawn",
	.summary = "create an instance and start it",
	.synopsis = "NAME (--cpus LIST | --cpu-count N) --memory SIZE\n"
		    "                   --kernel PATH [--initrd PATH] [--cmdline STR]\n"
		    "                   [--wait] [--timeout S]",
	.help = "Create instance NAME as create does, then start it as start\n"
		"does.  If it cannot be started, it is destroyed again.  If it\n"
		"crashes or is not running in time with --wait, it is kept so\n"
		"that 'mkctl log NAME' can show why.\n"
		"\n"
		"  --cpus LIST     host CPUs to lend, a cpulist such as 2-3,5\n"
		"  --cpu-count N   lend N free CPUs instead (see create)\n"
		"  --memory SIZE   RAM from the pool: bytes, or K, M, G (256M)\n"
		"  --kernel PATH   the bzImage to boot\n"
		"  --initrd PATH   an initramfs to go with it\n"
		"  --cmdline STR   the kernel command line\n"
		"  --wait          wait until it runs its init (\"running\")\n"
		"  --timeout S     give up waiting after S seconds (default 60)\n",
	.run = run_spawn,
};
