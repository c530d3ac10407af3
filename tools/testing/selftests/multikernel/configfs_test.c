// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the multikernel configfs tree,
 * /sys/kernel/config/multikernel/instances/, against the contract in
 * Documentation/multikernel/admin-guide.rst: instance creation, the
 * attributes and their defaults, value round trips, and every bad input of
 * the errno table with its exact errno.
 *
 * Three rows of that table cannot be reached from userspace at this stage,
 * so no test here exercises them:
 *  - "any configuration write while not stopped" (EBUSY) and
 *    "rmdir: instance not stopped" (EBUSY) need a started instance; they
 *    are in spawn_test, and KUnit covers the first for every state.
 *  - "cpus: the host would keep no online CPU" (EBUSY): CPU 0 can never be
 *    lent, so the host always keeps it.
 *
 * Every instance made here has "kst" in its name, and the fixture teardown,
 * which runs in the parent even when a test dies, removes all of them.
 */

#include "kselftest_harness.h"

#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "mk_helpers.h"

/* Every instance these tests create has this in its name. */
#define TEST_TAG		"kst"
#define INST_A			"kst-a"
#define INST_B			"kst-b"
/* A valid one-character name cannot carry the tag; teardown knows it. */
#define INST_ONE_CHAR		"k"

/* NAME matches [a-z0-9][a-z0-9_-]{0,31}. */
#define NAME_LEN_MAX		32

#define KERNEL_PATH		"/boot/bzImage"
#define INITRD_PATH		"/boot/spawn-initrd.cpio.gz"
#define TEST_CMDLINE		"console=ttyS0 quiet"
/* The longest cmdline accepted, in bytes, not counting a newline. */
#define CMDLINE_LEN_MAX		1984

/* The cpus tests lend CPUs 1 to 3, so they need CPUs 0-3. */
#define CPU_NEEDED		3
/* A CPU number no machine running these tests has. */
#define CPU_FAR			99

/* A memory size that the round trip test writes in several spellings. */
#define MEM_TEST		(256 * MK_SZ_1M)

/* Room for an attribute value read back: one page and a NUL. */
#define ATTR_BUF		(MK_ATTR_MAX + 1)

/* Only this much of a long value goes into a log line. */
#define LOG_VAL_MAX		64

static const char * const inst_attrs[] = {
	"id", "cpus", "memory", "kernel", "initrd", "cmdline", "state",
};

#define NR_ATTRS	ARRAY_SIZE(inst_attrs)

static void inst_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", MK_INSTANCES_DIR, name);
}

static void attr_path(char *buf, size_t size, const char *name,
		      const char *attr)
{
	snprintf(buf, size, "%s/%s/%s", MK_INSTANCES_DIR, name, attr);
}

static int inst_mkdir(const char *name)
{
	char path[PATH_MAX];

	inst_path(path, sizeof(path), name);
	return mkdir(path, 0755);
}

static int inst_rmdir(const char *name)
{
	char path[PATH_MAX];

	inst_path(path, sizeof(path), name);
	return rmdir(path);
}

static bool inst_exists(const char *name)
{
	char path[PATH_MAX];

	inst_path(path, sizeof(path), name);
	return !access(path, F_OK);
}

static int attr_read(const char *name, const char *attr, char *buf,
		     size_t size)
{
	char path[PATH_MAX];

	attr_path(path, sizeof(path), name, attr);
	return mk_read_value(path, buf, size);
}

static int attr_read_u64(const char *name, const char *attr,
			 unsigned long long *val)
{
	char path[PATH_MAX];

	attr_path(path, sizeof(path), name, attr);
	return mk_read_u64(path, val);
}

static ssize_t attr_write(const char *name, const char *attr,
			  const void *buf, size_t len)
{
	char path[PATH_MAX];

	attr_path(path, sizeof(path), name, attr);
	return mk_write(path, buf, len);
}

static bool is_test_name(const char *name)
{
	return strcasestr(name, TEST_TAG) || !strcmp(name, INST_ONE_CHAR);
}

/*
 * Remove every instance a test may have made, valid name or not.  A test
 * that got an instance started by mistake must not leave it behind either,
 * so each one is killed first.
 */
static void remove_test_instances(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	bool again = true;
	DIR *dir;

	/* rmdir changes the directory: scan it again after each removal. */
	while (again) {
		again = false;
		dir = opendir(MK_INSTANCES_DIR);
		if (!dir)
			return;
		while ((de = readdir(dir))) {
			if (!strcmp(de->d_name, ".") ||
			    !strcmp(de->d_name, "..") ||
			    !is_test_name(de->d_name))
				continue;
			attr_write(de->d_name, "state", "kill", strlen("kill"));
			inst_path(path, sizeof(path), de->d_name);
			if (!rmdir(path)) {
				again = true;
				break;
			}
		}
		closedir(dir);
	}
}

