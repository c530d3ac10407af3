// SPDX-License-Identifier: GPL-2.0
/*
 * Unit cases: sizes, cpulists, JSON, error messages, names, timeouts,
 * attribute and state files, called directly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mkctl.h"
#include "harness.h"

static const struct {
	const char *text;
	unsigned long long bytes;
} sizes[] = {
	{ "0", 0 },
	{ "4096", 4096 },
	{ "2097152", 2097152 },
	{ "18446744073709551615", 18446744073709551615ULL },
	{ "2k", 2048 },
	{ "2K", 2048 },
	{ "256m", 268435456 },
	{ "256M", 268435456 },
	{ "3g", 3221225472ULL },
	{ "1G", 1073741824 },
	{ "17179869183G", 17179869183ULL << 30 },
};

static bool size_parses(void)
{
	unsigned long long got;
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		got = 0;
		ok &= expect_int(sizes[i].text, size_parse(sizes[i].text, &got),
				 0) &&
		      expect_int(sizes[i].text, got, sizes[i].bytes);
	}
	return ok;
}

static bool size_rejects(void)
{
	static const struct {
		const char *text;
		int err;
	} bad[] = {
		{ "", -EINVAL }, { "M", -EINVAL }, { "12Q", -EINVAL },
		{ "1.5G", -EINVAL }, { "-1", -EINVAL }, { "1MB", -EINVAL },
		{ " 1", -EINVAL }, { "1 ", -EINVAL }, { "0x10", -EINVAL },
		{ "+4", -EINVAL }, { "18446744073709551616", -ERANGE },
		{ "17179869184G", -ERANGE },
		{ "99999999999999999999K", -ERANGE },
	};
	unsigned long long v;
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok &= expect_int(bad[i].text, size_parse(bad[i].text, &v),
				 bad[i].err);
	return ok;
}

static bool size_formats(void)
{
	static const struct {
		unsigned long long bytes;
		const char *text;
	} cases[] = {
		{ 0, "0" }, { 1000, "1000" }, { 1024, "1K" },
		{ 1572864, "1536K" }, { 268435456, "256M" },
		{ 1073741824, "1G" }, { 3221225472ULL, "3G" },
		{ 1073741825, "1073741825" },
	};
	bool ok = true;
	char buf[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ok &= expect_str(cases[i].text,
				 size_format(cases[i].bytes, buf, sizeof(buf)),
				 cases[i].text);
	return ok;
}

static bool size_round_trip(void)
{
	unsigned long long back;
	bool ok = true;
	char buf[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_format(sizes[i].bytes, buf, sizeof(buf));
		ok &= expect_int(buf, size_parse(buf, &back), 0) &&
		      expect_int(buf, back, sizes[i].bytes);
	}
	return ok;
}

static bool cpulist_valid(void)
{
	static const struct {
		const char *list;
		unsigned long first;
	} cases[] = {
		{ "2-3,5", 2 }, { "5,1", 1 }, { "0", 0 }, { "7,0-1", 0 },
		{ "4-11:2/4", 4 }, { "3-3", 3 },
	};
	unsigned long first;
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ok &= expect_int(cases[i].list,
				 cpulist_first(cases[i].list, &first), 0) &&
		      expect_int(cases[i].list, first, cases[i].first);
	return ok;
}

static bool cpulist_invalid(void)
{
	static const char * const bad[] = {
		"", ",", "1,", ",1", "3-2", "a", "1-", "-1", "0x1", "1 2",
		"2-3:0/4", "2-3:5/4", "2-3:1", "2:1/2",
	};
	unsigned long first;
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok &= expect_int(bad[i], cpulist_first(bad[i], &first),
				 -EINVAL);
	return ok;
}

/* Run @print on a memory stream and compare what it wrote. */
static bool prints(const char *what, void (*print)(FILE *f, const void *),
		   const void *arg, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	bool ok;

	f = open_memstream(&buf, &len);
	if (!f)
		return false;
	print(f, arg);
	fclose(f);
	ok = expect_str(what, buf, want);
	free(buf);
	return ok;
}

static void print_string(FILE *f, const void *s)
{
	json_string(f, s);
}

