// SPDX-License-Identifier: GPL-2.0
/*
 * Test of how many instances can run at once: every running instance
 * needs a slice of conventional memory, /sys/kernel/multikernel/max_running
 * says how many there are, at least 16; that many instances run together
 * and one more start fails with ENOSPC, its log line naming the limit.
 *
 * Needs a VM with max_running + 2 CPUs or more, a pool of max_running + 1
 * times 64M, /boot/bzImage and /boot/spawn-initrd.cpio.gz ("make check"
 * boots one: 20 CPUs, a 1280M pool).
 */

#include "kselftest_harness.h"

#include "mk_spawn.h"

#define MAX_RUNNING	MK_SYSFS_DIR "/max_running"
#define NAME_FMT	"kst-limit-%u"

static void name_of(char *name, size_t size, unsigned int i)
{
	snprintf(name, size, NAME_FMT, i);
}

FIXTURE(limit) {
	struct host_snapshot before;
	unsigned int max;
};

FIXTURE_SETUP(limit)
{
	char name[32];
	unsigned int i;

	self->max = mk_read_fact(_metadata, MAX_RUNNING);
	ASSERT_GE(self->max, 16);
	ASSERT_GE(sysconf(_SC_NPROCESSORS_ONLN), self->max + 2);
	ASSERT_GE(mk_read_fact(_metadata, MK_POOL_DIR "/free"),
		  (self->max + 1) * 64 * MK_SZ_1M);
	for (i = 1; i <= self->max + 1; i++) {
		name_of(name, sizeof(name), i);
		remove_instance(name);
	}
	snapshot(_metadata, &self->before);
}

FIXTURE_TEARDOWN(limit)
{
	char name[32];
	unsigned int i;

	for (i = 1; i <= self->max + 1; i++) {
		name_of(name, sizeof(name), i);
		remove_instance(name);
	}
}

/* CPU i for instance i: the host keeps CPU 0. */
TEST_F_TIMEOUT(limit, max_running_then_enospc, MK_SECS(600))
{
	char name[32], cpu[16], state[32], want[160];
	unsigned int i;
	char *log;

	for (i = 1; i <= self->max + 1; i++) {
		char path[PATH_MAX];

		name_of(name, sizeof(name), i);
		snprintf(cpu, sizeof(cpu), "%u", i);
		snprintf(path, sizeof(path), "%s/%s", MK_INSTANCES_DIR, name);
		ASSERT_EQ(0, mkdir(path, 0755));
		/* One thread each: some share a core with another instance. */
		ASSERT_EQ(0, set(name, "smt_split", "1"));
		ASSERT_EQ(0, set(name, "cpus", cpu));
		ASSERT_EQ(0, set(name, "memory", "64M"));
		ASSERT_EQ(0, set(name, "kernel", KERNEL_PATH));
		ASSERT_EQ(0, set(name, "initrd", INITRD_PATH));
		/*
		 * 17 spawns and the host on the test machine's few cores
		 * starve each other's boots and heartbeats; a crash would
		 * free a slice and let one more start.
		 */
		ASSERT_EQ(0, set(name, "boot_timeout_ms", "3600000"));
		ASSERT_EQ(0, set(name, "heartbeat_timeout_ms", "3600000"));
	}
	for (i = 1; i <= self->max; i++) {
		name_of(name, sizeof(name), i);
		ASSERT_EQ(0, set(name, "state", "start")) {
			TH_LOG("start %s", name);
		}
	}
	for (i = 1; i <= self->max; i++) {
		name_of(name, sizeof(name), i);
		ASSERT_TRUE(wait_state(name, "running", 4 * BOOT_WAIT_MS, state,
				       sizeof(state))) {
			TH_LOG("%s: state %s", name, state);
		}
	}
	for (i = 1; i <= self->max; i++) {
		name_of(name, sizeof(name), i);
		get(name, "state", state, sizeof(state));
		ASSERT_STREQ("running", state);
	}
	name_of(name, sizeof(name), self->max + 1);
	EXPECT_EQ(-ENOSPC, set(name, "state", "start"));
	get(name, "state", state, sizeof(state));
	EXPECT_STREQ("stopped", state);
	snprintf(want, sizeof(want),
		 "%s: %u instances run already, the most the conventional memory allows (max_running)",
		 name, self->max);
	log = mk_read_kernel_log();
	EXPECT_LE(1, mk_count(log, want)) {
		TH_LOG("no log line \"%s\"", want);
	}
	free(log);
	for (i = 1; i <= self->max; i++) {
		name_of(name, sizeof(name), i);
		kill_ok(_metadata, name);
	}
	expect_host_whole(_metadata, &self->before);
}

TEST_HARNESS_MAIN