/* The highest possible CPU number, or -1. */
static int last_possible_cpu(void)
{
	char buf[MK_ATTR_MAX + 1];
	long cpu, last = -1;
	char *p, *end;

	if (mk_read_value(MK_CPU_POSSIBLE, buf, sizeof(buf)))
		return -1;
	for (p = buf; *p; p = end) {
		if (!isdigit((unsigned char)*p)) {
			end = p + 1;
			continue;
		}
		cpu = strtol(p, &end, 10);
		if (cpu > last)
			last = cpu;
	}
	return last;
}

static void create_ok(struct __test_metadata *_metadata, const char *name)
{
	int ret, err;

	ret = inst_mkdir(name);
	err = errno;
	ASSERT_EQ(0, ret) {
		TH_LOG("mkdir %s: %s", name, strerror(err));
	}
}

/* mkdir @name must fail with @expected_err and leave nothing behind. */
static void create_err(struct __test_metadata *_metadata, const char *name,
		       int expected_err)
{
	int ret, err;

	errno = 0;
	ret = inst_mkdir(name);
	err = errno;
	EXPECT_EQ(-1, ret) {
		TH_LOG("mkdir \"%s\" succeeded, expected %s", name,
		       strerror(expected_err));
	}
	EXPECT_EQ(expected_err, err) {
		TH_LOG("mkdir \"%s\": expected %s, got %s", name,
		       strerror(expected_err), strerror(err));
	}
}

static void expect_value(struct __test_metadata *_metadata, const char *name,
			 const char *attr, const char *expected)
{
	char got[ATTR_BUF];
	int ret, err;

	ret = attr_read(name, attr, got, sizeof(got));
	err = errno;
	ASSERT_EQ(0, ret) {
		TH_LOG("read %s/%s: %s", name, attr, strerror(err));
	}
	if (strlen(expected) <= LOG_VAL_MAX && strlen(got) <= LOG_VAL_MAX) {
		EXPECT_STREQ(expected, got) {
			TH_LOG("%s/%s reads \"%s\"", name, attr, got);
		}
		return;
	}
	/* Long values: compare them without printing them whole. */
	EXPECT_EQ(0, strcmp(expected, got)) {
		TH_LOG("%s/%s reads %zu bytes \"%.*s...\", expected %zu bytes \"%.*s...\"",
		       name, attr, strlen(got), LOG_VAL_MAX, got,
		       strlen(expected), LOG_VAL_MAX, expected);
	}
}

/* Write @len bytes of @val; expect the write to succeed in full. */
static void write_buf_ok(struct __test_metadata *_metadata, const char *name,
			 const char *attr, const char *val, size_t len)
{
	ssize_t ret;
	int err;

	ret = attr_write(name, attr, val, len);
	err = errno;
	ASSERT_EQ((ssize_t)len, ret) {
		TH_LOG("%s/%s <- %zu bytes \"%.*s\": %s", name, attr, len,
		       LOG_VAL_MAX, val,
		       ret < 0 ? strerror(err) : "short write");
	}
}

/* Write @val; expect success and @readback to be read back. */
static void write_ok(struct __test_metadata *_metadata, const char *name,
		     const char *attr, const char *val, const char *readback)
{
	write_buf_ok(_metadata, name, attr, val, strlen(val));
	expect_value(_metadata, name, attr, readback);
}

/*
 * Write @len bytes of @val; expect the write to fail with @expected_err and
 * the attribute to keep the value it had.
 */
static void write_buf_err(struct __test_metadata *_metadata,
			  const char *name, const char *attr, const char *val,
			  size_t len, int expected_err)
{
	char before[ATTR_BUF];
	ssize_t ret;
	int err;

	ASSERT_EQ(0, attr_read(name, attr, before, sizeof(before)));
	errno = 0;
	ret = attr_write(name, attr, val, len);
	err = errno;
	EXPECT_EQ(-1, ret) {
		TH_LOG("%s/%s <- %zu bytes \"%.*s\" succeeded, expected %s",
		       name, attr, len, LOG_VAL_MAX, val,
		       strerror(expected_err));
	}
	EXPECT_EQ(expected_err, err) {
		TH_LOG("%s/%s <- %zu bytes \"%.*s\": expected %s, got %s",
		       name, attr, len, LOG_VAL_MAX, val,
		       strerror(expected_err), strerror(err));
	}
	expect_value(_metadata, name, attr, before);
}

static void write_err(struct __test_metadata *_metadata, const char *name,
		      const char *attr, const char *val, int expected_err)
{
	write_buf_err(_metadata, name, attr, val, strlen(val), expected_err);
}

static unsigned long long read_id(struct __test_metadata *_metadata,
				  const char *name)
{
	unsigned long long id = 0;
	int ret, err;

	ret = attr_read_u64(name, "id", &id);
	err = errno;
	ASSERT_EQ(0, ret) {
		TH_LOG("read %s/id: %s", name, strerror(err));
	}
	return id;
}

/* A heap buffer of @len copies of @c, NUL-terminated. */
static char *filled(size_t len, char c)
{
	char *buf = malloc(len + 1);

	if (buf) {
		memset(buf, c, len);
		buf[len] = '\0';
	}
	return buf;
}