static bool json_escapes(void)
{
	static const char * const cases[][2] = {
		{ "web", "\"web\"" },
		{ "", "\"\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "a\nb\tc\rd\001e\037", "\"a\\nb\\tc\\rd\\u0001e\\u001f\"" },
		{ "caf\xc3\xa9/\x7f", "\"caf\xc3\xa9/\x7f\"" },
	};
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ok &= prints(cases[i][1], print_string, cases[i][0],
			     cases[i][1]);
	return ok;
}

static void print_object(FILE *f, const void *members)
{
	struct json_obj o;

	json_obj_begin(&o, f);
	if (members) {
		json_obj_str(&o, "name", "w\"1");
		json_obj_num(&o, "memory", 268435456);
		json_obj_num(&o, "max", 18446744073709551615ULL);
	}
	json_obj_end(&o);
}

static void print_nested(FILE *f, const void *arg)
{
	struct json_obj o, child, empty;

	(void)arg;
	json_obj_begin(&o, f);
	json_obj_str(&o, "name", "web");
	json_obj_obj(&o, "cpus", &child);
	json_obj_str(&child, "old", "1");
	json_obj_str(&child, "new", "1-3");
	json_obj_end(&child);
	json_obj_obj(&o, "none", &empty);
	json_obj_end(&empty);
	json_obj_num(&o, "n", 1);
	json_obj_end(&o);
}

static bool json_objects(void)
{
	return prints("empty object", print_object, NULL, "{}") &&
	       prints("object", print_object, "",
		      "{\"name\":\"w\\\"1\",\"memory\":268435456,\"max\":18446744073709551615}") &&
	       prints("nested", print_nested, NULL,
		      "{\"name\":\"web\",\"cpus\":{\"old\":\"1\",\"new\":\"1-3\"},\"none\":{},\"n\":1}");
}

static bool explains(unsigned int op, const char *value, int err,
		     const char *want)
{
	char buf[256];

	return expect_str(strerror(err),
			  mk_explain(buf, sizeof(buf), op, "web", value, err),
			  want);
}

static bool errmsg_mkdir(void)
{
	bool ok;

	ok = explains(MK_MKDIR, NULL, EEXIST,
		      "an instance named web exists already");
	ok &= explains(MK_MKDIR, NULL, ENODEV,
		       "no memory pool reserved; boot the host with multikernel.pool=SIZE");
	ok &= explains(MK_MKDIR, NULL, ENOSPC, "too many instances (max 64)");
	ok &= explains(MK_MKDIR, NULL, EINVAL,
		       "invalid name: must match [a-z0-9][a-z0-9_-]{0,31}");
	return ok;
}

static bool errmsg_sysfs_missing(void)
{
	return expect_int("unlink", fake_unlink("sys/max_instances"), 0) &&
	       explains(MK_MKDIR, NULL, ENOSPC,
			"too many instances (max unknown)");
}

static bool errmsg_permission(void)
{
	const char *msg;
	bool ok;

	msg = "permission denied: needs CAP_SYS_ADMIN (run as root)";
	ok = explains(MK_MKDIR, NULL, EPERM, msg);
	ok &= explains(MK_CPUS, "2", EPERM, msg);
	ok &= explains(MK_RMDIR, NULL, EACCES, msg);
	ok &= explains(MK_CMDLINE, "x", EACCES, msg);
	return ok;
}

static bool errmsg_cpus(void)
{
	const char *cpu0 = "CPU 0 is the host's boot CPU and cannot be lent";
	const char *syntax = "not a CPU list like \"2-3,5\"";
	bool ok;

	ok = explains(MK_CPUS, "0-3", EINVAL, cpu0);
	ok &= explains(MK_CPUS, "3,0", EINVAL, cpu0);
	ok &= explains(MK_CPUS, "two", EINVAL, syntax);
	ok &= explains(MK_CPUS, "", EINVAL, syntax);
	ok &= explains(MK_CPUS, "99", ENODEV,
		       "a CPU in the list does not exist");
	ok &= explains(MK_CPUS, "2", EBUSY,
		       "a CPU in the list belongs to another instance or is the host's last online CPU");
	return ok;
}

