// SPDX-License-Identifier: GPL-2.0
/*
 * The host's CPU topology as sysfs shows it under /sys/devices/system
 * (MKCTL_SYSDEVICES moves that root, for tests), the CPUs the instances
 * have, and choosing free CPUs for an instance with both.
 *
 * A CPU's core is the lowest CPU of its topology/core_cpus_list (or of
 * thread_siblings_list on kernels without it); its node is the N of the
 * node/nodeN/cpulist that holds it.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkctl.h"
#include "cpuset.h"

/**
 * mk_sysdevices() - the directory of the CPU and node topology
 *
 * Return: $MKCTL_SYSDEVICES if set, else /sys/devices/system.
 */
const char *mk_sysdevices(void)
{
	const char *dir = getenv("MKCTL_SYSDEVICES");

	return dir && *dir ? dir : "/sys/devices/system";
}

/* Read the cpulist in mk_sysdevices()/@rel into @set. */
static int read_list(const char *rel, struct mk_cpuset *set)
{
	char file[PATH_MAX], list[MK_VALUE_MAX + 1];
	int n, err;

	n = snprintf(file, sizeof(file), "%s/%s", mk_sysdevices(), rel);
	if (n < 0 || (size_t)n >= sizeof(file))
		return -ENAMETOOLONG;
	err = mk_read_attr(file, list, sizeof(list));
	return err ? err : mk_cpuset_parse(list, set);
}

static void read_core(struct mk_topo *t, unsigned int cpu)
{
	static const char * const files[] = {
		"core_cpus_list", "thread_siblings_list",
	};
	struct mk_cpuset set;
	unsigned int first;
	char rel[64];
	size_t i;

	t->core[cpu] = cpu;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(rel, sizeof(rel), "cpu/cpu%u/topology/%s", cpu,
			 files[i]);
		if (read_list(rel, &set))
			continue;
		for (first = 0; first < MK_MAX_CPUS; first++) {
			if (set.cpu[first]) {
				t->core[cpu] = first;
				return;
			}
		}
	}
}

static void read_nodes(struct mk_topo *t)
{
	struct mk_cpuset set;
	struct dirent *d;
	unsigned int node, cpu;
	char dir[PATH_MAX], rel[64], end;
	DIR *nodes;

	snprintf(dir, sizeof(dir), "%s/node", mk_sysdevices());
	nodes = opendir(dir);
	if (!nodes)
		return;
	while ((d = readdir(nodes))) {
		if (sscanf(d->d_name, "node%u%c", &node, &end) != 1 ||
		    node >= MK_MAX_CPUS)
			continue;
		snprintf(rel, sizeof(rel), "node/node%u/cpulist", node);
		if (read_list(rel, &set))
			continue;
		for (cpu = 0; cpu < MK_MAX_CPUS; cpu++)
			if (set.cpu[cpu])
				t->node[cpu] = node;
	}
	closedir(nodes);
}

/**
 * mk_topo_read() - read the host's CPU topology
 * @t: where to store it
 *
 * Only cpu/online is needed; without core or node files every CPU is its
 * own core on node 0.
 *
 * Return: 0, or the -errno of reading cpu/online.
 */
int mk_topo_read(struct mk_topo *t)
{
	unsigned int cpu;
	int err;

	memset(t, 0, sizeof(*t));
	err = read_list("cpu/online", &t->online);
	if (err)
		return err;
	for (cpu = 0; cpu < MK_MAX_CPUS; cpu++)
		if (t->online.cpu[cpu])
			read_core(t, cpu);
	read_nodes(t);
	return 0;
}

/* Add the CPUs of instance @name to @taken. */
static int add_instance(const char *name, struct mk_cpuset *taken)
{
	char file[PATH_MAX], list[MK_VALUE_MAX + 1];
	struct mk_cpuset set;
	unsigned int cpu;
	int err;

	err = mk_inst_path(file, sizeof(file), name, "cpus");
	if (!err)
		err = mk_read_attr(file, list, sizeof(list));
	if (err == -ENOENT)
		return 0;	/* it went away */
	if (!err)
		err = mk_cpuset_parse(list, &set);
	if (err)
		return err;
	for (cpu = 0; cpu < MK_MAX_CPUS; cpu++)
		taken->cpu[cpu] |= set.cpu[cpu];
	return 0;
}

/**
 * mk_cpus_taken() - the CPUs that instances have
 * @self: an instance whose CPUs do not count, or NULL
 * @taken: where to store the CPUs
 *
 * Return: 0 or -errno.
 */
