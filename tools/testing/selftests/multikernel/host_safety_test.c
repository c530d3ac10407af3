// SPDX-License-Identifier: GPL-2.0
/*
 * Tests that the host never loses a CPU or a byte to an instance it cannot
 * prove it got back, and that machine-wide operations respect lent CPUs:
 * quarantine when reclaim fails (fault injected through debugfs), kexec
 * refused while CPUs are lent, suspend refused, IPI broadcast off whenever
 * a CPU is lent however it got offline, CPUs offline before a start stay
 * offline after it, starting needs CAP_SYS_BOOT, a start finds no
 * contiguous extent in a fragmented pool (ENOSPC), and a crashed instance
 * (boot timeout) can be removed.  After every test the host has its CPUs and pool back.
 *
 * Needs the VM of "make check": CPUs 0-3, a pool of at least 512M,
 * /boot/bzImage and /boot/spawn-initrd.cpio.gz, debugfs with the
 * multikernel test hooks (CONFIG_MULTIKERNEL_MSG_TEST), CONFIG_SUSPEND.
 */

#include "kselftest_harness.h"

#include <linux/capability.h>
#include <linux/kexec.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "mk_spawn.h"

#define INST		"kst-safety"
#define FAIL_RECLAIM	"/sys/kernel/debug/multikernel/fail_reclaim_cpu"
#define IPI_BROADCAST	MK_SYSFS_DIR "/ipi_broadcast"
#define POWER_STATE	"/sys/power/state"
#define CPU2_ONLINE	"/sys/devices/system/cpu/cpu2/online"
#define CPU3_ONLINE	"/sys/devices/system/cpu/cpu3/online"

FIXTURE(safety) {
	struct host_snapshot before;
};

static void set_fail_reclaim(const char *cpu)
{
	mk_write(FAIL_RECLAIM, cpu, strlen(cpu));
}

FIXTURE_SETUP(safety)
{
	if (access(KERNEL_PATH, R_OK) || access(INITRD_PATH, R_OK))
		SKIP(return, "needs %s and %s", KERNEL_PATH, INITRD_PATH);
	ASSERT_EQ(0, access(FAIL_RECLAIM, W_OK));
	ASSERT_GE(mk_read_fact(_metadata, MK_POOL_DIR "/size"), 512 * MK_SZ_1M);
	set_fail_reclaim("0");
	mk_write(CPU2_ONLINE, "1", 1);
	remove_instance(INST);
	snapshot(_metadata, &self->before);
}

FIXTURE_TEARDOWN(safety)
{
	set_fail_reclaim("0");
	remove_instance(INST);
	remove_instance(INST "-a");
	remove_instance(INST "-b");
	remove_instance(INST "-c");
	remove_instance(INST "-d");
	mk_write(CPU2_ONLINE, "1", 1);
}

static void read_str(struct __test_metadata *_metadata, const char *path,
		     char *buf, size_t size)
{
	ASSERT_EQ(0, mk_read_value(path, buf, size)) {
		TH_LOG("%s: %s", path, strerror(errno));
	}
}

