// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of booting kernels on multikernel instances: the mk-ready line of
 * the default spawn userspace, one- and two-CPU instances, two at once,
 * start/stop cycles, crashes (LKDTM inside the spawn), a hard lockup
 * recovered by kill, refused images, power-off and reboot inside a spawn.
 * After every test the host must have its CPUs and pool back, exactly.
 *
 * Needs the VM of "make check": CPUs 0-3, a pool of at least 512M,
 * /boot/bzImage built with CONFIG_MULTIKERNEL and LKDTM, and
 * /boot/spawn-initrd.cpio.gz.
 */

#include "kselftest_harness.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mk_spawn.h"

#define INST_A		"kst-spawn-a"
#define INST_B		"kst-spawn-b"
#define BAD_IMAGE	"/tmp/kst-bad-image"
#define LKDTM		"/sys/kernel/debug/provoke-crash/DIRECT"
#define CYCLES		20

/* The mk-ready line, checked field by field. */
static void expect_ready(struct __test_metadata *_metadata, const char *inst,
			 const char *cpus, unsigned long long memory)
{
	char line[256], want[128], id[16];
	unsigned long long kb;
	char *p;

	get(inst, "id", id, sizeof(id));
	ASSERT_TRUE(wait_console(inst, "mk-ready ", BOOT_WAIT_MS, line,
				 sizeof(line)));
	snprintf(want, sizeof(want), "mk-ready name=%s id=%s cpus=%s memtotal_kb=",
		 inst, id, cpus);
	ASSERT_EQ(0, strncmp(line, want, strlen(want))) {
		TH_LOG("got \"%s\", want \"%s...\"", line, want);
	}
	p = line + strlen(want);
	kb = strtoull(p, NULL, 10);
	/*
	 * The comm region is not RAM; the kernel itself takes some, and a
	 * KASAN kernel (make check-sanitizers) an eighth for its shadow and
	 * more for a bigger image: a quarter is left in a 128M instance.
	 */
	EXPECT_LT(kb, memory / 1024);
	EXPECT_GT(kb, memory / 1024 / 4);
}

FIXTURE(spawn) {
	struct host_snapshot before;
};

FIXTURE_SETUP(spawn)
{
	if (access(KERNEL_PATH, R_OK) || access(INITRD_PATH, R_OK))
		SKIP(return, "needs %s and %s", KERNEL_PATH, INITRD_PATH);
	if (mk_read_fact(_metadata, MK_POOL_DIR "/size") < 512 * MK_SZ_1M)
		SKIP(return, "needs a pool of 512M");
	if (access(CPU_ONLINE, R_OK) || sysconf(_SC_NPROCESSORS_CONF) < 4)
		SKIP(return, "needs CPUs 0-3");
	remove_instance(INST_A);
	remove_instance(INST_B);
	snapshot(_metadata, &self->before);
}

FIXTURE_TEARDOWN_PARENT(spawn)
{
	remove_instance(INST_A);
	remove_instance(INST_B);
}

TEST_F_TIMEOUT(spawn, one_cpu_ready, MK_SECS(120))
{
	char online[64], boot_ms[32];

	configure(_metadata, INST_A, "1", "128M", NULL);
	start_running(_metadata, INST_A);
	expect_ready(_metadata, INST_A, "0", 128 * MK_SZ_1M);
	ASSERT_EQ(0, mk_read_value(CPU_ONLINE, online, sizeof(online)));
	EXPECT_STREQ("0,2-3", online);
	get(INST_A, "boot_time_ms", boot_ms, sizeof(boot_ms));
	EXPECT_GT(strtoull(boot_ms, NULL, 10), 0);
	EXPECT_EQ(self->before.pool_free - 128 * MK_SZ_1M,
		  mk_read_fact(_metadata, MK_POOL_DIR "/free"));
	kill_ok(_metadata, INST_A);
	expect_host_whole(_metadata, &self->before);
}

