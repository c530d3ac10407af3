// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl apply, per instance: compare what a configuration file says with
 * what configfs shows (the plan), refuse to change an instance that is
 * not stopped, unless it runs and only its CPUs and memory differ, then
 * make, write and start what differs.  A running instance gets its new
 * CPUs and memory live, as mkctl update gives them.
 *
 * Values a file leaves out: initrd and cmdline are empty, the timeouts
 * keep whatever the instance has, and cpu_count keeps the instance's
 * CPUs if it has that many.  A running instance with another cpu_count
 * keeps its CPUs too, and gets free ones added or its highest taken.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "cpuset.h"

#define CMD		"apply"
#define BIT(k)		(1u << (k))

/* What a running instance can be changed in, live. */
#define LIVE		(BIT(MK_CONF_CPUS) | BIT(MK_CONF_MEMORY))

/* The keys apply writes, in the order it writes them. */
static const struct {
	enum mk_conf_key key;
	unsigned int op;	/* for mk_explain() */
	unsigned int live_op;	/* the same, written to a running instance */
} order[] = {
	{ MK_CONF_CPUS, MK_CPUS, MK_LIVE_CPUS },
	{ MK_CONF_MEMORY, MK_MEMORY, MK_LIVE_MEMORY },
	{ MK_CONF_KERNEL, MK_KERNEL, 0 },
	{ MK_CONF_INITRD, MK_INITRD, 0 },
	{ MK_CONF_CMDLINE, MK_CMDLINE, 0 },
	{ MK_CONF_BOOT_TIMEOUT, 0, 0 },
	{ MK_CONF_STOP_TIMEOUT, 0, 0 },
};

/* The value of @key to write, in @buf if it has to be formatted. */
static const char *value(const struct mk_plan *p, enum mk_conf_key key,
			 char *buf, size_t size)
{
	const struct mk_conf *c = p->conf;

	switch (key) {
	case MK_CONF_CPUS:
		return p->cpus;
	case MK_CONF_MEMORY:
		return size_format(c->memory, buf, size);
	case MK_CONF_KERNEL:
		return c->kernel;
	case MK_CONF_INITRD:
		return c->initrd;
	case MK_CONF_CMDLINE:
		return c->cmdline;
	case MK_CONF_BOOT_TIMEOUT:
		snprintf(buf, size, "%lu", c->boot_timeout_ms);
		return buf;
	case MK_CONF_STOP_TIMEOUT:
		snprintf(buf, size, "%lu", c->stop_timeout_ms);
		return buf;
	default:
		return "";
	}
}

/* Does the instance's timeout @attr differ from @ms? */
static bool timeout_differs(const char *name, const char *attr,
			    unsigned long ms)
{
	unsigned long long now;
	char file[PATH_MAX];

	return mk_inst_path(file, sizeof(file), name, attr) ||
	       mk_read_u64(file, &now) || now != ms;
}

/*
 * Give the running instance cpu_count CPUs in @set, which holds its CPUs:
 * free ones added, or its highest taken away.
 */
static int resize_cpus(const struct mk_plan *p, struct mk_cpuset *set,
		       const struct mk_cpuset *planned)
{
	unsigned int have = mk_cpuset_count(set), want = p->conf->cpu_count;

	if (want < have)
		return mk_cpuset_drop(set, have - want) ? -1 : 0;
	return mk_cpus_grow(CMD, p->conf->name, set, want - have, planned);
}

/*
 * Set p->cpus, from the file, or cpu_count of them: those of @now if it
 * has as many, else picked afresh, or from @now if @running.  Picked
 * CPUs are added to @planned.  0, or -1 after a message.
 */
