// SPDX-License-Identifier: GPL-2.0
/*
 * CPU cases: CPU sets, picking CPUs on made-up topologies, reading the
 * topology from a fake sysfs, and create --cpu-count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mkctl.h"
#include "cpuset.h"
#include "harness.h"

static struct mk_topo topo;

/*
 * Make @topo: @online CPUs online, each core @smt threads whose numbers
 * are @stride apart (1: 2-3 is a core; 4: 1 and 5 are a core), and
 * @nodes NUMA nodes of @per_node consecutive CPUs (0: no node files).
 */
static void make_topo(const char *online, unsigned int smt,
		      unsigned int stride, unsigned int per_node)
{
	unsigned int cpu, group;

	memset(&topo, 0, sizeof(topo));
	mk_cpuset_parse(online, &topo.online);
	for (cpu = 0; cpu < MK_MAX_CPUS; cpu++) {
		group = stride * smt;
		topo.core[cpu] = cpu / group * group + cpu % stride;
		topo.node[cpu] = per_node ? cpu / per_node : 0;
	}
}

/* Pick @n CPUs with @taken taken; check the error and the list. */
static bool picks(const char *taken, unsigned int n, int err,
		  const char *want)
{
	struct mk_cpuset busy, pick;
	char what[64], got[256];
	int ret;

	mk_cpuset_parse(taken, &busy);
	ret = mk_cpus_pick(&topo, &busy, n, &pick);
	mk_cpuset_format(&pick, got, sizeof(got));
	snprintf(what, sizeof(what), "pick %u, taken \"%s\"", n, taken);
	return expect_int(what, ret, err) && expect_str(what, got, want);
}

static bool cpuset_round_trip(void)
{
	static const struct {
		const char *in;
		const char *out;
	} cases[] = {
		{ "2-3,5", "2-3,5" }, { "", "" }, { "1,0,3", "0-1,3" },
		{ "4-11:2/4", "4-5,8-9" }, { "7-7", "7" },
		{ "4095", "4095" }, { "0-2,2-4", "0-4" },
	};
	struct mk_cpuset set;
	char buf[64];
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ok &= expect_int(cases[i].in, mk_cpuset_parse(cases[i].in,
							      &set), 0);
		ok &= expect_int(cases[i].in,
				 mk_cpuset_format(&set, buf, sizeof(buf)), 0);
		ok &= expect_str(cases[i].in, buf, cases[i].out);
	}
	ok &= expect_int("count", (mk_cpuset_parse("1-3,9", &set),
				   mk_cpuset_count(&set)), 4);
	ok &= expect_int("4096", mk_cpuset_parse("4096", &set), -ERANGE);
	ok &= expect_int("x", mk_cpuset_parse("x", &set), -EINVAL);
	ok &= expect_int("1,", mk_cpuset_parse("1,", &set), -EINVAL);
	mk_cpuset_parse("1-40", &set);
	ok &= expect_int("small buffer", mk_cpuset_format(&set, buf, 3),
			 -ENAMETOOLONG);
	return ok;
}

static bool pick_flat(void)
{
	bool ok;

	make_topo("0-7", 1, 1, 0);
	ok = picks("", 2, 0, "1-2");
	ok &= picks("1-2", 3, 0, "3-5");
	ok &= picks("", 7, 0, "1-7");
	ok &= picks("", 8, -ENOSPC, "");
	ok &= picks("", 0, -EINVAL, "");
	make_topo("0-2,5", 1, 1, 0);
	ok &= picks("", 3, 0, "1-2,5");
	return ok;
}

static bool pick_smt(void)
{
	bool ok;

	make_topo("0-7", 2, 1, 0);	/* cores 0-1, 2-3, 4-5, 6-7 */
	ok = picks("", 2, 0, "2-3");
	ok &= picks("", 1, 0, "1");		/* CPU 0's sibling first */
	ok &= picks("", 3, 0, "1-3");
	ok &= picks("", 4, 0, "2-5");
	ok &= picks("2", 2, 0, "4-5");
	ok &= picks("2", 3, 0, "1,4-5");
	ok &= picks("2,4,6", 2, 0, "1,3");
	ok &= picks("1-3,5-7", 1, 0, "4");
	return ok;
}

static bool pick_numa(void)
{
	bool ok;

	make_topo("0-7", 1, 1, 4);	/* node 0: 0-3, node 1: 4-7 */
	ok = picks("", 3, 0, "1-3");		/* fewest that fit */
	ok &= picks("", 4, 0, "4-7");
	ok &= picks("", 2, 0, "1-2");
	ok &= picks("2", 3, 0, "4-6");
	ok &= picks("", 5, 0, "1-5");		/* no node has 5 */
	/* Siblings 4 apart; node 0: 0-7, node 1: 8-15. */
	make_topo("0-15", 2, 4, 8);
	ok &= picks("", 2, 0, "1,5");
	ok &= picks("", 8, 0, "8-15");
	ok &= picks("1,5", 5, 0, "2-4,6-7");
	return ok;
}

static bool pick_not_enough(void)
{
	struct mk_cpuset busy, free;
	bool ok;

	make_topo("0-3", 1, 1, 0);
	ok = picks("2-3", 2, -ENOSPC, "");
	mk_cpuset_parse("2-3", &busy);
	ok &= expect_int("free", mk_cpus_free(&topo, &busy, &free), 1);
	ok &= expect_int("free CPU 1", free.cpu[1], 1);
	return ok;
}

