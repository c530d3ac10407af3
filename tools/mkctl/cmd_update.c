// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl update NAME [--cpus LIST|+N|-N] [--memory SIZE|+SIZE|-SIZE]
 *		[--json]
 *
 * Change an instance's CPUs or memory: live if it is running (the write
 * returns once the spawn has the new CPUs or memory), for its next start
 * if it is stopped.  Everything asked is checked, and the CPUs for +N
 * picked, before anything is written; then cpus is written, then memory.
 * If the kernel refuses the memory after the CPUs changed, the change of
 * the CPUs is still printed, and the exit status is 1.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkctl.h"
#include "cpuset.h"

#define OPT_CPUS	500
#define OPT_MEMORY	501

/* What the options ask. */
struct request {
	const char *cpus;		/* --cpus as given, or NULL */
	char cpus_sign;			/* '+' or '-' for +N and -N, else 0 */
	unsigned int cpus_n;		/* the N */
	const char *memory;		/* --memory as given, or NULL */
	char memory_sign;		/* '+' or '-' for a change, else 0 */
	unsigned long long bytes;	/* the size, or the change */
	bool json;
};

/* The instance as it was, what is written and what was. */
struct update {
	struct mk_instance inst;
	bool live;			/* it runs: the kernel resizes it live */
	char cpus[MK_VALUE_MAX + 1];	/* the cpulist to write */
	unsigned long long bytes;	/* the memory to write */
	bool cpus_done;
	bool memory_done;
};

static char sign(const char *arg)
{
	return arg[0] == '+' || arg[0] == '-' ? arg[0] : 0;
}

static int parse_cpus(const struct mk_cmd *cmd, const char *arg,
		      struct request *r)
{
	r->cpus = arg;
	r->cpus_sign = sign(arg);
	if (!r->cpus_sign || !mk_parse_cpu_count(arg + 1, &r->cpus_n))
		return MK_GO_ON;
	return mk_usage_error(cmd, "--cpus \"%s\": +N and -N take a number from 1 to %d",
			      arg, MK_MAX_CPUS);
}

/* A size, or a change of it that is not zero. */
static int parse_memory(const struct mk_cmd *cmd, const char *arg,
			struct request *r)
{
	r->memory = arg;
	r->memory_sign = sign(arg);
	if (!size_parse(arg + !!r->memory_sign, &r->bytes) &&
	    (r->bytes || !r->memory_sign))
		return MK_GO_ON;
	return mk_usage_error(cmd,
			      "--memory \"%s\": not a size such as 384M, nor a change such as +128M or -128M",
			      arg);
}

static int parse_opts(const struct mk_cmd *cmd, int argc, char **argv,
		      struct request *r)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = MK_GO_ON;

	memset(r, 0, sizeof(*r));
	optind = 0;
	opterr = 0;
	while (ret == MK_GO_ON &&
	       (c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h')
			return mk_help(cmd);
		if (c == OPT_CPUS)
			ret = parse_cpus(cmd, optarg, r);
		else if (c == OPT_MEMORY)
			ret = parse_memory(cmd, optarg, r);
		else if (c == 'j')
			r->json = true;
		else
			ret = mk_opt_error(cmd, c, argv);
	}
	if (ret != MK_GO_ON)
		return ret;
	if (!r->cpus && !r->memory)
		return mk_usage_error(cmd, "missing --cpus or --memory");
	return mk_positional(cmd, argc - optind, argv + optind, 1);
}

/*
 * The CPUs of @set, changed as asked, into u->cpus; a list given is
 * written as the kernel shows it, or as it is if it is not a list.
 */
static int plan_cpus_in(const struct mk_cmd *cmd, const struct request *r,
			struct update *u, struct mk_cpuset *set)
{
	const char *name = u->inst.name;

	if (!r->cpus_sign) {
		if (mk_cpuset_parse(r->cpus, set) ||
		    mk_cpuset_format(set, u->cpus, sizeof(u->cpus)))
			snprintf(u->cpus, sizeof(u->cpus), "%s", r->cpus);
		return MK_GO_ON;
	}
	if (mk_cpuset_parse(u->inst.cpus, set)) {
		mk_err("%s %s: cannot read cpus: \"%s\" is not a CPU list",
		       cmd->name, name, u->inst.cpus);
		return EXIT_FAILURE;
	}
	if (r->cpus_sign == '-' && mk_cpuset_drop(set, r->cpus_n))
		return mk_usage_error(cmd, "--cpus \"%s\": would leave %s no CPU (it has %u)",
				      r->cpus, name, mk_cpuset_count(set));
	if (r->cpus_sign == '+' &&
	    mk_cpus_grow(cmd->name, name, set, r->cpus_n, NULL))
		return EXIT_FAILURE;
	if (!mk_cpuset_format(set, u->cpus, sizeof(u->cpus)))
		return MK_GO_ON;
	mk_err("%s %s: CPU list too long", cmd->name, name);
	return EXIT_FAILURE;
}

static int plan_cpus(const struct mk_cmd *cmd, const struct request *r,
		     struct update *u)
{
	struct mk_cpuset *set = malloc(sizeof(*set));
	int ret;

	if (!set) {
		mk_err("%s %s: out of memory", cmd->name, u->inst.name);
		return EXIT_FAILURE;
	}
	ret = plan_cpus_in(cmd, r, u, set);
	free(set);
	return ret;
}

/* The memory asked, into u->bytes. */
static int plan_memory(const struct mk_cmd *cmd, const struct request *r,
		       struct update *u)
{
	unsigned long long now = u->inst.bytes;
	char size[32];