/* @target with slashes added in front to make it @len bytes long. */
static char *padded_path(const char *target, size_t len)
{
	size_t tlen = strlen(target);
	char *buf = filled(len, '/');

	if (buf && len >= tlen)
		memcpy(buf + len - tlen, target, tlen);
	return buf;
}

/* Tree and facts every test needs; nothing is created here. */
TEST(tree_exists)
{
	struct stat st;

	ASSERT_EQ(0, stat(MK_CONFIGFS_DIR, &st)) {
		TH_LOG("%s: %s", MK_CONFIGFS_DIR, strerror(errno));
	}
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_EQ(0, stat(MK_INSTANCES_DIR, &st)) {
		TH_LOG("%s: %s", MK_INSTANCES_DIR, strerror(errno));
	}
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_EQ(0, stat(MK_SYSFS_DIR, &st)) {
		TH_LOG("%s: %s", MK_SYSFS_DIR, strerror(errno));
	}
	EXPECT_TRUE(S_ISDIR(st.st_mode));
}

FIXTURE(mk) {
	unsigned long long pool_size;
	unsigned long long granule;
	unsigned long long min_memory;
	unsigned long long min_valid;	/* min_memory rounded up to granule */
	unsigned long long max_instances;
	int last_cpu;
};

FIXTURE_SETUP(mk)
{
	unsigned long long size, addr;
	bool has_addr;

	if (mk_pool_param(&size, &addr, &has_addr) == MK_POOL_ABSENT)
		SKIP(return,
		     "no multikernel.pool= on the kernel command line: instances cannot be created (inert_test covers this boot)");

	ASSERT_EQ(0, mk_read_u64(MK_POOL_DIR "/size", &self->pool_size));
	ASSERT_NE(0ULL, self->pool_size);
	ASSERT_EQ(0, mk_read_u64(MK_POOL_DIR "/granule", &self->granule));
	ASSERT_NE(0ULL, self->granule);
	ASSERT_EQ(0, mk_read_u64(MK_SYSFS_DIR "/min_memory",
				 &self->min_memory));
	ASSERT_NE(0ULL, self->min_memory);
	self->min_valid = (self->min_memory + self->granule - 1) /
			  self->granule * self->granule;
	ASSERT_EQ(0, mk_read_u64(MK_SYSFS_DIR "/max_instances",
				 &self->max_instances));
	ASSERT_NE(0ULL, self->max_instances);
	self->last_cpu = last_possible_cpu();
	ASSERT_LE(0, self->last_cpu);

	/* Leftovers of an earlier run that was killed. */
	remove_test_instances();
}

FIXTURE_TEARDOWN_PARENT(mk)
{
	remove_test_instances();
}

/* Each rejected write logs exactly one line naming the instance. */
TEST_F(mk, rejected_write_logged)
{
	static const char inst[] = "kst-logged";
	char rec[MK_ATTR_MAX];
	int fd, lines = 0;
	ssize_t len;

	create_ok(_metadata, inst);
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		SKIP(return, "/dev/kmsg: %s", strerror(errno));
	ASSERT_LE(0, lseek(fd, 0, SEEK_END));

	write_err(_metadata, inst, "cpus", "abc", EINVAL);
	write_err(_metadata, inst, "memory", "0", EINVAL);

	for (;;) {
		len = read(fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)
			continue;	/* records were overwritten */
		if (len <= 0)
			break;
		rec[len] = '\0';
		if (strstr(rec, inst))
			lines++;
	}
	close(fd);
	EXPECT_EQ(2, lines);
}

TEST_F(mk, mkdir_creates_attributes)
{
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	create_ok(_metadata, INST_A);
	inst_path(path, sizeof(path), INST_A);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));

	for (i = 0; i < NR_ATTRS; i++) {
		attr_path(path, sizeof(path), INST_A, inst_attrs[i]);
		ASSERT_EQ(0, stat(path, &st)) {
			TH_LOG("%s: %s", path, strerror(errno));
		}
		EXPECT_TRUE(S_ISREG(st.st_mode));
		EXPECT_NE(0U, st.st_mode & 0400) {
			TH_LOG("%s is not readable", inst_attrs[i]);
		}
		if (!strcmp(inst_attrs[i], "id")) {
			EXPECT_EQ(0U, st.st_mode & 0222) {
				TH_LOG("id is writable");
			}
		} else {
			EXPECT_NE(0U, st.st_mode & 0200) {
				TH_LOG("%s is not writable", inst_attrs[i]);
			}
		}
	}
}

TEST_F(mk, defaults)
{
	unsigned long long id;

	create_ok(_metadata, INST_A);
	expect_value(_metadata, INST_A, "state", "stopped");
	expect_value(_metadata, INST_A, "memory", "0");
	expect_value(_metadata, INST_A, "cpus", "");
	expect_value(_metadata, INST_A, "kernel", "");
	expect_value(_metadata, INST_A, "initrd", "");
	/* The guide gives no default for cmdline, so it is not checked. */
	id = read_id(_metadata, INST_A);
	EXPECT_LE(1ULL, id);
	EXPECT_GE(self->max_instances, id);
}

