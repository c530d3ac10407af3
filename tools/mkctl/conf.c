// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing instance configuration files.  Nothing here touches configfs:
 * a file's text goes in, a struct mk_conf and messages come out.
 *
 * A line is blank, a comment (its first non-blank character is '#'), or
 * "key = value" with blanks trimmed around key and value.  Every line in
 * error gets one message "FILE:LINE: what is wrong"; a missing required
 * key gets "FILE: missing required key 'kernel'", with no line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "cpuset.h"

#define LINE_MAX_LEN	8192

/* Parse @val for a key; 0, or -1 with the reason in @why. */
typedef int (*conf_set)(struct mk_conf *c, const char *val, char *why,
			size_t size);

static int copy(char *dst, size_t size, const char *val, char *why,
		size_t wsize)
{
	size_t len = strlen(val);

	if (len >= size) {
		snprintf(why, wsize, "longer than %zu bytes", size - 1);
		return -1;
	}
	memcpy(dst, val, len + 1);
	return 0;
}

static int set_name(struct mk_conf *c, const char *val, char *why,
		    size_t size)
{
	if (mk_name_valid(val))
		return copy(c->name, sizeof(c->name), val, why, size);
	snprintf(why, size, "must match [a-z0-9][a-z0-9_-]{0,31}");
	return -1;
}

static int set_cpus(struct mk_conf *c, const char *val, char *why,
		    size_t size)
{
	static struct mk_cpuset set;

	if (!*val || mk_cpuset_parse(val, &set)) {
		snprintf(why, size, "not a CPU list like 2-3,5");
		return -1;
	}
	if (set.cpu[0]) {
		snprintf(why, size,
			 "CPU 0 is the host's boot CPU and cannot be lent");
		return -1;
	}
	return copy(c->cpus, sizeof(c->cpus), val, why, size);
}

static int set_cpu_count(struct mk_conf *c, const char *val, char *why,
			 size_t size)
{
	if (!mk_parse_cpu_count(val, &c->cpu_count))
		return 0;
	snprintf(why, size, "not a number from 1 to %d", MK_MAX_CPUS);
	return -1;
}

static int set_memory(struct mk_conf *c, const char *val, char *why,
		      size_t size)
{
	if (size_parse(val, &c->memory)) {
		snprintf(why, size, "not a size like 256M");
		return -1;
	}
	if (!c->memory) {
		snprintf(why, size, "cannot be zero");
		return -1;
	}
	return 0;
}

static int set_path(char *dst, size_t dsize, bool empty_ok,
		    const char *val, char *why, size_t size)
{
	if (*val != '/' && (*val || !empty_ok)) {
		snprintf(why, size, "not an absolute path");
		return -1;
	}
	return copy(dst, dsize, val, why, size);
}

static int set_kernel(struct mk_conf *c, const char *val, char *why,
		      size_t size)
{
	return set_path(c->kernel, sizeof(c->kernel), false, val, why, size);
}

static int set_initrd(struct mk_conf *c, const char *val, char *why,
		      size_t size)
{
	return set_path(c->initrd, sizeof(c->initrd), true, val, why, size);
}

static int set_cmdline(struct mk_conf *c, const char *val, char *why,
		       size_t size)
{
	return copy(c->cmdline, sizeof(c->cmdline), val, why, size);
}

static int timeout(unsigned long *ms, const char *val, char *why,
		   size_t size)
{
	char *end;

	errno = 0;
	*ms = strtoul(val, &end, 10);
	if (*val < '0' || *val > '9' || errno || *end ||
	    *ms < MK_CONF_TIMEOUT_MIN || *ms > MK_CONF_TIMEOUT_MAX) {
		snprintf(why, size, "not a number from %d to %d",
			 MK_CONF_TIMEOUT_MIN, MK_CONF_TIMEOUT_MAX);
		return -1;
	}
	return 0;
}

static int set_boot_timeout(struct mk_conf *c, const char *val, char *why,
			    size_t size)
{
	return timeout(&c->boot_timeout_ms, val, why, size);
}

static int set_stop_timeout(struct mk_conf *c, const char *val, char *why,
			    size_t size)
{
	return timeout(&c->stop_timeout_ms, val, why, size);
}

static int set_start(struct mk_conf *c, const char *val, char *why,
		     size_t size)
{
	c->start = !strcmp(val, "yes");
	if (c->start || !strcmp(val, "no"))
		return 0;
	snprintf(why, size, "not yes or no");
	return -1;
}

static const struct {
	const char *name;
	conf_set set;
} keys[MK_CONF_NR_KEYS] = {
	[MK_CONF_NAME]		= { "name", set_name },
	[MK_CONF_CPUS]		= { "cpus", set_cpus },
	[MK_CONF_CPU_COUNT]	= { "cpu_count", set_cpu_count },
	[MK_CONF_MEMORY]	= { "memory", set_memory },
	[MK_CONF_KERNEL]	= { "kernel", set_kernel },
	[MK_CONF_INITRD]	= { "initrd", set_initrd },
	[MK_CONF_CMDLINE]	= { "cmdline", set_cmdline },
	[MK_CONF_BOOT_TIMEOUT]	= { "boot_timeout_ms", set_boot_timeout },
	[MK_CONF_STOP_TIMEOUT]	= { "stop_timeout_ms", set_stop_timeout },
	[MK_CONF_START]		= { "start", set_start },
};

/**
 * mk_conf_key_name() - the name of a key, as a file spells it
 * @key: the key
 *
 * Return: e.g. "cpu_count".
 */
const char *mk_conf_key_name(enum mk_conf_key key)
{
	return keys[key].name;
}