static bool errmsg_cpu_owner(void)
{
	bool ok;

	ok = !fake_instance("db", "1", "running", "4-5", "64M", "/k", "") &&
	     !fake_instance("web", "2", "stopped", "2-3", "64M", "/k", "");
	ok = ok && explains(MK_CPUS, "3,5", EBUSY,
			    "CPU 5 belongs to instance db; choose another CPU, or stop db and give it other CPUs");
	/* web's own CPUs are no reason, nor are CPUs nobody has. */
	ok = ok && explains(MK_CPUS, "2-3,6", EBUSY,
			    "a CPU in the list belongs to another instance or is the host's last online CPU");
	return ok;
}

static bool errmsg_memory(void)
{
	bool ok;

	ok = explains(MK_MEMORY, "1.5G", EINVAL,
		      "not a size: give bytes with an optional K, M or G suffix");
	ok &= explains(MK_MEMORY, "99999999999999999999G", EINVAL,
		       "not a size: give bytes with an optional K, M or G suffix");
	ok &= explains(MK_MEMORY, "0", EINVAL, "cannot be zero");
	ok &= explains(MK_MEMORY, "0M", EINVAL, "cannot be zero");
	ok &= explains(MK_MEMORY, "3M", EINVAL,
		       "not a multiple of the pool granule (2M)");
	ok &= explains(MK_MEMORY, "2M", ERANGE,
		       "smaller than the minimum (64M)");
	ok &= explains(MK_MEMORY, "3G", ENOSPC,
		       "larger than the memory pool (1G)");
	ok &= explains(MK_MEMORY, "64M", EBUSY,
		       "instance web is not stopped; stop it first");
	return ok;
}

static bool errmsg_live_cpus(void)
{
	const char *last =
		"the instance would lose its last CPU; keep at least one of its CPUs in the list";
	bool ok;

	ok = explains(MK_LIVE_CPUS, "0-2", EINVAL,
		      "CPU 0 is the host's boot CPU and cannot be lent");
	ok &= explains(MK_LIVE_CPUS, "", EINVAL, last);
	ok &= explains(MK_LIVE_CPUS, "4-5", EINVAL, last);
	ok &= explains(MK_LIVE_CPUS, "two", EINVAL,
		       "not a CPU list like \"2-3,5\"");
	ok &= explains(MK_LIVE_CPUS, "99", ENODEV,
		       "a CPU in the list does not exist");
	ok &= explains(MK_LIVE_CPUS, "2-3", EBUSY,
		       "a CPU is owned elsewhere or the instance could not take it offline");
	ok &= explains(MK_LIVE_CPUS, "2-4", ENOSPC, "no free CPU to add");
	ok &= explains(MK_LIVE_CPUS, "2-4", ETIMEDOUT,
		       "instance web did not answer and is now crashed; its console may say why: mkctl log web");
	ok &= explains(MK_LIVE_CPUS, "2-4", EOPNOTSUPP,
		       "the kernel of web cannot add or remove CPUs live; stop it to change them");
	ok &= explains(MK_LIVE_CPUS, "2-4", EPERM,
		       "permission denied: needs CAP_SYS_ADMIN (run as root)");
	ok &= !fake_instance("db", "1", "running", "4-5", "64M", "/k", "") &&
	      explains(MK_LIVE_CPUS, "2-4", EBUSY,
		       "CPU 4 belongs to instance db; choose another CPU, or stop db and give it other CPUs");
	return ok;
}

static bool errmsg_live_memory(void)
{
	const char *steps =
		"a running instance's memory grows and shrinks in multiples of the resize granule";
	char want[256];
	bool ok;

	snprintf(want, sizeof(want), "%s (128M)", steps);
	ok = explains(MK_LIVE_MEMORY, "200M", EINVAL, want);
	ok &= !fake_unlink("sys/resize_granule") &&
	      explains(MK_LIVE_MEMORY, "200M", EINVAL, steps);
	ok &= explains(MK_LIVE_MEMORY, "1.5G", EINVAL,
		       "not a size: give bytes with an optional K, M or G suffix");
	ok &= explains(MK_LIVE_MEMORY, "0", EINVAL, "cannot be zero");
	ok &= explains(MK_LIVE_MEMORY, "32M", ERANGE,
		       "smaller than the minimum (64M)");
	ok &= !fake_write("sys/pool/free", "536870912\n") &&
	      explains(MK_LIVE_MEMORY, "1G", ENOSPC,
		       "not enough free memory in the pool to grow it (free: 512M)");
	ok &= explains(MK_LIVE_MEMORY, "128M", EBUSY,
		       "free memory inside the instance before shrinking");
	ok &= explains(MK_LIVE_MEMORY, "384M", ETIMEDOUT,
		       "instance web did not answer and is now crashed; its console may say why: mkctl log web");
	ok &= explains(MK_LIVE_MEMORY, "384M", EOPNOTSUPP,
		       "the kernel of web cannot resize its memory live; stop it to change it");
	return ok;
}