TEST_F_TIMEOUT(spawn, two_cpus, MK_SECS(120))
{
	configure(_metadata, INST_A, "2-3", "256M", NULL);
	start_running(_metadata, INST_A);
	expect_ready(_metadata, INST_A, "0-1", 256 * MK_SZ_1M);
	kill_ok(_metadata, INST_A);
	expect_host_whole(_metadata, &self->before);
}

TEST_F_TIMEOUT(spawn, two_instances, MK_SECS(180))
{
	char state[32];

	configure(_metadata, INST_A, "1", "128M", NULL);
	configure(_metadata, INST_B, "2-3", "256M", NULL);
	ASSERT_EQ(0, set(INST_A, "state", "start"));
	start_running(_metadata, INST_B);
	ASSERT_TRUE(wait_state(INST_A, "running", BOOT_WAIT_MS, state,
			       sizeof(state))) {
		TH_LOG("%s: state %s", INST_A, state);
	}
	expect_ready(_metadata, INST_A, "0", 128 * MK_SZ_1M);
	expect_ready(_metadata, INST_B, "0-1", 256 * MK_SZ_1M);
	kill_ok(_metadata, INST_A);
	kill_ok(_metadata, INST_B);
	expect_host_whole(_metadata, &self->before);
}

/*
 * Not stopped: no rmdir, no change of what it booted with (its cpus
 * change live: resize_test.sh).
 */
TEST_F_TIMEOUT(spawn, busy_while_started, MK_SECS(120))
{
	char path[PATH_MAX];

	configure(_metadata, INST_A, "1", "128M", NULL);
	start_running(_metadata, INST_A);
	snprintf(path, sizeof(path), "%s/%s", MK_INSTANCES_DIR, INST_A);
	EXPECT_EQ(-1, rmdir(path));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-EBUSY, set(INST_A, "cmdline", "quiet"));
	EXPECT_EQ(-EBUSY, set(INST_A, "smt_split", "1"));
	/* Its memory changes live, but never below what it started with. */
	EXPECT_EQ(-EINVAL, set(INST_A, "memory", "64M"));
	EXPECT_EQ(-EBUSY, set(INST_A, "state", "start"));
	kill_ok(_metadata, INST_A);
	mk_keep_console(INST_A);
	EXPECT_EQ(0, rmdir(path));
	expect_host_whole(_metadata, &self->before);
}

TEST_F_TIMEOUT(spawn, stop_start_cycles, MK_SECS(280))
{
	char state[32];
	int i;

	configure(_metadata, INST_A, "2-3", "128M", NULL);
	ASSERT_EQ(0, set(INST_A, "stop_timeout_ms", "5000"));
	for (i = 0; i < CYCLES; i++) {
		start_running(_metadata, INST_A);
		ASSERT_EQ(0, set(INST_A, "state", i % 2 ? "stop" : "kill"));
		ASSERT_TRUE(wait_state(INST_A, "stopped", STOP_WAIT_MS, state,
				       sizeof(state))) {
			TH_LOG("cycle %d: state %s", i, state);
		}
		expect_host_whole(_metadata, &self->before);
	}
}

TEST_F_TIMEOUT(spawn, panic_crashes_and_restarts, MK_SECS(180))
{
	char state[32], reason[160], line[256];

	configure(_metadata, INST_A, "1", "128M", NULL);
	start_running(_metadata, INST_A);
	ASSERT_TRUE(wait_console(INST_A, "mk-ready", BOOT_WAIT_MS, line,
				 sizeof(line)));
	mk_expect_report(INST_A, "LKDTM PANIC, on purpose");
	ASSERT_EQ(0, console_type(INST_A, "echo PANIC > " LKDTM "\n"));
	ASSERT_TRUE(wait_state(INST_A, "crashed", BOOT_WAIT_MS, state,
			       sizeof(state))) {
		TH_LOG("state %s", state);
	}
	ASSERT_EQ(0, mk_read_value(MK_INSTANCES_DIR "/" INST_A "/crash_reason",
				   reason, sizeof(reason)));
	/* The spawn's panic message: LKDTM's PANIC is panic("dumptest"). */
	EXPECT_STREQ("dumptest", reason);
	EXPECT_TRUE(wait_console(INST_A, "Kernel panic", 0, line, sizeof(line)));
	mk_keep_console(INST_A);
	expect_host_whole(_metadata, &self->before);

	start_running(_metadata, INST_A);
	kill_ok(_metadata, INST_A);
	expect_host_whole(_metadata, &self->before);
}

