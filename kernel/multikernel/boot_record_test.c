// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the multikernel boot contract: the SETUP_MULTIKERNEL
 * record a spawn accepts or refuses, and the "MKSP" image chunk a host
 * accepts or refuses, each with its exact errno.
 */

#include <kunit/test.h>
#include <linux/multikernel.h>
#include <linux/string.h>
#include <linux/unaligned.h>

/* A record with room for a longer, future version behind it. */
#define MK_TEST_FUTURE_SIZE	(MULTIKERNEL_BOOT_SIZE_V3 + 64)

/*
 * Over 1 KiB each: the tests keep theirs static, not on the stack.  KUnit
 * runs the cases of a suite one after the other.
 */
struct mk_test_rec {
	struct multikernel_boot_info bi;
	u8 tail[MK_TEST_FUTURE_SIZE - MULTIKERNEL_BOOT_SIZE_V3];
};

static void mk_test_fill(struct mk_test_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->bi.version = MULTIKERNEL_BOOT_VERSION;
	r->bi.size = sizeof(r->bi);
	r->bi.id = 3;
	strscpy(r->bi.name, "web", sizeof(r->bi.name));
	r->bi.host_apic_id = 0;
	r->bi.host_bsp_apic_id = 0;
	r->bi.nr_cpus = 2;
	r->bi.apic_ids[0] = 2;
	r->bi.apic_ids[1] = 3;
	r->bi.tsc_khz = 2000000;
	r->bi.comm_phys = 0x40000000;
	r->bi.comm_size = 0x200000;
}

static int mk_test_check(struct mk_test_rec *r, u32 len,
			 struct multikernel_boot_info *out, const char **why)
{
	*why = NULL;
	return multikernel_boot_record_check(r, len, out, why);
}

/* The oldest record this kernel reads: version 1, exactly its size. */
static void mk_test_record_oldest(struct kunit *test)
{
	static struct multikernel_boot_info out;
	static struct mk_test_rec r;
	const char *why;

	mk_test_fill(&r);
	r.bi.version = MULTIKERNEL_BOOT_VERSION_MIN;
	r.bi.size = MULTIKERNEL_BOOT_SIZE_MIN;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, MULTIKERNEL_BOOT_SIZE_MIN,
					    &out, &why), 0);
	KUNIT_EXPECT_NULL(test, why);
	KUNIT_EXPECT_EQ(test, out.version, MULTIKERNEL_BOOT_VERSION_MIN);
	KUNIT_EXPECT_EQ(test, out.id, 3);
	KUNIT_EXPECT_STREQ(test, out.name, "web");
	KUNIT_EXPECT_EQ(test, out.nr_cpus, 2);
	KUNIT_EXPECT_EQ(test, out.apic_ids[1], 3);
	KUNIT_EXPECT_EQ(test, out.comm_phys, 0x40000000ULL);
	KUNIT_EXPECT_EQ(test, out.comm_size, 0x200000ULL);
}

/* What this kernel writes, in a setup_data entry with padding after it. */
static void mk_test_record_current(struct kunit *test)
{
	static struct multikernel_boot_info out;
	static struct mk_test_rec r;
	const char *why;

	mk_test_fill(&r);
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&out, &r.bi, sizeof(out)), 0);
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r), &out, &why), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&out, &r.bi, sizeof(out)), 0);
}

/* A newer writer: higher version, longer record, fields we do not know. */
static void mk_test_record_future(struct kunit *test)
{
	static struct multikernel_boot_info out;
	static struct mk_test_rec r;
	const char *why;

	mk_test_fill(&r);
	r.bi.version = MULTIKERNEL_BOOT_VERSION + 7;
	r.bi.size = MK_TEST_FUTURE_SIZE;
	memset(r.tail, 0xa5, sizeof(r.tail));
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r), &out, &why), 0);
	KUNIT_EXPECT_EQ(test, out.version, MULTIKERNEL_BOOT_VERSION + 7);
	KUNIT_EXPECT_EQ(test, out.size, MK_TEST_FUTURE_SIZE);
	KUNIT_EXPECT_EQ(test, out.apic_ids[0], 2);
	KUNIT_EXPECT_EQ(test, out.apic_ids[MULTIKERNEL_MAX_CPUS - 1], 0);
	KUNIT_EXPECT_EQ(test, out.comm_size, 0x200000ULL);

	/* The entry must hold the whole of the longer record. */
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, MK_TEST_FUTURE_SIZE - 1, &out,
					    &why), -EMSGSIZE);
	KUNIT_EXPECT_STREQ(test, why, "setup_data entry shorter than the record");
}