static int plan_cpus(struct mk_plan *p, const struct mk_cpuset *now,
		     bool running, struct mk_cpuset *planned)
{
	const struct mk_conf *c = p->conf;
	struct mk_cpuset *set;
	int err;

	if (c->cpus[0]) {
		snprintf(p->cpus, sizeof(p->cpus), "%s", c->cpus);
		return 0;
	}
	if (now && mk_cpuset_count(now) == c->cpu_count)
		return mk_cpuset_format(now, p->cpus, sizeof(p->cpus)) ? -1 : 0;
	set = malloc(sizeof(*set));
	if (!set) {
		mk_err("%s %s: out of memory", CMD, c->name);
		return -1;
	}
	if (running) {
		*set = *now;
		err = resize_cpus(p, set, planned) ||
		      mk_cpuset_format(set, p->cpus, sizeof(p->cpus));
	} else {
		err = mk_cpus_choose(CMD, c->name, c->cpu_count, planned,
				     p->cpus, sizeof(p->cpus)) ||
		      mk_cpuset_parse(p->cpus, set);
	}
	if (!err)
		mk_cpuset_or(planned, set);
	free(set);
	return err ? -1 : 0;
}

/* Fill p->change for an instance that exists, as @inst shows it. */
static int plan_update(struct mk_plan *p, const struct mk_instance *inst,
		       struct mk_cpuset *planned)
{
	const struct mk_conf *c = p->conf;
	bool running = !strcmp(inst->state, "running");
	struct mk_cpuset now, want;

	if (mk_cpuset_parse(inst->cpus, &now))
		memset(&now, 0, sizeof(now));
	if (plan_cpus(p, &now, running, planned))
		return -1;
	if (mk_cpuset_parse(p->cpus, &want) || !mk_cpuset_equal(&now, &want))
		p->change |= BIT(MK_CONF_CPUS);
	if (inst->bytes != c->memory)
		p->change |= BIT(MK_CONF_MEMORY);
	if (strcmp(inst->kernel, c->kernel))
		p->change |= BIT(MK_CONF_KERNEL);
	if (strcmp(inst->initrd, c->initrd))
		p->change |= BIT(MK_CONF_INITRD);
	if (strcmp(inst->cmdline, c->cmdline))
		p->change |= BIT(MK_CONF_CMDLINE);
	if (c->line[MK_CONF_BOOT_TIMEOUT] &&
	    timeout_differs(c->name, "boot_timeout_ms", c->boot_timeout_ms))
		p->change |= BIT(MK_CONF_BOOT_TIMEOUT);
	if (c->line[MK_CONF_STOP_TIMEOUT] &&
	    timeout_differs(c->name, "stop_timeout_ms", c->stop_timeout_ms))
		p->change |= BIT(MK_CONF_STOP_TIMEOUT);
	p->live = running && p->change && !(p->change & ~LIVE);
	return 0;
}

static bool is_up(const char *state)
{
	return !strcmp(state, "running") || !strcmp(state, "starting");
}

/**
 * mk_plan_make() - work out what apply does to one instance
 * @p: where to store the plan
 * @c: the instance's configuration
 * @planned: CPUs that other instances of this apply get; CPUs picked
 *	for cpu_count are added
 *
 * Return: 0, or -1 after printing why the instance cannot be read or
 * its CPUs not picked.
 */
int mk_plan_make(struct mk_plan *p, const struct mk_conf *c,
		 struct mk_cpuset *planned)
{
	struct mk_instance *inst;
	const char *attr;
	size_t i;
	int err;

	memset(p, 0, sizeof(*p));
	p->conf = c;
	snprintf(p->state, sizeof(p->state), "stopped");
	p->exists = mk_instance_exists(c->name);
	if (!p->exists) {
		for (i = 0; i < ARRAY_SIZE(order); i++)
			if (c->line[order[i].key])
				p->change |= BIT(order[i].key);
		p->change |= BIT(MK_CONF_CPUS);
		p->start = c->start;
		return plan_cpus(p, NULL, false, planned);
	}
	inst = malloc(sizeof(*inst));
	if (!inst) {
		mk_err("%s %s: out of memory", CMD, c->name);
		return -1;
	}
	err = mk_instance_read(c->name, inst, &attr);
	if (err)
		mk_instance_report(CMD, c->name, err, attr);
	else
		err = plan_update(p, inst, planned);
	if (!err) {
		snprintf(p->state, sizeof(p->state), "%s", inst->state);
		p->start = c->start && !is_up(inst->state);
	}
	free(inst);
	return err ? -1 : 0;
}

