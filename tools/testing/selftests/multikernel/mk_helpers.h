/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the multikernel selftests: reading and writing sysfs and
 * configfs attributes, and finding multikernel.pool= on the kernel command
 * line.  The contract they test is Documentation/multikernel/admin-guide.rst.
 */
#ifndef __MK_HELPERS_H
#define __MK_HELPERS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MK_CONFIGFS_DIR		"/sys/kernel/config/multikernel"
#define MK_INSTANCES_DIR	MK_CONFIGFS_DIR "/instances"
#define MK_SYSFS_DIR		"/sys/kernel/multikernel"
#define MK_POOL_DIR		MK_SYSFS_DIR "/pool"
#define MK_PROC_CMDLINE		"/proc/cmdline"
#define MK_PROC_IOMEM		"/proc/iomem"
#define MK_CPU_POSSIBLE		"/sys/devices/system/cpu/possible"

/* The boot parameter, and the /proc/iomem name of the range it reserves. */
#define MK_POOL_PARAM		"multikernel.pool="
#define MK_IOMEM_NAME		"Multikernel pool"

#define MK_SZ_1K		1024ULL
#define MK_SZ_1M		(1024 * MK_SZ_1K)
#define MK_SZ_1G		(1024 * MK_SZ_1M)

/* The documented allocation unit of the pool, pool/granule. */
#define MK_POOL_GRANULE		(2 * MK_SZ_1M)

/* sysfs and configfs return at most one page from an attribute read. */
#define MK_ATTR_MAX		4096
/* Enough for /proc/cmdline (COMMAND_LINE_SIZE is 2048 on x86). */
#define MK_CMDLINE_MAX		8192

/*
 * How many times slower than a plain test kernel under TCG this run is:
 * MK_TIME_SCALE from the environment, 1 to 16, 1 when unset.  The host
 * VM's init sets it from mk_time_scale= on the kernel command line, which
 * make check-sanitizers passes (a KASAN kernel, host and spawns, is about
 * four times slower).  Every wait and test timeout is multiplied by it.
 */
static inline unsigned int mk_time_scale(void)
{
	const char *s = getenv("MK_TIME_SCALE");
	unsigned long v = s ? strtoul(s, NULL, 10) : 1;

	return v >= 1 && v <= 16 ? v : 1;
}

/* A test timeout of @s seconds, scaled. */
#define MK_SECS(s)		((s) * mk_time_scale())

/* What mk_pool_param() found on the kernel command line. */
enum mk_pool_param_result {
	MK_POOL_MALFORMED = -1,
	MK_POOL_ABSENT = 0,
	MK_POOL_PRESENT = 1,
};

/*
 * Read the whole of @path into @buf of @size bytes and NUL-terminate it.
 * Returns the number of bytes read, or -1 with errno set.
 */
