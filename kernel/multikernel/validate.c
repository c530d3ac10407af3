// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsing and checking of the values written to the multikernel control
 * interface.  Everything here is a pure function of its arguments so that
 * KUnit can cover it without a pool, an instance or any locking.
 */

#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/overflow.h>
#include <linux/string.h>

#include "internal.h"

static bool mk_name_char_ok(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '_' || c == '-');
}

/**
 * mk_check_name() - check an instance name
 * @name: NUL-terminated name
 *
 * A name matches [a-z0-9][a-z0-9_-]{0,31}.
 *
 * Return: 0 if @name is valid, -EINVAL otherwise.
 */
int mk_check_name(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len > MK_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (!mk_name_char_ok(name[i], i == 0))
			return -EINVAL;
	return 0;
}

static int mk_suffix_shift(char suffix)
{
	switch (suffix) {
	case '\0':
		return 0;
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	default:
		return -EINVAL;
	}
}

/**
 * mk_parse_memory() - parse a memory size
 * @buf: decimal byte count with an optional K, M or G suffix, NUL-terminated
 * @bytes: the size in bytes on success
 *
 * Unlike memparse() this rejects trailing garbage, signs, hexadecimal and
 * values that do not fit in 64 bits.
 *
 * Return: 0 on success, -EINVAL if @buf is not such a size.
 */
int mk_parse_memory(const char *buf, u64 *bytes)
{
	char digits[24];
	size_t len = strspn(buf, "0123456789");
	int shift;
	u64 val;

	if (!len || len >= sizeof(digits))
		return -EINVAL;
	shift = mk_suffix_shift(buf[len]);
	if (shift < 0 || (buf[len] && buf[len + 1]))
		return -EINVAL;

	memcpy(digits, buf, len);
	digits[len] = '\0';
	if (kstrtou64(digits, 10, &val))
		return -EINVAL;
	if (check_shl_overflow(val, shift, bytes))
		return -EINVAL;
	return 0;
}

/**
 * mk_check_memory() - check an instance memory size against the pool
 * @bytes: requested size
 * @pool_size: size of the pool
 *
 * Return: 0 if acceptable; -EINVAL for zero or a size that is not a multiple
 * of MK_GRANULE; -ERANGE below MK_MIN_MEMORY; -ENOSPC above @pool_size.
 */
int mk_check_memory(u64 bytes, u64 pool_size)
{
	if (!bytes || !IS_ALIGNED(bytes, MK_GRANULE))
		return -EINVAL;
	if (bytes < MK_MIN_MEMORY)
		return -ERANGE;
	if (bytes > pool_size)
		return -ENOSPC;
	return 0;
}

/**
 * mk_format_memory() - format a size with the largest exact suffix
 * @buf: output buffer
 * @len: size of @buf
 * @bytes: size to format
 *
 * 268435456 becomes "256M", 1536 stays "1536" and 0 stays "0", so that the
 * result always parses back to @bytes with mk_parse_memory().
 *
 * Return: number of characters written, as snprintf().
 */
int mk_format_memory(char *buf, size_t len, u64 bytes)
{
	static const struct {
		unsigned int shift;
		char suffix;
	} units[] = { { 30, 'G' }, { 20, 'M' }, { 10, 'K' } };
	int i;

	for (i = 0; bytes && i < ARRAY_SIZE(units); i++)
		if (IS_ALIGNED(bytes, 1ULL << units[i].shift))
			return snprintf(buf, len, "%llu%c",
					bytes >> units[i].shift,
					units[i].suffix);
	return snprintf(buf, len, "%llu", bytes);
}

/**
 * mk_parse_cpulist() - parse a CPU list
 * @buf: cpulist such as "2-3,5", NUL-terminated
 * @mask: the CPUs on success
 *
 * Return: 0 on success; -EINVAL for bad syntax or an empty list; -ENODEV
 * for a CPU number this kernel cannot have.
 */
int mk_parse_cpulist(const char *buf, struct cpumask *mask)
{
	int ret = cpulist_parse(buf, mask);

	if (ret == -ERANGE)
		return -ENODEV;
	if (ret)
		return -EINVAL;
	return cpumask_empty(mask) ? -EINVAL : 0;
}

/**
 * mk_check_cpus() - check that a set of CPUs may be lent to an instance
 * @req: the CPUs asked for
 * @present: CPUs that exist
 * @online: CPUs the host runs on now
 * @taken: CPUs configured for other instances
 * @why: set to the reason when the set is refused
 *
 * Return: 0 if acceptable; -ENODEV if a CPU does not exist; -E2BIG for more
 * CPUs than the boot record carries; -EINVAL if CPU 0 is asked for; -EBUSY
 * if a CPU belongs to another instance or the host would be left without
 * an online CPU.
 */
