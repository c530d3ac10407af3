// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the multikernel memory pool as sysfs and /proc/iomem show it,
 * against multikernel.pool=SIZE[@ADDR] on the kernel command line and
 * Documentation/multikernel/admin-guide.rst.  They need a boot with that
 * parameter; inert_test covers the boot without it.
 */

#include "kselftest_harness.h"

#include <sys/stat.h>

#include "mk_helpers.h"

static const char * const sysfs_files[] = {
	MK_SYSFS_DIR "/max_instances",
	MK_SYSFS_DIR "/min_memory",
	MK_POOL_DIR "/size",
	MK_POOL_DIR "/free",
	MK_POOL_DIR "/largest_free",
	MK_POOL_DIR "/granule",
};

#define NR_SYSFS_FILES	ARRAY_SIZE(sysfs_files)

FIXTURE(pool) {
	unsigned long long param_size;	/* SIZE of multikernel.pool= */
	unsigned long long param_addr;	/* ADDR of it, when has_addr */
	bool has_addr;
};

FIXTURE_SETUP(pool)
{
	enum mk_pool_param_result res;

	res = mk_pool_param(&self->param_size, &self->param_addr,
			    &self->has_addr);
	if (res == MK_POOL_ABSENT)
		SKIP(return,
		     "no multikernel.pool= on the kernel command line: the pool tests need one");
	ASSERT_EQ(MK_POOL_PRESENT, res) {
		TH_LOG("cannot parse multikernel.pool= on %s",
		       MK_PROC_CMDLINE);
	}
}

FIXTURE_TEARDOWN(pool)
{
}

TEST_F(pool, files_exist)
{
	struct stat st;
	size_t i;

	for (i = 0; i < NR_SYSFS_FILES; i++) {
		ASSERT_EQ(0, stat(sysfs_files[i], &st)) {
			TH_LOG("%s: %s", sysfs_files[i], strerror(errno));
		}
		EXPECT_TRUE(S_ISREG(st.st_mode));
		/* Each holds one decimal value and a newline. */
		mk_read_fact(_metadata, sysfs_files[i]);
	}
}

TEST_F(pool, files_read_only)
{
	struct stat st;
	size_t i;
	int fd;

	for (i = 0; i < NR_SYSFS_FILES; i++) {
		ASSERT_EQ(0, stat(sysfs_files[i], &st));
		EXPECT_EQ(0U, st.st_mode & 0222) {
			TH_LOG("%s is writable", sysfs_files[i]);
		}
		fd = open(sysfs_files[i], O_WRONLY);
		if (fd >= 0)
			close(fd);
		EXPECT_EQ(-1, fd) {
			TH_LOG("%s opened for writing", sysfs_files[i]);
		}
		EXPECT_EQ(EACCES, errno);
	}
}

TEST_F(pool, size_matches_cmdline)
{
	unsigned long long size = mk_read_fact(_metadata, MK_POOL_DIR "/size");

	EXPECT_EQ(self->param_size, size);
}

TEST_F(pool, granule_is_2m)
{
	unsigned long long granule = mk_read_fact(_metadata,
					       MK_POOL_DIR "/granule");
	unsigned long long size = mk_read_fact(_metadata, MK_POOL_DIR "/size");

	EXPECT_EQ(MK_POOL_GRANULE, granule);
	EXPECT_EQ(0ULL, size % MK_POOL_GRANULE);
}

TEST_F(pool, free_bounded)
{
	unsigned long long size = mk_read_fact(_metadata, MK_POOL_DIR "/size");
	unsigned long long avail = mk_read_fact(_metadata, MK_POOL_DIR "/free");
	unsigned long long largest = mk_read_fact(_metadata,
					       MK_POOL_DIR "/largest_free");

	EXPECT_LE(avail, size);
	EXPECT_LE(largest, avail);
}

TEST_F(pool, all_free_when_idle)
{
	unsigned long long size, avail, largest;
	int nr = mk_count_instances();

	ASSERT_LE(0, nr) {
		TH_LOG("%s: %s", MK_INSTANCES_DIR, strerror(errno));
	}
	if (nr)
		SKIP(return, "%d instances exist: memory may be lent", nr);

	size = mk_read_fact(_metadata, MK_POOL_DIR "/size");
	avail = mk_read_fact(_metadata, MK_POOL_DIR "/free");
	largest = mk_read_fact(_metadata, MK_POOL_DIR "/largest_free");
	EXPECT_EQ(size, avail);
	EXPECT_EQ(size, largest);
}

TEST_F(pool, iomem_region)
{
	unsigned long long start = 0, end = 0, size;
	int nr;

	nr = mk_iomem_pool(&start, &end);
	ASSERT_LE(0, nr) {
		TH_LOG("cannot read or parse %s", MK_PROC_IOMEM);
	}
	ASSERT_EQ(1, nr) {
		TH_LOG("%d lines name \"%s\" in %s", nr, MK_IOMEM_NAME,
		       MK_PROC_IOMEM);
	}
	/* Without CAP_SYS_ADMIN, /proc/iomem shows every range as zero. */
	ASSERT_NE(0ULL, end) {
		TH_LOG("%s shows no addresses: not root?", MK_PROC_IOMEM);
	}
	ASSERT_LE(start, end);

	size = mk_read_fact(_metadata, MK_POOL_DIR "/size");
	EXPECT_EQ(size, end - start + 1);
	EXPECT_EQ(self->param_size, end - start + 1);
	if (self->has_addr)
		EXPECT_EQ(self->param_addr, start);
}

/* The values the admin guide documents. */
TEST_F(pool, limits_documented)
{
	unsigned long long max_instances, min_memory;

	max_instances = mk_read_fact(_metadata, MK_SYSFS_DIR "/max_instances");
	min_memory = mk_read_fact(_metadata, MK_SYSFS_DIR "/min_memory");
	EXPECT_EQ(64ULL, max_instances);
	EXPECT_EQ(64 * MK_SZ_1M, min_memory);
}

TEST_HARNESS_MAIN