TEST_F(mk, id_read_only)
{
	char path[PATH_MAX];
	int fd;

	create_ok(_metadata, INST_A);
	attr_path(path, sizeof(path), INST_A, "id");
	fd = open(path, O_WRONLY);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EACCES, errno);
}

TEST_F(mk, ids_unique)
{
	unsigned long long id_a, id_b;

	create_ok(_metadata, INST_A);
	create_ok(_metadata, INST_B);
	id_a = read_id(_metadata, INST_A);
	id_b = read_id(_metadata, INST_B);
	EXPECT_NE(id_a, id_b);
	EXPECT_LE(1ULL, id_a);
	EXPECT_GE(self->max_instances, id_a);
	EXPECT_LE(1ULL, id_b);
	EXPECT_GE(self->max_instances, id_b);
}

TEST_F(mk, rmdir_destroys)
{
	create_ok(_metadata, INST_A);
	ASSERT_TRUE(inst_exists(INST_A));
	ASSERT_EQ(0, inst_rmdir(INST_A)) {
		TH_LOG("rmdir %s: %s", INST_A, strerror(errno));
	}
	EXPECT_FALSE(inst_exists(INST_A));
	/* The name is free again. */
	create_ok(_metadata, INST_A);
	ASSERT_EQ(0, inst_rmdir(INST_A));
	EXPECT_FALSE(inst_exists(INST_A));
}

TEST_F(mk, name_valid)
{
	char name[NAME_LEN_MAX + 1];
	static const char * const names[] = {
		INST_ONE_CHAR, "0kst", "kst_under-dash", "kst-9",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		create_ok(_metadata, names[i]);
		expect_value(_metadata, names[i], "state", "stopped");
		EXPECT_EQ(0, inst_rmdir(names[i]));
	}

	/* The longest valid name. */
	memset(name, 'x', NAME_LEN_MAX);
	memcpy(name, TEST_TAG, strlen(TEST_TAG));
	name[NAME_LEN_MAX] = '\0';
	create_ok(_metadata, name);
	expect_value(_metadata, name, "state", "stopped");
	EXPECT_EQ(0, inst_rmdir(name));
}

TEST_F(mk, name_invalid)
{
	/* "kst/a" cannot reach the kernel as one name: it is a path. */
	static const char * const names[] = {
		"Kst",		/* uppercase first */
		"kst-Upper",	/* uppercase later */
		"-kst",		/* leading '-' */
		"_kst",		/* leading '_' */
		".kst",		/* leading dot */
		"kst.dot",	/* embedded dot */
		"kst space",
		"kst:colon",
	};
	char name[NAME_LEN_MAX + 2];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		create_err(_metadata, names[i], EINVAL);
		EXPECT_FALSE(inst_exists(names[i])) {
			TH_LOG("\"%s\" was left behind", names[i]);
		}
	}

	/* One character too long. */
	memset(name, 'x', NAME_LEN_MAX + 1);
	memcpy(name, TEST_TAG, strlen(TEST_TAG));
	name[NAME_LEN_MAX + 1] = '\0';
	create_err(_metadata, name, EINVAL);
	EXPECT_FALSE(inst_exists(name));
}

TEST_F(mk, name_duplicate)
{
	unsigned long long id;

	create_ok(_metadata, INST_A);
	write_ok(_metadata, INST_A, "cmdline", TEST_CMDLINE, TEST_CMDLINE);
	id = read_id(_metadata, INST_A);
	create_err(_metadata, INST_A, EEXIST);
	/* The first instance is untouched. */
	EXPECT_EQ(id, read_id(_metadata, INST_A));
	expect_value(_metadata, INST_A, "cmdline", TEST_CMDLINE);
}

TEST_F(mk, cpus_roundtrip)
{
	if (self->last_cpu < CPU_NEEDED)
		SKIP(return, "needs CPUs 0-%d", CPU_NEEDED);

	create_ok(_metadata, INST_A);
	write_ok(_metadata, INST_A, "cpus", "2-3", "2-3");
	write_ok(_metadata, INST_A, "cpus", "2", "2");
	/* One trailing newline is stripped, so echo works. */
	write_ok(_metadata, INST_A, "cpus", "2-3\n", "2-3");
	write_ok(_metadata, INST_A, "cpus", "3\n", "3");
}

TEST_F(mk, cpus_invalid)
{
	/*
	 * Not a cpulist, or empty.  A zero-length write() never reaches the
	 * attribute (configfs fails it with EFAULT), so the empty string is
	 * sent as "\n", which is empty once the newline is stripped.
	 */
	static const char * const bad[] = { "abc", "1-", "3-1", "\n" };
	size_t i;

	if (self->last_cpu < CPU_NEEDED)
		SKIP(return, "needs CPUs 0-%d", CPU_NEEDED);

	create_ok(_metadata, INST_A);
	write_ok(_metadata, INST_A, "cpus", "2-3", "2-3");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		write_err(_metadata, INST_A, "cpus", bad[i], EINVAL);
}

