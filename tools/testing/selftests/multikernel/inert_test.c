// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of a multikernel host booted without multikernel.pool=: the feature
 * is built in but inert (Documentation/multikernel/admin-guide.rst).  On a
 * boot with the parameter these tests skip; pool_test and configfs_test
 * cover that boot.
 */

#include "kselftest_harness.h"

#include <sys/stat.h>

#include "mk_helpers.h"

/* What the tests try to create; it must never exist. */
#define INST_INERT	"kst-inert"

static void inert_inst_path(char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", MK_INSTANCES_DIR, INST_INERT);
}

FIXTURE(inert) {
	char inst[PATH_MAX];
};

FIXTURE_SETUP(inert)
{
	unsigned long long size, addr;
	bool has_addr;

	if (mk_pool_param(&size, &addr, &has_addr) != MK_POOL_ABSENT)
		SKIP(return,
		     "multikernel.pool= is on the kernel command line: these tests belong to the boot without it");
	inert_inst_path(self->inst, sizeof(self->inst));
}

/* Should a mkdir have succeeded by mistake, do not leave it behind. */
FIXTURE_TEARDOWN_PARENT(inert)
{
	rmdir(self->inst);
}

TEST_F(inert, no_iomem_region)
{
	unsigned long long start, end;

	EXPECT_EQ(0, mk_iomem_pool(&start, &end)) {
		TH_LOG("\"%s\" is in %s", MK_IOMEM_NAME, MK_PROC_IOMEM);
	}
}

TEST_F(inert, pool_empty)
{
	EXPECT_EQ(0ULL, mk_read_fact(_metadata, MK_POOL_DIR "/size"));
	EXPECT_EQ(0ULL, mk_read_fact(_metadata, MK_POOL_DIR "/free"));
	EXPECT_EQ(0ULL, mk_read_fact(_metadata, MK_POOL_DIR "/largest_free"));
}

TEST_F(inert, mkdir_fails_enodev)
{
	int ret, err;

	errno = 0;
	ret = mkdir(self->inst, 0755);
	err = errno;
	EXPECT_EQ(-1, ret) {
		TH_LOG("mkdir %s succeeded without a pool", self->inst);
	}
	EXPECT_EQ(ENODEV, err) {
		TH_LOG("mkdir %s: expected %s, got %s", self->inst,
		       strerror(ENODEV), strerror(err));
	}
	EXPECT_NE(0, access(self->inst, F_OK));
}

TEST_F(inert, instances_empty)
{
	struct stat st;

	ASSERT_EQ(0, stat(MK_INSTANCES_DIR, &st)) {
		TH_LOG("%s: %s", MK_INSTANCES_DIR, strerror(errno));
	}
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	/* Also after a failed attempt to create one. */
	mkdir(self->inst, 0755);
	EXPECT_EQ(0, mk_count_instances());
}

TEST_HARNESS_MAIN
