/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the selftests that boot kernels on instances: configuring,
 * starting, waiting for a state or a console line, tearing down, and the
 * check that the host got its CPUs and pool memory back.  Include after
 * kselftest_harness.h.
 */
#ifndef __MK_SPAWN_H
#define __MK_SPAWN_H

#include <sys/klog.h>
#include <sys/stat.h>
#include <time.h>

#include "mk_helpers.h"

#define KERNEL_PATH	"/boot/bzImage"
#define INITRD_PATH	"/boot/spawn-initrd.cpio.gz"
#define CPU_ONLINE	"/sys/devices/system/cpu/online"
#define CONSOLE_DIR	MK_SYSFS_DIR "/instances"
#define POLL_MS		100
/* Generous: a spawn boots in about 3 s under TCG on a loaded machine. */
#define BOOT_WAIT_MS	(60000 * mk_time_scale())
#define STOP_WAIT_MS	(30000 * mk_time_scale())
/* The instance defaults (30 s to boot, 10 s to stop), for a slower run. */
#define BOOT_TIMEOUT_MS	(30000 * mk_time_scale())
#define STOP_TIMEOUT_MS	(10000 * mk_time_scale())
#define CON_MAX		(256 * 1024)

/* What the host must have again once an instance is gone. */
struct host_snapshot {
	char online[64];
	unsigned long long pool_free;
};

static inline void snapshot(struct __test_metadata *_metadata,
			    struct host_snapshot *s)
{
	ASSERT_EQ(0, mk_read_value(CPU_ONLINE, s->online, sizeof(s->online)));
	s->pool_free = mk_read_fact(_metadata, MK_POOL_DIR "/free");
}

static inline void attr(char *path, size_t size, const char *inst, const char *a)
{
	snprintf(path, size, "%s/%s/%s", MK_INSTANCES_DIR, inst, a);
}

static inline int set(const char *inst, const char *a, const char *val)
{
	char path[PATH_MAX];

	attr(path, sizeof(path), inst, a);
	return mk_write(path, val, strlen(val)) < 0 ? -errno : 0;
}

static inline void get(const char *inst, const char *a, char *buf, size_t size)
{
	char path[PATH_MAX];

	attr(path, sizeof(path), inst, a);
	if (mk_read_value(path, buf, size))
		snprintf(buf, size, "<%s>", strerror(errno));
}

static inline void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Poll state until it reads @want; return what it read last. */
static inline bool wait_state(const char *inst, const char *want, unsigned int ms,
			      char *last, size_t size)
{
	unsigned int waited;

	for (waited = 0; waited <= ms; waited += POLL_MS) {
		get(inst, "state", last, size);
		if (!strcmp(last, want))
			return true;
		sleep_ms(POLL_MS);
	}
	return false;
}

static inline char *read_console(const char *inst)
{
	char path[PATH_MAX];
	char *buf = calloc(1, CON_MAX + 1);

	snprintf(path, sizeof(path), "%s/%s/console", CONSOLE_DIR, inst);
	if (buf && mk_read_file(path, buf, CON_MAX + 1) < 0)
		buf[0] = '\0';
	return buf;
}

/* Wait until the console holds @needle; return the line it starts. */
static inline bool wait_console(const char *inst, const char *needle,
				unsigned int ms, char *line, size_t size)
{
	unsigned int waited;
	char *con, *hit;

	for (waited = 0; waited <= ms; waited += POLL_MS) {
		con = read_console(inst);
		hit = con ? strstr(con, needle) : NULL;
		if (hit) {
			snprintf(line, size, "%.*s", (int)strcspn(hit, "\r\n"),
				 hit);
			free(con);
			return true;
		}
		free(con);
		sleep_ms(POLL_MS);
	}
	return false;
}

static inline int console_type(const char *inst, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/console_in", CONSOLE_DIR, inst);
	return mk_write(path, text, strlen(text)) == (ssize_t)strlen(text) ?
	       0 : -1;
}

/* The default boot and stop timeouts, scaled for a slower run. */
static inline void set_timeouts(struct __test_metadata *_metadata,
				const char *inst)
{
	char ms[16];

	if (mk_time_scale() == 1)
		return;
	snprintf(ms, sizeof(ms), "%u", BOOT_TIMEOUT_MS);
	ASSERT_EQ(0, set(inst, "boot_timeout_ms", ms));
	snprintf(ms, sizeof(ms), "%u", STOP_TIMEOUT_MS);
	ASSERT_EQ(0, set(inst, "stop_timeout_ms", ms));
}

