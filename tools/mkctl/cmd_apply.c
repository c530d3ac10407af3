// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl apply [--dry-run] [FILE|DIR]...: make the instances what their
 * configuration files say (Documentation/multikernel/mkctl.rst).
 *
 * Every file is parsed before anything is changed, and every plan is
 * checked before any is carried out: a bad file, two files for one
 * instance, or an instance that is not stopped and differs in more than
 * what a running one can change live (its CPUs and memory) leave
 * everything as it was.  Then each instance is made, updated and started
 * as its plan says; one that fails does not keep the others from being
 * applied, but makes the exit status 1.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "cpuset.h"

#define CONF_DIR	"/etc/multikernel"
#define OPT_DRY_RUN	400

/* The files to apply, in order. */
struct files {
	char **path;
	int n;
};

static int add(struct files *f, const char *dir, const char *name)
{
	char **more = realloc(f->path, (f->n + 1) * sizeof(*more));
	size_t len = strlen(dir) + strlen(name) + 2;

	if (!more)
		return -ENOMEM;
	f->path = more;
	f->path[f->n] = malloc(len);
	if (!f->path[f->n])
		return -ENOMEM;
	snprintf(f->path[f->n], len, "%s%s%s", dir, *dir ? "/" : "", name);
	f->n++;
	return 0;
}

static int is_conf(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > 5 &&
	       !strcmp(d->d_name + len - 5, ".conf");
}

/* Add the *.conf files of @dir, in sorted order. */
static int add_dir(struct files *f, const char *dir)
{
	struct dirent **names;
	int i, n, err = 0;

	n = scandir(dir, &names, is_conf, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		if (!err)
			err = add(f, dir, names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return err;
}

/* Add @arg, a file or a directory; 0 or -1 after a message. */
static int add_arg(struct files *f, const char *arg)
{
	struct stat st;
	int err;

	if (stat(arg, &st))
		err = -errno;
	else if (S_ISDIR(st.st_mode))
		err = add_dir(f, arg);
	else
		err = add(f, "", arg);
	if (!err)
		return 0;
	mk_err("%s: %s: %s", "apply", arg, strerror(-err));
	return -1;
}

static void files_free(struct files *f)
{
	while (f->n--)
		free(f->path[f->n]);
	free(f->path);
}

/* Parse every file into @confs; return the number of errors. */
static int load(const struct files *f, struct mk_conf *confs)
{
	int i, j, errors = 0;

	for (i = 0; i < f->n; i++) {
		if (mk_conf_load(&confs[i], f->path[i], stderr)) {
			errors++;
			confs[i].name[0] = '\0';
			continue;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(confs[i].name, confs[j].name)) {
				mk_err("%s: instance %s is in %s too",
				       f->path[i], confs[i].name, f->path[j]);
				errors++;
				break;
			}
		}
	}
	return errors;
}

/* The CPUs that files give by list, which cpu_count must not pick. */
static void listed_cpus(const struct mk_conf *confs, int n,
			struct mk_cpuset *planned)
{
	struct mk_cpuset set;
	unsigned int cpu;
	int i;

	memset(planned, 0, sizeof(*planned));
	for (i = 0; i < n; i++) {
		if (!confs[i].cpus[0] || mk_cpuset_parse(confs[i].cpus, &set))
			continue;
		for (cpu = 0; cpu < MK_MAX_CPUS; cpu++)
			planned->cpu[cpu] |= set.cpu[cpu];
	}
}

/* Plan and check every instance, then carry the plans out. */
static int apply_all(const struct mk_conf *confs, int n, bool dry_run)
{
	struct mk_plan *plans = calloc(n, sizeof(*plans));
	struct mk_cpuset *planned = malloc(sizeof(*planned));
	int i, ret = EXIT_FAILURE, failed = 0;

	if (!plans || !planned) {
		mk_err("apply: out of memory");
		goto out;
	}
	listed_cpus(confs, n, planned);
	for (i = 0; i < n; i++)
		failed |= mk_plan_make(&plans[i], &confs[i], planned) ||
			  mk_plan_check(&plans[i]);
	if (failed)
		goto out;
	for (i = 0; i < n; i++)
		failed |= mk_plan_run(&plans[i], dry_run);
	ret = failed ? EXIT_FAILURE : EXIT_SUCCESS;
out:
	free(planned);
	free(plans);
	return ret;
}

static int parse_opts(const struct mk_cmd *cmd, int argc, char **argv,
		      bool *dry_run)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*dry_run = false;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return mk_help(cmd);
		if (c != OPT_DRY_RUN)
			return mk_opt_error(cmd, c, argv);
		*dry_run = true;
	}
	return MK_GO_ON;
}

static int run_apply(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct files f = { NULL, 0 };
	struct mk_conf *confs = NULL;
	int i, ret = EXIT_FAILURE;
	bool dry_run;

	ret = parse_opts(cmd, argc, argv, &dry_run);
	if (ret != MK_GO_ON)
		return ret;
	ret = EXIT_FAILURE;
	if (optind == argc && add_arg(&f, CONF_DIR))
		goto out;
	for (i = optind; i < argc; i++)
		if (add_arg(&f, argv[i]))
			goto out;
	if (!f.n) {
		mk_err("apply: no configuration files (*.conf) found");
		goto out;
	}
	confs = calloc(f.n, sizeof(*confs));
	if (!confs)
		mk_err("apply: out of memory");
	else if (!load(&f, confs) && !mk_need_configfs())
		ret = apply_all(confs, f.n, dry_run);
out:
	free(confs);
	files_free(&f);
	return ret;
}

const struct mk_cmd mk_cmd_apply = {
	.name = "apply",
	.summary = "make instances what their config files say",
	.synopsis = "[--dry-run] [FILE|DIR]...",
	.help = "Read instance configuration files (default: the *.conf files\n"
		"in " CONF_DIR ", in sorted order), then create each\n"
		"instance that is missing, update the settings that differ,\n"
		"and start it if the file says start = yes and it is not\n"
		"running.  A running instance whose CPUs or memory alone\n"
		"differ gets them live, as update gives them.  Prints one line\n"
		"per instance: created, updated, updated live, started or\n"
		"unchanged.  Nothing is changed if a file is wrong, or if an\n"
		"instance that is not stopped would need other changes.\n"
		"\n"
		"  --dry-run   only print what would be done\n",
	.run = run_apply,
};
