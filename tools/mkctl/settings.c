// SPDX-License-Identifier: GPL-2.0
/*
 * The settings of a new instance, shared by create and spawn: the options
 * that give them, and making the instance directory with them.
 *
 * mk_create() writes the attributes in the order of attrs[].  The first
 * write the kernel rejects removes the directory again, so a failed create
 * leaves nothing behind.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mkctl.h"
#include "cpuset.h"

/* getopt_long() returns OPT_ATTR + i for the option setting attrs[i]. */
#define OPT_ATTR	256

static const struct {
	const char *attr;
	unsigned int op;
	bool required;
} attrs[MK_NR_SETTINGS] = {
	[MK_SET_CPUS]		= { "cpus", MK_CPUS, true },
	[MK_SET_MEMORY]		= { "memory", MK_MEMORY, true },
	[MK_SET_KERNEL]		= { "kernel", MK_KERNEL, true },
	[MK_SET_INITRD]		= { "initrd", MK_INITRD, false },
	[MK_SET_CMDLINE]	= { "cmdline", MK_CMDLINE, false },
};

/**
 * mk_parse_cpu_count() - parse a number of CPUs
 * @s: the text: a decimal number from 1 to MK_MAX_CPUS
 * @n: where to store it
 *
 * Return: 0, or -EINVAL if @s is not such a number.
 */
int mk_parse_cpu_count(const char *s, unsigned int *n)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > MK_MAX_CPUS)
		return -EINVAL;
	*n = v;
	return 0;
}

static int parse_cpu_count(const struct mk_cmd *cmd, const char *arg,
			   unsigned int *n)
{
	if (!mk_parse_cpu_count(arg, n))
		return MK_GO_ON;
	return mk_usage_error(cmd, "--cpu-count \"%s\": not a number from 1 to %d",
			      arg, MK_MAX_CPUS);
}

/* Exactly one of --cpus and --cpu-count. */
static int check_cpus(const struct mk_cmd *cmd, const struct mk_settings *s)
{
	if (s->val[MK_SET_CPUS] && s->cpu_count)
		return mk_usage_error(cmd, "give --cpus or --cpu-count, not both");
	if (!s->val[MK_SET_CPUS] && !s->cpu_count)
		return mk_usage_error(cmd, "missing --cpus or --cpu-count");
	return MK_GO_ON;
}

/**
 * mk_parse_settings() - parse the options of create or spawn
 * @cmd: the command
 * @argc: number of arguments, the command's name included
 * @argv: the arguments: NAME and the settings
 * @s: where to store the settings given
 * @w: where to store what --wait and --timeout ask; NULL if the command
 *	takes neither
 *
 * Return: MK_GO_ON to run the command, else the exit status: 0 after
 * --help, MK_EXIT_USAGE after a usage error.  The name is then at
 * argv[optind].
 */
int mk_parse_settings(const struct mk_cmd *cmd, int argc, char **argv,
		      struct mk_settings *s, struct mk_wait *w)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, OPT_ATTR + MK_SET_CPUS },
		{ "memory", required_argument, NULL, OPT_ATTR + MK_SET_MEMORY },
		{ "kernel", required_argument, NULL, OPT_ATTR + MK_SET_KERNEL },
		{ "initrd", required_argument, NULL, OPT_ATTR + MK_SET_INITRD },
		{ "cmdline", required_argument, NULL,
		  OPT_ATTR + MK_SET_CMDLINE },
		{ "cpu-count", required_argument, NULL, MK_OPT_CPU_COUNT },
		{ "wait", no_argument, NULL, MK_OPT_WAIT },
		{ "timeout", required_argument, NULL, MK_OPT_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mk_wait none;
	int c, i, ret;

	memset(s->val, 0, sizeof(s->val));
	s->cpu_count = 0;
	if (!w)
		w = &none;
	w->wait = false;
	w->timeout_ms = -1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return mk_help(cmd);
		if (c >= OPT_ATTR && c < OPT_ATTR + MK_NR_SETTINGS) {
			s->val[c - OPT_ATTR] = optarg;
			continue;
		}
		if (w == &none && (c == MK_OPT_WAIT || c == MK_OPT_TIMEOUT))
			return mk_opt_error(cmd, '?', argv);
		if (c == MK_OPT_CPU_COUNT) {
			ret = parse_cpu_count(cmd, optarg, &s->cpu_count);
			if (ret != MK_GO_ON)
				return ret;
		} else if (c == MK_OPT_WAIT) {
			w->wait = true;
		} else if (c == MK_OPT_TIMEOUT) {
			ret = mk_parse_timeout(cmd, optarg, &w->timeout_ms);
			if (ret != MK_GO_ON)
				return ret;
		} else {
			return mk_opt_error(cmd, c, argv);
		}
	}
	ret = check_cpus(cmd, s);
	if (ret != MK_GO_ON)
		return ret;
	for (i = 0; i < MK_NR_SETTINGS; i++)
		if (attrs[i].required && !s->val[i] && i != MK_SET_CPUS)
			return mk_usage_error(cmd, "missing --%s",
					      attrs[i].attr);
	ret = mk_wait_check(cmd, w);
	if (ret != MK_GO_ON)
		return ret;
	return mk_positional(cmd, argc - optind, argv + optind, 1);
}

