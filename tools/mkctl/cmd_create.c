// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl create NAME --cpus LIST --memory SIZE --kernel PATH
 *		[--initrd PATH] [--cmdline STR]
 *
 * Makes the instance directory and writes the attributes in the order of
 * attrs[].  The first write the kernel rejects removes the directory again,
 * so a failed create leaves nothing behind.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkctl.h"

enum { CPUS, MEMORY, KERNEL, INITRD, CMDLINE, NR_ATTRS };

/* getopt_long() returns OPT_ATTR + i for the option setting attrs[i]. */
#define OPT_ATTR	256

static const struct {
	const char *attr;
	unsigned int op;
	bool required;
} attrs[NR_ATTRS] = {
	[CPUS]		= { "cpus", MK_CPUS, true },
	[MEMORY]	= { "memory", MK_MEMORY, true },
	[KERNEL]	= { "kernel", MK_KERNEL, true },
	[INITRD]	= { "initrd", MK_INITRD, false },
	[CMDLINE]	= { "cmdline", MK_CMDLINE, false },
};

static int parse(const struct mk_cmd *cmd, int argc, char **argv,
		 const char *val[])
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, OPT_ATTR + CPUS },
		{ "memory", required_argument, NULL, OPT_ATTR + MEMORY },
		{ "kernel", required_argument, NULL, OPT_ATTR + KERNEL },
		{ "initrd", required_argument, NULL, OPT_ATTR + INITRD },
		{ "cmdline", required_argument, NULL, OPT_ATTR + CMDLINE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, i;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return mk_help(cmd);
		if (c < OPT_ATTR || c >= OPT_ATTR + NR_ATTRS)
			return mk_opt_error(cmd, c, argv);
		val[c - OPT_ATTR] = optarg;
	}
	for (i = 0; i < NR_ATTRS; i++)
		if (attrs[i].required && !val[i])
			return mk_usage_error(cmd, "missing --%s",
					      attrs[i].attr);
	return mk_positional(cmd, argc - optind, argv + optind, 1);
}

/*
 * The kernel takes only absolute image paths; make a relative one
 * absolute in @buf and point val[i] there.
 */
static int absolute(const char *name, int i, const char *val[], char *buf)
{
	char why[256];

	if (!val[i] || !val[i][0] || val[i][0] == '/')
		return 0;
	if (!realpath(val[i], buf)) {
		mk_err("create %s: %s \"%s\": %s", name, attrs[i].attr, val[i],
		       mk_explain(why, sizeof(why), attrs[i].op, name, val[i],
				  errno));
		return -1;
	}
	val[i] = buf;
	return 0;
}

static int set(const char *name, int i, const char *val)
{
	char file[PATH_MAX];
	int err;

	err = mk_inst_path(file, sizeof(file), name, attrs[i].attr);
	return err ? err : mk_write_attr(file, val);
}

/* Undo the mkdir after attribute @i was refused with @err. */
static void rollback(const char *name, const char *dir, int i,
		     const char *val, int err)
{
	char why[256];

	mk_explain(why, sizeof(why), attrs[i].op, name, val, err);
	if (rmdir(dir))
		mk_err("create %s: %s \"%s\": %s; removing the instance failed: %s",
		       name, attrs[i].attr, val, why, strerror(errno));
	else
		mk_err("create %s: %s \"%s\": %s", name, attrs[i].attr, val,
		       why);
}

static int make(const char *name, const char *const val[])
{
	char dir[PATH_MAX], why[256];
	int i, err;

	err = mk_inst_path(dir, sizeof(dir), name, NULL);
	if (!err && mkdir(dir, 0755))
		err = -errno;
	if (err) {
		mk_explain(why, sizeof(why), MK_MKDIR, name, NULL, -err);
		mk_err("create %s: %s", name, why);
		return -1;
	}
	for (i = 0; i < NR_ATTRS; i++) {
		if (!val[i])
			continue;
		err = set(name, i, val[i]);
		if (err) {
			rollback(name, dir, i, val[i], -err);
			return -1;
		}
	}
	return 0;
}

static int run_create(const struct mk_cmd *cmd, int argc, char **argv)
{
	const char *val[NR_ATTRS] = { NULL };
	char kernel[PATH_MAX], initrd[PATH_MAX];
	const char *name;
	int ret;

	ret = parse(cmd, argc, argv, val);
	if (ret != MK_GO_ON)
		return ret;
	name = argv[optind];
	if (mk_check_name(cmd->name, name) ||
	    absolute(name, KERNEL, val, kernel) ||
	    absolute(name, INITRD, val, initrd) ||
	    mk_need_configfs() || make(name, val))
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}

const struct mk_cmd mk_cmd_create = {
	.name = "create",
	.summary = "create an instance",
	.synopsis = "NAME --cpus LIST --memory SIZE --kernel PATH\n"
		    "                    [--initrd PATH] [--cmdline STR]",
	.help = "Create instance NAME, stopped, with the given CPUs, memory\n"
		"and kernel.\n"
		"\n"
		"  --cpus LIST     host CPUs to lend, a cpulist such as 2-3,5\n"
		"  --memory SIZE   RAM from the pool: bytes, or K, M, G (256M)\n"
		"  --kernel PATH   the bzImage to boot\n"
		"  --initrd PATH   an initramfs to go with it\n"
		"  --cmdline STR   the kernel command line\n",
	.run = run_create,
};