static bool errmsg_resize_reason(void)
{
	const char *reason =
		"instance web uses 190M of 256M; free memory inside it before shrinking";
	char line[256];
	bool ok;

	snprintf(line, sizeof(line), "%s\n", reason);
	ok = !fake_instance("web", "1", "running", "2", "256M", "/k", "") &&
	     !fake_console("web", "") &&
	     !fake_write("config/instances/web/resize_reason", line);
	ok = ok && explains(MK_LIVE_MEMORY, "128M", EBUSY, reason);
	ok &= explains(MK_LIVE_CPUS, "2", EBUSY, reason);
	/* Not a live resize, or refused before one was tried. */
	ok &= explains(MK_MEMORY, "128M", EBUSY,
		       "instance web is not stopped; stop it first");
	ok &= explains(MK_LIVE_MEMORY, "128M", EPERM,
		       "permission denied: needs CAP_SYS_ADMIN (run as root)");
	ok &= !fake_write("config/instances/web/resize_reason", "\n") &&
	      explains(MK_LIVE_MEMORY, "128M", EBUSY,
		       "free memory inside the instance before shrinking");
	return ok;
}

static bool errmsg_images(void)
{
	bool ok;

	ok = explains(MK_KERNEL, "boot/bz", EINVAL, "not an absolute path");
	ok &= explains(MK_KERNEL, "/dev/null", EINVAL, "not a regular file");
	ok &= explains(MK_INITRD, "x.img", EINVAL, "not an absolute path");
	ok &= explains(MK_INITRD, "/nope", ENOENT, "no such file");
	ok &= explains(MK_KERNEL, "/boot", EISDIR,
		       "is a directory, not a file");
	ok &= explains(MK_KERNEL, "/x", ENAMETOOLONG, "path too long");
	ok &= explains(MK_CMDLINE, "x", E2BIG, "longer than 1984 bytes");
	return ok;
}

static bool errmsg_rmdir_state(void)
{
	bool ok;

	ok = explains(MK_RMDIR, NULL, ENOENT, "no instance named web");
	ok &= explains(MK_RMDIR, NULL, EBUSY,
		       "instance web is not stopped; stop it first");
	ok &= explains(MK_STATE, "go", EINVAL, "not one of start, stop, kill, upgrade");
	ok &= explains(MK_STATE, "start", EOPNOTSUPP,
		       "this kernel cannot start instances yet");
	return ok;
}

static bool errmsg_start(void)
{
	bool ok;

	ok = explains(MK_START, "/boot/bzImage", ENOEXEC,
		      "/boot/bzImage is not a bzImage built with CONFIG_MULTIKERNEL");
	ok &= explains(MK_START, "", ENOEXEC,
		       "the kernel is not a bzImage built with CONFIG_MULTIKERNEL");
	ok &= explains(MK_START, NULL, ENOEXEC,
		       "the kernel is not a bzImage built with CONFIG_MULTIKERNEL");
	ok &= explains(MK_START, "/k", ENOSPC,
		       "not enough contiguous free memory in the pool (largest free extent: 1G)");
	ok &= explains(MK_START, "/k", EPERM,
		       "permission denied: needs CAP_SYS_BOOT (run as root) and no kernel lockdown");
	ok &= explains(MK_START, "/k", EINVAL,
		       "cpus, memory and kernel must be set");
	ok &= explains(MK_START, "/k", EBUSY, "instance web is not stopped");
	ok &= explains(MK_START, "/k", ENOENT,
		       "its kernel or initrd file no longer exists");
	ok &= explains(MK_START, "/k", EOPNOTSUPP,
		       "this kernel cannot start instances yet");
	ok &= explains(MK_START, "/k", EIO, strerror(EIO));
	return ok;
}