/*
 * The kernel takes only absolute image paths; make a relative one
 * absolute in @buf and point s->val[i] there.
 */
static int absolute(const char *cmd, const char *name, struct mk_settings *s,
		    int i, char *buf)
{
	const char *val = s->val[i];
	char why[256];

	if (!val || !val[0] || val[0] == '/')
		return 0;
	if (!realpath(val, buf)) {
		mk_err("%s %s: %s \"%s\": %s", cmd, name, attrs[i].attr, val,
		       mk_explain(why, sizeof(why), attrs[i].op, name, val,
				  errno));
		return -1;
	}
	s->val[i] = buf;
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
static void rollback(const char *cmd, const char *name, const char *dir,
		     int i, const char *val, int err)
{
	char why[256];

	mk_explain(why, sizeof(why), attrs[i].op, name, val, err);
	if (rmdir(dir))
		mk_err("%s %s: %s \"%s\": %s; removing the instance failed: %s",
		       cmd, name, attrs[i].attr, val, why, strerror(errno));
	else
		mk_err("%s %s: %s \"%s\": %s", cmd, name, attrs[i].attr, val,
		       why);
}

static int make(const char *cmd, const char *name,
		const struct mk_settings *s)
{
	char dir[PATH_MAX], why[256];
	int i, err;

	err = mk_inst_path(dir, sizeof(dir), name, NULL);
	if (!err && mkdir(dir, 0755))
		err = -errno;
	if (err) {
		mk_explain(why, sizeof(why), MK_MKDIR, name, NULL, -err);
		mk_err("%s %s: %s", cmd, name, why);
		return -1;
	}
	for (i = 0; i < MK_NR_SETTINGS; i++) {
		if (!s->val[i])
			continue;
		err = set(name, i, s->val[i]);
		if (err) {
			rollback(cmd, name, dir, i, s->val[i], -err);
			return -1;
		}
	}
	return 0;
}

/**
 * mk_create() - make an instance with its settings
 * @cmd: the command, for messages
 * @name: the instance
 * @s: its settings, from mk_parse_settings(); relative image paths are
 *	made absolute, and s->cpu_count free CPUs are picked if it is set
 *
 * Return: 0, or -1 after printing why; nothing is left behind then.
 */
int mk_create(const char *cmd, const char *name, struct mk_settings *s)
{
	if (mk_check_name(cmd, name) ||
	    absolute(cmd, name, s, MK_SET_KERNEL, s->kernel) ||
	    absolute(cmd, name, s, MK_SET_INITRD, s->initrd) ||
	    mk_need_configfs())
		return -1;
	if (s->cpu_count) {
		if (mk_cpus_choose(cmd, name, s->cpu_count, NULL, s->cpus,
				   sizeof(s->cpus)))
			return -1;
		s->val[MK_SET_CPUS] = s->cpus;
	}
	return make(cmd, name, s) ? -1 : 0;
}