TEST_F(mk, cpus_nonexistent)
{
	char val[32];

	if (self->last_cpu < CPU_NEEDED)
		SKIP(return, "needs CPUs 0-%d", CPU_NEEDED);

	create_ok(_metadata, INST_A);
	write_ok(_metadata, INST_A, "cpus", "2", "2");

	/* The first CPU number past the last possible one. */
	snprintf(val, sizeof(val), "%d", self->last_cpu + 1);
	write_err(_metadata, INST_A, "cpus", val, ENODEV);
	snprintf(val, sizeof(val), "2-%d", self->last_cpu + 1);
	write_err(_metadata, INST_A, "cpus", val, ENODEV);
	if (self->last_cpu < CPU_FAR) {
		snprintf(val, sizeof(val), "%d", CPU_FAR);
		write_err(_metadata, INST_A, "cpus", val, ENODEV);
	}
}

TEST_F(mk, cpus_boot_cpu)
{
	if (self->last_cpu < CPU_NEEDED)
		SKIP(return, "needs CPUs 0-%d", CPU_NEEDED);

	create_ok(_metadata, INST_A);
	write_ok(_metadata, INST_A, "cpus", "3", "3");
	write_err(_metadata, INST_A, "cpus", "0", EINVAL);
	write_err(_metadata, INST_A, "cpus", "0-3", EINVAL);
	write_err(_metadata, INST_A, "cpus", "0,2", EINVAL);
}

TEST_F(mk, cpus_owned_by_other)
{
	if (self->last_cpu < CPU_NEEDED)
		SKIP(return, "needs CPUs 0-%d", CPU_NEEDED);

	create_ok(_metadata, INST_A);
	create_ok(_metadata, INST_B);
	write_ok(_metadata, INST_A, "cpus", "2", "2");
	write_ok(_metadata, INST_B, "cpus", "3", "3");

	write_err(_metadata, INST_B, "cpus", "2", EBUSY);
	write_err(_metadata, INST_B, "cpus", "1-2", EBUSY);
	write_err(_metadata, INST_B, "cpus", "2-3", EBUSY);
	/* An instance does not conflict with itself. */
	write_ok(_metadata, INST_A, "cpus", "2", "2");

	/* A CPU given up by rewriting cpus is free for others. */
	write_ok(_metadata, INST_A, "cpus", "1", "1");
	write_ok(_metadata, INST_B, "cpus", "2-3", "2-3");

	/* So is one whose instance was removed. */
	ASSERT_EQ(0, inst_rmdir(INST_A));
	write_ok(_metadata, INST_B, "cpus", "1-3", "1-3");
}

TEST_F(mk, memory_roundtrip)
{
	char val[32], expected[32];
	unsigned long long v;

	if (MEM_TEST < self->min_memory || MEM_TEST > self->pool_size)
		SKIP(return, "256M is outside min_memory..pool/size");

	create_ok(_metadata, INST_A);
	write_ok(_metadata, INST_A, "memory", "256M", "256M");
	write_ok(_metadata, INST_A, "memory", "268435456", "256M");
	write_ok(_metadata, INST_A, "memory", "262144K", "256M");
	write_ok(_metadata, INST_A, "memory", "256M\n", "256M");
	if (self->pool_size >= MK_SZ_1G)
		write_ok(_metadata, INST_A, "memory", "1024M", "1G");

	/* The bounds themselves are accepted. */
	v = self->min_valid;
	snprintf(val, sizeof(val), "%llu", v);
	mk_format_size(v, expected, sizeof(expected));
	write_ok(_metadata, INST_A, "memory", val, expected);
	snprintf(val, sizeof(val), "%llu", self->pool_size);
	mk_format_size(self->pool_size, expected, sizeof(expected));
	write_ok(_metadata, INST_A, "memory", val, expected);
}

TEST_F(mk, memory_invalid)
{
	/* Does not parse, zero, or not a multiple of the granule. */
	static const char * const bad[] = {
		"abc", "\n", "12X", "1.5G", "-2M", "256MB",
		"0", "0M",
		"3M", "1025K",
	};
	unsigned long long v = self->min_valid;
	char val[32], before[32];
	size_t i;

	ASSERT_GE(self->pool_size, v);
	create_ok(_metadata, INST_A);
	snprintf(val, sizeof(val), "%llu", v);
	mk_format_size(v, before, sizeof(before));
	write_ok(_metadata, INST_A, "memory", val, before);

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		write_err(_metadata, INST_A, "memory", bad[i], EINVAL);

	/* Misaligned but neither below min_memory nor above the pool. */
	if (v + self->granule <= self->pool_size) {
		snprintf(val, sizeof(val), "%llu", v + self->granule / 2);
		write_err(_metadata, INST_A, "memory", val, EINVAL);
	}
}

TEST_F(mk, memory_below_min)
{
	/* The largest multiple of the granule below min_memory. */
	unsigned long long below = (self->min_memory - 1) / self->granule *
				   self->granule;
	char val[32];

	if (!below)
		SKIP(return, "min_memory is one granule: nothing lies below");

	create_ok(_metadata, INST_A);
	snprintf(val, sizeof(val), "%llu", below);
	write_err(_metadata, INST_A, "memory", val, ERANGE);
	mk_format_size(below, val, sizeof(val));
	write_err(_metadata, INST_A, "memory", val, ERANGE);
	expect_value(_metadata, INST_A, "memory", "0");
}

