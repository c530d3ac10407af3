/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sets of CPUs, the host's CPU topology and picking CPUs for an instance
 * (mkctl create --cpu-count, cpu_count in a config file).
 */
#ifndef MKCTL_CPUSET_H
#define MKCTL_CPUSET_H

#include <stdbool.h>
#include <stddef.h>

#define MK_MAX_CPUS		4096	/* CPUs mkctl can count and pick */

/* A set of host logical CPUs. */
struct mk_cpuset {
	bool cpu[MK_MAX_CPUS];
};

/*
 * What mk_cpus_pick() needs to know of the host.  A CPU whose core or
 * node is unknown is its own core, on node 0.
 */
struct mk_topo {
	struct mk_cpuset online;	/* the online CPUs */
	int core[MK_MAX_CPUS];		/* lowest CPU of the CPU's core */
	int node[MK_MAX_CPUS];		/* the CPU's NUMA node */
};

/* cpulist.c */
int mk_cpuset_parse(const char *list, struct mk_cpuset *set);
int mk_cpuset_format(const struct mk_cpuset *set, char *buf, size_t size);
unsigned int mk_cpuset_count(const struct mk_cpuset *set);
bool mk_cpuset_equal(const struct mk_cpuset *a, const struct mk_cpuset *b);
void mk_cpuset_or(struct mk_cpuset *set, const struct mk_cpuset *more);
int mk_cpuset_drop(struct mk_cpuset *set, unsigned int n);

/* cpupick.c */
unsigned int mk_cpus_free(const struct mk_topo *t,
			  const struct mk_cpuset *taken,
			  struct mk_cpuset *free);
int mk_cpus_pick(const struct mk_topo *t, const struct mk_cpuset *taken,
		 unsigned int n, struct mk_cpuset *pick);

/* topo.c */
const char *mk_sysdevices(void);
int mk_topo_read(struct mk_topo *t);
int mk_cpus_taken(const char *self, struct mk_cpuset *taken);
int mk_cpus_choose(const char *cmd, const char *name, unsigned int n,
		   const struct mk_cpuset *also_taken, char *buf, size_t size);
int mk_cpus_grow(const char *cmd, const char *name, struct mk_cpuset *set,
		 unsigned int n, const struct mk_cpuset *also_taken);

#endif /* MKCTL_CPUSET_H */