/* A CPU that cannot be proven back quarantines the instance, kill retries. */
TEST_F_TIMEOUT(safety, failed_reclaim_quarantines, MK_SECS(180))
{
	char state[32], why[256], path[PATH_MAX], val[16];
	unsigned long long free_running;

	configure(_metadata, INST, "3", "64M", NULL);
	start_running(_metadata, INST);
	free_running = mk_read_fact(_metadata, MK_POOL_DIR "/free");
	EXPECT_EQ(self->before.pool_free - 64 * MK_SZ_1M, free_running);

	set_fail_reclaim("3");
	EXPECT_EQ(-EIO, set(INST, "state", "kill"));
	get(INST, "state", state, sizeof(state));
	ASSERT_STREQ("quarantined", state);
	get(INST, "crash_reason", why, sizeof(why));
	EXPECT_NE(NULL, strstr(why, "CPU 3 not proven back")) {
		TH_LOG("crash_reason: %s", why);
	}
	/* The CPU stays lent and offline, the memory stays allocated. */
	read_str(_metadata, CPU3_ONLINE, val, sizeof(val));
	EXPECT_STREQ("0", val);
	EXPECT_EQ(-1, mk_write(CPU3_ONLINE, "1", 1));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(free_running, mk_read_fact(_metadata, MK_POOL_DIR "/free"));
	read_str(_metadata, IPI_BROADCAST, val, sizeof(val));
	EXPECT_STREQ("disabled", val);
	/* Only kill leaves quarantine; the instance cannot go meanwhile. */
	EXPECT_EQ(-EBUSY, set(INST, "state", "stop"));
	EXPECT_EQ(-EBUSY, set(INST, "state", "start"));
	snprintf(path, sizeof(path), "%s/%s", MK_INSTANCES_DIR, INST);
	EXPECT_EQ(-1, rmdir(path));
	EXPECT_EQ(EBUSY, errno);
	/* Still failing: still quarantined. */
	EXPECT_EQ(-EIO, set(INST, "state", "kill"));
	get(INST, "state", state, sizeof(state));
	EXPECT_STREQ("quarantined", state);

	set_fail_reclaim("0");
	kill_ok(_metadata, INST);
	get(INST, "crash_reason", why, sizeof(why));
	EXPECT_STREQ("", why);
	expect_host_whole(_metadata, &self->before);
	read_str(_metadata, IPI_BROADCAST, val, sizeof(val));
	EXPECT_STREQ("enabled", val);
}

static long kexec_file_load(int kfd, unsigned long flags)
{
	return syscall(SYS_kexec_file_load, kfd, -1, 1UL, "", flags);
}

/* No kexec image while CPUs are lent; unloading is fine. */
TEST_F_TIMEOUT(safety, kexec_refused_while_lent, MK_SECS(180))
{
	int kfd = open(KERNEL_PATH, O_RDONLY);

	ASSERT_LE(0, kfd);
	configure(_metadata, INST, "3", "64M", NULL);
	start_running(_metadata, INST);
	EXPECT_EQ(-1, kexec_file_load(kfd, KEXEC_FILE_NO_INITRAMFS));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, kexec_file_load(kfd, KEXEC_FILE_UNLOAD));
	kill_ok(_metadata, INST);
	expect_host_whole(_metadata, &self->before);

	EXPECT_EQ(0, kexec_file_load(kfd, KEXEC_FILE_NO_INITRAMFS)) {
		TH_LOG("kexec_file_load after the stop: %s", strerror(errno));
	}
	EXPECT_EQ(0, kexec_file_load(kfd, KEXEC_FILE_UNLOAD));
	close(kfd);
}

/* Suspend would power lent CPUs off behind their kernels. */
TEST_F_TIMEOUT(safety, suspend_refused_while_lent, MK_SECS(180))
{
	configure(_metadata, INST, "3", "64M", NULL);
	start_running(_metadata, INST);
	EXPECT_EQ(-1, mk_write(POWER_STATE, "freeze", 6));
	EXPECT_EQ(EBUSY, errno);
	kill_ok(_metadata, INST);
	expect_host_whole(_metadata, &self->before);
}

/*
 * IPI broadcast is off while a CPU is lent, whether the host onlined it
 * before (lending is a hotplug operation) or the admin had it offline
 * already (no hotplug operation at all); a CPU offline before the start is
 * offline after it.
 */
TEST_F_TIMEOUT(safety, ipi_broadcast_follows_lending, MK_SECS(240))
{
	char val[16];

	read_str(_metadata, IPI_BROADCAST, val, sizeof(val));
	ASSERT_STREQ("enabled", val);

	configure(_metadata, INST, "2", "64M", NULL);
	start_running(_metadata, INST);
	read_str(_metadata, IPI_BROADCAST, val, sizeof(val));
	EXPECT_STREQ("disabled", val);
	kill_ok(_metadata, INST);
	read_str(_metadata, IPI_BROADCAST, val, sizeof(val));
	EXPECT_STREQ("enabled", val);
	read_str(_metadata, CPU2_ONLINE, val, sizeof(val));
	EXPECT_STREQ("1", val);

	ASSERT_EQ(1, mk_write(CPU2_ONLINE, "0", 1));
	read_str(_metadata, IPI_BROADCAST, val, sizeof(val));
	EXPECT_STREQ("enabled", val);
	start_running(_metadata, INST);
	read_str(_metadata, IPI_BROADCAST, val, sizeof(val));
	EXPECT_STREQ("disabled", val);
	kill_ok(_metadata, INST);
	read_str(_metadata, IPI_BROADCAST, val, sizeof(val));
	EXPECT_STREQ("enabled", val);
	read_str(_metadata, CPU2_ONLINE, val, sizeof(val));
	EXPECT_STREQ("0", val);
	ASSERT_EQ(1, mk_write(CPU2_ONLINE, "1", 1));
	expect_host_whole(_metadata, &self->before);
}