int mk_check_cpus(const struct cpumask *req, const struct cpumask *present,
		  const struct cpumask *online, const struct cpumask *taken,
		  const char **why)
{
	unsigned int cpu;

	if (!cpumask_subset(req, present)) {
		*why = "a CPU in the list does not exist";
		return -ENODEV;
	}
	if (cpumask_weight(req) > MULTIKERNEL_MAX_CPUS) {
		*why = "more CPUs than a spawn can be given (64)";
		return -E2BIG;
	}
	if (cpumask_test_cpu(0, req)) {
		*why = "CPU 0 is the host's boot CPU and is never lent";
		return -EINVAL;
	}
	if (cpumask_intersects(req, taken)) {
		*why = "a CPU in the list belongs to another instance";
		return -EBUSY;
	}
	for_each_cpu(cpu, online)
		if (!cpumask_test_cpu(cpu, req) && !cpumask_test_cpu(cpu, taken))
			return 0;
	*why = "the host would keep no online CPU";
	return -EBUSY;
}

/**
 * mk_check_path() - check the syntax of an image path
 * @path: NUL-terminated path, not empty
 *
 * configfs cuts writes at PATH_MAX - 1 bytes, so a path of that length may
 * have been truncated and is refused along with longer ones.
 *
 * Return: 0 if @path is absolute and shorter than PATH_MAX - 1; -EINVAL if
 * it is relative; -ENAMETOOLONG if it is too long.
 */
int mk_check_path(const char *path)
{
	if (path[0] != '/')
		return -EINVAL;
	if (strnlen(path, PATH_MAX) >= PATH_MAX - 1)
		return -ENAMETOOLONG;
	return 0;
}

/**
 * mk_check_cmdline() - check a command line for the spawned kernel
 * @cmdline: NUL-terminated command line
 *
 * Return: 0 if it fits the boot protocol, -E2BIG otherwise.
 */
int mk_check_cmdline(const char *cmdline)
{
	return strnlen(cmdline, MK_CMDLINE_MAX + 1) > MK_CMDLINE_MAX ? -E2BIG : 0;
}

static const char * const mk_state_cmds[] = {
	[MK_CMD_START]	= "start",
	[MK_CMD_STOP]	= "stop",
	[MK_CMD_KILL]	= "kill",
	[MK_CMD_UPGRADE] = "upgrade",
};

/**
 * mk_parse_state_cmd() - parse a word written to the state attribute
 * @buf: NUL-terminated word, without a trailing newline
 *
 * Return: an enum mk_state_cmd, or -EINVAL for any other word.
 */
int mk_parse_state_cmd(const char *buf)
{
	int i = match_string(mk_state_cmds, ARRAY_SIZE(mk_state_cmds), buf);

	return i < 0 ? -EINVAL : i;
}

static const char * const mk_state_names[] = {
	[MK_STOPPED]	= "stopped",
	[MK_STARTING]	= "starting",
	[MK_RUNNING]	= "running",
	[MK_STOPPING]	= "stopping",
	[MK_CRASHED]	= "crashed",
	[MK_QUARANTINED] = "quarantined",
};

/**
 * mk_state_name() - name of a lifecycle state
 * @state: the state
 *
 * Return: the name the state attribute shows.
 */
const char *mk_state_name(enum mk_state state)
{
	if (WARN_ON_ONCE(state >= ARRAY_SIZE(mk_state_names)))
		return "unknown";
	return mk_state_names[state];
}

/**
 * mk_copy_policy_name() - copy a BPF policy's name, checked
 * @dst: MK_POLICY_NAME_LEN bytes
 * @src: the name field of the policy, MK_POLICY_NAME_LEN bytes, which
 *	need not hold a NUL
 *
 * Return: 0; -EINVAL if the name is empty, fills the field without a NUL
 * or holds anything but letters, digits, '_' and '-'.
 */
int mk_copy_policy_name(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i < MK_POLICY_NAME_LEN && src[i]; i++)
		if (!isalnum(src[i]) && src[i] != '_' && src[i] != '-')
			return -EINVAL;
	if (!i || i == MK_POLICY_NAME_LEN)
		return -EINVAL;
	memcpy(dst, src, i + 1);
	return 0;
}

/**
 * mk_copy_spawn_text() - copy text a spawn wrote, fit for the host's log
 * @dst: destination
 * @size: its size, at least 1
 * @src: the spawn's bytes, read once
 * @len: how many of them there may be
 *
 * Stops at a NUL or a line end; every other byte that is not printable
 * ASCII becomes '?', so the text can neither forge log lines nor send
 * terminal escapes.
 *
 * Return: the length of the copy.
 */
size_t mk_copy_spawn_text(char *dst, size_t size, const char *src, size_t len)
{
	size_t i, n = min(len, size - 1);

	for (i = 0; i < n; i++) {
		char c = src[i];

		if (!c || c == '\n' || c == '\r')
			break;
		dst[i] = isprint(c) ? c : '?';
	}
	dst[i] = '\0';
	return i;
}