static void mk_test_record_short(struct kunit *test)
{
	static struct multikernel_boot_info out;
	static struct mk_test_rec r;
	const char *why;

	mk_test_fill(&r);
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, MULTIKERNEL_BOOT_SIZE_MIN - 1,
					    &out, &why), -EMSGSIZE);
	KUNIT_EXPECT_STREQ(test, why, "record shorter than the oldest version");
	/* What there was is copied, nothing beyond it. */
	KUNIT_EXPECT_EQ(test, out.id, 3);
	KUNIT_EXPECT_EQ(test, out.apic_ids[MULTIKERNEL_MAX_CPUS - 1], 0);
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, 0, &out, &why), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, out.version, 0);

	/* A record that says it is shorter than its version implies. */
	r.bi.size = MULTIKERNEL_BOOT_SIZE_V1 - 4;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r), &out, &why),
			-EMSGSIZE);
	KUNIT_EXPECT_STREQ(test, why, "record size below what its version implies");
	r.bi.size = 0;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r), &out, &why),
			-EMSGSIZE);
}

static void mk_test_record_old_version(struct kunit *test)
{
	static struct multikernel_boot_info out;
	static struct mk_test_rec r;
	const char *why;

	mk_test_fill(&r);
	r.bi.version = 0;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-EPROTONOSUPPORT);
	KUNIT_EXPECT_STREQ(test, why,
			   "version older than the oldest this kernel reads");
}

static void mk_test_record_values(struct kunit *test)
{
	static struct multikernel_boot_info out;
	static struct mk_test_rec r;
	const char *why;
	u32 i;

	mk_test_fill(&r);
	r.bi.nr_cpus = 0;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why, "CPU count out of range");
	r.bi.nr_cpus = MULTIKERNEL_MAX_CPUS + 1;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	r.bi.nr_cpus = MULTIKERNEL_MAX_CPUS;
	r.bi.host_bsp_apic_id = 100;
	for (i = 0; i < MULTIKERNEL_MAX_CPUS; i++)
		r.bi.apic_ids[i] = i + 1;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why), 0);

	mk_test_fill(&r);
	r.bi.id = 0;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why, "instance id out of range");
	r.bi.id = MULTIKERNEL_MAX_ID + 1;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	r.bi.id = MULTIKERNEL_MAX_ID;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why), 0);

	mk_test_fill(&r);
	memset(r.bi.name, 'a', sizeof(r.bi.name));
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why, "instance name empty or not terminated");
	r.bi.name[0] = '\0';
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);

	mk_test_fill(&r);
	r.bi.apic_ids[1] = r.bi.host_bsp_apic_id;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why,
			   "the host's boot CPU is listed as an instance CPU");
}

/* Version 2: spare CPUs and the memory block size. */
static void mk_test_record_spares(struct kunit *test)
{
	static struct multikernel_boot_info out;
	static struct mk_test_rec r;
	const char *why;

	mk_test_fill(&r);
	r.bi.nr_spare_cpus = 2;
	r.bi.spare_apic_ids[0] = 1;
	r.bi.spare_apic_ids[1] = 5;
	r.bi.mem_block_size = 0x8000000;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why), 0);
	KUNIT_EXPECT_EQ(test, out.nr_spare_cpus, 2);
	KUNIT_EXPECT_EQ(test, out.spare_apic_ids[1], 5);
	KUNIT_EXPECT_EQ(test, out.mem_block_size, 0x8000000ULL);

	/* A version 1 record has none, whatever follows it. */
	r.bi.version = 1;
	r.bi.size = MULTIKERNEL_BOOT_SIZE_V1;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why), 0);
	KUNIT_EXPECT_EQ(test, out.nr_spare_cpus, 0);
	KUNIT_EXPECT_EQ(test, out.spare_apic_ids[0], 0);
	KUNIT_EXPECT_EQ(test, out.mem_block_size, 0);
	/* A version 2 record that ends where version 1 does is short. */
	r.bi.version = 2;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-EMSGSIZE);
	r.bi.size = sizeof(r.bi);

	r.bi.spare_apic_ids[1] = 3;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why, "a CPU is listed twice");
	r.bi.spare_apic_ids[1] = r.bi.host_bsp_apic_id;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why,
			   "the host's boot CPU is listed as an instance CPU");
	r.bi.spare_apic_ids[1] = 5;
	r.bi.nr_spare_cpus = MULTIKERNEL_MAX_CPUS - 1;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why, "spare CPU count out of range");
	r.bi.nr_spare_cpus = 2;
	r.bi.mem_block_size = 0x8000000 + 0x200000;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why, "memory block size not a power of two");
}

