// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl log NAME [-f]: an instance's console output since its last start.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>

#include "mkctl.h"

#define FOLLOW_MS	200	/* sleep between reads that found nothing */

static int parse(const struct mk_cmd *cmd, int argc, char **argv,
		 bool *follow)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*follow = false;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fh", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return mk_help(cmd);
		case 'f':
			*follow = true;
			break;
		default:
			return mk_opt_error(cmd, c, argv);
		}
	}
	return mk_positional(cmd, argc - optind, argv + optind, 1);
}

static int copy(struct mk_follow *f, bool follow)
{
	int ret;

	for (;;) {
		ret = mk_follow_copy(f, follow);
		if (ret < 0)
			return EXIT_FAILURE;
		if (mk_signalled())
			return EXIT_SUCCESS;
		if (ret > 0)
			continue;
		if (!follow)
			return EXIT_SUCCESS;
		mk_sleep_ms(FOLLOW_MS);
	}
}

static int run_log(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct mk_follow f;
	const char *name;
	bool follow;
	int ret;

	ret = parse(cmd, argc, argv, &follow);
	if (ret != MK_GO_ON)
		return ret;
	name = argv[optind];
	if (mk_check_name(cmd->name, name) || mk_need_sysfs() ||
	    mk_follow_open(&f, cmd->name, name))
		return EXIT_FAILURE;
	if (follow)
		mk_catch_signal(SIGINT);
	ret = copy(&f, follow);
	mk_follow_close(&f);
	return ret;
}

const struct mk_cmd mk_cmd_log = {
	.name = "log",
	.summary = "show an instance's console output",
	.synopsis = "NAME [-f]",
	.help = "Print the console output of instance NAME since its last\n"
		"start: its kernel log and what its init wrote to the console.\n"
		"It is kept after the instance stops or crashes, until the\n"
		"next start; the kernel keeps the last 256 KiB.\n"
		"\n"
		"  -f, --follow   keep printing output as it arrives, until\n"
		"                 interrupted (Ctrl-C exits 0); when the\n"
		"                 instance starts again, follow the new boot\n",
	.run = run_log,
};