/* Cores of two threads, node 0: 0-3, node 1: 4-7. */
static bool fake_topology(void)
{
	static const char * const dirs[] = { "devices", "devices/cpu",
		"devices/node", "devices/node/node0", "devices/node/node1" };
	char rel[128], val[16];
	unsigned int cpu;
	size_t i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		ok &= !mkdir(fake_path(dirs[i]), 0755);
	ok &= !fake_write("devices/cpu/online", "0-7\n");
	ok &= !fake_write("devices/node/node0/cpulist", "0-3\n");
	ok &= !fake_write("devices/node/node1/cpulist", "4-7\n");
	for (cpu = 0; ok && cpu < 8; cpu++) {
		snprintf(rel, sizeof(rel), "devices/cpu/cpu%u", cpu);
		ok &= !mkdir(fake_path(rel), 0755);
		snprintf(rel, sizeof(rel), "devices/cpu/cpu%u/topology", cpu);
		ok &= !mkdir(fake_path(rel), 0755);
		snprintf(rel, sizeof(rel),
			 "devices/cpu/cpu%u/topology/core_cpus_list", cpu);
		snprintf(val, sizeof(val), "%u-%u\n", cpu & ~1u, cpu | 1u);
		ok &= !fake_write(rel, val);
	}
	return ok;
}

static bool topo_reads(void)
{
	struct mk_topo *t = calloc(1, sizeof(*t));
	bool ok;

	ok = fake_topology() && t && !mk_topo_read(t);
	ok = ok && expect_int("core of 5", t->core[5], 4) &&
	     expect_int("core of 2", t->core[2], 2) &&
	     expect_int("node of 5", t->node[5], 1) &&
	     expect_int("node of 3", t->node[3], 0) &&
	     expect_int("online", mk_cpuset_count(&t->online), 8);
	free(t);
	return ok;
}

static bool topo_missing(void)
{
	struct mk_topo *t = calloc(1, sizeof(*t));
	bool ok;

	ok = t && expect_int("no cpu/online", mk_topo_read(t), -ENOENT);
	free(t);
	return ok;
}

static bool create_cpu_count(void)
{
	struct run r;
	bool ok;

	ok = fake_topology() && !fake_kernel() &&
	     !fake_instance("db", "1", "stopped", "2-3", "64M", "/k", "");
	ok = ok && !run_mkctl(&r, "create", "web", "--cpu-count", "2",
			      "--memory", "64M", "--kernel", "/k", NULL) &&
	     expect_run(&r, 0, "", "") &&
	     expect_str("cpus", fake_read("config/instances/web/cpus"), "4-5");
	ok = ok && !run_mkctl(&r, "create", "big", "--cpu-count", "5",
			      "--memory", "64M", "--kernel", "/k", NULL) &&
	     expect_run(&r, 1, "",
			"mkctl: create big: cannot pick 5 CPUs: only 3 are free "
			"(online, not CPU 0, not given to an instance)\n") &&
	     expect_int("big made", fake_exists("config/instances/big"), 0);
	return ok;
}

static bool create_cpu_count_usage(void)
{
	const char *usage =
		"usage: mkctl create NAME (--cpus LIST | --cpu-count N) --memory SIZE\n"
		"                    --kernel PATH [--initrd PATH] [--cmdline STR]\n";
	char want[512];
	struct run r;
	bool ok;

	snprintf(want, sizeof(want),
		 "mkctl: create: give --cpus or --cpu-count, not both\n%s",
		 usage);
	ok = !run_mkctl(&r, "create", "web", "--cpus", "2", "--cpu-count",
			"2", "--memory", "64M", "--kernel", "/k", NULL) &&
	     expect_run(&r, 2, "", want);
	snprintf(want, sizeof(want),
		 "mkctl: create: missing --cpus or --cpu-count\n%s", usage);
	ok &= !run_mkctl(&r, "create", "web", "--memory", "64M",
			 "--kernel", "/k", NULL) &&
	      expect_run(&r, 2, "", want);
	snprintf(want, sizeof(want),
		 "mkctl: create: --cpu-count \"0\": not a number from 1 to 4096\n%s",
		 usage);
	ok &= !run_mkctl(&r, "create", "web", "--cpu-count", "0",
			 "--memory", "64M", "--kernel", "/k", NULL) &&
	      expect_run(&r, 2, "", want);
	return ok;
}

const struct test_case cpu_tests[] = {
	{ "mk_cpuset: parse, format, count", cpuset_round_trip },
	{ "mk_cpus_pick: one node, no SMT", pick_flat },
	{ "mk_cpus_pick: whole cores first, CPU 0's sibling", pick_smt },
	{ "mk_cpus_pick: one NUMA node if one fits", pick_numa },
	{ "mk_cpus_pick: ENOSPC and the free count", pick_not_enough },
	{ "mk_topo_read: cores and nodes from sysfs", topo_reads },
	{ "mk_topo_read: no cpu/online", topo_missing },
	{ "create --cpu-count: picks free CPUs, or says how many",
	  create_cpu_count },
	{ "create --cpu-count: usage errors", create_cpu_count_usage },
};

const size_t nr_cpu_tests = ARRAY_SIZE(cpu_tests);
