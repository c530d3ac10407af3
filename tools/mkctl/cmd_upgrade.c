// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl upgrade NAME --kernel PATH [--initrd PATH] [--cmdline STR]
 *		[--cpus LIST] [--timeout S]
 *
 * Replace the kernel of a running instance: write the successor's
 * settings into the instance's upgrade/ directory, then "upgrade" into
 * its state, which returns once the successor serves or the upgrade
 * failed; upgrade/reason then says why.  Without --cpus, as many free
 * CPUs as the instance has are picked, as --cpu-count picks them.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mkctl.h"
#include "cpuset.h"

#define OPT_KERNEL	600
#define OPT_INITRD	601
#define OPT_CMDLINE	602
#define OPT_CPUS	603
#define OPT_TIMEOUT	604

struct request {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *cpus;
	long timeout_ms;		/* -1: the instance's setting */
	char kernel_abs[PATH_MAX];
	char initrd_abs[PATH_MAX];
	char cpulist[MK_VALUE_MAX + 1];
};

/* Whole seconds the kernel takes for handover_timeout_ms: 1 to 3600. */
static int parse_timeout(const struct mk_cmd *cmd, const char *arg, long *ms)
{
	if (!mk_seconds_parse(arg, ms) && *ms >= 1000 && *ms <= 3600000)
		return MK_GO_ON;
	return mk_usage_error(cmd, "--timeout \"%s\": not a number of seconds from 1 to 3600",
			      arg);
}

static int parse_opts(const struct mk_cmd *cmd, int argc, char **argv,
		      struct request *r)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "initrd", required_argument, NULL, OPT_INITRD },
		{ "cmdline", required_argument, NULL, OPT_CMDLINE },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = MK_GO_ON;

	memset(r, 0, sizeof(*r));
	r->timeout_ms = -1;
	optind = 0;
	opterr = 0;
	while (ret == MK_GO_ON &&
	       (c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return mk_help(cmd);
		if (c == OPT_KERNEL)
			r->kernel = optarg;
		else if (c == OPT_INITRD)
			r->initrd = optarg;
		else if (c == OPT_CMDLINE)
			r->cmdline = optarg;
		else if (c == OPT_CPUS)
			r->cpus = optarg;
		else if (c == OPT_TIMEOUT)
			ret = parse_timeout(cmd, optarg, &r->timeout_ms);
		else
			ret = mk_opt_error(cmd, c, argv);
	}
	if (ret != MK_GO_ON)
		return ret;
	if (!r->kernel)
		return mk_usage_error(cmd, "missing --kernel");
	return mk_positional(cmd, argc - optind, argv + optind, 1);
}

/* The kernel takes absolute paths only. */
static const char *absolute(const char *cmd, const char *name,
			    const char *path, char *buf)
{
	if (realpath(path, buf))
		return buf;
	mk_err("%s %s: %s: %m", cmd, name, path);
	return NULL;
}

/* As many free CPUs as @name has, none of its own. */
static int pick_cpus(const char *cmd, const char *name, struct request *r)
{
	struct mk_cpuset own;
	char file[PATH_MAX], list[MK_VALUE_MAX + 1];
	unsigned int n;

	if (mk_inst_path(file, sizeof(file), name, "cpus") ||
	    mk_read_attr(file, list, sizeof(list)) ||
	    mk_cpuset_parse(list, &own)) {
		mk_err("%s %s: cannot read its CPUs", cmd, name);
		return -1;
	}
	n = mk_cpuset_count(&own);
	if (mk_cpus_choose(cmd, name, n, &own, r->cpulist, sizeof(r->cpulist)))
		return -1;
	r->cpus = r->cpulist;
	return 0;
}

