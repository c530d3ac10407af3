// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the SMT rules for instances: whole cores unless smt_split is
 * set, the rule checked again at start, and threads parked because SMT is
 * off never lent.
 *
 * Needs a VM with two threads per core where CPUs 2 and 3 are the two
 * threads of one core ("make check" boots one: -smp 20,cores=10,threads=2),
 * a pool, /boot/bzImage and /boot/spawn-initrd.cpio.gz.
 */

#include "kselftest_harness.h"

#include "mk_spawn.h"

#define INST		"kst-smt"
#define SIBLINGS_2	"/sys/devices/system/cpu/cpu2/topology/thread_siblings_list"
#define SMT_CONTROL	"/sys/devices/system/cpu/smt/control"
#define CPU3_ONLINE	"/sys/devices/system/cpu/cpu3/online"

FIXTURE(smt) {
	struct host_snapshot before;
};

static void smt_control(const char *how)
{
	mk_write(SMT_CONTROL, how, strlen(how));
}

FIXTURE_SETUP(smt)
{
	char sib[32];

	ASSERT_EQ(0, mk_read_value(SIBLINGS_2, sib, sizeof(sib)));
	ASSERT_STREQ("2-3", sib) {
		TH_LOG("CPUs 2 and 3 must be the threads of one core");
	}
	smt_control("on");
	remove_instance(INST);
	snapshot(_metadata, &self->before);
	configure(_metadata, INST, "2-3", "64M", NULL);
}

FIXTURE_TEARDOWN(smt)
{
	remove_instance(INST);
	smt_control("on");
}

/* One thread of a core the host keeps the other of: refused by default. */
TEST_F(smt, part_of_core_refused)
{
	char cpus[32], split[8];

	get(INST, "smt_split", split, sizeof(split));
	EXPECT_STREQ("0", split);
	EXPECT_EQ(-EINVAL, set(INST, "cpus", "3"));
	get(INST, "cpus", cpus, sizeof(cpus));
	EXPECT_STREQ("2-3", cpus);
	EXPECT_EQ(-EINVAL, set(INST, "smt_split", "maybe"));
}

/* smt_split lets the admin lend one thread, and the spawn runs on it. */
TEST_F_TIMEOUT(smt, split_allowed, MK_SECS(120))
{
	char cpus[32];

	ASSERT_EQ(0, set(INST, "smt_split", "1"));
	ASSERT_EQ(0, set(INST, "cpus", "3"));
	get(INST, "cpus", cpus, sizeof(cpus));
	EXPECT_STREQ("3", cpus);
	start_running(_metadata, INST);
	EXPECT_EQ(-EBUSY, set(INST, "smt_split", "0"));
	kill_ok(_metadata, INST);
	expect_host_whole(_metadata, &self->before);
}

/* Turning smt_split off again makes the start refuse the split core. */
TEST_F(smt, rule_checked_at_start)
{
	char state[32];

	ASSERT_EQ(0, set(INST, "smt_split", "1"));
	ASSERT_EQ(0, set(INST, "cpus", "3"));
	ASSERT_EQ(0, set(INST, "smt_split", "0"));
	EXPECT_EQ(-EINVAL, set(INST, "state", "start"));
	get(INST, "state", state, sizeof(state));
	EXPECT_STREQ("stopped", state);
	expect_host_whole(_metadata, &self->before);
}

/* With SMT off, the parked thread is never lent; its core is the other. */
TEST_F_TIMEOUT(smt, parked_thread_never_lent, MK_SECS(120))
{
	struct host_snapshot off;
	char cpus[32];

	smt_control("off");
	snapshot(_metadata, &off);
	ASSERT_EQ(0, mk_read_value(CPU3_ONLINE, cpus, sizeof(cpus)));
	ASSERT_STREQ("0", cpus);
	ASSERT_EQ(0, set(INST, "smt_split", "1"));
	EXPECT_EQ(-EPERM, set(INST, "cpus", "3"));
	ASSERT_EQ(0, set(INST, "smt_split", "0"));
	ASSERT_EQ(0, set(INST, "cpus", "2"));
	get(INST, "cpus", cpus, sizeof(cpus));
	EXPECT_STREQ("2", cpus);
	start_running(_metadata, INST);
	kill_ok(_metadata, INST);
	expect_host_whole(_metadata, &off);
	smt_control("on");
	expect_host_whole(_metadata, &self->before);
}

TEST_HARNESS_MAIN