/* mk_test_preserved() - set region @i of @r */
static void mk_test_preserved(struct mk_test_rec *r, u32 i, const char *name,
			      u64 phys, u64 size)
{
	strscpy(r->bi.preserved[i].name, name, sizeof(r->bi.preserved[i].name));
	r->bi.preserved[i].phys = phys;
	r->bi.preserved[i].size = size;
}

/* Version 3: preserved regions, and each way one can be unusable. */
static void mk_test_record_preserved(struct kunit *test)
{
	static struct multikernel_boot_info out;
	static struct mk_test_rec r;
	const char *why;

	mk_test_fill(&r);
	r.bi.nr_preserved = 2;
	mk_test_preserved(&r, 0, "kv", 0x80000000, 0x200000);
	mk_test_preserved(&r, 1, "log", 0x80200000, 0x400000);
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why), 0);
	KUNIT_EXPECT_EQ(test, out.nr_preserved, 2);
	KUNIT_EXPECT_STREQ(test, out.preserved[1].name, "log");
	KUNIT_EXPECT_EQ(test, out.preserved[1].size, 0x400000ULL);

	/* A version 2 record has none, whatever follows it. */
	r.bi.version = 2;
	r.bi.size = MULTIKERNEL_BOOT_SIZE_V2;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why), 0);
	KUNIT_EXPECT_EQ(test, out.nr_preserved, 0);
	KUNIT_EXPECT_EQ(test, out.preserved[0].phys, 0);
	/* A version 3 record that ends where version 2 does is short. */
	r.bi.version = 3;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-EMSGSIZE);
	r.bi.size = sizeof(r.bi);

	r.bi.nr_preserved = MULTIKERNEL_MAX_PRESERVED + 1;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why, "preserved region count out of range");
	r.bi.nr_preserved = 2;
	mk_test_preserved(&r, 1, "log", 0x80201000 - 0x800, 0x400000);
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why,
			   "preserved region unnamed, misaligned or wrapping");
	mk_test_preserved(&r, 1, "log", 0xfffffffffffff000ULL, 0x2000);
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	mk_test_preserved(&r, 1, "log", 0x80100000, 0x400000);
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why, "preserved regions share a name or memory");
	mk_test_preserved(&r, 1, "kv", 0x80200000, 0x400000);
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why, "preserved regions share a name or memory");
	mk_test_preserved(&r, 1, "log", 0x40100000, 0x400000);
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why,
			   "preserved region overlaps the communication region");
}

static void mk_test_record_comm(struct kunit *test)
{
	static struct multikernel_boot_info out;
	static struct mk_test_rec r;
	const char *why;
	u64 phys, size;
	u32 len;

	mk_test_fill(&r);
	r.bi.comm_size = MULTIKERNEL_COMM_MIN_SIZE - PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	KUNIT_EXPECT_STREQ(test, why,
			   "communication region misaligned or too small");
	r.bi.comm_size = MULTIKERNEL_COMM_MIN_SIZE + 8;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	r.bi.comm_size = MULTIKERNEL_COMM_MIN_SIZE;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why), 0);
	r.bi.comm_phys = 0x40000800;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	r.bi.comm_phys = 0;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);
	r.bi.comm_phys = -(u64)PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, mk_test_check(&r, sizeof(r.bi), &out, &why),
			-ERANGE);

	/* The region of a record refused for its version is still found. */
	mk_test_fill(&r);
	r.bi.version = 0;
	KUNIT_EXPECT_EQ(test, multikernel_boot_record_comm(&r, sizeof(r.bi),
							   &phys, &size), 0);
	KUNIT_EXPECT_EQ(test, phys, 0x40000000ULL);
	KUNIT_EXPECT_EQ(test, size, 0x200000ULL);
	len = offsetofend(struct multikernel_boot_info, comm_size);
	KUNIT_EXPECT_EQ(test, multikernel_boot_record_comm(&r, len, &phys,
							   &size), 0);
	KUNIT_EXPECT_EQ(test, multikernel_boot_record_comm(&r, len - 1, &phys,
							   &size), -EMSGSIZE);
	r.bi.comm_size = 0;
	KUNIT_EXPECT_EQ(test, multikernel_boot_record_comm(&r, sizeof(r.bi),
							   &phys, &size), -ERANGE);
}

