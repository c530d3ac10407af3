// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the multikernel control interface's parsing and checks.
 */

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

static void mk_test_name(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mk_check_name("web"), 0);
	KUNIT_EXPECT_EQ(test, mk_check_name("0db_1-x"), 0);
	KUNIT_EXPECT_EQ(test, mk_check_name("abcdefghijklmnopqrstuvwxyz012345"), 0);
	KUNIT_EXPECT_EQ(test, mk_check_name("abcdefghijklmnopqrstuvwxyz0123456"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mk_check_name(""), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_check_name("-web"), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_check_name("_web"), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_check_name("Web"), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_check_name("w.b"), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_check_name("w b"), -EINVAL);
}

static void mk_test_parse_memory(struct kunit *test)
{
	u64 v;

	KUNIT_EXPECT_EQ(test, mk_parse_memory("256M", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 256ULL << 20);
	KUNIT_EXPECT_EQ(test, mk_parse_memory("268435456", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 256ULL << 20);
	KUNIT_EXPECT_EQ(test, mk_parse_memory("1g", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1ULL << 30);
	KUNIT_EXPECT_EQ(test, mk_parse_memory("1025K", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1025ULL << 10);
	KUNIT_EXPECT_EQ(test, mk_parse_memory("0", &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0ULL);

	KUNIT_EXPECT_EQ(test, mk_parse_memory("", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_memory("abc", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_memory("256MB", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_memory("256T", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_memory("-1", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_memory("0x100000", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_memory(" 1M", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_memory("18446744073709551616", &v),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_memory("17179869184G", &v), -EINVAL);
}

static void mk_test_check_memory(struct kunit *test)
{
	const u64 pool = SZ_1G;

	KUNIT_EXPECT_EQ(test, mk_check_memory(SZ_64M, pool), 0);
	KUNIT_EXPECT_EQ(test, mk_check_memory(pool, pool), 0);
	KUNIT_EXPECT_EQ(test, mk_check_memory(0, pool), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_check_memory(SZ_64M + SZ_1M, pool), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_check_memory(SZ_64M - MK_GRANULE, pool),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, mk_check_memory(pool + MK_GRANULE, pool),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, mk_check_memory(SZ_64M, 0), -ENOSPC);
}

static void mk_test_format_memory(struct kunit *test)
{
	char buf[24];

	mk_format_memory(buf, sizeof(buf), 256ULL << 20);
	KUNIT_EXPECT_STREQ(test, buf, "256M");
	mk_format_memory(buf, sizeof(buf), 2ULL << 30);
	KUNIT_EXPECT_STREQ(test, buf, "2G");
	mk_format_memory(buf, sizeof(buf), 1025ULL << 10);
	KUNIT_EXPECT_STREQ(test, buf, "1025K");
	mk_format_memory(buf, sizeof(buf), 1536);
	KUNIT_EXPECT_STREQ(test, buf, "1536");
	mk_format_memory(buf, sizeof(buf), 0);
	KUNIT_EXPECT_STREQ(test, buf, "0");
}

static void mk_test_parse_cpulist(struct kunit *test)
{
	struct cpumask *mask;

	if (nr_cpu_ids < 2)
		kunit_skip(test, "needs at least 2 possible CPUs");
	mask = kunit_kzalloc(test, cpumask_size(), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mask);

	KUNIT_EXPECT_EQ(test, mk_parse_cpulist("1", mask), 0);
	KUNIT_EXPECT_TRUE(test, cpumask_test_cpu(1, mask));
	KUNIT_EXPECT_EQ(test, cpumask_weight(mask), 1);
	KUNIT_EXPECT_EQ(test, mk_parse_cpulist("", mask), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_cpulist("abc", mask), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_cpulist("1-", mask), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_cpulist("3-1", mask), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_cpulist("100000", mask), -ENODEV);
}

/* Build a mask from a cpulist that is valid on any SMP kernel (CPUs 0-3). */
static struct cpumask *mk_test_mask(struct kunit *test, const char *list)
{
	struct cpumask *mask = kunit_kzalloc(test, cpumask_size(), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, mask);
	if (*list)
		KUNIT_ASSERT_EQ(test, cpulist_parse(list, mask), 0);
	return mask;
}

static void mk_test_check_cpus(struct kunit *test)
{
	struct cpumask *present, *online, *none;
	const char *why = NULL;

	if (nr_cpu_ids < 4)
		kunit_skip(test, "needs at least 4 possible CPUs");
	present = mk_test_mask(test, "0-3");
	online = mk_test_mask(test, "0-2");
	none = mk_test_mask(test, "");

	KUNIT_EXPECT_EQ(test, mk_check_cpus(mk_test_mask(test, "2-3"), present,
					    online, none, &why), 0);
	KUNIT_EXPECT_EQ(test, mk_check_cpus(mk_test_mask(test, "0-1"), present,
					    online, none, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_check_cpus(mk_test_mask(test, "2"), present,
					    mk_test_mask(test, "1-2"),
					    mk_test_mask(test, "1"), &why),
			-EBUSY);
	KUNIT_EXPECT_STREQ(test, why, "the host would keep no online CPU");
	KUNIT_EXPECT_EQ(test, mk_check_cpus(mk_test_mask(test, "2"), present,
					    online, mk_test_mask(test, "2-3"),
					    &why), -EBUSY);
	KUNIT_EXPECT_STREQ(test, why,
			   "a CPU in the list belongs to another instance");
	KUNIT_EXPECT_EQ(test, mk_check_cpus(mk_test_mask(test, "3"),
					    mk_test_mask(test, "0-2"), online,
					    none, &why), -ENODEV);
}

static void mk_test_check_path(struct kunit *test)
{
	char *longpath = kunit_kmalloc(test, PATH_MAX + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, longpath);
	memset(longpath, 'a', PATH_MAX);
	longpath[0] = '/';
	longpath[PATH_MAX] = '\0';

	KUNIT_EXPECT_EQ(test, mk_check_path("/boot/bzImage"), 0);
	KUNIT_EXPECT_EQ(test, mk_check_path("boot/bzImage"), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_check_path("./bzImage"), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_check_path(longpath), -ENAMETOOLONG);
	longpath[PATH_MAX - 1] = '\0';
	KUNIT_EXPECT_EQ(test, mk_check_path(longpath), -ENAMETOOLONG);
	longpath[PATH_MAX - 2] = '\0';
	KUNIT_EXPECT_EQ(test, mk_check_path(longpath), 0);
}

static void mk_test_check_cmdline(struct kunit *test)
{
	char *cmdline = kunit_kmalloc(test, MK_CMDLINE_MAX + 2, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, cmdline);
	memset(cmdline, 'x', MK_CMDLINE_MAX + 1);
	cmdline[MK_CMDLINE_MAX + 1] = '\0';
	KUNIT_EXPECT_EQ(test, mk_check_cmdline(cmdline), -E2BIG);
	cmdline[MK_CMDLINE_MAX] = '\0';
	KUNIT_EXPECT_EQ(test, mk_check_cmdline(cmdline), 0);
	KUNIT_EXPECT_EQ(test, mk_check_cmdline(""), 0);
}

static void mk_test_state_words(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mk_parse_state_cmd("start"), MK_CMD_START);
	KUNIT_EXPECT_EQ(test, mk_parse_state_cmd("stop"), MK_CMD_STOP);
	KUNIT_EXPECT_EQ(test, mk_parse_state_cmd("kill"), MK_CMD_KILL);
	KUNIT_EXPECT_EQ(test, mk_parse_state_cmd("upgrade"), MK_CMD_UPGRADE);
	KUNIT_EXPECT_EQ(test, mk_parse_state_cmd("Start"), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_state_cmd("running"), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_parse_state_cmd(""), -EINVAL);
	KUNIT_EXPECT_STREQ(test, mk_state_name(MK_STOPPED), "stopped");
	KUNIT_EXPECT_STREQ(test, mk_state_name(MK_CRASHED), "crashed");
	KUNIT_EXPECT_STREQ(test, mk_state_name(MK_QUARANTINED), "quarantined");
}

/* Text a spawn wrote reaches the log without line breaks or escapes. */
static void mk_test_spawn_text(struct kunit *test)
{
	static const char forged[] = "oops\nmultikernel: web: stopped";
	static const char escape[] = { 'a', 0x1b, '[', '2', 'J', 'b', 0x7f,
				       (char)0x80, 'c' };
	static const char full[8] = "12345678";
	char out[8];
	size_t n;

	n = mk_copy_spawn_text(out, sizeof(out), forged, sizeof(forged));
	KUNIT_EXPECT_EQ(test, n, 4);
	KUNIT_EXPECT_STREQ(test, out, "oops");
	n = mk_copy_spawn_text(out, sizeof(out), escape, sizeof(escape));
	KUNIT_EXPECT_EQ(test, n, 7);
	KUNIT_EXPECT_STREQ(test, out, "a?[2Jb?");
	/* Not terminated by the spawn: cut to the buffer, terminated. */
	n = mk_copy_spawn_text(out, sizeof(out), full, sizeof(full));
	KUNIT_EXPECT_EQ(test, n, 7);
	KUNIT_EXPECT_STREQ(test, out, "1234567");
	n = mk_copy_spawn_text(out, sizeof(out), "\r", 1);
	KUNIT_EXPECT_EQ(test, n, 0);
	KUNIT_EXPECT_STREQ(test, out, "");
}

static void mk_test_policy_name(struct kunit *test)
{
	static const char full[MK_POLICY_NAME_LEN] = "0123456789abcdef";
	char field[MK_POLICY_NAME_LEN] = "auto_restart-2";
	char out[MK_POLICY_NAME_LEN];

	KUNIT_EXPECT_EQ(test, mk_copy_policy_name(out, field), 0);
	KUNIT_EXPECT_STREQ(test, out, "auto_restart-2");
	/* No NUL in the field: refused, not read past. */
	KUNIT_EXPECT_EQ(test, mk_copy_policy_name(out, full), -EINVAL);
	memset(field, 0, sizeof(field));
	KUNIT_EXPECT_EQ(test, mk_copy_policy_name(out, field), -EINVAL);
	strscpy(field, "a/b", sizeof(field));
	KUNIT_EXPECT_EQ(test, mk_copy_policy_name(out, field), -EINVAL);
	strscpy(field, "a.b", sizeof(field));
	KUNIT_EXPECT_EQ(test, mk_copy_policy_name(out, field), -EINVAL);
	strscpy(field, "a b", sizeof(field));
	KUNIT_EXPECT_EQ(test, mk_copy_policy_name(out, field), -EINVAL);
}

/*
 * An instance that is not stopped refuses every configuration change with
 * -EBUSY and keeps its values; one that says it runs but holds nothing
 * (it was never started) refuses a new CPU set too.  The instance is
 * private to the test: it is never listed, so no other code can see it.
 */
static void mk_test_busy_when_not_stopped(struct kunit *test)
{
	static const enum mk_state busy[] = {
		MK_STARTING, MK_RUNNING, MK_STOPPING, MK_CRASHED,
	};
	struct mk_instance *inst;
	int i;

	if (nr_cpu_ids < 2)
		kunit_skip(test, "needs at least 2 possible CPUs");
	inst = kunit_kzalloc(test, sizeof(*inst), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, inst);
	KUNIT_ASSERT_TRUE(test, zalloc_cpumask_var(&inst->cpus, GFP_KERNEL));
	KUNIT_ASSERT_TRUE(test, zalloc_cpumask_var(&inst->unproven,
						   GFP_KERNEL));
	mk_instance_run_init(inst);
	config_item_init_type_name(&inst->group.cg_item, "kunit", NULL);

	for (i = 0; i < ARRAY_SIZE(busy); i++) {
		inst->state = busy[i];
		KUNIT_EXPECT_EQ(test, mk_instance_set_cpus(inst, "1"), -EBUSY);
		KUNIT_EXPECT_EQ(test, mk_instance_set_cmdline(inst, "quiet"),
				-EBUSY);
		KUNIT_EXPECT_EQ(test, mk_instance_set_path(inst, &inst->initrd,
							   "initrd", ""),
				-EBUSY);
		KUNIT_EXPECT_TRUE(test, cpumask_empty(inst->cpus));
		KUNIT_EXPECT_NULL(test, inst->cmdline);
	}

	inst->state = MK_STOPPED;
	KUNIT_EXPECT_EQ(test, mk_instance_set_cmdline(inst, "quiet"), 0);
	KUNIT_EXPECT_STREQ(test, inst->cmdline, "quiet");
	kfree(inst->cmdline);
	free_cpumask_var(inst->unproven);
	free_cpumask_var(inst->cpus);
}

static struct kunit_case mk_validate_cases[] = {
	KUNIT_CASE(mk_test_name),
	KUNIT_CASE(mk_test_parse_memory),
	KUNIT_CASE(mk_test_check_memory),
	KUNIT_CASE(mk_test_format_memory),
	KUNIT_CASE(mk_test_parse_cpulist),
	KUNIT_CASE(mk_test_check_cpus),
	KUNIT_CASE(mk_test_check_path),
	KUNIT_CASE(mk_test_check_cmdline),
	KUNIT_CASE(mk_test_state_words),
	KUNIT_CASE(mk_test_spawn_text),
	KUNIT_CASE(mk_test_policy_name),
	KUNIT_CASE(mk_test_busy_when_not_stopped),
	{}
};

static struct kunit_suite mk_validate_suite = {
	.name = "multikernel",
	.test_cases = mk_validate_cases,
};

kunit_test_suite(mk_validate_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel control interface");
MODULE_LICENSE("GPL");