TEST_F(mk, memory_above_pool)
{
	char val[32];

	create_ok(_metadata, INST_A);
	snprintf(val, sizeof(val), "%llu", self->pool_size + self->granule);
	write_err(_metadata, INST_A, "memory", val, ENOSPC);
	snprintf(val, sizeof(val), "%llu", 2 * self->pool_size);
	write_err(_metadata, INST_A, "memory", val, ENOSPC);
	expect_value(_metadata, INST_A, "memory", "0");
}

TEST_F(mk, paths_roundtrip)
{
	char *longest;

	if (access(KERNEL_PATH, R_OK) || access(INITRD_PATH, R_OK))
		SKIP(return, "needs %s and %s", KERNEL_PATH, INITRD_PATH);

	create_ok(_metadata, INST_A);
	write_ok(_metadata, INST_A, "kernel", KERNEL_PATH, KERNEL_PATH);
	write_ok(_metadata, INST_A, "initrd", INITRD_PATH, INITRD_PATH);
	/* An empty write clears a path. */
	write_ok(_metadata, INST_A, "kernel", "\n", "");
	write_ok(_metadata, INST_A, "initrd", "\n", "");
	write_ok(_metadata, INST_A, "kernel", KERNEL_PATH "\n", KERNEL_PATH);
	write_ok(_metadata, INST_A, "initrd", INITRD_PATH "\n", INITRD_PATH);

	/* The longest path accepted is PATH_MAX - 2 bytes. */
	longest = padded_path(KERNEL_PATH, PATH_MAX - 2);
	ASSERT_NE(NULL, longest);
	write_ok(_metadata, INST_A, "kernel", longest, longest);
	free(longest);
	longest = padded_path(INITRD_PATH, PATH_MAX - 2);
	ASSERT_NE(NULL, longest);
	write_ok(_metadata, INST_A, "initrd", longest, longest);
	free(longest);
}

TEST_F(mk, paths_invalid)
{
	static const struct {
		const char *attr;
		const char *valid;
	} attrs[] = {
		{ "kernel", KERNEL_PATH },
		{ "initrd", INITRD_PATH },
	};
	char *toolong, *longpath;
	size_t i;

	if (access(KERNEL_PATH, R_OK) || access(INITRD_PATH, R_OK))
		SKIP(return, "needs %s and %s", KERNEL_PATH, INITRD_PATH);

	/*
	 * PATH_MAX bytes in one component.  configfs hands at most
	 * PATH_MAX - 1 of them to the attribute, which is still too long.
	 */
	longpath = filled(PATH_MAX, 'a');
	ASSERT_NE(NULL, longpath);
	longpath[0] = '/';

	create_ok(_metadata, INST_A);
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		const char *attr = attrs[i].attr;

		write_ok(_metadata, INST_A, attr, attrs[i].valid,
			 attrs[i].valid);
		write_err(_metadata, INST_A, attr, "boot/bzImage", EINVAL);
		write_err(_metadata, INST_A, attr, "./bzImage", EINVAL);
		write_err(_metadata, INST_A, attr, "/nonexistent-kst/bzImage",
			  ENOENT);
		write_err(_metadata, INST_A, attr, "/boot", EISDIR);
		write_err(_metadata, INST_A, attr, "/", EISDIR);
		write_err(_metadata, INST_A, attr, "/dev/null", EINVAL);
		write_buf_err(_metadata, INST_A, attr, longpath, PATH_MAX,
			      ENAMETOOLONG);
		/* PATH_MAX - 1 bytes naming a real file are too long too. */
		toolong = padded_path(attrs[i].valid, PATH_MAX - 1);
		ASSERT_NE(NULL, toolong);
		write_err(_metadata, INST_A, attr, toolong, ENAMETOOLONG);
		free(toolong);
	}
	free(longpath);
}

TEST_F(mk, cmdline_limits)
{
	char *max, *big;

	max = filled(CMDLINE_LEN_MAX + 1, 'c');
	big = filled(CMDLINE_LEN_MAX + 1, 'd');
	ASSERT_NE(NULL, max);
	ASSERT_NE(NULL, big);

	create_ok(_metadata, INST_A);
	write_ok(_metadata, INST_A, "cmdline", TEST_CMDLINE, TEST_CMDLINE);
	write_ok(_metadata, INST_A, "cmdline", TEST_CMDLINE "\n",
		 TEST_CMDLINE);

	/* CMDLINE_LEN_MAX bytes are accepted, also with a trailing newline. */
	max[CMDLINE_LEN_MAX] = '\0';
	write_ok(_metadata, INST_A, "cmdline", max, max);
	max[CMDLINE_LEN_MAX] = '\n';
	write_buf_ok(_metadata, INST_A, "cmdline", max, CMDLINE_LEN_MAX + 1);
	max[CMDLINE_LEN_MAX] = '\0';
	expect_value(_metadata, INST_A, "cmdline", max);

	/* One more is not. */
	write_ok(_metadata, INST_A, "cmdline", TEST_CMDLINE, TEST_CMDLINE);
	write_err(_metadata, INST_A, "cmdline", big, E2BIG);

	free(max);
	free(big);
}