/* A CPU spinning with interrupts off is taken back by kill. */
TEST_F_TIMEOUT(spawn, hard_lockup_killed, MK_SECS(120))
{
	char line[256];

	configure(_metadata, INST_A, "1", "128M", NULL);
	start_running(_metadata, INST_A);
	ASSERT_TRUE(wait_console(INST_A, "mk-ready", BOOT_WAIT_MS, line,
				 sizeof(line)));
	mk_expect_report(INST_A, "LKDTM HARDLOCKUP, on purpose");
	ASSERT_EQ(0, console_type(INST_A, "echo HARDLOCKUP > " LKDTM "\n"));
	ASSERT_TRUE(wait_console(INST_A, "Performing direct entry HARDLOCKUP",
				 BOOT_WAIT_MS, line, sizeof(line)));
	sleep_ms(1000);
	kill_ok(_metadata, INST_A);
	expect_host_whole(_metadata, &self->before);
}

/* Write @len bytes of @src (or of pseudo-random data) to BAD_IMAGE. */
static int make_image(const char *src, size_t len, bool unmark)
{
	char *buf = malloc(len);
	size_t i;
	int fd, ok;

	if (!buf)
		return -1;
	if (src) {
		fd = open(src, O_RDONLY);
		ok = fd >= 0 && read(fd, buf, len) == (ssize_t)len;
		if (fd >= 0)
			close(fd);
		if (!ok) {
			free(buf);
			return -1;
		}
	} else {
		for (i = 0; i < len; i++)
			buf[i] = (char)(i * 2654435761u >> 13);
	}
	/* Hide the spawn-support declaration: "MKSP" in kernel_info. */
	for (i = 0; unmark && i + 4 <= len; i++)
		if (!memcmp(buf + i, "MKSP", 4))
			memcpy(buf + i, "XXXX", 4);
	fd = open(BAD_IMAGE, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len;
	if (fd >= 0)
		close(fd);
	free(buf);
	return ok ? 0 : -1;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

static void expect_refused(struct __test_metadata *_metadata,
			   const struct host_snapshot *before)
{
	char state[32];

	ASSERT_EQ(0, set(INST_A, "kernel", BAD_IMAGE));
	EXPECT_EQ(-ENOEXEC, set(INST_A, "state", "start"));
	get(INST_A, "state", state, sizeof(state));
	EXPECT_STREQ("stopped", state);
	expect_host_whole(_metadata, before);
}

TEST_F_TIMEOUT(spawn, bad_images_refused, MK_SECS(60))
{
	off_t size = file_size(KERNEL_PATH);

	ASSERT_LT(0, size);
	configure(_metadata, INST_A, "1", "128M", NULL);

	ASSERT_EQ(0, make_image(NULL, 1 << 20, false));
	expect_refused(_metadata, &self->before);
	ASSERT_EQ(0, make_image(KERNEL_PATH, 64 * 1024, false));
	expect_refused(_metadata, &self->before);
	ASSERT_EQ(0, make_image(KERNEL_PATH, size, true));
	expect_refused(_metadata, &self->before);
	unlink(BAD_IMAGE);
}

TEST_F_TIMEOUT(spawn, early_panic_crashes, MK_SECS(120))
{
	char state[32], line[256];

	configure(_metadata, INST_A, "1", "128M", "rdinit=/nonexistent init=/nonexistent");
	ASSERT_EQ(0, set(INST_A, "state", "start"));
	ASSERT_TRUE(wait_state(INST_A, "crashed", BOOT_WAIT_MS, state,
			       sizeof(state))) {
		TH_LOG("state %s", state);
	}
	EXPECT_TRUE(wait_console(INST_A, "Kernel panic", 0, line, sizeof(line)));
	expect_host_whole(_metadata, &self->before);

	ASSERT_EQ(0, set(INST_A, "state", "stop"));
	ASSERT_EQ(0, set(INST_A, "cmdline", "\n"));
	start_running(_metadata, INST_A);
	kill_ok(_metadata, INST_A);
	expect_host_whole(_metadata, &self->before);
}

TEST_F_TIMEOUT(spawn, stop_while_booting, MK_SECS(120))
{
	char state[32];

	configure(_metadata, INST_A, "1", "128M", NULL);
	ASSERT_EQ(0, set(INST_A, "stop_timeout_ms", "2000"));
	ASSERT_EQ(0, set(INST_A, "state", "start"));
	ASSERT_EQ(0, set(INST_A, "state", "stop"));
	ASSERT_TRUE(wait_state(INST_A, "stopped", STOP_WAIT_MS, state,
			       sizeof(state))) {
		TH_LOG("state %s", state);
	}
	expect_host_whole(_metadata, &self->before);
}

/*
 * A kill at any moment of the boot, while the spawn brings its other CPUs
 * up in particular, takes every CPU back and leaves the host whole: a stop
 * NMI on a CPU still in its start-up code would shut the machine down.
 * The delays cover one measured boot.
 */
TEST_F_TIMEOUT(spawn, kill_at_every_boot_stage, MK_SECS(240))
{
	unsigned int boot_ms, delay, step, starting = 0;
	char buf[32];

	configure(_metadata, INST_A, "1-3", "128M", NULL);
	start_running(_metadata, INST_A);
	get(INST_A, "boot_time_ms", buf, sizeof(buf));
	boot_ms = strtoul(buf, NULL, 10);
	kill_ok(_metadata, INST_A);
	ASSERT_GT(boot_ms, 0);
	step = boot_ms / 24 ?: 1;
	for (delay = 0; delay <= boot_ms; delay += step) {
		ASSERT_EQ(0, set(INST_A, "state", "start"));
		sleep_ms(delay);
		get(INST_A, "state", buf, sizeof(buf));
		starting += !strcmp(buf, "starting");
		kill_ok(_metadata, INST_A);
		expect_host_whole(_metadata, &self->before);
	}
	TH_LOG("%u of the kills came while the spawn was starting (boot %u ms)",
	       starting, boot_ms);
	EXPECT_GT(starting, 0);
}

/* Power-off and reboot inside a spawn stop only that spawn. */
TEST_F_TIMEOUT(spawn, poweroff_and_reboot_inside, MK_SECS(180))
{
	static const char * const cmds[] = { "poweroff -f\n", "reboot -f\n" };
	char state[32], line[256];
	unsigned int i;

	configure(_metadata, INST_A, "1", "128M", NULL);
	for (i = 0; i < 2; i++) {
		start_running(_metadata, INST_A);
		ASSERT_TRUE(wait_console(INST_A, "mk-ready", BOOT_WAIT_MS,
					 line, sizeof(line)));
		ASSERT_EQ(0, console_type(INST_A, cmds[i]));
		ASSERT_TRUE(wait_state(INST_A, "stopped", STOP_WAIT_MS, state,
				       sizeof(state))) {
			TH_LOG("%s: state %s", cmds[i], state);
		}
		expect_host_whole(_metadata, &self->before);
	}
}

TEST_HARNESS_MAIN