static inline void configure(struct __test_metadata *_metadata, const char *inst,
			     const char *cpus, const char *memory, const char *cmdline)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", MK_INSTANCES_DIR, inst);
	ASSERT_EQ(0, mkdir(path, 0755));
	ASSERT_EQ(0, set(inst, "cpus", cpus));
	ASSERT_EQ(0, set(inst, "memory", memory));
	ASSERT_EQ(0, set(inst, "kernel", KERNEL_PATH));
	ASSERT_EQ(0, set(inst, "initrd", INITRD_PATH));
	if (cmdline)
		ASSERT_EQ(0, set(inst, "cmdline", cmdline));
	set_timeouts(_metadata, inst);
}

static inline void start_running(struct __test_metadata *_metadata, const char *inst)
{
	char state[32];

	ASSERT_EQ(0, set(inst, "state", "start"));
	ASSERT_TRUE(wait_state(inst, "running", BOOT_WAIT_MS, state,
			       sizeof(state))) {
		TH_LOG("%s: state %s", inst, state);
	}
}

/*
 * make check scans every spawn's console for kernel reports (WARNING, BUG,
 * lockdep, ...) after the run: before an instance goes, its console is
 * saved in $MK_CONSOLE_DIR when that is set.  A test that makes a spawn
 * report on purpose says so first with mk_expect_report(), and that
 * console is then not held against it.
 */
static inline void mk_expect_report(const char *inst, const char *why)
{
	const char *dir = getenv("MK_CONSOLE_DIR");
	char path[PATH_MAX];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s.expect", dir, inst);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "mk-console-expects: %s\n", why);
		fclose(f);
	}
}

static inline void mk_keep_console(const char *inst)
{
	const char *dir = getenv("MK_CONSOLE_DIR");
	char path[PATH_MAX], expect[PATH_MAX], why[256] = "";
	static unsigned int seq;
	char *con;
	FILE *f;

	if (!dir)
		return;
	snprintf(expect, sizeof(expect), "%s/%s.expect", dir, inst);
	if (mk_read_file(expect, why, sizeof(why)) < 0)
		why[0] = '\0';
	unlink(expect);
	snprintf(path, sizeof(path), "%s/%s.%d.%u.console", dir, inst,
		 (int)getpid(), seq++);
	con = read_console(inst);
	f = fopen(path, "w");
	if (f && con)
		fprintf(f, "%s%s", why, con);
	if (f)
		fclose(f);
	free(con);
}

static inline void remove_instance(const char *inst)
{
	char path[PATH_MAX], state[32];

	snprintf(path, sizeof(path), "%s/%s", MK_INSTANCES_DIR, inst);
	if (access(path, F_OK))
		return;
	set(inst, "state", "kill");
	wait_state(inst, "stopped", STOP_WAIT_MS, state, sizeof(state));
	set(inst, "state", "stop");	/* crashed -> stopped */
	mk_keep_console(inst);
	rmdir(path);
}

/* Everything lent comes back. */
static inline void expect_host_whole(struct __test_metadata *_metadata,
				     const struct host_snapshot *before)
{
	struct host_snapshot now;

	snapshot(_metadata, &now);
	EXPECT_STREQ(before->online, now.online);
	EXPECT_EQ(before->pool_free, now.pool_free);
}

static inline void kill_ok(struct __test_metadata *_metadata, const char *inst)
{
	char state[32];

	ASSERT_EQ(0, set(inst, "state", "kill"));
	get(inst, "state", state, sizeof(state));
	EXPECT_STREQ("stopped", state);
}

/* The kernel log, NUL terminated, to free(); NULL if unreadable. */
static inline char *mk_read_kernel_log(void)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf;
	int len;

	if (size <= 0)
		return NULL;
	buf = calloc(1, size + 1);
	if (!buf)
		return NULL;
	len = klogctl(3, buf, size);		/* SYSLOG_ACTION_READ_ALL */
	if (len < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* How often @needle occurs in @hay; 0 for a NULL @hay. */
static inline int mk_count(const char *hay, const char *needle)
{
	int n = 0;

	while (hay && (hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

#endif /* __MK_SPAWN_H */