/* Every *_timeout_ms takes 100 to 3600000 ms, in decimal, and nothing else. */
TEST_F(mk, timeouts_range)
{
	static const char * const attrs[] = {
		"boot_timeout_ms", "stop_timeout_ms", "heartbeat_timeout_ms",
	};
	static const char * const bad[] = {
		"99", "0", "3600001", "-100", "1e3", "100ms", "4294967396",
	};
	unsigned int i, j;

	create_ok(_metadata, INST_A);
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		write_ok(_metadata, INST_A, attrs[i], "100", "100");
		write_ok(_metadata, INST_A, attrs[i], "3600000", "3600000");
		write_ok(_metadata, INST_A, attrs[i], "5000\n", "5000");
		for (j = 0; j < ARRAY_SIZE(bad); j++)
			write_err(_metadata, INST_A, attrs[i], bad[j], EINVAL);
	}
}

TEST_F(mk, state_words)
{
	static const char * const bad[] = {
		"bogus", "stopped", "running", "STOP", "start-now",
	};
	size_t i;

	create_ok(_metadata, INST_A);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		write_err(_metadata, INST_A, "state", bad[i], EINVAL);

	/* stop and kill on a stopped instance succeed and do nothing. */
	write_ok(_metadata, INST_A, "state", "stop", "stopped");
	write_ok(_metadata, INST_A, "state", "kill", "stopped");
	write_ok(_metadata, INST_A, "state", "stop\n", "stopped");
	write_ok(_metadata, INST_A, "state", "kill\n", "stopped");
}

/* Start needs cpus, memory and kernel; a refused start changes nothing. */
TEST_F(mk, state_start_unconfigured)
{
	create_ok(_metadata, INST_A);
	write_err(_metadata, INST_A, "state", "start", EINVAL);
	write_ok(_metadata, INST_A, "cpus", "2", "2");
	write_err(_metadata, INST_A, "state", "start\n", EINVAL);
	expect_value(_metadata, INST_A, "state", "stopped");
	expect_value(_metadata, INST_A, "cpus", "2");
}

/* Rejected writes to one attribute leave all the others alone too. */
TEST_F(mk, rejected_writes_keep_config)
{
	char before[NR_ATTRS][ATTR_BUF];
	char after[ATTR_BUF];
	char val[32];
	size_t i;

	if (self->last_cpu < CPU_NEEDED)
		SKIP(return, "needs CPUs 0-%d", CPU_NEEDED);
	if (access(KERNEL_PATH, R_OK) || access(INITRD_PATH, R_OK))
		SKIP(return, "needs %s and %s", KERNEL_PATH, INITRD_PATH);

	create_ok(_metadata, INST_A);
	write_ok(_metadata, INST_A, "cpus", "2-3", "2-3");
	snprintf(val, sizeof(val), "%llu", self->min_valid);
	write_buf_ok(_metadata, INST_A, "memory", val, strlen(val));
	write_ok(_metadata, INST_A, "kernel", KERNEL_PATH, KERNEL_PATH);
	write_ok(_metadata, INST_A, "initrd", INITRD_PATH, INITRD_PATH);
	write_ok(_metadata, INST_A, "cmdline", TEST_CMDLINE, TEST_CMDLINE);
	for (i = 0; i < NR_ATTRS; i++)
		ASSERT_EQ(0, attr_read(INST_A, inst_attrs[i], before[i],
				       sizeof(before[i])));

	write_err(_metadata, INST_A, "cpus", "0-1", EINVAL);
	write_err(_metadata, INST_A, "memory", "0", EINVAL);
	snprintf(val, sizeof(val), "%llu", self->pool_size + self->granule);
	write_err(_metadata, INST_A, "memory", val, ENOSPC);
	write_err(_metadata, INST_A, "kernel", "/boot", EISDIR);
	write_err(_metadata, INST_A, "initrd", "/nonexistent-kst", ENOENT);
	write_err(_metadata, INST_A, "state", "bogus", EINVAL);

	for (i = 0; i < NR_ATTRS; i++) {
		ASSERT_EQ(0, attr_read(INST_A, inst_attrs[i], after,
				       sizeof(after)));
		EXPECT_STREQ(before[i], after) {
			TH_LOG("%s changed", inst_attrs[i]);
		}
	}
}