int mk_cpus_taken(const char *self, struct mk_cpuset *taken)
{
	struct dirent **names;
	int i, n, err = 0;

	memset(taken, 0, sizeof(*taken));
	n = mk_instances_scan(&names);
	if (n < 0)
		return n;
	for (i = 0; i < n && !err; i++)
		if (!self || strcmp(names[i]->d_name, self))
			err = add_instance(names[i]->d_name, taken);
	mk_instances_free(names, n);
	return err;
}

/* The free CPUs, the taken ones and what mk_cpus_pick() chose. */
struct choice {
	struct mk_topo topo;
	struct mk_cpuset taken;
	struct mk_cpuset free;
	struct mk_cpuset pick;
};

static int gather(const char *cmd, const char *name, struct choice *c,
		  const struct mk_cpuset *also_taken)
{
	int err;

	err = mk_topo_read(&c->topo);
	if (err) {
		mk_err("%s %s: cannot read %s/cpu/online: %s", cmd, name,
		       mk_sysdevices(), strerror(-err));
		return -1;
	}
	err = mk_cpus_taken(name, &c->taken);
	if (err) {
		mk_err("%s %s: cannot read the CPUs of the instances: %s", cmd,
		       name, strerror(-err));
		return -1;
	}
	if (also_taken)
		mk_cpuset_or(&c->taken, also_taken);
	return 0;
}

/* Pick @n free CPUs for @name into @pick; 0, or -1 after a message. */
static int choose(const char *cmd, const char *name, unsigned int n,
		  const struct mk_cpuset *also_taken, struct mk_cpuset *pick)
{
	struct choice *c = calloc(1, sizeof(*c));
	int ret = -1;

	if (!c) {
		mk_err("%s %s: out of memory", cmd, name);
		return -1;
	}
	if (gather(cmd, name, c, also_taken))
		goto out;
	if (mk_cpus_pick(&c->topo, &c->taken, n, &c->pick)) {
		mk_err("%s %s: cannot pick %u CPUs: only %u are free (online, not CPU 0, not given to an instance)",
		       cmd, name, n, mk_cpus_free(&c->topo, &c->taken, &c->free));
		goto out;
	}
	*pick = c->pick;
	ret = 0;
out:
	free(c);
	return ret;
}

/**
 * mk_cpus_choose() - choose free CPUs for an instance, as a cpulist
 * @cmd: the command, for messages
 * @name: the instance; its own CPUs count as free
 * @n: how many CPUs it wants
 * @also_taken: CPUs that count as taken besides the instances', or NULL
 * @buf: where to put the cpulist
 * @size: size of @buf
 *
 * Return: 0, or -1 after printing why not.
 */
int mk_cpus_choose(const char *cmd, const char *name, unsigned int n,
		   const struct mk_cpuset *also_taken, char *buf, size_t size)
{
	struct mk_cpuset *pick = malloc(sizeof(*pick));
	int ret = -1;

	if (!pick) {
		mk_err("%s %s: out of memory", cmd, name);
		return -1;
	}
	if (!choose(cmd, name, n, also_taken, pick)) {
		ret = mk_cpuset_format(pick, buf, size);
		if (ret)
			mk_err("%s %s: CPU list too long", cmd, name);
	}
	free(pick);
	return ret ? -1 : 0;
}

/**
 * mk_cpus_grow() - add free CPUs to an instance's
 * @cmd: the command, for messages
 * @name: the instance
 * @set: its CPUs, to which the CPUs picked are added
 * @n: how many CPUs to add
 * @also_taken: CPUs that count as taken besides the instances', or NULL
 *
 * The CPUs are picked as mk_cpus_choose() picks them, with those of @set
 * taken too.
 *
 * Return: 0, or -1 after printing why not.
 */
int mk_cpus_grow(const char *cmd, const char *name, struct mk_cpuset *set,
		 unsigned int n, const struct mk_cpuset *also_taken)
{
	struct mk_cpuset *taken = malloc(2 * sizeof(*taken));
	struct mk_cpuset *pick;
	int ret;

	if (!taken) {
		mk_err("%s %s: out of memory", cmd, name);
		return -1;
	}
	pick = taken + 1;
	*taken = *set;
	if (also_taken)
		mk_cpuset_or(taken, also_taken);
	ret = choose(cmd, name, n, taken, pick);
	if (!ret)
		mk_cpuset_or(set, pick);
	free(taken);
	return ret;
}