static bool errmsg_stop(void)
{
	bool ok;

	ok = explains(MK_STOP, "kill", EPERM,
		      "permission denied: needs CAP_SYS_ADMIN (run as root)");
	ok &= explains(MK_STOP, "stop", EINVAL, strerror(EINVAL));
	ok &= explains(MK_STOP, "stop", EBUSY, strerror(EBUSY));
	return ok;
}

static bool explain_start_reads_kernel(void)
{
	char buf[256];
	bool ok;

	ok = !fake_instance("web", "1", "stopped", "2", "64M",
			    "/boot/old-bzImage", "") &&
	     expect_str("ENOEXEC",
			mk_explain_start(buf, sizeof(buf), "web", ENOEXEC),
			"/boot/old-bzImage is not a bzImage built with CONFIG_MULTIKERNEL");
	ok &= expect_str("no instance",
			 mk_explain_start(buf, sizeof(buf), "db", ENOEXEC),
			 "the kernel is not a bzImage built with CONFIG_MULTIKERNEL");
	ok &= !fake_write("sys/pool/largest_free", "268435456\n") &&
	      expect_str("ENOSPC",
			 mk_explain_start(buf, sizeof(buf), "web", ENOSPC),
			 "not enough contiguous free memory in the pool (largest free extent: 256M)");
	return ok;
}

static bool seconds(void)
{
	static const struct {
		const char *text;
		long ms;
	} good[] = {
		{ "0", 0 }, { "1", 1000 }, { "60", 60000 }, { "007", 7000 },
		{ "86400", 86400000 },
	};
	static const char * const bad[] = {
		"", "-1", "+1", "1.5", "1s", " 1", "1 ", "86401", "0x10",
		"99999999999999999999",
	};
	bool ok = true;
	size_t i;
	long ms;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		ok &= expect_int(good[i].text,
				 mk_seconds_parse(good[i].text, &ms), 0) &&
		      expect_int(good[i].text, ms, good[i].ms);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok &= expect_int(bad[i], mk_seconds_parse(bad[i], &ms),
				 -EINVAL);
	return ok;
}

static bool state_files(void)
{
	char buf[32];
	bool ok;

	ok = !fake_instance("web", "1", "running", "2", "64M", "/k", "") &&
	     expect_int("read", mk_state("web", buf, sizeof(buf)), 0) &&
	     expect_str("state", buf, "running");
	ok &= !fake_write("config/instances/web/state", "") &&
	      expect_int("request", mk_request("web", "kill"), 0) &&
	      expect_str("written", fake_read("config/instances/web/state"),
			 "kill");
	ok &= expect_int("missing", mk_state("db", buf, sizeof(buf)),
			 -ENOENT);
	ok &= expect_int("missing", mk_request("db", "start"), -ENOENT);
	ok &= expect_int("exists", mk_instance_exists("web"), true) &&
	      expect_int("not a dir", mk_instance_exists("web/state"), false) &&
	      expect_int("missing", mk_instance_exists("db"), false);
	return ok;
}

static bool errmsg_fallback(void)
{
	bool ok;

	ok = explains(MK_CPUS, "2", EXDEV, strerror(EXDEV));
	ok &= explains(MK_MKDIR, NULL, ENOENT, strerror(ENOENT));
	ok &= explains(MK_CMDLINE, "x", EINVAL, strerror(EINVAL));
	return ok;
}

static bool names(void)
{
	static const char * const good[] = {
		"a", "0", "web-1", "0_x", "abcdefghijklmnopqrstuvwxyz012345",
	};
	static const char * const bad[] = {
		"", "-a", "_a", "Web", "a/b", "..", ".a", "a b", "caf\xc3\xa9",
		"abcdefghijklmnopqrstuvwxyz0123456",
	};
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++)
		ok &= expect_int(good[i], mk_name_valid(good[i]), true);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		ok &= expect_int(bad[i], mk_name_valid(bad[i]), false);
	return ok;
}

