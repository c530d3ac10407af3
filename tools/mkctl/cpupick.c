// SPDX-License-Identifier: GPL-2.0
/*
 * Picking N CPUs for an instance, from a description of the host's
 * topology (no file is read here, so that tests can make up topologies).
 *
 * A CPU is free if it is online, is not CPU 0 and no instance has it.
 * The CPUs come from one NUMA node if one has enough free CPUs: the node
 * with the fewest that still has enough, so that larger nodes stay whole
 * for larger instances.  Within the CPUs allowed, whole cores (every
 * online thread free) come first, lowest CPU first; the rest of the
 * request takes threads of cores that are shared already, and only then
 * splits a whole core.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"

/**
 * mk_cpus_free() - the CPUs an instance may be given
 * @t: the topology
 * @taken: the CPUs that instances have
 * @free: where to store the free CPUs
 *
 * Return: how many CPUs are free.
 */
unsigned int mk_cpus_free(const struct mk_topo *t,
			  const struct mk_cpuset *taken,
			  struct mk_cpuset *free)
{
	unsigned int cpu, n = 0;

	memset(free, 0, sizeof(*free));
	for (cpu = 1; cpu < MK_MAX_CPUS; cpu++) {
		free->cpu[cpu] = t->online.cpu[cpu] && !taken->cpu[cpu];
		n += free->cpu[cpu];
	}
	return n;
}

static int node_of(const struct mk_topo *t, unsigned int cpu)
{
	int node = t->node[cpu];

	return node >= 0 && node < MK_MAX_CPUS ? node : 0;
}

static int core_of(const struct mk_topo *t, unsigned int cpu)
{
	int core = t->core[cpu];

	return core >= 0 && core < MK_MAX_CPUS ? core : (int)cpu;
}

/* Keep in @allowed only the free CPUs of the best node with @n of them. */
static void best_node(const struct mk_topo *t, struct mk_cpuset *allowed,
		      unsigned int n)
{
	static unsigned int count[MK_MAX_CPUS];	/* free CPUs per node */
	unsigned int cpu, node, best = MK_MAX_CPUS;

	memset(count, 0, sizeof(count));
	for (cpu = 0; cpu < MK_MAX_CPUS; cpu++)
		count[node_of(t, cpu)] += allowed->cpu[cpu];
	for (node = 0; node < MK_MAX_CPUS; node++)
		if (count[node] >= n && (best == MK_MAX_CPUS ||
					 count[node] < count[best]))
			best = node;
	if (best == MK_MAX_CPUS)
		return;
	for (cpu = 0; cpu < MK_MAX_CPUS; cpu++)
		if (node_of(t, cpu) != (int)best)
			allowed->cpu[cpu] = false;
}

/* Per core: how many threads are online, how many of them allowed. */
struct cores {
	unsigned int online[MK_MAX_CPUS];
	unsigned int allowed[MK_MAX_CPUS];
};

static void count_cores(const struct mk_topo *t,
			const struct mk_cpuset *allowed, struct cores *c)
{
	unsigned int cpu;

	memset(c, 0, sizeof(*c));
	for (cpu = 0; cpu < MK_MAX_CPUS; cpu++) {
		c->online[core_of(t, cpu)] += t->online.cpu[cpu];
		c->allowed[core_of(t, cpu)] += allowed->cpu[cpu];
	}
}

/* Take every allowed CPU of @core into @pick; return how many. */
static unsigned int take_core(const struct mk_topo *t,
			      const struct mk_cpuset *allowed, int core,
			      struct mk_cpuset *pick)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < MK_MAX_CPUS; cpu++) {
		if (allowed->cpu[cpu] && !pick->cpu[cpu] &&
		    core_of(t, cpu) == core) {
			pick->cpu[cpu] = true;
			n++;
		}
	}
	return n;
}

/*
 * Take CPUs of @allowed into @pick while @n wants more: whole cores that
 * fit if @whole, else single threads, of shared cores only if @shared.
 */
static unsigned int take(const struct mk_topo *t,
			 const struct mk_cpuset *allowed,
			 const struct cores *c, bool whole, bool shared,
			 unsigned int n, struct mk_cpuset *pick)
{
	unsigned int cpu;
	int core;

	for (cpu = 0; cpu < MK_MAX_CPUS && n; cpu++) {
		if (!allowed->cpu[cpu] || pick->cpu[cpu])
			continue;
		core = core_of(t, cpu);
		if (whole) {
			if (c->allowed[core] == c->online[core] &&
			    c->allowed[core] <= n)
				n -= take_core(t, allowed, core, pick);
		} else if (!shared || c->allowed[core] < c->online[core]) {
			pick->cpu[cpu] = true;
			n--;
		}
	}
	return n;
}

/**
 * mk_cpus_pick() - choose CPUs for an instance
 * @t: the host's topology
 * @taken: the CPUs that instances have already
 * @n: how many CPUs the instance wants, at least 1
 * @pick: where to store the CPUs chosen
 *
 * Return: 0; -EINVAL if @n is 0; -ENOSPC if fewer than @n CPUs are free.
 */
int mk_cpus_pick(const struct mk_topo *t, const struct mk_cpuset *taken,
		 unsigned int n, struct mk_cpuset *pick)
{
	static struct mk_cpuset allowed;
	static struct cores c;

	memset(pick, 0, sizeof(*pick));
	if (!n)
		return -EINVAL;
	if (mk_cpus_free(t, taken, &allowed) < n)
		return -ENOSPC;
	best_node(t, &allowed, n);
	count_cores(t, &allowed, &c);
	n = take(t, &allowed, &c, true, false, n, pick);
	n = take(t, &allowed, &c, false, true, n, pick);
	take(t, &allowed, &c, false, false, n, pick);
	return 0;
}