/* A chunk: "MKSP", its length, then the fields. */
static u32 mk_test_chunk(u8 *buf, u32 len, u32 version, u32 version_min)
{
	memset(buf, 0, 24);
	memcpy(buf, MULTIKERNEL_SPAWN_CHUNK_MAGIC, 4);
	put_unaligned(len, (u32 *)(buf + 4));
	put_unaligned(version, (u32 *)(buf + 8));
	put_unaligned(version_min, (u32 *)(buf + 12));
	return len;
}

static int mk_test_chunk_check(u8 *buf, u32 len, u32 host, u32 *v, u32 *vmin)
{
	const char *why = NULL;

	return multikernel_spawn_chunk_check(buf, len, host, v, vmin, &why);
}

static void mk_test_chunk_accepted(struct kunit *test)
{
	u8 buf[24];
	u32 v, vmin, len;

	len = mk_test_chunk(buf, 16, 1, 1);
	KUNIT_EXPECT_EQ(test, mk_test_chunk_check(buf, len, 1, &v, &vmin), 0);
	KUNIT_EXPECT_EQ(test, v, 1);
	KUNIT_EXPECT_EQ(test, vmin, 1);
	/* A newer image that still reads version 1 records. */
	len = mk_test_chunk(buf, 16, 5, 1);
	KUNIT_EXPECT_EQ(test, mk_test_chunk_check(buf, len, 1, &v, &vmin), 0);
	/* An older image, host writing newer records: they only grew. */
	len = mk_test_chunk(buf, 16, 1, 1);
	KUNIT_EXPECT_EQ(test, mk_test_chunk_check(buf, len, 4, &v, &vmin), 0);
	/* A longer chunk from a newer image: the tail is ignored. */
	len = mk_test_chunk(buf, 24, 2, 2);
	KUNIT_EXPECT_EQ(test, mk_test_chunk_check(buf, len, 2, &v, &vmin), 0);
	/* The first chunk format: only a version, read exactly. */
	len = mk_test_chunk(buf, 12, 1, 0xdead);
	KUNIT_EXPECT_EQ(test, mk_test_chunk_check(buf, len, 1, &v, &vmin), 0);
	KUNIT_EXPECT_EQ(test, vmin, 1);
}

static void mk_test_chunk_refused(struct kunit *test)
{
	u8 buf[24];
	u32 v, vmin, len;

	len = mk_test_chunk(buf, 8, 1, 1);
	KUNIT_EXPECT_EQ(test, mk_test_chunk_check(buf, len, 1, &v, &vmin),
			-ENOEXEC);
	KUNIT_EXPECT_EQ(test, v, 0);
	len = mk_test_chunk(buf, 16, 0, 0);
	KUNIT_EXPECT_EQ(test, mk_test_chunk_check(buf, len, 1, &v, &vmin),
			-ENOEXEC);
	len = mk_test_chunk(buf, 16, 1, 2);
	KUNIT_EXPECT_EQ(test, mk_test_chunk_check(buf, len, 1, &v, &vmin),
			-ENOEXEC);
	/* Needs newer records than this host writes. */
	len = mk_test_chunk(buf, 16, 3, 2);
	KUNIT_EXPECT_EQ(test, mk_test_chunk_check(buf, len, 1, &v, &vmin),
			-ENOEXEC);
	KUNIT_EXPECT_EQ(test, v, 3);
	KUNIT_EXPECT_EQ(test, vmin, 2);
	/* The first format reads only its own version. */
	len = mk_test_chunk(buf, 12, 1, 0);
	KUNIT_EXPECT_EQ(test, mk_test_chunk_check(buf, len, 2, &v, &vmin),
			-ENOEXEC);
}

static struct kunit_case mk_boot_record_cases[] = {
	KUNIT_CASE(mk_test_record_oldest),
	KUNIT_CASE(mk_test_record_current),
	KUNIT_CASE(mk_test_record_future),
	KUNIT_CASE(mk_test_record_short),
	KUNIT_CASE(mk_test_record_old_version),
	KUNIT_CASE(mk_test_record_values),
	KUNIT_CASE(mk_test_record_spares),
	KUNIT_CASE(mk_test_record_preserved),
	KUNIT_CASE(mk_test_record_comm),
	KUNIT_CASE(mk_test_chunk_accepted),
	KUNIT_CASE(mk_test_chunk_refused),
	{}
};

static struct kunit_suite mk_boot_record_suite = {
	.name = "multikernel_boot_record",
	.test_cases = mk_boot_record_cases,
};

kunit_test_suite(mk_boot_record_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel boot contract");
MODULE_LICENSE("GPL");