static bool write_attr(void)
{
	char buf[64];
	bool ok;

	ok = !fake_write("attr", "") &&
	     expect_int("write", mk_write_attr(fake_path("attr"), "2-3"), 0) &&
	     !mk_read_attr(fake_path("attr"), buf, sizeof(buf)) &&
	     expect_str("content", buf, "2-3");
	ok &= expect_int("missing", mk_write_attr(fake_path("nope"), "1"),
			 -ENOENT);
	return ok;
}

static bool read_attr(void)
{
	static const char * const cases[][2] = {
		{ "256M\n", "256M" }, { "a\n\n", "a\n" }, { "plain", "plain" },
		{ "", "" }, { "\n", "" }, { "123456\n", "123456" },
	};
	bool ok = true;
	char buf[8];
	size_t i;

	/* buf holds a 6-byte value, its newline and the NUL */
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		ok &= !fake_write("attr", cases[i][0]) &&
		      expect_int(cases[i][0], mk_read_attr(fake_path("attr"),
							   buf, sizeof(buf)),
				 0) &&
		      expect_str(cases[i][0], buf, cases[i][1]);
	ok &= !fake_write("attr", "1234567\n") &&
	      expect_int("too long", mk_read_attr(fake_path("attr"), buf,
						  sizeof(buf)), -EOVERFLOW);
	return ok;
}

static bool read_u64(void)
{
	unsigned long long v = 0;
	bool ok;

	ok = expect_int("size", mk_sys_u64("pool/size", &v), 0) &&
	     expect_int("value", v, 1073741824);
	ok &= expect_int("missing", mk_sys_u64("pool/none", &v), -ENOENT);
	ok &= !fake_write("sys/pool/free", "12x\n") &&
	      expect_int("junk", mk_sys_u64("pool/free", &v), -EINVAL);
	ok &= !fake_write("sys/pool/free", "\n") &&
	      expect_int("empty", mk_sys_u64("pool/free", &v), -EINVAL);
	return ok;
}

const struct test_case unit_tests[] = {
	{ "size_parse: bytes and K, M, G in either case", size_parses },
	{ "size_parse: rejects non-sizes, ERANGE on overflow", size_rejects },
	{ "size_format: largest exact suffix", size_formats },
	{ "size_format output parses back", size_round_trip },
	{ "cpulist_first: lowest CPU of valid lists", cpulist_valid },
	{ "cpulist_first: rejects malformed lists", cpulist_invalid },
	{ "json_string: escaping", json_escapes },
	{ "json_obj: members, separators, objects in objects",
	  json_objects },
	{ "mk_explain: mkdir errors", errmsg_mkdir },
	{ "mk_explain: limit unreadable from sysfs", errmsg_sysfs_missing },
	{ "mk_explain: EPERM and EACCES", errmsg_permission },
	{ "mk_explain: cpus errors", errmsg_cpus },
	{ "mk_explain: a busy CPU names its instance", errmsg_cpu_owner },
	{ "mk_explain: memory errors, with sysfs sizes", errmsg_memory },
	{ "mk_explain: live cpus errors", errmsg_live_cpus },
	{ "mk_explain: live memory errors, with the resize granule",
	  errmsg_live_memory },
	{ "mk_explain: the host's resize_reason comes first",
	  errmsg_resize_reason },
	{ "mk_explain: kernel, initrd and cmdline errors", errmsg_images },
	{ "mk_explain: rmdir and state errors", errmsg_rmdir_state },
	{ "mk_explain: start errors", errmsg_start },
	{ "mk_explain: stop and kill errors", errmsg_stop },
	{ "mk_explain_start: the kernel path and pool from the tree",
	  explain_start_reads_kernel },
	{ "mk_explain: unknown errno falls back to strerror", errmsg_fallback },
	{ "mk_seconds_parse: whole seconds up to a day", seconds },
	{ "mk_state, mk_request, mk_instance_exists", state_files },
	{ "mk_name_valid: the name pattern", names },
	{ "mk_write_attr: value replaces file, no newline", write_attr },
	{ "mk_read_attr: strips one newline, detects overflow", read_attr },
	{ "mk_sys_u64: numbers from sysfs", read_u64 },
};

const size_t nr_unit_tests = ARRAY_SIZE(unit_tests);