/* Drop CAP_SYS_BOOT from this process only. */
static int drop_sys_boot(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_SYS_BOOT / 32].effective &= ~(1U << (CAP_SYS_BOOT % 32));
	return syscall(SYS_capset, &hdr, data);
}

/* Starting boots a kernel: it needs what kexec needs. */
TEST_F_TIMEOUT(safety, start_needs_cap_sys_boot, MK_SECS(60))
{
	char state[32];
	int status;
	pid_t pid;

	configure(_metadata, INST, "3", "64M", NULL);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(drop_sys_boot() ? 2 :
		      set(INST, "state", "start") == -EPERM ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	get(INST, "state", state, sizeof(state));
	EXPECT_STREQ("stopped", state);
	expect_host_whole(_metadata, &self->before);
}

/*
 * start takes one contiguous extent: with 512M free in two holes of 256M, a
 * 512M instance fits the pool's free bytes but not its extents.  Three
 * 256M instances fill the first 768M (the pool allocates first-fit); the
 * middle one goes.  The starts need not boot: the memory is taken at start.
 */
TEST_F_TIMEOUT(safety, start_enospc_fragmented, MK_SECS(240))
{
	static const char * const names[] = {
		INST "-a", INST "-b", INST "-c", INST "-d",
	};
	static const char * const cpus[] = { "1", "2", "3", "2" };
	char state[32];
	unsigned int i;

	if (self->before.pool_free != MK_SZ_1G)
		SKIP(return, "needs exactly 1G free in the pool");
	for (i = 0; i < 3; i++) {
		configure(_metadata, names[i], cpus[i], "256M", NULL);
		ASSERT_EQ(0, set(names[i], "state", "start"));
	}
	kill_ok(_metadata, names[1]);
	/* The CPU goes with the instance; the memory hole stays. */
	remove_instance(names[1]);
	configure(_metadata, names[3], cpus[3], "512M", NULL);
	EXPECT_EQ(512 * MK_SZ_1M, mk_read_fact(_metadata, MK_POOL_DIR "/free"));
	EXPECT_EQ(-ENOSPC, set(names[3], "state", "start"));
	get(names[3], "state", state, sizeof(state));
	EXPECT_STREQ("stopped", state);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		remove_instance(names[i]);
	expect_host_whole(_metadata, &self->before);
}

/* A crashed instance has given everything back: rmdir just removes it. */
TEST_F_TIMEOUT(safety, rmdir_crashed, MK_SECS(120))
{
	char path[PATH_MAX], state[32], why[160];

	configure(_metadata, INST, "3", "64M", NULL);
	ASSERT_EQ(0, set(INST, "boot_timeout_ms", "100"));
	ASSERT_EQ(0, set(INST, "state", "start"));
	ASSERT_TRUE(wait_state(INST, "crashed", BOOT_WAIT_MS, state,
			       sizeof(state))) {
		TH_LOG("state %s", state);
	}
	/* A boot timeout is a crash, and says so. */
	get(INST, "crash_reason", why, sizeof(why));
	EXPECT_STREQ("did not reach init before boot_timeout_ms", why);
	snprintf(path, sizeof(path), "%s/%s", MK_INSTANCES_DIR, INST);
	mk_keep_console(INST);
	EXPECT_EQ(0, rmdir(path));
	EXPECT_NE(0, access(path, F_OK));
	expect_host_whole(_metadata, &self->before);
}

TEST_HARNESS_MAIN