static inline ssize_t mk_read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t ret;
	int fd, err;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		ret = read(fd, buf + len, size - 1 - len);
		if (ret < 0) {
			err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		if (!ret)
			break;
		len += ret;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

/*
 * Read a one-line attribute: the value must end in exactly one newline,
 * which is stripped.  Returns 0, or -1 with errno set (EBADMSG when the
 * newline is missing).
 */
static inline int mk_read_value(const char *path, char *buf, size_t size)
{
	ssize_t len = mk_read_file(path, buf, size);

	if (len < 0)
		return -1;
	if (!len || buf[len - 1] != '\n') {
		errno = EBADMSG;
		return -1;
	}
	buf[len - 1] = '\0';
	return 0;
}

/*
 * Read an attribute holding one decimal value followed by a newline.
 * Returns 0, or -1 with errno set (EBADMSG when it is not such a value).
 */
static inline int mk_read_u64(const char *path, unsigned long long *val)
{
	char buf[MK_ATTR_MAX + 1];
	char *end;

	if (mk_read_value(path, buf, sizeof(buf)))
		return -1;
	if (!isdigit((unsigned char)buf[0])) {
		errno = EBADMSG;
		return -1;
	}
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || *end) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/*
 * Write @len bytes of @buf to @path in a single write(), as configfs and
 * sysfs require.  Returns what write() returned; errno is that of the
 * failing call.
 */
static inline ssize_t mk_write(const char *path, const void *buf, size_t len)
{
	ssize_t ret;
	int fd, err;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, buf, len);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

/*
 * Parse a size the way the kernel's memparse() does: a number in any base
 * strtoull() accepts, then an optional K, M or G suffix.  *@end points past
 * what was used.  Returns 0, or -1 when there is no number or it overflows.
 */
static inline int mk_parse_size(const char *s, unsigned long long *val,
				const char **end)
{
	unsigned int shift = 0;
	char *e;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*val = strtoull(s, &e, 0);
	if (errno)
		return -1;
	switch (*e) {
	case 'G':
	case 'g':
		shift = 30;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'K':
	case 'k':
		shift = 10;
		break;
	default:
		break;
	}
	if (shift)
		e++;
	if (shift && *val > (ULLONG_MAX >> shift))
		return -1;
	*val <<= shift;
	*end = e;
	return 0;
}

/*
 * Find multikernel.pool=SIZE[@ADDR] on /proc/cmdline.  When it is given more
 * than once the last one counts, as for any kernel parameter.  *@has_addr
 * tells whether @ADDR was given.  Quoted values are not expected.
 */
static inline enum mk_pool_param_result
mk_pool_param(unsigned long long *size, unsigned long long *addr,
	      bool *has_addr)
{
	char cmdline[MK_CMDLINE_MAX];
	const char *value = NULL;
	const char *end;
	char *tok, *save;

	if (mk_read_file(MK_PROC_CMDLINE, cmdline, sizeof(cmdline)) < 0)
		return MK_POOL_MALFORMED;
	for (tok = strtok_r(cmdline, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		/* What follows "--" is for init, not the kernel. */
		if (!strcmp(tok, "--"))
			break;
		if (!strncmp(tok, MK_POOL_PARAM, strlen(MK_POOL_PARAM)))
			value = tok + strlen(MK_POOL_PARAM);
	}
	if (!value)
		return MK_POOL_ABSENT;

	*has_addr = false;
	*addr = 0;
	if (mk_parse_size(value, size, &end))
		return MK_POOL_MALFORMED;
	if (*end == '@') {
		if (mk_parse_size(end + 1, addr, &end))
			return MK_POOL_MALFORMED;
		*has_addr = true;
	}
	return *end ? MK_POOL_MALFORMED : MK_POOL_PRESENT;
}

/*
 * Count the lines of /proc/iomem naming the pool and return the range of the
 * first one in @start and @end (inclusive).  Returns the count, or -1.
 */
static inline int mk_iomem_pool(unsigned long long *start,
				unsigned long long *end)
{
	char line[256];
	int count = 0;
	FILE *f;

	f = fopen(MK_PROC_IOMEM, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, MK_IOMEM_NAME))
			continue;
		if (!count && sscanf(line, " %llx-%llx", start, end) != 2) {
			fclose(f);
			return -1;
		}
		count++;
	}
	fclose(f);
	return count;
}

/* Number of instances in the configfs tree, or -1 with errno set. */
static inline int mk_count_instances(void)
{
	struct dirent *de;
	int count = 0;
	DIR *dir;

	dir = opendir(MK_INSTANCES_DIR);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			count++;
	}
	closedir(dir);
	return count;
}

/*
 * Format @bytes the way the memory attribute reads back: with the largest
 * of G, M and K that divides it exactly, as plain bytes otherwise.
 */
static inline void mk_format_size(unsigned long long bytes, char *buf,
				  size_t size)
{
	if (bytes && !(bytes % MK_SZ_1G))
		snprintf(buf, size, "%lluG", bytes / MK_SZ_1G);
	else if (bytes && !(bytes % MK_SZ_1M))
		snprintf(buf, size, "%lluM", bytes / MK_SZ_1M);
	else if (bytes && !(bytes % MK_SZ_1K))
		snprintf(buf, size, "%lluK", bytes / MK_SZ_1K);
	else
		snprintf(buf, size, "%llu", bytes);
}

#ifdef __KSELFTEST_HARNESS_H
/* Read a one-value sysfs file or fail the running test. */
static inline unsigned long long mk_read_fact(struct __test_metadata *_metadata,
					      const char *path)
{
	unsigned long long val = 0;
	int ret, err;

	ret = mk_read_u64(path, &val);
	err = errno;
	ASSERT_EQ(0, ret) {
		TH_LOG("%s: %s", path, err == EBADMSG ?
		       "not one decimal value and a newline" : strerror(err));
	}
	return val;
}
#endif

#endif /* __MK_HELPERS_H */