/* Fill the table up to max_instances, whatever else exists already. */
TEST_F(mk, max_instances)
{
	unsigned long long *ids, id;
	char name[NAME_LEN_MAX + 1];
	int existing, nr, i, j;

	existing = mk_count_instances();
	ASSERT_LE(0, existing);
	ASSERT_GE((int)self->max_instances, existing);
	nr = self->max_instances - existing;
	if (existing)
		TH_LOG("%d instances exist already, creating %d", existing,
		       nr);

	ids = calloc(nr + 1, sizeof(*ids));
	ASSERT_NE(NULL, ids);
	for (i = 0; i < nr; i++) {
		snprintf(name, sizeof(name), "kst-max-%d", i);
		create_ok(_metadata, name);
		ids[i] = read_id(_metadata, name);
		EXPECT_LE(1ULL, ids[i]);
		EXPECT_GE(self->max_instances, ids[i]);
		for (j = 0; j < i; j++) {
			EXPECT_NE(ids[j], ids[i]) {
				TH_LOG("kst-max-%d and kst-max-%d have id %llu",
				       j, i, ids[i]);
			}
		}
	}
	ASSERT_EQ((int)self->max_instances, mk_count_instances());

	create_err(_metadata, "kst-max-over", ENOSPC);
	EXPECT_FALSE(inst_exists("kst-max-over"));

	/* Removing one makes room again, with an id in range. */
	if (nr) {
		ASSERT_EQ(0, inst_rmdir("kst-max-0"));
		create_ok(_metadata, "kst-max-over");
		id = read_id(_metadata, "kst-max-over");
		EXPECT_LE(1ULL, id);
		EXPECT_GE(self->max_instances, id);
		for (j = 1; j < nr; j++)
			EXPECT_NE(ids[j], id);
	}
	free(ids);
}

/* Exit codes of the child of no_cap_sys_admin. */
enum nocap_result {
	NOCAP_OK,
	NOCAP_CAPSET_FAILED,
	NOCAP_CAP_KEPT,
	NOCAP_MKDIR_NOT_EPERM,
	NOCAP_CMDLINE_NOT_EPERM,
	NOCAP_STATE_NOT_EPERM,
	NOCAP_READ_FAILED,
};

static const char * const nocap_msgs[] = {
	[NOCAP_OK] = "ok",
	[NOCAP_CAPSET_FAILED] = "capget/capset failed",
	[NOCAP_CAP_KEPT] = "CAP_SYS_ADMIN still effective after capset",
	[NOCAP_MKDIR_NOT_EPERM] = "mkdir did not fail with EPERM",
	[NOCAP_CMDLINE_NOT_EPERM] = "cmdline write did not fail with EPERM",
	[NOCAP_STATE_NOT_EPERM] = "state write did not fail with EPERM",
	[NOCAP_READ_FAILED] = "reading state failed or was not \"stopped\"",
};

/* Drop CAP_SYS_ADMIN from all sets of this process; the uid stays 0. */
static enum nocap_result drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned int idx = CAP_TO_INDEX(CAP_SYS_ADMIN);
	unsigned int mask = CAP_TO_MASK(CAP_SYS_ADMIN);

	if (syscall(SYS_capget, &hdr, data))
		return NOCAP_CAPSET_FAILED;
	data[idx].effective &= ~mask;
	data[idx].permitted &= ~mask;
	data[idx].inheritable &= ~mask;
	if (syscall(SYS_capset, &hdr, data))
		return NOCAP_CAPSET_FAILED;

	if (syscall(SYS_capget, &hdr, data))
		return NOCAP_CAPSET_FAILED;
	if ((data[idx].effective | data[idx].permitted) & mask)
		return NOCAP_CAP_KEPT;
	return NOCAP_OK;
}

/* Runs in a child that is root but lacks CAP_SYS_ADMIN. */
static enum nocap_result nocap_child(void)
{
	static const char inst_nocap[] = "kst-nocap";
	char state[ATTR_BUF];
	enum nocap_result res;

	res = drop_cap_sys_admin();
	if (res != NOCAP_OK)
		return res;

	if (inst_mkdir(inst_nocap) != -1 || errno != EPERM)
		return NOCAP_MKDIR_NOT_EPERM;
	if (attr_write(INST_A, "cmdline", "nocap", strlen("nocap")) != -1 ||
	    errno != EPERM)
		return NOCAP_CMDLINE_NOT_EPERM;
	if (attr_write(INST_A, "state", "stop", strlen("stop")) != -1 ||
	    errno != EPERM)
		return NOCAP_STATE_NOT_EPERM;
	/* Reading needs no capability. */
	if (attr_read(INST_A, "state", state, sizeof(state)) ||
	    strcmp(state, "stopped"))
		return NOCAP_READ_FAILED;
	return NOCAP_OK;
}

TEST_F(mk, no_cap_sys_admin)
{
	int status, code;
	pid_t pid;

	ASSERT_EQ(0U, geteuid());
	create_ok(_metadata, INST_A);
	write_ok(_metadata, INST_A, "cmdline", TEST_CMDLINE, TEST_CMDLINE);

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(nocap_child());

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	code = WEXITSTATUS(status);
	EXPECT_EQ(NOCAP_OK, code) {
		TH_LOG("without CAP_SYS_ADMIN: %s",
		       code < (int)ARRAY_SIZE(nocap_msgs) ?
		       nocap_msgs[code] : "unexpected exit code");
	}

	/* Nothing the child tried took effect. */
	EXPECT_FALSE(inst_exists("kst-nocap"));
	expect_value(_metadata, INST_A, "cmdline", TEST_CMDLINE);
	expect_value(_metadata, INST_A, "state", "stopped");
}

TEST_HARNESS_MAIN