__printf(4, 5)
static int report(FILE *err, const char *file, int line, const char *fmt,
		  ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (line)
		fprintf(err, "mkctl: %s:%d: ", file, line);
	else
		fprintf(err, "mkctl: %s: ", file);
	vfprintf(err, fmt, ap);
	fputc('\n', err);
	va_end(ap);
	return 1;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int find_key(const char *name)
{
	int k;

	for (k = 0; k < MK_CONF_NR_KEYS; k++)
		if (!strcmp(keys[k].name, name))
			return k;
	return -1;
}

/* cpus and cpu_count exclude each other; @k is the later of the two. */
static int other_cpus_key(const struct mk_conf *c, int k)
{
	int other = k == MK_CONF_CPUS ? MK_CONF_CPU_COUNT : MK_CONF_CPUS;

	if (k != MK_CONF_CPUS && k != MK_CONF_CPU_COUNT)
		return -1;
	return c->line[other] ? other : -1;
}

/* Parse line @n, @s; return the number of errors reported. */
static int parse_line(struct mk_conf *c, char *s, int n, FILE *err)
{
	char *eq, *key, *val, why[128];
	int k, other;

	s = trim(s);
	if (!*s || *s == '#')
		return 0;
	eq = strchr(s, '=');
	if (!eq || eq == s)
		return report(err, c->file, n, "expected 'key = value'");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	k = find_key(key);
	if (k < 0)
		return report(err, c->file, n, "unknown key '%s'", key);
	if (c->line[k])
		return report(err, c->file, n,
			      "duplicate key '%s' (first on line %d)", key,
			      c->line[k]);
	other = other_cpus_key(c, k);
	if (other >= 0)
		return report(err, c->file, n,
			      "'%s' and '%s' exclude each other (%s on line %d)",
			      key, keys[other].name, keys[other].name,
			      c->line[other]);
	c->line[k] = n;
	if (keys[k].set(c, val, why, sizeof(why)))
		return report(err, c->file, n, "bad value '%s' for %s: %s",
			      val, key, why);
	return 0;
}

/* Name the instance after the file: "/etc/multikernel/web.conf" is web. */
static int default_name(struct mk_conf *c, FILE *err)
{
	const char *base = strrchr(c->file, '/');
	size_t len;

	base = base ? base + 1 : c->file;
	len = strlen(base);
	if (len > 5 && !strcmp(base + len - 5, ".conf"))
		len -= 5;
	if (len <= MK_NAME_MAX) {
		snprintf(c->name, sizeof(c->name), "%.*s", (int)len, base);
		if (mk_name_valid(c->name))
			return 0;
	}
	return report(err, c->file, 0,
		      "the file name gives no valid instance name; set name = NAME");
}

static int check_required(struct mk_conf *c, FILE *err)
{
	int errors = 0;

	if (!c->line[MK_CONF_NAME])
		errors += default_name(c, err);
	if (!c->line[MK_CONF_CPUS] && !c->line[MK_CONF_CPU_COUNT])
		errors += report(err, c->file, 0,
				 "missing required key 'cpus' or 'cpu_count'");
	if (!c->line[MK_CONF_MEMORY])
		errors += report(err, c->file, 0,
				 "missing required key 'memory'");
	if (!c->line[MK_CONF_KERNEL])
		errors += report(err, c->file, 0,
				 "missing required key 'kernel'");
	return errors;
}

/**
 * mk_conf_parse() - parse the text of a configuration file
 * @c: where to store the instance it describes
 * @file: the file's name, for messages and the default instance name
 * @text: what the file holds
 * @err: where to print "mkctl: FILE:LINE: ..." for each error
 *
 * Every line is checked, so that one run shows every error in the file;
 * then the required keys.  A key given on a line in error counts as
 * given.
 *
 * Return: the number of errors reported; 0 if @c is complete.
 */
int mk_conf_parse(struct mk_conf *c, const char *file, const char *text,
		  FILE *err)
{
	char line[LINE_MAX_LEN];
	const char *p = text, *nl;
	int n = 0, errors = 0;
	size_t len;

	memset(c, 0, sizeof(*c));
	snprintf(c->file, sizeof(c->file), "%s", file);
	while (*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		n++;
		if (len >= sizeof(line)) {
			errors += report(err, file, n, "line too long");
		} else {
			memcpy(line, p, len);
			line[len] = '\0';
			errors += parse_line(c, line, n, err);
		}
		p += len + !!nl;
	}
	return errors + check_required(c, err);
}

static int slurp(const char *file, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n = 1;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < size && (n = read(fd, buf + len, size - len)) > 0)
		len += n;
	close(fd);
	if (n < 0)
		return -errno;
	if (len == size)
		return -EFBIG;
	buf[len] = '\0';
	return 0;
}

/**
 * mk_conf_load() - read and parse a configuration file
 * @c: where to store the instance it describes
 * @file: its path
 * @err: where to print errors
 *
 * Return: the number of errors reported.
 */
int mk_conf_load(struct mk_conf *c, const char *file, FILE *err)
{
	char *text = malloc(MK_CONF_SIZE_MAX + 1);
	int ret;

	if (!text)
		return report(err, file, 0, "out of memory");
	ret = slurp(file, text, MK_CONF_SIZE_MAX + 1);
	if (ret == -EFBIG)
		ret = report(err, file, 0, "larger than %d bytes",
			     MK_CONF_SIZE_MAX);
	else if (ret)
		ret = report(err, file, 0, "cannot read: %s", strerror(-ret));
	else
		ret = mk_conf_parse(c, file, text, err);
	free(text);
	return ret;
}