/* "cpus, memory": the names of the keys in @change. */
static const char *keys(unsigned int change, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(order); i++)
		if (change & BIT(order[i].key))
			len += snprintf(buf + len, size - len, "%s%s",
					len ? ", " : "",
					mk_conf_key_name(order[i].key));
	return buf;
}

/**
 * mk_plan_check() - refuse to change an instance that is not stopped
 * @p: the plan
 *
 * A running instance whose CPUs and memory alone differ is resized live.
 *
 * Return: 0, or -1 after naming the instance, what differs, and the fix.
 */
int mk_plan_check(const struct mk_plan *p)
{
	const char *name = p->conf->name;
	char what[256];

	if (!p->exists || !p->change || p->live ||
	    !strcmp(p->state, "stopped"))
		return 0;
	mk_err("%s %s: is %s and differs from %s in %s; stop it first: mkctl stop %s",
	       CMD, name, p->state, p->conf->file,
	       keys(p->change, what, sizeof(what)), name);
	return -1;
}

/* Write attribute order[@i]; 0, or -1 after printing the refusal. */
static int write_one(const struct mk_plan *p, size_t i)
{
	char buf[32];

	return mk_set(CMD, p->conf->name, mk_conf_key_name(order[i].key),
		      p->live ? order[i].live_op : order[i].op,
		      value(p, order[i].key, buf, sizeof(buf)));
}

/* What execute() did. */
struct done {
	unsigned int change;	/* 1 << MK_CONF_* of the values written */
	bool start;		/* started it */
};

/* Make the instance and write what is to be written; say so in @d. */
static int execute(const struct mk_plan *p, struct done *d)
{
	const char *name = p->conf->name;
	char dir[PATH_MAX], why[256];
	size_t i;
	int err;

	if (!p->exists) {
		err = mk_inst_path(dir, sizeof(dir), name, NULL);
		if (!err && mkdir(dir, 0755))
			err = -errno;
		if (err) {
			mk_err("%s %s: %s", CMD, name,
			       mk_explain(why, sizeof(why), MK_MKDIR, name,
					  NULL, -err));
			return -1;
		}
	}
	for (i = 0; i < ARRAY_SIZE(order); i++) {
		if (!(p->change & BIT(order[i].key)))
			continue;
		if (!write_one(p, i)) {
			d->change |= BIT(order[i].key);
			continue;
		}
		if (!p->exists && rmdir(dir))
			mk_err("%s %s: removing the instance failed: %s", CMD,
			       name, strerror(errno));
		return -1;
	}
	if (p->start && mk_start(CMD, name))
		return -1;
	d->start = p->start;
	return 0;
}

/*
 * "web: created, started", "web: updated live (memory)" or, with
 * @dry_run, "web: would be ...": what @d says was done to @p's instance.
 */
static void report(const struct mk_plan *p, const struct done *d,
		   bool dry_run)
{
	char what[256];
	const char *sep = "";

	printf("%s: ", p->conf->name);
	if (!d->change && !d->start) {
		puts("unchanged");
		return;
	}
	if (dry_run)
		fputs("would be ", stdout);
	if (!p->exists) {
		fputs("created", stdout);
		sep = ", ";
	} else if (d->change) {
		printf("updated%s (%s)", p->live ? " live" : "",
		       keys(d->change, what, sizeof(what)));
		sep = ", ";
	}
	if (d->start)
		printf("%sstarted", sep);
	putchar('\n');
}

/**
 * mk_plan_run() - carry out a plan and say what was done
 * @p: the plan, checked with mk_plan_check()
 * @dry_run: only say what would be done
 *
 * A new instance whose attribute is refused is removed again.  Of one
 * that exists, what was written before the refusal is still said.
 *
 * Return: 0, or -1 after printing what failed.
 */
int mk_plan_run(const struct mk_plan *p, bool dry_run)
{
	struct done d = { p->change, p->start };

	if (dry_run) {
		report(p, &d, true);
		return 0;
	}
	memset(&d, 0, sizeof(d));
	if (!execute(p, &d)) {
		report(p, &d, false);
		return 0;
	}
	if (p->exists && d.change)
		report(p, &d, false);
	return -1;
}