	u->bytes = r->bytes;
	if (r->memory_sign == '+' && r->bytes > ULLONG_MAX - now)
		return mk_usage_error(cmd, "--memory \"%s\": too large",
				      r->memory);
	if (r->memory_sign == '-' && r->bytes >= now)
		return mk_usage_error(cmd, "--memory \"%s\": would leave %s no memory (it has %s)",
				      r->memory, u->inst.name,
				      size_format(now, size, sizeof(size)));
	if (r->memory_sign == '+')
		u->bytes = now + r->bytes;
	else if (r->memory_sign == '-')
		u->bytes = now - r->bytes;
	return MK_GO_ON;
}

/* Read the instance and work out what to write. */
static int plan(const struct mk_cmd *cmd, const char *name,
		const struct request *r, struct update *u)
{
	const char *attr, *state = u->inst.state;
	int err;

	err = mk_instance_read(name, &u->inst, &attr);
	if (err) {
		mk_instance_report(cmd->name, name, err, attr);
		return EXIT_FAILURE;
	}
	u->live = !strcmp(state, "running");
	if (!u->live && strcmp(state, "stopped")) {
		mk_err("%s %s: is %s; change it once it is running, or stop it first: mkctl stop %s",
		       cmd->name, name, state, name);
		return EXIT_FAILURE;
	}
	err = r->memory ? plan_memory(cmd, r, u) : MK_GO_ON;
	if (err == MK_GO_ON && r->cpus)
		err = plan_cpus(cmd, r, u);
	return err;
}

static void report_text(const struct update *u)
{
	const struct mk_instance *inst = &u->inst;
	char old[32], new[32];

	if (u->cpus_done)
		printf("%s: cpus %s -> %s\n", inst->name,
		       inst->cpus[0] ? inst->cpus : "-", u->cpus);
	if (u->memory_done)
		printf("%s: memory %s -> %s\n", inst->name,
		       size_format(inst->bytes, old, sizeof(old)),
		       size_format(u->bytes, new, sizeof(new)));
}

static void report_json(const struct update *u)
{
	struct json_obj o, v;

	json_obj_begin(&o, stdout);
	json_obj_str(&o, "name", u->inst.name);
	if (u->cpus_done) {
		json_obj_obj(&o, "cpus", &v);
		json_obj_str(&v, "old", u->inst.cpus);
		json_obj_str(&v, "new", u->cpus);
		json_obj_end(&v);
	}
	if (u->memory_done) {
		json_obj_obj(&o, "memory", &v);
		json_obj_num(&v, "old", u->inst.bytes);
		json_obj_num(&v, "new", u->bytes);
		json_obj_end(&v);
	}
	json_obj_end(&o);
	putchar('\n');
}

/* Write cpus, then memory; print what changed. */
static int execute(const struct mk_cmd *cmd, const struct request *r,
		   struct update *u)
{
	const char *name = u->inst.name;
	bool failed = false;
	char size[32];

	if (r->cpus) {
		u->cpus_done = !mk_set(cmd->name, name, "cpus",
				       u->live ? MK_LIVE_CPUS : MK_CPUS,
				       u->cpus);
		failed = !u->cpus_done;
	}
	if (r->memory && !failed) {
		size_format(u->bytes, size, sizeof(size));
		u->memory_done = !mk_set(cmd->name, name, "memory",
					 u->live ? MK_LIVE_MEMORY : MK_MEMORY,
					 size);
		failed = !u->memory_done;
	}
	if (u->cpus_done || u->memory_done) {
		if (r->json)
			report_json(u);
		else
			report_text(u);
	}
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int run_update(const struct mk_cmd *cmd, int argc, char **argv)
{
	struct request r;
	struct update *u;
	const char *name;
	int ret;

	ret = parse_opts(cmd, argc, argv, &r);
	if (ret != MK_GO_ON)
		return ret;
	name = argv[optind];
	if (mk_need_instance(cmd->name, name))
		return EXIT_FAILURE;
	u = calloc(1, sizeof(*u));
	if (!u) {
		mk_err("%s %s: out of memory", cmd->name, name);
		return EXIT_FAILURE;
	}
	ret = plan(cmd, name, &r, u);
	if (ret == MK_GO_ON)
		ret = execute(cmd, &r, u);
	free(u);
	return ret;
}

const struct mk_cmd mk_cmd_update = {
	.name = "update",
	.summary = "resize an instance, live if it runs",
	.synopsis = "NAME [--cpus LIST|+N|-N] [--memory SIZE|+SIZE|-SIZE] [--json]",
	.help = "Change the CPUs or the memory of instance NAME.  A running\n"
		"instance gets them live, without a restart; a stopped one at\n"
		"its next start.  The CPUs change first, then the memory.\n"
		"Prints each old and new value: \"web: cpus 1 -> 1-3\".  A\n"
		"running instance's memory changes in multiples of the resize\n"
		"granule (/sys/kernel/multikernel/resize_granule).\n"
		"\n"
		"  --cpus LIST     the CPUs it is to have, a cpulist such as 2-3,5\n"
		"  --cpus +N       add N free CPUs, picked as create --cpu-count\n"
		"                  picks them\n"
		"  --cpus -N       remove its N highest-numbered CPUs\n"
		"  --memory SIZE   the memory it is to have: bytes, or K, M, G\n"
		"  --memory +SIZE  add SIZE to its memory; -SIZE takes it away\n"
		"  --json          print a JSON object of the old and new values\n",
	.run = run_update,
};