/* Write the successor's settings into upgrade/. */
static int write_settings(const char *cmd, const char *name,
			  const struct request *r)
{
	char ms[32];

	/* A newline alone clears a setting: the instance's is used. */
	if (mk_set(cmd, name, "upgrade/kernel", MK_KERNEL, r->kernel) ||
	    mk_set(cmd, name, "upgrade/initrd", MK_INITRD, r->initrd ?: "\n") ||
	    mk_set(cmd, name, "upgrade/cmdline", MK_CMDLINE,
		   r->cmdline ?: "\n") ||
	    mk_set(cmd, name, "upgrade/cpus", MK_CPUS, r->cpus))
		return -1;
	if (r->timeout_ms < 0)
		return 0;
	snprintf(ms, sizeof(ms), "%ld", r->timeout_ms);
	return mk_set(cmd, name, "upgrade/handover_timeout_ms", 0, ms);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Say why the kernel refused or failed the upgrade. */
static int report_failure(const char *cmd, const char *name, int err)
{
	char file[PATH_MAX], why[MK_VALUE_MAX + 1] = "";

	if (!mk_inst_path(file, sizeof(file), name, "upgrade/reason"))
		mk_read_attr(file, why, sizeof(why));
	if (why[0])
		mk_err("%s %s: %s", cmd, name, why);
	else
		mk_err("%s %s: %s", cmd, name, strerror(err));
	return EXIT_FAILURE;
}

static int run_upgrade(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct request *r = malloc(sizeof(*r));
	const char *name;
	long start;
	int ret, err;

	if (!r) {
		mk_err("%s: out of memory", cmd->name);
		return EXIT_FAILURE;
	}
	ret = parse_opts(cmd, argc, argv, r);
	if (ret != MK_GO_ON)
		goto out;
	ret = EXIT_FAILURE;
	name = argv[optind];
	if (mk_need_instance(cmd->name, name))
		goto out;
	r->kernel = absolute(cmd->name, name, r->kernel, r->kernel_abs);
	if (!r->kernel)
		goto out;
	if (r->initrd) {
		r->initrd = absolute(cmd->name, name, r->initrd, r->initrd_abs);
		if (!r->initrd)
			goto out;
	}
	if ((!r->cpus && pick_cpus(cmd->name, name, r)) ||
	    write_settings(cmd->name, name, r))
		goto out;
	start = now_ms();
	err = mk_request(name, "upgrade");
	if (err) {
		ret = report_failure(cmd->name, name, -err);
		goto out;
	}
	printf("%s upgraded to %s on CPUs %s in %ld ms\n", name, r->kernel,
	       r->cpus, now_ms() - start);
	ret = EXIT_SUCCESS;
out:
	free(r);
	return ret;
}

const struct mk_cmd mk_cmd_upgrade = {
	.name = "upgrade",
	.summary = "replace the kernel of a running instance",
	.synopsis = "NAME --kernel PATH [--initrd PATH] [--cmdline STR]\n"
		    "    [--cpus LIST] [--timeout S]",
	.help = "Boot PATH as the successor of instance NAME's kernel on other\n"
		"CPUs and fresh pool memory while the old kernel serves; once\n"
		"the successor's init is ready, ask the old kernel to hand over,\n"
		"then pass the preserved regions and the instance's identity\n"
		"(name, id, vsock CID) to the successor and take the old\n"
		"kernel's CPUs and memory back.  If the successor fails, the old\n"
		"kernel keeps serving and nothing changed.\n"
		"\n"
		"  --kernel PATH   the successor's bzImage\n"
		"  --initrd PATH   its initramfs (default: the instance's)\n"
		"  --cmdline STR   its command line (default: the instance's)\n"
		"  --cpus LIST     its CPUs (default: as many free CPUs as the\n"
		"                  instance has, picked as --cpu-count does)\n"
		"  --timeout S     how long the old kernel may take to hand over\n"
		"                  before it is stopped by force, 1 to 3600\n"
		"                  (default: the instance's\n"
		"                  upgrade/handover_timeout_ms, 5 s at first)\n",
	.run = run_upgrade,
};
